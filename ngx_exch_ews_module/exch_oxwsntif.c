
/*
 * exch EWS: notifications, MS-OXWSNTIF (exch_oxwsntif.h): the subscription
 * records and their text forms, the Subscribe, GetEvents, Unsubscribe and
 * GetStreamingEvents operations, and the XML of notifications for the
 * three kinds of subscription.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include <libxml/parser.h>

#include "exch_ews_ops.h"
#include "exch_oxwsntif.h"


#define EXCH_SUB_MAGIC          "EXN1"
#define EXCH_SUB_FIXED          (4 + 1 + 1 + 2 + 1 + 4 + 4 + 8 + 8 + 8 + 4   \
                                 + 4 + 8 + 8 + 8 + 4 + 2)
#define EXCH_WM_LEN             16


typedef struct {
    const char               *name;
    uint16_t                  bit;
} exch_ews_evt_name_t;


typedef struct {
    const char               *type;
    const exch_event_t       *ev;
} exch_ews_out_t;


static const exch_ews_evt_name_t  exch_ews_evt_names[] = {
    { "CopiedEvent", EXCH_EWS_EVT_COPIED },
    { "CreatedEvent", EXCH_EWS_EVT_CREATED },
    { "DeletedEvent", EXCH_EWS_EVT_DELETED },
    { "ModifiedEvent", EXCH_EWS_EVT_MODIFIED },
    { "MovedEvent", EXCH_EWS_EVT_MOVED },
    { "NewMailEvent", EXCH_EWS_EVT_NEW_MAIL },
    { "FreeBusyChangedEvent", EXCH_EWS_EVT_FREE_BUSY },
    { NULL, 0 }
};


static void exch_put16(uint8_t *p, uint16_t v);
static void exch_put32(uint8_t *p, uint32_t v);
static void exch_put64(uint8_t *p, uint64_t v);
static uint16_t exch_get16(const uint8_t *p);
static uint32_t exch_get32(const uint8_t *p);
static uint64_t exch_get64(const uint8_t *p);
static void exch_ews_filter(const exch_ews_sub_t *s, exch_event_filter_t *f);
static int exch_ews_event_write(exch_ews_t *ews, exch_ews_mbox_t *m,
    const exch_event_t *ev, const char *type, const char *wm);
static int exch_ews_object_id(exch_ews_t *ews, exch_ews_mbox_t *m,
    const char *elem, int folder, exs_id_t fid, exs_id_t mid);
static exch_ews_code_t exch_ews_subscribe_one(exch_ews_t *ews,
    xmlNodePtr sr, int kind, exch_ews_sub_t *s);
static exch_ews_code_t exch_ews_sub_of(exch_ews_t *ews, xmlNodePtr node,
    exch_ews_sub_t *s);
static int64_t exch_ews_now(void);


/* little-endian fields of the record */

static void
exch_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t) v;
    p[1] = (uint8_t) (v >> 8);
}


static void
exch_put32(uint8_t *p, uint32_t v)
{
    exch_put16(p, (uint16_t) v);
    exch_put16(p + 2, (uint16_t) (v >> 16));
}


static void
exch_put64(uint8_t *p, uint64_t v)
{
    exch_put32(p, (uint32_t) v);
    exch_put32(p + 4, (uint32_t) (v >> 32));
}


static uint16_t
exch_get16(const uint8_t *p)
{
    return (uint16_t) (p[0] | p[1] << 8);
}


static uint32_t
exch_get32(const uint8_t *p)
{
    return (uint32_t) exch_get16(p) | (uint32_t) exch_get16(p + 2) << 16;
}


static uint64_t
exch_get64(const uint8_t *p)
{
    return (uint64_t) exch_get32(p) | (uint64_t) exch_get32(p + 4) << 32;
}


static int64_t
exch_ews_now(void)
{
    return exs_filetime_to_unix(exs_filetime_now());
}


void
exch_ews_sub_encode(const exch_ews_sub_t *s, exch_buf_t *out)
{
    size_t    len;
    uint8_t  *p, *q;
    uint16_t  i, n;

    n = s->nfolders;
    len = EXCH_SUB_FIXED + (size_t) n * 8 + 2 + s->url_len + 2
          + s->caller_data_len;

    p = malloc(len);
    if (p == NULL) {
        out->nomem = 1;
        return;
    }

    q = p;
    memcpy(q, EXCH_SUB_MAGIC, 4);
    q[4] = s->kind;
    q[5] = s->flags;
    exch_put16(q + 6, s->events);
    q[8] = s->version;
    exch_put32(q + 9, s->user);
    exch_put32(q + 13, s->mailbox);
    exch_put64(q + 17, s->cn);
    exch_put64(q + 25, (uint64_t) s->created);
    exch_put64(q + 33, (uint64_t) s->used);
    exch_put32(q + 41, s->timeout);
    exch_put32(q + 45, s->lease_pid);
    exch_put64(q + 49, (uint64_t) s->lease_until);
    exch_put64(q + 57, (uint64_t) s->last_sent);
    exch_put64(q + 65, (uint64_t) s->fail_since);
    exch_put32(q + 73, s->retry);
    exch_put16(q + 77, n);
    q += EXCH_SUB_FIXED;

    for (i = 0; i < n; i++) {
        exch_put64(q, s->folders[i]);
        q += 8;
    }

    exch_put16(q, (uint16_t) s->url_len);
    if (s->url_len) {
        memcpy(q + 2, s->url, s->url_len);
    }
    q += 2 + s->url_len;

    exch_put16(q, (uint16_t) s->caller_data_len);
    if (s->caller_data_len) {
        memcpy(q + 2, s->caller_data, s->caller_data_len);
    }

    exch_buf_add(out, p, len);
    free(p);
}


