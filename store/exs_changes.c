
/*
 * exch store: the change log.  Every change to a mailbox gets a change
 * number from the mailbox's global counter and one entry here, in change
 * number order, so ICS, EWS Sync*, IMAP CONDSTORE and notifications can
 * ask "what changed since N".  Per folder, idx.cn keeps each message's
 * newest change number for the same question about one folder.
 *
 *   change:  u32 mailbox, u64 cn -> u8 kind, u8 flags, u64 id,
 *            u64 folder, u64 old id, u64 old folder, i64 time
 *   idx.cn:  u32 mailbox, u64 folder, u64 cn -> u64 mid, u8 associated
 */


#include <string.h>

#include "exs_int.h"


#define EXS_CHANGE_LEN          42


int
exs_change_log(exs_mbox_t *mb, uint64_t cn, uint8_t kind, uint8_t flags,
    exs_id_t id, exs_id_t folder, exs_id_t old_id, exs_id_t old_folder)
{
    uint8_t    v[EXS_CHANGE_LEN];
    exs_key_t  k;

    exs_key_init(&k);
    exs_key_u32(&k, mb->id);
    exs_key_u64(&k, cn);

    v[0] = kind;
    v[1] = flags;
    exs_le64(v + 2, id);
    exs_le64(v + 10, folder);
    exs_le64(v + 18, old_id);
    exs_le64(v + 26, old_folder);
    exs_le64(v + 34, (uint64_t) exs_filetime_now());

    exs_mbox_touch(mb, cn, 0);

    return exs_db_put(mb->txn, EXS_DB_CHANGE, k.b, k.len, v, sizeof(v), 0);
}


int
exs_change_decode(const void *data, size_t len, exs_change_t *c)
{
    const uint8_t  *p;

    if (len != EXS_CHANGE_LEN) {
        return EXS_CORRUPT;
    }

    p = data;

    c->kind = p[0];
    c->flags = p[1];
    c->id = exs_get_le64(p + 2);
    c->folder = exs_get_le64(p + 10);
    c->old_id = exs_get_le64(p + 18);
    c->old_folder = exs_get_le64(p + 26);
    c->time = (int64_t) exs_get_le64(p + 34);

    if (c->kind < EXS_CHANGE_CREATE || c->kind > EXS_CHANGE_SOFT_DELETE) {
        return EXS_CORRUPT;
    }

    return EXS_OK;
}


int
exs_changes(exs_mbox_t *mb, uint64_t cn, uint32_t max,
    exs_change_t **changes, uint32_t *n, int *more, exs_arena_t *a)
{
    int            rc;
    uint8_t        prefix[4];
    exs_key_t      k;
    exs_scan_t     s;
    exs_change_t  *c;

    *changes = NULL;
    *n = 0;
    *more = 0;

    if (!mb->owner_access) {
        return EXS_DENIED;
    }

    if (max == 0) {
        max = 1;
    }

    c = exs_alloc(a, (max < 4096 ? max : 4096) * sizeof(exs_change_t));
    if (c == NULL) {
        return EXS_NOMEM;
    }

    if (max > 4096) {
        max = 4096;
    }

    exs_be32(prefix, mb->id);

    rc = exs_scan_open(mb->txn, EXS_DB_CHANGE, prefix, 4, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    exs_key_init(&k);
    exs_key_u32(&k, mb->id);
    exs_key_u64(&k, cn + 1);

    rc = exs_scan_seek(&s, k.b, k.len);

    while (rc == EXS_OK && (rc = exs_scan_next(&s)) == 1) {
        if (*n == max) {
            *more = 1;
            break;
        }

        if (s.k.mv_size != 12) {
            rc = EXS_CORRUPT;
            break;
        }

        rc = exs_change_decode(s.v.mv_data, s.v.mv_size, &c[*n]);
        if (rc != EXS_OK) {
            break;
        }

        c[*n].cn = exs_get_be64((uint8_t *) s.k.mv_data + 4);
        (*n)++;
        rc = EXS_OK;
    }

    exs_scan_close(&s);

    *changes = c;

    return rc < 0 ? rc : EXS_OK;
}


int
exs_folder_changed(exs_mbox_t *mb, exs_id_t fid, uint64_t cn, uint32_t max,
    exs_msgchange_t **changes, uint32_t *n, int *more, exs_arena_t *a)
{
    int               rc;
    exs_key_t         k;
    exs_scan_t        s;
    exs_msgchange_t  *c;

    *changes = NULL;
    *n = 0;
    *more = 0;

    rc = exs_mbox_check(mb, fid, 0x1, 0);
    if (rc != EXS_OK) {
        return rc;
    }

    if (max == 0 || max > 65536) {
        max = 65536;
    }

    c = exs_alloc(a, (max < 1024 ? max : 1024) * sizeof(exs_msgchange_t));
    if (c == NULL) {
        return EXS_NOMEM;
    }

    exs_key_init(&k);
    exs_key_u32(&k, mb->id);
    exs_key_u64(&k, fid);

    rc = exs_scan_open(mb->txn, EXS_DB_IDX_CN, k.b, k.len, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    exs_key_u64(&k, cn + 1);
    rc = exs_scan_seek(&s, k.b, k.len);

    while (rc == EXS_OK && (rc = exs_scan_next(&s)) == 1) {
        if (*n == max) {
            *more = 1;
            break;
        }

        if (s.k.mv_size != 20 || s.v.mv_size != 9) {
            rc = EXS_CORRUPT;
            break;
        }

        if (*n >= 1024 && (*n & (*n - 1)) == 0) {
            exs_msgchange_t  *nc;

            nc = exs_alloc(a, 2 * *n * sizeof(exs_msgchange_t));
            if (nc == NULL) {
                rc = EXS_NOMEM;
                break;
            }
            memcpy(nc, c, *n * sizeof(exs_msgchange_t));
            c = nc;
        }

        c[*n].cn = exs_get_be64((uint8_t *) s.k.mv_data + 12);
        c[*n].mid = exs_get_le64(s.v.mv_data);
        c[*n].associated = ((uint8_t *) s.v.mv_data)[8];
        (*n)++;
        rc = EXS_OK;
    }

    exs_scan_close(&s);

    *changes = c;

    return rc < 0 ? rc : EXS_OK;
}
