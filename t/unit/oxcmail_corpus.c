
/*
 * Every message of t/corpus/mail through the MIME converter:
 *
 *   - MIME -> MAPI finds what is there: GMime, read independently here,
 *     says what the subject, the From and recipient addresses, the named
 *     attachments (and their decoded bytes) and a plain body are;
 *   - MAPI -> MIME -> MAPI keeps the subject, the text and HTML bodies,
 *     the addresses, the attachments (names, types, bytes, inline state)
 *     and the embedded messages, recursively;
 *   - MAPI -> MIME gives the same bytes every time.
 */


#include <dirent.h>
#include <gmime/gmime.h>

#include <tap.h>
#include "mailtest.h"
#include <exs_oxcmail_int.h>


#define WHY_LEN  512


static int found(GMimeMessage *gm, exs_msg_t *msg, char *why);
static int found_subject(GMimeMessage *gm, exs_msg_t *msg, char *why);
static const char *fname(const exs_props_t *bag);
static int found_attachments(GMimeObject *o, exs_msg_t *msg, char *why,
    unsigned level);
static int same_msg(exs_msg_t *a, exs_msg_t *b, unsigned depth, char *why);
static int same_str(const exs_props_t *a, const exs_props_t *b,
    uint32_t tag, int ci);
static int has_addr(exs_msg_t *msg, const char *addr, int type);


static exs_namemap_t  *nm;
static exs_arena_t    *a_fix;


int
main(void)
{
    int                  n, i, ok1, ok2;
    char                 path[4096], why[WHY_LEN];
    size_t               len, l1 = 0, l2 = 0, l3 = 0;
    uint8_t             *data;
    exs_msg_t           *m1, *m2;
    const char          *top, *e1, *e2, *e3;
    exs_arena_t         *a;
    GMimeParser         *parser;
    GMimeStream         *stream;
    GMimeMessage        *gm;
    struct dirent      **names;
    exs_oxcmail_info_t   info;

    exs_mime_init();
    top = mt_top();

    if (snprintf(path, sizeof(path), "%s/t/corpus/mail", top)
        >= (int) sizeof(path))
    {
        return 1;
    }

    n = scandir(path, &names, NULL, alphasort);
    ok(n > 300, "the corpus is there (%d files)", n);

    for (i = 0; i < n; i++) {
        len = strlen(names[i]->d_name);

        if (len < 5 || strcmp(names[i]->d_name + len - 4, ".eml") != 0) {
            free(names[i]);
            continue;
        }

        if (snprintf(path, sizeof(path), "%s/t/corpus/mail/%s", top,
                     names[i]->d_name) >= (int) sizeof(path))
        {
            free(names[i]);
            continue;
        }

        data = mt_slurp(path, &len);
        a = exs_arena_create(0);
        nm = exs_namemap_mem_create(a);
        a_fix = a;

        m1 = data ? mt_import((char *) data, len, nm, &info, a) : NULL;

        if (!ok(m1 != NULL, "%s: imports", names[i]->d_name)) {
            free(data);
            exs_arena_destroy(a);
            free(names[i]);
            continue;
        }

        /* what GMime, read on its own, says is there */

        stream = g_mime_stream_mem_new_with_buffer((char *) data, len);
        parser = g_mime_parser_new_with_stream(stream);
        gm = g_mime_parser_construct_message(parser, NULL);

        why[0] = '\0';
        ok1 = gm == NULL || found(gm, m1, why);
        ok(ok1, "%s: finds subject, addresses, attachments, body%s%s",
           names[i]->d_name, why[0] ? ": " : "", why);

        if (gm) {
            g_object_unref(gm);
        }

        g_object_unref(parser);
        g_object_unref(stream);

        /* and back */

        e1 = mt_export(m1, nm, EXS_OXCMAIL_FOR_READ, &l1, a);
        e2 = mt_export(m1, nm, EXS_OXCMAIL_FOR_READ, &l2, a);

        ok(e1 && e2 && l1 == l2 && memcmp(e1, e2, l1) == 0,
           "%s: exports the same bytes twice", names[i]->d_name);

        m2 = e1 ? mt_import(e1, l1, nm, NULL, a) : NULL;

        why[0] = '\0';
        ok2 = m2 && same_msg(m1, m2, 0, why);
        ok(ok2, "%s: round trip keeps bodies, addresses, attachments%s%s",
           names[i]->d_name, why[0] ? ": " : "", why);

        /* the second trip changes nothing more: a fixed point */
        e3 = m2 ? mt_export(m2, nm, EXS_OXCMAIL_FOR_READ, &l3, a) : NULL;
        e2 = e3 ? (const char *) mt_import(e3, l3, nm, NULL, a) : NULL;

        why[0] = '\0';
        ok(e2 && same_msg(m2, (exs_msg_t *) e2, 0, why),
           "%s: a second round trip is stable%s%s", names[i]->d_name,
           why[0] ? ": " : "", why);

        free(data);
        exs_arena_destroy(a);
        free(names[i]);
    }

    free(names);
    exs_mime_shutdown();

    return done_testing();
}


