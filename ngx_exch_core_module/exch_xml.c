
/*
 * exch: XML in and out (see exch_xml.h).
 */


#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>

#include <exs_mapi.h>

#include "exch_xml.h"


static int exch_xml_has_doctype(const char *p, size_t len);
static void exch_xml_tidy(xmlNodePtr node);


void
exch_buf_init(exch_buf_t *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->nomem = 0;
}


void
exch_buf_free(exch_buf_t *b)
{
    free(b->data);
    exch_buf_init(b);
}


static int
exch_buf_reserve(exch_buf_t *b, size_t n)
{
    size_t   cap;
    char    *p;

    if (b->nomem) {
        return -1;
    }

    if (b->cap - b->len >= n) {
        return 0;
    }

    cap = b->cap ? b->cap : 1024;

    while (cap - b->len < n) {
        if (cap > SIZE_MAX / 2) {
            b->nomem = 1;
            return -1;
        }

        cap *= 2;
    }

    p = realloc(b->data, cap);
    if (p == NULL) {
        b->nomem = 1;
        return -1;
    }

    b->data = p;
    b->cap = cap;

    return 0;
}


void
exch_buf_add(exch_buf_t *b, const void *p, size_t n)
{
    if (n == 0 || exch_buf_reserve(b, n) != 0) {
        return;
    }

    memcpy(b->data + b->len, p, n);
    b->len += n;
}


void
exch_buf_insert(exch_buf_t *b, size_t pos, const void *p, size_t n)
{
    if (n == 0 || pos > b->len || exch_buf_reserve(b, n) != 0) {
        return;
    }

    memmove(b->data + pos + n, b->data + pos, b->len - pos);
    memcpy(b->data + pos, p, n);
    b->len += n;
}


void
exch_buf_str(exch_buf_t *b, const char *s)
{
    exch_buf_add(b, s, strlen(s));
}


void
exch_buf_printf(exch_buf_t *b, const char *fmt, ...)
{
    int      n;
    va_list  ap;

    /* one pass when it fits, which is nearly always */

    if (exch_buf_reserve(b, 64) != 0) {
        return;
    }

    va_start(ap, fmt);
    n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);

    if (n < 0) {
        b->nomem = 1;
        return;
    }

    if ((size_t) n >= b->cap - b->len) {
        if (exch_buf_reserve(b, (size_t) n + 1) != 0) {
            return;
        }

        va_start(ap, fmt);
        vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
        va_end(ap);
    }

    b->len += n;
}


void
exch_buf_text(exch_buf_t *b, const char *s, size_t n)
{
    size_t                len, run;
    uint32_t              cp;
    unsigned char         c;
    const unsigned char  *p, *end;

    p = (const unsigned char *) s;
    end = p + n;
    run = 0;

    while (p + run < end) {
        c = p[run];

        if (c >= 0x20 && c < 0x80 && c != '<' && c != '>' && c != '&'
            && c != '"' && c != '\'')
        {
            run++;
            continue;
        }

        exch_buf_add(b, p, run);
        p += run;
        run = 0;

        switch (c) {
        case '<':
            exch_buf_add(b, "&lt;", 4);
            p++;
            continue;
        case '>':
            exch_buf_add(b, "&gt;", 4);
            p++;
            continue;
        case '&':
            exch_buf_add(b, "&amp;", 5);
            p++;
            continue;
        case '"':
            exch_buf_add(b, "&quot;", 6);
            p++;
            continue;
        case '\'':
            exch_buf_add(b, "&apos;", 6);
            p++;
            continue;
        case '\t':
        case '\n':
        case '\r':
            exch_buf_add(b, p, 1);
            p++;
            continue;
        default:
            break;
        }

        cp = 0;
        len = c >= 0x80 ? exs_utf8_decode(p, end - p, &cp) : 0;

        if (cp == 0xFFFE || cp == 0xFFFF) {
            len = 0;
        }

        if (len) {
            exch_buf_add(b, p, len);
            p += len;

        } else {
            exch_buf_add(b, "\xEF\xBF\xBD", 3);
            p++;
        }
    }

    exch_buf_add(b, p, run);
}


void
exch_buf_cstr_text(exch_buf_t *b, const char *s)
{
    if (s) {
        exch_buf_text(b, s, strlen(s));
    }
}


void
exch_buf_elem(exch_buf_t *b, const char *name, const char *text)
{
    size_t  n;

    n = strlen(name);

    exch_buf_add(b, "<", 1);
    exch_buf_add(b, name, n);
    exch_buf_add(b, ">", 1);
    exch_buf_cstr_text(b, text);
    exch_buf_add(b, "</", 2);
    exch_buf_add(b, name, n);
    exch_buf_add(b, ">", 1);
}


void
exch_xml_init(void)
{
    xmlInitParser();
}


xmlDocPtr
exch_xml_parse(const void *data, size_t len)
{
    return exch_xml_parse_ex(data, len, 0, NULL, NULL);
}


