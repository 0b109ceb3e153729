
/*
 * exch EWS: user configuration objects, MS-OXWSUSRCFG -- Get, Create,
 * Update and DeleteUserConfiguration -- on folder-associated messages of
 * class "IPM.Configuration.<name>" (MS-OXOCFG): the dictionary in
 * PR_ROAMING_DICTIONARY (the XML of MS-OXOCFG 2.2.5.1, values typed by
 * their .NET TypeCode: 3 Boolean, 6 Byte, 9 Int32, 10 UInt32, 11 Int64,
 * 12 UInt64, 16 DateTime, 18 String; arrays are ours: 1018 for strings,
 * 1006 for bytes, their elements base64 and space-separated), the XML data
 * in PR_ROAMING_XMLSTREAM, the binary data in PR_ROAMING_BINARYSTREAM.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exch_ews_ops.h"
#include "exch_ews_items.h"


#define EXCH_CFG_PREFIX         "IPM.Configuration."
#define EXCH_CFG_MAX_NAME       236


typedef struct {
    const char               *name;
    int                       code;
} exch_ews_cfg_type_t;


static const exch_ews_cfg_type_t  exch_ews_cfg_types[] = {
    { "Boolean", 3 },
    { "Byte", 6 },
    { "Integer32", 9 },
    { "UnsignedInteger32", 10 },
    { "Integer64", 11 },
    { "UnsignedInteger64", 12 },
    { "DateTime", 16 },
    { "String", 18 },
    { "StringArray", 1018 },
    { "ByteArray", 1006 },
    { NULL, 0 }
};


#define EXCH_CFG_ID             0x01
#define EXCH_CFG_DICTIONARY     0x02
#define EXCH_CFG_XML            0x04
#define EXCH_CFG_BINARY         0x08
#define EXCH_CFG_ALL            0x0F


static exch_ews_code_t exch_ews_cfg_name(exch_ews_t *ews, xmlNodePtr node,
    exch_ews_folder_ref_t *f, const char **cls);
static exs_id_t exch_ews_cfg_find(exch_ews_t *ews, exch_ews_folder_ref_t *f,
    const char *cls);
static exch_ews_code_t exch_ews_cfg_dict_encode(exch_ews_t *ews,
    xmlNodePtr dict, exch_buf_t *out);
static exch_ews_code_t exch_ews_cfg_typed(exch_ews_t *ews, xmlNodePtr tv,
    exch_buf_t *out);
static void exch_ews_cfg_dict_write(exch_ews_t *ews, const exs_bin_t *bin);
static void exch_ews_cfg_typed_write(exch_ews_t *ews, const char *elem,
    const char *s);
static exch_ews_code_t exch_ews_cfg_props(exch_ews_t *ews, xmlNodePtr cfg,
    exs_props_t *props, uint32_t *del, uint32_t *ndel);
static int exch_ews_cfg_write(exch_ews_t *ews, exch_ews_folder_ref_t *f,
    exs_id_t mid, const char *name, unsigned what);
static int exch_ews_cfg_change(exch_ews_t *ews, xmlNodePtr req, int create);
static int exch_ews_cfg_done(exch_ews_t *ews, exch_ews_code_t code);


static exch_ews_code_t
exch_ews_cfg_name(exch_ews_t *ews, xmlNodePtr node, exch_ews_folder_ref_t *f,
    const char **cls)
{
    char             *c;
    size_t            n;
    const char       *name, *p;
    exch_ews_code_t   code;

    name = exch_ews_attr(node, "Name");

    if (name == NULL) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    n = strlen(name);

    if (n == 0 || n > EXCH_CFG_MAX_NAME) {
        return EXCH_EWS_ERR_INVALID_REQUEST;
    }

    /* letters, digits, '.', '_' and '-' only, as Exchange allows */

    for (p = name; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_'
              || *p == '-'))
        {
            return EXCH_EWS_ERR_INVALID_REQUEST;
        }
    }

    code = exch_ews_folder_ref_in(ews, node, f);
    if (code != EXCH_EWS_NOERROR) {
        return code;
    }

    c = exs_alloc(ews->a, sizeof(EXCH_CFG_PREFIX) + n);
    if (c == NULL) {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    memcpy(c, EXCH_CFG_PREFIX, sizeof(EXCH_CFG_PREFIX) - 1);
    memcpy(c + sizeof(EXCH_CFG_PREFIX) - 1, name, n + 1);

    *cls = c;

    return EXCH_EWS_NOERROR;
}


