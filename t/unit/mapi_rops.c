
/*
 * MS-OXCROPS: every ROP request parses (and every truncation of it is
 * refused), responses in their success, failure and special forms, the
 * server-only ROPs and the ROP buffer framing.
 */


#include <stdlib.h>
#include <exs_mapi.h>
#include <exch_wire.h>
#include <exch_oxcdata.h>
#include <exch_oxcrops.h>
#include <tap.h>
#include "mapi_util.h"


#define ID8     " 01 00 00 00 00 00 00 2a "
#define GUID    " 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff "
#define LTID    GUID " 00 00 00 00 00 2a 00 00 "


static exs_arena_t  *ar;


/* one request of every ROP exch_rop_parse() knows */

static const struct {
    const char               *hex;
    const char               *what;
} requests[] = {
    { "01 00 02", "Release" },
    { "02 00 00 01" ID8 "00", "OpenFolder" },
    { "03 00 01 02 e4 04" ID8 "03" ID8, "OpenMessage" },
    { "04 00 01 02 04", "GetHierarchyTable" },
    { "05 00 01 02 40", "GetContentsTable" },
    { "06 00 01 02 e4 04" ID8 "00", "CreateMessage" },
    { "07 00 02 00 00 01 00 02 00 1f 00 37 00 03 00 08 0e",
      "GetPropertiesSpecific" },
    { "08 00 02 00 00 01 00", "GetPropertiesAll" },
    { "09 00 02", "GetPropertiesList" },
    { "0A 00 00 24 00 02 00 1F 00 3D 00 00 00 1F 00 1D 0E 48 00 65 00 6C"
      " 00 6C 00 6F 00 20 00 57 00 6F 00 72 00 6C 00 64 00 00 00",
      "SetProperties (MS-OXCPRPT 4.x example)" },
    { "0b 00 02 01 00 1f 00 37 00", "DeleteProperties" },
    { "0c 00 01 02 0a", "SaveChangesMessage" },
    { "0d 00 02 00 00 00 00", "RemoveAllRecipients" },
    { "0e 00 02 02 00 1f 00 01 30 03 00 15 0c 01 00 00 00 00 00 01 19 00"
      " 1b 02 61 00 40 00 62 00 00 00 41 00 00 00 02 00 00 41 00 00 00"
      " 01 00 00 00", "ModifyRecipients" },
    { "0f 00 02 00 00 00 00 00 00", "ReadRecipients" },
    { "10 00 02 00 00", "ReloadCachedInformation" },
    { "11 00 01 02 01", "SetMessageReadFlag" },
    { "12 00 02 00 02 00 1f 00 37 00 40 00 06 0e", "SetColumns" },
    { "13 00 02 00 01 00 00 00 00 00 40 00 06 0e 01", "SortTable" },
    { "14 00 02 00 05 00 08 1f 00 37 00", "Restrict" },
    { "15 00 00 00 01 32 00", "QueryRows (MS-OXCTABL 4.5.3.1)" },
    { "16 00 02", "GetStatus" },
    { "17 00 02", "QueryPosition" },
    { "18 00 02 00 05 00 00 00 01", "SeekRow" },
    { "19 00 02 04 00 aa bb cc dd fb ff ff ff 00", "SeekRowBookmark" },
    { "1a 00 02 01 00 00 00 02 00 00 00", "SeekRowFractional" },
    { "1b 00 02", "CreateBookmark" },
    { "1c 00 01 02 01 01 00 00 4e 00 00 00 00 00", "CreateFolder" },
    { "1d 00 01 05" ID8, "DeleteFolder" },
    { "1e 00 01 00 01 02 00" ID8 ID8, "DeleteMessages" },
    { "1f 00 01" ID8, "GetMessageStatus" },
    { "20 00 01" ID8 "00 10 00 00 00 10 00 00", "SetMessageStatus" },
    { "21 00 01 02 00", "GetAttachmentTable" },
    { "22 00 01 02 01 00 00 00 00", "OpenAttachment" },
    { "23 00 01 02", "CreateAttachment" },
    { "24 00 01 03 00 00 00", "DeleteAttachment" },
    { "25 00 02 03 0a", "SaveChangesAttachment" },
    { "26 00 00" ID8 "49 50 4d 00", "SetReceiveFolder" },
    { "27 00 00 49 50 4d 2e 4e 6f 74 65 00", "GetReceiveFolder" },
    { "29 00 00 01 04 00 00" ID8 ID8, "RegisterNotification" },
    { "29 00 00 01 04 00 01", "RegisterNotification (whole store)" },
    { "2b 00 01 02 1f 00 00 10 01", "OpenStream" },
    { "2c 00 02 00 10", "ReadStream" },
    { "2c 00 02 be ba 00 00 01 00", "ReadStream (MaximumByteCount)" },
    { "2d 00 02 03 00 61 62 63", "WriteStream" },
    { "2e 00 02 01 0a 00 00 00 00 00 00 00", "SeekStream" },
    { "2f 00 02 00 10 00 00 00 00 00 00", "SetStreamSize" },
    { "30 00 01 05 00 08 1f 00 37 00 01 00" ID8 "04 00 00 00",
      "SetSearchCriteria" },
    { "31 00 01 01 01 01", "GetSearchCriteria" },
    { "32 00 02 00", "SubmitMessage" },
    { "33 00 01 02 01 00" ID8 "00 01", "MoveCopyMessages" },
    { "34 00 00" ID8 ID8, "AbortSubmit" },
    { "35 00 01 02 00 01" ID8 "4e 00 00 00", "MoveFolder" },
    { "36 00 01 02 00 01 01" ID8 "4e 00 00 00", "CopyFolder" },
    { "37 00 02", "QueryColumnsAll" },
    { "38 00 02", "Abort" },
    { "39 00 01 02 00 00 00 01 00 1f 00 37 00", "CopyTo" },
    { "3a 00 01 02 00 10 00 00 00 00 00 00", "CopyToStream" },
    { "3b 00 01 02", "CloneStream" },
    { "3e 00 01 02 00", "GetPermissionsTable" },
    { "3f 00 01 02 00", "GetRulesTable" },
    { "40 00 01 00 01 00 01 02 00 14 00 71 66" ID8 "03 00 73 66 ff 07 00"
      " 00", "ModifyPermissions" },
    { "41 00 01 00 01 00 01 01 00 03 00 76 66 0a 00 00 00", "ModifyRules" },
    { "42 00 00" ID8, "GetOwningServers" },
    { "43 00 00" ID8, "LongTermIdFromId" },
    { "44 00 00" LTID, "IdFromLongTermId" },
    { "45 00 00" ID8, "PublicFolderIsGhosted" },
    { "46 00 01 02 e4 04 02", "OpenEmbeddedMessage" },
    { "47 00 00", "SetSpooler" },
    { "48 00 00" ID8 "01", "SpoolerLockMessage" },
    { "49 00 00", "GetAddressTypes" },
    { "4a 00 02", "TransportSend" },
    { "4b 00 01 02 01 00" ID8 "00 00", "FastTransferSourceCopyMessages" },
    { "4c 00 01 02 00 00", "FastTransferSourceCopyFolder" },
    { "4d 00 01 02 00 00 00 00 00 01 00 00", "FastTransferSourceCopyTo" },
    { "4e 00 02 00 10", "FastTransferSourceGetBuffer" },
    { "4e 00 02 be ba 00 80", "FastTransferSourceGetBuffer (maximum)" },
    { "4f 00 02 00 05 00 08 1f 00 37 00 00 00 00", "FindRow" },
    { "50 00 02 00", "Progress" },
    { "51 00 00" ID8 ID8 "49 50 4d 00 01 00 00 00", "TransportNewMail" },
    { "52 00 02", "GetValidAttachments" },
    { "53 00 01 02 01 00", "FastTransferDestinationConfigure" },
    { "54 00 02 02 00 aa bb", "FastTransferDestinationPutBuffer" },
    { "55 00 00 02 00 01 80 02 80", "GetNamesFromPropertyIds" },
    { "56 00 00 02 01 00 00" GUID "1c 85 00 00", "GetPropertyIdsFromNames" },
    { "57 00 00 01 00 aa 01 00 bb", "UpdateDeferredActionMessages" },
    { "58 00 01 00 01", "EmptyFolder" },
    { "59 00 02 10 00" ID8, "ExpandRow" },
    { "5a 00 02" ID8, "CollapseRow" },
    { "5b 00 02" ID8 ID8 "01 00 00 00", "LockRegionStream" },
    { "5c 00 02" ID8 ID8 "01 00 00 00", "UnlockRegionStream" },
    { "5d 00 02", "CommitStream" },
    { "5e 00 02", "GetStreamSize" },
    { "5f 00 00 00 01" GUID, "QueryNamedProperties" },
    { "5f 00 00 02 00", "QueryNamedProperties (no GUID)" },
    { "60 00 00" GUID, "GetPerUserLongTermIds" },
    { "61 00 00" LTID, "GetPerUserGuid" },
    { "63 00 00" LTID "00 00 00 00 00 00 10", "ReadPerUserInformation" },
    { "64 00 00" LTID "01 00 00 00 00 02 00 aa bb" GUID,
      "WritePerUserInformation" },
    { "64 00 00" LTID "01 10 00 00 00 02 00 aa bb",
      "WritePerUserInformation (not at 0)" },
    { "66 00 01 00 00 01 00" ID8, "SetReadFlags" },
    { "67 00 01 02 00 00 01 00 1f 00 37 00", "CopyProperties" },
    { "68 00 00", "GetReceiveFolderTable" },
    { "69 00 01 02 00 00 00 00 00", "FastTransferSourceCopyProperties" },
    { "6b 00 02" ID8 "01 00 00 00", "GetCollapseState" },
    { "6c 00 02 02 00 aa bb", "SetCollapseState" },
    { "6d 00 00", "GetTransportFolder" },
    { "6f 00 00 53 4d 54 50 00 01", "OptionsData" },
    { "70 00 01 02 01 00 00 00 00 00 00 00 00 00 00 00",
      "SynchronizationConfigure" },
    { "72 00 01 02 00 00 00", "SynchronizationImportMessageChange" },
    { "73 00 02 00 00 00 00", "SynchronizationImportHierarchyChange" },
    { "74 00 02 00 00 00", "SynchronizationImportDeletes" },
    { "75 00 02 01 00 00 00 00 10 00 00",
      "SynchronizationUploadStateStreamBegin" },
    { "76 00 02 02 00 00 00 aa bb",
      "SynchronizationUploadStateStreamContinue" },
    { "77 00 02", "SynchronizationUploadStateStreamEnd" },
    { "78 00 02 01 00 00 00 aa 01 00 00 00 aa 01 00 00 00 aa 01 00 00 00"
      " aa 01 00 00 00 aa", "SynchronizationImportMessageMove" },
    { "79 00 02 0a 00 01 00 03 00 08 0e 05 00 00 00",
      "SetPropertiesNoReplicate" },
    { "7a 00 02 01 00 03 00 08 0e", "DeletePropertiesNoReplicate" },
    { "7b 00 00", "GetStoreState" },
    { "7e 00 01 02 01", "SynchronizationOpenCollector" },
    { "7f 00 00 10 00 00 00", "GetLocalReplicaIds" },
    { "80 00 02 02 00 aa bb", "SynchronizationImportReadStateChanges" },
    { "81 00 02", "ResetTable" },
    { "82 00 01 02", "SynchronizationGetTransferState" },
    { "86 00 02 01 00 02 00 03 00", "TellVersion" },
    { "89 00 02 02 00 aa bb", "FreeBookmark" },
    { "90 00 02 01 00 61", "WriteAndCommitStream" },
    { "91 00 01 00 00 01 00" ID8, "HardDeleteMessages" },
    { "92 00 01 00 00", "HardDeleteMessagesAndSubfolders" },
    { "93 00 02 02 00 aa bb", "SetLocalReplicaMidsetDeleted" },
    { "9d 00 02 02 00 aa bb", "FastTransferDestinationPutBufferExtended" },
    { "a3 00 02 01 00 61", "WriteStreamExtended" },
    { "fe 00 00 01 00 00 00 00 00 00 00 00 0b 00 2f 6f 3d 65 78 63 68 2f"
      " 75 31 00", "Logon" }
};


