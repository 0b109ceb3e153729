
/*
 * MS-OXCRPC extended buffers: LZ77 compression, XorMagic, RPC_HEADER_EXT
 * chains and AUX_HEADER blocks.
 */


#include <stdlib.h>
#include <exs_mapi.h>
#include <exch_wire.h>
#include <exch_oxcrpc_lz77.h>
#include <exch_oxcrpc_rpc_ext.h>
#include <tap.h>
#include "mapi_util.h"


static int roundtrip(const uint8_t *in, size_t len);
static void test_spec_examples(void);
static void test_roundtrips(void);
static void test_bad_input(void);
static void test_rhe(void);
static void test_aux(void);


static int
roundtrip(const uint8_t *in, size_t len)
{
    int       ok;
    size_t    clen, dlen, cap;
    uint8_t  *c, *d;

    cap = exch_lz77_bound(len);
    c = malloc(cap);
    d = malloc(len + 1);

    ok = exch_lz77_compress(in, len, c, cap, &clen) == EXCH_OK
         && clen <= cap
         && exch_lz77_decompress(c, clen, d, len, &dlen) == EXCH_OK
         && dlen == len
         && memcmp(in, d, len) == 0;

    free(c);
    free(d);

    return ok;
}


/*
 * MS-OXCRPC 3.1.4.1.1.2 uses the plain LZ77 of MS-XCA 2.3/2.4; MS-XCA
 * 3.1 gives these two examples.
 */

static void
test_spec_examples(void)
{
    size_t   n, clen, dlen;
    uint8_t  want[64], out[512], in[300];
    int      i;

    static const char  *alpha = "abcdefghijklmnopqrstuvwxyz";

    n = hex("3f 00 00 00 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f 70"
            " 71 72 73 74 75 76 77 78 79 7a", want, sizeof(want));
    is_int(exch_lz77_compress((const uint8_t *) alpha, 26, out, sizeof(out),
                              &clen), EXCH_OK, "compress the alphabet");
    is_mem(out, clen, want, n,
           "26 literals: flag word 0x3f (six end bits), the letters "
           "(MS-XCA 3.1)");
    is_int(exch_lz77_decompress(want, n, out, sizeof(out), &dlen), EXCH_OK,
           "decompress the spec's alphabet");
    is_mem(out, dlen, alpha, 26, "the alphabet comes back");

    for (i = 0; i < 300; i++) {
        in[i] = "abc"[i % 3];
    }

    n = hex("ff ff ff 1f 61 62 63 17 00 0f ff 26 01", want, sizeof(want));
    is_int(exch_lz77_compress(in, 300, out, sizeof(out), &clen), EXCH_OK,
           "compress abc x 100");
    is_mem(out, clen, want, n,
           "abc then one match of 297 at distance 3: nibble 15, byte 255, "
           "length-3 in 16 bits (MS-XCA 3.1)");
    is_int(exch_lz77_decompress(want, n, out, sizeof(out), &dlen), EXCH_OK,
           "decompress the spec's abc x 100");
    is_mem(out, dlen, in, 300, "300 bytes come back");

    /* the 16 bytes "XorMagic" obfuscation of MS-OXCRPC 3.1.4.1.1.3 */
    n = hex("00 a5 ff 5a", want, sizeof(want));
    exch_xor_magic(want, n);
    n = hex("a5 00 5a ff", out, sizeof(out));
    is_mem(want, 4, out, n, "XorMagic XORs every byte with 0xA5");
}


