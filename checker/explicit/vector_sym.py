"""Canonical forms of many states at once: checker/symmetry/canon.py's canonical form, vectorised.

The canonical form is the one of NOTE(symmetry) (checker/symmetry/canon.py): among the images of a
state under the permutations that sort each symmetric set's elements by signature, the least
tuple. Computed here without enumerating permutations, for specs whose element blocks hold no
symmetric values (TDX, symlock: the symmetric values live in scalar slots such as `td.cur`):

- a stable sort of each row's element signatures gives one sorting permutation;
- elements with equal signatures have equal blocks, so every sorting permutation gives the
  same keyed slots, and the images differ only in the scalar slots holding symmetric values;
- the least image then renames those slots greedily, in slot order: the element named by the
  first such slot takes the first free position of its tie group, and so on. Earlier slots
  dominate the tuple order, so the greedy choice is the least image.

Specs whose blocks hold symmetric values (a per-element pointer to another element: TDX's vCPUs
name LPs, its LPs name packages) get the least image under every permutation of the group
(NOTE(full-group-canon) in checker/symmetry/canon.py): each permutation is one column gather and
one renaming per row block, and a running row-wise lexicographic minimum keeps the least. Where
one set can be sorted instead (NOTE(sort-one-set), TDX's vCPUs), only the other sets'
permutations are gathered (`_SortOneSet`). Groups too large to list otherwise fall back to the
one-state canonicaliser, row by row: correct, not fast.
"""

from __future__ import annotations

import math

import numpy as np

from checker.symmetry.canon import Canonicalizer

Arr = np.ndarray


class VecCanon:
    def __init__(self, canon: Canonicalizer, domains: list[tuple[int, int]]):
        self.canon = canon
        self.fallback = any(mask for mask in canon.sig_mask)
        self.plans = _group_plans(canon) if self.fallback and canon.group is not None else None
        self.sort_one = _SortOneSet(canon, domains) if self.fallback and canon.rest is not None else None
        self.sets = []
        for blocks in canon.blocks:
            block = np.asarray(blocks, dtype=np.int64)            # (elements, slots per element)
            lo = np.array([domains[j][0] for j in blocks[0]], dtype=np.int64)
            size = [domains[j][1] for j in blocks[0]]
            bits = sum(max(1, (s - 1).bit_length()) for s in size)
            mult = np.ones(len(size), dtype=np.int64)
            for k in range(len(size) - 2, -1, -1):
                mult[k] = mult[k + 1] * size[k + 1]
            self.sets.append((block, lo, mult if bits <= 62 else None))
        # scalar slots holding an element of a symmetric set, in slot order (NOTE above)
        self.value_slots = [(j, si) for j, si in enumerate(canon.val_set) if si is not None]

    def __call__(self, x: Arr) -> Arr:
        if len(x) == 0:
            return x
        if self.sort_one is not None and self.sort_one.exact:
            return self.sort_one(x)
        if self.plans is not None:
            return _least_image(x, self.plans)
        if self.fallback:
            return np.array([self.canon.canon(tuple(int(v) for v in row)) for row in x], dtype=x.dtype)
        orders = [self._order(x, si) for si in range(len(self.sets))]
        out = x.copy()
        for (block, _, _), (order, _) in zip(self.sets, orders, strict=True):
            for p in range(block.shape[0]):
                out[:, block[p]] = np.take_along_axis(x, block[order[:, p]], axis=1)
        rows = np.arange(len(x))
        for j, si in self.value_slots:
            v = x[:, j].astype(np.int64)
            pos = orders[si][1]
            out[:, j] = np.where(v >= 0, pos[rows, np.maximum(v, 0)], v)
        return out

    def _signatures(self, x: Arr, si: int) -> Arr:
        block, lo, mult = self.sets[si]
        if mult is not None:
            # exact in int64 (NOTE(int64-exact) in checker/explicit/vector_expr.py): each value
            # minus its lowest lies in 0..size-1, and the packed signature below 2**62
            return np.stack([(x[:, b].astype(np.int64) - lo) @ mult for b in block], axis=1)
        stacked = np.concatenate([x[:, b] for b in block])
        _, rank = np.unique(stacked, axis=0, return_inverse=True)
        return rank.reshape(block.shape[0], len(x)).T

    def _order(self, x: Arr, si: int) -> tuple[Arr, Arr]:
        """Per row: the element at each position (sorted by signature, ties settled greedily)
        and the position of each element."""
        sig = self._signatures(x, si)
        order = np.argsort(sig, axis=1, kind="stable")
        n, size = order.shape
        rows = np.arange(n)
        srt = np.take_along_axis(sig, order, axis=1)
        starts = np.concatenate([np.ones((n, 1), bool), srt[:, 1:] != srt[:, :-1]], axis=1)
        run_start = np.maximum.accumulate(np.where(starts, np.arange(size), 0), axis=1)
        pos = np.argsort(order, axis=1)
        claimed = np.zeros((n, size), dtype=np.int64)
        done = np.zeros((n, size), dtype=bool)
        for j, vs in self.value_slots:
            if vs != si:
                continue
            e = x[:, j].astype(np.int64)
            ee = np.maximum(e, 0)
            r = rows[(e >= 0) & ~done[rows, ee]]
            ee = ee[r]
            p = pos[r, ee]
            a = run_start[r, p]
            t = a + claimed[r, a]
            other = order[r, t]
            order[r, t], order[r, p] = ee, other
            pos[r, ee], pos[r, other] = t, p
            claimed[r, a] += 1
            done[r, ee] = True
        return order, pos


