"""A hypothesis strategy for small random TransitionSystems, built directly as IR.

Shape: a few global slots (bool, small int ranges, an enum, an index, an option, a two-cell map
read through Select, sometimes also a nested map I -> bool -> T read and written with constant or
variable keys as the front end lowers `n[k1][k2]`), 1-3 "machines" (each a pc slot and a few actions moving it), actions with
guards and simultaneous updates, some of them "operations" with a SUCCESS / error / busy outcome
and a `result` status, and properties of every kind: invariants, step properties (over pre- and
post-state and the result), the built-in range property and deadlock. `live_systems` adds
fairness (none / weak / strong per transition) and temporal properties.

Integer writes are sometimes unclamped, so `range` can be violated (such a step is reported but
its post-state is not explored: NOTE(range-steps) in checker/explicit/search.py). Invariants are biased
towards holding for a while (disjunctions, implications), so that violations are not all at
depth 0 or 1.

`systems(edge=True)` also draws values at the int64 edge (NOTE(int64-exact) in
checker/explicit/vector_expr.py): constants such as 3037000500, 2**62 and 2**63 - 1 (a parameter is
a constant after lowering), variables whose few values lie near +-2**63, a map keyed by
2**62..2**62+1 and read through a variable key, and products and sums in guards and invariants,
so that int64 would wrap where it shows; half of these systems also have literals past int64
(2**63, 2**64, -2**63 - 1) and may have a variable whose values pass 2**63. The other draws are
unchanged, so `systems()` draws the systems it always drew.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from hypothesis import strategies as st

from model import smart
from model.elaborate import cells_hit, read_cells
from model.ir import (
    Action,
    ActionLabel,
    App,
    Const,
    Expr,
    FairGroup,
    MachineInfo,
    Op,
    Property,
    Select,
    StateVar,
    TransitionSystem,
    Var,
)
from model.sorts import BOOL, BoolSort, EnumSort, IndexSort, IntSort, OptionSort, Sort, key_offset, size

WIDE = IntSort(-64, 64)
STATUS = EnumSort("Status", ("SUCCESS", "ERR", "BUSY"))
COLOR = EnumSort("Color", ("RED", "GREEN", "BLUE"))
IDX = IndexSort("I", 2)
GLOBAL_SORTS: list[Sort] = [BOOL, IntSort(0, 2), IntSort(0, 3), IntSort(-1, 1), COLOR, IDX, OptionSort(COLOR)]
EDGE_KEY = IntSort(2**62, 2**62 + 1)
NESTED_PATH: tuple[IndexSort | BoolSort, ...] = (IDX, BOOL)
EDGE_SORTS: list[Sort] = [IntSort(65534, 65536), EDGE_KEY, IntSort(2**63 - 3, 2**63 - 1),
                          IntSort(-(2**63) + 1, -(2**63) + 2)]
PAST_SORT = IntSort(2**63 - 1, 2**63)      # its states do not fit int64 rows
EDGE_CONSTS = [65536, 2**31, 3037000500, 2**62, 2**62 + 1, 2**63 - 1, -(2**62), -(2**63) + 1]
PAST_CONSTS = [2**63, 2**64, -(2**63), -(2**63) - 1]


@dataclass
class _Build:
    draw: st.DrawFn
    edge: bool = False
    past: bool = False          # (at the edge) also values that do not fit int64
    vars: list[StateVar] = field(default_factory=list)
    maps: list[tuple[tuple[int, int], Sort, Sort]] = field(default_factory=list)   # cells, key, value
    nested: list[tuple[tuple[int, ...], Sort]] = field(default_factory=list)        # I -> bool -> value

    def slots_of(self, pred: type | tuple[type, ...]) -> list[int]:
        return [i for i, v in enumerate(self.vars) if isinstance(v.sort, pred)]

    def pick(self, xs: list[int]) -> int:
        return self.draw(st.sampled_from(xs))

    # ---- expressions ------------------------------------------------------------------------

    def const_of(self, s: Sort) -> Const:
        return Const(self.draw(st.sampled_from(s.values())), s)

    def key(self, ks: Sort) -> Expr:
        same = [i for i, v in enumerate(self.vars) if v.sort == ks]
        if same and self.draw(st.booleans()):
            return Var(self.pick(same), ks)
        return self.const_of(ks)

    def symbolic(self, s: Sort, depth: int) -> Expr:
        """A value of an enum / index / option / bool sort (never out of its sort)."""
        same = [i for i, v in enumerate(self.vars) if v.sort == s or
                (isinstance(s, OptionSort) and v.sort == s.inner)]
        cells = [m for m in self.maps if m[2] == s]
        nested = [n for n in self.nested if n[1] == s]
        choice = self.draw(st.integers(0, 3 if depth > 0 else 1))
        if choice == 1 and same:
            j = self.pick(same)
            return Var(j, self.vars[j].sort)
        if choice == 2 and nested:   # m[k1][k2] as the front end lowers it (NOTE(key-paths))
            slots, vs = self.draw(st.sampled_from(nested))
            return read_cells(NESTED_PATH, slots, [self.key(k) for k in NESTED_PATH], vs)
        if choice == 2 and cells:
            (a, b), ks, vs = self.draw(st.sampled_from(cells))
            return Select((a, b), self.key(ks), key_offset(ks), vs)   # type: ignore[arg-type]
        if choice == 3:
            return smart.Ite_(self.boolean(depth - 1), self.symbolic(s, depth - 1), self.symbolic(s, depth - 1), s)
        if isinstance(s, BoolSort) and depth > 0:
            return self.boolean(depth - 1)
        return self.const_of(s)

    def integer(self, depth: int) -> Expr:
        ints = self.slots_of((IntSort, IndexSort))
        choice = self.draw(st.integers(0, 6 if depth > 0 else 1))
        if choice == 0 or not ints:
            if self.edge and self.draw(st.booleans()):
                return smart.const_int(self.draw(st.sampled_from(EDGE_CONSTS + PAST_CONSTS if self.past
                                                                 else EDGE_CONSTS)))
            return Const(self.draw(st.integers(-2, 3)), WIDE)
        if choice == 1:
            cells = [m for m in self.maps if isinstance(m[2], IntSort)]
            if self.edge and cells and self.draw(st.booleans()):
                (a, b), ks, vs = self.draw(st.sampled_from(cells))
                return Select((a, b), self.key(ks), key_offset(ks), vs)   # type: ignore[arg-type]
            j = self.pick(ints)
            return Var(j, self.vars[j].sort)
        if choice == 2:
            return App(Op.NEG, (self.integer(depth - 1),), WIDE)
        if choice == 3:
            return smart.Ite_(self.boolean(depth - 1), self.integer(depth - 1), self.integer(depth - 1), WIDE)
        op = self.draw(st.sampled_from([Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MOD]))
        return App(op, (self.integer(depth - 1), self.integer(depth - 1)), WIDE)

    def boolean(self, depth: int) -> Expr:
        choice = self.draw(st.integers(0, 6 if depth > 0 else 3))
        if choice == 0:
            return self.const_of(BOOL)
        if choice == 1:
            sorts = sorted({v.sort for v in self.vars if not isinstance(v.sort, IntSort)}, key=str)
            s = self.draw(st.sampled_from(sorts))
            op = self.draw(st.sampled_from([Op.EQ, Op.NE]))
            return App(op, (self.symbolic(s, depth), self.symbolic(s, 0)), BOOL)
        if choice in (2, 3):
            op = self.draw(st.sampled_from([Op.LT, Op.LE, Op.GT, Op.GE, Op.EQ, Op.NE]))
            # at the edge, products and sums in guards and invariants, where a wrap shows
            return App(op, (self.integer(depth + 1 if self.edge else max(depth - 1, 0)), self.integer(0)), BOOL)
        if choice == 4:
            return smart.Not(self.boolean(depth - 1))
        if choice == 5:
            return App(Op.IMPLIES, (self.boolean(depth - 1), self.boolean(depth - 1)), BOOL)
        op = self.draw(st.sampled_from([Op.AND, Op.OR]))
        return App(op, tuple(self.boolean(depth - 1) for _ in range(self.draw(st.integers(2, 3)))), BOOL)

    def value_for(self, slot: int) -> Expr:
        s = self.vars[slot].sort
        if not isinstance(s, IntSort):
            return self.symbolic(s, 2)
        v = self.integer(2)
        if self.draw(st.integers(0, 9)) < 6:   # clamped into the sort: never a range error
            v = smart.Ite_(App(Op.LT, (v, Const(s.lo, s)), BOOL), Const(s.lo, s),
                           smart.Ite_(App(Op.GT, (v, Const(s.hi, s)), BOOL), Const(s.hi, s), v, WIDE), WIDE)
        return v


def _range_bad(b: _Build, guard: Expr, updates: tuple[tuple[int, Expr], ...]) -> Expr:
    outs: list[Expr] = []
    for slot, e in updates:
        s = b.vars[slot].sort
        if isinstance(s, IntSort):
            outs.append(smart.Or(App(Op.LT, (e, Const(s.lo, s)), BOOL), App(Op.GT, (e, Const(s.hi, s)), BOOL)))
    return smart.And(guard, smart.Or(*outs))


@st.composite
def systems(draw: st.DrawFn, edge: bool = False) -> TransitionSystem:
    return _system(draw, live=False, edge=edge)


@st.composite
def live_systems(draw: st.DrawFn, range_errors: bool = False, groups: bool = False) -> TransitionSystem:
    """A system as `systems` draws it (the same draws first), then fairness on its transitions
    and temporal properties: eventually, always_eventually, leads_to and eventually_always.

    range_errors: also a counter `cnt` and a weakly or strongly fair transition `ovf` that adds
    to it unclamped, so that it is enabled in reachable states where its step leaves the range
    (NOTE(range-fairness) in checker/core/semantics.py), inside the other machines' cycles.

    groups: also one or two declared fairness groups "a or b" (model.ir FairGroup), each a
    weak or strong group of some actions across machines, and `stutter` on or off (drawn last)."""
    ts = _system(draw, live=True, range_errors=range_errors)
    return replace(ts, fair_groups=_groups(draw, ts), stutter=draw(st.booleans())) if groups else ts


def _groups(draw: st.DrawFn, ts: TransitionSystem) -> tuple[FairGroup, ...]:
    """Groups over the actions that are not a BUSY outcome (they stay adversarial, as lowered)."""
    fair = [i for i, a in enumerate(ts.actions) if a.label.outcome != "BUSY"]
    if not fair:
        return ()
    out = []
    for n in range(draw(st.integers(1, 2))):
        acts = draw(st.lists(st.sampled_from(fair), min_size=1, max_size=3, unique=True))
        out.append(FairGroup(f"g{n}", draw(st.sampled_from(["weak", "strong"])), tuple(sorted(acts))))
    return tuple(out)


def _system(draw: st.DrawFn, live: bool, edge: bool = False, range_errors: bool = False) -> TransitionSystem:
    b = _Build(draw, edge, edge and draw(st.booleans()))
    sorts = GLOBAL_SORTS + EDGE_SORTS + [PAST_SORT] * b.past if edge else GLOBAL_SORTS
    for k in range(draw(st.integers(1, 4))):
        # at the edge, the first variable is near +-2**63 (its values still fit int64)
        s = draw(st.sampled_from(EDGE_SORTS if edge and k == 0 else sorts))
        b.vars.append(StateVar(f"g{k}", s, f"g{k}"))
    if draw(st.booleans()):   # a two-cell map, keyed by an index set or by bool
        ks: Sort = draw(st.sampled_from([IDX, BOOL, EDGE_KEY] if edge else [IDX, BOOL]))
        vs: Sort = draw(st.sampled_from([BOOL, COLOR, OptionSort(COLOR), *EDGE_SORTS] if edge
                                        else [BOOL, COLOR, OptionSort(COLOR)]))
        base = len(b.vars)
        for key in ks.values():
            b.vars.append(StateVar(f"m[{ks.render(key)}]", vs, "m", ks.render(key)))
        b.maps.append(((base, base + 1), ks, vs))
        if not live and draw(st.booleans()):   # (live_systems draw as they did before nested maps)
            _nested_map(b, vs)
    machines, actions = _machines(b, draw(st.integers(1, 3)))
    if range_errors:
        actions.append(_overflow(b, machines))
    init_values = tuple(_init(b, i) for i in range(len(b.vars)))
    init_c = b.boolean(1) if draw(st.integers(0, 3)) == 0 else None
    props = _properties(b, actions, machines)
    if live:   # drawn after everything else, so that `systems` draws stay as they were
        actions = _fairness(b, actions)
        if range_errors:   # the counter's transition is always fair (it was drawn last)
            actions[-1] = replace(actions[-1], fair=draw(st.sampled_from(["weak", "strong"])))
        props = _temporal(b, actions)
    return TransitionSystem("gen", "<gen>", (), None, tuple(b.vars), init_values, init_c, tuple(actions),
                            tuple(props), tuple(machines), statuses=STATUS.members)


def _nested_map(b: _Build, vs: Sort) -> None:
    """A nested map n: I -> bool -> vs, one slot per key pair (NOTE(key-paths) in model/ir.py)."""
    base = len(b.vars)
    for k1 in IDX.values():
        for k2 in BOOL.values():
            keys = ((IDX, k1), (BOOL, int(k2)))
            b.vars.append(StateVar(f"n[{k1}][{BOOL.render(k2)}]", vs, "n", str(k1), None, IDX, k1, keys,
                                   "n[{}][{}]"))
    b.nested.append((tuple(range(base, len(b.vars))), vs))


def _nested_write(b: _Build, targets: list[int]) -> list[tuple[int, Expr]]:
    """`n[k1][k2] := v` with drawn (maybe variable) keys, as model/writes.py lowers it."""
    slots, vs = b.draw(st.sampled_from(b.nested))
    if any(s in targets for s in slots):
        return []
    value = b.symbolic(vs, 1)
    hits = cells_hit(NESTED_PATH, slots, [b.key(k) for k in NESTED_PATH])
    return [(s, smart.Ite_(h, value, Var(s, vs), vs)) for s, h in hits if not smart.is_false(h)]


def _init(b: _Build, i: int) -> Sequence[int]:
    v = b.vars[i]
    vals = v.sort.values()
    if v.machine is not None:          # a pc starts in the machine's first state
        return (vals[0],)
    if b.draw(st.integers(0, 3)) == 0:  # a nondeterministic initial value
        some = tuple(sorted(b.draw(st.sets(st.sampled_from(vals), min_size=1, max_size=2))))
        # all of the sort: give it as the front end does for `init: any`, the sort's own lazy
        # values (a range, NOTE(lazy-values) in model/sorts.py), so engines meet that form too
        return vals if len(some) == size(v.sort) else some
    return (b.draw(st.sampled_from(vals)),)


def _machines(b: _Build, n: int) -> tuple[list[MachineInfo], list[Action]]:
    infos, acts = [], []
    pcs = []
    for m in range(n):
        pcsort = EnumSort(f"PC{m}", tuple(f"s{j}" for j in range(b.draw(st.integers(2, 3)))))
        pcs.append(len(b.vars))
        b.vars.append(StateVar(f"mach{m}.pc", pcsort, f"mach{m}.pc", machine=f"mach{m}"))
        infos.append(MachineInfo(f"mach{m}", None, (pcs[-1],)))
    for m in range(n):
        for t in range(b.draw(st.integers(1, 3))):
            acts.extend(_action(b, m, t, pcs[m]))
    return infos, acts


def _action(b: _Build, m: int, t: int, pc: int) -> list[Action]:
    pcsort = b.vars[pc].sort
    src, dst = b.const_of(pcsort), b.const_of(pcsort)
    guard = smart.And(smart.Eq(Var(pc, pcsort), src), b.boolean(1) if b.draw(st.booleans()) else smart.TRUE)
    others = [i for i, v in enumerate(b.vars) if v.machine is None]
    targets = sorted(b.draw(st.sets(st.sampled_from(others), max_size=2))) if others else []
    keyed = _nested_write(b, targets) if b.nested and b.draw(st.booleans()) else []
    updates = tuple(sorted([(pc, dst), *((j, b.value_for(j)) for j in targets), *keyed]))
    label = ActionLabel(f"mach{m}", f"t{t}", None, ())
    if not b.draw(st.integers(0, 2)) == 0:
        return [Action(label, guard, updates)]
    # an operation: its check decides SUCCESS (effect) or ERR (no effect); BUSY may always happen
    check = b.boolean(1)
    out = [Action(ActionLabel(label.machine, label.transition, None, (), "SUCCESS"), smart.And(guard, check),
                  updates, "op", Const(0, STATUS)),
           Action(ActionLabel(label.machine, label.transition, None, (), "ERR"), smart.And(guard, smart.Not(check)),
                  ((pc, dst),) if pc != dst else (), "op", Const(1, STATUS))]
    if b.draw(st.booleans()):
        out.append(Action(ActionLabel(label.machine, label.transition, None, (), "BUSY"), guard, (), "op",
                          Const(2, STATUS)))
    return [a for a in out if not smart.is_false(a.guard)]


def _overflow(b: _Build, machines: list[MachineInfo]) -> Action:
    """`cnt := cnt + d` on a new counter 0..1 or 0..2, d mostly 1 (so the step leaves the range
    once the counter is full) and otherwise drawn; guarded by a machine's control state or not."""
    cnt = len(b.vars)
    csort = IntSort(0, b.draw(st.integers(1, 2)))
    b.vars.append(StateVar("cnt", csort, "cnt"))
    m = b.draw(st.integers(0, len(machines) - 1))
    pc = machines[m].pc_slots[0]
    guard = smart.Eq(Var(pc, b.vars[pc].sort), b.const_of(b.vars[pc].sort)) if b.draw(st.booleans()) else smart.TRUE
    if b.draw(st.booleans()):
        guard = smart.And(guard, b.boolean(1))
    d = Const(1, WIDE) if b.draw(st.booleans()) else b.integer(1)
    return Action(ActionLabel(f"mach{m}", "ovf", None, ()), guard, ((cnt, App(Op.ADD, (Var(cnt, csort), d), WIDE)),))