static void
test_roundtrips(void)
{
    size_t    i, n;
    uint8_t  *buf;
    uint32_t  seed;
    int       ok;

    buf = malloc(200000);

    ok = roundtrip(buf, 0);
    ok(ok, "empty input round-trips");

    for (i = 0; i < 200000; i++) {
        buf[i] = 'x';
    }

    ok(roundtrip(buf, 200000),
       "200000 equal bytes round-trip (matches beyond 65538 split)");
    ok(roundtrip(buf, 10) && roundtrip(buf, 24) && roundtrip(buf, 25)
       && roundtrip(buf, 279) && roundtrip(buf, 280) && roundtrip(buf, 281),
       "lengths at the nibble/byte/word boundaries round-trip");

    seed = 12345;

    for (i = 0; i < 200000; i++) {
        seed = seed * 1103515245 + 12345;
        buf[i] = (uint8_t) (seed >> 16);
    }

    ok(roundtrip(buf, 200000), "random bytes round-trip");

    /* text-like data with matches of every length and shared nibbles */
    n = 0;

    for (i = 0; n + 64 < 100000; i++) {
        seed = seed * 1103515245 + 12345;
        n += (size_t) snprintf((char *) buf + n, 64, "row %zu len %u %.*s\n",
                               i % 97, (seed >> 16) % 50,
                               (int) ((seed >> 8) % 40),
                               "abcdefghijklmnopqrstuvwxyzabcdefghijklmn");
    }

    ok(roundtrip(buf, n), "%zu bytes of repetitive text round-trip", n);

    for (i = 1; i < 70; i++) {
        if (!roundtrip(buf, i)) {
            break;
        }
    }

    is_int(i, 70, "every length from 1 to 69 round-trips");

    /* rows of a table: the same layout every 420 bytes, a few bytes
     * differing, as a QueryRows answer */
    for (i = 0; i < 50 * 420; i++) {
        buf[i] = (uint8_t) ("\x0a\x0f\x01\x04\x80" "B\0e\0n\0c\0h\0"[i % 16]);
    }

    for (i = 0; i < 50; i++) {
        buf[i * 420 + 7] = (uint8_t) i;
        buf[i * 420 + 200] = (uint8_t) (i * 7);
        buf[i * 420 + 333] = (uint8_t) (i >> 1);
    }

    ok(roundtrip(buf, 50 * 420), "50 rows of 420 bytes round-trip");
    ok = exch_lz77_compress(buf, 50 * 420, buf + 100000, 100000, &n)
         == EXCH_OK;
    ok(ok && n < 50 * 420 / 8,
       "and compress to less than an eighth (%zu bytes)", n);

    /* a buffer below the bound that holds the result */
    ok(exch_lz77_compress(buf, 50 * 420, buf + 100000, n, &i) == EXCH_OK
       && i == n, "a buffer of exactly the compressed size is enough");
    is_int(exch_lz77_compress(buf, 50 * 420, buf + 100000, n - 1, &i),
           EXCH_ERR_BUFSIZE, "one byte less is not");

    free(buf);
}


static void
test_bad_input(void)
{
    size_t   n, dlen, i;
    uint8_t  in[64], out[512], comp[64];
    int      bad;

    /* a match before the start of the output */
    n = hex("00 00 00 80 08 00", in, sizeof(in));
    is_int(exch_lz77_decompress(in, n, out, sizeof(out), &dlen),
           EXCH_ERR_COMPRESSION, "a back reference before the start fails");

    /* a flag word cut short */
    n = hex("00 00", in, sizeof(in));
    is_int(exch_lz77_decompress(in, n, out, sizeof(out), &dlen),
           EXCH_ERR_COMPRESSION, "a truncated flag word fails");

    /* output beyond the cap */
    n = hex("ff ff ff 1f 61 62 63 17 00 0f ff 26 01", in, sizeof(in));
    is_int(exch_lz77_decompress(in, n, out, 100, &dlen),
           EXCH_ERR_COMPRESSION, "output beyond the cap fails");

    /* the 16-bit length form below 22 */
    n = hex("ff ff ff 1f 61 62 63 17 00 0f ff 05 00", in, sizeof(in));
    is_int(exch_lz77_decompress(in, n, out, sizeof(out), &dlen),
           EXCH_ERR_COMPRESSION, "a 16-bit length below 22 fails");

    /* every truncation either fails or yields less */
    n = hex("ff ff ff 1f 61 62 63 17 00 0f ff 26 01", comp, sizeof(comp));
    bad = 0;

    for (i = 0; i < n; i++) {
        if (exch_lz77_decompress(comp, i, out, sizeof(out), &dlen)
            == EXCH_OK && dlen == 300)
        {
            bad++;
        }
    }

    is_int(bad, 0, "no truncation of a compressed buffer decodes fully");

    n = 26;
    is_int(exch_lz77_compress((const uint8_t *) "abcdefghijklmnopqrstuvwxyz",
                              n, out, 10, &dlen),
           EXCH_ERR_BUFSIZE, "compression into a small buffer says so");
}


