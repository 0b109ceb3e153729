
/*
 * exch store: Internet mail -> MAPI message, MS-OXCMAIL 2.2.3 (MIME to
 * message object), MS-OXOSMIME 2.1.3.2, reports per RFC 3464 / RFC 8098.
 *
 * GMime parses (loosely: it reads what real mail looks like), then one walk
 * over the MIME tree picks the bodies and turns every other leaf into an
 * attachment; message/rfc822 parts become embedded messages, TNEF parts
 * are unpacked into the message they travel with.
 */


#ifndef _GNU_SOURCE
#define _GNU_SOURCE                      /* strcasestr(): nginx's build */
#endif

#include <string.h>
#include <strings.h>

#include "exs_oxcmail_in.h"


/* one message (the top one or an embedded one) being filled */

typedef struct {
    exs_msg_t                 *msg;
    unsigned                   depth;
    GMimePart                 *text;
    GMimePart                 *html;
    const char                *html_utf8;
    const char                *text_str; /* a body not in a part */
    unsigned                   bodies_only:1;  /* signed content */
    unsigned                   no_body:1;      /* slots are taken */
} exs_in_msg_t;


static void exs_in_warning(gint64 offset, GMimeParserWarning code,
    const gchar *item, gpointer data);
static int exs_in_message(exs_in_t *c, GMimeMessage *gm, exs_msg_t *msg,
    unsigned depth, const char *headers, size_t hlen);
static void exs_in_walk(exs_in_t *c, exs_in_msg_t *m, GMimeObject *o,
    unsigned level);
static void exs_in_multipart(exs_in_t *c, exs_in_msg_t *m,
    GMimeMultipart *mp, unsigned level);
static void exs_in_alternative(exs_in_t *c, exs_in_msg_t *m,
    GMimeMultipart *mp, unsigned level);
static void exs_in_related(exs_in_t *c, exs_in_msg_t *m, GMimeMultipart *mp,
    unsigned level);
static void exs_in_report(exs_in_t *c, exs_in_msg_t *m, GMimeMultipart *mp);
static void exs_in_leaf(exs_in_t *c, exs_in_msg_t *m, GMimePart *part);
static int exs_in_is_attachment(GMimeObject *o);
static int exs_in_is_type(GMimeObject *o, const char *type,
    const char *subtype);
static uint8_t *exs_in_decode(exs_in_t *c, GMimePart *part, size_t *len);
static int exs_in_attach(exs_in_t *c, exs_in_msg_t *m, GMimePart *part);
static exs_attach_t *exs_in_new_attach(exs_in_t *c, exs_in_msg_t *m,
    int method, const char *type, const void *data, size_t len);
static int exs_in_attach_str(exs_in_t *c, exs_attach_t *at, uint32_t tag,
    const char *value);
static int exs_in_attach_ids(exs_in_t *c, exs_attach_t *at, GMimeObject *o);
static int exs_in_attach_names(exs_in_t *c, exs_props_t *bag,
    const char *filename);
static int exs_in_attach_opaque(exs_in_t *c, exs_in_msg_t *m,
    GMimeObject *o, const char *mime_type);
static int exs_in_embedded(exs_in_t *c, exs_in_msg_t *m, GMimeObject *o,
    GMimeMessage *inner);
static int exs_in_encoded_message(exs_in_t *c, exs_in_msg_t *m,
    GMimePart *part);
static int exs_in_tnef(exs_in_t *c, exs_in_msg_t *m, GMimePart *part);
static int exs_in_merge_tnef(exs_in_t *c, exs_msg_t *msg, exs_msg_t *tnef);
static int exs_in_smime(exs_in_t *c, exs_in_msg_t *m, GMimeObject *root);
static int exs_in_bodies(exs_in_t *c, exs_in_msg_t *m);
static int exs_in_hide_inline(exs_in_t *c, exs_in_msg_t *m);
static uint32_t exs_in_cpid(const char *charset, const uint8_t *p,
    size_t len);
static char *exs_in_serialize(exs_in_t *c, GMimeObject *o, size_t *len);
static int exs_in_unparsable(exs_in_t *c, exs_msg_t *msg);


