
/*
 * exch store: TNEF, MS-OXTNEF (see exs_tnef.h).
 *
 * A stream is a signature, a legacy key, then attributes: a level (message
 * or attachment), a 32-bit id whose high word is the attribute's type, a
 * length, the data and a checksum.  attMsgProps, attAttachment and
 * attRecipTable carry MAPI property lists (MS-OXTNEF 2.1.3.4); the rest are
 * the older attributes, mapped to the properties MS-OXTNEF 2.1.3.3 names.
 */


#include <stdio.h>
#include <string.h>
#include <time.h>

#include "exs_oxcmail_int.h"


#define EXS_TNEF_LVL_MESSAGE        0x01
#define EXS_TNEF_LVL_ATTACHMENT     0x02

#define attFrom                     0x00008000u
#define attSubject                  0x00018004u
#define attDateSent                 0x00038005u
#define attDateRecd                 0x00038006u
#define attMessageStatus            0x00068007u
#define attMessageClass             0x00078008u
#define attMessageID                0x00018009u
#define attBody                     0x0002800Cu
#define attPriority                 0x0004800Du
#define attAttachData               0x0006800Fu
#define attAttachTitle              0x00018010u
#define attAttachMetaFile           0x00068011u
#define attAttachCreateDate         0x00038012u
#define attAttachModifyDate         0x00038013u
#define attDateModified             0x00038020u
#define attAttachTransportFilename  0x00069001u
#define attAttachRenddata           0x00069002u
#define attMsgProps                 0x00069003u
#define attRecipTable               0x00069004u
#define attAttachment               0x00069005u
#define attTnefVersion              0x00089006u
#define attOemCodepage              0x00069007u
#define attOriginalMessageClass     0x00070600u
#define attDateStart                0x00030006u
#define attDateEnd                  0x00030007u
#define attAidOwner                 0x00050008u
#define attRequestRes               0x00040009u

#define EXS_TNEF_MAX_PROPS          65536    /* per list, a sanity cap */


typedef struct {
    const uint8_t            *p;
    const uint8_t            *end;
} exs_rd_t;


typedef struct {
    exs_arena_t              *a;
    exs_namemap_t            *nm;
    exs_tnef_ctx_t           *ctx;
    exs_msg_t                *msg;
    exs_attach_t             *att;       /* the attachment being read */
    const char               *charset;   /* of 8-bit strings */
    char                      cpbuf[16];
} exs_tnef_t;


typedef struct {
    const char               *legacy;
    const char               *mapi;
} exs_tnef_class_t;


static int exs_rd_u16(exs_rd_t *r, uint16_t *v);
static int exs_rd_u32(exs_rd_t *r, uint32_t *v);
static int exs_rd_skip(exs_rd_t *r, size_t n);
static int exs_tnef_attr(exs_tnef_t *t, uint8_t level, uint32_t id,
    const uint8_t *data, size_t size);
static int exs_tnef_message_attr(exs_tnef_t *t, uint32_t id,
    const uint8_t *data, size_t size);
static int exs_tnef_attach_attr(exs_tnef_t *t, uint32_t id,
    const uint8_t *data, size_t size);
static int exs_tnef_proplist(exs_tnef_t *t, exs_rd_t *r, exs_props_t *bag,
    exs_attach_t *att);
static int exs_tnef_prop(exs_tnef_t *t, exs_rd_t *r, exs_props_t *bag,
    exs_attach_t *att);
static int exs_tnef_value(exs_tnef_t *t, exs_rd_t *r, uint16_t type,
    exs_prop_t *v);
static int exs_tnef_str(exs_tnef_t *t, const uint8_t *p, size_t n,
    int unicode, exs_str_t *s);
static int exs_tnef_object(exs_tnef_t *t, exs_attach_t *att,
    const uint8_t *p, size_t n);
static int exs_tnef_set_str8(exs_tnef_t *t, exs_props_t *bag, uint32_t tag,
    const uint8_t *p, size_t n);
static int exs_tnef_set_date(exs_tnef_t *t, exs_props_t *bag, uint32_t tag,
    const uint8_t *p, size_t n);
static int exs_tnef_from(exs_tnef_t *t, const uint8_t *p, size_t n);
static int exs_tnef_recipients(exs_tnef_t *t, const uint8_t *p, size_t n);
static exs_attach_t *exs_tnef_attach(exs_tnef_t *t);
static int exs_tnef_skip_prop(uint16_t id);
static void exs_tnef_finish(exs_tnef_t *t);


static const uint8_t  exs_iid_imessage[16] = {
    0x07, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46
};

static const exs_tnef_class_t  exs_tnef_classes[] = {
    { "IPM.Microsoft Mail.Note", "IPM.Note" },
    { "IPM.Microsoft Mail.Read Receipt", "Report.IPM.Note.IPNRN" },
    { "IPM.Microsoft Mail.Non-Delivery", "Report.IPM.Note.NDR" },
    { "IPM.Microsoft Schedule.MtgRespP", "IPM.Schedule.Meeting.Resp.Pos" },
    { "IPM.Microsoft Schedule.MtgRespN", "IPM.Schedule.Meeting.Resp.Neg" },
    { "IPM.Microsoft Schedule.MtgRespA", "IPM.Schedule.Meeting.Resp.Tent" },
    { "IPM.Microsoft Schedule.MtgReq", "IPM.Schedule.Meeting.Request" },
    { "IPM.Microsoft Schedule.MtgCncl", "IPM.Schedule.Meeting.Canceled" },
    { NULL, NULL }
};


