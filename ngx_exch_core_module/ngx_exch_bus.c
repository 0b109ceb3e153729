
/*
 * exch: the notification bus in each worker (ngx_exch_bus.h, DESIGN.md
 * section 4).
 *
 * In init_process the worker binds a UNIX datagram socket STORE/run/PID.sock
 * (after sweeping what dead workers left there and in the registry), adds
 * it to its event loop, and attaches the sender to the store's commit
 * hook.  Parked watches hang off one node per watched mailbox in a red-black
 * tree; a node is registered in the shared registry while it has watches
 * (and a minute after, so a client that asks again at once costs no
 * registry write).  A datagram "mailbox M changed up to CN" wakes the
 * watches of M that heard of less; the safety poll reads every watched
 * mailbox's newest change number now and then, as if a datagram had come.
 *
 * The socket's connection is marked idle: when the worker is told to shut
 * down gracefully, nginx calls its handler with c->close, and every parked
 * watch is woken with NGX_EXCH_WAKE_EXIT so the worker need not wait for
 * their timeouts.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>

#include <sys/socket.h>
#include <sys/un.h>

#include "ngx_exch_bus.h"


/* a node without watches stays registered this long */
#define NGX_EXCH_BUS_LINGER      60
/* how often the state environment's expired entries are swept */
#define NGX_EXCH_BUS_SWEEP       60
/* datagrams read per turn of the event loop */
#define NGX_EXCH_BUS_READS       256


typedef struct {
    ngx_rbtree_node_t         rbnode;       /* key: the mailbox */
    ngx_queue_t               links;
    ngx_uint_t                nlinks;
    uint64_t                  cn;           /* the newest heard of */
    time_t                    idle;         /* since when without links */
    unsigned                  registered:1;
} ngx_exch_bus_node_t;


typedef struct {
    ngx_rbtree_t              tree;
    ngx_rbtree_node_t         sentinel;
    ngx_queue_t               parked;
    ngx_uint_t                nparked;
    ngx_connection_t         *conn;
    ngx_event_t               poll;
    ngx_msec_t                poll_interval;
    time_t                    swept;
    exch_bus_t               *sender;
    exs_env_t                *env;
    uint32_t                  pid;
    ngx_log_t                *log;
    unsigned                  exiting:1;
    char                      path[EXCH_BUS_PATH_MAX];
} ngx_exch_bus_t;


static ngx_exch_bus_t *ngx_exch_bus(void);
static ngx_int_t ngx_exch_bus_bind(ngx_exch_bus_t *bus, ngx_cycle_t *cycle);
static void ngx_exch_bus_read(ngx_event_t *rev);
static void ngx_exch_bus_shutdown(ngx_exch_bus_t *bus);
static void ngx_exch_bus_announce(ngx_exch_bus_t *bus, uint32_t mailbox,
    uint64_t cn);
static void ngx_exch_bus_poll(ngx_event_t *ev);
static void ngx_exch_bus_exiting(ngx_exch_bus_t *bus);
static ngx_exch_bus_node_t *ngx_exch_bus_node(ngx_exch_bus_t *bus,
    uint32_t mailbox, ngx_uint_t create);
static void ngx_exch_bus_node_free(ngx_exch_bus_t *bus,
    ngx_exch_bus_node_t *node);
static ngx_int_t ngx_exch_bus_link(ngx_exch_bus_t *bus, ngx_exch_link_t *l);
static void ngx_exch_bus_unlink(ngx_exch_bus_t *bus, ngx_exch_link_t *l);
static void ngx_exch_bus_check(ngx_exch_bus_t *bus, ngx_exch_link_t *l);
static void ngx_exch_watch_wake(ngx_exch_watch_t *w, ngx_uint_t why);
static void ngx_exch_watch_wake_handler(ngx_event_t *ev);
static void ngx_exch_watch_timer_handler(ngx_event_t *ev);
static void ngx_exch_watch_cleanup(void *data);


