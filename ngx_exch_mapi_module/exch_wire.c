
/*
 * exch MAPI wire primitives: bounds-checked reader, space-checked writer,
 * UTF-16 and code page conversions.
 */


#include <errno.h>
#include <iconv.h>
#include <string.h>

#include "exch_wire.h"


#define EXCH_REPLACEMENT        0xFFFD


static int exch_iconv(exs_arena_t *a, const char *to, const char *from,
    const char *s, size_t len, size_t in_unit, int lossy, exs_str_t *out);


const char *
exch_strerror(int rc)
{
    switch (rc) {
    case EXCH_OK:
        return "ok";
    case EXCH_ERR_TRUNCATED:
        return "truncated input";
    case EXCH_ERR_FORMAT:
        return "malformed input";
    case EXCH_ERR_TOOBIG:
        return "count or size too big";
    case EXCH_ERR_NOMEM:
        return "out of memory";
    case EXCH_ERR_BUFSIZE:
        return "output buffer too small";
    case EXCH_ERR_UNKNOWN:
        return "unknown operation";
    case EXCH_ERR_DEPTH:
        return "nesting too deep";
    case EXCH_ERR_CHARSET:
        return "invalid character data";
    case EXCH_ERR_TRAILING:
        return "trailing bytes";
    case EXCH_ERR_COMPRESSION:
        return "bad compressed data";
    }

    return exs_strerror(rc);
}


/* little-endian loads and stores */







/* reader */

void
exch_rd_init(exch_rd_t *r, const void *p, size_t len, exs_arena_t *a,
    unsigned flags)
{
    if (p == NULL) {
        p = "";
        len = 0;
    }

    r->start = p;
    r->p = p;
    r->end = r->p + len;
    r->arena = a;
    r->flags = flags;
    r->err = EXCH_OK;
}


int
exch_rd_sub(exch_rd_t *r, size_t len, exch_rd_t *sub)
{
    if (exch_rd_need(r, len) != EXCH_OK) {
        exch_rd_init(sub, NULL, 0, r->arena, r->flags);
        sub->err = r->err;
        return r->err;
    }

    exch_rd_init(sub, r->p, len, r->arena, r->flags);
    r->p += len;

    return EXCH_OK;
}


size_t
exch_rd_left(const exch_rd_t *r)
{
    return (size_t) (r->end - r->p);
}


size_t
exch_rd_pos(const exch_rd_t *r)
{
    return (size_t) (r->p - r->start);
}


int
exch_rd_fail(exch_rd_t *r, int err)
{
    if (r->err == EXCH_OK) {
        r->err = err;
    }

    return r->err;
}


int
exch_rd_need(exch_rd_t *r, size_t n)
{
    if (r->err != EXCH_OK) {
        return r->err;
    }

    if ((size_t) (r->end - r->p) < n) {
        r->err = EXCH_ERR_TRUNCATED;
    }

    return r->err;
}


int
exch_rd_skip(exch_rd_t *r, size_t n)
{
    if (exch_rd_need(r, n) == EXCH_OK) {
        r->p += n;
    }

    return r->err;
}


int
exch_rd_u8(exch_rd_t *r, uint8_t *v)
{
    if (exch_rd_need(r, 1) != EXCH_OK) {
        *v = 0;
        return r->err;
    }

    *v = *r->p++;

    return EXCH_OK;
}


int
exch_rd_u16(exch_rd_t *r, uint16_t *v)
{
    if (exch_rd_need(r, 2) != EXCH_OK) {
        *v = 0;
        return r->err;
    }

    *v = exch_get16(r->p);
    r->p += 2;

    return EXCH_OK;
}


int
exch_rd_u32(exch_rd_t *r, uint32_t *v)
{
    if (exch_rd_need(r, 4) != EXCH_OK) {
        *v = 0;
        return r->err;
    }

    *v = exch_get32(r->p);
    r->p += 4;

    return EXCH_OK;
}


