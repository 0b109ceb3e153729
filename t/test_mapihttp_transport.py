"""MAPI over HTTP transport: headers, cookies, meta-tags, every
X-ResponseCode failure with its body, session expiry, foreign sessions,
bad input, NotificationWait, and a session served by 4 workers with a new
connection for every request."""

import base64
import os
import re
import signal
import socket
import struct
import time

import pytest
import requests

import mapiclient as mc
import mapihttp as mh
from conftest import USERS
from test_mapihttp import (ALICE, BOB, INBOX, OUTBOX, PR_ATTACH_METHOD,
                           deliver, one, open_folder, read_stream, session)
from test_mapihttp_rops import table


def raw(srv, rtype, body=b"", user=ALICE, endpoint="emsmdb", headers=None,
        cookies=None, method="POST", path=None, auth=True):
    h = {"X-RequestType": rtype, "X-RequestId": "{1}-1",
         "X-ClientInfo": "{1}-1", "Content-Type": "application/mapi-http"}
    for k, v in (headers or {}).items():
        if v is None:
            h.pop(k, None)
        else:
            h[k] = v
    url = srv.url(path or "/mapi/%s/?MailboxId=x@example.test" % endpoint)
    return requests.request(method, url, data=body, headers=h,
                            cookies=cookies or {},
                            auth=(user, USERS[user][1]) if auth else None)


def code(r):
    assert r.status_code == 200, r.status_code
    return int(r.headers["X-ResponseCode"])


def failed(r, rc):
    """A failure: HTTP 200, X-ResponseCode rc, a text/html page naming it
    (MS-OXCMAPIHTTP 2.2.3.3.3)."""
    assert code(r) == rc, (r.headers, r.text)
    assert r.headers["Content-Type"].startswith("text/html")
    assert re.search(r"<h1>%d [A-Z]" % rc, r.text), r.text
    return True


def connect_body(srv, user=ALICE):
    return mh.connect_request(mc.legacy_dn(srv.store, user))


@pytest.fixture
def srv(make_nginx):
    return make_nginx()


def test_success_carries_the_documented_headers_and_cookies(srv):
    r = raw(srv, "Connect", connect_body(srv),
            headers={"X-RequestId": "{abc}:7", "X-ClientInfo": "{abc}-3"})
    assert code(r) == 0
    h = r.headers
    assert h["Content-Type"] == "application/mapi-http"
    assert h["X-RequestType"] == "Connect"
    assert h["X-RequestId"] == "{abc}:7"
    assert h["X-ClientInfo"] == "{abc}-3"
    assert h["X-ServerApplication"].startswith("Exchange/15.")
    assert int(h["X-PendingPeriod"]) > 0
    assert int(h["X-ExpirationInfo"]) > 0
    assert h["Cache-Control"] == "private"
    assert set(r.cookies.keys()) == {"sid", "sequence"}
    for c in r.cookies:
        assert c.path == "/mapi/emsmdb"
    tags, extra, data = mh.split_meta(r.content)
    assert tags == ["PROCESSING", "DONE"]
    assert int(extra["X-ElapsedTime"]) >= 0
    rsp = mh.parse_connect_response(data)
    assert rsp["status"] == 0 and rsp["error"] == 0
    assert rsp["display_name"] == "Alice Anders"


def test_disconnect_ends_the_session_and_clears_the_cookies(srv):
    mb = session(srv)
    jar = dict(mb.http.jar.items())
    assert mb.disconnect()["error"] == 0
    cleared = [c for c in mb.http.last.headers.get("Set-Cookie", "").split(",")]
    assert any("sid=" in c and ("Max-Age=0" in c or "expires" in c.lower())
               for c in cleared)
    r = raw(srv, "Execute", mh.execute_request(b""), cookies=jar)
    assert failed(r, 10)


RC_UNKNOWN, RC_VERB, RC_PATH, RC_HEADER, RC_TYPE, RC_COOKIE, RC_MISSING, \
    RC_ANONYMOUS, RC_TOO_LARGE, RC_CONTEXT, RC_PRIVILEGE, RC_BODY, \
    RC_NO_COOKIE, _, RC_SEQUENCE = range(1, 16)
RC_SHUTTING_DOWN = 18