int
exch_ews_sub_decode(const uint8_t *p, size_t len, exch_ews_sub_t *s,
    exs_arena_t *a)
{
    char      *str;
    size_t     off, n;
    uint16_t   i;

    memset(s, 0, sizeof(exch_ews_sub_t));

    if (len < EXCH_SUB_FIXED || memcmp(p, EXCH_SUB_MAGIC, 4) != 0) {
        return EXS_CORRUPT;
    }

    s->kind = p[4];
    s->flags = p[5];
    s->events = exch_get16(p + 6);
    s->version = p[8];
    s->user = exch_get32(p + 9);
    s->mailbox = exch_get32(p + 13);
    s->cn = exch_get64(p + 17);
    s->created = (int64_t) exch_get64(p + 25);
    s->used = (int64_t) exch_get64(p + 33);
    s->timeout = exch_get32(p + 41);
    s->lease_pid = exch_get32(p + 45);
    s->lease_until = (int64_t) exch_get64(p + 49);
    s->last_sent = (int64_t) exch_get64(p + 57);
    s->fail_since = (int64_t) exch_get64(p + 65);
    s->retry = exch_get32(p + 73);
    s->nfolders = exch_get16(p + 77);

    if (s->kind < EXCH_EWS_SUB_PULL || s->kind > EXCH_EWS_SUB_STREAMING
        || s->nfolders > EXCH_EWS_SUB_FOLDERS_MAX
        || s->version > EXCH_EWS_VLAST)
    {
        return EXS_CORRUPT;
    }

    off = EXCH_SUB_FIXED;

    if ((len - off) / 8 < s->nfolders) {
        return EXS_CORRUPT;
    }

    s->folders = exs_alloc(a, (s->nfolders + 1) * sizeof(exs_id_t));
    if (s->folders == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < s->nfolders; i++) {
        s->folders[i] = exch_get64(p + off);
        off += 8;
    }

    for (i = 0; i < 2; i++) {
        if (len - off < 2) {
            return EXS_CORRUPT;
        }

        n = exch_get16(p + off);
        off += 2;

        if (len - off < n
            || n > (i == 0 ? EXCH_EWS_SUB_URL_MAX : EXCH_EWS_SUB_DATA_MAX))
        {
            return EXS_CORRUPT;
        }

        str = exs_alloc(a, n + 1);
        if (str == NULL) {
            return EXS_NOMEM;
        }

        memcpy(str, p + off, n);
        str[n] = '\0';
        off += n;

        if (i == 0) {
            s->url = str;
            s->url_len = n;

        } else {
            s->caller_data = str;
            s->caller_data_len = n;
        }
    }

    return off == len ? EXS_OK : EXS_CORRUPT;
}


/* pull: Timeout minutes after the last GetEvents; streaming: half an hour
 * after the last connection; push: while the client answers */

int64_t
exch_ews_sub_expires(const exch_ews_sub_t *s)
{
    switch (s->kind) {
    case EXCH_EWS_SUB_PULL:
        return s->used + (int64_t) s->timeout * 60;
    case EXCH_EWS_SUB_STREAMING:
        return s->used + EXCH_EWS_STREAM_IDLE;
    default:
        return 0;
    }
}


int
exch_ews_sub_load(exs_env_t *env, const uint8_t *id, exch_ews_sub_t *s,
    exs_arena_t *a)
{
    int        rc;
    uint64_t   version;
    exs_bin_t  val;

    rc = exs_state_get(env, EXCH_NS_EWS_SUB, id, EXCH_EWS_SUB_ID_LEN, &val,
                       &version, a);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exch_ews_sub_decode(val.data, val.len, s, a);
    if (rc != EXS_OK) {
        return rc;
    }

    memcpy(s->id, id, EXCH_EWS_SUB_ID_LEN);
    s->version_state = version;

    return EXS_OK;
}


int
exch_ews_sub_save(exs_env_t *env, exch_ews_sub_t *s)
{
    int         rc;
    uint64_t    version;
    exch_buf_t  b;

    exch_buf_init(&b);
    exch_ews_sub_encode(s, &b);

    if (b.nomem) {
        exch_buf_free(&b);
        return EXS_NOMEM;
    }

    rc = exs_state_put(env, EXCH_NS_EWS_SUB, s->id, EXCH_EWS_SUB_ID_LEN,
                       b.data, b.len, exch_ews_sub_expires(s),
                       s->version_state, &version);

    exch_buf_free(&b);

    if (rc == EXS_OK) {
        s->version_state = version;
    }

    return rc;
}


int
exch_ews_sub_lapsed(exs_env_t *env, const uint8_t *id, int64_t now)
{
    int64_t  expires;

    if (exs_state_expiry(env, EXCH_NS_EWS_SUB, id, EXCH_EWS_SUB_ID_LEN,
                         &expires)
        != EXS_OK)
    {
        return 0;
    }

    return expires != 0 && expires <= now;
}


int
exch_ews_sub_delete(exs_env_t *env, const uint8_t *id)
{
    return exs_state_del(env, EXCH_NS_EWS_SUB, id, EXCH_EWS_SUB_ID_LEN);
}


int
exch_ews_sub_push_ids(exs_env_t *env, uint8_t (**ids)[EXCH_EWS_SUB_ID_LEN],
    uint32_t *n, exs_arena_t *a)
{
    int         rc;
    uint8_t     prefix, (*out)[EXCH_EWS_SUB_ID_LEN];
    uint32_t    nkeys, i;
    exs_bin_t  *keys;

    *ids = NULL;
    *n = 0;
    prefix = EXCH_EWS_SUB_PUSH;

    rc = exs_state_keys(env, EXCH_NS_EWS_SUB, &prefix, 1, &keys, &nkeys, a);
    if (rc != EXS_OK || nkeys == 0) {
        return rc;
    }

    out = exs_alloc(a, nkeys * EXCH_EWS_SUB_ID_LEN);
    if (out == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < nkeys; i++) {
        if (keys[i].len == EXCH_EWS_SUB_ID_LEN) {
            memcpy(out[*n], keys[i].data, EXCH_EWS_SUB_ID_LEN);
            (*n)++;
        }
    }

    *ids = out;

    return EXS_OK;
}


/* text forms */

char *
exch_ews_sub_id_str(const uint8_t *id, exs_arena_t *a)
{
    char    *s;
    size_t   n;

    n = exch_base64_encoded_len(EXCH_EWS_SUB_ID_LEN);

    s = exs_alloc(a, n + 1);
    if (s == NULL) {
        return NULL;
    }

    exch_base64_encode(id, EXCH_EWS_SUB_ID_LEN, s);
    s[n] = '\0';

    return s;
}


int
exch_ews_sub_id_parse(const char *s, size_t len, uint8_t *id)
{
    size_t   n;
    uint8_t  raw[32];

    if (len == 0 || len > 32
        || exch_base64_decode(s, len, raw, &n) != 0
        || n != EXCH_EWS_SUB_ID_LEN
        || raw[0] < EXCH_EWS_SUB_PULL || raw[0] > EXCH_EWS_SUB_STREAMING)
    {
        return EXS_INVALID;
    }

    memcpy(id, raw, EXCH_EWS_SUB_ID_LEN);

    return EXS_OK;
}


char *
exch_ews_watermark_str(uint32_t mailbox, uint64_t cn, exs_arena_t *a)
{
    char     *s;
    size_t    n;
    uint8_t   raw[EXCH_WM_LEN];
    unsigned  i;

    memcpy(raw, "EXW", 3);
    raw[3] = 1;

    for (i = 0; i < 4; i++) {
        raw[4 + i] = (uint8_t) (mailbox >> (24 - 8 * i));
    }

    for (i = 0; i < 8; i++) {
        raw[8 + i] = (uint8_t) (cn >> (56 - 8 * i));
    }

    n = exch_base64_encoded_len(EXCH_WM_LEN);

    s = exs_alloc(a, n + 1);
    if (s == NULL) {
        return NULL;
    }

    exch_base64_encode(raw, EXCH_WM_LEN, s);
    s[n] = '\0';

    return s;
}


