
/*
 * The store's mailboxes and folders: provisioning (every special folder at
 * its fixed id, container classes, the entry ids clients look for, in
 * MS-OXOSFLD's order), the store object's properties, folder create with
 * unique names, rename, move of a subtree, copy, soft and hard delete,
 * special folders that stay, computed folder properties, search folder
 * criteria, permissions of another user.
 */


#include <tap.h>
#include "store_util.h"


static exs_env_t   *env;
static uint32_t     mbid, owner, other;
static exs_arena_t *ar;


static exs_mbox_t *
open_mb(exs_txn_t **txn, int write, uint32_t user)
{
    exs_mbox_t  *mb;

    if (exs_txn_begin(env, write ? 0 : EXS_TXN_RDONLY, txn) != EXS_OK
        || exs_mbox_open(*txn, mbid, user, &mb) != EXS_OK)
    {
        return NULL;
    }

    return mb;
}


static int
eid_is(const exs_prop_t *p, exs_mbox_t *mb, exs_id_t fid)
{
    uint8_t  eid[EXS_FOLDER_ENTRYID_LEN];

    exs_folder_entryid(mb, fid, eid);

    return p && p->v.bin.len == EXS_FOLDER_ENTRYID_LEN
           && memcmp(p->v.bin.data, eid, sizeof(eid)) == 0;
}


static exs_props_t
named(const char *name)
{
    exs_props_t  p;

    p.n = 0;
    p.cap = 0;
    p.v = NULL;
    exs_props_set_str(ar, &p, PR_DISPLAY_NAME, name, strlen(name));

    return p;
}


