
/*
 * Unit tests of the EWS codecs that need no store: ids, change keys, entry
 * and store ids, the sync state, times and durations, base64, GUIDs, the
 * response code table, versions, cultures, time zone biases and the HTML
 * filter.
 */


#include <stdlib.h>
#include <string.h>

#include <exch_ews.h>
#include <exch_ews_items.h>
#include <exch_ews_sync.h>

#include "tap.h"


static const uint8_t  guid[16] = {
    0x5f, 0x8a, 0xcf, 0x07, 0x0f, 0x97, 0xe3, 0x49,
    0x90, 0xb7, 0x46, 0x33, 0x9d, 0xa9, 0xba, 0x8e
};


static int64_t
ft(const char *s)
{
    int64_t  v;

    return exch_ews_time_parse(s, &v) == 0 ? v : -1;
}


static void
test_ids(exs_arena_t *a)
{
    char           *s;
    size_t          n;
    uint8_t         eid[80];
    exch_ews_id_t   id, back;

    memset(&id, 0, sizeof(id));
    id.kind = EXCH_EWS_ID_ITEM;
    memcpy(id.guid, guid, 16);
    id.fid = 0x0D;
    id.mid = 0x123456789aULL;

    s = exch_ews_id_encode(&id, a);
    ok(s && strncmp(s, "AAMkA", 5) == 0, "an item id starts as Exchange's");
    ok(exch_ews_id_decode(s, strlen(s), &back, a) == EXS_OK
       && back.kind == EXCH_EWS_ID_ITEM && back.fid == 0x0D
       && back.mid == id.mid && memcmp(back.guid, guid, 16) == 0,
       "an item id decodes to what it was made of");

    id.kind = EXCH_EWS_ID_ATTACH;
    id.natt = 2;
    id.att[0] = 3;
    id.att[1] = 0;
    s = exch_ews_id_encode(&id, a);
    ok(exch_ews_id_decode(s, strlen(s), &back, a) == EXS_OK
       && back.kind == EXCH_EWS_ID_ATTACH && back.natt == 2
       && back.att[0] == 3 && back.att[1] == 0,
       "an embedded attachment's id keeps its path");

    id.kind = EXCH_EWS_ID_FOLDER;
    id.natt = 0;
    s = exch_ews_id_encode(&id, a);
    ok(exch_ews_id_decode(s, strlen(s), &back, a) == EXS_OK
       && back.kind == EXCH_EWS_ID_FOLDER && back.fid == 0x0D,
       "a folder id");

    id.legacy = 1;
    id.smtp = "alice@example.test";
    s = exch_ews_id_encode(&id, a);
    ok(s && exch_ews_id_decode(s, strlen(s), &back, a) == EXS_OK
       && back.legacy && strcmp(back.smtp, "alice@example.test") == 0,
       "an EwsLegacyId names its mailbox");

    ok(exch_ews_id_decode("AAAA", 4, &back, a) == EXS_INVALID,
       "three zero bytes are no id");
    ok(exch_ews_id_decode("!!!!", 4, &back, a) == EXS_INVALID,
       "nor is what is not base64");
    ok(exch_ews_id_decode("", 0, &back, a) == EXS_INVALID, "nor nothing");

    id.kind = EXCH_EWS_ID_ITEM;
    id.legacy = 0;
    ok(exch_ews_entryid_make(&id, eid, &n) == EXS_OK && n == 70
       && eid[20] == 0x07, "a message entry id: 70 bytes, eitLTPrivateMessage");
    ok(exch_ews_entryid_parse(eid, n, &back) == EXS_OK
       && back.mid == id.mid && back.fid == id.fid, "and back");
    eid[21] = 1;
    ok(exch_ews_entryid_parse(eid, n, &back) == EXS_INVALID,
       "a broken entry id is refused");

    id.kind = EXCH_EWS_ID_FOLDER;
    ok(exch_ews_entryid_make(&id, eid, &n) == EXS_OK && n == 46,
       "a folder entry id: 46 bytes");

    id.kind = EXCH_EWS_ID_ITEM;
    ok(exch_ews_storeid_make(&id, eid, &n) == EXS_OK && eid[0] == 70
       && exch_ews_storeid_parse(eid, n, &back) == EXS_OK
       && back.mid == id.mid, "StoreId round trip");

    ok(exch_ews_hex_decode("00ff10", 6, eid, &n) == 0 && n == 3
       && eid[1] == 0xff, "hex");
    ok(exch_ews_hex_decode("0g", 2, eid, &n) != 0, "not hex");
    ok(exch_ews_hex_decode("abc", 3, eid, &n) != 0, "odd hex");
}


