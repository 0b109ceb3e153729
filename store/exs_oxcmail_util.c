
/*
 * exch store: the MIME converter's helpers: GMime set-up, charsets and
 * code pages, entry ids and search keys (MS-OXCDATA), the subject prefix
 * rule (MS-OXCMSG), message ids.
 */


#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gmime/gmime.h>
#include <openssl/rand.h>

#include "exs_oxcmail_int.h"


typedef struct {
    const char               *name;      /* lower case */
    uint32_t                  cpid;
} exs_charset_t;


static void exs_mime_init_once(void);
static const char *exs_charset_sniff(const uint8_t *p, size_t len);
static char *exs_utf8_sanitize(exs_arena_t *a, const uint8_t *p, size_t len,
    size_t *outlen, int *lossy);
static char *exs_cp1252_to_utf8(exs_arena_t *a, const uint8_t *p, size_t len,
    size_t *outlen);


static pthread_once_t  exs_mime_once = PTHREAD_ONCE_INIT;


/* the headers that are string properties, both ways (MS-OXCMAIL 2.2.3.2) */

const exs_oxcmail_header_t  exs_oxcmail_headers[] = {
    { "Message-ID", PR_INTERNET_MESSAGE_ID },
    { "In-Reply-To", PR_IN_REPLY_TO_ID },
    { "References", PR_INTERNET_REFERENCES },
    { "Thread-Topic", PR_CONVERSATION_TOPIC },
    { "Organization", PR_INTERNET_ORGANIZATION },
    { "Newsgroups", PR_INTERNET_NEWSGROUPS },
    { "Followup-To", PR_INTERNET_FOLLOWUP_TO },
    { "Approved", PR_INTERNET_APPROVED },
    { "Control", PR_INTERNET_CONTROL },
    { "Distribution", PR_INTERNET_DISTRIBUTION },
    { "Supersedes", PR_SUPERSEDES },
    { "Precedence", PR_INTERNET_PRECEDENCE },
    { "List-Help", PR_LIST_HELP },
    { "List-Subscribe", PR_LIST_SUBSCRIBE },
    { "List-Unsubscribe", PR_LIST_UNSUBSCRIBE },
    { "X-Mailer", 0 },
    { "List-Id", 0 },
    { "List-Post", 0 },
    { "List-Archive", 0 },
    { "List-Owner", 0 },
    { "Content-Class", 0 },
    { "Accept-Language", 0 },
    { NULL, 0 }
};


/*
 * The first name of a code page is the one written out.  Names are the
 * IANA ones and the aliases mailers use; iconv (through GMime's alias
 * table) decodes them.
 */

static const exs_charset_t  exs_charsets[] = {
    { "utf-8", 65001 },
    { "utf8", 65001 },
    { "us-ascii", 20127 },
    { "ascii", 20127 },
    { "ansi_x3.4-1968", 20127 },
    { "iso-8859-1", 28591 },
    { "latin1", 28591 },
    { "iso_8859-1", 28591 },
    { "iso-8859-2", 28592 },
    { "iso-8859-3", 28593 },
    { "iso-8859-4", 28594 },
    { "iso-8859-5", 28595 },
    { "iso-8859-6", 28596 },
    { "iso-8859-7", 28597 },
    { "iso-8859-8", 28598 },
    { "iso-8859-8-i", 38598 },
    { "iso-8859-9", 28599 },
    { "iso-8859-13", 28603 },
    { "iso-8859-15", 28605 },
    { "windows-1250", 1250 },
    { "windows-1251", 1251 },
    { "windows-1252", 1252 },
    { "cp1252", 1252 },
    { "windows-1253", 1253 },
    { "windows-1254", 1254 },
    { "windows-1255", 1255 },
    { "windows-1256", 1256 },
    { "windows-1257", 1257 },
    { "windows-1258", 1258 },
    { "windows-874", 874 },
    { "koi8-r", 20866 },
    { "koi8-u", 21866 },
    { "ibm866", 866 },
    { "cp866", 866 },
    { "ibm437", 437 },
    { "ibm850", 850 },
    { "macintosh", 10000 },
    { "shift_jis", 932 },
    { "x-sjis", 932 },
    { "windows-31j", 932 },
    { "iso-2022-jp", 50220 },
    { "euc-jp", 51932 },
    { "gbk", 936 },
    { "gb2312", 936 },
    { "x-gbk", 936 },
    { "cp936", 936 },
    { "gb18030", 54936 },
    { "hz-gb-2312", 52936 },
    { "big5", 950 },
    { "big5-hkscs", 950 },
    { "euc-kr", 51949 },
    { "ks_c_5601-1987", 949 },
    { "cp949", 949 },
    { "iso-2022-kr", 50225 },
    { "utf-16", 1200 },
    { "utf-16le", 1200 },
    { "utf-16be", 1201 },
    { "utf-7", 65000 },
    { NULL, 0 }
};