static exs_id_t
exch_ews_cfg_find(exch_ews_t *ews, exch_ews_folder_ref_t *f, const char *cls)
{
    return exch_ews_assoc_find(f->m->mb, f->fid, cls, ews->a);
}


/* <t:DictionaryKey> / <t:DictionaryValue> as "code-value" */

static exch_ews_code_t
exch_ews_cfg_typed(exch_ews_t *ews, xmlNodePtr tv, exch_buf_t *out)
{
    int                         first;
    size_t                      n;
    xmlNodePtr                  v;
    const char                 *type, *s;
    const exch_ews_cfg_type_t  *t;

    type = exch_ews_value(exch_ews_child(tv, "Type"));

    if (type == NULL) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    for (t = exch_ews_cfg_types; t->name; t++) {
        if (strcmp(t->name, type) == 0) {
            break;
        }
    }

    if (t->name == NULL) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    exch_buf_printf(out, "%d-", t->code);
    first = 1;

    for (v = tv->children; v; v = v->next) {
        if (v->type != XML_ELEMENT_NODE
            || strcmp((const char *) v->name, "Value") != 0)
        {
            continue;
        }

        s = exch_ews_text(ews, v, &n);

        if (t->code > 1000) {
            if (!first) {
                exch_buf_str(out, " ");
            }

            exch_buf_base64(out, s, n);

        } else if (t->code == 3) {
            /* xs:boolean: "1" and "true" are one value, written "true" */
            if (!first || exch_ews_bool(s) < 0) {
                return EXCH_EWS_ERR_INVALID_REQUEST;
            }

            exch_buf_str(out, exch_ews_bool(s) ? "true" : "false");

        } else {
            if (!first) {
                return EXCH_EWS_ERR_INVALID_REQUEST;
            }

            exch_buf_add(out, s, n);
        }

        first = 0;
    }

    return EXCH_EWS_NOERROR;
}


static exch_ews_code_t
exch_ews_cfg_dict_encode(exch_ews_t *ews, xmlNodePtr dict, exch_buf_t *out)
{
    xmlNodePtr        e, k, v;
    exch_buf_t        kb, vb;
    exch_ews_code_t   code;

    exch_buf_str(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                      "<UserConfiguration><Info version=\"Outlook.12\"/>"
                      "<Data>");

    for (e = dict->children; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE) {
            continue;
        }

        k = exch_ews_child(e, "DictionaryKey");
        v = exch_ews_child(e, "DictionaryValue");

        if (k == NULL) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        exch_buf_init(&kb);
        exch_buf_init(&vb);

        code = exch_ews_cfg_typed(ews, k, &kb);

        if (code == EXCH_EWS_NOERROR && v) {
            code = exch_ews_cfg_typed(ews, v, &vb);
        }

        if (code == EXCH_EWS_NOERROR) {
            exch_buf_str(out, "<e k=\"");
            exch_buf_text(out, kb.data, kb.len);
            exch_buf_str(out, "\" v=\"");

            if (v) {
                exch_buf_text(out, vb.data, vb.len);
            }

            exch_buf_str(out, "\"/>");
        }

        exch_buf_free(&kb);
        exch_buf_free(&vb);

        if (code != EXCH_EWS_NOERROR) {
            return code;
        }
    }

    exch_buf_str(out, "</Data></UserConfiguration>");

    return out->nomem ? EXCH_EWS_ERR_INTERNAL_SERVER_ERROR
                      : EXCH_EWS_NOERROR;
}


static void
exch_ews_cfg_typed_write(exch_ews_t *ews, const char *elem, const char *s)
{
    int                         code;
    char                       *end, *dec;
    size_t                      n, len;
    const char                 *v, *sp;
    const exch_ews_cfg_type_t  *t;

    code = (int) strtol(s, &end, 10);

    if (*end != '-') {
        return;
    }

    v = end + 1;

    for (t = exch_ews_cfg_types; t->name; t++) {
        if (t->code == code) {
            break;
        }
    }

    if (t->name == NULL) {
        return;
    }

    exch_buf_printf(&ews->out, "<t:%s><t:Type>%s</t:Type>", elem, t->name);

    if (code < 1000) {
        exch_ews_elem(&ews->out, "Value", v);

    } else {
        while (*v) {
            sp = strchr(v, ' ');
            len = sp ? (size_t) (sp - v) : strlen(v);

            dec = exs_alloc(ews->a, len + 4);

            if (dec && exch_base64_decode(v, len, (uint8_t *) dec, &n) == 0) {
                exch_ews_elem_n(&ews->out, "Value", dec, n);
            }

            v += len;

            if (*v == ' ') {
                v++;
            }
        }
    }

    exch_ews_close(&ews->out, elem);
}


