
/*
 * The store's messages: every property type round-trips, recipients,
 * attachments and embedded messages, computed properties, save / set /
 * delete properties, read state, soft and hard delete, move and copy,
 * range reads and streaming writes of large values, blob reference
 * counts, named properties.  Every step ends with a clean store check.
 */


#include <tap.h>
#include "store_util.h"


static exs_env_t   *env;
static uint32_t     mbid;
static exs_arena_t *ar;


static exs_mbox_t *
wr(exs_txn_t **txn)
{
    exs_mbox_t  *mb;

    if (exs_txn_begin(env, 0, txn) != EXS_OK
        || exs_mbox_open(*txn, mbid, 0, &mb) != EXS_OK)
    {
        return NULL;
    }

    return mb;
}


static exs_mbox_t *
rd(exs_txn_t **txn)
{
    exs_mbox_t  *mb;

    if (exs_txn_begin(env, EXS_TXN_RDONLY, txn) != EXS_OK
        || exs_mbox_open(*txn, mbid, 0, &mb) != EXS_OK)
    {
        return NULL;
    }

    return mb;
}


static uint64_t
blob_refs(const void *data, size_t len)
{
    /* the number of references the store holds on a value, from check's
     * point of view: count the records naming it via a fresh read of the
     * blob reference database is internal; instead count the messages
     * that carry it (the test knows them) */
    (void) data;
    (void) len;
    return 0;
}