static ngx_exch_bus_t *
ngx_exch_bus(void)
{
    ngx_exch_core_conf_t  *ccf;

    ccf = ngx_exch_core_conf((ngx_cycle_t *) ngx_cycle);

    return ccf ? ccf->bus : NULL;
}


ngx_int_t
ngx_exch_bus_init(ngx_cycle_t *cycle, exs_env_t *env, ngx_msec_t poll)
{
    int                    rc;
    ngx_exch_bus_t        *bus;
    ngx_exch_core_conf_t  *ccf;

    ccf = ngx_exch_core_conf(cycle);

    bus = ngx_pcalloc(cycle->pool, sizeof(ngx_exch_bus_t));
    if (bus == NULL) {
        return NGX_ERROR;
    }

    ngx_rbtree_init(&bus->tree, &bus->sentinel, ngx_rbtree_insert_value);
    ngx_queue_init(&bus->parked);

    bus->env = env;
    bus->pid = (uint32_t) ngx_pid;
    bus->log = cycle->log;
    bus->poll_interval = poll;
    bus->swept = ngx_time();

    rc = exch_bus_sweep(env, bus->pid);
    if (rc != EXS_OK) {
        ngx_log_error(NGX_LOG_WARN, cycle->log, 0,
                      "exch bus: cannot sweep the registry: %s",
                      exs_strerror(rc));
    }

    if (ngx_exch_bus_bind(bus, cycle) != NGX_OK) {
        /* watches still work, by the safety poll alone */
        bus->conn = NULL;
    }

    bus->sender = exch_bus_attach(env);
    if (bus->sender == NULL) {
        ngx_log_error(NGX_LOG_ERR, cycle->log, ngx_errno,
                      "exch bus: cannot make the sending socket");
    }

    bus->poll.handler = ngx_exch_bus_poll;
    bus->poll.data = bus;
    bus->poll.log = cycle->log;
    bus->poll.cancelable = 1;

    ngx_add_timer(&bus->poll, bus->poll_interval);

    ccf->bus = bus;

    return NGX_OK;
}


static ngx_int_t
ngx_exch_bus_bind(ngx_exch_bus_t *bus, ngx_cycle_t *cycle)
{
    int                  fd;
    char                 run[EXCH_BUS_PATH_MAX];
    ngx_event_t         *rev;
    ngx_connection_t    *c;
    struct sockaddr_un   sa;

    if (exch_bus_run_dir(exs_env_dir(bus->env), run, sizeof(run))
        != EXCH_BUS_OK
        || exch_bus_path(exs_env_dir(bus->env), bus->pid, bus->path,
                         sizeof(bus->path))
           != EXCH_BUS_OK)
    {
        ngx_log_error(NGX_LOG_ERR, cycle->log, 0,
                      "exch bus: the store path \"%s\" is too long for a "
                      "socket; notifications come by polling only",
                      exs_env_dir(bus->env));
        bus->path[0] = '\0';
        return NGX_ERROR;
    }

    if (mkdir(run, 0770) == -1 && ngx_errno != NGX_EEXIST) {
        ngx_log_error(NGX_LOG_ERR, cycle->log, ngx_errno,
                      "exch bus: mkdir(\"%s\") failed", run);
        bus->path[0] = '\0';
        return NGX_ERROR;
    }

    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd == -1) {
        ngx_log_error(NGX_LOG_ERR, cycle->log, ngx_socket_errno,
                      "exch bus: socket() failed");
        bus->path[0] = '\0';
        return NGX_ERROR;
    }

    ngx_memzero(&sa, sizeof(struct sockaddr_un));
    sa.sun_family = AF_UNIX;
    ngx_cpystrn((u_char *) sa.sun_path, (u_char *) bus->path,
                sizeof(sa.sun_path));

    (void) unlink(bus->path);

    if (bind(fd, (struct sockaddr *) &sa, sizeof(struct sockaddr_un)) == -1)
    {
        ngx_log_error(NGX_LOG_ERR, cycle->log, ngx_socket_errno,
                      "exch bus: bind(\"%s\") failed", bus->path);
        close(fd);
        bus->path[0] = '\0';
        return NGX_ERROR;
    }

    /* exchctl may run as another user of the store's group */
    (void) chmod(bus->path, 0660);

    c = ngx_get_connection(fd, cycle->log);
    if (c == NULL) {
        close(fd);
        (void) unlink(bus->path);
        bus->path[0] = '\0';
        return NGX_ERROR;
    }

    c->data = bus;
    c->idle = 1;

    rev = c->read;
    rev->handler = ngx_exch_bus_read;
    rev->log = cycle->log;

    if (ngx_handle_read_event(rev, 0) != NGX_OK) {
        ngx_close_connection(c);
        (void) unlink(bus->path);
        bus->path[0] = '\0';
        return NGX_ERROR;
    }

    bus->conn = c;

    return NGX_OK;
}


