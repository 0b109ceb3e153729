
/*
 * The MIME converter, one mapping rule at a time (MS-OXCMAIL,
 * MS-OXOSMIME, MS-OXCMSG), on the small messages of t/unit/oxcmail/ and
 * on a few of the corpus.
 */


#include <gmime/gmime.h>

#include <tap.h>
#include "mailtest.h"
#include <exs_oxcmail_int.h>


static exs_arena_t    *a;
static exs_namemap_t  *nm;


static exs_msg_t *
load(const char *name, exs_oxcmail_info_t *info)
{
    char                 path[4096];
    size_t               len;
    uint8_t             *data;
    exs_msg_t           *msg;
    exs_oxcmail_info_t   i;

    if (snprintf(path, sizeof(path), "%s/%s", mt_top(), name)
        >= (int) sizeof(path))
    {
        return NULL;
    }

    data = mt_slurp(path, &len);
    if (data == NULL) {
        printf("# cannot read %s\n", path);
        return NULL;
    }

    /* the message keeps pointing into the arena, not into data */
    msg = mt_import((char *) data, len, nm, info ? info : &i, a);
    free(data);

    return msg;
}


static exs_attach_t *
attach_named(exs_msg_t *msg, const char *name)
{
    uint32_t     i;
    const char  *s;

    for (i = 0; msg && i < msg->natts; i++) {
        s = mt_str(&msg->atts[i].props, PR_ATTACH_LONG_FILENAME);

        if (s && strcmp(s, name) == 0) {
            return &msg->atts[i];
        }
    }

    return NULL;
}


static exs_rcpt_t *
rcpt(exs_msg_t *msg, const char *smtp)
{
    uint32_t     i;
    const char  *s;

    for (i = 0; msg && i < msg->nrcpts; i++) {
        s = mt_str(&msg->rcpts[i].props, PR_SMTP_ADDRESS);

        if (s && strcasecmp(s, smtp) == 0) {
            return &msg->rcpts[i];
        }
    }

    return NULL;
}


static int
has_header_line(const char *mime, const char *line)
{
    size_t       n;
    const char  *p;

    n = strlen(line);

    for (p = mime; p; p = strchr(p, '\n')) {
        if (*p == '\n') {
            p++;
        }

        if (strncmp(p, line, n) == 0) {
            return 1;
        }

        /* the headers end at the first blank line */
        if (*p == '\r' || *p == '\n') {
            return 0;
        }
    }

    return 0;
}


static void test_rfc2231(void);
static void test_iso2022jp(void);
static void test_inline_related(void);
static void test_keywords_priority(void);
static void test_bcc(void);
static void test_addresses(void);
static void test_html_only(void);
static void test_calendar(void);
static void test_charsets(void);
static void test_broken(void);
static void test_gmime_133(void);
static void test_smime(void);
static void test_reports(void);
static void test_local_addresses(void);
static void test_subject_prefix(void);
static void test_export_safety(void);
static void test_delivery(void);
static void test_depth(void);
static void test_tnef_in_mime(void);
static void test_html_to_text(void);
static void test_tnef_out(void);
static void test_outlook_made(void);


int
main(void)
{
    exs_mime_init();

    a = exs_arena_create(0);
    nm = exs_namemap_mem_create(a);

    test_rfc2231();
    test_iso2022jp();
    test_inline_related();
    test_keywords_priority();
    test_bcc();
    test_addresses();
    test_html_only();
    test_calendar();
    test_charsets();
    test_broken();
    test_gmime_133();
    test_smime();
    test_reports();
    test_local_addresses();
    test_subject_prefix();
    test_export_safety();
    test_delivery();
    test_depth();
    test_tnef_in_mime();
    test_html_to_text();
    test_tnef_out();
    test_outlook_made();

    exs_arena_destroy(a);
    exs_mime_shutdown();

    return done_testing();
}


static void
test_rfc2231(void)
{
    exs_msg_t     *m, *m2;
    const char    *mime;
    exs_attach_t  *at;
    const char    *name = "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e "
                          "\xc3\xa4\xc3\xb6\xc3\xbc Bericht.pdf";

    m = load("t/unit/oxcmail/rfc2231-continuation.eml", NULL);
    at = attach_named(m, name);

    ok(at != NULL, "RFC 2231: a file name in three continuations, two of "
       "them percent-encoded UTF-8, is joined and decoded");
    is_str(at ? mt_str(&at->props, PR_ATTACH_EXTENSION) : NULL, ".pdf",
           "PR_ATTACH_EXTENSION is the file name's extension");
    is_str(at ? mt_str(&at->props, PR_ATTACH_MIME_TAG) : NULL,
           "application/pdf", "PR_ATTACH_MIME_TAG is the content type");
    is_int(at ? mt_long(&at->props, PR_ATTACH_METHOD, 0) : 0, 1,
           "PR_ATTACH_METHOD is ATTACH_BY_VALUE");
    is_int(at ? mt_long(&at->props, PR_ATTACH_SIZE, 0) : 0, 9,
           "PR_ATTACH_SIZE is the decoded size");
    ok(at && mt_str(&at->props, PR_ATTACH_FILENAME)
       && strlen(mt_str(&at->props, PR_ATTACH_FILENAME)) <= 12,
       "PR_ATTACH_FILENAME is an 8.3 name (%s)",
       at ? mt_str(&at->props, PR_ATTACH_FILENAME) : "");

    mime = m ? mt_export(m, nm, 0, NULL, a) : NULL;
    m2 = mime ? mt_import(mime, strlen(mime), nm, NULL, a) : NULL;

    ok(mime && (strcasestr(mime, "filename*=utf-8''%E6%97%A5") != NULL
                || strcasestr(mime, "filename*0*=utf-8''%E6%97%A5") != NULL),
       "export writes the non-ASCII name with RFC 2231");
    ok(attach_named(m2, name) != NULL, "and it comes back the same");
}


static void
test_iso2022jp(void)
{
    exs_msg_t  *m;

    m = load("t/unit/oxcmail/iso2022jp.eml", NULL);

    is_str(m ? mt_str(&m->props, PR_SUBJECT) : NULL,
           "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xbb\xb6"
           "\xe5\x90\x8d", "an ISO-2022-JP encoded-word subject decodes");
    is_str(m ? mt_str(&m->props, PR_SENT_REPRESENTING_NAME) : NULL,
           "\xe5\xb1\xb1\xe7\x94\xb0", "so does the sender's name");
    ok(m && mt_str(&m->props, PR_BODY)
       && strcmp(mt_str(&m->props, PR_BODY),
                 "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81"
                 "\xaf\xe3\x80\x81\xe4\xb8\x96\xe7\x95\x8c\r\n") == 0,
       "an ISO-2022-JP body becomes UTF-8 with CRLF line ends");
    is_int(m ? mt_long(&m->props, PR_INTERNET_CPID, 0) : 0, 50220,
           "PR_INTERNET_CPID is 50220 (iso-2022-jp)");
    is_int(m ? mt_long(&m->props, PR_NATIVE_BODY_INFO, 0) : 0, 1,
           "PR_NATIVE_BODY_INFO says plain text");
}


