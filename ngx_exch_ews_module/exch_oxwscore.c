
/*
 * exch EWS: items, MS-OXWSCORE -- FindItem (MS-OXWSSRCH), GetItem,
 * CreateItem, UpdateItem, DeleteItem, MoveItem, CopyItem, SendItem,
 * MarkAllItemsAsRead, MarkAsJunk -- for every item type.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exch_ews_ops.h"
#include "exch_ews_items.h"


/* messages at least this large are converted to MIME in a thread */
#define EXCH_MIME_THREAD_MIN    (128 * 1024)

#define EXCH_SEND_NONE          0
#define EXCH_SEND_ONLY          1
#define EXCH_SEND_AND_SAVE      2


static exch_ews_code_t exch_ews_find_folder_items(exch_ews_t *ews,
    xmlNodePtr req, exch_ews_folder_ref_t *ref, exch_ews_shape_t *shape,
    exch_ews_paging_t *pg, unsigned flags);
static exch_ews_code_t exch_ews_find_view(exch_ews_t *ews, xmlNodePtr req,
    exch_ews_mbox_t *m, exs_restriction_t **res, exs_sortorder_t *sort,
    uint32_t *max, int *view);
static exs_restriction_t *exch_ews_res_and(exch_ews_t *ews,
    exs_restriction_t *a, exs_restriction_t *b);
static int exch_ews_disposition(const char *s);
static exs_id_t exch_ews_default_folder(unsigned type, int send);
static exch_ews_code_t exch_ews_create_one(exch_ews_t *ews, xmlNodePtr item,
    exch_ews_folder_ref_t *saved, int send, exch_ews_mbox_t **mp,
    exs_id_t *fidp, exs_id_t *midp, unsigned *typep);
static exch_ews_code_t exch_ews_update_one(exch_ews_t *ews, xmlNodePtr ch,
    const char *conflict, int send, exch_ews_folder_ref_t *saved,
    exch_ews_item_ref_t *it);
static int exch_ews_props_same(const exs_prop_t *a, const exs_prop_t *b);
static xmlNodePtr exch_ews_update_value(xmlNodePtr upd, xmlNodePtr uri,
    const exch_ews_path_t *path);
static exch_ews_code_t exch_ews_check_ck(exch_ews_t *ews,
    exch_ews_item_ref_t *it);
static exch_ews_code_t exch_ews_send(exch_ews_t *ews, exch_ews_mbox_t *m,
    exs_id_t mid, int send, exs_id_t sent_fid);
static int exch_ews_move_copy_item(exch_ews_t *ews, xmlNodePtr req,
    int copy);
static void exch_ews_group_index(exch_ews_t *ews, const exch_ews_field_t *f,
    const exs_prop_t *v);


/* FindItem */

static exs_restriction_t *
exch_ews_res_and(exch_ews_t *ews, exs_restriction_t *a, exs_restriction_t *b)
{
    exs_restriction_t  *r;

    if (a == NULL) {
        return b;
    }

    if (b == NULL) {
        return a;
    }

    r = exs_calloc(ews->a, sizeof(exs_restriction_t));
    if (r == NULL) {
        return NULL;
    }

    r->type = RES_AND;
    r->u.andor.n = 2;
    r->u.andor.sub = exs_calloc(ews->a, 2 * sizeof(exs_restriction_t));
    if (r->u.andor.sub == NULL) {
        return NULL;
    }

    r->u.andor.sub[0] = *a;
    r->u.andor.sub[1] = *b;

    return r;
}


/* CalendarView, ContactsView and QueryString as restrictions and sorts */

static exch_ews_code_t
exch_ews_find_view(exch_ews_t *ews, xmlNodePtr req, exch_ews_mbox_t *m,
    exs_restriction_t **res, exs_sortorder_t *sort, uint32_t *max, int *view)
{
    int64_t             start, end;
    uint32_t            stag, etag, tag, i;
    xmlNodePtr          v, q;
    const char         *s, *e, *mx;
    exs_restriction_t  *r;
    static const uint32_t  qtags[] = {
        PR_SUBJECT, PR_BODY, PR_SENT_REPRESENTING_NAME, PR_DISPLAY_TO
    };

    *view = 0;
    *max = 0;

    v = exch_ews_mchild(req, "CalendarView");

    if (v) {
        *view = 1;
        s = exch_ews_attr(v, "StartDate");
        e = exch_ews_attr(v, "EndDate");
        mx = exch_ews_attr(v, "MaxEntriesReturned");

        if (s == NULL || e == NULL || exch_ews_time_parse(s, &start) != 0
            || exch_ews_time_parse(e, &end) != 0)
        {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        if (end < start) {
            return EXCH_EWS_ERR_CALENDAR_END_BEFORE_START;
        }

        if (mx) {
            *max = (uint32_t) strtoul(mx, NULL, 10);
        }

        stag = exch_ews_np_tag(ews, m, EXCH_NP_APPT_START_WHOLE, 0);
        etag = exch_ews_np_tag(ews, m, EXCH_NP_APPT_END_WHOLE, 0);

        r = exs_calloc(ews->a, sizeof(exs_restriction_t));
        if (r == NULL) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }

        if (stag == 0 || etag == 0) {
            r->type = RES_OR;       /* nothing has a start */
            *res = exch_ews_res_and(ews, *res, r);
            return EXCH_EWS_NOERROR;
        }

        /* start < EndDate and end > StartDate (an instant event at the
         * start counts) */

        r->type = RES_AND;
        r->u.andor.n = 2;
        r->u.andor.sub = exs_calloc(ews->a, 2 * sizeof(exs_restriction_t));
        if (r->u.andor.sub == NULL) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }

        r->u.andor.sub[0].type = RES_PROPERTY;
        r->u.andor.sub[0].u.prop.relop = RELOP_LT;
        r->u.andor.sub[0].u.prop.tag = stag;
        r->u.andor.sub[0].u.prop.val.tag = stag;
        r->u.andor.sub[0].u.prop.val.v.ll = end;

        r->u.andor.sub[1].type = RES_PROPERTY;
        r->u.andor.sub[1].u.prop.relop = start == end ? RELOP_GE : RELOP_GT;
        r->u.andor.sub[1].u.prop.tag = etag;
        r->u.andor.sub[1].u.prop.val.tag = etag;
        r->u.andor.sub[1].u.prop.val.v.ll = start;

        *res = exch_ews_res_and(ews, *res, r);

        sort->n = 1;
        sort->keys = exs_calloc(ews->a, sizeof(exs_sort_t));
        if (sort->keys == NULL) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }

        sort->keys[0].tag = stag;
        sort->keys[0].order = TABLE_SORT_ASCEND;

        return EXCH_EWS_NOERROR;
    }

    v = exch_ews_mchild(req, "ContactsView");

    if (v) {
        *view = 2;
        s = exch_ews_attr(v, "InitialName");
        e = exch_ews_attr(v, "FinalName");
        mx = exch_ews_attr(v, "MaxEntriesReturned");

        if (mx) {
            *max = (uint32_t) strtoul(mx, NULL, 10);
        }

        tag = exch_ews_np_tag(ews, m, EXCH_NP_FILE_UNDER, 0);
        if (tag == 0) {
            tag = PR_DISPLAY_NAME;
        }

        for (i = 0; i < 2; i++) {
            const char  *bound = i ? e : s;

            if (bound == NULL) {
                continue;
            }

            r = exs_calloc(ews->a, sizeof(exs_restriction_t));
            if (r == NULL) {
                return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
            }

            r->type = RES_PROPERTY;
            r->u.prop.relop = i ? RELOP_LE : RELOP_GE;
            r->u.prop.tag = tag;
            r->u.prop.val.tag = tag;
            r->u.prop.val.v.str.data = bound;
            r->u.prop.val.v.str.len = strlen(bound);

            *res = exch_ews_res_and(ews, *res, r);
        }

        if (sort->n == 0) {
            sort->n = 1;
            sort->keys = exs_calloc(ews->a, sizeof(exs_sort_t));
            if (sort->keys == NULL) {
                return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
            }

            sort->keys[0].tag = tag;
            sort->keys[0].order = TABLE_SORT_ASCEND;
        }
    }

    q = exch_ews_mchild(req, "QueryString");
    s = q ? exch_ews_value(q) : NULL;

    if (s && *s) {
        /* a word search over subject, body, sender and recipients */

        r = exs_calloc(ews->a, sizeof(exs_restriction_t));
        if (r == NULL) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }

        r->type = RES_OR;
        r->u.andor.n = 4;
        r->u.andor.sub = exs_calloc(ews->a, 4 * sizeof(exs_restriction_t));
        if (r->u.andor.sub == NULL) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }

        for (i = 0; i < 4; i++) {
            r->u.andor.sub[i].type = RES_CONTENT;
            r->u.andor.sub[i].u.content.fuzzy = FL_SUBSTRING | FL_IGNORECASE;
            r->u.andor.sub[i].u.content.tag = qtags[i];
            r->u.andor.sub[i].u.content.val.tag = qtags[i];
            r->u.andor.sub[i].u.content.val.v.str.data = s;
            r->u.andor.sub[i].u.content.val.v.str.len = strlen(s);
        }

        *res = exch_ews_res_and(ews, *res, r);
    }

    return EXCH_EWS_NOERROR;
}


