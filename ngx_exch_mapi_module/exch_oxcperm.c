
/*
 * exch: folder permissions, MS-OXCPERM 3.2.5: the permissions table
 * (Default, Anonymous and every member with rights) and
 * RopModifyPermissions, over the store's folder permissions.
 */


#include <string.h>

#include "exch_emsmdb.h"


/* ModifyFlags, 2.2.2.1 */
#define EXCH_PERM_REPLACE_ROWS      0x01
#define EXCH_PERM_INCLUDE_FREEBUSY  0x02

/* TableFlags of RopGetPermissionsTable, 2.2.1.1 */
#define EXCH_PERM_TABLE_FREEBUSY    0x02

/* RowFlags of PermissionData */
#define EXCH_ROW_ADD                0x01
#define EXCH_ROW_MODIFY             0x02
#define EXCH_ROW_REMOVE             0x04

#define EXCH_RIGHT_OWNER            0x00000100
#define EXCH_RIGHT_FREEBUSY         0x00001800
#define EXCH_RIGHTS_ALL             0x00001FFB

#define EXCH_MEMBER_DEFAULT         0
#define EXCH_MEMBER_ANONYMOUS       (-1)


static int exch_oxcperm_get_permissions_table(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcperm_modify_permissions(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);


exch_ems_rop_pt
exch_oxcperm_handler(uint8_t rop_id)
{
    switch (rop_id) {
    case EXCH_ROP_GET_PERMISSIONS_TABLE:
        return exch_oxcperm_get_permissions_table;
    case EXCH_ROP_MODIFY_PERMISSIONS:
        return exch_oxcperm_modify_permissions;
    default:
        return NULL;
    }
}


static int
exch_oxcperm_get_permissions_table(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    return exch_ems_folder_table(e, req, rsp, obj, EXCH_EMS_TBL_PERMISSIONS);
}


int
exch_ems_perm_rows(exch_ems_t *e, exch_ems_obj_t *t, exch_ems_row_t **rows,
    uint32_t *n)
{
    int              rc;
    uint32_t         i, k, np, mask, rights;
    exs_bin_t        eid;
    exs_mbox_t      *mb;
    exs_perm_t      *perms;
    exs_dirent_t     d;
    exch_ems_row_t  *r;
    const char      *name;
    int64_t          member;

    rc = exch_ems_mbox(e, t, &mb);
    if (rc == EXS_OK) {
        rc = exs_folder_perms(mb, t->u.table.fid, &perms, &np, e->a);
    }

    if (rc != EXS_OK) {
        return rc;
    }

    r = exs_calloc(e->a, (np + 3) * sizeof(exch_ems_row_t));
    if (r == NULL) {
        return EXS_NOMEM;
    }

    mask = (t->u.table.flags & EXCH_PERM_TABLE_FREEBUSY)
           ? 0xFFFFFFFF : ~(uint32_t) EXCH_RIGHT_FREEBUSY;

    /* Default and Anonymous are always there, first */

    k = 0;

    for (member = EXCH_MEMBER_DEFAULT; member >= EXCH_MEMBER_ANONYMOUS;
         member--)
    {
        rights = 0;

        for (i = 0; i < np; i++) {
            if (perms[i].member == member) {
                rights = perms[i].rights;
            }
        }

        r[k].id = (uint64_t) member;
        name = member == EXCH_MEMBER_DEFAULT ? "" : "Anonymous";

        rc = exs_props_set_i8(e->a, &r[k].props, PR_MEMBER_ID, member);
        if (rc == EXS_OK) {
            rc = exs_props_set_str(e->a, &r[k].props, PR_MEMBER_NAME, name,
                                   strlen(name));
        }
        if (rc == EXS_OK) {
            rc = exs_props_set_long(e->a, &r[k].props, PR_MEMBER_RIGHTS,
                                    (int32_t) (rights & mask));
        }
        if (rc == EXS_OK) {
            rc = exs_props_set_bin(e->a, &r[k].props, PR_ENTRYID, "", 0);
        }
        if (rc != EXS_OK) {
            return rc;
        }

        k++;
    }

    for (i = 0; i < np; i++) {
        exs_txn_t  *txn;

        if (perms[i].member <= 0 || perms[i].rights == 0) {
            continue;
        }

        rc = exch_ems_read(e, &txn);
        if (rc == EXS_OK) {
            rc = exs_dir_by_id(txn, (uint32_t) perms[i].member, &d, e->a);
        }

        if (rc == EXS_NOTFOUND) {
            continue;
        }

        if (rc == EXS_OK) {
            rc = exch_ems_ab_entryid(e->a, d.legacy_dn ? d.legacy_dn : "",
                                     d.type == EXS_DIR_GROUP ? 1 : 0, &eid);
        }

        if (rc != EXS_OK) {
            return rc;
        }

        r[k].id = (uint64_t) perms[i].member;

        rc = exs_props_set_i8(e->a, &r[k].props, PR_MEMBER_ID,
                              perms[i].member);
        if (rc == EXS_OK) {
            rc = exs_props_set_str(e->a, &r[k].props, PR_MEMBER_NAME,
                                   d.display_name,
                                   strlen(d.display_name));
        }
        if (rc == EXS_OK) {
            rc = exs_props_set_long(e->a, &r[k].props, PR_MEMBER_RIGHTS,
                                    (int32_t) (perms[i].rights & mask));
        }
        if (rc == EXS_OK) {
            rc = exs_props_set_bin(e->a, &r[k].props, PR_ENTRYID, eid.data,
                                   eid.len);
        }
        if (rc != EXS_OK) {
            return rc;
        }

        k++;
    }

    *rows = r;
    *n = k;

    return EXS_OK;
}


/* RopModifyPermissions, 3.2.5.2 */

static int
exch_oxcperm_modify_permissions(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int                   rc;
    uint8_t               flags;
    uint16_t              i;
    uint32_t              j, np, rights, old, keep, have;
    int64_t               member;
    exs_txn_t            *txn;
    exs_mbox_t           *mb;
    exs_prop_t           *p;
    exs_perm_t           *perms;
    exs_dirent_t          d;
    exch_ems_obj_t       *logon;
    exch_rop_data_row_t  *row;

    if (obj->type != EXCH_EMS_FOLDER) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    flags = req->u.modify_permissions.flags;
    logon = exch_ems_logon_of(e, obj);

    /* free/busy bits change only when the client says it knows them */
    keep = (flags & EXCH_PERM_INCLUDE_FREEBUSY) ? 0 : EXCH_RIGHT_FREEBUSY;

    rc = exch_ems_write_begin(e, &txn);
    if (rc == EXS_OK) {
        rc = exch_ems_mbox(e, obj, &mb);
    }

    /* only the owner of the mailbox or of the folder sets permissions */
    if (rc == EXS_OK && logon && logon->u.logon.owner != e->user->id) {
        rc = exs_folder_rights(mb, obj->u.folder.fid, &have);
        if (rc == EXS_OK && !(have & EXCH_RIGHT_OWNER)) {
            rc = EXS_DENIED;
        }
    }

    if (rc == EXS_OK) {
        rc = exs_folder_perms(mb, obj->u.folder.fid, &perms, &np, e->a);
    }

    if (rc == EXS_OK && (flags & EXCH_PERM_REPLACE_ROWS)) {
        for (j = 0; rc == EXS_OK && j < np; j++) {
            if (perms[j].member > 0) {
                rc = exs_folder_set_perm(mb, obj->u.folder.fid,
                                         perms[j].member,
                                         perms[j].rights & keep);
            }
        }
    }

    for (i = 0; rc == EXS_OK && i < req->u.modify_permissions.n; i++) {
        row = &req->u.modify_permissions.rows[i];

        p = exs_props_get(&row->props, PR_MEMBER_RIGHTS);
        rights = p ? (uint32_t) p->v.l : 0;

        if (row->flags & EXCH_ROW_ADD) {
            p = exs_props_get(&row->props, PR_ENTRYID);

            if (p == NULL || p->v.bin.len == 0) {
                /* an empty entry id is Default */
                member = EXCH_MEMBER_DEFAULT;

            } else {
                rc = exch_ems_ab_lookup(e, p->v.bin.data, p->v.bin.len, &d);
                if (rc != EXS_OK) {
                    rc = rc == EXS_NOTFOUND ? EXS_INVALID : rc;
                    break;
                }

                member = d.id;
            }

        } else if (row->flags & (EXCH_ROW_MODIFY | EXCH_ROW_REMOVE)) {
            p = exs_props_get(&row->props, PR_MEMBER_ID);
            if (p == NULL) {
                rc = EXS_INVALID;
                break;
            }

            member = p->v.ll;

            if (row->flags & EXCH_ROW_REMOVE) {
                rights = 0;
            }

        } else {
            rc = EXS_INVALID;
            break;
        }

        if (rights & ~(uint32_t) EXCH_RIGHTS_ALL) {
            rc = EXS_INVALID;
            break;
        }

        old = 0;

        for (j = 0; j < np; j++) {
            if (perms[j].member == member) {
                old = perms[j].rights;
            }
        }

        rights = (rights & ~keep) | (old & keep);

        rc = exs_folder_set_perm(mb, obj->u.folder.fid, member, rights);
    }

    rsp->rv = exch_ems_ec(exch_ems_write_end(e, rc));

    return EXCH_OK;
}
