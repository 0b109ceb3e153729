
/*
 * exch EWS: Restriction and SortOrder (MS-OXWSSRCH) to the store's
 * restrictions and sort orders (MS-OXCDATA 2.12, 2.13), so that FindItem
 * and FindFolder are served by the store's tables.
 */


#include <stdlib.h>
#include <string.h>

#include "exch_ews_items.h"


#define EXCH_EWS_MAX_RES_DEPTH  32
#define EXCH_EWS_MAX_RES_NODES  512


typedef struct {
    exch_ews_t               *ews;
    exch_ews_mbox_t          *m;
    int                       folder;
    uint32_t                  nodes;
} exch_ews_res_ctx_t;


static exch_ews_code_t exch_ews_res_node(exch_ews_res_ctx_t *rc,
    xmlNodePtr node, int depth, exs_restriction_t *r);
static exch_ews_code_t exch_ews_res_compare(exch_ews_res_ctx_t *rc,
    xmlNodePtr node, uint8_t relop, exs_restriction_t *r);
static exch_ews_code_t exch_ews_res_path(exch_ews_res_ctx_t *rc,
    xmlNodePtr node, exch_ews_path_t *path, uint32_t *tag);
static exch_ews_code_t exch_ews_res_constant(exch_ews_res_ctx_t *rc,
    const exch_ews_path_t *path, uint32_t tag, const char *s,
    exs_prop_t *v);
static void exch_ews_res_false(exs_restriction_t *r);


static const struct {
    const char               *name;
    uint8_t                   relop;
} exch_ews_relops[] = {
    { "IsEqualTo", RELOP_EQ },
    { "IsNotEqualTo", RELOP_NE },
    { "IsGreaterThan", RELOP_GT },
    { "IsGreaterThanOrEqualTo", RELOP_GE },
    { "IsLessThan", RELOP_LT },
    { "IsLessThanOrEqualTo", RELOP_LE },
    { NULL, 0 }
};


exch_ews_code_t
exch_ews_restriction_parse(exch_ews_t *ews, exch_ews_mbox_t *m,
    xmlNodePtr node, int folder, exs_restriction_t **res)
{
    xmlNodePtr           c;
    exs_restriction_t   *r;
    exch_ews_res_ctx_t   rc;

    *res = NULL;

    for (c = node ? node->children : NULL; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            break;
        }
    }

    if (c == NULL) {
        return EXCH_EWS_NOERROR;
    }

    r = exs_calloc(ews->a, sizeof(exs_restriction_t));
    if (r == NULL) {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    rc.ews = ews;
    rc.m = m;
    rc.folder = folder;
    rc.nodes = 0;

    *res = r;

    return exch_ews_res_node(&rc, c, 0, r);
}


/* a restriction nothing matches: an empty OR */

static void
exch_ews_res_false(exs_restriction_t *r)
{
    memset(r, 0, sizeof(exs_restriction_t));
    r->type = RES_OR;
}