static void
test_types(void)
{
    int           rc;
    int16_t       shorts[] = { -1, 2, 3 };
    int32_t       longs[] = { 7, -8 };
    float         floats[] = { 1.5f, -2.25f };
    double        doubles[] = { 3.125, -4.5 };
    int64_t       i8s[] = { 1LL << 40, -5 };
    exs_str_t     strs[] = { { 3, "one" }, { 0, "" }, { 5, "three" } };
    exs_bin_t     bins[] = { { 2, (const uint8_t *) "\x01\x02" },
                             { 0, (const uint8_t *) "" } };
    exs_bin_t     guids[] = { { 16, PS_MAPI }, { 16, PS_PUBLIC_STRINGS } };
    uint8_t       big[10000];
    exs_id_t      mid;
    exs_msg_t    *m, *r;
    exs_prop_t    p, *q;
    exs_txn_t    *txn;
    exs_mbox_t   *mb;
    size_t        i;

    for (i = 0; i < sizeof(big); i++) {
        big[i] = (uint8_t) (i * 7);
    }

    m = exs_msg_create(ar);

    p.tag = PROP_TAG(PT_SHORT, 0x6001); p.v.i = -12345;
    exs_props_set(ar, &m->props, &p);
    p.tag = PROP_TAG(PT_LONG, 0x6002); p.v.l = -123456789;
    exs_props_set(ar, &m->props, &p);
    p.tag = PROP_TAG(PT_FLOAT, 0x6003); p.v.f = 3.5f;
    exs_props_set(ar, &m->props, &p);
    p.tag = PROP_TAG(PT_DOUBLE, 0x6004); p.v.d = -1.0 / 3;
    exs_props_set(ar, &m->props, &p);
    p.tag = PROP_TAG(PT_CURRENCY, 0x6005); p.v.ll = 123456789012LL;
    exs_props_set(ar, &m->props, &p);
    p.tag = PROP_TAG(PT_APPTIME, 0x6006); p.v.d = 45000.25;
    exs_props_set(ar, &m->props, &p);
    p.tag = PROP_TAG(PT_BOOLEAN, 0x6007); p.v.b = 1;
    exs_props_set(ar, &m->props, &p);
    p.tag = PROP_TAG(PT_I8, 0x6008); p.v.ll = -(1LL << 62);
    exs_props_set(ar, &m->props, &p);
    p.tag = PROP_TAG(PT_SYSTIME, 0x6009); p.v.ll = 133000000000000000LL;
    exs_props_set(ar, &m->props, &p);
    p.tag = PROP_TAG(PT_CLSID, 0x600A); p.v.bin.len = 16;
    p.v.bin.data = PSETID_APPOINTMENT;
    exs_props_set(ar, &m->props, &p);
    exs_props_set_str(ar, &m->props, PROP_TAG(PT_UNICODE, 0x600B),
                      "h\xc3\xa9llo w\xc3\xb6rld", 13);
    exs_props_set_bin(ar, &m->props, PROP_TAG(PT_BINARY, 0x600C),
                      "\0\1\2\3", 4);
    exs_props_set_bin(ar, &m->props, PROP_TAG(PT_SVREID, 0x600D),
                      "\1\2\3\4\5\6\7\10\11\12\13\14\15\16\17\20\21\22\23"
                      "\24\25", 21);
    exs_props_set_bin(ar, &m->props, PROP_TAG(PT_BINARY, 0x600E), big,
                      sizeof(big));
    exs_props_set_str(ar, &m->props, PROP_TAG(PT_STRING8, 0x600F), "ascii",
                      5);
    p.tag = PROP_TAG(PT_ERROR, 0x6010); p.v.l = 0x8004010F;
    exs_props_set(ar, &m->props, &p);

    p.tag = PROP_TAG(PT_MV_SHORT, 0x6020); p.v.mv.n = 3; p.v.mv.v.i = shorts;
    exs_props_set(ar, &m->props, &p);
    p.tag = PROP_TAG(PT_MV_LONG, 0x6021); p.v.mv.n = 2; p.v.mv.v.l = longs;
    exs_props_set(ar, &m->props, &p);
    p.tag = PROP_TAG(PT_MV_FLOAT, 0x6022); p.v.mv.n = 2;
    p.v.mv.v.f = floats;
    exs_props_set(ar, &m->props, &p);
    p.tag = PROP_TAG(PT_MV_DOUBLE, 0x6023); p.v.mv.n = 2;
    p.v.mv.v.d = doubles;
    exs_props_set(ar, &m->props, &p);
    p.tag = PROP_TAG(PT_MV_CURRENCY, 0x6024); p.v.mv.n = 2;
    p.v.mv.v.ll = i8s;
    exs_props_set(ar, &m->props, &p);
    p.tag = PROP_TAG(PT_MV_APPTIME, 0x6025); p.v.mv.n = 2;
    p.v.mv.v.d = doubles;
    exs_props_set(ar, &m->props, &p);
    p.tag = PROP_TAG(PT_MV_I8, 0x6026); p.v.mv.n = 2; p.v.mv.v.ll = i8s;
    exs_props_set(ar, &m->props, &p);
    p.tag = PROP_TAG(PT_MV_SYSTIME, 0x6027); p.v.mv.n = 2;
    p.v.mv.v.ll = i8s;
    exs_props_set(ar, &m->props, &p);
    p.tag = PROP_TAG(PT_MV_UNICODE, 0x6028); p.v.mv.n = 3;
    p.v.mv.v.str = strs;
    exs_props_set(ar, &m->props, &p);
    p.tag = PROP_TAG(PT_MV_BINARY, 0x6029); p.v.mv.n = 2;
    p.v.mv.v.bin = bins;
    exs_props_set(ar, &m->props, &p);
    p.tag = PROP_TAG(PT_MV_CLSID, 0x602A); p.v.mv.n = 2;
    p.v.mv.v.bin = guids;
    exs_props_set(ar, &m->props, &p);
    p.tag = PROP_TAG(PT_MV_LONG, 0x602B); p.v.mv.n = 0; p.v.mv.v.l = longs;
    exs_props_set(ar, &m->props, &p);

    mb = wr(&txn);
    rc = exs_message_create(mb, EXS_FID_INBOX, m, 0, &mid);
    is_int(rc, EXS_OK, "a message with every property type is created");
    is_int(exs_txn_commit(txn), EXS_OK, "and committed");

    mb = rd(&txn);
    rc = exs_message_read(mb, mid, EXS_READ_ALL, &r, ar);
    is_int(rc, EXS_OK, "it reads back");

#define GET(t)  ((q = exs_props_get(&r->props, (t))) != NULL)

    ok(GET(PROP_TAG(PT_SHORT, 0x6001)) && q->v.i == -12345, "PT_SHORT");
    ok(GET(PROP_TAG(PT_LONG, 0x6002)) && q->v.l == -123456789, "PT_LONG");
    ok(GET(PROP_TAG(PT_FLOAT, 0x6003)) && q->v.f == 3.5f, "PT_FLOAT");
    ok(GET(PROP_TAG(PT_DOUBLE, 0x6004)) && q->v.d == -1.0 / 3, "PT_DOUBLE");
    ok(GET(PROP_TAG(PT_CURRENCY, 0x6005)) && q->v.ll == 123456789012LL,
       "PT_CURRENCY");
    ok(GET(PROP_TAG(PT_APPTIME, 0x6006)) && q->v.d == 45000.25,
       "PT_APPTIME");
    ok(GET(PROP_TAG(PT_BOOLEAN, 0x6007)) && q->v.b == 1, "PT_BOOLEAN");
    ok(GET(PROP_TAG(PT_I8, 0x6008)) && q->v.ll == -(1LL << 62), "PT_I8");
    ok(GET(PROP_TAG(PT_SYSTIME, 0x6009))
       && q->v.ll == 133000000000000000LL, "PT_SYSTIME");
    ok(GET(PROP_TAG(PT_CLSID, 0x600A)) && q->v.bin.len == 16
       && memcmp(q->v.bin.data, PSETID_APPOINTMENT, 16) == 0, "PT_CLSID");
    ok(GET(PROP_TAG(PT_UNICODE, 0x600B)) && q->v.str.len == 13
       && strcmp(q->v.str.data, "h\xc3\xa9llo w\xc3\xb6rld") == 0,
       "PT_UNICODE (UTF-8, NUL-terminated)");
    ok(GET(PROP_TAG(PT_BINARY, 0x600C)) && q->v.bin.len == 4
       && memcmp(q->v.bin.data, "\0\1\2\3", 4) == 0, "PT_BINARY");
    ok(GET(PROP_TAG(PT_SVREID, 0x600D)) && q->v.bin.len == 21, "PT_SVREID");
    ok(GET(PROP_TAG(PT_BINARY, 0x600E)) && q->v.bin.len == sizeof(big)
       && memcmp(q->v.bin.data, big, sizeof(big)) == 0,
       "a 10000-byte PT_BINARY out of line comes back whole");
    ok(GET(PROP_TAG(PT_UNICODE, 0x600F))
       && strcmp(q->v.str.data, "ascii") == 0,
       "PT_STRING8 is kept as PT_UNICODE");
    ok(!GET(PROP_TAG(PT_UNSPECIFIED, 0x6010)),
       "PT_ERROR values are not stored");
    ok(GET(PROP_TAG(PT_MV_SHORT, 0x6020)) && q->v.mv.n == 3
       && q->v.mv.v.i[0] == -1 && q->v.mv.v.i[2] == 3, "PT_MV_SHORT");
    ok(GET(PROP_TAG(PT_MV_LONG, 0x6021)) && q->v.mv.n == 2
       && q->v.mv.v.l[1] == -8, "PT_MV_LONG");
    ok(GET(PROP_TAG(PT_MV_FLOAT, 0x6022)) && q->v.mv.v.f[1] == -2.25f,
       "PT_MV_FLOAT");
    ok(GET(PROP_TAG(PT_MV_DOUBLE, 0x6023)) && q->v.mv.v.d[0] == 3.125,
       "PT_MV_DOUBLE");
    ok(GET(PROP_TAG(PT_MV_CURRENCY, 0x6024))
       && q->v.mv.v.ll[0] == 1LL << 40, "PT_MV_CURRENCY");
    ok(GET(PROP_TAG(PT_MV_APPTIME, 0x6025)) && q->v.mv.v.d[1] == -4.5,
       "PT_MV_APPTIME");
    ok(GET(PROP_TAG(PT_MV_I8, 0x6026)) && q->v.mv.v.ll[1] == -5,
       "PT_MV_I8");
    ok(GET(PROP_TAG(PT_MV_SYSTIME, 0x6027)) && q->v.mv.n == 2,
       "PT_MV_SYSTIME");
    ok(GET(PROP_TAG(PT_MV_UNICODE, 0x6028)) && q->v.mv.n == 3
       && strcmp(q->v.mv.v.str[2].data, "three") == 0
       && q->v.mv.v.str[1].len == 0, "PT_MV_UNICODE");
    ok(GET(PROP_TAG(PT_MV_BINARY, 0x6029)) && q->v.mv.n == 2
       && q->v.mv.v.bin[0].len == 2 && q->v.mv.v.bin[1].len == 0,
       "PT_MV_BINARY");
    ok(GET(PROP_TAG(PT_MV_CLSID, 0x602A)) && q->v.mv.n == 2
       && memcmp(q->v.mv.v.bin[1].data, PS_PUBLIC_STRINGS, 16) == 0,
       "PT_MV_CLSID");
    ok(GET(PROP_TAG(PT_MV_LONG, 0x602B)) && q->v.mv.n == 0,
       "an empty multi-value");

    exs_txn_abort(txn);
    is_int(store_check(env), EXS_OK, "store check is clean");
    (void) blob_refs;
}


