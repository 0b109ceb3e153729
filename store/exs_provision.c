
/*
 * exch store: a new mailbox's special folders (MS-OXOSFLD), at the fixed
 * EXS_FID_* ids, with their container classes, and the entry-id
 * properties on the root folder and the Inbox that clients read to find
 * them.  The store object's (PR_IPM_SUBTREE_ENTRYID...) are computed
 * (exs_mbox.c).
 */


#include <string.h>

#include "exs_int.h"


/* PersistData block types and element ids of PR_ADDITIONAL_REN_ENTRYIDS_EX
 * (MS-OXOSFLD 2.2.5) */
#define EXS_RSF_PID_RSS_SUBSCRIPTION     0x8001
#define EXS_RSF_PID_TODO_SEARCH          0x8004
#define EXS_RSF_PID_CONV_ACTIONS         0x8006
#define EXS_RSF_PID_BUDDYLIST_PDLS       0x800A
#define EXS_RSF_PID_BUDDYLIST_CONTACTS   0x800B
#define EXS_RSF_ELID_ENTRYID             0x0001


typedef struct {
    exs_id_t                  fid;
    exs_id_t                  parent;
    const char               *name;
    const char               *cls;
    uint32_t                  type;
    int                       hidden;
} exs_special_t;


static const exs_special_t  exs_specials[] = {
    { EXS_FID_ROOT, 0, "Root Container", NULL, EXS_FOLDER_ROOT, 0 },
    { EXS_FID_DEFERRED_ACTION, EXS_FID_ROOT, "Deferred Action", NULL,
      EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_SPOOLER_QUEUE, EXS_FID_ROOT, "Spooler Queue", NULL,
      EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_SHORTCUTS, EXS_FID_ROOT, "Shortcuts", NULL,
      EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_FINDER, EXS_FID_ROOT, "Finder", NULL, EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_VIEWS, EXS_FID_ROOT, "Views", NULL, EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_COMMON_VIEWS, EXS_FID_ROOT, "Common Views", NULL,
      EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_SCHEDULE, EXS_FID_ROOT, "Schedule", NULL,
      EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_IPM_SUBTREE, EXS_FID_ROOT, "Top of Information Store", NULL,
      EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_SENT_ITEMS, EXS_FID_IPM_SUBTREE, "Sent Items", "IPF.Note",
      EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_DELETED_ITEMS, EXS_FID_IPM_SUBTREE, "Deleted Items",
      "IPF.Note", EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_OUTBOX, EXS_FID_IPM_SUBTREE, "Outbox", "IPF.Note",
      EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_INBOX, EXS_FID_IPM_SUBTREE, "Inbox", "IPF.Note",
      EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_DRAFTS, EXS_FID_IPM_SUBTREE, "Drafts", "IPF.Note",
      EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_CALENDAR, EXS_FID_IPM_SUBTREE, "Calendar", "IPF.Appointment",
      EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_JOURNAL, EXS_FID_IPM_SUBTREE, "Journal", "IPF.Journal",
      EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_NOTES, EXS_FID_IPM_SUBTREE, "Notes", "IPF.StickyNote",
      EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_TASKS, EXS_FID_IPM_SUBTREE, "Tasks", "IPF.Task",
      EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_CONTACTS, EXS_FID_IPM_SUBTREE, "Contacts", "IPF.Contact",
      EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_QUICK_CONTACTS, EXS_FID_CONTACTS,
      "{06967759-274D-40B2-A3EB-D7F9E73727D7}",
      "IPF.Contact.MOC.QuickContacts", EXS_FOLDER_GENERIC, 1 },
    { EXS_FID_IM_CONTACT_LIST, EXS_FID_CONTACTS,
      "{A9E2BC46-B3A0-4243-B315-60D991004455}",
      "IPF.Contact.MOC.ImContactList", EXS_FOLDER_GENERIC, 1 },
    { EXS_FID_GAL_CONTACTS, EXS_FID_CONTACTS, "GAL Contacts",
      "IPF.Contact.GalContacts", EXS_FOLDER_GENERIC, 1 },
    { EXS_FID_JUNK, EXS_FID_IPM_SUBTREE, "Junk E-mail", "IPF.Note",
      EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_CONVERSATION_HISTORY, EXS_FID_IPM_SUBTREE,
      "Conversation History", "IPF.Note", EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_SYNC_ISSUES, EXS_FID_IPM_SUBTREE, "Sync Issues", "IPF.Note",
      EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_CONFLICTS, EXS_FID_SYNC_ISSUES, "Conflicts", "IPF.Note",
      EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_LOCAL_FAILURES, EXS_FID_SYNC_ISSUES, "Local Failures",
      "IPF.Note", EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_SERVER_FAILURES, EXS_FID_SYNC_ISSUES, "Server Failures",
      "IPF.Note", EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_RSS_FEEDS, EXS_FID_IPM_SUBTREE, "RSS Feeds",
      "IPF.Note.OutlookHomepage", EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_QUICK_STEP_SETTINGS, EXS_FID_IPM_SUBTREE,
      "Quick Step Settings", "IPF.Configuration", EXS_FOLDER_GENERIC, 1 },
    { EXS_FID_CONVERSATION_ACTIONS, EXS_FID_IPM_SUBTREE,
      "Conversation Action Settings", "IPF.Configuration",
      EXS_FOLDER_GENERIC, 1 },
    { EXS_FID_FREEBUSY_DATA, EXS_FID_ROOT, "Freebusy Data", NULL,
      EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_REMINDERS, EXS_FID_ROOT, "Reminders", "Outlook.Reminder",
      EXS_FOLDER_SEARCH, 0 },
    { EXS_FID_TODO_SEARCH, EXS_FID_ROOT, "To-Do Search", "IPF.Task",
      EXS_FOLDER_SEARCH, 0 },
    { EXS_FID_ARCHIVE, EXS_FID_IPM_SUBTREE, "Archive", "IPF.Note",
      EXS_FOLDER_GENERIC, 0 },
    { EXS_FID_RECOVERABLE_ITEMS, EXS_FID_ROOT, "Recoverable Items", NULL,
      EXS_FOLDER_GENERIC, 1 }
};


