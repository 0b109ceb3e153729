
/*
 * MS-OXCMAPIHTTP: request types, response codes, meta-tags, the mailbox
 * endpoint bodies and every address book request type.
 */


#include <stdlib.h>
#include <exs_mapi.h>
#include <exch_wire.h>
#include <exch_oxcdata.h>
#include <exch_oxcmapihttp.h>
#include <tap.h>
#include "mapi_util.h"


#define STAT    " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" \
                " 00 00 00 00 e4 04 00 00 09 04 00 00 09 04 00 00 "
#define NOAUX   " 00 00 00 00"


static exs_arena_t  *ar;


static const struct {
    int                       type;
    const char               *hex;
} nspi[] = {
    { EXCH_MH_BIND, "00 00 00 00 ff" STAT NOAUX },
    { EXCH_MH_UNBIND, "00 00 00 00" NOAUX },
    { EXCH_MH_COMPARE_MIDS, "00 00 00 00 00 10 00 00 00 11 00 00 00" NOAUX },
    { EXCH_MH_DNTOMID, "00 00 00 00 ff 01 00 00 00 2f 6f 3d 78 00" NOAUX },
    { EXCH_MH_GET_MATCHES, "00 00 00 00 ff" STAT "00 00 00 00 00 ff 08 1f 00"
      " 01 30 00 32 00 00 00 ff 02 00 00 00 1f 00 01 30 03 00 fe 0f"
      " 04 00 00 00 aa bb cc dd" },
    { EXCH_MH_GET_PROP_LIST, "00 00 00 00 10 00 00 00 e4 04 00 00" NOAUX },
    { EXCH_MH_GET_PROPS, "00 00 00 00 ff" STAT "ff 01 00 00 00 1f 00 01 30"
      NOAUX },
    { EXCH_MH_GET_SPECIAL_TABLE, "04 00 00 00 ff" STAT "ff 01 00 00 00"
      NOAUX },
    { EXCH_MH_GET_TEMPLATE_INFO, "00 00 00 00 00 00 00 00 ff 64 6e 00 e4 04"
      " 00 00 09 04 00 00" NOAUX },
    { EXCH_MH_MOD_LINK_ATT, "00 00 00 00 0d 00 08 80 10 00 00 00 ff 01 00"
      " 00 00 87 00 00 00 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff"
      " 01 00 00 00 00 00 00 00 11 00 00 00" NOAUX },
    { EXCH_MH_MOD_PROPS, "00 00 00 00 ff" STAT "00 ff 01 00 00 00 1f 00 01"
      " 30 ff 41 00 00 00" NOAUX },
    { EXCH_MH_QUERY_COLUMNS, "00 00 00 00 00 00 00 00" NOAUX },
    { EXCH_MH_QUERY_ROWS, "00 00 00 00 ff" STAT "00 00 00 00 0a 00 00 00 ff"
      " 01 00 00 00 1f 00 01 30" NOAUX },
    { EXCH_MH_RESOLVE_NAMES, "00 00 00 00 ff" STAT "ff 01 00 00 00 1f 00 01"
      " 30 ff 01 00 00 00 75 00 00 00" NOAUX },
    { EXCH_MH_RESORT_RESTRICTION, "00 00 00 00 ff" STAT "ff 02 00 00 00 10"
      " 00 00 00 11 00 00 00" NOAUX },
    { EXCH_MH_SEEK_ENTRIES, "00 00 00 00 ff" STAT "ff 1f 00 01 30 ff 41 00"
      " 00 00 00 ff 01 00 00 00 1f 00 01 30" NOAUX },
    { EXCH_MH_UPDATE_STAT, "00 00 00 00 ff" STAT "01" NOAUX },
    { EXCH_MH_GET_MAILBOX_URL, "00 00 00 00 2f 00 6f 00 00 00" NOAUX },
    { EXCH_MH_GET_ADDRESS_BOOK_URL, "00 00 00 00 2f 00 6f 00 00 00" NOAUX }
};


static void test_tables(void);
static void test_emsmdb(void);
static void test_nspi_requests(void);
static void test_nspi_responses(void);
static void test_entry_ids(void);


