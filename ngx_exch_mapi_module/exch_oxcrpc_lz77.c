
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
 * reading a match flag at the end of the input takes as the end.
 */


#include <stdlib.h>
#include <string.h>

#include "exch_wire.h"
#include "exch_oxcrpc_lz77.h"


#define EXCH_LZ_WINDOW          8192
#define EXCH_LZ_MIN             3
#define EXCH_LZ_MAX             (0xFFFF + 3)
#define EXCH_LZ_HASH_BITS       14
#define EXCH_LZ_CHAIN           48
#define EXCH_LZ_NONE            ((size_t) -1)


typedef struct {
    uint8_t                  *out;
    size_t                    cap;
    size_t                    len;
    size_t                    flag_pos;
    size_t                    nibble_pos;
    uint32_t                  flags;
    unsigned                  nflags;
    int                       err;
} exch_lz_out_t;


static void exch_lz_put(exch_lz_out_t *o, const void *p, size_t n);
static void exch_lz_flag(exch_lz_out_t *o, unsigned bit);
static void exch_lz_flush(exch_lz_out_t *o);
static void exch_lz_match(exch_lz_out_t *o, size_t dist, size_t len);
static uint32_t exch_lz_hash(const uint8_t *p, unsigned bits);


size_t
exch_lz77_bound(size_t len)
{
    /* all literals: a flag word per 32 bytes, plus the terminating one */
    return len + (len + 31) / 32 * 4 + 8;
}


void
exch_xor_magic(uint8_t *p, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        p[i] ^= 0xA5;
    }
}


static void
exch_lz_put(exch_lz_out_t *o, const void *p, size_t n)
{
    if (o->err != EXCH_OK) {
        return;
    }

    if (o->cap - o->len < n) {
        o->err = EXCH_ERR_BUFSIZE;
        return;
    }

    memcpy(o->out + o->len, p, n);
    o->len += n;
}


static void
exch_lz_flush(exch_lz_out_t *o)
{
    if (o->err == EXCH_OK) {
        exch_put32(o->out + o->flag_pos, o->flags);
    }
}


/* records one item's flag, starting a new group before the 33rd item */

static void
exch_lz_flag(exch_lz_out_t *o, unsigned bit)
{
    static const uint8_t  zero[4];

    if (o->nflags == 32) {
        exch_lz_flush(o);
        o->flag_pos = o->len;
        exch_lz_put(o, zero, 4);
        o->flags = 0;
        o->nflags = 0;
    }

    if (bit) {
        o->flags |= (uint32_t) 1 << (31 - o->nflags);
    }

    o->nflags++;
}


static void
exch_lz_match(exch_lz_out_t *o, size_t dist, size_t len)
{
    uint8_t   b[2];
    size_t    rem;
    unsigned  nib;

    exch_lz_flag(o, 1);

    if (len - 3 < 7) {
        exch_put16(b, (uint16_t) (((dist - 1) << 3) | (len - 3)));
        exch_lz_put(o, b, 2);
        return;
    }

    exch_put16(b, (uint16_t) (((dist - 1) << 3) | 7));
    exch_lz_put(o, b, 2);

    rem = len - 3 - 7;
    nib = rem < 15 ? (unsigned) rem : 15;

    if (o->nibble_pos == EXCH_LZ_NONE) {
        o->nibble_pos = o->len;
        b[0] = (uint8_t) nib;
        exch_lz_put(o, b, 1);

    } else {
        if (o->err == EXCH_OK) {
            o->out[o->nibble_pos] |= (uint8_t) (nib << 4);
        }

        o->nibble_pos = EXCH_LZ_NONE;
    }

    if (nib < 15) {
        return;
    }

    rem = len - 3 - 7 - 15;

    if (rem < 255) {
        b[0] = (uint8_t) rem;
        exch_lz_put(o, b, 1);
        return;
    }

    b[0] = 255;
    exch_lz_put(o, b, 1);
    exch_put16(b, (uint16_t) (len - 3));
    exch_lz_put(o, b, 2);
}


static uint32_t
exch_lz_hash(const uint8_t *p, unsigned bits)
{
    uint32_t  v;

    v = (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16);

    return (v * 2654435761u) >> (32 - bits);
}


int
exch_lz77_compress(const uint8_t *in, size_t len, uint8_t *out, size_t cap,
    size_t *outlen)
{
    size_t          i, j, best, best_dist, cand, n, max, steps, end, psize,
                    hsize;
    size_t         *head, *prev;
    uint32_t        h;
    unsigned        bits;
    exch_lz_out_t   o;
    static const uint8_t  zero[4];

    *outlen = 0;

    /* tables sized to the input: most buffers are a few kilobytes */
    for (bits = 8; bits < EXCH_LZ_HASH_BITS && ((size_t) 1 << bits) < len;
         bits++)
    {
        /* void */
    }

    hsize = (size_t) 1 << bits;
    psize = len < EXCH_LZ_WINDOW ? (len ? len : 1) : EXCH_LZ_WINDOW;

    head = malloc(sizeof(size_t) * (hsize + psize));
    if (head == NULL) {
        return EXCH_ERR_NOMEM;
    }

    prev = head + hsize;

    for (i = 0; i < hsize; i++) {
        head[i] = EXCH_LZ_NONE;
    }

    o.out = out;
    o.cap = cap;
    o.len = 0;
    o.flag_pos = 0;
    o.nibble_pos = EXCH_LZ_NONE;
    o.flags = 0;
    o.nflags = 0;
    o.err = EXCH_OK;

    exch_lz_put(&o, zero, 4);

    i = 0;

    while (i < len && o.err == EXCH_OK) {
        best = 0;
        best_dist = 0;

        if (len - i >= EXCH_LZ_MIN) {
            h = exch_lz_hash(in + i, bits);
            cand = head[h];
            max = len - i < EXCH_LZ_MAX ? len - i : EXCH_LZ_MAX;

            for (steps = 0;
                 cand != EXCH_LZ_NONE && i - cand <= EXCH_LZ_WINDOW
                 && steps < EXCH_LZ_CHAIN;
                 steps++)
            {
                for (n = 0; n < max && in[cand + n] == in[i + n]; n++) {
                    /* void */
                }

                if (n > best) {
                    best = n;
                    best_dist = i - cand;

                    if (n == max) {
                        break;
                    }
                }

                if (prev[cand % psize] >= cand) {
                    break;
                }

                cand = prev[cand % psize];
            }
        }

        if (best < EXCH_LZ_MIN) {
            best = 1;
        }

        /* index every position the item covers */
        end = i + best;

        for (j = i; j < end && j + EXCH_LZ_MIN <= len; j++) {
            h = exch_lz_hash(in + j, bits);
            prev[j % psize] = head[h];
            head[h] = j;
        }

        if (best >= EXCH_LZ_MIN) {
            exch_lz_match(&o, best_dist, best);

        } else {
            exch_lz_flag(&o, 0);
            exch_lz_put(&o, in + i, 1);
        }

        i = end;
    }

    free(head);

    if (o.err == EXCH_OK && o.nflags == 32) {
        exch_lz_flush(&o);
        o.flag_pos = o.len;
        exch_lz_put(&o, zero, 4);
        o.flags = 0;
        o.nflags = 0;
    }

    if (o.err != EXCH_OK) {
        return o.err;
    }

    /* the bits after the last item say "end" */
    o.flags |= o.nflags == 0 ? 0xFFFFFFFF : 0xFFFFFFFF >> o.nflags;
    exch_lz_flush(&o);

    *outlen = o.len;

    return EXCH_OK;
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