static exch_ews_code_t
exch_ews_res_node(exch_ews_res_ctx_t *rc, xmlNodePtr node, int depth,
    exs_restriction_t *r)
{
    int               i;
    uint32_t          n, tag;
    xmlNodePtr        c, pn;
    const char       *name, *mode, *cmp, *v;
    exch_ews_code_t   code;
    exch_ews_path_t   path;

    if (depth > EXCH_EWS_MAX_RES_DEPTH
        || ++rc->nodes > EXCH_EWS_MAX_RES_NODES)
    {
        return EXCH_EWS_ERR_INVALID_RESTRICTION;
    }

    if (!exch_xml_is(node, EXCH_EWS_NS_T, NULL)) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    name = (const char *) node->name;

    if (strcmp(name, "And") == 0 || strcmp(name, "Or") == 0) {
        n = 0;

        for (c = node->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE) {
                n++;
            }
        }

        r->type = name[0] == 'A' ? RES_AND : RES_OR;
        r->u.andor.n = n;
        r->u.andor.sub = exs_calloc(rc->ews->a,
                                    (n ? n : 1) * sizeof(exs_restriction_t));
        if (r->u.andor.sub == NULL) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }

        i = 0;

        for (c = node->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE) {
                continue;
            }

            code = exch_ews_res_node(rc, c, depth + 1, &r->u.andor.sub[i++]);
            if (code != EXCH_EWS_NOERROR) {
                return code;
            }
        }

        return EXCH_EWS_NOERROR;
    }

    if (strcmp(name, "Not") == 0) {
        for (c = node->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE) {
                break;
            }
        }

        if (c == NULL) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        r->type = RES_NOT;
        r->u.not.sub = exs_calloc(rc->ews->a, sizeof(exs_restriction_t));
        if (r->u.not.sub == NULL) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }

        return exch_ews_res_node(rc, c, depth + 1, r->u.not.sub);
    }

    for (i = 0; exch_ews_relops[i].name; i++) {
        if (strcmp(name, exch_ews_relops[i].name) == 0) {
            return exch_ews_res_compare(rc, node, exch_ews_relops[i].relop,
                                        r);
        }
    }

    pn = exch_ews_path_node(node);

    if (pn == NULL) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    code = exch_ews_res_path(rc, pn, &path, &tag);
    if (code != EXCH_EWS_NOERROR) {
        return code;
    }

    if (strcmp(name, "Exists") == 0) {
        if (tag == 0) {
            exch_ews_res_false(r);
            return EXCH_EWS_NOERROR;
        }

        r->type = RES_EXIST;
        r->u.exist.tag = tag;
        return EXCH_EWS_NOERROR;
    }

    if (strcmp(name, "Excludes") == 0) {
        c = exch_ews_tchild(node, "Bitmask");
        v = exch_ews_attr(c, "Value");

        if (v == NULL) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        if (tag == 0) {
            /* no value: no bit is set */
            r->type = RES_NOT;
            r->u.not.sub = exs_calloc(rc->ews->a, sizeof(exs_restriction_t));
            if (r->u.not.sub == NULL) {
                return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
            }

            exch_ews_res_false(r->u.not.sub);
            return EXCH_EWS_NOERROR;
        }

        if (PROP_TYPE(tag) != PT_LONG) {
            return EXCH_EWS_ERR_INVALID_EXCLUDES_RESTRICTION;
        }

        r->type = RES_BITMASK;
        r->u.bitmask.op = BMR_EQZ;
        r->u.bitmask.tag = tag;
        r->u.bitmask.mask = (uint32_t) strtoul(v, NULL, 0);
        return EXCH_EWS_NOERROR;
    }

    if (strcmp(name, "Contains") == 0) {
        c = exch_ews_tchild(node, "Constant");
        v = exch_ews_attr(c, "Value");

        if (v == NULL) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        if (tag == 0) {
            exch_ews_res_false(r);
            return EXCH_EWS_NOERROR;
        }

        if ((PROP_TYPE(tag) & ~PT_MV) != PT_UNICODE
            && (PROP_TYPE(tag) & ~PT_MV) != PT_BINARY)
        {
            return EXCH_EWS_ERR_INVALID_RESTRICTION;
        }

        r->type = RES_CONTENT;
        r->u.content.tag = tag;
        r->u.content.val.tag = PROP_TAG(PROP_TYPE(tag) & ~PT_MV,
                                        PROP_ID(tag));

        if ((PROP_TYPE(tag) & ~PT_MV) == PT_UNICODE) {
            r->u.content.val.v.str.data = v;
            r->u.content.val.v.str.len = strlen(v);

        } else if (exch_ews_value_parse(rc->ews, v, PT_BINARY,
                                        &r->u.content.val) != 0)
        {
            return EXCH_EWS_ERR_INVALID_RESTRICTION;
        }

        mode = exch_ews_attr(node, "ContainmentMode");
        cmp = exch_ews_attr(node, "ContainmentComparison");

        r->u.content.fuzzy = FL_SUBSTRING;

        if (mode) {
            if (strcmp(mode, "FullString") == 0) {
                r->u.content.fuzzy = FL_FULLSTRING;

            } else if (strcmp(mode, "Prefixed") == 0
                       || strcmp(mode, "PrefixOnWords") == 0)
            {
                r->u.content.fuzzy = FL_PREFIX;

            } else if (strcmp(mode, "Substring") != 0
                       && strcmp(mode, "ExactPhrase") != 0)
            {
                return EXCH_EWS_ERR_SCHEMA_VALIDATION;
            }
        }

        if (cmp) {
            if (strstr(cmp, "IgnoreCase") || strcmp(cmp, "Loose") == 0) {
                r->u.content.fuzzy |= FL_IGNORECASE;
            }

            if (strstr(cmp, "NonSpac") || strstr(cmp, "NonSpace")) {
                r->u.content.fuzzy |= FL_IGNORENONSPACE;
            }

            if (strncmp(cmp, "Loose", 5) == 0) {
                r->u.content.fuzzy |= FL_LOOSE;
            }
        }

        return EXCH_EWS_NOERROR;
    }

    return EXCH_EWS_ERR_SCHEMA_VALIDATION;
}


