
/*
 * exch EWS module: POST /EWS/Exchange.asmx from the location directive
 * "exch_ews".  The body is read (up to exch_ews_max_body), parsed and
 * served by the nginx-free code of exch_ews_*.c and exch_oxws*.c: small
 * requests in the event loop, large ones and the operations that may take
 * longer (sending, emptying folders, MIME conversions) in nginx's thread
 * pool.  Each request does its store work in one short transaction.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_exch.h"
#include "exch_ews.h"
#include "ngx_exch_ews_notify.h"


/* bodies above this size are parsed in a thread */
#define NGX_EXCH_EWS_INLINE_MAX  (64 * 1024)


typedef struct {
    size_t                    max_body;
} ngx_exch_ews_loc_conf_t;


typedef struct {
    exch_ews_t                ews;
    ngx_http_request_t       *request;
    ngx_str_t                 body;
    u_char                   *file_body;    /* read in the thread */
    ngx_int_t                 rc;
    ngx_uint_t                from_file;
} ngx_exch_ews_ctx_t;


static ngx_int_t ngx_exch_ews_handler(ngx_http_request_t *r);
static void ngx_exch_ews_body(ngx_http_request_t *r);
static ngx_int_t ngx_exch_ews_setup(ngx_http_request_t *r,
    ngx_exch_ews_ctx_t *ctx);
static void ngx_exch_ews_work(void *data, ngx_log_t *log);
static void ngx_exch_ews_done(ngx_http_request_t *r, void *data);
static void ngx_exch_ews_finish(ngx_http_request_t *r,
    ngx_exch_ews_ctx_t *ctx);
static ngx_int_t ngx_exch_ews_respond(ngx_http_request_t *r,
    ngx_exch_ews_ctx_t *ctx);
