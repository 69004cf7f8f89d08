"""`--engine portfolio`: several engines on one property at once; the first conclusive verdict
wins and the others are stopped. Without a conclusive one, the strongest bounded or unknown
result is kept. Each engine runs in its own process through the same adapter as a serial run
(checker/run/engines.py), so a verdict means the same whichever engine won."""

from __future__ import annotations

import multiprocessing as mp
import queue as queue_mod
from collections.abc import Sequence
from dataclasses import replace

from checker.core.budget import Budget, sigint_ignored
from checker.core.verdict import HoldsUpTo, Proved, Provenance, Unknown, Verdict, Violated
from checker.run.engines import ENGINES, run_engine
from checker.run.parallel import ignore_sigint
from model.ir import TransitionSystem

PORTFOLIO = ENGINES


def conclusive(v: Verdict) -> bool:
    return isinstance(v, (Proved, Violated))


def _worker(ts: TransitionSystem, prop: str, engine: str, budget: Budget, symmetry: bool, backend: str,
            out: mp.Queue) -> None:  # type: ignore[type-arg]
    ignore_sigint()
    try:
        v = run_engine(ts, [prop], engine, budget, symmetry, backend).verdicts[0]
    except Exception as e:  # noqa: BLE001 - reported to the parent as an Unknown with the reason
        v = Unknown(prop, Provenance(engine, ts.params, ts.variant), f"{type(e).__name__}: {e}")
    out.put((engine, v))


def _portable(budget: Budget) -> Budget:
    """The budget for another process: no callback, the time left instead of a deadline."""
    left = budget.start().remaining_s()
    return replace(budget, on_progress=Budget().on_progress, deadline=None,
                   timeout_s=None if left is None else max(left, 0.001))


def portfolio(ts: TransitionSystem, prop: str, budget: Budget, symmetry: bool = True, backend: str = "auto",
              engines: Sequence[str] = PORTFOLIO) -> Verdict:
    ctx = mp.get_context("spawn")
    results: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
    b = _portable(budget)
    procs = {e: ctx.Process(target=_worker, args=(ts, prop, e, b, symmetry, backend, results), daemon=True)
             for e in engines}
    with sigint_ignored():     # NOTE(interrupt): only this process sees Ctrl-C, and stops them
        for p in procs.values():
            p.start()
    got: dict[str, Verdict] = {}
    try:
        while len(got) < len(procs):
            try:
                engine, v = results.get(timeout=0.2)
            except queue_mod.Empty:
                if not any(p.is_alive() for p in procs.values()) and results.empty():
                    break
                continue
            got[engine] = v
            if conclusive(v):
                break
    finally:
        for p in procs.values():
            if p.is_alive():
                p.terminate()
            p.join()
    return _pick(got, ts, prop, engines)


def _pick(got: dict[str, Verdict], ts: TransitionSystem, prop: str, engines: Sequence[str]) -> Verdict:
    for v in got.values():
        if conclusive(v):
            return _tag(v)
    bounded = [v for v in got.values() if isinstance(v, HoldsUpTo)]
    if bounded:
        return _tag(max(bounded, key=lambda v: v.depth))
    unknown = [v for v in got.values() if isinstance(v, Unknown)]
    if unknown:
        return _tag(unknown[0])
    return Unknown(prop, Provenance("portfolio", ts.params, ts.variant), f"no engine of {', '.join(engines)} answered")


def _tag(v: Verdict) -> Verdict:
    """Name the portfolio in the provenance, keeping the engine that answered."""
    return replace(v, provenance=replace(v.provenance, engine=f"portfolio:{v.provenance.engine}"))