int
exs_oxcmail_import(const void *mime, size_t len,
    const exs_oxcmail_opts_t *opts, exs_msg_t **msg,
    exs_oxcmail_info_t *info, exs_arena_t *a)
{
    int                  rc, raw;
    char                *headers;
    size_t               hlen;
    gint64               hb, he;
    exs_in_t             c;
    exs_msg_t           *m;
    GMimeStream         *stream;
    GMimeParser         *parser;
    GMimeMessage        *gm;
    const uint8_t       *p;

    static const char   *fallback[] = { "utf-8", "windows-1252", NULL };

    if (opts == NULL || opts->namemap == NULL || mime == NULL) {
        return EXS_INVALID;
    }

    if (opts->max_size && len > opts->max_size) {
        return EXS_TOOBIG;
    }

    if (exs_mime_init() != EXS_OK) {
        return EXS_ERROR;
    }

    /*
     * An mbox "From " line is the mailbox's, not the message's; "From :"
     * (blanks before the colon, RFC 5322 obs-syntax) is a header.
     */
    if (len > 5 && memcmp(mime, "From ", 5) == 0) {
        for (p = (const uint8_t *) mime + 5;
             p < (const uint8_t *) mime + len && (*p == ' ' || *p == '\t');
             p++)
        {
            /* void */
        }

        p = p < (const uint8_t *) mime + len && *p != ':'
            ? memchr(mime, '\n', len) : NULL;

        if (p) {
            len -= p + 1 - (const uint8_t *) mime;
            mime = p + 1;
        }
    }

    memset(&c, 0, sizeof(c));
    c.a = a;
    c.opts = opts;
    c.raw = mime;
    c.rawlen = len;
    c.max_depth = opts->max_depth ? opts->max_depth : 16;
    c.tnef.max_named = EXS_IN_MAX_NAMED;
    c.tnef.max_depth = 8;

    m = exs_msg_create(a);
    if (m == NULL) {
        return EXS_NOMEM;
    }

    c.popts = g_mime_parser_options_new();
    g_mime_parser_options_set_rfc2047_compliance_mode(c.popts,
                                                 GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_address_compliance_mode(c.popts,
                                                 GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(c.popts,
                                                 GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_allow_addresses_without_domain(c.popts, TRUE);
    g_mime_parser_options_set_fallback_charsets(c.popts, fallback);
    g_mime_parser_options_set_warning_callback(c.popts, exs_in_warning, &c);

    stream = g_mime_stream_mem_new_with_buffer(mime, len);
    parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);

    gm = g_mime_parser_construct_message(parser, c.popts);

    if (gm == NULL) {
        rc = exs_in_unparsable(&c, m);

    } else {
        /* the header block verbatim, with its last line end */
        hb = g_mime_parser_get_headers_begin(parser);
        he = g_mime_parser_get_headers_end(parser);
        headers = NULL;
        hlen = 0;

        if (hb >= 0 && he > hb && (uint64_t) he <= len) {
            p = (const uint8_t *) mime;

            if ((uint64_t) he < len && p[he] == '\r') {
                he++;
            }

            if ((uint64_t) he < len && p[he] == '\n') {
                he++;
            }

            headers = exs_oxcmail_to_utf8(a, NULL, p + hb, he - hb, &hlen,
                                          NULL);

            /* the body follows the blank line */
            c.body_off = he;

            if (c.body_off < len && p[c.body_off] == '\r') {
                c.body_off++;
            }

            if (c.body_off < len && p[c.body_off] == '\n') {
                c.body_off++;
            }
            if (headers == NULL) {
                c.rc = EXS_NOMEM;
            }
        }

        rc = c.rc ? c.rc : exs_in_message(&c, gm, m, 0, headers, hlen);

        g_object_unref(gm);
    }

    g_object_unref(parser);
    g_object_unref(stream);
    g_mime_parser_options_free(c.popts);

    if (rc == EXS_OK) {
        rc = c.rc;
    }

    if (rc != EXS_OK) {
        return rc;
    }

    if (c.tnef.dropped) {
        c.lossy |= EXS_OXCMAIL_LOST_NAMES;
    }

    raw = (opts->flags & EXS_OXCMAIL_RAW_ALWAYS)
          || (c.lossy && !(opts->flags & EXS_OXCMAIL_RAW_NEVER));

    if (raw && exs_props_set_bin(a, &m->props, PR_INTERNET_CONTENT, mime,
                                 len) != EXS_OK)
    {
        return EXS_NOMEM;
    }

    if (info) {
        info->lossy = c.lossy;
        info->warnings = c.warnings;
        info->attachments = m->natts;
        info->depth = c.depth_seen;
    }

    *msg = m;

    return EXS_OK;
}


static void
exs_in_warning(gint64 offset, GMimeParserWarning code, const gchar *item,
    gpointer data)
{
    exs_in_t  *c;

    c = data;
    c->warnings++;

    switch (code) {
    case GMIME_CRIT_NESTING_OVERFLOW:
        c->lossy |= EXS_OXCMAIL_LOST_DEPTH;
        break;
    case GMIME_WARN_DUPLICATED_HEADER:
        c->lossy |= EXS_OXCMAIL_LOST_HEADERS;
        break;
    case GMIME_WARN_MALFORMED_MULTIPART:
    case GMIME_WARN_TRUNCATED_MESSAGE:
    case GMIME_WARN_MALFORMED_MESSAGE:
    case GMIME_WARN_PART_WITHOUT_CONTENT:
    case GMIME_CRIT_INVALID_HEADER_NAME:
    case GMIME_CRIT_CONFLICTING_HEADER:
    case GMIME_CRIT_CONFLICTING_PARAMETER:
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
        c->lossy |= EXS_OXCMAIL_LOST_STRUCTURE;
        break;
    default:
        break;
    }
}


/* nothing GMime could read: the bytes become the body, as text */

static int
exs_in_unparsable(exs_in_t *c, exs_msg_t *msg)
{
    char    *s;
    size_t   len;

    c->lossy |= EXS_OXCMAIL_LOST_STRUCTURE;

    s = exs_oxcmail_to_utf8(c->a, NULL, c->raw, c->rawlen, &len, NULL);
    if (s == NULL) {
        return EXS_NOMEM;
    }

    if (exs_props_set_str(c->a, &msg->props, PR_BODY, s, len) != EXS_OK
        || exs_oxcmail_set_str(c->a, &msg->props, PR_MESSAGE_CLASS,
                               "IPM.Note") != EXS_OK)
    {
        return EXS_NOMEM;
    }

    return EXS_OK;
}


static int
exs_in_message(exs_in_t *c, GMimeMessage *gm, exs_msg_t *msg,
    unsigned depth, const char *headers, size_t hlen)
{
    int             rc;
    char           *h;
    exs_prop_t     *p;
    GMimeObject    *root;
    exs_in_msg_t    m;

    if (depth > c->depth_seen) {
        c->depth_seen = depth;
    }

    if (headers == NULL) {
        h = g_mime_object_get_headers(GMIME_OBJECT(gm), NULL);

        if (h) {
            headers = exs_oxcmail_to_utf8(c->a, NULL, h, strlen(h), &hlen,
                                          NULL);
            g_free(h);

            if (headers == NULL) {
                return EXS_NOMEM;
            }
        }
    }

    if (headers && hlen
        && exs_props_set_str(c->a, &msg->props, PR_TRANSPORT_MESSAGE_HEADERS,
                             headers, hlen) != EXS_OK)
    {
        return EXS_NOMEM;
    }

    rc = exs_in_headers(c, gm, msg);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_in_addresses(c, gm, msg);
    if (rc != EXS_OK) {
        return rc;
    }

    memset(&m, 0, sizeof(m));
    m.msg = msg;
    m.depth = depth;

    root = g_mime_message_get_mime_part(gm);

    if (root) {
        if (!exs_in_smime(c, &m, root)) {
            exs_in_walk(c, &m, root, 0);
        }
    }

    if (c->rc != EXS_OK) {
        return c->rc;
    }

    rc = exs_in_bodies(c, &m);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_in_hide_inline(c, &m);
    if (rc != EXS_OK) {
        return rc;
    }

    if (exs_props_get(&msg->props, PR_MESSAGE_CLASS) == NULL
        && exs_oxcmail_set_str(c->a, &msg->props, PR_MESSAGE_CLASS,
                               "IPM.Note") != EXS_OK)
    {
        return EXS_NOMEM;
    }

    p = exs_props_get(&msg->props, PR_SUBJECT);

    if (p && exs_props_get(&msg->props, PR_CONVERSATION_TOPIC) == NULL) {
        h = (char *) p->v.str.data + exs_oxcmail_subject_prefix(p->v.str.data,
                                                               p->v.str.len);
        if (exs_oxcmail_set_str(c->a, &msg->props, PR_CONVERSATION_TOPIC, h)
            != EXS_OK)
        {
            return EXS_NOMEM;
        }
    }

    rc = exs_in_conversation(c, gm, msg);
    if (rc != EXS_OK) {
        return rc;
    }

    return exs_in_display(c, msg);
}


/* the MIME tree */

static int
exs_in_is_type(GMimeObject *o, const char *type, const char *subtype)
{
    GMimeContentType  *ct;

    ct = g_mime_object_get_content_type(o);

    return ct && g_mime_content_type_is_type(ct, type, subtype);
}


static int
exs_in_is_attachment(GMimeObject *o)
{
    const char               *d;
    GMimeContentDisposition  *cd;

    cd = g_mime_object_get_content_disposition(o);

    if (cd) {
        d = g_mime_content_disposition_get_disposition(cd);

        if (d && strcasecmp(d, "attachment") == 0) {
            return 1;
        }
    }

    return GMIME_IS_PART(o) && g_mime_part_get_filename(GMIME_PART(o))
           != NULL;
}


static void
exs_in_walk(exs_in_t *c, exs_in_msg_t *m, GMimeObject *o, unsigned level)
{
    if (c->rc != EXS_OK) {
        return;
    }

    if (GMIME_IS_MULTIPART(o)) {
        exs_in_multipart(c, m, GMIME_MULTIPART(o), level + 1);
        return;
    }

    if (GMIME_IS_MESSAGE_PART(o)) {
        if (!m->bodies_only) {
            c->rc = exs_in_embedded(c, m, o, g_mime_message_part_get_message(
                                                 GMIME_MESSAGE_PART(o)));
        }

        return;
    }

    if (GMIME_IS_PART(o)) {
        exs_in_leaf(c, m, GMIME_PART(o));
    }
}


static void
exs_in_multipart(exs_in_t *c, exs_in_msg_t *m, GMimeMultipart *mp,
    unsigned level)
{
    int          i, n;
    unsigned     no_body;
    size_t       len;
    const char  *sub, *s;

    if (level > EXS_IN_MAX_LEVELS) {
        c->lossy |= EXS_OXCMAIL_LOST_DEPTH;

        if (!m->bodies_only) {
            c->rc = exs_in_attach_opaque(c, m, GMIME_OBJECT(mp),
                                         "message/rfc822");
        }

        return;
    }

    n = g_mime_multipart_get_count(mp);

    if (n == 0) {
        /* no boundary found: what there is is the "prologue" */
        c->lossy |= EXS_OXCMAIL_LOST_STRUCTURE;
        s = g_mime_multipart_get_prologue(mp);

        if (s && *s && !m->text && !m->html && !m->text_str && !m->no_body) {
            m->text_str = (char *) exs_oxcmail_eol(c->a, (const uint8_t *) s,
                                                   strlen(s), &len, 1);

            if (m->text_str == NULL) {
                c->rc = EXS_NOMEM;
            }
        }

        return;
    }

    sub = g_mime_content_type_get_media_subtype(
              g_mime_object_get_content_type(GMIME_OBJECT(mp)));
    sub = sub ? sub : "mixed";

    if (strcasecmp(sub, "alternative") == 0) {
        exs_in_alternative(c, m, mp, level);
        return;
    }

    if (strcasecmp(sub, "related") == 0) {
        exs_in_related(c, m, mp, level);
        return;
    }

    if (strcasecmp(sub, "report") == 0 && !m->bodies_only) {
        exs_in_report(c, m, mp);
    }

    if (strcasecmp(sub, "signed") == 0 || strcasecmp(sub, "encrypted") == 0)
    {
        /* PGP/MIME (S/MIME is taken apart before): the parts, unsigned */
        c->lossy |= EXS_OXCMAIL_LOST_SIGNATURE;
        no_body = m->no_body;

        for (i = 0; i < n; i++) {
            if (i > 0 || strcasecmp(sub, "encrypted") == 0) {
                m->no_body = 1;
            }

            exs_in_walk(c, m, g_mime_multipart_get_part(mp, i), level);
        }

        m->no_body = no_body;
        return;
    }

    for (i = 0; i < n; i++) {
        exs_in_walk(c, m, g_mime_multipart_get_part(mp, i), level);
    }
}


/*
 * multipart/alternative: the first text/plain is PR_BODY, the first
 * text/html (or the root of a multipart/related) is PR_HTML; the other
 * alternatives (text/calendar, text/enriched...) stay, as attachments.
 */

static void
exs_in_alternative(exs_in_t *c, exs_in_msg_t *m, GMimeMultipart *mp,
    unsigned level)
{
    int           i, n;
    unsigned      no_body;
    GMimeObject  *o;

    n = g_mime_multipart_get_count(mp);
    no_body = m->no_body;

    if (m->text || m->html || m->text_str) {
        m->no_body = 1;
    }

    for (i = 0; i < n; i++) {
        o = g_mime_multipart_get_part(mp, i);

        if (m->no_body) {
            exs_in_walk(c, m, o, level);
            continue;
        }

        if (GMIME_IS_MULTIPART(o)) {
            if (exs_in_is_type(o, "multipart", "related")) {
                exs_in_related(c, m, GMIME_MULTIPART(o), level + 1);
            } else {
                exs_in_multipart(c, m, GMIME_MULTIPART(o), level + 1);
            }

            continue;
        }

        if (GMIME_IS_PART(o) && !exs_in_is_attachment(o)) {
            if (m->text == NULL && exs_in_is_type(o, "text", "plain")) {
                m->text = GMIME_PART(o);
                continue;
            }

            if (m->html == NULL && exs_in_is_type(o, "text", "html")) {
                m->html = GMIME_PART(o);
                continue;
            }
        }

        exs_in_walk(c, m, o, level);
    }

    m->no_body = no_body;
}


/* multipart/related: the root is the body, the rest are its resources */

static void
exs_in_related(exs_in_t *c, exs_in_msg_t *m, GMimeMultipart *mp,
    unsigned level)
{
    int           i, n, r;
    char         *start;
    size_t        len;
    unsigned      no_body;
    const char   *s, *cid;
    GMimeObject  *o, *root;

    if (level > EXS_IN_MAX_LEVELS) {
        exs_in_multipart(c, m, mp, level);
        return;
    }

    n = g_mime_multipart_get_count(mp);

    if (n == 0) {
        exs_in_multipart(c, m, mp, level);
        return;
    }

    r = 0;
    s = g_mime_object_get_content_type_parameter(GMIME_OBJECT(mp), "start");

    if (s) {
        start = (char *) exs_in_trim(c, s);

        if (start && *start == '<') {
            start++;
            len = strlen(start);

            if (len && start[len - 1] == '>') {
                start[len - 1] = '\0';
            }
        }

        for (i = 0; start && i < n; i++) {
            cid = g_mime_object_get_content_id(
                      g_mime_multipart_get_part(mp, i));

            if (cid && strcmp(cid, start) == 0) {
                r = i;
                break;
            }
        }
    }

    root = g_mime_multipart_get_part(mp, r);

    if (GMIME_IS_PART(root) && !m->no_body && m->html == NULL
        && exs_in_is_type(root, "text", "html")
        && !exs_in_is_attachment(root))
    {
        m->html = GMIME_PART(root);

    } else {
        exs_in_walk(c, m, root, level);
    }

    no_body = m->no_body;
    m->no_body = 1;

    for (i = 0; i < n; i++) {
        o = g_mime_multipart_get_part(mp, i);

        if (i != r) {
            exs_in_walk(c, m, o, level);
        }
    }

    m->no_body = no_body;
}


/* multipart/report: the class says what the report reports */

static void
exs_in_report(exs_in_t *c, exs_in_msg_t *m, GMimeMultipart *mp)
{
    int           i, n;
    char         *text;
    size_t        len;
    uint8_t      *data;
    const char   *type, *cls, *p;
    GMimeObject  *o;

    type = g_mime_object_get_content_type_parameter(GMIME_OBJECT(mp),
                                                    "report-type");
    if (type == NULL) {
        return;
    }

    if (strcasecmp(type, "delivery-status") == 0) {
        cls = "REPORT.IPM.Note.NDR";

    } else if (strcasecmp(type, "disposition-notification") == 0) {
        cls = "REPORT.IPM.Note.IPNRN";

    } else {
        return;
    }

    n = g_mime_multipart_get_count(mp);

    for (i = 1; i < n; i++) {
        o = g_mime_multipart_get_part(mp, i);

        if (!GMIME_IS_PART(o)) {
            continue;
        }

        if (!exs_in_is_type(o, "message", "delivery-status")
            && !exs_in_is_type(o, "message", "global-delivery-status")
            && !exs_in_is_type(o, "message", "disposition-notification")
            && !exs_in_is_type(o, "message",
                               "global-disposition-notification"))
        {
            continue;
        }

        data = exs_in_decode(c, GMIME_PART(o), &len);
        if (data == NULL) {
            return;
        }

        text = exs_oxcmail_lower(c->a, (char *) data);
        if (text == NULL) {
            c->rc = EXS_NOMEM;
            return;
        }

        if (strcasecmp(type, "delivery-status") == 0) {
            if (strstr(text, "action: failed")) {
                cls = "REPORT.IPM.Note.NDR";
            } else if (strstr(text, "action: delayed")) {
                cls = "REPORT.IPM.Note.Delayed";
            } else if (strstr(text, "action: delivered")
                       || strstr(text, "action: relayed")
                       || strstr(text, "action: expanded"))
            {
                cls = "REPORT.IPM.Note.DR";
            }

        } else {
            p = strstr(text, "disposition:");

            if (p && !strstr(p, "displayed")) {
                cls = "REPORT.IPM.Note.IPNNRN";
            }
        }

        break;
    }

    if (exs_props_get(&m->msg->props, PR_MESSAGE_CLASS) == NULL
        && exs_oxcmail_set_str(c->a, &m->msg->props, PR_MESSAGE_CLASS, cls)
           != EXS_OK)
    {
        c->rc = EXS_NOMEM;
    }
}


static void
exs_in_leaf(exs_in_t *c, exs_in_msg_t *m, GMimePart *part)
{
    int           att;
    GMimeObject  *o;

    o = GMIME_OBJECT(part);

    if (exs_in_is_type(o, "application", "ms-tnef")
        || exs_in_is_type(o, "application", "vnd.ms-tnef"))
    {
        if (m->bodies_only) {
            return;
        }

        if (exs_in_tnef(c, m, part)
            && !(c->opts->flags & EXS_OXCMAIL_KEEP_TNEF))
        {
            return;
        }

        if (c->rc == EXS_OK) {
            c->rc = exs_in_attach(c, m, part);
        }

        return;
    }

    att = exs_in_is_attachment(o);

    if (!att && !m->no_body && !m->text && !m->html && !m->text_str) {
        if (exs_in_is_type(o, "text", "plain")) {
            m->text = part;
            return;
        }

        if (exs_in_is_type(o, "text", "html")) {
            m->html = part;
            return;
        }
    }

    if (m->bodies_only) {
        return;
    }

    if (exs_in_is_type(o, "message", "rfc822")
        || exs_in_is_type(o, "message", "global"))
    {
        c->rc = exs_in_encoded_message(c, m, part);
        return;
    }

    c->rc = exs_in_attach(c, m, part);
}


/*
 * The decoded content of a leaf, NUL-terminated (for text).  Bad base64 is
 * decoded as well as it goes (GMime skips what is not base64) and noted.
 */

static uint8_t *
exs_in_decode(exs_in_t *c, GMimePart *part, size_t *len)
{
    size_t                 i, n;
    ssize_t                r;
    uint8_t               *out;
    exs_buf_t              raw = { 0 };
    GMimeStream           *s;
    GMimeEncoding          st;
    GMimeDataWrapper      *w;
    GMimeContentEncoding   enc;
    char                   buf[8192];

    *len = 0;
    w = g_mime_part_get_content(part);

    if (w == NULL || (s = g_mime_data_wrapper_get_stream(w)) == NULL) {
        out = exs_calloc(c->a, 1);
        if (out == NULL) {
            c->rc = EXS_NOMEM;
        }

        return out;
    }

    enc = g_mime_data_wrapper_get_encoding(w);

    g_mime_stream_reset(s);

    while ((r = g_mime_stream_read(s, buf, sizeof(buf))) > 0) {
        exs_buf_add(&raw, buf, (size_t) r);
    }

    g_mime_stream_reset(s);

    if (raw.nomem) {
        exs_buf_free(&raw);
        c->rc = EXS_NOMEM;
        return NULL;
    }

    if (enc == GMIME_CONTENT_ENCODING_BASE64) {
        for (i = 0; i < raw.len; i++) {
            uint8_t  ch = raw.data[i];

            if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')
                  || (ch >= '0' && ch <= '9') || ch == '+' || ch == '/'
                  || ch == '=' || ch == '\r' || ch == '\n' || ch == ' '
                  || ch == '\t'))
            {
                c->lossy |= EXS_OXCMAIL_LOST_ENCODING;
                break;
            }
        }
    }

    if (enc == GMIME_CONTENT_ENCODING_BASE64
        || enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE
        || enc == GMIME_CONTENT_ENCODING_UUENCODE)
    {
        g_mime_encoding_init_decode(&st, enc);
        n = g_mime_encoding_outlen(&st, raw.len) + 16;

        out = exs_alloc(c->a, n + 1);
        if (out == NULL) {
            exs_buf_free(&raw);
            c->rc = EXS_NOMEM;
            return NULL;
        }

        n = raw.len ? g_mime_encoding_step(&st, (char *) raw.data, raw.len,
                                           (char *) out)
                    : 0;
        n += g_mime_encoding_flush(&st, NULL, 0, (char *) out + n);

    } else {
        n = raw.len;

        out = exs_alloc(c->a, n + 1);
        if (out == NULL) {
            exs_buf_free(&raw);
            c->rc = EXS_NOMEM;
            return NULL;
        }

        if (n) {
            memcpy(out, raw.data, n);
        }
    }

    exs_buf_free(&raw);

    out[n] = '\0';
    *len = n;

    return out;
}


