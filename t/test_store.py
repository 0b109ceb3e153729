"""The store from the outside: exchctl's verbs, exit codes and help, the
demo provisioning of make run, and the store opened by every nginx worker
(exch_store) while exchctl works on it."""

import os
import pwd
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import BUILD, EXCHCTL, NGINX, MODULE, TOP, sanitizer_env

EX_OK, EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_NOUSER, EX_NOHOST = \
    0, 64, 65, 66, 67, 68

VERBS = ["domain add", "domain list", "domain del", "user add",
         "user passwd", "user set", "user show", "user list", "user del",
         "user verify", "alias add", "alias del", "group add", "group del",
         "group show", "group member add", "group member del",
         "mailbox stats", "folder list", "store check", "store backup",
         "store stats"]


def exchctl(store, *args, stdin=None, env=None):
    e = dict(os.environ if env is None else env)
    e.pop("EXCH_STORE", None)
    if env is not None and "EXCH_STORE" in env:
        e["EXCH_STORE"] = env["EXCH_STORE"]
    cmd = [EXCHCTL] + (["--store", store] if store else []) + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, input=stdin,
                          env=e, timeout=60)


@pytest.fixture
def store(tmp_path):
    s = str(tmp_path / "store")
    assert exchctl(s, "domain", "add", "example.test").returncode == 0
    return s


def test_help_lists_every_verb():
    r = exchctl(None, "--help")
    assert r.returncode == EX_OK
    for verb in VERBS:
        assert "  " + verb + " " in r.stdout + " ", verb


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_has_help(verb):
    r = exchctl(None, *verb.split(), "--help")
    assert r.returncode == EX_OK
    assert r.stdout.startswith("usage: exchctl " + verb)


def test_usage_errors_are_one_line_with_ex_usage(store):
    r = exchctl(store, "user", "add")
    assert r.returncode == EX_USAGE
    assert r.stderr.count("\n") == 1 and "usage: exchctl user add" in r.stderr
    r = exchctl(store, "frobnicate")
    assert r.returncode == EX_USAGE
    assert r.stderr == 'exchctl: unknown verb "frobnicate" (see --help)\n'


def test_user_add_prints_a_generated_password_that_verifies(store):
    r = exchctl(store, "user", "add", "alice@example.test", "--name",
                "Alice Liddell")
    assert r.returncode == EX_OK
    addr, password = r.stdout.rstrip("\n").split("  ")
    assert addr == "alice@example.test" and len(password) == 16
    v = exchctl(store, "user", "verify", "alice@example.test",
                "--password-file", "-", stdin=password + "\n")
    assert v.returncode == EX_OK
    v = exchctl(store, "user", "verify", "ALICE@example.test",
                "--password-file", "-", stdin="wrong\n")
    assert v.returncode == 77
    show = exchctl(store, "user", "show", "alice@example.test").stdout
    assert "display name: Alice Liddell" in show
    dn = re.search(r"^legacyExchangeDN: (.*)$", show, re.M).group(1)
    assert re.fullmatch(r"/o=First Organization/ou=Exchange Administrative "
                        r"Group \(FYDIBOHF23SPDLT\)/cn=Recipients/"
                        r"cn=[0-9a-f]{32}-alice", dn)


def test_errors_and_exit_codes(store):
    assert exchctl(store, "user", "add", "a@example.test",
                   "--password", "x").returncode == EX_OK
    r = exchctl(store, "user", "add", "A@Example.Test", "--password", "x")
    assert r.returncode == EX_DATAERR
    assert r.stderr == ("exchctl: user add: A@Example.Test: "
                        "already exists\n")
    r = exchctl(store, "user", "add", "a@nowhere.test", "--password", "x")
    assert r.returncode == EX_NOHOST
    r = exchctl(store, "user", "show", "nobody@example.test")
    assert r.returncode == EX_NOUSER
    assert r.stderr == ("exchctl: user show: nobody@example.test: "
                        "not found\n")
    r = exchctl(store, "domain", "del", "example.test")
    assert r.returncode == EX_DATAERR
    assert "still has users" in r.stderr
    r = exchctl(str(os.path.dirname(store)) + "/none", "user", "list")
    assert r.returncode == EX_NOINPUT


def test_aliases_groups_and_lists(store):
    for u in ("alice", "bob", "carol"):
        exchctl(store, "user", "add", u + "@example.test", "--password", "p",
                "--name", u.capitalize())
    assert exchctl(store, "alias", "add", "al@example.test",
                   "alice@example.test").returncode == EX_OK
    assert "address: alice@example.test" in exchctl(
        store, "user", "show", "AL@EXAMPLE.TEST").stdout
    assert exchctl(store, "alias", "del",
                   "alice@example.test").returncode == EX_DATAERR
    assert exchctl(store, "group", "add", "team@example.test", "--name",
                   "Team").returncode == EX_OK
    for u in ("carol", "alice"):
        assert exchctl(store, "group", "member", "add", "team@example.test",
                       u + "@example.test").returncode == EX_OK
    assert exchctl(store, "group", "show", "team@example.test").stdout == \
        "carol@example.test  Carol\nalice@example.test  Alice\n" or \
        exchctl(store, "group", "show", "team@example.test").stdout == \
        "alice@example.test  Alice\ncarol@example.test  Carol\n"
    assert exchctl(store, "group", "member", "del", "team@example.test",
                   "carol@example.test").returncode == EX_OK
    assert exchctl(store, "user", "list").stdout == (
        "alice@example.test  Alice\nbob@example.test  Bob\n"
        "carol@example.test  Carol\n")
    assert exchctl(store, "user", "del", "bob@example.test").returncode == 0
    assert "bob@" not in exchctl(store, "user", "list").stdout
    assert exchctl(store, "alias", "del", "al@example.test").returncode == 0
    assert exchctl(store, "user", "show",
                   "al@example.test").returncode == EX_NOUSER


