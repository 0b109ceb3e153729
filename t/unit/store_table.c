
/*
 * Tables and restrictions: contents tables in index order (delivery time,
 * IMAP UID) paged and counted, any other sort built (multi-column, a named
 * property, one row per value of a multi-valued instance sort key), every
 * restriction type of MS-OXCDATA 2.12, positions and find, hierarchy tables
 * shallow and deep, associated, soft-deleted and search folder contents.
 */


#include <tap.h>
#include "store_util.h"


#define N  30

static exs_env_t    *env;
static uint32_t      mbid;
static exs_arena_t  *ar;
static exs_id_t      fid, mids[N];
static uint16_t      kw_id;
static uint8_t       group_eid[512], user_eid[512];
static size_t        group_len, user_len;

static const uint8_t  ab_provider[16] = {
    0xDC, 0xA7, 0x40, 0xC8, 0xC0, 0x42, 0x10, 0x1A,
    0xB4, 0xB9, 0x08, 0x00, 0x2B, 0x2F, 0xE1, 0x82
};


static size_t
ab_eid(uint8_t *p, const char *dn)
{
    memset(p, 0, 28);
    memcpy(p + 4, ab_provider, 16);
    p[20] = 1;
    memcpy(p + 28, dn, strlen(dn) + 1);

    return 28 + strlen(dn) + 1;
}


static exs_restriction_t *
res_new(uint8_t type)
{
    exs_restriction_t  *r;

    r = exs_calloc(ar, sizeof(exs_restriction_t));
    r->type = type;

    return r;
}


static exs_restriction_t *
res_prop_long(uint8_t relop, uint32_t tag, int32_t v)
{
    exs_restriction_t  *r;

    r = res_new(RES_PROPERTY);
    r->u.prop.relop = relop;
    r->u.prop.tag = tag;
    r->u.prop.val.tag = tag;
    r->u.prop.val.v.l = v;

    return r;
}


static exs_restriction_t *
res_prop_str(uint8_t relop, uint32_t tag, const char *s)
{
    exs_restriction_t  *r;

    r = res_new(RES_PROPERTY);
    r->u.prop.relop = relop;
    r->u.prop.tag = tag;
    r->u.prop.val.tag = PROP_CHANGE_TYPE(tag, PT_UNICODE);
    r->u.prop.val.v.str.data = s;
    r->u.prop.val.v.str.len = strlen(s);

    return r;
}


static exs_restriction_t *
res_content(uint32_t fuzzy, uint32_t tag, const char *s)
{
    exs_restriction_t  *r;

    r = res_new(RES_CONTENT);
    r->u.content.fuzzy = fuzzy;
    r->u.content.tag = tag;
    r->u.content.val.tag = tag;
    r->u.content.val.v.str.data = s;
    r->u.content.val.v.str.len = strlen(s);

    return r;
}


static exs_restriction_t *
res_and_or(uint8_t type, exs_restriction_t *a, exs_restriction_t *b)
{
    exs_restriction_t  *r;

    r = res_new(type);
    r->u.andor.n = 2;
    r->u.andor.sub = exs_alloc(ar, 2 * sizeof(exs_restriction_t));
    r->u.andor.sub[0] = *a;
    r->u.andor.sub[1] = *b;

    return r;
}


static exs_restriction_t *
res_not(exs_restriction_t *a)
{
    exs_restriction_t  *r;

    r = res_new(RES_NOT);
    r->u.not.sub = a;

    return r;
}


/* the number of rows a restriction lets through in the folder */
static int
count_rows(const exs_restriction_t *res)
{
    int           rc;
    uint32_t      n;
    exs_txn_t    *txn;
    exs_mbox_t   *mb;
    exs_table_t  *t;

    exs_txn_begin(env, EXS_TXN_RDONLY, &txn);
    exs_mbox_open(txn, mbid, 0, &mb);

    rc = exs_table_open(mb, fid, EXS_TABLE_CONTENTS, 0, NULL, res, &t, ar);
    if (rc == EXS_OK) {
        rc = exs_table_count(t, &n);
    }

    exs_txn_abort(txn);

    return rc == EXS_OK ? (int) n : rc;
}


