
/*
 * exch: the address book requests of MS-OXCMAPIHTTP 2.2.5 with the server
 * processing rules of MS-OXNSPI 3.1.4.1, over the store's directory.
 * exch_nspi.h says how the global address list maps to the directory.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exch_nspi.h"


#define EXCH_NSPI_FORMAT            1

/* STAT CurrentRec values, MS-OXNSPI 2.2.1.8 */
#define EXCH_MID_BEGINNING          0x00000000
#define EXCH_MID_CURRENT            0x00000001
#define EXCH_MID_END                0x00000002

#define EXCH_CP_WINUNICODE          1200

/* dwFlags */
#define EXCH_NSPI_EPHID             0x00000002
#define EXCH_NSPI_UNICODE_STRINGS   0x00000004
#define EXCH_NSPI_CREATION_TEMPLATES  0x00000002
#define EXCH_NSPI_UNICODE_PROPTYPES 0x80000000
#define EXCH_TI_TEMPLATE            0x00000001

/* display types, MS-OXNSPI 2.2.1.3 */
#define EXCH_DT_MAILUSER            0x00000000
#define EXCH_DT_DISTLIST            0x00000001
#define EXCH_DT_CONTAINER           0x00000100
#define EXCH_DTE_FLAG_ACL_CAPABLE   0x40000000

#define EXCH_MAPI_MAILUSER          6
#define EXCH_MAPI_DISTLIST          8

/* PR_CONTAINER_FLAGS */
#define EXCH_AB_RECIPIENTS          0x00000001
#define EXCH_AB_UNMODIFIABLE        0x00000008

#define EXCH_NSPI_MAX_COLUMNS       100


static const uint8_t  exch_nspi_server_guid[16] = {
    0x5a, 0x2b, 0x83, 0x41, 0x0c, 0x9e, 0x4f, 0x8b,
    0xa1, 0x2d, 0x6e, 0x78, 0x33, 0x05, 0xc4, 0x19
};

/* the columns when the client names none (MS-OXNSPI 3.1.4.1.8) */
static const uint32_t  exch_nspi_default_cols[] = {
    PR_EMS_AB_CONTAINERID, PR_OBJECT_TYPE, PR_DISPLAY_TYPE,
    PROP_CHANGE_TYPE(PR_DISPLAY_NAME, PT_STRING8),
    PROP_CHANGE_TYPE(PR_PRIMARY_TELEPHONE_NUMBER, PT_STRING8),
    PROP_CHANGE_TYPE(PR_DEPARTMENT_NAME, PT_STRING8),
    PROP_CHANGE_TYPE(PR_OFFICE_LOCATION, PT_STRING8)
};

/* what an entry has, for GetProps without tags and GetPropList; string
 * tags in their Unicode form */
static const uint32_t  exch_nspi_entry_tags[] = {
    PR_DISPLAY_NAME, PR_ADDRTYPE, PR_EMAIL_ADDRESS,
    PROP_CHANGE_TYPE(PR_7BIT_DISPLAY_NAME, PT_UNICODE), PR_OBJECT_TYPE,
    PR_DISPLAY_TYPE, PR_DISPLAY_TYPE_EX, PR_ENTRYID, PR_RECORD_KEY,
    PR_ORIGINAL_ENTRYID, PR_SEARCH_KEY, PR_INSTANCE_KEY,
    PR_MAPPING_SIGNATURE, PR_SEND_RICH_INFO, PR_TEMPLATEID,
    PR_EMS_AB_OBJECT_GUID, PR_SMTP_ADDRESS, PR_ACCOUNT,
    PR_TRANSMITABLE_DISPLAY_NAME, PR_EMS_AB_PROXY_ADDRESSES,
    PR_EMS_AB_HOME_MDB, PR_EMS_AB_CONTAINERID
};

/* QueryColumns' answer */
static const uint32_t  exch_nspi_columns[] = {
    PR_DISPLAY_NAME, PR_ADDRTYPE, PR_EMAIL_ADDRESS, PR_SMTP_ADDRESS,
    PROP_CHANGE_TYPE(PR_7BIT_DISPLAY_NAME, PT_UNICODE), PR_ACCOUNT,
    PR_TRANSMITABLE_DISPLAY_NAME, PR_EMS_AB_PROXY_ADDRESSES, PR_TITLE,
    PR_COMPANY_NAME, PR_DEPARTMENT_NAME, PR_OFFICE_LOCATION,
    PR_BUSINESS_TELEPHONE_NUMBER, PR_PRIMARY_TELEPHONE_NUMBER,
    PR_MOBILE_TELEPHONE_NUMBER, PR_OBJECT_TYPE, PR_DISPLAY_TYPE,
    PR_DISPLAY_TYPE_EX, PR_ENTRYID, PR_RECORD_KEY, PR_ORIGINAL_ENTRYID,
    PR_SEARCH_KEY, PR_INSTANCE_KEY, PR_MAPPING_SIGNATURE, PR_SEND_RICH_INFO,
    PR_TEMPLATEID, PR_EMS_AB_OBJECT_GUID
};


typedef struct {
    uint32_t                 *ids;         /* the GAL in display order */
    uint32_t                  n;
} exch_nspi_gal_t;


static int exch_nspi_put(exch_nspi_t *n, uint64_t expect);
static int exch_nspi_txn(exch_nspi_t *n, exs_txn_t **txn);
static int exch_nspi_gal(exch_nspi_t *n, exch_nspi_gal_t *gal);
static uint32_t exch_nspi_pos_of(const exch_nspi_gal_t *gal, uint32_t mid);
static void exch_nspi_position(const exch_nspi_gal_t *gal,
    const exch_stat_t *stat, uint32_t *row);
static int exch_nspi_entry(exch_nspi_t *n, uint32_t mid, exs_dirent_t *d);
static int exch_nspi_value(exch_nspi_t *n, const exs_dirent_t *d,
    uint32_t tag, int ephid, exs_prop_t *out);
static int exch_nspi_props(exch_nspi_t *n, const exs_dirent_t *d,
    const uint32_t *tags, uint32_t ntags, int ephid, uint32_t codepage,
    exs_props_t *out, int *errors);
static int exch_nspi_rows(exch_nspi_t *n, const uint32_t *mids,
    uint32_t count, const exch_tags_t *cols, int ephid, uint32_t codepage,
    exs_props_t **rows);
static int exch_nspi_reply_rows(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp, const uint32_t *mids, uint32_t count,
    const exch_tags_t *cols, int ephid);
static int exch_nspi_eid(exch_nspi_t *n, const exs_dirent_t *d, int ephid,
    exs_bin_t *out);
static const char *exch_nspi_home_mdb(exch_nspi_t *n,
    const exs_dirent_t *d);
static int exch_nspi_anr(exch_nspi_t *n, const exs_dirent_t *d,
    const char *s, int exact);
static int exch_nspi_match(exch_nspi_t *n, const exs_dirent_t *d,
    const exs_restriction_t *res, uint32_t codepage);
static void exch_nspi_cols(const exch_nspi_req_t *req, exch_tags_t *cols);
static int exch_nspi_str_tag(exch_nspi_t *n, exs_prop_t *p, uint16_t want,
    uint32_t codepage);

static int exch_nspi_compare_mids(exch_nspi_t *n,
    const exch_nspi_req_t *req, exch_nspi_rsp_t *rsp);
static int exch_nspi_dntomid(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp);
static int exch_nspi_get_matches(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp);
static int exch_nspi_get_prop_list(exch_nspi_t *n,
    const exch_nspi_req_t *req, exch_nspi_rsp_t *rsp);
static int exch_nspi_get_props(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp);
static int exch_nspi_get_special_table(exch_nspi_t *n,
    const exch_nspi_req_t *req, exch_nspi_rsp_t *rsp);
static int exch_nspi_get_template_info(exch_nspi_t *n,
    const exch_nspi_req_t *req, exch_nspi_rsp_t *rsp);
static int exch_nspi_query_columns(exch_nspi_t *n,
    const exch_nspi_req_t *req, exch_nspi_rsp_t *rsp);
static int exch_nspi_query_rows(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp);
static int exch_nspi_resolve_names(exch_nspi_t *n,
    const exch_nspi_req_t *req, exch_nspi_rsp_t *rsp);
static int exch_nspi_resort_restriction(exch_nspi_t *n,
    const exch_nspi_req_t *req, exch_nspi_rsp_t *rsp);
static int exch_nspi_seek_entries(exch_nspi_t *n,
    const exch_nspi_req_t *req, exch_nspi_rsp_t *rsp);
