
/*
 * exch: LZ77 compression and XorMagic obfuscation of MS-OXCRPC 3.1.4.1.1.
 *
 * The stream is a sequence of groups: a 32-bit little-endian flag word,
 * read from its most significant bit, then 32 items, each a literal byte
 * (flag 0) or a match (flag 1).  A match is a 16-bit word: the high 13
 * bits are the distance minus 1 (up to 8192 back), the low 3 bits the
 * length minus 3.  Length bits 7 mean "10 or more": the next free nibble
 * adds up to 15 (a nibble byte is shared by two consecutive long
 * matches, low nibble first); a nibble of 15 adds a byte; a byte of 255
 * is followed by a 16-bit word holding the whole length minus 3.  The
 * encoder ends with flag bits of 1 after the last item, which a decoder
 * reading a match flag at the end of the input takes as the end (MS-XCA
 * 2.4's decoder stops there too).
 */


#include <stdlib.h>
#include <string.h>

#include "exch_wire.h"
#include "exch_oxcrpc_lz77.h"


#define EXCH_LZ_WINDOW          8192
/* the bytes a hash look-up reads */
#define EXCH_LZ_HASHED          4
#define EXCH_LZ_MAX             (0xFFFF + 3)
#define EXCH_LZ_HASH_BITS       13
#define EXCH_LZ_NONE            ((size_t) -1)
#define EXCH_LZ_NOPOS           0xFFFFFFFFu
/* after 2^EXCH_LZ_SKIP positions without a match the search steps over
 * one more byte each time (as LZ4's acceleration): random data costs a
 * look-up every few bytes, not one per byte */
#define EXCH_LZ_SKIP            5


/* the writer: out holds at least exch_lz77_bound() bytes, so no item
 * checks for room */

typedef struct {
    uint8_t                  *out;
    size_t                    len;
    size_t                    flag_pos;
    size_t                    nibble_pos;
    uint32_t                  flags;
    unsigned                  nflags;
} exch_lz_out_t;


static void exch_lz_flag(exch_lz_out_t *o, uint32_t bit);
static void exch_lz_literals(exch_lz_out_t *o, const uint8_t *p, size_t n);
static void exch_lz_match(exch_lz_out_t *o, size_t dist, size_t len);
static int exch_lz_same3(const uint8_t *a, const uint8_t *b);
static uint32_t exch_lz_hash(const uint8_t *p, unsigned bits);
static size_t exch_lz_common(const uint8_t *a, const uint8_t *b, size_t max);
static int exch_lz_encode(const uint8_t *in, size_t len, uint8_t *out,
    size_t *outlen);


size_t
exch_lz77_bound(size_t len)
{
    /* all literals: a flag word per 32 bytes, plus the terminating one */
    return len + (len + 31) / 32 * 4 + 8;
}


void
exch_xor_magic(uint8_t *p, size_t len)
{
    size_t    i;
    uint64_t  v;

    /* eight bytes at a time */
    for (i = 0; len - i >= 8; i += 8) {
        memcpy(&v, p + i, 8);
        v ^= 0xA5A5A5A5A5A5A5A5ULL;
        memcpy(p + i, &v, 8);
    }

    for ( /* void */ ; i < len; i++) {
        p[i] ^= 0xA5;
    }
}


/* records one item's flag, starting a new group before the 33rd item */

static inline void
exch_lz_flag(exch_lz_out_t *o, uint32_t bit)
{
    if (o->nflags == 32) {
        exch_put32(o->out + o->flag_pos, o->flags);
        o->flag_pos = o->len;
        o->len += 4;
        o->flags = 0;
        o->nflags = 0;
    }

    o->flags |= bit << (31 - o->nflags);
    o->nflags++;
}


static void
exch_lz_literals(exch_lz_out_t *o, const uint8_t *p, size_t n)
{
    size_t  k;

    while (n) {
        if (o->nflags == 32) {
            exch_lz_flag(o, 0);
            o->nflags--;
        }

        /* as many as the group has room for: their flag bits are 0 */
        k = 32 - o->nflags;
        k = k < n ? k : n;

        memcpy(o->out + o->len, p, k);
        o->len += k;
        o->nflags += (unsigned) k;
        p += k;
        n -= k;
    }
}


