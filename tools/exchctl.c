
/*
 * exchctl: the admin tool of the exch store.
 *
 *     exchctl [--store DIR] VERB [ARGS]       exchctl --help
 *
 * The store is --store DIR, else $EXCH_STORE, else the store `make run`
 * uses (./var/store of the checkout the tool was built in).  Errors are one
 * line on stderr; exit codes follow sysexits(3).
 */


#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <exs_store.h>
#include <exch_bus.h>

#include "exchctl_mail.h"


#ifndef EXCH_DEFAULT_STORE
#define EXCH_DEFAULT_STORE      "var/store"
#endif

#define EXCHCTL_PASSWORD_LEN    16


typedef struct exchctl_verb_s  exchctl_verb_t;

typedef struct {
    const char               *store;
    int                       argc;
    char                    **argv;
    const char               *what;         /* "user add", for errors */
    exs_env_t                *env;
    exch_bus_t               *bus;          /* wakes the nginx workers */
    exs_txn_t                *txn;
    exs_arena_t              *a;
} exchctl_t;

struct exchctl_verb_s {
    const char               *name;         /* "user add" */
    int                       write;
    int                     (*run)(exchctl_t *c);
    const char               *usage;
    const char               *help;
};


static int exchctl_fail(exchctl_t *c, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int exchctl_exit(int rc);
static int exchctl_usage(exchctl_t *c, const exchctl_verb_t *v);
static int exchctl_open(exchctl_t *c, int write);
static int exchctl_done(exchctl_t *c, int rc);
static const char *exchctl_opt(exchctl_t *c, const char *name, int *i);
static int exchctl_password(exchctl_t *c, char *buf, size_t size,
    int *generated);
static int exchctl_entry(exchctl_t *c, const char *address,
    exs_dirent_t *e);
static void exchctl_guid(const uint8_t *g, char *out);

static int exchctl_domain_add(exchctl_t *c);
static int exchctl_domain_list(exchctl_t *c);
static int exchctl_domain_del(exchctl_t *c);
static int exchctl_user_add(exchctl_t *c);
static int exchctl_user_passwd(exchctl_t *c);
static int exchctl_user_set(exchctl_t *c);
static int exchctl_user_show(exchctl_t *c);
static int exchctl_user_list(exchctl_t *c);
static int exchctl_user_del(exchctl_t *c);
static int exchctl_user_verify(exchctl_t *c);
static int exchctl_alias_add(exchctl_t *c);
static int exchctl_alias_del(exchctl_t *c);
static int exchctl_group_add(exchctl_t *c);
static int exchctl_group_del(exchctl_t *c);
static int exchctl_group_show(exchctl_t *c);
static int exchctl_member_add(exchctl_t *c);
static int exchctl_member_del(exchctl_t *c);
static int exchctl_mailbox_stats(exchctl_t *c);
static int exchctl_folder_list(exchctl_t *c);
static int exchctl_store_check(exchctl_t *c);
static int exchctl_store_backup(exchctl_t *c);
static int exchctl_store_stats(exchctl_t *c);
static int exchctl_mail(exchctl_t *c);
static int exchctl_group_help(int argc, char **argv);
static void exchctl_help(FILE *f);


static const exchctl_verb_t  exchctl_verbs[] = {

    { "domain add", 1, exchctl_domain_add, "NAME",
      "adds a mail domain that users, groups and aliases can be in" },
    { "domain list", 0, exchctl_domain_list, "",
      "lists the domains" },
    { "domain del", 1, exchctl_domain_del, "NAME",
      "removes a domain that has no users, groups or aliases left" },

    { "user add", 1, exchctl_user_add,
      "ADDRESS [--name NAME] [--password PW | --password-file FILE]",
      "adds a user with a mailbox (every special folder); without a\n"
      "password option a random one is made and printed as\n"
      "\"ADDRESS  PASSWORD\"; --password-file - reads it from stdin" },
    { "user passwd", 1, exchctl_user_passwd,
      "ADDRESS [--password PW | --password-file FILE]",
      "sets a user's password (a random one, printed, without an option)" },
    { "user set", 1, exchctl_user_set,
      "ADDRESS [--name NAME] [--disable | --enable]",
      "changes a user's display name, disables or enables the user" },
    { "user show", 0, exchctl_user_show, "ADDRESS",
      "shows a user or group: ids, legacyExchangeDN, GUID, aliases" },
    { "user list", 0, exchctl_user_list, "[DOMAIN]",
      "lists the users in address list order: address, display name" },
    { "user del", 1, exchctl_user_del, "ADDRESS",
      "removes a user and the mailbox with everything in it" },
    { "user verify", 0, exchctl_user_verify,
      "ADDRESS [--password PW | --password-file FILE]",
      "checks a password (exit 0 when it matches, 77 when not); reads it\n"
      "from stdin without an option" },

    { "alias add", 1, exchctl_alias_add, "ALIAS ADDRESS",
      "gives a user or group another address" },
    { "alias del", 1, exchctl_alias_del, "ALIAS",
      "removes an alias" },

    { "group add", 1, exchctl_group_add, "ADDRESS [--name NAME]",
      "adds a distribution group" },
    { "group del", 1, exchctl_group_del, "ADDRESS",
      "removes a distribution group" },
    { "group show", 0, exchctl_group_show, "ADDRESS",
      "lists a group's members" },
    { "group member add", 1, exchctl_member_add, "GROUP MEMBER",
      "makes a user or group a member of a group" },
    { "group member del", 1, exchctl_member_del, "GROUP MEMBER",
      "takes a member out of a group" },

    { "mailbox stats", 0, exchctl_mailbox_stats, "ADDRESS",
      "a mailbox's size, counts and change number" },
    { "folder list", 0, exchctl_folder_list, "ADDRESS",
      "a mailbox's folder tree with message counts" },

    { "store check", 0, exchctl_store_check, "",
      "checks the whole store (reference counts, counters, indexes,\n"
      "directory) and prints one line per problem" },
    { "store backup", 0, exchctl_store_backup, "DEST",
      "a hot, compacted copy of the store into DEST (an empty or new\n"
      "directory); the ephemeral session state is not copied" },
    { "store stats", 0, exchctl_store_stats, "",
      "the store's map size, space used and readers" },

    EXCHCTL_MAIL_VERBS
};

#define EXCHCTL_NVERBS  (sizeof(exchctl_verbs) / sizeof(exchctl_verbs[0]))


static int
exchctl_exit(int rc)
{
    switch (rc) {
    case EXS_OK:
        return EX_OK;
    case EXS_NOTFOUND:
        return EX_NOUSER;
    case EXS_EXISTS:
    case EXS_INVALID:
    case EXS_CONFLICT:
    case EXS_TOOBIG:
    case EXS_CORRUPT:
        return EX_DATAERR;
    case EXS_DENIED:
        return EX_NOPERM;
    case EXS_FULL:
        return EX_CANTCREAT;
    case EXS_BUSY:
        return EX_TEMPFAIL;
    case EXS_IO:
        return EX_IOERR;
    case EXS_NOMEM:
        return EX_OSERR;
    default:
        return EX_SOFTWARE;
    }
}


static int
exchctl_fail(exchctl_t *c, int rc, const char *fmt, ...)
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

    return exchctl_exit(rc);
}


