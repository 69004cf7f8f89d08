"""Where the SMT proof overtakes SPIN's exhaustive search (issue #8, item 4).

    python bench/crossing.py [--variant v6_16_atomic_init] [--prop S1] [--p 3] [--vmax 6] [--limit 60]

For V = 1..vmax vCPUs (P LPs, K=2) on specs/tdx/teardown.yaml, one variant in which the property
holds: the CPU seconds of k-induction (with the spec's lemmas, and mined ones if it needs them)
and of PDR proving it, against the CPU seconds of SPIN's exhaustive search (`pan`, with and
without partial-order reduction) on bench/peers/tdx_teardown.pml at the same size, which checks
every safety property at once. Sizes past the spec's declared `max:` are loaded with it raised in
memory (bench/cases.py:widened_text). Each measurement runs in its own child process; a run
over `--limit` seconds counts as a timeout. Prints a markdown table and the first V from which
the proof is faster than SPIN's search.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):   # run as a script: make `bench`, `checker` and `model` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cases import TDX_SPEC, Model, Run, run_of, tdx_defines, tdx_variants, widened_text  # noqa: E402
from bench.spin import build, ensure_spin, parse_pan, table_bits  # noqa: E402

GRACE_S = 30.0


@dataclass(frozen=True)
class Timing:
    """CPU seconds of one measurement, and what it established ("proved", "done", "timeout"...)."""

    cpu_s: float | None
    outcome: str
    states: int | None = None


def _prove(engine: str, run: Run, prop: str, limit_s: float, out: mp.Queue) -> None:
    from checker.core.budget import Budget
    from checker.core.verdict import kind_of
    from checker.smt import kind, pdr
    from model.load import load_text

    text, _ = widened_text(run.model.spec, run.size)
    [ts] = load_text(text, str(run.model.spec), run.overrides, run.model.variant)
    check = {"kind": kind.check, "pdr": pdr.check}[engine]
    t0 = time.process_time()
    v = check(ts, prop, Budget(timeout_s=limit_s, max_depth=20))
    out.put(Timing(time.process_time() - t0, kind_of(v)))


def smt(engine: str, run: Run, prop: str, limit_s: float) -> Timing:
    """The proof's CPU time in a fresh process (z3 runs in it), killed past the limit."""
    q: mp.Queue = mp.Queue()
    child = mp.Process(target=_prove, args=(engine, run, prop, limit_s, q))
    child.start()
    child.join(limit_s + GRACE_S)
    if child.is_alive():
        child.kill()
        child.join()
        return Timing(None, "killed")
    return q.get() if not q.empty() else Timing(None, "error")


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def spin(run: Run, reduce: bool, limit_s: float, depth: int = 1_000_000) -> Timing:
    """pan's CPU time (SPIN's search alone: spin -a and gcc are not counted); the search depth
    limit grows tenfold while it cuts the search short."""
    with tempfile.TemporaryDirectory(prefix="crossing-") as d:
        work = Path(d)
        build(run, reduce, work)
        got = _pan(work, limit_s, depth)
        while got.outcome == "truncated" and depth < 100_000_000:
            depth *= 10
            got = _pan(work, limit_s, depth)
    return got


def _pan(work: Path, limit_s: float, depth: int) -> Timing:
    before = _children_cpu()
    with (work / "pan.out").open("w") as log:
        proc = subprocess.Popen(["./pan", f"-m{depth}", "-c0", f"-w{table_bits(depth)}"],
                                cwd=work, stdout=log, stderr=subprocess.STDOUT)
        try:
            proc.wait(timeout=limit_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return Timing(None, "timeout")
    cpu = _children_cpu() - before
    p = parse_pan((work / "pan.out").read_text(errors="replace"))
    if p.truncated:
        return Timing(cpu, "truncated", p.states)
    return Timing(cpu, "done" if p.states is not None and not p.out_of_memory else "error", p.states)


def _cell(t: Timing) -> str:
    return f"{t.cpu_s:.2f}" if t.cpu_s is not None and t.outcome in ("proved", "done") else t.outcome


def _ratio(a: Timing, b: Timing) -> str:
    if a.cpu_s is None or b.cpu_s is None or a.outcome not in ("proved", "done") or b.outcome != "proved":
        return "-"
    return f"{a.cpu_s / b.cpu_s:.2f}" if b.cpu_s > 0 else "-"


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variant", default="v6_16_atomic_init")
    ap.add_argument("--prop", default="S1")
    ap.add_argument("--p", type=int, default=3)
    ap.add_argument("--vmax", type=int, default=6)
    ap.add_argument("--limit", type=float, default=60.0)
    a = ap.parse_args(argv)
    if ensure_spin() is None:
        sys.exit("spin (and gcc) are needed: apt-get install -y spin")
    model = Model("tdx", a.variant, TDX_SPEC, a.prop, (), "tdx_teardown.pml", tdx_defines(tdx_variants()[a.variant]))
    rows, faster = [], []
    for v in range(1, a.vmax + 1):
        run = run_of(model, (("V", v), ("P", a.p)))
        por, full = spin(run, True, a.limit), spin(run, False, a.limit)
        kd, pd = smt("kind", run, a.prop, a.limit), smt("pdr", run, a.prop, a.limit)
        best = min((t.cpu_s for t in (kd, pd) if t.outcome == "proved" and t.cpu_s is not None), default=None)
        faster.append(best is not None and (por.outcome != "done" or (por.cpu_s or 0.0) > best))
        rows.append(f"| {v} | {por.states or '-'} | {_cell(por)} | {_cell(full)} | {_cell(kd)} | {_cell(pd)} "
                    f"| {_ratio(por, kd)} | {_ratio(por, pd)} |")
        sys.stdout.write(rows[-1] + "\n")
        sys.stdout.flush()
    # the crossing: the first V from which the proof stays faster at every larger V measured
    cross = next((i + 1 for i in range(len(faster)) if all(faster[i:])), None)
    _report(a, rows, cross)


def _report(a: argparse.Namespace, rows: list[str], cross: int | None) -> None:
    head = (f"\n{a.prop} in {a.variant}, P={a.p}, K=2; CPU seconds (limit {a.limit:.0f} s; SPIN: pan alone)\n\n"
            "| V | SPIN states (POR) | SPIN POR | SPIN no POR | k-induction | PDR | SPIN POR / kind | "
            "SPIN POR / PDR |\n|---|---|---|---|---|---|---|---|")
    sys.stdout.write(head + "\n" + "\n".join(rows) + "\n\n")
    where = f"from V={cross} on" if cross is not None else "at no V measured"
    sys.stdout.write(f"The proof is faster than SPIN's search (with partial-order reduction) {where}.\n")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main(sys.argv[1:])
