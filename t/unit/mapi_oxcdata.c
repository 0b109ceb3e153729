
/*
 * MS-OXCDATA wire forms: strings, property values in the ROP, wide and
 * address book contexts, rows, restrictions, sort orders, names, ids.
 */


#include <stdlib.h>
#include <exs_mapi.h>
#include <exch_wire.h>
#include <exch_oxcdata.h>
#include <tap.h>
#include "mapi_util.h"


static exs_arena_t  *ar;


static void test_strings(void);
static void test_codepages(void);
static void all_types(exs_props_t *props);
static void test_values(unsigned flags, const char *ctx);
static void test_value_bytes(void);
static void test_spec_setproperties(void);
static void test_rows(void);
static exs_restriction_t *restriction_tree(void);
static void test_restrictions(void);
static void test_sortorder_names_ids(void);
static void test_truncations(void);


static void
test_strings(void)
{
    exs_str_t  s;
    exs_bin_t  b;
    size_t     n;
    uint8_t    in[64];

    static const char  *utf8 = "h\xc3\xa9llo \xe2\x82\xac\xf0\x9f\x98\x80";

    is_int(exch_utf8_to_utf16(ar, utf8, strlen(utf8), 1, &b), EXCH_OK,
           "UTF-8 to UTF-16");
    n = hex("68 00 e9 00 6c 00 6c 00 6f 00 20 00 ac 20 3d d8 00 de",
            in, sizeof(in));
    is_mem(b.data, b.len, in, n,
           "BMP characters and a surrogate pair for U+1F600");
    is_int(exch_utf16_to_utf8(ar, b.data, b.len, 1, &s), EXCH_OK,
           "and back");
    is_str(s.data, utf8, "the same UTF-8");

    n = hex("00 d8 41 00", in, sizeof(in));
    is_int(exch_utf16_to_utf8(ar, in, n, 0, &s), EXCH_OK,
           "a lone high surrogate is accepted when not strict");
    is_str(s.data, "\xef\xbf\xbd" "A", "and becomes U+FFFD");
    is_int(exch_utf16_to_utf8(ar, in, n, 1, &s), EXCH_ERR_CHARSET,
           "and refused when strict");
    n = hex("00 dc 00 d8", in, sizeof(in));
    exch_utf16_to_utf8(ar, in, n, 0, &s);
    is_str(s.data, "\xef\xbf\xbd\xef\xbf\xbd",
           "a reversed pair is two replacements");
    is_int(exch_utf16_to_utf8(ar, in, 3, 0, &s), EXCH_ERR_FORMAT,
           "an odd byte count is malformed");

    is_int(exch_utf16_len("a\xff" "b", 3, 1), -1,
           "invalid UTF-8 is refused when strict");
    is_int(exch_utf16_len("a\xff" "b", 3, 0), 6,
           "and counted as U+FFFD otherwise");
    is_int(exch_utf16_len("\xed\xa0\x80", 3, 1), -1,
           "an encoded surrogate is not UTF-8");
    is_int(exch_utf16_len("\xc0\xaf", 2, 1), -1, "an overlong form neither");
}


static void
test_codepages(void)
{
    exs_str_t  s;

    is_int(exch_str8_to_utf8(ar, 1252, "caf\xe9 \x80", 6, &s), EXCH_OK,
           "cp1252 to UTF-8");
    is_str(s.data, "caf\xc3\xa9 \xe2\x82\xac", "e-acute and the euro sign");
    is_int(exch_utf8_to_str8(ar, 1252, "caf\xc3\xa9", 5, &s), EXCH_OK,
           "UTF-8 to cp1252");
    is_mem(s.data, s.len, "caf\xe9", 4, "one byte for e-acute");
    is_int(exch_utf8_to_str8(ar, 1252, "\xe6\x97\xa5\xe6\x9c\xac", 6, &s),
           EXCH_OK, "characters cp1252 lacks");
    is_str(s.data, "??", "become one '?' each");
    is_int(exch_utf8_to_str8(ar, 932, "\xe6\x97\xa5", 3, &s), EXCH_OK,
           "UTF-8 to Shift_JIS");
    is_mem(s.data, s.len, "\x93\xfa", 2, "the two-byte form");
    is_int(exch_str8_to_utf8(ar, 4242, "x", 1, &s), EXCH_ERR_CHARSET,
           "an unknown code page is an error");
    is_str(exch_cpid_charset(65001), "UTF-8", "65001 is UTF-8");
    ok(exch_cpid_charset(1) == NULL, "code page 1 is unknown");
}


