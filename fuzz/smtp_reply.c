
/*
 * libFuzzer target: the SMTP client's reading of relay replies
 * (exch_smtp_reply_parse, exch_smtp_has_ext) and the DATA payload it
 * makes of a message (exch_smtp_data): replies are taken one after the
 * other as the client does, the payload stays within its bound, ends with
 * CRLF.CRLF and has no line "." inside.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <exch_smtp.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                 rc;
    size_t              off, n, i;
    uint8_t            *out;
    exch_smtp_reply_t   r;

    off = 0;

    for ( ;; ) {
        rc = exch_smtp_reply_parse(data + off, size - off, &r);

        if (rc != EXCH_SMTP_OK) {
            break;
        }

        if (r.consumed == 0 || r.consumed > size - off
            || r.code < 200 || r.code > 599
            || r.text < data + off || r.text + r.text_len > data + size)
        {
            abort();
        }

        off += r.consumed;
    }

    (void) exch_smtp_has_ext(data, size, "8BITMIME");

    out = malloc(exch_smtp_data_len(size));
    if (out == NULL) {
        return 0;
    }

    n = exch_smtp_data(data, size, out);

    if (n > exch_smtp_data_len(size) || n < 3
        || memcmp(out + n - 3, ".\r\n", 3) != 0
        || (n > 3 && (n < 5 || memcmp(out + n - 5, "\r\n", 2) != 0)))
    {
        abort();
    }

    /* a lone "." line would end the DATA early */
    for (i = 0; i + 3 < n - 3; i++) {
        if ((i == 0 || out[i - 1] == '\n') && out[i] == '.'
            && out[i + 1] == '\r' && out[i + 2] == '\n')
        {
            abort();
        }
    }

    for (i = 0; i < n; i++) {
        if (out[i] == '\n' && (i == 0 || out[i - 1] != '\r')) {
            abort();
        }
    }

    free(out);

    return 0;
}
