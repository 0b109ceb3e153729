
/*
 * exch store: restrictions (MS-OXCDATA 2.12) evaluated over a row: a
 * message or folder of the store (values loaded when asked for), or a
 * plain property bag (exs_restriction_match(), for EWS and NSPI).
 *
 * Semantics, as Exchange has them: a restriction on a property the row
 * lacks is false (except RES_EXIST and the NOT above it); a single value
 * against a multi-valued property matches when one of the values does;
 * string comparisons ignore case; RES_COUNT lets at most its count of rows
 * through, over one walk of a table.
 */


#ifndef _GNU_SOURCE
#define _GNU_SOURCE             /* memmem(), qsort_r(), explicit_bzero() */
#endif

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "exs_int.h"


struct exs_rescount_s {
    const exs_restriction_t  *node;
    uint32_t                  left;
    exs_rescount_t           *next;
};


static int exs_res_prop(const exs_restriction_t *r, exs_row_t *row);
static int exs_res_content(const exs_restriction_t *r, exs_row_t *row,
    exs_arena_t *a);
static int exs_res_compare(const exs_prop_t *p, const exs_prop_t *v,
    uint8_t relop, exs_txn_t *txn);
static int exs_res_relop(int c, uint8_t relop);
static int exs_res_value_cmp(const exs_prop_t *a, const exs_prop_t *b,
    int *c);
static int exs_res_regex(const exs_prop_t *p, const exs_prop_t *v);
static int exs_res_member(const exs_prop_t *p, const exs_prop_t *v,
    exs_txn_t *txn);
static int exs_res_int(const exs_prop_t *p, int64_t *v);
static size_t exs_res_loose(const char *s, size_t len, char *out,
    unsigned flags);
static int exs_res_match_text(const char *hay, size_t hlen,
    const char *needle, size_t nlen, uint32_t fuzzy);
static size_t exs_res_size(const exs_prop_t *p);
static uint32_t exs_res_tag(uint32_t tag);
static const exs_prop_t *exs_bag_row_get(exs_row_t *row, uint32_t tag);
static int exs_bag_row_subobjs(exs_row_t *row, uint32_t which,
    exs_props_t **bags, uint32_t *n);


/* the tag to look a property up by: multi-value instance bits off */
static uint32_t
exs_res_tag(uint32_t tag)
{
    return tag & ~(uint32_t) PT_MV_INSTANCE;
}


