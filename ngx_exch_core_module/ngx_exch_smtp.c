
/*
 * exch SMTP module: the nginx workers drain the store's outgoing queue
 * (exs_queue_*, store/exs_mail.h) to the relay named by exch_smtp_relay.
 *
 * Each worker has a timer.  A tick looks at the queue's earliest due time
 * in a read transaction (one cursor step: nothing when the queue is
 * empty), claims due entries with a lease in a short write transaction,
 * and talks SMTP (RFC 5321) to the relay on nginx's own event loop: one
 * connection per message, EHLO (HELO when refused), MAIL FROM, one RCPT TO
 * per recipient, DATA with dot-stuffing, QUIT.  The outcome per recipient
 * goes back in another short write transaction: 2xx done, 5xx failed (the
 * store writes the non-delivery report), 4xx or no answer tried again
 * later with exponential back-off.
 *
 * Nothing is lost: entries stay in the store until the relay took them; a
 * claim that nobody reports on (a worker killed) is due again when its
 * lease ends; a worker that exits gives its claims back.
 *
 * The timer is the fallback: a submission that queues mail wakes one
 * worker at once through the notification bus (the pseudo mailbox
 * EXCH_BUS_QUEUE, ngx_exch_bus.h), which each worker watches from its
 * first tick on.
 *
 * This module is listed before ngx_exch_core_module, so that its
 * exit_process runs while the store is still open; the store is looked up
 * at each tick, after the core module's init_process opened it.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_event_connect.h>

#include "ngx_exch.h"
#include "ngx_exch_bus.h"
#include <exs_mail.h>
#include "exch_smtp.h"


#define NGX_EXCH_SMTP_RCPTS_MAX  100      /* per session (RFC 5321 4.5.3.1.8) */
#define NGX_EXCH_SMTP_BUF_SIZE   16384


typedef struct ngx_exch_smtp_worker_s  ngx_exch_smtp_worker_t;

typedef struct {
    ngx_addr_t               *relay;        /* NULL: no sending */
    ngx_str_t                 helo;
    ngx_msec_t                timeout;
    ngx_msec_t                interval;
    time_t                    retry_min;
    time_t                    retry_max;
    time_t                    give_up;
    ngx_uint_t                connections;
    ngx_exch_smtp_worker_t   *worker;       /* this process's, or NULL */
} ngx_exch_smtp_conf_t;


typedef struct ngx_exch_smtp_session_s  ngx_exch_smtp_session_t;

struct ngx_exch_smtp_worker_s {
    ngx_event_t               tick;
    ngx_exch_watch_t         *watch;        /* "the queue has work" */
    ngx_queue_t               sessions;
    ngx_uint_t                active;
    ngx_exch_smtp_conf_t     *conf;
    ngx_log_t                *log;
};


typedef enum {
    ngx_exch_smtp_greeting = 0,
    ngx_exch_smtp_ehlo,
    ngx_exch_smtp_helo,
    ngx_exch_smtp_mail,
    ngx_exch_smtp_rcpt,
    ngx_exch_smtp_data,
    ngx_exch_smtp_dot,
    ngx_exch_smtp_quit
} ngx_exch_smtp_state_e;


struct ngx_exch_smtp_session_s {
    ngx_queue_t               queue;
    ngx_exch_smtp_worker_t   *worker;
    ngx_pool_t               *pool;
    ngx_log_t                 log;
    ngx_peer_connection_t     peer;
    ngx_event_t               deadline;

    ngx_exch_smtp_state_e     state;
    ngx_buf_t                *in;
    ngx_buf_t                *out;

    uint64_t                  id;
    uint64_t                  token;
    u_char                   *from;
    ngx_uint_t                nrcpts;
    u_char                  **rcpts;        /* NULL: not pending */
    exs_queue_result_t       *results;
    ngx_uint_t                rcpt;         /* the RCPT being answered */
    ngx_uint_t                accepted;
    u_char                   *data;         /* the DATA payload */
    size_t                    data_len;

    unsigned                  reported:1;
};


