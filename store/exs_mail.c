
/*
 * exch store: delivery of Internet mail into mailboxes, and non-delivery
 * reports (MS-OXOMSG).  Submission is in exs_mail_submit.c, the outgoing
 * queue in exs_queue.c.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "exs_int.h"
#include "exs_mail.h"
#include "exs_oxcmail_int.h"


#ifndef PR_NDR_REASON_CODE
#define PR_NDR_REASON_CODE      PROP_TAG(PT_LONG, 0x0C04)
#define PR_NDR_DIAG_CODE        PROP_TAG(PT_LONG, 0x0C05)
#endif
#ifndef PR_SUPPLEMENTARY_INFO
#define PR_SUPPLEMENTARY_INFO   PROP_TAG(PT_UNICODE, 0x0C1B)
#endif

#define EXS_MAPI_REASON_TRANSFER_FAILED     0
#define EXS_MAPI_DIAG_RECIPIENT_UNKNOWN     0
#define EXS_MAPI_DIAG_NO_DIAGNOSTIC         -1

/* the original rides along in an NDR as an embedded message up to this
 * size, as its headers above it */
#define EXS_NDR_EMBED_MAX       (1024 * 1024)


struct exs_mail_s {
    exs_msg_t                *msg;
    exs_namemap_t            *names;        /* the ids msg uses */
    exs_oxcmail_info_t        info;
};


/* named property ids of one message, from a private map to a mailbox's */

typedef struct {
    exs_namemap_t            *from;
    exs_namemap_t            *to;
    exs_arena_t              *a;
    uint32_t                  n;
    uint16_t                  map[64][2];
} exs_remap_t;


static int exs_mail_remap_bag(exs_remap_t *r, const exs_props_t *in,
    exs_props_t *out);
static int exs_mail_remap(exs_remap_t *r, const exs_msg_t *in,
    exs_msg_t **out, unsigned depth);
static int exs_mail_me(exs_mbox_t *mb, exs_oxcmail_addr_t *me,
    exs_arena_t *a);
static int exs_mail_expand(exs_txn_t *txn, uint32_t id, uint32_t **boxes,
    uint32_t *nboxes, uint32_t *seen, uint32_t *nseen, unsigned depth,
    exs_arena_t *a);
static int exs_mail_add_box(uint32_t box, uint32_t **boxes, uint32_t *n,
    exs_arena_t *a);
static int exs_ndr_status(int code, const char *reason);
static int exs_ndr_rcpt(exs_arena_t *a, exs_msg_t *msg, uint32_t row,
    const exs_mail_failure_t *f, int64_t now);
static int exs_ndr_original(exs_arena_t *a, exs_mail_t *ndr,
    const exs_mail_original_t *orig);
static char *exs_ndr_body(exs_arena_t *a, const exs_mail_original_t *orig,
    const exs_mail_failure_t *failures, uint32_t n);


int
exs_mail_lookup(void *data, int by, const char *key, exs_oxcmail_addr_t *out,
    exs_arena_t *a)
{
    int            rc;
    exs_txn_t     *txn;
    exs_dirent_t   e;

    txn = data;

    if (txn == NULL || key == NULL) {
        return EXS_NOTFOUND;
    }

    rc = by == EXS_OXCMAIL_BY_DN ? exs_dir_by_dn(txn, key, &e, a)
                                 : exs_dir_by_address(txn, key, &e, a);
    if (rc != EXS_OK) {
        return rc;
    }

    /* a read transaction's strings point into the map: copies */

    memset(out, 0, sizeof(exs_oxcmail_addr_t));
    out->smtp = exs_strdup(a, e.address);
    out->display_name = e.display_name ? exs_strdup(a, e.display_name) : NULL;
    out->legacy_dn = e.legacy_dn ? exs_strdup(a, e.legacy_dn) : NULL;

    if (out->smtp == NULL
        || (e.display_name && out->display_name == NULL)
        || (e.legacy_dn && out->legacy_dn == NULL))
    {
        return EXS_NOMEM;
    }

    out->display_type = e.type == EXS_DIR_GROUP ? EXS_DT_DISTLIST
                                                : EXS_DT_MAILUSER;

    return EXS_OK;
}


