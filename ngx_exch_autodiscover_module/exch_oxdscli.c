
/*
 * exch: Autodiscover requests and responses (see exch_oxdscli.h).
 */


#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "exch_oxdscli.h"


typedef enum {
    EXCH_SET_STR,                /* a fixed value of the user */
    EXCH_SET_URL,                /* base + path */
    EXCH_SET_NONE                /* known, but not available here */
} exch_setting_kind_e;


typedef struct {
    const char               *name;
    exch_setting_kind_e       kind;
    const char               *arg;          /* field name or path */
} exch_setting_t;


static const char *exch_adisc_field(const exch_adisc_user_t *u,
    const char *field, char *tmp, size_t size);
static void exch_pox_protocol_urls(exch_buf_t *b, const exch_adisc_user_t *u);
static void exch_soap_header(exch_buf_t *b, const char *action,
    const char *op);
static void exch_soap_version_info(exch_buf_t *b);
static void exch_soap_settings(exch_buf_t *b, const exch_soap_request_t *req,
    const exch_adisc_user_t *u, int domain);


#define EXCH_EWS_PATH       "/EWS/Exchange.asmx"
#define EXCH_OAB_PATH       "/OAB/"
#define EXCH_EMSMDB_PATH    "/mapi/emsmdb/?MailboxId="
#define EXCH_NSPI_PATH      "/mapi/nspi/?MailboxId="
#define EXCH_RPC_PATH       "/rpc/rpcproxy.dll"

#define EXCH_SCHEMAS                                                          \
    "Exchange2007, Exchange2007_SP1, Exchange2010, Exchange2010_SP1, "        \
    "Exchange2010_SP2, Exchange2013, Exchange2013_SP1, Exchange2015, "        \
    "Exchange2016"


/* the GetUserSettings settings we know; the order of MS-OXWSADISC */

