
/*
 * The EMSMDB session state and dispatcher without nginx: cookies, the
 * working-copy serializer (every property type, recipients, attachments,
 * embedded messages, every truncation refused), a session saved and found
 * again by another "worker" with its objects and table state, the
 * sequence claim, the per-user bound, and an Execute run against a real
 * store: Logon, OpenFolder, OpenMessage, OpenAttachment, then a chained
 * table read over three requests.
 */


#include <stdlib.h>
#include <time.h>

#include <tap.h>
#include <exch_oxcrpc_rpc_ext.h>

#include "../../fuzz/mapi_fixture.h"


static exs_arena_t  *ar;


static exs_msg_t *
sample_msg(int depth)
{
    exs_prop_t     p;
    exs_msg_t     *m;
    exs_rcpt_t    *r;
    exs_attach_t  *at;

    static const char      *mv[] = { "one", "two", "three" };
    static const uint8_t    bin[5] = { 0, 1, 2, 0xFE, 0xFF };

    m = exs_msg_create(ar);

    exs_props_set_str(ar, &m->props, PR_SUBJECT, "Caf\xc3\xa9", 5);
    exs_props_set_long(ar, &m->props, PR_IMPORTANCE, 2);
    exs_props_set_i8(ar, &m->props, PR_MESSAGE_DELIVERY_TIME,
                     133000000000000000LL);
    exs_props_set_bool(ar, &m->props, PR_READ_RECEIPT_REQUESTED, 1);
    exs_props_set_bin(ar, &m->props, PR_CONVERSATION_INDEX, bin, 5);

    memset(&p, 0, sizeof(p));
    p.tag = PROP_TAG(PT_MV_UNICODE, 0x8001);
    p.v.mv.n = 3;
    p.v.mv.v.str = exs_calloc(ar, 3 * sizeof(exs_str_t));
    p.v.mv.v.str[0].data = mv[0]; p.v.mv.v.str[0].len = 3;
    p.v.mv.v.str[1].data = mv[1]; p.v.mv.v.str[1].len = 3;
    p.v.mv.v.str[2].data = mv[2]; p.v.mv.v.str[2].len = 5;
    exs_props_set(ar, &m->props, &p);

    memset(&p, 0, sizeof(p));
    p.tag = PROP_TAG(PT_DOUBLE, 0x8002);
    p.v.d = 2.5;
    exs_props_set(ar, &m->props, &p);

    r = exs_msg_add_rcpt(ar, m);
    exs_props_set_str(ar, &r->props, PR_DISPLAY_NAME, "Bob", 3);
    exs_props_set_long(ar, &r->props, PR_RECIPIENT_TYPE, 1);

    at = exs_msg_add_attach(ar, m);
    exs_props_set_long(ar, &at->props, PR_ATTACH_NUM, 0);
    exs_props_set_bin(ar, &at->props, PR_ATTACH_DATA_BIN, bin, 5);

    if (depth == 0) {
        at = exs_msg_add_attach(ar, m);
        exs_props_set_long(ar, &at->props, PR_ATTACH_NUM, 1);
        exs_props_set_long(ar, &at->props, PR_ATTACH_METHOD, 5);
        at->embedded = sample_msg(1);
    }

    return m;
}


