
/*
 * exch store: the outgoing mail queue.
 *
 * One database, "queue", with four kinds of keys (the first byte):
 *
 *     0                          the next entry id (u64 LE)
 *     1, id (be64)               the entry: envelope, state, per recipient
 *     2, id (be64)               the message, MIME with CRLF line ends
 *     3, time key (be64), id     due index: the entry's next attempt
 *
 * The message is written once and never rewritten, so claiming and
 * reporting rewrite only the small entry record.  A claim moves the entry's
 * next attempt to the end of the lease: if the claimant dies, the entry is
 * simply due again then.
 */


#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "exs_int.h"
#include "exs_mail.h"


#define EXS_Q_COUNTER           0
#define EXS_Q_ENTRY             1
#define EXS_Q_MIME              2
#define EXS_Q_DUE               3

#define EXS_Q_VERSION           1

#define EXS_Q_RETRY_MIN         60
#define EXS_Q_RETRY_MAX         3600
#define EXS_Q_GIVE_UP           (5 * 86400)

#define EXS_Q_REPLY_MAX         512


static void exs_q_key(exs_key_t *k, uint8_t kind, uint64_t id);
static int exs_q_due_key(exs_txn_t *txn, int64_t when, uint64_t id,
    int add);
static void exs_q_encode(exs_wbuf_t *b, const exs_queue_entry_t *e);
static int exs_q_decode(const void *data, size_t len, exs_queue_entry_t *e,
    exs_arena_t *a);
static int exs_q_load(exs_txn_t *txn, uint64_t id, exs_queue_entry_t *e,
    int mime, exs_arena_t *a);
static int exs_q_save(exs_txn_t *txn, const exs_queue_entry_t *e);
static int exs_q_remove(exs_txn_t *txn, const exs_queue_entry_t *e);
static int exs_q_move(exs_txn_t *txn, exs_queue_entry_t *e, int64_t next);
static int exs_q_ndr(exs_txn_t *txn, exs_queue_entry_t *e,
    const exs_mail_failure_t *f, uint32_t n, exs_arena_t *a);
static uint64_t exs_q_token(void);


static void
exs_q_key(exs_key_t *k, uint8_t kind, uint64_t id)
{
    exs_key_init(k);
    exs_key_u8(k, kind);
    exs_key_u64(k, id);
}


static int
exs_q_due_key(exs_txn_t *txn, int64_t when, uint64_t id, int add)
{
    exs_key_t  k;

    exs_key_init(&k);
    exs_key_u8(&k, EXS_Q_DUE);
    exs_key_u64(&k, exs_time_key(when));
    exs_key_u64(&k, id);

    if (add) {
        return exs_db_put(txn, EXS_DB_QUEUE, k.b, k.len, "", 0, 0);
    }

    return exs_db_del(txn, EXS_DB_QUEUE, k.b, k.len);
}


static void
exs_q_encode(exs_wbuf_t *b, const exs_queue_entry_t *e)
{
    uint32_t     i;
    const char  *s;

    exs_wbuf_u8(b, EXS_Q_VERSION);
    exs_wbuf_u32(b, e->mailbox);
    exs_wbuf_u32(b, e->attempts);
    exs_wbuf_u64(b, (uint64_t) e->queued);
    exs_wbuf_u64(b, (uint64_t) e->next);
    exs_wbuf_u64(b, e->token);
    exs_wbuf_u64(b, (uint64_t) e->submit_time);
    exs_wbuf_u64(b, e->size);

    s = e->from ? e->from : "";
    exs_wbuf_str(b, s, strlen(s));
    s = e->subject ? e->subject : "";
    exs_wbuf_str(b, s, strlen(s));
    s = e->message_id ? e->message_id : "";
    exs_wbuf_str(b, s, strlen(s));

    exs_wbuf_varint(b, e->nrcpts);

    for (i = 0; i < e->nrcpts; i++) {
        exs_wbuf_u8(b, e->rcpts[i].state);
        exs_wbuf_u16(b, (uint16_t) e->rcpts[i].code);
        s = e->rcpts[i].address ? e->rcpts[i].address : "";
        exs_wbuf_str(b, s, strlen(s));
        s = e->rcpts[i].reply ? e->rcpts[i].reply : "";
        exs_wbuf_str(b, s, strnlen(s, EXS_Q_REPLY_MAX));
    }
}


