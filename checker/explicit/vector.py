"""The explicit search, many states at a time: breadth-first over blocks of a BFS level (numpy).

Same semantics and same results as the state-at-a-time search in checker/explicit/search.py (its
search order is reproduced exactly, NOTE(same-order)), at a fraction of the cost per state:
guards, updates and properties are evaluated on a whole block of states per action
(checker/explicit/vector_expr.py), states are rows of small integers, and the visited set is sorted runs
of exact 64-bit keys (checker/explicit/vector_keys.py). Safety properties only: liveness needs the
edge lists, which the one-state search keeps.

NOTE(same-order): the one-state search expands states in id order, fires each state's actions
in action order, and gives a new state the next id. Here a block of states is expanded action
by action; the successors are then put in (parent, action) order, which is the order in which
the one-state search meets them, and a successor is new when its key is neither in the visited
set nor met earlier in that order. So ids, parents, shortest traces, counts and coverage are
the same. The one-state search stops after the state whose expansion decided the last
undecided property, or after the state that reached the state limit; the block is cut at that
state (its successors in order form a prefix), so even a search that stops early agrees.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from checker.core.budget import INTERRUPTED, Budget, Progress, interrupt
from checker.core.intervals import slot_intervals
from checker.core.semantics import bounds, initial_states, may_overflow, successor
from checker.explicit.dispatch import key_of
from checker.explicit.result import ExplicitResult, concretize, result_of, trace_back
from checker.explicit.vector_expr import INT64_SAFE, Rows, VFn, as_mask, as_values, fits_int64, vcompile
from checker.explicit.vector_keys import WORD_BITS, KeySpaceError, Packer, SortedRuns
from checker.explicit.vector_live import EdgeLog, Explored, find_violations
from checker.explicit.vector_livesym import LiveSym, find_violations_sym, live_symmetry
from checker.explicit.vector_sym import VecCanon
from checker.symmetry.canon import Canonicalizer
from checker.traces.trace import State, Trace
from model.evaluate import compile_expr
from model.ir import TransitionSystem
from model.sorts import BoolSort

Arr = np.ndarray
CHUNK = 1 << 16              # states expanded together (bounds the memory of one block)
DONE = 1 << 62               # event position of a deadlock: after every action of its state


@dataclass(frozen=True)
class _Act:
    guard: VFn
    updates: tuple[tuple[int, VFn], ...]
    ranges: tuple[tuple[int, int, int], ...]
    key: tuple[int, frozenset[int]] | None
    step_bad: tuple[tuple[str, VFn], ...]


@dataclass
class _Block:
    """Successors of one block of states, in (parent, action) order (NOTE(same-order))."""

    par: Arr                      # parent row in the block
    act: Arr                      # action index
    rows: Arr                     # successor states (canonical when reducing symmetry)
    keys: Arr
    fresh: Arr                    # positions of the new states, ascending
    fired: list[tuple[int, Arr]]  # per action: the rows whose guard held (every one fired it)
    dead: Arr                     # rows with no action enabled
    events: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # prop -> (row, action, pos)
    off: list[tuple[int, Arr]] = field(default_factory=list)   # per action: rows whose step left the range
    ids: Arr | None = None        # with an edge log: each successor's id (-1-k: the k-th new state)
    perm: Arr | None = None       # on the liveness quotient: each edge's permutation (vector_livesym.py)


@dataclass
class _Succ:
    """Successors of one block of states, in (parent, action) order, before deduplication."""

    par: Arr
    act: Arr
    rows: Arr
    keys: Arr
    fired: list[tuple[int, Arr]]
    dead: Arr
    steps: dict[str, tuple[int, int, int]]
    off: list[tuple[int, Arr]] = field(default_factory=list)   # steps leaving the range (liveness)
    perm: Arr | None = None       # on the liveness quotient: each edge's permutation (vector_livesym.py)


class _Store:
    """Every state found, in id order, with its parent id and the action that reached it."""

    def __init__(self, width: int, dtype: type):
        self.bases: list[int] = []
        self.blocks: list[tuple[Arr, Arr, Arr]] = []
        self.size = 0
        self.width, self.dtype = width, dtype

    def append(self, rows: Arr, parent: Arr, via: Arr) -> None:
        if len(rows):
            self.bases.append(self.size)
            self.blocks.append((rows.astype(self.dtype), parent, via))
            self.size += len(rows)

    def rows(self, lo: int, hi: int) -> Arr:
        parts = []
        k = max(0, bisect.bisect_right(self.bases, lo) - 1)
        while k < len(self.blocks) and self.bases[k] < hi:
            b = self.bases[k]
            parts.append(self.blocks[k][0][max(lo, b) - b: min(hi, b + len(self.blocks[k][0])) - b])
            k += 1
        return np.concatenate(parts) if parts else np.zeros((0, self.width), self.dtype)

    def node(self, sid: int) -> tuple[Arr, int, int]:
        k = bisect.bisect_right(self.bases, sid) - 1
        rows, parent, via = self.blocks[k]
        i = sid - self.bases[k]
        return rows[i], int(parent[i]), int(via[i])


def domains(ts: TransitionSystem) -> list[tuple[int, int]]:
    """(lowest value, number of values) of every slot's sort, without enumerating it."""
    return [(iv.lo, iv.hi - iv.lo + 1) for iv in slot_intervals(ts)]


