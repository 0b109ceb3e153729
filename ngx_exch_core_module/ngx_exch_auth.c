
/*
 * exch authentication: HTTP Basic against the directory, in the access
 * phase of every exch location.
 *
 * The slow password hash runs in the thread pool.  Verified credentials
 * are cached per worker under an HMAC of login and password with a secret
 * of the worker, together with the stored hash itself: a hit
 * still reads the user (a cheap LMDB read) and is refused when the hash
 * changed, so a new password takes effect at once in every worker.
 * Failures are counted per login and per client address; past a limit the
 * next attempts wait, growing to a maximum, and the count forgets after a
 * quiet window, so an attacker slows the real user down but never locks
 * them out.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ngx_exch.h"
#include "ngx_exch_http.h"


#define NGX_EXCH_LOGIN_MAX   320
#define NGX_EXCH_FAIL_SLOTS  1024
#define NGX_EXCH_HASH_MAX    128       /* crypt(3) yescrypt is ~73 bytes */


typedef struct {
    u_char                    key[32];      /* HMAC(login, password) */
    char                      hash[NGX_EXCH_HASH_MAX]; /* the stored one */
    uint32_t                  user;
    time_t                    expires;
} ngx_exch_auth_cached_t;


typedef struct {
    uint32_t                  key;
    ngx_uint_t                failures;
    time_t                    last;
} ngx_exch_auth_fail_t;


struct ngx_exch_auth_state_s {
    EVP_MD_CTX               *inner;        /* SHA-256 with secret ^ ipad */
    EVP_MD_CTX               *outer;        /* SHA-256 with secret ^ opad */
    EVP_MD_CTX               *md;           /* scratch */
    char                      dummy[128];   /* a hash for unknown users */
    ngx_exch_auth_cached_t   *cache;
    ngx_exch_auth_fail_t     *fail;
};


struct ngx_exch_auth_ctx_s {
    ngx_int_t                 rc;
    unsigned                  done:1;
    void                    (*resume)(ngx_http_request_t *r);

    /* the verification in a thread */
    char                     *hash;
    char                     *password;
    ngx_int_t                 match;

    ngx_str_t                 login;
    u_char                    key[32];
    ngx_exch_user_t          *user;
};


static ngx_int_t ngx_exch_auth_basic(ngx_http_request_t *r,
    ngx_exch_ctx_t *ctx, ngx_exch_http_main_conf_t *hmcf);
static ngx_int_t ngx_exch_auth_trusted(ngx_http_request_t *r,
    ngx_exch_ctx_t *ctx);
static ngx_int_t ngx_exch_auth_find(ngx_http_request_t *r, ngx_str_t *login,
    exs_dirent_t *e);
static ngx_int_t ngx_exch_auth_find_in(exs_txn_t *txn, ngx_str_t *login,
    exs_dirent_t *e, exs_arena_t *a);
static ngx_int_t ngx_exch_auth_lookup(exs_txn_t *txn, ngx_str_t *local,
    ngx_str_t *domain, exs_dirent_t *e, exs_arena_t *a);
static ngx_exch_auth_cached_t *ngx_exch_auth_cache_get(
    ngx_exch_http_main_conf_t *hmcf, u_char *key);
static ngx_exch_auth_fail_t *ngx_exch_auth_fail_slot(
    ngx_exch_http_main_conf_t *hmcf, u_char *data, size_t len);
static void ngx_exch_auth_failed(ngx_http_request_t *r, ngx_str_t *login);
static void ngx_exch_auth_delay_handler(ngx_http_request_t *r);
static void ngx_exch_auth_verify(void *data, ngx_log_t *log);
static void ngx_exch_auth_verified(ngx_http_request_t *r, void *data);
static ngx_int_t ngx_exch_auth_hmac(ngx_exch_auth_state_t *st,
    ngx_str_t *login, ngx_str_t *password, u_char *out);
static void ngx_exch_auth_state_cleanup(void *data);
static ngx_int_t ngx_exch_auth_challenge(ngx_http_request_t *r);