int
exs_mime_init(void)
{
    return pthread_once(&exs_mime_once, exs_mime_init_once) == 0
           ? EXS_OK : EXS_ERROR;
}


static void
exs_mime_init_once(void)
{
    g_mime_init();
}


void
exs_mime_shutdown(void)
{
    static pthread_once_t  done = PTHREAD_ONCE_INIT;

    /* only when it was set up: g_mime_shutdown() on nothing would crash */
    if (pthread_once(&exs_mime_once, exs_mime_init_once) == 0) {
        (void) pthread_once(&done, g_mime_shutdown);
    }
}


uint32_t
exs_oxcmail_charset_cpid(const char *charset)
{
    const exs_charset_t  *c;

    if (charset == NULL) {
        return 0;
    }

    for (c = exs_charsets; c->name; c++) {
        if (strcasecmp(c->name, charset) == 0) {
            return c->cpid;
        }
    }

    return 0;
}


const char *
exs_oxcmail_cpid_charset(uint32_t cpid)
{
    const exs_charset_t  *c;

    for (c = exs_charsets; c->name; c++) {
        if (c->cpid == cpid) {
            return c->name;
        }
    }

    return NULL;
}


/* buffers */

void
exs_buf_add(exs_buf_t *b, const void *p, size_t n)
{
    size_t    cap;
    uint8_t  *d;

    if (b->nomem || n == 0) {
        return;
    }

    if (b->len + n > b->cap) {
        cap = b->cap ? b->cap : 256;

        while (cap < b->len + n) {
            if (cap > SIZE_MAX / 2) {
                b->nomem = 1;
                return;
            }

            cap *= 2;
        }

        d = realloc(b->data, cap);
        if (d == NULL) {
            b->nomem = 1;
            return;
        }

        b->data = d;
        b->cap = cap;
    }

    memcpy(b->data + b->len, p, n);
    b->len += n;
}


void
exs_buf_addc(exs_buf_t *b, uint8_t c)
{
    exs_buf_add(b, &c, 1);
}


void
exs_buf_add_le16(exs_buf_t *b, uint16_t v)
{
    uint8_t  d[2];

    d[0] = v & 0xff;
    d[1] = v >> 8;

    exs_buf_add(b, d, 2);
}


void
exs_buf_add_le32(exs_buf_t *b, uint32_t v)
{
    uint8_t  d[4];

    d[0] = v & 0xff;
    d[1] = (v >> 8) & 0xff;
    d[2] = (v >> 16) & 0xff;
    d[3] = v >> 24;

    exs_buf_add(b, d, 4);
}


void
exs_buf_pad4(exs_buf_t *b)
{
    static const uint8_t  zero[4];

    exs_buf_add(b, zero, (4 - (b->len & 3)) & 3);
}


void
exs_buf_free(exs_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}


int
exs_buf_bin(exs_buf_t *b, exs_bin_t *out, exs_arena_t *a)
{
    int  rc;

    rc = EXS_NOMEM;

    if (!b->nomem) {
        out->len = b->len;
        out->data = exs_memdup(a, b->data, b->len);
        rc = out->data ? EXS_OK : EXS_NOMEM;
    }

    exs_buf_free(b);

    return rc;
}


/* a copy with LF line ends, or CRLF ones; CR LF, lone CR, lone LF alike */

