
/*
 * exch: what the protocol modules share with the core module.
 */


#ifndef _NGX_EXCH_H_INCLUDED_
#define _NGX_EXCH_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


typedef struct {
    ngx_str_t                 store;
} ngx_exch_core_conf_t;


ngx_int_t ngx_exch_send_text(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *text);


extern ngx_module_t  ngx_exch_core_module;


#define ngx_exch_core_conf(cycle)                                             \
    ((ngx_exch_core_conf_t *) ngx_get_conf((cycle)->conf_ctx,                 \
                                           ngx_exch_core_module))


#endif /* _NGX_EXCH_H_INCLUDED_ */
