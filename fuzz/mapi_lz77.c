
/*
 * libFuzzer target: MS-OXCRPC LZ77.  Decompresses the input, and checks
 * that compressing it and decompressing the result gives it back.
 */


#include <stdlib.h>
#include <string.h>
#include <exch_wire.h>
#include <exch_oxcrpc_lz77.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t    n, m, cap;
    uint8_t  *out, *comp;

    out = malloc(0x20000);
    if (out == NULL) {
        return 0;
    }

    (void) exch_lz77_decompress(data, size, out, 0x20000, &n);

    cap = exch_lz77_bound(size);
    comp = malloc(cap);

    if (comp != NULL) {
        if (exch_lz77_compress(data, size, comp, cap, &n) != EXCH_OK) {
            abort();
        }

        if (size <= 0x20000) {
            if (exch_lz77_decompress(comp, n, out, size, &m) != EXCH_OK
                || m != size || memcmp(out, data, size) != 0)
            {
                abort();
            }
        }

        free(comp);
    }

    free(out);

    return 0;
}
