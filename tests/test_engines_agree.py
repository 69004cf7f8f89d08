"""Differential tests: on random small systems (tests/gen_ir.py), every engine agrees with the
explicit reference search.

- explicit and BMC: the same verdict kind, and the same shortest-counterexample depth;
- k-induction and PDR: never Proved where explicit finds a violation, never Violated where it
  proves; where both conclude, they agree (and violations have explicit's shortest depth);
- every SMT counterexample replays step by step (checker.replay.validate).

- liveness (live_systems: fairness and temporal properties): explicit Violated => BMC finds a
  lasso no longer than explicit's, of exactly the shortest depth (tests/lasso_oracle.py, brute
  force, where the system has few enough paths); explicit Proved => no BMC lasso up to
  LIVE_DEPTH; both lasso encodings (incremental and quadratic); every lasso of either engine
  replays (shape and loop fairness included). Systems violating `range` are compared too, and
  live_systems(range_errors=True) draws a fair transition enabled where its step leaves the
  range (NOTE(range-fairness) in checker/core/semantics.py).

300 systems in the normal run; set SEAMCHECK_DIFF_EXAMPLES=N for more (SEAMCHECK_LIVE_EXAMPLES
for the liveness test).

No check here is bounded by time: the provers get a work bound (z3's rlimit per solver call and
Spacer query) and BMC only a depth, so every verdict is the same on an idle and a loaded machine.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.core.budget import Budget
from checker.core.semantics import initial_states
from checker.core.verdict import HoldsUpTo, Proved, Unknown, Verdict, Violated
from checker.explicit.search import check as explicit_check
from checker.explicit.search import explore
from checker.smt import bmc, kind, pdr
from checker.smt.encode import EncodingOptions
from checker.traces.replay import validate
from model.ir import TransitionSystem
from tests.gen_ir import live_systems, systems
from tests.lasso_oracle import TooMany, shortest_lasso

EXAMPLES = int(os.environ.get("SEAMCHECK_DIFF_EXAMPLES", "300"))
MAX_STATES = 3_000          # larger (or infinite: unclamped counters) state spaces are skipped
# per call: about a second of z3's work, hundreds of times what these systems' queries use
# (largest seen: 6k for a solver check, 30k for a Spacer query)
SMT_BUDGET = Budget(max_depth=6, rlimit=2_000_000, seed=0)


def _reference(ts: TransitionSystem, prop: str) -> tuple[Verdict, int] | None:
    """Explicit's verdict and the diameter it searched, or None when it could not decide."""
    v = explicit_check(ts, prop, Budget(max_states=MAX_STATES))
    if isinstance(v, Unknown):
        return None
    return v, dict(v.provenance.stats).get("diameter", 0)


def _replays(ts: TransitionSystem, v: Verdict) -> None:
    if isinstance(v, Violated):
        validate(ts, v.trace, v.prop)


def _bmc_agrees(ts: TransitionSystem, prop: str, ref: Verdict, diameter: int, ints: str) -> None:
    # deep enough to see any violation explicit could see: its diameter plus the final step
    depth = ref.trace.depth if isinstance(ref, Violated) else diameter + 1
    v = bmc.check(ts, prop, Budget(max_depth=depth, seed=0), options=EncodingOptions(ints=ints))
    _replays(ts, v)
    if isinstance(ref, Violated):
        assert isinstance(v, Violated), (prop, v)
        assert v.trace.depth == ref.trace.depth, (prop, v.trace, ref.trace)
    else:
        assert isinstance(v, HoldsUpTo) and v.depth == depth, (prop, v)


def _prover_agrees(ts: TransitionSystem, prop: str, ref: Verdict, engine: str) -> None:
    v = {"kind": kind.check, "pdr": pdr.check}[engine](ts, prop, SMT_BUDGET)
    _replays(ts, v)
    assert not isinstance(v, HoldsUpTo), (engine, prop, v)
    if isinstance(ref, Violated):
        assert not isinstance(v, Proved), (engine, prop, v)
        if isinstance(v, Violated):
            assert v.trace.depth == ref.trace.depth, (engine, prop, v.trace, ref.trace)
    else:
        assert isinstance(ref, Proved)
        assert not isinstance(v, Violated), (engine, prop, v)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(systems(), st.data())