static void
test_inline_related(void)
{
    size_t         len;
    exs_msg_t     *m, *m2;
    const char    *mime, *ct;
    exs_attach_t  *logo, *csv;

    m = load("t/unit/oxcmail/inline-related.eml", NULL);

    ok(m && mt_str(&m->props, PR_BODY)
       && strcmp(mt_str(&m->props, PR_BODY), "Logo below.") == 0,
       "multipart/alternative: text/plain is PR_BODY");
    ok(m && mt_bin(&m->props, PR_HTML)
       && strstr((const char *) mt_bin(&m->props, PR_HTML)->data,
                 "cid:logo@example.net") != NULL,
       "the root of multipart/related is PR_HTML");
    is_int(m ? mt_long(&m->props, PR_NATIVE_BODY_INFO, 0) : 0, 3,
           "PR_NATIVE_BODY_INFO says HTML");

    logo = attach_named(m, "logo.png");
    csv = attach_named(m, "data.csv");

    ok(logo && mt_bool(&logo->props, PR_ATTACHMENT_HIDDEN),
       "an image the HTML shows is a hidden attachment");
    is_str(logo ? mt_str(&logo->props, PR_ATTACH_CONTENT_ID) : NULL,
           "logo@example.net", "with PR_ATTACH_CONTENT_ID, no brackets");
    is_int(logo ? mt_long(&logo->props, PR_ATTACH_FLAGS, 0) : 0, 4,
           "PR_ATTACH_FLAGS has ATT_MHTML_REF");
    ok(csv && !mt_bool(&csv->props, PR_ATTACHMENT_HIDDEN),
       "the attachment of multipart/mixed is visible");
    is_str(csv ? mt_str(&csv->props, PR_TEXT_ATTACHMENT_CHARSET) : NULL,
           "iso-8859-1", "a text attachment keeps its charset");
    ok(csv && mt_bin(&csv->props, PR_ATTACH_DATA_BIN)->len == 14
       && memcmp(mt_bin(&csv->props, PR_ATTACH_DATA_BIN)->data,
                 "a;b\r\nM\xfcnchen;1", 14) == 0,
       "and its bytes, quoted-printable decoded, not converted");
    is_int(m ? m->nrcpts : 0, 3, "To and Cc give three recipients");
    is_int(rcpt(m, "frank@example.com")
           ? mt_long(&rcpt(m, "frank@example.com")->props,
                     PR_RECIPIENT_TYPE, 0) : 0, EXS_MAPI_CC,
           "a Cc address has PR_RECIPIENT_TYPE MAPI_CC");
    is_str(m ? mt_str(&m->props, PR_DISPLAY_TO) : NULL, "Dave; Eve",
           "PR_DISPLAY_TO lists the To names");

    mime = m ? mt_export(m, nm, EXS_OXCMAIL_FOR_READ, &len, a) : NULL;

    ct = mime ? strstr(mime, "Content-Type: multipart/mixed") : NULL;
    ok(ct != NULL, "export: multipart/mixed around everything");
    ct = ct ? strstr(ct, "Content-Type: multipart/alternative") : NULL;
    ok(ct != NULL, "then multipart/alternative");
    ct = ct ? strstr(ct, "Content-Type: text/plain") : NULL;
    ok(ct != NULL, "text/plain first");
    ct = ct ? strstr(ct, "Content-Type: multipart/related") : NULL;
    ok(ct != NULL, "then multipart/related");
    ct = ct ? strstr(ct, "Content-Type: text/html") : NULL;
    ok(ct != NULL, "with the HTML");
    ct = ct ? strstr(ct, "Content-Type: image/png") : NULL;
    ok(ct != NULL && strstr(ct, "Content-Id: <logo@example.net>")
       && strstr(ct, "Content-Disposition: inline"),
       "and the image, inline, with its Content-ID");
    ok(ct && strstr(ct, "Content-Type: text/csv") != NULL,
       "the CSV after the alternative");
    ok(mime && strstr(mime, "\r\n") && !strstr(mime, "\r\r"),
       "CRLF line ends");
    ok(mime && strstr(mime, "boundary=\"=_exch_") != NULL,
       "boundaries come from the content digest");

    m2 = mime ? mt_import(mime, len, nm, NULL, a) : NULL;
    logo = attach_named(m2, "logo.png");
    ok(logo && mt_bool(&logo->props, PR_ATTACHMENT_HIDDEN)
       && mt_str(&logo->props, PR_ATTACH_CONTENT_ID),
       "and the inline image is inline again");
}


static void
test_keywords_priority(void)
{
    uint32_t     kw;
    exs_msg_t   *m;
    exs_prop_t  *p;
    const char  *mime;

    m = load("t/unit/oxcmail/keywords-priority.eml", NULL);
    kw = mt_named(nm, PS_PUBLIC_STRINGS, "Keywords", PT_MV_UNICODE);
    p = m && kw ? exs_props_get(&m->props, kw) : NULL;

    ok(p != NULL, "Keywords -> PS_PUBLIC_STRINGS \"Keywords\", "
       "PT_MV_UNICODE");
    is_int(p ? p->v.mv.n : 0, 4, "every keyword of both headers, once");
    is_str(p && p->v.mv.n > 1 ? p->v.mv.v.str[1].data : NULL,
           "Gr\xc3\xbcn", "encoded words in Keywords decode");
    is_str(p && p->v.mv.n > 2 ? p->v.mv.v.str[2].data : NULL,
           "urgent stuff", "blanks around a keyword go");
    is_int(m ? mt_long(&m->props, PR_IMPORTANCE, -1) : -1, 2,
           "X-Priority 1 is PR_IMPORTANCE high (and beats "
           "X-MSMail-Priority)");
    is_int(m ? mt_long(&m->props, PR_PRIORITY, 0) : 0, 1,
           "Priority: urgent is PR_PRIORITY 1");
    is_int(m ? mt_long(&m->props, PR_SENSITIVITY, -1) : -1, 3,
           "Sensitivity: Company-Confidential is 3");

    mime = m ? mt_export(m, nm, 0, NULL, a) : NULL;

    if (!ok(mime && has_header_line(mime, "Keywords: Project X, "),
            "export writes Keywords"))
    {
        printf("# %s\n", mime ? mime : "(null)");
    }
    ok(mime && has_header_line(mime, "Importance: high"),
       "and Importance: high");
    ok(mime && has_header_line(mime, "X-Priority: 1"), "and X-Priority");
    ok(mime && has_header_line(mime, "Sensitivity: Company-Confidential"),
       "and Sensitivity");
    ok(mime && has_header_line(mime, "Priority: urgent"), "and Priority");
}


