"""The reachable state graph as a networkx.DiGraph, for small instances (DOT / GraphML export).

Built only on request: checker/explicit/search.py keeps BFS on plain dicts because a DiGraph costs
about ten times the memory per state (style.md §6.11). Node ids are s0, s1, ... in BFS order
and edges are added in action order, so the output is the same on every run.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import networkx as nx

from checker.core.semantics import initial_states, successor
from checker.traces.trace import State
from checker.traces.values import rows
from model.evaluate import compile_expr
from model.ir import TransitionSystem


@dataclass(frozen=True)
class StateGraph:
    """graph is None when the instance has more than max_states reachable states."""

    graph: nx.DiGraph | None
    states: int
    edges: int
    max_states: int

    @property
    def complete(self) -> bool:
        return self.graph is not None


def build(ts: TransitionSystem, max_states: int) -> StateGraph:
    """BFS the reachable states into a DiGraph; stop (graph None) past max_states states."""
    guards = [compile_expr(a.guard) for a in ts.actions]
    updates = [[(s, compile_expr(e)) for s, e in a.updates] for a in ts.actions]
    invariants = [(p.name, compile_expr(p.pred)) for p in ts.properties if p.kind == "invariant" and p.pred]
    g = nx.DiGraph(name=ts.name)
    ids: dict[State, str] = {}
    queue: deque[State] = deque()

    def add(s: State, init: bool) -> str | None:
        if s in ids:
            return ids[s]
        if len(ids) >= max_states:
            return None
        ids[s] = f"s{len(ids)}"
        bad = [n for n, f in invariants if not f(s)]
        values = {f"v:{n}": x for n, x, _ in rows(ts, s)}  # for GraphML tools
        g.add_node(ids[s], label=_label(ts, s), init=init, violates=",".join(bad), **values)
        queue.append(s)
        return ids[s]

    for s in initial_states(ts):
        if add(s, True) is None:
            return StateGraph(None, len(ids), g.number_of_edges(), max_states)
    while queue:
        s = queue.popleft()
        for i, guard in enumerate(guards):
            if not guard(s):
                continue
            t = successor(s, updates[i])
            tid = add(t, False)
            if tid is None:
                return StateGraph(None, len(ids) + 1, g.number_of_edges(), max_states)
            _add_edge(g, ids[s], tid, ts.actions[i].label.render())
    return StateGraph(g, g.number_of_nodes(), g.number_of_edges(), max_states)


def _add_edge(g: nx.DiGraph, a: str, b: str, label: str) -> None:
    # two actions between the same pair of states share one edge with both labels
    if g.has_edge(a, b):
        g.edges[a, b]["label"] += "\n" + label
    else:
        g.add_edge(a, b, label=label)


def _label(ts: TransitionSystem, s: State) -> str:
    return "\n".join(f"{n} = {x}" for n, x, _ in rows(ts, s))


def to_dot(g: nx.DiGraph) -> str:
    """DOT text: initial states bold, states that violate an invariant red."""
    from checker.export.dot import quote
    lines = [f"digraph {quote(g.graph.get('name', 'states'))} {{",
             '  node [shape=box, fontname="monospace"];', '  edge [fontname="monospace"];']
    for n, d in g.nodes(data=True):
        attrs = [f"label={quote(d['label'] + chr(10))}"]
        if d["init"]:
            attrs.append("style=bold")
        if d["violates"]:
            attrs += ["color=red", f"xlabel={quote('violates ' + d['violates'])}"]
        lines.append(f"  {n} [{', '.join(attrs)}];")
    for a, b, d in g.edges(data=True):
        lines.append(f"  {a} -> {b} [label={quote(d['label'] + chr(10))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_graphml(g: nx.DiGraph) -> str:
    return "\n".join(nx.generate_graphml(g)) + "\n"
