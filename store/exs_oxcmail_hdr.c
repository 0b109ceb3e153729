
/*
 * exch store: the headers of Internet mail as MAPI properties, MS-OXCMAIL
 * 2.2.3.2: addresses (as recipients, senders, reply-to entries, with
 * entry ids and search keys, local ones through the directory), subject
 * and its prefix, dates, message ids, importance, sensitivity, keywords,
 * receipts, list headers, conversation properties; and the properties a
 * delivery adds (exs_oxcmail_set_received).
 *
 * GMime 3.2.13 decodes runs of padded encoded words wrongly
 * (jstedfast/gmime#133): every value is read raw and mended
 * (exs_oxcmail_fix_ew) before GMime decodes it.
 */


#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "exs_oxcmail_in.h"


typedef struct {
    uint32_t                   name;
    uint32_t                   addrtype;
    uint32_t                   email;
    uint32_t                   smtp;
    uint32_t                   entryid;
    uint32_t                   search_key;
} exs_addr_tags_t;


static int exs_in_header(exs_in_t *c, exs_msg_t *msg, const char *name,
    const char *value, int *importance);
static int exs_in_named_str(exs_in_t *c, exs_props_t *bag,
    const uint8_t *guid, const char *name, const char *value);
static int exs_in_keywords(exs_in_t *c, exs_props_t *bag, const char *value);
static int exs_in_date(exs_in_t *c, exs_props_t *bag, uint32_t tag,
    const char *value);
static int exs_in_mailbox(exs_in_t *c, InternetAddressList *list,
    const char **name, const char **addr);
static int exs_in_set_addr(exs_in_t *c, exs_props_t *bag,
    const exs_addr_tags_t *t, const char *name, const char *smtp,
    uint32_t *display_type);
static int exs_in_rcpts(exs_in_t *c, exs_msg_t *msg,
    InternetAddressList *list, int type, unsigned level);
static int exs_in_reply_to(exs_in_t *c, exs_msg_t *msg,
    InternetAddressList *list);
static const char *exs_in_hvalue(exs_in_t *c, GMimeHeader *h);
static InternetAddressList *exs_in_addrlist(exs_in_t *c, GMimeObject *o,
    const char *name);
static const char *exs_in_param(exs_in_t *c, GMimeObject *o,
    const char *header, const char *param);


static const char  *exs_in_importance[4] = {
    "Priority", "X-MSMail-Priority", "X-Priority", "Importance"
};

static const exs_addr_tags_t  exs_sender_tags = {
    PR_SENDER_NAME, PR_SENDER_ADDRTYPE, PR_SENDER_EMAIL_ADDRESS,
    PR_SENDER_SMTP_ADDRESS, PR_SENDER_ENTRYID, PR_SENDER_SEARCH_KEY
};

static const exs_addr_tags_t  exs_repr_tags = {
    PR_SENT_REPRESENTING_NAME, PR_SENT_REPRESENTING_ADDRTYPE,
    PR_SENT_REPRESENTING_EMAIL_ADDRESS, PR_SENT_REPRESENTING_SMTP_ADDRESS,
    PR_SENT_REPRESENTING_ENTRYID, PR_SENT_REPRESENTING_SEARCH_KEY
};

static const exs_addr_tags_t  exs_rr_tags = {
    PR_READ_RECEIPT_NAME, PR_READ_RECEIPT_ADDRTYPE,
    PR_READ_RECEIPT_EMAIL_ADDRESS, PR_READ_RECEIPT_SMTP_ADDRESS,
    PR_READ_RECEIPT_ENTRYID, PR_READ_RECEIPT_SEARCH_KEY
};

static const exs_addr_tags_t  exs_rcpt_tags = {
    PR_DISPLAY_NAME, PR_ADDRTYPE, PR_EMAIL_ADDRESS, PR_SMTP_ADDRESS,
    PR_ENTRYID, PR_SEARCH_KEY
};

static const exs_addr_tags_t  exs_rcvd_tags = {
    PR_RECEIVED_BY_NAME, PR_RECEIVED_BY_ADDRTYPE,
    PR_RECEIVED_BY_EMAIL_ADDRESS, PR_RECEIVED_BY_SMTP_ADDRESS,
    PR_RECEIVED_BY_ENTRYID, PR_RECEIVED_BY_SEARCH_KEY
};

static const exs_addr_tags_t  exs_rcvd_repr_tags = {
    PR_RCVD_REPRESENTING_NAME, PR_RCVD_REPRESENTING_ADDRTYPE,
    PR_RCVD_REPRESENTING_EMAIL_ADDRESS, PR_RCVD_REPRESENTING_SMTP_ADDRESS,
    PR_RCVD_REPRESENTING_ENTRYID, PR_RCVD_REPRESENTING_SEARCH_KEY
};




/* headers */

