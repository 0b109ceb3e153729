"""MAPI over HTTP transport: headers, cookies, meta-tags, every
X-ResponseCode failure with its body, session expiry, foreign sessions,
bad input, NotificationWait, and a session served by 4 workers with a new
connection for every request."""

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
from test_mapihttp import (ALICE, BOB, INBOX, OUTLOOK_COLUMNS, deliver,
                           one, open_folder, session)


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
