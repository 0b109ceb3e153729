
/*
 * exchctl: mail in and out of the store.
 *
 *     import    EML files, Maildir folders, mbox files into a mailbox
 *     export    a mailbox's folders as mbox files or EML files
 *     deliver   one message on stdin to local recipients (Postfix)
 *     send      a message sent as a user (exs_mail_submit)
 *     queue     the outgoing queue
 *
 * Import parses in several threads and writes in batches: the MIME parse
 * (GMime) is most of the cost, and one write transaction per message
 * would make the disk the limit.  Messages are stored in the order they
 * were found, so IMAP UIDs follow the files.
 */


#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <exs_store.h>
#include <exs_mail.h>
#include <exs_mboxrd.h>
#include <exs_oxcmail.h>
#include <exch_bus.h>

#include "exchctl_mail.h"


#define EXCHCTL_BATCH_MSGS      1000     /* messages per write transaction */
#define EXCHCTL_BATCH_BYTES     (64 << 20)
#define EXCHCTL_JOBS_MAX        16
#define EXCHCTL_LOSSY_SHOWN     20
#define EXCHCTL_MAX_MESSAGE     (256 << 20)

#ifndef PR_FLAG_STATUS
#define PR_FLAG_STATUS          PROP_TAG(PT_LONG, 0x1090)
#endif

#define EXCHCTL_KIND_EML        0
#define EXCHCTL_KIND_MBOX       1

#define EXCHCTL_READ_UNKNOWN    2        /* from the message's headers */


typedef struct {
    const char               *what;
    const char               *store;
    int                       argc;
    char                    **argv;
    exs_env_t                *env;
    exch_bus_t               *bus;          /* wakes the nginx workers */
    exs_arena_t              *a;
} exchctl_mail_t;


/* import */

typedef struct {
    char                     *path;
    const uint8_t            *map;          /* mbox files: the mapping */
    size_t                    size;
} exchctl_src_t;

typedef struct {
    uint32_t                  src;
    uint32_t                  folder;       /* into imp->folders */
    uint64_t                  off;          /* mbox: within the mapping */
    uint64_t                  len;
    uint32_t                  num;          /* mbox: 1, 2, ... */
    uint8_t                   kind;
    uint8_t                   read;         /* 0, 1, EXCHCTL_READ_UNKNOWN */
    uint8_t                   flagged;
} exchctl_item_t;

typedef struct {
    int                       state;        /* 0 free, 1 parsing, 2 done */
    uint32_t                  item;
    exs_arena_t              *a;
    exs_mail_t               *m;
    int                       rc;
    int                       err;          /* errno reading the file */
    int                       read;
    size_t                    bytes;
} exchctl_slot_t;

typedef struct {
    exchctl_mail_t           *c;
    exs_env_t                *env;

    exchctl_src_t            *srcs;
    uint32_t                  nsrcs;
    uint32_t                  srcs_cap;

    exchctl_item_t           *items;
    uint32_t                  nitems;
    uint32_t                  items_cap;

    char                    **folders;      /* paths below the IPM subtree */
    exs_id_t                 *fids;
    uint32_t                  nfolders;
    uint32_t                  folders_cap;

    int                       read;         /* --read 1, --unread 0, or
                                               EXCHCTL_READ_UNKNOWN */
    unsigned                  jobs;
    int                       quiet;
    int                       tty;
    uint32_t                  mailbox;
    int                       bad_sources;

    /* the parse pipeline */
    pthread_mutex_t           lock;
    pthread_cond_t            ready;        /* a slot is done */
    pthread_cond_t            room;         /* a slot is free again */
    exchctl_slot_t           *slots;
    uint32_t                  nslots;
    uint32_t                  next;         /* next item to parse */
    uint32_t                  written;      /* items consumed */
    int                       stop;

    /* the report */
    uint64_t                  bytes;
    uint32_t                  stored;
    uint32_t                  lossy;
    uint32_t                  failed;
    double                    start;
    double                    last_bar;
} exchctl_import_t;


static int exchctl_mail_exit(int rc, int deliver);
static int exchctl_mail_fail(exchctl_mail_t *c, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int exchctl_mail_open(exchctl_mail_t *c);
static int exchctl_mail_user(exchctl_mail_t *c, uint32_t *mailbox);
static int exchctl_mail_begin(exchctl_mail_t *c, unsigned flags,
    uint32_t mailbox, exs_txn_t **txn, exs_mbox_t **mb);
static double exchctl_now(void);
static int exchctl_read_all(int fd, uint8_t **data, size_t *len, size_t max);
static int exchctl_folder_path(exs_mbox_t *mb, const char *path, int create,
    exs_id_t *fid);

static int exchctl_import(exchctl_mail_t *c);
static uint32_t exchctl_imp_folder(exchctl_import_t *imp, const char *parent,
    const char *name, int top);
static int exchctl_imp_path(exchctl_import_t *imp, const char *path,
    uint32_t folder, int top, int arg);
static int exchctl_imp_is_maildir(const char *path);
static int exchctl_imp_names(const char *path, char ***names, int *n);
static int exchctl_strcmp(const void *a, const void *b);
static void exchctl_names_free(char **names, int n);
static int exchctl_imp_dir(exchctl_import_t *imp, const char *path,
    uint32_t folder, int top);
static int exchctl_imp_maildir(exchctl_import_t *imp, const char *path,
    uint32_t folder, int top);
static int exchctl_imp_maildir_files(exchctl_import_t *imp,
    const char *path, uint32_t folder, int is_new);
static int exchctl_imp_file(exchctl_import_t *imp, const char *path,
    uint32_t folder, int top, int arg);
static int exchctl_imp_add(exchctl_import_t *imp, exchctl_item_t *it);
static uint32_t exchctl_imp_src(exchctl_import_t *imp, const char *path);
static void exchctl_imp_parse(exchctl_import_t *imp, exchctl_slot_t *s);
static int exchctl_imp_mbox_read(uint8_t *p, size_t *len);
static void *exchctl_imp_worker(void *data);
static int exchctl_imp_write(exchctl_import_t *imp);
static void exchctl_imp_bar(exchctl_import_t *imp, int last);
static void exchctl_imp_name(exchctl_import_t *imp, uint32_t item,
    char *buf, size_t size);
static void exchctl_imp_lossy(exchctl_import_t *imp, uint32_t item,
    unsigned lossy);

static int exchctl_export(exchctl_mail_t *c);
static int exchctl_exp_folder(exchctl_mail_t *c, exs_mbox_t *mb,
    exs_id_t fid, const char *path, const char *dir, int mbox,
    uint32_t *count);
static int exchctl_mkdirs(const char *path);

static int exchctl_deliver(exchctl_mail_t *c);
static int exchctl_send(exchctl_mail_t *c);
static int exchctl_message_list(exchctl_mail_t *c);
static int exchctl_queue_list(exchctl_mail_t *c);
static int exchctl_queue_kick(exchctl_mail_t *c);
static int exchctl_queue_del(exchctl_mail_t *c);


int
exchctl_mail_run(const char *what, const char *store, int argc, char **argv)
{
    int             ex;
    exchctl_mail_t  c;

    memset(&c, 0, sizeof(exchctl_mail_t));
    c.what = what;
    c.store = store;
    c.argc = argc;
    c.argv = argv;

    c.a = exs_arena_create(0);
    if (c.a == NULL) {
        return EX_OSERR;
    }

    if (strcmp(what, "import") == 0) {
        ex = exchctl_import(&c);

    } else if (strcmp(what, "export") == 0) {
        ex = exchctl_export(&c);

    } else if (strcmp(what, "deliver") == 0) {
        ex = exchctl_deliver(&c);

    } else if (strcmp(what, "send") == 0) {
        ex = exchctl_send(&c);

    } else if (strcmp(what, "message list") == 0) {
        ex = exchctl_message_list(&c);

    } else if (strcmp(what, "queue list") == 0) {
        ex = exchctl_queue_list(&c);

    } else if (strcmp(what, "queue kick") == 0) {
        ex = exchctl_queue_kick(&c);

    } else if (strcmp(what, "queue del") == 0) {
        ex = exchctl_queue_del(&c);

    } else {
        ex = EX_SOFTWARE;
    }

    exch_bus_detach(c.bus);
    exs_env_close(c.env);
    exs_arena_destroy(c.a);
    exs_mime_shutdown();

    return ex;
}


/*
 * The store's codes as exit codes.  For deliver, everything that may pass
 * is a temporary failure: Postfix keeps the message and tries again.
 */

static int
exchctl_mail_exit(int rc, int deliver)
{
    switch (rc) {
    case EXS_OK:
        return EX_OK;
    case EXS_NOTFOUND:
        return EX_NOUSER;
    case EXS_INVALID:
    case EXS_TOOBIG:
        return EX_DATAERR;
    case EXS_DENIED:
        return deliver ? EX_TEMPFAIL : EX_NOPERM;
    case EXS_BUSY:
    case EXS_FULL:
    case EXS_IO:
    case EXS_NOMEM:
    case EXS_CONFLICT:
        return EX_TEMPFAIL;
    default:
        return deliver ? EX_TEMPFAIL : EX_SOFTWARE;
    }
}


static int
exchctl_mail_fail(exchctl_mail_t *c, int rc, const char *fmt, ...)
{
    va_list  ap;

    fprintf(stderr, "exchctl: %s: ", c->what);

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);

    if (rc != EXS_OK) {
        fprintf(stderr, ": %s", exs_strerror(rc));
    }

    fputc('\n', stderr);

    return exchctl_mail_exit(rc, strcmp(c->what, "deliver") == 0);
}