static int is_public(void *data, uint8_t logon_id);
static void test_every_request(void);
static void test_request_fields(void);
static void test_bad_requests(void);
static void test_spec_responses(void);
static void test_response_forms(void);
static void test_rows_that_fit(void);
static void test_recipients(void);
static void test_every_response(void);
static void test_server_rops(void);
static void test_ropbuf(void);
static void test_typed_strings(void);


static int
is_public(void *data, uint8_t logon_id)
{
    return logon_id == 5;
}


static void
test_every_request(void)
{
    size_t          i, k, n, bad;
    uint8_t         buf[256];
    exch_rd_t       r;
    exch_rop_req_t  req;
    int             rc, seen[256];

    memset(seen, 0, sizeof(seen));

    for (i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
        n = hex(requests[i].hex, buf, sizeof(buf));
        exch_rd_init(&r, buf, n, ar, 0);
        rc = exch_rop_parse(&r, NULL, &req);

        ok(rc == EXCH_OK && req.rop_id == buf[0] && req.raw_len == n
           && exch_rd_left(&r) == 0,
           "%s parses (%zu bytes, rc %d)", requests[i].what, n, rc);

        seen[buf[0]] = 1;
        bad = 0;

        for (k = 0; k < n; k++) {
            exch_rd_init(&r, buf, k, ar, 0);
            if (exch_rop_parse(&r, NULL, &req) == EXCH_OK) {
                bad++;
            }
        }

        is_int(bad, 0, "no truncation of %s parses", requests[i].what);
    }

    /* the fixtures cover every RopId the parser knows */
    n = 0;

    for (i = 0; i < 256; i++) {
        if ((exch_rop_info((uint8_t) i)->flags & EXCH_ROPF_KNOWN)
            && !seen[i])
        {
            n++;
            printf("# no request fixture for 0x%02zx %s\n", i,
                   exch_rop_info((uint8_t) i)->name);
        }
    }

    is_int(n, 0, "every known RopId has a fixture");
}