const char *
exs_in_trim(exs_in_t *c, const char *s)
{
    char    *d;
    size_t   len, n;

    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
        s++;
    }

    len = strlen(s);

    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'
                   || s[len - 1] == '\r' || s[len - 1] == '\n'))
    {
        len--;
    }

    d = exs_oxcmail_to_utf8(c->a, "utf-8", s, len, &n, NULL);
    if (d == NULL) {
        c->rc = EXS_NOMEM;
    }

    return d;
}


/*
 * A header's value: unfolded, its encoded words made safe for GMime
 * (exs_oxcmail_fix_ew), decoded (8-bit text through the fallback
 * charsets), trimmed.
 */

static const char *
exs_in_hvalue(exs_in_t *c, GMimeHeader *h)
{
    char        *u, *d, *p;
    const char  *raw, *f, *v;

    raw = g_mime_header_get_raw_value(h);
    if (raw == NULL) {
        return NULL;
    }

    u = g_mime_utils_header_unfold(raw);
    f = exs_oxcmail_fix_ew(c->a, u);

    if (f == NULL) {
        g_free(u);
        c->rc = EXS_NOMEM;
        return NULL;
    }

    d = g_mime_utils_header_decode_text(c->popts, f);

    /* a one-line value: tabs folding left, control bytes, are spaces */
    for (p = d; p && *p; p++) {
        if ((unsigned char) *p < 0x20 || *p == 0x7F) {
            *p = ' ';
        }
    }

    v = exs_in_trim(c, d ? d : "");

    g_free(d);
    g_free(u);

    return v;
}


/* the addresses of every header called name, parsed from the raw value */

static InternetAddressList *
exs_in_addrlist(exs_in_t *c, GMimeObject *o, const char *name)
{
    int                   i, n;
    char                 *u;
    const char           *raw, *f;
    GMimeHeader          *h;
    GMimeHeaderList      *hl;
    InternetAddressList  *list, *one;

    list = internet_address_list_new();
    hl = g_mime_object_get_header_list(o);
    n = g_mime_header_list_get_count(hl);

    for (i = 0; i < n; i++) {
        h = g_mime_header_list_get_header_at(hl, i);

        if (strcasecmp(g_mime_header_get_name(h), name) != 0
            || (raw = g_mime_header_get_raw_value(h)) == NULL)
        {
            continue;
        }

        u = g_mime_utils_header_unfold(raw);
        f = exs_oxcmail_fix_ew(c->a, u);

        if (f == NULL) {
            c->rc = EXS_NOMEM;
            g_free(u);
            break;
        }

        one = internet_address_list_parse(c->popts, f);
        g_free(u);

        if (one) {
            internet_address_list_append(list, one);
            g_object_unref(one);
        }
    }

    return list;
}


/* a Content-Type or Content-Disposition parameter, decoded safely */

static const char *
exs_in_param(exs_in_t *c, GMimeObject *o, const char *header,
    const char *param)
{
    int                       cd;
    char                     *u;
    const char               *raw, *f, *v;
    GMimeHeader              *h;
    GMimeContentType         *ct;
    GMimeContentDisposition  *d;

    cd = strcasecmp(header, "Content-Disposition") == 0;

    h = g_mime_header_list_get_header(g_mime_object_get_header_list(o),
                                      header);
    raw = h ? g_mime_header_get_raw_value(h) : NULL;

    if (raw && strstr(raw, "=?")) {
        u = g_mime_utils_header_unfold(raw);
        f = exs_oxcmail_fix_ew(c->a, u);

        if (f && f != u) {
            v = NULL;

            if (cd) {
                d = g_mime_content_disposition_parse(c->popts, f);
                v = d ? g_mime_content_disposition_get_parameter(d, param)
                      : NULL;
                v = v ? exs_in_trim(c, v) : NULL;

                if (d) {
                    g_object_unref(d);
                }

            } else {
                ct = g_mime_content_type_parse(c->popts, f);
                v = ct ? g_mime_content_type_get_parameter(ct, param) : NULL;
                v = v ? exs_in_trim(c, v) : NULL;

                if (ct) {
                    g_object_unref(ct);
                }
            }

            g_free(u);

            return v;
        }

        g_free(u);
    }

    return cd ? g_mime_object_get_content_disposition_parameter(o, param)
              : g_mime_object_get_content_type_parameter(o, param);
}


const char *
exs_in_filename(exs_in_t *c, GMimeObject *o)
{
    char        *p;
    const char  *s;

    s = exs_in_param(c, o, "Content-Disposition", "filename");

    if (s == NULL || *s == '\0') {
        s = exs_in_param(c, o, "Content-Type", "name");
    }

    if (s == NULL || (s = exs_in_trim(c, s)) == NULL) {
        return NULL;
    }

    /* a name is one line: control characters become spaces */

    for (p = (char *) s; *p; p++) {
        if ((unsigned char) *p < 0x20 || *p == 0x7F) {
            *p = ' ';
        }
    }

    return s;
}


