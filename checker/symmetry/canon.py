"""Symmetry reduction: one canonical representative per orbit of interchangeable elements.

NOTE(symmetry): an index set declared `symmetric: true` cannot be named, counted with or
ordered in the spec (the type checker rejects literals, arithmetic and comparisons other than
== on its elements), so every permutation of it maps reachable states to reachable states and
preserves every property. The canonical form of a state is the least (as a tuple) of its images
under the permutations that sort each element's block of slots by a permutation-invariant
signature; the same set of images arises from every state of an orbit, so the form is exact.
Liveness checks use the quotient only where it is exact, and lift its lassos to concrete cycles
(NOTE(live-quotient) in checker/explicit/vector_livesym.py).

NOTE(full-group-canon): when an element's block holds a symmetric value (a pointer: a vCPU's
`kcpu` names an LP, an LP's `pkg_of` names a package), ties cannot be settled greedily, and
the canonical form is then the least image under *every* permutation of the symmetric sets, as
long as the group has at most MAX_GROUP members (V=3, P=3, K=2: 3!·3!·2! = 72). That is the
textbook definition (the least member of the orbit G·s is a function of the orbit), and the same
permutation plans serve every state, so checker/explicit/vector_sym.py computes it for many
states at once and gives the same form. Larger groups fall back to the least image over the
sorting permutations (`reference`): also one per orbit, enumerated state by state.

NOTE(sort-one-set): the least image under the whole group is found without enumerating one set,
`sorted_set` S (TDX: the vCPUs), when S's keyed slots lie field by field (every element's slot of
one field before any slot of the next field, as for `mstate[v]`, `kcpu[v]`, `vcpu[v].pc`) and
no slot holding an element of S comes before one of them (TDX: only `td.cur`, the last slot;
so S's own blocks hold no S values). The
sets act independently (a slot moves with its one symmetric key and its value is renamed by its
own set), so the group is S x R and min over G of g.s = min over r in R of (min over S-permutations
p of p.(r.s)). The inner minimum needs no search: the slots that p changes are S's keyed slots,
field by field (every element's slot of a field before the next field's) and then the slots
naming S elements. Minimising the first field's slots sorts the elements by it; among its ties
the next field decides, and so on, so the keyed slots are least exactly when the elements are
sorted by their whole blocks, values of the other sets included (already renamed by r). Sorting
permutations differ only among elements with equal blocks, and the least of them renames the
slots naming S elements greedily in slot order (NOTE(greedy-canon)). So `canon` is the same
least image as the enumeration of NOTE(full-group-canon), from |R| images instead of |G|
(TDX, V=3 P=3 K=2: 12 instead of 72); tests/checker/test_canon_sorted.py compares the two.
It also takes the least image where G has more than MAX_GROUP members but R has not (TDX at
V=6 P=3), instead of `reference`: both are one form per orbit, this one is computed by blocks.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from model.ir import TransitionSystem
from model.sorts import IndexSort, OptionSort, Sort

State = tuple[int, ...]
MAX_GROUP = 5040        # NOTE(full-group-canon): groups up to 7! are listed for pointer specs


def symmetric_sets(ts: TransitionSystem) -> list[IndexSort]:
    found: dict[str, IndexSort] = {}
    for v in ts.vars:
        for s in (v.sort, getattr(v.sort, "inner", None), *(k for k, _ in v.key_path)):
            if isinstance(s, IndexSort) and s.symmetric and s.size > 1:
                found[s.name] = s
    return [found[k] for k in sorted(found)]


def _symmetric_key(path: tuple[tuple[Sort, int], ...], sets: dict[str, int]) -> tuple[int, int, int] | None:
    """(set, element, position) of a cell's key of a symmetric set, if it has one."""
    for pos, (s, v) in enumerate(path):
        if isinstance(s, IndexSort) and s.name in sets:
            return sets[s.name], v, pos
    return None


def _other_keys(path: tuple[tuple[Sort, int], ...], keyed: tuple[int, int, int] | None) -> tuple[int, ...]:
    pos = keyed[2] if keyed is not None else -1
    return tuple(v for k, (_, v) in enumerate(path) if k != pos)


def _valued_set(sort: Sort, sets: dict[str, int]) -> int | None:
    inner = sort.inner if isinstance(sort, OptionSort) else sort
    return sets.get(inner.name) if isinstance(inner, IndexSort) and inner.symmetric else None