int
exs_tnef_read(const uint8_t *p, size_t len, exs_namemap_t *nm,
    exs_msg_t *msg, exs_tnef_ctx_t *ctx, exs_arena_t *a)
{
    int              rc;
    uint8_t          level;
    uint32_t         sig, id, size;
    exs_rd_t         r;
    exs_tnef_t       t;

    if (ctx->max_depth == 0) {
        ctx->max_depth = 8;
    }

    if (ctx->max_named == 0) {
        ctx->max_named = 256;
    }

    r.p = p;
    r.end = p + len;

    if (exs_rd_u32(&r, &sig) != EXS_OK || sig != EXS_TNEF_SIGNATURE
        || exs_rd_skip(&r, 2) != EXS_OK)
    {
        ctx->corrupt = 1;
        return EXS_CORRUPT;
    }

    memset(&t, 0, sizeof(t));
    t.a = a;
    t.nm = nm;
    t.ctx = ctx;
    t.msg = msg;
    t.charset = "windows-1252";

    while (r.p < r.end) {

        /* level, id, size, data, checksum */

        /*
         * Bytes that cannot start an attribute end the stream (mailers
         * pad it); an attribute that does not fit is a damaged one.
         */

        if (r.end - r.p < 11
            || (r.p[0] != EXS_TNEF_LVL_MESSAGE
                && r.p[0] != EXS_TNEF_LVL_ATTACHMENT))
        {
            break;
        }

        level = r.p[0];
        r.p++;
        id = 0;
        size = 0;
        (void) exs_rd_u32(&r, &id);
        (void) exs_rd_u32(&r, &size);

        if (size > (size_t) (r.end - r.p) - 2) {
            ctx->corrupt = 1;
            break;
        }

        rc = exs_tnef_attr(&t, level, id, r.p, size);

        if (rc == EXS_NOMEM) {
            return rc;
        }

        if (rc != EXS_OK) {
            ctx->corrupt = 1;
        }

        r.p += size + 2;
    }

    exs_tnef_finish(&t);

    return ctx->corrupt ? EXS_CORRUPT : EXS_OK;
}


static int
exs_rd_u16(exs_rd_t *r, uint16_t *v)
{
    if (r->end - r->p < 2) {
        return EXS_CORRUPT;
    }

    *v = r->p[0] | (r->p[1] << 8);
    r->p += 2;

    return EXS_OK;
}


static int
exs_rd_u32(exs_rd_t *r, uint32_t *v)
{
    if (r->end - r->p < 4) {
        return EXS_CORRUPT;
    }

    *v = r->p[0] | (r->p[1] << 8) | (r->p[2] << 16)
         | ((uint32_t) r->p[3] << 24);
    r->p += 4;

    return EXS_OK;
}


static int
exs_rd_skip(exs_rd_t *r, size_t n)
{
    if ((size_t) (r->end - r->p) < n) {
        return EXS_CORRUPT;
    }

    r->p += n;

    return EXS_OK;
}


static int
exs_tnef_attr(exs_tnef_t *t, uint8_t level, uint32_t id,
    const uint8_t *data, size_t size)
{
    if (level == EXS_TNEF_LVL_ATTACHMENT) {
        return exs_tnef_attach_attr(t, id, data, size);
    }

    return exs_tnef_message_attr(t, id, data, size);
}


static int
exs_tnef_message_attr(exs_tnef_t *t, uint32_t id, const uint8_t *data,
    size_t size)
{
    size_t                   n;
    uint32_t                 cp;
    exs_rd_t                 r;
    exs_props_t             *bag;
    const exs_tnef_class_t  *c;

    bag = &t->msg->props;

    switch (id) {

    case attOemCodepage:
        if (size >= 4) {
            cp = data[0] | (data[1] << 8) | (data[2] << 16)
                 | ((uint32_t) data[3] << 24);

            t->charset = exs_oxcmail_cpid_charset(cp);

            if (t->charset == NULL) {
                snprintf(t->cpbuf, sizeof(t->cpbuf), "CP%u", cp);
                t->charset = t->cpbuf;
            }
        }

        return EXS_OK;

    case attMessageClass:
    case attOriginalMessageClass:
        for (n = 0; n < size && data[n]; n++) {
            /* void */
        }

        for (c = exs_tnef_classes; c->legacy; c++) {
            if (strlen(c->legacy) == n && memcmp(c->legacy, data, n) == 0) {
                return exs_oxcmail_set_str(t->a, bag,
                           id == attMessageClass ? PR_MESSAGE_CLASS
                                                 : PR_ORIGINAL_MESSAGE_CLASS,
                           c->mapi);
            }
        }

        return exs_tnef_set_str8(t, bag, id == attMessageClass
                                 ? PR_MESSAGE_CLASS
                                 : PR_ORIGINAL_MESSAGE_CLASS, data, size);

    case attSubject:
        return exs_tnef_set_str8(t, bag, PR_SUBJECT, data, size);

    case attBody:
        if (exs_props_get(bag, PR_BODY)) {
            return EXS_OK;
        }

        return exs_tnef_set_str8(t, bag, PR_BODY, data, size);

    case attDateSent:
        return exs_tnef_set_date(t, bag, PR_CLIENT_SUBMIT_TIME, data, size);

    case attDateRecd:
        return exs_tnef_set_date(t, bag, PR_MESSAGE_DELIVERY_TIME, data,
                                 size);

    case attDateModified:
        return exs_tnef_set_date(t, bag, PR_LAST_MODIFICATION_TIME, data,
                                 size);

    case attDateStart:
        return exs_tnef_set_date(t, bag, PR_START_DATE, data, size);

    case attDateEnd:
        return exs_tnef_set_date(t, bag, PR_END_DATE, data, size);

    case attPriority:
        if (size < 2) {
            return EXS_CORRUPT;
        }

        /* 1 high, 2 normal, 3 low */
        return exs_props_set_long(t->a, bag, PR_IMPORTANCE,
                                  data[0] == 1 ? EXS_IMPORTANCE_HIGH
                                  : data[0] == 3 ? EXS_IMPORTANCE_LOW
                                  : EXS_IMPORTANCE_NORMAL);

    case attAidOwner:
        if (size < 4) {
            return EXS_CORRUPT;
        }

        return exs_props_set_long(t->a, bag, PR_OWNER_APPT_ID,
                                  (int32_t) (data[0] | (data[1] << 8)
                                  | (data[2] << 16)
                                  | ((uint32_t) data[3] << 24)));

    case attRequestRes:
        if (size < 2) {
            return EXS_CORRUPT;
        }

        return exs_props_set_bool(t->a, bag, PR_RESPONSE_REQUESTED,
                                  data[0] || data[1]);

    case attFrom:
        return exs_tnef_from(t, data, size);

    case attMsgProps:
        r.p = data;
        r.end = data + size;
        return exs_tnef_proplist(t, &r, bag, NULL);

    case attRecipTable:
        return exs_tnef_recipients(t, data, size);

    default:
        /* attTnefVersion, attMessageStatus, attMessageID, attOwner ... */
        return EXS_OK;
    }
}