static void
setup(void)
{
    int              i;
    char             subject[64];
    exs_txn_t       *txn;
    exs_mbox_t      *mb;
    exs_msg_t       *m;
    exs_rcpt_t      *r;
    exs_prop_t       p;
    exs_props_t      props;
    exs_str_t       *kw;
    exs_namemap_t   *nm;
    exs_propname_t   name = { { 0 }, MNID_STRING, 0, "Keywords" };
    exs_dirent_t     e;
    uint32_t         uid, gid;

    exs_txn_begin(env, 0, &txn);
    exs_mbox_open(txn, mbid, 0, &mb);

    props.n = 0;
    props.cap = 0;
    props.v = NULL;
    exs_props_set_str(ar, &props, PR_DISPLAY_NAME, "Table", 5);
    exs_folder_create(mb, EXS_FID_INBOX, &props, EXS_FOLDER_GENERIC, 0, &fid);

    memcpy(name.guid, PS_PUBLIC_STRINGS, 16);
    nm = exs_mbox_namemap(mb);
    nm->get_id(nm, &name, 1, &kw_id);

    exs_dir_group_add(txn, "g@example.test", "Group", &gid);
    exs_dir_user_add(txn, "member@example.test", NULL, NULL, &uid);
    exs_dir_member_add(txn, gid, uid);
    exs_dir_by_id(txn, gid, &e, ar);
    group_len = ab_eid(group_eid, e.legacy_dn);
    exs_dir_by_id(txn, uid, &e, ar);
    user_len = ab_eid(user_eid, e.legacy_dn);

    for (i = 0; i < N; i++) {
        /* subjects in a different order than the times */
        snprintf(subject, sizeof(subject), "%s %02d",
                 i % 3 == 0 ? "Alpha" : i % 3 == 1 ? "beta" : "Gamma",
                 (i * 7) % N);

        m = store_msg(ar, subject, i % 2 ? "an \xc3\xa9t\xc3\xa9 report"
                                         : "nothing here",
                      exs_filetime_from_unix(1700000000 + i * 60));
        exs_props_set_long(ar, &m->props, PR_IMPORTANCE, i % 3);

        if (i % 5 == 0) {
            exs_props_set_long(ar, &m->props, PR_FLAG_STATUS, 2);
        }

        if (i == 7) {
            r = exs_msg_add_rcpt(ar, m);
            exs_props_set_long(ar, &r->props, PR_RECIPIENT_TYPE, 2);
            exs_props_set_str(ar, &r->props, PR_DISPLAY_NAME, "Carol", 5);
            exs_props_set_bin(ar, &m->props, PR_SENDER_ENTRYID, user_eid,
                              user_len);
        }

        if (i < 3) {
            kw = exs_alloc(ar, 2 * sizeof(exs_str_t));
            kw[0].data = i == 0 ? "red" : "blue";
            kw[0].len = strlen(kw[0].data);
            kw[1].data = "green";
            kw[1].len = 5;
            p.tag = PROP_TAG(PT_MV_UNICODE, kw_id);
            p.v.mv.n = i == 2 ? 1 : 2;
            p.v.mv.v.str = kw;
            exs_props_set(ar, &m->props, &p);
        }

        exs_message_create(mb, fid, m, 0, &mids[i]);

        if (i % 4 == 0) {
            exs_message_set_read(mb, mids[i], 1);
        }
    }

    exs_message_create(mb, fid, store_msg(ar, "fai", NULL, 0),
                       EXS_MSG_ASSOCIATED, NULL);

    ok(exs_txn_commit(txn) == EXS_OK, "%d messages in a folder", N);
}


