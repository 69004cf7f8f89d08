"""Liveness to safety (Biere, Artho, Schuppan 2002): a temporal property of a system becomes an
invariant of a product system, which k-induction (checker/smt/kind.py) then proves or refutes.

NOTE(l2s): the product keeps the system's state (slots 0..n-1, the same slot numbers) and adds a
shadow copy of it (n..2n-1), a bit `saved`, and monitor bits. Its actions are the system's, at
the same indices, each also updating the monitor bits from its pre-state, plus one `save` step
(index n) that copies the state into the shadow, sets `saved` and leaves the state alone. The
invariant `l2s` says no product state is accepting:
  - loop closed: saved, at least one step since the save, state == shadow, the property's shape
    held on every loop state, and every fairness group satisfied on the loop;
  - stutter: no guard holds in the state (it stays there for ever, NOTE(liveness)) and the shape
    holds at it.
Reachable accepting states are exactly the lassos of NOTE(lasso) in checker/smt/lasso.py: the
save step marks the loop start l, the steps after it are a_l..a_{k-1}, and the monitor bits
read the loop states s_l..s_{k-1} as pre-states of those steps (s_k == s_l). So `l2s` holds in
the product iff the property holds in the system, for every size where the product is finite.
A step leaving a variable's range leaves it in the product too, and the product has no state
after it, so such a step ends the behaviour as in the explicit engine (NOTE(range-fairness));
enabledness is read from the guards, out-of-range steps included, as in replay.

NOTE(l2s-lemmas): the system's lemmas are invariants of the product: a product state's first n
slots are a reachable system state (the save step does not move them, every other step is a
system step), and its shadow, once saved, is a copy of such a state; so each lemma holds of the
state, and "saved => lemma" of the shadow. The monitor bits keep their initial values until the
save (they only record loop states), which is one more lemma; and the shadow met the save's
condition (for leads_to: not Q, and P or an earlier trigger), which is another. All of them are proved again in
the product by k-induction's own lemma proof before they are assumed, so nothing here is taken
on trust; stating them is what lets induction ignore unreachable states and shadows.

NOTE(l2s-progress): those lemmas say nothing of how the state relates to its shadow, and that is
what a proof needs: k-induction's step case may start in any saved product state, for instance
one step away from closing the loop with every fairness group already served but with the
teardown thread's pc behind its saved value. So each slot gets a relational lemma from its own
value graph: for a slot of few values, an edge X -> Y for every action writing the slot whose
guard holds, and whose written value is Y, in some in-domain state satisfying the spec's
invariant lemmas with the slot at X (z3 enumerates the pairs, live.py; a write out of the slot's
range is no edge: no state follows), and "saved => v in reach(~v)" (reach: reflexive-transitive closure) is an
invariant of the product: the save makes v == ~v, and every step moves v along an edge or keeps
it (in a state where the lemmas hold, which the joint lemma proof assumes). A slot of many
values gets "saved => v >= ~v" when no step from any
in-domain state lowers it (or <= when none raises it). With them induction knows that a step
leaving a value the slot cannot come back to (a set-only flag, a pc past its loop, a lifecycle)
never lies on a loop. For `P leads_to Q`, the bit `trig` (an earlier state had P and not Q) gets
"trig => v in after(v)" per such slot: after(v) is what v's values in the states with P and not Q
reach (one more enumeration). k-induction proves these lemmas again in the product before assuming them,
like every other lemma, so a wrong edge set could only make the proof fail, never unsound.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from model.ir import Action, ActionLabel, App, Const, Expr, Ite, Op, Property, Select, StateVar, TransitionSystem, Var
from model.smart import FALSE, TRUE, And, Eq, Implies, Not, Or
from model.sorts import BOOL

PROP = "l2s"          # the product's one property: no accepting state is reachable
SAVE = "save"         # the product's extra transition (machine "~l2s")

Group = tuple[str, str, int | None]


@dataclass(frozen=True)
class Flag:
    """A monitor bit: its initial value, its value after the system's action i (over the
    pre-state; None: unchanged) and after the save step (None: unchanged)."""

    name: str
    init: bool
    on_step: Callable[[int], Expr | None]
    on_save: Expr | None = None
    loop_only: bool = True     # keeps its initial value until the save (NOTE(l2s-lemmas))


@dataclass(frozen=True)
class Acceptance:
    """What the product accepts (NOTE(l2s)): conditions over its state, flags included."""

    save: Expr       # when saving is worth it (the shape can start here)
    loop: Expr       # on closing the loop: the shape held on the loop, fairness met
    stutter: Expr    # in a state with nothing enabled: the shape holds for ever
    shadow: Expr = TRUE   # an invariant tying the shape's bits to the shadow (NOTE(l2s-lemmas))


class _Builder:
    """Allocates the product's slots after the system's and its shadow."""

    def __init__(self, ts: TransitionSystem):
        self.ts, self.n = ts, len(ts.vars)
        self.vars: list[StateVar] = [*ts.vars, *(_shadow_var(v) for v in ts.vars)]
        self.flags: list[tuple[int, Flag]] = []
        self.saved = self.bit(Flag("saved", False, lambda i: None, TRUE))

    def bit(self, f: Flag) -> Var:
        slot = len(self.vars)
        self.vars.append(StateVar(f"~{f.name}", BOOL, f"~{f.name}"))
        self.flags.append((slot, f))
        return Var(slot, BOOL)


def _shadow_var(v: StateVar) -> StateVar:
    return StateVar(f"~{v.name}", v.sort, f"~{v.base}", v.key)


def enabled(ts: TransitionSystem, actions: tuple[int, ...]) -> Expr:
    return Or(*(ts.actions[i].guard for i in actions))


def fair_groups(ts: TransitionSystem) -> list[tuple[str, str, tuple[int, ...]]]:
    """NOTE(fairness): every constraint of ts.fairness(), the one representation: the derived
    per-(machine, instance, transition) groups, then the declared groups (`fair: {weak: [a, b]}`)."""
    return [(g.name, g.kind, g.actions) for g in ts.fairness()]


def may_stop(ts: TransitionSystem) -> Expr:
    """Where a behaviour may stay for ever (NOTE(stutter) in checker/explicit/liveness.py): where
    nothing is enabled; with `stutter: true` also where no fairness group is enabled."""
    stuck = Not(enabled(ts, tuple(range(len(ts.actions)))))
    if not ts.stutter:
        return stuck
    return Or(stuck, Not(Or(*(enabled(ts, acts) for _, _, acts in fair_groups(ts)))))


def acceptance(ts: TransitionSystem, p: Property, b: _Builder) -> Acceptance:
    """The one place that encodes the property's shape and fairness as monitor bits (extend
    here for new fairness forms or temporal kinds). Every bit is updated from a step's pre-state,
    so after the steps of the loop it has read exactly the loop states s_l..s_{k-1}."""
    saved = b.saved
    fair: list[Expr] = []
    for n, (_, kind, acts) in enumerate(fair_groups(ts)):
        en = enabled(ts, acts)
        fired = _fired(b, f"fired[{n}]", frozenset(acts))
        if kind == "weak":     # enabled in every loop state => fired: fired, or disabled once
            fair.append(Or(fired, _sticky(b, f"off[{n}]", And(saved, Not(en)))))
        else:                  # enabled in some loop state => fired
            fair.append(Implies(_sticky(b, f"seen[{n}]", And(saved, en)), fired))
    shape = _shape(p, b)
    return replace(shape, loop=And(shape.loop, *fair))


def _triggered(ts: TransitionSystem, b: _Builder, facts: Progress) -> Expr:
    """NOTE(l2s-progress): once `trig` is set, each slot is where a P-and-not-Q state's value leads."""
    if "trig" not in {f.name for _, f in b.flags}:
        return TRUE
    cases = [Or(*(Eq(Var(v, ts.vars[v].sort), Const(y, ts.vars[v].sort)) for y in sorted(ys)))
             for v, ys in sorted(facts.triggered.items()) if ys != frozenset(facts.reach[v])]
    return Implies(_v(b, "trig"), And(*cases))


