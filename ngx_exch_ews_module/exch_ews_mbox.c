
/*
 * exch EWS: the transaction of a request, the mailboxes it opens, and what
 * FolderId, DistinguishedFolderId, ItemId and attachment ids name.
 */


#include <string.h>
#include <strings.h>

#include "exch_ews.h"


typedef struct {
    const char               *name;
    exs_id_t                  fid;         /* 0: not in our mailboxes */
} exch_ews_dist_t;


/* DistinguishedFolderIdNameType of the Exchange 2016 schema */

static const exch_ews_dist_t  exch_ews_dists[] = {
    { "calendar", EXS_FID_CALENDAR },
    { "contacts", EXS_FID_CONTACTS },
    { "deleteditems", EXS_FID_DELETED_ITEMS },
    { "drafts", EXS_FID_DRAFTS },
    { "inbox", EXS_FID_INBOX },
    { "journal", EXS_FID_JOURNAL },
    { "notes", EXS_FID_NOTES },
    { "outbox", EXS_FID_OUTBOX },
    { "sentitems", EXS_FID_SENT_ITEMS },
    { "tasks", EXS_FID_TASKS },
    { "msgfolderroot", EXS_FID_IPM_SUBTREE },
    { "publicfoldersroot", 0 },
    { "root", EXS_FID_ROOT },
    { "junkemail", EXS_FID_JUNK },
    { "searchfolders", EXS_FID_FINDER },
    { "voicemail", 0 },
    { "recoverableitemsroot", EXS_FID_RECOVERABLE_ITEMS },
    { "recoverableitemsdeletions", 0 },
    { "recoverableitemsversions", 0 },
    { "recoverableitemspurges", 0 },
    { "recoverableitemsdiscoveryholds", 0 },
    { "archiveroot", 0 },
    { "archivemsgfolderroot", 0 },
    { "archivedeleteditems", 0 },
    { "archiveinbox", 0 },
    { "archiverecoverableitemsroot", 0 },
    { "archiverecoverableitemsdeletions", 0 },
    { "archiverecoverableitemsversions", 0 },
    { "archiverecoverableitemspurges", 0 },
    { "archiverecoverableitemsdiscoveryholds", 0 },
    { "syncissues", EXS_FID_SYNC_ISSUES },
    { "conflicts", EXS_FID_CONFLICTS },
    { "localfailures", EXS_FID_LOCAL_FAILURES },
    { "serverfailures", EXS_FID_SERVER_FAILURES },
    { "recipientcache", 0 },
    { "quickcontacts", EXS_FID_QUICK_CONTACTS },
    { "conversationhistory", EXS_FID_CONVERSATION_HISTORY },
    { "adminauditlogs", 0 },
    { "todosearch", EXS_FID_TODO_SEARCH },
    { "mycontacts", 0 },
    { "directory", 0 },
    { "imcontactlist", EXS_FID_IM_CONTACT_LIST },
    { "peopleconnect", 0 },
    { "favorites", 0 },
    { "mecontacts", 0 },
    { "personmetadata", 0 },
    { "teamspaceactivity", 0 },
    { "teamspacemessaging", 0 },
    { "teamspaceworkitems", 0 },
    { "scheduled", 0 },
    { "orionnotes", 0 },
    { "tagitems", 0 },
    { "alltaggeditems", 0 },
    { "allcategorizeditems", 0 },
    { "externalcontacts", 0 },
    { "teamchat", 0 },
    { "teamchathistory", 0 },
    { "yammerdata", 0 },
    { "yammerroot", 0 },
    { "yammerinbound", 0 },
    { "yammeroutbound", 0 },
    { "yammerfeeds", 0 },
    { "kaizaladata", 0 },
    { "messageingestion", 0 },
    { "onedriveroot", 0 },
    { "onedriverecylebin", 0 },
    { "onedrivesystem", 0 },
    { "onedrivevolume", 0 },
    { "important", 0 },
    { "starred", 0 },
    { "archive", EXS_FID_ARCHIVE },
    { NULL, 0 }
};