/* the entry ids that root and Inbox carry, in MS-OXOSFLD's order */

static const struct {
    uint32_t                  tag;
    exs_id_t                  fid;
} exs_special_eids[] = {
    { PR_IPM_APPOINTMENT_ENTRYID, EXS_FID_CALENDAR },
    { PR_IPM_CONTACT_ENTRYID, EXS_FID_CONTACTS },
    { PR_IPM_JOURNAL_ENTRYID, EXS_FID_JOURNAL },
    { PR_IPM_NOTE_ENTRYID, EXS_FID_NOTES },
    { PR_IPM_TASK_ENTRYID, EXS_FID_TASKS },
    { PR_IPM_DRAFTS_ENTRYID, EXS_FID_DRAFTS },
    { PR_REM_ONLINE_ENTRYID, EXS_FID_REMINDERS }
};

static const exs_id_t  exs_ren_fids[] = {
    EXS_FID_CONFLICTS,
    EXS_FID_SYNC_ISSUES,
    EXS_FID_LOCAL_FAILURES,
    EXS_FID_SERVER_FAILURES,
    EXS_FID_JUNK
};

static const struct {
    uint16_t                  pid;
    exs_id_t                  fid;
} exs_ren_ex[] = {
    { EXS_RSF_PID_RSS_SUBSCRIPTION, EXS_FID_RSS_FEEDS },
    { EXS_RSF_PID_TODO_SEARCH, EXS_FID_TODO_SEARCH },
    { EXS_RSF_PID_CONV_ACTIONS, EXS_FID_CONVERSATION_ACTIONS },
    { EXS_RSF_PID_BUDDYLIST_PDLS, EXS_FID_IM_CONTACT_LIST },
    { EXS_RSF_PID_BUDDYLIST_CONTACTS, EXS_FID_QUICK_CONTACTS }
};


static int exs_provision_eids(exs_mbox_t *mb, exs_props_t *props,
    exs_arena_t *a);