/* strings are copied out of the map: the caller writes afterwards */

static int
exs_q_decode(const void *data, size_t len, exs_queue_entry_t *e,
    exs_arena_t *a)
{
    size_t        slen;
    uint32_t      i;
    exs_rbuf_t    b;
    const char   *s;
    const char  **strs[3];

    memset(e, 0, sizeof(exs_queue_entry_t));
    exs_rbuf_init(&b, data, len);

    if (exs_rbuf_u8(&b) != EXS_Q_VERSION) {
        return EXS_CORRUPT;
    }

    e->mailbox = exs_rbuf_u32(&b);
    e->attempts = exs_rbuf_u32(&b);
    e->queued = (int64_t) exs_rbuf_u64(&b);
    e->next = (int64_t) exs_rbuf_u64(&b);
    e->token = exs_rbuf_u64(&b);
    e->submit_time = (int64_t) exs_rbuf_u64(&b);
    e->size = exs_rbuf_u64(&b);

    strs[0] = &e->from;
    strs[1] = &e->subject;
    strs[2] = &e->message_id;

    for (i = 0; i < 3; i++) {
        s = exs_rbuf_str(&b, &slen);
        if (s == NULL) {
            return EXS_CORRUPT;
        }

        *strs[i] = exs_strndup(a, s, slen);
        if (*strs[i] == NULL) {
            return EXS_NOMEM;
        }
    }

    e->nrcpts = exs_rbuf_count(&b, 7);

    if (b.err != EXS_OK) {
        return EXS_CORRUPT;
    }

    e->rcpts = exs_calloc(a, (e->nrcpts ? e->nrcpts : 1)
                             * sizeof(exs_queue_rcpt_t));
    if (e->rcpts == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < e->nrcpts; i++) {
        e->rcpts[i].state = exs_rbuf_u8(&b);
        e->rcpts[i].code = exs_rbuf_u16(&b);

        s = exs_rbuf_str(&b, &slen);
        if (s == NULL) {
            return EXS_CORRUPT;
        }

        e->rcpts[i].address = exs_strndup(a, s, slen);

        s = exs_rbuf_str(&b, &slen);
        if (s == NULL) {
            return EXS_CORRUPT;
        }

        e->rcpts[i].reply = slen ? exs_strndup(a, s, slen) : NULL;

        if (e->rcpts[i].address == NULL || (slen && !e->rcpts[i].reply)) {
            return EXS_NOMEM;
        }

        if (e->rcpts[i].state > EXS_QRCPT_FAILED) {
            return EXS_CORRUPT;
        }
    }

    return b.err;
}


static int
exs_q_load(exs_txn_t *txn, uint64_t id, exs_queue_entry_t *e, int mime,
    exs_arena_t *a)
{
    int        rc;
    MDB_val    v;
    exs_key_t  k;

    exs_q_key(&k, EXS_Q_ENTRY, id);

    rc = exs_db_get(txn, EXS_DB_QUEUE, k.b, k.len, &v);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_q_decode(v.mv_data, v.mv_size, e, a);
    if (rc != EXS_OK) {
        return rc;
    }

    e->id = id;

    if (!mime) {
        return EXS_OK;
    }

    exs_q_key(&k, EXS_Q_MIME, id);

    rc = exs_db_get(txn, EXS_DB_QUEUE, k.b, k.len, &v);
    if (rc != EXS_OK) {
        return rc == EXS_NOTFOUND ? EXS_CORRUPT : rc;
    }

    e->mime.data = exs_memdup(a, v.mv_data, v.mv_size + 1);
    if (e->mime.data == NULL) {
        return EXS_NOMEM;
    }

    ((uint8_t *) e->mime.data)[v.mv_size] = '\0';
    e->mime.len = v.mv_size;

    return EXS_OK;
}