static void
test_change_keys(exs_arena_t *a)
{
    char       *s;
    uint8_t     x[22];
    exs_bin_t   xid, back;

    memset(x, 0xab, sizeof(x));
    xid.data = x;
    xid.len = sizeof(x);

    s = exch_ews_ck_encode(EXCH_EWS_CK_MESSAGE, &xid, a);
    ok(s && strncmp(s, "CQAAABYAAA", 10) == 0,
       "a message's change key starts as Exchange's");
    ok(exch_ews_ck_decode(s, strlen(s), &back, a) == EXS_OK
       && back.len == 22 && memcmp(back.data, x, 22) == 0,
       "and gives its XID back");
    ok(exch_ews_ck_decode("AAAA", 4, &back, a) != EXS_OK,
       "a short change key is refused");
}


static void
test_sync_state(exs_arena_t *a)
{
    char                  *s;
    exs_id_t               ids[3] = { 5, 9, 400000 };
    exch_ews_syncstate_t   st, back;

    memset(&st, 0, sizeof(st));
    st.kind = EXCH_SYNC_ITEMS;
    memcpy(st.guid, guid, 16);
    st.fid = 0x0D;
    st.cn = 77;
    st.n = 3;
    st.ids = ids;

    s = exch_ews_syncstate_encode(&st, a);
    ok(s && exch_ews_syncstate_decode(s, strlen(s), &back, a) == EXS_OK
       && back.kind == EXCH_SYNC_ITEMS && back.cn == 77 && back.n == 3
       && back.ids[2] == 400000, "a sync state round trip");
    ok(exch_ews_syncstate_decode("", 0, &back, a) == EXS_OK
       && back.n == 0, "the empty state");
    ok(exch_ews_syncstate_decode("Zm9v", 4, &back, a) == EXS_INVALID,
       "\"foo\" is no state");
}


static void
test_times(void)
{
    char     buf[40];
    int64_t  secs;

    ok(ft("1970-01-01T00:00:00Z") == EXS_FILETIME_UNIX_EPOCH, "the epoch");
    ok(ft("2024-02-29T12:00:00+01:00") == ft("2024-02-29T11:00:00Z"),
       "an offset");
    ok(ft("2024-02-29T12:00:00.5Z") == ft("2024-02-29T12:00:00Z") + 5000000,
       "fractions of a second");
    ok(ft("2024-02-29") == ft("2024-02-29T00:00:00Z"), "a date");
    ok(ft("2024-13-01T00:00:00Z") == -1, "month 13");
    ok(ft("2024-01-01T00:00:00+15:00") == -1, "offset past 14 hours");
    ok(ft("yesterday") == -1, "words");

    exch_ews_time_format(ft("2030-05-06T07:08:09Z"), buf, sizeof(buf));
    is_str(buf, "2030-05-06T07:08:09Z", "formatted back");
    exch_ews_time_format(0, buf, sizeof(buf));
    is_str(buf, "1601-01-01T00:00:00Z", "FILETIME 0");

    ok(exch_ews_duration_parse("PT15M", &secs) == 0 && secs == 900, "PT15M");
    ok(exch_ews_duration_parse("-P1DT1H", &secs) == 0 && secs == -90000,
       "-P1DT1H");
    ok(exch_ews_duration_parse("P", &secs) != 0, "P alone");
    ok(exch_ews_duration_parse("PT1X", &secs) != 0, "PT1X");
}


