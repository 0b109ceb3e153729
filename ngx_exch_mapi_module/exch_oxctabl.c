
/*
 * exch: table ROPs, MS-OXCTABL 3.2.5.  A table object keeps its columns,
 * sort order, restriction, cursor, bookmarks and category expansion
 * state in the session; each ROP looks at the table through a view made
 * for it: the store's table for hierarchy and contents tables, rows in
 * memory for attachment, permission and rule tables, and for a
 * categorized contents table the visible rows (category headers and the
 * leaves of expanded categories) computed from the store's sorted rows.
 */


#include <stdlib.h>
#include <string.h>

#include "exch_emsmdb.h"


/* TableFlags of GetHierarchyTable / GetContentsTable, MS-OXCFOLD 2.2.1.13 */
#define EXCH_TBL_ASSOCIATED         0x02
#define EXCH_TBL_DEPTH              0x04
#define EXCH_TBL_SOFT_DELETES       0x20
#define EXCH_TBL_USE_UNICODE        0x40

/* QueryRowsFlags */
#define EXCH_QR_NO_ADVANCE          0x01

/* predefined bookmarks, 2.2.2.1.1 */
#define EXCH_BOOKMARK_BEGINNING     0x00
#define EXCH_BOOKMARK_CURRENT       0x01
#define EXCH_BOOKMARK_END           0x02
#define EXCH_BOOKMARK_CUSTOM        0x03

/* FindRow flags */
#define EXCH_FIND_BACKWARD          0x01

/* PidTagRowType */
#define EXCH_TBL_LEAF_ROW           1
#define EXCH_TBL_EXPANDED_CATEGORY  3
#define EXCH_TBL_COLLAPSED_CATEGORY 4

#define EXCH_EC_NOT_EXPANDED        0x000004F7
#define EXCH_EC_NOT_COLLAPSED       0x000004F8
#define EXCH_EC_UNABLE_TO_ABORT2    0x80040114

/* rows read at once for one QueryRows: more never fit into 32 KB */
#define EXCH_TBL_MAX_ROWS           4096


typedef struct {
    uint8_t                   header;      /* a category header row */
    uint8_t                   level;
    uint8_t                   expanded;
    uint32_t                  spos;        /* leaf: store table position */
    uint64_t                  id;          /* leaf: object; header: the
                                              category id */
    uint32_t                  count;       /* header: leaves below */
    uint32_t                  unread;
    uint32_t                  visible;     /* header: rows it shows */
    exs_prop_t               *keys;        /* header: category values */
} exch_tvrow_t;


typedef struct {
    exch_ems_obj_t           *t;
    exs_mbox_t               *mb;
    exs_table_t              *st;
    exs_restriction_t        *res;
    exs_sortorder_t           sort;        /* as the store takes it */
    unsigned                  mem:1;
    unsigned                  cat:1;
    exch_ems_row_t           *rows;        /* memory rows */
    exch_tvrow_t             *vis;         /* categorized: visible rows */
    uint32_t                  n;
} exch_tview_t;


static uint32_t exch_oxctabl_view(exch_ems_t *e, exch_ems_obj_t *obj,
    exch_tview_t *v);
static int exch_oxctabl_open(exch_ems_t *e, exch_ems_obj_t *t,
    exch_tview_t *v);
static int exch_oxctabl_memory(exch_ems_t *e, exch_tview_t *v);
static int exch_oxctabl_row_cmp(const void *a, const void *b, void *data);
static int exch_oxctabl_categorize(exch_ems_t *e, exch_tview_t *v);
static uint64_t exch_oxctabl_catid(const exs_prop_t *keys, uint32_t n);
static int exch_oxctabl_toggled(exch_ems_table_t *t, uint64_t id);
static int exch_oxctabl_toggle(exch_ems_t *e, exch_ems_table_t *t,
    uint64_t id);
static int exch_oxctabl_rows(exch_ems_t *e, exch_tview_t *v, uint32_t pos,
    uint32_t n, const exch_tags_t *cols, exs_props_t **rows,
    uint64_t **ids);
static int exch_oxctabl_header_props(exch_ems_t *e, exch_tview_t *v,
    const exch_tvrow_t *h, exs_props_t *out);
static int exch_oxctabl_find(exch_ems_t *e, exch_tview_t *v,
    const exs_restriction_t *res, uint32_t start, int backward,
    uint32_t *pos);
static int exch_oxctabl_position(exch_ems_t *e, exch_tview_t *v,
    uint64_t id, uint32_t *pos);
static int exch_oxctabl_store_cols(exch_ems_t *e, const exch_tags_t *in,
    exch_tags_t *out);
static exch_ems_bookmark_t *exch_oxctabl_bookmark(exch_ems_table_t *t,
    const exs_bin_t *b);
static void exch_oxctabl_reset_view(exch_ems_t *e, exch_ems_table_t *t);
static int exch_oxctabl_new(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *parent, uint8_t kind, exs_id_t fid);