/* the store must exist: these verbs never create one */

static int
exchctl_mail_open(exchctl_mail_t *c)
{
    int          rc;
    struct stat  st;

    if (stat(c->store, &st) != 0) {
        fprintf(stderr, "exchctl: %s: no store in %s\n", c->what, c->store);
        return strcmp(c->what, "deliver") == 0 ? EX_TEMPFAIL : EX_NOINPUT;
    }

    rc = exs_env_open(&c->env, c->store, NULL);
    if (rc != EXS_OK) {
        return exchctl_mail_fail(c, rc, "can't open the store in %s",
                                 c->store);
    }

    /* without it the workers still see the change, by their slow poll */
    c->bus = exch_bus_attach(c->env);

    return EX_OK;
}


/* --name VALUE, --name=VALUE; NULL and *i unchanged when argv[*i] isn't
 * (exchctl.c's verbs use it too) */
const char *
exchctl_option(int argc, char **argv, const char *name, int *i)
{
    size_t       len;
    const char  *arg;

    arg = argv[*i];
    len = strlen(name);

    if (strncmp(arg, name, len) != 0) {
        return NULL;
    }

    if (arg[len] == '=') {
        return arg + len + 1;
    }

    if (arg[len] != '\0' || *i + 1 >= argc) {
        return NULL;
    }

    (*i)++;

    return argv[*i];
}


/* opens the store and finds the mailbox of the user argv[0] names */

static int
exchctl_mail_user(exchctl_mail_t *c, uint32_t *mailbox)
{
    int            ex, rc;
    exs_txn_t     *txn;
    exs_dirent_t   e;

    ex = exchctl_mail_open(c);
    if (ex != EX_OK) {
        return ex;
    }

    rc = exs_txn_begin(c->env, EXS_TXN_RDONLY, &txn);
    if (rc != EXS_OK) {
        return exchctl_mail_fail(c, rc, "the store");
    }

    rc = exs_dir_by_address(txn, c->argv[0], &e, c->a);

    if (rc == EXS_OK) {
        *mailbox = e.mailbox;
    }

    exs_txn_abort(txn);

    if (rc != EXS_OK) {
        return exchctl_mail_fail(c, rc, "%s", c->argv[0]);
    }

    if (*mailbox == 0) {
        fprintf(stderr, "exchctl: %s: %s is a group: no mailbox\n", c->what,
                c->argv[0]);
        return EX_DATAERR;
    }

    return EX_OK;
}


/* a transaction (flags: EXS_TXN_RDONLY or 0) with the mailbox open */

static int
exchctl_mail_begin(exchctl_mail_t *c, unsigned flags, uint32_t mailbox,
    exs_txn_t **txn, exs_mbox_t **mb)
{
    int  rc;

    rc = exs_txn_begin(c->env, flags, txn);
    if (rc != EXS_OK) {
        return exchctl_mail_fail(c, rc, "the store");
    }

    rc = exs_mbox_open(*txn, mailbox, 0, mb);
    if (rc != EXS_OK) {
        exs_txn_abort(*txn);
        *txn = NULL;
        return exchctl_mail_fail(c, rc, "the mailbox of %s", c->argv[0]);
    }

    return EX_OK;
}


static double
exchctl_now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}


/* a whole file or stream into malloc'd memory, NUL-terminated */

static int
exchctl_read_all(int fd, uint8_t **data, size_t *len, size_t max)
{
    size_t    cap, n;
    ssize_t   r;
    uint8_t  *p, *np;

    cap = 65536;
    n = 0;

    p = malloc(cap + 1);
    if (p == NULL) {
        return ENOMEM;
    }

    for ( ;; ) {
        if (n == cap) {
            if (cap >= max) {
                free(p);
                return EFBIG;
            }

            cap *= 2;

            np = realloc(p, cap + 1);
            if (np == NULL) {
                free(p);
                return ENOMEM;
            }

            p = np;
        }

        r = read(fd, p + n, cap - n);

        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }

            r = errno;
            free(p);
            return (int) r;
        }

        if (r == 0) {
            break;
        }

        n += (size_t) r;
    }

    p[n] = '\0';
    *data = p;
    *len = n;

    return 0;
}


/* "Inbox/Archive": a folder below the IPM subtree, made when missing */

static int
exchctl_folder_path(exs_mbox_t *mb, const char *path, int create,
    exs_id_t *fid)
{
    int           rc;
    char          name[256];
    size_t        len;
    exs_id_t      parent, f;
    exs_props_t   props;
    exs_prop_t    v[2];
    const char   *p, *slash;

    parent = EXS_FID_IPM_SUBTREE;
    p = path;

    while (*p) {
        slash = strchr(p, '/');
        len = slash ? (size_t) (slash - p) : strlen(p);

        if (len == 0) {
            p++;
            continue;
        }

        if (len >= sizeof(name)) {
            return EXS_INVALID;
        }

        memcpy(name, p, len);
        name[len] = '\0';

        rc = exs_folder_by_name(mb, parent, name, &f);

        if (rc == EXS_NOTFOUND && create) {
            v[0].tag = PR_DISPLAY_NAME;
            v[0].v.str.data = name;
            v[0].v.str.len = len;
            v[1].tag = PR_CONTAINER_CLASS;
            v[1].v.str.data = "IPF.Note";
            v[1].v.str.len = 8;
            props.n = 2;
            props.cap = 2;
            props.v = v;

            rc = exs_folder_create(mb, parent, &props, EXS_FOLDER_GENERIC,
                                   EXS_OPEN_IF_EXISTS, &f);
        }

        if (rc != EXS_OK) {
            return rc;
        }

        parent = f;
        p += len;
    }

    *fid = parent;

    return EXS_OK;
}


/* import: finding the messages */

static int
exchctl_import(exchctl_mail_t *c)
{
    int                ex, i, n;
    long               ncpu;
    uint32_t           root, k;
    pthread_t         *threads;
    const char        *v, *folder, **paths;
    exchctl_import_t   imp;

    memset(&imp, 0, sizeof(exchctl_import_t));
    imp.c = c;
    imp.read = EXCHCTL_READ_UNKNOWN;
    imp.tty = isatty(STDERR_FILENO);

    ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    imp.jobs = ncpu > 1 ? (unsigned) (ncpu > EXCHCTL_JOBS_MAX
                                      ? EXCHCTL_JOBS_MAX : ncpu)
                        : 1;
    folder = NULL;

    ex = exchctl_mail_user(c, &imp.mailbox);
    if (ex != EX_OK) {
        return ex;
    }

    paths = exs_alloc(c->a, (size_t) c->argc * sizeof(char *));
    if (paths == NULL) {
        return EX_OSERR;
    }

    n = 0;

    for (i = 1; i < c->argc; i++) {
        if ((v = exchctl_option(c->argc, c->argv, "--folder", &i)) != NULL) {
            folder = v;

        } else if ((v = exchctl_option(c->argc, c->argv, "--jobs", &i))
                   != NULL)
        {
            imp.jobs = (unsigned) atoi(v);
            if (imp.jobs < 1 || imp.jobs > EXCHCTL_JOBS_MAX) {
                fprintf(stderr, "exchctl: import: --jobs 1..%d\n",
                        EXCHCTL_JOBS_MAX);
                return EX_USAGE;
            }

        } else if (strcmp(c->argv[i], "--read") == 0) {
            imp.read = 1;

        } else if (strcmp(c->argv[i], "--unread") == 0) {
            imp.read = 0;

        } else if (strcmp(c->argv[i], "--quiet") == 0) {
            imp.quiet = 1;

        } else if (c->argv[i][0] == '-' && c->argv[i][1] != '\0') {
            fprintf(stderr, "exchctl: import: unknown option %s\n",
                    c->argv[i]);
            return EX_USAGE;

        } else {
            paths[n++] = c->argv[i];
        }
    }

    if (n == 0) {
        fprintf(stderr, "exchctl: import: nothing to import (see --help)\n");
        return EX_USAGE;
    }

    root = exchctl_imp_folder(&imp, NULL, folder ? folder : "Inbox", 0);

    for (i = 0; i < n; i++) {
        ex = exchctl_imp_path(&imp, paths[i], root, folder == NULL, 1);
        if (ex != EX_OK) {
            return ex;
        }
    }

    imp.env = c->env;

    /* parse in threads, write here */

    exs_mime_init();

    imp.nslots = imp.jobs * 32;
    imp.slots = calloc(imp.nslots, sizeof(exchctl_slot_t));
    threads = calloc(imp.jobs, sizeof(pthread_t));

    if (imp.slots == NULL || threads == NULL) {
        free(imp.slots);
        free(threads);
        return EX_OSERR;
    }

    pthread_mutex_init(&imp.lock, NULL);
    pthread_cond_init(&imp.ready, NULL);
    pthread_cond_init(&imp.room, NULL);

    imp.start = exchctl_now();

    n = 0;

    if (imp.jobs > 1) {
        for (k = 0; k < imp.jobs; k++) {
            if (pthread_create(&threads[k], NULL, exchctl_imp_worker, &imp)
                != 0)
            {
                break;
            }
            n++;
        }
    }

    ex = exchctl_imp_write(&imp);

    pthread_mutex_lock(&imp.lock);
    imp.stop = 1;
    pthread_cond_broadcast(&imp.room);
    pthread_mutex_unlock(&imp.lock);

    for (i = 0; i < n; i++) {
        pthread_join(threads[i], NULL);
    }

    for (k = 0; k < imp.nslots; k++) {
        exs_arena_destroy(imp.slots[k].a);
    }

    for (k = 0; k < imp.nsrcs; k++) {
        if (imp.srcs[k].map) {
            munmap((void *) imp.srcs[k].map, imp.srcs[k].size);
        }
        free(imp.srcs[k].path);
    }

    for (k = 0; k < imp.nfolders; k++) {
        free(imp.folders[k]);
    }

    free(imp.srcs);
    free(imp.items);
    free(imp.folders);
    free(imp.fids);
    free(imp.slots);
    free(threads);

    pthread_mutex_destroy(&imp.lock);
    pthread_cond_destroy(&imp.ready);
    pthread_cond_destroy(&imp.room);

    if (ex == EX_OK && imp.bad_sources) {
        ex = EX_NOINPUT;
    }

    return ex;
}