static exch_ews_code_t
exch_ews_find_folder_items(exch_ews_t *ews, xmlNodePtr req,
    exch_ews_folder_ref_t *ref, exch_ews_shape_t *shape,
    exch_ews_paging_t *pg, unsigned flags)
{
    int                 rc, whole, view, search;
    size_t              mark;
    uint32_t            total, start, count, got, i, ntags, max, gs;
    uint32_t           *tags, gtag;
    exs_id_t           *ids, fid;
    xmlNodePtr          resnode, gb, gp;
    exs_msg_t          *msg, row;
    exs_prop_t         *gv, *pv;
    exs_props_t        *rows;
    exs_table_t        *t;
    exch_ews_code_t     code;
    exs_sortorder_t     sort, gsort;
    exs_restriction_t  *res;
    exs_folder_info_t   info;
    exch_ews_path_t     gpath;

    res = NULL;
    resnode = exch_ews_mchild(req, "Restriction");

    if (resnode) {
        code = exch_ews_restriction_parse(ews, ref->m, resnode, 0, &res);
        if (code != EXCH_EWS_NOERROR) {
            return code;
        }
    }

    code = exch_ews_sort_parse(ews, ref->m, exch_ews_mchild(req, "SortOrder"),
                               &sort);
    if (code != EXCH_EWS_NOERROR) {
        return code;
    }

    code = exch_ews_find_view(ews, req, ref->m, &res, &sort, &max, &view);
    if (code != EXCH_EWS_NOERROR) {
        return code;
    }

    if (view) {
        memset(pg, 0, sizeof(exch_ews_paging_t));
        pg->kind = view == 1 ? 0 : pg->kind;
        pg->max = max;
    }

    /* GroupBy: the group field first in the sort */

    gtag = 0;
    gb = exch_ews_mchild(req, "GroupBy");

    if (gb) {
        gp = exch_ews_path_node(gb);

        if (gp == NULL) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        code = exch_ews_path_parse(ews, ref->m, gp, 0, &gpath);
        if (code != EXCH_EWS_NOERROR) {
            return code;
        }

        gtag = gpath.tag;

    } else if ((gb = exch_ews_mchild(req, "DistinguishedGroupBy")) != NULL) {
        gtag = PR_CONVERSATION_TOPIC;
    }

    if (gtag && !(PROP_TYPE(gtag) & PT_MV)) {
        gsort.n = sort.n + 1;
        gsort.ncategories = 0;
        gsort.nexpanded = 0;
        gsort.keys = exs_calloc(ews->a, gsort.n * sizeof(exs_sort_t));
        if (gsort.keys == NULL) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }

        gsort.keys[0].tag = gtag;
        gsort.keys[0].order = exch_ews_attr(gb, "Order")
                              && strcmp(exch_ews_attr(gb, "Order"),
                                        "Descending") == 0
                              ? TABLE_SORT_DESCEND : TABLE_SORT_ASCEND;

        for (i = 0; i < sort.n; i++) {
            gsort.keys[i + 1] = sort.keys[i];
        }

        sort = gsort;

    } else {
        gtag = 0;
        gb = NULL;
    }

    rc = exs_folder_info(ref->m->mb, ref->fid, &info);
    if (rc != EXS_OK) {
        return exch_ews_code_from_rc(rc, 1);
    }

    search = info.type == EXS_FOLDER_SEARCH;

    if (view == 1 && !search) {
        /* recurring items are expanded later; masters show as they are */
    }

    rc = exs_table_open(ref->m->mb, ref->fid, EXS_TABLE_CONTENTS, flags,
                        sort.n ? &sort : NULL, res, &t, ews->a);
    if (rc != EXS_OK) {
        return rc == EXS_INVALID ? EXCH_EWS_ERR_INVALID_RESTRICTION
                                 : exch_ews_code_from_rc(rc, 1);
    }

    rc = exs_table_count(t, &total);
    if (rc != EXS_OK) {
        return exch_ews_code_from_rc(rc, 1);
    }

    exch_ews_paging_range(pg, total, &start, &count);

    rc = exch_ews_item_tags(ews, ref->m, shape, &tags, &ntags, &whole);
    if (rc != EXS_OK) {
        return rc == EXS_INVALID ? exch_ews_shape_error(shape)
                                 : EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    if (gtag) {
        exch_ews_tags_add(tags, &ntags, 256 + EXCH_EWS_MAX_PATHS,
                                 gtag);
    }

    ids = exs_alloc(ews->a, (count ? count : 1) * sizeof(exs_id_t));
    if (ids == NULL) {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    rows = NULL;
    got = 0;

    if (count) {
        rc = exs_table_rows(t, start, count, tags, ntags, &rows, ids, &got,
                            ews->a);
        if (rc != EXS_OK) {
            return exch_ews_code_from_rc(rc, 1);
        }
    }

    exch_ews_msg_ok(ews);
    exch_buf_str(&ews->out, "<m:RootFolder");

    if (view == 1) {
        exch_buf_printf(&ews->out, " TotalItemsInView=\"%u\" "
                        "IncludesLastItemInRange=\"%s\"", total,
                        start + got >= total ? "true" : "false");

    } else {
        exch_ews_paging_attrs(ews, pg, total, start, got);
    }

    exch_buf_str(&ews->out, gtag ? "><t:Groups>" : "><t:Items>");

    gs = 0;

    for (i = 0; i < got; i++) {
        if (gtag) {
            /* a new group when the value changes */
            gv = exs_props_get(&rows[i], gtag);
            pv = i ? exs_props_get(&rows[gs], gtag) : NULL;

            if (i == 0 || (gv == NULL) != (pv == NULL)
                || (gv && pv && exs_prop_cmp(gv, pv, 1) != 0))
            {
                if (i) {
                    exch_buf_str(&ews->out, "</t:Items></t:GroupedItems>");
                }

                gs = i;
                exch_buf_str(&ews->out, "<t:GroupedItems><t:GroupIndex>");

                if (gv) {
                    exch_ews_group_index(ews, gb ? gpath.field : NULL, gv);
                }

                exch_buf_str(&ews->out, "</t:GroupIndex><t:Items>");
            }
        }

        fid = ref->fid;

        if (search && exs_message_parent(ref->m->mb, ids[i], &fid) != EXS_OK) {
            fid = ref->fid;
        }

        mark = ews->out.len;

        if (whole) {
            rc = exs_message_read(ref->m->mb, ids[i],
                                  EXS_READ_PROPS | EXS_READ_RCPTS
                                  | EXS_READ_ATTACH, &msg, ews->a);

        } else {
            memset(&row, 0, sizeof(exs_msg_t));
            row.props = rows[i];
            msg = &row;
            rc = EXS_OK;
        }

        if (rc == EXS_OK) {
            rc = exch_ews_item_write(ews, ref->m, fid, ids[i], msg, shape,
                                     NULL, 0);
        }

        if (rc != EXS_OK) {
            ews->out.len = mark;

            if (rc == EXS_NOMEM) {
                return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
            }
        }
    }

    if (gtag) {
        if (got) {
            exch_buf_str(&ews->out, "</t:Items></t:GroupedItems>");
        }

        exch_buf_str(&ews->out, "</t:Groups></m:RootFolder>");

    } else {
        exch_buf_str(&ews->out, "</t:Items></m:RootFolder>");
    }

    exch_ews_msg_end(ews);

    return EXCH_EWS_NOERROR;
}


/* a group's GroupIndex: its value as the field writes it */

static void
exch_ews_group_index(exch_ews_t *ews, const exch_ews_field_t *f,
    const exs_prop_t *v)
{
    char         tmp[40];
    size_t       before;
    const char  *name;

    switch (PROP_TYPE(v->tag)) {

    case PT_UNICODE:
        exch_buf_text(&ews->out, v->v.str.data, v->v.str.len);
        return;

    case PT_BOOLEAN:
        exch_buf_str(&ews->out, v->v.b ? "true" : "false");
        return;

    case PT_SYSTIME:
        exch_ews_time_format(v->v.ll, tmp, sizeof(tmp));
        exch_buf_str(&ews->out, tmp);
        return;

    case PT_LONG:
        if (f && f->kind == EXCH_K_ENUM && f->aux) {
            name = exch_ews_enum_name(f->aux, v->v.l);

            if (name) {
                exch_buf_str(&ews->out, name);
                return;
            }
        }

        break;

    default:
        break;
    }

    /* the value of <t:Value>, without the element */

    before = ews->out.len;
    exch_ews_value_write(&ews->out, v);

    if (ews->out.len >= before + 19) {
        memmove(ews->out.data + before, ews->out.data + before + 9,
                ews->out.len - before - 19);
        ews->out.len -= 19;
    }
}


int
exch_ews_op_find_item(exch_ews_t *ews, xmlNodePtr req)
{
    int                     rc;
    unsigned                flags;
    xmlNodePtr              parents, c;
    const char             *trav;
    exch_ews_code_t         code, pcode;
    exch_ews_shape_t       *shape;
    exch_ews_paging_t       pg;
    exch_ews_folder_ref_t   ref;

    shape = exch_ews_shape_new(ews, exch_ews_mchild(req, "ItemShape"), 0,
                               &code);
    if (shape == NULL) {
        return EXCH_EWS_FAIL;
    }
    shape->find = 1;
    parents = exch_ews_mchild(req, "ParentFolderIds");
    trav = exch_ews_attr(req, "Traversal");
    pcode = exch_ews_paging_parse(req, &pg);

    if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION || parents == NULL
        || trav == NULL || pcode == EXCH_EWS_ERR_SCHEMA_VALIDATION
        || (strcmp(trav, "Shallow") != 0 && strcmp(trav, "SoftDeleted") != 0
            && strcmp(trav, "Associated") != 0))
    {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "FindItem needs Traversal, ItemShape and "
                              "ParentFolderIds.");
    }

    if (code == EXCH_EWS_NOERROR) {
        code = pcode;
    }

    flags = strcmp(trav, "SoftDeleted") == 0 ? EXS_TABLE_SOFT_DELETED
            : strcmp(trav, "Associated") == 0 ? EXS_TABLE_ASSOCIATED : 0;

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

        if (rc == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
            exch_ews_end(ews, EXS_ERROR);
            return exch_ews_fault(ews, rc, NULL,
                                  "The folder id is not valid.");
        }

        if (rc == EXCH_EWS_NOERROR) {
            rc = exch_ews_find_folder_items(ews, req, &ref, shape, &pg,
                                            flags);
        }

        if (rc == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
            exch_ews_end(ews, EXS_ERROR);
            return exch_ews_fault(ews, rc, NULL,
                                  "The request is not valid.");
        }

        if (rc != EXCH_EWS_NOERROR) {
            exch_ews_msg_error(ews, rc, NULL);
        }
    }

    exch_ews_resp_end(ews);
    exch_ews_end(ews, EXS_ERROR);

    return EXCH_EWS_OK;
}