int
exs_in_headers(exs_in_t *c, GMimeMessage *gm, exs_msg_t *msg)
{
    int               rc, i, n, importance;
    size_t            len, plen;
    const char       *s, *v;
    GDateTime        *date;
    GMimeHeader      *h;
    GMimeHeaderList  *list;

    h = g_mime_header_list_get_header(
            g_mime_object_get_header_list(GMIME_OBJECT(gm)), "Subject");

    if (h) {
        v = exs_in_hvalue(c, h);
        if (v == NULL) {
            return EXS_NOMEM;
        }

        len = strlen(v);
        plen = exs_oxcmail_subject_prefix(v, len);

        if (exs_props_set_str(c->a, &msg->props, PR_SUBJECT, v, len)
            != EXS_OK
            || exs_props_set_str(c->a, &msg->props, PR_SUBJECT_PREFIX, v,
                                 plen) != EXS_OK
            || exs_props_set_str(c->a, &msg->props, PR_NORMALIZED_SUBJECT,
                                 v + plen, len - plen) != EXS_OK)
        {
            return EXS_NOMEM;
        }
    }

    date = g_mime_message_get_date(gm);

    if (date
        && exs_props_set_i8(c->a, &msg->props, PR_CLIENT_SUBMIT_TIME,
                            exs_oxcmail_filetime(g_date_time_to_unix(date),
                                      g_date_time_get_microsecond(date)))
           != EXS_OK)
    {
        return EXS_NOMEM;
    }

    list = g_mime_object_get_header_list(GMIME_OBJECT(gm));
    n = g_mime_header_list_get_count(list);
    importance = -1;

    for (i = 0; i < n; i++) {
        h = g_mime_header_list_get_header_at(list, i);
        s = g_mime_header_get_name(h);

        if (s == NULL || strcasecmp(s, "Subject") == 0) {
            continue;
        }

        v = exs_in_hvalue(c, h);

        if (v == NULL) {
            return EXS_NOMEM;
        }

        rc = exs_in_header(c, msg, s, v, &importance);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    return c->rc;
}


static int
exs_in_header(exs_in_t *c, exs_msg_t *msg, const char *name,
    const char *value, int *importance)
{
    int                     rank, level;
    char                   *e;
    long                    flags;
    uint8_t                *bin;
    size_t                  len;
    exs_props_t            *bag;
    const char             *v, *p;
    const exs_oxcmail_header_t  *m;

    bag = &msg->props;

    for (m = exs_oxcmail_headers; m->header; m++) {
        if (strcasecmp(m->header, name) != 0) {
            continue;
        }

        v = exs_in_trim(c, value);
        if (v == NULL) {
            return EXS_NOMEM;
        }

        if (m->tag == 0) {
            return exs_in_named_str(c, bag, PS_INTERNET_HEADERS, m->header,
                                    v);
        }

        /* the first one counts; GMime reported the duplicate */
        if (exs_props_get(bag, m->tag)) {
            return EXS_OK;
        }

        if (m->tag == PR_INTERNET_MESSAGE_ID || m->tag == PR_IN_REPLY_TO_ID
            || m->tag == PR_INTERNET_REFERENCES)
        {
            /* message ids: one space between, however they were folded */
            p = v;
            e = (char *) v;

            for ( ;; ) {
                while (*p == ' ' || *p == '\t') {
                    p++;
                }

                if (*p == '\0') {
                    break;
                }

                if (e != v) {
                    *e++ = ' ';
                }

                while (*p && *p != ' ' && *p != '\t') {
                    *e++ = *p++;
                }
            }

            *e = '\0';
        }

        return exs_oxcmail_set_str(c->a, bag, m->tag, v);
    }

    /* Importance beats X-Priority beats X-MSMail-Priority beats Priority */

    for (rank = 3; rank >= 0; rank--) {
        if (strcasecmp(name, exs_in_importance[rank]) == 0) {
            break;
        }
    }

    if (rank >= 0) {
        v = exs_in_trim(c, value);
        if (v == NULL) {
            return EXS_NOMEM;
        }

        level = EXS_IMPORTANCE_NORMAL;

        if (strncasecmp(v, "high", 4) == 0 || strncasecmp(v, "urgent", 6)
                                              == 0
            || *v == '1' || *v == '2')
        {
            level = EXS_IMPORTANCE_HIGH;

        } else if (strncasecmp(v, "low", 3) == 0
                   || strncasecmp(v, "non-urgent", 10) == 0
                   || *v == '4' || *v == '5')
        {
            level = EXS_IMPORTANCE_LOW;
        }

        if (rank == 0 && level != EXS_IMPORTANCE_NORMAL
            && exs_props_set_long(c->a, bag, PR_PRIORITY,
                                  level == EXS_IMPORTANCE_HIGH
                                  ? EXS_PRIO_URGENT : EXS_PRIO_NONURGENT)
               != EXS_OK)
        {
            return EXS_NOMEM;
        }
    }

    if (rank >= 0) {
        if (rank > *importance) {
            *importance = rank;

            if (exs_props_set_long(c->a, bag, PR_IMPORTANCE, level)
                != EXS_OK)
            {
                return EXS_NOMEM;
            }
        }

        return c->rc;
    }

    if (strcasecmp(name, "Sensitivity") == 0) {
        v = exs_in_trim(c, value);
        if (v == NULL) {
            return EXS_NOMEM;
        }

        level = strcasecmp(v, "personal") == 0 ? EXS_SENSITIVITY_PERSONAL
                : strcasecmp(v, "private") == 0 ? EXS_SENSITIVITY_PRIVATE
                : strcasecmp(v, "company-confidential") == 0
                  ? EXS_SENSITIVITY_CONFIDENTIAL
                : EXS_SENSITIVITY_NONE;

        return exs_props_set_long(c->a, bag, PR_SENSITIVITY, level);
    }

    if (strcasecmp(name, "Keywords") == 0) {
        return exs_in_keywords(c, bag, value);
    }

    if (strcasecmp(name, "Thread-Index") == 0) {
        v = exs_in_trim(c, value);
        bin = v ? exs_oxcmail_base64_decode(c->a, v, &len) : NULL;

        if (bin && len >= 22 && exs_props_get(bag, PR_CONVERSATION_INDEX)
                                == NULL)
        {
            return exs_props_set_bin(c->a, bag, PR_CONVERSATION_INDEX, bin,
                                     len);
        }

        return c->rc;
    }

    if (strcasecmp(name, "Return-Receipt-To") == 0) {
        return exs_props_set_bool(c->a, bag,
                                  PR_ORIGINATOR_DELIVERY_REPORT_REQUESTED, 1);
    }

    if (strcasecmp(name, "X-Auto-Response-Suppress") == 0) {
        flags = 0;

        for (p = value; *p; p++) {
            if (strncasecmp(p, "All", 3) == 0) {
                flags = 0xFFFFFFFF;
                break;
            }

            if (p == value || p[-1] == ',' || p[-1] == ' ') {
                if (strncasecmp(p, "NDR", 3) == 0) {
                    flags |= 0x02;
                } else if (strncasecmp(p, "DR", 2) == 0) {
                    flags |= 0x01;
                } else if (strncasecmp(p, "NRN", 3) == 0) {
                    flags |= 0x08;
                } else if (strncasecmp(p, "RN", 2) == 0) {
                    flags |= 0x04;
                } else if (strncasecmp(p, "OOF", 3) == 0) {
                    flags |= 0x10;
                } else if (strncasecmp(p, "AutoReply", 9) == 0) {
                    flags |= 0x20;
                }
            }
        }

        return exs_props_set_long(c->a, bag, PR_AUTO_RESPONSE_SUPPRESS,
                                  (int32_t) (uint32_t) flags);
    }

    if (strcasecmp(name, "Expiry-Date") == 0
        || strcasecmp(name, "Expires") == 0)
    {
        return exs_in_date(c, bag, PR_EXPIRY_TIME, value);
    }

    if (strcasecmp(name, "Reply-By") == 0) {
        return exs_in_date(c, bag, PR_REPLY_TIME, value);
    }

    if (strcasecmp(name, "Received") == 0) {
        /* the topmost one: the date after its last ';' */
        if (exs_props_get(bag, PR_MESSAGE_DELIVERY_TIME)) {
            return EXS_OK;
        }

        p = strrchr(value, ';');

        return p ? exs_in_date(c, bag, PR_MESSAGE_DELIVERY_TIME, p + 1)
                 : EXS_OK;
    }

    if (strcasecmp(name, "X-MS-TNEF-Correlator") == 0) {
        v = exs_in_trim(c, value);

        return v ? exs_props_set_bin(c->a, bag, PR_TNEF_CORRELATION_KEY, v,
                                     strlen(v) + 1)
                 : EXS_NOMEM;
    }

    return EXS_OK;
}


static int
exs_in_date(exs_in_t *c, exs_props_t *bag, uint32_t tag, const char *value)
{
    int         rc;
    GDateTime  *d;

    d = g_mime_utils_header_decode_date(value);
    if (d == NULL) {
        return EXS_OK;
    }

    rc = exs_props_set_i8(c->a, bag, tag,
                          exs_oxcmail_filetime(g_date_time_to_unix(d),
                                             g_date_time_get_microsecond(d)));
    g_date_time_unref(d);

    return rc;
}


static int
exs_in_named_str(exs_in_t *c, exs_props_t *bag, const uint8_t *guid,
    const char *name, const char *value)
{
    int       rc;
    uint16_t  id;

    rc = exs_oxcmail_named_id(c->opts->namemap, guid, name, 0, 1, &id);

    if (rc == EXS_FULL) {
        c->lossy |= EXS_OXCMAIL_LOST_NAMES;
        return EXS_OK;
    }

    if (rc != EXS_OK) {
        return rc;
    }

    if (exs_props_get(bag, PROP_TAG(PT_UNICODE, id))) {
        return EXS_OK;
    }

    return exs_oxcmail_set_str(c->a, bag, PROP_TAG(PT_UNICODE, id), value);
}


/* Keywords: comma-separated phrases, PS_PUBLIC_STRINGS "Keywords" */

static int
exs_in_keywords(exs_in_t *c, exs_props_t *bag, const char *value)
{
    int          rc;
    char        *s, *p, *q, *e;
    uint16_t     id;
    uint32_t     n, i, cap;
    exs_str_t   *v;
    exs_prop_t  *old, prop;

    rc = exs_oxcmail_named_id(c->opts->namemap, PS_PUBLIC_STRINGS,
                              "Keywords", 0, 1, &id);
    if (rc == EXS_FULL) {
        c->lossy |= EXS_OXCMAIL_LOST_NAMES;
        return EXS_OK;
    }

    if (rc != EXS_OK) {
        return rc;
    }

    s = (char *) exs_in_trim(c, value);
    if (s == NULL) {
        return EXS_NOMEM;
    }

    old = exs_props_get(bag, PROP_TAG(PT_MV_UNICODE, id));

    cap = old ? old->v.mv.n : 0;
    for (p = s; *p; p++) {
        cap += *p == ',';
    }
    cap++;

    v = exs_alloc(c->a, cap * sizeof(exs_str_t));
    if (v == NULL) {
        return EXS_NOMEM;
    }

    n = 0;

    if (old) {
        for (i = 0; i < old->v.mv.n; i++) {
            v[n++] = old->v.mv.v.str[i];
        }
    }

    for (p = s; *p; p = q) {
        q = strchr(p, ',');
        if (q) {
            *q++ = '\0';
        } else {
            q = p + strlen(p);
        }

        while (*p == ' ' || *p == '\t') {
            p++;
        }

        e = p + strlen(p);
        while (e > p && (e[-1] == ' ' || e[-1] == '\t')) {
            *--e = '\0';
        }

        if (*p == '\0') {
            continue;
        }

        for (i = 0; i < n; i++) {
            if (strcmp(v[i].data, p) == 0) {
                break;
            }
        }

        if (i == n && n < cap) {
            v[n].data = p;
            v[n].len = e - p;
            n++;
        }
    }

    if (n == 0) {
        return EXS_OK;
    }

    prop.tag = PROP_TAG(PT_MV_UNICODE, id);
    prop.v.mv.n = n;
    prop.v.mv.v.str = v;

    return exs_props_set(c->a, bag, &prop);
}


/*
 * PR_CONVERSATION_INDEX for mail without Thread-Index (MS-OXOMSG
 * 2.2.1.3): a header block whose GUID is a digest of the thread's first
 * message id, so the messages of one thread share it.
 */

int
exs_in_conversation(exs_in_t *c, GMimeMessage *gm, exs_msg_t *msg)
{
    int64_t       ft;
    uint8_t       idx[22], md[EVP_MAX_MD_SIZE];
    unsigned      mdlen, i;
    exs_prop_t   *p;
    const char   *root, *e, *s;

    if (exs_props_get(&msg->props, PR_CONVERSATION_INDEX)) {
        return EXS_OK;
    }

    root = NULL;
    p = exs_props_get(&msg->props, PR_INTERNET_REFERENCES);

    if (p == NULL) {
        p = exs_props_get(&msg->props, PR_IN_REPLY_TO_ID);
    }

    if (p == NULL) {
        p = exs_props_get(&msg->props, PR_INTERNET_MESSAGE_ID);
    }

    if (p == NULL) {
        return EXS_OK;
    }

    root = p->v.str.data;
    s = strchr(root, '<');
    e = s ? strchr(s, '>') : NULL;

    if (s == NULL || e == NULL) {
        s = root;
        e = root + strlen(root);

    } else {
        e++;
    }

    if (EVP_Digest(s, e - s, md, &mdlen, EVP_sha256(), NULL) != 1) {
        return EXS_OK;
    }

    p = exs_props_get(&msg->props, PR_CLIENT_SUBMIT_TIME);
    ft = p ? p->v.ll : 0;

    idx[0] = 0x01;

    for (i = 0; i < 5; i++) {
        idx[1 + i] = (uint8_t) ((uint64_t) ft >> (56 - 8 * i));
    }

    memcpy(idx + 6, md, 16);

    (void) gm;

    return exs_props_set_bin(c->a, &msg->props, PR_CONVERSATION_INDEX, idx,
                             sizeof(idx));
}


/* addresses */

static int
exs_in_mailbox(exs_in_t *c, InternetAddressList *list, const char **name,
    const char **addr)
{
    int               i, n;
    const char       *s;
    InternetAddress  *ia;

    if (list == NULL) {
        return 0;
    }

    n = internet_address_list_length(list);

    for (i = 0; i < n; i++) {
        ia = internet_address_list_get_address(list, i);

        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            if (exs_in_mailbox(c, internet_address_group_get_members(
                                      INTERNET_ADDRESS_GROUP(ia)), name,
                               addr))
            {
                return 1;
            }

            continue;
        }

        s = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));

        if (s == NULL || *s == '\0') {
            continue;
        }

        *addr = exs_in_trim(c, s);
        s = internet_address_get_name(ia);
        *name = s ? exs_in_trim(c, s) : NULL;

        return *addr != NULL;
    }

    return 0;
}


