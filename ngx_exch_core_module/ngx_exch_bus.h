
/*
 * exch: parking requests until a mailbox changes (DESIGN.md section 4).
 *
 * A protocol module that waits for changes (MAPI/HTTP NotificationWait,
 * EWS GetStreamingEvents, later IMAP IDLE) makes a watch in the pool of
 * what waits (a request or a connection), names the mailboxes and the
 * newest change number it has seen of each, and parks it with a timeout.
 * Its handler is called, from the event loop, when
 *
 *   NGX_EXCH_WAKE_CHANGE   one of the mailboxes has changes after what
 *                          the watch has seen (a datagram from whoever
 *                          committed them, or the safety poll); the
 *                          handler reads the change log and answers, or
 *                          stays parked when nothing concerns it
 *   NGX_EXCH_WAKE_TIMEOUT  the timeout passed (re-arm it with
 *                          ngx_exch_watch_timer() for keep-alives)
 *   NGX_EXCH_WAKE_EXIT     the worker is shutting down (reload, quit):
 *                          answer now, the client comes back elsewhere
 *
 * (several at once, as bits).  The watch stays parked until
 * ngx_exch_unpark() or until its pool goes.  A parked watch costs its
 * structure, one link per mailbox and a timer; no CPU while idle.
 */


#ifndef _NGX_EXCH_BUS_H_INCLUDED_
#define _NGX_EXCH_BUS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>

#include "ngx_exch.h"
#include "exch_bus.h"
#include "exch_notify.h"


#define NGX_EXCH_WAKE_CHANGE    0x01
#define NGX_EXCH_WAKE_TIMEOUT   0x02
#define NGX_EXCH_WAKE_EXIT      0x04


typedef struct ngx_exch_watch_s  ngx_exch_watch_t;
typedef struct ngx_exch_link_s   ngx_exch_link_t;

typedef void (*ngx_exch_wake_pt)(ngx_exch_watch_t *w, ngx_uint_t why);


struct ngx_exch_link_s {
    ngx_queue_t               queue;        /* in the mailbox's node */
    ngx_exch_watch_t         *watch;
    void                     *node;
    uint32_t                  mailbox;
    uint64_t                  cn;           /* the newest change number
                                               the watch heard of */
};


struct ngx_exch_watch_s {
    ngx_exch_wake_pt          handler;
    void                     *data;
    ngx_log_t                *log;

    /* private */
    ngx_pool_t               *pool;
    ngx_queue_t               queue;        /* the worker's parked ones */
    ngx_event_t               wake;         /* posted */
    ngx_event_t               timer;
    ngx_uint_t                why;
    ngx_uint_t                nlinks;
    ngx_uint_t                nalloc;
    ngx_exch_link_t          *links;
    unsigned                  parked:1;
};


/*
 * A watch for up to n mailboxes in pool (n may grow with the pool);
 * unparked when the pool is destroyed.
 */
ngx_exch_watch_t *ngx_exch_watch_create(ngx_pool_t *pool, ngx_uint_t n,
    ngx_exch_wake_pt handler, void *data, ngx_log_t *log);

/* watch a mailbox whose changes up to cn the watcher has seen (before
 * parking, or while parked) */
ngx_int_t ngx_exch_watch_mailbox(ngx_exch_watch_t *w, uint32_t mailbox,
    uint64_t cn);

/*
 * Parks the watch: registers its mailboxes with the bus, then checks the
 * change log once (a change committed just before the registration would
 * have no datagram): the handler runs at once (posted) when there is
 * something newer than what the watch has seen.  timeout 0: none.
 */
ngx_int_t ngx_exch_park(ngx_exch_watch_t *w, ngx_msec_t timeout);
void ngx_exch_unpark(ngx_exch_watch_t *w);

/* (re)arms the timeout of a parked watch */
void ngx_exch_watch_timer(ngx_exch_watch_t *w, ngx_msec_t timeout);

/* the newest change number the watch heard of for a mailbox, 0 when it
 * does not watch it */
uint64_t ngx_exch_watch_cn(ngx_exch_watch_t *w, uint32_t mailbox);

/* how many watches this worker has parked (tests, status) */
ngx_uint_t ngx_exch_parked(void);


/* the core module's side: set up and torn down with the store */
ngx_int_t ngx_exch_bus_init(ngx_cycle_t *cycle, exs_env_t *env,
    ngx_msec_t poll);
void ngx_exch_bus_exit(ngx_cycle_t *cycle);


#endif /* _NGX_EXCH_BUS_H_INCLUDED_ */
