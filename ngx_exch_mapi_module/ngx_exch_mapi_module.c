
/*
 * exch MAPI over HTTP module (MS-OXCMAPIHTTP): the "exch_mapi" location
 * handler for /mapi/emsmdb/ (the mailbox) and /mapi/nspi/ (the address
 * book).  This file is the transport: request types and headers, the
 * session context and sequence cookies, the response body with its
 * PROCESSING / PENDING / DONE meta-tags, every X-ResponseCode failure,
 * NotificationWait parked until its timeout, and slow Executes in the
 * thread pool with PENDING keep-alives meanwhile.  The ROP layer
 * (exch_emsmdb.c and the exch_oxc*.c files) and the address book
 * (exch_nspi.c) are nginx-free.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#if (NGX_LINUX)
#include <malloc.h>
#endif

#include "ngx_exch.h"
#include "exch_wire.h"
#include "exch_oxcrpc_rpc_ext.h"
#include "exch_oxcmapihttp.h"
#include "exch_emsmdb.h"
#include "exch_nspi.h"
#include "ngx_exch_bus.h"


#define NGX_EXCH_MAPI_SERVER_APP    "Exchange/15.01.2507.0000"
#define NGX_EXCH_MAPI_TYPE          "application/mapi-http"

/* the mailboxes one NotificationWait watches (the session's logons) */
#define NGX_EXCH_MAPI_WATCH_MAX     8


typedef struct {
    ngx_flag_t                enabled;
    time_t                    session_timeout;
    ngx_uint_t                max_sessions;
    ngx_uint_t                max_objects;
    size_t                    max_stream;
    size_t                    max_body;
    ngx_msec_t                pending_period;
    ngx_msec_t                notification_wait;
} ngx_exch_mapi_loc_conf_t;


typedef struct {
    ngx_event_t              *sweep;       /* this worker's state sweep */
} ngx_exch_mapi_main_conf_t;


/* what one request does, inline or in a thread: nothing of nginx */

typedef struct {
    exs_env_t                *env;
    exs_arena_t              *a;
    exch_ems_conf_t           conf;
    exch_ems_user_t           user;
    int                       endpoint;
    int                       type;
    const u_char             *body;
    size_t                    len;
    unsigned                  has_sid:1;
    unsigned                  has_seq:1;
    unsigned                  set_sid:1;
    unsigned                  set_seq:1;
    unsigned                  clear:1;
    unsigned                  park:1;
    unsigned                  claim_late:1;
    uint8_t                   sid[20];
    uint8_t                   seq[16];
    uint8_t                   new_sid[20];
    uint8_t                   new_seq[16];
    const char               *base_url;
    int64_t                   now;
    exch_ems_t               *e;           /* Execute: the session */
    uint32_t                  nwatch;      /* NotificationWait: what to */
    uint32_t                  watch_mb[NGX_EXCH_MAPI_WATCH_MAX];  /* watch */
    uint64_t                  watch_cn[NGX_EXCH_MAPI_WATCH_MAX];
    exch_mh_execute_req_t     ereq;
    unsigned                  rcode;       /* X-ResponseCode */
    exs_bin_t                 out;         /* the binary response body */
    const char               *error;       /* for the log */
} ngx_exch_mapi_work_t;


typedef struct {
    ngx_http_request_t       *request;
    ngx_exch_mapi_loc_conf_t *conf;
    ngx_exch_mapi_work_t     *work;
    int                       endpoint;
    int                       type;
    ngx_str_t                 request_id;
    ngx_str_t                 client_info;
    ngx_msec_t                start_msec;
    time_t                    start_sec;
    ngx_event_t               pending;     /* PENDING keep-alives */
    ngx_exch_watch_t         *watch;       /* NotificationWait, parked */
    unsigned                  streaming:1;
    unsigned                  finished:1;
} ngx_exch_mapi_ctx_t;


static ngx_int_t ngx_exch_mapi_handler(ngx_http_request_t *r);
static void ngx_exch_mapi_body(ngx_http_request_t *r);
static ngx_table_elt_t *ngx_exch_mapi_header(ngx_http_request_t *r,
    const char *name);
static ngx_int_t ngx_exch_mapi_cookie(ngx_http_request_t *r,
    const char *name, ngx_str_t *value);
static ngx_int_t ngx_exch_mapi_fail(ngx_http_request_t *r, unsigned rcode);
static ngx_int_t ngx_exch_mapi_headers(ngx_http_request_t *r,
    ngx_exch_mapi_ctx_t *ctx, const char *type, unsigned rcode);
static ngx_int_t ngx_exch_mapi_add_header(ngx_http_request_t *r,
    const char *key, u_char *value, size_t len);
static ngx_int_t ngx_exch_mapi_cookies(ngx_http_request_t *r,
    ngx_exch_mapi_ctx_t *ctx);
static ngx_int_t ngx_exch_mapi_respond(ngx_http_request_t *r,
    ngx_exch_mapi_ctx_t *ctx);
static ngx_int_t ngx_exch_mapi_stream_begin(ngx_http_request_t *r,
    ngx_exch_mapi_ctx_t *ctx);
static ngx_int_t ngx_exch_mapi_stream_end(ngx_http_request_t *r,
    ngx_exch_mapi_ctx_t *ctx);
static ngx_int_t ngx_exch_mapi_send_buf(ngx_http_request_t *r,
    u_char *data, size_t len, ngx_uint_t last);
static size_t ngx_exch_mapi_done_tag(ngx_exch_mapi_ctx_t *ctx, u_char *buf,
    size_t cap);
static void ngx_exch_mapi_pending(ngx_event_t *ev);
static void ngx_exch_mapi_wake(ngx_exch_watch_t *watch, ngx_uint_t why);
static int ngx_exch_mapi_events(ngx_exch_mapi_work_t *w);
static void ngx_exch_mapi_wait_begin(ngx_exch_mapi_work_t *w);
static int ngx_exch_mapi_wait_answer(ngx_exch_mapi_work_t *w,
    uint32_t pending);
static void ngx_exch_mapi_flush(ngx_http_request_t *r);
static void ngx_exch_mapi_cleanup(void *data);
static void ngx_exch_mapi_arena_cleanup(void *data);
static void ngx_exch_mapi_thread(void *data, ngx_log_t *log);
static void ngx_exch_mapi_thread_done(ngx_http_request_t *r, void *data);
static void ngx_exch_mapi_log(void *data, int error, const char *fmt, ...);

static void ngx_exch_mapi_process(ngx_exch_mapi_work_t *w);
static void ngx_exch_mapi_emsmdb(ngx_exch_mapi_work_t *w);
static void ngx_exch_mapi_execute_begin(ngx_exch_mapi_work_t *w);
static void ngx_exch_mapi_execute_run(ngx_exch_mapi_work_t *w);
static void ngx_exch_mapi_nspi(ngx_exch_mapi_work_t *w);
static void ngx_exch_mapi_ems_init(ngx_exch_mapi_work_t *w, exch_ems_t *e,
    exs_arena_t *a);
static int ngx_exch_mapi_session_failed(ngx_exch_mapi_work_t *w, int rc);
static unsigned ngx_exch_mapi_check(ngx_exch_mapi_work_t *w,
    uint32_t user, const uint8_t *seq, int sequenced);
static int ngx_exch_mapi_aux(ngx_exch_mapi_work_t *w, int connect,
    exs_bin_t *out);

