
/*
 * exch: EMSMDB session contexts in the state environment, MS-OXCMAPIHTTP
 * 3.2.1 (the Session Context) and MS-OXCROPS 3.1.1 (the server object
 * handle table): the session record, its objects, and the big parts of
 * objects (working copies, stream chunks) as separate entries.
 * exch_emsmdb.h describes the keys.
 */


#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "exch_emsmdb.h"


#define EXCH_EMS_FORMAT         1
#define EXCH_EMS_WC_FORMAT      1
#define EXCH_EMS_MAX_DEPTH      8

/* object entries outlive the session record they belong to by this much,
 * so that a session that expires leaves nothing behind for long */
#define EXCH_EMS_OBJ_GRACE      86400


static int exch_ems_encode(exch_ems_t *e, exch_wr_t *w);
static int exch_ems_decode(exch_ems_t *e, const uint8_t *p, size_t len);
static int exch_ems_obj_encode(exch_wr_t *w, const exch_ems_obj_t *obj);
static int exch_ems_obj_decode(exch_ems_t *e, exch_rd_t *r,
    exch_ems_obj_t *obj);
static int exch_ems_table_encode(exch_wr_t *w, const exch_ems_table_t *t);
static int exch_ems_table_decode(exch_ems_t *e, exch_rd_t *r,
    exch_ems_table_t *t);
static int exch_ems_put(exch_ems_t *e, uint64_t expect);
static void exch_ems_obj_key(exch_ems_t *e, uint32_t handle, uint32_t part,
    uint8_t *key);
static int exch_ems_gone(exch_ems_t *e, uint32_t handle, uint32_t parts);
static void exch_ems_drop_parts(exch_ems_t *e);
static int exch_ems_prop_encode(exch_wr_t *w, const exs_prop_t *p);
static int exch_ems_prop_decode(exch_rd_t *r, exs_prop_t *p);
static int exch_ems_value_encode(exch_wr_t *w, uint16_t type,
    const exs_prop_t *p, uint32_t i);
static int exch_ems_value_decode(exch_rd_t *r, uint16_t type, exs_prop_t *p,
    uint32_t i);
static int exch_ems_attach_encode(exch_wr_t *w, const exs_attach_t *att);
static int exch_ems_attach_decode(exch_rd_t *r, exs_attach_t *att,
    unsigned depth);


static const char  exch_ems_xdigits[] = "0123456789abcdef";


void
exch_ems_hex(const uint8_t *p, size_t n, char *out)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        out[2 * i] = exch_ems_xdigits[p[i] >> 4];
        out[2 * i + 1] = exch_ems_xdigits[p[i] & 0x0F];
    }

    out[2 * n] = '\0';
}


