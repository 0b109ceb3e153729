
/*
 * exch EWS notifications on nginx's event loop (MS-OXWSNTIF): the
 * connections of GetStreamingEvents, parked on the notification bus until
 * their subscriptions' mailboxes change, and the push client.
 *
 * A streaming response is a chunked body of whole SOAP envelopes, one per
 * response message: the events as they come, a message with no events
 * (ConnectionStatus OK) every exch_ews_heartbeat while there is nothing to
 * say, and "Closed" when the connection timeout the client asked for has
 * passed, or when the worker shuts down.  The subscriptions' cursors are
 * written back to the state environment as events go out.
 *
 * Push subscriptions are served by whichever worker holds their lease (30
 * seconds, renewed): each worker looks at the push subscriptions every few
 * seconds and adopts those whose lease ran out, so a subscription outlives
 * its worker and a reload.  An adopted subscription watches its mailbox;
 * its worker POSTs a SendNotification to the client's URL with the events
 * (or a StatusEvent every StatusFrequency minutes), keeps the cursor when
 * the client answers OK, drops the subscription when it answers
 * Unsubscribe, and after a failure tries again in exch_ews_push_retry (30
 * seconds), then doubling, until StatusFrequency minutes of failures end
 * it.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_event_connect.h>

#include <signal.h>
#include <netdb.h>

#include "ngx_exch.h"
#include "ngx_exch_http.h"
#include "ngx_exch_bus.h"
#include "exch_oxwsntif.h"
#include "ngx_exch_ews_notify.h"


#define NGX_EXCH_EWS_PUSH_SCAN      5000      /* ms between looks */
#define NGX_EXCH_EWS_PUSH_LEASE     30        /* seconds */


typedef struct {
    ngx_msec_t                heartbeat;
} ngx_exch_ews_notify_loc_conf_t;


typedef struct ngx_exch_ews_push_s  ngx_exch_ews_push_t;

typedef struct {
    ngx_msec_t                push_timeout;
    time_t                    push_retry;
    ngx_exch_ews_push_t      *push;         /* this worker's */
} ngx_exch_ews_notify_main_conf_t;


/* a GetStreamingEvents connection */

typedef struct {
    ngx_http_request_t       *request;
    exch_ews_sub_t           *subs;
    uint32_t                  n;
    time_t                    deadline;
    ngx_msec_t                heartbeat;
    ngx_exch_watch_t         *watch;
    exch_ews_user_t           user;
    int                       version;
    unsigned                  done:1;
} ngx_exch_ews_stream_t;


/* the push client of a worker, and one subscription it serves */

struct ngx_exch_ews_push_s {
    ngx_event_t               scan;
    ngx_queue_t               subs;
    ngx_log_t                *log;
    ngx_msec_t                timeout;
    time_t                    retry;
    ngx_thread_pool_t        *thread_pool;
};


typedef struct {
    ngx_queue_t               queue;
    ngx_exch_ews_push_t      *push;
    ngx_pool_t               *pool;
    ngx_log_t                 log;
    exs_arena_t              *a;            /* the record's strings */
    exch_ews_sub_t            sub;
    ngx_exch_watch_t         *watch;

    ngx_addr_t                addr;
    u_char                    addr_buf[NGX_SOCKADDRLEN];
    u_char                    host[256];

    ngx_pool_t               *dpool;        /* of the delivery under way */
    ngx_peer_connection_t     peer;
    ngx_buf_t                *out;
    ngx_buf_t                *in;
    uint64_t                  next;         /* the cursor once delivered */
    ngx_event_t               again;        /* more events wait */

    unsigned                  resolved:1;
    unsigned                  resolving:1;
    unsigned                  busy:1;
    unsigned                  pending:1;    /* woken while busy */
    unsigned                  more:1;
    unsigned                  status:1;     /* a status is due: send even
                                               without events */
    unsigned                  gone:1;       /* dropped while resolving */
} ngx_exch_ews_pushsub_t;


typedef struct {
    ngx_exch_ews_pushsub_t   *ps;
    char                      host[256];
    char                      port[8];
    struct sockaddr_storage   sa;
    socklen_t                 salen;
    int                       rc;
} ngx_exch_ews_resolve_t;


static void ngx_exch_ews_stream_wake(ngx_exch_watch_t *w, ngx_uint_t why);
static ngx_int_t ngx_exch_ews_stream_send(ngx_exch_ews_stream_t *st,
    const char *status, int only_events);
static void ngx_exch_ews_stream_save(ngx_exch_ews_stream_t *st,
    const uint64_t *before);
static void ngx_exch_ews_stream_finish(ngx_exch_ews_stream_t *st,
    ngx_int_t rc);
static void ngx_exch_ews_stream_write(ngx_http_request_t *r);
static void ngx_exch_ews_ctx_init(exch_ews_t *ews, exs_env_t *env,
    const exch_ews_user_t *user, int version, ngx_log_t *log);
static void ngx_exch_ews_log(void *data, int level, const char *msg);

static void ngx_exch_ews_push_scan(ngx_event_t *ev);
static ngx_int_t ngx_exch_ews_push_claim(ngx_exch_ews_push_t *push,
    exs_env_t *env, exch_ews_sub_t *s, time_t now);
static ngx_exch_ews_pushsub_t *ngx_exch_ews_push_find(
    ngx_exch_ews_push_t *push, const uint8_t *id);
static void ngx_exch_ews_push_adopt(ngx_exch_ews_push_t *push,
    exch_ews_sub_t *s);
static void ngx_exch_ews_push_drop(ngx_exch_ews_pushsub_t *ps,
    ngx_uint_t release);
static ngx_int_t ngx_exch_ews_push_renew(ngx_exch_ews_pushsub_t *ps,
    exs_env_t *env, time_t now);