uint8_t *
exs_oxcmail_eol(exs_arena_t *a, const uint8_t *p, size_t len,
    size_t *outlen, int crlf)
{
    size_t    i;
    uint8_t  *d, *o;

    if (len > (SIZE_MAX - 1) / 2) {
        return NULL;
    }

    d = exs_alloc(a, (crlf ? len * 2 : len) + 1);
    if (d == NULL) {
        return NULL;
    }

    o = d;

    for (i = 0; i < len; i++) {
        if (p[i] == '\r' || p[i] == '\n') {
            if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n') {
                i++;
            }

            if (crlf) {
                *o++ = '\r';
            }

            *o++ = '\n';
            continue;
        }

        *o++ = p[i];
    }

    *o = '\0';
    *outlen = o - d;

    return d;
}


/* text */

int
exs_oxcmail_utf8_valid(const uint8_t *p, size_t len)
{
    size_t    i, n;
    uint32_t  c;

    for (i = 0; i < len; i += n) {
        if (p[i] < 0x80) {
            if (p[i] == 0) {
                return 0;
            }

            n = 1;
            continue;
        }

        n = exs_utf8_decode(p + i, len - i, &c);
        if (n == 0) {
            return 0;
        }
    }

    return 1;
}


/* a copy with invalid sequences as U+FFFD and NUL bytes left out */

static char *
exs_utf8_sanitize(exs_arena_t *a, const uint8_t *p, size_t len,
    size_t *outlen, int *lossy)
{
    size_t    i, n;
    uint8_t  *out, *o;
    uint32_t  c;

    if (len > (SIZE_MAX - 1) / 3) {
        return NULL;
    }

    out = exs_alloc(a, len * 3 + 1);
    if (out == NULL) {
        return NULL;
    }

    o = out;

    for (i = 0; i < len; i += n) {
        if (p[i] < 0x80) {
            n = 1;

            if (p[i] != 0) {
                *o++ = p[i];
            }

            continue;
        }

        n = exs_utf8_decode(p + i, len - i, &c);

        if (n == 0) {
            n = 1;
            o += exs_utf8_encode(o, 0xFFFD);

            if (lossy) {
                *lossy = 1;
            }

            continue;
        }

        memcpy(o, p + i, n);
        o += n;
    }

    *o = '\0';
    *outlen = o - out;

    return (char *) out;
}


static char *
exs_cp1252_to_utf8(exs_arena_t *a, const uint8_t *p, size_t len,
    size_t *outlen)
{
    static const uint16_t  high[32] = {
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178
    };

    size_t    i;
    uint8_t  *out, *o;
    uint32_t  c;

    if (len > (SIZE_MAX - 1) / 3) {
        return NULL;
    }

    out = exs_alloc(a, len * 3 + 1);
    if (out == NULL) {
        return NULL;
    }

    o = out;

    for (i = 0; i < len; i++) {
        c = p[i];

        if (c == 0) {
            continue;
        }

        if (c >= 0x80 && c < 0xA0) {
            c = high[c - 0x80];
        }

        o += exs_utf8_encode(o, c);
    }

    *o = '\0';
    *outlen = o - out;

    return (char *) out;
}


static const char *
exs_charset_sniff(const uint8_t *p, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (p[i] >= 0x80) {
            break;
        }
    }

    if (i == len) {
        return "us-ascii";
    }

    return exs_oxcmail_utf8_valid(p + i, len - i) ? "utf-8" : "windows-1252";
}