static int
exs_provision_eids(exs_mbox_t *mb, exs_props_t *props, exs_arena_t *a)
{
    int          rc;
    size_t       i, n;
    uint8_t     *p, *ex;
    exs_bin_t   *bins;
    exs_prop_t   mv;

    for (i = 0; i < sizeof(exs_special_eids) / sizeof(exs_special_eids[0]);
         i++)
    {
        p = exs_alloc(a, EXS_FOLDER_ENTRYID_LEN);
        if (p == NULL) {
            return EXS_NOMEM;
        }

        exs_folder_entryid(mb, exs_special_eids[i].fid, p);

        rc = exs_props_set_bin(a, props, exs_special_eids[i].tag, p,
                               EXS_FOLDER_ENTRYID_LEN);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    /* PR_ADDITIONAL_REN_ENTRYIDS: Conflicts, Sync Issues, Local Failures,
     * Server Failures, Junk E-mail */

    n = sizeof(exs_ren_fids) / sizeof(exs_ren_fids[0]);
    bins = exs_alloc(a, n * sizeof(exs_bin_t));
    if (bins == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < n; i++) {
        p = exs_alloc(a, EXS_FOLDER_ENTRYID_LEN);
        if (p == NULL) {
            return EXS_NOMEM;
        }

        exs_folder_entryid(mb, exs_ren_fids[i], p);
        bins[i].data = p;
        bins[i].len = EXS_FOLDER_ENTRYID_LEN;
    }

    mv.tag = PR_ADDITIONAL_REN_ENTRYIDS;
    mv.v.mv.n = (uint32_t) n;
    mv.v.mv.v.bin = bins;

    rc = exs_props_set(a, props, &mv);
    if (rc != EXS_OK) {
        return rc;
    }

    /* PR_ADDITIONAL_REN_ENTRYIDS_EX: PersistData blocks, each one
     * PersistElement with the entry id, then PERSIST_SENTINEL */

    n = sizeof(exs_ren_ex) / sizeof(exs_ren_ex[0]);
    ex = exs_alloc(a, n * (8 + EXS_FOLDER_ENTRYID_LEN) + 4);
    if (ex == NULL) {
        return EXS_NOMEM;
    }

    p = ex;

    for (i = 0; i < n; i++) {
        exs_le16(p, exs_ren_ex[i].pid);
        exs_le16(p + 2, 4 + EXS_FOLDER_ENTRYID_LEN);
        exs_le16(p + 4, EXS_RSF_ELID_ENTRYID);
        exs_le16(p + 6, EXS_FOLDER_ENTRYID_LEN);
        exs_folder_entryid(mb, exs_ren_ex[i].fid, p + 8);
        p += 8 + EXS_FOLDER_ENTRYID_LEN;
    }

    exs_le32(p, 0);
    p += 4;

    rc = exs_props_set_bin(a, props, PR_ADDITIONAL_REN_ENTRYIDS_EX, ex,
                           p - ex);
    if (rc != EXS_OK) {
        return rc;
    }

    /* PR_FREEBUSY_ENTRYIDS: null, (delegate information), (the free/busy
     * message), the Freebusy Data folder */

    bins = exs_calloc(a, 4 * sizeof(exs_bin_t));
    p = exs_alloc(a, EXS_FOLDER_ENTRYID_LEN);

    if (bins == NULL || p == NULL) {
        return EXS_NOMEM;
    }

    exs_folder_entryid(mb, EXS_FID_FREEBUSY_DATA, p);
    bins[0].data = bins[1].data = bins[2].data = (const uint8_t *) "";
    bins[3].data = p;
    bins[3].len = EXS_FOLDER_ENTRYID_LEN;

    mv.tag = PR_FREEBUSY_ENTRYIDS;
    mv.v.mv.n = 4;
    mv.v.mv.v.bin = bins;

    return exs_props_set(a, props, &mv);
}


int
exs_provision(exs_mbox_t *mb, const char *display_name)
{
    int           rc;
    size_t        i;
    exs_arena_t  *a;
    exs_props_t   props;

    for (i = 0; i < sizeof(exs_specials) / sizeof(exs_specials[0]); i++) {
        rc = exs_folder_create_special(mb, exs_specials[i].fid,
                                       exs_specials[i].parent,
                                       exs_specials[i].name,
                                       exs_specials[i].cls,
                                       exs_specials[i].type,
                                       exs_specials[i].hidden);
        if (rc != EXS_OK) {
            return exs_txn_fail(mb->txn, rc);
        }
    }

    a = exs_arena_create(4096);
    if (a == NULL) {
        return exs_txn_fail(mb->txn, EXS_NOMEM);
    }

    props.n = 0;
    props.cap = 0;
    props.v = NULL;

    rc = exs_provision_eids(mb, &props, a);

    if (rc == EXS_OK) {
        rc = exs_folder_set(mb, EXS_FID_ROOT, &props);
    }

    if (rc == EXS_OK) {
        rc = exs_folder_set(mb, EXS_FID_INBOX, &props);
    }

    exs_arena_destroy(a);

    (void) display_name;

    return exs_txn_fail(mb->txn, rc);
}
