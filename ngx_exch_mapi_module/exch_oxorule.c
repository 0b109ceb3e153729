
/*
 * exch: server-side rules, MS-OXORULE 3.2.5: the rules table of a folder
 * and RopModifyRules, and RopUpdateDeferredActionMessages.  A rule is
 * kept as a folder-associated message of class IPM.Rule.Version2.Message
 * holding its properties (PidTagRuleMessage* and the condition and
 * actions in their wire forms); its rule id is the message's id.  They
 * run on delivery (a later issue).
 */


#include <string.h>
#include <strings.h>

#include "exch_emsmdb.h"


#define EXCH_RULE_CLASS             "IPM.Rule.Version2.Message"

/* ModifyRulesFlag, 2.2.2.1 */
#define EXCH_RULES_REPLACE          0x01

/* RuleData flags */
#define EXCH_ROW_ADD                0x01
#define EXCH_ROW_MODIFY             0x02
#define EXCH_ROW_REMOVE             0x04

#define EXCH_ST_ENABLED             0x00000001

/* a rule's properties and where they are kept */
static const struct {
    uint32_t                  rule;
    uint32_t                  msg;
} exch_oxorule_props[] = {
    { PR_RULE_SEQUENCE, PR_RULE_MSG_SEQUENCE },
    { PR_RULE_STATE, PR_RULE_MSG_STATE },
    { PR_RULE_USER_FLAGS, PR_RULE_MSG_USER_FLAGS },
    { PR_RULE_PROVIDER, PR_RULE_MSG_PROVIDER },
    { PR_RULE_NAME, PR_RULE_MSG_NAME },
    { PR_RULE_LEVEL, PR_RULE_MSG_LEVEL },
    { PR_RULE_PROVIDER_DATA, PR_RULE_MSG_PROVIDER_DATA },
    { PR_RULE_CONDITION, PR_RULE_CONDITION },
    { PR_RULE_ACTIONS, PR_RULE_ACTIONS }
};

#define EXCH_NRULE_PROPS                                                      \
    (sizeof(exch_oxorule_props) / sizeof(exch_oxorule_props[0]))


static int exch_oxorule_list(exch_ems_t *e, exs_mbox_t *mb, exs_id_t fid,
    exs_id_t **mids, exs_props_t **rows, uint32_t *n);
static int exch_oxorule_bag(exch_ems_t *e, const exs_props_t *in,
    exs_msg_t *msg);