/*
 * The six properties of one address: a local one is an EX entry of the
 * directory (the way Exchange delivers it), others are one-off SMTP.
 */

static int
exs_in_set_addr(exs_in_t *c, exs_props_t *bag, const exs_addr_tags_t *t,
    const char *name, const char *smtp, uint32_t *display_type)
{
    int                  rc;
    exs_bin_t            eid, key;
    const char          *type, *email;
    exs_oxcmail_addr_t   e;

    if (name == NULL || *name == '\0') {
        name = smtp;
    }

    type = "SMTP";
    email = smtp;
    eid.len = 0;

    if (display_type) {
        *display_type = EXS_DT_MAILUSER;
    }

    if (c->opts->lookup && *smtp) {
        memset(&e, 0, sizeof(e));

        rc = c->opts->lookup(c->opts->lookup_data, EXS_OXCMAIL_BY_SMTP,
                             smtp, &e, c->a);

        if (rc == EXS_OK && e.legacy_dn) {
            type = "EX";
            email = e.legacy_dn;
            eid = e.entryid;

            if (e.display_name && *e.display_name) {
                name = e.display_name;
            }

            if (e.smtp && *e.smtp) {
                smtp = e.smtp;
            }

            if (display_type) {
                *display_type = e.display_type;
            }

            if (eid.len == 0
                && exs_oxcmail_ab_entryid(e.legacy_dn, e.display_type, &eid,
                                          c->a) != EXS_OK)
            {
                return EXS_NOMEM;
            }

        } else if (rc != EXS_OK && rc != EXS_NOTFOUND) {
            return rc;
        }
    }

    if (eid.len == 0
        && exs_oxcmail_oneoff_entryid(name, type, email, &eid, c->a)
           != EXS_OK)
    {
        return EXS_NOMEM;
    }

    if (exs_oxcmail_search_key(type, email, &key, c->a) != EXS_OK) {
        return EXS_NOMEM;
    }

    if (exs_oxcmail_set_str(c->a, bag, t->name, name) != EXS_OK
        || exs_oxcmail_set_str(c->a, bag, t->addrtype, type) != EXS_OK
        || exs_oxcmail_set_str(c->a, bag, t->email, email) != EXS_OK
        || exs_oxcmail_set_str(c->a, bag, t->smtp, smtp) != EXS_OK
        || exs_props_set_bin(c->a, bag, t->entryid, eid.data, eid.len)
           != EXS_OK
        || exs_props_set_bin(c->a, bag, t->search_key, key.data, key.len)
           != EXS_OK)
    {
        return EXS_NOMEM;
    }

    return EXS_OK;
}


