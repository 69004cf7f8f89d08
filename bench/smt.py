"""Where the SMT engines' time goes on protocols written without lemmas (issue 20):
python bench/smt.py [--engines kind,pdr,auto,bmc] [--limit S] [--only NAME ...] [--encodings] [--deep [--rlimit N]]

For each spec: the explicit search first (its state count, and its time as the baseline), then
every safety property that explicit proves, checked by each engine asked for (`--timeout`-like
budget S per property, depth 30), each in a forked child process (clean heap, killed 30 s after
its budget). Prints wall and CPU seconds (the budget is wall clock: on a loaded machine a
proof may time out that takes a fraction of its budget in CPU), and one line per measurement with the ratio of its time to the explicit
baseline measured in the same run (bench/README.md: ratios, not absolute times, compare
across machines and loads). `--encodings` times BMC to a fixed depth on the filter lock in each
integer encoding and frame style (docs/encoding.md), as ratios to the default. `--deep` runs
BMC to depth 30 and PDR (its budget per frame, then its BMC phase: NOTE(pdr-frames)) on the
locks and on their long counterexamples (bench/specs/filter_bug.yaml, mcs_bug.yaml).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from checker.core.budget import Budget  # noqa: E402
from checker.core.verdict import Proved  # noqa: E402
from checker.explicit.search import explore  # noqa: E402
from model.load import load_spec  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SPECS = [   # name, spec file, params
    ("filter N=3", "bench/specs/filter.yaml", ()),
    ("mcs N=3", "bench/specs/mcs.yaml", ()),
    ("bakery MAX=3", "bench/specs/bakery.yaml", ()),
    ("ticket N=3 M=4", "bench/specs/ticket.yaml", ()),
    ("peterson", "specs/examples/peterson.yaml", ()),
    ("dining N=3", "specs/examples/dining.yaml", ()),
    ("counter", "specs/examples/counter.yaml", ()),
    ("retry", "specs/examples/retry.yaml", ()),
    ("spinlock", "specs/examples/spinlock.yaml", ()),
]
ENCODING_DEPTH = 18
DEEP = [   # spec file, property, engine: BMC to depth 30 and PDR, holding and ~20-step violations
    ("bench/specs/filter.yaml", "mutex", "bmc"), ("bench/specs/filter_bug.yaml", "mutex", "bmc"),
    ("bench/specs/mcs_bug.yaml", "deadlock", "bmc"),
    ("bench/specs/filter_bug.yaml", "mutex", "pdr"), ("bench/specs/mcs_bug.yaml", "deadlock", "pdr"),
    ("bench/specs/filter.yaml", "mutex", "pdr"), ("bench/specs/mcs.yaml", "mutex", "pdr"),
    ("bench/specs/bakery.yaml", "mutex", "pdr"), ("bench/specs/ticket.yaml", "mutex", "pdr"),
]


def _child(q: mp.Queue, path: str, params: tuple[str, ...], variant: str | None, prop: str,
           engine: str, limit: float, options: dict[str, object] | None, rlimit: int | None) -> None:
    from checker.run.runner import check
    from checker.smt import bmc
    from checker.smt.encode import EncodingOptions

    ts = load_spec(ROOT / path, params, variant)[0]
    t0 = time.monotonic()
    if options is not None:
        v = bmc.check(ts, prop, Budget(timeout_s=limit, max_depth=ENCODING_DEPTH), options=EncodingOptions(**options))
    else:
        # --rlimit: bounded by work alone (no clock), so a loaded machine changes the time, not the verdict
        budget = Budget(rlimit=rlimit, max_depth=30) if rlimit else Budget(timeout_s=limit, max_depth=30)
        v = check(ts, prop, engine, budget)
    what = v.detail if isinstance(v, Proved) else getattr(v, "reason", "") or \
        f"depth {getattr(v, 'depth', '') or v.trace.depth}, {v.provenance.engine}"  # type: ignore[union-attr]
    cpu = os.times()
    q.put((type(v).__name__, what, time.monotonic() - t0, cpu.user + cpu.system))


def measure(path: str, params: tuple[str, ...], variant: str | None, prop: str, engine: str,
            limit: float, options: dict[str, object] | None = None,
            rlimit: int | None = None) -> tuple[str, str, float, float]:
    q: mp.Queue = mp.Queue()
    p = mp.get_context("fork").Process(target=_child, args=(q, path, params, variant, prop, engine, limit, options,
                                                             rlimit))
    p.start()
    p.join(limit + 30)
    if p.is_alive():
        p.kill()
        return "killed", "", limit + 30, float("nan")
    verdict, what, secs, cpu = q.get()
    return verdict, what, secs, cpu


def engines_table(args: argparse.Namespace) -> None:
    print(f"{'spec':16} {'variant':8} {'property':20} {'engine':6} {'verdict':9} {'s':>7} {'cpu s':>7} "
          f"{'x explicit':>10}  detail")
    for name, path, params in SPECS:
        if args.only and not any(o in name for o in args.only):
            continue
        for ts in load_spec(ROOT / path, params):
            t0 = time.monotonic()
            r = explore(ts, budget=Budget(timeout_s=args.limit))
            base = max(time.monotonic() - t0, 1e-3)
            print(f"{name:16} {ts.variant or '-':8} {'(explicit)':20} {'':6} {r.states:>9} {base:7.2f} "
                  f"{'':7} {1.0:10.1f}  states", flush=True)
            for p in ts.properties:
                if p.temporal or not isinstance(r.verdict(p.name), Proved):
                    continue
                for engine in args.engines.split(","):
                    verdict, what, secs, cpu = measure(path, params, ts.variant, p.name, engine, args.limit)
                    print(f"{name:16} {ts.variant or '-':8} {p.name:20} {engine:6} {verdict:9} {secs:7.2f} "
                          f"{cpu:7.2f} {secs / base:10.1f}  {what[:70]}", flush=True)


def encodings_table(args: argparse.Namespace) -> None:
    opts = [{"ints": "bv"}, {"ints": "int"}, {"ints": "bv", "solver": "smt"},
            {"ints": "bv", "frames": "per-action"}]
    base = None
    for o in opts:
        verdict, what, secs, cpu = measure("bench/specs/filter.yaml", (), None, "mutex", "bmc", args.limit, o)
        base = base or secs
        label = ",".join(f"{k}={v}" for k, v in o.items())
        print(f"filter N=3 mutex, BMC to depth {ENCODING_DEPTH}, {label:28} {verdict:9} {secs:7.2f} s ({cpu:.2f} cpu)"
              f"  x{secs / base:5.2f} of the default  {what}", flush=True)


def deep_table(args: argparse.Namespace) -> None:
    for path, prop, engine in DEEP:
        if args.only and not any(o in path for o in args.only):
            continue
        verdict, what, secs, cpu = measure(path, (), None, prop, engine, args.limit, rlimit=args.rlimit)
        print(f"{path:30} {prop:9} {engine:4} {verdict:9} {secs:7.2f} s {cpu:7.2f} cpu  {what[:110]}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engines", default="kind,pdr,auto")
    ap.add_argument("--limit", type=float, default=30.0)
    ap.add_argument("--only", nargs="*", default=[])
    ap.add_argument("--encodings", action="store_true")
    ap.add_argument("--deep", action="store_true")
    ap.add_argument("--rlimit", type=int, default=None,
                    help="bound each z3 call by this much work, with no clock (--limit then only kills)")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    if args.encodings:
        encodings_table(args)
    elif args.deep:
        deep_table(args)
    else:
        engines_table(args)


if __name__ == "__main__":
    main()
