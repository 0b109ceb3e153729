
/*
 * exch EWS: folders, MS-OXWSFOLD -- GetFolder, FindFolder, CreateFolder,
 * CreateFolderPath, UpdateFolder, DeleteFolder, MoveFolder, CopyFolder,
 * EmptyFolder -- and folder permissions (PermissionSet, MS-OXWSFOLD /
 * MS-OXCPERM).
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exch_ews_ops.h"
#include "exch_ews_items.h"


/* frights* of MS-OXCPERM 2.2.7 */
#define EXCH_R_READ_ANY         0x00000001
#define EXCH_R_CREATE           0x00000002
#define EXCH_R_EDIT_OWNED       0x00000008
#define EXCH_R_DELETE_OWNED     0x00000010
#define EXCH_R_EDIT_ANY         0x00000020
#define EXCH_R_DELETE_ANY       0x00000040
#define EXCH_R_CREATE_SUB       0x00000080
#define EXCH_R_OWNER            0x00000100
#define EXCH_R_CONTACT          0x00000200
#define EXCH_R_VISIBLE          0x00000400
#define EXCH_R_FREEBUSY_SIMPLE  0x00000800
#define EXCH_R_FREEBUSY_DETAIL  0x00001000


typedef struct {
    const char               *name;
    uint32_t                  rights;
} exch_ews_level_t;


static const exch_ews_level_t  exch_ews_levels[] = {
    { "None", 0 },
    { "Owner", 0x7FB },
    { "PublishingEditor", 0x4FB },
    { "Editor", 0x47B },
    { "PublishingAuthor", 0x49B },
    { "Author", 0x41B },
    { "NoneditingAuthor", 0x413 },
    { "Reviewer", 0x401 },
    { "Contributor", 0x402 },
    { NULL, 0 }
};

static const exch_ews_level_t  exch_ews_cal_levels[] = {
    { "None", 0 },
    { "Owner", 0x7FB | 0x1800 },
    { "PublishingEditor", 0x4FB | 0x1800 },
    { "Editor", 0x47B | 0x1800 },
    { "PublishingAuthor", 0x49B | 0x1800 },
    { "Author", 0x41B | 0x1800 },
    { "NoneditingAuthor", 0x413 | 0x1800 },
    { "Reviewer", 0x401 | 0x1800 },
    { "Contributor", 0x402 | 0x800 },
    { "FreeBusyTimeOnly", 0x800 },
    { "FreeBusyTimeAndSubjectAndLocation", 0x1800 },
    { NULL, 0 }
};


static int exch_ews_folder_is_calendar(const char *cls);
static const char *exch_ews_folder_element(const exs_props_t *p,
    uint32_t type);
static void exch_ews_ext_write(exch_ews_t *ews, xmlNodePtr uri,
    const exs_prop_t *p);
static void exch_ews_rights_write(exch_ews_t *ews, uint32_t rights,
    int folder);
static int exch_ews_perms_write(exch_ews_t *ews, exch_ews_mbox_t *m,
    exs_id_t fid, int calendar);
static exch_ews_code_t exch_ews_perms_set(exch_ews_t *ews,
    exch_ews_mbox_t *m, exs_id_t fid, xmlNodePtr set);
static exch_ews_code_t exch_ews_folder_props(exch_ews_t *ews,
    exch_ews_mbox_t *m, xmlNodePtr folder, int create, exs_props_t *props,
    xmlNodePtr *perms);
static exch_ews_code_t exch_ews_folder_create(exch_ews_t *ews,
    exch_ews_folder_ref_t *parent, xmlNodePtr folder, exs_id_t *fid,
    int open_existing);
static int exch_ews_create_folders(exch_ews_t *ews, xmlNodePtr req,
    xmlNodePtr folders, int path);
static int exch_ews_uint_attr(xmlNodePtr node, const char *name,
    uint32_t *v, int req);
static int exch_ews_folder_move_unique(exch_ews_t *ews, exch_ews_mbox_t *m,
    exs_id_t fid, exs_id_t to);
static int exch_ews_move_copy_folder(exch_ews_t *ews, xmlNodePtr req,
    int copy);
static int exch_ews_empty_to_deleted(exch_ews_t *ews, exch_ews_mbox_t *m,
    exs_id_t fid, int subfolders);


static int
exch_ews_folder_is_calendar(const char *cls)
{
    return cls && strncasecmp(cls, "IPF.Appointment", 15) == 0;
}


static const char *
exch_ews_folder_element(const exs_props_t *p, uint32_t type)
{
    exs_prop_t  *cls;
    const char  *s;

    if (type == EXS_FOLDER_SEARCH) {
        return "SearchFolder";
    }

    cls = exs_props_get(p, PR_CONTAINER_CLASS);
    s = cls ? cls->v.str.data : NULL;

    if (s == NULL) {
        return "Folder";
    }

    if (strncasecmp(s, "IPF.Appointment", 15) == 0) {
        return "CalendarFolder";
    }

    if (strncasecmp(s, "IPF.Contact", 11) == 0) {
        return "ContactsFolder";
    }

    if (strncasecmp(s, "IPF.Task", 8) == 0) {
        return "TasksFolder";
    }

    return "Folder";
}


/* <t:ExtendedProperty> echoing the ExtendedFieldURI as it was asked for */

static void
exch_ews_ext_write(exch_ews_t *ews, xmlNodePtr uri, const exs_prop_t *p)
{
    xmlAttrPtr  a;

    exch_buf_str(&ews->out, "<t:ExtendedProperty><t:ExtendedFieldURI");

    for (a = uri->properties; a; a = a->next) {
        if (a->ns || a->children == NULL || a->children->content == NULL) {
            continue;
        }

        exch_buf_printf(&ews->out, " %s=\"", (const char *) a->name);
        exch_buf_cstr_text(&ews->out, (const char *) a->children->content);
        exch_buf_str(&ews->out, "\"");
    }

    exch_buf_str(&ews->out, "/>");
    exch_ews_value_write(&ews->out, p);
    exch_buf_str(&ews->out, "</t:ExtendedProperty>");
}


void
exch_ews_shape_ext_write(exch_ews_t *ews, exch_ews_shape_t *shape,
    const exs_props_t *props)
{
    uint32_t     i;
    exs_prop_t  *p;

    for (i = 0; i < shape->npaths; i++) {
        if (!shape->resolved[i].extended || shape->resolved[i].tag == 0) {
            continue;
        }

        p = exs_props_get(props, shape->resolved[i].tag);

        if (p && PROP_TYPE(p->tag) != PT_ERROR) {
            exch_ews_ext_write(ews, shape->paths[i], p);
        }
    }
}


