
/*
 * exch: what the protocol modules share with the core and http modules.
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
    ngx_msec_t                notify_poll;  /* the bus's safety poll */
    exs_env_t                *env;          /* this worker's environment */
    void                     *bus;          /* this worker's notification
                                               bus (ngx_exch_bus.c) */
} ngx_exch_core_conf_t;


/* the user a request acts for, set by the access phase (ngx_exch_auth.c) */

typedef struct {
    uint32_t                  id;           /* directory id */
    uint32_t                  mailbox;
    ngx_str_t                 address;      /* primary SMTP address */
    ngx_str_t                 name;         /* display name */
    ngx_str_t                 legacy_dn;
    u_char                    guid[16];     /* mailbox GUID */
} ngx_exch_user_t;


typedef void (*ngx_exch_work_pt)(void *data, ngx_log_t *log);
typedef void (*ngx_exch_done_pt)(ngx_http_request_t *r, void *data);


ngx_int_t ngx_exch_send_text(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *text);

/* the authenticated user of r, or NULL where the location has no auth */
ngx_exch_user_t *ngx_exch_user(ngx_http_request_t *r);

/* an arena for store results, freed with r's pool */
exs_arena_t *ngx_exch_arena(ngx_http_request_t *r);

/*
 * Runs work(data) in the exch thread pool; back in the event loop, calls
 * done(r, data), or resumes the request's write_event_handler when done is
 * NULL.  The request is held (r->main->blocked) meanwhile.
 */
ngx_int_t ngx_exch_thread_run(ngx_http_request_t *r, ngx_exch_work_pt work,
    ngx_exch_done_pt done, void *data);

/*
 * Reads the request body for a content handler and calls post: 413 at
 * once when Content-Length says more than max; bodies larger than the
 * buffer go to a temporary file quietly (our protocols expect them).
 * Returns what the content handler returns.
 */
ngx_int_t ngx_exch_read_body(ngx_http_request_t *r, size_t max,
    ngx_http_client_body_handler_pt post);

/*
 * The request body read by ngx_http_read_client_request_body() as one
 * piece of memory (what was spooled to a temporary file is read back);
 * NGX_DECLINED when it is larger than max.
 */
ngx_int_t ngx_exch_request_body(ngx_http_request_t *r, size_t max,
    ngx_str_t *body);

/* a response from memory: status, type and body (copied to r's pool
 * when copy is set); finalizes nothing, returns what the filters return */
ngx_int_t ngx_exch_send(ngx_http_request_t *r, ngx_uint_t status,
    const char *type, const void *data, size_t len, ngx_uint_t copy);

/* called by each protocol directive: marks the location as an exch one
 * (authenticated, needing the store) */
void ngx_exch_http_enable(ngx_conf_t *cf);

/* fills user from the directory entry, copying into r's pool */
ngx_int_t ngx_exch_user_from_dirent(ngx_pool_t *pool, ngx_exch_user_t *user,
    exs_dirent_t *e);

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
extern ngx_module_t  ngx_exch_http_module;


#define ngx_exch_core_conf(cycle)                                             \
    ((ngx_exch_core_conf_t *) ngx_get_conf((cycle)->conf_ctx,                 \
                                           ngx_exch_core_module))



#endif /* _NGX_EXCH_H_INCLUDED_ */
