"""BMC lasso counterexamples for temporal properties (checker/smt/lasso.py), against the explicit
engine's fair-SCC search on the example specs, and `check_all` against per-property runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Proved, Unknown, Violated, kind_of
from checker.explicit.search import explore
from checker.run.runner import check
from checker.smt import bmc, kind, pdr
from checker.traces.replay import validate
from model.ir import TransitionSystem
from model.load import load_spec, load_text

SPECS = Path(__file__).resolve().parents[2] / "specs" / "examples"
DEPTH = 12

CASES = [("spinlock.yaml", v) for v in ("unfair", "weak", "strong")] + \
        [("retry.yaml", v) for v in ("fair", "unfair", "quitter")]


def _temporal(ts: TransitionSystem) -> list[str]:
    return [p.name for p in ts.properties if p.temporal]


@pytest.mark.parametrize(("spec", "variant"), CASES)
def test_bmc_lassos_match_explicit_on_examples(spec: str, variant: str) -> None:
    [ts] = load_spec(SPECS / spec, variant=variant)
    ref = explore(ts)
    for prop in _temporal(ts):
        want = ref.verdict(prop)
        got = bmc.check(ts, prop, Budget(max_depth=DEPTH))
        assert got.provenance.engine == "bmc-lasso"
        if isinstance(want, Violated):
            assert isinstance(got, Violated), (prop, got)
            validate(ts, got.trace, prop)
            assert got.trace.depth <= want.trace.depth, (prop, got.trace, want.trace)
        else:
            assert isinstance(want, Proved)
            assert isinstance(got, HoldsUpTo) and got.depth == DEPTH, (prop, got)


def test_spinlock_lasso_by_hand() -> None:
    [ts] = load_spec(SPECS / "spinlock.yaml", variant="weak")
    v = bmc.check(ts, "no_starvation", Budget(max_depth=DEPTH))
    # proc 0 requests, then proc 1 requests, acquires and releases for ever: 1 + 3 steps
    assert isinstance(v, Violated) and (v.trace.depth, v.trace.loop) == (4, 1)
    assert v.trace.states[-1] == v.trace.states[1]


STUCK = """
spec: stuck
vars:
  x: {type: "0..2", init: 0}
machines:
  m:
    states: [s]
    init: s
    fair: weak
    transitions:
      inc:
        guard: "x < 1"
        effect:
          x: "x + 1"
check_deadlock: false
properties:
  reaches_two:
    eventually: "x == 2"
  one_leads_to_two:
    leads_to: {from: "x == 1", to: "x == 2"}
  zero_often:
    always_eventually: "x == 0"
"""


def test_stutter_lasso_in_a_state_with_nothing_enabled() -> None:
    [ts] = load_text(STUCK)
    for prop in _temporal(ts):
        v = bmc.check(ts, prop, Budget(max_depth=DEPTH))
        # x goes 0 -> 1, then nothing is enabled: a loop of no steps at the last state
        assert isinstance(v, Violated) and (v.trace.depth, v.trace.loop) == (1, 1), (prop, v)
        validate(ts, v.trace, prop)


def test_weak_fairness_rules_out_the_stutter_but_not_a_spin() -> None:
    spec = STUCK.replace('guard: "x < 1"', 'guard: "true"').replace('x: "x + 1"', 'x: "1 - x"')
    [ts] = load_text(spec)
    assert isinstance(bmc.check(ts, "zero_often", Budget(max_depth=DEPTH)), HoldsUpTo)
    v = bmc.check(ts, "reaches_two", Budget(max_depth=DEPTH))
    assert isinstance(v, Violated) and (v.trace.depth, v.trace.loop) == (2, 0)


def test_provers_leave_liveness_to_the_explicit_engine() -> None:
    [ts] = load_spec(SPECS / "retry.yaml", variant="fair")
    for engine in (kind.check, pdr.check):
        v = engine(ts, "terminates", Budget(max_depth=4))
        assert isinstance(v, Unknown) and "explicit" in v.reason


@pytest.mark.parametrize(("spec", "variant"), [("spinlock.yaml", "weak"), ("retry.yaml", "quitter"),
                                               ("peterson.yaml", "turn_first")])
def test_check_all_agrees_with_one_property_at_a_time(spec: str, variant: str) -> None:
    [ts] = load_spec(SPECS / spec, variant=variant)
    names = [p.name for p in ts.properties]
    together = bmc.check_all(ts, names, Budget(max_depth=DEPTH))
    for name, v in zip(names, together, strict=True):
        alone = bmc.check(ts, name, Budget(max_depth=DEPTH))
        assert kind_of(v) == kind_of(alone), name
        if isinstance(v, Violated):
            assert isinstance(alone, Violated) and v.trace.depth == alone.trace.depth, name
            validate(ts, v.trace, name)


def test_auto_falls_back_to_lassos_when_explicit_hits_its_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    import checker.run.auto as engines

    [ts] = load_spec(SPECS / "spinlock.yaml", variant="weak")
    assert check(ts, "no_starvation", "auto", Budget(max_depth=DEPTH)).provenance.engine == "auto:explicit"
    monkeypatch.setattr(engines, "EXPLICIT_LIMIT", 2)
    v = check(ts, "no_starvation", "auto", Budget(max_depth=DEPTH))
    assert isinstance(v, Violated) and v.provenance.engine == "auto:bmc-lasso"
    [ts] = load_spec(SPECS / "spinlock.yaml", variant="strong")
    v = check(ts, "no_starvation", "auto", Budget(max_depth=DEPTH))
    assert isinstance(v, HoldsUpTo) and v.provenance.engine == "auto:bmc-lasso"


def test_auto_all_shares_one_explicit_search(monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.run.auto import auto

    [ts] = load_spec(SPECS / "spinlock.yaml", variant="weak")
    names = [p.name for p in ts.properties]
    calls: list[tuple[str, ...]] = []
    real = explore

    def counting(ts: TransitionSystem, props, budget, **kw):  # type: ignore[no-untyped-def]
        calls.append(tuple(props))
        return real(ts, props, budget, **kw)
    monkeypatch.setattr("checker.explicit.search.explore", counting)
    got = auto(ts, names, Budget(max_depth=DEPTH)).verdicts
    assert sorted(calls) == sorted([tuple(n for n in names if not ts.prop(n).temporal),
                                    tuple(n for n in names if ts.prop(n).temporal)])
    for name, v in zip(names, got, strict=True):
        assert v.provenance.engine == "auto:explicit"
        assert kind_of(v) == kind_of(explore(ts, [name]).verdict(name)), name


RANGE_SPEC = Path(__file__).resolve().parents[1] / "specs" / "rangefair.yaml"


@pytest.mark.parametrize("variant", ["unfair", "weak", "weak_sometimes", "strong", "strong_sometimes"])
def test_bmc_lassos_match_explicit_on_fair_steps_out_of_range(variant: str) -> None:
    # NOTE(range-fairness): a fair transition enabled where its step leaves the range
    [ts] = load_spec(RANGE_SPEC, variant=variant)
    ref = explore(ts)
    for prop in _temporal(ts):
        want, got = ref.verdict(prop), bmc.check(ts, prop, Budget(max_depth=DEPTH))
        assert kind_of(want) == ("violated" if variant in ("unfair", "weak_sometimes") else "proved")
        if isinstance(want, Violated):
            validate(ts, want.trace, prop)
            assert isinstance(got, Violated) and got.trace.depth <= want.trace.depth, (prop, got)
            validate(ts, got.trace, prop)
        else:
            assert isinstance(got, HoldsUpTo) and got.depth == DEPTH, (prop, got)