static void
test_tables(void)
{
    char    buf[128];
    size_t  n;

    is_int(exch_mh_request_type("execute", 7), EXCH_MH_EXECUTE,
           "X-RequestType is case-insensitive");
    is_int(exch_mh_request_type("NOTIFICATIONWAIT", 16),
           EXCH_MH_NOTIFICATION_WAIT, "NotificationWait");
    is_int(exch_mh_request_type("Ping", 4), EXCH_MH_PING, "PING");
    is_int(exch_mh_request_type("Connectx", 8), 0, "an unknown type is 0");
    is_int(exch_mh_request_type("Connect", 6), 0, "a prefix is unknown");
    is_str(exch_mh_request_name(EXCH_MH_GET_ADDRESS_BOOK_URL),
           "GetAddressBookUrl", "names round-trip");
    is_int(exch_mh_request_endpoints(EXCH_MH_BIND), EXCH_MH_NSPI,
           "Bind is an address book request");
    is_int(exch_mh_request_endpoints(EXCH_MH_PING),
           EXCH_MH_EMSMDB | EXCH_MH_NSPI, "PING is valid on both");
    is_int(exch_mh_request_endpoints(99), 0, "no endpoint for type 99");

    is_str(exch_mh_response_code_name(EXCH_MH_RC_INVALID_REQUEST_TYPE),
           "Invalid Request Type", "X-ResponseCode 5");
    is_str(exch_mh_response_code_name(EXCH_MH_RC_CONTEXT_NOT_FOUND),
           "Context Not Found", "X-ResponseCode 10");
    is_str(exch_mh_response_code_name(EXCH_MH_RC_INVALID_SEQUENCE),
           "Invalid Sequence", "X-ResponseCode 15");
    ok(exch_mh_response_code_text(EXCH_MH_RC_MISSING_HEADER) != NULL,
       "every code has its description");
    ok(exch_mh_response_code_name(19) == NULL, "19 is not a code");

    n = exch_mh_done(buf, sizeof(buf), 12, 0);
    is_str(buf, "DONE\r\nX-ElapsedTime: 12\r\n"
           "X-StartTime: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n",
           "the DONE block with its additional headers");
    is_int(n, strlen(buf), "and its length");
    is_int(exch_mh_done(buf, 20, 12, 0), 0, "0 when it does not fit");
    is_str(EXCH_MH_PROCESSING EXCH_MH_PENDING, "PROCESSING\r\nPENDING\r\n",
           "the keep-alive lines");
}


