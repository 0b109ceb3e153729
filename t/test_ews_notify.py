"""EWS notifications (MS-OXWSNTIF) with exchangelib and raw SOAP: pull,
streaming and push subscriptions see what another client does (deliveries
by exchctl, item changes over EWS), in order and nothing missed; errors;
heartbeats; subscriptions outlive their worker, a reload and a killed
worker."""

import http.server
import os
import re
import signal
import socket
import threading
import time
import xml.etree.ElementTree as ET

import pytest
import requests
from exchangelib import Folder, Message
from exchangelib.properties import (CopiedEvent, CreatedEvent, DeletedEvent,
                                    ModifiedEvent, MovedEvent, NewMailEvent,
                                    StatusEvent)

from conftest import USERS, exchctl
from exchangelib import BASIC, DELEGATE, Account, Configuration, Credentials
from ewslib import (ALICE, BOB, NS, NS_M, NS_T, envelope, messages, post,
                    soap)
from test_mail import wait_until
from test_notify import forget_killed, workers

NAMES = {CreatedEvent: "Created", NewMailEvent: "NewMail",
         ModifiedEvent: "Modified", MovedEvent: "Moved",
         CopiedEvent: "Copied", DeletedEvent: "Deleted"}


def account(nginx, user=ALICE):
    """An exchangelib account whose connection pool lets a streaming
    request and other requests of the same user run side by side
    (exchangelib shares one pool per endpoint and credentials, of one
    connection unless told otherwise)."""
    creds = Credentials(user, USERS[user][1])
    cfg = Configuration(service_endpoint=nginx.url("/EWS/Exchange.asmx"),
                        credentials=creds, auth_type=BASIC, max_connections=4)
    return Account(user, credentials=creds, config=cfg, autodiscover=False,
                   access_type=DELEGATE)


def deliver(nginx, subject, user=ALICE):
    exchctl(nginx.store, "deliver", user,
            input="From: bob@example.test\nTo: %s\nSubject: %s\n\nbody\n"
                  % (user, subject))


def item_events(events):
    """(name, item id) of the item events, folder events left out."""
    return [(NAMES[type(e)], e.item_id.id) for e in events
            if type(e) in NAMES and e.item_id is not None]


def pull_all(folder, sid, wm):
    """Every event up to now, following MoreEvents; and the last
    watermark."""
    events = []
    for _ in range(1000):
        n = list(folder.get_events(sid, wm))[0]
        events += [e for e in n.events if not isinstance(e, StatusEvent)]
        wm = n.events[-1].watermark
        if not n.more_events:
            return events, wm
    raise AssertionError("MoreEvents never ended")


def changes_over_ews(a, sub_folder):
    """Create, modify, read, move, copy and delete items in the Inbox:
    returns the (name, id) item events the Inbox subscription must see,
    in order (the ids the server gives each step)."""
    want = []
    m = Message(account=a, folder=a.inbox, subject="one", body="b")
    m.save()
    want.append(("Created", m.id))
    m.subject = "one, changed"
    m.save(update_fields=["subject"])
    want.append(("Modified", m.id))
    m.is_read = True
    m.save(update_fields=["is_read"])
    want.append(("Modified", m.id))
    copy = m.copy(to_folder=sub_folder)
    m.move(to_folder=sub_folder)
    moved = m.id                         # the id in the new folder
    want.append(("Copied", None))
    want.append(("Moved", moved))
    m2 = Message(account=a, folder=a.inbox, subject="two", body="b")
    m2.save()
    want.append(("Created", m2.id))
    m2.delete()
    want.append(("Deleted", m2.id))
    return want, copy, moved


def same(got, want):
    """Names in order; ids where the expectation names one."""
    assert [g[0] for g in got] == [w[0] for w in want], got
    for g, w in zip(got, want):
        if w[1] is not None:
            assert g[1] == w[1], (g, w)


# pull

