
/*
 * exch EWS: synchronization, MS-OXWSSYNC -- SyncFolderHierarchy and
 * SyncFolderItems from the store's change log.
 *
 * A SyncState is ours (clients keep it opaque): base64 of
 *
 *     "EXS"  u8 version 1  u8 kind (1 hierarchy, 2 items)  u8 flags
 *     16 bytes mailbox GUID   u64 folder   u64 change number
 *     varint n   n ids: ascending, as varint differences
 *
 * The change number is the watermark: every change up to it was
 * reported.  The ids are what the client was given (folders or items), so
 * that a change to one of them is an Update, a new one a Create, and the
 * ones gone a Delete.
 */


#include <stdlib.h>
#include <string.h>

#include "exch_ews_ops.h"
#include "exch_ews_items.h"
#include "exch_ews_sync.h"


#define EXCH_SYNC_MAGIC         "EXS"
#define EXCH_SYNC_MAX_IDS       1000000
#define EXCH_SYNC_MAX_CHANGES   512


typedef struct {
    uint64_t                  cn;
    int                       kind;         /* create, update, read, del */
    exs_id_t                  id;
    int                       read;
} exch_ews_event_t;

#define EXCH_EV_CREATE          1
#define EXCH_EV_UPDATE          2
#define EXCH_EV_READ            3
#define EXCH_EV_DELETE          4


static int exch_ews_varint_get(const uint8_t *raw, size_t n, size_t *off,
    unsigned max_shift, uint64_t *v);
static size_t exch_ews_varint_put(uint8_t *raw, size_t n, uint64_t v);
static int exch_ews_ids_has(const exch_ews_syncstate_t *st, exs_id_t id);
static int exch_ews_ids_cmp(const void *a, const void *b);
static int exch_ews_event_cmp(const void *a, const void *b);
static exch_ews_code_t exch_ews_syncstate_in(exch_ews_t *ews,
    xmlNodePtr req, exch_ews_folder_ref_t *ref, int kind,
    exch_ews_syncstate_t *st);
static int exch_ews_ids_set(exch_ews_t *ews, exch_ews_syncstate_t *st,
    const exs_id_t *add, uint32_t nadd, const exs_id_t *del, uint32_t ndel);


/* the state codec (fuzzed with the id decoder) */

/*
 * a base-128 number, low groups first, at raw + *off (before n): -1 when
 * it runs past n or on past a group starting at bit max_shift
 */

static int
exch_ews_varint_get(const uint8_t *raw, size_t n, size_t *off,
    unsigned max_shift, uint64_t *v)
{
    unsigned  shift;

    *v = 0;
    shift = 0;

    do {
        if (*off >= n || shift > max_shift) {
            return -1;
        }

        *v |= (uint64_t) (raw[*off] & 0x7F) << shift;
        shift += 7;
    } while (raw[(*off)++] & 0x80);

    return 0;
}


/* writes v at raw + n as exch_ews_varint_get() reads it; the new end */

static size_t
exch_ews_varint_put(uint8_t *raw, size_t n, uint64_t v)
{
    do {
        raw[n++] = (uint8_t) ((v & 0x7F) | (v > 0x7F ? 0x80 : 0));
        v >>= 7;
    } while (v);

    return n;
}


int
exch_ews_syncstate_decode(const char *s, size_t len,
    exch_ews_syncstate_t *st, exs_arena_t *a)
{
    size_t          n, off;
    uint8_t        *raw;
    uint32_t        i;
    uint64_t        v, prev;

    memset(st, 0, sizeof(exch_ews_syncstate_t));

    if (len == 0) {
        return EXS_OK;         /* no state: from the beginning */
    }

    if (len > 64 * 1024 * 1024) {
        return EXS_INVALID;
    }

    raw = exs_alloc(a, len / 4 * 3 + 3);
    if (raw == NULL) {
        return EXS_NOMEM;
    }

    if (exch_base64_decode(s, len, raw, &n) != 0) {
        return EXS_INVALID;
    }

    if (n < 3 + 3 + 16 + 16 || memcmp(raw, EXCH_SYNC_MAGIC, 3) != 0
        || raw[3] != 1)
    {
        return EXS_INVALID;
    }

    st->kind = raw[4];
    st->flags = raw[5];
    memcpy(st->guid, raw + 6, 16);

    st->fid = 0;
    st->cn = 0;

    for (i = 0; i < 8; i++) {
        st->fid = st->fid << 8 | raw[22 + i];
        st->cn = st->cn << 8 | raw[30 + i];
    }

    if (st->kind != EXCH_SYNC_HIERARCHY && st->kind != EXCH_SYNC_ITEMS) {
        return EXS_INVALID;
    }

    off = 38;

    /* varint count, then the differences */

    if (exch_ews_varint_get(raw, n, &off, 28, &v) != 0) {
        return EXS_INVALID;
    }

    if (v > EXCH_SYNC_MAX_IDS || v > n - off) {
        return EXS_INVALID;
    }

    st->n = (uint32_t) v;
    st->ids = exs_alloc(a, (st->n ? st->n : 1) * sizeof(exs_id_t));
    if (st->ids == NULL) {
        return EXS_NOMEM;
    }

    prev = 0;

    for (i = 0; i < st->n; i++) {
        if (exch_ews_varint_get(raw, n, &off, 49, &v) != 0) {
            return EXS_INVALID;
        }

        if ((i && v == 0) || v > 0xFFFFFFFFFFFFULL - prev) {
            return EXS_INVALID;
        }

        prev += v;
        st->ids[i] = prev;
    }

    if (off != n) {
        return EXS_INVALID;
    }

    return EXS_OK;
}


