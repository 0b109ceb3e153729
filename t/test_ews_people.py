"""EWS people, ids and settings with exchangelib: ResolveNames (directory
and Contacts), ExpandDL, ConvertId in every format, OOF settings, user
configuration, MailTips, time zones; and the operations exchangelib
exposes that this server answers with Exchange's error."""

import base64
import datetime

import pytest
from exchangelib import EWSDateTime, EWSTimeZone
from exchangelib.errors import (ErrorInvalidRequest,
                                ErrorNameResolutionNoResults)
from exchangelib.indexed_properties import EmailAddress
from exchangelib.items import Contact, Message
from exchangelib.properties import AlternateId
from exchangelib.settings import OofSettings

from conftest import exchctl
from ewslib import ALICE, BOB, CAROL, NS, account, messages, soap

UTC = EWSTimeZone("UTC")


def test_resolve_names_directory(nginx):
    a = account(nginx)
    got = a.protocol.resolve_names(["bob"])
    assert [m.email_address for m in got] == [BOB]
    got = a.protocol.resolve_names(["Carol"], return_full_contact_data=True)
    mbox, contact = got[0]
    assert mbox.email_address == CAROL
    assert contact.display_name
    # ambiguous: two people called Bob (a warning with both)
    exchctl(nginx.store, "user", "add", "bobby@example.test", "--name",
            "Bobby Tables", "--password", "bobby-Secret-4")
    got = a.protocol.resolve_names(["bob"])
    assert sorted(m.email_address for m in got) == [BOB,
                                                     "bobby@example.test"]
    [nothing] = a.protocol.resolve_names(["nobody-like-this"])
    assert isinstance(nothing, ErrorNameResolutionNoResults)
    body = ('<m:ResolveNames ReturnFullContactData="false"><m:UnresolvedEntry>'
            'nobody-like-this</m:UnresolvedEntry></m:ResolveNames>')
    assert messages(soap(nginx, body))[0][1] == \
        "ErrorNameResolutionNoResults"


def test_resolve_names_contacts(nginx):
    a = account(nginx)
    Contact(account=a, folder=a.contacts, given_name="Zora", surname="Zink",
            display_name="Zora Zink",
            email_addresses=[]).save()
    Contact(account=a, folder=a.contacts, given_name="Yuri",
            surname="Young", display_name="Yuri Young",
            email_addresses=[EmailAddress(email="yuri@ext.test",
                                          label="EmailAddress1")]).save()
    got = a.protocol.resolve_names(["Yuri"],
                                   search_scope="ActiveDirectoryContacts")
    assert [m.email_address for m in got] == ["yuri@ext.test"]
    assert got[0].mailbox_type == "Contact"
    [got] = a.protocol.resolve_names(["Yuri"],
                                     search_scope="ActiveDirectory")
    assert isinstance(got, ErrorNameResolutionNoResults)


def test_expand_dl(nginx):
    exchctl(nginx.store, "group", "add", "team@example.test", "--name",
            "Team")
    for member in (BOB, CAROL):
        exchctl(nginx.store, "group", "member", "add", "team@example.test",
                member)
    a = account(nginx)
    got = a.protocol.expand_dl("team@example.test")
    assert sorted(m.email_address for m in got) == [BOB, CAROL]
    got = a.protocol.resolve_names(["team"])
    assert got[0].email_address == "team@example.test"
    assert got[0].mailbox_type == "PublicDL"


