"""Autodiscover in every form: POX (MS-OXDSCLI) and SOAP (MS-OXWSADISC)
with exchangelib's own discovery, JSON v2, Mozilla autoconfig, and the
mail proxy's auth_http endpoint."""

import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest
import requests

from conftest import USERS, exchctl

ALICE = "alice@example.test"
ALICE_PW = USERS[ALICE][1]
BOB = "bob@example.test"

NS_BASE = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"
NS_A = ("http://schemas.microsoft.com/exchange/autodiscover/outlook/"
        "responseschema/2006a")
NS_MS = ("http://schemas.microsoft.com/exchange/autodiscover/mobilesync/"
         "responseschema/2006")
NS_SOAP = "http://schemas.microsoft.com/exchange/2010/Autodiscover"


def curl(url, *args):
    """(status, headers, body) of a curl request."""
    r = subprocess.run(["curl", "-sk", "-D", "-", "-o", "-", url] + list(args),
                       capture_output=True, check=True)
    head, _, body = r.stdout.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(l.split(": ", 1) for l in lines[1:] if ": " in l)
    return int(lines[0].split()[1]), headers, body


def pox_body(email, schema=NS_A):
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/'
            'autodiscover/outlook/requestschema/2006"><Request>'
            '<EMailAddress>%s</EMailAddress>'
            '<AcceptableResponseSchema>%s</AcceptableResponseSchema>'
            '</Request></Autodiscover>' % (email, schema))


def pox(n, email, auth=(ALICE, ALICE_PW), headers=None, body=None,
        ssl=False):
    return requests.post(n.url("/autodiscover/autodiscover.xml", ssl=ssl),
                         data=body if body is not None else pox_body(email),
                         auth=auth, headers=headers or {}, verify=False)


def pox_error(r):
    root = ET.fromstring(r.content)
    err = root.find("{%s}Response/{%s}Error" % (NS_BASE, NS_BASE))
    return err.find("{%s}ErrorCode" % NS_BASE).text, \
        err.find("{%s}Message" % NS_BASE).text


def protocols(r):
    root = ET.fromstring(r.content)
    acc = root.find("{%s}Response/{%s}Account" % (NS_A, NS_A))
    out = {}
    for p in acc.findall("{%s}Protocol" % NS_A):
        t = p.get("Type") or p.find("{%s}Type" % NS_A).text
        out[t] = {c.tag.split("}")[1]: c for c in p}
    return root, out


def test_pox_answers_the_outlook_schema(nginx):
    r = pox(nginx, ALICE)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/xml")
    root, p = protocols(r)
    user = root.find("{%s}Response/{%s}User" % (NS_A, NS_A))
    assert user.find("{%s}DisplayName" % NS_A).text == "Alice Anders"
    assert user.find("{%s}AutoDiscoverSMTPAddress" % NS_A).text == ALICE
    dn = user.find("{%s}LegacyDN" % NS_A).text
    assert "/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)" \
           "/cn=Recipients/cn=" in dn
    assert re.fullmatch(r"[0-9a-f-]{36}",
                        user.find("{%s}DeploymentId" % NS_A).text)
    assert set(p) == {"EXCH", "EXPR", "EXHTTP"}
    ews = nginx.url("/EWS/Exchange.asmx")
    for t in ("EXCH", "EXPR", "EXHTTP"):
        assert p[t]["EwsUrl"].text == ews
        assert p[t]["ASUrl"].text == ews
    server = p["EXCH"]["Server"].text
    assert re.fullmatch(r"[0-9a-f-]{36}@example\.test", server)
    assert p["EXCH"]["ServerDN"].text.endswith("/cn=Servers/cn=" + server)
    assert p["EXCH"]["MdbDN"].text.endswith("/cn=Microsoft Private MDB")
    assert p["EXPR"]["AuthPackage"].text == "Basic"
    assert p["EXPR"]["SSL"].text == "Off"
    assert p["EXPR"]["Server"].text == "127.0.0.1"


