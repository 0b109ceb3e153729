
/*
 * bench/store: the store's figures (not a test).
 *
 *     build/bench/store [DIR] [MESSAGES]
 *
 * Creates a store in DIR (a new temporary directory by default, removed at
 * the end), one user, a folder of MESSAGES (100,000) messages created in
 * batches of 1,000 per transaction (about 2 KiB of properties and a 10 KiB
 * body each, every body different) and one of 100, then prints:
 *
 *   - messages created per second, in batch: two threads prepare the
 *     messages (exs_message_prepare(): hashing and compressing the large
 *     values), the main one also writes them, in order, one write
 *     transaction per 1,000 (the other thread prepares on while one
 *     commits); the messages are made in rounds of 10,000 outside the
 *     timing (MIME parsing is not the store's work);
 *   - the first page of 50 rows, newest first, of the 100-message folder
 *     and of the big one, each read in a fresh read transaction with the
 *     columns a client list view asks for;
 *   - random single-message reads (properties, body, recipients) per second.
 */


#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

#include <exs_store.h>


#define BATCH        1000
#define ROUND        10000
#define PAGE         50
#define PAGE_RUNS    2000
#define READS        20000


typedef struct {
    exs_env_t                *env;
    exs_msg_t               **msgs;
    uint32_t                  n;
    atomic_uint               next;         /* the next to prepare */
    atomic_int               *done;         /* prepared (1), failed (-1) */
    exs_arena_t              *arena[2];     /* one per thread */
} batch_t;


static uint64_t  rnd_state = 88172645463325252ULL;


static uint64_t rnd(void);
static double now(void);
static double cpu(void);
static exs_msg_t *make_msg(exs_arena_t *a, uint32_t i);
static int fill(exs_env_t *env, uint32_t mailbox, exs_id_t fid, uint32_t n,
    exs_id_t *mids, double *seconds, double *cpu_seconds);
static double first_page(exs_env_t *env, uint32_t mailbox, exs_id_t fid);
static double random_reads(exs_env_t *env, uint32_t mailbox, exs_id_t *mids,
    uint32_t n);
static int cmp_double(const void *a, const void *b);
static int prepare_one(batch_t *b, int thread);
static void *preparer(void *data);


static const char  *words[] = {
    "the", "meeting", "project", "report", "quarter", "please", "review",
    "attached", "budget", "schedule", "thanks", "regards", "update",
    "customer", "release", "server", "mailbox", "calendar", "tomorrow",
    "morning", "afternoon", "deadline", "feedback", "proposal", "team",
    "agenda", "minutes", "invoice", "contract", "draft", "final", "notes",
    "question", "answer", "issue", "fixed", "version", "deploy", "test",
    "results", "numbers", "forecast", "sales", "marketing", "office",
    "travel", "hotel", "flight", "conference", "presentation"
};


static uint64_t
rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;

    return rnd_state;
}


static double
now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return ts.tv_sec + ts.tv_nsec / 1e9;
}


/* the process's CPU time, every thread: a figure that holds on a busy
 * machine too */
static double
cpu(void)
{
    struct rusage  ru;

    getrusage(RUSAGE_SELF, &ru);

    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6
           + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}


static size_t
text(char *p, size_t len)
{
    size_t       n, w;
    const char  *word;

    n = 0;

    while (n + 16 < len) {
        word = words[rnd() % (sizeof(words) / sizeof(words[0]))];
        w = strlen(word);
        memcpy(p + n, word, w);
        n += w;
        p[n++] = (rnd() % 12) ? ' ' : '\n';
    }

    p[n] = '\0';

    return n;
}


/* about 2 KiB of properties and a 10 KiB body, all different */