static void exch_ews_id_elem(exch_buf_t *b, const char *elem, const char *id,
    const char *ck);
static int exch_ews_mbox_add(exch_ews_t *ews, uint32_t mailbox,
    exch_ews_mbox_t **m);


int
exch_ews_begin(exch_ews_t *ews, int write)
{
    int  rc;

    if (ews->txn) {
        exs_txn_abort(ews->txn);
        ews->txn = NULL;
    }

    ews->nmbox = 0;

    rc = exs_txn_begin(ews->env, write ? 0 : EXS_TXN_RDONLY, &ews->txn);
    if (rc != EXS_OK) {
        ews->txn = NULL;
        exch_ews_log(ews, EXCH_EWS_LOG_ERR, "EWS: transaction: %s",
                     exs_strerror(rc));
    }

    return rc;
}


int
exch_ews_end(exch_ews_t *ews, int rc)
{
    exs_txn_t  *txn;

    txn = ews->txn;
    ews->txn = NULL;
    ews->nmbox = 0;

    if (txn == NULL) {
        return rc;
    }

    if (rc != EXS_OK) {
        exs_txn_abort(txn);
        return rc;
    }

    rc = exs_txn_commit(txn);

    if (rc != EXS_OK) {
        exch_ews_log(ews, EXCH_EWS_LOG_ERR, "EWS: commit: %s",
                     exs_strerror(rc));
    }

    return rc;
}


static int
exch_ews_mbox_add(exch_ews_t *ews, uint32_t mailbox, exch_ews_mbox_t **m)
{
    int               rc;
    uint32_t          i;
    exs_dirent_t      e;
    exch_ews_mbox_t  *nm;
    exs_mbox_info_t   info;

    for (i = 0; i < ews->nmbox; i++) {
        if (ews->mbox[i].mailbox == mailbox) {
            *m = &ews->mbox[i];
            return EXS_OK;
        }
    }

    if (ews->txn == NULL) {
        return EXS_ERROR;
    }

    if (ews->nmbox == EXCH_EWS_MAX_MBOX) {
        return EXS_TOOBIG;
    }

    nm = &ews->mbox[ews->nmbox];
    memset(nm, 0, sizeof(exch_ews_mbox_t));

    rc = exs_mbox_open(ews->txn, mailbox, ews->user.id, &nm->mb);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_mbox_info(nm->mb, &info);
    if (rc != EXS_OK) {
        return rc;
    }

    nm->mailbox = mailbox;
    nm->owner = info.owner;
    memcpy(nm->guid, info.guid, 16);

    if (mailbox == ews->user.mailbox) {
        nm->address = ews->user.address;
        nm->name = ews->user.name;
        nm->legacy_dn = ews->user.legacy_dn;

    } else {
        rc = exs_dir_by_mailbox(ews->txn, mailbox, &e, ews->a);
        if (rc != EXS_OK) {
            return rc;
        }

        nm->address = e.address;
        nm->name = e.display_name;
        nm->legacy_dn = e.legacy_dn;
    }

    nm->named = exs_calloc(ews->a, exch_ews_nnamed * sizeof(uint16_t));
    if (nm->named == NULL) {
        return EXS_NOMEM;
    }

    ews->nmbox++;
    *m = nm;

    return EXS_OK;
}


int
exch_ews_mbox(exch_ews_t *ews, const char *smtp, exch_ews_mbox_t **m)
{
    int           rc;
    exs_dirent_t  e;

    if (smtp == NULL || *smtp == '\0'
        || strcasecmp(smtp, ews->user.address) == 0)
    {
        return exch_ews_mbox_add(ews, ews->user.mailbox, m);
    }

    rc = exch_ews_dir_lookup(ews, smtp, &e);
    if (rc != EXS_OK) {
        return rc;
    }

    if (e.type != EXS_DIR_USER || e.mailbox == 0) {
        return EXS_NOTFOUND;
    }

    return exch_ews_mbox_add(ews, e.mailbox, m);
}


