"""Test harness: the stock nginx with our module, in a temporary prefix.

Like nginx-tests' Test::Nginx: every server gets a temporary prefix, a
configuration written from a template, a free loopback port, its own store,
and at teardown the test fails if the error log (or nginx's stderr) holds an
[alert], an [emerg] or a sanitizer report.
"""

import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import urllib3

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


def pytest_configure(config):
    # the test servers' certificates are self-signed on purpose
    config.addinivalue_line(
        "filterwarnings", "ignore::urllib3.exceptions.InsecureRequestWarning")

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("EXCH_BUILD", os.path.join(TOP, "build"))
MODULE = os.path.join(BUILD, "modules", "ngx_exch_module.so")
NGINX = os.environ.get("NGINX_BIN", "/usr/sbin/nginx")
EXCHCTL = os.path.join(BUILD, "bin", "exchctl")
SANITIZE = os.environ.get("EXCH_SANITIZE") == "1"

# the users every provisioned test store has: address -> (name, password)
USERS = {
    "alice@example.test": ("Alice Anders", "alice-Secret-1"),
    "bob@example.test": ("Bob Brown", "bob-Secret-2"),
    "carol@example.test": ("Carol Clark", "carol-Secret-3"),
}

BAD_LOG = re.compile(r"\[(alert|emerg)\]|AddressSanitizer|LeakSanitizer|"
                     r"runtime error:|UndefinedBehaviorSanitizer")

CONF = """
load_module {module};

daemon off;
master_process {master};
worker_processes {workers};
error_log {prefix}/error.log {log_level};
pid {prefix}/nginx.pid;
{user}
exch_store {store};
{main}

events {{
    worker_connections 1024;
}}

http {{
    access_log off;
    client_body_temp_path {prefix}/tmp;
    default_type application/octet-stream;
{http}

    server {{
        listen 127.0.0.1:{port};
        listen 127.0.0.1:{ssl_port} ssl;
        server_name localhost;

        ssl_certificate {tls}/cert.pem;
        ssl_certificate_key {tls}/key.pem;

        include {top}/conf/exch-locations.conf;

        location = /return200 {{
            return 200 "ok\\n";
        }}
{server}
    }}
}}
"""


def _ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


_next_port = []


def free_port():
    """A port below the kernel's ephemeral range, free now, and not handed
    out before in this run.  A port the kernel could give an outgoing
    connection may be taken before a test listens on it (a relay started
    late, or nginx connecting to the not yet listening port from that same
    port); these cannot be.  The ports go round the range in turn from a
    random start, so that two asked for one configuration never coincide."""
    high = min(_ephemeral_low(), 65536) - 1
    low = max(1024, high - 12000)
    if not _next_port:
        _next_port.append(random.randint(low, high))
    for _ in range(high - low + 1):
        port = _next_port[0]
        _next_port[0] = low if port >= high else port + 1
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in %d-%d" % (low, high))


def exchctl(store, *args, check=True, input=None):
    """Runs the admin tool on a store; returns the CompletedProcess."""
    r = subprocess.run([EXCHCTL, "--store", store] + list(args),
                       capture_output=True, text=True, input=input,
                       env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))
    if check and r.returncode != 0:
        raise RuntimeError("exchctl %s: %d %s" % (" ".join(args),
                                                  r.returncode, r.stderr))
    return r


def provision(store):
    """The example.test domain with USERS in it."""
    exchctl(store, "domain", "add", "example.test")
    for address, (name, password) in USERS.items():
        exchctl(store, "user", "add", address, "--name", name,
                "--password", password)


def sanitizer_env(prefix):
    """The environment that loads the sanitizer runtimes into the stock,
    uninstrumented nginx binary before our instrumented module."""
    env = dict(os.environ)
    if not SANITIZE:
        return env
    libs = []
    for name in ("libasan.so", "libubsan.so"):
        path = subprocess.run(["gcc", "-print-file-name=" + name],
                              capture_output=True, text=True).stdout.strip()
        libs.append(os.path.realpath(path))
    env["LD_PRELOAD"] = " ".join(libs)
    env["ASAN_OPTIONS"] = ("detect_leaks=0:verify_asan_link_order=0:"
                           "log_path=%s/asan" % prefix)
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:log_path=%s/ubsan" % prefix
    return env


class Nginx:
    """One nginx master with our module, in its own temporary prefix."""

    def __init__(self, tls, workers=1, main="", http="", server="",
                 store=None, log_level="info", master=True, user=None,
                 users=True):
        self.prefix = tempfile.mkdtemp(prefix="exch-t-")
        os.makedirs(os.path.join(self.prefix, "tmp"))
        self.store = store or os.path.join(self.prefix, "store")
        os.makedirs(self.store, exist_ok=True)
        if users and store is None:
            provision(self.store)
        self.port = free_port()
        self.ssl_port = free_port()
        self.conf = os.path.join(self.prefix, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(CONF.format(
                module=MODULE, prefix=self.prefix, store=self.store,
                workers=workers, port=self.port, ssl_port=self.ssl_port,
                tls=tls, top=TOP, main=main, http=http, server=server,
                log_level=log_level, master="on" if master else "off",
                user=user if user is not None else
                "user root root;" if os.geteuid() == 0 else ""))
        self.proc = None

    def url(self, path, ssl=False):
        if ssl:
            return "https://127.0.0.1:%d%s" % (self.ssl_port, path)
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def start(self):
        self.stderr = open(os.path.join(self.prefix, "stderr.log"), "w+")
        self.proc = subprocess.Popen(
            [NGINX, "-p", self.prefix + "/", "-c", self.conf,
             "-e", os.path.join(self.prefix, "error.log")],
            stdout=self.stderr, stderr=self.stderr,
            env=sanitizer_env(self.prefix))
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("nginx exited at start:\n" + self.logs())
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("nginx did not start:\n" + self.logs())

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self.stderr.close()

    def logs(self):
        text = ""
        for name in sorted(os.listdir(self.prefix)):
            if (name in ("error.log", "stderr.log")
                    or name.startswith(("asan", "ubsan"))):
                with open(os.path.join(self.prefix, name), errors="replace") as f:
                    text += f.read()
        return text

    def bad_log_lines(self):
        return [l for l in self.logs().splitlines() if BAD_LOG.search(l)]

    def cleanup(self):
        shutil.rmtree(self.prefix, ignore_errors=True)


@pytest.fixture(scope="session")
def tls():
    """A self-signed certificate for the servers' ssl listeners."""
    d = tempfile.mkdtemp(prefix="exch-tls-")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
         "-days", "2", "-subj", "/CN=localhost",
         "-keyout", os.path.join(d, "key.pem"),
         "-out", os.path.join(d, "cert.pem")],
        check=True, capture_output=True)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def make_nginx(tls):
    """A factory of servers; each is stopped and its logs checked at teardown.
    make_nginx(workers=4, server="...") returns a started Nginx."""
    servers = []

    def make(**kw):
        n = Nginx(tls, **kw)
        servers.append(n)
        return n.start()

    yield make

    bad = []
    for n in servers:
        n.stop()
        bad += n.bad_log_lines()
        if not bad:
            n.cleanup()
    assert not bad, "nginx logged:\n" + "\n".join(bad)


@pytest.fixture
def nginx(make_nginx):
    """A started server with default settings."""
    return make_nginx()
