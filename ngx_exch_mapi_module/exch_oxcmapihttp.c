
/*
 * exch: MS-OXCMAPIHTTP request and response bodies, tables and meta-tags.
 */


#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "exch_oxcmapihttp.h"


/* the NSPI provider GUID of PermanentEntryIDs, MS-OXNSPI 2.2.9.3 */
const uint8_t  EXCH_GUID_NSPI[16] = {
    0xDC, 0xA7, 0x40, 0xC8, 0xC0, 0x42, 0x10, 0x1A,
    0xB4, 0xB9, 0x08, 0x00, 0x2B, 0x2F, 0xE1, 0x82
};


static const struct {
    const char               *name;
    unsigned                  endpoints;
} exch_mh_types[EXCH_MH_LAST + 1] = {
    { NULL, 0 },
    { "Connect", EXCH_MH_EMSMDB },
    { "Execute", EXCH_MH_EMSMDB },
    { "Disconnect", EXCH_MH_EMSMDB },
    { "NotificationWait", EXCH_MH_EMSMDB },
    { "PING", EXCH_MH_EMSMDB | EXCH_MH_NSPI },
    { "Bind", EXCH_MH_NSPI },
    { "Unbind", EXCH_MH_NSPI },
    { "CompareMIds", EXCH_MH_NSPI },
    { "DNToMId", EXCH_MH_NSPI },
    { "GetMatches", EXCH_MH_NSPI },
    { "GetPropList", EXCH_MH_NSPI },
    { "GetProps", EXCH_MH_NSPI },
    { "GetSpecialTable", EXCH_MH_NSPI },
    { "GetTemplateInfo", EXCH_MH_NSPI },
    { "ModLinkAtt", EXCH_MH_NSPI },
    { "ModProps", EXCH_MH_NSPI },
    { "QueryColumns", EXCH_MH_NSPI },
    { "QueryRows", EXCH_MH_NSPI },
    { "ResolveNames", EXCH_MH_NSPI },
    { "ResortRestriction", EXCH_MH_NSPI },
    { "SeekEntries", EXCH_MH_NSPI },
    { "UpdateStat", EXCH_MH_NSPI },
    { "GetMailboxUrl", EXCH_MH_NSPI },
    { "GetAddressBookUrl", EXCH_MH_NSPI }
};


static const struct {
    const char               *name;
    const char               *text;
} exch_mh_codes[EXCH_MH_RC_LAST + 1] = {
    { "Success", "The request was properly formatted and accepted." },
    { "Unknown Failure", "The request produced an unknown failure." },
    { "Invalid Verb", "The request has an invalid verb." },
    { "Invalid Path", "The request has an invalid path." },
    { "Invalid Header", "The request has an invalid header." },
    { "Invalid Request Type",
      "The request has an invalid X-RequestType header." },
    { "Invalid Context Cookie",
      "The request has an invalid session context cookie." },
    { "Missing Header", "The request has a missing required header." },
    { "Anonymous Not Allowed",
      "The request is anonymous, but anonymous requests are not "
      "accepted." },
    { "Too Large", "The request is too large." },
    { "Context Not Found", "The Session Context is not found." },
    { "No Privilege",
      "The client has no privileges to the Session Context." },
    { "Invalid Request Body", "The request body is invalid." },
    { "Missing Cookie", "The request is missing a required cookie." },
    { "Reserved", "This value MUST be ignored by the client." },
    { "Invalid Sequence",
      "The request has violated the sequencing requirement of one "
      "request at a time per Session Context." },
    { "Endpoint Disabled", "The endpoint is disabled." },
    { "Invalid Response", "The response is invalid." },
    { "Endpoint Shutting Down", "The endpoint is shutting down." }
};


static int exch_mh_end(exch_rd_t *r);
static int exch_mh_read_strings(exch_rd_t *r, int unicode,
    exch_strings_t *s);
static int exch_mh_read_state(exch_rd_t *r, exch_nspi_req_t *req);
static int exch_mh_read_has_tags(exch_rd_t *r, unsigned *has,
    exch_tags_t *tags);
