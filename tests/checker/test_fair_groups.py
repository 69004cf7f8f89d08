"""Fairness groups `fair: {weak: [a, b]}` ("a or b", NOTE(fairness) in checker/explicit/liveness.py):
lowered to model.ir FairGroup, decided alike by the explicit liveness search, the BMC lasso and
lasso replay (generated systems: tests/test_engines_agree.py)."""

from __future__ import annotations

import pytest

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Proved, Violated
from checker.explicit.search import explore
from checker.smt import bmc
from checker.traces.replay import ReplayError, validate
from checker.traces.trace import Trace
from model.ir import FairGroup
from model.load import load_text

# a token ring: the holder may probe (at most twice) or pass; anybody may reset the probes
RING = """
spec: ring
params:
  N: {default: 3}
types:
  Node: {index: N}
vars:
  token: {type: Node, init: 0}
  probes: {type: "0..2", init: 0}
machines:
  node:
    instances: Node
    states: [run]
    init: run
    FAIR
    transitions:
      probe: {guard: "token == self and probes < 2", effect: {probes: "probes + 1"}}
      pass: {guard: "token == self", effect: {token: "(self + 1) % N", probes: 0}}
      reset: {guard: "probes == 2", effect: {probes: 0}}
properties:
  token_returns:
    always_eventually: "token == 0"
"""


def ring(fair: str):  # type: ignore[no-untyped-def]
    [ts] = load_text(RING.replace("FAIR", fair), "ring.yaml")
    return ts


def test_machine_group_is_one_group_per_instance() -> None:
    ts = ring("fair: {weak: [probe, pass]}")
    assert [(g.name, g.kind, [ts.actions[a].label.render() for a in g.actions]) for g in ts.fairness()] == [
        (f"node[{i}].probe or node[{i}].pass", "weak", [f"node[{i}].probe()", f"node[{i}].pass()"])
        for i in range(3)]
    assert all(a.fair is None for a in ts.actions)    # no per-transition fairness


@pytest.mark.parametrize(("fair", "verdict", "depth"), [
    ("fair: weak", Proved, None),                        # each of probe, pass, reset its own group
    ("fair: {weak: [pass]}", Proved, None),
    ("fair: {weak: [probe, pass]}", Violated, 4),        # probing settles "probe or pass"
    ("fair: {strong: [probe, pass]}", Violated, 4),
    ("fair: [{weak: [probe]}, {weak: [pass]}]", Proved, None),
])
def test_group_versus_per_transition_fairness(fair: str, verdict: type, depth: int | None) -> None:
    ts = ring(fair)
    v = explore(ts, ["token_returns"]).verdict("token_returns")
    assert isinstance(v, verdict)
    b = bmc.check(ts, "token_returns", Budget(max_depth=6, seed=0))
    if depth is None:
        assert isinstance(b, HoldsUpTo) and b.depth == 6
        return
    assert isinstance(v, Violated) and isinstance(b, Violated)
    assert (v.trace.depth, b.trace.depth) == (depth, depth)
    # token at node 1, which probes twice; node 0 resets: the group of node 1 is taken
    assert v.trace.labels(ts) == ("node[0].pass()", "node[1].probe()", "node[1].probe()", "node[0].reset()")
    validate(ts, b.trace, "token_returns")


def test_replay_judges_a_lasso_by_the_groups() -> None:
    grouped = ring("fair: {weak: [probe, pass]}")
    lasso = explore(grouped, ["token_returns"]).verdict("token_returns")
    assert isinstance(lasso, Violated)
    per_transition = ring("fair: {weak: [pass]}")
    # the same loop leaves node[1].pass enabled throughout and untaken: not a fair behaviour there
    with pytest.raises(ReplayError, match="does not end in a violation of 'token_returns'"):
        validate(per_transition, Trace(lasso.trace.states, lasso.trace.actions, lasso.trace.loop), "token_returns")


# two workers and an idler that may spin forever: only fairness across machines gets a worker on
TWO = """
spec: two
machines:
  a: {states: [wait, done], init: wait, terminal: [done], transitions: {go: {from: wait, to: done}}}
  b: {states: [wait, done], init: wait, terminal: [done], transitions: {go: {from: wait, to: done}}}
  idle: {states: [s], init: s, transitions: {spin: {}}}
FAIRNESS
properties:
  someone_done:
    eventually: "a.pc == done or b.pc == done"
"""


@pytest.mark.parametrize(("fairness", "verdict"), [
    ("", Violated),
    ("fairness: [{weak: [a.go, b.go]}]", Proved),
    ("fairness: [{weak: all}]", Violated),       # spin is taken: "some step" is always fair
    ("fairness: [{weak: [idle.spin]}]", Violated),
])
def test_top_level_group_across_machines(fairness: str, verdict: type) -> None:
    [ts] = load_text(TWO.replace("FAIRNESS", fairness), "two.yaml")
    v = explore(ts, ["someone_done"]).verdict("someone_done")
    assert isinstance(v, verdict), v
    b = bmc.check(ts, "someone_done", Budget(max_depth=4, seed=0))
    assert isinstance(b, Violated if verdict is Violated else HoldsUpTo)
    if isinstance(v, Violated) and isinstance(b, Violated):
        assert v.trace.labels(ts) == b.trace.labels(ts) == ("idle.spin()",) and v.trace.loop == 0


def test_top_level_group_lists_every_instance_and_choice() -> None:
    [ts] = load_text(TWO.replace("FAIRNESS", "fairness: [{strong: [a.go, b.go]}, {weak: all}]"), "two.yaml")
    assert ts.fair_groups == (FairGroup("a.go or b.go", "strong", (0, 1)), FairGroup("every transition", "weak", (0, 1, 2)))