static int
exchctl_usage(exchctl_t *c, const exchctl_verb_t *v)
{
    fprintf(stderr, "exchctl: %s: usage: exchctl %s %s (see --help)\n",
            v->name, v->name, v->usage);

    return EX_USAGE;
}


static int
exchctl_open(exchctl_t *c, int write)
{
    int              rc;
    struct stat      st;
    exs_env_conf_t   conf;

    memset(&conf, 0, sizeof(exs_env_conf_t));

    if (write == 2) {
        return EX_OK;                      /* the verb opens the store */
    }

    if (write) {
        conf.flags = EXS_ENV_CREATE;

    } else if (stat(c->store, &st) != 0) {
        fprintf(stderr, "exchctl: %s: no store in %s\n", c->what, c->store);
        return EX_NOINPUT;
    }

    rc = exs_env_open(&c->env, c->store, &conf);
    if (rc != EXS_OK) {
        fprintf(stderr, "exchctl: %s: can't open the store in %s: %s\n",
                c->what, c->store, exs_strerror(rc));
        return rc == EXS_NOTFOUND || rc == EXS_CORRUPT ? EX_NOINPUT
                                                       : exchctl_exit(rc);
    }

    /* without it the workers still see the change, by their slow poll */
    c->bus = exch_bus_attach(c->env);

    rc = exs_txn_begin(c->env, write ? 0 : EXS_TXN_RDONLY, &c->txn);
    if (rc != EXS_OK) {
        fprintf(stderr, "exchctl: %s: %s\n", c->what, exs_strerror(rc));
        return exchctl_exit(rc);
    }

    return EX_OK;
}


/* commits (or aborts, on an error) the command's transaction */
static int
exchctl_done(exchctl_t *c, int ex)
{
    int  rc;

    if (c->txn == NULL) {
        return ex;
    }

    if (ex != EX_OK) {
        exs_txn_abort(c->txn);
        c->txn = NULL;
        return ex;
    }

    rc = exs_txn_commit(c->txn);
    c->txn = NULL;

    if (rc != EXS_OK) {
        return exchctl_fail(c, rc, "commit");
    }

    return EX_OK;
}


