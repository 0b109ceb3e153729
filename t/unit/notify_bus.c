
/*
 * The notification bus without nginx: the datagram format, the registry of
 * watchers, the sender on the commit hook (a commit reaches exactly the
 * processes that watch the mailbox; the queue wakes one), the sweep of
 * what dead processes left, and the events read from the change log.
 */


#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "tap.h"
#include "store_util.h"

#include <exs_mail.h>
#include <exch_bus.h>
#include <exch_notify.h>


static int bind_as(exs_env_t *env, uint32_t pid);
static int recv_items(int fd, exch_bus_item_t *items, uint32_t *n);
static uint32_t dead_pid(void);
static pid_t live_child(void);
static void test_format(void);
static void test_registry(exs_env_t *env);
static void test_post(exs_env_t *env, uint32_t mbox);
static void test_queue(exs_env_t *env);
static void test_events(exs_env_t *env, uint32_t mbox);


/* a datagram socket at STORE/run/PID.sock, as a worker binds it */

static int
bind_as(exs_env_t *env, uint32_t pid)
{
    int                 fd;
    char                run[EXCH_BUS_PATH_MAX];
    struct sockaddr_un  sa;

    if (exch_bus_run_dir(exs_env_dir(env), run, sizeof(run)) != EXCH_BUS_OK)
    {
        return -1;
    }

    (void) mkdir(run, 0770);

    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;

    if (exch_bus_path(exs_env_dir(env), pid, sa.sun_path,
                      sizeof(sa.sun_path))
        != EXCH_BUS_OK)
    {
        return -1;
    }

    (void) unlink(sa.sun_path);

    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (fd == -1) {
        return -1;
    }

    if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) == -1) {
        close(fd);
        return -1;
    }

    return fd;
}


/* every item of the datagrams waiting on fd; -1 when one is malformed */

static int
recv_items(int fd, exch_bus_item_t *items, uint32_t *n)
{
    ssize_t   len;
    uint32_t  got;
    uint8_t   buf[EXCH_BUS_DGRAM_MAX + 1];

    *n = 0;

    for ( ;; ) {
        len = recv(fd, buf, sizeof(buf), 0);
        if (len < 0) {
            return errno == EAGAIN ? 0 : -1;
        }

        if (exch_bus_decode(buf, (size_t) len, items + *n, 256 - *n, &got)
            != EXCH_BUS_OK)
        {
            return -1;
        }

        *n += got;
    }
}


static uint32_t
dead_pid(void)
{
    pid_t  pid;

    pid = fork();
    if (pid == 0) {
        _exit(0);
    }

    waitpid(pid, NULL, 0);

    return (uint32_t) pid;
}


/* a process that lives until killed */

static pid_t
live_child(void)
{
    pid_t  pid;

    pid = fork();
    if (pid == 0) {
        for ( ;; ) {
            pause();
        }
    }

    return pid;
}


static void
test_format(void)
{
    size_t           len;
    uint8_t          buf[EXCH_BUS_DGRAM_MAX];
    uint32_t         n, i;
    exch_bus_item_t  in[EXCH_BUS_ITEMS_MAX], out[EXCH_BUS_ITEMS_MAX];

    for (i = 0; i < EXCH_BUS_ITEMS_MAX; i++) {
        in[i].mailbox = 0x01020304u + i;
        in[i].cn = 0x1122334455667788ULL + i;
    }

    len = exch_bus_encode(in, 3, buf);
    is_int(len, EXCH_BUS_HDR_LEN + 3 * EXCH_BUS_ITEM_LEN,
           "three items make a 44-byte datagram");
    is_int(exch_bus_decode(buf, len, out, EXCH_BUS_ITEMS_MAX, &n),
           EXCH_BUS_OK, "and it decodes");
    ok(n == 3 && out[0].mailbox == in[0].mailbox && out[2].cn == in[2].cn,
       "to the same mailboxes and 64-bit change numbers");

    is_int(exch_bus_decode(buf, len - 1, out, EXCH_BUS_ITEMS_MAX, &n),
           EXCH_BUS_BAD, "one byte short is not a datagram");
    is_int(exch_bus_decode(buf, len, out, 2, &n), EXCH_BUS_BAD,
           "more items than the caller has room for are refused");
    buf[0] = 'X';
    is_int(exch_bus_decode(buf, len, out, EXCH_BUS_ITEMS_MAX, &n),
           EXCH_BUS_BAD, "a wrong magic is refused");
    is_int(exch_bus_decode(buf, 3, out, EXCH_BUS_ITEMS_MAX, &n),
           EXCH_BUS_BAD, "so is a runt");

    len = exch_bus_encode(in, EXCH_BUS_ITEMS_MAX + 5, buf);
    is_int(len, EXCH_BUS_DGRAM_MAX, "encoding stops at the most items");
    is_int(exch_bus_decode(buf, len, out, EXCH_BUS_ITEMS_MAX, &n),
           EXCH_BUS_OK, "the fullest datagram decodes");
    is_int(n, EXCH_BUS_ITEMS_MAX, "with every item");

    len = exch_bus_encode(in, 0, buf);
    ok(exch_bus_decode(buf, len, out, 1, &n) == EXCH_BUS_OK && n == 0,
       "an empty datagram is well-formed");
}


