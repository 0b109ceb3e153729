
/*
 * exch store: sending a message that is in a mailbox (MS-OXOMSG 3.2.5.x:
 * RopSubmitMessage; EWS CreateItem/SendItem).  The message becomes MIME;
 * local recipients get it at once, remote ones through the queue; it ends
 * up in the sent folder, read and no longer unsent, or deleted.
 */


#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "exs_int.h"
#include "exs_mail.h"
#include "exs_oxcmail_int.h"


typedef struct {
    exs_mbox_t               *mb;
    exs_txn_t                *txn;
    exs_arena_t              *a;
    exs_msg_t                *msg;
    exs_props_t               upd;          /* what the stored copy gets */
    exs_mbox_info_t           info;
    exs_dirent_t              owner;
    exs_dirent_t              actor;
    exs_mail_failure_t       *failed;
    uint32_t                  nfailed;
    uint32_t                  cap;
} exs_submit_t;


static int exs_submit_set(exs_submit_t *s, const exs_prop_t *p);
static int exs_submit_str(exs_submit_t *s, uint32_t tag, const char *v);
static int exs_submit_addr(exs_submit_t *s, const exs_dirent_t *e,
    uint32_t name, uint32_t addrtype, uint32_t email, uint32_t smtp,
    uint32_t entryid, uint32_t search_key);
static int exs_submit_sent_folder(exs_submit_t *s, exs_id_t *fid);
static int exs_submit_fail(exs_submit_t *s, const char *address, int code,
    const char *reason);
static int exs_submit_unresolved(exs_submit_t *s,
    const exs_oxcmail_opts_t *o);
static int exs_submit_is_local_domain(exs_submit_t *s, const char *address,
    const exs_domain_t *domains, uint32_t ndomains);


/* a property for both the stored message and the copy being converted */

static int
exs_submit_set(exs_submit_t *s, const exs_prop_t *p)
{
    int  rc;

    rc = exs_props_set(s->a, &s->upd, p);
    if (rc == EXS_OK) {
        rc = exs_props_set(s->a, &s->msg->props, p);
    }

    return rc;
}


static int
exs_submit_str(exs_submit_t *s, uint32_t tag, const char *v)
{
    exs_prop_t  p;

    p.tag = tag;
    p.v.str.data = v;
    p.v.str.len = strlen(v);

    return exs_submit_set(s, &p);
}


static int
exs_submit_addr(exs_submit_t *s, const exs_dirent_t *e, uint32_t name,
    uint32_t addrtype, uint32_t email, uint32_t smtp, uint32_t entryid,
    uint32_t search_key)
{
    exs_bin_t   eid, key;
    exs_prop_t  p;

    if (exs_oxcmail_ab_entryid(e->legacy_dn, EXS_DT_MAILUSER, &eid, s->a)
        != EXS_OK
        || exs_oxcmail_search_key("EX", e->legacy_dn, &key, s->a) != EXS_OK)
    {
        return EXS_NOMEM;
    }

    if (exs_submit_str(s, name, e->display_name && *e->display_name
                                ? e->display_name : e->address) != EXS_OK
        || exs_submit_str(s, addrtype, "EX") != EXS_OK
        || exs_submit_str(s, email, e->legacy_dn) != EXS_OK
        || exs_submit_str(s, smtp, e->address) != EXS_OK)
    {
        return EXS_NOMEM;
    }

    p.tag = entryid;
    p.v.bin = eid;

    if (exs_submit_set(s, &p) != EXS_OK) {
        return EXS_NOMEM;
    }

    p.tag = search_key;
    p.v.bin = key;

    return exs_submit_set(s, &p);
}


/* where the sent copy goes: PR_SENTMAIL_ENTRYID when it names a folder of
 * this mailbox, else Sent Items */

static int
exs_submit_sent_folder(exs_submit_t *s, exs_id_t *fid)
{
    uint8_t             guid[16];
    exs_id_t            f, m;
    exs_prop_t         *p;
    exs_folder_info_t   fi;

    p = exs_props_get(&s->msg->props, PR_SENTMAIL_ENTRYID);

    if (p && exs_entryid_parse(p->v.bin.data, p->v.bin.len, guid, &f, &m)
             == EXS_OK
        && m == 0 && memcmp(guid, s->info.guid, 16) == 0
        && exs_folder_info(s->mb, f, &fi) == EXS_OK && !fi.deleted
        && fi.type != EXS_FOLDER_SEARCH)
    {
        *fid = f;
        return EXS_OK;
    }

    *fid = EXS_FID_SENT_ITEMS;

    return EXS_OK;
}