/* --name VALUE, --name=VALUE; NULL and *i unchanged when argv[*i] isn't */
static const char *
exchctl_opt(exchctl_t *c, const char *name, int *i)
{
    return exchctl_option(c->argc, c->argv, name, i);
}


static int
exchctl_password(exchctl_t *c, char *buf, size_t size, int *generated)
{
    int          i, n;
    FILE        *f;
    size_t       len;
    uint8_t      r[EXCHCTL_PASSWORD_LEN];
    const char  *v, *file;
    static const char  alphabet[] =
        "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    v = NULL;
    file = NULL;
    *generated = 0;

    for (i = 0; i < c->argc; i++) {
        if ((v = exchctl_opt(c, "--password", &i)) != NULL) {
            break;
        }

        if ((file = exchctl_opt(c, "--password-file", &i)) != NULL) {
            break;
        }
    }

    if (v) {
        if (strlen(v) >= size || *v == '\0') {
            return EX_USAGE;
        }
        strcpy(buf, v);
        return EX_OK;
    }

    if (file) {
        f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
        if (f == NULL) {
            fprintf(stderr, "exchctl: %s: %s: %s\n", c->what, file,
                    strerror(errno));
            return EX_NOINPUT;
        }

        if (fgets(buf, (int) size, f) == NULL) {
            buf[0] = '\0';
        }

        if (f != stdin) {
            fclose(f);
        }

        len = strcspn(buf, "\r\n");
        buf[len] = '\0';

        if (len == 0) {
            fprintf(stderr, "exchctl: %s: empty password\n", c->what);
            return EX_DATAERR;
        }

        return EX_OK;
    }

    n = (int) getrandom(r, sizeof(r), 0);
    if (n != (int) sizeof(r) || size <= EXCHCTL_PASSWORD_LEN) {
        return EX_OSERR;
    }

    for (i = 0; i < EXCHCTL_PASSWORD_LEN; i++) {
        buf[i] = alphabet[r[i] % (sizeof(alphabet) - 1)];
    }

    buf[EXCHCTL_PASSWORD_LEN] = '\0';
    *generated = 1;

    return EX_OK;
}


static int
exchctl_entry(exchctl_t *c, const char *address, exs_dirent_t *e)
{
    int  rc;

    rc = exs_dir_by_address(c->txn, address, e, c->a);
    if (rc != EXS_OK) {
        return exchctl_fail(c, rc, "%s", address);
    }

    return EX_OK;
}


static void
exchctl_guid(const uint8_t *g, char *out)
{
    sprintf(out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
            "%02x%02x%02x%02x%02x%02x",
            g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9],
            g[10], g[11], g[12], g[13], g[14], g[15]);
}


/* verbs */

static int
exchctl_domain_add(exchctl_t *c)
{
    int  rc;

    rc = exs_dir_domain_add(c->txn, c->argv[0], NULL);
    if (rc != EXS_OK) {
        return exchctl_fail(c, rc, "%s", c->argv[0]);
    }

    return EX_OK;
}


static int
exchctl_domain_list(exchctl_t *c)
{
    int            rc;
    uint32_t       i, n;
    exs_domain_t  *d;

    rc = exs_dir_domains(c->txn, &d, &n, c->a);
    if (rc != EXS_OK) {
        return exchctl_fail(c, rc, "domains");
    }

    for (i = 0; i < n; i++) {
        printf("%s\n", d[i].name);
    }

    return EX_OK;
}


static int
exchctl_domain_del(exchctl_t *c)
{
    int  rc;

    rc = exs_dir_domain_del(c->txn, c->argv[0]);

    if (rc == EXS_CONFLICT) {
        fprintf(stderr, "exchctl: %s: %s: the domain still has users, "
                "groups or aliases\n", c->what, c->argv[0]);
        return EX_DATAERR;
    }

    if (rc != EXS_OK) {
        return exchctl_fail(c, rc, "%s", c->argv[0]);
    }

    return EX_OK;
}


