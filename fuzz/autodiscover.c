
/*
 * Fuzz target: the Autodiscover request parsers (POX and SOAP) and the
 * response writers over what they parsed.
 */


#include <stdint.h>
#include <stddef.h>
#include <exch_oxdscli.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t             i;
    xmlDocPtr            doc;
    exch_buf_t           b;
    exch_adisc_user_t    u = {
        "Alice", "/o=exch/ou=x/cn=Recipients/cn=alice", "alice@example.test",
        "00000000-0000-0000-0000-000000000000",
        "00000000-0000-0000-0000-000000000001@example.test", "/o=exch",
        "https://h", "h", 443, 1, EXCH_ADISC_ALL
    };
    exch_pox_request_t   pox;
    exch_soap_request_t  soap;

    exch_buf_init(&b);

    if (exch_pox_parse(data, size, &pox, &doc) == 0) {
        exch_pox_response(&b, &u, 1);
    }

    if (doc) {
        xmlFreeDoc(doc);
    }

    if (exch_soap_parse(data, size, &soap, &doc) == 0) {
        exch_soap_begin(&b, &soap);

        for (i = 0; i < soap.nusers; i++) {
            exch_soap_user(&b, &soap, soap.users[i], (i & 1) ? &u : NULL);
        }

        exch_soap_end(&b, &soap);
    }

    if (doc) {
        xmlFreeDoc(doc);
    }

    exch_json_response(&b, (const char *) data, size > 64 ? 64 : size,
                       "https://h");

    exch_buf_free(&b);

    return 0;
}