void
ngx_exch_bus_exit(ngx_cycle_t *cycle)
{
    ngx_exch_bus_t        *bus;
    ngx_exch_watch_t      *w;
    ngx_rbtree_node_t     *n, *next;
    ngx_exch_core_conf_t  *ccf;

    ccf = ngx_exch_core_conf(cycle);
    bus = ccf ? ccf->bus : NULL;

    if (bus == NULL) {
        return;
    }

    if (bus->conn) {
        ngx_close_connection(bus->conn);
        bus->conn = NULL;
    }

    if (bus->path[0]) {
        (void) unlink(bus->path);
        bus->path[0] = '\0';
    }

    /* what is still parked is let go here: the pools that hold the
     * watches go later, when ngx_cycle no longer leads to the bus */

    while (!ngx_queue_empty(&bus->parked)) {
        w = ngx_queue_data(ngx_queue_head(&bus->parked), ngx_exch_watch_t,
                           queue);
        ngx_exch_unpark(w);
    }

    if (bus->tree.root != bus->tree.sentinel) {
        for (n = ngx_rbtree_min(bus->tree.root, bus->tree.sentinel);
             n;
             n = next)
        {
            next = ngx_rbtree_next(&bus->tree, n);
            ngx_exch_bus_node_free(bus, (ngx_exch_bus_node_t *) n);
        }
    }

    if (bus->poll.timer_set) {
        ngx_del_timer(&bus->poll);
    }

    exch_bus_detach(bus->sender);
    bus->sender = NULL;

    ccf->bus = NULL;
}


static void
ngx_exch_bus_read(ngx_event_t *rev)
{
    ssize_t            n;
    uint32_t           i, nitems;
    ngx_uint_t         reads;
    ngx_err_t          err;
    ngx_exch_bus_t    *bus;
    exch_bus_item_t    items[EXCH_BUS_ITEMS_MAX];
    ngx_connection_t  *c;
    u_char             buf[EXCH_BUS_DGRAM_MAX + 1];

    c = rev->data;
    bus = c->data;

    if (c->close) {
        ngx_exch_bus_shutdown(bus);
        return;
    }

    for (reads = 0; reads < NGX_EXCH_BUS_READS; reads++) {
        n = recv(c->fd, buf, sizeof(buf), 0);

        if (n == -1) {
            err = ngx_socket_errno;

            if (err == NGX_EINTR) {
                continue;
            }

            if (err != NGX_EAGAIN) {
                ngx_log_error(NGX_LOG_ERR, rev->log, err,
                              "exch bus: recv() failed");
            }

            break;
        }

        if (exch_bus_decode(buf, (size_t) n, items, EXCH_BUS_ITEMS_MAX,
                            &nitems)
            != EXCH_BUS_OK)
        {
            ngx_log_error(NGX_LOG_INFO, rev->log, 0,
                          "exch bus: a datagram of %z bytes that is not "
                          "ours", n);
            continue;
        }

        for (i = 0; i < nitems; i++) {
            ngx_exch_bus_announce(bus, items[i].mailbox, items[i].cn);
        }
    }

    if (reads == NGX_EXCH_BUS_READS) {
        /* more may wait: after the other events of this turn */
        ngx_post_event(rev, &ngx_posted_events);
        return;
    }

    if (ngx_handle_read_event(rev, 0) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, rev->log, 0,
                      "exch bus: cannot wait for datagrams; notifications "
                      "come by polling only");
    }
}