ngx_int_t
ngx_exch_auth_handler(ngx_http_request_t *r)
{
    ngx_exch_ctx_t             *ctx;
    ngx_exch_http_loc_conf_t   *hlcf;
    ngx_exch_http_main_conf_t  *hmcf;

    hlcf = ngx_http_get_module_loc_conf(r, ngx_exch_http_module);

    if (!hlcf->enabled || !hlcf->auth) {
        return NGX_DECLINED;
    }

    ctx = ngx_exch_ctx(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ctx->auth && ctx->auth->done) {
        return ctx->auth->rc == NGX_OK ? NGX_OK : ngx_exch_auth_challenge(r);
    }

    if (hlcf->trust_remote_user) {
        return ngx_exch_auth_trusted(r, ctx);
    }

    hmcf = ngx_http_get_module_main_conf(r, ngx_exch_http_module);

    return ngx_exch_auth_basic(r, ctx, hmcf);
}


static ngx_int_t
ngx_exch_auth_basic(ngx_http_request_t *r, ngx_exch_ctx_t *ctx,
    ngx_exch_http_main_conf_t *hmcf)
{
    ngx_int_t   rc;
    ngx_msec_t  delay;

    rc = ngx_http_auth_basic_user(r);

    if (rc == NGX_DECLINED || rc == NGX_ERROR
        || r->headers_in.user.len == 0)
    {
        /* no or unusable credentials: a client's first probe */
        return ngx_exch_auth_challenge(r);
    }

    if (!ctx->delayed) {
        delay = ngx_exch_auth_throttle(r, &r->headers_in.user);

        if (delay) {
            ctx->delayed = 1;

            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "exch: delaying login for \"%V\" by %M ms",
                          &r->headers_in.user, delay);

            r->read_event_handler = ngx_http_test_reading;
            r->write_event_handler = ngx_exch_auth_delay_handler;
            r->connection->write->delayed = 1;
            ngx_add_timer(r->connection->write, delay);

            return NGX_AGAIN;
        }
    }

    rc = ngx_exch_auth_start(r, &r->headers_in.user, &r->headers_in.passwd,
                             ngx_http_core_run_phases);

    switch (rc) {
    case NGX_OK:
    case NGX_AGAIN:
        return rc;
    case NGX_DECLINED:
        return ngx_exch_auth_challenge(r);
    default:
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
}


