
/*
 * exch_xml: the safe parser and the escaping writer.
 */


#include <string.h>
#include <exch_xml.h>
#include <tap.h>


#define S(s)  s, sizeof(s) - 1


int
main(void)
{
    size_t       n;
    xmlDocPtr    doc;
    xmlNodePtr   root, c;
    exch_buf_t   b;
    const char  *t;

    exch_xml_init();

    doc = exch_xml_parse(S("<a xmlns='urn:x'><b> hi <!-- c --> there </b>"
                           "<c/></a>"));
    ok(doc != NULL, "a plain document parses");
    root = xmlDocGetRootElement(doc);
    ok(exch_xml_is(root, "urn:x", "a"), "root in its namespace");
    c = exch_xml_child(root, "urn:x", "b");
    t = exch_xml_text(c, &n);
    is_mem(t, n, "hi  there", 9, "text trimmed, comment dropped, merged");
    is_str(exch_xml_value(c), "hi  there", "the value is NUL-terminated");
    ok(exch_xml_next(c, "urn:x", "c") != NULL, "next sibling by name");
    ok(exch_xml_child(root, "urn:y", "b") == NULL, "other namespace");
    is_str(exch_xml_value(exch_xml_child(root, NULL, "c")), "",
           "an empty element has an empty value");
    ok(exch_xml_value(NULL) == NULL, "a missing node has no value");
    xmlFreeDoc(doc);

    ok(exch_xml_parse(S("<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>")) == NULL,
       "a DOCTYPE is refused");
    ok(exch_xml_parse(S("<?xml version='1.0'?><!-- x --><!DOCTYPE a><a/>"))
       == NULL, "a DOCTYPE after a comment is refused");
    ok(exch_xml_parse(S("<!DOCTYPE a SYSTEM 'file:///etc/passwd'><a/>"))
       == NULL, "an external DTD is refused");
    doc = exch_xml_parse(S("<a><![CDATA[<!DOCTYPE html>]]></a>"));
    ok(doc != NULL, "DOCTYPE text inside CDATA is fine");
    is_str(exch_xml_value(xmlDocGetRootElement(doc)), "<!DOCTYPE html>",
           "CDATA is text");
    xmlFreeDoc(doc);
    ok(exch_xml_parse(S("<a>")) == NULL, "not well-formed");
    ok(exch_xml_parse("", 0) == NULL, "empty");

    exch_buf_init(&b);
    exch_buf_text(&b, S("a<b>&\"'\t\x01\xff\xc3\xa9"));
    t = "a&lt;b&gt;&amp;&quot;&apos;\t\xEF\xBF\xBD\xEF\xBF\xBD\xc3\xa9";
    is_mem(b.data, b.len, t, strlen(t),
           "escaping, control and invalid UTF-8 replaced");
    exch_buf_free(&b);

    exch_buf_init(&b);
    exch_buf_text(&b, S("\xed\xa0\x80"));
    t = "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD";
    is_mem(b.data, b.len, t, strlen(t), "a UTF-8 surrogate is not valid");
    exch_buf_free(&b);

    exch_buf_init(&b);
    exch_buf_elem(&b, "x", "1 < 2");
    exch_buf_printf(&b, "%d", 42);
    t = "<x>1 &lt; 2</x>42";
    is_mem(b.data, b.len, t, strlen(t), "element and printf");
    exch_buf_free(&b);

    return done_testing();
}