def _sticky(b: _Builder, name: str, cond: Expr) -> Var:
    """A bit set by the first step whose pre-state satisfies cond."""
    def step(i: int) -> Expr:
        return Or(_v(b, name), cond)
    return b.bit(Flag(name, False, step))


def _fired(b: _Builder, name: str, acts: frozenset[int]) -> Var:
    """A bit set by the first step after the save that fires one of acts."""
    def step(i: int) -> Expr | None:
        return Or(_v(b, name), b.saved) if i in acts else None
    return b.bit(Flag(name, False, step))


def _always(b: _Builder, name: str, cond: Expr, on_save: Expr | None = None, loop_only: bool = True) -> Var:
    """A bit cleared by the first step whose pre-state violates cond."""
    def step(i: int) -> Expr:
        return And(_v(b, name), cond)
    return b.bit(Flag(name, True, step, on_save, loop_only))


def _shape(p: Property, b: _Builder) -> Acceptance:
    """The violation shapes of NOTE(lasso), as monitor bits."""
    assert p.pred is not None
    P, saved = p.pred, b.saved
    if p.kind == "eventually":     # not P in every state so far (the loop's are among them)
        now = And(_always(b, "never", Not(P), loop_only=False), Not(P))
        return Acceptance(now, now, now, Implies(saved, Not(shift(P, b.n))))
    if p.kind == "eventually_always":    # not P at some loop state (<>[]P fails infinitely often)
        dip = _sticky(b, "dip", And(saved, Not(P)))
        return Acceptance(TRUE, dip, Not(P))
    if p.kind == "always_eventually":    # not P on the loop
        quiet = _always(b, "quiet", Or(Not(saved), Not(P)), TRUE)
        return Acceptance(Not(P), And(quiet, Not(P)), Not(P), Implies(saved, Not(shift(P, b.n))))
    assert p.kind == "leads_to" and p.pred2 is not None
    Q = p.pred2

    def trig_step(i: int) -> Expr:    # some earlier state had P and not Q, and not Q since
        return And(Not(Q), Or(P, _v(b, "trig")))
    trig = b.bit(Flag("trig", False, trig_step, loop_only=False))
    now = And(Not(Q), Or(P, trig))
    held = b.bit(Flag("held", False, lambda i: And(_v(b, "held"), Not(Q)), now))
    # held was set on a saved state with not Q and (P or trig), and while held, trig stays set
    tied = Implies(held, And(Not(shift(Q, b.n)), Or(shift(P, b.n), trig)))
    return Acceptance(now, And(held, Not(Q)), now, tied)