char *
exch_ews_syncstate_encode(const exch_ews_syncstate_t *st, exs_arena_t *a)
{
    char      *out;
    size_t     n, cap;
    uint8_t   *raw;
    uint32_t   i;
    uint64_t   prev;

    cap = 38 + 10 + (size_t) st->n * 10;

    raw = exs_alloc(a, cap);
    if (raw == NULL) {
        return NULL;
    }

    memcpy(raw, EXCH_SYNC_MAGIC, 3);
    raw[3] = 1;
    raw[4] = (uint8_t) st->kind;
    raw[5] = (uint8_t) st->flags;
    memcpy(raw + 6, st->guid, 16);

    for (i = 0; i < 8; i++) {
        raw[22 + i] = (uint8_t) (st->fid >> (56 - 8 * i));
        raw[30 + i] = (uint8_t) (st->cn >> (56 - 8 * i));
    }

    n = exch_ews_varint_put(raw, 38, st->n);

    prev = 0;

    for (i = 0; i < st->n; i++) {
        n = exch_ews_varint_put(raw, n, st->ids[i] - prev);
        prev = st->ids[i];
    }

    out = exs_alloc(a, exch_base64_encoded_len(n) + 1);
    if (out) {
        exch_base64_encode(raw, n, out);
    }

    return out;
}


static int
exch_ews_ids_has(const exch_ews_syncstate_t *st, exs_id_t id)
{
    uint32_t  lo, hi, mid;

    lo = 0;
    hi = st->n;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;

        if (st->ids[mid] == id) {
            return 1;
        }

        if (st->ids[mid] < id) {
            lo = mid + 1;

        } else {
            hi = mid;
        }
    }

    return 0;
}


static int
exch_ews_ids_cmp(const void *a, const void *b)
{
    exs_id_t  x, y;

    x = *(const exs_id_t *) a;
    y = *(const exs_id_t *) b;

    return x < y ? -1 : x > y;
}


static int
exch_ews_event_cmp(const void *a, const void *b)
{
    const exch_ews_event_t  *x = a, *y = b;

    return x->cn < y->cn ? -1 : x->cn > y->cn;
}


/* the known ids with some added and some removed, sorted */

static int
exch_ews_ids_set(exch_ews_t *ews, exch_ews_syncstate_t *st,
    const exs_id_t *add, uint32_t nadd, const exs_id_t *del, uint32_t ndel)
{
    uint32_t   i, j, n;
    exs_id_t  *ids, *sdel;

    ids = exs_alloc(ews->a, ((size_t) st->n + nadd + 1) * sizeof(exs_id_t));
    sdel = exs_alloc(ews->a, (ndel + 1) * sizeof(exs_id_t));

    if (ids == NULL || sdel == NULL) {
        return EXS_NOMEM;
    }

    memcpy(sdel, del, ndel * sizeof(exs_id_t));
    qsort(sdel, ndel, sizeof(exs_id_t), exch_ews_ids_cmp);

    n = 0;

    for (i = 0, j = 0; i < st->n; i++) {
        while (j < ndel && sdel[j] < st->ids[i]) {
            j++;
        }

        if (j < ndel && sdel[j] == st->ids[i]) {
            continue;
        }

        ids[n++] = st->ids[i];
    }

    for (i = 0; i < nadd; i++) {
        ids[n++] = add[i];
    }

    qsort(ids, n, sizeof(exs_id_t), exch_ews_ids_cmp);

    /* no id twice */

    for (i = 0, j = 0; i < n; i++) {
        if (j && ids[j - 1] == ids[i]) {
            continue;
        }

        ids[j++] = ids[i];
    }

    if (j > EXCH_SYNC_MAX_IDS) {
        return EXS_TOOBIG;
    }

    st->ids = ids;
    st->n = j;

    return EXS_OK;
}