static int exch_oxorule_get_rules_table(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxorule_modify_rules(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxorule_update_deferred_action_messages(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);


exch_ems_rop_pt
exch_oxorule_handler(uint8_t rop_id)
{
    switch (rop_id) {
    case EXCH_ROP_GET_RULES_TABLE:
        return exch_oxorule_get_rules_table;
    case EXCH_ROP_MODIFY_RULES:
        return exch_oxorule_modify_rules;
    case EXCH_ROP_UPDATE_DEFERRED_ACTION_MESSAGES:
        return exch_oxorule_update_deferred_action_messages;
    default:
        return NULL;
    }
}


/* the rule messages of a folder, with their properties */

static int
exch_oxorule_list(exch_ems_t *e, exs_mbox_t *mb, exs_id_t fid,
    exs_id_t **mids, exs_props_t **rows, uint32_t *n)
{
    int                 rc;
    uint32_t            count, i, tags[EXCH_NRULE_PROPS + 1];
    exs_table_t        *t;
    exs_restriction_t   res;

    memset(&res, 0, sizeof(exs_restriction_t));
    res.type = RES_PROPERTY;
    res.u.prop.relop = RELOP_EQ;
    res.u.prop.tag = PR_MESSAGE_CLASS;
    res.u.prop.val.tag = PR_MESSAGE_CLASS;
    res.u.prop.val.v.str.data = EXCH_RULE_CLASS;
    res.u.prop.val.v.str.len = sizeof(EXCH_RULE_CLASS) - 1;

    rc = exs_table_open(mb, fid, EXS_TABLE_CONTENTS, EXS_TABLE_ASSOCIATED,
                        NULL, &res, &t, e->a);
    if (rc == EXS_OK) {
        rc = exs_table_count(t, &count);
    }

    if (rc != EXS_OK) {
        return rc;
    }

    for (i = 0; i < EXCH_NRULE_PROPS; i++) {
        tags[i] = exch_oxorule_props[i].msg;
    }

    *mids = exs_alloc(e->a, (count + 1) * sizeof(exs_id_t));
    if (*mids == NULL) {
        return EXS_NOMEM;
    }

    return exs_table_rows(t, 0, count, tags, EXCH_NRULE_PROPS, rows, *mids,
                          n, e->a);
}


int
exch_ems_folder_has_rules(exch_ems_t *e, exs_mbox_t *mb, exs_id_t fid)
{
    uint32_t      n;
    exs_id_t     *mids;
    exs_props_t  *rows;

    return exch_oxorule_list(e, mb, fid, &mids, &rows, &n) == EXS_OK
           && n > 0;
}


int
exch_ems_rule_rows(exch_ems_t *e, exch_ems_obj_t *t, exch_ems_row_t **rows,
    uint32_t *n)
{
    int              rc;
    uint32_t         i, j, m;
    exs_id_t        *mids;
    exs_prop_t       v, *p;
    exs_mbox_t      *mb;
    exs_props_t     *stored;
    exch_ems_row_t  *r;

    rc = exch_ems_mbox(e, t, &mb);
    if (rc == EXS_OK) {
        rc = exch_oxorule_list(e, mb, t->u.table.fid, &mids, &stored, &m);
    }

    if (rc != EXS_OK) {
        return rc;
    }

    r = exs_calloc(e->a, (m + 1) * sizeof(exch_ems_row_t));
    if (r == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < m; i++) {
        r[i].id = mids[i];

        rc = exs_props_set_i8(e->a, &r[i].props, PR_RULE_ID,
                              (int64_t) exch_ems_eid(mids[i]));
        if (rc != EXS_OK) {
            return rc;
        }

        for (j = 0; j < EXCH_NRULE_PROPS; j++) {
            p = exs_props_get(&stored[i], exch_oxorule_props[j].msg);
            if (p == NULL) {
                continue;
            }

            v = *p;
            v.tag = exch_oxorule_props[j].rule;

            rc = exs_props_set(e->a, &r[i].props, &v);
            if (rc != EXS_OK) {
                return rc;
            }
        }
    }

    *rows = r;
    *n = m;

    return EXS_OK;
}


static int
exch_oxorule_get_rules_table(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    return exch_ems_folder_table(e, req, rsp, obj, EXCH_EMS_TBL_RULES);
}


/* a RuleData's properties as a rule message's */

static int
exch_oxorule_bag(exch_ems_t *e, const exs_props_t *in, exs_msg_t *msg)
{
    int          rc;
    uint32_t     i, j;
    exs_prop_t   v, *p;

    for (j = 0; j < EXCH_NRULE_PROPS; j++) {
        p = exs_props_get(in, exch_oxorule_props[j].rule);
        if (p == NULL) {
            continue;
        }

        v = *p;
        v.tag = exch_oxorule_props[j].msg;

        if (PROP_TYPE(exch_oxorule_props[j].rule) == PT_UNICODE
            && PROP_TYPE(p->tag) == PT_STRING8)
        {
            if (exch_prop_to_unicode(e->a, &v, e->s->cpid) != EXCH_OK) {
                return EXS_INVALID;
            }

            v.tag = exch_oxorule_props[j].msg;
        }

        rc = exs_props_set(e->a, &msg->props, &v);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    for (i = 0; i < in->n; i++) {
        if (PROP_TYPE(in->v[i].tag) == PT_ERROR) {
            return EXS_INVALID;
        }
    }

    return exs_props_set_str(e->a, &msg->props, PR_MESSAGE_CLASS,
                             EXCH_RULE_CLASS, sizeof(EXCH_RULE_CLASS) - 1);
}


/* RopModifyRules, 3.2.5.1 */

static int
exch_oxorule_modify_rules(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int                   rc;
    uint16_t              i;
    uint32_t              j, n;
    exs_id_t              mid, fid, *mids;
    exs_msg_t            *msg;
    exs_txn_t            *txn;
    exs_mbox_t           *mb;
    exs_prop_t           *p;
    exs_props_t          *rows;
    exch_rop_data_row_t  *row;

    if (obj->type != EXCH_EMS_FOLDER) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    if (req->u.modify_rules.flags & ~EXCH_RULES_REPLACE) {
        rsp->rv = EXCH_EC_INVALID_PARAM;
        return EXCH_OK;
    }

    rc = exch_ems_write_begin(e, &txn);
    if (rc == EXS_OK) {
        rc = exch_ems_mbox(e, obj, &mb);
    }

    if (rc == EXS_OK && (req->u.modify_rules.flags & EXCH_RULES_REPLACE)) {
        rc = exch_oxorule_list(e, mb, obj->u.folder.fid, &mids, &rows, &n);

        if (rc == EXS_OK && n) {
            rc = exs_message_delete(mb, mids, n, EXS_DEL_HARD);
        }
    }

    for (i = 0; rc == EXS_OK && i < req->u.modify_rules.n; i++) {
        row = &req->u.modify_rules.rows[i];

        if (row->flags == EXCH_ROW_ADD) {
            if (exs_props_get(&row->props, PR_RULE_CONDITION) == NULL
                || exs_props_get(&row->props, PR_RULE_ACTIONS) == NULL
                || exs_props_get(&row->props, PR_RULE_PROVIDER) == NULL
                || exs_props_get(&row->props, PR_RULE_ID))
            {
                rc = EXS_INVALID;
                break;
            }

            msg = exs_msg_create(e->a);
            if (msg == NULL) {
                rc = EXS_NOMEM;
                break;
            }

            rc = exch_oxorule_bag(e, &row->props, msg);

            if (rc == EXS_OK
                && exs_props_get(&msg->props, PR_RULE_MSG_STATE) == NULL)
            {
                rc = exs_props_set_long(e->a, &msg->props, PR_RULE_MSG_STATE,
                                        EXCH_ST_ENABLED);
            }

            if (rc == EXS_OK
                && exs_props_get(&msg->props, PR_RULE_MSG_SEQUENCE) == NULL)
            {
                rc = exs_props_set_long(e->a, &msg->props,
                                        PR_RULE_MSG_SEQUENCE, 0);
            }

            if (rc == EXS_OK
                && exs_props_get(&msg->props, PR_RULE_MSG_LEVEL) == NULL)
            {
                rc = exs_props_set_long(e->a, &msg->props, PR_RULE_MSG_LEVEL,
                                        0);
            }

            if (rc == EXS_OK) {
                rc = exs_message_create(mb, obj->u.folder.fid, msg,
                                        EXS_MSG_ASSOCIATED, &mid);
            }

            continue;
        }

        if (row->flags != EXCH_ROW_MODIFY && row->flags != EXCH_ROW_REMOVE) {
            rc = EXS_INVALID;
            break;
        }

        p = exs_props_get(&row->props, PR_RULE_ID);
        mid = p ? exch_ems_id((uint64_t) p->v.ll) : 0;

        if (mid == 0 || exs_message_parent(mb, mid, &fid) != EXS_OK
            || fid != obj->u.folder.fid)
        {
            rc = EXS_NOTFOUND;
            break;
        }

        if (row->flags == EXCH_ROW_REMOVE) {
            rc = exs_message_delete(mb, &mid, 1, EXS_DEL_HARD);
            continue;
        }

        msg = exs_msg_create(e->a);
        if (msg == NULL) {
            rc = EXS_NOMEM;
            break;
        }

        rc = exch_oxorule_bag(e, &row->props, msg);

        if (rc == EXS_OK) {
            (void) exs_props_del(&msg->props, PR_MESSAGE_CLASS);
            rc = exs_message_set(mb, mid, &msg->props);
        }
    }

    (void) j;

    rsp->rv = exch_ems_ec(exch_ems_write_end(e, rc));

    return EXCH_OK;
}


/* RopUpdateDeferredActionMessages, 3.2.5.3: the deferred action messages
 * that name the server's entry id of a message now name the client's */

static int
exch_oxorule_update_deferred_action_messages(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst)
{
    int                 rc;
    uint32_t            i, n;
    exs_id_t           *mids;
    exs_txn_t          *txn;
    exs_mbox_t         *mb;
    exs_table_t        *t;
    exs_props_t         set;
    exs_restriction_t   res;

    if (obj->type != EXCH_EMS_LOGON) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    memset(&res, 0, sizeof(exs_restriction_t));
    res.type = RES_PROPERTY;
    res.u.prop.relop = RELOP_EQ;
    res.u.prop.tag = PR_DAM_ORIGINAL_ENTRYID;
    res.u.prop.val.tag = PR_DAM_ORIGINAL_ENTRYID;
    res.u.prop.val.v.bin =
        req->u.update_deferred_action_messages.server_eid;

    set.n = 0;
    set.cap = 0;
    set.v = NULL;

    rc = exs_props_set_bin(e->a, &set, PR_DAM_ORIGINAL_ENTRYID,
                    req->u.update_deferred_action_messages.client_eid.data,
                    req->u.update_deferred_action_messages.client_eid.len);

    if (rc == EXS_OK) {
        rc = exch_ems_write_begin(e, &txn);
    }

    if (rc == EXS_OK) {
        rc = exch_ems_mbox(e, obj, &mb);
    }

    if (rc == EXS_OK) {
        rc = exs_table_open(mb, EXS_FID_DEFERRED_ACTION, EXS_TABLE_CONTENTS,
                            EXS_TABLE_ASSOCIATED, NULL, &res, &t, e->a);
    }

    if (rc == EXS_OK) {
        rc = exs_table_count(t, &n);
    }

    if (rc == EXS_OK) {
        mids = exs_alloc(e->a, (n + 1) * sizeof(exs_id_t));
        rc = mids ? exs_table_ids(t, 0, n, mids, &n) : EXS_NOMEM;
    }

    for (i = 0; rc == EXS_OK && i < n; i++) {
        rc = exs_message_set(mb, mids[i], &set);
    }

    rsp->rv = exch_ems_ec(exch_ems_write_end(e, rc));

    return EXCH_OK;
}