static int
exs_in_attach_names(exs_in_t *c, exs_props_t *bag, const char *filename)
{
    char        short_name[16];
    size_t      len, blen, elen, i, k;
    const char  *dot;

    len = strlen(filename);

    if (exs_props_set_str(c->a, bag, PR_ATTACH_LONG_FILENAME, filename, len)
        != EXS_OK
        || exs_props_set_str(c->a, bag, PR_DISPLAY_NAME, filename, len)
           != EXS_OK)
    {
        return EXS_NOMEM;
    }

    dot = strrchr(filename, '.');
    elen = dot ? len - (dot - filename) : 0;
    blen = len - elen;

    if (dot && elen > 1 && elen <= 16
        && exs_props_set_str(c->a, bag, PR_ATTACH_EXTENSION, dot, elen)
           != EXS_OK)
    {
        return EXS_NOMEM;
    }

    /* the 8.3 name: kept when it is one, else NAME~1.EXT from ASCII */

    k = 0;

    for (i = 0; i < blen && k < 6; i++) {
        if ((filename[i] >= 'A' && filename[i] <= 'Z')
            || (filename[i] >= 'a' && filename[i] <= 'z')
            || (filename[i] >= '0' && filename[i] <= '9')
            || filename[i] == '_' || filename[i] == '-')
        {
            short_name[k++] = filename[i];
        }
    }

    if (k == blen && blen <= 8 && elen <= 4) {
        return exs_props_set_str(c->a, bag, PR_ATTACH_FILENAME, filename,
                                 len);
    }

    if (k == 0) {
        short_name[k++] = 'A';
        short_name[k++] = 'T';
        short_name[k++] = 'T';
    }

    short_name[k++] = '~';
    short_name[k++] = '1';

    if (dot) {
        short_name[k++] = '.';

        for (i = 1; i < elen && i <= 3; i++) {
            if ((unsigned char) dot[i] < 0x80 && dot[i] != ' ') {
                short_name[k++] = dot[i];
            }
        }
    }

    return exs_props_set_str(c->a, bag, PR_ATTACH_FILENAME, short_name, k);
}


