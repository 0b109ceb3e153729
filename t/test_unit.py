"""Runs the C unit tests (build/t/*, from t/unit/*.c); each is one pytest
test that passes when its TAP stream is complete and has no "not ok"."""

import os
import re
import subprocess

import pytest

from conftest import BUILD, SANITIZE, TOP

UNIT_DIR = os.path.join(BUILD, "t")
UNITS = sorted(os.path.splitext(n)[0]
               for n in os.listdir(os.path.join(TOP, "t", "unit"))
               if n.endswith(".c"))


@pytest.mark.parametrize("name", UNITS)
def test_unit(name, tmp_path):
    env = dict(os.environ, EXCH_TEST_TMP=str(tmp_path))
    if SANITIZE:
        env["ASAN_OPTIONS"] = "detect_leaks=1"
        env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    r = subprocess.run([os.path.join(UNIT_DIR, name)], capture_output=True,
                       text=True, env=env, timeout=600)
    out = r.stdout
    failed = [l for l in out.splitlines() if l.startswith("not ok")]
    plan = re.search(r"^1\.\.(\d+)$", out, re.M)
    run = len(re.findall(r"^(?:not )?ok \d+", out, re.M))
    assert not failed, out + r.stderr
    assert plan and int(plan.group(1)) == run, "incomplete:\n" + out + r.stderr
    assert r.returncode == 0, out + r.stderr