static void
test_computed(void)
{
    uint8_t       eid[EXS_MESSAGE_ENTRYID_LEN], guid[16];
    uint32_t      tags[] = { PR_ENTRYID, PR_MID, PR_MESSAGE_FLAGS,
                             PR_HASATTACH, PR_MESSAGE_SIZE, PR_SOURCE_KEY,
                             PR_CHANGE_KEY, PR_PREDECESSOR_CHANGE_LIST,
                             PR_PARENT_ENTRYID, PR_PARENT_SOURCE_KEY,
                             PR_INTERNET_ARTICLE_NUMBER, PR_DISPLAY_TO,
                             PR_MESSAGE_DELIVERY_TIME, PR_CREATION_TIME,
                             PR_LAST_MODIFICATION_TIME, PR_CHANGE_NUMBER,
                             PR_PARENT_DISPLAY, PR_READ, PR_OBJECT_TYPE,
                             PR_RECORD_KEY };
    exs_id_t      mid, mid2, fid, m2;
    uint16_t      replid;
    exs_msg_t    *m;
    exs_prop_t   *q;
    exs_txn_t    *txn;
    exs_mbox_t   *mb;
    exs_props_t   out;
    exs_attach_t *at;
    exs_msg_info_t  info;
    exs_mbox_info_t mi;

    m = store_msg(ar, "computed", "body", 0);
    at = exs_msg_add_attach(ar, m);
    exs_props_set_long(ar, &at->props, PR_ATTACH_METHOD, 1);
    exs_props_set_str(ar, &at->props, PR_ATTACH_LONG_FILENAME, "a.txt", 5);
    exs_props_set_bin(ar, &at->props, PR_ATTACH_DATA_BIN, "hello", 5);

    /* client-sent computed values are ignored */
    exs_props_set_long(ar, &m->props, PR_MESSAGE_SIZE, 1);
    exs_props_set_bin(ar, &m->props, PR_CHANGE_KEY, "bogus", 5);

    mb = wr(&txn);
    is_int(exs_message_create(mb, EXS_FID_INBOX, m, 0, &mid), EXS_OK,
           "a message with an attachment");
    is_int(exs_message_create(mb, EXS_FID_INBOX, store_msg(ar, "second",
           NULL, 0), 0, &mid2), EXS_OK, "and another");
    exs_mbox_info(mb, &mi);
    is_int(exs_txn_commit(txn), EXS_OK, "committed");

    mb = rd(&txn);
    out.n = 0;
    out.cap = 0;
    out.v = NULL;
    is_int(exs_message_get(mb, mid, tags, sizeof(tags) / sizeof(tags[0]),
                           &out, ar), EXS_OK, "computed properties");

    exs_message_entryid(mb, EXS_FID_INBOX, mid, eid);
    q = exs_props_get(&out, PR_ENTRYID);
    ok(q && q->v.bin.len == EXS_MESSAGE_ENTRYID_LEN
       && memcmp(q->v.bin.data, eid, sizeof(eid)) == 0,
       "PR_ENTRYID is the 70-byte message entry id");
    is_int(exs_entryid_parse(q->v.bin.data, q->v.bin.len, guid, &fid, &m2),
           EXS_OK, "which parses");
    ok(fid == EXS_FID_INBOX && m2 == mid
       && memcmp(guid, mi.guid, 16) == 0,
       "back into the mailbox GUID, folder and message ids");

    q = exs_props_get(&out, PR_MID);
    ok(q && exs_eid_to_id((uint64_t) q->v.ll, &replid) == mid && replid == 1,
       "PR_MID is replica 1 and the message's counter");
    ok(q && ((uint8_t *) &q->v.ll)[0] == 1
       && ((uint8_t *) &q->v.ll)[7] == (uint8_t) mid,
       "on the wire: replica id first, counter big-endian");

    q = exs_props_get(&out, PR_MESSAGE_FLAGS);
    ok(q && (q->v.l & MSGFLAG_HASATTACH) && !(q->v.l & MSGFLAG_READ),
       "PR_MESSAGE_FLAGS: has-attach, unread");
    q = exs_props_get(&out, PR_HASATTACH);
    ok(q && q->v.b == 1, "PR_HASATTACH");
    q = exs_props_get(&out, PR_MESSAGE_SIZE);
    ok(q && q->v.l > 100, "PR_MESSAGE_SIZE computed (%d)", q ? q->v.l : 0);
    q = exs_props_get(&out, PR_SOURCE_KEY);
    ok(q && q->v.bin.len == 22 && memcmp(q->v.bin.data, mi.guid, 16) == 0
       && q->v.bin.data[21] == (uint8_t) mid,
       "PR_SOURCE_KEY: mailbox GUID + the 6-byte counter");
    q = exs_props_get(&out, PR_CHANGE_KEY);
    ok(q && q->v.bin.len == 22 && memcmp(q->v.bin.data, mi.guid, 16) == 0,
       "PR_CHANGE_KEY: an XID of this mailbox, not the client's");
    q = exs_props_get(&out, PR_PREDECESSOR_CHANGE_LIST);
    ok(q && q->v.bin.len == 23 && q->v.bin.data[0] == 22,
       "PR_PREDECESSOR_CHANGE_LIST: one sized XID");
    q = exs_props_get(&out, PR_INTERNET_ARTICLE_NUMBER);
    ok(q && q->v.l >= 1, "an IMAP UID");
    q = exs_props_get(&out, PR_DISPLAY_TO);
    ok(q && strcmp(q->v.str.data, "Bob") == 0, "PR_DISPLAY_TO from the "
       "recipients");
    ok(exs_props_get(&out, PR_MESSAGE_DELIVERY_TIME)
       && exs_props_get(&out, PR_CREATION_TIME)
       && exs_props_get(&out, PR_LAST_MODIFICATION_TIME),
       "delivery, creation and modification times are set");
    q = exs_props_get(&out, PR_PARENT_DISPLAY);
    ok(q && strcmp(q->v.str.data, "Inbox") == 0, "PR_PARENT_DISPLAY");
    q = exs_props_get(&out, PR_OBJECT_TYPE);
    ok(q && q->v.l == 5, "PR_OBJECT_TYPE is MAPI_MESSAGE");

    is_int(exs_message_info(mb, mid2, &info), EXS_OK, "message info");
    ok(info.uid > 0 && info.fid == EXS_FID_INBOX && !info.associated,
       "has a UID and a folder");
    exs_txn_abort(txn);
    is_int(store_check(env), EXS_OK, "store check is clean");
}