static exs_msg_t *
make_msg(exs_arena_t *a, uint32_t i)
{
    char         *body, *headers, subject[96], from[64], mid[96];
    size_t        len;
    exs_msg_t    *m;
    exs_rcpt_t   *r;
    int           k;

    m = exs_msg_create(a);

    body = exs_alloc(a, 10240 + 1);
    headers = exs_alloc(a, 1400 + 1);

    len = text(body, 10240);
    exs_props_set_str(a, &m->props, PR_BODY, body, len);

    len = text(headers, 1400);
    exs_props_set_str(a, &m->props, PR_TRANSPORT_MESSAGE_HEADERS, headers,
                      len);

    snprintf(subject, sizeof(subject), "Re: %s %s %u", words[i % 50],
             words[(i / 50) % 50], i);
    snprintf(from, sizeof(from), "sender%u@example.org", i % 977);
    snprintf(mid, sizeof(mid), "<%u.%llu@example.org>", i,
             (unsigned long long) rnd());

    exs_props_set_str(a, &m->props, PR_SUBJECT, subject, strlen(subject));
    exs_props_set_str(a, &m->props, PR_NORMALIZED_SUBJECT, subject + 4,
                      strlen(subject) - 4);
    exs_props_set_str(a, &m->props, PR_CONVERSATION_TOPIC, subject + 4,
                      strlen(subject) - 4);
    exs_props_set_str(a, &m->props, PR_MESSAGE_CLASS, "IPM.Note", 8);
    exs_props_set_str(a, &m->props, PR_SENDER_NAME, "A Sender", 8);
    exs_props_set_str(a, &m->props, PR_SENDER_EMAIL_ADDRESS, from,
                      strlen(from));
    exs_props_set_str(a, &m->props, PR_SENDER_SMTP_ADDRESS, from,
                      strlen(from));
    exs_props_set_str(a, &m->props, PR_SENT_REPRESENTING_NAME, "A Sender", 8);
    exs_props_set_str(a, &m->props, PR_SENT_REPRESENTING_EMAIL_ADDRESS, from,
                      strlen(from));
    exs_props_set_str(a, &m->props, PR_INTERNET_MESSAGE_ID, mid, strlen(mid));
    exs_props_set_long(a, &m->props, PR_IMPORTANCE, 1);
    exs_props_set_long(a, &m->props, PR_INTERNET_CPID, 65001);
    exs_props_set_i8(a, &m->props, PR_CLIENT_SUBMIT_TIME,
                     exs_filetime_from_unix(1700000000 + i));
    exs_props_set_i8(a, &m->props, PR_MESSAGE_DELIVERY_TIME,
                     exs_filetime_from_unix(1700000000 + i));
    exs_props_set_bin(a, &m->props, PR_CONVERSATION_INDEX, mid, 22);

    for (k = 0; k < 2; k++) {
        r = exs_msg_add_rcpt(a, m);
        exs_props_set_long(a, &r->props, PR_RECIPIENT_TYPE, k + 1);
        exs_props_set_str(a, &r->props, PR_DISPLAY_NAME, k ? "Carol" : "Bob",
                          k ? 5 : 3);
        exs_props_set_str(a, &r->props, PR_EMAIL_ADDRESS,
                          k ? "carol@example.test" : "bob@example.test",
                          k ? 18 : 16);
        exs_props_set_str(a, &r->props, PR_ADDRTYPE, "SMTP", 4);
    }

    return m;
}


/* takes the next message to prepare; 0: none left */

static int
prepare_one(batch_t *b, int thread)
{
    int       rc;
    unsigned  i;

    i = atomic_fetch_add(&b->next, 1);
    if (i >= b->n) {
        return 0;
    }

    rc = exs_message_prepare(b->env, b->msgs[i], b->arena[thread]);
    atomic_store(&b->done[i], rc == EXS_OK ? 1 : -1);

    return 1;
}


static void *
preparer(void *data)
{
    while (prepare_one(data, 1)) {
        /* void */
    }

    return NULL;
}


