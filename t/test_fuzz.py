"""Replays each fuzz target's seed corpus (fuzz/corpus/NAME/) through the
libFuzzer binary built with ASan and UBSan: inputs that once crashed a parser
stay in the corpus and must keep passing.  Fuzzing itself is "make fuzz" and
then build/fuzz/NAME fuzz/corpus/NAME (see t/README)."""

import os
import subprocess

import pytest

from conftest import BUILD, TOP

TARGETS = sorted(os.path.splitext(n)[0]
                 for n in os.listdir(os.path.join(TOP, "fuzz"))
                 if n.endswith(".c"))


@pytest.mark.parametrize("name", TARGETS)
def test_fuzz_corpus_replays_clean(name, tmp_path):
    corpus = os.path.join(TOP, "fuzz", "corpus", name)
    assert os.path.isdir(corpus) and os.listdir(corpus), \
        "fuzz target %s has no seed corpus" % name
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    r = subprocess.run([os.path.join(BUILD, "fuzz", name), "-runs=0",
                        corpus], capture_output=True, text=True, env=env,
                       cwd=tmp_path, timeout=600)
    assert r.returncode == 0, r.stderr[-4000:]