def unsupported(ts: TransitionSystem) -> str | None:
    """Why the vector backend cannot hold the states of ts, or None when it can: every slot's
    values must fit int64 (NOTE(int64-exact) in checker/explicit/vector_expr.py) and number at
    most 2**62, so that a packed key is exact (checker/explicit/vector_keys.py). The one-state
    search has no such limit and is used instead (explore in checker/explicit/search.py)."""
    for v, iv in zip(ts.vars, slot_intervals(ts), strict=True):
        if not iv.within(INT64_SAFE):
            return f"the values of '{v.name}' ({v.sort}) do not fit int64"
        if iv.hi - iv.lo >= 1 << WORD_BITS:
            return f"'{v.name}' ({v.sort}) has more than 2**{WORD_BITS} values"
    return None


def _dtype(domains: Sequence[tuple[int, int]]) -> type:
    lo = min((d[0] for d in domains), default=0)
    hi = max((d[0] + d[1] - 1 for d in domains), default=0)
    for t in (np.int8, np.int16, np.int32):
        info = np.iinfo(t)
        if info.min <= lo and hi <= info.max:
            return t
    return np.int64


class _VSearch:
    ORDERED = True      # successors in (parent, action) order; vector_par.py's workers number them instead

    def __init__(self, ts: TransitionSystem, props: Sequence[str], budget: Budget, symmetry: bool):
        self.ts, self.budget = ts, budget.start()
        why = unsupported(ts)
        if why is not None:
            raise ValueError(f"the vector backend cannot hold these states: {why}")
        self.slots = slot_intervals(ts)
        self.domains = domains(ts)
        self.packer = Packer(self.domains)
        self.store = _Store(len(ts.vars), _dtype(self.domains))
        self.visited = SortedRuns()
        self.pending = list(props)
        self.found: dict[str, Trace] = {}
        wanted = [ts.prop(n) for n in props]
        self.invariants = [(p.name, vcompile(p.pred, self.slots)) for p in wanted
                           if p.kind == "invariant" and p.pred is not None]
        dl = [p for p in wanted if p.kind == "deadlock" and p.pred is not None]
        self.deadlock = (dl[0].name, vcompile(dl[0].pred, self.slots)) if dl else None  # type: ignore[arg-type]
        bad: list[list[tuple[str, VFn]]] = [[] for _ in ts.actions]
        for p in wanted:
            if p.kind not in ("invariant", "deadlock") and not p.temporal:
                for i, b in p.bad:
                    bad[i].append((p.name, vcompile(b, self.slots)))
        self.acts = [self._act(i, bad[i]) for i in range(len(ts.actions))]
        self.enabled = np.zeros(len(ts.actions), dtype=np.int64)
        self.new = np.zeros(len(ts.actions), dtype=np.int64)
        self.transitions = 0
        self.levels = [0]               # first id of each BFS level (and one past the last)
        self.limit: str | None = None
        self.complete = False
        self.cut = False                # stopped at the depth bound (NOTE(explicit-depth) in search.py)
        # liveness keeps every edge (checker/explicit/vector_live.py); it searches the symmetry
        # quotient where that is exact (NOTE(live-quotient) in vector_livesym.py), else the
        # plain graph and says why (symmetry_why)
        self.log = EdgeLog() if any(p.temporal for p in wanted) else None
        self.livesym: LiveSym | None = None
        self.symmetry_why = ""
        if self.log is not None and symmetry:
            got = live_symmetry(ts, wanted)
            self.livesym = got if isinstance(got, LiveSym) else None
            self.symmetry_why = got if isinstance(got, str) and got != "no symmetric set" else ""
        sym = Canonicalizer(ts) if symmetry and self.log is None else None
        self.symmetry = sym if sym is not None and sym.active else None
        self.vcanon = VecCanon(self.symmetry, self.domains) if self.symmetry else None
        self.bools = [i for i, v in enumerate(ts.vars) if isinstance(v.sort, BoolSort)]

    def _act(self, i: int, bad: list[tuple[str, VFn]]) -> _Act:
        a = self.ts.actions[i]
        # an update whose value may not fit int64 is computed exactly (Python ints) and checked
        # here before it is stored (NOTE(int64-exact)); in range, it is exactly the one-state
        # search's value, and out of range the step is dropped (NOTE(range-steps))
        ranges = tuple((s, *bounds(self.ts, s)) for s, e in a.updates
                       if may_overflow(self.ts, s, e) or not fits_int64(e, self.slots))
        key = key_of(a.guard)
        if key is not None:     # values outside the slot's sort never match (and may not fit int64)
            lo, hi = bounds(self.ts, key[0])
            key = (key[0], frozenset(v for v in key[1] if lo <= v <= hi))
        return _Act(vcompile(a.guard, self.slots), tuple((s, vcompile(e, self.slots)) for s, e in a.updates),
                    ranges, key, tuple(bad))

    # --- states and traces -------------------------------------------------------------

    def state(self, sid: int) -> State:
        row = self.store.node(sid)[0]
        vals: list[int] = [int(v) for v in row]
        for i in self.bools:
            vals[i] = bool(vals[i])
        return tuple(vals)

    def trace_to(self, sid: int, extra: tuple[int, State] | None = None) -> Trace:
        return trace_back(sid, self.state, lambda n: self.store.node(n)[1:], extra)

    def violated(self, prop: str, trace: Trace) -> None:
        if self.symmetry is not None:
            trace = concretize(self.ts, trace, self.symmetry, prop)
        self.found[prop] = trace
        self.pending.remove(prop)

    # --- the search --------------------------------------------------------------------

    def canon(self, rows: Arr) -> Arr:
        if self.livesym is not None:
            return self.livesym.canonical(rows)[0]
        return self.vcanon(rows) if self.vcanon is not None else rows

    def fresh(self, keys: Arr) -> Arr:
        """Positions of the keys met for the first time (in this order and in the search)."""
        uniq, first = np.unique(keys, return_index=True)
        return np.sort(first[self.visited.lookup(uniq) < 0])

    def fresh_and_ids(self, keys: Arr) -> tuple[Arr, Arr]:
        """`fresh`, and for liveness's edge log the id of every key: a known state's id, or -1-k
        for the k-th new one (its id once committed: the store's size then, plus k)."""
        uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        found = self.visited.lookup(uniq)
        fresh = np.sort(first[found < 0])
        new = found < 0
        found[new] = -1 - np.searchsorted(fresh, first[new])
        return fresh, found[inverse.reshape(-1)]

    def add_initial(self) -> None:
        init = initial_states(self.ts)
        if not init:
            return
        x = self.canon(np.array(init, dtype=self.store.dtype).reshape(len(init), len(self.ts.vars)))
        keys = self.packer.keys(x)
        f = self.fresh(keys)
        if self.budget.max_states is not None and len(f) > self.budget.max_states:   # NOTE(state-limit)
            f = f[: self.budget.max_states]
            self.limit = f"state limit {self.budget.max_states} reached"
        self.store.append(x[f], np.full(len(f), -1, np.int64), np.full(len(f), -1, np.int32))
        self.visited.add(keys[f], np.arange(len(f), dtype=np.int64))
        for name, pred in self.invariants:
            bad = ~as_mask(pred(Rows(x[f])), len(f))
            if name in self.pending and bad.any():
                self.violated(name, self.trace_to(int(np.argmax(bad))))

    def expand(self, x: Arr) -> _Block:
        """Fire every enabled action of every row of x (NOTE(same-order))."""
        return self._block(x, self.successors(x))

    def successors(self, x: Arr) -> _Succ:
        """Every enabled action of every row of x fired, the successors in (parent, action)
        order (NOTE(same-order); in action order where not ORDERED), canonical when reducing
        symmetry, with their keys."""
        cache: dict[tuple[int, frozenset[int]], Arr] = {}
        enabled = np.zeros(len(x), dtype=bool)
        pars, acts, succs, fired = [], [], [], []
        off: list[tuple[int, Arr]] = []
        steps: dict[str, tuple[int, int, int]] = {}
        for i, a in enumerate(self.acts):
            rows = self._candidates(a.key, x, cache)
            if rows is not None and len(rows) == 0:
                continue
            r = Rows(x, rows)
            m = as_mask(a.guard(r), r.n)
            p = np.flatnonzero(m) if rows is None else rows[m]
            if len(p) == 0:
                continue
            enabled[p] = True
            fired.append((i, p))
            pre = Rows(x, p)
            self._step_events(i, a, pre, p, steps)
            vals = [(s, as_values(f(pre), len(p))) for s, f in a.updates]
            if a.ranges:
                # checked on the int64 values, before they are stored in the narrow type
                ok = np.ones(len(p), dtype=bool)
                got = dict(vals)
                for slot, lo, hi in a.ranges:
                    ok &= (got[slot] >= lo) & (got[slot] <= hi)
                if not ok.all():
                    off.append((i, p[~ok]))
                    p = p[ok]
                    vals = [(s, v[ok]) for s, v in vals]
            t = x[p]
            for slot, v in vals:
                t[:, slot] = v
            pars.append(p)
            acts.append(np.full(len(p), i, dtype=np.int32))
            succs.append(t)
        width = len(self.ts.vars)
        par = np.concatenate(pars) if pars else np.zeros(0, np.int64)
        act = np.concatenate(acts) if acts else np.zeros(0, np.int32)
        rows = np.concatenate(succs) if succs else np.zeros((0, width), self.store.dtype)
        perm = None
        if self.ORDERED:
            order = np.argsort(par, kind="stable")
            par, act, rows = par[order], act[order], rows[order]
        if self.livesym is not None:     # the edge leads to perm applied to its canonical target
            rows, which = self.livesym.canonical(rows)
            perm = self.livesym.inv[which]
        else:
            rows = self.canon(rows)
        return _Succ(par, act, rows, self.key_rows(rows), fired, np.flatnonzero(~enabled), steps, off, perm)

    def key_rows(self, rows: Arr) -> Arr:
        """The keys the successors carry (a worker of vector_par.py carries words instead)."""
        return self.packer.keys(rows)

    def _candidates(self, key: tuple[int, frozenset[int]] | None, x: Arr,
                    cache: dict[tuple[int, frozenset[int]], Arr]) -> Arr | None:
        """Rows whose control state allows the action (checker/explicit/dispatch.py), or None: all."""
        if key is None:
            return None
        rows = cache.get(key)
        if rows is None:
            slot, values = key
            col = x[:, slot]
            m = col == next(iter(values)) if len(values) == 1 else np.isin(col, list(values))
            rows = cache[key] = np.flatnonzero(m)
        return rows

    def _step_events(self, i: int, a: _Act, pre: Rows, p: Arr, steps: dict[str, tuple[int, int, int]]) -> None:
        for name, bad in a.step_bad:
            if name not in self.pending:
                continue
            m = as_mask(bad(pre), len(p))
            if m.any():
                row = int(p[np.argmax(m)])
                if name not in steps or row < steps[name][0]:
                    steps[name] = (row, i, -1)

    def _block(self, x: Arr, sc: _Succ) -> _Block:
        if self.log is None:
            b = _Block(sc.par, sc.act, sc.rows, sc.keys, self.fresh(sc.keys), sc.fired, sc.dead, sc.steps)
        else:     # liveness: every edge's target id too (checker/explicit/vector_live.py)
            fresh, ids = self.fresh_and_ids(sc.keys)
            b = _Block(sc.par, sc.act, sc.rows, sc.keys, fresh, sc.fired, sc.dead, sc.steps, ids=ids, perm=sc.perm)
        b.off = sc.off
        for name, j in self.invariant_events(sc.rows[b.fresh]).items():
            b.events[name] = (int(sc.par[b.fresh[j]]), int(sc.act[b.fresh[j]]), j)
        row = self.deadlock_event(x, sc.dead)
        if row is not None:
            b.events[self.deadlock[0]] = (row, DONE, -1)   # type: ignore[index]
        return b

    def invariant_events(self, new: Arr) -> dict[str, int]:
        """Per pending invariant, the first of the new rows that violates it."""
        out = {}
        for name, pred in self.invariants:
            bad = ~as_mask(pred(Rows(new)), len(new)) if name in self.pending else None
            if bad is not None and bad.any():
                out[name] = int(np.argmax(bad))
        return out

    def deadlock_event(self, x: Arr, dead: Arr) -> int | None:
        """The first of the dead rows of x that violates the pending deadlock property, or None."""
        if self.deadlock is not None and self.deadlock[0] in self.pending and len(dead):
            ok = as_mask(self.deadlock[1](Rows(x, dead)), len(dead))
            if not ok.all():
                return int(dead[np.argmax(~ok)])
        return None

    def stop_row(self, b: _Block, n: int) -> tuple[int | None, str | None]:
        """The row after whose expansion the one-state search would stop, and why (a limit or
        None: every property decided). The state limit stops it after the row that finds a
        new state the store has no room for (NOTE(state-limit) in checker/explicit/search.py)."""
        done = max(ev[0] for ev in b.events.values()) if self.pending and \
            all(p in b.events for p in self.pending) else None
        cap = self.budget.max_states
        if cap is not None:
            upto = np.searchsorted(b.par[b.fresh], np.arange(n), side="right")
            hit = np.flatnonzero(self.store.size + upto > cap)
            if len(hit) and (done is None or hit[0] <= done):
                return int(hit[0]), f"state limit {cap} reached"
        return done, None

    @staticmethod
    def truncate(b: _Block, stop: int, room: int | None = None) -> None:
        """Keep what the expansions of rows 0..stop produce (a prefix of every list), and of
        their new states only the first `room` (None: all)."""
        keep = np.searchsorted(b.par, stop, side="right")
        b.fresh = b.fresh[: np.searchsorted(b.fresh, keep)][:room]
        b.fired = [(i, p[: np.searchsorted(p, stop, side="right")]) for i, p in b.fired]
        b.dead = b.dead[b.dead <= stop]
        b.events = {k: ev for k, ev in b.events.items() if ev[0] <= stop and ev[2] < len(b.fresh)}

    def commit(self, b: _Block, first_id: int) -> None:
        f = b.fresh
        base = self.store.size
        self.store.append(b.rows[f], first_id + b.par[f].astype(np.int64), b.act[f])
        self.visited.add(b.keys[f], np.arange(base, base + len(f), dtype=np.int64))
        if self.log is not None:
            assert b.ids is not None
            count = np.bincount(b.par, minlength=int(b.par[-1]) + 1 if len(b.par) else 0)
            self.log.edges(first_id, count, np.where(b.ids < 0, base - 1 - b.ids, b.ids), b.act, b.perm)
            for i, rows in b.off:
                self.log.out_of_range(first_id + rows, i)
        for i, p in b.fired:
            self.enabled[i] += len(p)
            self.transitions += len(p)
        self.new += np.bincount(b.act[f], minlength=len(self.acts))
        for name, (row, i, pos) in b.events.items():
            self.event(name, first_id + row, i, pos, base)

    def event(self, name: str, sid: int, i: int, pos: int, base: int) -> None:
        """Property `name` violated, found expanding state sid: by the state itself (a deadlock,
        i == DONE), by the new state stored at base + pos (an invariant), or by action i's step
        (a step property; its post-state is recomputed, it may not have been stored)."""
        if i == DONE:
            self.violated(name, self.trace_to(sid))
        elif pos >= 0:
            self.violated(name, self.trace_to(base + pos))
        else:
            a = self.ts.actions[i]
            t = successor(self.state(sid), [(s, compile_expr(e)) for s, e in a.updates])
            self.violated(name, self.trace_to(sid, (i, t)))

    def over_limit(self) -> str | None:
        return self.budget.over_limit()

    def run(self) -> None:
        self.depth = 0
        self.add_initial()
        if self.limit is not None:
            return
        self.levels.append(self.store.size)
        start = time.monotonic()
        try:
            while self.pending and self.levels[-2] < self.levels[-1]:
                if self.budget.explicit_depth is not None and len(self.levels) - 2 >= self.budget.explicit_depth:
                    self.at_bound()
                    return
                if self.expand_level(start):
                    return
        except KeyboardInterrupt:
            # NOTE(interrupt) in checker/core/budget.py
            interrupt()
            self.limit = INTERRUPTED
            return
        except KeySpaceError as e:      # raised before the block is committed: counts stay exact
            self.limit = str(e)
            return
        self.complete = self.levels[-2] == self.levels[-1]

    def at_bound(self) -> None:
        """The last level is at the depth bound: checked for deadlock in id order, never expanded
        (NOTE(explicit-depth) in checker/explicit/search.py)."""
        self.cut = True
        if self.deadlock is None or self.deadlock[0] not in self.pending:
            return
        lo, hi = self.levels[-2], self.levels[-1]
        for c0 in range(lo, hi, CHUNK):
            x = np.asfortranarray(self.store.rows(c0, min(hi, c0 + CHUNK)))
            ok = as_mask(self.deadlock[1](Rows(x)), len(x))
            if not ok.all():
                self.violated(self.deadlock[0], self.trace_to(c0 + int(np.argmax(~ok))))
                return

    def expand_level(self, start: float) -> bool:
        """Expand the last level block by block; True when the search stopped inside it."""
        lo, hi = self.levels[-2], self.levels[-1]
        queued = 0
        for c0 in range(lo, hi, CHUNK):
            x = np.asfortranarray(self.store.rows(c0, min(hi, c0 + CHUNK)))
            b = self.expand(x)
            stop, limit = self.stop_row(b, len(x))
            if stop is not None:
                self.truncate(b, stop, None if limit is None else (self.budget.max_states or 0) - self.store.size)
            queued += len(b.fresh)
            self.commit(b, c0)
            if queued:
                self.depth = len(self.levels) - 1
            if stop is not None:
                self.limit = limit
                self.complete = limit is None and c0 + stop == hi - 1 and queued == 0
                return True
            self.limit = self.over_limit()
            if self.limit:
                return True
            self.budget.on_progress(Progress("explicit", self.store.size, hi - c0 - len(x) + queued,
                                             len(self.levels) - 2, time.monotonic() - start))
        self.levels.append(self.store.size)
        return False