char *
exs_oxcmail_to_utf8(exs_arena_t *a, const char *charset, const void *data,
    size_t len, size_t *outlen, int *lossy)
{
    char           *out, *o, *in;
    size_t          cap, inleft, outleft, n, used;
    GIConv          cd;
    uint32_t        cpid;
    const uint8_t  *p;

    p = data;
    cpid = exs_oxcmail_charset_cpid(charset);

    if (charset == NULL || *charset == '\0' || cpid == 20127) {
        charset = exs_charset_sniff(p, len);
        cpid = exs_oxcmail_charset_cpid(charset);
    }

    if (cpid == 20127 || cpid == EXS_CPID_UTF8) {
        return exs_utf8_sanitize(a, p, len, outlen, lossy);
    }

    if (cpid == 1252 || cpid == 28591) {
        /* iso-8859-1 mail is windows-1252 in practice (WHATWG) */
        return exs_cp1252_to_utf8(a, p, len, outlen);
    }

    /* GMime's iconv cache: callers such as the TNEF decoder may come
     * before anything else set GMime up */
    if (exs_mime_init() != EXS_OK) {
        return NULL;
    }

    cd = g_mime_iconv_open("UTF-8", charset);

    if (cd == (GIConv) -1) {
        charset = exs_charset_sniff(p, len);

        if (strcmp(charset, "windows-1252") == 0) {
            return exs_cp1252_to_utf8(a, p, len, outlen);
        }

        return exs_utf8_sanitize(a, p, len, outlen, lossy);
    }

    /* most text grows less than 4 times from any charset to UTF-8 */

    if (len > (SIZE_MAX - 16) / 4) {
        g_mime_iconv_close(cd);
        return NULL;
    }

    cap = len * 4 + 16;

    out = malloc(cap);
    if (out == NULL) {
        g_mime_iconv_close(cd);
        return NULL;
    }

    in = (char *) p;
    inleft = len;
    o = out;
    outleft = cap - 1;

    while (inleft) {

        /* room for the longest character, and a replacement one */
        if (outleft < 8) {
            used = o - out;

            o = cap <= SIZE_MAX / 2 ? realloc(out, cap * 2) : NULL;
            if (o == NULL) {
                free(out);
                g_mime_iconv_close(cd);
                return NULL;
            }

            cap *= 2;
            out = o;
            o = out + used;
            outleft = cap - used - 1;
        }

        n = g_iconv(cd, &in, &inleft, &o, &outleft);

        if (n != (size_t) -1) {
            break;
        }

        if (errno == E2BIG) {
            continue;
        }

        /* EILSEQ, EINVAL: one replacement character for the bad byte */

        if (lossy) {
            *lossy = 1;
        }

        if (outleft < 3) {
            continue;
        }

        o += exs_utf8_encode((uint8_t *) o, 0xFFFD);
        outleft -= 3;
        in++;
        inleft--;

        (void) g_iconv(cd, NULL, NULL, NULL, NULL);
    }

    g_mime_iconv_close(cd);

    /* the converter's output is UTF-8 but may hold NULs (UTF-16 input) */
    o = exs_utf8_sanitize(a, (uint8_t *) out, o - out, outlen, lossy);
    free(out);

    return o;
}


char *
exs_oxcmail_utf16_to_utf8(exs_arena_t *a, const uint8_t *p, size_t len,
    size_t *outlen)
{
    size_t    i;
    uint8_t  *out, *o;
    uint32_t  c, c2;

    len &= ~(size_t) 1;

    if (len > (SIZE_MAX - 1) / 2) {
        return NULL;
    }

    /* 2 bytes of UTF-16 give at most 3 of UTF-8 (4 for a pair of 4) */
    out = exs_alloc(a, len / 2 * 3 + 1);
    if (out == NULL) {
        return NULL;
    }

    o = out;

    for (i = 0; i + 1 < len; i += 2) {
        c = p[i] | (p[i + 1] << 8);

        if (c == 0) {
            break;
        }

        if (c >= 0xD800 && c <= 0xDBFF && i + 3 < len) {
            c2 = p[i + 2] | (p[i + 3] << 8);

            if (c2 >= 0xDC00 && c2 <= 0xDFFF) {
                c = 0x10000 + ((c - 0xD800) << 10) + (c2 - 0xDC00);
                i += 2;
                o += exs_utf8_encode(o, c);
                continue;
            }
        }

        if (c >= 0xD800 && c <= 0xDFFF) {
            c = 0xFFFD;
        }

        o += exs_utf8_encode(o, c);
    }

    *o = '\0';

    if (outlen) {
        *outlen = o - out;
    }

    return (char *) out;
}


void
exs_oxcmail_buf_add_utf16(exs_buf_t *b, const char *s, size_t len)
{
    size_t          i, n;
    uint32_t        c;
    const uint8_t  *p;

    p = (const uint8_t *) s;

    for (i = 0; i < len; i += n) {
        n = exs_utf8_decode(p + i, len - i, &c);

        if (n == 0) {
            n = 1;
            c = 0xFFFD;
        }

        if (c >= 0x10000) {
            c -= 0x10000;
            exs_buf_add_le16(b, 0xD800 | (c >> 10));
            exs_buf_add_le16(b, 0xDC00 | (c & 0x3FF));

        } else {
            exs_buf_add_le16(b, (uint16_t) c);
        }
    }
}


