"""Liveness to safety on the parameterised form (`--for-all` on a temporal property): the product
of NOTE(l2s) in checker/smt/l2s.py built over a ParamSystem (model/lower_param.py), so that the
for-all induction of checker/smt/forall.py proves it for every size.

NOTE(forall-l2s): the product has the system's slots, a shadow `~f` of every slot some action
writes (a function slot's shadow is a function; a slot no action writes is its own shadow: it
equals its saved copy for ever), a bit `saved`, and monitor bits. A fairness group of a machine
family (one per transition of the family with `fair:`, all its parameter choices together, as
NOTE(fairness) says per instance) becomes a function over the family's sort: `fired[g](m)` (m
took g since the save), and `off[g](m)` (weak: g disabled for m at some loop state) or `seen[g](m)`
(strong: g enabled for m at some loop state); a group of a machine that is no family keeps
scalar bits. Every action of the system updates them from its pre-state, and `save` copies the
state into the shadow. The invariant `l2s` says no state is accepting: saved, moved, `∀x. f(x) =
~f(x)` for every shadowed function and equal scalars, the shape held on the loop (l2s.py's bits),
and `∀m. served[g](m)` for every group (weak: fired or off; strong: seen => fired); or nothing is
enabled (no guard holds for any elements) and the shape holds there. A temporal family's
variables are free elements of every query, so its proof holds for each element.

Why it is sound: for each fixed size N, reading the sort as N elements turns this product into
exactly the finite product of NOTE(l2s) for the instance at N (a function over the sort is its N
cells, a quantifier over the sort the conjunction or disjunction over them, a per-element group
bit the bit of that instance's group), whose invariant holds iff the property holds at N. An
invariant proved inductive over the uninterpreted sort (NOTE(forall-proof)) holds in every finite
structure, so at every size. Every lemma assumed, the spec's and the product's, is proved in the
product by the same induction first (forall_live.py), so a wrong candidate can only be dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import cast

from model import smart
from model.ir import App, Expr, Ite, Select, StateVar, Var
from model.lower_param import FnUpdate, PAction, ParamSystem, PProperty, Quant, as_expr, rename
from model.sorts import BOOL, IndexSort, Sort

PROP = "l2s"


@dataclass(frozen=True)
class Group:
    """One fairness constraint of the parameterised system: per element of `sort` (a family's
    transition) or one constraint (sort None); `actions` index ParamSystem.actions."""

    name: str
    kind: str
    actions: tuple[int, ...]
    sort: IndexSort | None


def groups(ps: ParamSystem) -> list[Group]:
    """NOTE(fairness): one group per (machine, instance, transition) of the actions with `fair`."""
    acts: dict[tuple[str, str, int | None], list[int]] = {}
    kind: dict[tuple[str, str, int | None], str] = {}
    for i, a in enumerate(ps.actions):
        if a.fair:
            key = (a.machine, a.transition, a.instance)
            acts.setdefault(key, []).append(i)
            kind.setdefault(key, a.fair)
    out = []
    for (m, t, inst), xs in acts.items():
        first = ps.actions[xs[0]]
        fam = first.params[0].sort if first.instance is None and first.params and _family(ps, first) else None
        who = m if inst is None else f"{m}[{inst}]"
        out.append(Group(f"{who}.{t}", kind[(m, t, inst)], tuple(xs), cast(IndexSort | None, fam)))
    return out


def _family(ps: ParamSystem, a: PAction) -> bool:
    """a is a transition of a machine family: its first parameter is its `self` (lower_param)."""
    return ps.bound[-a.params[0].slot - 1][0] == "self"


@dataclass(frozen=True)
class Flag:
    """A monitor bit (a function over `sort` when it has one, read at `me`): its initial value,
    its value after action i from the pre-state (None: unchanged) and after the save."""

    name: str
    init: bool
    on_step: Callable[[int], Expr | None]
    on_save: Expr | None = None
    sort: IndexSort | None = None
    me: Var | None = None
    loop_only: bool = True


class Builder:
    """The product's slots and bound elements, allocated after the system's."""

    def __init__(self, ps: ParamSystem):
        self.ps, self.n = ps, len(ps.vars)
        self.bound: list[tuple[str, Sort]] = list(ps.bound)
        written = set().union(*(a.written for a in ps.actions)) if ps.actions else set()
        self.vars: list[StateVar] = list(ps.vars)
        self.shadow: dict[int, int] = {}
        for i, v in enumerate(ps.vars):
            if i in written:
                self.shadow[i] = len(self.vars)
                self.vars.append(replace(v, name=f"~{v.name}", base=f"~{v.base}"))
            else:
                self.shadow[i] = i
        self.flags: list[tuple[int, Flag]] = []
        self.names: dict[str, int] = {}
        self.saved = self.scalar(Flag("saved", False, lambda i: None, smart.TRUE))

    def elem(self, name: str, sort: IndexSort) -> Var:
        self.bound.append((name, sort))
        return Var(-len(self.bound), sort)

    def scalar(self, f: Flag) -> Var:
        slot = self._add(f, StateVar(f"~{f.name}", BOOL, f"~{f.name}"))
        return Var(slot, BOOL)

    def fn(self, f: Flag) -> int:
        assert f.sort is not None
        return self._add(f, StateVar(f"~{f.name}[*]", BOOL, f"~{f.name}", "*", key_sort=f.sort, key_value=0))

    def _add(self, f: Flag, sv: StateVar) -> int:
        slot = len(self.vars)
        self.vars.append(sv)
        self.flags.append((slot, f))
        self.names[f.name] = slot
        return slot

    def bit(self, name: str, at: Expr | None = None) -> Expr:
        slot = self.names[name]
        return Var(slot, BOOL) if at is None else Select((slot,), at, 0, BOOL)

    def shift(self, e: Expr) -> Expr:
        """e over the shadow."""
        x = cast(object, e)
        if isinstance(x, Var):
            return Var(self.shadow[x.slot], x.sort) if x.slot >= 0 else e
        if isinstance(x, Select):
            return Select(tuple(self.shadow[s] for s in x.slots), self.shift(x.index), x.offset, x.sort)
        if isinstance(x, Ite):
            return Ite(self.shift(x.cond), self.shift(x.then), self.shift(x.other), x.sort)
        if isinstance(x, App):
            return App(x.op, tuple(self.shift(a) for a in x.args), x.sort)
        if isinstance(x, Quant):
            return as_expr(replace(x, body=self.shift(x.body)))
        return e


def forall(v: Var, body: Expr) -> Expr:
    return as_expr(Quant(True, v, body))


def exists(vs: tuple[Var, ...], body: Expr) -> Expr:
    for v in reversed(vs):
        body = as_expr(Quant(False, v, body))
    return body


def enabled(ps: ParamSystem, g: Group, me: Var | None) -> Expr:
    """Some action of g enabled (for element `me` of a per-element group): its guard, with its
    `self` read as me and its other elements existential."""
    out = []
    for i in g.actions:
        a = ps.actions[i]
        if me is not None:
            out.append(exists(a.params[1:], rename(a.guard, a.params[0], me)))
        else:
            out.append(exists(a.params, a.guard))
    return smart.Or(*out)


def stuck(ps: ParamSystem) -> Expr:
    """No action enabled for any elements: the behaviour stays here for ever (NOTE(liveness))."""
    return smart.Not(smart.Or(*(exists(a.params, a.guard) for a in ps.actions)))


@dataclass(frozen=True)
class Obligation:
    """A group's monitor slots and what `served` reads at element `me` (None: a scalar group)."""

    group: Group
    me: Var | None
    fired: str
    other: str     # off (weak) or seen (strong)

    def served(self, b: Builder, at: Expr | None) -> Expr:
        fired, other = b.bit(self.fired, at), b.bit(self.other, at)
        return smart.Or(fired, other) if self.group.kind == "weak" else smart.Implies(other, fired)


