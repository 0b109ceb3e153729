
/*
 * exch MAPI wire primitives: a bounds-checked little-endian reader and a
 * space-checked writer that every MAPI codec (MS-OXCRPC, MS-OXCDATA,
 * MS-OXCROPS, MS-OXCMAPIHTTP) is built on.  Nginx-free.
 *
 * Errors are sticky: the first failing read or write records its code in
 * r->err / w->err and every later call is a no-op returning that code, so
 * a parser may read a run of fields and check once.  Parsed strings and
 * byte runs may point into the input buffer; the caller keeps the input
 * alive as long as the parse result.
 */


#ifndef _EXCH_WIRE_H_INCLUDED_
#define _EXCH_WIRE_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <exs_mapi.h>


/* codec result codes (EXS_OK is 0 as well) */

#define EXCH_OK                    0
#define EXCH_ERR_TRUNCATED      -101   /* the input ends inside a field */
#define EXCH_ERR_FORMAT         -102   /* a value the spec forbids */
#define EXCH_ERR_TOOBIG         -103   /* a count or size beyond our limits */
#define EXCH_ERR_NOMEM          -104
#define EXCH_ERR_BUFSIZE        -105   /* the output buffer is too small */
#define EXCH_ERR_UNKNOWN        -106   /* an unknown ROP / request type */
#define EXCH_ERR_DEPTH          -107   /* restriction nesting too deep */
#define EXCH_ERR_CHARSET        -108   /* invalid UTF-16/UTF-8, no iconv */
#define EXCH_ERR_TRAILING       -109   /* bytes left over after a body */
#define EXCH_ERR_COMPRESSION    -110   /* LZ77 data does not decompress */

const char *exch_strerror(int rc);


/*
 * Reader and writer flags: the width of COUNT fields and the value form
 * differ by context (MS-OXCDATA 2.11.1.1).
 *
 *   0               ROP buffers: binary byte counts 16 bits, multi-value
 *                   counts 32 bits, restriction counts 16 bits
 *   EXCH_F_WIDE     extended rules and MAPI/HTTP: all counts 32 bits
 *   EXCH_F_ABK      address book values of MS-OXCMAPIHTTP 2.2.1: WIDE,
 *                   plus a HasValue byte before strings, binaries and
 *                   multi-values
 *   EXCH_F_UTF16_STRICT  a lone surrogate in UTF-16 input is an error
 *                   (EXCH_ERR_CHARSET) instead of becoming U+FFFD
 */

#define EXCH_F_WIDE             0x0001
#define EXCH_F_ABK              0x0002
#define EXCH_F_UTF16_STRICT     0x0004


typedef struct {
    const uint8_t            *start;
    const uint8_t            *p;
    const uint8_t            *end;
    exs_arena_t              *arena;
    unsigned                  flags;
    int                       err;
} exch_rd_t;


typedef struct {
    uint8_t                  *buf;
    size_t                    len;
    size_t                    cap;
    size_t                    limit;     /* growable: never beyond this */
    size_t                    held;      /* kept free at the end */
    exs_arena_t              *arena;     /* growable when not NULL */
    unsigned                  flags;
    uint32_t                  cpid;      /* code page for PT_STRING8 out */
    int                       err;
} exch_wr_t;


void exch_rd_init(exch_rd_t *r, const void *p, size_t len, exs_arena_t *a,
    unsigned flags);