static int
fill(exs_env_t *env, uint32_t mailbox, exs_id_t fid, uint32_t n,
    exs_id_t *mids, double *seconds, double *cpu_seconds)
{
    int           rc;
    double        t0, c0, spent, cpu_spent;
    uint32_t      i, j, m;
    batch_t       b;
    pthread_t     helper;
    exs_txn_t    *txn;
    exs_mbox_t   *mb;
    exs_arena_t  *a;

    a = exs_arena_create(1 << 20);
    b.env = env;
    b.msgs = malloc(ROUND * sizeof(exs_msg_t *));
    b.done = malloc(ROUND * sizeof(atomic_int));
    b.arena[0] = exs_arena_create(1 << 20);
    b.arena[1] = exs_arena_create(1 << 20);
    spent = 0;
    cpu_spent = 0;
    rc = EXS_OK;
    txn = NULL;
    mb = NULL;

    for (i = 0; i < n; i += ROUND) {
        exs_arena_reset(a);
        exs_arena_reset(b.arena[0]);
        exs_arena_reset(b.arena[1]);

        m = n - i < ROUND ? n - i : ROUND;

        for (j = 0; j < m; j++) {
            b.msgs[j] = make_msg(a, i + j);
            atomic_init(&b.done[j], 0);
        }

        b.n = m;
        atomic_init(&b.next, 0);

        t0 = now();
        c0 = cpu();

        if (pthread_create(&helper, NULL, preparer, &b) != 0) {
            fprintf(stderr, "bench/store: pthread_create failed\n");
            return EXS_ERROR;
        }

        for (j = 0; rc == EXS_OK && j < m; j++) {
            if (j % BATCH == 0) {
                rc = exs_txn_begin(env, 0, &txn);
                if (rc == EXS_OK) {
                    rc = exs_mbox_open(txn, mailbox, 0, &mb);
                }
                if (rc != EXS_OK) {
                    break;
                }
            }

            /* help while message j isn't ready, then write it */
            while (atomic_load(&b.done[j]) == 0) {
                if (!prepare_one(&b, 0)) {
                    sched_yield();
                }
            }

            rc = atomic_load(&b.done[j]) < 0
                 ? EXS_NOMEM
                 : exs_message_create(mb, fid, b.msgs[j], 0, &mids[i + j]);

            if (rc == EXS_OK && (j % BATCH == BATCH - 1 || j == m - 1)) {
                /* the helper prepares on meanwhile */
                rc = exs_txn_commit(txn);
                txn = NULL;
            }
        }

        if (txn) {
            exs_txn_abort(txn);
            txn = NULL;
        }

        pthread_join(helper, NULL);

        spent += now() - t0;
        cpu_spent += cpu() - c0;

        if (rc != EXS_OK) {
            fprintf(stderr, "bench/store: create: %s\n", exs_strerror(rc));
            return rc;
        }
    }

    free(b.msgs);
    free(b.done);
    exs_arena_destroy(b.arena[0]);
    exs_arena_destroy(b.arena[1]);
    exs_arena_destroy(a);

    *seconds = spent;
    *cpu_seconds = cpu_spent;

    return EXS_OK;
}


static int
cmp_double(const void *a, const void *b)
{
    double  x, y;

    x = *(const double *) a;
    y = *(const double *) b;

    return (x > y) - (x < y);
}


/* the median time of the first page, in a fresh read transaction */

static double
first_page(exs_env_t *env, uint32_t mailbox, exs_id_t fid)
{
    int            rc, run;
    double         t0, *times, median;
    uint32_t       got, count;
    exs_txn_t     *txn;
    exs_mbox_t    *mb;
    exs_table_t   *t;
    exs_props_t   *rows;
    exs_arena_t   *a;
    uint32_t       cols[] = { PR_ENTRYID, PR_SUBJECT, PR_SENDER_NAME,
                              PR_MESSAGE_DELIVERY_TIME, PR_MESSAGE_SIZE,
                              PR_MESSAGE_FLAGS, PR_IMPORTANCE,
                              PR_MESSAGE_CLASS, PR_DISPLAY_TO,
                              PR_INSTANCE_KEY };

    a = exs_arena_create(1 << 16);
    times = malloc(PAGE_RUNS * sizeof(double));

    for (run = 0; run < PAGE_RUNS; run++) {
        exs_arena_reset(a);
        t0 = now();

        rc = exs_txn_begin(env, EXS_TXN_RDONLY, &txn);
        if (rc == EXS_OK) {
            rc = exs_mbox_open(txn, mailbox, 0, &mb);
        }

        if (rc == EXS_OK) {
            rc = exs_table_open(mb, fid, EXS_TABLE_CONTENTS, 0, NULL, NULL,
                                &t, a);
        }

        if (rc == EXS_OK) {
            rc = exs_table_count(t, &count);
        }

        if (rc == EXS_OK) {
            rc = exs_table_rows(t, 0, PAGE, cols,
                                sizeof(cols) / sizeof(cols[0]), &rows, NULL,
                                &got, a);
        }

        exs_txn_abort(txn);
        times[run] = now() - t0;

        if (rc != EXS_OK || got != PAGE) {
            fprintf(stderr, "bench/store: first page: %s\n",
                    exs_strerror(rc));
            exit(1);
        }
    }

    qsort(times, PAGE_RUNS, sizeof(double), cmp_double);
    median = times[PAGE_RUNS / 2];

    free(times);
    exs_arena_destroy(a);

    return median;
}


static double
random_reads(exs_env_t *env, uint32_t mailbox, exs_id_t *mids, uint32_t n)
{
    int           rc, i;
    double        t0;
    exs_msg_t    *m;
    exs_txn_t    *txn;
    exs_mbox_t   *mb;
    exs_arena_t  *a;

    a = exs_arena_create(1 << 16);
    t0 = now();

    for (i = 0; i < READS; i++) {
        exs_arena_reset(a);

        rc = exs_txn_begin(env, EXS_TXN_RDONLY, &txn);
        if (rc == EXS_OK) {
            rc = exs_mbox_open(txn, mailbox, 0, &mb);
        }

        if (rc == EXS_OK) {
            rc = exs_message_read(mb, mids[rnd() % n],
                                  EXS_READ_PROPS | EXS_READ_RCPTS, &m, a);
        }

        exs_txn_abort(txn);

        if (rc != EXS_OK) {
            fprintf(stderr, "bench/store: read: %s\n", exs_strerror(rc));
            exit(1);
        }
    }

    exs_arena_destroy(a);

    return READS / (now() - t0);
}