def test_pox_over_https_says_ssl_on(nginx):
    r = pox(nginx, ALICE, ssl=True)
    _, p = protocols(r)
    assert p["EXPR"]["SSL"].text == "On"
    assert p["EXPR"]["EwsUrl"].text == nginx.url("/EWS/Exchange.asmx",
                                                 ssl=True)


def test_pox_mapihttp_block_when_the_client_can(nginx):
    r = pox(nginx, ALICE, headers={"X-MapiHttpCapability": "1"})
    root, p = protocols(r)
    m = p["mapiHttp"]
    server = p["EXCH"]["Server"].text
    store = m["MailStore"].find("{%s}InternalUrl" % NS_A).text
    book = m["AddressBook"].find("{%s}ExternalUrl" % NS_A).text
    assert store == nginx.url("/mapi/emsmdb/?MailboxId=" + server)
    assert book == nginx.url("/mapi/nspi/?MailboxId=" + server)
    assert "mapiHttp" not in protocols(pox(nginx, ALICE))[1]


def test_pox_by_alias_answers_the_primary_address(nginx):
    exchctl(nginx.store, "alias", "add", "anders@example.test", ALICE)
    root, _ = protocols(pox(nginx, "Anders@Example.test"))
    assert root.find("{%s}Response/{%s}User/{%s}AutoDiscoverSMTPAddress"
                     % (NS_A, NS_A, NS_A)).text == ALICE


def test_pox_protocols_are_configurable(make_nginx):
    n = make_nginx(http="exch_autodiscover_protocols exch mapihttp;")
    _, p = protocols(pox(n, ALICE, headers={"X-MapiHttpCapability": "1"}))
    assert set(p) == {"EXCH", "mapiHttp"}


def test_pox_host_from_configuration(make_nginx):
    n = make_nginx(http="exch_autodiscover_host mail.example.test;")
    _, p = protocols(pox(n, ALICE))
    assert p["EXPR"]["EwsUrl"].text == \
        "http://mail.example.test/EWS/Exchange.asmx"


def test_pox_another_users_address_is_not_found(nginx):
    r = pox(nginx, BOB)
    assert r.status_code == 200
    assert pox_error(r) == ("500", "The email address can't be found.")


def test_pox_unknown_address_is_not_found(nginx):
    assert pox_error(pox(nginx, "nobody@example.test"))[0] == "500"


def test_pox_mobilesync_schema_is_refused_in_its_own_namespace(nginx):
    r = requests.post(nginx.url("/autodiscover/autodiscover.xml"),
                      data=pox_body(ALICE, NS_MS), auth=(ALICE, ALICE_PW))
    assert r.status_code == 200
    root = ET.fromstring(r.content)
    code = root.find("{%s}Response/{%s}Error/{%s}ErrorCode"
                     % (NS_MS, NS_MS, NS_MS))
    assert code is not None and code.text == "601"


@pytest.mark.parametrize("body", [
    b"not xml at all",
    b"<Autodiscover><Request></Request></Autodiscover>",
    b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY x SYSTEM "
    b"'file:///etc/passwd'>]><Autodiscover><Request><EMailAddress>&x;"
    b"</EMailAddress></Request></Autodiscover>",
    b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'aaaaaaaaaa'>"
    b"<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>"
    b"<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>"
    b"<!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>]>"
    b"<Autodiscover><Request><EMailAddress>&d;</EMailAddress>"
    b"</Request></Autodiscover>",
    b"\xff\xfe<\x00a\x00",
])
def test_pox_bad_requests_get_error_600(nginx, body):
    r = pox(nginx, None, body=body)
    assert r.status_code == 200
    assert pox_error(r) == ("600", "Invalid Request")
    assert b"root:" not in r.content