static int exch_mh_read_eids(exch_rd_t *r, exch_nspi_req_t *req);
static int exch_mh_write_colrows(exch_wr_t *w, const exch_nspi_rsp_t *rsp);
static int exch_mh_write_has_tags(exch_wr_t *w, unsigned has,
    const exch_tags_t *tags);
static int exch_mh_write_has_state(exch_wr_t *w, const exch_nspi_rsp_t *rsp);


/* tables */

int
exch_mh_request_type(const char *s, size_t len)
{
    int  i;

    for (i = 1; i <= EXCH_MH_LAST; i++) {
        if (strlen(exch_mh_types[i].name) == len
            && strncasecmp(exch_mh_types[i].name, s, len) == 0)
        {
            return i;
        }
    }

    return 0;
}


const char *
exch_mh_request_name(int type)
{
    if (type < 1 || type > EXCH_MH_LAST) {
        return NULL;
    }

    return exch_mh_types[type].name;
}


unsigned
exch_mh_request_endpoints(int type)
{
    if (type < 1 || type > EXCH_MH_LAST) {
        return 0;
    }

    return exch_mh_types[type].endpoints;
}


const char *
exch_mh_response_code_name(unsigned code)
{
    return code <= EXCH_MH_RC_LAST ? exch_mh_codes[code].name : NULL;
}


const char *
exch_mh_response_code_text(unsigned code)
{
    return code <= EXCH_MH_RC_LAST ? exch_mh_codes[code].text : NULL;
}


/* meta-tags */

size_t
exch_mh_http_date(char *buf, size_t cap, time_t t)
{
    int         n;
    struct tm   tm;

    static const char  *wday[] = {
        "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
    };

    static const char  *mon[] = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun",
        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
    };

    if (gmtime_r(&t, &tm) == NULL) {
        return 0;
    }

    n = snprintf(buf, cap, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                 wday[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon],
                 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);

    if (n < 0 || (size_t) n >= cap) {
        return 0;
    }

    return (size_t) n;
}


size_t
exch_mh_done(char *buf, size_t cap, uint32_t elapsed_ms, time_t start)
{
    int     n;
    char    date[64];

    if (exch_mh_http_date(date, sizeof(date), start) == 0) {
        return 0;
    }

    n = snprintf(buf, cap,
                 "DONE\r\nX-ElapsedTime: %u\r\nX-StartTime: %s\r\n\r\n",
                 (unsigned) elapsed_ms, date);

    if (n < 0 || (size_t) n >= cap) {
        return 0;
    }

    return (size_t) n;
}


/* envelope */

static int
exch_mh_end(exch_rd_t *r)
{
    if (r->err == EXCH_OK && exch_rd_left(r) != 0) {
        return exch_rd_fail(r, EXCH_ERR_TRAILING);
    }

    return r->err;
}


int
exch_mh_write_failure(exch_wr_t *w, uint32_t status, const exs_bin_t *aux)
{
    static const exs_bin_t  none = { 0, NULL };

    exch_wr_u32(w, status);

    return exch_wr_counted(w, 4, aux ? aux : &none);
}


/* mailbox endpoint */

int
exch_mh_parse_connect(const uint8_t *p, size_t len, exs_arena_t *a,
    exch_mh_connect_req_t *req)
{
    exch_rd_t  r;

    memset(req, 0, sizeof(exch_mh_connect_req_t));
    exch_rd_init(&r, p, len, a, EXCH_F_WIDE);

    exch_rd_str8(&r, &req->user_dn);
    exch_rd_u32(&r, &req->flags);
    exch_rd_u32(&r, &req->cpid);
    exch_rd_u32(&r, &req->lcid_sort);
    exch_rd_u32(&r, &req->lcid_string);
    exch_rd_counted(&r, 4, &req->aux);

    return exch_mh_end(&r);
}