static ngx_int_t ngx_exch_ews_read_file(ngx_exch_ews_ctx_t *ctx);
static void ngx_exch_ews_cleanup(void *data);
static void ngx_exch_ews_log(void *data, int level, const char *msg);
static void *ngx_exch_ews_create_loc_conf(ngx_conf_t *cf);
static char *ngx_exch_ews_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_exch_ews(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static ngx_int_t ngx_exch_ews_init_process(ngx_cycle_t *cycle);


static ngx_command_t  ngx_exch_ews_commands[] = {

    { ngx_string("exch_ews"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_exch_ews,
      0,
      0,
      NULL },

    { ngx_string("exch_ews_max_body"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_exch_ews_loc_conf_t, max_body),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_exch_ews_module_ctx = {
    NULL,                                  /* preconfiguration */
    NULL,                                  /* postconfiguration */

    NULL,                                  /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_exch_ews_create_loc_conf,          /* create location configuration */
    ngx_exch_ews_merge_loc_conf            /* merge location configuration */
};


ngx_module_t  ngx_exch_ews_module = {
    NGX_MODULE_V1,
    &ngx_exch_ews_module_ctx,              /* module context */
    ngx_exch_ews_commands,                 /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_exch_ews_init_process,             /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_int_t
ngx_exch_ews_handler(ngx_http_request_t *r)
{
    ngx_exch_ews_loc_conf_t  *elcf;

    if (!(r->method & NGX_HTTP_POST)) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    if (ngx_exch_store_env((ngx_cycle_t *) ngx_cycle) == NULL) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    elcf = ngx_http_get_module_loc_conf(r, ngx_exch_ews_module);

    return ngx_exch_read_body(r, elcf->max_body, ngx_exch_ews_body);
}


static void
ngx_exch_ews_body(ngx_http_request_t *r)
{
    off_t                     size;
    ngx_int_t                 rc;
    ngx_chain_t              *cl;
    ngx_exch_ews_ctx_t       *ctx;
    ngx_exch_ews_loc_conf_t  *elcf;

    elcf = ngx_http_get_module_loc_conf(r, ngx_exch_ews_module);

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_exch_ews_ctx_t));
    if (ctx == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ngx_http_set_ctx(r, ctx, ngx_exch_ews_module);

    if (ngx_exch_ews_setup(r, ctx) != NGX_OK) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    size = 0;

    if (r->request_body) {
        for (cl = r->request_body->bufs; cl; cl = cl->next) {
            size += ngx_buf_size(cl->buf);

            if (cl->buf->in_file) {
                ctx->from_file = 1;
            }
        }
    }

    if (size > (off_t) elcf->max_body) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "exch: EWS request body of %O bytes is too large",
                      size);
        ngx_http_finalize_request(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE);
        return;
    }

    if (size > NGX_EXCH_EWS_INLINE_MAX || ctx->from_file) {
        /* large: read, parse and serve it all in a thread */

        if (ngx_exch_thread_run(r, ngx_exch_ews_work, ngx_exch_ews_done,
                                ctx)
            != NGX_OK)
        {
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        }

        return;
    }

    rc = ngx_exch_request_body(r, elcf->max_body, &ctx->body);

    if (rc != NGX_OK) {
        ngx_http_finalize_request(r, rc == NGX_DECLINED
                                     ? NGX_HTTP_REQUEST_ENTITY_TOO_LARGE
                                     : NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ctx->rc = exch_ews_process(&ctx->ews, ctx->body.data, ctx->body.len);

    if (ctx->rc == EXCH_EWS_AGAIN) {
        ctx->ews.in_thread = 1;

        if (ngx_exch_thread_run(r, ngx_exch_ews_work, ngx_exch_ews_done,
                                ctx)
            != NGX_OK)
        {
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        }

        return;
    }

    ngx_exch_ews_finish(r, ctx);
}


static ngx_int_t
ngx_exch_ews_setup(ngx_http_request_t *r, ngx_exch_ews_ctx_t *ctx)
{
    exch_ews_t               *ews;
    ngx_exch_user_t          *user;
    ngx_pool_cleanup_t       *cln;
    ngx_exch_ews_loc_conf_t  *elcf;

    elcf = ngx_http_get_module_loc_conf(r, ngx_exch_ews_module);
    user = ngx_exch_user(r);

    if (user == NULL) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "exch: EWS request without a user");
        return NGX_ERROR;
    }

    ews = &ctx->ews;
    exch_ews_init(ews);

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_exch_ews_cleanup;
    cln->data = ctx;

    ctx->request = r;

    ews->env = ngx_exch_store_env((ngx_cycle_t *) ngx_cycle);
    ews->a = ngx_exch_arena(r);

    if (ews->env == NULL || ews->a == NULL) {
        return NGX_ERROR;
    }

    ews->max_body = elcf->max_body;
    ews->log = ngx_exch_ews_log;
    ews->log_data = r->connection->log;

    ews->user.id = user->id;
    ews->user.mailbox = user->mailbox;
    ews->user.address = (const char *) user->address.data;
    ews->user.name = (const char *) user->name.data;
    ews->user.legacy_dn = (const char *) user->legacy_dn.data;
    ngx_memcpy(ews->user.guid, user->guid, 16);

    if (r->headers_in.server.len) {
        ews->host = (const char *) ngx_pnalloc(r->pool,
                                               r->headers_in.server.len + 1);
        if (ews->host) {
            ngx_memcpy((u_char *) ews->host, r->headers_in.server.data,
                       r->headers_in.server.len);
            ((u_char *) ews->host)[r->headers_in.server.len] = '\0';
        }
    }

    return NGX_OK;
}


static void
ngx_exch_ews_work(void *data, ngx_log_t *log)
{
    ngx_exch_ews_ctx_t  *ctx = data;

    ctx->ews.in_thread = 1;

    if (ctx->body.data == NULL && ctx->ews.doc == NULL) {
        if (ngx_exch_ews_read_file(ctx) != NGX_OK) {
            ctx->rc = EXCH_EWS_FAIL;
            return;
        }
    }

    ctx->rc = exch_ews_process(&ctx->ews, ctx->body.data, ctx->body.len);
}


/* the body, from memory and the temporary file, into one buffer (in the
 * thread: no pool allocation here) */

static ngx_int_t
ngx_exch_ews_read_file(ngx_exch_ews_ctx_t *ctx)
{
    u_char              *p;
    size_t               len, size;
    ssize_t              n;
    ngx_buf_t           *b;
    ngx_chain_t         *cl;
    ngx_http_request_t  *r;

    r = ctx->request;

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        ngx_str_set(&ctx->body, "");
        return NGX_OK;
    }

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        len += ngx_buf_size(cl->buf);
    }

    ctx->file_body = malloc(len + 1);
    if (ctx->file_body == NULL) {
        return NGX_ERROR;
    }

    p = ctx->file_body;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;
        size = ngx_buf_size(b);

        if (!b->in_file) {
            p = ngx_cpymem(p, b->pos, size);
            continue;
        }

        n = pread(b->file->fd, p, size, b->file_pos);

        if (n != (ssize_t) size) {
            return NGX_ERROR;
        }

        p += size;
    }

    *p = '\0';

    ctx->body.data = ctx->file_body;
    ctx->body.len = len;

    return NGX_OK;
}