int
exs_res_eval(const exs_restriction_t *r, exs_row_t *row,
    exs_rescount_t **counts, exs_arena_t *a)
{
    int                rc;
    uint32_t           i, n;
    exs_row_t          sub;
    exs_props_t       *bags;
    exs_rescount_t    *c;
    const exs_prop_t  *p;

    switch (r->type) {

    case RES_AND:
        for (i = 0; i < r->u.andor.n; i++) {
            rc = exs_res_eval(&r->u.andor.sub[i], row, counts, a);
            if (rc != 1) {
                return rc;
            }
        }
        return 1;

    case RES_OR:
        for (i = 0; i < r->u.andor.n; i++) {
            rc = exs_res_eval(&r->u.andor.sub[i], row, counts, a);
            if (rc != 0) {
                return rc;
            }
        }
        return 0;

    case RES_NOT:
        if (r->u.not.sub == NULL) {
            return EXS_INVALID;
        }
        rc = exs_res_eval(r->u.not.sub, row, counts, a);
        return rc < 0 ? rc : !rc;

    case RES_CONTENT:
        return exs_res_content(r, row, a);

    case RES_PROPERTY:
        return exs_res_prop(r, row);

    case RES_COMPAREPROPS:
        p = row->get(row, exs_res_tag(r->u.cmp.tag1));
        if (p == NULL) {
            return 0;
        }
        {
            const exs_prop_t  *q;

            q = row->get(row, exs_res_tag(r->u.cmp.tag2));
            if (q == NULL) {
                return 0;
            }
            return exs_res_compare(p, q, r->u.cmp.relop, row->txn);
        }

    case RES_BITMASK:
        {
            int64_t  v;

            p = row->get(row, PROP_CHANGE_TYPE(r->u.bitmask.tag,
                                               PT_UNSPECIFIED));
            if (p == NULL || !exs_res_int(p, &v)) {
                return 0;
            }

            if (r->u.bitmask.op == BMR_EQZ) {
                return ((uint64_t) v & r->u.bitmask.mask) == 0;
            }

            if (r->u.bitmask.op == BMR_NEZ) {
                return ((uint64_t) v & r->u.bitmask.mask) != 0;
            }

            return EXS_INVALID;
        }

    case RES_SIZE:
        p = row->get(row, PROP_CHANGE_TYPE(r->u.size.tag, PT_UNSPECIFIED));
        if (p == NULL) {
            return 0;
        }
        {
            size_t  size;

            size = exs_res_size(p);
            return exs_res_relop(size < r->u.size.size ? -1
                                 : size > r->u.size.size ? 1 : 0,
                                 r->u.size.relop);
        }

    case RES_EXIST:
        return row->get(row, PROP_CHANGE_TYPE(r->u.exist.tag,
                                              PT_UNSPECIFIED)) != NULL;

    case RES_SUBRESTRICTION:
        if (r->u.sub.sub == NULL || row->subobjs == NULL) {
            return r->u.sub.sub ? 0 : EXS_INVALID;
        }

        rc = row->subobjs(row, r->u.sub.subobject, &bags, &n);
        if (rc != EXS_OK) {
            return rc;
        }

        for (i = 0; i < n; i++) {
            sub.get = exs_bag_row_get;
            sub.subobjs = exs_bag_row_subobjs;
            sub.txn = row->txn;
            sub.data = &bags[i];

            rc = exs_res_eval(r->u.sub.sub, &sub, counts, a);
            if (rc != 0) {
                return rc;
            }
        }

        return 0;

    case RES_COMMENT:
        return r->u.comment.sub
               ? exs_res_eval(r->u.comment.sub, row, counts, a) : 1;

    case RES_COUNT:
        if (r->u.count.sub == NULL) {
            return EXS_INVALID;
        }

        for (c = counts ? *counts : NULL; c; c = c->next) {
            if (c->node == r) {
                break;
            }
        }

        if (c == NULL) {
            c = exs_alloc(a, sizeof(exs_rescount_t));
            if (c == NULL) {
                return EXS_NOMEM;
            }

            c->node = r;
            c->left = r->u.count.count;
            c->next = NULL;

            if (counts) {
                c->next = *counts;
                *counts = c;
            }
        }

        if (c->left == 0) {
            return 0;
        }

        rc = exs_res_eval(r->u.count.sub, row, counts, a);
        if (rc == 1) {
            c->left--;
        }

        return rc;

    default:
        return EXS_INVALID;
    }
}


static int
exs_res_int(const exs_prop_t *p, int64_t *v)
{
    switch (PROP_TYPE(p->tag)) {
    case PT_SHORT:
        *v = p->v.i;
        return 1;
    case PT_LONG:
    case PT_ERROR:
        *v = (uint32_t) p->v.l;
        return 1;
    case PT_BOOLEAN:
        *v = p->v.b;
        return 1;
    case PT_I8:
    case PT_CURRENCY:
    case PT_SYSTIME:
        *v = p->v.ll;
        return 1;
    default:
        return 0;
    }
}


static size_t
exs_res_size(const exs_prop_t *p)
{
    size_t       n, i;
    uint16_t     type;
    const char  *s;

    type = PROP_TYPE(p->tag);

    /* strings count as UTF-16 with the terminator, as MAPI sees them */
    if (type == PT_UNICODE) {
        n = 0;
        s = p->v.str.data;
        for (i = 0; i < p->v.str.len; i++) {
            if (((uint8_t) s[i] & 0xC0) != 0x80) {
                n += ((uint8_t) s[i] >= 0xF0) ? 2 : 1;
            }
        }
        return 2 * (n + 1);
    }

    return exs_prop_size(p);
}


