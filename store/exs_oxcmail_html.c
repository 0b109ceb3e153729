
/*
 * exch store: plain text from HTML, for the PR_BODY of a message that came
 * with an HTML body only (MS-OXCMAIL 2.1.3.1.?, "the plain text body is
 * synthesised").  Not a renderer: tags go, block elements become line
 * breaks, <script>, <style>, <head> and comments vanish, entities are
 * decoded, white space collapses outside <pre>.  Input and output are
 * UTF-8; every read is checked against the end.
 */


#include <string.h>
#include <strings.h>

#include "exs_oxcmail_int.h"


typedef struct {
    uint8_t                  *out;
    size_t                    len;
    size_t                    cap;
    unsigned                  newlines;  /* trailing line breaks written */
    unsigned                  space;     /* a space is pending */
    unsigned                  pre;       /* inside <pre> */
} exs_h2t_t;


typedef struct {
    const char               *name;
    uint32_t                  cp;
} exs_entity_t;


static void exs_h2t_put(exs_h2t_t *h, const void *p, size_t n);
static void exs_h2t_char(exs_h2t_t *h, uint32_t c);
static void exs_h2t_text(exs_h2t_t *h, const uint8_t *p, size_t n);
static void exs_h2t_break(exs_h2t_t *h, unsigned n);
static size_t exs_h2t_entity(exs_h2t_t *h, const uint8_t *p, size_t n);
static size_t exs_h2t_tag(exs_h2t_t *h, const uint8_t *p, size_t n);
static const uint8_t *exs_h2t_find(const uint8_t *p, const uint8_t *end,
    const char *needle);
static int exs_h2t_is(const uint8_t *name, size_t len, const char *tag);


static const exs_entity_t  exs_entities[] = {
    { "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
    { "apos", '\'' }, { "nbsp", ' ' }, { "copy", 0xA9 }, { "reg", 0xAE },
    { "trade", 0x2122 }, { "euro", 0x20AC }, { "pound", 0xA3 },
    { "yen", 0xA5 }, { "cent", 0xA2 }, { "sect", 0xA7 }, { "deg", 0xB0 },
    { "plusmn", 0xB1 }, { "middot", 0xB7 }, { "para", 0xB6 },
    { "laquo", 0xAB }, { "raquo", 0xBB }, { "lsquo", 0x2018 },
    { "rsquo", 0x2019 }, { "ldquo", 0x201C }, { "rdquo", 0x201D },
    { "ndash", 0x2013 }, { "mdash", 0x2014 }, { "hellip", 0x2026 },
    { "bull", 0x2022 }, { "times", 0xD7 }, { "divide", 0xF7 },
    { "auml", 0xE4 }, { "ouml", 0xF6 }, { "uuml", 0xFC }, { "Auml", 0xC4 },
    { "Ouml", 0xD6 }, { "Uuml", 0xDC }, { "szlig", 0xDF },
    { "eacute", 0xE9 }, { "egrave", 0xE8 }, { "ecirc", 0xEA },
    { "aacute", 0xE1 }, { "agrave", 0xE0 }, { "acirc", 0xE2 },
    { "oacute", 0xF3 }, { "iacute", 0xED }, { "uacute", 0xFA },
    { "ccedil", 0xE7 }, { "ntilde", 0xF1 }, { "Eacute", 0xC9 },
    { "shy", 0 }, { "zwnj", 0 }, { "zwj", 0 },
    { NULL, 0 }
};

/* elements that start and end a line, and those that leave a blank one */
static const char  *exs_blocks[] = {
    "div", "tr", "li", "ul", "ol", "dl", "dt", "dd", "table", "center",
    "address", "form", "section", "article", "header", "footer", "nav",
    "aside", "caption", "tbody", "thead", "tfoot", "fieldset", NULL
};

static const char  *exs_paragraphs[] = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr",
    NULL
};