static void
test_attachments(void)
{
    int            rc;
    char          *big;
    size_t         i;
    uint64_t       total;
    exs_id_t       mid;
    exs_bin_t      out;
    exs_msg_t     *m, *emb, *r;
    exs_txn_t     *txn;
    exs_prop_t    *q;
    exs_mbox_t    *mb;
    exs_attach_t  *at, *at2;
    exs_stream_t  *s;

    big = exs_alloc(ar, 300000);
    for (i = 0; i < 300000; i++) {
        big[i] = (char) ('a' + (i * 31 + i / 7) % 26);
    }

    m = store_msg(ar, "attachments", NULL, 0);

    at = exs_msg_add_attach(ar, m);
    exs_props_set_long(ar, &at->props, PR_ATTACH_METHOD, 1);
    exs_props_set_str(ar, &at->props, PR_ATTACH_LONG_FILENAME, "big.bin",
                      7);
    exs_props_set_bin(ar, &at->props, PR_ATTACH_DATA_BIN, big, 300000);

    emb = store_msg(ar, "embedded", "inner body", 0);
    at2 = exs_msg_add_attach(ar, emb);
    exs_props_set_bin(ar, &at2->props, PR_ATTACH_DATA_BIN, big, 300000);

    at = exs_msg_add_attach(ar, m);
    exs_props_set_long(ar, &at->props, PR_ATTACH_METHOD, 5);
    at->embedded = emb;

    mb = wr(&txn);
    rc = exs_message_create(mb, EXS_FID_INBOX, m, 0, &mid);
    is_int(rc, EXS_OK, "attachments and an embedded message with one");
    is_int(exs_txn_commit(txn), EXS_OK, "committed");
    is_int(store_check(env), EXS_OK, "the same 300 KB value twice: one "
           "blob, two references, check agrees");

    mb = rd(&txn);
    rc = exs_message_read(mb, mid, EXS_READ_ALL, &r, ar);
    is_int(rc, EXS_OK, "read all");
    is_int(r->natts, 2, "two attachments");
    q = exs_props_get(&r->atts[0].props, PR_ATTACH_DATA_BIN);
    ok(q && q->v.bin.len == 300000 && memcmp(q->v.bin.data, big, 300000) == 0,
       "the data comes back");
    q = exs_props_get(&r->atts[0].props, PR_ATTACH_NUM);
    ok(q && q->v.l == 0, "attachment numbers are assigned");
    q = exs_props_get(&r->atts[0].props, PR_ATTACH_SIZE);
    ok(q && q->v.l >= 300000, "PR_ATTACH_SIZE");
    ok(r->atts[1].embedded != NULL
       && strcmp(exs_props_get(&r->atts[1].embedded->props,
                               PR_SUBJECT)->v.str.data, "embedded") == 0,
       "the embedded message");
    ok(r->atts[1].embedded && r->atts[1].embedded->natts == 1
       && exs_props_get(&r->atts[1].embedded->atts[0].props,
                        PR_ATTACH_DATA_BIN)->v.bin.len == 300000,
       "with its own attachment's data");

    rc = exs_message_read(mb, mid, EXS_READ_PROPS | EXS_READ_ATTACH, &r, ar);
    ok(rc == EXS_OK && r->natts == 2
       && exs_props_get(&r->atts[0].props, PR_ATTACH_DATA_BIN) == NULL
       && r->atts[1].embedded == NULL,
       "EXS_READ_ATTACH leaves the data out");

    rc = exs_message_read_prop(mb, mid, 0, PR_ATTACH_DATA_BIN, 70000, 1000,
                               &out, &total, ar);
    ok(rc == EXS_OK && out.len == 1000 && total == 300000
       && memcmp(out.data, big + 70000, 1000) == 0,
       "a range read across a chunk boundary");
    rc = exs_message_read_prop(mb, mid, 0, PR_ATTACH_DATA_BIN, 299990, 100,
                               &out, &total, ar);
    ok(rc == EXS_OK && out.len == 10, "a range read at the end is short");
    rc = exs_message_read_prop(mb, mid, -1, PR_SUBJECT, 1, 3, &out, &total,
                               ar);
    ok(rc == EXS_OK && out.len == 3 && memcmp(out.data, "tta", 3) == 0
       && total == 11, "a range of an inline string");
    exs_txn_abort(txn);

    /* a streamed value into the message and into an attachment */

    mb = wr(&txn);
    rc = exs_stream_open(txn, &s);
    for (i = 0; rc == EXS_OK && i < 300000; i += 7000) {
        rc = exs_stream_write(s, big + i, 300000 - i < 7000 ? 300000 - i
                                                            : 7000);
    }
    is_int(rc, EXS_OK, "a 300 KB value written in 7000-byte pieces");
    is_int(exs_message_set_stream(mb, mid, -1, PR_HTML, s), EXS_OK,
           "becomes the message's PR_HTML");
    exs_stream_close(s);

    rc = exs_stream_open(txn, &s);
    exs_stream_write(s, "replaced", 8);
    is_int(exs_message_set_stream(mb, mid, 0, PR_ATTACH_DATA_BIN, s),
           EXS_OK, "a streamed value replaces attachment 0's data");
    exs_stream_close(s);

    rc = exs_stream_open(txn, &s);
    exs_stream_write(s, "never", 5);
    exs_stream_close(s);
    is_int(exs_txn_commit(txn), EXS_OK, "committed (with an abandoned "
           "stream)");
    is_int(store_check(env), EXS_OK, "reference counts still add up");

    mb = rd(&txn);
    rc = exs_message_read_prop(mb, mid, -1, PR_HTML, 0, 300000, &out, &total,
                               ar);
    ok(rc == EXS_OK && out.len == 300000 && memcmp(out.data, big, 300000) == 0,
       "the streamed value reads back (deduplicated with the attachment)");
    rc = exs_message_read_prop(mb, mid, 0, PR_ATTACH_DATA_BIN, 0, 100, &out,
                               &total, ar);
    ok(rc == EXS_OK && out.len == 8 && memcmp(out.data, "replaced", 8) == 0,
       "and so does the attachment's");
    exs_txn_abort(txn);

    mb = wr(&txn);
    {
        exs_id_t  copy, moved;

        is_int(exs_message_copy(mb, &mid, 1, EXS_FID_DRAFTS, &copy), EXS_OK,
               "a copy shares the blobs");
        is_int(exs_message_move(mb, &copy, 1, EXS_FID_SENT_ITEMS, &moved),
               EXS_OK, "and a move keeps them");
        is_int(exs_txn_commit(txn), EXS_OK, "committed");
        is_int(store_check(env), EXS_OK, "references: one more per copy");

        mb = wr(&txn);
        is_int(exs_message_delete(mb, &moved, 1, EXS_DEL_HARD), EXS_OK,
               "the copy goes");
        rc = exs_message_read_prop(mb, mid, -1, PR_HTML, 0, 10, &out,
                                   &total, ar);
        ok(rc == EXS_OK && total == 300000, "the original still reads");
    }
    is_int(exs_message_delete(mb, &mid, 1, EXS_DEL_HARD), EXS_OK,
           "hard delete");
    is_int(exs_txn_commit(txn), EXS_OK, "committed");
    is_int(store_check(env), EXS_OK, "the blobs went with their last "
           "reference");
}


