
/*
 * exch store: MAPI message -> Internet mail, MS-OXCMAIL 2.2.2 (message
 * object to MIME) and MS-OXOSMIME 2.1.3.1.
 *
 * The shape is Outlook's: text and HTML bodies in multipart/alternative,
 * the HTML's inline images with it in multipart/related, attachments in
 * multipart/mixed (multipart/report for reports), embedded messages as
 * message/rfc822; S/MIME messages give back the entity they keep.  GMime
 * writes it.  The output is a function of the message alone: boundaries
 * come from a digest of everything written, so content can never hold
 * them (that would need a preimage of SHA-256).
 */


#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>
#include <openssl/evp.h>

#include "exs_oxcmail_int.h"


typedef struct {
    exs_arena_t               *a;
    const exs_oxcmail_opts_t  *opts;
    char                       digest[33];
    unsigned                   boundaries;
    unsigned                   max_depth;
    int                        rc;
    const uint8_t             *raw_entity;   /* top-level S/MIME, kept */
    size_t                     raw_len;
} exs_out_t;


typedef struct {
    const char                *name;
    const char                *type;
} exs_out_ext_t;


static int exs_out_digest(EVP_MD_CTX *md, const exs_msg_t *msg,
    unsigned depth);
static int exs_out_volatile(uint32_t tag);
static void exs_out_digest_props(EVP_MD_CTX *md, const exs_props_t *bag);
static GMimeMessage *exs_out_message(exs_out_t *c, const exs_msg_t *msg,
    unsigned depth);
static void exs_out_transport(exs_out_t *c, GMimeObject *o,
    const exs_msg_t *msg);
static int exs_out_generated(const char *name, size_t len);
static void exs_out_addresses(exs_out_t *c, GMimeMessage *gm,
    const exs_msg_t *msg);
static const char *exs_out_smtp(exs_out_t *c, const exs_props_t *bag,
    uint32_t addrtype, uint32_t email, uint32_t smtp, uint32_t entryid,
    uint32_t name, const char **dname);
static void exs_out_reply_to(exs_out_t *c, GMimeMessage *gm,
    const exs_msg_t *msg);
static void exs_out_headers(exs_out_t *c, GMimeMessage *gm,
    const exs_msg_t *msg);
static void exs_out_date(GMimeObject *o, const char *name, int64_t ft);
static GMimeObject *exs_out_body(exs_out_t *c, const exs_msg_t *msg,
    unsigned depth);
static GMimeObject *exs_out_smime(exs_out_t *c, const exs_msg_t *msg,
    unsigned depth);
static GMimeObject *exs_out_tnef(exs_out_t *c, const exs_msg_t *msg);
static GMimeObject *exs_out_text(exs_out_t *c, const char *subtype,
    const uint8_t *data, size_t len, const char *charset);
static GMimeObject *exs_out_attachment(exs_out_t *c,
    const exs_attach_t *at, unsigned depth, int inline_ref);
static GMimeMultipart *exs_out_multipart(exs_out_t *c, const char *subtype);
static int exs_out_is_inline(const exs_attach_t *at);
static const char *exs_out_mime_type(exs_out_t *c, const exs_attach_t *at,
    const char *filename);
static const char *exs_out_rawstr(const exs_props_t *bag, uint32_t tag);
static const char *exs_out_str(exs_out_t *c, const exs_props_t *bag,
    uint32_t tag);
static const char *exs_out_clean(exs_out_t *c, const char *s);
static void exs_out_raw_header(exs_out_t *c, GMimeObject *o,
    const char *name, const char *value);
static const exs_prop_t *exs_out_named(exs_out_t *c, const exs_props_t *bag,
    const uint8_t *guid, const char *name, uint16_t type);
static int exs_out_class_is(const exs_msg_t *msg, const char *cls);


static const exs_out_ext_t  exs_out_exts[] = {
    { "txt", "text/plain" }, { "htm", "text/html" }, { "html", "text/html" },
    { "ics", "text/calendar" }, { "vcf", "text/vcard" },
    { "csv", "text/csv" }, { "xml", "application/xml" },
    { "pdf", "application/pdf" }, { "zip", "application/zip" },
    { "gz", "application/gzip" }, { "json", "application/json" },
    { "doc", "application/msword" }, { "xls", "application/vnd.ms-excel" },
    { "ppt", "application/vnd.ms-powerpoint" },
    { "docx", "application/vnd.openxmlformats-officedocument"
              ".wordprocessingml.document" },
    { "xlsx", "application/vnd.openxmlformats-officedocument"
              ".spreadsheetml.sheet" },
    { "pptx", "application/vnd.openxmlformats-officedocument"
              ".presentationml.presentation" },
    { "rtf", "application/rtf" }, { "eml", "message/rfc822" },
    { "png", "image/png" }, { "gif", "image/gif" }, { "jpg", "image/jpeg" },
    { "jpeg", "image/jpeg" }, { "bmp", "image/bmp" }, { "svg",
      "image/svg+xml" }, { "tif", "image/tiff" }, { "tiff", "image/tiff" },
    { "webp", "image/webp" }, { "mp3", "audio/mpeg" }, { "wav",
      "audio/wav" }, { "mp4", "video/mp4" }, { "p7m",
      "application/pkcs7-mime" }, { "p7s", "application/pkcs7-signature" },
    { NULL, NULL }
};


/* headers this file writes from properties: never copied verbatim */

static const char  *exs_out_own[] = {
    "From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Subject", "Date",
    "Message-ID", "In-Reply-To", "References", "MIME-Version",
    "Importance", "X-Priority", "X-MSMail-Priority", "Priority",
    "Sensitivity", "Keywords", "Thread-Topic", "Thread-Index",
    "Disposition-Notification-To", "Return-Receipt-To", "Organization",
    "Newsgroups", "Followup-To", "Approved", "Control", "Distribution",
    "Supersedes", "Precedence", "List-Help", "List-Subscribe",
    "List-Unsubscribe", "X-Mailer", "List-Id", "List-Post", "List-Archive",
    "List-Owner", "Content-Class", "Accept-Language",
    "X-Auto-Response-Suppress", "Expiry-Date", "Expires", "Reply-By",
    "X-MS-TNEF-Correlator", "X-MS-Has-Attach", "Bcc", NULL
};



