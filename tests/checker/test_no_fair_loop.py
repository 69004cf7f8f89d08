"""NOTE(no-fair-loop) in checker/smt/monotone.py: the proof that no lemma state starts a fair
violating loop of any length may only succeed where none exists. Checked against an oracle that
enumerates the whole domain (tests/lasso_oracle.py `fair_loop_exists`), and end to end: with the
proof tried from the first loop length on, BMC's verdicts and shortest lasso depths are the
explicit search's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Violated
from checker.smt import bmc, loops
from checker.smt.encode import Encoding
from checker.smt.loops import EVERY, LoopLengths
from checker.smt.monotone import no_fair_loop
from checker.traces.replay import validate
from checker.traces.trace import State
from model.evaluate import compile_expr
from model.ir import Property, TransitionSystem
from model.load import load_spec, load_text
from tests.checker import test_bmc_stops as stops
from tests.checker.test_loop_blocks import RING
from tests.gen_ir import live_systems
from tests.lasso_oracle import TooMany, fair_loop_exists, shortest_lasso
from tests.test_engines_agree import LIVE_EXAMPLES, _lassos_agree

CHANDY = Path(__file__).resolve().parent.parent / "specs" / "chandy_misra.yaml"

# RING: a ring of 5 states under weak fairness and a flag never set; its only fair loops have
# 5, 10, ... steps (test_loop_blocks.py)


def _proof(ts: TransitionSystem, p: Property) -> tuple[bool | None, Callable[[State], bool]]:
    """The proof's answer for p without lemmas, and its region as a Python predicate (the
    per-state shape, with the stable trigger's P as the side solver decides it)."""
    side = LoopLengths(Encoding(ts), ts.fairness(), Budget(max_depth=8).start())
    stable = p.kind == "leads_to" and side._stable(p)
    got = no_fair_loop(side.enc, side.groups, lambda s: side._region(p, s), side.budget, "t", side._steps(p))
    off = compile_expr(p.pred2 if p.kind == "leads_to" else p.pred)   # type: ignore[arg-type]
    on = compile_expr(p.pred) if stable else None   # type: ignore[arg-type]
    every = p.kind == "eventually_always"
    return got, lambda s: every or (not off(s) and (on is None or bool(on(s))))


def _agrees(ts: TransitionSystem) -> int:
    """Each temporal property: a proof found means the oracle finds no fair loop; the number of
    proofs found."""
    proved = 0
    for p in ts.properties:
        if not p.temporal:
            continue
        got, region = _proof(ts, p)
        try:
            exists = fair_loop_exists(ts, region, p.pred if p.kind == "eventually_always" else None, 5_000)
        except TooMany:
            continue
        assert not (got is True and exists), f"{p.name}: no fair loop claimed, but one exists"
        proved += got is True
    return proved


def test_a_real_loop_is_never_refuted() -> None:
    """The ring's 5-step loop: no proof, and with the proof tried from the first length on, R
    stops at 4 and BMC finds the oracle's shortest lasso, of depth 5."""
    [ts] = load_text(RING)
    p = ts.prop("never_done")
    got, region = _proof(ts, p)
    assert got is False and fair_loop_exists(ts, region)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(loops, "PROOF_AFTER_WORK", 0)
        side = LoopLengths(Encoding(ts), ts.fairness(), Budget(max_depth=12).start())
        assert side.longest(p, 12) == 4 and side.proofs == {"never_done": False}
        v = bmc.check(ts, "never_done", Budget(max_depth=8))
    assert shortest_lasso(ts, "never_done", 8) == 5
    assert isinstance(v, Violated) and (v.trace.depth, v.trace.loop) == (5, 0)
    validate(ts, v.trace, "never_done")


def test_chandy_misra_n3_proofs_match_the_oracle() -> None:
    """At N=3, with no lemmas: no fair loop where philosopher 0 stays hungry or no one eats (the
    proof and the oracle agree), and the real loop of `thinker_gets_hungry` is not refuted."""
    [ts] = load_spec(CHANDY, ("N=3",))
    got = {}
    for name in ("hungry_eats", "someone_eats_often", "thinker_gets_hungry"):
        p = ts.prop(name)
        got[name], region = _proof(ts, p)
        assert fair_loop_exists(ts, region) is (got[name] is not True)
    assert got == {"hungry_eats": True, "someone_eats_often": True, "thinker_gets_hungry": False}