/* one value of every type */

static void
all_types(exs_props_t *props)
{
    exs_prop_t  *v;

    static uint8_t     guid[16] = { 1, 2, 3, 4, 5, 6, 7, 8,
                                    9, 10, 11, 12, 13, 14, 15, 16 };
    static int16_t     shorts[] = { -1, 2 };
    static int32_t     longs[] = { 7, -8, 9 };
    static float       floats[] = { 1.5f };
    static double      doubles[] = { 2.25, -0.5 };
    static int64_t     lls[] = { 0x0102030405060708LL };
    static exs_str_t   strs[] = { { 1, "a" }, { 0, "" },
                                  { 6, "\xe2\x82\xac" "b\xc3\xa9" } };
    static exs_str_t   strs8[] = { { 2, "xy" } };
    static exs_bin_t   bins[] = { { 3, (const uint8_t *) "\x01\x02\x03" },
                                  { 0, NULL } };
    static exs_bin_t   clsids[] = { { 16, guid } };

    props->n = 0;
    props->cap = 32;
    props->v = exs_calloc(ar, 32 * sizeof(exs_prop_t));
    v = props->v;

#define ADD(t, id)  (v = &props->v[props->n++], v->tag = PROP_TAG(t, id), v)

    (void) ADD(PT_NULL, 0x6600);
    ADD(PT_SHORT, 0x6601)->v.i = -2;
    ADD(PT_LONG, 0x6602)->v.l = 0x12345678;
    ADD(PT_FLOAT, 0x6603)->v.f = 3.5f;
    ADD(PT_DOUBLE, 0x6604)->v.d = 1e100;
    ADD(PT_CURRENCY, 0x6605)->v.ll = 12345;
    ADD(PT_APPTIME, 0x6606)->v.d = 5.25;
    ADD(PT_ERROR, 0x6607)->v.l = (int32_t) EXCH_EC_NOT_FOUND;
    ADD(PT_BOOLEAN, 0x6608)->v.b = 1;
    ADD(PT_I8, 0x6609)->v.ll = -1;
    ADD(PT_STRING8, 0x660A)->v.str = strs8[0];
    ADD(PT_UNICODE, 0x660B)->v.str = strs[2];
    ADD(PT_SYSTIME, 0x660C)->v.ll = 130000000000000000LL;
    ADD(PT_CLSID, 0x660D)->v.bin = clsids[0];
    ADD(PT_BINARY, 0x660E)->v.bin = bins[0];
    ADD(PT_SVREID, 0x660F)->v.bin = bins[0];
    ADD(PT_MV_SHORT, 0x6610)->v.mv.n = 2;
    v->v.mv.v.i = shorts;
    ADD(PT_MV_LONG, 0x6611)->v.mv.n = 3;
    v->v.mv.v.l = longs;
    ADD(PT_MV_FLOAT, 0x6612)->v.mv.n = 1;
    v->v.mv.v.f = floats;
    ADD(PT_MV_DOUBLE, 0x6613)->v.mv.n = 2;
    v->v.mv.v.d = doubles;
    ADD(PT_MV_CURRENCY, 0x6614)->v.mv.n = 1;
    v->v.mv.v.ll = lls;
    ADD(PT_MV_APPTIME, 0x6615)->v.mv.n = 2;
    v->v.mv.v.d = doubles;
    ADD(PT_MV_I8, 0x6616)->v.mv.n = 1;
    v->v.mv.v.ll = lls;
    ADD(PT_MV_STRING8, 0x6617)->v.mv.n = 1;
    v->v.mv.v.str = strs8;
    ADD(PT_MV_UNICODE, 0x6618)->v.mv.n = 3;
    v->v.mv.v.str = strs;
    ADD(PT_MV_SYSTIME, 0x6619)->v.mv.n = 1;
    v->v.mv.v.ll = lls;
    ADD(PT_MV_CLSID, 0x661A)->v.mv.n = 1;
    v->v.mv.v.bin = clsids;
    ADD(PT_MV_BINARY, 0x661B)->v.mv.n = 2;
    v->v.mv.v.bin = bins;

#undef ADD
}


