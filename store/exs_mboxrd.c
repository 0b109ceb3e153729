
/*
 * exch store: splitting and writing mbox files (RFC 4155, mboxrd).
 */


#include <string.h>

#include "exs_mboxrd.h"


static int exs_mboxrd_from_line(const uint8_t *p, const uint8_t *end,
    const uint8_t **eol);
static int exs_mboxrd_empty_before(const uint8_t *start, const uint8_t *nl);
static int exs_mboxrd_quoted_from(const uint8_t *p, const uint8_t *end);


/* p is at a line start: a From_ line with a time in it? *eol: its end */

static int
exs_mboxrd_from_line(const uint8_t *p, const uint8_t *end,
    const uint8_t **eol)
{
    const uint8_t  *e, *q;

    if (end - p < 5 || memcmp(p, "From ", 5) != 0) {
        return 0;
    }

    e = memchr(p, '\n', (size_t) (end - p));
    if (e == NULL) {
        e = end;
    }

    *eol = e;

    /* "H:MM" or "HH:MM" */
    for (q = p + 5; q + 2 < e; q++) {
        if (q[0] == ':' && q > p + 5
            && q[-1] >= '0' && q[-1] <= '9'
            && q[1] >= '0' && q[1] <= '9' && q[2] >= '0' && q[2] <= '9')
        {
            return 1;
        }
    }

    return 0;
}


int
exs_mboxrd_is_mbox(const void *data, size_t len)
{
    const uint8_t  *eol;

    return exs_mboxrd_from_line(data, (const uint8_t *) data + len, &eol);
}


void
exs_mboxrd_init(exs_mboxrd_t *r, const void *data, size_t len)
{
    r->p = data;
    r->end = r->p + len;
}


int
exs_mboxrd_next(exs_mboxrd_t *r, exs_mboxrd_msg_t *m)
{
    const uint8_t  *p, *eol, *start, *nl, *q;

    p = r->p;

    /* the first From_ line at or after p (p is at a line start) */

    for ( ;; ) {
        if (p >= r->end) {
            r->p = r->end;
            return 0;
        }

        if (exs_mboxrd_from_line(p, r->end, &eol)) {
            break;
        }

        nl = memchr(p, '\n', (size_t) (r->end - p));
        if (nl == NULL) {
            r->p = r->end;
            return 0;
        }

        p = nl + 1;
    }

    m->from = p;
    m->from_len = (size_t) (eol - p);

    if (m->from_len && eol[-1] == '\r') {
        m->from_len--;
    }

    start = eol < r->end ? eol + 1 : eol;

    /* the next From_ line after an empty line ends the message */

    q = start;

    for ( ;; ) {
        nl = memchr(q, '\n', (size_t) (r->end - q));
        if (nl == NULL) {
            q = r->end;
            break;
        }

        q = nl + 1;

        if (q < r->end && exs_mboxrd_empty_before(start, nl)
            && exs_mboxrd_from_line(q, r->end, &eol))
        {
            break;
        }
    }

    m->data = start;
    m->len = (size_t) (q - start);

    /* the empty line before the next From_ line belongs to the file */

    if (q < r->end) {
        if (m->len >= 2 && start[m->len - 2] == '\r') {
            m->len -= 2;

        } else if (m->len >= 1) {
            m->len -= 1;
        }
    }

    r->p = q;

    return 1;
}


/* is the line that ends with the LF at nl empty (start: where lines
 * may begin)? */

static int
exs_mboxrd_empty_before(const uint8_t *start, const uint8_t *nl)
{
    const uint8_t  *b;

    b = nl;

    if (b > start && b[-1] == '\r') {
        b--;
    }

    return b == start || b[-1] == '\n';
}


/* ">*From " at p? */

static int
exs_mboxrd_quoted_from(const uint8_t *p, const uint8_t *end)
{
    while (p < end && *p == '>') {
        p++;
    }

    return end - p >= 5 && memcmp(p, "From ", 5) == 0;
}


size_t
exs_mboxrd_unescape(const uint8_t *p, size_t len, uint8_t *out)
{
    size_t          n, l;
    const uint8_t  *end, *nl;

    end = p + len;
    n = 0;

    while (p < end) {
        nl = memchr(p, '\n', (size_t) (end - p));
        l = nl ? (size_t) (nl - p) + 1 : (size_t) (end - p);

        if (*p == '>' && exs_mboxrd_quoted_from(p, p + l)) {
            p++;
            l--;
        }

        memcpy(out + n, p, l);
        n += l;
        p += l;
    }

    return n;
}


size_t
exs_mboxrd_escaped_len(const uint8_t *p, size_t len)
{
    return exs_mboxrd_escape(p, len, NULL);
}


/* out NULL: only the length */

size_t
exs_mboxrd_escape(const uint8_t *p, size_t len, uint8_t *out)
{
    int             nl_end;
    size_t          n, l;
    const uint8_t  *end, *nl;

    end = p + len;
    n = 0;
    nl_end = len && end[-1] == '\n';

    while (p < end) {
        nl = memchr(p, '\n', (size_t) (end - p));
        l = nl ? (size_t) (nl - p) + 1 : (size_t) (end - p);

        if (exs_mboxrd_quoted_from(p, p + l)) {
            if (out) {
                out[n] = '>';
            }
            n++;
        }

        if (out) {
            memcpy(out + n, p, l);
        }

        n += l;
        p += l;
    }

    if (!nl_end) {
        if (out) {
            out[n] = '\n';
        }
        n++;
    }

    return n;
}
