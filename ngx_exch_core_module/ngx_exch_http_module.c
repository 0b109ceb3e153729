
/*
 * exch http module: what the protocol modules share on the HTTP side:
 * authentication in the access phase (ngx_exch_auth.c), the $exch_user
 * variable, the thread pool for slow work, a per-request store arena.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_exch.h"
#include "ngx_exch_http.h"


static ngx_int_t ngx_exch_http_preconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_exch_http_postconfiguration(ngx_conf_t *cf);
static void *ngx_exch_http_create_main_conf(ngx_conf_t *cf);
static char *ngx_exch_http_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_exch_http_create_loc_conf(ngx_conf_t *cf);
static char *ngx_exch_http_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_exch_http_init_process(ngx_cycle_t *cycle);
static ngx_int_t ngx_exch_user_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static void ngx_exch_thread_event_handler(ngx_event_t *ev);
static void ngx_exch_arena_cleanup(void *data);
static ngx_int_t ngx_exch_cstrdup(ngx_pool_t *pool, ngx_str_t *dst,
    const char *src);


static ngx_command_t  ngx_exch_http_commands[] = {

    { ngx_string("exch_thread_pool"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_exch_http_main_conf_t, thread_pool_name),
      NULL },

    { ngx_string("exch_auth_cache_time"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_exch_http_main_conf_t, cache_time),
      NULL },

    { ngx_string("exch_auth_cache_size"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_exch_http_main_conf_t, cache_size),
      NULL },

    { ngx_string("exch_auth_failures"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_exch_http_main_conf_t, failures),
      NULL },

    { ngx_string("exch_auth_failure_delay"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_exch_http_main_conf_t, failure_delay),
      NULL },

    { ngx_string("exch_auth_failure_window"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_exch_http_main_conf_t, failure_window),
      NULL },

    { ngx_string("exch_auth"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_exch_http_loc_conf_t, auth),
      NULL },

    { ngx_string("exch_auth_realm"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_exch_http_loc_conf_t, realm),
      NULL },

    { ngx_string("exch_auth_trust_remote_user"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_exch_http_loc_conf_t, trust_remote_user),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_exch_http_module_ctx = {
    ngx_exch_http_preconfiguration,        /* preconfiguration */
    ngx_exch_http_postconfiguration,       /* postconfiguration */

    ngx_exch_http_create_main_conf,        /* create main configuration */
    ngx_exch_http_init_main_conf,          /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_exch_http_create_loc_conf,         /* create location configuration */
    ngx_exch_http_merge_loc_conf           /* merge location configuration */
};


