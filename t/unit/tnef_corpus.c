
/*
 * The TNEF corpus (t/corpus/tnef): every stream decodes, and yields the
 * attachment names its .list says it carries (those of embedded messages
 * included; "body.rtf" and "body.html" stand for the RTF and HTML bodies).
 * The decoder meets truncated and corrupted copies of every stream without
 * reading out of bounds (the sanitizer build checks that).
 */


#include <dirent.h>

#include <tap.h>
#include "mailtest.h"
#include <exs_tnef.h>


#define MAX_NAMES  64


static void collect(exs_msg_t *msg, char names[][256], int *n,
    unsigned depth);
static int same(exs_msg_t *x, exs_msg_t *y, unsigned depth, char *why);


int
main(void)
{
    int              n, i, k, j, got, found, all, ok_all;
    char             path[4096], names[MAX_NAMES][256], *list, *line, *nl;
    size_t           len, llen, cut;
    uint8_t         *data, *copy;
    exs_msg_t       *msg;
    const char      *top;
    exs_arena_t     *a;
    exs_tnef_ctx_t   ctx;
    exs_namemap_t   *nm;
    struct dirent  **ents;

    top = mt_top();

    if (snprintf(path, sizeof(path), "%s/t/corpus/tnef", top)
        >= (int) sizeof(path))
    {
        return 1;
    }

    n = scandir(path, &ents, NULL, alphasort);
    ok(n > 30, "the TNEF corpus is there");

    for (i = 0; i < n; i++) {
        len = strlen(ents[i]->d_name);

        if (len < 6 || strcmp(ents[i]->d_name + len - 5, ".tnef") != 0) {
            free(ents[i]);
            continue;
        }

        if (snprintf(path, sizeof(path), "%s/t/corpus/tnef/%s", top,
                     ents[i]->d_name) >= (int) sizeof(path))
        {
            free(ents[i]);
            continue;
        }

        data = mt_slurp(path, &len);
        strcpy(path + strlen(path) - 5, ".list");
        list = (char *) mt_slurp(path, &llen);

        a = exs_arena_create(0);
        nm = exs_namemap_mem_create(a);
        msg = exs_msg_create(a);
        memset(&ctx, 0, sizeof(ctx));

        ok(data && list && exs_tnef_read(data, len, nm, msg, &ctx, a)
                           == EXS_OK,
           "%s decodes", ents[i]->d_name);

        got = 0;
        collect(msg, names, &got, 0);

        /*
         * Every name of the list.  Not as many times: MimeKit counts the
         * placeholder text an embedded message carries in attAttachData
         * ("This attachment is a MAPI 1.0 embedded message...") as an
         * attachment of its own, which it is not.
         */
        all = 1;

        for (line = list; line && *line; line = nl) {
            nl = strchr(line, '\n');
            if (nl) {
                *nl++ = '\0';
            }

            if (*line == '\0') {
                continue;
            }

            found = 0;

            for (k = 0; k < got; k++) {
                if (strcmp(names[k], line) == 0) {
                    found = 1;
                    break;
                }
            }

            if (!found) {
                printf("# %s: no '%s'; have:", ents[i]->d_name, line);

                for (k = 0; k < got; k++) {
                    printf(" '%s'", names[k]);
                }

                printf("\n");
                all = 0;
            }
        }

        ok(all, "%s yields the names of its .list", ents[i]->d_name);

        /* written again, it reads back the same */
        {
            char        why[256];
            exs_bin_t   w;
            exs_msg_t  *again;

            why[0] = '\0';
            again = exs_msg_create(a);
            memset(&ctx, 0, sizeof(ctx));

            ok(exs_tnef_write(msg, nm, &w, a) == EXS_OK
               && exs_tnef_read(w.data, w.len, nm, again, &ctx, a) == EXS_OK
               && same(msg, again, 0, why),
               "%s: written and read again, the same message%s%s",
               ents[i]->d_name, why[0] ? ": " : "", why);
        }

        /* damaged copies: cut short at many places, bytes flipped */

        ok_all = 1;

        for (cut = 0; data && cut < len; cut += len / 97 + 1) {
            copy = malloc(cut ? cut : 1);
            memcpy(copy, data, cut);

            for (j = 0; j < 2; j++) {
                exs_arena_t  *b = exs_arena_create(0);

                if (j == 1 && cut > 20) {
                    copy[cut / 2] ^= 0x5A;
                    copy[cut / 3] = 0xFF;
                }

                memset(&ctx, 0, sizeof(ctx));
                msg = exs_msg_create(b);

                if (exs_tnef_read(copy, cut, exs_namemap_mem_create(b), msg,
                                  &ctx, b) == EXS_NOMEM)
                {
                    ok_all = 0;
                }

                exs_arena_destroy(b);
            }

            free(copy);
        }

        ok(ok_all, "%s: truncated and corrupted copies decode safely",
           ents[i]->d_name);

        free(data);
        free(list);
        exs_arena_destroy(a);
        free(ents[i]);
    }

    free(ents);

    return done_testing();
}