int
exch_ews_mbox_guid(exch_ews_t *ews, const uint8_t *guid, exch_ews_mbox_t **m)
{
    int           rc;
    uint32_t      i;
    exs_dirent_t  e;

    if (memcmp(guid, ews->user.guid, 16) == 0) {
        return exch_ews_mbox_add(ews, ews->user.mailbox, m);
    }

    for (i = 0; i < ews->nmbox; i++) {
        if (memcmp(ews->mbox[i].guid, guid, 16) == 0) {
            *m = &ews->mbox[i];
            return EXS_OK;
        }
    }

    rc = exs_dir_by_guid(ews->txn, guid, &e, ews->a);
    if (rc != EXS_OK) {
        return rc;
    }

    if (e.type != EXS_DIR_USER || e.mailbox == 0) {
        return EXS_NOTFOUND;
    }

    return exch_ews_mbox_add(ews, e.mailbox, m);
}


int
exch_ews_mbox_id(exch_ews_t *ews, uint32_t mailbox, exch_ews_mbox_t **m)
{
    return exch_ews_mbox_add(ews, mailbox, m);
}


int
exch_ews_dir_lookup(exch_ews_t *ews, const char *address, exs_dirent_t *e)
{
    size_t  n;

    if (address == NULL) {
        return EXS_NOTFOUND;
    }

    n = strlen(address);

    if (n > 5 && strncasecmp(address, "smtp:", 5) == 0) {
        address += 5;
    }

    if (strchr(address, '@') != NULL) {
        return exs_dir_by_address(ews->txn, address, e, ews->a);
    }

    if (address[0] == '/') {
        return exs_dir_by_dn(ews->txn, address, e, ews->a);
    }

    return EXS_NOTFOUND;
}


exs_id_t
exch_ews_distinguished_fid(const char *name)
{
    const exch_ews_dist_t  *d;

    for (d = exch_ews_dists; d->name; d++) {
        if (strcmp(d->name, name) == 0) {
            return d->fid;
        }
    }

    return 0;
}


const char *
exch_ews_distinguished_name(exs_id_t fid)
{
    const exch_ews_dist_t  *d;

    for (d = exch_ews_dists; d->name; d++) {
        if (d->fid == fid) {
            return d->name;
        }
    }

    return NULL;
}


int
exch_ews_distinguished_known(const char *name)
{
    const exch_ews_dist_t  *d;

    for (d = exch_ews_dists; d->name; d++) {
        if (strcmp(d->name, name) == 0) {
            return 1;
        }
    }

    return 0;
}


