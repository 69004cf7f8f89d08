"""The reference semantics: breadth-first search over concrete states.

Every property of the system is checked in one search. BFS visits states in order of depth, so
the first violation found for a property is a shortest one (NOTE(depth) in model/ir.py). All
iteration is over tuples in a fixed order, so counts and traces are identical on every run.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import replace

from checker.core.budget import INTERRUPTED, Budget, Progress, interrupt
from checker.core.semantics import bounds, initial_states, may_overflow, successor
from checker.core.verdict import Verdict
from checker.explicit.dispatch import Dispatch
from checker.explicit.result import ExplicitResult, concretize, result_of, trace_back
from checker.symmetry.canon import Canonicalizer
from checker.traces.trace import State, Trace
from model.evaluate import compile_expr
from model.ir import Action, TransitionSystem

PROGRESS_EVERY = 16_384
LIMIT_EVERY = 1_024          # expansions between time and memory checks


class _Compiled:
    """Closures for guards, updates and property conditions, built once per search."""

    def __init__(self, ts: TransitionSystem, props: Sequence[str]):
        self.actions = [(compile_expr(a.guard), [(s, compile_expr(e)) for s, e in a.updates])
                        for a in ts.actions]
        self.dispatch = Dispatch([a.guard for a in ts.actions])
        # NOTE(range-steps): a step that stores an out-of-range value is a modelling error (the
        # built-in property `range`); its post-state is not a state of the system, so it is
        # shown in the counterexample but never explored (as in the SMT encoding, where the
        # variable's domain excludes it).
        self.ranges = [[(s, *bounds(ts, s)) for s, e in a.updates if may_overflow(ts, s, e)]
                       for a in ts.actions]
        self.invariants: list[tuple[str, Callable[[State], int]]] = []
        self.deadlock: tuple[str, Callable[[State], int]] | None = None
        self.step_bad: list[list[tuple[str, Callable[[State], int]]]] = [[] for _ in ts.actions]
        self.temporal = [ts.prop(n) for n in props if ts.prop(n).temporal]
        for p in (ts.prop(n) for n in props):
            if p.temporal:
                continue
            if p.kind == "invariant":
                self.invariants.append((p.name, compile_expr(p.pred)))  # type: ignore[arg-type]
            elif p.kind == "deadlock":
                self.deadlock = (p.name, compile_expr(p.pred))  # type: ignore[arg-type]
            else:
                for i, b in p.bad:
                    self.step_bad[i].append((p.name, compile_expr(b)))


class _Search:
    def __init__(self, ts: TransitionSystem, props: Sequence[str], budget: Budget, symmetry: bool = True):
        self.ts, self.budget = ts, budget.start()
        self.cap = budget.max_states
        self.c = _Compiled(ts, props)
        self.pending = list(props)
        self.found: dict[str, Trace] = {}
        self.ids: dict[State, int] = {}
        self.order: list[State] = []
        self.parent: list[int] = []
        self.via: list[int] = []
        self.depth: list[int] = []
        self.enabled = [0] * len(ts.actions)
        self.new = [0] * len(ts.actions)
        self.transitions = 0
        self.limit: str | None = None
        self.complete = False
        self.bound = budget.explicit_depth
        self.cut = False                 # stopped at the depth bound with states left to expand
        # the edge lists are kept only when a liveness property needs the whole graph
        self.succ: list[list[tuple[int, int]]] | None = [] if self.c.temporal else None
        # the states with enabled actions whose step leaves the range: enabled, but with no edge
        # (NOTE(range-fairness) in checker/core/semantics.py); few states have any, so a dict
        self.off: dict[int, list[int]] | None = {} if self.c.temporal else None
        self.symmetry: Canonicalizer | None = None
        if symmetry and not self.c.temporal:
            sym = Canonicalizer(ts)
            self.symmetry = sym if sym.active else None
        self.canon = self.symmetry.canon if self.symmetry is not None else None

    def trace_to(self, sid: int, extra: tuple[int, State] | None = None) -> Trace:
        return trace_back(sid, self._state_of, lambda n: (self.parent[n], self.via[n]), extra)

    def _state_of(self, sid: int) -> State:
        return self.order[sid]

    def violated(self, prop: str, trace: Trace) -> None:
        if prop not in self.found:
            self.found[prop] = trace if self.symmetry is None else concretize(self.ts, trace, self.symmetry, prop)
            self.pending.remove(prop)

    def add(self, s: State, parent: int, via: int, depth: int) -> int | None:
        """The id of s if it is new and stored; None if it was known, or is new and the store
        is full (NOTE(state-limit): then the search stops after the current expansion)."""
        if s in self.ids:
            return None
        sid = len(self.order)
        if self.cap is not None and sid >= self.cap:
            self.limit = f"state limit {self.cap} reached"
            return None
        self.ids[s] = sid
        self.order.append(s)
        if self.succ is not None:
            self.succ.append([])
        self.parent.append(parent)
        self.via.append(via)
        self.depth.append(depth)
        for name, pred in self.c.invariants:
            if name in self.pending and not pred(s):
                self.violated(name, self.trace_to(sid))
        return sid

    def expand(self, sid: int, s: State) -> list[int]:
        """Fire every enabled action from s; returns the ids of newly found states."""
        d = self.depth[sid] + 1
        fresh = []
        any_enabled = False
        actions = self.c.actions
        for i in self.c.dispatch.candidates(s):
            guard, updates = actions[i]
            if not guard(s):
                continue
            any_enabled = True
            self.enabled[i] += 1
            self.transitions += 1
            t = successor(s, updates)
            for name, bad in self.c.step_bad[i]:
                if name in self.pending and bad(s):
                    self.violated(name, self.trace_to(sid, (i, t)))
            if any(not lo <= t[slot] <= hi for slot, lo, hi in self.c.ranges[i]):
                if self.off is not None:
                    self.off.setdefault(sid, []).append(i)
                continue
            if self.canon is not None and t not in self.ids:   # a stored state is canonical
                t = self.canon(t)
            nid = self.add(t, sid, i, d)
            if self.succ is not None and self.limit is None:
                self.succ[sid].append((self.ids[t], i))
            if nid is not None:
                self.new[i] += 1
                fresh.append(nid)
        if not any_enabled and self.c.deadlock is not None:
            name, ok = self.c.deadlock
            if name in self.pending and not ok(s):
                self.violated(name, self.trace_to(sid))
        return fresh

    def over_limit(self) -> str | None:
        return self.budget.over_limit()

    def at_bound(self, queue: deque[int]) -> None:
        """NOTE(explicit-depth): with a depth bound D the search expands the states of BFS levels
        0..D-1 and stores those of level D; it stops when the first state of level D comes up
        for expansion (then every state left in the queue is at level D). A level-D state is
        checked for invariants (when stored) and for deadlock (its deadlock predicate already
        says whether some guard holds), never expanded: a counterexample is at most D steps
        long, as a BMC counterexample at depth D. With states left at level D the search is not
        complete, so an undecided property holds up to depth D, never proved; a search that runs
        out of states first is complete. checker/explicit/vector.py stops at the same level."""
        self.cut = True
        if self.c.deadlock is None or self.c.deadlock[0] not in self.pending:
            return
        name, ok = self.c.deadlock
        for sid in queue:
            if not ok(self.order[sid]):
                self.violated(name, self.trace_to(sid))
                return

    def run(self) -> None:
        """BFS until every property is decided, every state is expanded, or a limit is reached.

        NOTE(state-limit): with max_states N, at most N states are stored (and counted). The
        search stops when it finds a new state it has no room for: after the expansion of the
        state that found it (whose other new states are not stored either), or before any
        expansion when there are more than N initial states. A search whose states all fit
        completes. checker/explicit/vector.py stops at the same state (NOTE(same-order))."""
        queue: deque[int] = deque()
        for s in initial_states(self.ts):
            sid = self.add(self.canon(s) if self.canon else s, -1, -1, 0)
            if sid is not None:
                queue.append(sid)
        if self.limit is not None:
            return
        start = time.monotonic()
        count = 0
        try:
            while queue and self.pending:
                if self.bound is not None and self.depth[queue[0]] >= self.bound:
                    self.at_bound(queue)
                    return
                sid = queue.popleft()
                queue.extend(self.expand(sid, self.order[sid]))
                count += 1
                if self.limit is not None:
                    return
                if count % LIMIT_EVERY == 0:
                    self.limit = self.over_limit()
                    if self.limit:
                        return
                    if count % PROGRESS_EVERY == 0:
                        self.budget.on_progress(Progress("explicit", len(self.order), len(queue),
                                                         self.depth[sid], time.monotonic() - start))
        except KeyboardInterrupt:
            # NOTE(interrupt) in checker/core/budget.py: what was found so far is reported
            interrupt()
            self.limit = INTERRUPTED
            return
        self.complete = not queue


def explore(ts: TransitionSystem, props: Sequence[str] | None = None,
            budget: Budget | None = None, symmetry: bool = True, backend: str = "auto",
            cores: int = 1) -> ExplicitResult:
    """Search the reachable states of ts and decide every property in `props` (default: all).

    A property with no violation is Proved only when the search was complete; a search stopped
    at budget.explicit_depth with states left leaves it HoldsUpTo (NOTE(explicit-depth)), one
    stopped by a limit leaves it Unknown (or, when every property was violated, the search stops early:
    the counts then cover only what was explored).

    backend: "vector" (checker/explicit/vector.py, many states at a time; liveness on its edge
    arrays, checker/explicit/vector_live.py), "state" (this module, one state at a time: the
    reference) or "auto": vector. Both give the same result. A system whose values do not fit
    the vector backend's int64 rows (checker.explicit.vector.unsupported) is searched one state
    at a time whichever backend is asked for: the same result again.

    cores: processes for the vector backend's search (checker/explicit/vector_par.py), the same
    result again (NOTE(par-order)); a search that cannot be split, or that runs one state at a
    time, runs on one core and says why (ExplicitResult.serial_why).
    """
    budget = budget or Budget()
    names = list(props) if props is not None else [p.name for p in ts.properties]
    if backend in ("vector", "auto"):
        from checker.explicit.vector import explore_vector, unsupported
        from checker.explicit.vector_live import live_unsupported
        if unsupported(ts) is None and live_unsupported(ts, names) is None:
            if cores > 1:
                from checker.explicit.vector_par import explore_parallel
                return explore_parallel(ts, names, budget, symmetry, cores)
            return explore_vector(ts, names, budget, symmetry)
    t0 = time.monotonic()
    search = _Search(ts, names, budget, symmetry)
    search.complete = False
    search.run()
    elapsed = time.monotonic() - t0
    if (search.complete or (search.cut and search.limit is None)) and search.c.temporal:
        try:
            _liveness(ts, search)
        except KeyboardInterrupt:        # NOTE(interrupt): the fair cycles are not all known
            interrupt()
            search.complete, search.limit = False, INTERRUPTED
    sym = tuple(s.name for s in search.symmetry.sets) if search.symmetry else ()
    r = result_of(ts, names, search.found, search.complete, search.limit, len(search.order),
                  search.transitions, max(search.depth, default=0), search.enabled, search.new,
                  elapsed, sym, search.bound if search.cut else None)
    return replace(r, serial_why="the one-state search runs on one core") if cores > 1 else r


def _liveness(ts: TransitionSystem, search: _Search) -> None:
    """Decide the temporal properties on the complete graph (checker/explicit/liveness.py), or
    on the graph up to the depth bound: its unexpanded states at the bound are left out of every
    cycle (they are not deadlocks, their successors are unknown), so a lasso found there is a
    real violation, and none found proves nothing (NOTE(explicit-depth))."""
    from checker.explicit.liveness import Graph, find_violation
    assert search.succ is not None and search.off is not None
    g = Graph(search.order, search.succ, [i for i, p in enumerate(search.parent) if p < 0], search.off)
    bound = search.bound if search.cut else None
    unexpanded = frozenset(i for i, d in enumerate(search.depth) if d == bound)
    for p in search.c.temporal:
        trace = find_violation(ts, p, g, unexpanded)
        if trace is not None:
            search.violated(p.name, trace)


def check(ts: TransitionSystem, prop: str, budget: Budget | None = None) -> Verdict:
    """The engine signature shared by every engine."""
    return explore(ts, [prop], budget).verdict(prop)


def never_enabled(ts: TransitionSystem, result: ExplicitResult) -> list[Action]:
    """Actions whose guard never held in a complete search: possible vacuity."""
    return [a for a, c in zip(ts.actions, result.coverage, strict=True) if c.enabled == 0]
