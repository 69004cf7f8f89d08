"""The vector search (checker/explicit/vector.py) on several cores: each BFS level expanded by
worker processes, its successors deduplicated by the worker that owns their hash.

Part w owns the states whose key hashes to w (`owner_of`): it keeps their visited set and, of
the level being expanded, their rows (as keys: a key that is not collapsed is the state's
mixed-radix number, so the row is unpacked from it; NOTE(par-words) for wider states). Part 0 runs in the coordinator (this
process, NOTE(home-part)), the others in worker processes (`_Pool`), or every part here
(`LocalPool`, for tests) or as an actor on a Dask cluster (`DaskPool`). One level is three
rounds, each a message from the coordinator to every part and its answer:

1. expand: each worker expands its part of the level in id order, in blocks, as the serial
   search does (`_VSearch.successors`, the successors left in action order), and splits the
   successors by owner; each is sent as its words (NOTE(par-words); one word, its key, up to 62
   packed bits) and its transition number `parent id * actions + action`, no row;
2. dedup: each owner receives the parts for it (forwarded by the coordinator), groups them by
   state (NOTE(par-sort)), keeps per state the least transition number, drops the states it has
   visited, and checks the invariants on the new states; it answers their transition numbers
   and rows, sorted by transition number, and keeps the rows: they are its part of the next
   level;
3. commit: the coordinator merges the owners' answers by transition number, numbers the new
   states in that order, decides where the search stops as the serial search does, stores what
   it keeps (the traces are built from this store) and hands each owner its new states' ids.

NOTE(par-order): the serial search gives a new state the next id when it first meets it, and it
meets successors in (parent id, action) order (NOTE(same-order) in vector.py). So the state a
serial search stores, its id, its parent and the action that reached it are the least
transition number among the transitions that reach it from the level, and the ids of a level's
new states are their least transition numbers in ascending order. That is what each owner keeps
and how the coordinator numbers them: a minimum and a sort over numbers that say nothing of
which worker found a transition or when, so ids, parents, shortest traces, counts and coverage
are those of the serial search for any number of workers and any scheduling. The events that
decide a property are likewise the least (parent id, action) of a step violation, the least id of
a violating deadlock, the least transition number of a new state violating an invariant: the
first the serial search meets. Where the serial search stops inside a level (every property
decided, NOTE(state-limit)) is computed from them as in `_VSearch.stop_row`, on the whole level
instead of one block, and the kept prefix is the same.

Refused, falling back to the serial search with the reason in the facts: a process that may
not start children (a daemonic --workers process). States wider than one key travel as words
(NOTE(par-words)).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np

from checker.core.budget import Budget, Progress, rss_mb, sigint_ignored
from checker.explicit.result import ExplicitResult
from checker.explicit.vector import CHUNK, DONE, Arr, _VSearch, explore_vector
from checker.explicit.vector_keys import KeySpaceError, SortedRuns
from model.ir import TransitionSystem

POLL_S = 0.1            # how often a waiting coordinator looks at the budget (timeout, Ctrl-C)
_MIX = np.uint64(0x9E3779B97F4A7C15)    # Fibonacci hashing: packed keys' low bits are one slot's


def owner_of(words: Arr, n: int) -> Arr:
    """The part that owns each state (a row of words, NOTE(par-words)): a hash of its words, so
    every part owns about as many."""
    w = words.view(np.uint64)
    with np.errstate(over="ignore"):
        h = w[:, 0].copy()
        for k in range(1, w.shape[1]):
            h = h * _MIX + w[:, k]
        h = (h * _MIX) >> np.uint64(32)                          # 32 well-mixed bits
    h *= np.uint64(n)
    h >>= np.uint64(32)                                          # h * n / 2**32: no division
    return h


def serial_reason(ts: TransitionSystem, cores: int, local: bool = False) -> str | None:
    """Why a search asked to run on `cores` cores runs on one, or None when it can use them
    (`local`: without starting processes, on a Dask cluster or in this process)."""
    if cores <= 1:
        return None
    if not local and mp.current_process().daemon:
        return "a --workers process may not start processes of its own"
    return None


def explore_parallel(ts: TransitionSystem, names: Sequence[str], budget: Budget, symmetry: bool,
                     cores: int, local: bool = False, dask: str | None = None) -> ExplicitResult:
    """explore_vector's result (NOTE(par-order)), computed by `cores` worker processes (or parts
    in this process, `local`, or actors on the Dask cluster at `dask`); on one core, with the
    reason, where the search cannot be split (`serial_reason`)."""
    why = serial_reason(ts, cores, local or dask is not None)
    if why is None and any(ts.prop(n).temporal for n in names):
        why = "liveness keeps its graph's edges in one process"
    if why is not None:
        return replace(explore_vector(ts, names, budget, symmetry), serial_why=why)
    s = _ParSearch(ts, names, budget, symmetry, cores, local, dask)
    try:
        r = explore_vector(ts, names, budget, symmetry, search=s)
    finally:
        s.close()
    return replace(r, cores=cores)


# --- the workers -------------------------------------------------------------------------


class _WordSearch(_VSearch):
    """The serial search's expansion, its successors carrying words (`Packer.words`) for keys:
    the same in every process where keys from collapse tables are not (NOTE(par-words)). They
    are left in action order, not sorted by parent: each carries its transition number, and the
    owners order by those (NOTE(par-order))."""

    ORDERED = False

    def key_rows(self, rows: Arr) -> Arr:
        return self.packer.words(rows)


# NOTE(par-words): parts exchange states as words, each group's packed value (exact, no table),
# so a state is the same words in every process. A packed state of at most 62 bits is one word,
# its key. A wider one is several, and the owner turns them into keys with collapse tables of
# its own (vector_keys.py): its states' keys are its own business, as only it looks them up.
class _Part:
    """One worker's share: the visited set of the states it owns, and its part of the level."""

    def __init__(self, ts: TransitionSystem, props: Sequence[str], symmetry: bool, me: int, n: int):
        self.s = _WordSearch(ts, props, Budget(), symmetry)
        self.me, self.n, self.nact = me, n, max(1, len(ts.actions))
        self.visited = SortedRuns()
        self.none = np.zeros((0, len(self.s.packer.groups)), np.int64)
        self.gids = np.zeros(0, np.int64)                          # the level to expand, in id order,
        self.x = self.rows(self.none)                              # and its rows
        self.fired: list[tuple[Arr, list[tuple[int, Arr]]]] = []   # per block: ids, fired rows per action
        self.own: tuple[Arr, Arr] = (self.none, self.gids)        # successors this part owns
        self.new: tuple[Arr, Arr, Arr] = (self.none, self.gids, self.x)   # new states: words, keys, rows

    def rows(self, words: Arr) -> Arr:
        return self.s.packer.unpack_words(words, self.s.store.dtype)

    def seed(self, words: Arr, gids: Arr) -> None:
        self.visited.add(self.s.packer.keys_of_words(words), gids)
        self.x, self.gids = self.rows(words), gids

    def expand(self, pending: list[str]) -> tuple[Any, ...]:
        """Round 1: the successors of this part of the level, split by owner (NOTE(par-order))."""
        self.s.pending = pending
        self.fired = []
        words: list[list[Arr]] = [[] for _ in range(self.n)]
        nums: list[list[Arr]] = [[] for _ in range(self.n)]
        steps: dict[str, tuple[int, int]] = {}
        dead: int | None = None
        for c0 in range(0, len(self.x), CHUNK):
            g = self.gids[c0: c0 + CHUNK]
            x = self.x[c0: c0 + CHUNK]
            sc = self.s.successors(x)
            num = g[sc.par] * self.nact + sc.act
            own = owner_of(sc.keys, self.n)
            for v in range(self.n):
                m = own == v
                words[v].append(sc.keys[m])
                nums[v].append(num[m])
            self.fired.append((g, sc.fired))
            for name, (row, i, _) in sc.steps.items():     # blocks come in id order: first wins
                steps.setdefault(name, (int(g[row]), i))
            d = self.s.deadlock_event(x, sc.dead)
            if dead is None and d is not None:
                dead = int(g[d])
        parts = [(_cat(w, self.none), _cat(u, self.gids[:0])) for w, u in zip(words, nums, strict=True)]
        self.own = parts[self.me]
        parts[self.me] = (self.none, self.gids[:0])
        return parts, steps, dead, self.fired_upto(None), rss_mb()

    def dedup(self, incoming: list[tuple[Arr, Arr]], pending: list[str]) -> tuple[Any, ...]:
        """Round 2: of the successors this part owns, the new ones, by least transition number."""
        self.s.pending = pending
        words = _cat([self.own[0], *(w for w, _ in incoming)], self.none)
        nums = _cat([self.own[1], *(u for _, u in incoming)], self.gids[:0])
        self.own = (self.none, self.gids[:0])
        # equal states side by side, per state the least transition number (NOTE(par-order)), and
        # keys (collapse tables) for one of each only (NOTE(par-sort))
        order, starts = groups(words)
        first = order[starts]
        nums = np.minimum.reduceat(nums[order], starts) if len(nums) else nums
        keys = self.s.packer.keys_of_words(words[first]) if len(first) else nums
        fresh = np.flatnonzero(self.visited.lookup(keys) < 0)
        by_num = fresh[np.argsort(nums[fresh])]
        new = words[first[by_num]]
        rows = self.rows(new)
        self.new, nums = (new, keys[by_num], rows), nums[by_num]
        bad = {name: int(nums[j]) for name, j in self.s.invariant_events(rows).items()}
        return nums, np.ascontiguousarray(rows), bad, rss_mb()

    def commit(self, gids: Arr) -> None:
        """Round 3: the new states' ids; they are the next level to expand."""
        self.visited.add(self.new[1], gids)
        self.x, self.gids = self.new[2], gids

    def fired_upto(self, last: int | None) -> list[int]:
        """Per action, how often it fired in the level (None) or in its states with id at most
        `last` (a search stopped inside the level counts only what it expanded)."""
        out = [0] * len(self.s.acts)
        for g, fired in self.fired:
            upto = len(g) if last is None else int(np.searchsorted(g, last, side="right"))
            for i, p in fired:
                out[i] += int(np.searchsorted(p, upto))
        return out