static void
test_values(unsigned flags, const char *ctx)
{
    int           same;
    uint8_t      *b1, *b2;
    uint32_t      i;
    exch_rd_t     r;
    exch_wr_t     w1, w2;
    exs_prop_t   *p;
    exs_props_t   props, back;

    all_types(&props);

    exch_wr_init_grow(&w1, ar, 64, 1 << 20);
    w1.flags = flags;
    is_int(exch_write_tagged_array(&w1, flags != 0, &props), EXCH_OK,
           "%s: write every type", ctx);
    b1 = w1.buf;

    exch_rd_init(&r, b1, w1.len, ar, flags);
    is_int(exch_read_tagged_array(&r, flags != 0, &back), EXCH_OK,
           "%s: read every type back", ctx);
    is_int(exch_rd_left(&r), 0, "%s: all bytes consumed", ctx);
    is_int(back.n, props.n, "%s: %u values", ctx, props.n);

    same = 1;

    for (i = 0; i < back.n && i < props.n; i++) {
        if (back.v[i].tag != props.v[i].tag) {
            same = 0;
        }
    }

    ok(same, "%s: the tags match", ctx);

    p = exs_props_get(&back, PROP_TAG(PT_UNICODE, 0x660B));
    is_str(p ? p->v.str.data : NULL, "\xe2\x82\xac" "b\xc3\xa9",
           "%s: the Unicode string", ctx);
    p = exs_props_get(&back, PROP_TAG(PT_MV_UNICODE, 0x6618));
    ok(p && p->v.mv.n == 3 && strcmp(p->v.mv.v.str[0].data, "a") == 0
       && p->v.mv.v.str[1].len == 0, "%s: the multi-valued strings", ctx);
    p = exs_props_get(&back, PROP_TAG(PT_DOUBLE, 0x6604));
    ok(p && p->v.d == 1e100, "%s: a double", ctx);
    p = exs_props_get(&back, PROP_TAG(PT_MV_BINARY, 0x661B));
    ok(p && p->v.mv.n == 2 && p->v.mv.v.bin[0].len == 3
       && p->v.mv.v.bin[1].len == 0, "%s: multi-valued binaries", ctx);
    p = exs_props_get(&back, PROP_TAG(PT_I8, 0x6609));
    ok(p && p->v.ll == -1, "%s: a 64-bit integer", ctx);

    /* writing what was read gives the same bytes */
    exch_wr_init_grow(&w2, ar, 64, 1 << 20);
    w2.flags = flags;
    exch_write_tagged_array(&w2, flags != 0, &back);
    b2 = w2.buf;
    is_mem(b2, w2.len, b1, w1.len, "%s: re-encoding is identical", ctx);
}


static void
test_value_bytes(void)
{
    size_t       n;
    uint8_t      in[64];
    exch_wr_t    w;
    exs_prop_t   p;
    uint8_t      buf[64];

    memset(&p, 0, sizeof(p));
    p.tag = PROP_TAG(PT_BINARY, 0x0FFF);
    p.v.bin.data = (const uint8_t *) "\xAA\xBB";
    p.v.bin.len = 2;

    exch_wr_init(&w, buf, sizeof(buf));
    exch_write_tagged(&w, &p);
    n = hex("02 01 ff 0f 02 00 aa bb", in, sizeof(in));
    is_mem(buf, w.len, in, n, "ROP binary: a 16-bit byte count");

    exch_wr_init(&w, buf, sizeof(buf));
    w.flags = EXCH_F_WIDE;
    exch_write_tagged(&w, &p);
    n = hex("02 01 ff 0f 02 00 00 00 aa bb", in, sizeof(in));
    is_mem(buf, w.len, in, n, "wide binary: a 32-bit byte count");

    exch_wr_init(&w, buf, sizeof(buf));
    w.flags = EXCH_F_ABK;
    exch_write_tagged(&w, &p);
    n = hex("02 01 ff 0f ff 02 00 00 00 aa bb", in, sizeof(in));
    is_mem(buf, w.len, in, n, "address book binary: HasValue, 32-bit count");

    memset(&p, 0, sizeof(p));
    p.tag = PROP_TAG(PT_BOOLEAN, 0x0E1B);
    p.v.b = 1;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_write_tagged(&w, &p);
    n = hex("0b 00 1b 0e 01", in, sizeof(in));
    is_mem(buf, w.len, in, n, "a boolean is one byte");

    exch_wr_init(&w, buf, 6);
    p.tag = PROP_TAG(PT_I8, 0x0E08);
    is_int(exch_write_tagged(&w, &p), EXCH_ERR_BUFSIZE,
           "a value that does not fit: EXCH_ERR_BUFSIZE");
    exch_wr_truncate(&w, 0);
    is_int(w.err, EXCH_OK, "truncate clears it");
}


