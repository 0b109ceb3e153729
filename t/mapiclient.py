"""A small MAPI over HTTP client for the tests, on t/mapihttp.py.

It speaks the transport (headers, cookies, meta-tags) and keeps a
session's server object handles by name; the ROP bytes come from
mapihttp.py, which is written from the specs independently of the server.
"""

import uuid

import requests

import mapihttp as mh

CLIENT_INFO = "{%s}-1" % uuid.uuid4()
NULL_HANDLE = 0xFFFFFFFF


class ResponseCodeError(Exception):
    def __init__(self, code, text):
        Exception.__init__(self, "X-ResponseCode %s: %s" % (code, text[:200]))
        self.code = int(code)
        self.text = text


class Http:
    """One user's HTTP side: auth, headers, the cookie jar.  fresh=True
    sends every request on a new connection (any worker may get it)."""

    def __init__(self, nginx, user, password, fresh=False):
        self.nginx = nginx
        self.auth = (user, password)
        self.fresh = fresh
        self.jar = requests.cookies.RequestsCookieJar()
        self.session = requests.Session()
        self.session.auth = self.auth
        self.session.cookies = self.jar
        self.n = 0
        self.last = None

    def post(self, endpoint, rtype, body, headers=None, raw=False):
        self.n += 1
        h = {"X-RequestType": rtype,
             "X-RequestId": "%s:%d" % (CLIENT_INFO, self.n),
             "X-ClientInfo": CLIENT_INFO,
             "X-ClientApplication": "Outlook/16.0.17928.20114",
             "Content-Type": "application/mapi-http",
             "User-Agent": "exch-tests"}
        if headers is not None:
            h.update(headers)
            h = {k: v for k, v in h.items() if v is not None}
        url = self.nginx.url("/mapi/%s/?MailboxId=x@example.test" % endpoint)
        if self.fresh:
            s = requests.Session()
            s.auth = self.auth
            s.cookies = self.jar
            s.headers["Connection"] = "close"
            r = s.post(url, data=body, headers=h)
            s.close()
        else:
            r = self.session.post(url, data=body, headers=h)
        self.last = r
        if raw:
            return r
        assert r.status_code == 200, r.status_code
        code = r.headers.get("X-ResponseCode")
        if code != "0":
            raise ResponseCodeError(code, r.text)
        assert r.headers["Content-Type"].startswith("application/mapi-http")
        assert r.headers["X-RequestType"].lower() == rtype.lower()
        tags, extra, data = mh.split_meta(r.content)
        assert tags[0] == "PROCESSING" and tags[-1] == "DONE", tags
        assert "X-ElapsedTime" in extra and "X-StartTime" in extra
        self.tags = tags
        return data


class Mailbox:
    """An EMSMDB session: Connect, then Executes with named handles."""

    def __init__(self, http, user_dn):
        self.http = http
        self.user_dn = user_dn
        self.handles = {}
        self.connect_response = None
        self.notes = []          # RopNotify / RopPending, as they came

    def connect(self, cpid=1252):
        data = self.http.post("emsmdb", "Connect",
                              mh.connect_request(self.user_dn, cpid=cpid))
        self.connect_response = mh.parse_connect_response(data)
        return self.connect_response

    def disconnect(self):
        return mh.parse_disconnect_response(
            self.http.post("emsmdb", "Disconnect", mh.disconnect_request()))

    def execute_raw(self, rop_chain, flags=0, max_out=0x40000, aux=b""):
        return mh.parse_execute_response(
            self.http.post("emsmdb", "Execute",
                           mh.execute_request(rop_chain, flags, max_out,
                                              aux)))

    def run(self, rops, flags=mh.RHE_XORMAGIC * 0, max_out=0x40000,
            slots=None, xor=False):
        """rops: (Rop, {"in": name, "out": name}) pairs or bare Rops whose
        indexes are handle table slots.  The table has one slot per named
        handle; out names are assigned the handles the server returns."""
        names = slots or []
        for item in rops:
            if isinstance(item, tuple):
                for key in ("in", "out", "src", "dst"):
                    n = item[1].get(key)
                    if n is not None and n not in names:
                        names.append(n)
        table = [self.handles.get(n, NULL_HANDLE) for n in names]
        plain = []
        for item in rops:
            plain.append(item[0] if isinstance(item, tuple) else item)
        buf = mh.rop_buffer(plain, table)
        rsp = self.execute_raw(mh.rpc_header_ext(buf, xor=xor), flags,
                               max_out)
        assert rsp["status"] == 0
        self.last_error = rsp["error"]
        if rsp["error"] != 0:
            return rsp, [], []
        payload, seen = mh.parse_rpc_header_ext(rsp["rop_buffer"])
        self.seen = seen
        self.payload = payload
        responses, handles = mh.parse_rop_responses(payload, plain,
                                                    self.notes)
        assert len(handles) == len(table)
        for i, n in enumerate(names):
            if handles[i] != NULL_HANDLE:
                self.handles[n] = handles[i]
            elif n in self.handles and table[i] != NULL_HANDLE:
                pass
        return rsp, responses, handles


def idx(names, name):
    return names.index(name)


class Book:
    """An NSPI session."""

    def __init__(self, http):
        self.http = http

    def call(self, rtype, body):
        data = self.http.post("nspi", rtype, body)
        return mh.parse_nspi_response(rtype, data)

    def bind(self, codepage=1252):
        return self.call("Bind", mh.nspi_bind(mh.stat(codepage=codepage)))

    def unbind(self):
        return self.call("Unbind", mh.nspi_unbind())


def legacy_dn(store, address):
    """The user's legacyExchangeDN, as exchctl user show prints it."""
    from conftest import exchctl
    out = exchctl(store, "user", "show", address).stdout
    for line in out.splitlines():
        if line.startswith("legacyExchangeDN: "):
            return line.split(": ", 1)[1]
    raise KeyError(address)


def user_info(store, address):
    from conftest import exchctl
    out = exchctl(store, "user", "show", address).stdout
    info = {}
    for line in out.splitlines():
        k, _, v = line.partition(": ")
        info[k] = v
    return info
