"""NOTE(loop-blocks) in checker/smt/loops.py: loop lengths refuted in blocks must refute only
lengths with no fair violating loop. Blocks are forced here (asked from the first length on,
with work enough to be answered), so that every length and every depth goes through them."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Violated
from checker.smt import bmc, loops
from checker.smt.encode import Encoding
from checker.smt.loops import LoopLengths
from checker.traces.replay import validate
from model.ir import TransitionSystem
from model.load import load_spec, load_text
from tests.gen_ir import live_systems
from tests.lasso_oracle import shortest_lasso
from tests.test_engines_agree import LIVE_EXAMPLES, _lassos_agree

CHANDY = Path(__file__).resolve().parent.parent / "specs" / "chandy_misra.yaml"

# a ring of 5 states under weak fairness, and a flag that is never set: the only fair loops
# have 5, 10, 15, ... steps, so lengths 1..4 are refuted and 5 is not
RING = """
spec: ring
vars:
  done: {type: bool, init: false}
machines:
  r:
    states: [a, b, c, d, e]
    init: a
    fair: weak
    transitions:
      ab: {from: a, to: b}
      bc: {from: b, to: c}
      cd: {from: c, to: d}
      de: {from: d, to: e}
      ea: {from: e, to: a}
properties:
  never_done:
    eventually: "done"
    expect: violated
"""


def _forced(mp: pytest.MonkeyPatch, span: int) -> None:
    mp.setattr(loops, "BLOCK_AFTER_WORK", 0)
    mp.setattr(loops, "BLOCK_SPAN", span)
    mp.setattr(loops, "BLOCK_FACTOR", 10**9)


@pytest.mark.parametrize("span", [2, 3, 4, 8, 12])
def test_a_block_never_refutes_a_length_with_a_loop(monkeypatch: pytest.MonkeyPatch, span: int) -> None:
    """Blocks that contain length 5 are sat, so R stops at exactly 4 whatever the span, and the
    lasso BMC finds is the oracle's shortest one, with its loop of 5 steps."""
    _forced(monkeypatch, span)
    [ts] = load_text(RING)
    p = ts.prop("never_done")
    side = LoopLengths(Encoding(ts), ts.fairness(), Budget(max_depth=12).start())
    assert side.longest(p, 12) == 4
    assert "never_done" in side.given_up
    assert shortest_lasso(ts, "never_done", 8) == 5
    v = bmc.check(ts, "never_done", Budget(max_depth=8))
    assert isinstance(v, Violated) and (v.trace.depth, v.trace.loop) == (5, 0)
    validate(ts, v.trace, "never_done")


def test_blocks_refute_what_single_lengths_refute(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chandy-Misra at N=3 (as test_lasso.py's test_loop_lengths_refuted_for_every_depth), each
    property's lengths in blocks of 3: the same R, by blocks where nothing loops, and
    `thinker_gets_hungry`'s real 3-step loop keeps its R at 2 and its lasso at depth 6."""
    _forced(monkeypatch, 3)
    [ts] = load_spec(CHANDY, ("N=3",))
    side = LoopLengths(Encoding(ts), ts.fairness(), Budget(max_depth=12).start())
    names = ("someone_eats_often", "hungry_eats", "thinker_gets_hungry")
    got = {name: side.longest(ts.prop(name), 12) for name in names}
    assert got == {"someone_eats_often": 12, "hungry_eats": 12, "thinker_gets_hungry": 2}
    assert side.by_block == {"someone_eats_often", "hungry_eats"}
    assert side.blocked == {"thinker_gets_hungry"}
    vs = bmc.check_all(ts, list(names), Budget(max_depth=10))
    assert [type(v) for v in vs] == [HoldsUpTo, HoldsUpTo, Violated]
    assert all(v.depth == 10 for v in vs[:2])   # type: ignore[union-attr]
    assert isinstance(vs[2], Violated) and (vs[2].trace.depth, vs[2].trace.loop) == (6, 3)


def test_a_block_stopped_by_its_work_limit_refutes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A block with 1 unit of work is stopped: the side solver is renewed (NOTE(stopped-solver))
    and single lengths go on, to the same R."""
    _forced(monkeypatch, 4)
    monkeypatch.setattr(loops, "BLOCK_FACTOR", 0)
    [ts] = load_spec(CHANDY, ("N=3",))
    side = LoopLengths(Encoding(ts), ts.fairness(), Budget(max_depth=12).start())
    p = ts.prop("someone_eats_often")
    assert side.longest(p, 6) == 6
    assert side.blocked == {"someone_eats_often"} and not side.by_block


def _with_blocks(ts: TransitionSystem) -> None:
    with pytest.MonkeyPatch.context() as mp:
        _forced(mp, 2)
        _lassos_agree(ts)


@pytest.mark.slow   # about 16 s of CPU
@settings(max_examples=LIVE_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(live_systems())
def test_lassos_in_blocks_agree_with_explicit(ts: TransitionSystem) -> None:
    """Generated fair systems: with every loop length asked in blocks of 2, BMC's verdicts and
    shortest lasso depths are the explicit fair-SCC search's and the brute-force oracle's."""
    _with_blocks(ts)