static int
exs_q_save(exs_txn_t *txn, const exs_queue_entry_t *e)
{
    int         rc;
    exs_key_t   k;
    exs_wbuf_t  b;

    exs_wbuf_init(&b);
    exs_q_encode(&b, e);

    if (b.err != EXS_OK) {
        rc = b.err;
        exs_wbuf_free(&b);
        return rc;
    }

    exs_q_key(&k, EXS_Q_ENTRY, e->id);

    rc = exs_db_put(txn, EXS_DB_QUEUE, k.b, k.len, b.p, b.len, 0);

    exs_wbuf_free(&b);

    return rc;
}


static int
exs_q_remove(exs_txn_t *txn, const exs_queue_entry_t *e)
{
    int        rc;
    exs_key_t  k;

    rc = exs_q_due_key(txn, e->next, e->id, 0);
    if (rc != EXS_OK && rc != EXS_NOTFOUND) {
        return rc;
    }

    exs_q_key(&k, EXS_Q_ENTRY, e->id);

    rc = exs_db_del(txn, EXS_DB_QUEUE, k.b, k.len);
    if (rc != EXS_OK) {
        return rc;
    }

    exs_q_key(&k, EXS_Q_MIME, e->id);

    rc = exs_db_del(txn, EXS_DB_QUEUE, k.b, k.len);

    return rc == EXS_NOTFOUND ? EXS_OK : rc;
}


/* a new next-attempt time: the due index follows */

static int
exs_q_move(exs_txn_t *txn, exs_queue_entry_t *e, int64_t next)
{
    int  rc;

    rc = exs_q_due_key(txn, e->next, e->id, 0);
    if (rc != EXS_OK && rc != EXS_NOTFOUND) {
        return rc;
    }

    e->next = next;

    rc = exs_q_due_key(txn, e->next, e->id, 1);
    if (rc != EXS_OK) {
        return rc;
    }

    return exs_q_save(txn, e);
}


static uint64_t
exs_q_token(void)
{
    uint64_t  t;

    t = 0;

    while (t == 0) {
        if (getrandom(&t, sizeof(t), 0) != (ssize_t) sizeof(t)) {
            t = (uint64_t) exs_filetime_now() ^ (uint64_t) (uintptr_t) &t;
        }
    }

    return t;
}


int
exs_queue_add(exs_txn_t *txn, uint32_t mailbox, const char *from,
    const char *const *rcpts, uint32_t n, const void *mime, size_t len,
    const exs_mail_original_t *orig, uint64_t *idp)
{
    int                 rc;
    uint8_t             c, buf[8];
    uint32_t            i;
    uint64_t            id;
    MDB_val             v;
    exs_key_t           k;
    exs_arena_t        *a;
    exs_queue_entry_t   e;

    if (n == 0 || mime == NULL) {
        return EXS_INVALID;
    }

    c = EXS_Q_COUNTER;

    rc = exs_db_get(txn, EXS_DB_QUEUE, &c, 1, &v);

    if (rc == EXS_NOTFOUND) {
        id = 1;

    } else if (rc != EXS_OK) {
        return rc;

    } else if (v.mv_size != 8) {
        return EXS_CORRUPT;

    } else {
        id = exs_get_le64(v.mv_data);
    }

    exs_le64(buf, id + 1);

    rc = exs_db_put(txn, EXS_DB_QUEUE, &c, 1, buf, 8, 0);
    if (rc != EXS_OK) {
        return rc;
    }

    a = exs_arena_create(1024);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    memset(&e, 0, sizeof(exs_queue_entry_t));
    e.id = id;
    e.mailbox = mailbox;
    e.queued = exs_filetime_to_unix(exs_filetime_now());
    e.next = e.queued;
    e.from = from;
    e.size = len;

    if (orig) {
        e.subject = orig->subject;
        e.message_id = orig->message_id;
        e.submit_time = orig->submit_time;
    }

    e.nrcpts = n;
    e.rcpts = exs_calloc(a, n * sizeof(exs_queue_rcpt_t));

    if (e.rcpts == NULL) {
        exs_arena_destroy(a);
        return EXS_NOMEM;
    }

    for (i = 0; i < n; i++) {
        e.rcpts[i].address = rcpts[i];
        e.rcpts[i].state = EXS_QRCPT_PENDING;
    }

    rc = exs_q_save(txn, &e);

    exs_arena_destroy(a);

    if (rc == EXS_OK) {
        exs_q_key(&k, EXS_Q_MIME, id);
        rc = exs_db_put(txn, EXS_DB_QUEUE, k.b, k.len, mime, len, 0);
    }

    if (rc == EXS_OK) {
        rc = exs_q_due_key(txn, e.next, id, 1);
    }

    if (rc == EXS_OK) {
        txn->queue_due = 1;
    }

    if (rc == EXS_OK && idp) {
        *idp = id;
    }

    return rc;
}


