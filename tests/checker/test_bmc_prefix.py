"""BMC with an explicit prefix (NOTE(explicit-prefix) in checker/smt/prefix.py): the safety
properties' depths <= j decided by a capped BFS, deeper ones unrolled from BFS level j.

Exact verdicts and shortest depths against the explicit engine on generated systems, for
several caps (so j falls below, at and past the shortest violations); a lasso whose loop starts
before j (temporal properties keep the path from init); the frontier's decision diagram against
the set it encodes; the MCS lock's 22-step deadlock found past its prefix.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest
import z3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.core.budget import Budget
from checker.core.outcome import describe
from checker.core.semantics import initial_states
from checker.core.verdict import HoldsUpTo, Verdict, Violated
from checker.explicit.search import explore
from checker.run.engines import explicit_prefix
from checker.smt import bmc
from checker.smt.encode import Encoding
from checker.smt.prefix import PrefixSearch, frontier_formula
from checker.traces.replay import validate
from model.ir import TransitionSystem
from model.load import load_spec, load_text
from tests.gen_ir import live_systems, systems
from tests.gen_sym import symmetric_specs

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("SEAMCHECK_DIFF_EXAMPLES", "100"))
MAX_STATES = 3_000
LEVELS = (1, 2, 3, 4, 6)   # the generated systems' violations are shallow: j below, at and past them

# a lap counter c over a ring x: the invariant is first violated on the second lap (depth 9);
# weakly fair `tick` makes every fair loop a lap at c == 3, so the shortest lasso of `reaches`
# loops back to state 12 (depth 16); `flip` doubles every BFS level but the first
RING = """
spec: ring
vars:
  x: {type: "0..3", init: 0}
  c: {type: "0..3", init: 0}
  y: {type: bool, init: false}
transitions:
  tick:
    effect: {x: "(x + 1) % 4", c: "c + 1 if x == 3 and c < 3 else c"}
    fair: weak
  flip:
    effect: {y: "not y"}
properties:
  second_lap:
    invariant: "not (c == 2 and x == 1)"
    expect: violated
  reaches:
    eventually: "y and c == 3 and x == 2"
    expect: violated