int
exs_mail_parse(exs_txn_t *txn, const void *mime, size_t len, unsigned flags,
    exs_mail_t **mp, exs_arena_t *a)
{
    int                  rc;
    exs_mail_t          *m;
    exs_oxcmail_opts_t   o;

    *mp = NULL;

    m = exs_calloc(a, sizeof(exs_mail_t));
    if (m == NULL) {
        return EXS_NOMEM;
    }

    m->names = exs_namemap_mem_create(a);
    if (m->names == NULL) {
        return EXS_NOMEM;
    }

    memset(&o, 0, sizeof(exs_oxcmail_opts_t));
    o.namemap = m->names;
    o.lookup = txn ? exs_mail_lookup : NULL;
    o.lookup_data = txn;
    o.flags = flags & (EXS_OXCMAIL_RAW_ALWAYS | EXS_OXCMAIL_RAW_NEVER
                       | EXS_OXCMAIL_KEEP_TNEF);

    rc = exs_oxcmail_import(mime, len, &o, &m->msg, &m->info, a);
    if (rc != EXS_OK) {
        return rc;
    }

    *mp = m;

    return EXS_OK;
}


int
exs_mail_prepare(exs_env_t *env, exs_mail_t *m, exs_arena_t *a)
{
    return exs_message_prepare(env, m->msg, a);
}


exs_msg_t *
exs_mail_msg(exs_mail_t *m)
{
    return m->msg;
}


const exs_oxcmail_info_t *
exs_mail_info(exs_mail_t *m)
{
    return &m->info;
}


static int
exs_mail_remap_bag(exs_remap_t *r, const exs_props_t *in, exs_props_t *out)
{
    int             rc;
    uint16_t        id, nid;
    uint32_t        i, k;
    exs_propname_t  name;

    out->n = in->n;
    out->cap = in->n;
    out->v = NULL;

    if (in->n == 0) {
        return EXS_OK;
    }

    out->v = exs_memdup(r->a, in->v, in->n * sizeof(exs_prop_t));
    if (out->v == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < out->n; i++) {
        id = PROP_ID(out->v[i].tag);

        if (id < EXS_NAMED_FIRST) {
            continue;
        }

        for (k = 0; k < r->n; k++) {
            if (r->map[k][0] == id) {
                break;
            }
        }

        if (k < r->n) {
            nid = r->map[k][1];

        } else {
            rc = r->from->get_name(r->from, id, &name, r->a);
            if (rc == EXS_OK) {
                rc = r->to->get_id(r->to, &name, 1, &nid);
            }

            if (rc == EXS_NOTFOUND) {
                nid = 0;                  /* a name we don't know: drop */

            } else if (rc != EXS_OK) {
                return rc;
            }

            if (r->n < sizeof(r->map) / sizeof(r->map[0])) {
                r->map[r->n][0] = id;
                r->map[r->n][1] = nid;
                r->n++;
            }
        }

        if (nid == 0) {
            out->v[i] = out->v[--out->n];
            i--;
            continue;
        }

        out->v[i].tag = PROP_TAG(PROP_TYPE(out->v[i].tag), nid);
    }

    return EXS_OK;
}


/* a copy of in whose named properties use r->to's ids; only the bags are
 * copied, the values are shared */

