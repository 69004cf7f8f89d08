"""Symmetry reduction: one canonical representative per orbit of interchangeable elements.

NOTE(symmetry): an index set declared `symmetric: true` cannot be named, counted with or
ordered in the spec (the type checker rejects literals, arithmetic and comparisons other than
== on its elements), so every permutation of it maps reachable states to reachable states and
preserves every property. The canonical form of a state is the least (as a tuple) of its images
under the permutations that sort each element's block of slots by a permutation-invariant
signature; the same set of images arises from every state of an orbit, so the form is exact.
Liveness checks switch symmetry off (lassos need concrete cycles).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from model.ir import TransitionSystem
from model.sorts import IndexSort, OptionSort, Sort

State = tuple[int, ...]


def symmetric_sets(ts: TransitionSystem) -> list[IndexSort]:
    found: dict[str, IndexSort] = {}
    for v in ts.vars:
        for s in (v.sort, v.key_sort, getattr(v.sort, "inner", None)):
            if isinstance(s, IndexSort) and s.symmetric and s.size > 1:
                found[s.name] = s
    return [found[k] for k in sorted(found)]


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
        self.key_set = [index.get(v.key_sort.name) if isinstance(v.key_sort, IndexSort) else None
                        for v in vars_]
        self.val_set = [_valued_set(v.sort, index) for v in vars_]
        where = {(v.base, v.key_value): i for i, v in enumerate(vars_)}
        # for a keyed slot: the slot holding the same base at key k
        self.slot_at = [[where.get((v.base, k)) for k in range(self.sets[ks].size)] if ks is not None else []
                        for v, ks in zip(vars_, self.key_set)]
        self.blocks = [[[i for i, v in enumerate(vars_) if self.key_set[i] == si and v.key_value == e]
                        for e in range(s.size)] for si, s in enumerate(self.sets)]
        self.plain = [i for i, ks in enumerate(self.key_set) if ks is None and self.val_set[i] is None]

    @property
    def active(self) -> bool:
        return bool(self.sets)

    def signature(self, state: State, si: int, e: int) -> tuple[int, ...]:
        """Element e's block with every symmetric value masked (-1 stays none, else 0)."""
        return tuple(state[i] if self.val_set[i] is None else min(state[i], 0) for i in self.blocks[si][e])

    def candidates(self, state: State) -> list[tuple[tuple[int, ...], ...]]:
        """Permutations (new position of each element, per set) that sort the signatures."""
        per_set = []
        for si, s in enumerate(self.sets):
            sigs = sorted((self.signature(state, si, e), e) for e in range(s.size))
            groups = [list(g) for _, g in itertools.groupby(sigs, key=lambda x: x[0])]
            options = []
            for combo in itertools.product(*(itertools.permutations([e for _, e in g]) for g in groups)):
                order = [e for grp in combo for e in grp]        # order[new] = old
                perm = [0] * s.size
                for new, old in enumerate(order):
                    perm[old] = new
                options.append(tuple(perm))
            per_set.append(options)
        return list(itertools.product(*per_set))

    def apply(self, state: State, perms: Sequence[tuple[int, ...]]) -> State:
        out = list(state)
        for i, x in enumerate(state):
            vs = self.val_set[i]
            if vs is not None and x >= 0:
                x = perms[vs][x]
            ks = self.key_set[i]
            dest = i if ks is None else self.slot_at[i][perms[ks][self.ts.vars[i].key_value]]  # type: ignore[index]
            out[dest] = x  # type: ignore[index]
        return tuple(out)

    def canon(self, state: State) -> State:
        return min(self.apply(state, p) for p in self.candidates(state))