static void
test_bcc(void)
{
    uint32_t             n, bad;
    exs_msg_t           *m;
    const char          *mime, *from, **rcpts;
    exs_oxcmail_opts_t   o;

    m = load("t/unit/oxcmail/bcc.eml", NULL);

    is_int(m ? m->nrcpts : 0, 4, "Bcc, its group flattened: 3 + 1 To");
    is_int(rcpt(m, "lou@example.com")
           ? mt_long(&rcpt(m, "lou@example.com")->props, PR_RECIPIENT_TYPE,
                     0) : 0, EXS_MAPI_BCC,
           "a group member of Bcc is MAPI_BCC");
    is_str(rcpt(m, "mia@example.com")
           ? mt_str(&rcpt(m, "mia@example.com")->props, PR_DISPLAY_NAME)
           : NULL, "Mia M.", "with its quoted display name");
    is_str(m ? mt_str(&m->props, PR_DISPLAY_BCC) : NULL,
           "kim@example.com; lou@example.com; Mia M.",
           "PR_DISPLAY_BCC, addresses for names where there are none");

    mime = m ? mt_export(m, nm, EXS_OXCMAIL_FOR_SEND, NULL, a) : NULL;
    ok(mime && strstr(mime, "kim@example.com") == NULL,
       "sending: no Bcc header, no Bcc address in the MIME");

    mime = m ? mt_export(m, nm, EXS_OXCMAIL_FOR_READ, NULL, a) : NULL;
    ok(mime && has_header_line(mime, "Bcc: kim@example.com"),
       "reading (IMAP, EWS): the Bcc header is there");

    memset(&o, 0, sizeof(o));
    o.namemap = nm;

    ok(m && exs_oxcmail_envelope(m, &o, &from, &rcpts, &n, &bad, a)
            == EXS_OK, "the SMTP envelope");
    is_str(from, "ivan@example.com", "MAIL FROM is the sender");
    is_int(n, 4, "RCPT TO has every recipient, Bcc included");
    is_int(bad, 0, "all of them resolved");
}


static void
test_addresses(void)
{
    size_t        len;
    uint32_t      n, xm;
    exs_bin_t    *ids;
    exs_msg_t    *m, *m2;
    exs_prop_t   *p;
    const char   *name, *type, *addr, *mime;
    const exs_bin_t  *b;

    m = load("t/unit/oxcmail/addresses.eml", NULL);

    is_str(m ? mt_str(&m->props, PR_SENT_REPRESENTING_NAME) : NULL,
           "Ren\xc3\xa9" "e Dupont", "From -> PR_SENT_REPRESENTING_NAME, "
           "encoded word decoded");
    is_str(m ? mt_str(&m->props, PR_SENT_REPRESENTING_SMTP_ADDRESS) : NULL,
           "renee@example.fr", "and its SMTP address");
    is_str(m ? mt_str(&m->props, PR_SENT_REPRESENTING_ADDRTYPE) : NULL,
           "SMTP", "addrtype SMTP");
    is_str(m ? mt_str(&m->props, PR_SENDER_SMTP_ADDRESS) : NULL,
           "list-bounces@lists.example.org", "Sender -> PR_SENDER_*");

    b = m ? mt_bin(&m->props, PR_SENT_REPRESENTING_SEARCH_KEY) : NULL;
    ok(b && b->len == 22 && memcmp(b->data, "SMTP:RENEE@EXAMPLE.FR", 22)
            == 0, "the search key is ADDRTYPE:ADDRESS upper case, with "
       "its NUL");

    b = m ? mt_bin(&m->props, PR_SENT_REPRESENTING_ENTRYID) : NULL;
    ok(b && exs_oxcmail_parse_entryid(b->data, b->len, &name, &type, &addr,
                                      a) == EXS_OK
       && strcmp(name, "Ren\xc3\xa9" "e Dupont") == 0
       && strcmp(type, "SMTP") == 0
       && strcmp(addr, "renee@example.fr") == 0,
       "the entry id is a one-off entry id of name, type and address");

    is_str(m ? mt_str(&m->props, PR_REPLY_RECIPIENT_NAMES) : NULL,
           "Alpha; beta@example.fr", "Reply-To -> PR_REPLY_RECIPIENT_NAMES");
    b = m ? mt_bin(&m->props, PR_REPLY_RECIPIENT_ENTRIES) : NULL;
    ok(b && exs_oxcmail_parse_flat_entrylist(b->data, b->len, &ids, &n, a)
            == EXS_OK && n == 2, "and a FlatEntryList of two entry ids");

    is_str(m ? mt_str(&m->props, PR_SUBJECT_PREFIX) : NULL, "Re: ",
           "Subject: Re: ... -> PR_SUBJECT_PREFIX");
    is_str(m ? mt_str(&m->props, PR_NORMALIZED_SUBJECT) : NULL, "Adresses",
           "and PR_NORMALIZED_SUBJECT");
    is_str(m ? mt_str(&m->props, PR_CONVERSATION_TOPIC) : NULL, "Adresses",
           "Thread-Topic -> PR_CONVERSATION_TOPIC");
    ok(m && mt_bin(&m->props, PR_CONVERSATION_INDEX)
       && mt_bin(&m->props, PR_CONVERSATION_INDEX)->len == 22,
       "Thread-Index -> PR_CONVERSATION_INDEX");

    p = m ? exs_props_get(&m->props, PR_CLIENT_SUBMIT_TIME) : NULL;
    is_int(p ? exs_filetime_to_unix(p->v.ll) : 0, 1704621600,
           "Date -> PR_CLIENT_SUBMIT_TIME, in UTC");
    p = m ? exs_props_get(&m->props, PR_MESSAGE_DELIVERY_TIME) : NULL;
    is_int(p ? exs_filetime_to_unix(p->v.ll) : 0, 1704621605,
           "the top Received date -> PR_MESSAGE_DELIVERY_TIME");

    is_str(m ? mt_str(&m->props, PR_INTERNET_MESSAGE_ID) : NULL,
           "<addr@example.fr>", "Message-ID -> PR_INTERNET_MESSAGE_ID");
    is_str(m ? mt_str(&m->props, PR_IN_REPLY_TO_ID) : NULL,
           "<parent@example.com>", "In-Reply-To -> PR_IN_REPLY_TO_ID");
    is_str(m ? mt_str(&m->props, PR_INTERNET_REFERENCES) : NULL,
           "<root@example.com> <parent@example.com>",
           "References, unfolded, one space between ids");

    ok(m && exs_props_get(&m->props, PR_READ_RECEIPT_REQUESTED)
       && mt_bool(&m->props, PR_READ_RECEIPT_REQUESTED),
       "Disposition-Notification-To -> PR_READ_RECEIPT_REQUESTED");
    is_str(m ? mt_str(&m->props, PR_READ_RECEIPT_SMTP_ADDRESS) : NULL,
           "renee@example.fr", "and where the receipt goes");
    ok(m && mt_bool(&m->props, PR_ORIGINATOR_DELIVERY_REPORT_REQUESTED),
       "Return-Receipt-To -> PR_ORIGINATOR_DELIVERY_REPORT_REQUESTED");

    is_str(m ? mt_str(&m->props, PR_LIST_UNSUBSCRIBE) : NULL,
           "<mailto:leave@lists.example.org>", "List-Unsubscribe -> "
           "PR_LIST_UNSUBSCRIBE");
    is_str(m ? mt_str(&m->props, PR_LIST_HELP) : NULL,
           "<https://lists.example.org/help>", "List-Help -> PR_LIST_HELP");
    xm = mt_named(nm, PS_INTERNET_HEADERS, "List-Id", PT_UNICODE);
    is_str(m && xm ? mt_str(&m->props, xm) : NULL,
           "Example list <list.example.org>",
           "List-Id -> PS_INTERNET_HEADERS \"List-Id\"");
    xm = mt_named(nm, PS_INTERNET_HEADERS, "X-Mailer", PT_UNICODE);
    is_str(m && xm ? mt_str(&m->props, xm) : NULL, "Test Mailer 1.0",
           "X-Mailer -> PidNameXMailer");
    is_str(m ? mt_str(&m->props, PR_INTERNET_ORGANIZATION) : NULL,
           "Example SA", "Organization -> PR_INTERNET_ORGANIZATION");

    ok(m && mt_str(&m->props, PR_TRANSPORT_MESSAGE_HEADERS)
       && strncmp(mt_str(&m->props, PR_TRANSPORT_MESSAGE_HEADERS),
                  "Return-Path: <bounce@lists.example.org>\r\nReceived: "
                  "from mx.example.org (mx.example.org [192.0.2.1])\r\n"
                  "\tby mail.example.com", 111) == 0,
       "all headers verbatim in PR_TRANSPORT_MESSAGE_HEADERS");
    is_str(m ? mt_str(&m->props, PR_BODY) : NULL, "R\xc3\xa9ponse.\r\n",
           "an 8bit UTF-8 body");

    mime = m ? mt_export(m, nm, EXS_OXCMAIL_FOR_READ, &len, a) : NULL;

    ok(mime && has_header_line(mime, "Received: from mx.example.org"),
       "reading: the Received header comes back");
    ok(mime && has_header_line(mime, "Sender: list-bounces@"),
       "Sender differs from From: written");
    ok(mime && has_header_line(mime, "Reply-To: Alpha <alpha@example.fr>, "
                                     "beta@example.fr"),
       "Reply-To from PR_REPLY_RECIPIENT_ENTRIES");
    ok(mime && (has_header_line(mime, "Disposition-Notification-To: "
                                      "<renee@example.fr>")
                || has_header_line(mime, "Disposition-Notification-To: "
                                         "renee@example.fr")),
       "Disposition-Notification-To");
    ok(mime && has_header_line(mime, "List-Id: Example list "
                                     "<list.example.org>"), "List-Id");

    mime = m ? mt_export(m, nm, EXS_OXCMAIL_FOR_SEND, NULL, a) : NULL;
    ok(mime && !has_header_line(mime, "Received:"),
       "sending: the received transport headers stay behind");

    m2 = mime ? mt_import(mime, strlen(mime), nm, NULL, a) : NULL;
    is_str(m2 ? mt_str(&m2->props, PR_INTERNET_REFERENCES) : NULL,
           "<root@example.com> <parent@example.com>",
           "References survive the trip");
}


