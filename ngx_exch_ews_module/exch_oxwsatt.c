
/*
 * exch EWS: attachments, MS-OXWSATT -- CreateAttachment, GetAttachment,
 * DeleteAttachment -- file attachments and item attachments (embedded
 * messages), nested ones included, and the Attachments list of an item.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <exs_oxcmail.h>

#include "exch_ews_ops.h"
#include "exch_ews_items.h"


#define EXCH_ATTACH_BY_VALUE    1
#define EXCH_ATTACH_EMBEDDED    5

#define EXCH_ATT_MHTML_REF      0x00000004

/* attachments at least this large are served from a thread */
#define EXCH_ATTACH_THREAD_MIN  (512 * 1024)


static const char *exch_ews_att_name(const exs_props_t *p);
static int32_t exch_ews_att_num(const exs_attach_t *att, uint32_t i);
static exs_attach_t *exch_ews_att_find(exs_msg_t *msg, int32_t num,
    uint32_t *index);
static void exch_ews_att_meta_write(exch_ews_t *ews, exch_ews_mbox_t *m,
    exs_id_t fid, exs_id_t mid, const exs_props_t *root,
    const uint32_t *path, uint32_t npath, const exs_attach_t *att,
    int32_t num, int full);
static exch_ews_code_t exch_ews_att_walk(exch_ews_t *ews,
    exch_ews_item_ref_t *it, exs_msg_t *msg, uint32_t depth,
    exs_msg_t **parent, exs_attach_t **att, uint32_t *index);
static exch_ews_code_t exch_ews_att_open(exch_ews_t *ews, xmlNodePtr id,
    exch_ews_item_ref_t *it, exs_msg_t **msg, exs_msg_t **parent,
    exs_attach_t **att, uint32_t *index);


static const char *
exch_ews_att_name(const exs_props_t *p)
{
    exs_prop_t  *v;

    v = exs_props_get(p, PR_ATTACH_LONG_FILENAME);
    if (v == NULL) {
        v = exs_props_get(p, PR_DISPLAY_NAME);
    }

    if (v == NULL) {
        v = exs_props_get(p, PR_ATTACH_FILENAME);
    }

    return v && PROP_TYPE(v->tag) == PT_UNICODE ? v->v.str.data : NULL;
}


static int32_t
exch_ews_att_num(const exs_attach_t *att, uint32_t i)
{
    exs_prop_t  *p;

    p = exs_props_get(&att->props, PR_ATTACH_NUM);

    return p ? p->v.l : (int32_t) i;
}


static exs_attach_t *
exch_ews_att_find(exs_msg_t *msg, int32_t num, uint32_t *index)
{
    uint32_t  i;

    for (i = 0; i < msg->natts; i++) {
        if (exch_ews_att_num(&msg->atts[i], i) == num) {
            if (index) {
                *index = i;
            }

            return &msg->atts[i];
        }
    }

    return NULL;
}


/* <t:AttachmentId> and the attachment's fields, without its content */

