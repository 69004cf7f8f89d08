"""Liveness on the vector backend: the state graph as integer arrays, fair cycles found on them.

The same semantics and the same lassos as checker/explicit/liveness.py (NOTE(liveness),
NOTE(fairness) there), without a Python object per state: the vector search
(checker/explicit/vector.py) numbers states exactly as the one-state search does
(NOTE(same-order)) and logs every edge as (target id, action) with a count per source state, in
that search's order, so the graph here is the reference's graph, held as CSR arrays (about 6
bytes an edge). Only the region's states reachable from a trigger are decomposed
(NOTE(reach-cut)); strongly connected components are found by an iterative Tarjan over the
arrays; fairness is judged per component on bitsets of fairness groups (`judge`, the one place
that says what a fair component is); the lasso is then built by the reference's prefix search
(step for step, over flat arrays) and its own cycle search (liveness.lasso, over views of the
arrays), so both backends show the same counterexample.

NOTE(live-symmetry): this module decides liveness on the graph it is given; a naive symmetry
quotient would be wrong, for the reason below. A quotient edge [s] -> [t] carries its action in the frame of the representative s. Where
fairness is per instance of a symmetric machine (TDX: every vCPU's own steps), one concrete
group goes by different instance names in different representatives, and a quotient cycle
through s may lift only to a plain path from s to a permuted p(s); repeated ord(p) times it is a
plain cycle, but the groups it enables and takes are the quotient's renamed by p, p^2, ... So a
group "enabled in every state" of a quotient component may be vCPU 0, 1 and 2 in turn, none of
them continuously (the quotient would call an unfair cycle fair, or a fair one unfair). The
quotient is exact (a) when the property and every fairness group are invariant under the
permutations (no fair transition belongs to an instance of a symmetric set), or (b) per
quotient component, when every cycle in it composes to the identity permutation (its lift is
disjoint copies with consistent labels). checker/explicit/vector_livesym.py does the general
case: each quotient edge carries its permutation, and each component's fairness is judged with
the group of permutations its cycles compose to (NOTE(live-quotient)); the vector search uses it
where it is exact and searches the plain graph here otherwise; the one-state search never
reduces liveness.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from checker.core.intervals import slot_intervals
from checker.explicit.liveness import Fairness, Graph, lasso
from checker.explicit.vector_expr import Rows, VFn, as_mask, vcompile
from checker.traces.trace import State, Trace
from model.ir import Property, TransitionSystem

Arr = np.ndarray
WEAK, STRONG = 1, 2


class EdgeLog:
    """Every edge and every enabled step out of range (NOTE(range-fairness)), in the order the
    search expands states; sources ascend, so the log is already a CSR in the making."""

    def __init__(self) -> None:
        self.src: list[tuple[int, Arr]] = []   # per block: its first state id, edges per state
        self.dst: list[Arr] = []
        self.act: list[Arr] = []
        self.perm: list[Arr] = []   # on the symmetry quotient: each edge's permutation (vector_livesym.py)
        self.off: list[tuple[Arr, Arr]] = []

    def edges(self, first: int, count: Arr, dst: Arr, act: Arr, perm: Arr | None = None) -> None:
        """The edges of states first, first + 1, ...: `count` of each, sorted by source."""
        self.src.append((first, count.astype(np.int32)))
        self.dst.append(dst.astype(np.int32))
        self.act.append(act.astype(np.int16 if act.max(initial=0) < 1 << 15 else np.int32))
        if perm is not None:
            self.perm.append(perm.astype(np.int8 if perm.max(initial=0) < 1 << 7 else np.int16))

    def out_of_range(self, src: Arr, act: int) -> None:
        self.off.append((src.astype(np.int64), np.full(len(src), act, np.int64)))

    def graph(self, n: int) -> Csr:
        count = np.zeros(n, dtype=np.int64)
        for first, c in self.src:
            count[first:first + len(c)] = c
        indptr = np.concatenate([[0], np.cumsum(count)])
        # one list at a time, so that only one array is held twice
        dst = np.concatenate(self.dst) if self.dst else np.zeros(0, np.int32)
        self.src, self.dst = [], []
        act = np.concatenate(self.act) if self.act else np.zeros(0, np.int32)
        self.act = []
        perm = np.concatenate(self.perm) if self.perm else None
        self.perm = []
        osrc = np.concatenate([o[0] for o in self.off]) if self.off else np.zeros(0, np.int64)
        oact = np.concatenate([o[1] for o in self.off]) if self.off else np.zeros(0, np.int64)
        order = np.lexsort((oact, osrc))
        return Csr(n, indptr, dst, act, osrc[order], oact[order], perm)


@dataclass(frozen=True)
class Csr:
    """Edges of state s: dst[indptr[s]:indptr[s+1]] by act[...] (in the reference's order); the
    out-of-range steps as (state, action) pairs sorted by state."""

    n: int
    indptr: Arr
    dst: Arr
    act: Arr
    off_src: Arr
    off_act: Arr
    perm: Arr | None = None     # the quotient's: edge k leads to perm[k] applied to dst[k]

    def sources(self) -> Arr:
        return np.repeat(np.arange(self.n, dtype=np.int32), np.diff(self.indptr))


@dataclass(frozen=True)
class Groups:
    """Fairness as integers: each action's group id (-1: none) and each group's kind."""

    of_action: Arr
    kind: Arr

    @staticmethod
    def of(fair: Fairness) -> Groups:
        """Each action in at most one group (live_unsupported refuses declared groups)."""
        assert all(len(gs) <= 1 for gs in fair.groups)
        names = sorted({g for gs in fair.groups for g in gs})
        gid = {g: i for i, g in enumerate(names)}
        of_action = np.array([gid[gs[0]] if gs else -1 for gs in fair.groups], dtype=np.int64)
        kind = np.array([STRONG if fair.kinds[g] == "strong" else WEAK for g in names], dtype=np.int64)
        return Groups(of_action, kind)


# --- strongly connected components -----------------------------------------------------------


def _restrict(g: Csr, src: Arr, mask: Arr) -> tuple[Arr, Arr]:
    """The edges with both ends in mask, as (sources, targets)."""
    keep = mask[src] & mask[g.dst]
    return src[keep], g.dst[keep]


def components(g: Csr, src: Arr, mask: Arr) -> Arr:
    """A component label for every state of mask (-1 elsewhere): its strongly connected
    component in the subgraph mask induces. Labels are state ids (a state of the component),
    so they are unique across calls on disjoint masks. (Tried and dropped, as slower on TDX
    V=3 P=3 and bigger: rounds of the vectorised colouring algorithm before Tarjan, and a
    numpy trim of states with no edge in or out, which removed 97 of 3.7 million.)"""
    s, d = _restrict(g, src, mask)
    ci = np.searchsorted(s, np.arange(g.n + 1)).astype(np.int64)
    del s
    label = _tarjan(ci, d, np.flatnonzero(mask))
    label[~mask] = -1
    return label


def _tarjan(indptr: Arr, dst: Arr, roots: Arr) -> Arr:
    """Iterative Tarjan over CSR arrays; every stack is an array (4 or 8 bytes an entry, no
    Python object per state: the depth-first path can hold millions of states). A component
    is labelled by its root's id."""
    n = len(indptr) - 1
    ip = np.ascontiguousarray(indptr, dtype=np.int64).data   # views: no copy
    ds = np.ascontiguousarray(dst, dtype=np.int32).data
    index = array("i", bytes(4 * n))               # 0: not yet visited
    low = array("i", bytes(4 * n))
    label = array("i", b"\xff" * (4 * n))          # -1: not yet in a component
    stack = array("i")                             # Tarjan's stack
    path, at = array("i"), array("q")              # the depth-first path and each state's next edge
    counter = 1
    for root in roots.tolist():
        if index[root]:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        path.append(root)
        at.append(ip[root])
        while path:
            v = path[-1]
            pos, end = at[-1], ip[v + 1]
            while pos < end:
                w = ds[pos]
                pos += 1
                if not index[w]:
                    break
                if label[w] < 0 and index[w] < low[v]:
                    low[v] = index[w]
            else:
                path.pop()
                at.pop()
                if low[v] == index[v]:
                    while True:
                        w = stack.pop()
                        label[w] = v
                        if w == v:
                            break
                if path and low[v] < low[path[-1]]:
                    low[path[-1]] = low[v]
                continue
            at[-1] = pos
            index[w] = low[w] = counter
            counter += 1
            stack.append(w)
            path.append(w)
            at.append(ip[w])
    return np.frombuffer(label, dtype=np.int32).copy()


# --- fairness ---------------------------------------------------------------------------------


def judge(strong: Arr, weak: Arr, enabled: Arr, comp: Arr, taken: Arr, always: Arr) -> tuple[Arr, Arr]:
    """NOTE(fairness), as checker/explicit/liveness.py decides it, on group bitsets (one row of
    uint64 words per state or component): `enabled` the groups enabled in each state of the
    cyclic components, `comp` its component (an index into `taken` and `always`, the groups
    taken on an edge inside each component and those enabled in all its states). A component is
    unfair for strong fairness where a state enables a strong group it never takes (those states
    are dropped and the rest searched again); otherwise it is fair when every weak group
    enabled in all its states is taken in it. Returns (fair components, states to drop)."""
    bad = (enabled & strong & ~taken[comp]).any(axis=1)
    spoilt = np.zeros(len(taken), dtype=bool)
    spoilt[comp[bad]] = True
    fair = ~spoilt & ~(always & weak & ~taken).any(axis=1)
    return fair, np.flatnonzero(bad)


def fair_components(grp: Groups, g: Csr, src: Arr, region: Arr) -> Arr:
    """Each state lying in a fair cycle inside region gets its (refined) component's label; -1
    for every other state. The refinement is the reference's (_fair_components)."""
    bits = _group_bits(grp)
    strong = np.bitwise_or.reduce(bits[np.flatnonzero(grp.kind == STRONG)], axis=0)
    weak = np.bitwise_or.reduce(bits[np.flatnonzero(grp.kind == WEAK)], axis=0)
    act_bits = bits[grp.of_action]                  # (actions, words); the last row of bits is 0
    enabled = _enabled(g, act_bits)
    stutter = (np.diff(g.indptr) == 0)
    stutter[g.off_src] = False
    out = np.full(g.n, -1, dtype=np.int32)
    mask = region.copy()
    while mask.any():
        label, inner, cyclic, states = cyclic_parts(g, src, mask, stutter)
        if len(states) == 0:
            break
        comp = np.searchsorted(cyclic, label[states])
        order = np.argsort(comp, kind="stable")
        starts = np.flatnonzero(np.diff(comp[order], prepend=-1))
        always = np.bitwise_and.reduceat(enabled[states[order]], starts, axis=0)
        taken = np.zeros_like(always)
        if len(inner):
            ec = np.searchsorted(cyclic, label[src[inner]])
            eo = np.argsort(ec, kind="stable")
            es = np.flatnonzero(np.diff(ec[eo], prepend=-1))
            taken[ec[eo][es]] = np.bitwise_or.reduceat(act_bits[g.act[inner[eo]]], es, axis=0)
        fair, drop = judge(strong, weak, enabled[states], comp, taken, always)
        hit = states[fair[comp]]
        out[hit] = label[hit]
        mask = refined(g.n, states, comp, len(cyclic), drop)
    return out


def cyclic_parts(g: Csr, src: Arr, mask: Arr, stutter: Arr) -> tuple[Arr, Arr, Arr, Arr]:
    """The components of the states in mask: (each state's label, the edges inside a
    component, the labels of the cyclic ones (more than one state, a self loop or a stutter),
    the states in those)."""
    label = components(g, src, mask)
    ls, ld = label[src], label[g.dst]
    inner = np.flatnonzero((ls >= 0) & (ls == ld))
    del ld, ls
    size = np.bincount(label[mask], minlength=g.n)
    loops = label[src[inner[src[inner] == g.dst[inner]]]]
    cyclic = np.unique(np.concatenate([np.flatnonzero(size > 1), loops, label[mask & stutter]]))
    return label, inner, cyclic, np.flatnonzero(mask & np.isin(label, cyclic))


def refined(n: int, states: Arr, comp: Arr, ncomp: int, drop: Arr) -> Arr:
    """The next round's mask: the rest of a component unfair for strong fairness is searched
    again without the states that enable an untaken strong group (drop); every other component
    is done with."""
    refine = np.zeros(ncomp, dtype=bool)
    refine[comp[drop]] = True
    mask = np.zeros(n, dtype=bool)
    mask[states[refine[comp]]] = True
    mask[states[drop]] = False
    return mask


def _group_bits(grp: Groups) -> Arr:
    """One row of uint64 words per group with its own bit set, and a last row of zeros (the
    row of `-1`, an action without fairness)."""
    k = len(grp.kind)
    out = np.zeros((k + 1, max(1, (k + 63) // 64)), dtype=np.uint64)
    ids = np.arange(k)
    out[ids, ids // 64] = np.left_shift(np.uint64(1), (ids % 64).astype(np.uint64))
    return out


def _enabled(g: Csr, act_bits: Arr, chunk: int = 1 << 18) -> Arr:
    """Per state, the groups of every action with an edge from it or a step out of range there
    (NOTE(range-fairness)), as a bitset row; computed a chunk of states at a time."""
    out = np.zeros((g.n, act_bits.shape[1]), dtype=np.uint64)
    for lo in range(0, g.n, chunk):
        hi = min(g.n, lo + chunk)
        has = np.flatnonzero(np.diff(g.indptr[lo:hi + 1]) > 0)
        if len(has):
            e0 = g.indptr[lo]
            vals = act_bits[g.act[e0:g.indptr[hi]]]
            out[lo + has] = np.bitwise_or.reduceat(vals, g.indptr[lo + has] - e0, axis=0)
    np.bitwise_or.at(out, g.off_src, act_bits[g.off_act])
    return out


# --- the lasso, built by the reference over views of the arrays ------------------------------


class _Succ(Sequence[Sequence[tuple[int, int]]]):
    def __init__(self, g: Csr):
        self.g = g

    def __len__(self) -> int:
        return self.g.n

    def __getitem__(self, s):  # type: ignore[no-untyped-def, override]
        lo, hi = int(self.g.indptr[s]), int(self.g.indptr[s + 1])
        return list(zip(self.g.dst[lo:hi].tolist(), self.g.act[lo:hi].tolist(), strict=True))


class _States(Sequence[State]):
    def __init__(self, n: int, state: Callable[[int], State]):
        self.n, self.state = n, state

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):  # type: ignore[no-untyped-def, override]
        return self.state(int(i))


class _Comp(Collection[int]):
    """One fair component: the states whose label is `c`."""

    def __init__(self, label: Arr, c: int):
        self.label, self.c = label, c

    def __contains__(self, s: object) -> bool:
        return bool(self.label[s] == self.c)  # type: ignore[call-overload]

    def __iter__(self) -> Iterator[int]:
        return iter(np.flatnonzero(self.label == self.c).tolist())

    def __len__(self) -> int:
        return int(np.count_nonzero(self.label == self.c))


class _Fair(Mapping[int, Collection[int]]):
    def __init__(self, label: Arr):
        self.label = label

    def __contains__(self, s: object) -> bool:
        return bool(self.label[s] >= 0)  # type: ignore[call-overload]

    def __getitem__(self, s: int) -> Collection[int]:
        if self.label[s] < 0:
            raise KeyError(s)
        return _Comp(self.label, int(self.label[s]))

    def __iter__(self) -> Iterator[int]:
        return iter(np.flatnonzero(self.label >= 0).tolist())

    def __len__(self) -> int:
        return int(np.count_nonzero(self.label >= 0))


@dataclass(frozen=True)
class Explored:
    """What the vector search hands over: the graph, the states' rows and how to read one."""

    csr: Csr
    rows: Callable[[int, int], Arr]     # the rows of states lo..hi-1
    state: Callable[[int], State]
    initial: int                        # states 0..initial-1 are the initial ones
    unexpanded: tuple[int, int]         # ids lo..hi-1 were not expanded (the depth bound)


def live_unsupported(ts: TransitionSystem, props: Sequence[str]) -> str | None:
    """Why this search cannot decide the temporal properties among props, or None: it judges
    per-transition fairness only (one group per action), without `stutter: true`, and the
    shapes eventually / always_eventually / leads_to. Otherwise the one-state reference search
    (checker/explicit/liveness.py) decides them: the same verdicts, more memory."""
    temporal = [ts.prop(n) for n in props if ts.prop(n).temporal]
    if not temporal:
        return None
    if ts.fair_groups:
        return "declared fairness groups"
    if ts.stutter:
        return "stutter: true"
    if any(p.kind == "eventually_always" for p in temporal):
        return "an eventually_always property"
    return None


def find_violations(ts: TransitionSystem, props: Sequence[Property], ex: Explored) -> dict[str, Trace]:
    """A fair lasso for every temporal property in props that has one (NOTE(liveness))."""
    fair = Fairness.of(ts)
    grp = Groups.of(fair)
    g = ex.csr
    src = g.sources()
    off: dict[int, list[int]] = {}
    for s, a in zip(g.off_src.tolist(), g.off_act.tolist(), strict=True):
        off.setdefault(s, []).append(a)
    view = Graph(_States(g.n, ex.state), _Succ(g), list(range(ex.initial)), off)
    out: dict[str, Trace] = {}
    for p in props:
        region, trigger, anywhere, start = search_region(ts, p, ex)
        label = fair_components(grp, g, src, reach(g, start, region))
        if not (label >= 0).any():
            continue
        found = prefix(g, region, trigger, anywhere, label >= 0, ex.initial)
        t = lasso(fair, view, found, _Fair(label))
        if t is not None:
            out[p.name] = t
    return out


def reach(g: Csr, start: Arr, region: Arr) -> Arr:
    """The states of region reachable inside it from start (a subset of region). NOTE(reach-cut):
    the lasso's cycle lies in a component that phase 1 of the prefix search enters, which is
    reachable inside the region from a state where phase 1 may start (a trigger; with
    `eventually`, an initial one). This set is closed under the region's edges, so each
    component of the region that meets it lies inside it whole, with its edges and the states
    the strong-fairness refinement drops: its fair components are the region's that the prefix
    search can reach, the others are never used. Searching them alone gives the same verdict
    and the same lasso, and skips what comes before the trigger (TDX: the life of the TD
    before teardown starts)."""
    seen = start & region
    front = np.flatnonzero(seen)
    while len(front):
        d = g.dst[_gather(g.indptr, front)]
        front = np.unique(d[region[d] & ~seen[d]])
        seen[front] = True
    return seen


def _gather(ptr: Arr, nodes: Arr) -> Arr:
    """The positions ptr[v]..ptr[v+1]-1 of every v in nodes, concatenated."""
    starts = ptr[nodes]
    counts = ptr[nodes + 1] - starts
    ends = np.cumsum(counts)
    return np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(starts - (ends - counts), counts)


def search_region(ts: TransitionSystem, prop: Property, ex: Explored) -> tuple[Arr, Arr, bool, Arr]:
    """_region without the states left unexpanded (a depth bound), and where a lasso's loop
    search starts: the trigger states, only the initial ones unless the property is `anywhere`."""
    region, trigger, anywhere = _region(ts, prop, ex)
    lo, hi = ex.unexpanded
    region[lo:hi] = False
    trigger[lo:hi] = False
    start = trigger.copy()
    if not anywhere:
        start[ex.initial:] = False
    return region, trigger, anywhere, start


def _region(ts: TransitionSystem, prop: Property, ex: Explored) -> tuple[Arr, Arr, bool]:
    """As liveness._region, as masks over state ids."""
    slots = slot_intervals(ts)
    p = _eval(vcompile(prop.pred, slots), ex)  # type: ignore[arg-type]
    if prop.kind == "leads_to":
        region = ~_eval(vcompile(prop.pred2, slots), ex)  # type: ignore[arg-type]
        return region, region & p, True
    return ~p, ~p, prop.kind == "always_eventually"


def _eval(f: VFn, ex: Explored, chunk: int = 1 << 16) -> Arr:
    out = np.zeros(ex.csr.n, dtype=bool)
    for lo in range(0, ex.csr.n, chunk):
        x = np.asfortranarray(ex.rows(lo, min(ex.csr.n, lo + chunk)))
        out[lo:lo + len(x)] = as_mask(f(Rows(x)), len(x))
    return out


def prefix(g: Csr, region: Arr, trigger: Arr, anywhere: bool, fair: Arr,
           initial: int) -> tuple[list[int], list[int]] | None:
    """liveness._prefix step for step (the same queue order, so the same prefix), over arrays:
    a node is 2 * state + phase, its parent node and action in two flat arrays instead of a dict
    of tuples (the breadth-first search may visit every state twice)."""
    ip = np.ascontiguousarray(g.indptr, dtype=np.int64).data   # views: no copy
    ds = np.ascontiguousarray(g.dst, dtype=np.int32).data
    ac = np.ascontiguousarray(g.act).data
    reg, trig, fr = (bytearray(m.astype(np.uint8).tobytes()) for m in (region, trigger, fair))
    parent = array("q", np.full(2 * g.n, -2, dtype=np.int64).tobytes())     # -2 unseen, -1 root
    via = array("i", bytes(8 * g.n))
    queue: deque[int] = deque()
    for i in range(initial):
        node = 2 * i + (0 if anywhere else 1)
        if (anywhere or trig[i]) and parent[node] == -2:
            parent[node] = -1
            queue.append(node)
    while queue:
        node = queue.popleft()
        s, phase = node >> 1, node & 1
        if phase and fr[s]:
            return _unwind(parent, via, node)
        if not phase and trig[s] and parent[node | 1] == -2:
            parent[node | 1], via[node | 1] = node, -1
            queue.appendleft(node | 1)
        for k in range(ip[s], ip[s + 1]):
            d = ds[k]
            nxt = 2 * d + phase
            if (not phase or reg[d]) and parent[nxt] == -2:
                parent[nxt], via[nxt] = node, ac[k]
                queue.append(nxt)
    return None


def _unwind(parent: array, via: array, node: int) -> tuple[list[int], list[int]]:  # type: ignore[type-arg]
    path, acts = [node >> 1], []
    while parent[node] >= 0:
        prev, a = parent[node], via[node]
        if a >= 0:
            path.append(prev >> 1)
            acts.append(a)
        node = prev
    return path[::-1], acts[::-1]