static void
test_emsmdb(void)
{
    size_t                            n, k, bad;
    uint8_t                           in[256], buf[256], want[128];
    exch_wr_t                         w;
    exs_bin_t                         aux;
    exch_mh_connect_req_t             c;
    exch_mh_execute_req_t             e;
    exch_mh_disconnect_req_t          d;
    exch_mh_notification_wait_req_t   nw;
    exch_mh_connect_rsp_t             crsp;
    exch_mh_execute_rsp_t             ersp;
    exch_mh_notification_wait_rsp_t   nrsp;

    n = hex("2f 6f 3d 65 78 63 68 2f 75 31 00 00 00 00 00 e4 04 00 00 09 04"
            " 00 00 09 04 00 00 04 00 00 00 aa bb cc dd", in, sizeof(in));
    is_int(exch_mh_parse_connect(in, n, ar, &c), EXCH_OK, "a Connect body");
    ok(strcmp(c.user_dn.data, "/o=exch/u1") == 0 && c.cpid == 1252
       && c.lcid_sort == 0x409 && c.aux.len == 4,
       "UserDn, code page, locales, auxiliary buffer");

    bad = 0;

    for (k = 0; k < n; k++) {
        if (exch_mh_parse_connect(in, k, ar, &c) == EXCH_OK) {
            bad++;
        }
    }

    is_int(bad, 0, "no truncated Connect body parses");

    in[n] = 0;
    is_int(exch_mh_parse_connect(in, n + 1, ar, &c), EXCH_ERR_TRAILING,
           "a byte too many is EXCH_ERR_TRAILING");

    n = hex("03 00 00 00 0a 00 00 00 00 00 04 00 02 00 02 00 02 00 00 80 01"
            " 00 00 00 00 00", in, sizeof(in));
    is_int(exch_mh_parse_execute(in, n, ar, &e), EXCH_OK, "an Execute body");
    ok(e.flags == 3 && e.rop_buffer.len == 10 && e.max_rop_out == 0x18000,
       "Flags, RopBuffer, MaxRopOut");
    is_int(exch_mh_parse_execute(in, n - 1, ar, &e), EXCH_ERR_TRUNCATED,
           "a truncated Execute body");
    in[4] = 0xff;
    is_int(exch_mh_parse_execute(in, n, ar, &e), EXCH_ERR_TRUNCATED,
           "a RopBufferSize beyond the body");

    n = hex("00 00 00 00", in, sizeof(in));
    is_int(exch_mh_parse_disconnect(in, n, ar, &d), EXCH_OK,
           "a Disconnect body");
    n = hex("00 00 00 00 00 00 00 00", in, sizeof(in));
    is_int(exch_mh_parse_notification_wait(in, n, ar, &nw), EXCH_OK,
           "a NotificationWait body");

    memset(&crsp, 0, sizeof(crsp));
    crsp.max_polling_interval = 60000;
    crsp.retry_count = 6;
    crsp.retry_delay = 10000;
    crsp.dn_prefix = "/o=exch";
    crsp.display_name = "U";
    exch_wr_init(&w, buf, sizeof(buf));
    exch_mh_write_connect(&w, &crsp);
    n = hex("00 00 00 00 00 00 00 00 60 ea 00 00 06 00 00 00 10 27 00 00"
            " 2f 6f 3d 65 78 63 68 00 55 00 00 00 00 00 00 00", want,
            sizeof(want));
    is_mem(buf, w.len, want, n,
           "Connect success: StatusCode, ErrorCode, polling, retry, "
           "DnPrefix, DisplayName, no aux");

    memset(&ersp, 0, sizeof(ersp));
    ersp.rop_buffer.data = (const uint8_t *) "\x01\x02";
    ersp.rop_buffer.len = 2;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_mh_write_execute(&w, &ersp);
    n = hex("00 00 00 00 00 00 00 00 00 00 00 00 02 00 00 00 01 02 00 00 00"
            " 00", want, sizeof(want));
    is_mem(buf, w.len, want, n, "Execute success: Flags, RopBuffer, aux");

    memset(&nrsp, 0, sizeof(nrsp));
    nrsp.event_pending = 1;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_mh_write_notification_wait(&w, &nrsp);
    n = hex("00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00", want,
            sizeof(want));
    is_mem(buf, w.len, want, n, "NotificationWait success: EventPending");

    aux.data = (const uint8_t *) "\xaa";
    aux.len = 1;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_mh_write_failure(&w, 0x80040111, &aux);
    n = hex("11 01 04 80 01 00 00 00 aa", want, sizeof(want));
    is_mem(buf, w.len, want, n,
           "a failure body: StatusCode, AuxiliaryBufferSize, buffer");
}