int
exch_rd_u64(exch_rd_t *r, uint64_t *v)
{
    if (exch_rd_need(r, 8) != EXCH_OK) {
        *v = 0;
        return r->err;
    }

    *v = exch_get64(r->p);
    r->p += 8;

    return EXCH_OK;
}


int
exch_rd_i32(exch_rd_t *r, int32_t *v)
{
    uint32_t  u;

    exch_rd_u32(r, &u);
    *v = (int32_t) u;

    return r->err;
}


int
exch_rd_i64(exch_rd_t *r, int64_t *v)
{
    uint64_t  u;

    exch_rd_u64(r, &u);
    *v = (int64_t) u;

    return r->err;
}


int
exch_rd_f32(exch_rd_t *r, float *v)
{
    uint32_t  u;

    exch_rd_u32(r, &u);
    memcpy(v, &u, sizeof(float));

    return r->err;
}


int
exch_rd_f64(exch_rd_t *r, double *v)
{
    uint64_t  u;

    exch_rd_u64(r, &u);
    memcpy(v, &u, sizeof(double));

    return r->err;
}


int
exch_rd_bytes(exch_rd_t *r, size_t n, const uint8_t **v)
{
    if (exch_rd_need(r, n) != EXCH_OK) {
        *v = NULL;
        return r->err;
    }

    *v = r->p;
    r->p += n;

    return EXCH_OK;
}


int
exch_rd_counted(exch_rd_t *r, unsigned width, exs_bin_t *bin)
{
    uint16_t  n16;
    uint32_t  n;

    bin->len = 0;
    bin->data = NULL;

    if (width == 2) {
        exch_rd_u16(r, &n16);
        n = n16;

    } else {
        exch_rd_u32(r, &n);
    }

    if (r->err == EXCH_OK && exch_rd_bytes(r, n, &bin->data) == EXCH_OK) {
        bin->len = n;
    }

    return r->err;
}


int
exch_rd_guid(exch_rd_t *r, uint8_t guid[16])
{
    if (exch_rd_need(r, 16) != EXCH_OK) {
        memset(guid, 0, 16);
        return r->err;
    }

    memcpy(guid, r->p, 16);
    r->p += 16;

    return EXCH_OK;
}


int
exch_rd_str8(exch_rd_t *r, exs_str_t *s)
{
    const uint8_t  *nul;

    s->len = 0;
    s->data = "";

    if (r->err != EXCH_OK) {
        return r->err;
    }

    nul = memchr(r->p, 0, (size_t) (r->end - r->p));
    if (nul == NULL) {
        return exch_rd_fail(r, EXCH_ERR_TRUNCATED);
    }

    s->data = (const char *) r->p;
    s->len = (size_t) (nul - r->p);
    r->p = nul + 1;

    return EXCH_OK;
}


int
exch_rd_str16(exch_rd_t *r, exs_str_t *s)
{
    int             rc;
    const uint8_t  *q;

    s->len = 0;
    s->data = "";

    if (r->err != EXCH_OK) {
        return r->err;
    }

    for (q = r->p; q + 1 < r->end; q += 2) {
        if (q[0] == 0 && q[1] == 0) {
            break;
        }
    }

    if (q + 1 >= r->end) {
        return exch_rd_fail(r, EXCH_ERR_TRUNCATED);
    }

    rc = exch_utf16_to_utf8(r->arena, r->p, (size_t) (q - r->p),
                            (r->flags & EXCH_F_UTF16_STRICT) != 0, s);
    if (rc != EXCH_OK) {
        return exch_rd_fail(r, rc);
    }

    r->p = q + 2;

    return EXCH_OK;
}


int
exch_rd_count_ok(exch_rd_t *r, uint64_t n, size_t min_size)
{
    if (r->err != EXCH_OK) {
        return r->err;
    }

    if (min_size == 0) {
        min_size = 1;
    }

    if (n > (uint64_t) (r->end - r->p) / min_size) {
        return exch_rd_fail(r, EXCH_ERR_TRUNCATED);
    }

    return EXCH_OK;
}


