
/*
 * exch core module: the main-context directives and everything that lives
 * once per worker process (the store environment, opened in init_process
 * and closed in exit_process).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_exch.h"


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
     */

    return ccf;
}


static char *
ngx_exch_core_init_conf(ngx_cycle_t *cycle, void *conf)
{
    return NGX_CONF_OK;
}


static ngx_int_t
ngx_exch_core_init_process(ngx_cycle_t *cycle)
{
    return NGX_OK;
}


static void
ngx_exch_core_exit_process(ngx_cycle_t *cycle)
{
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

    if (ngx_conf_full_name(cf->cycle, &ccf->store, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}