static int exch_nspi_update_stat(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp);
static int exch_nspi_url(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp);


/* sessions */

int
exch_nspi_session_create(exch_nspi_t *n, uint32_t codepage, uint32_t flags)
{
    exch_nspi_session_t  *s;

    s = exs_calloc(n->a, sizeof(exch_nspi_session_t));
    if (s == NULL) {
        return EXS_NOMEM;
    }

    s->key[0] = (uint8_t) (n->user->id >> 24);
    s->key[1] = (uint8_t) (n->user->id >> 16);
    s->key[2] = (uint8_t) (n->user->id >> 8);
    s->key[3] = (uint8_t) n->user->id;

    if (exch_ems_random(s->key + 4, 16) != EXS_OK
        || exch_ems_random(s->seq, 16) != EXS_OK)
    {
        return EXS_IO;
    }

    s->user = n->user->id;
    s->codepage = codepage;
    s->flags = flags;
    s->created = n->now;
    memcpy(s->server_guid, exch_nspi_server_guid, 16);

    n->s = s;

    return exch_nspi_put(n, 0);
}


int
exch_nspi_session_load(exch_nspi_t *n, const uint8_t key[20])
{
    int                   rc;
    uint8_t               format;
    uint64_t              version;
    exs_bin_t             val;
    exch_rd_t             r;
    exch_nspi_session_t  *s;

    rc = exs_state_get(n->env, EXS_NS_NSPI_SESSION, key, 20, &val, &version,
                       n->a);
    if (rc != EXS_OK) {
        return rc;
    }

    s = exs_calloc(n->a, sizeof(exch_nspi_session_t));
    if (s == NULL) {
        return EXS_NOMEM;
    }

    exch_rd_init(&r, val.data, val.len, n->a, 0);
    exch_rd_u8(&r, &format);
    exch_rd_u32(&r, &s->user);
    exch_rd_u32(&r, &s->codepage);
    exch_rd_u32(&r, &s->flags);
    exch_rd_guid(&r, s->seq);
    exch_rd_guid(&r, s->server_guid);
    exch_rd_i64(&r, &s->created);
    exch_rd_i64(&r, &s->expires);

    if (r.err != EXCH_OK || format != EXCH_NSPI_FORMAT
        || exch_rd_left(&r) != 0)
    {
        return EXS_CORRUPT;
    }

    memcpy(s->key, key, 20);
    s->version = version;
    n->s = s;

    return EXS_OK;
}


int
exch_nspi_session_claim(exch_nspi_t *n)
{
    if (exch_ems_random(n->s->seq, 16) != EXS_OK) {
        return EXS_IO;
    }

    return exch_nspi_put(n, n->s->version);
}


int
exch_nspi_session_destroy(exch_nspi_t *n)
{
    return exs_state_del(n->env, EXS_NS_NSPI_SESSION, n->s->key, 20);
}


static int
exch_nspi_put(exch_nspi_t *n, uint64_t expect)
{
    int                   rc;
    uint8_t               buf[128];
    uint64_t              version;
    exch_wr_t             w;
    exch_nspi_session_t  *s;

    s = n->s;
    s->expires = n->now + n->conf->session_timeout;

    exch_wr_init(&w, buf, sizeof(buf));
    exch_wr_u8(&w, EXCH_NSPI_FORMAT);
    exch_wr_u32(&w, s->user);
    exch_wr_u32(&w, s->codepage);
    exch_wr_u32(&w, s->flags);
    exch_wr_bytes(&w, s->seq, 16);
    exch_wr_bytes(&w, s->server_guid, 16);
    exch_wr_u64(&w, (uint64_t) s->created);
    exch_wr_u64(&w, (uint64_t) s->expires);

    if (w.err != EXCH_OK) {
        return EXS_ERROR;
    }

    rc = exs_state_put(n->env, EXS_NS_NSPI_SESSION, s->key, 20, buf, w.len,
                       s->expires, expect, &version);
    if (rc == EXS_OK) {
        s->version = version;
    }

    return rc;
}


/* the directory */

static int
exch_nspi_txn(exch_nspi_t *n, exs_txn_t **txn)
{
    int  rc;

    if (n->txn == NULL) {
        rc = exs_txn_begin(n->env, EXS_TXN_RDONLY, &n->txn);
        if (rc != EXS_OK) {
            n->txn = NULL;
            return rc;
        }
    }

    *txn = n->txn;

    return EXS_OK;
}


static int
exch_nspi_gal(exch_nspi_t *n, exch_nspi_gal_t *gal)
{
    int         rc;
    exs_txn_t  *txn;

    rc = exch_nspi_txn(n, &txn);
    if (rc != EXS_OK) {
        return rc;
    }

    return exs_gal_list(txn, &gal->ids, &gal->n, n->a);
}


/* the position of an entry in the GAL, gal->n when it is not there */

static uint32_t
exch_nspi_pos_of(const exch_nspi_gal_t *gal, uint32_t mid)
{
    uint32_t  i;

    for (i = 0; i < gal->n; i++) {
        if (gal->ids[i] == mid) {
            return i;
        }
    }

    return gal->n;
}


/* the Current Position a STAT names, MS-OXNSPI 3.1.4.5 */

static void
exch_nspi_position(const exch_nspi_gal_t *gal, const exch_stat_t *stat,
    uint32_t *row)
{
    uint32_t  pos;

    if (stat->cur_rec == EXCH_MID_CURRENT) {
        /* fractional positioning */
        pos = stat->total_rec
              ? (uint32_t) ((uint64_t) gal->n * stat->num_pos
                            / stat->total_rec)
              : 0;

        if (pos > 0 && pos >= gal->n) {
            pos = gal->n ? gal->n - 1 : 0;
        }

    } else if (stat->cur_rec == EXCH_MID_BEGINNING) {
        pos = 0;

    } else if (stat->cur_rec == EXCH_MID_END) {
        pos = gal->n;

    } else {
        pos = exch_nspi_pos_of(gal, stat->cur_rec);

        if (pos == gal->n) {
            /* an entry not in the table: its position is undefined; the
             * beginning is the safe choice */
            pos = 0;
        }
    }

    *row = pos;
}


static int
exch_nspi_entry(exch_nspi_t *n, uint32_t mid, exs_dirent_t *d)
{
    int         rc;
    exs_txn_t  *txn;

    rc = exch_nspi_txn(n, &txn);
    if (rc != EXS_OK) {
        return rc;
    }

    return exs_dir_by_id(txn, mid, d, n->a);
}


/* entry ids, MS-OXNSPI 2.2.9 */

static int
exch_nspi_eid(exch_nspi_t *n, const exs_dirent_t *d, int ephid,
    exs_bin_t *out)
{
    exch_wr_t        w;
    exch_nspi_eid_t  eid;

    memset(&eid, 0, sizeof(exch_nspi_eid_t));
    eid.display_type = d->type == EXS_DIR_GROUP ? EXCH_DT_DISTLIST
                                                : EXCH_DT_MAILUSER;

    if (ephid) {
        eid.id_type = EXCH_NSPI_EPHEMERAL;
        memcpy(eid.provider, n->s ? n->s->server_guid
                                  : exch_nspi_server_guid, 16);
        eid.mid = d->id;

    } else {
        eid.id_type = EXCH_NSPI_PERMANENT;
        memcpy(eid.provider, EXCH_GUID_NSPI, 16);
        eid.dn.data = d->legacy_dn ? d->legacy_dn : "";
        eid.dn.len = strlen(eid.dn.data);
    }

    if (exch_wr_init_grow(&w, n->a, 64 + eid.dn.len, 4096 + eid.dn.len)
        != EXCH_OK
        || exch_write_nspi_eid(&w, &eid) != EXCH_OK)
    {
        return EXS_NOMEM;
    }

    out->data = w.buf;
    out->len = w.len;

    return EXS_OK;
}


/* the home MDB of a user: the mailbox "server" Autodiscover names */

static const char *
exch_nspi_home_mdb(exch_nspi_t *n, const exs_dirent_t *d)
{
    char          *s;
    size_t         len;
    const char    *dn, *p, *domain;
    const uint8_t *g;

    dn = d->legacy_dn ? d->legacy_dn : "";
    p = strstr(dn, "/cn=");
    len = p ? (size_t) (p - dn) : strlen(dn);
    domain = strchr(d->address, '@');
    domain = domain ? domain + 1 : d->address;
    g = d->guid;

    s = exs_alloc(n->a, len + strlen(domain) + 200);
    if (s == NULL) {
        return NULL;
    }

    sprintf(s, "%.*s/cn=Configuration/cn=Servers/cn=%02x%02x%02x%02x-%02x%02x-"
               "%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x@%s"
               "/cn=Microsoft Private MDB",
            (int) len, dn, g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6],
            g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15], domain);

    return s;
}


