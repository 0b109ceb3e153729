
/*
 * exch: the notification bus, its nginx-free half: the datagram format,
 * the registry of watchers in the state environment and the sender that
 * hangs on the store's commit hook (exch_bus.h).
 */


#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "exch_bus.h"


struct exch_bus_s {
    exs_env_t                *env;
    int                       fd;
    uint32_t                  next;         /* who drains the queue next */
    char                      run[EXCH_BUS_PATH_MAX];
};


typedef struct {
    uint32_t                  pid;
    uint32_t                  item;
} exch_bus_dest_t;


static void exch_bus_put32(uint8_t *p, uint32_t v);
static uint32_t exch_bus_get32(const uint8_t *p);
static void exch_bus_key(uint8_t *key, uint32_t mailbox, uint32_t pid);
static int exch_bus_gone(uint32_t pid);
static int exch_bus_dest_cmp(const void *a, const void *b);
static int exch_bus_send(exch_bus_t *b, uint32_t pid,
    const exch_bus_item_t *items, uint32_t n);


static void
exch_bus_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t) v;
    p[1] = (uint8_t) (v >> 8);
    p[2] = (uint8_t) (v >> 16);
    p[3] = (uint8_t) (v >> 24);
}


static uint32_t
exch_bus_get32(const uint8_t *p)
{
    return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16
           | (uint32_t) p[3] << 24;
}


size_t
exch_bus_encode(const exch_bus_item_t *items, uint32_t n, uint8_t *out)
{
    uint8_t   *p;
    uint32_t   i;

    if (n > EXCH_BUS_ITEMS_MAX) {
        n = EXCH_BUS_ITEMS_MAX;
    }

    memcpy(out, "EXB1", 4);
    out[4] = EXCH_BUS_CHANGES;
    out[5] = 0;
    out[6] = (uint8_t) n;
    out[7] = (uint8_t) (n >> 8);

    p = out + EXCH_BUS_HDR_LEN;

    for (i = 0; i < n; i++) {
        exch_bus_put32(p, items[i].mailbox);
        exch_bus_put32(p + 4, (uint32_t) items[i].cn);
        exch_bus_put32(p + 8, (uint32_t) (items[i].cn >> 32));
        p += EXCH_BUS_ITEM_LEN;
    }

    return (size_t) (p - out);
}


int
exch_bus_decode(const uint8_t *p, size_t len, exch_bus_item_t *items,
    uint32_t max, uint32_t *n)
{
    uint32_t  count, i;

    *n = 0;

    if (len < EXCH_BUS_HDR_LEN || memcmp(p, "EXB1", 4) != 0
        || p[4] != EXCH_BUS_CHANGES || p[5] != 0)
    {
        return EXCH_BUS_BAD;
    }

    count = (uint32_t) p[6] | (uint32_t) p[7] << 8;

    if (count > max || count > EXCH_BUS_ITEMS_MAX
        || len != EXCH_BUS_HDR_LEN + (size_t) count * EXCH_BUS_ITEM_LEN)
    {
        return EXCH_BUS_BAD;
    }

    p += EXCH_BUS_HDR_LEN;

    for (i = 0; i < count; i++) {
        items[i].mailbox = exch_bus_get32(p);
        items[i].cn = (uint64_t) exch_bus_get32(p + 4)
                      | (uint64_t) exch_bus_get32(p + 8) << 32;
        p += EXCH_BUS_ITEM_LEN;
    }

    *n = count;

    return EXCH_BUS_OK;
}


int
exch_bus_run_dir(const char *store, char *buf, size_t size)
{
    int  len;

    len = snprintf(buf, size, "%s/run", store);

    if (len < 0 || (size_t) len >= size) {
        return EXCH_BUS_BAD;
    }

    return EXCH_BUS_OK;
}


int
exch_bus_path(const char *store, uint32_t pid, char *buf, size_t size)
{
    int  len;

    len = snprintf(buf, size, "%s/run/%u.sock", store, pid);

    if (len < 0 || (size_t) len >= size || len >= EXCH_BUS_PATH_MAX) {
        return EXCH_BUS_BAD;
    }

    return EXCH_BUS_OK;
}


/* the registry */

static void
exch_bus_key(uint8_t *key, uint32_t mailbox, uint32_t pid)
{
    key[0] = (uint8_t) (mailbox >> 24);
    key[1] = (uint8_t) (mailbox >> 16);
    key[2] = (uint8_t) (mailbox >> 8);
    key[3] = (uint8_t) mailbox;
    key[4] = (uint8_t) (pid >> 24);
    key[5] = (uint8_t) (pid >> 16);
    key[6] = (uint8_t) (pid >> 8);
    key[7] = (uint8_t) pid;
}