def test_pull_sees_new_mail_and_every_change_in_order(nginx):
    a = account(nginx)
    other = account(nginx)               # another client of the mailbox
    sub = Folder(parent=other.inbox, name="Archive")
    sub.save()

    sid, wm = a.inbox.subscribe_to_pull()
    deliver(nginx, "first")
    want, copy, moved = changes_over_ews(other, sub)

    events, wm = pull_all(a.inbox, sid, wm)
    got = item_events(events)
    assert got[0][0] == "Created" and got[1][0] == "NewMail" \
        and got[0][1] == got[1][1]
    same(got[2:], want)

    moves = [e for e in events if isinstance(e, (MovedEvent, CopiedEvent))]
    assert [type(e) for e in moves] == [CopiedEvent, MovedEvent]
    assert all(e.old_parent_folder_id.id == a.inbox.id for e in moves)
    assert all(e.parent_folder_id.id == sub.id for e in moves)
    assert moves[1].item_id.id == moved

    # the Inbox itself changed, with its unread count
    inbox = [e for e in events if isinstance(e, ModifiedEvent)
             and e.folder_id is not None and e.folder_id.id == a.inbox.id]
    assert inbox and inbox[-1].unread_count == 1

    # nothing more: a status event with the same watermark
    n = list(a.inbox.get_events(sid, wm))[0]
    assert [type(e) for e in n.events] == [StatusEvent]
    assert n.events[0].watermark == wm and n.previous_watermark == wm
    assert a.inbox.unsubscribe(sid) is True


def test_pull_over_many_changes_misses_nothing(nginx):
    a = account(nginx)
    sid, wm = a.inbox.subscribe_to_pull(event_types=["NewMailEvent"])
    subjects = ["mail %03d" % i for i in range(150)]
    for i, s in enumerate(subjects):
        deliver(nginx, s)
        if i % 37 == 0:                  # read part of it on the way
            events, wm = pull_all(a.inbox, sid, wm)
            subjects_seen = len(events)
            assert subjects_seen
    events, wm = pull_all(a.inbox, sid, wm)
    # every delivery made one NewMail event, none twice, none lost
    n = list(a.inbox.get_events(sid, wm))[0]
    assert [type(e) for e in n.events] == [StatusEvent]

    sid, wm0 = a.inbox.subscribe_to_pull(event_types=["NewMailEvent"])
    first = list(a.inbox.get_events(sid, wm0))[0]
    assert [type(e) for e in first.events] == [StatusEvent]


def test_pull_from_an_old_watermark_replays_in_order(nginx):
    a = account(nginx)
    sid, wm = a.inbox.subscribe_to_pull(event_types=["NewMailEvent"])
    for i in range(120):
        deliver(nginx, "m%d" % i)
    events, last = pull_all(a.inbox, sid, wm)
    ids = [e.item_id.id for e in events]
    assert len(ids) == 120 and len(set(ids)) == 120
    subjects = [m.subject for m in a.inbox.all().order_by("datetime_received")
                .only("subject")]
    assert subjects == ["m%d" % i for i in range(120)]
    # the watermarks never go back
    wms = [e.watermark for e in events]
    again, _ = pull_all(a.inbox, sid, wms[59])
    assert [e.item_id.id for e in again] == ids[60:]


def test_subscribe_to_all_folders_and_event_type_filter(nginx):
    body = ('<m:Subscribe><m:PullSubscriptionRequest '
            'SubscribeToAllFolders="true"><t:EventTypes>'
            '<t:EventType>CreatedEvent</t:EventType></t:EventTypes>'
            '<t:Timeout>10</t:Timeout></m:PullSubscriptionRequest>'
            '</m:Subscribe>')
    r = soap(nginx, body)
    (cls, code, msg), = messages(r)
    assert (cls, code) == ("Success", "NoError")
    sid = msg.find("m:SubscriptionId", NS).text
    wm = msg.find("m:Watermark", NS).text

    a = account(nginx)
    Message(account=a, folder=a.drafts, subject="draft").save()
    deliver(nginx, "to the inbox")

    r = soap(nginx, '<m:GetEvents><m:SubscriptionId>%s</m:SubscriptionId>'
                    '<m:Watermark>%s</m:Watermark></m:GetEvents>'
             % (sid, wm))
    (cls, code, msg), = messages(r)
    evs = msg.find("m:Notification", NS)
    names = [e.tag.split("}")[1] for e in evs
             if e.tag.endswith("Event")]
    assert names == ["CreatedEvent", "CreatedEvent"]
    parents = [e.find("t:ParentFolderId", NS).get("Id") for e in evs
               if e.tag.endswith("Event")]
    assert parents == [a.drafts.id, a.inbox.id]