static void
test_rhe(void)
{
    size_t             i, n;
    uint8_t            payload[4000], buf[9000], in[64];
    uint16_t           flags;
    exch_wr_t          w;
    exs_arena_t       *a;
    exch_rhe_chain_t   chain;

    a = exs_arena_create(0);

    for (i = 0; i < sizeof(payload); i++) {
        payload[i] = (uint8_t) ("ROP buffer "[i % 11]);
    }

    exch_wr_init(&w, buf, sizeof(buf));
    is_int(exch_rhe_write(&w, a, payload, 2000, EXCH_RHE_COMPRESSED
                          | EXCH_RHE_XORMAGIC, &flags), EXCH_OK,
           "write a compressed, obfuscated segment");
    is_int(flags, EXCH_RHE_COMPRESSED | EXCH_RHE_XORMAGIC,
           "both flags are kept when compression helps");
    n = w.len;
    is_int(exch_get16(buf + 6), 2000, "SizeActual is the payload size");
    ok(exch_get16(buf + 4) < 200, "Size is the compressed size (%u)",
       exch_get16(buf + 4));

    exch_rhe_write(&w, a, payload + 2000, 2000,
                   EXCH_RHE_XORMAGIC | EXCH_RHE_LAST, &flags);
    is_int(flags, EXCH_RHE_XORMAGIC | EXCH_RHE_LAST,
           "an uncompressed last segment");

    is_int(exch_rhe_parse(buf, w.len, a, 0x10000, &chain), EXCH_OK,
           "parse the two-segment chain");
    is_int(chain.n, 2, "two segments");
    is_int(chain.consumed, w.len, "all of it consumed");
    is_mem(chain.data, chain.len, payload, 4000,
           "the payloads decode and concatenate");
    is_int(chain.segs[0].flags, EXCH_RHE_COMPRESSED | EXCH_RHE_XORMAGIC,
           "the first segment's flags");

    is_int(exch_rhe_parse(buf, n, a, 0x10000, &chain), EXCH_ERR_FORMAT,
           "a chain without Last is malformed");
    is_int(exch_rhe_parse(buf, w.len, a, 2000, &chain), EXCH_ERR_TOOBIG,
           "max_total caps the decoded size");

    for (i = 0; i < w.len; i += 97) {
        if (exch_rhe_parse(buf, i, a, 0x10000, &chain) == EXCH_OK) {
            break;
        }
    }

    ok(i >= w.len, "no truncation of the chain parses");

    /* the header example of MS-OXCRPC 4.2, with a 2-byte payload */
    n = hex("00 00 04 00 02 00 02 00 02 00", in, sizeof(in));
    is_int(exch_rhe_parse(in, n, a, 0x10000, &chain), EXCH_OK,
           "Version 0, Flags Last, Size = SizeActual");
    is_int(chain.len, 2, "one 2-byte payload");

    n = hex("01 00 04 00 02 00 02 00 02 00", in, sizeof(in));
    is_int(exch_rhe_parse(in, n, a, 0x10000, &chain), EXCH_ERR_FORMAT,
           "Version 1 is refused");
    n = hex("00 00 04 00 02 00 03 00 02 00", in, sizeof(in));
    is_int(exch_rhe_parse(in, n, a, 0x10000, &chain), EXCH_ERR_FORMAT,
           "uncompressed Size != SizeActual is refused");
    n = hex("00 00 05 00 06 00 10 00 00 00 00 00 61 61", in, sizeof(in));
    is_int(exch_rhe_parse(in, n, a, 0x10000, &chain), EXCH_ERR_COMPRESSION,
           "compressed data that decodes short is refused");

    /* short payloads are never compressed */
    exch_wr_init(&w, buf, sizeof(buf));
    exch_rhe_write(&w, a, payload, 100, EXCH_RHE_COMPRESSED | EXCH_RHE_LAST,
                   &flags);
    is_int(flags, EXCH_RHE_LAST, "a 100-byte payload goes uncompressed");

    exch_wr_init(&w, buf, 50);
    is_int(exch_rhe_write(&w, a, payload, 100, EXCH_RHE_LAST, &flags),
           EXCH_ERR_BUFSIZE, "a full output buffer says so");

    exch_wr_init(&w, buf, sizeof(buf));
    exch_rhe_write(&w, a, payload, 10, 0, NULL);
    exch_rhe_set_last(&w, 0);
    is_int(exch_get16(buf + 2), EXCH_RHE_LAST, "set_last patches the flag");

    exs_arena_destroy(a);
}