def test_every_request_header_failure_has_its_code(srv):
    body = connect_body(srv)
    assert failed(raw(srv, "Connect", body, method="PUT"), RC_VERB)
    assert failed(raw(srv, "Connect", method="GET"), RC_VERB)
    assert failed(raw(srv, "Connect", body,
                      headers={"X-RequestType": None}), RC_MISSING)
    assert failed(raw(srv, "Connect", body,
                      headers={"X-RequestId": None}), RC_MISSING)
    assert failed(raw(srv, "Connect", body,
                      headers={"X-ClientInfo": None}), RC_MISSING)
    assert failed(raw(srv, "Frobnicate", body), RC_TYPE)
    # NSPI's request types are not EMSMDB's and the other way round
    assert failed(raw(srv, "Bind", body), RC_TYPE)
    assert failed(raw(srv, "Execute", body, endpoint="nspi"), RC_TYPE)
    assert failed(raw(srv, "Connect", body,
                      headers={"Content-Type": "text/plain"}), RC_HEADER)
    # the request type is case-insensitive, as Exchange takes it
    assert code(raw(srv, "connect", body)) == 0


def test_cookie_failures(srv):
    mb = session(srv)
    good = dict(mb.http.jar.items())
    ex = mh.execute_request(mh.rpc_header_ext(mh.rop_buffer([], [])))
    assert failed(raw(srv, "Execute", ex), RC_NO_COOKIE)
    assert failed(raw(srv, "Execute", ex,
                      cookies={"sid": "not-a-session", "sequence": "x"}),
                  RC_COOKIE)
    other = dict(good, sid=good["sid"][:-4] + (
        "0000" if good["sid"][-4:] != "0000" else "1111"))
    assert failed(raw(srv, "Execute", ex, cookies=other), RC_CONTEXT)
    # bob presenting alice's session
    assert failed(raw(srv, "Execute", ex, cookies=good, user=BOB),
                  RC_PRIVILEGE)
    # a sequence cookie already used: a replay
    r = raw(srv, "Execute", ex, cookies=good)
    assert code(r) == 0
    assert r.cookies["sequence"] != good["sequence"]
    assert failed(raw(srv, "Execute", ex, cookies=good), RC_SEQUENCE)
    assert failed(raw(srv, "Execute", ex, cookies=dict(
        good, sequence=r.cookies["sequence"]), user=BOB), RC_PRIVILEGE)
    # the current one still works
    assert code(raw(srv, "Execute", ex, cookies=dict(
        good, sequence=r.cookies["sequence"]))) == 0


@pytest.mark.parametrize("rtype", ["Connect", "Execute", "Disconnect",
                                   "NotificationWait"])
def test_garbage_bodies_are_invalid_request_bodies(srv, rtype):
    mb = session(srv)
    jar = dict(mb.http.jar.items())
    for junk in (b"", b"\x01", b"\xff" * 7, os.urandom(64),
                 b"\xff\xff\xff\x7f" * 40):
        if rtype == "Connect":
            r = raw(srv, rtype, junk)
        else:
            r = raw(srv, rtype, junk, cookies=jar)
        if r.headers["X-ResponseCode"] == "0":
            # a body that parses is answered in its own terms
            assert junk and rtype == "Disconnect"
            break
        assert failed(r, RC_BODY)
        if "sequence" in r.cookies:
            jar["sequence"] = r.cookies["sequence"]


def test_too_large_and_anonymous_and_wrong_path(make_nginx):
    srv = make_nginx(server="""
        exch_mapi_max_body 4k;
        location ~ ^/anon/mapi/emsmdb { exch_mapi; exch_auth off; }
        location /mapi/other { exch_mapi; }
    """)
    body = mh.execute_request(b"x" * 8000)
    mb = session(srv)
    assert failed(raw(srv, "Execute", body, cookies=dict(mb.http.jar.items())),
                  RC_TOO_LARGE)
    assert failed(raw(srv, "Connect", connect_body(srv), auth=False,
                      path="/anon/mapi/emsmdb/"), RC_ANONYMOUS)
    assert failed(raw(srv, "Connect", connect_body(srv),
                      path="/mapi/other/"), RC_PATH)
    r = requests.post(srv.url("/rpc/rpcproxy.dll"),
                      auth=(ALICE, USERS[ALICE][1]))
    assert r.status_code == 501 and "RPC over HTTP" in r.text


