"""HTTP Basic authentication of every exch endpoint (the access phase of
ngx_exch_http_module), with real HTTP clients."""

import os
import re

import pytest
import requests

from conftest import USERS, exchctl

EWS = "/EWS/Exchange.asmx"
ALICE = "alice@example.test"
ALICE_PW = USERS[ALICE][1]


def post(n, login=None, password=None, path=EWS, **kw):
    auth = (login, password) if login is not None else None
    return requests.post(n.url(path), data=b"<x/>", auth=auth, **kw)


def test_no_credentials_get_a_basic_challenge(nginx):
    r = post(nginx)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Basic realm="exch"'


@pytest.mark.parametrize("login", [
    "alice@example.test", "ALICE@Example.Test", "EXAMPLE\\alice",
    "example.test\\alice", "\\alice", "alice"])
def test_every_login_form_reaches_the_handler(nginx, login):
    r = post(nginx, login, ALICE_PW)
    assert r.status_code != 401, login


def test_wrong_password_is_refused_and_logged(nginx):
    r = post(nginx, ALICE, "wrong")
    assert r.status_code == 401
    assert 'Basic realm="exch"' in r.headers["WWW-Authenticate"]
    nginx.stop()
    log = open(os.path.join(nginx.prefix, "error.log")).read()
    assert re.search(r'\[warn\].*login failed for "alice@example.test" '
                     r'from 127\.0\.0\.1', log)


def test_unknown_user_is_refused(nginx):
    assert post(nginx, "nobody@example.test", "x").status_code == 401
    assert post(nginx, "nobody", "x").status_code == 401


def test_a_password_change_takes_effect_at_once(make_nginx):
    n = make_nginx(workers=2)
    for _ in range(4):
        assert post(n, ALICE, ALICE_PW).status_code != 401
    exchctl(n.store, "user", "passwd", ALICE, "--password", "new-Secret-9")
    for _ in range(4):
        assert post(n, ALICE, ALICE_PW).status_code == 401
        assert post(n, ALICE, "new-Secret-9").status_code != 401


def test_a_disabled_user_is_refused(nginx):
    exchctl(nginx.store, "user", "set", ALICE, "--disable")
    assert post(nginx, ALICE, ALICE_PW).status_code == 401


def test_plain_user_is_ambiguous_with_two_domains(nginx):
    exchctl(nginx.store, "domain", "add", "other.test")
    exchctl(nginx.store, "user", "add", "alice@other.test", "--password",
            ALICE_PW)
    assert post(nginx, "alice", ALICE_PW).status_code == 401
    assert post(nginx, "OTHER\\alice", ALICE_PW).status_code != 401
    assert post(nginx, ALICE, ALICE_PW).status_code != 401
    assert post(nginx, "bob", USERS["bob@example.test"][1]).status_code != 401


def test_exch_user_variable_in_the_access_log(make_nginx):
    n = make_nginx(http="log_format exch '[$exch_user] $status';",
                   server="access_log access.log exch;")
    post(n, ALICE, ALICE_PW)
    post(n)
    n.stop()
    lines = open(os.path.join(n.prefix, "access.log")).read().splitlines()
    assert lines[0].startswith("[alice@example.test] ")
    assert lines[1] == "[-] 401"


def test_repeated_failures_slow_down_but_do_not_lock_out(make_nginx):
    n = make_nginx(http="exch_auth_failures 2;\n"
                        "exch_auth_failure_delay 300ms;")
    for _ in range(3):
        assert post(n, ALICE, "wrong").status_code == 401
    # over the limit: the next attempt waits, and then still succeeds
    assert post(n, ALICE, ALICE_PW).status_code != 401
    n.stop()
    log = open(os.path.join(n.prefix, "error.log")).read()
    assert "exch: delaying login" in log


def test_trusted_remote_user(make_nginx):
    n = make_nginx(server="""
        location = /trusted/EWS/Exchange.asmx {
            exch_auth_trust_remote_user on;
            exch_ews;
        }""")
    # the front end vouched for bob; his password is not checked here
    r = post(n, "bob@example.test", "not-checked",
             path="/trusted/EWS/Exchange.asmx")
    assert r.status_code not in (401, 403)
    assert post(n, path="/trusted/EWS/Exchange.asmx").status_code == 403
    r = post(n, "nobody@example.test", "x",
             path="/trusted/EWS/Exchange.asmx")
    assert r.status_code == 403


def test_autoconfig_needs_no_credentials(nginx):
    r = requests.get(nginx.url(
        "/mail/config-v1.1.xml?emailaddress=alice@example.test"))
    assert r.status_code == 200


def test_a_cached_login_does_not_let_another_password_in(nginx):
    assert post(nginx, ALICE, ALICE_PW).status_code != 401
    assert post(nginx, ALICE, ALICE_PW + "x").status_code == 401
    assert post(nginx, ALICE, ALICE_PW[:-1]).status_code == 401
    assert post(nginx, ALICE, ALICE_PW).status_code != 401
