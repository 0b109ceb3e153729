
/*
 * The MIME form of a message does not change when only its state does:
 * read flags, follow-up flags, change keys and times (IMAP shows sizes and
 * bodies that must stay the same after \Seen).
 */


#include <string.h>
#include <exs_oxcmail.h>
#include <tap.h>


static const char  mime[] =
    "From: Alice <alice@example.test>\r\n"
    "To: Bob <bob@example.test>\r\n"
    "Subject: stable\r\n"
    "Date: Tue, 24 Nov 2026 10:00:00 +0000\r\n"
    "Message-ID: <stable@example.test>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b\"\r\n"
    "\r\n"
    "--b\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "body\r\n"
    "--b\r\n"
    "Content-Type: application/octet-stream; name=\"a.bin\"\r\n"
    "Content-Disposition: attachment; filename=\"a.bin\"\r\n"
    "\r\n"
    "data\r\n"
    "--b--\r\n";


int
main(void)
{
    exs_bin_t           one, two;
    exs_msg_t          *msg;
    exs_arena_t        *a;
    exs_oxcmail_opts_t  o;
    static const uint8_t  ck[22] = { 1, 2, 3 };

    a = exs_arena_create(0);
    memset(&o, 0, sizeof(o));
    o.namemap = exs_namemap_mem_create(a);

    is_int(exs_oxcmail_import(mime, sizeof(mime) - 1, &o, &msg, NULL, a),
           EXS_OK, "import");
    is_int(exs_oxcmail_export(msg, &o, &one, a), EXS_OK, "export");

    exs_props_set_long(a, &msg->props, PR_MESSAGE_FLAGS, 1);
    exs_props_set_long(a, &msg->props, PR_FLAG_STATUS, 2);
    exs_props_set_i8(a, &msg->props, PR_LAST_MODIFICATION_TIME,
                     exs_filetime_now());
    exs_props_set_bin(a, &msg->props, PR_CHANGE_KEY, ck, sizeof(ck));
    exs_props_set_bool(a, &msg->props, PR_READ, 1);

    is_int(exs_oxcmail_export(msg, &o, &two, a), EXS_OK, "export again");
    is_mem(two.data, two.len, one.data, one.len,
           "read and flag state leave the MIME form as it was");

    exs_props_set_str(a, &msg->props, PR_SUBJECT, "changed", 7);
    is_int(exs_oxcmail_export(msg, &o, &two, a), EXS_OK, "export changed");
    ok(two.len != one.len || memcmp(two.data, one.data, one.len) != 0,
       "a content change does change it");

    exs_arena_destroy(a);

    return done_testing();
}
