
/*
 * exch: what the protocol modules share with the core module.
 */


#ifndef _NGX_EXCH_H_INCLUDED_
#define _NGX_EXCH_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <exs_store.h>


typedef struct {
    ngx_str_t                 store;
    off_t                     map_size;
    off_t                     state_map_size;
    ngx_int_t                 max_readers;
    ngx_flag_t                required;     /* an exch_* location exists */
    exs_env_t                *env;          /* this worker's environment */
} ngx_exch_core_conf_t;


ngx_int_t ngx_exch_send_text(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *text);

/*
 * The protocol modules' location directives call this: a configuration
 * with an exch location and no exch_store fails at configuration time.
 */
void ngx_exch_store_required(ngx_conf_t *cf);

/*
 * The store environment of this worker process, opened in init_process;
 * NULL when it could not be opened (the error log says why): answer 503.
 */
exs_env_t *ngx_exch_store_env(ngx_cycle_t *cycle);


extern ngx_module_t  ngx_exch_core_module;


#define ngx_exch_core_conf(cycle)                                             \
    ((ngx_exch_core_conf_t *) ngx_get_conf((cycle)->conf_ctx,                 \
                                           ngx_exch_core_module))


#endif /* _NGX_EXCH_H_INCLUDED_ */