/* MS-OXCPRPT 4.x: the RopSetProperties example's PropertyValues */

static void
test_spec_setproperties(void)
{
    size_t        n;
    uint8_t       in[128];
    exch_rd_t     r;
    exs_props_t   props;

    n = hex("02 00 1F 00 3D 00 00 00 1F 00 1D 0E 48 00 65 00 6C 00 6C 00 6F"
            " 00 20 00 57 00 6F 00 72 00 6C 00 64 00 00 00", in, sizeof(in));
    is_int(n, 36, "36 bytes, as PropertyValueSize says");

    exch_rd_init(&r, in, n, ar, 0);
    is_int(exch_read_tagged_array(&r, 0, &props), EXCH_OK,
           "the two values of the example parse");
    is_int(props.n, 2, "two values");
    is_int(props.v[0].tag, 0x003D001F, "PidTagSubjectPrefix");
    is_int(props.v[0].v.str.len, 0, "empty");
    is_int(props.v[1].tag, 0x0E1D001F, "PidTagNormalizedSubject");
    is_str(props.v[1].v.str.data, "Hello World", "\"Hello World\"");
}


static void
test_rows(void)
{
    size_t        n;
    uint8_t       buf[256], in[128];
    uint32_t      cols[5];
    exch_rd_t     r;
    exch_wr_t     w;
    exs_prop_t    vals[4];
    exs_props_t   row, back;

    memset(vals, 0, sizeof(vals));
    vals[0].tag = PROP_TAG(PT_LONG, 0x0E08);
    vals[0].v.l = 42;
    vals[1].tag = PROP_TAG(PT_UNICODE, 0x0037);
    vals[1].v.str.data = "caf\xc3\xa9";
    vals[1].v.str.len = 5;
    vals[2].tag = PROP_TAG(PT_ERROR, 0x1000);
    vals[2].v.l = (int32_t) EXCH_EC_NOT_ENOUGH_MEMORY;

    row.n = 2;
    row.cap = 4;
    row.v = vals;

    cols[0] = PROP_TAG(PT_LONG, 0x0E08);
    cols[1] = PROP_TAG(PT_UNICODE, 0x0037);

    exch_wr_init(&w, buf, sizeof(buf));
    exch_write_row(&w, cols, 2, &row);
    n = hex("00 2a 00 00 00 63 00 61 00 66 00 e9 00 00 00", in, sizeof(in));
    is_mem(buf, w.len, in, n, "a standard row: flag 0, values only");

    cols[1] = PROP_TAG(PT_STRING8, 0x0037);
    exch_wr_init(&w, buf, sizeof(buf));
    exch_write_row(&w, cols, 2, &row);
    n = hex("00 2a 00 00 00 63 61 66 e9 00", in, sizeof(in));
    is_mem(buf, w.len, in, n,
           "a PT_STRING8 column takes the Unicode value in cp1252");

    cols[1] = PROP_TAG(PT_UNSPECIFIED, 0x0037);
    cols[2] = PROP_TAG(PT_UNICODE, 0x1000);
    cols[3] = PROP_TAG(PT_LONG, 0x0FF9);
    row.n = 3;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_write_row(&w, cols, 4, &row);
    n = hex("01 00 2a 00 00 00 1f 00 00 63 00 61 00 66 00 e9 00 00 00"
            " 0a 0e 00 07 80 0a 0f 01 04 80", in, sizeof(in));
    is_mem(buf, w.len, in, n,
           "a flagged row: typed value for PT_UNSPECIFIED, the row's "
           "error, ecNotFound for a missing column");

    exch_rd_init(&r, buf, w.len, ar, 0);
    is_int(exch_read_row(&r, cols, 4, &back), EXCH_OK, "read it back");
    is_int(back.n, 4, "four values");
    is_int(back.v[1].tag, PROP_TAG(PT_UNICODE, 0x0037),
           "the typed value has its type");
    is_int(back.v[2].tag, PROP_TAG(PT_ERROR, 0x1000), "an error value");
    is_int((uint32_t) back.v[3].v.l, EXCH_EC_NOT_FOUND, "ecNotFound");

    /* a flagged "absent" value is left out */
    cols[1] = PROP_TAG(PT_UNICODE, 0x0037);
    n = hex("01 00 2a 00 00 00 01", in, sizeof(in));
    exch_rd_init(&r, in, n, ar, 0);
    is_int(exch_read_row(&r, cols, 2, &back), EXCH_OK,
           "flag 0x01 means no value");
    is_int(back.n, 1, "only one value");

    n = hex("02 2a 00 00 00", in, sizeof(in));
    exch_rd_init(&r, in, n, ar, 0);
    is_int(exch_read_row(&r, cols, 1, &back), EXCH_ERR_FORMAT,
           "a row flag of 2 is malformed");
    n = hex("01 07 2a 00 00 00", in, sizeof(in));
    exch_rd_init(&r, in, n, ar, 0);
    is_int(exch_read_row(&r, cols, 1, &back), EXCH_ERR_FORMAT,
           "a value flag of 7 is malformed");

    /* address book rows: HasValue before strings */
    cols[0] = PROP_TAG(PT_UNICODE, 0x3001);
    vals[0].tag = cols[0];
    vals[0].v.str.data = "A";
    vals[0].v.str.len = 1;
    row.n = 1;
    exch_wr_init(&w, buf, sizeof(buf));
    w.flags = EXCH_F_ABK;
    exch_write_row(&w, cols, 1, &row);
    n = hex("00 ff 41 00 00 00", in, sizeof(in));
    is_mem(buf, w.len, in, n, "an AddressBookPropertyRow value");

    /* a multi-value instance column */
    cols[0] = PROP_TAG(PT_MV_UNICODE | PT_MV_INSTANCE, 0x8001);
    vals[0].tag = cols[0];
    exch_wr_init(&w, buf, sizeof(buf));
    exch_write_row(&w, cols, 1, &row);
    n = hex("00 41 00 00 00", in, sizeof(in));
    is_mem(buf, w.len, in, n, "an MVI column is one value of the base type");
}