static void
ngx_exch_ews_done(ngx_http_request_t *r, void *data)
{
    ngx_exch_ews_ctx_t  *ctx = data;

    ngx_exch_ews_finish(r, ctx);
}


/* the response; or a stream of them (GetStreamingEvents); a new push
 * subscription starts hearing at once */

static void
ngx_exch_ews_finish(ngx_http_request_t *r, ngx_exch_ews_ctx_t *ctx)
{
    if (ctx->rc == EXCH_EWS_OK && ctx->ews.stream && ctx->ews.status == 200)
    {
        ngx_exch_ews_stream(r, &ctx->ews);
        return;
    }

    if (ctx->rc == EXCH_EWS_OK && ctx->ews.push) {
        ngx_exch_ews_push_kick();
    }

    ngx_http_finalize_request(r, ngx_exch_ews_respond(r, ctx));
}


static ngx_int_t
ngx_exch_ews_respond(ngx_http_request_t *r, ngx_exch_ews_ctx_t *ctx)
{
    exch_ews_t  *ews;

    ews = &ctx->ews;

    if (ctx->rc != EXCH_EWS_OK || ews->out.nomem) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "exch: EWS %s failed",
                      ews->op ? ews->op->name : "request");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_exch_send(r, ews->status == 200 ? NGX_HTTP_OK
                                              : NGX_HTTP_INTERNAL_SERVER_ERROR,
                         "text/xml; charset=utf-8", ews->out.data,
                         ews->out.len, 0);
}


static void
ngx_exch_ews_cleanup(void *data)
{
    ngx_exch_ews_ctx_t  *ctx = data;

    exch_ews_free(&ctx->ews);

    if (ctx->file_body) {
        free(ctx->file_body);
        ctx->file_body = NULL;
    }
}


static void
ngx_exch_ews_log(void *data, int level, const char *msg)
{
    ngx_log_t  *log = data;
    ngx_uint_t  lvl;

    switch (level) {
    case EXCH_EWS_LOG_ERR:
        lvl = NGX_LOG_ERR;
        break;
    case EXCH_EWS_LOG_INFO:
        lvl = NGX_LOG_INFO;
        break;
    default:
        lvl = NGX_LOG_DEBUG;
        break;
    }

    ngx_log_error(lvl, log, 0, "exch: %s", msg);
}


static void *
ngx_exch_ews_create_loc_conf(ngx_conf_t *cf)
{
    ngx_exch_ews_loc_conf_t  *elcf;

    elcf = ngx_pcalloc(cf->pool, sizeof(ngx_exch_ews_loc_conf_t));
    if (elcf == NULL) {
        return NULL;
    }

    elcf->max_body = NGX_CONF_UNSET_SIZE;

    return elcf;
}


static char *
ngx_exch_ews_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_exch_ews_loc_conf_t *prev = parent;
    ngx_exch_ews_loc_conf_t *conf = child;

    ngx_conf_merge_size_value(conf->max_body, prev->max_body,
                              64 * 1024 * 1024);

    return NGX_CONF_OK;
}


static char *
ngx_exch_ews(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_exch_ews_handler;

    ngx_exch_http_enable(cf);

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_exch_ews_init_process(ngx_cycle_t *cycle)
{
    exch_xml_init();

    return NGX_OK;
}