static void
test_index_views(void)
{
    int           rc;
    uint32_t      n, got, pos, i;
    exs_id_t      ids[N + 5];
    exs_txn_t    *txn;
    exs_mbox_t   *mb;
    exs_table_t  *t, *t2;
    exs_sort_t    key;
    exs_sortorder_t  so;

    exs_txn_begin(env, EXS_TXN_RDONLY, &txn);
    exs_mbox_open(txn, mbid, 0, &mb);

    rc = exs_table_open(mb, fid, EXS_TABLE_CONTENTS, 0, NULL, NULL, &t, ar);
    is_int(rc, EXS_OK, "the default contents table");
    exs_table_count(t, &n);
    is_int(n, N, "counts the normal messages");

    exs_table_ids(t, 0, 10, ids, &got);
    ok(got == 10 && ids[0] == mids[N - 1] && ids[9] == mids[N - 10],
       "the first page is newest first");
    exs_table_ids(t, 10, 10, ids, &got);
    ok(got == 10 && ids[0] == mids[N - 11] && ids[9] == mids[N - 20],
       "the second page follows on");
    exs_table_ids(t, 25, 10, ids, &got);
    ok(got == 5 && ids[4] == mids[0], "the last page is short");
    exs_table_ids(t, 3, 2, ids, &got);
    ok(got == 2 && ids[0] == mids[N - 4], "and any page reads again");

    is_int(exs_table_position(t, mids[N - 6], &pos), EXS_OK, "a position");
    is_int(pos, 5, "is the row number");

    key.tag = PR_MESSAGE_DELIVERY_TIME;
    key.order = TABLE_SORT_ASCEND;
    so.ncategories = 0;
    so.nexpanded = 0;
    so.n = 1;
    so.keys = &key;

    exs_table_open(mb, fid, EXS_TABLE_CONTENTS, 0, &so, NULL, &t2, ar);
    exs_table_ids(t2, 0, N + 5, ids, &got);
    ok(got == N && ids[0] == mids[0] && ids[N - 1] == mids[N - 1],
       "delivery time ascending");

    key.tag = PR_INTERNET_ARTICLE_NUMBER;
    key.order = TABLE_SORT_DESCEND;
    exs_table_open(mb, fid, EXS_TABLE_CONTENTS, 0, &so, NULL, &t2, ar);
    exs_table_count(t2, &n);
    exs_table_ids(t2, 0, 3, ids, &got);
    ok(n == N && got == 3 && ids[0] == mids[N - 1] && ids[2] == mids[N - 3],
       "IMAP UID descending");

    rc = exs_table_open(mb, fid, EXS_TABLE_CONTENTS, EXS_TABLE_ASSOCIATED,
                        NULL, NULL, &t2, ar);
    exs_table_count(t2, &n);
    is_int(n, 1, "the associated table has the FAI message");

    for (i = 0; i < got; i++) {
        (void) i;
    }

    exs_txn_abort(txn);
}


