
/*
 * exch: SMTP replies and the DATA payload (RFC 5321 4.2, 4.5.2).
 */


#include <string.h>
#include <strings.h>

#include "exch_smtp.h"


int
exch_smtp_reply_parse(const uint8_t *p, size_t len, exch_smtp_reply_t *r)
{
    int             code, c;
    size_t          l;
    const uint8_t  *start, *end, *nl, *text_end;

    memset(r, 0, sizeof(exch_smtp_reply_t));

    start = p;
    end = p + len;
    code = 0;

    while (p < end) {
        nl = memchr(p, '\n', (size_t) (end - p));

        if (nl == NULL) {
            return (size_t) (end - p) > EXCH_SMTP_LINE_MAX ? EXCH_SMTP_BAD
                                                           : EXCH_SMTP_AGAIN;
        }

        l = (size_t) (nl - p);

        if (l > EXCH_SMTP_LINE_MAX) {
            return EXCH_SMTP_BAD;
        }

        text_end = nl;
        if (text_end > p && text_end[-1] == '\r') {
            text_end--;
            l--;
        }

        if (l < 3 || p[0] < '2' || p[0] > '5' || p[1] < '0' || p[1] > '9'
            || p[2] < '0' || p[2] > '9')
        {
            return EXCH_SMTP_BAD;
        }

        c = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');

        if (code && c != code) {
            return EXCH_SMTP_BAD;
        }

        code = c;
        r->lines++;

        if (l > 3 && p[3] != ' ' && p[3] != '-') {
            return EXCH_SMTP_BAD;
        }

        r->text = l > 4 ? p + 4 : text_end;
        r->text_len = l > 4 ? (size_t) (text_end - (p + 4)) : 0;

        if (l == 3 || p[3] == ' ') {
            r->code = code;
            r->consumed = (size_t) (nl + 1 - start);
            return EXCH_SMTP_OK;
        }

        p = nl + 1;
    }

    return EXCH_SMTP_AGAIN;
}


int
exch_smtp_has_ext(const uint8_t *p, size_t len, const char *ext)
{
    size_t          n, l;
    const uint8_t  *end, *nl;

    end = p + len;
    n = strlen(ext);

    while (p < end) {
        nl = memchr(p, '\n', (size_t) (end - p));
        l = nl ? (size_t) (nl - p) : (size_t) (end - p);

        if (l >= 4 + n && strncasecmp((const char *) p + 4, ext, n) == 0
            && (l == 4 + n || p[4 + n] == ' ' || p[4 + n] == '\r'
                || p[4 + n] == '='))
        {
            return 1;
        }

        p += l + 1;
    }

    return 0;
}


size_t
exch_smtp_data_len(size_t len)
{
    /* each byte at worst doubles (a bare LF, or a line "."), plus the end */
    return 2 * len + 5;
}


size_t
exch_smtp_data(const uint8_t *p, size_t len, uint8_t *out)
{
    int             bol;
    size_t          n;
    const uint8_t  *end;

    end = p + len;
    n = 0;
    bol = 1;

    while (p < end) {
        if (bol && *p == '.') {
            out[n++] = '.';
        }

        if (*p == '\n') {
            if (n == 0 || out[n - 1] != '\r') {
                out[n++] = '\r';
            }

            out[n++] = '\n';
            bol = 1;
            p++;
            continue;
        }

        if (*p == '\r' && (p + 1 == end || p[1] != '\n')) {
            /* a lone CR is no line end either: make it one */
            out[n++] = '\r';
            out[n++] = '\n';
            bol = 1;
            p++;
            continue;
        }

        out[n++] = *p++;
        bol = 0;
    }

    if (n && out[n - 1] != '\n') {
        out[n++] = '\r';
        out[n++] = '\n';
    }

    memcpy(out + n, ".\r\n", 3);

    return n + 3;
}


int
exch_smtp_addr_ok(const char *addr)
{
    const unsigned char  *p;

    for (p = (const unsigned char *) addr; *p; p++) {
        if (*p <= ' ' || *p == '<' || *p == '>' || *p == 0x7F) {
            return 0;
        }
    }

    return (size_t) (p - (const unsigned char *) addr) <= 256;
}
