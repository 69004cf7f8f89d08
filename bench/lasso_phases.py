"""BMC lassos: where the CPU time of one `bmc.check_all` goes, phase by phase.

    python bench/lasso_phases.py N PROPS [DEPTH]     # PROPS: comma-separated, or "all"

Runs from the root of the tree to measure (so a `git archive` of another commit measures that
commit) on tests/specs/chandy_misra.yaml at N, depth 30 by default, and prints one JSON line:
the verdicts, the process's CPU time (user + sys) in all, and the CPU time of each phase, taken
by wrapping the methods that run it: `stutter` (NOTE(stutter-fact) queries), `side` (the loop-
length side solver's queries, NOTE(loop-lengths)), `proof` (NOTE(no-fair-loop), when tried),
`mine` (BMC's mining, NOTE(bmc-mining), with the state count unrolled when it ran) and
`depth_queries` (the depth queries themselves and their encoding, the rest excluded).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path.cwd()))

from bench.lasso import _words  # noqa: E402
from checker.core.budget import Budget  # noqa: E402
from checker.smt import base, bmc, loops  # noqa: E402
from model.load import load_spec  # noqa: E402

CPU: dict[str, float] = {"stutter": 0.0, "side": 0.0, "proof": 0.0, "mine": 0.0, "at": 0.0}
COUNT: dict[str, int] = {"side": 0, "at": 0}
MINED_AT: list[int] = []


def _wrap(cls: type, name: str, key: str) -> None:
    f = getattr(cls, name, None)
    if f is None:
        return

    def timed(self: Any, *args: Any, **kw: Any) -> Any:
        if key == "mine":
            MINED_AT.append(self.path.settled if hasattr(self.path, "settled") else -1)
        t = time.process_time()
        try:
            return f(self, *args, **kw)
        finally:
            CPU[key] += time.process_time() - t
            if key in COUNT:
                COUNT[key] += 1
    setattr(cls, name, timed)


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description="Where one BMC run's CPU time goes, phase by phase.")
    ap.add_argument("n", metavar="N", type=int, help="philosophers")
    ap.add_argument("names", metavar="PROPS", help='comma-separated property names, or "all"')
    ap.add_argument("depth", metavar="DEPTH", type=int, nargs="?", default=30)
    args = ap.parse_args(argv)
    n, names, depth = args.n, args.names, args.depth
    for cls, name, key in ((base.Unrolling, "rule_out_stutter", "stutter"), (base.Unrolling, "_mine", "mine"),
                           (loops.LoopLengths, "_check", "side"), (loops.LoopLengths, "_no_loop", "proof"),
                           (base.Unrolling, "at", "at")):
        _wrap(cls, name, key)
    [ts] = load_spec(Path("tests/specs/chandy_misra.yaml"), (f"N={n}",))
    props = [p.name for p in ts.properties] if names == "all" else names.split(",")
    t0 = time.process_time()
    vs = bmc.check_all(ts, props, Budget(max_depth=depth))
    total = time.process_time() - t0
    r = resource.getrusage(resource.RUSAGE_SELF)
    out: dict[str, Callable[[], object] | object] = {
        "N": n, "props": names, "verdicts": {v.prop: _words(v) for v in vs},
        "cpu": round(total, 2), "process_cpu": round(r.ru_utime + r.ru_stime, 2),
        "depth_queries": round(CPU["at"] - CPU["side"] - CPU["proof"] - CPU["mine"], 2),
        "stutter": round(CPU["stutter"], 2), "side": round(CPU["side"], 2), "side_queries": COUNT["side"],
        "proof": round(CPU["proof"], 2), "mine": round(CPU["mine"], 2),
        "mined_at_state": MINED_AT, "load": open("/proc/loadavg").read().split()[0]}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