static void
test_provisioning(void)
{
    size_t            i;
    uint32_t          tags[] = { PR_IPM_SUBTREE_ENTRYID,
                                 PR_IPM_OUTBOX_ENTRYID,
                                 PR_IPM_WASTEBASKET_ENTRYID,
                                 PR_IPM_SENTMAIL_ENTRYID, PR_VIEWS_ENTRYID,
                                 PR_COMMON_VIEWS_ENTRYID, PR_FINDER_ENTRYID,
                                 PR_MAILBOX_OWNER_NAME,
                                 PR_STORE_SUPPORT_MASK, PR_DISPLAY_NAME,
                                 PR_MAILBOX_OWNER_ENTRYID,
                                 PR_STORE_RECORD_KEY };
    exs_id_t          fid;
    exs_txn_t        *txn;
    exs_prop_t       *p;
    exs_mbox_t       *mb;
    exs_props_t       out;
    exs_mbox_info_t   mi;
    static const struct {
        exs_id_t      fid;
        exs_id_t      parent;
        const char   *name;
        const char   *cls;
    } want[] = {
        { EXS_FID_IPM_SUBTREE, EXS_FID_ROOT, "Top of Information Store",
          NULL },
        { EXS_FID_INBOX, EXS_FID_IPM_SUBTREE, "Inbox", "IPF.Note" },
        { EXS_FID_OUTBOX, EXS_FID_IPM_SUBTREE, "Outbox", "IPF.Note" },
        { EXS_FID_SENT_ITEMS, EXS_FID_IPM_SUBTREE, "Sent Items",
          "IPF.Note" },
        { EXS_FID_DELETED_ITEMS, EXS_FID_IPM_SUBTREE, "Deleted Items",
          "IPF.Note" },
        { EXS_FID_DRAFTS, EXS_FID_IPM_SUBTREE, "Drafts", "IPF.Note" },
        { EXS_FID_CALENDAR, EXS_FID_IPM_SUBTREE, "Calendar",
          "IPF.Appointment" },
        { EXS_FID_CONTACTS, EXS_FID_IPM_SUBTREE, "Contacts", "IPF.Contact" },
        { EXS_FID_TASKS, EXS_FID_IPM_SUBTREE, "Tasks", "IPF.Task" },
        { EXS_FID_NOTES, EXS_FID_IPM_SUBTREE, "Notes", "IPF.StickyNote" },
        { EXS_FID_JOURNAL, EXS_FID_IPM_SUBTREE, "Journal", "IPF.Journal" },
        { EXS_FID_JUNK, EXS_FID_IPM_SUBTREE, "Junk E-mail", "IPF.Note" },
        { EXS_FID_SYNC_ISSUES, EXS_FID_IPM_SUBTREE, "Sync Issues",
          "IPF.Note" },
        { EXS_FID_CONFLICTS, EXS_FID_SYNC_ISSUES, "Conflicts", "IPF.Note" },
        { EXS_FID_LOCAL_FAILURES, EXS_FID_SYNC_ISSUES, "Local Failures",
          "IPF.Note" },
        { EXS_FID_SERVER_FAILURES, EXS_FID_SYNC_ISSUES, "Server Failures",
          "IPF.Note" },
        { EXS_FID_CONVERSATION_HISTORY, EXS_FID_IPM_SUBTREE,
          "Conversation History", "IPF.Note" },
        { EXS_FID_RSS_FEEDS, EXS_FID_IPM_SUBTREE, "RSS Feeds",
          "IPF.Note.OutlookHomepage" },
        { EXS_FID_QUICK_STEP_SETTINGS, EXS_FID_IPM_SUBTREE,
          "Quick Step Settings", "IPF.Configuration" },
        { EXS_FID_COMMON_VIEWS, EXS_FID_ROOT, "Common Views", NULL },
        { EXS_FID_FINDER, EXS_FID_ROOT, "Finder", NULL },
        { EXS_FID_VIEWS, EXS_FID_ROOT, "Views", NULL },
        { EXS_FID_SHORTCUTS, EXS_FID_ROOT, "Shortcuts", NULL },
        { EXS_FID_SCHEDULE, EXS_FID_ROOT, "Schedule", NULL },
        { EXS_FID_FREEBUSY_DATA, EXS_FID_ROOT, "Freebusy Data", NULL },
        { EXS_FID_DEFERRED_ACTION, EXS_FID_ROOT, "Deferred Action", NULL },
        { EXS_FID_SPOOLER_QUEUE, EXS_FID_ROOT, "Spooler Queue", NULL },
        { EXS_FID_REMINDERS, EXS_FID_ROOT, "Reminders", "Outlook.Reminder" },
    };

    mb = open_mb(&txn, 0, 0);
    ok(mb != NULL, "the mailbox opens");

    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        exs_id_t  parent;

        out.n = 0;
        ok(exs_folder_get(mb, want[i].fid, NULL, 0, &out, ar) == EXS_OK
           && (p = exs_props_get(&out, PR_DISPLAY_NAME)) != NULL
           && strcmp(p->v.str.data, want[i].name) == 0
           && exs_folder_parent(mb, want[i].fid, &parent) == EXS_OK
           && parent == want[i].parent
           && (want[i].cls == NULL
               ? exs_props_get(&out, PR_CONTAINER_CLASS) == NULL
               : ((p = exs_props_get(&out, PR_CONTAINER_CLASS)) != NULL
                  && strcmp(p->v.str.data, want[i].cls) == 0)),
           "%s at its fixed id, under its parent, class %s", want[i].name,
           want[i].cls ? want[i].cls : "none");
    }

    is_int(exs_folder_by_name(mb, EXS_FID_IPM_SUBTREE, "INBOX", &fid),
           EXS_OK, "folder names look up case-insensitively");
    ok(fid == EXS_FID_INBOX, "to the Inbox");

    out.n = 0;
    is_int(exs_folder_get(mb, EXS_FID_REMINDERS,
                          (uint32_t[]) { PR_FOLDER_TYPE }, 1, &out, ar),
           EXS_OK, "Reminders");
    p = exs_props_get(&out, PR_FOLDER_TYPE);
    ok(p && p->v.l == EXS_FOLDER_SEARCH, "is a search folder");

    /* the store object */

    exs_mbox_info(mb, &mi);
    is_int(exs_mbox_get_props(mb, tags, sizeof(tags) / sizeof(tags[0]), &out,
                              ar), EXS_OK, "store object properties");
    ok(eid_is(exs_props_get(&out, PR_IPM_SUBTREE_ENTRYID), mb,
              EXS_FID_IPM_SUBTREE), "PR_IPM_SUBTREE_ENTRYID");
    ok(eid_is(exs_props_get(&out, PR_IPM_OUTBOX_ENTRYID), mb,
              EXS_FID_OUTBOX), "PR_IPM_OUTBOX_ENTRYID");
    ok(eid_is(exs_props_get(&out, PR_IPM_WASTEBASKET_ENTRYID), mb,
              EXS_FID_DELETED_ITEMS), "PR_IPM_WASTEBASKET_ENTRYID");
    ok(eid_is(exs_props_get(&out, PR_IPM_SENTMAIL_ENTRYID), mb,
              EXS_FID_SENT_ITEMS), "PR_IPM_SENTMAIL_ENTRYID");
    ok(eid_is(exs_props_get(&out, PR_VIEWS_ENTRYID), mb, EXS_FID_VIEWS),
       "PR_VIEWS_ENTRYID");
    ok(eid_is(exs_props_get(&out, PR_COMMON_VIEWS_ENTRYID), mb,
              EXS_FID_COMMON_VIEWS), "PR_COMMON_VIEWS_ENTRYID");
    ok(eid_is(exs_props_get(&out, PR_FINDER_ENTRYID), mb, EXS_FID_FINDER),
       "PR_FINDER_ENTRYID");
    p = exs_props_get(&out, PR_MAILBOX_OWNER_NAME);
    ok(p && strcmp(p->v.str.data, "alice") == 0, "PR_MAILBOX_OWNER_NAME");
    p = exs_props_get(&out, PR_DISPLAY_NAME);
    ok(p && strcmp(p->v.str.data, "Mailbox - alice") == 0,
       "the store's display name");
    p = exs_props_get(&out, PR_MAILBOX_OWNER_ENTRYID);
    ok(p && p->v.bin.len > 28 && p->v.bin.data[4] == 0xDC
       && strstr((const char *) p->v.bin.data + 28, "/cn=Recipients/cn=")
          != NULL, "PR_MAILBOX_OWNER_ENTRYID: an address book entry id");
    p = exs_props_get(&out, PR_STORE_RECORD_KEY);
    ok(p && p->v.bin.len == 16 && memcmp(p->v.bin.data, mi.guid, 16) == 0,
       "PR_STORE_RECORD_KEY is the mailbox GUID");

    /* root and Inbox */

    for (i = 0; i < 2; i++) {
        fid = i ? EXS_FID_INBOX : EXS_FID_ROOT;
        out.n = 0;
        exs_folder_get(mb, fid, NULL, 0, &out, ar);

        ok(eid_is(exs_props_get(&out, PR_IPM_APPOINTMENT_ENTRYID), mb,
                  EXS_FID_CALENDAR)
           && eid_is(exs_props_get(&out, PR_IPM_CONTACT_ENTRYID), mb,
                     EXS_FID_CONTACTS)
           && eid_is(exs_props_get(&out, PR_IPM_JOURNAL_ENTRYID), mb,
                     EXS_FID_JOURNAL)
           && eid_is(exs_props_get(&out, PR_IPM_NOTE_ENTRYID), mb,
                     EXS_FID_NOTES)
           && eid_is(exs_props_get(&out, PR_IPM_TASK_ENTRYID), mb,
                     EXS_FID_TASKS)
           && eid_is(exs_props_get(&out, PR_IPM_DRAFTS_ENTRYID), mb,
                     EXS_FID_DRAFTS)
           && eid_is(exs_props_get(&out, PR_REM_ONLINE_ENTRYID), mb,
                     EXS_FID_REMINDERS),
           "%s: PR_IPM_*_ENTRYID and PR_REM_ONLINE_ENTRYID",
           i ? "Inbox" : "root");

        p = exs_props_get(&out, PR_ADDITIONAL_REN_ENTRYIDS);
        ok(p && p->v.mv.n == 5, "%s: PR_ADDITIONAL_REN_ENTRYIDS has five",
           i ? "Inbox" : "root");

        if (p && p->v.mv.n == 5) {
            exs_prop_t  e;
            exs_id_t    order[] = { EXS_FID_CONFLICTS, EXS_FID_SYNC_ISSUES,
                                    EXS_FID_LOCAL_FAILURES,
                                    EXS_FID_SERVER_FAILURES, EXS_FID_JUNK };
            size_t      j;
            int         good;

            good = 1;
            for (j = 0; j < 5; j++) {
                e.tag = PR_ENTRYID;
                e.v.bin = p->v.mv.v.bin[j];
                good &= eid_is(&e, mb, order[j]);
            }

            ok(good, "in MS-OXOSFLD's order: Conflicts, Sync Issues, Local "
               "Failures, Server Failures, Junk E-mail");
        }

        p = exs_props_get(&out, PR_ADDITIONAL_REN_ENTRYIDS_EX);
        ok(p && p->v.bin.len == 5 * 54 + 4 && p->v.bin.data[0] == 0x01
           && p->v.bin.data[1] == 0x80 && p->v.bin.data[4] == 0x01
           && p->v.bin.data[6] == 46
           && memcmp(p->v.bin.data + p->v.bin.len - 4, "\0\0\0\0", 4) == 0,
           "PR_ADDITIONAL_REN_ENTRYIDS_EX: PersistData blocks, sentinel");

        p = exs_props_get(&out, PR_FREEBUSY_ENTRYIDS);
        ok(p && p->v.mv.n == 4 && p->v.mv.v.bin[0].len == 0
           && p->v.mv.v.bin[3].len == EXS_FOLDER_ENTRYID_LEN,
           "PR_FREEBUSY_ENTRYIDS: the Freebusy Data folder at index 3");
    }

    exs_txn_abort(txn);
}


