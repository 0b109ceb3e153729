
/*
 * Many processes on one store, as nginx workers and exchctl are:
 *
 *   - writers: six processes, three on one mailbox and three on their own,
 *     each creating messages one transaction at a time; afterwards every
 *     mailbox holds exactly the union of what was committed to it;
 *   - crashes: a writer doing all kinds of work (messages with shared
 *     attachments, deletes, moves, folders) is killed with SIGKILL at
 *     random moments, again and again; after each kill the store opens,
 *     checks clean, and holds every change the writer saw committed.
 */


#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include <tap.h>
#include "store_util.h"


#define WRITERS     6
#define PER_WRITER  60
#define CRASHES     25


static uint32_t  mailboxes[WRITERS];


static exs_env_t *
child_env(void)
{
    exs_env_t       *env;
    exs_env_conf_t   conf;

    memset(&conf, 0, sizeof(conf));
    conf.map_size = 1ULL << 30;
    conf.state_map_size = 64 << 20;

    if (exs_env_open(&env, store_dir, &conf) != EXS_OK) {
        _exit(2);
    }

    return env;
}


static void
writer(int w)
{
    int           i;
    char          subject[64];
    exs_env_t    *env;
    exs_txn_t    *txn;
    exs_mbox_t   *mb;
    exs_arena_t  *a;

    env = child_env();
    a = exs_arena_create(0);

    for (i = 0; i < PER_WRITER; i++) {
        exs_arena_reset(a);
        snprintf(subject, sizeof(subject), "w%d-%d", w, i);

        if (exs_txn_begin(env, 0, &txn) != EXS_OK
            || exs_mbox_open(txn, mailboxes[w], 0, &mb) != EXS_OK
            || exs_message_create(mb, EXS_FID_INBOX,
                                  store_msg(a, subject, "body", 0), 0, NULL)
               != EXS_OK
            || exs_txn_commit(txn) != EXS_OK)
        {
            _exit(3);
        }
    }

    exs_env_close(env);
    _exit(0);
}


static void
test_writers(void)
{
    int            w, i, status, good, rc;
    char           want[64];
    pid_t          pids[WRITERS];
    uint32_t       n, got, j, mb0, mbx;
    exs_id_t      *ids;
    exs_env_t     *env;
    exs_txn_t     *txn;
    exs_mbox_t    *mb;
    exs_table_t   *t;
    exs_props_t    out;
    exs_arena_t   *a;
    char          *seen;

    env = store_open("procs", 0);
    mb0 = store_user(env, "shared@example.test", NULL);
    for (w = 0; w < WRITERS; w++) {
        if (w < 3) {
            mailboxes[w] = mb0;
        } else {
            snprintf(want, sizeof(want), "own%d@example.test", w);
            mailboxes[w] = store_user(env, want, NULL);
        }
    }

    /* no environment may cross a fork */
    exs_env_close(env);

    for (w = 0; w < WRITERS; w++) {
        pids[w] = fork();
        if (pids[w] == 0) {
            writer(w);
        }
    }

    good = 1;
    for (w = 0; w < WRITERS; w++) {
        good &= waitpid(pids[w], &status, 0) == pids[w]
                && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }

    ok(good, "%d writer processes, %d commits each, all succeed", WRITERS,
       PER_WRITER);

    env = store_open_again(store_dir);
    ok(env != NULL, "the store opens afterwards");

    a = exs_arena_create(0);
    exs_txn_begin(env, EXS_TXN_RDONLY, &txn);

    for (mbx = 0; mbx < 4; mbx++) {
        uint32_t  mailbox, first, last;

        mailbox = mbx == 0 ? mb0 : mailboxes[2 + mbx];
        first = mbx == 0 ? 0 : 2 + mbx;
        last = mbx == 0 ? 2 : 2 + mbx;

        exs_mbox_open(txn, mailbox, 0, &mb);
        rc = exs_table_open(mb, EXS_FID_INBOX, EXS_TABLE_CONTENTS, 0, NULL,
                            NULL, &t, a);
        exs_table_count(t, &n);

        ids = exs_alloc(a, (n + 1) * sizeof(exs_id_t));
        exs_table_ids(t, 0, n, ids, &got);

        seen = exs_calloc(a, WRITERS * PER_WRITER);
        good = rc == EXS_OK && got == (last - first + 1) * PER_WRITER;

        for (j = 0; j < got; j++) {
            out.n = 0;
            exs_message_get(mb, ids[j], (uint32_t[]) { PR_SUBJECT }, 1, &out,
                            a);
            if (out.n != 1
                || sscanf(out.v[0].v.str.data, "w%d-%d", &w, &i) != 2
                || w < (int) first || w > (int) last || i < 0
                || i >= PER_WRITER || seen[w * PER_WRITER + i])
            {
                good = 0;
                break;
            }
            seen[w * PER_WRITER + i] = 1;
        }

        ok(good, "mailbox %u holds exactly the %u messages of writers %u-%u",
           mailbox, (last - first + 1) * PER_WRITER, first, last);
    }

    exs_txn_abort(txn);
    is_int(store_check(env), EXS_OK, "store check is clean");

    exs_arena_destroy(a);
    exs_env_close(env);
}


/* the crash writer: reports each committed change as one line on fd */

