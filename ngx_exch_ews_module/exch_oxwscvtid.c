
/*
 * exch EWS: ConvertId, MS-OXWSCVTID -- item, folder and attachment ids
 * between EwsId, EwsLegacyId, EntryId, HexEntryId, StoreId and OwaId.  The
 * Mailbox of every answer is the primary SMTP address of the mailbox the
 * id names (DavMail learns the user's address this way).
 */


#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "exch_ews_ops.h"


#define EXCH_FMT_EWS            0
#define EXCH_FMT_LEGACY         1
#define EXCH_FMT_ENTRYID        2
#define EXCH_FMT_HEX            3
#define EXCH_FMT_STOREID        4
#define EXCH_FMT_OWA            5


static const char  *exch_ews_formats[] = {
    "EwsId", "EwsLegacyId", "EntryId", "HexEntryId", "StoreId", "OwaId",
    NULL
};


static int exch_ews_format(const char *s);
static exch_ews_code_t exch_ews_cvt_decode(exch_ews_t *ews, int fmt,
    const char *s, exch_ews_id_t *id);
static char *exch_ews_cvt_encode(exch_ews_t *ews, int fmt,
    const exch_ews_id_t *id);


static int
exch_ews_format(const char *s)
{
    int  i;

    if (s == NULL) {
        return -1;
    }

    for (i = 0; exch_ews_formats[i]; i++) {
        if (strcmp(exch_ews_formats[i], s) == 0) {
            return i;
        }
    }

    return -1;
}


static exch_ews_code_t
exch_ews_cvt_decode(exch_ews_t *ews, int fmt, const char *s,
    exch_ews_id_t *id)
{
    char      *u, *o;
    size_t     len, n;
    uint8_t    raw[600];

    len = strlen(s);

    if (len == 0) {
        return EXCH_EWS_ERR_INVALID_ID_EMPTY;
    }

    if (len > 780) {
        return EXCH_EWS_ERR_INVALID_ID_MALFORMED;
    }

    switch (fmt) {

    case EXCH_FMT_EWS:
    case EXCH_FMT_LEGACY:
        return exch_ews_id_decode(s, len, id, ews->a) == EXS_OK
               ? EXCH_EWS_NOERROR : EXCH_EWS_ERR_INVALID_ID_MALFORMED;

    case EXCH_FMT_HEX:
        if (exch_ews_hex_decode(s, len, raw, &n) != 0
            || exch_ews_entryid_parse(raw, n, id) != EXS_OK)
        {
            return EXCH_EWS_ERR_INVALID_ID_MALFORMED;
        }

        return EXCH_EWS_NOERROR;

    case EXCH_FMT_ENTRYID:
        if (exch_base64_decode(s, len, raw, &n) != 0
            || exch_ews_entryid_parse(raw, n, id) != EXS_OK)
        {
            return EXCH_EWS_ERR_INVALID_ID_MALFORMED;
        }

        return EXCH_EWS_NOERROR;

    default:
        /* StoreId, OwaId (maybe URL-escaped) */

        u = exs_alloc(ews->a, len + 1);
        if (u == NULL) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }

        for (o = u; *s; s++) {
            if (s[0] == '%' && s[1] && s[2]) {
                if (strncasecmp(s, "%2B", 3) == 0) {
                    *o++ = '+';
                    s += 2;
                    continue;
                }

                if (strncasecmp(s, "%2F", 3) == 0) {
                    *o++ = '/';
                    s += 2;
                    continue;
                }

                if (strncasecmp(s, "%3D", 3) == 0) {
                    *o++ = '=';
                    s += 2;
                    continue;
                }
            }

            *o++ = *s;
        }

        *o = '\0';

        if (exch_base64_decode(u, o - u, raw, &n) != 0
            || exch_ews_storeid_parse(raw, n, id) != EXS_OK)
        {
            return EXCH_EWS_ERR_INVALID_ID_MALFORMED;
        }

        return EXCH_EWS_NOERROR;
    }
}