int
exch_bus_watch(exs_env_t *env, uint32_t mailbox, uint32_t pid)
{
    uint8_t  key[8];

    exch_bus_key(key, mailbox, pid);

    return exs_state_put(env, EXCH_NS_BUS, key, 8, "", 0, 0, 0, NULL);
}


int
exch_bus_unwatch(exs_env_t *env, uint32_t mailbox, uint32_t pid)
{
    int      rc;
    uint8_t  key[8];

    exch_bus_key(key, mailbox, pid);

    rc = exs_state_del(env, EXCH_NS_BUS, key, 8);

    return rc == EXS_NOTFOUND ? EXS_OK : rc;
}


int
exch_bus_watchers(exs_env_t *env, uint32_t mailbox, uint32_t **pids,
    uint32_t *n, exs_arena_t *a)
{
    int         rc;
    uint8_t     prefix[8];
    uint32_t    nkeys, i, *out;
    exs_bin_t  *keys;

    *pids = NULL;
    *n = 0;

    exch_bus_key(prefix, mailbox, 0);

    rc = exs_state_keys(env, EXCH_NS_BUS, prefix, 4, &keys, &nkeys, a);
    if (rc != EXS_OK || nkeys == 0) {
        return rc;
    }

    out = exs_alloc(a, nkeys * sizeof(uint32_t));
    if (out == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < nkeys; i++) {
        if (keys[i].len != 8) {
            continue;
        }

        out[*n] = (uint32_t) keys[i].data[4] << 24
                  | (uint32_t) keys[i].data[5] << 16
                  | (uint32_t) keys[i].data[6] << 8
                  | (uint32_t) keys[i].data[7];
        (*n)++;
    }

    *pids = out;

    return EXS_OK;
}


static int
exch_bus_gone(uint32_t pid)
{
    return pid == 0 || (kill((pid_t) pid, 0) == -1 && errno == ESRCH);
}


int
exch_bus_sweep(exs_env_t *env, uint32_t self)
{
    int             rc;
    char           *end, run[EXCH_BUS_PATH_MAX], path[EXCH_BUS_PATH_MAX];
    DIR            *dir;
    uint32_t        nkeys, i, pid;
    exs_bin_t      *keys;
    exs_arena_t    *a;
    unsigned long   n;
    struct dirent  *de;

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_state_keys(env, EXCH_NS_BUS, "", 0, &keys, &nkeys, a);

    for (i = 0; rc == EXS_OK && i < nkeys; i++) {
        if (keys[i].len != 8) {
            (void) exs_state_del(env, EXCH_NS_BUS, keys[i].data,
                                 keys[i].len);
            continue;
        }

        pid = (uint32_t) keys[i].data[4] << 24
              | (uint32_t) keys[i].data[5] << 16
              | (uint32_t) keys[i].data[6] << 8
              | (uint32_t) keys[i].data[7];

        /* a live process without its socket: the pid was reused */
        if (pid == self || exch_bus_gone(pid)
            || exch_bus_path(exs_env_dir(env), pid, path, sizeof(path))
               != EXCH_BUS_OK
            || access(path, F_OK) != 0)
        {
            (void) exs_state_del(env, EXCH_NS_BUS, keys[i].data, 8);
        }
    }

    exs_arena_destroy(a);

    if (rc != EXS_OK) {
        return rc;
    }

    if (exch_bus_run_dir(exs_env_dir(env), run, sizeof(run)) != EXCH_BUS_OK)
    {
        return EXS_INVALID;
    }

    dir = opendir(run);
    if (dir == NULL) {
        return errno == ENOENT ? EXS_OK : EXS_IO;
    }

    while ((de = readdir(dir)) != NULL) {
        errno = 0;
        n = strtoul(de->d_name, &end, 10);

        if (errno != 0 || end == de->d_name || strcmp(end, ".sock") != 0
            || n > UINT32_MAX)
        {
            continue;
        }

        pid = (uint32_t) n;

        if ((pid == self || exch_bus_gone(pid))
            && exch_bus_path(exs_env_dir(env), pid, path, sizeof(path))
               == EXCH_BUS_OK)
        {
            (void) unlink(path);
        }
    }

    closedir(dir);

    return EXS_OK;
}


/* the sender */

exch_bus_t *
exch_bus_attach(exs_env_t *env)
{
    exch_bus_t  *b;

    b = calloc(1, sizeof(exch_bus_t));
    if (b == NULL) {
        return NULL;
    }

    b->env = env;

    if (exch_bus_run_dir(exs_env_dir(env), b->run, sizeof(b->run))
        != EXCH_BUS_OK)
    {
        free(b);
        return NULL;
    }

    b->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (b->fd == -1) {
        free(b);
        return NULL;
    }

    exs_env_set_commit_hook(env, exch_bus_commit_hook, b);

    return b;
}


void
exch_bus_detach(exch_bus_t *b)
{
    if (b == NULL) {
        return;
    }

    exs_env_set_commit_hook(b->env, NULL, NULL);
    close(b->fd);
    free(b);
}