/* GetItem */

int
exch_ews_op_get_item(exch_ews_t *ews, xmlNodePtr req)
{
    size_t                 mark;
    uint64_t               total;
    xmlNodePtr             ids, c;
    exch_ews_code_t        code, scode;
    exs_msg_info_t         info;
    exch_ews_shape_t      *shape;
    exch_ews_item_ref_t    it;

    shape = exch_ews_shape_new(ews, exch_ews_mchild(req, "ItemShape"), 0,
                               &code);
    if (shape == NULL) {
        return EXCH_EWS_FAIL;
    }
    ids = exch_ews_mchild(req, "ItemIds");

    if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION || ids == NULL) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "GetItem needs ItemShape and ItemIds.");
    }

    if (exch_ews_begin(ews, 0) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    if (shape->include_mime && !ews->in_thread) {
        /* large messages are converted in a thread */

        total = 0;

        for (c = ids->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE
                && exch_ews_item_ref(ews, c, &it) == EXCH_EWS_NOERROR
                && exs_message_info(it.m->mb, it.mid, &info) == EXS_OK)
            {
                total += (uint64_t) info.size;
            }
        }

        if (total >= EXCH_MIME_THREAD_MIN) {
            exch_ews_end(ews, EXS_ERROR);
            return EXCH_EWS_AGAIN;
        }
    }

    exch_ews_resp_begin(ews);
    scode = code;

    for (c = ids->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        if (scode != EXCH_EWS_NOERROR) {
            exch_ews_msg_error(ews, scode, NULL);
            continue;
        }

        code = exch_ews_item_ref(ews, c, &it);

        if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
            exch_ews_end(ews, EXS_ERROR);
            return exch_ews_fault(ews, code, NULL,
                                  "The item id is not valid.");
        }

        if (code == EXCH_EWS_NOERROR
            && exs_message_info(it.m->mb, it.mid, &info) == EXS_OK)
        {
            it.fid = info.fid;
        }

        if (code == EXCH_EWS_NOERROR) {
            exch_ews_msg_ok(ews);
            exch_buf_str(&ews->out, "<m:Items>");
            mark = ews->out.len;

            code = exch_ews_item_get_write(ews, it.m, it.fid, it.mid, shape);

            if (code == EXCH_EWS_NOERROR) {
                exch_buf_str(&ews->out, "</m:Items>");
                exch_ews_msg_end(ews);
                continue;
            }

            ews->out.len = mark;
        }

        exch_ews_msg_error(ews, code, NULL);
        code = EXCH_EWS_NOERROR;
    }

    exch_ews_resp_end(ews);
    exch_ews_end(ews, EXS_ERROR);

    return EXCH_EWS_OK;
}


