
/*
 * exch EWS: name resolution, MS-OXWSRSLV -- ResolveNames over the global
 * address list and the user's contacts -- and ExpandDL (MS-OXWSXPROP's
 * sibling, the distribution lists of the directory and private ones).
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <exs_oxcmail.h>

#include "exch_ews_ops.h"
#include "exch_ews_items.h"


#define EXCH_RSLV_MAX           100
#define EXCH_RSLV_SCAN_MAX      100000


typedef struct {
    int                       contact;      /* from the Contacts folder */
    exs_dirent_t              e;            /* directory */
    exch_ews_mbox_t          *m;            /* contact */
    exs_id_t                  fid;
    exs_id_t                  mid;
    const char               *name;
    const char               *email;
} exch_ews_match_t;


static int exch_ews_prefix(const char *s, const char *p, size_t n);
static int exch_ews_words_prefix(const char *s, const char *p, size_t n);
static int exch_ews_dir_matches(const exs_dirent_t *e, const char *q,
    int exact_address);
static void exch_ews_dir_contact_write(exch_ews_t *ews,
    const exs_dirent_t *e);
static uint32_t exch_ews_rslv_dir(exch_ews_t *ews, const char *q,
    exch_ews_match_t *out, uint32_t max, int *more);
static uint32_t exch_ews_rslv_contacts(exch_ews_t *ews, xmlNodePtr parents,
    const char *q, exch_ews_match_t *out, uint32_t max, int *more);


static int
exch_ews_prefix(const char *s, const char *p, size_t n)
{
    return s && strncasecmp(s, p, n) == 0;
}


static int
exch_ews_words_prefix(const char *s, const char *p, size_t n)
{
    const char  *w;

    if (s == NULL) {
        return 0;
    }

    for (w = s; *w; w++) {
        if ((w == s || w[-1] == ' ' || w[-1] == ',' || w[-1] == '.')
            && strncasecmp(w, p, n) == 0)
        {
            return 1;
        }
    }

    return 0;
}


static int
exch_ews_dir_matches(const exs_dirent_t *e, const char *q, int exact)
{
    size_t       n;
    uint32_t     i;
    exs_prop_t  *p;
    const char  *at;

    n = strlen(q);

    if (exact) {
        if (strcasecmp(e->address, q) == 0) {
            return 1;
        }

        for (i = 0; i < e->naliases; i++) {
            if (strcasecmp(e->aliases[i], q) == 0) {
                return 1;
            }
        }

        return 0;
    }

    if (exch_ews_words_prefix(e->display_name, q, n)
        || exch_ews_prefix(e->address, q, n))
    {
        return 1;
    }

    for (i = 0; i < e->naliases; i++) {
        if (exch_ews_prefix(e->aliases[i], q, n)) {
            return 1;
        }
    }

    p = exs_props_get(&e->props, PR_GIVEN_NAME);
    if (p && exch_ews_prefix(p->v.str.data, q, n)) {
        return 1;
    }

    p = exs_props_get(&e->props, PR_SURNAME);
    if (p && exch_ews_prefix(p->v.str.data, q, n)) {
        return 1;
    }

    /* "alice@example" and similar partial addresses */

    at = strchr(q, '@');

    return at && strncasecmp(e->address, q, at - q) == 0
           && e->address[at - q] == '@'
           && strncasecmp(e->address + (at - q), at, strlen(at)) == 0;
}


static uint32_t
exch_ews_rslv_dir(exch_ews_t *ews, const char *q, exch_ews_match_t *out,
    uint32_t max, int *more)
{
    int            exact;
    uint32_t      *ids, n, i, got;
    exs_dirent_t   e;

    *more = 0;
    exact = 0;

    if (strncasecmp(q, "smtp:", 5) == 0) {
        q += 5;
        exact = 1;
    }

    if (exs_gal_list(ews->txn, &ids, &n, ews->a) != EXS_OK) {
        return 0;
    }

    if (n > EXCH_RSLV_SCAN_MAX) {
        n = EXCH_RSLV_SCAN_MAX;
    }

    got = 0;

    /* an exact address first: it is the one answer */

    if (!exact && strchr(q, '@')
        && exs_dir_by_address(ews->txn, q, &e, ews->a) == EXS_OK)
    {
        exact = 1;
    }

    for (i = 0; i < n; i++) {
        if (exs_dir_by_id(ews->txn, ids[i], &e, ews->a) != EXS_OK
            || (e.flags & EXS_DIR_DISABLED))
        {
            continue;
        }

        if (!exch_ews_dir_matches(&e, q, exact)) {
            continue;
        }

        if (got == max) {
            *more = 1;
            break;
        }

        memset(&out[got], 0, sizeof(exch_ews_match_t));
        out[got].e = e;
        out[got].name = e.display_name;
        out[got].email = e.address;
        got++;
    }

    return got;
}