int
exs_in_addresses(exs_in_t *c, GMimeMessage *gm, exs_msg_t *msg)
{
    int                   rc, have_from, have_sender, i;
    const char           *fname, *faddr, *sname, *saddr;
    InternetAddressList  *list;

    static const char    *hdrs[3] = { "To", "Cc", "Bcc" };

    fname = NULL;
    faddr = NULL;
    sname = NULL;
    saddr = NULL;

    list = exs_in_addrlist(c, GMIME_OBJECT(gm), "From");
    have_from = exs_in_mailbox(c, list, &fname, &faddr);
    g_object_unref(list);

    list = exs_in_addrlist(c, GMIME_OBJECT(gm), "Sender");
    have_sender = exs_in_mailbox(c, list, &sname, &saddr);
    g_object_unref(list);

    if (c->rc != EXS_OK) {
        return c->rc;
    }

    if (have_from || have_sender) {
        rc = exs_in_set_addr(c, &msg->props, &exs_repr_tags,
                             have_from ? fname : sname,
                             have_from ? faddr : saddr, NULL);
        if (rc != EXS_OK) {
            return rc;
        }

        rc = exs_in_set_addr(c, &msg->props, &exs_sender_tags,
                             have_sender ? sname : fname,
                             have_sender ? saddr : faddr, NULL);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    list = exs_in_addrlist(c, GMIME_OBJECT(gm), "Reply-To");
    rc = exs_in_reply_to(c, msg, list);
    g_object_unref(list);

    for (i = 0; rc == EXS_OK && i < 3; i++) {
        list = exs_in_addrlist(c, GMIME_OBJECT(gm), hdrs[i]);
        rc = exs_in_rcpts(c, msg, list, EXS_MAPI_TO + i, 0);
        g_object_unref(list);
    }

    if (rc != EXS_OK) {
        return rc;
    }

    list = exs_in_addrlist(c, GMIME_OBJECT(gm),
                           "Disposition-Notification-To");

    if (exs_in_mailbox(c, list, &sname, &saddr)) {
        rc = exs_in_set_addr(c, &msg->props, &exs_rr_tags, sname, saddr,
                             NULL);

        if (rc == EXS_OK) {
            rc = exs_props_set_bool(c->a, &msg->props,
                                    PR_READ_RECEIPT_REQUESTED, 1);
        }
    }

    g_object_unref(list);

    return rc != EXS_OK ? rc : c->rc;
}


static int
exs_in_rcpts(exs_in_t *c, exs_msg_t *msg, InternetAddressList *list,
    int type, unsigned level)
{
    int               i, n, rc;
    uint32_t          dt;
    const char       *name, *addr, *s;
    exs_rcpt_t       *r;
    exs_prop_t       *p;
    InternetAddress  *ia;

    if (list == NULL) {
        return EXS_OK;
    }

    n = internet_address_list_length(list);

    for (i = 0; i < n; i++) {
        ia = internet_address_list_get_address(list, i);

        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            if (level < EXS_IN_MAX_GROUP) {
                rc = exs_in_rcpts(c, msg, internet_address_group_get_members(
                                      INTERNET_ADDRESS_GROUP(ia)), type,
                                  level + 1);
                if (rc != EXS_OK) {
                    return rc;
                }
            }

            continue;
        }

        s = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));

        if (s == NULL || *s == '\0') {
            continue;
        }

        addr = exs_in_trim(c, s);
        s = internet_address_get_name(ia);
        name = s ? exs_in_trim(c, s) : NULL;

        if (addr == NULL || c->rc != EXS_OK) {
            return EXS_NOMEM;
        }

        r = exs_msg_add_rcpt(c->a, msg);
        if (r == NULL) {
            return EXS_NOMEM;
        }

        rc = exs_in_set_addr(c, &r->props, &exs_rcpt_tags, name, addr, &dt);
        if (rc != EXS_OK) {
            return rc;
        }

        p = exs_props_get(&r->props, PR_DISPLAY_NAME);

        if (exs_props_set_long(c->a, &r->props, PR_RECIPIENT_TYPE, type)
            != EXS_OK
            || exs_props_set_long(c->a, &r->props, PR_ROWID,
                                  (int32_t) (msg->nrcpts - 1)) != EXS_OK
            || exs_props_set_long(c->a, &r->props, PR_OBJECT_TYPE,
                                  EXS_MAPI_MAILUSER) != EXS_OK
            || exs_props_set_long(c->a, &r->props, PR_DISPLAY_TYPE,
                                  (int32_t) dt) != EXS_OK
            || exs_props_set_long(c->a, &r->props, PR_RECIPIENT_FLAGS,
                                  EXS_RECIP_SENDABLE) != EXS_OK
            || exs_props_set_str(c->a, &r->props,
                                 PR_TRANSMITABLE_DISPLAY_NAME,
                                 p->v.str.data, p->v.str.len) != EXS_OK)
        {
            return EXS_NOMEM;
        }
    }

    return EXS_OK;
}


