"""Liveness for every size (`--engine kind --for-all`): the CPU time of one proof with each of
the Houdini speed-ups off and on, as ratios against the first configuration run (by default:
all of them off), measured in the same run.

    python bench/forall_live.py [--spec PATH] [--variant V] [--property P] [--only NAME,...]

Runs from the root of the tree to measure. Each configuration runs in a child process of its own
(`python bench/forall_live.py --child ...`), so none inherits another's z3 state; each prints one
JSON line: the verdict, its detail, the child's CPU time (user + sys) and the load average.
The switches are the module constants of checker/smt/forall_live.py:

- `REST_CARRY` (NOTE(forall-rest-carry)): the rest stage takes the first stage's lemmas as proved;
- `HOUDINI_ONE_LIMIT` (NOTE(houdini-one-limit)): a quantified query asked once at the larger
  work limit instead of at the smaller one and then again;
- `HOUDINI_CORES` (NOTE(houdini-cores)): a query unsat under candidates still kept not asked again.

The default spec, tests/specs/forall/offline.yaml (variant `fair`, property `closes`), needs the
rest stage and takes seconds; the TDX proofs (`--spec specs/tdx/teardown.yaml --variant
mut_f1_flag_at_create --property L2`) take 15-30 minutes of CPU per configuration.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))

SWITCHES = ("REST_CARRY", "HOUDINI_ONE_LIMIT", "HOUDINI_CORES")
SHORT = {"REST_CARRY": "carry", "HOUDINI_ONE_LIMIT": "one_limit", "HOUDINI_CORES": "cores"}
CONFIGS = {   # name -> the switches on: none, each alone, all, and all but each
    "none": (),
    **{SHORT[x]: (x,) for x in SWITCHES},
    "all": SWITCHES,
    **{f"all-{SHORT[x]}": tuple(y for y in SWITCHES if y != x) for x in SWITCHES},
}


def child(spec: str, variant: str | None, prop: str, on: list[str]) -> None:
    from checker.run.runner import RunOptions, run_instance
    from checker.smt import forall_live
    from model.load import load_spec
    for name in SWITCHES:
        setattr(forall_live, name, name in on)
    ts = load_spec(Path(spec), (), variant)[0]
    t0 = time.process_time()
    v = run_instance(ts, [prop], RunOptions("kind", for_all=True)).verdicts[0]
    cpu = time.process_time() - t0
    print(json.dumps({"verdict": type(v).__name__, "detail": getattr(v, "detail", "") or getattr(v, "reason", ""),
                      "cpu": round(cpu, 2), "load": open("/proc/loadavg").read().split()[0]}))


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description="for-all liveness proofs with Houdini's speed-ups off and on")
    ap.add_argument("--spec", default="tests/specs/forall/offline.yaml")
    ap.add_argument("--variant", default="fair")
    ap.add_argument("--property", default="closes")
    ap.add_argument("--only", default="none,carry,one_limit,cores,all",
                    help=f"configurations to run, the first is the baseline: {', '.join(CONFIGS)}")
    ap.add_argument("--child", nargs="*", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    variant = args.variant or None
    if args.child is not None:
        child(args.spec, variant, args.property, args.child)
        return
    base: float | None = None
    for name in args.only.split(","):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run([sys.executable, __file__, "--spec", args.spec, "--variant", args.variant,
                              "--property", args.property, "--child", *CONFIGS[name]],
                             capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        got = json.loads(out)
        got["process_cpu"] = round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2)
        base = got["cpu"] if base is None else base
        got["ratio"] = round(got["cpu"] / base, 2) if base else None
        print(json.dumps({"config": name, **got}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
