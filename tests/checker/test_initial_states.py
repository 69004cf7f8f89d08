"""A system without an initial state is a located spec error (exit 2) for every engine and for
the CI gate, never a vacuous proof (NOTE(no-initial-state) in checker/run/runner.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.core.budget import Budget
from checker.core.semantics import has_initial_state, initial_states
from checker.explicit.search import explore
from checker.run.runner import ENGINE_CHOICES, RunOptions, properties, run_instance
from checker.smt import initial
from cli import main
from model.ir import App, Const, Op, TransitionSystem, Var
from model.sorts import BOOL
from tests.gen_ir import systems

EMPTY = """\
spec: no_start
vars:
  x: {type: "0..3", init: any}
initially: "x > 5"
machines:
  m:
    states: [s]
    init: s
    transitions:
      step: {guard: "x < 3", effect: {x: "x + 1"}}
properties:
  small: {invariant: "x < 10"}
"""

# 1001^3 candidate initial states: too many to enumerate, so z3 decides
EMPTY_LARGE = EMPTY.replace('  x: {type: "0..3", init: any}', '  x: {type: "0..1000", init: any}\n'
                            '  y: {type: "0..1000", init: any}\n  z: {type: "0..1000", init: any}') \
    .replace('"x > 5"', '"x + y + z > 3000"').replace("x < 3", "x < 1000").replace("x < 10", "x < 2000")


@pytest.mark.parametrize("text", [EMPTY, EMPTY_LARGE], ids=["enumerated", "by-z3"])
@pytest.mark.parametrize("engine", ENGINE_CHOICES)
def test_every_engine_reports_no_initial_state(tmp_path: Path, text: str, engine: str) -> None:
    spec = tmp_path / "no_start.yaml"
    spec.write_text(text)
    r = CliRunner().invoke(main, ["check", str(spec), "--engine", engine], catch_exceptions=False)
    assert r.exit_code == 2, r.stdout
    assert "error[SC407]: no initial state satisfies `initially:`" in r.stderr
    assert "proved" not in r.stdout


def test_the_message_is_located_at_initially(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, golden) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    Path("no_start.yaml").write_text(EMPTY)
    r = CliRunner().invoke(main, ["check", "no_start.yaml"], catch_exceptions=False)
    assert r.exit_code == 2
    golden("cli/no_initial_state.txt", r.stderr)


def test_the_gate_reports_no_initial_state(tmp_path: Path) -> None:
    spec = tmp_path / "no_start.yaml"
    spec.write_text(EMPTY)
    r = CliRunner().invoke(main, ["ci", str(spec), "--no-cache"], catch_exceptions=False)
    assert r.exit_code == 2 and "error[SC407]" in r.stdout and "0 as expected" in r.stdout


def test_one_more_allowed_value_makes_it_checkable(tmp_path: Path) -> None:
    spec = tmp_path / "start.yaml"
    spec.write_text(EMPTY.replace('"x > 5"', '"x > 2"'))
    r = CliRunner().invoke(main, ["check", str(spec)], catch_exceptions=False)
    assert r.exit_code == 1 and "error" not in r.stderr      # deadlock at x = 3, as expected of it


def _emptied(ts: TransitionSystem) -> TransitionSystem:
    """ts with `initially:` strengthened by "v0 == a and v0 != a": no initial state left."""
    v = ts.vars[0]
    x, a = Var(0, v.sort), Const(v.sort.values()[0], v.sort)
    eq = App(Op.EQ, (x, a), BOOL)
    contradiction = App(Op.AND, (eq, App(Op.NOT, (eq,), BOOL)), BOOL)
    c = contradiction if ts.init_constraint is None else App(Op.AND, (ts.init_constraint, contradiction), BOOL)
    return replace(ts, init_constraint=c)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(systems(), st.booleans())
def test_all_ways_of_deciding_agree(ts: TransitionSystem, empty: bool) -> None:
    """Enumeration, z3 and the run module agree on generated systems, half of them made empty."""
    if empty:
        ts = _emptied(ts)
    want = bool(initial_states(ts))
    assert has_initial_state(ts, 10**6) is want
    assert initial.has_initial_state(ts, Budget(rlimit=10**7)) is want
    for engine in ("explicit", "bmc", "kind"):
        got = run_instance(ts, properties(ts, ()), RunOptions(engine=engine, depth=2))
        assert (got.error is None) is want and (got.verdicts == ()) is not want
    if not want:
        assert all(v.reason.startswith("no initial state") for v in explore(ts).verdicts)  # type: ignore[union-attr]