static int
exs_in_reply_to(exs_in_t *c, exs_msg_t *msg, InternetAddressList *list)
{
    int               i, n, rc;
    char             *names, *q;
    size_t            total;
    uint32_t          k;
    exs_bin_t        *ids, eid;
    exs_prop_t       *p;
    exs_props_t       tmp;
    const char       *name, *addr, *s;
    InternetAddress  *ia;

    if (list == NULL || (n = internet_address_list_length(list)) == 0) {
        return EXS_OK;
    }

    ids = exs_alloc(c->a, n * sizeof(exs_bin_t));
    if (ids == NULL) {
        return EXS_NOMEM;
    }

    k = 0;
    total = 1;
    names = NULL;

    for (i = 0; i < n; i++) {
        ia = internet_address_list_get_address(list, i);

        if (!INTERNET_ADDRESS_IS_MAILBOX(ia)) {
            continue;
        }

        s = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
        if (s == NULL || *s == '\0') {
            continue;
        }

        addr = exs_in_trim(c, s);
        s = internet_address_get_name(ia);
        name = s ? exs_in_trim(c, s) : NULL;

        if (addr == NULL || c->rc) {
            return EXS_NOMEM;
        }

        memset(&tmp, 0, sizeof(tmp));

        rc = exs_in_set_addr(c, &tmp, &exs_rcpt_tags, name, addr, NULL);
        if (rc != EXS_OK) {
            return rc;
        }

        p = exs_props_get(&tmp, PR_ENTRYID);
        eid = p->v.bin;
        ids[k++] = eid;

        p = exs_props_get(&tmp, PR_DISPLAY_NAME);

        q = exs_alloc(c->a, total + p->v.str.len + 2);
        if (q == NULL) {
            return EXS_NOMEM;
        }

        if (names) {
            memcpy(q, names, total - 1);
            memcpy(q + total - 1, "; ", 2);
            memcpy(q + total + 1, p->v.str.data, p->v.str.len + 1);
            total += p->v.str.len + 2;

        } else {
            memcpy(q, p->v.str.data, p->v.str.len + 1);
            total += p->v.str.len;
        }

        names = q;
    }

    if (k == 0) {
        return EXS_OK;
    }

    if (exs_oxcmail_flat_entrylist(ids, k, &eid, c->a) != EXS_OK
        || exs_props_set_bin(c->a, &msg->props, PR_REPLY_RECIPIENT_ENTRIES,
                             eid.data, eid.len) != EXS_OK
        || exs_oxcmail_set_str(c->a, &msg->props, PR_REPLY_RECIPIENT_NAMES,
                               names) != EXS_OK)
    {
        return EXS_NOMEM;
    }

    return EXS_OK;
}


