"""MAPI notifications (MS-OXCNOTIF) with the project's own MAPI codec:
RopRegisterNotification, RopNotify after an Execute's responses (new mail,
object events with folder counts, search complete, the contents table's
new, modified and deleted rows, the hierarchy table's), RopPending when
they do not fit, NotificationWait parked on the bus until a delivery by
exchctl wakes it on another worker, changes made over EWS, and a killed
worker losing no event."""

import base64
import os
import signal
import socket
import threading

import mapihttp as mh
from test_mail import wait_until
from test_mapihttp import ALICE, INBOX, deliver, one, session
from test_ews_notify import server_side_worker
from test_notify import forget_killed

COLUMNS = [mh.PR_MID, mh.PR_SUBJECT]
ALL_OBJECT_EVENTS = (mh.NEW_MAIL | mh.OBJECT_CREATED | mh.OBJECT_DELETED
                     | mh.OBJECT_MODIFIED | mh.OBJECT_MOVED
                     | mh.OBJECT_COPIED)


def watcher(srv):
    """A session (fresh connection per request: any of the workers) with
    the Inbox open, its contents table read, and two registrations: new
    mail on the whole store, every object event of the Inbox."""
    mb = session(srv, fresh=True)
    inbox = mb.fids[INBOX]
    rsp, rs, _ = mb.run([
        (mh.rop_open_folder(0, 1, inbox), {"in": "logon", "out": "inbox"}),
        (mh.rop_get_contents_table(1, 2), {"in": "inbox", "out": "table"}),
        (mh.rop_set_columns(2, COLUMNS), {"in": "table"}),
        (mh.rop_query_rows(2, 50, COLUMNS), {"in": "table"}),
        (mh.rop_register_notification(0, 3, mh.NEW_MAIL),
         {"in": "logon", "out": "n_mail"}),
        (mh.rop_register_notification(1, 4, ALL_OBJECT_EVENTS, fid=inbox),
         {"in": "inbox", "out": "n_inbox"}),
    ], slots=["logon", "inbox", "table", "n_mail", "n_inbox"])
    assert [r["rv"] for r in rs] == [0] * 6, [hex(r["rv"]) for r in rs]
    mb.notes.clear()
    return mb


def wait(mb):
    """One NotificationWait: its EventPending."""
    data = mb.http.post("emsmdb", "NotificationWait",
                        mh.notification_wait_request())
    rsp = mh.parse_notification_wait_response(data)
    assert rsp["status"] == 0 and rsp["error"] == 0
    return rsp["event_pending"]


def wait_in_thread(mb):
    out = {}
    t = threading.Thread(target=lambda: out.setdefault("pending", wait(mb)))
    t.start()
    return t, out


def collect(mb):
    """The notifications an Execute brings (a harmless ROP to carry
    them)."""
    mb.notes.clear()
    rs = one(mb, mh.rop_get_receive_folder(0, "IPM"), i="logon")
    assert rs["rv"] == 0
    return list(mb.notes)


def table_rows(mb, notes):
    return [n for n in notes if n["handle"] == mb.handles["table"]]


def test_notification_wait_wakes_on_delivery_with_the_new_row(make_nginx):
    srv = make_nginx(workers=4, server="exch_mapi_notification_wait 120s;")
    mb = watcher(srv)
    inbox = mb.fids[INBOX]

    t, out = wait_in_thread(mb)
    deliver(srv.store, ALICE, "Wake up")
    t.join(60)
    assert not t.is_alive() and out["pending"] == 1

    notes = collect(mb)
    new_mail = [n for n in notes if n["handle"] == mb.handles["n_mail"]]
    assert len(new_mail) == 1
    nm = new_mail[0]
    assert nm["type"] == mh.NEW_MAIL and nm["message"]
    assert nm["fid"] == inbox and nm["message_class"] == "IPM.Note"

    created = [n for n in notes if n["handle"] == mb.handles["n_inbox"]
               and n["type"] == mh.OBJECT_CREATED]
    assert len(created) == 1 and created[0]["mid"] == nm["mid"]

    # the Inbox itself changed: its counts (the T and U bits)
    folder = [n for n in notes if n["handle"] == mb.handles["n_inbox"]
              and n["type"] == mh.OBJECT_MODIFIED and not n["message"]]
    assert [(n["fid"], n["total"], n["unread"]) for n in folder] == \
        [(inbox, 1, 1)]
    assert folder[0]["flags"] & 0x3000 == 0x3000

    rows = table_rows(mb, notes)
    assert [r["table_event"] for r in rows] == [mh.TABLE_ROW_ADDED]
    row = rows[0]
    assert row["row_fid"] == inbox and row["row_mid"] == nm["mid"]
    values = mh.decode_row(mh.Reader(row["row_data"]), COLUMNS)
    assert values == [nm["mid"], "Wake up"]

    # nothing twice: the next Execute has no notification
    assert collect(mb) == []