int
exs_oxcmail_export(const exs_msg_t *msg, const exs_oxcmail_opts_t *opts,
    exs_bin_t *out, exs_arena_t *a)
{
    int                  crlf;
    char                *d;
    size_t               len;
    uint8_t             *ent;
    unsigned             i, mdlen;
    exs_out_t            c;
    GByteArray          *ba;
    EVP_MD_CTX          *md;
    GMimeStream         *s;
    GMimeMessage        *gm;
    const exs_prop_t    *raw;
    GMimeFormatOptions  *fo;
    uint8_t              digest[EVP_MAX_MD_SIZE];

    static const char    hex[] = "0123456789abcdef";

    if (msg == NULL || opts == NULL || opts->namemap == NULL) {
        return EXS_INVALID;
    }

    crlf = !(opts->flags & EXS_OXCMAIL_LF);

    raw = exs_props_get(&msg->props, PR_INTERNET_CONTENT);

    if (raw && (opts->flags & EXS_OXCMAIL_PREFER_RAW)) {
        /* a binary value has no NUL after it: copy len, then add one */
        out->data = exs_alloc(a, raw->v.bin.len + 1);
        if (out->data == NULL) {
            return EXS_NOMEM;
        }

        memcpy((uint8_t *) out->data, raw->v.bin.data, raw->v.bin.len);
        ((uint8_t *) out->data)[raw->v.bin.len] = '\0';
        out->len = raw->v.bin.len;

        return EXS_OK;
    }

    if (exs_mime_init() != EXS_OK) {
        return EXS_ERROR;
    }

    memset(&c, 0, sizeof(c));
    c.a = a;
    c.opts = opts;
    c.max_depth = opts->max_depth ? opts->max_depth : 16;

    md = EVP_MD_CTX_new();
    if (md == NULL) {
        return EXS_NOMEM;
    }

    if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1
        || exs_out_digest(md, msg, 0) != EXS_OK
        || EVP_DigestFinal_ex(md, digest, &mdlen) != 1)
    {
        EVP_MD_CTX_free(md);
        return EXS_ERROR;
    }

    EVP_MD_CTX_free(md);

    for (i = 0; i < 16; i++) {
        c.digest[2 * i] = hex[digest[i] >> 4];
        c.digest[2 * i + 1] = hex[digest[i] & 15];
    }

    c.digest[32] = '\0';

    gm = exs_out_message(&c, msg, 0);

    if (gm == NULL || c.rc != EXS_OK) {
        if (gm) {
            g_object_unref(gm);
        }

        return c.rc != EXS_OK ? c.rc : EXS_NOMEM;
    }

    fo = g_mime_format_options_new();
    g_mime_format_options_set_newline_format(fo, crlf
                                             ? GMIME_NEWLINE_FORMAT_DOS
                                             : GMIME_NEWLINE_FORMAT_UNIX);

    s = g_mime_stream_mem_new();

    if (c.raw_entity) {
        /* the headers, then the S/MIME entity byte for byte */
        g_mime_object_append_header(GMIME_OBJECT(gm), "MIME-Version", "1.0",
                                    NULL);
        g_mime_object_write_to_stream(GMIME_OBJECT(gm), fo, s);

        ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));

        /* write_to_stream ended the headers with a blank line: drop it */
        len = crlf ? 2 : 1;

        if (ba->len >= len) {
            g_byte_array_set_size(ba, ba->len - len);
        }

        ent = exs_oxcmail_eol(a, c.raw_entity, c.raw_len, &len, crlf);
        if (ent == NULL) {
            c.rc = EXS_NOMEM;

        } else {
            g_byte_array_append(ba, ent, len);
        }

    } else {
        g_mime_object_write_to_stream(GMIME_OBJECT(gm), fo, s);
    }

    g_mime_format_options_free(fo);

    ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));

    d = exs_alloc(a, ba->len + 1);

    if (d) {
        if (ba->len) {
            memcpy(d, ba->data, ba->len);
        }

        d[ba->len] = '\0';
        out->data = (uint8_t *) d;
        out->len = ba->len;
    }

    g_object_unref(s);
    g_object_unref(gm);

    if (c.rc != EXS_OK) {
        return c.rc;
    }

    return d ? EXS_OK : EXS_NOMEM;
}


/*
 * The digest: every property of the message and its parts, in order, but
 * those the store or the client change without changing the content (read
 * and flag state, change keys and numbers, ids, times of change), so that
 * marking a message read does not change its MIME form (IMAP sizes and
 * bodies must stay the same).
 */

static int
exs_out_volatile(uint32_t tag)
{
    uint16_t  id;

    id = PROP_ID(tag);

    return (id >= 0x0E00 && id <= 0x0FFF)       /* non-transmittable */
           || (id >= 0x1080 && id <= 0x10FF)    /* verbs, follow-up flags */
           || id == PROP_ID(PR_CREATION_TIME)
           || id == PROP_ID(PR_LAST_MODIFICATION_TIME)
           || (id >= 0x65E0 && id <= 0x65FF)    /* source and change keys */
           || (id >= 0x6600 && id <= 0x67FF);   /* provider-internal */
}


static void
exs_out_digest_props(EVP_MD_CTX *md, const exs_props_t *bag)
{
    uint16_t           type;
    uint32_t           i, k;
    const exs_prop_t  *p;

    for (i = 0; i < bag->n; i++) {
        p = &bag->v[i];
        type = PROP_TYPE(p->tag);

        if (exs_out_volatile(p->tag)) {
            continue;
        }

        EVP_DigestUpdate(md, &p->tag, sizeof(p->tag));

        switch (type) {
        case PT_UNICODE:
        case PT_STRING8:
            EVP_DigestUpdate(md, p->v.str.data, p->v.str.len);
            break;
        case PT_BINARY:
        case PT_CLSID:
        case PT_SVREID:
            EVP_DigestUpdate(md, p->v.bin.data, p->v.bin.len);
            break;
        case PT_MV_UNICODE:
        case PT_MV_STRING8:
            for (k = 0; k < p->v.mv.n; k++) {
                EVP_DigestUpdate(md, p->v.mv.v.str[k].data,
                                 p->v.mv.v.str[k].len);
            }
            break;
        case PT_MV_BINARY:
            for (k = 0; k < p->v.mv.n; k++) {
                EVP_DigestUpdate(md, p->v.mv.v.bin[k].data,
                                 p->v.mv.v.bin[k].len);
            }
            break;
        /* only the bytes the type uses: the rest of the union is junk */
        case PT_SHORT:
            EVP_DigestUpdate(md, &p->v.i, sizeof(p->v.i));
            break;
        case PT_LONG:
        case PT_ERROR:
            EVP_DigestUpdate(md, &p->v.l, sizeof(p->v.l));
            break;
        case PT_BOOLEAN:
            EVP_DigestUpdate(md, &p->v.b, sizeof(p->v.b));
            break;
        case PT_I8:
        case PT_SYSTIME:
        case PT_CURRENCY:
            EVP_DigestUpdate(md, &p->v.ll, sizeof(p->v.ll));
            break;
        default:
            break;
        }
    }
}


static int
exs_out_digest(EVP_MD_CTX *md, const exs_msg_t *msg, unsigned depth)
{
    uint32_t  i;

    if (depth > 64) {
        return EXS_OK;
    }

    exs_out_digest_props(md, &msg->props);

    for (i = 0; i < msg->nrcpts; i++) {
        exs_out_digest_props(md, &msg->rcpts[i].props);
    }

    for (i = 0; i < msg->natts; i++) {
        exs_out_digest_props(md, &msg->atts[i].props);

        if (msg->atts[i].embedded) {
            exs_out_digest(md, msg->atts[i].embedded, depth + 1);
        }
    }

    return EXS_OK;
}