def test_bad_input_logs_nothing_above_info(nginx):
    pox(nginx, None, body=b"<<<")
    requests.post(nginx.url("/autodiscover/autodiscover.xml"), data=b"x")
    requests.get(nginx.url("/autodiscover/autodiscover.xml"),
                 auth=(ALICE, ALICE_PW))
    requests.post(nginx.url("/autodiscover/autodiscover.xml"),
                  data=b"x" * 200000, auth=(ALICE, ALICE_PW))
    nginx.stop()
    for line in open(os.path.join(nginx.prefix, "error.log")):
        assert not re.search(r"\[(warn|error|crit|alert|emerg)\]", line), line


def test_pox_oversized_body_is_413(nginx):
    r = pox(nginx, None, body=b"<a>" + b"x" * 100000 + b"</a>")
    assert r.status_code == 413


def test_pox_wrong_method_is_405(nginx):
    r = requests.get(nginx.url("/autodiscover/autodiscover.xml"),
                     auth=(ALICE, ALICE_PW))
    assert r.status_code == 405


def test_pox_needs_credentials(nginx):
    r = pox(nginx, ALICE, auth=None)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Basic realm=")


def soap_body(op, items, settings):
    if op == "GetUserSettings":
        inner = "<a:Users>%s</a:Users>" % "".join(
            "<a:User><a:Mailbox>%s</a:Mailbox></a:User>" % u for u in items)
    else:
        inner = "<a:Domains>%s</a:Domains>" % "".join(
            "<a:Domain>%s</a:Domain>" % d for d in items)
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<s:Envelope xmlns:a="%s" '
            'xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:wsa="http://www.w3.org/2005/08/addressing"><s:Header>'
            '<a:RequestedServerVersion>Exchange2013</a:RequestedServerVersion>'
            '<wsa:Action>%s/Autodiscover/%s</wsa:Action></s:Header><s:Body>'
            '<a:%sRequestMessage><a:Request>%s<a:RequestedSettings>%s'
            '</a:RequestedSettings></a:Request></a:%sRequestMessage>'
            '</s:Body></s:Envelope>'
            % (NS_SOAP, NS_SOAP, op, op, inner,
               "".join("<a:Setting>%s</a:Setting>" % s for s in settings),
               op))


def soap(n, body):
    return requests.post(n.url("/autodiscover/autodiscover.svc"), data=body,
                         auth=(ALICE, ALICE_PW),
                         headers={"Content-Type": "text/xml"})


def test_soap_get_user_settings_per_user_and_per_setting(nginx):
    r = soap(nginx, soap_body(
        "GetUserSettings", [ALICE, "nobody@example.test"],
        ["UserDisplayName", "ExternalEwsUrl", "EwsSupportedSchemas",
         "MapiHttpEnabled", "CasVersion", "ExternalMailboxServerRequiresSSL",
         "NoSuchSetting", "InternalEcpUrl"]))
    assert r.status_code == 200
    root = ET.fromstring(r.content)
    ns = {"a": NS_SOAP}
    users = root.findall(".//a:UserResponse", ns)
    assert len(users) == 2
    assert users[0].find("a:ErrorCode", ns).text == "NoError"
    settings = {s.find("a:Name", ns).text: s.find("a:Value", ns).text
                for s in users[0].findall("a:UserSettings/a:UserSetting", ns)}
    assert settings["UserDisplayName"] == "Alice Anders"
    assert settings["ExternalEwsUrl"] == nginx.url("/EWS/Exchange.asmx")
    assert "Exchange2016" in settings["EwsSupportedSchemas"]
    assert settings["MapiHttpEnabled"] == "True"
    assert settings["CasVersion"].startswith("15.01.")
    errors = {e.find("a:SettingName", ns).text: e.find("a:ErrorCode", ns).text
              for e in users[0].findall(
                  "a:UserSettingErrors/a:UserSettingError", ns)}
    assert errors == {"NoSuchSetting": "InvalidSetting",
                      "InternalEcpUrl": "SettingIsNotAvailable"}
    assert users[1].find("a:ErrorCode", ns).text == "InvalidUser"
    action = root.find(".//{http://www.w3.org/2005/08/addressing}Action")
    assert action.text.endswith("/Autodiscover/GetUserSettingsResponse")
    assert root.find(".//{%s}ServerVersionInfo" % NS_SOAP) is not None