def test_changes_come_in_order_and_none_is_missed(make_nginx):
    srv = make_nginx(workers=4, server="exch_mapi_notification_wait 120s;")
    mb = watcher(srv)
    subjects = ["m%02d" % i for i in range(30)]
    seen = []
    for i, s in enumerate(subjects):
        deliver(srv.store, ALICE, s)
        if i % 7 == 0:
            assert wait(mb) == 1
            seen += collect(mb)
    seen += collect(mb)
    rows = table_rows(mb, seen)
    got = [mh.decode_row(mh.Reader(r["row_data"]), COLUMNS)[1] for r in rows]
    assert got == subjects
    mails = [n["mid"] for n in seen if n["handle"] == mb.handles["n_mail"]]
    assert mails == [r["row_mid"] for r in rows]


def test_the_session_hears_of_its_own_deletion(make_nginx):
    srv = make_nginx(workers=2)
    mb = watcher(srv)
    deliver(srv.store, ALICE, "Short-lived")
    notes = collect(mb)
    mid = [n["mid"] for n in notes if n["type"] == mh.NEW_MAIL][0]
    rs = one(mb, mh.rop_delete_messages(0, [mid]), i="inbox")
    assert rs["rv"] == 0
    notes = list(mb.notes) + collect(mb)
    deleted = [n for n in notes if n["handle"] == mb.handles["n_inbox"]
               and n["type"] == mh.OBJECT_DELETED]
    assert [n["mid"] for n in deleted] == [mid]
    rows = [r for r in table_rows(mb, notes)
            if r["table_event"] == mh.TABLE_ROW_DELETED]
    assert [r["row_mid"] for r in rows] == [mid]