static void
exch_ews_rights_write(exch_ews_t *ews, uint32_t r, int folder)
{
    exch_buf_t  *b;

    b = &ews->out;

    exch_buf_str(b, "<t:EffectiveRights>");
    exch_ews_elem_bool(b, "CreateAssociated",
                       (r & (EXCH_R_OWNER | EXCH_R_CREATE)) != 0);
    exch_ews_elem_bool(b, "CreateContents", (r & EXCH_R_CREATE) != 0);
    exch_ews_elem_bool(b, "CreateHierarchy", (r & EXCH_R_CREATE_SUB) != 0);
    exch_ews_elem_bool(b, "Delete", folder ? (r & EXCH_R_OWNER) != 0
                                           : (r & EXCH_R_DELETE_ANY) != 0);
    exch_ews_elem_bool(b, "Modify", folder ? (r & EXCH_R_OWNER) != 0
                                           : (r & EXCH_R_EDIT_ANY) != 0);
    exch_ews_elem_bool(b, "Read", (r & (EXCH_R_READ_ANY | EXCH_R_VISIBLE))
                                  != 0);

    if (ews->version >= EXCH_EWS_V2010_SP1) {
        exch_ews_elem_bool(b, "ViewPrivateItems", (r & EXCH_R_OWNER) != 0);
    }

    exch_buf_str(b, "</t:EffectiveRights>");
}


int
exch_ews_folder_write(exch_ews_t *ews, exch_ews_mbox_t *m, exs_id_t fid,
    exch_ews_shape_t *shape)
{
    int                       rc, calendar;
    uint32_t                  ntags, i, rights;
    uint32_t                  tags[8 + EXCH_EWS_MAX_PATHS];
    exs_prop_t               *p;
    exs_props_t               props;
    const char               *elem, *dist;
    exch_buf_t               *b;
    exs_folder_info_t         info;
    const exch_ews_field_t   *f;

    b = &ews->out;

    rc = exch_ews_shape_resolve(ews, m, shape);
    if (rc != EXCH_EWS_NOERROR) {
        return EXS_INVALID;
    }

    rc = exs_folder_info(m->mb, fid, &info);
    if (rc != EXS_OK) {
        return rc;
    }

    ntags = 0;
    tags[ntags++] = PR_DISPLAY_NAME;
    tags[ntags++] = PR_CONTAINER_CLASS;
    tags[ntags++] = PR_CHANGE_KEY;

    for (i = 0; i < shape->npaths; i++) {
        if (shape->resolved[i].extended && shape->resolved[i].tag) {
            tags[ntags++] = shape->resolved[i].tag;
        }
    }

    memset(&props, 0, sizeof(exs_props_t));

    rc = exs_folder_get(m->mb, fid, tags, ntags, &props, ews->a);
    if (rc != EXS_OK) {
        return rc;
    }

    p = exs_props_get(&props, PR_CONTAINER_CLASS);
    calendar = exch_ews_folder_is_calendar(p ? p->v.str.data : NULL);
    elem = exch_ews_folder_element(&props, info.type);

    exch_ews_open(b, elem);

    for (f = exch_ews_folder_fields; f->name; f++) {
        if (!exch_ews_shape_wants(shape, f, ews->version)
            && f->kind != EXCH_K_EXTENDED)
        {
            continue;
        }

        switch (f->kind) {

        case EXCH_K_FOLDERID:
            p = exs_props_get(&props, PR_CHANGE_KEY);
            exch_buf_printf(b, "<t:FolderId Id=\"%s\" ChangeKey=\"%s\"/>",
                            exch_ews_folder_id_str(ews, m, fid),
                            exch_ews_ck_encode(EXCH_EWS_CK_FOLDER,
                                               p ? &p->v.bin : NULL,
                                               ews->a));
            break;

        case EXCH_K_PARENTFOLDER:
            if (info.parent) {
                rc = exch_ews_write_folder_id(ews, "ParentFolderId", m,
                                              info.parent);
                if (rc != EXS_OK && rc != EXS_DENIED) {
                    return rc;
                }
            }
            break;

        case EXCH_K_STRING:
            p = exs_props_get(&props, f->tag);
            if (p) {
                exch_ews_elem_n(b, f->name, p->v.str.data, p->v.str.len);
            }
            break;

        case EXCH_K_FOLDERCOUNT:
            if (f->tag == PR_CONTENT_COUNT) {
                exch_ews_elem_int(b, f->name, info.count);

            } else if (f->tag == PR_FOLDER_CHILD_COUNT) {
                exch_ews_elem_int(b, f->name, info.children);

            } else if (strcmp(elem, "CalendarFolder") != 0
                       && strcmp(elem, "ContactsFolder") != 0)
            {
                exch_ews_elem_int(b, f->name, info.unread);
            }
            break;

        case EXCH_K_EXTENDED:
            exch_ews_shape_ext_write(ews, shape, &props);
            break;

        case EXCH_K_FOLDERRIGHTS:
            rc = exs_folder_rights(m->mb, fid, &rights);
            if (rc != EXS_OK) {
                return rc;
            }

            exch_ews_rights_write(ews, rights, 1);
            break;

        case EXCH_K_DISTFOLDER:
            dist = info.special ? exch_ews_distinguished_name(fid) : NULL;
            if (dist) {
                exch_ews_elem(b, "DistinguishedFolderId", dist);
            }
            break;

        case EXCH_K_PERMISSIONS:
            rc = exch_ews_perms_write(ews, m, fid, calendar);
            if (rc != EXS_OK && rc != EXS_DENIED) {
                return rc;
            }
            break;

        default:
            break;
        }
    }

    exch_ews_close(b, elem);

    return EXS_OK;
}


static int
exch_ews_perms_write(exch_ews_t *ews, exch_ews_mbox_t *m, exs_id_t fid,
    int calendar)
{
    int                      rc;
    uint32_t                 n, i, r;
    exch_buf_t              *b;
    exs_perm_t              *perms;
    exs_dirent_t             e;
    const char              *level, *pfx;
    const exch_ews_level_t  *l;

    b = &ews->out;

    rc = exs_folder_perms(m->mb, fid, &perms, &n, ews->a);
    if (rc != EXS_OK) {
        return rc;
    }

    pfx = calendar ? "Calendar" : "";

    exch_buf_printf(b, "<t:PermissionSet><t:%sPermissions>", pfx);

    for (i = 0; i < n; i++) {
        r = perms[i].rights;

        exch_buf_printf(b, "<t:%sPermission><t:UserId>", pfx);

        if (perms[i].member == 0) {
            exch_ews_elem(b, "DistinguishedUser", "Default");

        } else if (perms[i].member == -1) {
            exch_ews_elem(b, "DistinguishedUser", "Anonymous");

        } else if (exs_dir_by_id(ews->txn, (uint32_t) perms[i].member, &e,
                                 ews->a)
                   == EXS_OK)
        {
            exch_ews_elem(b, "PrimarySmtpAddress", e.address);
            exch_ews_elem(b, "DisplayName", e.display_name);
        }

        exch_buf_str(b, "</t:UserId>");
        exch_ews_elem_bool(b, "CanCreateItems", (r & EXCH_R_CREATE) != 0);
        exch_ews_elem_bool(b, "CanCreateSubFolders",
                           (r & EXCH_R_CREATE_SUB) != 0);
        exch_ews_elem_bool(b, "IsFolderOwner", (r & EXCH_R_OWNER) != 0);
        exch_ews_elem_bool(b, "IsFolderVisible", (r & EXCH_R_VISIBLE) != 0);
        exch_ews_elem_bool(b, "IsFolderContact", (r & EXCH_R_CONTACT) != 0);
        exch_ews_elem(b, "EditItems", (r & EXCH_R_EDIT_ANY) ? "All"
                                      : (r & EXCH_R_EDIT_OWNED) ? "Owned"
                                      : "None");
        exch_ews_elem(b, "DeleteItems", (r & EXCH_R_DELETE_ANY) ? "All"
                                        : (r & EXCH_R_DELETE_OWNED) ? "Owned"
                                        : "None");

        if (calendar) {
            exch_ews_elem(b, "ReadItems",
                          (r & EXCH_R_READ_ANY) ? "FullDetails"
                          : (r & EXCH_R_FREEBUSY_DETAIL)
                            ? "TimeAndSubjectAndLocation"
                          : (r & EXCH_R_FREEBUSY_SIMPLE) ? "TimeOnly"
                          : "None");
        } else {
            exch_ews_elem(b, "ReadItems", (r & EXCH_R_READ_ANY)
                                          ? "FullDetails" : "None");
        }

        level = "Custom";

        for (l = calendar ? exch_ews_cal_levels : exch_ews_levels; l->name;
             l++)
        {
            if (l->rights == r
                || (l->rights == 0 && (r & ~EXCH_R_VISIBLE) == 0))
            {
                level = l->name;
                break;
            }
        }

        exch_ews_elem(b, calendar ? "CalendarPermissionLevel"
                                  : "PermissionLevel", level);
        exch_buf_printf(b, "</t:%sPermission>", pfx);
    }

    exch_buf_printf(b, "</t:%sPermissions></t:PermissionSet>", pfx);

    return EXS_OK;
}