static void
test_html_only(void)
{
    exs_msg_t   *m;
    const char  *body;

    m = load("t/unit/oxcmail/html-only.eml", NULL);
    body = m ? mt_str(&m->props, PR_BODY) : NULL;

    ok(body != NULL, "text/html only: PR_BODY is made from the HTML");
    ok(body && strstr(body, "Caf\xc3\xa9 & cr\xc3\xa8me") != NULL,
       "windows-1252 and entities decode (%s)", body ? body : "");
    ok(body && strstr(body, "Line\r\nbreak") != NULL, "<br> is a line "
       "break");
    ok(body && strstr(body, "\xe2\x82\xac" "5 \xe2\x82\xac" "6 "
                            "\xe2\x82\xac" "7") != NULL,
       "named, decimal and hex character references");
    ok(body && strstr(body, "* one\r\n* two") != NULL, "list items");
    ok(body && !strstr(body, "alert") && !strstr(body, "color")
       && !strstr(body, "hidden"),
       "no script, style or comment text");
    is_int(m ? mt_long(&m->props, PR_INTERNET_CPID, 0) : 0, 1252,
           "PR_INTERNET_CPID is the HTML's charset, 1252");
    ok(m && mt_bin(&m->props, PR_HTML)
       && memchr(mt_bin(&m->props, PR_HTML)->data, 0xE9,
                 mt_bin(&m->props, PR_HTML)->len) != NULL,
       "PR_HTML keeps its bytes in that code page");
}


static void
test_calendar(void)
{
    exs_msg_t     *m;
    exs_attach_t  *at;

    m = load("t/unit/oxcmail/calendar-alternative.eml", NULL);
    at = m && m->natts ? &m->atts[0] : NULL;

    is_str(m ? mt_str(&m->props, PR_BODY) : NULL, "You are invited.",
           "text/calendar alternative: the text is the body");
    is_str(at ? mt_str(&at->props, PR_ATTACH_MIME_TAG) : NULL,
           "text/calendar", "and the calendar is kept as an attachment");
    ok(at && mt_bin(&at->props, PR_ATTACH_DATA_BIN)
       && memcmp(mt_bin(&at->props, PR_ATTACH_DATA_BIN)->data,
                 "BEGIN:VCALENDAR", 15) == 0, "with its iCalendar bytes");
}


static void
test_charsets(void)
{
    exs_msg_t           *m;
    exs_oxcmail_info_t   info;

    m = load("t/unit/oxcmail/charsets.eml", NULL);
    is_str(m ? mt_str(&m->props, PR_SUBJECT) : NULL,
           "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\xd0\xbc\xd0\xb8"
           "\xd1\x80", "KOI8-R and windows-1251 encoded words, side by side");
    is_str(m ? mt_str(&m->props, PR_BODY) : NULL,
           "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82, \xd0\xbc\xd0\xb8"
           "\xd1\x80!\r\n", "a windows-1251 body");
    is_int(m ? mt_long(&m->props, PR_INTERNET_CPID, 0) : 0, 1251,
           "PR_INTERNET_CPID 1251");

    m = load("t/unit/oxcmail/raw-8bit-header.eml", NULL);
    is_str(m ? mt_str(&m->props, PR_SUBJECT) : NULL,
           "Gr\xc3\xbc\xc3\x9f" "e aus M\xc3\xbcnchen",
           "raw 8-bit Latin-1 in a header reads as windows-1252");
    is_str(m ? mt_str(&m->props, PR_BODY) : NULL, "Sch\xc3\xb6n.\r\n",
           "a charset iconv does not know: valid UTF-8 is taken as such");

    m = load("t/unit/oxcmail/bad-utf8.eml", &info);
    is_str(m ? mt_str(&m->props, PR_BODY) : NULL,
           "ok \xef\xbf\xbd\xef\xbf\xbd end\r\n",
           "bytes invalid in UTF-8 become U+FFFD");
    ok(info.lossy & EXS_OXCMAIL_LOST_CHARSET, "and the loss is reported");
    ok(m && mt_bin(&m->props, PR_INTERNET_CONTENT) != NULL,
       "so the original is kept in PR_INTERNET_CONTENT");
}


