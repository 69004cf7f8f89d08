"""`eventually_always: P` (<>[]P, NOTE(liveness) in checker/explicit/liveness.py): violated by a
fair behaviour that leaves P infinitely often; explicit search, BMC lassos and replay agree
(generated systems: tests/test_engines_agree.py draws the kind too)."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Proved, Violated
from checker.explicit.search import explore
from checker.smt import bmc
from checker.smt.encode import EncodingOptions
from checker.traces.replay import ReplayError, validate
from checker.traces.trace import Trace
from model.load import load_spec, load_text

SPEC = Path(__file__).resolve().parent.parent / "specs" / "eventually_always.yaml"
LOOP = ("m.up()", "m.up()", "m.up()", "m.wobble()")


def test_explicit_decides_settling() -> None:
    [ts] = load_spec(SPEC)
    assert ts.prop("settles_top").temporal
    r = explore(ts, ["settles_high", "settles_top"])
    assert isinstance(r.verdict("settles_high"), Proved)
    v = r.verdict("settles_top")
    assert isinstance(v, Violated) and (v.trace.labels(ts), v.trace.loop) == (LOOP, 2)


@pytest.mark.parametrize("lasso", ["incremental", "quadratic"])
def test_bmc_lasso_finds_the_same_loop(lasso: str) -> None:
    [ts] = load_spec(SPEC)
    opts = EncodingOptions(lasso=lasso)
    v = bmc.check(ts, "settles_top", Budget(max_depth=6, seed=0), options=opts)
    assert isinstance(v, Violated) and v.trace.depth == 4 and v.trace.loop == 2
    validate(ts, v.trace, "settles_top")
    h = bmc.check(ts, "settles_high", Budget(max_depth=6, seed=0), options=opts)
    assert isinstance(h, HoldsUpTo) and h.depth == 6


def test_replay_needs_a_not_p_state_on_the_loop() -> None:
    [ts] = load_spec(SPEC)
    v = explore(ts, ["settles_top"]).verdict("settles_top")
    assert isinstance(v, Violated)
    validate(ts, v.trace, "settles_top")
    # the same lasso leaves `x >= 2` nowhere on its loop (x is 2, 3, 2): no violation of settles_high
    with pytest.raises(ReplayError, match="does not end in a violation of 'settles_high'"):
        validate(ts, Trace(v.trace.states, v.trace.actions, v.trace.loop), "settles_high")


def test_a_deadlock_outside_p_stutters_forever() -> None:
    [ts] = load_text("""
spec: stuck
vars:
  x: {type: "0..2", init: 0}
machines:
  m:
    states: [s]
    init: s
    transitions:
      up: {guard: "x < 1", effect: {x: "x + 1"}}
properties:
  ends_at_two:
    eventually_always: "x == 2"
""", "stuck.yaml")
    v = explore(ts, ["ends_at_two"]).verdict("ends_at_two")
    assert isinstance(v, Violated) and (v.trace.depth, v.trace.loop) == (1, 1)
    b = bmc.check(ts, "ends_at_two", Budget(max_depth=3, seed=0))
    assert isinstance(b, Violated) and (b.trace.depth, b.trace.loop) == (1, 1)