/* CreateItem */

static int
exch_ews_disposition(const char *s)
{
    if (s == NULL || strcmp(s, "SaveOnly") == 0) {
        return EXCH_SEND_NONE;
    }

    if (strcmp(s, "SendOnly") == 0) {
        return EXCH_SEND_ONLY;
    }

    if (strcmp(s, "SendAndSaveCopy") == 0) {
        return EXCH_SEND_AND_SAVE;
    }

    return -1;
}


static exs_id_t
exch_ews_default_folder(unsigned type, int send)
{
    switch (type) {
    case EXCH_IT_CALENDAR:
        return EXS_FID_CALENDAR;
    case EXCH_IT_CONTACT:
    case EXCH_IT_DL:
        return EXS_FID_CONTACTS;
    case EXCH_IT_TASK:
        return EXS_FID_TASKS;
    case EXCH_IT_POST:
        return EXS_FID_INBOX;
    default:
        return send ? EXS_FID_OUTBOX : EXS_FID_DRAFTS;
    }
}


static exch_ews_code_t
exch_ews_create_one(exch_ews_t *ews, xmlNodePtr item,
    exch_ews_folder_ref_t *saved, int send, exch_ews_mbox_t **mp,
    exs_id_t *fidp, exs_id_t *midp, unsigned *typep)
{
    int               rc;
    unsigned          type;
    exs_id_t          fid, mid;
    xmlNodePtr        mime;
    exs_msg_t        *msg;
    exs_prop_t       *fl;
    exch_ews_mbox_t  *m;
    exch_ews_code_t   code;

    type = exch_ews_item_type_of((const char *) item->name);

    if (type == 0 || !exch_xml_is(item, EXCH_EWS_NS_T, NULL)) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    if (saved->m) {
        m = saved->m;
        fid = saved->fid;

    } else {
        rc = exch_ews_mbox(ews, NULL, &m);
        if (rc != EXS_OK) {
            return exch_ews_code_from_rc(rc, 1);
        }

        fid = exch_ews_default_folder(type, send);
    }

    if (send && !(type & (EXCH_IT_MESSAGE | EXCH_IT_MTG))) {
        send = EXCH_SEND_NONE;
    }

    if (send && saved->m) {
        /* the message waits in the Outbox; SavedItemFolderId is where
         * the sent copy goes */
        fid = EXS_FID_OUTBOX;
    }

    mime = exch_ews_tchild(item, "MimeContent");

    if (mime) {
        code = exch_ews_mime_import(ews, m, mime, &msg);
        if (code != EXCH_EWS_NOERROR) {
            return code;
        }

    } else {
        msg = exs_msg_create(ews->a);
        if (msg == NULL) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }
    }

    code = exch_ews_item_read(ews, m, item, type, 1, msg);
    if (code != EXCH_EWS_NOERROR) {
        return code;
    }

    rc = exch_ews_item_defaults(ews, m, type, msg);

    if (rc == EXS_INVALID) {
        return EXCH_EWS_ERR_CALENDAR_END_BEFORE_START;
    }

    if (rc != EXS_OK) {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    fl = exs_props_get(&msg->props, PR_MESSAGE_FLAGS);

    if (fl && (type & (EXCH_IT_MESSAGE | EXCH_IT_MTG))) {
        /* a new message is a draft until it is sent; one given as MIME
         * is a received one (as Exchange has it) unless it is sent now */
        if (mime && !send) {
            fl->v.l &= ~MSGFLAG_UNSENT;

        } else {
            fl->v.l |= MSGFLAG_UNSENT;
        }
    }

    if (send && msg->nrcpts == 0) {
        return EXCH_EWS_ERR_INVALID_RECIPIENTS;
    }

    rc = exs_message_create(m->mb, fid, msg, 0, &mid);

    if (rc != EXS_OK) {
        return rc == EXS_DENIED ? EXCH_EWS_ERR_ACCESS_DENIED
               : rc == EXS_NOTFOUND ? EXCH_EWS_ERR_FOLDER_NOT_FOUND
               : exch_ews_code_from_rc(rc, 0);
    }

    if (send) {
        code = exch_ews_send(ews, m, mid, send,
                             send == EXCH_SEND_AND_SAVE && saved->m == m
                             ? saved->fid : 0);
        if (code != EXCH_EWS_NOERROR) {
            return code;
        }

        mid = 0;
    }

    *mp = m;
    *fidp = fid;
    *midp = mid;
    *typep = type;

    return EXCH_EWS_NOERROR;
}


