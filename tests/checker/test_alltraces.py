"""`check --all-traces N` (NOTE(all-traces) in checker/explicit/alltraces.py): distinct
counterexamples, shortest first, each replayed; compared with brute-force path enumeration on
generated systems, exact on Peterson."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from checker.core.budget import Budget
from checker.core.semantics import initial_states, successor
from checker.core.verdict import Violated
from checker.explicit.alltraces import more_traces
from checker.explicit.search import explore
from checker.run.runner import RunOptions, run_instance
from checker.traces.replay import validate, violates
from checker.traces.trace import Trace
from model.evaluate import compile_expr
from model.ir import TransitionSystem
from model.load import load_spec
from model.sorts import in_range
from tests.gen_ir import systems

ROOT = Path(__file__).resolve().parents[2]
PETERSON = ROOT / "specs" / "examples" / "peterson.yaml"
MAX_LEN = 5


def brute_force(ts: TransitionSystem, prop: str, max_len: int) -> set[tuple[int, ...]]:
    """Every action sequence of at most max_len steps that ends in its first violation of prop."""
    acts = [(compile_expr(a.guard), [(s, compile_expr(e)) for s, e in a.updates]) for a in ts.actions]
    on_steps = ts.prop(prop).kind not in ("invariant", "deadlock")
    out: set[tuple[int, ...]] = set()
    frontier = [Trace((s,), ()) for s in initial_states(ts)]
    for _ in range(max_len + 1):
        nxt = []
        for t in frontier:
            if violates(ts, t, prop):
                out.add(t.actions)
                continue
            s = t.states[-1]
            for i, (g, upd) in enumerate(acts):
                if g(s):
                    u = successor(s, upd)
                    longer = Trace((*t.states, u), (*t.actions, i))
                    if all(in_range(v.sort, x) for v, x in zip(ts.vars, u, strict=True)):
                        nxt.append(longer)
                    elif on_steps and len(longer.actions) <= max_len and violates(ts, longer, prop):
                        # NOTE(range-steps): an out-of-range post-state is no state; only a
                        # step property can end with such a step
                        out.add(longer.actions)
        frontier = [t for t in nxt if len(t.actions) <= max_len]
    return out


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(systems())
def test_generated_systems_against_brute_force(ts: TransitionSystem) -> None:
    r = explore(ts, None, Budget(max_states=400), backend="state", symmetry=False)
    if not r.complete and r.states >= 400:
        return
    diameter = explore(ts, [], backend="state", symmetry=False).diameter
    for v in r.verdicts:
        if not isinstance(v, Violated) or ts.prop(v.prop).temporal or v.trace.depth > MAX_LEN:
            continue
        want = brute_force(ts, v.prop, MAX_LEN)
        got = more_traces(ts, v.prop, v.trace, 10_000, Budget()).traces
        assert got[0] == v.trace
        for t in got:
            validate(ts, t, v.prop)
        depths = [t.depth for t in got]
        assert depths == sorted(depths)
        assert len({t.actions for t in got}) == len(got)
        upto = min(MAX_LEN, v.trace.depth + diameter)     # the lengths tried (NOTE(all-traces))
        assert {t.actions for t in got if t.depth <= upto} == {a for a in want if len(a) <= upto}


def test_peterson_turn_first() -> None:
    [ts] = load_spec(PETERSON, variant="turn_first")
    got = run_instance(ts, ["mutex"], RunOptions(all_traces=4))
    [(prop, traces, complete)] = got.more
    assert prop == "mutex" and complete
    assert [t.depth for t in traces] == [6, 6, 10, 10]
    assert traces[0] == got.verdicts[0].trace    # type: ignore[union-attr]
    assert [t.labels(ts) for t in traces[:2]] == [
        ("proc[0].raise_flag()", "proc[1].raise_flag()", "proc[1].give_turn()", "proc[1].enter()",
         "proc[0].give_turn()", "proc[0].enter()"),
        ("proc[1].raise_flag()", "proc[0].raise_flag()", "proc[0].give_turn()", "proc[0].enter()",
         "proc[1].give_turn()", "proc[1].enter()")]


def test_peterson_flag_only_has_six_shortest_deadlocks() -> None:
    [ts] = load_spec(PETERSON, variant="flag_only")
    got = run_instance(ts, ["deadlock"], RunOptions(all_traces=50))
    [(_, traces, _)] = got.more
    assert [t.depth for t in traces].count(4) == 6
    assert len({t.actions for t in traces}) == len(traces)


@pytest.mark.parametrize("depth", [5, 6])
def test_depth_bound_caps_the_lengths(depth: int) -> None:
    [ts] = load_spec(PETERSON, variant="turn_first")
    got = run_instance(ts, ["mutex"], RunOptions(all_traces=10, explicit_depth=depth))
    assert got.more == () if depth == 5 else [t.depth for t in got.more[0][1]] == [6, 6]


def test_one_trace_adds_nothing() -> None:
    [ts] = load_spec(PETERSON, variant="turn_first")
    assert run_instance(ts, ["mutex"], RunOptions()).more == ()