/*
 * The folder for a child called name of parent (NULL: the IPM subtree).
 * At the top of a mailbox, the names other systems give the special
 * folders become ours.  Returns the index in imp->folders (UINT32_MAX on
 * allocation failure).
 */

static uint32_t
exchctl_imp_folder(exchctl_import_t *imp, const char *parent,
    const char *name, int top)
{
    char        *path;
    size_t       len;
    uint32_t     i;
    const char  *n;

    static const struct {
        const char  *name;
        const char  *ours;
    } specials[] = {
        { "inbox", "Inbox" },
        { "sent", "Sent Items" },
        { "sent items", "Sent Items" },
        { "sent messages", "Sent Items" },
        { "sent mail", "Sent Items" },
        { "drafts", "Drafts" },
        { "trash", "Deleted Items" },
        { "deleted items", "Deleted Items" },
        { "deleted messages", "Deleted Items" },
        { "junk", "Junk E-mail" },
        { "spam", "Junk E-mail" },
        { "junk e-mail", "Junk E-mail" },
        { "junk email", "Junk E-mail" },
    };

    n = name;

    if (top) {
        for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++) {
            if (strcasecmp(name, specials[i].name) == 0) {
                n = specials[i].ours;
                break;
            }
        }
    }

    len = (parent && *parent ? strlen(parent) + 1 : 0) + strlen(n) + 1;

    path = malloc(len);
    if (path == NULL) {
        return UINT32_MAX;
    }

    snprintf(path, len, "%s%s%s", parent && *parent ? parent : "",
             parent && *parent ? "/" : "", n);

    for (i = 0; i < imp->nfolders; i++) {
        if (strcmp(imp->folders[i], path) == 0) {
            free(path);
            return i;
        }
    }

    if (imp->nfolders == imp->folders_cap) {
        char      **f;
        exs_id_t   *ids;

        imp->folders_cap = imp->folders_cap ? imp->folders_cap * 2 : 16;

        f = realloc(imp->folders, imp->folders_cap * sizeof(char *));
        if (f == NULL) {
            free(path);
            return UINT32_MAX;
        }
        imp->folders = f;

        ids = realloc(imp->fids, imp->folders_cap * sizeof(exs_id_t));
        if (ids == NULL) {
            free(path);
            return UINT32_MAX;
        }
        imp->fids = ids;
    }

    imp->folders[imp->nfolders] = path;
    imp->fids[imp->nfolders] = 0;

    return imp->nfolders++;
}


static int
exchctl_imp_path(exchctl_import_t *imp, const char *path, uint32_t folder,
    int top, int arg)
{
    struct stat  st;

    if (folder == UINT32_MAX) {
        return EX_OSERR;
    }

    if (stat(path, &st) != 0) {
        fprintf(stderr, "exchctl: import: %s: %s\n", path, strerror(errno));
        imp->bad_sources++;
        return EX_OK;
    }

    if (S_ISDIR(st.st_mode)) {
        return exchctl_imp_dir(imp, path, folder, top);
    }

    if (!S_ISREG(st.st_mode)) {
        return EX_OK;
    }

    return exchctl_imp_file(imp, path, folder, top, arg);
}


static int
exchctl_imp_is_maildir(const char *path)
{
    char         sub[4096];
    struct stat  st;

    snprintf(sub, sizeof(sub), "%s/cur", path);
    if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
        return 1;
    }

    snprintf(sub, sizeof(sub), "%s/new", path);

    return stat(sub, &st) == 0 && S_ISDIR(st.st_mode);
}


static int
exchctl_imp_names(const char *path, char ***names, int *n)
{
    int             cap;
    char          **v, **nv;
    DIR            *d;
    struct dirent  *de;

    *names = NULL;
    *n = 0;

    d = opendir(path);
    if (d == NULL) {
        return errno;
    }

    v = NULL;
    cap = 0;

    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }

        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            nv = realloc(v, cap * sizeof(char *));
            if (nv == NULL) {
                break;
            }
            v = nv;
        }

        v[*n] = strdup(de->d_name);
        if (v[*n] == NULL) {
            break;
        }

        (*n)++;
    }

    closedir(d);

    *names = v;

    return 0;
}


static int
exchctl_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}


static void
exchctl_names_free(char **names, int n)
{
    int  i;

    for (i = 0; i < n; i++) {
        free(names[i]);
    }

    free(names);
}


/*
 * A directory that is no Maildir: subdirectories become subfolders
 * (Thunderbird's "X.sbd" is X), an mbox file becomes a subfolder named
 * after it ("X.mbox" is X), EML files go into the folder itself.
 */

static int
exchctl_imp_dir(exchctl_import_t *imp, const char *path, uint32_t folder,
    int top)
{
    int           i, n, ex, err;
    char          sub[4096], name[256], **names;
    size_t        len;
    uint32_t      f;
    struct stat   st;

    if (exchctl_imp_is_maildir(path)) {
        return exchctl_imp_maildir(imp, path, folder, top);
    }

    err = exchctl_imp_names(path, &names, &n);
    if (err) {
        fprintf(stderr, "exchctl: import: %s: %s\n", path, strerror(err));
        imp->bad_sources++;
        return EX_OK;
    }

    qsort(names, (size_t) n, sizeof(char *), exchctl_strcmp);

    ex = EX_OK;

    for (i = 0; i < n && ex == EX_OK; i++) {
        if (names[i][0] == '.') {
            continue;
        }

        len = strlen(names[i]);

        /* indexes and notes that live beside mail */
        if ((len > 4 && strcmp(names[i] + len - 4, ".msf") == 0)
            || (len > 3 && strcmp(names[i] + len - 3, ".md") == 0)
            || strncmp(names[i], "README", 6) == 0
            || strncmp(names[i], "dovecot", 7) == 0)
        {
            continue;
        }

        if (snprintf(sub, sizeof(sub), "%s/%s", path, names[i])
            >= (int) sizeof(sub))
        {
            continue;
        }

        if (stat(sub, &st) != 0) {
            continue;
        }

        if (snprintf(name, sizeof(name), "%s", names[i])
            >= (int) sizeof(name))
        {
            continue;
        }
        len = strlen(name);

        if (len > 4 && (strcmp(name + len - 4, ".sbd") == 0)) {
            name[len - 4] = '\0';

        } else if (len > 5 && strcmp(name + len - 5, ".mbox") == 0) {
            name[len - 5] = '\0';
        }

        if (S_ISDIR(st.st_mode)) {
            f = exchctl_imp_folder(imp, top ? NULL : imp->folders[folder],
                                   name, top);
            ex = exchctl_imp_path(imp, sub, f, 0, 0);
            continue;
        }

        if (S_ISREG(st.st_mode)) {
            int            fd, mbox;
            uint8_t        head[512];
            ssize_t        r;

            fd = open(sub, O_RDONLY);
            if (fd < 0) {
                continue;
            }

            r = read(fd, head, sizeof(head));
            close(fd);

            /* "X.eml" starting with a From_ line is still one message */
            mbox = r > 0 && exs_mboxrd_is_mbox(head, (size_t) r)
                   && !(len > 4 && strcasecmp(names[i] + len - 4, ".eml")
                                   == 0);

            if (mbox) {
                f = exchctl_imp_folder(imp,
                                       top ? NULL : imp->folders[folder],
                                       name, top);
                ex = exchctl_imp_path(imp, sub, f, 0, 0);

            } else {
                ex = exchctl_imp_file(imp, sub, folder, 0, 0);
            }
        }
    }

    exchctl_names_free(names, n);

    return ex;
}


