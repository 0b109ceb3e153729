
/*
 * exch: the notification bus, its nginx-free half (DESIGN.md section 4).
 *
 * The change log in the store is the truth; the bus only says "look".  A
 * process that commits changes to mailboxes sends, to each worker that
 * watches one of them, a datagram "mailbox M has changes up to CN" on a
 * UNIX datagram socket the worker bound under STORE/run/.  Who watches
 * what is a registry in the state environment: one key (mailbox, pid) per
 * mailbox a worker watches, kept by the worker (ngx_exch_bus.c).  A lost
 * datagram loses no event: the watcher reads the change log from the last
 * change number it saw, and a slow safety poll catches what no datagram
 * announced.
 *
 * Mailbox 0 stands for the outgoing queue: "an entry is due" (a
 * submission queued mail, an entry was kicked or given back).
 *
 * A datagram (little-endian):
 *
 *     "EXB1"  u8 type (1: changes)  u8 0  u16 count
 *     count * (u32 mailbox, u64 change number)
 */


#ifndef _EXCH_BUS_H_INCLUDED_
#define _EXCH_BUS_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>

#include <exs_store.h>


#define EXCH_BUS_OK             0
#define EXCH_BUS_BAD            -1       /* not a bus datagram */
#define EXCH_BUS_ERROR          -2       /* a system call failed */

#define EXCH_BUS_CHANGES        1        /* the datagram type */

#define EXCH_BUS_HDR_LEN        8
#define EXCH_BUS_ITEM_LEN       12
#define EXCH_BUS_ITEMS_MAX      80
#define EXCH_BUS_DGRAM_MAX      (EXCH_BUS_HDR_LEN                            \
                                 + EXCH_BUS_ITEMS_MAX * EXCH_BUS_ITEM_LEN)

/* the pseudo mailbox of the outgoing queue */
#define EXCH_BUS_QUEUE          0

/* the registry's namespace in the state environment: key u32 mailbox,
 * u32 pid (big-endian, so a mailbox's watchers are one prefix) */
#define EXCH_NS_BUS             0x20

/* the longest socket path (struct sockaddr_un's sun_path, with its NUL) */
#define EXCH_BUS_PATH_MAX       108


typedef struct {
    uint32_t                  mailbox;
    uint64_t                  cn;
} exch_bus_item_t;


/* a datagram for n <= EXCH_BUS_ITEMS_MAX items into out (room for
 * EXCH_BUS_DGRAM_MAX bytes); returns its length */
size_t exch_bus_encode(const exch_bus_item_t *items, uint32_t n,
    uint8_t *out);

/* the items of a datagram (at most max; more is EXCH_BUS_BAD) */
int exch_bus_decode(const uint8_t *p, size_t len, exch_bus_item_t *items,
    uint32_t max, uint32_t *n);


/* STORE/run, and the socket of a process in it; EXCH_BUS_BAD when the
 * path does not fit in size (or in a socket address) */
int exch_bus_run_dir(const char *store, char *buf, size_t size);
int exch_bus_path(const char *store, uint32_t pid, char *buf, size_t size);


/* the registry */

int exch_bus_watch(exs_env_t *env, uint32_t mailbox, uint32_t pid);
int exch_bus_unwatch(exs_env_t *env, uint32_t mailbox, uint32_t pid);
/* the pids watching a mailbox */
int exch_bus_watchers(exs_env_t *env, uint32_t mailbox, uint32_t **pids,
    uint32_t *n, exs_arena_t *a);
/* a process starting up: removes the entries of processes that are gone
 * (and of self, a previous process with the same pid) and their sockets */
int exch_bus_sweep(exs_env_t *env, uint32_t self);


/*
 * The sender: what a process that writes to the store attaches to its
 * environment (the nginx workers and exchctl alike).  It installs itself
 * as the commit hook; exch_bus_post() is that hook's work and may be
 * called from any thread.
 */

typedef struct exch_bus_s  exch_bus_t;

exch_bus_t *exch_bus_attach(exs_env_t *env);
void exch_bus_detach(exch_bus_t *b);

/* sends "mailboxes[i] changed up to cns[i]" to their watchers; returns
 * the number of datagrams sent */
int exch_bus_post(exch_bus_t *b, const uint32_t *mailboxes,
    const uint64_t *cns, uint32_t n);

/* the commit hook itself (data: an exch_bus_t) */
void exch_bus_commit_hook(void *data, const uint32_t *mailboxes,
    const uint64_t *last_cn, uint32_t n);


#endif /* _EXCH_BUS_H_INCLUDED_ */
