"""Ctrl-C (NOTE(interrupt) in checker/core/budget.py): every mode stops promptly, prints what it
had decided, marks the rest `interrupted (SIGINT)`, exits 3, and no process prints a traceback.

The SIGINT goes to the whole process group, as a terminal sends it. Timings decide nothing
here: the test waits for output that shows the slow part has started, and a generous limit only
guards against a hang."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SLOW = """\
spec: slow
vars:
  a: {type: "0..2000", init: 0}
  b: {type: "0..2000", init: 0}
machines:
  m:
    states: [s]
    init: s
    transitions:
      inc_a: {guard: "a < 2000", effect: {a: "a + 1"}, fair: weak}
      inc_b: {guard: "b < 2000", effect: {b: "b + 1"}, fair: weak}
properties:
  bounded: {invariant: "a + b <= 4000"}
  grows: {eventually: "a == 2000"}
check_deadlock: false
"""
HANG_GUARD_S = 120


def interrupted_run(args: list[str], started: str, after_s: float = 1.0) -> tuple[int, str, str]:
    """Run seamcheck, send SIGINT to its process group once `started` was printed (and
    after_s more), then collect everything it printed."""
    p = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), *args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, start_new_session=True, cwd=ROOT)
    out: list[str] = []
    seen = threading.Event()

    def read() -> None:
        assert p.stdout is not None
        for line in p.stdout:
            out.append(line)
            if started in line:
                seen.set()
    errs: list[str] = []
    readers = [threading.Thread(target=read), threading.Thread(target=lambda: errs.append(p.stderr.read()))]  # type: ignore[union-attr]
    for r in readers:
        r.start()
    assert seen.wait(HANG_GUARD_S), "".join(out)
    time.sleep(after_s)
    os.killpg(p.pid, signal.SIGINT)
    try:
        p.wait(timeout=HANG_GUARD_S)
    finally:
        p.kill()
    for r in readers:
        r.join()
    return p.returncode, "".join(out), "".join(errs)


@pytest.fixture()
def slow(tmp_path: Path) -> str:
    path = tmp_path / "slow.yaml"
    path.write_text(SLOW)
    return str(path)


FIRST = "specs/examples/counter.yaml"       # quick, printed before the slow spec starts
FIRST_DONE = "ok   never_two"          # its block is written at once


@pytest.mark.parametrize("mode", [[], ["--workers", "2"], ["--engine", "portfolio"]],
                         ids=["serial", "workers", "portfolio"])
def test_ctrl_c_stops_prints_partial_results_and_exits_3(slow: str, mode: list[str]) -> None:
    code, out, err = interrupted_run(["check", FIRST, slow, *mode], FIRST_DONE)
    assert code == 3, (out, err)
    assert "Traceback" not in err and "Traceback" not in out, err
    assert "ok   never_two" in out, out
    assert "interrupted (SIGINT)" in out, out
    assert "inconclusive (exit 3)" in out, out


def test_ctrl_c_in_the_safety_search_skips_the_liveness_search(slow: str) -> None:
    """The liveness search after an interrupted safety search stops at once (it used to run to
    its end): its verdict is interrupted, not proved."""
    code, out, _ = interrupted_run(["check", FIRST, slow], FIRST_DONE)
    assert code == 3
    tail = out[out.index("slow.yaml"):]
    assert "??   grows    unknown (explicit: interrupted (SIGINT))" in tail, tail


def test_ctrl_c_while_starting_exits_3_quietly() -> None:
    p = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "check", "specs/tdx"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, start_new_session=True, cwd=ROOT)
    time.sleep(0.2)
    os.killpg(p.pid, signal.SIGINT)
    out, err = p.communicate(timeout=HANG_GUARD_S)
    assert p.returncode == 3 and "Traceback" not in err, err


def test_an_inherited_ignored_sigint_stays_ignored() -> None:
    """A spawned worker (portfolio, --workers) re-imports cli.py with SIGINT ignored by its parent;
    cli.py used to install its own handlers then, so a Ctrl-C during the worker's imports printed
    a KeyboardInterrupt traceback (the portfolio interrupt test failed about one run in three)."""
    code = ("import signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); sys.path.insert(0, '.'); "
            "import cli; print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True", out