static void
test_request_fields(void)
{
    size_t          n;
    uint8_t         buf[256];
    exch_rd_t       r;
    exch_rop_req_t  req;
    exch_rop_ctx_t  ctx;

    n = hex("15 00 00 00 01 32 00", buf, sizeof(buf));
    exch_rd_init(&r, buf, n, ar, 0);
    exch_rop_parse(&r, NULL, &req);
    ok(req.u.query_rows.flags == 0 && req.u.query_rows.forward == 1
       && req.u.query_rows.count == 50 && req.in_index == 0,
       "QueryRows: advance, forward, 50 rows (MS-OXCTABL 4.5.3.1)");

    n = hex(requests[9].hex, buf, sizeof(buf));
    exch_rd_init(&r, buf, n, ar, 0);
    exch_rop_parse(&r, NULL, &req);
    ok(req.u.set_properties.props.n == 2
       && strcmp(req.u.set_properties.props.v[1].v.str.data, "Hello World")
          == 0, "SetProperties: two values, \"Hello World\"");

    n = hex("0c 00 01 02 0a", buf, sizeof(buf));
    exch_rd_init(&r, buf, n, ar, 0);
    exch_rop_parse(&r, NULL, &req);
    ok(req.rsp_index == 1 && req.in_index == 2
       && req.u.save_changes.flags == 0x0a,
       "SaveChangesMessage: ResponseHandleIndex, then InputHandleIndex");

    n = hex("33 00 01 02 01 00" ID8 "00 01", buf, sizeof(buf));
    exch_rd_init(&r, buf, n, ar, 0);
    exch_rop_parse(&r, NULL, &req);
    ok(req.in_index == 1 && req.out_index == 2 && req.rsp_index == 1
       && req.u.move_copy_messages.mids.n == 1
       && req.u.move_copy_messages.mids.ids[0] == 0x2a00000000000001ULL
       && req.u.move_copy_messages.want_copy == 1,
       "MoveCopyMessages: source, destination, ids, WantCopy");

    n = hex("02 00 00 01" ID8 "00", buf, sizeof(buf));
    exch_rd_init(&r, buf, n, ar, 0);
    exch_rop_parse(&r, NULL, &req);
    ok(req.in_index == 0 && req.out_index == 1 && req.rsp_index == 1,
       "OpenFolder: the response echoes OutputHandleIndex");

    n = hex(requests[sizeof(requests) / sizeof(requests[0]) - 1].hex, buf,
            sizeof(buf));
    exch_rd_init(&r, buf, n, ar, 0);
    exch_rop_parse(&r, NULL, &req);
    ok(req.out_index == 0 && req.u.logon.flags == EXCH_LOGON_PRIVATE
       && strcmp(req.u.logon.essdn.data, "/o=exch/u1") == 0,
       "Logon: private, the ESSDN");

    n = hex("0e 00 02 02 00 1f 00 01 30 03 00 15 0c 01 00 00 00 00 00 01 19"
            " 00 1b 02 61 00 40 00 62 00 00 00 41 00 00 00 02 00 00 41 00 00"
            " 00 01 00 00 00", buf, sizeof(buf));
    exch_rd_init(&r, buf, n, ar, 0);
    exch_rop_parse(&r, NULL, &req);
    ok(req.u.modify_recipients.n == 1
       && req.u.modify_recipients.rows[0].has_row
       && req.u.modify_recipients.rows[0].type == 1
       && strcmp(req.u.modify_recipients.rows[0].row.email.data, "a@b") == 0
       && strcmp(req.u.modify_recipients.rows[0].row.display_name.data, "A")
          == 0
       && req.u.modify_recipients.rows[0].row.props.n == 2
       && req.u.modify_recipients.rows[0].row.props.v[1].v.l == 1,
       "ModifyRecipients: SMTP row with e-mail, name and two columns");

    /* layouts that depend on the logon */
    ctx.logon_is_public = is_public;
    ctx.data = NULL;

    n = hex("11 05 01 02 01" GUID "00 00 00 00 00 2a 00 00", buf,
            sizeof(buf));
    exch_rd_init(&r, buf, n, ar, 0);
    is_int(exch_rop_parse(&r, &ctx, &req), EXCH_OK,
           "SetMessageReadFlag on a public logon has ClientData");
    ok(req.u.set_message_read_flag.has_client_data && exch_rd_left(&r) == 0,
       "24 bytes of it");
    exch_rd_init(&r, buf, n, ar, 0);
    exch_rop_parse(&r, NULL, &req);
    is_int(exch_rd_left(&r), 24,
           "on a private logon those 24 bytes are the next ROP's");

    n = hex("64 05 00" LTID "01 00 00 00 00 02 00 aa bb", buf, sizeof(buf));
    exch_rd_init(&r, buf, n, ar, 0);
    ok(exch_rop_parse(&r, &ctx, &req) == EXCH_OK
       && !req.u.write_per_user_information.has_repl_guid,
       "WritePerUserInformation on a public logon has no ReplGuid");

    n = hex("2c 00 02 be ba 00 00 01 00", buf, sizeof(buf));
    exch_rd_init(&r, buf, n, ar, 0);
    exch_rop_parse(&r, NULL, &req);
    ok(req.u.read_stream.byte_count == 0xBABE
       && req.u.read_stream.max_byte_count == 0x10000,
       "ReadStream: 0xBABE brings MaximumByteCount");
}


