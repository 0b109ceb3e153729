"""EWS, the endpoint: the SOAP envelope, RequestServerVersion and
ServerVersionInfo, routing on soap:Body, Exchange's errors and faults,
ids, the DavMail start-up sequence and exchangelib's version probe."""

import base64
import xml.etree.ElementTree as ET

import pytest
import requests

from conftest import USERS
from ewslib import (ALICE, BOB, NS, account, envelope, fault, messages,
                    post, server_version, soap)

GET_ROOT = ('<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape>'
            '</m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="root"/>'
            '</m:FolderIds></m:GetFolder>')


def get_folder_id(nginx, dist="root", user=ALICE):
    root = soap(nginx, GET_ROOT.replace('"root"', '"%s"' % dist), user=user)
    return root.find(".//t:FolderId", NS).get("Id")


def test_unauthenticated_post_gets_the_basic_challenge(nginx):
    r = post(nginx, envelope(GET_ROOT), user=None)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Basic ")


@pytest.mark.parametrize("path", ["/EWS/Exchange.asmx", "/ews/exchange.asmx",
                                  "/EWS/EXCHANGE.ASMX", "/Ews/Exchange.Asmx"])
def test_path_is_case_insensitive(nginx, path):
    r = post(nginx, envelope(GET_ROOT), path=path)
    assert r.status_code == 200
    root = ET.fromstring(r.content)
    assert messages(root)[0][:2] == ("Success", "NoError")