static exch_ews_code_t
exch_ews_perms_set(exch_ews_t *ews, exch_ews_mbox_t *m, exs_id_t fid,
    xmlNodePtr set)
{
    int                      rc, found;
    int64_t                  member;
    uint32_t                 rights, n, i, nnew;
    int64_t                  members[256];
    xmlNodePtr               list, pm, uid, c;
    exs_perm_t              *perms;
    exs_dirent_t             e;
    const char              *v;
    const exch_ews_level_t  *l, *levels;

    /* exchangelib wraps the set in a second PermissionSet */
    c = exch_ews_tchild(set, "PermissionSet");
    if (c) {
        set = c;
    }

    list = exch_ews_tchild(set, "Permissions");
    levels = exch_ews_levels;

    if (list == NULL) {
        list = exch_ews_tchild(set, "CalendarPermissions");
        levels = exch_ews_cal_levels;
    }

    nnew = 0;

    for (pm = list ? list->children : NULL; pm; pm = pm->next) {
        if (pm->type != XML_ELEMENT_NODE) {
            continue;
        }

        uid = exch_ews_tchild(pm, "UserId");
        if (uid == NULL) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        v = exch_ews_value(exch_ews_tchild(uid, "DistinguishedUser"));

        if (v && strcmp(v, "Default") == 0) {
            member = 0;

        } else if (v && strcmp(v, "Anonymous") == 0) {
            member = -1;

        } else {
            v = exch_ews_value(exch_ews_tchild(uid, "PrimarySmtpAddress"));

            if (exch_ews_dir_lookup(ews, v, &e) != EXS_OK) {
                return EXCH_EWS_ERR_INVALID_REQUEST;
            }

            member = e.id;
        }

        v = exch_ews_value(exch_ews_child(pm, "PermissionLevel"));
        if (v == NULL) {
            v = exch_ews_value(exch_ews_child(pm, "CalendarPermissionLevel"));
        }

        rights = 0;

        if (v && strcmp(v, "Custom") != 0) {
            for (l = levels; l->name; l++) {
                if (strcmp(l->name, v) == 0) {
                    break;
                }
            }

            if (l->name == NULL) {
                return EXCH_EWS_ERR_SCHEMA_VALIDATION;
            }

            rights = l->rights;

        } else {
            for (c = pm->children; c; c = c->next) {
                if (c->type != XML_ELEMENT_NODE) {
                    continue;
                }

                v = exch_ews_value(c);

                if (strcmp((const char *) c->name, "CanCreateItems") == 0
                    && exch_ews_bool(v) == 1)
                {
                    rights |= EXCH_R_CREATE;

                } else if (strcasecmp((const char *) c->name,
                                      "CanCreateSubFolders") == 0
                           && exch_ews_bool(v) == 1)
                {
                    rights |= EXCH_R_CREATE_SUB;

                } else if (strcmp((const char *) c->name, "IsFolderOwner")
                           == 0 && exch_ews_bool(v) == 1)
                {
                    rights |= EXCH_R_OWNER;

                } else if (strcmp((const char *) c->name, "IsFolderVisible")
                           == 0 && exch_ews_bool(v) == 1)
                {
                    rights |= EXCH_R_VISIBLE;

                } else if (strcmp((const char *) c->name, "IsFolderContact")
                           == 0 && exch_ews_bool(v) == 1)
                {
                    rights |= EXCH_R_CONTACT;

                } else if (strcmp((const char *) c->name, "EditItems") == 0
                           && v)
                {
                    rights |= strcmp(v, "All") == 0 ? EXCH_R_EDIT_ANY
                              | EXCH_R_EDIT_OWNED
                              : strcmp(v, "Owned") == 0 ? EXCH_R_EDIT_OWNED
                              : 0;

                } else if (strcmp((const char *) c->name, "DeleteItems") == 0
                           && v)
                {
                    rights |= strcmp(v, "All") == 0 ? EXCH_R_DELETE_ANY
                              | EXCH_R_DELETE_OWNED
                              : strcmp(v, "Owned") == 0 ? EXCH_R_DELETE_OWNED
                              : 0;

                } else if (strcmp((const char *) c->name, "ReadItems") == 0
                           && v)
                {
                    rights |= strcmp(v, "FullDetails") == 0 ? EXCH_R_READ_ANY
                              : strcmp(v, "TimeOnly") == 0
                                ? EXCH_R_FREEBUSY_SIMPLE
                              : strcmp(v, "TimeAndSubjectAndLocation") == 0
                                ? EXCH_R_FREEBUSY_DETAIL
                                  | EXCH_R_FREEBUSY_SIMPLE
                              : 0;
                }
            }
        }

        if (nnew == sizeof(members) / sizeof(members[0])) {
            return EXCH_EWS_ERR_INVALID_REQUEST;
        }

        members[nnew++] = member;

        /* rights 0 remove the member: the same as having none */
        rc = exs_folder_set_perm(m->mb, fid, member, rights);

        if (rc != EXS_OK) {
            return exch_ews_code_from_rc(rc, 1);
        }
    }

    /* members not in the new set lose their entry */

    rc = exs_folder_perms(m->mb, fid, &perms, &n, ews->a);
    if (rc != EXS_OK) {
        return exch_ews_code_from_rc(rc, 1);
    }

    for (i = 0; i < n; i++) {
        found = 0;

        for (rights = 0; rights < nnew; rights++) {
            if (members[rights] == perms[i].member) {
                found = 1;
                break;
            }
        }

        if (!found) {
            rc = exs_folder_set_perm(m->mb, fid, perms[i].member, 0);
            if (rc != EXS_OK) {
                return exch_ews_code_from_rc(rc, 1);
            }
        }
    }

    return EXCH_EWS_NOERROR;
}


/* GetFolder */

