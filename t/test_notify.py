"""The notification bus across nginx workers (DESIGN.md section 4): every
worker binds a datagram socket under STORE/run, removes it when it exits,
sweeps what dead workers left; exchctl wakes the workers through it (the
outgoing queue's drainer here; MAPI and EWS waits in their own tests)."""

import os
import signal
import subprocess
import time

import pytest

from conftest import exchctl, free_port
from test_mail import Relay, send, wait_until


def workers(n):
    return sorted(int(p) for p in subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(n.proc.pid)],
        capture_output=True, text=True).stdout.split())


def run_dir(n):
    return os.path.join(n.store, "run")


def sockets(n):
    try:
        return sorted(int(f[:-5]) for f in os.listdir(run_dir(n))
                      if f.endswith(".sock"))
    except FileNotFoundError:
        return []


def forget_killed(n):
    """The master's alert about a worker killed on purpose is the test's."""
    log = os.path.join(n.prefix, "error.log")
    with open(log) as f:
        lines = [l for l in f if "exited on signal 9" not in l]
    with open(log, "w") as f:
        f.writelines(lines)


def test_each_worker_binds_a_socket_and_removes_it_at_exit(make_nginx):
    n = make_nginx(workers=4)
    assert wait_until(lambda: len(workers(n)) == 4 and
                      sockets(n) == workers(n))
    n.stop()
    assert sockets(n) == []


def test_stale_sockets_are_swept_at_start(make_nginx, tmp_path):
    store = str(tmp_path / "store")
    os.makedirs(os.path.join(store, "run"))
    exchctl(store, "domain", "add", "example.test")
    # a pid that is surely gone: a child that exited
    child = subprocess.Popen(["true"])
    child.wait()
    stale = os.path.join(store, "run", "%d.sock" % child.pid)
    open(stale, "w").close()
    other = os.path.join(store, "run", "notours")
    open(other, "w").close()

    n = make_nginx(workers=2, store=store)
    assert wait_until(lambda: len(sockets(n)) == 2)
    assert not os.path.exists(stale)
    assert os.path.exists(other)            # only sockets named by a pid


def test_killed_worker_is_replaced_and_its_socket_swept(make_nginx):
    n = make_nginx(workers=2)
    assert wait_until(lambda: len(workers(n)) == 2 and
                      sockets(n) == workers(n))
    victim = workers(n)[0]
    os.kill(victim, signal.SIGKILL)
    assert wait_until(lambda: len(workers(n)) == 2 and
                      victim not in workers(n))
    # the new worker swept the dead one's socket when it started
    assert wait_until(lambda: sockets(n) == workers(n))
    assert victim not in sockets(n)
    forget_killed(n)


def test_a_submission_wakes_the_queue_drainer_at_once(make_nginx):
    """With exch_smtp_interval at an hour the timer never looks at the
    queue again after the first tick: what reaches the relay came because
    the submission woke a worker through the bus."""
    relay = Relay(free_port()).start()
    try:
        n = make_nginx(workers=4, main=(
            "exch_smtp_relay 127.0.0.1:%d;\n"
            "exch_smtp_interval 1h;\n"
            "exch_smtp_timeout 5s;\n" % relay.port))
        mail = ("From: alice@example.test\nTo: far%d@remote.example\n"
                "Subject: wake %d\n\nbody\n")

        # the first one may come before the workers' first tick: that
        # tick finds it, and from then on they watch the queue
        send(n.store, "alice@example.test", mail % (0, 0))
        assert len(relay.wait(1)) == 1

        for i in range(1, 6):
            send(n.store, "alice@example.test", mail % (i, i))
            got = relay.wait(i + 1, timeout=60)
            assert len(got) == i + 1, "mail %d waited for the timer" % i
        assert sorted(r[1][0] for r in relay.received) == \
            ["far%d@remote.example" % i for i in range(6)]
        assert wait_until(lambda: "empty" in exchctl(
            n.store, "queue", "list").stdout)
    finally:
        relay.stop()


def test_a_datagram_from_another_store_user_is_ignored(make_nginx):
    """Anything arriving on a worker's socket that is not a bus datagram
    is logged at info and dropped; the worker carries on."""
    import socket
    n = make_nginx(workers=1)
    assert wait_until(lambda: len(sockets(n)) == 1)
    path = os.path.join(run_dir(n), "%d.sock" % sockets(n)[0])
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.sendto(b"hello, worker", path)
    s.sendto(b"EXB1\x01\x00\x05\x00", path)           # count lies
    s.close()
    assert wait_until(lambda: "not ours" in open(
        os.path.join(n.prefix, "error.log")).read())
    import requests
    assert requests.get(n.url("/return200")).status_code == 200


@pytest.mark.parametrize("value,error", [
    ("0", '"exch_notify_poll" must be more than 0'),
    ("soon", 'invalid value'),
])
def test_notify_poll_directive_is_checked(tmp_path, value, error):
    from conftest import MODULE, NGINX, sanitizer_env
    conf = tmp_path / "nginx.conf"
    conf.write_text("load_module %s;\nexch_store %s;\nexch_notify_poll %s;\n"
                    "events {}\n" % (MODULE, tmp_path / "store", value))
    r = subprocess.run([NGINX, "-t", "-p", str(tmp_path) + "/", "-c",
                        str(conf), "-e", str(tmp_path / "err.log")],
                       capture_output=True, text=True,
                       env=sanitizer_env(str(tmp_path)))
    assert r.returncode != 0
    assert error in r.stderr