static const exch_setting_t  exch_settings[] = {
    { "UserDisplayName", EXCH_SET_STR, "display_name" },
    { "UserDN", EXCH_SET_STR, "legacy_dn" },
    { "UserDeploymentId", EXCH_SET_STR, "deployment_id" },
    { "InternalMailboxServer", EXCH_SET_STR, "mailbox_id" },
    { "InternalRpcClientServer", EXCH_SET_STR, "host" },
    { "InternalMailboxServerDN", EXCH_SET_STR, "server_dn" },
    { "InternalEwsUrl", EXCH_SET_URL, EXCH_EWS_PATH },
    { "InternalEmwsUrl", EXCH_SET_URL, EXCH_EWS_PATH },
    { "InternalOABUrl", EXCH_SET_URL, EXCH_OAB_PATH },
    { "MailboxDN", EXCH_SET_STR, "mdb_dn" },
    { "ActiveDirectoryServer", EXCH_SET_STR, "host" },
    { "ExternalMailboxServer", EXCH_SET_STR, "host" },
    { "ExternalMailboxServerRequiresSSL", EXCH_SET_STR, "ssl" },
    { "InternalMailboxServerRequiresSSL", EXCH_SET_STR, "ssl" },
    { "ExternalMailboxServerAuthenticationMethods", EXCH_SET_STR, "auth" },
    { "ExternalEwsUrl", EXCH_SET_URL, EXCH_EWS_PATH },
    { "ExternalEmwsUrl", EXCH_SET_URL, EXCH_EWS_PATH },
    { "ExternalOABUrl", EXCH_SET_URL, EXCH_OAB_PATH },
    { "CrossOrganizationSharingEnabled", EXCH_SET_STR, "false" },
    { "CasVersion", EXCH_SET_STR, "cas_version" },
    { "EwsSupportedSchemas", EXCH_SET_STR, "schemas" },
    { "ExchangeRpcUrl", EXCH_SET_URL, EXCH_RPC_PATH },
    { "ShowGalAsDefaultView", EXCH_SET_STR, "true" },
    { "AutoDiscoverSMTPAddress", EXCH_SET_STR, "smtp" },
    { "ExternalEwsVersion", EXCH_SET_STR, "cas_version" },
    { "InternalServerExclusiveConnect", EXCH_SET_STR, "true" },
    { "ExternalServerExclusiveConnect", EXCH_SET_STR, "true" },
    { "CertPrincipalName", EXCH_SET_STR, "cert_principal" },
    { "UserMSOnline", EXCH_SET_STR, "false" },
    { "MapiHttpEnabled", EXCH_SET_STR, "true" },
    { "InternalMapiHttpMailboxUrl", EXCH_SET_URL, EXCH_EMSMDB_PATH },
    { "ExternalMapiHttpMailboxUrl", EXCH_SET_URL, EXCH_EMSMDB_PATH },
    { "InternalMapiHttpAddressBookUrl", EXCH_SET_URL, EXCH_NSPI_PATH },
    { "ExternalMapiHttpAddressBookUrl", EXCH_SET_URL, EXCH_NSPI_PATH },
    { "InternalEcpUrl", EXCH_SET_NONE, NULL },
    { "ExternalEcpUrl", EXCH_SET_NONE, NULL },
    { "InternalUMUrl", EXCH_SET_NONE, NULL },
    { "ExternalUMUrl", EXCH_SET_NONE, NULL },
    { "InternalWebClientUrls", EXCH_SET_NONE, NULL },
    { "ExternalWebClientUrls", EXCH_SET_NONE, NULL },
    { "PublicFolderServer", EXCH_SET_NONE, NULL },
    { "AlternateMailboxes", EXCH_SET_NONE, NULL },
    { "InteropExternalEwsUrl", EXCH_SET_NONE, NULL },
    { "InteropExternalEwsVersion", EXCH_SET_NONE, NULL },
    { "MobileMailboxPolicyInterop", EXCH_SET_NONE, NULL },
    { "GroupingInformation", EXCH_SET_NONE, NULL },
    { "InternalPop3Connections", EXCH_SET_NONE, NULL },
    { "ExternalPop3Connections", EXCH_SET_NONE, NULL },
    { "InternalImap4Connections", EXCH_SET_NONE, NULL },
    { "ExternalImap4Connections", EXCH_SET_NONE, NULL },
    { "InternalSmtpConnections", EXCH_SET_NONE, NULL },
    { "ExternalSmtpConnections", EXCH_SET_NONE, NULL },
    { "EwsPartnerUrl", EXCH_SET_NONE, NULL },
    { "DocumentSharingLocations", EXCH_SET_NONE, NULL },
    { NULL, EXCH_SET_NONE, NULL }
};


/* POX */

int
exch_pox_parse(const void *data, size_t len, exch_pox_request_t *req,
    xmlDocPtr *doc)
{
    size_t       n;
    xmlNodePtr   root, request, node;
    const char  *text;

    memset(req, 0, sizeof(exch_pox_request_t));

    *doc = exch_xml_parse(data, len);
    if (*doc == NULL) {
        return -1;
    }

    root = xmlDocGetRootElement(*doc);

    /* Outlook and ActiveSync devices send their own request namespaces */

    if (!exch_xml_is(root, NULL, "Autodiscover")) {
        return -1;
    }

    request = exch_xml_child(root, NULL, "Request");
    if (request == NULL) {
        return -1;
    }

    text = exch_xml_value(exch_xml_child(request, NULL, "EMailAddress"));
    if (text && *text) {
        req->email = text;
    }

    text = exch_xml_value(exch_xml_child(request, NULL, "LegacyDN"));
    if (text && *text) {
        req->legacy_dn = text;
    }

    node = exch_xml_child(request, NULL, "AcceptableResponseSchema");
    text = exch_xml_text(node, &n);

    if (n == sizeof(EXCH_ADISC_NS_OUTLOOK) - 1
        && strncmp(text, EXCH_ADISC_NS_OUTLOOK, n) == 0)
    {
        req->schema = EXCH_POX_OUTLOOK;

    } else if (n == sizeof(EXCH_ADISC_NS_MOBILESYNC) - 1
               && strncmp(text, EXCH_ADISC_NS_MOBILESYNC, n) == 0)
    {
        req->schema = EXCH_POX_MOBILESYNC;

    } else {
        req->schema = EXCH_POX_OTHER;
    }

    if (req->email == NULL && req->legacy_dn == NULL) {
        return -1;
    }

    return 0;
}