char *
exs_oxcmail_html_to_text(const char *html, size_t len, size_t *outlen,
    exs_arena_t *a)
{
    size_t          n;
    exs_h2t_t       h;
    const uint8_t  *p, *end, *q;

    /* each input byte gives at most 2 output bytes (see the callers) */
    if (len > (SIZE_MAX - 16) / 2) {
        return NULL;
    }

    memset(&h, 0, sizeof(h));
    h.cap = 2 * len + 16;
    h.newlines = 2;

    h.out = exs_alloc(a, h.cap);
    if (h.out == NULL) {
        return NULL;
    }

    p = (const uint8_t *) html;
    end = p + len;

    while (p < end) {
        if (*p == '<') {
            p += exs_h2t_tag(&h, p, end - p);
            continue;
        }

        if (*p == '&') {
            p += exs_h2t_entity(&h, p, end - p);
            continue;
        }

        q = p;
        while (q < end && *q != '<' && *q != '&') {
            q++;
        }

        exs_h2t_text(&h, p, q - p);
        p = q;
    }

    /* no trailing blank lines; one line end after the text */
    n = h.len;
    while (n && (h.out[n - 1] == '\n' || h.out[n - 1] == '\r'
                 || h.out[n - 1] == ' '))
    {
        n--;
    }

    h.len = n;

    if (n) {
        exs_h2t_put(&h, "\r\n", 2);
    }

    h.out[h.len] = '\0';
    *outlen = h.len;

    return (char *) h.out;
}


static void
exs_h2t_put(exs_h2t_t *h, const void *p, size_t n)
{
    /* the bound of the caller holds; this only guards against a mistake */
    if (h->len + n + 1 > h->cap) {
        return;
    }

    memcpy(h->out + h->len, p, n);
    h->len += n;
}


static void
exs_h2t_flush_space(exs_h2t_t *h)
{
    if (h->space && h->newlines == 0) {
        exs_h2t_put(h, " ", 1);
    }

    h->space = 0;
}


static void
exs_h2t_char(exs_h2t_t *h, uint32_t c)
{
    uint8_t  u[4];

    if (c == 0) {
        return;
    }

    exs_h2t_flush_space(h);

    if (c < 0x80) {
        u[0] = (uint8_t) c;
        exs_h2t_put(h, u, 1);

    } else if (c < 0x800) {
        u[0] = 0xC0 | (c >> 6);
        u[1] = 0x80 | (c & 0x3F);
        exs_h2t_put(h, u, 2);

    } else if (c < 0x10000) {
        u[0] = 0xE0 | (c >> 12);
        u[1] = 0x80 | ((c >> 6) & 0x3F);
        u[2] = 0x80 | (c & 0x3F);
        exs_h2t_put(h, u, 3);

    } else {
        u[0] = 0xF0 | (c >> 18);
        u[1] = 0x80 | ((c >> 12) & 0x3F);
        u[2] = 0x80 | ((c >> 6) & 0x3F);
        u[3] = 0x80 | (c & 0x3F);
        exs_h2t_put(h, u, 4);
    }

    h->newlines = 0;
}


static void
exs_h2t_text(exs_h2t_t *h, const uint8_t *p, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (h->pre) {
            if (p[i] == '\n') {
                exs_h2t_put(h, "\r\n", 2);
                h->newlines++;
                continue;
            }

            if (p[i] == '\r') {
                continue;
            }

            exs_h2t_put(h, p + i, 1);
            h->newlines = 0;
            continue;
        }

        if (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'
            || p[i] == '\f')
        {
            h->space = 1;
            continue;
        }

        exs_h2t_flush_space(h);
        exs_h2t_put(h, p + i, 1);
        h->newlines = 0;
    }
}


static void
exs_h2t_break(exs_h2t_t *h, unsigned n)
{
    h->space = 0;

    while (h->newlines < n) {
        exs_h2t_put(h, "\r\n", 2);
        h->newlines++;
    }
}


static size_t
exs_h2t_entity(exs_h2t_t *h, const uint8_t *p, size_t n)
{
    size_t               i, len;
    uint32_t             c;
    const exs_entity_t  *e;

    /* p[0] is '&' */

    if (n > 2 && p[1] == '#') {
        c = 0;
        i = 2;

        if (i < n && (p[i] == 'x' || p[i] == 'X')) {
            for (i++; i < n && i < 12; i++) {
                if (p[i] >= '0' && p[i] <= '9') {
                    c = c * 16 + (p[i] - '0');
                } else if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f') {
                    c = c * 16 + ((p[i] | 0x20) - 'a' + 10);
                } else {
                    break;
                }
            }

        } else {
            for (; i < n && i < 12 && p[i] >= '0' && p[i] <= '9'; i++) {
                c = c * 10 + (p[i] - '0');
            }
        }

        if (i < n && p[i] == ';') {
            i++;
        }

        if (c == 0xA0) {
            c = ' ';
        }

        if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
            c = 0xFFFD;
        }

        if (c == '\t' || c == '\n' || c == '\r') {
            h->space = 1;
            return i;
        }

        exs_h2t_char(h, c);

        return i;
    }

    for (i = 1; i < n && i < 10; i++) {
        if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z')
              || (p[i] >= '0' && p[i] <= '9')))
        {
            break;
        }
    }

    len = i - 1;

    for (e = exs_entities; len && e->name; e++) {
        if (strlen(e->name) == len && memcmp(e->name, p + 1, len) == 0) {
            if (i < n && p[i] == ';') {
                i++;
            }

            exs_h2t_char(h, e->cp);

            return i;
        }
    }

    exs_h2t_char(h, '&');

    return 1;
}


