
/*
 * exch store: tables (MS-OXCTABL).  A contents table sorted by delivery
 * time or IMAP UID walks an index (idx.time, idx.uid) and learns its rows
 * as it is read, so its first page costs the same in a folder of 100 and
 * of 100,000 messages; its row count without a restriction is a counter
 * of the folder.  Any other view (another sort, a hierarchy table, a
 * search folder) is built whole when opened and sorted in memory.
 */


#ifndef _GNU_SOURCE
#define _GNU_SOURCE             /* memmem(), qsort_r(), explicit_bzero() */
#endif

#include <stdlib.h>
#include <string.h>

#include "exs_int.h"


#define EXS_RIGHT_READ_ANY      0x00000001
#define EXS_RIGHT_VISIBLE       0x00000400

#define EXS_SEARCH_RECURSIVE    0x00000004

#define EXS_TBL_TIME            1        /* idx.time */
#define EXS_TBL_UID             2        /* idx.uid */
#define EXS_TBL_BUILT           3        /* rows built at open */

#define EXS_TBL_LEAF_ROW        1


typedef struct {
    exs_id_t                  id;
    uint32_t                  inst;         /* MV instance, from 1 */
    uint32_t                  depth;
    uint32_t                  seq;          /* the order found */
    exs_prop_t               *keys;
} exs_trow_t;


struct exs_table_s {
    exs_mbox_t               *mb;
    exs_id_t                  fid;
    int                       kind;
    unsigned                  flags;
    int                       mode;
    int                       desc;
    uint8_t                   view;
    exs_sortorder_t           sort;
    const exs_restriction_t  *res;
    exs_rescount_t           *counts;
    exs_arena_t              *a;

    exs_trow_t               *rows;
    uint32_t                  n;
    uint32_t                  cap;
    unsigned                  done:1;       /* every row is known */
    unsigned                  started:1;
    exs_key_t                 last;         /* index walk: the last key */
    int                       inst_key;     /* sort key with MV instance */
};


typedef struct {
    exs_mbox_t               *mb;
    exs_id_t                  fid;
    exs_folder_hdr_t          h;
    exs_props_t               stored;
    exs_props_t               extra;
    exs_arena_t              *a;
} exs_folder_row_t;


static int exs_table_push(exs_table_t *t, exs_id_t id, uint32_t inst,
    uint32_t depth, exs_prop_t *keys);
static int exs_table_extend(exs_table_t *t, uint32_t upto);
static int exs_table_walk(exs_table_t *t, uint32_t upto);
static int exs_table_build(exs_table_t *t);
static int exs_table_build_contents(exs_table_t *t, exs_id_t fid,
    const exs_restriction_t *extra);
static int exs_table_build_hierarchy(exs_table_t *t, exs_id_t fid,
    uint32_t depth);
static int exs_table_add_row(exs_table_t *t, exs_id_t id, uint32_t depth,
    const exs_restriction_t *extra);
static int exs_table_sort_cmp(const void *a, const void *b, void *data);
static int exs_table_row_of(exs_table_t *t, exs_id_t id, exs_row_t *row,
    exs_arena_t *a);
static const exs_prop_t *exs_folder_row_get(exs_row_t *row, uint32_t tag);


static const exs_prop_t *
exs_folder_row_get(exs_row_t *row, uint32_t tag)
{
    exs_prop_t         v, *p;
    exs_folder_row_t  *r;

    r = row->data;

    p = exs_props_get(&r->extra, tag);
    if (p) {
        return p;
    }

    p = exs_props_get(&r->stored, tag);

    if (p && !(exs_tag_computed_folder(tag) && tag != PR_SOURCE_KEY
               && tag != PR_CHANGE_KEY && tag != PR_PREDECESSOR_CHANGE_LIST
               && tag != PR_LAST_MODIFICATION_TIME))
    {
        v = *p;
        if (exs_prop_resolve(r->mb->txn, &v, r->a) != EXS_OK) {
            return NULL;
        }

    } else if (exs_folder_computed(r->mb, r->fid, &r->h, &r->stored, tag, &v,
                                   r->a) != EXS_OK)
    {
        return NULL;
    }

    if (exs_props_set(r->a, &r->extra, &v) != EXS_OK) {
        return NULL;
    }

    return exs_props_get(&r->extra, tag);
}


