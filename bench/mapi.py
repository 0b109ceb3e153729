"""MAPI over HTTP requests per second, as ratios of nginx's "return 200"
in the same run:

  EMSMDB Execute: Logon, OpenFolder (Inbox), GetContentsTable, SetColumns
                  (Outlook's columns), QueryRows of 50 rows, Release
  NSPI QueryRows: 50 entries of the GAL with Outlook's columns

Sessions are made before the run (Connect, Bind), one per wrk thread, and
the Lua script carries each thread's cookies: the sequence cookie changes
with every request, so a thread has one connection and sends its requests
one after the other, as a client does.  The baseline runs with the same
threads and connections."""

import base64
import os
import sys
import tempfile

import benchlib
from conftest import USERS, exchctl

sys.path.insert(0, os.path.join(benchlib.TOP, "t"))

import mapiclient as mc  # noqa: E402
import mapihttp as mh  # noqa: E402
from test_mapihttp import OUTLOOK_COLUMNS  # noqa: E402

ALICE = "alice@example.test"
THREADS = int(os.environ.get("EXCH_BENCH_MAPI_THREADS", "8"))


def lua_bytes(b):
    return '"' + "".join("\\%d" % c for c in b) + '"'


def lua_script(path, rtype, body, sessions):
    """Each thread posts body with its session's cookies and takes the
    sequence cookie of each answer for the next request."""
    auth = base64.b64encode(("%s:%s" % (ALICE, USERS[ALICE][1]))
                            .encode()).decode()
    rows = ",\n".join('  {sid = "%s", seq = "%s"}' % s for s in sessions)
    text = """
local sessions = {
%s
}
local counter = 1
local threads = {}
local body = %s

function setup(thread)
  thread:set("sid", sessions[counter].sid)
  thread:set("seq", sessions[counter].seq)
  thread:set("failed", 0)
  threads[counter] = thread
  counter = counter + 1
end

request = function()
  return wrk.format("POST", "%s", {
    ["Authorization"] = "Basic %s",
    ["Content-Type"] = "application/mapi-http",
    ["X-RequestType"] = "%s",
    ["X-RequestId"] = "{bench}:1",
    ["X-ClientInfo"] = "{bench}-1",
    ["Cookie"] = "sid=" .. sid .. "; sequence=" .. seq
  }, body)
end

response = function(status, headers, body)
  local c = headers["Set-Cookie"]
  if c then
    local s = string.match(c, "sequence=(%%x+)")
    if s then seq = s end
  end
  if headers["X-ResponseCode"] ~= "0" then
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do
    n = n + t:get("failed")
  end
  io.write(string.format("X-ResponseCode failures: %%d\n", n))
end
""" % (rows, lua_bytes(body), path, auth, rtype)
    f = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    f.write(text)
    f.close()
    return f.name


def populate(store):
    """200 messages in alice's Inbox, 60 more users in the GAL."""
    d = tempfile.mkdtemp(prefix="exch-bench-mapi-")
    with open(os.path.join(d, "inbox.mbox"), "w") as f:
        for i in range(200):
            f.write("From bench@example.test Mon Jan  1 00:00:00 2024\n"
                    "From: Bench %d <bench%d@example.test>\n"
                    "To: alice@example.test\nSubject: Benchmark %03d\n"
                    "Date: Mon, 1 Jan 2024 00:%02d:00 +0000\n\n"
                    "Body of message %d.\n\n" % (i, i, i, i % 60, i))
    exchctl(store, "import", ALICE, "--folder", "Inbox", "--quiet",
            os.path.join(d, "inbox.mbox"))
    for i in range(60):
        exchctl(store, "user", "add", "user%02d@example.test" % i,
                "--name", "User %02d" % i)


def execute_body(dn):
    cols = OUTLOOK_COLUMNS
    inbox = mh.global_id(1, 0x0D)
    rops = [mh.rop_logon(0, dn), mh.rop_open_folder(0, 1, inbox),
            mh.rop_get_contents_table(1, 2), mh.rop_set_columns(2, cols),
            mh.rop_query_rows(2, 50, cols), mh.rop_release(0)]
    buf = mh.rop_buffer(rops, [0xFFFFFFFF] * 3)
    return mh.execute_request(mh.rpc_header_ext(buf), max_rop_out=0x40000)


def check(n, dn):
    """One Execute as the benchmark sends it answers 50 rows."""
    http = mc.Http(n, ALICE, USERS[ALICE][1])
    mb = mc.Mailbox(http, dn)
    mb.connect()
    cols = OUTLOOK_COLUMNS
    inbox = mh.global_id(1, 0x0D)
    rsp, rs, _ = mb.run([
        (mh.rop_logon(0, dn), {"out": "l"}),
        (mh.rop_open_folder(0, 1, inbox), {"in": "l", "out": "f"}),
        (mh.rop_get_contents_table(1, 2), {"in": "f", "out": "t"}),
        (mh.rop_set_columns(2, cols), {"in": "t"}),
        (mh.rop_query_rows(2, 50, cols), {"in": "t"}),
        (mh.rop_release(0), {"in": "l"})], slots=["l", "f", "t"])
    assert len(rs[4]["rows"]) == 50, rs
    mb.disconnect()


def main():
    n = benchlib.server()
    populate(n.store)
    n.start()
    try:
        dn = mc.legacy_dn(n.store, ALICE)
        check(n, dn)
        base, _ = benchlib.wrk(n.url("/return200"), threads=THREADS,
                               connections=THREADS)

        sessions = []
        for _ in range(THREADS):
            http = mc.Http(n, ALICE, USERS[ALICE][1])
            mc.Mailbox(http, dn).connect()
            sessions.append((http.jar["sid"], http.jar["sequence"]))
        script = lua_script("/mapi/emsmdb/", "Execute", execute_body(dn),
                            sessions)
        rps, bad = benchlib.wrk(n.url("/mapi/emsmdb/"), script,
                                threads=THREADS, connections=THREADS)
        benchlib.report("MAPI Execute: logon..QueryRows 50", rps, base, bad,
                        expect=0.15)

        sessions = []
        cols = [mh.tag(mh.PT_UNICODE, 0x3001), mh.tag(mh.PT_UNICODE, 0x3003),
                mh.tag(mh.PT_UNICODE, 0x39FE), mh.tag(mh.PT_LONG, 0x3900),
                mh.tag(mh.PT_BINARY, 0x0FFF), mh.tag(mh.PT_BINARY, 0x0FF6)]
        for _ in range(THREADS):
            http = mc.Http(n, ALICE, USERS[ALICE][1])
            b = mc.Book(http)
            b.bind()
            rsp = b.call("QueryRows", mh.nspi_query_rows(mh.stat(), cols,
                                                         count=50))
            assert len(rsp["rows"]) == 50
            sessions.append((http.jar["sid"], http.jar["sequence"]))
        script = lua_script("/mapi/nspi/", "QueryRows",
                            mh.nspi_query_rows(mh.stat(), cols, count=50),
                            sessions)
        rps, bad = benchlib.wrk(n.url("/mapi/nspi/"), script,
                                threads=THREADS, connections=THREADS)
        benchlib.report("NSPI QueryRows 50", rps, base, bad, expect=0.15)
        with open("/proc/loadavg") as f:
            print("load average: %s" % " ".join(f.read().split()[:3]))
    finally:
        n.stop()


if __name__ == "__main__":
    main()
