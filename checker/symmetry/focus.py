"""Symmetry breaking for BMC: which counterexamples it may skip without changing any answer.

NOTE(symmetry-breaking): BMC asks "is there a counterexample of depth d?" for d = 0, 1, ...
It may restrict each question to traces satisfying a constraint C as long as every
counterexample of depth d has an *image* of depth d that satisfies C: then every question is
answered as before, so verdicts and shortest depths are unchanged, and every trace shown is
still a real execution (replayed as always). An image of a trace tr is g(tr), g a permutation
of the symmetric sets applied to every state and action (checked to be an automorphism:
NOTE(automorphism) in automorphism.py); it has the same depth.

- Focus. A *witness* of a counterexample is a disjunct D of its property's bad condition
  holding at the last position, paired with the last action for a step property (S1p at
  `td.vpflushdone`: `assoc[v] != none` for one v). g maps a witness (a, D) of tr to the
  witness (g(a), image(D)) of g(tr). Keeping only the least witness of every orbit (`focus`)
  keeps an image of every counterexample (orbits under the permutations used and their
  compositions): BMC looks for vCPU 0 as the culprit only.
- Lex-leader. Order the traces of one depth by the key (s_0, a_0, ..., a_{d-1}): states
  lexicographically by slot value, actions by index (a trace is fixed by s_0 and its actions,
  which are deterministic). If there is a counterexample of depth d there is one with a kept
  witness; let L be the least, by key, of those. Let g fix a kept witness of L. Then g(L) is
  one of them too, so s_0 <= g(s_0); and for every step t with g(s_t) == s_t, so is L' = L's
  first t steps followed by g applied to the rest (it starts where the prefix ends, as g
  fixes s_t, and ends with the witness g fixes). L and L' agree up to a_t, so a_t <= g(a_t). Hence the constraints "if a
  kept witness fixed by g holds at the end: s_0 <= g(s_0), and a_t <= g(a_t) wherever g(s_t)
  == s_t" lose nothing (`Focus.fixed` says when they apply).

In practice: while two vCPUs are in the same state, the one named first moves first; and the
culprit of a violation is vCPU 0 (the focus), so the lex-leader runs among the others.
Lassos get neither (a loop's fairness would need its own witness argument).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from checker.symmetry.automorphism import Automorphism, image, key
from model import smart
from model.ir import App, Const, Expr, Ite, Op, Property

Witness = tuple[int, Expr]      # (the last action, -1 for an invariant; a disjunct of the bad condition)


@dataclass(frozen=True)
class Focus:
    """A property cut to one witness per orbit, and per permutation g used, when g's lex-leader
    constraints apply: True (every kept witness is fixed by g), False (none is), or the property
    "a kept witness fixed by g holds"."""

    prop: Property
    fixed: tuple[Property | bool, ...]


def focus(p: Property, autos: Sequence[Automorphism]) -> Focus:
    """The Focus of a safety property (NOTE(symmetry-breaking))."""
    step = p.kind in ("step", "range")
    if step:
        fine = [(i, d) for i, b in p.bad for d in disjuncts(b)]
        maps = _witness_maps(fine, autos)
        if any(-1 in m for m in maps):      # whole bad conditions may still map onto each other
            fine = list(p.bad)
            maps = _witness_maps(fine, autos)
    else:
        assert p.pred is not None
        fine = [(-1, d) for d in disjuncts(p.pred, negated=True)]
        maps = _witness_maps(fine, autos)
    reps = _representatives(len(fine), maps)
    fixed = tuple(_when(p, [fine[r] for r in reps if m[r] == r], len(reps)) for m in maps)
    kept = p if len(reps) == len(fine) else _rebuild(p, [fine[r] for r in reps])
    return Focus(kept, fixed)


def _when(p: Property, fixed: list[Witness], kept: int) -> Property | bool:
    return True if len(fixed) == kept else False if not fixed else _rebuild(p, fixed)


def _witness_maps(ws: list[Witness], autos: Sequence[Automorphism]) -> list[list[int]]:
    """Per automorphism g, the witness each witness maps to; -1 where its image is none of
    them (then nothing is concluded from g for that witness)."""
    index = {(i, key(d)): w for w, (i, d) in enumerate(ws)}
    return [[index.get((g.actions[i] if i >= 0 else -1, key(image(d, g))), -1) for i, d in ws]
            for g in autos]


def _rebuild(p: Property, ws: list[Witness]) -> Property:
    """p with exactly these witnesses."""
    if p.kind not in ("step", "range"):
        return replace(p, pred=smart.And(*(smart.Not(d) for _, d in ws)))
    acts: dict[int, list[Expr]] = {}
    for i, d in ws:
        acts.setdefault(i, []).append(d)
    return replace(p, bad=tuple((i, smart.Or(*ds)) for i, ds in sorted(acts.items())))


def _representatives(n: int, maps: Sequence[Sequence[int]]) -> list[int]:
    """The least member of every orbit of 0..n-1 under the maps (-1 merges nothing)."""
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for m in maps:
        for i, j in enumerate(m):
            if j >= 0:
                a, b = root(i), root(j)
                parent[max(a, b)] = min(a, b)
    return [i for i in range(n) if root(i) == i]


# ---- disjuncts ----------------------------------------------------------------------------------

def disjuncts(e: Expr, negated: bool = False) -> list[Expr]:
    """Expressions whose disjunction is e (not e, when negated): `or`, `=>`, `not and`, a
    conjunction with one splittable operand distributed over it, `count(...) != 0` as its
    counted conditions. Anything else is one disjunct."""
    if not isinstance(e, App):
        return [smart.Not(e) if negated else e]
    if e.op is Op.NOT:
        return disjuncts(e.args[0], not negated)
    counted = _counted(e)
    if counted is not None and negated == (e.op is Op.EQ):    # count(...) != 0: one of them
        return counted
    if e.op is (Op.AND if negated else Op.OR):
        return [d for x in e.args for d in disjuncts(x, negated)]
    if e.op is Op.IMPLIES:
        a, b = e.args
        return _distribute([[a], disjuncts(b, True)], e, True) if negated else disjuncts(a, True) + disjuncts(b)
    if e.op is (Op.OR if negated else Op.AND):
        return _distribute([disjuncts(x, negated) for x in e.args], e, negated)
    return [smart.Not(e) if negated else e]


def _distribute(parts: list[list[Expr]], e: Expr, negated: bool) -> list[Expr]:
    """A conjunction of parts, each a disjunction: split along the one part with several
    disjuncts (several such parts would multiply out; they stay whole)."""
    wide = [k for k, ds in enumerate(parts) if len(ds) > 1]
    if len(wide) != 1:
        return [smart.Not(e) if negated else e]
    rest = [ds[0] for k, ds in enumerate(parts) if k != wide[0]]
    return [smart.And(*rest, d) for d in parts[wide[0]]]


def _counted(e: App) -> list[Expr] | None:
    """For `count(c_1, ..., c_n) == 0` or `!= 0` (a sum of `c_k ? 1 : 0`), the conditions c_k."""
    if e.op not in (Op.EQ, Op.NE) or len(e.args) != 2:
        return None
    total, zero = e.args if isinstance(e.args[1], Const) else e.args[::-1]
    if not (isinstance(zero, Const) and zero.value == 0 and isinstance(total, App) and total.op is Op.ADD):
        return None
    conds = []
    for x in total.args:
        if not (isinstance(x, Ite) and isinstance(x.then, Const) and x.then.value == 1
                and isinstance(x.other, Const) and x.other.value == 0):
            return None
        conds.append(x.cond)
    return conds