static void
exch_ews_att_meta_write(exch_ews_t *ews, exch_ews_mbox_t *m, exs_id_t fid,
    exs_id_t mid, const exs_props_t *root, const uint32_t *path,
    uint32_t npath, const exs_attach_t *att, int32_t num, int full)
{
    uint32_t        i;
    exs_prop_t     *p, *ck, *cls;
    exch_buf_t     *b;
    const char     *s;
    exch_ews_id_t   id;

    b = &ews->out;

    memset(&id, 0, sizeof(exch_ews_id_t));
    id.kind = EXCH_EWS_ID_ATTACH;
    memcpy(id.guid, m->guid, 16);
    id.fid = fid;
    id.mid = mid;

    for (i = 0; i < npath && i < EXCH_EWS_MAX_ATT_DEPTH - 1; i++) {
        id.att[i] = (int32_t) path[i];
    }

    id.att[i] = num;
    id.natt = i + 1;

    exch_buf_printf(b, "<t:AttachmentId Id=\"%s\"",
                    exch_ews_id_encode(&id, ews->a));

    if (ews->version >= EXCH_EWS_V2010 && root) {
        ck = exs_props_get(root, PR_CHANGE_KEY);
        cls = exs_props_get(root, PR_MESSAGE_CLASS);

        exch_buf_printf(b, " RootItemId=\"%s\" RootItemChangeKey=\"%s\"",
                        exch_ews_item_id_str(ews, m, fid, mid),
                        exch_ews_ck_encode(
                            exch_ews_ck_type(cls ? cls->v.str.data : NULL),
                            ck ? &ck->v.bin : NULL, ews->a));
    }

    exch_buf_str(b, "/>");

    s = exch_ews_att_name(&att->props);

    if (s == NULL && att->embedded) {
        p = exs_props_get(&att->embedded->props, PR_SUBJECT);
        s = p ? p->v.str.data : NULL;
    }

    if (s) {
        exch_ews_elem(b, "Name", s);
    }

    p = exs_props_get(&att->props, PR_ATTACH_MIME_TAG);

    if (p && PROP_TYPE(p->tag) == PT_UNICODE) {
        exch_ews_elem_n(b, "ContentType", p->v.str.data, p->v.str.len);

    } else if (!att->embedded) {
        exch_ews_elem(b, "ContentType", "application/octet-stream");
    }

    p = exs_props_get(&att->props, PR_ATTACH_CONTENT_ID);
    if (p && PROP_TYPE(p->tag) == PT_UNICODE) {
        exch_ews_elem_n(b, "ContentId", p->v.str.data, p->v.str.len);
    }

    p = exs_props_get(&att->props, PR_ATTACH_CONTENT_LOCATION);
    if (p && PROP_TYPE(p->tag) == PT_UNICODE) {
        exch_ews_elem_n(b, "ContentLocation", p->v.str.data, p->v.str.len);
    }

    if (ews->version >= EXCH_EWS_V2010) {
        p = exs_props_get(&att->props, PR_ATTACH_SIZE);
        exch_ews_elem_int(b, "Size", p ? p->v.l : 0);

        p = exs_props_get(&att->props, PR_LAST_MODIFICATION_TIME);
        if (p) {
            exch_ews_elem_time(b, "LastModifiedTime", p->v.ll);
        }

        p = exs_props_get(&att->props, PR_ATTACH_FLAGS);
        exch_ews_elem_bool(b, "IsInline",
                           p && (p->v.l & EXCH_ATT_MHTML_REF));

        if (!att->embedded) {
            p = exs_props_get(&att->props, PR_ATTACHMENT_CONTACTPHOTO);
            exch_ews_elem_bool(b, "IsContactPhoto", p && p->v.b);
        }
    }

    (void) full;
}


void
exch_ews_attachments_write(exch_ews_t *ews, exch_ews_mbox_t *m, exs_id_t fid,
    exs_id_t mid, const exs_msg_t *msg, const exs_props_t *root,
    const uint32_t *att_path, uint32_t natt)
{
    uint32_t             i;
    exs_prop_t          *meth;
    const char          *elem;
    const exs_attach_t  *att;

    exch_buf_str(&ews->out, "<t:Attachments>");

    for (i = 0; i < msg->natts; i++) {
        att = &msg->atts[i];
        meth = exs_props_get(&att->props, PR_ATTACH_METHOD);

        elem = att->embedded || (meth && meth->v.l == EXCH_ATTACH_EMBEDDED)
               ? "ItemAttachment" : "FileAttachment";

        exch_ews_open(&ews->out, elem);
        exch_ews_att_meta_write(ews, m, fid, mid, natt ? NULL : root,
                                att_path, natt, att,
                                exch_ews_att_num(att, i), 0);
        exch_ews_close(&ews->out, elem);
    }

    exch_buf_str(&ews->out, "</t:Attachments>");
}


/* a <t:FileAttachment> or <t:ItemAttachment> of a request, added */