void
exch_pox_error(exch_buf_t *b, int schema, int code, const char *msg)
{
    struct tm  tm;
    time_t     now;

    now = time(NULL);
    gmtime_r(&now, &tm);

    exch_buf_str(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
                    "<Autodiscover xmlns=\"" EXCH_ADISC_NS_BASE "\">");

    if (schema == EXCH_POX_MOBILESYNC) {
        exch_buf_str(b, "<Response xmlns=\"" EXCH_ADISC_NS_MOBILESYNC "\">");

    } else {
        exch_buf_str(b, "<Response>");
    }

    exch_buf_printf(b, "<Error Time=\"%02d:%02d:%02d.0000000\" "
                       "Id=\"2477272013\">"
                       "<ErrorCode>%d</ErrorCode>",
                    tm.tm_hour, tm.tm_min, tm.tm_sec, code);
    exch_buf_elem(b, "Message", msg);
    exch_buf_str(b, "<DebugData /></Error></Response></Autodiscover>");
}


void
exch_pox_response(exch_buf_t *b, const exch_adisc_user_t *u, int mapihttp)
{
    char  server_dn[1024];

    snprintf(server_dn, sizeof(server_dn),
             "%s/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)"
             "/cn=Configuration/cn=Servers/cn=%s", u->org, u->mailbox_id);

    exch_buf_str(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
                    "<Autodiscover xmlns=\"" EXCH_ADISC_NS_BASE "\">"
                    "<Response xmlns=\"" EXCH_ADISC_NS_OUTLOOK "\">"
                    "<User>");
    exch_buf_elem(b, "DisplayName", u->display_name);
    exch_buf_elem(b, "LegacyDN", u->legacy_dn);
    exch_buf_elem(b, "AutoDiscoverSMTPAddress", u->smtp);
    exch_buf_elem(b, "DeploymentId", u->deployment_id);
    exch_buf_str(b, "</User>"
                    "<Account>"
                    "<AccountType>email</AccountType>"
                    "<Action>settings</Action>"
                    "<MicrosoftOnline>False</MicrosoftOnline>"
                    "<ConsumerMailbox>False</ConsumerMailbox>");

    if (mapihttp && (u->protocols & EXCH_ADISC_MAPIHTTP)) {
        exch_buf_str(b, "<Protocol Type=\"mapiHttp\" Version=\"1\">"
                        "<MailStore><InternalUrl>");
        exch_buf_cstr_text(b, u->base);
        exch_buf_str(b, EXCH_EMSMDB_PATH);
        exch_buf_cstr_text(b, u->mailbox_id);
        exch_buf_str(b, "</InternalUrl><ExternalUrl>");
        exch_buf_cstr_text(b, u->base);
        exch_buf_str(b, EXCH_EMSMDB_PATH);
        exch_buf_cstr_text(b, u->mailbox_id);
        exch_buf_str(b, "</ExternalUrl></MailStore>"
                        "<AddressBook><InternalUrl>");
        exch_buf_cstr_text(b, u->base);
        exch_buf_str(b, EXCH_NSPI_PATH);
        exch_buf_cstr_text(b, u->mailbox_id);
        exch_buf_str(b, "</InternalUrl><ExternalUrl>");
        exch_buf_cstr_text(b, u->base);
        exch_buf_str(b, EXCH_NSPI_PATH);
        exch_buf_cstr_text(b, u->mailbox_id);
        exch_buf_str(b, "</ExternalUrl></AddressBook></Protocol>");
    }

    if (u->protocols & EXCH_ADISC_EXCH) {
        exch_buf_str(b, "<Protocol><Type>EXCH</Type>");
        exch_buf_elem(b, "Server", u->mailbox_id);
        exch_buf_elem(b, "ServerDN", server_dn);
        exch_buf_printf(b, "<ServerVersion>%08X</ServerVersion>",
                        (7u << 28) | (EXCH_VERSION_MAJOR << 22)
                        | (EXCH_VERSION_MINOR << 16) | (1u << 15)
                        | EXCH_VERSION_BUILD);
        exch_buf_str(b, "<MdbDN>");
        exch_buf_cstr_text(b, server_dn);
        exch_buf_str(b, "/cn=Microsoft Private MDB</MdbDN>");
        exch_buf_elem(b, "AD", u->host);
        exch_pox_protocol_urls(b, u);
        exch_buf_str(b, "<ServerExclusiveConnect>off</ServerExclusiveConnect>"
                        "</Protocol>");
    }

    if (u->protocols & EXCH_ADISC_EXPR) {
        exch_buf_str(b, "<Protocol><Type>EXPR</Type>");
        exch_buf_elem(b, "Server", u->host);
        exch_buf_printf(b, "<SSL>%s</SSL>", u->ssl ? "On" : "Off");
        exch_buf_str(b, "<AuthPackage>Basic</AuthPackage>");
        exch_buf_printf(b, "<ServerVersion>%08X</ServerVersion>",
                        (7u << 28) | (EXCH_VERSION_MAJOR << 22)
                        | (EXCH_VERSION_MINOR << 16) | (1u << 15)
                        | EXCH_VERSION_BUILD);
        exch_buf_str(b, "<CertPrincipalName>msstd:");
        exch_buf_cstr_text(b, u->host);
        exch_buf_str(b, "</CertPrincipalName>");
        exch_pox_protocol_urls(b, u);
        exch_buf_str(b, "<ServerExclusiveConnect>on</ServerExclusiveConnect>"
                        "</Protocol>");
    }

    if (u->protocols & EXCH_ADISC_EXHTTP) {
        exch_buf_str(b, "<Protocol><Type>EXHTTP</Type>");
        exch_buf_elem(b, "Server", u->host);
        exch_buf_printf(b, "<SSL>%s</SSL>", u->ssl ? "On" : "Off");
        exch_buf_str(b, "<AuthPackage>Basic</AuthPackage>");
        exch_buf_str(b, "<CertPrincipalName>msstd:");
        exch_buf_cstr_text(b, u->host);
        exch_buf_str(b, "</CertPrincipalName>");
        exch_pox_protocol_urls(b, u);
        exch_buf_str(b, "<ServerExclusiveConnect>On</ServerExclusiveConnect>"
                        "</Protocol>");
    }

    exch_buf_str(b, "</Account></Response></Autodiscover>");
}