static char *
trimmed(const char *s)
{
    char    *d;
    size_t   n;

    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
        s++;
    }

    d = strdup(s);
    n = strlen(d);

    while (n && (d[n - 1] == ' ' || d[n - 1] == '\t' || d[n - 1] == '\r'
                 || d[n - 1] == '\n'))
    {
        d[--n] = '\0';
    }

    return d;
}


static int
has_addr(exs_msg_t *msg, const char *addr, int type)
{
    uint32_t     i;
    const char  *s;

    for (i = 0; i < msg->nrcpts; i++) {
        s = mt_str(&msg->rcpts[i].props, PR_SMTP_ADDRESS);

        if (s && strcasecmp(s, addr) == 0
            && mt_long(&msg->rcpts[i].props, PR_RECIPIENT_TYPE, -1) == type)
        {
            return 1;
        }
    }

    return 0;
}


static int
found_list(InternetAddressList *list, exs_msg_t *msg, int type, char *why,
    unsigned level)
{
    int               i, n;
    char             *addr;
    const char       *s;
    InternetAddress  *ia;

    if (list == NULL || level > 4) {
        return 1;
    }

    n = internet_address_list_length(list);

    for (i = 0; i < n; i++) {
        ia = internet_address_list_get_address(list, i);

        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            if (!found_list(internet_address_group_get_members(
                                INTERNET_ADDRESS_GROUP(ia)), msg, type, why,
                            level + 1))
            {
                return 0;
            }

            continue;
        }

        s = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
        if (s == NULL || *s == '\0') {
            continue;
        }

        addr = trimmed(s);

        if (!has_addr(msg, addr, type)) {
            snprintf(why, WHY_LEN, "recipient %s (type %d) missing", addr,
                     type);
            free(addr);
            return 0;
        }

        free(addr);
    }

    return 1;
}


/*
 * The subject is one of the Subject headers as GMime decodes it, or
 * starts with it: GMime 3.2.13 cuts runs of padded encoded words short
 * (jstedfast/gmime#133), which the converter works around.
 */

static int
found_subject(GMimeMessage *gm, exs_msg_t *msg, char *why)
{
    int               i, n, any, good, k;
    char             *t, *d, *u;
    const char       *ours;
    GMimeHeader      *h;
    GMimeHeaderList  *hl;

    ours = mt_str(&msg->props, PR_SUBJECT);
    hl = g_mime_object_get_header_list(GMIME_OBJECT(gm));
    n = g_mime_header_list_get_count(hl);
    any = 0;
    good = 0;

    for (i = 0; i < n && !good; i++) {
        h = g_mime_header_list_get_header_at(hl, i);

        if (strcasecmp(g_mime_header_get_name(h), "Subject") != 0) {
            continue;
        }

        u = g_mime_utils_header_unfold(g_mime_header_get_raw_value(h));
        d = g_mime_utils_header_decode_text(NULL,
                exs_oxcmail_fix_ew(a_fix, u));

        for (k = 0; d[k]; k++) {
            d[k] = (unsigned char) d[k] < 0x20 || d[k] == 0x7F ? ' ' : d[k];
        }

        t = trimmed(d);
        g_free(d);
        g_free(u);

        if (!g_utf8_validate(t, -1, NULL)) {
            free(t);
            continue;
        }

        any = 1;
        good = ours && strncmp(ours, t, strlen(t)) == 0;

        if (!good) {
            snprintf(why, WHY_LEN, "subject '%s' != '%s'", t, ours);
        }

        free(t);
    }

    if (any && !good) {
        return 0;
    }

    why[0] = '\0';

    return 1;
}