static void
test_sorts(void)
{
    int            rc, good;
    uint32_t       n, i, got;
    exs_id_t       ids[N * 2];
    exs_prop_t    *p, *q;
    exs_txn_t     *txn;
    exs_mbox_t    *mb;
    exs_table_t   *t;
    exs_props_t   *rows, out;
    exs_sort_t     keys[2];
    exs_sortorder_t  so;
    uint32_t       cols[] = { PR_SUBJECT, PR_IMPORTANCE,
                              PR_MESSAGE_DELIVERY_TIME, 0 };

    exs_txn_begin(env, EXS_TXN_RDONLY, &txn);
    exs_mbox_open(txn, mbid, 0, &mb);

    so.ncategories = 0;
    so.nexpanded = 0;
    so.keys = keys;

    so.n = 1;
    keys[0].tag = PR_SUBJECT;
    keys[0].order = TABLE_SORT_ASCEND;
    rc = exs_table_open(mb, fid, EXS_TABLE_CONTENTS, 0, &so, NULL, &t, ar);
    is_int(rc, EXS_OK, "sorted by subject");
    rc = exs_table_rows(t, 0, N, cols, 3, &rows, ids, &got, ar);
    ok(rc == EXS_OK && got == N, "all rows with columns");

    good = 1;
    for (i = 1; i < got; i++) {
        p = exs_props_get(&rows[i - 1], PR_SUBJECT);
        q = exs_props_get(&rows[i], PR_SUBJECT);
        good &= p && q && strcasecmp(p->v.str.data, q->v.str.data) <= 0;
    }
    ok(good, "in subject order, ignoring case (%s ... %s)",
       exs_props_get(&rows[0], PR_SUBJECT)->v.str.data,
       exs_props_get(&rows[N - 1], PR_SUBJECT)->v.str.data);

    so.n = 2;
    keys[0].tag = PR_IMPORTANCE;
    keys[0].order = TABLE_SORT_DESCEND;
    keys[1].tag = PR_MESSAGE_DELIVERY_TIME;
    keys[1].order = TABLE_SORT_ASCEND;
    exs_table_open(mb, fid, EXS_TABLE_CONTENTS, 0, &so, NULL, &t, ar);
    rc = exs_table_rows(t, 0, N, cols, 3, &rows, ids, &got, ar);

    good = got == N;
    for (i = 1; i < got; i++) {
        int32_t  a, b;
        int64_t  ta, tb;

        a = exs_props_get(&rows[i - 1], PR_IMPORTANCE)->v.l;
        b = exs_props_get(&rows[i], PR_IMPORTANCE)->v.l;
        ta = exs_props_get(&rows[i - 1], PR_MESSAGE_DELIVERY_TIME)->v.ll;
        tb = exs_props_get(&rows[i], PR_MESSAGE_DELIVERY_TIME)->v.ll;
        good &= a > b || (a == b && ta < tb);
    }
    ok(good, "importance descending, then delivery time ascending");
    ok(ids[0] == mids[2], "starts with the oldest of importance 2");

    /* a named multi-valued property, one row per value */

    so.n = 1;
    keys[0].tag = PROP_TAG(PT_MV_UNICODE | PT_MV_INSTANCE, kw_id);
    keys[0].order = TABLE_SORT_ASCEND;
    rc = exs_table_open(mb, fid, EXS_TABLE_CONTENTS, 0, &so, NULL, &t, ar);
    is_int(rc, EXS_OK, "sorted by a named MV property, instance rows");
    exs_table_count(t, &n);
    is_int(n, N + 2, "messages with two values have two rows");
    cols[0] = keys[0].tag;
    cols[1] = PR_INSTANCE_NUM;
    rc = exs_table_rows(t, 0, N + 2, cols, 2, &rows, ids, &got, ar);
    ok(rc == EXS_OK && got == N + 2, "rows read");

    /* missing values first, then blue, blue, green, green, red */
    p = exs_props_get(&rows[N - 3], PROP_TAG(PT_UNICODE, kw_id));
    q = exs_props_get(&rows[N + 1], PROP_TAG(PT_UNICODE, kw_id));
    ok(exs_props_get(&rows[0], PROP_TAG(PT_UNICODE, kw_id)) == NULL
       && p && strcmp(p->v.str.data, "blue") == 0
       && q && strcmp(q->v.str.data, "red") == 0 && ids[N + 1] == mids[0],
       "rows without the property first, then each value in order");
    p = exs_props_get(&rows[N - 1], PROP_TAG(PT_UNICODE, kw_id));
    ok(p && strcmp(p->v.str.data, "green") == 0, "each row its own value");

    keys[0].tag = PROP_TAG(PT_MV_UNICODE, kw_id);
    keys[0].order = TABLE_SORT_DESCEND;
    exs_table_open(mb, fid, EXS_TABLE_CONTENTS, 0, &so, NULL, &t, ar);
    exs_table_count(t, &n);
    exs_table_ids(t, 0, 2, ids, &got);
    is_int(n, N, "without MV_INSTANCE one row per message");
    ok(ids[0] == mids[0] && ids[1] == mids[1],
       "sorted by the whole multi-value, descending");

    out.n = 0;
    rc = exs_table_row(t, mids[0], (uint32_t[]) { PR_SUBJECT }, 1, &out, ar);
    ok(rc == EXS_OK && exs_props_get(&out, PR_SUBJECT) != NULL,
       "one row by id");

    exs_txn_abort(txn);
}