ngx_int_t
ngx_exch_auth_start(ngx_http_request_t *r, ngx_str_t *login,
    ngx_str_t *password, void (*resume)(ngx_http_request_t *r))
{
    size_t                      len;
    ngx_int_t                   rc;
    exs_dirent_t                e;
    ngx_exch_ctx_t             *ctx;
    ngx_exch_auth_ctx_t        *actx;
    ngx_exch_auth_cached_t     *c;
    ngx_exch_http_main_conf_t  *hmcf;

    hmcf = ngx_http_get_module_main_conf(r, ngx_exch_http_module);

    ctx = ngx_exch_ctx(r);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    if (login->len == 0 || login->len > NGX_EXCH_LOGIN_MAX) {
        ngx_exch_auth_failed(r, login);
        return NGX_DECLINED;
    }

    actx = ngx_pcalloc(r->pool, sizeof(ngx_exch_auth_ctx_t));
    if (actx == NULL) {
        return NGX_ERROR;
    }

    ctx->auth = actx;
    actx->login = *login;
    actx->resume = resume;

    if (ngx_exch_auth_hmac(hmcf->auth, login, password, actx->key)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    rc = ngx_exch_auth_find(r, login, &e);

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (rc == NGX_OK && e.password && !(e.flags & EXS_DIR_DISABLED)) {
        actx->user = ngx_pcalloc(r->pool, sizeof(ngx_exch_user_t));
        if (actx->user == NULL
            || ngx_exch_user_from_dirent(r->pool, actx->user, &e) != NGX_OK)
        {
            return NGX_ERROR;
        }

        /* a verified login within its cache time, with the same hash */

        c = ngx_exch_auth_cache_get(hmcf, actx->key);

        if (c->expires > ngx_time()
            && ngx_memcmp(c->key, actx->key, 32) == 0)
        {
            if (c->user == e.id && ngx_strcmp(c->hash, e.password) == 0) {
                ctx->user = actx->user;
                actx->done = 1;
                actx->rc = NGX_OK;
                return NGX_OK;
            }

            c->expires = 0;
        }

        len = ngx_strlen(e.password) + 1;

        actx->hash = ngx_pnalloc(r->pool, len);
        if (actx->hash == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(actx->hash, e.password, len);

    } else {
        /* the same work for an unknown user: no timing oracle */
        actx->user = NULL;
        actx->hash = hmcf->auth->dummy;
    }

    actx->password = ngx_pnalloc(r->pool, password->len + 1);
    if (actx->password == NULL) {
        return NGX_ERROR;
    }

    (void) ngx_cpystrn((u_char *) actx->password, password->data,
                       password->len + 1);

    if (ngx_exch_thread_run(r, ngx_exch_auth_verify, ngx_exch_auth_verified,
                            actx)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_AGAIN;
}


static void
ngx_exch_auth_verify(void *data, ngx_log_t *log)
{
    ngx_exch_auth_ctx_t  *actx = data;

    actx->match = (exs_password_verify(actx->hash, actx->password) == EXS_OK);
}


static void
ngx_exch_auth_verified(ngx_http_request_t *r, void *data)
{
    ngx_exch_auth_ctx_t  *actx = data;

    ngx_exch_ctx_t             *ctx;
    ngx_exch_auth_fail_t       *f;
    ngx_exch_auth_cached_t     *c;
    ngx_exch_http_main_conf_t  *hmcf;

    hmcf = ngx_http_get_module_main_conf(r, ngx_exch_http_module);
    ctx = ngx_exch_ctx(r);

    ngx_explicit_memzero(actx->password, ngx_strlen(actx->password));

    actx->done = 1;

    if (actx->match && actx->user) {
        c = ngx_exch_auth_cache_get(hmcf, actx->key);
        if (ngx_strlen(actx->hash) < NGX_EXCH_HASH_MAX) {
            ngx_memcpy(c->key, actx->key, 32);
            ngx_cpystrn((u_char *) c->hash, (u_char *) actx->hash,
                        NGX_EXCH_HASH_MAX);
            c->user = actx->user->id;
            c->expires = ngx_time() + hmcf->cache_time;
        }

        f = ngx_exch_auth_fail_slot(hmcf, actx->login.data, actx->login.len);
        f->failures = 0;

        ctx->user = actx->user;
        actx->rc = NGX_OK;

    } else {
        ngx_exch_auth_failed(r, &actx->login);
        actx->rc = NGX_DECLINED;
    }

    actx->resume(r);
}


ngx_int_t
ngx_exch_auth_result(ngx_http_request_t *r)
{
    ngx_exch_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_exch_http_module);

    if (ctx == NULL || ctx->auth == NULL || !ctx->auth->done) {
        return NGX_ERROR;
    }

    return ctx->auth->rc;
}


static ngx_int_t
ngx_exch_auth_trusted(ngx_http_request_t *r, ngx_exch_ctx_t *ctx)
{
    ngx_int_t     rc;
    exs_dirent_t  e;

    rc = ngx_http_auth_basic_user(r);

    if (rc != NGX_OK || r->headers_in.user.len == 0
        || r->headers_in.user.len > NGX_EXCH_LOGIN_MAX)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "exch: exch_auth_trust_remote_user is on, "
                      "but the request has no $remote_user");
        return NGX_HTTP_FORBIDDEN;
    }

    rc = ngx_exch_auth_find(r, &r->headers_in.user, &e);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc != NGX_OK || (e.flags & EXS_DIR_DISABLED)) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "exch: trusted user \"%V\" is not in the directory",
                      &r->headers_in.user);
        return NGX_HTTP_FORBIDDEN;
    }

    ctx->user = ngx_pcalloc(r->pool, sizeof(ngx_exch_user_t));
    if (ctx->user == NULL
        || ngx_exch_user_from_dirent(r->pool, ctx->user, &e) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_OK;
}


