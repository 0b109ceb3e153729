
/*
 * exch core module: the main-context directives and everything that lives
 * once per worker process (the store environment, opened in init_process
 * and closed in exit_process, and the notification bus over it).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_exch.h"
#include "ngx_exch_bus.h"


#define NGX_EXCH_MAP_SIZE        (64LL << 30)
#define NGX_EXCH_STATE_MAP_SIZE  (4LL << 30)
#define NGX_EXCH_MAX_READERS     1024
#define NGX_EXCH_NOTIFY_POLL     10000


static void *ngx_exch_core_create_conf(ngx_cycle_t *cycle);
static char *ngx_exch_core_init_conf(ngx_cycle_t *cycle, void *conf);
static char *ngx_exch_store(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static ngx_int_t ngx_exch_core_init_process(ngx_cycle_t *cycle);
static void ngx_exch_core_exit_process(ngx_cycle_t *cycle);


static ngx_command_t  ngx_exch_core_commands[] = {

    { ngx_string("exch_store"),
      NGX_MAIN_CONF|NGX_DIRECT_CONF|NGX_CONF_TAKE1,
      ngx_exch_store,
      0,
      0,
      NULL },

    { ngx_string("exch_store_map_size"),
      NGX_MAIN_CONF|NGX_DIRECT_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_off_slot,
      0,
      offsetof(ngx_exch_core_conf_t, map_size),
      NULL },

    { ngx_string("exch_state_map_size"),
      NGX_MAIN_CONF|NGX_DIRECT_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_off_slot,
      0,
      offsetof(ngx_exch_core_conf_t, state_map_size),
      NULL },

    { ngx_string("exch_store_max_readers"),
      NGX_MAIN_CONF|NGX_DIRECT_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      0,
      offsetof(ngx_exch_core_conf_t, max_readers),
      NULL },

    { ngx_string("exch_notify_poll"),
      NGX_MAIN_CONF|NGX_DIRECT_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      0,
      offsetof(ngx_exch_core_conf_t, notify_poll),
      NULL },

      ngx_null_command
};


static ngx_core_module_t  ngx_exch_core_module_ctx = {
    ngx_string("exch"),
    ngx_exch_core_create_conf,             /* create conf */
    ngx_exch_core_init_conf                /* init conf */
};


ngx_module_t  ngx_exch_core_module = {
    NGX_MODULE_V1,
    &ngx_exch_core_module_ctx,             /* module context */
    ngx_exch_core_commands,                /* module directives */
    NGX_CORE_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_exch_core_init_process,            /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_exch_core_exit_process,            /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


ngx_int_t
ngx_exch_send_text(ngx_http_request_t *r, ngx_uint_t status, ngx_str_t *text)
{
    ngx_int_t  rc;

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_exch_send(r, status, "text/plain", text->data, text->len, 0);
}


void
ngx_exch_store_required(ngx_conf_t *cf)
{
    ngx_exch_core_conf_t  *ccf;

    ccf = ngx_exch_core_conf(cf->cycle);
    ccf->required = 1;
}


exs_env_t *
ngx_exch_store_env(ngx_cycle_t *cycle)
{
    return ngx_exch_core_conf(cycle)->env;
}


static void *
ngx_exch_core_create_conf(ngx_cycle_t *cycle)
{
    ngx_exch_core_conf_t  *ccf;

    ccf = ngx_pcalloc(cycle->pool, sizeof(ngx_exch_core_conf_t));
    if (ccf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     ccf->store = { 0, NULL };
     *     ccf->required = 0;
     *     ccf->env = NULL;
     *     ccf->bus = NULL;
     */

    ccf->map_size = NGX_CONF_UNSET;
    ccf->state_map_size = NGX_CONF_UNSET;
    ccf->max_readers = NGX_CONF_UNSET;
    ccf->notify_poll = NGX_CONF_UNSET_MSEC;

    return ccf;
}


static char *
ngx_exch_core_init_conf(ngx_cycle_t *cycle, void *conf)
{
    ngx_exch_core_conf_t *ccf = conf;

    if (ccf->map_size == NGX_CONF_UNSET) {
        ccf->map_size = NGX_EXCH_MAP_SIZE;
    }

    if (ccf->state_map_size == NGX_CONF_UNSET) {
        ccf->state_map_size = NGX_EXCH_STATE_MAP_SIZE;
    }

    ngx_conf_init_value(ccf->max_readers, NGX_EXCH_MAX_READERS);
    ngx_conf_init_msec_value(ccf->notify_poll, NGX_EXCH_NOTIFY_POLL);

    if (ccf->notify_poll == 0) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "\"exch_notify_poll\" must be more than 0");
        return NGX_CONF_ERROR;
    }

    if (ccf->required && ccf->store.data == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "exch locations are configured but \"exch_store\" "
                      "is not set in the main context");
        return NGX_CONF_ERROR;
    }

    if (ccf->max_readers < 1) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "\"exch_store_max_readers\" must be at least 1");
        return NGX_CONF_ERROR;
    }

    if (ccf->map_size < (1 << 20) || ccf->state_map_size < (1 << 20)) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "\"exch_store_map_size\" and \"exch_state_map_size\" "
                      "must be at least 1m");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * Every worker opens the store once (LMDB forbids a second open in one
 * process, and the master must not hold it across fork); nginx's cache
 * manager and loader don't need it.
 */

static ngx_int_t
ngx_exch_core_init_process(ngx_cycle_t *cycle)
{
    int                    rc;
    exs_env_conf_t         conf;
    ngx_exch_core_conf_t  *ccf;

    ccf = ngx_exch_core_conf(cycle);

    if (ccf == NULL || ccf->store.data == NULL
        || ngx_process == NGX_PROCESS_HELPER)
    {
        return NGX_OK;
    }

    ngx_memzero(&conf, sizeof(exs_env_conf_t));
    conf.map_size = (uint64_t) ccf->map_size;
    conf.state_map_size = (uint64_t) ccf->state_map_size;
    conf.max_readers = (unsigned) ccf->max_readers;
    conf.flags = EXS_ENV_CREATE;

    rc = exs_env_open(&ccf->env, (const char *) ccf->store.data, &conf);

    if (rc != EXS_OK) {
        /* the worker stays up: the protocol handlers answer 503 */
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                      "exch: cannot open the store \"%V\": %s",
                      &ccf->store, exs_strerror(rc));
        ccf->env = NULL;
        return NGX_OK;
    }

    ngx_log_error(NGX_LOG_INFO, cycle->log, 0,
                  "exch: store \"%V\" open", &ccf->store);

    if (ngx_exch_bus_init(cycle, ccf->env, ccf->notify_poll) != NGX_OK) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_exch_core_exit_process(ngx_cycle_t *cycle)
{
    ngx_exch_core_conf_t  *ccf;

    ccf = ngx_exch_core_conf(cycle);

    if (ccf && ccf->env) {
        ngx_exch_bus_exit(cycle);
        exs_env_close(ccf->env);
        ccf->env = NULL;
    }
}


static char *
ngx_exch_store(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_exch_core_conf_t *ccf = conf;

    ngx_str_t  *value;

    if (ccf->store.data) {
        return "is duplicate";
    }

    value = cf->args->elts;
    ccf->store = value[1];

    /* a NUL-terminated full path: LMDB wants a C string */
    if (ngx_conf_full_name(cf->cycle, &ccf->store, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}
