"""EWS folders with exchangelib and raw SOAP: create, rename, move, copy,
delete (every DeleteType), empty, walk the tree, paging and restrictions of
FindFolder, CreateFolderPath, counts, shapes, permissions and another
user's mailbox."""

import pytest
from exchangelib import Folder
from exchangelib.errors import ErrorDeleteDistinguishedFolder, ErrorFolderExists
from exchangelib.folders import Calendar, Contacts, FolderCollection, Tasks
from exchangelib.properties import Permission, PermissionSet, UserId

from ewslib import ALICE, BOB, NS, account, messages, seed, soap


def fresh(a, f):
    """The folder as the server has it now (GetFolder), not as cached."""
    got = list(FolderCollection(account=a, folders=[f]).get_folders())[0]
    if isinstance(got, Exception):
        raise got
    return got


def parent_of(nginx, fid, user=ALICE):
    body = ('<m:GetFolder><m:FolderShape><t:BaseShape>AllProperties'
            '</t:BaseShape></m:FolderShape><m:FolderIds><t:FolderId Id="%s"/>'
            '</m:FolderIds></m:GetFolder>' % fid)
    return soap(nginx, body, user=user).find(".//t:ParentFolderId",
                                             NS).get("Id")


def find_folders(nginx, parent="msgfolderroot", traversal="Shallow",
                 view="", shape="Default", restriction="", user=ALICE):
    body = ('<m:FindFolder Traversal="%s"><m:FolderShape><t:BaseShape>%s'
            '</t:BaseShape></m:FolderShape>%s%s<m:ParentFolderIds>'
            '<t:DistinguishedFolderId Id="%s"/></m:ParentFolderIds>'
            '</m:FindFolder>' % (traversal, shape, view, restriction, parent))
    return soap(nginx, body, user=user)


def test_folder_life_cycle(nginx):
    a = account(nginx)
    f = Folder(parent=a.inbox, name="Projects")
    f.save()
    assert f.id and f.changekey
    got = fresh(a, f)
    assert got.name == "Projects" and got.folder_class is None
    assert parent_of(nginx, f.id) == a.inbox.id

    # rename
    f.name = "Projects 2024"
    f.save(update_fields=["name"])
    assert fresh(a, f).name == "Projects 2024"

    # move under Drafts, the id stays
    f.move(to_folder=a.drafts)
    assert parent_of(nginx, f.id) == a.drafts.id

    # a child, then delete the parent with it
    child = Folder(parent=f, name="Child")
    child.save()
    assert [c.name for c in f.children] == ["Child"]
    fid, cid = f.id, child.id
    f.delete()
    for gone in (fid, cid):
        body = ('<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly'
                '</t:BaseShape></m:FolderShape><m:FolderIds><t:FolderId '
                'Id="%s"/></m:FolderIds></m:GetFolder>' % gone)
        assert messages(soap(nginx, body))[0][1] == "ErrorFolderNotFound"


def test_duplicate_name_is_folder_exists(nginx):
    a = account(nginx)
    Folder(parent=a.inbox, name="Twice").save()
    with pytest.raises(ErrorFolderExists):
        Folder(parent=a.inbox, name="twice").save()


def test_typed_folders_get_their_classes(nginx):
    a = account(nginx)
    for cls, fc in ((Calendar, "IPF.Appointment"), (Contacts, "IPF.Contact"),
                    (Tasks, "IPF.Task")):
        f = cls(parent=a.inbox, name="My " + cls.__name__)
        f.save()
        got = fresh(a, f)
        assert type(got) is cls and got.folder_class == fc


def test_walk_the_tree(nginx):
    a = account(nginx)
    Folder(parent=a.inbox, name="A").save()
    a.root.refresh()
    names = {f.absolute for f in a.root.walk()}
    for want in ("Inbox", "Sent Items", "Calendar", "Contacts", "Inbox/A",
                 "Sync Issues/Conflicts"):
        assert any(n.endswith("/" + want) for n in names), want


def test_special_folders_cannot_be_deleted_or_moved(nginx):
    a = account(nginx)
    with pytest.raises(ErrorDeleteDistinguishedFolder):
        a.inbox.delete()
    body = ('<m:MoveFolder><m:ToFolderId><t:DistinguishedFolderId '
            'Id="drafts"/></m:ToFolderId><m:FolderIds>'
            '<t:DistinguishedFolderId Id="inbox"/></m:FolderIds>'
            '</m:MoveFolder>')
    assert messages(soap(nginx, body))[0][1] == \
        "ErrorMoveDistinguishedFolder"


@pytest.mark.parametrize("delete_type", ["HardDelete", "SoftDelete",
                                         "MoveToDeletedItems"])