exch_ews_code_t
exch_ews_attach_read(exch_ews_t *ews, exch_ews_mbox_t *m, xmlNodePtr node,
    exs_msg_t *msg, int32_t *nump)
{
    int               rc, b;
    size_t            len, n;
    int32_t           num;
    uint32_t          i;
    uint8_t          *data;
    unsigned          type;
    xmlNodePtr        c, item;
    exs_msg_t        *emb;
    exs_attach_t     *att;
    exs_props_t      *p;
    const char       *name, *s, *dot;
    exch_ews_code_t   code;

    if (!exch_xml_is(node, EXCH_EWS_NS_T, "FileAttachment")
        && !exch_xml_is(node, EXCH_EWS_NS_T, "ItemAttachment"))
    {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    num = 0;

    for (i = 0; i < msg->natts; i++) {
        if (exch_ews_att_num(&msg->atts[i], i) >= num) {
            num = exch_ews_att_num(&msg->atts[i], i) + 1;
        }
    }

    att = exs_msg_add_attach(ews->a, msg);
    if (att == NULL) {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    p = &att->props;
    rc = exs_props_set_long(ews->a, p, PR_ATTACH_NUM, num);
    rc |= exs_props_set_long(ews->a, p, PR_RENDERING_POSITION, -1);
    rc |= exs_props_set_i8(ews->a, p, PR_CREATION_TIME, ews->now);
    rc |= exs_props_set_i8(ews->a, p, PR_LAST_MODIFICATION_TIME, ews->now);

    name = exch_ews_value(exch_ews_tchild(node, "Name"));

    if (name && *name) {
        rc |= exs_props_set_str(ews->a, p, PR_DISPLAY_NAME, name,
                                strlen(name));
    }

    s = exch_ews_value(exch_ews_tchild(node, "ContentType"));
    if (s && *s) {
        rc |= exs_props_set_str(ews->a, p, PR_ATTACH_MIME_TAG, s, strlen(s));
    }

    s = exch_ews_value(exch_ews_tchild(node, "ContentId"));
    if (s && *s) {
        rc |= exs_props_set_str(ews->a, p, PR_ATTACH_CONTENT_ID, s,
                                strlen(s));
    }

    s = exch_ews_value(exch_ews_tchild(node, "ContentLocation"));
    if (s && *s) {
        rc |= exs_props_set_str(ews->a, p, PR_ATTACH_CONTENT_LOCATION, s,
                                strlen(s));
    }

    b = exch_ews_bool(exch_ews_value(exch_ews_tchild(node, "IsInline")));
    if (b == 1) {
        rc |= exs_props_set_long(ews->a, p, PR_ATTACH_FLAGS,
                                 EXCH_ATT_MHTML_REF);
        rc |= exs_props_set_bool(ews->a, p, PR_ATTACHMENT_HIDDEN, 1);
    }

    if (exch_xml_is(node, EXCH_EWS_NS_T, "FileAttachment")) {
        b = exch_ews_bool(exch_ews_value(exch_ews_tchild(node,
                                                         "IsContactPhoto")));
        if (b == 1) {
            rc |= exs_props_set_bool(ews->a, p, PR_ATTACHMENT_CONTACTPHOTO,
                                     1);
        }

        c = exch_ews_tchild(node, "Content");
        s = exch_ews_text(ews, c, &len);

        data = exs_alloc(ews->a, len / 4 * 3 + 3);
        if (data == NULL) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }

        if (exch_base64_decode(s, len, data, &n) != 0) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        rc |= exs_props_set_long(ews->a, p, PR_ATTACH_METHOD,
                                 EXCH_ATTACH_BY_VALUE);
        rc |= exs_props_set_bin(ews->a, p, PR_ATTACH_DATA_BIN, data, n);
        rc |= exs_props_set_long(ews->a, p, PR_ATTACH_SIZE, (int32_t) n);

        if (name && *name) {
            rc |= exs_props_set_str(ews->a, p, PR_ATTACH_LONG_FILENAME, name,
                                    strlen(name));
            rc |= exs_props_set_str(ews->a, p, PR_ATTACH_FILENAME, name,
                                    strlen(name));

            dot = strrchr(name, '.');
            if (dot && dot[1]) {
                rc |= exs_props_set_str(ews->a, p, PR_ATTACH_EXTENSION, dot,
                                        strlen(dot));
            }
        }

        if (rc != EXS_OK) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }

        if (nump) {
            *nump = num;
        }

        return EXCH_EWS_NOERROR;
    }

    /* an item attachment: the item element inside */

    item = NULL;
    type = 0;

    for (c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE
            && (type = exch_ews_item_type_of((const char *) c->name)) != 0)
        {
            item = c;
            break;
        }
    }

    if (item == NULL) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    if (exch_ews_tchild(item, "MimeContent")) {
        code = exch_ews_mime_import(ews, m, exch_ews_tchild(item,
                                                            "MimeContent"),
                                    &emb);
        if (code != EXCH_EWS_NOERROR) {
            return code;
        }

    } else {
        emb = exs_msg_create(ews->a);
        if (emb == NULL) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }
    }

    code = exch_ews_item_read(ews, m, item, type, 1, emb);
    if (code != EXCH_EWS_NOERROR) {
        return code;
    }

    if (exch_ews_item_defaults(ews, m, type, emb) != EXS_OK) {
        return EXCH_EWS_ERR_INVALID_REQUEST;
    }

    att->embedded = emb;

    rc |= exs_props_set_long(ews->a, p, PR_ATTACH_METHOD,
                             EXCH_ATTACH_EMBEDDED);

    if (name == NULL || *name == '\0') {
        s = NULL;

        if (exs_props_get(&emb->props, PR_SUBJECT)) {
            s = exs_props_get(&emb->props, PR_SUBJECT)->v.str.data;
        }

        if (s) {
            rc |= exs_props_set_str(ews->a, p, PR_DISPLAY_NAME, s,
                                    strlen(s));
        }
    }

    if (rc != EXS_OK) {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    if (nump) {
        *nump = num;
    }

    return EXCH_EWS_NOERROR;
}


