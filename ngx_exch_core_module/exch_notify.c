
/*
 * exch: notifications read from the change log (exch_notify.h).
 */


#include <string.h>

#include "exch_notify.h"


/* how many changes one read looks at, and how deep folders nest */
#define EXCH_EV_BATCH           256
#define EXCH_EV_DEPTH_MAX       64


typedef struct {
    exs_id_t                  folder;
    uint64_t                  cn;
    int64_t                   time;
} exch_ev_touch_t;


static int exch_ev_in(exs_mbox_t *mb, const exch_event_filter_t *f,
    exs_id_t fid);
static int exch_ev_match(exs_mbox_t *mb, const exch_event_filter_t *f,
    const exch_event_t *ev);
static void exch_ev_touch(exch_ev_touch_t *t, uint32_t *nt, exs_id_t folder,
    const exs_change_t *c);


uint32_t
exch_events_of_change(const exs_change_t *c, exch_event_t *ev)
{
    uint8_t   object;
    uint32_t  n;

    object = 0;

    if (c->flags & EXS_CHANGE_FOLDER) {
        object |= EXCH_EVO_FOLDER;
    }

    if (c->flags & EXS_CHANGE_ASSOCIATED) {
        object |= EXCH_EVO_ASSOCIATED;
    }

    memset(ev, 0, sizeof(exch_event_t));
    ev->object = object;
    ev->cn = c->cn;
    ev->id = c->id;
    ev->folder = c->folder;
    ev->time = c->time;

    n = 1;

    switch (c->kind) {

    case EXS_CHANGE_CREATE:
        ev->type = EXCH_EV_CREATED;

        if (c->flags & EXS_CHANGE_NEW_MAIL) {
            ev[1] = ev[0];
            ev[1].type = EXCH_EV_NEW_MAIL;
            n = 2;
        }

        break;

    case EXS_CHANGE_MODIFY:
        ev->type = EXCH_EV_MODIFIED;
        break;

    case EXS_CHANGE_READ:
        ev->type = EXCH_EV_MODIFIED;
        ev->object |= EXCH_EVO_READ;
        break;

    case EXS_CHANGE_MOVE:
    case EXS_CHANGE_COPY:
        ev->type = c->kind == EXS_CHANGE_MOVE ? EXCH_EV_MOVED
                                              : EXCH_EV_COPIED;
        ev->old_id = c->old_id;
        ev->old_folder = c->old_folder;
        break;

    case EXS_CHANGE_SOFT_DELETE:
        ev->object |= EXCH_EVO_SOFT;
        ev->type = EXCH_EV_DELETED;
        break;

    case EXS_CHANGE_DELETE:
        ev->type = EXCH_EV_DELETED;
        break;

    default:
        return 0;
    }

    return n;
}


/* whether fid is one of the filter's folders (or below one, when deep) */

static int
exch_ev_in(exs_mbox_t *mb, const exch_event_filter_t *f, exs_id_t fid)
{
    uint32_t  i, depth;
    exs_id_t  parent;

    for (depth = 0; fid != 0 && depth < EXCH_EV_DEPTH_MAX; depth++) {

        for (i = 0; i < f->nfolders; i++) {
            if (f->folders[i] == fid) {
                return 1;
            }
        }

        if (!(f->flags & EXCH_EVF_DEEP)
            || exs_folder_parent(mb, fid, &parent) != EXS_OK
            || parent == fid)
        {
            return 0;
        }

        fid = parent;
    }

    return 0;
}


static int
exch_ev_match(exs_mbox_t *mb, const exch_event_filter_t *f,
    const exch_event_t *ev)
{
    if (f->types && !(f->types & ev->type)) {
        return 0;
    }

    if ((f->flags & EXCH_EVF_NO_ASSOCIATED)
        && (ev->object & EXCH_EVO_ASSOCIATED))
    {
        return 0;
    }

    if (f->nfolders == 0) {
        return 1;
    }

    return exch_ev_in(mb, f, ev->folder)
           || (ev->old_folder && exch_ev_in(mb, f, ev->old_folder))
           || ((ev->object & EXCH_EVO_FOLDER) && exch_ev_in(mb, f, ev->id));
}


static void
exch_ev_touch(exch_ev_touch_t *t, uint32_t *nt, exs_id_t folder,
    const exs_change_t *c)
{
    uint32_t  i;

    for (i = 0; i < *nt; i++) {
        if (t[i].folder == folder) {
            memmove(&t[i], &t[i + 1], (*nt - i - 1) * sizeof(exch_ev_touch_t));
            (*nt)--;
            break;
        }
    }

    t[*nt].folder = folder;
    t[*nt].cn = c->cn;
    t[*nt].time = c->time;
    (*nt)++;
}