def test_engines_agree(ts: TransitionSystem, data: st.DataObject) -> None:
    props = [p.name for p in ts.properties]
    refs = {p: _reference(ts, p) for p in props}
    for p, got in refs.items():
        if got is not None:   # both integer encodings (docs/encoding.md)
            _bmc_agrees(ts, p, *got, ints="int")
            _bmc_agrees(ts, p, *got, ints="bv")
    # the provers are slower: each system checks one property with each (drawn, so shrinkable)
    decided = [p for p in props if refs[p] is not None]
    if decided:
        p = data.draw(st.sampled_from(decided))
        ref = refs[p]
        assert ref is not None
        for engine in ("kind", "pdr"):
            _prover_agrees(ts, p, ref[0], engine)
        _hunt_agrees(ts, p, *ref)


def _hunt_agrees(ts: TransitionSystem, prop: str, ref: Verdict, diameter: int) -> None:
    """NOTE(bmc-hunt), NOTE(stopped-solver): with a first pass of 1 unit of work per query nearly
    every depth is stopped and retried, so the passes decide, on a solver that has been stopped:
    a violation it reports is real and never shorter than the shortest, and the depths it says
    were refuted were; it may miss one (an unsat after a stop is not trusted, so not counted)."""
    depth = ref.trace.depth + 2 if isinstance(ref, Violated) else diameter + 1
    v = bmc.hunt(ts, prop, Budget(max_depth=depth, seed=0), "pdr:bmc", work=1)
    _replays(ts, v)
    assert not isinstance(v, Proved), (prop, v)
    if isinstance(v, Unknown):   # not even depth 0 refuted on a trusted solver: claims nothing
        return
    if isinstance(ref, Violated) and isinstance(v, Violated):
        refuted = dict(v.provenance.stats)["refuted_to"]
        assert refuted < ref.trace.depth <= v.trace.depth <= depth, (prop, refuted, v.trace, ref.trace)
    elif isinstance(ref, Violated):
        assert isinstance(v, HoldsUpTo) and v.depth < ref.trace.depth and v.stopped, (prop, v)
    else:
        assert isinstance(v, HoldsUpTo) and v.depth <= depth, (prop, v)


# ---- liveness: BMC lassos against the explicit fair-SCC search ----------------------------------

LIVE_EXAMPLES = int(os.environ.get("SEAMCHECK_LIVE_EXAMPLES", "60"))
LIVE_DEPTH = 6              # BMC's bound where explicit proves: no lasso of up to 6 steps may exist
ORACLE_PATHS = 20_000       # the brute-force shortest lasso skips systems with more paths than this


def _live_agrees(ts: TransitionSystem, prop: str, ref: Verdict) -> None:
    # deep enough to contain explicit's own lasso, which is one of the lassos BMC searches
    depth = ref.trace.depth if isinstance(ref, Violated) else LIVE_DEPTH
    try:
        shortest: int | None | str = shortest_lasso(ts, prop, depth, ORACLE_PATHS)
    except TooMany:
        shortest = "skipped"
    assert shortest == "skipped" or (shortest is None) == isinstance(ref, Proved), (prop, shortest, ref)
    for lasso in ("incremental", "quadratic"):
        v = bmc.check(ts, prop, Budget(max_depth=depth, seed=0), options=EncodingOptions(lasso=lasso))
        _replays(ts, v)
        if isinstance(ref, Violated):
            assert isinstance(v, Violated), (lasso, prop, v, ref.trace)
            assert v.trace.depth <= ref.trace.depth, (lasso, prop, v.trace, ref.trace)
            assert shortest == "skipped" or v.trace.depth == shortest, (lasso, prop, v.trace, shortest)
        else:
            assert isinstance(ref, Proved)
            assert isinstance(v, HoldsUpTo) and v.depth == depth, (lasso, prop, v)