static void
test_bad_requests(void)
{
    size_t          n;
    uint8_t         buf[256];
    exch_rd_t       r;
    exch_rop_req_t  req;

    n = hex("28 00 00", buf, sizeof(buf));
    exch_rd_init(&r, buf, n, ar, 0);
    is_int(exch_rop_parse(&r, NULL, &req), EXCH_ERR_UNKNOWN,
           "a reserved RopId is EXCH_ERR_UNKNOWN");
    is_int(req.rop_id, 0x28, "and says which");
    n = hex("00 00 00", buf, sizeof(buf));
    exch_rd_init(&r, buf, n, ar, 0);
    is_int(exch_rop_parse(&r, NULL, &req), EXCH_ERR_UNKNOWN, "RopId 0 too");
    n = hex("2a 00 00", buf, sizeof(buf));
    exch_rd_init(&r, buf, n, ar, 0);
    is_int(exch_rop_parse(&r, NULL, &req), EXCH_ERR_FORMAT,
           "RopNotify in a request is malformed");

    n = hex("14 00 02 00 06 00 08 1f 00 37 00 00", buf, sizeof(buf));
    exch_rd_init(&r, buf, n, ar, 0);
    is_int(exch_rop_parse(&r, NULL, &req), EXCH_ERR_FORMAT,
           "a restriction shorter than RestrictionDataSize is malformed");
    n = hex("0a 00 00 25 00 02 00 1F 00 3D 00 00 00 1F 00 1D 0E 48 00 65 00"
            " 6C 00 6C 00 6F 00 20 00 57 00 6F 00 72 00 6C 00 64 00 00 00 00",
            buf, sizeof(buf));
    exch_rd_init(&r, buf, n, ar, 0);
    is_int(exch_rop_parse(&r, NULL, &req), EXCH_ERR_FORMAT,
           "values shorter than PropertyValueSize are malformed");
    n = hex("fe 00 00 01 00 00 00 00 00 00 00 00 02 00 41 42", buf,
            sizeof(buf));
    exch_rd_init(&r, buf, n, ar, 0);
    is_int(exch_rop_parse(&r, NULL, &req), EXCH_ERR_FORMAT,
           "an Essdn without its NUL is malformed");
    n = hex("12 00 02 00 ff ff 1f 00 37 00", buf, sizeof(buf));
    exch_rd_init(&r, buf, n, ar, 0);
    is_int(exch_rop_parse(&r, NULL, &req), EXCH_ERR_TRUNCATED,
           "65535 columns in 4 bytes are refused before allocating");
}


static void
test_spec_responses(void)
{
    size_t          n;
    uint8_t         buf[256], want[64];
    exch_wr_t       w;
    exch_rop_rsp_t  rsp;

    memset(&rsp, 0, sizeof(rsp));
    rsp.rop_id = EXCH_ROP_SORT_TABLE;
    rsp.index = 1;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_rop_write_response(&w, &rsp);
    n = hex("0000: 13 01 00 00 00 00 00", want, sizeof(want));
    is_mem(buf, w.len, want, n,
           "RopSortTable response, TBLSTAT_COMPLETE (MS-OXCTABL 4.3.2)");

    rsp.rop_id = EXCH_ROP_GET_RULES_TABLE;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_rop_write_response(&w, &rsp);
    n = hex("0000: 3f 01 00 00 00 00", want, sizeof(want));
    is_mem(buf, w.len, want, n,
           "RopGetRulesTable response (MS-OXORULE 4.2.2)");

    rsp.rop_id = EXCH_ROP_SET_COLUMNS;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_rop_write_response(&w, &rsp);
    n = hex("0000: 12 01 00 00 00 00 00", want, sizeof(want));
    is_mem(buf, w.len, want, n,
           "RopSetColumns response (MS-OXORULE 4.2.2)");
}