static void
test_serializer(void)
{
    int          rc, bad;
    size_t       cut;
    exch_rd_t    r;
    exch_wr_t    w, w2;
    exs_msg_t    out;
    exs_prop_t  *p;

    exch_wr_init_grow(&w, ar, 256, 1 << 20);
    is_int(exch_ems_msg_encode(&w, sample_msg(0)), EXCH_OK, "msg encodes");

    memset(&out, 0, sizeof(out));
    exch_rd_init(&r, w.buf, w.len, ar, 0);
    is_int(exch_ems_msg_decode(&r, &out, 0), EXS_OK, "msg decodes");

    p = exs_props_get(&out.props, PR_SUBJECT);
    ok(p && p->v.str.len == 5 && memcmp(p->v.str.data, "Caf\xc3\xa9", 5) == 0,
       "subject survives");
    p = exs_props_get(&out.props, PROP_TAG(PT_MV_UNICODE, 0x8001));
    ok(p && p->v.mv.n == 3 && p->v.mv.v.str[2].len == 5,
       "multi-valued string survives");
    p = exs_props_get(&out.props, PROP_TAG(PT_DOUBLE, 0x8002));
    ok(p && p->v.d == 2.5, "double survives");
    is_int(out.nrcpts, 1, "one recipient");
    is_int(out.natts, 2, "two attachments");
    ok(out.natts == 2 && out.atts[1].embedded
       && out.atts[1].embedded->natts == 1, "embedded message survives");

    /* the same bytes again */
    exch_wr_init_grow(&w2, ar, 256, 1 << 20);
    exch_ems_msg_encode(&w2, &out);
    is_mem(w2.buf, w2.len, w.buf, w.len, "re-encoding is identical");

    /* every truncation is refused without a crash */
    bad = 0;
    for (cut = 0; cut < w.len; cut++) {
        memset(&out, 0, sizeof(out));
        exch_rd_init(&r, w.buf, cut, ar, 0);
        rc = exch_ems_msg_decode(&r, &out, 0);
        if (rc == EXS_OK && r.err == EXCH_OK) {
            bad++;
        }
    }
    is_int(bad, 0, "every truncation of %zu bytes is refused", w.len);
}


static void
test_cookies(void)
{
    char     s[EXCH_EMS_SID_LEN + 1];
    uint8_t  k[20], k2[20];
    size_t   i;

    for (i = 0; i < 20; i++) {
        k[i] = (uint8_t) (i * 13 + 1);
    }

    exch_ems_sid_format(k, s);
    s[EXCH_EMS_SID_LEN] = '\0';
    is_int(strlen(s), 40, "sid is 40 hex digits");
    is_int(exch_ems_sid_parse(s, 40, k2), EXS_OK, "sid parses");
    is_mem(k2, 20, k, 20, "sid round-trips");
    ok(exch_ems_sid_parse(s, 39, k2) != EXS_OK, "short sid refused");
    s[5] = 'g';
    ok(exch_ems_sid_parse(s, 40, k2) != EXS_OK, "non-hex sid refused");
}


/* an uncompressed RPC_HEADER_EXT around a ROP buffer */

static size_t
rhe(const uint8_t *rops, size_t len, uint8_t *out)
{
    exch_put16(out, 0);
    exch_put16(out + 2, EXCH_RHE_LAST);
    exch_put16(out + 4, (uint16_t) len);
    exch_put16(out + 6, (uint16_t) len);
    memcpy(out + 8, rops, len);

    return len + 8;
}


/* runs a ROP buffer; returns the output ROP buffer (after the header) */

static const uint8_t *
execute(exch_ems_t *e, const uint8_t *rops, size_t len, size_t *out_len)
{
    size_t      n;
    uint8_t     buf[4096];
    uint32_t    ec;
    exs_bin_t   out;

    n = rhe(rops, len, buf);

    if (exch_ems_execute(e, buf, n, 0x03, 0x40000, &out, &ec) != EXCH_OK
        || ec != 0 || out.len < 8)
    {
        exch_ems_txn_end(e);
        return NULL;
    }

    exch_ems_txn_end(e);

    *out_len = out.len - 8;
    return out.data + 8;
}


/* a request's exch_ems_t, as a worker makes it */

static void
ems(exch_ems_t *e, mapi_fixture_t *f, const exch_ems_user_t *user,
    int64_t now)
{
    mapi_fixture_ems(e, f, user, ar);
    e->now = now;
}