static char *
exch_ews_cvt_encode(exch_ews_t *ews, int fmt, const exch_ews_id_t *id)
{
    char           *out;
    size_t          n, i;
    uint8_t         raw[128];
    exch_ews_id_t   e;

    switch (fmt) {

    case EXCH_FMT_EWS:
    case EXCH_FMT_LEGACY:
        e = *id;
        e.legacy = fmt == EXCH_FMT_LEGACY;
        return exch_ews_id_encode(&e, ews->a);

    case EXCH_FMT_ENTRYID:
    case EXCH_FMT_HEX:
        exch_ews_entryid_make(id, raw, &n);
        break;

    default:
        exch_ews_storeid_make(id, raw, &n);
        break;
    }

    if (fmt == EXCH_FMT_HEX) {
        out = exs_alloc(ews->a, n * 2 + 1);
        if (out == NULL) {
            return NULL;
        }

        for (i = 0; i < n; i++) {
            snprintf(out + i * 2, 3, "%02X", raw[i]);
        }

        return out;
    }

    out = exs_alloc(ews->a, exch_base64_encoded_len(n) + 1);
    if (out) {
        exch_base64_encode(raw, n, out);
    }

    return out;
}


int
exch_ews_op_convert_id(exch_ews_t *ews, xmlNodePtr req)
{
    int               rc, dst, src;
    uint32_t          rights;
    xmlNodePtr        ids, c;
    const char       *s, *out;
    exch_ews_id_t     id;
    exch_ews_code_t   code;
    exch_ews_mbox_t  *m;
    exs_dirent_t      e;

    ids = exch_ews_mchild(req, "SourceIds");
    dst = exch_ews_format(exch_ews_attr(req, "DestinationFormat"));

    if (ids == NULL || dst < 0) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "ConvertId needs DestinationFormat and "
                              "SourceIds.");
    }

    if (exch_ews_begin(ews, 0) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    exch_ews_resp_begin(ews);

    for (c = ids->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        if (!exch_xml_is(c, EXCH_EWS_NS_T, "AlternateId")) {
            /* public folders: there are none here */
            exch_ews_msg_error(ews, EXCH_EWS_ERR_INVALID_ID_MALFORMED, NULL);
            continue;
        }

        src = exch_ews_format(exch_ews_attr(c, "Format"));
        s = exch_ews_attr(c, "Id");

        if (src < 0 || s == NULL) {
            exch_ews_end(ews, EXS_ERROR);
            return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                                  "AlternateId needs Format and Id.");
        }

        code = exch_ews_cvt_decode(ews, src, s, &id);
        m = NULL;

        if (code == EXCH_EWS_NOERROR && id.legacy && id.smtp) {
            rc = exs_dir_by_address(ews->txn, id.smtp, &e, ews->a);

            if (rc == EXS_OK && e.type == EXS_DIR_USER) {
                memcpy(id.guid, e.guid, 16);

            } else {
                code = EXCH_EWS_ERR_NON_EXISTENT_MAILBOX;
            }
        }

        if (code == EXCH_EWS_NOERROR) {
            rc = exch_ews_mbox_guid(ews, id.guid, &m);

            if (rc == EXS_NOTFOUND) {
                code = EXCH_EWS_ERR_NON_EXISTENT_MAILBOX;

            } else if (rc != EXS_OK) {
                code = exch_ews_code_from_rc(rc, 0);
            }
        }

        if (code == EXCH_EWS_NOERROR && m->mailbox != ews->user.mailbox) {
            /* another mailbox: only where the user may see the folder */
            rc = exs_folder_rights(m->mb, id.fid, &rights);

            if (rc != EXS_OK || rights == 0) {
                code = EXCH_EWS_ERR_ACCESS_DENIED;
            }
        }

        if (code == EXCH_EWS_NOERROR && id.kind == EXCH_EWS_ID_ATTACH
            && dst != EXCH_FMT_EWS && dst != EXCH_FMT_LEGACY)
        {
            code = EXCH_EWS_ERR_UNSUPPORTED_TYPE_FOR_CONVERSION;
        }

        if (code != EXCH_EWS_NOERROR) {
            exch_ews_msg_error(ews, code, NULL);
            continue;
        }

        id.smtp = m->address;

        out = exch_ews_cvt_encode(ews, dst, &id);
        if (out == NULL) {
            exch_ews_end(ews, EXS_ERROR);
            return EXCH_EWS_FAIL;
        }

        exch_ews_msg_ok(ews);
        exch_buf_printf(&ews->out, "<m:AlternateId "
                        "xsi:type=\"t:AlternateIdType\" Format=\"%s\" "
                        "Id=\"", exch_ews_formats[dst]);
        exch_buf_cstr_text(&ews->out, out);
        exch_buf_str(&ews->out, "\" Mailbox=\"");
        exch_buf_cstr_text(&ews->out, m->address);
        exch_buf_str(&ews->out, "\"/>");
        exch_ews_msg_end(ews);
    }

    exch_ews_resp_end(ews);
    exch_ews_end(ews, EXS_ERROR);

    return EXCH_EWS_OK;
}