static inline void
exch_lz_match(exch_lz_out_t *o, size_t dist, size_t len)
{
    size_t    rem;
    uint8_t  *p;
    unsigned  nib, v;

    exch_lz_flag(o, 1);

    p = o->out + o->len;

    if (len - 3 < 7) {
        v = (unsigned) (((dist - 1) << 3) | (len - 3));
        p[0] = (uint8_t) v;
        p[1] = (uint8_t) (v >> 8);
        o->len += 2;
        return;
    }

    v = (unsigned) (((dist - 1) << 3) | 7);
    p[0] = (uint8_t) v;
    p[1] = (uint8_t) (v >> 8);
    o->len += 2;

    rem = len - 3 - 7;
    nib = rem < 15 ? (unsigned) rem : 15;

    if (o->nibble_pos == EXCH_LZ_NONE) {
        o->nibble_pos = o->len;
        o->out[o->len++] = (uint8_t) nib;

    } else {
        o->out[o->nibble_pos] |= (uint8_t) (nib << 4);
        o->nibble_pos = EXCH_LZ_NONE;
    }

    if (nib < 15) {
        return;
    }

    rem = len - 3 - 7 - 15;
    p = o->out + o->len;

    if (rem < 255) {
        p[0] = (uint8_t) rem;
        o->len++;
        return;
    }

    p[0] = 255;
    p[1] = (uint8_t) (len - 3);
    p[2] = (uint8_t) ((len - 3) >> 8);
    o->len += 3;
}


/* the length of the common prefix, eight bytes at a time */

static inline size_t
exch_lz_common(const uint8_t *a, const uint8_t *b, size_t max)
{
    size_t    n;
    uint64_t  x, y;

    n = 0;

    while (max - n >= 8) {
        memcpy(&x, a + n, 8);
        memcpy(&y, b + n, 8);

        if (x != y) {
#if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
            return n + (size_t) (__builtin_ctzll(x ^ y) >> 3);
#else
            break;
#endif
        }

        n += 8;
    }

    while (n < max && a[n] == b[n]) {
        n++;
    }

    return n;
}


static inline int
exch_lz_same3(const uint8_t *a, const uint8_t *b)
{
    return a[0] == b[0] && a[1] == b[1] && a[2] == b[2];
}


/* of the 4 bytes at p: 3-byte matches are left to the last distance */

static inline uint32_t
exch_lz_hash(const uint8_t *p, unsigned bits)
{
    uint32_t  v;

    v = exch_get32(p);

    return (v * 2654435761u) >> (32 - bits);
}


/*
 * Greedy, with two candidates per position: the distance of the last
 * match and the last position with the same 4 bytes (one hash slot, no
 * chain), so each position costs one look-up and at most two comparisons.
 * Inside a match only its second and last positions are indexed.  It
 * gives up some ratio for speed: the answer of an Execute compresses
 * about a fifth less well than with 8-deep chains, at half the time.
 */

static int
exch_lz_encode(const uint8_t *in, size_t len, uint8_t *out, size_t *outlen)
{
    size_t          i, lit, cand, n, m, max, end, step, miss, hsize, dist,
                    rep;
    uint32_t        h, *head;
    unsigned        bits;
    exch_lz_out_t   o;

    for (bits = 8; bits < EXCH_LZ_HASH_BITS && ((size_t) 1 << bits) < len;
         bits++)
    {
        /* void */
    }

    hsize = (size_t) 1 << bits;

    head = malloc(sizeof(uint32_t) * hsize);
    if (head == NULL) {
        return EXCH_ERR_NOMEM;
    }

    memset(head, 0xFF, sizeof(uint32_t) * hsize);

    o.out = out;
    o.len = 4;
    o.flag_pos = 0;
    o.nibble_pos = EXCH_LZ_NONE;
    o.flags = 0;
    o.nflags = 0;

    i = 0;
    lit = 0;
    miss = 0;
    rep = 0;
    dist = 0;

    while (len - i > EXCH_LZ_HASHED) {
        h = exch_lz_hash(in + i, bits);
        cand = head[h];
        head[h] = (uint32_t) i;
        max = len - i < EXCH_LZ_MAX ? len - i : EXCH_LZ_MAX;
        n = 0;

        /* the distance of the last match first: rows of a table repeat
         * at their own length */
        if (rep && rep <= i && exch_lz_same3(in + i - rep, in + i)) {
            n = 3 + exch_lz_common(in + i - rep + 3, in + i + 3, max - 3);
            dist = rep;
        }

        if (cand != EXCH_LZ_NOPOS && i - cand <= EXCH_LZ_WINDOW
            && i - cand != rep
            && exch_get32(in + cand) == exch_get32(in + i)
            && (n == 0 || (n < max && in[cand + n] == in[i + n])))
        {
            m = 3 + exch_lz_common(in + cand + 3, in + i + 3, max - 3);

            if (m > n) {
                n = m;
                dist = i - cand;
            }
        }

        if (n == 0) {
            step = 1 + (miss++ >> EXCH_LZ_SKIP);
            i = len - i - EXCH_LZ_HASHED > step ? i + step
                                                : len - EXCH_LZ_HASHED;
            continue;
        }

        exch_lz_literals(&o, in + lit, i - lit);
        exch_lz_match(&o, dist, n);
        rep = dist;

        end = i + n;

        if (len - end > EXCH_LZ_HASHED) {
            head[exch_lz_hash(in + i + 1, bits)] = (uint32_t) (i + 1);
            head[exch_lz_hash(in + end - 1, bits)] = (uint32_t) (end - 1);
        }

        i = end;
        lit = end;
        miss = 0;
    }

    exch_lz_literals(&o, in + lit, len - lit);

    free(head);

    if (o.nflags == 32) {
        exch_put32(o.out + o.flag_pos, o.flags);
        o.flag_pos = o.len;
        o.len += 4;
        o.flags = 0;
        o.nflags = 0;
    }

    /* the bits after the last item say "end" */
    o.flags |= o.nflags == 0 ? 0xFFFFFFFF : 0xFFFFFFFF >> o.nflags;
    exch_put32(o.out + o.flag_pos, o.flags);

    *outlen = o.len;

    return EXCH_OK;
}


