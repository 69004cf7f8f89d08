"""The shortest lasso by brute force: every path from the initial states up to a depth, each
closing lasso checked by replay's own judge (checker.traces.replay.violates: shape and loop
fairness, NOTE(lasso) in checker/smt/lasso.py). An oracle for tests on small systems only,
independent of both SMT lasso encodings and of the explicit engine's greedy lasso."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import networkx as nx

from checker.core.semantics import bounds, initial_states, successor
from checker.traces.replay import violates
from checker.traces.trace import State, Trace
from model.evaluate import compile_expr
from model.ir import Expr, TransitionSystem
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
        # a stutter ends a lasso where nothing is enabled, and anywhere under `stutter: true`
        # (TLA+-style stuttering; `violates` judges its fairness like any loop's)
        ends = [j for j in range(k) if states[j] == states[k]] + ([k] if dead or ts.stutter else [])
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


def fair_loop_exists(ts: TransitionSystem, region: Callable[[State], bool], eventually_off: Expr | None = None,
                     max_states: int = 50_000) -> bool:
    """Whether some in-domain state (reachable or not) satisfying `region` starts a fair loop of
    one or more steps through region states (NOTE(no-fair-loop) in checker/smt/monotone.py), by
    enumerating the whole domain: strongly connected components of the region's state graph,
    fairness as replay judges it (a group is enabled where one of its guards holds, taken when
    one of its actions fires), strong groups by removing the states that enable a group no edge
    of the component takes (Emerson-Lei). eventually_off: the loop must also visit a state where
    it is false (eventually_always). Raises TooMany past max_states."""
    doms = [range(bounds(ts, i)[0], bounds(ts, i)[1] + 1) for i in range(len(ts.vars))]
    if math.prod(len(d) for d in doms) > max_states:
        raise TooMany
    guards = [compile_expr(a.guard) for a in ts.actions]
    updates = [[(s, compile_expr(e)) for s, e in a.updates] for a in ts.actions]
    g = nx.MultiDiGraph()
    for s in itertools.product(*doms):
        if region(s):
            g.add_node(s)
    for s in list(g.nodes):
        for i, guard in enumerate(guards):
            if guard(s):
                t = successor(s, updates[i])
                if t in g and all(in_range(v.sort, x) for v, x in zip(ts.vars, t, strict=True)):
                    g.add_edge(s, t, action=i)
    off = compile_expr(eventually_off) if eventually_off is not None else None
    return _fair_in(ts, g, set(g.nodes), guards, off)


def _fair_in(ts: TransitionSystem, g: nx.MultiDiGraph, nodes: set[State], guards: list, off: Callable | None) -> bool:
    for comp in nx.strongly_connected_components(g.subgraph(nodes)):
        edges = [(s, t, d["action"]) for s, t, d in g.subgraph(comp).edges(data=True)]
        if not edges:
            continue
        taken = {a for _, _, a in edges}
        drop: set[State] = set()
        ok = True
        for grp in ts.fairness():
            if any(a in taken for a in grp.actions):
                continue
            enabled = {s for s in comp if any(guards[a](s) for a in grp.actions)}
            if grp.kind == "weak" and enabled == comp:
                ok = False
            elif grp.kind == "strong":
                drop |= enabled
        if not ok:
            continue
        if drop:
            if _fair_in(ts, g, comp - drop, guards, off):
                return True
            continue
        if off is None or any(not off(s) for s in comp):
            return True
    return False