def _v(b: _Builder, name: str) -> Var:
    slot = next(s for s, f in b.flags if f.name == name)
    return Var(slot, BOOL)


def shift(e: Expr, n: int) -> Expr:
    """e over the shadow: every slot read moved by n."""
    if isinstance(e, Var):
        return Var(e.slot + n, e.sort)
    if isinstance(e, Const):
        return e
    if isinstance(e, Select):
        return Select(tuple(s + n for s in e.slots), shift(e.index, n), e.offset, e.sort)
    if isinstance(e, Ite):
        return Ite(shift(e.cond, n), shift(e.then, n), shift(e.other, n), e.sort)
    return App(e.op, tuple(shift(a, n) for a in e.args), e.sort)


@dataclass(frozen=True)
class Progress:
    """What the system's steps can do to single slots (NOTE(l2s-progress)): for some slots, the
    values reachable from each value; for others, (slot, ">=") when no step lowers it, (slot,
    "<=") when none raises it."""

    reach: dict[int, dict[int, frozenset[int]]]
    monotone: tuple[tuple[int, str], ...] = ()
    triggered: dict[int, frozenset[int]] = field(default_factory=dict)   # leads_to: slot values once `trig`


def product(ts: TransitionSystem, prop: str, progress: Progress | None = None) -> TransitionSystem:
    """The product system of NOTE(l2s) for the temporal property `prop`, with the lemmas of
    NOTE(l2s-lemmas) and NOTE(l2s-progress); its one property is PROP."""
    p = ts.prop(prop)
    facts = progress or Progress({})
    b = _Builder(ts)
    acc = acceptance(ts, p, b)
    n, saved = b.n, b.saved
    same = And(*(Eq(Var(i, v.sort), Var(i + n, v.sort)) for i, v in enumerate(ts.vars)))
    moved = _sticky(b, "moved", saved)
    stuck = may_stop(ts)
    bad = Or(And(saved, moved, same, acc.loop), And(stuck, acc.stutter))
    actions = [_step(a, i, b) for i, a in enumerate(ts.actions)]
    actions.append(_save(b, acc.save))
    init = [*ts.init_values, *((_first(vs),) for vs in ts.init_values),
            *((int(f.init),) for _, f in b.flags)]
    prop_ = Property(PROP, "invariant", pred=Not(bad), doc=f"{p.kind} {p.name}, liveness to safety")
    return replace(ts, name=f"{ts.name}~l2s", vars=tuple(b.vars), init_values=tuple(init),
                   actions=tuple(actions), properties=(prop_,), machines=(),
                   lemmas=(*_lemmas(ts, b), Property("~shape", "invariant", pred=acc.shadow),
                           Property("~triggered", "invariant", pred=_triggered(ts, b, facts)),
                           *_progress(ts, b, facts)))