@dataclass
class Canonicalizer:
    """canon(state) for the symmetric sets of ts (see NOTE(symmetry))."""

    ts: TransitionSystem

    def __post_init__(self) -> None:
        self.sets = symmetric_sets(self.ts)
        index = {s.name: i for i, s in enumerate(self.sets)}
        vars_ = self.ts.vars
        # NOTE(key-paths): a slot is permuted by its one key of a symmetric set (the front end
        # refuses a second, SC318); its other keys stay, so they are part of where it lives
        keyed = [_symmetric_key(v.key_path, index) for v in vars_]
        self.key_set = [k[0] if k is not None else None for k in keyed]
        self.key_value: list[int | None] = [k[1] if k is not None else None for k in keyed]
        self.val_set = [_valued_set(v.sort, index) for v in vars_]
        rest = [_other_keys(v.key_path, k) for v, k in zip(vars_, keyed, strict=True)]
        where = {(v.base, r, kv): i for i, (v, r, kv) in enumerate(zip(vars_, rest, self.key_value, strict=True))}
        # for a keyed slot: the slot holding the same base (and other keys) at key k
        self.slot_at = [[where.get((v.base, r, k)) for k in range(self.sets[ks].size)] if ks is not None else []
                        for v, r, ks in zip(vars_, rest, self.key_set, strict=True)]
        self.blocks = [[[i for i in range(len(vars_)) if self.key_set[i] == si and self.key_value[i] == e]
                        for e in range(s.size)] for si, s in enumerate(self.sets)]
        # blocks list their slots in declaration order, so the masked positions are the same
        # for every element of a set
        self.sig_get = [[_getter(b) for b in blocks] for blocks in self.blocks]
        self.sig_mask = [[k for k, i in enumerate(blocks[0]) if self.val_set[i] is not None] if blocks else []
                         for blocks in self.blocks]
        # a block holding a symmetric value (an element pointing at an element) needs the
        # enumerating canonical form; otherwise the greedy one is exact (NOTE(greedy-canon))
        self.pointers = any(self.sig_mask)
        self.value_slots = [[j for j, vs in enumerate(self.val_set) if vs == si] for si in range(len(self.sets))]
        self._plans: dict[tuple[tuple[int, ...], ...], tuple[list[int], list[tuple[int, tuple[int, ...]]]]] = {}
        self.group = full_group([s.size for s in self.sets]) if self.pointers else None
        self.sorted_set = _sorted_set(self) if self.pointers else None
        # NOTE(sort-one-set): the permutations of the other sets, the sorted set left in place
        # (listed up to MAX_GROUP of them, however large the whole group)
        self.rest = _rest(self, self.sorted_set) if self.sorted_set is not None else None

    @property
    def active(self) -> bool:
        return bool(self.sets)

    def signature(self, state: State, si: int, e: int) -> tuple[int, ...]:
        """Element e's block with every symmetric value masked (-1 stays none, else 0)."""
        sig = self.sig_get[si][e](state)
        masked = self.sig_mask[si]
        if not masked:
            return sig
        out = list(sig)
        for k in masked:
            out[k] = min(out[k], 0)
        return tuple(out)

    def _orders(self, state: State, si: int) -> list[tuple[int, ...]]:
        """Every permutation (new position of each element) that sorts the signatures."""
        n = self.sets[si].size
        sigs = sorted((self.signature(state, si, e), e) for e in range(n))
        if all(sigs[k][0] != sigs[k + 1][0] for k in range(n - 1)):
            order = [e for _, e in sigs]
            return [_invert(order)]
        groups = [[e for _, e in g] for _, g in itertools.groupby(sigs, key=lambda x: x[0])]
        return [_invert([e for grp in combo for e in grp])
                for combo in itertools.product(*(itertools.permutations(g) for g in groups))]

    def candidates(self, state: State) -> list[tuple[tuple[int, ...], ...]]:
        """Permutations (new position of each element, per set) that sort the signatures."""
        return list(itertools.product(*(self._orders(state, si) for si in range(len(self.sets)))))

    def plan(self, perms: tuple[tuple[int, ...], ...]) -> tuple[list[int], list[tuple[int, tuple[int, ...]]]]:
        """The source slot of every destination slot under perms, and the destination slots
        holding symmetric values with the permutation renaming them (BMC's lex-leader uses it)."""
        return self._plan(perms)

    def _plan(self, perms: tuple[tuple[int, ...], ...]) -> tuple[list[int], list[tuple[int, tuple[int, ...]]]]:
        """For a permutation: the source slot of every destination slot, and which destination
        slots hold symmetric values to rename (cached: there are few distinct permutations)."""
        plan = self._plans.get(perms)
        if plan is None:
            src = [0] * len(self.key_set)
            for i, ks in enumerate(self.key_set):
                dest = i if ks is None else self.slot_at[i][perms[ks][self.key_value[i]]]  # type: ignore[index]
                src[dest] = i  # type: ignore[index]
            rename = [(j, perms[vs]) for j in range(len(src)) if (vs := self.val_set[src[j]]) is not None]
            plan = self._plans[perms] = (src, rename)
        return plan

    def apply(self, state: State, perms: Sequence[tuple[int, ...]]) -> State:
        src, rename = self._plan(tuple(perms))
        out = [state[k] for k in src]
        for j, perm in rename:
            x = out[j]
            if x >= 0:
                out[j] = perm[x]
        return tuple(out)

    def canon(self, state: State) -> State:
        if not self.pointers:
            return self.apply(state, self.greedy(state))
        if self.rest is not None:
            return min(self.sort_set(self.apply(state, p)) for p in self.rest)
        if self.group is not None:
            return min(self.apply(state, p) for p in self.group)
        return self.reference(state)

    def sort_set(self, state: State) -> State:
        """The least image of state under the permutations of `sorted_set` alone (NOTE(sort-one-set))."""
        si = self.sorted_set
        assert si is not None
        ident = [tuple(range(s.size)) for s in self.sets]
        ident[si] = self._greedy_order(state, si, masked=False)
        return self.apply(state, ident)

    def reference(self, state: State) -> State:
        """The definition: the least image under every sorting permutation (enumerated)."""
        cands = self.candidates(state)
        if len(cands) == 1:
            return self.apply(state, cands[0])
        return min(self.apply(state, p) for p in cands)

    def greedy(self, state: State) -> tuple[tuple[int, ...], ...]:
        """NOTE(greedy-canon): when no element's block holds a symmetric value (`pointers` is
        false), elements with equal signatures have equal blocks, so every sorting permutation
        gives the same keyed slots and the images differ only in the scalar slots naming
        elements. The least image renames those greedily, in slot order: the element the first
        such slot names takes the first free position of its tie group, and so on (earlier
        slots dominate the tuple order). No permutation is enumerated; checker/explicit/vector_sym.py
        does the same for blocks of states."""
        return tuple(self._greedy_order(state, si) for si in range(len(self.sets)))

    def _greedy_order(self, state: State, si: int, masked: bool = True) -> tuple[int, ...]:
        n = self.sets[si].size
        sigs = [self.signature(state, si, e) if masked else self.sig_get[si][e](state) for e in range(n)]
        order = sorted(range(n), key=sigs.__getitem__)          # stable: ties keep index order
        start = [0] * n                                         # first position of each tie group
        for p in range(1, n):
            start[p] = start[p - 1] if sigs[order[p]] == sigs[order[p - 1]] else p
        pos = list(_invert(order))
        claimed, done = [0] * n, [False] * n
        for j in self.value_slots[si]:
            e = state[j]
            if e < 0 or done[e]:
                continue
            p = pos[e]
            t = start[p] + claimed[start[p]]
            other = order[t]
            order[t], order[p], pos[e], pos[other] = e, other, t, p
            claimed[start[p]] += 1
            done[e] = True
        return tuple(pos)


