
/*
 * exch EWS: items as requests give them -- CreateItem's item elements,
 * UpdateItem's SetItemField / AppendToItemField / DeleteItemField -- into
 * the MAPI properties, recipients and attachments of a message, the same
 * mapping exch_ews_item.c writes with.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include <exs_oxcmail.h>

#include "exch_ews_items.h"


/* the address book provider of MS-OXCDATA 2.2.5.2 */
static const uint8_t  exch_ab_provider[16] = {
    0xDC, 0xA7, 0x40, 0xC8, 0xC0, 0x42, 0x10, 0x1A,
    0xB4, 0xB9, 0x08, 0x00, 0x2B, 0x2F, 0xE1, 0x82
};

/* PidLidGlobalObjectId's fixed start, MS-OXOCAL 2.2.1.27 */
static const uint8_t  exch_goid_header[16] = {
    0x04, 0x00, 0x00, 0x00, 0x82, 0x00, 0xE0, 0x00,
    0x74, 0xC5, 0xB7, 0x10, 0x1A, 0x82, 0xE0, 0x08
};


typedef struct {
    const char               *name;
    const char               *email;
    const char               *addrtype;
    const char               *smtp;
    exs_bin_t                 entryid;
    exs_bin_t                 search_key;
    uint32_t                  display_type;
    int                       local;
} exch_ews_addr_t;


static exch_ews_code_t exch_ews_addr_resolve(exch_ews_t *ews, xmlNodePtr mbx,
    exch_ews_addr_t *ad);
static int exch_ews_ab_entryid(exs_arena_t *a, const char *dn, uint32_t type,
    exs_bin_t *out);
static int exch_ews_set_str(exch_ews_t *ews, exs_props_t *p, uint32_t tag,
    const char *s);
static exch_ews_code_t exch_ews_set_mailbox(exch_ews_t *ews,
    const exch_ews_field_t *f, xmlNodePtr elem, exs_msg_t *msg);
static exch_ews_code_t exch_ews_set_rcpts(exch_ews_t *ews, xmlNodePtr elem,
    int rtype, int attendees, int append, exs_msg_t *msg);
static exch_ews_code_t exch_ews_set_replyto(exch_ews_t *ews,
    xmlNodePtr elem, exs_msg_t *msg);
static exch_ews_code_t exch_ews_set_body(exch_ews_t *ews, xmlNodePtr elem,
    exs_msg_t *msg);
static exch_ews_code_t exch_ews_set_uid(exch_ews_t *ews, exch_ews_mbox_t *m,
    const char *uid, exs_msg_t *msg);
static exch_ews_code_t exch_ews_set_indexed(exch_ews_t *ews,
    exch_ews_mbox_t *m, const exch_ews_field_t *f, xmlNodePtr elem,
    exs_msg_t *msg);
static exch_ews_code_t exch_ews_set_dlmembers(exch_ews_t *ews,
    exch_ews_mbox_t *m, xmlNodePtr elem, int append, exs_msg_t *msg);
static exch_ews_code_t exch_ews_set_flag(exch_ews_t *ews, exch_ews_mbox_t *m,
    xmlNodePtr elem, exs_msg_t *msg);
static exch_ews_code_t exch_ews_set_extended(exch_ews_t *ews,
    exch_ews_mbox_t *m, const exch_ews_path_t *path, xmlNodePtr elem,
    exs_msg_t *msg);
static void exch_ews_rcpts_drop(exs_msg_t *msg, int rtype);


static int
exch_ews_set_str(exch_ews_t *ews, exs_props_t *p, uint32_t tag,
    const char *s)
{
    if (tag == 0 || s == NULL) {
        return EXS_OK;
    }

    return exs_props_set_str(ews->a, p, PROP_TAG(PT_UNICODE, PROP_ID(tag)),
                             s, strlen(s));
}


static int
exch_ews_ab_entryid(exs_arena_t *a, const char *dn, uint32_t type,
    exs_bin_t *out)
{
    size_t    len;
    uint8_t  *p;

    len = strlen(dn);

    p = exs_calloc(a, 28 + len + 1);
    if (p == NULL) {
        return EXS_NOMEM;
    }

    memcpy(p + 4, exch_ab_provider, 16);
    p[20] = 1;
    p[24] = (uint8_t) type;
    memcpy(p + 28, dn, len + 1);

    out->data = p;
    out->len = 28 + len + 1;

    return EXS_OK;
}


/* a <t:Mailbox>: the directory's entry when it is local, else SMTP */