def _cat(arrs: Sequence[Arr], empty: Arr) -> Arr:
    """The arrays one after the other (one alone is not copied)."""
    return arrs[0] if len(arrs) == 1 else np.concatenate(arrs) if len(arrs) else empty


# NOTE(par-sort): an owner needs the successors it received grouped by state, not sorted: each
# state's least transition number is a minimum over its group (NOTE(par-order)), and the new
# states are then sorted by that number. numpy sorts int64 values several times faster than it
# argsorts them (a vectorised sort moves values only), so the rows are grouped by sorting values
# that carry their row number in their low bits: `value << b | row` with b = the bits of a row
# number. The value is the state's one word minus the least (exact: equal values are equal
# states) where that fits 63 - b bits, else the top 63 - b bits of a 64-bit hash of its words.
# Hashes may collide: after the sort, every two neighbours with equal hashes are compared word
# by word, and if any two differ the rows are grouped by an exact lexicographic sort instead. So
# the groups are exactly the distinct states in every case. Only one row of each group is then
# keyed (`Packer.keys_of_words`, whose collapse tables cost a lookup per row): the owner keys
# each distinct state once, where the serial search keys every successor.
def groups(words: Arr) -> tuple[Arr, Arr]:
    """A permutation of the rows of `words` that puts equal rows side by side, and the position
    in it where each run of equal rows starts (NOTE(par-sort))."""
    n = len(words)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    b = n.bit_length()
    exact = words.shape[1] == 1 and (int(words[:, 0].max()) - int(words[:, 0].min())).bit_length() + b <= 63
    if exact:
        v = words[:, 0] - words[:, 0].min()
    else:
        v = (_hash(words) >> np.uint64(b + 1)).view(np.int64)
    v <<= b
    v |= np.arange(n, dtype=np.int64)
    v.sort()
    order = v & ((1 << b) - 1)
    v >>= b
    if exact:
        return order, _starts(v[1:] != v[:-1])
    differ = _differ(words, order)
    if (differ & (v[1:] == v[:-1])).any():          # two states share a hash: sort exactly
        order = np.lexsort(words.T[::-1])
        differ = _differ(words, order)
    return order, _starts(differ)