int
exch_ews_watermark_parse(const char *s, size_t len, uint32_t *mailbox,
    uint64_t *cn)
{
    size_t    n;
    uint8_t   raw[32];
    unsigned  i;

    if (len == 0 || len > 32 || exch_base64_decode(s, len, raw, &n) != 0
        || n != EXCH_WM_LEN || memcmp(raw, "EXW", 3) != 0 || raw[3] != 1)
    {
        return EXS_INVALID;
    }

    *mailbox = 0;
    *cn = 0;

    for (i = 0; i < 4; i++) {
        *mailbox = *mailbox << 8 | raw[4 + i];
    }

    for (i = 0; i < 8; i++) {
        *cn = *cn << 8 | raw[8 + i];
    }

    return EXS_OK;
}


uint16_t
exch_ews_event_type(const char *name)
{
    const exch_ews_evt_name_t  *e;

    if (name == NULL) {
        return 0;
    }

    for (e = exch_ews_evt_names; e->name; e++) {
        if (strcmp(e->name, name) == 0) {
            return e->bit;
        }
    }

    return 0;
}


/* the notification XML */

static void
exch_ews_filter(const exch_ews_sub_t *s, exch_event_filter_t *f)
{
    memset(f, 0, sizeof(exch_event_filter_t));

    if (s->events & EXCH_EWS_EVT_COPIED) {
        f->types |= EXCH_EV_COPIED;
    }

    if (s->events & (EXCH_EWS_EVT_CREATED | EXCH_EWS_EVT_FREE_BUSY)) {
        f->types |= EXCH_EV_CREATED;
    }

    if (s->events & (EXCH_EWS_EVT_DELETED | EXCH_EWS_EVT_FREE_BUSY)) {
        f->types |= EXCH_EV_DELETED;
    }

    if (s->events & (EXCH_EWS_EVT_MODIFIED | EXCH_EWS_EVT_FREE_BUSY)) {
        f->types |= EXCH_EV_MODIFIED;
    }

    if (s->events & EXCH_EWS_EVT_MOVED) {
        f->types |= EXCH_EV_MOVED;
    }

    if (s->events & EXCH_EWS_EVT_NEW_MAIL) {
        f->types |= EXCH_EV_NEW_MAIL;
    }

    f->flags = EXCH_EVF_NO_ASSOCIATED;

    if (s->events & EXCH_EWS_EVT_MODIFIED) {
        f->flags |= EXCH_EVF_PARENTS;
    }

    if (!(s->flags & EXCH_EWS_SUB_ALL)) {
        f->nfolders = s->nfolders;
        f->folders = s->folders;
    }
}


/* an object's id; one that is gone has no change key to give */

static int
exch_ews_object_id(exch_ews_t *ews, exch_ews_mbox_t *m, const char *elem,
    int folder, exs_id_t fid, exs_id_t mid)
{
    int    rc;
    char  *id;

    if (folder) {
        rc = exch_ews_write_folder_id(ews, elem, m, fid);

    } else {
        rc = exch_ews_write_item_id(ews, elem, m, fid, mid, NULL);
    }

    if (rc != EXS_NOTFOUND) {
        return rc;
    }

    id = folder ? exch_ews_folder_id_str(ews, m, fid)
                : exch_ews_item_id_str(ews, m, fid, mid);
    if (id == NULL) {
        return EXS_NOMEM;
    }

    exch_buf_printf(&ews->out, "<t:%s Id=\"%s\"/>", elem, id);

    return EXS_OK;
}


static int
exch_ews_event_write(exch_ews_t *ews, exch_ews_mbox_t *m,
    const exch_event_t *ev, const char *type, const char *wm)
{
    int                 rc, folder;
    exs_id_t            parent;
    exs_folder_info_t   info;

    folder = (ev->object & EXCH_EVO_FOLDER) != 0;

    exch_buf_printf(&ews->out, "<t:%s>", type);
    exch_ews_elem(&ews->out, "Watermark", wm);
    exch_ews_elem_time(&ews->out, "TimeStamp", ev->time);

    rc = exch_ews_object_id(ews, m, folder ? "FolderId" : "ItemId", folder,
                            folder ? ev->id : ev->folder, ev->id);

    if (rc == EXS_OK) {
        parent = ev->folder;

        if (folder && parent == 0) {
            (void) exs_folder_parent(m->mb, ev->id, &parent);
        }

        rc = exch_ews_object_id(ews, m, "ParentFolderId", 1, parent, 0);
    }

    if (rc == EXS_OK && (ev->type == EXCH_EV_MOVED
                         || ev->type == EXCH_EV_COPIED))
    {
        rc = exch_ews_object_id(ews, m, folder ? "OldFolderId" : "OldItemId",
                                folder, folder ? ev->old_id : ev->old_folder,
                                ev->old_id);

        if (rc == EXS_OK) {
            rc = exch_ews_object_id(ews, m, "OldParentFolderId", 1,
                                    ev->old_folder, 0);
        }
    }

    if (rc == EXS_OK && folder && ev->type == EXCH_EV_MODIFIED
        && exs_folder_info(m->mb, ev->id, &info) == EXS_OK)
    {
        exch_ews_elem_int(&ews->out, "UnreadCount", info.unread);
    }

    exch_buf_printf(&ews->out, "</t:%s>", type);

    return rc;
}