static void
test_operations(void)
{
    int                rc;
    exs_id_t           a, b, c, d, copy, fid, mid;
    exs_txn_t         *txn;
    exs_prop_t        *p;
    exs_mbox_t        *mb;
    exs_props_t        props, out;
    exs_folder_info_t  fi;

    mb = open_mb(&txn, 1, 0);

    props = named("Projects");
    exs_props_set_str(ar, &props, PR_CONTAINER_CLASS, "IPF.Note", 8);
    is_int(exs_folder_create(mb, EXS_FID_INBOX, &props, EXS_FOLDER_GENERIC,
                             0, &a), EXS_OK, "a folder under the Inbox");
    props = named("PROJECTS");
    is_int(exs_folder_create(mb, EXS_FID_INBOX, &props, EXS_FOLDER_GENERIC,
                             0, &b), EXS_EXISTS,
           "a sibling with the same name (any case) is refused");
    is_int(exs_folder_create(mb, EXS_FID_INBOX, &props, EXS_FOLDER_GENERIC,
                             EXS_OPEN_IF_EXISTS, &b), EXS_OK,
           "EXS_OPEN_IF_EXISTS opens it");
    ok(a == b, "the same folder");
    props = named("2024");
    is_int(exs_folder_create(mb, a, &props, EXS_FOLDER_GENERIC, 0, &b),
           EXS_OK, "a subfolder");
    props = named("Q1");
    is_int(exs_folder_create(mb, b, &props, EXS_FOLDER_GENERIC, 0, &c),
           EXS_OK, "and one below that");
    props = named("Projects");
    is_int(exs_folder_create(mb, EXS_FID_DRAFTS, &props, EXS_FOLDER_GENERIC,
                             0, &d), EXS_OK,
           "the same name elsewhere is fine");

    exs_message_create(mb, c, store_msg(ar, "deep", NULL, 0), 0, &mid);

    out.n = 0;
    exs_folder_get(mb, a, NULL, 0, &out, ar);
    p = exs_props_get(&out, PR_SUBFOLDERS);
    ok(p && p->v.b == 1, "PR_SUBFOLDERS");
    p = exs_props_get(&out, PR_FOLDER_CHILD_COUNT);
    ok(p && p->v.l == 1, "PR_FOLDER_CHILD_COUNT");
    p = exs_props_get(&out, PR_PARENT_ENTRYID);
    ok(eid_is(p, mb, EXS_FID_INBOX), "PR_PARENT_ENTRYID");
    p = exs_props_get(&out, PR_CHANGE_KEY);
    ok(p && p->v.bin.len == 22, "PR_CHANGE_KEY");
    p = exs_props_get(&out, PR_ACCESS);
    ok(p && p->v.l == 0x3F, "PR_ACCESS: everything for the owner");
    p = exs_props_get(&out, PR_RIGHTS);
    ok(p && (p->v.l & 0x100), "PR_RIGHTS: folder owner");

    /* rename, move */

    props = named("Archive-Projects");
    is_int(exs_folder_set(mb, a, &props), EXS_OK, "rename by PR_DISPLAY_NAME");
    is_int(exs_folder_by_name(mb, EXS_FID_INBOX, "archive-projects", &fid),
           EXS_OK, "found by the new name");
    is_int(exs_folder_by_name(mb, EXS_FID_INBOX, "Projects", &fid),
           EXS_NOTFOUND, "not by the old one");
    props = named("Inbox");
    is_int(exs_folder_set(mb, a, &props), EXS_OK, "a child may be named like "
           "its parent");

    is_int(exs_folder_move(mb, a, EXS_FID_DRAFTS, "Projects"), EXS_EXISTS,
           "a move onto a taken name is refused");
    is_int(exs_folder_move(mb, a, c, NULL), EXS_INVALID,
           "a folder can't move below itself");
    is_int(exs_folder_move(mb, a, EXS_FID_DELETED_ITEMS, NULL), EXS_OK,
           "a move of a subtree");
    is_int(exs_folder_parent(mb, c, &fid), EXS_OK, "the subtree moved along");
    ok(fid == b, "Q1 is still under 2024");
    exs_folder_parent(mb, b, &fid);
    exs_folder_parent(mb, fid, &fid);
    ok(fid == EXS_FID_DELETED_ITEMS, "and now below Deleted Items");
    exs_folder_info(mb, EXS_FID_INBOX, &fi);
    is_int(fi.children, 0, "the Inbox has no children left");

    /* special folders */

    is_int(exs_folder_delete(mb, EXS_FID_INBOX, EXS_DEL_HARD
                             | EXS_DEL_MESSAGES | EXS_DEL_FOLDERS),
           EXS_DENIED, "the Inbox can't be deleted");
    is_int(exs_folder_move(mb, EXS_FID_CALENDAR, a, NULL), EXS_DENIED,
           "nor the Calendar moved");
    is_int(exs_folder_delete(mb, EXS_FID_ROOT, EXS_DEL_HARD), EXS_DENIED,
           "nor the root deleted");

    /* copy */

    is_int(exs_folder_copy(mb, a, EXS_FID_INBOX, "Copy", 1, &copy), EXS_OK,
           "a recursive copy");
    is_int(exs_folder_by_name(mb, copy, "2024", &fid), EXS_OK,
           "has the subfolder");
    is_int(exs_folder_by_name(mb, fid, "Q1", &fid), EXS_OK,
           "and the one below");
    exs_folder_info(mb, fid, &fi);
    is_int(fi.count, 1, "with its message");
    is_int(exs_folder_copy(mb, a, c, NULL, 1, NULL), EXS_INVALID,
           "a copy into its own subtree is refused");

    /* delete */

    is_int(exs_folder_delete(mb, b, 0), EXS_CONFLICT,
           "a folder with subfolders needs EXS_DEL_FOLDERS");
    is_int(exs_folder_delete(mb, c, 0), EXS_CONFLICT,
           "a folder with messages needs EXS_DEL_MESSAGES");
    is_int(exs_folder_delete(mb, c, EXS_DEL_MESSAGES), EXS_OK,
           "a soft delete");
    exs_folder_info(mb, b, &fi);
    ok(fi.children == 0, "the parent counts it as gone");
    out.n = 0;
    is_int(exs_folder_get(mb, c, (uint32_t[]) { PR_DELETED_ON }, 1, &out,
                          ar), EXS_OK, "the soft-deleted folder reads");
    ok(exs_props_get(&out, PR_DELETED_ON) != NULL, "with PR_DELETED_ON");
    props = named("Q1");
    is_int(exs_folder_create(mb, b, &props, EXS_FOLDER_GENERIC, 0, &fid),
           EXS_OK, "its name is free again");
    is_int(exs_folder_delete(mb, c, EXS_DEL_HARD | EXS_DEL_MESSAGES),
           EXS_OK, "then a hard delete of the soft-deleted one");
    is_int(exs_folder_info(mb, c, &fi), EXS_NOTFOUND, "gone");
    is_int(exs_folder_delete(mb, a, EXS_DEL_HARD | EXS_DEL_MESSAGES
                             | EXS_DEL_FOLDERS), EXS_OK,
           "a hard delete of a subtree");
    is_int(exs_folder_info(mb, b, &fi), EXS_NOTFOUND, "with its subfolders");

    /* search folders */

    {
        exs_restriction_t   res, *back;
        exs_id_t            scope[] = { EXS_FID_INBOX }, *bs, sf;
        uint32_t            ns, flags;

        memset(&res, 0, sizeof(res));
        res.type = RES_EXIST;
        res.u.exist.tag = PR_SUBJECT;

        props = named("Everything");
        is_int(exs_folder_create(mb, EXS_FID_FINDER, &props,
                                 EXS_FOLDER_SEARCH, 0, &sf), EXS_OK,
               "a search folder");
        is_int(exs_folder_set_search(mb, sf, &res, scope, 1, 4), EXS_OK,
               "its criteria");
        rc = exs_folder_get_search(mb, sf, &back, &bs, &ns, &flags, ar);
        ok(rc == EXS_OK && back && back->type == RES_EXIST
           && back->u.exist.tag == PR_SUBJECT && ns == 1
           && bs[0] == EXS_FID_INBOX && flags == 4,
           "read back");
        props = named("Sub");
        is_int(exs_folder_create(mb, sf, &props, EXS_FOLDER_GENERIC, 0,
                                 &fid), EXS_INVALID,
               "a search folder has no subfolders");
        is_int(exs_message_create(mb, sf, store_msg(ar, "x", NULL, 0), 0,
                                  &mid), EXS_INVALID,
               "nor messages of its own");
    }

    is_int(exs_txn_commit(txn), EXS_OK, "committed");
    is_int(store_check(env), EXS_OK, "store check is clean");
}


