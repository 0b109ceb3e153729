"""The module loads into the stock nginx and every endpoint reaches us."""

import os
import shutil
import subprocess

import pytest
import requests

from conftest import MODULE, NGINX, TOP, USERS, sanitizer_env

# path, protocol, answer of an authenticated empty POST (or GET)
ENDPOINTS = [
    ("/autodiscover/autodiscover.xml", "Autodiscover", 200),
    ("/Autodiscover/Autodiscover.xml", "Autodiscover", 200),
    ("/autodiscover/autodiscover.svc", "Autodiscover", 400),
    ("/autodiscover/autodiscover.json/v1.0/a@example.test", "Autodiscover",
     400),
    ("/mapi/emsmdb/", "MAPI", 200),
    ("/mapi/nspi/", "MAPI", 200),
    ("/rpc/rpcproxy.dll", "RPC over HTTP", 501),
    ("/EWS/Exchange.asmx", "EWS", 500),       # a SOAP fault: no envelope
    ("/ews/exchange.asmx", "EWS", 500),
]

ALICE = ("alice@example.test", USERS["alice@example.test"][1])


def test_example_config_passes_nginx_t(tmp_path):
    """conf/nginx.conf, as make run uses it, passes nginx -t."""
    shutil.copytree(os.path.join(TOP, "conf"), tmp_path / "conf")
    (tmp_path / "build" / "modules").mkdir(parents=True)
    os.symlink(MODULE, tmp_path / "build" / "modules" /
               "ngx_exch_module.so")
    (tmp_path / "var" / "tls").mkdir(parents=True)
    (tmp_path / "var" / "tmp").mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
         "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(tmp_path / "var/tls/key.pem"),
         "-out", str(tmp_path / "var/tls/cert.pem")],
        check=True, capture_output=True)
    r = subprocess.run([NGINX, "-p", str(tmp_path) + "/",
                        "-c", "conf/nginx.conf", "-t"],
                       capture_output=True, text=True,
                       env=sanitizer_env(str(tmp_path)))
    assert r.returncode == 0, r.stderr
    assert "test is successful" in r.stderr


@pytest.mark.parametrize("path,protocol,status", ENDPOINTS)
def test_endpoint_reaches_its_handler(nginx, path, protocol, status):
    assert requests.post(nginx.url(path), data=b"").status_code == 401
    if "json" in path:
        r = requests.get(nginx.url(path), auth=ALICE)
    else:
        r = requests.post(nginx.url(path), data=b"", auth=ALICE)
    assert r.status_code == status
    if status == 501:
        assert r.text == "exch: %s is not built yet\n" % protocol
    if protocol == "MAPI":
        # no X-RequestType: MS-OXCMAPIHTTP's Missing Header
        assert r.headers["X-ResponseCode"] == "7"


@pytest.mark.parametrize("path", [
    "/.well-known/autoconfig/mail/config-v1.1.xml",
    "/mail/config-v1.1.xml"])
def test_autoconfig_is_public(nginx, path):
    r = requests.get(nginx.url(path + "?emailaddress=a%40example.test"))
    assert r.status_code == 200


def test_https_reaches_ews_with_curl(nginx):
    r = subprocess.run(["curl", "-ks", "-o", "-", "-w", "%{http_code}",
                        "-d", "", "-u", "%s:%s" % ALICE,
                        nginx.url("/EWS/Exchange.asmx", ssl=True)],
                       capture_output=True, text=True, check=True)
    assert r.stdout.endswith("</s:Envelope>500")
    assert "a:ErrorSchemaValidation" in r.stdout


def test_unknown_path_is_not_ours(nginx):
    r = requests.get(nginx.url("/EWS/Exchange.asmx.bak"))
    assert r.status_code == 404