def test_soap_get_domain_settings(nginx):
    r = soap(nginx, soap_body("GetDomainSettings",
                              ["example.test", "elsewhere.test"],
                              ["ExternalEwsUrl"]))
    root = ET.fromstring(r.content)
    ns = {"a": NS_SOAP}
    doms = root.findall(".//a:DomainResponse", ns)
    assert [d.find("a:ErrorCode", ns).text for d in doms] == \
        ["NoError", "InvalidDomain"]
    assert doms[0].find(".//a:Value", ns).text == \
        nginx.url("/EWS/Exchange.asmx")


def test_soap_unknown_operation_is_a_fault(nginx):
    body = soap_body("GetUserSettings", [ALICE], ["UserDN"]).replace(
        "GetUserSettingsRequestMessage", "GetFederationInformationRequestMessage")
    r = soap(nginx, body)
    assert r.status_code == 500
    assert b"ActionNotSupported" in r.content
    assert soap(nginx, b"garbage").status_code == 400


def exchangelib_account(n, kind):
    from exchangelib import Account, Configuration, Credentials
    from exchangelib.autodiscover import AutodiscoverProtocol
    from exchangelib.autodiscover.cache import autodiscover_cache
    from exchangelib.transport import BASIC
    creds = Credentials(ALICE, ALICE_PW)
    path = ("/autodiscover/autodiscover.xml" if kind == "pox"
            else "/autodiscover/autodiscover.svc")
    key = ("example.test", creds)
    autodiscover_cache[key] = AutodiscoverProtocol(config=Configuration(
        service_endpoint=n.url(path), credentials=creds, auth_type=BASIC))
    try:
        return Account(ALICE, credentials=creds, autodiscover=kind)
    finally:
        with autodiscover_cache:
            if key in autodiscover_cache:
                del autodiscover_cache[key]


@pytest.mark.parametrize("kind", ["pox", "soap"])
def test_exchangelib_discovers_our_ews_url(nginx, kind):
    account = exchangelib_account(nginx, kind)
    assert account.protocol.service_endpoint == \
        nginx.url("/EWS/Exchange.asmx")
    assert account.primary_smtp_address == ALICE
    assert account.version.api_version == "Exchange2016"


@pytest.mark.parametrize("protocol,path", [
    ("EWS", "/EWS/Exchange.asmx"),
    ("ews", "/EWS/Exchange.asmx"),
    ("AutodiscoverV1", "/autodiscover/autodiscover.xml"),
    ("ActiveSync", "/Microsoft-Server-ActiveSync")])
def test_json_v2(nginx, protocol, path):
    status, headers, body = curl(nginx.url(
        "/autodiscover/autodiscover.json/v1.0/%s?Protocol=%s"
        % (ALICE, protocol)), "-u", "%s:%s" % (ALICE, ALICE_PW))
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body)["Url"] == nginx.url(path)


def test_json_v2_unknown_protocol(nginx):
    r = requests.get(nginx.url(
        "/autodiscover/autodiscover.json/v1.0/%s?Protocol=Pigeon" % ALICE),
        auth=(ALICE, ALICE_PW))
    assert r.status_code == 400
    assert r.json()["ErrorCode"] == "InvalidProtocol"
    assert "Pigeon" in r.json()["ErrorMessage"]


AUTOCONFIG = """
    exch_autoconfig_name "Example Mail";
    exch_autoconfig_server imap mail.example.test:993 SSL;
    exch_autoconfig_server pop3 mail.example.test:995 SSL;
    exch_autoconfig_server smtp mail.example.test:587 STARTTLS;
"""


@pytest.mark.parametrize("path", [
    "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=%s",
    "/mail/config-v1.1.xml?emailaddress=%s"])