def test_davmail_start_up(nginx):
    """DavMail: GetFolder root without RequestServerVersion, then ConvertId
    of that id with a made-up mailbox to learn the primary address."""
    r = post(nginx, envelope(GET_ROOT, version=None))
    assert r.status_code == 200
    # DavMail parses the body only with this exact Content-Type
    assert r.headers["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(r.content)
    info = server_version(root)
    assert info.get("MajorVersion") == "15"
    fid = root.find(".//m:Folders/t:Folder/t:FolderId", NS).get("Id")
    body = ('<m:ConvertId DestinationFormat="EwsId"><m:SourceIds>'
            '<t:AlternateId  Format="EwsId" Id="%s" Mailbox="blah@blah.com"/>'
            '</m:SourceIds></m:ConvertId>' % fid)
    root = soap(nginx, body, version="Exchange2010")
    alt = root.find(".//m:AlternateId", NS)
    assert alt.get("Mailbox") == ALICE
    assert alt.get("Id") == fid


def test_every_answer_carries_server_version_info(nginx):
    for body, status in [(envelope(GET_ROOT), 200), ("not xml", 500),
                         (envelope("<m:NoSuchOp/>"), 500),
                         (envelope("<m:GetDelegate/>"), 200)]:
        r = post(nginx, body)
        assert r.status_code == status
        info = server_version(ET.fromstring(r.content))
        assert (info.get("MajorVersion"), info.get("MinorVersion"),
                info.get("MajorBuildNumber"),
                info.get("MinorBuildNumber")) == ("15", "1", "2507", "6")
        assert info.get("Version") == "V2017_07_11"


def test_exchangelib_probes_the_version(nginx):
    a = account(nginx)
    assert (a.version.build.major_version, a.version.build.minor_version,
            a.version.build.major_build,
            a.version.build.minor_build) == (15, 1, 2507, 6)
    assert a.version.api_version == "Exchange2016"
    assert a.inbox.name == "Inbox"
    # it asked for Exchange2019 first and was told that is not a version
    assert "unknown server version \"Exchange2019\"" in nginx.logs()


@pytest.mark.parametrize("version", [
    "Exchange2007", "Exchange2007_SP1", "Exchange2010", "Exchange2010_SP1",
    "Exchange2010_SP2", "Exchange2013", "Exchange2013_SP1", "Exchange2016",
    "V2015_10_05", "V2016_01_06", "V2017_07_11"])
def test_every_known_version_is_served(nginx, version):
    root = soap(nginx, GET_ROOT, version=version)
    assert messages(root)[0][:2] == ("Success", "NoError")


def test_exchange2007_gets_legacy_ids(nginx):
    legacy = soap(nginx, GET_ROOT, version="Exchange2007")
    fid = legacy.find(".//t:FolderId", NS).get("Id")
    raw = base64.b64decode(fid)
    assert raw[1] == 0 and ALICE.encode() in raw
    # and they are taken back
    body = GET_ROOT.replace('<t:DistinguishedFolderId Id="root"/>',
                            '<t:FolderId Id="%s"/>' % fid)
    assert messages(soap(nginx, body))[0][1] == "NoError"


@pytest.mark.parametrize("version", ["Exchange2019", "V2018_01_08", "exchange2016",
                                     "Exchange2016 "])
def test_unknown_version_is_a_fault(nginx, version):
    r = post(nginx, envelope(GET_ROOT, version=version))
    assert r.status_code == 500
    assert fault(ET.fromstring(r.content)) == (
        "a:ErrorInvalidServerVersion", "ErrorInvalidServerVersion")


@pytest.mark.parametrize("body", [
    "", "not xml at all", "<a><b></a>", '<?xml version="1.0"?>',
    '<!DOCTYPE x [<!ENTITY e "x">]><x>&e;</x>',
    '<Envelope xmlns="urn:other"><Body><GetFolder/></Body></Envelope>',
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">'
    '<s:Body/></s:Envelope>',
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
    '<s:Header/></s:Envelope>',
    envelope(""),
    envelope(GET_ROOT.replace("m:GetFolder", "t:GetFolder")),
    envelope('<GetFolder xmlns="urn:wrong"/>')])
def test_malformed_soap_is_schema_validation_fault(nginx, body):
    r = post(nginx, body)
    assert r.status_code == 500
    code, rc = fault(ET.fromstring(r.content))
    assert (code, rc) == ("a:ErrorSchemaValidation", "ErrorSchemaValidation")


def test_wrong_namespace_of_request_server_version_is_a_fault(nginx):
    body = envelope(GET_ROOT, version=None,
                    header='<RequestServerVersion xmlns="urn:x" '
                           'Version="Exchange2016"/>')
    r = post(nginx, body)
    assert r.status_code == 500
    assert fault(ET.fromstring(r.content))[1] == "ErrorSchemaValidation"


def test_unknown_operation_is_invalid_request_fault(nginx):
    r = post(nginx, envelope("<m:FrobnicateItems/>"))
    assert r.status_code == 500
    assert fault(ET.fromstring(r.content)) == ("a:ErrorInvalidRequest",
                                               "ErrorInvalidRequest")


@pytest.mark.parametrize("op,single", [
    ("GetDelegate", True), ("GetInboxRules", True),
    ("GetRoomLists", True), ("FindConversation", True),
    ("GetUserAvailabilityRequest", True), ("ExportItems", False),
    ("UploadItems", False), ("GetPasswordExpirationDate", True)])
def test_unsupported_operation_gets_the_error_not_http_500(nginx, op, single):
    root = soap(nginx, "<m:%s/>" % op)
    name = op[:-len("Request")] if op.endswith("Request") else op
    resp = root.find("s:Body/m:%sResponse" % name, NS)
    assert resp is not None, ET.tostring(root)
    cls, code, elem = messages(root)[0]
    assert (cls, code) == ("Error", "ErrorInvalidRequest")
    assert "not supported" in elem.find("m:MessageText", NS).text
    if not single:
        assert resp.find("m:ResponseMessages", NS) is not None


def test_impersonation_is_refused(nginx):
    header = ('<t:ExchangeImpersonation><t:ConnectingSID>'
              '<t:PrimarySmtpAddress>%s</t:PrimarySmtpAddress>'
              '</t:ConnectingSID></t:ExchangeImpersonation>' % BOB)
    r = post(nginx, envelope(GET_ROOT, header=header))
    assert r.status_code == 500
    assert fault(ET.fromstring(r.content))[1] == "ErrorImpersonateUserDenied"


def test_oversized_request_is_refused(make_nginx):
    n = make_nginx(server="exch_ews_max_body 4k;")
    big = envelope(GET_ROOT.replace("</m:GetFolder>",
                                    "<!--%s--></m:GetFolder>" % ("x" * 8000)))
    r = post(n, big)
    assert r.status_code == 413
    # a small one still passes
    assert post(n, envelope(GET_ROOT)).status_code == 200


def test_oversized_chunked_request_is_refused(make_nginx):
    n = make_nginx(server="exch_ews_max_body 4k;")

    def chunks():
        yield envelope(GET_ROOT)[:100].encode()
        yield b" " * 9000
    r = requests.post(n.url("/EWS/Exchange.asmx"), data=chunks(),
                      auth=(ALICE, USERS[ALICE][1]))
    assert r.status_code == 413


@pytest.mark.parametrize("fid,code", [
    ("", "ErrorInvalidIdEmpty"),
    ("not base64!", "ErrorInvalidIdMalformed"),
    ("AAAA", "ErrorInvalidIdMalformed"),
    (base64.b64encode(b"\x00\x03\x24\x00" + b"x" * 200).decode(),
     "ErrorInvalidIdMalformed")])
def test_ids_that_do_not_decode(nginx, fid, code):
    body = GET_ROOT.replace('<t:DistinguishedFolderId Id="root"/>',
                            '<t:FolderId Id="%s"/>' % fid)
    assert messages(soap(nginx, body))[0][:2] == ("Error", code)


def test_ids_of_another_users_mailbox_are_denied(nginx):
    bob_inbox = get_folder_id(nginx, "inbox", user=BOB)
    body = GET_ROOT.replace('<t:DistinguishedFolderId Id="root"/>',
                            '<t:FolderId Id="%s"/>' % bob_inbox)
    cls, code, elem = messages(soap(nginx, body, user=ALICE))[0]
    assert (cls, code) == ("Error", "ErrorAccessDenied")
    assert elem.find("m:MessageText", NS).text


def test_another_users_distinguished_folder_is_denied(nginx):
    body = GET_ROOT.replace(
        '<t:DistinguishedFolderId Id="root"/>',
        '<t:DistinguishedFolderId Id="inbox"><t:Mailbox><t:EmailAddress>%s'
        '</t:EmailAddress></t:Mailbox></t:DistinguishedFolderId>' % BOB)
    assert messages(soap(nginx, body))[0][:2] == ("Error", "ErrorAccessDenied")
    body = body.replace(BOB, "nobody@example.test")
    assert messages(soap(nginx, body))[0][:2] == \
        ("Error", "ErrorNonExistentMailbox")


def test_folder_id_given_as_item_id(nginx):
    fid = get_folder_id(nginx, "inbox")
    body = ('<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>'
            '</m:ItemShape><m:ItemIds><t:ItemId Id="%s"/></m:ItemIds>'
            '</m:GetItem>' % fid)
    assert messages(soap(nginx, body))[0][1] == \
        "ErrorCannotUseFolderIdForItemId"


DISTINGUISHED = {
    "calendar": "Calendar", "contacts": "Contacts",
    "deleteditems": "Deleted Items", "drafts": "Drafts", "inbox": "Inbox",
    "journal": "Journal", "notes": "Notes", "outbox": "Outbox",
    "sentitems": "Sent Items", "tasks": "Tasks",
    "msgfolderroot": "Top of Information Store", "root": "Root Container",
    "junkemail": "Junk E-mail", "searchfolders": "Finder",
    "syncissues": "Sync Issues", "conflicts": "Conflicts",
    "localfailures": "Local Failures", "serverfailures": "Server Failures",
    "conversationhistory": "Conversation History",
    "todosearch": "To-Do Search", "archive": "Archive",
    "recoverableitemsroot": "Recoverable Items",
}

NOT_HERE = ["publicfoldersroot", "voicemail", "recoverableitemsdeletions",
            "archiveroot", "archiveinbox", "recipientcache", "mycontacts",
            "directory", "peopleconnect", "favorites", "adminauditlogs"]


def test_every_distinguished_folder_answers(nginx):
    ids = "".join('<t:DistinguishedFolderId Id="%s"/>' % d
                  for d in list(DISTINGUISHED) + NOT_HERE)
    body = ('<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape>'
            '</m:FolderShape><m:FolderIds>%s</m:FolderIds></m:GetFolder>'
            % ids)
    msgs = messages(soap(nginx, body))
    assert len(msgs) == len(DISTINGUISHED) + len(NOT_HERE)
    for (cls, code, elem), name in zip(msgs, DISTINGUISHED.values()):
        assert code == "NoError"
        assert elem.find(".//t:DisplayName", NS).text == name
    for cls, code, elem in msgs[len(DISTINGUISHED):]:
        assert (cls, code) == ("Error", "ErrorFolderNotFound")


def test_unknown_distinguished_name_is_schema_fault(nginx):
    r = post(nginx, envelope(GET_ROOT.replace('"root"', '"nosuchfolder"')))
    assert r.status_code == 500
    assert fault(ET.fromstring(r.content))[1] == "ErrorSchemaValidation"


def test_error_messages_have_text_and_link_key(nginx):
    body = GET_ROOT.replace('<t:DistinguishedFolderId Id="root"/>',
                            '<t:FolderId Id="AAAA"/>')
    cls, code, elem = messages(soap(nginx, body))[0]
    assert elem.find("m:MessageText", NS).text == "Id is malformed."
    assert elem.find("m:DescriptiveLinkKey", NS).text == "0"
    # MessageText comes first, as Exchange writes it
    assert [c.tag.split("}")[1] for c in elem][:3] == \
        ["MessageText", "ResponseCode", "DescriptiveLinkKey"]


def test_large_request_is_served_in_a_thread(nginx):
    """A request over 64 KiB (and a body spooled to a file) is read and
    parsed in the thread pool, and answered the same."""
    pad = "<!--%s-->" % ("y" * 200000)
    r = post(nginx, envelope(GET_ROOT.replace("</m:GetFolder>",
                                              pad + "</m:GetFolder>")))
    assert r.status_code == 200
    assert messages(ET.fromstring(r.content))[0][1] == "NoError"