FORMATS = ["EwsId", "EwsLegacyId", "EntryId", "HexEntryId", "StoreId",
           "OwaId"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_convert_id_round_trip(nginx, fmt):
    a = account(nginx)
    m = Message(account=a, folder=a.drafts, subject="Convert me")
    m.save()
    out = list(a.protocol.convert_ids(
        [AlternateId(id=m.id, format="EwsId", mailbox=ALICE)], fmt))
    assert len(out) == 1 and out[0].format == fmt
    assert out[0].mailbox == ALICE
    if fmt == "EntryId":
        raw = base64.b64decode(out[0].id)
        assert len(raw) == 70 and raw[:4] == b"\0\0\0\0"
    if fmt == "HexEntryId":
        assert len(out[0].id) == 140
        int(out[0].id, 16)
    back = list(a.protocol.convert_ids(
        [AlternateId(id=out[0].id, format=fmt, mailbox=ALICE)], "EwsId"))
    assert back[0].id == m.id


def test_convert_id_of_a_folder_and_errors(nginx):
    a = account(nginx)
    out = list(a.protocol.convert_ids(
        [AlternateId(id=a.inbox.id, format="EwsId", mailbox=ALICE)],
        "EntryId"))
    assert len(base64.b64decode(out[0].id)) == 46
    bad = list(a.protocol.convert_ids(
        [AlternateId(id="bm90IGFuIGlk", format="EwsId", mailbox=ALICE)],
        "EntryId"))
    assert isinstance(bad[0], Exception)


def test_oof_settings(nginx):
    a = account(nginx)
    assert a.oof_settings.state == "Disabled"
    start = EWSDateTime(2035, 1, 1, tzinfo=UTC)
    a.oof_settings = OofSettings(
        state="Scheduled", external_audience="Known", start=start,
        end=start + datetime.timedelta(days=14),
        internal_reply="Away until the 15th", external_reply="Away")
    got = a.oof_settings
    assert got.state == "Scheduled"
    assert got.external_audience == "Known"
    assert got.start == start
    assert got.end == start + datetime.timedelta(days=14)
    assert got.internal_reply == "Away until the 15th"
    assert got.external_reply == "Away"

    a.oof_settings = OofSettings(state="Enabled", internal_reply="Out",
                                 external_reply="Out!")
    assert a.oof_settings.state == "Enabled"
    # bob sees alice is away in her MailTips
    b = account(nginx, BOB)
    tips = ('<m:GetMailTips><m:SendingAs><t:EmailAddress>%s</t:EmailAddress>'
            '</m:SendingAs><m:Recipients><t:Mailbox><t:EmailAddress>%s'
            '</t:EmailAddress></t:Mailbox></m:Recipients><m:MailTipsRequested>'
            'OutOfOfficeMessage</m:MailTipsRequested></m:GetMailTips>'
            % (BOB, ALICE))
    root = soap(nginx, tips, user=BOB)
    assert root.find(".//t:OutOfOffice/t:ReplyBody/t:Message", NS).text == \
        "Out"
    assert b is not None
    a.oof_settings = OofSettings(state="Disabled")
    assert a.oof_settings.state == "Disabled"


def test_mail_tips(nginx):
    a = account(nginx)
    tips = a.mail_tips
    assert tips.recipient_address.email_address == ALICE
    assert tips.invalid_recipient is False


def test_user_configuration(nginx):
    a = account(nginx)
    a.inbox.create_user_configuration(
        name="Exch.Test", dictionary={"color": "blue", "count": 3,
                                      "flag": True},
        xml_data=b"<settings><a>1</a></settings>", binary_data=b"\x00\x01")
    got = a.inbox.get_user_configuration(name="Exch.Test")
    assert got.dictionary == {"color": "blue", "count": 3, "flag": True}
    assert got.xml_data == b"<settings><a>1</a></settings>"
    assert got.binary_data == b"\x00\x01"

    a.inbox.update_user_configuration(name="Exch.Test",
                                      dictionary={"color": "red"})
    got = a.inbox.get_user_configuration(name="Exch.Test")
    assert got.dictionary == {"color": "red"}

    a.inbox.delete_user_configuration(name="Exch.Test")
    with pytest.raises(Exception) as e:
        a.inbox.get_user_configuration(name="Exch.Test")
    assert type(e.value).__name__ == "ErrorItemNotFound"


def test_server_time_zones(nginx):
    a = account(nginx)
    zones = list(a.protocol.get_timezones())
    ids = {z.id for z in zones}
    assert {"UTC", "W. Europe Standard Time", "Pacific Standard Time"} <= ids
    full = list(a.protocol.get_timezones(
        timezones=[EWSTimeZone("Europe/Berlin")],
        return_full_timezone_data=True))
    assert full[0].id == "W. Europe Standard Time"
    assert full[0].periods and full[0].transitions


def test_delegates_are_not_supported(nginx):
    a = account(nginx)
    with pytest.raises(ErrorInvalidRequest):
        a.delegates


def test_get_user_photo_and_service_configuration(nginx):
    body = ('<m:GetUserPhoto><m:Email>%s</m:Email><m:SizeRequested>HR96x96'
            '</m:SizeRequested></m:GetUserPhoto>' % BOB)
    r = soap(nginx, body)
    assert r.find(".//m:HasChanged", NS).text == "false"
    assert messages(r)[0][1] in ("ErrorItemNotFound", "NoError")
    body = ('<m:GetServiceConfiguration><m:RequestedConfiguration>'
            '<m:ConfigurationName>MailTips</m:ConfigurationName>'
            '</m:RequestedConfiguration></m:GetServiceConfiguration>')
    r = soap(nginx, body)
    assert messages(r)[0][1] == "NoError"
    assert r.find(".//t:MailTipsEnabled", NS).text == "true"
    body = ('<m:GetAppManifests/>')
    assert messages(soap(nginx, body))[0][1] == "NoError"


def test_find_people_in_the_directory_and_contacts(nginx):
    body = ('<m:CreateItem><m:SavedItemFolderId><t:DistinguishedFolderId '
            'Id="contacts"/></m:SavedItemFolderId><m:Items><t:Contact>'
            '<t:GivenName>Zed</t:GivenName><t:Surname>Zulu</t:Surname>'
            '<t:EmailAddresses><t:Entry Key="EmailAddress1">zed@ext.test'
            '</t:Entry></t:EmailAddresses></t:Contact></m:Items>'
            '</m:CreateItem>')
    assert messages(soap(nginx, body))[0][1] == "NoError"

    def people(folder, query):
        body = ('<m:FindPeople><m:IndexedPageItemView BasePoint="Beginning" '
                'MaxEntriesReturned="10" Offset="0"/><m:ParentFolderId>'
                '<t:DistinguishedFolderId Id="%s"/></m:ParentFolderId>'
                '<m:QueryString>%s</m:QueryString></m:FindPeople>'
                % (folder, query))
        root = soap(nginx, body)
        resp = root.find("s:Body/m:FindPeopleResponse", NS)
        assert resp.find("m:ResponseCode", NS).text == "NoError"
        return [(p.find("t:DisplayName", NS).text,
                 p.find("t:EmailAddress/t:EmailAddress", NS).text)
                for p in resp.findall("m:People/t:Persona", NS)]

    assert people("directory", "bob") == [("Bob Brown", "bob@example.test")]
    assert people("contacts", "zed") == [("Zed Zulu", "zed@ext.test")]
    assert people("contacts", "nobody") == []

    # the contact found again by an indexed field of its type
    body = ('<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>'
            'IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI '
            'FieldURI="contacts:DisplayName"/></t:AdditionalProperties>'
            '</m:ItemShape><m:Restriction><t:IsEqualTo><t:IndexedFieldURI '
            'FieldURI="contacts:EmailAddress" FieldIndex="EmailAddress1"/>'
            '<t:FieldURIOrConstant><t:Constant Value="zed@ext.test"/>'
            '</t:FieldURIOrConstant></t:IsEqualTo></m:Restriction>'
            '<m:ParentFolderIds><t:DistinguishedFolderId Id="contacts"/>'
            '</m:ParentFolderIds></m:FindItem>')
    names = [e.text for e in soap(nginx, body).iter(
        "{%s}DisplayName" % NS["t"])]
    assert names == ["Zed Zulu"]