@pytest.mark.parametrize("body, code", [
    ('<m:GetEvents><m:SubscriptionId>nonsense</m:SubscriptionId>'
     '<m:Watermark>x</m:Watermark></m:GetEvents>', "ErrorInvalidSubscription"),
    ('<m:GetEvents><m:SubscriptionId>AQAAAAAAAAAAAAAAAAAAAAA=</m:SubscriptionId>'
     '<m:Watermark>x</m:Watermark></m:GetEvents>',
     "ErrorSubscriptionNotFound"),
    ('<m:Unsubscribe><m:SubscriptionId>AwAAAAAAAAAAAAAAAAAAAAA='
     '</m:SubscriptionId></m:Unsubscribe>', "ErrorSubscriptionNotFound"),
    ('<m:Subscribe><m:PullSubscriptionRequest><t:FolderIds>'
     '<t:DistinguishedFolderId Id="inbox"/></t:FolderIds><t:EventTypes>'
     '<t:EventType>NewMailEvent</t:EventType></t:EventTypes>'
     '<t:Timeout>5000</t:Timeout></m:PullSubscriptionRequest>'
     '</m:Subscribe>', "ErrorInvalidSubscriptionRequest"),
    ('<m:Subscribe><m:PullSubscriptionRequest><t:FolderIds>'
     '<t:DistinguishedFolderId Id="inbox"/></t:FolderIds><t:EventTypes>'
     '<t:EventType>NewMailEvent</t:EventType></t:EventTypes>'
     '<t:Watermark>RVhXAQAAAAkAAAAAAAAAAQ==</t:Watermark>'
     '<t:Timeout>5</t:Timeout></m:PullSubscriptionRequest>'
     '</m:Subscribe>', "ErrorInvalidWatermark"),
    ('<m:Subscribe><m:PushSubscriptionRequest><t:FolderIds>'
     '<t:DistinguishedFolderId Id="inbox"/></t:FolderIds><t:EventTypes>'
     '<t:EventType>NewMailEvent</t:EventType></t:EventTypes>'
     '<t:StatusFrequency>1</t:StatusFrequency><t:URL>ftp://x/</t:URL>'
     '</m:PushSubscriptionRequest></m:Subscribe>',
     "ErrorInvalidPushSubscriptionUrl"),
    ('<m:Subscribe><m:PullSubscriptionRequest><t:FolderIds>'
     '<t:DistinguishedFolderId Id="inbox"><t:Mailbox><t:EmailAddress>'
     'bob@example.test</t:EmailAddress></t:Mailbox>'
     '</t:DistinguishedFolderId></t:FolderIds><t:EventTypes>'
     '<t:EventType>NewMailEvent</t:EventType></t:EventTypes>'
     '<t:Timeout>5</t:Timeout></m:PullSubscriptionRequest>'
     '</m:Subscribe>', None),
])
def test_subscription_errors(nginx, body, code):
    r = soap(nginx, body)
    (cls, got, _), = messages(r)
    assert cls == "Error"
    if code:
        assert got == code
    else:
        # another user's folder: not a subscription of this user
        assert got in ("ErrorSubscriptionDelegateAccessNotSupported",
                       "ErrorAccessDenied", "ErrorFolderNotFound")


def test_a_subscription_is_its_owners_only(nginx):
    a = account(nginx)
    sid, wm = a.inbox.subscribe_to_pull()
    r = soap(nginx, '<m:GetEvents><m:SubscriptionId>%s</m:SubscriptionId>'
                    '<m:Watermark>%s</m:Watermark></m:GetEvents>'
             % (sid, wm), user=BOB)
    assert [(c, code) for c, code, _ in messages(r)] == \
        [("Error", "ErrorSubscriptionAccessDenied")]
    b = account(nginx, BOB)
    _, bwm = b.inbox.subscribe_to_pull()
    r = soap(nginx, '<m:GetEvents><m:SubscriptionId>%s</m:SubscriptionId>'
                    '<m:Watermark>%s</m:Watermark></m:GetEvents>'
             % (sid, bwm))
    assert [code for _, code, _ in messages(r)] == ["ErrorInvalidWatermark"]
    a.inbox.unsubscribe(sid)
    r = soap(nginx, '<m:GetEvents><m:SubscriptionId>%s</m:SubscriptionId>'
                    '<m:Watermark>%s</m:Watermark></m:GetEvents>'
             % (sid, wm))
    assert [code for _, code, _ in messages(r)] == \
        ["ErrorSubscriptionNotFound"]