/*
 * A new attachment of the message: its method, MIME type and (by value)
 * data, visible, not placed in RTF.  NULL when out of memory (c->rc).
 */

static exs_attach_t *
exs_in_new_attach(exs_in_t *c, exs_in_msg_t *m, int method,
    const char *type, const void *data, size_t len)
{
    exs_attach_t  *at;

    at = exs_msg_add_attach(c->a, m->msg);

    if (at == NULL
        || exs_props_set_long(c->a, &at->props, PR_ATTACH_METHOD, method)
           != EXS_OK
        || exs_oxcmail_set_str(c->a, &at->props, PR_ATTACH_MIME_TAG, type)
           != EXS_OK
        || exs_props_set_long(c->a, &at->props, PR_RENDERING_POSITION, -1)
           != EXS_OK
        || exs_props_set_long(c->a, &at->props, PR_ATTACH_FLAGS, 0)
           != EXS_OK
        || exs_props_set_bool(c->a, &at->props, PR_ATTACHMENT_HIDDEN, 0)
           != EXS_OK
        || (data
            && (exs_props_set_bin(c->a, &at->props, PR_ATTACH_DATA_BIN, data,
                                  len) != EXS_OK
                || exs_props_set_long(c->a, &at->props, PR_ATTACH_SIZE,
                                      (int32_t) (len > INT32_MAX ? INT32_MAX
                                                                 : len))
                   != EXS_OK)))
    {
        c->rc = EXS_NOMEM;
        return NULL;
    }

    return at;
}


