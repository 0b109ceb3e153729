
/*
 * Delivery and submission: one parse delivered to users, aliases, "+"
 * addresses and nested groups with each mailbox once; unknown recipients
 * (all or nothing); what a delivered copy carries (unread, delivery time,
 * PR_RECEIVED_BY_*, a new-mail change, named properties in the mailbox's
 * own ids); exs_mail_submit's local delivery, queue entry, NDR rows and
 * sent copy (folder, flags, times, Message-ID, sender), delete after
 * submit, PR_SENTMAIL_ENTRYID, no recipients.
 */


#include <tap.h>
#include <time.h>
#include "store_util.h"

#include <exs_mail.h>


#ifndef PR_NDR_DIAG_CODE
#define PR_NDR_DIAG_CODE        PROP_TAG(PT_LONG, 0x0C05)
#endif
#ifndef PR_SUPPLEMENTARY_INFO
#define PR_SUPPLEMENTARY_INFO   PROP_TAG(PT_UNICODE, 0x0C1B)
#endif


static exs_env_t   *env;
static exs_arena_t *ar;
static uint32_t     alice, bob, carol, alice_id, bob_id, carol_id;

static const char   mime[] = "From: Sender <sender@remote.example>\r\n"
                             "To: team@example.test\r\n"
                             "Subject: hello\r\n"
                             "X-Mailer: kept as a named property\r\n"
                             "\r\nbody\r\n";


static uint32_t
count(uint32_t mailbox, exs_id_t fid, uint32_t *unread)
{
    uint32_t            n;
    exs_txn_t          *txn;
    exs_mbox_t         *mb;
    exs_folder_info_t   fi;

    n = 0;

    if (exs_txn_begin(env, EXS_TXN_RDONLY, &txn) == EXS_OK) {
        if (exs_mbox_open(txn, mailbox, 0, &mb) == EXS_OK
            && exs_folder_info(mb, fid, &fi) == EXS_OK)
        {
            n = fi.count;
            if (unread) {
                *unread = fi.unread;
            }
        }
        exs_txn_abort(txn);
    }

    return n;
}


/* the newest message of a folder, read whole, in txn */
static exs_msg_t *
newest(exs_txn_t *txn, uint32_t mailbox, exs_id_t fid, exs_id_t *mid,
    exs_mbox_t **mbp)
{
    uint32_t      got;
    exs_id_t      id;
    exs_msg_t    *m;
    exs_mbox_t   *mb;
    exs_table_t  *t;

    if (exs_mbox_open(txn, mailbox, 0, &mb) != EXS_OK
        || exs_table_open(mb, fid, EXS_TABLE_CONTENTS, 0, NULL, NULL, &t, ar)
           != EXS_OK
        || exs_table_ids(t, 0, 1, &id, &got) != EXS_OK || got != 1
        || exs_message_read(mb, id, EXS_READ_ALL, &m, ar) != EXS_OK)
    {
        return NULL;
    }

    if (mid) {
        *mid = id;
    }

    if (mbp) {
        *mbp = mb;
    }

    return m;
}


static const char *
str(const exs_props_t *p, uint32_t tag)
{
    exs_prop_t  *v;

    v = exs_props_get(p, tag);

    return v ? v->v.str.data : "";
}