def test_unsubscribe_ends_the_subscription_for_every_operation(nginx):
    # an unsubscribed subscription is gone, not expired: GetEvents,
    # GetStreamingEvents and a second Unsubscribe answer
    # ErrorSubscriptionNotFound (ErrorExpiredSubscription is only for one
    # that expired and is not swept yet: t/unit/ews_sub.c ages those)
    a = account(nginx)
    sid, wm = a.inbox.subscribe_to_pull(timeout=1)
    ssid = a.inbox.subscribe_to_streaming()
    for s in (sid, ssid):
        r = soap(nginx, '<m:Unsubscribe><m:SubscriptionId>%s'
                        '</m:SubscriptionId></m:Unsubscribe>' % s)
        assert [(c, code) for c, code, _ in messages(r)] == \
            [("Success", "NoError")]
    r = soap(nginx, '<m:GetEvents><m:SubscriptionId>%s</m:SubscriptionId>'
                    '<m:Watermark>%s</m:Watermark></m:GetEvents>'
             % (sid, wm))
    assert [(c, code) for c, code, _ in messages(r)] == \
        [("Error", "ErrorSubscriptionNotFound")]
    r = soap(nginx, '<m:GetStreamingEvents><m:SubscriptionIds>'
                    '<t:SubscriptionId>%s</t:SubscriptionId>'
                    '</m:SubscriptionIds><m:ConnectionTimeout>1'
                    '</m:ConnectionTimeout></m:GetStreamingEvents>' % ssid)
    (cls, code, rm), = messages(r)
    assert (cls, code) == ("Error", "ErrorSubscriptionNotFound")
    assert [e.text for e in rm.iter("{%s}SubscriptionId" % NS_M)] == [ssid]
    r = soap(nginx, '<m:Unsubscribe><m:SubscriptionId>%s'
                    '</m:SubscriptionId></m:Unsubscribe>' % sid)
    assert [(c, code) for c, code, _ in messages(r)] == \
        [("Error", "ErrorSubscriptionNotFound")]


# streaming

def stream_until(folder, sid, count, timeout=1):
    """Item events from a streaming connection until count are seen."""
    got = []
    for n in folder.get_streaming_events(sid, connection_timeout=timeout):
        got += [e for e in n.events if type(e) in NAMES]
        if len(item_events(got)) >= count:
            break
    return got


def test_streaming_sees_changes_as_they_come(make_nginx):
    nginx = make_nginx(workers=4)
    a = account(nginx)
    other = account(nginx)
    sub = Folder(parent=other.inbox, name="Archive")
    sub.save()
    sid = a.inbox.subscribe_to_streaming()

    result = {}

    def listen():
        result["events"] = stream_until(a.inbox, sid, 9)

    t = threading.Thread(target=listen)
    t.start()
    time.sleep(0.5)          # not needed for correctness: the cursor is
    deliver(nginx, "first")  # the subscription's, made at Subscribe
    want, _, _ = changes_over_ews(other, sub)
    t.join(150)
    assert not t.is_alive()
    got = item_events(result["events"])
    assert got[0][0] == "Created" and got[1][0] == "NewMail"
    same(got[2:], want)


def test_streaming_over_many_deliveries_and_reconnects(make_nginx):
    nginx = make_nginx(workers=4)
    a = account(nginx)
    sid = a.inbox.subscribe_to_streaming(event_types=["NewMailEvent"])
    seen = []
    for round in range(3):
        for i in range(40):
            deliver(nginx, "r%d m%d" % (round, i))
        # a new connection (on any worker) carries on from the cursor
        seen += stream_until(a.inbox, sid, 40)
    ids = [i for _, i in item_events(seen)]
    assert len(ids) == 120 and len(set(ids)) == 120


def test_streaming_heartbeat_and_close_on_reload(make_nginx):
    nginx = make_nginx(workers=2, http="exch_ews_heartbeat 1s;")
    a = account(nginx)
    sid = a.inbox.subscribe_to_streaming()
    body = envelope('<m:GetStreamingEvents><m:SubscriptionIds>'
                    '<t:SubscriptionId>%s</t:SubscriptionId>'
                    '</m:SubscriptionIds><m:ConnectionTimeout>1'
                    '</m:ConnectionTimeout></m:GetStreamingEvents>' % sid,
                    version="Exchange2013")
    r = post(nginx, body, stream=True, timeout=60)
    assert r.status_code == 200
    assert r.headers.get("Transfer-Encoding") == "chunked"
    buf = b""
    docs = []
    it = r.iter_content(chunk_size=None)
    while len(docs) < 3:
        buf += next(it)
        while b"</s:Envelope>" in buf:
            doc, buf = buf.split(b"</s:Envelope>", 1)
            docs.append(doc + b"</s:Envelope>")
    for doc in docs:
        root = ET.fromstring(doc)
        msg = root.find(".//m:GetStreamingEventsResponseMessage", NS)
        assert msg.get("ResponseClass") == "Success"
        assert msg.find("m:ConnectionStatus", NS).text == "OK"
        assert msg.find("m:Notifications", NS) is None

    # a reload closes the connection cleanly; the subscription lives on
    os.kill(nginx.proc.pid, signal.SIGHUP)
    rest = buf
    try:
        for chunk in it:
            rest += chunk
    except requests.exceptions.ChunkedEncodingError:
        pass
    assert b"<m:ConnectionStatus>Closed</m:ConnectionStatus>" in rest
    deliver(nginx, "after the reload")
    got = stream_until(a.inbox, sid, 1)
    assert item_events(got)[0][0] == "Created"