static exs_restriction_t *
restriction_tree(void)
{
    exs_restriction_t  *and, *s;
    exs_prop_t         *cv;

    and = exs_calloc(ar, sizeof(exs_restriction_t));
    s = exs_calloc(ar, 12 * sizeof(exs_restriction_t));
    cv = exs_calloc(ar, 2 * sizeof(exs_prop_t));

    and->type = RES_AND;
    and->u.andor.n = 11;
    and->u.andor.sub = s;

    s[0].type = RES_CONTENT;
    s[0].u.content.fuzzy = FL_SUBSTRING | FL_IGNORECASE;
    s[0].u.content.tag = PR_SUBJECT;
    s[0].u.content.val.tag = PR_SUBJECT;
    s[0].u.content.val.v.str.data = "hello";
    s[0].u.content.val.v.str.len = 5;

    s[1].type = RES_PROPERTY;
    s[1].u.prop.relop = RELOP_GE;
    s[1].u.prop.tag = PROP_TAG(PT_LONG, 0x0E08);
    s[1].u.prop.val.tag = PROP_TAG(PT_LONG, 0x0E08);
    s[1].u.prop.val.v.l = 100;

    s[2].type = RES_COMPAREPROPS;
    s[2].u.cmp.relop = RELOP_LT;
    s[2].u.cmp.tag1 = PROP_TAG(PT_SYSTIME, 0x0E06);
    s[2].u.cmp.tag2 = PROP_TAG(PT_SYSTIME, 0x3008);

    s[3].type = RES_BITMASK;
    s[3].u.bitmask.op = BMR_NEZ;
    s[3].u.bitmask.tag = PROP_TAG(PT_LONG, 0x0E07);
    s[3].u.bitmask.mask = 1;

    s[4].type = RES_SIZE;
    s[4].u.size.relop = RELOP_GT;
    s[4].u.size.tag = PROP_TAG(PT_BINARY, 0x1009);
    s[4].u.size.size = 1000;

    s[5].type = RES_EXIST;
    s[5].u.exist.tag = PROP_TAG(PT_UNICODE, 0x0C1A);

    s[6].type = RES_NOT;
    s[6].u.not.sub = &s[11];
    s[11].type = RES_EXIST;
    s[11].u.exist.tag = PROP_TAG(PT_LONG, 0x1080);

    s[7].type = RES_SUBRESTRICTION;
    s[7].u.sub.subobject = PR_MESSAGE_RECIPIENTS;
    s[7].u.sub.sub = &s[5];

    cv[0].tag = PROP_TAG(PT_LONG, 0x6700);
    cv[0].v.l = 1;
    s[8].type = RES_COMMENT;
    s[8].u.comment.nprops = 1;
    s[8].u.comment.props = cv;
    s[8].u.comment.sub = &s[5];

    s[9].type = RES_COUNT;
    s[9].u.count.count = 10;
    s[9].u.count.sub = &s[3];

    s[10].type = RES_OR;
    s[10].u.andor.n = 2;
    s[10].u.andor.sub = &s[4];

    return and;
}