static void
exch_pox_protocol_urls(exch_buf_t *b, const exch_adisc_user_t *u)
{
    static const char  *urls[] = { "ASUrl", "EwsUrl", "EmwsUrl", "OOFUrl" };

    unsigned  i;

    for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        exch_buf_str(b, "<");
        exch_buf_str(b, urls[i]);
        exch_buf_str(b, ">");
        exch_buf_cstr_text(b, u->base);
        exch_buf_str(b, EXCH_EWS_PATH "</");
        exch_buf_str(b, urls[i]);
        exch_buf_str(b, ">");
    }

    exch_buf_str(b, "<OABUrl>");
    exch_buf_cstr_text(b, u->base);
    exch_buf_str(b, EXCH_OAB_PATH "</OABUrl>");
}


/* SOAP */

int
exch_soap_parse(const void *data, size_t len, exch_soap_request_t *req,
    xmlDocPtr *doc)
{
    xmlNodePtr   env, header, body, op, request, list, node, mbx;
    const char  *text;

    memset(req, 0, sizeof(exch_soap_request_t));

    *doc = exch_xml_parse(data, len);
    if (*doc == NULL) {
        return -1;
    }

    env = xmlDocGetRootElement(*doc);

    if (!exch_xml_is(env, EXCH_SOAP_NS, "Envelope")) {
        return -1;
    }

    header = exch_xml_child(env, EXCH_SOAP_NS, "Header");
    body = exch_xml_child(env, EXCH_SOAP_NS, "Body");

    if (body == NULL) {
        return -1;
    }

    if (header) {
        req->action = exch_xml_value(exch_xml_child(header, EXCH_WSA_NS,
                                                    "Action"));
        req->version = exch_xml_value(exch_xml_child(header,
                                                     EXCH_ADISC_NS_SOAP,
                                                     "RequestedServerVersion"));
    }

    op = exch_xml_child(body, NULL, NULL);

    if (exch_xml_is(op, EXCH_ADISC_NS_SOAP, "GetUserSettingsRequestMessage")) {
        req->op = EXCH_SOAP_GET_USER_SETTINGS;

    } else if (exch_xml_is(op, EXCH_ADISC_NS_SOAP,
                           "GetDomainSettingsRequestMessage"))
    {
        req->op = EXCH_SOAP_GET_DOMAIN_SETTINGS;

    } else {
        return -1;
    }

    request = exch_xml_child(op, EXCH_ADISC_NS_SOAP, "Request");

    if (req->op == EXCH_SOAP_GET_USER_SETTINGS) {
        list = exch_xml_child(request, EXCH_ADISC_NS_SOAP, "Users");

        for (node = exch_xml_child(list, EXCH_ADISC_NS_SOAP, "User");
             node && req->nusers < EXCH_SOAP_MAX_ITEMS;
             node = exch_xml_next(node, EXCH_ADISC_NS_SOAP, "User"))
        {
            mbx = exch_xml_child(node, EXCH_ADISC_NS_SOAP, "Mailbox");
            text = exch_xml_value(mbx);
            req->users[req->nusers++] = text ? text : "";
        }

    } else {
        list = exch_xml_child(request, EXCH_ADISC_NS_SOAP, "Domains");

        for (node = exch_xml_child(list, EXCH_ADISC_NS_SOAP, "Domain");
             node && req->nusers < EXCH_SOAP_MAX_ITEMS;
             node = exch_xml_next(node, EXCH_ADISC_NS_SOAP, "Domain"))
        {
            text = exch_xml_value(node);
            req->users[req->nusers++] = text ? text : "";
        }
    }

    list = exch_xml_child(request, EXCH_ADISC_NS_SOAP, "RequestedSettings");

    for (node = exch_xml_child(list, EXCH_ADISC_NS_SOAP, "Setting");
         node && req->nsettings < EXCH_SOAP_MAX_ITEMS;
         node = exch_xml_next(node, EXCH_ADISC_NS_SOAP, "Setting"))
    {
        text = exch_xml_value(node);
        req->settings[req->nsettings++] = text ? text : "";
    }

    return 0;
}