static int
exchctl_user_add(exchctl_t *c)
{
    int          i, ex, rc, generated;
    char         password[256];
    const char  *name, *v;

    name = NULL;

    for (i = 1; i < c->argc; i++) {
        if ((v = exchctl_opt(c, "--name", &i)) != NULL) {
            name = v;
        }
    }

    ex = exchctl_password(c, password, sizeof(password), &generated);
    if (ex != EX_OK) {
        return ex;
    }

    rc = exs_dir_user_add(c->txn, c->argv[0], name, password, NULL);

    if (rc == EXS_NOTFOUND) {
        fprintf(stderr, "exchctl: %s: %s: no such domain (exchctl domain "
                "add)\n", c->what, c->argv[0]);
        return EX_NOHOST;
    }

    if (rc == EXS_INVALID) {
        fprintf(stderr, "exchctl: %s: %s: not a valid address\n", c->what,
                c->argv[0]);
        return EX_DATAERR;
    }

    if (rc != EXS_OK) {
        return exchctl_fail(c, rc, "%s", c->argv[0]);
    }

    ex = exchctl_done(c, EX_OK);

    if (ex == EX_OK && generated) {
        printf("%s  %s\n", c->argv[0], password);
    }

    return ex;
}


static int
exchctl_user_passwd(exchctl_t *c)
{
    int           ex, rc, generated;
    char          password[256];
    exs_dirent_t  e;

    ex = exchctl_entry(c, c->argv[0], &e);
    if (ex != EX_OK) {
        return ex;
    }

    ex = exchctl_password(c, password, sizeof(password), &generated);
    if (ex != EX_OK) {
        return ex;
    }

    rc = exs_dir_user_passwd(c->txn, e.id, password);
    if (rc != EXS_OK) {
        return exchctl_fail(c, rc, "%s", c->argv[0]);
    }

    ex = exchctl_done(c, EX_OK);

    if (ex == EX_OK && generated) {
        printf("%s  %s\n", e.address, password);
    }

    return ex;
}


static int
exchctl_user_set(exchctl_t *c)
{
    int            i, ex, rc;
    uint32_t       flags;
    const char    *name, *v;
    exs_dirent_t   e;

    ex = exchctl_entry(c, c->argv[0], &e);
    if (ex != EX_OK) {
        return ex;
    }

    name = NULL;
    flags = e.flags;

    for (i = 1; i < c->argc; i++) {
        if ((v = exchctl_opt(c, "--name", &i)) != NULL) {
            name = v;

        } else if (strcmp(c->argv[i], "--disable") == 0) {
            flags |= EXS_DIR_DISABLED;

        } else if (strcmp(c->argv[i], "--enable") == 0) {
            flags &= ~EXS_DIR_DISABLED;

        } else {
            fprintf(stderr, "exchctl: %s: unknown option %s\n", c->what,
                    c->argv[i]);
            return EX_USAGE;
        }
    }

    rc = exs_dir_user_set(c->txn, e.id, name, NULL, flags);
    if (rc != EXS_OK) {
        return exchctl_fail(c, rc, "%s", c->argv[0]);
    }

    return EX_OK;
}


static int
exchctl_user_show(exchctl_t *c)
{
    int            ex;
    char           guid[40];
    uint32_t       i;
    exs_dirent_t   e;

    ex = exchctl_entry(c, c->argv[0], &e);
    if (ex != EX_OK) {
        return ex;
    }

    exchctl_guid(e.guid, guid);

    printf("address: %s\n", e.address);
    printf("type: %s\n", e.type == EXS_DIR_USER ? "user" : "group");
    printf("id: %u\n", e.id);
    printf("display name: %s\n", e.display_name);
    printf("legacyExchangeDN: %s\n", e.legacy_dn);
    printf("guid: %s\n", guid);

    if (e.type == EXS_DIR_USER) {
        printf("mailbox: %u\n", e.mailbox);
        printf("password: %s\n", e.password ? "set" : "none");
    }

    printf("state: %s\n", (e.flags & EXS_DIR_DISABLED) ? "disabled"
                                                       : "enabled");

    for (i = 0; i < e.naliases; i++) {
        printf("alias: %s\n", e.aliases[i]);
    }

    return EX_OK;
}


static int
exchctl_user_list(exchctl_t *c)
{
    int            rc;
    size_t         dl, al;
    uint32_t       i, n, *ids;
    exs_dirent_t   e;

    rc = exs_gal_list(c->txn, &ids, &n, c->a);
    if (rc != EXS_OK) {
        return exchctl_fail(c, rc, "address list");
    }

    dl = c->argc ? strlen(c->argv[0]) : 0;

    for (i = 0; i < n; i++) {
        rc = exs_dir_by_id(c->txn, ids[i], &e, c->a);
        if (rc != EXS_OK) {
            return exchctl_fail(c, rc, "entry %u", ids[i]);
        }

        if (e.type != EXS_DIR_USER) {
            continue;
        }

        al = strlen(e.address);

        if (dl && (al <= dl + 1 || e.address[al - dl - 1] != '@'
                   || strcasecmp(e.address + al - dl, c->argv[0]) != 0))
        {
            continue;
        }

        printf("%s  %s\n", e.address, e.display_name);
    }

    return EX_OK;
}