static void
test_nspi_requests(void)
{
    int              rc;
    size_t           i, k, n, bad;
    uint8_t          in[512];
    exch_nspi_req_t  req;

    for (i = 0; i < sizeof(nspi) / sizeof(nspi[0]); i++) {
        n = hex(nspi[i].hex, in, sizeof(in));
        rc = exch_mh_parse_nspi(nspi[i].type, in, n, ar, &req);
        is_int(rc, EXCH_OK, "%s request parses",
               exch_mh_request_name(nspi[i].type));

        bad = 0;

        for (k = 0; k < n; k++) {
            if (exch_mh_parse_nspi(nspi[i].type, in, k, ar, &req)
                == EXCH_OK)
            {
                bad++;
            }
        }

        is_int(bad, 0, "no truncated %s request parses",
               exch_mh_request_name(nspi[i].type));
    }

    n = hex(nspi[4].hex, in, sizeof(in));
    exch_mh_parse_nspi(EXCH_MH_GET_MATCHES, in, n, ar, &req);
    ok(req.has_state && req.stat.codepage == 1252 && !req.has_mids
       && req.has_filter && req.filter.type == RES_EXIST
       && req.row_count == 50 && req.has_columns && req.columns.n == 2
       && req.aux.len == 4, "GetMatches: state, filter, row count, columns");

    n = hex(nspi[9].hex, in, sizeof(in));
    exch_mh_parse_nspi(EXCH_MH_MOD_LINK_ATT, in, n, ar, &req);
    ok(req.neids == 1 && req.eids[0].id_type == EXCH_NSPI_EPHEMERAL
       && req.eids[0].mid == 0x11, "ModLinkAtt: an ephemeral entry id");

    n = hex(nspi[10].hex, in, sizeof(in));
    exch_mh_parse_nspi(EXCH_MH_MOD_PROPS, in, n, ar, &req);
    ok(req.has_values && req.values.n == 1
       && strcmp(req.values.v[0].v.str.data, "A") == 0,
       "ModProps: an address book value with HasValue");

    n = hex(nspi[13].hex, in, sizeof(in));
    exch_mh_parse_nspi(EXCH_MH_RESOLVE_NAMES, in, n, ar, &req);
    ok(req.has_names && req.names.n == 1
       && strcmp(req.names.v[0].data, "u") == 0,
       "ResolveNames: a UTF-16 name");

    n = hex(nspi[3].hex, in, sizeof(in));
    exch_mh_parse_nspi(EXCH_MH_DNTOMID, in, n, ar, &req);
    ok(req.names.n == 1 && strcmp(req.names.v[0].data, "/o=x") == 0,
       "DNToMId: an 8-bit DN");

    n = hex(nspi[15].hex, in, sizeof(in));
    exch_mh_parse_nspi(EXCH_MH_SEEK_ENTRIES, in, n, ar, &req);
    ok(req.has_target && req.target.tag == 0x3001001F
       && strcmp(req.target.v.str.data, "A") == 0 && !req.has_explicit
       && req.columns.n == 1, "SeekEntries: the target value");

    is_int(exch_mh_parse_nspi(EXCH_MH_EXECUTE, in, n, ar, &req),
           EXCH_ERR_UNKNOWN, "Execute is not an address book request");
}


static void
test_nspi_responses(void)
{
    size_t           n;
    uint8_t          buf[512], want[128];
    uint32_t         cols[2], mids[2];
    exch_wr_t        w;
    exs_prop_t       vals[2];
    exs_props_t      rows[1];
    exch_nspi_rsp_t  rsp;

    memset(&rsp, 0, sizeof(rsp));
    rsp.type = EXCH_MH_BIND;
    memset(rsp.server_guid, 0x11, 16);
    exch_wr_init(&w, buf, sizeof(buf));
    is_int(exch_mh_write_nspi(&w, &rsp), EXCH_OK, "a Bind response");
    is_int(w.len, 4 + 4 + 16 + 4, "StatusCode, ErrorCode, GUID, aux size");

    cols[0] = PROP_TAG(PT_UNICODE, 0x3001);
    cols[1] = PROP_TAG(PT_LONG, 0x0FFE);
    memset(vals, 0, sizeof(vals));
    vals[0].tag = cols[0];
    vals[0].v.str.data = "A";
    vals[0].v.str.len = 1;
    rows[0].n = 1;
    rows[0].v = vals;

    memset(&rsp, 0, sizeof(rsp));
    rsp.type = EXCH_MH_QUERY_ROWS;
    rsp.has_state = 1;
    rsp.stat.codepage = 1252;
    rsp.has_rows = 1;
    rsp.columns.n = 2;
    rsp.columns.tags = cols;
    rsp.nrows = 1;
    rsp.rows = rows;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_mh_write_nspi(&w, &rsp);
    n = hex("ff 02 00 00 00 1f 00 01 30 03 00 fe 0f 01 00 00 00 01 00 ff 41"
            " 00 00 00 0a 0f 01 04 80 00 00 00 00", want, sizeof(want));
    is_mem(buf + 8 + 1 + 36, w.len - 45, want, n,
           "QueryRows: columns (32-bit count), rows in address book form, "
           "ecNotFound for the missing column");

    memset(&rsp, 0, sizeof(rsp));
    rsp.type = EXCH_MH_RESOLVE_NAMES;
    rsp.codepage = 1252;
    rsp.has_mids = 1;
    mids[0] = EXCH_NSPI_MID_RESOLVED;
    mids[1] = EXCH_NSPI_MID_AMBIGUOUS;
    rsp.mids.n = 2;
    rsp.mids.tags = mids;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_mh_write_nspi(&w, &rsp);
    n = hex("00 00 00 00 00 00 00 00 e4 04 00 00 ff 02 00 00 00 02 00 00 00"
            " 01 00 00 00 00 00 00 00 00", want, sizeof(want));
    is_mem(buf, w.len, want, n,
           "ResolveNames: code page, the minimal ids, no rows");

    memset(&rsp, 0, sizeof(rsp));
    rsp.type = EXCH_MH_GET_PROPS;
    rsp.codepage = 1252;
    rsp.has_rows = 1;
    rsp.nrows = 1;
    rsp.rows = rows;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_mh_write_nspi(&w, &rsp);
    n = hex("00 00 00 00 00 00 00 00 e4 04 00 00 ff 01 00 00 00 1f 00 01 30"
            " ff 41 00 00 00 00 00 00 00", want, sizeof(want));
    is_mem(buf, w.len, want, n,
           "GetProps: an AddressBookPropertyValueList");

    memset(&rsp, 0, sizeof(rsp));
    rsp.type = EXCH_MH_GET_MAILBOX_URL;
    rsp.url = "h";
    exch_wr_init(&w, buf, sizeof(buf));
    exch_mh_write_nspi(&w, &rsp);
    n = hex("00 00 00 00 00 00 00 00 68 00 00 00 00 00 00 00", want,
            sizeof(want));
    is_mem(buf, w.len, want, n, "GetMailboxUrl: a UTF-16 URL");

    for (n = EXCH_MH_BIND; n <= EXCH_MH_GET_ADDRESS_BOOK_URL; n++) {
        memset(&rsp, 0, sizeof(rsp));
        rsp.type = (int) n;
        exch_wr_init(&w, buf, sizeof(buf));

        if (exch_mh_write_nspi(&w, &rsp) != EXCH_OK) {
            break;
        }
    }

    is_int(n, EXCH_MH_GET_ADDRESS_BOOK_URL + 1,
           "every address book response type writes");

    memset(&rsp, 0, sizeof(rsp));
    rsp.type = EXCH_MH_BIND;
    exch_wr_init(&w, buf, 10);
    is_int(exch_mh_write_nspi(&w, &rsp), EXCH_ERR_BUFSIZE,
           "a response that does not fit");
    is_int(w.len, 0, "leaves the buffer empty");
}


