
/*
 * libFuzzer target: the notification bus's datagrams (exch_bus_decode), as
 * a worker reads them from its socket: anything may arrive there.  What
 * decodes must encode back to the same bytes.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <exch_bus.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t           len;
    uint8_t          out[EXCH_BUS_DGRAM_MAX];
    uint32_t         n, max;
    exch_bus_item_t  items[EXCH_BUS_ITEMS_MAX];

    max = size ? data[0] % (EXCH_BUS_ITEMS_MAX + 1) : EXCH_BUS_ITEMS_MAX;

    if (exch_bus_decode(data, size, items, max, &n) != EXCH_BUS_OK) {
        return 0;
    }

    if (n > max) {
        abort();
    }

    len = exch_bus_encode(items, n, out);

    if (len != size || memcmp(out, data, size) != 0) {
        abort();
    }

    return 0;
}