/* cur/ and new/, then the Maildir++ subfolders ".A.B" */

static int
exchctl_imp_maildir(exchctl_import_t *imp, const char *path,
    uint32_t folder, int top)
{
    int          i, n, ex, err;
    char         sub[4096], **names, *part, *save, buf[256];
    uint32_t     f;
    struct stat  st;

    ex = exchctl_imp_maildir_files(imp, path, folder, 0);

    if (ex == EX_OK) {
        ex = exchctl_imp_maildir_files(imp, path, folder, 1);
    }

    if (ex != EX_OK) {
        return ex;
    }

    err = exchctl_imp_names(path, &names, &n);
    if (err) {
        return EX_OK;
    }

    qsort(names, (size_t) n, sizeof(char *), exchctl_strcmp);

    for (i = 0; i < n && ex == EX_OK; i++) {
        if (strcmp(names[i], "cur") == 0 || strcmp(names[i], "new") == 0
            || strcmp(names[i], "tmp") == 0)
        {
            continue;
        }

        if (snprintf(sub, sizeof(sub), "%s/%s", path, names[i])
            >= (int) sizeof(sub))
        {
            continue;
        }

        if (stat(sub, &st) != 0 || !S_ISDIR(st.st_mode)
            || !exchctl_imp_is_maildir(sub))
        {
            continue;
        }

        if (names[i][0] == '.') {
            /* Maildir++: ".A.B" is A/B, beside the other folders */
            if (snprintf(buf, sizeof(buf), "%s", names[i] + 1)
                >= (int) sizeof(buf))
            {
                continue;
            }
            f = folder;

            if (top) {
                f = UINT32_MAX - 1;
            }

            for (part = strtok_r(buf, ".", &save); part;
                 part = strtok_r(NULL, ".", &save))
            {
                f = exchctl_imp_folder(imp,
                                       f == UINT32_MAX - 1
                                       ? NULL : imp->folders[f],
                                       part, f == UINT32_MAX - 1);
                if (f == UINT32_MAX) {
                    break;
                }
            }

            if (f == UINT32_MAX - 1) {
                continue;
            }

            ex = exchctl_imp_maildir_files(imp, sub, f, 0);
            if (ex == EX_OK) {
                ex = exchctl_imp_maildir_files(imp, sub, f, 1);
            }

        } else {
            f = exchctl_imp_folder(imp, top ? NULL : imp->folders[folder],
                                   names[i], top);
            ex = exchctl_imp_maildir(imp, sub, f, 0);
        }
    }

    exchctl_names_free(names, n);

    return ex;
}


/* the messages of cur/ (or new/): flags after ":2," in the name */

static int
exchctl_imp_maildir_files(exchctl_import_t *imp, const char *path,
    uint32_t folder, int is_new)
{
    int              i, n, ex, err;
    char             dir[4096], file[4096], **names;
    const char      *info;
    exchctl_item_t   it;

    if (folder == UINT32_MAX) {
        return EX_OSERR;
    }

    if (snprintf(dir, sizeof(dir), "%s/%s", path, is_new ? "new" : "cur")
        >= (int) sizeof(dir))
    {
        return EX_OK;
    }

    err = exchctl_imp_names(dir, &names, &n);
    if (err) {
        return EX_OK;
    }

    qsort(names, (size_t) n, sizeof(char *), exchctl_strcmp);

    ex = EX_OK;

    for (i = 0; i < n && ex == EX_OK; i++) {
        if (names[i][0] == '.') {
            continue;
        }

        if (snprintf(file, sizeof(file), "%s/%s", dir, names[i])
            >= (int) sizeof(file))
        {
            continue;
        }

        memset(&it, 0, sizeof(exchctl_item_t));
        it.kind = EXCHCTL_KIND_EML;
        it.folder = folder;
        it.read = 0;

        info = strstr(names[i], ":2,");
        if (info && !is_new) {
            it.read = strchr(info + 3, 'S') != NULL;
            it.flagged = strchr(info + 3, 'F') != NULL;
        }

        it.src = exchctl_imp_src(imp, file);
        if (it.src == UINT32_MAX) {
            ex = EX_OSERR;
            break;
        }

        ex = exchctl_imp_add(imp, &it);
    }

    exchctl_names_free(names, n);

    return ex;
}


/* one file: an mbox (every message in it) or one message */

static int
exchctl_imp_file(exchctl_import_t *imp, const char *path, uint32_t folder,
    int top, int arg)
{
    int                fd;
    size_t             len;
    uint8_t           *map;
    uint32_t           src, num;
    struct stat        st;
    exchctl_item_t     it;
    exs_mboxrd_t       r;
    exs_mboxrd_msg_t   m;

    if (folder == UINT32_MAX) {
        return EX_OSERR;
    }

    fd = open(path, O_RDONLY);
    if (fd < 0 || fstat(fd, &st) != 0) {
        fprintf(stderr, "exchctl: import: %s: %s\n", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        imp->bad_sources++;
        return EX_OK;
    }

    if (st.st_size == 0) {
        close(fd);
        return EX_OK;
    }

    map = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);

    if (map == MAP_FAILED) {
        fprintf(stderr, "exchctl: import: %s: %s\n", path, strerror(errno));
        imp->bad_sources++;
        return EX_OK;
    }

    src = exchctl_imp_src(imp, path);
    if (src == UINT32_MAX) {
        munmap(map, (size_t) st.st_size);
        return EX_OSERR;
    }

    memset(&it, 0, sizeof(exchctl_item_t));
    it.src = src;
    it.folder = folder;

    len = strlen(path);

    if (!exs_mboxrd_is_mbox(map, (size_t) st.st_size)
        || (len > 4 && strcasecmp(path + len - 4, ".eml") == 0))
    {
        munmap(map, (size_t) st.st_size);
        it.kind = EXCHCTL_KIND_EML;
        it.read = 1;
        return exchctl_imp_add(imp, &it);
    }

    imp->srcs[src].map = map;
    imp->srcs[src].size = (size_t) st.st_size;

    exs_mboxrd_init(&r, map, (size_t) st.st_size);
    num = 0;

    while (exs_mboxrd_next(&r, &m)) {
        it.kind = EXCHCTL_KIND_MBOX;
        it.off = (uint64_t) (m.data - map);
        it.len = m.len;
        it.num = ++num;
        it.read = EXCHCTL_READ_UNKNOWN;

        if (exchctl_imp_add(imp, &it) != EX_OK) {
            return EX_OSERR;
        }
    }

    return EX_OK;
}


static int
exchctl_imp_add(exchctl_import_t *imp, exchctl_item_t *it)
{
    exchctl_item_t  *v;

    if (imp->nitems == imp->items_cap) {
        imp->items_cap = imp->items_cap ? imp->items_cap * 2 : 1024;

        v = realloc(imp->items, imp->items_cap * sizeof(exchctl_item_t));
        if (v == NULL) {
            return EX_OSERR;
        }

        imp->items = v;
    }

    if (imp->read != EXCHCTL_READ_UNKNOWN) {
        it->read = (uint8_t) imp->read;
    }

    imp->items[imp->nitems++] = *it;

    return EX_OK;
}


static uint32_t
exchctl_imp_src(exchctl_import_t *imp, const char *path)
{
    exchctl_src_t  *v;

    if (imp->nsrcs == imp->srcs_cap) {
        imp->srcs_cap = imp->srcs_cap ? imp->srcs_cap * 2 : 256;

        v = realloc(imp->srcs, imp->srcs_cap * sizeof(exchctl_src_t));
        if (v == NULL) {
            return UINT32_MAX;
        }

        imp->srcs = v;
    }

    v = &imp->srcs[imp->nsrcs];
    memset(v, 0, sizeof(exchctl_src_t));

    v->path = strdup(path);
    if (v->path == NULL) {
        return UINT32_MAX;
    }

    return imp->nsrcs++;
}


/* import: parsing */

/*
 * The read state of an mbox message: "Status: RO" (mutt, mail, our
 * export) or X-Mozilla-Status bit 1 (Thunderbird).  Status: and X-Status:
 * are the mbox file's, not the message's: they are taken out (*len
 * shrinks).
 */