def _differ(words: Arr, order: Arr) -> Arr:
    """Where each row of words[order] differs from the one before it."""
    out = np.zeros(max(0, len(order) - 1), dtype=bool)
    for k in range(words.shape[1]):
        c = words[:, k][order]
        out |= c[1:] != c[:-1]
    return out


def _starts(differ: Arr) -> Arr:
    """Where runs start, given where each element differs from the one before it."""
    return np.flatnonzero(np.concatenate(([True], differ)))


_C1, _C2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)   # splitmix64's finaliser


def _hash(words: Arr) -> Arr:
    """64 well-mixed bits of each row of words (uint64)."""
    w = words.view(np.uint64)
    with np.errstate(over="ignore"):
        h = w[:, 0] * _C1
        for k in range(1, w.shape[1]):
            h ^= h >> np.uint64(31)
            h ^= w[:, k]
            h *= _C1
        h ^= h >> np.uint64(30)
        h *= _C2
        h ^= h >> np.uint64(31)
    return h


def _serve(conn: Any, ts: TransitionSystem, props: Sequence[str], symmetry: bool, me: int, n: int,
           parent: int) -> None:
    """A worker's loop: (method, args) in, ("ok", answer) or ("error", traceback) out, until
    told to stop or the coordinator is gone (a forked worker may hold other workers' pipe ends,
    so end of file alone does not say so)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # NOTE(interrupt): the coordinator stops us
    part = _Part(ts, props, symmetry, me, n)
    while True:
        try:
            while not conn.poll(1.0):
                if os.getppid() != parent:
                    return
            msg = conn.recv()
        except EOFError:
            return
        if msg is None:
            return
        try:
            conn.send(("ok", getattr(part, msg[0])(*msg[1:])))
        except KeySpaceError as e:    # a limit of the search, not a failure: the coordinator stops
            conn.send(("keyspace", str(e)))
        except Exception:  # noqa: BLE001 - the coordinator raises it, with this traceback
            conn.send(("error", traceback.format_exc()))


class _Stopped(Exception):
    """The budget ran out (timeout, Ctrl-C) while the workers were busy."""


# NOTE(par-fork): the workers run numpy only, never z3, so a fork of this process is safe while
# no other thread runs (one that holds a lock when we fork would hold it forever in the child);
# it starts a worker in milliseconds, where a fresh interpreter first imports numpy and the
# spec front end (a second or more). With another thread alive (z3's SIGINT watcher, say) the
# workers are forked from a forkserver instead, a clean process that has imported the main
# module and this one once, and spawned where neither is available.
def _start_method() -> str:
    methods = mp.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    if "forkserver" in methods:
        mp.get_context("forkserver").set_forkserver_preload(["__main__", __name__])
        return "forkserver"
    return "spawn"


class _Pool:
    """Part 0 in this process, parts 1..n-1 in worker processes, each with a pipe to this one.

    NOTE(home-part): the coordinator waits while the workers work, so it takes a part itself:
    on n cores, n processes work and none idles, and what part 0 sends to or receives from the
    others crosses one pipe once (the others' parts for one another cross two, through here)."""

    def __init__(self, ts: TransitionSystem, props: Sequence[str], symmetry: bool, n: int, budget: Budget):
        ctx: Any = mp.get_context(_start_method())
        self.budget, self.n, self.conns, self.procs = budget, n, [], []
        self.rss = [0.0] * n
        with sigint_ignored():
            for w in range(1, n):
                mine, theirs = ctx.Pipe()
                p = ctx.Process(target=_serve, args=(theirs, ts, list(props), symmetry, w, n, os.getpid()),
                                daemon=True, name=f"seamcheck-search-{w}")
                p.start()
                theirs.close()
                self.conns.append(mine)
                self.procs.append(p)
        self.home = _Part(ts, props, symmetry, 0, n)

    def ask(self, msgs: Sequence[tuple[Any, ...]]) -> list[Any]:
        """Send msgs[w] to worker w, do part 0's msgs[0] here, then wait for every answer
        (raising _Stopped when the budget runs out meanwhile)."""
        for c, m in zip(self.conns, msgs[1:], strict=True):
            c.send(m)
        out = [getattr(self.home, msgs[0][0])(*msgs[0][1:])]
        for c, p in zip(self.conns, self.procs, strict=True):
            while not c.poll(POLL_S):
                if self.budget.expired():
                    raise _Stopped
                if not p.is_alive():
                    raise RuntimeError(f"search worker {p.name} died (exit code {p.exitcode})")
            try:
                status, got = c.recv()
            except (EOFError, OSError):
                p.join(1.0)
                raise RuntimeError(f"search worker {p.name} died (exit code {p.exitcode})") from None
            if status == "keyspace":      # stops the search as in one process (vector.py)
                raise KeySpaceError(got)
            if status != "ok":
                raise RuntimeError(f"search worker {p.name} failed:\n{got}")
            out.append(got)
        return out

    def close(self) -> None:
        for c in self.conns:
            try:
                c.send(None)
            except OSError:
                pass
        for p in self.procs:
            p.join(1.0)
            if p.is_alive():
                p.terminate()
                p.join()


class LocalPool:
    """The workers' parts in this process, one after the other: the same protocol and results
    without processes (tests run many small searches through it; `explore_parallel(local=True)`)."""

    def __init__(self, ts: TransitionSystem, props: Sequence[str], symmetry: bool, n: int, budget: Budget):
        self.parts = [_Part(ts, props, symmetry, w, n) for w in range(n)]
        self.n, self.rss = n, [0.0] * n

    def ask(self, msgs: Sequence[tuple[Any, ...]]) -> list[Any]:
        return [getattr(p, m[0])(*m[1:]) for p, m in zip(self.parts, msgs, strict=True)]

    def close(self) -> None:
        return None


class DaskPool:
    """The parts on a Dask cluster: part w is a `_Part` actor (dask.distributed) on worker
    w mod the number of workers, asked as the local processes are (one partition per worker
    when as many parts as workers). The answers travel through Dask's comms to this process,
    which coordinates; the workers need this package importable (installed like the client)."""

    def __init__(self, ts: TransitionSystem, props: Sequence[str], symmetry: bool, n: int, budget: Budget,
                 address: str):
        from distributed import Client  # only users of a Dask search need dask installed
        self.budget, self.client = budget, Client(address, timeout=10)
        try:
            workers = sorted(self.client.scheduler_info()["workers"])
            futures = [self.client.submit(_Part, ts, list(props), symmetry, w, n, actor=True, pure=False,
                                          workers=[workers[w % len(workers)]]) for w in range(n)]
            self.parts = [f.result() for f in futures]
        except BaseException:
            self.client.close()
            raise
        self.n, self.rss = n, [0.0] * n

    def ask(self, msgs: Sequence[tuple[Any, ...]]) -> list[Any]:
        calls = [getattr(p, m[0])(*m[1:]) for p, m in zip(self.parts, msgs, strict=True)]
        out = []
        for c in calls:
            while True:
                try:
                    out.append(c.result(timeout=POLL_S))
                    break
                except TimeoutError:
                    if self.budget.expired():
                        raise _Stopped from None
        return out

    def close(self) -> None:
        self.client.close()


class _ParSearch(_VSearch):
    """The coordinator: `_VSearch` with each level expanded by the workers (NOTE(par-order))."""

    def __init__(self, ts: TransitionSystem, props: Sequence[str], budget: Budget, symmetry: bool, cores: int,
                 local: bool = False, dask: str | None = None):
        super().__init__(ts, props, budget, symmetry)
        self.args = (props, symmetry, cores)
        self.make = LocalPool if local else _Pool if dask is None else partial(DaskPool, address=dask)
        self.pool: _Pool | LocalPool | DaskPool | None = None     # started by the first level (timed with the search)
        self.nact = max(1, len(ts.actions))

    def over_limit(self) -> str | None:
        if self.budget.max_memory_mb is not None and not self.budget.expired() and \
                rss_mb() + sum(self.workers.rss[1:]) > self.budget.max_memory_mb:
            return f"memory limit {self.budget.max_memory_mb} MiB reached"
        return super().over_limit()

    @property
    def workers(self) -> _Pool | LocalPool | DaskPool:
        """The worker processes; started on first use, each handed the initial states it owns
        (found by the serial code)."""
        if self.pool is None:
            props, symmetry, n = self.args
            self.pool = self.make(self.ts, props, symmetry, n, self.budget)
            words = self.packer.words(self.store.rows(0, self.store.size))
            gids = np.arange(len(words), dtype=np.int64)
            own = owner_of(words, n)
            self.pool.ask([("seed", words[own == w], gids[own == w]) for w in range(n)])
        return self.pool

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()

    def expand_level(self, start: float) -> bool:
        """The last level, expanded by the workers; True when the search stopped inside it."""
        try:
            return self._level(start)
        except _Stopped:
            self.limit = self.budget.stop_reason()
            return True

    def _level(self, start: float) -> bool:
        hi = self.levels[-1]
        pool = self.workers
        n = pool.n
        pending = list(self.pending)
        got = pool.ask([("expand", pending)] * n)
        pool.rss = [g[4] for g in got]
        owned = pool.ask([("dedup", [g[0][v] for g in got], pending) for v in range(n)])
        pool.rss = [o[3] for o in owned]
        nums = np.concatenate([o[0] for o in owned])
        order = np.argsort(nums, kind="stable")
        nums = nums[order]
        rows = np.concatenate([o[1] for o in owned])[order] if len(nums) else np.zeros((0, len(self.ts.vars)),
                                                                                      self.store.dtype)
        events = self._events(got, owned, nums)
        stop, limit = self._stop(nums, events)
        kept = len(nums) if stop is None else int(np.searchsorted(nums // self.nact, stop, side="right"))
        if limit is not None:
            kept = min(kept, (self.budget.max_states or 0) - self.store.size)
        counts = [sum(c) for c in zip(*(g[3] for g in got), strict=True)] if stop is None else \
            [sum(c) for c in zip(*pool.ask([("fired_upto", stop)] * n), strict=True)]
        base = self.store.size
        self._commit(nums[:kept], rows[:kept], counts)
        if kept:
            self.depth = len(self.levels) - 1
        self._report(events, stop, kept, base)
        if stop is not None:
            self.limit = limit
            self.complete = limit is None and stop == hi - 1 and kept == 0
            return True
        self.limit = self.over_limit()
        if self.limit:
            return True
        ids = np.empty(len(nums), np.int64)
        ids[order] = np.arange(base, base + len(nums), dtype=np.int64)
        ends = np.cumsum([0, *(len(o[0]) for o in owned)])
        pool.ask([("commit", ids[ends[v]: ends[v + 1]]) for v in range(n)])
        self.budget.on_progress(Progress("explicit", self.store.size, len(nums), len(self.levels) - 2,
                                         time.monotonic() - start))
        self.levels.append(self.store.size)
        return False

    def _events(self, got: list[Any], owned: list[Any], nums: Arr) -> dict[str, tuple[int, int, int]]:
        """Per property, the first event of the level the serial search meets (NOTE(par-order)),
        as (parent id, action or DONE, position among the new states or -1)."""
        events: dict[str, tuple[int, int, int]] = {}
        for g in got:
            for name, (gid, i) in g[1].items():
                if name not in events or (gid, i) < events[name][:2]:
                    events[name] = (gid, i, -1)
            if g[2] is not None and self.deadlock is not None:
                name = self.deadlock[0]
                if name not in events or g[2] < events[name][0]:
                    events[name] = (g[2], DONE, -1)
        first: dict[str, int] = {}
        for o in owned:
            for name, num in o[2].items():
                first[name] = min(num, first.get(name, num))
        for name, num in first.items():
            events[name] = (num // self.nact, num % self.nact, int(np.searchsorted(nums, num)))
        return events

    def _stop(self, nums: Arr, events: dict[str, tuple[int, int, int]]) -> tuple[int | None, str | None]:
        """`_VSearch.stop_row` on the whole level, in state ids."""
        done = max(ev[0] for ev in events.values()) if self.pending and \
            all(p in events for p in self.pending) else None
        cap = self.budget.max_states
        if cap is not None and len(nums) > cap - self.store.size:
            hit = int(nums[cap - self.store.size] // self.nact)
            if done is None or hit <= done:
                return hit, f"state limit {cap} reached"
        return done, None

    def _commit(self, nums: Arr, rows: Arr, counts: list[int]) -> None:
        act = (nums % self.nact).astype(np.int32)
        self.store.append(rows, nums // self.nact, act)
        for i, c in enumerate(counts):
            self.enabled[i] += c
            self.transitions += c
        self.new += np.bincount(act, minlength=len(self.acts))[: len(self.acts)]

    def _report(self, events: dict[str, tuple[int, int, int]], stop: int | None, kept: int, base: int) -> None:
        """The properties decided in the level (of the part kept), in the serial search's words."""
        for name, (sid, i, pos) in events.items():
            if (stop is not None and sid > stop) or pos >= kept:
                continue
            self.event(name, sid, i, pos, base)