static int
exs_res_relop(int c, uint8_t relop)
{
    switch (relop) {
    case RELOP_LT:
        return c < 0;
    case RELOP_LE:
        return c <= 0;
    case RELOP_GT:
        return c > 0;
    case RELOP_GE:
        return c >= 0;
    case RELOP_EQ:
        return c == 0;
    case RELOP_NE:
        return c != 0;
    default:
        return EXS_INVALID;
    }
}


int
exs_mv_elem(const exs_prop_t *mv, uint32_t i, exs_prop_t *e)
{
    uint16_t  type;

    type = PROP_TYPE(mv->tag) & ~PT_MV;
    e->tag = PROP_CHANGE_TYPE(mv->tag, type);

    switch (type) {
    case PT_SHORT:
        e->v.i = mv->v.mv.v.i[i];
        break;
    case PT_LONG:
        e->v.l = mv->v.mv.v.l[i];
        break;
    case PT_FLOAT:
        e->v.f = mv->v.mv.v.f[i];
        break;
    case PT_DOUBLE:
    case PT_APPTIME:
        e->v.d = mv->v.mv.v.d[i];
        break;
    case PT_I8:
    case PT_CURRENCY:
    case PT_SYSTIME:
        e->v.ll = mv->v.mv.v.ll[i];
        break;
    case PT_STRING8:
    case PT_UNICODE:
        e->v.str = mv->v.mv.v.str[i];
        break;
    case PT_BINARY:
    case PT_CLSID:
        e->v.bin = mv->v.mv.v.bin[i];
        break;
    default:
        return 0;
    }

    return 1;
}


/* compares two values of compatible types: 0 and *c set, or -1 when the
 * types don't compare */

static int
exs_res_value_cmp(const exs_prop_t *a, const exs_prop_t *b, int *c)
{
    int64_t   x, y;
    uint16_t  ta, tb;

    ta = PROP_TYPE(a->tag);
    tb = PROP_TYPE(b->tag);

    if ((ta & ~PT_MV) == PT_STRING8) {
        ta = (ta & PT_MV) | PT_UNICODE;
    }

    if ((tb & ~PT_MV) == PT_STRING8) {
        tb = (tb & PT_MV) | PT_UNICODE;
    }

    if (ta == tb) {
        *c = exs_prop_cmp(a, b, 1);
        return 0;
    }

    if (exs_res_int(a, &x) && exs_res_int(b, &y)) {
        *c = (x > y) - (x < y);
        return 0;
    }

    if ((ta == PT_DOUBLE || ta == PT_FLOAT || ta == PT_APPTIME)
        && (tb == PT_DOUBLE || tb == PT_FLOAT || tb == PT_APPTIME))
    {
        double  dx, dy;

        dx = ta == PT_FLOAT ? a->v.f : a->v.d;
        dy = tb == PT_FLOAT ? b->v.f : b->v.d;
        *c = (dx > dy) - (dx < dy);
        return 0;
    }

    return -1;
}


static int
exs_res_compare(const exs_prop_t *p, const exs_prop_t *v, uint8_t relop,
    exs_txn_t *txn)
{
    int         c, rc;
    uint32_t    i;
    exs_prop_t  e;

    if (relop == RELOP_RE) {
        return exs_res_regex(p, v);
    }

    if (relop == RELOP_MEMBER_OF_DL) {
        return exs_res_member(p, v, txn);
    }

    if ((PROP_TYPE(p->tag) & PT_MV) && !(PROP_TYPE(v->tag) & PT_MV)) {
        for (i = 0; i < p->v.mv.n; i++) {
            if (!exs_mv_elem(p, i, &e)) {
                return 0;
            }

            if (exs_res_value_cmp(&e, v, &c) == 0) {
                rc = exs_res_relop(c, relop);
                if (rc != 0) {
                    return rc;
                }
            }
        }

        return 0;
    }

    if (exs_res_value_cmp(p, v, &c) != 0) {
        return 0;
    }

    return exs_res_relop(c, relop);
}