static GMimeMultipart *
exs_out_multipart(exs_out_t *c, const char *subtype)
{
    char             b[64];
    GMimeMultipart  *mp;

    mp = g_mime_multipart_new_with_subtype(subtype);

    snprintf(b, sizeof(b), "=_exch_%s_%u", c->digest, c->boundaries++);
    g_mime_multipart_set_boundary(mp, b);

    return mp;
}


static const char *
exs_out_rawstr(const exs_props_t *bag, uint32_t tag)
{
    exs_prop_t  *p;

    p = exs_props_get(bag, tag);

    return p && p->v.str.len ? p->v.str.data : NULL;
}


/*
 * A string property bound for a header: control characters (a CR LF
 * would start a header of its own) become spaces.
 */

static const char *
exs_out_str(exs_out_t *c, const exs_props_t *bag, uint32_t tag)
{
    const char  *s;

    s = exs_out_rawstr(bag, tag);

    return s ? exs_out_clean(c, s) : NULL;
}


static const char *
exs_out_clean(exs_out_t *c, const char *s)
{
    char        *d, *q;
    const char  *p;

    for (p = s; *p; p++) {
        if ((unsigned char) *p < 0x20 || *p == 0x7F) {
            break;
        }
    }

    if (*p == '\0') {
        return s;
    }

    d = exs_strdup(c->a, s);
    if (d == NULL) {
        c->rc = EXS_NOMEM;
        return NULL;
    }

    for (q = d; *q; q++) {
        if ((unsigned char) *q < 0x20 || *q == 0x7F) {
            *q = ' ';
        }
    }

    return d;
}


static const exs_prop_t *
exs_out_named(exs_out_t *c, const exs_props_t *bag, const uint8_t *guid,
    const char *name, uint16_t type)
{
    uint16_t  id;

    if (exs_oxcmail_named_id(c->opts->namemap, guid, name, 0, 0, &id)
        != EXS_OK)
    {
        return NULL;
    }

    return exs_props_get(bag, PROP_TAG(type, id));
}


static int
exs_out_class_is(const exs_msg_t *msg, const char *cls)
{
    const char  *s;

    s = exs_out_rawstr(&msg->props, PR_MESSAGE_CLASS);

    return s && strncasecmp(s, cls, strlen(cls)) == 0;
}


static GMimeMessage *
exs_out_message(exs_out_t *c, const exs_msg_t *msg, unsigned depth)
{
    GMimeObject   *body;
    GMimeMessage  *gm;

    gm = g_mime_message_new(FALSE);

    if (c->opts->flags & EXS_OXCMAIL_TRANSPORT) {
        exs_out_transport(c, GMIME_OBJECT(gm), msg);
    }

    exs_out_addresses(c, gm, msg);
    exs_out_headers(c, gm, msg);

    body = exs_out_smime(c, msg, depth);

    if (body == NULL && c->raw_entity == NULL) {
        body = exs_out_body(c, msg, depth);
    }

    if (body) {
        g_mime_message_set_mime_part(gm, body);
        g_object_unref(body);
    }

    return gm;
}


/* the received headers no property stands for, as they came */

static int
exs_out_generated(const char *name, size_t len)
{
    const char  **h;

    if (len >= 8 && strncasecmp(name, "Content-", 8) == 0) {
        return 1;
    }

    for (h = exs_out_own; *h; h++) {
        if (strlen(*h) == len && strncasecmp(*h, name, len) == 0) {
            return 1;
        }
    }

    return 0;
}


static void
exs_out_transport(exs_out_t *c, GMimeObject *o, const exs_msg_t *msg)
{
    char              *name, *raw;
    size_t             n, vlen, i, k;
    const char        *p, *end, *colon, *v, *e;
    exs_prop_t        *t;
    GMimeHeader       *h;
    GMimeHeaderList   *list;

    t = exs_props_get(&msg->props, PR_TRANSPORT_MESSAGE_HEADERS);
    if (t == NULL) {
        return;
    }

    list = g_mime_object_get_header_list(o);
    p = t->v.str.data;
    end = p + t->v.str.len;

    while (p < end) {

        /* a header: a name, a colon, the value up to a line not folded */

        colon = memchr(p, ':', end - p);
        e = memchr(p, '\n', end - p);

        if (colon == NULL || (e && e < colon)) {
            p = e ? e + 1 : end;
            continue;
        }

        n = colon - p;

        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t')) {
            n--;
        }

        v = colon + 1;
        e = v;

        for ( ;; ) {
            e = memchr(e, '\n', end - e);

            if (e == NULL) {
                e = end;
                break;
            }

            e++;

            if (e >= end || (*e != ' ' && *e != '\t')) {
                break;
            }
        }

        vlen = e - v;

        if (n == 0 || exs_out_generated(p, n)) {
            p = e;
            continue;
        }

        for (i = 0; i < n; i++) {
            if ((unsigned char) p[i] <= ' ' || (unsigned char) p[i] >= 0x7F)
            {
                break;
            }
        }

        if (i < n) {
            p = e;
            continue;
        }

        name = exs_strndup(c->a, p, n);
        raw = exs_alloc(c->a, vlen + 2);

        if (name == NULL || raw == NULL) {
            c->rc = EXS_NOMEM;
            return;
        }

        for (i = 0, k = 0; i < vlen; i++) {
            if (v[i] != '\r') {
                raw[k++] = v[i];
            }
        }

        if (k == 0 || raw[k - 1] != '\n') {
            raw[k++] = '\n';
        }

        raw[k] = '\0';

        g_mime_header_list_append(list, name, "", NULL);
        h = g_mime_header_list_get_header_at(list,
                                   g_mime_header_list_get_count(list) - 1);
        g_mime_header_set_raw_value(h, raw);

        p = e;
    }
}


/*
 * The SMTP address of an address held as properties: PR_*_SMTP_ADDRESS,
 * an SMTP PR_*_EMAIL_ADDRESS, the directory for an EX one, the entry id.
 */

static const char *
exs_out_smtp(exs_out_t *c, const exs_props_t *bag, uint32_t addrtype,
    uint32_t email, uint32_t smtp, uint32_t entryid, uint32_t name,
    const char **dname)
{
    int                  rc;
    exs_prop_t          *p;
    const char          *s, *type, *n, *addr;
    exs_oxcmail_addr_t   e;

    *dname = exs_out_str(c, bag, name);

    s = exs_out_str(c, bag, smtp);
    if (s) {
        return s;
    }

    type = exs_out_str(c, bag, addrtype);
    s = exs_out_str(c, bag, email);

    if (s && (type == NULL || strcasecmp(type, "SMTP") == 0)
        && strchr(s, '@'))
    {
        return s;
    }

    addr = NULL;

    if (s && type && strcasecmp(type, "EX") == 0) {
        addr = s;
    }

    p = exs_props_get(bag, entryid);

    if (addr == NULL && p
        && exs_oxcmail_parse_entryid(p->v.bin.data, p->v.bin.len, &n, &type,
                                     &s, c->a) == EXS_OK)
    {
        if (strcasecmp(type, "SMTP") == 0) {
            /* entry ids are client bytes: one line each, like the rest */
            if (*dname == NULL && n && *n) {
                *dname = exs_out_clean(c, n);
            }

            return exs_out_clean(c, s);
        }

        if (strcasecmp(type, "EX") == 0) {
            addr = s;
        }
    }

    if (addr && c->opts->lookup) {
        memset(&e, 0, sizeof(e));

        rc = c->opts->lookup(c->opts->lookup_data, EXS_OXCMAIL_BY_DN, addr,
                             &e, c->a);

        if (rc == EXS_OK && e.smtp) {
            if (*dname == NULL && e.display_name) {
                *dname = exs_out_clean(c, e.display_name);
            }

            return exs_out_clean(c, e.smtp);
        }
    }

    return NULL;
}