static void
exch_soap_header(exch_buf_t *b, const char *action, const char *op)
{
    exch_buf_str(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
                    "<s:Envelope xmlns:s=\"" EXCH_SOAP_NS "\" "
                    "xmlns:a=\"" EXCH_WSA_NS "\">"
                    "<s:Header>"
                    "<a:Action s:mustUnderstand=\"1\">");
    exch_buf_str(b, action);
    exch_buf_str(b, op);
    exch_buf_str(b, "</a:Action>");
}


static void
exch_soap_version_info(exch_buf_t *b)
{
    exch_buf_printf(b, "<h:ServerVersionInfo xmlns:h=\""
                       EXCH_ADISC_NS_SOAP "\" "
                       "xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">"
                       "<h:MajorVersion>%d</h:MajorVersion>"
                       "<h:MinorVersion>%d</h:MinorVersion>"
                       "<h:MajorBuildNumber>%d</h:MajorBuildNumber>"
                       "<h:MinorBuildNumber>%d</h:MinorBuildNumber>"
                       "<h:Version>Exchange2015</h:Version>"
                       "</h:ServerVersionInfo>",
                    EXCH_VERSION_MAJOR, EXCH_VERSION_MINOR,
                    EXCH_VERSION_BUILD, EXCH_VERSION_REVISION);
}


