
/*
 * The MIME converter and the store together, as delivery and IMAP use
 * them: every message of t/corpus/mail imported with the mailbox's named
 * property map, stored (every other one prepared first), read back and
 * exported to the same bytes as before it was stored (the raw MIME for
 * IMAP, then the MIME the converter makes of the properties alone);
 * PR_INTERNET_CONTENT stays through a flag change and goes with a content
 * change.
 */


#include <dirent.h>
#include <sys/stat.h>

#include <tap.h>
#include <exs_oxcmail.h>
#include "mailtest.h"
#include "store_util.h"


/*
 * What the store adds is blanked for comparing: the multipart boundaries
 * the converter derives from a digest of all the properties (the store's
 * own included), and the Date header of a message that had none (the
 * store gives every message a delivery time).
 */

static void
blank_additions(exs_bin_t *b, exs_arena_t *a)
{
    size_t    i, j, n;
    uint8_t  *p;

    p = exs_alloc(a, b->len + 1);
    n = 0;

    for (i = 0; i < b->len; i++) {
        if ((i == 0 || b->data[i - 1] == '\n') && b->len - i > 6
            && memcmp(b->data + i, "Date: ", 6) == 0)
        {
            while (i < b->len && b->data[i] != '\n') {
                i++;
            }
            continue;
        }

        p[n++] = b->data[i];
    }

    for (i = 0; i + 7 + 32 <= n; i++) {
        if (memcmp(p + i, "=_exch_", 7) == 0) {
            for (j = 0; j < 32; j++) {
                p[i + 7 + j] = 'x';
            }
        }
    }

    b->data = p;
    b->len = n;
}