static void
test_deliver(void)
{
    int               rc, found, newmail;
    uint32_t          i, n, unread;
    exs_txn_t        *txn;
    exs_mail_t       *m;
    exs_msg_t        *msg;
    exs_prop_t       *p;
    exs_mbox_t       *mb;
    exs_change_t     *ch;
    exs_propname_t    name;
    exs_mail_rcpt_t   res[4];
    uint32_t          gid, inner;
    const char       *rcpts[4];

    /* team = { inner = { alice, bob }, alice, team } */
    exs_txn_begin(env, 0, &txn);
    exs_dir_group_add(txn, "team@example.test", "Team", &gid);
    exs_dir_group_add(txn, "inner@example.test", "Inner", &inner);
    exs_dir_member_add(txn, inner, alice_id);
    exs_dir_member_add(txn, inner, bob_id);
    exs_dir_member_add(txn, gid, inner);
    exs_dir_member_add(txn, gid, alice_id);
    exs_dir_member_add(txn, inner, gid);
    exs_dir_alias_add(txn, carol_id, "cc@example.test");
    is_int(exs_txn_commit(txn), EXS_OK, "groups and an alias");

    exs_txn_begin(env, EXS_TXN_RDONLY, &txn);
    rc = exs_mail_parse(txn, mime, sizeof(mime) - 1, 0, &m, ar);
    exs_txn_abort(txn);
    is_int(rc, EXS_OK, "the message parses under a read transaction");

    rcpts[0] = "team@example.test";
    rcpts[1] = "Alice+news@Example.test";
    rcpts[2] = "nobody@example.test";
    rcpts[3] = "cc@example.test";

    exs_txn_begin(env, 0, &txn);
    rc = exs_mail_deliver(txn, m, rcpts, 4, EXS_MAIL_ALL_OR_NOTHING, res, ar);
    exs_txn_abort(txn);
    is_int(rc, EXS_NOTFOUND, "all or nothing: an unknown recipient stops it");
    is_int(res[2].rc, EXS_NOTFOUND, "and is named");
    is_int(res[0].rc, EXS_OK, "the others were known");
    is_int(count(alice, EXS_FID_INBOX, NULL), 0, "nothing was delivered");

    exs_txn_begin(env, 0, &txn);
    rc = exs_mail_deliver(txn, m, rcpts, 4, 0, res, ar);
    is_int(rc, EXS_NOTFOUND, "without: the known ones get it");
    is_int(exs_txn_commit(txn), EXS_OK, "commit");
    is_int(res[0].mailboxes, 2, "the nested group reaches two mailboxes");
    is_int(res[1].mailboxes, 0, "alice's \"+\" address adds nobody new");
    is_int(res[1].rc, EXS_OK, "but is known");
    is_int(res[3].mailboxes, 1, "the alias reaches carol");
    is_int(count(alice, EXS_FID_INBOX, &unread), 1, "alice has it once");
    is_int(unread, 1, "unread");
    is_int(count(bob, EXS_FID_INBOX, NULL), 1, "bob has it once");
    is_int(count(carol, EXS_FID_INBOX, NULL), 1, "carol has it");

    exs_txn_begin(env, EXS_TXN_RDONLY, &txn);
    msg = newest(txn, bob, EXS_FID_INBOX, NULL, &mb);
    ok(msg != NULL, "bob's copy reads");

    if (msg) {
        is_str(str(&msg->props, PR_SUBJECT), "hello", "subject");
        is_str(str(&msg->props, PR_RECEIVED_BY_SMTP_ADDRESS),
               "bob@example.test", "PR_RECEIVED_BY_SMTP_ADDRESS");
        p = exs_props_get(&msg->props, PR_MESSAGE_DELIVERY_TIME);
        ok(p && exs_filetime_to_unix(p->v.ll) >= time(NULL) - 60,
           "delivered now");
        p = exs_props_get(&msg->props, PR_MESSAGE_FLAGS);
        ok(p && !(p->v.l & MSGFLAG_READ), "PR_MESSAGE_FLAGS unread");

        found = 0;
        for (i = 0; i < msg->props.n; i++) {
            if (PROP_ID(msg->props.v[i].tag) < EXS_NAMED_FIRST) {
                continue;
            }
            if (exs_mbox_namemap(mb)->get_name(exs_mbox_namemap(mb),
                    PROP_ID(msg->props.v[i].tag), &name, ar) == EXS_OK
                && name.kind == MNID_STRING
                && strcasecmp(name.name, "x-mailer") == 0
                && strcmp(msg->props.v[i].v.str.data,
                          "kept as a named property") == 0)
            {
                found = 1;
            }
        }
        ok(found, "a named property has the mailbox's own id and name");

        newmail = 0;
        if (exs_changes(mb, 0, 1000, &ch, &n, &found, ar) == EXS_OK) {
            for (i = 0; i < n; i++) {
                if (ch[i].kind == EXS_CHANGE_CREATE
                    && (ch[i].flags & EXS_CHANGE_NEW_MAIL)
                    && ch[i].folder == EXS_FID_INBOX)
                {
                    newmail++;
                }
            }
        }
        is_int(newmail, 1, "the change log has one new-mail creation");
    }

    exs_txn_abort(txn);
}