int
exch_ews_notification(exch_ews_t *ews, const exch_ews_sub_t *s,
    uint64_t from, const char *elem, uint64_t *next, uint32_t *nevents,
    int *more)
{
    int                   rc;
    char                 *wm, *id;
    uint32_t              n, i, nout;
    uint64_t              mark;
    exch_event_t         *ev;
    exch_ews_out_t       *out;
    exch_ews_mbox_t      *m;
    exch_event_filter_t   f;

    *next = from;
    *nevents = 0;
    *more = 0;

    rc = exch_ews_mbox_id(ews, s->mailbox, &m);
    if (rc != EXS_OK) {
        return rc;
    }

    exch_ews_filter(s, &f);

    rc = exch_events_read(m->mb, from, &f, EXCH_EWS_EVENTS_BATCH, &ev, &n,
                          next, more, ews->a);
    if (rc != EXS_OK) {
        return rc;
    }

    /* an event may make two EWS events (a calendar item's free/busy) */

    out = exs_alloc(ews->a, (2 * n + 1) * sizeof(exch_ews_out_t));
    if (out == NULL) {
        return EXS_NOMEM;
    }

    nout = 0;

    for (i = 0; i < n; i++) {
        switch (ev[i].type) {

        case EXCH_EV_NEW_MAIL:
            out[nout].type = (s->events & EXCH_EWS_EVT_NEW_MAIL)
                             ? "NewMailEvent" : NULL;
            break;

        case EXCH_EV_CREATED:
            out[nout].type = (s->events & EXCH_EWS_EVT_CREATED)
                             ? "CreatedEvent" : NULL;
            break;

        case EXCH_EV_DELETED:
            out[nout].type = (s->events & EXCH_EWS_EVT_DELETED)
                             ? "DeletedEvent" : NULL;
            break;

        case EXCH_EV_MODIFIED:
            out[nout].type = (s->events & EXCH_EWS_EVT_MODIFIED)
                             ? "ModifiedEvent" : NULL;
            break;

        case EXCH_EV_MOVED:
            out[nout].type = "MovedEvent";
            break;

        case EXCH_EV_COPIED:
            out[nout].type = "CopiedEvent";
            break;

        default:
            out[nout].type = NULL;
            break;
        }

        if (out[nout].type) {
            out[nout++].ev = &ev[i];
        }

        /* calendar items change the owner's free/busy */

        if ((s->events & EXCH_EWS_EVT_FREE_BUSY)
            && !(ev[i].object & (EXCH_EVO_FOLDER | EXCH_EVO_PARENT))
            && (ev[i].folder == EXS_FID_CALENDAR
                || ev[i].old_folder == EXS_FID_CALENDAR)
            && ev[i].type != EXCH_EV_NEW_MAIL)
        {
            out[nout].type = "FreeBusyChangedEvent";
            out[nout++].ev = &ev[i];
        }

    }

    id = exch_ews_sub_id_str(s->id, ews->a);
    wm = exch_ews_watermark_str(s->mailbox, from, ews->a);

    if (id == NULL || wm == NULL) {
        return EXS_NOMEM;
    }

    exch_buf_printf(&ews->out, "<m:%s>", elem);
    exch_ews_elem(&ews->out, "SubscriptionId", id);
    exch_ews_elem(&ews->out, "PreviousWatermark", wm);
    exch_ews_elem_bool(&ews->out, "MoreEvents", *more);

    /* watermarks never go back, and the last one covers the whole batch:
     * changes that made no event are passed too */

    mark = from;

    for (i = 0; i < nout; i++) {
        if (out[i].ev->cn > mark) {
            mark = out[i].ev->cn;
        }

        if (i == nout - 1) {
            mark = *next;
        }

        wm = exch_ews_watermark_str(s->mailbox, mark, ews->a);
        if (wm == NULL) {
            return EXS_NOMEM;
        }

        rc = exch_ews_event_write(ews, m, out[i].ev, out[i].type, wm);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    if (nout == 0) {
        wm = exch_ews_watermark_str(s->mailbox, *next, ews->a);
        if (wm == NULL) {
            return EXS_NOMEM;
        }

        exch_buf_str(&ews->out, "<t:StatusEvent>");
        exch_ews_elem(&ews->out, "Watermark", wm);
        exch_buf_str(&ews->out, "</t:StatusEvent>");
    }

    exch_buf_printf(&ews->out, "</m:%s>", elem);

    *nevents = nout;

    return ews->out.nomem ? EXS_NOMEM : EXS_OK;
}


/* the operations */

static exch_ews_code_t
exch_ews_subscribe_one(exch_ews_t *ews, xmlNodePtr sr, int kind,
    exch_ews_sub_t *s)
{
    int                     rc, all;
    long                    v;
    char                   *end;
    size_t                  len;
    uint16_t                bit;
    uint32_t                mailbox;
    uint64_t                cn;
    xmlNodePtr              ids, types, c;
    const char             *val;
    exch_ews_url_t          url;
    exs_mbox_info_t         info;
    exch_ews_folder_ref_t   ref;
    exch_ews_code_t         code;
    exch_ews_mbox_t        *m;

    memset(s, 0, sizeof(exch_ews_sub_t));

    s->kind = (uint8_t) kind;
    s->version = (uint8_t) ews->version;
    s->user = ews->user.id;
    s->created = exch_ews_now();
    s->used = s->created;

    val = exch_ews_attr(sr, "SubscribeToAllFolders");
    all = val ? exch_ews_bool(val) : 0;

    if (all < 0) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    if (all) {
        s->flags |= EXCH_EWS_SUB_ALL;
    }

    /* the folders, all in one mailbox */

    s->folders = exs_alloc(ews->a, EXCH_EWS_SUB_FOLDERS_MAX
                                   * sizeof(exs_id_t));
    if (s->folders == NULL) {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    m = NULL;
    ids = exch_ews_tchild(sr, "FolderIds");

    for (c = ids ? ids->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        if (s->nfolders == EXCH_EWS_SUB_FOLDERS_MAX) {
            return EXCH_EWS_ERR_INVALID_SUBSCRIPTION_REQUEST;
        }

        code = exch_ews_folder_ref(ews, c, &ref);
        if (code != EXCH_EWS_NOERROR) {
            return code;
        }

        if (m && ref.m != m) {
            return EXCH_EWS_ERR_INVALID_SUBSCRIPTION_REQUEST;
        }

        m = ref.m;
        s->folders[s->nfolders++] = ref.fid;
    }

    if (s->nfolders == 0 && !all) {
        return EXCH_EWS_ERR_INVALID_SUBSCRIPTION_REQUEST;
    }

    if (m == NULL) {
        rc = exch_ews_mbox(ews, NULL, &m);
        if (rc != EXS_OK) {
            return exch_ews_code_from_rc(rc, 1);
        }
    }

    /* another user's mailbox: not through a subscription of this one */
    if (m->mailbox != ews->user.mailbox) {
        return EXCH_EWS_ERR_SUBSCRIPTION_DELEGATE_ACCESS;
    }

    s->mailbox = m->mailbox;

    /* the event types */

    types = exch_ews_tchild(sr, "EventTypes");

    for (c = types ? types->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        bit = exch_ews_event_type(exch_ews_value(c));
        if (bit == 0) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        s->events |= bit;
    }

    if (s->events == 0) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    /* where it starts: a watermark given, else now */

    rc = exs_mbox_info(m->mb, &info);
    if (rc != EXS_OK) {
        return exch_ews_code_from_rc(rc, 1);
    }

    s->cn = info.last_cn;

    val = exch_ews_text(ews, exch_ews_child(sr, "Watermark"), &len);

    if (kind != EXCH_EWS_SUB_STREAMING && val && len) {
        if (exch_ews_watermark_parse(val, len, &mailbox, &cn) != EXS_OK
            || mailbox != s->mailbox || cn > info.last_cn)
        {
            return EXCH_EWS_ERR_INVALID_WATERMARK;
        }

        s->cn = cn;
    }

    switch (kind) {

    case EXCH_EWS_SUB_PULL:
        val = exch_ews_value(exch_ews_tchild(sr, "Timeout"));
        v = val ? strtol(val, &end, 10) : -1;

        if (val == NULL || *end != '\0' || v < 1
            || v > EXCH_EWS_PULL_TIMEOUT_MAX)
        {
            return EXCH_EWS_ERR_INVALID_SUBSCRIPTION_REQUEST;
        }

        s->timeout = (uint32_t) v;
        break;

    case EXCH_EWS_SUB_PUSH:
        val = exch_ews_value(exch_ews_tchild(sr, "StatusFrequency"));
        v = val ? strtol(val, &end, 10) : -1;

        if (val == NULL || *end != '\0' || v < 1
            || v > EXCH_EWS_PUSH_FREQUENCY_MAX)
        {
            return EXCH_EWS_ERR_INVALID_SUBSCRIPTION_REQUEST;
        }

        s->timeout = (uint32_t) v;

        val = exch_ews_value(exch_ews_tchild(sr, "URL"));

        if (val == NULL
            || exch_ews_url_parse(val, strlen(val), &url) != EXS_OK)
        {
            return EXCH_EWS_ERR_INVALID_PUSH_SUBSCRIPTION_URL;
        }

        s->url = val;
        s->url_len = strlen(val);

        c = exch_ews_tchild(sr, "CallerData");

        if (c) {
            s->caller_data = exch_ews_text(ews, c, &s->caller_data_len);

            if (s->caller_data_len > EXCH_EWS_SUB_DATA_MAX) {
                return EXCH_EWS_ERR_INVALID_SUBSCRIPTION_REQUEST;
            }
        }

        /* sent at once: the new subscription's first status event */
        s->retry = 0;
        break;
    }

    if (getrandom(s->id + 1, EXCH_EWS_SUB_ID_LEN - 1, 0)
        != EXCH_EWS_SUB_ID_LEN - 1)
    {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    s->id[0] = (uint8_t) kind;

    return EXCH_EWS_NOERROR;
}


int
exch_ews_op_subscribe(exch_ews_t *ews, xmlNodePtr req)
{
    int              rc, kind;
    char            *id, *wm;
    xmlNodePtr       sr;
    exch_ews_sub_t   s;
    exch_ews_code_t  code;

    kind = EXCH_EWS_SUB_PULL;
    sr = exch_ews_mchild(req, "PullSubscriptionRequest");

    if (sr == NULL) {
        kind = EXCH_EWS_SUB_PUSH;
        sr = exch_ews_mchild(req, "PushSubscriptionRequest");
    }

    if (sr == NULL) {
        kind = EXCH_EWS_SUB_STREAMING;
        sr = exch_ews_mchild(req, "StreamingSubscriptionRequest");

        if (sr && ews->version < EXCH_EWS_V2010_SP1) {
            return exch_ews_fault(ews, EXCH_EWS_ERR_INVALID_SERVER_VERSION,
                                  NULL, NULL);
        }
    }

    if (sr == NULL) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "Subscribe needs a PullSubscriptionRequest, "
                              "PushSubscriptionRequest or "
                              "StreamingSubscriptionRequest.");
    }

    if (exch_ews_begin(ews, 0) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    exch_ews_resp_begin(ews);

    code = exch_ews_subscribe_one(ews, sr, kind, &s);

    if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
        exch_ews_end(ews, EXS_ERROR);
        return exch_ews_fault(ews, code, NULL,
                              "The subscription request is not valid.");
    }

    exch_ews_end(ews, EXS_ERROR);

    if (code == EXCH_EWS_NOERROR) {
        rc = exch_ews_sub_save(ews->env, &s);

        if (rc != EXS_OK) {
            exch_ews_log(ews, EXCH_EWS_LOG_ERR, "EWS: saving a subscription: "
                         "%s", exs_strerror(rc));
            code = EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }
    }

    if (code != EXCH_EWS_NOERROR) {
        exch_ews_msg_error(ews, code, NULL);
        exch_ews_resp_end(ews);
        return EXCH_EWS_OK;
    }

    id = exch_ews_sub_id_str(s.id, ews->a);
    wm = exch_ews_watermark_str(s.mailbox, s.cn, ews->a);

    if (id == NULL || wm == NULL) {
        return EXCH_EWS_FAIL;
    }

    exch_ews_msg_ok(ews);
    exch_buf_str(&ews->out, "<m:SubscriptionId>");
    exch_buf_cstr_text(&ews->out, id);
    exch_buf_str(&ews->out, "</m:SubscriptionId>");

    if (kind != EXCH_EWS_SUB_STREAMING) {
        exch_buf_str(&ews->out, "<m:Watermark>");
        exch_buf_cstr_text(&ews->out, wm);
        exch_buf_str(&ews->out, "</m:Watermark>");
    }

    exch_ews_msg_end(ews);
    exch_ews_resp_end(ews);

    if (kind == EXCH_EWS_SUB_PUSH) {
        ews->push = 1;
    }

    exch_ews_log(ews, EXCH_EWS_LOG_INFO, "EWS: %s subscription %s of mailbox "
                 "%u", kind == EXCH_EWS_SUB_PULL ? "pull"
                 : kind == EXCH_EWS_SUB_PUSH ? "push" : "streaming", id,
                 s.mailbox);

    return EXCH_EWS_OK;
}


/* the subscription a SubscriptionId element names, the user's own */

static exch_ews_code_t
exch_ews_sub_of(exch_ews_t *ews, xmlNodePtr node, exch_ews_sub_t *s)
{
    int          rc;
    size_t       len;
    uint8_t      id[EXCH_EWS_SUB_ID_LEN];
    const char  *val;

    val = exch_ews_text(ews, node, &len);

    if (node == NULL) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    if (exch_ews_sub_id_parse(val, len, id) != EXS_OK) {
        return EXCH_EWS_ERR_INVALID_SUBSCRIPTION;
    }

    rc = exch_ews_sub_load(ews->env, id, s, ews->a);

    if (rc == EXS_NOTFOUND) {
        /* expired but not swept yet: Exchange's answer while it deletes an
         * expired subscription; gone: never was, or swept, or
         * unsubscribed */
        if (exch_ews_sub_lapsed(ews->env, id, (int64_t) time(NULL))) {
            memcpy(s->id, id, EXCH_EWS_SUB_ID_LEN);
            return EXCH_EWS_ERR_EXPIRED_SUBSCRIPTION;
        }

        return EXCH_EWS_ERR_SUBSCRIPTION_NOT_FOUND;
    }

    if (rc != EXS_OK) {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    if (s->user != ews->user.id) {
        return EXCH_EWS_ERR_SUBSCRIPTION_ACCESS_DENIED;
    }

    return EXCH_EWS_NOERROR;
}


int
exch_ews_op_unsubscribe(exch_ews_t *ews, xmlNodePtr req)
{
    exch_ews_sub_t   s;
    exch_ews_code_t  code;

    code = exch_ews_sub_of(ews, exch_ews_mchild(req, "SubscriptionId"), &s);

    if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
        return exch_ews_fault(ews, code, NULL,
                              "Unsubscribe needs a SubscriptionId.");
    }

    if (code == EXCH_EWS_ERR_EXPIRED_SUBSCRIPTION) {
        /* it is answered as expired, and goes now rather than at the
         * next sweep */
        (void) exch_ews_sub_delete(ews->env, s.id);

    } else if (code == EXCH_EWS_NOERROR
               && exch_ews_sub_delete(ews->env, s.id) != EXS_OK)
    {
        code = EXCH_EWS_ERR_SUBSCRIPTION_NOT_FOUND;
    }

    exch_ews_resp_begin(ews);

    if (code != EXCH_EWS_NOERROR) {
        exch_ews_msg_error(ews, code, NULL);

    } else {
        exch_ews_msg_ok(ews);
        exch_ews_msg_end(ews);
    }

    exch_ews_resp_end(ews);

    return EXCH_EWS_OK;
}


int
exch_ews_op_get_events(exch_ews_t *ews, xmlNodePtr req)
{
    int              rc, more;
    size_t           len;
    uint32_t         mailbox, nevents;
    uint64_t         cn, next;
    xmlNodePtr       wmn;
    const char      *val;
    exch_ews_sub_t   s;
    exch_ews_code_t  code;

    wmn = exch_ews_mchild(req, "Watermark");
    code = exch_ews_sub_of(ews, exch_ews_mchild(req, "SubscriptionId"), &s);

    if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION || wmn == NULL) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "GetEvents needs a SubscriptionId and a "
                              "Watermark.");
    }

    if (code == EXCH_EWS_NOERROR && s.kind != EXCH_EWS_SUB_PULL) {
        code = EXCH_EWS_ERR_INVALID_PULL_SUBSCRIPTION_ID;
    }

    val = exch_ews_text(ews, wmn, &len);

    if (code == EXCH_EWS_NOERROR
        && (exch_ews_watermark_parse(val, len, &mailbox, &cn) != EXS_OK
            || mailbox != s.mailbox))
    {
        code = EXCH_EWS_ERR_INVALID_WATERMARK;
    }

    exch_ews_resp_begin(ews);

    if (code == EXCH_EWS_NOERROR && exch_ews_begin(ews, 0) != EXS_OK) {
        code = EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE;
    }

    if (code != EXCH_EWS_NOERROR) {
        exch_ews_msg_error(ews, code, NULL);
        exch_ews_resp_end(ews);
        return EXCH_EWS_OK;
    }

    exch_ews_msg_ok(ews);

    rc = exch_ews_notification(ews, &s, cn, "Notification", &next, &nevents,
                               &more);

    exch_ews_end(ews, EXS_ERROR);

    if (rc != EXS_OK) {
        exch_ews_msg_error(ews, exch_ews_code_from_rc(rc, 1), NULL);
        exch_ews_resp_end(ews);
        return EXCH_EWS_OK;
    }

    exch_ews_msg_end(ews);
    exch_ews_resp_end(ews);

    /* the watermark given acknowledges what came before it; a GetEvents
     * keeps the subscription alive */

    s.cn = cn;
    s.used = exch_ews_now();

    rc = exch_ews_sub_save(ews->env, &s);
    if (rc != EXS_OK && rc != EXS_CONFLICT) {
        exch_ews_log(ews, EXCH_EWS_LOG_ERR, "EWS: saving a subscription: %s",
                     exs_strerror(rc));
    }

    return EXCH_EWS_OK;
}