int
exch_ews_op_create_item(exch_ews_t *ews, xmlNodePtr req)
{
    int                     send, invite;
    unsigned                type;
    exs_id_t                fid, mid;
    xmlNodePtr              items, c, sf;
    exch_ews_mbox_t        *m;
    exch_ews_code_t         code, scode;
    exch_ews_folder_ref_t   saved;

    items = exch_ews_mchild(req, "Items");
    send = exch_ews_disposition(exch_ews_attr(req, "MessageDisposition"));
    invite = exch_ews_meeting_disposition(exch_ews_attr(req,
                                              "SendMeetingInvitations"));

    if (items == NULL || send < 0 || invite < 0) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "CreateItem needs Items.");
    }

    if ((send != EXCH_SEND_NONE || invite) && !ews->in_thread) {
        /* sending converts to MIME and delivers: in a thread */
        return EXCH_EWS_AGAIN;
    }

    if (exch_ews_begin(ews, 1) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    memset(&saved, 0, sizeof(exch_ews_folder_ref_t));
    scode = EXCH_EWS_NOERROR;
    sf = exch_ews_mchild(req, "SavedItemFolderId");

    if (sf) {
        scode = exch_ews_folder_ref_in(ews, sf, &saved);

        if (scode == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
            exch_ews_end(ews, EXS_ERROR);
            return exch_ews_fault(ews, scode, NULL,
                                  "The folder id is not valid.");
        }

        if (scode != EXCH_EWS_NOERROR) {
            saved.m = NULL;
        }
    }

    exch_ews_resp_begin(ews);

    for (c = items->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        code = scode;
        m = NULL;
        fid = 0;
        mid = 0;
        type = 0;

        if (code == EXCH_EWS_NOERROR
            && exch_ews_attr(req, "MessageDisposition") == NULL
            && exch_xml_is(c, EXCH_EWS_NS_T, "Message"))
        {
            /* Exchange wants a disposition for messages */
            code = EXCH_EWS_ERR_INVALID_REQUEST;
        }

        if (code == EXCH_EWS_NOERROR) {
            code = exch_ews_create_one(ews, c, &saved, send, &m, &fid, &mid,
                                       &type);
        }

        if (code == EXCH_EWS_NOERROR && invite && type == EXCH_IT_CALENDAR) {
            code = exch_ews_code_from_rc(exch_ews_meeting_send(ews, m, mid, 0,
                                                               invite == 2),
                                         0);
        }

        if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
            exch_ews_end(ews, EXS_ERROR);
            return exch_ews_fault(ews, code, NULL,
                                  "The item is not valid.");
        }

        if (code != EXCH_EWS_NOERROR) {
            exch_ews_msg_error(ews, code, NULL);
            continue;
        }

        exch_ews_msg_ok(ews);

        if (mid == 0) {
            exch_buf_str(&ews->out, "<m:Items/>");

        } else {
            exch_buf_printf(&ews->out, "<m:Items><t:%s>",
                            exch_ews_item_type_name(type));

            if (exch_ews_write_item_id(ews, "ItemId", m, fid, mid, NULL)
                != EXS_OK)
            {
                exch_ews_end(ews, EXS_ERROR);
                return EXCH_EWS_FAIL;
            }

            exch_buf_printf(&ews->out, "</t:%s></m:Items>",
                            exch_ews_item_type_name(type));
        }

        exch_ews_msg_end(ews);
    }

    exch_ews_resp_end(ews);

    return exch_ews_commit_or_fault(ews);
}


/* UpdateItem */

static int
exch_ews_props_same(const exs_prop_t *a, const exs_prop_t *b)
{
    if (a->tag != b->tag) {
        return 0;
    }

    switch (PROP_TYPE(a->tag)) {
    case PT_UNICODE:
    case PT_STRING8:
        return a->v.str.len == b->v.str.len
               && memcmp(a->v.str.data, b->v.str.data, a->v.str.len) == 0;
    case PT_BINARY:
    case PT_CLSID:
        return a->v.bin.len == b->v.bin.len
               && (a->v.bin.len == 0
                   || memcmp(a->v.bin.data, b->v.bin.data, a->v.bin.len)
                      == 0);
    default:
        return exs_prop_cmp(a, b, 0) == 0;
    }
}


/* the element carrying a field's new value inside SetItemField */

static xmlNodePtr
exch_ews_update_value(xmlNodePtr upd, xmlNodePtr uri,
    const exch_ews_path_t *path)
{
    xmlNodePtr   item, c;
    const char  *name;

    item = NULL;

    for (c = upd->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && c != uri) {
            item = c;
            break;
        }
    }

    if (item == NULL) {
        return NULL;
    }

    if (path->extended && !path->indexed) {
        return exch_ews_tchild(item, "ExtendedProperty");
    }

    if (path->field == NULL) {
        return item;
    }

    name = path->field->name;

    for (c = item->children; c; c = c->next) {
        if (exch_xml_is(c, EXCH_EWS_NS_T, name)) {
            return c;
        }
    }

    return NULL;
}


static exch_ews_code_t
exch_ews_check_ck(exch_ews_t *ews, exch_ews_item_ref_t *it)
{
    int          rc;
    uint32_t     tag;
    exs_bin_t    ck;
    exs_prop_t  *cur;
    exs_props_t  props;

    if (it->ck == NULL || *it->ck == '\0') {
        return EXCH_EWS_NOERROR;
    }

    if (exch_ews_ck_decode(it->ck, strlen(it->ck), &ck, ews->a) != EXS_OK) {
        return EXCH_EWS_ERR_INVALID_CHANGE_KEY;
    }

    if (ck.len == 0) {
        return EXCH_EWS_NOERROR;
    }

    memset(&props, 0, sizeof(exs_props_t));
    tag = PR_CHANGE_KEY;

    rc = exs_message_get(it->m->mb, it->mid, &tag, 1, &props, ews->a);
    if (rc != EXS_OK) {
        return exch_ews_code_from_rc(rc, 0);
    }

    cur = exs_props_get(&props, PR_CHANGE_KEY);

    if (cur == NULL || cur->v.bin.len != ck.len
        || memcmp(cur->v.bin.data, ck.data, ck.len) != 0)
    {
        return EXCH_EWS_ERR_IRRESOLVABLE_CONFLICT;
    }

    return EXCH_EWS_NOERROR;
}


