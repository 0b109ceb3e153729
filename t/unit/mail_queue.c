
/*
 * The outgoing queue (exs_queue_*): claims with leases, an expired lease
 * taken over and the old claimant refused, per-recipient outcomes, NDRs
 * for permanent failures, exponential back-off with a cap, giving up,
 * release, kick, delete, recipients there was no room for.
 */


#include <tap.h>
#include <time.h>
#include "store_util.h"

#include <exs_mail.h>


static exs_env_t   *env;
static uint32_t     mbid;
static exs_arena_t *ar;

static const char   mime[] = "From: alice@example.test\r\n"
                             "To: a@remote.example\r\n"
                             "Subject: queued\r\n\r\nbody\r\n";


static uint64_t
add(const char *const *rcpts, uint32_t n)
{
    uint64_t             id;
    exs_txn_t           *txn;
    exs_mail_original_t  o;

    memset(&o, 0, sizeof(o));
    o.subject = "queued";
    o.message_id = "<q@example.test>";
    o.submit_time = exs_filetime_now();

    id = 0;

    if (exs_txn_begin(env, 0, &txn) != EXS_OK) {
        return 0;
    }

    if (exs_queue_add(txn, mbid, "alice@example.test", rcpts, n, mime,
                      sizeof(mime) - 1, &o, &id) != EXS_OK
        || exs_txn_commit(txn) != EXS_OK)
    {
        return 0;
    }

    return id;
}


static uint32_t
claim(int64_t now, int64_t lease, exs_queue_entry_t *out)
{
    uint32_t            n;
    exs_txn_t          *txn;
    exs_queue_entry_t  *e;

    if (exs_txn_begin(env, 0, &txn) != EXS_OK) {
        return 99;
    }

    if (exs_queue_claim(txn, now, lease, 8, &e, &n, ar) != EXS_OK) {
        exs_txn_abort(txn);
        return 99;
    }

    if (exs_txn_commit(txn) != EXS_OK) {
        return 99;
    }

    if (n && out) {
        *out = e[0];
    }

    return n;
}


static int
done(uint64_t id, uint64_t token, const int *codes, uint32_t n, int64_t now)
{
    int                  rc;
    uint32_t             i;
    exs_txn_t           *txn;
    exs_queue_result_t   r[8];
    exs_queue_policy_t   p;

    p.retry_min = 60;
    p.retry_max = 300;
    p.give_up = 86400;

    for (i = 0; i < n; i++) {
        r[i].code = codes[i];
        r[i].reply = codes[i] >= 500 ? "550 5.1.1 no such user"
                                     : codes[i] >= 400 ? "451 4.3.0 later"
                                                       : "250 2.0.0 ok";
    }

    if (exs_txn_begin(env, 0, &txn) != EXS_OK) {
        return EXS_ERROR;
    }

    rc = exs_queue_done(txn, id, token, r, n, now, &p, ar);

    if (rc == EXS_OK) {
        rc = exs_txn_commit(txn);
    } else {
        exs_txn_abort(txn);
    }

    return rc;
}


static int
next_due(int64_t *when)
{
    int         rc;
    exs_txn_t  *txn;

    if (exs_txn_begin(env, EXS_TXN_RDONLY, &txn) != EXS_OK) {
        return EXS_ERROR;
    }

    rc = exs_queue_next(txn, when);
    exs_txn_abort(txn);

    return rc;
}


static int
get(uint64_t id, exs_queue_entry_t *e)
{
    int         rc;
    exs_txn_t  *txn;

    if (exs_txn_begin(env, EXS_TXN_RDONLY, &txn) != EXS_OK) {
        return EXS_ERROR;
    }

    rc = exs_queue_get(txn, id, e, ar);
    exs_txn_abort(txn);

    return rc;
}


/* the NDRs in the sender's Inbox */
static uint32_t
ndrs(void)
{
    uint32_t            n;
    exs_txn_t          *txn;
    exs_mbox_t         *mb;
    exs_folder_info_t   fi;

    n = 0;

    if (exs_txn_begin(env, EXS_TXN_RDONLY, &txn) == EXS_OK) {
        if (exs_mbox_open(txn, mbid, 0, &mb) == EXS_OK
            && exs_folder_info(mb, EXS_FID_INBOX, &fi) == EXS_OK)
        {
            n = fi.count;
        }
        exs_txn_abort(txn);
    }

    return n;
}


