"""BMC's explicit prefix (NOTE(explicit-prefix) in checker/smt/prefix.py), measured:
python bench/prefix.py depths SPEC PROP DEPTH J [J ...] [-p NAME=VALUE ...] [--variant V] [--limit S]

For each J, in a child process of its own: the explicit search to BFS level J (J = 0: none,
BMC from init as before), then the unrolling alone (no lemma proving, no mining) from level J,
one query per depth up to DEPTH or the first violation. Prints the frontier's size, its
decision diagram's size and build time, and the CPU seconds (user + sys, the child's own) of
each depth's query and in all; the machine is shared, so CPU, not wall clock, is what compares.
A child still running after --limit seconds of wall clock is stopped, its depths so far printed.
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
from model.load import load_spec  # noqa: E402


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def _profile(spec: str, prop: str, depth: int, j: int, params: tuple[str, ...], variant: str | None) -> None:
    from checker.core.verdict import Violated
    from checker.run.engines import explicit_prefix
    from checker.smt.base import Unrolling
    from checker.smt.encode import Encoding
    from checker.smt.prefix import frontier_formula
    from checker.smt.unroll import dag_size
    [ts] = load_spec(spec, params, variant)
    c0 = _cpu()
    pre = explicit_prefix(ts, [prop], Budget(max_depth=j), cap=10**8) if j > 0 else None
    enc = Encoding(ts)
    if pre is not None:
        found = dict(pre.found)
        if prop in found or not pre.frontier:
            print(f"  j={j}: decided by the search ({pre.states} states): "
                  f"{'violated at ' + str(found[prop].depth) if prop in found else 'no state at level j'}",
                  flush=True)
            return
        t = _cpu()
        size = dag_size(frontier_formula(enc, enc.state("0"), pre.frontier))
        print(f"  j={j}: {pre.states} states to level j ({t - c0:.2f} s), frontier {len(pre.frontier)} states, "
              f"diagram {size} subterms ({_cpu() - t:.2f} s)", flush=True)
    u = Unrolling(ts, Budget(max_depth=depth), enc, "bmc", prefix=pre)
    p = ts.prop(prop)
    for d in range((pre.depth + 1) if pre is not None else 0, depth + 1):
        t = _cpu()
        got = u.at(p, d)
        verdict = "sat" if isinstance(got, Violated) else "unsat" if got is None else got.reason
        print(f"    depth {d}: {verdict} {_cpu() - t:.2f} s, {_cpu() - c0:.2f} s CPU in all", flush=True)
        if got is not None:
            return


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["depths"])
    ap.add_argument("spec")
    ap.add_argument("prop")
    ap.add_argument("depth", type=int)
    ap.add_argument("levels", type=int, nargs="+")
    ap.add_argument("-p", "--param", action="append", default=[])
    ap.add_argument("--variant")
    ap.add_argument("--limit", type=float, default=180.0)
    a = ap.parse_args()
    print(f"{a.spec} {' '.join(a.param)} {a.variant or ''} {a.prop} to depth {a.depth} (load {os.getloadavg()[0]:.1f})")
    for j in a.levels:
        w = time.monotonic()
        child = mp.get_context("fork").Process(target=_profile, args=(a.spec, a.prop, a.depth, j,
                                                                       tuple(a.param), a.variant))
        child.start()
        child.join(a.limit)
        if child.is_alive():
            child.terminate()
            child.join()
            print(f"    stopped after {a.limit:.0f} s of wall clock")
        print(f"  j={j}: {time.monotonic() - w:.1f} s wall (load {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    main()