static void
test_base64_guid(void)
{
    char      enc[16], g[40];
    size_t    n;
    uint8_t   dec[16], gb[16];

    exch_base64_encode((const uint8_t *) "hello", 5, enc);
    is_str(enc, "aGVsbG8=", "base64 out");
    ok(exch_base64_decode("aGVs\r\nbG8=", 10, dec, &n) == 0 && n == 5
       && memcmp(dec, "hello", 5) == 0, "base64 in, with a line break");
    ok(exch_base64_decode("aGV$", 4, dec, &n) != 0, "not base64");
    is_int(exch_base64_encoded_len(5), 8, "encoded length");

    exch_guid_format(guid, g);
    is_str(g, "07cf8a5f-970f-49e3-90b7-46339da9ba8e", "a GUID as text");
    ok(exch_guid_parse("{07CF8A5F-970F-49E3-90B7-46339DA9BA8E}", gb) == 0
       && memcmp(gb, guid, 16) == 0, "and back, braces and capitals");
    ok(exch_guid_parse("07cf8a5f-970f-49e3-90b7", gb) != 0, "too short");
}


static void
test_tables(void)
{
    int          i, good;
    const char  *s;

    good = 1;

    /* the last two are aliases: user configurations answer with the codes
     * of items */

    for (i = 1; i < EXCH_EWS_ERR_USER_CONFIG_EXISTS; i++) {
        s = exch_ews_code_name((exch_ews_code_t) i);

        if (s == NULL || strncmp(s, "Error", 5) != 0
            || exch_ews_code_text((exch_ews_code_t) i) == NULL
            || (i > 1 && strcmp(exch_ews_code_name((exch_ews_code_t) (i - 1)),
                                s) >= 0))
        {
            good = 0;
            printf("# code %d: %s\n", i, s ? s : "(null)");
        }
    }

    ok(good, "every response code has a name and a text, in order");
    is_str(exch_ews_code_name(EXCH_EWS_ERR_USER_CONFIG_EXISTS),
           "ErrorItemSave", "a user configuration that exists");
    is_str(exch_ews_code_name(EXCH_EWS_ERR_USER_CONFIG_NOT_FOUND),
           "ErrorItemNotFound", "one that does not");
    is_int(EXCH_EWS_ERR_USER_CONFIG_NOT_FOUND + 1, EXCH_EWS_ERR_LAST,
           "and nothing after them");
    is_str(exch_ews_code_name(EXCH_EWS_NOERROR), "NoError", "NoError");

    is_int(exch_ews_version_parse("Exchange2007_SP1"), EXCH_EWS_V2007_SP1,
           "Exchange2007_SP1");
    is_int(exch_ews_version_parse("V2017_07_11"), EXCH_EWS_V2017_07_11,
           "V2017_07_11");
    is_int(exch_ews_version_parse("Exchange2019"), -1,
           "Exchange2019 is not a 2016 server's");
    is_str(exch_ews_version_name(EXCH_EWS_V2016), "Exchange2016",
           "the name of 2016");

    is_int(exch_ews_lcid("de-de"), 0x0407, "de-DE");
    is_str(exch_ews_culture(0x0809), "en-GB", "0x0809");
    ok(exch_ews_culture(0x7777) == NULL, "no such culture");
}