static void
test_restrictions(void)
{
    int                 i;
    size_t              n, len1;
    uint8_t             in[64], b1[1024], b2[1024];
    exch_rd_t           r;
    exch_wr_t           w;
    exs_restriction_t   res, *deep;

    exch_wr_init(&w, b1, sizeof(b1));
    is_int(exch_write_restriction(&w, restriction_tree()), EXCH_OK,
           "a tree with every restriction type is written");
    len1 = w.len;

    exch_rd_init(&r, b1, len1, ar, 0);
    is_int(exch_read_restriction(&r, &res), EXCH_OK, "and read back");
    is_int(exch_rd_left(&r), 0, "to its end");
    ok(res.type == RES_AND && res.u.andor.n == 11, "an And of 11");
    ok(res.u.andor.sub[0].type == RES_CONTENT
       && res.u.andor.sub[0].u.content.fuzzy
          == (FL_SUBSTRING | FL_IGNORECASE)
       && strcmp(res.u.andor.sub[0].u.content.val.v.str.data, "hello") == 0,
       "the content restriction");
    ok(res.u.andor.sub[8].type == RES_COMMENT
       && res.u.andor.sub[8].u.comment.nprops == 1
       && res.u.andor.sub[8].u.comment.sub->type == RES_EXIST,
       "the comment restriction and its restriction");

    exch_wr_init(&w, b2, sizeof(b2));
    exch_write_restriction(&w, &res);
    is_mem(b2, w.len, b1, len1, "re-encoding is identical");

    /* known bytes: PR_SUBJECT == "a", in an And of one (16-bit count) */
    n = hex("00 01 00 04 04 1f 00 37 00 1f 00 37 00 61 00 00 00",
            in, sizeof(in));
    exch_rd_init(&r, in, n, ar, 0);
    is_int(exch_read_restriction(&r, &res), EXCH_OK, "a ROP restriction");
    ok(res.u.andor.n == 1 && res.u.andor.sub[0].u.prop.relop == RELOP_EQ,
       "And of one property restriction");

    n = hex("00 01 00 00 00 08 1f 00 37 00", in, sizeof(in));
    exch_rd_init(&r, in, n, ar, EXCH_F_WIDE);
    is_int(exch_read_restriction(&r, &res), EXCH_OK,
           "a wide restriction: a 32-bit And count");
    exch_rd_init(&r, in, n, ar, EXCH_F_ABK);
    is_int(exch_read_restriction(&r, &res), EXCH_OK,
           "the address book context reads restrictions wide");

    n = hex("0c", in, sizeof(in));
    exch_rd_init(&r, in, n, ar, 0);
    is_int(exch_read_restriction(&r, &res), EXCH_ERR_FORMAT,
           "type 0x0C is unknown");
    n = hex("0a 00 00", in, sizeof(in));
    exch_rd_init(&r, in, n, ar, 0);
    is_int(exch_read_restriction(&r, &res), EXCH_ERR_FORMAT,
           "a comment restriction without values is malformed");
    n = hex("00 ff ff", in, sizeof(in));
    exch_rd_init(&r, in, n, ar, 0);
    is_int(exch_read_restriction(&r, &res), EXCH_ERR_TRUNCATED,
           "a count of 65535 with no bytes is refused before allocating");

    /* nesting */
    deep = exs_calloc(ar, 200);

    for (i = 0; i < EXCH_RES_MAX_DEPTH - 1; i++) {
        ((uint8_t *) deep)[i] = RES_NOT;
    }

    ((uint8_t *) deep)[i] = RES_EXIST;
    exch_rd_init(&r, deep, (size_t) i + 5, ar, 0);
    is_int(exch_read_restriction(&r, &res), EXCH_OK,
           "%d nested restrictions are accepted", EXCH_RES_MAX_DEPTH);

    ((uint8_t *) deep)[i] = RES_NOT;
    ((uint8_t *) deep)[i + 1] = RES_EXIST;
    exch_rd_init(&r, deep, (size_t) i + 6, ar, 0);
    is_int(exch_read_restriction(&r, &res), EXCH_ERR_DEPTH,
           "one more level is EXCH_ERR_DEPTH");
}