static exch_ews_code_t
exch_ews_update_one(exch_ews_t *ews, xmlNodePtr ch, const char *conflict,
    int send, exch_ews_folder_ref_t *saved, exch_ews_item_ref_t *it)
{
    int               rc, full, read_before, read_after;
    unsigned          type;
    uint32_t          i, ndel, tag;
    uint32_t         *del;
    xmlNodePtr        idn, ups, u, uri, val;
    exs_msg_t        *msg, *orig, *whole;
    exs_prop_t       *p, *o, *cls;
    exs_props_t       set;
    exch_ews_code_t   code;
    exch_ews_path_t   path;
    exs_msg_info_t    info;

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
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    code = exch_ews_item_ref(ews, idn, it);
    if (code != EXCH_EWS_NOERROR) {
        return code;
    }

    rc = exs_message_info(it->m->mb, it->mid, &info);
    if (rc != EXS_OK) {
        return exch_ews_code_from_rc(rc, 0);
    }

    it->fid = info.fid;

    if (conflict == NULL || strcmp(conflict, "AlwaysOverwrite") != 0) {
        code = exch_ews_check_ck(ews, it);
        if (code != EXCH_EWS_NOERROR) {
            return code;
        }
    }

    rc = exs_message_read(it->m->mb, it->mid,
                          EXS_READ_PROPS | EXS_READ_RCPTS, &orig, ews->a);
    if (rc != EXS_OK) {
        return exch_ews_code_from_rc(rc, 0);
    }

    /* a working copy: the original bag stays for the difference */

    msg = exs_msg_create(ews->a);
    if (msg == NULL || exs_props_copy(ews->a, &msg->props, &orig->props)
                       != EXS_OK)
    {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    msg->nrcpts = orig->nrcpts;
    msg->rcpts_cap = orig->nrcpts;
    msg->rcpts = orig->rcpts;

    cls = exs_props_get(&msg->props, PR_MESSAGE_CLASS);
    type = exch_ews_item_type(cls ? cls->v.str.data : NULL);
    full = 0;

    for (u = ups->children; u; u = u->next) {
        if (u->type != XML_ELEMENT_NODE) {
            continue;
        }

        uri = exch_ews_path_node(u);

        if (uri == NULL) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        code = exch_ews_path_parse(ews, it->m, uri, 1, &path);
        if (code != EXCH_EWS_NOERROR) {
            return code;
        }

        if (path.field && !path.extended
            && (path.field->kind == EXCH_K_RCPTS
                || path.field->kind == EXCH_K_ATTENDEES))
        {
            full = 1;
        }

        if (exch_xml_is(u, EXCH_EWS_NS_T, "DeleteItemField")) {
            code = exch_ews_field_delete(ews, it->m, &path, msg);

        } else if (exch_xml_is(u, EXCH_EWS_NS_T, "SetItemField")
                   || exch_xml_is(u, EXCH_EWS_NS_T, "AppendToItemField"))
        {
            if (path.field && !path.extended
                && (path.field->flags & EXCH_F_RO)
                && path.field->kind != EXCH_K_NONE)
            {
                return EXCH_EWS_ERR_INVALID_PROPERTY_SET;
            }

            if (path.field && (path.field->flags & EXCH_F_CREATE)
                && !path.extended)
            {
                return EXCH_EWS_ERR_INVALID_PROPERTY_SET;
            }

            val = exch_ews_update_value(u, uri, &path);

            if (val == NULL) {
                return EXCH_EWS_ERR_INCORRECT_UPDATE_PROPERTY_COUNT;
            }

            code = exch_ews_field_set(ews, it->m, &path, val, type,
                                      exch_xml_is(u, EXCH_EWS_NS_T,
                                                  "AppendToItemField"),
                                      msg);

        } else {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        if (code != EXCH_EWS_NOERROR) {
            return code;
        }
    }

    if (type == EXCH_IT_CALENDAR || type == EXCH_IT_TASK) {
        /* the derived properties follow (duration, common start...) */
        if (exch_ews_item_defaults(ews, it->m, type, msg) != EXS_OK) {
            return EXCH_EWS_ERR_CALENDAR_END_BEFORE_START;
        }
    }

    /* the read state is a change of its own */

    p = exs_props_get(&orig->props, PR_MESSAGE_FLAGS);
    read_before = p && (p->v.l & MSGFLAG_READ);
    p = exs_props_get(&msg->props, PR_MESSAGE_FLAGS);
    read_after = p && (p->v.l & MSGFLAG_READ);

    if (read_before != read_after) {
        rc = exs_message_set_read(it->m->mb, it->mid, read_after);
        if (rc != EXS_OK) {
            return exch_ews_code_from_rc(rc, 0);
        }
    }

    if (full) {
        rc = exs_message_read(it->m->mb, it->mid, EXS_READ_ALL, &whole,
                              ews->a);
        if (rc != EXS_OK) {
            return exch_ews_code_from_rc(rc, 0);
        }

        whole->props = msg->props;
        whole->nrcpts = msg->nrcpts;
        whole->rcpts_cap = msg->rcpts_cap;
        whole->rcpts = msg->rcpts;

        rc = exs_message_save(it->m->mb, it->mid, whole, NULL);
        if (rc != EXS_OK) {
            return exch_ews_code_from_rc(rc, 0);
        }

    } else {
        /* only what changed, without reading the attachments */

        memset(&set, 0, sizeof(exs_props_t));

        for (i = 0; i < msg->props.n; i++) {
            p = &msg->props.v[i];

            if (p->tag == PR_MESSAGE_FLAGS) {
                continue;
            }

            o = exs_props_get(&orig->props, p->tag);

            if (o == NULL || !exch_ews_props_same(o, p)) {
                if (exs_props_set(ews->a, &set, p) != EXS_OK) {
                    return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
                }
            }
        }

        del = exs_alloc(ews->a, (orig->props.n + 1) * sizeof(uint32_t));
        if (del == NULL) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }

        ndel = 0;

        for (i = 0; i < orig->props.n; i++) {
            tag = orig->props.v[i].tag;

            if (exs_props_get(&msg->props, tag) == NULL) {
                del[ndel++] = tag;
            }
        }

        if (ndel) {
            rc = exs_message_delprops(it->m->mb, it->mid, del, ndel);
            if (rc != EXS_OK) {
                return exch_ews_code_from_rc(rc, 0);
            }
        }

        if (set.n) {
            rc = exs_message_set(it->m->mb, it->mid, &set);
            if (rc != EXS_OK) {
                return exch_ews_code_from_rc(rc, 0);
            }
        }
    }

    if (send && (type & (EXCH_IT_MESSAGE | EXCH_IT_MTG))) {
        code = exch_ews_send(ews, it->m, it->mid, send,
                             saved->m ? saved->fid : 0);
        if (code != EXCH_EWS_NOERROR) {
            return code;
        }

        it->mid = 0;
    }

    return EXCH_EWS_NOERROR;
}


int
exch_ews_op_update_item(exch_ews_t *ews, xmlNodePtr req)
{
    int                     send, invite;
    uint32_t                tag;
    unsigned                type;
    xmlNodePtr              changes, c, sf;
    exs_prop_t             *cls;
    exs_props_t             props;
    const char             *conflict;
    exch_ews_code_t         code;
    exch_ews_item_ref_t     it;
    exch_ews_folder_ref_t   saved;

    changes = exch_ews_mchild(req, "ItemChanges");
    conflict = exch_ews_attr(req, "ConflictResolution");
    send = exch_ews_disposition(exch_ews_attr(req, "MessageDisposition"));
    invite = exch_ews_meeting_disposition(
                 exch_ews_attr(req, "SendMeetingInvitationsOrCancellations"));

    if (changes == NULL || send < 0 || invite < 0 || conflict == NULL
        || (strcmp(conflict, "NeverOverwrite") != 0
            && strcmp(conflict, "AutoResolve") != 0
            && strcmp(conflict, "AlwaysOverwrite") != 0))
    {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "UpdateItem needs ConflictResolution and "
                              "ItemChanges.");
    }

    if ((send != EXCH_SEND_NONE || invite) && !ews->in_thread) {
        return EXCH_EWS_AGAIN;
    }

    if (exch_ews_begin(ews, 1) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    memset(&saved, 0, sizeof(exch_ews_folder_ref_t));
    sf = exch_ews_mchild(req, "SavedItemFolderId");

    if (sf && exch_ews_folder_ref_in(ews, sf, &saved) != EXCH_EWS_NOERROR) {
        saved.m = NULL;
    }

    exch_ews_resp_begin(ews);

    for (c = changes->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        code = exch_ews_update_one(ews, c, conflict, send, &saved, &it);

        type = 0;

        if (code == EXCH_EWS_NOERROR && it.mid) {
            memset(&props, 0, sizeof(exs_props_t));
            tag = PR_MESSAGE_CLASS;
            exs_message_get(it.m->mb, it.mid, &tag, 1, &props, ews->a);
            cls = exs_props_get(&props, PR_MESSAGE_CLASS);
            type = exch_ews_item_type(cls ? cls->v.str.data : NULL);
        }

        if (code == EXCH_EWS_NOERROR && invite && type == EXCH_IT_CALENDAR) {
            code = exch_ews_code_from_rc(exch_ews_meeting_send(ews, it.m,
                                                               it.mid, 0,
                                                               invite == 2),
                                         0);
        }

        if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
            exch_ews_end(ews, EXS_ERROR);
            return exch_ews_fault(ews, code, NULL,
                                  "The item change is not valid.");
        }

        if (code != EXCH_EWS_NOERROR) {
            exch_ews_msg_error(ews, code, NULL);
            continue;
        }

        exch_ews_msg_ok(ews);

        if (it.mid == 0) {
            exch_buf_str(&ews->out, "<m:Items/>");

        } else {
            exch_buf_printf(&ews->out, "<m:Items><t:%s>",
                            exch_ews_item_type_name(type));

            if (exch_ews_write_item_id(ews, "ItemId", it.m, it.fid, it.mid,
                                       NULL)
                != EXS_OK)
            {
                exch_ews_end(ews, EXS_ERROR);
                return EXCH_EWS_FAIL;
            }

            exch_buf_printf(&ews->out, "</t:%s></m:Items>",
                            exch_ews_item_type_name(type));
        }

        exch_buf_str(&ews->out, "<m:ConflictResults><t:Count>0</t:Count>"
                                "</m:ConflictResults>");
        exch_ews_msg_end(ews);
    }

    exch_ews_resp_end(ews);

    return exch_ews_commit_or_fault(ews);
}