static void *ngx_exch_mapi_create_main_conf(ngx_conf_t *cf);
static void *ngx_exch_mapi_create_loc_conf(ngx_conf_t *cf);
static char *ngx_exch_mapi_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_exch_mapi(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static ngx_int_t ngx_exch_mapi_init_process(ngx_cycle_t *cycle);
static void ngx_exch_mapi_sweep(ngx_event_t *ev);


static ngx_command_t  ngx_exch_mapi_commands[] = {

    { ngx_string("exch_mapi"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_exch_mapi,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("exch_mapi_session_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_exch_mapi_loc_conf_t, session_timeout),
      NULL },

    { ngx_string("exch_mapi_max_sessions"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_exch_mapi_loc_conf_t, max_sessions),
      NULL },

    { ngx_string("exch_mapi_max_objects"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_exch_mapi_loc_conf_t, max_objects),
      NULL },

    { ngx_string("exch_mapi_max_stream"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_exch_mapi_loc_conf_t, max_stream),
      NULL },

    { ngx_string("exch_mapi_max_body"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_exch_mapi_loc_conf_t, max_body),
      NULL },

    { ngx_string("exch_mapi_pending_period"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_exch_mapi_loc_conf_t, pending_period),
      NULL },

    { ngx_string("exch_mapi_notification_wait"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_exch_mapi_loc_conf_t, notification_wait),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_exch_mapi_module_ctx = {
    NULL,                                  /* preconfiguration */
    NULL,                                  /* postconfiguration */

    ngx_exch_mapi_create_main_conf,        /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_exch_mapi_create_loc_conf,         /* create location configuration */
    ngx_exch_mapi_merge_loc_conf           /* merge location configuration */
};


ngx_module_t  ngx_exch_mapi_module = {
    NGX_MODULE_V1,
    &ngx_exch_mapi_module_ctx,             /* module context */
    ngx_exch_mapi_commands,                /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_exch_mapi_init_process,            /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_int_t
ngx_exch_mapi_handler(ngx_http_request_t *r)
{
    u_char                    *p;
    ngx_int_t                  rc;
    ngx_table_elt_t           *h;
    ngx_exch_mapi_ctx_t       *ctx;
    ngx_exch_mapi_loc_conf_t  *mlcf;

    static ngx_str_t  rpch =
                      ngx_string("exch: RPC over HTTP is not built yet\n");

    mlcf = ngx_http_get_module_loc_conf(r, ngx_exch_mapi_module);

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_exch_mapi_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->request = r;
    ctx->conf = mlcf;
    ctx->start_msec = ngx_current_msec;
    ctx->start_sec = ngx_time();

    ngx_http_set_ctx(r, ctx, ngx_exch_mapi_module);

    /* which endpoint: the location matched one of them */

    p = ngx_strlcasestrn(r->uri.data, r->uri.data + r->uri.len,
                         (u_char *) "/mapi/emsmdb", 12 - 1);

    if (p) {
        ctx->endpoint = EXCH_MH_EMSMDB;

    } else if (ngx_strlcasestrn(r->uri.data, r->uri.data + r->uri.len,
                                (u_char *) "/mapi/nspi", 10 - 1))
    {
        ctx->endpoint = EXCH_MH_NSPI;

    } else if (ngx_strlcasestrn(r->uri.data, r->uri.data + r->uri.len,
                                (u_char *) "/rpc/", 5 - 1))
    {
        return ngx_exch_send_text(r, NGX_HTTP_NOT_IMPLEMENTED, &rpch);

    } else {
        return ngx_exch_mapi_fail(r, EXCH_MH_RC_INVALID_PATH);
    }

    h = ngx_exch_mapi_header(r, "X-RequestId");
    if (h) {
        ctx->request_id = h->value;
    }

    h = ngx_exch_mapi_header(r, "X-ClientInfo");
    if (h) {
        ctx->client_info = h->value;
    }

    if (r->method != NGX_HTTP_POST) {
        return ngx_exch_mapi_fail(r, EXCH_MH_RC_INVALID_VERB);
    }

    if (ngx_exch_user(r) == NULL) {
        return ngx_exch_mapi_fail(r, EXCH_MH_RC_ANONYMOUS_NOT_ALLOWED);
    }

    h = ngx_exch_mapi_header(r, "X-RequestType");
    if (h == NULL) {
        return ngx_exch_mapi_fail(r, EXCH_MH_RC_MISSING_HEADER);
    }

    ctx->type = exch_mh_request_type((const char *) h->value.data,
                                     h->value.len);

    if (ctx->type == 0
        || !(exch_mh_request_endpoints(ctx->type) & ctx->endpoint))
    {
        ctx->type = 0;
        return ngx_exch_mapi_fail(r, EXCH_MH_RC_INVALID_REQUEST_TYPE);
    }

    if (ctx->request_id.len == 0 || ctx->client_info.len == 0) {
        return ngx_exch_mapi_fail(r, EXCH_MH_RC_MISSING_HEADER);
    }

    if (r->headers_in.content_type
        && (r->headers_in.content_type->value.len < 21
            || ngx_strncasecmp(r->headers_in.content_type->value.data,
                               (u_char *) NGX_EXCH_MAPI_TYPE, 21) != 0))
    {
        return ngx_exch_mapi_fail(r, EXCH_MH_RC_INVALID_HEADER);
    }

    if (r->headers_in.content_length_n > (off_t) mlcf->max_body) {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_exch_mapi_fail(r, EXCH_MH_RC_TOO_LARGE);
    }

    rc = ngx_exch_read_body(r, mlcf->max_body, ngx_exch_mapi_body);

    return rc;
}


/* the body is in: do the request */

static void
ngx_exch_mapi_body(ngx_http_request_t *r)
{
    u_char                    *p;
    uint32_t                   i;
    ngx_int_t                  rc;
    ngx_str_t                  body, v;
    exs_env_t                 *env;
    exs_arena_t               *a;
    ngx_exch_user_t           *user;
    ngx_pool_cleanup_t        *cln;
    ngx_exch_mapi_ctx_t       *ctx;
    ngx_exch_mapi_work_t      *w;
    ngx_exch_mapi_loc_conf_t  *mlcf;

    ctx = ngx_http_get_module_ctx(r, ngx_exch_mapi_module);
    mlcf = ctx->conf;
    user = ngx_exch_user(r);

    rc = ngx_exch_request_body(r, mlcf->max_body, &body);

    if (rc == NGX_DECLINED) {
        ngx_http_finalize_request(r, ngx_exch_mapi_fail(r,
                                                        EXCH_MH_RC_TOO_LARGE));
        return;
    }

    if (rc != NGX_OK) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    env = ngx_exch_store_env((ngx_cycle_t *) ngx_cycle);
    if (env == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_SERVICE_UNAVAILABLE);
        return;
    }

    if (ngx_exiting || ngx_terminate) {
        ngx_http_finalize_request(r, ngx_exch_mapi_fail(r,
                                          EXCH_MH_RC_ENDPOINT_SHUTTING_DOWN));
        return;
    }

    /* the work gets an arena of its own: a thread may use it */

    /* a parked NotificationWait keeps its arena: a small one */

    a = exs_arena_create(ctx->type == EXCH_MH_NOTIFICATION_WAIT ? 1024
                                                                : 16384);
    if (a == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        exs_arena_destroy(a);
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    cln->handler = ngx_exch_mapi_arena_cleanup;
    cln->data = a;

    w = exs_calloc(a, sizeof(ngx_exch_mapi_work_t));
    if (w == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ctx->work = w;
    w->env = env;
    w->a = a;
    w->endpoint = ctx->endpoint;
    w->type = ctx->type;
    w->body = body.data;
    w->len = body.len;
    w->now = (int64_t) ngx_time();

    w->conf.session_timeout = mlcf->session_timeout;
    w->conf.max_sessions = (uint32_t) mlcf->max_sessions;
    w->conf.max_objects = (uint32_t) mlcf->max_objects;
    w->conf.max_stream = mlcf->max_stream;
    w->conf.log = ngx_exch_mapi_log;
    w->conf.log_data = NULL;

    w->user.id = user->id;
    w->user.mailbox = user->mailbox;
    w->user.address = exs_strndup(a, (char *) user->address.data,
                                  user->address.len);
    w->user.name = exs_strndup(a, (char *) user->name.data, user->name.len);
    w->user.legacy_dn = exs_strndup(a, (char *) user->legacy_dn.data,
                                    user->legacy_dn.len);

    /* the base of our URLs, for GetMailboxUrl */

    p = exs_alloc(a, 16 + (r->headers_in.host ? r->headers_in.host->value.len
                                              : 9));
    if (p == NULL || w->user.address == NULL || w->user.name == NULL
        || w->user.legacy_dn == NULL)
    {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    w->base_url = (char *) p;
#if (NGX_HTTP_SSL)
    p = ngx_cpymem(p, r->connection->ssl ? "https://" : "http://",
                   r->connection->ssl ? 8 : 7);
#else
    p = ngx_cpymem(p, "http://", 7);
#endif
    if (r->headers_in.host) {
        p = ngx_cpymem(p, r->headers_in.host->value.data,
                       r->headers_in.host->value.len);
    } else {
        p = ngx_cpymem(p, "localhost", 9);
    }
    *p = '\0';

    /* the cookies */

    if (ngx_exch_mapi_cookie(r, "sid", &v) == NGX_OK) {
        if (exch_ems_sid_parse((const char *) v.data, v.len, w->sid)
            != EXS_OK)
        {
            ngx_http_finalize_request(r, ngx_exch_mapi_fail(r,
                                          EXCH_MH_RC_INVALID_CONTEXT_COOKIE));
            return;
        }

        w->has_sid = 1;
    }

    if (ngx_exch_mapi_cookie(r, "sequence", &v) == NGX_OK
        && v.len == EXCH_EMS_SEQ_LEN
        && exch_ems_unhex((const char *) v.data, v.len, w->seq) == EXS_OK)
    {
        w->has_seq = 1;
    }

    /* a slow Execute runs in a thread, the rest here; the session is
     * claimed here first, so the cookies can go with the headers */

    if (ctx->type == EXCH_MH_EXECUTE) {
        unsigned               what;
        exch_mh_execute_req_t  er;

        what = 0;

        if (exch_mh_parse_execute(body.data, body.len, a, &er) == EXCH_OK) {
            what = exch_ems_classify(er.rop_buffer.data, er.rop_buffer.len,
                                     a);
        }

        /* answered here in one piece: only reading ROPs claim their
         * sequence with the session's save */
        w->claim_late = (what & EXCH_EMS_READS) != 0;

        if (what & EXCH_EMS_HEAVY) {
            ngx_exch_mapi_execute_begin(w);

            if (w->rcode != EXCH_MH_RC_SUCCESS) {
                if (w->error) {
                    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                                  "exch: Execute %s", w->error);
                }

                ngx_http_finalize_request(r, ngx_exch_mapi_fail(r, w->rcode));
                return;
            }

            rc = ngx_exch_mapi_stream_begin(r, ctx);
            if (rc == NGX_ERROR || rc > NGX_OK) {
                ngx_http_finalize_request(r, rc);
                return;
            }

            if (ngx_exch_thread_run(r, ngx_exch_mapi_thread,
                                    ngx_exch_mapi_thread_done, w)
                != NGX_OK)
            {
                ngx_http_finalize_request(r, NGX_ERROR);
            }

            return;
        }
    }

    ngx_exch_mapi_process(w);

    if (w->error) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0, "exch: %s %s",
                      exch_mh_request_name(ctx->type), w->error);
    }

    if (w->rcode != EXCH_MH_RC_SUCCESS) {
        ngx_http_finalize_request(r, ngx_exch_mapi_fail(r, w->rcode));
        return;
    }

    if (w->park) {
        /* NotificationWait: parked on the bus until a change concerns
         * the session or its time is up (MS-OXCMAPIHTTP 3.2.5.4) */

        rc = ngx_exch_mapi_stream_begin(r, ctx);
        if (rc == NGX_ERROR || rc > NGX_OK) {
            ngx_http_finalize_request(r, rc);
            return;
        }

        ctx->watch = ngx_exch_watch_create(r->pool,
                                           w->nwatch ? w->nwatch : 1,
                                           ngx_exch_mapi_wake, r,
                                           r->connection->log);
        if (ctx->watch == NULL) {
            ngx_http_finalize_request(r, NGX_ERROR);
            return;
        }

        for (i = 0; i < w->nwatch; i++) {
            if (ngx_exch_watch_mailbox(ctx->watch, w->watch_mb[i],
                                       w->watch_cn[i])
                != NGX_OK)
            {
                ngx_http_finalize_request(r, NGX_ERROR);
                return;
            }
        }

        if (ngx_exch_park(ctx->watch, mlcf->notification_wait) != NGX_OK) {
            ngx_http_finalize_request(r, NGX_ERROR);
            return;
        }

        r->read_event_handler = ngx_http_test_reading;
        return;
    }

    ngx_http_finalize_request(r, ngx_exch_mapi_respond(r, ctx));
}


static void
ngx_exch_mapi_arena_cleanup(void *data)
{
    exs_arena_destroy(data);
}


static void
ngx_exch_mapi_thread(void *data, ngx_log_t *log)
{
    ngx_exch_mapi_execute_run(data);
}


static void
ngx_exch_mapi_thread_done(ngx_http_request_t *r, void *data)
{
    ngx_exch_mapi_ctx_t   *ctx;
    ngx_exch_mapi_work_t  *w;

    w = data;
    ctx = ngx_http_get_module_ctx(r, ngx_exch_mapi_module);

    if (w->error) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0, "exch: %s %s",
                      exch_mh_request_name(ctx->type), w->error);
    }

    ngx_http_finalize_request(r, ngx_exch_mapi_stream_end(r, ctx));
}


/* logging from the nginx-free code happens through w->error */

static void
ngx_exch_mapi_log(void *data, int error, const char *fmt, ...)
{
}


/* headers and cookies */

static ngx_table_elt_t *
ngx_exch_mapi_header(ngx_http_request_t *r, const char *name)
{
    size_t            len;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    len = ngx_strlen(name);
    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == len
            && ngx_strncasecmp(h[i].key.data, (u_char *) name, len) == 0)
        {
            return &h[i];
        }
    }

    return NULL;
}


/* the value of a cookie, from any Cookie header (RFC 6265 4.2) */

static ngx_int_t
ngx_exch_mapi_cookie(ngx_http_request_t *r, const char *name,
    ngx_str_t *value)
{
    u_char           *p, *end, *n, *eq, *semi;
    size_t            len;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    len = ngx_strlen(name);
    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len != 6
            || ngx_strncasecmp(h[i].key.data, (u_char *) "Cookie", 6) != 0)
        {
            continue;
        }

        p = h[i].value.data;
        end = p + h[i].value.len;

        while (p < end) {
            while (p < end && (*p == ' ' || *p == ';')) {
                p++;
            }

            n = p;
            semi = ngx_strlchr(p, end, ';');
            if (semi == NULL) {
                semi = end;
            }

            eq = ngx_strlchr(n, semi, '=');

            if (eq && (size_t) (eq - n) == len
                && ngx_strncmp(n, name, len) == 0)
            {
                value->data = eq + 1;
                value->len = semi - eq - 1;
                return NGX_OK;
            }

            p = semi;
        }
    }

    return NGX_DECLINED;
}