exch_ews_code_t
exch_ews_folder_ref(exch_ews_t *ews, xmlNodePtr node, exch_ews_folder_ref_t *f)
{
    int                 rc;
    xmlNodePtr          mbx;
    const char         *id, *smtp;
    exch_ews_id_t       eid;
    exs_folder_info_t   info;

    memset(f, 0, sizeof(exch_ews_folder_ref_t));

    if (exch_xml_is(node, EXCH_EWS_NS_T, "DistinguishedFolderId")) {
        id = exch_ews_attr(node, "Id");

        if (id == NULL || !exch_ews_distinguished_known(id)) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        f->dist = id;
        f->ck = exch_ews_attr(node, "ChangeKey");

        smtp = NULL;
        mbx = exch_ews_tchild(node, "Mailbox");

        if (mbx) {
            smtp = exch_ews_value(exch_ews_tchild(mbx, "EmailAddress"));

            if (smtp == NULL || *smtp == '\0') {
                return EXCH_EWS_ERR_NON_EXISTENT_MAILBOX;
            }
        }

        rc = exch_ews_mbox(ews, smtp, &f->m);

        if (rc == EXS_NOTFOUND) {
            return EXCH_EWS_ERR_NON_EXISTENT_MAILBOX;
        }

        if (rc != EXS_OK) {
            return exch_ews_code_from_rc(rc, 1);
        }

        f->fid = exch_ews_distinguished_fid(id);

        return f->fid ? EXCH_EWS_NOERROR : EXCH_EWS_ERR_FOLDER_NOT_FOUND;
    }

    if (exch_xml_is(node, EXCH_EWS_NS_T, "FolderId")) {
        id = exch_ews_attr(node, "Id");

        if (id == NULL || *id == '\0') {
            return EXCH_EWS_ERR_INVALID_ID_EMPTY;
        }

        if (exch_ews_id_decode(id, strlen(id), &eid, ews->a) != EXS_OK) {
            return EXCH_EWS_ERR_INVALID_ID_MALFORMED;
        }

        if (eid.kind != EXCH_EWS_ID_FOLDER) {
            return EXCH_EWS_ERR_CANNOT_USE_ITEM_ID_FOR_FOLDER_ID;
        }

        f->ck = exch_ews_attr(node, "ChangeKey");
        f->fid = eid.fid;

        rc = exch_ews_mbox_guid(ews, eid.guid, &f->m);

        if (rc != EXS_OK) {
            return exch_ews_code_from_rc(rc, 1);
        }

        /* a soft-deleted folder is gone for everything but FindFolder's
         * SoftDeleted traversal of its parent */
        rc = exs_folder_info(f->m->mb, f->fid, &info);

        if (rc == EXS_OK && info.deleted) {
            return EXCH_EWS_ERR_FOLDER_NOT_FOUND;
        }

        return rc == EXS_NOTFOUND ? EXCH_EWS_ERR_FOLDER_NOT_FOUND
                                  : EXCH_EWS_NOERROR;
    }

    if (exch_xml_is(node, EXCH_EWS_NS_T, "AddressListId")) {
        return EXCH_EWS_ERR_FOLDER_NOT_FOUND;
    }

    return EXCH_EWS_ERR_SCHEMA_VALIDATION;
}


exch_ews_code_t
exch_ews_folder_ref_in(exch_ews_t *ews, xmlNodePtr parent,
    exch_ews_folder_ref_t *f)
{
    xmlNodePtr  c;

    memset(f, 0, sizeof(exch_ews_folder_ref_t));

    if (parent == NULL) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    for (c = parent->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            return exch_ews_folder_ref(ews, c, f);
        }
    }

    return EXCH_EWS_ERR_SCHEMA_VALIDATION;
}


exch_ews_code_t
exch_ews_to_folder(exch_ews_t *ews, xmlNodePtr req, exch_ews_folder_ref_t *to)
{
    int                 rc;
    exch_ews_code_t     code;
    exs_folder_info_t   info;

    code = exch_ews_folder_ref_in(ews, exch_ews_mchild(req, "ToFolderId"), to);

    if (code == EXCH_EWS_ERR_FOLDER_NOT_FOUND) {
        return EXCH_EWS_ERR_TO_FOLDER_NOT_FOUND;
    }

    if (code != EXCH_EWS_NOERROR) {
        return code;
    }

    rc = exs_folder_info(to->m->mb, to->fid, &info);

    return rc == EXS_NOTFOUND ? EXCH_EWS_ERR_TO_FOLDER_NOT_FOUND
                              : exch_ews_code_from_rc(rc, 1);
}