/* one property of an entry, in its Unicode form; EXS_NOTFOUND */

static int
exch_nspi_value(exch_nspi_t *n, const exs_dirent_t *d, uint32_t tag,
    int ephid, exs_prop_t *out)
{
    int            rc, group;
    char          *s;
    size_t         len;
    uint8_t       *b;
    uint32_t       i, k;
    exs_prop_t    *p;
    const char    *v;

    group = d->type == EXS_DIR_GROUP;
    memset(out, 0, sizeof(exs_prop_t));
    out->tag = tag;
    v = NULL;

    switch (tag) {

    case PR_DISPLAY_NAME:
    case PROP_CHANGE_TYPE(PR_7BIT_DISPLAY_NAME, PT_UNICODE):
        v = d->display_name;
        break;

    case PR_TRANSMITABLE_DISPLAY_NAME:
        if (group) {
            return EXS_NOTFOUND;
        }
        v = d->display_name;
        break;

    case PR_ADDRTYPE:
        v = "EX";
        break;

    case PR_EMAIL_ADDRESS:
        v = d->legacy_dn;
        break;

    case PR_SMTP_ADDRESS:
    case PR_ACCOUNT:
        v = d->address;
        break;

    case PR_EMS_AB_HOME_MDB:
        if (group) {
            return EXS_NOTFOUND;
        }
        v = exch_nspi_home_mdb(n, d);
        if (v == NULL) {
            return EXS_NOMEM;
        }
        break;

    case PR_OBJECT_TYPE:
        out->v.l = group ? EXCH_MAPI_DISTLIST : EXCH_MAPI_MAILUSER;
        return EXS_OK;

    case PR_DISPLAY_TYPE:
        out->v.l = group ? EXCH_DT_DISTLIST : EXCH_DT_MAILUSER;
        return EXS_OK;

    case PR_DISPLAY_TYPE_EX:
        out->v.l = group ? EXCH_DT_DISTLIST
                         : (int32_t) (EXCH_DT_MAILUSER
                                      | EXCH_DTE_FLAG_ACL_CAPABLE);
        return EXS_OK;

    case PR_EMS_AB_CONTAINERID:
        out->v.l = 0;
        return EXS_OK;

    case PR_SEND_RICH_INFO:
        out->v.b = 1;
        return EXS_OK;

    case PR_ENTRYID:
    case PR_RECORD_KEY:
    case PR_ORIGINAL_ENTRYID:
        return exch_nspi_eid(n, d, tag == PR_ENTRYID ? ephid : 0,
                             &out->v.bin);

    case PR_TEMPLATEID:
        return exch_nspi_eid(n, d, 0, &out->v.bin);

    case PR_SEARCH_KEY:
        /* "EX:" and the DN in upper case, with its NUL */
        len = d->legacy_dn ? strlen(d->legacy_dn) : 0;
        b = exs_alloc(n->a, len + 4);
        if (b == NULL) {
            return EXS_NOMEM;
        }

        memcpy(b, "EX:", 3);
        for (i = 0; i < len; i++) {
            b[3 + i] = (uint8_t) (d->legacy_dn[i] >= 'a'
                                  && d->legacy_dn[i] <= 'z'
                                  ? d->legacy_dn[i] - 32 : d->legacy_dn[i]);
        }
        b[3 + len] = 0;

        out->v.bin.data = b;
        out->v.bin.len = len + 4;
        return EXS_OK;

    case PR_INSTANCE_KEY:
        b = exs_alloc(n->a, 4);
        if (b == NULL) {
            return EXS_NOMEM;
        }

        exch_put32(b, d->id);
        out->v.bin.data = b;
        out->v.bin.len = 4;
        return EXS_OK;

    case PR_MAPPING_SIGNATURE:
        out->v.bin.data = EXCH_GUID_NSPI;
        out->v.bin.len = 16;
        return EXS_OK;

    case PR_EMS_AB_OBJECT_GUID:
        out->v.bin.data = exs_memdup(n->a, d->guid, 16);
        out->v.bin.len = 16;
        return out->v.bin.data ? EXS_OK : EXS_NOMEM;

    case PR_EMS_AB_PROXY_ADDRESSES:
        /* SMTP: the primary, smtp: the aliases, X500: the legacy DN */
        out->v.mv.v.str = exs_calloc(n->a, (d->naliases + 2)
                                           * sizeof(exs_str_t));
        if (out->v.mv.v.str == NULL) {
            return EXS_NOMEM;
        }

        k = 0;

        s = exs_alloc(n->a, strlen(d->address) + 6);
        if (s == NULL) {
            return EXS_NOMEM;
        }

        out->v.mv.v.str[k].len = (size_t) sprintf(s, "SMTP:%s", d->address);
        out->v.mv.v.str[k++].data = s;

        for (i = 0; i < d->naliases; i++) {
            s = exs_alloc(n->a, strlen(d->aliases[i]) + 6);
            if (s == NULL) {
                return EXS_NOMEM;
            }

            out->v.mv.v.str[k].len = (size_t) sprintf(s, "smtp:%s",
                                                      d->aliases[i]);
            out->v.mv.v.str[k++].data = s;
        }

        if (d->legacy_dn && *d->legacy_dn) {
            s = exs_alloc(n->a, strlen(d->legacy_dn) + 6);
            if (s == NULL) {
                return EXS_NOMEM;
            }

            out->v.mv.v.str[k].len = (size_t) sprintf(s, "X500:%s",
                                                      d->legacy_dn);
            out->v.mv.v.str[k++].data = s;
        }

        out->v.mv.n = k;
        return EXS_OK;
    }

    if (v) {
        out->v.str.data = v;
        out->v.str.len = strlen(v);
        return EXS_OK;
    }

    /* what exchctl set on the entry: title, telephone numbers... */

    p = exs_props_get(&d->props, tag);
    if (p == NULL) {
        return EXS_NOTFOUND;
    }

    rc = exs_prop_copy(n->a, out, p);
    out->tag = PROP_CHANGE_TYPE(tag, PROP_TYPE(p->tag));

    return rc;
}


/* a string value in the type asked for: PT_STRING8 in the code page */

static int
exch_nspi_str_tag(exch_nspi_t *n, exs_prop_t *p, uint16_t want,
    uint32_t codepage)
{
    if ((want == PT_STRING8 || want == PT_MV_STRING8)
        && (PROP_TYPE(p->tag) == PT_UNICODE
            || PROP_TYPE(p->tag) == PT_MV_UNICODE))
    {
        if (exch_prop_to_string8(n->a, p, codepage) != EXCH_OK) {
            return EXS_INVALID;
        }
    }

    return EXS_OK;
}