static void
test_broken(void)
{
    static const char  mbox[] =
        "From someone@example.com Mon Jan  1 00:00:00 2024\n"
        "Subject: from mbox\n\nbody\n";

    exs_bin_t            out;
    exs_msg_t           *m;
    exs_attach_t        *at;
    exs_oxcmail_opts_t   o;
    exs_oxcmail_info_t   info;

    m = load("t/unit/oxcmail/bad-base64.eml", &info);
    at = attach_named(m, "f.bin");
    ok(at && mt_bin(&at->props, PR_ATTACH_DATA_BIN)->len >= 10
       && memcmp(mt_bin(&at->props, PR_ATTACH_DATA_BIN)->data, "Hello ", 6)
          == 0, "bad base64 decodes as far as it goes");
    ok(info.lossy & EXS_OXCMAIL_LOST_ENCODING, "and is reported");

    m = load("t/corpus/mail/cpython-msg-31.eml", &info);
    ok(m && mt_str(&m->props, PR_BODY)
       && strstr(mt_str(&m->props, PR_BODY), "message 1") != NULL,
       "a multipart whose boundary never comes: its text is the body");
    ok(info.lossy & EXS_OXCMAIL_LOST_STRUCTURE, "reported as lossy");

    memset(&o, 0, sizeof(o));
    o.namemap = nm;
    o.flags = EXS_OXCMAIL_PREFER_RAW;

    ok(m && exs_oxcmail_export(m, &o, &out, a) == EXS_OK
       && out.len == 200 && memcmp(out.data, "From: ", 6) == 0,
       "and export with EXS_OXCMAIL_PREFER_RAW gives the original back");

    m = load("t/corpus/mail/mailparse-rs-nested.eml", &info);
    ok(m != NULL, "105 levels of multipart nesting convert");

    ok(mt_import("", 0, nm, &info, a) != NULL,
       "an empty message is still a message");
    ok(mt_import("\x00\x01\x02garbage\xff", 11, nm, &info, a) != NULL,
       "so is binary garbage");

    m = mt_import(mbox, sizeof(mbox) - 1, nm, &info, a);
    is_str(m ? mt_str(&m->props, PR_SUBJECT) : NULL, "from mbox",
           "an mbox From_ line first is skipped");
    ok(m && !strstr(mt_str(&m->props, PR_TRANSPORT_MESSAGE_HEADERS),
                    "someone"), "and is no header");

    memset(&o, 0, sizeof(o));
    o.namemap = nm;
    o.max_size = 10;
    ok(exs_oxcmail_import("From: a@b\r\n\r\nxxxxxxxxxxxx", 25, &o, &m, NULL,
                          a) == EXS_TOOBIG, "max_size is enforced");
}


static void
test_gmime_133(void)
{
    exs_msg_t     *m;
    exs_attach_t  *at;

    m = load("t/unit/oxcmail/gmime-133.eml", NULL);

    is_str(m ? mt_str(&m->props, PR_SUBJECT) : NULL, "Hello world",
           "padded encoded words side by side decode whole (GMime #133)");
    is_str(m ? mt_str(&m->props, PR_SENT_REPRESENTING_NAME) : NULL,
           "\xd0\x92\xd0\xb0\xd1\x81", "in a display name too");
    at = m && m->natts ? &m->atts[0] : NULL;
    is_str(at ? mt_str(&at->props, PR_ATTACH_LONG_FILENAME) : NULL,
           "abc.txt", "and in a file name parameter");

    /* found by fuzzing: a word that is not base64 once looped forever */
    m = mt_import("Subject: =?UTF-8?B?!?= =?UTF-8?B?YQ==?=\r\n\r\n", 44,
                  nm, NULL, a);
    ok(m != NULL, "a bad encoded word beside a good one ends");
}


static void
test_smime(void)
{
    size_t            len;
    uint8_t          *orig;
    exs_msg_t        *m, *m2;
    const char       *mime, *body;
    exs_attach_t     *at;
    const exs_bin_t  *d;

    m = load("t/unit/oxcmail/smime-signed.eml", NULL);
    is_str(m ? mt_str(&m->props, PR_MESSAGE_CLASS) : NULL,
           "IPM.Note.SMIME.MultipartSigned",
           "multipart/signed (S/MIME) -> IPM.Note.SMIME.MultipartSigned");
    is_int(m ? m->natts : 0, 1, "one attachment");

    at = m && m->natts ? &m->atts[0] : NULL;
    is_str(at ? mt_str(&at->props, PR_ATTACH_MIME_TAG) : NULL,
           "multipart/signed", "PR_ATTACH_MIME_TAG multipart/signed");
    is_str(at ? mt_str(&at->props, PR_ATTACH_LONG_FILENAME) : NULL,
           "SMIME.p7m", "named SMIME.p7m");

    orig = mt_slurp("t/unit/oxcmail/smime-signed.eml", &len);
    if (orig == NULL) {
        char  path[4096];

        snprintf(path, sizeof(path), "%s/t/unit/oxcmail/smime-signed.eml",
                 mt_top());
        orig = mt_slurp(path, &len);
    }

    body = orig ? strstr((char *) orig, "\r\n\r\n") : NULL;
    d = at ? mt_bin(&at->props, PR_ATTACH_DATA_BIN) : NULL;

    ok(d && body && d->len > strlen(body + 4)
       && memcmp(d->data + d->len - strlen(body + 4), body + 4,
                 strlen(body + 4)) == 0
       && memcmp(d->data, "Content-Type: multipart/signed;", 31) == 0,
       "the attachment is the entity: its Content-Type, then the body "
       "byte for byte");
    is_str(m ? mt_str(&m->props, PR_BODY) : NULL, "Signed text.",
           "the signed text is promoted to PR_BODY");

    mime = m ? mt_export(m, nm, 0, NULL, a) : NULL;
    ok(mime && body && strstr(mime, body + 4) != NULL,
       "export writes the signed body back unchanged");

    m2 = mime ? mt_import(mime, strlen(mime), nm, NULL, a) : NULL;
    is_str(m2 ? mt_str(&m2->props, PR_MESSAGE_CLASS) : NULL,
           "IPM.Note.SMIME.MultipartSigned", "and it reads back as such");
    free(orig);

    m = load("t/unit/oxcmail/smime-encrypted.eml", NULL);
    is_str(m ? mt_str(&m->props, PR_MESSAGE_CLASS) : NULL, "IPM.Note.SMIME",
           "application/pkcs7-mime -> IPM.Note.SMIME");
    at = m && m->natts ? &m->atts[0] : NULL;
    ok(at && mt_bin(&at->props, PR_ATTACH_DATA_BIN)->len == 23
       && mt_bin(&at->props, PR_ATTACH_DATA_BIN)->data[0] == 0x30,
       "the CMS blob, decoded, is the attachment");
    ok(m && mt_str(&m->props, PR_BODY) == NULL, "no body (MS-OXOSMIME)");

    mime = m ? mt_export(m, nm, 0, NULL, a) : NULL;
    ok(mime && strstr(mime, "Content-Type: application/pkcs7-mime;")
       && strstr(mime, "smime-type=enveloped-data"),
       "export: application/pkcs7-mime, smime-type from the CMS content "
       "type");
}


static void
test_reports(void)
{
    exs_msg_t  *m;

    m = load("t/unit/oxcmail/dsn.eml", NULL);
    is_str(m ? mt_str(&m->props, PR_MESSAGE_CLASS) : NULL,
           "REPORT.IPM.Note.NDR", "a DSN with Action: failed is an NDR");
    ok(m && m->natts == 2 && m->atts[1].embedded != NULL,
       "the returned message is an embedded message");

    m = load("t/unit/oxcmail/mdn.eml", NULL);
    is_str(m ? mt_str(&m->props, PR_MESSAGE_CLASS) : NULL,
           "REPORT.IPM.Note.IPNRN", "an MDN saying displayed is a read "
           "notification");

    m = load("t/corpus/mail/mimekit-delivery-status-multiple-blank-lines"
             ".eml", NULL);
    ok(m && strncmp(mt_str(&m->props, PR_MESSAGE_CLASS), "REPORT.IPM.Note",
                    15) == 0, "a corpus DSN is a report (%s)",
       m ? mt_str(&m->props, PR_MESSAGE_CLASS) : "");
}


/* a directory of two local users */