/* the attachment an id names, in a message read whole */

static exch_ews_code_t
exch_ews_att_walk(exch_ews_t *ews, exch_ews_item_ref_t *it, exs_msg_t *msg,
    uint32_t depth, exs_msg_t **parent, exs_attach_t **att, uint32_t *index)
{
    uint32_t       i;
    exs_msg_t     *cur;
    exs_attach_t  *a;

    cur = msg;
    a = NULL;

    for (i = 0; i < depth; i++) {
        if (cur == NULL) {
            return EXCH_EWS_ERR_INVALID_ID_NOT_AN_ITEM_ATTACHMENT_ID;
        }

        a = exch_ews_att_find(cur, it->att[i], index);

        if (a == NULL) {
            return EXCH_EWS_ERR_ITEM_NOT_FOUND;
        }

        if (i + 1 < depth) {
            cur = a->embedded;
        }
    }

    *parent = cur;
    *att = a;

    return EXCH_EWS_NOERROR;
}


/*
 * the attachment an AttachmentId element names: its item read whole, the
 * message holding it and its index there; a malformed or unknown id is
 * ErrorInvalidAttachmentId
 */

static exch_ews_code_t
exch_ews_att_open(exch_ews_t *ews, xmlNodePtr id, exch_ews_item_ref_t *it,
    exs_msg_t **msg, exs_msg_t **parent, exs_attach_t **att, uint32_t *index)
{
    int              rc;
    exch_ews_code_t  code;

    code = exch_ews_attach_ref(ews, exch_ews_attr(id, "Id"), it);

    if (code == EXCH_EWS_ERR_INVALID_ID_MALFORMED) {
        return EXCH_EWS_ERR_INVALID_ATTACHMENT_ID;
    }

    if (code != EXCH_EWS_NOERROR) {
        return code;
    }

    rc = exs_message_read(it->m->mb, it->mid, EXS_READ_ALL, msg, ews->a);
    code = exch_ews_code_from_rc(rc, 0);

    if (code != EXCH_EWS_NOERROR) {
        return code;
    }

    code = exch_ews_att_walk(ews, it, *msg, it->natt, parent, att, index);

    if (code == EXCH_EWS_ERR_ITEM_NOT_FOUND) {
        return EXCH_EWS_ERR_INVALID_ATTACHMENT_ID;
    }

    return code;
}


