
/*
 * exch http module internals, shared by ngx_exch_http_module.c and
 * ngx_exch_auth.c.
 */


#ifndef _NGX_EXCH_HTTP_H_INCLUDED_
#define _NGX_EXCH_HTTP_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_exch.h"


typedef struct ngx_exch_auth_state_s  ngx_exch_auth_state_t;


typedef struct {
    ngx_str_t                 thread_pool_name;
    ngx_thread_pool_t        *thread_pool;
    time_t                    cache_time;
    ngx_uint_t                cache_size;
    ngx_uint_t                failures;
    ngx_msec_t                failure_delay;
    time_t                    failure_window;
    ngx_exch_auth_state_t    *auth;         /* per worker */
} ngx_exch_http_main_conf_t;


typedef struct {
    ngx_flag_t                enabled;      /* an exch location */
    ngx_flag_t                auth;
    ngx_flag_t                trust_remote_user;
    ngx_str_t                 realm;
} ngx_exch_http_loc_conf_t;


typedef struct ngx_exch_auth_ctx_s  ngx_exch_auth_ctx_t;


typedef struct {
    ngx_exch_user_t          *user;
    exs_arena_t              *arena;
    ngx_exch_auth_ctx_t      *auth;
    unsigned                  delayed:1;    /* auth throttled once */
} ngx_exch_ctx_t;


typedef struct {
    ngx_http_request_t       *request;
    ngx_exch_work_pt          work;
    ngx_exch_done_pt          done;
    void                     *data;
} ngx_exch_task_t;


ngx_exch_ctx_t *ngx_exch_ctx(ngx_http_request_t *r);
void ngx_exch_thread_work(void *data, ngx_log_t *log);

ngx_int_t ngx_exch_auth_handler(ngx_http_request_t *r);

/*
 * Checks a login and password against the directory.  NGX_OK: verified
 * from the cache, ngx_exch_user(r) is set.  NGX_AGAIN: the hash runs in a
 * thread and resume(r) is called after, when ngx_exch_auth_result(r) is
 * NGX_OK or NGX_DECLINED.  NGX_DECLINED: refused at once.  NGX_ERROR.
 * Failures are counted and logged here.
 */
ngx_int_t ngx_exch_auth_start(ngx_http_request_t *r, ngx_str_t *login,
    ngx_str_t *password, void (*resume)(ngx_http_request_t *r));
ngx_int_t ngx_exch_auth_result(ngx_http_request_t *r);

/* how long the next attempt for login (or from this client) should wait */
ngx_msec_t ngx_exch_auth_throttle(ngx_http_request_t *r, ngx_str_t *login);
ngx_int_t ngx_exch_auth_init_process(ngx_cycle_t *cycle,
    ngx_exch_http_main_conf_t *hmcf);


#endif /* _NGX_EXCH_HTTP_H_INCLUDED_ */