static int
found(GMimeMessage *gm, exs_msg_t *msg, char *why)
{
    int                   i, n;
    char                 *t;
    const char           *s, *cls, *body;
    GMimeObject          *root;
    GByteArray           *ba;
    GMimeStream          *st;
    InternetAddress      *ia;
    InternetAddressList  *from;

    if (!found_subject(gm, msg, why)) {
        return 0;
    }

    from = g_mime_message_get_from(gm);
    n = from ? internet_address_list_length(from) : 0;

    for (i = 0; i < n; i++) {
        ia = internet_address_list_get_address(from, i);

        if (!INTERNET_ADDRESS_IS_MAILBOX(ia)) {
            continue;
        }

        s = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
        if (s == NULL || *s == '\0') {
            continue;
        }

        t = trimmed(s);

        if (mt_str(&msg->props, PR_SENT_REPRESENTING_SMTP_ADDRESS) == NULL
            || strcasecmp(t, mt_str(&msg->props,
                                    PR_SENT_REPRESENTING_SMTP_ADDRESS)))
        {
            snprintf(why, WHY_LEN, "from '%s' != '%s'", t,
                     mt_str(&msg->props, PR_SENT_REPRESENTING_SMTP_ADDRESS));
            free(t);
            return 0;
        }

        free(t);
        break;
    }

    if (!found_list(g_mime_message_get_to(gm), msg, 1, why, 0)
        || !found_list(g_mime_message_get_cc(gm), msg, 2, why, 0)
        || !found_list(g_mime_message_get_bcc(gm), msg, 3, why, 0))
    {
        return 0;
    }

    root = g_mime_message_get_mime_part(gm);
    cls = mt_str(&msg->props, PR_MESSAGE_CLASS);

    if (root == NULL || cls == NULL) {
        return cls != NULL;
    }

    /* S/MIME keeps its content in one attachment, MS-OXOSMIME */
    if (strncasecmp(cls, "IPM.Note.SMIME", 14) == 0) {
        if (msg->natts < 1
            || mt_bin(&msg->atts[0].props, PR_ATTACH_DATA_BIN) == NULL)
        {
            snprintf(why, WHY_LEN, "S/MIME without its attachment");
            return 0;
        }

        return 1;
    }

    if (!found_attachments(root, msg, why, 0)) {
        return 0;
    }

    /* a single plain text part in UTF-8 or ASCII is PR_BODY as it is */

    if (GMIME_IS_TEXT_PART(root)
        && g_mime_content_type_is_type(g_mime_object_get_content_type(root),
                                       "text", "plain")
        && g_mime_part_get_filename(GMIME_PART(root)) == NULL
        && (g_mime_object_get_content_disposition(root) == NULL
            || !g_mime_content_disposition_is_attachment(
                   g_mime_object_get_content_disposition(root))))
    {
        s = g_mime_object_get_content_type_parameter(root, "charset");

        if (s == NULL || strcasecmp(s, "utf-8") == 0
            || strcasecmp(s, "us-ascii") == 0)
        {
            st = g_mime_stream_mem_new();
            g_mime_data_wrapper_write_to_stream(
                g_mime_part_get_content(GMIME_PART(root)), st);
            ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(st));
            body = mt_str(&msg->props, PR_BODY);

            if (ba->len
                && g_utf8_validate((char *) ba->data, ba->len, NULL)
                && memchr(ba->data, 0, ba->len) == NULL
                && (body == NULL || !mt_text_eq((char *) ba->data, ba->len,
                                                body, strlen(body))))
            {
                snprintf(why, WHY_LEN, "PR_BODY differs from the text part");
                g_object_unref(st);
                return 0;
            }

            g_object_unref(st);
        }
    }

    return 1;
}