/* CreateAttachment */

int
exch_ews_op_create_attachment(exch_ews_t *ews, xmlNodePtr req)
{
    int                   rc;
    int32_t               nums[64];
    uint32_t              n, i, index, path[EXCH_EWS_MAX_ATT_DEPTH];
    xmlNodePtr            pid, atts, c;
    exs_msg_t            *msg, *target;
    exs_attach_t         *att;
    exs_props_t           root;
    exch_ews_id_t         id;
    exch_ews_code_t       code;
    exch_ews_item_ref_t   it;
    uint32_t              tags[2];

    pid = exch_ews_mchild(req, "ParentItemId");
    atts = exch_ews_mchild(req, "Attachments");

    if (pid == NULL || atts == NULL) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "CreateAttachment needs ParentItemId and "
                              "Attachments.");
    }

    if (exch_ews_begin(ews, 1) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    /* the parent: an item, or an item attachment (nested) */

    code = EXCH_EWS_NOERROR;
    memset(&it, 0, sizeof(exch_ews_item_ref_t));

    if (exch_ews_attr(pid, "Id")
        && exch_ews_id_decode(exch_ews_attr(pid, "Id"),
                              strlen(exch_ews_attr(pid, "Id")), &id, ews->a)
           == EXS_OK
        && id.kind == EXCH_EWS_ID_ATTACH)
    {
        code = exch_ews_attach_ref(ews, exch_ews_attr(pid, "Id"), &it);

    } else {
        code = exch_ews_item_ref(ews, pid, &it);
    }

    msg = NULL;
    target = NULL;

    if (code == EXCH_EWS_NOERROR) {
        rc = exs_message_read(it.m->mb, it.mid, EXS_READ_ALL, &msg, ews->a);
        code = exch_ews_code_from_rc(rc, 0);
    }

    if (code == EXCH_EWS_NOERROR) {
        target = msg;

        if (it.natt) {
            code = exch_ews_att_walk(ews, &it, msg, it.natt, &target, &att,
                                     &index);

            if (code == EXCH_EWS_NOERROR) {
                target = att->embedded;

                if (target == NULL) {
                    code = EXCH_EWS_ERR_INVALID_ID_NOT_AN_ITEM_ATTACHMENT_ID;
                }
            }
        }
    }

    n = 0;

    for (c = atts->children; c && code == EXCH_EWS_NOERROR; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        if (n == 64) {
            code = EXCH_EWS_ERR_INVALID_REQUEST;
            break;
        }

        code = exch_ews_attach_read(ews, it.m, c, target, &nums[n]);
        n++;
    }

    if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
        exch_ews_end(ews, EXS_ERROR);
        return exch_ews_fault(ews, code, NULL,
                              "The attachment is not valid.");
    }

    if (code == EXCH_EWS_NOERROR) {
        rc = exs_props_set_bool(ews->a, &msg->props, PR_HASATTACH, 1);
        rc = exs_message_save(it.m->mb, it.mid, msg, NULL);
        code = exch_ews_code_from_rc(rc, 0);
    }

    exch_ews_resp_begin(ews);

    if (code != EXCH_EWS_NOERROR) {
        for (c = atts->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE) {
                exch_ews_msg_error(ews, code, NULL);
            }
        }

        exch_ews_resp_end(ews);
        exch_ews_end(ews, EXS_ERROR);
        return EXCH_EWS_OK;
    }

    memset(&root, 0, sizeof(exs_props_t));
    tags[0] = PR_CHANGE_KEY;
    tags[1] = PR_MESSAGE_CLASS;

    rc = exs_message_get(it.m->mb, it.mid, tags, 2, &root, ews->a);
    if (rc != EXS_OK) {
        exch_ews_end(ews, EXS_ERROR);
        return EXCH_EWS_FAIL;
    }

    for (i = 0; i < it.natt; i++) {
        path[i] = (uint32_t) it.att[i];
    }

    i = 0;

    for (c = atts->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        att = exch_ews_att_find(target, nums[i++], NULL);

        exch_ews_msg_ok(ews);
        exch_buf_printf(&ews->out, "<m:Attachments><t:%s>",
                        (const char *) c->name);
        exch_ews_att_meta_write(ews, it.m, it.fid, it.mid, &root, path,
                                it.natt, att, nums[i - 1], 0);
        exch_buf_printf(&ews->out, "</t:%s></m:Attachments>",
                        (const char *) c->name);
        exch_ews_msg_end(ews);
    }

    exch_ews_resp_end(ews);

    return exch_ews_commit_or_fault(ews);
}