static int
lookup(void *data, int by, const char *key, exs_oxcmail_addr_t *out,
    exs_arena_t *ar)
{
    static const char  *dn = "/o=Example/ou=Exchange Administrative Group "
                             "(FYDIBOHF23SPDLT)/cn=Recipients/cn=alice";

    if ((by == EXS_OXCMAIL_BY_SMTP && strcasecmp(key, "alice@example.com")
                                      == 0)
        || (by == EXS_OXCMAIL_BY_DN && strcasecmp(key, dn) == 0))
    {
        out->smtp = "alice@example.com";
        out->display_name = "Alice Local";
        out->legacy_dn = dn;
        return EXS_OK;
    }

    return EXS_NOTFOUND;
}


static void
test_local_addresses(void)
{
    static const char  mail[] =
        "From: Alice <alice@example.com>\r\n"
        "To: ALICE@example.com, bob@elsewhere.org\r\n"
        "Subject: local\r\n\r\nx\r\n";

    exs_bin_t            out;
    exs_msg_t           *m, *m2;
    exs_rcpt_t          *r;
    const char          *name, *type, *addr;
    const exs_bin_t     *e;
    exs_oxcmail_opts_t   o;

    memset(&o, 0, sizeof(o));
    o.namemap = nm;
    o.lookup = lookup;

    ok(exs_oxcmail_import(mail, sizeof(mail) - 1, &o, &m, NULL, a)
       == EXS_OK, "import with a directory");

    is_str(mt_str(&m->props, PR_SENT_REPRESENTING_ADDRTYPE), "EX",
           "a local sender is an EX address");
    ok(strstr(mt_str(&m->props, PR_SENT_REPRESENTING_EMAIL_ADDRESS),
              "/cn=alice") != NULL, "its legacyExchangeDN");
    is_str(mt_str(&m->props, PR_SENT_REPRESENTING_NAME), "Alice Local",
           "the directory's display name");
    is_str(mt_str(&m->props, PR_SENT_REPRESENTING_SMTP_ADDRESS),
           "alice@example.com", "PR_SENT_REPRESENTING_SMTP_ADDRESS stays");
    e = mt_bin(&m->props, PR_SENT_REPRESENTING_ENTRYID);
    ok(e && exs_oxcmail_parse_entryid(e->data, e->len, &name, &type, &addr,
                                      a) == EXS_OK
       && strcmp(type, "EX") == 0 && strstr(addr, "/cn=alice"),
       "an address book entry id carrying the DN");
    ok(memcmp(mt_bin(&m->props, PR_SENT_REPRESENTING_SEARCH_KEY)->data,
              "EX:/O=EXAMPLE/", 14) == 0, "search key EX:DN, upper case");

    r = rcpt(m, "alice@example.com");
    is_str(r ? mt_str(&r->props, PR_ADDRTYPE) : NULL, "EX",
           "a local recipient (any case) is EX too");
    r = rcpt(m, "bob@elsewhere.org");
    is_str(r ? mt_str(&r->props, PR_ADDRTYPE) : NULL, "SMTP",
           "a remote one is SMTP");

    /* the SMTP address goes: export must ask the directory */
    (void) exs_props_del(&m->props, PR_SENT_REPRESENTING_SMTP_ADDRESS);
    (void) exs_props_del(&m->props, PR_SENDER_SMTP_ADDRESS);
    (void) exs_props_del(&m->rcpts[0].props, PR_SMTP_ADDRESS);

    ok(exs_oxcmail_export(m, &o, &out, a) == EXS_OK
       && has_header_line((char *) out.data, "From: Alice Local "
                                             "<alice@example.com>")
       && has_header_line((char *) out.data, "To: Alice Local "
                                             "<alice@example.com>"),
       "export finds the SMTP address of EX addresses by their DN");

    o.lookup = NULL;
    m2 = mt_import((char *) out.data, out.len, nm, NULL, a);
    is_str(m2 ? mt_str(&m2->props, PR_SENT_REPRESENTING_ADDRTYPE) : NULL,
           "SMTP", "without a directory, nothing is local");
}


static void
test_subject_prefix(void)
{
    is_int(exs_oxcmail_subject_prefix("Re: x", 5), 4, "\"Re: \"");
    is_int(exs_oxcmail_subject_prefix("AW: x", 5), 4, "\"AW: \"");
    is_int(exs_oxcmail_subject_prefix("Fwd: x", 6), 5, "\"Fwd: \"");
    is_int(exs_oxcmail_subject_prefix("\xc3\x84W: x", 6), 5,
           "non-ASCII letters count as one character each");
    is_int(exs_oxcmail_subject_prefix("Antw: x", 7), 0,
           "four letters are no prefix");
    is_int(exs_oxcmail_subject_prefix("Re:x", 4), 0, "a colon needs a "
           "space");
    is_int(exs_oxcmail_subject_prefix("R2: x", 5), 0, "digits are no "
           "prefix characters");
    is_int(exs_oxcmail_subject_prefix(": x", 3), 0, "nothing before the "
           "colon");
}


static void
test_export_safety(void)
{
    exs_bin_t    eid;
    exs_msg_t   *m;
    exs_rcpt_t  *r;
    const char  *e1, *e2, *b1, *b2;

    m = load("t/unit/oxcmail/header-injection-subject.eml", NULL);
    if (m == NULL) {
        ok(0, "load");
        return;
    }

    exs_props_set_str(a, &m->props, PR_SUBJECT,
                      "hi\r\nBcc: evil@example.com", 26);
    exs_props_set_str(a, &m->props, PR_INTERNET_MESSAGE_ID,
                      "<a@b>\r\nX-Evil: 1", 16);

    r = exs_msg_add_rcpt(a, m);
    exs_oxcmail_oneoff_entryid("Eve\r\nX-Evil: 2", "SMTP",
                               "eve@example.com\r\nX-Evil: 3", &eid, a);
    exs_props_set_bin(a, &r->props, PR_ENTRYID, eid.data, eid.len);
    exs_props_set_long(a, &r->props, PR_RECIPIENT_TYPE, EXS_MAPI_TO);

    e1 = mt_export(m, nm, 0, NULL, a);
    ok(e1 && !has_header_line(e1, "Bcc:") && !has_header_line(e1, "X-Evil"),
       "CR and LF in properties and entry ids cannot start a header of "
       "their own");

    /* the boundary follows the content, and only the content */

    exs_props_set_str(a, &m->props, PR_BODY, "one", 3);
    exs_msg_add_attach(a, m);
    exs_props_set_bin(a, &m->atts[0].props, PR_ATTACH_DATA_BIN, "zz", 2);
    exs_props_set_bool(a, &m->atts[0].props, PR_ATTACHMENT_HIDDEN, 0);

    e1 = mt_export(m, nm, 0, NULL, a);
    e2 = mt_export(m, nm, 0, NULL, a);
    b1 = e1 ? strstr(e1, "boundary=") : NULL;
    b2 = e2 ? strstr(e2, "boundary=") : NULL;
    ok(b1 && b2 && strncmp(b1, b2, 60) == 0 && strcmp(e1, e2) == 0,
       "the same message gives the same bytes, boundary included");

    exs_props_set_str(a, &m->props, PR_BODY, "two", 3);
    e2 = mt_export(m, nm, 0, NULL, a);
    b2 = e2 ? strstr(e2, "boundary=") : NULL;
    ok(b1 && b2 && strncmp(b1, b2, 50) != 0,
       "another content, another boundary");
}