static void
test_permissions(void)
{
    int           rc;
    uint32_t      rights, n;
    exs_id_t      mid, fid;
    exs_txn_t    *txn;
    exs_mbox_t   *mb;
    exs_perm_t   *perms;
    exs_props_t   out, props;
    exs_table_t  *t;

    mb = open_mb(&txn, 1, 0);
    exs_message_create(mb, EXS_FID_CALENDAR, store_msg(ar, "meeting", NULL,
                                                       0), 0, &mid);
    is_int(exs_txn_commit(txn), EXS_OK, "a calendar item");

    mb = open_mb(&txn, 0, other);
    ok(mb != NULL, "another user opens the mailbox");
    exs_folder_rights(mb, EXS_FID_CALENDAR, &rights);
    is_int(rights, 0, "with no rights on the Calendar");
    out.n = 0;
    is_int(exs_message_get(mb, mid, NULL, 0, &out, ar), EXS_DENIED,
           "can't read its items");
    is_int(exs_table_open(mb, EXS_FID_CALENDAR, EXS_TABLE_CONTENTS, 0, NULL,
                          NULL, &t, ar), EXS_DENIED,
           "nor open its contents table");
    exs_txn_abort(txn);

    mb = open_mb(&txn, 1, 0);
    is_int(exs_folder_set_perm(mb, EXS_FID_CALENDAR, other, 0x401), EXS_OK,
           "the owner grants read (and visible)");
    is_int(exs_folder_set_perm(mb, EXS_FID_CALENDAR, 0, 0x400), EXS_OK,
           "and Default: visible");
    rc = exs_folder_perms(mb, EXS_FID_CALENDAR, &perms, &n, ar);
    ok(rc == EXS_OK && n == 2 && perms[0].member == 0
       && perms[1].member == (int64_t) other, "two entries, Default first");
    is_int(exs_txn_commit(txn), EXS_OK, "committed");

    mb = open_mb(&txn, 1, other);
    out.n = 0;
    is_int(exs_message_get(mb, mid, NULL, 0, &out, ar), EXS_OK,
           "now the other user reads the item");
    is_int(exs_message_delete(mb, &mid, 1, 0), EXS_DENIED,
           "but may not delete it");
    is_int(exs_message_create(mb, EXS_FID_CALENDAR,
                              store_msg(ar, "x", NULL, 0), 0, &mid),
           EXS_DENIED, "nor create one");
    props = named("Mine");
    is_int(exs_folder_create(mb, EXS_FID_CALENDAR, &props,
                             EXS_FOLDER_GENERIC, 0, &fid), EXS_DENIED,
           "nor a subfolder");
    out.n = 0;
    is_int(exs_message_get(mb, mid, NULL, 0, &out, ar), EXS_OK, "reads on");
    exs_folder_rights(mb, EXS_FID_INBOX, &rights);
    is_int(rights, 0, "and has nothing on the Inbox");
    exs_txn_abort(txn);

    is_int(store_check(env), EXS_OK, "store check is clean");
}


int
main(void)
{
    env = store_open("folder", 0);
    ok(env != NULL, "a store");

    mbid = store_user(env, "alice@example.test", &owner);
    ok(mbid != 0, "a user with a mailbox");
    ok(store_user(env, "bob@example.test", &other) != 0, "and another user");

    ar = exs_arena_create(0);

    is_int(store_check(env), EXS_OK, "a provisioned store checks clean");

    test_provisioning();
    test_operations();
    test_permissions();

    exs_arena_destroy(ar);
    exs_env_close(env);

    return done_testing();
}
