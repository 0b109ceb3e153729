"""bench/mail_import: messages imported per second by exchctl import.

  - the mail corpus (t/corpus/mail), imported 10 times into one mailbox;
  - a generated mbox of 20,000 messages (EXCH_BENCH_MBOX to change), text
    of 0.5 to 8 KB, every tenth with a 20 KB attachment, all different;
    once with the default parse threads and once with --jobs 1.

Each figure is the whole run of the tool: parsing, the store's writes
(compression, content addressing, indexes) and the commits."""

import base64
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "t"))

from conftest import EXCHCTL, provision  # noqa: E402

CORPUS = os.path.join(TOP, "t", "corpus", "mail")
COUNT = int(os.environ.get("EXCH_BENCH_MBOX", "20000"))

WORDS = ("the quick brown fox jumps over a lazy dog mail server store "
         "message folder inbox meeting report budget draft review team "
         "project schedule update please thanks regards").split()


def make_mbox(path, n):
    rnd = random.Random(4)
    size = 0
    with open(path, "wb") as f:
        for i in range(n):
            words = rnd.randint(80, 1300)
            text = " ".join(rnd.choice(WORDS) for _ in range(words))
            lines = [text[k:k + 72] for k in range(0, len(text), 72)]
            head = ("From sender%d@remote.example Mon Jan  1 10:%02d:00 2024\n"
                    "From: Sender %d <sender%d@remote.example>\n"
                    "To: alice@example.test\n"
                    "Subject: generated message %d\n"
                    "Date: Mon, 1 Jan 2024 10:%02d:00 +0000\n"
                    "Message-ID: <gen-%d@remote.example>\n"
                    "MIME-Version: 1.0\n"
                    % (i % 50, i % 60, i % 50, i % 50, i, i % 60, i))
            if i % 10 == 0:
                blob = base64.encodebytes(rnd.randbytes(20000)).decode()
                body = ("Content-Type: multipart/mixed; boundary=b%d\n\n"
                        "--b%d\nContent-Type: text/plain\n\n%s\n"
                        "--b%d\nContent-Type: application/octet-stream\n"
                        "Content-Disposition: attachment; filename=f%d.bin\n"
                        "Content-Transfer-Encoding: base64\n\n%s"
                        "--b%d--\n"
                        % (i, i, "\n".join(lines), i, i, blob, i))
            else:
                body = "Content-Type: text/plain\n\n%s\n" % "\n".join(lines)
            data = (head + body + "\n").encode()
            f.write(data)
            size += len(data)
    return size


def run(store, *args):
    t0 = time.monotonic()
    subprocess.run([EXCHCTL, "--store", store, "import"] + list(args),
                   check=True, capture_output=True)
    return time.monotonic() - t0


def main():
    work = tempfile.mkdtemp(prefix="exch-bench-import-")
    try:
        files = [f for f in os.listdir(CORPUS) if f.endswith(".eml")]
        mb = sum(os.path.getsize(os.path.join(CORPUS, f))
                 for f in files) / 1048576

        store = os.path.join(work, "corpus")
        provision(store)
        secs = sum(run(store, "alice@example.test", "--quiet", "--folder",
                       "Bench%d" % k, CORPUS) for k in range(10))
        print("import corpus: %d messages x 10 in %.2f s: %.0f messages/s, "
              "%.1f MB/s" % (len(files), secs, 10 * len(files) / secs,
                             10 * mb / secs))

        mbox = os.path.join(work, "big.mbox")
        size = make_mbox(mbox, COUNT) / 1048576
        for label, extra in (("%d threads" % os.cpu_count(), []),
                             ("1 thread", ["--jobs", "1"])):
            store = os.path.join(work, "mbox-" + label.split()[0])
            provision(store)
            secs = run(store, "alice@example.test", "--quiet", *extra, mbox)
            print("import mbox (%s): %d messages, %.0f MB in %.2f s: "
                  "%.0f messages/s, %.1f MB/s"
                  % (label, COUNT, size, secs, COUNT / secs, size / secs))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