static void
test_sortorder_names_ids(void)
{
    size_t            n;
    uint8_t           in[64], buf[128];
    exch_rd_t         r;
    exch_wr_t         w;
    exch_ltid_t       lt;
    exch_eid_t        eid;
    exs_propname_t    name;
    exs_sortorder_t   so;
    exch_problem_t   *pp, probs[2];
    uint16_t          np;
    uint64_t          id;

    n = hex("02 00 01 00 00 00 03 00 70 00 00 40 00 06 0e 01", in,
            sizeof(in));
    exch_rd_init(&r, in, n, ar, 0);
    is_int(exch_read_sortorder(&r, &so), EXCH_OK, "a sort order set");
    ok(so.n == 2 && so.ncategories == 1 && so.nexpanded == 0
       && so.keys[0].tag == 0x00700003 && so.keys[1].order
          == TABLE_SORT_DESCEND, "two keys, one category");
    exch_wr_init(&w, buf, sizeof(buf));
    exch_write_sortorder(&w, &so);
    is_mem(buf, w.len, in, n, "written back identically");
    n = hex("01 00 02 00 00 00 03 00 70 00 00", in, sizeof(in));
    exch_rd_init(&r, in, n, ar, 0);
    is_int(exch_read_sortorder(&r, &so), EXCH_ERR_FORMAT,
           "more categories than keys is malformed");

    n = hex("00 29 03 02 00 00 00 00 00 c0 00 00 00 00 00 00 46 1c 85 00 00",
            in, sizeof(in));
    exch_rd_init(&r, in, n, ar, 0);
    is_int(exch_read_propname(&r, &name), EXCH_OK, "MNID_ID name");
    ok(name.kind == MNID_ID && name.lid == 0x851C
       && name.guid[0] == 0x29, "kind 0, the LID, the GUID in wire order");

    memset(&name, 0, sizeof(name));
    name.kind = MNID_STRING;
    name.name = "Keywords";
    exch_wr_init(&w, buf, sizeof(buf));
    exch_write_propname(&w, &name);
    is_int(buf[17], 18, "NameSize counts the UTF-16 bytes and the NUL");
    exch_rd_init(&r, buf, w.len, ar, 0);
    is_int(exch_read_propname(&r, &name), EXCH_OK, "MNID_STRING back");
    is_str(name.name, "Keywords", "the name");
    n = hex("02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", in,
            sizeof(in));
    exch_rd_init(&r, in, n, ar, 0);
    is_int(exch_read_propname(&r, &name), EXCH_ERR_FORMAT, "kind 2 is bad");

    probs[0].index = 1;
    probs[0].tag = 0x0037001F;
    probs[0].err = EXCH_EC_ACCESS_DENIED;
    probs[1].index = 3;
    probs[1].tag = 0x0E080003;
    probs[1].err = EXCH_EC_NOT_FOUND;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_write_problems(&w, probs, 2);
    exch_rd_init(&r, buf, w.len, ar, 0);
    ok(exch_read_problems(&r, &pp, &np) == EXCH_OK && np == 2
       && pp[1].index == 3 && pp[0].err == EXCH_EC_ACCESS_DENIED,
       "property problems round-trip");

    id = exch_id_make(1, 0x123456789ABCULL);
    exch_put64(buf, id);
    n = hex("01 00 12 34 56 78 9a bc", in, sizeof(in));
    is_mem(buf, 8, in, n,
           "a folder id: replica id, then the counter big-endian");
    ok(exch_id_replid(id) == 1 && exch_id_counter(id) == 0x123456789ABCULL,
       "replica id and counter come back");

    n = hex("00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 00 00 00 00 00"
            " 2a 00 00", in, sizeof(in));
    exch_rd_init(&r, in, n, ar, 0);
    ok(exch_read_ltid(&r, &lt) == EXCH_OK
       && exch_globcnt_get(lt.globcnt) == 42, "a LongTermId");

    memset(&eid, 0, sizeof(eid));
    eid.type = EXCH_EID_PRIVATE_MESSAGE;
    eid.folder_counter = 7;
    eid.message_counter = 9;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_eid_write(&w, &eid);
    is_int(w.len, EXCH_MESSAGE_EID_SIZE, "a message entry id is 70 bytes");
    ok(exch_eid_parse(buf, w.len, &eid) == EXCH_OK
       && eid.folder_counter == 7 && eid.message_counter == 9,
       "and parses back");
    eid.type = EXCH_EID_PRIVATE_FOLDER;
    exch_wr_init(&w, buf, sizeof(buf));
    exch_eid_write(&w, &eid);
    is_int(w.len, EXCH_FOLDER_EID_SIZE, "a folder entry id is 46 bytes");
    is_int(exch_eid_parse(buf, 45, &eid), EXCH_ERR_FORMAT,
           "another size is not a folder or message entry id");
    buf[20] = 7;
    is_int(exch_eid_parse(buf, 46, &eid), EXCH_ERR_FORMAT,
           "a folder-sized entry id of message type is refused");
}