int
exch_ews_op_get_folder(exch_ews_t *ews, xmlNodePtr req)
{
    int                     rc;
    size_t                  mark;
    xmlNodePtr              ids, c;
    exch_ews_code_t         code;
    exch_ews_shape_t       *shape;
    exch_ews_folder_ref_t   ref;

    shape = exch_ews_shape_new(ews, exch_ews_mchild(req, "FolderShape"), 1,
                               &code);
    if (shape == NULL) {
        return EXCH_EWS_FAIL;
    }
    ids = exch_ews_mchild(req, "FolderIds");

    if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION || ids == NULL) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "GetFolder needs FolderShape and FolderIds.");
    }

    if (exch_ews_begin(ews, 0) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    exch_ews_resp_begin(ews);

    for (c = ids->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        if (code != EXCH_EWS_NOERROR) {
            exch_ews_msg_error(ews, code, NULL);
            continue;
        }

        rc = exch_ews_folder_ref(ews, c, &ref);

        if (rc == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
            exch_ews_end(ews, EXS_ERROR);
            return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                                  "The folder id is not valid.");
        }

        if (rc != EXCH_EWS_NOERROR) {
            exch_ews_msg_error(ews, rc, NULL);
            continue;
        }

        exch_ews_msg_ok(ews);
        exch_buf_str(&ews->out, "<m:Folders>");
        mark = ews->out.len;

        rc = exch_ews_folder_write(ews, ref.m, ref.fid, shape);

        if (rc != EXS_OK) {
            ews->out.len = mark;
            exch_ews_msg_error(ews, rc == EXS_INVALID
                                    ? exch_ews_shape_error(shape)
                                    : exch_ews_code_from_rc(rc, 1), NULL);
            continue;
        }

        exch_buf_str(&ews->out, "</m:Folders>");
        exch_ews_msg_end(ews);
    }

    exch_ews_resp_end(ews);
    exch_ews_end(ews, EXS_ERROR);

    return EXCH_EWS_OK;
}


/* paging of FindFolder and FindItem */

static int
exch_ews_uint_attr(xmlNodePtr node, const char *name, uint32_t *v, int req)
{
    char        *end;
    const char  *s;
    long long    n;

    s = exch_ews_attr(node, name);

    if (s == NULL) {
        return req ? -1 : 0;
    }

    n = strtoll(s, &end, 10);

    if (*s == '\0' || *end != '\0' || n < 0 || n > 0x7FFFFFFF) {
        return -1;
    }

    *v = (uint32_t) n;

    return 0;
}