/*
 * the request's SyncState: none starts from the beginning, else it must
 * be of this kind and for this folder
 */

static exch_ews_code_t
exch_ews_syncstate_in(exch_ews_t *ews, xmlNodePtr req,
    exch_ews_folder_ref_t *ref, int kind, exch_ews_syncstate_t *st)
{
    int          rc;
    size_t       slen;
    const char  *s;

    s = exch_ews_text(ews, exch_ews_mchild(req, "SyncState"), &slen);
    rc = exch_ews_syncstate_decode(s, slen, st, ews->a);

    if (rc != EXS_OK
        || (slen && (st->kind != kind || st->fid != ref->fid
                     || memcmp(st->guid, ref->m->guid, 16) != 0)))
    {
        return EXCH_EWS_ERR_INVALID_SYNC_STATE_DATA;
    }

    return EXCH_EWS_NOERROR;
}


/* SyncFolderHierarchy */

int
exch_ews_op_sync_folder_hierarchy(exch_ews_t *ews, xmlNodePtr req)
{
    int                     rc;
    size_t                  mark;
    uint32_t                total, got, i, ndel;
    exs_id_t               *ids, *del;
    xmlNodePtr              sf;
    exs_table_t            *t;
    const char             *s;
    exch_ews_id_t           fid;
    exch_ews_code_t         code;
    exch_ews_shape_t       *shape;
    exs_mbox_info_t         minfo;
    exs_folder_info_t       info;
    exch_ews_syncstate_t    st;
    exch_ews_folder_ref_t   ref;

    shape = exch_ews_shape_new(ews, exch_ews_mchild(req, "FolderShape"), 1,
                               &code);
    if (shape == NULL) {
        return EXCH_EWS_FAIL;
    }

    if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION
        || exch_ews_mchild(req, "FolderShape") == NULL)
    {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "SyncFolderHierarchy needs FolderShape.");
    }

    if (exch_ews_begin(ews, 0) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    exch_ews_resp_begin(ews);

    sf = exch_ews_mchild(req, "SyncFolderId");

    if (sf) {
        code = exch_ews_folder_ref_in(ews, sf, &ref);

    } else {
        memset(&ref, 0, sizeof(exch_ews_folder_ref_t));
        rc = exch_ews_mbox(ews, NULL, &ref.m);
        code = exch_ews_code_from_rc(rc, 1);
        ref.fid = EXS_FID_ROOT;
    }

    if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
        exch_ews_end(ews, EXS_ERROR);
        return exch_ews_fault(ews, code, NULL, "The folder id is not valid.");
    }

    if (code == EXCH_EWS_NOERROR) {
        code = exch_ews_syncstate_in(ews, req, &ref, EXCH_SYNC_HIERARCHY, &st);
    }

    if (code == EXCH_EWS_NOERROR) {
        rc = exs_folder_info(ref.m->mb, ref.fid, &info);
        code = exch_ews_code_from_rc(rc, 1);
    }

    if (code == EXCH_EWS_NOERROR) {
        rc = exs_mbox_info(ref.m->mb, &minfo);
        code = exch_ews_code_from_rc(rc, 1);
    }

    ids = NULL;
    total = 0;
    got = 0;

    if (code == EXCH_EWS_NOERROR) {
        rc = exs_table_open(ref.m->mb, ref.fid, EXS_TABLE_HIERARCHY,
                            EXS_TABLE_DEEP, NULL, NULL, &t, ews->a);

        if (rc == EXS_OK) {
            rc = exs_table_count(t, &total);
        }

        if (rc == EXS_OK) {
            ids = exs_alloc(ews->a, (total + 1) * sizeof(exs_id_t));
            rc = ids ? exs_table_ids(t, 0, total, ids, &got) : EXS_NOMEM;
        }

        code = exch_ews_code_from_rc(rc, 1);
    }

    if (code != EXCH_EWS_NOERROR) {
        exch_ews_msg_error(ews, code, NULL);
        exch_ews_resp_end(ews);
        exch_ews_end(ews, EXS_ERROR);
        return EXCH_EWS_OK;
    }

    exch_ews_msg_ok(ews);

    /* the state is written after the changes: keep its place */

    exch_buf_str(&ews->out, "<m:SyncState>");
    mark = ews->out.len;
    exch_buf_str(&ews->out, "</m:SyncState>"
                            "<m:IncludesLastFolderInRange>true"
                            "</m:IncludesLastFolderInRange><m:Changes>");

    for (i = 0; i < got; i++) {
        rc = exs_folder_info(ref.m->mb, ids[i], &info);

        if (rc != EXS_OK) {
            continue;
        }

        if (exch_ews_ids_has(&st, ids[i])) {
            if (info.cn <= st.cn) {
                continue;
            }

            exch_buf_str(&ews->out, "<t:Update>");

        } else {
            exch_buf_str(&ews->out, "<t:Create>");
        }

        rc = exch_ews_folder_write(ews, ref.m, ids[i], shape);
        if (rc != EXS_OK) {
            exch_ews_end(ews, EXS_ERROR);
            return EXCH_EWS_FAIL;
        }

        exch_buf_str(&ews->out, exch_ews_ids_has(&st, ids[i])
                                ? "</t:Update>" : "</t:Create>");
    }

    /* folders known and gone */

    del = exs_alloc(ews->a, (st.n + 1) * sizeof(exs_id_t));
    if (del == NULL) {
        exch_ews_end(ews, EXS_ERROR);
        return EXCH_EWS_FAIL;
    }

    qsort(ids, got, sizeof(exs_id_t), exch_ews_ids_cmp);
    ndel = 0;

    for (i = 0; i < st.n; i++) {
        if (bsearch(&st.ids[i], ids, got, sizeof(exs_id_t), exch_ews_ids_cmp)
            == NULL)
        {
            del[ndel++] = st.ids[i];

            memset(&fid, 0, sizeof(exch_ews_id_t));
            fid.kind = EXCH_EWS_ID_FOLDER;
            memcpy(fid.guid, ref.m->guid, 16);
            fid.fid = st.ids[i];

            exch_buf_printf(&ews->out, "<t:Delete><t:FolderId Id=\"%s\"/>"
                            "</t:Delete>", exch_ews_id_encode(&fid, ews->a));
        }
    }

    exch_buf_str(&ews->out, "</m:Changes>");
    exch_ews_msg_end(ews);
    exch_ews_resp_end(ews);

    /* the new state: every folder there is, up to the newest change */

    st.kind = EXCH_SYNC_HIERARCHY;
    memcpy(st.guid, ref.m->guid, 16);
    st.fid = ref.fid;
    st.cn = minfo.last_cn;
    st.n = got;
    st.ids = ids;

    s = exch_ews_syncstate_encode(&st, ews->a);
    if (s == NULL) {
        exch_ews_end(ews, EXS_ERROR);
        return EXCH_EWS_FAIL;
    }

    exch_buf_insert(&ews->out, mark, s, strlen(s));

    exch_ews_end(ews, EXS_ERROR);

    return ews->out.nomem ? EXCH_EWS_FAIL : EXCH_EWS_OK;
}