def test_mailbox_stats_and_folder_list(store):
    exchctl(store, "user", "add", "alice@example.test", "--password", "p")
    stats = exchctl(store, "mailbox", "stats", "alice@example.test").stdout
    assert "folders: 36\n" in stats and "messages: 0\n" in stats
    lst = exchctl(store, "folder", "list", "alice@example.test").stdout
    assert re.search(r"^Top of Information Store +0 +0 *$", lst, re.M)
    assert re.search(r"^  Inbox +0 +0  IPF.Note$", lst, re.M)
    assert re.search(r"^  Calendar +0 +0  IPF.Appointment$", lst, re.M)
    assert re.search(r"^    Conflicts +0 +0  IPF.Note$", lst, re.M)


def test_store_check_and_backup(store, tmp_path):
    exchctl(store, "user", "add", "alice@example.test", "--password", "p")
    r = exchctl(store, "store", "check")
    assert r.returncode == EX_OK and r.stdout.endswith(": ok\n")
    dest = str(tmp_path / "backup")
    assert exchctl(store, "store", "backup", dest).returncode == EX_OK
    assert os.path.exists(os.path.join(dest, "data.mdb"))
    r = exchctl(dest, "user", "show", "alice@example.test")
    assert r.returncode == EX_OK
    assert exchctl(dest, "store", "check").returncode == EX_OK


def test_store_from_environment(store):
    exchctl(store, "user", "add", "env@example.test", "--password", "p")
    r = exchctl(None, "user", "list", env=dict(os.environ,
                                               EXCH_STORE=store))
    assert r.stdout == "env@example.test  env\n"


def test_provision_demo_prints_three_users(tmp_path):
    store = str(tmp_path / "store")
    env = dict(os.environ, EXCH_STORE=store, EXCH_BUILD=BUILD)
    r = subprocess.run([os.path.join(TOP, "tools", "provision-demo")],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert [l.split("  ")[0] for l in lines] == [
        "alice@example.test", "bob@example.test", "carol@example.test"]
    for l in lines:
        addr, password = l.split("  ")
        assert exchctl(store, "user", "verify", addr, "--password-file", "-",
                       stdin=password).returncode == 0
    # a second run keeps working: the users get new passwords
    r = subprocess.run([os.path.join(TOP, "tools", "provision-demo")],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 3


def test_every_worker_opens_the_store(make_nginx, tmp_path):
    store = str(tmp_path / "store")
    exchctl(store, "domain", "add", "example.test")
    n = make_nginx(workers=3, store=store)
    # exchctl writes while the workers hold the store open
    assert exchctl(store, "user", "add", "live@example.test", "--password",
                   "p").returncode == 0
    assert exchctl(store, "store", "check").returncode == 0
    n.stop()
    opened = [l for l in n.logs().splitlines() if "exch: store" in l
              and "open" in l]
    assert len(opened) == 3, n.logs()
    assert not n.bad_log_lines()


def test_single_process_opens_the_store(make_nginx, tmp_path):
    store = str(tmp_path / "store")
    n = make_nginx(master=False, store=store)
    n.stop()
    assert sum("exch: store" in l for l in n.logs().splitlines()) == 1
    assert os.path.exists(os.path.join(store, "data.mdb"))
    assert os.path.exists(os.path.join(store, "state", "data.mdb"))


def test_exch_location_without_exch_store_is_a_config_error(tmp_path):
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        "load_module %s;\n"
        "error_log %s/error.log;\n"
        "pid %s/nginx.pid;\n"
        "events {}\n"
        "http { server { listen 127.0.0.1:1; location /EWS { exch_ews; } } }"
        "\n" % (MODULE, tmp_path, tmp_path))
    r = subprocess.run([NGINX, "-p", str(tmp_path) + "/", "-c", str(conf),
                        "-t"], capture_output=True, text=True,
                       env=sanitizer_env(str(tmp_path)))
    assert r.returncode != 0
    assert ("[emerg]" in r.stderr
            and '"exch_store" is not set' in r.stderr), r.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to switch users")
def test_workers_as_www_data_use_a_root_provisioned_store(make_nginx,
                                                         tmp_path):
    """make run as root: exchctl (root) provisions, tools/run hands the
    store to www-data, the workers open it and exchctl keeps working."""
    pw = pwd.getpwnam("www-data")
    top = tempfile.mkdtemp(prefix="exch-www-")
    try:
        os.chmod(top, 0o755)
        store = os.path.join(top, "store")
        assert exchctl(store, "domain", "add", "example.test").returncode == 0
        subprocess.run(["chown", "-R", "www-data:www-data", store],
                       check=True)
        n = make_nginx(workers=2, store=store,
                       user="user www-data www-data;")
        assert exchctl(store, "user", "add", "x@example.test", "--password",
                       "p").returncode == 0
        n.stop()
        assert sum("exch: store" in l for l in n.logs().splitlines()) == 2, \
            n.logs()
        for root, dirs, files in os.walk(store):
            for f in files + dirs:
                st = os.stat(os.path.join(root, f))
                assert st.st_uid == pw.pw_uid, os.path.join(root, f)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_store_size_directives(make_nginx, tmp_path):
    store = str(tmp_path / "store")
    n = make_nginx(store=store, main="exch_store_map_size 64m;\n"
                   "exch_state_map_size 8m;\nexch_store_max_readers 64;")
    r = exchctl(store, "store", "stats")
    n.stop()
    assert sum("exch: store" in l for l in n.logs().splitlines()) == 1
    # the store was made by the worker with the configured map size
    assert "readers: " in r.stdout and " of 64\n" in r.stdout, r.stdout