def test_delete_types(nginx, delete_type):
    a = account(nginx)
    f = Folder(parent=a.inbox, name="Doomed " + delete_type)
    f.save()
    body = ('<m:DeleteFolder DeleteType="%s"><m:FolderIds><t:FolderId Id="%s"'
            '/></m:FolderIds></m:DeleteFolder>' % (delete_type, f.id))
    assert messages(soap(nginx, body))[0][1] == "NoError"
    if delete_type == "MoveToDeletedItems":
        assert parent_of(nginx, f.id) == a.trash.id
    else:
        body = ('<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly'
                '</t:BaseShape></m:FolderShape><m:FolderIds><t:FolderId '
                'Id="%s"/></m:FolderIds></m:GetFolder>' % f.id)
        assert messages(soap(nginx, body))[0][1] == "ErrorFolderNotFound"
    if delete_type == "SoftDelete":
        root = find_folders(nginx, "inbox", "SoftDeleted")
        names = [e.text for e in root.iter("{%s}DisplayName" % NS["t"])]
        assert names == ["Doomed SoftDelete"]


def test_copy_folder_copies_contents(nginx):
    a = account(nginx)
    src = Folder(parent=a.inbox, name="Src")
    src.save()
    seed(nginx, ALICE, "Src", 5)
    body = ('<m:CopyFolder><m:ToFolderId><t:DistinguishedFolderId '
            'Id="drafts"/></m:ToFolderId><m:FolderIds><t:FolderId Id="%s"/>'
            '</m:FolderIds></m:CopyFolder>' % src.id)
    root = soap(nginx, body)
    new = root.find(".//m:Folders/t:Folder/t:FolderId", NS).get("Id")
    assert new != src.id
    body = ('<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape>'
            '</m:FolderShape><m:FolderIds><t:FolderId Id="%s"/></m:FolderIds>'
            '</m:GetFolder>' % new)
    copy = soap(nginx, body).find(".//t:Folder", NS)
    assert copy.find("t:DisplayName", NS).text == "Src"
    assert copy.find("t:TotalCount", NS).text == "5"
    assert parent_of(nginx, new) == a.drafts.id


def test_empty_folder(nginx):
    a = account(nginx)
    f = Folder(parent=a.inbox, name="Full")
    f.save()
    seed(nginx, ALICE, "Full", 7)
    Folder(parent=f, name="Sub").save()
    f.empty(delete_sub_folders=False)
    f.refresh()
    assert f.total_count == 0 and f.child_folder_count == 1
    f.empty(delete_sub_folders=True)
    f.refresh()
    assert f.child_folder_count == 0


def test_counts_and_shapes(nginx):
    a = account(nginx)
    f = Folder(parent=a.inbox, name="Counted")
    f.save()
    seed(nginx, ALICE, "Counted", 10)            # 5 read, 5 unread
    body = ('<m:GetFolder><m:FolderShape><t:BaseShape>%s</t:BaseShape>'
            '</m:FolderShape><m:FolderIds><t:FolderId Id="%s"/></m:FolderIds>'
            '</m:GetFolder>')
    idonly = soap(nginx, body % ("IdOnly", f.id)).find(".//t:Folder", NS)
    assert [c.tag.split("}")[1] for c in idonly] == ["FolderId"]
    default = soap(nginx, body % ("Default", f.id)).find(".//t:Folder", NS)
    assert default.find("t:TotalCount", NS).text == "10"
    assert default.find("t:UnreadCount", NS).text == "5"
    assert default.find("t:ChildFolderCount", NS).text == "0"
    assert default.find("t:DisplayName", NS).text == "Counted"
    full = soap(nginx, body % ("AllProperties", f.id)).find(".//t:Folder", NS)
    tags = [c.tag.split("}")[1] for c in full]
    assert tags[:5] == ["FolderId", "ParentFolderId", "DisplayName",
                        "TotalCount", "ChildFolderCount"]
    assert "EffectiveRights" in tags and tags[-1] == "UnreadCount"
    rights = full.find("t:EffectiveRights", NS)
    assert rights.find("t:CreateContents", NS).text == "true"
    assert rights.find("t:Read", NS).text == "true"


def test_find_folder_deep_paging_and_restriction(nginx):
    a = account(nginx)
    for i in range(12):
        Folder(parent=a.inbox, name="P%02d" % i).save()
    view = ('<m:IndexedPageFolderView MaxEntriesReturned="5" Offset="%d" '
            'BasePoint="Beginning"/>')
    seen = []
    offset = 0
    while True:
        root = find_folders(nginx, "inbox", view=view % offset)
        rf = root.find(".//m:RootFolder", NS)
        assert rf.get("TotalItemsInView") == "12"
        names = [e.text for e in rf.iter("{%s}DisplayName" % NS["t"])]
        seen += names
        offset = int(rf.get("IndexedPagingOffset"))
        if rf.get("IncludesLastItemInRange") == "true":
            break
    assert seen == ["P%02d" % i for i in range(12)]

    res = ('<m:Restriction><t:Contains ContainmentMode="Prefixed" '
           'ContainmentComparison="IgnoreCase"><t:FieldURI '
           'FieldURI="folder:DisplayName"/><t:Constant Value="p1"/>'
           '</t:Contains></m:Restriction>')
    root = find_folders(nginx, "msgfolderroot", "Deep", restriction=res)
    names = [e.text for e in root.iter("{%s}DisplayName" % NS["t"])]
    assert names == ["P10", "P11"]

    deep = find_folders(nginx, "msgfolderroot", "Deep")
    shallow = find_folders(nginx, "msgfolderroot", "Shallow")
    assert int(deep.find(".//m:RootFolder", NS).get("TotalItemsInView")) > \
        int(shallow.find(".//m:RootFolder", NS).get("TotalItemsInView")) + 12