static uint32_t
exch_ews_rslv_contacts(exch_ews_t *ews, xmlNodePtr parents, const char *q,
    exch_ews_match_t *out, uint32_t max, int *more)
{
    int                     rc;
    uint32_t                got, n, i, j, k, tags[4], nt;
    xmlNodePtr              c;
    exs_prop_t             *p;
    exs_props_t            *rows;
    exs_table_t            *t;
    exs_restriction_t       res, *sub;
    exch_ews_folder_ref_t   ref;
    exs_id_t                ids[EXCH_RSLV_MAX + 1];

    *more = 0;
    got = 0;

    if (strncasecmp(q, "smtp:", 5) == 0) {
        q += 5;
    }

    for (c = parents ? parents->children : NULL; ; c = c->next) {
        if (parents) {
            if (c == NULL) {
                break;
            }

            if (c->type != XML_ELEMENT_NODE
                || exch_ews_folder_ref(ews, c, &ref) != EXCH_EWS_NOERROR)
            {
                continue;
            }

        } else {
            memset(&ref, 0, sizeof(exch_ews_folder_ref_t));

            if (exch_ews_mbox(ews, NULL, &ref.m) != EXS_OK) {
                break;
            }

            ref.fid = EXS_FID_CONTACTS;
        }

        tags[0] = PR_DISPLAY_NAME;
        tags[1] = exch_ews_np_tag(ews, ref.m, EXCH_NP_EMAIL1_ADDR, 0);
        tags[2] = exch_ews_np_tag(ews, ref.m, EXCH_NP_EMAIL2_ADDR, 0);
        tags[3] = exch_ews_np_tag(ews, ref.m, EXCH_NP_EMAIL3_ADDR, 0);

        sub = exs_calloc(ews->a, 6 * sizeof(exs_restriction_t));
        if (sub == NULL) {
            break;
        }

        nt = 0;

        for (i = 0; i < 4; i++) {
            if (tags[i] == 0) {
                continue;
            }

            sub[nt].type = RES_CONTENT;
            sub[nt].u.content.fuzzy = (i ? FL_PREFIX : FL_SUBSTRING)
                                      | FL_IGNORECASE;
            sub[nt].u.content.tag = tags[i];
            sub[nt].u.content.val.tag = tags[i];
            sub[nt].u.content.val.v.str.data = q;
            sub[nt].u.content.val.v.str.len = strlen(q);
            nt++;
        }

        memset(&res, 0, sizeof(exs_restriction_t));
        res.type = RES_OR;
        res.u.andor.n = nt;
        res.u.andor.sub = sub;

        rc = exs_table_open(ref.m->mb, ref.fid, EXS_TABLE_CONTENTS, 0, NULL,
                            &res, &t, ews->a);

        if (rc == EXS_OK) {
            rc = exs_table_rows(t, 0, EXCH_RSLV_MAX + 1, tags, 4, &rows, ids,
                                &n, ews->a);
        }

        if (rc == EXS_OK) {
            for (i = 0; i < n; i++) {
                if (got == max) {
                    *more = 1;
                    break;
                }

                memset(&out[got], 0, sizeof(exch_ews_match_t));
                out[got].contact = 1;
                out[got].m = ref.m;
                out[got].fid = ref.fid;
                out[got].mid = ids[i];

                p = exs_props_get(&rows[i], PR_DISPLAY_NAME);
                out[got].name = p ? p->v.str.data : NULL;

                for (j = 1, k = 0; j < 4 && k == 0; j++) {
                    p = tags[j] ? exs_props_get(&rows[i], tags[j]) : NULL;

                    if (p && PROP_TYPE(p->tag) == PT_UNICODE) {
                        out[got].email = p->v.str.data;
                        k = 1;
                    }
                }

                got++;
            }
        }

        if (parents == NULL) {
            break;
        }
    }

    return got;
}