static void
crasher(int fd, uint32_t mailbox, unsigned seed)
{
    int            rc, k;
    char           line[128], *att;
    uint32_t       i;
    exs_id_t       mid, fid, newmid;
    exs_env_t     *env;
    exs_txn_t     *txn;
    exs_mbox_t    *mb;
    exs_arena_t   *a;
    exs_msg_t     *m;
    exs_attach_t  *at;
    exs_props_t    props;

    env = child_env();
    a = exs_arena_create(0);
    srand(seed);

    att = malloc(200001);
    for (i = 0; i < 200000; i++) {
        att[i] = (char) ('a' + (i * 13 + i / 100) % 26);
    }
    att[200000] = '\0';

    for (i = 0; ; i++) {
        exs_arena_reset(a);

        rc = exs_txn_begin(env, 0, &txn);
        if (rc == EXS_OK) {
            rc = exs_mbox_open(txn, mailbox, 0, &mb);
        }

        if (rc != EXS_OK) {
            _exit(4);
        }

        /* a few messages per transaction, some sharing an attachment */
        for (k = 0; k < 1 + rand() % 4 && rc == EXS_OK; k++) {
            m = store_msg(a, "crash", (rand() % 2) ? att : "short", 0);
            if (rand() % 3 == 0) {
                at = exs_msg_add_attach(a, m);
                att[0] = (char) ('a' + rand() % 4);
                exs_props_set_bin(a, &at->props, PR_ATTACH_DATA_BIN, att,
                                  100000 + rand() % 100000);
            }

            rc = exs_message_create(mb, EXS_FID_INBOX, m, 0, &mid);

            if (rc == EXS_OK && rand() % 4 == 0) {
                rc = exs_message_move(mb, &mid, 1, EXS_FID_DRAFTS, &newmid);
                mid = newmid;
            }

            if (rc == EXS_OK && rand() % 5 == 0) {
                rc = exs_message_delete(mb, &mid, 1, rand() % 2
                                                     ? EXS_DEL_HARD : 0);
                mid = 0;
            }

            if (rc == EXS_OK && rand() % 10 == 0) {
                props.n = 0;
                props.cap = 0;
                props.v = NULL;
                snprintf(line, sizeof(line), "f%u-%d", i, k);
                exs_props_set_str(a, &props, PR_DISPLAY_NAME, line,
                                  strlen(line));
                rc = exs_folder_create(mb, EXS_FID_INBOX, &props,
                                       EXS_FOLDER_GENERIC, 0, &fid);
                if (rc == EXS_OK && rand() % 2) {
                    rc = exs_folder_delete(mb, fid, EXS_DEL_HARD);
                }
            }
        }

        if (rc != EXS_OK) {
            _exit(5);
        }

        if (exs_txn_commit(txn) != EXS_OK) {
            _exit(6);
        }

        /* committed: now it's promised */
        snprintf(line, sizeof(line), "%llu\n", (unsigned long long) mid);
        if (mid && write(fd, line, strlen(line)) < 0) {
            _exit(7);
        }
    }
}


static void
test_crashes(void)
{
    int            i, fds[2], status, good, missing, rounds_clean;
    char           buf[65536], *p, *e;
    size_t         len;
    ssize_t        n;
    pid_t          pid;
    uint32_t       mailbox, j, nmids;
    exs_id_t      *mids;
    exs_env_t     *env;
    exs_txn_t     *txn;
    exs_mbox_t    *mb;
    exs_msg_info_t info;
    struct timespec  ts;

    env = store_open("crash", 0);
    mailbox = store_user(env, "crash@example.test", NULL);
    exs_env_close(env);

    mids = malloc(100000 * sizeof(exs_id_t));
    nmids = 0;
    rounds_clean = 0;
    missing = 0;
    srand(1234);

    for (i = 0; i < CRASHES; i++) {
        if (pipe(fds) != 0) {
            break;
        }

        pid = fork();
        if (pid == 0) {
            close(fds[0]);
            crasher(fds[1], mailbox, 1000 + i);
        }

        close(fds[1]);

        /* from a few milliseconds to a quarter of a second */
        ts.tv_sec = 0;
        ts.tv_nsec = (long) (2 + rand() % 250) * 1000000L;
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);

        len = 0;
        while ((n = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0) {
            len += n;
        }
        close(fds[0]);
        buf[len] = '\0';

        for (p = buf; (e = strchr(p, '\n')) != NULL && nmids < 100000;
             p = e + 1)
        {
            mids[nmids++] = strtoull(p, NULL, 10);
        }

        env = store_open_again(store_dir);
        if (env == NULL) {
            break;
        }

        good = exs_env_check(env, stdout) == EXS_OK;

        exs_txn_begin(env, EXS_TXN_RDONLY, &txn);
        exs_mbox_open(txn, mailbox, 0, &mb);

        for (j = 0; j < nmids; j++) {
            if (exs_message_info(mb, mids[j], &info) != EXS_OK) {
                missing++;
                good = 0;
            }
        }

        exs_txn_abort(txn);
        exs_env_close(env);

        rounds_clean += good;
    }

    is_int(i, CRASHES, "%d writers killed with SIGKILL at random moments",
           CRASHES);
    is_int(rounds_clean, CRASHES, "after each, the store opens and checks "
           "clean");
    is_int(missing, 0, "and holds all %u messages reported committed",
           nmids);
    ok(nmids > 0, "the writers got work committed before they died (%u)",
       nmids);

    free(mids);
}


int
main(void)
{
    test_writers();
    test_crashes();

    return done_testing();
}
