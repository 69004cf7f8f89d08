"""NOTE(stopped-solver) in checker/smt/base.py: BMC's `check_all` goes on after one property's
query is stopped by a limit, and must not rest any other verdict on the stopped solver.

Generated systems (tests/gen_ir.py), every property of a system on one unrolling, each z3 call
limited to a drawn number of work units (1 to 8,192, where stops were seen to corrupt z3's
incremental solver, and some larger): whatever was stopped, every verdict that claims something
must be true of the explicit reference search. A violation has explicit's shortest depth (BMC is
shortest-first), and "holds up to depth k" means no violation of depth <= k exists. For temporal
properties (live_systems) the reference is the brute-force shortest lasso where the system has
few enough paths, else explicit's own lasso (no shorter lasso exists than the shortest one, so
"holds up to k" with k at or beyond explicit's lasso depth is wrong either way).

No check here is bounded by time: only work (rlimit) and depth.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Proved, Unknown, Verdict, Violated
from checker.explicit.search import check as explicit_check
from checker.smt import bmc
from checker.smt.base import Unrolling
from checker.smt.encode import Encoding
from checker.traces.replay import validate
from model.ir import TransitionSystem
from tests.gen_ir import live_systems, systems
from tests.lasso_oracle import TooMany, shortest_lasso

EXAMPLES = int(os.environ.get("SEAMCHECK_STOP_EXAMPLES", "80"))
MAX_STATES = 3_000
LIVE_DEPTH = 6
ORACLE_PATHS = 20_000
LIMITS = st.one_of(st.integers(1, 8_192), st.sampled_from([20_000, 60_000, 200_000]))


def _reference(ts: TransitionSystem, prop: str) -> tuple[Verdict, int] | None:
    v = explicit_check(ts, prop, Budget(max_states=MAX_STATES))
    if isinstance(v, Unknown):
        return None
    return v, dict(v.provenance.stats).get("diameter", 0)


def _claims_hold(ts: TransitionSystem, prop: str, v: Verdict, shortest: int | None, depth: int) -> None:
    """v, found under stops, says nothing false: `shortest` is the shortest violation's depth
    (None: there is none up to `depth`)."""
    assert not isinstance(v, Proved), (prop, v)
    if isinstance(v, Violated):
        validate(ts, v.trace, v.prop)
        assert shortest is not None and v.trace.depth == shortest, (prop, v.trace, shortest)
    elif isinstance(v, HoldsUpTo):
        assert v.depth <= depth, (prop, v)
        assert shortest is None or v.depth < shortest, (prop, v, shortest)
        assert v.stopped or v.depth == depth, (prop, v)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(systems(), LIMITS)
def test_safety_verdicts_survive_stops(ts: TransitionSystem, limit: int) -> None:
    refs = {p.name: _reference(ts, p.name) for p in ts.properties}
    decided = {p: r for p, r in refs.items() if r is not None}
    if not decided:
        return
    depth = max(r.trace.depth if isinstance(r, Violated) else diam + 1 for r, diam in decided.values())
    got = bmc.check_all(ts, list(decided), Budget(max_depth=depth, rlimit=limit, seed=0))
    for (prop, (ref, _diam)), v in zip(decided.items(), got, strict=True):
        _claims_hold(ts, prop, v, ref.trace.depth if isinstance(ref, Violated) else None, depth)


@settings(max_examples=EXAMPLES // 2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(live_systems(), LIMITS)
def test_lasso_verdicts_survive_stops(ts: TransitionSystem, limit: int) -> None:
    """The loop-length side solver (NOTE(loop-lengths)) and the stutter query
    (NOTE(stutter-fact)) are stopped too: neither may refute a lasso that exists."""
    temporal = [p.name for p in ts.properties if p.temporal]
    refs = {p: _reference(ts, p) for p in temporal}
    decided = {p: r for p, r in refs.items() if r is not None}
    if not decided:
        return
    got = bmc.check_all(ts, list(decided), Budget(max_depth=LIVE_DEPTH, rlimit=limit, seed=0))
    for (prop, (ref, _diam)), v in zip(decided.items(), got, strict=True):
        try:
            shortest: int | None = shortest_lasso(ts, prop, LIVE_DEPTH, ORACLE_PATHS)
        except TooMany:   # no lasso is shorter than the shortest: explicit's bounds it
            shortest = ref.trace.depth if isinstance(ref, Violated) and ref.trace.depth <= LIVE_DEPTH else None
            if isinstance(v, Violated):
                validate(ts, v.trace, v.prop)
                continue
        _claims_hold(ts, prop, v, shortest, LIVE_DEPTH)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(systems(), st.lists(st.integers(1, 8_192), min_size=1, max_size=8))
def test_a_stopped_query_never_misleads_the_next(ts: TransitionSystem, limits: list[int]) -> None:
    """Every query of the unrolling is first asked with a small work limit (most are stopped),
    then again without one: the answers after the stops are those of the explicit search."""
    refs = {p.name: _reference(ts, p.name) for p in ts.properties}
    decided = {p: r for p, r in refs.items() if r is not None}
    if not decided:
        return
    depth = max(r.trace.depth if isinstance(r, Violated) else diam + 1 for r, diam in decided.values())
    u = Unrolling(ts, Budget(max_depth=depth, seed=0), Encoding(ts, None), "bmc")
    found: dict[str, int] = {}
    for d in range(depth + 1):
        for i, (prop, (ref, _diam)) in enumerate(decided.items()):
            if prop in found:
                continue
            u.budget = Budget(max_depth=depth, rlimit=limits[(d + i) % len(limits)], seed=0)
            u.at(ts.prop(prop), d)
            u.budget = Budget(max_depth=depth, seed=0)
            got = u.at(ts.prop(prop), d)
            shortest = ref.trace.depth if isinstance(ref, Violated) else None
            assert not isinstance(got, Unknown), (prop, d, got)
            assert (got is not None) == (shortest == d), (prop, d, got, shortest)
            if got is not None:
                validate(ts, got.trace, prop)
                found[prop] = d
