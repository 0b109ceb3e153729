"""The documented EWS errors for bad input that the other EWS tests do not
reach, one request each in raw SOAP: what a client gets for a restriction,
a view, a ChangeKey, a destination or a MIME body it got wrong; and a
sweep of every operation of the schema with empty and nonsense requests,
none of which may get an internal error."""

import re

import pytest

from ewslib import NS, envelope, messages, post, soap

INBOX = '<t:DistinguishedFolderId Id="inbox"/>'

FIND = ('<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly'
        '</t:BaseShape></m:ItemShape>%s<m:ParentFolderIds>' + INBOX +
        '</m:ParentFolderIds></m:FindItem>')


def one(root):
    """The code of the only response message."""
    got = messages(root)
    assert len(got) == 1, got
    return got[0][1]


def create_folder(nginx, name, parent=INBOX):
    body = ('<m:CreateFolder><m:ParentFolderId>%s</m:ParentFolderId>'
            '<m:Folders><t:Folder><t:DisplayName>%s</t:DisplayName>'
            '</t:Folder></m:Folders></m:CreateFolder>' % (parent, name))
    root = soap(nginx, body)
    assert one(root) == "NoError"
    return root.find(".//t:FolderId", NS).get("Id")


def create_message(nginx, subject="Hello"):
    body = ('<m:CreateItem MessageDisposition="SaveOnly"><m:SavedItemFolderId>'
            + INBOX + '</m:SavedItemFolderId><m:Items><t:Message><t:Subject>'
            '%s</t:Subject></t:Message></m:Items></m:CreateItem>' % subject)
    root = soap(nginx, body)
    assert one(root) == "NoError"
    return root.find(".//t:ItemId", NS)


def delete_folder(nginx, fid):
    body = ('<m:DeleteFolder DeleteType="HardDelete"><m:FolderIds>'
            '<t:FolderId Id="%s"/></m:FolderIds></m:DeleteFolder>' % fid)
    assert one(soap(nginx, body)) == "NoError"


@pytest.mark.parametrize("restriction, code", [
    # Contains is for strings and binaries
    ('<t:Contains ContainmentMode="Substring" ContainmentComparison='
     '"IgnoreCase"><t:FieldURI FieldURI="item:DateTimeReceived"/>'
     '<t:Constant Value="2020"/></t:Contains>', "ErrorInvalidRestriction"),
    # the attachments collection is no property to compare
    ('<t:IsEqualTo><t:FieldURI FieldURI="item:Attachments"/>'
     '<t:FieldURIOrConstant><t:Constant Value="x"/></t:FieldURIOrConstant>'
     '</t:IsEqualTo>', "ErrorUnsupportedPathForQuery"),
])
def test_bad_restriction(nginx, restriction, code):
    root = soap(nginx, FIND % ("<m:Restriction>%s</m:Restriction>"
                               % restriction))
    assert one(root) == code


def test_sort_on_the_body_is_unsupported(nginx):
    sort = ('<m:SortOrder><t:FieldOrder Order="Ascending"><t:FieldURI '
            'FieldURI="item:Body"/></t:FieldOrder></m:SortOrder>')
    assert one(soap(nginx, FIND % sort)) == "ErrorUnsupportedPathForSortGroup"


@pytest.mark.parametrize("view", [
    '<m:IndexedPageItemView MaxEntriesReturned="0" Offset="0" '
    'BasePoint="Beginning"/>',
    '<m:FractionalPageItemView MaxEntriesReturned="0" Numerator="0" '
    'Denominator="1"/>'])
def test_a_page_of_no_rows_is_refused(nginx, view):
    assert one(soap(nginx, FIND % view)) == "ErrorInvalidPagingMaxRows"


def test_a_change_key_that_does_not_decode(nginx):
    item = create_message(nginx)
    body = ('<m:UpdateItem ConflictResolution="NeverOverwrite" '
            'MessageDisposition="SaveOnly"><m:ItemChanges><t:ItemChange>'
            '<t:ItemId Id="%s" ChangeKey="!!not base64!!"/><t:Updates>'
            '<t:SetItemField><t:FieldURI FieldURI="item:Subject"/>'
            '<t:Message><t:Subject>x</t:Subject></t:Message></t:SetItemField>'
            '</t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>'
            % item.get("Id"))
    assert one(soap(nginx, body)) == "ErrorInvalidChangeKey"


def test_a_folder_moved_into_its_own_subfolder(nginx):
    top = create_folder(nginx, "Top")
    sub = create_folder(nginx, "Sub", '<t:FolderId Id="%s"/>' % top)
    body = ('<m:MoveFolder><m:ToFolderId><t:FolderId Id="%s"/></m:ToFolderId>'
            '<m:FolderIds><t:FolderId Id="%s"/></m:FolderIds></m:MoveFolder>'
            % (sub, top))
    assert one(soap(nginx, body)) == "ErrorInvalidOperation"