static void
test_prepared(void)
{
    int            rc;
    char          *body;
    size_t         i;
    exs_id_t       mid, mid2;
    exs_msg_t     *m, *r;
    exs_prop_t    *q;
    exs_txn_t     *txn;
    exs_mbox_t    *mb;
    exs_attach_t  *at;

    body = exs_alloc(ar, 200001);
    for (i = 0; i < 200000; i++) {
        body[i] = (char) ('A' + (i * 7 + i / 11) % 26);
    }
    body[200000] = '\0';

    m = store_msg(ar, "prepared", body, 0);
    at = exs_msg_add_attach(ar, m);
    exs_props_set_bin(ar, &at->props, PR_ATTACH_DATA_BIN, body, 150000);

    is_int(exs_message_prepare(env, m, ar), EXS_OK,
           "a message prepared outside any transaction");

    mb = wr(&txn);
    is_int(exs_message_create(mb, EXS_FID_INBOX, m, 0, &mid), EXS_OK,
           "then created");
    m = store_msg(ar, "prepared twice", body, 0);
    exs_message_prepare(env, m, ar);
    is_int(exs_message_create(mb, EXS_FID_INBOX, m, 0, &mid2), EXS_OK,
           "a second with the same body");
    is_int(exs_txn_commit(txn), EXS_OK, "committed");
    is_int(store_check(env), EXS_OK, "one blob, its references right");

    mb = rd(&txn);
    rc = exs_message_read(mb, mid, EXS_READ_ALL, &r, ar);
    q = rc == EXS_OK ? exs_props_get(&r->props, PR_BODY) : NULL;
    ok(q && q->v.str.len == 200000 && strcmp(q->v.str.data, body) == 0,
       "the body reads back");
    q = rc == EXS_OK && r->natts == 1
        ? exs_props_get(&r->atts[0].props, PR_ATTACH_DATA_BIN) : NULL;
    ok(q && q->v.bin.len == 150000 && memcmp(q->v.bin.data, body, 150000) == 0,
       "and the attachment");
    exs_txn_abort(txn);

    mb = wr(&txn);
    m = store_msg(ar, "saved prepared", body + 1, 0);
    exs_message_prepare(env, m, ar);
    is_int(exs_message_save(mb, mid2, m, NULL), EXS_OK,
           "a prepared message saved over another");
    is_int(exs_message_delete(mb, &mid, 1, EXS_DEL_HARD), EXS_OK,
           "the first deleted");
    is_int(exs_txn_commit(txn), EXS_OK, "committed");
    is_int(store_check(env), EXS_OK, "store check is clean");
}


