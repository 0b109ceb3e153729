
/*
 * Helpers for the MIME converter's unit tests: files, property look-ups,
 * text comparisons that ignore line-end style.
 */


#ifndef _MAILTEST_H_INCLUDED_
#define _MAILTEST_H_INCLUDED_


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <exs_mapi.h>
#include <exs_oxcmail.h>


/* not every test uses every helper */
#define MT_UNUSED  __attribute__((unused))


/* the source tree: $EXCH_TOP, else found from the working directory */

MT_UNUSED static const char *
mt_top(void)
{
    static char   path[4096];
    const char   *e;
    const char   *tries[] = { ".", "..", "../..", "../../..", NULL };
    int           i;

    e = getenv("EXCH_TOP");
    if (e && *e) {
        return e;
    }

    for (i = 0; tries[i]; i++) {
        snprintf(path, sizeof(path), "%s/t/corpus/mail/README.md", tries[i]);

        if (access(path, R_OK) == 0) {
            snprintf(path, sizeof(path), "%s", tries[i]);
            return path;
        }
    }

    return ".";
}


MT_UNUSED static uint8_t *
mt_slurp(const char *path, size_t *len)
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

    d = malloc(n > 0 ? n + 1 : 1);

    if (d && n > 0 && fread(d, 1, n, f) != (size_t) n) {
        free(d);
        d = NULL;
    }

    if (d) {
        d[n > 0 ? n : 0] = '\0';
    }

    fclose(f);
    *len = n > 0 ? (size_t) n : 0;

    return d;
}


MT_UNUSED static const char *
mt_str(const exs_props_t *bag, uint32_t tag)
{
    exs_prop_t  *p;

    p = exs_props_get(bag, tag);

    return p ? p->v.str.data : NULL;
}


MT_UNUSED static int
mt_long(const exs_props_t *bag, uint32_t tag, int32_t def)
{
    exs_prop_t  *p;

    p = exs_props_get(bag, tag);

    return p ? p->v.l : def;
}


MT_UNUSED static int
mt_bool(const exs_props_t *bag, uint32_t tag)
{
    exs_prop_t  *p;

    p = exs_props_get(bag, tag);

    return p ? p->v.b : 0;
}


MT_UNUSED static const exs_bin_t *
mt_bin(const exs_props_t *bag, uint32_t tag)
{
    exs_prop_t  *p;

    p = exs_props_get(bag, tag);

    return p ? &p->v.bin : NULL;
}


/* equal once CR bytes and trailing line ends/blanks are ignored */

MT_UNUSED static int
mt_text_eq(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t  i, j;

    while (alen && (a[alen - 1] == '\n' || a[alen - 1] == '\r'
                    || a[alen - 1] == ' '))
    {
        alen--;
    }

    while (blen && (b[blen - 1] == '\n' || b[blen - 1] == '\r'
                    || b[blen - 1] == ' '))
    {
        blen--;
    }

    i = 0;
    j = 0;

    for ( ;; ) {
        while (i < alen && a[i] == '\r') {
            i++;
        }

        while (j < blen && b[j] == '\r') {
            j++;
        }

        if (i == alen || j == blen) {
            return i == alen && j == blen;
        }

        if (a[i] != b[j]) {
            return 0;
        }

        i++;
        j++;
    }
}


/* a named property's tag in a message converted with namemap nm */

MT_UNUSED static uint32_t
mt_named(exs_namemap_t *nm, const uint8_t *guid, const char *name,
    uint16_t type)
{
    uint16_t        id;
    exs_propname_t  pn;

    memset(&pn, 0, sizeof(pn));
    memcpy(pn.guid, guid, 16);
    pn.kind = MNID_STRING;
    pn.name = name;

    if (nm->get_id(nm, &pn, 0, &id) != EXS_OK) {
        return 0;
    }

    return PROP_TAG(type, id);
}


MT_UNUSED static exs_msg_t *
mt_import(const char *data, size_t len, exs_namemap_t *nm,
    exs_oxcmail_info_t *info, exs_arena_t *a)
{
    exs_msg_t           *msg;
    exs_oxcmail_opts_t   o;

    memset(&o, 0, sizeof(o));
    o.namemap = nm;

    if (exs_oxcmail_import(data, len, &o, &msg, info, a) != EXS_OK) {
        return NULL;
    }

    return msg;
}


MT_UNUSED static const char *
mt_export(const exs_msg_t *msg, exs_namemap_t *nm, unsigned flags,
    size_t *len, exs_arena_t *a)
{
    exs_bin_t            out;
    exs_oxcmail_opts_t   o;

    memset(&o, 0, sizeof(o));
    o.namemap = nm;
    o.flags = flags;

    if (exs_oxcmail_export(msg, &o, &out, a) != EXS_OK) {
        return NULL;
    }

    if (len) {
        *len = out.len;
    }

    return (const char *) out.data;
}


#endif /* _MAILTEST_H_INCLUDED_ */