static exs_id_t
draft(uint32_t mailbox, exs_id_t fid, int rcpts, int delete_after,
    exs_id_t sentmail)
{
    exs_id_t      mid;
    exs_txn_t    *txn;
    exs_msg_t    *m;
    exs_rcpt_t   *r;
    exs_mbox_t   *mb;
    uint8_t       eid[EXS_FOLDER_ENTRYID_LEN];
    static const char  *addrs[] = { "bob@example.test", "x@remote.example",
                                    "ghost@example.test", NULL };
    int           i;

    m = exs_msg_create(ar);
    exs_props_set_str(ar, &m->props, PR_SUBJECT, "a draft", 7);
    exs_props_set_str(ar, &m->props, PR_MESSAGE_CLASS, "IPM.Note", 8);
    exs_props_set_str(ar, &m->props, PR_BODY, "the text", 8);
    exs_props_set_long(ar, &m->props, PR_MESSAGE_FLAGS, MSGFLAG_UNSENT);

    if (delete_after) {
        exs_props_set_bool(ar, &m->props, PR_DELETE_AFTER_SUBMIT, 1);
    }

    for (i = 0; i < rcpts; i++) {
        r = exs_msg_add_rcpt(ar, m);
        exs_props_set_long(ar, &r->props, PR_RECIPIENT_TYPE, i == 1 ? 2 : 1);

        if (addrs[i]) {
            exs_props_set_str(ar, &r->props, PR_DISPLAY_NAME, addrs[i],
                              strlen(addrs[i]));
            exs_props_set_str(ar, &r->props, PR_ADDRTYPE, "SMTP", 4);
            exs_props_set_str(ar, &r->props, PR_EMAIL_ADDRESS, addrs[i],
                              strlen(addrs[i]));
        } else {
            exs_props_set_str(ar, &r->props, PR_DISPLAY_NAME, "No Address",
                              10);
        }
    }

    if (exs_txn_begin(env, 0, &txn) != EXS_OK
        || exs_mbox_open(txn, mailbox, 0, &mb) != EXS_OK)
    {
        return 0;
    }

    if (sentmail) {
        exs_folder_entryid(mb, sentmail, eid);
        exs_props_set_bin(ar, &m->props, PR_SENTMAIL_ENTRYID, eid,
                          sizeof(eid));
    }

    if (exs_message_create(mb, fid, m, 0, &mid) != EXS_OK
        || exs_txn_commit(txn) != EXS_OK)
    {
        return 0;
    }

    return mid;
}


static int
submit(uint32_t mailbox, exs_id_t mid, unsigned flags, exs_mail_sent_t *s)
{
    int          rc;
    exs_txn_t   *txn;
    exs_mbox_t  *mb;

    if (exs_txn_begin(env, 0, &txn) != EXS_OK) {
        return EXS_ERROR;
    }

    rc = exs_mbox_open(txn, mailbox, 0, &mb);

    if (rc == EXS_OK) {
        rc = exs_mail_submit(mb, mid, flags, 0, s, ar);
    }

    if (rc == EXS_OK) {
        return exs_txn_commit(txn);
    }

    exs_txn_abort(txn);

    return rc;
}