int
exch_mh_parse_execute(const uint8_t *p, size_t len, exs_arena_t *a,
    exch_mh_execute_req_t *req)
{
    uint32_t   n;
    exch_rd_t  r;

    memset(req, 0, sizeof(exch_mh_execute_req_t));
    exch_rd_init(&r, p, len, a, EXCH_F_WIDE);

    exch_rd_u32(&r, &req->flags);
    exch_rd_u32(&r, &n);

    if (exch_rd_bytes(&r, n, &req->rop_buffer.data) == EXCH_OK) {
        req->rop_buffer.len = n;
    }

    exch_rd_u32(&r, &req->max_rop_out);
    exch_rd_counted(&r, 4, &req->aux);

    return exch_mh_end(&r);
}


int
exch_mh_parse_disconnect(const uint8_t *p, size_t len, exs_arena_t *a,
    exch_mh_disconnect_req_t *req)
{
    exch_rd_t  r;

    memset(req, 0, sizeof(exch_mh_disconnect_req_t));
    exch_rd_init(&r, p, len, a, EXCH_F_WIDE);

    exch_rd_counted(&r, 4, &req->aux);

    return exch_mh_end(&r);
}


int
exch_mh_parse_notification_wait(const uint8_t *p, size_t len,
    exs_arena_t *a, exch_mh_notification_wait_req_t *req)
{
    exch_rd_t  r;

    memset(req, 0, sizeof(exch_mh_notification_wait_req_t));
    exch_rd_init(&r, p, len, a, EXCH_F_WIDE);

    exch_rd_u32(&r, &req->flags);
    exch_rd_counted(&r, 4, &req->aux);

    return exch_mh_end(&r);
}


int
exch_mh_write_connect(exch_wr_t *w, const exch_mh_connect_rsp_t *rsp)
{
    const char  *dn, *name;

    dn = rsp->dn_prefix ? rsp->dn_prefix : "";
    name = rsp->display_name ? rsp->display_name : "";

    exch_wr_u32(w, 0);
    exch_wr_u32(w, rsp->error_code);
    exch_wr_u32(w, rsp->max_polling_interval);
    exch_wr_u32(w, rsp->retry_count);
    exch_wr_u32(w, rsp->retry_delay);
    exch_wr_str8(w, dn, strlen(dn));
    exch_wr_str16(w, name, strlen(name));

    return exch_wr_counted(w, 4, &rsp->aux);
}


int
exch_mh_write_execute(exch_wr_t *w, const exch_mh_execute_rsp_t *rsp)
{
    exch_wr_u32(w, 0);
    exch_wr_u32(w, rsp->error_code);
    exch_wr_u32(w, rsp->flags);
    exch_wr_counted(w, 4, &rsp->rop_buffer);

    return exch_wr_counted(w, 4, &rsp->aux);
}


int
exch_mh_write_disconnect(exch_wr_t *w, const exch_mh_disconnect_rsp_t *rsp)
{
    exch_wr_u32(w, 0);
    exch_wr_u32(w, rsp->error_code);

    return exch_wr_counted(w, 4, &rsp->aux);
}


int
exch_mh_write_notification_wait(exch_wr_t *w,
    const exch_mh_notification_wait_rsp_t *rsp)
{
    exch_wr_u32(w, 0);
    exch_wr_u32(w, rsp->error_code);
    exch_wr_u32(w, rsp->event_pending);

    return exch_wr_counted(w, 4, &rsp->aux);
}


/* NSPI structures */

int
exch_read_stat(exch_rd_t *r, exch_stat_t *stat)
{
    exch_rd_u32(r, &stat->sort_type);
    exch_rd_u32(r, &stat->container_id);
    exch_rd_u32(r, &stat->cur_rec);
    exch_rd_i32(r, &stat->delta);
    exch_rd_u32(r, &stat->num_pos);
    exch_rd_u32(r, &stat->total_rec);
    exch_rd_u32(r, &stat->codepage);
    exch_rd_u32(r, &stat->template_locale);

    return exch_rd_u32(r, &stat->sort_locale);
}