int
exch_ews_op_get_streaming_events(exch_ews_t *ews, xmlNodePtr req)
{
    long                v;
    char               *end;
    uint32_t            n, i;
    xmlNodePtr          ids, c;
    const char         *val;
    exch_ews_sub_t     *subs;
    exch_ews_code_t     code, bad;
    exch_ews_stream_t  *st;

    ids = exch_ews_mchild(req, "SubscriptionIds");
    val = exch_ews_value(exch_ews_mchild(req, "ConnectionTimeout"));

    v = val ? strtol(val, &end, 10) : -1;

    if (ids == NULL || val == NULL || *end != '\0') {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "GetStreamingEvents needs SubscriptionIds and "
                              "a ConnectionTimeout.");
    }

    n = 0;

    for (c = ids->children; c; c = c->next) {
        n += c->type == XML_ELEMENT_NODE;
    }

    subs = exs_alloc(ews->a, (n + 1) * sizeof(exch_ews_sub_t));
    if (subs == NULL) {
        return EXCH_EWS_FAIL;
    }

    exch_ews_resp_begin(ews);

    code = v < 1 || v > EXCH_EWS_STREAM_TIMEOUT_MAX
           ? EXCH_EWS_ERR_INVALID_ARGUMENT : EXCH_EWS_NOERROR;
    bad = EXCH_EWS_NOERROR;

    if (n == 0 || n > 64) {
        code = EXCH_EWS_ERR_INVALID_SUBSCRIPTION_REQUEST;
    }

    i = 0;

    for (c = ids->children; c && code == EXCH_EWS_NOERROR; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        bad = exch_ews_sub_of(ews, c, &subs[i]);

        if (bad == EXCH_EWS_NOERROR
            && subs[i].kind != EXCH_EWS_SUB_STREAMING)
        {
            bad = EXCH_EWS_ERR_INVALID_SUBSCRIPTION;
        }

        if (bad != EXCH_EWS_NOERROR) {
            code = bad;
            break;
        }

        i++;
    }

    if (code != EXCH_EWS_NOERROR) {
        exch_ews_msg_error(ews, code, NULL);

        if (bad != EXCH_EWS_NOERROR && c) {
            /* which one: inside the message, before its end tag */
            ews->out.len -= strlen("</m:GetStreamingEventsResponseMessage>");
            exch_buf_str(&ews->out, "<m:ErrorSubscriptionIds>"
                                    "<m:SubscriptionId>");
            exch_buf_cstr_text(&ews->out, exch_ews_value(c));
            exch_buf_str(&ews->out, "</m:SubscriptionId>"
                                    "</m:ErrorSubscriptionIds>"
                                    "</m:GetStreamingEventsResponseMessage>");
        }

        exch_ews_resp_end(ews);
        return EXCH_EWS_OK;
    }

    st = exs_alloc(ews->a, sizeof(exch_ews_stream_t));
    if (st == NULL) {
        return EXCH_EWS_FAIL;
    }

    st->n = n;
    st->subs = subs;
    st->timeout = (uint32_t) v;

    ews->stream = st;

    /* the glue streams the response; this one is not sent */
    exch_ews_resp_end(ews);

    return EXCH_EWS_OK;
}


