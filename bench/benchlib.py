"""Shared pieces of the HTTP benchmarks: a server like the tests' one, wrk
runs with Lua request scripts, and figures printed as ratios to nginx's own
"return 200" measured in the same run (the machines are shared and noisy:
only the ratio means something)."""

import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "t"))

from conftest import Nginx, EXCHCTL  # noqa: E402

DURATION = os.environ.get("EXCH_BENCH_DURATION", "5s")
CONNECTIONS = int(os.environ.get("EXCH_BENCH_CONNECTIONS", "32"))
THREADS = int(os.environ.get("EXCH_BENCH_THREADS", "2"))


def make_tls():
    d = tempfile.mkdtemp(prefix="exch-bench-tls-")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
         "-days", "2", "-subj", "/CN=localhost",
         "-keyout", os.path.join(d, "key.pem"),
         "-out", os.path.join(d, "cert.pem")],
        check=True, capture_output=True)
    return d


def server(workers=2, **kw):
    """A started server with the store provisioned by the caller."""
    return Nginx(make_tls(), workers=workers, log_level="warn", **kw)


def lua_script(method="GET", body=None, headers=None):
    """A wrk script file for one fixed request."""
    lines = ['wrk.method = "%s"' % method]
    for k, v in (headers or {}).items():
        lines.append('wrk.headers["%s"] = "%s"' % (k, v))
    if body is not None:
        lines.append("wrk.body = [==[%s]==]" % body)
    f = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    f.write("\n".join(lines) + "\n")
    f.close()
    return f.name


def wrk(url, script=None, duration=DURATION, connections=CONNECTIONS,
        threads=THREADS):
    """Requests per second that wrk measured, and the non-2xx count (a
    script may print "X-ResponseCode failures: N": those count too)."""
    cmd = ["wrk", "-t%d" % threads, "-c%d" % connections, "-d" + duration,
           "--latency"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True,
                         check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    failed = re.search(r"X-ResponseCode failures: (\d+)", out)
    return rps, (int(bad.group(1)) if bad else 0) + \
        (int(failed.group(1)) if failed else 0)


def report(name, rps, base, bad=0, expect=None):
    """One line: the figure, the baseline and their ratio."""
    ratio = rps / base if base else 0.0
    line = "%-44s %10.0f req/s   ratio %.3f of return 200 (%.0f req/s)" % (
        name, rps, ratio, base)
    if expect is not None:
        line += "   [expected >= %.2f]" % expect
    if bad:
        line += "   !! %d non-2xx responses" % bad
    print(line, flush=True)
    return ratio