/* the MAPI tag a path stands for in a restriction */

static exch_ews_code_t
exch_ews_res_path(exch_ews_res_ctx_t *rc, xmlNodePtr node,
    exch_ews_path_t *path, uint32_t *tag)
{
    exch_ews_code_t  code;

    code = exch_ews_path_parse(rc->ews, rc->m, node, 0, path);
    if (code != EXCH_EWS_NOERROR) {
        return code;
    }

    *tag = path->tag;

    if (path->extended || path->indexed) {
        return EXCH_EWS_NOERROR;
    }

    if (path->field == NULL) {
        /* a field of the schema we keep no value of */
        *tag = 0;
        return EXCH_EWS_NOERROR;
    }

    switch (path->field->kind) {
    case EXCH_K_STRING:
    case EXCH_K_BOOL:
    case EXCH_K_INT:
    case EXCH_K_LONG:
    case EXCH_K_DOUBLE:
    case EXCH_K_TIME:
    case EXCH_K_BASE64:
    case EXCH_K_ENUM:
    case EXCH_K_STRINGS:
    case EXCH_K_MSGFLAG:
    case EXCH_K_READ:
    case EXCH_K_NOTBOOL:
    case EXCH_K_PERCENT:
    case EXCH_K_STATEFLAG:
    case EXCH_K_SIZE:
    case EXCH_K_CULTURE:
    case EXCH_K_DURATION:
    case EXCH_K_CALTYPE:
    case EXCH_K_MAILBOX:
    case EXCH_K_RCPTS:
    case EXCH_K_FOLDERCOUNT:
    case EXCH_K_CONVID:
    case EXCH_K_UID:
    case EXCH_K_FLAG:
        return EXCH_EWS_NOERROR;

    case EXCH_K_BODY:
    case EXCH_K_TEXTBODY:
        *tag = PR_BODY;
        return EXCH_EWS_NOERROR;

    case EXCH_K_ITEMID:
    case EXCH_K_FOLDERID:
    case EXCH_K_PARENTFOLDER:
        /* entry ids compare as binaries */
        return EXCH_EWS_NOERROR;

    default:
        return EXCH_EWS_ERR_UNSUPPORTED_PATH_FOR_QUERY;
    }
}