int
exch_write_stat(exch_wr_t *w, const exch_stat_t *stat)
{
    exch_wr_u32(w, stat->sort_type);
    exch_wr_u32(w, stat->container_id);
    exch_wr_u32(w, stat->cur_rec);
    exch_wr_u32(w, (uint32_t) stat->delta);
    exch_wr_u32(w, stat->num_pos);
    exch_wr_u32(w, stat->total_rec);
    exch_wr_u32(w, stat->codepage);
    exch_wr_u32(w, stat->template_locale);

    return exch_wr_u32(w, stat->sort_locale);
}


int
exch_read_nspi_eid(exch_rd_t *r, exch_nspi_eid_t *eid)
{
    uint32_t  r4;

    memset(eid, 0, sizeof(exch_nspi_eid_t));

    exch_rd_u8(r, &eid->id_type);
    exch_rd_skip(r, 3);                          /* R1, R2, R3 */
    exch_rd_guid(r, eid->provider);
    exch_rd_u32(r, &r4);
    exch_rd_u32(r, &eid->display_type);

    if (r->err != EXCH_OK) {
        return r->err;
    }

    switch (eid->id_type) {
    case EXCH_NSPI_EPHEMERAL:
        return exch_rd_u32(r, &eid->mid);

    case EXCH_NSPI_PERMANENT:
        return exch_rd_str8(r, &eid->dn);
    }

    return exch_rd_fail(r, EXCH_ERR_FORMAT);
}


int
exch_write_nspi_eid(exch_wr_t *w, const exch_nspi_eid_t *eid)
{
    exch_wr_u8(w, eid->id_type);
    exch_wr_zero(w, 3);
    exch_wr_guid(w, eid->provider);
    exch_wr_u32(w, 1);                           /* R4 */
    exch_wr_u32(w, eid->display_type);

    if (eid->id_type == EXCH_NSPI_EPHEMERAL) {
        return exch_wr_u32(w, eid->mid);
    }

    return exch_wr_str8(w, eid->dn.data, eid->dn.len);
}


int
exch_nspi_eid_parse(const uint8_t *p, size_t len, exch_nspi_eid_t *eid)
{
    exch_rd_t  r;

    exch_rd_init(&r, p, len, NULL, 0);

    if (exch_read_nspi_eid(&r, eid) != EXCH_OK) {
        return r.err;
    }

    return exch_mh_end(&r);
}


static int
exch_mh_read_strings(exch_rd_t *r, int unicode, exch_strings_t *s)
{
    uint32_t  i, n;

    s->n = 0;
    s->v = NULL;

    exch_rd_u32(r, &n);

    if (exch_rd_count_ok(r, n, unicode ? 2 : 1) != EXCH_OK) {
        return r->err;
    }

    s->v = exch_rd_alloc(r, n, sizeof(exs_str_t));
    if (s->v == NULL) {
        return r->err;
    }

    for (i = 0; i < n && r->err == EXCH_OK; i++) {
        if (unicode) {
            exch_rd_str16(r, &s->v[i]);

        } else {
            exch_rd_str8(r, &s->v[i]);
        }
    }

    if (r->err == EXCH_OK) {
        s->n = n;
    }

    return r->err;
}


/* a "Has" byte: any value but 0 means present */

static int
exch_mh_read_state(exch_rd_t *r, exch_nspi_req_t *req)
{
    uint8_t  has;

    exch_rd_u8(r, &has);

    if (r->err != EXCH_OK || has == 0) {
        return r->err;
    }

    req->has_state = 1;

    return exch_read_stat(r, &req->stat);
}


static int
exch_mh_read_has_tags(exch_rd_t *r, unsigned *has, exch_tags_t *tags)
{
    uint8_t  b;

    *has = 0;
    exch_rd_u8(r, &b);

    if (r->err != EXCH_OK || b == 0) {
        return r->err;
    }

    *has = 1;

    return exch_read_tags(r, 1, tags);
}