static void
exch_ews_cfg_dict_write(exch_ews_t *ews, const exs_bin_t *bin)
{
    xmlDocPtr    doc;
    xmlNodePtr   data, e;
    const char  *k, *v;

    exch_buf_str(&ews->out, "<t:Dictionary>");

    doc = exch_xml_parse(bin->data, bin->len);
    data = doc ? exch_xml_child(xmlDocGetRootElement(doc), NULL, "Data")
               : NULL;

    for (e = data ? data->children : NULL; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE) {
            continue;
        }

        k = exch_ews_attr(e, "k");
        v = exch_ews_attr(e, "v");

        if (k == NULL) {
            continue;
        }

        exch_buf_str(&ews->out, "<t:DictionaryEntry>");
        exch_ews_cfg_typed_write(ews, "DictionaryKey", k);

        if (v && *v) {
            exch_ews_cfg_typed_write(ews, "DictionaryValue", v);
        }

        exch_buf_str(&ews->out, "</t:DictionaryEntry>");
    }

    if (doc) {
        xmlFreeDoc(doc);
    }

    exch_buf_str(&ews->out, "</t:Dictionary>");
}


/* the properties of a <m:UserConfiguration> */

static exch_ews_code_t
exch_ews_cfg_props(exch_ews_t *ews, xmlNodePtr cfg, exs_props_t *props,
    uint32_t *del, uint32_t *ndel)
{
    int               rc;
    size_t            len, n;
    uint8_t          *data;
    xmlNodePtr        c;
    exch_buf_t        dict;
    const char       *s;
    exch_ews_code_t   code;

    *ndel = 0;

    c = exch_ews_child(cfg, "Dictionary");

    if (c) {
        exch_buf_init(&dict);

        code = exch_ews_cfg_dict_encode(ews, c, &dict);

        if (code == EXCH_EWS_NOERROR) {
            rc = exs_props_set_bin(ews->a, props, PR_ROAMING_DICTIONARY,
                                   dict.data, dict.len);
            code = exch_ews_code_from_rc(rc, 0);
        }

        exch_buf_free(&dict);

        if (code != EXCH_EWS_NOERROR) {
            return code;
        }
    }

    c = exch_ews_child(cfg, "XmlData");

    if (c) {
        s = exch_ews_text(ews, c, &len);
        data = exs_alloc(ews->a, len / 4 * 3 + 3);

        if (data == NULL || exch_base64_decode(s, len, data, &n) != 0) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        if (n) {
            rc = exs_props_set_bin(ews->a, props, PR_ROAMING_XMLSTREAM, data,
                                   n);
            if (rc != EXS_OK) {
                return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
            }

        } else {
            del[(*ndel)++] = PR_ROAMING_XMLSTREAM;
        }
    }

    c = exch_ews_child(cfg, "BinaryData");

    if (c) {
        s = exch_ews_text(ews, c, &len);
        data = exs_alloc(ews->a, len / 4 * 3 + 3);

        if (data == NULL || exch_base64_decode(s, len, data, &n) != 0) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        if (n) {
            rc = exs_props_set_bin(ews->a, props, PR_ROAMING_BINARYSTREAM,
                                   data, n);
            if (rc != EXS_OK) {
                return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
            }

        } else {
            del[(*ndel)++] = PR_ROAMING_BINARYSTREAM;
        }
    }

    return EXCH_EWS_NOERROR;
}