static void
test_ics_keys(void)
{
    uint8_t       client[16], ck[22], ck2[22];
    exs_id_t      mid;
    exs_bin_t     b;
    exs_msg_t    *m;
    exs_prop_t   *q;
    exs_txn_t    *txn;
    exs_mbox_t   *mb;
    exs_props_t   out;

    memset(client, 0xAB, 16);
    memcpy(ck, client, 16);
    memcpy(ck + 16, "\0\0\0\0\0\x07", 6);
    memcpy(ck2, client, 16);
    memcpy(ck2 + 16, "\0\0\0\0\0\x09", 6);

    m = store_msg(ar, "offline", NULL, 0);
    exs_props_set_bin(ar, &m->props, PR_SOURCE_KEY, ck, 22);
    exs_props_set_bin(ar, &m->props, PR_CHANGE_KEY, ck, 22);

    mb = wr(&txn);
    is_int(exs_message_create(mb, EXS_FID_INBOX, m, EXS_KEEP_KEYS, &mid),
           EXS_OK, "an upload keeps the client's keys");
    out.n = 0;
    exs_message_get(mb, mid, (uint32_t[]) { PR_SOURCE_KEY, PR_CHANGE_KEY,
                                            PR_PREDECESSOR_CHANGE_LIST },
                    3, &out, ar);
    q = exs_props_get(&out, PR_SOURCE_KEY);
    ok(q && q->v.bin.len == 22 && memcmp(q->v.bin.data, ck, 22) == 0,
       "PR_SOURCE_KEY as given");
    q = exs_props_get(&out, PR_CHANGE_KEY);
    ok(q && memcmp(q->v.bin.data, ck, 22) == 0, "PR_CHANGE_KEY as given");
    q = exs_props_get(&out, PR_PREDECESSOR_CHANGE_LIST);
    ok(q && q->v.bin.len == 23 && memcmp(q->v.bin.data + 1, ck, 22) == 0,
       "a PCL naming it");

    b.data = ck2;
    b.len = 22;
    is_int(exs_message_set_change_keys(mb, mid, &b, NULL), EXS_OK,
           "a later upload's change key");
    out.n = 0;
    exs_message_get(mb, mid, (uint32_t[]) { PR_CHANGE_KEY,
                                            PR_PREDECESSOR_CHANGE_LIST },
                    2, &out, ar);
    q = exs_props_get(&out, PR_CHANGE_KEY);
    ok(q && memcmp(q->v.bin.data, ck2, 22) == 0, "is kept");
    q = exs_props_get(&out, PR_PREDECESSOR_CHANGE_LIST);
    ok(q && q->v.bin.len == 23 && memcmp(q->v.bin.data + 1, ck2, 22) == 0,
       "the PCL keeps the newest XID of the client's namespace");
    is_int(exs_txn_commit(txn), EXS_OK, "committed");
    is_int(store_check(env), EXS_OK, "store check is clean");
}


