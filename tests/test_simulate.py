"""`seamcheck simulate` (checker/explicit/simulate.py): seeded random runs, exact traces for a
fixed seed, the same output for the same seed, never a proof, liveness not checked, exit codes
as check's, traces replayed and exported as check's."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cli
from checker.core.verdict import Unknown, Violated
from checker.explicit.search import explore
from checker.explicit.simulate import SimOptions, simulate
from checker.export.result_json import schema_path
from checker.run.simulation import simulate_instance
from checker.traces.replay import validate
from model.ir import TransitionSystem
from model.load import load_spec
from tests.gen_ir import systems

ROOT = Path(__file__).resolve().parent.parent
PETERSON = "specs/examples/peterson.yaml"


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, ["simulate", *args], catch_exceptions=False)


def test_exact_trace_for_a_fixed_seed() -> None:
    [ts] = load_spec(ROOT / PETERSON, variant="turn_first")
    r = simulate_instance(ts, ["mutex", "deadlock"], SimOptions(runs=100, length=20, seed=0))
    mutex, deadlock = r.verdicts
    assert isinstance(mutex, Violated) and dict(mutex.provenance.stats)["run"] == 11
    assert mutex.trace.labels(ts) == (
        "proc[0].raise_flag()", "proc[1].raise_flag()", "proc[0].give_turn()", "proc[1].give_turn()",
        "proc[0].enter()", "proc[0].leave()", "proc[1].enter()", "proc[1].leave()", "proc[0].raise_flag()",
        "proc[1].raise_flag()", "proc[1].give_turn()", "proc[1].enter()", "proc[0].give_turn()",
        "proc[0].enter()")
    assert isinstance(deadlock, Unknown)
    assert deadlock.reason == "no violation in 100 runs of length <= 20 (simulation: not a proof)"
    assert (r.runs, r.steps, r.distinct) == (100, 2000, 32)


def test_the_property_asked_does_not_change_its_trace() -> None:
    # NOTE(simulation-stream): the reproduce command (--property P) finds the same trace
    [ts] = load_spec(ROOT / PETERSON, variant="turn_first")
    alone = simulate(ts, ["mutex"], SimOptions(100, 20, 0)).verdicts[0]
    together = simulate(ts, [p.name for p in ts.properties], SimOptions(100, 20, 0)).verdicts[0]
    assert isinstance(alone, Violated) and isinstance(together, Violated)
    assert alone.trace == together.trace


def test_other_seeds_other_runs() -> None:
    [ts] = load_spec(ROOT / PETERSON, variant="turn_first")
    traces = {s: simulate(ts, ["mutex"], SimOptions(100, 20, s)).verdicts[0] for s in range(4)}
    assert all(isinstance(v, Violated) for v in traces.values())
    assert len({v.trace for v in traces.values()}) > 1    # type: ignore[union-attr]


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(systems(), st.integers(0, 3))
def test_generated_violations_are_real(ts: TransitionSystem, seed: int) -> None:
    """Every violation replays; none is found of a property that the exhaustive search proves;
    no property is ever proved; and only reachable states are visited."""
    safety = [p.name for p in ts.properties if not p.temporal]
    full = explore(ts, safety, backend="state", symmetry=False)
    r = simulate(ts, safety, SimOptions(runs=20, length=8, seed=seed))
    for v, ref in zip(r.verdicts, full.verdicts, strict=True):
        assert isinstance(v, (Violated, Unknown))
        if isinstance(v, Violated):
            validate(ts, v.trace, v.prop)
            assert isinstance(ref, Violated)
            assert v.trace.depth >= ref.trace.depth        # the search's trace is a shortest one
    assert r.distinct <= full.states or not full.complete


def test_same_seed_same_output(golden) -> None:  # type: ignore[no-untyped-def]
    args = (PETERSON, "--runs", "100", "--length", "20", "--seed", "0")
    first, second = run(*args), run(*args)
    assert first.exit_code == 0 and first.stdout == second.stdout
    golden("cli/simulate_peterson.txt", first.stdout)


def test_unexpected_violation_exits_1() -> None:
    r = run("specs/examples/counter.yaml", "-p", "LIMIT=1", "--runs", "5", "--length", "4", "--no-trace")
    assert r.exit_code == 1
    assert "FAIL below_limit        VIOLATED at depth 2 (simulation), run 1  [expected holds]" in r.stdout
    assert r.stdout.endswith("5 properties: 2 violated (1 unexpected), 3 without a violation (simulation: "
                             "not a proof), 0 not checked (liveness) (exit 1)\n")


def test_liveness_is_not_checked_and_nothing_is_proved() -> None:
    r = run("specs/examples/spinlock.yaml", "--variant", "unfair", "--runs", "50", "--length", "10")
    assert r.exit_code == 0
    assert "liveness not checked by simulation: no_starvation" in r.stdout
    assert "skip no_starvation  not checked: simulation does not check liveness" in r.stdout
    assert not re.search(r"\bproved\b|\bholds\b(?! ])", r.stdout.replace("[expected holds]", ""))


def test_trace_out_replays_and_reproduces(tmp_path: Path) -> None:
    out = tmp_path / "cex.itf.json"
    r = run(PETERSON, "--variant", "turn_first", "--runs", "100", "--length", "20", "--property", "mutex",
            "--trace-out", str(out), "--no-trace")
    assert r.exit_code == 0 and f"trace of mutex (itf) written to {out}" in r.stdout
    meta = json.loads(out.read_text())["#meta"]
    assert meta["reproduce"] == ("seamcheck simulate specs/examples/peterson.yaml --variant turn_first "
                                 "--runs 100 --length 20 --seed 0 --property mutex")
    assert len(json.loads(out.read_text())["states"]) == 15
    rep = CliRunner().invoke(cli.main, ["replay", PETERSON, str(out)], catch_exceptions=False)
    assert rep.exit_code == 0 and "violates 'mutex' at depth 14" in rep.stdout


def test_json_is_the_result_schema() -> None:
    r = run(PETERSON, "--variant", "turn_first", "--runs", "100", "--length", "20", "--json")
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, json.loads(Path(schema_path()).read_text()))
    assert (doc["command"], doc["exit"]) == ("simulate", 0)
    [sim] = doc["simulation"]
    assert (sim["seed"], sim["runs"], sim["length"], sim["steps"], sim["distinct_states"]) == (0, 100, 20, 2000, 32)
    by = {p["property"]: p for p in doc["results"]}
    assert (by["mutex"]["status"], by["mutex"]["verdict"]["status"], len(by["mutex"]["trace"]["actions"])) == \
        ("ok", "violated", 14)
    assert (by["deadlock"]["status"], by["deadlock"]["verdict"]["status"]) == ("inconclusive", "unknown")


def test_unknown_property_is_a_usage_error() -> None:
    r = CliRunner().invoke(cli.main, ["simulate", PETERSON, "--property", "mutx"])
    assert r.exit_code == 2 and "has no property 'mutx'" in r.output
