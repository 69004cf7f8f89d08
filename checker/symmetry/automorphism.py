"""Permutations of the symmetric index sets as automorphisms of the IR, checked structurally.

NOTE(automorphism): a permutation g of a symmetric set (NOTE(symmetry) in symmetry.py) maps a
state s to g(s) (each element's block of slots moved, element values renamed) and an action to
the one whose label names the permuted instance and arguments. The type checker makes every
such g an automorphism (steps to steps, initial states to initial states, properties
preserved); explicit search trusts that. BMC's symmetry breaking (checker/symmetry/focus.py) checks
it instead, on the IR itself: for every action i, the image of its guard and of every update
(`image`: e'(g(s)) == e(s), element-valued expressions renamed) must equal, up to the order of
commutative operands, the guard and updates of action g(i); likewise the initial values and
`initially`. A system that fails gets no symmetry breaking (and a property that fails, no
focus: symbreak.focus). So a lowering bug costs speed, never a counterexample.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from checker.symmetry.canon import Canonicalizer, symmetric_sets
from model.ir import Action, ActionLabel, App, Arg, Const, Expr, Ite, Op, Select, TransitionSystem, Var
from model.sorts import IndexSort, OptionSort, Sort

State = tuple[int, ...]
Perms = tuple[tuple[int, ...], ...]     # per symmetric set: perm[old element] = new element
MAX_FULL_GROUP = 4      # sets up to this size get every permutation (4! - 1 = 23); larger ones
                        # only the adjacent transpositions (fewer constraints, still sound)


@dataclass(frozen=True)
class Automorphism:
    """One permutation g of the symmetric sets, on action indices, slots and expressions."""

    actions: tuple[int, ...]                            # actions[i]: the index of g(action i)
    src: tuple[int, ...]                                # slot d of g(s) is slot src[d] of s ...
    rename: tuple[tuple[int, tuple[int, ...]], ...]     # ... renamed by perm where (d, perm) listed
    perms: tuple[tuple[str, tuple[int, ...]], ...]      # (set name, perm) per symmetric set

    def state(self, s: Sequence[int]) -> State:
        out = [s[k] for k in self.src]
        for d, perm in self.rename:
            if out[d] >= 0:                             # none (-1) stays none
                out[d] = perm[out[d]]
        return tuple(out)


def automorphisms(ts: TransitionSystem) -> tuple[Automorphism, ...]:
    """The permutations used for symmetry breaking, each checked (NOTE(automorphism)); ()
    when there is no symmetric set or some permutation fails its check."""
    sets = symmetric_sets(ts)
    index = {a.label: i for i, a in enumerate(ts.actions)}
    if not sets or len(index) != len(ts.actions):
        return ()
    canon = Canonicalizer(ts)
    which = {s.name: k for k, s in enumerate(sets)}
    inst = _instance_sets(ts, which)
    keys = [_action_key(a) for a in ts.actions]
    out = []
    for perms in _group([s.size for s in sets]):
        images = [index.get(_label_image(a.label, perms, which, inst), -1) for a in ts.actions]
        src, rename = canon.plan(perms)
        g = Automorphism(tuple(images), tuple(src), tuple(rename),
                         tuple((st.name, p) for st, p in zip(sets, perms, strict=True)))
        if not (_maps_actions(ts, g, keys) and _maps_init(ts, g)):
            return ()
        out.append(g)
    return tuple(out)


def _group(sizes: Sequence[int]) -> list[Perms]:
    """The permutations used (per set, identity elsewhere), identity excluded."""
    out: list[Perms] = []
    for si, n in enumerate(sizes):
        ident = tuple(range(n))
        if n <= MAX_FULL_GROUP:
            perms = [p for p in itertools.permutations(ident) if p != ident]
        else:
            perms = [tuple(k + 1 if e == k else k if e == k + 1 else e for e in ident) for k in range(n - 1)]
        out.extend(tuple(p if k == si else tuple(range(m)) for k, m in enumerate(sizes)) for p in perms)
    return out


def _instance_sets(ts: TransitionSystem, which: dict[str, int]) -> dict[str, int]:
    """Machine name -> the symmetric set its instances range over (its pc slots' key sort)."""
    out = {}
    for m in ts.machines:
        ks = ts.vars[m.pc_slots[0]].key_sort if m.instances is not None and m.pc_slots else None
        if isinstance(ks, IndexSort) and ks.name in which:
            out[m.name] = which[ks.name]
    return out


def _label_image(label: ActionLabel, perms: Perms, which: dict[str, int], inst: dict[str, int]) -> ActionLabel:
    i = label.instance
    if i is not None and label.machine in inst:
        i = perms[inst[label.machine]][i]
    return ActionLabel(label.machine, label.transition, i,
                       tuple(_arg_image(a, perms, which) for a in label.args), label.outcome)


def _arg_image(a: Arg, perms: Perms, which: dict[str, int]) -> Arg:
    s = a.sort.inner if isinstance(a.sort, OptionSort) else a.sort
    if not isinstance(s, IndexSort) or s.name not in which or a.value < 0:
        return a
    return Arg(a.name, perms[which[s.name]][a.value], a.sort)


# ---- the structural check ---------------------------------------------------------------------

def _action_key(a: Action, mover: _Mover | None = None) -> tuple[str, frozenset[tuple[int, str]]]:
    """An action's guard and updates as keys, moved by g first when a mover is given."""
    if mover is None:
        return key(a.guard), frozenset((s, key(e)) for s, e in a.updates)
    return key(mover.expr(a.guard)), frozenset((mover.where[s], key(mover.expr(e))) for s, e in a.updates)


def _maps_actions(ts: TransitionSystem, g: Automorphism, keys: list[tuple[str, frozenset[tuple[int, str]]]]) -> bool:
    mover = _Mover(g)
    return all(j >= 0 and _action_key(a, mover) == keys[j] for a, j in zip(ts.actions, g.actions, strict=True))


def _maps_init(ts: TransitionSystem, g: Automorphism) -> bool:
    renames = dict(g.rename)
    for d, k in enumerate(g.src):
        perm = renames.get(d)
        moved = {perm[v] if perm is not None and v >= 0 else v for v in ts.init_values[k]}
        if moved != set(ts.init_values[d]):
            return False
    c = ts.init_constraint
    return c is None or key(image(c, g)) == key(c)


class _Mover:
    def __init__(self, g: Automorphism):
        self.where = {k: d for d, k in enumerate(g.src)}       # slot k of s is slot where[k] of g(s)
        self.perms = dict(g.perms)

    def expr(self, e: Expr) -> Expr:
        if isinstance(e, Var):
            return Var(self.where[e.slot], e.sort)
        if isinstance(e, Const):
            perm = _perm_of(e.sort, self.perms)
            return e if perm is None or e.value < 0 else Const(perm[e.value], e.sort)
        if isinstance(e, Select):
            # cell k of the map holds slot slots[k]; with an element index, key k becomes perm[k]
            perm = _perm_of(e.index.sort, self.perms)
            moved = [self.where[x] for x in e.slots]
            slots = moved if perm is None else [moved[perm.index(k)] for k in range(len(moved))]
            return Select(tuple(slots), self.expr(e.index), e.offset, e.sort)
        if isinstance(e, Ite):
            return Ite(self.expr(e.cond), self.expr(e.then), self.expr(e.other), e.sort)
        return App(e.op, tuple(self.expr(x) for x in e.args), e.sort)


def image(e: Expr, g: Automorphism) -> Expr:
    """e' with e'(g(s)) == e(s) for every state s (renamed, for an element-valued e): slots
    moved as g moves them, element constants renamed. The type checker lets a spec only
    compare elements with ==, store them and index maps with them, all of which commute with
    a renaming."""
    return _Mover(g).expr(e)


def _perm_of(sort: Sort, perms: dict[str, tuple[int, ...]]) -> tuple[int, ...] | None:
    inner = sort.inner if isinstance(sort, OptionSort) else sort
    return perms.get(inner.name) if isinstance(inner, IndexSort) and inner.symmetric else None


COMMUTATIVE = (Op.AND, Op.OR, Op.ADD, Op.MUL, Op.EQ, Op.NE)


def key(e: Expr) -> str:
    """A structural key, the same for expressions that differ only in the order of the operands
    of commutative operators (an image lists `all(... for v in VCPU)` in another order)."""
    if isinstance(e, App):
        args = [key(x) for x in e.args]
        if e.op in COMMUTATIVE:
            args.sort()
        return f"({e.op.value} {' '.join(args)})"
    if isinstance(e, Select):
        return f"(sel {e.slots} {key(e.index)} {e.offset})"
    if isinstance(e, Ite):
        return f"(ite {key(e.cond)} {key(e.then)} {key(e.other)})"
    if isinstance(e, Var):
        return f"v{e.slot}"
    return f"c{int(e.value)}:{e.sort}"


def action_images(ts: TransitionSystem, group: Sequence[Perms]) -> list[tuple[int, ...]] | None:
    """Per permutation of `group` (per set: perm[old] = new), the index of the image of every
    action (its label with the instance and arguments renamed); None when some image is no
    action of ts (labels not unique, or a lowering that is not symmetric)."""
    sets = symmetric_sets(ts)
    index = {a.label: i for i, a in enumerate(ts.actions)}
    if len(index) != len(ts.actions):
        return None
    which = {s.name: k for k, s in enumerate(sets)}
    inst = _instance_sets(ts, which)
    out = []
    for perms in group:
        images = [index.get(_label_image(a.label, perms, which, inst), -1) for a in ts.actions]
        if -1 in images:
            return None
        out.append(tuple(images))
    return out