/* every proper prefix of valid encodings is refused without a crash */

static void
test_truncations(void)
{
    size_t        i, len, bad;
    uint8_t       buf[4096];
    exch_rd_t     r;
    exch_wr_t     w;
    exs_props_t   props;
    exs_restriction_t  res;

    all_types(&props);
    exch_wr_init(&w, buf, sizeof(buf));
    exch_write_tagged_array(&w, 0, &props);
    len = w.len;
    bad = 0;

    for (i = 0; i < len; i++) {
        exch_rd_init(&r, buf, i, ar, 0);
        if (exch_read_tagged_array(&r, 0, &props) == EXCH_OK) {
            bad++;
        }
    }

    is_int(bad, 0, "no prefix of %zu bytes of values parses", len);

    exch_wr_init(&w, buf, sizeof(buf));
    exch_write_restriction(&w, restriction_tree());
    len = w.len;
    bad = 0;

    for (i = 0; i < len; i++) {
        exch_rd_init(&r, buf, i, ar, 0);
        if (exch_read_restriction(&r, &res) == EXCH_OK) {
            bad++;
        }
    }

    is_int(bad, 0, "no prefix of a %zu-byte restriction parses", len);

    /* garbage: nothing may crash (ASan watches) */
    for (i = 0; i < sizeof(buf); i++) {
        buf[i] = (uint8_t) (i * 7919 >> 3);
    }

    for (i = 0; i < 512; i++) {
        exch_rd_init(&r, buf + i, sizeof(buf) - i, ar, 0);
        (void) exch_read_restriction(&r, &res);
        exch_rd_init(&r, buf + i, sizeof(buf) - i, ar, EXCH_F_ABK);
        (void) exch_read_tagged_array(&r, 1, &props);
    }

    ok(1, "garbage parses without crashing");
}


int
main(void)
{
    ar = exs_arena_create(0);

    test_strings();
    test_codepages();
    test_values(0, "ROP");
    test_values(EXCH_F_WIDE, "wide");
    test_values(EXCH_F_ABK, "address book");
    test_value_bytes();
    test_spec_setproperties();
    test_rows();
    test_restrictions();
    test_sortorder_names_ids();
    test_truncations();

    exs_arena_destroy(ar);

    return done_testing();
}