static void
test_delivery(void)
{
    exs_msg_t           *m;
    exs_oxcmail_addr_t   me;

    m = load("t/unit/oxcmail/inline-related.eml", NULL);
    memset(&me, 0, sizeof(me));
    me.smtp = "frank@example.com";
    me.display_name = "Frank";

    ok(m && exs_oxcmail_set_received(a, m, &me) == EXS_OK,
       "delivery to a Cc recipient");
    is_str(m ? mt_str(&m->props, PR_RECEIVED_BY_SMTP_ADDRESS) : NULL,
           "frank@example.com", "PR_RECEIVED_BY_SMTP_ADDRESS");
    is_str(m ? mt_str(&m->props, PR_RCVD_REPRESENTING_NAME) : NULL,
           "Frank", "PR_RCVD_REPRESENTING_NAME");
    ok(m && !mt_bool(&m->props, PR_MESSAGE_TO_ME)
       && mt_bool(&m->props, PR_MESSAGE_CC_ME)
       && mt_bool(&m->props, PR_MESSAGE_RECIP_ME),
       "PR_MESSAGE_CC_ME and _RECIP_ME, not _TO_ME");
}


static void
test_depth(void)
{
    int                  i;
    exs_buf_t            b = { 0 };
    exs_msg_t           *m, *e;
    unsigned             d;
    exs_oxcmail_info_t   info;

    /* 30 messages, each attached to the one before */
    for (i = 0; i < 30; i++) {
        static const char  level[] = "Subject: level\r\n"
            "MIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n";

        exs_buf_add(&b, level, sizeof(level) - 1);
    }

    exs_buf_add(&b, "Subject: bottom\r\n\r\nthe end\r\n", 28);
    exs_buf_addc(&b, '\0');

    m = mt_import((char *) b.data, b.len - 1, nm, &info, a);
    exs_buf_free(&b);

    ok(m != NULL, "30 nested message/rfc822 convert");
    ok(info.lossy & EXS_OXCMAIL_LOST_DEPTH, "past the cap, lossy");

    for (d = 0, e = m; e && e->natts && e->atts[0].embedded; d++) {
        e = e->atts[0].embedded;
    }

    is_int(d, 16, "embedded messages down to the cap (16)");
    ok(e && e->natts == 1
       && strcmp(mt_str(&e->atts[0].props, PR_ATTACH_MIME_TAG),
                 "message/rfc822") == 0
       && memmem(mt_bin(&e->atts[0].props, PR_ATTACH_DATA_BIN)->data,
                 mt_bin(&e->atts[0].props, PR_ATTACH_DATA_BIN)->len,
                 "the end", 7) != NULL,
       "below it, the rest is one message/rfc822 attachment, by value");
}


static void
test_tnef_in_mime(void)
{
    uint32_t     i;
    exs_msg_t   *m;
    const char  *s;
    int          tnef, kitten;

    m = load("t/corpus/mail/mimekit-rich-text.eml", NULL);

    tnef = 0;
    kitten = 0;

    for (i = 0; m && i < m->natts; i++) {
        s = mt_str(&m->atts[i].props, PR_ATTACH_LONG_FILENAME);
        tnef += s && strcasecmp(s, "winmail.dat") == 0;
        kitten += s && strcmp(s, "kitten-playing-with-a-christmas-tree.jpg")
                       == 0;
    }

    ok(m && tnef == 0, "winmail.dat is unpacked, not kept");
    ok(kitten == 1, "its attachments are the message's");
    ok(m && exs_props_get(&m->props, PR_RTF_COMPRESSED) != NULL,
       "its properties (PR_RTF_COMPRESSED) are the message's");
    is_str(m ? mt_str(&m->props, PR_SENT_REPRESENTING_SMTP_ADDRESS) : NULL,
           "jestedfa@microsoft.com", "the MIME From stays the sender");
}


static void
test_html_to_text(void)
{
    size_t       n;
    const char  *t;

    t = exs_oxcmail_html_to_text("<p>a</p><p>b</p>", 16, &n, a);
    is_str(t, "a\r\n\r\nb\r\n", "paragraphs are separated by a blank line");
    t = exs_oxcmail_html_to_text("x &lt;y&gt; &bogus; &#0; &", 26, &n, a);
    is_str(t, "x <y> &bogus; &\r\n", "odd references stay as text");
    t = exs_oxcmail_html_to_text("<pre>a\n  b</pre>c   d", 21, &n, a);
    is_str(t, "a\r\n  b\r\n\r\nc d\r\n", "<pre> keeps its spaces");
    t = exs_oxcmail_html_to_text("<a href=\"x>y\">link</a><", 23, &n, a);
    is_str(t, "link<\r\n", "a '>' in a quoted attribute, a '<' at the end");
    t = exs_oxcmail_html_to_text("<script>never ends", 18, &n, a);
    is_str(t, "", "an unclosed script hides the rest");
    t = exs_oxcmail_html_to_text("", 0, &n, a);
    is_str(t, "", "nothing gives nothing");
}


/* legacy TNEF out: what MIME has no header for travels in winmail.dat */

static void
test_tnef_out(void)
{
    uint16_t       lid;
    exs_msg_t     *m, *m2;
    const char    *mime;
    exs_prop_t    *p;
    exs_propname_t pn;

    m = load("t/unit/oxcmail/inline-related.eml", NULL);
    if (m == NULL) {
        ok(0, "load");
        return;
    }

    /* a task with a PSETID_TASK property (PidLidTaskDueDate) */
    exs_oxcmail_set_str(a, &m->props, PR_MESSAGE_CLASS, "IPM.Task");
    memset(&pn, 0, sizeof(pn));
    memcpy(pn.guid, PSETID_TASK, 16);
    pn.kind = MNID_ID;
    pn.lid = 0x8105;
    nm->get_id(nm, &pn, 1, &lid);
    exs_props_set_i8(a, &m->props, PROP_TAG(PT_SYSTIME, lid),
                     exs_filetime_from_unix(1700000000));
    exs_props_set_bin(a, &m->props, PR_TNEF_CORRELATION_KEY, "<c@x>", 6);

    mime = mt_export(m, nm, EXS_OXCMAIL_TNEF, NULL, a);

    ok(mime && strstr(mime, "Content-Type: application/ms-tnef") != NULL
       && strstr(mime, "filename=winmail.dat") != NULL,
       "EXS_OXCMAIL_TNEF adds winmail.dat");
    ok(mime && strstr(mime, "Content-Type: image/png") == NULL,
       "the attachments travel inside it");
    ok(mime && has_header_line(mime, "X-MS-TNEF-Correlator: <c@x>"),
       "with X-MS-TNEF-Correlator");

    m2 = mime ? mt_import(mime, strlen(mime), nm, NULL, a) : NULL;

    is_str(m2 ? mt_str(&m2->props, PR_MESSAGE_CLASS) : NULL, "IPM.Task",
           "read back: the message class came through TNEF");
    p = m2 ? exs_props_get(&m2->props, PROP_TAG(PT_SYSTIME, lid)) : NULL;
    ok(p && exs_filetime_to_unix(p->v.ll) == 1700000000,
       "and the named property PidLidTaskDueDate");
    ok(attach_named(m2, "logo.png") && attach_named(m2, "data.csv"),
       "and the attachments");
    is_str(m2 ? mt_str(&m2->props, PR_BODY) : NULL, "Logo below.",
           "the MIME body is still the body");
}