static int exch_oxctabl_get_hierarchy_table(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxctabl_get_contents_table(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxctabl_get_attachment_table(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxctabl_set_columns(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxctabl_sort_table(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxctabl_restrict(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxctabl_query_rows(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxctabl_abort(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxctabl_get_status(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxctabl_query_position(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxctabl_seek_row(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxctabl_seek_row_bookmark(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxctabl_seek_row_fractional(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxctabl_create_bookmark(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxctabl_free_bookmark(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxctabl_query_columns_all(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxctabl_find_row(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxctabl_reset_table(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxctabl_expand_row(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxctabl_collapse_row(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxctabl_get_collapse_state(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxctabl_set_collapse_state(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);


exch_ems_rop_pt
exch_oxctabl_handler(uint8_t rop_id)
{
    switch (rop_id) {
    case EXCH_ROP_GET_HIERARCHY_TABLE:
        return exch_oxctabl_get_hierarchy_table;
    case EXCH_ROP_GET_CONTENTS_TABLE:
        return exch_oxctabl_get_contents_table;
    case EXCH_ROP_GET_ATTACHMENT_TABLE:
        return exch_oxctabl_get_attachment_table;
    case EXCH_ROP_SET_COLUMNS:
        return exch_oxctabl_set_columns;
    case EXCH_ROP_SORT_TABLE:
        return exch_oxctabl_sort_table;
    case EXCH_ROP_RESTRICT:
        return exch_oxctabl_restrict;
    case EXCH_ROP_QUERY_ROWS:
        return exch_oxctabl_query_rows;
    case EXCH_ROP_ABORT:
        return exch_oxctabl_abort;
    case EXCH_ROP_GET_STATUS:
        return exch_oxctabl_get_status;
    case EXCH_ROP_QUERY_POSITION:
        return exch_oxctabl_query_position;
    case EXCH_ROP_SEEK_ROW:
        return exch_oxctabl_seek_row;
    case EXCH_ROP_SEEK_ROW_BOOKMARK:
        return exch_oxctabl_seek_row_bookmark;
    case EXCH_ROP_SEEK_ROW_FRACTIONAL:
        return exch_oxctabl_seek_row_fractional;
    case EXCH_ROP_CREATE_BOOKMARK:
        return exch_oxctabl_create_bookmark;
    case EXCH_ROP_FREE_BOOKMARK:
        return exch_oxctabl_free_bookmark;
    case EXCH_ROP_QUERY_COLUMNS_ALL:
        return exch_oxctabl_query_columns_all;
    case EXCH_ROP_FIND_ROW:
        return exch_oxctabl_find_row;
    case EXCH_ROP_RESET_TABLE:
        return exch_oxctabl_reset_table;
    case EXCH_ROP_EXPAND_ROW:
        return exch_oxctabl_expand_row;
    case EXCH_ROP_COLLAPSE_ROW:
        return exch_oxctabl_collapse_row;
    case EXCH_ROP_GET_COLLAPSE_STATE:
        return exch_oxctabl_get_collapse_state;
    case EXCH_ROP_SET_COLLAPSE_STATE:
        return exch_oxctabl_set_collapse_state;
    default:
        return NULL;
    }
}


/* views */

/* the view of a table ROP's object: EXCH_EC_SUCCESS, or the ROP's error */
static uint32_t
exch_oxctabl_view(exch_ems_t *e, exch_ems_obj_t *obj, exch_tview_t *v)
{
    if (obj->type != EXCH_EMS_TABLE) {
        return EXCH_EC_NOT_SUPPORTED;
    }

    return exch_ems_ec(exch_oxctabl_open(e, obj, v));
}


static int
exch_oxctabl_open(exch_ems_t *e, exch_ems_obj_t *t, exch_tview_t *v)
{
    int                 rc;
    uint16_t            i;
    unsigned            flags;
    exch_rd_t           r;
    exch_ems_table_t   *tb;

    memset(v, 0, sizeof(exch_tview_t));
    v->t = t;
    tb = &t->u.table;

    if (tb->res.len) {
        v->res = exs_calloc(e->a, sizeof(exs_restriction_t));
        if (v->res == NULL) {
            return EXS_NOMEM;
        }

        exch_rd_init(&r, tb->res.data, tb->res.len, e->a, 0);

        if (exch_read_restriction(&r, v->res) != EXCH_OK) {
            return EXS_CORRUPT;
        }
    }

    /* the store sorts by the keys; the category aggregates are ours */
    v->sort = tb->sort;

    if (tb->sort.n) {
        v->sort.keys = exs_alloc(e->a, tb->sort.n * sizeof(exs_sort_t));
        if (v->sort.keys == NULL) {
            return EXS_NOMEM;
        }

        for (i = 0; i < tb->sort.n; i++) {
            v->sort.keys[i].tag = tb->sort.keys[i].tag;
            v->sort.keys[i].order = tb->sort.keys[i].order
                                    & TABLE_SORT_DESCEND;
        }
    }

    switch (tb->kind) {

    case EXCH_EMS_TBL_HIERARCHY:
    case EXCH_EMS_TBL_CONTENTS:
        rc = exch_ems_mbox(e, t, &v->mb);
        if (rc != EXS_OK) {
            return rc;
        }

        flags = 0;

        if (tb->kind == EXCH_EMS_TBL_HIERARCHY) {
            if (tb->flags & EXCH_TBL_DEPTH) {
                flags |= EXS_TABLE_DEEP;
            }

        } else if (tb->flags & EXCH_TBL_ASSOCIATED) {
            flags |= EXS_TABLE_ASSOCIATED;
        }

        if (tb->flags & EXCH_TBL_SOFT_DELETES) {
            flags |= EXS_TABLE_SOFT_DELETED;
        }

        rc = exs_table_open(v->mb, tb->fid,
                            tb->kind == EXCH_EMS_TBL_HIERARCHY
                            ? EXS_TABLE_HIERARCHY : EXS_TABLE_CONTENTS,
                            flags, v->sort.n ? &v->sort : NULL, v->res,
                            &v->st, e->a);
        if (rc != EXS_OK) {
            return rc;
        }

        if (tb->kind == EXCH_EMS_TBL_CONTENTS && tb->sort.ncategories) {
            v->cat = 1;
            return exch_oxctabl_categorize(e, v);
        }

        return exs_table_count(v->st, &v->n);

    default:
        v->mem = 1;
        return exch_oxctabl_memory(e, v);
    }
}


/* attachment, permission and rule tables: every row in memory */

static int
exch_oxctabl_row_cmp(const void *pa, const void *pb, void *data)
{
    int                    c;
    uint16_t               i;
    exs_prop_t            *x, *y;
    exch_tview_t          *v;
    const exch_ems_row_t  *a, *b;

    v = data;
    a = pa;
    b = pb;

    for (i = 0; i < v->sort.n; i++) {
        x = exs_props_get(&a->props, v->sort.keys[i].tag);
        y = exs_props_get(&b->props, v->sort.keys[i].tag);

        if (x == NULL || y == NULL) {
            c = (x != NULL) - (y != NULL);

        } else if (PROP_TYPE(x->tag) != PROP_TYPE(y->tag)) {
            c = 0;

        } else {
            c = exs_prop_cmp(x, y, 1);
        }

        if (c) {
            return (v->sort.keys[i].order & TABLE_SORT_DESCEND) ? -c : c;
        }
    }

    return (a->id > b->id) - (a->id < b->id);
}


static int
exch_oxctabl_memory(exch_ems_t *e, exch_tview_t *v)
{
    int              rc;
    uint8_t         *key;
    uint32_t         i, j, n;
    exch_ems_row_t  *rows;

    switch (v->t->u.table.kind) {
    case EXCH_EMS_TBL_ATTACH:
        rc = exch_ems_attach_rows(e, v->t, &rows, &n);
        break;
    case EXCH_EMS_TBL_PERMISSIONS:
        rc = exch_ems_perm_rows(e, v->t, &rows, &n);
        break;
    case EXCH_EMS_TBL_RULES:
        rc = exch_ems_rule_rows(e, v->t, &rows, &n);
        break;
    default:
        return EXS_CORRUPT;
    }

    if (rc != EXS_OK) {
        return rc;
    }

    for (i = 0, j = 0; i < n; i++) {
        if (v->res) {
            rc = exs_restriction_match(v->res, &rows[i].props);
            if (rc < 0) {
                return rc;
            }

            if (rc == 0) {
                continue;
            }
        }

        key = exs_alloc(e->a, 8);
        if (key == NULL) {
            return EXS_NOMEM;
        }

        exch_put64(key, rows[i].id);

        rc = exs_props_set_bin(e->a, &rows[i].props, PR_INSTANCE_KEY, key, 8);
        if (rc == EXS_OK) {
            rc = exs_props_set_long(e->a, &rows[i].props, PR_ROW_TYPE,
                                    EXCH_TBL_LEAF_ROW);
        }

        if (rc != EXS_OK) {
            return rc;
        }

        rows[j++] = rows[i];
    }

    if (v->sort.n && j > 1) {
        qsort_r(rows, j, sizeof(exch_ems_row_t), exch_oxctabl_row_cmp, v);
    }

    v->rows = rows;
    v->n = j;

    return EXS_OK;
}


/*
 * A categorized contents table (MS-OXCTABL 3.2.5.3): the store gives the
 * leaves sorted by the category keys first; a header row starts each run
 * of equal keys at each level.  A header's id is a hash of its level and
 * keys, so that it stays the same from one request to the next; the
 * table keeps the ids whose expansion differs from the default (the
 * first nexpanded levels expanded).
 */

static uint64_t
exch_oxctabl_catid(const exs_prop_t *keys, uint32_t n)
{
    uint32_t        i;
    size_t          k, len;
    uint64_t        h;
    const uint8_t  *p;

    h = 0xCBF29CE484222325ULL ^ n;

    for (i = 0; i < n; i++) {
        h = (h ^ keys[i].tag) * 0x100000001B3ULL;

        switch (PROP_TYPE(keys[i].tag) & ~PT_MV_INSTANCE) {
        case PT_NULL:
            p = NULL;
            len = 0;
            break;
        case PT_UNICODE:
        case PT_STRING8:
            p = (const uint8_t *) keys[i].v.str.data;
            len = keys[i].v.str.len;
            break;
        case PT_BINARY:
        case PT_CLSID:
        case PT_SVREID:
            p = keys[i].v.bin.data;
            len = keys[i].v.bin.len;
            break;
        case PT_SHORT:
            p = (const uint8_t *) &keys[i].v.i;
            len = sizeof(keys[i].v.i);
            break;
        case PT_LONG:
        case PT_ERROR:
            p = (const uint8_t *) &keys[i].v.l;
            len = sizeof(keys[i].v.l);
            break;
        case PT_BOOLEAN:
            p = &keys[i].v.b;
            len = 1;
            break;
        case PT_FLOAT:
            p = (const uint8_t *) &keys[i].v.f;
            len = sizeof(keys[i].v.f);
            break;
        case PT_DOUBLE:
        case PT_APPTIME:
            p = (const uint8_t *) &keys[i].v.d;
            len = sizeof(keys[i].v.d);
            break;
        default:
            p = (const uint8_t *) &keys[i].v.ll;
            len = sizeof(keys[i].v.ll);
            break;
        }

        for (k = 0; k < len; k++) {
            h = (h ^ p[k]) * 0x100000001B3ULL;
        }
    }

    /* never a message or folder id: those are small */
    return h | 0x8000000000000000ULL;
}


static int
exch_oxctabl_toggled(exch_ems_table_t *t, uint64_t id)
{
    uint32_t  i;

    for (i = 0; i < t->ntoggled; i++) {
        if (t->toggled[i] == id) {
            return 1;
        }
    }

    return 0;
}


static int
exch_oxctabl_toggle(exch_ems_t *e, exch_ems_table_t *t, uint64_t id)
{
    uint32_t   i;
    uint64_t  *v;

    for (i = 0; i < t->ntoggled; i++) {
        if (t->toggled[i] == id) {
            t->toggled[i] = t->toggled[--t->ntoggled];
            e->s->dirty = 1;
            return EXS_OK;
        }
    }

    if (t->ntoggled >= 65536) {
        return EXS_TOOBIG;
    }

    v = exs_alloc(e->a, (t->ntoggled + 1) * sizeof(uint64_t));
    if (v == NULL) {
        return EXS_NOMEM;
    }

    if (t->ntoggled) {
        memcpy(v, t->toggled, t->ntoggled * sizeof(uint64_t));
    }

    v[t->ntoggled++] = id;
    t->toggled = v;
    e->s->dirty = 1;

    return EXS_OK;
}


typedef struct {
    uint32_t                  start;       /* first leaf */
    uint32_t                  end;
    exs_prop_t                agg;         /* the MAX/MIN key */
    int                       has_agg;
} exch_tgroup_t;


static int
exch_oxctabl_group_cmp(const void *pa, const void *pb, void *data)
{
    int                   c, desc;
    const exch_tgroup_t  *a, *b;

    a = pa;
    b = pb;
    desc = *(int *) data;

    if (a->has_agg && b->has_agg
        && PROP_TYPE(a->agg.tag) == PROP_TYPE(b->agg.tag))
    {
        c = exs_prop_cmp(&a->agg, &b->agg, 1);
        if (c) {
            return desc ? -c : c;
        }

    } else if (a->has_agg != b->has_agg) {
        return desc ? b->has_agg - a->has_agg : a->has_agg - b->has_agg;
    }

    return (a->start > b->start) - (a->start < b->start);
}


static int
exch_oxctabl_categorize(exch_ems_t *e, exch_tview_t *v)
{
    int                rc, desc, hidden_below;
    uint8_t            ncat, agg_order;
    uint32_t           i, j, k, n, ng, nkeys, *order, flags;
    uint64_t          *ids;
    exch_tags_t        kcols;
    exs_prop_t        *p, *cur;
    exs_props_t       *lrows;
    exch_tvrow_t      *vis;
    exch_tgroup_t     *groups;
    exch_ems_table_t  *tb;

    tb = &v->t->u.table;
    ncat = (uint8_t) tb->sort.ncategories;
    nkeys = ncat + (tb->sort.n > ncat ? 1 : 0);

    rc = exs_table_count(v->st, &n);
    if (rc != EXS_OK) {
        return rc;
    }

    /* the category keys, the aggregate key and the read state of every
     * leaf */

    kcols.n = nkeys + 1;
    kcols.tags = exs_alloc(e->a, (nkeys + 1) * sizeof(uint32_t));
    if (kcols.tags == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < nkeys; i++) {
        kcols.tags[i] = tb->sort.keys[i].tag;
    }

    kcols.tags[nkeys] = PR_MESSAGE_FLAGS;

    ids = exs_alloc(e->a, (n + 1) * sizeof(uint64_t));
    if (ids == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_table_rows(v->st, 0, n, kcols.tags, kcols.n, &lrows,
                        (exs_id_t *) ids, &n, e->a);
    if (rc != EXS_OK) {
        return rc;
    }

    /* the top-level groups, reordered by the MAX/MIN aggregate of the key
     * after the categories when the client asked for it */

    groups = exs_calloc(e->a, (n + 1) * sizeof(exch_tgroup_t));
    order = exs_alloc(e->a, (n + 1) * sizeof(uint32_t));
    if (groups == NULL || order == NULL) {
        return EXS_NOMEM;
    }

    ng = 0;
    agg_order = tb->sort.n > ncat ? tb->sort.keys[ncat].order : 0;

    for (i = 0; i < n; i = j) {
        cur = exs_props_get(&lrows[i], kcols.tags[0]);

        for (j = i + 1; j < n; j++) {
            p = exs_props_get(&lrows[j], kcols.tags[0]);

            if ((p == NULL) != (cur == NULL)
                || (p && (PROP_TYPE(p->tag) != PROP_TYPE(cur->tag)
                          || exs_prop_cmp(p, cur, 1) != 0)))
            {
                break;
            }
        }

        groups[ng].start = i;
        groups[ng].end = j;

        if (agg_order & (TABLE_SORT_MAXIMUM_CATEGORY
                         | TABLE_SORT_MINIMUM_CATEGORY))
        {
            for (k = i; k < j; k++) {
                p = exs_props_get(&lrows[k], kcols.tags[ncat]);
                if (p == NULL) {
                    continue;
                }

                if (!groups[ng].has_agg
                    || (PROP_TYPE(p->tag) == PROP_TYPE(groups[ng].agg.tag)
                        && ((agg_order & TABLE_SORT_MAXIMUM_CATEGORY)
                            ? exs_prop_cmp(p, &groups[ng].agg, 1) > 0
                            : exs_prop_cmp(p, &groups[ng].agg, 1) < 0)))
                {
                    groups[ng].agg = *p;
                    groups[ng].has_agg = 1;
                }
            }
        }

        ng++;
    }

    if (agg_order & (TABLE_SORT_MAXIMUM_CATEGORY
                     | TABLE_SORT_MINIMUM_CATEGORY))
    {
        desc = (agg_order & TABLE_SORT_DESCEND) != 0;
        qsort_r(groups, ng, sizeof(exch_tgroup_t), exch_oxctabl_group_cmp,
                &desc);
    }

    for (i = 0, k = 0; i < ng; i++) {
        for (j = groups[i].start; j < groups[i].end; j++) {
            order[k++] = j;
        }
    }

    /* the rows: a header where the keys of a level change */

    vis = exs_calloc(e->a, ((size_t) n * (ncat + 1) + 1)
                           * sizeof(exch_tvrow_t));
    if (vis == NULL) {
        return EXS_NOMEM;
    }

    v->n = 0;

    {
        uint32_t       first;
        exs_prop_t    *prev, *cur;
        exch_tvrow_t  *open[256];

        memset(open, 0, sizeof(open));
        prev = NULL;

        for (k = 0; k < n; k++) {
            j = order[k];

            cur = exs_calloc(e->a, (ncat + 1) * sizeof(exs_prop_t));
            if (cur == NULL) {
                return EXS_NOMEM;
            }

            for (i = 0; i < ncat; i++) {
                p = exs_props_get(&lrows[j], kcols.tags[i]);
                if (p) {
                    cur[i] = *p;

                } else {
                    cur[i].tag = PT_NULL;
                }
            }

            /* the first level whose key differs from the previous leaf */

            first = 0;

            if (prev) {
                for (first = 0; first < ncat; first++) {
                    if (cur[first].tag != prev[first].tag
                        || (cur[first].tag != PT_NULL
                            && exs_prop_cmp(&cur[first], &prev[first], 1)
                               != 0))
                    {
                        break;
                    }
                }
            }

            for (i = first; i < ncat; i++) {
                vis[v->n].header = 1;
                vis[v->n].level = (uint8_t) i;
                vis[v->n].keys = cur;
                vis[v->n].id = exch_oxctabl_catid(cur, i + 1);
                vis[v->n].expanded =
                    (i < tb->sort.nexpanded)
                    ^ exch_oxctabl_toggled(tb, vis[v->n].id);
                open[i] = &vis[v->n];
                v->n++;
            }

            /* the leaf counts toward every header it is under */

            p = exs_props_get(&lrows[j], PR_MESSAGE_FLAGS);
            flags = p ? (uint32_t) p->v.l : MSGFLAG_READ;

            for (i = 0; i < ncat; i++) {
                open[i]->count++;
                if (!(flags & MSGFLAG_READ)) {
                    open[i]->unread++;
                }
            }

            vis[v->n].header = 0;
            vis[v->n].level = ncat;
            vis[v->n].spos = j;
            vis[v->n].id = ids[j];
            v->n++;

            prev = cur;
        }
    }

    /* drop what collapsed headers hide */

    for (i = 0, j = 0, hidden_below = 255; i < v->n; i++) {
        if (vis[i].level > hidden_below) {
            continue;
        }

        hidden_below = 255;

        if (vis[i].header && !vis[i].expanded) {
            hidden_below = vis[i].level;
        }

        vis[j++] = vis[i];
    }

    v->n = j;
    v->vis = vis;

    return EXS_OK;
}


static int
exch_oxctabl_header_props(exch_ems_t *e, exch_tview_t *v,
    const exch_tvrow_t *h, exs_props_t *out)
{
    int                rc;
    uint8_t           *key;
    uint32_t           i;
    exs_prop_t         p;

    out->n = 0;
    out->cap = 0;
    out->v = NULL;

    for (i = 0; i <= h->level; i++) {
        if (h->keys[i].tag == PT_NULL) {
            continue;
        }

        p = h->keys[i];

        rc = exs_props_set(e->a, out, &p);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    key = exs_alloc(e->a, 8);
    if (key == NULL) {
        return EXS_NOMEM;
    }

    exch_put64(key, h->id);

    rc = exs_props_set_bin(e->a, out, PR_INSTANCE_KEY, key, 8);
    if (rc == EXS_OK) {
        rc = exs_props_set_i8(e->a, out, PR_INST_ID, (int64_t) h->id);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_long(e->a, out, PR_INSTANCE_NUM, 0);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_long(e->a, out, PR_ROW_TYPE,
                                h->expanded ? EXCH_TBL_EXPANDED_CATEGORY
                                            : EXCH_TBL_COLLAPSED_CATEGORY);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_long(e->a, out, PR_DEPTH, h->level);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_long(e->a, out, PR_CONTENT_COUNT,
                                (int32_t) h->count);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_long(e->a, out, PR_CONTENT_UNREAD,
                                (int32_t) h->unread);
    }

    return rc;
}


/* the columns as the store is asked for them: strings in its type */

static int
exch_oxctabl_store_cols(exch_ems_t *e, const exch_tags_t *in,
    exch_tags_t *out)
{
    uint32_t  i;
    uint16_t  type;

    out->n = in->n;
    out->tags = exs_alloc(e->a, (in->n + 1) * sizeof(uint32_t));
    if (out->tags == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < in->n; i++) {
        type = PROP_TYPE(in->tags[i]);

        if ((type & ~(PT_MV | PT_MV_INSTANCE)) == PT_STRING8) {
            out->tags[i] = PROP_CHANGE_TYPE(in->tags[i],
                                            (type & ~PT_STRING8)
                                            | PT_UNICODE);

        } else {
            out->tags[i] = in->tags[i];
        }
    }

    return EXS_OK;
}


/* rows pos..pos+n-1 of the view with the table's columns */

static int
exch_oxctabl_rows(exch_ems_t *e, exch_tview_t *v, uint32_t pos, uint32_t n,
    const exch_tags_t *cols, exs_props_t **rows, uint64_t **ids)
{
    int            rc, depth;
    uint32_t       i, got;
    uint64_t      *id;
    exs_props_t   *r, *one;
    exch_tags_t    sc;

    if (pos >= v->n) {
        n = 0;

    } else if (n > v->n - pos) {
        n = v->n - pos;
    }

    r = exs_calloc(e->a, (n + 1) * sizeof(exs_props_t));
    id = exs_calloc(e->a, (n + 1) * sizeof(uint64_t));
    if (r == NULL || id == NULL) {
        return EXS_NOMEM;
    }

    *rows = r;
    if (ids) {
        *ids = id;
    }

    if (n == 0) {
        return EXS_OK;
    }

    if (v->mem) {
        for (i = 0; i < n; i++) {
            r[i] = v->rows[pos + i].props;
            id[i] = v->rows[pos + i].id;
        }

        return EXS_OK;
    }

    rc = exch_oxctabl_store_cols(e, cols, &sc);
    if (rc != EXS_OK) {
        return rc;
    }

    if (!v->cat) {
        exs_props_t  *sr;

        rc = exs_table_rows(v->st, pos, n, sc.tags, sc.n, &sr,
                            (exs_id_t *) id, &got, e->a);
        if (rc != EXS_OK) {
            return rc;
        }

        depth = 0;
        if (v->t->u.table.kind == EXCH_EMS_TBL_CONTENTS) {
            for (i = 0; i < cols->n; i++) {
                depth |= (cols->tags[i] == PR_DEPTH);
            }
        }

        for (i = 0; i < got; i++) {
            r[i] = sr[i];

            /* a leaf of a table without categories is at depth 0 */
            if (depth) {
                rc = exs_props_set_long(e->a, &r[i], PR_DEPTH, 0);
                if (rc != EXS_OK) {
                    return rc;
                }
            }
        }

        return EXS_OK;
    }

    for (i = 0; i < n; i++) {
        exch_tvrow_t  *vr;

        vr = &v->vis[pos + i];
        id[i] = vr->id;

        if (vr->header) {
            rc = exch_oxctabl_header_props(e, v, vr, &r[i]);

        } else {
            rc = exs_table_rows(v->st, vr->spos, 1, sc.tags, sc.n, &one,
                                NULL, &got, e->a);
            if (rc == EXS_OK && got == 1) {
                r[i] = one[0];
                rc = exs_props_set_long(e->a, &r[i], PR_DEPTH,
                                        v->t->u.table.sort.ncategories);
            }
        }

        if (rc != EXS_OK) {
            return rc;
        }
    }

    return EXS_OK;
}


static int
exch_oxctabl_find(exch_ems_t *e, exch_tview_t *v,
    const exs_restriction_t *res, uint32_t start, int backward,
    uint32_t *pos)
{
    int           rc;
    uint32_t      i, got;
    exs_props_t   row, *one;

    if (!v->mem && !v->cat) {
        return exs_table_find(v->st, res, start, backward, pos);
    }

    if (v->n == 0) {
        return EXS_NOTFOUND;
    }

    if (start >= v->n) {
        if (!backward) {
            return EXS_NOTFOUND;
        }

        start = v->n - 1;
    }

    for (i = start; ; i = backward ? i - 1 : i + 1) {
        if (v->mem) {
            row = v->rows[i].props;
            rc = EXS_OK;

        } else if (v->vis[i].header) {
            rc = exch_oxctabl_header_props(e, v, &v->vis[i], &row);

        } else {
            rc = exs_table_rows(v->st, v->vis[i].spos, 1, NULL, 0, &one,
                                NULL, &got, e->a);
            if (rc == EXS_OK) {
                row = got ? one[0] : (exs_props_t) { 0, 0, NULL };
            }
        }

        if (rc != EXS_OK) {
            return rc;
        }

        rc = exs_restriction_match(res, &row);
        if (rc < 0) {
            return rc;
        }

        if (rc) {
            *pos = i;
            return EXS_OK;
        }

        if ((backward && i == 0) || (!backward && i + 1 >= v->n)) {
            break;
        }
    }

    return EXS_NOTFOUND;
}


static int
exch_oxctabl_position(exch_ems_t *e, exch_tview_t *v, uint64_t id,
    uint32_t *pos)
{
    uint32_t  i;

    if (!v->mem && !v->cat) {
        return exs_table_position(v->st, id, pos);
    }

    for (i = 0; i < v->n; i++) {
        if ((v->mem ? v->rows[i].id : v->vis[i].id) == id) {
            *pos = i;
            return EXS_OK;
        }
    }

    return EXS_NOTFOUND;
}


int
exch_ems_table_count(exch_ems_t *e, exch_ems_obj_t *t, uint32_t *n)
{
    int           rc;
    exch_tview_t  v;

    rc = exch_oxctabl_open(e, t, &v);
    if (rc != EXS_OK) {
        return rc;
    }

    *n = v.n;

    return EXS_OK;
}


/* table objects */

static int
exch_oxctabl_new(exch_ems_t *e, exch_rop_req_t *req, exch_rop_rsp_t *rsp,
    exch_ems_obj_t *parent, uint8_t kind, exs_id_t fid)
{
    int              rc;
    exch_ems_obj_t  *t;
    exch_tview_t     v;

    t = exch_ems_obj_new(e, EXCH_EMS_TABLE, parent, req->logon_id);
    if (t == NULL) {
        rsp->rv = EXCH_EC_TOO_MANY_OBJECTS;
        return EXCH_OK;
    }

    e->created = t;
    t->u.table.kind = kind;
    t->u.table.flags = req->u.table.flags;
    t->u.table.fid = fid;
    t->u.table.cols.tags = NULL;
    t->u.table.sort.keys = NULL;

    rc = exch_oxctabl_open(e, t, &v);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    rsp->u.table.row_count = v.n;

    return EXCH_OK;
}


static int
exch_oxctabl_get_hierarchy_table(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    if (obj->type != EXCH_EMS_FOLDER) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    return exch_oxctabl_new(e, req, rsp, obj, EXCH_EMS_TBL_HIERARCHY,
                            obj->u.folder.fid);
}


static int
exch_oxctabl_get_contents_table(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    if (obj->type != EXCH_EMS_FOLDER) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    return exch_oxctabl_new(e, req, rsp, obj, EXCH_EMS_TBL_CONTENTS,
                            obj->u.folder.fid);
}


static int
exch_oxctabl_get_attachment_table(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int  rc;

    if (obj->type != EXCH_EMS_MESSAGE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rc = exch_oxctabl_new(e, req, rsp, obj, EXCH_EMS_TBL_ATTACH, 0);

    /* this ROP's response has no row count */
    rsp->u.table.row_count = 0;

    return rc;
}


int
exch_ems_folder_table(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, uint8_t kind)
{
    int  rc;

    if (obj->type != EXCH_EMS_FOLDER) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rc = exch_oxctabl_new(e, req, rsp, obj, kind, obj->u.folder.fid);
    rsp->u.table.row_count = 0;

    return rc;
}


static void
exch_oxctabl_reset_view(exch_ems_t *e, exch_ems_table_t *t)
{
    t->pos = 0;
    t->nbookmarks = 0;
    e->s->dirty = 1;
}


static int
exch_oxctabl_set_columns(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    uint32_t      i;
    exch_tags_t  *cols;

    if (obj->type != EXCH_EMS_TABLE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    cols = &req->u.set_columns.cols;

    if (cols->n == 0) {
        rsp->rv = EXCH_EC_INVALID_PARAM;
        return EXCH_OK;
    }

    for (i = 0; i < cols->n; i++) {
        uint16_t  type;

        type = PROP_TYPE(cols->tags[i]);

        /* a multi-valued instance column needs a multi-valued type */
        if (((type & PT_MV_INSTANCE) && !(type & PT_MV))
            || !exs_proptype_valid(type & ~PT_MV_INSTANCE))
        {
            if (type != PT_UNSPECIFIED) {
                rsp->rv = EXCH_EC_INVALID_PARAM;
                return EXCH_OK;
            }
        }
    }

    obj->u.table.cols.n = cols->n;
    obj->u.table.cols.tags = exs_memdup(e->a, cols->tags,
                                        cols->n * sizeof(uint32_t));
    if (obj->u.table.cols.tags == NULL) {
        return EXS_NOMEM;
    }

    obj->u.table.has_cols = 1;
    e->s->dirty = 1;
    rsp->u.table_status.status = 0;

    return EXCH_OK;
}


static int
exch_oxctabl_sort_table(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    uint16_t          i;
    exs_sortorder_t  *so;

    if (obj->type != EXCH_EMS_TABLE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    so = &req->u.sort_table.sort;

    if (so->ncategories > so->n || so->nexpanded > so->ncategories
        || (so->ncategories
            && obj->u.table.kind != EXCH_EMS_TBL_CONTENTS))
    {
        rsp->rv = EXCH_EC_INVALID_PARAM;
        return EXCH_OK;
    }

    for (i = 0; i < so->n; i++) {
        uint16_t  type;

        type = PROP_TYPE(so->keys[i].tag);

        if (type == PT_UNSPECIFIED || type == PT_ERROR
            || ((type & PT_MV) && !(type & PT_MV_INSTANCE))
            || (so->keys[i].order & ~(TABLE_SORT_DESCEND
                                      | TABLE_SORT_COMBINE
                                      | TABLE_SORT_MAXIMUM_CATEGORY
                                      | TABLE_SORT_MINIMUM_CATEGORY)))
        {
            rsp->rv = EXCH_EC_INVALID_PARAM;
            return EXCH_OK;
        }

        if ((so->keys[i].order & (TABLE_SORT_MAXIMUM_CATEGORY
                                  | TABLE_SORT_MINIMUM_CATEGORY))
            && i != so->ncategories)
        {
            rsp->rv = EXCH_EC_INVALID_PARAM;
            return EXCH_OK;
        }
    }

    obj->u.table.sort.n = so->n;
    obj->u.table.sort.ncategories = so->ncategories;
    obj->u.table.sort.nexpanded = so->nexpanded;
    obj->u.table.sort.keys = exs_memdup(e->a, so->keys,
                                        (so->n + 1) * sizeof(exs_sort_t));
    if (obj->u.table.sort.keys == NULL) {
        return EXS_NOMEM;
    }

    obj->u.table.ntoggled = 0;
    exch_oxctabl_reset_view(e, &obj->u.table);
    rsp->u.table_status.status = 0;

    return EXCH_OK;
}


static int
exch_oxctabl_restrict(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    exch_wr_t  w;

    if (obj->type != EXCH_EMS_TABLE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    obj->u.table.res.len = 0;
    obj->u.table.res.data = NULL;

    if (req->u.restriction.res) {
        if (exch_wr_init_grow(&w, e->a, 256, 0x100000) != EXCH_OK) {
            return EXS_NOMEM;
        }

        if (exch_write_restriction(&w, req->u.restriction.res) != EXCH_OK) {
            rsp->rv = EXCH_EC_TOO_COMPLEX;
            return EXCH_OK;
        }

        obj->u.table.res.data = w.buf;
        obj->u.table.res.len = w.len;
    }

    exch_oxctabl_reset_view(e, &obj->u.table);
    rsp->u.table_status.status = 0;

    return EXCH_OK;
}


/* RopQueryRows, 3.2.5.5: as many whole rows as fit */

static int
exch_oxctabl_query_rows(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int                rc, forward;
    size_t             start_len;
    uint32_t           start, count, pos;
    exs_props_t       *rows;
    exch_tview_t       v;
    exch_ems_table_t  *tb;

    if (obj->type != EXCH_EMS_TABLE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    tb = &obj->u.table;

    if (!tb->has_cols) {
        rsp->rv = EXCH_EC_NULL_OBJECT;
        return EXCH_OK;
    }

    if (req->u.query_rows.count == 0) {
        rsp->rv = EXCH_EC_INVALID_PARAM;
        return EXCH_OK;
    }

    rc = exch_oxctabl_open(e, obj, &v);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    forward = req->u.query_rows.forward != 0;
    pos = tb->pos > v.n ? v.n : tb->pos;
    count = req->u.query_rows.count;

    if (count > EXCH_TBL_MAX_ROWS) {
        count = EXCH_TBL_MAX_ROWS;
    }

    if (forward) {
        start = pos;

    } else {
        start = pos > count ? pos - count : 0;
        count = pos - start;
    }

    rc = exch_oxctabl_rows(e, &v, start, count, &tb->cols, &rows, NULL);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    if (start + count > v.n) {
        count = start < v.n ? v.n - start : 0;
    }

    rsp->u.query_rows.origin = EXCH_BOOKMARK_CURRENT;
    rsp->u.query_rows.cols = tb->cols;
    rsp->u.query_rows.nrows = (uint16_t) count;
    rsp->u.query_rows.rows = rows;

    start_len = e->w->len;

    rc = exch_rop_write_response(e->w, rsp);

    if (rc == EXCH_ERR_BUFSIZE && count) {
        /* not even one row fits: the ROP fails (3.2.5.5) */
        rsp->rv = EXCH_EC_BUFFER_TOO_SMALL;
        return exch_rop_write_response(e->w, rsp) == EXCH_OK
               ? 1 : EXCH_ERR_BUFSIZE;
    }

    if (rc != EXCH_OK) {
        return rc;
    }

    count = rsp->u.query_rows.written;

    if (forward) {
        pos = start + count;

    } else {
        pos = start;
    }

    if ((forward && pos >= v.n) || (!forward && pos == 0)) {
        /* the Origin byte follows the RopId, index and ReturnValue */
        exch_wr_patch_u8(e->w, start_len + 6,
                         forward ? EXCH_BOOKMARK_END
                                 : EXCH_BOOKMARK_BEGINNING);
    }

    if (!(req->u.query_rows.flags & EXCH_QR_NO_ADVANCE)) {
        tb->pos = pos;
        e->s->dirty = 1;
    }

    return 1;
}


static int
exch_oxctabl_abort(exch_ems_t *e, exch_rop_req_t *req, exch_rop_rsp_t *rsp,
    exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    /* every table operation completes synchronously: nothing to abort */
    rsp->rv = obj->type == EXCH_EMS_TABLE ? EXCH_EC_UNABLE_TO_ABORT
                                          : EXCH_EC_NOT_SUPPORTED;
    return EXCH_OK;
}


static int
exch_oxctabl_get_status(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    if (obj->type != EXCH_EMS_TABLE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rsp->u.table_status.status = 0;     /* TBLSTAT_COMPLETE */

    return EXCH_OK;
}


static int
exch_oxctabl_query_position(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    exch_tview_t  v;

    rsp->rv = exch_oxctabl_view(e, obj, &v);
    if (rsp->rv != EXCH_EC_SUCCESS) {
        return EXCH_OK;
    }

    rsp->u.query_position.numerator = obj->u.table.pos > v.n
                                      ? v.n : obj->u.table.pos;
    rsp->u.query_position.denominator = v.n;

    return EXCH_OK;
}


/* moves the cursor count rows from base; *sought the rows moved */

static void
exch_oxctabl_seek(exch_ems_table_t *t, uint32_t n, uint32_t base,
    int32_t count, uint8_t *less, int32_t *sought)
{
    int64_t  target;

    if (base > n) {
        base = n;
    }

    target = (int64_t) base + count;
    *less = 0;

    if (target < 0) {
        target = 0;
        *less = 1;

    } else if (target > n) {
        target = n;
        *less = 1;
    }

    *sought = (int32_t) (target - base);
    t->pos = (uint32_t) target;
}


static int
exch_oxctabl_seek_row(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    uint32_t      base;
    exch_tview_t  v;

    rsp->rv = exch_oxctabl_view(e, obj, &v);
    if (rsp->rv != EXCH_EC_SUCCESS) {
        return EXCH_OK;
    }

    switch (req->u.seek_row.origin) {
    case EXCH_BOOKMARK_BEGINNING:
        base = 0;
        break;
    case EXCH_BOOKMARK_CURRENT:
        base = obj->u.table.pos;
        break;
    case EXCH_BOOKMARK_END:
        base = v.n;
        break;
    default:
        rsp->rv = EXCH_EC_INVALID_PARAM;
        return EXCH_OK;
    }

    exch_oxctabl_seek(&obj->u.table, v.n, base, req->u.seek_row.count,
                      &rsp->u.seek_row.has_sought_less,
                      &rsp->u.seek_row.rows_sought);

    if (!req->u.seek_row.want_moved) {
        rsp->u.seek_row.rows_sought = 0;
    }

    e->s->dirty = 1;

    return EXCH_OK;
}


static exch_ems_bookmark_t *
exch_oxctabl_bookmark(exch_ems_table_t *t, const exs_bin_t *b)
{
    uint32_t  i, id;

    if (b->len != 4) {
        return NULL;
    }

    id = exch_get32(b->data);

    for (i = 0; i < t->nbookmarks; i++) {
        if (t->bookmarks[i].id == id) {
            return &t->bookmarks[i];
        }
    }

    return NULL;
}


static int
exch_oxctabl_seek_row_bookmark(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int                   rc;
    uint32_t              base;
    exch_tview_t          v;
    exch_ems_bookmark_t  *bm;

    if (obj->type != EXCH_EMS_TABLE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    bm = exch_oxctabl_bookmark(&obj->u.table,
                               &req->u.seek_row_bookmark.bookmark);
    if (bm == NULL) {
        rsp->rv = EXCH_EC_INVALID_BOOKMARK;
        return EXCH_OK;
    }

    rc = exch_oxctabl_open(e, obj, &v);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    base = bm->pos;

    if (bm->row && exch_oxctabl_position(e, &v, bm->row, &base) != EXS_OK) {
        /* its row is gone: from where it was, which is the next row */
        rsp->u.seek_row_bookmark.row_no_longer_visible = 1;
        base = bm->pos;
    }

    exch_oxctabl_seek(&obj->u.table, v.n, base,
                      req->u.seek_row_bookmark.count,
                      &rsp->u.seek_row_bookmark.has_sought_less,
                      &rsp->u.seek_row_bookmark.rows_sought);

    if (!req->u.seek_row_bookmark.want_moved) {
        rsp->u.seek_row_bookmark.rows_sought = 0;
    }

    e->s->dirty = 1;

    return EXCH_OK;
}


static int
exch_oxctabl_seek_row_fractional(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int           rc;
    uint32_t      num, den;
    exch_tview_t  v;

    if (obj->type != EXCH_EMS_TABLE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    num = req->u.seek_row_fractional.numerator;
    den = req->u.seek_row_fractional.denominator;

    if (den == 0) {
        rsp->rv = EXCH_EC_INVALID_PARAM;
        return EXCH_OK;
    }

    rc = exch_oxctabl_open(e, obj, &v);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    obj->u.table.pos = num >= den ? v.n
                                  : (uint32_t) ((uint64_t) v.n * num / den);
    e->s->dirty = 1;

    return EXCH_OK;
}


static int
exch_oxctabl_create_bookmark(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int                   rc;
    uint8_t              *data;
    uint64_t             *ids;
    exs_props_t          *rows;
    exch_tview_t          v;
    exch_ems_table_t     *tb;
    exch_ems_bookmark_t  *bm;
    exch_tags_t           none;

    if (obj->type != EXCH_EMS_TABLE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    tb = &obj->u.table;

    if (tb->nbookmarks >= 1024) {
        rsp->rv = EXCH_EC_TOO_MANY_OBJECTS;
        return EXCH_OK;
    }

    rc = exch_oxctabl_open(e, obj, &v);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    bm = exs_alloc(e->a, (tb->nbookmarks + 1) * sizeof(exch_ems_bookmark_t));
    data = exs_alloc(e->a, 4);
    if (bm == NULL || data == NULL) {
        return EXS_NOMEM;
    }

    if (tb->nbookmarks) {
        memcpy(bm, tb->bookmarks,
               tb->nbookmarks * sizeof(exch_ems_bookmark_t));
    }

    tb->bookmarks = bm;
    bm = &tb->bookmarks[tb->nbookmarks];
    memset(bm, 0, sizeof(exch_ems_bookmark_t));
    bm->id = ++tb->next_bookmark;
    bm->pos = tb->pos > v.n ? v.n : tb->pos;

    if (bm->pos < v.n) {
        none.n = 1;
        none.tags = (uint32_t[]) { PR_INSTANCE_NUM };

        rc = exch_oxctabl_rows(e, &v, bm->pos, 1, &none, &rows, &ids);
        if (rc != EXS_OK) {
            rsp->rv = exch_ems_ec(rc);
            return EXCH_OK;
        }

        bm->row = ids[0];
    }

    tb->nbookmarks++;
    e->s->dirty = 1;

    exch_put32(data, bm->id);
    rsp->u.bookmark.data.data = data;
    rsp->u.bookmark.data.len = 4;

    return EXCH_OK;
}


static int
exch_oxctabl_free_bookmark(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    exch_ems_table_t     *tb;
    exch_ems_bookmark_t  *bm;

    if (obj->type != EXCH_EMS_TABLE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    tb = &obj->u.table;

    bm = exch_oxctabl_bookmark(tb, &req->u.free_bookmark.bookmark);
    if (bm == NULL) {
        rsp->rv = EXCH_EC_INVALID_BOOKMARK;
        return EXCH_OK;
    }

    *bm = tb->bookmarks[--tb->nbookmarks];
    e->s->dirty = 1;

    return EXCH_OK;
}


/* every column the rows have, and the ones every row of the kind has */

static int
exch_oxctabl_query_columns_all(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int            rc;
    uint32_t       i, j, k, n, cap, *tags;
    exs_props_t   *rows;
    exch_tags_t    all;
    exch_tview_t   v;

    static const uint32_t  base[] = {
        PR_INSTANCE_KEY, PR_INSTANCE_NUM, PR_INST_ID, PR_ROW_TYPE,
        PR_DEPTH, PR_ENTRYID, PR_RECORD_KEY
    };

    rsp->rv = exch_oxctabl_view(e, obj, &v);
    if (rsp->rv != EXCH_EC_SUCCESS) {
        return EXCH_OK;
    }

    n = v.n > 256 ? 256 : v.n;

    if (v.mem) {
        rows = exs_alloc(e->a, (n + 1) * sizeof(exs_props_t));
        if (rows == NULL) {
            return EXS_NOMEM;
        }

        for (i = 0; i < n; i++) {
            rows[i] = v.rows[i].props;
        }

    } else if (n) {
        uint32_t  got;

        rc = exs_table_rows(v.st, 0, n, NULL, 0, &rows, NULL, &got, e->a);
        if (rc != EXS_OK) {
            rsp->rv = exch_ems_ec(rc);
            return EXCH_OK;
        }

        n = got;

    } else {
        rows = NULL;
    }

    cap = sizeof(base) / sizeof(uint32_t);
    for (i = 0; i < n; i++) {
        cap += rows[i].n;
    }

    tags = exs_alloc(e->a, (cap + 1) * sizeof(uint32_t));
    if (tags == NULL) {
        return EXS_NOMEM;
    }

    k = 0;
    for (i = 0; i < sizeof(base) / sizeof(uint32_t); i++) {
        tags[k++] = base[i];
    }

    for (i = 0; i < n; i++) {
        for (j = 0; j < rows[i].n; j++) {
            uint32_t  l, tag;

            tag = rows[i].v[j].tag;

            if (PROP_TYPE(tag) == PT_ERROR) {
                continue;
            }

            for (l = 0; l < k; l++) {
                if (PROP_ID(tags[l]) == PROP_ID(tag)) {
                    break;
                }
            }

            if (l == k && k < 0xFFFF) {
                tags[k++] = tag;
            }
        }
    }

    all.n = k;
    all.tags = tags;
    rsp->u.tags.tags = all;

    return EXCH_OK;
}


/* RopFindRow, 3.2.5.13 */

static int
exch_oxctabl_find_row(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int                   rc, backward;
    uint32_t              start, pos;
    exs_props_t          *rows;
    exch_tview_t          v;
    exch_ems_table_t     *tb;
    exch_ems_bookmark_t  *bm;

    if (obj->type != EXCH_EMS_TABLE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    tb = &obj->u.table;

    if (!tb->has_cols) {
        rsp->rv = EXCH_EC_NULL_OBJECT;
        return EXCH_OK;
    }

    if (req->u.find_row.res == NULL) {
        rsp->rv = EXCH_EC_INVALID_PARAM;
        return EXCH_OK;
    }

    rc = exch_oxctabl_open(e, obj, &v);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    backward = (req->u.find_row.flags & EXCH_FIND_BACKWARD) != 0;

    switch (req->u.find_row.origin) {
    case EXCH_BOOKMARK_BEGINNING:
        start = 0;
        break;
    case EXCH_BOOKMARK_CURRENT:
        start = tb->pos;
        break;
    case EXCH_BOOKMARK_END:
        start = v.n;
        if (backward && start) {
            start--;
        }
        break;
    case EXCH_BOOKMARK_CUSTOM:
        bm = exch_oxctabl_bookmark(tb, &req->u.find_row.bookmark);
        if (bm == NULL) {
            rsp->rv = EXCH_EC_INVALID_BOOKMARK;
            return EXCH_OK;
        }

        start = bm->pos;
        if (bm->row && exch_oxctabl_position(e, &v, bm->row, &start)
                       != EXS_OK)
        {
            rsp->u.find_row.row_no_longer_visible = 1;
            start = bm->pos;
        }
        break;
    default:
        rsp->rv = EXCH_EC_INVALID_PARAM;
        return EXCH_OK;
    }

    rc = exch_oxctabl_find(e, &v, req->u.find_row.res, start, backward,
                           &pos);

    if (rc == EXS_NOTFOUND) {
        rsp->rv = EXCH_EC_NOT_FOUND;
        return EXCH_OK;
    }

    if (rc == EXS_INVALID) {
        rsp->rv = EXCH_EC_TOO_COMPLEX;
        return EXCH_OK;
    }

    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    rc = exch_oxctabl_rows(e, &v, pos, 1, &tb->cols, &rows, NULL);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    tb->pos = pos;
    e->s->dirty = 1;

    rsp->u.find_row.has_row = 1;
    rsp->u.find_row.cols = tb->cols;
    rsp->u.find_row.row = &rows[0];

    return EXCH_OK;
}


static int
exch_oxctabl_reset_table(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    exch_ems_table_t  *tb;

    if (obj->type != EXCH_EMS_TABLE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    tb = &obj->u.table;
    tb->has_cols = 0;
    tb->cols.n = 0;
    tb->sort.n = 0;
    tb->sort.ncategories = 0;
    tb->sort.nexpanded = 0;
    tb->res.len = 0;
    tb->ntoggled = 0;
    exch_oxctabl_reset_view(e, tb);

    return EXCH_OK;
}


/* categories: 3.2.5.16 - 3.2.5.19 */

static int
exch_oxctabl_expand_row(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int             rc;
    uint32_t        pos, before, count;
    exs_props_t    *rows;
    exch_tview_t    v;

    rsp->rv = exch_oxctabl_view(e, obj, &v);
    if (rsp->rv != EXCH_EC_SUCCESS) {
        return EXCH_OK;
    }

    if (!v.cat || exch_oxctabl_position(e, &v, req->u.expand_row.category_id,
                                        &pos) != EXS_OK
        || !v.vis[pos].header)
    {
        rsp->rv = EXCH_EC_NOT_FOUND;
        return EXCH_OK;
    }

    if (v.vis[pos].expanded) {
        rsp->rv = EXCH_EC_NOT_COLLAPSED;
        return EXCH_OK;
    }

    before = v.n;

    rc = exch_oxctabl_toggle(e, &obj->u.table, req->u.expand_row.category_id);
    if (rc == EXS_OK) {
        rc = exch_oxctabl_open(e, obj, &v);
    }

    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    count = v.n - before;

    rsp->u.expand_row.expanded_count = count;
    rsp->u.expand_row.cols = obj->u.table.cols;

    if (req->u.expand_row.max_rows && obj->u.table.has_cols) {
        uint32_t  max;

        max = req->u.expand_row.max_rows < count
              ? req->u.expand_row.max_rows : count;

        rc = exch_oxctabl_rows(e, &v, pos + 1, max, &obj->u.table.cols,
                               &rows, NULL);
        if (rc != EXS_OK) {
            rsp->rv = exch_ems_ec(rc);
            return EXCH_OK;
        }

        rsp->u.expand_row.nrows = (uint16_t) max;
        rsp->u.expand_row.rows = rows;
    }

    /* rows after the cursor's row moved down with it */
    if (obj->u.table.pos > pos) {
        obj->u.table.pos += count;
    }

    return EXCH_OK;
}


static int
exch_oxctabl_collapse_row(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int           rc;
    uint32_t      pos, before, count;
    exch_tview_t  v;

    rsp->rv = exch_oxctabl_view(e, obj, &v);
    if (rsp->rv != EXCH_EC_SUCCESS) {
        return EXCH_OK;
    }

    if (!v.cat || exch_oxctabl_position(e, &v,
                                        req->u.collapse_row.category_id,
                                        &pos) != EXS_OK
        || !v.vis[pos].header)
    {
        rsp->rv = EXCH_EC_NOT_FOUND;
        return EXCH_OK;
    }

    if (!v.vis[pos].expanded) {
        rsp->rv = EXCH_EC_NOT_EXPANDED;
        return EXCH_OK;
    }

    before = v.n;

    rc = exch_oxctabl_toggle(e, &obj->u.table,
                             req->u.collapse_row.category_id);
    if (rc == EXS_OK) {
        rc = exch_oxctabl_open(e, obj, &v);
    }

    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    count = before - v.n;
    rsp->u.collapse_row.collapsed_count = count;

    /* a cursor inside the collapsed rows lands on the header's next row */
    if (obj->u.table.pos > pos + count) {
        obj->u.table.pos -= count;

    } else if (obj->u.table.pos > pos) {
        obj->u.table.pos = pos + 1;
    }

    return EXCH_OK;
}


/*
 * The collapse state (3.2.5.18, 3.2.5.19) is opaque to the client: here
 * the toggled category ids, then the row (id) the state was taken at.
 */

static int
exch_oxctabl_get_collapse_state(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    uint32_t           i;
    exch_wr_t          w;
    exch_ems_table_t  *tb;

    if (obj->type != EXCH_EMS_TABLE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    tb = &obj->u.table;

    if (exch_wr_init_grow(&w, e->a, 64, 0x80000) != EXCH_OK) {
        return EXS_NOMEM;
    }

    exch_wr_u32(&w, tb->ntoggled);

    for (i = 0; i < tb->ntoggled; i++) {
        exch_wr_u64(&w, tb->toggled[i]);
    }

    exch_wr_u64(&w, req->u.get_collapse_state.row_id);
    exch_wr_u32(&w, req->u.get_collapse_state.row_instance);

    if (w.err != EXCH_OK || w.len > 0xFFFF) {
        rsp->rv = EXCH_EC_TOO_BIG;
        return EXCH_OK;
    }

    rsp->u.bookmark.data.data = w.buf;
    rsp->u.bookmark.data.len = w.len;

    return EXCH_OK;
}


static int
exch_oxctabl_set_collapse_state(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int                   rc;
    uint8_t              *data;
    uint32_t              i, n, inst, pos;
    uint64_t              row, *toggled;
    exch_rd_t             r;
    exch_tview_t          v;
    exch_ems_table_t     *tb;
    exch_ems_bookmark_t  *bm;

    if (obj->type != EXCH_EMS_TABLE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    tb = &obj->u.table;

    exch_rd_init(&r, req->u.set_collapse_state.state.data,
                 req->u.set_collapse_state.state.len, e->a, 0);
    exch_rd_u32(&r, &n);

    if (exch_rd_count_ok(&r, n, 8) != EXCH_OK) {
        rsp->rv = EXCH_EC_INVALID_PARAM;
        return EXCH_OK;
    }

    toggled = exs_alloc(e->a, (n + 1) * sizeof(uint64_t));
    if (toggled == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < n; i++) {
        exch_rd_u64(&r, &toggled[i]);
    }

    exch_rd_u64(&r, &row);
    exch_rd_u32(&r, &inst);

    if (r.err != EXCH_OK || exch_rd_left(&r) != 0) {
        rsp->rv = EXCH_EC_INVALID_PARAM;
        return EXCH_OK;
    }

    tb->ntoggled = n;
    tb->toggled = toggled;

    rc = exch_oxctabl_open(e, obj, &v);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    /* a bookmark on the row the state was taken at */

    if (exch_oxctabl_position(e, &v, row, &pos) != EXS_OK) {
        pos = 0;
    }

    bm = exs_alloc(e->a, (tb->nbookmarks + 1) * sizeof(exch_ems_bookmark_t));
    data = exs_alloc(e->a, 4);
    if (bm == NULL || data == NULL) {
        return EXS_NOMEM;
    }

    if (tb->nbookmarks) {
        memcpy(bm, tb->bookmarks,
               tb->nbookmarks * sizeof(exch_ems_bookmark_t));
    }

    tb->bookmarks = bm;
    bm = &tb->bookmarks[tb->nbookmarks++];
    bm->id = ++tb->next_bookmark;
    bm->row = row;
    bm->inst = inst;
    bm->pos = pos;
    e->s->dirty = 1;

    exch_put32(data, bm->id);
    rsp->u.bookmark.data.data = data;
    rsp->u.bookmark.data.len = 4;

    return EXCH_OK;
}


/* the attachment table's rows: the attachments of the message */

int
exch_ems_attach_rows(exch_ems_t *e, exch_ems_obj_t *t, exch_ems_row_t **rows,
    uint32_t *n)
{
    int              rc;
    uint32_t         i;
    exs_msg_t       *msg;
    exs_prop_t      *p;
    exch_ems_row_t  *r;
    exch_ems_obj_t  *m;

    m = exch_ems_parent(e, t);
    if (m == NULL || m->type != EXCH_EMS_MESSAGE) {
        return EXS_NOTFOUND;
    }

    rc = exch_ems_msg_view(e, m, EXS_READ_PROPS | EXS_READ_ATTACH, &msg);
    if (rc != EXS_OK) {
        return rc;
    }

    r = exs_calloc(e->a, (msg->natts + 1) * sizeof(exch_ems_row_t));
    if (r == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < msg->natts; i++) {
        rc = exs_props_copy(e->a, &r[i].props, &msg->atts[i].props);
        if (rc != EXS_OK) {
            return rc;
        }

        /* the data itself is read through the attachment */
        (void) exs_props_del(&r[i].props, PR_ATTACH_DATA_BIN);

        p = exs_props_get(&msg->atts[i].props, PR_ATTACH_NUM);
        r[i].id = p ? (uint32_t) p->v.l : i;

        rc = exs_props_set_long(e->a, &r[i].props, PR_ATTACH_NUM,
                                (int32_t) r[i].id);
        if (rc == EXS_OK) {
            rc = exs_props_set_long(e->a, &r[i].props, PR_OBJECT_TYPE, 7);
        }
        if (rc != EXS_OK) {
            return rc;
        }
    }

    *rows = r;
    *n = msg->natts;

    return EXS_OK;
}


/*
 * A row for a table notification (MS-OXCNOTIF 3.2.5.3): the row of id in
 * the table's columns, as a PropertyRow, and the id of the row before it
 * (0: first).  EXS_NOTFOUND when the table does not show id; EXS_NOTSUP
 * when the row's place cannot be told (categories, a memory table, no
 * columns yet).
 */

int
exch_ems_table_row(exch_ems_t *e, exch_ems_obj_t *t, exs_id_t id,
    uint64_t *after, exs_bin_t *row)
{
    int            rc;
    uint32_t       pos, got;
    exs_id_t       prev;
    exch_wr_t      w;
    exs_props_t   *rows;
    exch_tview_t   v;

    *after = 0;

    if (!t->u.table.has_cols || t->u.table.sort.ncategories
        || (t->u.table.kind != EXCH_EMS_TBL_CONTENTS
            && t->u.table.kind != EXCH_EMS_TBL_HIERARCHY))
    {
        return EXS_NOTSUP;
    }

    rc = exch_oxctabl_open(e, t, &v);
    if (rc != EXS_OK) {
        return rc;
    }

    if (v.mem || v.cat) {
        return EXS_NOTSUP;
    }

    rc = exs_table_position(v.st, id, &pos);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exch_oxctabl_rows(e, &v, pos, 1, &t->u.table.cols, &rows, NULL);
    if (rc != EXS_OK) {
        return rc;
    }

    if (pos > 0) {
        rc = exs_table_ids(v.st, pos - 1, 1, &prev, &got);
        if (rc != EXS_OK) {
            return rc;
        }

        if (got == 1) {
            *after = prev;
        }
    }

    if (exch_wr_init_grow(&w, e->a, 256, 0x8000) != EXCH_OK) {
        return EXS_NOMEM;
    }

    w.cpid = e->s->cpid;

    if (exch_write_row(&w, t->u.table.cols.tags, t->u.table.cols.n, &rows[0])
        != EXCH_OK)
    {
        return EXS_NOTSUP;
    }

    row->data = w.buf;
    row->len = w.len;

    return EXS_OK;
}