static void
test_changes(void)
{
    int              rc, more;
    uint32_t         n, i, nc;
    uint64_t         cn0;
    exs_id_t         mid, mid2, newmid, copy;
    exs_msg_t       *m, *r;
    exs_prop_t      *q, *ck1;
    exs_bin_t        ck;
    exs_txn_t       *txn;
    exs_mbox_t      *mb;
    exs_props_t      set, out;
    exs_change_t    *ch;
    exs_mbox_info_t  mi;
    exs_folder_info_t fi, fi2;
    exs_msgchange_t *mc;
    uint32_t         del[] = { PR_IMPORTANCE };

    mb = rd(&txn);
    exs_mbox_info(mb, &mi);
    cn0 = mi.last_cn;
    exs_txn_abort(txn);

    mb = wr(&txn);
    m = store_msg(ar, "tracked", "body", 0);
    rc = exs_message_create(mb, EXS_FID_INBOX, m, EXS_MSG_NEW_MAIL, &mid);
    is_int(rc, EXS_OK, "a delivery");
    exs_message_create(mb, EXS_FID_DRAFTS, store_msg(ar, "d", NULL, 0), 0,
                       &mid2);
    is_int(exs_txn_commit(txn), EXS_OK, "committed");

    mb = rd(&txn);
    rc = exs_message_read(mb, mid, EXS_READ_PROPS, &r, ar);
    ck1 = exs_props_get(&r->props, PR_CHANGE_KEY);
    ck = ck1->v.bin;
    exs_folder_info(mb, EXS_FID_INBOX, &fi);
    exs_txn_abort(txn);

    mb = wr(&txn);
    set.n = 0; set.cap = 0; set.v = NULL;
    exs_props_set_str(ar, &set, PR_SUBJECT, "tracked, edited", 15);
    exs_props_set_long(ar, &set, PR_IMPORTANCE, 2);
    is_int(exs_message_set(mb, mid, &set), EXS_OK, "a property change");
    is_int(exs_message_delprops(mb, mid, del, 1), EXS_OK,
           "a property delete");
    is_int(exs_message_set_read(mb, mid, 1), EXS_OK, "marked read");
    is_int(exs_message_move(mb, &mid2, 1, EXS_FID_SENT_ITEMS, &newmid),
           EXS_OK, "moved");
    ok(newmid != mid2, "a move gives a new id");
    is_int(exs_message_copy(mb, &mid, 1, EXS_FID_DRAFTS, &copy), EXS_OK,
           "copied");
    is_int(exs_message_delete(mb, &copy, 1, 0), EXS_OK, "soft-deleted");
    is_int(exs_message_delete(mb, &newmid, 1, EXS_DEL_HARD), EXS_OK,
           "hard-deleted");
    is_int(exs_txn_commit(txn), EXS_OK, "committed");
    is_int(store_check(env), EXS_OK, "store check is clean");

    mb = rd(&txn);
    rc = exs_changes(mb, cn0, 100, &ch, &n, &more, ar);
    is_int(rc, EXS_OK, "the change log since before");
    is_int(n, 9, "nine changes");
    ok(!more, "no more");
    ok(n >= 9 && ch[0].kind == EXS_CHANGE_CREATE
       && (ch[0].flags & EXS_CHANGE_NEW_MAIL) && ch[0].id == mid
       && ch[0].folder == EXS_FID_INBOX, "1: the delivery");
    ok(n >= 9 && ch[1].kind == EXS_CHANGE_CREATE && ch[1].id == mid2,
       "2: the draft");
    ok(n >= 9 && ch[2].kind == EXS_CHANGE_MODIFY && ch[3].kind
       == EXS_CHANGE_MODIFY, "3, 4: set and delete properties");
    ok(n >= 9 && ch[4].kind == EXS_CHANGE_READ && ch[4].id == mid,
       "5: the read state");
    ok(n >= 9 && ch[5].kind == EXS_CHANGE_MOVE && ch[5].id == newmid
       && ch[5].old_id == mid2 && ch[5].folder == EXS_FID_SENT_ITEMS
       && ch[5].old_folder == EXS_FID_DRAFTS,
       "6: the move, with old and new ids and folders");
    ok(n >= 9 && ch[6].kind == EXS_CHANGE_COPY && ch[6].old_id == mid
       && ch[6].id == copy, "7: the copy");
    ok(n >= 9 && ch[7].kind == EXS_CHANGE_SOFT_DELETE && ch[7].id == copy,
       "8: the soft delete");
    ok(n >= 9 && ch[8].kind == EXS_CHANGE_DELETE && ch[8].id == newmid,
       "9: a tombstone");

    for (i = 1; i < n; i++) {
        if (ch[i].cn <= ch[i - 1].cn) {
            break;
        }
    }
    ok(i == n, "in change number order");

    exs_mbox_info(mb, &mi);
    ok(n >= 9 && mi.last_cn >= ch[8].cn, "the mailbox's last change number "
       "is the newest");

    rc = exs_changes(mb, cn0, 4, &ch, &nc, &more, ar);
    ok(rc == EXS_OK && nc == 4 && more, "paged: four and more");

    rc = exs_message_read(mb, mid, EXS_READ_PROPS, &r, ar);
    q = exs_props_get(&r->props, PR_CHANGE_KEY);
    ok(q && (q->v.bin.len != ck.len
             || memcmp(q->v.bin.data, ck.data, ck.len) != 0),
       "a new change key after the change");
    q = exs_props_get(&r->props, PR_PREDECESSOR_CHANGE_LIST);
    ok(q && q->v.bin.len == 23, "the PCL keeps one XID per namespace");
    ok(exs_props_get(&r->props, PR_IMPORTANCE) == NULL,
       "the deleted property is gone");
    q = exs_props_get(&r->props, PR_MESSAGE_FLAGS);
    ok(q && (q->v.l & MSGFLAG_READ), "read");

    exs_folder_info(mb, EXS_FID_INBOX, &fi2);
    ok(fi2.content_cn > fi.content_cn, "the folder's newest change moved "
       "(IMAP HIGHESTMODSEQ)");
    is_int(fi2.unread, fi.unread - 1, "one unread less");

    rc = exs_folder_changed(mb, EXS_FID_INBOX, fi.content_cn, 0, &mc, &n,
                            &more, ar);
    ok(rc == EXS_OK && n == 1 && mc[0].mid == mid, "the folder's changes "
       "since: the edited message, once");
    exs_txn_abort(txn);

    /* a change key check on save */

    mb = wr(&txn);
    rc = exs_message_save(mb, mid, m, &ck);
    is_int(rc, EXS_CONFLICT, "a save with a stale change key conflicts");
    out.n = 0;
    rc = exs_message_get(mb, mid, (uint32_t[]) { PR_CHANGE_KEY }, 1, &out,
                         ar);
    q = exs_props_get(&out, PR_CHANGE_KEY);
    rc = exs_message_save(mb, mid, m, &q->v.bin);
    is_int(rc, EXS_OK, "with the current one it saves");
    is_int(exs_txn_commit(txn), EXS_OK, "committed");
    is_int(store_check(env), EXS_OK, "store check is clean");
}


