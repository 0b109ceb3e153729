"""Mail in and out of the store: exchctl import/export over the corpus,
Maildir and mbox, exchctl deliver the way Postfix runs it, and sending
through a real SMTP relay (aiosmtpd on loopback) drained by nginx."""

import asyncio
import email
import email.policy
import mailbox
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from aiosmtpd.controller import Controller

from conftest import (EXCHCTL, MODULE, NGINX, TOP, exchctl, free_port,
                      provision, sanitizer_env)

CORPUS = os.path.join(TOP, "t", "corpus", "mail")
POLICY = email.policy.default


@pytest.fixture
def store():
    d = tempfile.mkdtemp(prefix="exch-mail-")
    path = os.path.join(d, "store")
    provision(path)
    yield path
    subprocess.run(["rm", "-rf", d])


def messages(store, user, folder="Inbox"):
    """exchctl message list: [(uid, read, size, class, subject)]"""
    out = exchctl(store, "message", "list", user, "--folder", folder).stdout
    rows = []
    for line in out.splitlines():
        uid, read, size, cls, subject = line.split("\t", 4)
        rows.append((int(uid), read == "read", int(size), cls, subject))
    return rows


def folders(store, user):
    """exchctl folder list: {name: (count, unread)} (names without indent)"""
    out = exchctl(store, "folder", "list", user).stdout
    result = {}
    pending = None
    for line in out.splitlines()[1:]:
        m = re.match(r"^\s*(.*?)\s+(\d+)\s+(\d+)\s+\S*$", line)
        if m and m.group(1):
            result[m.group(1)] = (int(m.group(2)), int(m.group(3)))
        elif m and pending:
            result[pending] = (int(m.group(2)), int(m.group(3)))
        else:
            pending = line.strip()
    return result


def norm(s):
    return re.sub(r"\s+", " ", s or "").strip()


# import and export

def test_import_corpus_every_file_lands_with_its_subject(store, tmp_path):
    files = sorted(f for f in os.listdir(CORPUS) if f.endswith(".eml"))
    r = exchctl(store, "import", "alice@example.test", "--folder",
                "Corpus/All", CORPUS)
    assert ("imported %d messages" % len(files)) in r.stdout
    assert folders(store, "alice@example.test")["All"] == (len(files), 0)

    # export and compare with the originals: the UIDs follow file order
    out = tmp_path / "eml"
    exchctl(store, "export", "alice@example.test", "--folder", "Corpus/All",
            "--eml", str(out))
    exported = sorted(os.listdir(out / "Corpus" / "All"),
                      key=lambda n: int(n.split(".")[0]))
    assert len(exported) == len(files)

    subjects = bodies = 0
    for i, name in enumerate(files, 1):
        raw = open(os.path.join(CORPUS, name), "rb").read()
        a = email.message_from_bytes(raw, policy=POLICY)
        b = email.message_from_bytes(
            (out / "Corpus" / "All" / ("%d.eml" % i)).read_bytes(),
            policy=POLICY)
        head = re.split(rb"\r?\n\r?\n", raw, 1)[0]
        subj = re.search(rb"^Subject:(.*(?:\r?\n[ \t].*)*)", head,
                         re.M | re.I)
        if (subj and subj.group(1).isascii() and b"=?" not in subj.group(1)
                and a["subject"] is not None):
            assert norm(str(a["subject"])) == norm(str(b["subject"] or "")), \
                name
            subjects += 1
        ctype = a.get("content-type", "text/plain")
        if (raw.isascii() and not a.is_multipart() and not a.defects
                and ctype.lower().startswith("text/plain")
                and "name=" not in ctype and not a.get("content-disposition")):
            try:
                text = a.get_content()
            except LookupError:             # a charset Python lacks
                continue
            assert norm(text) == norm(b.get_body(("plain",)).get_content()), \
                name
            bodies += 1
    assert subjects > 250 and bodies > 50


