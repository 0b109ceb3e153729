
/*
 * exch MAPI over HTTP module: installs the MAPI over HTTP content handler from the location
 * directive "exch_mapi".
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_exch.h"


static ngx_int_t ngx_exch_mapi_handler(ngx_http_request_t *r);
static char *ngx_exch_mapi(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);


static ngx_command_t  ngx_exch_mapi_commands[] = {

    { ngx_string("exch_mapi"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_exch_mapi,
      0,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_exch_mapi_module_ctx = {
    NULL,                                  /* preconfiguration */
    NULL,                                  /* postconfiguration */

    NULL,                                  /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    NULL,                                  /* create location configuration */
    NULL                                   /* merge location configuration */
};


ngx_module_t  ngx_exch_mapi_module = {
    NGX_MODULE_V1,
    &ngx_exch_mapi_module_ctx,             /* module context */
    ngx_exch_mapi_commands,                /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_int_t
ngx_exch_mapi_handler(ngx_http_request_t *r)
{
    static ngx_str_t  text = ngx_string("exch: MAPI over HTTP is not built yet\n");

    return ngx_exch_send_text(r, NGX_HTTP_NOT_IMPLEMENTED, &text);
}


static char *
ngx_exch_mapi(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_exch_mapi_handler;

    ngx_exch_http_enable(cf);

    return NGX_CONF_OK;
}