int
exch_ews_stream_envelope(exch_ews_t *ews, exch_ews_sub_t *subs, uint32_t n,
    const char *status, int only_events, uint32_t *nevents)
{
    int       rc, more, any;
    size_t    mark, notif;
    uint32_t  i, k;
    uint64_t  next;

    *nevents = 0;

    exch_buf_free(&ews->out);
    exch_ews_envelope_begin(ews);

    exch_buf_str(&ews->out, "<m:GetStreamingEventsResponse xmlns:m=\""
                            EXCH_EWS_NS_M "\" xmlns:t=\"" EXCH_EWS_NS_T "\">"
                            "<m:ResponseMessages>"
                            "<m:GetStreamingEventsResponseMessage "
                            "ResponseClass=\"Success\">"
                            "<m:ResponseCode>NoError</m:ResponseCode>");

    notif = ews->out.len;
    exch_buf_str(&ews->out, "<m:Notifications>");
    any = 0;

    rc = exch_ews_begin(ews, 0);

    for (i = 0; rc == EXS_OK && i < n; i++) {
        mark = ews->out.len;

        rc = exch_ews_notification(ews, &subs[i], subs[i].cn, "Notification",
                                   &next, &k, &more);
        if (rc != EXS_OK) {
            break;
        }

        if (k == 0) {
            ews->out.len = mark;

        } else {
            any = 1;
            *nevents += k;
        }

        subs[i].cn = next;
    }

    exch_ews_end(ews, EXS_ERROR);

    if (rc != EXS_OK) {
        return rc;
    }

    if (!any) {
        if (only_events) {
            exch_buf_free(&ews->out);
            return EXS_OK;
        }

        ews->out.len = notif;

    } else {
        exch_buf_str(&ews->out, "</m:Notifications>");
    }

    exch_buf_printf(&ews->out, "<m:ConnectionStatus>%s</m:ConnectionStatus>"
                    "</m:GetStreamingEventsResponseMessage>"
                    "</m:ResponseMessages></m:GetStreamingEventsResponse>"
                    "</s:Body></s:Envelope>", status);

    return ews->out.nomem ? EXS_NOMEM : EXS_OK;
}


