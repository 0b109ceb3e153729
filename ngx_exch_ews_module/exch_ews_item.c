
/*
 * exch EWS: items as responses write them -- every field of the item types
 * from the MAPI properties of a message (MS-OXWSCORE, MS-OXWSMSG,
 * MS-OXWSCAL, MS-OXWSCONT, MS-OXWSTASK, MS-OXWSPOST, MS-OXWSATT).
 */


#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <exs_oxcmail.h>

#include <openssl/evp.h>

#include "exch_ews_items.h"


#define EXCH_PREVIEW_LEN        255


typedef struct {
    exch_ews_t               *ews;
    exch_ews_mbox_t          *m;
    exs_id_t                  fid;
    exs_id_t                  mid;
    const exs_msg_t          *msg;
    const exs_props_t        *p;
    exch_ews_shape_t         *shape;
    unsigned                  type;
    const uint32_t           *att_path;
    uint32_t                  natt;
} exch_ews_iw_t;


static void exch_ews_field_tags(exch_ews_t *ews, exch_ews_mbox_t *m,
    const exch_ews_field_t *f, uint32_t *tags, uint32_t *n, uint32_t max,
    int *whole);
static int exch_ews_field_write(exch_ews_iw_t *w, const exch_ews_field_t *f);
static exs_prop_t *exch_ews_np(exch_ews_iw_t *w, int np);
static int exch_ews_item_plan(exch_ews_t *ews, exch_ews_shape_t *shape,
    uint32_t type);
static int exch_ews_convid(exch_ews_t *ews, const exs_props_t *props,
    uint8_t *id);
static exs_prop_t *exch_ews_fprop(exch_ews_iw_t *w,
    const exch_ews_field_t *f);
static void exch_ews_mailbox_write(exch_ews_iw_t *w, const char *name,
    const char *email, const char *addrtype, const char *smtp,
    const char *mtype);
static void exch_ews_mbox_group_write(exch_ews_iw_t *w,
    const exch_ews_field_t *f);
static void exch_ews_rcpts_write(exch_ews_iw_t *w, const exch_ews_field_t *f,
    int attendees);
static void exch_ews_replyto_write(exch_ews_iw_t *w,
    const exch_ews_field_t *f);
static int exch_ews_body_write(exch_ews_iw_t *w, const char *elem,
    int type, int preview);
static void exch_ews_headers_write(exch_ews_iw_t *w);
static void exch_ews_uid_write(exch_ews_iw_t *w, const exch_ews_field_t *f);
static void exch_ews_tz_write(exch_ews_iw_t *w, const exch_ews_field_t *f);
static void exch_ews_contact_write(exch_ews_iw_t *w,
    const exch_ews_field_t *f);
static void exch_ews_dlmembers_write(exch_ews_iw_t *w);
static void exch_ews_flag_write(exch_ews_iw_t *w);
static void exch_ews_item_rights_write(exch_ews_iw_t *w);
static const char *exch_ews_html_utf8(exch_ews_t *ews, const exs_props_t *p,
    size_t *len);


/* the tags to read */

void
exch_ews_tags_add(uint32_t *tags, uint32_t *n, uint32_t max, uint32_t tag)
{
    uint32_t  i;

    if (tag == 0) {
        return;
    }

    for (i = 0; i < *n; i++) {
        if (tags[i] == tag) {
            return;
        }
    }

    if (*n < max) {
        tags[(*n)++] = tag;
    }
}


static void
exch_ews_field_tags(exch_ews_t *ews, exch_ews_mbox_t *m,
    const exch_ews_field_t *f, uint32_t *tags, uint32_t *n, uint32_t max,
    int *whole)
{
    int                          i, j;
    const exch_ews_mbox_tags_t  *mt;

#define ADD(t)    exch_ews_tags_add(tags, n, max, (t))
#define NP(np)    ADD(exch_ews_np_tag(ews, m, (np), 0))

    switch (f->kind) {

    case EXCH_K_MAILBOX:
        mt = f->aux;
        ADD(mt->name);
        ADD(mt->email);
        ADD(mt->addrtype);
        ADD(mt->smtp);
        break;

    case EXCH_K_BODY:
    case EXCH_K_UNIQUEBODY:
    case EXCH_K_NORMBODY:
    case EXCH_K_TEXTBODY:
    case EXCH_K_PREVIEW:
        ADD(PR_BODY);
        ADD(PR_HTML);
        ADD(PR_INTERNET_CPID);
        break;

    case EXCH_K_ATTACHMENTS:
    case EXCH_K_RCPTS:
    case EXCH_K_ATTENDEES:
    case EXCH_K_MIME:
        *whole = 1;
        break;

    case EXCH_K_REPLYTO:
        ADD(PR_REPLY_RECIPIENT_NAMES);
        ADD(PR_REPLY_RECIPIENT_ENTRIES);
        break;

    case EXCH_K_FLAG:
        ADD(PR_FLAG_STATUS);
        ADD(PR_FLAG_COMPLETE_TIME);
        NP(EXCH_NP_TASK_START);
        NP(EXCH_NP_TASK_DUE);
        break;

    case EXCH_K_CALTYPE:
        NP(EXCH_NP_RECURRING);
        break;

    case EXCH_K_DURATION:
        NP(EXCH_NP_APPT_START_WHOLE);
        NP(EXCH_NP_APPT_END_WHOLE);
        NP(EXCH_NP_APPT_DURATION);
        break;

    case EXCH_K_TZ:
        NP(f->np);
        NP(EXCH_NP_TIMEZONE_DESC);
        break;

    case EXCH_K_COMPLETENAME:
        ADD(PR_DISPLAY_NAME_PREFIX);
        ADD(PR_GIVEN_NAME);
        ADD(PR_MIDDLE_NAME);
        ADD(PR_SURNAME);
        ADD(PR_GENERATION);
        ADD(PR_INITIALS);
        ADD(PR_DISPLAY_NAME);
        ADD(PR_NICKNAME);
        NP(EXCH_NP_YOMI_FIRST);
        NP(EXCH_NP_YOMI_LAST);
        break;

    case EXCH_K_EMAILS:
        for (i = 0; exch_ews_emails[i].key; i++) {
            NP(exch_ews_emails[i].np);
            NP(exch_ews_emails[i].np - 2);      /* the display name */
        }
        break;

    case EXCH_K_PHONES:
        for (i = 0; exch_ews_phones[i].key; i++) {
            ADD(exch_ews_phones[i].tag);
        }
        break;

    case EXCH_K_IMADDRS:
        for (i = 0; exch_ews_imaddrs[i].key; i++) {
            NP(exch_ews_imaddrs[i].np);
        }
        break;

    case EXCH_K_ADDRESSES:
        for (i = 0; exch_ews_addresses[i].key; i++) {
            for (j = 0; j < 5; j++) {
                if (exch_ews_addresses[i].part[j].np) {
                    NP(exch_ews_addresses[i].part[j].np);
                } else {
                    ADD(exch_ews_addresses[i].part[j].tag);
                }
            }
        }
        break;

    case EXCH_K_DLMEMBERS:
        NP(EXCH_NP_DL_ONEOFF_MEMBERS);
        NP(EXCH_NP_DL_MEMBERS);
        break;

    case EXCH_K_HEADERS:
        ADD(PR_TRANSPORT_MESSAGE_HEADERS);
        break;

    case EXCH_K_MSGFLAG:
    case EXCH_K_READ:
        ADD(PR_MESSAGE_FLAGS);
        break;

    case EXCH_K_SIZE:
        ADD(PR_MESSAGE_SIZE);
        break;

    case EXCH_K_UID:
        NP(EXCH_NP_GLOBAL_OBJID);
        NP(EXCH_NP_CLEAN_GLOBAL_OBJID);
        break;

    case EXCH_K_ITEMID:
        ADD(PR_CHANGE_KEY);
        break;

    case EXCH_K_NONE:
    case EXCH_K_EXTENDED:
    case EXCH_K_PARENTFOLDER:
    case EXCH_K_RESPONSEOBJECTS:
    case EXCH_K_CULTURE:
        ADD(PR_MESSAGE_LOCALE_ID);
        break;

    case EXCH_K_CONVID:
        ADD(PR_CONVERSATION_ID);
        ADD(PR_CONVERSATION_INDEX);
        ADD(PR_CONVERSATION_TOPIC);
        ADD(PR_SUBJECT);
        break;

    case EXCH_K_RECURRENCE:
        NP(f->np);
        NP(EXCH_NP_TZDEF_START);
        NP(EXCH_NP_APPT_START_WHOLE);
        break;

    case EXCH_K_RIGHTS:
    case EXCH_K_CONTACTSOURCE:
        if (f->np) {
            NP(f->np);
        }
        break;

    default:
        if (f->np) {
            NP(f->np);
        } else {
            ADD(f->tag);
        }
        break;
    }

#undef ADD
#undef NP
}


