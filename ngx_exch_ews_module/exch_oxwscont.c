
/*
 * exch EWS: people, MS-OXWSCONT / MS-OXWSFINDPPL -- FindPeople over the
 * user's contacts or the directory (the basic persona fields), and
 * GetUserPhoto (no photos are kept yet: the not-found answer).
 */


#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "exch_ews_ops.h"
#include "exch_ews_items.h"


#define EXCH_PEOPLE_MAX         1000


typedef struct {
    const char               *name;
    const char               *given;
    const char               *surname;
    const char               *company;
    const char               *email;
    char                     *id;
    int                       contact;
} exch_ews_persona_t;


static int exch_ews_people_match(const exch_ews_persona_t *p, const char *q);
static void exch_ews_persona_write(exch_ews_t *ews,
    const exch_ews_persona_t *p);


static int
exch_ews_people_match(const exch_ews_persona_t *p, const char *q)
{
    size_t  n;

    if (q == NULL || *q == '\0') {
        return 1;
    }

    n = strlen(q);

    return (p->name && strcasestr(p->name, q))
           || (p->email && strncasecmp(p->email, q, n) == 0)
           || (p->given && strncasecmp(p->given, q, n) == 0)
           || (p->surname && strncasecmp(p->surname, q, n) == 0);
}


static void
exch_ews_persona_write(exch_ews_t *ews, const exch_ews_persona_t *p)
{
    exch_buf_t  *b;

    b = &ews->out;

    exch_buf_printf(b, "<t:Persona><t:PersonaId Id=\"%s\"/>"
                    "<t:PersonaType>Person</t:PersonaType>", p->id);

    if (p->name) {
        exch_ews_elem(b, "DisplayName", p->name);
        exch_ews_elem(b, "DisplayNameFirstLast", p->name);
        exch_ews_elem(b, "DisplayNameLastFirst", p->name);
        exch_ews_elem(b, "FileAs", p->name);
    }

    if (p->given) {
        exch_ews_elem(b, "GivenName", p->given);
    }

    if (p->surname) {
        exch_ews_elem(b, "Surname", p->surname);
    }

    if (p->company) {
        exch_ews_elem(b, "CompanyName", p->company);
    }

    if (p->email) {
        exch_buf_str(b, "<t:EmailAddress>");
        exch_ews_elem(b, "Name", p->name ? p->name : p->email);
        exch_ews_elem(b, "EmailAddress", p->email);
        exch_ews_elem(b, "RoutingType", "SMTP");
        exch_ews_elem(b, "MailboxType", p->contact ? "Contact" : "Mailbox");
        exch_buf_str(b, "</t:EmailAddress>");
    }

    exch_buf_str(b, "</t:Persona>");
}