static void
test_named(void)
{
    int              rc;
    uint16_t         id1, id2, id3, id4;
    exs_txn_t       *txn;
    exs_mbox_t      *mb;
    exs_namemap_t   *nm;
    exs_propname_t   n1 = { { 0 }, MNID_ID, 0x8205, NULL };
    exs_propname_t   n2 = { { 0 }, MNID_STRING, 0, "Keywords" };
    exs_propname_t   n3 = { { 0 }, MNID_STRING, 0, "KEYWORDS" };
    exs_propname_t   back;

    memcpy(n1.guid, PSETID_APPOINTMENT, 16);
    memcpy(n2.guid, PS_PUBLIC_STRINGS, 16);
    memcpy(n3.guid, PS_PUBLIC_STRINGS, 16);

    mb = rd(&txn);
    nm = exs_mbox_namemap(mb);
    is_int(nm->get_id(nm, &n1, 0, &id1), EXS_NOTFOUND,
           "an unknown name without create");
    is_int(nm->get_id(nm, &n1, 1, &id1), EXS_DENIED,
           "no create in a read transaction");
    exs_txn_abort(txn);

    mb = wr(&txn);
    nm = exs_mbox_namemap(mb);
    is_int(nm->get_id(nm, &n1, 1, &id1), EXS_OK, "a LID name gets an id");
    is_int(nm->get_id(nm, &n2, 1, &id2), EXS_OK, "a string name gets one");
    ok(id1 >= 0x8000 && id2 >= 0x8000 && id1 != id2, "from 0x8000, apart");
    is_int(exs_txn_commit(txn), EXS_OK, "committed");

    mb = rd(&txn);
    nm = exs_mbox_namemap(mb);
    rc = nm->get_id(nm, &n1, 0, &id3);
    ok(rc == EXS_OK && id3 == id1, "the LID name keeps its id");
    rc = nm->get_id(nm, &n3, 0, &id4);
    ok(rc == EXS_OK && id4 == id2, "string names match case-insensitively");
    rc = nm->get_name(nm, id2, &back, ar);
    ok(rc == EXS_OK && back.kind == MNID_STRING
       && strcmp(back.name, "Keywords") == 0
       && memcmp(back.guid, PS_PUBLIC_STRINGS, 16) == 0,
       "an id gives its name back");
    n1.lid = 0x8206;
    is_int(nm->get_id(nm, &n1, 0, &id3), EXS_NOTFOUND, "another LID is not "
           "known");
    memcpy(n1.guid, PS_MAPI, 16);
    n1.lid = 0x0037;
    rc = nm->get_id(nm, &n1, 0, &id3);
    ok(rc == EXS_OK && id3 == 0x0037, "PS_MAPI LIDs are property ids");
    exs_txn_abort(txn);
    is_int(store_check(env), EXS_OK, "store check is clean");
}


static void
test_fai_and_deletes(void)
{
    int                rc;
    exs_id_t           fai, mid, mids[3];
    exs_txn_t         *txn;
    exs_mbox_t        *mb;
    exs_folder_info_t  fi;
    exs_msg_info_t     info;
    uint32_t           purged;

    mb = wr(&txn);
    rc = exs_message_create(mb, EXS_FID_CALENDAR,
                            store_msg(ar, "config", NULL, 0),
                            EXS_MSG_ASSOCIATED, &fai);
    is_int(rc, EXS_OK, "an associated message");
    exs_message_create(mb, EXS_FID_CALENDAR, store_msg(ar, "a", NULL, 0), 0,
                       &mids[0]);
    exs_message_create(mb, EXS_FID_CALENDAR, store_msg(ar, "b", NULL, 0), 0,
                       &mids[1]);
    exs_message_create(mb, EXS_FID_CALENDAR, store_msg(ar, "c", NULL, 0), 0,
                       &mids[2]);
    is_int(exs_txn_commit(txn), EXS_OK, "committed");

    mb = rd(&txn);
    exs_folder_info(mb, EXS_FID_CALENDAR, &fi);
    ok(fi.count == 3 && fi.assoc_count == 1 && fi.unread == 3,
       "three normal, one associated, three unread");
    exs_message_info(mb, fai, &info);
    ok(info.associated && info.uid == 0, "FAI messages have no IMAP UID");
    exs_txn_abort(txn);

    mb = wr(&txn);
    is_int(exs_message_delete(mb, mids, 2, 0), EXS_OK, "two soft-deleted");
    rc = exs_message_by_uid(mb, EXS_FID_CALENDAR, 1, &mid);
    is_int(rc, EXS_NOTFOUND, "a soft-deleted message leaves IMAP");
    exs_folder_info(mb, EXS_FID_CALENDAR, &fi);
    ok(fi.count == 1 && fi.deleted_count == 2 && fi.unread == 1,
       "the counts move to the soft-deleted view");
    is_int(exs_folder_empty(mb, EXS_FID_CALENDAR, 0), EXS_OK,
           "empty (soft, FAI kept)");
    exs_folder_info(mb, EXS_FID_CALENDAR, &fi);
    ok(fi.count == 0 && fi.assoc_count == 1 && fi.deleted_count == 3,
       "all three soft-deleted, the FAI stays");
    {
        exs_id_t  restored;

        is_int(exs_message_move(mb, &mids[2], 1, EXS_FID_CALENDAR,
                                &restored), EXS_OK,
               "a soft-deleted message moved is restored");
        exs_folder_info(mb, EXS_FID_CALENDAR, &fi);
        ok(fi.count == 1 && fi.deleted_count == 2, "back in the view");
        is_int(exs_message_delete(mb, &restored, 1, 0), EXS_OK,
               "and soft-deleted again");
    }
    is_int(exs_mbox_purge(mb, exs_filetime_now() + 10, &purged), EXS_OK,
           "purge what was soft-deleted before now");
    ok(purged >= 3, "purged %u", purged);
    exs_folder_info(mb, EXS_FID_CALENDAR, &fi);
    is_int(fi.deleted_count, 0, "gone for good");
    is_int(exs_folder_empty(mb, EXS_FID_CALENDAR,
                            EXS_DEL_HARD | EXS_DEL_ASSOCIATED), EXS_OK,
           "a hard empty with FAI");
    exs_folder_info(mb, EXS_FID_CALENDAR, &fi);
    ok(fi.count == 0 && fi.assoc_count == 0, "empty");
    is_int(exs_txn_commit(txn), EXS_OK, "committed");
    is_int(store_check(env), EXS_OK, "store check is clean");
}


int
main(void)
{
    env = store_open("message", 0);
    ok(env != NULL, "a store");

    mbid = store_user(env, "alice@example.test", NULL);
    ok(mbid != 0, "a user with a mailbox");

    ar = exs_arena_create(0);

    test_types();
    test_computed();
    test_attachments();
    test_changes();
    test_named();
    test_ics_keys();
    test_prepared();
    test_fai_and_deletes();

    exs_arena_destroy(ar);
    exs_env_close(env);

    return done_testing();
}