static exs_attach_t *
exs_tnef_attach(exs_tnef_t *t)
{
    if (t->att == NULL) {
        t->att = exs_msg_add_attach(t->a, t->msg);
    }

    return t->att;
}


static int
exs_tnef_attach_attr(exs_tnef_t *t, uint32_t id, const uint8_t *data,
    size_t size)
{
    uint16_t       atyp;
    uint32_t       pos;
    exs_rd_t       r;
    exs_attach_t  *att;

    if (id == attAttachRenddata) {
        t->att = exs_msg_add_attach(t->a, t->msg);
        if (t->att == NULL) {
            return EXS_NOMEM;
        }

        r.p = data;
        r.end = data + size;

        if (exs_rd_u16(&r, &atyp) != EXS_OK
            || exs_rd_u32(&r, &pos) != EXS_OK)
        {
            return EXS_CORRUPT;
        }

        if (exs_props_set_long(t->a, &t->att->props, PR_RENDERING_POSITION,
                               (int32_t) pos) != EXS_OK
            || exs_props_set_long(t->a, &t->att->props, PR_ATTACH_METHOD,
                                  atyp == 2 ? EXS_ATTACH_OLE
                                            : EXS_ATTACH_BY_VALUE)
               != EXS_OK)
        {
            return EXS_NOMEM;
        }

        return EXS_OK;
    }

    att = exs_tnef_attach(t);
    if (att == NULL) {
        return EXS_NOMEM;
    }

    switch (id) {

    case attAttachData:
        if (exs_props_get(&att->props, PR_ATTACH_DATA_BIN)) {
            return EXS_OK;
        }

        return exs_props_set_bin(t->a, &att->props, PR_ATTACH_DATA_BIN,
                                 data, size);

    case attAttachTitle:
        return exs_tnef_set_str8(t, &att->props, PR_ATTACH_FILENAME, data,
                                 size);

    case attAttachTransportFilename:
        return exs_tnef_set_str8(t, &att->props, PR_ATTACH_TRANSPORT_NAME,
                                 data, size);

    case attAttachMetaFile:
        return exs_props_set_bin(t->a, &att->props, PR_ATTACH_RENDERING,
                                 data, size);

    case attAttachCreateDate:
        return exs_tnef_set_date(t, &att->props, PR_CREATION_TIME, data,
                                 size);

    case attAttachModifyDate:
        return exs_tnef_set_date(t, &att->props, PR_LAST_MODIFICATION_TIME,
                                 data, size);

    case attAttachment:
        r.p = data;
        r.end = data + size;
        return exs_tnef_proplist(t, &r, &att->props, att);

    default:
        return EXS_OK;
    }
}


/* a string attribute in the OEM code page, NUL-terminated or not */

static int
exs_tnef_set_str8(exs_tnef_t *t, exs_props_t *bag, uint32_t tag,
    const uint8_t *p, size_t n)
{
    char    *s;
    size_t   len;

    while (n && p[n - 1] == '\0') {
        n--;
    }

    s = exs_oxcmail_to_utf8(t->a, t->charset, p, n, &len, NULL);
    if (s == NULL) {
        return EXS_NOMEM;
    }

    return exs_props_set_str(t->a, bag, tag, s, len);
}


/* a DTR: year, month, day, hour, minute, second, weekday, 16 bits each */

static int
exs_tnef_set_date(exs_tnef_t *t, exs_props_t *bag, uint32_t tag,
    const uint8_t *p, size_t n)
{
    int        v[6], i;
    time_t     sec;
    struct tm  tm;

    if (n < 12) {
        return EXS_CORRUPT;
    }

    for (i = 0; i < 6; i++) {
        v[i] = p[2 * i] | (p[2 * i + 1] << 8);
    }

    if (v[0] < 1601 || v[0] > 9999 || v[1] < 1 || v[1] > 12 || v[2] < 1
        || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 61)
    {
        return EXS_OK;
    }

    memset(&tm, 0, sizeof(tm));
    tm.tm_year = v[0] - 1900;
    tm.tm_mon = v[1] - 1;
    tm.tm_mday = v[2];
    tm.tm_hour = v[3];
    tm.tm_min = v[4];
    tm.tm_sec = v[5];

    sec = timegm(&tm);

    return exs_props_set_i8(t->a, bag, tag, exs_filetime_from_unix(sec));
}


/*
 * attFrom: a TRP header (trpid, cbgrtrp, cch, cb), the display name (cch
 * bytes) and the address (cb bytes, "TYPE:address" or just the address).
 */