/* the directory's properties of an entry as a ContactItemType */

static void
exch_ews_dir_contact_write(exch_ews_t *ews, const exs_dirent_t *e)
{
    uint32_t                 i;
    exch_buf_t              *b;
    exs_prop_t              *p;
    const exch_ews_index_t  *ix;

    b = &ews->out;

#define PSTR(t_)  ((p = exs_props_get(&e->props, (t_))) != NULL              \
                   && PROP_TYPE(p->tag) == PT_UNICODE ? p->v.str.data : NULL)

    exch_buf_str(b, "<t:Contact>");
    exch_ews_elem(b, "Culture", "en-US");
    exch_ews_elem(b, "DisplayName", e->display_name);

    if (PSTR(PR_GIVEN_NAME)) {
        exch_ews_elem(b, "GivenName", p->v.str.data);
    }

    if (PSTR(PR_INITIALS)) {
        exch_ews_elem(b, "Initials", p->v.str.data);
    }

    if (PSTR(PR_COMPANY_NAME)) {
        exch_ews_elem(b, "CompanyName", p->v.str.data);
    }

    exch_buf_str(b, "<t:EmailAddresses><t:Entry Key=\"EmailAddress1\">SMTP:");
    exch_buf_cstr_text(b, e->address);
    exch_buf_str(b, "</t:Entry>");

    for (i = 0; i < e->naliases && i < 2; i++) {
        exch_buf_printf(b, "<t:Entry Key=\"EmailAddress%u\">smtp:", i + 2);
        exch_buf_cstr_text(b, e->aliases[i]);
        exch_buf_str(b, "</t:Entry>");
    }

    exch_buf_str(b, "</t:EmailAddresses>");

    i = 0;

    for (ix = exch_ews_phones; ix->key; ix++) {
        if (!PSTR(ix->tag)) {
            continue;
        }

        if (i++ == 0) {
            exch_buf_str(b, "<t:PhoneNumbers>");
        }

        exch_buf_printf(b, "<t:Entry Key=\"%s\">", ix->key);
        exch_buf_cstr_text(b, p->v.str.data);
        exch_buf_str(b, "</t:Entry>");
    }

    if (i) {
        exch_buf_str(b, "</t:PhoneNumbers>");
    }

    if (PSTR(PR_ASSISTANT)) {
        exch_ews_elem(b, "AssistantName", p->v.str.data);
    }

    exch_ews_elem(b, "ContactSource", "ActiveDirectory");

    if (PSTR(PR_DEPARTMENT_NAME)) {
        exch_ews_elem(b, "Department", p->v.str.data);
    }

    if (PSTR(PR_TITLE)) {
        exch_ews_elem(b, "JobTitle", p->v.str.data);
    }

    if (PSTR(PR_OFFICE_LOCATION)) {
        exch_ews_elem(b, "OfficeLocation", p->v.str.data);
    }

    if (PSTR(PR_SURNAME)) {
        exch_ews_elem(b, "Surname", p->v.str.data);
    }

#undef PSTR

    exch_buf_str(b, "</t:Contact>");
}


