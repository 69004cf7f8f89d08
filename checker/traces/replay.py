"""Replay: re-check a trace step by step on the concrete semantics, independently of any engine.

Used on every SMT counterexample before it is shown, and by `seamcheck replay` on saved traces.
"""

from __future__ import annotations

from checker.core.semantics import successor
from checker.traces.trace import Trace
from model.evaluate import compile_expr
from model.ir import Property, TransitionSystem
from model.sorts import in_range


class ReplayError(Exception):
    """The first step at which a trace does not follow the spec (step 0 is the initial state).

    A plain exception, not a frozen dataclass: Python sets __traceback__ (and pytest/hypothesis
    __notes__) on a raised exception, which a frozen one refuses, hiding the real failure."""

    def __init__(self, step: int, message: str) -> None:
        super().__init__(step, message)
        self.step = step
        self.message = message

    def __str__(self) -> str:
        return f"step {self.step}: {self.message}"


def _check_init(ts: TransitionSystem, s: tuple[int, ...]) -> None:
    if len(s) != len(ts.vars):
        raise ReplayError(0, f"state has {len(s)} values, the spec has {len(ts.vars)} variables")
    for v, allowed, x in zip(ts.vars, ts.init_values, s, strict=True):
        if x not in allowed:
            raise ReplayError(0, f"{v.name} = {v.sort.render(x)} is not an allowed initial value")
    if ts.init_constraint is not None and not compile_expr(ts.init_constraint)(s):
        raise ReplayError(0, "the initial state violates `initially`")


def replay_steps(ts: TransitionSystem, trace: Trace) -> None:
    """Raise ReplayError at the first state or step that the spec does not allow."""
    if len(trace.states) != len(trace.actions) + 1:
        raise ReplayError(0, "a trace needs one more state than actions")
    _check_init(ts, trace.states[0])
    for k, (a, pre, post) in enumerate(zip(trace.actions, trace.states, trace.states[1:]), start=1):
        if not 0 <= a < len(ts.actions):
            raise ReplayError(k, f"action index {a} does not exist")
        act = ts.actions[a]
        if not compile_expr(act.guard)(pre):
            raise ReplayError(k, f"{act.label.render()} is not enabled (its guard is false)")
        want = successor(pre, [(s, compile_expr(e)) for s, e in act.updates])
        for v, got, exp in zip(ts.vars, post, want, strict=True):
            if got != exp and in_range(v.sort, exp):
                raise ReplayError(k, f"after {act.label.render()}, {v.name} should be "
                                  f"{v.sort.render(exp)}, the trace says {v.sort.render(got)}")
    if trace.loop is not None and not 0 <= trace.loop < len(trace.states):
        raise ReplayError(len(trace.actions), f"loop index {trace.loop} is outside the trace")


def violates(ts: TransitionSystem, trace: Trace, prop: str) -> bool:
    """Whether the trace ends in a violation of the safety property `prop`."""
    p = ts.prop(prop)
    if p.temporal:
        return _lasso_violates(ts, trace, p)
    last = trace.states[-1]
    if p.kind in ("invariant", "deadlock"):
        ok = compile_expr(p.pred)(last)  # type: ignore[arg-type]
        if p.kind == "deadlock":
            enabled = any(compile_expr(a.guard)(last) for a in ts.actions)
            return not enabled and not ok
        return not ok
    if not trace.actions:
        return False
    a, pre = trace.actions[-1], trace.states[-2]
    return any(i == a and compile_expr(b)(pre) for i, b in p.bad)


def validate(ts: TransitionSystem, trace: Trace, prop: str) -> None:
    """Raise ReplayError unless the trace follows the spec and ends violating `prop`."""
    replay_steps(ts, trace)
    if not violates(ts, trace, prop):
        raise ReplayError(trace.depth, f"the trace does not end in a violation of '{prop}'")


def _lasso_violates(ts: TransitionSystem, trace: Trace, p: Property) -> bool:
    """A lasso violates a temporal property when it has the right shape and its loop is fair
    (NOTE(liveness) and NOTE(fairness) in checker/explicit/liveness.py)."""
    if trace.loop is None or trace.states[-1] != trace.states[trace.loop]:
        return False
    loop_states = trace.states[trace.loop:]
    if len(loop_states) == 1 and not ts.stutter and any(compile_expr(a.guard)(loop_states[0]) for a in ts.actions):
        return False   # only a state with nothing enabled may stutter forever (NOTE(range-fairness), NOTE(stutter))
    pred = compile_expr(p.pred)  # type: ignore[arg-type]
    if p.kind == "eventually":
        shape = not any(pred(s) for s in trace.states)
    elif p.kind == "always_eventually":
        shape = not any(pred(s) for s in loop_states)
    elif p.kind == "eventually_always":
        shape = not all(pred(s) for s in loop_states)
    else:
        q = compile_expr(p.pred2)  # type: ignore[arg-type]
        shape = any(pred(s) and all(not q(t) for t in trace.states[i:])
                    for i, s in enumerate(trace.states[: trace.loop + 1]))
    return shape and _fair_loop(ts, loop_states, trace.actions[trace.loop:])


def _fair_loop(ts: TransitionSystem, states: tuple[tuple[int, ...], ...], actions: tuple[int, ...]) -> bool:
    """No fairness group (model.ir FairGroup) is left untaken where its kind forbids it."""
    taken = set(actions)
    guards = {i: compile_expr(ts.actions[i].guard) for c in ts.fairness() for i in c.actions}
    for c in ts.fairness():
        if taken.intersection(c.actions):
            continue
        enabled = [any(guards[i](s) for i in c.actions) for s in states]
        if (all(enabled) if c.kind == "weak" else any(enabled)):
            return False
    return True