xmlDocPtr
exch_xml_parse_ex(const void *data, size_t len, unsigned flags, int *line,
    int *column)
{
    int          options;
    xmlDocPtr    doc;
    xmlErrorPtr  err;

    if (line) {
        *line = 0;
    }

    if (column) {
        *column = 0;
    }

    if (len == 0 || len > INT32_MAX || exch_xml_has_doctype(data, len)) {
        return NULL;
    }

    /*
     * No XML_PARSE_NOENT (substitution) and no XML_PARSE_DTDLOAD: a
     * document with a DOCTYPE is refused after parsing anyway, so neither
     * external entities nor entity expansion bombs reach us.
     */

    options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING
              | XML_PARSE_NOCDATA | XML_PARSE_NOBLANKS;

    if (flags & EXCH_XML_HUGE) {
        options |= XML_PARSE_HUGE;
    }

    xmlResetLastError();

    doc = xmlReadMemory(data, (int) len, NULL, NULL, options);
    if (doc == NULL) {
        err = xmlGetLastError();

        if (err) {
            if (line) {
                *line = err->line;
            }

            if (column) {
                *column = err->int2;
            }
        }

        return NULL;
    }

    if (doc->intSubset || doc->extSubset
        || xmlDocGetRootElement(doc) == NULL)
    {
        xmlFreeDoc(doc);
        return NULL;
    }

    exch_xml_tidy(xmlDocGetRootElement(doc));

    return doc;
}


/* a DOCTYPE in the prolog, before libxml2 sees it */

static int
exch_xml_has_doctype(const char *p, size_t len)
{
    const char  *end, *q;

    end = p + len;

    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
        p += 3;
    }

    for ( ;; ) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'
                           || *p == '\n'))
        {
            p++;
        }

        if (end - p >= 2 && memcmp(p, "<?", 2) == 0) {
            q = memmem(p + 2, end - p - 2, "?>", 2);

        } else if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
            q = memmem(p + 4, end - p - 4, "-->", 3);

        } else {
            return end - p >= 2 && memcmp(p, "<!", 2) == 0;
        }

        if (q == NULL) {
            return 0;
        }

        p = q + 2;
    }
}


/* drops comments and processing instructions and merges the text they
 * split, so that an element's text is one node */

static void
exch_xml_tidy(xmlNodePtr node)
{
    xmlNodePtr  c, next;

    for (c = node->children; c; c = next) {
        next = c->next;

        if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
    }

    for (c = node->children; c; c = c->next) {

        while (c->type == XML_TEXT_NODE && c->next
               && c->next->type == XML_TEXT_NODE)
        {
            next = c->next;

            if (xmlTextMerge(c, next) == NULL) {
                break;
            }
        }

        if (c->type == XML_ELEMENT_NODE) {
            exch_xml_tidy(c);
        }
    }
}


int
exch_xml_is(xmlNodePtr node, const char *ns, const char *name)
{
    if (node == NULL || node->type != XML_ELEMENT_NODE) {
        return 0;
    }

    if (name && strcmp((const char *) node->name, name) != 0) {
        return 0;
    }

    if (ns) {
        if (node->ns == NULL || node->ns->href == NULL
            || strcmp((const char *) node->ns->href, ns) != 0)
        {
            return 0;
        }
    }

    return 1;
}


xmlNodePtr
exch_xml_child(xmlNodePtr node, const char *ns, const char *name)
{
    xmlNodePtr  c;

    if (node == NULL) {
        return NULL;
    }

    for (c = node->children; c; c = c->next) {
        if (exch_xml_is(c, ns, name)) {
            return c;
        }
    }

    return NULL;
}


xmlNodePtr
exch_xml_next(xmlNodePtr node, const char *ns, const char *name)
{
    xmlNodePtr  c;

    for (c = node->next; c; c = c->next) {
        if (exch_xml_is(c, ns, name)) {
            return c;
        }
    }

    return NULL;
}


const char *
exch_xml_text(xmlNodePtr node, size_t *len)
{
    size_t       n;
    xmlNodePtr   c;
    const char  *p;

    *len = 0;

    if (node == NULL) {
        return "";
    }

    for (c = node->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            break;
        }
    }

    if (c == NULL || c->content == NULL) {
        return "";
    }

    p = (const char *) c->content;
    n = strlen(p);

    while (n && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
        p++;
        n--;
    }

    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'
                 || p[n - 1] == '\n'))
    {
        n--;
    }

    *len = n;

    return p;
}


const char *
exch_xml_value(xmlNodePtr node)
{
    size_t       n;
    const char  *p;

    if (node == NULL || node->doc == NULL || node->doc->dict == NULL) {
        return NULL;
    }

    p = exch_xml_text(node, &n);

    return (const char *) xmlDictLookup(node->doc->dict, (const xmlChar *) p,
                                        (int) n);
}