static int
exchctl_imp_mbox_read(uint8_t *p, size_t *len)
{
    int        read;
    size_t     l;
    uint8_t   *end, *nl, *v;

    end = p + *len;
    read = 0;

    while (p < end) {
        nl = memchr(p, '\n', (size_t) (end - p));
        l = nl ? (size_t) (nl - p) + 1 : (size_t) (end - p);

        if (p[0] == '\n' || (p[0] == '\r' && l == 2)) {
            break;
        }

        if ((l > 7 && strncasecmp((const char *) p, "Status:", 7) == 0)
            || (l > 9 && strncasecmp((const char *) p, "X-Status:", 9) == 0))
        {
            if (p[0] == 'S' || p[0] == 's') {
                for (v = p + 7; v < p + l; v++) {
                    if (*v == 'R') {
                        read = 1;
                    }
                }
            }

            memmove(p, p + l, (size_t) (end - (p + l)));
            end -= l;
            *len -= l;
            continue;
        }

        if (l > 18
            && strncasecmp((const char *) p, "X-Mozilla-Status:", 17) == 0
            && (strtoul((const char *) p + 17, NULL, 16) & 1))
        {
            read = 1;
        }

        p += l;
    }

    return read;
}


static void
exchctl_imp_parse(exchctl_import_t *imp, exchctl_slot_t *s)
{
    int               fd, rc, n;
    size_t            len;
    uint8_t          *buf;
    exs_txn_t        *txn;
    exchctl_item_t   *it;
    exchctl_src_t    *src;

    it = &imp->items[s->item];
    src = &imp->srcs[it->src];

    s->m = NULL;
    s->rc = EXS_OK;
    s->err = 0;
    s->read = it->read;
    buf = NULL;

    if (s->a == NULL) {
        s->a = exs_arena_create(65536);
        if (s->a == NULL) {
            s->rc = EXS_NOMEM;
            return;
        }

    } else {
        exs_arena_reset(s->a);
    }

    if (it->kind == EXCHCTL_KIND_MBOX) {
        buf = malloc(it->len + 1);
        if (buf == NULL) {
            s->rc = EXS_NOMEM;
            return;
        }

        len = exs_mboxrd_unescape(src->map + it->off, it->len, buf);
        n = exchctl_imp_mbox_read(buf, &len);

        if (s->read == EXCHCTL_READ_UNKNOWN) {
            s->read = n;
        }

    } else {
        fd = open(src->path, O_RDONLY);
        if (fd < 0) {
            s->err = errno;
            return;
        }

        s->err = exchctl_read_all(fd, &buf, &len, EXCHCTL_MAX_MESSAGE);
        close(fd);

        if (s->err) {
            return;
        }

        if (s->read == EXCHCTL_READ_UNKNOWN) {
            s->read = 1;
        }
    }

    s->bytes = len;

    /* a read transaction per message: directory look-ups, and no old
     * snapshot pinned while the writer goes on */

    rc = exs_txn_begin(imp->env, EXS_TXN_RDONLY, &txn);
    if (rc == EXS_OK) {
        rc = exs_mail_parse(txn, buf, len, 0, &s->m, s->a);
        exs_txn_abort(txn);
    }

    if (rc == EXS_OK && it->flagged) {
        rc = exs_props_set_long(s->a, &exs_mail_msg(s->m)->props,
                                PR_FLAG_STATUS, 2);
    }

    /* compression and hashing here, in parallel, not under the lock */
    if (rc == EXS_OK) {
        rc = exs_mail_prepare(imp->env, s->m, s->a);
    }

    s->rc = rc;

    free(buf);
}


static void *
exchctl_imp_worker(void *data)
{
    exchctl_import_t  *imp = data;

    uint32_t         i;
    exchctl_slot_t  *s;

    pthread_mutex_lock(&imp->lock);

    for ( ;; ) {
        while (!imp->stop
               && (imp->next >= imp->nitems
                   || imp->next >= imp->written + imp->nslots))
        {
            if (imp->next >= imp->nitems) {
                pthread_mutex_unlock(&imp->lock);
                return NULL;
            }

            pthread_cond_wait(&imp->room, &imp->lock);
        }

        if (imp->stop) {
            break;
        }

        i = imp->next++;
        s = &imp->slots[i % imp->nslots];
        s->item = i;
        s->state = 1;

        pthread_mutex_unlock(&imp->lock);

        exchctl_imp_parse(imp, s);

        pthread_mutex_lock(&imp->lock);
        s->state = 2;
        pthread_cond_broadcast(&imp->ready);
    }

    pthread_mutex_unlock(&imp->lock);

    return NULL;
}


static void
exchctl_imp_name(exchctl_import_t *imp, uint32_t item, char *buf,
    size_t size)
{
    exchctl_item_t  *it;

    it = &imp->items[item];

    if (it->kind == EXCHCTL_KIND_MBOX) {
        snprintf(buf, size, "%s, message %u", imp->srcs[it->src].path,
                 it->num);
    } else {
        snprintf(buf, size, "%s", imp->srcs[it->src].path);
    }
}


static void
exchctl_imp_lossy(exchctl_import_t *imp, uint32_t item, unsigned lossy)
{
    char  name[4200];

    imp->lossy++;

    if (imp->lossy > EXCHCTL_LOSSY_SHOWN) {
        return;
    }

    exchctl_imp_name(imp, item, name, sizeof(name));

    if (imp->tty && !imp->quiet) {
        fprintf(stderr, "\r\033[K");
    }

    fprintf(stderr, "exchctl: import: %s: stored with losses:%s%s%s%s%s%s%s%s"
            " (the original is kept)\n", name,
            lossy & EXS_OXCMAIL_LOST_STRUCTURE ? " broken MIME structure" : "",
            lossy & EXS_OXCMAIL_LOST_ENCODING ? " bad encoding" : "",
            lossy & EXS_OXCMAIL_LOST_CHARSET ? " bad charset bytes" : "",
            lossy & EXS_OXCMAIL_LOST_DEPTH ? " nested too deep" : "",
            lossy & EXS_OXCMAIL_LOST_TNEF ? " broken TNEF" : "",
            lossy & EXS_OXCMAIL_LOST_SIGNATURE ? " PGP signature" : "",
            lossy & EXS_OXCMAIL_LOST_HEADERS ? " repeated headers" : "",
            lossy & EXS_OXCMAIL_LOST_NAMES ? " too many named properties"
                                           : "");
}


static void
exchctl_imp_bar(exchctl_import_t *imp, int last)
{
    int     width, fill;
    double  now, elapsed, rate, left;

    now = exchctl_now();

    if (!imp->tty || imp->quiet || (!last && now - imp->last_bar < 0.1)) {
        return;
    }

    imp->last_bar = now;
    elapsed = now - imp->start;
    rate = elapsed > 0 ? imp->written / elapsed : 0;
    left = rate > 0 ? (imp->nitems - imp->written) / rate : 0;

    width = 30;
    fill = imp->nitems ? (int) ((uint64_t) width * imp->written
                                / imp->nitems)
                       : width;

    fprintf(stderr, "\r\033[K  %u/%u [%.*s%*s] %.0f msg/s, %.1f MB, "
            "%d:%02d left", imp->written, imp->nitems, fill,
            "##############################", width - fill, "", rate,
            imp->bytes / 1048576.0, (int) left / 60, (int) left % 60);

    if (last) {
        fprintf(stderr, "\r\033[K");
    }

    fflush(stderr);
}


/* import: writing, in item order, a batch per transaction */

