
/*
 * exch: Autodiscover requests and responses, nginx-free: POX
 * (MS-OXDSCLI), SOAP (MS-OXWSADISC), JSON v2 and Mozilla autoconfig.
 */


#ifndef _EXCH_OXDSCLI_H_INCLUDED_
#define _EXCH_OXDSCLI_H_INCLUDED_


#include <exch_xml.h>
#include <exch_version.h>


#define EXCH_ADISC_NS_BASE                                                    \
    "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"
#define EXCH_ADISC_NS_OUTLOOK_REQ                                             \
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/"             \
    "requestschema/2006"
#define EXCH_ADISC_NS_OUTLOOK                                                 \
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/"             \
    "responseschema/2006a"
#define EXCH_ADISC_NS_MOBILESYNC                                              \
    "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/"          \
    "responseschema/2006"
#define EXCH_ADISC_NS_SOAP                                                    \
    "http://schemas.microsoft.com/exchange/2010/Autodiscover"
#define EXCH_SOAP_NS  "http://schemas.xmlsoap.org/soap/envelope/"
#define EXCH_WSA_NS   "http://www.w3.org/2005/08/addressing"




/* the protocol blocks of a POX response */
#define EXCH_ADISC_MAPIHTTP     0x01
#define EXCH_ADISC_EXCH         0x02
#define EXCH_ADISC_EXPR         0x04
#define EXCH_ADISC_EXHTTP       0x08
#define EXCH_ADISC_ALL          0x0F


/* everything an answer about one mailbox says */

typedef struct {
    const char               *display_name;
    const char               *legacy_dn;
    const char               *smtp;         /* primary address */
    const char               *deployment_id;   /* GUID text */
    const char               *mailbox_id;   /* GUID@domain: the RPC server
                                               name and MAPI/HTTP id */
    const char               *org;          /* "/o=...", of legacy_dn */
    const char               *base;         /* scheme://host, no slash */
    const char               *host;
    unsigned                  port;
    int                       ssl;
    unsigned                  protocols;    /* EXCH_ADISC_* offered */
} exch_adisc_user_t;


/* POX */

#define EXCH_POX_OUTLOOK        1
#define EXCH_POX_MOBILESYNC     2
#define EXCH_POX_OTHER          3

typedef struct {
    const char               *email;        /* NUL-terminated, or NULL */
    const char               *legacy_dn;
    int                       schema;
} exch_pox_request_t;

/* 0, or -1 when the request is not a POX Autodiscover request; the
 * strings point into *doc, which the caller frees */
int exch_pox_parse(const void *data, size_t len, exch_pox_request_t *req,
    xmlDocPtr *doc);

/* mapihttp: the client sent X-MapiHttpCapability */
void exch_pox_response(exch_buf_t *b, const exch_adisc_user_t *u,
    int mapihttp);
void exch_pox_error(exch_buf_t *b, int schema, int code, const char *msg);


/* SOAP */

#define EXCH_SOAP_GET_USER_SETTINGS    1
#define EXCH_SOAP_GET_DOMAIN_SETTINGS  2

#define EXCH_SOAP_MAX_ITEMS     100

typedef struct {
    int                       op;
    const char               *action;       /* wsa:Action, or NULL */
    const char               *version;      /* RequestedServerVersion */
    uint32_t                  nusers;       /* users or domains */
    const char               *users[EXCH_SOAP_MAX_ITEMS];
    uint32_t                  nsettings;
    const char               *settings[EXCH_SOAP_MAX_ITEMS];
} exch_soap_request_t;

/* 0; -1 when it is not a SOAP envelope with one of our operations */
int exch_soap_parse(const void *data, size_t len, exch_soap_request_t *req,
    xmlDocPtr *doc);

void exch_soap_begin(exch_buf_t *b, const exch_soap_request_t *req);
/* u NULL: the user is unknown (or not allowed), InvalidUser */
void exch_soap_user(exch_buf_t *b, const exch_soap_request_t *req,
    const char *asked, const exch_adisc_user_t *u);
void exch_soap_domain(exch_buf_t *b, const exch_soap_request_t *req,
    const char *asked, const exch_adisc_user_t *u);
void exch_soap_end(exch_buf_t *b, const exch_soap_request_t *req);
void exch_soap_fault(exch_buf_t *b, const char *code, const char *text);


/* JSON v2: 0 with the body written, -1 for an unknown protocol (the
 * error body written, to be sent with 400) */
int exch_json_response(exch_buf_t *b, const char *protocol, size_t len,
    const char *base);


/* Mozilla autoconfig */

typedef struct {
    const char               *type;         /* imap, pop3, smtp */
    const char               *host;
    unsigned                  port;
    const char               *socket;       /* SSL, STARTTLS, plain */
} exch_autoconfig_server_t;

void exch_autoconfig(exch_buf_t *b, const char *domain, const char *name,
    const exch_autoconfig_server_t *servers, unsigned nservers,
    const exch_adisc_user_t *u);


#endif /* _EXCH_OXDSCLI_H_INCLUDED_ */