def test_with_the_proof_every_length_is_refuted_and_verdicts_stay() -> None:
    """Chandy-Misra N=3 with the proof tried from the first length: R is every length for the two
    that hold, `thinker_gets_hungry` keeps its lasso at depth 6 with its loop at 3."""
    [ts] = load_spec(CHANDY, ("N=3",))
    names = ["hungry_eats", "someone_eats_often", "thinker_gets_hungry"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(loops, "PROOF_AFTER_WORK", 0)
        side = LoopLengths(Encoding(ts), ts.fairness(), Budget(max_depth=12).start())
        assert [side.longest(ts.prop(n), 12) for n in names] == [12, 12, 2]
        assert side.refuted["hungry_eats"] == side.refuted["someone_eats_often"] == EVERY
        vs = bmc.check_all(ts, names, Budget(max_depth=10))
    assert [type(v) for v in vs] == [HoldsUpTo, HoldsUpTo, Violated]
    assert isinstance(vs[2], Violated) and (vs[2].trace.depth, vs[2].trace.loop) == (6, 3)


@pytest.mark.slow   # about 30 s of CPU
@settings(max_examples=LIVE_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(live_systems(groups=True))
def test_proofs_agree_with_the_domain_oracle(ts: TransitionSystem) -> None:
    """Generated fair systems (weak, strong and declared groups, stutter on or off): wherever the
    proof says no fair loop, none exists in the whole domain."""
    _agrees(ts)


def test_generated_systems_do_get_proofs() -> None:
    """The property above on a small fixed batch, which is not vacuous: some properties are
    proved loop-free (and none wrongly)."""
    found: list[int] = []

    @settings(max_examples=12, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(live_systems())
    def run(ts: TransitionSystem) -> None:
        found.append(_agrees(ts))
    run()
    assert sum(found) > 0


@pytest.mark.slow   # about 50 s of CPU
@settings(max_examples=LIVE_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(live_systems(groups=True))
def test_lassos_with_the_proof_agree_with_explicit(ts: TransitionSystem) -> None:
    """Generated fair systems, the proof tried before every first loop length: BMC's verdicts
    and shortest lasso depths are the explicit fair-SCC search's."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(loops, "PROOF_AFTER_WORK", 0)
        _lassos_agree(ts)


@settings(max_examples=stops.EXAMPLES // 8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(live_systems(), stops.LIMITS)
def test_lasso_verdicts_survive_stops_with_the_proof(ts: TransitionSystem, limit: int) -> None:
    """test_bmc_stops.py's lasso check with the proof tried before every first loop length: its
    queries stopped by the same work limits (a stop concludes nothing), no verdict is wrong."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(loops, "PROOF_AFTER_WORK", 0)
        stops.test_lasso_verdicts_survive_stops.hypothesis.inner_test(ts, limit)   # type: ignore[attr-defined]


@pytest.mark.slow   # about 13 s of CPU
def test_chandy_misra_n5_every_length_with_the_mined_lemmas() -> None:
    """At N=5 unreachable states start fair loops on which philosopher 0 stays hungry
    (NOTE(loop-lemmas)): without lemmas no proof; with BMC's mined lemmas every length of
    `hungry_eats` is refuted at once, and the real loop of `thinker_gets_hungry` is not."""
    from checker.smt.kind import mine_lemmas

    [ts] = load_spec(CHANDY, ("N=5",))
    hungry, thinker = ts.prop("hungry_eats"), ts.prop("thinker_gets_hungry")
    side = LoopLengths(Encoding(ts), ts.fairness(), Budget(max_depth=30).start())
    assert side._no_loop(hungry) is False and side.proofs["hungry_eats"] is not True
    lemmas, why = mine_lemmas(ts, Budget().start(), side.enc, ())
    assert why is None and len(lemmas) == 164
    side.assume(lemmas)
    assert side._no_loop(hungry) is True
    assert side._no_loop(thinker) is False