static int
exs_res_prop(const exs_restriction_t *r, exs_row_t *row)
{
    const exs_prop_t  *p;

    p = row->get(row, exs_res_tag(r->u.prop.tag));
    if (p == NULL) {
        return 0;
    }

    return exs_res_compare(p, &r->u.prop.val, r->u.prop.relop, row->txn);
}


static int
exs_res_regex(const exs_prop_t *p, const exs_prop_t *v)
{
    int         rc;
    uint16_t    type;
    regex_t     re;

    type = PROP_TYPE(v->tag);

    if (type != PT_UNICODE && type != PT_STRING8) {
        return 0;
    }

    type = PROP_TYPE(p->tag);

    if (type != PT_UNICODE && type != PT_STRING8) {
        return 0;
    }

    if (regcomp(&re, v->v.str.data, REG_EXTENDED | REG_NOSUB | REG_ICASE)
        != 0)
    {
        return EXS_INVALID;
    }

    rc = regexec(&re, p->v.str.data, 0, NULL, 0) == 0;

    regfree(&re);

    return rc;
}


/* RELOP_MEMBER_OF_DL: the row's address book entry id names a member of
 * the distribution list v names */

static int
exs_res_member(const exs_prop_t *p, const exs_prop_t *v, exs_txn_t *txn)
{
    int            rc, found;
    uint32_t       i, n, *ids;
    const char    *udn, *gdn;
    exs_arena_t   *a;
    exs_dirent_t   user, group;

    if (txn == NULL || PROP_TYPE(p->tag) != PT_BINARY
        || PROP_TYPE(v->tag) != PT_BINARY)
    {
        return 0;
    }

    udn = exs_ab_entryid_dn(p->v.bin.data, p->v.bin.len);
    gdn = exs_ab_entryid_dn(v->v.bin.data, v->v.bin.len);

    if (udn == NULL || gdn == NULL) {
        return 0;
    }

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    found = 0;

    rc = exs_dir_by_dn(txn, udn, &user, a);

    if (rc == EXS_OK) {
        rc = exs_dir_by_dn(txn, gdn, &group, a);
    }

    if (rc == EXS_OK && group.type == EXS_DIR_GROUP) {
        rc = exs_dir_members(txn, group.id, &ids, &n, a);

        for (i = 0; rc == EXS_OK && i < n; i++) {
            if (ids[i] == user.id) {
                found = 1;
            }
        }
    }

    exs_arena_destroy(a);

    return rc == EXS_OK || rc == EXS_NOTFOUND ? found : rc;
}


/*
 * FL_IGNORENONSPACE and FL_LOOSE: combining marks go and the accented
 * Latin letters of U+00C0..U+017F become their base letters.
 */

static const char  exs_latin_base[] =
    /* U+00C0 */ "AAAAAAACEEEEIIIIDNOOOOO*OUUUUYTs"
    /* U+00E0 */ "aaaaaaaceeeeiiiidnooooo/ouuuuyty"
    /* U+0100 */ "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGg"
    /* U+0120 */ "GgGgHhHhIiIiIiIiIiJjJjKkkLlLlLlL"
    /* U+0140 */ "lLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSs"
    /* U+0160 */ "SsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";


static size_t
exs_res_loose(const char *s, size_t len, char *out, unsigned flags)
{
    size_t    i, n;
    uint8_t   c;
    uint32_t  cp;

    n = 0;

    for (i = 0; i < len; i++) {
        c = (uint8_t) s[i];

        if ((flags & (FL_IGNORENONSPACE | FL_LOOSE)) && (c & 0xE0) == 0xC0
            && i + 1 < len && ((uint8_t) s[i + 1] & 0xC0) == 0x80)
        {
            cp = ((uint32_t) (c & 0x1F) << 6) | ((uint8_t) s[i + 1] & 0x3F);

            if (cp >= 0x0300 && cp <= 0x036F) {
                i++;
                continue;
            }

            if (cp >= 0x00C0 && cp <= 0x017F) {
                out[n++] = exs_latin_base[cp - 0xC0];
                i++;
                goto fold;
            }
        }

        out[n++] = (char) c;

    fold:

        if (flags & (FL_IGNORECASE | FL_LOOSE)) {
            c = (uint8_t) out[n - 1];
            if (c >= 'A' && c <= 'Z') {
                out[n - 1] = (char) (c + 32);
            }
        }
    }

    return n;
}


