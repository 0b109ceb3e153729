
/*
 * bench/mapi_execute: the CPU time of the EMSMDB Execute that bench/mapi.py
 * sends, without nginx and the network (not a test).
 *
 *     build/bench/mapi_execute [RUNS]
 *
 * A store in a temporary directory with 200 messages in alice's Inbox; one
 * session; each run does what a worker does for one Execute: classify the
 * ROPs, load the session, claim its sequence (with the save: they only
 * read), run Logon, OpenFolder (Inbox), GetContentsTable, SetColumns
 * (Outlook's 25 columns), QueryRows (50) and Release, compressed and
 * XorMagic'd as Outlook lets it be, and save the session.  Prints CPU
 * microseconds per Execute (the best of five rounds) and the share of the
 * answer's compression in it.  The heap is kept as a worker keeps it.
 */


#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <exch_oxcrpc_rpc_ext.h>
#include <exch_oxcrpc_lz77.h>

#include "../fuzz/mapi_fixture.h"


#define MESSAGES     200
#define ROUNDS       5


static const uint32_t  outlook_columns[] = {
    0x674A0014, 0x0FF60102, 0x0FF50003, 0x30050003, 0x0FFF0102,
    0x001A001F, 0x0037001F, 0x0042001F, 0x0065001F, 0x0E060040,
    0x00390040, 0x0E070003, 0x0E080003, 0x00170003, 0x00360003,
    0x0E1B000B, 0x0E04001F, 0x30080040, 0x10800003, 0x300B0102,
    0x0E090102, 0x0070001F, 0x00710102, 0x0E1D001F, 0x1035001F
};


static double now(void);
static int populate(mapi_fixture_t *f);
static size_t request(mapi_fixture_t *f, uint8_t *buf);


static double
now(void)
{
    struct timespec  ts;

    /* CPU time: a busy machine slows the figures down less */
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);

    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}


static int
populate(mapi_fixture_t *f)
{
    int         i;
    char        mime[512];
    exs_txn_t  *txn;

    if (exs_txn_begin(f->env, 0, &txn) != EXS_OK) {
        return -1;
    }

    for (i = 0; i < MESSAGES; i++) {
        snprintf(mime, sizeof(mime),
                 "From: Bench %d <bench%d@example.test>\r\n"
                 "To: alice@example.test\r\nSubject: Benchmark %03d\r\n"
                 "Date: Mon, 1 Jan 2024 00:%02d:00 +0000\r\n\r\n"
                 "Body of message %d.\r\n", i, i, i, i % 60, i);

        if (mapi_fixture_deliver(txn, mime, f->a) != 0) {
            exs_txn_abort(txn);
            return -1;
        }
    }

    return exs_txn_commit(txn) == EXS_OK ? 0 : -1;
}


/* the ROP buffer in an uncompressed RPC_HEADER_EXT */

static size_t
request(mapi_fixture_t *f, uint8_t *buf)
{
    size_t    i, ncols;
    uint8_t  *p, *rops;

    ncols = sizeof(outlook_columns) / sizeof(outlook_columns[0]);
    rops = buf + 8;
    p = mapi_fixture_logon_rops(f, rops + 2);

    *p++ = EXCH_ROP_GET_CONTENTS_TABLE; *p++ = 0; *p++ = 1; *p++ = 2;
    *p++ = 0;

    *p++ = EXCH_ROP_SET_COLUMNS; *p++ = 0; *p++ = 2; *p++ = 0;
    exch_put16(p, (uint16_t) ncols); p += 2;
    for (i = 0; i < ncols; i++) {
        exch_put32(p, outlook_columns[i]); p += 4;
    }

    *p++ = EXCH_ROP_QUERY_ROWS; *p++ = 0; *p++ = 2; *p++ = 0; *p++ = 1;
    exch_put16(p, 50); p += 2;

    *p++ = EXCH_ROP_RELEASE; *p++ = 0; *p++ = 0;

    exch_put16(rops, (uint16_t) (p - rops));

    for (i = 0; i < 3; i++) {
        exch_put32(p, 0xFFFFFFFF); p += 4;
    }

    exch_put16(buf, 0);
    exch_put16(buf + 2, EXCH_RHE_LAST);
    exch_put16(buf + 4, (uint16_t) (p - rops));
    exch_put16(buf + 6, (uint16_t) (p - rops));

    return (size_t) (p - buf);
}