Plan = tuple[Arr, list[tuple[int, Arr]]]     # source column of each column; (column, renaming table)


def _group_plans(canon: Canonicalizer) -> list[Plan]:
    """Every permutation but the identity as a column gather and renaming tables indexed by
    value + 1 (none, -1, stays -1)."""
    assert canon.group is not None
    return _plans(canon, canon.group[1:])


def _plans(canon: Canonicalizer, group: list[tuple[tuple[int, ...], ...]]) -> list[Plan]:
    out = []
    for perms in group:
        src, rename = canon.plan(perms)
        tables = [(d, np.array([-1, *perm], dtype=np.int64)) for d, perm in rename]
        out.append((np.asarray(src, dtype=np.int64), tables))
    return out


def _least_image(x: Arr, plans: list[Plan]) -> Arr:
    """Per row, the lexicographically least of its images (the row itself included)."""
    best = x.copy()
    rows = np.arange(len(x))
    for src, tables in plans:
        img = x[:, src]
        for d, table in tables:
            img[:, d] = table[img[:, d].astype(np.int64) + 1]
        diff = img != best
        first = diff.argmax(axis=1)
        less = diff[rows, first] & (img[rows, first] < best[rows, first])
        best[less] = img[less]
    return best



class _SortOneSet:
    """NOTE(sort-one-set) in checker/symmetry/canon.py for blocks of rows: per permutation of the
    other sets, one image whose sorted set is sorted by whole blocks (ties settled greedily in the
    slots naming its elements), and the least of these images. Worked on the transposed block
    (one row per slot), so that every gather copies whole rows; images are compared by packed
    keys whose order is the images' lexicographic order."""

    def __init__(self, canon: Canonicalizer, domains: list[tuple[int, int]]):
        si = canon.sorted_set
        assert si is not None and canon.rest is not None
        self.plans = _plans(canon, canon.rest)
        self.block = np.asarray(canon.blocks[si], dtype=np.int64)     # (elements, fields)
        bits = [max(1, (domains[j][1] - 1).bit_length()) for j in canon.blocks[si][0]]
        self.shift = np.array([sum(bits[k + 1:]) for k in range(len(bits))], dtype=np.int64)
        self.mask = np.array([(1 << b) - 1 for b in bits], dtype=np.int64)
        self.lo = np.array([domains[j][0] for j in canon.blocks[si][0]], dtype=np.int64)
        self.mult = np.left_shift(1, self.shift) if sum(bits) <= 62 else None
        words = _words([s for _, s in domains])
        # NOTE(int64-exact) in vector_expr.py: a packed signature or key is exact below 2**62
        self.words = [(slots, m) for slots, m in words if m is not None]
        self.exact = self.mult is not None and len(self.words) == len(words)
        self.named = [j for j, vs in enumerate(canon.val_set) if vs == si]
        # the rows _sorted writes depend only on how a plan renames the blocks' values and where
        # it takes the named slots from: plans that agree there share one sort (TDX: the
        # package permutations leave the vCPUs' blocks alone)
        self.written = np.concatenate([self.block.reshape(-1), np.asarray(self.named, dtype=np.int64)])
        keyed = set(self.block.reshape(-1).tolist())
        self.shares = [(tuple((d, t.tobytes()) for d, t in tables if d in keyed),
                        tuple(int(src[j]) for j in self.named)) for src, tables in self.plans]

    def __call__(self, x: Arr) -> Arr:
        xt = np.ascontiguousarray(x.T)
        done: dict[object, Arr] = {}
        best, keys = None, []
        for plan, share in zip(self.plans, self.shares, strict=True):
            img = _image_t(xt, plan)
            if share in done:
                img[self.written] = done[share]
            else:
                done[share] = self._sorted(img)[self.written]
            k = self._keys(img)
            if best is None:
                best, keys = img, k
                continue
            less = np.zeros(len(x), dtype=bool)
            same = np.ones(len(x), dtype=bool)
            for a, b in zip(k, keys, strict=True):
                less |= same & (a < b)
                same &= a == b
            best = np.where(less, img, best)
            keys = [np.where(less, a, b) for a, b in zip(k, keys, strict=True)]
        assert best is not None
        return np.ascontiguousarray(best.T)

    def _keys(self, img: Arr) -> list[Arr]:
        """Big-endian mixed-radix words of every column (values less their lowest would add one
        constant per word, which leaves the order as it is)."""
        return [np.einsum("d,ds->s", mult, img[slots], dtype=np.int64) for slots, mult in self.words]

    def _sorted(self, img: Arr) -> Arr:
        """img (one row per slot) with the elements sorted by signature, stably; the slots naming
        elements renamed greedily (NOTE(greedy-canon))."""
        assert self.mult is not None
        # the signature packs a block exactly, a bit field per value (less its lowest), so the
        # sorted blocks are the sorted signatures unpacked
        sig = np.einsum("f,efs->es", self.mult, img[self.block], dtype=np.int64) - int(self.mult @ self.lo)
        below = (sig[:, None, :] < sig[None, :, :]).sum(axis=0)         # start of each one's tie group
        srt = np.sort(sig, axis=0)
        for f, (shift, mask, lo) in enumerate(zip(self.shift, self.mask, self.lo, strict=True)):
            img[self.block[:, f]] = ((srt >> shift) & mask) + lo
        self._rename(img, below)
        return img

    def _rename(self, img: Arr, below: Arr) -> None:
        """The slots naming elements, in slot order: a new element named takes the next free
        position of its tie group (NOTE(greedy-canon))."""
        n, cols = below.shape
        every = np.arange(cols)
        below = below.reshape(-1)                                       # flat: [element * cols + state]
        given = np.full(n * cols, -1, dtype=np.int64) if len(self.named) > 1 else None  # new position
        claimed = np.zeros(n * cols, dtype=np.int64)                    # per tie group (by its start)
        for j in self.named:
            e = img[j].astype(np.int64)
            at = np.maximum(e, 0) * cols + every
            start = below[at]
            if given is None:                   # the only slot naming an element: nothing claimed
                img[j] = np.where(e >= 0, start, e)
                break
            had = given[at]
            group = start * cols + every
            new = np.where(had >= 0, had, start + claimed[group])
            first = (e >= 0) & (had < 0)
            claimed[group[first]] += 1
            given[at[first]] = new[first]
            img[j] = np.where(e >= 0, new, e)


def _radix(sizes: list[int]) -> Arr | None:
    """Place values of a big-endian mixed-radix number with these digit sizes; None past 2**62."""
    if sum(max(1, (s - 1).bit_length()) for s in sizes) > 62:
        return None
    return np.array([math.prod(sizes[k + 1:]) for k in range(len(sizes))], dtype=np.int64)


def _words(sizes: list[int]) -> list[tuple[Arr, Arr | None]]:
    """Consecutive columns packed into 62-bit words (slots, place values)."""
    out, start, bits = [], 0, 0
    for d, s in enumerate(sizes):
        b = max(1, (s - 1).bit_length())
        if bits + b > 62 and d > start:
            out.append((np.arange(start, d), _radix(sizes[start:d])))
            start, bits = d, 0
        bits += b
    out.append((np.arange(start, len(sizes)), _radix(sizes[start:])))
    return out


def _image_t(xt: Arr, plan: Plan) -> Arr:
    """The image of transposed rows under a plan (one row per slot)."""
    src, tables = plan
    img = xt[src]
    for d, table in tables:
        img[d] = table[img[d].astype(np.int64) + 1]
    return img