static int
exs_h2t_is(const uint8_t *name, size_t len, const char *tag)
{
    return strlen(tag) == len && strncasecmp((const char *) name, tag, len)
                                 == 0;
}


static const uint8_t *
exs_h2t_find(const uint8_t *p, const uint8_t *end, const char *needle)
{
    size_t  n;

    n = strlen(needle);

    while ((size_t) (end - p) >= n) {
        if (strncasecmp((const char *) p, needle, n) == 0) {
            return p;
        }

        p++;
    }

    return NULL;
}


static size_t
exs_h2t_tag(exs_h2t_t *h, const uint8_t *p, size_t n)
{
    int             close;
    size_t          i, nlen, quote;
    const char    **b;
    const uint8_t  *name, *end, *q;

    end = p + n;

    if (n >= 4 && memcmp(p, "<!--", 4) == 0) {
        q = exs_h2t_find(p + 4, end, "-->");
        return q ? (size_t) (q + 3 - p) : n;
    }

    i = 1;
    close = 0;

    if (i < n && p[i] == '/') {
        close = 1;
        i++;
    }

    name = p + i;

    while (i < n && ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A'
                     && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9')))
    {
        i++;
    }

    nlen = p + i - name;

    if (nlen == 0 && !(i < n && (p[i] == '!' || p[i] == '?'))) {
        /* a lone '<' is text */
        exs_h2t_char(h, '<');
        return 1;
    }

    /* the end of the tag, quotes respected */

    quote = 0;

    for (; i < n; i++) {
        if (quote) {
            if (p[i] == quote) {
                quote = 0;
            }

        } else if (p[i] == '"' || p[i] == '\'') {
            quote = p[i];

        } else if (p[i] == '>') {
            break;
        }
    }

    i = i < n ? i + 1 : n;

    if (!close && (exs_h2t_is(name, nlen, "script")
                   || exs_h2t_is(name, nlen, "style")
                   || exs_h2t_is(name, nlen, "head")
                   || exs_h2t_is(name, nlen, "title")))
    {
        q = exs_h2t_find(p + i, end, "</");

        while (q) {
            if ((size_t) (end - q) >= nlen + 2
                && strncasecmp((const char *) q + 2, (const char *) name,
                               nlen) == 0)
            {
                break;
            }

            q = exs_h2t_find(q + 2, end, "</");
        }

        if (q == NULL) {
            return n;
        }

        q = memchr(q, '>', end - q);

        return q ? (size_t) (q + 1 - p) : n;
    }

    if (exs_h2t_is(name, nlen, "br")) {
        h->space = 0;
        exs_h2t_put(h, "\r\n", 2);
        h->newlines++;
        return i;
    }

    if (exs_h2t_is(name, nlen, "pre")) {
        h->pre = !close;
    }

    if (exs_h2t_is(name, nlen, "td") || exs_h2t_is(name, nlen, "th")) {
        if (!close) {
            h->space = 1;
        }

        return i;
    }

    if (exs_h2t_is(name, nlen, "li") && !close) {
        exs_h2t_break(h, 1);
        exs_h2t_put(h, "* ", 2);
        h->newlines = 0;
        return i;
    }

    for (b = exs_paragraphs; *b; b++) {
        if (exs_h2t_is(name, nlen, *b)) {
            exs_h2t_break(h, 2);
            return i;
        }
    }

    for (b = exs_blocks; *b; b++) {
        if (exs_h2t_is(name, nlen, *b)) {
            exs_h2t_break(h, 1);
            return i;
        }
    }

    return i;
}
