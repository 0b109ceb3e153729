
/*
 * exch: XML in and out for the SOAP and POX protocols (nginx-free).
 *
 * In: libxml2 with the options that make client XML safe: no network, no
 * entity substitution, no DTD loading, and documents with a DOCTYPE at all
 * refused; a size cap is the caller's (the request body limit).
 * Out: a growing buffer with escaping writers.
 */


#ifndef _EXCH_XML_H_INCLUDED_
#define _EXCH_XML_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <libxml/tree.h>


typedef struct {
    char                     *data;
    size_t                    len;
    size_t                    cap;
    int                       nomem;        /* sticky: an append failed */
} exch_buf_t;


void exch_buf_init(exch_buf_t *b);
void exch_buf_free(exch_buf_t *b);
void exch_buf_add(exch_buf_t *b, const void *p, size_t n);
void exch_buf_str(exch_buf_t *b, const char *s);
/* n bytes at pos, what follows moved up */
void exch_buf_insert(exch_buf_t *b, size_t pos, const void *p, size_t n);
void exch_buf_printf(exch_buf_t *b, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* text and attribute values, escaped; bytes that XML 1.0 cannot carry
 * (C0 controls but tab, LF, CR; invalid UTF-8) become U+FFFD */
void exch_buf_text(exch_buf_t *b, const char *s, size_t n);
void exch_buf_cstr_text(exch_buf_t *b, const char *s);

/* <name>text</name>, text escaped */
void exch_buf_elem(exch_buf_t *b, const char *name, const char *text);


/*
 * Parses client XML; NULL when it is not well-formed, has a DOCTYPE, or
 * is empty.  Free with xmlFreeDoc().  Call exch_xml_init() once per
 * process before any thread parses.
 */
void exch_xml_init(void);
xmlDocPtr exch_xml_parse(const void *data, size_t len);

/*
 * The same with options: EXCH_XML_HUGE lifts libxml2's 10 MB limit on one
 * text node (a large attachment in base64); the caller caps the document
 * size.  On failure *line and *column (may be NULL) say where, 0 when
 * unknown.
 */
#define EXCH_XML_HUGE           0x01

xmlDocPtr exch_xml_parse_ex(const void *data, size_t len, unsigned flags,
    int *line, int *column);

/* the first element child of node (in namespace ns, NULL: any) named
 * name (NULL: any), or NULL; and the next element sibling like it */
xmlNodePtr exch_xml_child(xmlNodePtr node, const char *ns, const char *name);
xmlNodePtr exch_xml_next(xmlNodePtr node, const char *ns, const char *name);

/* the text content of an element (concatenated text and CDATA children),
 * trimmed; "" when it has none.  Points into the document. */
const char *exch_xml_text(xmlNodePtr node, size_t *len);

/* the same, NUL-terminated, owned by the document (its dictionary); NULL
 * for a missing node */
const char *exch_xml_value(xmlNodePtr node);

int exch_xml_is(xmlNodePtr node, const char *ns, const char *name);


#endif /* _EXCH_XML_H_INCLUDED_ */