def obligations(b: Builder, gs: list[Group]) -> list[Obligation]:
    """The monitor bits of each group (NOTE(forall-l2s))."""
    ps, saved, out = b.ps, b.saved, []
    for g in gs:
        me = b.elem("m", g.sort) if g.sort is not None else None
        fired, other = f"fired[{g.name}]", f"{'off' if g.kind == 'weak' else 'seen'}[{g.name}]"
        en = enabled(ps, g, me)

        def fire(i: int, g: Group = g, me: Var | None = me, fired: str = fired) -> Expr | None:
            if i not in g.actions:
                return None
            hit = saved if me is None else smart.And(saved, smart.Eq(me, ps.actions[i].params[0]))
            return smart.Or(b.bit(fired, me), hit)

        def mark(i: int, me: Var | None = me, other: str = other, en: Expr = en, weak: bool = g.kind == "weak") -> Expr:
            return smart.Or(b.bit(other, me), smart.And(saved, smart.Not(en) if weak else en))
        for name, step in ((fired, fire), (other, mark)):
            f = Flag(name, False, step, sort=g.sort, me=me)
            b.fn(f) if g.sort is not None else b.scalar(f)
        out.append(Obligation(g, me, fired, other))
    return out


@dataclass(frozen=True)
class Shape:
    """What the shape accepts (l2s.Acceptance) and the condition that ends it (the goal)."""

    save: Expr
    loop: Expr
    stutter: Expr
    shadow: Expr
    bit: str          # the bit that says the shape held so far
    goal: Expr        # a state where it no longer holds on (P reached, Q reached)