char *
exs_oxcmail_lower(exs_arena_t *a, const char *s)
{
    char  *d, *p;

    d = exs_strdup(a, s);
    if (d == NULL) {
        return NULL;
    }

    for (p = d; *p; p++) {
        if (*p >= 'A' && *p <= 'Z') {
            *p += 'a' - 'A';
        }
    }

    return d;
}


int
exs_oxcmail_set_str(exs_arena_t *a, exs_props_t *bag, uint32_t tag,
    const char *s)
{
    return exs_props_set_str(a, bag, tag, s, strlen(s));
}


int
exs_oxcmail_named_id(exs_namemap_t *nm, const uint8_t *guid,
    const char *name, uint32_t lid, int create, uint16_t *id)
{
    exs_propname_t  pn;

    memset(&pn, 0, sizeof(pn));
    memcpy(pn.guid, guid, 16);

    if (name) {
        pn.kind = MNID_STRING;
        pn.name = name;

    } else {
        pn.kind = MNID_ID;
        pn.lid = lid;
    }

    return nm->get_id(nm, &pn, create, id);
}


/* entry ids, MS-OXCDATA 2.2.5 */

static const uint8_t  exs_oneoff_uid[16] = {
    0x81, 0x2B, 0x1F, 0xA4, 0xBE, 0xA3, 0x10, 0x19,
    0x9D, 0x6E, 0x00, 0xDD, 0x01, 0x0F, 0x54, 0x02
};

static const uint8_t  exs_ab_uid[16] = {
    0xDC, 0xA7, 0x40, 0xC8, 0xC0, 0x42, 0x10, 0x1A,
    0xB4, 0xB9, 0x08, 0x00, 0x2B, 0x2F, 0xE1, 0x82
};

#define EXS_ONEOFF_UNICODE      0x8000
#define EXS_ONEOFF_NO_RICH_INFO 0x0001


int
exs_oxcmail_oneoff_entryid(const char *name, const char *addrtype,
    const char *address, exs_bin_t *out, exs_arena_t *a)
{
    exs_buf_t  b = { 0 };

    exs_buf_add_le32(&b, 0);
    exs_buf_add(&b, exs_oneoff_uid, 16);
    exs_buf_add_le16(&b, 0);
    exs_buf_add_le16(&b, EXS_ONEOFF_UNICODE|EXS_ONEOFF_NO_RICH_INFO);
    exs_oxcmail_buf_add_utf16(&b, name, strlen(name));
    exs_buf_add_le16(&b, 0);
    exs_oxcmail_buf_add_utf16(&b, addrtype, strlen(addrtype));
    exs_buf_add_le16(&b, 0);
    exs_oxcmail_buf_add_utf16(&b, address, strlen(address));
    exs_buf_add_le16(&b, 0);

    return exs_buf_bin(&b, out, a);
}


int
exs_oxcmail_ab_entryid(const char *dn, uint32_t display_type,
    exs_bin_t *out, exs_arena_t *a)
{
    exs_buf_t  b = { 0 };

    exs_buf_add_le32(&b, 0);
    exs_buf_add(&b, exs_ab_uid, 16);
    exs_buf_add_le32(&b, 1);
    exs_buf_add_le32(&b, display_type);
    exs_buf_add(&b, dn, strlen(dn) + 1);

    return exs_buf_bin(&b, out, a);
}


/* one NUL-terminated string of a one-off entry id, UTF-16LE or 8-bit */

static const char *
exs_oneoff_string(const uint8_t **pp, const uint8_t *end, int unicode,
    exs_arena_t *a)
{
    size_t          n;
    const uint8_t  *p, *s;

    p = *pp;
    s = p;

    if (unicode) {
        while (p + 1 < end && (p[0] || p[1])) {
            p += 2;
        }

        if (p + 1 >= end) {
            return NULL;
        }

        *pp = p + 2;

        return exs_oxcmail_utf16_to_utf8(a, s, p - s, &n);
    }

    while (p < end && *p) {
        p++;
    }

    if (p >= end) {
        return NULL;
    }

    *pp = p + 1;

    return exs_oxcmail_to_utf8(a, NULL, s, p - s, &n, NULL);
}