exch_ews_code_t
exch_ews_paging_parse(xmlNodePtr op, exch_ews_paging_t *pg)
{
    xmlNodePtr   v;
    const char  *bp;

    memset(pg, 0, sizeof(exch_ews_paging_t));

    v = exch_ews_mchild(op, "IndexedPageFolderView");
    if (v == NULL) {
        v = exch_ews_mchild(op, "IndexedPageItemView");
    }

    if (v) {
        pg->kind = 1;

        if (exch_ews_uint_attr(v, "MaxEntriesReturned", &pg->max, 0) != 0) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        if (exch_ews_uint_attr(v, "Offset", &pg->offset, 1) != 0) {
            /* a negative xs:int is valid XML but no offset */
            bp = exch_ews_attr(v, "Offset");

            return bp && bp[0] == '-' && bp[1] >= '0' && bp[1] <= '9'
                   ? EXCH_EWS_ERR_INVALID_INDEXED_PAGING
                   : EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        bp = exch_ews_attr(v, "BasePoint");

        if (bp == NULL || (strcmp(bp, "Beginning") != 0
                           && strcmp(bp, "End") != 0))
        {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        pg->from_end = strcmp(bp, "End") == 0;

        if (exch_ews_attr(v, "MaxEntriesReturned") && pg->max == 0) {
            return EXCH_EWS_ERR_INVALID_PAGING_MAX_ROWS;
        }

        return EXCH_EWS_NOERROR;
    }

    v = exch_ews_mchild(op, "FractionalPageFolderView");
    if (v == NULL) {
        v = exch_ews_mchild(op, "FractionalPageItemView");
    }

    if (v) {
        pg->kind = 2;

        if (exch_ews_uint_attr(v, "MaxEntriesReturned", &pg->max, 0) != 0
            || exch_ews_uint_attr(v, "Numerator", &pg->num, 1) != 0
            || exch_ews_uint_attr(v, "Denominator", &pg->den, 1) != 0)
        {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        if (pg->den == 0 || pg->num > pg->den) {
            return EXCH_EWS_ERR_INVALID_FRACTIONAL_PAGING;
        }

        if (exch_ews_attr(v, "MaxEntriesReturned") && pg->max == 0) {
            return EXCH_EWS_ERR_INVALID_PAGING_MAX_ROWS;
        }
    }

    return EXCH_EWS_NOERROR;
}


void
exch_ews_paging_range(exch_ews_paging_t *pg, uint32_t total,
    uint32_t *start, uint32_t *count)
{
    uint32_t  s, n, end;

    if (pg->kind == 2) {
        s = (uint32_t) ((uint64_t) total * pg->num / pg->den);

    } else if (pg->kind == 1 && pg->from_end) {
        end = pg->offset >= total ? 0 : total - pg->offset;
        n = pg->max && pg->max < end ? pg->max : end;
        *start = end - n;
        *count = n;
        return;

    } else {
        s = pg->offset;
    }

    if (s > total) {
        s = total;
    }

    n = total - s;

    if (pg->max && n > pg->max) {
        n = pg->max;
    }

    *start = s;
    *count = n;
}


void
exch_ews_paging_attrs(exch_ews_t *ews, exch_ews_paging_t *pg,
    uint32_t total, uint32_t start, uint32_t count)
{
    int  last;

    if (pg->kind == 1 && pg->from_end) {
        last = start == 0;
        exch_buf_printf(&ews->out, " IndexedPagingOffset=\"%u\"",
                        pg->offset + count);

    } else if (pg->kind == 2) {
        last = start + count >= total;
        exch_buf_printf(&ews->out, " NumeratorOffset=\"%u\" "
                        "AbsoluteDenominator=\"%u\"", start + count, total);

    } else {
        last = start + count >= total;
        exch_buf_printf(&ews->out, " IndexedPagingOffset=\"%u\"",
                        start + count);
    }

    exch_buf_printf(&ews->out, " TotalItemsInView=\"%u\" "
                    "IncludesLastItemInRange=\"%s\"", total,
                    last ? "true" : "false");
}


/* FindFolder */

int
exch_ews_op_find_folder(exch_ews_t *ews, xmlNodePtr req)
{
    int                     rc;
    size_t                  mark;
    unsigned                flags;
    uint32_t                total, start, count, got, i;
    exs_id_t               *ids;
    xmlNodePtr              parents, c, resnode;
    exs_table_t            *t;
    const char             *trav;
    exch_ews_code_t         code, pcode;
    exch_ews_shape_t       *shape;
    exs_restriction_t      *res;
    exch_ews_paging_t       pg;
    exch_ews_folder_ref_t   ref;

    shape = exch_ews_shape_new(ews, exch_ews_mchild(req, "FolderShape"), 1,
                               &code);
    if (shape == NULL) {
        return EXCH_EWS_FAIL;
    }
    parents = exch_ews_mchild(req, "ParentFolderIds");
    trav = exch_ews_attr(req, "Traversal");
    pcode = exch_ews_paging_parse(req, &pg);

    if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION || parents == NULL
        || trav == NULL || pcode == EXCH_EWS_ERR_SCHEMA_VALIDATION
        || (strcmp(trav, "Shallow") != 0 && strcmp(trav, "Deep") != 0
            && strcmp(trav, "SoftDeleted") != 0))
    {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "FindFolder needs Traversal, FolderShape and "
                              "ParentFolderIds.");
    }

    if (code == EXCH_EWS_NOERROR) {
        code = pcode;
    }

    flags = strcmp(trav, "Deep") == 0 ? EXS_TABLE_DEEP : 0;
    resnode = exch_ews_mchild(req, "Restriction");

    if (exch_ews_begin(ews, 0) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    exch_ews_resp_begin(ews);

    for (c = parents->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        if (code != EXCH_EWS_NOERROR) {
            exch_ews_msg_error(ews, code, NULL);
            continue;
        }

        rc = exch_ews_folder_ref(ews, c, &ref);

        if (rc != EXCH_EWS_NOERROR) {
            if (rc == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
                exch_ews_end(ews, EXS_ERROR);
                return exch_ews_fault(ews, rc, NULL,
                                      "The folder id is not valid.");
            }

            exch_ews_msg_error(ews, rc, NULL);
            continue;
        }

        res = NULL;

        if (resnode) {
            rc = exch_ews_restriction_parse(ews, ref.m, resnode, 1, &res);
            if (rc != EXCH_EWS_NOERROR) {
                exch_ews_msg_error(ews, rc, NULL);
                continue;
            }
        }

        if (strcmp(trav, "SoftDeleted") == 0) {
            rc = exs_folder_list_children(ref.m->mb, ref.fid, 1, &ids,
                                          &total, ews->a);
            t = NULL;

        } else {
            rc = exs_table_open(ref.m->mb, ref.fid, EXS_TABLE_HIERARCHY,
                                flags, NULL, res, &t, ews->a);
            if (rc == EXS_OK) {
                rc = exs_table_count(t, &total);
            }
        }

        if (rc != EXS_OK) {
            exch_ews_msg_error(ews, exch_ews_code_from_rc(rc, 1), NULL);
            continue;
        }

        exch_ews_paging_range(&pg, total, &start, &count);

        if (t) {
            ids = exs_alloc(ews->a, (count ? count : 1) * sizeof(exs_id_t));
            if (ids == NULL) {
                exch_ews_end(ews, EXS_ERROR);
                return EXCH_EWS_FAIL;
            }

            rc = exs_table_ids(t, start, count, ids, &got);
            if (rc != EXS_OK) {
                exch_ews_msg_error(ews, exch_ews_code_from_rc(rc, 1), NULL);
                continue;
            }

        } else {
            ids += start;
            got = count;
        }

        exch_ews_msg_ok(ews);
        exch_buf_str(&ews->out, "<m:RootFolder");
        exch_ews_paging_attrs(ews, &pg, total, start, got);
        exch_buf_str(&ews->out, "><t:Folders>");

        for (i = 0; i < got; i++) {
            mark = ews->out.len;

            rc = exch_ews_folder_write(ews, ref.m, ids[i], shape);

            if (rc != EXS_OK) {
                /* a subfolder we may not see */
                ews->out.len = mark;
            }
        }

        exch_buf_str(&ews->out, "</t:Folders></m:RootFolder>");
        exch_ews_msg_end(ews);
    }

    exch_ews_resp_end(ews);
    exch_ews_end(ews, EXS_ERROR);

    return EXCH_EWS_OK;
}


/* the properties of a <t:Folder> element of a create or update request */

static exch_ews_code_t
exch_ews_folder_props(exch_ews_t *ews, exch_ews_mbox_t *m, xmlNodePtr folder,
    int create, exs_props_t *props, xmlNodePtr *perms)
{
    int               rc;
    xmlNodePtr        c, uri, val;
    exs_prop_t        p;
    const char       *v;
    exch_ews_path_t   path;
    exch_ews_code_t   code;

    *perms = NULL;

    for (c = folder->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        v = NULL;

        if (exch_xml_is(c, EXCH_EWS_NS_T, "DisplayName")) {
            v = exch_ews_value(c);

            if (v == NULL || *v == '\0') {
                return EXCH_EWS_ERR_INVALID_VALUE_FOR_PROPERTY;
            }

            rc = exs_props_set_str(ews->a, props, PR_DISPLAY_NAME, v,
                                   strlen(v));

        } else if (exch_xml_is(c, EXCH_EWS_NS_T, "FolderClass")) {
            v = exch_ews_value(c);
            rc = exs_props_set_str(ews->a, props, PR_CONTAINER_CLASS, v,
                                   strlen(v));

        } else if (exch_xml_is(c, EXCH_EWS_NS_T, "ExtendedProperty")) {
            uri = exch_ews_tchild(c, "ExtendedFieldURI");

            if (uri == NULL) {
                return EXCH_EWS_ERR_SCHEMA_VALIDATION;
            }

            code = exch_ews_path_parse(ews, m, uri, 1, &path);
            if (code != EXCH_EWS_NOERROR) {
                return code;
            }

            if (path.tag == 0) {
                return EXCH_EWS_ERR_INVALID_EXTENDED_PROPERTY;
            }

            /* exch_ews_item.c reads values: one or many */
            memset(&p, 0, sizeof(exs_prop_t));
            p.tag = path.tag;

            val = exch_ews_tchild(c, "Value");

            if ((PROP_TYPE(path.tag) & PT_MV) || val == NULL) {
                code = exch_ews_field_set(ews, m, &path, c, 0, 0, NULL);
                if (code != EXCH_EWS_NOERROR) {
                    return code;
                }

                continue;
            }

            if (exch_ews_value_parse(ews, exch_ews_value(val),
                                     PROP_TYPE(path.tag), &p) != 0)
            {
                return EXCH_EWS_ERR_INVALID_EXTENDED_PROPERTY_VALUE;
            }

            rc = exs_props_set(ews->a, props, &p);

        } else if (exch_xml_is(c, EXCH_EWS_NS_T, "PermissionSet")) {
            *perms = c;
            continue;

        } else {
            /* read-only and computed fields are not set */
            if (!create) {
                return EXCH_EWS_ERR_INVALID_PROPERTY_SET;
            }

            continue;
        }

        if (rc != EXS_OK) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }
    }

    return EXCH_EWS_NOERROR;
}


static exch_ews_code_t
exch_ews_folder_create(exch_ews_t *ews, exch_ews_folder_ref_t *parent,
    xmlNodePtr folder, exs_id_t *fid, int open_existing)
{
    int                rc;
    uint32_t           type;
    xmlNodePtr         perms, sp, base, c;
    exs_props_t        props;
    const char        *elem, *cls;
    exch_ews_code_t    code;
    exs_restriction_t *res;
    exch_ews_folder_ref_t  scope;
    exs_id_t           scopes[64];
    uint32_t           nscope;

    memset(&props, 0, sizeof(exs_props_t));

    elem = (const char *) folder->name;

    if (strcmp(elem, "CalendarFolder") == 0) {
        cls = "IPF.Appointment";

    } else if (strcmp(elem, "ContactsFolder") == 0) {
        cls = "IPF.Contact";

    } else if (strcmp(elem, "TasksFolder") == 0) {
        cls = "IPF.Task";

    } else if (strcmp(elem, "Folder") == 0
               || strcmp(elem, "SearchFolder") == 0)
    {
        cls = NULL;                     /* a generic folder has no class
                                           unless the client gives one */

    } else {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    if (cls) {
        rc = exs_props_set_str(ews->a, &props, PR_CONTAINER_CLASS, cls,
                               strlen(cls));
        if (rc != EXS_OK) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }
    }

    code = exch_ews_folder_props(ews, parent->m, folder, 1, &props, &perms);
    if (code != EXCH_EWS_NOERROR) {
        return code;
    }

    if (exs_props_get(&props, PR_DISPLAY_NAME) == NULL) {
        return EXCH_EWS_ERR_INVALID_VALUE_FOR_PROPERTY;
    }

    type = strcmp(elem, "SearchFolder") == 0 ? EXS_FOLDER_SEARCH
                                             : EXS_FOLDER_GENERIC;

    rc = exs_folder_create(parent->m->mb, parent->fid, &props, type,
                           open_existing ? EXS_OPEN_IF_EXISTS : 0, fid);

    if (rc == EXS_NOTFOUND) {
        return EXCH_EWS_ERR_PARENT_FOLDER_NOT_FOUND;
    }

    if (rc != EXS_OK) {
        return exch_ews_code_from_rc(rc, 1);
    }

    if (perms) {
        code = exch_ews_perms_set(ews, parent->m, *fid, perms);
        if (code != EXCH_EWS_NOERROR) {
            return code;
        }
    }

    if (type != EXS_FOLDER_SEARCH) {
        return EXCH_EWS_NOERROR;
    }

    /* SearchParameters: Restriction, BaseFolderIds, Traversal */

    sp = exch_ews_tchild(folder, "SearchParameters");
    base = sp ? exch_ews_tchild(sp, "BaseFolderIds") : NULL;

    if (sp == NULL || base == NULL) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    res = NULL;

    if (exch_ews_tchild(sp, "Restriction")) {
        code = exch_ews_restriction_parse(ews, parent->m,
                                          exch_ews_tchild(sp, "Restriction"),
                                          0, &res);
        if (code != EXCH_EWS_NOERROR) {
            return code;
        }
    }

    nscope = 0;

    for (c = base->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        code = exch_ews_folder_ref(ews, c, &scope);
        if (code != EXCH_EWS_NOERROR) {
            return code;
        }

        if (scope.m != parent->m) {
            return EXCH_EWS_ERR_INVALID_OPERATION;
        }

        if (nscope < 64) {
            scopes[nscope++] = scope.fid;
        }
    }

    cls = exch_ews_attr(sp, "Traversal");

    rc = exs_folder_set_search(parent->m->mb, *fid, res, scopes, nscope,
                               cls && strcmp(cls, "Deep") == 0 ? 0x04 : 0);

    return exch_ews_code_from_rc(rc, 1);
}


int
exch_ews_commit_or_fault(exch_ews_t *ews)
{
    int  rc;

    rc = exch_ews_end(ews, EXS_OK);

    if (rc != EXS_OK) {
        return exch_ews_fault(ews, rc == EXS_FULL
                                   ? EXCH_EWS_ERR_QUOTA_EXCEEDED
                                   : EXCH_EWS_ERR_INTERNAL_SERVER_ERROR,
                              NULL, NULL);
    }

    return EXCH_EWS_OK;
}


/* CreateFolder */

int
exch_ews_op_create_folder(exch_ews_t *ews, xmlNodePtr req)
{
    xmlNodePtr  folders;

    folders = exch_ews_mchild(req, "Folders");

    if (folders == NULL || exch_ews_mchild(req, "ParentFolderId") == NULL) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "CreateFolder needs ParentFolderId and "
                              "Folders.");
    }

    return exch_ews_create_folders(ews, req, folders, 0);
}