int
exch_lz77_compress(const uint8_t *in, size_t len, uint8_t *out, size_t cap,
    size_t *outlen)
{
    int       rc;
    size_t    n;
    uint8_t  *tmp;

    *outlen = 0;

    if (len >= EXCH_LZ_NOPOS) {
        return EXCH_ERR_TOOBIG;
    }

    if (cap >= exch_lz77_bound(len)) {
        return exch_lz_encode(in, len, out, outlen);
    }

    /* a smaller buffer may still hold the result: encode aside */
    tmp = malloc(exch_lz77_bound(len));
    if (tmp == NULL) {
        return EXCH_ERR_NOMEM;
    }

    rc = exch_lz_encode(in, len, tmp, &n);

    if (rc == EXCH_OK) {
        if (n <= cap) {
            memcpy(out, tmp, n);
            *outlen = n;

        } else {
            rc = EXCH_ERR_BUFSIZE;
        }
    }

    free(tmp);

    return rc;
}


int
exch_lz77_decompress(const uint8_t *in, size_t len, uint8_t *out, size_t cap,
    size_t *outlen)
{
    size_t    ip, op, dist, n, nibble_pos, k;
    uint32_t  flags, v;
    unsigned  nflags;

    ip = 0;
    op = 0;
    flags = 0;
    nflags = 0;
    nibble_pos = EXCH_LZ_NONE;

    *outlen = 0;

    for ( ;; ) {

        if (nflags == 0) {
            if (ip == len) {
                break;
            }

            if (len - ip < 4) {
                return EXCH_ERR_COMPRESSION;
            }

            flags = exch_get32(in + ip);
            ip += 4;
            nflags = 32;
        }

        nflags--;

        if (ip == len) {
            break;
        }

        if (((flags >> nflags) & 1) == 0) {
            if (op == cap) {
                return EXCH_ERR_COMPRESSION;
            }

            out[op++] = in[ip++];
            continue;
        }

        if (len - ip < 2) {
            return EXCH_ERR_COMPRESSION;
        }

        v = exch_get16(in + ip);
        ip += 2;

        dist = (v >> 3) + 1;
        n = v & 7;

        if (n == 7) {
            if (nibble_pos == EXCH_LZ_NONE) {
                if (ip == len) {
                    return EXCH_ERR_COMPRESSION;
                }

                nibble_pos = ip;
                n = in[ip++] & 0x0F;

            } else {
                n = in[nibble_pos] >> 4;
                nibble_pos = EXCH_LZ_NONE;
            }

            if (n == 15) {
                if (ip == len) {
                    return EXCH_ERR_COMPRESSION;
                }

                n = in[ip++];

                if (n == 255) {
                    if (len - ip < 2) {
                        return EXCH_ERR_COMPRESSION;
                    }

                    v = exch_get16(in + ip);
                    ip += 2;

                    if (v == 0) {
                        /* MS-XCA's 32-bit form; MS-OXCRPC never needs it */
                        if (len - ip < 4) {
                            return EXCH_ERR_COMPRESSION;
                        }

                        v = exch_get32(in + ip);
                        ip += 4;
                    }

                    if (v < 15 + 7) {
                        return EXCH_ERR_COMPRESSION;
                    }

                    n = v - 15 - 7;
                }

                n += 15;
            }

            n += 7;
        }

        n += 3;

        if (dist > op || n > cap - op) {
            return EXCH_ERR_COMPRESSION;
        }

        /* byte by byte: the source may overlap what is being written */
        for (k = 0; k < n; k++) {
            out[op + k] = out[op + k - dist];
        }

        op += n;
    }

    *outlen = op;

    return EXCH_OK;
}