int
exs_oxcmail_parse_entryid(const uint8_t *p, size_t len, const char **name,
    const char **addrtype, const char **address, exs_arena_t *a)
{
    int             unicode;
    size_t          n;
    uint16_t        flags;
    const uint8_t  *end, *s;

    if (len < 24) {
        return EXS_INVALID;
    }

    end = p + len;

    if (memcmp(p + 4, exs_oneoff_uid, 16) == 0) {
        flags = p[22] | (p[23] << 8);
        unicode = (flags & EXS_ONEOFF_UNICODE) != 0;
        p += 24;

        *name = exs_oneoff_string(&p, end, unicode, a);
        *addrtype = *name ? exs_oneoff_string(&p, end, unicode, a) : NULL;
        *address = *addrtype ? exs_oneoff_string(&p, end, unicode, a) : NULL;

        return *address ? EXS_OK : EXS_INVALID;
    }

    if (memcmp(p + 4, exs_ab_uid, 16) == 0 && len > 28) {
        s = p + 28;

        for (n = 0; s + n < end && s[n]; n++) {
            /* void */
        }

        if (s + n >= end) {
            return EXS_INVALID;
        }

        *name = NULL;
        *addrtype = "EX";
        *address = exs_strndup(a, (const char *) s, n);

        return *address ? EXS_OK : EXS_NOMEM;
    }

    return EXS_NOTSUP;
}


int
exs_oxcmail_search_key(const char *addrtype, const char *address,
    exs_bin_t *out, exs_arena_t *a)
{
    char    *k, *p;
    size_t   l1, l2;

    l1 = strlen(addrtype);
    l2 = strlen(address);

    k = exs_alloc(a, l1 + l2 + 2);
    if (k == NULL) {
        return EXS_NOMEM;
    }

    memcpy(k, addrtype, l1);
    k[l1] = ':';
    memcpy(k + l1 + 1, address, l2 + 1);

    for (p = k; *p; p++) {
        if (*p >= 'a' && *p <= 'z') {
            *p -= 'a' - 'A';
        }
    }

    out->data = (uint8_t *) k;
    out->len = l1 + l2 + 2;

    return EXS_OK;
}


int
exs_oxcmail_flat_entrylist(const exs_bin_t *ids, uint32_t n, exs_bin_t *out,
    exs_arena_t *a)
{
    uint32_t   i;
    exs_buf_t  b = { 0 };

    exs_buf_add_le32(&b, n);
    exs_buf_add_le32(&b, 0);

    for (i = 0; i < n; i++) {
        exs_buf_add_le32(&b, (uint32_t) ids[i].len);
        exs_buf_add(&b, ids[i].data, ids[i].len);
        exs_buf_pad4(&b);
    }

    if (!b.nomem) {
        n = (uint32_t) (b.len - 8);
        b.data[4] = n & 0xff;
        b.data[5] = (n >> 8) & 0xff;
        b.data[6] = (n >> 16) & 0xff;
        b.data[7] = n >> 24;
    }

    return exs_buf_bin(&b, out, a);
}


int
exs_oxcmail_parse_flat_entrylist(const uint8_t *p, size_t len,
    exs_bin_t **ids, uint32_t *n, exs_arena_t *a)
{
    size_t          size;
    uint32_t        count, i;
    exs_bin_t      *v;
    const uint8_t  *end;

    if (len < 8) {
        return EXS_INVALID;
    }

    end = p + len;
    count = p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t) p[3] << 24);
    p += 8;

    /* every entry takes at least 4 bytes: never trust the count */
    if (count > (len - 8) / 4) {
        return EXS_INVALID;
    }

    v = exs_alloc(a, (count ? count : 1) * sizeof(exs_bin_t));
    if (v == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < count; i++) {
        if (end - p < 4) {
            return EXS_INVALID;
        }

        size = p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t) p[3] << 24);
        p += 4;

        if (size > (size_t) (end - p)) {
            return EXS_INVALID;
        }

        v[i].data = p;
        v[i].len = size;
        p += size;
        p += ((4 - (size & 3)) & 3) <= (size_t) (end - p)
             ? ((4 - (size & 3)) & 3) : (size_t) (end - p);
    }

    *ids = v;
    *n = count;

    return EXS_OK;
}