/* every named leaf part (not in an embedded message) is an attachment */

static int
found_attachments(GMimeObject *o, exs_msg_t *msg, char *why,
    unsigned level)
{
    int           i, n;
    char         *fn;
    uint32_t      k;
    GByteArray   *ba;
    GMimeStream  *st;
    const char   *name, *s;
    const exs_bin_t  *d;

    if (level > 100) {
        return 1;
    }

    if (GMIME_IS_MULTIPART(o)) {
        n = g_mime_multipart_get_count(GMIME_MULTIPART(o));

        for (i = 0; i < n; i++) {
            if (!found_attachments(g_mime_multipart_get_part(
                                       GMIME_MULTIPART(o), i), msg, why,
                                   level + 1))
            {
                return 0;
            }
        }

        return 1;
    }

    if (!GMIME_IS_PART(o) || GMIME_IS_MESSAGE_PARTIAL(o)) {
        return 1;
    }

    if (g_mime_content_type_is_type(g_mime_object_get_content_type(o),
                                    "application", "ms-tnef")
        || g_mime_content_type_is_type(g_mime_object_get_content_type(o),
                                       "application", "vnd.ms-tnef"))
    {
        return 1;
    }

    s = g_mime_part_get_filename(GMIME_PART(o));
    if (s == NULL) {
        return 1;
    }

    fn = trimmed(s);

    for (k = 0; fn[k]; k++) {
        if ((unsigned char) fn[k] < 0x20 || fn[k] == 0x7F) {
            fn[k] = ' ';
        }
    }

    if (*fn == '\0' || !g_utf8_validate(fn, -1, NULL)) {
        free(fn);
        return 1;
    }

    st = g_mime_stream_mem_new();
    if (g_mime_part_get_content(GMIME_PART(o))) {
        g_mime_data_wrapper_write_to_stream(
            g_mime_part_get_content(GMIME_PART(o)), st);
    }

    ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(st));

    for (k = 0; k < msg->natts; k++) {
        name = mt_str(&msg->atts[k].props, PR_ATTACH_LONG_FILENAME);
        d = mt_bin(&msg->atts[k].props, PR_ATTACH_DATA_BIN);

        if (name && strncmp(name, fn, strlen(fn)) == 0 && d
            && d->len == ba->len
            && (d->len == 0 || memcmp(d->data, ba->data, d->len) == 0))
        {
            break;
        }
    }

    if (k == msg->natts) {
        snprintf(why, WHY_LEN, "attachment '%s' (%u bytes) not found", fn,
                 ba->len);
        free(fn);
        g_object_unref(st);
        return 0;
    }

    free(fn);
    g_object_unref(st);

    return 1;
}


static int
same_str(const exs_props_t *a, const exs_props_t *b, uint32_t tag, int ci)
{
    const char  *x, *y;

    x = mt_str(a, tag);
    y = mt_str(b, tag);

    if (x == NULL || *x == '\0') {
        return y == NULL || *y == '\0';
    }

    if (y == NULL) {
        return 0;
    }

    return ci ? strcasecmp(x, y) == 0 : strcmp(x, y) == 0;
}


static int
same_bytes(const exs_bin_t *x, const exs_bin_t *y, int text)
{
    if (x == NULL || y == NULL) {
        return (x == NULL || x->len == 0) && (y == NULL || y->len == 0);
    }

    if (text) {
        return mt_text_eq((const char *) x->data, x->len,
                          (const char *) y->data, y->len);
    }

    return x->len == y->len && memcmp(x->data, y->data, x->len) == 0;
}


/* the name an attachment goes by: the long one, else the 8.3 one */

static const char *
fname(const exs_props_t *bag)
{
    const char  *s;

    s = mt_str(bag, PR_ATTACH_LONG_FILENAME);

    return s && *s ? s : mt_str(bag, PR_ATTACH_FILENAME);
}