static int
exchctl_imp_write(exchctl_import_t *imp)
{
    int              rc, ex;
    char             name[4200];
    double           elapsed;
    size_t           batch_bytes;
    uint32_t         i, batch;
    exs_id_t         fid;
    exs_txn_t       *txn;
    exs_mbox_t      *mb;
    exchctl_slot_t  *s;

    txn = NULL;
    mb = NULL;
    batch = 0;
    batch_bytes = 0;
    ex = EX_OK;

    for (i = 0; i < imp->nitems; i++) {
        s = &imp->slots[i % imp->nslots];

        if (imp->jobs > 1) {
            pthread_mutex_lock(&imp->lock);

            while (!(s->state == 2 && s->item == i)) {
                pthread_cond_wait(&imp->ready, &imp->lock);
            }

            pthread_mutex_unlock(&imp->lock);

        } else {
            s->item = i;
            exchctl_imp_parse(imp, s);
        }

        if (s->err || s->rc != EXS_OK) {
            exchctl_imp_name(imp, i, name, sizeof(name));

            if (imp->tty && !imp->quiet) {
                fprintf(stderr, "\r\033[K");
            }

            fprintf(stderr, "exchctl: import: %s: %s\n", name,
                    s->err ? strerror(s->err) : exs_strerror(s->rc));
            imp->failed++;

            if (s->rc == EXS_NOMEM) {
                ex = EX_OSERR;
                break;
            }

            goto next;
        }

        if (txn == NULL) {
            rc = exs_txn_begin(imp->env, 0, &txn);
            if (rc == EXS_OK) {
                rc = exs_mbox_open(txn, imp->mailbox, 0, &mb);
            }

            if (rc != EXS_OK) {
                ex = exchctl_mail_fail(imp->c, rc, "the store");
                break;
            }
        }

        fid = imp->fids[imp->items[i].folder];

        if (fid == 0) {
            rc = exchctl_folder_path(mb, imp->folders[imp->items[i].folder],
                                     1, &fid);
            if (rc != EXS_OK) {
                ex = exchctl_mail_fail(imp->c, rc, "folder \"%s\"",
                                       imp->folders[imp->items[i].folder]);
                break;
            }

            imp->fids[imp->items[i].folder] = fid;
        }

        rc = exs_mail_store(mb, s->m, fid, s->read ? EXS_MAIL_READ : 0, NULL);
        if (rc != EXS_OK) {
            exchctl_imp_name(imp, i, name, sizeof(name));
            ex = exchctl_mail_fail(imp->c, rc, "%s", name);
            break;
        }

        if (exs_mail_info(s->m)->lossy) {
            exchctl_imp_lossy(imp, i, exs_mail_info(s->m)->lossy);
        }

        imp->stored++;
        imp->bytes += s->bytes;
        batch++;
        batch_bytes += s->bytes;

    next:

        if (txn && (batch >= EXCHCTL_BATCH_MSGS
                    || batch_bytes >= EXCHCTL_BATCH_BYTES
                    || i + 1 == imp->nitems))
        {
            rc = exs_txn_commit(txn);
            txn = NULL;
            batch = 0;
            batch_bytes = 0;

            if (rc != EXS_OK) {
                ex = exchctl_mail_fail(imp->c, rc, "commit");
                break;
            }
        }

        if (s->a) {
            exs_arena_reset(s->a);
        }

        pthread_mutex_lock(&imp->lock);
        s->state = 0;
        imp->written = i + 1;
        pthread_cond_broadcast(&imp->room);
        pthread_mutex_unlock(&imp->lock);

        exchctl_imp_bar(imp, 0);
    }

    if (txn) {
        if (ex == EX_OK) {
            rc = exs_txn_commit(txn);
            if (rc != EXS_OK) {
                ex = exchctl_mail_fail(imp->c, rc, "commit");
            }

        } else {
            exs_txn_abort(txn);
        }
    }

    exchctl_imp_bar(imp, 1);

    if (imp->lossy > EXCHCTL_LOSSY_SHOWN) {
        fprintf(stderr, "exchctl: import: ... and %u more stored with "
                "losses\n", imp->lossy - EXCHCTL_LOSSY_SHOWN);
    }

    elapsed = exchctl_now() - imp->start;

    if (!imp->quiet) {
        printf("imported %u messages (%.1f MB) into %s in %.1f s "
               "(%.0f messages/s)", imp->stored, imp->bytes / 1048576.0,
               imp->c->argv[0], elapsed,
               elapsed > 0 ? imp->stored / elapsed : 0.0);

        if (imp->lossy) {
            printf(", %u with losses (originals kept)", imp->lossy);
        }

        if (imp->failed) {
            printf(", %u unreadable", imp->failed);
        }

        printf("\n");
    }

    if (ex == EX_OK && imp->failed) {
        ex = EX_DATAERR;
    }

    return ex;
}


/* export */

static int
exchctl_mkdirs(const char *path)
{
    char    buf[4096];
    size_t  i, len;

    len = strlen(path);
    if (len >= sizeof(buf)) {
        return ENAMETOOLONG;
    }

    memcpy(buf, path, len + 1);

    for (i = 1; i <= len; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            buf[i] = '\0';

            if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
                return errno;
            }

            if (i < len) {
                buf[i] = '/';
            }
        }
    }

    return 0;
}


static int
exchctl_export(exchctl_mail_t *c)
{
    int                 ex, rc, mbox, i;
    char                path[4096];
    uint32_t            mailbox, total, n, k;
    exs_id_t            fid, *fids;
    exs_txn_t          *txn;
    exs_mbox_t         *mb;
    const char         *folder, *dir, *v;

    folder = NULL;
    dir = NULL;
    mbox = -1;

    for (i = 1; i < c->argc; i++) {
        if ((v = exchctl_option(c->argc, c->argv, "--folder", &i)) != NULL) {
            folder = v;

        } else if (strcmp(c->argv[i], "--mbox") == 0) {
            mbox = 1;

        } else if (strcmp(c->argv[i], "--eml") == 0) {
            mbox = 0;

        } else if (c->argv[i][0] != '-' && dir == NULL) {
            dir = c->argv[i];

        } else {
            fprintf(stderr, "exchctl: export: unexpected %s (see --help)\n",
                    c->argv[i]);
            return EX_USAGE;
        }
    }

    if (mbox < 0 || dir == NULL) {
        fprintf(stderr, "exchctl: export: usage: exchctl export USER "
                "[--folder F] --mbox|--eml DIR\n");
        return EX_USAGE;
    }

    ex = exchctl_mail_user(c, &mailbox);
    if (ex != EX_OK) {
        return ex;
    }

    rc = exchctl_mkdirs(dir);
    if (rc) {
        fprintf(stderr, "exchctl: export: %s: %s\n", dir, strerror(rc));
        return EX_CANTCREAT;
    }

    ex = exchctl_mail_begin(c, EXS_TXN_RDONLY, mailbox, &txn, &mb);
    if (ex != EX_OK) {
        return ex;
    }

    fid = EXS_FID_IPM_SUBTREE;

    if (folder) {
        rc = exchctl_folder_path(mb, folder, 0, &fid);
        if (rc != EXS_OK) {
            exs_txn_abort(txn);
            return exchctl_mail_fail(c, rc, "folder \"%s\"", folder);
        }
    }

    total = 0;

    if (folder) {
        ex = exchctl_exp_folder(c, mb, fid, folder, dir, mbox, &total);

    } else {
        rc = exs_folder_list_children(mb, fid, 0, &fids, &n, c->a);
        if (rc != EXS_OK) {
            exs_txn_abort(txn);
            return exchctl_mail_fail(c, rc, "folders");
        }

        ex = EX_OK;

        for (k = 0; k < n && ex == EX_OK; k++) {
            exs_props_t   props;
            exs_prop_t   *p;
            uint32_t      tag = PR_DISPLAY_NAME;

            rc = exs_folder_get(mb, fids[k], &tag, 1, &props, c->a);
            p = rc == EXS_OK ? exs_props_get(&props, PR_DISPLAY_NAME) : NULL;

            if (p == NULL) {
                continue;
            }

            snprintf(path, sizeof(path), "%s", p->v.str.data);
            ex = exchctl_exp_folder(c, mb, fids[k], path, dir, mbox, &total);
        }
    }

    exs_txn_abort(txn);

    if (ex == EX_OK) {
        printf("exported %u messages of %s into %s\n", total, c->argv[0],
               dir);
    }

    return ex;
}


/* one folder's messages, oldest first, then its subfolders */

