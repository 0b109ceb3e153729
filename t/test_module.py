"""The module loads into the stock nginx and every endpoint reaches us."""

import os
import shutil
import subprocess

import pytest
import requests

from conftest import MODULE, NGINX, TOP, sanitizer_env

ENDPOINTS = [
    ("/autodiscover/autodiscover.xml", "Autodiscover"),
    ("/Autodiscover/Autodiscover.xml", "Autodiscover"),
    ("/autodiscover/autodiscover.svc", "Autodiscover"),
    ("/autodiscover/autodiscover.json/v1.0/a@example.test", "Autodiscover"),
    ("/.well-known/autoconfig/mail/config-v1.1.xml", "Autodiscover"),
    ("/mail/config-v1.1.xml", "Autodiscover"),
    ("/mapi/emsmdb/", "MAPI"),
    ("/mapi/nspi/", "MAPI"),
    ("/rpc/rpcproxy.dll", "MAPI"),
    ("/EWS/Exchange.asmx", "EWS"),
    ("/ews/exchange.asmx", "EWS"),
]


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


@pytest.mark.parametrize("path,protocol", ENDPOINTS)
def test_endpoint_reaches_its_handler(nginx, path, protocol):
    r = requests.post(nginx.url(path), data=b"")
    assert r.status_code == 501
    assert r.text == "exch: %s is not built yet\n" % (
        "MAPI over HTTP" if protocol == "MAPI" else protocol)


def test_https_reaches_ews_with_curl(nginx):
    r = subprocess.run(["curl", "-ks", "-o", "-", "-w", "%{http_code}",
                        nginx.url("/EWS/Exchange.asmx", ssl=True)],
                       capture_output=True, text=True, check=True)
    assert r.stdout == "exch: EWS is not built yet\n501"


def test_unknown_path_is_not_ours(nginx):
    r = requests.get(nginx.url("/EWS/Exchange.asmx.bak"))
    assert r.status_code == 404