void *
exch_rd_alloc(exch_rd_t *r, size_t n, size_t size)
{
    void  *p;

    if (r->err != EXCH_OK) {
        return NULL;
    }

    if (n == 0) {
        n = 1;
    }

    if (n > (size_t) -1 / size) {
        exch_rd_fail(r, EXCH_ERR_TOOBIG);
        return NULL;
    }

    p = exs_calloc(r->arena, n * size);
    if (p == NULL) {
        exch_rd_fail(r, EXCH_ERR_NOMEM);
    }

    return p;
}


/* writer */

void
exch_wr_init(exch_wr_t *w, void *buf, size_t cap)
{
    w->buf = buf;
    w->len = 0;
    w->cap = cap;
    w->limit = cap;
    w->held = 0;
    w->arena = NULL;
    w->flags = 0;
    w->cpid = 1252;
    w->err = EXCH_OK;
}


int
exch_wr_init_grow(exch_wr_t *w, exs_arena_t *a, size_t initial,
    size_t limit)
{
    if (initial > limit) {
        initial = limit;
    }

    if (initial == 0) {
        initial = 64;
    }

    exch_wr_init(w, NULL, 0);
    w->buf = exs_alloc(a, initial);
    if (w->buf == NULL) {
        w->err = EXCH_ERR_NOMEM;
        return w->err;
    }

    w->cap = initial;
    w->limit = limit;
    w->arena = a;

    return EXCH_OK;
}


int
exch_wr_fail(exch_wr_t *w, int err)
{
    if (w->err == EXCH_OK) {
        w->err = err;
    }

    return w->err;
}


int
exch_wr_grow(exch_wr_t *w, size_t n)
{
    size_t    cap;
    uint8_t  *nbuf;

    if (w->arena == NULL || n > w->limit - w->len) {
        return exch_wr_fail(w, EXCH_ERR_BUFSIZE);
    }

    cap = w->cap;

    while (cap - w->len < n) {
        cap = (cap > w->limit / 2) ? w->limit : cap * 2;
    }

    nbuf = exs_alloc(w->arena, cap);
    if (nbuf == NULL) {
        return exch_wr_fail(w, EXCH_ERR_NOMEM);
    }

    if (w->len) {
        memcpy(nbuf, w->buf, w->len);
    }

    w->buf = nbuf;
    w->cap = cap;

    return EXCH_OK;
}



void
exch_wr_truncate(exch_wr_t *w, size_t len)
{
    if (len <= w->len) {
        w->len = len;
    }

    if (w->err == EXCH_ERR_BUFSIZE) {
        w->err = EXCH_OK;
    }
}






int
exch_wr_f32(exch_wr_t *w, float v)
{
    uint32_t  u;

    memcpy(&u, &v, sizeof(float));

    return exch_wr_u32(w, u);
}


int
exch_wr_f64(exch_wr_t *w, double v)
{
    uint64_t  u;

    memcpy(&u, &v, sizeof(double));

    return exch_wr_u64(w, u);
}



int
exch_wr_counted(exch_wr_t *w, unsigned width, const exs_bin_t *bin)
{
    if (width == 2) {
        if (bin->len > 0xFFFF) {
            return exch_wr_fail(w, EXCH_ERR_TOOBIG);
        }

        exch_wr_u16(w, (uint16_t) bin->len);

    } else {
        if (bin->len > 0xFFFFFFFF) {
            return exch_wr_fail(w, EXCH_ERR_TOOBIG);
        }

        exch_wr_u32(w, (uint32_t) bin->len);
    }

    return exch_wr_bytes(w, bin->data, bin->len);
}


int
exch_wr_zero(exch_wr_t *w, size_t n)
{
    if (exch_wr_space(w, n) != EXCH_OK) {
        return w->err;
    }

    memset(w->buf + w->len, 0, n);
    w->len += n;

    return EXCH_OK;
}


int
exch_wr_guid(exch_wr_t *w, const uint8_t guid[16])
{
    return exch_wr_bytes(w, guid, 16);
}