static void
test_time_zones(exs_arena_t *a)
{
    int          bias;
    exs_bin_t    def;
    exch_ews_t   ews;

    memset(&ews, 0, sizeof(ews));
    ews.a = a;

    ok(exch_ews_tzdef_make(&ews, "W. Europe Standard Time", &def) == EXS_OK,
       "a TZDEFINITION for Berlin");
    ok(exch_ews_tzdef_bias(def.data, def.len, ft("2030-01-15T12:00:00Z"),
                           &bias) == 0 && bias == -60, "winter: UTC+1");
    ok(exch_ews_tzdef_bias(def.data, def.len, ft("2030-07-15T12:00:00Z"),
                           &bias) == 0 && bias == -120, "summer: UTC+2");
    ok(exch_ews_tzdef_bias(def.data, def.len, ft("2030-03-31T00:59:00Z"),
                           &bias) == 0 && bias == -60,
       "a minute before the last Sunday of March, 2:00 local");
    ok(exch_ews_tzdef_bias(def.data, def.len, ft("2030-03-31T01:00:00Z"),
                           &bias) == 0 && bias == -120, "and at it");

    exch_ews_tzdef_make(&ews, "Pacific Standard Time", &def);
    ok(exch_ews_tzdef_bias(def.data, def.len, ft("2030-01-15T12:00:00Z"),
                           &bias) == 0 && bias == 480, "Pacific winter");
    ok(exch_ews_tzdef_bias(def.data, def.len, ft("2030-07-15T12:00:00Z"),
                           &bias) == 0 && bias == 420, "Pacific summer");

    exch_ews_tzdef_make(&ews, "UTC", &def);
    ok(exch_ews_tzdef_bias(def.data, def.len, ft("2030-07-15T12:00:00Z"),
                           &bias) == 0 && bias == 0, "UTC");
    ok(exch_ews_tzdef_bias(def.data, 10, 0, &bias) != 0,
       "a cut TZDEFINITION");
}


static const char *
filter(const char *html, exs_arena_t *a)
{
    size_t  n;

    return exch_ews_html_filter(html, strlen(html), &n, a);
}


static void
test_html_filter(exs_arena_t *a)
{
    is_str(filter("<p class=\"x\">Hi &amp; bye</p>", a),
           "<p class=\"x\">Hi &amp; bye</p>", "plain HTML is kept");
    is_str(filter("a<script>alert(1)</script>b<SCRIPT src=x></SCRIPT>c", a),
           "abc", "scripts go with their content, any case");
    is_str(filter("<script/>alert(1)</script>x", a), "x",
           "<script/> opens an element too");
    is_str(filter("<img src=\"a.png\" onerror=\"x()\" alt=y>", a),
           "<img src=\"a.png\" alt=y>", "event attributes go");
    is_str(filter("<a href=\" JaVa\tScRiPt:x()\">l</a>", a), "<a>l</a>",
           "script: URLs go, blanks and case or not");
    is_str(filter("<a href=\"&#106;avascript:x()\">l</a>", a), "<a>l</a>",
           "an entity hiding a scheme");
    is_str(filter("<a href=\"data:text/html,x\">l</a><img src=\"data:"
                  "image/png;base64,AA\">", a),
           "<a>l</a><img src=\"data:image/png;base64,AA\">",
           "data: documents go, data: images stay");
    is_str(filter("<p style=\"width: expression(alert(1))\">x</p>", a),
           "<p>x</p>", "CSS expressions");
    is_str(filter("<iframe src=x>in</iframe><object>o</object>"
                  "<embed src=x><form action=y><input name=z></form>ok", a),
           "ok", "frames, objects, embeds and forms");
    is_str(filter("a<!-- <script>x</script> -->b<!--[if IE]>c<![endif]-->d",
                  a), "abd", "comments");
    is_str(filter("<a title=x\"><script>alert(1)</script>", a),
           "<a title=x\">", "a quote inside a bare value opens nothing");
    is_str(filter("<! a=\"> <script>alert(1)</script> \">", a),
           "<! a=\">  \">", "a bogus comment ends at the first >");
    is_str(filter("<b>x</b><i", a), "<b>x</b>", "an unterminated tag goes");
    is_str(filter("1 < 2 <3", a), "1 &lt; 2 &lt;3", "a < of the text stays");
    is_str(filter("<<script>x</script>img src=x onerror=alert(1)>", a),
           "&lt;img src=x onerror=alert(1)>",
           "a dropped tag does not make a new one");
    is_str(filter("<a b=\"1\"onclick=\"x\"c='2'>", a), "<a b=\"1\" c='2'>",
           "attributes without blanks between them");
}


int
main(void)
{
    exs_arena_t  *a;

    a = exs_arena_create(0);

    test_ids(a);
    test_change_keys(a);
    test_sync_state(a);
    test_times();
    test_base64_guid();
    test_tables();
    test_time_zones(a);
    test_html_filter(a);

    exs_arena_destroy(a);

    return done_testing();
}