/*
 * MS-OXCMSG: a prefix is one to three characters that are neither digits,
 * blanks nor punctuation, then a colon and a space ("Re: ", "AW: ",
 * "Fwd: ").
 */

size_t
exs_oxcmail_subject_prefix(const char *subject, size_t len)
{
    size_t          i, n, chars;
    uint32_t        c;
    const uint8_t  *p;

    p = (const uint8_t *) subject;
    chars = 0;

    for (i = 0; i < len && chars <= 3; i += n) {
        n = exs_utf8_decode(p + i, len - i, &c);
        if (n == 0) {
            return 0;
        }

        if (c == ':') {
            if (chars == 0 || i + 1 >= len || p[i + 1] != ' ') {
                return 0;
            }

            return i + 2;
        }

        if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
        {
            return 0;
        }

        if (c >= 0x80 && (c < 0xC0 || c == 0xD7 || c == 0xF7
                          || (c >= 0x2000 && c < 0x3040)
                          || (c >= 0xFF00 && c < 0xFF10)))
        {
            return 0;
        }

        chars++;
    }

    return 0;
}


int64_t
exs_oxcmail_filetime(int64_t unix_sec, int32_t usec)
{
    return exs_filetime_from_unix(unix_sec) + (int64_t) usec * 10;
}


uint8_t *
exs_oxcmail_base64_decode(exs_arena_t *a, const char *s, size_t *outlen)
{
    int        v;
    size_t     len, n;
    uint8_t   *out;
    uint32_t   acc;
    unsigned   bits;

    len = strlen(s);

    out = exs_alloc(a, len / 4 * 3 + 3);
    if (out == NULL) {
        return NULL;
    }

    n = 0;
    acc = 0;
    bits = 0;

    for (; *s; s++) {
        if (*s >= 'A' && *s <= 'Z') {
            v = *s - 'A';
        } else if (*s >= 'a' && *s <= 'z') {
            v = *s - 'a' + 26;
        } else if (*s >= '0' && *s <= '9') {
            v = *s - '0' + 52;
        } else if (*s == '+') {
            v = 62;
        } else if (*s == '/') {
            v = 63;
        } else if (*s == '=') {
            break;
        } else if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
            continue;
        } else {
            return NULL;
        }

        acc = (acc << 6) | (uint32_t) v;
        bits += 6;

        if (bits >= 8) {
            bits -= 8;
            out[n++] = (acc >> bits) & 0xff;
        }
    }

    *outlen = n;

    return out;
}


const char *
exs_oxcmail_make_message_id(const char *domain, exs_arena_t *a)
{
    char            *id;
    size_t           len, i;
    uint8_t          r[16];
    struct timespec  ts;

    static const char  hex[] = "0123456789abcdef";

    if (RAND_bytes(r, sizeof(r)) != 1) {
        clock_gettime(CLOCK_REALTIME, &ts);
        memcpy(r, &ts, sizeof(r) < sizeof(ts) ? sizeof(r) : sizeof(ts));
    }

    if (domain == NULL || *domain == '\0') {
        domain = "localhost";
    }

    len = strlen(domain);

    id = exs_alloc(a, len + 32 + 4);
    if (id == NULL) {
        return NULL;
    }

    id[0] = '<';

    for (i = 0; i < 16; i++) {
        id[1 + 2 * i] = hex[r[i] >> 4];
        id[2 + 2 * i] = hex[r[i] & 15];
    }

    id[33] = '@';
    memcpy(id + 34, domain, len);
    id[34 + len] = '>';
    id[35 + len] = '\0';

    return id;
}


/*
 * GMime 3.2.13 (Debian 12) joins the base64 of adjacent encoded words of
 * one charset before decoding, so "=?UTF-8?B?0JLQsA==?= =?UTF-8?B?0YE=?="
 * comes out cut at the first padding (jstedfast/gmime#133, fixed after
 * 3.2.13).  Mailers write such pairs all the time.  This rewrites each run
 * of B-encoded words of one charset as one word with the bytes of all, so
 * any GMime decodes it whole.  s is returned when nothing needs doing.
 */