static int
exs_res_match_text(const char *hay, size_t hlen, const char *needle,
    size_t nlen, uint32_t fuzzy)
{
    switch (fuzzy & 0xFFFF) {

    case FL_FULLSTRING:
        return hlen == nlen && memcmp(hay, needle, nlen) == 0;

    case FL_PREFIX:
        return hlen >= nlen && memcmp(hay, needle, nlen) == 0;

    case FL_SUBSTRING:
        return nlen == 0 || memmem(hay, hlen, needle, nlen) != NULL;

    default:
        return EXS_INVALID;
    }
}


static int
exs_res_content(const exs_restriction_t *r, exs_row_t *row, exs_arena_t *a)
{
    int                rc;
    char              *h, *n;
    size_t             hl, nl;
    uint16_t           type, vtype;
    uint32_t           i, count;
    exs_prop_t         e;
    const exs_prop_t  *p, *v;

    p = row->get(row, exs_res_tag(r->u.content.tag));
    if (p == NULL) {
        return 0;
    }

    v = &r->u.content.val;
    type = PROP_TYPE(p->tag) & ~PT_MV;
    vtype = PROP_TYPE(v->tag) & ~PT_MV;

    if (type == PT_STRING8) {
        type = PT_UNICODE;
    }

    if (vtype == PT_STRING8) {
        vtype = PT_UNICODE;
    }

    if (type != vtype || (type != PT_UNICODE && type != PT_BINARY)) {
        return 0;
    }

    count = (PROP_TYPE(p->tag) & PT_MV) ? p->v.mv.n : 1;

    if (type == PT_BINARY) {
        for (i = 0; i < count; i++) {
            if (PROP_TYPE(p->tag) & PT_MV) {
                exs_mv_elem(p, i, &e);
            } else {
                e = *p;
            }

            rc = exs_res_match_text((const char *) e.v.bin.data,
                                    e.v.bin.len,
                                    (const char *) v->v.bin.data,
                                    v->v.bin.len, r->u.content.fuzzy);
            if (rc != 0) {
                return rc;
            }
        }

        return 0;
    }

    n = exs_alloc(a, v->v.str.len + 1);
    if (n == NULL) {
        return EXS_NOMEM;
    }

    nl = exs_res_loose(v->v.str.data, v->v.str.len, n, r->u.content.fuzzy);

    for (i = 0; i < count; i++) {
        if (PROP_TYPE(p->tag) & PT_MV) {
            exs_mv_elem(p, i, &e);
        } else {
            e = *p;
        }

        h = exs_alloc(a, e.v.str.len + 1);
        if (h == NULL) {
            return EXS_NOMEM;
        }

        hl = exs_res_loose(e.v.str.data, e.v.str.len, h, r->u.content.fuzzy);

        rc = exs_res_match_text(h, hl, n, nl, r->u.content.fuzzy);
        if (rc != 0) {
            return rc;
        }
    }

    return 0;
}


/* a plain bag as a row */

static const exs_prop_t *
exs_bag_row_get(exs_row_t *row, uint32_t tag)
{
    return exs_props_get(row->data, tag);
}


static int
exs_bag_row_subobjs(exs_row_t *row, uint32_t which, exs_props_t **bags,
    uint32_t *n)
{
    *bags = NULL;
    *n = 0;

    return EXS_OK;
}


int
exs_restriction_match(const exs_restriction_t *res, const exs_props_t *props)
{
    int              rc;
    exs_row_t        row;
    exs_arena_t     *a;
    exs_rescount_t  *counts;

    if (res == NULL) {
        return 1;
    }

    a = exs_arena_create(1024);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    row.get = exs_bag_row_get;
    row.subobjs = exs_bag_row_subobjs;
    row.txn = NULL;
    row.data = (void *) props;
    counts = NULL;

    rc = exs_res_eval(res, &row, &counts, a);

    exs_arena_destroy(a);

    return rc;
}
