"""The explicit search under a depth bound (NOTE(explicit-depth) in checker/explicit/search.py):
BFS levels 0..D, exact counts and verdicts, the same on both backends, holds-up-to-D when states
are left at the bound and proved when the search ends first; liveness lassos found within the
bound are real, the unexpanded last level is never taken for a deadlock."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Proved, Violated
from checker.explicit.result import ExplicitResult
from checker.explicit.search import explore
from checker.traces.replay import validate
from model.ir import TransitionSystem
from model.load import load_spec
from tests.checker.test_vector import summary
from tests.gen_ir import live_systems, systems

ROOT = Path(__file__).resolve().parents[2]
PETERSON = ROOT / "specs" / "examples" / "peterson.yaml"
SPINLOCK = ROOT / "specs" / "examples" / "spinlock.yaml"
RETRY = ROOT / "specs" / "examples" / "retry.yaml"


def bounded(ts: TransitionSystem, depth: int | None, symmetry: bool = False, cap: int | None = None,
            props: list[str] | None = None) -> ExplicitResult:
    """The bounded search on both backends, which must agree exactly."""
    safety = props or [p.name for p in ts.properties if not p.temporal]
    b = Budget(explicit_depth=depth, max_states=cap)
    ref = explore(ts, safety, b, symmetry=symmetry, backend="state")
    got = explore(ts, safety, b, symmetry=symmetry, backend="vector")
    assert summary(got) == summary(ref)
    assert [type(v) for v in got.verdicts] == [type(v) for v in ref.verdicts]
    return got


def kinds(r: ExplicitResult) -> dict[str, str]:
    return {v.prop: f"{type(v).__name__}{getattr(v, 'depth', '')}"
            + (f"@{v.trace.depth}" if isinstance(v, Violated) else "") for v in r.verdicts}


@pytest.mark.parametrize(("depth", "states", "transitions", "complete"),
                         [(0, 1, 0, False), (1, 3, 2, False), (3, 10, 12, False), (6, 20, 32, False),
                          (7, 20, 34, True), (30, 20, 34, True)])
def test_peterson_levels(depth: int, states: int, transitions: int, complete: bool) -> None:
    [ts] = load_spec(PETERSON, variant="peterson")
    r = bounded(ts, depth)
    assert (r.states, r.transitions, r.diameter, r.complete) == (states, transitions, min(depth, 6), complete)
    want = Proved if complete else HoldsUpTo
    assert all(isinstance(v, want) for v in r.verdicts)
    assert all(v.depth == depth for v in r.verdicts if isinstance(v, HoldsUpTo))


@pytest.mark.parametrize(("depth", "mutex", "deadlock"), [(5, "HoldsUpTo5", "HoldsUpTo5"),
                                                       (6, "Violated@6", "HoldsUpTo6"),
                                                       (9, "Violated@6", "Proved")])   # diameter 7
def test_violation_appears_at_its_depth(depth: int, mutex: str, deadlock: str) -> None:
    [ts] = load_spec(PETERSON, variant="turn_first")
    got = kinds(bounded(ts, depth))
    assert (got["mutex"], got["deadlock"]) == (mutex, deadlock)


def test_deadlock_at_the_bound_is_found() -> None:
    # flag_only deadlocks at depth 4: a state at the bound is checked for deadlock, not expanded
    [ts] = load_spec(PETERSON, variant="flag_only")
    assert kinds(bounded(ts, 3))["deadlock"] == "HoldsUpTo3"
    r = bounded(ts, 4)
    assert kinds(r)["deadlock"] == "Violated@4"
    assert r.verdict("deadlock") == explore(ts, ["deadlock"]).verdict("deadlock")


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(systems(), st.sampled_from([0, 1, 2, 3, 5]), st.booleans())
def test_generated_systems(ts: TransitionSystem, depth: int, symmetry: bool) -> None:
    """Both backends agree; a property violated within D steps is violated with the unbounded
    search's (shortest) trace, and one is proved only when no state lies at the bound."""
    full = explore(ts, [p.name for p in ts.properties], Budget(max_states=3_000), symmetry=symmetry,
                   backend="state")
    r = bounded(ts, depth, symmetry)
    for v, ref in zip(r.verdicts, full.verdicts, strict=True):
        within = isinstance(ref, Violated) and ref.trace.depth <= depth
        assert isinstance(v, Violated) == within, v.prop
        if within:
            assert v.trace == ref.trace    # type: ignore[union-attr]
    if full.complete:
        assert r.complete == (full.diameter < depth or full.states == 0)
        if r.complete:
            assert (r.states, r.transitions, r.coverage) == (full.states, full.transitions, full.coverage)


def test_liveness_lasso_within_the_bound() -> None:
    [ts] = load_spec(SPINLOCK, variant="unfair")
    ref = explore(ts, ["no_starvation"]).verdict("no_starvation")
    assert isinstance(ref, Violated)
    # the loop proc[1].request, acquire, release leaves a state at distance 3: it is closed only
    # once that state is expanded, at depth 4
    got = {d: explore(ts, ["no_starvation"], Budget(explicit_depth=d)).verdict("no_starvation")
           for d in range(0, 7)}
    assert [type(v).__name__ for v in got.values()] == ["HoldsUpTo"] * 4 + ["Violated"] * 3
    for v in got.values():
        if isinstance(v, Violated):
            validate(ts, v.trace, "no_starvation")
            assert v.trace == ref.trace


@pytest.mark.parametrize("depth", [0, 1, 2])
def test_states_at_the_bound_are_not_deadlocks(depth: int) -> None:
    # retry's fair variant terminates (proved unbounded); a liveness search that took the
    # unexpanded states at the bound for deadlocks would "find" them stuttering forever
    [ts] = load_spec(RETRY, variant="fair")
    full = explore(ts, ["terminates", "keeps_finishing"])
    assert all(isinstance(v, Proved) for v in full.verdicts)
    r = explore(ts, ["terminates", "keeps_finishing"], Budget(explicit_depth=depth))
    assert not r.complete
    assert [v.depth for v in r.verdicts if isinstance(v, HoldsUpTo)] == [depth, depth]


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(live_systems(), st.sampled_from([1, 2, 4]))
def test_generated_lassos_are_real(ts: TransitionSystem, depth: int) -> None:
    live = [p.name for p in ts.properties if p.temporal]
    full = explore(ts, live, Budget(max_states=3_000))
    r = explore(ts, live, Budget(explicit_depth=depth, max_states=3_000))
    for v, ref in zip(r.verdicts, full.verdicts, strict=True):
        if isinstance(v, Violated):
            validate(ts, v.trace, v.prop)
            assert not full.complete or isinstance(ref, Violated)
        elif full.complete and r.complete:
            assert type(v) is type(ref)