/* SyncFolderItems */

int
exch_ews_op_sync_folder_items(exch_ews_t *ews, xmlNodePtr req)
{
    int                     rc, more, dmore, assoc, last, skip;
    size_t                  mark;
    uint32_t                max, n, nch, i, j, ndel, nadd, nign, nev, take;
    uint64_t                cn, top;
    exs_id_t               *add, *del, *ign;
    xmlNodePtr              sf, ignore, c;
    const char             *s, *scope;
    exch_ews_code_t         code;
    exch_ews_shape_t       *shape;
    exs_change_t           *chg;
    exs_msgchange_t        *mc;
    exs_mbox_info_t         minfo;
    exs_msg_info_t          info;
    exch_ews_event_t       *ev;
    exch_ews_syncstate_t    st;
    exch_ews_item_ref_t     it;
    exch_ews_folder_ref_t   ref;

    shape = exch_ews_shape_new(ews, exch_ews_mchild(req, "ItemShape"), 0,
                               &code);
    if (shape == NULL) {
        return EXCH_EWS_FAIL;
    }
    sf = exch_ews_mchild(req, "SyncFolderId");
    s = exch_ews_value(exch_ews_mchild(req, "MaxChangesReturned"));

    if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION || sf == NULL || s == NULL
        || exch_ews_mchild(req, "ItemShape") == NULL)
    {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "SyncFolderItems needs ItemShape, "
                              "SyncFolderId and MaxChangesReturned.");
    }

    max = (uint32_t) strtoul(s, NULL, 10);

    if (max < 1 || max > 512) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "MaxChangesReturned must be 1 to 512.");
    }

    scope = exch_ews_value(exch_ews_mchild(req, "SyncScope"));
    assoc = scope && strcmp(scope, "NormalAndAssociatedItems") == 0;

    if (exch_ews_begin(ews, 0) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    exch_ews_resp_begin(ews);

    code = exch_ews_folder_ref_in(ews, sf, &ref);

    if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
        exch_ews_end(ews, EXS_ERROR);
        return exch_ews_fault(ews, code, NULL, "The folder id is not valid.");
    }

    if (code == EXCH_EWS_NOERROR) {
        code = exch_ews_syncstate_in(ews, req, &ref, EXCH_SYNC_ITEMS, &st);
    }

    if (code == EXCH_EWS_NOERROR) {
        rc = exs_mbox_info(ref.m->mb, &minfo);
        code = exch_ews_code_from_rc(rc, 1);
    }

    /* the changed items after the watermark, oldest change first */

    mc = NULL;
    nch = 0;
    more = 0;

    if (code == EXCH_EWS_NOERROR) {
        rc = exs_folder_changed(ref.m->mb, ref.fid, st.cn, max + 1, &mc,
                                &nch, &more, ews->a);
        code = rc == EXS_NOTFOUND ? EXCH_EWS_ERR_FOLDER_NOT_FOUND
                                  : exch_ews_code_from_rc(rc, 1);
    }

    if (code != EXCH_EWS_NOERROR) {
        exch_ews_msg_error(ews, code, NULL);
        exch_ews_resp_end(ews);
        exch_ews_end(ews, EXS_ERROR);
        return EXCH_EWS_OK;
    }

    ev = exs_alloc(ews->a, (nch + EXCH_SYNC_MAX_CHANGES + 1)
                           * sizeof(exch_ews_event_t));
    if (ev == NULL) {
        exch_ews_end(ews, EXS_ERROR);
        return EXCH_EWS_FAIL;
    }

    nev = 0;
    top = more && nch ? mc[nch - 1].cn : UINT64_MAX;

    for (i = 0; i < nch; i++) {
        if (mc[i].associated && !assoc) {
            continue;
        }

        ev[nev].cn = mc[i].cn;
        ev[nev].id = mc[i].mid;

        if (!exch_ews_ids_has(&st, mc[i].mid)) {
            ev[nev].kind = EXCH_EV_CREATE;

        } else if (exs_message_info(ref.m->mb, mc[i].mid, &info) == EXS_OK
                   && info.cn <= st.cn)
        {
            ev[nev].kind = EXCH_EV_READ;
            ev[nev].read = (info.flags & MSGFLAG_READ) != 0;

        } else {
            ev[nev].kind = EXCH_EV_UPDATE;
        }

        nev++;
    }

    /* deletions and moves out of the folder of items the client has */

    dmore = 0;

    if (st.n) {
        cn = st.cn;

        do {
            rc = exs_changes(ref.m->mb, cn, 1000, &chg, &n, &dmore, ews->a);
            if (rc != EXS_OK) {
                break;
            }

            for (i = 0; i < n; i++) {
                cn = chg[i].cn;

                if (chg[i].flags & EXS_CHANGE_FOLDER) {
                    continue;
                }

                if ((chg[i].kind == EXS_CHANGE_DELETE
                     || chg[i].kind == EXS_CHANGE_SOFT_DELETE)
                    && exch_ews_ids_has(&st, chg[i].id))
                {
                    ev[nev].id = chg[i].id;

                } else if (chg[i].kind == EXS_CHANGE_MOVE
                           && chg[i].old_folder == ref.fid
                           && exch_ews_ids_has(&st, chg[i].old_id))
                {
                    ev[nev].id = chg[i].old_id;

                } else {
                    continue;
                }

                if (chg[i].cn > top) {
                    dmore = 1;
                    break;
                }

                ev[nev].cn = chg[i].cn;
                ev[nev].kind = EXCH_EV_DELETE;
                nev++;

                if (nev >= nch + EXCH_SYNC_MAX_CHANGES) {
                    dmore = 1;
                    break;
                }
            }
        } while (dmore && n && nev < nch + EXCH_SYNC_MAX_CHANGES
                 && cn <= top);
    }

    qsort(ev, nev, sizeof(exch_ews_event_t), exch_ews_event_cmp);

    take = nev > max ? max : nev;
    last = !more && !dmore && take == nev;

    /* Ignore: items the client made itself */

    ign = NULL;
    nign = 0;
    ignore = exch_ews_mchild(req, "Ignore");

    if (ignore) {
        for (c = ignore->children; c; c = c->next) {
            nign++;
        }

        ign = exs_alloc(ews->a, (nign + 1) * sizeof(exs_id_t));
        nign = 0;

        for (c = ignore ? ignore->children : NULL; c && ign; c = c->next) {
            if (c->type == XML_ELEMENT_NODE
                && exch_ews_item_ref(ews, c, &it) == EXCH_EWS_NOERROR)
            {
                ign[nign++] = it.mid;
            }
        }
    }

    exch_ews_msg_ok(ews);
    exch_buf_str(&ews->out, "<m:SyncState>");
    mark = ews->out.len;
    exch_buf_printf(&ews->out, "</m:SyncState><m:IncludesLastItemInRange>%s"
                    "</m:IncludesLastItemInRange><m:Changes>",
                    last ? "true" : "false");

    add = exs_alloc(ews->a, (take + 1) * sizeof(exs_id_t));
    del = exs_alloc(ews->a, (take + 1) * sizeof(exs_id_t));

    if (add == NULL || del == NULL) {
        exch_ews_end(ews, EXS_ERROR);
        return EXCH_EWS_FAIL;
    }

    nadd = 0;
    ndel = 0;

    for (i = 0; i < take; i++) {
        skip = 0;

        for (j = 0; j < nign; j++) {
            if (ign[j] == ev[i].id) {
                skip = 1;
            }
        }

        if (ev[i].kind == EXCH_EV_DELETE) {
            del[ndel++] = ev[i].id;

            if (!skip) {
                exch_buf_printf(&ews->out, "<t:Delete><t:ItemId Id=\"%s\"/>"
                                "</t:Delete>",
                                exch_ews_item_id_str(ews, ref.m, ref.fid,
                                                     ev[i].id));
            }

            continue;
        }

        add[nadd++] = ev[i].id;

        if (skip) {
            continue;
        }

        if (ev[i].kind == EXCH_EV_READ) {
            exch_buf_printf(&ews->out, "<t:ReadFlagChange><t:ItemId Id=\"%s\""
                            "/><t:IsRead>%s</t:IsRead></t:ReadFlagChange>",
                            exch_ews_item_id_str(ews, ref.m, ref.fid,
                                                 ev[i].id),
                            ev[i].read ? "true" : "false");
            continue;
        }

        exch_buf_str(&ews->out, ev[i].kind == EXCH_EV_CREATE ? "<t:Create>"
                                                             : "<t:Update>");

        code = exch_ews_item_get_write(ews, ref.m, ref.fid, ev[i].id, shape);

        if (code != EXCH_EWS_NOERROR) {
            exch_ews_end(ews, EXS_ERROR);
            return EXCH_EWS_FAIL;
        }

        exch_buf_str(&ews->out, ev[i].kind == EXCH_EV_CREATE ? "</t:Create>"
                                                             : "</t:Update>");
    }

    exch_buf_str(&ews->out, "</m:Changes>");
    exch_ews_msg_end(ews);
    exch_ews_resp_end(ews);

    /* the new state */

    if (exch_ews_ids_set(ews, &st, add, nadd, del, ndel) != EXS_OK) {
        exch_ews_end(ews, EXS_ERROR);
        return EXCH_EWS_FAIL;
    }

    st.kind = EXCH_SYNC_ITEMS;
    st.flags = assoc ? 1 : 0;
    memcpy(st.guid, ref.m->guid, 16);
    st.fid = ref.fid;
    st.cn = last ? minfo.last_cn
            : take ? ev[take - 1].cn
            : nch ? mc[nch - 1].cn : st.cn;

    s = exch_ews_syncstate_encode(&st, ews->a);
    if (s == NULL) {
        exch_ews_end(ews, EXS_ERROR);
        return EXCH_EWS_FAIL;
    }

    exch_buf_insert(&ews->out, mark, s, strlen(s));

    exch_ews_end(ews, EXS_ERROR);

    return ews->out.nomem ? EXCH_EWS_FAIL : EXCH_EWS_OK;
}