/* GetAttachment */

int
exch_ews_op_get_attachment(exch_ews_t *ews, xmlNodePtr req)
{
    int                   rc;
    size_t                mark;
    uint64_t              total;
    uint32_t              i, index, path[EXCH_EWS_MAX_ATT_DEPTH];
    xmlNodePtr            ids, c;
    exs_msg_t            *msg, *parent;
    exs_prop_t           *data, *meth, *sz;
    exs_attach_t         *att;
    exch_ews_code_t       code;
    exch_ews_shape_t     *shape;
    exch_ews_item_ref_t   it;

    ids = exch_ews_mchild(req, "AttachmentIds");

    shape = exch_ews_shape_new(ews, exch_ews_mchild(req, "AttachmentShape"), 0,
                               &code);
    if (shape == NULL) {
        return EXCH_EWS_FAIL;
    }

    if (ids == NULL || code == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "GetAttachment needs AttachmentIds.");
    }

    /* an item attachment is written in full, as GetItem's Default */
    shape->base = shape->base == EXCH_SHAPE_IDONLY ? EXCH_SHAPE_DEFAULT
                                                   : shape->base;

    if (exch_ews_begin(ews, 0) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    /* large attachments are encoded in a thread */

    if (!ews->in_thread) {
        total = 0;

        for (c = ids->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE
                || exch_ews_attach_ref(ews, exch_ews_attr(c, "Id"), &it)
                   != EXCH_EWS_NOERROR)
            {
                continue;
            }

            if (exs_message_read(it.m->mb, it.mid,
                                 EXS_READ_PROPS | EXS_READ_ATTACH, &msg,
                                 ews->a)
                == EXS_OK
                && (att = exch_ews_att_find(msg, it.att[0], NULL)) != NULL)
            {
                sz = exs_props_get(&att->props, PR_ATTACH_SIZE);
                total += sz ? (uint32_t) sz->v.l : 0;
            }
        }

        if (total >= EXCH_ATTACH_THREAD_MIN) {
            exch_ews_end(ews, EXS_ERROR);
            return EXCH_EWS_AGAIN;
        }
    }

    exch_ews_resp_begin(ews);

    for (c = ids->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        code = exch_ews_att_open(ews, c, &it, &msg, &parent, &att, &index);

        if (code != EXCH_EWS_NOERROR) {
            exch_ews_msg_error(ews, code, NULL);
            continue;
        }

        for (i = 0; i < it.natt; i++) {
            path[i] = (uint32_t) it.att[i];
        }

        exch_ews_msg_ok(ews);
        exch_buf_str(&ews->out, "<m:Attachments>");
        mark = ews->out.len;

        meth = exs_props_get(&att->props, PR_ATTACH_METHOD);

        if (att->embedded || (meth && meth->v.l == EXCH_ATTACH_EMBEDDED)) {
            exch_buf_str(&ews->out, "<t:ItemAttachment>");
            exch_ews_att_meta_write(ews, it.m, it.fid, it.mid, &msg->props,
                                    path, it.natt - 1, att,
                                    it.att[it.natt - 1], 1);

            if (att->embedded) {
                rc = exch_ews_item_write(ews, it.m, it.fid, it.mid,
                                         att->embedded, shape, path,
                                         it.natt);
                if (rc != EXS_OK) {
                    ews->out.len = mark;
                    exch_ews_msg_error(ews,
                                       EXCH_EWS_ERR_INTERNAL_SERVER_ERROR,
                                       NULL);
                    continue;
                }
            }

            exch_buf_str(&ews->out, "</t:ItemAttachment>");

        } else {
            exch_buf_str(&ews->out, "<t:FileAttachment>");
            exch_ews_att_meta_write(ews, it.m, it.fid, it.mid, &msg->props,
                                    path, it.natt - 1, att,
                                    it.att[it.natt - 1], 1);

            data = exs_props_get(&att->props, PR_ATTACH_DATA_BIN);
            exch_buf_str(&ews->out, "<t:Content>");

            if (data && PROP_TYPE(data->tag) == PT_BINARY) {
                exch_buf_base64(&ews->out, data->v.bin.data,
                                data->v.bin.len);
            }

            exch_buf_str(&ews->out, "</t:Content></t:FileAttachment>");
        }

        exch_buf_str(&ews->out, "</m:Attachments>");
        exch_ews_msg_end(ews);
    }

    exch_ews_resp_end(ews);
    exch_ews_end(ews, EXS_ERROR);

    return EXCH_EWS_OK;
}