static void ngx_exch_ews_push_wake(ngx_exch_watch_t *w, ngx_uint_t why);
static void ngx_exch_ews_push_again(ngx_event_t *ev);
static void ngx_exch_ews_push_deliver(ngx_exch_ews_pushsub_t *ps);
static ngx_int_t ngx_exch_ews_push_resolve(ngx_exch_ews_pushsub_t *ps);
static void ngx_exch_ews_push_resolve_thread(void *data, ngx_log_t *log);
static void ngx_exch_ews_push_resolved(ngx_event_t *ev);
static ngx_int_t ngx_exch_ews_push_request(ngx_exch_ews_pushsub_t *ps);
static void ngx_exch_ews_push_write(ngx_event_t *wev);
static void ngx_exch_ews_push_read(ngx_event_t *rev);
static void ngx_exch_ews_push_done(ngx_exch_ews_pushsub_t *ps,
    ngx_int_t result);
static ngx_int_t ngx_exch_ews_push_save(ngx_exch_ews_pushsub_t *ps,
    exs_env_t *env);
static void ngx_exch_ews_push_schedule(ngx_exch_ews_pushsub_t *ps);

static void *ngx_exch_ews_notify_create_main_conf(ngx_conf_t *cf);
static char *ngx_exch_ews_notify_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_exch_ews_notify_create_loc_conf(ngx_conf_t *cf);
static char *ngx_exch_ews_notify_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);
static ngx_int_t ngx_exch_ews_notify_init_process(ngx_cycle_t *cycle);