def test_import_reports_broken_messages_and_keeps_them(store, tmp_path):
    bad = tmp_path / "broken.eml"
    bad.write_bytes(b"From: a@b.example\nSubject: broken\nMIME-Version: 1.0\n"
                    b"Content-Type: multipart/mixed; boundary=XX\n\n"
                    b"--XX\nContent-Type: text/plain\n\nhalf a part\n")
    r = exchctl(store, "import", "alice@example.test", str(bad))
    assert "broken.eml: stored with losses" in r.stderr
    assert "1 with losses" in r.stdout
    rows = messages(store, "alice@example.test")
    assert [row[4] for row in rows] == ["broken"]
    # the original bytes come back
    out = tmp_path / "out"
    exchctl(store, "export", "alice@example.test", "--eml", str(out))
    assert (out / "Inbox" / ("%d.eml" % rows[0][0])).read_bytes() \
        == bad.read_bytes()


def make_maildir(root):
    md = mailbox.Maildir(str(root), create=True)
    for i in range(3):
        m = mailbox.MaildirMessage(
            "From: x@remote.example\nSubject: inbox %d\n\nbody %d\n" % (i, i))
        if i == 0:
            m.set_subdir("cur")
            m.set_flags("S")
        elif i == 1:
            m.set_subdir("cur")
            m.set_flags("F")
        md.add(m)
    for folder, n in (("Sent", 2), ("Projects", 1), ("Projects.Q3", 2)):
        sub = md.add_folder(folder)
        for i in range(n):
            sub.add(mailbox.MaildirMessage(
                "From: y@remote.example\nSubject: %s %d\n\nbody\n"
                % (folder, i)))
    return md


def test_import_maildir_folders_and_flags(store, tmp_path):
    make_maildir(tmp_path / "Maildir")
    r = exchctl(store, "import", "bob@example.test",
                str(tmp_path / "Maildir"))
    assert "imported 8 messages" in r.stdout
    f = folders(store, "bob@example.test")
    # cur/ with S is read, everything in new/ and cur/ without S unread
    assert f["Inbox"] == (3, 2)
    assert f["Sent Items"] == (2, 2)        # "Sent" is the special folder
    assert f["Projects"] == (1, 1)
    assert f["Q3"] == (2, 2)
    subjects = sorted(row[4] for row in messages(store, "bob@example.test",
                                                 "Projects/Q3"))
    assert subjects == ["Projects.Q3 0", "Projects.Q3 1"]


def test_import_maildir_into_named_folder(store, tmp_path):
    make_maildir(tmp_path / "Maildir")
    exchctl(store, "import", "bob@example.test", "--folder", "Old",
            str(tmp_path / "Maildir"))
    f = folders(store, "bob@example.test")
    assert f["Old"] == (3, 2)
    assert f["Sent"] == (2, 2)              # below Old: not the special one
    assert f["Sent Items"] == (0, 0)


def test_import_mbox_splits_and_unescapes(store, tmp_path):
    mbox = tmp_path / "archive.mbox"
    mbox.write_bytes(
        b"From alice@example.test Mon Jan  1 10:00:00 2024\n"
        b"From: alice@example.test\nSubject: one\nStatus: RO\n\n"
        b"first\n>From the start of a line\n>>From twice\n\n"
        b"From here on no From_ line (no time)\n\n"
        b"From bob@example.test Tue Jan  2 11:30:00 2024\n"
        b"From: bob@example.test\nSubject: two\n\nsecond\n\n"
        b"From carol@example.test Wed Jan  3 12:00:00 2024\n"
        b"From: carol@example.test\nSubject: three\n"
        b"X-Mozilla-Status: 0001\n\nthird\n")
    r = exchctl(store, "import", "carol@example.test", "--folder", "Arch",
                str(mbox))
    assert "imported 3 messages" in r.stdout
    rows = {row[4]: row for row in messages(store, "carol@example.test",
                                            "Arch")}
    assert sorted(rows) == ["one", "three", "two"]
    assert rows["one"][1] and rows["three"][1] and not rows["two"][1]

    out = tmp_path / "out"
    exchctl(store, "export", "carol@example.test", "--folder", "Arch",
            "--eml", str(out))
    one = (out / "Arch" / ("%d.eml" % rows["one"][0])).read_bytes() \
        .replace(b"\r\n", b"\n")
    assert b"\nFrom the start of a line\n>From twice\n" in one
    assert b"From here on no From_ line" in one
    assert b"Status:" not in one            # the mbox's, not the message's