static int
exs_submit_fail(exs_submit_t *s, const char *address, int code,
    const char *reason)
{
    exs_mail_failure_t  *f;

    if (s->nfailed == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 8;

        f = exs_alloc(s->a, s->cap * sizeof(exs_mail_failure_t));
        if (f == NULL) {
            return EXS_NOMEM;
        }

        if (s->nfailed) {
            memcpy(f, s->failed, s->nfailed * sizeof(exs_mail_failure_t));
        }

        s->failed = f;
    }

    f = &s->failed[s->nfailed++];
    f->address = address;
    f->code = code;
    f->reason = reason;

    return EXS_OK;
}


/* the recipient rows the envelope had no SMTP address for, by name */

static int
exs_submit_unresolved(exs_submit_t *s, const exs_oxcmail_opts_t *o)
{
    int                  rc;
    uint32_t             i;
    exs_prop_t          *t, *p;
    const char          *name;
    exs_oxcmail_addr_t   addr;

    for (i = 0; i < s->msg->nrcpts; i++) {
        const exs_props_t  *b = &s->msg->rcpts[i].props;

        t = exs_props_get(b, PR_RECIPIENT_TYPE);
        if (t && (t->v.l & 0xF) == EXS_MAPI_ORIG) {
            continue;
        }

        p = exs_props_get(b, PR_SMTP_ADDRESS);
        if (p && p->v.str.len) {
            continue;
        }

        t = exs_props_get(b, PR_ADDRTYPE);
        p = exs_props_get(b, PR_EMAIL_ADDRESS);

        if (t && p && p->v.str.len) {
            if (strcasecmp(t->v.str.data, "SMTP") == 0) {
                continue;
            }

            if (strcasecmp(t->v.str.data, "EX") == 0
                && exs_mail_lookup(o->lookup_data, EXS_OXCMAIL_BY_DN,
                                   p->v.str.data, &addr, s->a) == EXS_OK)
            {
                continue;
            }
        }

        p = exs_props_get(b, PR_DISPLAY_NAME);
        name = p ? p->v.str.data : "(no name)";

        rc = exs_submit_fail(s, name, 550,
                             "550 5.1.3 the recipient has no Internet "
                             "mail address");
        if (rc != EXS_OK) {
            return rc;
        }
    }

    return EXS_OK;
}


static int
exs_submit_is_local_domain(exs_submit_t *s, const char *address,
    const exs_domain_t *domains, uint32_t ndomains)
{
    uint32_t     i;
    const char  *at;

    at = strrchr(address, '@');
    if (at == NULL) {
        return 1;                         /* no domain: can't be remote */
    }

    for (i = 0; i < ndomains; i++) {
        if (strcasecmp(at + 1, domains[i].name) == 0) {
            return 1;
        }
    }

    return 0;
}