/* CreateFolderPath: each folder of the path, created when missing */

int
exch_ews_op_create_folder_path(exch_ews_t *ews, xmlNodePtr req)
{
    xmlNodePtr  path;

    path = exch_ews_mchild(req, "RelativeFolderPath");

    if (path == NULL || exch_ews_mchild(req, "ParentFolderId") == NULL) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "CreateFolderPath needs ParentFolderId and "
                              "RelativeFolderPath.");
    }

    return exch_ews_create_folders(ews, req, path, 1);
}


/*
 * CreateFolder and CreateFolderPath: each element of folders under
 * ParentFolderId; as a path, each one under the one before, an existing
 * one opened, and the first failure fails the rest
 */

static int
exch_ews_create_folders(exch_ews_t *ews, xmlNodePtr req, xmlNodePtr folders,
    int path)
{
    int                     rc;
    exs_id_t                fid;
    xmlNodePtr              c;
    exch_ews_code_t         code;
    exch_ews_folder_ref_t   parent;

    if (exch_ews_begin(ews, 1) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    code = exch_ews_folder_ref_in(ews, exch_ews_mchild(req, "ParentFolderId"),
                                  &parent);

    if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
        exch_ews_end(ews, EXS_ERROR);
        return exch_ews_fault(ews, code, NULL, "The folder id is not valid.");
    }

    if (!path && code == EXCH_EWS_ERR_FOLDER_NOT_FOUND) {
        code = EXCH_EWS_ERR_PARENT_FOLDER_NOT_FOUND;
    }

    exch_ews_resp_begin(ews);

    for (c = folders->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        if (code != EXCH_EWS_NOERROR) {
            exch_ews_msg_error(ews, code, NULL);
            continue;
        }

        rc = exch_ews_folder_create(ews, &parent, c, &fid, path);

        if (!path && rc == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
            exch_ews_end(ews, EXS_ERROR);
            return exch_ews_fault(ews, rc, NULL,
                                  "The folder element is not valid.");
        }

        if (rc != EXCH_EWS_NOERROR) {
            if (path) {
                code = rc;
            }

            exch_ews_msg_error(ews, rc, NULL);
            continue;
        }

        exch_ews_msg_ok(ews);
        exch_buf_printf(&ews->out, "<m:Folders><t:%s>",
                        (const char *) c->name);
        rc = exch_ews_write_folder_id(ews, "FolderId", parent.m, fid);
        exch_buf_printf(&ews->out, "</t:%s></m:Folders>",
                        (const char *) c->name);
        exch_ews_msg_end(ews);

        if (rc != EXS_OK) {
            exch_ews_end(ews, EXS_ERROR);
            return EXCH_EWS_FAIL;
        }

        if (path) {
            parent.fid = fid;
        }
    }

    exch_ews_resp_end(ews);

    return exch_ews_commit_or_fault(ews);
}


/* UpdateFolder */