static int
exchctl_user_del(exchctl_t *c)
{
    int           ex, rc;
    exs_dirent_t  e;

    ex = exchctl_entry(c, c->argv[0], &e);
    if (ex != EX_OK) {
        return ex;
    }

    if (e.type != EXS_DIR_USER) {
        fprintf(stderr, "exchctl: %s: %s is a group (exchctl group del)\n",
                c->what, c->argv[0]);
        return EX_DATAERR;
    }

    rc = exs_dir_user_del(c->txn, e.id);
    if (rc != EXS_OK) {
        return exchctl_fail(c, rc, "%s", c->argv[0]);
    }

    return EX_OK;
}


static int
exchctl_user_verify(exchctl_t *c)
{
    int           i, ex, has;
    char          password[256];
    exs_dirent_t  e;

    ex = exchctl_entry(c, c->argv[0], &e);
    if (ex != EX_OK) {
        return ex;
    }

    has = 0;
    for (i = 1; i < c->argc; i++) {
        if (strncmp(c->argv[i], "--password", 10) == 0) {
            has = 1;
        }
    }

    if (has) {
        ex = exchctl_password(c, password, sizeof(password), &i);
        if (ex != EX_OK) {
            return ex;
        }

    } else {
        if (fgets(password, sizeof(password), stdin) == NULL) {
            password[0] = '\0';
        }
        password[strcspn(password, "\r\n")] = '\0';
    }

    if ((e.flags & EXS_DIR_DISABLED)
        || exs_password_verify(e.password, password) != EXS_OK)
    {
        explicit_bzero(password, sizeof(password));
        fprintf(stderr, "exchctl: %s: %s: the password does not match\n",
                c->what, c->argv[0]);
        return EX_NOPERM;
    }

    explicit_bzero(password, sizeof(password));

    return EX_OK;
}


static int
exchctl_alias_add(exchctl_t *c)
{
    int           ex, rc;
    exs_dirent_t  e;

    ex = exchctl_entry(c, c->argv[1], &e);
    if (ex != EX_OK) {
        return ex;
    }

    rc = exs_dir_alias_add(c->txn, e.id, c->argv[0]);

    if (rc == EXS_NOTFOUND) {
        fprintf(stderr, "exchctl: %s: %s: no such domain\n", c->what,
                c->argv[0]);
        return EX_NOHOST;
    }

    if (rc != EXS_OK) {
        return exchctl_fail(c, rc, "%s", c->argv[0]);
    }

    return EX_OK;
}


static int
exchctl_alias_del(exchctl_t *c)
{
    int  rc;

    rc = exs_dir_alias_del(c->txn, c->argv[0]);

    if (rc == EXS_INVALID) {
        fprintf(stderr, "exchctl: %s: %s is a primary address, not an "
                "alias\n", c->what, c->argv[0]);
        return EX_DATAERR;
    }

    if (rc != EXS_OK) {
        return exchctl_fail(c, rc, "%s", c->argv[0]);
    }

    return EX_OK;
}


static int
exchctl_group_add(exchctl_t *c)
{
    int          i, rc;
    const char  *name, *v;

    name = NULL;

    for (i = 1; i < c->argc; i++) {
        if ((v = exchctl_opt(c, "--name", &i)) != NULL) {
            name = v;
        }
    }

    rc = exs_dir_group_add(c->txn, c->argv[0], name, NULL);

    if (rc == EXS_NOTFOUND) {
        fprintf(stderr, "exchctl: %s: %s: no such domain\n", c->what,
                c->argv[0]);
        return EX_NOHOST;
    }

    if (rc != EXS_OK) {
        return exchctl_fail(c, rc, "%s", c->argv[0]);
    }

    return EX_OK;
}


static int
exchctl_group_del(exchctl_t *c)
{
    int           ex, rc;
    exs_dirent_t  e;

    ex = exchctl_entry(c, c->argv[0], &e);
    if (ex != EX_OK) {
        return ex;
    }

    rc = exs_dir_group_del(c->txn, e.id);
    if (rc != EXS_OK) {
        return exchctl_fail(c, rc, "%s", c->argv[0]);
    }

    return EX_OK;
}


static int
exchctl_group_show(exchctl_t *c)
{
    int            ex, rc;
    uint32_t       i, n, *ids;
    exs_dirent_t   g, m;

    ex = exchctl_entry(c, c->argv[0], &g);
    if (ex != EX_OK) {
        return ex;
    }

    rc = exs_dir_members(c->txn, g.id, &ids, &n, c->a);
    if (rc != EXS_OK) {
        return exchctl_fail(c, rc, "%s", c->argv[0]);
    }

    for (i = 0; i < n; i++) {
        rc = exs_dir_by_id(c->txn, ids[i], &m, c->a);
        if (rc != EXS_OK) {
            return exchctl_fail(c, rc, "member %u", ids[i]);
        }

        printf("%s  %s\n", m.address, m.display_name);
    }

    return EX_OK;
}