static void
exs_out_addresses(exs_out_t *c, GMimeMessage *gm, const exs_msg_t *msg)
{
    int                 type;
    uint32_t            i;
    exs_prop_t         *t;
    const char         *from, *fname, *sender, *sname, *addr, *name;
    GMimeAddressType    at;

    from = exs_out_smtp(c, &msg->props, PR_SENT_REPRESENTING_ADDRTYPE,
                        PR_SENT_REPRESENTING_EMAIL_ADDRESS,
                        PR_SENT_REPRESENTING_SMTP_ADDRESS,
                        PR_SENT_REPRESENTING_ENTRYID,
                        PR_SENT_REPRESENTING_NAME, &fname);
    sender = exs_out_smtp(c, &msg->props, PR_SENDER_ADDRTYPE,
                          PR_SENDER_EMAIL_ADDRESS, PR_SENDER_SMTP_ADDRESS,
                          PR_SENDER_ENTRYID, PR_SENDER_NAME, &sname);

    if (from == NULL) {
        from = sender;
        fname = sname;
        sender = NULL;
    }

    if (from) {
        g_mime_message_add_mailbox(gm, GMIME_ADDRESS_TYPE_FROM,
                                   fname && strcmp(fname, from) ? fname
                                                                : NULL,
                                   from);
    }

    if (sender && strcasecmp(sender, from) != 0) {
        g_mime_message_add_mailbox(gm, GMIME_ADDRESS_TYPE_SENDER,
                                   sname && strcmp(sname, sender) ? sname
                                                                  : NULL,
                                   sender);
    }

    exs_out_reply_to(c, gm, msg);

    for (type = EXS_MAPI_TO; type <= EXS_MAPI_BCC; type++) {
        if (type == EXS_MAPI_BCC && !(c->opts->flags & EXS_OXCMAIL_BCC)) {
            break;
        }

        at = type == EXS_MAPI_TO ? GMIME_ADDRESS_TYPE_TO
             : type == EXS_MAPI_CC ? GMIME_ADDRESS_TYPE_CC
             : GMIME_ADDRESS_TYPE_BCC;

        for (i = 0; i < msg->nrcpts; i++) {
            t = exs_props_get(&msg->rcpts[i].props, PR_RECIPIENT_TYPE);

            /* the low bits: MAPI_P1 and MAPI_SUBMITTED may be set too */
            if (t == NULL || (t->v.l & 0xF) != type) {
                continue;
            }

            addr = exs_out_smtp(c, &msg->rcpts[i].props, PR_ADDRTYPE,
                                PR_EMAIL_ADDRESS, PR_SMTP_ADDRESS,
                                PR_ENTRYID, PR_DISPLAY_NAME, &name);
            if (addr == NULL) {
                continue;
            }

            g_mime_message_add_mailbox(gm, at, name && strcmp(name, addr)
                                               ? name : NULL, addr);
        }
    }
}


static void
exs_out_reply_to(exs_out_t *c, GMimeMessage *gm, const exs_msg_t *msg)
{
    int                  rc;
    uint32_t             n, i;
    exs_bin_t           *ids;
    exs_prop_t          *p;
    const char          *name, *type, *addr;
    exs_oxcmail_addr_t   e;

    p = exs_props_get(&msg->props, PR_REPLY_RECIPIENT_ENTRIES);

    if (p == NULL
        || exs_oxcmail_parse_flat_entrylist(p->v.bin.data, p->v.bin.len,
                                            &ids, &n, c->a) != EXS_OK)
    {
        return;
    }

    for (i = 0; i < n; i++) {
        if (exs_oxcmail_parse_entryid(ids[i].data, ids[i].len, &name, &type,
                                      &addr, c->a) != EXS_OK)
        {
            continue;
        }

        if (strcasecmp(type, "EX") == 0) {
            if (c->opts->lookup == NULL) {
                continue;
            }

            memset(&e, 0, sizeof(e));
            rc = c->opts->lookup(c->opts->lookup_data, EXS_OXCMAIL_BY_DN,
                                 addr, &e, c->a);

            if (rc != EXS_OK || e.smtp == NULL) {
                continue;
            }

            name = e.display_name;
            addr = e.smtp;

        } else if (strcasecmp(type, "SMTP") != 0) {
            continue;
        }

        /* entry ids are client bytes: one line each, like the rest */
        name = name ? exs_out_clean(c, name) : NULL;
        addr = exs_out_clean(c, addr);

        if (addr == NULL) {
            continue;
        }

        g_mime_message_add_mailbox(gm, GMIME_ADDRESS_TYPE_REPLY_TO,
                                   name && *name && strcmp(name, addr)
                                   ? name : NULL, addr);
    }
}


static void
exs_out_date(GMimeObject *o, const char *name, int64_t ft)
{
    char       *s;
    GDateTime  *d;

    d = g_date_time_new_from_unix_utc(exs_filetime_to_unix(ft));
    if (d == NULL) {
        return;
    }

    s = g_mime_utils_header_format_date(d);
    g_date_time_unref(d);

    if (s) {
        g_mime_object_append_header(o, name, s, NULL);
        g_free(s);
    }
}


/*
 * A header written by us, not by GMime's formatter (which drops message
 * ids it finds odd, and whose encoded words of unstructured text do not
 * always decode to what they were made from).  Printable ASCII goes as it
 * is, folded at spaces past column 76; anything else becomes UTF-8
 * encoded words of whole characters, folded between them (RFC 2047).
 */

static int
exs_out_word_plain(const char *p, size_t n)
{
    size_t  i;

    if (n > 76) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if ((unsigned char) p[i] < 0x20 || (unsigned char) p[i] >= 0x7F
            || (p[i] == '=' && i + 1 < n && p[i + 1] == '?'))
        {
            return 0;
        }
    }

    return 1;
}