/* a reader over the next len bytes of r, which r skips */
int exch_rd_sub(exch_rd_t *r, size_t len, exch_rd_t *sub);
size_t exch_rd_left(const exch_rd_t *r);
size_t exch_rd_pos(const exch_rd_t *r);
int exch_rd_fail(exch_rd_t *r, int err);
int exch_rd_need(exch_rd_t *r, size_t n);
int exch_rd_skip(exch_rd_t *r, size_t n);
int exch_rd_u8(exch_rd_t *r, uint8_t *v);
int exch_rd_u16(exch_rd_t *r, uint16_t *v);
int exch_rd_u32(exch_rd_t *r, uint32_t *v);
int exch_rd_u64(exch_rd_t *r, uint64_t *v);
int exch_rd_i32(exch_rd_t *r, int32_t *v);
int exch_rd_i64(exch_rd_t *r, int64_t *v);
int exch_rd_f32(exch_rd_t *r, float *v);
int exch_rd_f64(exch_rd_t *r, double *v);
int exch_rd_bytes(exch_rd_t *r, size_t n, const uint8_t **v);
/* a 2- or 4-byte (width) count, then that many bytes */
int exch_rd_counted(exch_rd_t *r, unsigned width, exs_bin_t *bin);
int exch_rd_guid(exch_rd_t *r, uint8_t guid[16]);
/* a NUL-terminated 8-bit string, pointing into the input */
int exch_rd_str8(exch_rd_t *r, exs_str_t *s);
/* a NUL-terminated UTF-16LE string, converted to UTF-8 in the arena */
int exch_rd_str16(exch_rd_t *r, exs_str_t *s);
/* an array of n elements of at least min_size bytes each is plausible */
int exch_rd_count_ok(exch_rd_t *r, uint64_t n, size_t min_size);
void *exch_rd_alloc(exch_rd_t *r, size_t n, size_t size);


/* a fixed buffer; writes beyond cap fail with EXCH_ERR_BUFSIZE */
void exch_wr_init(exch_wr_t *w, void *buf, size_t cap);
/* a buffer in the arena that grows up to limit */
int exch_wr_init_grow(exch_wr_t *w, exs_arena_t *a, size_t initial,
    size_t limit);
int exch_wr_fail(exch_wr_t *w, int err);
/* makes room for n more bytes in a growable buffer (exch_wr_space) */
int exch_wr_grow(exch_wr_t *w, size_t n);
static inline int exch_wr_space(exch_wr_t *w, size_t n);
/* back to an earlier length, clearing a BUFSIZE error */
void exch_wr_truncate(exch_wr_t *w, size_t len);
static inline int exch_wr_u8(exch_wr_t *w, uint8_t v);
static inline int exch_wr_u16(exch_wr_t *w, uint16_t v);
static inline int exch_wr_u32(exch_wr_t *w, uint32_t v);
static inline int exch_wr_u64(exch_wr_t *w, uint64_t v);
int exch_wr_f32(exch_wr_t *w, float v);
int exch_wr_f64(exch_wr_t *w, double v);
static inline int exch_wr_bytes(exch_wr_t *w, const void *p, size_t n);
int exch_wr_counted(exch_wr_t *w, unsigned width, const exs_bin_t *bin);
int exch_wr_zero(exch_wr_t *w, size_t n);
int exch_wr_guid(exch_wr_t *w, const uint8_t guid[16]);
/* s (len bytes, may be NULL for "") and a NUL byte */
int exch_wr_str8(exch_wr_t *w, const char *s, size_t len);
/* UTF-8 s converted to UTF-16LE, and a NUL character */
int exch_wr_str16(exch_wr_t *w, const char *s, size_t len);
/* reserve n bytes to patch later; *off receives their position */
int exch_wr_reserve(exch_wr_t *w, size_t n, size_t *off);
void exch_wr_patch_u8(exch_wr_t *w, size_t off, uint8_t v);
void exch_wr_patch_u16(exch_wr_t *w, size_t off, uint16_t v);
void exch_wr_patch_u32(exch_wr_t *w, size_t off, uint32_t v);


/* little-endian loads and stores */
static inline uint16_t exch_get16(const uint8_t *p);
static inline uint32_t exch_get32(const uint8_t *p);
static inline uint64_t exch_get64(const uint8_t *p);
static inline void exch_put16(uint8_t *p, uint16_t v);
static inline void exch_put32(uint8_t *p, uint32_t v);
static inline void exch_put64(uint8_t *p, uint64_t v);


/*
 * UTF-16LE <-> UTF-8.  The UTF-16 input is nbytes long (even, no NUL
 * needed); lone or reversed surrogates become U+FFFD unless strict is
 * set, when they are EXCH_ERR_CHARSET.  UTF-8 input that is not valid
 * UTF-8 (overlong forms, surrogates, beyond U+10FFFF, truncated) gets
 * the same treatment.  Results are NUL-terminated and live in the arena.
 */