int
exch_ews_op_resolve_names(exch_ews_t *ews, xmlNodePtr req)
{
    int                  full, contacts_first, ad, cn, more, more2;
    uint32_t             n, n2, i;
    xmlNodePtr           c, parents;
    const char          *scope, *q;
    exch_ews_shape_t    *shape;
    exch_ews_match_t    *m;

    scope = exch_ews_attr(req, "SearchScope");
    full = exch_ews_bool(exch_ews_attr(req, "ReturnFullContactData")) == 1;

    if (exch_ews_attr(req, "ReturnFullContactData") == NULL
        || exch_ews_mchild(req, "UnresolvedEntry") == NULL)
    {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "ResolveNames needs ReturnFullContactData and "
                              "UnresolvedEntry.");
    }

    if (scope == NULL || strcmp(scope, "ContactsActiveDirectory") == 0) {
        ad = 1;
        cn = 1;
        contacts_first = 1;

    } else if (strcmp(scope, "ActiveDirectoryContacts") == 0) {
        ad = 1;
        cn = 1;
        contacts_first = 0;

    } else if (strcmp(scope, "ActiveDirectory") == 0) {
        ad = 1;
        cn = 0;
        contacts_first = 0;

    } else if (strcmp(scope, "Contacts") == 0) {
        ad = 0;
        cn = 1;
        contacts_first = 1;

    } else {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "SearchScope is not valid.");
    }

    parents = exch_ews_mchild(req, "ParentFolderIds");

    shape = exs_calloc(ews->a, sizeof(exch_ews_shape_t));
    m = exs_alloc(ews->a, 2 * (EXCH_RSLV_MAX + 1)
                          * sizeof(exch_ews_match_t));

    if (shape == NULL || m == NULL) {
        return EXCH_EWS_FAIL;
    }

    shape->base = EXCH_SHAPE_DEFAULT;

    if (exch_ews_begin(ews, 0) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    exch_ews_resp_begin(ews);

    for (c = req->children; c; c = c->next) {
        if (!exch_xml_is(c, EXCH_EWS_NS_M, "UnresolvedEntry")) {
            continue;
        }

        q = exch_ews_value(c);

        if (q == NULL || *q == '\0') {
            exch_ews_msg_error(ews, EXCH_EWS_ERR_NAME_RESOLUTION_NO_RESULTS,
                               NULL);
            continue;
        }

        n = 0;
        more = 0;
        more2 = 0;

        if (cn && contacts_first) {
            n = exch_ews_rslv_contacts(ews, parents, q, m, EXCH_RSLV_MAX,
                                       &more);
        }

        if (ad) {
            n2 = exch_ews_rslv_dir(ews, q, m + n, EXCH_RSLV_MAX, &more2);
            n += n2;
        }

        if (cn && !contacts_first) {
            n += exch_ews_rslv_contacts(ews, parents, q, m + n,
                                        EXCH_RSLV_MAX, &more);
        }

        if (n > EXCH_RSLV_MAX) {
            n = EXCH_RSLV_MAX;
            more = 1;
        }

        if (n == 0) {
            exch_ews_msg_error(ews, EXCH_EWS_ERR_NAME_RESOLUTION_NO_RESULTS,
                               NULL);
            continue;
        }

        if (n == 1) {
            exch_ews_msg_ok(ews);

        } else {
            exch_ews_msg_warning(ews,
                                 EXCH_EWS_ERR_NAME_RESOLUTION_MULTIPLE_RESULTS,
                                 NULL);
        }

        exch_buf_printf(&ews->out, "<m:ResolutionSet TotalItemsInView=\"%u\" "
                        "IncludesLastItemInRange=\"%s\">", n,
                        more || more2 ? "false" : "true");

        for (i = 0; i < n; i++) {
            exch_buf_str(&ews->out, "<t:Resolution><t:Mailbox>");
            exch_ews_elem(&ews->out, "Name", m[i].name);

            if (m[i].email) {
                exch_ews_elem(&ews->out, "EmailAddress", m[i].email);
                exch_ews_elem(&ews->out, "RoutingType", "SMTP");
            }

            if (m[i].contact) {
                exch_ews_elem(&ews->out, "MailboxType", "Contact");
                exch_ews_write_item_id(ews, "ItemId", m[i].m, m[i].fid,
                                       m[i].mid, NULL);

            } else {
                exch_ews_elem(&ews->out, "MailboxType",
                              m[i].e.type == EXS_DIR_GROUP ? "PublicDL"
                                                           : "Mailbox");
            }

            exch_buf_str(&ews->out, "</t:Mailbox>");

            if (full) {
                if (m[i].contact) {
                    exch_ews_item_get_write(ews, m[i].m, m[i].fid, m[i].mid,
                                            shape);

                } else {
                    exch_ews_dir_contact_write(ews, &m[i].e);
                }
            }

            exch_buf_str(&ews->out, "</t:Resolution>");
        }

        exch_buf_str(&ews->out, "</m:ResolutionSet>");
        exch_ews_msg_end(ews);
    }

    exch_ews_resp_end(ews);
    exch_ews_end(ews, EXS_ERROR);

    return EXCH_EWS_OK;
}