def _likely(b: _Build) -> Expr:
    """A state predicate more often true than not: a disjunction or implication of atoms."""
    if b.draw(st.booleans()):
        return App(Op.OR, tuple(b.boolean(1) for _ in range(b.draw(st.integers(2, 3)))), BOOL)
    return App(Op.IMPLIES, (b.boolean(1), b.boolean(1)), BOOL)


def _properties(b: _Build, acts: list[Action], machines: list[MachineInfo]) -> list[Property]:
    props = [Property(f"inv{k}", "invariant", pred=_likely(b)) for k in range(b.draw(st.integers(1, 2)))]
    bad = []
    for i, a in enumerate(acts):
        if b.draw(st.booleans()):
            cond = b.boolean(1)
            if b.draw(st.booleans()):   # over the post-state: post(e) is e with the updates substituted
                cond = smart.subst(cond, dict(a.updates))
            if a.result is not None and b.draw(st.booleans()):
                cond = smart.And(cond, smart.Eq(a.result, Const(0, STATUS)))
            bad.append((i, smart.And(a.guard, cond)))
    props.append(Property("step", "step", bad=tuple(x for x in bad if not smart.is_false(x[1]))))
    props.append(Property("range", "range", bad=tuple(
        (i, r) for i, a in enumerate(acts) if not smart.is_false(r := _range_bad(b, a.guard, a.updates)))))
    terminal = smart.And(*(smart.Eq(Var(m.pc_slots[0], b.vars[m.pc_slots[0]].sort),
                                    Const(0, b.vars[m.pc_slots[0]].sort)) for m in machines))
    props.append(Property("deadlock", "deadlock", pred=smart.Or(*(a.guard for a in acts), terminal)))
    return props