exch_ews_code_t
exch_ews_item_ref(exch_ews_t *ews, xmlNodePtr node, exch_ews_item_ref_t *it)
{
    int             rc;
    const char     *id;
    exch_ews_id_t   eid;

    memset(it, 0, sizeof(exch_ews_item_ref_t));

    if (exch_xml_is(node, EXCH_EWS_NS_T, "ItemId")
        || exch_xml_is(node, EXCH_EWS_NS_T, "RootItemId")
        || exch_xml_is(node, EXCH_EWS_NS_M, "ParentItemId")
        || exch_xml_is(node, EXCH_EWS_NS_T, "ParentItemId")
        || exch_xml_is(node, EXCH_EWS_NS_T, "ReferenceItemId"))
    {
        id = exch_ews_attr(node, "Id");
        it->ck = exch_ews_attr(node, "ChangeKey");

    } else if (exch_xml_is(node, EXCH_EWS_NS_T, "RecurringMasterItemId")) {
        id = exch_ews_attr(node, "OccurrenceId");
        it->ck = exch_ews_attr(node, "ChangeKey");

    } else if (exch_xml_is(node, EXCH_EWS_NS_T, "OccurrenceItemId")) {
        /* occurrences are expanded later: the master stands for them */
        id = exch_ews_attr(node, "RecurringMasterId");
        it->ck = exch_ews_attr(node, "ChangeKey");

    } else {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    if (id == NULL || *id == '\0') {
        return EXCH_EWS_ERR_INVALID_ID_EMPTY;
    }

    if (exch_ews_id_decode(id, strlen(id), &eid, ews->a) != EXS_OK) {
        return EXCH_EWS_ERR_INVALID_ID_MALFORMED;
    }

    if (eid.kind == EXCH_EWS_ID_FOLDER) {
        return EXCH_EWS_ERR_CANNOT_USE_FOLDER_ID_FOR_ITEM_ID;
    }

    if (eid.kind != EXCH_EWS_ID_ITEM) {
        return EXCH_EWS_ERR_INVALID_ID_MALFORMED;
    }

    it->fid = eid.fid;
    it->mid = eid.mid;

    rc = exch_ews_mbox_guid(ews, eid.guid, &it->m);

    if (rc != EXS_OK) {
        return exch_ews_code_from_rc(rc, 0);
    }

    return EXCH_EWS_NOERROR;
}


exch_ews_code_t
exch_ews_attach_ref(exch_ews_t *ews, const char *id, exch_ews_item_ref_t *it)
{
    int             rc;
    exch_ews_id_t   eid;

    memset(it, 0, sizeof(exch_ews_item_ref_t));

    if (id == NULL || *id == '\0') {
        return EXCH_EWS_ERR_INVALID_ID_EMPTY;
    }

    if (exch_ews_id_decode(id, strlen(id), &eid, ews->a) != EXS_OK
        || eid.kind != EXCH_EWS_ID_ATTACH)
    {
        return EXCH_EWS_ERR_INVALID_ID_MALFORMED;
    }

    it->fid = eid.fid;
    it->mid = eid.mid;
    it->natt = eid.natt;
    memcpy(it->att, eid.att, sizeof(it->att));

    rc = exch_ews_mbox_guid(ews, eid.guid, &it->m);

    if (rc != EXS_OK) {
        return exch_ews_code_from_rc(rc, 0);
    }

    return EXCH_EWS_NOERROR;
}


char *
exch_ews_folder_id_str(exch_ews_t *ews, exch_ews_mbox_t *m, exs_id_t fid)
{
    exch_ews_id_t  id;

    memset(&id, 0, sizeof(exch_ews_id_t));
    id.kind = EXCH_EWS_ID_FOLDER;
    memcpy(id.guid, m->guid, 16);
    id.fid = fid;
    id.legacy = ews->version == EXCH_EWS_V2007;
    id.smtp = m->address;

    return exch_ews_id_encode(&id, ews->a);
}


char *
exch_ews_item_id_str(exch_ews_t *ews, exch_ews_mbox_t *m, exs_id_t fid,
    exs_id_t mid)
{
    exch_ews_id_t  id;

    memset(&id, 0, sizeof(exch_ews_id_t));
    id.kind = EXCH_EWS_ID_ITEM;
    memcpy(id.guid, m->guid, 16);
    id.fid = fid;
    id.mid = mid;
    id.legacy = ews->version == EXCH_EWS_V2007;
    id.smtp = m->address;

    return exch_ews_id_encode(&id, ews->a);
}


int
exch_ews_write_folder_id(exch_ews_t *ews, const char *elem,
    exch_ews_mbox_t *m, exs_id_t fid)
{
    int          rc, cache;
    char        *id, *ck;
    uint32_t     tag;
    exs_prop_t  *p;
    exs_props_t  props;

    cache = ews->op && !(ews->op->flags & EXCH_EWS_OP_WRITE);

    if (cache && m->last_id && m->last_fid == fid) {
        id = (char *) m->last_id;
        ck = (char *) m->last_ck;
        goto write;
    }

    id = exch_ews_folder_id_str(ews, m, fid);
    if (id == NULL) {
        return EXS_NOMEM;
    }

    memset(&props, 0, sizeof(exs_props_t));
    tag = PR_CHANGE_KEY;

    rc = exs_folder_get(m->mb, fid, &tag, 1, &props, ews->a);
    if (rc != EXS_OK) {
        return rc;
    }

    p = exs_props_get(&props, PR_CHANGE_KEY);

    ck = exch_ews_ck_encode(EXCH_EWS_CK_FOLDER, p ? &p->v.bin : NULL,
                            ews->a);
    if (ck == NULL) {
        return EXS_NOMEM;
    }

    if (cache) {
        m->last_fid = fid;
        m->last_id = id;
        m->last_ck = ck;
    }

write:

    exch_ews_id_elem(&ews->out, elem, id, ck);

    return EXS_OK;
}


static void
exch_ews_id_elem(exch_buf_t *b, const char *elem, const char *id,
    const char *ck)
{
    exch_buf_add(b, "<t:", 3);
    exch_buf_str(b, elem);
    exch_buf_add(b, " Id=\"", 5);
    exch_buf_str(b, id);
    exch_buf_add(b, "\" ChangeKey=\"", 13);
    exch_buf_str(b, ck);
    exch_buf_add(b, "\"/>", 3);
}


uint32_t
exch_ews_ck_type(const char *cls)
{
    if (cls && strncasecmp(cls, "IPM.Appointment", 15) == 0) {
        return EXCH_EWS_CK_CALENDAR;
    }

    return EXCH_EWS_CK_MESSAGE;
}


int
exch_ews_write_item_id(exch_ews_t *ews, const char *elem,
    exch_ews_mbox_t *m, exs_id_t fid, exs_id_t mid, const exs_props_t *p)
{
    int           rc;
    char         *id, *ck;
    uint32_t      tags[2];
    exs_prop_t   *v, *cls;
    exs_props_t   props;

    id = exch_ews_item_id_str(ews, m, fid, mid);
    if (id == NULL) {
        return EXS_NOMEM;
    }

    if (p == NULL || exs_props_get(p, PR_CHANGE_KEY) == NULL) {
        memset(&props, 0, sizeof(exs_props_t));
        tags[0] = PR_CHANGE_KEY;
        tags[1] = PR_MESSAGE_CLASS;

        rc = exs_message_get(m->mb, mid, tags, 2, &props, ews->a);
        if (rc != EXS_OK) {
            return rc;
        }

        p = &props;
    }

    v = exs_props_get(p, PR_CHANGE_KEY);
    cls = exs_props_get(p, PR_MESSAGE_CLASS);

    ck = exch_ews_ck_encode(exch_ews_ck_type(cls ? cls->v.str.data : NULL),
                            v ? &v->v.bin : NULL, ews->a);
    if (ck == NULL) {
        return EXS_NOMEM;
    }

    exch_ews_id_elem(&ews->out, elem, id, ck);

    return EXS_OK;
}


exs_id_t
exch_ews_assoc_find(exs_mbox_t *mb, exs_id_t fid, const char *cls,
    exs_arena_t *a)
{
    uint32_t            got;
    exs_id_t            mid;
    exs_table_t        *t;
    exs_restriction_t   res;

    memset(&res, 0, sizeof(exs_restriction_t));
    res.type = RES_PROPERTY;
    res.u.prop.relop = RELOP_EQ;
    res.u.prop.tag = PR_MESSAGE_CLASS;
    res.u.prop.val.tag = PR_MESSAGE_CLASS;
    res.u.prop.val.v.str.data = cls;
    res.u.prop.val.v.str.len = strlen(cls);

    if (exs_table_open(mb, fid, EXS_TABLE_CONTENTS, EXS_TABLE_ASSOCIATED,
                       NULL, &res, &t, a)
        != EXS_OK
        || exs_table_ids(t, 0, 1, &mid, &got) != EXS_OK || got == 0)
    {
        return 0;
    }

    return mid;
}