/* DeleteItem */

int
exch_ews_op_delete_item(exch_ews_t *ews, xmlNodePtr req)
{
    int                   rc, cancel;
    uint32_t              tag;
    unsigned              flags, itype;
    xmlNodePtr            ids, c;
    exs_prop_t           *cls;
    exs_props_t           props;
    const char           *type, *task;
    exch_ews_code_t       code;
    exs_msg_info_t        info;
    exch_ews_item_ref_t   it;

    ids = exch_ews_mchild(req, "ItemIds");
    type = exch_ews_attr(req, "DeleteType");
    task = exch_ews_attr(req, "AffectedTaskOccurrences");

    if (ids == NULL || type == NULL
        || (strcmp(type, "HardDelete") != 0
            && strcmp(type, "SoftDelete") != 0
            && strcmp(type, "MoveToDeletedItems") != 0))
    {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "DeleteItem needs DeleteType and ItemIds.");
    }

    flags = strcmp(type, "HardDelete") == 0 ? EXS_DEL_HARD : 0;
    cancel = exch_ews_meeting_disposition(exch_ews_attr(req,
                                              "SendMeetingCancellations"));

    if (cancel < 0) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "SendMeetingCancellations is not valid.");
    }

    if (cancel && !ews->in_thread) {
        return EXCH_EWS_AGAIN;          /* cancellations are sent */
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

        code = exch_ews_item_ref(ews, c, &it);

        if (code == EXCH_EWS_NOERROR) {
            rc = exs_message_info(it.m->mb, it.mid, &info);
            code = exch_ews_code_from_rc(rc, 0);
        }

        itype = 0;

        if (code == EXCH_EWS_NOERROR) {
            memset(&props, 0, sizeof(exs_props_t));
            tag = PR_MESSAGE_CLASS;

            if (exs_message_get(it.m->mb, it.mid, &tag, 1, &props, ews->a)
                == EXS_OK
                && (cls = exs_props_get(&props, PR_MESSAGE_CLASS)) != NULL)
            {
                itype = exch_ews_item_type(cls->v.str.data);
            }
        }

        if (code == EXCH_EWS_NOERROR && task == NULL
            && itype == EXCH_IT_TASK)
        {
            exch_ews_msg_error(ews, EXCH_EWS_ERR_INVALID_REQUEST,
                               "AffectedTaskOccurrences is required to "
                               "delete a task.");
            continue;
        }

        if (code == EXCH_EWS_NOERROR && cancel && itype == EXCH_IT_CALENDAR
            && !info.deleted)
        {
            code = exch_ews_code_from_rc(exch_ews_meeting_send(ews, it.m,
                                                               it.mid, 1,
                                                               cancel == 2),
                                         0);
        }

        if (code == EXCH_EWS_NOERROR) {
            if (strcmp(type, "MoveToDeletedItems") == 0
                && info.fid != EXS_FID_DELETED_ITEMS && !info.deleted)
            {
                rc = exs_message_move(it.m->mb, &it.mid, 1,
                                      EXS_FID_DELETED_ITEMS, NULL);

            } else {
                rc = exs_message_delete(it.m->mb, &it.mid, 1, flags);
            }

            code = exch_ews_code_from_rc(rc, 0);
        }

        if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
            exch_ews_end(ews, EXS_ERROR);
            return exch_ews_fault(ews, code, NULL,
                                  "The item id is not valid.");
        }

        exch_ews_msg_result(ews, code);
    }

    exch_ews_resp_end(ews);

    return exch_ews_commit_or_fault(ews);
}


/* MoveItem, CopyItem */

static int
exch_ews_move_copy_item(exch_ews_t *ews, xmlNodePtr req, int copy)
{
    int                     rc;
    exs_id_t                nmid;
    uint32_t                tag;
    unsigned                type;
    xmlNodePtr              ids, c, rn;
    exs_prop_t             *cls;
    exs_props_t             props;
    exch_ews_code_t         code, tcode;
    exch_ews_item_ref_t     it;
    exch_ews_folder_ref_t   to;
    int                     return_ids;

    ids = exch_ews_mchild(req, "ItemIds");

    if (ids == NULL || exch_ews_mchild(req, "ToFolderId") == NULL) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "ToFolderId and ItemIds are required.");
    }

    rn = exch_ews_mchild(req, "ReturnNewItemIds");
    return_ids = rn == NULL || exch_ews_bool(exch_ews_value(rn)) != 0;

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
            code = exch_ews_item_ref(ews, c, &it);
        }

        if (code == EXCH_EWS_NOERROR && it.m != to.m) {
            code = EXCH_EWS_ERR_CROSS_MAILBOX_MOVE_COPY;
        }

        if (code == EXCH_EWS_NOERROR) {
            rc = copy ? exs_message_copy(it.m->mb, &it.mid, 1, to.fid, &nmid)
                      : exs_message_move(it.m->mb, &it.mid, 1, to.fid, &nmid);
            code = exch_ews_code_from_rc(rc, 0);
        }

        if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
            exch_ews_end(ews, EXS_ERROR);
            return exch_ews_fault(ews, code, NULL,
                                  "The item id is not valid.");
        }

        if (code != EXCH_EWS_NOERROR) {
            exch_ews_msg_error(ews, code, NULL);
            continue;
        }

        exch_ews_msg_ok(ews);

        if (!return_ids) {
            exch_buf_str(&ews->out, "<m:Items/>");

        } else {
            memset(&props, 0, sizeof(exs_props_t));
            tag = PR_MESSAGE_CLASS;
            exs_message_get(to.m->mb, nmid, &tag, 1, &props, ews->a);
            cls = exs_props_get(&props, PR_MESSAGE_CLASS);
            type = exch_ews_item_type(cls ? cls->v.str.data : NULL);

            exch_buf_printf(&ews->out, "<m:Items><t:%s>",
                            exch_ews_item_type_name(type));

            if (exch_ews_write_item_id(ews, "ItemId", to.m, to.fid, nmid,
                                       NULL)
                != EXS_OK)
            {
                exch_ews_end(ews, EXS_ERROR);
                return EXCH_EWS_FAIL;
            }

            exch_buf_printf(&ews->out, "</t:%s></m:Items>",
                            exch_ews_item_type_name(type));
        }

        exch_ews_msg_end(ews);
    }

    exch_ews_resp_end(ews);

    return exch_ews_commit_or_fault(ews);
}