/*
 * A message as Outlook saves it through MAPI, never MIME: EX addresses
 * without SMTP ones, HTML and plain bodies, an inline image, a document
 * without a MIME type, an embedded message.
 */

static void
test_outlook_made(void)
{
    size_t               len;
    exs_bin_t            eid, out;
    exs_msg_t           *m, *inner, *m2;
    exs_rcpt_t          *r;
    const char          *ct, *mime;
    exs_attach_t        *at;
    exs_oxcmail_opts_t   o;

    static const char  *dn = "/o=Example/ou=Exchange Administrative Group "
                             "(FYDIBOHF23SPDLT)/cn=Recipients/cn=alice";
    static const char  *html = "<p>Hello <img src=\"cid:img1\"></p>";

    m = exs_msg_create(a);
    exs_oxcmail_set_str(a, &m->props, PR_MESSAGE_CLASS, "IPM.Note");
    exs_oxcmail_set_str(a, &m->props, PR_SUBJECT, "Quarterly \xe2\x82\xac "
                        "figures");
    exs_props_set_i8(a, &m->props, PR_CLIENT_SUBMIT_TIME,
                     exs_filetime_from_unix(1704067200));
    exs_oxcmail_set_str(a, &m->props, PR_SENDER_NAME, "Alice");
    exs_oxcmail_set_str(a, &m->props, PR_SENDER_ADDRTYPE, "EX");
    exs_oxcmail_set_str(a, &m->props, PR_SENDER_EMAIL_ADDRESS, dn);
    exs_oxcmail_ab_entryid(dn, 0, &eid, a);
    exs_props_set_bin(a, &m->props, PR_SENT_REPRESENTING_ENTRYID, eid.data,
                      eid.len);
    exs_oxcmail_set_str(a, &m->props, PR_BODY, "Hello\r\nWorld\r\n");
    exs_props_set_bin(a, &m->props, PR_HTML, html, strlen(html));
    exs_props_set_long(a, &m->props, PR_INTERNET_CPID, 65001);
    exs_props_set_long(a, &m->props, PR_IMPORTANCE, 0);

    r = exs_msg_add_rcpt(a, m);
    exs_oxcmail_set_str(a, &r->props, PR_DISPLAY_NAME, "Alice");
    exs_oxcmail_set_str(a, &r->props, PR_ADDRTYPE, "EX");
    exs_oxcmail_set_str(a, &r->props, PR_EMAIL_ADDRESS, dn);
    exs_props_set_long(a, &r->props, PR_RECIPIENT_TYPE, EXS_MAPI_TO);

    r = exs_msg_add_rcpt(a, m);
    exs_oxcmail_oneoff_entryid("Bob", "SMTP", "bob@elsewhere.org", &eid, a);
    exs_props_set_bin(a, &r->props, PR_ENTRYID, eid.data, eid.len);
    exs_props_set_long(a, &r->props, PR_RECIPIENT_TYPE, EXS_MAPI_CC);

    at = exs_msg_add_attach(a, m);
    exs_props_set_long(a, &at->props, PR_ATTACH_METHOD, 1);
    exs_oxcmail_set_str(a, &at->props, PR_ATTACH_LONG_FILENAME, "img.png");
    exs_oxcmail_set_str(a, &at->props, PR_ATTACH_CONTENT_ID, "img1");
    exs_props_set_bool(a, &at->props, PR_ATTACHMENT_HIDDEN, 1);
    exs_props_set_bin(a, &at->props, PR_ATTACH_DATA_BIN, "\x89PNG", 4);

    at = exs_msg_add_attach(a, m);
    exs_props_set_long(a, &at->props, PR_ATTACH_METHOD, 1);
    exs_oxcmail_set_str(a, &at->props, PR_ATTACH_LONG_FILENAME,
                        "Report Q1.docx");
    exs_props_set_bin(a, &at->props, PR_ATTACH_DATA_BIN, "PK\x03\x04", 4);

    inner = exs_msg_create(a);
    exs_oxcmail_set_str(a, &inner->props, PR_SUBJECT, "Forwarded");
    exs_oxcmail_set_str(a, &inner->props, PR_BODY, "Inner text");
    exs_oxcmail_set_str(a, &inner->props, PR_SENDER_SMTP_ADDRESS,
                        "carol@example.net");
    at = exs_msg_add_attach(a, m);
    exs_props_set_long(a, &at->props, PR_ATTACH_METHOD, 5);
    at->embedded = inner;

    memset(&o, 0, sizeof(o));
    o.namemap = nm;
    o.lookup = lookup;

    ok(exs_oxcmail_export(m, &o, &out, a) == EXS_OK, "an Outlook-made "
       "message exports");
    mime = (const char *) out.data;
    len = out.len;

    ok(has_header_line(mime, "From: Alice Local <alice@example.com>"),
       "the EX sender through the directory");
    ok(has_header_line(mime, "To: Alice <alice@example.com>"),
       "an EX recipient through the directory, under its own name");
    ok(has_header_line(mime, "Cc: Bob <bob@elsewhere.org>"),
       "a recipient known by its one-off entry id only");
    ok(has_header_line(mime, "Subject: Quarterly =?UTF-8?B?4oKs?= figures"),
       "a subject with one non-ASCII word: only that word is encoded");
    ok(has_header_line(mime, "Importance: low"), "Importance: low");
    ok(has_header_line(mime, "Date: Mon, 01 Jan 2024 00:00:00 +0000"),
       "Date from PR_CLIENT_SUBMIT_TIME");

    ct = strstr(mime, "multipart/mixed");
    ct = ct ? strstr(ct, "multipart/alternative") : NULL;
    ct = ct ? strstr(ct, "multipart/related") : NULL;
    ok(ct && strstr(ct, "Content-Id: <img1>"), "mixed > alternative > "
       "related, the image in it");
    ok(strstr(mime, "Content-Type: application/vnd.openxmlformats-"
                    "officedocument.wordprocessingml.document") != NULL,
       "no PR_ATTACH_MIME_TAG: the type from the extension");
    ok(strstr(mime, "Content-Type: message/rfc822") != NULL
       && strstr(mime, "Subject: Forwarded") != NULL,
       "the embedded message as message/rfc822");

    o.lookup = NULL;
    ok(exs_oxcmail_import(mime, len, &o, &m2, NULL, a) == EXS_OK,
       "and it reads back");
    is_int(m2 ? m2->natts : 0, 3, "three attachments");
    is_str(m2 ? mt_str(&m2->props, PR_BODY) : NULL, "Hello\r\nWorld\r\n",
           "the plain body");
    ok(m2 && m2->natts == 3 && m2->atts[2].embedded
       && strncmp(mt_str(&m2->atts[2].embedded->props, PR_BODY),
                  "Inner text", 10) == 0, "the embedded message's body");

    memset(&o, 0, sizeof(o));
    o.namemap = nm;
    o.flags = EXS_OXCMAIL_LF;
    ok(exs_oxcmail_export(m, &o, &out, a) == EXS_OK
       && memchr(out.data, '\r', out.len) == NULL,
       "EXS_OXCMAIL_LF: no CR anywhere");
}