int
exch_ems_unhex(const char *s, size_t len, uint8_t *out)
{
    int     hi, lo;
    size_t  i;

    if (len % 2) {
        return EXS_INVALID;
    }

    for (i = 0; i < len; i += 2) {
        hi = s[i] >= '0' && s[i] <= '9' ? s[i] - '0'
             : (s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f'
               ? (s[i] | 0x20) - 'a' + 10 : -1;
        lo = s[i + 1] >= '0' && s[i + 1] <= '9' ? s[i + 1] - '0'
             : (s[i + 1] | 0x20) >= 'a' && (s[i + 1] | 0x20) <= 'f'
               ? (s[i + 1] | 0x20) - 'a' + 10 : -1;

        if (hi < 0 || lo < 0) {
            return EXS_INVALID;
        }

        out[i / 2] = (uint8_t) (hi << 4 | lo);
    }

    return EXS_OK;
}


int
exch_ems_sid_parse(const char *s, size_t len, uint8_t key[20])
{
    if (len != EXCH_EMS_SID_LEN) {
        return EXS_INVALID;
    }

    return exch_ems_unhex(s, len, key);
}


void
exch_ems_sid_format(const uint8_t key[20], char *out)
{
    exch_ems_hex(key, 20, out);
}


int
exch_ems_random(uint8_t *p, size_t n)
{
    ssize_t  got;

    while (n) {
        got = getrandom(p, n, 0);
        if (got <= 0) {
            return EXS_IO;
        }

        p += got;
        n -= (size_t) got;
    }

    return EXS_OK;
}


/* sessions */

int
exch_ems_session_create(exch_ems_t *e, uint32_t cpid, uint32_t lcid_sort,
    uint32_t lcid_string)
{
    int                  rc;
    uint8_t              prefix[4];
    uint32_t             i, n, oldest;
    int64_t              when;
    exs_bin_t           *keys, val;
    exch_rd_t            r;
    exch_ems_t           old;
    exch_ems_session_t  *s;

    /* a user's sessions are bounded: Outlook never disconnects, so the
     * one used least recently makes room */

    exch_put32(prefix, 0);
    prefix[0] = (uint8_t) (e->user->id >> 24);
    prefix[1] = (uint8_t) (e->user->id >> 16);
    prefix[2] = (uint8_t) (e->user->id >> 8);
    prefix[3] = (uint8_t) e->user->id;

    for ( ;; ) {
        rc = exs_state_keys(e->env, EXS_NS_EMSMDB_SESSION, prefix, 4, &keys,
                            &n, e->a);
        if (rc != EXS_OK) {
            return rc;
        }

        if (n < e->conf->max_sessions || n == 0) {
            break;
        }

        oldest = 0;
        when = INT64_MAX;

        for (i = 0; i < n; i++) {
            if (keys[i].len != 20
                || exs_state_get(e->env, EXS_NS_EMSMDB_SESSION, keys[i].data,
                                 20, &val, NULL, e->a) != EXS_OK)
            {
                continue;
            }

            /* the last use follows the format byte, five numbers, the
             * sequence cookie, the creation and the expiry times */
            exch_rd_init(&r, val.data, val.len, e->a, 0);
            exch_rd_skip(&r, 1 + 5 * 4 + 16 + 8 + 8);
            {
                int64_t  x;

                if (exch_rd_i64(&r, &x) == EXCH_OK && x < when) {
                    when = x;
                    oldest = i;
                }
            }
        }

        memset(&old, 0, sizeof(exch_ems_t));
        old.env = e->env;
        old.a = e->a;
        old.conf = e->conf;
        old.user = e->user;
        old.now = e->now;

        if (keys[oldest].len == 20
            && exch_ems_session_load(&old, keys[oldest].data) == EXS_OK)
        {
            (void) exch_ems_session_destroy(&old);

        } else {
            (void) exs_state_del(e->env, EXS_NS_EMSMDB_SESSION,
                                 keys[oldest].data, keys[oldest].len);
        }
    }

    s = exs_calloc(e->a, sizeof(exch_ems_session_t));
    if (s == NULL) {
        return EXS_NOMEM;
    }

    memcpy(s->key, prefix, 4);

    if (exch_ems_random(s->key + 4, 16) != EXS_OK
        || exch_ems_random(s->seq, 16) != EXS_OK)
    {
        return EXS_IO;
    }

    s->user = e->user->id;
    s->mailbox = e->user->mailbox;
    s->cpid = cpid;
    s->lcid_sort = lcid_sort;
    s->lcid_string = lcid_string;
    s->created = e->now;
    s->next_handle = 1;
    s->dirty = 1;

    e->s = s;

    return exch_ems_put(e, 0);
}


int
exch_ems_session_load(exch_ems_t *e, const uint8_t key[20])
{
    int        rc;
    uint64_t   version;
    exs_bin_t  val;

    rc = exs_state_get(e->env, EXS_NS_EMSMDB_SESSION, key, 20, &val,
                       &version, e->a);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exch_ems_decode(e, val.data, val.len);
    if (rc != EXS_OK) {
        return rc;
    }

    memcpy(e->s->key, key, 20);
    e->s->version = version;

    return EXS_OK;
}


int
exch_ems_session_claim(exch_ems_t *e)
{
    if (exch_ems_random(e->s->seq, 16) != EXS_OK) {
        return EXS_IO;
    }

    e->s->dirty = 1;

    return exch_ems_put(e, e->s->version);
}


int
exch_ems_session_claim_late(exch_ems_t *e)
{
    if (exch_ems_random(e->s->seq, 16) != EXS_OK) {
        return EXS_IO;
    }

    e->s->dirty = 1;
    e->claim_late = 1;

    return EXS_OK;
}


int
exch_ems_session_save(exch_ems_t *e)
{
    int              rc;
    uint32_t         i;
    exch_ems_obj_t  *obj;

    if (e->s == NULL) {
        return EXS_OK;
    }

    /* a late claim is made first: a request that lost the race writes
     * nothing of its own over the winner's */

    if (e->claim_late) {
        rc = exch_ems_put(e, e->s->version);
        if (rc != EXS_OK) {
            return rc;
        }

        e->claim_late = 0;
    }

    for (i = 0; i < e->s->nobjs; i++) {
        obj = e->s->objs[i];

        if (obj->wc_dirty) {
            rc = exch_ems_wc_store(e, obj);
            if (rc != EXS_OK) {
                return rc;
            }
        }
    }

    if (e->s->dirty) {
        rc = exch_ems_put(e, e->s->version);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    exch_ems_drop_parts(e);

    return EXS_OK;
}


int
exch_ems_session_destroy(exch_ems_t *e)
{
    uint32_t  i;

    if (e->s == NULL) {
        return EXS_OK;
    }

    for (i = e->s->nobjs; i > 0; i--) {
        if (i <= e->s->nobjs && e->s->objs[i - 1]->parent == 0) {
            exch_ems_obj_release(e, e->s->objs[i - 1]);
        }
    }

    /* objects whose parent is gone already */
    while (e->s->nobjs) {
        exch_ems_obj_release(e, e->s->objs[e->s->nobjs - 1]);
    }

    exch_ems_drop_parts(e);

    return exs_state_del(e->env, EXS_NS_EMSMDB_SESSION, e->s->key, 20);
}


void
exch_ems_touch(exch_ems_t *e)
{
    e->s->dirty = 1;
}


static int
exch_ems_put(exch_ems_t *e, uint64_t expect)
{
    int               rc;
    uint64_t          version;
    exch_wr_t         w;
    struct timespec   ts;

    e->s->expires = e->now + e->conf->session_timeout;

    if (clock_gettime(CLOCK_REALTIME, &ts) == 0) {
        e->s->used = (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    }

    if (exch_wr_init_grow(&w, e->a, 1024, 64 << 20) != EXCH_OK) {
        return EXS_NOMEM;
    }

    rc = exch_ems_encode(e, &w);
    if (rc != EXCH_OK) {
        return rc == EXCH_ERR_NOMEM ? EXS_NOMEM : EXS_TOOBIG;
    }

    rc = exs_state_put(e->env, EXS_NS_EMSMDB_SESSION, e->s->key, 20, w.buf,
                       w.len, e->s->expires, expect, &version);
    if (rc != EXS_OK) {
        return rc;
    }

    e->s->version = version;
    e->s->dirty = 0;

    return EXS_OK;
}


static int
exch_ems_encode(exch_ems_t *e, exch_wr_t *w)
{
    uint32_t             i;
    exch_ems_session_t  *s;

    s = e->s;

    exch_wr_u8(w, EXCH_EMS_FORMAT);
    exch_wr_u32(w, s->user);
    exch_wr_u32(w, s->mailbox);
    exch_wr_u32(w, s->cpid);
    exch_wr_u32(w, s->lcid_sort);
    exch_wr_u32(w, s->lcid_string);
    exch_wr_bytes(w, s->seq, 16);
    exch_wr_u64(w, (uint64_t) s->created);
    exch_wr_u64(w, (uint64_t) s->expires);
    exch_wr_u64(w, (uint64_t) s->used);
    exch_wr_u32(w, s->next_handle);
    exch_wr_u32(w, s->nobjs);

    for (i = 0; i < s->nobjs && w->err == EXCH_OK; i++) {
        exch_ems_obj_encode(w, s->objs[i]);
    }

    return w->err;
}


static int
exch_ems_decode(exch_ems_t *e, const uint8_t *p, size_t len)
{
    uint8_t              format;
    uint32_t             i, n;
    exch_rd_t            r;
    exch_ems_session_t  *s;

    s = exs_calloc(e->a, sizeof(exch_ems_session_t));
    if (s == NULL) {
        return EXS_NOMEM;
    }

    exch_rd_init(&r, p, len, e->a, 0);

    exch_rd_u8(&r, &format);
    exch_rd_u32(&r, &s->user);
    exch_rd_u32(&r, &s->mailbox);
    exch_rd_u32(&r, &s->cpid);
    exch_rd_u32(&r, &s->lcid_sort);
    exch_rd_u32(&r, &s->lcid_string);
    exch_rd_guid(&r, s->seq);
    exch_rd_i64(&r, &s->created);
    exch_rd_i64(&r, &s->expires);
    exch_rd_i64(&r, &s->used);
    exch_rd_u32(&r, &s->next_handle);
    exch_rd_u32(&r, &n);

    if (r.err != EXCH_OK || format != EXCH_EMS_FORMAT
        || exch_rd_count_ok(&r, n, 14) != EXCH_OK)
    {
        return EXS_CORRUPT;
    }

    s->objs = exs_alloc(e->a, (n + 8) * sizeof(exch_ems_obj_t *));
    if (s->objs == NULL) {
        return EXS_NOMEM;
    }

    s->cap = n + 8;

    for (i = 0; i < n; i++) {
        s->objs[i] = exs_calloc(e->a, sizeof(exch_ems_obj_t));
        if (s->objs[i] == NULL) {
            return EXS_NOMEM;
        }

        if (exch_ems_obj_decode(e, &r, s->objs[i]) != EXCH_OK) {
            return EXS_CORRUPT;
        }
    }

    s->nobjs = n;

    if (exch_rd_left(&r) != 0) {
        return EXS_CORRUPT;
    }

    e->s = s;

    return EXS_OK;
}


static int
exch_ems_obj_encode(exch_wr_t *w, const exch_ems_obj_t *obj)
{
    size_t  off;

    exch_wr_u32(w, obj->handle);
    exch_wr_u32(w, obj->parent);
    exch_wr_u8(w, obj->type);
    exch_wr_u8(w, obj->logon_id);
    exch_wr_reserve(w, 4, &off);

    switch (obj->type) {

    case EXCH_EMS_LOGON:
        exch_wr_u32(w, obj->u.logon.mailbox);
        exch_wr_u32(w, obj->u.logon.owner);
        exch_wr_u8(w, obj->u.logon.flags);
        exch_wr_u32(w, obj->u.logon.open_flags);
        exch_wr_u64(w, obj->u.logon.cn);
        break;

    case EXCH_EMS_FOLDER:
        exch_wr_u64(w, obj->u.folder.fid);
        break;

    case EXCH_EMS_MESSAGE:
        exch_wr_u64(w, obj->u.message.fid);
        exch_wr_u64(w, obj->u.message.mid);
        exch_wr_u16(w, obj->u.message.cpid);
        exch_wr_u8(w, obj->u.message.flags);
        exch_wr_u32(w, obj->u.message.attach_num);
        break;

    case EXCH_EMS_ATTACH:
        exch_wr_u32(w, obj->u.attach.num);
        exch_wr_u8(w, obj->u.attach.flags);
        break;

    case EXCH_EMS_TABLE:
        exch_ems_table_encode(w, &obj->u.table);
        break;

    case EXCH_EMS_STREAM:
        exch_wr_u32(w, obj->u.stream.tag);
        exch_wr_u8(w, obj->u.stream.flags);
        exch_wr_u8(w, obj->u.stream.mode);
        exch_wr_u64(w, obj->u.stream.size);
        exch_wr_u64(w, obj->u.stream.pos);
        break;

    case EXCH_EMS_NOTIFY:
        exch_wr_u16(w, obj->u.notify.types);
        exch_wr_u8(w, obj->u.notify.whole_store);
        exch_wr_u64(w, obj->u.notify.fid);
        exch_wr_u64(w, obj->u.notify.mid);
        break;
    }

    if (w->err == EXCH_OK) {
        exch_wr_patch_u32(w, off, (uint32_t) (w->len - off - 4));
    }

    return w->err;
}


static int
exch_ems_obj_decode(exch_ems_t *e, exch_rd_t *r, exch_ems_obj_t *obj)
{
    uint32_t   len;
    exch_rd_t  b;

    exch_rd_u32(r, &obj->handle);
    exch_rd_u32(r, &obj->parent);
    exch_rd_u8(r, &obj->type);
    exch_rd_u8(r, &obj->logon_id);
    exch_rd_u32(r, &len);

    if (exch_rd_sub(r, len, &b) != EXCH_OK) {
        return r->err;
    }

    switch (obj->type) {

    case EXCH_EMS_LOGON:
        exch_rd_u32(&b, &obj->u.logon.mailbox);
        exch_rd_u32(&b, &obj->u.logon.owner);
        exch_rd_u8(&b, &obj->u.logon.flags);
        exch_rd_u32(&b, &obj->u.logon.open_flags);

        if (b.err == EXCH_OK && exch_rd_left(&b) >= 8) {
            exch_rd_u64(&b, &obj->u.logon.cn);
        }

        break;

    case EXCH_EMS_FOLDER:
        exch_rd_u64(&b, &obj->u.folder.fid);
        break;

    case EXCH_EMS_MESSAGE:
        exch_rd_u64(&b, &obj->u.message.fid);
        exch_rd_u64(&b, &obj->u.message.mid);
        exch_rd_u16(&b, &obj->u.message.cpid);
        exch_rd_u8(&b, &obj->u.message.flags);
        exch_rd_u32(&b, &obj->u.message.attach_num);
        break;

    case EXCH_EMS_ATTACH:
        exch_rd_u32(&b, &obj->u.attach.num);
        exch_rd_u8(&b, &obj->u.attach.flags);
        break;

    case EXCH_EMS_TABLE:
        exch_ems_table_decode(e, &b, &obj->u.table);
        break;

    case EXCH_EMS_STREAM:
        exch_rd_u32(&b, &obj->u.stream.tag);
        exch_rd_u8(&b, &obj->u.stream.flags);
        exch_rd_u8(&b, &obj->u.stream.mode);
        exch_rd_u64(&b, &obj->u.stream.size);
        exch_rd_u64(&b, &obj->u.stream.pos);
        break;

    case EXCH_EMS_NOTIFY:
        exch_rd_u16(&b, &obj->u.notify.types);
        exch_rd_u8(&b, &obj->u.notify.whole_store);
        exch_rd_u64(&b, &obj->u.notify.fid);
        exch_rd_u64(&b, &obj->u.notify.mid);
        break;

    default:
        return exch_rd_fail(r, EXCH_ERR_FORMAT);
    }

    if (b.err != EXCH_OK) {
        return exch_rd_fail(r, b.err);
    }

    return EXCH_OK;
}


static int
exch_ems_table_encode(exch_wr_t *w, const exch_ems_table_t *t)
{
    uint32_t  i;

    exch_wr_u8(w, t->kind);
    exch_wr_u8(w, t->flags);
    exch_wr_u8(w, t->status);
    exch_wr_u64(w, t->fid);
    exch_wr_u8(w, t->has_cols);
    exch_wr_u32(w, t->cols.n);

    for (i = 0; i < t->cols.n; i++) {
        exch_wr_u32(w, t->cols.tags[i]);
    }

    exch_wr_u16(w, t->sort.n);
    exch_wr_u16(w, t->sort.ncategories);
    exch_wr_u16(w, t->sort.nexpanded);

    for (i = 0; i < t->sort.n; i++) {
        exch_wr_u32(w, t->sort.keys[i].tag);
        exch_wr_u8(w, t->sort.keys[i].order);
    }

    exch_wr_counted(w, 4, &t->res);
    exch_wr_u32(w, t->pos);
    exch_wr_u32(w, t->next_bookmark);
    exch_wr_u32(w, t->nbookmarks);

    for (i = 0; i < t->nbookmarks; i++) {
        exch_wr_u32(w, t->bookmarks[i].id);
        exch_wr_u64(w, t->bookmarks[i].row);
        exch_wr_u32(w, t->bookmarks[i].inst);
        exch_wr_u32(w, t->bookmarks[i].pos);
    }

    exch_wr_u32(w, t->ntoggled);

    for (i = 0; i < t->ntoggled; i++) {
        exch_wr_u64(w, t->toggled[i]);
    }

    return w->err;
}


static int
exch_ems_table_decode(exch_ems_t *e, exch_rd_t *r, exch_ems_table_t *t)
{
    uint8_t   has_cols;
    uint32_t  i;

    exch_rd_u8(r, &t->kind);
    exch_rd_u8(r, &t->flags);
    exch_rd_u8(r, &t->status);
    exch_rd_u64(r, &t->fid);
    exch_rd_u8(r, &has_cols);
    t->has_cols = has_cols ? 1 : 0;
    exch_rd_u32(r, &t->cols.n);

    if (exch_rd_count_ok(r, t->cols.n, 4) != EXCH_OK) {
        return r->err;
    }

    t->cols.tags = exch_rd_alloc(r, t->cols.n ? t->cols.n : 1,
                                 sizeof(uint32_t));

    for (i = 0; i < t->cols.n && r->err == EXCH_OK; i++) {
        exch_rd_u32(r, &t->cols.tags[i]);
    }

    exch_rd_u16(r, &t->sort.n);
    exch_rd_u16(r, &t->sort.ncategories);
    exch_rd_u16(r, &t->sort.nexpanded);

    if (exch_rd_count_ok(r, t->sort.n, 5) != EXCH_OK) {
        return r->err;
    }

    t->sort.keys = exch_rd_alloc(r, t->sort.n ? t->sort.n : 1,
                                 sizeof(exs_sort_t));

    for (i = 0; i < t->sort.n && r->err == EXCH_OK; i++) {
        exch_rd_u32(r, &t->sort.keys[i].tag);
        exch_rd_u8(r, &t->sort.keys[i].order);
    }

    exch_rd_counted(r, 4, &t->res);
    exch_rd_u32(r, &t->pos);
    exch_rd_u32(r, &t->next_bookmark);
    exch_rd_u32(r, &t->nbookmarks);

    if (exch_rd_count_ok(r, t->nbookmarks, 20) != EXCH_OK) {
        return r->err;
    }

    t->bookmarks = exch_rd_alloc(r, t->nbookmarks + 1,
                                 sizeof(exch_ems_bookmark_t));

    for (i = 0; i < t->nbookmarks && r->err == EXCH_OK; i++) {
        exch_rd_u32(r, &t->bookmarks[i].id);
        exch_rd_u64(r, &t->bookmarks[i].row);
        exch_rd_u32(r, &t->bookmarks[i].inst);
        exch_rd_u32(r, &t->bookmarks[i].pos);
    }

    exch_rd_u32(r, &t->ntoggled);

    if (exch_rd_count_ok(r, t->ntoggled, 8) != EXCH_OK) {
        return r->err;
    }

    t->toggled = exch_rd_alloc(r, t->ntoggled + 1, sizeof(uint64_t));

    for (i = 0; i < t->ntoggled && r->err == EXCH_OK; i++) {
        exch_rd_u64(r, &t->toggled[i]);
    }

    (void) e;

    return r->err;
}


/* objects */

exch_ems_obj_t *
exch_ems_obj_new(exch_ems_t *e, uint8_t type, exch_ems_obj_t *parent,
    uint8_t logon_id)
{
    exch_ems_obj_t      *obj, **objs;
    exch_ems_session_t  *s;

    s = e->s;

    if (s->nobjs >= e->conf->max_objects
        || s->next_handle == EXCH_EMS_INVALID_HANDLE)
    {
        return NULL;
    }

    if (s->nobjs == s->cap) {
        objs = exs_alloc(e->a, (s->cap * 2 + 8) * sizeof(exch_ems_obj_t *));
        if (objs == NULL) {
            return NULL;
        }

        if (s->nobjs) {
            memcpy(objs, s->objs, s->nobjs * sizeof(exch_ems_obj_t *));
        }

        s->objs = objs;
        s->cap = s->cap * 2 + 8;
    }

    obj = exs_calloc(e->a, sizeof(exch_ems_obj_t));
    if (obj == NULL) {
        return NULL;
    }

    obj->handle = s->next_handle++;
    obj->parent = parent ? parent->handle : 0;
    obj->type = type;
    obj->logon_id = logon_id;

    s->objs[s->nobjs++] = obj;
    s->dirty = 1;

    return obj;
}


exch_ems_obj_t *
exch_ems_obj_get(exch_ems_t *e, uint32_t handle)
{
    uint32_t  i;

    if (handle == 0 || handle == EXCH_EMS_INVALID_HANDLE) {
        return NULL;
    }

    for (i = 0; i < e->s->nobjs; i++) {
        if (e->s->objs[i]->handle == handle) {
            return e->s->objs[i];
        }
    }

    return NULL;
}


exch_ems_obj_t *
exch_ems_obj_logon(exch_ems_t *e, uint8_t logon_id)
{
    uint32_t  i;

    for (i = 0; i < e->s->nobjs; i++) {
        if (e->s->objs[i]->type == EXCH_EMS_LOGON
            && e->s->objs[i]->logon_id == logon_id)
        {
            return e->s->objs[i];
        }
    }

    return NULL;
}


exch_ems_obj_t *
exch_ems_parent(exch_ems_t *e, exch_ems_obj_t *obj)
{
    return obj->parent ? exch_ems_obj_get(e, obj->parent) : NULL;
}


void
exch_ems_obj_release(exch_ems_t *e, exch_ems_obj_t *obj)
{
    uint32_t             i, handle;
    exch_ems_session_t  *s;

    s = e->s;
    handle = obj->handle;

    /* the children first; each removal shifts the array */

    for (i = 0; i < s->nobjs; /* void */) {
        if (s->objs[i]->parent == handle && s->objs[i] != obj) {
            exch_ems_obj_release(e, s->objs[i]);
            i = 0;
            continue;
        }

        i++;
    }

    if ((obj->type == EXCH_EMS_MESSAGE
         && (obj->u.message.flags & EXCH_EMS_HAS_WC))
        || (obj->type == EXCH_EMS_ATTACH
            && (obj->u.attach.flags & EXCH_EMS_HAS_WC)))
    {
        (void) exch_ems_gone(e, handle, 1);
    }

    if (obj->type == EXCH_EMS_STREAM
        && (obj->u.stream.flags & EXCH_EMS_STREAM_LOADED))
    {
        (void) exch_ems_gone(e, handle,
                             (uint32_t) (1 + (obj->u.stream.size
                                              + EXCH_EMS_CHUNK - 1)
                                             / EXCH_EMS_CHUNK));
    }

    obj->wc_dirty = 0;

    for (i = 0; i < s->nobjs; i++) {
        if (s->objs[i] == obj) {
            memmove(&s->objs[i], &s->objs[i + 1],
                    (s->nobjs - i - 1) * sizeof(exch_ems_obj_t *));
            s->nobjs--;
            break;
        }
    }

    s->dirty = 1;
}


static int
exch_ems_gone(exch_ems_t *e, uint32_t handle, uint32_t parts)
{
    uint64_t  *g;

    if (e->ngone == e->gone_cap) {
        g = exs_alloc(e->a, (e->gone_cap * 2 + 8) * sizeof(uint64_t));
        if (g == NULL) {
            return EXS_NOMEM;
        }

        if (e->ngone) {
            memcpy(g, e->gone, e->ngone * sizeof(uint64_t));
        }

        e->gone = g;
        e->gone_cap = e->gone_cap * 2 + 8;
    }

    e->gone[e->ngone++] = (uint64_t) handle << 32 | parts;

    return EXS_OK;
}


static void
exch_ems_drop_parts(exch_ems_t *e)
{
    uint8_t   key[28];
    uint32_t  i, j, parts;

    for (i = 0; i < e->ngone; i++) {
        parts = (uint32_t) e->gone[i];

        for (j = 0; j < parts; j++) {
            exch_ems_obj_key(e, (uint32_t) (e->gone[i] >> 32), j, key);
            (void) exs_state_del(e->env, EXS_NS_EMSMDB_OBJECT, key, 28);
        }
    }

    e->ngone = 0;
}


static void
exch_ems_obj_key(exch_ems_t *e, uint32_t handle, uint32_t part,
    uint8_t *key)
{
    memcpy(key, e->s->key, 20);
    key[20] = (uint8_t) (handle >> 24);
    key[21] = (uint8_t) (handle >> 16);
    key[22] = (uint8_t) (handle >> 8);
    key[23] = (uint8_t) handle;
    key[24] = (uint8_t) (part >> 24);
    key[25] = (uint8_t) (part >> 16);
    key[26] = (uint8_t) (part >> 8);
    key[27] = (uint8_t) part;
}


/* working copies */

int
exch_ems_wc_load(exch_ems_t *e, exch_ems_obj_t *obj)
{
    int        rc;
    uint8_t    key[28], format, has;
    exs_bin_t  val;
    exch_rd_t  r;

    if (obj->wc || obj->awc) {
        return EXS_OK;
    }

    exch_ems_obj_key(e, obj->handle, 0, key);

    rc = exs_state_get(e->env, EXS_NS_EMSMDB_OBJECT, key, 28, &val, NULL,
                       e->a);
    if (rc != EXS_OK) {
        return rc;
    }

    exch_rd_init(&r, val.data, val.len, e->a, 0);
    exch_rd_u8(&r, &format);
    exch_rd_u8(&r, &has);

    if (r.err != EXCH_OK || format != EXCH_EMS_WC_FORMAT) {
        return EXS_CORRUPT;
    }

    if (obj->type == EXCH_EMS_ATTACH) {
        obj->awc = exs_calloc(e->a, sizeof(exs_attach_t));
        if (obj->awc == NULL) {
            return EXS_NOMEM;
        }

        rc = exch_ems_attach_decode(&r, obj->awc, 0);

    } else {
        obj->wc = exs_msg_create(e->a);
        if (obj->wc == NULL) {
            return EXS_NOMEM;
        }

        rc = exch_ems_msg_decode(&r, obj->wc, 0);
    }

    if (rc != EXCH_OK || exch_rd_left(&r) != 0) {
        obj->wc = NULL;
        obj->awc = NULL;
        return rc == EXCH_ERR_NOMEM ? EXS_NOMEM : EXS_CORRUPT;
    }

    return EXS_OK;
}


int
exch_ems_wc_store(exch_ems_t *e, exch_ems_obj_t *obj)
{
    int        rc;
    uint8_t    key[28];
    exch_wr_t  w;

    if (!obj->wc_dirty) {
        return EXS_OK;
    }

    if (exch_wr_init_grow(&w, e->a, 4096, (size_t) 1 << 31) != EXCH_OK) {
        return EXS_NOMEM;
    }

    exch_wr_u8(&w, EXCH_EMS_WC_FORMAT);
    exch_wr_u8(&w, 1);

    if (obj->type == EXCH_EMS_ATTACH) {
        rc = obj->awc ? exch_ems_attach_encode(&w, obj->awc) : EXCH_ERR_FORMAT;

    } else {
        rc = obj->wc ? exch_ems_msg_encode(&w, obj->wc) : EXCH_ERR_FORMAT;
    }

    if (rc != EXCH_OK) {
        return rc == EXCH_ERR_NOMEM ? EXS_NOMEM : EXS_ERROR;
    }

    exch_ems_obj_key(e, obj->handle, 0, key);

    rc = exs_state_put(e->env, EXS_NS_EMSMDB_OBJECT, key, 28, w.buf, w.len,
                       e->now + e->conf->session_timeout
                       + EXCH_EMS_OBJ_GRACE, 0, NULL);
    if (rc != EXS_OK) {
        return rc;
    }

    obj->wc_dirty = 0;

    if (obj->type == EXCH_EMS_ATTACH) {
        if (!(obj->u.attach.flags & EXCH_EMS_HAS_WC)) {
            obj->u.attach.flags |= EXCH_EMS_HAS_WC;
            e->s->dirty = 1;
        }

    } else if (!(obj->u.message.flags & EXCH_EMS_HAS_WC)) {
        obj->u.message.flags |= EXCH_EMS_HAS_WC;
        e->s->dirty = 1;
    }

    return EXS_OK;
}


void
exch_ems_wc_drop(exch_ems_t *e, exch_ems_obj_t *obj)
{
    uint8_t  *flags;

    flags = obj->type == EXCH_EMS_ATTACH ? &obj->u.attach.flags
                                         : &obj->u.message.flags;

    if (*flags & EXCH_EMS_HAS_WC) {
        (void) exch_ems_gone(e, obj->handle, 1);
        *flags &= ~EXCH_EMS_HAS_WC;
        e->s->dirty = 1;
    }

    obj->wc = NULL;
    obj->awc = NULL;
    obj->wc_dirty = 0;
}


/* stream chunks: part 1 + n */

int
exch_ems_chunk_get(exch_ems_t *e, exch_ems_obj_t *obj, uint32_t n,
    exs_bin_t *out)
{
    int      rc;
    uint8_t  key[28];

    exch_ems_obj_key(e, obj->handle, n + 1, key);

    rc = exs_state_get(e->env, EXS_NS_EMSMDB_OBJECT, key, 28, out, NULL,
                       e->a);
    if (rc == EXS_NOTFOUND) {
        out->data = NULL;
        out->len = 0;
        return EXS_OK;
    }

    return rc;
}


int
exch_ems_chunk_put(exch_ems_t *e, exch_ems_obj_t *obj, uint32_t n,
    const void *data, size_t len)
{
    uint8_t  key[28];

    exch_ems_obj_key(e, obj->handle, n + 1, key);

    return exs_state_put(e->env, EXS_NS_EMSMDB_OBJECT, key, 28, data, len,
                         e->now + e->conf->session_timeout
                         + EXCH_EMS_OBJ_GRACE, 0, NULL);
}


void
exch_ems_chunks_drop(exch_ems_t *e, exch_ems_obj_t *obj)
{
    if (obj->u.stream.flags & EXCH_EMS_STREAM_LOADED) {
        (void) exch_ems_gone(e, obj->handle,
                             (uint32_t) (1 + (obj->u.stream.size
                                              + EXCH_EMS_CHUNK - 1)
                                             / EXCH_EMS_CHUNK));
    }
}


/*
 * Property bags in working copies: count, then per value its tag and its
 * bytes; variable-sized values and multi-values carry a 4-byte count.
 * Unlike the wire forms this one has a single context, so what goes in
 * comes out the same.
 */

int
exch_ems_props_encode(exch_wr_t *w, const exs_props_t *props)
{
    uint32_t  i;

    exch_wr_u32(w, props->n);

    for (i = 0; i < props->n && w->err == EXCH_OK; i++) {
        exch_ems_prop_encode(w, &props->v[i]);
    }

    return w->err;
}


int
exch_ems_props_decode(exch_rd_t *r, exs_props_t *props)
{
    uint32_t  i, n;

    exch_rd_u32(r, &n);

    if (exch_rd_count_ok(r, n, 4) != EXCH_OK) {
        return r->err;
    }

    props->n = 0;
    props->cap = n;
    props->v = exch_rd_alloc(r, n ? n : 1, sizeof(exs_prop_t));

    for (i = 0; i < n && r->err == EXCH_OK; i++) {
        if (exch_ems_prop_decode(r, &props->v[i]) == EXCH_OK) {
            props->n++;
        }
    }

    return r->err;
}


static int
exch_ems_prop_encode(exch_wr_t *w, const exs_prop_t *p)
{
    uint16_t  type;
    uint32_t  i;

    exch_wr_u32(w, p->tag);
    type = PROP_TYPE(p->tag);

    if (type & PT_MV) {
        exch_wr_u32(w, p->v.mv.n);

        for (i = 0; i < p->v.mv.n && w->err == EXCH_OK; i++) {
            exch_ems_value_encode(w, type & ~(PT_MV | PT_MV_INSTANCE), p, i);
        }

        return w->err;
    }

    return exch_ems_value_encode(w, type, p, UINT32_MAX);
}


static int
exch_ems_value_encode(exch_wr_t *w, uint16_t type, const exs_prop_t *p,
    uint32_t i)
{
    int       mv;
    exs_bin_t b;

    mv = i != UINT32_MAX;

    switch (type) {

    case PT_NULL:
    case PT_UNSPECIFIED:
        return w->err;

    case PT_SHORT:
        return exch_wr_u16(w, (uint16_t) (mv ? p->v.mv.v.i[i] : p->v.i));

    case PT_LONG:
    case PT_ERROR:
        return exch_wr_u32(w, (uint32_t) (mv ? p->v.mv.v.l[i] : p->v.l));

    case PT_FLOAT:
        return exch_wr_f32(w, mv ? p->v.mv.v.f[i] : p->v.f);

    case PT_DOUBLE:
    case PT_APPTIME:
        return exch_wr_f64(w, mv ? p->v.mv.v.d[i] : p->v.d);

    case PT_CURRENCY:
    case PT_I8:
    case PT_SYSTIME:
        return exch_wr_u64(w, (uint64_t) (mv ? p->v.mv.v.ll[i] : p->v.ll));

    case PT_BOOLEAN:
        return exch_wr_u8(w, p->v.b ? 1 : 0);

    case PT_STRING8:
    case PT_UNICODE:
        b.data = (const uint8_t *) (mv ? p->v.mv.v.str[i].data
                                       : p->v.str.data);
        b.len = mv ? p->v.mv.v.str[i].len : p->v.str.len;
        return exch_wr_counted(w, 4, &b);

    default:
        return exch_wr_counted(w, 4, mv ? &p->v.mv.v.bin[i] : &p->v.bin);
    }
}


static int
exch_ems_prop_decode(exch_rd_t *r, exs_prop_t *p)
{
    uint16_t  type, base;
    size_t    size;
    uint32_t  i, n;

    memset(p, 0, sizeof(exs_prop_t));
    exch_rd_u32(r, &p->tag);
    type = PROP_TYPE(p->tag);

    if (r->err != EXCH_OK) {
        return r->err;
    }

    if (!(type & PT_MV)) {
        return exch_ems_value_decode(r, type, p, UINT32_MAX);
    }

    base = type & ~(PT_MV | PT_MV_INSTANCE);

    switch (base) {
    case PT_SHORT:
        size = sizeof(int16_t);
        break;
    case PT_LONG:
    case PT_FLOAT:
        size = 4;
        break;
    case PT_DOUBLE:
    case PT_APPTIME:
    case PT_CURRENCY:
    case PT_I8:
    case PT_SYSTIME:
        size = 8;
        break;
    case PT_STRING8:
    case PT_UNICODE:
        size = sizeof(exs_str_t);
        break;
    default:
        size = sizeof(exs_bin_t);
        break;
    }

    exch_rd_u32(r, &n);

    if (exch_rd_count_ok(r, n, 1) != EXCH_OK) {
        return r->err;
    }

    p->v.mv.n = n;
    p->v.mv.v.p = exch_rd_alloc(r, n ? n : 1, size);

    for (i = 0; i < n && r->err == EXCH_OK; i++) {
        exch_ems_value_decode(r, base, p, i);
    }

    return r->err;
}


static int
exch_ems_value_decode(exch_rd_t *r, uint16_t type, exs_prop_t *p,
    uint32_t i)
{
    int        mv;
    uint8_t    b8;
    uint16_t   v16;
    uint32_t   v32;
    uint64_t   v64;
    exs_bin_t  b;
    char      *s;

    mv = i != UINT32_MAX;

    switch (type) {

    case PT_NULL:
    case PT_UNSPECIFIED:
        return r->err;

    case PT_SHORT:
        exch_rd_u16(r, &v16);
        if (mv) {
            p->v.mv.v.i[i] = (int16_t) v16;
        } else {
            p->v.i = (int16_t) v16;
        }
        return r->err;

    case PT_LONG:
    case PT_ERROR:
        exch_rd_u32(r, &v32);
        if (mv) {
            p->v.mv.v.l[i] = (int32_t) v32;
        } else {
            p->v.l = (int32_t) v32;
        }
        return r->err;

    case PT_FLOAT:
        return exch_rd_f32(r, mv ? &p->v.mv.v.f[i] : &p->v.f);

    case PT_DOUBLE:
    case PT_APPTIME:
        return exch_rd_f64(r, mv ? &p->v.mv.v.d[i] : &p->v.d);

    case PT_CURRENCY:
    case PT_I8:
    case PT_SYSTIME:
        exch_rd_u64(r, &v64);
        if (mv) {
            p->v.mv.v.ll[i] = (int64_t) v64;
        } else {
            p->v.ll = (int64_t) v64;
        }
        return r->err;

    case PT_BOOLEAN:
        exch_rd_u8(r, &b8);
        p->v.b = b8 ? 1 : 0;
        return r->err;

    case PT_STRING8:
    case PT_UNICODE:
        if (exch_rd_counted(r, 4, &b) != EXCH_OK) {
            return r->err;
        }

        s = exch_rd_alloc(r, b.len + 1, 1);
        if (s == NULL) {
            return r->err;
        }

        if (b.len) {
            memcpy(s, b.data, b.len);
        }

        s[b.len] = '\0';

        if (mv) {
            p->v.mv.v.str[i].data = s;
            p->v.mv.v.str[i].len = b.len;

        } else {
            p->v.str.data = s;
            p->v.str.len = b.len;
        }

        return r->err;

    default:
        if (exch_rd_counted(r, 4, &b) != EXCH_OK) {
            return r->err;
        }

        if (mv) {
            p->v.mv.v.bin[i] = b;
        } else {
            p->v.bin = b;
        }

        return r->err;
    }
}


int
exch_ems_msg_encode(exch_wr_t *w, const exs_msg_t *msg)
{
    uint32_t  i;

    exch_ems_props_encode(w, &msg->props);
    exch_wr_u32(w, msg->nrcpts);

    for (i = 0; i < msg->nrcpts && w->err == EXCH_OK; i++) {
        exch_ems_props_encode(w, &msg->rcpts[i].props);
    }

    exch_wr_u32(w, msg->natts);

    for (i = 0; i < msg->natts && w->err == EXCH_OK; i++) {
        exch_ems_attach_encode(w, &msg->atts[i]);
    }

    return w->err;
}


int
exch_ems_msg_decode(exch_rd_t *r, exs_msg_t *msg, unsigned depth)
{
    uint32_t  i, n;

    if (depth > EXCH_EMS_MAX_DEPTH) {
        return exch_rd_fail(r, EXCH_ERR_DEPTH);
    }

    exch_ems_props_decode(r, &msg->props);
    exch_rd_u32(r, &n);

    if (exch_rd_count_ok(r, n, 4) != EXCH_OK) {
        return r->err;
    }

    msg->rcpts = exch_rd_alloc(r, n ? n : 1, sizeof(exs_rcpt_t));
    msg->rcpts_cap = n;

    for (i = 0; i < n && r->err == EXCH_OK; i++) {
        exch_ems_props_decode(r, &msg->rcpts[i].props);
    }

    msg->nrcpts = r->err == EXCH_OK ? n : 0;

    exch_rd_u32(r, &n);

    if (exch_rd_count_ok(r, n, 5) != EXCH_OK) {
        return r->err;
    }

    msg->atts = exch_rd_alloc(r, n ? n : 1, sizeof(exs_attach_t));
    msg->atts_cap = n;

    for (i = 0; i < n && r->err == EXCH_OK; i++) {
        exch_ems_attach_decode(r, &msg->atts[i], depth);
    }

    msg->natts = r->err == EXCH_OK ? n : 0;

    return r->err;
}


static int
exch_ems_attach_encode(exch_wr_t *w, const exs_attach_t *att)
{
    exch_ems_props_encode(w, &att->props);
    exch_wr_u8(w, att->embedded ? 1 : 0);

    if (att->embedded) {
        exch_ems_msg_encode(w, att->embedded);
    }

    return w->err;
}


static int
exch_ems_attach_decode(exch_rd_t *r, exs_attach_t *att, unsigned depth)
{
    uint8_t  has;

    exch_ems_props_decode(r, &att->props);
    exch_rd_u8(r, &has);
    att->embedded = NULL;

    if (r->err == EXCH_OK && has) {
        att->embedded = exs_msg_create(r->arena);
        if (att->embedded == NULL) {
            return exch_rd_fail(r, EXCH_ERR_NOMEM);
        }

        exch_ems_msg_decode(r, att->embedded, depth + 1);
    }

    return r->err;
}