int
exch_ews_item_tags(exch_ews_t *ews, exch_ews_mbox_t *m,
    exch_ews_shape_t *shape, uint32_t **tagsp, uint32_t *ntags, int *whole)
{
    uint32_t                        i, n, max;
    uint32_t                       *tags;
    const exch_ews_field_t         *f;
    const exch_ews_field_t *const  *g;
    static const unsigned           types[] = {
        EXCH_IT_MESSAGE, EXCH_IT_CALENDAR, EXCH_IT_CONTACT, EXCH_IT_DL,
        EXCH_IT_TASK, EXCH_IT_POST, EXCH_IT_MREQ, 0
    };
    const unsigned                 *t;

    *whole = 0;

    if (exch_ews_shape_resolve(ews, m, shape) != EXCH_EWS_NOERROR) {
        return EXS_INVALID;
    }

    max = 256 + EXCH_EWS_MAX_PATHS;

    tags = exs_alloc(ews->a, max * sizeof(uint32_t));
    if (tags == NULL) {
        return EXS_NOMEM;
    }

    n = 0;
    exch_ews_tags_add(tags, &n, max, PR_MESSAGE_CLASS);
    exch_ews_tags_add(tags, &n, max, PR_CHANGE_KEY);
    exch_ews_tags_add(tags, &n, max, PR_MESSAGE_FLAGS);

    for (t = types; *t; t++) {
        for (g = exch_ews_type_groups(*t); *g; g++) {
            for (f = *g; f->name; f++) {
                if ((f->types & *t)
                    && exch_ews_shape_wants(shape, f, ews->version))
                {
                    exch_ews_field_tags(ews, m, f, tags, &n, max, whole);
                }
            }
        }
    }

    for (i = 0; i < shape->npaths; i++) {
        if (shape->resolved[i].extended || shape->resolved[i].indexed) {
            exch_ews_tags_add(tags, &n, max, shape->resolved[i].tag);
        }
    }

    *tagsp = tags;
    *ntags = n;

    return EXS_OK;
}


/* property access */

static exs_prop_t *
exch_ews_np(exch_ews_iw_t *w, int np)
{
    uint32_t  tag;

    tag = exch_ews_np_tag(w->ews, w->m, np, 0);

    return tag ? exs_props_get(w->p, tag) : NULL;
}


/*
 * PR_CONVERSATION_ID as Exchange derives it (MS-OXOMSG 2.2.1.3): the
 * GUID in the conversation index's header, else an MD5 digest of the
 * conversation topic (the subject without its prefix).
 */

static int
exch_ews_convid(exch_ews_t *ews, const exs_props_t *props, uint8_t *id)
{
    unsigned     n;
    exs_prop_t  *p;

    p = exs_props_get(props, PR_CONVERSATION_ID);

    if (p && PROP_TYPE(p->tag) == PT_BINARY && p->v.bin.len == 16) {
        memcpy(id, p->v.bin.data, 16);
        return 0;
    }

    p = exs_props_get(props, PR_CONVERSATION_INDEX);

    if (p && PROP_TYPE(p->tag) == PT_BINARY && p->v.bin.len >= 22) {
        memcpy(id, p->v.bin.data + 6, 16);
        return 0;
    }

    p = exs_props_get(props, PR_CONVERSATION_TOPIC);

    if (p == NULL) {
        p = exs_props_get(props, PR_SUBJECT);
    }

    if (p == NULL || PROP_TYPE(p->tag) != PT_UNICODE) {
        return -1;
    }

    /* OpenSSL 3 looks the digest up again on each EVP_md5() digest */

    if (ews->md5 == NULL) {
        ews->md5 = EVP_MD_fetch(NULL, "MD5", NULL);
        if (ews->md5 == NULL) {
            return -1;
        }
    }

    n = 16;

    return EVP_Digest(p->v.str.data, p->v.str.len, id, &n, ews->md5, NULL)
           == 1 ? 0 : -1;
}


static exs_prop_t *
exch_ews_fprop(exch_ews_iw_t *w, const exch_ews_field_t *f)
{
    exs_prop_t  *p;

    if (f->np) {
        return exch_ews_np(w, f->np);
    }

    p = exs_props_get(w->p, f->tag);

    if (p && PROP_TYPE(p->tag) == PT_ERROR) {
        return NULL;
    }

    return p;
}


static const char *
exch_ews_pstr(const exs_props_t *props, uint32_t tag)
{
    exs_prop_t  *p;

    if (tag == 0) {
        return NULL;
    }

    p = exs_props_get(props, tag);

    if (p == NULL || (PROP_TYPE(p->tag) != PT_UNICODE
                      && PROP_TYPE(p->tag) != PT_STRING8))
    {
        return NULL;
    }

    return p->v.str.data;
}


