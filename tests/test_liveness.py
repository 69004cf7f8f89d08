"""Liveness on the explicit engine: hand-checked lassos (exact prefix and loop lengths)."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.core.verdict import Proved, Violated
from checker.explicit.search import explore
from checker.traces.replay import validate
from model.load import load_spec, load_text

SPECS = Path(__file__).resolve().parent.parent / "specs" / "examples"


def verdict(spec: str, variant: str, prop: str):  # type: ignore[no-untyped-def]
    [ts] = load_spec(SPECS / spec, variant=variant)
    v = explore(ts).verdict(prop)
    if isinstance(v, Violated):
        validate(ts, v.trace, prop)   # the lasso replays, has the right shape and a fair loop
    return ts, v


@pytest.mark.parametrize(("variant", "depth", "loop"), [("unfair", 4, 1), ("weak", 4, 1)])
def test_spinlock_starves_without_strong_fairness(variant: str, depth: int, loop: int) -> None:
    ts, v = verdict("spinlock.yaml", variant, "no_starvation")
    # by hand: proc 0 requests (prefix of 1 step); then proc 1 requests, acquires and releases
    # forever (a loop of 3 steps). Under weak fairness proc 0's acquire is disabled while proc 1
    # holds the lock, so weak fairness does not force it.
    assert isinstance(v, Violated)
    assert (v.trace.depth, v.trace.loop) == (depth, loop)
    assert v.trace.labels(ts) == ("proc[0].request()", "proc[1].request()", "proc[1].acquire()",
                                  "proc[1].release()")


def test_spinlock_strong_fairness_proves_no_starvation() -> None:
    _, v = verdict("spinlock.yaml", "strong", "no_starvation")
    assert isinstance(v, Proved)


def test_retry_loop_spins_forever_without_a_fair_helper() -> None:
    ts, v = verdict("retry.yaml", "unfair", "terminates")
    # by hand: no prefix; the releaser retries twice and is back where it started
    assert isinstance(v, Violated) and (v.trace.depth, v.trace.loop) == (2, 0)
    assert set(v.trace.labels(ts)) == {"releaser.retry()"}


def test_retry_loop_spins_forever_after_the_helper_quits() -> None:
    _, v = verdict("retry.yaml", "quitter", "terminates")
    assert isinstance(v, Violated) and (v.trace.depth, v.trace.loop) == (3, 1)


def test_retry_loop_terminates_with_a_fair_helper() -> None:
    for prop in ("terminates", "keeps_finishing"):
        _, v = verdict("retry.yaml", "fair", prop)
        assert isinstance(v, Proved), prop


def test_deadlock_state_stutters_forever() -> None:
    spec = """
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
    expect: violated
"""
    [ts] = load_text(spec)
    v = explore(ts).verdict("reaches_two")
    # by hand: x goes 0 -> 1 and then nothing is enabled: the behaviour stutters in x == 1
    assert isinstance(v, Violated) and (v.trace.depth, v.trace.loop) == (1, 1)
    validate(ts, v.trace, "reaches_two")


def test_leads_to_needs_the_trigger() -> None:
    spec = """
spec: trig
vars:
  x: {type: "0..3", init: 0}
machines:
  m:
    states: [s]
    init: s
    fair: weak
    transitions:
      step:
        effect:
          x: "(x + 1) % 4"
properties:
  one_leads_to_three:
    leads_to: {from: "x == 1", to: "x == 3"}
    expect: holds
  one_leads_to_five:
    leads_to: {from: "x == 1", to: "x == 2 and x == 0"}
    expect: violated
"""
    [ts] = load_text(spec)
    r = explore(ts)
    assert isinstance(r.verdict("one_leads_to_three"), Proved)
    v = r.verdict("one_leads_to_five")
    # by hand: reach x == 1 (1 step), then the loop 1 -> 2 -> 3 -> 0 -> 1 (4 steps)
    assert isinstance(v, Violated) and (v.trace.depth, v.trace.loop) == (5, 1)


def test_a_step_out_of_range_is_enabled_so_the_state_does_not_stutter() -> None:
    # NOTE(range-fairness): at x == 1, inc is enabled (its guard holds) but its step leaves the
    # range, so there is no edge; unlike test_deadlock_state_stutters_forever, the state may not
    # stutter: every behaviour ends in the range error and no lasso exists
    spec = """
spec: overflow
vars:
  x: {type: "0..1", init: 0}
machines:
  m:
    states: [s]
    init: s
    fair: weak
    transitions:
      inc:
        effect:
          x: "x + 1"
properties:
  never:
    eventually: "x == 0 and x == 1"
  range:
    expect: violated
"""
    [ts] = load_text(spec)
    r = explore(ts)
    assert isinstance(r.verdict("never"), Proved) and isinstance(r.verdict("deadlock"), Proved)
    v = r.verdict("range")
    assert isinstance(v, Violated) and v.trace.depth == 2 and v.trace.labels(ts) == ("m.inc()", "m.inc()")