static void
test_response_forms(void)
{
    int              i;
    size_t           n;
    uint8_t          buf[512], want[256];
    uint16_t         ids[2] = { 0x8001, 0 };
    exch_wr_t        w;
    exch_rop_rsp_t   rsp;

    memset(&rsp, 0, sizeof(rsp));
    rsp.rop_id = EXCH_ROP_OPEN_FOLDER;
    rsp.index = 1;
    rsp.rv = EXCH_EC_NOT_FOUND;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_rop_write_response(&w, &rsp);
    n = hex("02 01 0f 01 04 80", want, sizeof(want));
    is_mem(buf, w.len, want, n, "a failure is RopId, index, ReturnValue");

    memset(&rsp, 0, sizeof(rsp));
    rsp.rop_id = EXCH_ROP_GET_MESSAGE_STATUS;
    rsp.index = 1;
    rsp.u.message_status.status = 0x1000;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_rop_write_response(&w, &rsp);
    n = hex("20 01 00 00 00 00 00 10 00 00", want, sizeof(want));
    is_mem(buf, w.len, want, n,
           "RopGetMessageStatus answers with RopId 0x20");

    memset(&rsp, 0, sizeof(rsp));
    rsp.rop_id = EXCH_ROP_LOGON;
    rsp.rv = EXCH_EC_WRONG_SERVER;
    rsp.u.logon.flags = EXCH_LOGON_PRIVATE;
    rsp.u.logon.server_name = "srv1";
    exch_wr_init(&w, buf, sizeof(buf));
    exch_rop_write_response(&w, &rsp);
    n = hex("fe 00 78 04 00 00 01 05 73 72 76 31 00", want, sizeof(want));
    is_mem(buf, w.len, want, n, "RopLogon redirect on ecWrongServer");

    memset(&rsp, 0, sizeof(rsp));
    rsp.rop_id = EXCH_ROP_LOGON;
    rsp.u.logon.is_private = 1;
    rsp.u.logon.flags = EXCH_LOGON_PRIVATE;

    for (i = 0; i < 13; i++) {
        rsp.u.logon.fids[i] = exch_id_make(1, (uint64_t) i + 1);
    }

    rsp.u.logon.replid = 1;
    rsp.u.logon.time.year = 2024;
    rsp.u.logon.time.month = 6;
    rsp.u.logon.store_state = 0;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_rop_write_response(&w, &rsp);
    is_int(w.len, 6 + 1 + 104 + 1 + 16 + 2 + 16 + 8 + 8 + 4,
           "a private logon response is 166 bytes");
    n = hex("01 00 00 00 00 00 00 01", want, sizeof(want));
    is_mem(buf + 7, 8, want, n, "the first special folder id");
    is_int(exch_get16(buf + 6 + 1 + 104 + 1 + 16 + 2 + 16 + 6), 2024,
           "LogonTime's year");

    rsp.u.logon.is_private = 0;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_rop_write_response(&w, &rsp);
    is_int(w.len, 6 + 1 + 104 + 2 + 16 + 16,
           "a public folders logon response is 145 bytes");

    memset(&rsp, 0, sizeof(rsp));
    rsp.rop_id = EXCH_ROP_MOVE_COPY_MESSAGES;
    rsp.index = 1;
    rsp.rv = EXCH_EC_DST_NULL_OBJECT;
    rsp.u.partial.dest_index = 2;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_rop_write_response(&w, &rsp);
    n = hex("33 01 03 05 00 00 02 00 00 00 00", want, sizeof(want));
    is_mem(buf, w.len, want, n,
           "MoveCopyMessages ecDstNullObject: DestHandleIndex, partial");

    rsp.rv = EXCH_EC_ERROR;
    rsp.u.partial.partial = 1;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_rop_write_response(&w, &rsp);
    n = hex("33 01 05 40 00 80 01", want, sizeof(want));
    is_mem(buf, w.len, want, n,
           "MoveCopyMessages other failures still carry PartialCompletion");

    rsp.rop_id = EXCH_ROP_DELETE_MESSAGES;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_rop_write_response(&w, &rsp);
    is_int(w.len, 7, "so do DeleteMessages failures");

    memset(&rsp, 0, sizeof(rsp));
    rsp.rop_id = EXCH_ROP_COPY_TO;
    rsp.index = 1;
    rsp.rv = EXCH_EC_DST_NULL_OBJECT;
    rsp.u.problems.dest_index = 3;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_rop_write_response(&w, &rsp);
    n = hex("39 01 03 05 00 00 03 00 00 00", want, sizeof(want));
    is_mem(buf, w.len, want, n, "CopyTo ecDstNullObject: DestHandleIndex");

    memset(&rsp, 0, sizeof(rsp));
    rsp.rop_id = EXCH_ROP_COPY_TO_STREAM;
    rsp.index = 1;
    rsp.rv = EXCH_EC_DST_NULL_OBJECT;
    rsp.u.copy_to_stream.dest_index = 2;
    rsp.u.copy_to_stream.read = 5;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_rop_write_response(&w, &rsp);
    is_int(w.len, 6 + 4 + 8 + 8,
           "CopyToStream ecDstNullObject: index and both counts");

    memset(&rsp, 0, sizeof(rsp));
    rsp.rop_id = EXCH_ROP_GET_PROPERTY_IDS_FROM_NAMES;
    rsp.rv = EXCH_EC_WARN_WITH_ERRORS;
    rsp.u.get_property_ids_from_names.n = 2;
    rsp.u.get_property_ids_from_names.ids = ids;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_rop_write_response(&w, &rsp);
    n = hex("56 00 80 03 04 00 02 00 01 80 00 00", want, sizeof(want));
    is_mem(buf, w.len, want, n,
           "GetPropertyIdsFromNames with ecWarnWithErrors keeps its ids");

    memset(&rsp, 0, sizeof(rsp));
    rsp.rop_id = EXCH_ROP_FT_SOURCE_GET_BUFFER;
    rsp.index = 2;
    rsp.rv = EXCH_EC_NOT_SUPPORTED;
    exch_wr_init(&w, buf, sizeof(buf));
    is_int(exch_rop_write_response(&w, &rsp), EXCH_OK,
           "FastTransferSourceGetBuffer answered ecNotSupported");
    is_int(w.len, 6 + 9, "with its failure fields, all zero");

    is_int(exch_rop_write_error(&w, EXCH_ROP_SYNC_CONFIGURE, 3,
                                EXCH_EC_NOT_SUPPORTED), EXCH_OK,
           "SynchronizationConfigure answered ecNotSupported");
    is_int(w.len, 6 + 9 + 6, "in the short form");

    is_int(exch_rop_write_error(&w, EXCH_ROP_RELEASE, 0, 0),
           EXCH_ERR_UNKNOWN, "RopRelease has no response");
    is_int(exch_rop_write_error(&w, 0x28, 0, EXCH_EC_NOT_SUPPORTED),
           EXCH_ERR_UNKNOWN, "nor has an unknown RopId");

    /* a response that does not fit leaves the buffer as it was */
    exch_wr_init(&w, buf, 10);
    exch_wr_u32(&w, 0xdeadbeef);
    memset(&rsp, 0, sizeof(rsp));
    rsp.rop_id = EXCH_ROP_LOGON;
    rsp.u.logon.is_private = 1;
    is_int(exch_rop_write_response(&w, &rsp), EXCH_ERR_BUFSIZE,
           "a logon response in 10 bytes: EXCH_ERR_BUFSIZE");
    ok(w.len == 4 && w.err == EXCH_OK,
       "the writer is back where it was, usable");
}