static void
test_restrictions(void)
{
    exs_restriction_t  *r, *r2;
    exs_prop_t          v;

    /* property */

    is_int(count_rows(res_prop_long(RELOP_EQ, PR_IMPORTANCE, 2)), N / 3,
           "RES_PROPERTY RELOP_EQ");
    is_int(count_rows(res_prop_long(RELOP_NE, PR_IMPORTANCE, 2)), N - N / 3,
           "RELOP_NE");
    is_int(count_rows(res_prop_long(RELOP_LT, PR_IMPORTANCE, 1)), N / 3,
           "RELOP_LT");
    is_int(count_rows(res_prop_long(RELOP_LE, PR_IMPORTANCE, 1)),
           2 * N / 3, "RELOP_LE");
    is_int(count_rows(res_prop_long(RELOP_GT, PR_IMPORTANCE, 0)),
           2 * N / 3, "RELOP_GT");
    is_int(count_rows(res_prop_long(RELOP_GE, PR_IMPORTANCE, 2)), N / 3,
           "RELOP_GE");
    is_int(count_rows(res_prop_str(RELOP_EQ, PR_SUBJECT, "ALPHA 00")), 1,
           "string equality ignores case");
    is_int(count_rows(res_prop_str(RELOP_RE, PR_SUBJECT, "^(alpha|beta) 0")),
           7, "RELOP_RE");
    is_int(count_rows(res_prop_str(RELOP_EQ, PROP_TAG(PT_MV_UNICODE, kw_id),
                                   "green")), 2,
           "a single value against a named multi-valued property");
    is_int(count_rows(res_prop_long(RELOP_EQ, PR_FLAG_STATUS, 2)), N / 5,
           "a property some rows lack");
    is_int(count_rows(res_not(res_prop_long(RELOP_EQ, PR_FLAG_STATUS, 2))),
           N - N / 5, "RES_NOT of it");

    /* content */

    is_int(count_rows(res_content(FL_SUBSTRING | FL_IGNORECASE, PR_SUBJECT,
                                  "ALPHA")), N / 3,
           "RES_CONTENT substring, ignore case");
    is_int(count_rows(res_content(FL_SUBSTRING, PR_SUBJECT, "ALPHA")), 0,
           "case matters without FL_IGNORECASE");
    is_int(count_rows(res_content(FL_PREFIX, PR_SUBJECT, "Gam")), N / 3,
           "FL_PREFIX");
    is_int(count_rows(res_content(FL_FULLSTRING, PR_SUBJECT, "beta 07")), 1,
           "FL_FULLSTRING");
    is_int(count_rows(res_content(FL_SUBSTRING | FL_IGNORENONSPACE, PR_BODY,
                                  "ete report")), N / 2,
           "FL_IGNORENONSPACE: accents ignored");
    is_int(count_rows(res_content(FL_SUBSTRING | FL_LOOSE, PR_BODY,
                                  "ETE")), N / 2,
           "FL_LOOSE: case and accents ignored");
    is_int(count_rows(res_content(FL_SUBSTRING, PR_BODY, "ete")), 0,
           "accents count without the flags");

    /* and, or */

    r = res_and_or(RES_AND, res_prop_long(RELOP_EQ, PR_IMPORTANCE, 0),
                   res_content(FL_PREFIX, PR_SUBJECT, "Alpha"));
    is_int(count_rows(r), N / 3, "RES_AND");
    r = res_and_or(RES_OR, res_prop_long(RELOP_EQ, PR_IMPORTANCE, 0),
                   res_prop_long(RELOP_EQ, PR_IMPORTANCE, 1));
    is_int(count_rows(r), 2 * N / 3, "RES_OR");
    r = res_new(RES_AND);
    is_int(count_rows(r), N, "an empty AND matches everything");
    r = res_new(RES_OR);
    is_int(count_rows(r), 0, "an empty OR nothing");

    /* compare properties */

    r = res_new(RES_COMPAREPROPS);
    r->u.cmp.relop = RELOP_EQ;
    r->u.cmp.tag1 = PR_MESSAGE_DELIVERY_TIME;
    r->u.cmp.tag2 = PR_MESSAGE_DELIVERY_TIME;
    is_int(count_rows(r), N, "RES_COMPAREPROPS equal");
    r->u.cmp.relop = RELOP_GT;
    r->u.cmp.tag1 = PR_CREATION_TIME;
    is_int(count_rows(r), N, "creation after the given delivery time");

    /* bitmask */

    r = res_new(RES_BITMASK);
    r->u.bitmask.op = BMR_NEZ;
    r->u.bitmask.tag = PR_MESSAGE_FLAGS;
    r->u.bitmask.mask = MSGFLAG_READ;
    is_int(count_rows(r), (N + 3) / 4, "RES_BITMASK BMR_NEZ: the read ones");
    r->u.bitmask.op = BMR_EQZ;
    is_int(count_rows(r), N - (N + 3) / 4, "BMR_EQZ: the unread ones");

    /* size */

    r = res_new(RES_SIZE);
    r->u.size.relop = RELOP_GT;
    r->u.size.tag = PR_BODY;
    r->u.size.size = 2 * (strlen("nothing here") + 1);
    is_int(count_rows(r), N / 2, "RES_SIZE: the longer bodies");

    /* exist */

    r = res_new(RES_EXIST);
    r->u.exist.tag = PR_FLAG_STATUS;
    is_int(count_rows(r), N / 5, "RES_EXIST");
    r->u.exist.tag = PROP_TAG(PT_MV_UNICODE, kw_id);
    is_int(count_rows(r), 3, "RES_EXIST on a named property");

    /* sub-restriction */

    r = res_new(RES_SUBRESTRICTION);
    r->u.sub.subobject = PR_MESSAGE_RECIPIENTS;
    r->u.sub.sub = res_prop_str(RELOP_EQ, PR_DISPLAY_NAME, "carol");
    is_int(count_rows(r), 1, "RES_SUBRESTRICTION on recipients");
    r->u.sub.sub = res_prop_str(RELOP_EQ, PR_DISPLAY_NAME, "Bob");
    is_int(count_rows(r), N, "every message has Bob");
    r->u.sub.subobject = PR_MESSAGE_ATTACHMENTS;
    is_int(count_rows(r), 0, "on attachments: none");

    /* comment */

    r = res_new(RES_COMMENT);
    is_int(count_rows(r), N, "RES_COMMENT without a restriction: all");
    r->u.comment.sub = res_prop_long(RELOP_EQ, PR_IMPORTANCE, 1);
    is_int(count_rows(r), N / 3, "RES_COMMENT with one");

    /* count */

    r = res_new(RES_COUNT);
    r->u.count.count = 4;
    r->u.count.sub = res_prop_long(RELOP_EQ, PR_IMPORTANCE, 1);
    is_int(count_rows(r), 4, "RES_COUNT lets four through");

    /* member of a distribution list */

    r = res_new(RES_PROPERTY);
    r->u.prop.relop = RELOP_MEMBER_OF_DL;
    r->u.prop.tag = PR_SENDER_ENTRYID;
    r->u.prop.val.tag = PR_SENDER_ENTRYID;
    r->u.prop.val.v.bin.data = group_eid;
    r->u.prop.val.v.bin.len = group_len;
    is_int(count_rows(r), 1, "RELOP_MEMBER_OF_DL");

    /* a bag: exs_restriction_match */
    {
        exs_props_t  bag;

        bag.n = 0;
        bag.cap = 0;
        bag.v = NULL;
        exs_props_set_str(ar, &bag, PR_SUBJECT, "Hello", 5);
        exs_props_set_long(ar, &bag, PR_IMPORTANCE, 2);

        is_int(exs_restriction_match(res_prop_long(RELOP_EQ, PR_IMPORTANCE,
                                                   2), &bag), 1,
               "exs_restriction_match: a match");
        is_int(exs_restriction_match(res_content(FL_PREFIX, PR_SUBJECT,
                                                 "Help"), &bag), 0,
               "no match");
        r2 = res_new(0x77);
        is_int(exs_restriction_match(r2, &bag), EXS_INVALID,
               "an unknown type is an error");
        v.tag = 0;
        (void) v;
    }
}


