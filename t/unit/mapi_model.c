
/*
 * The in-memory MAPI model: arena, property bags, messages, name maps.
 */


#include <stdlib.h>
#include <exs_mapi.h>
#include <tap.h>


int
main(void)
{
    int             rc;
    uint16_t        id, id2;
    exs_msg_t      *msg;
    exs_prop_t     *p, a, b;
    exs_props_t     bag = { 0 }, copy = { 0 };
    exs_arena_t    *ar;
    exs_rcpt_t     *r;
    exs_attach_t   *at;
    exs_namemap_t  *nm;
    exs_propname_t  name = { { 0 }, MNID_STRING, 0, "Keywords" }, back;
    char           *big;
    int             i;

    ar = exs_arena_create(0);
    ok(ar != NULL, "arena created");

    big = exs_alloc(ar, 1 << 20);
    ok(big != NULL, "a 1 MiB allocation beyond the chunk size succeeds");
    big[(1 << 20) - 1] = 1;

    is_int(exs_props_set_str(ar, &bag, PR_SUBJECT, "Hello", 5), EXS_OK,
           "set a string");
    is_int(exs_props_set_long(ar, &bag, PR_IMPORTANCE, 2), EXS_OK,
           "set a long");

    for (i = 0; i < 40; i++) {
        exs_props_set_long(ar, &bag, PROP_TAG(PT_LONG, 0x6000 + i), i);
    }

    is_int(bag.n, 42, "the bag grows");
    p = exs_props_get(&bag, PR_SUBJECT);
    ok(p && p->v.str.len == 5, "get by tag");
    is_str(p ? p->v.str.data : NULL, "Hello", "the string is NUL-terminated");
    ok(exs_props_get(&bag, PROP_TAG(PT_STRING8, 0x0037)) == p,
       "a PT_STRING8 ask finds the PT_UNICODE value");
    ok(exs_props_get(&bag, PROP_TAG(PT_UNSPECIFIED, 0x0037)) == p,
       "a PT_UNSPECIFIED ask finds any type");
    ok(exs_props_get(&bag, PROP_TAG(PT_LONG, 0x0037)) == NULL,
       "a wrong type does not match");

    exs_props_set_long(ar, &bag, PR_IMPORTANCE, 1);
    is_int(exs_props_get(&bag, PR_IMPORTANCE)->v.l, 1, "set replaces");
    is_int(bag.n, 42, "replace keeps the count");

    is_int(exs_props_copy(ar, &copy, &bag), EXS_OK, "deep copy");
    is_str(exs_props_get(&copy, PR_SUBJECT)->v.str.data, "Hello",
           "the copy has the string");
    ok(exs_props_get(&copy, PR_SUBJECT)->v.str.data
       != exs_props_get(&bag, PR_SUBJECT)->v.str.data,
       "the copy owns its string");

    is_int(exs_props_del(&bag, PR_IMPORTANCE), EXS_OK, "delete");
    ok(exs_props_get(&bag, PR_IMPORTANCE) == NULL, "deleted is gone");
    is_int(exs_props_del(&bag, PR_IMPORTANCE), EXS_NOTFOUND,
           "deleting twice is NOTFOUND");

    a.tag = b.tag = PR_SUBJECT;
    a.v.str.data = "abc";
    a.v.str.len = 3;
    b.v.str.data = "ABD";
    b.v.str.len = 3;
    ok(exs_prop_cmp(&a, &b, 1) < 0, "case-insensitive compare");
    ok(exs_prop_cmp(&a, &b, 0) > 0, "case-sensitive compare");

    msg = exs_msg_create(ar);
    for (i = 0; i < 10; i++) {
        r = exs_msg_add_rcpt(ar, msg);
        exs_props_set_long(ar, &r->props, PR_ROWID, i);
    }

    at = exs_msg_add_attach(ar, msg);
    at->embedded = exs_msg_create(ar);
    is_int(msg->nrcpts, 10, "ten recipients");
    is_int(exs_props_get(&msg->rcpts[9].props, PR_ROWID)->v.l, 9,
           "recipients keep their bags when the array grows");
    ok(msg->natts == 1 && msg->atts[0].embedded, "an embedded message");

    nm = exs_namemap_mem_create(ar);
    memcpy(name.guid, PS_PUBLIC_STRINGS, 16);
    is_int(nm->get_id(nm, &name, 0, &id), EXS_NOTFOUND,
           "unknown name without create");
    is_int(nm->get_id(nm, &name, 1, &id), EXS_OK, "create a name");
    is_int(id, EXS_NAMED_FIRST, "the first id is 0x8000");
    name.name = "KEYWORDS";
    rc = nm->get_id(nm, &name, 0, &id2);
    ok(rc == EXS_OK && id2 == id, "string names match case-insensitively");
    is_int(nm->get_name(nm, id, &back, ar), EXS_OK, "id to name");
    is_str(back.name, "Keywords", "the name comes back");

    ok(exs_filetime_to_unix(exs_filetime_from_unix(1700000000))
       == 1700000000, "FILETIME round trip");
    is_int(PS_MAPI[0], 0x28, "GUIDs are in MS-OXCDATA byte order");
    is_int(PR_SUBJECT, 0x0037001F, "PR_SUBJECT");
    is_int(PR_MESSAGE_SIZE_EXTENDED, 0x0E080014, "PR_MESSAGE_SIZE_EXTENDED");

    exs_arena_destroy(ar);

    return done_testing();
}