static void
exs_out_raw_header(exs_out_t *c, GMimeObject *o, const char *name,
    const char *value)
{
    char             *enc;
    size_t            col, i, j, k, e, n, len;
    exs_buf_t         b = { 0 };
    GMimeHeader      *h;
    GMimeHeaderList  *list;

    len = strlen(value);
    col = strlen(name) + 1;

    for (i = 0; i <= len; ) {

        /* a word: up to the next space */
        for (j = i; j < len && value[j] != ' '; j++) {
            /* void */
        }

        if (exs_out_word_plain(value + i, j - i)) {
            if (col + (j - i) > 76 && col > strlen(name) + 1) {
                exs_buf_add(&b, "\n", 1);
                col = 0;
            }

            exs_buf_addc(&b, ' ');
            exs_buf_add(&b, value + i, j - i);
            col += j - i + 1;
            i = j + 1;
            continue;
        }

        /* a run of words that are not: one text, in encoded words */

        e = j;

        while (e < len) {
            for (k = e + 1; k < len && value[k] != ' '; k++) {
                /* void */
            }

            if (exs_out_word_plain(value + e + 1, k - e - 1)) {
                break;
            }

            e = k;
        }

        for (k = i; k < e; k += n) {

            /* at most 45 bytes (60 of base64), ending on a character */
            n = e - k > 45 ? 45 : e - k;

            while (n > 1 && k + n < e
                   && ((unsigned char) value[k + n] & 0xC0) == 0x80)
            {
                n--;
            }

            enc = g_base64_encode((const guchar *) value + k, n);

            if (col + 13 + strlen(enc) > 76 && col > strlen(name) + 1) {
                exs_buf_add(&b, "\n", 1);
                col = 0;
            }

            exs_buf_add(&b, " =?UTF-8?B?", 11);
            exs_buf_add(&b, enc, strlen(enc));
            exs_buf_add(&b, "?=", 2);
            col += 13 + strlen(enc);
            g_free(enc);
        }

        i = e + 1;
    }

    exs_buf_add(&b, "\n", 2);

    if (b.nomem) {
        exs_buf_free(&b);
        c->rc = EXS_NOMEM;
        return;
    }

    list = g_mime_object_get_header_list(o);
    g_mime_header_list_append(list, name, "", NULL);
    h = g_mime_header_list_get_header_at(list,
                                   g_mime_header_list_get_count(list) - 1);
    g_mime_header_set_raw_value(h, (char *) b.data);

    exs_buf_free(&b);
}


static void
exs_out_headers(exs_out_t *c, GMimeMessage *gm, const exs_msg_t *msg)
{
    int                i;
    char              *s;
    size_t             len;
    exs_buf_t          b = { 0 };
    GDateTime         *d;
    GMimeObject       *o;
    const char        *v, *name, *addr;
    const exs_prop_t  *p;

    o = GMIME_OBJECT(gm);

    v = exs_out_str(c, &msg->props, PR_SUBJECT);
    if (v) {
        exs_out_raw_header(c, o, "Subject", v);
    }

    p = exs_props_get(&msg->props, PR_CLIENT_SUBMIT_TIME);
    if (p == NULL) {
        p = exs_props_get(&msg->props, PR_MESSAGE_DELIVERY_TIME);
    }

    if (p == NULL) {
        p = exs_props_get(&msg->props, PR_CREATION_TIME);
    }

    if (p) {
        d = g_date_time_new_from_unix_utc(exs_filetime_to_unix(p->v.ll));

        if (d) {
            g_mime_message_set_date(gm, d);
            g_date_time_unref(d);
        }
    }

    for (i = 0; exs_oxcmail_headers[i].header; i++) {
        if (exs_oxcmail_headers[i].tag) {
            v = exs_out_str(c, &msg->props, exs_oxcmail_headers[i].tag);

        } else {
            p = exs_out_named(c, &msg->props, PS_INTERNET_HEADERS,
                              exs_oxcmail_headers[i].header, PT_UNICODE);
            v = p && p->v.str.len ? p->v.str.data : NULL;
        }

        if (v == NULL) {
            continue;
        }

        exs_out_raw_header(c, o, exs_oxcmail_headers[i].header, v);
    }

    p = exs_props_get(&msg->props, PR_IMPORTANCE);

    if (p && p->v.l == EXS_IMPORTANCE_HIGH) {
        g_mime_object_append_header(o, "Importance", "high", NULL);
        g_mime_object_append_header(o, "X-Priority", "1", NULL);

    } else if (p && p->v.l == EXS_IMPORTANCE_LOW) {
        g_mime_object_append_header(o, "Importance", "low", NULL);
        g_mime_object_append_header(o, "X-Priority", "5", NULL);
    }

    p = exs_props_get(&msg->props, PR_PRIORITY);

    if (p && p->v.l != EXS_PRIO_NORMAL) {
        g_mime_object_append_header(o, "Priority",
                                    p->v.l > 0 ? "urgent" : "non-urgent",
                                    NULL);
    }

    p = exs_props_get(&msg->props, PR_SENSITIVITY);

    if (p && p->v.l >= EXS_SENSITIVITY_PERSONAL
        && p->v.l <= EXS_SENSITIVITY_CONFIDENTIAL)
    {
        g_mime_object_append_header(o, "Sensitivity",
                                    p->v.l == EXS_SENSITIVITY_PERSONAL
                                    ? "Personal"
                                    : p->v.l == EXS_SENSITIVITY_PRIVATE
                                    ? "Private" : "Company-Confidential",
                                    NULL);
    }

    p = exs_out_named(c, &msg->props, PS_PUBLIC_STRINGS, "Keywords",
                      PT_MV_UNICODE);

    if (p && p->v.mv.n) {
        for (i = 0; i < (int) p->v.mv.n; i++) {
            if (b.len) {
                exs_buf_add(&b, ", ", 2);
            }

            exs_buf_add(&b, p->v.mv.v.str[i].data, p->v.mv.v.str[i].len);
        }

        exs_buf_addc(&b, '\0');

        if (!b.nomem) {
            exs_out_raw_header(c, o, "Keywords", (char *) b.data);
        }

        exs_buf_free(&b);
    }

    p = exs_props_get(&msg->props, PR_CONVERSATION_INDEX);

    if (p && p->v.bin.len) {
        s = g_base64_encode(p->v.bin.data, p->v.bin.len);
        g_mime_object_append_header(o, "Thread-Index", s, NULL);
        g_free(s);
    }

    p = exs_props_get(&msg->props, PR_READ_RECEIPT_REQUESTED);

    if (p && p->v.b) {
        addr = exs_out_smtp(c, &msg->props, PR_READ_RECEIPT_ADDRTYPE,
                            PR_READ_RECEIPT_EMAIL_ADDRESS,
                            PR_READ_RECEIPT_SMTP_ADDRESS,
                            PR_READ_RECEIPT_ENTRYID, PR_READ_RECEIPT_NAME,
                            &name);
        if (addr == NULL) {
            addr = exs_out_smtp(c, &msg->props,
                                PR_SENT_REPRESENTING_ADDRTYPE,
                                PR_SENT_REPRESENTING_EMAIL_ADDRESS,
                                PR_SENT_REPRESENTING_SMTP_ADDRESS,
                                PR_SENT_REPRESENTING_ENTRYID,
                                PR_SENT_REPRESENTING_NAME, &name);
        }

        if (addr) {
            len = strlen(addr) + 3;
            s = exs_alloc(c->a, len);

            if (s) {
                snprintf(s, len, "<%s>", addr);
                g_mime_object_append_header(o, "Disposition-Notification-To",
                                            s, NULL);
            }
        }
    }

    p = exs_props_get(&msg->props, PR_ORIGINATOR_DELIVERY_REPORT_REQUESTED);

    if (p && p->v.b) {
        addr = exs_out_smtp(c, &msg->props, PR_SENDER_ADDRTYPE,
                            PR_SENDER_EMAIL_ADDRESS, PR_SENDER_SMTP_ADDRESS,
                            PR_SENDER_ENTRYID, PR_SENDER_NAME, &name);
        if (addr) {
            len = strlen(addr) + 3;
            s = exs_alloc(c->a, len);

            if (s) {
                snprintf(s, len, "<%s>", addr);
                g_mime_object_append_header(o, "Return-Receipt-To", s, NULL);
            }
        }
    }

    p = exs_props_get(&msg->props, PR_AUTO_RESPONSE_SUPPRESS);

    if (p && p->v.l) {
        if ((uint32_t) p->v.l == 0xFFFFFFFF) {
            g_mime_object_append_header(o, "X-Auto-Response-Suppress", "All",
                                        NULL);

        } else {
            static const char  *names[] = {
                "DR", "NDR", "RN", "NRN", "OOF", "AutoReply"
            };

            for (i = 0; i < 6; i++) {
                if (p->v.l & (1 << i)) {
                    if (b.len) {
                        exs_buf_add(&b, ", ", 2);
                    }

                    exs_buf_add(&b, names[i], strlen(names[i]));
                }
            }

            exs_buf_addc(&b, '\0');

            if (!b.nomem && b.len > 1) {
                g_mime_object_append_header(o, "X-Auto-Response-Suppress",
                                            (char *) b.data, NULL);
            }

            exs_buf_free(&b);
        }
    }

    p = exs_props_get(&msg->props, PR_TNEF_CORRELATION_KEY);

    if (p && (c->opts->flags & EXS_OXCMAIL_TNEF) && p->v.bin.len > 1) {
        v = exs_strndup(c->a, (const char *) p->v.bin.data,
                        p->v.bin.data[p->v.bin.len - 1] == '\0'
                        ? p->v.bin.len - 1 : p->v.bin.len);
        v = v ? exs_out_clean(c, v) : NULL;

        if (v) {
            exs_out_raw_header(c, o, "X-MS-TNEF-Correlator", v);
        }
    }

    p = exs_props_get(&msg->props, PR_EXPIRY_TIME);
    if (p) {
        exs_out_date(o, "Expiry-Date", p->v.ll);
    }

    p = exs_props_get(&msg->props, PR_REPLY_TIME);
    if (p) {
        exs_out_date(o, "Reply-By", p->v.ll);
    }
}