int
exch_ews_op_expand_dl(exch_ews_t *ews, xmlNodePtr req)
{
    int                   rc;
    uint32_t              n, i, *ids, tag;
    xmlNodePtr            mbx, idn;
    exs_prop_t           *p;
    exs_props_t           props;
    const char           *addr, *name, *type, *email;
    exs_dirent_t          e, me;
    exch_ews_code_t       code;
    exch_ews_item_ref_t   it;

    mbx = exch_ews_mchild(req, "Mailbox");

    if (mbx == NULL) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "ExpandDL needs Mailbox.");
    }

    if (exch_ews_begin(ews, 0) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    exch_ews_resp_begin(ews);

    idn = exch_ews_tchild(mbx, "ItemId");

    if (idn) {
        /* a private distribution list */

        code = exch_ews_item_ref(ews, idn, &it);
        p = NULL;

        if (code == EXCH_EWS_NOERROR) {
            memset(&props, 0, sizeof(exs_props_t));
            tag = exch_ews_np_tag(ews, it.m, EXCH_NP_DL_ONEOFF_MEMBERS, 0);

            rc = tag ? exs_message_get(it.m->mb, it.mid, &tag, 1, &props,
                                       ews->a)
                     : EXS_NOTFOUND;
            code = exch_ews_code_from_rc(rc, 0);
            p = tag ? exs_props_get(&props, tag) : NULL;
        }

        if (code != EXCH_EWS_NOERROR) {
            exch_ews_msg_error(ews, code, NULL);
            goto done;
        }

        n = p ? p->v.mv.n : 0;

        exch_ews_msg_ok(ews);
        exch_buf_printf(&ews->out, "<m:DLExpansion TotalItemsInView=\"%u\" "
                        "IncludesLastItemInRange=\"true\">", n);

        for (i = 0; i < n; i++) {
            if (exs_oxcmail_parse_entryid(p->v.mv.v.bin[i].data,
                                          p->v.mv.v.bin[i].len, &name, &type,
                                          &email, ews->a)
                != EXS_OK)
            {
                continue;
            }

            exch_buf_str(&ews->out, "<t:Mailbox>");
            exch_ews_elem(&ews->out, "Name", name);
            exch_ews_elem(&ews->out, "EmailAddress", email);
            exch_ews_elem(&ews->out, "RoutingType", "SMTP");
            exch_ews_elem(&ews->out, "MailboxType", "OneOff");
            exch_buf_str(&ews->out, "</t:Mailbox>");
        }

        exch_buf_str(&ews->out, "</m:DLExpansion>");
        exch_ews_msg_end(ews);
        goto done;
    }

    addr = exch_ews_value(exch_ews_tchild(mbx, "EmailAddress"));

    if (addr == NULL || exch_ews_dir_lookup(ews, addr, &e) != EXS_OK
        || e.type != EXS_DIR_GROUP)
    {
        exch_ews_msg_error(ews, EXCH_EWS_ERR_NAME_RESOLUTION_NO_RESULTS,
                           NULL);
        goto done;
    }

    rc = exs_dir_members(ews->txn, e.id, &ids, &n, ews->a);

    if (rc != EXS_OK) {
        exch_ews_msg_error(ews, exch_ews_code_from_rc(rc, 0), NULL);
        goto done;
    }

    exch_ews_msg_ok(ews);
    exch_buf_printf(&ews->out, "<m:DLExpansion TotalItemsInView=\"%u\" "
                    "IncludesLastItemInRange=\"true\">", n);

    for (i = 0; i < n; i++) {
        if (exs_dir_by_id(ews->txn, ids[i], &me, ews->a) != EXS_OK) {
            continue;
        }

        exch_buf_str(&ews->out, "<t:Mailbox>");
        exch_ews_elem(&ews->out, "Name", me.display_name);
        exch_ews_elem(&ews->out, "EmailAddress", me.address);
        exch_ews_elem(&ews->out, "RoutingType", "SMTP");
        exch_ews_elem(&ews->out, "MailboxType",
                      me.type == EXS_DIR_GROUP ? "PublicDL" : "Mailbox");
        exch_buf_str(&ews->out, "</t:Mailbox>");
    }

    exch_buf_str(&ews->out, "</m:DLExpansion>");
    exch_ews_msg_end(ews);

done:

    exch_ews_resp_end(ews);
    exch_ews_end(ews, EXS_ERROR);

    return EXCH_EWS_OK;
}