def test_killed_worker_holding_the_wait_loses_no_event(make_nginx):
    srv = make_nginx(workers=4, server="exch_mapi_notification_wait 120s;")
    mb = watcher(srv)

    # a NotificationWait on a socket of our own, to find its worker
    body = mh.notification_wait_request()
    cookies = "; ".join("%s=%s" % kv for kv in mb.http.jar.items())
    auth = base64.b64encode(("%s:%s" % mb.http.auth).encode())
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(b"POST /mapi/emsmdb/?MailboxId=x HTTP/1.1\r\nHost: x\r\n"
              b"Authorization: Basic " + auth + b"\r\n"
              b"X-RequestType: NotificationWait\r\nX-RequestId: {1}-9\r\n"
              b"X-ClientInfo: {1}-1\r\nContent-Type: application/mapi-http"
              b"\r\nCookie: " + cookies.encode() + b"\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body) + body)
    s.settimeout(30)
    first = s.recv(65536)
    assert b"200 OK" in first and b"PROCESSING" in first
    os.kill(server_side_worker(srv, s), signal.SIGKILL)
    assert wait_until(lambda: s.recv(65536) == b"")
    s.close()

    # the client's next requests carry on, on the other workers
    deliver(srv.store, ALICE, "After the kill")
    assert wait(mb) == 1
    rows = table_rows(mb, collect(mb))
    assert len(rows) == 1
    assert mh.decode_row(mh.Reader(rows[0]["row_data"]), COLUMNS)[1] == \
        "After the kill"
    forget_killed(srv)


def test_another_clients_changes_over_ews_reach_the_mapi_session(
        make_nginx):
    """Read state, copy, move (EWS) and a new subfolder: the Inbox
    registration hears Modified, Copied, Moved; its contents table a row
    modified and a row deleted; its hierarchy table a row added."""
    from exchangelib import Folder
    from test_ews_notify import account

    srv = make_nginx(workers=4)
    mb = watcher(srv)
    inbox = mb.fids[INBOX]
    hcols = [mh.PR_FID, mh.PR_DISPLAY_NAME]
    rsp, rs, _ = mb.run([
        (mh.rop_get_hierarchy_table(0, 1), {"in": "inbox", "out": "h"}),
        (mh.rop_set_columns(1, hcols), {"in": "h"}),
    ], slots=["inbox", "h"])
    assert [r["rv"] for r in rs] == [0, 0]

    deliver(srv.store, ALICE, "Moving on")
    mid = [n["mid"] for n in collect(mb) if n["type"] == mh.NEW_MAIL][0]

    a = account(srv)
    archive = Folder(parent=a.inbox, name="Archive")
    archive.save()
    m = a.inbox.get(subject="Moving on")
    m.is_read = True
    m.save(update_fields=["is_read"])

    assert wait(mb) == 1
    notes = collect(mb)
    hier = [n for n in notes if n["handle"] == mb.handles["h"]]
    assert [n["table_event"] for n in hier] == [mh.TABLE_ROW_ADDED]
    fid, name = mh.decode_row(mh.Reader(hier[0]["row_data"]), hcols)
    assert name == "Archive" and hier[0]["row_fid"] == fid
    reg = [n for n in notes if n["handle"] == mb.handles["n_inbox"]
           and n.get("message")]
    assert [(n["type"], n["mid"]) for n in reg] == \
        [(mh.OBJECT_MODIFIED, mid)]
    rows = table_rows(mb, notes)
    assert [(r["table_event"], r["row_mid"]) for r in rows] == \
        [(mh.TABLE_ROW_MODIFIED, mid)]
    assert mh.decode_row(mh.Reader(rows[0]["row_data"]), COLUMNS) == \
        [mid, "Moving on"]

    m.copy(to_folder=archive)
    m.move(to_folder=archive)

    assert wait(mb) == 1
    notes = collect(mb)
    reg = [n for n in notes if n["handle"] == mb.handles["n_inbox"]
           and n.get("message")]
    assert [n["type"] for n in reg] == [mh.OBJECT_COPIED, mh.OBJECT_MOVED]
    for n in reg:
        assert n["fid"] == fid and n["old_fid"] == inbox
        assert n["old_mid"] == mid and n["mid"] != mid
    assert reg[0]["mid"] != reg[1]["mid"]
    rows = table_rows(mb, notes)
    assert [(r["table_event"], r["row_mid"]) for r in rows] == \
        [(mh.TABLE_ROW_DELETED, mid)]
    # the Archive's counts changed: its row in the hierarchy table
    hier = [n for n in notes if n["handle"] == mb.handles["h"]]
    assert [(n["table_event"], n["row_fid"]) for n in hier] == \
        [(mh.TABLE_ROW_MODIFIED, fid)]
    assert mh.decode_row(mh.Reader(hier[0]["row_data"]), hcols) == \
        [fid, "Archive"]


def test_search_complete_after_set_search_criteria(make_nginx):
    srv = make_nginx()
    deliver(srv.store, ALICE, "Needle one")
    mb = session(srv)
    finder = mb.fids[10]                     # the search root
    rs = one(mb, mh.rop_open_folder(0, 1, finder), i="logon", o="finder")
    assert rs["rv"] == 0
    rs = one(mb, mh.rop_create_folder(0, 1, "Needles", folder_type=2),
             i="finder", o="sf")
    assert rs["rv"] == 0
    sf = rs["fid"]
    rs = one(mb, mh.rop_register_notification(0, 1, mh.SEARCH_COMPLETE,
                                              fid=sf),
             i="logon", o="n_search")
    assert rs["rv"] == 0
    mb.notes.clear()
    res = ("content", 0x00010001, mh.PR_SUBJECT, (mh.PR_SUBJECT, "Needle"))
    rs = one(mb, mh.rop_set_search_criteria(0, res, [mb.fids[INBOX]]),
             i="sf")
    assert rs["rv"] == 0
    done = [n for n in mb.notes if n["handle"] == mb.handles["n_search"]]
    assert [(n["type"], n["fid"]) for n in done] == \
        [(mh.SEARCH_COMPLETE, sf)]
    assert done[0]["flags"] & 0x4000            # S: a search folder
    assert collect(mb) == []


def test_what_does_not_fit_waits_and_many_changes_reload(make_nginx):
    """A small response buffer: RopPending, the rest in the next
    Executes, nothing lost or doubled.  Too many rows for one Execute:
    the table is told to reload instead."""
    srv = make_nginx()
    mb = watcher(srv)
    for i in range(40):
        deliver(srv.store, ALICE, "small %02d" % i)
    notes, pending = [], 0
    for _ in range(40):
        mb.notes.clear()
        _, rs, _ = mb.run([(mh.rop_get_receive_folder(0, "IPM"),
                            {"in": "logon"})], max_out=2048)
        assert rs[0]["rv"] == 0
        pending += sum(n["rop_id"] == mh.ROP_PENDING for n in mb.notes)
        notes += [n for n in mb.notes if n["rop_id"] == mh.ROP_NOTIFY]
        if not mb.notes:
            break
    assert pending >= 1
    rows = table_rows(mb, notes)
    got = [mh.decode_row(mh.Reader(r["row_data"]), COLUMNS)[1]
           for r in rows]
    assert got == ["small %02d" % i for i in range(40)]
    mails = [n["mid"] for n in notes if n["handle"] == mb.handles["n_mail"]]
    assert mails == [r["row_mid"] for r in rows]

    for i in range(70):
        deliver(srv.store, ALICE, "many %02d" % i)
    notes = collect(mb)
    events = [r["table_event"] for r in table_rows(mb, notes)]
    assert events == [mh.TABLE_ROW_ADDED] * 64 + [mh.TABLE_RELOAD]
    assert len([n for n in notes if n["handle"] == mb.handles["n_mail"]]) \
        == 70