/* S/MIME: the entity or blob the message keeps (MS-OXOSMIME 2.1.3.1) */

static GMimeObject *
exs_out_smime(exs_out_t *c, const exs_msg_t *msg, unsigned depth)
{
    size_t              i, k;
    uint32_t            n;
    GMimePart          *part;
    GMimeParser        *parser;
    GMimeStream        *s;
    GMimeObject        *o;
    const char         *tag, *kind;
    GMimeDataWrapper   *w;
    const exs_prop_t   *data;
    const exs_attach_t *at;

    if (!exs_out_class_is(msg, "IPM.Note.SMIME")) {
        return NULL;
    }

    for (n = 0; n < msg->natts; n++) {
        at = &msg->atts[n];
        tag = exs_out_str(c, &at->props, PR_ATTACH_MIME_TAG);
        data = exs_props_get(&at->props, PR_ATTACH_DATA_BIN);

        if (tag == NULL || data == NULL) {
            continue;
        }

        if (strcasecmp(tag, "multipart/signed") == 0) {
            if (depth == 0) {
                c->raw_entity = data->v.bin.data;
                c->raw_len = data->v.bin.len;
                return NULL;
            }

            s = g_mime_stream_mem_new_with_buffer((const char *)
                                                  data->v.bin.data,
                                                  data->v.bin.len);
            parser = g_mime_parser_new_with_stream(s);
            o = g_mime_parser_construct_part(parser, NULL);
            g_object_unref(parser);
            g_object_unref(s);

            return o;
        }

        if (strcasecmp(tag, "application/pkcs7-mime") == 0
            || strcasecmp(tag, "application/x-pkcs7-mime") == 0)
        {
            /* the CMS content type tells enveloped from signed data */
            kind = "enveloped-data";

            for (i = 0, k = data->v.bin.len; i + 11 <= k && i < 64; i++) {
                if (memcmp(data->v.bin.data + i,
                           "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07", 10)
                    == 0)
                {
                    if (data->v.bin.data[i + 10] == 0x02) {
                        kind = "signed-data";
                    }

                    break;
                }
            }

            part = g_mime_part_new_with_type("application", "pkcs7-mime");
            g_mime_object_set_content_type_parameter(GMIME_OBJECT(part),
                                                     "smime-type", kind);

            s = g_mime_stream_mem_new_with_buffer((const char *)
                                                  data->v.bin.data,
                                                  data->v.bin.len);
            w = g_mime_data_wrapper_new_with_stream(s,
                                            GMIME_CONTENT_ENCODING_DEFAULT);
            g_mime_part_set_content(part, w);
            g_object_unref(w);
            g_object_unref(s);

            g_mime_part_set_filename(part, "smime.p7m");
            g_mime_part_set_content_encoding(part,
                                             GMIME_CONTENT_ENCODING_BASE64);

            return GMIME_OBJECT(part);
        }
    }

    return NULL;
}


static GMimeObject *
exs_out_text(exs_out_t *c, const char *subtype, const uint8_t *data,
    size_t len, const char *charset)
{
    size_t              n, i;
    uint8_t            *lf;
    GMimePart          *part;
    GMimeStream        *s;
    GMimeDataWrapper   *w;

    lf = exs_oxcmail_eol(c->a, data, len, &n, 0);
    if (lf == NULL) {
        c->rc = EXS_NOMEM;
        return NULL;
    }

    if (charset == NULL || strcasecmp(charset, "utf-8") == 0) {
        for (i = 0; i < n && lf[i] < 0x80; i++) {
            /* void */
        }

        charset = i == n ? "us-ascii" : "utf-8";
    }

    part = GMIME_PART(g_mime_text_part_new_with_subtype(subtype));

    s = g_mime_stream_mem_new_with_buffer((const char *) lf, n);
    w = g_mime_data_wrapper_new_with_stream(s, GMIME_CONTENT_ENCODING_DEFAULT);
    g_mime_part_set_content(part, w);
    g_object_unref(w);
    g_object_unref(s);

    g_mime_text_part_set_charset(GMIME_TEXT_PART(part), charset);
    g_mime_part_set_content_encoding(part,
        g_mime_part_get_best_content_encoding(part,
                                          GMIME_ENCODING_CONSTRAINT_7BIT));

    return GMIME_OBJECT(part);
}