def test_connect_for_someone_elses_dn_is_refused(srv):
    r = raw(srv, "Connect", connect_body(srv, BOB))
    assert code(r) == 0
    rsp = mh.parse_connect_response(mh.split_meta(r.content)[2])
    assert rsp["status"] == 0
    assert rsp["error"] == 0x000003EB           # ecUnknownUser
    assert "sid" not in r.cookies


def test_an_expired_session_is_not_found(make_nginx):
    srv = make_nginx(server="exch_mapi_session_timeout 1s;")
    mb = session(srv)
    jar = dict(mb.http.jar.items())
    ex = mh.execute_request(mh.rpc_header_ext(mh.rop_buffer([], [])))
    time.sleep(2.2)
    assert failed(raw(srv, "Execute", ex, cookies=jar), RC_CONTEXT)


def test_sessions_per_user_are_bounded(make_nginx):
    srv = make_nginx(server="exch_mapi_max_sessions 3;")
    ex = mh.execute_request(mh.rpc_header_ext(mh.rop_buffer([], [])))
    jars = []
    for i in range(5):
        mb = session(srv)
        jars.append(dict(mb.http.jar.items()))
    # the least recently used went to make room; the three newest work
    ok = [code(raw(srv, "Execute", ex, cookies=j)) for j in jars]
    assert ok == [RC_CONTEXT, RC_CONTEXT, 0, 0, 0]
    # bob's sessions are his own count
    assert session(srv, BOB)


def test_handles_are_bounded_per_session(make_nginx):
    srv = make_nginx(server="exch_mapi_max_objects 6;")
    mb = session(srv)
    rvs = []
    for i in range(8):
        rs = one(mb, mh.rop_open_folder(0, 1, mb.fids[INBOX]),
                 i="logon", o="f%d" % i)
        rvs.append(rs["rv"])
    # the logon is one of the 6; every open after the limit fails with
    # ecMaxObjsExceeded (TooManyOpenObjects) and leaves the table as it was
    assert rvs == [0] * 5 + [0x000004DE] * 3


def test_notification_wait_parks_then_answers_no_event(make_nginx):
    srv = make_nginx(server="exch_mapi_notification_wait 2500ms;"
                            " exch_mapi_pending_period 1s;")
    mb = session(srv)
    r = mb.http.post("emsmdb", "NotificationWait",
                     mh.notification_wait_request(), raw=True)
    assert code(r) == 0
    assert r.headers["X-PendingPeriod"] == "1000"
    assert r.headers.get("Transfer-Encoding") == "chunked"
    tags, extra, data = mh.split_meta(r.content)
    assert tags[0] == "PROCESSING" and tags[-1] == "DONE"
    assert "PENDING" in tags
    rsp = mh.parse_notification_wait_response(data)
    assert rsp == {"status": 0, "error": 0, "event_pending": 0, "aux": b""}
    # the session goes on
    rs = one(mb, mh.rop_get_receive_folder(0, "IPM"), i="logon")
    assert rs["rv"] == 0


def test_a_request_that_completes_during_shutdown_is_told_so(srv):
    mb = session(srv)
    jar = "; ".join("%s=%s" % kv for kv in mb.http.jar.items())
    body = mh.execute_request(mh.rpc_header_ext(mh.rop_buffer([], [])))
    auth = base64.b64encode(
        ("%s:%s" % (ALICE, USERS[ALICE][1])).encode()).decode()
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(("POST /mapi/emsmdb/ HTTP/1.1\r\nHost: localhost\r\n"
               "Authorization: Basic %s\r\nCookie: %s\r\n"
               "X-RequestType: Execute\r\nX-RequestId: {1}-9\r\n"
               "X-ClientInfo: {1}-9\r\n"
               "Content-Type: application/mapi-http\r\n"
               "Content-Length: %d\r\n\r\n" % (auth, jar, len(body)))
              .encode() + body[:4])
    # the worker starts shutting down while the body is on its way
    srv.proc.send_signal(signal.SIGQUIT)
    deadline = time.time() + 10
    while "gracefully shutting down" not in srv.logs():
        assert time.time() < deadline
        time.sleep(0.05)
    s.sendall(body[4:])
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head = data.split(b"\r\n\r\n", 1)[0].decode()
    assert "X-ResponseCode: 18" in head
    assert re.search(r"<h1>18 ", data.decode())