def shape(p: PProperty, b: Builder) -> Shape:
    """The violation shapes of NOTE(lasso) as monitor bits, as l2s._shape builds them."""
    assert p.pred is not None
    P, saved, sh = p.pred, b.saved, b.shift
    if p.kind == "eventually":
        never = b.scalar(Flag("never", True, lambda i: smart.And(b.bit("never"), smart.Not(P)), loop_only=False))
        now = smart.And(never, smart.Not(P))
        return Shape(now, now, now, smart.Implies(saved, smart.Not(sh(P))), "never", P)
    if p.kind == "eventually_always":
        dip = b.scalar(Flag("dip", False, lambda i: smart.Or(b.bit("dip"), smart.And(saved, smart.Not(P)))))
        return Shape(smart.TRUE, dip, smart.Not(P), smart.TRUE, "dip", smart.FALSE)
    if p.kind == "always_eventually":
        quiet = b.scalar(Flag("quiet", True, lambda i: smart.And(b.bit("quiet"), smart.Or(smart.Not(saved), smart.Not(P))),
                              smart.TRUE))
        return Shape(smart.Not(P), smart.And(quiet, smart.Not(P)), smart.Not(P),
                     smart.Implies(saved, smart.Not(sh(P))), "quiet", P)
    assert p.kind == "leads_to" and p.pred2 is not None
    Q = p.pred2
    trig = b.scalar(Flag("trig", False, lambda i: smart.And(smart.Not(Q), smart.Or(P, b.bit("trig"))), loop_only=False))
    now = smart.And(smart.Not(Q), smart.Or(P, trig))
    held = b.scalar(Flag("held", False, lambda i: smart.And(b.bit("held"), smart.Not(Q)), now))
    tied = smart.Implies(held, smart.And(smart.Not(sh(Q)), smart.Or(sh(P), trig)))
    return Shape(now, smart.And(held, smart.Not(Q)), now, tied, "held", Q)


@dataclass(frozen=True)
class Product:
    """The product system (its one property PROP; lemmas: the spec's, then the candidates of the
    product, which forall_live.py proves before assuming) and what built it."""

    system: ParamSystem
    builder: Builder
    shape: Shape
    obligations: tuple[Obligation, ...]
    family: tuple[Var, ...]          # the property's free elements (a temporal family's variables)
    trigger: Expr                    # P of `P leads_to Q` (else TRUE)


def product(ps: ParamSystem, p: PProperty, gs: list[Group]) -> Product:
    """The product of NOTE(forall-l2s) for the temporal property p."""
    b = Builder(ps)
    obs = obligations(b, gs)
    sh = shape(p, b)
    b.scalar(Flag("moved", False, lambda i: smart.Or(b.bit("moved"), b.saved)))
    rests(b)
    fair = [forall(o.me, o.served(b, o.me)) if o.me is not None else o.served(b, None) for o in obs]
    bad = smart.Or(smart.And(b.saved, b.bit("moved"), same(b), sh.loop, *fair), smart.And(stuck(ps), sh.stutter))
    actions = [_step(b, a, i) for i, a in enumerate(ps.actions)]
    actions.append(_save(b, sh.save))
    init = smart.And(ps.init, *(_is(b, slot, f, f.init) for slot, f in b.flags))
    prop = PProperty(PROP, "invariant", pred=smart.Not(bad), text=f"{p.kind} {p.name}, liveness to safety")
    system = replace(ps, name=f"{ps.name}~l2s", vars=tuple(b.vars), init=init, actions=tuple(actions),
                     properties=(prop,), bound=tuple(b.bound))
    return Product(system, b, sh, tuple(obs), p.family, p.pred if p.kind == "leads_to" and p.pred is not None else smart.TRUE)