/* DeleteAttachment */

int
exch_ews_op_delete_attachment(exch_ews_t *ews, xmlNodePtr req)
{
    int                   rc;
    uint32_t              index;
    xmlNodePtr            ids, c;
    exs_msg_t            *msg, *parent;
    exs_prop_t           *ck, *cls;
    exs_props_t           root;
    exs_attach_t         *att;
    exch_ews_code_t       code;
    exch_ews_item_ref_t   it;
    uint32_t              tags[2];

    ids = exch_ews_mchild(req, "AttachmentIds");

    if (ids == NULL) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "DeleteAttachment needs AttachmentIds.");
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

        code = exch_ews_att_open(ews, c, &it, &msg, &parent, &att, &index);

        if (code == EXCH_EWS_NOERROR) {
            memmove(&parent->atts[index], &parent->atts[index + 1],
                    (parent->natts - index - 1) * sizeof(exs_attach_t));
            parent->natts--;

            rc = exs_message_save(it.m->mb, it.mid, msg, NULL);
            code = exch_ews_code_from_rc(rc, 0);
        }

        if (code != EXCH_EWS_NOERROR) {
            exch_ews_msg_error(ews, code, NULL);
            continue;
        }

        memset(&root, 0, sizeof(exs_props_t));
        tags[0] = PR_CHANGE_KEY;
        tags[1] = PR_MESSAGE_CLASS;
        rc = exs_message_get(it.m->mb, it.mid, tags, 2, &root, ews->a);

        ck = exs_props_get(&root, PR_CHANGE_KEY);
        cls = exs_props_get(&root, PR_MESSAGE_CLASS);

        exch_ews_msg_ok(ews);
        exch_buf_printf(&ews->out, "<m:RootItemId RootItemId=\"%s\" "
                        "RootItemChangeKey=\"%s\"/>",
                        exch_ews_item_id_str(ews, it.m, it.fid, it.mid),
                        exch_ews_ck_encode(
                            exch_ews_ck_type(cls ? cls->v.str.data : NULL),
                            ck ? &ck->v.bin : NULL, ews->a));
        exch_ews_msg_end(ews);
    }

    exch_ews_resp_end(ews);

    return exch_ews_commit_or_fault(ews);
}