static int
exch_mh_read_eids(exch_rd_t *r, exch_nspi_req_t *req)
{
    uint8_t   has;
    uint32_t  i, n;

    exch_rd_u8(r, &has);

    if (r->err != EXCH_OK || has == 0) {
        return r->err;
    }

    req->has_eids = 1;
    exch_rd_u32(r, &n);

    /* a permanent entry id is at least 29 bytes */
    if (exch_rd_count_ok(r, n, 29) != EXCH_OK) {
        return r->err;
    }

    req->eids = exch_rd_alloc(r, n, sizeof(exch_nspi_eid_t));
    if (req->eids == NULL) {
        return r->err;
    }

    for (i = 0; i < n && r->err == EXCH_OK; i++) {
        exch_read_nspi_eid(r, &req->eids[i]);
    }

    if (r->err == EXCH_OK) {
        req->neids = n;
    }

    return r->err;
}


int
exch_mh_parse_nspi(int type, const uint8_t *p, size_t len, exs_arena_t *a,
    exch_nspi_req_t *req)
{
    uint8_t    has;
    unsigned   flag;
    exch_rd_t  r;

    memset(req, 0, sizeof(exch_nspi_req_t));
    req->type = type;

    /* MAPI/HTTP counts are 32 bits; values take the address book form */
    exch_rd_init(&r, p, len, a, EXCH_F_ABK);

    if (type < EXCH_MH_BIND || type > EXCH_MH_LAST) {
        return EXCH_ERR_UNKNOWN;
    }

    /* every body starts with Flags or Reserved; most carry a STAT next */
    exch_rd_u32(&r, &req->flags);

    switch (type) {
    case EXCH_MH_BIND:
    case EXCH_MH_COMPARE_MIDS:
    case EXCH_MH_GET_MATCHES:
    case EXCH_MH_GET_PROPS:
    case EXCH_MH_GET_SPECIAL_TABLE:
    case EXCH_MH_MOD_PROPS:
    case EXCH_MH_QUERY_ROWS:
    case EXCH_MH_RESOLVE_NAMES:
    case EXCH_MH_RESORT_RESTRICTION:
    case EXCH_MH_SEEK_ENTRIES:
    case EXCH_MH_UPDATE_STAT:
        exch_mh_read_state(&r, req);
        break;
    default:
        break;
    }

    switch (type) {

    case EXCH_MH_BIND:
    case EXCH_MH_UNBIND:
        break;

    case EXCH_MH_QUERY_COLUMNS:
        /* Reserved, then Flags */
        exch_rd_u32(&r, &req->flags);
        break;

    case EXCH_MH_COMPARE_MIDS:
        exch_rd_u32(&r, &req->mid1);
        exch_rd_u32(&r, &req->mid2);
        break;

    case EXCH_MH_DNTOMID:
        exch_rd_u8(&r, &has);

        if (r.err == EXCH_OK && has) {
            req->has_names = 1;
            exch_mh_read_strings(&r, 0, &req->names);
        }

        break;

    case EXCH_MH_GET_MATCHES:
        exch_mh_read_has_tags(&r, &flag, &req->mids);
        req->has_mids = flag;
        exch_rd_u32(&r, &req->interface_flags);
        exch_rd_u8(&r, &has);

        if (r.err == EXCH_OK && has) {
            req->has_filter = 1;
            exch_read_restriction(&r, &req->filter);
        }

        exch_rd_u8(&r, &has);

        if (r.err == EXCH_OK && has) {
            req->has_propname = 1;
            exch_rd_guid(&r, req->propname_guid);
            exch_rd_u32(&r, &req->propname_id);
        }

        exch_rd_u32(&r, &req->row_count);
        exch_mh_read_has_tags(&r, &flag, &req->columns);
        req->has_columns = flag;
        break;

    case EXCH_MH_GET_PROP_LIST:
        exch_rd_u32(&r, &req->mid1);
        exch_rd_u32(&r, &req->codepage);
        break;

    case EXCH_MH_GET_PROPS:
        exch_mh_read_has_tags(&r, &flag, &req->tags);
        req->has_tags = flag;
        break;

    case EXCH_MH_GET_SPECIAL_TABLE:
        exch_rd_u8(&r, &has);

        if (r.err == EXCH_OK && has) {
            req->has_version = 1;
            exch_rd_u32(&r, &req->version);
        }

        break;

    case EXCH_MH_GET_TEMPLATE_INFO:
        exch_rd_u32(&r, &req->display_type);
        exch_rd_u8(&r, &has);

        if (r.err == EXCH_OK && has) {
            req->has_dn = 1;
            exch_rd_str8(&r, &req->dn);
        }

        exch_rd_u32(&r, &req->codepage);
        exch_rd_u32(&r, &req->locale_id);
        break;

    case EXCH_MH_MOD_LINK_ATT:
        exch_rd_u32(&r, &req->tag);
        exch_rd_u32(&r, &req->mid1);
        exch_mh_read_eids(&r, req);
        break;

    case EXCH_MH_MOD_PROPS:
        exch_mh_read_has_tags(&r, &flag, &req->tags);
        req->has_tags = flag;
        exch_rd_u8(&r, &has);

        if (r.err == EXCH_OK && has) {
            req->has_values = 1;
            exch_read_tagged_array(&r, 1, &req->values);
        }

        break;

    case EXCH_MH_QUERY_ROWS:
        exch_read_tags(&r, 1, &req->explicit_table);
        req->has_explicit = 1;
        exch_rd_u32(&r, &req->row_count);
        exch_mh_read_has_tags(&r, &flag, &req->columns);
        req->has_columns = flag;
        break;

    case EXCH_MH_RESOLVE_NAMES:
        exch_mh_read_has_tags(&r, &flag, &req->tags);
        req->has_tags = flag;
        exch_rd_u8(&r, &has);

        if (r.err == EXCH_OK && has) {
            req->has_names = 1;
            exch_mh_read_strings(&r, 1, &req->names);
        }

        break;

    case EXCH_MH_RESORT_RESTRICTION:
        exch_mh_read_has_tags(&r, &flag, &req->mids);
        req->has_mids = flag;
        break;

    case EXCH_MH_SEEK_ENTRIES:
        exch_rd_u8(&r, &has);

        if (r.err == EXCH_OK && has) {
            req->has_target = 1;
            exch_read_tagged(&r, &req->target);
        }

        exch_mh_read_has_tags(&r, &flag, &req->explicit_table);
        req->has_explicit = flag;
        exch_mh_read_has_tags(&r, &flag, &req->columns);
        req->has_columns = flag;
        break;

    case EXCH_MH_UPDATE_STAT:
        exch_rd_u8(&r, &req->delta_requested);
        break;

    case EXCH_MH_GET_MAILBOX_URL:
    case EXCH_MH_GET_ADDRESS_BOOK_URL:
        exch_rd_str16(&r, &req->dn);
        req->has_dn = 1;
        break;

    default:
        return EXCH_ERR_UNKNOWN;
    }

    exch_rd_counted(&r, 4, &req->aux);

    return exch_mh_end(&r);
}