def pc_slots(ps: ParamSystem) -> dict[str, int]:
    """Each machine's pc slot (a function over its sort for a family), for machines with one."""
    out: dict[str, list[int]] = {}
    for a in ps.actions:
        if a.instance is None:
            out.setdefault(a.machine, [i for i, v in enumerate(ps.vars) if v.base == f"{a.machine}.pc"])
    return {m: xs[0] for m, xs in out.items() if len(xs) == 1}


def rests(b: Builder) -> None:
    """NOTE(forall-rest): per machine, a bit `rest[M]` (per element for a family): M's pc has not
    changed at any step since the save. A history bit like `fired`: it constrains nothing, so
    the product's behaviours, and l2s, are the same with it. "The pc equals its saved value" is
    weaker: a machine may leave and come back (CPU offline finished on one CPU, begun on another),
    so facts that hold while a machine rests are stated over this bit (forall_live.py)."""
    ps = b.ps
    for m, pc in sorted(pc_slots(ps).items()):
        if b.shadow[pc] == pc:
            continue
        fam = ps.is_fn(pc)
        me = b.elem("m", cast(IndexSort, ps.vars[pc].key_sort)) if fam else None
        name = f"rest[{m}]"

        def step(i: int, m: str = m, pc: int = pc, me: Var | None = me, name: str = name) -> Expr | None:
            a = ps.actions[i]
            if a.machine != m or a.instance is not None or pc not in a.written:
                return None
            if me is None:
                new = next(e for slot, e in a.updates if slot == pc)
                return smart.And(b.bit(name), smart.Eq(new, Var(pc, new.sort)))
            u = next(u for u in a.fn_updates if u.slot == pc)
            return smart.And(b.bit(name, me), smart.Eq(rename(u.value, u.frame, me), Select((pc,), me, 0, u.value.sort)))
        f = Flag(name, False, step, smart.TRUE, sort=cast(IndexSort | None, ps.vars[pc].key_sort) if fam else None, me=me)
        b.fn(f) if fam else b.scalar(f)


def _is(b: Builder, slot: int, f: Flag, value: bool) -> Expr:
    c = smart.TRUE if value else smart.FALSE
    if f.sort is None:
        return smart.Eq(Var(slot, BOOL), c)
    x = b.elem("x", f.sort)
    return forall(x, smart.Eq(Select((slot,), x, 0, BOOL), c))


def _shadowed(b: Builder) -> list[tuple[int, int, Sort, Var | None]]:
    """(slot, its shadow, its value sort, a fresh element when the slot is a function) for every
    slot with a shadow of its own (an unwritten slot is its own shadow)."""
    out: list[tuple[int, int, Sort, Var | None]] = []
    for i, s in sorted(b.shadow.items()):
        if s != i:
            v = b.ps.vars[i]
            out.append((i, s, v.sort, b.elem("x", cast(IndexSort, v.key_sort)) if b.ps.is_fn(i) else None))
    return out


def same(b: Builder) -> Expr:
    return smart.And(*(smart.Eq(Var(i, t), Var(s, t)) if x is None
                       else forall(x, smart.Eq(Select((i,), x, 0, t), Select((s,), x, 0, t)))
                       for i, s, t, x in _shadowed(b)))


def _step(b: Builder, a: PAction, i: int) -> PAction:
    ups, fns = list(a.updates), list(a.fn_updates)
    for slot, f in b.flags:
        e = f.on_step(i)
        if e is None:
            continue
        if f.sort is None:
            ups.append((slot, e))
        else:
            assert f.me is not None
            fns.append(FnUpdate(slot, f.me, e))
    return replace(a, updates=tuple(ups), fn_updates=tuple(fns), fair=None)


def _save(b: Builder, worth: Expr) -> PAction:
    pairs = _shadowed(b)   # once: each function's element is allocated in the builder
    ups: list[tuple[int, Expr]] = [(s, Var(i, t)) for i, s, t, x in pairs if x is None]
    fns = [FnUpdate(s, x, Select((i,), x, 0, t)) for i, s, t, x in pairs if x is not None]
    ups += [(slot, f.on_save) for slot, f in b.flags if f.on_save is not None and f.sort is None]
    fns += [FnUpdate(slot, cast(Var, f.me), f.on_save) for slot, f in b.flags if f.on_save is not None and f.sort is not None]
    return PAction("~l2s.save()", "~l2s", "save", (), smart.And(smart.Not(b.saved), worth), tuple(ups),
                   tuple(fns), smart.FALSE)

