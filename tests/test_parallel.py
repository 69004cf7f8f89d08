"""Parallel runs (local processes, Dask, the engine portfolio, the CI gate) give exactly the
serial results: one run module (checker/run/runner.py) decides how every check is run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.core.budget import Budget
from checker.core.verdict import Proved, Violated, kind_of
from checker.export.result_json import without_timings
from checker.run.portfolio import portfolio
from checker.run.runner import RunOptions, properties, run_instances
from cli import main
from model.load import load_spec

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs" / "examples"


def items() -> list:  # type: ignore[type-arg]
    out = []
    for name, params in (("counter.yaml", ()), ("peterson.yaml", ()), ("dining.yaml", ("N=4",)),
                         ("spinlock.yaml", ())):
        out += [(ts, properties(ts, ())) for ts in load_spec(SPECS / name, params)]
    return out


def summary(results):  # type: ignore[no-untyped-def]
    return [(v.prop, kind_of(v), v.trace if isinstance(v, Violated) else None, r.facts)
            for r in results for v in r.verdicts]


def test_local_workers_match_serial() -> None:
    serial = summary(run_instances(items(), RunOptions()))
    assert len(serial) == 5 + 3 * 4 + 2 * 4 + 3 * 4   # counter, peterson, dining, spinlock
    assert summary(run_instances(items(), RunOptions(workers=2))) == serial


def test_portfolio_first_conclusive_answer_wins() -> None:
    [ts] = load_spec(SPECS / "counter.yaml")
    v = portfolio(ts, "never_two", Budget())
    assert isinstance(v, Violated) and v.trace.depth == 2
    assert v.provenance.engine.startswith("portfolio:")
    p = portfolio(ts, "below_limit", Budget())
    assert isinstance(p, Proved) and p.provenance.engine.startswith("portfolio:")


def _check_json(*args: str) -> list[dict[str, object]]:
    """The records of `check --json`, timings set to 0 (they alone vary: docs/json.md)."""
    r = CliRunner().invoke(main, ["check", *args, "--json"], catch_exceptions=False)
    assert r.exit_code == 0, r.stdout + r.stderr
    return without_timings(json.loads(r.stdout)["results"])  # type: ignore[no-any-return]


SUITE = ("specs/tdx", "specs/examples")


def test_serial_workers_dask_and_gate_agree(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The same records from a serial check, --workers 2 and --dask on the TDX suite and the
    examples; the gate writes the same record for every case, plus its own fields."""
    distributed = pytest.importorskip("distributed")
    monkeypatch.chdir(ROOT)
    serial = _check_json(*SUITE)
    assert len(serial) > 150
    assert _check_json(*SUITE, "--workers", "2") == serial
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        assert _check_json(*SUITE, "--dask", cluster.scheduler_address) == serial
    out = tmp_path / "gate.json"
    r = CliRunner().invoke(main, ["ci", *SUITE, "--no-cache", "--json", str(out)], catch_exceptions=False)
    assert r.exit_code == 0, r.stdout + r.stderr
    gate = without_timings(json.loads(out.read_text())["results"])
    assert [(g.pop("cached"), g.pop("changed")) for g in gate] == [(False, None)] * len(serial)
    assert gate == serial