static int
exchctl_exp_folder(exchctl_mail_t *c, exs_mbox_t *mb, exs_id_t fid,
    const char *path, const char *dir, int mbox, uint32_t *count)
{
    int                  rc, ex;
    char                 file[4096], sub[4096], date[64], *slash;
    FILE                *f;
    size_t               len;
    time_t               t;
    uint8_t             *esc;
    uint32_t             n, got, i, nsub;
    exs_id_t            *ids, *subs;
    exs_bin_t            mime;
    exs_msg_t           *msg;
    exs_prop_t          *p;
    struct tm            tm;
    exs_table_t         *tbl;
    exs_arena_t         *a;
    exs_msg_info_t       mi;
    exs_folder_info_t    fi;
    exs_oxcmail_opts_t   o;

    rc = exs_folder_info(mb, fid, &fi);
    if (rc != EXS_OK) {
        return exchctl_mail_fail(c, rc, "folder \"%s\"", path);
    }

    f = NULL;
    ex = EX_OK;

    if (fi.type != EXS_FOLDER_SEARCH && fi.count) {
        rc = exs_table_open(mb, fid, EXS_TABLE_CONTENTS, 0, NULL, NULL, &tbl,
                            c->a);
        if (rc == EXS_OK) {
            rc = exs_table_count(tbl, &n);
        }

        ids = NULL;

        if (rc == EXS_OK) {
            ids = exs_alloc(c->a, (n ? n : 1) * sizeof(exs_id_t));
            rc = ids ? exs_table_ids(tbl, 0, n, ids, &got) : EXS_NOMEM;
        }

        if (rc != EXS_OK) {
            return exchctl_mail_fail(c, rc, "folder \"%s\"", path);
        }

        if (mbox) {
            snprintf(file, sizeof(file), "%s/%s.mbox", dir, path);

            slash = strrchr(file, '/');
            *slash = '\0';
            rc = exchctl_mkdirs(file);
            *slash = '/';

            if (rc == 0) {
                f = fopen(file, "w");
                rc = f ? 0 : errno;
            }

        } else {
            snprintf(file, sizeof(file), "%s/%s", dir, path);
            rc = exchctl_mkdirs(file);
        }

        if (rc) {
            fprintf(stderr, "exchctl: export: %s: %s\n", file, strerror(rc));
            return EX_CANTCREAT;
        }

        a = exs_arena_create(65536);
        if (a == NULL) {
            if (f) {
                fclose(f);
            }
            return EX_OSERR;
        }

        memset(&o, 0, sizeof(exs_oxcmail_opts_t));
        o.namemap = exs_mbox_namemap(mb);
        o.lookup = exs_mail_lookup;
        o.lookup_data = exs_mbox_txn(mb);
        o.flags = EXS_OXCMAIL_FOR_READ | EXS_OXCMAIL_PREFER_RAW
                  | (mbox ? EXS_OXCMAIL_LF : 0);

        /* the table is newest first */

        for (i = got; i-- > 0 && ex == EX_OK; ) {
            exs_arena_reset(a);

            rc = exs_message_info(mb, ids[i], &mi);
            if (rc == EXS_OK) {
                rc = exs_message_read(mb, ids[i], EXS_READ_ALL, &msg, a);
            }

            if (rc == EXS_OK) {
                rc = exs_oxcmail_export(msg, &o, &mime, a);
            }

            if (rc != EXS_OK) {
                ex = exchctl_mail_fail(c, rc, "message %u of \"%s\"", mi.uid,
                                       path);
                break;
            }

            if (!mbox) {
                FILE  *ef;

                if (snprintf(sub, sizeof(sub), "%s/%u.eml", file, mi.uid)
                    >= (int) sizeof(sub))
                {
                    ex = EX_CANTCREAT;
                    break;
                }

                ef = fopen(sub, "w");
                if (ef == NULL
                    || fwrite(mime.data, 1, mime.len, ef) != mime.len
                    || fclose(ef) != 0)
                {
                    fprintf(stderr, "exchctl: export: %s: %s\n", sub,
                            strerror(errno));
                    ex = EX_IOERR;
                }

                (*count)++;
                continue;
            }

            t = (time_t) exs_filetime_to_unix(mi.delivery);
            gmtime_r(&t, &tm);
            strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm);

            p = exs_props_get(&msg->props, PR_SENDER_SMTP_ADDRESS);
            if (p == NULL || p->v.str.len == 0 || strchr(p->v.str.data, ' ')) {
                p = exs_props_get(&msg->props,
                                  PR_SENT_REPRESENTING_SMTP_ADDRESS);
            }

            len = exs_mboxrd_escaped_len(mime.data, mime.len);
            esc = exs_alloc(a, len);

            if (esc == NULL) {
                ex = EX_OSERR;
                break;
            }

            len = exs_mboxrd_escape(mime.data, mime.len, esc);

            fprintf(f, "From %s %s\nStatus: %s\n",
                    p && p->v.str.len && !strchr(p->v.str.data, ' ')
                    ? p->v.str.data : "MAILER-DAEMON", date,
                    (mi.flags & MSGFLAG_READ) ? "RO" : "O");

            if (fwrite(esc, 1, len, f) != len || fputc('\n', f) == EOF) {
                fprintf(stderr, "exchctl: export: %s: %s\n", file,
                        strerror(errno));
                ex = EX_IOERR;
            }

            (*count)++;
        }

        exs_arena_destroy(a);

        if (f && fclose(f) != 0 && ex == EX_OK) {
            fprintf(stderr, "exchctl: export: %s: %s\n", file,
                    strerror(errno));
            ex = EX_IOERR;
        }
    }

    if (ex != EX_OK) {
        return ex;
    }

    rc = exs_folder_list_children(mb, fid, 0, &subs, &nsub, c->a);
    if (rc != EXS_OK) {
        return exchctl_mail_fail(c, rc, "folder \"%s\"", path);
    }

    for (i = 0; i < nsub && ex == EX_OK; i++) {
        exs_props_t   props;
        uint32_t      tag = PR_DISPLAY_NAME;

        rc = exs_folder_get(mb, subs[i], &tag, 1, &props, c->a);
        p = rc == EXS_OK ? exs_props_get(&props, PR_DISPLAY_NAME) : NULL;

        if (p == NULL || strchr(p->v.str.data, '/')) {
            continue;
        }

        if (snprintf(sub, sizeof(sub), "%s/%s", path, p->v.str.data)
            >= (int) sizeof(sub))
        {
            continue;
        }
        ex = exchctl_exp_folder(c, mb, subs[i], sub, dir, mbox, count);
    }

    return ex;
}


/* deliver: Postfix's pipe(8) or local(8) mailbox_command */

static int
exchctl_deliver(exchctl_mail_t *c)
{
    int               ex, rc, err, i, n;
    size_t            len;
    uint8_t          *buf;
    exs_txn_t        *txn;
    exs_mail_t       *m;
    const char       *v, **rcpts;
    exs_mail_rcpt_t  *res;

    rcpts = exs_alloc(c->a, (c->argc ? c->argc : 1) * sizeof(char *));
    if (rcpts == NULL) {
        return EX_TEMPFAIL;
    }

    n = 0;

    for (i = 0; i < c->argc; i++) {
        if ((v = exchctl_option(c->argc, c->argv, "--from", &i)) != NULL) {
            continue;                      /* Return-Path: says it too */
        }

        if (c->argv[i][0] == '-') {
            fprintf(stderr, "exchctl: deliver: unknown option %s\n",
                    c->argv[i]);
            return EX_USAGE;
        }

        rcpts[n++] = c->argv[i];
    }

    if (n == 0) {
        fprintf(stderr, "exchctl: deliver: no recipient (see --help)\n");
        return EX_USAGE;
    }

    err = exchctl_read_all(STDIN_FILENO, &buf, &len, EXCHCTL_MAX_MESSAGE);
    if (err) {
        fprintf(stderr, "exchctl: deliver: reading the message: %s\n",
                strerror(err));
        return err == EFBIG ? EX_DATAERR : EX_TEMPFAIL;
    }

    if (len == 0) {
        free(buf);
        fprintf(stderr, "exchctl: deliver: the message is empty\n");
        return EX_DATAERR;
    }

    ex = exchctl_mail_open(c);
    if (ex != EX_OK) {
        free(buf);
        return ex;
    }

    /* parse under a read transaction: the write one stays short */

    rc = exs_txn_begin(c->env, EXS_TXN_RDONLY, &txn);
    if (rc == EXS_OK) {
        rc = exs_mail_parse(txn, buf, len, 0, &m, c->a);
        exs_txn_abort(txn);
    }

    if (rc == EXS_OK) {
        rc = exs_mail_prepare(c->env, m, c->a);
    }

    free(buf);

    if (rc != EXS_OK) {
        return exchctl_mail_fail(c, rc, "the message");
    }

    res = exs_calloc(c->a, (size_t) n * sizeof(exs_mail_rcpt_t));
    if (res == NULL) {
        return EX_TEMPFAIL;
    }

    rc = exs_txn_begin(c->env, 0, &txn);
    if (rc != EXS_OK) {
        return exchctl_mail_fail(c, rc, "the store");
    }

    rc = exs_mail_deliver(txn, m, rcpts, (uint32_t) n,
                          EXS_MAIL_ALL_OR_NOTHING, res, c->a);

    if (rc != EXS_OK) {
        exs_txn_abort(txn);

        if (rc == EXS_NOTFOUND) {
            for (i = 0; i < n; i++) {
                if (res[i].rc == EXS_NOTFOUND) {
                    fprintf(stderr, "exchctl: deliver: %s: no such "
                            "recipient\n", rcpts[i]);
                }
            }

            return EX_NOUSER;
        }

        return exchctl_mail_fail(c, rc, "delivery");
    }

    rc = exs_txn_commit(txn);
    if (rc != EXS_OK) {
        return exchctl_mail_fail(c, rc, "delivery");
    }

    return EX_OK;
}


/* send: an EML file saved in the Outbox and submitted */