int
main(int argc, char **argv)
{
    int              rc, tmp;
    char             dir[4096], cmd[4200];
    double           secs, small, big, reads, secs_small, cpus, cpus_small;
    uint32_t         n, uid, mailbox;
    exs_id_t        *mids, small_mids[100], fsmall, fbig;
    exs_env_t       *env;
    exs_txn_t       *txn;
    exs_mbox_t      *mb;
    exs_props_t      props;
    exs_arena_t     *a;
    exs_dirent_t     e;
    exs_env_conf_t   conf;
    const char      *base;

    tmp = 0;

    if (argc > 1 && argv[1][0]) {
        snprintf(dir, sizeof(dir), "%s", argv[1]);

    } else {
        base = getenv("TMPDIR");
        snprintf(dir, sizeof(dir), "%s/exch-bench-XXXXXX", base ? base
                                                                : "/tmp");
        if (mkdtemp(dir) == NULL) {
            perror("bench/store: mkdtemp");
            return 1;
        }
        tmp = 1;
    }

    n = argc > 2 ? (uint32_t) atoi(argv[2]) : 100000;
    if (n < 100) {
        n = 100;
    }

    memset(&conf, 0, sizeof(conf));
    conf.flags = EXS_ENV_CREATE;

    rc = exs_env_open(&env, dir, &conf);
    if (rc != EXS_OK) {
        fprintf(stderr, "bench/store: %s: %s\n", dir, exs_strerror(rc));
        return 1;
    }

    a = exs_arena_create(0);

    exs_txn_begin(env, 0, &txn);
    exs_dir_domain_add(txn, "example.test", NULL);
    rc = exs_dir_user_add(txn, "bench@example.test", NULL, NULL, &uid);
    exs_dir_by_id(txn, uid, &e, a);
    mailbox = e.mailbox;
    exs_mbox_open(txn, mailbox, 0, &mb);

    props.n = 0;
    props.cap = 0;
    props.v = NULL;
    exs_props_set_str(a, &props, PR_DISPLAY_NAME, "Small", 5);
    exs_folder_create(mb, EXS_FID_INBOX, &props, EXS_FOLDER_GENERIC, 0,
                      &fsmall);
    exs_props_set_str(a, &props, PR_DISPLAY_NAME, "Big", 3);
    exs_folder_create(mb, EXS_FID_INBOX, &props, EXS_FOLDER_GENERIC, 0,
                      &fbig);

    if (rc != EXS_OK || exs_txn_commit(txn) != EXS_OK) {
        fprintf(stderr, "bench/store: setup failed\n");
        return 1;
    }

    mids = malloc(n * sizeof(exs_id_t));

    if (fill(env, mailbox, fbig, n, mids, &secs, &cpus) != EXS_OK
        || fill(env, mailbox, fsmall, 100, small_mids, &secs_small,
                &cpus_small) != EXS_OK)
    {
        return 1;
    }

    printf("store: %u messages (2 KiB of properties, 10 KiB body) created "
           "in batches of %d: %.2f s, %.0f messages/s (%.0f per CPU "
           "second, all threads)\n",
           n, BATCH, secs, n / secs, n / cpus);

    small = first_page(env, mailbox, fsmall);
    big = first_page(env, mailbox, fbig);

    printf("store: first page of %d rows newest first, folder of 100: "
           "%.3f ms\n", PAGE, small * 1000);
    printf("store: first page of %d rows newest first, folder of %u: "
           "%.3f ms (%.2fx the 100-message folder)\n", PAGE, n, big * 1000,
           big / small);

    reads = random_reads(env, mailbox, mids, n);

    printf("store: random single-message reads (properties, body, "
           "recipients): %.0f reads/s\n", reads);

    {
        exs_env_stat_t  st;

        exs_env_stat(env, &st);
        printf("store: %.1f MiB used for %u messages\n",
               st.used / 1048576.0, n + 100);
    }

    exs_env_close(env);
    exs_arena_destroy(a);
    free(mids);

    if (tmp) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "bench/store: can't remove %s\n", dir);
        }
    }

    return 0;
}