int
exs_folder_row_init(exs_mbox_t *mb, exs_id_t fid, exs_row_t *row,
    exs_arena_t *a)
{
    int                rc;
    exs_folder_row_t  *r;

    r = exs_calloc(a, sizeof(exs_folder_row_t));
    if (r == NULL) {
        return EXS_NOMEM;
    }

    r->mb = mb;
    r->fid = fid;
    r->a = a;

    rc = exs_folder_load(mb, fid, &r->h, &r->stored, 0, a);
    if (rc != EXS_OK) {
        return rc;
    }

    row->get = exs_folder_row_get;
    row->subobjs = NULL;
    row->txn = mb->txn;
    row->data = r;

    return EXS_OK;
}


int
exs_table_open(exs_mbox_t *mb, exs_id_t fid, int kind, unsigned flags,
    const exs_sortorder_t *sort, const exs_restriction_t *res,
    exs_table_t **tp, exs_arena_t *a)
{
    int               rc;
    uint16_t          i;
    exs_table_t      *t;
    exs_folder_hdr_t  h;

    *tp = NULL;

    if (kind != EXS_TABLE_HIERARCHY && kind != EXS_TABLE_CONTENTS) {
        return EXS_INVALID;
    }

    rc = exs_folder_hdr(mb, fid, &h);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_mbox_check(mb, fid, kind == EXS_TABLE_CONTENTS
                                 ? EXS_RIGHT_READ_ANY : EXS_RIGHT_VISIBLE, 0);
    if (rc != EXS_OK && kind == EXS_TABLE_HIERARCHY) {
        rc = exs_mbox_check(mb, fid, EXS_RIGHT_READ_ANY, 0);
    }

    if (rc != EXS_OK) {
        return rc;
    }

    t = exs_calloc(a, sizeof(exs_table_t));
    if (t == NULL) {
        return EXS_NOMEM;
    }

    t->mb = mb;
    t->fid = fid;
    t->kind = kind;
    t->flags = flags;
    t->res = res;
    t->a = a;
    t->inst_key = -1;
    t->view = (uint8_t) (((flags & EXS_TABLE_SOFT_DELETED) ? 2 : 0)
                         | ((flags & EXS_TABLE_ASSOCIATED) ? 1 : 0));

    if (sort && sort->n) {
        t->sort.n = sort->n;
        t->sort.ncategories = sort->ncategories;
        t->sort.nexpanded = sort->nexpanded;
        t->sort.keys = exs_memdup(a, sort->keys, sort->n * sizeof(exs_sort_t));
        if (t->sort.keys == NULL) {
            return EXS_NOMEM;
        }

        for (i = 0; i < sort->n; i++) {
            if ((PROP_TYPE(sort->keys[i].tag) & PT_MV_INSTANCE)
                && t->inst_key < 0)
            {
                t->inst_key = i;
            }
        }
    }

    if (kind == EXS_TABLE_CONTENTS && h.type != EXS_FOLDER_SEARCH) {
        if (t->sort.n == 0) {
            t->mode = EXS_TBL_TIME;
            t->desc = 1;

        } else if (t->sort.n == 1
                   && PROP_ID(t->sort.keys[0].tag)
                      == PROP_ID(PR_MESSAGE_DELIVERY_TIME)
                   && PROP_TYPE(t->sort.keys[0].tag) == PT_SYSTIME)
        {
            t->mode = EXS_TBL_TIME;
            t->desc = t->sort.keys[0].order == TABLE_SORT_DESCEND;

        } else if (t->sort.n == 1 && t->view == EXS_VIEW_NORMAL
                   && PROP_ID(t->sort.keys[0].tag)
                      == PROP_ID(PR_INTERNET_ARTICLE_NUMBER)
                   && PROP_TYPE(t->sort.keys[0].tag) == PT_LONG)
        {
            t->mode = EXS_TBL_UID;
            t->desc = t->sort.keys[0].order == TABLE_SORT_DESCEND;
        }
    }

    if (t->mode == 0) {
        t->mode = EXS_TBL_BUILT;

        if (kind == EXS_TABLE_HIERARCHY && t->sort.n == 0) {
            /* children in display-name order, the tree depth first */
            rc = exs_table_build_hierarchy(t, fid, 1);

        } else {
            rc = exs_table_build(t);
        }

        if (rc != EXS_OK) {
            return rc;
        }

        t->done = 1;
        t->counts = NULL;
    }

    *tp = t;

    return EXS_OK;
}