static void
test_submit(void)
{
    int                 rc;
    uint32_t            n, i, bob_before, unread;
    exs_id_t            mid, fid;
    exs_txn_t          *txn;
    exs_msg_t          *msg;
    exs_prop_t         *p;
    exs_mbox_t         *mb;
    exs_props_t         fp;
    exs_prop_t          fv;
    exs_mail_sent_t     s;
    exs_queue_entry_t  *q;

    bob_before = count(bob, EXS_FID_INBOX, NULL);

    mid = draft(alice, EXS_FID_OUTBOX, 4, 0, 0);
    ok(mid != 0, "a message in the Outbox");

    rc = submit(alice, mid, 0, &s);
    is_int(rc, EXS_OK, "submitted");
    is_int(s.local, 1, "one local mailbox");
    is_int(s.remote, 1, "one remote recipient queued");
    is_int(s.failed, 2, "an unknown local address and one without any");
    ok(s.queue_id != 0, "a queue entry");
    ok(s.message_id && s.message_id[0] == '<'
       && strstr(s.message_id, "@example.test>"), "a Message-ID is made");
    is_int(s.sent_fid, EXS_FID_SENT_ITEMS, "the copy is in Sent Items");

    is_int(count(bob, EXS_FID_INBOX, NULL), bob_before + 1,
           "bob has it at once");
    is_int(count(alice, EXS_FID_OUTBOX, NULL), 0, "the Outbox is empty");
    is_int(count(alice, EXS_FID_SENT_ITEMS, &unread), 1, "one sent copy");
    is_int(unread, 0, "read");

    exs_txn_begin(env, EXS_TXN_RDONLY, &txn);

    msg = newest(txn, alice, EXS_FID_SENT_ITEMS, NULL, NULL);
    ok(msg != NULL, "the sent copy reads");

    if (msg) {
        p = exs_props_get(&msg->props, PR_MESSAGE_FLAGS);
        ok(p && (p->v.l & MSGFLAG_READ)
           && !(p->v.l & (MSGFLAG_UNSENT | MSGFLAG_SUBMIT)),
           "read, no longer unsent");
        ok(exs_props_get(&msg->props, PR_CLIENT_SUBMIT_TIME) != NULL,
           "PR_CLIENT_SUBMIT_TIME");
        is_str(str(&msg->props, PR_INTERNET_MESSAGE_ID), s.message_id,
               "PR_INTERNET_MESSAGE_ID");
        is_str(str(&msg->props, PR_SENDER_SMTP_ADDRESS), "alice@example.test",
               "PR_SENDER_SMTP_ADDRESS");
        is_str(str(&msg->props, PR_SENT_REPRESENTING_SMTP_ADDRESS),
               "alice@example.test", "PR_SENT_REPRESENTING_SMTP_ADDRESS");
        is_str(str(&msg->props, PR_SENDER_ADDRTYPE), "EX",
               "the sender as a directory entry");
    }

    is_int(exs_queue_list(txn, &q, &n, ar), EXS_OK, "the queue lists");
    is_int(n, 1, "one entry");
    if (n == 1) {
        is_str(q[0].from, "alice@example.test", "MAIL FROM");
        is_int(q[0].nrcpts, 1, "one recipient");
        is_str(q[0].rcpts[0].address, "x@remote.example", "the remote one");
        is_str(q[0].subject, "a draft", "the subject for reports");
        is_int(q[0].mailbox, alice, "the sender's mailbox");
    }

    msg = newest(txn, alice, EXS_FID_INBOX, NULL, NULL);
    ok(msg != NULL, "an NDR in alice's Inbox");

    if (msg) {
        is_str(str(&msg->props, PR_MESSAGE_CLASS), "REPORT.IPM.Note.NDR",
               "class REPORT.IPM.Note.NDR");
        is_str(str(&msg->props, PR_ORIGINAL_SUBJECT), "a draft",
               "PR_ORIGINAL_SUBJECT");
        is_str(str(&msg->props, PR_SUBJECT), "Undeliverable: a draft",
               "PR_SUBJECT");
        is_int(msg->nrcpts, 2, "a recipient row per failure");
        for (i = 0; i < msg->nrcpts && i < 2; i++) {
            p = exs_props_get(&msg->rcpts[i].props, PR_NDR_STATUS_CODE);
            ok(p && p->v.l / 10 == 51, "PR_NDR_STATUS_CODE 51x (%d)",
               p ? p->v.l : -1);
            ok(strstr(str(&msg->rcpts[i].props, PR_SUPPLEMENTARY_INFO),
                      "550 5.1."), "PR_SUPPLEMENTARY_INFO has the reason");
        }
        ok(msg->nrcpts == 2
           && (strcmp(str(&msg->rcpts[0].props, PR_SMTP_ADDRESS),
                      "ghost@example.test") == 0
               || strcmp(str(&msg->rcpts[1].props, PR_SMTP_ADDRESS),
                         "ghost@example.test") == 0),
           "the unknown local address is one of them");
        is_int(msg->natts, 1, "the original rides along");
        ok(msg->natts && msg->atts[0].embedded != NULL,
           "as an embedded message");
    }

    exs_txn_abort(txn);

    /* delete after submit, the flag, PR_SENTMAIL_ENTRYID, no recipients */

    mid = draft(alice, EXS_FID_DRAFTS, 1, 1, 0);
    is_int(submit(alice, mid, 0, &s), EXS_OK, "PR_DELETE_AFTER_SUBMIT");
    is_int(s.sent_mid, 0, "no sent copy");
    is_int(count(alice, EXS_FID_DRAFTS, NULL), 0, "the draft is gone");
    is_int(count(alice, EXS_FID_SENT_ITEMS, NULL), 1, "Sent Items unchanged");

    mid = draft(alice, EXS_FID_DRAFTS, 1, 0, 0);
    is_int(submit(alice, mid, EXS_MAIL_SUBMIT_DELETE, &s), EXS_OK,
           "EXS_MAIL_SUBMIT_DELETE (EWS SendOnly)");
    is_int(count(alice, EXS_FID_SENT_ITEMS, NULL), 1, "no copy kept");

    exs_txn_begin(env, 0, &txn);
    exs_mbox_open(txn, alice, 0, &mb);
    fv.tag = PR_DISPLAY_NAME;
    fv.v.str.data = "Sent Elsewhere";
    fv.v.str.len = 14;
    fp.n = 1;
    fp.cap = 1;
    fp.v = &fv;
    exs_folder_create(mb, EXS_FID_IPM_SUBTREE, &fp, EXS_FOLDER_GENERIC, 0,
                      &fid);
    exs_txn_commit(txn);

    mid = draft(alice, EXS_FID_DRAFTS, 1, 0, fid);
    is_int(submit(alice, mid, 0, &s), EXS_OK, "with PR_SENTMAIL_ENTRYID");
    is_int(s.sent_fid, fid, "the copy goes where it says");
    is_int(count(alice, fid, NULL), 1, "and is there");

    mid = draft(alice, EXS_FID_DRAFTS, 0, 0, 0);
    is_int(submit(alice, mid, 0, &s), EXS_INVALID,
           "no recipients: EXS_INVALID");
    is_int(count(alice, EXS_FID_DRAFTS, NULL), 1, "the draft stays");
}


int
main(void)
{
    env = store_open("mail_deliver", 0);
    ok(env != NULL, "store opens");
    if (env == NULL) {
        return done_testing();
    }

    ar = exs_arena_create(0);
    alice = store_user(env, "alice@example.test", &alice_id);
    bob = store_user(env, "bob@example.test", &bob_id);
    carol = store_user(env, "carol@example.test", &carol_id);

    test_deliver();
    test_submit();

    is_int(store_check(env), EXS_OK, "store check is clean");

    exs_arena_destroy(ar);
    exs_env_close(env);

    return done_testing();
}