def explore_vector(ts: TransitionSystem, names: Sequence[str], budget: Budget, symmetry: bool,
                   search: _VSearch | None = None) -> ExplicitResult:
    """The search, by `search` when given (the several-core one, checker/explicit/vector_par.py)."""
    t0 = time.monotonic()
    s = search or _VSearch(ts, names, budget, symmetry)
    s.run()
    if s.log is not None and (s.complete or (s.cut and s.limit is None)):
        try:
            _liveness(ts, names, s, s.log)
        except KeyboardInterrupt:        # NOTE(interrupt): the fair cycles are not all known
            interrupt()
            s.complete, s.limit = False, INTERRUPTED
    sym = tuple(x.name for x in s.symmetry.sets) if s.symmetry else s.livesym.sets if s.livesym else ()
    r = result_of(ts, names, s.found, s.complete, s.limit, s.store.size, s.transitions, s.depth,
                  [int(v) for v in s.enabled], [int(v) for v in s.new], time.monotonic() - t0, sym,
                  budget.explicit_depth if s.cut else None)
    return replace(r, symmetry_why=s.symmetry_why) if s.symmetry_why else r


def _liveness(ts: TransitionSystem, names: Sequence[str], s: _VSearch, log: EdgeLog) -> None:
    """Decide the temporal properties on the logged graph, as search.py's _liveness does on its
    edge lists (the states at the depth bound are left out of every cycle)."""
    lo, hi = (s.levels[-2], s.levels[-1]) if s.cut else (0, 0)
    ex = Explored(log.graph(s.store.size), s.store.rows, s.state, s.levels[1], (lo, hi))
    temporal = [ts.prop(n) for n in names if ts.prop(n).temporal]
    found = find_violations(ts, temporal, ex) if s.livesym is None else find_violations_sym(ts, temporal, ex, s.livesym)
    for name, trace in found.items():
        s.violated(name, trace)