int
main(void)
{
    int                 codes[8];
    int64_t             now, when;
    uint64_t            id, old;
    exs_txn_t          *txn;
    exs_queue_entry_t   e, e2;
    const char         *three[] = { "a@remote.example", "b@remote.example",
                                    "c@remote.example" };

    env = store_open("mail_queue", 0);
    ok(env != NULL, "store opens");
    if (env == NULL) {
        return done_testing();
    }

    mbid = store_user(env, "alice@example.test", NULL);
    ar = exs_arena_create(0);

    is_int(next_due(&when), EXS_NOTFOUND, "an empty queue has no due time");

    now = time(NULL);
    id = add(three, 3);
    ok(id != 0, "an entry is added");
    is_int(next_due(&when), EXS_OK, "the queue has a due time");
    ok(when >= now - 1 && when <= now + 1, "a new entry is due at once");

    /* claims and leases */

    is_int(claim(now, 100, &e), 1, "the due entry is claimed");
    ok(e.token != 0, "with a token");
    is_int(e.attempts, 1, "counted as an attempt");
    is_mem(e.mime.data, e.mime.len, mime, sizeof(mime) - 1,
           "the claim carries the message");
    is_str(e.from, "alice@example.test", "and MAIL FROM");
    is_int(e.nrcpts, 3, "and the recipients");
    is_int(claim(now, 100, NULL), 0, "a leased entry is nobody else's");
    next_due(&when);
    is_int(when, now + 100, "it is due again when the lease ends");

    old = e.token;
    is_int(claim(now + 100, 100, &e2), 1,
           "an expired lease is taken over (the claimant died)");
    ok(e2.token != old, "under a new token");
    is_int(e2.attempts, 2, "the attempt counts");

    codes[0] = 250; codes[1] = 250; codes[2] = 250;
    is_int(done(id, old, codes, 3, now + 101), EXS_CONFLICT,
           "the first claimant's late report is refused");

    /* outcomes per recipient */

    codes[0] = 250; codes[1] = 451; codes[2] = 550;
    is_int(done(id, e2.token, codes, 3, now + 110), EXS_OK,
           "the outcome is recorded");
    is_int(get(id, &e), EXS_OK, "the entry stays for the retry");
    is_int(e.rcpts[0].state, EXS_QRCPT_DONE, "2xx: done");
    is_int(e.rcpts[1].state, EXS_QRCPT_PENDING, "4xx: tried again");
    is_int(e.rcpts[2].state, EXS_QRCPT_FAILED, "5xx: failed");
    is_int(e.rcpts[1].code, 451, "the last reply is kept");
    is_int(e.token, 0, "the claim is over");
    is_int(ndrs(), 1, "the permanent failure put an NDR in the Inbox");
    next_due(&when);
    is_int(when, now + 110 + 120, "back-off: the second attempt waits 2x");

    is_int(claim(when, 100, &e), 1, "claimed again when due");
    is_int(e.rcpts[0].state, EXS_QRCPT_DONE, "done recipients stay done");
    codes[0] = -1; codes[1] = 250; codes[2] = -1;
    is_int(done(id, e.token, codes, 3, when + 1), EXS_OK, "the rest is sent");
    is_int(get(id, &e), EXS_NOTFOUND, "a finished entry is removed");
    is_int(next_due(&when), EXS_NOTFOUND, "and the queue is empty");
    is_int(ndrs(), 1, "no second NDR");

    /* back-off grows to its cap, then the entry gives up */

    id = add(three, 1);
    when = now;
    {
        int64_t  prev, gap;
        int      i, grew;

        prev = now;
        grew = 1;

        for (i = 0; i < 6; i++) {
            claim(when, 10, &e);
            codes[0] = 421;
            done(id, e.token, codes, 1, when);
            next_due(&gap);
            gap -= when;
            if (i > 0 && i < 3 && gap != prev * 2) {
                grew = 0;
            }
            prev = gap;
            when += gap;
        }

        ok(grew, "the delay doubles");
        is_int(prev, 300, "up to the longest delay");
    }

    claim(now + 86400, 10, &e);
    codes[0] = 421;
    is_int(done(id, e.token, codes, 1, now + 86400), EXS_OK,
           "past the give-up age");
    is_int(get(id, &e), EXS_NOTFOUND, "the entry is gone");
    is_int(ndrs(), 2, "and the sender has an NDR");

    /* release, recipients without room, kick, delete */

    id = add(three, 2);
    is_int(claim(now, 100, &e), 1, "claimed");
    is_int(exs_txn_begin(env, 0, &txn), EXS_OK, "txn");
    is_int(exs_queue_release(txn, id, e.token + 1, now), EXS_CONFLICT,
           "a release needs the claim's token");
    is_int(exs_queue_release(txn, id, e.token, now + 5), EXS_OK,
           "an exiting worker gives the claim back");
    exs_txn_commit(txn);
    get(id, &e);
    is_int(e.attempts, 0, "not counted as an attempt");
    is_int(e.next, now + 5, "due when the releaser said");

    claim(now + 5, 100, &e);
    codes[0] = 250; codes[1] = -1;
    is_int(done(id, e.token, codes, 2, now + 6), EXS_OK,
           "a session with no room for a recipient");
    get(id, &e);
    is_int(e.next, now + 6, "the rest is due at once");

    is_int(exs_txn_begin(env, 0, &txn), EXS_OK, "txn");
    is_int(exs_queue_kick(txn, 0, now - 50), EXS_OK, "kick everything");
    exs_txn_commit(txn);
    next_due(&when);
    is_int(when, now - 50, "due now");

    is_int(exs_txn_begin(env, 0, &txn), EXS_OK, "txn");
    is_int(exs_queue_delete(txn, id, 1, ar), EXS_OK, "delete with an NDR");
    exs_txn_commit(txn);
    is_int(next_due(&when), EXS_NOTFOUND, "the queue is empty");
    is_int(ndrs(), 3, "the sender heard of the pending recipient");

    is_int(store_check(env), EXS_OK, "store check is clean");

    exs_arena_destroy(ar);
    exs_env_close(env);

    return done_testing();
}