/*
 * Finds the directory entry for a login: user@domain, DOMAIN\user,
 * \user or user (the last two where one domain has that user).
 * NGX_OK, NGX_DECLINED when there is none, NGX_ERROR.
 */

static ngx_int_t
ngx_exch_auth_find(ngx_http_request_t *r, ngx_str_t *login, exs_dirent_t *e)
{
    int           rc;
    ngx_int_t     found;
    exs_txn_t    *txn;
    exs_env_t    *env;
    exs_arena_t  *a;

    env = ngx_exch_store_env((ngx_cycle_t *) ngx_cycle);
    a = ngx_exch_arena(r);

    if (env == NULL || a == NULL) {
        return NGX_ERROR;
    }

    rc = exs_txn_begin(env, EXS_TXN_RDONLY, &txn);
    if (rc != EXS_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "exch: store: %s", exs_strerror(rc));
        return NGX_ERROR;
    }

    found = ngx_exch_auth_find_in(txn, login, e, a);

    /* what e points to lives in the arena, not in the map */

    exs_txn_abort(txn);

    return found;
}


static ngx_int_t
ngx_exch_auth_find_in(exs_txn_t *txn, ngx_str_t *login, exs_dirent_t *e,
    exs_arena_t *a)
{
    u_char        *p;
    uint32_t       i, n, matches;
    ngx_str_t      local, domain, label;
    exs_dirent_t   tmp;
    exs_domain_t  *domains;

    p = ngx_strlchr(login->data, login->data + login->len, '@');

    if (p) {
        local.data = login->data;
        local.len = p - login->data;
        domain.data = p + 1;
        domain.len = login->data + login->len - domain.data;

        return ngx_exch_auth_lookup(txn, &local, &domain, e, a);
    }

    p = ngx_strlchr(login->data, login->data + login->len, '\\');

    domain.len = 0;
    local = *login;

    if (p) {
        domain.data = login->data;
        domain.len = p - login->data;
        local.data = p + 1;
        local.len = login->data + login->len - local.data;
    }

    if (local.len == 0
        || exs_dir_domains(txn, &domains, &n, a) != EXS_OK)
    {
        return NGX_DECLINED;
    }

    matches = 0;

    for (i = 0; i < n; i++) {
        label.data = (u_char *) domains[i].name;
        label.len = ngx_strlen(domains[i].name);

        if (domain.len) {
            /* DOMAIN is the whole domain or its first label */

            p = ngx_strlchr(label.data, label.data + label.len, '.');

            if (!(label.len == domain.len
                  && ngx_strncasecmp(label.data, domain.data, domain.len)
                     == 0)
                && !(p && (size_t) (p - label.data) == domain.len
                     && ngx_strncasecmp(label.data, domain.data, domain.len)
                        == 0))
            {
                continue;
            }
        }

        if (ngx_exch_auth_lookup(txn, &local, &label, &tmp, a) == NGX_OK) {
            if (matches++) {
                return NGX_DECLINED;
            }

            *e = tmp;
        }
    }

    return matches == 1 ? NGX_OK : NGX_DECLINED;
}


