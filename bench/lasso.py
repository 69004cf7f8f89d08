"""BMC lassos: the encodings against each other, in the same run.

    python bench/lasso.py                      # every case and encoding, 60 s per run
    python bench/lasso.py --time-limit 20 --only chandy --encodings incremental loop-lengths

The encodings: "quadratic" (lasso_quadratic.py), "incremental" (lasso.py without refuted loop
lengths) and "loop-lengths" (the default: lasso.py with loops.py, NOTE(loop-lengths)). Each case
runs in a child process per encoding (clean heap, killed 30 s after its limit). A run records
when each depth was finished (progress reports) and how much of that was solver time (the side
solver's included), so the time not in queries is the encoding's; and its CPU time (user + sys
of the child). Ratios are first / last encoding on the time to reach the deepest depth both
finished, in CPU seconds (a ratio > 1: the last one is faster).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from checker.core.budget import Budget, Progress  # noqa: E402
from checker.core.verdict import HoldsUpTo, Verdict, Violated  # noqa: E402
from checker.smt import bmc  # noqa: E402
from checker.smt.encode import EncodingOptions  # noqa: E402
from model.load import load_spec  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CASES = [   # name, spec, overrides, variant, property, max_depth
    ("chandy N=3 hungry_eats", "tests/specs/chandy_misra.yaml", ("N=3",), None, "hungry_eats", 30),
    ("chandy N=5 hungry_eats", "tests/specs/chandy_misra.yaml", ("N=5",), None, "hungry_eats", 30),
    ("chandy N=5 someone_eats_often", "tests/specs/chandy_misra.yaml", ("N=5",), None, "someone_eats_often", 30),
    ("chandy N=5 thinker_gets_hungry", "tests/specs/chandy_misra.yaml", ("N=5",), None, "thinker_gets_hungry", 30),
    ("spinlock strong no_starvation", "specs/examples/spinlock.yaml", (), "strong", "no_starvation", 30),
    ("retry fair terminates", "specs/examples/retry.yaml", (), "fair", "terminates", 30),
    ("tdx v19 V=1 P=2 L1", "specs/tdx/teardown.yaml", ("V=1", "P=2"), "v19", "L1", 30),
    ("tdx v6_16 V=1 P=2 L2", "specs/tdx/teardown.yaml", ("V=1", "P=2"), "v6_16", "L2", 30),
]
ENCODINGS = {"quadratic": EncodingOptions(lasso="quadratic"),
             "incremental": EncodingOptions(loop_lengths=False),
             "loop-lengths": EncodingOptions()}


@dataclass(frozen=True)
class Run:
    verdict: str            # e.g. "holds to 30", "violated at 6", "holds to 17 (timeout ...)"
    reached: tuple[float, ...]   # reached[d]: CPU seconds until depth d was finished
    total_s: float
    query_s: float
    cpu_s: float


def _words(v: Verdict) -> str:
    if isinstance(v, Violated):
        return f"violated at {v.trace.depth}"
    if isinstance(v, HoldsUpTo):
        return f"holds to {v.depth}" + (f" ({v.stopped})" if v.stopped else "")
    return f"unknown ({getattr(v, 'reason', '')})"


def measure(case: tuple[str, str, tuple[str, ...], str | None, str, int], encoding: str, limit: float) -> Run:
    _, spec, overrides, variant, prop, depth = case
    [ts] = load_spec(ROOT / spec, overrides, variant=variant)
    t0, cpu0 = time.monotonic(), _cpu()
    reached: list[float] = []
    queries = [0.0]

    def progress(p: Progress) -> None:
        queries[0] += p.query_s
        if p.depth == len(reached):   # CPU time: a shared machine slows the clock, not this
            reached.append(_cpu() - cpu0)
    budget = Budget(max_depth=depth, timeout_s=limit, on_progress=progress)
    v = bmc.check(ts, prop, budget, options=ENCODINGS[encoding])
    # a depth whose query a limit stopped was reported too, but not finished
    done = v.depth + 1 if isinstance(v, HoldsUpTo) else len(reached)
    return Run(_words(v), tuple(reached[:done]), time.monotonic() - t0, queries[0], _cpu() - cpu0)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _child(case: tuple, encoding: str, limit: float, out: mp.Queue) -> None:  # type: ignore[type-arg]
    out.put(measure(case, encoding, limit))


def in_child(case: tuple, encoding: str, limit: float) -> Run | None:  # type: ignore[type-arg]
    q: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    p = mp.Process(target=_child, args=(case, encoding, limit, q))
    p.start()
    try:
        return q.get(timeout=limit + 30)   # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001 - an overrun or a crash: no measurement
        return None
    finally:
        p.kill()
        p.join()


def line(name: str, runs: dict[str, Run | None]) -> str:
    cells = []
    for r in runs.values():
        cells.append("failed" if r is None else
                     f"{r.verdict}, {r.total_s:.2f} s, {r.cpu_s:.2f} s CPU ({r.total_s - r.query_s:.2f} s encoding)")
    old, new = list(runs.values())[0], list(runs.values())[-1]
    ratio = "-"
    if old is not None and new is not None and old.reached and new.reached:
        d = min(len(old.reached), len(new.reached)) - 1
        ratio = f"{old.reached[d] / max(new.reached[d], 1e-3):.1f}x to depth {d}"
    return f"| {name} | {' | '.join(cells)} | {ratio} |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per run (default 60)")
    ap.add_argument("--only", nargs="*", default=[], help="cases whose name contains one of these words")
    ap.add_argument("--encodings", nargs="*", default=list(ENCODINGS), choices=list(ENCODINGS),
                    help="the encodings to compare, in this order (default: all)")
    args = ap.parse_args()
    print(f"# python bench/lasso.py --time-limit {args.time_limit:g}"
          + (f" --only {' '.join(args.only)}" if args.only else "")
          + f" --encodings {' '.join(args.encodings)}")
    print(f"| case | {' | '.join(args.encodings)} | {args.encodings[0]} / {args.encodings[-1]} |")
    print("|---|" + "---|" * (len(args.encodings) + 1))
    for case in CASES:
        if args.only and not any(w in case[0] for w in args.only):
            continue
        runs = {enc: in_child(case, enc, args.time_limit) for enc in args.encodings}
        print(line(case[0], runs), flush=True)


if __name__ == "__main__":
    main()