static int
exchctl_send(exchctl_mail_t *c)
{
    int               ex, rc, fd, err;
    size_t            len;
    uint8_t          *buf;
    uint32_t          mailbox;
    exs_id_t          mid;
    exs_txn_t        *txn;
    exs_mbox_t       *mb;
    exs_mail_t       *m;
    exs_mail_sent_t   sent;

    if (c->argc != 2) {
        fprintf(stderr, "exchctl: send: usage: exchctl send USER FILE|-\n");
        return EX_USAGE;
    }

    ex = exchctl_mail_user(c, &mailbox);
    if (ex != EX_OK) {
        return ex;
    }

    fd = strcmp(c->argv[1], "-") == 0 ? STDIN_FILENO
                                      : open(c->argv[1], O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "exchctl: send: %s: %s\n", c->argv[1],
                strerror(errno));
        return EX_NOINPUT;
    }

    err = exchctl_read_all(fd, &buf, &len, EXCHCTL_MAX_MESSAGE);

    if (fd != STDIN_FILENO) {
        close(fd);
    }

    if (err) {
        fprintf(stderr, "exchctl: send: %s: %s\n", c->argv[1], strerror(err));
        return EX_NOINPUT;
    }

    ex = exchctl_mail_begin(c, 0, mailbox, &txn, &mb);
    if (ex != EX_OK) {
        free(buf);
        return ex;
    }

    rc = exs_mail_parse(txn, buf, len, EXS_OXCMAIL_RAW_NEVER, &m, c->a);

    free(buf);

    if (rc == EXS_OK) {
        rc = exs_mail_store(mb, m, EXS_FID_OUTBOX, EXS_MAIL_READ, &mid);
    }

    if (rc == EXS_OK) {
        rc = exs_mail_submit(mb, mid, 0, 0, &sent, c->a);
    }

    if (rc == EXS_OK) {
        rc = exs_txn_commit(txn);

    } else {
        exs_txn_abort(txn);
    }

    if (rc == EXS_INVALID) {
        fprintf(stderr, "exchctl: send: %s: the message has no "
                "recipients\n", c->argv[1]);
        return EX_DATAERR;
    }

    if (rc != EXS_OK) {
        return exchctl_mail_fail(c, rc, "%s", c->argv[1]);
    }

    printf("sent %s: %u local mailbox%s, %u queued",
           sent.message_id ? sent.message_id : "", sent.local,
           sent.local == 1 ? "" : "es", sent.remote);

    if (sent.queue_id) {
        printf(" (queue id %llu)", (unsigned long long) sent.queue_id);
    }

    printf(", %u failed\n", sent.failed);

    return EX_OK;
}


/* one line per message of a folder, newest first: UID, read or unread,
 * size, message class, subject (tab-separated) */

static int
exchctl_message_list(exchctl_mail_t *c)
{
    int            ex, rc, i;
    uint32_t       mailbox, n, k;
    exs_id_t       fid;
    exs_txn_t     *txn;
    exs_prop_t    *p;
    exs_mbox_t    *mb;
    exs_props_t   *rows;
    exs_table_t   *t;
    const char    *folder, *v;
    static uint32_t  tags[] = { PR_INTERNET_ARTICLE_NUMBER, PR_MESSAGE_FLAGS,
                                PR_MESSAGE_SIZE, PR_MESSAGE_CLASS,
                                PR_SUBJECT };

    folder = "Inbox";

    for (i = 1; i < c->argc; i++) {
        if ((v = exchctl_option(c->argc, c->argv, "--folder", &i)) != NULL) {
            folder = v;

        } else {
            fprintf(stderr, "exchctl: message list: unexpected %s\n",
                    c->argv[i]);
            return EX_USAGE;
        }
    }

    ex = exchctl_mail_user(c, &mailbox);
    if (ex != EX_OK) {
        return ex;
    }

    ex = exchctl_mail_begin(c, EXS_TXN_RDONLY, mailbox, &txn, &mb);
    if (ex != EX_OK) {
        return ex;
    }

    rc = exchctl_folder_path(mb, folder, 0, &fid);

    if (rc == EXS_OK) {
        rc = exs_table_open(mb, fid, EXS_TABLE_CONTENTS, 0, NULL, NULL, &t,
                            c->a);
    }

    if (rc == EXS_OK) {
        rc = exs_table_rows(t, 0, UINT32_MAX, tags,
                            sizeof(tags) / sizeof(tags[0]), &rows, NULL, &n,
                            c->a);
    }

    if (rc != EXS_OK) {
        exs_txn_abort(txn);
        return exchctl_mail_fail(c, rc, "folder \"%s\"", folder);
    }

    for (k = 0; k < n; k++) {
        p = exs_props_get(&rows[k], PR_INTERNET_ARTICLE_NUMBER);
        printf("%d\t", p ? p->v.l : 0);

        p = exs_props_get(&rows[k], PR_MESSAGE_FLAGS);
        printf("%s\t", p && (p->v.l & MSGFLAG_READ) ? "read" : "unread");

        p = exs_props_get(&rows[k], PR_MESSAGE_SIZE);
        printf("%d\t", p ? p->v.l : 0);

        p = exs_props_get(&rows[k], PR_MESSAGE_CLASS);
        printf("%s\t", p ? p->v.str.data : "");

        p = exs_props_get(&rows[k], PR_SUBJECT);
        printf("%s\n", p ? p->v.str.data : "");
    }

    exs_txn_abort(txn);

    return EX_OK;
}


/* the queue */

static int
exchctl_queue_list(exchctl_mail_t *c)
{
    int                 ex, rc;
    int64_t             now;
    uint32_t            n, i, k;
    exs_txn_t          *txn;
    exs_queue_entry_t  *e;

    ex = exchctl_mail_open(c);
    if (ex != EX_OK) {
        return ex;
    }

    rc = exs_txn_begin(c->env, EXS_TXN_RDONLY, &txn);
    if (rc == EXS_OK) {
        rc = exs_queue_list(txn, &e, &n, c->a);
        exs_txn_abort(txn);
    }

    if (rc != EXS_OK) {
        return exchctl_mail_fail(c, rc, "the queue");
    }

    now = exs_filetime_to_unix(exs_filetime_now());

    for (i = 0; i < n; i++) {
        printf("%llu  age %llds  attempts %u  next %s%llds  %s  from <%s>"
               "  %llu bytes  \"%s\"\n",
               (unsigned long long) e[i].id,
               (long long) (now - e[i].queued), e[i].attempts,
               e[i].next < now ? "-" : "+",
               (long long) (e[i].next < now ? now - e[i].next
                                            : e[i].next - now),
               e[i].token ? "claimed" : "waiting", e[i].from,
               (unsigned long long) e[i].size,
               e[i].subject);

        for (k = 0; k < e[i].nrcpts; k++) {
            printf("    <%s>  %s", e[i].rcpts[k].address,
                   e[i].rcpts[k].state == EXS_QRCPT_DONE ? "sent"
                   : e[i].rcpts[k].state == EXS_QRCPT_FAILED ? "failed"
                   : "pending");

            if (e[i].rcpts[k].code) {
                printf("  %d %s", e[i].rcpts[k].code,
                       e[i].rcpts[k].reply ? e[i].rcpts[k].reply : "");
            }

            printf("\n");
        }
    }

    if (n == 0) {
        printf("the queue is empty\n");
    }

    return EX_OK;
}


static int
exchctl_queue_kick(exchctl_mail_t *c)
{
    int         ex, rc;
    uint64_t    id;
    exs_txn_t  *txn;

    id = c->argc ? strtoull(c->argv[0], NULL, 10) : 0;

    if (c->argc && id == 0) {
        fprintf(stderr, "exchctl: queue kick: bad id %s\n", c->argv[0]);
        return EX_USAGE;
    }

    ex = exchctl_mail_open(c);
    if (ex != EX_OK) {
        return ex;
    }

    rc = exs_txn_begin(c->env, 0, &txn);
    if (rc == EXS_OK) {
        rc = exs_queue_kick(txn, id, exs_filetime_to_unix(exs_filetime_now()));
        rc = rc == EXS_OK ? exs_txn_commit(txn)
                          : (exs_txn_abort(txn), rc);
    }

    if (rc != EXS_OK) {
        return exchctl_mail_fail(c, rc, "the queue");
    }

    return EX_OK;
}


static int
exchctl_queue_del(exchctl_mail_t *c)
{
    int         ex, rc, ndr, i;
    uint64_t    id;
    exs_txn_t  *txn;

    ndr = 0;
    id = strtoull(c->argv[0], NULL, 10);

    for (i = 1; i < c->argc; i++) {
        if (strcmp(c->argv[i], "--ndr") == 0) {
            ndr = 1;

        } else {
            fprintf(stderr, "exchctl: queue del: unexpected %s\n",
                    c->argv[i]);
            return EX_USAGE;
        }
    }

    if (id == 0) {
        fprintf(stderr, "exchctl: queue del: bad id %s\n", c->argv[0]);
        return EX_USAGE;
    }

    ex = exchctl_mail_open(c);
    if (ex != EX_OK) {
        return ex;
    }

    rc = exs_txn_begin(c->env, 0, &txn);
    if (rc == EXS_OK) {
        rc = exs_queue_delete(txn, id, ndr, c->a);
        rc = rc == EXS_OK ? exs_txn_commit(txn)
                          : (exs_txn_abort(txn), rc);
    }

    if (rc != EXS_OK) {
        return exchctl_mail_fail(c, rc, "queue entry %llu",
                                 (unsigned long long) id);
    }

    return EX_OK;
}