static ngx_int_t
ngx_exch_mapi_add_header(ngx_http_request_t *r, const char *key,
    u_char *value, size_t len)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) key;
    h->key.len = ngx_strlen(key);
    h->value.data = value;
    h->value.len = len;

    return NGX_OK;
}


/* the headers every response has (MS-OXCMAPIHTTP 2.2.3.2, 2.2.3.3) */

static ngx_int_t
ngx_exch_mapi_headers(ngx_http_request_t *r, ngx_exch_mapi_ctx_t *ctx,
    const char *type, unsigned rcode)
{
    u_char      *p;
    const char  *name;

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_type.data = (u_char *) type;
    r->headers_out.content_type.len = ngx_strlen(type);
    r->headers_out.content_type_len = r->headers_out.content_type.len;

    name = ctx->type ? exch_mh_request_name(ctx->type) : NULL;

    p = ngx_pnalloc(r->pool, 3 * NGX_INT_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    if (ngx_exch_mapi_add_header(r, "Cache-Control", (u_char *) "private",
                                 7) != NGX_OK
        || (name && ngx_exch_mapi_add_header(r, "X-RequestType",
                                             (u_char *) name,
                                             ngx_strlen(name)) != NGX_OK)
        || (ctx->request_id.len
            && ngx_exch_mapi_add_header(r, "X-RequestId",
                                        ctx->request_id.data,
                                        ctx->request_id.len) != NGX_OK)
        || (ctx->client_info.len
            && ngx_exch_mapi_add_header(r, "X-ClientInfo",
                                        ctx->client_info.data,
                                        ctx->client_info.len) != NGX_OK)
        || ngx_exch_mapi_add_header(r, "X-ResponseCode", p,
                                    ngx_sprintf(p, "%ui", rcode) - p)
           != NGX_OK
        || ngx_exch_mapi_add_header(r, "X-ServerApplication",
                                    (u_char *) NGX_EXCH_MAPI_SERVER_APP,
                                    sizeof(NGX_EXCH_MAPI_SERVER_APP) - 1)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (rcode == EXCH_MH_RC_SUCCESS) {
        p += NGX_INT_T_LEN;

        if (ngx_exch_mapi_add_header(r, "X-PendingPeriod", p,
                                     ngx_sprintf(p, "%M",
                                                 ctx->conf->pending_period)
                                     - p) != NGX_OK)
        {
            return NGX_ERROR;
        }

        p += NGX_INT_T_LEN;

        if (ngx_exch_mapi_add_header(r, "X-ExpirationInfo", p,
                                     ngx_sprintf(p, "%T",
                                                 ctx->conf->session_timeout
                                                 * 1000) - p) != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* the session cookies a response sets or clears (3.2.5.1) */

static ngx_int_t
ngx_exch_mapi_cookies(ngx_http_request_t *r, ngx_exch_mapi_ctx_t *ctx)
{
    u_char                *p;
    const char            *path;
    ngx_exch_mapi_work_t  *w;

    w = ctx->work;
    path = ctx->endpoint == EXCH_MH_EMSMDB ? "/mapi/emsmdb" : "/mapi/nspi";

    if (w->set_sid || w->clear) {
        p = ngx_pnalloc(r->pool, 128);
        if (p == NULL) {
            return NGX_ERROR;
        }

        if (w->clear) {
            ngx_sprintf(p, "sid=; path=%s; expires=Thu, 01 Jan 1970 00:00:00 "
                           "GMT%Z", path);

        } else {
            ngx_sprintf(p, "sid=");
            exch_ems_sid_format(w->new_sid, (char *) p + 4);
            ngx_sprintf(p + 4 + EXCH_EMS_SID_LEN, "; path=%s; HttpOnly%Z",
                        path);
        }

        if (ngx_exch_mapi_add_header(r, "Set-Cookie", p, ngx_strlen(p))
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (w->set_seq || w->clear) {
        p = ngx_pnalloc(r->pool, 128);
        if (p == NULL) {
            return NGX_ERROR;
        }

        if (w->clear) {
            ngx_sprintf(p, "sequence=; path=%s; expires=Thu, 01 Jan 1970 "
                           "00:00:00 GMT%Z", path);

        } else {
            ngx_sprintf(p, "sequence=");
            exch_ems_hex(w->new_seq, 16, (char *) p + 9);
            ngx_sprintf(p + 9 + EXCH_EMS_SEQ_LEN, "; path=%s; HttpOnly%Z",
                        path);
        }

        if (ngx_exch_mapi_add_header(r, "Set-Cookie", p, ngx_strlen(p))
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/*
 * An X-ResponseCode failure: HTTP 200, the code, and for the client's
 * diagnostics a short page naming it (2.2.3.3.3).
 */

static ngx_int_t
ngx_exch_mapi_fail(ngx_http_request_t *r, unsigned rcode)
{
    u_char               *p;
    size_t                len;
    ngx_int_t             rc;
    const char           *name, *text;
    ngx_exch_mapi_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_exch_mapi_module);

    name = exch_mh_response_code_name(rcode);
    text = exch_mh_response_code_text(rcode);

    if (name == NULL) {
        name = "Unknown Failure";
        text = "";
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "exch: MAPI over HTTP request refused: %ui %s", rcode,
                  name);

    len = sizeof("<html><head><title></title></head><body><h1></h1>"
                 "<p></p></body></html>\r\n") + 2 * ngx_strlen(name)
          + ngx_strlen(text) + NGX_INT_T_LEN + 8;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    len = ngx_snprintf(p, len, "<html><head><title>%s</title></head><body>"
                               "<h1>%ui %s</h1><p>%s</p></body></html>\r\n",
                       name, rcode, name, text) - p;

    if (ngx_exch_mapi_headers(r, ctx, "text/html", rcode) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.content_length_n = len;

    if (r->method == NGX_HTTP_HEAD) {
        r->header_only = 1;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    return ngx_exch_mapi_send_buf(r, p, len, 1);
}


/* "DONE", X-ElapsedTime and X-StartTime, the empty line (2.2.7) */

static size_t
ngx_exch_mapi_done_tag(ngx_exch_mapi_ctx_t *ctx, u_char *buf, size_t cap)
{
    return exch_mh_done((char *) buf, cap,
                        (uint32_t) (ngx_current_msec - ctx->start_msec),
                        ctx->start_sec);
}


/* the whole response at once, with its length: the fast requests */

static ngx_int_t
ngx_exch_mapi_respond(ngx_http_request_t *r, ngx_exch_mapi_ctx_t *ctx)
{
    u_char                *p, *q;
    size_t                 len, n;
    ngx_int_t              rc;
    ngx_exch_mapi_work_t  *w;

    w = ctx->work;

    len = sizeof(EXCH_MH_PROCESSING) - 1 + 256 + w->out.len;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    q = ngx_cpymem(p, EXCH_MH_PROCESSING, sizeof(EXCH_MH_PROCESSING) - 1);

    n = ngx_exch_mapi_done_tag(ctx, q, 256);
    if (n == 0) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    q += n;

    if (w->out.len) {
        q = ngx_cpymem(q, w->out.data, w->out.len);
    }

    if (ngx_exch_mapi_headers(r, ctx, NGX_EXCH_MAPI_TYPE, 0) != NGX_OK
        || ngx_exch_mapi_cookies(r, ctx) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.content_length_n = q - p;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    return ngx_exch_mapi_send_buf(r, p, q - p, 1);
}


static ngx_int_t
ngx_exch_mapi_send_buf(ngx_http_request_t *r, u_char *data, size_t len,
    ngx_uint_t last)
{
    ngx_buf_t    *b;
    ngx_chain_t   out;

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->pos = data;
    b->last = data + len;
    b->memory = len ? 1 : 0;
    b->flush = 1;
    b->last_buf = last;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/*
 * The streamed response (3.2.5.2): headers and PROCESSING at once,
 * PENDING every pending period, the rest when the work is done.  The
 * cookies go with the headers, so the session's new sequence is known
 * before the work: it is made here and the work stores it.
 */

static ngx_int_t
ngx_exch_mapi_stream_begin(ngx_http_request_t *r, ngx_exch_mapi_ctx_t *ctx)
{
    ngx_int_t              rc;
    ngx_pool_cleanup_t    *cln;

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_exch_mapi_cleanup;
    cln->data = ctx;

    if (ngx_exch_mapi_headers(r, ctx, NGX_EXCH_MAPI_TYPE, 0) != NGX_OK
        || ngx_exch_mapi_cookies(r, ctx) != NGX_OK)
    {
        return NGX_ERROR;
    }

    r->headers_out.content_length_n = -1;
    ctx->streaming = 1;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc == NGX_OK ? NGX_ERROR : rc;
    }

    rc = ngx_exch_mapi_send_buf(r, (u_char *) EXCH_MH_PROCESSING,
                                sizeof(EXCH_MH_PROCESSING) - 1, 0);
    if (rc == NGX_ERROR) {
        return rc;
    }

    r->write_event_handler = ngx_exch_mapi_flush;

    ctx->pending.handler = ngx_exch_mapi_pending;
    ctx->pending.data = r;
    ctx->pending.log = r->connection->log;
    ngx_add_timer(&ctx->pending, ctx->conf->pending_period);

    return NGX_OK;
}


static ngx_int_t
ngx_exch_mapi_stream_end(ngx_http_request_t *r, ngx_exch_mapi_ctx_t *ctx)
{
    u_char                *p, *q;
    size_t                 n;
    ngx_exch_mapi_work_t  *w;

    w = ctx->work;
    ctx->finished = 1;

    if (ctx->pending.timer_set) {
        ngx_del_timer(&ctx->pending);
    }

    if (ctx->watch) {
        ngx_exch_unpark(ctx->watch);
    }

    if (r->connection->error) {
        return NGX_ERROR;
    }

    /* once the headers are sent, a failure can only end the stream: the
     * body's StatusCode says what went wrong (2.2.2.2) */

    if (w->rcode != EXCH_MH_RC_SUCCESS || w->out.len == 0) {
        exch_wr_t  wr;
        exs_bin_t  none;

        if (exch_wr_init_grow(&wr, w->a, 16, 64) != EXCH_OK) {
            return NGX_ERROR;
        }

        none.len = 0;
        none.data = NULL;

        if (exch_mh_write_failure(&wr, w->rcode ? w->rcode
                                                : EXCH_MH_RC_UNKNOWN_FAILURE,
                                  &none) != EXCH_OK)
        {
            return NGX_ERROR;
        }

        w->out.data = wr.buf;
        w->out.len = wr.len;
    }

    p = ngx_pnalloc(r->pool, 256 + w->out.len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    n = ngx_exch_mapi_done_tag(ctx, p, 256);
    if (n == 0) {
        return NGX_ERROR;
    }

    q = ngx_cpymem(p + n, w->out.data, w->out.len);

    return ngx_exch_mapi_send_buf(r, p, q - p, 1);
}


static void
ngx_exch_mapi_pending(ngx_event_t *ev)
{
    ngx_int_t             rc;
    ngx_http_request_t   *r;
    ngx_exch_mapi_ctx_t  *ctx;

    r = ev->data;
    ctx = ngx_http_get_module_ctx(r, ngx_exch_mapi_module);

    if (ctx->finished || r->connection->error) {
        return;
    }

    /* a worker shutting down answers a parked NotificationWait now */

    if (ngx_exiting && ctx->watch && ctx->watch->parked) {
        ngx_http_finalize_request(r, ngx_exch_mapi_stream_end(r, ctx));
        return;
    }

    rc = ngx_exch_mapi_send_buf(r, (u_char *) EXCH_MH_PENDING,
                                sizeof(EXCH_MH_PENDING) - 1, 0);

    if (rc == NGX_ERROR) {
        return;
    }

    ngx_add_timer(&ctx->pending, ctx->conf->pending_period);
}


/*
 * A parked NotificationWait: its time is up, or the worker exits (no
 * event), or a mailbox of the session changed: EventPending when the
 * change concerns one of its subscriptions, else it stays parked
 * (3.2.5.4).
 */

static void
ngx_exch_mapi_wake(ngx_exch_watch_t *watch, ngx_uint_t why)
{
    int                   rc;
    ngx_http_request_t   *r;
    ngx_exch_mapi_ctx_t  *ctx;

    r = watch->data;
    ctx = ngx_http_get_module_ctx(r, ngx_exch_mapi_module);

    if (ctx->finished) {
        return;
    }

    if (!(why & (NGX_EXCH_WAKE_TIMEOUT|NGX_EXCH_WAKE_EXIT))) {
        rc = ngx_exch_mapi_events(ctx->work);

        if (rc == 0) {
            return;
        }

        if (ngx_exch_mapi_wait_answer(ctx->work, 1) != EXCH_OK) {
            ctx->work->rcode = EXCH_MH_RC_UNKNOWN_FAILURE;
        }
    }

    ngx_http_finalize_request(r, ngx_exch_mapi_stream_end(r, ctx));
}


/* whether the session of a NotificationWait has events (1), or not (0):
 * then the mailboxes to watch and from where are in w; a session gone or
 * a failure: 1, the client finds out with its next request */

static int
ngx_exch_mapi_events(ngx_exch_mapi_work_t *w)
{
    int           rc;
    exch_ems_t    e;
    exs_arena_t  *a;

    a = exs_arena_create(4096);
    if (a == NULL) {
        return 1;
    }

    ngx_exch_mapi_ems_init(w, &e, a);

    rc = exch_ems_session_load(&e, w->sid);

    if (rc == EXS_OK) {
        rc = exch_ems_notify_pending(&e, w->watch_mb, w->watch_cn,
                                     &w->nwatch, NGX_EXCH_MAPI_WATCH_MAX);
    }

    exs_arena_destroy(a);

    return rc == 0 ? 0 : 1;
}


static int
ngx_exch_mapi_wait_answer(ngx_exch_mapi_work_t *w, uint32_t pending)
{
    exch_wr_t                         wr;
    exch_mh_notification_wait_rsp_t   nrsp;

    if (exch_wr_init_grow(&wr, w->a, 64, 4096) != EXCH_OK) {
        return EXCH_ERR_NOMEM;
    }

    ngx_memzero(&nrsp, sizeof(nrsp));
    nrsp.event_pending = pending;

    if (exch_mh_write_notification_wait(&wr, &nrsp) != EXCH_OK) {
        return EXCH_ERR_NOMEM;
    }

    w->out.data = wr.buf;
    w->out.len = wr.len;

    return EXCH_OK;
}


static void
ngx_exch_mapi_flush(ngx_http_request_t *r)
{
    if (r->out || r->connection->buffered) {
        (void) ngx_http_output_filter(r, NULL);
    }
}


static void
ngx_exch_mapi_cleanup(void *data)
{
    ngx_exch_mapi_ctx_t  *ctx = data;

    if (ctx->pending.timer_set) {
        ngx_del_timer(&ctx->pending);
    }

    if (ctx->watch) {
        ngx_exch_unpark(ctx->watch);
    }
}


/*
 * The requests themselves, without nginx: every outcome is w->rcode
 * (the X-ResponseCode) and w->out (the binary body).
 */

static void
ngx_exch_mapi_process(ngx_exch_mapi_work_t *w)
{
    if (w->endpoint == EXCH_MH_EMSMDB) {
        ngx_exch_mapi_emsmdb(w);

    } else {
        ngx_exch_mapi_nspi(w);
    }
}


/* an EMSMDB context for the request's user, in the arena a */

static void
ngx_exch_mapi_ems_init(ngx_exch_mapi_work_t *w, exch_ems_t *e,
    exs_arena_t *a)
{
    ngx_memzero(e, sizeof(exch_ems_t));
    e->env = w->env;
    e->a = a;
    e->conf = &w->conf;
    e->user = &w->user;
    e->now = w->now;
}


/*
 * the outcome of claiming or saving a session: 0 when it went through,
 * else 1 with the response code set (another request took the sequence:
 * InvalidSequence)
 */

static int
ngx_exch_mapi_session_failed(ngx_exch_mapi_work_t *w, int rc)
{
    if (rc == EXS_OK) {
        return 0;
    }

    if (rc == EXS_CONFLICT) {
        w->rcode = EXCH_MH_RC_INVALID_SEQUENCE;
        return 1;
    }

    w->rcode = EXCH_MH_RC_UNKNOWN_FAILURE;
    w->error = exs_strerror(rc);

    return 1;
}


/* a loaded session may serve this request (3.2.5.1, 3.2.5.6) */

static unsigned
ngx_exch_mapi_check(ngx_exch_mapi_work_t *w, uint32_t user,
    const uint8_t *seq, int sequenced)
{
    if (user != w->user.id) {
        return EXCH_MH_RC_NO_PRIVILEGE;
    }

    if (sequenced && (!w->has_seq || ngx_memcmp(w->seq, seq, 16) != 0)) {
        return EXCH_MH_RC_INVALID_SEQUENCE;
    }

    return EXCH_MH_RC_SUCCESS;
}


/* the auxiliary buffer the server answers with (MS-OXCRPC 3.1.4.1.1.1.2) */

static int
ngx_exch_mapi_aux(ngx_exch_mapi_work_t *w, int connect, exs_bin_t *out)
{
    exch_wr_t  blocks, chain;

    out->data = NULL;
    out->len = 0;

    if (!connect) {
        return EXCH_OK;
    }

    if (exch_wr_init_grow(&blocks, w->a, 256, 0x1000) != EXCH_OK
        || exch_wr_init_grow(&chain, w->a, 256, 0x1008) != EXCH_OK)
    {
        return EXCH_ERR_NOMEM;
    }

    /* no public folders; the session's description for the client's
     * diagnostics */
    exch_aux_write_exorginfo(&blocks, 0);
    exch_aux_write_server_session_info(&blocks, "exch");

    if (blocks.err != EXCH_OK
        || exch_rhe_write(&chain, w->a, blocks.buf, blocks.len,
                          EXCH_RHE_LAST, NULL) != EXCH_OK)
    {
        return EXCH_ERR_NOMEM;
    }

    out->data = chain.buf;
    out->len = chain.len;

    return EXCH_OK;
}


static void
ngx_exch_mapi_emsmdb(ngx_exch_mapi_work_t *w)
{
    int                                rc;
    exch_wr_t                          wr;
    exch_ems_t                         e;
    exch_aux_t                         aux;
    exch_rhe_chain_t                   chain;
    exch_mh_connect_req_t              creq;
    exch_mh_connect_rsp_t              crsp;
    exch_mh_disconnect_req_t           dreq;
    exch_mh_disconnect_rsp_t           drsp;

    if (w->type == EXCH_MH_NOTIFICATION_WAIT) {
        ngx_exch_mapi_wait_begin(w);
        return;
    }

    ngx_exch_mapi_ems_init(w, &e, w->a);

    if (exch_wr_init_grow(&wr, w->a, 4096, 0x100000) != EXCH_OK) {
        w->rcode = EXCH_MH_RC_UNKNOWN_FAILURE;
        return;
    }

    switch (w->type) {

    case EXCH_MH_CONNECT:
        if (exch_mh_parse_connect(w->body, w->len, w->a, &creq) != EXCH_OK) {
            w->rcode = EXCH_MH_RC_INVALID_REQUEST_BODY;
            return;
        }

        if (creq.aux.len
            && exch_rhe_parse(creq.aux.data, creq.aux.len, w->a, 0x1008,
                              &chain) == EXCH_OK)
        {
            (void) exch_aux_parse(chain.data, chain.len, w->a, &aux);
        }

        /* a reconnect ends the session it names (3.2.5.6) */
        if (w->has_sid && exch_ems_session_load(&e, w->sid) == EXS_OK
            && e.s->user == w->user.id)
        {
            (void) exch_ems_session_destroy(&e);
        }

        e.s = NULL;

        rc = exch_ems_connect(&e, &creq, &crsp);
        if (rc != EXS_OK) {
            w->rcode = EXCH_MH_RC_UNKNOWN_FAILURE;
            w->error = exs_strerror(rc);
            return;
        }

        if (ngx_exch_mapi_aux(w, 1, &crsp.aux) != EXCH_OK
            || exch_mh_write_connect(&wr, &crsp) != EXCH_OK)
        {
            w->rcode = EXCH_MH_RC_UNKNOWN_FAILURE;
            return;
        }

        if (e.s) {
            ngx_memcpy(w->new_sid, e.s->key, 20);
            ngx_memcpy(w->new_seq, e.s->seq, 16);
            w->set_sid = 1;
            w->set_seq = 1;
        }

        break;

    case EXCH_MH_PING:
        if (w->has_sid) {
            rc = exch_ems_session_load(&e, w->sid);
            if (rc != EXS_OK) {
                w->rcode = rc == EXS_NOTFOUND ? EXCH_MH_RC_CONTEXT_NOT_FOUND
                                              : EXCH_MH_RC_UNKNOWN_FAILURE;
                return;
            }

            w->rcode = ngx_exch_mapi_check(w, e.s->user, NULL, 0);
        }

        return;

    case EXCH_MH_EXECUTE:
        ngx_exch_mapi_execute_begin(w);

        if (w->rcode == EXCH_MH_RC_SUCCESS) {
            ngx_exch_mapi_execute_run(w);
        }

        return;

    case EXCH_MH_DISCONNECT:
        if (!w->has_sid) {
            w->rcode = EXCH_MH_RC_MISSING_COOKIE;
            return;
        }

        rc = exch_mh_parse_disconnect(w->body, w->len, w->a, &dreq);

        if (rc != EXCH_OK) {
            w->rcode = EXCH_MH_RC_INVALID_REQUEST_BODY;
            return;
        }

        rc = exch_ems_session_load(&e, w->sid);
        if (rc != EXS_OK) {
            w->rcode = rc == EXS_NOTFOUND ? EXCH_MH_RC_CONTEXT_NOT_FOUND
                                          : EXCH_MH_RC_UNKNOWN_FAILURE;
            return;
        }

        w->rcode = ngx_exch_mapi_check(w, e.s->user, e.s->seq, 0);
        if (w->rcode != EXCH_MH_RC_SUCCESS) {
            return;
        }

        (void) exch_ems_session_destroy(&e);
        ngx_memzero(&drsp, sizeof(drsp));

        if (exch_mh_write_disconnect(&wr, &drsp) != EXCH_OK) {
            w->rcode = EXCH_MH_RC_UNKNOWN_FAILURE;
            return;
        }

        w->clear = 1;
        break;

    default:
        w->rcode = EXCH_MH_RC_INVALID_REQUEST_TYPE;
        return;
    }

    w->out.data = wr.buf;
    w->out.len = wr.len;
}


/*
 * NotificationWait (3.2.5.4): EventPending at once when the session has
 * notifications waiting, else parked by the glue until it has or its
 * time is up.  The session is read in an arena of its own, so what stays
 * with a parked request is small.
 */

static void
ngx_exch_mapi_wait_begin(ngx_exch_mapi_work_t *w)
{
    int                               rc;
    exch_ems_t                        e;
    exs_arena_t                      *a;
    exch_mh_notification_wait_req_t   nreq;

    if (!w->has_sid) {
        w->rcode = EXCH_MH_RC_MISSING_COOKIE;
        return;
    }

    if (exch_mh_parse_notification_wait(w->body, w->len, w->a, &nreq)
        != EXCH_OK)
    {
        w->rcode = EXCH_MH_RC_INVALID_REQUEST_BODY;
        return;
    }

    a = exs_arena_create(16384);
    if (a == NULL) {
        w->rcode = EXCH_MH_RC_UNKNOWN_FAILURE;
        return;
    }

    ngx_exch_mapi_ems_init(w, &e, a);

    rc = exch_ems_session_load(&e, w->sid);

    if (rc != EXS_OK) {
        w->rcode = rc == EXS_NOTFOUND ? EXCH_MH_RC_CONTEXT_NOT_FOUND
                                      : EXCH_MH_RC_UNKNOWN_FAILURE;

    } else {
        w->rcode = ngx_exch_mapi_check(w, e.s->user, e.s->seq, 0);

        if (w->rcode == EXCH_MH_RC_SUCCESS) {
            rc = exch_ems_notify_pending(&e, w->watch_mb, w->watch_cn,
                                         &w->nwatch,
                                         NGX_EXCH_MAPI_WATCH_MAX);
        }
    }

    exs_arena_destroy(a);

    if (w->rcode != EXCH_MH_RC_SUCCESS) {
        return;
    }

    if (ngx_exch_mapi_wait_answer(w, rc == 1) != EXCH_OK) {
        w->rcode = EXCH_MH_RC_UNKNOWN_FAILURE;
        return;
    }

    w->park = rc != 1;
}


/* Execute's first half: the body, the session, its claim */

static void
ngx_exch_mapi_execute_begin(ngx_exch_mapi_work_t *w)
{
    int          rc;
    exch_ems_t  *e;

    if (!w->has_sid) {
        w->rcode = EXCH_MH_RC_MISSING_COOKIE;
        return;
    }

    if (exch_mh_parse_execute(w->body, w->len, w->a, &w->ereq) != EXCH_OK) {
        w->rcode = EXCH_MH_RC_INVALID_REQUEST_BODY;
        return;
    }

    e = exs_calloc(w->a, sizeof(exch_ems_t));
    if (e == NULL) {
        w->rcode = EXCH_MH_RC_UNKNOWN_FAILURE;
        return;
    }

    w->e = e;
    ngx_exch_mapi_ems_init(w, e, w->a);

    rc = exch_ems_session_load(e, w->sid);
    if (rc != EXS_OK) {
        w->rcode = rc == EXS_NOTFOUND ? EXCH_MH_RC_CONTEXT_NOT_FOUND
                                      : EXCH_MH_RC_UNKNOWN_FAILURE;
        return;
    }

    w->rcode = ngx_exch_mapi_check(w, e->s->user, e->s->seq, 1);
    if (w->rcode != EXCH_MH_RC_SUCCESS) {
        return;
    }

    /* the sequence moves on before anything runs, so a second request
     * racing on this session is refused: here, or for reading ROPs by
     * the session's save, which refuses the loser before it writes */

    rc = w->claim_late ? exch_ems_session_claim_late(e)
                       : exch_ems_session_claim(e);
    if (ngx_exch_mapi_session_failed(w, rc)) {
        return;
    }

    ngx_memcpy(w->new_seq, e->s->seq, 16);
    w->set_seq = 1;
}


/* Execute's second half, in a thread when it may be slow: the ROPs */

static void
ngx_exch_mapi_execute_run(ngx_exch_mapi_work_t *w)
{
    int                     rc;
    uint32_t                ec;
    exch_wr_t               wr;
    exch_aux_t              aux;
    exch_ems_t             *e;
    exch_rhe_chain_t        chain;
    exch_mh_execute_rsp_t   ersp;

    e = w->e;

    if (w->ereq.aux.len
        && exch_rhe_parse(w->ereq.aux.data, w->ereq.aux.len, w->a, 0x1008,
                          &chain) == EXCH_OK)
    {
        (void) exch_aux_parse(chain.data, chain.len, w->a, &aux);
    }

    ngx_memzero(&ersp, sizeof(ersp));

    rc = exch_ems_execute(e, w->ereq.rop_buffer.data, w->ereq.rop_buffer.len,
                          w->ereq.flags, w->ereq.max_rop_out,
                          &ersp.rop_buffer, &ec);

    exch_ems_txn_end(e);

    if (rc < 0 && rc != EXS_NOMEM && rc != EXCH_ERR_NOMEM) {
        /* the RPC_HEADER_EXT chain or the ROP buffer framing */
        w->rcode = EXCH_MH_RC_INVALID_REQUEST_BODY;
        (void) exch_ems_session_save(e);
        return;
    }

    if (rc != EXCH_OK) {
        w->rcode = EXCH_MH_RC_UNKNOWN_FAILURE;
        w->error = "out of memory";
        return;
    }

    rc = exch_ems_session_save(e);
    if (ngx_exch_mapi_session_failed(w, rc)) {
        return;
    }

    ersp.error_code = ec;

    if (exch_wr_init_grow(&wr, w->a, ersp.rop_buffer.len + 64,
                          ersp.rop_buffer.len + 0x2000) != EXCH_OK
        || exch_mh_write_execute(&wr, &ersp) != EXCH_OK)
    {
        w->rcode = EXCH_MH_RC_UNKNOWN_FAILURE;
        return;
    }

    w->out.data = wr.buf;
    w->out.len = wr.len;
}


static void
ngx_exch_mapi_nspi(ngx_exch_mapi_work_t *w)
{
    int               rc;
    exch_wr_t         wr;
    exch_nspi_t       n;
    exch_nspi_req_t   req;
    exch_nspi_rsp_t   rsp;

    ngx_memzero(&n, sizeof(exch_nspi_t));
    n.env = w->env;
    n.a = w->a;
    n.conf = &w->conf;
    n.user = &w->user;
    n.now = w->now;
    n.base_url = w->base_url;

    if (exch_wr_init_grow(&wr, w->a, 4096, 0x1000000) != EXCH_OK) {
        w->rcode = EXCH_MH_RC_UNKNOWN_FAILURE;
        return;
    }

    if (w->type == EXCH_MH_PING) {
        if (w->has_sid) {
            rc = exch_nspi_session_load(&n, w->sid);
            if (rc != EXS_OK) {
                w->rcode = rc == EXS_NOTFOUND ? EXCH_MH_RC_CONTEXT_NOT_FOUND
                                              : EXCH_MH_RC_UNKNOWN_FAILURE;
                return;
            }

            w->rcode = ngx_exch_mapi_check(w, n.s->user, NULL, 0);
        }

        return;
    }

    if (exch_mh_parse_nspi(w->type, w->body, w->len, w->a, &req) != EXCH_OK)
    {
        w->rcode = EXCH_MH_RC_INVALID_REQUEST_BODY;
        return;
    }

    if (w->type == EXCH_MH_BIND) {
        if (w->has_sid && exch_nspi_session_load(&n, w->sid) == EXS_OK
            && n.s->user == w->user.id)
        {
            (void) exch_nspi_session_destroy(&n);
        }

        n.s = NULL;

        rc = exch_nspi_bind(&n, &req, &rsp);
        if (rc != EXS_OK) {
            w->rcode = EXCH_MH_RC_UNKNOWN_FAILURE;
            w->error = exs_strerror(rc);
            return;
        }

        if (n.s) {
            ngx_memcpy(w->new_sid, n.s->key, 20);
            ngx_memcpy(w->new_seq, n.s->seq, 16);
            w->set_sid = 1;
            w->set_seq = 1;
        }

        goto write;
    }

    if (!w->has_sid) {
        w->rcode = EXCH_MH_RC_MISSING_COOKIE;
        return;
    }

    rc = exch_nspi_session_load(&n, w->sid);
    if (rc != EXS_OK) {
        w->rcode = rc == EXS_NOTFOUND ? EXCH_MH_RC_CONTEXT_NOT_FOUND
                                      : EXCH_MH_RC_UNKNOWN_FAILURE;
        return;
    }

    w->rcode = ngx_exch_mapi_check(w, n.s->user, n.s->seq,
                                   w->type != EXCH_MH_UNBIND);
    if (w->rcode != EXCH_MH_RC_SUCCESS) {
        return;
    }

    if (w->type == EXCH_MH_UNBIND) {
        (void) exch_nspi_session_destroy(&n);
        ngx_memzero(&rsp, sizeof(rsp));
        rsp.type = EXCH_MH_UNBIND;
        rsp.error_code = EXCH_NSPI_UNBIND_SUCCESS;
        w->clear = 1;
        goto write;
    }

    rc = exch_nspi_session_claim(&n);
    if (ngx_exch_mapi_session_failed(w, rc)) {
        return;
    }

    ngx_memcpy(w->new_seq, n.s->seq, 16);
    w->set_seq = 1;

    rc = exch_nspi_handle(&n, &req, &rsp);
    if (rc != EXS_OK) {
        ngx_memzero(&rsp, sizeof(rsp));
        rsp.type = w->type;
        rsp.error_code = rc == EXS_NOMEM ? EXCH_NSPI_NOT_ENOUGH_MEMORY
                                         : EXCH_NSPI_GENERAL_FAILURE;
        w->error = exs_strerror(rc);
    }

write:

    if (exch_mh_write_nspi(&wr, &rsp) != EXCH_OK) {
        w->rcode = EXCH_MH_RC_UNKNOWN_FAILURE;
        w->error = "a response too big";
        return;
    }

    w->out.data = wr.buf;
    w->out.len = wr.len;
}


/* configuration */

static void *
ngx_exch_mapi_create_main_conf(ngx_conf_t *cf)
{
    ngx_exch_mapi_main_conf_t  *mmcf;

    mmcf = ngx_pcalloc(cf->pool, sizeof(ngx_exch_mapi_main_conf_t));
    if (mmcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     mmcf->sweep = NULL;
     */

    return mmcf;
}


static void *
ngx_exch_mapi_create_loc_conf(ngx_conf_t *cf)
{
    ngx_exch_mapi_loc_conf_t  *mlcf;

    mlcf = ngx_pcalloc(cf->pool, sizeof(ngx_exch_mapi_loc_conf_t));
    if (mlcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     mlcf->enabled = 0;
     */

    mlcf->session_timeout = NGX_CONF_UNSET;
    mlcf->max_sessions = NGX_CONF_UNSET_UINT;
    mlcf->max_objects = NGX_CONF_UNSET_UINT;
    mlcf->max_stream = NGX_CONF_UNSET_SIZE;
    mlcf->max_body = NGX_CONF_UNSET_SIZE;
    mlcf->pending_period = NGX_CONF_UNSET_MSEC;
    mlcf->notification_wait = NGX_CONF_UNSET_MSEC;

    return mlcf;
}


static char *
ngx_exch_mapi_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_exch_mapi_loc_conf_t *prev = parent;
    ngx_exch_mapi_loc_conf_t *conf = child;

    ngx_conf_merge_value(conf->session_timeout, prev->session_timeout, 1800);
    ngx_conf_merge_uint_value(conf->max_sessions, prev->max_sessions, 32);
    ngx_conf_merge_uint_value(conf->max_objects, prev->max_objects, 4096);
    ngx_conf_merge_size_value(conf->max_stream, prev->max_stream,
                              64 * 1024 * 1024);
    ngx_conf_merge_size_value(conf->max_body, prev->max_body,
                              16 * 1024 * 1024);
    ngx_conf_merge_msec_value(conf->pending_period, prev->pending_period,
                              15000);
    ngx_conf_merge_msec_value(conf->notification_wait,
                              prev->notification_wait, 300000);

    if (conf->max_sessions == 0 || conf->max_objects == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "exch_mapi_max_sessions and exch_mapi_max_objects "
                           "must be positive");
        return NGX_CONF_ERROR;
    }

    if (conf->pending_period == 0) {
        conf->pending_period = 1;
    }

    return NGX_CONF_OK;
}


static char *
ngx_exch_mapi(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_exch_mapi_loc_conf_t *mlcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    if (mlcf->enabled) {
        return "is duplicate";
    }

    mlcf->enabled = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_exch_mapi_handler;

    ngx_exch_http_enable(cf);

    return NGX_CONF_OK;
}


/* one worker sweeps expired state (sessions, their objects, binds) */

static ngx_int_t
ngx_exch_mapi_init_process(ngx_cycle_t *cycle)
{
    ngx_event_t                *ev;
    ngx_exch_mapi_main_conf_t  *mmcf;

    if (ngx_process != NGX_PROCESS_WORKER && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    /*
     * Every request builds its answer in an arena of a megabyte or so and
     * frees it; with glibc's default the freed top of the heap goes back
     * to the kernel each time and comes back with page faults on the next
     * request (a fifth of an Execute's time).  A worker keeps it instead.
     */

#if (NGX_LINUX)
    (void) mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
#endif

    if (ngx_worker != 0) {
        return NGX_OK;
    }

    mmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_exch_mapi_module);
    if (mmcf == NULL || ngx_exch_store_env(cycle) == NULL) {
        return NGX_OK;
    }

    ev = ngx_pcalloc(cycle->pool, sizeof(ngx_event_t));
    if (ev == NULL) {
        return NGX_ERROR;
    }

    ev->handler = ngx_exch_mapi_sweep;
    ev->data = cycle;
    ev->log = cycle->log;
    ev->cancelable = 1;

    mmcf->sweep = ev;
    ngx_add_timer(ev, 60000);

    return NGX_OK;
}


static void
ngx_exch_mapi_sweep(ngx_event_t *ev)
{
    int          rc;
    exs_env_t   *env;
    ngx_cycle_t *cycle;

    cycle = ev->data;

    if (ngx_exiting) {
        return;
    }

    env = ngx_exch_store_env(cycle);

    if (env) {
        rc = exs_state_sweep(env, (int64_t) ngx_time());
        if (rc != EXS_OK) {
            ngx_log_error(NGX_LOG_ERR, ev->log, 0,
                          "exch: sweeping expired sessions: %s",
                          exs_strerror(rc));
        }
    }

    ngx_add_timer(ev, 60000);
}