int
main(void)
{
    int                  rc, imported, stored, same, nfiles;
    char                 path[4096], *mime;
    size_t               len;
    DIR                 *d;
    uint32_t             mbid, n;
    exs_id_t             mid, last;
    exs_bin_t            out, raw, made;
    exs_msg_t           *msg, *back;
    exs_env_t           *env;
    exs_txn_t           *txn;
    exs_mbox_t          *mb;
    exs_props_t          set, got;
    exs_arena_t         *a;
    struct dirent       *de;
    exs_oxcmail_opts_t   o;

    exs_mime_init();

    env = store_open("mail", 0);
    mbid = store_user(env, "alice@example.test", NULL);
    ok(env && mbid, "a store with a mailbox");

    a = exs_arena_create(0);
    snprintf(path, sizeof(path), "%s/t/corpus/mail", mt_top());
    d = opendir(path);
    ok(d != NULL, "the mail corpus");

    imported = stored = same = nfiles = 0;
    last = 0;

    while (d && (de = readdir(d)) != NULL) {
        len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 4, ".eml") != 0) {
            continue;
        }

        snprintf(path, sizeof(path), "%s/t/corpus/mail/%s", mt_top(),
                 de->d_name);
        mime = (char *) mt_slurp(path, &len);
        if (mime == NULL) {
            continue;
        }

        nfiles++;
        exs_arena_reset(a);

        rc = exs_txn_begin(env, 0, &txn);
        if (rc == EXS_OK) {
            rc = exs_mbox_open(txn, mbid, 0, &mb);
        }

        memset(&o, 0, sizeof(o));
        o.namemap = exs_mbox_namemap(mb);
        o.flags = EXS_OXCMAIL_RAW_ALWAYS;

        if (rc == EXS_OK) {
            rc = exs_oxcmail_import(mime, len, &o, &msg, NULL, a);
            imported += rc == EXS_OK;
        }

        /* what IMAP would serve before storing, and what MAPI content
         * makes without the raw copy */
        if (rc == EXS_OK) {
            o.flags = EXS_OXCMAIL_FOR_READ | EXS_OXCMAIL_PREFER_RAW;
            rc = exs_oxcmail_export(msg, &o, &raw, a);
        }

        if (rc == EXS_OK) {
            o.flags = EXS_OXCMAIL_FOR_READ;
            rc = exs_oxcmail_export(msg, &o, &made, a);
        }

        if (rc == EXS_OK && nfiles % 2) {
            rc = exs_message_prepare(env, msg, a);
        }

        if (rc == EXS_OK) {
            rc = exs_message_create(mb, EXS_FID_INBOX, msg, EXS_MSG_NEW_MAIL,
                                    &mid);
        }

        if (rc == EXS_OK) {
            rc = exs_txn_commit(txn);
            stored += rc == EXS_OK;
            last = mid;
        } else {
            printf("# %s: %s\n", de->d_name, exs_strerror(rc));
            exs_txn_abort(txn);
        }

        /* back out as the bytes it came in as (IMAP) */

        if (rc == EXS_OK
            && exs_txn_begin(env, EXS_TXN_RDONLY, &txn) == EXS_OK)
        {
            exs_mbox_open(txn, mbid, 0, &mb);
            o.namemap = exs_mbox_namemap(mb);
            o.flags = EXS_OXCMAIL_FOR_READ | EXS_OXCMAIL_PREFER_RAW;

            if (exs_message_read(mb, mid, EXS_READ_ALL, &back, a) == EXS_OK
                && exs_oxcmail_export(back, &o, &out, a) == EXS_OK
                && out.len == raw.len
                && memcmp(out.data, raw.data, raw.len) == 0)
            {
                o.flags = EXS_OXCMAIL_FOR_READ;

                if (exs_oxcmail_export(back, &o, &out, a) == EXS_OK) {
                    blank_additions(&out, a);
                    blank_additions(&made, a);
                }

                if (out.len == made.len
                    && memcmp(out.data, made.data, made.len) == 0)
                {
                    same++;

                } else {
                    printf("# %s: the MIME made of it differs\n",
                           de->d_name);

                }

            } else {
                printf("# %s: not the same raw bytes back\n", de->d_name);
            }

            exs_txn_abort(txn);
        }

        free(mime);
    }

    if (d) {
        closedir(d);
    }

    ok(nfiles > 100, "%d messages in the corpus", nfiles);
    is_int(imported, nfiles, "all import");
    is_int(stored, nfiles, "all are stored");
    is_int(same, nfiles, "all export to the same MIME after a round trip "
           "through the store, raw and made");
    is_int(store_check(env), EXS_OK, "store check is clean");

    /* PR_INTERNET_CONTENT and changes */

    exs_txn_begin(env, 0, &txn);
    exs_mbox_open(txn, mbid, 0, &mb);

    set.n = 0;
    set.cap = 0;
    set.v = NULL;
    exs_props_set_long(a, &set, PR_FLAG_STATUS, 2);
    is_int(exs_message_set(mb, last, &set), EXS_OK, "a follow-up flag");
    got.n = 0;
    rc = exs_message_get(mb, last, (uint32_t[]) { PR_INTERNET_CONTENT }, 1,
                         &got, a);
    ok(rc == EXS_OK && got.n == 1, "keeps the MIME it arrived as");

    set.n = 0;
    exs_props_set_str(a, &set, PR_SUBJECT, "edited", 6);
    is_int(exs_message_set(mb, last, &set), EXS_OK, "a new subject");
    got.n = 0;
    rc = exs_message_get(mb, last, (uint32_t[]) { PR_INTERNET_CONTENT }, 1,
                         &got, a);
    ok(rc == EXS_OK && got.n == 0, "drops it");

    exs_txn_commit(txn);

    exs_txn_begin(env, EXS_TXN_RDONLY, &txn);
    exs_mbox_open(txn, mbid, 0, &mb);
    {
        exs_folder_info_t  fi;

        exs_folder_info(mb, EXS_FID_INBOX, &fi);
        n = fi.count;
    }
    exs_txn_abort(txn);
    is_int(n, nfiles, "the Inbox counts them all");

    is_int(store_check(env), EXS_OK, "store check is clean");

    exs_arena_destroy(a);
    exs_env_close(env);
    exs_mime_shutdown();

    return done_testing();
}
