"""Parallel runs (local processes, Dask, the engine portfolio) give exactly the serial results."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.parallel import Job, portfolio, run_jobs
from checker.verdict import Proved, Violated, kind_of

SPECS = Path(__file__).resolve().parent.parent / "specs" / "examples"


def jobs() -> list[Job]:
    out = []
    for name, params in (("counter.yaml", ()), ("peterson.yaml", ()), ("dining.yaml", ("N=4",)),
                         ("spinlock.yaml", ())):
        out.append(Job(str(SPECS / name), f"specs/examples/{name}", params, None, (), "explicit"))
    return out


def summary(results):  # type: ignore[no-untyped-def]
    return [(r.job.display, r.variant, v.prop, kind_of(v), v.trace.depth if isinstance(v, Violated) else None,
             v.trace if isinstance(v, Violated) else None)
            for r in results for v in r.verdicts]


def test_local_workers_match_serial() -> None:
    serial = summary(run_jobs(jobs(), workers=1))
    assert len(serial) == 5 + 3 * 4 + 2 * 4 + 3 * 4   # counter, peterson, dining, spinlock
    assert summary(run_jobs(jobs(), workers=2)) == serial


def test_dask_cluster_matches_serial() -> None:
    distributed = pytest.importorskip("distributed")
    serial = summary(run_jobs(jobs()))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        assert summary(run_jobs(jobs(), dask_address=cluster.scheduler_address)) == serial


def test_portfolio_first_conclusive_answer_wins() -> None:
    job = Job(str(SPECS / "counter.yaml"), "specs/examples/counter.yaml", (), None, (), "portfolio")
    v = portfolio(job, None, "never_two")
    assert isinstance(v, Violated) and v.trace.depth == 2
    assert v.provenance.engine.startswith("portfolio:")
    p = portfolio(job, None, "below_limit")
    assert isinstance(p, Proved) and p.provenance.engine.startswith("portfolio:")


def test_cli_workers_output_equals_serial(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from cli import main
    monkeypatch.chdir(SPECS.parent.parent)
    args = ["check", "specs/examples/peterson.yaml", "specs/examples/dining.yaml", "--json"]
    serial = CliRunner().invoke(main, args)
    parallel = CliRunner().invoke(main, [*args, "--workers", "2"])
    assert serial.exit_code == parallel.exit_code == 0
    assert serial.stdout == parallel.stdout