static exch_ews_code_t
exch_ews_addr_resolve(exch_ews_t *ews, xmlNodePtr mbx, exch_ews_addr_t *ad)
{
    int            rc;
    const char    *rt, *addr;
    exs_dirent_t   e;

    memset(ad, 0, sizeof(exch_ews_addr_t));

    ad->name = exch_ews_value(exch_ews_tchild(mbx, "Name"));
    addr = exch_ews_value(exch_ews_tchild(mbx, "EmailAddress"));
    rt = exch_ews_value(exch_ews_tchild(mbx, "RoutingType"));

    if (ad->name && *ad->name == '\0') {
        ad->name = NULL;
    }

    if (addr == NULL || *addr == '\0') {
        if (ad->name == NULL) {
            return EXCH_EWS_ERR_INVALID_RECIPIENTS;
        }

        addr = NULL;
    }

    rc = addr ? exch_ews_dir_lookup(ews, addr, &e) : EXS_NOTFOUND;

    if (rc == EXS_OK) {
        ad->local = 1;
        ad->addrtype = "EX";
        ad->email = e.legacy_dn;
        ad->smtp = e.address;
        ad->display_type = e.type == EXS_DIR_GROUP ? 1 : 0;

        if (ad->name == NULL) {
            ad->name = e.display_name;
        }

        if (exch_ews_ab_entryid(ews->a, e.legacy_dn, ad->display_type,
                                &ad->entryid)
            != EXS_OK)
        {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }

    } else if (rc == EXS_NOTFOUND) {
        if (rt && strcasecmp(rt, "EX") == 0) {
            return EXCH_EWS_ERR_INVALID_RECIPIENTS;
        }

        ad->addrtype = "SMTP";
        ad->email = addr;
        ad->smtp = addr;

        if (ad->name == NULL) {
            ad->name = addr;
        }

        if (addr
            && exs_oxcmail_oneoff_entryid(ad->name, "SMTP", addr,
                                          &ad->entryid, ews->a)
               != EXS_OK)
        {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }

    } else {
        return exch_ews_code_from_rc(rc, 0);
    }

    if (ad->email
        && exs_oxcmail_search_key(ad->addrtype, ad->email, &ad->search_key,
                                  ews->a)
           != EXS_OK)
    {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    return EXCH_EWS_NOERROR;
}


exch_ews_code_t
exch_ews_rcpt_read(exch_ews_t *ews, xmlNodePtr mbx, int rtype,
    exs_msg_t *msg)
{
    int               rc;
    exs_rcpt_t       *r;
    exch_ews_addr_t   ad;
    exch_ews_code_t   code;

    code = exch_ews_addr_resolve(ews, mbx, &ad);
    if (code != EXCH_EWS_NOERROR) {
        return code;
    }

    r = exs_msg_add_rcpt(ews->a, msg);
    if (r == NULL) {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    rc = exs_props_set_long(ews->a, &r->props, PR_RECIPIENT_TYPE, rtype);
    rc |= exs_props_set_long(ews->a, &r->props, PR_ROWID,
                             (int32_t) msg->nrcpts - 1);
    rc |= exch_ews_set_str(ews, &r->props, PR_DISPLAY_NAME, ad.name);
    rc |= exch_ews_set_str(ews, &r->props, PR_TRANSMITABLE_DISPLAY_NAME,
                           ad.name);
    rc |= exch_ews_set_str(ews, &r->props, PR_ADDRTYPE, ad.addrtype);
    rc |= exch_ews_set_str(ews, &r->props, PR_EMAIL_ADDRESS, ad.email);
    rc |= exch_ews_set_str(ews, &r->props, PR_SMTP_ADDRESS, ad.smtp);
    rc |= exs_props_set_long(ews->a, &r->props, PR_DISPLAY_TYPE,
                             (int32_t) ad.display_type);
    rc |= exs_props_set_long(ews->a, &r->props, PR_OBJECT_TYPE,
                             ad.display_type ? 8 : 6);
    rc |= exs_props_set_long(ews->a, &r->props, PR_RECIPIENT_FLAGS, 1);

    if (ad.entryid.len) {
        rc |= exs_props_set_bin(ews->a, &r->props, PR_ENTRYID,
                                ad.entryid.data, ad.entryid.len);
        rc |= exs_props_set_bin(ews->a, &r->props, PR_RECIPIENT_ENTRYID,
                                ad.entryid.data, ad.entryid.len);
    }

    if (ad.search_key.len) {
        rc |= exs_props_set_bin(ews->a, &r->props, PR_SEARCH_KEY,
                                ad.search_key.data, ad.search_key.len);
    }

    return rc == EXS_OK ? EXCH_EWS_NOERROR
                        : EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
}


static void
exch_ews_rcpts_drop(exs_msg_t *msg, int rtype)
{
    uint32_t     i, o;
    exs_prop_t  *p;

    for (i = 0, o = 0; i < msg->nrcpts; i++) {
        p = exs_props_get(&msg->rcpts[i].props, PR_RECIPIENT_TYPE);

        if (p && (p->v.l & 0x0F) == rtype) {
            continue;
        }

        msg->rcpts[o++] = msg->rcpts[i];
    }

    msg->nrcpts = o;
}


static exch_ews_code_t
exch_ews_set_rcpts(exch_ews_t *ews, xmlNodePtr elem, int rtype,
    int attendees, int append, exs_msg_t *msg)
{
    xmlNodePtr       c, mbx;
    exch_ews_code_t  code;

    if (!append) {
        exch_ews_rcpts_drop(msg, rtype);
    }

    for (c = elem->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        mbx = attendees ? exch_ews_tchild(c, "Mailbox") : c;

        if (mbx == NULL || !exch_xml_is(mbx, EXCH_EWS_NS_T, "Mailbox")) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        code = exch_ews_rcpt_read(ews, mbx, rtype, msg);
        if (code != EXCH_EWS_NOERROR) {
            return code;
        }
    }

    return EXCH_EWS_NOERROR;
}


static exch_ews_code_t
exch_ews_set_mailbox(exch_ews_t *ews, const exch_ews_field_t *f,
    xmlNodePtr elem, exs_msg_t *msg)
{
    int                          rc;
    xmlNodePtr                   mbx;
    exch_ews_addr_t              ad;
    exch_ews_code_t              code;
    const exch_ews_mbox_tags_t  *mt;

    mt = f->aux;
    mbx = exch_ews_tchild(elem, "Mailbox");

    if (mbx == NULL) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    code = exch_ews_addr_resolve(ews, mbx, &ad);
    if (code != EXCH_EWS_NOERROR) {
        return code;
    }

    rc = exch_ews_set_str(ews, &msg->props, mt->name, ad.name);
    rc |= exch_ews_set_str(ews, &msg->props, mt->email, ad.email);
    rc |= exch_ews_set_str(ews, &msg->props, mt->addrtype, ad.addrtype);
    rc |= exch_ews_set_str(ews, &msg->props, mt->smtp, ad.smtp);

    if (ad.entryid.len) {
        rc |= exs_props_set_bin(ews->a, &msg->props, mt->entryid,
                                ad.entryid.data, ad.entryid.len);
    }

    if (ad.search_key.len) {
        rc |= exs_props_set_bin(ews->a, &msg->props, mt->search_key,
                                ad.search_key.data, ad.search_key.len);
    }

    return rc == EXS_OK ? EXCH_EWS_NOERROR
                        : EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
}


/* ReplyTo: PR_REPLY_RECIPIENT_NAMES and a FlatEntryList of one-offs */

static exch_ews_code_t
exch_ews_set_replyto(exch_ews_t *ews, xmlNodePtr elem, exs_msg_t *msg)
{
    int               rc;
    size_t            size, off, pad;
    uint32_t          n, i;
    uint8_t          *fl;
    xmlNodePtr        c;
    exch_buf_t        names;
    exch_ews_addr_t   ads[32];
    exch_ews_code_t   code;

    n = 0;
    size = 8;

    for (c = elem->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        if (n == 32) {
            return EXCH_EWS_ERR_INVALID_RECIPIENTS;
        }

        code = exch_ews_addr_resolve(ews, c, &ads[n]);
        if (code != EXCH_EWS_NOERROR) {
            return code;
        }

        if (ads[n].local) {
            /* one-offs carry an SMTP address in a reply-to list */
            rc = exs_oxcmail_oneoff_entryid(ads[n].name, "SMTP", ads[n].smtp,
                                            &ads[n].entryid, ews->a);
            if (rc != EXS_OK) {
                return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
            }
        }

        size += 4 + ((ads[n].entryid.len + 3) & ~(size_t) 3);
        n++;
    }

    if (n == 0) {
        exs_props_del(&msg->props, PR_REPLY_RECIPIENT_NAMES);
        exs_props_del(&msg->props, PR_REPLY_RECIPIENT_ENTRIES);
        return EXCH_EWS_NOERROR;
    }

    fl = exs_calloc(ews->a, size);
    if (fl == NULL) {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    fl[0] = (uint8_t) n;
    fl[4] = (uint8_t) (size - 8);
    fl[5] = (uint8_t) ((size - 8) >> 8);
    off = 8;

    exch_buf_init(&names);

    for (i = 0; i < n; i++) {
        fl[off] = (uint8_t) ads[i].entryid.len;
        fl[off + 1] = (uint8_t) (ads[i].entryid.len >> 8);
        memcpy(fl + off + 4, ads[i].entryid.data, ads[i].entryid.len);
        pad = (ads[i].entryid.len + 3) & ~(size_t) 3;
        off += 4 + pad;

        if (i) {
            exch_buf_str(&names, "; ");
        }

        exch_buf_str(&names, ads[i].name ? ads[i].name : "");
    }

    rc = exs_props_set_bin(ews->a, &msg->props, PR_REPLY_RECIPIENT_ENTRIES,
                           fl, size);
    rc |= exs_props_set_str(ews->a, &msg->props, PR_REPLY_RECIPIENT_NAMES,
                            names.data ? names.data : "", names.len);
    exch_buf_free(&names);

    return rc == EXS_OK ? EXCH_EWS_NOERROR
                        : EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
}


static exch_ews_code_t
exch_ews_set_body(exch_ews_t *ews, xmlNodePtr elem, exs_msg_t *msg)
{
    int          rc;
    char        *text;
    size_t       len, tlen;
    const char  *type, *s;

    type = exch_ews_attr(elem, "BodyType");
    s = exch_ews_text(ews, elem, &len);

    if (type == NULL || strcmp(type, "Text") == 0) {
        exs_props_del(&msg->props, PR_HTML);
        exs_props_del(&msg->props, PR_RTF_COMPRESSED);
        rc = exs_props_set_str(ews->a, &msg->props, PR_BODY, s, len);
        rc |= exs_props_set_long(ews->a, &msg->props, PR_NATIVE_BODY_INFO, 1);

        return rc == EXS_OK ? EXCH_EWS_NOERROR
                            : EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    if (strcmp(type, "HTML") != 0) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    text = exs_oxcmail_html_to_text(s, len, &tlen, ews->a);

    exs_props_del(&msg->props, PR_RTF_COMPRESSED);
    rc = exs_props_set_bin(ews->a, &msg->props, PR_HTML, s, len);
    rc |= exs_props_set_long(ews->a, &msg->props, PR_INTERNET_CPID, 65001);
    rc |= exs_props_set_long(ews->a, &msg->props, PR_NATIVE_BODY_INFO, 3);

    if (text) {
        rc |= exs_props_set_str(ews->a, &msg->props, PR_BODY, text, tlen);
    }

    return rc == EXS_OK ? EXCH_EWS_NOERROR
                        : EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
}


/* UID: a GlobalObjectId in hex, else one that carries the UID */

static exch_ews_code_t
exch_ews_set_uid(exch_ews_t *ews, exch_ews_mbox_t *m, const char *uid,
    exs_msg_t *msg)
{
    int        rc;
    size_t     len, n;
    int64_t    now;
    uint8_t   *g;
    uint32_t   tag, ctag;

    if (uid == NULL || *uid == '\0') {
        return EXCH_EWS_ERR_INVALID_VALUE_FOR_PROPERTY;
    }

    tag = exch_ews_np_tag(ews, m, EXCH_NP_GLOBAL_OBJID, 1);
    ctag = exch_ews_np_tag(ews, m, EXCH_NP_CLEAN_GLOBAL_OBJID, 1);

    if (tag == 0 || ctag == 0) {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    len = strlen(uid);

    g = exs_alloc(ews->a, len + 64);
    if (g == NULL) {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    if (len >= 80 && exch_ews_hex_decode(uid, len, g, &n) == 0
        && memcmp(g, exch_goid_header, 16) == 0)
    {
        rc = exs_props_set_bin(ews->a, &msg->props, tag, g, n);
        rc |= exs_props_set_bin(ews->a, &msg->props, ctag, g, n);

        return rc == EXS_OK ? EXCH_EWS_NOERROR
                            : EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    memset(g, 0, 52);
    memcpy(g, exch_goid_header, 16);

    now = ews->now;
    g[20] = (uint8_t) now;
    g[21] = (uint8_t) (now >> 8);
    g[22] = (uint8_t) (now >> 16);
    g[23] = (uint8_t) (now >> 24);
    g[24] = (uint8_t) (now >> 32);
    g[25] = (uint8_t) (now >> 40);
    g[26] = (uint8_t) (now >> 48);
    g[27] = (uint8_t) (now >> 56);

    n = 12 + len + 1;
    g[36] = (uint8_t) n;
    g[37] = (uint8_t) (n >> 8);
    g[38] = (uint8_t) (n >> 16);
    g[39] = (uint8_t) (n >> 24);
    memcpy(g + 40, "vCal-Uid\x01\x00\x00\x00", 12);
    memcpy(g + 52, uid, len + 1);

    rc = exs_props_set_bin(ews->a, &msg->props, tag, g, 53 + len);
    rc |= exs_props_set_bin(ews->a, &msg->props, ctag, g, 53 + len);

    return rc == EXS_OK ? EXCH_EWS_NOERROR
                        : EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
}


/* the entries of EmailAddresses, PhysicalAddresses, PhoneNumbers,
 * ImAddresses */

static exch_ews_code_t
exch_ews_set_indexed(exch_ews_t *ews, exch_ews_mbox_t *m,
    const exch_ews_field_t *f, xmlNodePtr elem, exs_msg_t *msg)
{
    int                        rc, j, np;
    uint32_t                   tag;
    int32_t                    list[3];
    uint32_t                   nlist, i;
    xmlNodePtr                 e, c;
    exs_prop_t                 mv;
    exs_bin_t                  eid;
    const char                *key, *v, *name;
    const exch_ews_index_t    *ix;
    const exch_ews_address_t  *ad;

    for (e = elem->children; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE) {
            continue;
        }

        key = exch_ews_attr(e, "Key");

        if (key == NULL) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        if (f->kind == EXCH_K_ADDRESSES) {
            for (ad = exch_ews_addresses; ad->key; ad++) {
                if (strcmp(ad->key, key) == 0) {
                    break;
                }
            }

            if (ad->key == NULL) {
                return EXCH_EWS_ERR_SCHEMA_VALIDATION;
            }

            for (c = e->children; c; c = c->next) {
                if (c->type != XML_ELEMENT_NODE) {
                    continue;
                }

                for (j = 0; j < 5; j++) {
                    if (strcmp(ad->part[j].key, (const char *) c->name) == 0)
                    {
                        break;
                    }
                }

                if (j == 5) {
                    return EXCH_EWS_ERR_SCHEMA_VALIDATION;
                }

                tag = ad->part[j].np
                      ? exch_ews_np_tag(ews, m, ad->part[j].np, 1)
                      : ad->part[j].tag;

                rc = exch_ews_set_str(ews, &msg->props, tag,
                                      exch_ews_value(c));
                if (rc != EXS_OK) {
                    return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
                }
            }

            continue;
        }

        ix = f->kind == EXCH_K_EMAILS ? exch_ews_emails
             : f->kind == EXCH_K_PHONES ? exch_ews_phones
             : exch_ews_imaddrs;

        for ( ; ix->key; ix++) {
            if (strcmp(ix->key, key) == 0) {
                break;
            }
        }

        if (ix->key == NULL) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        v = exch_ews_value(e);
        tag = ix->np ? exch_ews_np_tag(ews, m, ix->np, 1) : ix->tag;

        if (v == NULL || *v == '\0') {
            exs_props_del(&msg->props, tag);
            continue;
        }

        rc = exch_ews_set_str(ews, &msg->props, tag, v);

        if (rc == EXS_OK && f->kind == EXCH_K_EMAILS) {
            /* the companions Outlook reads: type, display name, entry id */

            np = ix->np;
            name = exch_ews_attr(e, "Name");

            if (name == NULL || *name == '\0') {
                name = v;
            }

            rc = exch_ews_set_str(ews, &msg->props,
                                  exch_ews_np_tag(ews, m, np - 1, 1),
                                  "SMTP");
            rc |= exch_ews_set_str(ews, &msg->props,
                                   exch_ews_np_tag(ews, m, np - 2, 1), name);
            rc |= exch_ews_set_str(ews, &msg->props,
                                   exch_ews_np_tag(ews, m, np + 1, 1), v);

            if (rc == EXS_OK
                && exs_oxcmail_oneoff_entryid(name, "SMTP", v, &eid, ews->a)
                   == EXS_OK)
            {
                rc = exs_props_set_bin(ews->a, &msg->props,
                                       exch_ews_np_tag(ews, m, np + 2, 1),
                                       eid.data, eid.len);
            }
        }

        if (rc != EXS_OK) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }
    }

    if (f->kind != EXCH_K_EMAILS) {
        return EXCH_EWS_NOERROR;
    }

    /* PidLidAddressBookProviderEmailList / ArrayType */

    nlist = 0;

    for (i = 0; i < 3; i++) {
        tag = exch_ews_np_tag(ews, m, exch_ews_emails[i].np, 0);

        if (tag && exs_props_get(&msg->props, tag)) {
            list[nlist++] = (int32_t) i;
        }
    }

    memset(&mv, 0, sizeof(exs_prop_t));
    mv.tag = exch_ews_np_tag(ews, m, EXCH_NP_AB_EMAIL_LIST, 1);
    mv.v.mv.n = nlist;
    mv.v.mv.v.l = exs_memdup(ews->a, list, sizeof(list));

    if (mv.tag == 0 || mv.v.mv.v.l == NULL) {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    rc = exs_props_set(ews->a, &msg->props, &mv);

    j = 0;
    for (i = 0; i < nlist; i++) {
        j |= 1 << list[i];
    }

    rc |= exs_props_set_long(ews->a, &msg->props,
                             exch_ews_np_tag(ews, m, EXCH_NP_AB_ARRAY_TYPE,
                                             1), j);

    return rc == EXS_OK ? EXCH_EWS_NOERROR
                        : EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
}


static exch_ews_code_t
exch_ews_set_dlmembers(exch_ews_t *ews, exch_ews_mbox_t *m, xmlNodePtr elem,
    int append, exs_msg_t *msg)
{
    int               rc;
    uint32_t          n, i, t1, t2;
    xmlNodePtr        c, mbx;
    exs_bin_t        *bins;
    exs_prop_t        mv, *old;
    exch_ews_addr_t   ad;
    exch_ews_code_t   code;

    t1 = exch_ews_np_tag(ews, m, EXCH_NP_DL_ONEOFF_MEMBERS, 1);
    t2 = exch_ews_np_tag(ews, m, EXCH_NP_DL_MEMBERS, 1);

    if (t1 == 0 || t2 == 0) {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    old = append ? exs_props_get(&msg->props, t1) : NULL;
    n = old ? old->v.mv.n : 0;

    for (c = elem->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            n++;
        }
    }

    if (n > 10000) {
        return EXCH_EWS_ERR_INVALID_REQUEST;
    }

    bins = exs_calloc(ews->a, (n ? n : 1) * sizeof(exs_bin_t));
    if (bins == NULL) {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    i = 0;

    if (old) {
        memcpy(bins, old->v.mv.v.bin, old->v.mv.n * sizeof(exs_bin_t));
        i = old->v.mv.n;
    }

    for (c = elem->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        mbx = exch_ews_tchild(c, "Mailbox");
        if (mbx == NULL) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        code = exch_ews_addr_resolve(ews, mbx, &ad);
        if (code != EXCH_EWS_NOERROR) {
            return code;
        }

        if (ad.smtp == NULL) {
            return EXCH_EWS_ERR_INVALID_RECIPIENTS;
        }

        if (exs_oxcmail_oneoff_entryid(ad.name, "SMTP", ad.smtp, &bins[i],
                                       ews->a)
            != EXS_OK)
        {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }

        i++;
    }

    memset(&mv, 0, sizeof(exs_prop_t));
    mv.tag = t1;
    mv.v.mv.n = i;
    mv.v.mv.v.bin = bins;

    rc = exs_props_set(ews->a, &msg->props, &mv);

    mv.tag = t2;
    rc |= exs_props_set(ews->a, &msg->props, &mv);

    return rc == EXS_OK ? EXCH_EWS_NOERROR
                        : EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
}


static exch_ews_code_t
exch_ews_set_flag(exch_ews_t *ews, exch_ews_mbox_t *m, xmlNodePtr elem,
    exs_msg_t *msg)
{
    int          rc;
    int64_t      t;
    const char  *s;

    s = exch_ews_value(exch_ews_tchild(elem, "FlagStatus"));

    if (s == NULL) {
        return EXCH_EWS_ERR_SCHEMA_VALIDATION;
    }

    if (strcmp(s, "NotFlagged") == 0) {
        exs_props_del(&msg->props, PR_FLAG_STATUS);
        exs_props_del(&msg->props, PR_FLAG_COMPLETE_TIME);
        return EXCH_EWS_NOERROR;
    }

    rc = exs_props_set_long(ews->a, &msg->props, PR_FLAG_STATUS,
                            strcmp(s, "Complete") == 0 ? 1 : 2);

    s = exch_ews_value(exch_ews_tchild(elem, "StartDate"));
    if (s && exch_ews_time_parse(s, &t) == 0) {
        rc |= exs_props_set_i8(ews->a, &msg->props,
                               exch_ews_np_tag(ews, m, EXCH_NP_TASK_START, 1),
                               t);
    }

    s = exch_ews_value(exch_ews_tchild(elem, "DueDate"));
    if (s && exch_ews_time_parse(s, &t) == 0) {
        rc |= exs_props_set_i8(ews->a, &msg->props,
                               exch_ews_np_tag(ews, m, EXCH_NP_TASK_DUE, 1),
                               t);
    }

    s = exch_ews_value(exch_ews_tchild(elem, "CompleteDate"));
    if (s && exch_ews_time_parse(s, &t) == 0) {
        rc |= exs_props_set_i8(ews->a, &msg->props, PR_FLAG_COMPLETE_TIME, t);
    }

    return rc == EXS_OK ? EXCH_EWS_NOERROR
                        : EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
}


/* <t:ExtendedProperty> with <t:Value> or <t:Values> */

static exch_ews_code_t
exch_ews_set_extended(exch_ews_t *ews, exch_ews_mbox_t *m,
    const exch_ews_path_t *path, xmlNodePtr elem, exs_msg_t *msg)
{
    size_t       esz;
    uint16_t     type;
    uint32_t     n, i;
    xmlNodePtr   val, vals, c;
    exs_prop_t   p;
    const char  *s;

    if (path->tag == 0) {
        return EXCH_EWS_ERR_INVALID_EXTENDED_PROPERTY;
    }

    memset(&p, 0, sizeof(exs_prop_t));
    p.tag = path->tag;
    type = PROP_TYPE(path->tag);

    val = exch_ews_tchild(elem, "Value");
    vals = exch_ews_tchild(elem, "Values");

    if (!(type & PT_MV)) {
        if (val == NULL) {
            return EXCH_EWS_ERR_INVALID_EXTENDED_PROPERTY_VALUE;
        }

        s = type == PT_UNICODE ? exch_ews_text(ews, val, &esz)
                               : exch_ews_value(val);

        if (exch_ews_value_parse(ews, s, type, &p) != 0) {
            return EXCH_EWS_ERR_INVALID_EXTENDED_PROPERTY_VALUE;
        }

    } else {
        if (vals == NULL) {
            return EXCH_EWS_ERR_INVALID_EXTENDED_PROPERTY_VALUE;
        }

        type &= ~PT_MV;
        n = 0;

        for (c = vals->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE) {
                n++;
            }
        }

        if (n > 100000) {
            return EXCH_EWS_ERR_INVALID_EXTENDED_PROPERTY_VALUE;
        }

        esz = type == PT_UNICODE || type == PT_STRING8 ? sizeof(exs_str_t)
              : type == PT_BINARY || type == PT_CLSID ? sizeof(exs_bin_t)
              : exs_proptype_size(type);

        if (esz == 0) {
            return EXCH_EWS_ERR_INVALID_EXTENDED_PROPERTY;
        }

        p.v.mv.n = n;
        p.v.mv.v.p = exs_calloc(ews->a, (n ? n : 1) * esz);
        if (p.v.mv.v.p == NULL) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }

        i = 0;

        for (c = vals->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE) {
                continue;
            }

            if (exch_ews_mv_value_parse(ews, exch_ews_value(c), type,
                                        &p.v.mv, i++)
                != 0)
            {
                return EXCH_EWS_ERR_INVALID_EXTENDED_PROPERTY_VALUE;
            }
        }
    }

    if (msg == NULL) {
        return EXCH_EWS_NOERROR;
    }

    return exs_props_set(ews->a, &msg->props, &p) == EXS_OK
           ? EXCH_EWS_NOERROR : EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
}


exch_ews_code_t
exch_ews_field_set(exch_ews_t *ews, exch_ews_mbox_t *m,
    const exch_ews_path_t *path, xmlNodePtr elem, unsigned type, int append,
    exs_msg_t *msg)
{
    int                       rc, b;
    size_t                    len;
    int32_t                   e;
    uint32_t                  tag, i, n, j;
    xmlNodePtr                c;
    exs_prop_t                p, *old;
    const char               *s;
    const exch_ews_field_t   *f;

    if (path->extended && !path->indexed) {
        return exch_ews_set_extended(ews, m, path, elem, msg);
    }

    f = path->field;

    if (f == NULL) {
        if (path->indexed) {
            /* an internet header: read-only */
            return EXCH_EWS_ERR_INVALID_PROPERTY_SET;
        }

        /* a field we keep no value of */
        return EXCH_EWS_NOERROR;
    }

    tag = f->np ? exch_ews_np_tag(ews, m, f->np, 1) : f->tag;

    if (append && f->kind != EXCH_K_RCPTS && f->kind != EXCH_K_ATTENDEES
        && f->kind != EXCH_K_STRINGS && f->kind != EXCH_K_BODY
        && f->kind != EXCH_K_DLMEMBERS && f->kind != EXCH_K_REPLYTO)
    {
        return EXCH_EWS_ERR_INVALID_PROPERTY_APPEND;
    }

    memset(&p, 0, sizeof(exs_prop_t));
    rc = EXS_OK;

    switch (f->kind) {

    case EXCH_K_STRING:
        s = exch_ews_text(ews, elem, &len);

        if (f->tag == PR_MESSAGE_CLASS && len == 0) {
            return EXCH_EWS_ERR_INVALID_VALUE_FOR_PROPERTY;
        }

        rc = exs_props_set_str(ews->a, &msg->props,
                               PROP_TAG(PT_UNICODE, PROP_ID(tag)), s, len);
        break;

    case EXCH_K_BOOL:
    case EXCH_K_NOTBOOL:
        b = exch_ews_bool(exch_ews_value(elem));

        if (b < 0) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        rc = exs_props_set_bool(ews->a, &msg->props, tag,
                                f->kind == EXCH_K_NOTBOOL ? !b : b);
        break;

    case EXCH_K_INT:
    case EXCH_K_LONG:
    case EXCH_K_DOUBLE:
    case EXCH_K_TIME:
    case EXCH_K_BASE64:
        p.tag = tag;

        if (exch_ews_value_parse(ews, exch_ews_value(elem), PROP_TYPE(tag),
                                 &p)
            != 0)
        {
            return EXCH_EWS_ERR_INVALID_VALUE_FOR_PROPERTY;
        }

        rc = exs_props_set(ews->a, &msg->props, &p);
        break;

    case EXCH_K_PERCENT:
        p.tag = tag;

        if (exch_ews_value_parse(ews, exch_ews_value(elem), PT_DOUBLE, &p)
            != 0 || p.v.d < 0 || p.v.d > 100)
        {
            return EXCH_EWS_ERR_INVALID_VALUE_FOR_PROPERTY;
        }

        p.v.d /= 100.0;
        rc = exs_props_set(ews->a, &msg->props, &p);
        break;

    case EXCH_K_ENUM:
        if (exch_ews_enum_value(f->aux, exch_ews_value(elem), &e) != 0) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        rc = exs_props_set_long(ews->a, &msg->props, tag, e);
        break;

    case EXCH_K_STRINGS:
        old = append ? exs_props_get(&msg->props, tag) : NULL;
        n = old && PROP_TYPE(old->tag) == PT_MV_UNICODE ? old->v.mv.n : 0;

        for (c = elem->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE) {
                n++;
            }
        }

        if (n > 10000) {
            return EXCH_EWS_ERR_INVALID_REQUEST;
        }

        p.tag = PROP_TAG(PT_MV_UNICODE, PROP_ID(tag));
        p.v.mv.v.str = exs_calloc(ews->a, (n ? n : 1) * sizeof(exs_str_t));
        if (p.v.mv.v.str == NULL) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }

        i = 0;

        if (old && PROP_TYPE(old->tag) == PT_MV_UNICODE) {
            for (j = 0; j < old->v.mv.n; j++) {
                p.v.mv.v.str[i++] = old->v.mv.v.str[j];
            }
        }

        for (c = elem->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE) {
                continue;
            }

            s = exch_ews_value(c);
            p.v.mv.v.str[i].data = s ? s : "";
            p.v.mv.v.str[i].len = s ? strlen(s) : 0;
            i++;
        }

        p.v.mv.n = i;

        if (i == 0) {
            exs_props_del(&msg->props, p.tag);
            break;
        }

        rc = exs_props_set(ews->a, &msg->props, &p);
        break;

    case EXCH_K_READ:
        b = exch_ews_bool(exch_ews_value(elem));

        if (b < 0) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        old = exs_props_get(&msg->props, PR_MESSAGE_FLAGS);
        e = old ? old->v.l : 0;
        e = b ? (e | MSGFLAG_READ) : (e & ~MSGFLAG_READ);
        rc = exs_props_set_long(ews->a, &msg->props, PR_MESSAGE_FLAGS, e);
        break;

    case EXCH_K_BODY:
        if (append) {
            /* appended text goes after the text there is */
            s = exch_ews_text(ews, elem, &len);
            old = exs_props_get(&msg->props, PR_BODY);

            if (old && exs_props_get(&msg->props, PR_HTML) == NULL) {
                char  *t;

                t = exs_alloc(ews->a, old->v.str.len + len + 1);
                if (t == NULL) {
                    return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
                }

                memcpy(t, old->v.str.data, old->v.str.len);
                memcpy(t + old->v.str.len, s, len);
                t[old->v.str.len + len] = '\0';

                rc = exs_props_set_str(ews->a, &msg->props, PR_BODY, t,
                                       old->v.str.len + len);
                break;
            }
        }

        return exch_ews_set_body(ews, elem, msg);

    case EXCH_K_MAILBOX:
        return exch_ews_set_mailbox(ews, f, elem, msg);

    case EXCH_K_RCPTS:
        return exch_ews_set_rcpts(ews, elem,
                                  ((const exch_ews_enum_t *) f->aux)->value,
                                  0, append, msg);

    case EXCH_K_ATTENDEES:
        return exch_ews_set_rcpts(ews, elem,
                                  ((const exch_ews_enum_t *) f->aux)->value,
                                  1, append, msg);

    case EXCH_K_REPLYTO:
        return exch_ews_set_replyto(ews, elem, msg);

    case EXCH_K_UID:
        return exch_ews_set_uid(ews, m, exch_ews_value(elem), msg);

    case EXCH_K_TZ:
        s = exch_ews_attr(elem, "Id");

        if (s == NULL) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        {
            exs_bin_t  def;

            if (exch_ews_tzdef_make(ews, s, &def) != EXS_OK) {
                return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
            }

            rc = exs_props_set_bin(ews->a, &msg->props, tag, def.data,
                                   def.len);

            if (f->np == EXCH_NP_TZDEF_START) {
                rc |= exs_props_set_bin(ews->a, &msg->props,
                                        exch_ews_np_tag(ews, m,
                                                        EXCH_NP_TZDEF_RECUR,
                                                        1),
                                        def.data, def.len);
                s = exch_ews_attr(elem, "Name");
                rc |= exch_ews_set_str(ews, &msg->props,
                                       exch_ews_np_tag(ews, m,
                                                       EXCH_NP_TIMEZONE_DESC,
                                                       1),
                                       s ? s : exch_ews_attr(elem, "Id"));
            }
        }

        break;

    case EXCH_K_EMAILS:
    case EXCH_K_ADDRESSES:
    case EXCH_K_PHONES:
    case EXCH_K_IMADDRS:
        return exch_ews_set_indexed(ews, m, f, elem, msg);

    case EXCH_K_DLMEMBERS:
        return exch_ews_set_dlmembers(ews, m, elem, append, msg);

    case EXCH_K_FLAG:
        return exch_ews_set_flag(ews, m, elem, msg);

    case EXCH_K_RECURRENCE:
        return exch_ews_recurrence_read(ews, m, f, elem, msg);

    case EXCH_K_CULTURE:
    case EXCH_K_NONE:
        break;

    case EXCH_K_MIME:
        return EXCH_EWS_ERR_INVALID_PROPERTY_SET;

    default:
        return EXCH_EWS_ERR_INVALID_PROPERTY_SET;
    }

    return rc == EXS_OK ? EXCH_EWS_NOERROR
                        : EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
}


exch_ews_code_t
exch_ews_field_delete(exch_ews_t *ews, exch_ews_mbox_t *m,
    const exch_ews_path_t *path, exs_msg_t *msg)
{
    int                          j;
    uint32_t                     tag;
    const exch_ews_field_t      *f;
    const exch_ews_mbox_tags_t  *mt;

    if (path->extended || path->indexed) {
        if (path->tag) {
            exs_props_del(&msg->props, path->tag);
        }

        if (path->indexed && path->field
            && path->field->kind == EXCH_K_EMAILS && path->tag)
        {
            for (j = 0; exch_ews_emails[j].key; j++) {
                if (strcmp(exch_ews_emails[j].key, path->index) == 0) {
                    break;
                }
            }

            if (exch_ews_emails[j].key) {
                int  np = exch_ews_emails[j].np;

                exs_props_del(&msg->props, exch_ews_np_tag(ews, m, np - 2, 0));
                exs_props_del(&msg->props, exch_ews_np_tag(ews, m, np - 1, 0));
                exs_props_del(&msg->props, exch_ews_np_tag(ews, m, np + 1, 0));
                exs_props_del(&msg->props, exch_ews_np_tag(ews, m, np + 2, 0));
            }
        }

        return EXCH_EWS_NOERROR;
    }

    f = path->field;

    if (f == NULL) {
        return EXCH_EWS_NOERROR;
    }

    if (f->flags & EXCH_F_RO) {
        return EXCH_EWS_ERR_INVALID_PROPERTY_DELETE;
    }

    tag = f->np ? exch_ews_np_tag(ews, m, f->np, 0) : f->tag;

    switch (f->kind) {

    case EXCH_K_BODY:
        exs_props_del(&msg->props, PR_BODY);
        exs_props_del(&msg->props, PR_HTML);
        exs_props_del(&msg->props, PR_RTF_COMPRESSED);
        break;

    case EXCH_K_RCPTS:
    case EXCH_K_ATTENDEES:
        exch_ews_rcpts_drop(msg, ((const exch_ews_enum_t *) f->aux)->value);
        break;

    case EXCH_K_MAILBOX:
        mt = f->aux;
        exs_props_del(&msg->props, mt->name);
        exs_props_del(&msg->props, mt->email);
        exs_props_del(&msg->props, mt->addrtype);
        exs_props_del(&msg->props, mt->smtp);
        exs_props_del(&msg->props, mt->entryid);
        exs_props_del(&msg->props, mt->search_key);
        break;

    case EXCH_K_REPLYTO:
        exs_props_del(&msg->props, PR_REPLY_RECIPIENT_NAMES);
        exs_props_del(&msg->props, PR_REPLY_RECIPIENT_ENTRIES);
        break;

    case EXCH_K_FLAG:
        exs_props_del(&msg->props, PR_FLAG_STATUS);
        exs_props_del(&msg->props, PR_FLAG_COMPLETE_TIME);
        break;

    case EXCH_K_DLMEMBERS:
        exs_props_del(&msg->props,
                      exch_ews_np_tag(ews, m, EXCH_NP_DL_ONEOFF_MEMBERS, 0));
        exs_props_del(&msg->props,
                      exch_ews_np_tag(ews, m, EXCH_NP_DL_MEMBERS, 0));
        break;

    case EXCH_K_ITEMID:
    case EXCH_K_MIME:
    case EXCH_K_ATTACHMENTS:
        return EXCH_EWS_ERR_INVALID_PROPERTY_DELETE;

    default:
        if (tag) {
            exs_props_del(&msg->props, tag);
        }
        break;
    }

    return EXCH_EWS_NOERROR;
}


exch_ews_code_t
exch_ews_item_read(exch_ews_t *ews, exch_ews_mbox_t *m, xmlNodePtr item,
    unsigned type, int create, exs_msg_t *msg)
{
    xmlNodePtr                c, uri;
    const char               *name;
    exch_ews_code_t           code;
    exch_ews_path_t           path;
    const exch_ews_field_t   *f;

    for (c = item->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        if (!exch_xml_is(c, EXCH_EWS_NS_T, NULL)) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        name = (const char *) c->name;

        if (strcmp(name, "MimeContent") == 0) {
            continue;
        }

        if (strcmp(name, "ExtendedProperty") == 0) {
            uri = exch_ews_tchild(c, "ExtendedFieldURI");

            if (uri == NULL) {
                return EXCH_EWS_ERR_SCHEMA_VALIDATION;
            }

            code = exch_ews_path_parse(ews, m, uri, 1, &path);
            if (code != EXCH_EWS_NOERROR) {
                return code;
            }

            code = exch_ews_set_extended(ews, m, &path, c, msg);
            if (code != EXCH_EWS_NOERROR) {
                return code;
            }

            continue;
        }

        if (strcmp(name, "Attachments") == 0 && create) {
            for (uri = c->children; uri; uri = uri->next) {
                if (uri->type != XML_ELEMENT_NODE) {
                    continue;
                }

                code = exch_ews_attach_read(ews, m, uri, msg, NULL);
                if (code != EXCH_EWS_NOERROR) {
                    return code;
                }
            }

            continue;
        }

        f = exch_ews_field_by_name(type, name);

        if (f == NULL) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        if ((f->flags & EXCH_F_RO) && f->kind != EXCH_K_NONE) {
            return EXCH_EWS_ERR_INVALID_PROPERTY_SET;
        }

        if ((f->flags & EXCH_F_CREATE) && !create) {
            return EXCH_EWS_ERR_INVALID_PROPERTY_SET;
        }

        memset(&path, 0, sizeof(exch_ews_path_t));
        path.field = f;

        code = exch_ews_field_set(ews, m, &path, c, type, 0, msg);
        if (code != EXCH_EWS_NOERROR) {
            return code;
        }
    }

    return EXCH_EWS_NOERROR;
}


int
exch_ews_item_defaults(exch_ews_t *ews, exch_ews_mbox_t *m, unsigned type,
    exs_msg_t *msg)
{
    int           rc;
    uint32_t      tag, etag, flags;
    exs_prop_t   *p, *s, *e;
    const char   *cls;
    char          uid[64];
    uint8_t       g[16];

    rc = EXS_OK;

    if (exs_props_get(&msg->props, PR_MESSAGE_CLASS) == NULL) {
        cls = exch_ews_item_type_class(type);
        rc |= exs_props_set_str(ews->a, &msg->props, PR_MESSAGE_CLASS, cls,
                                strlen(cls));
    }

    if (exs_props_get(&msg->props, PR_MESSAGE_FLAGS) == NULL) {
        flags = MSGFLAG_READ;

        if (type & (EXCH_IT_MESSAGE | EXCH_IT_MTG)) {
            flags |= MSGFLAG_UNSENT;
        }

        rc |= exs_props_set_long(ews->a, &msg->props, PR_MESSAGE_FLAGS,
                                 (int32_t) flags);
    }

    if (exs_props_get(&msg->props, PR_IMPORTANCE) == NULL) {
        rc |= exs_props_set_long(ews->a, &msg->props, PR_IMPORTANCE, 1);
    }

    if (exs_props_get(&msg->props, PR_SENSITIVITY) == NULL) {
        rc |= exs_props_set_long(ews->a, &msg->props, PR_SENSITIVITY, 0);
    }

    if (type == EXCH_IT_CALENDAR) {
        tag = exch_ews_np_tag(ews, m, EXCH_NP_APPT_START_WHOLE, 1);
        etag = exch_ews_np_tag(ews, m, EXCH_NP_APPT_END_WHOLE, 1);
        s = exs_props_get(&msg->props, tag);
        e = exs_props_get(&msg->props, etag);

        if (s && e) {
            if (e->v.ll < s->v.ll) {
                return EXS_INVALID;
            }

            rc |= exs_props_set_i8(ews->a, &msg->props,
                                   exch_ews_np_tag(ews, m,
                                                   EXCH_NP_COMMON_START, 1),
                                   s->v.ll);
            rc |= exs_props_set_i8(ews->a, &msg->props,
                                   exch_ews_np_tag(ews, m,
                                                   EXCH_NP_COMMON_END, 1),
                                   e->v.ll);
            rc |= exs_props_set_i8(ews->a, &msg->props,
                                   exch_ews_np_tag(ews, m,
                                                   EXCH_NP_CLIP_START, 1),
                                   s->v.ll);
            rc |= exs_props_set_i8(ews->a, &msg->props,
                                   exch_ews_np_tag(ews, m,
                                                   EXCH_NP_CLIP_END, 1),
                                   e->v.ll);
            rc |= exs_props_set_long(ews->a, &msg->props,
                                     exch_ews_np_tag(ews, m,
                                                     EXCH_NP_APPT_DURATION,
                                                     1),
                                     (int32_t) ((e->v.ll - s->v.ll)
                                                / 600000000LL));
        }

        tag = exch_ews_np_tag(ews, m, EXCH_NP_BUSY_STATUS, 1);
        if (exs_props_get(&msg->props, tag) == NULL) {
            rc |= exs_props_set_long(ews->a, &msg->props, tag, 2);
        }

        tag = exch_ews_np_tag(ews, m, EXCH_NP_APPT_STATE_FLAGS, 1);
        if (exs_props_get(&msg->props, tag) == NULL) {
            rc |= exs_props_set_long(ews->a, &msg->props, tag,
                                     msg->nrcpts ? 1 : 0);
        }

        tag = exch_ews_np_tag(ews, m, EXCH_NP_RECURRING, 1);
        if (exs_props_get(&msg->props, tag) == NULL) {
            rc |= exs_props_set_bool(ews->a, &msg->props, tag, 0);
        }

        tag = exch_ews_np_tag(ews, m, EXCH_NP_APPT_SUBTYPE, 1);
        if (exs_props_get(&msg->props, tag) == NULL) {
            rc |= exs_props_set_bool(ews->a, &msg->props, tag, 0);
        }

        tag = exch_ews_np_tag(ews, m, EXCH_NP_RESPONSE_STATUS, 1);
        if (exs_props_get(&msg->props, tag) == NULL) {
            rc |= exs_props_set_long(ews->a, &msg->props, tag,
                                     msg->nrcpts ? 1 : 0);
        }

        tag = exch_ews_np_tag(ews, m, EXCH_NP_GLOBAL_OBJID, 0);
        if (tag == 0 || exs_props_get(&msg->props, tag) == NULL) {
            /* a new UID: a random GUID */
            if (getrandom(g, 16, 0) != 16) {
                return EXS_IO;
            }

            g[7] = (g[7] & 0x0F) | 0x40;
            g[8] = (g[8] & 0x3F) | 0x80;
            exch_guid_format(g, uid);

            if (exch_ews_set_uid(ews, m, uid, msg) != EXCH_EWS_NOERROR) {
                return EXS_NOMEM;
            }
        }

        /* the organizer: the mailbox owner */

        if (exs_props_get(&msg->props, PR_SENT_REPRESENTING_NAME) == NULL) {
            rc |= exch_ews_set_str(ews, &msg->props,
                                   PR_SENT_REPRESENTING_NAME, m->name);
            rc |= exch_ews_set_str(ews, &msg->props,
                                   PR_SENT_REPRESENTING_EMAIL_ADDRESS,
                                   m->address);
            rc |= exch_ews_set_str(ews, &msg->props,
                                   PR_SENT_REPRESENTING_ADDRTYPE, "SMTP");
            rc |= exch_ews_set_str(ews, &msg->props,
                                   PR_SENT_REPRESENTING_SMTP_ADDRESS,
                                   m->address);
        }
    }

    if (type == EXCH_IT_CONTACT) {
        if (exs_props_get(&msg->props, PR_DISPLAY_NAME) == NULL) {
            /* "Given Surname" when the client did not name it */
            char        name[512];
            const char  *gn, *sn;

            p = exs_props_get(&msg->props, PR_GIVEN_NAME);
            gn = p ? p->v.str.data : NULL;
            p = exs_props_get(&msg->props, PR_SURNAME);
            sn = p ? p->v.str.data : NULL;

            snprintf(name, sizeof(name), "%s%s%s", gn ? gn : "",
                     gn && sn ? " " : "", sn ? sn : "");

            if (name[0]) {
                rc |= exch_ews_set_str(ews, &msg->props, PR_DISPLAY_NAME,
                                       name);
            }
        }

        p = exs_props_get(&msg->props, PR_DISPLAY_NAME);

        if (p && exs_props_get(&msg->props, PR_SUBJECT) == NULL) {
            rc |= exch_ews_set_str(ews, &msg->props, PR_SUBJECT,
                                   p->v.str.data);
        }

        tag = exch_ews_np_tag(ews, m, EXCH_NP_FILE_UNDER, 1);
        if (p && tag && exs_props_get(&msg->props, tag) == NULL) {
            rc |= exch_ews_set_str(ews, &msg->props, tag, p->v.str.data);
        }
    }

    if (type == EXCH_IT_DL) {
        p = exs_props_get(&msg->props, PR_DISPLAY_NAME);

        if (p) {
            rc |= exch_ews_set_str(ews, &msg->props,
                                   exch_ews_np_tag(ews, m, EXCH_NP_DL_NAME,
                                                   1),
                                   p->v.str.data);

            if (exs_props_get(&msg->props, PR_SUBJECT) == NULL) {
                rc |= exch_ews_set_str(ews, &msg->props, PR_SUBJECT,
                                       p->v.str.data);
            }
        }
    }

    if (type == EXCH_IT_TASK) {
        tag = exch_ews_np_tag(ews, m, EXCH_NP_TASK_STATUS, 1);
        p = exs_props_get(&msg->props, tag);

        if (p == NULL) {
            rc |= exs_props_set_long(ews->a, &msg->props, tag, 0);

        } else if (p->v.l == 2) {
            rc |= exs_props_set_bool(ews->a, &msg->props,
                                     exch_ews_np_tag(ews, m,
                                                     EXCH_NP_TASK_COMPLETE,
                                                     1), 1);
            tag = exch_ews_np_tag(ews, m, EXCH_NP_PERCENT_COMPLETE, 1);

            if (exs_props_get(&msg->props, tag) == NULL) {
                exs_prop_t  d;

                memset(&d, 0, sizeof(exs_prop_t));
                d.tag = tag;
                d.v.d = 1.0;
                rc |= exs_props_set(ews->a, &msg->props, &d);
            }

            tag = exch_ews_np_tag(ews, m, EXCH_NP_TASK_COMPLETED, 1);

            if (exs_props_get(&msg->props, tag) == NULL) {
                rc |= exs_props_set_i8(ews->a, &msg->props, tag, ews->now);
            }
        }

        tag = exch_ews_np_tag(ews, m, EXCH_NP_TASK_COMPLETE, 1);
        if (exs_props_get(&msg->props, tag) == NULL) {
            rc |= exs_props_set_bool(ews->a, &msg->props, tag, 0);
        }

        tag = exch_ews_np_tag(ews, m, EXCH_NP_TASK_OWNER, 1);
        if (exs_props_get(&msg->props, tag) == NULL) {
            rc |= exch_ews_set_str(ews, &msg->props, tag, m->name);
        }
    }

    return rc == EXS_OK ? EXS_OK : EXS_NOMEM;
}


exch_ews_code_t
exch_ews_mime_import(exch_ews_t *ews, exch_ews_mbox_t *m, xmlNodePtr node,
    exs_msg_t **msg)
{
    int                  rc;
    size_t               len, n;
    uint8_t             *data;
    const char          *s;
    exs_oxcmail_opts_t   o;

    s = exch_ews_text(ews, node, &len);

    data = exs_alloc(ews->a, len / 4 * 3 + 4);
    if (data == NULL) {
        return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
    }

    if (exch_base64_decode(s, len, data, &n) != 0) {
        return EXCH_EWS_ERR_MIME_CONTENT_CONVERSION_FAILED;
    }

    if (n == 0) {
        return EXCH_EWS_ERR_MIME_CONTENT_CONVERSION_FAILED;
    }

    data[n] = '\0';

    memset(&o, 0, sizeof(exs_oxcmail_opts_t));
    o.namemap = exs_mbox_namemap(m->mb);

    rc = exs_oxcmail_import(data, n, &o, msg, NULL, ews->a);

    if (rc != EXS_OK) {
        exch_ews_log(ews, EXCH_EWS_LOG_INFO, "EWS: MIME import: %s",
                     exs_strerror(rc));
        return rc == EXS_NOMEM ? EXCH_EWS_ERR_INTERNAL_SERVER_ERROR
                               : EXCH_EWS_ERR_MIME_CONTENT_CONVERSION_FAILED;
    }

    return EXCH_EWS_NOERROR;
}
