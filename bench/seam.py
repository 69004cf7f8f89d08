"""seamcheck measurements. Each one runs in a fresh child process (a clean heap, a peak RSS of its
own, and a hard kill if an engine overruns its budget); the child returns a Measurement."""

from __future__ import annotations

import multiprocessing as mp
import time
from dataclasses import dataclass, replace

from bench.cases import Run, widened_text

GRACE_S = 30.0           # beyond the budget before a child is killed
MEMORY_MB = 8_000        # explicit search memory guard


@dataclass(frozen=True)
class Measurement:
    tool: str
    status: str                  # done | timeout | memory | unavailable | error
    states: int | None = None
    transitions: int | None = None
    search_s: float | None = None    # the search (or solver) alone
    total_s: float | None = None     # load + lower + search: time to verdict
    verdict: str = ""            # explicit: "complete"; SMT: proved / violated / holds-up-to / unknown
    depth: int | None = None     # BMC depth reached, k of k-induction, explicit diameter
    note: str = ""

    @property
    def states_per_s(self) -> float | None:
        if self.states is None or not self.search_s:
            return None
        return self.states / self.search_s


def _load(run: Run):
    from model.load import load_text

    text, raised = widened_text(run.model.spec, run.size)
    systems = load_text(text, str(run.model.spec), run.overrides, run.model.variant)
    assert len(systems) == 1, "one variant and size give one transition system"
    return systems[0], raised


def _explicit(run: Run, limit_s: float, symmetry: bool, cores: int = 1) -> Measurement:
    from checker.core.budget import Budget
    from checker.explicit.search import explore

    t0 = time.monotonic()
    ts, raised = _load(run)
    safety = [p.name for p in ts.properties if not p.temporal]
    if symmetry and not _has_symmetry(ts):
        return Measurement("seam-sym", "unavailable", note="no symmetric index set in the spec")
    cpu0 = time.process_time()
    r = explore(ts, safety, Budget(timeout_s=limit_s, max_memory_mb=MEMORY_MB), symmetry=symmetry, cores=cores)
    total = time.monotonic() - t0
    status = "done" if r.complete else _limit_status(r.verdicts)
    note = "widened" if raised else ""
    if cores > 1:   # CPU seconds of this process (coordinator and part 0) and of the worker processes
        note = "; ".join(x for x in (note, f"cpu {time.process_time() - cpu0:.2f}+{_children_cpu():.2f}") if x)
    elif symmetry is False:
        note = "; ".join(x for x in (note, f"cpu {time.process_time() - cpu0:.2f}") if x)
    if not r.complete and status == "done":
        status, note = "error", "search stopped early: every property violated"
    return Measurement("seam-sym" if symmetry else "seam", status, r.states, r.transitions, r.elapsed_s,
                       total, "complete" if r.complete else "", r.diameter, note)


def _children_cpu() -> float:
    import resource
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)    # the search's workers, joined by now
    return ru.ru_utime + ru.ru_stime


def has_symmetry(run: Run) -> bool:
    """Whether the spec declares a symmetric index set with more than one element at this size."""
    ts, _ = _load(run)
    return _has_symmetry(ts)


def _has_symmetry(ts) -> bool:
    from checker.symmetry.canon import symmetric_sets

    return bool(symmetric_sets(ts))


def _limit_status(verdicts) -> str:
    reasons = " ".join(getattr(v, "reason", "") for v in verdicts)
    if "memory" in reasons:
        return "memory"
    return "timeout" if "timeout" in reasons else "done"


def _smt(run: Run, engine: str, limit_s: float, max_depth: int) -> Measurement:
    try:
        from checker.core.budget import Budget
        from checker.run.runner import ENGINE_CHOICES, check
    except ImportError as e:
        return Measurement(engine, "unavailable", note=f"checker.engines: {e}")
    if engine not in ENGINE_CHOICES:
        return Measurement(engine, "unavailable", note=f"no engine '{engine}' in ENGINE_CHOICES")
    t0 = time.monotonic()
    ts, raised = _load(run)
    v = check(ts, run.model.prop, engine, Budget(timeout_s=limit_s, max_depth=max_depth))
    total = time.monotonic() - t0
    return _from_verdict(engine, v, total, "widened" if raised else "")


def _from_verdict(engine: str, v, total: float, note: str) -> Measurement:
    from checker.core.verdict import kind_of

    stats = dict(v.provenance.stats)
    kind = kind_of(v)
    depth = stats.get("k") if engine == "kind" else stats.get("depth")
    if kind == "unknown":
        depth = depth if engine == "kind" else v.depth_reached
        reason = v.reason
        # z3 reports a query stopped by the budget's deadline as "timeout" or "canceled"
        status = "timeout" if any(w in reason for w in ("timeout", "time", "canceled")) else "done"
        note = "; ".join(x for x in (note, reason) if x)
    elif kind == "violated":
        depth, status = v.trace.depth, "done"
    else:
        status = "done"
        if kind == "holds-up-to":
            depth = v.depth
            if v.stopped is not None:   # BMC stopped short of the bound (NOTE(bmc-per-property))
                status = "timeout" if "timeout" in v.stopped else "done"
                note = "; ".join(x for x in (note, v.stopped) if x)
    return Measurement(engine, status, search_s=v.provenance.elapsed_s, total_s=total, verdict=kind,
                       depth=depth, note=note)


def _child(conn, fn, args) -> None:
    try:
        conn.send(fn(*args))
    except Exception as e:  # noqa: BLE001 - reported as a row, never a crash of the runner
        first = (str(e).splitlines() or [""])[0]
        conn.send(Measurement("?", "error", note=f"{type(e).__name__}: {first[:160]}"))


def _isolated(tool: str, fn, args: tuple, limit_s: float) -> Measurement:
    ctx = mp.get_context("fork")      # the runner's own heap is small; fork saves the re-imports
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args))
    proc.start()
    child.close()
    got = parent.recv() if parent.poll(limit_s + GRACE_S) else None
    proc.join(5)
    if proc.is_alive():
        proc.kill()
        proc.join()
    if got is None:
        return Measurement(tool, "timeout", note="killed after the budget plus grace")
    return got if got.tool == tool else replace(got, tool=tool)


def explicit(run: Run, limit_s: float, symmetry: bool, cores: int = 1) -> Measurement:
    """The explicit search in a child process; on `cores` processes (--cores) above 1."""
    tool = ("seam-sym" if symmetry else "seam") + (f"-{cores}c" if cores > 1 else "")
    return _isolated(tool, _explicit, (run, limit_s, symmetry, cores), limit_s)


def smt(run: Run, engine: str, limit_s: float, max_depth: int) -> Measurement:
    return _isolated(engine, _smt, (run, engine, limit_s, max_depth), limit_s)