static int
exs_mail_remap(exs_remap_t *r, const exs_msg_t *in, exs_msg_t **out,
    unsigned depth)
{
    int         rc;
    uint32_t    i;
    exs_msg_t  *m;

    if (depth > EXS_MAX_NESTING * 2) {
        return EXS_INVALID;
    }

    m = exs_calloc(r->a, sizeof(exs_msg_t));
    if (m == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_mail_remap_bag(r, &in->props, &m->props);
    if (rc != EXS_OK) {
        return rc;
    }

    if (in->nrcpts) {
        m->rcpts = exs_calloc(r->a, in->nrcpts * sizeof(exs_rcpt_t));
        if (m->rcpts == NULL) {
            return EXS_NOMEM;
        }

        m->nrcpts = in->nrcpts;
        m->rcpts_cap = in->nrcpts;

        for (i = 0; i < in->nrcpts; i++) {
            rc = exs_mail_remap_bag(r, &in->rcpts[i].props,
                                    &m->rcpts[i].props);
            if (rc != EXS_OK) {
                return rc;
            }
        }
    }

    if (in->natts) {
        m->atts = exs_calloc(r->a, in->natts * sizeof(exs_attach_t));
        if (m->atts == NULL) {
            return EXS_NOMEM;
        }

        m->natts = in->natts;
        m->atts_cap = in->natts;

        for (i = 0; i < in->natts; i++) {
            rc = exs_mail_remap_bag(r, &in->atts[i].props,
                                    &m->atts[i].props);
            if (rc != EXS_OK) {
                return rc;
            }

            if (in->atts[i].embedded) {
                rc = exs_mail_remap(r, in->atts[i].embedded,
                                    &m->atts[i].embedded, depth + 1);
                if (rc != EXS_OK) {
                    return rc;
                }
            }
        }
    }

    *out = m;

    return EXS_OK;
}


/* the mailbox owner as the converter describes a local address */

static int
exs_mail_me(exs_mbox_t *mb, exs_oxcmail_addr_t *me, exs_arena_t *a)
{
    int              rc;
    exs_dirent_t     e;
    exs_mbox_info_t  info;

    rc = exs_mbox_info(mb, &info);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_dir_by_id(mb->txn, info.owner, &e, a);
    if (rc != EXS_OK) {
        return rc;
    }

    memset(me, 0, sizeof(exs_oxcmail_addr_t));
    me->smtp = e.address;
    me->display_name = e.display_name;
    me->legacy_dn = e.legacy_dn;
    me->display_type = EXS_DT_MAILUSER;

    return EXS_OK;
}


int
exs_mail_store(exs_mbox_t *mb, exs_mail_t *m, exs_id_t fid, unsigned flags,
    exs_id_t *mid)
{
    int                  rc;
    int32_t              mflags;
    exs_msg_t           *msg;
    exs_prop_t          *p;
    exs_arena_t         *a;
    exs_remap_t          r;
    exs_oxcmail_addr_t   me;

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    memset(&r, 0, sizeof(exs_remap_t));
    r.from = m->names;
    r.to = exs_mbox_namemap(mb);
    r.a = a;

    rc = exs_mail_remap(&r, m->msg, &msg, 0);
    if (rc != EXS_OK) {
        goto done;
    }

    p = exs_props_get(&msg->props, PR_MESSAGE_FLAGS);
    mflags = p ? p->v.l : 0;
    mflags &= ~(MSGFLAG_READ | MSGFLAG_UNSENT | MSGFLAG_SUBMIT);

    if (flags & EXS_MAIL_READ) {
        mflags |= MSGFLAG_READ | MSGFLAG_EVERREAD;
    }

    rc = exs_props_set_long(a, &msg->props, PR_MESSAGE_FLAGS, mflags);

    if (rc == EXS_OK) {
        (void) exs_props_del(&msg->props, PR_READ);
    }

    if (rc == EXS_OK && (flags & EXS_MAIL_NEW)) {
        rc = exs_mail_me(mb, &me, a);

        if (rc == EXS_OK) {
            rc = exs_oxcmail_set_received(a, msg, &me);
        }

        if (rc == EXS_OK) {
            rc = exs_props_set_i8(a, &msg->props, PR_MESSAGE_DELIVERY_TIME,
                                  exs_filetime_now());
        }
    }

    if (rc == EXS_OK) {
        rc = exs_message_create(mb, fid, msg,
                                (flags & EXS_MAIL_NEW) ? EXS_MSG_NEW_MAIL : 0,
                                mid);
    }

done:

    exs_arena_destroy(a);

    return rc;
}


/* an address, or without its "+detail" (RFC 5233) when only that is
 * known */

int
exs_mail_resolve(exs_txn_t *txn, const char *address, exs_dirent_t *e,
    exs_arena_t *a)
{
    int          rc;
    char        *s;
    const char  *plus, *at;

    rc = exs_dir_by_address(txn, address, e, a);
    if (rc != EXS_NOTFOUND) {
        return rc;
    }

    plus = strchr(address, '+');
    at = strrchr(address, '@');

    if (plus == NULL || at == NULL || plus > at || plus == address) {
        return rc;
    }

    s = exs_alloc(a, strlen(address) + 1);
    if (s == NULL) {
        return EXS_NOMEM;
    }

    memcpy(s, address, (size_t) (plus - address));
    strcpy(s + (plus - address), at);

    return exs_dir_by_address(txn, s, e, a);
}


static int
exs_mail_add_box(uint32_t box, uint32_t **boxes, uint32_t *n, exs_arena_t *a)
{
    uint32_t   i, *v;

    for (i = 0; i < *n; i++) {
        if ((*boxes)[i] == box) {
            return 0;
        }
    }

    if (*n >= EXS_MAIL_MAX_EXPAND) {
        return EXS_TOOBIG;
    }

    if ((*n & (*n - 1)) == 0) {
        v = exs_alloc(a, (*n ? *n * 2 : 4) * sizeof(uint32_t));
        if (v == NULL) {
            return EXS_NOMEM;
        }

        if (*n) {
            memcpy(v, *boxes, *n * sizeof(uint32_t));
        }

        *boxes = v;
    }

    (*boxes)[(*n)++] = box;

    return 1;
}


/* the mailboxes of a directory entry: a user's own, a group's members'
 * (nested groups too; seen stops loops) */

static int
exs_mail_expand(exs_txn_t *txn, uint32_t id, uint32_t **boxes,
    uint32_t *nboxes, uint32_t *seen, uint32_t *nseen, unsigned depth,
    exs_arena_t *a)
{
    int            rc, added;
    uint32_t       i, n, *members;
    exs_dirent_t   e;

    for (i = 0; i < *nseen; i++) {
        if (seen[i] == id) {
            return 0;
        }
    }

    if (*nseen >= EXS_MAIL_MAX_EXPAND || depth > 32) {
        return EXS_TOOBIG;
    }

    seen[(*nseen)++] = id;

    rc = exs_dir_by_id(txn, id, &e, a);
    if (rc != EXS_OK) {
        return rc == EXS_NOTFOUND ? 0 : rc;
    }

    if (e.type == EXS_DIR_USER) {
        return e.mailbox ? exs_mail_add_box(e.mailbox, boxes, nboxes, a) : 0;
    }

    rc = exs_dir_members(txn, id, &members, &n, a);
    if (rc != EXS_OK) {
        return rc;
    }

    added = 0;

    for (i = 0; i < n; i++) {
        rc = exs_mail_expand(txn, members[i], boxes, nboxes, seen, nseen,
                             depth + 1, a);
        if (rc < 0) {
            return rc;
        }

        added += rc;
    }

    return added;
}


int
exs_mail_deliver(exs_txn_t *txn, exs_mail_t *m, const char *const *rcpts,
    uint32_t n, unsigned flags, exs_mail_rcpt_t *results, exs_arena_t *a)
{
    int            rc, unknown;
    uint32_t       i, k, nboxes, prev, nseen, *boxes, *seen, *from;
    exs_mbox_t    *mb;
    exs_dirent_t   e;

    boxes = NULL;
    nboxes = 0;
    nseen = 0;
    unknown = 0;

    seen = exs_alloc(a, EXS_MAIL_MAX_EXPAND * sizeof(uint32_t));
    from = exs_alloc(a, (n ? n : 1) * sizeof(uint32_t));

    if (seen == NULL || from == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < n; i++) {
        prev = nboxes;
        from[i] = prev;

        rc = exs_mail_resolve(txn, rcpts[i], &e, a);

        if (rc == EXS_OK) {
            rc = exs_mail_expand(txn, e.id, &boxes, &nboxes, seen, &nseen, 0,
                                 a);
        }

        if (rc == EXS_NOTFOUND) {
            unknown = 1;
        }

        if (results) {
            results[i].address = rcpts[i];
            results[i].rc = rc < 0 ? rc : EXS_OK;
            results[i].mailboxes = nboxes - prev;
        }

        if (rc < 0 && rc != EXS_NOTFOUND) {
            return rc;
        }
    }

    if (unknown && (flags & EXS_MAIL_ALL_OR_NOTHING)) {
        return EXS_NOTFOUND;
    }

    for (k = 0; k < nboxes; k++) {
        rc = exs_mbox_open(txn, boxes[k], 0, &mb);

        if (rc == EXS_OK) {
            rc = exs_mail_store(mb, m, EXS_FID_INBOX,
                                (flags & EXS_MAIL_READ) | EXS_MAIL_NEW, NULL);
        }

        if (rc != EXS_OK) {
            if (results) {
                for (i = 0; i < n; i++) {
                    if (k >= from[i] && k < from[i] + results[i].mailboxes) {
                        results[i].rc = rc;
                    }
                }
            }

            return rc;
        }
    }

    return unknown ? EXS_NOTFOUND : EXS_OK;
}


/* non-delivery reports */

/* PR_NDR_STATUS_CODE: the enhanced status code (RFC 3463) "5.1.1" in the
 * reply as 511, else the reply's class times 100 */

static int
exs_ndr_status(int code, const char *reason)
{
    const char  *p;

    for (p = reason; p && *p; p++) {
        if ((*p == '4' || *p == '5') && p[1] == '.'
            && p[2] >= '0' && p[2] <= '9' && p[3] == '.'
            && p[4] >= '0' && p[4] <= '9'
            && (p == reason || p[-1] == ' ' || p[-1] == '-'))
        {
            return (p[0] - '0') * 100 + (p[2] - '0') * 10 + (p[4] - '0');
        }
    }

    return code >= 400 && code < 600 ? code / 100 * 100 : 500;
}


static int
exs_ndr_rcpt(exs_arena_t *a, exs_msg_t *msg, uint32_t row,
    const exs_mail_failure_t *f, int64_t now)
{
    int          status;
    exs_bin_t    eid, key;
    exs_rcpt_t  *r;
    const char  *addr;

    r = exs_msg_add_rcpt(a, msg);
    if (r == NULL) {
        return EXS_NOMEM;
    }

    addr = f->address ? f->address : "";
    status = exs_ndr_status(f->code, f->reason);

    if (exs_oxcmail_oneoff_entryid(addr, "SMTP", addr, &eid, a) != EXS_OK
        || exs_oxcmail_search_key("SMTP", addr, &key, a) != EXS_OK
        || exs_props_set_long(a, &r->props, PR_ROWID, (int32_t) row)
           != EXS_OK
        || exs_props_set_long(a, &r->props, PR_RECIPIENT_TYPE,
                              EXS_MAPI_TO) != EXS_OK
        || exs_oxcmail_set_str(a, &r->props, PR_DISPLAY_NAME, addr) != EXS_OK
        || exs_oxcmail_set_str(a, &r->props, PR_TRANSMITABLE_DISPLAY_NAME,
                               addr) != EXS_OK
        || exs_oxcmail_set_str(a, &r->props, PR_ADDRTYPE, "SMTP") != EXS_OK
        || exs_oxcmail_set_str(a, &r->props, PR_EMAIL_ADDRESS, addr) != EXS_OK
        || exs_oxcmail_set_str(a, &r->props, PR_SMTP_ADDRESS, addr) != EXS_OK
        || exs_props_set_bin(a, &r->props, PR_ENTRYID, eid.data, eid.len)
           != EXS_OK
        || exs_props_set_bin(a, &r->props, PR_SEARCH_KEY, key.data, key.len)
           != EXS_OK
        || exs_props_set_i8(a, &r->props, PR_REPORT_TIME, now) != EXS_OK
        || exs_props_set_long(a, &r->props, PR_NDR_REASON_CODE,
                              EXS_MAPI_REASON_TRANSFER_FAILED) != EXS_OK
        || exs_props_set_long(a, &r->props, PR_NDR_DIAG_CODE,
                              status / 10 == 51
                              ? EXS_MAPI_DIAG_RECIPIENT_UNKNOWN
                              : EXS_MAPI_DIAG_NO_DIAGNOSTIC) != EXS_OK
        || exs_props_set_long(a, &r->props, PR_NDR_STATUS_CODE, status)
           != EXS_OK
        || exs_oxcmail_set_str(a, &r->props, PR_SUPPLEMENTARY_INFO,
                               f->reason ? f->reason : "") != EXS_OK)
    {
        return EXS_NOMEM;
    }

    return EXS_OK;
}


static char *
exs_ndr_body(exs_arena_t *a, const exs_mail_original_t *orig,
    const exs_mail_failure_t *failures, uint32_t n)
{
    char        *s, date[64];
    size_t       len, size;
    time_t       t;
    uint32_t     i;
    struct tm    tm;

    size = 512 + (orig->subject ? strlen(orig->subject) : 0);
    for (i = 0; i < n; i++) {
        size += 64 + (failures[i].address ? strlen(failures[i].address) : 0)
                + (failures[i].reason ? strlen(failures[i].reason) : 0);
    }

    s = exs_alloc(a, size);
    if (s == NULL) {
        return NULL;
    }

    date[0] = '\0';

    if (orig->submit_time) {
        t = (time_t) exs_filetime_to_unix(orig->submit_time);
        if (gmtime_r(&t, &tm)) {
            strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
        }
    }

    len = (size_t) snprintf(s, size,
              "Your message did not reach some or all of the intended "
              "recipients.\r\n\r\n"
              "      Subject:  %s\r\n"
              "      Sent:     %s\r\n\r\n"
              "The following recipient(s) cannot be reached:\r\n",
              orig->subject ? orig->subject : "", date);

    for (i = 0; i < n && len < size; i++) {
        len += (size_t) snprintf(s + len, size - len,
                   "\r\n      %s\r\n            %s\r\n",
                   failures[i].address ? failures[i].address : "",
                   failures[i].reason ? failures[i].reason : "");
    }

    return s;
}


/* the original inside the report: an embedded message, or its headers */

static int
exs_ndr_original(exs_arena_t *a, exs_mail_t *ndr,
    const exs_mail_original_t *orig)
{
    int                  rc;
    size_t               hlen;
    exs_attach_t        *att;
    const uint8_t       *p, *end, *hend;
    exs_oxcmail_opts_t   o;

    if (orig->mime == NULL || orig->mime_len == 0) {
        return EXS_OK;
    }

    att = exs_msg_add_attach(a, ndr->msg);
    if (att == NULL) {
        return EXS_NOMEM;
    }

    if (exs_props_set_long(a, &att->props, PR_ATTACH_NUM, 0) != EXS_OK) {
        return EXS_NOMEM;
    }

    if (orig->mime_len <= EXS_NDR_EMBED_MAX) {
        memset(&o, 0, sizeof(exs_oxcmail_opts_t));
        o.namemap = ndr->names;

        rc = exs_oxcmail_import(orig->mime, orig->mime_len, &o,
                                &att->embedded, NULL, a);
        if (rc != EXS_OK) {
            return rc;
        }

        if (exs_props_set_long(a, &att->props, PR_ATTACH_METHOD,
                               EXS_ATTACH_EMBEDDED_MSG) != EXS_OK
            || exs_oxcmail_set_str(a, &att->props, PR_DISPLAY_NAME,
                                   orig->subject ? orig->subject : "")
               != EXS_OK)
        {
            return EXS_NOMEM;
        }

        return EXS_OK;
    }

    p = orig->mime;
    end = p + orig->mime_len;
    hend = NULL;

    for ( /* void */ ; p + 1 < end; p++) {
        if (p[0] == '\n' && (p[1] == '\n'
                             || (p[1] == '\r' && p + 2 < end
                                 && p[2] == '\n')))
        {
            hend = p + 1;
            break;
        }
    }

    hlen = hend ? (size_t) (hend - (const uint8_t *) orig->mime)
                : (orig->mime_len < 65536 ? orig->mime_len : 65536);

    if (exs_props_set_long(a, &att->props, PR_ATTACH_METHOD,
                           EXS_ATTACH_BY_VALUE) != EXS_OK
        || exs_oxcmail_set_str(a, &att->props, PR_ATTACH_LONG_FILENAME,
                               "original-headers.txt") != EXS_OK
        || exs_oxcmail_set_str(a, &att->props, PR_DISPLAY_NAME,
                               "original-headers.txt") != EXS_OK
        || exs_oxcmail_set_str(a, &att->props, PR_ATTACH_MIME_TAG,
                               "text/rfc822-headers") != EXS_OK
        || exs_props_set_bin(a, &att->props, PR_ATTACH_DATA_BIN, orig->mime,
                             hlen) != EXS_OK)
    {
        return EXS_NOMEM;
    }

    return EXS_OK;
}


int
exs_mail_ndr(exs_txn_t *txn, uint32_t mailbox,
    const exs_mail_original_t *orig, const exs_mail_failure_t *failures,
    uint32_t n, exs_id_t *mid, exs_arena_t *a)
{
    int                  rc;
    char                *body, *subject, *cls, *sender, *to;
    size_t               len;
    int64_t              now;
    uint32_t             i;
    exs_bin_t            eid, key;
    exs_mbox_t          *mb;
    exs_mail_t           ndr;
    exs_props_t         *p;
    const char          *osub, *ocls, *at;
    exs_oxcmail_addr_t   me;

    if (n == 0) {
        return EXS_OK;
    }

    rc = exs_mbox_open(txn, mailbox, 0, &mb);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_mail_me(mb, &me, a);
    if (rc != EXS_OK) {
        return rc;
    }

    memset(&ndr, 0, sizeof(exs_mail_t));

    ndr.names = exs_namemap_mem_create(a);
    ndr.msg = exs_msg_create(a);

    if (ndr.names == NULL || ndr.msg == NULL) {
        return EXS_NOMEM;
    }

    now = exs_filetime_now();
    osub = orig->subject ? orig->subject : "";
    ocls = orig->message_class && *orig->message_class
           ? orig->message_class : "IPM.Note";

    len = strlen(osub) + strlen(ocls) + 64;
    subject = exs_alloc(a, len);
    cls = exs_alloc(a, len);

    at = strchr(me.smtp, '@');
    sender = exs_alloc(a, 32 + (at ? strlen(at) : 0));

    to = NULL;
    len = 1;
    for (i = 0; i < n; i++) {
        len += (failures[i].address ? strlen(failures[i].address) : 0) + 2;
    }
    to = exs_calloc(a, len);

    body = exs_ndr_body(a, orig, failures, n);

    if (subject == NULL || cls == NULL || sender == NULL || to == NULL
        || body == NULL)
    {
        return EXS_NOMEM;
    }

    snprintf(subject, strlen(osub) + 64, "Undeliverable: %s", osub);
    snprintf(cls, strlen(ocls) + 64, "REPORT.%s.NDR", ocls);
    snprintf(sender, 32 + (at ? strlen(at) : 0), "MAILER-DAEMON%s",
             at ? at : "");

    for (i = 0; i < n; i++) {
        if (i) {
            strcat(to, "; ");
        }
        strcat(to, failures[i].address ? failures[i].address : "");
    }

    if (exs_oxcmail_oneoff_entryid("Mail Delivery System", "SMTP", sender,
                                   &eid, a) != EXS_OK
        || exs_oxcmail_search_key("SMTP", sender, &key, a) != EXS_OK)
    {
        return EXS_NOMEM;
    }

    p = &ndr.msg->props;

    if (exs_oxcmail_set_str(a, p, PR_MESSAGE_CLASS, cls) != EXS_OK
        || exs_oxcmail_set_str(a, p, PR_SUBJECT, subject) != EXS_OK
        || exs_oxcmail_set_str(a, p, PR_SUBJECT_PREFIX, "Undeliverable: ")
           != EXS_OK
        || exs_oxcmail_set_str(a, p, PR_NORMALIZED_SUBJECT, osub) != EXS_OK
        || exs_oxcmail_set_str(a, p, PR_ORIGINAL_SUBJECT, osub) != EXS_OK
        || exs_oxcmail_set_str(a, p, PR_ORIGINAL_MESSAGE_CLASS, ocls)
           != EXS_OK
        || exs_oxcmail_set_str(a, p, PR_ORIGINAL_DISPLAY_TO, to) != EXS_OK
        || exs_oxcmail_set_str(a, p, PR_BODY, body) != EXS_OK
        || exs_props_set_long(a, p, PR_INTERNET_CPID, EXS_CPID_UTF8)
           != EXS_OK
        || exs_props_set_long(a, p, PR_IMPORTANCE, EXS_IMPORTANCE_NORMAL)
           != EXS_OK
        || exs_props_set_i8(a, p, PR_REPORT_TIME, now) != EXS_OK
        || exs_props_set_i8(a, p, PR_CLIENT_SUBMIT_TIME, now) != EXS_OK
        || exs_oxcmail_set_str(a, p, PR_SENDER_NAME, "Mail Delivery System")
           != EXS_OK
        || exs_oxcmail_set_str(a, p, PR_SENDER_ADDRTYPE, "SMTP") != EXS_OK
        || exs_oxcmail_set_str(a, p, PR_SENDER_EMAIL_ADDRESS, sender)
           != EXS_OK
        || exs_oxcmail_set_str(a, p, PR_SENDER_SMTP_ADDRESS, sender)
           != EXS_OK
        || exs_props_set_bin(a, p, PR_SENDER_ENTRYID, eid.data, eid.len)
           != EXS_OK
        || exs_props_set_bin(a, p, PR_SENDER_SEARCH_KEY, key.data, key.len)
           != EXS_OK
        || exs_oxcmail_set_str(a, p, PR_SENT_REPRESENTING_NAME,
                               "Mail Delivery System") != EXS_OK
        || exs_oxcmail_set_str(a, p, PR_SENT_REPRESENTING_ADDRTYPE, "SMTP")
           != EXS_OK
        || exs_oxcmail_set_str(a, p, PR_SENT_REPRESENTING_EMAIL_ADDRESS,
                               sender) != EXS_OK
        || exs_oxcmail_set_str(a, p, PR_SENT_REPRESENTING_SMTP_ADDRESS,
                               sender) != EXS_OK
        || exs_props_set_bin(a, p, PR_SENT_REPRESENTING_ENTRYID, eid.data,
                             eid.len) != EXS_OK
        || exs_props_set_bin(a, p, PR_SENT_REPRESENTING_SEARCH_KEY, key.data,
                             key.len) != EXS_OK)
    {
        return EXS_NOMEM;
    }

    if (orig->submit_time
        && exs_props_set_i8(a, p, PR_ORIGINAL_SUBMIT_TIME, orig->submit_time)
           != EXS_OK)
    {
        return EXS_NOMEM;
    }

    if (orig->message_id && *orig->message_id
        && (exs_oxcmail_set_str(a, p, PR_ORIGINAL_MESSAGE_ID,
                                orig->message_id) != EXS_OK
            || exs_oxcmail_set_str(a, p, PR_IN_REPLY_TO_ID,
                                   orig->message_id) != EXS_OK))
    {
        return EXS_NOMEM;
    }

    for (i = 0; i < n; i++) {
        rc = exs_ndr_rcpt(a, ndr.msg, i, &failures[i], now);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    rc = exs_ndr_original(a, &ndr, orig);
    if (rc != EXS_OK) {
        return rc;
    }

    return exs_mail_store(mb, &ndr, EXS_FID_INBOX, EXS_MAIL_NEW, mid);
}