static void
test_registry(exs_env_t *env)
{
    int           fd;
    uint32_t     *pids, n, dead, self;
    exs_arena_t  *a;

    a = exs_arena_create(0);
    self = (uint32_t) getpid();
    dead = dead_pid();

    fd = bind_as(env, self);
    ok(fd >= 0, "a socket binds under STORE/run");

    is_int(exch_bus_watch(env, 7, self), EXS_OK, "watch mailbox 7");
    is_int(exch_bus_watch(env, 7, dead), EXS_OK,
           "a process that died watched it too");
    is_int(exch_bus_watch(env, 8, self), EXS_OK, "watch mailbox 8");
    is_int(exch_bus_watch(env, 7, self), EXS_OK, "watching twice is fine");

    is_int(exch_bus_watchers(env, 7, &pids, &n, a), EXS_OK, "watchers of 7");
    ok(n == 2 && ((pids[0] == self && pids[1] == dead)
                  || (pids[1] == self && pids[0] == dead)),
       "are this process and the dead one");

    is_int(exch_bus_sweep(env, 1), EXS_OK, "a new process sweeps");
    is_int(exch_bus_watchers(env, 7, &pids, &n, a), EXS_OK, "watchers of 7");
    ok(n == 1 && pids[0] == self, "the dead one's entry is gone");

    is_int(exch_bus_unwatch(env, 8, self), EXS_OK, "unwatch 8");
    is_int(exch_bus_unwatch(env, 8, self), EXS_OK, "twice is fine");
    is_int(exch_bus_watchers(env, 8, &pids, &n, a), EXS_OK, "watchers of 8");
    is_int(n, 0, "nobody");

    is_int(exch_bus_sweep(env, self), EXS_OK,
           "a new process with our pid sweeps");
    is_int(exch_bus_watchers(env, 7, &pids, &n, a), EXS_OK, "watchers of 7");
    is_int(n, 0, "a previous life's entries go");

    {
        char         path[EXCH_BUS_PATH_MAX];
        struct stat  st;

        exch_bus_path(exs_env_dir(env), self, path, sizeof(path));
        ok(stat(path, &st) != 0, "and so does its socket");
    }

    close(fd);
    exs_arena_destroy(a);
}


static void
test_post(exs_env_t *env, uint32_t mbox)
{
    int               fd, fd2;
    pid_t             child;
    uint32_t          n, self, other;
    exs_id_t          mid;
    exs_txn_t        *txn;
    exs_mbox_t       *mb;
    exch_bus_t       *bus;
    exs_arena_t      *a;
    exch_bus_item_t   items[256];
    exs_mbox_info_t   info;

    a = exs_arena_create(0);
    self = (uint32_t) getpid();
    child = live_child();
    other = (uint32_t) child;

    fd = bind_as(env, self);
    fd2 = bind_as(env, other);
    ok(fd >= 0 && fd2 >= 0, "two watchers' sockets");

    bus = exch_bus_attach(env);
    ok(bus != NULL, "the sender attaches to the commit hook");

    exch_bus_watch(env, mbox, self);

    exs_txn_begin(env, 0, &txn);
    exs_mbox_open(txn, mbox, 0, &mb);
    is_int(exs_message_create(mb, EXS_FID_INBOX,
                              store_msg(a, "one", "body", 0), EXS_MSG_NEW_MAIL,
                              &mid),
           EXS_OK, "a delivery");
    exs_mbox_info(mb, &info);
    is_int(exs_txn_commit(txn), EXS_OK, "commits");

    is_int(recv_items(fd, items, &n), 0, "the watcher reads its datagrams");
    ok(n == 1 && items[0].mailbox == mbox && items[0].cn == info.last_cn,
       "one: the mailbox and its newest change number (%u)", n);
    is_int(recv_items(fd2, items, &n), 0, "the other socket");
    is_int(n, 0, "hears nothing of a mailbox it does not watch");

    exch_bus_watch(env, mbox, other);

    exs_txn_begin(env, 0, &txn);
    exs_mbox_open(txn, mbox, 0, &mb);
    exs_message_set_read(mb, mid, 1);
    exs_mbox_info(mb, &info);
    exs_txn_commit(txn);

    recv_items(fd, items, &n);
    ok(n == 1 && items[0].cn == info.last_cn, "the first watcher hears");
    recv_items(fd2, items, &n);
    ok(n == 1 && items[0].cn == info.last_cn, "and so does the second");

    /* a watcher whose socket is gone but whose pid lives: kept */
    close(fd2);

    exs_txn_begin(env, 0, &txn);
    exs_mbox_open(txn, mbox, 0, &mb);
    exs_message_set_read(mb, mid, 0);
    exs_txn_commit(txn);

    {
        uint32_t  *pids;

        exch_bus_watchers(env, mbox, &pids, &n, a);
        is_int(n, 2, "an unreachable live watcher stays registered");
    }

    exs_txn_begin(env, 0, &txn);
    exs_txn_abort(txn);
    recv_items(fd, items, &n);
    is_int(n, 1, "and the reachable one still hears");

    exch_bus_unwatch(env, mbox, self);
    exch_bus_unwatch(env, mbox, other);

    exs_txn_begin(env, 0, &txn);
    exs_mbox_open(txn, mbox, 0, &mb);
    exs_message_set_read(mb, mid, 1);
    exs_txn_commit(txn);

    recv_items(fd, items, &n);
    is_int(n, 0, "after unwatching: silence");

    exch_bus_detach(bus);
    close(fd);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    exs_arena_destroy(a);
}


