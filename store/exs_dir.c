
/*
 * exch store: the directory.  Domains, users (each with a mailbox),
 * aliases, distribution groups and the global address list.
 *
 *   domain:      lower-case name -> u32 domain id
 *   dir:         u32 id -> the entry (exs_dir_encode())
 *   dir.addr:    lower-case primary address or alias -> u32 id
 *   dir.dn:      lower-case legacyExchangeDN -> u32 id
 *   dir.guid:    GUID -> u32 id
 *   dir.gal:     folded display name, 0, u32 id -> (empty)
 *   dir.member:  u32 group, u32 member -> (empty)
 */


#ifndef _GNU_SOURCE
#define _GNU_SOURCE             /* memmem(), qsort_r(), explicit_bzero() */
#endif

#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "exs_int.h"


#define EXS_DIR_FIRST_ID        0x100
#define EXS_GAL_NAME_MAX        400
#define EXS_ADDR_MAX            320

#define EXS_ORG                 "First Organization"
#define EXS_DN_PREFIX           "/o=" EXS_ORG "/ou=Exchange Administrative " \
                                "Group (FYDIBOHF23SPDLT)/cn=Recipients/cn="


static int exs_dir_next(exs_txn_t *t, const char *name, uint32_t first,
    uint32_t *id);
static int exs_dir_load(exs_txn_t *t, uint32_t id, exs_dirent_t *e,
    exs_arena_t *a);
static int exs_dir_by_index(exs_txn_t *t, int db, const void *key,
    size_t klen, exs_dirent_t *e, exs_arena_t *a);
static int exs_dir_store(exs_txn_t *t, const exs_dirent_t *e);
static int exs_dir_decode(const void *data, size_t len, exs_dirent_t *e,
    unsigned flags, exs_arena_t *a);
static int exs_gal_key(exs_key_t *k, const char *name, uint32_t id);
static int exs_gal_update(exs_txn_t *t, const char *old, const char *name,
    uint32_t id);
static int exs_addr_valid(const char *addr, const char **domain);
static int exs_domain_valid(const char *name);
static int exs_domain_id(exs_txn_t *t, const char *name, uint32_t *id);
static int exs_addr_take(exs_txn_t *t, const char *addr, uint32_t id);
static int exs_entry_add(exs_txn_t *t, uint32_t type, const char *address,
    const char *display_name, const char *password, uint32_t *id);
static int exs_entry_del(exs_txn_t *t, uint32_t id, uint32_t type);


int
exs_password_hash(const char *password, char *hash, size_t size)
{
    int                 rc;
    char                salt[CRYPT_GENSALT_OUTPUT_SIZE];
    const char         *h;
    struct crypt_data  *cd;

    if (password == NULL || hash == NULL) {
        return EXS_INVALID;
    }

    if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) == NULL) {
        return EXS_ERROR;
    }

    cd = calloc(1, sizeof(struct crypt_data));
    if (cd == NULL) {
        return EXS_NOMEM;
    }

    h = crypt_rn(password, salt, cd, sizeof(struct crypt_data));

    if (h == NULL || h[0] != '$') {
        rc = EXS_ERROR;

    } else if (strlen(h) >= size) {
        rc = EXS_TOOBIG;

    } else {
        memcpy(hash, h, strlen(h) + 1);
        rc = EXS_OK;
    }

    explicit_bzero(cd, sizeof(struct crypt_data));
    free(cd);

    return rc;
}


int
exs_password_verify(const char *hash, const char *password)
{
    int                 rc;
    size_t              len;
    const char         *h;
    struct crypt_data  *cd;

    if (hash == NULL || password == NULL || hash[0] != '$') {
        return EXS_DENIED;
    }

    cd = calloc(1, sizeof(struct crypt_data));
    if (cd == NULL) {
        return EXS_NOMEM;
    }

    h = crypt_rn(password, hash, cd, sizeof(struct crypt_data));
    len = strlen(hash);

    if (h != NULL && h[0] == '$' && strlen(h) == len
        && CRYPTO_memcmp(h, hash, len) == 0)
    {
        rc = EXS_OK;

    } else {
        rc = EXS_DENIED;
    }

    explicit_bzero(cd, sizeof(struct crypt_data));
    free(cd);

    return rc;
}


static int
exs_dir_next(exs_txn_t *t, const char *name, uint32_t first, uint32_t *id)
{
    int       rc;
    MDB_val   v;
    uint8_t   b[4];

    rc = exs_db_get(t, EXS_DB_META, name, strlen(name), &v);

    if (rc == EXS_NOTFOUND) {
        *id = first;

    } else if (rc != EXS_OK) {
        return rc;

    } else if (v.mv_size != 4) {
        return EXS_CORRUPT;

    } else {
        *id = exs_get_le32(v.mv_data);
    }

    if (*id == UINT32_MAX) {
        return EXS_FULL;
    }

    exs_le32(b, *id + 1);

    return exs_db_put(t, EXS_DB_META, name, strlen(name), b, 4, 0);
}