static int
exch_ews_cfg_write(exch_ews_t *ews, exch_ews_folder_ref_t *f, exs_id_t mid,
    const char *name, unsigned what)
{
    int          rc;
    uint32_t     tags[5];
    exs_prop_t  *p;
    exs_props_t  props;
    exch_buf_t  *b;

    b = &ews->out;

    memset(&props, 0, sizeof(exs_props_t));
    tags[0] = PR_ROAMING_DICTIONARY;
    tags[1] = PR_ROAMING_XMLSTREAM;
    tags[2] = PR_ROAMING_BINARYSTREAM;
    tags[3] = PR_CHANGE_KEY;
    tags[4] = PR_MESSAGE_CLASS;

    rc = exs_message_get(f->m->mb, mid, tags, 5, &props, ews->a);
    if (rc != EXS_OK) {
        return rc;
    }

    exch_buf_str(b, "<m:UserConfiguration><t:UserConfigurationName Name=\"");
    exch_buf_cstr_text(b, name);
    exch_buf_str(b, "\">");

    rc = exch_ews_write_folder_id(ews, "FolderId", f->m, f->fid);
    if (rc != EXS_OK) {
        return rc;
    }

    exch_buf_str(b, "</t:UserConfigurationName>");

    if (what & EXCH_CFG_ID) {
        rc = exch_ews_write_item_id(ews, "ItemId", f->m, f->fid, mid,
                                    &props);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    if (what & EXCH_CFG_DICTIONARY) {
        p = exs_props_get(&props, PR_ROAMING_DICTIONARY);

        if (p) {
            exch_ews_cfg_dict_write(ews, &p->v.bin);
        }
    }

    if (what & EXCH_CFG_XML) {
        p = exs_props_get(&props, PR_ROAMING_XMLSTREAM);

        if (p) {
            exch_buf_str(b, "<t:XmlData>");
            exch_buf_base64(b, p->v.bin.data, p->v.bin.len);
            exch_buf_str(b, "</t:XmlData>");
        }
    }

    if (what & EXCH_CFG_BINARY) {
        p = exs_props_get(&props, PR_ROAMING_BINARYSTREAM);

        if (p) {
            exch_buf_str(b, "<t:BinaryData>");
            exch_buf_base64(b, p->v.bin.data, p->v.bin.len);
            exch_buf_str(b, "</t:BinaryData>");
        }
    }

    exch_buf_str(b, "</m:UserConfiguration>");

    return EXS_OK;
}


int
exch_ews_op_get_user_config(exch_ews_t *ews, xmlNodePtr req)
{
    int                     rc;
    size_t                  mark, n;
    unsigned                what;
    exs_id_t                mid;
    xmlNodePtr              name;
    const char             *cls, *props, *p;
    exch_ews_code_t         code;
    exch_ews_folder_ref_t   f;

    name = exch_ews_mchild(req, "UserConfigurationName");
    props = exch_ews_value(exch_ews_mchild(req,
                                           "UserConfigurationProperties"));

    if (name == NULL || props == NULL) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "GetUserConfiguration needs "
                              "UserConfigurationName and "
                              "UserConfigurationProperties.");
    }

    what = 0;

    for (p = props; *p; ) {
        n = strcspn(p, " \t\r\n");

        if (n == 3 && strncmp(p, "All", 3) == 0) {
            what |= EXCH_CFG_ALL;
        } else if (n == 2 && strncmp(p, "Id", 2) == 0) {
            what |= EXCH_CFG_ID;
        } else if (n == 10 && strncmp(p, "Dictionary", 10) == 0) {
            what |= EXCH_CFG_DICTIONARY;
        } else if (n == 7 && strncmp(p, "XmlData", 7) == 0) {
            what |= EXCH_CFG_XML;
        } else if (n == 10 && strncmp(p, "BinaryData", 10) == 0) {
            what |= EXCH_CFG_BINARY;
        } else if (n) {
            return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                                  "UserConfigurationProperties is not "
                                  "valid.");
        }

        p += n;
        p += strspn(p, " \t\r\n");
    }

    if (exch_ews_begin(ews, 0) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    exch_ews_resp_begin(ews);

    code = exch_ews_cfg_name(ews, name, &f, &cls);

    if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
        exch_ews_end(ews, EXS_ERROR);
        return exch_ews_fault(ews, code, NULL,
                              "UserConfigurationName is not valid.");
    }

    mid = 0;

    if (code == EXCH_EWS_NOERROR) {
        mid = exch_ews_cfg_find(ews, &f, cls);

        if (mid == 0) {
            code = EXCH_EWS_ERR_ITEM_NOT_FOUND;
        }
    }

    if (code == EXCH_EWS_NOERROR) {
        exch_ews_msg_ok(ews);
        mark = ews->out.len;

        rc = exch_ews_cfg_write(ews, &f, mid, exch_ews_attr(name, "Name"),
                                what);
        if (rc == EXS_OK) {
            exch_ews_msg_end(ews);

        } else {
            ews->out.len = mark;
            code = exch_ews_code_from_rc(rc, 0);
        }
    }

    if (code != EXCH_EWS_NOERROR) {
        exch_ews_msg_error(ews, code, NULL);
    }

    exch_ews_resp_end(ews);
    exch_ews_end(ews, EXS_ERROR);

    return EXCH_EWS_OK;
}