def test_mozilla_autoconfig(make_nginx, path):
    n = make_nginx(http=AUTOCONFIG)
    status, _, body = curl(n.url(path % "alice%40example.test", ssl=True))
    assert status == 200
    root = ET.fromstring(body)
    prov = root.find("emailProvider")
    assert prov.get("id") == "example.test"
    assert prov.find("displayName").text == "Example Mail"
    imap = prov.find("incomingServer[@type='imap']")
    assert imap.find("hostname").text == "mail.example.test"
    assert imap.find("port").text == "993"
    assert imap.find("socketType").text == "SSL"
    assert imap.find("username").text == "%EMAILADDRESS%"
    smtp = prov.find("outgoingServer[@type='smtp']")
    assert smtp.find("socketType").text == "STARTTLS"
    ews = prov.find("incomingServer[@type='exchange']")
    assert ews.find("ewsURL").text == n.url("/EWS/Exchange.asmx", ssl=True)
    assert ews.find("socketType").text == "SSL"
    assert ews.find("port").text == str(n.ssl_port)


def test_mozilla_autoconfig_unknown_domain_is_404(nginx):
    r = requests.get(nginx.url(
        "/mail/config-v1.1.xml?emailaddress=x%40elsewhere.test"))
    assert r.status_code == 404


MAIL_AUTH = """
        location = /mail-auth {
            exch_mail_auth;
            exch_mail_backend imap 127.0.0.1:1143;
            exch_mail_backend pop3 127.0.0.1:1110;
        }"""


class MailAuthReply:
    def __init__(self, status, headers):
        self.status_code = status
        self.headers = headers


def mail_auth(n, user, password, protocol="imap", method="plain"):
    """What nginx's mail proxy sends to auth_http, sent with curl."""
    status, headers, _ = curl(
        n.url("/mail-auth"), "-H", "Auth-Method: " + method,
        "-H", "Auth-User: " + user, "-H", "Auth-Pass: " + password,
        "-H", "Auth-Protocol: " + protocol, "-H", "Auth-Login-Attempt: 1",
        "-H", "Client-IP: 192.0.2.7")
    return MailAuthReply(status, headers)


def test_mail_auth_good_credentials(make_nginx):
    n = make_nginx(server=MAIL_AUTH)
    r = mail_auth(n, "alice", ALICE_PW)
    assert r.status_code == 200
    assert r.headers["Auth-Status"] == "OK"
    assert r.headers["Auth-Server"] == "127.0.0.1"
    assert r.headers["Auth-Port"] == "1143"
    assert r.headers["Auth-User"] == ALICE
    r = mail_auth(n, ALICE, ALICE_PW, protocol="pop3")
    assert r.headers["Auth-Port"] == "1110"


def test_mail_auth_bad_credentials(make_nginx):
    n = make_nginx(server=MAIL_AUTH)
    r = mail_auth(n, ALICE, "wrong")
    assert r.headers["Auth-Status"] == "Invalid login or password"
    assert int(r.headers["Auth-Wait"]) >= 1
    r = mail_auth(n, ALICE, "wrong", protocol="smtp")
    assert r.headers["Auth-Error-Code"] == "535 5.7.8"


def test_mail_auth_escaped_password_and_cram_md5(make_nginx):
    n = make_nginx(server=MAIL_AUTH)
    exchctl(n.store, "user", "passwd", ALICE, "--password", "p% w")
    assert mail_auth(n, ALICE, "p%25%20w").headers["Auth-Status"] == "OK"
    r = mail_auth(n, ALICE, "p%25%20w", method="cram-md5")
    assert r.headers["Auth-Status"] == "Invalid login or password"


def test_mail_auth_protocol_without_backend(make_nginx):
    n = make_nginx(server=MAIL_AUTH)
    r = mail_auth(n, ALICE, ALICE_PW, protocol="smtp")
    assert r.headers["Auth-Status"].startswith("Temporary")
    assert r.headers["Auth-Error-Code"] == "451 4.3.0"