/* NSPI responses */

static int
exch_mh_write_has_tags(exch_wr_t *w, unsigned has, const exch_tags_t *tags)
{
    if (!has) {
        return exch_wr_u8(w, 0);
    }

    exch_wr_u8(w, 0xFF);

    return exch_write_tags(w, 1, tags->tags, tags->n);
}


static int
exch_mh_write_has_state(exch_wr_t *w, const exch_nspi_rsp_t *rsp)
{
    if (!rsp->has_state) {
        return exch_wr_u8(w, 0);
    }

    exch_wr_u8(w, 0xFF);

    return exch_write_stat(w, &rsp->stat);
}


/* HasColumnsAndRows, then Columns, RowCount, AddressBookPropertyRows */

static int
exch_mh_write_colrows(exch_wr_t *w, const exch_nspi_rsp_t *rsp)
{
    uint32_t  i;

    if (!rsp->has_rows) {
        return exch_wr_u8(w, 0);
    }

    exch_wr_u8(w, 0xFF);
    exch_write_tags(w, 1, rsp->columns.tags, rsp->columns.n);
    exch_wr_u32(w, rsp->nrows);

    for (i = 0; i < rsp->nrows && w->err == EXCH_OK; i++) {
        exch_write_row(w, rsp->columns.tags, rsp->columns.n, &rsp->rows[i]);
    }

    return w->err;
}