int
exch_ews_push_envelope(exch_ews_t *ews, exch_ews_sub_t *s, int only_events,
    uint64_t *next, uint32_t *nevents, int *more)
{
    int  rc;

    exch_buf_free(&ews->out);
    exch_buf_str(&ews->out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                            "<soap:Envelope xmlns:soap=\"" EXCH_EWS_NS_SOAP
                            "\"><soap:Header><t:RequestServerVersion "
                            "xmlns:t=\"" EXCH_EWS_NS_T "\" Version=\"");
    exch_buf_str(&ews->out, exch_ews_version_name(s->version));
    exch_buf_str(&ews->out, "\"/></soap:Header><soap:Body>"
                            "<m:SendNotification xmlns:m=\"" EXCH_EWS_NS_M
                            "\" xmlns:t=\"" EXCH_EWS_NS_T "\">"
                            "<m:ResponseMessages>"
                            "<m:SendNotificationResponseMessage "
                            "ResponseClass=\"Success\">"
                            "<m:ResponseCode>NoError</m:ResponseCode>");

    rc = exch_ews_begin(ews, 0);

    if (rc == EXS_OK) {
        rc = exch_ews_notification(ews, s, s->cn, "Notification", next,
                                   nevents, more);
    }

    exch_ews_end(ews, EXS_ERROR);

    if (rc != EXS_OK) {
        return rc;
    }

    if (*nevents == 0 && only_events) {
        exch_buf_free(&ews->out);
        return EXS_OK;
    }

    if (s->caller_data_len) {
        /* the client's own data comes back inside the notification */
        ews->out.len -= strlen("</m:Notification>");
        exch_buf_str(&ews->out, "<t:CallerData>");
        exch_buf_text(&ews->out, s->caller_data, s->caller_data_len);
        exch_buf_str(&ews->out, "</t:CallerData></m:Notification>");
    }

    exch_buf_str(&ews->out, "</m:SendNotificationResponseMessage>"
                            "</m:ResponseMessages></m:SendNotification>"
                            "</soap:Body></soap:Envelope>");

    return ews->out.nomem ? EXS_NOMEM : EXS_OK;
}


/* the client's SendNotificationResult */

static int exch_ews_push_status(xmlNodePtr node);


static int
exch_ews_push_status(xmlNodePtr node)
{
    int          rc;
    xmlNodePtr   c;
    const char  *v;

    for (c = node; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        if (strcmp((const char *) c->name, "SubscriptionStatus") == 0) {
            v = exch_xml_value(c);

            if (v && strcmp(v, "OK") == 0) {
                return 1;
            }

            if (v && strcmp(v, "Unsubscribe") == 0) {
                return 0;
            }

            return -1;
        }

        rc = exch_ews_push_status(c->children);
        if (rc != -1) {
            return rc;
        }
    }

    return -1;
}


int
exch_ews_push_result(const void *p, size_t len)
{
    int        rc;
    xmlDocPtr  doc;

    if (len == 0 || len > 65536) {
        return -1;
    }

    doc = exch_xml_parse(p, len);
    if (doc == NULL) {
        return -1;
    }

    rc = exch_ews_push_status(xmlDocGetRootElement(doc));

    xmlFreeDoc(doc);

    return rc;
}


int
exch_ews_url_parse(const char *url, size_t len, exch_ews_url_t *u)
{
    size_t       i, n;
    unsigned     port;
    const char  *p, *end, *host;

    memset(u, 0, sizeof(exch_ews_url_t));

    if (len > EXCH_EWS_SUB_URL_MAX) {
        return EXS_INVALID;
    }

    end = url + len;

    if (len > 7 && strncasecmp(url, "http://", 7) == 0) {
        p = url + 7;
        u->port = 80;

    } else if (len > 8 && strncasecmp(url, "https://", 8) == 0) {
        p = url + 8;
        u->port = 443;
        u->tls = 1;

    } else {
        return EXS_INVALID;
    }

    host = p;

    if (p < end && *p == '[') {
        while (p < end && *p != ']') {
            p++;
        }

        if (p == end) {
            return EXS_INVALID;
        }

        u->host = host + 1;
        u->host_len = (size_t) (p - host - 1);
        p++;

    } else {
        while (p < end && *p != ':' && *p != '/' && *p != '?') {
            p++;
        }

        u->host = host;
        u->host_len = (size_t) (p - host);
    }

    if (u->host_len == 0 || u->host_len > 255) {
        return EXS_INVALID;
    }

    for (i = 0; i < u->host_len; i++) {
        if (!((u->host[i] >= 'a' && u->host[i] <= 'z')
              || (u->host[i] >= 'A' && u->host[i] <= 'Z')
              || (u->host[i] >= '0' && u->host[i] <= '9')
              || u->host[i] == '-' || u->host[i] == '.'
              || u->host[i] == ':' || u->host[i] == '_'))
        {
            return EXS_INVALID;
        }
    }

    if (p < end && *p == ':') {
        p++;
        port = 0;
        n = 0;

        while (p < end && *p >= '0' && *p <= '9' && n < 6) {
            port = port * 10 + (unsigned) (*p++ - '0');
            n++;
        }

        if (n == 0 || port == 0 || port > 65535) {
            return EXS_INVALID;
        }

        u->port = port;
    }

    if (p < end && *p != '/') {
        return EXS_INVALID;
    }

    for (i = 0; p + i < end; i++) {
        if ((unsigned char) p[i] <= ' ' || p[i] == 0x7F) {
            return EXS_INVALID;
        }
    }

    u->path = p < end ? p : "/";
    u->path_len = p < end ? (size_t) (end - p) : 1;

    return EXS_OK;
}


