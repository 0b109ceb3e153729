"""Notifications: the time from `exchctl deliver` to a waiting MAPI
NotificationWait being answered (EventPending), median and 99th
percentile over many deliveries, while 1,000 idle sessions of another user
have a NotificationWait parked; the memory a parked request costs (the
workers' RSS growth when the 1,000 park, divided by 1,000) and the CPU the
workers use in 10 s with the 1,000 parked (it should be nothing).

The latency includes starting exchctl (a process per delivery); the time
exchctl alone takes for a delivery nobody waits for is printed beside it.
"""

import base64
import os
import socket
import subprocess
import sys
import time

import benchlib
from conftest import USERS, EXCHCTL

sys.path.insert(0, os.path.join(benchlib.TOP, "t"))

import mapiclient as mc  # noqa: E402
import mapihttp as mh  # noqa: E402

ALICE = "alice@example.test"
BOB = "bob@example.test"
IDLE = int(os.environ.get("EXCH_BENCH_NOTIFY_IDLE", "1000"))
DELIVERIES = int(os.environ.get("EXCH_BENCH_NOTIFY_DELIVERIES", "200"))

MESSAGE = ("From: carol@example.test\r\nTo: %s\r\nSubject: bench %d\r\n"
           "\r\nhello\r\n")


def workers(n):
    return [int(p) for p in subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(n.proc.pid)],
        capture_output=True, text=True).stdout.split()]


def rss_kb(pids):
    total = 0
    for pid in pids:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])     # utime, stime
    return total


def registered(n, user):
    """A MAPI session of user with a new-mail registration on its
    store."""
    http = mc.Http(n, user, USERS[user][1])
    mb = mc.Mailbox(http, mc.legacy_dn(n.store, user))
    mb.connect()
    _, rs, _ = mb.run([(mh.rop_logon(0, mb.user_dn), {"out": "logon"}),
                       (mh.rop_register_notification(0, 1, mh.NEW_MAIL),
                        {"in": "logon", "out": "n"})])
    assert [r["rv"] for r in rs] == [0, 0]
    return mb


def wait_request(n, mb):
    """The raw bytes of a NotificationWait of mb's session."""
    body = mh.notification_wait_request()
    cookies = "; ".join("%s=%s" % kv for kv in mb.http.jar.items())
    auth = base64.b64encode(("%s:%s" % mb.http.auth).encode())
    return (b"POST /mapi/emsmdb/?MailboxId=x HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Basic " + auth + b"\r\n"
            b"X-RequestType: NotificationWait\r\nX-RequestId: {1}-1\r\n"
            b"X-ClientInfo: {1}-1\r\nContent-Type: application/mapi-http\r\n"
            b"Cookie: " + cookies.encode() + b"\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body) + body)


def park(n, mb):
    """Sends a NotificationWait; returns its socket once the server has
    answered PROCESSING (the request is parked)."""
    s = socket.create_connection(("127.0.0.1", n.port))
    s.sendall(wait_request(n, mb))
    buf = b""
    while b"PROCESSING" not in buf:
        chunk = s.recv(4096)
        if not chunk:
            raise RuntimeError("closed before PROCESSING")
        buf += chunk
    return s, buf


def answered(s, buf):
    """Reads the rest of the response, up to its last chunk."""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            raise RuntimeError("closed before DONE")
        buf += chunk
        if b"DONE\r\n" in buf and buf.endswith(b"0\r\n\r\n"):
            return buf


def event_pending(raw):
    """EventPending of a whole chunked NotificationWait response."""
    rest = raw.split(b"\r\n\r\n", 1)[1]
    data = b""
    while True:
        size, rest = rest.split(b"\r\n", 1)
        size = int(size, 16)
        if size == 0:
            break
        data += rest[:size]
        rest = rest[size + 2:]
    _, _, body = mh.split_meta(data)
    return mh.parse_notification_wait_response(body)["event_pending"]


def deliver(store, user, i):
    subprocess.run([EXCHCTL, "--store", store, "deliver", user],
                   input=(MESSAGE % (user, i)).encode(), check=True,
                   capture_output=True)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def main():
    n = benchlib.server(workers=2, server="exch_mapi_notification_wait 600s;"
                        " exch_mapi_max_sessions 100000;").start()
    try:
        bench(n)
    finally:
        n.stop()


def bench(n):
    pids = workers(n)

    idle_sessions = [registered(n, BOB) for _ in range(IDLE)]
    time.sleep(1)
    rss0 = rss_kb(pids)
    idle = [park(n, mb) for mb in idle_sessions]
    time.sleep(1)
    rss1 = rss_kb(pids)

    ticks = cpu_ticks(pids)
    time.sleep(10)
    idle_cpu = (cpu_ticks(pids) - ticks) / os.sysconf("SC_CLK_TCK")

    # exchctl alone, for a mailbox nobody watches
    alone = []
    for i in range(20):
        t0 = time.monotonic()
        deliver(n.store, "carol@example.test", i)
        alone.append(time.monotonic() - t0)

    mb = registered(n, ALICE)
    lat = []
    for i in range(DELIVERIES):
        s, buf = park(n, mb)
        t0 = time.monotonic()
        deliver(n.store, ALICE, i)
        body = answered(s, buf)
        lat.append(time.monotonic() - t0)
        s.close()
        assert event_pending(body) == 1
        # the Execute that reads the notifications moves the cursor
        mb.notes.clear()
        _, rs, _ = mb.run([(mh.rop_get_receive_folder(0, "IPM"),
                            {"in": "logon"})])
        assert any(x.get("type") == mh.NEW_MAIL for x in mb.notes), mb.notes

    for s, _ in idle:
        s.close()

    ms = [x * 1000 for x in lat]
    print("deliver -> NotificationWait answered, %d deliveries, %d idle "
          "parked:  median %.1f ms  p99 %.1f ms  (exchctl deliver alone: "
          "median %.1f ms)" % (DELIVERIES, IDLE, pct(ms, 50), pct(ms, 99),
                               pct([x * 1000 for x in alone], 50)),
          flush=True)
    print("memory per parked NotificationWait: %.1f KiB (workers' RSS "
          "%d -> %d KiB for %d)" % ((rss1 - rss0) / float(IDLE), rss0, rss1,
                                    IDLE), flush=True)
    print("CPU of the workers in 10 s with %d parked: %.2f s"
          % (IDLE, idle_cpu), flush=True)


if __name__ == "__main__":
    main()