static int
exchctl_member(exchctl_t *c, int add)
{
    int           ex, rc;
    exs_dirent_t  g, m;

    ex = exchctl_entry(c, c->argv[0], &g);
    if (ex == EX_OK) {
        ex = exchctl_entry(c, c->argv[1], &m);
    }

    if (ex != EX_OK) {
        return ex;
    }

    rc = add ? exs_dir_member_add(c->txn, g.id, m.id)
             : exs_dir_member_del(c->txn, g.id, m.id);

    if (rc == EXS_INVALID) {
        fprintf(stderr, "exchctl: %s: %s is not a group (or is %s)\n",
                c->what, c->argv[0], c->argv[1]);
        return EX_DATAERR;
    }

    if (rc != EXS_OK) {
        return exchctl_fail(c, rc, "%s in %s", c->argv[1], c->argv[0]);
    }

    return EX_OK;
}


static int
exchctl_member_add(exchctl_t *c)
{
    return exchctl_member(c, 1);
}


static int
exchctl_member_del(exchctl_t *c)
{
    return exchctl_member(c, 0);
}


static int
exchctl_mailbox_stats(exchctl_t *c)
{
    int                 ex, rc;
    char                guid[40];
    uint32_t            i, n, nfolders;
    uint64_t            count, unread, assoc, deleted;
    exs_id_t           *ids;
    exs_mbox_t         *mb;
    exs_table_t        *t;
    exs_dirent_t        e;
    exs_mbox_info_t     info;
    exs_folder_info_t   fi;

    ex = exchctl_entry(c, c->argv[0], &e);
    if (ex != EX_OK) {
        return ex;
    }

    if (e.type != EXS_DIR_USER) {
        fprintf(stderr, "exchctl: %s: %s is a group: no mailbox\n", c->what,
                c->argv[0]);
        return EX_DATAERR;
    }

    rc = exs_mbox_open(c->txn, e.mailbox, 0, &mb);

    if (rc == EXS_OK) {
        rc = exs_mbox_info(mb, &info);
    }

    if (rc == EXS_OK) {
        rc = exs_table_open(mb, EXS_FID_ROOT, EXS_TABLE_HIERARCHY,
                            EXS_TABLE_DEEP, NULL, NULL, &t, c->a);
    }

    if (rc == EXS_OK) {
        rc = exs_table_count(t, &n);
    }

    ids = NULL;

    if (rc == EXS_OK) {
        ids = exs_alloc(c->a, (n + 1) * sizeof(exs_id_t));
        rc = ids ? exs_table_ids(t, 0, n, ids + 1, &n) : EXS_NOMEM;
    }

    if (rc != EXS_OK) {
        return exchctl_fail(c, rc, "mailbox of %s", c->argv[0]);
    }

    ids[0] = EXS_FID_ROOT;
    nfolders = n + 1;
    count = unread = assoc = deleted = 0;

    for (i = 0; i < nfolders; i++) {
        rc = exs_folder_info(mb, ids[i], &fi);
        if (rc != EXS_OK) {
            return exchctl_fail(c, rc, "folder %llu",
                                (unsigned long long) ids[i]);
        }

        count += fi.count;
        unread += fi.unread;
        assoc += fi.assoc_count;
        deleted += fi.deleted_count;
    }

    exchctl_guid(info.guid, guid);

    printf("mailbox: %u\n", info.mailbox);
    printf("owner: %s\n", e.address);
    printf("guid: %s\n", guid);
    printf("size: %llu\n", (unsigned long long) info.size);
    printf("folders: %u\n", nfolders);
    printf("messages: %llu\n", (unsigned long long) count);
    printf("unread: %llu\n", (unsigned long long) unread);
    printf("associated: %llu\n", (unsigned long long) assoc);
    printf("soft-deleted: %llu\n", (unsigned long long) deleted);
    printf("last change number: %llu\n", (unsigned long long) info.last_cn);

    return EX_OK;
}