int
exs_queue_next(exs_txn_t *txn, int64_t *when)
{
    int         rc;
    uint8_t     c;
    exs_scan_t  s;

    c = EXS_Q_DUE;

    rc = exs_scan_open(txn, EXS_DB_QUEUE, &c, 1, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_scan_next(&s);

    if (rc == 1) {
        if (s.k.mv_size != 17) {
            rc = EXS_CORRUPT;

        } else {
            *when = (int64_t) (exs_get_be64((uint8_t *) s.k.mv_data + 1)
                               ^ 0x8000000000000000ULL);
            rc = EXS_OK;
        }

    } else if (rc == 0) {
        rc = EXS_NOTFOUND;
    }

    exs_scan_close(&s);

    return rc;
}


int
exs_queue_claim(exs_txn_t *txn, int64_t now, int64_t lease, uint32_t max,
    exs_queue_entry_t **entries, uint32_t *np, exs_arena_t *a)
{
    int                 rc;
    uint8_t             c;
    int64_t             when;
    uint32_t            i, n;
    uint64_t           *ids;
    exs_scan_t          s;
    exs_queue_entry_t  *e;

    *entries = NULL;
    *np = 0;

    if (max == 0) {
        return EXS_OK;
    }

    ids = exs_alloc(a, max * sizeof(uint64_t));
    e = exs_calloc(a, max * sizeof(exs_queue_entry_t));

    if (ids == NULL || e == NULL) {
        return EXS_NOMEM;
    }

    c = EXS_Q_DUE;

    rc = exs_scan_open(txn, EXS_DB_QUEUE, &c, 1, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    n = 0;

    while (n < max && (rc = exs_scan_next(&s)) == 1) {
        if (s.k.mv_size != 17) {
            rc = EXS_CORRUPT;
            break;
        }

        when = (int64_t) (exs_get_be64((uint8_t *) s.k.mv_data + 1)
                          ^ 0x8000000000000000ULL);
        if (when > now) {
            break;
        }

        ids[n++] = exs_get_be64((uint8_t *) s.k.mv_data + 9);
    }

    exs_scan_close(&s);

    if (rc < 0) {
        return rc;
    }

    for (i = 0; i < n; i++) {
        rc = exs_q_load(txn, ids[i], &e[*np], 1, a);
        if (rc == EXS_NOTFOUND) {
            continue;
        }

        if (rc != EXS_OK) {
            return rc;
        }

        e[*np].token = exs_q_token();
        e[*np].attempts++;

        rc = exs_q_move(txn, &e[*np], now + lease);
        if (rc != EXS_OK) {
            return rc;
        }

        (*np)++;
    }

    *entries = e;

    return EXS_OK;
}


static int
exs_q_ndr(exs_txn_t *txn, exs_queue_entry_t *e, const exs_mail_failure_t *f,
    uint32_t n, exs_arena_t *a)
{
    int                  rc;
    MDB_val              v;
    exs_key_t            k;
    exs_mail_original_t  orig;

    if (n == 0) {
        return EXS_OK;
    }

    memset(&orig, 0, sizeof(exs_mail_original_t));
    orig.subject = e->subject;
    orig.message_id = e->message_id;
    orig.submit_time = e->submit_time;

    if (e->mime.data) {
        orig.mime = e->mime.data;
        orig.mime_len = e->mime.len;

    } else {
        exs_q_key(&k, EXS_Q_MIME, e->id);

        rc = exs_db_get(txn, EXS_DB_QUEUE, k.b, k.len, &v);
        if (rc == EXS_OK) {
            /* the map may move under the NDR's writes: a copy */
            orig.mime = exs_memdup(a, v.mv_data, v.mv_size);
            orig.mime_len = v.mv_size;

            if (orig.mime == NULL) {
                return EXS_NOMEM;
            }
        }
    }

    rc = exs_mail_ndr(txn, e->mailbox, &orig, f, n, NULL, a);

    /* a sender whose mailbox is gone gets no report */
    return rc == EXS_NOTFOUND ? EXS_OK : rc;
}


int
exs_queue_done(exs_txn_t *txn, uint64_t id, uint64_t token,
    const exs_queue_result_t *results, uint32_t n, int64_t now,
    const exs_queue_policy_t *policy, exs_arena_t *a)
{
    int                  rc;
    int64_t              delay, rmin, rmax, give_up;
    uint32_t             i, pending, untried, nf;
    exs_queue_rcpt_t    *r;
    exs_queue_entry_t    e;
    exs_mail_failure_t  *f;

    rc = exs_q_load(txn, id, &e, 0, a);
    if (rc != EXS_OK) {
        return rc == EXS_NOTFOUND ? EXS_CONFLICT : rc;
    }

    if (token == 0 || e.token != token) {
        return EXS_CONFLICT;
    }

    rmin = policy && policy->retry_min > 0 ? policy->retry_min
                                           : EXS_Q_RETRY_MIN;
    rmax = policy && policy->retry_max > 0 ? policy->retry_max
                                           : EXS_Q_RETRY_MAX;
    give_up = policy && policy->give_up > 0 ? policy->give_up
                                            : EXS_Q_GIVE_UP;

    f = exs_calloc(a, (e.nrcpts ? e.nrcpts : 1) * sizeof(exs_mail_failure_t));
    if (f == NULL) {
        return EXS_NOMEM;
    }

    nf = 0;
    pending = 0;
    untried = 0;

    for (i = 0; i < e.nrcpts; i++) {
        r = &e.rcpts[i];

        if (r->state != EXS_QRCPT_PENDING) {
            continue;
        }

        if (i < n && results[i].code < 0) {
            untried++;

        } else if (i < n) {
            r->code = results[i].code;
            r->reply = results[i].reply;

            if (r->code >= 200 && r->code < 300) {
                r->state = EXS_QRCPT_DONE;
                continue;
            }

            if (r->code >= 500 && r->code < 600) {
                r->state = EXS_QRCPT_FAILED;
                f[nf].address = r->address;
                f[nf].code = r->code;
                f[nf].reason = r->reply;
                nf++;
                continue;
            }
        }

        pending++;
    }

    if (pending && now - e.queued >= give_up) {
        for (i = 0; i < e.nrcpts; i++) {
            r = &e.rcpts[i];

            if (r->state != EXS_QRCPT_PENDING) {
                continue;
            }

            r->state = EXS_QRCPT_FAILED;
            f[nf].address = r->address;
            f[nf].code = r->code;
            f[nf].reason = r->reply && *r->reply
                           ? r->reply
                           : "the message could not be delivered in time "
                             "(no answer from the mail relay)";
            nf++;
        }

        pending = 0;
    }

    rc = exs_q_ndr(txn, &e, f, nf, a);
    if (rc != EXS_OK) {
        return rc;
    }

    if (pending == 0) {
        return exs_q_remove(txn, &e);
    }

    delay = rmin;
    for (i = 1; i < e.attempts && delay < rmax; i++) {
        delay *= 2;
    }

    if (delay > rmax) {
        delay = rmax;
    }

    if (untried == pending) {
        /* only recipients there was no room for in the session: now */
        delay = 0;
        if (e.attempts) {
            e.attempts--;
        }
    }

    e.token = 0;

    return exs_q_move(txn, &e, now + delay);
}


int
exs_queue_release(exs_txn_t *txn, uint64_t id, uint64_t token, int64_t when)
{
    int                 rc;
    exs_arena_t        *a;
    exs_queue_entry_t   e;

    a = exs_arena_create(1024);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_q_load(txn, id, &e, 0, a);

    if (rc == EXS_OK) {
        if (token == 0 || e.token != token) {
            rc = EXS_CONFLICT;

        } else {
            e.token = 0;
            if (e.attempts) {
                e.attempts--;
            }
            rc = exs_q_move(txn, &e, when);
            txn->queue_due |= rc == EXS_OK;
        }
    }

    exs_arena_destroy(a);

    return rc;
}


int
exs_queue_list(exs_txn_t *txn, exs_queue_entry_t **entries, uint32_t *np,
    exs_arena_t *a)
{
    int                 rc;
    uint8_t             c;
    uint32_t            n, cap;
    exs_scan_t          s;
    exs_queue_entry_t  *e, *ne;

    *entries = NULL;
    *np = 0;

    c = EXS_Q_ENTRY;

    rc = exs_scan_open(txn, EXS_DB_QUEUE, &c, 1, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    e = NULL;
    n = 0;
    cap = 0;

    while ((rc = exs_scan_next(&s)) == 1) {
        if (s.k.mv_size != 9) {
            rc = EXS_CORRUPT;
            break;
        }

        if (n == cap) {
            cap = cap ? cap * 2 : 16;

            ne = exs_alloc(a, cap * sizeof(exs_queue_entry_t));
            if (ne == NULL) {
                rc = EXS_NOMEM;
                break;
            }

            if (n) {
                memcpy(ne, e, n * sizeof(exs_queue_entry_t));
            }

            e = ne;
        }

        rc = exs_q_decode(s.v.mv_data, s.v.mv_size, &e[n], a);
        if (rc != EXS_OK) {
            break;
        }

        e[n].id = exs_get_be64((uint8_t *) s.k.mv_data + 1);
        n++;
    }

    exs_scan_close(&s);

    if (rc < 0) {
        return rc;
    }

    *entries = e;
    *np = n;

    return EXS_OK;
}


int
exs_queue_get(exs_txn_t *txn, uint64_t id, exs_queue_entry_t *e,
    exs_arena_t *a)
{
    return exs_q_load(txn, id, e, 1, a);
}


int
exs_queue_kick(exs_txn_t *txn, uint64_t id, int64_t now)
{
    int                 rc;
    uint32_t            i, n;
    exs_arena_t        *a;
    exs_queue_entry_t  *list, e;

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    if (id) {
        rc = exs_q_load(txn, id, &e, 0, a);
        list = &e;
        n = 1;

    } else {
        rc = exs_queue_list(txn, &list, &n, a);
    }

    for (i = 0; rc == EXS_OK && i < n; i++) {
        list[i].token = 0;
        rc = exs_q_move(txn, &list[i], now);
        txn->queue_due |= rc == EXS_OK;
    }

    exs_arena_destroy(a);

    return rc;
}


int
exs_queue_delete(exs_txn_t *txn, uint64_t id, int ndr, exs_arena_t *a)
{
    int                  rc;
    uint32_t             i, nf;
    exs_queue_entry_t    e;
    exs_mail_failure_t  *f;

    rc = exs_q_load(txn, id, &e, 0, a);
    if (rc != EXS_OK) {
        return rc;
    }

    if (ndr) {
        f = exs_calloc(a, (e.nrcpts ? e.nrcpts : 1)
                          * sizeof(exs_mail_failure_t));
        if (f == NULL) {
            return EXS_NOMEM;
        }

        nf = 0;

        for (i = 0; i < e.nrcpts; i++) {
            if (e.rcpts[i].state == EXS_QRCPT_PENDING) {
                f[nf].address = e.rcpts[i].address;
                f[nf].code = 550;
                f[nf].reason = "550 5.3.0 the message was deleted from "
                               "the queue by the administrator";
                nf++;
            }
        }

        rc = exs_q_ndr(txn, &e, f, nf, a);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    return exs_q_remove(txn, &e);
}