int
exch_wr_str8(exch_wr_t *w, const char *s, size_t len)
{
    if (s == NULL) {
        len = 0;
    }

    if (exch_wr_space(w, len + 1) != EXCH_OK) {
        return w->err;
    }

    if (len) {
        memcpy(w->buf + w->len, s, len);
    }

    w->buf[w->len + len] = '\0';
    w->len += len + 1;

    return EXCH_OK;
}


int
exch_wr_str16(exch_wr_t *w, const char *s, size_t len)
{
    size_t    n, i;
    uint8_t  *q;
    uint32_t  cp, u;
    uint64_t  v;
    long      need;

    if (s == NULL) {
        len = 0;
    }

    /* ASCII, the usual case, is checked eight bytes at a time and widens
     * four at a time */

    for (i = 0; len - i >= 8; i += 8) {
        memcpy(&v, s + i, 8);

        if (v & 0x8080808080808080ULL) {
            break;
        }
    }

    for ( /* void */ ; i < len && (uint8_t) s[i] < 0x80; i++) {
        /* void */
    }

    if (i == len) {
        if (exch_wr_space(w, 2 * len + 2) != EXCH_OK) {
            return w->err;
        }

        q = w->buf + w->len;

        for (i = 0; len - i >= 4; i += 4) {
            u = exch_get32((const uint8_t *) s + i);
            v = (uint64_t) (u & 0xFF) | (uint64_t) (u & 0xFF00) << 8
                | (uint64_t) (u & 0xFF0000) << 16
                | (uint64_t) (u & 0xFF000000) << 24;
            exch_put64(q + 2 * i, v);
        }

        for ( /* void */ ; i < len; i++) {
            q[2 * i] = (uint8_t) s[i];
            q[2 * i + 1] = 0;
        }

        q[2 * len] = 0;
        q[2 * len + 1] = 0;
        w->len += 2 * len + 2;

        return EXCH_OK;
    }

    need = exch_utf16_len(s, len, 0);

    if (exch_wr_space(w, (size_t) need + 2) != EXCH_OK) {
        return w->err;
    }

    q = w->buf + w->len;

    for (i = 0; i < len; i += n) {
        n = exs_utf8_decode((const uint8_t *) s + i, len - i, &cp);
        if (n == 0) {
            cp = EXCH_REPLACEMENT;
            n = 1;
        }

        if (cp >= 0x10000) {
            cp -= 0x10000;
            exch_put16(q, (uint16_t) (0xD800 | (cp >> 10)));
            exch_put16(q + 2, (uint16_t) (0xDC00 | (cp & 0x3FF)));
            q += 4;

        } else {
            exch_put16(q, (uint16_t) cp);
            q += 2;
        }
    }

    exch_put16(q, 0);
    w->len += (size_t) need + 2;

    return EXCH_OK;
}


int
exch_wr_reserve(exch_wr_t *w, size_t n, size_t *off)
{
    *off = w->len;

    return exch_wr_zero(w, n);
}


void
exch_wr_patch_u8(exch_wr_t *w, size_t off, uint8_t v)
{
    if (w->err == EXCH_OK && off + 1 <= w->len) {
        w->buf[off] = v;
    }
}


void
exch_wr_patch_u16(exch_wr_t *w, size_t off, uint16_t v)
{
    if (w->err == EXCH_OK && off + 2 <= w->len) {
        exch_put16(w->buf + off, v);
    }
}


void
exch_wr_patch_u32(exch_wr_t *w, size_t off, uint32_t v)
{
    if (w->err == EXCH_OK && off + 4 <= w->len) {
        exch_put32(w->buf + off, v);
    }
}


/* UTF-8 and UTF-16 */