static ngx_int_t
ngx_exch_auth_lookup(exs_txn_t *txn, ngx_str_t *local, ngx_str_t *domain,
    exs_dirent_t *e, exs_arena_t *a)
{
    u_char  addr[NGX_EXCH_LOGIN_MAX * 2 + 2], *p;

    if (local->len == 0 || domain->len == 0
        || local->len + domain->len + 2 > sizeof(addr))
    {
        return NGX_DECLINED;
    }

    p = ngx_cpymem(addr, local->data, local->len);
    *p++ = '@';
    p = ngx_cpymem(p, domain->data, domain->len);
    *p = '\0';

    if (exs_dir_by_address(txn, (char *) addr, e, a) != EXS_OK
        || e->type != EXS_DIR_USER)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


static ngx_exch_auth_cached_t *
ngx_exch_auth_cache_get(ngx_exch_http_main_conf_t *hmcf, u_char *key)
{
    uint32_t  h;

    ngx_memcpy(&h, key, sizeof(uint32_t));

    return &hmcf->auth->cache[h % hmcf->cache_size];
}


static ngx_exch_auth_fail_t *
ngx_exch_auth_fail_slot(ngx_exch_http_main_conf_t *hmcf, u_char *data,
    size_t len)
{
    uint32_t               key;
    ngx_exch_auth_fail_t  *f;

    key = ngx_hash_key_lc(data, len) | 1;
    f = &hmcf->auth->fail[key % NGX_EXCH_FAIL_SLOTS];

    if (f->key != key || f->last + hmcf->failure_window < ngx_time()) {
        f->key = key;
        f->failures = 0;
        f->last = ngx_time();
    }

    return f;
}


ngx_msec_t
ngx_exch_auth_throttle(ngx_http_request_t *r, ngx_str_t *login)
{
    ngx_uint_t                  n, over;
    ngx_msec_t                  delay;
    ngx_exch_auth_fail_t       *f;
    ngx_exch_http_main_conf_t  *hmcf;

    hmcf = ngx_http_get_module_main_conf(r, ngx_exch_http_module);

    f = ngx_exch_auth_fail_slot(hmcf, login->data, login->len);
    n = f->failures;

    f = ngx_exch_auth_fail_slot(hmcf, r->connection->addr_text.data,
                                r->connection->addr_text.len);
    n = ngx_max(n, f->failures);

    if (n < hmcf->failures) {
        return 0;
    }

    over = ngx_min(n - hmcf->failures, 16);
    delay = (ngx_msec_t) 250 << over;

    return ngx_min(delay, hmcf->failure_delay);
}


static void
ngx_exch_auth_failed(ngx_http_request_t *r, ngx_str_t *login)
{
    ngx_exch_auth_fail_t       *f;
    ngx_exch_http_main_conf_t  *hmcf;

    hmcf = ngx_http_get_module_main_conf(r, ngx_exch_http_module);

    f = ngx_exch_auth_fail_slot(hmcf, login->data, login->len);
    f->failures++;
    f->last = ngx_time();

    f = ngx_exch_auth_fail_slot(hmcf, r->connection->addr_text.data,
                                r->connection->addr_text.len);
    f->failures++;
    f->last = ngx_time();

    ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                  "exch: login failed for \"%V\" from %V",
                  login, &r->connection->addr_text);
}


static void
ngx_exch_auth_delay_handler(ngx_http_request_t *r)
{
    ngx_event_t  *wev;

    wev = r->connection->write;

    if (wev->delayed) {
        if (ngx_handle_write_event(wev, 0) != NGX_OK) {
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        }

        return;
    }

    if (ngx_handle_read_event(r->connection->read, 0) != NGX_OK) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    r->read_event_handler = ngx_http_block_reading;
    r->write_event_handler = ngx_http_core_run_phases;

    ngx_http_core_run_phases(r);
}


/*
 * HMAC-SHA-256(secret, login NUL password), from the two digest states
 * prepared at start: OpenSSL's one-shot HMAC() looks the digest up anew
 * on every call, which showed in profiles.
 */