def _sorted_set(c: Canonicalizer) -> int | None:
    """The set NOTE(sort-one-set) sorts instead of enumerating: the largest whose keyed slots lie
    field by field and before every slot naming one of its elements."""
    best = None
    for si, s in enumerate(c.sets):
        fields = [i for k in range(len(c.blocks[si][0])) for i in (b[k] for b in c.blocks[si])]
        valued = c.value_slots[si]
        by_field = all(a < b for a, b in itertools.pairwise(fields))
        if not fields or not by_field or (valued and min(valued) < fields[-1]):
            continue
        if best is None or s.size > c.sets[best].size:
            best = si
    return best


def _rest(c: Canonicalizer, si: int) -> list[tuple[tuple[int, ...], ...]] | None:
    perms = full_group([1 if k == si else s.size for k, s in enumerate(c.sets)])
    ident = tuple(range(c.sets[si].size))
    return None if perms is None else [(*p[:si], ident, *p[si + 1:]) for p in perms]


def full_group(sizes: Sequence[int]) -> list[tuple[tuple[int, ...], ...]] | None:
    """Every permutation of the sets (per set: perm[old] = new), identity first; None when
    there are more than MAX_GROUP (NOTE(full-group-canon))."""
    if math.prod(math.factorial(n) for n in sizes) > MAX_GROUP:
        return None
    return list(itertools.product(*(itertools.permutations(range(n)) for n in sizes)))


def _getter(slots: list[int]) -> Callable[[State], tuple[int, ...]]:
    if len(slots) == 1:
        i = slots[0]
        return lambda s: (s[i],)
    get = operator.itemgetter(*slots)
    return get  # type: ignore[return-value]


def _invert(order: list[int]) -> tuple[int, ...]:
    """order[new] = old  ->  perm[old] = new."""
    perm = [0] * len(order)
    for new, old in enumerate(order):
        perm[old] = new
    return tuple(perm)