/* PR_DISPLAY_TO, _CC, _BCC: the names, "; " between */

int
exs_in_display(exs_in_t *c, exs_msg_t *msg)
{
    int          type;
    size_t       len[4];
    uint32_t     i;
    exs_buf_t    b[4];
    exs_prop_t  *t, *n;

    static const uint32_t  tags[4] = {
        0, PR_DISPLAY_TO, PR_DISPLAY_CC, PR_DISPLAY_BCC
    };

    memset(b, 0, sizeof(b));
    memset(len, 0, sizeof(len));

    for (i = 0; i < msg->nrcpts; i++) {
        t = exs_props_get(&msg->rcpts[i].props, PR_RECIPIENT_TYPE);
        n = exs_props_get(&msg->rcpts[i].props, PR_DISPLAY_NAME);

        if (t == NULL || n == NULL || t->v.l < 1 || t->v.l > 3) {
            continue;
        }

        type = t->v.l;

        if (b[type].len) {
            exs_buf_add(&b[type], "; ", 2);
        }

        exs_buf_add(&b[type], n->v.str.data, n->v.str.len);
    }

    for (type = 1; type <= 3; type++) {
        if (b[type].nomem
            || exs_props_set_str(c->a, &msg->props, tags[type],
                                 b[type].len ? (char *) b[type].data : "",
                                 b[type].len) != EXS_OK)
        {
            for (i = 1; i <= 3; i++) {
                exs_buf_free(&b[i]);
            }

            return EXS_NOMEM;
        }

        exs_buf_free(&b[type]);
    }

    return EXS_OK;
}