static int
exs_out_is_inline(const exs_attach_t *at)
{
    exs_prop_t  *p;

    if (exs_props_get(&at->props, PR_ATTACH_CONTENT_ID) == NULL
        && exs_props_get(&at->props, PR_ATTACH_CONTENT_LOCATION) == NULL)
    {
        return 0;
    }

    p = exs_props_get(&at->props, PR_ATTACH_FLAGS);
    if (p && (p->v.l & EXS_ATT_MHTML_REF)) {
        return 1;
    }

    p = exs_props_get(&at->props, PR_ATTACHMENT_HIDDEN);

    return p && p->v.b;
}


static const char *
exs_out_mime_type(exs_out_t *c, const exs_attach_t *at,
    const char *filename)
{
    size_t                i, slash;
    const char           *t, *dot;
    const exs_out_ext_t  *e;

    t = exs_out_str(c, &at->props, PR_ATTACH_MIME_TAG);

    if (t) {
        /* a token "/" token, nothing else */
        slash = 0;

        for (i = 0; t[i]; i++) {
            if (t[i] == '/') {
                slash++;
                continue;
            }

            if ((unsigned char) t[i] <= ' ' || (unsigned char) t[i] >= 0x7F
                || strchr("()<>@,;:\\\"[]?=", t[i]))
            {
                break;
            }
        }

        if (t[i] == '\0' && slash == 1 && t[0] != '/' && t[i - 1] != '/') {
            return t;
        }
    }

    if (filename && (dot = strrchr(filename, '.'))) {
        for (e = exs_out_exts; e->name; e++) {
            if (strcasecmp(e->name, dot + 1) == 0) {
                return e->type;
            }
        }
    }

    return "application/octet-stream";
}


static GMimeObject *
exs_out_attachment(exs_out_t *c, const exs_attach_t *at, unsigned depth,
    int inline_ref)
{
    char               *type, *sub;
    size_t              n;
    uint8_t            *lf;
    GMimePart          *part;
    GMimeStream        *s;
    GMimeObject        *o;
    exs_prop_t         *method, *data;
    GMimeMessage       *inner;
    const char         *fn, *v;
    GMimeDataWrapper   *w;
    GMimeMessagePart   *mp;

    method = exs_props_get(&at->props, PR_ATTACH_METHOD);
    fn = exs_out_str(c, &at->props, PR_ATTACH_LONG_FILENAME);

    if (fn == NULL) {
        fn = exs_out_str(c, &at->props, PR_ATTACH_FILENAME);
    }

    if (at->embedded && (method == NULL
                         || method->v.l == EXS_ATTACH_EMBEDDED_MSG))
    {
        if (depth + 1 > c->max_depth) {
            return NULL;
        }

        inner = exs_out_message(c, at->embedded, depth + 1);
        if (inner == NULL) {
            return NULL;
        }

        mp = g_mime_message_part_new_with_message("rfc822", inner);
        g_object_unref(inner);
        o = GMIME_OBJECT(mp);

        g_mime_object_set_disposition(o, "attachment");

        v = exs_out_str(c, &at->props, PR_ATTACH_LONG_FILENAME);

        if (v) {
            g_mime_object_set_content_disposition_parameter(o, "filename",
                                                            v);
        }

        v = exs_out_str(c, &at->props, PR_ATTACH_CONTENT_ID);
        if (v) {
            g_mime_object_set_content_id(o, v);
        }

        return o;
    }

    data = exs_props_get(&at->props, PR_ATTACH_DATA_BIN);

    if (data == NULL) {
        /* by reference, OLE storage without bytes: nothing to send */
        return NULL;
    }

    type = exs_strdup(c->a, exs_out_mime_type(c, at, fn));
    if (type == NULL) {
        c->rc = EXS_NOMEM;
        return NULL;
    }

    sub = strchr(type, '/');
    *sub++ = '\0';

    part = g_mime_part_new_with_type(type, sub);
    o = GMIME_OBJECT(part);

    if (strcasecmp(type, "message") == 0) {
        /* message/rfc822 stays readable: not base64 (RFC 2046 5.2.1) */
        lf = exs_oxcmail_eol(c->a, data->v.bin.data, data->v.bin.len, &n, 0);
        if (lf == NULL) {
            c->rc = EXS_NOMEM;
            g_object_unref(part);
            return NULL;
        }

        s = g_mime_stream_mem_new_with_buffer((const char *) lf, n);
        w = g_mime_data_wrapper_new_with_stream(s,
                                            GMIME_CONTENT_ENCODING_DEFAULT);
        g_mime_part_set_content(part, w);
        g_mime_part_set_content_encoding(part,
                      g_mime_utils_text_is_8bit(lf, n)
                      ? GMIME_CONTENT_ENCODING_8BIT
                      : GMIME_CONTENT_ENCODING_7BIT);

    } else {
        s = g_mime_stream_mem_new_with_buffer((const char *)
                                              data->v.bin.data,
                                              data->v.bin.len);
        w = g_mime_data_wrapper_new_with_stream(s,
                                            GMIME_CONTENT_ENCODING_DEFAULT);
        g_mime_part_set_content(part, w);
        g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
    }

    g_object_unref(w);
    g_object_unref(s);

    if (strcasecmp(type, "text") == 0) {
        v = exs_out_str(c, &at->props, PR_TEXT_ATTACHMENT_CHARSET);

        if (v) {
            g_mime_object_set_content_type_parameter(o, "charset", v);
        }
    }

    if (fn) {
        g_mime_part_set_filename(part, fn);
    }

    g_mime_object_set_disposition(o, inline_ref ? "inline" : "attachment");

    if (fn) {
        g_mime_object_set_content_disposition_parameter(o, "filename", fn);
    }

    v = exs_out_str(c, &at->props, PR_ATTACH_CONTENT_ID);
    if (v) {
        g_mime_object_set_content_id(o, v);
    }

    v = exs_out_str(c, &at->props, PR_ATTACH_CONTENT_LOCATION);
    if (v) {
        g_mime_part_set_content_location(part, v);
    }

    return o;
}


static GMimeObject *
exs_out_tnef(exs_out_t *c, const exs_msg_t *msg)
{
    exs_bin_t          t;
    GMimePart         *part;
    GMimeStream       *s;
    GMimeDataWrapper  *w;

    if (exs_tnef_write(msg, c->opts->namemap, &t, c->a) != EXS_OK) {
        c->rc = EXS_NOMEM;
        return NULL;
    }

    part = g_mime_part_new_with_type("application", "ms-tnef");

    s = g_mime_stream_mem_new_with_buffer((const char *) t.data, t.len);
    w = g_mime_data_wrapper_new_with_stream(s, GMIME_CONTENT_ENCODING_DEFAULT);
    g_mime_part_set_content(part, w);
    g_object_unref(w);
    g_object_unref(s);

    g_mime_part_set_filename(part, "winmail.dat");
    g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);

    return GMIME_OBJECT(part);
}