static int
exchctl_folder_list(exchctl_t *c)
{
    int                 ex, rc;
    uint32_t            i, n, depth;
    exs_prop_t         *p;
    exs_mbox_t         *mb;
    exs_props_t        *rows;
    exs_table_t        *t;
    exs_dirent_t        e;
    static uint32_t     tags[] = { PR_DISPLAY_NAME, PR_CONTENT_COUNT,
                                   PR_CONTENT_UNREAD, PR_CONTAINER_CLASS,
                                   PR_DEPTH, PR_FID };

    ex = exchctl_entry(c, c->argv[0], &e);
    if (ex != EX_OK) {
        return ex;
    }

    if (e.type != EXS_DIR_USER) {
        fprintf(stderr, "exchctl: %s: %s is a group: no mailbox\n", c->what,
                c->argv[0]);
        return EX_DATAERR;
    }

    rc = exs_mbox_open(c->txn, e.mailbox, 0, &mb);

    if (rc == EXS_OK) {
        rc = exs_table_open(mb, EXS_FID_ROOT, EXS_TABLE_HIERARCHY,
                            EXS_TABLE_DEEP, NULL, NULL, &t, c->a);
    }

    if (rc == EXS_OK) {
        rc = exs_table_rows(t, 0, UINT32_MAX, tags,
                            sizeof(tags) / sizeof(tags[0]), &rows, NULL, &n,
                            c->a);
    }

    if (rc != EXS_OK) {
        return exchctl_fail(c, rc, "folders of %s", c->argv[0]);
    }

    printf("%-40s %8s %8s  %s\n", "folder", "messages", "unread", "class");

    for (i = 0; i < n; i++) {
        p = exs_props_get(&rows[i], PR_DEPTH);
        depth = p ? (uint32_t) p->v.l : 1;

        p = exs_props_get(&rows[i], PR_DISPLAY_NAME);
        printf("%*s%-*s", (int) (2 * (depth - 1)), "",
               40 - (int) (2 * (depth - 1)), p ? p->v.str.data : "?");

        if (p && 2 * (depth - 1) + p->v.str.len >= 40) {
            printf("\n%40s", "");
        }

        p = exs_props_get(&rows[i], PR_CONTENT_COUNT);
        printf(" %8d", p ? p->v.l : 0);

        p = exs_props_get(&rows[i], PR_CONTENT_UNREAD);
        printf(" %8d", p ? p->v.l : 0);

        p = exs_props_get(&rows[i], PR_CONTAINER_CLASS);
        printf("  %s\n", p ? p->v.str.data : "");
    }

    return EX_OK;
}


static int
exchctl_store_check(exchctl_t *c)
{
    int  rc;

    /* the check reads in its own snapshot */
    exs_txn_abort(c->txn);
    c->txn = NULL;

    rc = exs_env_check(c->env, stdout);

    if (rc == EXS_CORRUPT) {
        fprintf(stderr, "exchctl: %s: problems found in %s\n", c->what,
                c->store);
        return EX_DATAERR;
    }

    if (rc != EXS_OK) {
        return exchctl_fail(c, rc, "%s", c->store);
    }

    printf("store %s: ok\n", c->store);

    return EX_OK;
}


static int
exchctl_store_backup(exchctl_t *c)
{
    int  rc;

    exs_txn_abort(c->txn);
    c->txn = NULL;

    rc = exs_env_backup(c->env, c->argv[0]);
    if (rc != EXS_OK) {
        return exchctl_fail(c, rc, "%s", c->argv[0]);
    }

    return EX_OK;
}


static int
exchctl_store_stats(exchctl_t *c)
{
    int             rc;
    exs_env_stat_t  st;

    rc = exs_env_stat(c->env, &st);
    if (rc != EXS_OK) {
        return exchctl_fail(c, rc, "%s", c->store);
    }

    printf("store: %s\n", c->store);
    printf("map size: %llu\n", (unsigned long long) st.map_size);
    printf("used: %llu\n", (unsigned long long) st.used);
    printf("readers: %u of %u\n", st.readers, st.max_readers);

    return EX_OK;
}


/* the mail verbs (exchctl_mail.c) run their own transactions */

static int
exchctl_mail(exchctl_t *c)
{
    return exchctl_mail_run(c->what, c->store, c->argc, c->argv);
}


/* "exchctl user" or "exchctl user --help": the verbs of that group */

static int
exchctl_group_help(int argc, char **argv)
{
    int          help, shown;
    size_t       i, len;
    const char  *word;

    word = argv[0];
    len = strlen(word);
    help = argc > 1 && (strcmp(argv[1], "--help") == 0
                        || strcmp(argv[1], "-h") == 0);
    shown = 0;

    for (i = 0; i < EXCHCTL_NVERBS; i++) {
        if (strncmp(exchctl_verbs[i].name, word, len) == 0
            && exchctl_verbs[i].name[len] == ' ')
        {
            if (!shown) {
                fprintf(help ? stdout : stderr, "usage:\n");
            }

            fprintf(help ? stdout : stderr, "  exchctl %s %s\n",
                    exchctl_verbs[i].name, exchctl_verbs[i].usage);
            shown = 1;
        }
    }

    if (!shown) {
        fprintf(stderr, "exchctl: unknown verb \"%s\" (see --help)\n",
                word);
        return EX_USAGE;
    }

    return help ? EX_OK : EX_USAGE;
}