static exch_ews_code_t
exch_ews_res_constant(exch_ews_res_ctx_t *rc, const exch_ews_path_t *path,
    uint32_t tag, const char *s, exs_prop_t *v)
{
    int32_t                   e;
    uint16_t                  type;
    exch_ews_id_t             id;
    const exch_ews_field_t   *f;
    uint8_t                  *eid;
    size_t                    n;

    memset(v, 0, sizeof(exs_prop_t));

    type = PROP_TYPE(tag) & ~(PT_MV | PT_MV_INSTANCE);
    v->tag = PROP_TAG(type, PROP_ID(tag));
    f = path->extended ? NULL : path->field;

    if (f && f->kind == EXCH_K_ENUM && f->aux) {
        if (exch_ews_enum_value(f->aux, s, &e) != 0) {
            return EXCH_EWS_ERR_INVALID_VALUE_FOR_PROPERTY;
        }

        v->v.l = e;
        return EXCH_EWS_NOERROR;
    }

    if (f && f->kind == EXCH_K_PERCENT) {
        if (exch_ews_value_parse(rc->ews, s, PT_DOUBLE, v) != 0) {
            return EXCH_EWS_ERR_INVALID_VALUE_FOR_PROPERTY;
        }

        v->v.d /= 100.0;
        return EXCH_EWS_NOERROR;
    }

    if (f && f->kind == EXCH_K_CULTURE) {
        v->v.l = 0x0409;
        return EXCH_EWS_NOERROR;
    }

    if (f && (f->kind == EXCH_K_ITEMID || f->kind == EXCH_K_FOLDERID
              || f->kind == EXCH_K_PARENTFOLDER))
    {
        if (exch_ews_id_decode(s, strlen(s), &id, rc->ews->a) != EXS_OK) {
            return EXCH_EWS_ERR_INVALID_ID_MALFORMED;
        }

        eid = exs_alloc(rc->ews->a, 80);
        if (eid == NULL) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }

        if (f->kind == EXCH_K_PARENTFOLDER) {
            id.kind = EXCH_EWS_ID_FOLDER;
        }

        exch_ews_entryid_make(&id, eid, &n);
        v->v.bin.data = eid;
        v->v.bin.len = n;
        return EXCH_EWS_NOERROR;
    }

    if (exch_ews_value_parse(rc->ews, s, type, v) != 0) {
        return EXCH_EWS_ERR_INVALID_VALUE_FOR_PROPERTY;
    }

    if (f && f->kind == EXCH_K_NOTBOOL) {
        v->v.b = !v->v.b;
    }

    return EXCH_EWS_NOERROR;
}


static exch_ews_code_t
exch_ews_res_compare(exch_ews_res_ctx_t *rc, xmlNodePtr node, uint8_t relop,
    exs_restriction_t *r)
{
    int                       truth;
    uint32_t                  tag, tag2, mask;
    xmlNodePtr                pn, other, c;
    const char               *s;
    exch_ews_code_t           code;
    exch_ews_path_t           path, path2;
    const exch_ews_field_t   *f;
    const exch_ews_mbox_tags_t  *mt;

    pn = exch_ews_path_node(node);
    other = exch_ews_tchild(node, "FieldURIOrConstant");

    if (pn == NULL || other == NULL) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    code = exch_ews_res_path(rc, pn, &path, &tag);
    if (code != EXCH_EWS_NOERROR) {
        return code;
    }

    c = exch_ews_tchild(other, "Constant");

    if (c == NULL) {
        /* two properties */

        c = exch_ews_path_node(other);
        if (c == NULL) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        code = exch_ews_res_path(rc, c, &path2, &tag2);
        if (code != EXCH_EWS_NOERROR) {
            return code;
        }

        if (tag == 0 || tag2 == 0) {
            exch_ews_res_false(r);
            return EXCH_EWS_NOERROR;
        }

        r->type = RES_COMPAREPROPS;
        r->u.cmp.relop = relop;
        r->u.cmp.tag1 = tag;
        r->u.cmp.tag2 = tag2;
        return EXCH_EWS_NOERROR;
    }

    s = exch_ews_attr(c, "Value");
    if (s == NULL) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    f = path.extended ? NULL : path.field;

    if (f && (f->kind == EXCH_K_MSGFLAG || f->kind == EXCH_K_READ
              || f->kind == EXCH_K_STATEFLAG))
    {
        /* a flag bit: true/false with = and != */

        truth = exch_ews_bool(s);

        if (truth < 0 || (relop != RELOP_EQ && relop != RELOP_NE)) {
            return EXCH_EWS_ERR_INVALID_RESTRICTION;
        }

        if (relop == RELOP_NE) {
            truth = !truth;
        }

        mask = f->kind == EXCH_K_READ ? MSGFLAG_READ
                                      : (uint32_t) ((const exch_ews_enum_t *)
                                                    f->aux)->value;

        if (tag == 0) {
            if (truth) {
                exch_ews_res_false(r);

            } else {
                r->type = RES_AND;      /* an empty AND: everything */
                r->u.andor.n = 0;
                r->u.andor.sub = NULL;
            }

            return EXCH_EWS_NOERROR;
        }

        r->type = RES_BITMASK;
        r->u.bitmask.op = truth ? BMR_NEZ : BMR_EQZ;
        r->u.bitmask.tag = tag;
        r->u.bitmask.mask = mask;
        return EXCH_EWS_NOERROR;
    }

    if (f && f->kind == EXCH_K_MAILBOX && f->aux) {
        /* a mailbox: its SMTP address, its address, or its name */

        mt = f->aux;

        r->type = RES_OR;
        r->u.andor.n = 3;
        r->u.andor.sub = exs_calloc(rc->ews->a,
                                    3 * sizeof(exs_restriction_t));
        if (r->u.andor.sub == NULL) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }

        for (truth = 0; truth < 3; truth++) {
            r->u.andor.sub[truth].type = RES_PROPERTY;
            r->u.andor.sub[truth].u.prop.relop = relop;
            r->u.andor.sub[truth].u.prop.tag = truth == 0 ? mt->smtp
                                               : truth == 1 ? mt->email
                                               : mt->name;
            r->u.andor.sub[truth].u.prop.val.tag =
                r->u.andor.sub[truth].u.prop.tag;
            r->u.andor.sub[truth].u.prop.val.v.str.data = s;
            r->u.andor.sub[truth].u.prop.val.v.str.len = strlen(s);
        }

        return EXCH_EWS_NOERROR;
    }

    if (tag == 0) {
        /* a property nothing has: only != matches */
        if (relop == RELOP_NE) {
            r->type = RES_AND;
            r->u.andor.n = 0;
            r->u.andor.sub = NULL;

        } else {
            exch_ews_res_false(r);
        }

        return EXCH_EWS_NOERROR;
    }

    r->type = RES_PROPERTY;
    r->u.prop.relop = relop;
    r->u.prop.tag = tag;

    return exch_ews_res_constant(rc, &path, tag, s, &r->u.prop.val);
}