int
exch_events_read(exs_mbox_t *mb, uint64_t cn, const exch_event_filter_t *f,
    uint32_t max, exch_event_t **events, uint32_t *n, uint64_t *next,
    int *more, exs_arena_t *a)
{
    int               rc, m;
    uint32_t          nc, i, j, k, cap, nt;
    exs_id_t          parent;
    exs_change_t     *changes;
    exch_event_t     *out, ev[3];
    exch_ev_touch_t  *touched;

    *events = NULL;
    *n = 0;
    *next = cn;
    *more = 0;

    if (max == 0) {
        max = EXCH_EV_BATCH;
    }

    rc = exs_changes(mb, cn, max < EXCH_EV_BATCH ? max : EXCH_EV_BATCH,
                     &changes, &nc, &m, a);
    if (rc != EXS_OK) {
        return rc;
    }

    /* each change makes at most two events and touches two folders */
    cap = nc * 2 + nc * 2;

    out = exs_alloc(a, (cap ? cap : 1) * sizeof(exch_event_t));
    touched = exs_alloc(a, (nc * 2 + 1) * sizeof(exch_ev_touch_t));

    if (out == NULL || touched == NULL) {
        return EXS_NOMEM;
    }

    nt = 0;

    for (i = 0; i < nc; i++) {
        k = exch_events_of_change(&changes[i], ev);

        for (j = 0; j < k; j++) {
            if (exch_ev_match(mb, f, &ev[j])) {
                out[(*n)++] = ev[j];
            }
        }

        if (k == 0 || !(f->flags & EXCH_EVF_PARENTS)
            || (ev[0].object & EXCH_EVO_FOLDER))
        {
            continue;
        }

        exch_ev_touch(touched, &nt, ev[0].folder, &changes[i]);

        if (ev[0].old_folder && ev[0].old_folder != ev[0].folder
            && ev[0].type == EXCH_EV_MOVED)
        {
            exch_ev_touch(touched, &nt, ev[0].old_folder, &changes[i]);
        }
    }

    /* the folders whose contents changed, once each, newest touch last */

    for (i = 0; i < nt; i++) {
        memset(&ev[0], 0, sizeof(exch_event_t));
        ev[0].type = EXCH_EV_MODIFIED;
        ev[0].object = EXCH_EVO_FOLDER | EXCH_EVO_PARENT;
        ev[0].cn = touched[i].cn;
        ev[0].id = touched[i].folder;
        ev[0].time = touched[i].time;

        if (exs_folder_parent(mb, touched[i].folder, &parent) == EXS_OK) {
            ev[0].folder = parent;
        }

        if (exch_ev_match(mb, f, &ev[0])
            || (f->nfolders && exch_ev_in(mb, f, ev[0].id)))
        {
            out[(*n)++] = ev[0];
        }
    }

    if (nc) {
        *next = changes[nc - 1].cn;
    }

    *more = m;
    *events = out;

    return EXS_OK;
}


uint64_t
exch_mailbox_last_cn(exs_env_t *env, uint32_t mailbox)
{
    uint64_t          cn;
    exs_txn_t        *txn;
    exs_mbox_t       *mb;
    exs_mbox_info_t   info;

    if (exs_txn_begin(env, EXS_TXN_RDONLY, &txn) != EXS_OK) {
        return 0;
    }

    cn = 0;

    if (exs_mbox_open(txn, mailbox, 0, &mb) == EXS_OK
        && exs_mbox_info(mb, &info) == EXS_OK)
    {
        cn = info.last_cn;
    }

    exs_txn_abort(txn);

    return cn;
}


const char *
exch_event_name(uint16_t type)
{
    switch (type) {
    case EXCH_EV_CRITICAL_ERROR:
        return "CriticalError";
    case EXCH_EV_NEW_MAIL:
        return "NewMail";
    case EXCH_EV_CREATED:
        return "Created";
    case EXCH_EV_DELETED:
        return "Deleted";
    case EXCH_EV_MODIFIED:
        return "Modified";
    case EXCH_EV_MOVED:
        return "Moved";
    case EXCH_EV_COPIED:
        return "Copied";
    case EXCH_EV_SEARCH_COMPLETE:
        return "SearchComplete";
    case EXCH_EV_TABLE_MODIFIED:
        return "TableModified";
    }

    return "Unknown";
}