void
exch_soap_begin(exch_buf_t *b, const exch_soap_request_t *req)
{
    const char  *op;

    op = req->op == EXCH_SOAP_GET_USER_SETTINGS ? "GetUserSettings"
                                                : "GetDomainSettings";

    exch_soap_header(b, EXCH_ADISC_NS_SOAP "/Autodiscover/",
                     req->op == EXCH_SOAP_GET_USER_SETTINGS
                     ? "GetUserSettingsResponse"
                     : "GetDomainSettingsResponse");
    exch_soap_version_info(b);
    exch_buf_printf(b, "</s:Header><s:Body>"
                       "<%sResponseMessage xmlns=\"" EXCH_ADISC_NS_SOAP "\">"
                       "<Response xmlns:i=\"http://www.w3.org/2001/"
                       "XMLSchema-instance\">"
                       "<ErrorCode>NoError</ErrorCode>"
                       "<ErrorMessage />"
                       "<%s>", op,
                    req->op == EXCH_SOAP_GET_USER_SETTINGS ? "UserResponses"
                                                           : "DomainResponses");
}


void
exch_soap_end(exch_buf_t *b, const exch_soap_request_t *req)
{
    if (req->op == EXCH_SOAP_GET_USER_SETTINGS) {
        exch_buf_str(b, "</UserResponses></Response>"
                        "</GetUserSettingsResponseMessage>");

    } else {
        exch_buf_str(b, "</DomainResponses></Response>"
                        "</GetDomainSettingsResponseMessage>");
    }

    exch_buf_str(b, "</s:Body></s:Envelope>");
}


static const char *
exch_adisc_field(const exch_adisc_user_t *u, const char *field, char *tmp,
    size_t size)
{
    if (strcmp(field, "display_name") == 0) {
        return u->display_name;
    }

    if (strcmp(field, "legacy_dn") == 0) {
        return u->legacy_dn;
    }

    if (strcmp(field, "deployment_id") == 0) {
        return u->deployment_id;
    }

    if (strcmp(field, "mailbox_id") == 0) {
        return u->mailbox_id;
    }

    if (strcmp(field, "host") == 0) {
        return u->host;
    }

    if (strcmp(field, "smtp") == 0) {
        return u->smtp;
    }

    if (strcmp(field, "server_dn") == 0 || strcmp(field, "mdb_dn") == 0) {
        snprintf(tmp, size,
                 "%s/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)"
                 "/cn=Configuration/cn=Servers/cn=%s%s", u->org,
                 u->mailbox_id,
                 field[0] == 'm' ? "/cn=Microsoft Private MDB" : "");
        return tmp;
    }

    if (strcmp(field, "ssl") == 0) {
        return u->ssl ? "True" : "False";
    }

    if (strcmp(field, "auth") == 0) {
        return "Basic";
    }

    if (strcmp(field, "cas_version") == 0) {
        snprintf(tmp, size, "%d.%02d.%04d.%03d", EXCH_VERSION_MAJOR,
                 EXCH_VERSION_MINOR, EXCH_VERSION_BUILD,
                 EXCH_VERSION_REVISION);
        return tmp;
    }

    if (strcmp(field, "schemas") == 0) {
        return EXCH_SCHEMAS;
    }

    if (strcmp(field, "cert_principal") == 0) {
        snprintf(tmp, size, "msstd:%s", u->host);
        return tmp;
    }

    if (strcmp(field, "true") == 0) {
        return "True";
    }

    return "False";
}