static void
test_queue(exs_env_t *env)
{
    int               fd;
    uint32_t          n, self;
    uint64_t          id;
    exs_txn_t        *txn;
    exch_bus_t       *bus;
    exch_bus_item_t   items[256];
    const char       *rcpt = "someone@elsewhere.test";

    self = (uint32_t) getpid();
    fd = bind_as(env, self);
    bus = exch_bus_attach(env);

    exch_bus_watch(env, EXCH_BUS_QUEUE, self);

    exs_txn_begin(env, 0, &txn);
    is_int(exs_queue_add(txn, 0, "alice@example.test", &rcpt, 1,
                         "Subject: x\r\n\r\nx\r\n", 17, NULL, &id),
           EXS_OK, "mail is queued");
    exs_txn_commit(txn);

    recv_items(fd, items, &n);
    ok(n == 1 && items[0].mailbox == EXCH_BUS_QUEUE,
       "the queue's watcher hears of it");

    exs_txn_begin(env, 0, &txn);
    is_int(exs_queue_kick(txn, id, 0), EXS_OK, "a kick");
    exs_txn_commit(txn);
    recv_items(fd, items, &n);
    ok(n == 1 && items[0].mailbox == EXCH_BUS_QUEUE, "wakes it too");

    exs_txn_begin(env, 0, &txn);
    {
        exs_arena_t  *a = exs_arena_create(0);

        exs_queue_delete(txn, id, 0, a);
        exs_txn_commit(txn);
        exs_arena_destroy(a);
    }
    recv_items(fd, items, &n);
    is_int(n, 0, "deleting the entry does not");

    exch_bus_unwatch(env, EXCH_BUS_QUEUE, self);
    exch_bus_detach(bus);
    close(fd);
}