static ngx_command_t  ngx_exch_ews_notify_commands[] = {

    { ngx_string("exch_ews_heartbeat"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_exch_ews_notify_loc_conf_t, heartbeat),
      NULL },

    { ngx_string("exch_ews_push_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_exch_ews_notify_main_conf_t, push_timeout),
      NULL },

    { ngx_string("exch_ews_push_retry"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_exch_ews_notify_main_conf_t, push_retry),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_exch_ews_notify_module_ctx = {
    NULL,                                  /* preconfiguration */
    NULL,                                  /* postconfiguration */

    ngx_exch_ews_notify_create_main_conf,  /* create main configuration */
    ngx_exch_ews_notify_init_main_conf,    /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_exch_ews_notify_create_loc_conf,   /* create location configuration */
    ngx_exch_ews_notify_merge_loc_conf     /* merge location configuration */
};


ngx_module_t  ngx_exch_ews_notify_module = {
    NGX_MODULE_V1,
    &ngx_exch_ews_notify_module_ctx,       /* module context */
    ngx_exch_ews_notify_commands,          /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_exch_ews_notify_init_process,      /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


/* GetStreamingEvents */

void
ngx_exch_ews_stream(ngx_http_request_t *r, exch_ews_t *ews)
{
    time_t                           now;
    uint32_t                         i;
    uint64_t                        *before;
    ngx_int_t                        rc;
    exch_ews_stream_t               *es;
    ngx_exch_ews_stream_t           *st;
    ngx_exch_ews_notify_loc_conf_t  *nlcf;

    nlcf = ngx_http_get_module_loc_conf(r, ngx_exch_ews_notify_module);
    es = ews->stream;
    now = ngx_time();

    st = ngx_pcalloc(r->pool, sizeof(ngx_exch_ews_stream_t));
    before = ngx_palloc(r->pool, es->n * sizeof(uint64_t));

    if (st == NULL || before == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    st->request = r;
    st->subs = es->subs;
    st->n = es->n;
    st->deadline = now + (time_t) es->timeout * 60;
    st->heartbeat = nlcf->heartbeat;
    st->user = ews->user;
    st->version = ews->version;

    st->watch = ngx_exch_watch_create(r->pool, st->n, ngx_exch_ews_stream_wake,
                                      st, r->connection->log);
    if (st->watch == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    for (i = 0; i < st->n; i++) {
        /* the connection keeps its subscriptions alive */
        st->subs[i].used = now;
        before[i] = (uint64_t) -1;

        if (ngx_exch_watch_mailbox(st->watch, st->subs[i].mailbox,
                                   st->subs[i].cn)
            != NGX_OK)
        {
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }
    }

    ngx_exch_ews_stream_save(st, before);

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = -1;
    ngx_str_set(&r->headers_out.content_type, "text/xml; charset=utf-8");
    r->headers_out.content_type_len = r->headers_out.content_type.len;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        ngx_http_finalize_request(r, rc);
        return;
    }

    r->read_event_handler = ngx_http_test_reading;
    r->write_event_handler = ngx_exch_ews_stream_write;

    /* what happened since the subscription's cursor, at once */

    if (ngx_exch_ews_stream_send(st, "OK", 0) != NGX_OK) {
        ngx_exch_ews_stream_finish(st, NGX_ERROR);
        return;
    }

    if (ngx_exch_park(st->watch, ngx_min(st->heartbeat,
                                         (ngx_msec_t) es->timeout * 60000))
        != NGX_OK)
    {
        ngx_exch_ews_stream_finish(st, NGX_ERROR);
        return;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "exch: EWS streaming %ui subscription(s) for %ui min",
                  (ngx_uint_t) st->n, (ngx_uint_t) es->timeout);
}


static void
ngx_exch_ews_stream_wake(ngx_exch_watch_t *w, ngx_uint_t why)
{
    time_t                  now;
    ngx_int_t               rc;
    ngx_exch_ews_stream_t  *st;

    st = w->data;
    now = ngx_time();

    if ((why & NGX_EXCH_WAKE_EXIT) || now >= st->deadline) {
        ngx_exch_ews_stream_finish(st, NGX_OK);
        return;
    }

    rc = NGX_OK;

    if (why & NGX_EXCH_WAKE_CHANGE) {
        rc = ngx_exch_ews_stream_send(st, "OK", 1);
    }

    if (rc == NGX_OK && (why & NGX_EXCH_WAKE_TIMEOUT)) {
        /* the heartbeat: the connection is alive, nothing happened */
        rc = ngx_exch_ews_stream_send(st, "OK", 0);
    }

    if (rc != NGX_OK) {
        ngx_exch_ews_stream_finish(st, NGX_ERROR);
        return;
    }

    if (why & NGX_EXCH_WAKE_TIMEOUT) {
        ngx_exch_watch_timer(w, ngx_min(st->heartbeat,
                                        (ngx_msec_t) (st->deadline - now)
                                        * 1000));
    }
}


/* one response message: the events (only when there are some, with
 * only_events), ConnectionStatus status */

static ngx_int_t
ngx_exch_ews_stream_send(ngx_exch_ews_stream_t *st, const char *status,
    int only_events)
{
    int                  rc;
    uint32_t             i, nevents;
    uint64_t            *before;
    exch_ews_t           ews;
    ngx_buf_t           *b;
    ngx_chain_t          out;
    ngx_http_request_t  *r;

    r = st->request;

    before = ngx_palloc(r->pool, st->n * sizeof(uint64_t));
    if (before == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < st->n; i++) {
        before[i] = st->subs[i].cn;
    }

    ngx_exch_ews_ctx_init(&ews, ngx_exch_store_env((ngx_cycle_t *) ngx_cycle),
                          &st->user, st->version, r->connection->log);

    if (ews.env == NULL || ews.a == NULL) {
        exch_ews_free(&ews);
        if (ews.a) {
            exs_arena_destroy(ews.a);
        }
        return NGX_ERROR;
    }

    rc = exch_ews_stream_envelope(&ews, st->subs, st->n, status, only_events,
                                  &nevents);

    if (rc != EXS_OK || ews.out.len == 0) {
        exch_ews_free(&ews);
        exs_arena_destroy(ews.a);

        if (rc != EXS_OK) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "exch: EWS streaming: %s", exs_strerror(rc));
        }

        return rc == EXS_OK ? NGX_OK : NGX_ERROR;
    }

    b = ngx_create_temp_buf(r->pool, ews.out.len);
    if (b == NULL) {
        exch_ews_free(&ews);
        exs_arena_destroy(ews.a);
        return NGX_ERROR;
    }

    b->last = ngx_cpymem(b->pos, ews.out.data, ews.out.len);
    b->flush = 1;

    exch_ews_free(&ews);
    exs_arena_destroy(ews.a);

    out.buf = b;
    out.next = NULL;

    if (ngx_http_output_filter(r, &out) == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (nevents) {
        ngx_exch_ews_stream_save(st, before);
    }

    return NGX_OK;
}


/* the cursors that moved (and the time of use) go back to the state */

static void
ngx_exch_ews_stream_save(ngx_exch_ews_stream_t *st, const uint64_t *before)
{
    int              rc;
    uint32_t         i;
    uint64_t         cn;
    exs_env_t       *env;
    exs_arena_t     *a;
    exch_ews_sub_t   fresh;

    env = ngx_exch_store_env((ngx_cycle_t *) ngx_cycle);

    for (i = 0; i < st->n; i++) {
        if (st->subs[i].cn == before[i]) {
            continue;
        }

        rc = exch_ews_sub_save(env, &st->subs[i]);

        if (rc != EXS_CONFLICT) {
            continue;
        }

        /* another request touched it (an Unsubscribe deletes it) */

        a = exs_arena_create(1024);
        if (a == NULL) {
            continue;
        }

        cn = st->subs[i].cn;

        if (exch_ews_sub_load(env, st->subs[i].id, &fresh, a) == EXS_OK) {
            st->subs[i].version_state = fresh.version_state;
            st->subs[i].cn = ngx_max(cn, fresh.cn);
            (void) exch_ews_sub_save(env, &st->subs[i]);
        }

        exs_arena_destroy(a);
    }
}


static void
ngx_exch_ews_stream_finish(ngx_exch_ews_stream_t *st, ngx_int_t rc)
{
    uint32_t             i;
    uint64_t            *before;
    ngx_http_request_t  *r;

    if (st->done) {
        return;
    }

    st->done = 1;
    r = st->request;

    ngx_exch_unpark(st->watch);

    if (rc == NGX_OK) {
        rc = ngx_exch_ews_stream_send(st, "Closed", 0);
    }

    /* the subscriptions live on half an hour after their connection */

    before = ngx_palloc(r->pool, st->n * sizeof(uint64_t));

    if (before) {
        for (i = 0; i < st->n; i++) {
            st->subs[i].used = ngx_time();
            before[i] = (uint64_t) -1;
        }

        ngx_exch_ews_stream_save(st, before);
    }

    if (rc == NGX_OK) {
        rc = ngx_http_send_special(r, NGX_HTTP_LAST);
    }

    ngx_http_finalize_request(r, rc);
}


static void
ngx_exch_ews_stream_write(ngx_http_request_t *r)
{
    if (ngx_http_output_filter(r, NULL) == NGX_ERROR) {
        ngx_http_finalize_request(r, NGX_ERROR);
    }
}


static void
ngx_exch_ews_ctx_init(exch_ews_t *ews, exs_env_t *env,
    const exch_ews_user_t *user, int version, ngx_log_t *log)
{
    exch_ews_init(ews);

    ews->env = env;
    ews->a = exs_arena_create(8192);
    ews->user = *user;
    ews->version = version;
    ews->log = ngx_exch_ews_log;
    ews->log_data = log;
    ews->now = exs_filetime_now();
}


static void
ngx_exch_ews_log(void *data, int level, const char *msg)
{
    ngx_log_t  *log = data;
    ngx_uint_t  lvl;

    lvl = level == EXCH_EWS_LOG_ERR ? NGX_LOG_ERR : NGX_LOG_INFO;

    ngx_log_error(lvl, log, 0, "exch: %s", msg);
}


/* push */

void
ngx_exch_ews_push_kick(void)
{
    ngx_exch_ews_notify_main_conf_t  *nmcf;

    nmcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                               ngx_exch_ews_notify_module);

    if (nmcf == NULL || nmcf->push == NULL) {
        return;
    }

    if (nmcf->push->scan.timer_set) {
        ngx_del_timer(&nmcf->push->scan);
    }

    ngx_add_timer(&nmcf->push->scan, 1);
}


static void
ngx_exch_ews_push_scan(ngx_event_t *ev)
{
    time_t                   now;
    uint32_t                 n, i;
    exs_env_t               *env;
    ngx_queue_t             *q, *next;
    exs_arena_t             *a;
    exch_ews_sub_t           s;
    ngx_exch_ews_push_t     *push;
    ngx_exch_ews_pushsub_t  *ps;
    uint8_t                (*ids)[EXCH_EWS_SUB_ID_LEN];

    push = ev->data;
    env = ngx_exch_store_env((ngx_cycle_t *) ngx_cycle);

    if (env == NULL || ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    now = ngx_time();

    a = exs_arena_create(4096);
    if (a == NULL) {
        ngx_add_timer(ev, NGX_EXCH_EWS_PUSH_SCAN);
        return;
    }

    /* keep the leases of what this worker serves */

    for (q = ngx_queue_head(&push->subs);
         q != ngx_queue_sentinel(&push->subs);
         q = next)
    {
        next = ngx_queue_next(q);
        ps = ngx_queue_data(q, ngx_exch_ews_pushsub_t, queue);

        if (ps->sub.lease_until - now < NGX_EXCH_EWS_PUSH_LEASE / 2
            && !ps->busy && ngx_exch_ews_push_renew(ps, env, now) != NGX_OK)
        {
            ngx_exch_ews_push_drop(ps, 0);
        }
    }

    /* adopt what nobody serves */

    if (exch_ews_sub_push_ids(env, &ids, &n, a) == EXS_OK) {
        for (i = 0; i < n; i++) {
            if (ngx_exch_ews_push_find(push, ids[i]) != NULL) {
                continue;
            }

            if (exch_ews_sub_load(env, ids[i], &s, a) != EXS_OK) {
                continue;
            }

            if (s.lease_pid != (uint32_t) ngx_pid && s.lease_until >= now
                && !(kill((pid_t) s.lease_pid, 0) == -1 && errno == ESRCH))
            {
                continue;
            }

            if (ngx_exch_ews_push_claim(push, env, &s, now) == NGX_OK) {
                ngx_exch_ews_push_adopt(push, &s);
            }
        }
    }

    exs_arena_destroy(a);

    ngx_add_timer(ev, NGX_EXCH_EWS_PUSH_SCAN);
}


static ngx_int_t
ngx_exch_ews_push_claim(ngx_exch_ews_push_t *push, exs_env_t *env,
    exch_ews_sub_t *s, time_t now)
{
    s->lease_pid = (uint32_t) ngx_pid;
    s->lease_until = now + NGX_EXCH_EWS_PUSH_LEASE;

    /* another worker may claim it at the same moment: one wins */
    return exch_ews_sub_save(env, s) == EXS_OK ? NGX_OK : NGX_DECLINED;
}


static ngx_exch_ews_pushsub_t *
ngx_exch_ews_push_find(ngx_exch_ews_push_t *push, const uint8_t *id)
{
    ngx_queue_t             *q;
    ngx_exch_ews_pushsub_t  *ps;

    for (q = ngx_queue_head(&push->subs);
         q != ngx_queue_sentinel(&push->subs);
         q = ngx_queue_next(q))
    {
        ps = ngx_queue_data(q, ngx_exch_ews_pushsub_t, queue);

        if (ngx_memcmp(ps->sub.id, id, EXCH_EWS_SUB_ID_LEN) == 0) {
            return ps;
        }
    }

    return NULL;
}


static void
ngx_exch_ews_push_adopt(ngx_exch_ews_push_t *push, exch_ews_sub_t *s)
{
    time_t                   now;
    ngx_msec_t               wait;
    ngx_pool_t              *pool;
    exch_ews_url_t           url;
    ngx_exch_ews_pushsub_t  *ps;

    if (exch_ews_url_parse(s->url, s->url_len, &url) != EXS_OK || url.tls) {
        ngx_log_error(NGX_LOG_WARN, push->log, 0,
                      "exch: EWS push subscription to \"%*s\" dropped: "
                      "only http:// URLs are served",
                      s->url_len, s->url);
        (void) exch_ews_sub_delete(ngx_exch_store_env((ngx_cycle_t *)
                                                      ngx_cycle), s->id);
        return;
    }

    pool = ngx_create_pool(2048, push->log);
    if (pool == NULL) {
        return;
    }

    ps = ngx_pcalloc(pool, sizeof(ngx_exch_ews_pushsub_t));
    if (ps == NULL) {
        ngx_destroy_pool(pool);
        return;
    }

    ps->pool = pool;
    ps->push = push;
    ps->log = *push->log;
    pool->log = &ps->log;

    ps->a = exs_arena_create(1024);
    ps->sub = *s;

    if (ps->a == NULL) {
        ngx_destroy_pool(pool);
        return;
    }

    /* the record's strings, into this subscription's own memory */

    ps->sub.folders = exs_alloc(ps->a, (s->nfolders + 1) * sizeof(exs_id_t));
    ps->sub.url = exs_alloc(ps->a, s->url_len + 1);
    ps->sub.caller_data = exs_alloc(ps->a, s->caller_data_len + 1);

    if (ps->sub.folders == NULL || ps->sub.url == NULL
        || ps->sub.caller_data == NULL)
    {
        exs_arena_destroy(ps->a);
        ngx_destroy_pool(pool);
        return;
    }

    ngx_memcpy(ps->sub.folders, s->folders, s->nfolders * sizeof(exs_id_t));
    ngx_memcpy((char *) ps->sub.url, s->url, s->url_len + 1);
    ngx_memcpy((char *) ps->sub.caller_data, s->caller_data,
               s->caller_data_len + 1);

    ngx_memcpy(ps->host, url.host, url.host_len);
    ps->host[url.host_len] = '\0';

    ps->again.handler = ngx_exch_ews_push_again;
    ps->again.data = ps;
    ps->again.log = &ps->log;

    ps->watch = ngx_exch_watch_create(pool, 1, ngx_exch_ews_push_wake, ps,
                                      &ps->log);

    if (ps->watch == NULL
        || ngx_exch_watch_mailbox(ps->watch, s->mailbox, s->cn) != NGX_OK)
    {
        exs_arena_destroy(ps->a);
        ngx_destroy_pool(pool);
        return;
    }

    ngx_queue_insert_tail(&push->subs, &ps->queue);

    /* a new one hears at once; the others when their status is due */

    now = ngx_time();

    if (s->last_sent == 0) {
        wait = 1;

    } else if (s->fail_since) {
        wait = (ngx_msec_t) ngx_max(1, s->last_sent + (time_t) s->retry
                                       - now) * 1000;

    } else {
        wait = (ngx_msec_t) ngx_max(1, s->last_sent
                                       + (time_t) s->timeout * 60 - now)
               * 1000;
    }

    if (ngx_exch_park(ps->watch, wait) != NGX_OK) {
        ngx_exch_ews_push_drop(ps, 1);
        return;
    }

    ngx_log_error(NGX_LOG_INFO, &ps->log, 0,
                  "exch: EWS push subscription to \"%s\" served here",
                  ps->sub.url);
}


static void
ngx_exch_ews_push_drop(ngx_exch_ews_pushsub_t *ps, ngx_uint_t release)
{
    exs_env_t  *env;

    env = ngx_exch_store_env((ngx_cycle_t *) ngx_cycle);

    ngx_exch_unpark(ps->watch);

    if (ps->again.timer_set) {
        ngx_del_timer(&ps->again);
    }

    if (ps->again.posted) {
        ngx_delete_posted_event(&ps->again);
    }

    if (ps->peer.connection) {
        ngx_close_connection(ps->peer.connection);
        ps->peer.connection = NULL;
    }

    if (release && env) {
        /* another worker takes over at once */
        ps->sub.lease_until = 0;
        (void) exch_ews_sub_save(env, &ps->sub);
    }

    ngx_queue_remove(&ps->queue);

    if (ps->resolving) {
        /* its thread still writes into it: freed when it comes back */
        ps->gone = 1;
        return;
    }

    if (ps->dpool) {
        ngx_destroy_pool(ps->dpool);
    }

    exs_arena_destroy(ps->a);
    ngx_destroy_pool(ps->pool);
}


static ngx_int_t
ngx_exch_ews_push_renew(ngx_exch_ews_pushsub_t *ps, exs_env_t *env,
    time_t now)
{
    int  rc;

    ps->sub.lease_until = now + NGX_EXCH_EWS_PUSH_LEASE;

    rc = exch_ews_sub_save(env, &ps->sub);

    /* changed elsewhere: unsubscribed, or taken over; let go */
    return rc == EXS_OK ? NGX_OK : NGX_DECLINED;
}


static void
ngx_exch_ews_push_wake(ngx_exch_watch_t *w, ngx_uint_t why)
{
    ngx_exch_ews_pushsub_t  *ps;

    ps = w->data;

    if (why & NGX_EXCH_WAKE_EXIT) {
        ngx_exch_ews_push_drop(ps, 1);
        return;
    }

    if (ps->busy) {
        ps->pending = 1;
        return;
    }

    if (why & NGX_EXCH_WAKE_TIMEOUT) {
        ps->status = 1;

    } else if (ps->sub.fail_since) {
        /* while the client fails, events wait for the next retry */
        return;
    }

    ngx_exch_ews_push_deliver(ps);
}


static void
ngx_exch_ews_push_again(ngx_event_t *ev)
{
    ngx_exch_ews_pushsub_t  *ps;

    ps = ev->data;

    if (!ps->busy) {
        ngx_exch_ews_push_deliver(ps);
    }
}


static void
ngx_exch_ews_push_deliver(ngx_exch_ews_pushsub_t *ps)
{
    ngx_int_t  rc;

    if (!ps->resolved) {
        rc = ngx_exch_ews_push_resolve(ps);

        if (rc == NGX_AGAIN) {
            return;
        }

        if (rc != NGX_OK) {
            ngx_exch_ews_push_done(ps, NGX_ERROR);
            return;
        }
    }

    ps->busy = 1;
    ps->pending = 0;

    if (ps->sub.last_sent == 0) {
        /* a new subscription hears at once */
        ps->status = 1;
    }

    rc = ngx_exch_ews_push_request(ps);

    if (rc == NGX_DECLINED) {
        /* changes, but none the client asked for: only the cursor moves */
        ngx_exch_ews_push_done(ps, NGX_DONE);
        return;
    }

    if (rc != NGX_OK) {
        ngx_exch_ews_push_done(ps, NGX_ERROR);
    }
}


/* the client's host: an address at once, a name in a thread */

static ngx_int_t
ngx_exch_ews_push_resolve(ngx_exch_ews_pushsub_t *ps)
{
    size_t                      len;
    in_addr_t                   in;
    exch_ews_url_t              url;
    ngx_thread_task_t          *task;
    ngx_exch_ews_resolve_t     *res;
    struct sockaddr_in         *sin;
    ngx_exch_http_main_conf_t  *hmcf;
#if (NGX_HAVE_INET6)
    struct in6_addr             in6;
    struct sockaddr_in6        *sin6;
#endif

    if (ps->resolving) {
        return NGX_AGAIN;
    }

    if (exch_ews_url_parse(ps->sub.url, ps->sub.url_len, &url) != EXS_OK) {
        return NGX_ERROR;
    }

    len = url.host_len;
    ps->addr.sockaddr = (struct sockaddr *) ps->addr_buf;

    in = ngx_inet_addr((u_char *) ps->host, len);

    if (in != INADDR_NONE || ngx_strcmp(ps->host, "localhost") == 0) {
        sin = (struct sockaddr_in *) ps->addr_buf;
        sin->sin_family = AF_INET;
        sin->sin_port = htons((in_port_t) url.port);
        sin->sin_addr.s_addr = in != INADDR_NONE ? in
                                                 : htonl(INADDR_LOOPBACK);
        ps->addr.socklen = sizeof(struct sockaddr_in);
        ps->resolved = 1;
        return NGX_OK;
    }

#if (NGX_HAVE_INET6)
    if (ngx_inet6_addr((u_char *) ps->host, len, in6.s6_addr) == NGX_OK) {
        sin6 = (struct sockaddr_in6 *) ps->addr_buf;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((in_port_t) url.port);
        sin6->sin6_addr = in6;
        ps->addr.socklen = sizeof(struct sockaddr_in6);
        ps->resolved = 1;
        return NGX_OK;
    }
#endif

    hmcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                               ngx_exch_http_module);

    if (hmcf == NULL || hmcf->thread_pool == NULL) {
        return NGX_ERROR;
    }

    task = ngx_thread_task_alloc(ps->pool, sizeof(ngx_exch_ews_resolve_t));
    if (task == NULL) {
        return NGX_ERROR;
    }

    res = task->ctx;
    res->ps = ps;
    ngx_memcpy(res->host, ps->host, len + 1);
    ngx_snprintf((u_char *) res->port, sizeof(res->port), "%ui%Z",
                 (ngx_uint_t) url.port);

    task->handler = ngx_exch_ews_push_resolve_thread;
    task->event.data = res;
    task->event.handler = ngx_exch_ews_push_resolved;

    if (ngx_thread_task_post(hmcf->thread_pool, task) != NGX_OK) {
        return NGX_ERROR;
    }

    ps->resolving = 1;

    return NGX_AGAIN;
}


static void
ngx_exch_ews_push_resolve_thread(void *data, ngx_log_t *log)
{
    ngx_exch_ews_resolve_t  *res = data;

    struct addrinfo   hints, *ai;

    ngx_memzero(&hints, sizeof(struct addrinfo));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;

    res->rc = getaddrinfo(res->host, res->port, &hints, &ai);

    if (res->rc == 0) {
        if (ai->ai_addrlen <= sizeof(res->sa)) {
            ngx_memcpy(&res->sa, ai->ai_addr, ai->ai_addrlen);
            res->salen = ai->ai_addrlen;

        } else {
            res->rc = EAI_FAIL;
        }

        freeaddrinfo(ai);
    }
}


static void
ngx_exch_ews_push_resolved(ngx_event_t *ev)
{
    ngx_exch_ews_resolve_t  *res;
    ngx_exch_ews_pushsub_t  *ps;

    res = ev->data;
    ps = res->ps;

    ps->resolving = 0;

    if (ps->gone) {
        if (ps->dpool) {
            ngx_destroy_pool(ps->dpool);
        }

        exs_arena_destroy(ps->a);
        ngx_destroy_pool(ps->pool);
        return;
    }

    if (res->rc != 0 || res->salen > NGX_SOCKADDRLEN) {
        ngx_log_error(NGX_LOG_WARN, &ps->log, 0,
                      "exch: EWS push: cannot resolve \"%s\": %s",
                      res->host, gai_strerror(res->rc));
        ngx_exch_ews_push_done(ps, NGX_ERROR);
        return;
    }

    ngx_memcpy(ps->addr_buf, &res->sa, res->salen);
    ps->addr.sockaddr = (struct sockaddr *) ps->addr_buf;
    ps->addr.socklen = res->salen;
    ps->resolved = 1;

    ngx_exch_ews_push_deliver(ps);
}


/* one POST: the notification, then the client's answer */

static ngx_int_t
ngx_exch_ews_push_request(ngx_exch_ews_pushsub_t *ps)
{
    int               rc, more;
    size_t            len;
    uint32_t          nevents;
    exch_ews_t        ews;
    exch_ews_url_t    url;
    ngx_connection_t *c;
    exch_ews_user_t   user;
    exs_dirent_t      e;
    exs_txn_t        *txn;

    if (ps->dpool) {
        ngx_destroy_pool(ps->dpool);
    }

    ps->dpool = ngx_create_pool(4096, &ps->log);
    if (ps->dpool == NULL) {
        return NGX_ERROR;
    }

    (void) exch_ews_url_parse(ps->sub.url, ps->sub.url_len, &url);

    ngx_memzero(&user, sizeof(exch_ews_user_t));
    user.id = ps->sub.user;
    user.mailbox = ps->sub.mailbox;

    ngx_exch_ews_ctx_init(&ews, ngx_exch_store_env((ngx_cycle_t *) ngx_cycle),
                          &user, ps->sub.version, &ps->log);

    if (ews.env == NULL || ews.a == NULL) {
        exch_ews_free(&ews);
        if (ews.a) {
            exs_arena_destroy(ews.a);
        }
        return NGX_ERROR;
    }

    /* the user's address, for the ids of events */

    if (exs_txn_begin(ews.env, EXS_TXN_RDONLY, &txn) == EXS_OK) {
        if (exs_dir_by_id(txn, user.id, &e, ews.a) == EXS_OK) {
            ews.user.address = e.address;
            ews.user.name = e.display_name;
            ews.user.legacy_dn = e.legacy_dn;
            ngx_memcpy(ews.user.guid, e.guid, 16);
        }

        exs_txn_abort(txn);
    }

    rc = exch_ews_push_envelope(&ews, &ps->sub, !ps->status, &ps->next,
                                &nevents, &more);

    if (rc != EXS_OK) {
        ngx_log_error(NGX_LOG_ERR, &ps->log, 0,
                      "exch: EWS push: %s", exs_strerror(rc));
        exch_ews_free(&ews);
        exs_arena_destroy(ews.a);
        return NGX_ERROR;
    }

    ps->more = more;

    if (ews.out.len == 0) {
        exch_ews_free(&ews);
        exs_arena_destroy(ews.a);
        return NGX_DECLINED;
    }

    len = sizeof("POST  HTTP/1.1" CRLF "Host: :65535" CRLF
                 "Content-Type: text/xml; charset=utf-8" CRLF
                 "Content-Length: " CRLF "Connection: close" CRLF CRLF) - 1
          + url.path_len + url.host_len + 2 + NGX_SIZE_T_LEN + ews.out.len;

    ps->out = ngx_create_temp_buf(ps->dpool, len);
    ps->in = ngx_create_temp_buf(ps->dpool, EXCH_EWS_HTTP_MAX + 16384);

    if (ps->out == NULL || ps->in == NULL) {
        exch_ews_free(&ews);
        exs_arena_destroy(ews.a);
        return NGX_ERROR;
    }

    ps->out->last = ngx_sprintf(ps->out->last, "POST %*s HTTP/1.1" CRLF,
                                url.path_len, url.path);

    if (url.host_len && ngx_strchr(ps->host, ':')) {
        ps->out->last = ngx_sprintf(ps->out->last, "Host: [%s]:%ui" CRLF,
                                    ps->host, (ngx_uint_t) url.port);

    } else {
        ps->out->last = ngx_sprintf(ps->out->last, "Host: %s:%ui" CRLF,
                                    ps->host, (ngx_uint_t) url.port);
    }

    ps->out->last = ngx_sprintf(ps->out->last,
                                "Content-Type: text/xml; charset=utf-8" CRLF
                                "Content-Length: %uz" CRLF
                                "Connection: close" CRLF CRLF,
                                ews.out.len);
    ps->out->last = ngx_cpymem(ps->out->last, ews.out.data, ews.out.len);

    exch_ews_free(&ews);
    exs_arena_destroy(ews.a);

    ngx_memzero(&ps->peer, sizeof(ngx_peer_connection_t));
    ps->peer.sockaddr = ps->addr.sockaddr;
    ps->peer.socklen = ps->addr.socklen;
    ps->peer.name = &ps->addr.name;
    ps->peer.get = ngx_event_get_peer;
    ps->peer.log = &ps->log;
    ps->peer.log_error = NGX_ERROR_ERR;

    ngx_str_set(&ps->addr.name, "push client");

    rc = ngx_event_connect_peer(&ps->peer);

    if (rc == NGX_ERROR || rc == NGX_BUSY || rc == NGX_DECLINED) {
        return NGX_ERROR;
    }

    c = ps->peer.connection;
    c->data = ps;
    c->log = &ps->log;
    c->pool = ps->dpool;
    c->read->log = &ps->log;
    c->write->log = &ps->log;
    c->read->handler = ngx_exch_ews_push_read;
    c->write->handler = ngx_exch_ews_push_write;

    ngx_add_timer(c->write, ps->push->timeout);

    if (rc == NGX_OK) {
        ngx_exch_ews_push_write(c->write);
    }

    return NGX_OK;
}


static void
ngx_exch_ews_push_write(ngx_event_t *wev)
{
    ssize_t                  n;
    ngx_connection_t        *c;
    ngx_exch_ews_pushsub_t  *ps;

    c = wev->data;
    ps = c->data;

    if (wev->timedout) {
        ngx_log_error(NGX_LOG_WARN, &ps->log, NGX_ETIMEDOUT,
                      "exch: EWS push to \"%s\" timed out", ps->sub.url);
        ngx_exch_ews_push_done(ps, NGX_ERROR);
        return;
    }

    while (ps->out->pos < ps->out->last) {
        n = c->send(c, ps->out->pos, ps->out->last - ps->out->pos);

        if (n == NGX_AGAIN) {
            if (ngx_handle_write_event(wev, 0) != NGX_OK) {
                ngx_exch_ews_push_done(ps, NGX_ERROR);
            }

            return;
        }

        if (n == NGX_ERROR) {
            ngx_exch_ews_push_done(ps, NGX_ERROR);
            return;
        }

        ps->out->pos += n;
    }

    if (wev->timer_set) {
        ngx_del_timer(wev);
    }

    wev->handler = ngx_exch_ews_push_write;

    if (!c->read->timer_set) {
        ngx_add_timer(c->read, ps->push->timeout);
    }

    if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
        ngx_exch_ews_push_done(ps, NGX_ERROR);
        return;
    }

    if (c->read->ready) {
        ngx_exch_ews_push_read(c->read);
    }
}


static void
ngx_exch_ews_push_read(ngx_event_t *rev)
{
    int                      rc, eof, result;
    ssize_t                  n;
    ngx_connection_t        *c;
    exch_ews_http_rsp_t      rsp;
    ngx_exch_ews_pushsub_t  *ps;

    c = rev->data;
    ps = c->data;

    if (rev->timedout) {
        ngx_log_error(NGX_LOG_WARN, &ps->log, NGX_ETIMEDOUT,
                      "exch: EWS push to \"%s\": no answer", ps->sub.url);
        ngx_exch_ews_push_done(ps, NGX_ERROR);
        return;
    }

    if (ps->out->pos < ps->out->last) {
        /* still writing: connect finished with a read event */
        return;
    }

    eof = 0;

    for ( ;; ) {
        if (ps->in->last == ps->in->end) {
            eof = 1;
            break;
        }

        n = c->recv(c, ps->in->last, ps->in->end - ps->in->last);

        if (n == NGX_AGAIN) {
            break;
        }

        if (n == NGX_ERROR) {
            ngx_exch_ews_push_done(ps, NGX_ERROR);
            return;
        }

        if (n == 0) {
            eof = 1;
            break;
        }

        ps->in->last += n;
    }

    rc = exch_ews_http_response(ps->in->pos, ps->in->last - ps->in->pos, eof,
                                &rsp);

    if (rc == EXCH_EWS_HTTP_AGAIN) {
        if (ngx_handle_read_event(rev, 0) != NGX_OK) {
            ngx_exch_ews_push_done(ps, NGX_ERROR);
        }

        return;
    }

    if (rc != EXCH_EWS_HTTP_OK || rsp.status / 100 != 2) {
        ngx_log_error(NGX_LOG_WARN, &ps->log, 0,
                      "exch: EWS push to \"%s\": %s %ui", ps->sub.url,
                      rc == EXCH_EWS_HTTP_OK ? "HTTP status" : "bad answer",
                      (ngx_uint_t) rsp.status);
        ngx_exch_ews_push_done(ps, NGX_ERROR);
        return;
    }

    /* a 2xx without a SendNotificationResult still took the events */
    result = exch_ews_push_result(rsp.body, rsp.body_len);

    ngx_exch_ews_push_done(ps, result == 0 ? NGX_DECLINED : NGX_OK);
}


/*
 * NGX_OK: delivered; NGX_DONE: nothing to deliver; NGX_DECLINED: the
 * client unsubscribed; NGX_ERROR: try again later, or give up when it has
 * failed for StatusFrequency minutes.
 */

static void
ngx_exch_ews_push_done(ngx_exch_ews_pushsub_t *ps, ngx_int_t result)
{
    time_t      now;
    exs_env_t  *env;

    env = ngx_exch_store_env((ngx_cycle_t *) ngx_cycle);
    now = ngx_time();

    if (ps->peer.connection) {
        ngx_close_connection(ps->peer.connection);
        ps->peer.connection = NULL;
    }

    if (ps->dpool) {
        ngx_destroy_pool(ps->dpool);
        ps->dpool = NULL;
    }

    ps->busy = 0;

    if (env == NULL) {
        return;
    }

    if (result == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_INFO, &ps->log, 0,
                      "exch: EWS push client \"%s\" unsubscribed",
                      ps->sub.url);
        (void) exch_ews_sub_delete(env, ps->sub.id);
        ngx_exch_ews_push_drop(ps, 0);
        return;
    }

    if (result == NGX_DONE) {
        ps->sub.cn = ps->next;

    } else if (result == NGX_OK) {
        ps->status = 0;
        ps->sub.cn = ps->next;
        ps->sub.last_sent = now;
        ps->sub.fail_since = 0;
        ps->sub.retry = 0;

    } else {
        if (ps->sub.fail_since == 0) {
            ps->sub.fail_since = now;
            ps->sub.retry = (uint32_t) ps->push->retry;

        } else {
            ps->sub.retry *= 2;
        }

        ps->sub.last_sent = now;

        if (now - ps->sub.fail_since >= (time_t) ps->sub.timeout * 60) {
            ngx_log_error(NGX_LOG_WARN, &ps->log, 0,
                          "exch: EWS push client \"%s\" failed for %ui "
                          "min: subscription ended", ps->sub.url,
                          (ngx_uint_t) ps->sub.timeout);
            (void) exch_ews_sub_delete(env, ps->sub.id);
            ngx_exch_ews_push_drop(ps, 0);
            return;
        }
    }

    if (ngx_exch_ews_push_save(ps, env) != NGX_OK) {
        /* unsubscribed or taken over meanwhile */
        ngx_exch_ews_push_drop(ps, 0);
        return;
    }

    ngx_exch_ews_push_schedule(ps);
}


static ngx_int_t
ngx_exch_ews_push_save(ngx_exch_ews_pushsub_t *ps, exs_env_t *env)
{
    int              rc;
    exs_arena_t     *a;
    exch_ews_sub_t   fresh;

    rc = exch_ews_sub_save(env, &ps->sub);

    if (rc != EXS_CONFLICT) {
        return rc == EXS_OK ? NGX_OK : NGX_ERROR;
    }

    a = exs_arena_create(1024);
    if (a == NULL) {
        return NGX_ERROR;
    }

    rc = exch_ews_sub_load(env, ps->sub.id, &fresh, a);

    if (rc == EXS_OK && fresh.lease_pid == (uint32_t) ngx_pid) {
        ps->sub.version_state = fresh.version_state;
        rc = exch_ews_sub_save(env, &ps->sub);

    } else if (rc == EXS_OK) {
        rc = EXS_CONFLICT;
    }

    exs_arena_destroy(a);

    return rc == EXS_OK ? NGX_OK : NGX_ERROR;
}


static void
ngx_exch_ews_push_schedule(ngx_exch_ews_pushsub_t *ps)
{
    time_t  due;

    if (ps->sub.fail_since) {
        ngx_exch_watch_timer(ps->watch, (ngx_msec_t) ps->sub.retry * 1000);
        return;
    }

    /* the next status event: StatusFrequency after the last sent */
    due = ps->sub.last_sent + (time_t) ps->sub.timeout * 60 - ngx_time();
    ngx_exch_watch_timer(ps->watch, (ngx_msec_t) ngx_max(due, 1) * 1000);

    if (ps->pending || ps->more) {
        ps->pending = 0;
        ngx_post_event(&ps->again, &ngx_posted_events);
    }
}


/* configuration */

static void *
ngx_exch_ews_notify_create_main_conf(ngx_conf_t *cf)
{
    ngx_exch_ews_notify_main_conf_t  *nmcf;

    nmcf = ngx_pcalloc(cf->pool, sizeof(ngx_exch_ews_notify_main_conf_t));
    if (nmcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     nmcf->push = NULL;
     */

    nmcf->push_timeout = NGX_CONF_UNSET_MSEC;
    nmcf->push_retry = NGX_CONF_UNSET;

    return nmcf;
}


static char *
ngx_exch_ews_notify_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_exch_ews_notify_main_conf_t *nmcf = conf;

    ngx_conf_init_msec_value(nmcf->push_timeout, 10000);
    ngx_conf_init_value(nmcf->push_retry, 30);

    if (nmcf->push_retry < 1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"exch_ews_push_retry\" must be at least 1s");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static void *
ngx_exch_ews_notify_create_loc_conf(ngx_conf_t *cf)
{
    ngx_exch_ews_notify_loc_conf_t  *nlcf;

    nlcf = ngx_pcalloc(cf->pool, sizeof(ngx_exch_ews_notify_loc_conf_t));
    if (nlcf == NULL) {
        return NULL;
    }

    nlcf->heartbeat = NGX_CONF_UNSET_MSEC;

    return nlcf;
}


static char *
ngx_exch_ews_notify_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_exch_ews_notify_loc_conf_t *prev = parent;
    ngx_exch_ews_notify_loc_conf_t *conf = child;

    ngx_conf_merge_msec_value(conf->heartbeat, prev->heartbeat, 30000);

    if (conf->heartbeat < 1000) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"exch_ews_heartbeat\" must be at least 1s");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_exch_ews_notify_init_process(ngx_cycle_t *cycle)
{
    ngx_exch_ews_push_t              *push;
    ngx_exch_ews_notify_main_conf_t  *nmcf;

    nmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_exch_ews_notify_module);

    if (nmcf == NULL || ngx_exch_store_env(cycle) == NULL
        || ngx_process == NGX_PROCESS_HELPER)
    {
        return NGX_OK;
    }

    push = ngx_pcalloc(cycle->pool, sizeof(ngx_exch_ews_push_t));
    if (push == NULL) {
        return NGX_ERROR;
    }

    ngx_queue_init(&push->subs);
    push->log = cycle->log;
    push->timeout = nmcf->push_timeout;
    push->retry = nmcf->push_retry;

    push->scan.handler = ngx_exch_ews_push_scan;
    push->scan.data = push;
    push->scan.log = cycle->log;
    push->scan.cancelable = 1;

    ngx_add_timer(&push->scan, 100 + ngx_random() % 1000);

    nmcf->push = push;

    return NGX_OK;
}