static void
test_entry_ids(void)
{
    size_t           n;
    uint8_t          buf[128], in[128];
    exch_wr_t        w;
    exch_nspi_eid_t  eid;

    memset(&eid, 0, sizeof(eid));
    eid.id_type = EXCH_NSPI_EPHEMERAL;
    memset(eid.provider, 0xAB, 16);
    eid.display_type = 0;
    eid.mid = 0x42;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_write_nspi_eid(&w, &eid);
    is_int(w.len, EXCH_EPHEMERAL_EID_SIZE, "an EphemeralEntryID is 32 bytes");
    is_int(exch_get32(buf + 20), 1, "R4 is 1");
    ok(exch_nspi_eid_parse(buf, w.len, &eid) == EXCH_OK && eid.mid == 0x42,
       "and parses back");

    eid.id_type = EXCH_NSPI_PERMANENT;
    memcpy(eid.provider, EXCH_GUID_NSPI, 16);
    eid.dn.data = "/o=x";
    eid.dn.len = 4;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_write_nspi_eid(&w, &eid);
    n = hex("00 00 00 00 dc a7 40 c8 c0 42 10 1a b4 b9 08 00 2b 2f e1 82 01"
            " 00 00 00 00 00 00 00 2f 6f 3d 78 00", in, sizeof(in));
    is_mem(buf, w.len, in, n,
           "a PermanentEntryID: type 0, the NSPI GUID, R4, the DN");
    is_int(exch_nspi_eid_parse(buf, w.len - 1, &eid), EXCH_ERR_TRUNCATED,
           "a DN without its NUL");
    buf[0] = 0x55;
    is_int(exch_nspi_eid_parse(buf, w.len, &eid), EXCH_ERR_FORMAT,
           "an unknown ID Type");
}


int
main(void)
{
    ar = exs_arena_create(0);

    test_tables();
    test_emsmdb();
    test_nspi_requests();
    test_nspi_responses();
    test_entry_ids();

    exs_arena_destroy(ar);

    return done_testing();
}