static int
same_attachment(exs_attach_t *x, exs_attach_t *y)
{
    const char  *tag;

    if ((x->embedded == NULL) != (y->embedded == NULL)) {
        return 0;
    }

    if (x->embedded) {
        return same_str(&x->embedded->props, &y->embedded->props,
                        PR_SUBJECT, 0);
    }

    if ((fname(&x->props) == NULL) != (fname(&y->props) == NULL)
        || (fname(&x->props) && strcmp(fname(&x->props),
                                       fname(&y->props)) != 0))
    {
        return 0;
    }

    tag = mt_str(&x->props, PR_ATTACH_MIME_TAG);

    return same_bytes(mt_bin(&x->props, PR_ATTACH_DATA_BIN),
                      mt_bin(&y->props, PR_ATTACH_DATA_BIN),
                      tag && (strncasecmp(tag, "message/", 8) == 0
                              || strncasecmp(tag, "multipart/", 10) == 0));
}


static int
same_msg(exs_msg_t *a, exs_msg_t *b, unsigned depth, char *why)
{
    uint32_t       i, k, kw;
    uint8_t       *used;
    exs_prop_t    *p, *q;
    const char    *cls, *x, *y;
    static const uint32_t  strs[] = {
        PR_SUBJECT, PR_INTERNET_MESSAGE_ID, PR_IN_REPLY_TO_ID,
        PR_INTERNET_REFERENCES, PR_SENT_REPRESENTING_SMTP_ADDRESS,
        PR_SENDER_SMTP_ADDRESS, PR_SENT_REPRESENTING_NAME,
        PR_REPLY_RECIPIENT_NAMES, 0
    };

    for (i = 0; strs[i]; i++) {
        /* an EX sender without an SMTP address has no From to write */
        if (strs[i] == PR_SENT_REPRESENTING_NAME
            && mt_str(&a->props, PR_SENT_REPRESENTING_SMTP_ADDRESS) == NULL)
        {
            continue;
        }

        if (!same_str(&a->props, &b->props, strs[i],
                      strs[i] == PR_SENT_REPRESENTING_SMTP_ADDRESS
                      || strs[i] == PR_SENDER_SMTP_ADDRESS))
        {
            snprintf(why, WHY_LEN, "depth %u: property %08X '%s' != '%s'",
                     depth, strs[i], mt_str(&a->props, strs[i]),
                     mt_str(&b->props, strs[i]));
            return 0;
        }
    }

    cls = mt_str(&a->props, PR_MESSAGE_CLASS);

    if (cls && (strcasecmp(cls, "IPM.Note") == 0
                || strncasecmp(cls, "IPM.Note.SMIME", 14) == 0
                || strncasecmp(cls, "REPORT.", 7) == 0)
        && !same_str(&a->props, &b->props, PR_MESSAGE_CLASS, 1))
    {
        snprintf(why, WHY_LEN, "depth %u: class %s != %s", depth, cls,
                 mt_str(&b->props, PR_MESSAGE_CLASS));
        return 0;
    }

    x = mt_str(&a->props, PR_BODY);
    y = mt_str(&b->props, PR_BODY);

    if (!mt_text_eq(x ? x : "", x ? strlen(x) : 0, y ? y : "",
                    y ? strlen(y) : 0))
    {
        snprintf(why, WHY_LEN, "depth %u: PR_BODY differs (%zu, %zu bytes)",
                 depth, x ? strlen(x) : 0, y ? strlen(y) : 0);
        return 0;
    }

    if (!same_bytes(mt_bin(&a->props, PR_HTML), mt_bin(&b->props, PR_HTML),
                    1))
    {
        snprintf(why, WHY_LEN, "depth %u: PR_HTML differs", depth);
        return 0;
    }

    if (mt_long(&a->props, PR_IMPORTANCE, 1)
        != mt_long(&b->props, PR_IMPORTANCE, 1)
        || mt_long(&a->props, PR_SENSITIVITY, 0)
           != mt_long(&b->props, PR_SENSITIVITY, 0))
    {
        snprintf(why, WHY_LEN, "depth %u: importance or sensitivity",
                 depth);
        return 0;
    }

    /* the Date written: the submit time, else the delivery time */
    p = exs_props_get(&a->props, PR_CLIENT_SUBMIT_TIME);
    q = exs_props_get(&b->props, PR_CLIENT_SUBMIT_TIME);

    if (p == NULL) {
        p = exs_props_get(&a->props, PR_MESSAGE_DELIVERY_TIME);
    }

    if (q == NULL) {
        q = exs_props_get(&b->props, PR_MESSAGE_DELIVERY_TIME);
    }

    if ((p == NULL) != (q == NULL)
        || (p && p->v.ll / 10000000 != q->v.ll / 10000000))
    {
        snprintf(why, WHY_LEN, "depth %u: date", depth);
        return 0;
    }

    kw = mt_named(nm, PS_PUBLIC_STRINGS, "Keywords", PT_MV_UNICODE);
    p = kw ? exs_props_get(&a->props, kw) : NULL;
    q = kw ? exs_props_get(&b->props, kw) : NULL;

    if ((p == NULL) != (q == NULL) || (p && exs_prop_cmp(p, q, 0) != 0)) {
        snprintf(why, WHY_LEN, "depth %u: keywords", depth);
        return 0;
    }

    if (a->nrcpts != b->nrcpts) {
        snprintf(why, WHY_LEN, "depth %u: %u recipients, then %u", depth,
                 a->nrcpts, b->nrcpts);
        return 0;
    }

    for (i = 0; i < a->nrcpts; i++) {
        if (!same_str(&a->rcpts[i].props, &b->rcpts[i].props,
                      PR_SMTP_ADDRESS, 1)
            || !same_str(&a->rcpts[i].props, &b->rcpts[i].props,
                         PR_DISPLAY_NAME, 0)
            || mt_long(&a->rcpts[i].props, PR_RECIPIENT_TYPE, 0)
               != mt_long(&b->rcpts[i].props, PR_RECIPIENT_TYPE, 0))
        {
            snprintf(why, WHY_LEN, "depth %u: recipient %u '%s' <%s>, then"
                     " '%s' <%s>", depth, i,
                     mt_str(&a->rcpts[i].props, PR_DISPLAY_NAME),
                     mt_str(&a->rcpts[i].props, PR_SMTP_ADDRESS),
                     mt_str(&b->rcpts[i].props, PR_DISPLAY_NAME),
                     mt_str(&b->rcpts[i].props, PR_SMTP_ADDRESS));
            return 0;
        }
    }

    if (a->natts != b->natts) {
        snprintf(why, WHY_LEN, "depth %u: %u attachments, then %u", depth,
                 a->natts, b->natts);
        return 0;
    }

    used = calloc(b->natts + 1, 1);

    for (i = 0; i < a->natts; i++) {
        for (k = 0; k < b->natts; k++) {
            if (!used[k] && same_attachment(&a->atts[i], &b->atts[k])) {
                break;
            }
        }

        if (k == b->natts) {
            snprintf(why, WHY_LEN, "depth %u: attachment %u ('%s', %s) has"
                     " no twin", depth, i,
                     mt_str(&a->atts[i].props, PR_ATTACH_LONG_FILENAME),
                     mt_str(&a->atts[i].props, PR_ATTACH_MIME_TAG));
            free(used);
            return 0;
        }

        used[k] = 1;

        if (!same_str(&a->atts[i].props, &b->atts[k].props,
                      PR_ATTACH_CONTENT_ID, 0)
            || mt_bool(&a->atts[i].props, PR_ATTACHMENT_HIDDEN)
               != mt_bool(&b->atts[k].props, PR_ATTACHMENT_HIDDEN))
        {
            snprintf(why, WHY_LEN, "depth %u: attachment %u content id or"
                     " hidden state", depth, i);
            free(used);
            return 0;
        }

        if (a->atts[i].embedded
            && !same_msg(a->atts[i].embedded, b->atts[k].embedded,
                         depth + 1, why))
        {
            free(used);
            return 0;
        }
    }

    free(used);

    return 1;
}