long
exch_utf16_len(const char *s, size_t len, int strict)
{
    size_t    i, n;
    uint32_t  cp;
    long      total;

    total = 0;

    for (i = 0; i < len; i += n) {
        n = exs_utf8_decode((const uint8_t *) s + i, len - i, &cp);
        if (n == 0) {
            if (strict) {
                return -1;
            }

            n = 1;
            cp = EXCH_REPLACEMENT;
        }

        total += (cp >= 0x10000) ? 4 : 2;
    }

    return total;
}


int
exch_utf8_to_utf16(exs_arena_t *a, const char *s, size_t len, int strict,
    exs_bin_t *out)
{
    long       need;
    uint8_t   *buf;
    exch_wr_t  w;

    out->len = 0;
    out->data = NULL;

    need = exch_utf16_len(s, len, strict);
    if (need < 0) {
        return EXCH_ERR_CHARSET;
    }

    buf = exs_alloc(a, (size_t) need + 2);
    if (buf == NULL) {
        return EXCH_ERR_NOMEM;
    }

    exch_wr_init(&w, buf, (size_t) need + 2);

    if (exch_wr_str16(&w, s, len) != EXCH_OK) {
        return EXCH_ERR_NOMEM;
    }

    out->data = buf;
    out->len = (size_t) need;

    return EXCH_OK;
}


int
exch_utf16_to_utf8(exs_arena_t *a, const uint8_t *p, size_t nbytes,
    int strict, exs_str_t *out)
{
    char      *buf, *q;
    size_t     i;
    uint32_t   c, c2;

    out->len = 0;
    out->data = "";

    if (nbytes & 1) {
        return EXCH_ERR_FORMAT;
    }

    /* each UTF-16 unit becomes at most 3 UTF-8 bytes */
    buf = exs_alloc(a, nbytes / 2 * 3 + 1);
    if (buf == NULL) {
        return EXCH_ERR_NOMEM;
    }

    q = buf;

    for (i = 0; i < nbytes; i += 2) {
        c = exch_get16(p + i);

        if (c >= 0xD800 && c <= 0xDBFF && i + 3 < nbytes) {
            c2 = exch_get16(p + i + 2);

            if (c2 >= 0xDC00 && c2 <= 0xDFFF) {
                c = 0x10000 + ((c - 0xD800) << 10) + (c2 - 0xDC00);
                i += 2;
            }
        }

        if (c >= 0xD800 && c <= 0xDFFF) {
            if (strict) {
                return EXCH_ERR_CHARSET;
            }

            c = EXCH_REPLACEMENT;
        }

        if (c < 0x80) {
            *q++ = (char) c;

        } else if (c < 0x800) {
            *q++ = (char) (0xC0 | (c >> 6));
            *q++ = (char) (0x80 | (c & 0x3F));

        } else if (c < 0x10000) {
            *q++ = (char) (0xE0 | (c >> 12));
            *q++ = (char) (0x80 | ((c >> 6) & 0x3F));
            *q++ = (char) (0x80 | (c & 0x3F));

        } else {
            *q++ = (char) (0xF0 | (c >> 18));
            *q++ = (char) (0x80 | ((c >> 12) & 0x3F));
            *q++ = (char) (0x80 | ((c >> 6) & 0x3F));
            *q++ = (char) (0x80 | (c & 0x3F));
        }
    }

    *q = '\0';
    out->data = buf;
    out->len = (size_t) (q - buf);

    return EXCH_OK;
}


/* code pages */

