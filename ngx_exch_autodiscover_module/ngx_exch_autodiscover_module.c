
/*
 * exch Autodiscover module: POX (MS-OXDSCLI), SOAP (MS-OXWSADISC), JSON
 * v2 and Mozilla autoconfig from "exch_autodiscover", and the nginx mail
 * proxy's auth_http endpoint from "exch_mail_auth".
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_md5.h>

#include "ngx_exch.h"
#include "ngx_exch_http.h"
#include "exch_oxdscli.h"


#define NGX_EXCH_MAIL_IMAP   0
#define NGX_EXCH_MAIL_POP3   1
#define NGX_EXCH_MAIL_SMTP   2


typedef struct {
    ngx_str_t                 host;
    ngx_uint_t                protocols;
    size_t                    max_body;
    ngx_array_t              *servers;      /* exch_autoconfig_server_t */
    ngx_str_t                 name;
    ngx_str_t                 backend[3];   /* addr, for Auth-Server */
    ngx_str_t                 backend_port[3];
} ngx_exch_autodiscover_loc_conf_t;


static ngx_int_t ngx_exch_autodiscover_handler(ngx_http_request_t *r);
static void ngx_exch_autodiscover_body(ngx_http_request_t *r);
static ngx_int_t ngx_exch_pox(ngx_http_request_t *r, ngx_str_t *body);
static ngx_int_t ngx_exch_soap(ngx_http_request_t *r, ngx_str_t *body);
static ngx_int_t ngx_exch_json(ngx_http_request_t *r);
static ngx_int_t ngx_exch_autoconfig(ngx_http_request_t *r);
static ngx_int_t ngx_exch_adisc_target(ngx_http_request_t *r,
    exs_txn_t *txn, const char *address, const char *dn,
    exch_adisc_user_t *u);
static ngx_int_t ngx_exch_adisc_domain(ngx_http_request_t *r,
    exs_txn_t *txn, ngx_str_t *domain);
static ngx_int_t ngx_exch_adisc_fill(ngx_http_request_t *r,
    exs_dirent_t *e, exch_adisc_user_t *u);
static ngx_int_t ngx_exch_adisc_base(ngx_http_request_t *r,
    exch_adisc_user_t *u);
static ngx_int_t ngx_exch_adisc_send(ngx_http_request_t *r,
    ngx_uint_t status, const char *type, exch_buf_t *b);
static ngx_int_t ngx_exch_adisc_begin(ngx_http_request_t *r,
    exs_txn_t **txn);
static ngx_table_elt_t *ngx_exch_header_in(ngx_http_request_t *r,
    const char *name);
static ngx_int_t ngx_exch_mail_auth_handler(ngx_http_request_t *r);
static void ngx_exch_mail_auth_resume(ngx_http_request_t *r);
static ngx_int_t ngx_exch_mail_auth_reply(ngx_http_request_t *r,
    ngx_int_t ok);
static ngx_int_t ngx_exch_mail_header_out(ngx_http_request_t *r,
    const char *key, ngx_str_t *value);