int
exch_ews_op_find_people(exch_ews_t *ews, xmlNodePtr req)
{
    int                     rc, gal;
    char                   *id;
    uint32_t                n, got, i, np, start, count, tags[6], *dids;
    exs_id_t               *ids;
    xmlNodePtr              pf, d;
    exs_prop_t             *p;
    exs_props_t            *rows;
    exs_table_t            *t;
    const char             *q, *dist;
    exs_dirent_t            e;
    exch_ews_code_t         code;
    exch_ews_paging_t       pg;
    exch_ews_persona_t     *people;
    exch_ews_folder_ref_t   ref;
    uint8_t                 raw[16];

    code = exch_ews_paging_parse(req, &pg);
    q = exch_ews_value(exch_ews_mchild(req, "QueryString"));
    pf = exch_ews_mchild(req, "ParentFolderId");

    if (code == EXCH_EWS_ERR_SCHEMA_VALIDATION) {
        return exch_ews_fault(ews, code, NULL, "The paging is not valid.");
    }

    people = exs_alloc(ews->a, EXCH_PEOPLE_MAX * sizeof(exch_ews_persona_t));
    if (people == NULL) {
        return EXCH_EWS_FAIL;
    }

    if (exch_ews_begin(ews, 0) != EXS_OK) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_MAILBOX_STORE_UNAVAILABLE,
                              NULL, NULL);
    }

    d = NULL;

    for (d = pf ? pf->children : NULL; d; d = d->next) {
        if (d->type == XML_ELEMENT_NODE) {
            break;
        }
    }

    dist = d && exch_xml_is(d, EXCH_EWS_NS_T, "DistinguishedFolderId")
           ? exch_ews_attr(d, "Id") : NULL;
    gal = dist && strcmp(dist, "directory") == 0;
    np = 0;

    if (code == EXCH_EWS_NOERROR && gal) {
        rc = exs_gal_list(ews->txn, &dids, &n, ews->a);

        for (i = 0; rc == EXS_OK && i < n && np < EXCH_PEOPLE_MAX; i++) {
            if (exs_dir_by_id(ews->txn, dids[i], &e, ews->a) != EXS_OK) {
                continue;
            }

            memset(&people[np], 0, sizeof(exch_ews_persona_t));
            people[np].name = e.display_name;
            people[np].email = e.address;
            p = exs_props_get(&e.props, PR_GIVEN_NAME);
            people[np].given = p ? p->v.str.data : NULL;
            p = exs_props_get(&e.props, PR_SURNAME);
            people[np].surname = p ? p->v.str.data : NULL;

            if (!exch_ews_people_match(&people[np], q)) {
                continue;
            }

            id = exs_alloc(ews->a, 32);
            if (id == NULL) {
                break;
            }

            memcpy(raw, e.guid, 16);
            exch_base64_encode(raw, 16, id);
            people[np].id = id;
            np++;
        }

        code = exch_ews_code_from_rc(rc, 1);

    } else if (code == EXCH_EWS_NOERROR) {
        if (d) {
            code = exch_ews_folder_ref(ews, d, &ref);

        } else {
            memset(&ref, 0, sizeof(exch_ews_folder_ref_t));
            rc = exch_ews_mbox(ews, NULL, &ref.m);
            ref.fid = EXS_FID_CONTACTS;
            code = exch_ews_code_from_rc(rc, 1);
        }

        if (code == EXCH_EWS_NOERROR) {
            tags[0] = PR_DISPLAY_NAME;
            tags[1] = PR_GIVEN_NAME;
            tags[2] = PR_SURNAME;
            tags[3] = PR_COMPANY_NAME;
            tags[4] = exch_ews_np_tag(ews, ref.m, EXCH_NP_EMAIL1_ADDR, 0);
            tags[5] = PR_CHANGE_KEY;

            rc = exs_table_open(ref.m->mb, ref.fid, EXS_TABLE_CONTENTS, 0,
                                NULL, NULL, &t, ews->a);

            if (rc == EXS_OK) {
                ids = exs_alloc(ews->a, EXCH_PEOPLE_MAX * sizeof(exs_id_t));
                rc = ids ? exs_table_rows(t, 0, EXCH_PEOPLE_MAX, tags,
                                          tags[4] ? 6 : 4, &rows, ids, &got,
                                          ews->a)
                         : EXS_NOMEM;
            }

            for (i = 0; rc == EXS_OK && i < got; i++) {
                memset(&people[np], 0, sizeof(exch_ews_persona_t));
                people[np].contact = 1;

#define STR(t_)  ((t_) && (p = exs_props_get(&rows[i], (t_))) != NULL       \
                  && PROP_TYPE(p->tag) == PT_UNICODE ? p->v.str.data : NULL)

                people[np].name = STR(tags[0]);
                people[np].given = STR(tags[1]);
                people[np].surname = STR(tags[2]);
                people[np].company = STR(tags[3]);
                people[np].email = STR(tags[4]);

#undef STR

                if (!exch_ews_people_match(&people[np], q)) {
                    continue;
                }

                people[np].id = exch_ews_item_id_str(ews, ref.m, ref.fid,
                                                     ids[i]);
                np++;
            }

            code = exch_ews_code_from_rc(rc, 1);
        }
    }

    if (code != EXCH_EWS_NOERROR) {
        exch_ews_single_begin(ews, code, NULL);
        exch_ews_single_end(ews);
        exch_ews_end(ews, EXS_ERROR);
        return EXCH_EWS_OK;
    }

    exch_ews_paging_range(&pg, np, &start, &count);

    exch_ews_single_begin(ews, EXCH_EWS_NOERROR, NULL);
    exch_buf_str(&ews->out, "<m:People>");

    for (i = start; i < start + count; i++) {
        exch_ews_persona_write(ews, &people[i]);
    }

    exch_buf_printf(&ews->out, "</m:People><m:TotalNumberOfPeopleInView>%u"
                    "</m:TotalNumberOfPeopleInView><m:FirstMatchingRowIndex>"
                    "%u</m:FirstMatchingRowIndex><m:FirstLoadedRowIndex>%u"
                    "</m:FirstLoadedRowIndex>", np, start, start);
    exch_ews_single_end(ews);
    exch_ews_end(ews, EXS_ERROR);

    return EXCH_EWS_OK;
}


int
exch_ews_op_get_user_photo(exch_ews_t *ews, xmlNodePtr req)
{
    if (exch_ews_mchild(req, "Email") == NULL) {
        return exch_ews_fault(ews, EXCH_EWS_ERR_SCHEMA_VALIDATION, NULL,
                              "GetUserPhoto needs Email.");
    }

    exch_ews_single_begin(ews, EXCH_EWS_ERR_ITEM_NOT_FOUND,
                          "The photo could not be found.");
    exch_buf_str(&ews->out, "<m:HasChanged>false</m:HasChanged>");
    exch_ews_single_end(ews);

    return EXCH_EWS_OK;
}