static int
exs_tnef_from(exs_tnef_t *t, const uint8_t *p, size_t n)
{
    size_t          len, i;
    uint16_t        trpid, cbgrtrp, cch, cb;
    exs_rd_t        r;
    const char     *name, *addr, *type;
    exs_props_t    *bag;

    r.p = p;
    r.end = p + n;

    if (exs_rd_u16(&r, &trpid) != EXS_OK
        || exs_rd_u16(&r, &cbgrtrp) != EXS_OK
        || exs_rd_u16(&r, &cch) != EXS_OK
        || exs_rd_u16(&r, &cb) != EXS_OK
        || (size_t) (r.end - r.p) < (size_t) cch + cb)
    {
        return EXS_CORRUPT;
    }

    bag = &t->msg->props;

    for (len = 0; len < cch && r.p[len]; len++) {
        /* void */
    }

    name = exs_oxcmail_to_utf8(t->a, t->charset, r.p, len, &len, NULL);
    r.p += cch;

    for (len = 0; len < cb && r.p[len]; len++) {
        /* void */
    }

    addr = exs_oxcmail_to_utf8(t->a, t->charset, r.p, len, &len, NULL);

    if (name == NULL || addr == NULL) {
        return EXS_NOMEM;
    }

    type = "SMTP";

    for (i = 0; addr[i]; i++) {
        if (addr[i] == ':') {
            type = exs_strndup(t->a, addr, i);
            addr += i + 1;
            break;
        }

        if (addr[i] == '@' || addr[i] == '/') {
            break;
        }
    }

    if (type == NULL) {
        return EXS_NOMEM;
    }

    if ((*name && exs_oxcmail_set_str(t->a, bag, PR_SENDER_NAME, name)
                  != EXS_OK)
        || (*addr && (exs_oxcmail_set_str(t->a, bag, PR_SENDER_ADDRTYPE,
                                          type) != EXS_OK
                      || exs_oxcmail_set_str(t->a, bag,
                                             PR_SENDER_EMAIL_ADDRESS, addr)
                         != EXS_OK)))
    {
        return EXS_NOMEM;
    }

    return EXS_OK;
}