def _fairness(b: _Build, acts: list[Action]) -> list[Action]:
    """Per (machine, transition) group: none, weak or strong; an operation's BUSY outcome stays
    adversarial (it models may_fail), as the lowering does (NOTE(fairness) in model/ir.py)."""
    kinds: dict[tuple[str, str, int | None], str | None] = {}
    out = []
    for a in acts:
        g = a.fair_group
        if g not in kinds:
            kinds[g] = b.draw(st.sampled_from([None, "weak", "strong"]))
        out.append(replace(a, fair=None if a.label.outcome == "BUSY" else kinds[g]))
    return out


def _goal(b: _Build) -> Expr:
    """A target state: mostly a machine's control state (reached only by taking steps), so that
    whether it is reached depends on fairness."""
    pcs = [i for i, v in enumerate(b.vars) if v.machine is not None]
    if b.draw(st.integers(0, 2)) == 0:
        return b.boolean(1)
    j = b.pick(pcs)
    return smart.Eq(Var(j, b.vars[j].sort), b.const_of(b.vars[j].sort))


def _temporal(b: _Build, acts: list[Action]) -> list[Property]:
    return [Property("ev", "eventually", pred=_goal(b)),
            Property("inf", "always_eventually", pred=_goal(b)),
            Property("resp", "leads_to", pred=b.boolean(1), pred2=_goal(b)),
            # the built-in range property: liveness tests skip systems that violate it
            Property("range", "range", bad=tuple(
                (i, r) for i, a in enumerate(acts) if not smart.is_false(r := _range_bad(b, a.guard, a.updates)))),
            Property("stab", "eventually_always", pred=_goal(b))]     # drawn last: earlier draws stay