void
exch_bus_commit_hook(void *data, const uint32_t *mailboxes,
    const uint64_t *last_cn, uint32_t n)
{
    (void) exch_bus_post(data, mailboxes, last_cn, n);
}


static int
exch_bus_dest_cmp(const void *a, const void *b)
{
    const exch_bus_dest_t  *x = a, *y = b;

    if (x->pid != y->pid) {
        return x->pid < y->pid ? -1 : 1;
    }

    return x->item < y->item ? -1 : x->item > y->item;
}


/*
 * Every watcher of a mailbox hears of its changes; the queue needs one
 * worker to look, the next in turn (another when that one is gone).
 */

int
exch_bus_post(exch_bus_t *b, const uint32_t *mailboxes, const uint64_t *cns,
    uint32_t n)
{
    int               sent, rc;
    uint32_t          i, j, k, np, ndest, cap, *pids;
    exs_arena_t      *a;
    exch_bus_item_t  *items, batch[EXCH_BUS_ITEMS_MAX];
    exch_bus_dest_t  *dest, *nd;

    if (b == NULL || n == 0) {
        return 0;
    }

    a = exs_arena_create(4096);
    if (a == NULL) {
        return 0;
    }

    sent = 0;
    dest = NULL;
    ndest = 0;
    cap = 0;

    items = exs_alloc(a, n * sizeof(exch_bus_item_t));
    if (items == NULL) {
        goto done;
    }

    for (i = 0; i < n; i++) {
        items[i].mailbox = mailboxes[i];
        items[i].cn = cns[i];

        if (exch_bus_watchers(b->env, mailboxes[i], &pids, &np, a) != EXS_OK
            || np == 0)
        {
            continue;
        }

        if (mailboxes[i] == EXCH_BUS_QUEUE) {
            k = b->next++;

            for (j = 0; j < np; j++) {
                if (exch_bus_send(b, pids[(k + j) % np], &items[i], 1)
                    == EXCH_BUS_OK)
                {
                    sent++;
                    break;
                }
            }

            continue;
        }

        if (ndest + np > cap) {
            cap = (ndest + np) * 2;
            nd = exs_alloc(a, cap * sizeof(exch_bus_dest_t));
            if (nd == NULL) {
                goto done;
            }

            if (ndest) {
                memcpy(nd, dest, ndest * sizeof(exch_bus_dest_t));
            }

            dest = nd;
        }

        for (j = 0; j < np; j++) {
            dest[ndest].pid = pids[j];
            dest[ndest].item = i;
            ndest++;
        }
    }

    if (ndest == 0) {
        goto done;
    }

    qsort(dest, ndest, sizeof(exch_bus_dest_t), exch_bus_dest_cmp);

    for (i = 0; i < ndest; i = j) {
        k = 0;

        for (j = i; j < ndest && dest[j].pid == dest[i].pid; j++) {
            batch[k++] = items[dest[j].item];

            if (k == EXCH_BUS_ITEMS_MAX) {
                rc = exch_bus_send(b, dest[i].pid, batch, k);
                sent += rc == EXCH_BUS_OK;
                k = 0;
            }
        }

        if (k) {
            rc = exch_bus_send(b, dest[i].pid, batch, k);
            sent += rc == EXCH_BUS_OK;
        }
    }

done:

    exs_arena_destroy(a);

    return sent;
}


/*
 * A full receive queue drops the datagram: the watcher's safety poll will
 * see the change.  A socket nobody listens on any more belongs to a
 * process that died: its registry entries for these mailboxes go.
 */

static int
exch_bus_send(exch_bus_t *b, uint32_t pid, const exch_bus_item_t *items,
    uint32_t n)
{
    size_t              len;
    ssize_t             rc;
    uint32_t            i;
    uint8_t             buf[EXCH_BUS_DGRAM_MAX];
    struct sockaddr_un  sa;

    memset(&sa, 0, sizeof(struct sockaddr_un));
    sa.sun_family = AF_UNIX;

    if (exch_bus_path(exs_env_dir(b->env), pid, sa.sun_path,
                      sizeof(sa.sun_path))
        != EXCH_BUS_OK)
    {
        return EXCH_BUS_ERROR;
    }

    len = exch_bus_encode(items, n, buf);

    do {
        rc = sendto(b->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL,
                    (struct sockaddr *) &sa, sizeof(struct sockaddr_un));
    } while (rc == -1 && errno == EINTR);

    if (rc == (ssize_t) len) {
        return EXCH_BUS_OK;
    }

    if (rc == -1 && (errno == ENOENT || errno == ECONNREFUSED)
        && exch_bus_gone(pid))
    {
        for (i = 0; i < n; i++) {
            (void) exch_bus_unwatch(b->env, items[i].mailbox, pid);
        }
    }

    return EXCH_BUS_ERROR;
}