def test_every_request_of_a_session_on_a_new_connection_to_any_worker(
        make_nginx, tmp_path):
    """4 workers behind a reuseport listener: the kernel spreads new
    connections over them, so the requests of one session land on
    different workers; all state is in the store."""
    from conftest import TOP, free_port
    port = free_port()
    srv = make_nginx(workers=4, http="""
        log_format pids '$pid $request_uri $http_x_requesttype';
        server {
            listen 127.0.0.1:%d reuseport;
            access_log %s/pids.log pids;
            include %s/conf/exch-locations.conf;
        }
    """ % (port, tmp_path, TOP))
    srv.port = port
    for i in range(12):
        deliver(srv.store, ALICE, "Spread %02d" % i)
    mb = session(srv, fresh=True)
    open_folder(mb, mb.fids[INBOX], "inbox")
    cols = [mh.PR_MID, mh.PR_SUBJECT]
    rsp, rs, _ = mb.run([
        (mh.rop_get_contents_table(0, 1), {"in": "inbox", "out": "t"}),
        (mh.rop_set_columns(1, cols), {"in": "t"}),
        (mh.rop_sort_table(1, [(mh.PR_SUBJECT, 0)]), {"in": "t"}),
    ], slots=["inbox", "t"])
    got = []
    for _ in range(6):
        rs = one(mb, mh.rop_query_rows(0, 2, cols), i="t")
        got += rs["rows"]
    assert [r[1] for r in got] == ["Spread %02d" % i for i in range(12)]
    # a message built over several requests: properties, recipients, an
    # attachment written in pieces, saved, submitted
    one(mb, mh.rop_create_message(0, 1, mb.fids[OUTBOX]), i="logon",
        o="m")
    one(mb, mh.rop_set_properties(0, [(mh.PR_SUBJECT, "Across workers"),
                                      (mh.PR_BODY, "spread thin")]), i="m")
    cols = [mh.PR_DISPLAY_NAME, mh.PR_EMAIL_ADDRESS, mh.PR_ADDRTYPE]
    row = mh.encode_recipient_row(cols, ["Bob Brown", BOB, "SMTP"],
                                  email=BOB, display_name="Bob Brown")
    assert one(mb, mh.rop_modify_recipients(0, cols, [(0, 1, row)]),
               i="m")["rv"] == 0
    one(mb, mh.rop_create_attachment(0, 1), i="m", o="a")
    one(mb, mh.rop_set_properties(0, [(mh.PR_ATTACH_FILENAME, "p.bin"),
                                      (PR_ATTACH_METHOD, 1)]), i="a")
    one(mb, mh.rop_open_stream(0, 1, mh.PR_ATTACH_DATA_BIN, flags=2),
        i="a", o="s")
    payload = bytes(range(251)) * 400
    for off in range(0, len(payload), 20000):
        rs = one(mb, mh.rop_write_stream(0, payload[off:off + 20000]),
                 i="s")
        assert rs["rv"] == 0
    assert one(mb, mh.rop_commit_stream(0), i="s")["rv"] == 0
    rsp, rs, _ = mb.run([(mh.rop_save_changes_attachment(1, 0),
                          {"in": "a"})], slots=["a", "m"])
    assert rs[0]["rv"] == 0
    assert one(mb, mh.rop_save_changes_message(0, 0), i="m")["rv"] == 0
    assert one(mb, mh.rop_submit_message(0), i="m")["rv"] == 0
    assert mb.disconnect()["error"] == 0
    bob = session(srv, BOB, fresh=True)
    open_folder(bob, bob.fids[INBOX], "inbox")
    (mid, subject), = table(
        bob, "inbox", mh.rop_get_contents_table, [mh.PR_MID, mh.PR_SUBJECT])
    assert subject == "Across workers"
    one(bob, mh.rop_open_message(0, 1, bob.fids[INBOX], mid), i="inbox",
        o="m")
    one(bob, mh.rop_open_attachment(0, 1, 0), i="m", o="a")
    one(bob, mh.rop_open_stream(0, 1, mh.PR_ATTACH_DATA_BIN), i="a", o="s")
    assert read_stream(bob, "s") == payload

    def logged():
        with open(tmp_path / "pids.log") as f:
            return [l.split() for l in f if "/mapi/" in l]

    # a worker writes its log line after the response has gone
    from test_mail import wait_until
    assert wait_until(lambda: len(logged()) == mb.http.n + bob.http.n)
    lines = logged()
    assert len({l[0] for l in lines}) >= 2, "one worker served everything"
