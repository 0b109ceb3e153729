
/*
 * The directory: domains, users with yescrypt passwords and a mailbox,
 * legacyExchangeDN in Exchange's form, look-ups by address, alias, DN,
 * GUID, id and mailbox (addresses case-insensitively), groups and members,
 * the global address list in display-name order with prefix seek, and what
 * deleting a user takes with it.
 */


#include <tap.h>
#include "store_util.h"


int
main(void)
{
    int             rc;
    char            hash[256];
    uint32_t        n, pos, alice, bob, carol, team, *ids, i;
    exs_env_t      *env;
    exs_txn_t      *txn;
    exs_mbox_t     *mb;
    exs_arena_t    *a;
    exs_dirent_t    e, e2;
    exs_domain_t   *domains;
    const char     *dn_prefix = "/o=First Organization/ou=Exchange "
                                "Administrative Group (FYDIBOHF23SPDLT)/"
                                "cn=Recipients/cn=";
    exs_props_t     props;

    a = exs_arena_create(0);

    is_int(exs_password_hash("s3cret", hash, sizeof(hash)), EXS_OK,
           "a password hash");
    ok(strncmp(hash, "$y$", 3) == 0, "yescrypt ($y$)");
    is_int(exs_password_verify(hash, "s3cret"), EXS_OK, "verifies");
    is_int(exs_password_verify(hash, "S3cret"), EXS_DENIED,
           "a wrong password doesn't");
    is_int(exs_password_verify("*", "s3cret"), EXS_DENIED,
           "nor a disabled hash");

    env = store_open("dir", 0);
    ok(env != NULL, "a store");

    exs_txn_begin(env, 0, &txn);

    is_int(exs_dir_domain_add(txn, "Example.TEST", NULL), EXS_OK,
           "a domain");
    is_int(exs_dir_domain_add(txn, "example.test", NULL), EXS_EXISTS,
           "domains are case-insensitive");
    is_int(exs_dir_domain_add(txn, "other.test", NULL), EXS_OK, "another");
    is_int(exs_dir_domain_add(txn, "bad..test", NULL), EXS_INVALID,
           "a bad name is refused");
    rc = exs_dir_domains(txn, &domains, &n, a);
    ok(rc == EXS_OK && n == 2 && strcmp(domains[0].name, "example.test") == 0,
       "listed in lower case");

    is_int(exs_dir_user_add(txn, "Alice@Example.test", "Alice Liddell",
                            "pw-a", &alice), EXS_OK, "a user");
    is_int(exs_dir_user_add(txn, "alice@example.test", NULL, NULL, &i),
           EXS_EXISTS, "the address is taken, in any case");
    is_int(exs_dir_user_add(txn, "x@nowhere.test", NULL, NULL, &i),
           EXS_NOTFOUND, "a user in an unknown domain");
    is_int(exs_dir_user_add(txn, "no-at-sign", NULL, NULL, &i), EXS_INVALID,
           "an address without @");
    is_int(exs_dir_user_add(txn, "bob@example.test", "bob", NULL, &bob),
           EXS_OK, "another user, no password");
    is_int(exs_dir_user_add(txn, "carol@other.test", "Carol", NULL, &carol),
           EXS_OK, "a user in the other domain");
    is_int(exs_dir_group_add(txn, "team@example.test", "Team", &team),
           EXS_OK, "a group");

    is_int(exs_dir_by_id(txn, alice, &e, a), EXS_OK, "by id");
    is_str(e.address, "alice@example.test", "the address is lower case");
    is_str(e.display_name, "Alice Liddell", "the display name");
    ok(e.type == EXS_DIR_USER && e.mailbox != 0, "a user with a mailbox");
    ok(e.password && exs_password_verify(e.password, "pw-a") == EXS_OK,
       "the stored hash verifies");
    ok(strncmp(e.legacy_dn, dn_prefix, strlen(dn_prefix)) == 0
       && strlen(e.legacy_dn) == strlen(dn_prefix) + 32 + 1 + 5
       && strcmp(e.legacy_dn + strlen(e.legacy_dn) - 6, "-alice") == 0,
       "legacyExchangeDN: %s", e.legacy_dn);

    is_int(exs_dir_by_dn(txn, e.legacy_dn, &e2, a), EXS_OK, "by DN");
    is_int(e2.id, alice, "finds alice");
    {
        char  *up;
        size_t j;

        up = exs_strdup(a, e.legacy_dn);
        for (j = 0; up[j]; j++) {
            if (up[j] >= 'a' && up[j] <= 'z') {
                up[j] -= 32;
            }
        }
        ok(exs_dir_by_dn(txn, up, &e2, a) == EXS_OK && e2.id == alice,
           "by DN in upper case");
    }
    ok(exs_dir_by_guid(txn, e.guid, &e2, a) == EXS_OK && e2.id == alice,
       "by GUID");
    ok(exs_dir_by_mailbox(txn, e.mailbox, &e2, a) == EXS_OK
       && e2.id == alice, "by mailbox");
    ok(exs_dir_by_address(txn, "ALICE@example.TEST", &e2, a) == EXS_OK
       && e2.id == alice, "by address, case-insensitively");

    /* aliases */

    is_int(exs_dir_alias_add(txn, alice, "A.Liddell@Other.test"), EXS_OK,
           "an alias in the other domain");
    is_int(exs_dir_alias_add(txn, bob, "a.liddell@other.test"), EXS_EXISTS,
           "an alias can't be taken twice");
    is_int(exs_dir_alias_add(txn, bob, "b@unknown.test"), EXS_NOTFOUND,
           "nor be in an unknown domain");
    ok(exs_dir_by_address(txn, "a.LIDDELL@other.test", &e2, a) == EXS_OK
       && e2.id == alice && e2.naliases == 1
       && strcmp(e2.aliases[0], "a.liddell@other.test") == 0,
       "by alias, case-insensitively");
    is_int(exs_dir_alias_del(txn, "alice@example.test"), EXS_INVALID,
           "a primary address is not an alias to delete");

    /* groups */

    is_int(exs_dir_member_add(txn, team, alice), EXS_OK, "a member");
    is_int(exs_dir_member_add(txn, team, carol), EXS_OK, "another");
    is_int(exs_dir_member_add(txn, team, carol), EXS_EXISTS, "not twice");
    is_int(exs_dir_member_add(txn, alice, bob), EXS_INVALID,
           "a user has no members");
    is_int(exs_dir_member_add(txn, team, team), EXS_INVALID,
           "a group is not its own member");
    rc = exs_dir_members(txn, team, &ids, &n, a);
    ok(rc == EXS_OK && n == 2, "two members");
    is_int(exs_dir_member_del(txn, team, carol), EXS_OK, "one leaves");
    ok(exs_dir_by_id(txn, team, &e2, a) == EXS_OK
       && e2.type == EXS_DIR_GROUP && e2.mailbox == 0 && e2.password == NULL,
       "a group has no mailbox and no password");

    /* the address list */

    rc = exs_gal_list(txn, &ids, &n, a);
    ok(rc == EXS_OK && n == 4, "four entries in the address list");
    ok(n == 4 && ids[0] == alice && ids[1] == bob && ids[2] == carol
       && ids[3] == team, "in display-name order, ignoring case");
    is_int(exs_gal_seek(txn, "c", &pos), EXS_OK, "seek \"c\"");
    is_int(pos, 2, "lands on Carol");
    exs_gal_seek(txn, "BOB", &pos);
    is_int(pos, 1, "seek is case-insensitive");
    exs_gal_seek(txn, "zz", &pos);
    is_int(pos, 4, "past the end");

    props.n = 0;
    props.cap = 0;
    props.v = NULL;
    exs_props_set_str(a, &props, PR_TITLE, "Engineer", 8);
    is_int(exs_dir_user_set(txn, bob, "Zed", &props, EXS_DIR_DISABLED),
           EXS_OK, "renamed, a title, disabled");
    rc = exs_gal_list(txn, &ids, &n, a);
    ok(rc == EXS_OK && n == 4 && ids[3] == bob, "moves in the list");
    ok(exs_dir_by_id(txn, bob, &e2, a) == EXS_OK
       && (e2.flags & EXS_DIR_DISABLED)
       && exs_props_get(&e2.props, PR_TITLE) != NULL
       && strcmp(exs_props_get(&e2.props, PR_TITLE)->v.str.data,
                 "Engineer") == 0, "the title and the flag stick");

    is_int(exs_dir_user_passwd(txn, bob, "new"), EXS_OK, "a new password");
    ok(exs_dir_by_id(txn, bob, &e2, a) == EXS_OK
       && exs_password_verify(e2.password, "new") == EXS_OK, "verifies");

    is_int(exs_dir_domain_del(txn, "other.test"), EXS_CONFLICT,
           "a domain in use stays");

    is_int(exs_txn_commit(txn), EXS_OK, "committed");
    is_int(store_check(env), EXS_OK, "store check is clean");

    /* deleting a user */

    exs_txn_begin(env, 0, &txn);
    exs_dir_by_id(txn, alice, &e, a);
    exs_mbox_open(txn, e.mailbox, 0, &mb);
    exs_message_create(mb, EXS_FID_INBOX, store_msg(a, "x", "y", 0), 0,
                       NULL);
    is_int(exs_dir_user_del(txn, alice), EXS_OK, "alice goes");
    is_int(exs_dir_by_address(txn, "alice@example.test", &e2, a),
           EXS_NOTFOUND, "her address");
    is_int(exs_dir_by_address(txn, "a.liddell@other.test", &e2, a),
           EXS_NOTFOUND, "her alias");
    is_int(exs_dir_by_dn(txn, e.legacy_dn, &e2, a), EXS_NOTFOUND, "her DN");
    is_int(exs_mbox_open(txn, e.mailbox, 0, &mb), EXS_NOTFOUND,
           "her mailbox");
    rc = exs_dir_members(txn, team, &ids, &n, a);
    ok(rc == EXS_OK && n == 0, "her group membership");
    is_int(exs_dir_user_del(txn, team), EXS_INVALID,
           "a group is not deleted as a user");
    is_int(exs_dir_group_del(txn, team), EXS_OK, "the group goes");
    is_int(exs_dir_user_del(txn, carol), EXS_OK, "carol goes");
    is_int(exs_dir_domain_del(txn, "other.test"), EXS_OK,
           "then her domain can go");
    is_int(exs_txn_commit(txn), EXS_OK, "committed");
    is_int(store_check(env), EXS_OK, "store check is clean");

    exs_arena_destroy(a);
    exs_env_close(env);

    return done_testing();
}