static int
exs_domain_valid(const char *name)
{
    size_t       len;
    const char  *p;

    len = strlen(name);

    if (len == 0 || len > 253 || name[0] == '.' || name[0] == '-'
        || name[len - 1] == '.')
    {
        return 0;
    }

    for (p = name; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
        {
            return 0;
        }

        if (*p == '.' && p[1] == '.') {
            return 0;
        }
    }

    return 1;
}


static int
exs_addr_valid(const char *addr, const char **domain)
{
    size_t       len;
    const char  *at, *p;

    len = strlen(addr);
    at = strrchr(addr, '@');

    if (at == NULL || at == addr || len > EXS_ADDR_MAX
        || at - addr > 64 || !exs_domain_valid(at + 1))
    {
        return 0;
    }

    for (p = addr; p < at; p++) {
        if ((unsigned char) *p <= ' ' || (unsigned char) *p >= 0x7F
            || strchr("@<>()[],;:\\\"", *p))
        {
            return 0;
        }
    }

    *domain = at + 1;

    return 1;
}


static int
exs_domain_id(exs_txn_t *t, const char *name, uint32_t *id)
{
    int           rc;
    size_t        len;
    uint8_t       key[256];
    MDB_val       v;

    len = strlen(name);
    if (len > 253) {
        return EXS_NOTFOUND;
    }

    exs_fold(name, len, key, sizeof(key));

    rc = exs_db_get(t, EXS_DB_DOMAIN, key, len, &v);
    if (rc != EXS_OK) {
        return rc;
    }

    if (v.mv_size != 4) {
        return EXS_CORRUPT;
    }

    *id = exs_get_le32(v.mv_data);

    return EXS_OK;
}


int
exs_dir_domain_add(exs_txn_t *t, const char *name, uint32_t *id)
{
    int       rc;
    size_t    len;
    uint8_t   key[256], v[4];
    uint32_t  did;

    if (name == NULL || !exs_domain_valid(name)) {
        return EXS_INVALID;
    }

    rc = exs_domain_id(t, name, &did);
    if (rc == EXS_OK) {
        return EXS_EXISTS;
    }

    if (rc != EXS_NOTFOUND) {
        return rc;
    }

    rc = exs_dir_next(t, "domain_next", 1, &did);
    if (rc != EXS_OK) {
        return rc;
    }

    len = exs_fold(name, strlen(name), key, sizeof(key));
    exs_le32(v, did);

    rc = exs_db_put(t, EXS_DB_DOMAIN, key, len, v, 4, 0);
    if (rc != EXS_OK) {
        return rc;
    }

    if (id) {
        *id = did;
    }

    return EXS_OK;
}