def test_a_destination_that_is_gone(nginx):
    gone = create_folder(nginx, "Gone")
    delete_folder(nginx, gone)
    item = create_message(nginx)
    body = ('<m:MoveItem><m:ToFolderId><t:FolderId Id="%s"/></m:ToFolderId>'
            '<m:ItemIds><t:ItemId Id="%s"/></m:ItemIds></m:MoveItem>'
            % (gone, item.get("Id")))
    assert one(soap(nginx, body)) == "ErrorToFolderNotFound"
    body = ('<m:CreateFolder><m:ParentFolderId><t:FolderId Id="%s"/>'
            '</m:ParentFolderId><m:Folders><t:Folder><t:DisplayName>X'
            '</t:DisplayName></t:Folder></m:Folders></m:CreateFolder>' % gone)
    assert one(soap(nginx, body)) == "ErrorParentFolderNotFound"


def test_mime_content_that_is_not_base64(nginx):
    body = ('<m:CreateItem MessageDisposition="SaveOnly"><m:Items><t:Message>'
            '<t:MimeContent CharacterSet="UTF-8">!!! not base64 !!!'
            '</t:MimeContent></t:Message></m:Items></m:CreateItem>')
    assert one(soap(nginx, body)) == "ErrorMimeContentConversionFailed"


def test_a_user_configuration_made_twice(nginx):
    body = ('<m:CreateUserConfiguration><m:UserConfiguration>'
            '<t:UserConfigurationName Name="Twice">' + INBOX +
            '</t:UserConfigurationName></m:UserConfiguration>'
            '</m:CreateUserConfiguration>')
    assert one(soap(nginx, body)) == "NoError"
    assert one(soap(nginx, body)) == "ErrorItemSave"


def test_the_root_cannot_be_emptied(nginx):
    body = ('<m:EmptyFolder DeleteType="HardDelete" DeleteSubFolders="true">'
            '<m:FolderIds><t:DistinguishedFolderId Id="msgfolderroot"/>'
            '</m:FolderIds></m:EmptyFolder>')
    assert one(soap(nginx, body)) == "ErrorCannotEmptyFolder"


# every operation of the schema, implemented or not, with requests that
# are empty, name ids that do not decode or name nonsense: each answer is
# a response or a SOAP fault with a protocol error, never an internal one

OPS = re.findall(r'OP\("(\w+)",', open(
    __file__.replace("t/test_ews_errors.py",
                     "ngx_exch_ews_module/exch_ews_soap.c")).read())

BAD_ID = "AAMkAGE3ZTYzMDIz"

SWEEP = [
    "<m:{op}/>",
    "<m:{op}><m:ItemIds><t:ItemId Id='%s'/></m:ItemIds><m:FolderIds>"
    "<t:FolderId Id='%s'/></m:FolderIds></m:{op}>" % (BAD_ID, BAD_ID),
    "<m:{op} Traversal='Weird' DeleteType='X' MessageDisposition='Y' "
    "ConflictResolution='Z'><m:ItemShape><t:BaseShape>Bogus</t:BaseShape>"
    "</m:ItemShape><m:ParentFolderIds>" + INBOX + "</m:ParentFolderIds>"
    "<m:ItemIds><t:ItemId Id=''/></m:ItemIds><m:Items><t:Message><t:Bogus/>"
    "</t:Message></m:Items></m:{op}>",
    "<m:{op}><m:SyncFolderId>" + INBOX + "</m:SyncFolderId><m:SyncState>!!!"
    "</m:SyncState><m:MaxChangesReturned>-5</m:MaxChangesReturned>"
    "<m:ToFolderId><t:DistinguishedFolderId Id='nonexistent'/></m:ToFolderId>"
    "</m:{op}>",
]


def test_the_sweep_names_every_operation():
    assert len(OPS) > 80 and "FindItem" in OPS and "UploadItems" in OPS


@pytest.mark.parametrize("version", ["Exchange2007", "Exchange2016"])
def test_no_operation_answers_an_internal_error(nginx, version):
    bad = []
    for op in OPS:
        for req in SWEEP:
            r = post(nginx, envelope(req.format(op=op), version))
            ok = r.status_code == 200 or (
                r.status_code == 500 and b"<s:Fault>" in r.content)
            if not ok or b"ErrorInternalServerError" in r.content:
                bad.append((op, req[:40], r.status_code, r.text[:200]))
    assert bad == []
