"""What the EWS tests share: an exchangelib account on a test server, raw
SOAP requests, and the namespaces of the answers."""

import os
import subprocess
import xml.etree.ElementTree as ET

import requests
from exchangelib import (BASIC, DELEGATE, Account, Configuration,
                         Credentials)

from conftest import BUILD, USERS

ALICE = "alice@example.test"
BOB = "bob@example.test"
CAROL = "carol@example.test"

NS_SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
NS_M = "http://schemas.microsoft.com/exchange/services/2006/messages"
NS_T = "http://schemas.microsoft.com/exchange/services/2006/types"
NS_E = "http://schemas.microsoft.com/exchange/services/2006/errors"
NS = {"s": NS_SOAP, "m": NS_M, "t": NS_T, "e": NS_E}

SEED = os.path.join(BUILD, "bin", "exch-seed")


def account(nginx, user=ALICE, version=None):
    """An exchangelib account that finds the server version itself (as it
    does in the wild), unless a version is given."""
    creds = Credentials(user, USERS[user][1])
    cfg = Configuration(service_endpoint=nginx.url("/EWS/Exchange.asmx"),
                        credentials=creds, auth_type=BASIC, version=version)
    return Account(user, credentials=creds, config=cfg, autodiscover=False,
                   access_type=DELEGATE)


def envelope(body, version="Exchange2016", header=""):
    head = ""
    if version:
        head = '<t:RequestServerVersion Version="%s"/>' % version
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<soap:Envelope xmlns:soap="%s" xmlns:t="%s" xmlns:m="%s">'
            '<soap:Header>%s%s</soap:Header><soap:Body>%s</soap:Body>'
            '</soap:Envelope>' % (NS_SOAP, NS_T, NS_M, head, header, body))


def post(nginx, data, user=ALICE, path="/EWS/Exchange.asmx", **kw):
    auth = (user, USERS[user][1]) if user else None
    if isinstance(data, str):
        data = data.encode()
    return requests.post(nginx.url(path), data=data, auth=auth,
                         headers={"Content-Type": "text/xml; charset=utf-8"},
                         **kw)


def soap(nginx, body, user=ALICE, version="Exchange2016", header="",
         status=200):
    """Posts one operation; returns the parsed envelope."""
    r = post(nginx, envelope(body, version, header), user)
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"] == "text/xml; charset=utf-8"
    return ET.fromstring(r.content)


def messages(root):
    """The response messages of an answer: (class, code, element)."""
    out = []
    for rm in root.iter():
        if rm.tag.startswith("{%s}" % NS_M) and rm.get("ResponseClass") \
                and rm.find("m:ResponseCode", NS) is not None:
            out.append((rm.get("ResponseClass"),
                        rm.find("m:ResponseCode", NS).text, rm))
    return out


def fault(root):
    """The faultcode and the e:ResponseCode of a SOAP fault."""
    f = root.find("s:Body/s:Fault", NS)
    assert f is not None, ET.tostring(root)
    return f.find("faultcode").text, f.find("detail/e:ResponseCode", NS).text


def server_version(root):
    return root.find("s:Header/t:ServerVersionInfo", NS)


def seed(nginx, user, folder, count):
    """Messages straight into the store (tools/exch-seed.c)."""
    r = subprocess.run([SEED, "--store", nginx.store, user, folder,
                        str(count)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return int(r.stdout)
