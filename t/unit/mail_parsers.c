
/*
 * The mail parsers of untrusted bytes outside MIME: mbox splitting and
 * ">From " (un)escaping (exs_mboxrd), SMTP replies and the DATA payload
 * (exch_smtp).
 */


#include <tap.h>
#include <stdlib.h>

#include <exs_mboxrd.h>
#include <exch_smtp.h>


static void
test_mboxrd(void)
{
    size_t             n;
    uint8_t            buf[256];
    exs_mboxrd_t       r;
    exs_mboxrd_msg_t   m;
    static const char  mbox[] =
        "preamble that is not mail\n"
        "From a@example.test Mon Jan  1 10:00:00 2024\n"
        "Subject: one\n\nfirst\n>From quoted\n>>From twice\n\n"
        "From here on, no time: a body line\n\n"
        "From b@example.test Tue Jan  2 9:30:00 2024\r\n"
        "Subject: two\r\n\r\nsecond\r\n\r\n"
        "From c@example.test Wed Jan  3 12:00:00 2024\n"
        "Subject: three\n\nno empty line at the end";

    ok(exs_mboxrd_is_mbox(mbox + 26, sizeof(mbox) - 27),
       "a From_ line with a time starts an mbox");
    ok(!exs_mboxrd_is_mbox("From: a@b\n\n", 11), "a From: header doesn't");
    ok(!exs_mboxrd_is_mbox("From here\n", 10), "nor a From line without time");

    exs_mboxrd_init(&r, mbox, sizeof(mbox) - 1);

    is_int(exs_mboxrd_next(&r, &m), 1, "first message");
    is_mem(m.from, m.from_len, "From a@example.test Mon Jan  1 10:00:00 2024",
           44, "its From_ line, the preamble skipped");
    is_mem(m.data, m.len,
           "Subject: one\n\nfirst\n>From quoted\n>>From twice\n\n"
           "From here on, no time: a body line\n", 82,
           "runs to the empty line before the next From_ line");

    n = exs_mboxrd_unescape(m.data, m.len, buf);
    is_mem(buf, n,
           "Subject: one\n\nfirst\nFrom quoted\n>From twice\n\n"
           "From here on, no time: a body line\n", 80,
           "one \">\" comes off each >From line");

    is_int(exs_mboxrd_escaped_len(buf, n), m.len + 1,
           "escaping adds them back, and quotes the bare From line too");
    n = exs_mboxrd_escape(buf, n, buf + 128);
    is_mem(buf + 128, n,
           "Subject: one\n\nfirst\n>From quoted\n>>From twice\n\n"
           ">From here on, no time: a body line\n", 83, "like this");

    is_int(exs_mboxrd_next(&r, &m), 1, "second message");
    is_mem(m.from, m.from_len, "From b@example.test Tue Jan  2 9:30:00 2024",
           43, "CRLF From_ line without its CR");
    is_mem(m.data, m.len, "Subject: two\r\n\r\nsecond\r\n", 24,
           "CRLF: the empty CRLF line belongs to the file");

    is_int(exs_mboxrd_next(&r, &m), 1, "third message");
    is_mem(m.data, m.len, "Subject: three\n\nno empty line at the end", 40,
           "the last message runs to the end");

    is_int(exs_mboxrd_next(&r, &m), 0, "and that's all");

    n = exs_mboxrd_escape((const uint8_t *) "x", 1, buf);
    is_mem(buf, n, "x\n", 2, "escape ends the text with an LF");
}


static void
test_smtp(void)
{
    size_t              n;
    uint8_t             out[64];
    exch_smtp_reply_t   r;
    static const char   ehlo[] = "250-mx.example.test\r\n250-8BITMIME\r\n"
                                 "250 SIZE 1000\r\n354 more";

    is_int(exch_smtp_reply_parse((const uint8_t *) ehlo, sizeof(ehlo) - 1,
                                 &r), EXCH_SMTP_OK, "a multi-line reply");
    is_int(r.code, 250, "its code");
    is_int(r.lines, 3, "its lines");
    is_int(r.consumed, 50, "its length");
    is_mem(r.text, r.text_len, "SIZE 1000", 9, "the last line's text");
    ok(exch_smtp_has_ext((const uint8_t *) ehlo, 50, "8bitmime"),
       "an extension, case-insensitively");
    ok(exch_smtp_has_ext((const uint8_t *) ehlo, 50, "SIZE"),
       "one with a parameter");
    ok(!exch_smtp_has_ext((const uint8_t *) ehlo, 50, "SIZ"),
       "not a prefix of one");

    is_int(exch_smtp_reply_parse((const uint8_t *) ehlo + 50, 8, &r),
           EXCH_SMTP_AGAIN, "a reply without its line end waits");
    is_int(exch_smtp_reply_parse((const uint8_t *) "250-a\r\n", 7, &r),
           EXCH_SMTP_AGAIN, "so does a continued one");
    is_int(exch_smtp_reply_parse((const uint8_t *) "250-a\r\n251 b\r\n", 14,
                                 &r), EXCH_SMTP_BAD,
           "lines of one reply share their code");
    is_int(exch_smtp_reply_parse((const uint8_t *) "hello\r\n", 7, &r),
           EXCH_SMTP_BAD, "no code: not SMTP");
    is_int(exch_smtp_reply_parse((const uint8_t *) "250\n", 4, &r),
           EXCH_SMTP_OK, "a code alone, bare LF");
    is_int(r.text_len, 0, "no text");
    is_int(exch_smtp_reply_parse((const uint8_t *) "250x\r\n", 6, &r),
           EXCH_SMTP_BAD, "a bad separator");

    {
        uint8_t  *big;

        big = malloc(EXCH_SMTP_LINE_MAX + 10);
        memset(big, 'a', EXCH_SMTP_LINE_MAX + 10);
        memcpy(big, "250 ", 4);
        is_int(exch_smtp_reply_parse(big, EXCH_SMTP_LINE_MAX + 10, &r),
               EXCH_SMTP_BAD, "an endless line is refused");
        free(big);
    }

    n = exch_smtp_data((const uint8_t *) ".a\n.\nb\r\nc", 9, out);
    is_mem(out, n, "..a\r\n..\r\nb\r\nc\r\n.\r\n", 18,
           "DATA: dots doubled, CRLF everywhere, the final dot");
    ok(n <= exch_smtp_data_len(9), "within the bound");

    n = exch_smtp_data((const uint8_t *) "", 0, out);
    is_mem(out, n, ".\r\n", 3, "an empty message");

    ok(exch_smtp_addr_ok("a@b.example"), "an address");
    ok(!exch_smtp_addr_ok("a b@c"), "no spaces");
    ok(!exch_smtp_addr_ok("a>@c"), "no brackets");
    ok(!exch_smtp_addr_ok("a\r\nRCPT TO:<x>"), "no command injection");
}


int
main(void)
{
    test_mboxrd();
    test_smtp();

    return done_testing();
}