/* writing */

/* the fields of a type the shape asks for, in the schema's order */

static int
exch_ews_item_plan(exch_ews_t *ews, exch_ews_shape_t *shape, uint32_t type)
{
    uint32_t                        n, pass;
    const exch_ews_field_t         *f;
    const exch_ews_field_t *const  *g;

    shape->plan = NULL;
    shape->nplan = 0;

    for (pass = 0; pass < 2; pass++) {
        n = 0;

        for (g = exch_ews_type_groups(type); *g; g++) {
            for (f = *g; f->name; f++) {
                if (!(f->types & type)) {
                    continue;
                }

                if (f->kind != EXCH_K_EXTENDED
                    && !exch_ews_shape_wants(shape, f, ews->version))
                {
                    continue;
                }

                if (pass) {
                    shape->plan[n] = f;
                }

                n++;
            }
        }

        if (pass == 0) {
            shape->plan = exs_alloc(ews->a, (n ? n : 1)
                                            * sizeof(exch_ews_field_t *));
            if (shape->plan == NULL) {
                return EXS_NOMEM;
            }
        }
    }

    shape->nplan = n;
    shape->plan_type = type;

    return EXS_OK;
}


int
exch_ews_item_write(exch_ews_t *ews, exch_ews_mbox_t *m, exs_id_t fid,
    exs_id_t mid, const exs_msg_t *msg, exch_ews_shape_t *shape,
    const uint32_t *att_path, uint32_t natt)
{
    int             rc;
    uint32_t        i;
    const char     *elem, *cls;
    exch_ews_iw_t   w;

    rc = exch_ews_shape_resolve(ews, m, shape);
    if (rc != EXCH_EWS_NOERROR) {
        return EXS_INVALID;
    }

    w.ews = ews;
    w.m = m;
    w.fid = fid;
    w.mid = mid;
    w.msg = msg;
    w.p = &msg->props;
    w.shape = shape;
    w.att_path = att_path;
    w.natt = natt;

    cls = exch_ews_pstr(w.p, PR_MESSAGE_CLASS);
    w.type = exch_ews_item_type(cls);
    elem = exch_ews_item_type_name(w.type);

    if (shape->plan == NULL || shape->plan_type != w.type) {
        rc = exch_ews_item_plan(ews, shape, w.type);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    exch_ews_open(&ews->out, elem);

    for (i = 0; i < shape->nplan; i++) {
        rc = exch_ews_field_write(&w, shape->plan[i]);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    exch_ews_close(&ews->out, elem);

    return ews->out.nomem ? EXS_NOMEM : EXS_OK;
}


static int
exch_ews_field_write(exch_ews_iw_t *w, const exch_ews_field_t *f)
{
    int           rc, bias;
    char          tmp[64];
    int64_t       secs, d;
    uint32_t      j, flags;
    exs_prop_t   *p, *p2, *p3;
    exch_buf_t   *b;
    const char   *s;
    exs_bin_t     mime;

    b = &w->ews->out;

    switch (f->kind) {

    case EXCH_K_ITEMID:
        if (w->natt) {
            break;
        }

        return exch_ews_write_item_id(w->ews, "ItemId", w->m, w->fid, w->mid,
                                      w->p);

    case EXCH_K_PARENTFOLDER:
        if (w->natt) {
            break;
        }

        rc = exch_ews_write_folder_id(w->ews, "ParentFolderId", w->m, w->fid);
        return rc == EXS_DENIED ? EXS_OK : rc;

    case EXCH_K_STRING:
        p = exch_ews_fprop(w, f);

        if (p && (PROP_TYPE(p->tag) == PT_UNICODE
                  || PROP_TYPE(p->tag) == PT_STRING8))
        {
            exch_ews_elem_n(b, f->name, p->v.str.data, p->v.str.len);
        }

        break;

    case EXCH_K_BOOL:
        p = exch_ews_fprop(w, f);

        if (p && PROP_TYPE(p->tag) == PT_BOOLEAN) {
            exch_ews_elem_bool(b, f->name, p->v.b);

        } else if (f->np == EXCH_NP_REMINDER_SET
                   || f->np == EXCH_NP_APPT_SUBTYPE
                   || f->np == EXCH_NP_RECURRING
                   || f->np == EXCH_NP_FINVITED
                   || f->tag == PR_HASATTACH
                   || f->np == EXCH_NP_TASK_COMPLETE
                   || f->np == EXCH_NP_TASK_FRECURRING
                   || f->np == EXCH_NP_TEAM_TASK
                   || f->tag == PR_READ_RECEIPT_REQUESTED
                   || f->tag == PR_ORIGINATOR_DELIVERY_REPORT_REQUESTED
                   || f->tag == PR_RESPONSE_REQUESTED)
        {
            /* these are false when absent, as Exchange says */
            exch_ews_elem_bool(b, f->name, 0);
        }

        break;

    case EXCH_K_NOTBOOL:
        p = exch_ews_fprop(w, f);
        exch_ews_elem_bool(b, f->name, p ? !p->v.b : 1);
        break;

    case EXCH_K_INT:
        p = exch_ews_fprop(w, f);

        if (p && PROP_TYPE(p->tag) == PT_LONG) {
            exch_ews_elem_int(b, f->name, p->v.l);
        }

        break;

    case EXCH_K_SIZE:
        p = exch_ews_fprop(w, f);
        exch_ews_elem_int(b, f->name, p ? p->v.l : 0);
        break;

    case EXCH_K_LONG:
        p = exch_ews_fprop(w, f);

        if (p && PROP_TYPE(p->tag) == PT_I8) {
            exch_ews_elem_int(b, f->name, p->v.ll);
        }

        break;

    case EXCH_K_DOUBLE:
        p = exch_ews_fprop(w, f);

        if (p && PROP_TYPE(p->tag) == PT_DOUBLE) {
            exch_buf_printf(b, "<t:%s>%.17g</t:%s>", f->name, p->v.d,
                            f->name);
        }

        break;

    case EXCH_K_PERCENT:
        p = exch_ews_fprop(w, f);
        exch_buf_printf(b, "<t:%s>%g</t:%s>", f->name,
                        p && PROP_TYPE(p->tag) == PT_DOUBLE
                        ? p->v.d * 100.0 : 0.0, f->name);
        break;

    case EXCH_K_TIME:
        p = exch_ews_fprop(w, f);

        if (p && PROP_TYPE(p->tag) == PT_SYSTIME) {
            exch_ews_elem_time(b, f->name, p->v.ll);
        }

        break;

    case EXCH_K_BASE64:
        p = exch_ews_fprop(w, f);

        if (p && PROP_TYPE(p->tag) == PT_BINARY) {
            exch_ews_open(b, f->name);
            exch_buf_base64(b, p->v.bin.data, p->v.bin.len);
            exch_ews_close(b, f->name);
        }

        break;

    case EXCH_K_ENUM:
        p = exch_ews_fprop(w, f);

        if (p && PROP_TYPE(p->tag) == PT_LONG) {
            s = exch_ews_enum_name(f->aux, p->v.l);

        } else if (f->tag == PR_SENSITIVITY) {
            s = "Normal";

        } else if (f->tag == PR_IMPORTANCE) {
            s = "Normal";

        } else if (f->np == EXCH_NP_TASK_STATUS) {
            s = "NotStarted";

        } else if (f->np == EXCH_NP_RESPONSE_STATUS
                   && w->type == EXCH_IT_CALENDAR)
        {
            s = "Organizer";

        } else {
            s = NULL;
        }

        if (s) {
            exch_ews_elem(b, f->name, s);
        }

        break;

    case EXCH_K_STRINGS:
        p = exch_ews_fprop(w, f);

        if (p && PROP_TYPE(p->tag) == PT_MV_UNICODE && p->v.mv.n) {
            exch_ews_open(b, f->name);

            for (j = 0; j < p->v.mv.n; j++) {
                exch_ews_elem_n(b, "String", p->v.mv.v.str[j].data,
                                p->v.mv.v.str[j].len);
            }

            exch_ews_close(b, f->name);
        }

        break;

    case EXCH_K_MSGFLAG:
    case EXCH_K_READ:
        p = exs_props_get(w->p, PR_MESSAGE_FLAGS);
        flags = p ? (uint32_t) p->v.l : 0;
        exch_ews_elem_bool(b, f->name,
                           (flags & (f->kind == EXCH_K_READ ? MSGFLAG_READ
                                     : (uint32_t) ((const exch_ews_enum_t *)
                                                   f->aux)->value)) != 0);
        break;

    case EXCH_K_STATEFLAG:
        p = exch_ews_fprop(w, f);
        exch_ews_elem_bool(b, f->name,
                           p && (p->v.l & ((const exch_ews_enum_t *)
                                           f->aux)->value));
        break;

    case EXCH_K_CALTYPE:
        p = exch_ews_fprop(w, f);
        exch_ews_elem(b, f->name, p && p->v.b ? "RecurringMaster" : "Single");
        break;

    case EXCH_K_DURATION:
        p = exch_ews_np(w, EXCH_NP_APPT_START_WHOLE);
        p2 = exch_ews_np(w, EXCH_NP_APPT_END_WHOLE);

        if (p && p2 && p2->v.ll >= p->v.ll) {
            secs = (p2->v.ll - p->v.ll) / 10000000;
            d = secs / 86400;
            secs %= 86400;

            if (d) {
                snprintf(tmp, sizeof(tmp), "P%lldDT%lldH%lldM%lldS",
                         (long long) d, (long long) (secs / 3600),
                         (long long) (secs / 60 % 60),
                         (long long) (secs % 60));
            } else {
                snprintf(tmp, sizeof(tmp), "PT%lldH%lldM%lldS",
                         (long long) (secs / 3600),
                         (long long) (secs / 60 % 60),
                         (long long) (secs % 60));
            }

            exch_ews_elem(b, f->name, tmp);
        }

        break;

    case EXCH_K_CULTURE:
        p = exs_props_get(w->p, PR_MESSAGE_LOCALE_ID);
        s = p ? exch_ews_culture((uint32_t) p->v.l) : NULL;
        exch_ews_elem(b, f->name, s ? s : "en-US");
        break;

    case EXCH_K_CONTACTSOURCE:
        exch_ews_elem(b, f->name, "Store");
        break;

    case EXCH_K_RIGHTS:
        exch_ews_item_rights_write(w);
        break;

    case EXCH_K_CONVID:
        if (exch_ews_convid(w->ews, w->p, (uint8_t *) tmp) == 0) {
            exch_buf_str(b, "<t:ConversationId Id=\"");
            exch_buf_base64(b, tmp, 16);
            exch_buf_str(b, "\"/>");
        }

        break;

    case EXCH_K_FLAG:
        exch_ews_flag_write(w);
        break;

    case EXCH_K_MAILBOX:
        exch_ews_mbox_group_write(w, f);
        break;

    case EXCH_K_RCPTS:
        exch_ews_rcpts_write(w, f, 0);
        break;

    case EXCH_K_ATTENDEES:
        exch_ews_rcpts_write(w, f, 1);
        break;

    case EXCH_K_REPLYTO:
        exch_ews_replyto_write(w, f);
        break;

    case EXCH_K_BODY:
        return exch_ews_body_write(w, "Body", w->shape->body_type, 0);

    case EXCH_K_UNIQUEBODY:
        return exch_ews_body_write(w, "UniqueBody",
                                   w->shape->unique_body_type, 0);

    case EXCH_K_NORMBODY:
        return exch_ews_body_write(w, "NormalizedBody",
                                   w->shape->normalized_body_type, 0);

    case EXCH_K_TEXTBODY:
        return exch_ews_body_write(w, "TextBody", EXCH_BODY_TEXT, 0);

    case EXCH_K_PREVIEW:
        return exch_ews_body_write(w, "Preview", EXCH_BODY_TEXT, 1);

    case EXCH_K_ATTACHMENTS:
        if (w->msg->natts) {
            exch_ews_attachments_write(w->ews, w->m, w->fid, w->mid, w->msg,
                                       w->p, w->att_path, w->natt);
        }

        break;

    case EXCH_K_HEADERS:
        exch_ews_headers_write(w);
        break;

    case EXCH_K_MIME:
        rc = exch_ews_mime_export(w->ews, w->m, w->msg, &mime);
        if (rc != EXS_OK) {
            return rc;
        }

        exch_buf_str(b, "<t:MimeContent CharacterSet=\"UTF-8\">");
        exch_buf_base64(b, mime.data, mime.len);
        exch_buf_str(b, "</t:MimeContent>");
        break;

    case EXCH_K_RESPONSEOBJECTS:
        if (w->type & (EXCH_IT_MSGLIKE | EXCH_IT_POST)) {
            p = exs_props_get(w->p, PR_MESSAGE_FLAGS);

            if (p && (p->v.l & MSGFLAG_UNSENT)) {
                break;
            }

            exch_buf_str(b, "<t:ResponseObjects><t:ReplyToItem/>"
                            "<t:ReplyAllToItem/><t:ForwardItem/>"
                            "</t:ResponseObjects>");
        }

        break;

    case EXCH_K_EXTENDED:
        exch_ews_shape_ext_write(w->ews, w->shape, w->p);
        break;

    case EXCH_K_UID:
        exch_ews_uid_write(w, f);
        break;

    case EXCH_K_TZ:
        exch_ews_tz_write(w, f);
        break;

    case EXCH_K_RECURRENCE:
        p = exch_ews_fprop(w, f);

        if (p && PROP_TYPE(p->tag) == PT_BINARY) {
            /* the dates carry the offset of the item's time zone */
            p2 = exch_ews_np(w, EXCH_NP_TZDEF_START);
            p3 = exch_ews_np(w, EXCH_NP_APPT_START_WHOLE);
            bias = 0;

            if (p2 && p3 && PROP_TYPE(p2->tag) == PT_BINARY) {
                (void) exch_ews_tzdef_bias(p2->v.bin.data, p2->v.bin.len,
                                           p3->v.ll, &bias);
            }

            exch_ews_recurrence_write(w->ews, f->name, &p->v.bin,
                                      f->np == EXCH_NP_TASK_RECURRENCE,
                                      bias);
        }

        break;

    case EXCH_K_COMPLETENAME:
    case EXCH_K_EMAILS:
    case EXCH_K_ADDRESSES:
    case EXCH_K_PHONES:
    case EXCH_K_IMADDRS:
        exch_ews_contact_write(w, f);
        break;

    case EXCH_K_DLMEMBERS:
        exch_ews_dlmembers_write(w);
        break;

    default:
        break;
    }

    return EXS_OK;
}


static void
exch_ews_item_rights_write(exch_ews_iw_t *w)
{
    int          own;
    uint32_t     r;
    exch_buf_t  *b;

    b = &w->ews->out;
    own = w->m->mailbox == w->ews->user.mailbox;
    r = 0x7FB;

    if (!own && exs_folder_rights(w->m->mb, w->fid, &r) != EXS_OK) {
        r = 0;
    }

    exch_buf_str(b, "<t:EffectiveRights>");
    exch_ews_elem_bool(b, "CreateAssociated", 0);
    exch_ews_elem_bool(b, "CreateContents", 0);
    exch_ews_elem_bool(b, "CreateHierarchy", 0);
    exch_ews_elem_bool(b, "Delete", (r & 0x50) != 0);
    exch_ews_elem_bool(b, "Modify", (r & 0x28) != 0);
    exch_ews_elem_bool(b, "Read", (r & 0x1) != 0);

    if (w->ews->version >= EXCH_EWS_V2010_SP1) {
        exch_ews_elem_bool(b, "ViewPrivateItems", own);
    }

    exch_buf_str(b, "</t:EffectiveRights>");
}


static void
exch_ews_flag_write(exch_ews_iw_t *w)
{
    exs_prop_t  *p;
    exch_buf_t  *b;

    b = &w->ews->out;
    p = exs_props_get(w->p, PR_FLAG_STATUS);

    exch_buf_str(b, "<t:Flag>");
    exch_ews_elem(b, "FlagStatus", p == NULL || p->v.l == 0 ? "NotFlagged"
                                   : p->v.l == 1 ? "Complete" : "Flagged");

    if (p && p->v.l == 2) {
        p = exch_ews_np(w, EXCH_NP_TASK_START);
        if (p) {
            exch_ews_elem_time(b, "StartDate", p->v.ll);
        }

        p = exch_ews_np(w, EXCH_NP_TASK_DUE);
        if (p) {
            exch_ews_elem_time(b, "DueDate", p->v.ll);
        }

    } else if (p && p->v.l == 1) {
        p = exs_props_get(w->p, PR_FLAG_COMPLETE_TIME);
        if (p) {
            exch_ews_elem_time(b, "CompleteDate", p->v.ll);
        }
    }

    exch_buf_str(b, "</t:Flag>");
}


/* one <t:Mailbox> */

static void
exch_ews_mailbox_write(exch_ews_iw_t *w, const char *name, const char *email,
    const char *addrtype, const char *smtp, const char *mtype)
{
    exch_buf_t    *b;
    exs_dirent_t   e;

    b = &w->ews->out;

    if (smtp == NULL && addrtype && strcasecmp(addrtype, "EX") == 0
        && email && exs_dir_by_dn(w->ews->txn, email, &e, w->ews->a)
                    == EXS_OK)
    {
        smtp = e.address;
        mtype = "Mailbox";
    }

    if (smtp == NULL && (addrtype == NULL || strcasecmp(addrtype, "SMTP") == 0
                         || *addrtype == '\0'))
    {
        smtp = email;
    }

    exch_buf_str(b, "<t:Mailbox>");

    if (name) {
        exch_ews_elem(b, "Name", name);
    }

    if (smtp) {
        exch_ews_elem(b, "EmailAddress", smtp);
        exch_ews_elem(b, "RoutingType", "SMTP");

    } else if (email) {
        exch_ews_elem(b, "EmailAddress", email);
        exch_ews_elem(b, "RoutingType", addrtype ? addrtype : "SMTP");
    }

    if (mtype) {
        exch_ews_elem(b, "MailboxType", mtype);
    }

    exch_buf_str(b, "</t:Mailbox>");
}


static void
exch_ews_mbox_group_write(exch_ews_iw_t *w, const exch_ews_field_t *f)
{
    const char                  *name, *email, *type, *smtp;
    exs_dirent_t                 e;
    const exch_ews_mbox_tags_t  *mt;

    mt = f->aux;

    name = exch_ews_pstr(w->p, mt->name);
    email = exch_ews_pstr(w->p, mt->email);
    type = exch_ews_pstr(w->p, mt->addrtype);
    smtp = exch_ews_pstr(w->p, mt->smtp);

    if (name == NULL && email == NULL && smtp == NULL) {
        return;
    }

    exch_ews_open(&w->ews->out, f->name);
    exch_ews_mailbox_write(w, name, email, type, smtp,
                           (smtp && exs_dir_by_address(w->ews->txn, smtp, &e,
                                                       w->ews->a) == EXS_OK)
                           || (type && strcasecmp(type, "EX") == 0)
                           ? "Mailbox" : "OneOff");
    exch_ews_close(&w->ews->out, f->name);
}


static void
exch_ews_rcpts_write(exch_ews_iw_t *w, const exch_ews_field_t *f,
    int attendees)
{
    int                 any;
    uint32_t            i, rtype;
    exs_prop_t         *p;
    exch_buf_t         *b;
    const char         *smtp, *type, *resp;
    const exs_props_t  *rp;
    exs_dirent_t        e;

    b = &w->ews->out;
    rtype = (uint32_t) ((const exch_ews_enum_t *) f->aux)->value;
    any = 0;

    for (i = 0; i < w->msg->nrcpts; i++) {
        rp = &w->msg->rcpts[i].props;
        p = exs_props_get(rp, PR_RECIPIENT_TYPE);

        if (p == NULL || ((uint32_t) p->v.l & 0x0F) != rtype) {
            continue;
        }

        if (!any) {
            exch_ews_open(b, f->name);
            any = 1;
        }

        if (attendees) {
            exch_buf_str(b, "<t:Attendee>");
        }

        smtp = exch_ews_pstr(rp, PR_SMTP_ADDRESS);
        type = exch_ews_pstr(rp, PR_ADDRTYPE);

        exch_ews_mailbox_write(w, exch_ews_pstr(rp, PR_DISPLAY_NAME),
                               exch_ews_pstr(rp, PR_EMAIL_ADDRESS), type,
                               smtp,
                               (type && strcasecmp(type, "EX") == 0)
                               || (smtp && exs_dir_by_address(w->ews->txn,
                                                              smtp, &e,
                                                              w->ews->a)
                                           == EXS_OK)
                               ? "Mailbox" : "OneOff");

        if (attendees) {
            p = exs_props_get(rp, PR_RECIPIENT_TRACK_STATUS);

            switch (p ? p->v.l : 0) {
            case 1:
                resp = "Organizer";
                break;
            case 2:
                resp = "Tentative";
                break;
            case 3:
                resp = "Accept";
                break;
            case 4:
                resp = "Decline";
                break;
            case 5:
                resp = "NoResponseReceived";
                break;
            default:
                resp = "Unknown";
                break;
            }

            exch_ews_elem(b, "ResponseType", resp);

            p = exs_props_get(rp, PR_RECIPIENT_TRACK_STATUS_TIME);
            if (p && PROP_TYPE(p->tag) == PT_SYSTIME) {
                exch_ews_elem_time(b, "LastResponseTime", p->v.ll);
            }

            exch_buf_str(b, "</t:Attendee>");
        }
    }

    if (any) {
        exch_ews_close(b, f->name);
    }
}


/* PR_REPLY_RECIPIENT_ENTRIES: a FlatEntryList of one-off entry ids */

static void
exch_ews_replyto_write(exch_ews_iw_t *w, const exch_ews_field_t *f)
{
    size_t          off, len;
    uint32_t        n, i;
    exs_prop_t     *p;
    exch_buf_t     *b;
    const char     *name, *type, *addr;
    const uint8_t  *d;

    b = &w->ews->out;
    p = exs_props_get(w->p, PR_REPLY_RECIPIENT_ENTRIES);

    if (p == NULL || PROP_TYPE(p->tag) != PT_BINARY || p->v.bin.len < 8) {
        return;
    }

    d = p->v.bin.data;
    len = p->v.bin.len;
    n = d[0] | d[1] << 8 | d[2] << 16 | (uint32_t) d[3] << 24;
    off = 8;

    if (n == 0 || n > 1000) {
        return;
    }

    exch_ews_open(b, f->name);

    for (i = 0; i < n && off + 4 <= len; i++) {
        size_t  elen;

        elen = d[off] | d[off + 1] << 8 | d[off + 2] << 16
               | (size_t) d[off + 3] << 24;
        off += 4;

        if (elen > len - off) {
            break;
        }

        if (exs_oxcmail_parse_entryid(d + off, elen, &name, &type, &addr,
                                      w->ews->a)
            == EXS_OK)
        {
            exch_ews_mailbox_write(w, name, addr, type, NULL, "OneOff");
        }

        off += (elen + 3) & ~(size_t) 3;
    }

    exch_ews_close(b, f->name);
}


/* HTML bodies as UTF-8 */

static const char *
exch_ews_html_utf8(exch_ews_t *ews, const exs_props_t *p, size_t *len)
{
    char         *in, *out, *o;
    size_t        il, ol;
    iconv_t       cd;
    exs_prop_t   *h, *cp;
    const char   *cs;

    h = exs_props_get(p, PR_HTML);

    if (h == NULL || PROP_TYPE(h->tag) != PT_BINARY) {
        return NULL;
    }

    cp = exs_props_get(p, PR_INTERNET_CPID);

    if (cp == NULL || cp->v.l == 65001 || cp->v.l == 20127) {
        *len = h->v.bin.len;
        return (const char *) h->v.bin.data;
    }

    cs = exs_oxcmail_cpid_charset((uint32_t) cp->v.l);

    if (cs == NULL || (cd = iconv_open("UTF-8", cs)) == (iconv_t) -1) {
        *len = h->v.bin.len;
        return (const char *) h->v.bin.data;
    }

    il = h->v.bin.len;
    ol = il * 4 + 4;
    out = exs_alloc(ews->a, ol);

    if (out == NULL) {
        iconv_close(cd);
        return NULL;
    }

    in = (char *) h->v.bin.data;
    o = out;

    while (il) {
        if (iconv(cd, &in, &il, &o, &ol) == (size_t) -1) {
            if (ol < 4) {
                break;
            }

            in++;
            il--;
            *o++ = '?';
            ol--;
        }
    }

    iconv_close(cd);

    *len = o - out;

    return out;
}


/* text as HTML: escaped, line breaks as <br> */

static void
exch_ews_text_as_html(exch_buf_t *b, const char *s, size_t n)
{
    size_t  i, run;

    exch_buf_str(b, "&lt;html&gt;&lt;head&gt;&lt;meta http-equiv=\"Content-"
                    "Type\" content=\"text/html; charset=utf-8\"&gt;&lt;/"
                    "head&gt;&lt;body&gt;");

    run = 0;

    for (i = 0; i < n; i++) {
        if (s[i] == '\n') {
            exch_buf_text(b, s + run, i - run);

            /* an escaped <br> inside the escaped HTML */
            exch_buf_str(b, "&lt;br&gt;");
            run = i + 1;

        } else if (s[i] == '\r') {
            exch_buf_text(b, s + run, i - run);
            run = i + 1;

        } else if (s[i] == '<' || s[i] == '>' || s[i] == '&') {
            exch_buf_text(b, s + run, i - run);
            exch_buf_str(b, s[i] == '<' ? "&amp;lt;" : s[i] == '>'
                            ? "&amp;gt;" : "&amp;amp;");
            run = i + 1;
        }
    }

    exch_buf_text(b, s + run, n - run);
    exch_buf_str(b, "&lt;/body&gt;&lt;/html&gt;");
}


static int
exch_ews_body_write(exch_ews_iw_t *w, const char *elem, int type,
    int preview)
{
    char         *t;
    size_t        n, hl, i, o;
    exs_prop_t   *body;
    exch_buf_t   *b;
    const char   *html, *text;

    b = &w->ews->out;

    body = exs_props_get(w->p, PR_BODY);
    html = exch_ews_html_utf8(w->ews, w->p, &hl);

    text = body && PROP_TYPE(body->tag) == PT_UNICODE ? body->v.str.data
                                                      : NULL;
    n = text ? body->v.str.len : 0;

    if (type == EXCH_BODY_BEST) {
        type = html ? EXCH_BODY_HTML : EXCH_BODY_TEXT;
    }

    if (type == EXCH_BODY_TEXT && text == NULL && html) {
        text = exs_oxcmail_html_to_text(html, hl, &n, w->ews->a);
    }

    if (preview) {
        if (text == NULL || n == 0) {
            return EXS_OK;
        }

        t = exs_alloc(w->ews->a, EXCH_PREVIEW_LEN + 4);
        if (t == NULL) {
            return EXS_NOMEM;
        }

        /* whitespace runs as one space, at most 255 bytes, whole
         * characters */

        for (i = 0, o = 0; i < n && o < EXCH_PREVIEW_LEN; i++) {
            if (text[i] == '\r' || text[i] == '\n' || text[i] == '\t'
                || text[i] == ' ')
            {
                if (o && t[o - 1] != ' ') {
                    t[o++] = ' ';
                }

                continue;
            }

            t[o++] = text[i];
        }

        while (o && i < n && ((unsigned char) text[i] & 0xC0) == 0x80) {
            /* cut inside a character: drop its start */
            while (o && ((unsigned char) t[o - 1] & 0xC0) == 0x80) {
                o--;
            }

            if (o) {
                o--;
            }

            break;
        }

        exch_ews_elem_n(b, elem, t, o);
        return EXS_OK;
    }

    if (type == EXCH_BODY_HTML) {
        exch_buf_printf(b, "<t:%s BodyType=\"HTML\" IsTruncated=\"false\">",
                        elem);

        if (html && w->shape->filter_html) {
            html = exch_ews_html_filter(html, hl, &hl, w->ews->a);
            if (html == NULL) {
                return EXS_NOMEM;
            }
        }

        if (html) {
            exch_buf_text(b, html, hl);

        } else if (text) {
            exch_ews_text_as_html(b, text, n);
        }

    } else {
        exch_buf_printf(b, "<t:%s BodyType=\"Text\" IsTruncated=\"false\">",
                        elem);

        if (text) {
            exch_buf_text(b, text, n);
        }
    }

    exch_ews_close(b, elem);

    return EXS_OK;
}


/* PR_TRANSPORT_MESSAGE_HEADERS as InternetMessageHeader elements */

static void
exch_ews_headers_write(exch_ews_iw_t *w)
{
    size_t        nl;
    exch_buf_t   *b;
    const char   *s, *end, *line, *colon, *next, *v;

    b = &w->ews->out;
    s = exch_ews_pstr(w->p, PR_TRANSPORT_MESSAGE_HEADERS);

    if (s == NULL) {
        return;
    }

    end = s + strlen(s);

    exch_buf_str(b, "<t:InternetMessageHeaders>");

    for (line = s; line < end; line = next) {
        /* a header with its continuation lines */

        next = line;

        do {
            nl = strcspn(next, "\n");
            next += nl;

            if (next < end) {
                next++;
            }
        } while (next < end && (*next == ' ' || *next == '\t'));

        colon = memchr(line, ':', next - line);

        if (colon == NULL || colon == line) {
            continue;
        }

        exch_buf_str(b, "<t:InternetMessageHeader HeaderName=\"");
        exch_buf_text(b, line, colon - line);
        exch_buf_str(b, "\">");

        v = colon + 1;

        while (v < next && (*v == ' ' || *v == '\t')) {
            v++;
        }

        nl = next - v;

        while (nl && (v[nl - 1] == '\n' || v[nl - 1] == '\r')) {
            nl--;
        }

        exch_buf_text(b, v, nl);
        exch_buf_str(b, "</t:InternetMessageHeader>");
    }

    exch_buf_str(b, "</t:InternetMessageHeaders>");
}


/* UID from PidLidGlobalObjectId: the vCal UID it carries, else hex */

static void
exch_ews_uid_write(exch_ews_iw_t *w, const exch_ews_field_t *f)
{
    size_t          i, len, ulen;
    exs_prop_t     *p;
    exch_buf_t     *b;
    const uint8_t  *d;
    char           *hex;

    b = &w->ews->out;
    p = exch_ews_np(w, EXCH_NP_GLOBAL_OBJID);

    if (p == NULL || PROP_TYPE(p->tag) != PT_BINARY) {
        return;
    }

    d = p->v.bin.data;
    len = p->v.bin.len;

    if (len > 52 && memcmp(d + 40, "vCal-Uid\x01\x00\x00\x00", 12) == 0) {
        ulen = len - 52;

        while (ulen && d[52 + ulen - 1] == '\0') {
            ulen--;
        }

        exch_ews_elem_n(b, f->name, (const char *) d + 52, ulen);
        return;
    }

    hex = exs_alloc(w->ews->a, len * 2 + 1);
    if (hex == NULL) {
        return;
    }

    for (i = 0; i < len; i++) {
        snprintf(hex + i * 2, 3, "%02X", d[i]);
    }

    exch_ews_elem_n(b, f->name, hex, len * 2);
}


/*
 * StartTimeZone / EndTimeZone: the key name of the TZDEFINITION
 * (MS-OXOCAL 2.2.1.41) the item has, else UTC.
 */

static void
exch_ews_tz_write(exch_ews_iw_t *w, const exch_ews_field_t *f)
{
    size_t          n, i, klen;
    exs_prop_t     *p;
    exch_buf_t     *b;
    const uint8_t  *d;
    char            id[256];

    b = &w->ews->out;
    p = exch_ews_np(w, f->np);
    strcpy(id, "UTC");

    if (p && PROP_TYPE(p->tag) == PT_BINARY && p->v.bin.len >= 8) {
        d = p->v.bin.data;
        n = p->v.bin.len;
        klen = d[6] | (size_t) d[7] << 8;

        if (d[0] == 0x02 && 8 + klen * 2 <= n && klen < sizeof(id)) {
            for (i = 0; i < klen; i++) {
                id[i] = d[8 + i * 2 + 1] ? '?' : (char) d[8 + i * 2];
            }

            id[klen] = '\0';
        }
    }

    exch_buf_printf(b, "<t:%s Id=\"", f->name);
    exch_buf_cstr_text(b, id);
    exch_buf_str(b, "\"/>");
}


static void
exch_ews_contact_write(exch_ews_iw_t *w, const exch_ews_field_t *f)
{
    int                        i, j, any, anypart;
    uint32_t                   tag;
    exs_prop_t                *p;
    exch_buf_t                *b;
    const char                *s;
    const exch_ews_index_t    *ix;
    const exch_ews_address_t  *ad;

    static const struct {
        const char            *name;
        uint32_t               tag;
        int                    np;
    } names[] = {
        { "Title", PR_DISPLAY_NAME_PREFIX, 0 },
        { "FirstName", PR_GIVEN_NAME, 0 },
        { "MiddleName", PR_MIDDLE_NAME, 0 },
        { "LastName", PR_SURNAME, 0 },
        { "Suffix", PR_GENERATION, 0 },
        { "Initials", PR_INITIALS, 0 },
        { "FullName", PR_DISPLAY_NAME, 0 },
        { "Nickname", PR_NICKNAME, 0 },
        { "YomiFirstName", 0, EXCH_NP_YOMI_FIRST },
        { "YomiLastName", 0, EXCH_NP_YOMI_LAST },
        { NULL, 0, 0 }
    };

    b = &w->ews->out;
    any = 0;

    switch (f->kind) {

    case EXCH_K_COMPLETENAME:
        for (i = 0; names[i].name; i++) {
            tag = names[i].np ? exch_ews_np_tag(w->ews, w->m, names[i].np, 0)
                              : names[i].tag;
            s = exch_ews_pstr(w->p, tag);

            if (s == NULL) {
                continue;
            }

            if (!any) {
                exch_buf_str(b, "<t:CompleteName>");
                any = 1;
            }

            exch_ews_elem(b, names[i].name, s);
        }

        if (any) {
            exch_buf_str(b, "</t:CompleteName>");
        }

        return;

    case EXCH_K_ADDRESSES:
        for (ad = exch_ews_addresses; ad->key; ad++) {
            anypart = 0;

            for (j = 0; j < 5; j++) {
                tag = ad->part[j].np
                      ? exch_ews_np_tag(w->ews, w->m, ad->part[j].np, 0)
                      : ad->part[j].tag;
                s = exch_ews_pstr(w->p, tag);

                if (s == NULL) {
                    continue;
                }

                if (!any) {
                    exch_buf_str(b, "<t:PhysicalAddresses>");
                    any = 1;
                }

                if (!anypart) {
                    exch_buf_printf(b, "<t:Entry Key=\"%s\">", ad->key);
                    anypart = 1;
                }

                exch_ews_elem(b, ad->part[j].key, s);
            }

            if (anypart) {
                exch_buf_str(b, "</t:Entry>");
            }
        }

        if (any) {
            exch_buf_str(b, "</t:PhysicalAddresses>");
        }

        return;

    case EXCH_K_EMAILS:
        ix = exch_ews_emails;
        break;

    case EXCH_K_PHONES:
        ix = exch_ews_phones;
        break;

    default:
        ix = exch_ews_imaddrs;
        break;
    }

    for ( ; ix->key; ix++) {
        tag = ix->np ? exch_ews_np_tag(w->ews, w->m, ix->np, 0) : ix->tag;
        p = tag ? exs_props_get(w->p, tag) : NULL;

        if (p == NULL || PROP_TYPE(p->tag) != PT_UNICODE) {
            continue;
        }

        if (!any) {
            exch_ews_open(b, f->name);
            any = 1;
        }

        exch_buf_printf(b, "<t:Entry Key=\"%s\">", ix->key);
        exch_buf_text(b, p->v.str.data, p->v.str.len);
        exch_buf_str(b, "</t:Entry>");
    }

    if (any) {
        exch_ews_close(b, f->name);
    }
}


static void
exch_ews_dlmembers_write(exch_ews_iw_t *w)
{
    uint32_t     i;
    exs_prop_t  *p;
    exch_buf_t  *b;
    const char  *name, *type, *addr;
    char         key[16];

    b = &w->ews->out;
    p = exch_ews_np(w, EXCH_NP_DL_ONEOFF_MEMBERS);

    if (p == NULL || PROP_TYPE(p->tag) != PT_MV_BINARY || p->v.mv.n == 0) {
        return;
    }

    exch_buf_str(b, "<t:Members>");

    for (i = 0; i < p->v.mv.n; i++) {
        if (exs_oxcmail_parse_entryid(p->v.mv.v.bin[i].data,
                                      p->v.mv.v.bin[i].len, &name, &type,
                                      &addr, w->ews->a)
            != EXS_OK)
        {
            continue;
        }

        snprintf(key, sizeof(key), "%u", i);
        exch_buf_printf(b, "<t:Member Key=\"%s\">", key);
        exch_ews_mailbox_write(w, name, addr, type, NULL, "OneOff");
        exch_ews_elem(b, "Status", "Normal");
        exch_buf_str(b, "</t:Member>");
    }

    exch_buf_str(b, "</t:Members>");
}


/* a message of a folder, read as its shape needs, written */

exch_ews_code_t
exch_ews_item_get_write(exch_ews_t *ews, exch_ews_mbox_t *m, exs_id_t fid,
    exs_id_t mid, exch_ews_shape_t *shape)
{
    int           rc, whole;
    uint32_t     *tags, ntags;
    exs_msg_t    *msg;

    rc = exch_ews_item_tags(ews, m, shape, &tags, &ntags, &whole);
    if (rc != EXS_OK) {
        return rc == EXS_INVALID ? exch_ews_shape_error(shape)
                                 : EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    if (whole || shape->include_mime) {
        rc = exs_message_read(m->mb, mid, shape->include_mime
                                          ? EXS_READ_ALL
                                          : EXS_READ_PROPS | EXS_READ_RCPTS
                                            | EXS_READ_ATTACH,
                              &msg, ews->a);

    } else {
        msg = exs_msg_create(ews->a);
        rc = msg ? exs_message_get(m->mb, mid, tags, ntags, &msg->props,
                                   ews->a)
                 : EXS_NOMEM;
    }

    if (rc != EXS_OK) {
        return exch_ews_code_from_rc(rc, 0);
    }

    rc = exch_ews_item_write(ews, m, fid, mid, msg, shape, NULL, 0);

    if (rc != EXS_OK) {
        return rc == EXS_INVALID ? exch_ews_shape_error(shape)
               : rc == EXS_NOTSUP ? EXCH_EWS_ERR_MIME_CONTENT_CONVERSION_FAILED
               : exch_ews_code_from_rc(rc, 0);
    }

    return EXCH_EWS_NOERROR;
}


int
exch_ews_mime_export(exch_ews_t *ews, exch_ews_mbox_t *m,
    const exs_msg_t *msg, exs_bin_t *out)
{
    int                  rc;
    exs_oxcmail_opts_t   o;

    memset(&o, 0, sizeof(exs_oxcmail_opts_t));
    o.namemap = exs_mbox_namemap(m->mb);
    o.flags = EXS_OXCMAIL_FOR_READ | EXS_OXCMAIL_PREFER_RAW;

    rc = exs_oxcmail_export(msg, &o, out, ews->a);

    if (rc != EXS_OK) {
        exch_ews_log(ews, EXCH_EWS_LOG_ERR, "EWS: MIME export: %s",
                     exs_strerror(rc));
    }

    return rc;
}
