
/*
 * exch: MAPI notifications (MS-OXCNOTIF): RopRegisterNotification, and
 * the RopNotify responses an Execute carries after its ROPs.
 *
 * Each logon keeps a cursor into its mailbox's change log (the change
 * number up to which the session heard).  At the end of every Execute the
 * changes after it become notifications for the session's subscribers:
 * the notification objects RopRegisterNotification made (NewMail, object
 * created, deleted, modified, moved, copied, search complete; on the whole
 * store, a folder or a message) and the open contents and hierarchy
 * tables that did not ask for none (TableModified: a row added, deleted
 * or modified with the row's columns and the row it follows, the table
 * changed when the row's place cannot be told, reloaded after many
 * changes).  What does not fit waits for the next Execute (RopPending
 * says so).  NotificationWait asks exch_ems_notify_pending() whether
 * anything waits, and else which mailboxes to watch from which change.
 */


#include <string.h>

#include "exch_emsmdb.h"
#include "exch_notify.h"


#define EXCH_TBL_NO_NOTIFICATIONS       0x10
#define EXCH_TBL_SUPPRESS_NOTIFICATIONS 0x80
#define EXCH_TBL_ASSOC                  0x02

#define EXCH_TABLE_RELOAD               0x0009

/* events read at once; table notifications per table per Execute before
 * a reload says it all */
#define EXCH_NOTIF_BATCH                256
#define EXCH_NOTIF_TABLE_MAX            64


typedef struct {
    exch_ems_t               *e;
    exch_ems_obj_t           *logon;
    exs_mbox_t               *mb;
    exch_wr_t                *w;
    uint32_t                 *per_table;   /* notifications so far */
    uint8_t                  *reloaded;
} exch_notif_ctx_t;


