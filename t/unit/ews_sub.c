
/*
 * EWS subscriptions in the state environment, without nginx: when each
 * kind expires (MS-OXWSNTIF: a pull subscription Timeout minutes after the
 * last GetEvents, a streaming one half an hour after its last connection
 * ended, a push one never by time), that an expired one no longer loads,
 * that it is told apart from one that never was until the sweep removes
 * it, and that a deleted one is simply gone.  Times in the past stand in
 * for waiting.
 */


#include <time.h>

#include "tap.h"
#include "store_util.h"

#include <exch_oxwsntif.h>


static void sub_make(exch_ews_sub_t *s, uint8_t kind, uint8_t serial,
    int64_t used, uint32_t timeout);
static void test_expires(void);
static void test_store(exs_env_t *env);


static void
sub_make(exch_ews_sub_t *s, uint8_t kind, uint8_t serial, int64_t used,
    uint32_t timeout)
{
    memset(s, 0, sizeof(exch_ews_sub_t));

    s->id[0] = kind;
    s->id[1] = serial;
    s->kind = kind;
    s->user = 1;
    s->mailbox = 1;
    s->created = used;
    s->used = used;
    s->timeout = timeout;
}


static void
test_expires(void)
{
    exch_ews_sub_t  s;

    sub_make(&s, EXCH_EWS_SUB_PULL, 1, 1000000, 1);
    is_int((int) (exch_ews_sub_expires(&s) - 1000000), 60,
           "pull: Timeout minutes after the last use");

    sub_make(&s, EXCH_EWS_SUB_PULL, 1, 1000000, EXCH_EWS_PULL_TIMEOUT_MAX);
    is_int((int) (exch_ews_sub_expires(&s) - 1000000),
           EXCH_EWS_PULL_TIMEOUT_MAX * 60, "pull: the longest Timeout");

    sub_make(&s, EXCH_EWS_SUB_STREAMING, 1, 1000000, 0);
    is_int((int) (exch_ews_sub_expires(&s) - 1000000), 30 * 60,
           "streaming: half an hour after the last connection");

    sub_make(&s, EXCH_EWS_SUB_PUSH, 1, 1000000, 5);
    ok(exch_ews_sub_expires(&s) == 0, "push: not by time");
}


static void
test_store(exs_env_t *env)
{
    int64_t          now;
    exch_ews_sub_t   s, got;
    exs_arena_t     *a;

    a = exs_arena_create(0);
    now = (int64_t) time(NULL);

    /* used two minutes ago with a one-minute Timeout: expired a minute
     * ago */
    sub_make(&s, EXCH_EWS_SUB_PULL, 1, now - 120, 1);
    is_int(exch_ews_sub_save(env, &s), EXS_OK, "an old pull subscription");
    is_int(exch_ews_sub_load(env, s.id, &got, a), EXS_NOTFOUND,
           "an expired pull subscription does not load");
    is_int(exch_ews_sub_lapsed(env, s.id, now), 1,
           "it is told apart as expired");

    sub_make(&s, EXCH_EWS_SUB_PULL, 2, now - 30, 1);
    is_int(exch_ews_sub_save(env, &s), EXS_OK, "a recent pull subscription");
    ok(exch_ews_sub_load(env, s.id, &got, a) == EXS_OK
       && got.timeout == 1 && got.used == now - 30,
       "a pull subscription within its Timeout loads");
    is_int(exch_ews_sub_lapsed(env, s.id, now), 0, "and is not expired");
    is_int(exch_ews_sub_lapsed(env, s.id, now + 31), 1,
           "a minute after its last use it is");

    /* a GetEvents renews it */
    got.used = now + 50;
    is_int(exch_ews_sub_save(env, &got), EXS_OK, "used again");
    is_int(exch_ews_sub_lapsed(env, s.id, now + 100), 0,
           "its minute counts from the last use");

    sub_make(&s, EXCH_EWS_SUB_STREAMING, 3, now - EXCH_EWS_STREAM_IDLE - 1,
             0);
    exch_ews_sub_save(env, &s);
    is_int(exch_ews_sub_load(env, s.id, &got, a), EXS_NOTFOUND,
           "a streaming subscription idle over half an hour does not load");
    is_int(exch_ews_sub_lapsed(env, s.id, now), 1, "it expired");

    sub_make(&s, EXCH_EWS_SUB_STREAMING, 4, now - EXCH_EWS_STREAM_IDLE + 60,
             0);
    exch_ews_sub_save(env, &s);
    is_int(exch_ews_sub_load(env, s.id, &got, a), EXS_OK,
           "one idle a minute less still loads");

    sub_make(&s, EXCH_EWS_SUB_PUSH, 5, now - 86400 * 365, 1);
    exch_ews_sub_save(env, &s);
    ok(exch_ews_sub_load(env, s.id, &got, a) == EXS_OK
       && exch_ews_sub_lapsed(env, s.id, now + 86400 * 365) == 0,
       "a push subscription does not expire by time");

    sub_make(&s, EXCH_EWS_SUB_PULL, 6, now, 30);
    exch_ews_sub_save(env, &s);
    is_int(exch_ews_sub_delete(env, s.id), EXS_OK, "an unsubscribe");
    ok(exch_ews_sub_load(env, s.id, &got, a) == EXS_NOTFOUND
       && exch_ews_sub_lapsed(env, s.id, now + 86400) == 0,
       "an unsubscribed one is gone, not expired");

    sub_make(&s, EXCH_EWS_SUB_PULL, 7, now, 30);
    is_int(exch_ews_sub_lapsed(env, s.id, now + 86400), 0,
           "one that never was is not expired");

    is_int(exs_state_sweep(env, now), EXS_OK, "a sweep");
    sub_make(&s, EXCH_EWS_SUB_PULL, 1, 0, 0);
    is_int(exch_ews_sub_lapsed(env, s.id, now), 0,
           "the sweep removed the expired pull subscription");
    sub_make(&s, EXCH_EWS_SUB_STREAMING, 3, 0, 0);
    is_int(exch_ews_sub_lapsed(env, s.id, now), 0,
           "and the expired streaming one");
    sub_make(&s, EXCH_EWS_SUB_PULL, 2, 0, 0);
    is_int(exch_ews_sub_load(env, s.id, &got, a), EXS_OK,
           "and kept the live one");

    exs_arena_destroy(a);
}


int
main(void)
{
    exs_env_t  *env;

    test_expires();

    env = store_open("ews_sub", 0);
    ok(env != NULL, "a store");
    if (env == NULL) {
        return done_testing();
    }

    test_store(env);

    exs_env_close(env);

    return done_testing();
}