const char *
exch_cpid_charset(uint32_t cpid)
{
    static const struct {
        uint32_t     cpid;
        const char  *name;
    } map[] = {
        { 437, "CP437" },
        { 850, "CP850" },
        { 852, "CP852" },
        { 866, "CP866" },
        { 874, "CP874" },
        { 932, "CP932" },
        { 936, "GBK" },
        { 949, "CP949" },
        { 950, "BIG5" },
        { 1200, "UTF-16LE" },
        { 1250, "CP1250" },
        { 1251, "CP1251" },
        { 1252, "CP1252" },
        { 1253, "CP1253" },
        { 1254, "CP1254" },
        { 1255, "CP1255" },
        { 1256, "CP1256" },
        { 1257, "CP1257" },
        { 1258, "CP1258" },
        { 20127, "ASCII" },
        { 20866, "KOI8-R" },
        { 21866, "KOI8-U" },
        { 28591, "ISO-8859-1" },
        { 28592, "ISO-8859-2" },
        { 28593, "ISO-8859-3" },
        { 28594, "ISO-8859-4" },
        { 28595, "ISO-8859-5" },
        { 28596, "ISO-8859-6" },
        { 28597, "ISO-8859-7" },
        { 28598, "ISO-8859-8" },
        { 28599, "ISO-8859-9" },
        { 28603, "ISO-8859-13" },
        { 28605, "ISO-8859-15" },
        { 50220, "ISO-2022-JP" },
        { 50221, "ISO-2022-JP" },
        { 50222, "ISO-2022-JP" },
        { 51932, "EUC-JP" },
        { 51936, "GB2312" },
        { 51949, "EUC-KR" },
        { 54936, "GB18030" },
        { 65000, "UTF-7" },
        { 65001, "UTF-8" }
    };

    size_t  i;

    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (map[i].cpid == cpid) {
            return map[i].name;
        }
    }

    return NULL;
}


/*
 * iconv from one charset to another, into a NUL-terminated 8-bit result.
 * With lossy set, an input unit (in_unit bytes) that cannot be converted
 * becomes '?' (transliteration is not portable), otherwise it fails.
 */

static int
exch_iconv(exs_arena_t *a, const char *to, const char *from, const char *s,
    size_t len, size_t in_unit, int lossy, exs_str_t *out)
{
    char     *buf, *in, *o;
    size_t    cap, inleft, outleft;
    iconv_t   cd;

    cd = iconv_open(to, from);
    if (cd == (iconv_t) -1) {
        return EXCH_ERR_CHARSET;
    }

    cap = len * 4 + 16;
    buf = exs_alloc(a, cap + 1);
    if (buf == NULL) {
        iconv_close(cd);
        return EXCH_ERR_NOMEM;
    }

    in = (char *) s;
    inleft = len;
    o = buf;
    outleft = cap;

    while (inleft > 0) {
        if (iconv(cd, &in, &inleft, &o, &outleft) != (size_t) -1) {
            continue;
        }

        if ((errno == EILSEQ || errno == EINVAL) && lossy && outleft > 0
            && inleft >= in_unit)
        {
            *o++ = '?';
            outleft--;
            in += in_unit;
            inleft -= in_unit;
            continue;
        }

        iconv_close(cd);
        return EXCH_ERR_CHARSET;
    }

    if (iconv(cd, NULL, NULL, &o, &outleft) == (size_t) -1) {
        iconv_close(cd);
        return EXCH_ERR_CHARSET;
    }

    iconv_close(cd);

    *o = '\0';
    out->data = buf;
    out->len = (size_t) (o - buf);

    return EXCH_OK;
}


int
exch_str8_to_utf8(exs_arena_t *a, uint32_t cpid, const char *s, size_t len,
    exs_str_t *out)
{
    const char  *cs;

    cs = exch_cpid_charset(cpid);
    if (cs == NULL || cpid == 1200) {
        return EXCH_ERR_CHARSET;
    }

    return exch_iconv(a, "UTF-8", cs, s, len, 1, 1, out);
}


int
exch_utf8_to_str8(exs_arena_t *a, uint32_t cpid, const char *s, size_t len,
    exs_str_t *out)
{
    int          rc;
    const char  *cs;
    exs_bin_t    u16;

    cs = exch_cpid_charset(cpid);
    if (cs == NULL || cpid == 1200) {
        return EXCH_ERR_CHARSET;
    }

    /* through UTF-16, so that an unrepresentable character costs one '?' */

    rc = exch_utf8_to_utf16(a, s, len, 0, &u16);
    if (rc != EXCH_OK) {
        return rc;
    }

    return exch_iconv(a, cs, "UTF-16LE", (const char *) u16.data, u16.len, 2,
                      1, out);
}