static void
test_find(void)
{
    uint32_t      pos;
    exs_txn_t    *txn;
    exs_mbox_t   *mb;
    exs_table_t  *t;

    exs_txn_begin(env, EXS_TXN_RDONLY, &txn);
    exs_mbox_open(txn, mbid, 0, &mb);
    exs_table_open(mb, fid, EXS_TABLE_CONTENTS, 0, NULL, NULL, &t, ar);

    is_int(exs_table_find(t, res_content(FL_PREFIX, PR_SUBJECT, "Gamma"), 0,
                          0, &pos), EXS_OK, "find forward");
    is_int(pos, 0, "the newest message is a Gamma");
    is_int(exs_table_find(t, res_content(FL_PREFIX, PR_SUBJECT, "Gamma"), 1,
                          0, &pos), EXS_OK, "find from row 1");
    is_int(pos, 3, "the next is row 3");
    is_int(exs_table_find(t, res_content(FL_PREFIX, PR_SUBJECT, "Gamma"), 2,
                          1, &pos), EXS_OK, "find backward from row 2");
    is_int(pos, 0, "row 0");
    is_int(exs_table_find(t, res_content(FL_PREFIX, PR_SUBJECT, "Zeta"), 0,
                          0, &pos), EXS_NOTFOUND, "no match");

    exs_txn_abort(txn);
}