def _first(vs: object) -> int:
    return next(iter(vs))  # type: ignore[call-overload,no-any-return]


def _step(a: Action, i: int, b: _Builder) -> Action:
    ups = [(slot, e) for slot, f in b.flags if (e := f.on_step(i)) is not None]
    return replace(a, updates=(*a.updates, *ups), fair=None)


def _save(b: _Builder, worth: Expr) -> Action:
    ups: list[tuple[int, Expr]] = [(i + b.n, Var(i, v.sort)) for i, v in enumerate(b.ts.vars)]
    ups += [(slot, f.on_save) for slot, f in b.flags if f.on_save is not None]
    return Action(ActionLabel("~l2s", SAVE, None, ()), And(Not(b.saved), worth), tuple(ups))


def _lemmas(ts: TransitionSystem, b: _Builder) -> tuple[Property, ...]:
    """NOTE(l2s-lemmas)."""
    shadow = tuple(replace(lem, name=f"~{lem.name}", pred=Implies(b.saved, shift(lem.pred, b.n)))
                   for lem in ts.lemmas if lem.kind == "invariant" and lem.pred is not None)
    fresh = And(*(Eq(Var(slot, BOOL), TRUE if f.init else FALSE) for slot, f in b.flags[1:] if f.loop_only))
    return (*ts.lemmas, *shadow, Property("~fresh", "invariant", pred=Implies(Not(b.saved), fresh)))


def _progress(ts: TransitionSystem, b: _Builder, facts: Progress) -> tuple[Property, ...]:
    """NOTE(l2s-progress): "saved => v in reach(~v)", "saved => v >= ~v" (or <=)."""
    out = []
    for v, reach in sorted(facts.reach.items()):
        sort = ts.vars[v].sort
        now, saved = Var(v, sort), Var(v + b.n, sort)
        everything = frozenset(reach)
        cases = [Implies(Eq(saved, Const(x, sort)), Or(*(Eq(now, Const(y, sort)) for y in sorted(ys))))
                 for x, ys in sorted(reach.items()) if ys != everything]
        if cases:
            out.append(Property(f"~reach[{ts.vars[v].name}]", "invariant", pred=Implies(b.saved, And(*cases))))
    op = {">=": Op.GE, "<=": Op.LE}
    for v, d in facts.monotone:
        now, saved = Var(v, ts.vars[v].sort), Var(v + b.n, ts.vars[v].sort)
        out.append(Property(f"~mono[{ts.vars[v].name}]", "invariant",
                            pred=Implies(b.saved, App(op[d], (now, saved), BOOL))))
    return tuple(out)