static GMimeObject *
exs_out_body(exs_out_t *c, const exs_msg_t *msg, unsigned depth)
{
    int                 report;
    size_t              len;
    uint32_t            i, cpid;
    GMimeObject        *text, *html, *body, *o;
    exs_prop_t         *p;
    const char         *charset, *rt;
    const uint8_t      *data;
    GMimeMultipart     *related, *alt, *mixed;

    text = NULL;
    html = NULL;

    p = exs_props_get(&msg->props, PR_BODY);

    if (p) {
        text = exs_out_text(c, "plain", (const uint8_t *) p->v.str.data,
                            p->v.str.len, "utf-8");
    }

    p = exs_props_get(&msg->props, PROP_TAG(PT_UNSPECIFIED,
                                            PROP_ID(PR_HTML)));

    if (p && (PROP_TYPE(p->tag) == PT_BINARY
              || PROP_TYPE(p->tag) == PT_UNICODE))
    {
        data = PROP_TYPE(p->tag) == PT_BINARY ? p->v.bin.data
                                             : (const uint8_t *) p->v.str.data;
        len = PROP_TYPE(p->tag) == PT_BINARY ? p->v.bin.len : p->v.str.len;

        charset = "utf-8";

        if (PROP_TYPE(p->tag) == PT_BINARY) {
            p = exs_props_get(&msg->props, PR_INTERNET_CPID);
            cpid = p ? (uint32_t) p->v.l : 0;
            charset = exs_oxcmail_cpid_charset(cpid);

            if (cpid == 1200 || cpid == 1201 || cpid == 65000
                || charset == NULL)
            {
                /* UTF-16 and the unknown: as UTF-8 */
                data = (const uint8_t *) exs_oxcmail_to_utf8(c->a, charset,
                                                         data, len, &len,
                                                         NULL);
                if (data == NULL) {
                    c->rc = EXS_NOMEM;
                    return NULL;
                }

                charset = "utf-8";
            }
        }

        html = exs_out_text(c, "html", data, len, charset);
    }

    if (c->rc != EXS_OK) {
        return NULL;
    }

    body = html ? html : text;

    if (html) {
        related = NULL;

        for (i = 0; i < msg->natts; i++) {
            if ((c->opts->flags & EXS_OXCMAIL_TNEF) && depth == 0) {
                break;
            }

            if (msg->atts[i].embedded || !exs_out_is_inline(&msg->atts[i])) {
                continue;
            }

            o = exs_out_attachment(c, &msg->atts[i], depth, 1);
            if (o == NULL) {
                continue;
            }

            if (related == NULL) {
                related = exs_out_multipart(c, "related");
                g_mime_object_set_content_type_parameter(
                    GMIME_OBJECT(related), "type", "text/html");
                g_mime_multipart_add(related, html);
                g_object_unref(html);
            }

            g_mime_multipart_add(related, o);
            g_object_unref(o);
        }

        if (related) {
            html = GMIME_OBJECT(related);
        }

        body = html;

        if (text) {
            alt = exs_out_multipart(c, "alternative");
            g_mime_multipart_add(alt, text);
            g_mime_multipart_add(alt, html);
            g_object_unref(text);
            g_object_unref(html);
            body = GMIME_OBJECT(alt);
        }
    }

    report = exs_out_class_is(msg, "REPORT.");
    mixed = NULL;

    if ((c->opts->flags & EXS_OXCMAIL_TNEF) && depth == 0) {
        /* legacy TNEF: the attachments and every property travel in
         * winmail.dat, the bodies stay readable beside it */
        o = exs_out_tnef(c, msg);

        if (o) {
            mixed = exs_out_multipart(c, "mixed");

            if (body) {
                g_mime_multipart_add(mixed, body);
                g_object_unref(body);
            }

            g_mime_multipart_add(mixed, o);
            g_object_unref(o);

            return GMIME_OBJECT(mixed);
        }
    }

    for (i = 0; i < msg->natts; i++) {
        if (html && !msg->atts[i].embedded
            && exs_out_is_inline(&msg->atts[i]))
        {
            continue;
        }

        o = exs_out_attachment(c, &msg->atts[i], depth, 0);
        if (o == NULL) {
            if (c->rc != EXS_OK) {
                break;
            }

            continue;
        }

        if (mixed == NULL) {
            mixed = exs_out_multipart(c, report ? "report" : "mixed");

            if (report) {
                rt = exs_out_class_is(msg, "REPORT.IPM.Note.IPN")
                     ? "disposition-notification" : "delivery-status";
                g_mime_object_set_content_type_parameter(GMIME_OBJECT(mixed),
                                                         "report-type", rt);
            }

            if (body == NULL) {
                body = exs_out_text(c, "plain", (const uint8_t *) "", 0,
                                    "us-ascii");
            }

            if (body) {
                g_mime_multipart_add(mixed, body);
                g_object_unref(body);
            }

            body = GMIME_OBJECT(mixed);
        }

        g_mime_multipart_add(mixed, o);
        g_object_unref(o);
    }

    if (body == NULL) {
        body = exs_out_text(c, "plain", (const uint8_t *) "", 0, "us-ascii");
    }

    return body;
}


/* the envelope for sending */

int
exs_oxcmail_envelope(const exs_msg_t *msg, const exs_oxcmail_opts_t *opts,
    const char **from, const char ***rcpts, uint32_t *nrcpts,
    uint32_t *unresolved, exs_arena_t *a)
{
    uint32_t      i, k, n, bad;
    exs_out_t     c;
    exs_prop_t   *t;
    const char   *addr, *name, **v;

    memset(&c, 0, sizeof(c));
    c.a = a;
    c.opts = opts;

    *from = exs_out_smtp(&c, &msg->props, PR_SENDER_ADDRTYPE,
                         PR_SENDER_EMAIL_ADDRESS, PR_SENDER_SMTP_ADDRESS,
                         PR_SENDER_ENTRYID, PR_SENDER_NAME, &name);

    if (*from == NULL) {
        *from = exs_out_smtp(&c, &msg->props, PR_SENT_REPRESENTING_ADDRTYPE,
                             PR_SENT_REPRESENTING_EMAIL_ADDRESS,
                             PR_SENT_REPRESENTING_SMTP_ADDRESS,
                             PR_SENT_REPRESENTING_ENTRYID,
                             PR_SENT_REPRESENTING_NAME, &name);
    }

    v = exs_alloc(a, (msg->nrcpts ? msg->nrcpts : 1) * sizeof(char *));
    if (v == NULL) {
        return EXS_NOMEM;
    }

    n = 0;
    bad = 0;

    for (i = 0; i < msg->nrcpts; i++) {
        t = exs_props_get(&msg->rcpts[i].props, PR_RECIPIENT_TYPE);

        if (t && (t->v.l & 0xF) == EXS_MAPI_ORIG) {
            continue;
        }

        addr = exs_out_smtp(&c, &msg->rcpts[i].props, PR_ADDRTYPE,
                            PR_EMAIL_ADDRESS, PR_SMTP_ADDRESS, PR_ENTRYID,
                            PR_DISPLAY_NAME, &name);

        if (addr == NULL) {
            bad++;
            continue;
        }

        for (k = 0; k < n; k++) {
            if (strcasecmp(v[k], addr) == 0) {
                break;
            }
        }

        if (k == n) {
            v[n++] = addr;
        }
    }

    *rcpts = v;
    *nrcpts = n;

    if (unresolved) {
        *unresolved = bad;
    }

    return c.rc;
}