/* a header value of the part as a string property, when there is one */

static int
exs_in_attach_str(exs_in_t *c, exs_attach_t *at, uint32_t tag,
    const char *value)
{
    const char  *v;

    if (value == NULL || *value == '\0') {
        return EXS_OK;
    }

    v = exs_in_trim(c, value);

    if (v == NULL || exs_oxcmail_set_str(c->a, &at->props, tag, v)
                     != EXS_OK)
    {
        return EXS_NOMEM;
    }

    return EXS_OK;
}


/* the names an attachment goes by (file name) and its Content-ID */

static int
exs_in_attach_ids(exs_in_t *c, exs_attach_t *at, GMimeObject *o)
{
    const char  *v;

    v = exs_in_filename(c, o);

    if (c->rc != EXS_OK) {
        return c->rc;
    }

    if (v && *v && exs_in_attach_names(c, &at->props, v) != EXS_OK) {
        return EXS_NOMEM;
    }

    return exs_in_attach_str(c, at, PR_ATTACH_CONTENT_ID,
                             g_mime_object_get_content_id(o));
}


static int
exs_in_attach(exs_in_t *c, exs_in_msg_t *m, GMimePart *part)
{
    char              *type;
    size_t             len;
    uint8_t           *data;
    const char        *s;
    exs_attach_t      *at;
    GMimeObject       *o;
    GMimeContentType  *ct;

    if (c->rc != EXS_OK) {
        return c->rc;
    }

    o = GMIME_OBJECT(part);

    data = exs_in_decode(c, part, &len);
    if (data == NULL) {
        return EXS_NOMEM;
    }

    ct = g_mime_object_get_content_type(o);
    s = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
    type = exs_oxcmail_lower(c->a, s ? s : "application/octet-stream");
    g_free((char *) s);

    if (type == NULL) {
        return EXS_NOMEM;
    }

    at = exs_in_new_attach(c, m, EXS_ATTACH_BY_VALUE, type, data, len);

    if (at == NULL || exs_in_attach_ids(c, at, o) != EXS_OK
        || exs_in_attach_str(c, at, PR_ATTACH_CONTENT_LOCATION,
                             g_mime_part_get_content_location(part))
           != EXS_OK
        || (exs_in_is_type(o, "text", "*")
            && exs_in_attach_str(c, at, PR_TEXT_ATTACHMENT_CHARSET,
                   g_mime_object_get_content_type_parameter(o, "charset"))
               != EXS_OK))
    {
        return EXS_NOMEM;
    }

    return EXS_OK;
}