static void
test_rows_that_fit(void)
{
    size_t           i, n;
    uint8_t          buf[256], want[64];
    uint32_t         cols[1];
    exch_wr_t        w;
    exs_prop_t       vals[10];
    exs_props_t      rows[10];
    exch_rop_rsp_t   rsp;

    cols[0] = PROP_TAG(PT_LONG, 0x0E08);

    for (i = 0; i < 10; i++) {
        memset(&vals[i], 0, sizeof(exs_prop_t));
        vals[i].tag = cols[0];
        vals[i].v.l = (int32_t) i;
        rows[i].n = 1;
        rows[i].cap = 1;
        rows[i].v = &vals[i];
    }

    memset(&rsp, 0, sizeof(rsp));
    rsp.rop_id = EXCH_ROP_QUERY_ROWS;
    rsp.index = 1;
    rsp.u.query_rows.origin = 1;
    rsp.u.query_rows.cols.n = 1;
    rsp.u.query_rows.cols.tags = cols;
    rsp.u.query_rows.nrows = 10;
    rsp.u.query_rows.rows = rows;

    exch_wr_init(&w, buf, sizeof(buf));
    exch_rop_write_response(&w, &rsp);
    is_int(rsp.u.query_rows.written, 10, "ten rows fit in 256 bytes");
    n = hex("15 01 00 00 00 00 01 0a 00 00 00 00 00 00 00 01 00 00 00",
            want, sizeof(want));
    is_mem(buf, 19, want, n, "Origin, RowCount, standard rows");

    exch_wr_init(&w, buf, 9 + 5 * 3 + 2);
    is_int(exch_rop_write_response(&w, &rsp), EXCH_OK,
           "QueryRows in a small buffer still succeeds");
    is_int(rsp.u.query_rows.written, 3, "with the three rows that fit");
    is_int(exch_get16(buf + 7), 3, "RowCount says 3");
    is_int(w.len, 9 + 15, "and nothing of the fourth");

    exch_wr_init(&w, buf, 12);
    is_int(exch_rop_write_response(&w, &rsp), EXCH_ERR_BUFSIZE,
           "not even one row: EXCH_ERR_BUFSIZE");
}