def test_export_mbox_round_trip(store, tmp_path):
    make_maildir(tmp_path / "Maildir")
    exchctl(store, "import", "bob@example.test", str(tmp_path / "Maildir"))
    out = tmp_path / "mbox"
    r = exchctl(store, "export", "bob@example.test", "--mbox", str(out))
    assert "exported 8 messages" in r.stdout
    inbox = mailbox.mbox(str(out / "Inbox.mbox"))
    assert sorted(m["subject"] for m in inbox) \
        == ["inbox 0", "inbox 1", "inbox 2"]
    assert sorted("R" in m.get_flags() for m in inbox) == [False, False, True]
    assert (out / "Projects" / "Q3.mbox").exists()

    # and back into another mailbox: the same folders, counts and state
    exchctl(store, "import", "alice@example.test", str(out))
    f = folders(store, "alice@example.test")
    assert f["Inbox"] == (3, 2)
    assert f["Sent Items"] == (2, 2)
    assert f["Q3"] == (2, 2)
    assert sorted(row[4] for row in messages(store, "alice@example.test")) \
        == ["inbox 0", "inbox 1", "inbox 2"]


def test_import_unknown_user_and_missing_file(store, tmp_path):
    r = exchctl(store, "import", "nobody@example.test", CORPUS, check=False)
    assert r.returncode == 67
    r = exchctl(store, "import", "alice@example.test",
                str(tmp_path / "missing.eml"), check=False)
    assert r.returncode == 66 and "missing.eml" in r.stderr


# delivery, the way Postfix's pipe(8) runs it

MESSAGE = (b"Return-Path: <sender@remote.example>\n"
           b"Delivered-To: team@example.test\n"
           b"From: Sender <sender@remote.example>\n"
           b"To: team@example.test\nSubject: to the team\n"
           b"Message-ID: <deliver-1@remote.example>\n\nhello team\n")