static int
exch_nspi_props(exch_nspi_t *n, const exs_dirent_t *d, const uint32_t *tags,
    uint32_t ntags, int ephid, uint32_t codepage, exs_props_t *out,
    int *errors)
{
    int          rc;
    uint16_t     type;
    uint32_t     i, utag;
    exs_prop_t   v;

    out->n = 0;
    out->cap = 0;
    out->v = NULL;
    *errors = 0;

    for (i = 0; i < ntags; i++) {
        type = PROP_TYPE(tags[i]);
        utag = tags[i];

        if (type == PT_STRING8) {
            utag = PROP_CHANGE_TYPE(tags[i], PT_UNICODE);

        } else if (type == PT_MV_STRING8) {
            utag = PROP_CHANGE_TYPE(tags[i], PT_MV_UNICODE);
        }

        rc = exch_nspi_value(n, d, utag, ephid, &v);

        if (rc == EXS_OK
            && (PROP_TYPE(v.tag) & ~PT_MV) != (type & ~PT_MV)
            && !((type & ~PT_MV) == PT_STRING8
                 && (PROP_TYPE(v.tag) & ~PT_MV) == PT_UNICODE))
        {
            rc = EXS_NOTFOUND;
        }

        if (rc == EXS_OK) {
            rc = exch_nspi_str_tag(n, &v, type, codepage);
        }

        if (rc == EXS_NOMEM) {
            return rc;
        }

        if (rc != EXS_OK) {
            memset(&v, 0, sizeof(exs_prop_t));
            v.tag = PROP_CHANGE_TYPE(tags[i], PT_ERROR);
            v.v.l = (int32_t) EXCH_NSPI_NOT_FOUND;
            (*errors)++;

        } else {
            v.tag = tags[i];
        }

        rc = exs_props_set(n->a, out, &v);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    return EXS_OK;
}


static int
exch_nspi_rows(exch_nspi_t *n, const uint32_t *mids, uint32_t count,
    const exch_tags_t *cols, int ephid, uint32_t codepage,
    exs_props_t **rows)
{
    int            rc, errors;
    uint32_t       i, j;
    exs_props_t   *r;
    exs_dirent_t   d;

    r = exs_calloc(n->a, (count + 1) * sizeof(exs_props_t));
    if (r == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < count; i++) {
        rc = exch_nspi_entry(n, mids[i], &d);

        if (rc == EXS_NOTFOUND) {
            /* a row of errors for an id that names nothing (3.1.4.1.8) */
            for (j = 0; j < cols->n; j++) {
                exs_prop_t  v;

                memset(&v, 0, sizeof(exs_prop_t));
                v.tag = PROP_CHANGE_TYPE(cols->tags[j], PT_ERROR);
                v.v.l = (int32_t) EXCH_NSPI_NOT_FOUND;

                rc = exs_props_set(n->a, &r[i], &v);
                if (rc != EXS_OK) {
                    return rc;
                }
            }

            continue;
        }

        if (rc == EXS_OK) {
            rc = exch_nspi_props(n, &d, cols->tags, cols->n, ephid,
                                 codepage, &r[i], &errors);
        }

        if (rc != EXS_OK) {
            return rc;
        }
    }

    *rows = r;

    return EXS_OK;
}


/* the rows of mids in the columns cols, as the response's rows */
static int
exch_nspi_reply_rows(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp, const uint32_t *mids, uint32_t count,
    const exch_tags_t *cols, int ephid)
{
    int  rc;

    rc = exch_nspi_rows(n, mids, count, cols, ephid, req->stat.codepage,
                        (exs_props_t **) &rsp->rows);
    if (rc != EXS_OK) {
        return rc;
    }

    rsp->has_rows = 1;
    rsp->columns = *cols;
    rsp->nrows = count;

    return EXS_OK;
}


/* ambiguous name resolution, MS-OXNSPI 3.1.4.7 */

static int
exch_nspi_anr(exch_nspi_t *n, const exs_dirent_t *d, const char *s,
    int exact)
{
    uint32_t     i;
    const char  *p;

    p = strchr(s, ':');
    if (p && strncasecmp(s, "SMTP:", 5) == 0) {
        s = p + 1;
    }

    if (*s == '\0') {
        return 0;
    }

    if (exact) {
        if (strcasecmp(d->display_name, s) == 0
            || strcasecmp(d->address, s) == 0
            || (d->legacy_dn && strcasecmp(d->legacy_dn, s) == 0))
        {
            return 1;
        }

        for (i = 0; i < d->naliases; i++) {
            if (strcasecmp(d->aliases[i], s) == 0) {
                return 1;
            }
        }

        return 0;
    }

    if (strcasestr(d->display_name, s) || strcasestr(d->address, s)) {
        return 1;
    }

    for (i = 0; i < d->naliases; i++) {
        if (strcasestr(d->aliases[i], s)) {
            return 1;
        }
    }

    return 0;
}


/*
 * A restriction on an entry: PR_ANR goes through ANR, the rest through
 * the store's evaluator on the entry's properties.
 */

static int
exch_nspi_match(exch_nspi_t *n, const exs_dirent_t *d,
    const exs_restriction_t *res, uint32_t codepage)
{
    int                 rc, errors;
    uint32_t            i;
    exs_prop_t          v;
    exs_props_t         props;
    exs_restriction_t   r;

    switch (res->type) {

    case RES_AND:
        for (i = 0; i < res->u.andor.n; i++) {
            rc = exch_nspi_match(n, d, &res->u.andor.sub[i], codepage);
            if (rc <= 0) {
                return rc;
            }
        }
        return 1;

    case RES_OR:
        for (i = 0; i < res->u.andor.n; i++) {
            rc = exch_nspi_match(n, d, &res->u.andor.sub[i], codepage);
            if (rc != 0) {
                return rc;
            }
        }
        return 0;

    case RES_NOT:
        rc = exch_nspi_match(n, d, res->u.not.sub, codepage);
        return rc < 0 ? rc : !rc;

    case RES_PROPERTY:
    case RES_CONTENT:
        v = res->type == RES_PROPERTY ? res->u.prop.val : res->u.content.val;

        if ((PROP_TYPE(v.tag) & ~PT_MV) == PT_STRING8
            && exch_prop_to_unicode(n->a, &v, codepage) != EXCH_OK)
        {
            return 0;
        }

        if (PROP_ID(res->type == RES_PROPERTY ? res->u.prop.tag
                                              : res->u.content.tag)
            == PROP_ID(PR_ANR))
        {
            return PROP_TYPE(v.tag) == PT_UNICODE
                   ? exch_nspi_anr(n, d, v.v.str.data, 0) : 0;
        }

        r = *res;

        if (res->type == RES_PROPERTY) {
            r.u.prop.val = v;
            r.u.prop.tag = PROP_CHANGE_TYPE(r.u.prop.tag, PROP_TYPE(v.tag));

        } else {
            r.u.content.val = v;
            r.u.content.tag = PROP_CHANGE_TYPE(r.u.content.tag,
                                               PROP_TYPE(v.tag));
        }

        {
            uint32_t  tag;

            tag = res->type == RES_PROPERTY ? r.u.prop.tag : r.u.content.tag;

            rc = exch_nspi_props(n, d, &tag, 1, 0, codepage, &props,
                                 &errors);
            if (rc != EXS_OK) {
                return rc;
            }
        }

        if (errors) {
            props.n = 0;
        }

        return exs_restriction_match(&r, &props);

    case RES_EXIST:
        rc = exch_nspi_props(n, d, &res->u.exist.tag, 1, 0, codepage, &props,
                             &errors);
        return rc != EXS_OK ? rc : errors == 0;

    default:
        {
            /* the other kinds on the entry's usual properties */
            uint32_t  tags[sizeof(exch_nspi_entry_tags) / sizeof(uint32_t)];

            memcpy(tags, exch_nspi_entry_tags, sizeof(tags));

            rc = exch_nspi_props(n, d, tags,
                                 sizeof(tags) / sizeof(uint32_t), 0,
                                 codepage, &props, &errors);
            if (rc != EXS_OK) {
                return rc;
            }

            return exs_restriction_match(res, &props);
        }
    }
}


static void
exch_nspi_cols(const exch_nspi_req_t *req, exch_tags_t *cols)
{
    if (req->has_columns) {
        *cols = req->columns;

    } else {
        cols->n = sizeof(exch_nspi_default_cols) / sizeof(uint32_t);
        cols->tags = (uint32_t *) exch_nspi_default_cols;
    }
}


/* requests */

int
exch_nspi_bind(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp)
{
    int  rc;

    memset(rsp, 0, sizeof(exch_nspi_rsp_t));
    rsp->type = EXCH_MH_BIND;

    if (req->has_state && req->stat.codepage == EXCH_CP_WINUNICODE) {
        rsp->error_code = EXCH_NSPI_NOT_SUPPORTED;
        return EXS_OK;
    }

    if (req->has_state && exch_cpid_charset(req->stat.codepage) == NULL) {
        rsp->error_code = EXCH_NSPI_INVALID_CODEPAGE;
        return EXS_OK;
    }

    rc = exch_nspi_session_create(n, req->has_state ? req->stat.codepage
                                                    : 1252, req->flags);
    if (rc != EXS_OK) {
        return rc;
    }

    memcpy(rsp->server_guid, n->s->server_guid, 16);

    return EXS_OK;
}


int
exch_nspi_handle(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp)
{
    int  rc;

    memset(rsp, 0, sizeof(exch_nspi_rsp_t));
    rsp->type = req->type;
    rsp->codepage = req->has_state ? req->stat.codepage
                                   : (n->s ? n->s->codepage : 1252);

    /* string8 values in UTF-16 make no sense: the Unicode code page is
     * refused where a STAT carries one (MS-OXNSPI 3.1.4.1.x rule 1) */
    if (req->has_state && req->stat.codepage == EXCH_CP_WINUNICODE
        && req->type != EXCH_MH_GET_PROPS
        && req->type != EXCH_MH_GET_SPECIAL_TABLE)
    {
        rsp->error_code = EXCH_NSPI_NOT_SUPPORTED;
        return EXS_OK;
    }

    switch (req->type) {
    case EXCH_MH_COMPARE_MIDS:
        rc = exch_nspi_compare_mids(n, req, rsp);
        break;
    case EXCH_MH_DNTOMID:
        rc = exch_nspi_dntomid(n, req, rsp);
        break;
    case EXCH_MH_GET_MATCHES:
        rc = exch_nspi_get_matches(n, req, rsp);
        break;
    case EXCH_MH_GET_PROP_LIST:
        rc = exch_nspi_get_prop_list(n, req, rsp);
        break;
    case EXCH_MH_GET_PROPS:
        rc = exch_nspi_get_props(n, req, rsp);
        break;
    case EXCH_MH_GET_SPECIAL_TABLE:
        rc = exch_nspi_get_special_table(n, req, rsp);
        break;
    case EXCH_MH_GET_TEMPLATE_INFO:
        rc = exch_nspi_get_template_info(n, req, rsp);
        break;
    case EXCH_MH_QUERY_COLUMNS:
        rc = exch_nspi_query_columns(n, req, rsp);
        break;
    case EXCH_MH_QUERY_ROWS:
        rc = exch_nspi_query_rows(n, req, rsp);
        break;
    case EXCH_MH_RESOLVE_NAMES:
        rc = exch_nspi_resolve_names(n, req, rsp);
        break;
    case EXCH_MH_RESORT_RESTRICTION:
        rc = exch_nspi_resort_restriction(n, req, rsp);
        break;
    case EXCH_MH_SEEK_ENTRIES:
        rc = exch_nspi_seek_entries(n, req, rsp);
        break;
    case EXCH_MH_UPDATE_STAT:
        rc = exch_nspi_update_stat(n, req, rsp);
        break;
    case EXCH_MH_GET_MAILBOX_URL:
    case EXCH_MH_GET_ADDRESS_BOOK_URL:
        rc = exch_nspi_url(n, req, rsp);
        break;

    /* the directory is administered with exchctl, not by clients */
    case EXCH_MH_MOD_PROPS:
    case EXCH_MH_MOD_LINK_ATT:
        rsp->error_code = EXCH_NSPI_NOT_SUPPORTED;
        rc = EXS_OK;
        break;

    default:
        rc = EXS_INVALID;
        break;
    }

    if (n->txn) {
        exs_txn_abort(n->txn);
        n->txn = NULL;
    }

    return rc;
}


static int
exch_nspi_compare_mids(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp)
{
    int              rc;
    uint32_t         p1, p2;
    exch_nspi_gal_t  gal;

    rc = exch_nspi_gal(n, &gal);
    if (rc != EXS_OK) {
        return rc;
    }

    p1 = exch_nspi_pos_of(&gal, req->mid1);
    p2 = exch_nspi_pos_of(&gal, req->mid2);

    if (p1 == gal.n || p2 == gal.n) {
        rsp->error_code = EXCH_NSPI_GENERAL_FAILURE;
        return EXS_OK;
    }

    rsp->result = p1 < p2 ? -1 : p1 > p2 ? 1 : 0;

    return EXS_OK;
}


static int
exch_nspi_dntomid(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp)
{
    int            rc;
    char          *dn;
    uint32_t       i;
    exs_txn_t     *txn;
    exs_dirent_t   d;

    if (!req->has_names) {
        return EXS_OK;
    }

    rc = exch_nspi_txn(n, &txn);
    if (rc != EXS_OK) {
        return rc;
    }

    rsp->has_mids = 1;
    rsp->mids.n = req->names.n;
    rsp->mids.tags = exs_calloc(n->a, (req->names.n + 1) * sizeof(uint32_t));
    if (rsp->mids.tags == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < req->names.n; i++) {
        dn = exs_strndup(n->a, req->names.v[i].data, req->names.v[i].len);
        if (dn == NULL) {
            return EXS_NOMEM;
        }

        rc = exs_dir_by_dn(txn, dn, &d, n->a);

        if (rc == EXS_OK) {
            rsp->mids.tags[i] = d.id;

        } else if (rc != EXS_NOTFOUND) {
            return rc;
        }
    }

    return EXS_OK;
}


/* GetMatches, 3.1.4.1.10: a restriction over the GAL, or the members of
 * a group (a property-based explicit table on PR_EMS_AB_MEMBER) */

static int
exch_nspi_get_matches(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp)
{
    int              rc;
    uint32_t         i, start, count, *mids, *members, nm;
    exs_txn_t       *txn;
    exch_tags_t      cols;
    exs_dirent_t     d;
    exch_nspi_gal_t  gal;

    if (!req->has_state) {
        rsp->error_code = EXCH_NSPI_INVALID_PARAMETER;
        return EXS_OK;
    }

    if (req->has_propname) {
        rsp->error_code = EXCH_NSPI_NOT_SUPPORTED;
        return EXS_OK;
    }

    rc = exch_nspi_gal(n, &gal);
    if (rc != EXS_OK) {
        return rc;
    }

    mids = exs_alloc(n->a, (gal.n + 1) * sizeof(uint32_t));
    if (mids == NULL) {
        return EXS_NOMEM;
    }

    count = 0;
    rsp->stat = req->stat;

    if (req->stat.container_id == PR_EMS_AB_MEMBER) {
        rc = exch_nspi_entry(n, req->stat.cur_rec, &d);

        if (rc == EXS_NOTFOUND) {
            rsp->error_code = EXCH_NSPI_INVALID_BOOKMARK;
            return EXS_OK;
        }

        if (rc != EXS_OK) {
            return rc;
        }

        members = NULL;
        nm = 0;

        if (d.type == EXS_DIR_GROUP) {
            rc = exch_nspi_txn(n, &txn);
            if (rc == EXS_OK) {
                rc = exs_dir_members(txn, d.id, &members, &nm, n->a);
            }

            if (rc != EXS_OK) {
                return rc;
            }
        }

        for (i = 0; i < nm; i++) {
            if (req->has_filter) {
                exs_dirent_t  m;

                rc = exch_nspi_entry(n, members[i], &m);
                if (rc == EXS_NOTFOUND) {
                    continue;
                }

                if (rc == EXS_OK) {
                    rc = exch_nspi_match(n, &m, &req->filter,
                                         req->stat.codepage);
                }

                if (rc < 0) {
                    return rc;
                }

                if (rc == 0) {
                    continue;
                }
            }

            if (count == gal.n) {
                break;
            }

            mids[count++] = members[i];
        }

    } else if (!req->has_filter) {
        /* explicit tables from other properties are not kept */
        rsp->error_code = EXCH_NSPI_NOT_SUPPORTED;
        return EXS_OK;

    } else if (req->stat.container_id != 0) {
        rsp->error_code = EXCH_NSPI_INVALID_BOOKMARK;
        return EXS_OK;

    } else {
        exch_nspi_position(&gal, &req->stat, &start);

        for (i = start; i < gal.n; i++) {
            rc = exch_nspi_entry(n, gal.ids[i], &d);
            if (rc == EXS_NOTFOUND) {
                continue;
            }

            if (rc == EXS_OK) {
                rc = exch_nspi_match(n, &d, &req->filter, req->stat.codepage);
            }

            if (rc < 0) {
                rsp->error_code = rc == EXS_INVALID ? EXCH_NSPI_TOO_COMPLEX
                                                    : EXCH_NSPI_GENERAL_FAILURE;
                return rc == EXS_INVALID ? EXS_OK : rc;
            }

            if (rc) {
                mids[count++] = gal.ids[i];
            }
        }
    }

    if (count > req->row_count) {
        /* more than the client can take (3.1.4.1.10 rule 14) */
        rsp->error_code = EXCH_NSPI_TABLE_TOO_BIG;
        return EXS_OK;
    }

    rsp->has_state = 1;
    rsp->stat.container_id = req->stat.cur_rec;
    rsp->has_mids = 1;
    rsp->mids.n = count;
    rsp->mids.tags = mids;

    if (req->has_columns) {
        if (req->columns.n > EXCH_NSPI_MAX_COLUMNS) {
            rsp->has_state = 0;
            rsp->has_mids = 0;
            rsp->error_code = EXCH_NSPI_TABLE_TOO_BIG;
            return EXS_OK;
        }

        exch_nspi_cols(req, &cols);

        return exch_nspi_reply_rows(n, req, rsp, mids, count, &cols,
                                    (req->flags & EXCH_NSPI_EPHID) != 0);
    }

    return EXS_OK;
}


static int
exch_nspi_get_prop_list(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp)
{
    int            rc, errors;
    uint32_t       i, k, *tags;
    exs_prop_t     v;
    exs_dirent_t   d;
    exs_props_t    props;

    if (req->mid1 == 0) {
        rsp->error_code = EXCH_NSPI_INVALID_OBJECT;
        return EXS_OK;
    }

    rc = exch_nspi_entry(n, req->mid1, &d);
    if (rc == EXS_NOTFOUND) {
        rsp->error_code = EXCH_NSPI_INVALID_OBJECT;
        return EXS_OK;
    }

    if (rc != EXS_OK) {
        return rc;
    }

    tags = exs_alloc(n->a, (sizeof(exch_nspi_entry_tags) / sizeof(uint32_t)
                            + d.props.n + 1) * sizeof(uint32_t));
    if (tags == NULL) {
        return EXS_NOMEM;
    }

    k = 0;

    for (i = 0; i < sizeof(exch_nspi_entry_tags) / sizeof(uint32_t); i++) {
        rc = exch_nspi_value(n, &d, exch_nspi_entry_tags[i], 0, &v);
        if (rc == EXS_NOMEM) {
            return rc;
        }

        if (rc == EXS_OK) {
            tags[k++] = exch_nspi_entry_tags[i];
        }
    }

    for (i = 0; i < d.props.n; i++) {
        tags[k++] = d.props.v[i].tag;
    }

    /* strings in the type of the code page asked for */
    for (i = 0; i < k; i++) {
        if (req->codepage != EXCH_CP_WINUNICODE) {
            if (PROP_TYPE(tags[i]) == PT_UNICODE) {
                tags[i] = PROP_CHANGE_TYPE(tags[i], PT_STRING8);

            } else if (PROP_TYPE(tags[i]) == PT_MV_UNICODE) {
                tags[i] = PROP_CHANGE_TYPE(tags[i], PT_MV_STRING8);
            }
        }
    }

    (void) props;
    (void) errors;

    rsp->has_tags = 1;
    rsp->columns.n = k;
    rsp->columns.tags = tags;

    return EXS_OK;
}


/* GetProps, 3.1.4.1.7 */

static int
exch_nspi_get_props(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp)
{
    int              rc, errors, given;
    uint32_t         i, j, row, mid, ntags, *tags;
    exs_props_t     *props;
    exs_dirent_t     d;
    exch_nspi_gal_t  gal;

    if (!req->has_state) {
        rsp->error_code = EXCH_NSPI_INVALID_PARAMETER;
        return EXS_OK;
    }

    given = req->has_tags;

    if (given && req->tags.n > EXCH_NSPI_MAX_COLUMNS) {
        rsp->error_code = EXCH_NSPI_TABLE_TOO_BIG;
        return EXS_OK;
    }

    if (req->stat.codepage == EXCH_CP_WINUNICODE && given) {
        for (i = 0; i < req->tags.n; i++) {
            if ((PROP_TYPE(req->tags.tags[i]) & ~PT_MV) == PT_STRING8) {
                rsp->error_code = EXCH_NSPI_NOT_SUPPORTED;
                return EXS_OK;
            }
        }
    }

    mid = req->stat.cur_rec;

    if (mid <= 0x10) {
        rc = exch_nspi_gal(n, &gal);
        if (rc != EXS_OK) {
            return rc;
        }

        exch_nspi_position(&gal, &req->stat, &row);
        mid = row < gal.n ? gal.ids[row] : 0;
    }

    rc = mid ? exch_nspi_entry(n, mid, &d) : EXS_NOTFOUND;

    if (given) {
        tags = req->tags.tags;
        ntags = req->tags.n;

    } else {
        ntags = sizeof(exch_nspi_entry_tags) / sizeof(uint32_t);
        tags = exs_alloc(n->a, ntags * sizeof(uint32_t));
        if (tags == NULL) {
            return EXS_NOMEM;
        }

        for (i = 0; i < ntags; i++) {
            tags[i] = exch_nspi_entry_tags[i];

            if (req->stat.codepage != EXCH_CP_WINUNICODE) {
                if (PROP_TYPE(tags[i]) == PT_UNICODE) {
                    tags[i] = PROP_CHANGE_TYPE(tags[i], PT_STRING8);

                } else if (PROP_TYPE(tags[i]) == PT_MV_UNICODE) {
                    tags[i] = PROP_CHANGE_TYPE(tags[i], PT_MV_STRING8);
                }
            }
        }
    }

    props = exs_calloc(n->a, sizeof(exs_props_t));
    if (props == NULL) {
        return EXS_NOMEM;
    }

    if (rc == EXS_NOTFOUND) {
        /* no such object: a row of errors (3.1.4.1.7 rule 11) */
        for (i = 0; i < ntags; i++) {
            exs_prop_t  v;

            memset(&v, 0, sizeof(exs_prop_t));
            v.tag = PROP_CHANGE_TYPE(tags[i], PT_ERROR);
            v.v.l = (int32_t) EXCH_NSPI_NOT_FOUND;

            rc = exs_props_set(n->a, props, &v);
            if (rc != EXS_OK) {
                return rc;
            }
        }

        rsp->error_code = EXCH_NSPI_ERRORS_RETURNED;

    } else if (rc != EXS_OK) {
        return rc;

    } else {
        rc = exch_nspi_props(n, &d, tags, ntags,
                             (req->flags & EXCH_NSPI_EPHID) != 0,
                             req->stat.codepage, props, &errors);
        if (rc != EXS_OK) {
            return rc;
        }

        if (!given) {
            /* without a list, what the entry lacks is left out */
            for (i = 0, j = 0; i < props->n; i++) {
                if (PROP_TYPE(props->v[i].tag) != PT_ERROR) {
                    props->v[j++] = props->v[i];
                }
            }

            props->n = j;

        } else if (errors) {
            rsp->error_code = EXCH_NSPI_ERRORS_RETURNED;
        }
    }

    rsp->codepage = req->stat.codepage;
    rsp->has_rows = 1;
    rsp->nrows = 1;
    rsp->rows = props;

    return EXS_OK;
}


/* GetSpecialTable, 3.1.4.1.3: the hierarchy of address lists, which is
 * the global address list alone */

static int
exch_nspi_get_special_table(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp)
{
    int            rc, unicode;
    exs_bin_t      eid;
    exs_prop_t     p;
    exch_wr_t      w;
    exs_props_t   *row;
    exch_nspi_eid_t  e;

    rsp->codepage = req->has_state ? req->stat.codepage : 1252;

    if (req->flags & EXCH_NSPI_CREATION_TEMPLATES) {
        /* no address creation templates here: an empty table */
        rsp->has_version = 1;
        rsp->version = req->has_version ? req->version : 0;
        rsp->has_rows = 1;
        rsp->nrows = 0;
        return EXS_OK;
    }

    unicode = (req->flags & EXCH_NSPI_UNICODE_STRINGS) != 0;

    if (!unicode && rsp->codepage == EXCH_CP_WINUNICODE) {
        rsp->error_code = EXCH_NSPI_NOT_SUPPORTED;
        return EXS_OK;
    }

    row = exs_calloc(n->a, sizeof(exs_props_t));
    if (row == NULL) {
        return EXS_NOMEM;
    }

    memset(&e, 0, sizeof(exch_nspi_eid_t));
    e.id_type = EXCH_NSPI_PERMANENT;
    memcpy(e.provider, EXCH_GUID_NSPI, 16);
    e.display_type = EXCH_DT_CONTAINER;
    e.dn.data = "/";
    e.dn.len = 1;

    if (exch_wr_init_grow(&w, n->a, 64, 4096) != EXCH_OK
        || exch_write_nspi_eid(&w, &e) != EXCH_OK)
    {
        return EXS_NOMEM;
    }

    eid.data = w.buf;
    eid.len = w.len;

    rc = exs_props_set_bin(n->a, row, PR_ENTRYID, eid.data, eid.len);
    if (rc == EXS_OK) {
        rc = exs_props_set_long(n->a, row, PR_CONTAINER_FLAGS,
                                EXCH_AB_RECIPIENTS | EXCH_AB_UNMODIFIABLE);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_long(n->a, row, PR_DEPTH, 0);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_long(n->a, row, PR_EMS_AB_CONTAINERID, 0);
    }
    if (rc == EXS_OK) {
        memset(&p, 0, sizeof(exs_prop_t));
        p.tag = PR_DISPLAY_NAME;
        p.v.str.data = "Global Address List";
        p.v.str.len = 19;

        if (!unicode) {
            rc = exch_prop_to_string8(n->a, &p, rsp->codepage) == EXCH_OK
                 ? EXS_OK : EXS_INVALID;
        }

        if (rc == EXS_OK) {
            rc = exs_props_set(n->a, row, &p);
        }
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_bool(n->a, row, PR_EMS_AB_IS_MASTER, 0);
    }

    if (rc != EXS_OK) {
        return rc;
    }

    rsp->has_version = 1;
    rsp->version = (req->has_version ? req->version : 0) + 1;
    rsp->has_rows = 1;
    rsp->nrows = 1;
    rsp->rows = row;

    return EXS_OK;
}


/* GetTemplateInfo, 3.1.4.1.18: no display templates are kept, for any
 * locale */

static int
exch_nspi_get_template_info(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp)
{
    rsp->codepage = req->codepage;

    if ((req->flags & EXCH_TI_TEMPLATE) == 0) {
        rsp->error_code = EXCH_NSPI_NOT_SUPPORTED;
        return EXS_OK;
    }

    if (exch_cpid_charset(req->codepage) == NULL) {
        rsp->error_code = EXCH_NSPI_INVALID_CODEPAGE;
        return EXS_OK;
    }

    rsp->error_code = EXCH_NSPI_INVALID_LOCALE;

    return EXS_OK;
}


static int
exch_nspi_query_columns(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp)
{
    uint32_t   i, k, *tags;

    k = sizeof(exch_nspi_columns) / sizeof(uint32_t);
    tags = exs_alloc(n->a, k * sizeof(uint32_t));
    if (tags == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < k; i++) {
        tags[i] = exch_nspi_columns[i];

        if (!(req->flags & EXCH_NSPI_UNICODE_PROPTYPES)) {
            if (PROP_TYPE(tags[i]) == PT_UNICODE) {
                tags[i] = PROP_CHANGE_TYPE(tags[i], PT_STRING8);

            } else if (PROP_TYPE(tags[i]) == PT_MV_UNICODE) {
                tags[i] = PROP_CHANGE_TYPE(tags[i], PT_MV_STRING8);
            }
        }
    }

    rsp->has_tags = 1;
    rsp->columns.n = k;
    rsp->columns.tags = tags;

    return EXS_OK;
}


/* QueryRows, 3.1.4.1.8 */

static int
exch_nspi_query_rows(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp)
{
    int              rc;
    uint32_t         start, count;
    exch_tags_t      cols;
    exch_stat_t     *st;
    exch_nspi_gal_t  gal;

    if (!req->has_state) {
        rsp->error_code = EXCH_NSPI_INVALID_PARAMETER;
        return EXS_OK;
    }

    if (req->row_count == 0 && req->explicit_table.n == 0) {
        rsp->error_code = EXCH_NSPI_INVALID_PARAMETER;
        return EXS_OK;
    }

    if (req->has_columns && req->columns.n > EXCH_NSPI_MAX_COLUMNS) {
        rsp->error_code = EXCH_NSPI_TABLE_TOO_BIG;
        return EXS_OK;
    }

    exch_nspi_cols(req, &cols);

    rsp->has_state = 1;
    rsp->stat = req->stat;
    st = &rsp->stat;

    if (req->explicit_table.n) {
        /* the rows of the ids given, in their order */
        return exch_nspi_reply_rows(n, req, rsp, req->explicit_table.tags,
                                    req->explicit_table.n, &cols,
                                    (req->flags & EXCH_NSPI_EPHID) != 0);
    }

    if (req->stat.container_id != 0) {
        rsp->has_state = 0;
        rsp->error_code = EXCH_NSPI_INVALID_BOOKMARK;
        return EXS_OK;
    }

    rc = exch_nspi_gal(n, &gal);
    if (rc != EXS_OK) {
        return rc;
    }

    exch_nspi_position(&gal, &req->stat, &start);

    if (req->stat.delta >= 0) {
        start = (uint64_t) start + (uint32_t) req->stat.delta > gal.n
                ? gal.n : start + (uint32_t) req->stat.delta;

    } else {
        start = (uint32_t) -(int64_t) req->stat.delta > start
                ? 0 : start - (uint32_t) -(int64_t) req->stat.delta;
    }

    count = gal.n - start;
    if (count > req->row_count) {
        count = req->row_count;
    }

    rc = exch_nspi_reply_rows(n, req, rsp, gal.ids + start, count, &cols,
                              (req->flags & EXCH_NSPI_EPHID) != 0);
    if (rc != EXS_OK) {
        return rc;
    }

    st->cur_rec = start + count >= gal.n ? EXCH_MID_END
                                         : gal.ids[start + count];
    st->delta = 0;
    st->num_pos = start + count;
    st->total_rec = gal.n;

    return EXS_OK;
}


/* ResolveNames, 3.1.4.1.17: exact matches first, then ANR */

static int
exch_nspi_resolve_names(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp)
{
    int              rc, exact;
    uint32_t         i, j, found, hits, *mids, *rmids, nrows;
    exch_tags_t      cols;
    exs_dirent_t     d;
    exch_nspi_gal_t  gal;

    if (!req->has_state) {
        rsp->error_code = EXCH_NSPI_INVALID_PARAMETER;
        return EXS_OK;
    }

    if (req->has_tags && req->tags.n > EXCH_NSPI_MAX_COLUMNS) {
        rsp->error_code = EXCH_NSPI_TABLE_TOO_BIG;
        return EXS_OK;
    }

    if (req->has_tags) {
        cols = req->tags;

    } else {
        cols.n = sizeof(exch_nspi_default_cols) / sizeof(uint32_t);
        cols.tags = (uint32_t *) exch_nspi_default_cols;
    }

    rc = exch_nspi_gal(n, &gal);
    if (rc != EXS_OK) {
        return rc;
    }

    mids = exs_calloc(n->a, (req->names.n + 1) * sizeof(uint32_t));
    rmids = exs_calloc(n->a, (req->names.n + 1) * sizeof(uint32_t));
    if (mids == NULL || rmids == NULL) {
        return EXS_NOMEM;
    }

    nrows = 0;

    for (i = 0; i < req->names.n; i++) {
        mids[i] = EXCH_NSPI_MID_UNRESOLVED;

        for (exact = 1; exact >= 0; exact--) {
            hits = 0;
            found = 0;

            for (j = 0; j < gal.n; j++) {
                rc = exch_nspi_entry(n, gal.ids[j], &d);
                if (rc == EXS_NOTFOUND) {
                    continue;
                }

                if (rc != EXS_OK) {
                    return rc;
                }

                if (exch_nspi_anr(n, &d, req->names.v[i].data, exact)) {
                    hits++;
                    found = d.id;
                }
            }

            if (hits == 1) {
                mids[i] = EXCH_NSPI_MID_RESOLVED;
                rmids[nrows++] = found;
                break;
            }

            if (hits > 1) {
                mids[i] = EXCH_NSPI_MID_AMBIGUOUS;
                break;
            }
        }
    }

    rsp->codepage = req->stat.codepage;
    rsp->has_mids = 1;
    rsp->mids.n = req->names.n;
    rsp->mids.tags = mids;

    return exch_nspi_reply_rows(n, req, rsp, rmids, nrows, &cols, 0);
}


typedef struct {
    uint32_t                  mid;
    const char               *name;
} exch_nspi_sort_t;


static int
exch_nspi_sort_cmp(const void *a, const void *b)
{
    const exch_nspi_sort_t  *x, *y;
    int                      c;

    x = a;
    y = b;
    c = strcasecmp(x->name, y->name);

    return c ? c : (x->mid > y->mid) - (x->mid < y->mid);
}


static int
exch_nspi_resort_restriction(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp)
{
    int                rc, found;
    uint32_t           i, k, *out;
    exs_dirent_t       d;
    exch_nspi_sort_t  *v;

    if (!req->has_state || !req->has_mids) {
        rsp->error_code = EXCH_NSPI_INVALID_PARAMETER;
        return EXS_OK;
    }

    v = exs_alloc(n->a, (req->mids.n + 1) * sizeof(exch_nspi_sort_t));
    out = exs_alloc(n->a, (req->mids.n + 1) * sizeof(uint32_t));
    if (v == NULL || out == NULL) {
        return EXS_NOMEM;
    }

    found = 0;

    for (i = 0, k = 0; i < req->mids.n; i++) {
        rc = exch_nspi_entry(n, req->mids.tags[i], &d);
        if (rc == EXS_NOTFOUND) {
            continue;
        }

        if (rc != EXS_OK) {
            return rc;
        }

        v[k].mid = d.id;
        v[k].name = d.display_name;
        k++;

        if (d.id == req->stat.cur_rec) {
            found = 1;
        }
    }

    qsort(v, k, sizeof(exch_nspi_sort_t), exch_nspi_sort_cmp);

    for (i = 0; i < k; i++) {
        out[i] = v[i].mid;
    }

    rsp->has_state = 1;
    rsp->stat = req->stat;
    rsp->stat.total_rec = k;

    if (!found) {
        rsp->stat.cur_rec = EXCH_MID_BEGINNING;
        rsp->stat.num_pos = 0;

    } else {
        for (i = 0; i < k; i++) {
            if (out[i] == req->stat.cur_rec) {
                rsp->stat.num_pos = i;
            }
        }
    }

    rsp->has_mids = 1;
    rsp->mids.n = k;
    rsp->mids.tags = out;

    return EXS_OK;
}


/* SeekEntries, 3.1.4.1.9: the first entry whose display name is at or
 * after the target */

static int
exch_nspi_seek_entries(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp)
{
    int              rc;
    uint32_t         i, first, pos, count, *mids;
    exs_prop_t       target;
    exch_tags_t      cols;
    exs_dirent_t     d;
    exch_nspi_gal_t  gal;

    if (!req->has_state || !req->has_target) {
        rsp->error_code = EXCH_NSPI_INVALID_PARAMETER;
        return EXS_OK;
    }

    if (req->stat.sort_type != 0
        || PROP_ID(req->target.tag) != PROP_ID(PR_DISPLAY_NAME))
    {
        /* only the display name order is kept */
        rsp->error_code = EXCH_NSPI_GENERAL_FAILURE;
        return EXS_OK;
    }

    if (req->has_columns && req->columns.n > EXCH_NSPI_MAX_COLUMNS) {
        rsp->error_code = EXCH_NSPI_TABLE_TOO_BIG;
        return EXS_OK;
    }

    target = req->target;

    if (PROP_TYPE(target.tag) == PT_STRING8
        && exch_prop_to_unicode(n->a, &target, req->stat.codepage)
           != EXCH_OK)
    {
        rsp->error_code = EXCH_NSPI_INVALID_PARAMETER;
        return EXS_OK;
    }

    if (PROP_TYPE(target.tag) != PT_UNICODE) {
        rsp->error_code = EXCH_NSPI_INVALID_PARAMETER;
        return EXS_OK;
    }

    exch_nspi_cols(req, &cols);
    rsp->stat = req->stat;

    mids = exs_alloc(n->a, ((req->explicit_table.n > 0
                             ? req->explicit_table.n : 1) + 1)
                           * sizeof(uint32_t));
    if (mids == NULL) {
        return EXS_NOMEM;
    }

    count = 0;
    first = 0;
    pos = 0;

    if (req->has_explicit) {
        /* every entry of the table at or after the target */
        for (i = 0; i < req->explicit_table.n; i++) {
            rc = exch_nspi_entry(n, req->explicit_table.tags[i], &d);
            if (rc == EXS_NOTFOUND) {
                continue;
            }

            if (rc != EXS_OK) {
                return rc;
            }

            if (strcasecmp(d.display_name, target.v.str.data) < 0) {
                continue;
            }

            if (count == 0) {
                first = d.id;
                pos = i;
            }

            mids[count++] = d.id;
        }

        if (count == 0) {
            rsp->error_code = EXCH_NSPI_NOT_FOUND;
            return EXS_OK;
        }

        rsp->stat.total_rec = count;

    } else {
        if (req->stat.container_id != 0) {
            rsp->error_code = EXCH_NSPI_INVALID_BOOKMARK;
            return EXS_OK;
        }

        rc = exch_nspi_gal(n, &gal);
        if (rc != EXS_OK) {
            return rc;
        }

        for (i = 0; i < gal.n; i++) {
            rc = exch_nspi_entry(n, gal.ids[i], &d);
            if (rc == EXS_NOTFOUND) {
                continue;
            }

            if (rc != EXS_OK) {
                return rc;
            }

            if (strcasecmp(d.display_name, target.v.str.data) >= 0) {
                break;
            }
        }

        if (i == gal.n) {
            rsp->error_code = EXCH_NSPI_NOT_FOUND;
            return EXS_OK;
        }

        first = gal.ids[i];
        pos = i;
        mids[count++] = first;
        rsp->stat.total_rec = gal.n;
    }

    rsp->has_state = 1;
    rsp->stat.cur_rec = first;
    rsp->stat.num_pos = pos;
    rsp->stat.delta = 0;

    if (req->has_columns) {
        return exch_nspi_reply_rows(n, req, rsp, mids, count, &cols,
                                    (req->flags & EXCH_NSPI_EPHID) != 0);
    }

    return EXS_OK;
}


/* UpdateStat, 3.1.4.1.5 */

static int
exch_nspi_update_stat(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp)
{
    int              rc;
    uint32_t         init, row;
    exch_nspi_gal_t  gal;

    if (!req->has_state) {
        rsp->error_code = EXCH_NSPI_INVALID_PARAMETER;
        return EXS_OK;
    }

    if (req->stat.container_id != 0) {
        rsp->error_code = EXCH_NSPI_INVALID_BOOKMARK;
        return EXS_OK;
    }

    rc = exch_nspi_gal(n, &gal);
    if (rc != EXS_OK) {
        return rc;
    }

    exch_nspi_position(&gal, &req->stat, &init);
    row = init;

    if (req->stat.delta < 0 && (uint32_t) -(int64_t) req->stat.delta >= row) {
        row = 0;

    } else if (req->stat.delta >= 0
               && (uint64_t) row + (uint32_t) req->stat.delta > gal.n)
    {
        row = gal.n;

    } else {
        row = (uint32_t) ((int64_t) row + req->stat.delta);
    }

    rsp->has_state = 1;
    rsp->stat = req->stat;
    rsp->stat.cur_rec = row >= gal.n ? EXCH_MID_END : gal.ids[row];
    rsp->stat.delta = 0;
    rsp->stat.num_pos = row;
    rsp->stat.total_rec = gal.n;

    if (req->delta_requested) {
        rsp->has_delta = 1;
        rsp->delta = (int32_t) ((int64_t) row - init);
    }

    return EXS_OK;
}


/*
 * GetMailboxUrl and GetAddressBookUrl, MS-OXCMAPIHTTP 2.2.5.19 - 2.2.5.20:
 * the mailbox of a server DN (".../cn=Servers/cn=GUID@domain[/cn=...]")
 * and the address book URL of a user's DN.
 */

static int
exch_nspi_url(exch_nspi_t *n, const exch_nspi_req_t *req,
    exch_nspi_rsp_t *rsp)
{
    int            rc;
    char          *url, *dn;
    size_t         len;
    exs_txn_t     *txn;
    exs_dirent_t   d;
    const char    *p, *q, *domain, *kind;
    const uint8_t *g;

    kind = req->type == EXCH_MH_GET_MAILBOX_URL ? "emsmdb" : "nspi";
    dn = exs_strndup(n->a, req->dn.data, req->dn.len);
    if (dn == NULL) {
        return EXS_NOMEM;
    }

    url = exs_alloc(n->a, strlen(n->base_url) + req->dn.len + 128);
    if (url == NULL) {
        return EXS_NOMEM;
    }

    if (req->type == EXCH_MH_GET_MAILBOX_URL) {
        p = strcasestr(dn, "/cn=Servers/cn=");

        if (p) {
            p += sizeof("/cn=Servers/cn=") - 1;
            q = strchr(p, '/');
            len = q ? (size_t) (q - p) : strlen(p);

            sprintf(url, "%s/mapi/%s/?MailboxId=%.*s", n->base_url, kind,
                    (int) len, p);
            rsp->url = url;
            return EXS_OK;
        }
    }

    /* a user's DN, else the caller's mailbox */

    rc = exch_nspi_txn(n, &txn);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = *dn ? exs_dir_by_dn(txn, dn, &d, n->a) : EXS_NOTFOUND;

    if (rc == EXS_NOTFOUND || (rc == EXS_OK && d.type != EXS_DIR_USER)) {
        rc = exs_dir_by_id(txn, n->user->id, &d, n->a);
    }

    if (rc != EXS_OK) {
        return rc;
    }

    domain = strchr(d.address, '@');
    domain = domain ? domain + 1 : d.address;
    g = d.guid;

    url = exs_alloc(n->a, strlen(n->base_url) + strlen(domain) + 128);
    if (url == NULL) {
        return EXS_NOMEM;
    }

    sprintf(url, "%s/mapi/%s/?MailboxId=%02x%02x%02x%02x-%02x%02x-%02x%02x-"
                 "%02x%02x-%02x%02x%02x%02x%02x%02x@%s",
            n->base_url, kind, g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6],
            g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15], domain);

    rsp->url = url;

    return EXS_OK;
}