static void
test_aux(void)
{
    size_t        n;
    uint8_t       buf[512], in[256];
    exch_wr_t     w;
    exch_aux_t    aux;
    exs_arena_t  *a;

    a = exs_arena_create(0);

    exch_wr_init(&w, buf, sizeof(buf));
    exch_aux_write_endpoint_capabilities(&w,
        EXCH_AUX_ENDPOINT_CAPABILITIES_SINGLE_ENDPOINT);
    exch_aux_write_server_session_info(&w, "exch-7");
    exch_aux_write_exorginfo(&w, 0);
    exch_aux_write_client_control(&w, EXCH_AUX_CC_ENABLE_COMPRESSION, 60000);

    n = hex("08 00 01 46 01 00 00 00", in, sizeof(in));
    is_mem(buf, 8, in, n,
           "AUX_ENDPOINT_CAPABILITIES: Size 8, version 1, type 0x46, flags");
    n = hex("14 00 01 48 06 00 65 00 78 00 63 00 68 00 2d 00 37 00 00 00",
            in, sizeof(in));
    is_mem(buf + 8, 20, in, n,
           "AUX_SERVER_SESSION_INFO: the offset 6 from the header, UTF-16");

    is_int(exch_aux_parse(buf, w.len, a, &aux), EXCH_OK,
           "the server's blocks parse back");
    is_int(aux.n, 4, "four blocks");
    ok(aux.blocks[0].decoded && aux.blocks[0].u.endpoint_capabilities.flags
       == 1, "endpoint capabilities decoded");
    is_str(aux.blocks[1].u.server_session_info.context_info, "exch-7",
           "the session context info string decoded");
    is_int(aux.blocks[3].u.client_control.expiry_time, 60000,
           "client control decoded");

    /* a client's AUX_PERF_REQUESTID and AUX_PERF_PROCESSINFO (version 2) */
    n = hex("08 00 01 01 02 00 05 00"
            "2c 00 02 0b 07 00 00 00 11 22 33 44 55 66 77 88 99 aa bb cc"
            " dd ee ff 00 1c 00 00 00 4f 00 55 00 54 00 4c 00 4f 00 4f 00"
            " 4b 00 00 00", in, sizeof(in));
    is_int(exch_aux_parse(in, n, a, &aux), EXCH_OK, "client blocks parse");
    is_int(aux.blocks[0].u.request_id.request_id, 5, "request id");
    is_str(aux.blocks[1].u.process_info.process_name, "OUTLOOK",
           "process name at its offset");

    /* a bad string offset leaves the block undecoded, not failed */
    in[8 + 24] = 0xF0;
    is_int(exch_aux_parse(in, n, a, &aux), EXCH_OK,
           "a bad offset does not fail the buffer");
    ok(!aux.blocks[1].decoded, "the block is kept undecoded");

    n = hex("03 00 01 01", in, sizeof(in));
    is_int(exch_aux_parse(in, n, a, &aux), EXCH_ERR_FORMAT,
           "a Size below the header is refused");
    n = hex("10 00 01 01 00 00", in, sizeof(in));
    is_int(exch_aux_parse(in, n, a, &aux), EXCH_ERR_TRUNCATED,
           "a Size beyond the buffer is refused");

    exs_arena_destroy(a);
}


int
main(void)
{
    test_spec_examples();
    test_roundtrips();
    test_bad_input();
    test_rhe();
    test_aux();

    return done_testing();
}