static void
exch_soap_settings(exch_buf_t *b, const exch_soap_request_t *req,
    const exch_adisc_user_t *u, int domain)
{
    char                   tmp[1024];
    uint32_t               i;
    const char            *value, *prefix;
    const exch_setting_t  *s;

    prefix = domain ? "Domain" : "User";

    /* first the errors, then the values, as the schema orders them */

    exch_buf_printf(b, "<%sSettingErrors>", prefix);

    for (i = 0; i < req->nsettings; i++) {
        for (s = exch_settings; s->name; s++) {
            if (strcmp(s->name, req->settings[i]) == 0) {
                break;
            }
        }

        if (s->name && s->kind != EXCH_SET_NONE) {
            continue;
        }

        exch_buf_printf(b, "<%sSettingError><ErrorCode>%s</ErrorCode>"
                           "<ErrorMessage>", prefix,
                        s->name ? "SettingIsNotAvailable" : "InvalidSetting");
        exch_buf_str(b, s->name ? "The requested setting is not available "
                                  "for this user."
                                : "The requested setting is not valid.");
        exch_buf_str(b, "</ErrorMessage><SettingName>");
        exch_buf_cstr_text(b, req->settings[i]);
        exch_buf_printf(b, "</SettingName></%sSettingError>", prefix);
    }

    exch_buf_printf(b, "</%sSettingErrors><%sSettings>", prefix, prefix);

    for (i = 0; i < req->nsettings; i++) {
        for (s = exch_settings; s->name; s++) {
            if (strcmp(s->name, req->settings[i]) == 0) {
                break;
            }
        }

        if (s->name == NULL || s->kind == EXCH_SET_NONE) {
            continue;
        }

        exch_buf_printf(b, "<%sSetting i:type=\"%sStringSetting\">"
                           "<Name>%s</Name><Value>", prefix,
                        domain ? "Domain" : "", s->name);

        if (s->kind == EXCH_SET_URL) {
            exch_buf_cstr_text(b, u->base);
            exch_buf_str(b, s->arg);

            if (strstr(s->arg, "MailboxId=")) {
                exch_buf_cstr_text(b, u->mailbox_id);
            }

        } else {
            value = exch_adisc_field(u, s->arg, tmp, sizeof(tmp));
            exch_buf_cstr_text(b, value);
        }

        exch_buf_printf(b, "</Value></%sSetting>", prefix);
    }

    exch_buf_printf(b, "</%sSettings>", prefix);
}


void
exch_soap_user(exch_buf_t *b, const exch_soap_request_t *req,
    const char *asked, const exch_adisc_user_t *u)
{
    exch_buf_str(b, "<UserResponse>");

    if (u == NULL) {
        exch_buf_str(b, "<ErrorCode>InvalidUser</ErrorCode>"
                        "<ErrorMessage>Invalid user: '");
        exch_buf_cstr_text(b, asked);
        exch_buf_str(b, "'</ErrorMessage><RedirectTarget i:nil=\"true\" />"
                        "<UserSettingErrors /><UserSettings />"
                        "</UserResponse>");
        return;
    }

    exch_buf_str(b, "<ErrorCode>NoError</ErrorCode>"
                    "<ErrorMessage>No error.</ErrorMessage>"
                    "<RedirectTarget i:nil=\"true\" />");
    exch_soap_settings(b, req, u, 0);
    exch_buf_str(b, "</UserResponse>");
}


void
exch_soap_domain(exch_buf_t *b, const exch_soap_request_t *req,
    const char *asked, const exch_adisc_user_t *u)
{
    exch_buf_str(b, "<DomainResponse>");

    if (u == NULL) {
        exch_buf_str(b, "<ErrorCode>InvalidDomain</ErrorCode>"
                        "<ErrorMessage>Invalid domain: '");
        exch_buf_cstr_text(b, asked);
        exch_buf_str(b, "'</ErrorMessage><DomainSettingErrors />"
                        "<DomainSettings /></DomainResponse>");
        return;
    }

    exch_buf_str(b, "<ErrorCode>NoError</ErrorCode>"
                    "<ErrorMessage>No error.</ErrorMessage>");
    exch_soap_settings(b, req, u, 1);
    exch_buf_str(b, "<RedirectTarget i:nil=\"true\" /></DomainResponse>");
}


void
exch_soap_fault(exch_buf_t *b, const char *code, const char *text)
{
    exch_soap_header(b, EXCH_WSA_NS "/fault", "");
    exch_buf_str(b, "</s:Header><s:Body><s:Fault>"
                    "<faultcode xmlns:a=\"" EXCH_WSA_NS "\">");
    exch_buf_cstr_text(b, code);
    exch_buf_str(b, "</faultcode><faultstring xml:lang=\"en-US\">");
    exch_buf_cstr_text(b, text);
    exch_buf_str(b, "</faultstring></s:Fault></s:Body></s:Envelope>");
}


