"""SPIN as the baseline: install it if missing, build `pan` from a Promela peer, run it, parse it.

Two builds per run: `-DNOREDUCE` (no partial-order reduction: the same state graph as
seamcheck's explicit engine without symmetry, so the stored-state counts must agree exactly) and
the default (SPIN's partial-order reduction). Both use `-DSAFETY` (safety checking only, SPIN's
own recommendation when there is no never claim) and full state storage: never `-DBITSTATE`.
"""

from __future__ import annotations

import math
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.cases import PEERS, Run
from bench.seam import Measurement

MEMLIM_MB = 8_000
VECTORSZ = 4_096


def ensure_spin() -> str | None:
    """SPIN's version line, installing the Debian package first when `spin` is missing."""
    if shutil.which("spin") is None:
        for cmd in (["apt-get", "install", "-y", "spin"], ["apt-get", "update"], ["apt-get", "install", "-y", "spin"]):
            subprocess.run(cmd, capture_output=True, check=False)
            if shutil.which("spin"):
                break
    if shutil.which("spin") is None or shutil.which("gcc") is None:
        return None
    out = subprocess.run(["spin", "-V"], capture_output=True, text=True, check=False).stdout
    return out.strip()


@dataclass(frozen=True)
class PanOutput:
    states: int | None
    transitions: int | None
    depth: int | None
    errors: int | None
    truncated: bool          # the search depth limit cut the search short
    out_of_memory: bool


def _int(pattern: str, text: str) -> int | None:
    m = re.search(pattern, text)
    return int(float(m.group(1))) if m else None


def parse_pan(text: str) -> PanOutput:
    return PanOutput(
        states=_int(r"(\S+) states, stored", text),
        transitions=_int(r"(\S+) transitions \(= stored\+matched\)", text),
        depth=_int(r"depth reached (\d+)", text),
        errors=_int(r"errors: (\d+)", text),
        truncated="max search depth too small" in text,
        out_of_memory="MEMLIM" in text or "out of memory" in text,
    )


def build(run: Run, reduce: bool, workdir: Path, ncore: int = 1) -> float:
    """spin -a and gcc in workdir (-DNCORE=ncore above 1: SPIN's multi-core search); returns the
    seconds taken. Raises CalledProcessError."""
    t0 = time.monotonic()
    pml = PEERS / (run.model.pml or "")
    subprocess.run(["spin", *run.spin_defines(), "-a", str(pml)], cwd=workdir, check=True,
                   capture_output=True, text=True)
    flags = ["-O2", "-w", "-DSAFETY", f"-DVECTORSZ={VECTORSZ}", f"-DMEMLIM={MEMLIM_MB}"]
    if not reduce:
        flags.append("-DNOREDUCE")
    if ncore > 1:
        flags.append(f"-DNCORE={ncore}")
    subprocess.run(["gcc", *flags, "-o", "pan", "pan.c"], cwd=workdir, check=True, capture_output=True, text=True)
    return time.monotonic() - t0


def table_bits(estimate: int) -> int:
    """-w: a hash table with about twice as many slots as states (2^18 .. 2^27)."""
    return max(18, min(27, math.ceil(math.log2(max(estimate, 1) * 2))))


def run_pan(workdir: Path, limit_s: float, estimate: int) -> tuple[str, float, bool]:
    """Run ./pan; on timeout SIGINT lets it print what it stored so far. (output, seconds, timed out).

    The output goes to a file: with -c0 pan prints a line per assertion failure, which can be many."""
    depth = max(100_000, min(estimate, 20_000_000))     # pan allocates its stack up front
    cmd = ["./pan", f"-m{depth}", "-c0", f"-w{table_bits(estimate)}"]
    log = workdir / "pan.out"
    with log.open("w") as out:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=workdir, stdout=out, stderr=subprocess.STDOUT)
        timed_out = False
        try:
            proc.wait(timeout=limit_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        elapsed = min(time.monotonic() - t0, limit_s) if timed_out else time.monotonic() - t0
    return _ends(log), elapsed, timed_out


def _ends(log: Path, head: int = 1 << 16, tail: int = 1 << 20) -> str:
    """The log's first and last bytes: the summary pan prints at the end (and a failure to start
    at the beginning). In between are only the lines of assertion failures that -c0 goes past:
    1.3 GB of them on the TDX twin at V=3 P=3 (its expected violations), which took longer to
    scan with the summary's regular expressions than the search took."""
    size = log.stat().st_size
    with log.open("rb") as f:
        if size <= head + tail:
            return f.read().decode(errors="replace")
        first = f.read(head)
        f.seek(size - tail)
        return (first + b"\n" + f.read()).decode(errors="replace")


def measure(run: Run, reduce: bool, limit_s: float, estimate: int, ncore: int = 1) -> Measurement:
    tool = ("spin-por" if reduce else "spin") + (f"-{ncore}c" if ncore > 1 else "")
    if not run.model.pml or not (PEERS / run.model.pml).exists():
        return Measurement(tool, "unavailable", note="no Promela peer")
    with tempfile.TemporaryDirectory(prefix="seambench-") as d:
        work = Path(d)
        try:
            build_s = build(run, reduce, work, ncore)
        except subprocess.CalledProcessError as e:
            first = ((e.stderr or e.stdout or "").strip().splitlines() or [""])[0]
            return Measurement(tool, "error", note=f"build failed: {first[:160]}")
        out, pan_s, timed_out = run_pan(work, limit_s, estimate)
        p = parse_pan(out)
        if p.truncated and not timed_out:
            out, pan_s, timed_out = run_pan(work, limit_s, estimate * 10)
            p = parse_pan(out)
    status = "timeout" if timed_out else "memory" if p.out_of_memory else "done"
    if status == "done" and (p.truncated or p.states is None):
        status = "error"
    note = "depth limit too small" if p.truncated else ""
    if p.errors:
        note = "; ".join(x for x in (note, f"{p.errors} assertion/deadlock errors (-c0: search goes on)") if x)
    return Measurement(tool, status, p.states, p.transitions, pan_s, build_s + pan_s,
                       "complete" if status == "done" else "", p.depth, note)