def test_create_folder_path(nginx):
    body = ('<m:CreateFolderPath><m:ParentFolderId><t:DistinguishedFolderId '
            'Id="inbox"/></m:ParentFolderId><m:RelativeFolderPath>'
            '<t:Folder><t:DisplayName>L1</t:DisplayName></t:Folder>'
            '<t:Folder><t:DisplayName>L2</t:DisplayName></t:Folder>'
            '<t:CalendarFolder><t:DisplayName>L3</t:DisplayName>'
            '</t:CalendarFolder></m:RelativeFolderPath></m:CreateFolderPath>')
    msgs = messages(soap(nginx, body))
    assert [m[1] for m in msgs] == ["NoError"] * 3
    a = account(nginx)
    names = {f.absolute for f in a.inbox.walk()}
    assert any(n.endswith("Inbox/L1/L2/L3") for n in names)
    # again: the existing folders are answered
    assert [m[1] for m in messages(soap(nginx, body))] == ["NoError"] * 3


def test_update_folder_extended_property_and_class(nginx):
    a = account(nginx)
    f = Folder(parent=a.inbox, name="Ext")
    f.save()
    uri = ('<t:ExtendedFieldURI PropertyTag="0x3004" '
           'PropertyType="String"/>')
    body = ('<m:UpdateFolder><m:FolderChanges><t:FolderChange><t:FolderId '
            'Id="%s"/><t:Updates><t:SetFolderField>%s<t:Folder>'
            '<t:ExtendedProperty>%s<t:Value>a comment</t:Value>'
            '</t:ExtendedProperty></t:Folder></t:SetFolderField>'
            '</t:Updates></t:FolderChange></m:FolderChanges>'
            '</m:UpdateFolder>' % (f.id, uri, uri))
    root = soap(nginx, body)
    assert messages(root)[0][1] == "NoError"
    newck = root.find(".//t:FolderId", NS).get("ChangeKey")
    assert newck != f.changekey
    get = ('<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape>'
           '<t:AdditionalProperties>%s</t:AdditionalProperties>'
           '</m:FolderShape><m:FolderIds><t:FolderId Id="%s"/></m:FolderIds>'
           '</m:GetFolder>' % (uri, f.id))
    ep = soap(nginx, get).find(".//t:ExtendedProperty", NS)
    assert ep.find("t:Value", NS).text == "a comment"
    assert ep.find("t:ExtendedFieldURI", NS).get("PropertyTag") == "0x3004"


def test_permissions_open_a_folder_to_another_user(nginx):
    a = account(nginx)
    b = account(nginx, BOB)
    bob_view = ('<m:FindItem Traversal="Shallow"><m:ItemShape>'
                '<t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>'
                '<m:ParentFolderIds><t:DistinguishedFolderId Id="inbox">'
                '<t:Mailbox><t:EmailAddress>%s</t:EmailAddress></t:Mailbox>'
                '</t:DistinguishedFolderId></m:ParentFolderIds></m:FindItem>'
                % ALICE)
    assert messages(soap(nginx, bob_view, user=BOB))[0][1] == \
        "ErrorAccessDenied"

    inbox = a.inbox
    inbox.permission_set = PermissionSet(permissions=[
        Permission(user_id=UserId(primary_smtp_address=BOB),
                   permission_level="Reviewer")])
    inbox.save(update_fields=["permission_set"])
    seed(nginx, ALICE, "inbox", 3)

    msgs = messages(soap(nginx, bob_view, user=BOB))
    assert msgs[0][1] == "NoError"
    assert msgs[0][2].find(".//m:RootFolder", NS).get("TotalItemsInView") \
        == "3"

    # the permission reads back
    body = ('<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape>'
            '<t:AdditionalProperties><t:FieldURI '
            'FieldURI="folder:PermissionSet"/></t:AdditionalProperties>'
            '</m:FolderShape><m:FolderIds><t:DistinguishedFolderId '
            'Id="inbox"/></m:FolderIds></m:GetFolder>')
    perms = soap(nginx, body).findall(".//t:Permission", NS)
    assert [(p.find(".//t:PrimarySmtpAddress", NS).text,
             p.find("t:PermissionLevel", NS).text) for p in perms] == \
        [(BOB, "Reviewer")]

    # bob reads, but may not write: Reviewer
    body = ('<m:CreateFolder><m:ParentFolderId><t:DistinguishedFolderId '
            'Id="inbox"><t:Mailbox><t:EmailAddress>%s</t:EmailAddress>'
            '</t:Mailbox></t:DistinguishedFolderId></m:ParentFolderId>'
            '<m:Folders><t:Folder><t:DisplayName>Bob was here'
            '</t:DisplayName></t:Folder></m:Folders></m:CreateFolder>' % ALICE)
    assert messages(soap(nginx, body, user=BOB))[0][1] == "ErrorAccessDenied"
    b.root.refresh()