ngx_module_t  ngx_exch_http_module = {
    NGX_MODULE_V1,
    &ngx_exch_http_module_ctx,             /* module context */
    ngx_exch_http_commands,                /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_exch_http_init_process,            /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_http_variable_t  ngx_exch_http_vars[] = {

    { ngx_string("exch_user"), NULL, ngx_exch_user_variable, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


ngx_exch_ctx_t *
ngx_exch_ctx(ngx_http_request_t *r)
{
    ngx_exch_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_exch_http_module);

    if (ctx == NULL) {
        ctx = ngx_pcalloc(r->pool, sizeof(ngx_exch_ctx_t));
        if (ctx == NULL) {
            return NULL;
        }

        ngx_http_set_ctx(r, ctx, ngx_exch_http_module);
    }

    return ctx;
}


ngx_exch_user_t *
ngx_exch_user(ngx_http_request_t *r)
{
    ngx_exch_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_exch_http_module);

    return ctx ? ctx->user : NULL;
}


exs_arena_t *
ngx_exch_arena(ngx_http_request_t *r)
{
    ngx_exch_ctx_t      *ctx;
    ngx_pool_cleanup_t  *cln;

    ctx = ngx_exch_ctx(r);
    if (ctx == NULL) {
        return NULL;
    }

    if (ctx->arena) {
        return ctx->arena;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    ctx->arena = exs_arena_create(0);
    if (ctx->arena == NULL) {
        return NULL;
    }

    cln->handler = ngx_exch_arena_cleanup;
    cln->data = ctx->arena;

    return ctx->arena;
}


static void
ngx_exch_arena_cleanup(void *data)
{
    exs_arena_destroy(data);
}


static ngx_int_t
ngx_exch_cstrdup(ngx_pool_t *pool, ngx_str_t *dst, const char *src)
{
    if (src == NULL) {
        src = "";
    }

    dst->len = ngx_strlen(src);

    dst->data = ngx_pnalloc(pool, dst->len + 1);
    if (dst->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(dst->data, src, dst->len + 1);

    return NGX_OK;
}


ngx_int_t
ngx_exch_user_from_dirent(ngx_pool_t *pool, ngx_exch_user_t *user,
    exs_dirent_t *e)
{
    user->id = e->id;
    user->mailbox = e->mailbox;
    ngx_memcpy(user->guid, e->guid, 16);

    if (ngx_exch_cstrdup(pool, &user->address, e->address) != NGX_OK
        || ngx_exch_cstrdup(pool, &user->name, e->display_name) != NGX_OK
        || ngx_exch_cstrdup(pool, &user->legacy_dn, e->legacy_dn) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_exch_send(ngx_http_request_t *r, ngx_uint_t status, const char *type,
    const void *data, size_t len, ngx_uint_t copy)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t   out;

    r->headers_out.status = status;
    r->headers_out.content_length_n = len;
    r->headers_out.content_type.data = (u_char *) type;
    r->headers_out.content_type.len = ngx_strlen(type);
    r->headers_out.content_type_len = r->headers_out.content_type.len;

    if (r->method == NGX_HTTP_HEAD || len == 0) {
        r->header_only = 1;
        return ngx_http_send_header(r);
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    if (copy) {
        b->pos = ngx_pnalloc(r->pool, len);
        if (b->pos == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(b->pos, data, len);

    } else {
        b->pos = (u_char *) data;
    }

    b->last = b->pos + len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    return ngx_http_output_filter(r, &out);
}


ngx_int_t
ngx_exch_read_body(ngx_http_request_t *r, size_t max,
    ngx_http_client_body_handler_pt post)
{
    ngx_int_t  rc;

    if (r->headers_in.content_length_n > (off_t) max) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "exch: request body of %O bytes is over %uz",
                      r->headers_in.content_length_n, max);
        return NGX_HTTP_REQUEST_ENTITY_TOO_LARGE;
    }

    r->request_body_file_log_level = 0;

    rc = ngx_http_read_client_request_body(r, post);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


ngx_int_t
ngx_exch_request_body(ngx_http_request_t *r, size_t max, ngx_str_t *body)
{
    u_char       *p;
    size_t        len, size;
    ssize_t       n;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    ngx_str_set(body, "");

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        return NGX_OK;
    }

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        len += ngx_buf_size(cl->buf);
    }

    if (len > max) {
        return NGX_DECLINED;
    }

    b = r->request_body->bufs->buf;

    if (r->request_body->bufs->next == NULL && !b->in_file) {
        body->data = b->pos;
        body->len = len;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    body->data = p;
    body->len = len;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;
        size = ngx_buf_size(b);

        if (!b->in_file) {
            p = ngx_cpymem(p, b->pos, size);
            continue;
        }

        /* a small spooled body, just written: in the page cache */

        n = ngx_read_file(b->file, p, size, b->file_pos);

        if (n != (ssize_t) size) {
            return NGX_ERROR;
        }

        p += size;
    }

    *p = '\0';

    return NGX_OK;
}


void
ngx_exch_http_enable(ngx_conf_t *cf)
{
    ngx_exch_http_loc_conf_t  *hlcf;

    hlcf = ngx_http_conf_get_module_loc_conf(cf, ngx_exch_http_module);
    hlcf->enabled = 1;

    ngx_exch_store_required(cf);
}


ngx_int_t
ngx_exch_thread_run(ngx_http_request_t *r, ngx_exch_work_pt work,
    ngx_exch_done_pt done, void *data)
{
    ngx_exch_task_t            *t;
    ngx_thread_task_t          *task;
    ngx_exch_http_main_conf_t  *hmcf;

    hmcf = ngx_http_get_module_main_conf(r, ngx_exch_http_module);

    task = ngx_thread_task_alloc(r->pool, sizeof(ngx_exch_task_t));
    if (task == NULL) {
        return NGX_ERROR;
    }

    t = task->ctx;
    t->request = r;
    t->work = work;
    t->done = done;
    t->data = data;

    task->handler = ngx_exch_thread_work;
    task->event.data = t;
    task->event.handler = ngx_exch_thread_event_handler;

    if (ngx_thread_task_post(hmcf->thread_pool, task) != NGX_OK) {
        return NGX_ERROR;
    }

    r->main->blocked++;
    r->aio = 1;

    return NGX_OK;
}


void
ngx_exch_thread_work(void *data, ngx_log_t *log)
{
    ngx_exch_task_t  *t = data;

    t->work(t->data, log);
}


static void
ngx_exch_thread_event_handler(ngx_event_t *ev)
{
    ngx_connection_t    *c;
    ngx_exch_task_t     *t;
    ngx_http_request_t  *r;

    t = ev->data;
    r = t->request;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    r->main->blocked--;
    r->aio = 0;

    if (t->done) {
        t->done(r, t->data);

    } else {
        r->write_event_handler(r);
    }

    ngx_http_run_posted_requests(c);
}


static ngx_int_t
ngx_exch_user_variable(ngx_http_request_t *r, ngx_http_variable_value_t *v,
    uintptr_t data)
{
    ngx_exch_user_t  *user;

    user = ngx_exch_user(r);

    if (user == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    v->len = user->address.len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;
    v->data = user->address.data;

    return NGX_OK;
}


static ngx_int_t
ngx_exch_http_preconfiguration(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_exch_http_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_exch_http_postconfiguration(ngx_conf_t *cf)
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_exch_auth_handler;

    return NGX_OK;
}


static void *
ngx_exch_http_create_main_conf(ngx_conf_t *cf)
{
    ngx_exch_http_main_conf_t  *hmcf;

    hmcf = ngx_pcalloc(cf->pool, sizeof(ngx_exch_http_main_conf_t));
    if (hmcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     hmcf->thread_pool_name = { 0, NULL };
     *     hmcf->thread_pool = NULL;
     *     hmcf->auth = NULL;
     */

    hmcf->cache_time = NGX_CONF_UNSET;
    hmcf->cache_size = NGX_CONF_UNSET_UINT;
    hmcf->failures = NGX_CONF_UNSET_UINT;
    hmcf->failure_delay = NGX_CONF_UNSET_MSEC;
    hmcf->failure_window = NGX_CONF_UNSET;

    return hmcf;
}


static char *
ngx_exch_http_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_exch_http_main_conf_t *hmcf = conf;

    ngx_conf_init_value(hmcf->cache_time, 300);
    ngx_conf_init_uint_value(hmcf->cache_size, 4096);
    ngx_conf_init_uint_value(hmcf->failures, 5);
    ngx_conf_init_msec_value(hmcf->failure_delay, 5000);
    ngx_conf_init_value(hmcf->failure_window, 900);

    if (hmcf->cache_size == 0) {
        hmcf->cache_size = 1;
    }

    /* an unnamed pool is nginx's "default" one, created on demand */

    hmcf->thread_pool = ngx_thread_pool_add(cf, hmcf->thread_pool_name.len
                                                ? &hmcf->thread_pool_name
                                                : NULL);
    if (hmcf->thread_pool == NULL) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static void *
ngx_exch_http_create_loc_conf(ngx_conf_t *cf)
{
    ngx_exch_http_loc_conf_t  *hlcf;

    hlcf = ngx_pcalloc(cf->pool, sizeof(ngx_exch_http_loc_conf_t));
    if (hlcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     hlcf->enabled = 0;
     *     hlcf->realm = { 0, NULL };
     */

    hlcf->auth = NGX_CONF_UNSET;
    hlcf->trust_remote_user = NGX_CONF_UNSET;

    return hlcf;
}


static char *
ngx_exch_http_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_exch_http_loc_conf_t *prev = parent;
    ngx_exch_http_loc_conf_t *conf = child;

    ngx_conf_merge_value(conf->auth, prev->auth, 1);
    ngx_conf_merge_str_value(conf->realm, prev->realm, "exch");
    ngx_conf_merge_value(conf->trust_remote_user, prev->trust_remote_user, 0);

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_exch_http_init_process(ngx_cycle_t *cycle)
{
    ngx_exch_http_main_conf_t  *hmcf;

    hmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_exch_http_module);

    if (hmcf == NULL) {
        return NGX_OK;
    }

    return ngx_exch_auth_init_process(cycle, hmcf);
}