int
exch_ews_op_update_folder(exch_ews_t *ews, xmlNodePtr req)
{
    int                     rc;
    uint32_t                tag;
    xmlNodePtr              changes, ch, idn, ups, u, uri, folder, perms;
    exs_props_t             props;
    exch_ews_code_t         code;
    exch_ews_path_t         path;
    exs_folder_info_t       info;
    exch_ews_folder_ref_t   ref;

    changes = exch_ews_mchild(req, "FolderChanges");

    if (changes == NULL) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "UpdateFolder needs FolderChanges.");
    }

    if (exch_ews_begin(ews, 1) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    exch_ews_resp_begin(ews);

    for (ch = changes->children; ch; ch = ch->next) {
        if (ch->type != XML_ELEMENT_NODE) {
            continue;
        }

        idn = NULL;

        for (u = ch->children; u; u = u->next) {
            if (u->type == XML_ELEMENT_NODE
                && !exch_xml_is(u, EXCH_EWS_NS_T, "Updates"))
            {
                idn = u;
                break;
            }
        }

        ups = exch_ews_tchild(ch, "Updates");

        if (idn == NULL || ups == NULL) {
            exch_ews_end(ews, EXS_ERROR);
            return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                                  "A FolderChange needs a folder id and "
                                  "Updates.");
        }

        code = exch_ews_folder_ref(ews, idn, &ref);

        if (code == EXCH_EWS_NOERROR) {
            rc = exs_folder_info(ref.m->mb, ref.fid, &info);
            code = exch_ews_code_from_rc(rc, 1);
        }

        for (u = ups->children; u && code == EXCH_EWS_NOERROR; u = u->next)
        {
            if (u->type != XML_ELEMENT_NODE) {
                continue;
            }

            uri = exch_ews_path_node(u);

            if (uri == NULL) {
                code = EXCH_EWS_ERR_SCHEMA_VALIDATION;
                break;
            }

            code = exch_ews_path_parse(ews, ref.m, uri, 1, &path);
            if (code != EXCH_EWS_NOERROR) {
                break;
            }

            memset(&props, 0, sizeof(exs_props_t));

            if (exch_xml_is(u, EXCH_EWS_NS_T, "DeleteFolderField")) {
                if (path.field && path.field->kind == EXCH_K_PERMISSIONS) {
                    code = exch_ews_perms_set(ews, ref.m, ref.fid, u);
                    continue;
                }

                tag = path.tag;

                if (path.field == NULL && !path.extended) {
                    continue;
                }

                if (path.field && path.field->tag == PR_DISPLAY_NAME) {
                    code = EXCH_EWS_ERR_INVALID_PROPERTY_DELETE;
                    break;
                }

                if (tag) {
                    rc = exs_folder_delprops(ref.m->mb, ref.fid, &tag, 1);
                    code = exch_ews_code_from_rc(rc, 1);
                }

                continue;
            }

            if (!exch_xml_is(u, EXCH_EWS_NS_T, "SetFolderField")
                && !exch_xml_is(u, EXCH_EWS_NS_T, "AppendToFolderField"))
            {
                code = EXCH_EWS_ERR_SCHEMA_VALIDATION;
                break;
            }

            folder = NULL;

            for (idn = u->children; idn; idn = idn->next) {
                if (idn->type == XML_ELEMENT_NODE && idn != uri) {
                    folder = idn;
                    break;
                }
            }

            if (folder == NULL) {
                code = EXCH_EWS_ERR_SCHEMA_VALIDATION;
                break;
            }

            code = exch_ews_folder_props(ews, ref.m, folder, 0, &props,
                                         &perms);
            if (code != EXCH_EWS_NOERROR) {
                break;
            }

            if (perms) {
                code = exch_ews_perms_set(ews, ref.m, ref.fid, perms);
                if (code != EXCH_EWS_NOERROR) {
                    break;
                }
            }

            if (props.n) {
                if (info.special && exs_props_get(&props, PR_DISPLAY_NAME)) {
                    code = EXCH_EWS_ERR_INVALID_PROPERTY_SET;
                    break;
                }

                rc = exs_folder_set(ref.m->mb, ref.fid, &props);
                code = exch_ews_code_from_rc(rc, 1);
            }
        }

        if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
            exch_ews_end(ews, EXS_ERROR);
            return exch_ews_fault(ews, code, NULL,
                                  "The folder change is not valid.");
        }

        if (code != EXCH_EWS_NOERROR) {
            exch_ews_msg_error(ews, code, NULL);
            continue;
        }

        exch_ews_msg_ok(ews);
        exch_buf_str(&ews->out, "<m:Folders><t:Folder>");
        rc = exch_ews_write_folder_id(ews, "FolderId", ref.m, ref.fid);
        exch_buf_str(&ews->out, "</t:Folder></m:Folders>");
        exch_ews_msg_end(ews);

        if (rc != EXS_OK) {
            exch_ews_end(ews, EXS_ERROR);
            return EXCH_EWS_FAIL;
        }
    }

    exch_ews_resp_end(ews);

    return exch_ews_commit_or_fault(ews);
}


/* moves a folder under another, renaming it when the name is taken */

static int
exch_ews_folder_move_unique(exch_ews_t *ews, exch_ews_mbox_t *m,
    exs_id_t fid, exs_id_t to)
{
    int          rc, i;
    uint32_t     tag;
    exs_prop_t  *p;
    exs_props_t  props;
    char         name[512];

    rc = exs_folder_move(m->mb, fid, to, NULL);

    if (rc != EXS_EXISTS) {
        return rc;
    }

    memset(&props, 0, sizeof(exs_props_t));
    tag = PR_DISPLAY_NAME;

    rc = exs_folder_get(m->mb, fid, &tag, 1, &props, ews->a);
    if (rc != EXS_OK) {
        return rc;
    }

    p = exs_props_get(&props, PR_DISPLAY_NAME);

    for (i = 1; i < 100; i++) {
        snprintf(name, sizeof(name), "%.400s (%d)",
                 p ? p->v.str.data : "Folder", i);

        rc = exs_folder_move(m->mb, fid, to, name);

        if (rc != EXS_EXISTS) {
            return rc;
        }
    }

    return EXS_EXISTS;
}


/* DeleteFolder */

int
exch_ews_op_delete_folder(exch_ews_t *ews, xmlNodePtr req)
{
    int                     rc;
    unsigned                flags;
    xmlNodePtr              ids, c;
    const char             *type;
    exch_ews_code_t         code;
    exs_folder_info_t       info;
    exch_ews_folder_ref_t   ref;

    ids = exch_ews_mchild(req, "FolderIds");
    type = exch_ews_attr(req, "DeleteType");

    if (ids == NULL || type == NULL
        || (strcmp(type, "HardDelete") != 0
            && strcmp(type, "SoftDelete") != 0
            && strcmp(type, "MoveToDeletedItems") != 0))
    {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "DeleteFolder needs DeleteType and FolderIds.");
    }

    flags = EXS_DEL_MESSAGES | EXS_DEL_FOLDERS;

    if (strcmp(type, "HardDelete") == 0) {
        flags |= EXS_DEL_HARD;
    }

    if (exch_ews_begin(ews, 1) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    exch_ews_resp_begin(ews);

    for (c = ids->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        code = exch_ews_folder_ref(ews, c, &ref);

        if (code == EXCH_EWS_NOERROR) {
            rc = exs_folder_info(ref.m->mb, ref.fid, &info);
            code = exch_ews_code_from_rc(rc, 1);

            if (code == EXCH_EWS_NOERROR && info.special) {
                code = EXCH_EWS_ERR_DELETE_DISTINGUISHED_FOLDER;
            }
        }

        if (code == EXCH_EWS_NOERROR) {
            if (strcmp(type, "MoveToDeletedItems") == 0) {
                rc = exch_ews_folder_move_unique(ews, ref.m, ref.fid,
                                                 EXS_FID_DELETED_ITEMS);

            } else {
                rc = exs_folder_delete(ref.m->mb, ref.fid, flags);
            }

            code = exch_ews_code_from_rc(rc, 1);
        }

        exch_ews_msg_result(ews, code);
    }

    exch_ews_resp_end(ews);

    return exch_ews_commit_or_fault(ews);
}