static void
test_events(exs_env_t *env, uint32_t mbox)
{
    uint32_t          n, i;
    uint64_t          start, next;
    exs_id_t          mid, mid2, fid, moved, copied, only[1];
    exs_txn_t        *txn;
    exs_mbox_t       *mb;
    exs_props_t       props;
    exs_arena_t      *a;
    exch_event_t     *ev;
    exs_mbox_info_t   info;
    exch_event_filter_t  f;
    int               more;
    char              seq[512];

    a = exs_arena_create(0);

    exs_txn_begin(env, 0, &txn);
    exs_mbox_open(txn, mbox, 0, &mb);
    exs_mbox_info(mb, &info);
    start = info.last_cn;

    memset(&props, 0, sizeof(props));
    exs_props_set_str(a, &props, PR_DISPLAY_NAME, "Projects", 8);
    exs_folder_create(mb, EXS_FID_IPM_SUBTREE, &props, EXS_FOLDER_GENERIC, 0,
                      &fid);
    exs_message_create(mb, EXS_FID_INBOX, store_msg(a, "new", "b", 0),
                       EXS_MSG_NEW_MAIL, &mid);
    exs_message_create(mb, EXS_FID_DRAFTS, store_msg(a, "draft", "b", 0), 0,
                       &mid2);
    exs_message_set_read(mb, mid, 1);
    memset(&props, 0, sizeof(props));
    exs_props_set_str(a, &props, PR_SUBJECT, "changed", 7);
    exs_message_set(mb, mid2, &props);
    exs_message_move(mb, &mid, 1, fid, &moved);
    exs_message_copy(mb, &moved, 1, EXS_FID_INBOX, &copied);
    exs_message_delete(mb, &copied, 1, 0);
    exs_message_delete(mb, &mid2, 1, EXS_DEL_HARD);
    is_int(exs_txn_commit(txn), EXS_OK, "a folder and messages change");

    exs_txn_begin(env, EXS_TXN_RDONLY, &txn);
    exs_mbox_open(txn, mbox, 0, &mb);

    memset(&f, 0, sizeof(f));
    is_int(exch_events_read(mb, start, &f, 0, &ev, &n, &next, &more, a),
           EXS_OK, "the events of the whole mailbox");

    seq[0] = '\0';
    for (i = 0; i < n; i++) {
        snprintf(seq + strlen(seq), sizeof(seq) - strlen(seq), "%s%s%s",
                 i ? " " : "", exch_event_name(ev[i].type),
                 (ev[i].object & EXCH_EVO_FOLDER) ? "F" : "");
    }

    is_str(seq, "CreatedF Created NewMail Created Modified Modified Moved "
           "Copied Deleted Deleted", "in the order they were made");
    ok(n == 10 && ev[6].id == moved && ev[6].old_id == mid
       && ev[6].folder == fid && ev[6].old_folder == EXS_FID_INBOX,
       "a move has the new and old ids and folders");
    ok((ev[4].object & EXCH_EVO_READ) && !(ev[5].object & EXCH_EVO_READ),
       "a read-state change says so");
    ok((ev[8].object & EXCH_EVO_SOFT) && !(ev[9].object & EXCH_EVO_SOFT),
       "a soft delete says so");
    exs_mbox_info(mb, &info);
    ok(next == info.last_cn && !more, "the cursor is the newest change");

    only[0] = fid;
    f.nfolders = 1;
    f.folders = only;
    exch_events_read(mb, start, &f, 0, &ev, &n, &next, &more, a);
    ok(n == 3 && ev[0].type == EXCH_EV_CREATED
       && (ev[0].object & EXCH_EVO_FOLDER) && ev[1].type == EXCH_EV_MOVED
       && ev[2].type == EXCH_EV_COPIED,
       "one folder: itself, what moved in, what was copied out (%u)", n);
    ok(next == info.last_cn, "the cursor passes what did not match");

    only[0] = EXS_FID_IPM_SUBTREE;
    f.flags = EXCH_EVF_DEEP;
    exch_events_read(mb, start, &f, 0, &ev, &n, &next, &more, a);
    is_int(n, 10, "the IPM subtree, deep: everything below");

    f.flags = 0;
    f.types = EXCH_EV_NEW_MAIL;
    f.nfolders = 0;
    exch_events_read(mb, start, &f, 0, &ev, &n, &next, &more, a);
    ok(n == 1 && ev[0].id == mid && ev[0].folder == EXS_FID_INBOX,
       "new mail only");

    f.types = EXCH_EV_MODIFIED;
    f.flags = EXCH_EVF_PARENTS;
    only[0] = EXS_FID_INBOX;
    f.nfolders = 1;
    exch_events_read(mb, start, &f, 0, &ev, &n, &next, &more, a);
    ok(n == 2 && ev[0].id == mid && (ev[1].object & EXCH_EVO_PARENT)
       && ev[1].id == EXS_FID_INBOX
       && ev[1].folder == EXS_FID_IPM_SUBTREE,
       "with parents: the Inbox is modified once, after its message (%u)",
       n);

    memset(&f, 0, sizeof(f));
    exch_events_read(mb, start, &f, 3, &ev, &n, &next, &more, a);
    ok(more && next > start && next < info.last_cn,
       "a small batch says more follow");
    exch_events_read(mb, next, &f, 0, &ev, &n, &next, &more, a);
    ok(!more && next == info.last_cn, "and the rest comes after it");

    exs_txn_abort(txn);

    is_int(exch_mailbox_last_cn(env, mbox), info.last_cn,
           "a mailbox's newest change number");
    is_int(exch_mailbox_last_cn(env, 99999), 0, "none for no mailbox");

    exs_arena_destroy(a);
}


int
main(void)
{
    uint32_t    mbox;
    exs_env_t  *env;

    signal(SIGPIPE, SIG_IGN);

    test_format();

    env = store_open("notify_bus", 0);
    ok(env != NULL, "a store");
    if (env == NULL) {
        return done_testing();
    }

    mbox = store_user(env, "alice@example.test", NULL);
    ok(mbox != 0, "a mailbox");

    test_registry(env);
    test_post(env, mbox);
    test_queue(env);
    test_events(env, mbox);

    is_int(store_check(env), EXS_OK, "the store checks clean");

    exs_env_close(env);

    return done_testing();
}
