"""Independent checks in parallel: local worker processes, an engine portfolio, or a Dask cluster.

A Job names everything needed to redo one check from scratch (the spec file, parameter
overrides, variant, properties, engine and limits), so it can run in any process or on any
machine with the spec files. Results come back in job order, so a parallel run prints exactly
what a serial one prints.
"""

from __future__ import annotations

import multiprocessing as mp
import queue as queue_mod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from checker.budget import Budget
from checker.verdict import HoldsUpTo, Proved, Unknown, Verdict, Violated

PORTFOLIO = ("explicit", "bmc", "kind", "pdr")


@dataclass(frozen=True)
class Job:
    spec: str                               # path of the spec file
    display: str                            # how the path is shown
    overrides: tuple[str, ...]
    variant: str | None
    props: tuple[str, ...]                  # () means every property
    engine: str
    timeout_s: float | None = None
    max_states: int | None = None
    depth: int = 30
    symmetry: bool = True
    backend: str = "auto"                   # of the explicit search


@dataclass(frozen=True)
class JobResult:
    job: Job
    variant: str | None
    verdicts: tuple[Verdict, ...]


def _budget(job: Job) -> Budget:
    return Budget(timeout_s=job.timeout_s, max_states=job.max_states, max_depth=job.depth)


def run_job(job: Job) -> list[JobResult]:
    """Load the spec and check the job's properties, one result per instance (variant)."""
    from model.load import load_spec
    out = []
    for ts in load_spec(job.spec, job.overrides, job.variant, job.display):
        props = list(job.props) or [p.name for p in ts.properties]
        out.append(JobResult(job, ts.variant, tuple(_check(ts, props, job))))
    return out


def _check(ts, props: list[str], job: Job) -> list[Verdict]:  # type: ignore[no-untyped-def]
    if job.engine == "explicit":
        from checker.explicit import explore
        live = any(ts.prop(p).temporal for p in props)
        backend = "state" if live and job.backend == "vector" else job.backend
        return list(explore(ts, props, _budget(job), symmetry=job.symmetry, backend=backend).verdicts)
    if job.engine == "portfolio":
        return [portfolio(job, ts.variant, p) for p in props]
    from checker.engines import ENGINES, ENGINES_ALL
    if job.engine in ENGINES_ALL:
        return ENGINES_ALL[job.engine](ts, props, _budget(job))
    return [ENGINES[job.engine](ts, p, _budget(job)) for p in props]


def run_jobs(jobs: Sequence[Job], workers: int = 1, dask_address: str | None = None) -> list[JobResult]:
    """Run jobs serially, in `workers` local processes, or on a Dask cluster; job order kept."""
    if dask_address is not None:
        return _run_dask(jobs, dask_address)
    if workers <= 1 or len(jobs) <= 1:
        return [r for j in jobs for r in run_job(j)]
    ctx = mp.get_context("spawn")   # a fresh interpreter per worker: no z3 state crosses a fork
    with ctx.Pool(min(workers, len(jobs))) as pool:
        return [r for rs in pool.map(run_job, jobs, chunksize=1) for r in rs]


def _run_dask(jobs: Sequence[Job], address: str) -> list[JobResult]:
    from distributed import Client  # only users of --dask need dask installed
    with Client(address) as client:
        futures = client.map(run_job, list(jobs), pure=False)
        return [r for rs in client.gather(futures) for r in rs]


# ---- portfolio ------------------------------------------------------------------------------

def conclusive(v: Verdict) -> bool:
    return isinstance(v, (Proved, Violated))


def _portfolio_worker(job: Job, variant: str | None, prop: str, engine: str,
                      out: mp.Queue) -> None:  # type: ignore[type-arg]
    from model.load import load_spec
    [ts] = load_spec(job.spec, job.overrides, variant, job.display)
    try:
        v = _check(ts, [prop], replace(job, engine=engine))[0]
    except Exception as e:  # noqa: BLE001 - reported to the parent as an Unknown with the reason
        from checker.verdict import Provenance
        v = Unknown(prop, Provenance(engine, ts.params, ts.variant), f"{type(e).__name__}: {e}")
    out.put((engine, v))


def portfolio(job: Job, variant: str | None, prop: str, engines: Sequence[str] = PORTFOLIO,
              start: Callable[..., mp.Process] | None = None) -> Verdict:
    """Run several engines on one property at once; the first conclusive verdict wins and the
    others are stopped. Without a conclusive one, the strongest bounded or unknown result is kept."""
    ctx = mp.get_context("spawn")
    results: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
    procs = {e: ctx.Process(target=_portfolio_worker, args=(job, variant, prop, e, results), daemon=True)
             for e in engines}
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
    return _pick(got, prop, engines)


def _pick(got: dict[str, Verdict], prop: str, engines: Sequence[str]) -> Verdict:
    for v in got.values():
        if conclusive(v):
            return _tag(v)
    bounded = [v for v in got.values() if isinstance(v, HoldsUpTo)]
    if bounded:
        return _tag(max(bounded, key=lambda v: v.depth))
    unknown = [v for v in got.values() if isinstance(v, Unknown)]
    if unknown:
        return _tag(unknown[0])
    from checker.verdict import Provenance
    return Unknown(prop, Provenance("portfolio", (), None), f"no engine of {', '.join(engines)} answered")


def _tag(v: Verdict) -> Verdict:
    """Name the portfolio in the provenance, keeping the engine that answered."""
    return replace(v, provenance=replace(v.provenance, engine=f"portfolio:{v.provenance.engine}"))
