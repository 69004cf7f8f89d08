"""Exact 64-bit keys for states, and sets of keys, for the vector engine.

A state is packed slot by slot in mixed radix (each slot's value minus its lowest value, times
the product of the later slots' domain sizes), so equal keys mean equal states. When the packed
state needs more than 62 bits (TDX at 4 vCPUs needs 98), the slots are cut into groups of at
most 62 bits and each group's packed value is replaced by a dense id, the order in which that
group value was first seen: a collapse table, as in SPIN's -DCOLLAPSE. Ids are combined the same
way until one 62-bit key remains. Nothing is hashed, so no two states ever share a key.

The packing is exact int64 arithmetic (NOTE(int64-exact) in checker/explicit/vector_expr.py):
every slot's domain fits int64 and has at most 2**62 values (checker.explicit.vector.unsupported),
so a group's packed value, each (value - lowest) * multiplier and each partial sum of them lies in
0..2**62-1. The faster form that folds the lowest values into one constant is used for a group
only when the bound |constant| + sum of max|value| * multiplier < 2**63 shows that none of its
partial sums wraps either (TDX: lowest values 0 and -1).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Arr = np.ndarray
WORD_BITS = 62               # packed groups stay clear of int64's sign bit
ID_BITS = 31                 # a collapse table holds at most 2**31 distinct group values


class KeySpaceError(RuntimeError):
    """More distinct values than a collapse table can number (2**31)."""


class SortedRuns:
    """A set of int64 keys as a few sorted runs (merged when a run outgrows the one after it),
    each with the id of every key: membership and lookup are binary searches."""

    def __init__(self) -> None:
        self.runs: list[tuple[Arr, Arr]] = []
        self.size = 0

    def lookup(self, keys: Arr) -> Arr:
        """The id of each key, or -1 where absent."""
        out = np.full(len(keys), -1, dtype=np.int64)
        for run, ids in self.runs:
            pos = np.searchsorted(run, keys)
            np.minimum(pos, len(run) - 1, out=pos)
            hit = run[pos] == keys
            out[hit] = ids[pos[hit]]
        return out

    def add(self, keys: Arr, ids: Arr) -> None:
        """Add keys (none of them present, no duplicates) with their ids."""
        if len(keys) == 0:
            return
        order = np.argsort(keys, kind="stable")
        self.runs.append((keys[order], ids[order]))
        self.size += len(keys)
        while len(self.runs) > 1 and len(self.runs[-2][0]) <= 2 * len(self.runs[-1][0]):
            (a, ia), (b, ib) = self.runs.pop(), self.runs.pop()
            k, i = np.concatenate((b, a)), np.concatenate((ib, ia))
            order = np.argsort(k, kind="stable")
            self.runs.append((k[order], i[order]))


class Interner:
    """Dense ids for values, in order of first appearance."""

    def __init__(self) -> None:
        self.table = SortedRuns()

    def ids(self, values: Arr) -> Arr:
        # most values are known: look every value up, and sort only the misses
        found = self.table.lookup(values)
        miss = np.flatnonzero(found < 0)
        if len(miss):
            uniq, first, inverse = np.unique(values[miss], return_index=True, return_inverse=True)
            # number new values in order of first appearance, so ids are deterministic
            rank = np.empty(len(uniq), dtype=np.int64)
            rank[np.argsort(first, kind="stable")] = np.arange(len(uniq))
            start = self.table.size
            if start + len(uniq) >= 1 << ID_BITS:
                raise KeySpaceError(f"more than 2**{ID_BITS} distinct values in one collapse table")
            fresh = start + rank
            found[miss] = fresh[inverse]
            self.table.add(uniq, fresh)
        return found


class Packer:
    """keys(rows) for state matrices over slots with the given (lowest value, domain size)."""

    def __init__(self, domains: Sequence[tuple[int, int]]):
        self.groups: list[tuple[list[int], Arr, Arr, int, bool]] = []
        slots: list[int] = []
        bits = 0
        for j, (_, size) in enumerate(domains):
            b = max(1, (size - 1).bit_length())
            if slots and bits + b > WORD_BITS:
                self.groups.append(self._group(slots, domains, bits))
                slots, bits = [], 0
            slots.append(j)
            bits += b
        self.groups.append(self._group(slots, domains, bits))
        self.tables = [Interner() if g[3] > ID_BITS and len(self.groups) > 1 else None for g in self.groups]
        self.pair_tables = [Interner() for _ in range(max(0, len(self.groups) - 2))]

    @staticmethod
    def _group(slots: list[int], domains: Sequence[tuple[int, int]],
               bits: int) -> tuple[list[int], Arr, Arr, int, bool]:
        """The group's slots, lowest values, multipliers, bits, and whether the folded form is
        exact (the bound in the module's docstring, in Python ints)."""
        lows = [domains[j][0] for j in slots]
        mults = [1] * len(slots)
        for k in range(len(slots) - 2, -1, -1):
            mults[k] = mults[k + 1] * domains[slots[k + 1]][1]
        offset = sum(lo * m for lo, m in zip(lows, mults, strict=True))
        reach = sum(max(abs(lo), abs(lo + domains[j][1] - 1)) * m
                    for j, lo, m in zip(slots, lows, mults, strict=True))
        folded = abs(offset) + reach < 2**63
        return slots, np.array(lows, dtype=np.int64), np.array(mults, dtype=np.int64), bits, folded

    @property
    def collapsed(self) -> bool:
        return len(self.groups) > 1

    def words(self, rows: Arr) -> Arr:
        """Each group's packed value, one column per group: exact and the same in every process
        (no collapse table), so processes can exchange states as words (vector_par.py)."""
        return np.stack([self._value(rows, g) for g in self.groups], axis=1)

    def keys_of_words(self, words: Arr) -> Arr:
        """The keys of the states whose words are `words` (this Packer's collapse tables)."""
        return self._combine([words[:, k] for k in range(len(self.groups))])

    def unpack_words(self, words: Arr, dtype: type) -> Arr:
        """The rows whose words are `words`, column-major as the expansion wants."""
        width = sum(len(g[0]) for g in self.groups)
        out: Arr = np.empty((len(words), width), dtype=dtype, order="F")
        for k, (slots, lo, mult, _, _) in enumerate(self.groups):
            rem = words[:, k].copy()
            for j, low, m in zip(slots, lo.tolist(), mult.tolist(), strict=True):
                q = rem // m
                rem -= q * m
                out[:, j] = q + low
        return out

    def keys(self, rows: Arr) -> Arr:
        return self._combine([self._value(rows, g) for g in self.groups])

    @staticmethod
    def _value(rows: Arr, group: tuple[list[int], Arr, Arr, int, bool]) -> Arr:
        """The group's packed value of each row (exact: the module's docstring)."""
        slots, lo, mult, _, folded = group
        tmp = np.empty(len(rows), dtype=np.int64)
        if folded:
            v = np.full(len(rows), -sum(a * b for a, b in zip(lo.tolist(), mult.tolist())), dtype=np.int64)
            for j, m in zip(slots, mult.tolist(), strict=True):
                np.multiply(rows[:, j], m, out=tmp, dtype=np.int64, casting="unsafe")
                v += tmp
        else:
            v = np.zeros(len(rows), dtype=np.int64)
            for j, low, m in zip(slots, lo.tolist(), mult.tolist(), strict=True):
                np.subtract(rows[:, j], low, out=tmp, dtype=np.int64, casting="unsafe")
                tmp *= m
                v += tmp
        return v

    def _combine(self, values: list[Arr]) -> Arr:
        """One key from the groups' values: collapse tables where a group or a pair needs them."""
        parts = [t.ids(v) if t is not None else v for v, t in zip(values, self.tables, strict=True)]
        acc = parts[0]
        for k, nxt in enumerate(parts[1:]):
            acc = (acc << ID_BITS) | nxt
            if k < len(self.pair_tables):
                acc = self.pair_tables[k].ids(acc)
        return acc