/*
 * The answer of a push client's HTTP server: status line, headers, and a
 * body delimited by Content-Length, chunked (decoded in place) or the end
 * of the connection.
 */

static int exch_ews_http_chunked(uint8_t *p, size_t len, size_t *out,
    size_t *consumed);


static int
exch_ews_http_chunked(uint8_t *p, size_t len, size_t *out, size_t *consumed)
{
    size_t    off, w, size, digits;
    uint8_t   c;

    off = 0;
    w = 0;

    for ( ;; ) {
        size = 0;
        digits = 0;

        while (off < len) {
            c = p[off];

            if (c >= '0' && c <= '9') {
                c -= '0';

            } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
                c = (uint8_t) ((c | 0x20) - 'a' + 10);

            } else {
                break;
            }

            if (++digits > 8) {
                return EXCH_EWS_HTTP_BAD;
            }

            size = size * 16 + c;
            off++;
        }

        if (off == len) {
            return EXCH_EWS_HTTP_AGAIN;
        }

        if (digits == 0) {
            return EXCH_EWS_HTTP_BAD;
        }

        /* chunk extensions up to the line's end */
        while (off < len && p[off] != '\n') {
            off++;
        }

        if (off == len) {
            return EXCH_EWS_HTTP_AGAIN;
        }

        off++;

        if (size == 0) {
            break;
        }

        if (size > EXCH_EWS_HTTP_MAX || len - off < size + 1) {
            return size > EXCH_EWS_HTTP_MAX ? EXCH_EWS_HTTP_BAD
                                            : EXCH_EWS_HTTP_AGAIN;
        }

        memmove(p + w, p + off, size);
        w += size;
        off += size;

        if (p[off] == '\r') {
            off++;
        }

        if (off == len) {
            return EXCH_EWS_HTTP_AGAIN;
        }

        if (p[off] != '\n') {
            return EXCH_EWS_HTTP_BAD;
        }

        off++;
    }

    /* trailers, then the empty line */

    for ( ;; ) {
        if (off == len) {
            return EXCH_EWS_HTTP_AGAIN;
        }

        if (p[off] == '\n' || (p[off] == '\r' && off + 1 < len
                               && p[off + 1] == '\n'))
        {
            off += p[off] == '\r' ? 2 : 1;
            break;
        }

        while (off < len && p[off] != '\n') {
            off++;
        }

        if (off == len) {
            return EXCH_EWS_HTTP_AGAIN;
        }

        off++;
    }

    *out = w;
    *consumed = off;

    return EXCH_EWS_HTTP_OK;
}


int
exch_ews_http_response(uint8_t *p, size_t len, int eof,
    exch_ews_http_rsp_t *rsp)
{
    int        rc, chunked, has_cl;
    size_t     off, line, end, n, cl, consumed;
    uint8_t   *h, *colon;
    unsigned   status;

    memset(rsp, 0, sizeof(exch_ews_http_rsp_t));

    off = 0;

    for ( ;; ) {
        if (len - off > EXCH_EWS_HTTP_MAX + 16384) {
            return EXCH_EWS_HTTP_BAD;
        }

        /* the status line */

        if (len - off < 12) {
            return eof ? EXCH_EWS_HTTP_BAD : EXCH_EWS_HTTP_AGAIN;
        }

        if (memcmp(p + off, "HTTP/1.", 7) != 0 || p[off + 8] != ' '
            || p[off + 9] < '1' || p[off + 9] > '5'
            || p[off + 10] < '0' || p[off + 10] > '9'
            || p[off + 11] < '0' || p[off + 11] > '9')
        {
            return EXCH_EWS_HTTP_BAD;
        }

        status = (unsigned) (p[off + 9] - '0') * 100
                 + (unsigned) (p[off + 10] - '0') * 10
                 + (unsigned) (p[off + 11] - '0');

        /* the headers, each up to LF */

        chunked = 0;
        has_cl = 0;
        cl = 0;
        line = off;
        end = 0;

        while (line < len) {
            h = memchr(p + line, '\n', len - line);
            if (h == NULL) {
                return eof ? EXCH_EWS_HTTP_BAD : EXCH_EWS_HTTP_AGAIN;
            }

            n = (size_t) (h - (p + line));

            if (n && p[line + n - 1] == '\r') {
                n--;
            }

            if (line != off && n == 0) {
                end = (size_t) (h - p) + 1;
                break;
            }

            if (line != off) {
                colon = memchr(p + line, ':', n);

                if (colon == NULL) {
                    return EXCH_EWS_HTTP_BAD;
                }

                if ((size_t) (colon - (p + line)) == 14
                    && strncasecmp((char *) p + line, "Content-Length", 14)
                       == 0)
                {
                    colon++;

                    while (colon < p + line + n && *colon == ' ') {
                        colon++;
                    }

                    if (colon == p + line + n) {
                        return EXCH_EWS_HTTP_BAD;
                    }

                    for (cl = 0; colon < p + line + n; colon++) {
                        if (*colon < '0' || *colon > '9'
                            || cl > EXCH_EWS_HTTP_MAX)
                        {
                            return EXCH_EWS_HTTP_BAD;
                        }

                        cl = cl * 10 + (size_t) (*colon - '0');
                    }

                    has_cl = 1;

                } else if ((size_t) (colon - (p + line)) == 17
                           && strncasecmp((char *) p + line,
                                          "Transfer-Encoding", 17) == 0)
                {
                    chunked = n >= 25
                              && strncasecmp((char *) p + line + n - 7,
                                             "chunked", 7) == 0;
                }
            }

            line = (size_t) (h - p) + 1;
        }

        if (end == 0) {
            return eof ? EXCH_EWS_HTTP_BAD : EXCH_EWS_HTTP_AGAIN;
        }

        if (status < 200) {
            /* 100 Continue and friends: the real answer follows */
            off = end;
            continue;
        }

        rsp->status = status;
        rsp->body = p + end;

        if (chunked) {
            rc = exch_ews_http_chunked(p + end, len - end, &rsp->body_len,
                                       &consumed);

            if (rc == EXCH_EWS_HTTP_AGAIN && eof) {
                return EXCH_EWS_HTTP_BAD;
            }

            return rc;
        }

        if (has_cl) {
            if (cl > EXCH_EWS_HTTP_MAX) {
                return EXCH_EWS_HTTP_BAD;
            }

            if (len - end < cl) {
                return eof ? EXCH_EWS_HTTP_BAD : EXCH_EWS_HTTP_AGAIN;
            }

            rsp->body_len = cl;
            return EXCH_EWS_HTTP_OK;
        }

        if (status == 204 || status == 304) {
            return EXCH_EWS_HTTP_OK;
        }

        if (!eof) {
            return EXCH_EWS_HTTP_AGAIN;
        }

        rsp->body_len = len - end;

        return rsp->body_len > EXCH_EWS_HTTP_MAX ? EXCH_EWS_HTTP_BAD
                                                 : EXCH_EWS_HTTP_OK;
    }
}