/* JSON v2 */

int
exch_json_response(exch_buf_t *b, const char *protocol, size_t len,
    const char *base)
{
    static const struct {
        const char  *name;
        const char  *path;
    } protocols[] = {
        { "Ews", EXCH_EWS_PATH },
        { "AutodiscoverV1", "/autodiscover/autodiscover.xml" },
        { "ActiveSync", "/Microsoft-Server-ActiveSync" },
        { NULL, NULL }
    };

    unsigned  i;

    for (i = 0; protocols[i].name; i++) {
        if (strlen(protocols[i].name) == len
            && strncasecmp(protocols[i].name, protocol, len) == 0)
        {
            exch_buf_printf(b, "{\"Protocol\":\"%s\",\"Url\":\"%s%s\"}",
                            protocols[i].name, base, protocols[i].path);
            return 0;
        }
    }

    exch_buf_str(b, "{\"ErrorCode\":\"InvalidProtocol\",\"ErrorMessage\":"
                    "\"The given protocol value '");

    for (i = 0; i < len && i < 64; i++) {
        if (protocol[i] >= 0x20 && protocol[i] < 0x7f && protocol[i] != '"'
            && protocol[i] != '\\')
        {
            exch_buf_add(b, &protocol[i], 1);
        }
    }

    exch_buf_str(b, "' is invalid. Supported values are "
                    "'Rest, ActiveSync, Ews, AutodiscoverV1'.\"}");

    return -1;
}


/* Mozilla autoconfig, https://wiki.mozilla.org/Thunderbird:Autoconfiguration */

void
exch_autoconfig(exch_buf_t *b, const char *domain, const char *name,
    const exch_autoconfig_server_t *servers, unsigned nservers,
    const exch_adisc_user_t *u)
{
    unsigned  i;

    exch_buf_str(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<clientConfig version=\"1.1\">\n"
                    "  <emailProvider id=\"");
    exch_buf_cstr_text(b, domain);
    exch_buf_str(b, "\">\n    <domain>");
    exch_buf_cstr_text(b, domain);
    exch_buf_str(b, "</domain>\n    <displayName>");
    exch_buf_cstr_text(b, name ? name : domain);
    exch_buf_str(b, "</displayName>\n");

    for (i = 0; i < nservers; i++) {
        exch_buf_printf(b, "    <%s type=\"%s\">\n      <hostname>",
                        strcmp(servers[i].type, "smtp") == 0
                        ? "outgoingServer" : "incomingServer",
                        servers[i].type);
        exch_buf_cstr_text(b, servers[i].host);
        exch_buf_printf(b, "</hostname>\n      <port>%u</port>\n"
                           "      <socketType>%s</socketType>\n"
                           "      <username>%%EMAILADDRESS%%</username>\n"
                           "      <authentication>password-cleartext"
                           "</authentication>\n    </%s>\n",
                        servers[i].port, servers[i].socket,
                        strcmp(servers[i].type, "smtp") == 0
                        ? "outgoingServer" : "incomingServer");
    }

    exch_buf_str(b, "    <incomingServer type=\"exchange\">\n"
                    "      <hostname>");
    exch_buf_cstr_text(b, u->host);
    exch_buf_printf(b, "</hostname>\n      <port>%u</port>\n"
                       "      <username>%%EMAILADDRESS%%</username>\n"
                       "      <socketType>%s</socketType>\n"
                       "      <authentication>password-cleartext"
                       "</authentication>\n      <ewsURL>",
                    u->port, u->ssl ? "SSL" : "plain");
    exch_buf_cstr_text(b, u->base);
    exch_buf_str(b, EXCH_EWS_PATH "</ewsURL>\n    </incomingServer>\n");

    exch_buf_str(b, "  </emailProvider>\n</clientConfig>\n");
}