/* a subtree kept as its MIME bytes: an attached message by value */

static int
exs_in_attach_opaque(exs_in_t *c, exs_in_msg_t *m, GMimeObject *o,
    const char *mime_type)
{
    char    *data;
    size_t   len;

    data = exs_in_serialize(c, o, &len);
    if (data == NULL) {
        return EXS_NOMEM;
    }

    if (exs_in_new_attach(c, m, EXS_ATTACH_BY_VALUE, mime_type, data, len)
        == NULL)
    {
        return EXS_NOMEM;
    }

    return EXS_OK;
}


static char *
exs_in_serialize(exs_in_t *c, GMimeObject *o, size_t *len)
{
    char         *data;
    GByteArray   *ba;
    GMimeStream  *s;

    s = g_mime_stream_mem_new();
    g_mime_object_write_to_stream(o, NULL, s);
    ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));

    data = exs_alloc(c->a, ba->len + 1);

    if (data) {
        if (ba->len) {
            memcpy(data, ba->data, ba->len);
        }

        data[ba->len] = '\0';
        *len = ba->len;
    }

    g_object_unref(s);

    return data;
}


/*
 * A message/rfc822 part in base64 or quoted-printable (not allowed, but
 * sent): GMime leaves it a leaf; decoded, it is an embedded message.
 */

static int
exs_in_encoded_message(exs_in_t *c, exs_in_msg_t *m, GMimePart *part)
{
    int            rc;
    size_t         len;
    uint8_t       *data;
    GMimeParser   *parser;
    GMimeStream   *s;
    GMimeMessage  *inner;

    data = exs_in_decode(c, part, &len);
    if (data == NULL) {
        return EXS_NOMEM;
    }

    s = g_mime_stream_mem_new_with_buffer((char *) data, len);
    parser = g_mime_parser_new_with_stream(s);
    inner = g_mime_parser_construct_message(parser, c->popts);

    g_object_unref(parser);
    g_object_unref(s);

    if (inner == NULL) {
        return exs_in_attach(c, m, part);
    }

    rc = exs_in_embedded(c, m, GMIME_OBJECT(part), inner);
    g_object_unref(inner);

    return rc;
}


static int
exs_in_embedded(exs_in_t *c, exs_in_msg_t *m, GMimeObject *o,
    GMimeMessage *inner)
{
    int            rc;
    char          *type;
    const char    *s;
    exs_msg_t     *em;
    exs_prop_t    *subject;
    exs_attach_t  *at;

    if (inner == NULL) {
        return EXS_OK;
    }

    if (m->depth + 1 > c->max_depth) {
        c->lossy |= EXS_OXCMAIL_LOST_DEPTH;
        return exs_in_attach_opaque(c, m, GMIME_OBJECT(inner),
                                    "message/rfc822");
    }

    em = exs_msg_create(c->a);
    if (em == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_in_message(c, inner, em, m->depth + 1, NULL, 0);
    if (rc != EXS_OK) {
        return rc;
    }

    s = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(o));
    type = exs_oxcmail_lower(c->a, s ? s : "message/rfc822");
    g_free((char *) s);

    at = type ? exs_in_new_attach(c, m, EXS_ATTACH_EMBEDDED_MSG, type, NULL,
                                  0)
              : NULL;

    if (at == NULL || exs_in_attach_ids(c, at, o) != EXS_OK) {
        return EXS_NOMEM;
    }

    at->embedded = em;

    /* without a file name, Outlook shows the subject */
    subject = exs_props_get(&em->props, PR_SUBJECT);

    if (exs_props_get(&at->props, PR_DISPLAY_NAME) == NULL && subject
        && exs_props_set_str(c->a, &at->props, PR_DISPLAY_NAME,
                             subject->v.str.data, subject->v.str.len)
           != EXS_OK)
    {
        return EXS_NOMEM;
    }

    return EXS_OK;
}


/*
 * TNEF: its properties and attachments join the message (MS-OXCMAIL
 * 2.1.3.4: TNEF wins over MIME), except the addressing and transport
 * ones, which the MIME headers of this delivery say better.  1 when the
 * stream was taken in whole.
 */

static int
exs_in_tnef(exs_in_t *c, exs_in_msg_t *m, GMimePart *part)
{
    int         rc;
    size_t      len;
    uint8_t    *data;
    exs_msg_t  *t;

    data = exs_in_decode(c, part, &len);
    if (data == NULL) {
        return 0;
    }

    t = exs_msg_create(c->a);
    if (t == NULL) {
        c->rc = EXS_NOMEM;
        return 0;
    }

    c->tnef.corrupt = 0;
    c->tnef.depth = 0;

    rc = exs_tnef_read(data, len, c->opts->namemap, t, &c->tnef, c->a);

    if (rc == EXS_NOMEM) {
        c->rc = rc;
        return 0;
    }

    if (rc != EXS_OK) {
        c->lossy |= EXS_OXCMAIL_LOST_TNEF;

        /* nothing usable: the attachment stays as it came */
        if (t->props.n == 0 && t->natts == 0) {
            return 0;
        }
    }

    c->rc = exs_in_merge_tnef(c, m->msg, t);

    return rc == EXS_OK;
}


