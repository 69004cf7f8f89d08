"""Measure the SMT encoding alternatives (docs/encoding.md): python bench/encoding.py

Times BMC to a fixed depth (every query unsat: the properties hold) and k-induction, for each
integer encoding (Int with range constraints, one small BitVec width) and frame style (one
if-then-else per slot, or one frame equation per action and slot). One run each, seconds.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from checker.core.budget import Budget  # noqa: E402
from checker.smt import bmc, kind  # noqa: E402
from checker.smt.encode import EncodingOptions  # noqa: E402
from model.load import load_spec  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CASES = [   # name, spec, params, variant, property, engine, max_depth
    ("tdx v6_16 S4 (viol. @7)", "specs/tdx/teardown.yaml", (), "v6_16", "S4", "bmc", 10),
    ("tdx v6_16 S3 (viol. @8)", "specs/tdx/teardown.yaml", (), "v6_16", "S3", "bmc", 10),
    ("tdx v19 S1p (viol. @13)", "specs/tdx/teardown.yaml", (), "v19", "S1p", "bmc", 13),
    ("dining N=4 (holds)", "specs/examples/dining.yaml", ("N=4",), "ordered", "neighbours_never_eat_together", "bmc", 10),
    ("dining N=4 (holds)", "specs/examples/dining.yaml", ("N=4",), "ordered", "forks_held_by_users", "kind", 12),
    ("peterson (holds)", "specs/examples/peterson.yaml", (), "peterson", "mutex", "kind", 12),
]
OPTIONS = [EncodingOptions("int", "slot-ite"), EncodingOptions("bv", "slot-ite"),
           EncodingOptions("int", "per-action"), EncodingOptions("bv", "per-action")]


def best(f: object, n: int = 3) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        f()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    print(f"{'case':26} {'engine':6} " + " ".join(f"{o.ints + '/' + o.frames:>15}" for o in OPTIONS))
    engines = {"bmc": bmc.check, "kind": kind.check}
    for name, path, params, variant, prop, engine, depth in CASES:
        ts = load_spec(ROOT / path, params, variant)[0]
        e = engines[engine]
        row = [best(lambda o=o, e=e, ts=ts, prop=prop, depth=depth:
                    e(ts, prop, Budget(max_depth=depth), options=o), 1) for o in OPTIONS]
        print(f"{name:26} {engine:6} " + " ".join(f"{t:15.2f}" for t in row), flush=True)


if __name__ == "__main__":
    main()