static void
test_recipients(void)
{
    size_t            n;
    uint8_t           buf[512], want[128];
    uint32_t          cols[2];
    exch_wr_t         w;
    exch_rd_t         r;
    exs_prop_t        vals[2];
    exch_rsp_rcpt_t   rc[2];
    exch_rcpt_row_t   back;
    exch_rop_rsp_t    rsp;

    cols[0] = PROP_TAG(PT_UNICODE, 0x3001);
    cols[1] = PROP_TAG(PT_LONG, 0x0C15);

    memset(vals, 0, sizeof(vals));
    vals[0].tag = cols[0];
    vals[0].v.str.data = "A";
    vals[0].v.str.len = 1;
    vals[1].tag = cols[1];
    vals[1].v.l = 1;

    memset(rc, 0, sizeof(rc));
    rc[0].row_id = 0;
    rc[0].type = 1;
    rc[0].cpid = 1252;
    rc[0].row.flags = EXCH_RCPT_TYPE_SMTP | EXCH_RCPT_E | EXCH_RCPT_D
                      | EXCH_RCPT_U;
    rc[0].row.email.data = "a@b";
    rc[0].row.email.len = 3;
    rc[0].row.display_name.data = "A";
    rc[0].row.display_name.len = 1;
    rc[0].row.ncols = 2;
    rc[0].row.props.n = 2;
    rc[0].row.props.v = vals;
    rc[1] = rc[0];
    rc[1].row_id = 1;

    memset(&rsp, 0, sizeof(rsp));
    rsp.rop_id = EXCH_ROP_OPEN_MESSAGE;
    rsp.index = 2;
    rsp.u.open_message.subject_prefix.type = 0xFF;
    rsp.u.open_message.normalized_subject.type = 0xFF;
    rsp.u.open_message.normalized_subject.s.data = "Hi";
    rsp.u.open_message.normalized_subject.s.len = 2;
    rsp.u.open_message.recipient_count = 2;
    rsp.u.open_message.cols.n = 2;
    rsp.u.open_message.cols.tags = cols;
    rsp.u.open_message.nrows = 2;
    rsp.u.open_message.rows = rc;

    exch_wr_init(&w, buf, sizeof(buf));
    is_int(exch_rop_write_response(&w, &rsp), EXCH_OK,
           "an OpenMessage response with two recipients");
    n = hex("03 02 00 00 00 00 00 00 03 48 69 00 02 00 02 00 1f 00 01 30 03"
            " 00 15 0c 02 01 e4 04 00 00 19 00 1b 02 61 00 40 00 62 00 00 00"
            " 41 00 00 00 02 00 00 41 00 00 00 01 00 00 00", want,
            sizeof(want));

    is_mem(buf, n, want, n,
           "no prefix, a reduced-Unicode subject, the columns, then an "
           "OpenRecipientRow with its RecipientRowSize");
    is_int(rsp.u.open_message.written, 2, "both rows written");

    exch_rd_init(&r, buf + 32, 25, ar, 0);
    is_int(exch_read_rcpt_row(&r, &rsp.u.open_message.cols, &back), EXCH_OK,
           "the RecipientRow reads back");
    ok(strcmp(back.email.data, "a@b") == 0 && back.props.n == 2,
       "with its e-mail address and columns");

    exch_wr_init(&w, buf, 80);
    exch_rop_write_response(&w, &rsp);
    is_int(rsp.u.open_message.written, 1,
           "in a small buffer only the first row; ReadRecipients gets "
           "the rest");

    memset(&rsp, 0, sizeof(rsp));
    rsp.rop_id = EXCH_ROP_READ_RECIPIENTS;
    rsp.index = 2;
    rsp.u.read_recipients.cols.n = 2;
    rsp.u.read_recipients.cols.tags = cols;
    rsp.u.read_recipients.nrows = 2;
    rsp.u.read_recipients.rows = rc;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_rop_write_response(&w, &rsp);
    n = hex("0f 02 00 00 00 00 02 00 00 00 00 01 e4 04 00 00 19 00", want,
            sizeof(want));
    is_mem(buf, n, want, n,
           "ReadRecipients: RowCount, then RowId before each row");
}


/* every RopId's response writes, with zero values and as a failure */

static void
test_every_response(void)
{
    int                     i, bad_ok, bad_err;
    uint8_t                 buf[1024];
    exch_wr_t               w;
    exch_rop_rsp_t          rsp;
    const exch_rop_info_t  *info;

    bad_ok = 0;
    bad_err = 0;

    for (i = 0; i < 256; i++) {
        info = exch_rop_info((uint8_t) i);

        if (!(info->flags & EXCH_ROPF_KNOWN)
            || (info->flags & EXCH_ROPF_NO_RESPONSE))
        {
            continue;
        }

        memset(&rsp, 0, sizeof(rsp));
        rsp.rop_id = (uint8_t) i;
        exch_wr_init(&w, buf, sizeof(buf));

        if (!(info->flags & EXCH_ROPF_NOTSUP)
            && exch_rop_write_response(&w, &rsp) != EXCH_OK)
        {
            printf("# success response of %s failed\n", info->name);
            bad_ok++;
        }

        exch_wr_init(&w, buf, sizeof(buf));

        if (exch_rop_write_error(&w, (uint8_t) i, 1, EXCH_EC_ERROR)
            != EXCH_OK
            || (!(info->flags & EXCH_ROPF_FULL_ON_ERROR) && w.len != 6))
        {
            printf("# failure response of %s is wrong\n", info->name);
            bad_err++;
        }
    }

    is_int(bad_ok, 0, "every ROP's success response writes");
    is_int(bad_err, 0, "every ROP's failure response writes");
}


static void
test_server_rops(void)
{
    size_t              n;
    uint8_t             buf[256], want[128];
    exch_wr_t           w;
    exch_notif_t        nf;
    exch_backoff_rop_t  bo[1] = { { EXCH_ROP_QUERY_ROWS, 500 } };

    exch_wr_init(&w, buf, sizeof(buf));
    exch_rop_write_buffer_too_small(&w, 0x1000, (const uint8_t *)
                                    "\x15\x00\x00\x00\x01\x32\x00", 7);
    n = hex("ff 00 10 15 00 00 00 01 32 00", want, sizeof(want));
    is_mem(buf, w.len, want, n,
           "RopBufferTooSmall: SizeNeeded, then the unprocessed requests");

    exch_wr_init(&w, buf, sizeof(buf));
    exch_rop_write_pending(&w, 3);
    n = hex("6e 03 00", want, sizeof(want));
    is_mem(buf, w.len, want, n, "RopPending: the session index");

    exch_wr_init(&w, buf, sizeof(buf));
    exch_rop_write_backoff(&w, 0, 1000, bo, 1, NULL, 0);
    n = hex("f9 00 e8 03 00 00 01 15 f4 01 00 00 00 00", want, sizeof(want));
    is_mem(buf, w.len, want, n,
           "RopBackoff: logon, duration, one ROP's backoff, no extra data");

    memset(&nf, 0, sizeof(nf));
    nf.flags = EXCH_NOTIF_NEW_MAIL | EXCH_NOTIF_M;
    nf.has = EXCH_NF_FID | EXCH_NF_MID | EXCH_NF_MESSAGE_FLAGS
             | EXCH_NF_MESSAGE_CLASS;
    nf.fid = exch_id_make(1, 5);
    nf.mid = exch_id_make(1, 6);
    nf.message_flags = 0;
    nf.unicode = 0;
    nf.message_class.data = "IPM.Note";
    nf.message_class.len = 8;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_rop_write_notify(&w, 0x1234, 0, &nf);
    n = hex("2a 34 12 00 00 00 02 80 01 00 00 00 00 00 00 05 01 00 00 00 00"
            " 00 00 06 00 00 00 00 00 49 50 4d 2e 4e 6f 74 65 00", want,
            sizeof(want));
    is_mem(buf, w.len, want, n,
           "RopNotify NewMail: handle, logon, flags, ids, flags, class");

    exch_wr_init(&w, buf, 10);
    is_int(exch_rop_write_notify(&w, 0x1234, 0, &nf), EXCH_ERR_BUFSIZE,
           "a notification that does not fit");
    is_int(w.len, 0, "leaves nothing behind");
}