static int
exs_in_merge_tnef(exs_in_t *c, exs_msg_t *msg, exs_msg_t *tnef)
{
    uint32_t       i;
    exs_prop_t    *p;
    exs_rcpt_t    *r;
    exs_attach_t  *at;

    for (i = 0; i < tnef->props.n; i++) {
        p = &tnef->props.v[i];

        switch (PROP_ID(p->tag)) {
        case 0x0C19: case 0x0C1A: case 0x0C1D: case 0x0C1E: case 0x0C1F:
        case 0x5D01:                                     /* PR_SENDER_* */
        case 0x0041: case 0x0042: case 0x003B: case 0x0064: case 0x0065:
        case 0x5D02:                           /* PR_SENT_REPRESENTING_* */
        case 0x003F: case 0x0040: case 0x0051: case 0x0075: case 0x0076:
        case 0x0043: case 0x0044: case 0x0052: case 0x0077: case 0x0078:
        case 0x007D:                     /* PR_TRANSPORT_MESSAGE_HEADERS */
        case 0x1035:                           /* PR_INTERNET_MESSAGE_ID */
        case 0x0E02: case 0x0E03: case 0x0E04:          /* PR_DISPLAY_* */
        case 0x0E06:                         /* PR_MESSAGE_DELIVERY_TIME */
        case 0x6659:                              /* PR_INTERNET_CONTENT */
            continue;

        case 0x1000:                                          /* PR_BODY */
        case 0x1013:                                          /* PR_HTML */
        case 0x0039:                            /* PR_CLIENT_SUBMIT_TIME */
            if (exs_props_get(&msg->props, PROP_TAG(PT_UNSPECIFIED,
                                                    PROP_ID(p->tag))))
            {
                continue;
            }

            break;

        default:
            break;
        }

        if (exs_props_set(c->a, &msg->props, p) != EXS_OK) {
            return EXS_NOMEM;
        }
    }

    if (msg->nrcpts == 0) {
        for (i = 0; i < tnef->nrcpts; i++) {
            r = exs_msg_add_rcpt(c->a, msg);
            if (r == NULL) {
                return EXS_NOMEM;
            }

            r->props = tnef->rcpts[i].props;
        }
    }

    for (i = 0; i < tnef->natts; i++) {
        at = exs_msg_add_attach(c->a, msg);
        if (at == NULL) {
            return EXS_NOMEM;
        }

        *at = tnef->atts[i];
    }

    return EXS_OK;
}


/*
 * S/MIME, MS-OXOSMIME 2.1.3.2: a clear-signed message keeps its whole
 * multipart/signed entity as one attachment (byte for byte, so the
 * signature still verifies), with the body promoted from the signed
 * content; an opaque-signed or encrypted one keeps its CMS blob.  1 when
 * the message was one of these.
 */

static int
exs_in_smime(exs_in_t *c, exs_in_msg_t *m, GMimeObject *root)
{
    char           *data;
    size_t          len, n;
    exs_buf_t       b = { 0 };
    const char     *proto, *fn, *cls, *nl;
    exs_attach_t   *at;
    GMimeHeader    *h;
    GMimeHeaderList  *hl;

    if (exs_in_is_type(root, "multipart", "signed")) {
        proto = g_mime_object_get_content_type_parameter(root, "protocol");

        if (proto == NULL || strcasestr(proto, "pkcs7-signature") == NULL
            || g_mime_multipart_get_count(GMIME_MULTIPART(root)) < 1)
        {
            return 0;
        }

        if (m->depth == 0 && c->body_off > 0 && c->body_off <= c->rawlen) {

            /* the Content-* headers as they came, then the body bytes */

            hl = g_mime_object_get_header_list(root);
            n = g_mime_header_list_get_count(hl);
            nl = "\n";

            if (c->body_off >= 2 && c->raw[c->body_off - 2] == '\r') {
                nl = "\r\n";
            }

            for (len = 0; len < n; len++) {
                h = g_mime_header_list_get_header_at(hl, (int) len);

                if (strncasecmp(g_mime_header_get_name(h), "Content-", 8)
                    != 0)
                {
                    continue;
                }

                exs_buf_add(&b, g_mime_header_get_raw_name(h),
                            strlen(g_mime_header_get_raw_name(h)));
                exs_buf_addc(&b, ':');
                exs_buf_add(&b, g_mime_header_get_raw_value(h),
                            strlen(g_mime_header_get_raw_value(h)));
            }

            exs_buf_add(&b, nl, strlen(nl));
            exs_buf_add(&b, c->raw + c->body_off, c->rawlen - c->body_off);

            if (b.nomem) {
                exs_buf_free(&b);
                c->rc = EXS_NOMEM;
                return 1;
            }

            data = exs_memdup(c->a, b.data, b.len);
            len = b.len;
            exs_buf_free(&b);

        } else {
            data = exs_in_serialize(c, root, &len);
        }

        if (data == NULL) {
            c->rc = EXS_NOMEM;
            return 1;
        }

        cls = "IPM.Note.SMIME.MultipartSigned";
        fn = "SMIME.p7m";

        m->bodies_only = 1;
        exs_in_walk(c, m, g_mime_multipart_get_part(GMIME_MULTIPART(root), 0),
                    1);
        m->bodies_only = 0;

        if (c->rc != EXS_OK) {
            return 1;
        }

        proto = "multipart/signed";

    } else if (exs_in_is_type(root, "application", "pkcs7-mime")
               || exs_in_is_type(root, "application", "x-pkcs7-mime")
               || (exs_in_is_type(root, "application", "octet-stream")
                   && (fn = g_mime_part_get_filename(GMIME_PART(root)))
                   && strlen(fn) > 4
                   && strcasecmp(fn + strlen(fn) - 4, ".p7m") == 0))
    {
        data = (char *) exs_in_decode(c, GMIME_PART(root), &len);
        if (data == NULL) {
            return 1;
        }

        cls = "IPM.Note.SMIME";
        fn = "smime.p7m";
        proto = "application/pkcs7-mime";

    } else {
        return 0;
    }

    at = exs_in_new_attach(c, m, EXS_ATTACH_BY_VALUE, proto, data, len);

    if (at == NULL || exs_in_attach_names(c, &at->props, fn) != EXS_OK
        || exs_oxcmail_set_str(c->a, &m->msg->props, PR_MESSAGE_CLASS, cls)
           != EXS_OK)
    {
        c->rc = EXS_NOMEM;
    }

    return 1;
}