static int
exs_table_push(exs_table_t *t, exs_id_t id, uint32_t inst, uint32_t depth,
    exs_prop_t *keys)
{
    uint32_t     cap;
    exs_trow_t  *rows;

    if (t->n == t->cap) {
        cap = t->cap ? t->cap * 2 : 64;

        rows = exs_alloc(t->a, cap * sizeof(exs_trow_t));
        if (rows == NULL) {
            return EXS_NOMEM;
        }

        if (t->n) {
            memcpy(rows, t->rows, t->n * sizeof(exs_trow_t));
        }

        t->rows = rows;
        t->cap = cap;
    }

    t->rows[t->n].id = id;
    t->rows[t->n].inst = inst;
    t->rows[t->n].depth = depth;
    t->rows[t->n].seq = t->n;
    t->rows[t->n].keys = keys;
    t->n++;

    return EXS_OK;
}


static int
exs_table_row_of(exs_table_t *t, exs_id_t id, exs_row_t *row, exs_arena_t *a)
{
    if (t->kind == EXS_TABLE_HIERARCHY) {
        return exs_folder_row_init(t->mb, id, row, a);
    }

    return exs_msg_row_init(t->mb, id, row, a);
}


/* index walks: learn rows up to position upto (exclusive) */

static int
exs_table_walk(exs_table_t *t, uint32_t upto)
{
    int           rc;
    exs_id_t      id;
    exs_key_t     prefix;
    exs_row_t     row;
    exs_scan_t    s;
    exs_arena_t  *tmp;

    exs_key_init(&prefix);
    exs_key_u32(&prefix, t->mb->id);
    exs_key_u64(&prefix, t->fid);

    if (t->mode == EXS_TBL_TIME) {
        exs_key_u8(&prefix, t->view);
    }

    rc = exs_scan_open(t->mb->txn, t->mode == EXS_TBL_TIME
                                   ? EXS_DB_IDX_TIME : EXS_DB_IDX_UID,
                       prefix.b, prefix.len, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    if (t->started) {
        rc = exs_scan_seek(&s, t->last.b, t->last.len);

        if (rc == EXS_OK && !t->desc && s.state == 2) {
            /* the last key comes first again unless it went away (a
             * write in this transaction): then what's there is new */
            if (s.k.mv_size == t->last.len
                && memcmp(s.k.mv_data, t->last.b, t->last.len) == 0)
            {
                s.state = 1;
            }
        }

        if (rc != EXS_OK) {
            exs_scan_close(&s);
            return rc;
        }
    }

    tmp = t->res ? exs_arena_create(8192) : NULL;

    while (rc >= 0 && t->n < upto) {
        rc = t->desc ? exs_scan_prev(&s) : exs_scan_next(&s);

        if (rc == 0) {
            t->done = 1;
            break;
        }

        if (rc < 0) {
            break;
        }

        if ((t->mode == EXS_TBL_TIME && s.k.mv_size != 29)
            || (t->mode == EXS_TBL_UID
                && (s.k.mv_size != 16 || s.v.mv_size != 8)))
        {
            rc = EXS_CORRUPT;
            break;
        }

        memcpy(t->last.b, s.k.mv_data, s.k.mv_size);
        t->last.len = s.k.mv_size;
        t->started = 1;

        id = t->mode == EXS_TBL_TIME
             ? exs_get_be64((uint8_t *) s.k.mv_data + 21)
             : exs_get_le64(s.v.mv_data);

        if (t->res) {
            exs_arena_reset(tmp);

            rc = exs_msg_row_init(t->mb, id, &row, tmp);
            if (rc == EXS_OK) {
                rc = exs_res_eval(t->res, &row, &t->counts, t->a);
            }

            if (rc < 0) {
                break;
            }

            if (rc == 0) {
                continue;
            }
        }

        rc = exs_table_push(t, id, 0, 0, NULL);
    }

    exs_scan_close(&s);
    exs_arena_destroy(tmp);

    return rc < 0 ? rc : EXS_OK;
}


static int
exs_table_extend(exs_table_t *t, uint32_t upto)
{
    if (t->done || t->n >= upto) {
        return EXS_OK;
    }

    return exs_table_walk(t, upto);
}


/* built views: every row with its sort keys, then sorted */

static int
exs_table_add_row(exs_table_t *t, exs_id_t id, uint32_t depth,
    const exs_restriction_t *extra)
{
    int                rc;
    uint16_t           i;
    uint32_t           j, nv;
    exs_row_t          row;
    exs_prop_t        *keys, *k;
    exs_arena_t       *tmp;
    const exs_prop_t  *p;

    tmp = exs_arena_create(8192);
    if (tmp == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_table_row_of(t, id, &row, tmp);
    if (rc != EXS_OK) {
        goto done;
    }

    if (extra) {
        rc = exs_res_eval(extra, &row, NULL, tmp);
        if (rc <= 0) {
            goto done;
        }
    }

    if (t->res) {
        rc = exs_res_eval(t->res, &row, &t->counts, t->a);
        if (rc <= 0) {
            goto done;
        }
    }

    keys = NULL;
    nv = 1;

    if (t->sort.n) {
        keys = exs_calloc(t->a, t->sort.n * sizeof(exs_prop_t));
        if (keys == NULL) {
            rc = EXS_NOMEM;
            goto done;
        }

        for (i = 0; i < t->sort.n; i++) {
            p = row.get(&row, t->sort.keys[i].tag
                              & ~(uint32_t) PT_MV_INSTANCE);

            if (p == NULL) {
                keys[i].tag = PT_NULL;      /* missing: sorts first */
                continue;
            }

            rc = exs_prop_copy(t->a, &keys[i], p);
            if (rc != EXS_OK) {
                goto done;
            }

            if ((int) i == t->inst_key && (PROP_TYPE(p->tag) & PT_MV)) {
                nv = p->v.mv.n;
                if (nv == 0) {
                    keys[i].tag = PT_NULL;
                }
            }
        }
    }

    if (t->inst_key < 0 || nv == 0 || keys == NULL
        || keys[t->inst_key].tag == PT_NULL
        || !(PROP_TYPE(keys[t->inst_key].tag) & PT_MV))
    {
        rc = exs_table_push(t, id, t->inst_key < 0 ? 0 : 1, depth, keys);
        goto done;
    }

    /* one row per value of the multi-valued instance key */

    for (j = 0; j < nv; j++) {
        k = exs_memdup(t->a, keys, t->sort.n * sizeof(exs_prop_t));
        if (k == NULL) {
            rc = EXS_NOMEM;
            goto done;
        }

        exs_mv_elem(&keys[t->inst_key], j, &k[t->inst_key]);

        rc = exs_table_push(t, id, j + 1, depth, k);
        if (rc != EXS_OK) {
            goto done;
        }
    }

done:

    exs_arena_destroy(tmp);

    return rc < 0 ? rc : EXS_OK;
}


static int
exs_table_build_contents(exs_table_t *t, exs_id_t fid,
    const exs_restriction_t *extra)
{
    int          rc;
    exs_key_t    prefix;
    exs_id_t    *ids;
    uint32_t     n, i;

    exs_key_init(&prefix);
    exs_key_u32(&prefix, t->mb->id);
    exs_key_u64(&prefix, fid);
    exs_key_u8(&prefix, extra ? EXS_VIEW_NORMAL : t->view);

    /* newest first, so ties in the sort keep that order */
    rc = exs_scan_ids(t->mb->txn, EXS_DB_IDX_TIME, prefix.b, prefix.len, 21,
                      1, &ids, &n);
    if (rc != EXS_OK) {
        return rc;
    }

    for (i = 0; rc == 0 && i < n; i++) {
        rc = exs_table_add_row(t, ids[i], 0, extra);
    }

    free(ids);

    return rc < 0 ? rc : EXS_OK;
}


static int
exs_table_build_hierarchy(exs_table_t *t, exs_id_t fid, uint32_t depth)
{
    int        rc;
    uint32_t   i, n;
    exs_id_t  *ids;

    if (depth > 1024) {
        return EXS_CORRUPT;
    }

    rc = exs_folder_list_children(t->mb, fid,
                                  (t->flags & EXS_TABLE_SOFT_DELETED) ? 1 : 0,
                                  &ids, &n, t->a);
    if (rc != EXS_OK) {
        return rc;
    }

    for (i = 0; i < n; i++) {
        rc = exs_table_add_row(t, ids[i], depth, NULL);
        if (rc != EXS_OK) {
            return rc;
        }

        if (t->flags & EXS_TABLE_DEEP) {
            rc = exs_table_build_hierarchy(t, ids[i], depth + 1);
            if (rc != EXS_OK) {
                return rc;
            }
        }
    }

    return EXS_OK;
}


static int
exs_table_sort_cmp(const void *pa, const void *pb, void *data)
{
    int                c;
    uint16_t           i;
    exs_table_t       *t;
    const exs_trow_t  *a, *b;

    t = data;
    a = pa;
    b = pb;

    for (i = 0; i < t->sort.n; i++) {
        if (a->keys[i].tag == PT_NULL || b->keys[i].tag == PT_NULL) {
            c = (a->keys[i].tag != PT_NULL) - (b->keys[i].tag != PT_NULL);

        } else if (PROP_TYPE(a->keys[i].tag) != PROP_TYPE(b->keys[i].tag)) {
            c = (PROP_TYPE(a->keys[i].tag) > PROP_TYPE(b->keys[i].tag))
                - (PROP_TYPE(a->keys[i].tag) < PROP_TYPE(b->keys[i].tag));

        } else {
            c = exs_prop_cmp(&a->keys[i], &b->keys[i], 1);
        }

        if (c) {
            return t->sort.keys[i].order == TABLE_SORT_DESCEND ? -c : c;
        }
    }

    /* ties: the order the rows were found in */
    return (a->seq > b->seq) - (a->seq < b->seq);
}


static int
exs_table_build(exs_table_t *t)
{
    int                 rc;
    uint32_t            i, n, j, flags;
    exs_id_t           *scope, sfid;
    exs_trow_t         *rows;
    exs_restriction_t  *criteria;
    exs_folder_hdr_t    h;

    if (t->kind == EXS_TABLE_HIERARCHY) {
        rc = exs_table_build_hierarchy(t, t->fid, 1);

    } else {
        rc = exs_folder_hdr(t->mb, t->fid, &h);
        if (rc != EXS_OK) {
            return rc;
        }

        if (h.type != EXS_FOLDER_SEARCH) {
            rc = exs_table_build_contents(t, t->fid, NULL);

        } else {
            /* a search folder: its criteria over its scope */
            rc = exs_folder_get_search(t->mb, t->fid, &criteria, &scope, &n,
                                       &flags, t->a);
            if (rc == EXS_NOTFOUND) {
                return EXS_OK;
            }

            if (rc != EXS_OK) {
                return rc;
            }

            for (i = 0; rc == EXS_OK && i < n; i++) {
                if (!(flags & EXS_SEARCH_RECURSIVE)) {
                    rc = exs_table_build_contents(t, scope[i], criteria
                                                  ? criteria
                                                  : &(exs_restriction_t)
                                                    { RES_AND, { { 0 } } });
                    continue;
                }

                /* the scope folder and every folder below it */
                {
                    exs_table_t  sub;

                    memset(&sub, 0, sizeof(exs_table_t));
                    sub.mb = t->mb;
                    sub.kind = EXS_TABLE_HIERARCHY;
                    sub.flags = EXS_TABLE_DEEP;
                    sub.a = t->a;

                    rc = exs_table_build_hierarchy(&sub, scope[i], 1);

                    for (j = 0; rc == EXS_OK && j <= sub.n; j++) {
                        sfid = j == 0 ? scope[i] : sub.rows[j - 1].id;
                        rc = exs_table_build_contents(t, sfid, criteria
                                 ? criteria
                                 : &(exs_restriction_t) { RES_AND,
                                                          { { 0 } } });
                    }
                }
            }
        }
    }

    if (rc != EXS_OK) {
        return rc;
    }

    if (t->sort.n && t->n > 1) {
        rows = t->rows;
        qsort_r(rows, t->n, sizeof(exs_trow_t), exs_table_sort_cmp, t);
    }

    return EXS_OK;
}


int
exs_table_count(exs_table_t *t, uint32_t *count)
{
    int               rc;
    exs_folder_hdr_t  h;

    if (!t->done && t->res == NULL && t->mode != EXS_TBL_BUILT) {
        rc = exs_folder_hdr(t->mb, t->fid, &h);
        if (rc != EXS_OK) {
            return rc;
        }

        *count = h.count[t->view];
        return EXS_OK;
    }

    rc = exs_table_extend(t, UINT32_MAX);
    if (rc != EXS_OK) {
        return rc;
    }

    *count = t->n;

    return EXS_OK;
}


int
exs_table_ids(exs_table_t *t, uint32_t pos, uint32_t n, exs_id_t *ids,
    uint32_t *got)
{
    int       rc;
    uint32_t  i, end;

    *got = 0;

    end = pos + n < pos ? UINT32_MAX : pos + n;

    rc = exs_table_extend(t, end);
    if (rc != EXS_OK) {
        return rc;
    }

    for (i = pos; i < end && i < t->n; i++) {
        ids[(*got)++] = t->rows[i].id;
    }

    return EXS_OK;
}


/* ids, nids: what exs_msg_tag_ids() made of tags, once for many rows */

static int
exs_table_row_props(exs_table_t *t, const exs_trow_t *r, const uint32_t *tags,
    uint32_t ntags, const uint16_t *ids, uint32_t nids, exs_props_t *out,
    exs_arena_t *a)
{
    int          rc;
    uint8_t     *ik;
    uint32_t     i, tag;
    exs_prop_t   p;

    out->n = 0;
    out->cap = 0;
    out->v = NULL;

    if (t->kind == EXS_TABLE_HIERARCHY) {
        rc = exs_folder_get(t->mb, r->id, tags, ntags, out, a);
    } else {
        rc = exs_message_get_ids(t->mb, r->id, tags, ntags, ids, nids, out,
                                 a);
    }

    if (rc != EXS_OK) {
        return rc;
    }

    for (i = 0; i < ntags; i++) {
        tag = tags[i];

        if (tag == PR_DEPTH && t->kind == EXS_TABLE_HIERARCHY) {
            rc = exs_props_set_long(a, out, PR_DEPTH, (int32_t) r->depth);

        } else if (tag == PR_INSTANCE_KEY) {
            ik = exs_alloc(a, 12);
            if (ik == NULL) {
                return EXS_NOMEM;
            }
            exs_le64(ik, r->id);
            exs_le32(ik + 8, r->inst);
            rc = exs_props_set_bin(a, out, PR_INSTANCE_KEY, ik, 12);

        } else if (tag == PR_INSTANCE_NUM) {
            rc = exs_props_set_long(a, out, PR_INSTANCE_NUM,
                                    (int32_t) r->inst);

        } else if (tag == PR_ROW_TYPE) {
            rc = exs_props_set_long(a, out, PR_ROW_TYPE, EXS_TBL_LEAF_ROW);

        } else if (t->inst_key >= 0 && r->inst && r->keys
                   && (tag & ~(uint32_t) PT_MV_INSTANCE)
                      == (t->sort.keys[t->inst_key].tag
                          & ~(uint32_t) PT_MV_INSTANCE)
                   && (PROP_TYPE(tag) & PT_MV_INSTANCE))
        {
            /* the instance's own value in the column */
            if (r->keys[t->inst_key].tag == PT_NULL) {
                continue;
            }
            rc = exs_prop_copy(a, &p, &r->keys[t->inst_key]);
            if (rc == EXS_OK) {
                p.tag = tag & ~(uint32_t) (PT_MV_INSTANCE | PT_MV);
                rc = exs_props_set(a, out, &p);
            }

        } else {
            continue;
        }

        if (rc != EXS_OK) {
            return rc;
        }
    }

    return EXS_OK;
}


int
exs_table_row(exs_table_t *t, exs_id_t id, const uint32_t *tags,
    uint32_t ntags, exs_props_t *out, exs_arena_t *a)
{
    int          rc;
    uint16_t     pids[EXS_MSG_IDS_MAX];
    uint32_t     i, nids;
    exs_trow_t   r;

    memset(&r, 0, sizeof(exs_trow_t));
    r.id = id;

    if (t->kind == EXS_TABLE_HIERARCHY || t->inst_key >= 0) {
        for (i = 0; i < t->n; i++) {
            if (t->rows[i].id == id) {
                r = t->rows[i];
                break;
            }
        }
    }

    nids = exs_msg_tag_ids(tags, ntags, pids, EXS_MSG_IDS_MAX);

    rc = exs_table_row_props(t, &r, tags, ntags, pids, nids, out, a);

    return rc;
}


int
exs_table_rows(exs_table_t *t, uint32_t pos, uint32_t n,
    const uint32_t *tags, uint32_t ntags, exs_props_t **rows,
    exs_id_t *ids, uint32_t *got, exs_arena_t *a)
{
    int           rc;
    uint16_t      pids[EXS_MSG_IDS_MAX];
    uint32_t      i, end, nids;
    exs_props_t  *r;

    *got = 0;
    *rows = NULL;

    end = pos + n < pos ? UINT32_MAX : pos + n;

    rc = exs_table_extend(t, end);
    if (rc != EXS_OK) {
        return rc;
    }

    if (pos >= t->n) {
        return EXS_OK;
    }

    if (end > t->n) {
        end = t->n;
    }

    r = exs_calloc(a, (end - pos) * sizeof(exs_props_t));
    if (r == NULL) {
        return EXS_NOMEM;
    }

    nids = exs_msg_tag_ids(tags, ntags, pids, EXS_MSG_IDS_MAX);

    for (i = pos; i < end; i++) {
        rc = exs_table_row_props(t, &t->rows[i], tags, ntags, pids, nids,
                                 &r[i - pos], a);
        if (rc != EXS_OK) {
            return rc;
        }

        if (ids) {
            ids[i - pos] = t->rows[i].id;
        }
    }

    *rows = r;
    *got = end - pos;

    return EXS_OK;
}


int
exs_table_position(exs_table_t *t, exs_id_t id, uint32_t *pos)
{
    int       rc;
    uint32_t  i, from;

    from = 0;

    for ( ;; ) {
        for (i = from; i < t->n; i++) {
            if (t->rows[i].id == id) {
                *pos = i;
                return EXS_OK;
            }
        }

        if (t->done) {
            return EXS_NOTFOUND;
        }

        from = t->n;

        rc = exs_table_extend(t, t->n + 256);
        if (rc != EXS_OK) {
            return rc;
        }
    }
}


int
exs_table_find(exs_table_t *t, const exs_restriction_t *res, uint32_t start,
    int backward, uint32_t *pos)
{
    int              rc;
    uint32_t         p;
    exs_row_t        row;
    exs_arena_t     *tmp;
    exs_rescount_t  *counts;

    tmp = exs_arena_create(8192);
    if (tmp == NULL) {
        return EXS_NOMEM;
    }

    counts = NULL;
    p = start;

    if (backward) {
        rc = exs_table_extend(t, start == UINT32_MAX ? start : start + 1);
        if (rc != EXS_OK) {
            goto done;
        }

        if (t->n == 0) {
            rc = EXS_NOTFOUND;
            goto done;
        }

        if (p >= t->n) {
            p = t->n - 1;
        }
    }

    for ( ;; ) {
        if (!backward) {
            rc = exs_table_extend(t, p + 1);
            if (rc != EXS_OK) {
                goto done;
            }

            if (p >= t->n) {
                rc = EXS_NOTFOUND;
                goto done;
            }
        }

        exs_arena_reset(tmp);

        rc = exs_table_row_of(t, t->rows[p].id, &row, tmp);
        if (rc == EXS_OK) {
            rc = res ? exs_res_eval(res, &row, &counts, tmp) : 1;
        }

        if (rc < 0) {
            goto done;
        }

        if (rc == 1) {
            *pos = p;
            rc = EXS_OK;
            goto done;
        }

        if (backward) {
            if (p == 0) {
                rc = EXS_NOTFOUND;
                goto done;
            }
            p--;

        } else {
            p++;
        }
    }

done:

    exs_arena_destroy(tmp);

    return rc;
}