static void
test_ropbuf(void)
{
    size_t           n, mark;
    uint8_t          buf[128], want[64];
    uint32_t         handles[2] = { 0x11, 0xFFFFFFFF };
    exch_wr_t        w;
    exch_ropbuf_t    rb;
    exch_rop_req_t  *reqs;
    uint32_t         nreqs;

    n = hex("0c 00 15 00 00 00 01 32 00 16 00 00 11 00 00 00 ff ff ff ff",
            buf, sizeof(buf));
    is_int(exch_ropbuf_parse(buf, n, ar, &rb), EXCH_OK,
           "a ROP input buffer");
    is_int(rb.rops_len, 10, "RopSize covers itself and the ROPs");
    ok(rb.nhandles == 2 && rb.handles[0] == 0x11
       && rb.handles[1] == 0xFFFFFFFF, "two server object handles");
    ok(exch_rop_parse_all(rb.rops, rb.rops_len, ar, NULL, &reqs, &nreqs)
       == EXCH_OK && nreqs == 2 && reqs[1].rop_id == EXCH_ROP_GET_STATUS,
       "two ROPs: QueryRows, GetStatus");

    is_int(exch_ropbuf_parse(buf, n - 1, ar, &rb), EXCH_ERR_FORMAT,
           "a handle table that is not whole handles");
    n = hex("40 00", buf, sizeof(buf));
    is_int(exch_ropbuf_parse(buf, n, ar, &rb), EXCH_ERR_FORMAT,
           "a RopSize beyond the buffer");
    n = hex("01 00", buf, sizeof(buf));
    is_int(exch_ropbuf_parse(buf, n, ar, &rb), EXCH_ERR_FORMAT,
           "a RopSize below 2");

    exch_wr_init(&w, buf, sizeof(buf));
    exch_ropbuf_begin(&w, 2, &mark);
    exch_rop_write_error(&w, EXCH_ROP_GET_STATUS, 0, EXCH_EC_ERROR);
    exch_ropbuf_end(&w, mark, handles, 2);
    n = hex("08 00 16 00 05 40 00 80 11 00 00 00 ff ff ff ff", want,
            sizeof(want));
    is_mem(buf, w.len, want, n,
           "an output buffer: RopSize, the response, the handles");

    /* 2 + 6 bytes of ROPs and 8 of handles in 16: one more byte of ROP
     * does not fit, though the buffer has room for it before the table */
    exch_wr_init(&w, buf, 16);
    exch_ropbuf_begin(&w, 2, &mark);
    exch_rop_write_error(&w, EXCH_ROP_GET_STATUS, 0, EXCH_EC_ERROR);
    is_int(exch_wr_u8(&w, 0), EXCH_ERR_BUFSIZE,
           "the ROPs may not use the room of the handle table");
    exch_wr_truncate(&w, 8);
    is_int(exch_ropbuf_end(&w, mark, handles, 2), EXCH_OK,
           "the handle table fits in the room kept for it");
    is_int((int) w.len, 16, "the buffer is full");
}


static void
test_typed_strings(void)
{
    size_t       n;
    uint8_t      buf[64], want[64];
    exch_rd_t    r;
    exch_wr_t    w;
    exch_tstr_t  t;

    t.type = 0xFF;
    t.s.data = "Re: ";
    t.s.len = 4;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_write_tstr(&w, &t);
    n = hex("03 52 65 3a 20 00", want, sizeof(want));
    is_mem(buf, w.len, want, n, "an ASCII TypedString goes reduced");

    t.type = EXCH_TSTR_REDUCED_UNICODE;
    t.s.data = "\xc3\xa9";
    t.s.len = 2;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_write_tstr(&w, &t);
    n = hex("04 e9 00 00 00", want, sizeof(want));
    is_mem(buf, w.len, want, n,
           "a reduced TypedString that is not ASCII goes Unicode");

    t.type = 0xFF;
    t.s.data = NULL;
    t.s.len = 0;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_write_tstr(&w, &t);
    is_int((int) w.len, 1, "no string: the type alone");

    n = hex("03 e9 74 e9 00", buf, sizeof(buf));
    exch_rd_init(&r, buf, n, ar, 0);
    is_int(exch_read_tstr(&r, &t), EXCH_OK, "a reduced Unicode string");
    is_str(t.s.data, "\xc3\xa9t\xc3\xa9",
           "reduced Unicode bytes are Latin-1 code points");

    n = hex("04 41 00 00", buf, sizeof(buf));
    exch_rd_init(&r, buf, n, ar, 0);
    is_int(exch_read_tstr(&r, &t), EXCH_ERR_TRUNCATED,
           "a Unicode string without its NUL");

    n = hex("05 00", buf, sizeof(buf));
    exch_rd_init(&r, buf, n, ar, 0);
    is_int(exch_read_tstr(&r, &t), EXCH_ERR_FORMAT,
           "an unknown string type");
}

int
main(void)
{
    ar = exs_arena_create(0);

    test_every_request();
    test_request_fields();
    test_bad_requests();
    test_spec_responses();
    test_response_forms();
    test_rows_that_fit();
    test_recipients();
    test_every_response();
    test_server_rops();
    test_ropbuf();
    test_typed_strings();

    exs_arena_destroy(ar);

    return done_testing();
}