/* the worker is shutting down gracefully: answer every parked watch */

static void
ngx_exch_bus_shutdown(ngx_exch_bus_t *bus)
{
    ngx_queue_t       *q;
    ngx_exch_watch_t  *w;

    bus->exiting = 1;

    for (q = ngx_queue_head(&bus->parked);
         q != ngx_queue_sentinel(&bus->parked);
         q = ngx_queue_next(q))
    {
        w = ngx_queue_data(q, ngx_exch_watch_t, queue);
        ngx_exch_watch_wake(w, NGX_EXCH_WAKE_EXIT);
    }

    if (bus->conn) {
        ngx_close_connection(bus->conn);
        bus->conn = NULL;
    }

    if (bus->path[0]) {
        (void) unlink(bus->path);
        bus->path[0] = '\0';
    }

    /*
     * A worker that is exiting leaves as soon as no timer but cancelable
     * ones is left, without running posted events: the poll holds it for
     * the turn in which the watches hear of the exit.
     */

    if (bus->poll.timer_set) {
        ngx_del_timer(&bus->poll);
    }

    bus->poll.cancelable = 0;
    ngx_add_timer(&bus->poll, 1);
}


static void
ngx_exch_bus_announce(ngx_exch_bus_t *bus, uint32_t mailbox, uint64_t cn)
{
    ngx_queue_t          *q;
    ngx_exch_link_t      *l;
    ngx_exch_bus_node_t  *node;

    node = ngx_exch_bus_node(bus, mailbox, 0);

    if (node == NULL) {
        /* a registration left behind: nobody here watches it */
        (void) exch_bus_unwatch(bus->env, mailbox, bus->pid);
        return;
    }

    if (mailbox != EXCH_BUS_QUEUE) {
        if (cn <= node->cn) {
            return;
        }

        node->cn = cn;
    }

    for (q = ngx_queue_head(&node->links);
         q != ngx_queue_sentinel(&node->links);
         q = ngx_queue_next(q))
    {
        l = ngx_queue_data(q, ngx_exch_link_t, queue);

        if (mailbox == EXCH_BUS_QUEUE || cn > l->cn) {
            if (cn > l->cn) {
                l->cn = cn;
            }

            ngx_exch_watch_wake(l->watch, NGX_EXCH_WAKE_CHANGE);
        }
    }
}


/*
 * The safety poll: the newest change number of every watched mailbox, as
 * if a datagram had said so (one read transaction, a look-up each); nodes
 * idle for long leave the registry; expired state goes.
 */

static void
ngx_exch_bus_poll(ngx_event_t *ev)
{
    int                   rc;
    time_t                now;
    exs_txn_t            *txn;
    exs_mbox_t           *mb;
    ngx_exch_bus_t       *bus;
    exs_mbox_info_t       info;
    ngx_rbtree_node_t    *n, *next;
    ngx_exch_bus_node_t  *node;

    bus = ev->data;
    now = ngx_time();
    txn = NULL;

    if (bus->exiting) {
        ngx_exch_bus_exiting(bus);
        return;
    }

    if (bus->tree.root != bus->tree.sentinel) {
        rc = exs_txn_begin(bus->env, EXS_TXN_RDONLY, &txn);

        if (rc != EXS_OK) {
            ngx_log_error(NGX_LOG_ERR, ev->log, 0,
                          "exch bus: poll: %s", exs_strerror(rc));
            txn = NULL;
        }

        for (n = ngx_rbtree_min(bus->tree.root, bus->tree.sentinel);
             n;
             n = next)
        {
            next = ngx_rbtree_next(&bus->tree, n);
            node = (ngx_exch_bus_node_t *) n;

            if (node->nlinks == 0) {
                if (now - node->idle >= NGX_EXCH_BUS_LINGER
                    || bus->exiting)
                {
                    ngx_exch_bus_node_free(bus, node);
                }

                continue;
            }

            if (txn == NULL || n->key == EXCH_BUS_QUEUE
                || exs_mbox_open(txn, (uint32_t) n->key, 0, &mb) != EXS_OK
                || exs_mbox_info(mb, &info) != EXS_OK)
            {
                continue;
            }

            ngx_exch_bus_announce(bus, (uint32_t) n->key, info.last_cn);
        }

        if (txn) {
            exs_txn_abort(txn);
        }
    }

    if (now - bus->swept >= NGX_EXCH_BUS_SWEEP) {
        bus->swept = now;
        (void) exs_state_sweep(bus->env, (int64_t) now);
    }

    ngx_add_timer(ev, bus->poll_interval);
}


