"""Liveness on the explicit state graph: fair cycles found with strongly connected components.

NOTE(liveness): a behaviour is an infinite path; a state with no enabled transition stutters
forever (a self-loop that no fairness constraint objects to). Each property is violated exactly
when some fair behaviour, after a trigger, stays forever inside a region:
  eventually P          region = not P, and the behaviour starts there (trigger = initial state);
  always_eventually P   region = not P, trigger = any state of the region;
  P leads_to Q          region = not Q, trigger = a state with P and not Q;
  eventually_always P   (<>[]P) region = every state, the cycle through a not-P state (the
                        trigger: a not-P state of a fair component, where the cycle starts).
NOTE(fairness): fairness is per group of actions (model.ir FairGroup, listed by
TransitionSystem.fairness): a transition's `fair:` makes one group per (machine, instance,
transition), all its parameter choices together; `fair: {weak: [a, b]}` declares one group "a or
b" (per instance on a machine, over all instances at the top level); `may_fail` outcomes carry
none (they are adversarial). A group is enabled where one of its actions is, taken by a step
firing one of them; an action may be in several groups. A cycle is fair when every weak group
enabled in all its states is taken in it, and every strong group enabled in some of its states
is taken in it. An action is enabled where its guard holds, also when its
step leaves a variable's range and so has no edge (NOTE(range-fairness) in
checker/core/semantics.py): such a state neither stutters nor lets a fair group go untaken.

NOTE(stutter): without `stutter: true` there is no implicit stuttering: a behaviour stalls only
where nothing is enabled, so with no fairness at all a behaviour still keeps taking steps while
it can (unlike TLA+, where "no fairness" lets it stop anywhere). With `stutter: true` every state
may stutter (TLA+'s [Next]_vars): a behaviour may stay forever in a state where no fairness
group is enabled, so every such state of the region is a fair cycle by itself, and a stutter
loop (a lasso with no loop steps) is a behaviour wherever that holds.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Container, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from checker.traces.trace import Trace
from model.evaluate import compile_expr
from model.ir import Property, TransitionSystem

Group = int     # an index into TransitionSystem.fairness()


@dataclass(frozen=True)
class Graph:
    """The explored state space: states by id, per state its (successor, action) edges, and for
    the states that have any, the actions enabled there whose step leaves the range (they have
    no edge: NOTE(range-fairness))."""

    states: Sequence[tuple[int, ...]]
    succ: Sequence[Sequence[tuple[int, int]]]
    initial: Sequence[int]
    off: Mapping[int, Sequence[int]]


@dataclass(frozen=True)
class Fairness:
    """Each action's fairness group (None: adversarial) and each group's kind, computed once
    per search: the component and cycle code asks for them per state."""

    groups: tuple[tuple[Group, ...], ...]    # per action, the groups it belongs to
    kinds: dict[Group, str]
    stutter: bool = False                     # NOTE(stutter)

    @staticmethod
    def of(ts: TransitionSystem) -> Fairness:
        cons = ts.fairness()
        per: list[list[Group]] = [[] for _ in ts.actions]
        for n, c in enumerate(cons):
            for a in c.actions:
                per[a].append(n)
        return Fairness(tuple(tuple(x) for x in per), {n: c.kind for n, c in enumerate(cons)}, ts.stutter)


def find_violation(ts: TransitionSystem, prop: Property, g: Graph,
                   unexpanded: frozenset[int] = frozenset()) -> Trace | None:
    """A fair lasso violating the temporal property, or None when there is none. States in
    `unexpanded` (a depth-bounded search's last level) have unknown successors: they may lie on
    the lasso's prefix but never in its cycle."""
    region, trigger, anywhere = _region(ts, prop, g)
    region -= unexpanded
    trigger -= unexpanded
    fair = Fairness.of(ts)
    fair_nodes = _fair_components(fair, g, region)
    if fair.stutter:   # NOTE(stutter): staying where no fairness group is enabled is fair
        fair_nodes.update({s: frozenset((s,)) for s in region if s not in fair_nodes and not _enabled(fair, g, s)})
    if prop.kind == "eventually_always":   # only components a not-P state lies in, entered there
        keep = {c for n, c in fair_nodes.items() if n in trigger}
        fair_nodes = {n: c for n, c in fair_nodes.items() if c in keep}
        trigger &= set(fair_nodes)
    if not fair_nodes:
        return None
    return lasso(fair, g, _prefix(g, region, trigger, anywhere, fair_nodes), fair_nodes)


def lasso(fair: Fairness, g: Graph, found: tuple[list[int], list[int]] | None,
          fair_nodes: Mapping[int, Collection[int]]) -> Trace | None:
    """The lasso shown for a violation: `found`, the shortest prefix to a state of a fair
    component (`_prefix`; `fair_nodes` maps each such state to its component), then a fair cycle
    through that state. Both searches (checker/explicit/vector_live.py too) build it here, so
    both show the same one."""
    if found is None:
        return None
    path, acts = found
    entry = path[-1]
    cycle, cacts = _cycle(fair, g, fair_nodes[entry], entry)
    states = tuple(g.states[i] for i in (*path, *cycle))
    return Trace(states, (*acts, *cacts), loop=len(path) - 1)


def _region(ts: TransitionSystem, prop: Property, g: Graph) -> tuple[set[int], set[int], bool]:
    p = compile_expr(prop.pred)  # type: ignore[arg-type]
    if prop.kind == "leads_to":
        q = compile_expr(prop.pred2)  # type: ignore[arg-type]
        region = {i for i, s in enumerate(g.states) if not q(s)}
        return region, {i for i in region if p(g.states[i])}, True
    if prop.kind == "eventually_always":
        return set(range(len(g.states))), {i for i, s in enumerate(g.states) if not p(s)}, True
    region = {i for i, s in enumerate(g.states) if not p(s)}
    return region, region, prop.kind == "always_eventually"


def _groups_of(ts: Fairness, a: int) -> tuple[Group, ...]:
    return ts.groups[a]


def _fair_components(ts: Fairness, g: Graph, region: set[int]) -> dict[int, frozenset[int]]:
    """Map each node lying in a fair cycle inside `region` to its (refined) component."""
    out: dict[int, frozenset[int]] = {}
    todo = [frozenset(region)]
    while todo:
        nodes = todo.pop()
        dg = nx.DiGraph()
        dg.add_nodes_from(nodes)
        dg.add_edges_from((s, d) for s in nodes for d, _ in g.succ[s] if d in nodes)
        for comp in nx.strongly_connected_components(dg):
            c = frozenset(comp)
            if not _cyclic(g, c):
                continue
            bad = _unfair_strong(ts, g, c)
            if bad is None:
                if _weak_ok(ts, g, c):
                    out.update({n: c for n in c})
            elif bad:
                todo.append(c - bad)
    return out


def _cyclic(g: Graph, c: frozenset[int]) -> bool:
    n = next(iter(c))
    return len(c) > 1 or _stutters(g, n) or any(d == n for d, _ in g.succ[n])


def _stutters(g: Graph, s: int) -> bool:
    """Nothing is enabled in s, not even a step out of range (NOTE(range-fairness))."""
    return not g.succ[s] and s not in g.off


def _enabled(ts: Fairness, g: Graph, s: int) -> set[Group]:
    acts = [*(a for _, a in g.succ[s]), *g.off.get(s, ())]
    return {grp for a in acts for grp in _groups_of(ts, a)}


def _taken(ts: Fairness, g: Graph, c: frozenset[int]) -> set[Group]:
    return {grp for s in c for d, a in g.succ[s] if d in c for grp in _groups_of(ts, a)}


def _weak_ok(ts: Fairness, g: Graph, c: frozenset[int]) -> bool:
    always = set.intersection(*(_enabled(ts, g, s) for s in c))
    weak = {grp for grp in always if _kind(ts, grp) == "weak"}
    return weak <= _taken(ts, g, c)


def _unfair_strong(ts: Fairness, g: Graph, c: frozenset[int]) -> frozenset[int] | None:
    """None when strong fairness holds in c; else the states to drop (those enabling an untaken group)."""
    taken = _taken(ts, g, c)
    drop = {s for s in c for grp in _enabled(ts, g, s) if _kind(ts, grp) == "strong" and grp not in taken}
    return frozenset(drop) if drop else None


def _kind(ts: Fairness, grp: Group) -> str | None:
    return ts.kinds.get(grp)


def _prefix(g: Graph, region: Container[int], trigger: Container[int], anywhere: bool,
            fair: Mapping[int, Collection[int]]) -> tuple[list[int], list[int]] | None:
    """Shortest path to a fair-cycle node. Phase 0 roams anywhere (only when `anywhere`);
    entering phase 1 at a trigger costs nothing; phase 1 stays inside the region."""
    parent: dict[tuple[int, int], tuple[tuple[int, int], int] | None] = {}
    queue: deque[tuple[int, int]] = deque()
    for i in g.initial:
        node = (i, 0) if anywhere else (i, 1)
        if (anywhere or i in trigger) and node not in parent:
            parent[node] = None
            queue.append(node)
    while queue:
        node = queue.popleft()
        s, phase = node
        if phase == 1 and s in fair:
            return _unwind(parent, node)
        if phase == 0 and s in trigger and (s, 1) not in parent:
            parent[(s, 1)] = (node, -1)
            queue.appendleft((s, 1))
        for d, a in g.succ[s]:
            nxt = (d, phase)
            if (phase == 0 or d in region) and nxt not in parent:
                parent[nxt] = (node, a)
                queue.append(nxt)
    return None


def _unwind(parent: dict, node: tuple[int, int]) -> tuple[list[int], list[int]]:  # type: ignore[type-arg]
    path, acts = [node[0]], []
    while parent[node] is not None:
        prev, a = parent[node]
        if a >= 0:
            path.append(prev[0])
            acts.append(a)
        node = prev
    return path[::-1], acts[::-1]


def _cycle(ts: Fairness, g: Graph, comp: Collection[int], entry: int) -> tuple[list[int], list[int]]:
    """A short cycle from entry through comp that satisfies every fairness group, built
    greedily: walk to the nearest state that settles an unsettled group, then back to entry."""
    if _stutters(g, entry) or (ts.stutter and not _enabled(ts, g, entry)):
        return [], []            # stutters forever: nothing (NOTE(stutter): no fair group) is enabled here
    todo = _requirements(ts, g, comp)
    path: list[int] = []
    acts: list[int] = []
    here = entry
    while todo:
        pending = list(todo)

        def settles_any(n: int, pending: list[Req] = pending) -> bool:
            return any(_settles(ts, g, comp, r, n) for r in pending)
        p, a = _bfs(g, comp, here, settles_any)
        path, acts, here = path + p, acts + a, (p[-1] if p else here)
        todo = [r for r in todo if not _settled_on(ts, r, path, acts, g, entry)]
        edge = next((r for r in todo if r[1] != "off" and _settles(ts, g, comp, r, here)), None)
        if edge is not None:
            d, act = next((d, x) for d, x in g.succ[here] if d in comp and edge[0] in _groups_of(ts, x))
            path, acts, here = path + [d], acts + [act], d
            todo = [r for r in todo if not _settled_on(ts, r, path, acts, g, entry)]
    p, a = _bfs(g, comp, here, lambda n: n == entry, at_least_one=not acts)
    return path + p, acts + a


Req = tuple[Group, str]   # (group, "edge" | "edge_or_off")


def _requirements(ts: Fairness, g: Graph, comp: Collection[int]) -> list[Req]:
    """What a fair cycle through comp must do for each group enabled somewhere in it."""
    groups = sorted({grp for s in comp for grp in _enabled(ts, g, s)})
    return [(grp, "edge" if _kind(ts, grp) == "strong" else "edge_or_off") for grp in groups]


def _settles(ts: Fairness, g: Graph, comp: Container[int], r: Req, n: int) -> bool:
    grp, how = r
    if how == "edge_or_off" and grp not in _enabled(ts, g, n):
        return True
    return any(d in comp and grp in _groups_of(ts, a) for d, a in g.succ[n])


def _settled_on(ts: Fairness, r: Req, path: list[int], acts: list[int], g: Graph, entry: int) -> bool:
    grp, how = r
    if any(grp in _groups_of(ts, a) for a in acts):
        return True
    return how == "edge_or_off" and any(grp not in _enabled(ts, g, n) for n in [entry, *path])


def _bfs(g: Graph, comp: Container[int], src: int, goal: Callable[[int], bool],
         at_least_one: bool = False) -> tuple[list[int], list[int]]:
    """Shortest path inside comp from src to a goal state (states after src, and actions)."""
    if goal(src) and not at_least_one:
        return [], []
    parent: dict[int, tuple[int, int]] = {}
    queue = deque([src])
    seen = {src} if not at_least_one else set()
    while queue:
        s = queue.popleft()
        for d, a in g.succ[s]:
            if d not in comp or d in seen:
                continue
            seen.add(d)
            parent[d] = (s, a)
            if goal(d):
                return _walk(parent, src, d)
            queue.append(d)
    raise AssertionError("a strongly connected component is connected")


def _walk(parent: dict[int, tuple[int, int]], src: int, dst: int) -> tuple[list[int], list[int]]:
    """States after src up to dst, and the actions between; works when dst == src (a cycle)."""
    states, acts = [dst], []
    node = dst
    while True:
        prev, a = parent[node]
        acts.append(a)
        if prev == src:
            break
        states.append(prev)
        node = prev
    return states[::-1], acts[::-1]