static int exch_oxcnotif_register(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcnotif_subscribers(exch_ems_t *e, exch_ems_obj_t *logon);
static int exch_oxcnotif_wants(exch_ems_t *e, exch_ems_obj_t *sub,
    const exch_event_t *ev);
static int exch_oxcnotif_object(exch_notif_ctx_t *c, exch_ems_obj_t *n,
    const exch_event_t *ev);
static int exch_oxcnotif_table(exch_notif_ctx_t *c, uint32_t i,
    const exch_event_t *ev);
static int exch_oxcnotif_searches(exch_ems_t *e, exch_ems_obj_t *logon,
    exch_wr_t *w);
static int exch_oxcnotif_logon_events(exch_ems_t *e, exch_ems_obj_t *logon,
    exs_mbox_t **mb, uint64_t from, exch_event_t **ev, uint32_t *n,
    uint64_t *next, int *more);


exch_ems_rop_pt
exch_oxcnotif_handler(uint8_t rop_id)
{
    if (rop_id == EXCH_ROP_REGISTER_NOTIFICATION) {
        return exch_oxcnotif_register;
    }

    return NULL;
}


/* RopRegisterNotification, MS-OXCROPS 2.2.14.1, MS-OXCNOTIF 3.2.5.1 */

static int
exch_oxcnotif_register(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    exch_ems_obj_t  *n, *logon;

    logon = exch_ems_logon_of(e, obj);
    if (logon == NULL) {
        rsp->rv = EXCH_EC_NULL_OBJECT;
        return EXCH_OK;
    }

    if (req->u.register_notification.types == 0) {
        rsp->rv = EXCH_EC_INVALID_PARAM;
        return EXCH_OK;
    }

    n = exch_ems_obj_new(e, EXCH_EMS_NOTIFY, obj, req->logon_id);
    if (n == NULL) {
        rsp->rv = EXCH_EC_TOO_MANY_OBJECTS;
        return EXCH_OK;
    }

    e->created = n;
    n->u.notify.types = req->u.register_notification.types;
    n->u.notify.whole_store = req->u.register_notification.whole_store != 0;

    if (!n->u.notify.whole_store) {
        n->u.notify.fid = exch_ems_id(req->u.register_notification.fid);
        n->u.notify.mid = req->u.register_notification.mid
                          ? exch_ems_id(req->u.register_notification.mid)
                          : 0;
    }

    /* the registration hears of what happens from now on */

    if (logon->u.logon.cn == 0) {
        logon->u.logon.cn = exch_mailbox_last_cn(e->env,
                                                 logon->u.logon.mailbox);
        if (logon->u.logon.cn == 0) {
            logon->u.logon.cn = 1;
        }
    }

    exch_ems_touch(e);

    rsp->rv = EXCH_EC_SUCCESS;

    return EXCH_OK;
}


/* the subscribers of a logon: notification objects and tables that
 * notify; their count */

static int
exch_oxcnotif_is_sub(exch_ems_t *e, exch_ems_obj_t *logon, exch_ems_obj_t *o)
{
    if (o->type == EXCH_EMS_NOTIFY) {
        return exch_ems_logon_of(e, o) == logon;
    }

    if (o->type != EXCH_EMS_TABLE
        || (o->u.table.kind != EXCH_EMS_TBL_CONTENTS
            && o->u.table.kind != EXCH_EMS_TBL_HIERARCHY)
        || (o->u.table.flags & (EXCH_TBL_NO_NOTIFICATIONS
                                | EXCH_TBL_SUPPRESS_NOTIFICATIONS)))
    {
        return 0;
    }

    return exch_ems_logon_of(e, o) == logon;
}


static int
exch_oxcnotif_subscribers(exch_ems_t *e, exch_ems_obj_t *logon)
{
    int       n;
    uint32_t  i;

    n = 0;

    for (i = 0; i < e->s->nobjs; i++) {
        n += exch_oxcnotif_is_sub(e, logon, e->s->objs[i]);
    }

    return n;
}


/* whether a subscriber hears of an event at all */

static int
exch_oxcnotif_wants(exch_ems_t *e, exch_ems_obj_t *sub,
    const exch_event_t *ev)
{
    int        folder;
    exs_id_t   fid;

    folder = (ev->object & EXCH_EVO_FOLDER) != 0;

    if (sub->type == EXCH_EMS_NOTIFY) {
        if (!(sub->u.notify.types & ev->type)) {
            return 0;
        }

        if (sub->u.notify.whole_store) {
            return 1;
        }

        if (sub->u.notify.mid) {
            return !folder && (ev->id == sub->u.notify.mid
                               || ev->old_id == sub->u.notify.mid);
        }

        fid = sub->u.notify.fid;

        return ev->folder == fid || ev->old_folder == fid
               || (folder && ev->id == fid);
    }

    /* tables: rows come and go in their folder */

    if (ev->type == EXCH_EV_NEW_MAIL || ev->type == EXCH_EV_SEARCH_COMPLETE) {
        return 0;
    }

    /* a folder whose contents changed is a modified row of the hierarchy
     * table that shows it (its counts) */

    if (sub->u.table.kind == EXCH_EMS_TBL_HIERARCHY) {
        if (!folder) {
            return 0;
        }

    } else {
        if (folder) {
            return 0;
        }

        if (((ev->object & EXCH_EVO_ASSOCIATED) != 0)
            != ((sub->u.table.flags & EXCH_TBL_ASSOC) != 0))
        {
            return 0;
        }
    }

    fid = sub->u.table.fid;

    return ev->folder == fid
           || ((ev->type == EXCH_EV_MOVED) && ev->old_folder == fid);
}


/* a notification object's RopNotify (MS-OXCNOTIF 2.2.1.4.1.2) */

static int
exch_oxcnotif_object(exch_notif_ctx_t *c, exch_ems_obj_t *n,
    const exch_event_t *ev)
{
    int            msg;
    exs_prop_t    *p;
    exs_props_t    props;
    exch_notif_t   nd;
    uint32_t       tags[2];

    memset(&nd, 0, sizeof(exch_notif_t));

    msg = !(ev->object & EXCH_EVO_FOLDER);
    nd.flags = ev->type | (msg ? EXCH_NOTIF_M : 0);

    if (ev->type == EXCH_EV_NEW_MAIL) {
        nd.has = EXCH_NF_FID | EXCH_NF_MID | EXCH_NF_MESSAGE_FLAGS
                 | EXCH_NF_MESSAGE_CLASS;
        nd.fid = exch_ems_eid(ev->folder);
        nd.mid = exch_ems_eid(ev->id);
        nd.unicode = 1;
        nd.message_class.data = "IPM.Note";
        nd.message_class.len = 8;

        tags[0] = PR_MESSAGE_FLAGS;
        tags[1] = PR_MESSAGE_CLASS;

        if (exs_message_get(c->mb, ev->id, tags, 2, &props, c->e->a)
            == EXS_OK)
        {
            p = exs_props_get(&props, PR_MESSAGE_FLAGS);
            if (p) {
                nd.message_flags = (uint32_t) p->v.l;
            }

            p = exs_props_get(&props, PR_MESSAGE_CLASS);
            if (p) {
                nd.message_class = p->v.str;
            }
        }

        return exch_rop_write_notify(c->w, n->handle, n->logon_id, &nd);
    }

    if (msg) {
        nd.has = EXCH_NF_FID | EXCH_NF_MID;
        nd.fid = exch_ems_eid(ev->folder);
        nd.mid = exch_ems_eid(ev->id);

    } else {
        nd.has = EXCH_NF_FID;
        nd.fid = exch_ems_eid(ev->id);

        if (ev->type & (EXCH_EV_CREATED | EXCH_EV_DELETED | EXCH_EV_MOVED
                        | EXCH_EV_COPIED))
        {
            nd.has |= EXCH_NF_PARENT_FID;
            nd.parent_fid = exch_ems_eid(ev->folder);
        }
    }

    if (ev->type & (EXCH_EV_MOVED | EXCH_EV_COPIED)) {
        if (msg) {
            nd.has |= EXCH_NF_OLD_FID | EXCH_NF_OLD_MID;
            nd.old_fid = exch_ems_eid(ev->old_folder);
            nd.old_mid = exch_ems_eid(ev->old_id);

        } else {
            nd.has |= EXCH_NF_OLD_FID | EXCH_NF_OLD_PARENT_FID;
            nd.old_fid = exch_ems_eid(ev->old_id);
            nd.old_parent_fid = exch_ems_eid(ev->old_folder);
        }
    }

    if (ev->type & (EXCH_EV_CREATED | EXCH_EV_MODIFIED)) {
        nd.has |= EXCH_NF_TAGS;           /* TagCount 0: not told */
    }

    /* a folder modified: its message counts (the T and U bits) */

    if (!msg && ev->type == EXCH_EV_MODIFIED) {
        tags[0] = PR_CONTENT_COUNT;
        tags[1] = PR_CONTENT_UNREAD;

        if (exs_folder_get(c->mb, ev->id, tags, 2, &props, c->e->a)
            == EXS_OK)
        {
            p = exs_props_get(&props, PR_CONTENT_COUNT);
            if (p) {
                nd.flags |= EXCH_NOTIF_T;
                nd.has |= EXCH_NF_TOTAL;
                nd.total = (uint32_t) p->v.l;
            }

            p = exs_props_get(&props, PR_CONTENT_UNREAD);
            if (p) {
                nd.flags |= EXCH_NOTIF_U;
                nd.has |= EXCH_NF_UNREAD;
                nd.unread = (uint32_t) p->v.l;
            }
        }
    }

    return exch_rop_write_notify(c->w, n->handle, n->logon_id, &nd);
}


/* a table's RopNotify: TableModified (MS-OXCNOTIF 2.2.1.4.1.2, 3.2.5.3) */

static int
exch_oxcnotif_table(exch_notif_ctx_t *c, uint32_t i, const exch_event_t *ev)
{
    int              rc, contents, gone;
    uint64_t         after;
    exs_bin_t        row;
    exch_notif_t     nd;
    exch_ems_obj_t  *t;

    t = c->e->s->objs[i];

    if (c->reloaded[i]) {
        return EXCH_OK;
    }

    memset(&nd, 0, sizeof(exch_notif_t));
    contents = t->u.table.kind == EXCH_EMS_TBL_CONTENTS;
    nd.flags = EXCH_NOTIF_TABLE_MODIFIED | (contents ? EXCH_NOTIF_M : 0);
    nd.has = EXCH_NF_TABLE_EVENT;

    if (++c->per_table[i] > EXCH_NOTIF_TABLE_MAX) {
        c->reloaded[i] = 1;
        nd.table_event = EXCH_TABLE_RELOAD;
        return exch_rop_write_notify(c->w, t->handle, t->logon_id, &nd);
    }

    gone = ev->type == EXCH_EV_DELETED
           || (ev->type == EXCH_EV_MOVED && ev->folder != t->u.table.fid);

    if (gone) {
        nd.table_event = EXCH_TABLE_ROW_DELETED;
        nd.has |= EXCH_NF_ROW_FID;

        if (contents) {
            nd.has |= EXCH_NF_ROW_MID | EXCH_NF_ROW_INSTANCE;
            nd.row_fid = exch_ems_eid(t->u.table.fid);
            nd.row_mid = exch_ems_eid(ev->type == EXCH_EV_MOVED ? ev->old_id
                                                                : ev->id);
        } else {
            nd.row_fid = exch_ems_eid(ev->type == EXCH_EV_MOVED ? ev->old_id
                                                                : ev->id);
        }

        return exch_rop_write_notify(c->w, t->handle, t->logon_id, &nd);
    }

    rc = exch_ems_table_row(c->e, t, ev->id, &after, &row);

    if (rc == EXS_NOTFOUND) {
        /* the table does not show it (a restriction) */
        return EXCH_OK;
    }

    if (rc != EXS_OK) {
        /* the row's place cannot be told: the client reads again */
        nd.table_event = EXCH_TABLE_CHANGED;
        c->reloaded[i] = 1;
        return exch_rop_write_notify(c->w, t->handle, t->logon_id, &nd);
    }

    nd.table_event = ev->type == EXCH_EV_MODIFIED ? EXCH_TABLE_ROW_MODIFIED
                                                  : EXCH_TABLE_ROW_ADDED;
    nd.has |= EXCH_NF_ROW_FID | EXCH_NF_AFTER_FID | EXCH_NF_ROW_DATA;
    nd.row_data = row;

    if (contents) {
        nd.has |= EXCH_NF_ROW_MID | EXCH_NF_ROW_INSTANCE
                  | EXCH_NF_AFTER_MID | EXCH_NF_AFTER_INSTANCE;
        nd.row_fid = exch_ems_eid(t->u.table.fid);
        nd.row_mid = exch_ems_eid(ev->id);
        nd.after_fid = after ? nd.row_fid : 0;
        nd.after_mid = after ? exch_ems_eid(after) : 0;

    } else {
        nd.row_fid = exch_ems_eid(ev->id);
        nd.after_fid = after ? exch_ems_eid(after) : 0;
    }

    return exch_rop_write_notify(c->w, t->handle, t->logon_id, &nd);
}


/* SearchComplete for the searches this Execute ran (they run at once) */

static int
exch_oxcnotif_searches(exch_ems_t *e, exch_ems_obj_t *logon, exch_wr_t *w)
{
    int              rc;
    size_t           mark;
    uint32_t         i, s;
    exch_notif_t     nd;
    exch_ems_obj_t  *o;

    for (i = 0; i < e->nsearched; i++) {
        for (s = 0; s < e->s->nobjs; s++) {
            o = e->s->objs[s];

            if (o->type != EXCH_EMS_NOTIFY
                || !(o->u.notify.types & EXCH_EV_SEARCH_COMPLETE)
                || exch_ems_logon_of(e, o) != logon
                || (!o->u.notify.whole_store
                    && o->u.notify.fid != e->searched[i]))
            {
                continue;
            }

            memset(&nd, 0, sizeof(exch_notif_t));
            nd.flags = EXCH_NOTIF_SEARCH_COMPLETE | EXCH_NOTIF_S;
            nd.has = EXCH_NF_FID;
            nd.fid = exch_ems_eid(e->searched[i]);

            mark = w->len;
            rc = exch_rop_write_notify(w, o->handle, o->logon_id, &nd);

            if (rc != EXCH_OK) {
                exch_wr_truncate(w, mark);
                return rc;
            }
        }
    }

    return EXCH_OK;
}


static int
exch_oxcnotif_logon_events(exch_ems_t *e, exch_ems_obj_t *logon,
    exs_mbox_t **mb, uint64_t from, exch_event_t **ev, uint32_t *n,
    uint64_t *next, int *more)
{
    int                   rc;
    exch_event_filter_t   f;

    rc = exch_ems_mbox(e, logon, mb);
    if (rc != EXS_OK) {
        return rc;
    }

    memset(&f, 0, sizeof(exch_event_filter_t));
    f.flags = EXCH_EVF_PARENTS;

    return exch_events_read(*mb, from, &f, EXCH_NOTIF_BATCH, ev, n, next,
                            more, e->a);
}


/*
 * The RopNotify responses of the session's logons into w, after the
 * Execute's ROPs; the cursors move past what was written.  A notification
 * that does not fit ends the list with a RopPending.
 */

int
exch_ems_notify_write(exch_ems_t *e, exch_wr_t *w)
{
    int                rc, more, full;
    size_t             mark;
    uint32_t           i, j, k, n, s;
    uint64_t           cn, next, last;
    exch_event_t      *ev;
    exch_ems_obj_t    *logon, *o;
    exch_notif_ctx_t   c;

    full = 0;

    for (i = 0; i < e->s->nobjs && !full; i++) {
        logon = e->s->objs[i];

        if (logon->type != EXCH_EMS_LOGON) {
            continue;
        }

        if (logon->u.logon.cn == 0 || !exch_oxcnotif_subscribers(e, logon)) {
            /* nobody listens: the cursor follows the mailbox */
            last = exch_mailbox_last_cn(e->env, logon->u.logon.mailbox);

            if (last && last != logon->u.logon.cn) {
                logon->u.logon.cn = last;
                exch_ems_touch(e);
            }

            continue;
        }

        if (exch_oxcnotif_searches(e, logon, w) == EXCH_ERR_BUFSIZE) {
            full = 1;
            break;
        }

        memset(&c, 0, sizeof(exch_notif_ctx_t));
        c.e = e;
        c.logon = logon;
        c.w = w;
        c.per_table = exs_calloc(e->a, e->s->nobjs * sizeof(uint32_t));
        c.reloaded = exs_calloc(e->a, e->s->nobjs);

        if (c.per_table == NULL || c.reloaded == NULL) {
            return EXS_NOMEM;
        }

        do {
            rc = exch_oxcnotif_logon_events(e, logon, &c.mb,
                                            logon->u.logon.cn, &ev, &n,
                                            &next, &more);
            if (rc != EXS_OK) {
                if (rc == EXS_NOMEM) {
                    return rc;
                }

                /* a mailbox gone or no longer readable: no events */
                break;
            }

            /* one change's events all go, or none */

            for (j = 0; j < n; j = k) {
                cn = ev[j].cn;
                mark = w->len;

                rc = EXCH_OK;

                for (k = j; k < n && ev[k].cn == cn; k++) {
                    for (s = 0; s < e->s->nobjs && rc == EXCH_OK; s++) {
                        o = e->s->objs[s];

                        if (!exch_oxcnotif_is_sub(e, logon, o)
                            || !exch_oxcnotif_wants(e, o, &ev[k]))
                        {
                            continue;
                        }

                        if (o->type == EXCH_EMS_NOTIFY) {
                            rc = exch_oxcnotif_object(&c, o, &ev[k]);

                        } else {
                            rc = exch_oxcnotif_table(&c, s, &ev[k]);
                        }
                    }
                }

                if (rc == EXCH_ERR_BUFSIZE || w->err == EXCH_ERR_BUFSIZE) {
                    exch_wr_truncate(w, mark);
                    full = 1;
                    break;
                }

                if (rc != EXCH_OK) {
                    return rc;
                }

                /* the folders' own events come last, with the change
                 * number of their last touch: the cursor only goes on */
                if (cn > logon->u.logon.cn) {
                    logon->u.logon.cn = cn;
                    exch_ems_touch(e);
                }
            }

            if (!full && next > logon->u.logon.cn) {
                logon->u.logon.cn = next;
                exch_ems_touch(e);
            }

        } while (more && !full);
    }

    if (full) {
        /* the rest waits: the client asks again (MS-OXCROPS 2.2.14.3) */
        mark = w->len;

        if (exch_rop_write_pending(w, 0) != EXCH_OK) {
            exch_wr_truncate(w, mark);
        }
    }

    return EXS_OK;
}


/*
 * Whether the session has notifications waiting (1) or not (0); when not,
 * the mailboxes to watch and the change number each was read up to (at
 * most max of them, in *n).
 */

int
exch_ems_notify_pending(exch_ems_t *e, uint32_t *mailboxes, uint64_t *cns,
    uint32_t *nmb, uint32_t max)
{
    int               rc, more;
    uint32_t          i, j, s, n;
    uint64_t          from, next;
    exs_mbox_t       *mb;
    exch_event_t     *ev;
    exch_ems_obj_t   *logon, *o;

    *nmb = 0;

    for (i = 0; i < e->s->nobjs; i++) {
        logon = e->s->objs[i];

        if (logon->type != EXCH_EMS_LOGON || logon->u.logon.cn == 0
            || !exch_oxcnotif_subscribers(e, logon))
        {
            continue;
        }

        from = logon->u.logon.cn;

        do {
            rc = exch_oxcnotif_logon_events(e, logon, &mb, from, &ev, &n,
                                            &next, &more);
            if (rc != EXS_OK) {
                break;
            }

            for (j = 0; j < n; j++) {
                for (s = 0; s < e->s->nobjs; s++) {
                    o = e->s->objs[s];

                    if (exch_oxcnotif_is_sub(e, logon, o)
                        && exch_oxcnotif_wants(e, o, &ev[j]))
                    {
                        exch_ems_txn_end(e);
                        return 1;
                    }
                }
            }

            if (next > from) {
                from = next;
            }

        } while (more);

        if (*nmb < max) {
            mailboxes[*nmb] = logon->u.logon.mailbox;
            cns[*nmb] = from;
            (*nmb)++;
        }
    }

    exch_ems_txn_end(e);

    return 0;
}