int
exch_mh_write_nspi(exch_wr_t *w, const exch_nspi_rsp_t *rsp)
{
    int       rc;
    uint32_t  i;
    unsigned  flags;
    size_t    start;

    start = w->len;
    flags = w->flags;
    w->flags = EXCH_F_ABK;

    exch_wr_u32(w, 0);
    exch_wr_u32(w, rsp->error_code);

    switch (rsp->type) {

    case EXCH_MH_BIND:
        exch_wr_guid(w, rsp->server_guid);
        break;

    case EXCH_MH_UNBIND:
    case EXCH_MH_MOD_LINK_ATT:
    case EXCH_MH_MOD_PROPS:
        break;

    case EXCH_MH_COMPARE_MIDS:
        exch_wr_u32(w, (uint32_t) rsp->result);
        break;

    case EXCH_MH_DNTOMID:
        exch_mh_write_has_tags(w, rsp->has_mids, &rsp->mids);
        break;

    case EXCH_MH_GET_MATCHES:
        exch_mh_write_has_state(w, rsp);
        exch_mh_write_has_tags(w, rsp->has_mids, &rsp->mids);
        exch_mh_write_colrows(w, rsp);
        break;

    case EXCH_MH_GET_PROP_LIST:
    case EXCH_MH_QUERY_COLUMNS:
        exch_mh_write_has_tags(w, rsp->has_tags, &rsp->columns);
        break;

    case EXCH_MH_GET_PROPS:
    case EXCH_MH_GET_TEMPLATE_INFO:
        exch_wr_u32(w, rsp->codepage);

        if (!rsp->has_rows || rsp->nrows == 0) {
            exch_wr_u8(w, 0);
            break;
        }

        exch_wr_u8(w, 0xFF);
        exch_write_tagged_array(w, 1, &rsp->rows[0]);
        break;

    case EXCH_MH_GET_SPECIAL_TABLE:
        exch_wr_u32(w, rsp->codepage);

        if (rsp->has_version) {
            exch_wr_u8(w, 0xFF);
            exch_wr_u32(w, rsp->version);

        } else {
            exch_wr_u8(w, 0);
        }

        if (!rsp->has_rows) {
            exch_wr_u8(w, 0);
            break;
        }

        exch_wr_u8(w, 0xFF);
        exch_wr_u32(w, rsp->nrows);

        for (i = 0; i < rsp->nrows && w->err == EXCH_OK; i++) {
            exch_write_tagged_array(w, 1, &rsp->rows[i]);
        }

        break;

    case EXCH_MH_QUERY_ROWS:
    case EXCH_MH_SEEK_ENTRIES:
        exch_mh_write_has_state(w, rsp);
        exch_mh_write_colrows(w, rsp);
        break;

    case EXCH_MH_RESOLVE_NAMES:
        exch_wr_u32(w, rsp->codepage);
        exch_mh_write_has_tags(w, rsp->has_mids, &rsp->mids);
        exch_mh_write_colrows(w, rsp);
        break;

    case EXCH_MH_RESORT_RESTRICTION:
        exch_mh_write_has_state(w, rsp);
        exch_mh_write_has_tags(w, rsp->has_mids, &rsp->mids);
        break;

    case EXCH_MH_UPDATE_STAT:
        exch_mh_write_has_state(w, rsp);

        if (rsp->has_delta) {
            exch_wr_u8(w, 0xFF);
            exch_wr_u32(w, (uint32_t) rsp->delta);

        } else {
            exch_wr_u8(w, 0);
        }

        break;

    case EXCH_MH_GET_MAILBOX_URL:
    case EXCH_MH_GET_ADDRESS_BOOK_URL:
        exch_wr_str16(w, rsp->url ? rsp->url : "",
                      rsp->url ? strlen(rsp->url) : 0);
        break;

    default:
        exch_wr_fail(w, EXCH_ERR_UNKNOWN);
        break;
    }

    exch_wr_counted(w, 4, &rsp->aux);

    w->flags = flags;

    if (w->err != EXCH_OK) {
        rc = w->err;
        w->len = start;
        w->err = EXCH_OK;
        return rc;
    }

    return EXCH_OK;
}
