"""Several counterexamples of one safety property (`check --all-traces N`), shortest first.

NOTE(all-traces): a counterexample is a path from an initial state whose last state violates
the property (an invariant or deadlock) or whose last step does (a step property, `range`),
and whose earlier states and steps do not: it stops at its first violation, as the search's
traces do. Two are distinct when their action sequences differ (actions are instantiated, so
parameters count). They are listed by length, every one of the minimal length first; within a
length, in the order of a depth-first walk (initial states, then actions, in index order), after
the search's own trace, which always comes first. The walk runs on the whole reachable graph
(no symmetry reduction) and is pruned by each state's distance to a violation, so it only
enters prefixes that can still end in one within the length. Lengths are tried from the
minimal one up to the minimal one plus the graph's diameter (and never beyond a depth bound):
fewer than N traces then means there are no more of these lengths, not none at all.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from checker.core.budget import Budget
from checker.core.semantics import initial_states, successor
from checker.explicit.search import LIMIT_EVERY, _Compiled
from checker.traces.trace import State, Trace
from model.ir import TransitionSystem

INF = 1 << 60


@dataclass(frozen=True)
class MoreTraces:
    traces: tuple[Trace, ...]       # the search's trace first, then the others, by length
    complete: bool                  # not stopped by a limit (else some may be missing)


class _Graph:
    """The reachable states with their edges and, per state, whether it is a bad end."""

    def __init__(self, ts: TransitionSystem, prop: str, budget: Budget):
        c = _Compiled(ts, [prop])
        self.acts = c.actions
        self.ranges = c.ranges
        self.step_bad = [[b for _, b in c.step_bad[i]] for i in range(len(ts.actions))]
        self.bad_state = _bad_state(c)
        self.states: list[State] = []
        self.ids: dict[State, int] = {}
        self.succ: list[list[tuple[int, int]]] = []     # (action, successor id or -1: out of range)
        self.init: list[int] = []
        self.complete = self._build(ts, c, budget)

    def _id(self, s: State, queue: deque[int]) -> int:
        if s not in self.ids:
            self.ids[s] = len(self.states)
            self.states.append(s)
            self.succ.append([])
            queue.append(self.ids[s])
        return self.ids[s]

    def _build(self, ts: TransitionSystem, c: _Compiled, budget: Budget) -> bool:
        queue: deque[int] = deque()
        self.init = [self._id(s, queue) for s in initial_states(ts)]
        while queue:
            if budget.max_states is not None and len(self.states) > budget.max_states:
                return False
            if len(self.states) % LIMIT_EVERY == 0 and budget.over_limit():
                return False
            sid = queue.popleft()
            s = self.states[sid]
            for i in c.dispatch.candidates(s):
                guard, updates = c.actions[i]
                if guard(s):
                    t = successor(s, updates)
                    ok = all(lo <= t[slot] <= hi for slot, lo, hi in c.ranges[i])
                    self.succ[sid].append((i, self._id(t, queue) if ok else -1))
        return True

    def post(self, sid: int, i: int) -> State:
        return successor(self.states[sid], self.acts[i][1])

    def bad_step(self, sid: int, i: int) -> bool:
        return any(b(self.states[sid]) for b in self.step_bad[i])

    def distance(self) -> list[int]:
        """Steps from each state to the nearest violation, never through a violation."""
        bad = [self.bad_state(s, bool(e)) for s, e in zip(self.states, self.succ, strict=True)]
        dist = [0 if b else INF for b in bad]
        pred: list[list[int]] = [[] for _ in self.states]
        for sid, edges in enumerate(self.succ):
            for i, t in ([] if bad[sid] else edges):
                if self.bad_step(sid, i):
                    dist[sid] = 1
                elif t >= 0:
                    pred[t].append(sid)
        queue = deque([*(i for i, d in enumerate(dist) if d == 0), *(i for i, d in enumerate(dist) if d == 1)])
        while queue:      # breadth first: distances leave the queue in ascending order
            n = queue.popleft()
            for p in pred[n]:
                if dist[p] > dist[n] + 1:
                    dist[p] = dist[n] + 1
                    queue.append(p)
        return dist

    def diameter(self) -> int:
        depth = dict.fromkeys(self.init, 0)
        queue = deque(self.init)
        while queue:
            n = queue.popleft()
            for _, t in self.succ[n]:
                if t >= 0 and t not in depth:
                    depth[t] = depth[n] + 1
                    queue.append(t)
        return max(depth.values(), default=0)


def _bad_state(c: _Compiled) -> Callable[[State, bool], bool]:
    invs = [p for _, p in c.invariants]
    dl = c.deadlock[1] if c.deadlock is not None else None

    def bad(s: State, has_successor: bool) -> bool:
        return any(not p(s) for p in invs) or (dl is not None and not has_successor and not dl(s))
    return bad


def more_traces(ts: TransitionSystem, prop: str, first: Trace, n: int, budget: Budget) -> MoreTraces:
    """Up to n distinct counterexamples of the safety property prop, `first` (a shortest one,
    the search's) first (NOTE(all-traces))."""
    budget = budget.start()
    g = _Graph(ts, prop, budget)
    dist = g.distance()
    out: list[Trace] = [first]
    seen = {first.actions}
    limit = first.depth + g.diameter()
    if budget.explicit_depth is not None:
        limit = min(limit, budget.explicit_depth)
    length = first.depth
    complete = g.complete
    while len(out) < n and length <= limit:
        if budget.over_limit():
            complete = False
            break
        for t in _walk(g, dist, length):
            if t.actions not in seen:
                seen.add(t.actions)
                out.append(t)
                if len(out) == n:
                    break
        length += 1
    return MoreTraces(tuple(out), complete)


def _walk(g: _Graph, dist: Sequence[int], length: int) -> Iterator[Trace]:
    """Every counterexample of exactly `length` steps, depth first (NOTE(all-traces)). A stack
    entry is a path (state ids, actions) or, with `end` set, a finished trace ending in a bad step."""
    stack: list[tuple[list[int], list[int], State | None]] = [
        ([s], [], None) for s in reversed(g.init) if dist[s] <= length]
    while stack:
        path, acts, end = stack.pop()
        if end is not None:
            yield Trace((*(g.states[x] for x in path), end), tuple(acts))
            continue
        sid, left = path[-1], length - len(acts)
        if dist[sid] == 0:
            if left == 0:
                yield Trace(tuple(g.states[x] for x in path), tuple(acts))
            continue
        nxt: list[tuple[list[int], list[int], State | None]] = []
        for i, t in g.succ[sid]:
            if g.bad_step(sid, i):
                if left == 1:
                    nxt.append((path, [*acts, i], g.post(sid, i)))
            elif t >= 0 and dist[t] <= left - 1:
                nxt.append(([*path, t], [*acts, i], None))
        stack.extend(reversed(nxt))
