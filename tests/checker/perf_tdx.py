"""Measurements for docs/encoding.md ("Performance at V=3, P=3"); not a test (too slow).

    python -m tests.checker.perf_tdx bmc   [variant ...]   # shortest violations, one by one and shared
    python -m tests.checker.perf_tdx live  [variant ...]   # lasso counterexamples (temporal properties)
    python -m tests.checker.perf_tdx prove [variant ...]   # k-induction and PDR on what holds

PROVE_TIMEOUT_S (default 30, the target) and PROPS=S1,S6 narrow the proof runs;
PROVE_ENGINES=kind,kind-plain,pdr picks the provers (kind-plain: k-induction without mining); SYMMETRY=0 runs
BMC without its symmetry breaking (EncodingOptions.symmetry, docs/encoding.md), for comparison.
One JSON object per line on stdout. What is expected to hold or be violated comes from the
spec's `expect:` for the instance (cross-checked against the explicit engine separately).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import yaml

from checker.core.budget import Budget
from checker.core.verdict import Verdict, Violated, kind_of
from checker.smt import bmc, kind, pdr
from checker.smt.encode import EncodingOptions
from model.ir import TransitionSystem
from model.load import load_spec

SPEC = Path(__file__).resolve().parents[2] / "specs" / "tdx" / "teardown.yaml"
SIZE = ("V=3", "P=3")
BMC_BUDGET = Budget(max_depth=40, timeout_s=300)
LIVE_BUDGET = Budget(max_depth=40, timeout_s=120)
PROVE_BUDGET = Budget(max_depth=20, timeout_s=float(os.environ.get("PROVE_TIMEOUT_S", "30")))
BMC_OPTIONS = EncodingOptions(symmetry=os.environ.get("SYMMETRY", "1") != "0")


def _row(**kw: object) -> None:
    sys.stdout.write(json.dumps(kw) + "\n")
    sys.stdout.flush()


def _summary(v: Verdict) -> dict[str, object]:
    out: dict[str, object] = {"verdict": kind_of(v), "stats": dict(v.provenance.stats)}
    if isinstance(v, Violated):
        out["depth"] = v.trace.depth
    reason = getattr(v, "reason", None) or getattr(v, "detail", None)
    if reason:
        out["detail"] = reason
    return out


def _timed(f, *args, **kw):  # type: ignore[no-untyped-def]
    """The result, and the CPU seconds it took (the wall clock on a shared machine is noisy)."""
    t0 = time.process_time()
    v = f(*args, **kw)
    return v, time.process_time() - t0


def _load(variant: str) -> TransitionSystem:
    [ts] = load_spec(SPEC, SIZE, variant=variant)
    return ts


def run_bmc(variant: str) -> None:
    ts = _load(variant)
    bad = [p.name for p in ts.properties if p.expect == "violated" and not p.temporal]
    alone = 0.0
    for name in bad:
        v, dt = _timed(bmc.check, ts, name, BMC_BUDGET, options=BMC_OPTIONS)
        alone += dt
        _row(variant=variant, prop=name, engine="bmc", symmetry=BMC_OPTIONS.symmetry, cpu_s=round(dt, 2), wall_s=round(v.provenance.elapsed_s, 2),
             **_summary(v))
    vs, dt = _timed(bmc.check_all, ts, bad, BMC_BUDGET, options=BMC_OPTIONS)
    _row(variant=variant, engine="bmc.check_all", symmetry=BMC_OPTIONS.symmetry, props=len(bad), cpu_s=round(dt, 2),
         one_by_one=round(alone, 2), verdicts={v.prop: _summary(v) for v in vs})


def run_live(variant: str) -> None:
    ts = _load(variant)
    for p in ts.properties:
        if p.temporal and p.expect == "violated":
            v, dt = _timed(bmc.check, ts, p.name, LIVE_BUDGET)
            _row(variant=variant, prop=p.name, engine="bmc-lasso", cpu_s=round(dt, 2),
                 wall_s=round(v.provenance.elapsed_s, 2), **_summary(v))


def _plain(ts: TransitionSystem, prop: str, budget: Budget) -> Verdict:
    return kind.check(ts, prop, budget, mine=False)


PROVERS = {"kind": kind.check, "kind-plain": _plain, "pdr": pdr.check}


def run_prove(variant: str, only: list[str] | None = None) -> None:
    ts = _load(variant)
    for p in ts.properties:
        if p.expect == "violated" or p.temporal or (only and p.name not in only):
            continue
        for name in os.environ.get("PROVE_ENGINES", "kind,pdr").split(","):
            v, dt = _timed(PROVERS[name], ts, p.name, PROVE_BUDGET)
            _row(variant=variant, prop=p.name, engine=name, cpu_s=round(dt, 2),
                 wall_s=round(v.provenance.elapsed_s, 2), **_summary(v))


def main(argv: list[str]) -> None:
    mode, variants = argv[0], argv[1:] or list(yaml.safe_load(SPEC.read_text())["variants"])
    only = os.environ.get("PROPS", "").split(",") if os.environ.get("PROPS") else None
    for variant in variants:
        if mode == "prove":
            run_prove(variant, only)
        else:
            {"bmc": run_bmc, "live": run_live}[mode](variant)


if __name__ == "__main__":
    main(sys.argv[1:])