/* watches that stay parked after hearing of the exit keep the worker */

static void
ngx_exch_bus_exiting(ngx_exch_bus_t *bus)
{
    ngx_queue_t       *q;
    ngx_exch_watch_t  *w;

    if (bus->nparked == 0) {
        return;
    }

    for (q = ngx_queue_head(&bus->parked);
         q != ngx_queue_sentinel(&bus->parked);
         q = ngx_queue_next(q))
    {
        w = ngx_queue_data(q, ngx_exch_watch_t, queue);
        ngx_exch_watch_wake(w, NGX_EXCH_WAKE_EXIT);
    }

    ngx_add_timer(&bus->poll, 1000);
}


static ngx_exch_bus_node_t *
ngx_exch_bus_node(ngx_exch_bus_t *bus, uint32_t mailbox, ngx_uint_t create)
{
    ngx_rbtree_node_t    *n, *sentinel;
    ngx_exch_bus_node_t  *node;

    n = bus->tree.root;
    sentinel = bus->tree.sentinel;

    while (n != sentinel) {
        if (mailbox == n->key) {
            return (ngx_exch_bus_node_t *) n;
        }

        n = mailbox < n->key ? n->left : n->right;
    }

    if (!create) {
        return NULL;
    }

    node = ngx_calloc(sizeof(ngx_exch_bus_node_t), bus->log);
    if (node == NULL) {
        return NULL;
    }

    node->rbnode.key = mailbox;
    ngx_queue_init(&node->links);

    ngx_rbtree_insert(&bus->tree, &node->rbnode);

    return node;
}


static void
ngx_exch_bus_node_free(ngx_exch_bus_t *bus, ngx_exch_bus_node_t *node)
{
    int  rc;

    if (node->registered) {
        rc = exch_bus_unwatch(bus->env, (uint32_t) node->rbnode.key,
                              bus->pid);
        if (rc != EXS_OK) {
            ngx_log_error(NGX_LOG_WARN, bus->log, 0,
                          "exch bus: cannot unregister mailbox %ui: %s",
                          (ngx_uint_t) node->rbnode.key, exs_strerror(rc));
        }
    }

    ngx_rbtree_delete(&bus->tree, &node->rbnode);
    ngx_free(node);
}


static ngx_int_t
ngx_exch_bus_link(ngx_exch_bus_t *bus, ngx_exch_link_t *l)
{
    int                   rc;
    ngx_exch_bus_node_t  *node;

    node = ngx_exch_bus_node(bus, l->mailbox, 1);
    if (node == NULL) {
        return NGX_ERROR;
    }

    if (!node->registered) {
        rc = exch_bus_watch(bus->env, l->mailbox, bus->pid);

        if (rc != EXS_OK) {
            ngx_log_error(NGX_LOG_ERR, l->watch->log, 0,
                          "exch bus: cannot register mailbox %uD: %s",
                          l->mailbox, exs_strerror(rc));
            /* the safety poll still sees its changes */

        } else {
            node->registered = 1;
        }
    }

    ngx_queue_insert_tail(&node->links, &l->queue);
    node->nlinks++;
    node->idle = 0;
    l->node = node;

    return NGX_OK;
}