int exch_utf16_to_utf8(exs_arena_t *a, const uint8_t *p, size_t nbytes,
    int strict, exs_str_t *out);
int exch_utf8_to_utf16(exs_arena_t *a, const char *s, size_t len,
    int strict, exs_bin_t *out);
/* the UTF-16 byte length of UTF-8 s, with invalid input counted as
 * U+FFFD; -1 when strict and invalid */
long exch_utf16_len(const char *s, size_t len, int strict);


/*
 * PT_STRING8 and code pages (iconv).  exch_cpid_charset() names the
 * iconv charset of a Windows code page id, NULL when unknown.
 */

const char *exch_cpid_charset(uint32_t cpid);
int exch_str8_to_utf8(exs_arena_t *a, uint32_t cpid, const char *s,
    size_t len, exs_str_t *out);
/* characters the code page lacks become '?' */
int exch_utf8_to_str8(exs_arena_t *a, uint32_t cpid, const char *s,
    size_t len, exs_str_t *out);


/* the readers and writers of single values are inline: a row of a table
 * is written with a few of them per column */

static inline uint16_t
exch_get16(const uint8_t *p)
{
    return (uint16_t) (p[0] | (p[1] << 8));
}


static inline uint32_t
exch_get32(const uint8_t *p)
{
    return (uint32_t) p[0] | ((uint32_t) p[1] << 8)
           | ((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
}


static inline uint64_t
exch_get64(const uint8_t *p)
{
    return (uint64_t) exch_get32(p) | ((uint64_t) exch_get32(p + 4) << 32);
}


static inline void
exch_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t) v;
    p[1] = (uint8_t) (v >> 8);
}


static inline void
exch_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t) v;
    p[1] = (uint8_t) (v >> 8);
    p[2] = (uint8_t) (v >> 16);
    p[3] = (uint8_t) (v >> 24);
}


static inline void
exch_put64(uint8_t *p, uint64_t v)
{
    exch_put32(p, (uint32_t) v);
    exch_put32(p + 4, (uint32_t) (v >> 32));
}


static inline int
exch_wr_space(exch_wr_t *w, size_t n)
{
    if (w->err != EXCH_OK) {
        return w->err;
    }

    if (w->limit < w->held || n > w->limit - w->held
        || w->len > w->limit - w->held - n)
    {
        return exch_wr_fail(w, EXCH_ERR_BUFSIZE);
    }

    if (w->cap - w->len >= n) {
        return EXCH_OK;
    }

    return exch_wr_grow(w, n);
}


static inline int
exch_wr_u8(exch_wr_t *w, uint8_t v)
{
    if (exch_wr_space(w, 1) != EXCH_OK) {
        return w->err;
    }

    w->buf[w->len++] = v;

    return EXCH_OK;
}


static inline int
exch_wr_u16(exch_wr_t *w, uint16_t v)
{
    if (exch_wr_space(w, 2) != EXCH_OK) {
        return w->err;
    }

    exch_put16(w->buf + w->len, v);
    w->len += 2;

    return EXCH_OK;
}


static inline int
exch_wr_u32(exch_wr_t *w, uint32_t v)
{
    if (exch_wr_space(w, 4) != EXCH_OK) {
        return w->err;
    }

    exch_put32(w->buf + w->len, v);
    w->len += 4;

    return EXCH_OK;
}


static inline int
exch_wr_u64(exch_wr_t *w, uint64_t v)
{
    if (exch_wr_space(w, 8) != EXCH_OK) {
        return w->err;
    }

    exch_put64(w->buf + w->len, v);
    w->len += 8;

    return EXCH_OK;
}


static inline int
exch_wr_bytes(exch_wr_t *w, const void *p, size_t n)
{
    if (exch_wr_space(w, n) != EXCH_OK) {
        return w->err;
    }

    if (n) {
        memcpy(w->buf + w->len, p, n);
        w->len += n;
    }

    return EXCH_OK;
}


#endif /* _EXCH_WIRE_H_INCLUDED_ */