static void *ngx_exch_smtp_create_conf(ngx_cycle_t *cycle);
static char *ngx_exch_smtp_init_conf(ngx_cycle_t *cycle, void *conf);
static char *ngx_exch_smtp_relay(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_exch_smtp_retry(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_exch_smtp_init_process(ngx_cycle_t *cycle);
static void ngx_exch_smtp_exit_process(ngx_cycle_t *cycle);

static void ngx_exch_smtp_tick(ngx_event_t *ev);
static void ngx_exch_smtp_wake(ngx_exch_watch_t *watch, ngx_uint_t why);
static void ngx_exch_smtp_schedule(ngx_exch_smtp_worker_t *w);
static ngx_int_t ngx_exch_smtp_claim(ngx_exch_smtp_worker_t *w,
    exs_env_t *env);
static void ngx_exch_smtp_start(ngx_exch_smtp_worker_t *w,
    exs_queue_entry_t *e);
static ngx_int_t ngx_exch_smtp_session_init(ngx_exch_smtp_session_t *s,
    exs_queue_entry_t *e);
static void ngx_exch_smtp_read_handler(ngx_event_t *rev);
static void ngx_exch_smtp_write_handler(ngx_event_t *wev);
static void ngx_exch_smtp_deadline(ngx_event_t *ev);
static ngx_int_t ngx_exch_smtp_reply(ngx_exch_smtp_session_t *s,
    exch_smtp_reply_t *r);
static ngx_int_t ngx_exch_smtp_next_rcpt(ngx_exch_smtp_session_t *s);
static ngx_int_t ngx_exch_smtp_command(ngx_exch_smtp_session_t *s,
    const char *fmt, ...);
static ngx_int_t ngx_exch_smtp_send(ngx_exch_smtp_session_t *s);
static void ngx_exch_smtp_answer_all(ngx_exch_smtp_session_t *s, int code,
    u_char *text, size_t len, ngx_uint_t accepted_only);
static void ngx_exch_smtp_close(ngx_exch_smtp_session_t *s,
    const char *failure);
static void ngx_exch_smtp_report(ngx_exch_smtp_session_t *s);
static const char *ngx_exch_smtp_text(ngx_exch_smtp_session_t *s,
    int code, u_char *text, size_t len);


static ngx_command_t  ngx_exch_smtp_commands[] = {

    { ngx_string("exch_smtp_relay"),
      NGX_MAIN_CONF|NGX_DIRECT_CONF|NGX_CONF_TAKE1,
      ngx_exch_smtp_relay,
      0,
      0,
      NULL },

    { ngx_string("exch_smtp_helo"),
      NGX_MAIN_CONF|NGX_DIRECT_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      0,
      offsetof(ngx_exch_smtp_conf_t, helo),
      NULL },

    { ngx_string("exch_smtp_timeout"),
      NGX_MAIN_CONF|NGX_DIRECT_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      0,
      offsetof(ngx_exch_smtp_conf_t, timeout),
      NULL },

    { ngx_string("exch_smtp_interval"),
      NGX_MAIN_CONF|NGX_DIRECT_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      0,
      offsetof(ngx_exch_smtp_conf_t, interval),
      NULL },

    { ngx_string("exch_smtp_retry"),
      NGX_MAIN_CONF|NGX_DIRECT_CONF|NGX_CONF_TAKE23,
      ngx_exch_smtp_retry,
      0,
      0,
      NULL },

    { ngx_string("exch_smtp_connections"),
      NGX_MAIN_CONF|NGX_DIRECT_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      0,
      offsetof(ngx_exch_smtp_conf_t, connections),
      NULL },

      ngx_null_command
};


static ngx_core_module_t  ngx_exch_smtp_module_ctx = {
    ngx_string("exch_smtp"),
    ngx_exch_smtp_create_conf,             /* create conf */
    ngx_exch_smtp_init_conf                /* init conf */
};


ngx_module_t  ngx_exch_smtp_module = {
    NGX_MODULE_V1,
    &ngx_exch_smtp_module_ctx,             /* module context */
    ngx_exch_smtp_commands,                /* module directives */
    NGX_CORE_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_exch_smtp_init_process,            /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_exch_smtp_exit_process,            /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static void *
ngx_exch_smtp_create_conf(ngx_cycle_t *cycle)
{
    ngx_exch_smtp_conf_t  *scf;

    scf = ngx_pcalloc(cycle->pool, sizeof(ngx_exch_smtp_conf_t));
    if (scf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     scf->relay = NULL;
     *     scf->helo = { 0, NULL };
     *     scf->worker = NULL;
     */

    scf->timeout = NGX_CONF_UNSET_MSEC;
    scf->interval = NGX_CONF_UNSET_MSEC;
    scf->retry_min = NGX_CONF_UNSET;
    scf->retry_max = NGX_CONF_UNSET;
    scf->give_up = NGX_CONF_UNSET;
    scf->connections = NGX_CONF_UNSET_UINT;

    return scf;
}


static char *
ngx_exch_smtp_init_conf(ngx_cycle_t *cycle, void *conf)
{
    ngx_exch_smtp_conf_t *scf = conf;

    ngx_conf_init_msec_value(scf->timeout, 60000);
    ngx_conf_init_msec_value(scf->interval, 1000);
    ngx_conf_init_value(scf->retry_min, 60);
    ngx_conf_init_value(scf->retry_max, 3600);
    ngx_conf_init_value(scf->give_up, 5 * 86400);
    ngx_conf_init_uint_value(scf->connections, 4);

    if (scf->helo.data == NULL) {
        scf->helo = cycle->hostname;
    }

    /* the directives have all been read: exch_store is known by now */
    if (scf->relay && ngx_exch_core_conf(cycle)->store.data == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "\"exch_smtp_relay\" needs \"exch_store\": the "
                      "queue is in the store");
        return NGX_CONF_ERROR;
    }

    if (scf->connections == 0 || scf->interval == 0 || scf->timeout == 0) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "\"exch_smtp_connections\", \"exch_smtp_interval\" "
                      "and \"exch_smtp_timeout\" must not be zero");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_exch_smtp_relay(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_exch_smtp_conf_t *scf = conf;

    ngx_str_t  *value;
    ngx_url_t   u;

    if (scf->relay) {
        return "is duplicate";
    }

    value = cf->args->elts;

    ngx_memzero(&u, sizeof(ngx_url_t));
    u.url = value[1];
    u.default_port = 25;

    if (ngx_parse_url(cf->pool, &u) != NGX_OK) {
        if (u.err) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%s in \"%V\"", u.err,
                               &u.url);
        }
        return NGX_CONF_ERROR;
    }

    if (u.naddrs == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "no address for the SMTP relay \"%V\"", &u.url);
        return NGX_CONF_ERROR;
    }

    scf->relay = &u.addrs[0];

    return NGX_CONF_OK;
}