/* the code page MAPI knows the bytes by; 0 when it has none */

static uint32_t
exs_in_cpid(const char *charset, const uint8_t *p, size_t len)
{
    size_t    i;
    uint32_t  cpid;

    cpid = exs_oxcmail_charset_cpid(charset);

    if (cpid && cpid != 20127) {
        return cpid;
    }

    if (cpid == 0 && charset && *charset) {
        return 0;
    }

    for (i = 0; i < len && p[i] < 0x80; i++) {
        /* void */
    }

    if (i == len) {
        return 20127;
    }

    return exs_oxcmail_utf8_valid(p + i, len - i) ? EXS_CPID_UTF8 : 1252;
}


static int
exs_in_bodies(exs_in_t *c, exs_in_msg_t *m)
{
    int           lossy;
    char         *s, *t;
    size_t        len, n;
    uint8_t      *data;
    uint32_t      cpid, tcpid;
    exs_props_t  *bag;
    const char   *charset;

    bag = &m->msg->props;
    lossy = 0;
    tcpid = 0;
    cpid = 0;

    if (m->text) {
        data = exs_in_decode(c, m->text, &len);
        if (data == NULL) {
            return EXS_NOMEM;
        }

        charset = g_mime_object_get_content_type_parameter(
                      GMIME_OBJECT(m->text), "charset");
        tcpid = exs_in_cpid(charset, data, len);

        s = exs_oxcmail_to_utf8(c->a, charset, data, len, &n, &lossy);
        t = s ? (char *) exs_oxcmail_eol(c->a, (const uint8_t *) s, n, &n, 1)
              : NULL;

        if (t == NULL || exs_props_set_str(c->a, bag, PR_BODY, t, n)
                         != EXS_OK)
        {
            return EXS_NOMEM;
        }

    } else if (m->text_str) {
        s = exs_oxcmail_to_utf8(c->a, NULL, m->text_str,
                                strlen(m->text_str), &n, &lossy);

        if (s == NULL || exs_props_set_str(c->a, bag, PR_BODY, s, n)
                         != EXS_OK)
        {
            return EXS_NOMEM;
        }

        tcpid = EXS_CPID_UTF8;
    }

    if (m->html) {
        data = exs_in_decode(c, m->html, &len);
        if (data == NULL) {
            return EXS_NOMEM;
        }

        charset = g_mime_object_get_content_type_parameter(
                      GMIME_OBJECT(m->html), "charset");
        cpid = exs_in_cpid(charset, data, len);

        s = exs_oxcmail_to_utf8(c->a, charset, data, len, &n, &lossy);
        if (s == NULL) {
            return EXS_NOMEM;
        }

        m->html_utf8 = s;

        if (cpid == 0) {
            /* a charset MAPI has no code page for: kept as UTF-8 */
            cpid = EXS_CPID_UTF8;
            data = (uint8_t *) s;
            len = n;
        }

        if (exs_props_set_bin(c->a, bag, PR_HTML, data, len) != EXS_OK) {
            return EXS_NOMEM;
        }

        if (exs_props_get(bag, PR_BODY) == NULL) {
            t = exs_oxcmail_html_to_text(s, n, &len, c->a);

            if (t == NULL || exs_props_set_str(c->a, bag, PR_BODY, t, len)
                             != EXS_OK)
            {
                return EXS_NOMEM;
            }
        }
    }

    if (lossy) {
        c->lossy |= EXS_OXCMAIL_LOST_CHARSET;
    }

    if (m->html || m->text || m->text_str) {
        if (exs_props_set_long(c->a, bag, PR_INTERNET_CPID,
                               (int32_t) (m->html ? cpid : tcpid)) != EXS_OK
            || exs_props_set_long(c->a, bag, PR_NATIVE_BODY_INFO,
                                  m->html ? EXS_NATIVE_BODY_HTML
                                          : EXS_NATIVE_BODY_PLAIN)
               != EXS_OK)
        {
            return EXS_NOMEM;
        }
    }

    return EXS_OK;
}


/* attachments the HTML shows (cid: or Content-Location) are hidden */

static int
exs_in_hide_inline(exs_in_t *c, exs_in_msg_t *m)
{
    char          *ref;
    size_t         len;
    uint32_t       i;
    exs_prop_t    *p;
    exs_attach_t  *at;

    if (m->html_utf8 == NULL) {
        return EXS_OK;
    }

    for (i = 0; i < m->msg->natts; i++) {
        at = &m->msg->atts[i];

        if (at->embedded) {
            continue;
        }

        p = exs_props_get(&at->props, PR_ATTACH_CONTENT_ID);

        if (p) {
            len = p->v.str.len + 4;

            ref = exs_alloc(c->a, len + 1);
            if (ref == NULL) {
                return EXS_NOMEM;
            }

            memcpy(ref, "cid:", 4);
            memcpy(ref + 4, p->v.str.data, p->v.str.len + 1);

            if (strcasestr(m->html_utf8, ref) == NULL) {
                p = NULL;
            }
        }

        if (p == NULL) {
            p = exs_props_get(&at->props, PR_ATTACH_CONTENT_LOCATION);

            if (p && (p->v.str.len == 0
                      || strstr(m->html_utf8, p->v.str.data) == NULL))
            {
                p = NULL;
            }
        }

        if (p == NULL) {
            continue;
        }

        if (exs_props_set_bool(c->a, &at->props, PR_ATTACHMENT_HIDDEN, 1)
            != EXS_OK
            || exs_props_set_long(c->a, &at->props, PR_ATTACH_FLAGS,
                                  EXS_ATT_MHTML_REF) != EXS_OK)
        {
            return EXS_NOMEM;
        }
    }

    return EXS_OK;
}
