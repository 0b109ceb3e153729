
/*
 * bench/mail: the MIME converter's speed over the mail corpus.
 *
 *     mail [DIR] [SECONDS]
 *
 * Reads every .eml of DIR (t/corpus/mail) into memory, then converts them
 * over and over for about SECONDS each way (2): MIME -> MAPI, and MAPI ->
 * MIME of the messages converted once.  Prints messages and megabytes per
 * second, on one thread.
 */


#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <exs_mapi.h>
#include <exs_oxcmail.h>


typedef struct {
    uint8_t                  *data;
    size_t                    len;
} mail_t;


static double now(void);
static uint8_t *slurp(const char *path, size_t *len);


int
main(int argc, char **argv)
{
    int                  i, n, nmail;
    char                 path[4096];
    size_t               len, bytes, obytes;
    double               t0, t, secs;
    mail_t              *mail;
    uint64_t             count;
    exs_bin_t            out;
    exs_msg_t          **msgs, *msg;
    const char          *dir;
    exs_arena_t         *a, *keep;
    struct dirent      **ents;
    exs_oxcmail_opts_t   o;

    dir = argc > 1 ? argv[1] : "t/corpus/mail";
    secs = argc > 2 ? atof(argv[2]) : 2.0;

    n = scandir(dir, &ents, NULL, alphasort);
    if (n < 0) {
        perror(dir);
        return 1;
    }

    mail = calloc(n, sizeof(mail_t));
    nmail = 0;
    bytes = 0;

    for (i = 0; i < n; i++) {
        len = strlen(ents[i]->d_name);

        if (len > 4 && strcmp(ents[i]->d_name + len - 4, ".eml") == 0
            && snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name)
               < (int) sizeof(path))
        {
            mail[nmail].data = slurp(path, &mail[nmail].len);

            if (mail[nmail].data) {
                bytes += mail[nmail].len;
                nmail++;
            }
        }

        free(ents[i]);
    }

    free(ents);

    if (nmail == 0) {
        fprintf(stderr, "no .eml in %s\n", dir);
        return 1;
    }

    exs_mime_init();

    printf("corpus: %d messages, %.1f MB\n", nmail, bytes / 1e6);

    /* MIME -> MAPI */

    a = exs_arena_create(0);
    memset(&o, 0, sizeof(o));
    count = 0;
    obytes = 0;
    t0 = now();

    do {
        for (i = 0; i < nmail; i++) {
            exs_arena_reset(a);
            o.namemap = exs_namemap_mem_create(a);

            if (exs_oxcmail_import(mail[i].data, mail[i].len, &o, &msg,
                                   NULL, a) != EXS_OK)
            {
                fprintf(stderr, "import failed\n");
                return 1;
            }

            count++;
            obytes += mail[i].len;
        }

        t = now() - t0;

    } while (t < secs);

    printf("MIME -> MAPI: %.0f messages/s, %.1f MB/s\n", count / t,
           obytes / t / 1e6);

    /* MAPI -> MIME, of messages converted once */

    keep = exs_arena_create(0);
    o.namemap = exs_namemap_mem_create(keep);
    msgs = calloc(nmail, sizeof(exs_msg_t *));

    for (i = 0; i < nmail; i++) {
        if (exs_oxcmail_import(mail[i].data, mail[i].len, &o, &msgs[i], NULL,
                               keep) != EXS_OK)
        {
            return 1;
        }
    }

    o.flags = EXS_OXCMAIL_FOR_READ;
    count = 0;
    obytes = 0;
    t0 = now();

    do {
        for (i = 0; i < nmail; i++) {
            exs_arena_reset(a);

            if (exs_oxcmail_export(msgs[i], &o, &out, a) != EXS_OK) {
                fprintf(stderr, "export failed\n");
                return 1;
            }

            count++;
            obytes += out.len;
        }

        t = now() - t0;

    } while (t < secs);

    printf("MAPI -> MIME: %.0f messages/s, %.1f MB/s written\n", count / t,
           obytes / t / 1e6);

    exs_arena_destroy(a);
    exs_arena_destroy(keep);
    free(msgs);

    for (i = 0; i < nmail; i++) {
        free(mail[i].data);
    }

    free(mail);
    exs_mime_shutdown();

    return 0;
}


static double
now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return ts.tv_sec + ts.tv_nsec / 1e9;
}


static uint8_t *
slurp(const char *path, size_t *len)
{
    long      n;
    FILE     *f;
    uint8_t  *d;

    f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }

    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);

    d = malloc(n > 0 ? n : 1);

    if (d && n > 0 && fread(d, 1, n, f) != (size_t) n) {
        free(d);
        d = NULL;
    }

    fclose(f);
    *len = n > 0 ? (size_t) n : 0;

    return d;
}