static ngx_int_t
ngx_exch_auth_hmac(ngx_exch_auth_state_t *st, ngx_str_t *login,
    ngx_str_t *password, u_char *out)
{
    u_char  inner[32];

    if (!EVP_MD_CTX_copy_ex(st->md, st->inner)
        || !EVP_DigestUpdate(st->md, login->data, login->len)
        || !EVP_DigestUpdate(st->md, "", 1)
        || !EVP_DigestUpdate(st->md, password->data, password->len)
        || !EVP_DigestFinal_ex(st->md, inner, NULL)
        || !EVP_MD_CTX_copy_ex(st->md, st->outer)
        || !EVP_DigestUpdate(st->md, inner, 32)
        || !EVP_DigestFinal_ex(st->md, out, NULL))
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_exch_auth_challenge(ngx_http_request_t *r)
{
    size_t                     len;
    u_char                    *p;
    ngx_table_elt_t           *h;
    ngx_exch_http_loc_conf_t  *hlcf;

    hlcf = ngx_http_get_module_loc_conf(r, ngx_exch_http_module);

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    len = sizeof("Basic realm=\"\"") - 1 + hlcf->realm.len;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "WWW-Authenticate");
    h->value.data = p;
    p = ngx_cpymem(p, "Basic realm=\"", sizeof("Basic realm=\"") - 1);
    p = ngx_cpymem(p, hlcf->realm.data, hlcf->realm.len);
    *p = '"';
    h->value.len = len;

    r->headers_out.www_authenticate = h;

    return NGX_HTTP_UNAUTHORIZED;
}


ngx_int_t
ngx_exch_auth_init_process(ngx_cycle_t *cycle,
    ngx_exch_http_main_conf_t *hmcf)
{
    u_char                  secret[64], pad[64];
    ngx_uint_t              i;
    const EVP_MD           *sha256;
    ngx_pool_cleanup_t     *cln;
    ngx_exch_auth_state_t  *st;

    st = ngx_pcalloc(cycle->pool, sizeof(ngx_exch_auth_state_t));
    if (st == NULL) {
        return NGX_ERROR;
    }

    st->cache = ngx_pcalloc(cycle->pool,
                            hmcf->cache_size * sizeof(ngx_exch_auth_cached_t));
    st->fail = ngx_pcalloc(cycle->pool,
                           NGX_EXCH_FAIL_SLOTS * sizeof(ngx_exch_auth_fail_t));
    cln = ngx_pool_cleanup_add(cycle->pool, 0);

    if (st->cache == NULL || st->fail == NULL || cln == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_exch_auth_state_cleanup;
    cln->data = st;

    st->inner = EVP_MD_CTX_new();
    st->outer = EVP_MD_CTX_new();
    st->md = EVP_MD_CTX_new();
    sha256 = EVP_sha256();

    /* a random 64-byte key of this worker, HMAC's ipad and opad absorbed */

    ngx_memzero(secret, sizeof(secret));

    if (st->inner == NULL || st->outer == NULL || st->md == NULL
        || RAND_bytes(secret, 32) != 1)
    {
        goto failed;
    }

    for (i = 0; i < 64; i++) {
        pad[i] = secret[i] ^ 0x36;
    }

    if (!EVP_DigestInit_ex(st->inner, sha256, NULL)
        || !EVP_DigestUpdate(st->inner, pad, 64))
    {
        goto failed;
    }

    for (i = 0; i < 64; i++) {
        pad[i] = secret[i] ^ 0x5c;
    }

    if (!EVP_DigestInit_ex(st->outer, sha256, NULL)
        || !EVP_DigestUpdate(st->outer, pad, 64))
    {
        goto failed;
    }

    ngx_explicit_memzero(secret, sizeof(secret));
    ngx_explicit_memzero(pad, sizeof(pad));

    if (exs_password_hash("exch-no-such-user", st->dummy, sizeof(st->dummy))
        != EXS_OK)
    {
        goto failed;
    }

    hmcf->auth = st;

    return NGX_OK;

failed:

    ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                  "exch: cannot initialise authentication");
    return NGX_ERROR;
}


static void
ngx_exch_auth_state_cleanup(void *data)
{
    ngx_exch_auth_state_t  *st = data;

    EVP_MD_CTX_free(st->inner);
    EVP_MD_CTX_free(st->outer);
    EVP_MD_CTX_free(st->md);
}