static void
ngx_exch_bus_unlink(ngx_exch_bus_t *bus, ngx_exch_link_t *l)
{
    ngx_exch_bus_node_t  *node;

    node = l->node;

    if (node == NULL) {
        return;
    }

    ngx_queue_remove(&l->queue);
    l->node = NULL;

    if (--node->nlinks == 0) {
        node->idle = ngx_time();

        if (bus->exiting) {
            ngx_exch_bus_node_free(bus, node);
        }
    }
}


/* a change committed before the registration had no datagram: look once */

static void
ngx_exch_bus_check(ngx_exch_bus_t *bus, ngx_exch_link_t *l)
{
    uint64_t              cn;
    ngx_exch_bus_node_t  *node;

    if (l->mailbox == EXCH_BUS_QUEUE) {
        return;
    }

    cn = exch_mailbox_last_cn(bus->env, l->mailbox);

    node = l->node;

    if (node && cn > node->cn) {
        node->cn = cn;
    }

    if (cn > l->cn) {
        l->cn = cn;
        ngx_exch_watch_wake(l->watch, NGX_EXCH_WAKE_CHANGE);
    }
}


/* the watches */

ngx_exch_watch_t *
ngx_exch_watch_create(ngx_pool_t *pool, ngx_uint_t n,
    ngx_exch_wake_pt handler, void *data, ngx_log_t *log)
{
    ngx_exch_watch_t    *w;
    ngx_pool_cleanup_t  *cln;

    w = ngx_pcalloc(pool, sizeof(ngx_exch_watch_t));
    if (w == NULL) {
        return NULL;
    }

    if (n == 0) {
        n = 1;
    }

    w->links = ngx_pcalloc(pool, n * sizeof(ngx_exch_link_t));
    if (w->links == NULL) {
        return NULL;
    }

    cln = ngx_pool_cleanup_add(pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    cln->handler = ngx_exch_watch_cleanup;
    cln->data = w;

    w->pool = pool;
    w->nalloc = n;
    w->handler = handler;
    w->data = data;
    w->log = log;

    /*
     * set by ngx_pcalloc():
     *
     *     w->nlinks = 0;
     *     w->why = 0;
     *     w->parked = 0;
     */

    w->wake.handler = ngx_exch_watch_wake_handler;
    w->wake.data = w;
    w->wake.log = log;

    w->timer.handler = ngx_exch_watch_timer_handler;
    w->timer.data = w;
    w->timer.log = log;

    return w;
}


ngx_int_t
ngx_exch_watch_mailbox(ngx_exch_watch_t *w, uint32_t mailbox, uint64_t cn)
{
    ngx_uint_t            i;
    ngx_exch_bus_t       *bus;
    ngx_exch_link_t      *l, *links;
    ngx_exch_bus_node_t  *node;

    for (i = 0; i < w->nlinks; i++) {
        if (w->links[i].mailbox == mailbox) {
            if (cn > w->links[i].cn) {
                w->links[i].cn = cn;
            }

            return NGX_OK;
        }
    }

    bus = ngx_exch_bus();

    if (w->nlinks == w->nalloc) {
        links = ngx_pcalloc(w->pool, 2 * w->nalloc * sizeof(ngx_exch_link_t));
        if (links == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(links, w->links, w->nlinks * sizeof(ngx_exch_link_t));

        /* the nodes' queues point into the links: move them along */
        for (i = 0; i < w->nlinks; i++) {
            node = w->links[i].node;

            if (node) {
                ngx_queue_remove(&w->links[i].queue);
                ngx_queue_insert_tail(&node->links, &links[i].queue);
            }
        }

        w->links = links;
        w->nalloc *= 2;
    }

    l = &w->links[w->nlinks++];
    l->watch = w;
    l->mailbox = mailbox;
    l->cn = cn;
    l->node = NULL;

    if (w->parked && bus) {
        if (ngx_exch_bus_link(bus, l) != NGX_OK) {
            w->nlinks--;
            return NGX_ERROR;
        }

        ngx_exch_bus_check(bus, l);
    }

    return NGX_OK;
}


ngx_int_t
ngx_exch_park(ngx_exch_watch_t *w, ngx_msec_t timeout)
{
    ngx_uint_t       i;
    ngx_exch_bus_t  *bus;

    if (w->parked) {
        ngx_exch_watch_timer(w, timeout);
        return NGX_OK;
    }

    bus = ngx_exch_bus();

    if (bus) {
        for (i = 0; i < w->nlinks; i++) {
            if (ngx_exch_bus_link(bus, &w->links[i]) != NGX_OK) {
                while (i--) {
                    ngx_exch_bus_unlink(bus, &w->links[i]);
                }

                return NGX_ERROR;
            }
        }

        ngx_queue_insert_tail(&bus->parked, &w->queue);
        bus->nparked++;
    }

    w->parked = 1;

    if (bus) {
        for (i = 0; i < w->nlinks; i++) {
            ngx_exch_bus_check(bus, &w->links[i]);
        }

        if (bus->exiting) {
            ngx_exch_watch_wake(w, NGX_EXCH_WAKE_EXIT);
        }
    }

    ngx_exch_watch_timer(w, timeout);

    return NGX_OK;
}


void
ngx_exch_unpark(ngx_exch_watch_t *w)
{
    ngx_uint_t       i;
    ngx_exch_bus_t  *bus;

    if (w->wake.posted) {
        ngx_delete_posted_event(&w->wake);
    }

    if (w->timer.timer_set) {
        ngx_del_timer(&w->timer);
    }

    w->why = 0;

    if (!w->parked) {
        return;
    }

    w->parked = 0;

    bus = ngx_exch_bus();

    if (bus == NULL) {
        return;
    }

    for (i = 0; i < w->nlinks; i++) {
        ngx_exch_bus_unlink(bus, &w->links[i]);
    }

    ngx_queue_remove(&w->queue);
    bus->nparked--;
}


void
ngx_exch_watch_timer(ngx_exch_watch_t *w, ngx_msec_t timeout)
{
    if (w->timer.timer_set) {
        ngx_del_timer(&w->timer);
    }

    if (timeout && w->parked) {
        ngx_add_timer(&w->timer, timeout);
    }
}


uint64_t
ngx_exch_watch_cn(ngx_exch_watch_t *w, uint32_t mailbox)
{
    ngx_uint_t  i;

    for (i = 0; i < w->nlinks; i++) {
        if (w->links[i].mailbox == mailbox) {
            return w->links[i].cn;
        }
    }

    return 0;
}


ngx_uint_t
ngx_exch_parked(void)
{
    ngx_exch_bus_t  *bus;

    bus = ngx_exch_bus();

    return bus ? bus->nparked : 0;
}


static void
ngx_exch_watch_wake(ngx_exch_watch_t *w, ngx_uint_t why)
{
    w->why |= why;

    if (!w->wake.posted) {
        ngx_post_event(&w->wake, &ngx_posted_events);
    }
}


static void
ngx_exch_watch_wake_handler(ngx_event_t *ev)
{
    ngx_uint_t         why;
    ngx_exch_watch_t  *w;

    w = ev->data;

    why = w->why;
    w->why = 0;

    if (why && w->parked) {
        w->handler(w, why);
    }
}


static void
ngx_exch_watch_timer_handler(ngx_event_t *ev)
{
    ngx_exch_watch_t  *w;

    w = ev->data;

    w->why |= NGX_EXCH_WAKE_TIMEOUT;

    if (w->wake.posted) {
        ngx_delete_posted_event(&w->wake);
    }

    ngx_exch_watch_wake_handler(&w->wake);
}


static void
ngx_exch_watch_cleanup(void *data)
{
    ngx_exch_watch_t  *w = data;

    ngx_exch_unpark(w);
}
