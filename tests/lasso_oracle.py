"""The shortest lasso by brute force: every path from the initial states up to a depth, each
closing lasso checked by replay's own judge (checker.traces.replay.violates: shape and loop
fairness, NOTE(lasso) in checker/smt/lasso.py). An oracle for tests on small systems only,
independent of both SMT lasso encodings and of the explicit engine's greedy lasso."""

from __future__ import annotations

from checker.core.semantics import initial_states, successor
from checker.traces.replay import violates
from checker.traces.trace import State, Trace
from model.evaluate import compile_expr
from model.ir import TransitionSystem
from model.sorts import in_range


class TooMany(Exception):
    """More paths than the cap: the caller skips the system."""


def shortest_lasso(ts: TransitionSystem, prop: str, max_depth: int, max_paths: int = 50_000) -> int | None:
    """The least k <= max_depth such that some lasso of depth k violates prop, or None."""
    guards = [compile_expr(a.guard) for a in ts.actions]
    updates = [[(s, compile_expr(e)) for s, e in a.updates] for a in ts.actions]
    succ: dict[State, list[tuple[int, State]]] = {}

    def step(s: State) -> list[tuple[int, State]]:
        if s not in succ:
            nxt = [(i, successor(s, updates[i])) for i, g in enumerate(guards) if g(s)]
            succ[s] = [(i, t) for i, t in nxt if all(in_range(v.sort, x) for v, x in zip(ts.vars, t, strict=True))]
        return succ[s]

    best: list[int | None] = [None]
    count = [0]

    def closes(states: list[State], actions: list[int]) -> bool:
        k = len(actions)
        dead = not any(g(states[k]) for g in guards)
        ends = [k] if dead else [j for j in range(k) if states[j] == states[k]]
        return any(violates(ts, Trace(tuple(states), tuple(actions), loop=j), prop) for j in ends)

    def dfs(states: list[State], actions: list[int]) -> None:
        count[0] += 1
        if count[0] > max_paths:
            raise TooMany
        k = len(actions)
        if closes(states, actions):
            best[0] = k
            return
        limit = max_depth if best[0] is None else best[0] - 1
        if k >= limit:
            return
        for i, t in step(states[-1]):
            dfs([*states, t], [*actions, i])

    for s0 in initial_states(ts):
        dfs([s0], [])
    return best[0]