"""


def _prefixed(ts: TransitionSystem, props: list[str], depth: int, cap: int) -> list[Verdict]:
    return bmc.check_all(ts, props, Budget(max_depth=depth, seed=0), prefix=partial(explicit_prefix, cap=cap))


def _to_level(j: int) -> PrefixSearch:
    """The explicit prefix with BFS levels 0..j (the state cap, tested below, would let these small
    systems be searched whole)."""
    return lambda ts, props, budget: explicit_prefix(ts, props, replace(budget, max_depth=j), cap=10**6)


def _leveled(ts: TransitionSystem, props: list[str], depth: int, j: int) -> list[Verdict]:
    return bmc.check_all(ts, props, Budget(max_depth=depth, seed=0), prefix=_to_level(j))


def _stat(v: Verdict, name: str) -> int | None:
    return dict(v.provenance.stats).get(name)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(systems(), st.data())
def test_prefix_agrees_with_explicit(ts: TransitionSystem, data: st.DataObject) -> None:
    """Every safety property of a generated system on one prefixed unrolling: the explicit
    engine's verdict kind and shortest depth, every trace replayed; j below the deepest
    violation, so that the suffix from the frontier finds it."""
    r = explore(ts, budget=Budget(max_states=MAX_STATES))
    if not r.complete or not initial_states(ts):
        return
    props = [p.name for p in ts.properties if not p.temporal]
    refs = {n: r.verdict(n) for n in props}
    depth = max([v.trace.depth for v in refs.values() if isinstance(v, Violated)] + [r.diameter + 1])
    j = data.draw(st.integers(1, max(1, depth - 1)), label="j")
    for v in _leveled(ts, props, depth, j):
        ref = refs[v.prop]
        if isinstance(ref, Violated):
            assert isinstance(v, Violated), (v.prop, j, v, ref.trace)
            validate(ts, v.trace, v.prop)
            assert v.trace.depth == ref.trace.depth, (v.prop, j, v.trace, ref.trace)
        else:
            assert isinstance(v, HoldsUpTo) and v.depth == depth, (v.prop, j, v)


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(live_systems(), st.sampled_from(LEVELS))
def test_lassos_and_safety_with_and_without_prefix(ts: TransitionSystem, j: int) -> None:
    """Temporal and safety properties in one run: the same verdicts and depths as from init."""
    if not initial_states(ts):
        return
    props = [p.name for p in ts.properties]
    plain = bmc.check_all(ts, props, Budget(max_depth=6, seed=0))
    for a, b in zip(plain, _leveled(ts, props, 6, j), strict=True):
        assert type(a) is type(b), (a.prop, j, a, b)
        if isinstance(a, Violated) and isinstance(b, Violated):
            validate(ts, b.trace, b.prop)
            assert a.trace.depth == b.trace.depth, (a.prop, j, a.trace, b.trace)


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(symmetric_specs(), st.sampled_from(LEVELS))
def test_symmetry_breaking_from_the_frontier(text: str, j: int) -> None:
    """Symmetric specs (BMC's symmetry breaking on, NOTE(symmetry-breaking)): the frontier is
    closed under every automorphism, so verdicts and shortest depths stay the explicit engine's."""
    [ts] = load_text(text)
    safety = [p.name for p in ts.properties if not p.temporal]
    ref = explore(ts, safety, Budget(max_states=MAX_STATES))
    if not ref.complete and not all(isinstance(v, Violated) for v in ref.verdicts):
        return
    depth = max([ref.diameter + 1, *(v.trace.depth for v in ref.verdicts if isinstance(v, Violated))])
    for v in _leveled(ts, safety, depth, j):
        r = ref.verdict(v.prop)
        if isinstance(r, Violated):
            assert isinstance(v, Violated) and v.trace.depth == r.trace.depth, (v.prop, j, v, r, text)
            validate(ts, v.trace, v.prop)
        else:
            assert isinstance(v, HoldsUpTo) and v.depth == depth, (v.prop, j, v, text)


@pytest.mark.parametrize(("cap", "j", "by_sat"), [
    (10, 4, True),      # the cap stops the BFS inside level 4's expansion (9 states to level 4): j = 4
    (16, 7, True),      # inside level 7's (15 states): j = 7
    (200, 9, False),    # all 32 states fit: the BFS finds it at level 9 (and stops there)
])
def test_violation_deeper_and_shallower_than_the_prefix(cap: int, j: int, by_sat: bool) -> None:
    [ts] = load_text(RING)
    [v] = _prefixed(ts, ["second_lap"], 30, cap)
    assert isinstance(v, Violated) and v.trace.depth == 9
    validate(ts, v.trace, "second_lap")
    assert _stat(v, "prefix") == j and (_stat(v, "max_depth") == 30)
    assert ("depth" in dict(v.provenance.stats)) and (v.trace.depth > j) == by_sat
    assert describe(v) == f"VIOLATED at depth 9 (bmc, depths 0-{j} by explicit search)"


def test_a_lasso_looping_back_before_the_prefix_keeps_the_path_from_init() -> None:
    """`reaches`'s shortest lasso loops back to state 12; with 30 states the BFS stops inside
    level 14's expansion (j = 14): the safety properties are decided on the prefix (`second_lap` by the BFS
    itself), the lasso from init, the same as without a prefix."""
    [ts] = load_text(RING)
    props = ["second_lap", "reaches", "deadlock"]
    plain = bmc.check_all(ts, props, Budget(max_depth=20, seed=0))
    got = _prefixed(ts, props, 20, 30)
    lap, lasso, dead = got
    assert isinstance(lasso, Violated) and lasso.trace.depth == 16 and lasso.trace.loop == 12
    assert lasso.trace == plain[1].trace and _stat(lasso, "prefix") is None
    assert isinstance(lap, Violated) and lap.trace.depth == 9 and _stat(lap, "prefix") == 9
    assert isinstance(dead, HoldsUpTo) and dead.depth == 20 and _stat(dead, "prefix") == 14


def test_a_complete_search_leaves_nothing_to_unroll() -> None:
    """The whole state space within the cap: no state at depth j + 1, every depth refuted."""
    [ts] = load_text(RING)
    [v] = _prefixed(ts, ["deadlock"], 1000, 200)
    assert isinstance(v, HoldsUpTo) and v.depth == 1000 and _stat(v, "prefix") == 17
    assert describe(v) == "holds up to depth 1000 (bmc, depths 0-17 by explicit search; bounded, not a proof)"


@given(st.sets(st.tuples(st.integers(0, 3), st.booleans(), st.integers(-1, 1)), max_size=24))
@settings(max_examples=60, deadline=None, derandomize=True)
def test_the_frontier_diagram_holds_exactly_its_states(states: set[tuple[int, bool, int]]) -> None:
    [ts] = load_text("""
spec: three
vars:
  a: {type: "0..3", init: 0}
  b: {type: bool, init: false}
  c: {type: "-1..1", init: 0}
""")
    enc = Encoding(ts)
    x = enc.state("f")
    f = frontier_formula(enc, x, sorted(states))
    for t in itertools.product(range(4), (False, True), (-1, 0, 1)):
        pairs = [(x.vars[0], enc.num.val(t[0])), (x.vars[1], z3.BoolVal(t[1], enc.ctx)),
                 (x.vars[2], enc.num.val(t[2]))]
        assert z3.is_true(z3.simplify(z3.substitute(f, *pairs))) == (t in states), t


def test_mcs_stale_link_deadlock_past_the_prefix() -> None:
    """Issue 20: the MCS lock's 22-step deadlock (bench/specs/mcs_bug.yaml), with the BFS capped
    at 3,000 states (j = 18, the 2,706 states to level 18): found by the SAT suffix at exactly
    depth 22, no mining needed."""
    [ts] = load_spec(ROOT / "bench/specs/mcs_bug.yaml")
    v = bmc.check(ts, "deadlock", Budget(max_depth=30, rlimit=20_000_000), prefix=partial(explicit_prefix, cap=3_000))
    assert isinstance(v, Violated) and v.trace.depth == 22
    validate(ts, v.trace, "deadlock")
    assert _stat(v, "prefix") == 18 and _stat(v, "mined") is None