int
exs_mail_submit(exs_mbox_t *mb, exs_id_t mid, unsigned flags,
    exs_id_t sent_fid, exs_mail_sent_t *sent, exs_arena_t *a)
{
    int                  rc, del;
    char                *why;
    size_t               len;
    int64_t              now;
    uint32_t             i, nr, unresolved, nd, nlocal, nremote;
    exs_id_t             fid, new_mid;
    exs_bin_t            mime;
    exs_prop_t          *p;
    exs_mail_t          *m;
    const char          *from, **rcpts, **local, **remote, *msgid, *at;
    exs_domain_t        *domains;
    exs_submit_t         s;
    exs_mail_sent_t      dummy;
    exs_msg_info_t       mi;
    exs_folder_info_t    fi;
    exs_oxcmail_opts_t   o;
    exs_mail_original_t  orig;

    if (sent == NULL) {
        sent = &dummy;
    }

    memset(sent, 0, sizeof(exs_mail_sent_t));
    memset(&s, 0, sizeof(exs_submit_t));
    s.mb = mb;
    s.txn = exs_mbox_txn(mb);
    s.a = a;

    if (exs_txn_rdonly(s.txn)) {
        return EXS_DENIED;
    }

    rc = exs_message_info(mb, mid, &mi);
    if (rc != EXS_OK) {
        return rc;
    }

    if (mi.associated || mi.deleted) {
        return EXS_NOTFOUND;
    }

    rc = exs_message_read(mb, mid, EXS_READ_ALL, &s.msg, a);
    if (rc != EXS_OK) {
        return rc;
    }

    if (s.msg->nrcpts == 0) {
        return EXS_INVALID;
    }

    rc = exs_mbox_info(mb, &s.info);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_dir_by_id(s.txn, s.info.owner, &s.owner, a);
    if (rc == EXS_OK) {
        rc = mb->user ? exs_dir_by_id(s.txn, mb->user, &s.actor, a)
                      : EXS_NOTFOUND;
        if (rc == EXS_NOTFOUND) {
            s.actor = s.owner;
            rc = EXS_OK;
        }
    }

    if (rc != EXS_OK) {
        return rc == EXS_NOTFOUND ? EXS_CORRUPT : rc;
    }

    p = exs_props_get(&s.msg->props, PR_DELETE_AFTER_SUBMIT);
    del = (flags & EXS_MAIL_SUBMIT_DELETE) || (p && p->v.b);

    fid = 0;

    if (!del) {
        if (sent_fid) {
            rc = exs_folder_info(mb, sent_fid, &fi);
            if (rc != EXS_OK) {
                return rc;
            }

            if (fi.deleted || fi.type == EXS_FOLDER_SEARCH) {
                return EXS_NOTFOUND;
            }

            fid = sent_fid;

        } else {
            rc = exs_submit_sent_folder(&s, &fid);
            if (rc != EXS_OK) {
                return rc;
            }
        }
    }

    /* who sends, when, and under which Message-ID */

    now = exs_filetime_now();

    rc = exs_submit_addr(&s, &s.actor, PR_SENDER_NAME, PR_SENDER_ADDRTYPE,
                         PR_SENDER_EMAIL_ADDRESS, PR_SENDER_SMTP_ADDRESS,
                         PR_SENDER_ENTRYID, PR_SENDER_SEARCH_KEY);

    if (rc == EXS_OK
        && exs_props_get(&s.msg->props, PR_SENT_REPRESENTING_ENTRYID) == NULL
        && exs_props_get(&s.msg->props, PR_SENT_REPRESENTING_EMAIL_ADDRESS)
           == NULL)
    {
        rc = exs_submit_addr(&s, &s.owner, PR_SENT_REPRESENTING_NAME,
                             PR_SENT_REPRESENTING_ADDRTYPE,
                             PR_SENT_REPRESENTING_EMAIL_ADDRESS,
                             PR_SENT_REPRESENTING_SMTP_ADDRESS,
                             PR_SENT_REPRESENTING_ENTRYID,
                             PR_SENT_REPRESENTING_SEARCH_KEY);
    }

    if (rc != EXS_OK) {
        return rc;
    }

    {
        exs_prop_t  t;

        t.tag = PR_CLIENT_SUBMIT_TIME;
        t.v.ll = now;
        rc = exs_submit_set(&s, &t);

        t.tag = PR_MESSAGE_DELIVERY_TIME;
        if (rc == EXS_OK) {
            rc = exs_submit_set(&s, &t);
        }

        t.tag = PR_MESSAGE_FLAGS;
        t.v.l = (int32_t) ((mi.flags & ~(MSGFLAG_UNSENT | MSGFLAG_SUBMIT))
                           | MSGFLAG_READ | MSGFLAG_EVERREAD);
        if (rc == EXS_OK) {
            rc = exs_submit_set(&s, &t);
        }

        if (rc != EXS_OK) {
            return rc;
        }
    }

    p = exs_props_get(&s.msg->props, PR_INTERNET_MESSAGE_ID);

    if (p && p->v.str.len) {
        msgid = p->v.str.data;

    } else {
        at = strrchr(s.actor.address, '@');
        msgid = exs_oxcmail_make_message_id(at ? at + 1 : "localhost", a);

        if (msgid == NULL || exs_submit_str(&s, PR_INTERNET_MESSAGE_ID, msgid)
                             != EXS_OK)
        {
            return EXS_NOMEM;
        }
    }

    sent->message_id = msgid;

    /* MIME and the envelope */

    memset(&o, 0, sizeof(exs_oxcmail_opts_t));
    o.namemap = exs_mbox_namemap(mb);
    o.lookup = exs_mail_lookup;
    o.lookup_data = s.txn;
    o.flags = EXS_OXCMAIL_FOR_SEND;

    /* meeting requests, responses and cancellations keep their class and
     * calendar properties in a winmail.dat (until iCalendar is written) */
    p = exs_props_get(&s.msg->props, PR_MESSAGE_CLASS);

    if (p && p->v.str.len > 21
        && strncasecmp(p->v.str.data, "IPM.Schedule.Meeting.", 21) == 0)
    {
        o.flags |= EXS_OXCMAIL_TNEF;
    }

    rc = exs_oxcmail_export(s.msg, &o, &mime, a);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_oxcmail_envelope(s.msg, &o, &from, &rcpts, &nr, &unresolved, a);
    if (rc != EXS_OK) {
        return rc;
    }

    if (unresolved) {
        rc = exs_submit_unresolved(&s, &o);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    if (nr == 0 && s.nfailed == 0) {
        return EXS_INVALID;
    }

    rc = exs_dir_domains(s.txn, &domains, &nd, a);
    if (rc != EXS_OK) {
        return rc;
    }

    local = exs_alloc(a, (nr ? nr : 1) * sizeof(char *));
    remote = exs_alloc(a, (nr ? nr : 1) * sizeof(char *));

    if (local == NULL || remote == NULL) {
        return EXS_NOMEM;
    }

    nlocal = 0;
    nremote = 0;

    for (i = 0; i < nr; i++) {
        exs_dirent_t  e;

        rc = exs_mail_resolve(s.txn, rcpts[i], &e, a);

        if (rc == EXS_OK) {
            local[nlocal++] = rcpts[i];
            continue;
        }

        if (rc != EXS_NOTFOUND) {
            return rc;
        }

        if (!exs_submit_is_local_domain(&s, rcpts[i], domains, nd)) {
            remote[nremote++] = rcpts[i];
            continue;
        }

        len = strlen(rcpts[i]) + 64;
        why = exs_alloc(a, len);
        if (why == NULL) {
            return EXS_NOMEM;
        }

        snprintf(why, len, "550 5.1.1 <%s>: no such recipient here",
                 rcpts[i]);

        rc = exs_submit_fail(&s, rcpts[i], 550, why);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    memset(&orig, 0, sizeof(exs_mail_original_t));
    p = exs_props_get(&s.msg->props, PR_SUBJECT);
    orig.subject = p ? p->v.str.data : "";
    p = exs_props_get(&s.msg->props, PR_MESSAGE_CLASS);
    orig.message_class = p ? p->v.str.data : NULL;
    orig.message_id = msgid;
    orig.submit_time = now;
    orig.mime = mime.data;
    orig.mime_len = mime.len;

    if (nlocal) {
        exs_mail_rcpt_t  *res;

        res = exs_calloc(a, nlocal * sizeof(exs_mail_rcpt_t));
        if (res == NULL) {
            return EXS_NOMEM;
        }

        rc = exs_mail_parse(s.txn, mime.data, mime.len, 0, &m, a);

        if (rc == EXS_OK) {
            rc = exs_mail_deliver(s.txn, m, local, nlocal, 0, res, a);
        }

        if (rc != EXS_OK && rc != EXS_NOTFOUND) {
            return rc;
        }

        for (i = 0; i < nlocal; i++) {
            sent->local += res[i].mailboxes;
        }
    }

    if (nremote) {
        rc = exs_queue_add(s.txn, s.info.mailbox, from ? from : "", remote,
                           nremote, mime.data, mime.len, &orig,
                           &sent->queue_id);
        if (rc != EXS_OK) {
            return rc;
        }

        sent->remote = nremote;
    }

    if (s.nfailed) {
        rc = exs_mail_ndr(s.txn, s.info.mailbox, &orig, s.failed, s.nfailed,
                          NULL, a);
        if (rc != EXS_OK) {
            return rc;
        }

        sent->failed = s.nfailed;
    }

    /* the sent copy */

    if (del) {
        return exs_message_delete(mb, &mid, 1, EXS_DEL_HARD);
    }

    rc = exs_message_set(mb, mid, &s.upd);
    if (rc != EXS_OK) {
        return rc;
    }

    new_mid = mid;

    if (fid != mi.fid) {
        rc = exs_message_move(mb, &mid, 1, fid, &new_mid);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    sent->sent_mid = new_mid;
    sent->sent_fid = fid;

    return EXS_OK;
}