static int
exs_tnef_recipients(exs_tnef_t *t, const uint8_t *p, size_t n)
{
    int          rc;
    uint32_t     rows, i;
    exs_rd_t     r;
    exs_rcpt_t  *row;

    r.p = p;
    r.end = p + n;

    if (exs_rd_u32(&r, &rows) != EXS_OK) {
        return EXS_CORRUPT;
    }

    /* each row takes at least its 4-byte property count */
    if (rows > n / 4) {
        return EXS_CORRUPT;
    }

    for (i = 0; i < rows; i++) {
        row = exs_msg_add_rcpt(t->a, t->msg);
        if (row == NULL) {
            return EXS_NOMEM;
        }

        rc = exs_tnef_proplist(t, &r, &row->props, NULL);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    return EXS_OK;
}


/* computed by the store, or meaningless outside the sender's: not taken */

static int
exs_tnef_skip_prop(uint16_t id)
{
    switch (id) {
    case 0x0E07:        /* PR_MESSAGE_FLAGS */
    case 0x0E08:        /* PR_MESSAGE_SIZE */
    case 0x0E09:        /* PR_PARENT_ENTRYID */
    case 0x0E0A:        /* PR_SENTMAIL_ENTRYID */
    case 0x0E12:        /* PR_MESSAGE_RECIPIENTS */
    case 0x0E13:        /* PR_MESSAGE_ATTACHMENTS */
    case 0x0E1B:        /* PR_HASATTACH */
    case 0x0E20:        /* PR_ATTACH_SIZE */
    case 0x0E21:        /* PR_ATTACH_NUM */
    case 0x0FF4:        /* PR_ACCESS */
    case 0x0FF6:        /* PR_INSTANCE_KEY */
    case 0x0FF7:        /* PR_ACCESS_LEVEL */
    case 0x0FF8:        /* PR_MAPPING_SIGNATURE */
    case 0x0FF9:        /* PR_RECORD_KEY */
    case 0x0FFA:        /* PR_STORE_RECORD_KEY */
    case 0x0FFB:        /* PR_STORE_ENTRYID */
    case 0x0FFE:        /* PR_OBJECT_TYPE */
    case 0x0FFF:        /* PR_ENTRYID */
    case 0x3000:        /* PR_ROWID */
    case 0x340D:        /* PR_STORE_SUPPORT_MASK */
    case 0x65E0:        /* PR_SOURCE_KEY */
    case 0x65E1:        /* PR_PARENT_SOURCE_KEY */
    case 0x65E2:        /* PR_CHANGE_KEY */
    case 0x65E3:        /* PR_PREDECESSOR_CHANGE_LIST */
    case 0x6748:        /* PR_FID */
    case 0x6749:        /* PR_PARENT_FID */
    case 0x674A:        /* PR_MID */
    case 0x67A4:        /* PR_CHANGE_NUMBER */
        return 1;
    default:
        return 0;
    }
}


static int
exs_tnef_proplist(exs_tnef_t *t, exs_rd_t *r, exs_props_t *bag,
    exs_attach_t *att)
{
    int       rc;
    uint32_t  count, i;

    if (exs_rd_u32(r, &count) != EXS_OK) {
        return EXS_CORRUPT;
    }

    /* each property takes at least 8 bytes */
    if (count > EXS_TNEF_MAX_PROPS
        || count > (size_t) (r->end - r->p) / 8)
    {
        return EXS_CORRUPT;
    }

    for (i = 0; i < count; i++) {
        rc = exs_tnef_prop(t, r, bag, att);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    return EXS_OK;
}


static int
exs_tnef_prop(exs_tnef_t *t, exs_rd_t *r, exs_props_t *bag,
    exs_attach_t *att)
{
    int              rc, drop;
    char            *name;
    size_t           nlen;
    uint16_t         type, id, nid;
    uint32_t         kind, lid;
    exs_prop_t       v;
    exs_propname_t   pn;

    if (exs_rd_u16(r, &type) != EXS_OK || exs_rd_u16(r, &id) != EXS_OK) {
        return EXS_CORRUPT;
    }

    drop = exs_tnef_skip_prop(id);

    if (id >= EXS_NAMED_FIRST) {
        if ((size_t) (r->end - r->p) < 20) {
            return EXS_CORRUPT;
        }

        memset(&pn, 0, sizeof(pn));
        memcpy(pn.guid, r->p, 16);
        r->p += 16;
        (void) exs_rd_u32(r, &kind);

        if (kind == MNID_ID) {
            if (exs_rd_u32(r, &lid) != EXS_OK) {
                return EXS_CORRUPT;
            }

            pn.kind = MNID_ID;
            pn.lid = lid;

        } else if (kind == MNID_STRING) {
            if (exs_rd_u32(r, &lid) != EXS_OK
                || lid > (size_t) (r->end - r->p))
            {
                return EXS_CORRUPT;
            }

            name = exs_oxcmail_utf16_to_utf8(t->a, r->p, lid, &nlen);
            if (name == NULL) {
                return EXS_NOMEM;
            }

            r->p += lid;
            (void) exs_rd_skip(r, (4 - (lid & 3)) & 3);

            pn.kind = MNID_STRING;
            pn.name = name;

            if (nlen == 0) {
                drop = 1;
            }

        } else {
            return EXS_CORRUPT;
        }

        if (!drop) {
            rc = t->nm->get_id(t->nm, &pn, 0, &nid);

            if (rc == EXS_NOTFOUND && t->ctx->named < t->ctx->max_named) {
                rc = t->nm->get_id(t->nm, &pn, 1, &nid);

                if (rc == EXS_OK) {
                    t->ctx->named++;
                }
            }

            if (rc == EXS_NOMEM) {
                return rc;
            }

            if (rc != EXS_OK) {
                drop = 1;
                t->ctx->dropped++;

            } else {
                id = nid;
            }
        }
    }

    if (type == PT_OBJECT) {
        /* a count (1), a size, the data (an IID first), padding */
        if (exs_rd_skip(r, 4) != EXS_OK || exs_rd_u32(r, &lid) != EXS_OK
            || lid > (size_t) (r->end - r->p))
        {
            return EXS_CORRUPT;
        }

        rc = EXS_OK;

        if (att && id == PROP_ID(PR_ATTACH_DATA_OBJ) && !drop) {
            rc = exs_tnef_object(t, att, r->p, lid);
        }

        r->p += lid;
        (void) exs_rd_skip(r, (4 - (lid & 3)) & 3);

        return rc;
    }

    rc = exs_tnef_value(t, r, type, &v);
    if (rc != EXS_OK) {
        return rc;
    }

    if (drop) {
        return EXS_OK;
    }

    v.tag = PROP_TAG(PROP_TYPE(v.tag), id);

    return exs_props_set(t->a, bag, &v);
}


/*
 * One value.  Fixed-size values are padded to 4 bytes; strings and binary
 * values, single or not, have a count, then a size, the bytes and padding
 * each; other multi-valued types have a count, then padded values.
 */

static int
exs_tnef_value(exs_tnef_t *t, exs_rd_t *r, uint16_t type, exs_prop_t *v)
{
    int             rc;
    size_t          size, unit;
    uint16_t        base;
    uint32_t        count, i, len;
    const uint8_t  *p;

    memset(v, 0, sizeof(*v));
    base = type & ~(PT_MV | PT_MV_INSTANCE);
    type &= ~PT_MV_INSTANCE;

    if (!exs_proptype_valid(type) && base != PT_SVREID) {
        return EXS_CORRUPT;
    }

    switch (base) {
    case PT_SHORT:
    case PT_LONG:
    case PT_FLOAT:
    case PT_ERROR:
    case PT_BOOLEAN:
        unit = 4;
        break;
    case PT_DOUBLE:
    case PT_APPTIME:
    case PT_CURRENCY:
    case PT_I8:
    case PT_SYSTIME:
        unit = 8;
        break;
    case PT_CLSID:
        unit = 16;
        break;
    case PT_STRING8:
    case PT_UNICODE:
    case PT_BINARY:
    case PT_SVREID:
        unit = 0;
        break;
    default:
        return EXS_CORRUPT;
    }

    v->tag = type;

    if (unit && !(type & PT_MV)) {
        if ((size_t) (r->end - r->p) < unit) {
            return EXS_CORRUPT;
        }

        p = r->p;
        r->p += unit;

        switch (base) {
        case PT_SHORT:
            v->v.i = (int16_t) (p[0] | (p[1] << 8));
            break;
        case PT_BOOLEAN:
            v->v.b = (p[0] | p[1]) ? 1 : 0;
            break;
        case PT_LONG:
        case PT_ERROR:
        case PT_FLOAT:
            memcpy(&v->v.l, p, 4);
            break;
        case PT_CLSID:
            v->v.bin.data = exs_memdup(t->a, p, 16);
            v->v.bin.len = 16;
            return v->v.bin.data ? EXS_OK : EXS_NOMEM;
        default:
            memcpy(&v->v.ll, p, 8);
            break;
        }

        return EXS_OK;
    }

    if (exs_rd_u32(r, &count) != EXS_OK) {
        return EXS_CORRUPT;
    }

    /* every value takes at least 4 bytes */
    if (count > (size_t) (r->end - r->p) / 4) {
        return EXS_CORRUPT;
    }

    if (!(type & PT_MV)) {
        if (count != 1) {
            return EXS_CORRUPT;
        }

        if (exs_rd_u32(r, &len) != EXS_OK
            || len > (size_t) (r->end - r->p))
        {
            return EXS_CORRUPT;
        }

        p = r->p;
        r->p += len;
        (void) exs_rd_skip(r, (4 - (len & 3)) & 3);

        if (base == PT_BINARY || base == PT_SVREID) {
            v->v.bin.data = exs_memdup(t->a, p, len);
            v->v.bin.len = len;
            return v->v.bin.data ? EXS_OK : EXS_NOMEM;
        }

        v->tag = PT_UNICODE;

        return exs_tnef_str(t, p, len, base == PT_UNICODE, &v->v.str);
    }

    v->v.mv.n = count;

    if (unit) {
        size = exs_proptype_size(base);

        if ((size_t) (r->end - r->p) / unit < count) {
            return EXS_CORRUPT;
        }

        v->v.mv.v.p = exs_alloc(t->a, (count ? count : 1)
                                      * (base == PT_CLSID ? sizeof(exs_bin_t)
                                                          : size));
        if (v->v.mv.v.p == NULL) {
            return EXS_NOMEM;
        }

        for (i = 0; i < count; i++) {
            p = r->p;
            r->p += unit;

            switch (base) {
            case PT_SHORT:
                v->v.mv.v.i[i] = (int16_t) (p[0] | (p[1] << 8));
                break;
            case PT_LONG:
            case PT_FLOAT:
                memcpy(&v->v.mv.v.l[i], p, 4);
                break;
            case PT_CLSID:
                v->v.mv.v.bin[i].data = exs_memdup(t->a, p, 16);
                v->v.mv.v.bin[i].len = 16;
                if (v->v.mv.v.bin[i].data == NULL) {
                    return EXS_NOMEM;
                }
                break;
            default:
                memcpy(&v->v.mv.v.ll[i], p, 8);
                break;
            }
        }

        return EXS_OK;
    }

    if (base == PT_STRING8 || base == PT_UNICODE) {
        v->tag = PT_MV_UNICODE;
        v->v.mv.v.str = exs_alloc(t->a, (count ? count : 1)
                                        * sizeof(exs_str_t));

    } else {
        v->tag = PT_MV_BINARY;
        v->v.mv.v.bin = exs_alloc(t->a, (count ? count : 1)
                                        * sizeof(exs_bin_t));
    }

    if (v->v.mv.v.p == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < count; i++) {
        if (exs_rd_u32(r, &len) != EXS_OK
            || len > (size_t) (r->end - r->p))
        {
            return EXS_CORRUPT;
        }

        p = r->p;
        r->p += len;
        (void) exs_rd_skip(r, (4 - (len & 3)) & 3);

        if (base == PT_BINARY || base == PT_SVREID) {
            v->v.mv.v.bin[i].data = exs_memdup(t->a, p, len);
            v->v.mv.v.bin[i].len = len;

            if (v->v.mv.v.bin[i].data == NULL) {
                return EXS_NOMEM;
            }

            continue;
        }

        rc = exs_tnef_str(t, p, len, base == PT_UNICODE, &v->v.mv.v.str[i]);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    return EXS_OK;
}


static int
exs_tnef_str(exs_tnef_t *t, const uint8_t *p, size_t n, int unicode,
    exs_str_t *s)
{
    size_t  len;

    if (unicode) {
        s->data = exs_oxcmail_utf16_to_utf8(t->a, p, n, &len);

    } else {
        while (n && p[n - 1] == '\0') {
            n--;
        }

        s->data = exs_oxcmail_to_utf8(t->a, t->charset, p, n, &len, NULL);
    }

    if (s->data == NULL) {
        return EXS_NOMEM;
    }

    s->len = len;

    return EXS_OK;
}


/*
 * PR_ATTACH_DATA_OBJ: an IID, then the object.  IID_IMessage: the object
 * is an embedded message, as a TNEF stream of its own.  Anything else (an
 * OLE IStorage) is kept as bytes.
 */

static int
exs_tnef_object(exs_tnef_t *t, exs_attach_t *att, const uint8_t *p,
    size_t n)
{
    int         rc;
    exs_msg_t  *m;

    if (n >= 16 && memcmp(p, exs_iid_imessage, 16) == 0
        && t->ctx->depth + 1 < t->ctx->max_depth)
    {
        m = exs_msg_create(t->a);
        if (m == NULL) {
            return EXS_NOMEM;
        }

        t->ctx->depth++;
        rc = exs_tnef_read(p + 16, n - 16, t->nm, m, t->ctx, t->a);
        t->ctx->depth--;

        if (rc == EXS_NOMEM) {
            return rc;
        }

        att->embedded = m;

        return exs_props_set_long(t->a, &att->props, PR_ATTACH_METHOD,
                                  EXS_ATTACH_EMBEDDED_MSG);
    }

    if (n >= 16 && memcmp(p, exs_iid_imessage, 16) == 0) {
        /* nested deeper than the cap: kept as the TNEF bytes */
        t->ctx->dropped++;

        if (exs_props_set_long(t->a, &att->props, PR_ATTACH_METHOD,
                               EXS_ATTACH_BY_VALUE) != EXS_OK)
        {
            return EXS_NOMEM;
        }
    }

    if (n >= 16) {
        p += 16;
        n -= 16;
    }

    if (n && exs_props_get(&att->props, PR_ATTACH_DATA_BIN) == NULL) {
        return exs_props_set_bin(t->a, &att->props, PR_ATTACH_DATA_BIN, p,
                                 n);
    }

    return EXS_OK;
}


static void
exs_tnef_finish(exs_tnef_t *t)
{
    uint32_t       i;
    exs_prop_t    *p;
    exs_attach_t  *att;

    for (i = 0; i < t->msg->natts; i++) {
        att = &t->msg->atts[i];

        if (exs_props_get(&att->props, PR_ATTACH_METHOD) == NULL) {
            (void) exs_props_set_long(t->a, &att->props, PR_ATTACH_METHOD,
                                      att->embedded
                                      ? EXS_ATTACH_EMBEDDED_MSG
                                      : EXS_ATTACH_BY_VALUE);
        }

        /* beside an embedded message, attAttachData is a placeholder text
         * for mail systems that know no TNEF */
        if (att->embedded) {
            (void) exs_props_del(&att->props, PR_ATTACH_DATA_BIN);
        }

        p = exs_props_get(&att->props, PR_ATTACH_DATA_BIN);

        if (p) {
            (void) exs_props_set_long(t->a, &att->props, PR_ATTACH_SIZE,
                                      (int32_t) p->v.bin.len);
        }
    }
}


/*
 * The writer: attTnefVersion, attOemCodepage, attMessageClass, the
 * message's properties in attMsgProps, then per attachment
 * attAttachRenddata, attAttachTitle and attAttachData (for simple readers)
 * and attAttachment with all its properties; an embedded message is a
 * PR_ATTACH_DATA_OBJ holding IID_IMessage and a TNEF stream of its own.
 * Strings are written as PT_UNICODE.  The output depends on msg only.
 */

typedef struct {
    exs_namemap_t            *nm;
    exs_arena_t              *a;
    int                       rc;
} exs_tnef_w_t;


static void exs_tnef_w_stream(exs_tnef_w_t *w, exs_buf_t *b,
    const exs_msg_t *msg, unsigned depth);
static void exs_tnef_w_attr(exs_buf_t *b, uint8_t level, uint32_t id,
    const void *data, size_t len);
static void exs_tnef_w_props(exs_tnef_w_t *w, exs_buf_t *b,
    const exs_props_t *bag, const exs_attach_t *att, unsigned depth);
static int exs_tnef_w_prop(exs_tnef_w_t *w, exs_buf_t *b,
    const exs_prop_t *p);
static void exs_tnef_w_var(exs_buf_t *b, const void *data, size_t len);
static void exs_tnef_w_str(exs_buf_t *b, const exs_str_t *s);
static int exs_tnef_w_skip(uint32_t tag);


int
exs_tnef_write(const exs_msg_t *msg, exs_namemap_t *nm, exs_bin_t *out,
    exs_arena_t *a)
{
    exs_buf_t     b = { 0 };
    exs_tnef_w_t  w;

    w.nm = nm;
    w.a = a;
    w.rc = EXS_OK;

    exs_tnef_w_stream(&w, &b, msg, 0);

    if (w.rc != EXS_OK) {
        exs_buf_free(&b);
        return w.rc;
    }

    return exs_buf_bin(&b, out, a);
}


static void
exs_tnef_w_attr(exs_buf_t *b, uint8_t level, uint32_t id, const void *data,
    size_t len)
{
    size_t          i;
    uint16_t        sum;
    const uint8_t  *p;

    p = data;
    sum = 0;

    for (i = 0; i < len; i++) {
        sum += p[i];
    }

    exs_buf_addc(b, level);
    exs_buf_add_le32(b, id);
    exs_buf_add_le32(b, (uint32_t) len);
    exs_buf_add(b, data, len);
    exs_buf_add_le16(b, sum);
}


static void
exs_tnef_w_stream(exs_tnef_w_t *w, exs_buf_t *b, const exs_msg_t *msg,
    unsigned depth)
{
    uint8_t            rend[14];
    uint32_t           i;
    exs_buf_t          t = { 0 };
    exs_prop_t        *p;
    const char        *cls;
    const exs_attach_t *att;

    static const uint8_t  version[4] = { 0x00, 0x00, 0x01, 0x00 };
    static const uint8_t  oemcp[8] = { 0xE4, 0x04, 0, 0, 0, 0, 0, 0 };

    exs_buf_add_le32(b, EXS_TNEF_SIGNATURE);
    exs_buf_add_le16(b, 0x0001);

    exs_tnef_w_attr(b, EXS_TNEF_LVL_MESSAGE, attTnefVersion, version, 4);
    exs_tnef_w_attr(b, EXS_TNEF_LVL_MESSAGE, attOemCodepage, oemcp, 8);

    p = exs_props_get(&msg->props, PR_MESSAGE_CLASS);
    cls = p ? p->v.str.data : "IPM.Note";
    exs_tnef_w_attr(b, EXS_TNEF_LVL_MESSAGE, attMessageClass, cls,
                    strlen(cls) + 1);

    if (msg->nrcpts) {
        exs_buf_add_le32(&t, msg->nrcpts);

        for (i = 0; i < msg->nrcpts; i++) {
            exs_tnef_w_props(w, &t, &msg->rcpts[i].props, NULL, depth);
        }

        exs_tnef_w_attr(b, EXS_TNEF_LVL_MESSAGE, attRecipTable, t.data,
                        t.len);
        t.len = 0;
    }

    exs_tnef_w_props(w, &t, &msg->props, NULL, depth);
    exs_tnef_w_attr(b, EXS_TNEF_LVL_MESSAGE, attMsgProps, t.data, t.len);
    t.len = 0;

    for (i = 0; i < msg->natts; i++) {
        att = &msg->atts[i];

        /* atyp, position, width, height, flags */
        memset(rend, 0, sizeof(rend));
        p = exs_props_get(&att->props, PR_ATTACH_METHOD);
        rend[0] = p && p->v.l == EXS_ATTACH_OLE ? 2 : 1;
        memset(rend + 2, 0xFF, 4);
        exs_tnef_w_attr(b, EXS_TNEF_LVL_ATTACHMENT, attAttachRenddata, rend,
                        sizeof(rend));

        p = exs_props_get(&att->props, PR_ATTACH_FILENAME);
        if (p == NULL) {
            p = exs_props_get(&att->props, PR_ATTACH_LONG_FILENAME);
        }

        if (p) {
            exs_tnef_w_attr(b, EXS_TNEF_LVL_ATTACHMENT, attAttachTitle,
                            p->v.str.data, p->v.str.len + 1);
        }

        p = exs_props_get(&att->props, PR_ATTACH_DATA_BIN);

        if (p && att->embedded == NULL) {
            exs_tnef_w_attr(b, EXS_TNEF_LVL_ATTACHMENT, attAttachData,
                            p->v.bin.data, p->v.bin.len);
        }

        exs_tnef_w_props(w, &t, &att->props, att, depth);
        exs_tnef_w_attr(b, EXS_TNEF_LVL_ATTACHMENT, attAttachment, t.data,
                        t.len);
        t.len = 0;
    }

    if (t.nomem) {
        b->nomem = 1;
    }

    exs_buf_free(&t);
}


/* properties the receiver's store makes, and MIME's own business */

static int
exs_tnef_w_skip(uint32_t tag)
{
    if (exs_tnef_skip_prop(PROP_ID(tag))) {
        return 1;
    }

    switch (PROP_ID(tag)) {
    case 0x007D:        /* PR_TRANSPORT_MESSAGE_HEADERS */
    case 0x6659:        /* PR_INTERNET_CONTENT */
    case 0x3701:        /* PR_ATTACH_DATA_*: written apart */
        return 1;
    default:
        break;
    }

    switch (PROP_TYPE(tag)) {
    case PT_OBJECT:
    case PT_SRESTRICTION:
    case PT_ACTIONS:
    case PT_NULL:
    case PT_UNSPECIFIED:
        return 1;
    default:
        return 0;
    }
}


static void
exs_tnef_w_props(exs_tnef_w_t *w, exs_buf_t *b, const exs_props_t *bag,
    const exs_attach_t *att, unsigned depth)
{
    size_t       count_at;
    uint32_t     i, n;
    exs_buf_t    sub = { 0 };
    exs_prop_t  *p;

    static const uint8_t  iid[16] = {
        0x07, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46
    };

    count_at = b->len;
    exs_buf_add_le32(b, 0);
    n = 0;

    for (i = 0; i < bag->n; i++) {
        if (exs_tnef_w_skip(bag->v[i].tag)) {
            continue;
        }

        n += exs_tnef_w_prop(w, b, &bag->v[i]);
    }

    if (att) {
        p = exs_props_get(&att->props, PR_ATTACH_DATA_BIN);

        if (att->embedded && depth + 1 < 8) {
            exs_tnef_w_stream(w, &sub, att->embedded, depth + 1);

            exs_buf_add_le16(b, PT_OBJECT);
            exs_buf_add_le16(b, PROP_ID(PR_ATTACH_DATA_OBJ));
            exs_buf_add_le32(b, 1);
            exs_buf_add_le32(b, (uint32_t) (sub.len + 16));
            exs_buf_add(b, iid, 16);
            exs_buf_add(b, sub.data, sub.len);
            exs_buf_pad4(b);
            n++;

            if (sub.nomem) {
                b->nomem = 1;
            }

            exs_buf_free(&sub);

        } else if (p) {
            n += exs_tnef_w_prop(w, b, p);
        }
    }

    if (!b->nomem) {
        b->data[count_at] = n & 0xff;
        b->data[count_at + 1] = (n >> 8) & 0xff;
        b->data[count_at + 2] = (n >> 16) & 0xff;
        b->data[count_at + 3] = n >> 24;
    }
}


static void
exs_tnef_w_var(exs_buf_t *b, const void *data, size_t len)
{
    exs_buf_add_le32(b, (uint32_t) len);
    exs_buf_add(b, data, len);
    exs_buf_pad4(b);
}


static void
exs_tnef_w_str(exs_buf_t *b, const exs_str_t *s)
{
    size_t     at;
    uint32_t   n;

    /* the size first, then UTF-16LE with its NUL */
    at = b->len;
    exs_buf_add_le32(b, 0);
    exs_oxcmail_buf_add_utf16(b, s->data, s->len);
    exs_buf_add_le16(b, 0);

    if (!b->nomem) {
        n = (uint32_t) (b->len - at - 4);
        b->data[at] = n & 0xff;
        b->data[at + 1] = (n >> 8) & 0xff;
        b->data[at + 2] = (n >> 16) & 0xff;
        b->data[at + 3] = n >> 24;
    }

    exs_buf_pad4(b);
}


/* one property; 0 when it was left out */

static int
exs_tnef_w_prop(exs_tnef_w_t *w, exs_buf_t *b, const exs_prop_t *p)
{
    uint16_t        type, base, id;
    uint32_t        i;
    exs_propname_t  pn;
    uint8_t         pad[8];

    type = PROP_TYPE(p->tag);
    base = type & ~PT_MV;
    id = PROP_ID(p->tag);

    if (base == PT_STRING8) {
        base = PT_UNICODE;
        type = (type & PT_MV) | PT_UNICODE;
    }

    if (id >= EXS_NAMED_FIRST
        && w->nm->get_name(w->nm, id, &pn, w->a) != EXS_OK)
    {
        return 0;
    }

    exs_buf_add_le16(b, type);
    exs_buf_add_le16(b, id);

    if (id >= EXS_NAMED_FIRST) {
        exs_buf_add(b, pn.guid, 16);
        exs_buf_add_le32(b, pn.kind);

        if (pn.kind == MNID_ID) {
            exs_buf_add_le32(b, pn.lid);

        } else {
            exs_str_t  s;

            s.data = pn.name;
            s.len = strlen(pn.name);
            exs_tnef_w_str(b, &s);
        }
    }

    memset(pad, 0, sizeof(pad));

    if (!(type & PT_MV)) {
        switch (base) {
        case PT_SHORT:
            exs_buf_add_le16(b, (uint16_t) p->v.i);
            exs_buf_add(b, pad, 2);
            break;
        case PT_BOOLEAN:
            exs_buf_add_le32(b, p->v.b ? 1 : 0);
            break;
        case PT_LONG:
        case PT_ERROR:
        case PT_FLOAT:
            exs_buf_add(b, &p->v.l, 4);
            break;
        case PT_DOUBLE:
        case PT_APPTIME:
        case PT_CURRENCY:
        case PT_I8:
        case PT_SYSTIME:
            exs_buf_add(b, &p->v.ll, 8);
            break;
        case PT_CLSID:
            exs_buf_add(b, p->v.bin.data, 16);
            break;
        case PT_UNICODE:
            exs_buf_add_le32(b, 1);
            exs_tnef_w_str(b, &p->v.str);
            break;
        default:
            exs_buf_add_le32(b, 1);
            exs_tnef_w_var(b, p->v.bin.data, p->v.bin.len);
            break;
        }

        return 1;
    }

    exs_buf_add_le32(b, p->v.mv.n);

    for (i = 0; i < p->v.mv.n; i++) {
        switch (base) {
        case PT_SHORT:
            exs_buf_add_le16(b, (uint16_t) p->v.mv.v.i[i]);
            exs_buf_add(b, pad, 2);
            break;
        case PT_LONG:
        case PT_FLOAT:
            exs_buf_add(b, &p->v.mv.v.l[i], 4);
            break;
        case PT_CLSID:
            exs_buf_add(b, p->v.mv.v.bin[i].data, 16);
            break;
        case PT_UNICODE:
            exs_tnef_w_str(b, &p->v.mv.v.str[i]);
            break;
        case PT_BINARY:
            exs_tnef_w_var(b, p->v.mv.v.bin[i].data, p->v.mv.v.bin[i].len);
            break;
        default:
            exs_buf_add(b, &p->v.mv.v.ll[i], 8);
            break;
        }
    }

    return 1;
}