int
exs_dir_domain_del(exs_txn_t *t, const char *name)
{
    int           rc;
    size_t        len;
    uint8_t       key[256];
    uint32_t      did;
    exs_scan_t    s;

    if (name == NULL) {
        return EXS_INVALID;
    }

    rc = exs_domain_id(t, name, &did);
    if (rc != EXS_OK) {
        return rc;
    }

    /* a domain with users, groups or aliases stays */

    rc = exs_scan_open(t, EXS_DB_DIR, NULL, 0, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    while ((rc = exs_scan_next(&s)) == 1) {
        if (s.v.mv_size < 32) {
            rc = EXS_CORRUPT;
            break;
        }

        if (exs_get_le32((uint8_t *) s.v.mv_data + 8) == did) {
            rc = EXS_CONFLICT;
            break;
        }
    }

    exs_scan_close(&s);

    if (rc != 0) {
        return rc;
    }

    len = exs_fold(name, strlen(name), key, sizeof(key));

    rc = exs_scan_open(t, EXS_DB_DIR_ADDR, NULL, 0, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    while ((rc = exs_scan_next(&s)) == 1) {
        if (s.k.mv_size > len + 1
            && ((uint8_t *) s.k.mv_data)[s.k.mv_size - len - 1] == '@'
            && memcmp((uint8_t *) s.k.mv_data + s.k.mv_size - len, key, len)
               == 0)
        {
            rc = EXS_CONFLICT;
            break;
        }
    }

    exs_scan_close(&s);

    if (rc != 0) {
        return rc;
    }

    rc = exs_db_del(t, EXS_DB_DOMAIN, key, len);

    return rc;
}


int
exs_dir_domains(exs_txn_t *t, exs_domain_t **domains, uint32_t *n,
    exs_arena_t *a)
{
    int            rc;
    uint32_t       cap;
    exs_scan_t     s;
    exs_domain_t  *d, *nd;

    *domains = NULL;
    *n = 0;
    cap = 0;
    d = NULL;

    rc = exs_scan_open(t, EXS_DB_DOMAIN, NULL, 0, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    while ((rc = exs_scan_next(&s)) == 1) {
        if (s.v.mv_size != 4) {
            rc = EXS_CORRUPT;
            break;
        }

        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            nd = exs_alloc(a, cap * sizeof(exs_domain_t));
            if (nd == NULL) {
                rc = EXS_NOMEM;
                break;
            }
            if (*n) {
                memcpy(nd, d, *n * sizeof(exs_domain_t));
            }
            d = nd;
        }

        d[*n].id = exs_get_le32(s.v.mv_data);
        d[*n].name = exs_strndup(a, s.k.mv_data, s.k.mv_size);

        if (d[*n].name == NULL) {
            rc = EXS_NOMEM;
            break;
        }

        (*n)++;
    }

    exs_scan_close(&s);

    *domains = d;

    return rc < 0 ? rc : EXS_OK;
}


/* entries */

static int
exs_dir_decode(const void *data, size_t len, exs_dirent_t *e, unsigned flags,
    exs_arena_t *a)
{
    int             rc;
    size_t          l;
    uint32_t        i;
    exs_rbuf_t      b;
    const char     *s;
    const uint8_t  *p;

    memset(e, 0, sizeof(exs_dirent_t));
    exs_rbuf_init(&b, data, len);

    p = exs_rbuf_mem(&b, 32);
    if (p == NULL || p[0] != 1) {
        return EXS_CORRUPT;
    }

    e->type = p[1];
    e->flags = exs_get_le32(p + 4);
    e->domain = exs_get_le32(p + 8);
    e->mailbox = exs_get_le32(p + 12);
    memcpy(e->guid, p + 16, 16);

    e->address = exs_rbuf_str(&b, &l);
    e->display_name = exs_rbuf_str(&b, &l);
    e->legacy_dn = exs_rbuf_str(&b, &l);
    e->password = exs_rbuf_str(&b, &l);

    if (b.err != EXS_OK) {
        return EXS_CORRUPT;
    }

    if (flags & EXS_DEC_COPY) {
        e->address = exs_strdup(a, e->address);
        e->display_name = exs_strdup(a, e->display_name);
        e->legacy_dn = exs_strdup(a, e->legacy_dn);
        e->password = exs_strdup(a, e->password);

        if (!e->address || !e->display_name || !e->legacy_dn
            || !e->password)
        {
            return EXS_NOMEM;
        }
    }

    if (e->password[0] == '\0') {
        e->password = NULL;
    }

    e->naliases = exs_rbuf_count(&b, 2);
    if (b.err != EXS_OK) {
        return EXS_CORRUPT;
    }

    e->aliases = exs_alloc(a, (e->naliases ? e->naliases : 1)
                              * sizeof(char *));
    if (e->aliases == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < e->naliases; i++) {
        s = exs_rbuf_str(&b, &l);
        if (s == NULL) {
            return EXS_CORRUPT;
        }

        e->aliases[i] = (flags & EXS_DEC_COPY) ? exs_strdup(a, s) : s;
        if (e->aliases[i] == NULL) {
            return EXS_NOMEM;
        }
    }

    rc = exs_bag_decode(&b, &e->props, flags, a);
    if (rc != EXS_OK) {
        return rc;
    }

    if (b.p != b.end) {
        return EXS_CORRUPT;
    }

    return EXS_OK;
}


int
exs_dir_decode_record(const void *data, size_t len, exs_dirent_t *e,
    exs_arena_t *a)
{
    return exs_dir_decode(data, len, e, EXS_DEC_COPY, a);
}


static int
exs_dir_load(exs_txn_t *t, uint32_t id, exs_dirent_t *e, exs_arena_t *a)
{
    int       rc;
    uint8_t   key[4];
    MDB_val   v;

    exs_be32(key, id);

    rc = exs_db_get(t, EXS_DB_DIR, key, 4, &v);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_dir_decode(v.mv_data, v.mv_size, e,
                        exs_txn_rdonly(t) ? 0 : EXS_DEC_COPY, a);
    if (rc != EXS_OK) {
        return rc;
    }

    e->id = id;

    return EXS_OK;
}


static int
exs_dir_store(exs_txn_t *t, const exs_dirent_t *e)
{
    int          rc;
    uint8_t      key[4], *h;
    uint32_t     i;
    exs_wbuf_t   b;

    exs_wbuf_init(&b);

    h = exs_wbuf_room(&b, 32);
    if (h) {
        memset(h, 0, 32);
        h[0] = 1;
        h[1] = (uint8_t) e->type;
        exs_le32(h + 4, e->flags);
        exs_le32(h + 8, e->domain);
        exs_le32(h + 12, e->mailbox);
        memcpy(h + 16, e->guid, 16);
    }

    exs_wbuf_str(&b, e->address, strlen(e->address));
    exs_wbuf_str(&b, e->display_name, strlen(e->display_name));
    exs_wbuf_str(&b, e->legacy_dn, strlen(e->legacy_dn));
    exs_wbuf_str(&b, e->password ? e->password : "",
                 e->password ? strlen(e->password) : 0);

    exs_wbuf_varint(&b, e->naliases);
    for (i = 0; i < e->naliases; i++) {
        exs_wbuf_str(&b, e->aliases[i], strlen(e->aliases[i]));
    }

    exs_bag_encode_plain(&b, &e->props);

    if (b.err != EXS_OK) {
        rc = b.err;
        exs_wbuf_free(&b);
        return rc;
    }

    exs_be32(key, e->id);
    rc = exs_db_put(t, EXS_DB_DIR, key, 4, b.p, b.len, 0);

    exs_wbuf_free(&b);

    return rc;
}


static int
exs_gal_key(exs_key_t *k, const char *name, uint32_t id)
{
    exs_key_init(k);
    k->len = exs_fold(name, strlen(name), k->b, EXS_GAL_NAME_MAX);
    exs_key_u8(k, 0);
    exs_key_u32(k, id);

    return EXS_OK;
}


static int
exs_gal_update(exs_txn_t *t, const char *old, const char *name, uint32_t id)
{
    int        rc;
    exs_key_t  k;

    if (old) {
        exs_gal_key(&k, old, id);
        rc = exs_db_del(t, EXS_DB_DIR_GAL, k.b, k.len);
        if (rc != EXS_OK && rc != EXS_NOTFOUND) {
            return rc;
        }
    }

    if (name) {
        exs_gal_key(&k, name, id);
        return exs_db_put(t, EXS_DB_DIR_GAL, k.b, k.len, NULL, 0, 0);
    }

    return EXS_OK;
}


static int
exs_addr_take(exs_txn_t *t, const char *addr, uint32_t id)
{
    size_t   len;
    uint8_t  key[EXS_ADDR_MAX], v[4];

    len = exs_fold(addr, strlen(addr), key, sizeof(key));
    exs_le32(v, id);

    return exs_db_put(t, EXS_DB_DIR_ADDR, key, len, v, 4, MDB_NOOVERWRITE);
}


static int
exs_entry_add(exs_txn_t *t, uint32_t type, const char *address,
    const char *display_name, const char *password, uint32_t *id)
{
    int            rc;
    char           hash[256], *dn, *p;
    size_t         len, i;
    uint8_t        key[EXS_ADDR_MAX];
    uint32_t       domain, mailbox, eid;
    const char    *dom, *at;
    exs_arena_t   *a;
    exs_dirent_t   e;
    uint8_t        v[4];
    MDB_val        val;

    if (address == NULL || !exs_addr_valid(address, &dom)) {
        return EXS_INVALID;
    }

    rc = exs_domain_id(t, dom, &domain);
    if (rc != EXS_OK) {
        return rc;
    }

    len = exs_fold(address, strlen(address), key, sizeof(key));

    rc = exs_db_get(t, EXS_DB_DIR_ADDR, key, len, &val);
    if (rc == EXS_OK) {
        return EXS_EXISTS;
    }

    if (rc != EXS_NOTFOUND) {
        return rc;
    }

    if (password && *password) {
        rc = exs_password_hash(password, hash, sizeof(hash));
        if (rc != EXS_OK) {
            return rc;
        }
    }

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    memset(&e, 0, sizeof(exs_dirent_t));

    rc = exs_guid_random(e.guid);
    if (rc != EXS_OK) {
        goto done;
    }

    rc = exs_dir_next(t, "dir_next", EXS_DIR_FIRST_ID, &eid);
    if (rc != EXS_OK) {
        goto done;
    }

    e.id = eid;
    e.type = type;
    e.domain = domain;
    e.address = exs_lower(a, address);
    e.password = (password && *password) ? hash : NULL;
    e.aliases = NULL;

    at = strrchr(address, '@');

    if (display_name && *display_name) {
        e.display_name = display_name;
    } else {
        e.display_name = exs_strndup(a, address, at - address);
    }

    /* /o=.../cn=Recipients/cn=<32 hex of the GUID>-<local part> */

    dn = exs_alloc(a, sizeof(EXS_DN_PREFIX) + 32 + 1 + (at - address) + 1);
    if (e.address == NULL || e.display_name == NULL || dn == NULL) {
        rc = EXS_NOMEM;
        goto done;
    }

    p = dn + sprintf(dn, "%s", EXS_DN_PREFIX);

    for (i = 0; i < 16; i++) {
        p += sprintf(p, "%02x", e.guid[i]);
    }

    *p++ = '-';

    for (i = 0; address + i < at; i++) {
        if ((address[i] >= 'a' && address[i] <= 'z')
            || (address[i] >= '0' && address[i] <= '9')
            || address[i] == '.' || address[i] == '-' || address[i] == '_')
        {
            *p++ = address[i];

        } else if (address[i] >= 'A' && address[i] <= 'Z') {
            *p++ = address[i] + 32;
        }
    }

    *p = '\0';
    e.legacy_dn = dn;

    if (type == EXS_DIR_USER) {
        rc = exs_mbox_create(t, eid, e.guid, &mailbox);
        if (rc != EXS_OK) {
            goto done;
        }

        e.mailbox = mailbox;
    }

    rc = exs_dir_store(t, &e);
    if (rc != EXS_OK) {
        goto done;
    }

    rc = exs_addr_take(t, e.address, eid);
    if (rc != EXS_OK) {
        rc = exs_txn_fail(t, rc == EXS_EXISTS ? EXS_CORRUPT : rc);
        goto done;
    }

    len = exs_fold(dn, strlen(dn), key, sizeof(key));
    exs_le32(v, eid);

    rc = exs_db_put(t, EXS_DB_DIR_DN, key, len, v, 4, 0);
    if (rc != EXS_OK) {
        goto done;
    }

    rc = exs_db_put(t, EXS_DB_DIR_GUID, e.guid, 16, v, 4, 0);
    if (rc != EXS_OK) {
        goto done;
    }

    rc = exs_gal_update(t, NULL, e.display_name, eid);
    if (rc != EXS_OK) {
        goto done;
    }

    if (type == EXS_DIR_USER) {
        rc = exs_mbox_provision(t, e.mailbox, e.display_name);
        if (rc != EXS_OK) {
            rc = exs_txn_fail(t, rc);
            goto done;
        }
    }

    if (id) {
        *id = eid;
    }

done:

    explicit_bzero(hash, sizeof(hash));
    exs_arena_destroy(a);

    return rc;
}


int
exs_dir_user_add(exs_txn_t *t, const char *address, const char *display_name,
    const char *password, uint32_t *id)
{
    return exs_entry_add(t, EXS_DIR_USER, address, display_name, password,
                         id);
}


int
exs_dir_group_add(exs_txn_t *t, const char *address,
    const char *display_name, uint32_t *id)
{
    return exs_entry_add(t, EXS_DIR_GROUP, address, display_name, NULL, id);
}


int
exs_dir_user_passwd(exs_txn_t *t, uint32_t id, const char *password)
{
    int            rc;
    char           hash[256];
    exs_arena_t   *a;
    exs_dirent_t   e;

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_dir_load(t, id, &e, a);

    if (rc == EXS_OK && e.type != EXS_DIR_USER) {
        rc = EXS_INVALID;
    }

    if (rc == EXS_OK && password && *password) {
        rc = exs_password_hash(password, hash, sizeof(hash));
        e.password = hash;

    } else {
        e.password = NULL;
    }

    if (rc == EXS_OK) {
        rc = exs_dir_store(t, &e);
    }

    explicit_bzero(hash, sizeof(hash));
    exs_arena_destroy(a);

    return rc;
}


int
exs_dir_user_set(exs_txn_t *t, uint32_t id, const char *display_name,
    const exs_props_t *props, uint32_t flags)
{
    int            rc;
    uint32_t       i;
    exs_arena_t   *a;
    exs_dirent_t   e;
    const char    *old;

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_dir_load(t, id, &e, a);
    if (rc != EXS_OK) {
        goto done;
    }

    old = e.display_name;

    if (display_name && *display_name) {
        e.display_name = display_name;
    }

    for (i = 0; props && i < props->n; i++) {
        if (PROP_TYPE(props->v[i].tag) == PT_NULL) {
            (void) exs_props_del(&e.props, props->v[i].tag);
            continue;
        }

        rc = exs_props_set(a, &e.props, &props->v[i]);
        if (rc != EXS_OK) {
            goto done;
        }
    }

    e.flags = flags;

    rc = exs_dir_store(t, &e);

    if (rc == EXS_OK && strcmp(old, e.display_name) != 0) {
        rc = exs_gal_update(t, old, e.display_name, id);
    }

done:

    exs_arena_destroy(a);

    return rc;
}


static int
exs_entry_del(exs_txn_t *t, uint32_t id, uint32_t type)
{
    int            rc;
    size_t         len;
    uint8_t        key[EXS_ADDR_MAX], k8[8];
    uint32_t       i, member;
    exs_scan_t     s;
    exs_arena_t   *a;
    exs_dirent_t   e;
    uint32_t      *groups, ngroups;

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_dir_load(t, id, &e, a);
    if (rc != EXS_OK) {
        goto done;
    }

    if (e.type != type) {
        rc = EXS_INVALID;
        goto done;
    }

    /* the groups that have this entry as a member */

    groups = NULL;
    ngroups = 0;

    rc = exs_scan_open(t, EXS_DB_DIR_MEMBER, NULL, 0, &s);
    if (rc != EXS_OK) {
        goto done;
    }

    while ((rc = exs_scan_next(&s)) == 1) {
        if (s.k.mv_size != 8) {
            rc = EXS_CORRUPT;
            break;
        }

        member = exs_get_be32((uint8_t *) s.k.mv_data + 4);
        if (member != id) {
            continue;
        }

        if ((ngroups & 15) == 0) {
            uint32_t  *ng;

            ng = exs_alloc(a, (ngroups + 16) * sizeof(uint32_t));
            if (ng == NULL) {
                rc = EXS_NOMEM;
                break;
            }
            if (ngroups) {
                memcpy(ng, groups, ngroups * sizeof(uint32_t));
            }
            groups = ng;
        }

        groups[ngroups++] = exs_get_be32(s.k.mv_data);
    }

    exs_scan_close(&s);

    if (rc < 0) {
        goto done;
    }

    for (i = 0; i < ngroups; i++) {
        exs_be32(k8, groups[i]);
        exs_be32(k8 + 4, id);
        rc = exs_db_del(t, EXS_DB_DIR_MEMBER, k8, 8);
        if (rc != EXS_OK) {
            goto done;
        }
    }

    exs_be32(k8, id);
    rc = exs_db_del_prefix(t, EXS_DB_DIR_MEMBER, k8, 4);
    if (rc != EXS_OK) {
        goto done;
    }

    len = exs_fold(e.address, strlen(e.address), key, sizeof(key));
    rc = exs_db_del(t, EXS_DB_DIR_ADDR, key, len);

    for (i = 0; rc == EXS_OK && i < e.naliases; i++) {
        len = exs_fold(e.aliases[i], strlen(e.aliases[i]), key, sizeof(key));
        rc = exs_db_del(t, EXS_DB_DIR_ADDR, key, len);
    }

    if (rc == EXS_OK) {
        len = exs_fold(e.legacy_dn, strlen(e.legacy_dn), key, sizeof(key));
        rc = exs_db_del(t, EXS_DB_DIR_DN, key, len);
    }

    if (rc == EXS_OK) {
        rc = exs_db_del(t, EXS_DB_DIR_GUID, e.guid, 16);
    }

    if (rc == EXS_OK) {
        rc = exs_gal_update(t, e.display_name, NULL, id);
    }

    if (rc == EXS_OK && e.mailbox) {
        rc = exs_mbox_destroy(t, e.mailbox);
    }

    if (rc == EXS_OK) {
        exs_be32(k8, id);
        rc = exs_db_del(t, EXS_DB_DIR, k8, 4);
    }

    if (rc != EXS_OK) {
        /* the entry was half removed */
        rc = exs_txn_fail(t, rc == EXS_NOTFOUND ? EXS_CORRUPT : rc);
    }

done:

    exs_arena_destroy(a);

    return rc;
}


int
exs_dir_user_del(exs_txn_t *t, uint32_t id)
{
    return exs_entry_del(t, id, EXS_DIR_USER);
}


int
exs_dir_group_del(exs_txn_t *t, uint32_t id)
{
    return exs_entry_del(t, id, EXS_DIR_GROUP);
}


int
exs_dir_alias_add(exs_txn_t *t, uint32_t id, const char *address)
{
    int            rc;
    uint32_t       domain;
    const char   **aliases, *dom;
    exs_arena_t   *a;
    exs_dirent_t   e;

    if (address == NULL || !exs_addr_valid(address, &dom)) {
        return EXS_INVALID;
    }

    rc = exs_domain_id(t, dom, &domain);
    if (rc != EXS_OK) {
        return rc;
    }

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_dir_load(t, id, &e, a);
    if (rc != EXS_OK) {
        goto done;
    }

    aliases = exs_alloc(a, (e.naliases + 1) * sizeof(char *));
    if (aliases == NULL) {
        rc = EXS_NOMEM;
        goto done;
    }

    memcpy(aliases, e.aliases, e.naliases * sizeof(char *));
    aliases[e.naliases] = exs_lower(a, address);

    if (aliases[e.naliases] == NULL) {
        rc = EXS_NOMEM;
        goto done;
    }

    rc = exs_addr_take(t, aliases[e.naliases], id);
    if (rc != EXS_OK) {
        goto done;
    }

    e.aliases = aliases;
    e.naliases++;

    rc = exs_dir_store(t, &e);

done:

    exs_arena_destroy(a);

    return rc;
}


int
exs_dir_alias_del(exs_txn_t *t, const char *address)
{
    int            rc;
    size_t         len;
    uint8_t        key[EXS_ADDR_MAX];
    uint32_t       id, i, j;
    MDB_val        v;
    exs_arena_t   *a;
    exs_dirent_t   e;

    if (address == NULL || strlen(address) > EXS_ADDR_MAX) {
        return EXS_INVALID;
    }

    len = exs_fold(address, strlen(address), key, sizeof(key));

    rc = exs_db_get(t, EXS_DB_DIR_ADDR, key, len, &v);
    if (rc != EXS_OK) {
        return rc;
    }

    if (v.mv_size != 4) {
        return EXS_CORRUPT;
    }

    id = exs_get_le32(v.mv_data);

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_dir_load(t, id, &e, a);
    if (rc != EXS_OK) {
        goto done;
    }

    if (exs_strcaseeq(e.address, address)) {
        /* the primary address is not an alias */
        rc = EXS_INVALID;
        goto done;
    }

    for (i = 0, j = 0; i < e.naliases; i++) {
        if (!exs_strcaseeq(e.aliases[i], address)) {
            e.aliases[j++] = e.aliases[i];
        }
    }

    e.naliases = j;

    rc = exs_db_del(t, EXS_DB_DIR_ADDR, key, len);

    if (rc == EXS_OK) {
        rc = exs_dir_store(t, &e);
    }

done:

    exs_arena_destroy(a);

    return rc;
}


int
exs_dir_member_add(exs_txn_t *t, uint32_t group, uint32_t member)
{
    int            rc;
    uint8_t        key[8];
    MDB_val        v;
    exs_arena_t   *a;
    exs_dirent_t   e;

    if (group == member) {
        return EXS_INVALID;
    }

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_dir_load(t, group, &e, a);

    if (rc == EXS_OK && e.type != EXS_DIR_GROUP) {
        rc = EXS_INVALID;
    }

    if (rc == EXS_OK) {
        rc = exs_dir_load(t, member, &e, a);
    }

    exs_arena_destroy(a);

    if (rc != EXS_OK) {
        return rc;
    }

    exs_be32(key, group);
    exs_be32(key + 4, member);

    rc = exs_db_get(t, EXS_DB_DIR_MEMBER, key, 8, &v);
    if (rc == EXS_OK) {
        return EXS_EXISTS;
    }

    return exs_db_put(t, EXS_DB_DIR_MEMBER, key, 8, NULL, 0, 0);
}


int
exs_dir_member_del(exs_txn_t *t, uint32_t group, uint32_t member)
{
    uint8_t  key[8];

    exs_be32(key, group);
    exs_be32(key + 4, member);

    return exs_db_del(t, EXS_DB_DIR_MEMBER, key, 8);
}


int
exs_dir_members(exs_txn_t *t, uint32_t group, uint32_t **ids, uint32_t *n,
    exs_arena_t *a)
{
    int          rc;
    uint8_t      prefix[4];
    uint32_t     cap, *v, *nv;
    exs_scan_t   s;

    *ids = NULL;
    *n = 0;
    v = NULL;
    cap = 0;

    exs_be32(prefix, group);

    rc = exs_scan_open(t, EXS_DB_DIR_MEMBER, prefix, 4, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    while ((rc = exs_scan_next(&s)) == 1) {
        if (s.k.mv_size != 8) {
            rc = EXS_CORRUPT;
            break;
        }

        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            nv = exs_alloc(a, cap * sizeof(uint32_t));
            if (nv == NULL) {
                rc = EXS_NOMEM;
                break;
            }
            if (*n) {
                memcpy(nv, v, *n * sizeof(uint32_t));
            }
            v = nv;
        }

        v[(*n)++] = exs_get_be32((uint8_t *) s.k.mv_data + 4);
    }

    exs_scan_close(&s);

    *ids = v;

    return rc < 0 ? rc : EXS_OK;
}


/* look-ups */

int
exs_dir_by_id(exs_txn_t *t, uint32_t id, exs_dirent_t *e, exs_arena_t *a)
{
    return exs_dir_load(t, id, e, a);
}


/* an entry through one of the look-up databases */

static int
exs_dir_by_index(exs_txn_t *t, int db, const void *key, size_t klen,
    exs_dirent_t *e, exs_arena_t *a)
{
    int      rc;
    MDB_val  v;

    rc = exs_db_get(t, db, key, klen, &v);
    if (rc != EXS_OK) {
        return rc;
    }

    if (v.mv_size != 4) {
        return EXS_CORRUPT;
    }

    return exs_dir_load(t, exs_get_le32(v.mv_data), e, a);
}


int
exs_dir_by_address(exs_txn_t *t, const char *address, exs_dirent_t *e,
    exs_arena_t *a)
{
    size_t   len;
    uint8_t  key[EXS_ADDR_MAX];

    if (address == NULL || strlen(address) > EXS_ADDR_MAX) {
        return EXS_NOTFOUND;
    }

    len = exs_fold(address, strlen(address), key, sizeof(key));

    return exs_dir_by_index(t, EXS_DB_DIR_ADDR, key, len, e, a);
}


int
exs_dir_by_dn(exs_txn_t *t, const char *dn, exs_dirent_t *e, exs_arena_t *a)
{
    size_t   len;
    uint8_t  key[EXS_KEY_MAX];

    if (dn == NULL || strlen(dn) > EXS_KEY_MAX) {
        return EXS_NOTFOUND;
    }

    len = exs_fold(dn, strlen(dn), key, sizeof(key));

    return exs_dir_by_index(t, EXS_DB_DIR_DN, key, len, e, a);
}


int
exs_dir_by_guid(exs_txn_t *t, const uint8_t guid[16], exs_dirent_t *e,
    exs_arena_t *a)
{
    return exs_dir_by_index(t, EXS_DB_DIR_GUID, guid, 16, e, a);
}


int
exs_dir_by_mailbox(exs_txn_t *t, uint32_t mailbox, exs_dirent_t *e,
    exs_arena_t *a)
{
    int             rc;
    uint8_t         key[5];
    MDB_val         v;
    exs_mbox_rec_t  rec;

    exs_be32(key, mailbox);
    key[4] = 0;

    rc = exs_db_get(t, EXS_DB_MBOX, key, 5, &v);
    if (rc != EXS_OK) {
        return rc;
    }

    if (v.mv_size < EXS_MBOX_REC_LEN) {
        return EXS_CORRUPT;
    }

    exs_mbox_rec_get(v.mv_data, &rec);

    return exs_dir_load(t, rec.owner, e, a);
}


/* the global address list */

int
exs_gal_list(exs_txn_t *t, uint32_t **ids, uint32_t *n, exs_arena_t *a)
{
    int          rc;
    uint32_t     cap, *v, *nv;
    exs_scan_t   s;

    *ids = NULL;
    *n = 0;
    v = NULL;
    cap = 0;

    rc = exs_scan_open(t, EXS_DB_DIR_GAL, NULL, 0, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    while ((rc = exs_scan_next(&s)) == 1) {
        if (s.k.mv_size < 5) {
            rc = EXS_CORRUPT;
            break;
        }

        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            nv = exs_alloc(a, cap * sizeof(uint32_t));
            if (nv == NULL) {
                rc = EXS_NOMEM;
                break;
            }
            if (*n) {
                memcpy(nv, v, *n * sizeof(uint32_t));
            }
            v = nv;
        }

        v[(*n)++] = exs_get_be32((uint8_t *) s.k.mv_data + s.k.mv_size - 4);
    }

    exs_scan_close(&s);

    *ids = v;

    return rc < 0 ? rc : EXS_OK;
}


int
exs_gal_seek(exs_txn_t *t, const char *prefix, uint32_t *position)
{
    int          rc;
    size_t       len;
    uint8_t      key[EXS_GAL_NAME_MAX];
    exs_scan_t   s;

    *position = 0;
    len = exs_fold(prefix, strlen(prefix), key, sizeof(key));

    rc = exs_scan_open(t, EXS_DB_DIR_GAL, NULL, 0, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    /* entries are few; counting the ones before the prefix is cheap */

    while ((rc = exs_scan_next(&s)) == 1) {
        if (s.k.mv_size < 5) {
            rc = EXS_CORRUPT;
            break;
        }

        if (memcmp(s.k.mv_data, key,
                   s.k.mv_size - 5 < len ? s.k.mv_size - 5 : len) > 0
            || (memcmp(s.k.mv_data, key,
                       s.k.mv_size - 5 < len ? s.k.mv_size - 5 : len) == 0
                && s.k.mv_size - 5 >= len))
        {
            break;
        }

        (*position)++;
    }

    exs_scan_close(&s);

    return rc < 0 ? rc : EXS_OK;
}