/* exch_smtp_retry MIN MAX [GIVE_UP]; */

static char *
ngx_exch_smtp_retry(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_exch_smtp_conf_t *scf = conf;

    time_t      t[3] = { 0, 0, 0 };
    ngx_str_t  *value;
    ngx_uint_t  i;

    if (scf->retry_min != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        t[i - 1] = ngx_parse_time(&value[i], 1);

        if (t[i - 1] == (time_t) NGX_ERROR || t[i - 1] == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "invalid time \"%V\"",
                               &value[i]);
            return NGX_CONF_ERROR;
        }
    }

    if (t[1] < t[0]) {
        return "wants the longest delay after the first one";
    }

    scf->retry_min = t[0];
    scf->retry_max = t[1];

    if (cf->args->nelts == 4) {
        scf->give_up = t[2];
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_exch_smtp_init_process(ngx_cycle_t *cycle)
{
    ngx_exch_smtp_conf_t    *scf;
    ngx_exch_smtp_worker_t  *w;

    scf = (ngx_exch_smtp_conf_t *) ngx_get_conf(cycle->conf_ctx,
                                                ngx_exch_smtp_module);

    if (scf == NULL || scf->relay == NULL
        || ngx_exch_core_conf(cycle)->store.data == NULL
        || ngx_process == NGX_PROCESS_HELPER)
    {
        return NGX_OK;
    }

    w = ngx_pcalloc(cycle->pool, sizeof(ngx_exch_smtp_worker_t));
    if (w == NULL) {
        return NGX_ERROR;
    }

    ngx_queue_init(&w->sessions);
    w->conf = scf;
    w->log = cycle->log;

    w->tick.handler = ngx_exch_smtp_tick;
    w->tick.data = w;
    w->tick.log = cycle->log;
    w->tick.cancelable = 1;

    scf->worker = w;

    /*
     * workers start a little apart, so they don't all claim at once; the
     * first tick comes soon whatever the interval: it starts watching the
     * queue through the bus
     */
    ngx_add_timer(&w->tick, 100 + (ngx_random()
                                   % (ngx_min(scf->interval, 1000) / 2 + 1)));

    return NGX_OK;
}


/* an exiting worker gives its claims back: due at once for the next */

static void
ngx_exch_smtp_exit_process(ngx_cycle_t *cycle)
{
    int                       rc;
    time_t                    now;
    exs_env_t                *env;
    exs_txn_t                *txn;
    ngx_queue_t              *q;
    ngx_exch_smtp_conf_t     *scf;
    ngx_exch_smtp_worker_t   *w;
    ngx_exch_smtp_session_t  *s;

    scf = (ngx_exch_smtp_conf_t *) ngx_get_conf(cycle->conf_ctx,
                                                ngx_exch_smtp_module);
    w = scf ? scf->worker : NULL;
    env = ngx_exch_store_env(cycle);

    if (w == NULL || env == NULL || ngx_queue_empty(&w->sessions)) {
        return;
    }

    if (exs_txn_begin(env, 0, &txn) != EXS_OK) {
        return;
    }

    now = ngx_time();

    for (q = ngx_queue_head(&w->sessions);
         q != ngx_queue_sentinel(&w->sessions);
         q = ngx_queue_next(q))
    {
        s = ngx_queue_data(q, ngx_exch_smtp_session_t, queue);

        rc = exs_queue_release(txn, s->id, s->token, now);
        if (rc != EXS_OK && rc != EXS_CONFLICT && rc != EXS_NOTFOUND) {
            exs_txn_abort(txn);
            return;
        }
    }

    if (exs_txn_commit(txn) == EXS_OK) {
        ngx_log_error(NGX_LOG_INFO, cycle->log, 0,
                      "exch smtp: %ui queued messages given back",
                      w->active);
    }
}


/* the queue */

static void
ngx_exch_smtp_schedule(ngx_exch_smtp_worker_t *w)
{
    if (ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    if (!w->tick.timer_set) {
        ngx_add_timer(&w->tick, w->conf->interval);
    }
}


static void
ngx_exch_smtp_tick(ngx_event_t *ev)
{
    int                      rc;
    int64_t                  when;
    exs_env_t               *env;
    exs_txn_t               *txn;
    ngx_exch_smtp_worker_t  *w;

    w = ev->data;

    env = ngx_exch_store_env((ngx_cycle_t *) ngx_cycle);

    if (env == NULL || w->active >= w->conf->connections) {
        ngx_exch_smtp_schedule(w);
        return;
    }

    if (w->watch == NULL && !ngx_exiting) {
        w->watch = ngx_exch_watch_create(ngx_cycle->pool, 1,
                                         ngx_exch_smtp_wake, w, w->log);

        if (w->watch == NULL
            || ngx_exch_watch_mailbox(w->watch, EXCH_BUS_QUEUE, 0) != NGX_OK
            || ngx_exch_park(w->watch, 0) != NGX_OK)
        {
            ngx_log_error(NGX_LOG_ERR, ev->log, 0,
                          "exch smtp: cannot watch the queue; it is "
                          "looked at every %M ms", w->conf->interval);
        }
    }

    /* the cheap look: is anything due? */

    rc = exs_txn_begin(env, EXS_TXN_RDONLY, &txn);
    if (rc != EXS_OK) {
        ngx_exch_smtp_schedule(w);
        return;
    }

    rc = exs_queue_next(txn, &when);
    exs_txn_abort(txn);

    if (rc == EXS_OK && when <= (int64_t) ngx_time()) {
        (void) ngx_exch_smtp_claim(w, env);

    } else if (rc != EXS_OK && rc != EXS_NOTFOUND) {
        ngx_log_error(NGX_LOG_ERR, ev->log, 0,
                      "exch smtp: reading the queue: %s", exs_strerror(rc));
    }

    ngx_exch_smtp_schedule(w);
}


/* a submission queued mail (or an entry was kicked or given back) */

static void
ngx_exch_smtp_wake(ngx_exch_watch_t *watch, ngx_uint_t why)
{
    ngx_exch_smtp_worker_t  *w;

    w = watch->data;

    if (why & NGX_EXCH_WAKE_EXIT) {
        ngx_exch_unpark(watch);
        return;
    }

    if (w->tick.timer_set) {
        ngx_del_timer(&w->tick);
    }

    ngx_exch_smtp_tick(&w->tick);
}


static ngx_int_t
ngx_exch_smtp_claim(ngx_exch_smtp_worker_t *w, exs_env_t *env)
{
    int                 rc;
    int64_t             lease;
    uint32_t            i, n;
    exs_txn_t          *txn;
    exs_arena_t        *a;
    exs_queue_entry_t  *e;

    a = exs_arena_create(65536);
    if (a == NULL) {
        return NGX_ERROR;
    }

    /* longer than any session may last (its deadline timer) */
    lease = (int64_t) (w->conf->timeout * 10 / 1000) + 5;

    rc = exs_txn_begin(env, 0, &txn);

    if (rc == EXS_OK) {
        rc = exs_queue_claim(txn, ngx_time(), lease,
                             (uint32_t) (w->conf->connections - w->active),
                             &e, &n, a);
        if (rc == EXS_OK) {
            rc = exs_txn_commit(txn);
        } else {
            exs_txn_abort(txn);
        }
    }

    if (rc != EXS_OK) {
        ngx_log_error(NGX_LOG_ERR, w->log, 0,
                      "exch smtp: claiming queued mail: %s",
                      exs_strerror(rc));
        exs_arena_destroy(a);
        return NGX_ERROR;
    }

    for (i = 0; i < n; i++) {
        ngx_exch_smtp_start(w, &e[i]);
    }

    exs_arena_destroy(a);

    return NGX_OK;
}


/* a session: one message to the relay */

static void
ngx_exch_smtp_start(ngx_exch_smtp_worker_t *w, exs_queue_entry_t *e)
{
    ngx_int_t                 rc;
    ngx_pool_t               *pool;
    ngx_connection_t         *c;
    ngx_exch_smtp_session_t  *s;

    pool = ngx_create_pool(4096, w->log);
    if (pool == NULL) {
        return;                         /* the lease ends; tried again */
    }

    s = ngx_pcalloc(pool, sizeof(ngx_exch_smtp_session_t));
    if (s == NULL) {
        ngx_destroy_pool(pool);
        return;
    }

    s->pool = pool;
    s->worker = w;
    s->log = *w->log;
    s->id = e->id;
    s->token = e->token;
    pool->log = &s->log;

    if (ngx_exch_smtp_session_init(s, e) != NGX_OK) {
        ngx_destroy_pool(pool);
        return;
    }

    ngx_queue_insert_tail(&w->sessions, &s->queue);
    w->active++;

    s->deadline.handler = ngx_exch_smtp_deadline;
    s->deadline.data = s;
    s->deadline.log = &s->log;
    ngx_add_timer(&s->deadline, w->conf->timeout * 10);

    s->peer.sockaddr = w->conf->relay->sockaddr;
    s->peer.socklen = w->conf->relay->socklen;
    s->peer.name = &w->conf->relay->name;
    s->peer.get = ngx_event_get_peer;
    s->peer.log = &s->log;
    s->peer.log_error = NGX_ERROR_ERR;

    rc = ngx_event_connect_peer(&s->peer);

    if (rc == NGX_ERROR || rc == NGX_BUSY || rc == NGX_DECLINED) {
        ngx_exch_smtp_close(s, "cannot connect to the mail relay");
        return;
    }

    c = s->peer.connection;
    c->data = s;
    c->log = &s->log;
    c->read->log = &s->log;
    c->write->log = &s->log;
    c->read->handler = ngx_exch_smtp_read_handler;
    c->write->handler = ngx_exch_smtp_write_handler;

    s->state = ngx_exch_smtp_greeting;

    ngx_add_timer(c->read, w->conf->timeout);

    if (c->read->ready) {
        ngx_exch_smtp_read_handler(c->read);
    }
}


static ngx_int_t
ngx_exch_smtp_session_init(ngx_exch_smtp_session_t *s, exs_queue_entry_t *e)
{
    size_t      len;
    ngx_uint_t  i, tried;

    len = ngx_strlen(e->from);

    s->from = ngx_pnalloc(s->pool, len + 1);
    s->rcpts = ngx_pcalloc(s->pool, e->nrcpts * sizeof(u_char *));
    s->results = ngx_pcalloc(s->pool,
                             e->nrcpts * sizeof(exs_queue_result_t));
    s->in = ngx_create_temp_buf(s->pool, NGX_EXCH_SMTP_BUF_SIZE);
    s->data = ngx_pnalloc(s->pool, exch_smtp_data_len(e->mime.len));

    if (s->from == NULL || s->rcpts == NULL || s->results == NULL
        || s->in == NULL || s->data == NULL)
    {
        return NGX_ERROR;
    }

    ngx_memcpy(s->from, e->from, len + 1);

    if (!exch_smtp_addr_ok((const char *) s->from)) {
        s->from[0] = '\0';              /* the null reverse-path */
    }

    s->nrcpts = e->nrcpts;
    tried = 0;

    for (i = 0; i < e->nrcpts; i++) {
        s->results[i].code = -1;        /* not tried */

        if (e->rcpts[i].state != EXS_QRCPT_PENDING) {
            continue;
        }

        if (!exch_smtp_addr_ok(e->rcpts[i].address)) {
            s->results[i].code = 553;
            s->results[i].reply = "5.1.3 bad recipient address syntax";
            continue;
        }

        if (tried == NGX_EXCH_SMTP_RCPTS_MAX) {
            continue;
        }

        len = ngx_strlen(e->rcpts[i].address);

        s->rcpts[i] = ngx_pnalloc(s->pool, len + 1);
        if (s->rcpts[i] == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(s->rcpts[i], e->rcpts[i].address, len + 1);
        tried++;
    }

    s->data_len = exch_smtp_data(e->mime.data, e->mime.len, s->data);

    return NGX_OK;
}


static void
ngx_exch_smtp_deadline(ngx_event_t *ev)
{
    ngx_exch_smtp_session_t  *s;

    s = ev->data;

    ngx_exch_smtp_close(s, "the mail relay took too long");
}


static void
ngx_exch_smtp_read_handler(ngx_event_t *rev)
{
    ssize_t                   n;
    ngx_int_t                 rc;
    ngx_connection_t         *c;
    exch_smtp_reply_t         r;
    ngx_exch_smtp_session_t  *s;

    c = rev->data;
    s = c->data;

    if (rev->timedout) {
        ngx_exch_smtp_close(s, "no answer from the mail relay");
        return;
    }

    for ( ;; ) {
        if (s->in->last == s->in->end) {
            ngx_exch_smtp_close(s, "the mail relay's answer is too long");
            return;
        }

        n = c->recv(c, s->in->last, s->in->end - s->in->last);

        if (n == NGX_AGAIN) {
            break;
        }

        if (n == NGX_ERROR || n == 0) {
            ngx_exch_smtp_close(s, "the mail relay closed the connection");
            return;
        }

        s->in->last += n;

        /* the replies that are complete; one per command we sent */

        for ( ;; ) {
            rc = exch_smtp_reply_parse(s->in->pos, s->in->last - s->in->pos,
                                       &r);

            if (rc == EXCH_SMTP_AGAIN) {
                break;
            }

            if (rc == EXCH_SMTP_BAD) {
                ngx_exch_smtp_close(s, "the mail relay does not speak SMTP");
                return;
            }

            s->in->pos += r.consumed;

            if (rev->timer_set) {
                ngx_del_timer(rev);
            }

            if (ngx_exch_smtp_reply(s, &r) == NGX_DONE) {
                return;                 /* s is gone */
            }
        }

        if (s->in->pos == s->in->last) {
            s->in->pos = s->in->start;
            s->in->last = s->in->start;
        }
    }

    if (ngx_handle_read_event(rev, 0) != NGX_OK) {
        ngx_exch_smtp_close(s, "event error");
    }
}


static void
ngx_exch_smtp_write_handler(ngx_event_t *wev)
{
    ngx_connection_t         *c;
    ngx_exch_smtp_session_t  *s;

    c = wev->data;
    s = c->data;

    if (wev->timedout) {
        ngx_exch_smtp_close(s, "the mail relay does not read");
        return;
    }

    if (s->out && s->out->pos < s->out->last) {
        (void) ngx_exch_smtp_send(s);
    }
}


/* one complete reply: the state machine of RFC 5321 4.3.2 */

static ngx_int_t
ngx_exch_smtp_reply(ngx_exch_smtp_session_t *s, exch_smtp_reply_t *r)
{
    ngx_exch_smtp_conf_t  *conf;

    conf = s->worker->conf;

    ngx_log_debug4(NGX_LOG_DEBUG_EVENT, &s->log, 0,
                   "exch smtp: state %d reply %d \"%*s\"", (int) s->state,
                   r->code, r->text_len, r->text);

    switch (s->state) {

    case ngx_exch_smtp_greeting:
        if (r->code != 220) {
            /* a relay that won't talk to us is our configuration's
             * problem, never the recipients': try again */
            ngx_exch_smtp_answer_all(s, r->code / 100 == 5 ? 421 : r->code,
                                   (u_char *) r->text, r->text_len, 0);
            ngx_exch_smtp_close(s, NULL);
            return NGX_DONE;
        }

        s->state = ngx_exch_smtp_ehlo;
        return ngx_exch_smtp_command(s, "EHLO %V\r\n", &conf->helo);

    case ngx_exch_smtp_ehlo:
        if (r->code / 100 != 2) {
            s->state = ngx_exch_smtp_helo;
            return ngx_exch_smtp_command(s, "HELO %V\r\n", &conf->helo);
        }

        /* fall through */

    case ngx_exch_smtp_helo:
        if (r->code / 100 != 2) {
            ngx_exch_smtp_answer_all(s, r->code / 100 == 5 ? 421 : r->code,
                                   (u_char *) r->text, r->text_len, 0);
            ngx_exch_smtp_close(s, NULL);
            return NGX_DONE;
        }

        s->state = ngx_exch_smtp_mail;
        return ngx_exch_smtp_command(s, "MAIL FROM:<%s>\r\n", s->from);

    case ngx_exch_smtp_mail:
        if (r->code / 100 != 2) {
            ngx_exch_smtp_answer_all(s, r->code, (u_char *) r->text,
                                   r->text_len, 0);
            s->state = ngx_exch_smtp_quit;
            return ngx_exch_smtp_command(s, "QUIT\r\n");
        }

        s->state = ngx_exch_smtp_rcpt;
        s->rcpt = 0;

        return ngx_exch_smtp_next_rcpt(s);

    case ngx_exch_smtp_rcpt:
        s->results[s->rcpt].code = r->code;
        s->results[s->rcpt].reply = ngx_exch_smtp_text(s, r->code,
                                                       (u_char *) r->text,
                                                       r->text_len);
        if (r->code / 100 == 2) {
            s->accepted++;
        }

        s->rcpt++;

        return ngx_exch_smtp_next_rcpt(s);

    case ngx_exch_smtp_data:
        if (r->code != 354) {
            ngx_exch_smtp_answer_all(s, r->code, (u_char *) r->text,
                                   r->text_len, 1);
            s->state = ngx_exch_smtp_quit;
            return ngx_exch_smtp_command(s, "QUIT\r\n");
        }

        s->state = ngx_exch_smtp_dot;

        s->out = ngx_calloc_buf(s->pool);
        if (s->out == NULL) {
            ngx_exch_smtp_close(s, "out of memory");
            return NGX_DONE;
        }

        s->out->pos = s->data;
        s->out->last = s->data + s->data_len;
        s->out->memory = 1;

        return ngx_exch_smtp_send(s);

    case ngx_exch_smtp_dot:
        /* the answer for every accepted recipient (RFC 5321 3.3) */
        ngx_exch_smtp_answer_all(s, r->code, (u_char *) r->text, r->text_len,
                               1);
        s->state = ngx_exch_smtp_quit;
        return ngx_exch_smtp_command(s, "QUIT\r\n");

    case ngx_exch_smtp_quit:
        ngx_exch_smtp_close(s, NULL);
        return NGX_DONE;
    }

    return NGX_OK;
}


/* RCPT TO for the next recipient to try, or DATA (or QUIT) after them */

static ngx_int_t
ngx_exch_smtp_next_rcpt(ngx_exch_smtp_session_t *s)
{
    while (s->rcpt < s->nrcpts && s->rcpts[s->rcpt] == NULL) {
        s->rcpt++;
    }

    if (s->rcpt < s->nrcpts) {
        return ngx_exch_smtp_command(s, "RCPT TO:<%s>\r\n",
                                     s->rcpts[s->rcpt]);
    }

    if (s->accepted == 0) {
        s->state = ngx_exch_smtp_quit;
        return ngx_exch_smtp_command(s, "QUIT\r\n");
    }

    s->state = ngx_exch_smtp_data;

    return ngx_exch_smtp_command(s, "DATA\r\n");
}


static ngx_int_t
ngx_exch_smtp_command(ngx_exch_smtp_session_t *s, const char *fmt, ...)
{
    u_char   *p, *last;
    va_list   args;

    if (s->out == NULL || s->out->end - s->out->start < 1024) {
        s->out = ngx_create_temp_buf(s->pool, 1024);
        if (s->out == NULL) {
            ngx_exch_smtp_close(s, "out of memory");
            return NGX_DONE;
        }
    }

    p = s->out->start;

    va_start(args, fmt);
    last = ngx_vslprintf(p, s->out->end, fmt, args);
    va_end(args);

    s->out->pos = p;
    s->out->last = last;

    return ngx_exch_smtp_send(s);
}


/* NGX_OK: all out; NGX_AGAIN: the rest when writable; NGX_DONE: the
 * session ended (s is gone) */

static ngx_int_t
ngx_exch_smtp_send(ngx_exch_smtp_session_t *s)
{
    ssize_t            n;
    ngx_connection_t  *c;

    c = s->peer.connection;

    while (s->out->pos < s->out->last) {
        n = c->send(c, s->out->pos, s->out->last - s->out->pos);

        if (n == NGX_ERROR) {
            ngx_exch_smtp_close(s, "writing to the mail relay failed");
            return NGX_DONE;
        }

        if (n == NGX_AGAIN || n == 0) {
            ngx_add_timer(c->write, s->worker->conf->timeout);

            if (ngx_handle_write_event(c->write, 0) != NGX_OK) {
                ngx_exch_smtp_close(s, "event error");
                return NGX_DONE;
            }

            return NGX_AGAIN;
        }

        s->out->pos += n;
    }

    if (c->write->timer_set) {
        ngx_del_timer(c->write);
    }

    /* the whole command is out: its answer is due */
    ngx_add_timer(c->read, s->worker->conf->timeout);

    return NGX_OK;
}


/* one answer for every recipient still without one (accepted_only: for
 * those the relay accepted at RCPT, as the answer to DATA is) */

static void
ngx_exch_smtp_answer_all(ngx_exch_smtp_session_t *s, int code, u_char *text,
    size_t len, ngx_uint_t accepted_only)
{
    ngx_uint_t   i;
    const char  *reply;

    reply = ngx_exch_smtp_text(s, code, text, len);

    for (i = 0; i < s->nrcpts; i++) {
        if (s->rcpts[i] == NULL) {
            continue;
        }

        if (accepted_only) {
            if (s->results[i].code / 100 != 2) {
                continue;
            }

        } else if (s->results[i].code != -1) {
            continue;
        }

        s->results[i].code = code;
        s->results[i].reply = reply;
    }
}


static const char *
ngx_exch_smtp_text(ngx_exch_smtp_session_t *s, int code, u_char *text,
    size_t len)
{
    u_char  *p, *last;

    if (len > 400) {
        len = 400;
    }

    p = ngx_pnalloc(s->pool, len + 8);
    if (p == NULL) {
        return NULL;
    }

    last = ngx_sprintf(p, "%d %*s", code, len, text);
    *last = '\0';

    return (const char *) p;
}


/* the end of a session: failure says why when it ended early */

static void
ngx_exch_smtp_close(ngx_exch_smtp_session_t *s, const char *failure)
{
    ngx_uint_t               i;
    ngx_exch_smtp_worker_t  *w;

    w = s->worker;

    if (failure) {
        ngx_log_error(NGX_LOG_ERR, &s->log, 0,
                      "exch smtp: queue %uL: %s (%V)", s->id, failure,
                      &w->conf->relay->name);

        /* no answer: every recipient tried here waits for another try;
         * a relay that accepted the end of DATA has taken the message */

        for (i = 0; i < s->nrcpts; i++) {
            if (s->rcpts[i] == NULL) {
                continue;
            }

            if (s->state == ngx_exch_smtp_quit
                && s->results[i].code / 100 == 2)
            {
                continue;
            }

            if (s->results[i].code == -1 || s->results[i].code / 100 == 2) {
                s->results[i].code = 0;
                s->results[i].reply = failure;
            }
        }
    }

    if (s->peer.connection) {
        ngx_close_connection(s->peer.connection);
        s->peer.connection = NULL;
    }

    if (s->deadline.timer_set) {
        ngx_del_timer(&s->deadline);
    }

    if (!s->reported) {
        s->reported = 1;
        ngx_exch_smtp_report(s);
    }

    ngx_queue_remove(&s->queue);
    w->active--;

    ngx_destroy_pool(s->pool);

    /* a free connection: more may be due */
    if (!ngx_exiting && !ngx_quit && !ngx_terminate && w->tick.timer_set
        && ngx_queue_empty(&w->sessions))
    {
        ngx_del_timer(&w->tick);
        ngx_add_timer(&w->tick, 1);
    }
}


static void
ngx_exch_smtp_report(ngx_exch_smtp_session_t *s)
{
    int                      rc;
    exs_env_t               *env;
    exs_txn_t               *txn;
    ngx_uint_t               i;
    exs_arena_t             *a;
    ngx_uint_t               level;
    exs_queue_policy_t       policy;
    ngx_exch_smtp_conf_t    *conf;

    conf = s->worker->conf;

    for (i = 0; i < s->nrcpts; i++) {
        if (s->rcpts[i] && s->results[i].code != -1) {
            level = s->results[i].code / 100 == 2 ? NGX_LOG_INFO
                                                  : NGX_LOG_WARN;

            ngx_log_error(level, &s->log, 0, "exch smtp: queue %uL: <%s>: %s",
                          s->id, s->rcpts[i],
                          s->results[i].reply ? s->results[i].reply : "");
        }
    }

    env = ngx_exch_store_env((ngx_cycle_t *) ngx_cycle);
    if (env == NULL) {
        return;
    }

    a = exs_arena_create(4096);
    if (a == NULL) {
        return;
    }

    policy.retry_min = conf->retry_min;
    policy.retry_max = conf->retry_max;
    policy.give_up = conf->give_up;

    rc = exs_txn_begin(env, 0, &txn);

    if (rc == EXS_OK) {
        rc = exs_queue_done(txn, s->id, s->token, s->results,
                            (uint32_t) s->nrcpts, ngx_time(), &policy, a);

        if (rc == EXS_OK) {
            rc = exs_txn_commit(txn);
        } else {
            exs_txn_abort(txn);
        }
    }

    exs_arena_destroy(a);

    if (rc == EXS_CONFLICT) {
        ngx_log_error(NGX_LOG_WARN, &s->log, 0,
                      "exch smtp: queue %uL: the claim had expired", s->id);

    } else if (rc != EXS_OK) {
        ngx_log_error(NGX_LOG_ERR, &s->log, 0,
                      "exch smtp: queue %uL: recording the outcome: %s "
                      "(it is tried again)", s->id, exs_strerror(rc));
    }
}