/* delivery: who received it, and whether it was sent to them */

int
exs_oxcmail_set_received(exs_arena_t *a, exs_msg_t *msg,
    const exs_oxcmail_addr_t *me)
{
    int                     to, cc, i, k;
    uint32_t                n;
    exs_bin_t               eid, key;
    exs_prop_t             *t, *s;
    const char             *type, *email, *name;
    const exs_addr_tags_t  *tags[2];

    if (me == NULL || me->smtp == NULL) {
        return EXS_INVALID;
    }

    type = me->legacy_dn ? "EX" : "SMTP";
    email = me->legacy_dn ? me->legacy_dn : me->smtp;
    name = me->display_name && *me->display_name ? me->display_name
                                                 : me->smtp;
    eid = me->entryid;

    if (eid.len == 0) {
        if ((me->legacy_dn
             ? exs_oxcmail_ab_entryid(me->legacy_dn, me->display_type, &eid,
                                      a)
             : exs_oxcmail_oneoff_entryid(name, type, email, &eid, a))
            != EXS_OK)
        {
            return EXS_NOMEM;
        }
    }

    if (exs_oxcmail_search_key(type, email, &key, a) != EXS_OK) {
        return EXS_NOMEM;
    }

    tags[0] = &exs_rcvd_tags;
    tags[1] = &exs_rcvd_repr_tags;

    for (k = 0; k < 2; k++) {
        if (exs_oxcmail_set_str(a, &msg->props, tags[k]->name, name)
            != EXS_OK
            || exs_oxcmail_set_str(a, &msg->props, tags[k]->addrtype, type)
               != EXS_OK
            || exs_oxcmail_set_str(a, &msg->props, tags[k]->email, email)
               != EXS_OK
            || exs_oxcmail_set_str(a, &msg->props, tags[k]->smtp, me->smtp)
               != EXS_OK
            || exs_props_set_bin(a, &msg->props, tags[k]->entryid, eid.data,
                                 eid.len) != EXS_OK
            || exs_props_set_bin(a, &msg->props, tags[k]->search_key,
                                 key.data, key.len) != EXS_OK)
        {
            return EXS_NOMEM;
        }
    }

    to = 0;
    cc = 0;

    for (n = 0; n < msg->nrcpts; n++) {
        t = exs_props_get(&msg->rcpts[n].props, PR_RECIPIENT_TYPE);
        s = exs_props_get(&msg->rcpts[n].props, PR_SMTP_ADDRESS);

        if (t == NULL || s == NULL || strcasecmp(s->v.str.data, me->smtp))
        {
            continue;
        }

        to |= t->v.l == EXS_MAPI_TO;
        cc |= t->v.l == EXS_MAPI_CC;
    }

    i = exs_props_set_bool(a, &msg->props, PR_MESSAGE_TO_ME, to);

    if (i == EXS_OK) {
        i = exs_props_set_bool(a, &msg->props, PR_MESSAGE_CC_ME, cc);
    }

    if (i == EXS_OK) {
        i = exs_props_set_bool(a, &msg->props, PR_MESSAGE_RECIP_ME, to || cc);
    }

    return i;
}