static void
exchctl_help(FILE *f)
{
    size_t  i;

    fprintf(f,
        "usage: exchctl [--store DIR] VERB [ARGS]\n"
        "\n"
        "The store is --store DIR, else $EXCH_STORE, else %s.\n"
        "\"exchctl VERB --help\" explains one verb.\n"
        "\n"
        "verbs:\n", EXCH_DEFAULT_STORE);

    for (i = 0; i < EXCHCTL_NVERBS; i++) {
        fprintf(f, "  %s %s\n", exchctl_verbs[i].name,
                exchctl_verbs[i].usage);
    }

    fprintf(f,
        "\n"
        "exit codes (sysexits): 0 done, 64 usage, 65 bad or conflicting\n"
        "data (and store check problems), 66 no store, 67 no such user,\n"
        "group or alias, 68 no such domain, 73 store full, 75 busy, try\n"
        "again, 77 permission denied, 70 internal error\n");
}


int
main(int argc, char **argv)
{
    int                    i, j, ex, nwords, help;
    size_t                 len;
    const char            *store;
    exchctl_t              c;
    const exchctl_verb_t  *v, *best;

    store = NULL;
    i = 1;

    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            exchctl_help(stdout);
            return EX_OK;
        }

        if (strcmp(argv[i], "--store") == 0 && i + 1 < argc) {
            store = argv[i + 1];
            i += 2;
            continue;
        }

        if (strncmp(argv[i], "--store=", 8) == 0) {
            store = argv[i] + 8;
            i++;
            continue;
        }

        fprintf(stderr, "exchctl: unknown option %s (see --help)\n",
                argv[i]);
        return EX_USAGE;
    }

    if (i >= argc) {
        exchctl_help(stderr);
        return EX_USAGE;
    }

    if (store == NULL) {
        store = getenv("EXCH_STORE");
    }

    if (store == NULL || *store == '\0') {
        store = EXCH_DEFAULT_STORE;
    }

    /* the longest verb whose words start the arguments */

    best = NULL;
    nwords = 0;

    for (j = 0; j < (int) EXCHCTL_NVERBS; j++) {
        const char  *p;
        int          w;

        v = &exchctl_verbs[j];
        p = v->name;

        for (w = 0; i + w < argc; w++) {
            len = strcspn(p, " ");

            if (strlen(argv[i + w]) != len
                || strncmp(argv[i + w], p, len) != 0)
            {
                break;
            }

            p += len;

            if (*p == '\0') {
                w++;
                if (w > nwords) {
                    best = v;
                    nwords = w;
                }
                break;
            }

            p++;
        }
    }

    if (best == NULL) {
        return exchctl_group_help(argc - i, argv + i);
    }

    v = best;

    memset(&c, 0, sizeof(exchctl_t));
    c.store = store;
    c.argc = argc - i - nwords;
    c.argv = argv + i + nwords;
    c.what = v->name;

    help = 0;
    for (j = 0; j < c.argc; j++) {
        if (strcmp(c.argv[j], "--help") == 0 || strcmp(c.argv[j], "-h") == 0)
        {
            help = 1;
        }
    }

    if (help) {
        printf("usage: exchctl %s %s\n\n%s\n", v->name, v->usage, v->help);
        return EX_OK;
    }

    /* the mandatory arguments: the words of the usage before any [ */
    {
        int          need;
        const char  *p;

        need = 0;
        for (p = v->usage; *p && *p != '['; p++) {
            if ((p == v->usage || p[-1] == ' ') && *p >= 'A' && *p <= 'Z') {
                need++;
            }
        }

        if (c.argc < need || (need == 0 && c.argc > 0 && v->usage[0] == '\0'))
        {
            return exchctl_usage(&c, v);
        }

        for (j = 0; j < need; j++) {
            if (c.argv[j][0] == '-') {
                return exchctl_usage(&c, v);
            }
        }
    }

    c.a = exs_arena_create(0);
    if (c.a == NULL) {
        return EX_OSERR;
    }

    ex = exchctl_open(&c, v->write);

    if (ex == EX_OK) {
        ex = v->run(&c);
        ex = exchctl_done(&c, ex);
    }

    exch_bus_detach(c.bus);
    exs_env_close(c.env);
    exs_arena_destroy(c.a);

    return ex;
}