static void
test_hierarchy(void)
{
    int           rc;
    uint32_t      n, got, i, cols[] = { PR_DISPLAY_NAME, PR_DEPTH };
    exs_id_t      ids[64], sf;
    exs_prop_t   *p;
    exs_txn_t    *txn;
    exs_mbox_t   *mb;
    exs_table_t  *t;
    exs_props_t  *rows, props;
    exs_restriction_t  res;

    exs_txn_begin(env, 0, &txn);
    exs_mbox_open(txn, mbid, 0, &mb);

    rc = exs_table_open(mb, EXS_FID_IPM_SUBTREE, EXS_TABLE_HIERARCHY, 0,
                        NULL, NULL, &t, ar);
    exs_table_count(t, &n);
    ok(rc == EXS_OK && n == 17, "the IPM subtree has 17 children (%u)", n);
    exs_table_rows(t, 0, 3, cols, 2, &rows, ids, &got, ar);
    p = exs_props_get(&rows[0], PR_DISPLAY_NAME);
    ok(p && strcmp(p->v.str.data, "Archive") == 0, "in name order");

    rc = exs_table_open(mb, EXS_FID_ROOT, EXS_TABLE_HIERARCHY, EXS_TABLE_DEEP,
                        NULL, NULL, &t, ar);
    exs_table_count(t, &n);
    ok(rc == EXS_OK && n == 36, "the whole tree below the root: %u", n);
    exs_table_rows(t, 0, n, cols, 2, &rows, ids, &got, ar);

    for (i = 0; i < got; i++) {
        if (ids[i] == fid) {
            break;
        }
    }
    p = i < got ? exs_props_get(&rows[i], PR_DEPTH) : NULL;
    ok(p && p->v.l == 3 && ids[i - 1] != 0, "PR_DEPTH: Table is at depth 3");
    ok(i > 0 && exs_props_get(&rows[i - 1], PR_DISPLAY_NAME)
       && strcmp(exs_props_get(&rows[i - 1], PR_DISPLAY_NAME)->v.str.data,
                 "Inbox") == 0, "right after its parent");

    memset(&res, 0, sizeof(res));
    res.type = RES_CONTENT;
    res.u.content.fuzzy = FL_PREFIX | FL_IGNORECASE;
    res.u.content.tag = PR_CONTAINER_CLASS;
    res.u.content.val.tag = PR_CONTAINER_CLASS;
    res.u.content.val.v.str.data = "IPF.Contact";
    res.u.content.val.v.str.len = 11;
    exs_table_open(mb, EXS_FID_ROOT, EXS_TABLE_HIERARCHY, EXS_TABLE_DEEP,
                   NULL, &res, &t, ar);
    exs_table_count(t, &n);
    is_int(n, 4, "a restricted deep hierarchy: the contact folders");

    /* a search folder over the table folder */

    props.n = 0;
    props.cap = 0;
    props.v = NULL;
    exs_props_set_str(ar, &props, PR_DISPLAY_NAME, "Important", 9);
    exs_folder_create(mb, EXS_FID_FINDER, &props, EXS_FOLDER_SEARCH, 0, &sf);

    memset(&res, 0, sizeof(res));
    res.type = RES_PROPERTY;
    res.u.prop.relop = RELOP_EQ;
    res.u.prop.tag = PR_IMPORTANCE;
    res.u.prop.val.tag = PR_IMPORTANCE;
    res.u.prop.val.v.l = 2;
    exs_folder_set_search(mb, sf, &res, (exs_id_t[]) { EXS_FID_INBOX }, 1,
                          0x4);

    rc = exs_table_open(mb, sf, EXS_TABLE_CONTENTS, 0, NULL, NULL, &t, ar);
    exs_table_count(t, &n);
    ok(rc == EXS_OK && n == N / 3,
       "a recursive search folder finds them below the Inbox");

    /* soft-deleted views */

    exs_message_delete(mb, &mids[0], 1, 0);
    exs_table_open(mb, fid, EXS_TABLE_CONTENTS, EXS_TABLE_SOFT_DELETED,
                   NULL, NULL, &t, ar);
    exs_table_count(t, &n);
    exs_table_ids(t, 0, 1, ids, &got);
    ok(n == 1 && got == 1 && ids[0] == mids[0],
       "the soft-deleted contents table");

    exs_table_open(mb, fid, EXS_TABLE_CONTENTS, 0, NULL, NULL, &t, ar);
    exs_table_count(t, &n);
    is_int(n, N - 1, "the normal one has one less");

    exs_txn_abort(txn);
}


int
main(void)
{
    env = store_open("table", 0);
    ok(env != NULL, "a store");

    mbid = store_user(env, "alice@example.test", NULL);
    ok(mbid != 0, "a user with a mailbox");

    ar = exs_arena_create(0);

    setup();
    test_index_views();
    test_sorts();
    test_restrictions();
    test_find();
    test_hierarchy();

    is_int(store_check(env), EXS_OK, "store check is clean");

    exs_arena_destroy(ar);
    exs_env_close(env);

    return done_testing();
}