exch_ews_code_t
exch_ews_sort_parse(exch_ews_t *ews, exch_ews_mbox_t *m, xmlNodePtr node,
    exs_sortorder_t *sort)
{
    uint16_t          n;
    uint32_t          tag;
    xmlNodePtr        c, pn;
    const char       *order;
    exch_ews_code_t   code;
    exch_ews_path_t   path;

    memset(sort, 0, sizeof(exs_sortorder_t));

    if (node == NULL) {
        return EXCH_EWS_NOERROR;
    }

    n = 0;

    for (c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            n++;
        }
    }

    if (n > 16) {
        return EXCH_EWS_ERR_INVALID_REQUEST;
    }

    sort->keys = exs_calloc(ews->a, (n ? n : 1) * sizeof(exs_sort_t));
    if (sort->keys == NULL) {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    for (c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        if (!exch_xml_is(c, EXCH_EWS_NS_T, "FieldOrder")) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        order = exch_ews_attr(c, "Order");

        if (order == NULL || (strcmp(order, "Ascending") != 0
                              && strcmp(order, "Descending") != 0))
        {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        pn = exch_ews_path_node(c);
        if (pn == NULL) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        code = exch_ews_path_parse(ews, m, pn, 0, &path);
        if (code != EXCH_EWS_NOERROR) {
            return code;
        }

        tag = path.tag;

        if (!path.extended && !path.indexed && path.field) {
            switch (path.field->kind) {
            case EXCH_K_BODY:
            case EXCH_K_ATTACHMENTS:
            case EXCH_K_MIME:
            case EXCH_K_RESPONSEOBJECTS:
            case EXCH_K_RIGHTS:
            case EXCH_K_RECURRENCE:
            case EXCH_K_EMAILS:
            case EXCH_K_ADDRESSES:
            case EXCH_K_PHONES:
            case EXCH_K_IMADDRS:
            case EXCH_K_DLMEMBERS:
            case EXCH_K_ATTENDEES:
            case EXCH_K_REPLYTO:
            case EXCH_K_PERMISSIONS:
                return EXCH_EWS_ERR_UNSUPPORTED_PATH_FOR_SORT_GROUP;
            default:
                break;
            }
        }

        if (tag == 0 || (PROP_TYPE(tag) & PT_MV)) {
            /* no item has it, or many values: it orders nothing */
            continue;
        }

        sort->keys[sort->n].tag = tag;
        sort->keys[sort->n].order = order[0] == 'A' ? TABLE_SORT_ASCEND
                                                    : TABLE_SORT_DESCEND;
        sort->n++;
    }

    return EXCH_EWS_NOERROR;
}