static void
test_session(mapi_fixture_t *f)
{
    int                  rc;
    size_t               len, i, n;
    uint8_t              key[20], seq[16], req[512], buf[600], *p;
    uint32_t             h[4];
    const uint8_t       *o;
    exch_ems_t           e, e2, e3;
    exch_ems_obj_t      *t;

    ems(&e, f, &f->alice, (int64_t) time(NULL));

    is_int(exch_ems_session_create(&e, 1252, 1033, 1033), EXS_OK,
           "session created");
    memcpy(key, e.s->key, 20);

    /* Logon, OpenFolder(Inbox), OpenMessage, OpenAttachment */

    p = mapi_fixture_attachment_rops(f, req);

    o = execute(&e, req, (size_t) (p - req), &len);
    ok(o != NULL, "the first Execute runs");
    if (o == NULL) {
        return;
    }

    ok(o[2] == 0xFE && exch_get32(o + 4) == 0, "Logon succeeds");
    ok(o[2 + 166] == 0x02 && exch_get32(o + 2 + 166 + 2) == 0,
       "OpenFolder succeeds");

    for (i = 0; i < 4; i++) {
        h[i] = exch_get32(o + len - 16 + 4 * i);
    }
    ok(h[0] != 0xFFFFFFFF && h[1] != 0xFFFFFFFF && h[2] != 0xFFFFFFFF
       && h[3] != 0xFFFFFFFF, "four handles: logon, folder, message, "
       "attachment");

    is_int(exch_ems_session_save(&e), EXS_OK, "session saved");

    /* another worker: GetContentsTable, SetColumns, SortTable */

    ems(&e2, f, &f->alice, e.now);

    is_int(exch_ems_session_load(&e2, key), EXS_OK, "session found again");
    is_int(e2.s->nobjs, 4, "with its four objects");
    memcpy(seq, e2.s->seq, 16);
    is_int(exch_ems_session_claim(&e2), EXS_OK, "sequence claimed");
    ok(memcmp(seq, e2.s->seq, 16) != 0, "the sequence cookie changes");

    /* the first worker's copy is stale now */
    is_int(exch_ems_session_claim(&e), EXS_CONFLICT,
           "a stale copy cannot claim");

    p = req + 2;
    *p++ = 0x05; *p++ = 0; *p++ = 0; *p++ = 1; *p++ = 0;
    *p++ = 0x12; *p++ = 0; *p++ = 1; *p++ = 0;
    exch_put16(p, 2); p += 2;
    exch_put32(p, PR_MID); p += 4;
    exch_put32(p, PR_SUBJECT); p += 4;
    *p++ = 0x13; *p++ = 0; *p++ = 1; *p++ = 0;
    exch_put16(p, 1); p += 2;
    exch_put16(p, 0); p += 2;
    exch_put16(p, 0); p += 2;
    exch_put32(p, PR_SUBJECT); p += 4;
    *p++ = 0;
    exch_put16(req, (uint16_t) (p - req));
    exch_put32(p, h[1]); p += 4;
    exch_put32(p, 0xFFFFFFFF); p += 4;

    o = execute(&e2, req, (size_t) (p - req), &len);
    ok(o != NULL && o[2] == 0x05 && exch_get32(o + 4) == 0
       && exch_get32(o + 8) == 2, "contents table of two rows");
    if (o == NULL) {
        return;
    }

    h[2] = exch_get32(o + len - 4);
    is_int(exch_ems_session_save(&e2), EXS_OK, "saved with the table");

    /* a third worker finds the table's columns and sort */

    ems(&e, f, &f->alice, e2.now);

    is_int(exch_ems_session_load(&e, key), EXS_OK, "loaded a third time");
    t = exch_ems_obj_get(&e, h[2]);
    ok(t && t->type == EXCH_EMS_TABLE && t->u.table.cols.n == 2
       && t->u.table.sort.n == 1, "the table keeps columns and sort");

    p = req + 2;
    *p++ = 0x15; *p++ = 0; *p++ = 0; *p++ = 0; *p++ = 1;
    exch_put16(p, 10); p += 2;
    exch_put16(req, (uint16_t) (p - req));
    exch_put32(p, h[2]); p += 4;

    o = execute(&e, req, (size_t) (p - req), &len);
    ok(o != NULL && o[2] == 0x15 && exch_get32(o + 4) == 0
       && exch_get16(o + 9) == 2, "QueryRows gives both rows");

    /* reading ROPs claim with the save: QueryRows is one, CreateMessage
     * is not */

    n = rhe(req, (size_t) (p - req), buf);
    is_int(exch_ems_classify(buf, n, ar), EXCH_EMS_READS,
           "QueryRows only reads");
    p = req + 2;
    *p++ = 0x06; *p++ = 0; *p++ = 0; *p++ = 1;
    exch_put16(p, 0x0FFF); p += 2;
    exch_put64(p, exch_ems_eid(EXS_FID_INBOX)); p += 8;
    *p++ = 0;
    exch_put16(req, (uint16_t) (p - req));
    exch_put32(p, h[0]); p += 4;
    exch_put32(p, 0xFFFFFFFF); p += 4;
    n = rhe(req, (size_t) (p - req), buf);
    is_int(exch_ems_classify(buf, n, ar), 0,
           "CreateMessage neither only reads nor goes to a thread");
    is_int(exch_ems_session_save(&e), EXS_OK, "saved after QueryRows");

    /* two of them race: the first save wins, the second is refused
     * before it writes anything */

    ems(&e2, f, &f->alice, e.now);
    e3 = e2;

    is_int(exch_ems_session_load(&e2, key), EXS_OK, "a request loads it");
    is_int(exch_ems_session_load(&e3, key), EXS_OK, "and another one");
    is_int(exch_ems_session_claim_late(&e2), EXS_OK, "both claim late");
    is_int(exch_ems_session_claim_late(&e3), EXS_OK, "both claim late (2)");
    memcpy(seq, e2.s->seq, 16);
    is_int(exch_ems_session_save(&e2), EXS_OK, "the first save claims");
    is_int(exch_ems_session_save(&e3), EXS_CONFLICT,
           "the second save is refused");
    e3.s = NULL;
    is_int(exch_ems_session_load(&e3, key), EXS_OK, "loaded again");
    ok(memcmp(e3.s->seq, seq, 16) == 0, "with the winner's sequence");

    /* another user never loads it */

    ems(&e2, f, &f->bob, e.now);

    rc = exch_ems_session_load(&e2, key);
    ok(rc != EXS_OK || e2.s->user != f->bob.id,
       "the session is alice's, not bob's");

    is_int(exch_ems_session_destroy(&e), EXS_OK, "destroyed");
    ems(&e2, f, &f->alice, 0);
    is_int(exch_ems_session_load(&e2, key), EXS_NOTFOUND, "and gone");
}


static void
test_bound(mapi_fixture_t *f)
{
    int          i, found;
    uint8_t      keys[6][20];
    exch_ems_t   e;

    for (i = 0; i < 6; i++) {
        ems(&e, f, &f->bob, (int64_t) time(NULL));
        exch_ems_session_create(&e, 1252, 1033, 1033);
        memcpy(keys[i], e.s->key, 20);
    }

    found = 0;
    for (i = 0; i < 6; i++) {
        ems(&e, f, &f->bob, 0);
        if (exch_ems_session_load(&e, keys[i]) == EXS_OK) {
            found |= 1 << i;
        }
    }

    is_int(found, 0x3C, "of six sessions the four newest remain");
}


int
main(void)
{
    mapi_fixture_t  *f;

    ar = exs_arena_create(0);

    test_cookies();
    test_serializer();

    f = mapi_fixture();
    ok(f != NULL, "a store with alice, bob and mail");
    if (f) {
        test_session(f);
        test_bound(f);
    }

    exs_arena_destroy(ar);

    return done_testing();
}