def _lassos_agree(ts: TransitionSystem) -> None:
    r = explore(ts, budget=Budget(max_states=MAX_STATES))
    # no initial state: a spec error before any engine runs (NOTE(no-initial-state))
    if not r.complete or not initial_states(ts):
        return
    for p in ts.properties:
        if p.temporal:
            ref = r.verdict(p.name)
            _replays(ts, ref)
            _live_agrees(ts, p.name, ref)


@settings(max_examples=LIVE_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(live_systems())
def test_bmc_lassos_agree_with_explicit(ts: TransitionSystem) -> None:
    _lassos_agree(ts)


@settings(max_examples=LIVE_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(live_systems(range_errors=True))
def test_bmc_lassos_agree_with_explicit_on_range_errors(ts: TransitionSystem) -> None:
    # a fair transition enabled where its step leaves the range: enabled for fairness, no
    # stutter there, and no edge in the state graph (NOTE(range-fairness))
    _lassos_agree(ts)


@settings(max_examples=LIVE_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(live_systems(groups=True))
def test_bmc_lassos_agree_with_explicit_on_fair_groups(ts: TransitionSystem) -> None:
    # declared groups "a or b" (NOTE(fairness)): enabled where one is, taken when one fires
    _lassos_agree(ts)


def _fair_step_out_of_range(ts: TransitionSystem) -> bool:
    """Whether the shortest range violation is a fair step, taken in a reachable state."""
    v = explore(ts, ["range"], Budget(max_states=MAX_STATES)).verdict("range")
    return isinstance(v, Violated) and ts.actions[v.trace.actions[-1]].fair is not None


def test_the_generator_draws_fair_steps_out_of_range() -> None:
    # the class of test_bmc_lassos_agree_with_explicit_on_range_errors: the share of its draws
    # with a reachable fair step out of range
    hits = []

    @settings(max_examples=LIVE_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(live_systems(range_errors=True))
    def count(ts: TransitionSystem) -> None:
        hits.append(_fair_step_out_of_range(ts))
    count()
    # at least a quarter (17 of 60 since every liveness system also draws an eventually_always
    # property, which shifted hypothesis's draws; a third before)
    assert len(hits) == LIVE_EXAMPLES and 4 * sum(hits) >= len(hits), (sum(hits), len(hits))


# ---- mined lemmas: every one an invariant (NOTE(houdini), NOTE(cube-mining)) -----------------------

MINE_EXAMPLES = int(os.environ.get("SEAMCHECK_MINE_EXAMPLES", "60"))


@settings(max_examples=MINE_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(systems())
@pytest.mark.parametrize("rounds", [None, 3])
def test_mined_lemmas_hold_in_every_reachable_state(rounds: int | None, ts: TransitionSystem) -> None:
    """Every lemma the miner returns (templates, cubes excluding counterexamples to induction,
    their supports) is an invariant: the explicit search proves each one, asked as a property
    of the same system. The sample it was mined from is a prefix of the reachable states only
    (the initial states only, here), so its candidates are often false: Houdini must have
    weakened or dropped those (the test fails when its fixpoint is skipped). With a bound of 3
    rounds many runs are cut there (NOTE(mining-cut)): what a cut leaves is invariant too."""
    from dataclasses import replace

    from checker.smt.houdini import strengthen
    from checker.smt.mine import SampleSize, as_lemmas

    if not explore(ts, budget=Budget(max_states=MAX_STATES)).complete or not initial_states(ts):
        return
    targets = [p for p in ts.properties if not p.temporal]
    got = strengthen(ts, targets, SMT_BUDGET, size=SampleSize(bfs_states=1, walks=0), max_rounds=rounds)
    lemmas = as_lemmas(ts, got.lemmas)
    if got.reason is not None or not lemmas:
        return
    r = explore(replace(ts, properties=lemmas), budget=Budget(max_states=MAX_STATES))
    for lem in lemmas:
        assert isinstance(r.verdict(lem.name), Proved), (lem.doc, r.verdict(lem.name))
