"""SyncFolderHierarchy and SyncFolderItems with exchangelib: from the empty
state to "no changes", after changes of every kind (create, update, read
flag, move, delete), with paging (MaxChangesReturned), Ignore, and the
associated items' scope."""

import pytest
from exchangelib import Folder, Message

from ewslib import ALICE, NS, account, messages, seed, soap


def drain_items(folder, state, **kw):
    """Every change since state (exchangelib follows the pages until
    IncludesLastItemInRange); the new state."""
    folder.item_sync_state = state
    changes = list(folder.sync_items(sync_state=state, **kw))
    return changes, folder.item_sync_state


def kinds(changes):
    return sorted(c[0] for c in changes)


def test_sync_items_from_empty_to_no_changes(nginx):
    a = account(nginx)
    f = Folder(parent=a.inbox, name="Synced")
    f.save()
    seed(nginx, ALICE, "Synced", 25)

    changes, state = drain_items(f, None, max_changes_returned=10)
    assert kinds(changes) == ["create"] * 25
    subjects = sorted(c[1].subject for c in changes)
    assert subjects == ["Message %06d" % n for n in range(25)]

    changes, state = drain_items(f, state)
    assert changes == []

    items = {i.subject: i for i in f.all()}
    # a new one, an update, a read flag, a move away, a delete
    Message(account=a, folder=f, subject="Fresh").save()
    upd = items["Message 000001"]
    upd.subject = "Changed"
    upd.save(update_fields=["subject"])
    flag = items["Message 000003"]                 # unread (odd)
    flag.is_read = True
    flag.save(update_fields=["is_read"])
    gone = {items["Message 000004"].id, items["Message 000005"].id}
    items["Message 000004"].move(a.drafts)
    items["Message 000005"].delete()

    changes, state = drain_items(f, state)
    by_kind = {}
    for kind, item in changes:
        by_kind.setdefault(kind, []).append(item)
    assert sorted(by_kind) == ["create", "delete", "read_flag_change",
                               "update"]
    assert [i.subject for i in by_kind["create"]] == ["Fresh"]
    assert [i.subject for i in by_kind["update"]] == ["Changed"]
    assert len(by_kind["delete"]) == 2              # moved away, deleted
    [(rid, is_read)] = by_kind["read_flag_change"]
    assert rid.id == flag.id and is_read is True
    assert {d.id for d in by_kind["delete"]} == gone

    changes, state = drain_items(f, state)
    assert changes == []

    # the state of one folder is no state for another
    body = ('<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly'
            '</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId'
            ' Id="drafts"/></m:SyncFolderId><m:SyncState>%s</m:SyncState>'
            '<m:MaxChangesReturned>10</m:MaxChangesReturned>'
            '</m:SyncFolderItems>' % state)
    assert messages(soap(nginx, body))[0][1] == "ErrorInvalidSyncStateData"


def test_sync_items_ignore_and_bad_state(nginx):
    a = account(nginx)
    f = Folder(parent=a.inbox, name="Ignoring")
    f.save()
    seed(nginx, ALICE, "Ignoring", 3)
    changes, state = drain_items(f, None)
    ids = {c[1].subject: c[1] for c in changes}
    skip = ids["Message 000000"]
    changes, state = drain_items(f, None, ignore=[skip])
    assert sorted(c[1].subject for c in changes) == ["Message 000001",
                                                      "Message 000002"]

    body = ('<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly'
            '</t:BaseShape></m:ItemShape><m:SyncFolderId><t:FolderId Id="%s"'
            '/></m:SyncFolderId><m:SyncState>bm90IGEgc3RhdGU=</m:SyncState>'
            '<m:MaxChangesReturned>10</m:MaxChangesReturned>'
            '</m:SyncFolderItems>' % f.id)
    assert messages(soap(nginx, body))[0][1] == "ErrorInvalidSyncStateData"


def test_sync_associated_items(nginx):
    a = account(nginx)
    f = Folder(parent=a.inbox, name="Configs")
    f.save()
    f.create_user_configuration(name="One", xml_data=b"<a/>")
    normal, state = drain_items(f, None)
    assert normal == []
    fai, state2 = drain_items(f, None, sync_scope="NormalAndAssociatedItems")
    assert kinds(fai) == ["create"]


def drain_hierarchy(folder, state):
    folder.folder_sync_state = state
    changes = list(folder.sync_hierarchy(sync_state=state))
    return changes, folder.folder_sync_state


def test_sync_hierarchy(nginx):
    a = account(nginx)
    root = a.msg_folder_root
    changes, state = drain_hierarchy(root, None)
    names = {c[1].name for c in changes if c[0] == "create"}
    for want in ("Inbox", "Drafts", "Sent Items", "Deleted Items",
                 "Calendar", "Contacts", "Tasks", "Notes", "Junk E-mail"):
        assert want in names, want

    changes, state = drain_hierarchy(root, state)
    assert changes == []

    new = Folder(parent=a.inbox, name="New one")
    new.save()
    gone = Folder(parent=a.inbox, name="Gone soon")
    gone.save()
    changes, state = drain_hierarchy(root, state)
    assert sorted((c[0], c[1].name) for c in changes) == \
        [("create", "Gone soon"), ("create", "New one")]

    new.name = "Renamed"
    new.save(update_fields=["name"])
    gone_id = gone.id
    gone.delete()
    changes, state = drain_hierarchy(root, state)
    kinds_ = sorted(c[0] for c in changes)
    assert kinds_ == ["delete", "update"]
    upd = [c[1] for c in changes if c[0] == "update"][0]
    assert upd.name == "Renamed"
    dele = [c[1] for c in changes if c[0] == "delete"][0]
    assert dele.id == gone_id

    changes, state = drain_hierarchy(root, state)
    assert changes == []


def test_sync_hierarchy_raw_shape(nginx):
    body = ('<m:SyncFolderHierarchy><m:FolderShape><t:BaseShape>IdOnly'
            '</t:BaseShape></m:FolderShape></m:SyncFolderHierarchy>')
    root = soap(nginx, body)
    assert messages(root)[0][1] == "NoError"
    assert root.find(".//m:SyncState", NS).text
    assert root.find(".//m:IncludesLastFolderInRange", NS).text == "true"
    assert len(root.findall(".//t:Create", NS)) > 10


@pytest.mark.parametrize("count, page", [(1, 1), (7, 3), (50, 50)])
def test_sync_items_pages(nginx, count, page):
    a = account(nginx)
    f = Folder(parent=a.inbox, name="Paged")
    f.save()
    seed(nginx, ALICE, "Paged", count)
    changes, state = drain_items(f, None, max_changes_returned=page)
    assert len(changes) == count
    assert len({c[1].id for c in changes}) == count