def deliver(store, *rcpts, data=MESSAGE, env=None):
    return subprocess.run(
        [EXCHCTL, "--store", store, "deliver"] + list(rcpts),
        input=data, capture_output=True,
        env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0", **(env or {})))


def test_deliver_expands_groups_and_aliases_once(store):
    exchctl(store, "group", "add", "team@example.test")
    exchctl(store, "group", "member", "add", "team@example.test",
            "alice@example.test")
    exchctl(store, "group", "member", "add", "team@example.test",
            "bob@example.test")
    exchctl(store, "alias", "add", "al@example.test", "alice@example.test")
    r = deliver(store, "team@example.test", "al@example.test",
                "Alice+lists@example.test")
    assert r.returncode == 0, r.stderr
    for user in ("alice@example.test", "bob@example.test"):
        rows = messages(store, user)
        assert [(row[1], row[3], row[4]) for row in rows] \
            == [(False, "IPM.Note", "to the team")]
    assert messages(store, "carol@example.test") == []


def test_deliver_unknown_recipient_is_ex_nouser_and_delivers_nothing(store):
    r = deliver(store, "bob@example.test", "nobody@example.test")
    assert r.returncode == 67
    assert b"nobody@example.test: no such recipient" in r.stderr
    assert messages(store, "bob@example.test") == []


def test_deliver_temporary_failures_are_ex_tempfail(store, tmp_path):
    r = subprocess.run([EXCHCTL, "--store", str(tmp_path / "none"),
                        "deliver", "bob@example.test"], input=MESSAGE,
                       capture_output=True)
    assert r.returncode == 75
    r = deliver(store, "bob@example.test", data=b"")
    assert r.returncode == 65
    r = subprocess.run([EXCHCTL, "--store", store, "deliver"],
                       input=MESSAGE, capture_output=True)
    assert r.returncode == 64


def test_deliver_marks_new_mail_in_the_change_log(store):
    assert deliver(store, "carol@example.test").returncode == 0
    out = tmp = tempfile.mkdtemp()
    exchctl(store, "export", "carol@example.test", "--eml", out)
    eml = open(os.path.join(out, "Inbox", "1.eml"), "rb").read()
    assert b"Subject: to the team" in eml
    assert b"hello team" in eml
    subprocess.run(["rm", "-rf", tmp])


# sending through a relay

class Relay:
    """An aiosmtpd server on loopback that records what it receives;
    reject maps a recipient to the reply RCPT TO gets."""

    def __init__(self, port):
        self.port = port
        self.received = []
        self.reject = {}
        self.stall = 0              # seconds DATA waits before answering
        self.data_started = 0
        self.controller = None

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address in self.reject:
            return self.reject[address]
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_started += 1
        if self.stall:
            await asyncio.sleep(self.stall)
            return "451 4.3.0 too slow"
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos),
                              envelope.original_content))
        return "250 2.0.0 queued"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1",
                                     port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def wait(self, n, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline and len(self.received) < n:
            time.sleep(0.05)
        return self.received


@pytest.fixture
def relay():
    r = Relay(free_port())
    yield r
    r.stop()


def smtp_main(port):
    return ("exch_smtp_relay 127.0.0.1:%d;\n"
            "exch_smtp_interval 100ms;\n"
            "exch_smtp_timeout 5s;\n"
            "exch_smtp_retry 1s 2s 1h;\n" % port)


def send(store, user, text):
    path = os.path.join(os.path.dirname(store), "send.eml")
    with open(path, "w") as f:
        f.write(text)
    return exchctl(store, "send", user, path)


def queue(store):
    return exchctl(store, "queue", "list").stdout


def wait_until(pred, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


SEND = ("From: Alice Anders <alice@example.test>\n"
        "To: bob@example.test, Remote One <one@remote.example>\n"
        "Cc: two@remote.example\nBcc: hidden@far.example\n"
        "Subject: out and about\n\n"
        "line one\n.leading dot\n")


def test_send_local_now_remote_through_the_relay(make_nginx, relay):
    relay.start()
    n = make_nginx(main=smtp_main(relay.port), workers=2)
    r = send(n.store, "alice@example.test", SEND)
    assert "1 local mailbox, 3 queued" in r.stdout

    # bob has it at once, in the same transaction as the submit
    assert [row[4] for row in messages(n.store, "bob@example.test")] \
        == ["out and about"]
    sent = messages(n.store, "alice@example.test", "Sent Items")
    assert [(row[1], row[4]) for row in sent] == [(True, "out and about")]
    assert messages(n.store, "alice@example.test", "Outbox") == []

    got = relay.wait(1)
    assert len(got) == 1
    mail_from, rcpts, data = got[0]
    assert mail_from == "alice@example.test"
    assert sorted(rcpts) == ["hidden@far.example", "one@remote.example",
                             "two@remote.example"]
    msg = email.message_from_bytes(data, policy=POLICY)
    assert msg["subject"] == "out and about"
    assert msg["bcc"] is None                # Bcc stays in the envelope
    assert msg["message-id"]
    assert "\n.leading dot" in msg.get_body(("plain",)).get_content() \
        .replace("\r\n", "\n")
    assert wait_until(lambda: "empty" in queue(n.store))


def test_relay_down_then_up_loses_nothing(make_nginx, relay):
    n = make_nginx(main=smtp_main(relay.port))
    send(n.store, "alice@example.test",
         "From: alice@example.test\nTo: far@remote.example\n"
         "Subject: patience\n\nwait for it\n")
    # the relay is down: attempts fail and are counted, the entry stays
    assert wait_until(lambda: re.search(r"attempts [2-9]", queue(n.store)))
    assert "pending" in queue(n.store)
    relay.start()
    got = relay.wait(1)
    assert [g[1] for g in got] == [["far@remote.example"]]
    assert wait_until(lambda: "empty" in queue(n.store))
    assert "far@remote.example>: 250 2.0.0 queued" in n.logs()


def test_permanent_failure_makes_an_ndr(make_nginx, relay):
    relay.reject["nobody@remote.example"] = \
        "550 5.1.1 <nobody@remote.example>: no such user"
    relay.start()
    n = make_nginx(main=smtp_main(relay.port))
    send(n.store, "alice@example.test",
         "From: alice@example.test\n"
         "To: nobody@remote.example, somebody@remote.example\n"
         "Subject: half way\n\ntext\n")
    got = relay.wait(1)
    assert [g[1] for g in got] == [["somebody@remote.example"]]
    assert wait_until(lambda: len(messages(n.store, "alice@example.test")))
    rows = messages(n.store, "alice@example.test")
    assert [(row[1], row[3], row[4]) for row in rows] == \
        [(False, "REPORT.IPM.Note.NDR", "Undeliverable: half way")]
    out = tempfile.mkdtemp()
    exchctl(n.store, "export", "alice@example.test", "--eml", out)
    ndr = open(os.path.join(out, "Inbox", "%d.eml" % rows[0][0]), "rb").read()
    report, original = ndr.split(b"message/rfc822", 1)
    assert b"nobody@remote.example" in report
    assert b"550 5.1.1 <nobody@remote.example>: no such user" in report
    assert b"somebody@remote.example" not in report
    assert b"Subject: half way" in original
    subprocess.run(["rm", "-rf", out])
    assert wait_until(lambda: "empty" in queue(n.store))


def test_unknown_local_recipient_ndr_at_once(store):
    r = send(store, "alice@example.test",
             "From: alice@example.test\nTo: ghost@example.test\n"
             "Subject: to nobody\n\ntext\n")
    assert "0 queued" in r.stdout and "1 failed" in r.stdout
    rows = messages(store, "alice@example.test")
    assert [(row[3], row[4]) for row in rows] == \
        [("REPORT.IPM.Note.NDR", "Undeliverable: to nobody")]
    assert "empty" in queue(store)


def test_nginx_restart_mid_queue_loses_nothing(make_nginx, relay):
    n = make_nginx(main=smtp_main(relay.port))
    for i in range(3):
        send(n.store, "alice@example.test",
             "From: alice@example.test\nTo: r%d@remote.example\n"
             "Subject: restart %d\n\nbody\n" % (i, i))
    assert wait_until(lambda: "attempts 1" in queue(n.store))
    n.stop()
    n.start()
    relay.start()
    got = relay.wait(3)
    assert sorted(g[1][0] for g in got) == \
        ["r0@remote.example", "r1@remote.example", "r2@remote.example"]
    assert wait_until(lambda: "empty" in queue(n.store))


def test_killed_worker_claim_expires_and_mail_goes_once(make_nginx, relay):
    relay.stall = 30
    relay.start()
    n = make_nginx(main=smtp_main(relay.port).replace("timeout 5s",
                                                      "timeout 1s"))
    send(n.store, "alice@example.test",
         "From: alice@example.test\nTo: once@remote.example\n"
         "Subject: exactly once\n\nbody\n")
    # the worker is in the middle of DATA when it dies
    assert wait_until(lambda: relay.data_started == 1)
    workers = subprocess.run(["ps", "-o", "pid=", "--ppid",
                              str(n.proc.pid)], capture_output=True,
                             text=True).stdout.split()
    assert len(workers) == 1
    os.kill(int(workers[0]), signal.SIGKILL)
    relay.stall = 0
    assert "claimed" in queue(n.store)

    # the new worker waits for the claim to expire, then sends it once
    got = relay.wait(1, timeout=60)
    assert [g[1] for g in got] == [["once@remote.example"]]
    assert wait_until(lambda: "empty" in queue(n.store))
    time.sleep(0.5)
    assert len(relay.received) == 1

    # the master's alert about the killed worker is this test's doing
    log = os.path.join(n.prefix, "error.log")
    with open(log) as f:
        lines = [l for l in f if "exited on signal 9" not in l]
    with open(log, "w") as f:
        f.writelines(lines)


@pytest.mark.parametrize("main, error", [
    ("exch_smtp_relay 127.0.0.1:25;",
     '"exch_smtp_relay" needs "exch_store"'),
    ("exch_store store; exch_smtp_relay 127.0.0.1:notaport;",
     "invalid port"),
    ("exch_store store; exch_smtp_relay 127.0.0.1; exch_smtp_retry 1h 1m;",
     "wants the longest delay after the first one"),
    ("exch_store store; exch_smtp_relay 127.0.0.1; exch_smtp_retry 0 1m;",
     'invalid time "0"'),
])
def test_smtp_directives_are_checked(tmp_path, main, error):
    conf = tmp_path / "nginx.conf"
    conf.write_text("load_module %s;\n%s\nevents {}\n" % (MODULE, main))
    r = subprocess.run([NGINX, "-t", "-p", str(tmp_path) + "/",
                        "-c", str(conf), "-e", str(tmp_path / "e.log")],
                       capture_output=True, text=True,
                       env=sanitizer_env(str(tmp_path)))
    assert r.returncode != 0
    assert error in r.stderr