def test_pull_subscription_survives_a_reload(make_nginx):
    nginx = make_nginx(workers=2)
    a = account(nginx)
    sid, wm = a.inbox.subscribe_to_pull(event_types=["NewMailEvent"])
    deliver(nginx, "before")
    old = workers(nginx)
    os.kill(nginx.proc.pid, signal.SIGHUP)
    assert wait_until(lambda: len(workers(nginx)) == 2
                      and not set(workers(nginx)) & set(old))
    deliver(nginx, "after")
    events, _ = pull_all(account(nginx).inbox, sid, wm)
    assert len(item_events(events)) == 2


def server_side_worker(nginx, client):
    """The worker process that holds the server end of a client socket."""
    port = client.getsockname()[1]
    inode = None
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        f = line.split()
        local, remote = f[1], f[2]
        if int(remote.split(":")[1], 16) == port \
                and int(local.split(":")[1], 16) == nginx.port:
            inode = f[9]
    assert inode
    for pid in workers(nginx):
        fd_dir = "/proc/%d/fd" % pid
        for fd in os.listdir(fd_dir):
            try:
                if os.readlink(os.path.join(fd_dir, fd)) == \
                        "socket:[%s]" % inode:
                    return pid
            except OSError:
                pass
    raise AssertionError("no worker holds the connection")


def test_killed_worker_loses_no_streaming_event(make_nginx):
    nginx = make_nginx(workers=4)
    a = account(nginx)
    sid = a.inbox.subscribe_to_streaming(event_types=["NewMailEvent"])
    body = envelope('<m:GetStreamingEvents><m:SubscriptionIds>'
                    '<t:SubscriptionId>%s</t:SubscriptionId>'
                    '</m:SubscriptionIds><m:ConnectionTimeout>1'
                    '</m:ConnectionTimeout></m:GetStreamingEvents>' % sid,
                    version="Exchange2013").encode()
    s = socket.create_connection(("127.0.0.1", nginx.port))
    auth = __import__("base64").b64encode(
        ("%s:%s" % (ALICE, USERS[ALICE][1])).encode()).decode()
    s.sendall(b"POST /EWS/Exchange.asmx HTTP/1.1\r\nHost: x\r\n"
              b"Authorization: Basic " + auth.encode() +
              b"\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n"
              % len(body) + body)
    s.settimeout(30)
    first = s.recv(65536)
    assert b"200 OK" in first
    os.kill(server_side_worker(nginx, s), signal.SIGKILL)
    s.settimeout(30)
    assert wait_until(lambda: s.recv(65536) == b"")
    s.close()

    for i in range(5):
        deliver(nginx, "while reconnecting %d" % i)
    got = stream_until(a.inbox, sid, 5)
    assert len(item_events(got)) == 5
    forget_killed(nginx)


# push

class PushListener:
    """A small HTTP server that takes SendNotification POSTs."""

    def __init__(self):
        self.posts = []
        self.answer = "OK"
        self.fail = 0                    # this many 500s first
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers["Content-Length"])
                body = self.rfile.read(n)
                if outer.fail:
                    outer.fail -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                outer.posts.append(ET.fromstring(body))
                out = ('<?xml version="1.0"?><s:Envelope xmlns:s="%s">'
                       '<s:Body><SendNotificationResult xmlns="%s">'
                       '<SubscriptionStatus>%s</SubscriptionStatus>'
                       '</SendNotificationResult></s:Body></s:Envelope>'
                       % (NS["s"], NS_M, outer.answer)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      Handler)
        self.url = "http://127.0.0.1:%d/ews/push" % self.server.server_port
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()

    def events(self):
        out = []
        for p in self.posts:
            for n in p.iter("{%s}Notification" % NS_M):
                for e in n:
                    if e.tag.endswith("Event"):
                        out.append(e)
        return out

    def names(self):
        return [e.tag.split("}")[1] for e in self.events()]

    def close(self):
        self.server.shutdown()