/* the one response message of a change: committed when it succeeded */

static int
exch_ews_cfg_done(exch_ews_t *ews, exch_ews_code_t code)
{
    exch_ews_msg_result(ews, code);
    exch_ews_resp_end(ews);

    if (code != EXCH_EWS_NOERROR) {
        exch_ews_end(ews, EXS_ERROR);
        return EXCH_EWS_OK;
    }

    return exch_ews_commit_or_fault(ews);
}


static int
exch_ews_cfg_change(exch_ews_t *ews, xmlNodePtr req, int create)
{
    int                     rc;
    exs_id_t                mid;
    uint32_t                del[2], ndel;
    exs_msg_t              *msg;
    xmlNodePtr              cfg, name;
    const char             *cls;
    exch_ews_code_t         code;
    exch_ews_folder_ref_t   f;

    cfg = exch_ews_mchild(req, "UserConfiguration");
    name = exch_ews_child(cfg, "UserConfigurationName");

    if (cfg == NULL || name == NULL) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "UserConfiguration with a "
                              "UserConfigurationName is required.");
    }

    if (exch_ews_begin(ews, 1) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    exch_ews_resp_begin(ews);

    code = exch_ews_cfg_name(ews, name, &f, &cls);

    if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
        exch_ews_end(ews, EXS_ERROR);
        return exch_ews_fault(ews, code, NULL,
                              "UserConfigurationName is not valid.");
    }

    msg = exs_msg_create(ews->a);
    if (msg == NULL) {
        exch_ews_end(ews, EXS_ERROR);
        return EXCH_EWS_FAIL;
    }

    if (code == EXCH_EWS_NOERROR) {
        code = exch_ews_cfg_props(ews, cfg, &msg->props, del, &ndel);
    }

    if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
        exch_ews_end(ews, EXS_ERROR);
        return exch_ews_fault(ews, code, NULL,
                              "The user configuration is not valid.");
    }

    if (code == EXCH_EWS_NOERROR) {
        mid = exch_ews_cfg_find(ews, &f, cls);

        if (create && mid) {
            code = EXCH_EWS_ERR_USER_CONFIG_EXISTS;

        } else if (!create && mid == 0) {
            code = EXCH_EWS_ERR_ITEM_NOT_FOUND;

        } else if (create) {
            rc = exs_props_set_str(ews->a, &msg->props, PR_MESSAGE_CLASS,
                                   cls, strlen(cls));
            if (rc == EXS_OK) {
                rc = exs_message_create(f.m->mb, f.fid, msg,
                                        EXS_MSG_ASSOCIATED, &mid);
            }

            code = exch_ews_code_from_rc(rc, 0);

        } else {
            rc = EXS_OK;

            if (ndel) {
                rc = exs_message_delprops(f.m->mb, mid, del, ndel);
            }

            if (rc == EXS_OK && msg->props.n) {
                rc = exs_message_set(f.m->mb, mid, &msg->props);
            }

            code = exch_ews_code_from_rc(rc, 0);
        }
    }

    return exch_ews_cfg_done(ews, code);
}


int
exch_ews_op_create_user_config(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_cfg_change(ews, req, 1);
}


int
exch_ews_op_update_user_config(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_cfg_change(ews, req, 0);
}


int
exch_ews_op_delete_user_config(exch_ews_t *ews, xmlNodePtr req)
{
    int                     rc;
    exs_id_t                mid;
    xmlNodePtr              name;
    const char             *cls;
    exch_ews_code_t         code;
    exch_ews_folder_ref_t   f;

    name = exch_ews_mchild(req, "UserConfigurationName");

    if (name == NULL) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "DeleteUserConfiguration needs "
                              "UserConfigurationName.");
    }

    if (exch_ews_begin(ews, 1) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    exch_ews_resp_begin(ews);

    code = exch_ews_cfg_name(ews, name, &f, &cls);

    if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
        exch_ews_end(ews, EXS_ERROR);
        return exch_ews_fault(ews, code, NULL,
                              "UserConfigurationName is not valid.");
    }

    if (code == EXCH_EWS_NOERROR) {
        mid = exch_ews_cfg_find(ews, &f, cls);

        if (mid == 0) {
            code = EXCH_EWS_ERR_ITEM_NOT_FOUND;

        } else {
            rc = exs_message_delete(f.m->mb, &mid, 1, EXS_DEL_HARD);
            code = exch_ews_code_from_rc(rc, 0);
        }
    }

    return exch_ews_cfg_done(ews, code);
}