static void
collect(exs_msg_t *msg, char names[][256], int *n, unsigned depth)
{
    uint32_t     i;
    const char  *s;

    if (depth == 0) {
        if (exs_props_get(&msg->props, PR_RTF_COMPRESSED) && *n < MAX_NAMES) {
            snprintf(names[(*n)++], 256, "body.rtf");
        }

        if (exs_props_get(&msg->props, PR_HTML) && *n < MAX_NAMES) {
            snprintf(names[(*n)++], 256, "body.html");
        }
    }

    for (i = 0; i < msg->natts; i++) {
        s = mt_str(&msg->atts[i].props, PR_ATTACH_LONG_FILENAME);

        if (s == NULL || *s == '\0') {
            s = mt_str(&msg->atts[i].props, PR_ATTACH_FILENAME);
        }

        if (s && *s && *n < MAX_NAMES) {
            snprintf(names[(*n)++], 256, "%s", s);
        }

        if (msg->atts[i].embedded && depth < 8) {
            collect(msg->atts[i].embedded, names, n, depth + 1);
        }
    }
}


/* every property of x is in y with the same value; the same attachments */

static int
same(exs_msg_t *x, exs_msg_t *y, unsigned depth, char *why)
{
    uint32_t     i;
    exs_prop_t  *p, *q;

    for (i = 0; i < x->props.n; i++) {
        p = &x->props.v[i];
        q = exs_props_get(&y->props, PROP_TAG(PT_UNSPECIFIED,
                                              PROP_ID(p->tag)));

        if (q == NULL || exs_prop_cmp(p, q, 0) != 0) {
            snprintf(why, 256, "depth %u: property %08X", depth, p->tag);
            return 0;
        }
    }

    if (x->natts != y->natts || x->nrcpts != y->nrcpts) {
        snprintf(why, 256, "depth %u: %u/%u attachments, %u/%u recipients",
                 depth, x->natts, y->natts, x->nrcpts, y->nrcpts);
        return 0;
    }

    for (i = 0; i < x->natts; i++) {
        p = exs_props_get(&x->atts[i].props, PR_ATTACH_DATA_BIN);
        q = exs_props_get(&y->atts[i].props, PR_ATTACH_DATA_BIN);

        if ((p == NULL) != (q == NULL) || (p && exs_prop_cmp(p, q, 0))
            || (x->atts[i].embedded == NULL) != (y->atts[i].embedded == NULL)
            || (x->atts[i].embedded
                && !same(x->atts[i].embedded, y->atts[i].embedded,
                         depth + 1, why)))
        {
            if (why[0] == '\0') {
                snprintf(why, 256, "depth %u: attachment %u", depth, i);
            }

            return 0;
        }
    }

    return 1;
}