/* MoveFolder and CopyFolder */

static int
exch_ews_move_copy_folder(exch_ews_t *ews, xmlNodePtr req, int copy)
{
    int                     rc;
    exs_id_t                nfid;
    xmlNodePtr              ids, c;
    exch_ews_code_t         code, tcode;
    exs_folder_info_t       info;
    exch_ews_folder_ref_t   ref, to;

    ids = exch_ews_mchild(req, "FolderIds");

    if (ids == NULL || exch_ews_mchild(req, "ToFolderId") == NULL) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "ToFolderId and FolderIds are required.");
    }

    if (exch_ews_begin(ews, 1) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    tcode = exch_ews_to_folder(ews, req, &to);

    if (tcode == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
        exch_ews_end(ews, EXS_ERROR);
        return exch_ews_fault(ews, tcode, NULL, "The folder id is not valid.");
    }

    exch_ews_resp_begin(ews);

    for (c = ids->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        code = tcode;

        if (code == EXCH_EWS_NOERROR) {
            code = exch_ews_folder_ref(ews, c, &ref);
        }

        if (code == EXCH_EWS_NOERROR && ref.m != to.m) {
            code = EXCH_EWS_ERR_CROSS_MAILBOX_MOVE_COPY;
        }

        if (code == EXCH_EWS_NOERROR) {
            rc = exs_folder_info(ref.m->mb, ref.fid, &info);
            code = exch_ews_code_from_rc(rc, 1);

            if (code == EXCH_EWS_NOERROR && info.special && !copy) {
                code = EXCH_EWS_ERR_MOVE_DISTINGUISHED_FOLDER;
            }
        }

        if (code == EXCH_EWS_NOERROR) {
            if (copy) {
                rc = exs_folder_copy(ref.m->mb, ref.fid, to.fid, NULL, 1,
                                     &nfid);

            } else {
                rc = exs_folder_move(ref.m->mb, ref.fid, to.fid, NULL);
                nfid = ref.fid;
            }

            code = rc == EXS_INVALID ? EXCH_EWS_ERR_INVALID_OPERATION
                                     : exch_ews_code_from_rc(rc, 1);
        }

        if (code != EXCH_EWS_NOERROR) {
            exch_ews_msg_error(ews, code, NULL);
            continue;
        }

        exch_ews_msg_ok(ews);
        exch_buf_str(&ews->out, "<m:Folders><t:Folder>");
        rc = exch_ews_write_folder_id(ews, "FolderId", ref.m, nfid);
        exch_buf_str(&ews->out, "</t:Folder></m:Folders>");
        exch_ews_msg_end(ews);

        if (rc != EXS_OK) {
            exch_ews_end(ews, EXS_ERROR);
            return EXCH_EWS_FAIL;
        }
    }

    exch_ews_resp_end(ews);

    return exch_ews_commit_or_fault(ews);
}


int
exch_ews_op_move_folder(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_move_copy_folder(ews, req, 0);
}


int
exch_ews_op_copy_folder(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_move_copy_folder(ews, req, 1);
}


/* EmptyFolder */

static int
exch_ews_empty_to_deleted(exch_ews_t *ews, exch_ews_mbox_t *m, exs_id_t fid,
    int subfolders)
{
    int           rc;
    uint32_t      n, got, i;
    exs_id_t     *ids;
    exs_table_t  *t;

    rc = exs_table_open(m->mb, fid, EXS_TABLE_CONTENTS, 0, NULL, NULL, &t,
                        ews->a);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_table_count(t, &n);
    if (rc != EXS_OK) {
        return rc;
    }

    if (n) {
        ids = exs_alloc(ews->a, n * sizeof(exs_id_t));
        if (ids == NULL) {
            return EXS_NOMEM;
        }

        rc = exs_table_ids(t, 0, n, ids, &got);
        if (rc != EXS_OK) {
            return rc;
        }

        rc = exs_message_move(m->mb, ids, got, EXS_FID_DELETED_ITEMS, NULL);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    if (!subfolders) {
        return EXS_OK;
    }

    rc = exs_folder_list_children(m->mb, fid, 0, &ids, &n, ews->a);
    if (rc != EXS_OK) {
        return rc;
    }

    for (i = 0; i < n; i++) {
        rc = exch_ews_folder_move_unique(ews, m, ids[i],
                                         EXS_FID_DELETED_ITEMS);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    return EXS_OK;
}


int
exch_ews_op_empty_folder(exch_ews_t *ews, xmlNodePtr req)
{
    int                     rc, sub;
    unsigned                flags;
    xmlNodePtr              ids, c;
    const char             *type, *dsub;
    exch_ews_code_t         code;
    exch_ews_folder_ref_t   ref;

    ids = exch_ews_mchild(req, "FolderIds");
    type = exch_ews_attr(req, "DeleteType");
    dsub = exch_ews_attr(req, "DeleteSubFolders");

    if (ids == NULL || type == NULL || dsub == NULL
        || exch_ews_bool(dsub) < 0
        || (strcmp(type, "HardDelete") != 0
            && strcmp(type, "SoftDelete") != 0
            && strcmp(type, "MoveToDeletedItems") != 0))
    {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "EmptyFolder needs DeleteType, "
                              "DeleteSubFolders and FolderIds.");
    }

    sub = exch_ews_bool(dsub);
    flags = sub ? EXS_DEL_FOLDERS : 0;

    if (strcmp(type, "HardDelete") == 0) {
        flags |= EXS_DEL_HARD;
    }

    if (exch_ews_begin(ews, 1) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    exch_ews_resp_begin(ews);

    for (c = ids->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        code = exch_ews_folder_ref(ews, c, &ref);

        if (code == EXCH_EWS_NOERROR) {
            if (ref.fid == EXS_FID_ROOT || ref.fid == EXS_FID_IPM_SUBTREE) {
                code = EXCH_EWS_ERR_CANNOT_EMPTY_FOLDER;

            } else if (strcmp(type, "MoveToDeletedItems") == 0
                       && ref.fid != EXS_FID_DELETED_ITEMS)
            {
                rc = exch_ews_empty_to_deleted(ews, ref.m, ref.fid, sub);
                code = exch_ews_code_from_rc(rc, 1);

            } else {
                rc = exs_folder_empty(ref.m->mb, ref.fid, flags);
                code = exch_ews_code_from_rc(rc, 1);
            }
        }

        exch_ews_msg_result(ews, code);
    }

    exch_ews_resp_end(ews);

    return exch_ews_commit_or_fault(ews);
}