int
exch_ews_op_move_item(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_move_copy_item(ews, req, 0);
}


int
exch_ews_op_copy_item(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_move_copy_item(ews, req, 1);
}


/* sending: the mail engineer's submission path */

static exch_ews_code_t
exch_ews_send(exch_ews_t *ews, exch_ews_mbox_t *m, exs_id_t mid, int send,
    exs_id_t sent_fid)
{
    int  rc;

    rc = exch_ews_submit(ews, m, mid, send == EXCH_SEND_ONLY, sent_fid);

    if (rc == EXS_INVALID) {
        return EXCH_EWS_ERR_INVALID_RECIPIENTS;
    }

    return exch_ews_code_from_rc(rc, 0);
}


/* SendItem */

int
exch_ews_op_send_item(exch_ews_t *ews, xmlNodePtr req)
{
    int                     save;
    xmlNodePtr              ids, c, sf;
    const char             *s;
    exch_ews_code_t         code, scode;
    exs_msg_info_t          info;
    exch_ews_item_ref_t     it;
    exch_ews_folder_ref_t   saved;

    ids = exch_ews_mchild(req, "ItemIds");
    s = exch_ews_attr(req, "SaveItemToFolder");

    if (ids == NULL || s == NULL || exch_ews_bool(s) < 0) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "SendItem needs SaveItemToFolder and ItemIds.");
    }

    save = exch_ews_bool(s);

    if (exch_ews_begin(ews, 1) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    memset(&saved, 0, sizeof(exch_ews_folder_ref_t));
    scode = EXCH_EWS_NOERROR;
    sf = exch_ews_mchild(req, "SavedItemFolderId");

    if (sf) {
        scode = exch_ews_folder_ref_in(ews, sf, &saved);

        if (scode == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
            exch_ews_end(ews, EXS_ERROR);
            return exch_ews_fault(ews, scode, NULL,
                                  "The folder id is not valid.");
        }
    }

    exch_ews_resp_begin(ews);

    for (c = ids->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        code = scode;

        if (code == EXCH_EWS_NOERROR) {
            code = exch_ews_item_ref(ews, c, &it);
        }

        if (code == EXCH_EWS_NOERROR
            && exs_message_info(it.m->mb, it.mid, &info) != EXS_OK)
        {
            code = EXCH_EWS_ERR_ITEM_NOT_FOUND;
        }

        if (code == EXCH_EWS_NOERROR) {
            code = exch_ews_check_ck(ews, &it);
        }

        if (code == EXCH_EWS_NOERROR) {
            code = exch_ews_send(ews, it.m, it.mid,
                                 save ? EXCH_SEND_AND_SAVE : EXCH_SEND_ONLY,
                                 saved.m ? saved.fid : 0);
        }

        exch_ews_msg_result(ews, code);
    }

    exch_ews_resp_end(ews);

    return exch_ews_commit_or_fault(ews);
}


/* MarkAllItemsAsRead */

int
exch_ews_op_mark_all_items_as_read(exch_ews_t *ews, xmlNodePtr req)
{
    int                     rc, read;
    uint32_t                n, got, i;
    exs_id_t               *ids;
    xmlNodePtr              fids, c;
    exs_table_t            *t;
    exch_ews_code_t         code;
    exs_restriction_t       res;
    exch_ews_folder_ref_t   ref;

    fids = exch_ews_mchild(req, "FolderIds");
    read = exch_ews_bool(exch_ews_value(exch_ews_mchild(req, "ReadFlag")));

    if (fids == NULL || read < 0) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "MarkAllItemsAsRead needs ReadFlag and "
                              "FolderIds.");
    }

    if (exch_ews_begin(ews, 1) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    /* only the items whose state differs */

    memset(&res, 0, sizeof(exs_restriction_t));
    res.type = RES_BITMASK;
    res.u.bitmask.op = read ? BMR_EQZ : BMR_NEZ;
    res.u.bitmask.tag = PR_MESSAGE_FLAGS;
    res.u.bitmask.mask = MSGFLAG_READ;

    exch_ews_resp_begin(ews);

    for (c = fids->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        code = exch_ews_folder_ref(ews, c, &ref);

        if (code == EXCH_EWS_NOERROR) {
            rc = exs_table_open(ref.m->mb, ref.fid, EXS_TABLE_CONTENTS, 0,
                                NULL, &res, &t, ews->a);

            if (rc == EXS_OK) {
                rc = exs_table_count(t, &n);
            }

            if (rc == EXS_OK && n) {
                ids = exs_alloc(ews->a, n * sizeof(exs_id_t));
                rc = ids ? exs_table_ids(t, 0, n, ids, &got) : EXS_NOMEM;

                for (i = 0; rc == EXS_OK && i < got; i++) {
                    rc = exs_message_set_read(ref.m->mb, ids[i], read);
                }
            }

            code = exch_ews_code_from_rc(rc, 1);
        }

        exch_ews_msg_result(ews, code);
    }

    exch_ews_resp_end(ews);

    return exch_ews_commit_or_fault(ews);
}


/* MarkAsJunk: moves to Junk E-mail, or back to the Inbox */

int
exch_ews_op_mark_as_junk(exch_ews_t *ews, xmlNodePtr req)
{
    int                   rc, junk, move;
    exs_id_t              nmid, to;
    xmlNodePtr            ids, c;
    exch_ews_code_t       code;
    exs_msg_info_t        info;
    exch_ews_item_ref_t   it;

    ids = exch_ews_mchild(req, "ItemIds");
    junk = exch_ews_bool(exch_ews_attr(req, "IsJunk"));
    move = exch_ews_bool(exch_ews_attr(req, "MoveItem"));

    if (ids == NULL || junk < 0 || move < 0) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "MarkAsJunk needs IsJunk, MoveItem and "
                              "ItemIds.");
    }

    to = junk ? EXS_FID_JUNK : EXS_FID_INBOX;

    if (exch_ews_begin(ews, 1) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    exch_ews_resp_begin(ews);

    for (c = ids->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        code = exch_ews_item_ref(ews, c, &it);
        nmid = 0;

        if (code == EXCH_EWS_NOERROR) {
            rc = exs_message_info(it.m->mb, it.mid, &info);
            code = exch_ews_code_from_rc(rc, 0);
        }

        if (code == EXCH_EWS_NOERROR && move && info.fid != to) {
            rc = exs_message_move(it.m->mb, &it.mid, 1, to, &nmid);
            code = exch_ews_code_from_rc(rc, 0);
        }

        if (code != EXCH_EWS_NOERROR) {
            exch_ews_msg_error(ews, code, NULL);
            continue;
        }

        exch_ews_msg_ok(ews);

        if (nmid) {
            if (exch_ews_write_item_id(ews, "MovedItemId", it.m, to, nmid,
                                       NULL)
                != EXS_OK)
            {
                exch_ews_end(ews, EXS_ERROR);
                return EXCH_EWS_FAIL;
            }
        }

        exch_ews_msg_end(ews);
    }

    exch_ews_resp_end(ews);

    return exch_ews_commit_or_fault(ews);
}