int
main(int argc, char **argv)
{
    int              r, runs, i, late;
    double           t, best, lz;
    size_t           len, n, plain;
    uint8_t          key[20], buf[4096], *tmp;
    uint32_t         ec;
    exs_bin_t        out;
    exch_ems_t       e;
    mapi_fixture_t  *f;

    /* as a worker does (ngx_exch_mapi_init_process) */
    (void) mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);

    runs = argc > 1 ? atoi(argv[1]) : 500;
    if (runs < 1) {
        runs = 1;
    }

    f = mapi_fixture();
    if (f == NULL || populate(f) != 0) {
        fprintf(stderr, "mapi_execute: no store\n");
        return 1;
    }

    mapi_fixture_ems(&e, f, &f->alice, exs_arena_create(0));

    if (e.a == NULL
        || exch_ems_session_create(&e, 1252, 1033, 1033) != EXS_OK)
    {
        fprintf(stderr, "mapi_execute: no session\n");
        return 1;
    }

    memcpy(key, e.s->key, 20);
    len = request(f, buf);
    best = 0;
    plain = 0;
    out.len = 0;

    for (r = 0; r < ROUNDS; r++) {
        t = now();

        for (i = 0; i < runs; i++) {
            exs_arena_reset(e.a);
            e.s = NULL;

            late = exch_ems_classify(buf, len, e.a) & EXCH_EMS_READS;

            if (exch_ems_session_load(&e, key) != EXS_OK
                || (late ? exch_ems_session_claim_late(&e)
                         : exch_ems_session_claim(&e)) != EXS_OK
                || exch_ems_execute(&e, buf, len, 0, 0x40000, &out, &ec)
                   != EXCH_OK
                || ec != 0)
            {
                fprintf(stderr, "mapi_execute: Execute failed\n");
                return 1;
            }

            exch_ems_txn_end(&e);

            if (exch_ems_session_save(&e) != EXS_OK) {
                fprintf(stderr, "mapi_execute: no save\n");
                return 1;
            }
        }

        t = (now() - t) / runs;

        if (r == 0 || t < best) {
            best = t;
        }
    }

    /* the compression alone, of the same answer uncompressed */

    exs_arena_reset(e.a);
    e.s = NULL;

    if (exch_ems_session_load(&e, key) != EXS_OK
        || exch_ems_execute(&e, buf, len, EXCH_MH_EXECUTE_NO_COMPRESSION
                            | EXCH_MH_EXECUTE_NO_XOR_MAGIC, 0x40000, &out,
                            &ec) != EXCH_OK)
    {
        return 1;
    }

    exch_ems_txn_end(&e);
    plain = out.len - EXCH_RHE_SIZE;
    tmp = malloc(exch_lz77_bound(plain));
    lz = 0;

    if (tmp) {
        t = now();

        for (i = 0; i < runs; i++) {
            (void) exch_lz77_compress(out.data + EXCH_RHE_SIZE, plain, tmp,
                                      exch_lz77_bound(plain), &n);
        }

        lz = (now() - t) / runs;
        free(tmp);
    }

    printf("Execute (Logon..QueryRows 50, %d messages): %.1f us "
           "(%.0f per second on one core); %zu bytes of ROP answer, "
           "its LZ77 %.1f us\n", MESSAGES, best * 1e6, 1 / best, plain,
           lz * 1e6);

    exs_arena_destroy(e.a);

    return 0;
}