static void *ngx_exch_autodiscover_create_loc_conf(ngx_conf_t *cf);
static char *ngx_exch_autodiscover_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);
static char *ngx_exch_autodiscover(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_exch_mail_auth(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_exch_autodiscover_protocols(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_exch_autoconfig_server(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_exch_mail_backend(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_exch_autodiscover_init_process(ngx_cycle_t *cycle);


static ngx_command_t  ngx_exch_autodiscover_commands[] = {

    { ngx_string("exch_autodiscover"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_exch_autodiscover,
      0,
      0,
      NULL },

    { ngx_string("exch_mail_auth"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_exch_mail_auth,
      0,
      0,
      NULL },

    { ngx_string("exch_autodiscover_host"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_exch_autodiscover_loc_conf_t, host),
      NULL },

    { ngx_string("exch_autodiscover_protocols"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_exch_autodiscover_protocols,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("exch_autodiscover_max_body"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_exch_autodiscover_loc_conf_t, max_body),
      NULL },

    { ngx_string("exch_autoconfig_server"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE3,
      ngx_exch_autoconfig_server,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("exch_autoconfig_name"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_exch_autodiscover_loc_conf_t, name),
      NULL },

    { ngx_string("exch_mail_backend"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE2,
      ngx_exch_mail_backend,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_exch_autodiscover_module_ctx = {
    NULL,                                  /* preconfiguration */
    NULL,                                  /* postconfiguration */

    NULL,                                  /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_exch_autodiscover_create_loc_conf, /* create location configuration */
    ngx_exch_autodiscover_merge_loc_conf   /* merge location configuration */
};


ngx_module_t  ngx_exch_autodiscover_module = {
    NGX_MODULE_V1,
    &ngx_exch_autodiscover_module_ctx,     /* module context */
    ngx_exch_autodiscover_commands,        /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_exch_autodiscover_init_process,    /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_str_t  ngx_exch_xml_type = ngx_string("text/xml; charset=utf-8");


static ngx_int_t
ngx_exch_autodiscover_handler(ngx_http_request_t *r)
{
    ngx_int_t                          rc;
    ngx_exch_autodiscover_loc_conf_t  *alcf;

    if (ngx_strlcasestrn(r->uri.data, r->uri.data + r->uri.len,
                         (u_char *) "autodiscover.json", 17 - 1)
        != NULL)
    {
        if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
            return NGX_HTTP_NOT_ALLOWED;
        }

        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return rc;
        }

        return ngx_exch_json(r);
    }

    if (r->uri.len >= sizeof("config-v1.1.xml") - 1
        && ngx_strncasecmp(r->uri.data + r->uri.len
                           - (sizeof("config-v1.1.xml") - 1),
                           (u_char *) "config-v1.1.xml",
                           sizeof("config-v1.1.xml") - 1)
           == 0)
    {
        if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
            return NGX_HTTP_NOT_ALLOWED;
        }

        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return rc;
        }

        return ngx_exch_autoconfig(r);
    }

    if (!(r->method & NGX_HTTP_POST)) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    alcf = ngx_http_get_module_loc_conf(r, ngx_exch_autodiscover_module);

    return ngx_exch_read_body(r, alcf->max_body, ngx_exch_autodiscover_body);
}


static void
ngx_exch_autodiscover_body(ngx_http_request_t *r)
{
    ngx_int_t                          rc;
    ngx_str_t                          body;
    ngx_exch_autodiscover_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_exch_autodiscover_module);

    rc = ngx_exch_request_body(r, alcf->max_body, &body);

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "exch: autodiscover request body too large");
        ngx_http_finalize_request(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE);
        return;
    }

    if (rc != NGX_OK) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    if (r->uri.len >= sizeof("autodiscover.svc") - 1
        && ngx_strncasecmp(r->uri.data + r->uri.len
                           - (sizeof("autodiscover.svc") - 1),
                           (u_char *) "autodiscover.svc",
                           sizeof("autodiscover.svc") - 1)
           == 0)
    {
        rc = ngx_exch_soap(r, &body);

    } else {
        rc = ngx_exch_pox(r, &body);
    }

    ngx_http_finalize_request(r, rc);
}


static ngx_int_t
ngx_exch_pox(ngx_http_request_t *r, ngx_str_t *body)
{
    ngx_int_t           rc;
    exs_txn_t          *txn;
    xmlDocPtr           doc;
    exch_buf_t          b;
    ngx_table_elt_t    *h;
    exch_adisc_user_t   u;
    exch_pox_request_t  req;

    exch_buf_init(&b);

    if (exch_pox_parse(body->data, body->len, &req, &doc) != 0) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "exch: invalid autodiscover request");
        exch_pox_error(&b, EXCH_POX_OUTLOOK, 600, "Invalid Request");
        goto send;
    }

    if (req.schema != EXCH_POX_OUTLOOK) {
        exch_pox_error(&b, req.schema, 601, "Provider is not available");
        goto send;
    }

    rc = ngx_exch_adisc_begin(r, &txn);
    if (rc != NGX_OK) {
        xmlFreeDoc(doc);
        return rc;
    }

    rc = ngx_exch_adisc_target(r, txn, req.email, req.legacy_dn, &u);

    exs_txn_abort(txn);

    if (rc == NGX_ERROR) {
        xmlFreeDoc(doc);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_DECLINED) {
        exch_pox_error(&b, EXCH_POX_OUTLOOK, 500,
                       "The email address can't be found.");
        goto send;
    }

    h = ngx_exch_header_in(r, "X-MapiHttpCapability");

    exch_pox_response(&b, &u, h && ngx_atoi(h->value.data, h->value.len) > 0);

send:

    if (doc) {
        xmlFreeDoc(doc);
    }

    return ngx_exch_adisc_send(r, NGX_HTTP_OK, (char *) ngx_exch_xml_type.data,
                               &b);
}


static ngx_int_t
ngx_exch_soap(ngx_http_request_t *r, ngx_str_t *body)
{
    uint32_t             i;
    ngx_int_t            rc;
    ngx_str_t            domain;
    exs_txn_t           *txn;
    xmlDocPtr            doc;
    exch_buf_t           b;
    exch_adisc_user_t    u;
    exch_soap_request_t  req;

    exch_buf_init(&b);

    if (exch_soap_parse(body->data, body->len, &req, &doc) != 0) {
        if (doc == NULL) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "exch: autodiscover.svc request is not XML");
            return NGX_HTTP_BAD_REQUEST;
        }

        xmlFreeDoc(doc);

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "exch: autodiscover.svc operation not supported");

        /* what WCF answers for an action it has no contract for */

        exch_soap_fault(&b, "a:ActionNotSupported",
                        "The message cannot be processed at the receiver, "
                        "due to a ContractFilter mismatch at the "
                        "EndpointDispatcher.");

        return ngx_exch_adisc_send(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                   (char *) ngx_exch_xml_type.data, &b);
    }

    rc = ngx_exch_adisc_begin(r, &txn);
    if (rc != NGX_OK) {
        xmlFreeDoc(doc);
        return rc;
    }

    exch_soap_begin(&b, &req);

    for (i = 0; i < req.nusers; i++) {

        if (req.op == EXCH_SOAP_GET_USER_SETTINGS) {
            rc = ngx_exch_adisc_target(r, txn, req.users[i], NULL, &u);

            if (rc == NGX_ERROR) {
                break;
            }

            exch_soap_user(&b, &req, req.users[i],
                           rc == NGX_OK ? &u : NULL);
            continue;
        }

        /* a domain we serve, described with the caller's own mailbox */

        domain.data = (u_char *) req.users[i];
        domain.len = ngx_strlen(req.users[i]);

        rc = ngx_exch_adisc_domain(r, txn, &domain);

        if (rc == NGX_OK) {
            rc = ngx_exch_adisc_target(r, txn,
                                       (char *) ngx_exch_user(r)->address.data,
                                       NULL, &u);
        }

        if (rc == NGX_ERROR) {
            break;
        }

        exch_soap_domain(&b, &req, req.users[i], rc == NGX_OK ? &u : NULL);
    }

    exs_txn_abort(txn);
    xmlFreeDoc(doc);

    if (rc == NGX_ERROR) {
        exch_buf_free(&b);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    exch_soap_end(&b, &req);

    return ngx_exch_adisc_send(r, NGX_HTTP_OK,
                               (char *) ngx_exch_xml_type.data, &b);
}


static ngx_int_t
ngx_exch_json(ngx_http_request_t *r)
{
    ngx_int_t          rc;
    ngx_str_t          protocol;
    exch_buf_t         b;
    exch_adisc_user_t  u;

    if (ngx_http_arg(r, (u_char *) "Protocol", sizeof("Protocol") - 1,
                     &protocol)
        != NGX_OK)
    {
        ngx_str_set(&protocol, "");
    }

    if (ngx_exch_adisc_base(r, &u) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    exch_buf_init(&b);

    rc = exch_json_response(&b, (char *) protocol.data, protocol.len,
                            u.base);

    return ngx_exch_adisc_send(r, rc == 0 ? NGX_HTTP_OK : NGX_HTTP_BAD_REQUEST,
                               "application/json; charset=utf-8", &b);
}


static ngx_int_t
ngx_exch_autoconfig(ngx_http_request_t *r)
{
    u_char                            *at, *p;
    ngx_int_t                          rc;
    ngx_str_t                          addr, domain;
    exs_txn_t                         *txn;
    exch_buf_t                         b;
    exch_adisc_user_t                  u;
    ngx_exch_autodiscover_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_exch_autodiscover_module);

    if (ngx_exch_adisc_base(r, &u) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_arg(r, (u_char *) "emailaddress",
                     sizeof("emailaddress") - 1, &addr)
        == NGX_OK)
    {
        p = ngx_pnalloc(r->pool, addr.len + 1);
        if (p == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        at = p;
        ngx_unescape_uri(&at, &addr.data, addr.len, NGX_UNESCAPE_URI);
        addr.data = p;
        addr.len = at - p;

        at = ngx_strlchr(addr.data, addr.data + addr.len, '@');
        if (at == NULL) {
            return NGX_HTTP_NOT_FOUND;
        }

        domain.data = at + 1;
        domain.len = addr.data + addr.len - domain.data;

    } else {
        domain.data = (u_char *) u.host;
        domain.len = ngx_strlen(u.host);
    }

    rc = ngx_exch_adisc_begin(r, &txn);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_exch_adisc_domain(r, txn, &domain);

    exs_txn_abort(txn);

    if (rc != NGX_OK) {
        return rc == NGX_DECLINED ? NGX_HTTP_NOT_FOUND
                                  : NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    exch_buf_init(&b);
    exch_autoconfig(&b, (char *) domain.data,
                    alcf->name.len ? (char *) alcf->name.data : NULL,
                    alcf->servers ? alcf->servers->elts : NULL,
                    alcf->servers ? alcf->servers->nelts : 0, &u);

    return ngx_exch_adisc_send(r, NGX_HTTP_OK, "application/xml", &b);
}


static ngx_int_t
ngx_exch_adisc_begin(ngx_http_request_t *r, exs_txn_t **txn)
{
    int         rc;
    exs_env_t  *env;

    env = ngx_exch_store_env((ngx_cycle_t *) ngx_cycle);

    if (env == NULL || ngx_exch_arena(r) == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = exs_txn_begin(env, EXS_TXN_RDONLY, txn);

    if (rc != EXS_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "exch: store: %s", exs_strerror(rc));
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_OK;
}


/* NGX_OK when we serve the domain; domain becomes its canonical name */

static ngx_int_t
ngx_exch_adisc_domain(ngx_http_request_t *r, exs_txn_t *txn,
    ngx_str_t *domain)
{
    uint32_t       i, n;
    exs_domain_t  *domains;

    if (exs_dir_domains(txn, &domains, &n, ngx_exch_arena(r)) != EXS_OK) {
        return NGX_ERROR;
    }

    for (i = 0; i < n; i++) {
        if (ngx_strlen(domains[i].name) == domain->len
            && ngx_strncasecmp((u_char *) domains[i].name, domain->data,
                               domain->len)
               == 0)
        {
            domain->data = (u_char *) domains[i].name;
            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}


/*
 * The mailbox an Autodiscover request asks about: by address or legacy
 * DN, and only one the authenticated user may open: their own, or one
 * whose owner gave them rights on its IPM subtree.
 */

static ngx_int_t
ngx_exch_adisc_target(ngx_http_request_t *r, exs_txn_t *txn,
    const char *address, const char *dn, exch_adisc_user_t *u)
{
    int               rc;
    uint32_t          rights;
    exs_mbox_t       *mb;
    exs_arena_t      *a;
    exs_dirent_t      e;
    ngx_exch_user_t  *user;

    a = ngx_exch_arena(r);
    user = ngx_exch_user(r);

    if (user == NULL) {
        return NGX_DECLINED;
    }

    if (address && *address) {
        rc = exs_dir_by_address(txn, address, &e, a);

    } else if (dn && *dn) {
        rc = exs_dir_by_dn(txn, dn, &e, a);

    } else {
        return NGX_DECLINED;
    }

    if (rc != EXS_OK) {
        return rc == EXS_NOTFOUND ? NGX_DECLINED : NGX_ERROR;
    }

    if (e.type != EXS_DIR_USER) {
        return NGX_DECLINED;
    }

    if (e.id != user->id) {
        rights = 0;

        if (exs_mbox_open(txn, e.mailbox, user->id, &mb) != EXS_OK
            || exs_folder_rights(mb, EXS_FID_IPM_SUBTREE, &rights) != EXS_OK
            || rights == 0)
        {
            return NGX_DECLINED;
        }
    }

    return ngx_exch_adisc_fill(r, &e, u);
}


static ngx_int_t
ngx_exch_adisc_fill(ngx_http_request_t *r, exs_dirent_t *e,
    exch_adisc_user_t *u)
{
    u_char       *p, *q, md[16];
    size_t        len;
    ngx_md5_t     md5;
    const char   *domain;
    const u_char *g;

    if (ngx_exch_adisc_base(r, u) != NGX_OK) {
        return NGX_ERROR;
    }

    u->display_name = e->display_name;
    u->legacy_dn = e->legacy_dn;
    u->smtp = e->address;

    domain = strchr(e->address, '@');
    domain = domain ? domain + 1 : e->address;
    len = ngx_strlen(domain);

    /* GUID@domain, the GUID in its text form */

    g = e->guid;

    p = ngx_pnalloc(r->pool, 37 + 1 + len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(p, "%02xd%02xd%02xd%02xd-%02xd%02xd-%02xd%02xd-%02xd%02xd-"
                   "%02xd%02xd%02xd%02xd%02xd%02xd@%s%Z",
                g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9],
                g[10], g[11], g[12], g[13], g[14], g[15], domain);
    u->mailbox_id = (char *) p;

    /* the deployment: one per domain, stable */

    ngx_md5_init(&md5);
    ngx_md5_update(&md5, domain, len);
    ngx_md5_final(md, &md5);

    p = ngx_pnalloc(r->pool, 37);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(p, "%02xd%02xd%02xd%02xd-%02xd%02xd-%02xd%02xd-%02xd%02xd-"
                   "%02xd%02xd%02xd%02xd%02xd%02xd%Z",
                md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7],
                md[8], md[9], md[10], md[11], md[12], md[13], md[14], md[15]);
    u->deployment_id = (char *) p;

    /* "/o=ORG" of the legacy DN */

    len = e->legacy_dn ? ngx_strlen(e->legacy_dn) : 0;
    q = len ? ngx_strlcasestrn((u_char *) e->legacy_dn,
                               (u_char *) e->legacy_dn + len,
                               (u_char *) "/ou=", 4 - 1)
            : NULL;

    if (q) {
        len = q - (u_char *) e->legacy_dn;
    }

    p = ngx_pnalloc(r->pool, len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_cpystrn(p, (u_char *) (len ? e->legacy_dn : ""), len + 1);
    u->org = (char *) p;

    return NGX_OK;
}


/* the scheme and host of our URLs: exch_autodiscover_host or Host */

static ngx_int_t
ngx_exch_adisc_base(ngx_http_request_t *r, exch_adisc_user_t *u)
{
    u_char                            *p, *colon;
    ngx_str_t                          host;
    ngx_exch_autodiscover_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_exch_autodiscover_module);

    if (alcf->host.len) {
        host = alcf->host;

    } else if (r->headers_in.host) {
        host = r->headers_in.host->value;

    } else {
        host = r->headers_in.server;
    }

    ngx_memzero(u, sizeof(exch_adisc_user_t));
    u->protocols = alcf->protocols;

#if (NGX_HTTP_SSL)
    u->ssl = r->connection->ssl != NULL;
#endif

    p = ngx_pnalloc(r->pool, sizeof("https://") + host.len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(p, "%s://%V%Z", u->ssl ? "https" : "http", &host);
    u->base = (char *) p;

    /* the host name alone, without a port */

    p = ngx_pnalloc(r->pool, host.len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_cpystrn(p, host.data, host.len + 1);

    u->port = u->ssl ? 443 : 80;

    colon = memrchr(p, ':', host.len);
    if (colon && p[0] != '[') {
        *colon = '\0';
        u->port = ngx_atoi(colon + 1, p + host.len - colon - 1);
    }

    u->host = (char *) p;

    return NGX_OK;
}


static ngx_int_t
ngx_exch_adisc_send(ngx_http_request_t *r, ngx_uint_t status,
    const char *type, exch_buf_t *b)
{
    ngx_int_t  rc;

    if (b->nomem) {
        exch_buf_free(b);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_exch_send(r, status, type, b->data, b->len, 1);

    exch_buf_free(b);

    return rc == NGX_ERROR ? NGX_HTTP_INTERNAL_SERVER_ERROR : rc;
}


static ngx_table_elt_t *
ngx_exch_header_in(ngx_http_request_t *r, const char *name)
{
    size_t            len;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    len = ngx_strlen(name);
    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                return NULL;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == len
            && ngx_strncasecmp(h[i].key.data, (u_char *) name, len) == 0)
        {
            return &h[i];
        }
    }
}


/*
 * The auth_http endpoint of nginx's mail proxy: Auth-User and Auth-Pass
 * in, Auth-Status with the backend's Auth-Server and Auth-Port out.
 */

static ngx_int_t
ngx_exch_mail_auth_handler(ngx_http_request_t *r)
{
    u_char           *p;
    ngx_int_t         rc;
    ngx_str_t         user, pass;
    ngx_table_elt_t  *hu, *hp, *hm;

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    hu = ngx_exch_header_in(r, "Auth-User");
    hp = ngx_exch_header_in(r, "Auth-Pass");
    hm = ngx_exch_header_in(r, "Auth-Method");

    if (hu == NULL || hp == NULL || hu->value.len == 0) {
        return ngx_exch_mail_auth_reply(r, 0);
    }

    if (hm && (ngx_strncasecmp(hm->value.data, (u_char *) "plain", 5) != 0
               && ngx_strncasecmp(hm->value.data, (u_char *) "login", 5)
                  != 0))
    {
        /* cram-md5 and apop need the clear password, which we don't keep */
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "exch: mail auth method \"%V\" is not supported",
                      &hm->value);
        return ngx_exch_mail_auth_reply(r, 0);
    }

    /* nginx escapes both values (NGX_ESCAPE_MAIL_AUTH) */

    p = ngx_pnalloc(r->pool, hu->value.len + hp->value.len);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    user.data = p;
    ngx_unescape_uri(&p, &hu->value.data, hu->value.len, 0);
    user.len = p - user.data;

    pass.data = p;
    ngx_unescape_uri(&p, &hp->value.data, hp->value.len, 0);
    pass.len = p - pass.data;

    rc = ngx_exch_auth_start(r, &user, &pass, ngx_exch_mail_auth_resume);

    switch (rc) {

    case NGX_OK:
        return ngx_exch_mail_auth_reply(r, 1);

    case NGX_DECLINED:
        return ngx_exch_mail_auth_reply(r, 0);

    case NGX_AGAIN:
        r->main->count++;
        return NGX_DONE;

    default:
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
}


static void
ngx_exch_mail_auth_resume(ngx_http_request_t *r)
{
    ngx_http_finalize_request(r,
        ngx_exch_mail_auth_reply(r, ngx_exch_auth_result(r) == NGX_OK));
}


static ngx_int_t
ngx_exch_mail_auth_reply(ngx_http_request_t *r, ngx_int_t ok)
{
    u_char                            *p;
    ngx_str_t                          v, login;
    ngx_int_t                          proto;
    ngx_msec_t                         delay;
    ngx_exch_user_t                   *user;
    ngx_table_elt_t                   *h;
    ngx_exch_autodiscover_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_exch_autodiscover_module);

    h = ngx_exch_header_in(r, "Auth-Protocol");
    proto = -1;

    if (h && h->value.len == 4
        && ngx_strncasecmp(h->value.data, (u_char *) "imap", 4) == 0)
    {
        proto = NGX_EXCH_MAIL_IMAP;

    } else if (h && h->value.len == 4
               && ngx_strncasecmp(h->value.data, (u_char *) "pop3", 4) == 0)
    {
        proto = NGX_EXCH_MAIL_POP3;

    } else if (h && h->value.len == 4
               && ngx_strncasecmp(h->value.data, (u_char *) "smtp", 4) == 0)
    {
        proto = NGX_EXCH_MAIL_SMTP;
    }

    user = ngx_exch_user(r);

    if (ok && user && proto >= 0 && alcf->backend[proto].len) {
        ngx_str_set(&v, "OK");

        if (ngx_exch_mail_header_out(r, "Auth-Status", &v) != NGX_OK
            || ngx_exch_mail_header_out(r, "Auth-Server",
                                        &alcf->backend[proto])
               != NGX_OK
            || ngx_exch_mail_header_out(r, "Auth-Port",
                                        &alcf->backend_port[proto])
               != NGX_OK
            || ngx_exch_mail_header_out(r, "Auth-User", &user->address)
               != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_exch_send(r, NGX_HTTP_OK, "text/plain", "", 0, 0);
    }

    if (ok && user) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "exch: no exch_mail_backend for mail protocol \"%V\"",
                      h ? &h->value : &r->uri);
        ngx_str_set(&v, "Temporary server problem, try again later");

        if (ngx_exch_mail_header_out(r, "Auth-Status", &v) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_str_set(&v, "451 4.3.0");

        if (proto == NGX_EXCH_MAIL_SMTP
            && ngx_exch_mail_header_out(r, "Auth-Error-Code", &v) != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_exch_send(r, NGX_HTTP_OK, "text/plain", "", 0, 0);
    }

    ngx_str_set(&v, "Invalid login or password");

    if (ngx_exch_mail_header_out(r, "Auth-Status", &v) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the proxy waits this long before the client may try again */

    h = ngx_exch_header_in(r, "Auth-User");

    if (h) {
        login = h->value;
        delay = ngx_exch_auth_throttle(r, &login);

    } else {
        delay = 0;
    }

    p = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    v.data = p;
    v.len = ngx_sprintf(p, "%M", ngx_max(delay / 1000, 1)) - p;

    if (ngx_exch_mail_header_out(r, "Auth-Wait", &v) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (proto == NGX_EXCH_MAIL_SMTP) {
        ngx_str_set(&v, "535 5.7.8");

        if (ngx_exch_mail_header_out(r, "Auth-Error-Code", &v) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    return ngx_exch_send(r, NGX_HTTP_OK, "text/plain", "", 0, 0);
}


static ngx_int_t
ngx_exch_mail_header_out(ngx_http_request_t *r, const char *key,
    ngx_str_t *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) key;
    h->key.len = ngx_strlen(key);
    h->value = *value;

    return NGX_OK;
}


static void *
ngx_exch_autodiscover_create_loc_conf(ngx_conf_t *cf)
{
    ngx_exch_autodiscover_loc_conf_t  *alcf;

    alcf = ngx_pcalloc(cf->pool, sizeof(ngx_exch_autodiscover_loc_conf_t));
    if (alcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     alcf->host = { 0, NULL };
     *     alcf->name = { 0, NULL };
     *     alcf->backend[] = { 0, NULL };
     *     alcf->backend_port[] = { 0, NULL };
     */

    alcf->protocols = NGX_CONF_UNSET_UINT;
    alcf->max_body = NGX_CONF_UNSET_SIZE;
    alcf->servers = NGX_CONF_UNSET_PTR;

    return alcf;
}


static char *
ngx_exch_autodiscover_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child)
{
    ngx_exch_autodiscover_loc_conf_t *prev = parent;
    ngx_exch_autodiscover_loc_conf_t *conf = child;

    ngx_uint_t  i;

    ngx_conf_merge_str_value(conf->host, prev->host, "");
    ngx_conf_merge_uint_value(conf->protocols, prev->protocols,
                              EXCH_ADISC_ALL);
    ngx_conf_merge_size_value(conf->max_body, prev->max_body, 65536);
    ngx_conf_merge_ptr_value(conf->servers, prev->servers, NULL);
    ngx_conf_merge_str_value(conf->name, prev->name, "");

    for (i = 0; i < 3; i++) {
        if (conf->backend[i].len == 0) {
            conf->backend[i] = prev->backend[i];
            conf->backend_port[i] = prev->backend_port[i];
        }
    }

    return NGX_CONF_OK;
}


static char *
ngx_exch_autodiscover(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_exch_autodiscover_handler;

    ngx_exch_http_enable(cf);

    return NGX_CONF_OK;
}


static char *
ngx_exch_mail_auth(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    /* credentials come in Auth-* headers, not HTTP Basic */

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_exch_mail_auth_handler;

    return NGX_CONF_OK;
}


static char *
ngx_exch_autodiscover_protocols(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_exch_autodiscover_loc_conf_t *alcf = conf;

    ngx_str_t   *value;
    ngx_uint_t   i;

    static struct {
        ngx_str_t   name;
        ngx_uint_t  bit;
    } names[] = {
        { ngx_string("mapihttp"), EXCH_ADISC_MAPIHTTP },
        { ngx_string("exch"), EXCH_ADISC_EXCH },
        { ngx_string("expr"), EXCH_ADISC_EXPR },
        { ngx_string("exhttp"), EXCH_ADISC_EXHTTP },
        { ngx_string("none"), 0 },
        { ngx_null_string, 0 }
    };

    ngx_uint_t  j;

    if (alcf->protocols != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    alcf->protocols = 0;
    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        for (j = 0; names[j].name.len; j++) {
            if (value[i].len == names[j].name.len
                && ngx_strcasecmp(value[i].data, names[j].name.data) == 0)
            {
                alcf->protocols |= names[j].bit;
                break;
            }
        }

        if (names[j].name.len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "unknown autodiscover protocol \"%V\"",
                               &value[i]);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


static char *
ngx_exch_autoconfig_server(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_exch_autodiscover_loc_conf_t *alcf = conf;

    u_char                    *colon;
    ngx_str_t                 *value;
    ngx_int_t                  port;
    exch_autoconfig_server_t  *s;

    value = cf->args->elts;

    if (alcf->servers == NGX_CONF_UNSET_PTR) {
        alcf->servers = ngx_array_create(cf->pool, 3,
                                         sizeof(exch_autoconfig_server_t));
        if (alcf->servers == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    if (ngx_strcmp(value[1].data, "imap") != 0
        && ngx_strcmp(value[1].data, "pop3") != 0
        && ngx_strcmp(value[1].data, "smtp") != 0)
    {
        return "takes imap, pop3 or smtp";
    }

    if (ngx_strcmp(value[3].data, "SSL") != 0
        && ngx_strcmp(value[3].data, "STARTTLS") != 0
        && ngx_strcmp(value[3].data, "plain") != 0)
    {
        return "takes a socket type of SSL, STARTTLS or plain";
    }

    colon = memrchr(value[2].data, ':', value[2].len);
    if (colon == NULL) {
        return "needs HOST:PORT";
    }

    port = ngx_atoi(colon + 1, value[2].data + value[2].len - colon - 1);
    if (port < 1 || port > 65535) {
        return "has an invalid port";
    }

    *colon = '\0';

    s = ngx_array_push(alcf->servers);
    if (s == NULL) {
        return NGX_CONF_ERROR;
    }

    s->type = (char *) value[1].data;
    s->host = (char *) value[2].data;
    s->port = port;
    s->socket = (char *) value[3].data;

    return NGX_CONF_OK;
}


static char *
ngx_exch_mail_backend(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_exch_autodiscover_loc_conf_t *alcf = conf;

    u_char      *colon;
    ngx_str_t   *value;
    ngx_int_t    i, port;

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "imap") == 0) {
        i = NGX_EXCH_MAIL_IMAP;

    } else if (ngx_strcmp(value[1].data, "pop3") == 0) {
        i = NGX_EXCH_MAIL_POP3;

    } else if (ngx_strcmp(value[1].data, "smtp") == 0) {
        i = NGX_EXCH_MAIL_SMTP;

    } else {
        return "takes imap, pop3 or smtp";
    }

    colon = memrchr(value[2].data, ':', value[2].len);
    if (colon == NULL) {
        return "needs ADDRESS:PORT";
    }

    port = ngx_atoi(colon + 1, value[2].data + value[2].len - colon - 1);
    if (port < 1 || port > 65535) {
        return "has an invalid port";
    }

    /* Auth-Server must be an IP address: nginx does not resolve it */

    if (ngx_inet_addr(value[2].data, colon - value[2].data) == INADDR_NONE) {
        return "needs an IPv4 address (nginx's mail proxy does not resolve "
               "Auth-Server)";
    }

    alcf->backend[i].data = value[2].data;
    alcf->backend[i].len = colon - value[2].data;
    alcf->backend_port[i].data = colon + 1;
    alcf->backend_port[i].len = value[2].data + value[2].len - colon - 1;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_exch_autodiscover_init_process(ngx_cycle_t *cycle)
{
    exch_xml_init();

    return NGX_OK;
}