@pytest.fixture
def listener():
    p = PushListener()
    yield p
    p.close()


def test_push_delivers_status_then_events(make_nginx, listener):
    nginx = make_nginx(workers=4)
    a = account(nginx)
    sid, wm = a.inbox.subscribe_to_push(listener.url,
                                        event_types=["NewMailEvent"])
    # a new subscription hears at once
    assert wait_until(lambda: listener.names() == ["StatusEvent"])
    for i in range(5):
        deliver(nginx, "pushed %d" % i)
    assert wait_until(lambda: listener.names().count("NewMailEvent") == 5)
    ids = [e.find("t:ItemId", NS).get("Id") for e in listener.events()
           if e.tag.endswith("NewMailEvent")]
    assert len(set(ids)) == 5
    sub_ids = {p.find(".//t:SubscriptionId", NS).text
               for p in listener.posts}
    assert sub_ids == {sid}

    # the client answers Unsubscribe: the subscription ends
    listener.answer = "Unsubscribe"
    n = len(listener.posts)
    deliver(nginx, "the last")
    assert wait_until(lambda: len(listener.posts) == n + 1)
    r = soap(nginx, '<m:Unsubscribe><m:SubscriptionId>%s</m:SubscriptionId>'
                    '</m:Unsubscribe>' % sid)
    assert [code for _, code, _ in messages(r)] == \
        ["ErrorSubscriptionNotFound"]


def test_push_retries_a_failing_client_and_loses_nothing(make_nginx,
                                                         listener):
    nginx = make_nginx(workers=2, http="exch_ews_push_retry 1s;")
    a = account(nginx)
    listener.fail = 3
    a.inbox.subscribe_to_push(listener.url, event_types=["NewMailEvent"])
    deliver(nginx, "despite failures")
    assert wait_until(lambda: "NewMailEvent" in listener.names(), 60)
    assert listener.fail == 0
    assert listener.names().count("NewMailEvent") == 1
    # the three failures are the server's business, logged as warnings
    log = os.path.join(nginx.prefix, "error.log")
    assert open(log).read().count("exch: EWS push to") >= 3


def test_push_subscription_moves_to_another_worker(make_nginx, listener):
    nginx = make_nginx(workers=2)
    a = account(nginx)
    a.inbox.subscribe_to_push(listener.url, event_types=["NewMailEvent"])
    assert wait_until(lambda: listener.names() == ["StatusEvent"])
    for pid in workers(nginx):
        os.kill(pid, signal.SIGKILL)
    deliver(nginx, "to the new workers")
    # the lease runs out; a new worker adopts the subscription
    assert wait_until(lambda: "NewMailEvent" in listener.names(), 90)
    forget_killed(nginx)


def test_pull_sees_changes_made_over_mapi(make_nginx):
    """A message made, changed and deleted by a MAPI client: the EWS
    subscription hears Created, Modified, Deleted of one item, in order."""
    import mapihttp as mh
    from test_mapihttp import INBOX, one, open_folder, session

    nginx = make_nginx(workers=4)
    a = account(nginx)
    sid, wm = a.inbox.subscribe_to_pull(
        event_types=["CreatedEvent", "ModifiedEvent", "DeletedEvent"])

    mb = session(nginx, fresh=True)
    inbox = mb.fids[INBOX]
    open_folder(mb, inbox, "inbox")
    one(mb, mh.rop_create_message(0, 1, inbox), i="logon", o="m")
    assert one(mb, mh.rop_set_properties(0, [(mh.PR_SUBJECT, "Over MAPI")]),
               i="m")["rv"] == 0
    rs = one(mb, mh.rop_save_changes_message(0, 0), i="m")
    assert rs["rv"] == 0
    mid = rs["mid"]
    assert one(mb, mh.rop_set_properties(0, [(mh.PR_SUBJECT, "Changed")]),
               i="m")["rv"] == 0
    assert one(mb, mh.rop_save_changes_message(0, 0), i="m")["rv"] == 0
    assert one(mb, mh.rop_delete_messages(0, [mid]), i="inbox")["rv"] == 0

    events, _ = pull_all(a.inbox, sid, wm)
    got = item_events(events)
    assert [g[0] for g in got] == ["Created", "Modified", "Deleted"]
    assert len({g[1] for g in got}) == 1