typedef struct {
    const char               *start;     /* "=?" */
    const char               *end;       /* after "?=" */
    const char               *cs;
    size_t                    cslen;
    const char               *text;
    size_t                    tlen;
    int                       b64;
} exs_ew_t;


static int
exs_ew_parse(const char *p, exs_ew_t *w)
{
    const char  *q;

    if (p[0] != '=' || p[1] != '?') {
        return 0;
    }

    w->start = p;
    w->cs = p + 2;

    for (q = w->cs; *q && *q != '?'; q++) {
        if (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n') {
            return 0;
        }
    }

    if (*q != '?' || q == w->cs) {
        return 0;
    }

    w->cslen = q - w->cs;
    q++;

    if ((*q != 'B' && *q != 'b' && *q != 'Q' && *q != 'q') || q[1] != '?') {
        return 0;
    }

    w->b64 = *q == 'B' || *q == 'b';
    w->text = q + 2;

    for (q = w->text; *q && !(q[0] == '?' && q[1] == '='); q++) {
        if (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n') {
            return 0;
        }
    }

    if (*q == '\0') {
        return 0;
    }

    w->tlen = q - w->text;
    w->end = q + 2;

    return 1;
}


const char *
exs_oxcmail_fix_ew(exs_arena_t *a, const char *s)
{
    int         changed, need;
    char       *enc, *tmp;
    size_t      n, len, k;
    uint8_t    *bytes;
    exs_ew_t    w, next;
    exs_buf_t   out = { 0 }, run = { 0 };
    const char  *p, *q, *copied;

    if (strstr(s, "=?") == NULL) {
        return s;
    }

    changed = 0;
    copied = s;
    p = s;

    while ((p = strstr(p, "=?")) != NULL) {
        if (!exs_ew_parse(p, &w) || !w.b64) {
            p += 2;
            continue;
        }

        /* the run of B words of this charset after this one */

        need = 0;
        k = 1;
        q = w.end;
        next = w;

        for ( ;; ) {
            while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n') {
                q++;
            }

            if (!exs_ew_parse(q, &next) || !next.b64
                || next.cslen != w.cslen
                || strncasecmp(next.cs, w.cs, w.cslen) != 0)
            {
                break;
            }

            k++;
            q = next.end;
        }

        if (k < 2) {
            p = w.end;
            continue;
        }

        /* join the bytes of the k words */

        run.len = 0;
        q = w.start;

        for (n = 0; n < k; n++) {
            while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n') {
                q++;
            }

            (void) exs_ew_parse(q, &next);

            if (n + 1 < k && (next.tlen % 4 || memchr(next.text, '=',
                                                      next.tlen)))
            {
                need = 1;
            }

            tmp = exs_strndup(a, next.text, next.tlen);
            bytes = tmp ? exs_oxcmail_base64_decode(a, tmp, &len) : NULL;

            if (bytes == NULL) {
                need = 0;
                break;
            }

            exs_buf_add(&run, bytes, len);
            q = next.end;
        }

        if (!need || run.nomem) {
            /* past this word only: q may not have moved (bad base64) */
            p = w.end;
            continue;
        }

        enc = g_base64_encode(run.data ? run.data : (uint8_t *) "", run.len);

        exs_buf_add(&out, copied, w.start - copied);
        exs_buf_add(&out, "=?", 2);
        exs_buf_add(&out, w.cs, w.cslen);
        exs_buf_add(&out, "?B?", 3);
        exs_buf_add(&out, enc, strlen(enc));
        exs_buf_add(&out, "?=", 2);
        g_free(enc);

        copied = q;
        p = q;
        changed = 1;
    }

    exs_buf_free(&run);

    if (!changed) {
        exs_buf_free(&out);
        return s;
    }

    exs_buf_add(&out, copied, strlen(copied));
    exs_buf_addc(&out, '\0');

    if (out.nomem) {
        exs_buf_free(&out);
        return NULL;
    }

    p = exs_memdup(a, out.data, out.len);
    exs_buf_free(&out);

    return p;
}
