"""The parameterised form of a spec (issue 16): one quantified system for every size of its
symmetric index sets, produced once from the surface spec beside model/lower.py.

NOTE(param-encoding): a type declared `symmetric: true` whose size is a parameter becomes a sort
of unknown size (at least the parameter's `min`). Its elements are never constants (the front end
refuses literals, arithmetic and ordering on them, SC316 and numeric() in elaborate.py), so every
element an expression names is a *bound* element: a quantifier's variable, a transition's
parameter or the `self` of a machine instance. A bound element is written Var(slot=-(j+1)) (a
negative slot is no state slot; `ParamSystem.bound[j]` names it). The symmetric set is laid out at
a nominal size of one: a map over it (and a field of a machine indexed by it) has one slot, which
stands for the whole function; a read at a bound element is Select(slots, element), which no
smart constructor folds (the element is no Const). `all`/`any` become `Quant` nodes, `count(..)`
compared with a constant c <= 3 existentials over c or c + 1 distinct elements (NOTE(count-quant)).
Every other parameter keeps the run's value.

Only checker/smt/forall.py reads a ParamSystem; `Quant` and `Count` nodes are no IR expressions
and never reach another engine. Where the spec needs more than this fragment (a count compared
with anything but a constant up to 3, the size parameter read as a number, a write to a cell that is not the
quantified one), lowering returns `Refusal`s, each with the place, the construct and why.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from typing import cast

from model import smart
from model import syntax as S
from model.diagnostics import Collector
from model.elaborate import Elaborator, Env, numeric
from model.ir import TEMPORAL_KINDS, App, Const, Expr, Ite, Op, Select, StateVar, Var
from model.params import Instance
from model.scope import MachineScope, Scope, check_duplicates, param_consts, status_sort
from model.seqs import has_seq
from model.sets import has_set
from model.sorts import BOOL, EnumSort, IndexSort, IntSort, OptionSort, Sort
from model.source import Span

NOMINAL = 1           # slots laid out per symmetric set (NOTE(param-encoding))
REFUSED = "refused"   # the kind of a temporal property outside the fragment (its `text` says why)


@dataclass(frozen=True)
class Quant:
    """forall/exists `var` (a bound element of a symmetric sort): body."""

    forall: bool
    var: Var
    body: Expr
    sort: Sort = BOOL


MAX_COUNT_BOUND = 3   # count(...) OP c for c up to this: at most c + 1 nested quantifiers (NOTE(count-quant))


@dataclass(frozen=True)
class Count:
    """count(body for var): legal only compared with a small constant (then it becomes Quants)."""

    var: Var
    body: Expr
    span: Span | None = field(default=None, compare=False)
    sort: Sort = IntSort(0, 2**31)


@dataclass(frozen=True)
class Refusal:
    """Why the spec leaves the parameterised fragment, and where."""

    span: Span | None
    construct: str
    why: str

    def render(self) -> str:
        where = f"{self.span}: " if self.span else ""
        return f"{where}{self.construct}: {self.why}"


@dataclass(frozen=True)
class PSort:
    """A symmetric set of unknown size: `name` has `param` >= `min` elements."""

    name: str
    param: str
    min: int


@dataclass(frozen=True)
class FnUpdate:
    """The post-state of a function slot: at element `frame`, `value` (over the pre-state)."""

    slot: int
    frame: Var
    value: Expr


@dataclass(frozen=True)
class PAction:
    label: str                          # e.g. "vcpu[v0].run(lp=1)"
    machine: str
    transition: str
    params: tuple[Var, ...]             # the bound elements it is taken for (existential)
    guard: Expr
    updates: tuple[tuple[int, Expr], ...]   # scalar slots
    fn_updates: tuple[FnUpdate, ...]
    range_bad: Expr
    fair: str | None = None             # NOTE(fairness): weak | strong | None, as model/lower.py sets it
    instance: int | None = None         # the machine instance of a machine that is no family

    @property
    def written(self) -> set[int]:
        return {s for s, _ in self.updates} | {u.slot for u in self.fn_updates}


@dataclass(frozen=True)
class PProperty:
    name: str
    kind: str                            # invariant | step | deadlock | range
    pred: Expr | None = None
    bad: tuple[tuple[int, Expr], ...] = ()
    span: Span | None = field(default=None, compare=False)
    text: str = ""                       # the expression in spec syntax (for --show-invariants)
    on: tuple[str, ...] = ()             # a step property's `on:` list
    pred2: Expr | None = None            # Q of `P leads_to Q`
    # a temporal family over symmetric sets: its variables, free elements of every query (so the
    # proof holds for each element: NOTE(forall-l2s) in checker/smt/forall_l2s.py)
    family: tuple[Var, ...] = ()


@dataclass(frozen=True)
class ParamSystem:
    name: str
    sorts: tuple[PSort, ...]
    fixed: tuple[tuple[str, str], ...]   # every other parameter, at its value
    vars: tuple[StateVar, ...]           # function slots: key_sort a symmetric IndexSort
    bound: tuple[tuple[str, Sort], ...]  # name and sort of each bound element (NOTE(param-encoding))
    init: Expr
    actions: tuple[PAction, ...]
    properties: tuple[PProperty, ...]
    lemmas: tuple[PProperty, ...]
    terminal: Expr
    # NOTE(rigid-axioms): the conjuncts of `initially:` that read only slots no action writes
    # (a rigid map such as an LP's package) hold in every reachable state, so every query may
    # assume them of the pre-state (and the post-state, which leaves those slots alone)
    axioms: Expr = smart.TRUE

    def is_fn(self, slot: int) -> bool:
        ks = self.vars[slot].key_sort
        return isinstance(ks, IndexSort) and ks.symmetric

    def prop(self, name: str) -> PProperty:
        return next(p for p in (*self.properties, *self.lemmas) if p.name == name)


def as_expr(x: Quant | Count) -> Expr:
    return cast(Expr, x)


def is_sym(s: Sort | None) -> bool:
    inner = s.inner if isinstance(s, OptionSort) else s
    return isinstance(inner, IndexSort) and inner.symmetric


def bound_vars(e: object) -> set[int]:
    """Slots of the bound elements read in e (free or not)."""
    out: set[int] = set()
    stack = [e]
    while stack:
        x = stack.pop()
        if isinstance(x, Var) and x.slot < 0:
            out.add(x.slot)
        else:
            stack.extend(_children(x))
    return out


def _children(x: object) -> tuple[object, ...]:
    """The sub-expressions of one node (a quantifier's or count's bound variable included)."""
    if isinstance(x, Select):
        return (x.index,)
    if isinstance(x, Ite):
        return (x.cond, x.then, x.other)
    if isinstance(x, App):
        return tuple(x.args)
    if isinstance(x, (Quant, Count)):
        return (x.var, x.body)
    return ()


def rename(e: Expr, old: Var, new: Expr) -> Expr:
    """e with the bound element `old` replaced by `new`."""
    x = cast(object, e)
    if x == old:
        return new
    if isinstance(x, Select):
        return Select(x.slots, rename(x.index, old, new), x.offset, x.sort)
    if isinstance(x, Ite):
        return smart.Ite_(rename(x.cond, old, new), rename(x.then, old, new), rename(x.other, old, new), x.sort)
    if isinstance(x, App):
        return smart.app(x.op, [rename(a, old, new) for a in x.args], x.sort)
    if isinstance(x, Quant):
        return as_expr(replace(x, body=rename(x.body, old, new))) if x.var != old else e
    return e


def reads(e: object) -> set[int]:
    """The state slots e reads."""
    out: set[int] = set()
    stack = [e]
    while stack:
        x = stack.pop()
        if isinstance(x, Var) and x.slot >= 0:
            out.add(x.slot)
        elif isinstance(x, Select):
            out.update(x.slots)
            stack.append(x.index)
        elif isinstance(x, Ite):
            stack.extend((x.cond, x.then, x.other))
        elif isinstance(x, App):
            stack.extend(x.args)
        elif isinstance(x, (Quant, Count)):
            stack.append(x.body)
    return out


def find_counts(e: object) -> list[Count]:
    out: list[Count] = []
    stack = [e]
    while stack:
        x = stack.pop()
        if isinstance(x, Count):
            out.append(x)
        else:
            stack.extend(_children(x))
    return out


def self_of(env: Env) -> Var | None:
    """`self` of a machine family: its bound element, whose slot the env's self_idx holds (a
    negative one, NOTE(param-encoding); defs keep self_idx, not the bindings, in their scope)."""
    m = env.machine
    if m is None or not is_sym(m.instances) or env.self_idx is None or env.self_idx >= 0:
        return None
    return Var(env.self_idx, cast(Sort, m.instances))


class ParamElaborator(Elaborator):
    """The front end's elaborator, with quantifiers over symmetric sets kept as quantifiers."""

    def __init__(self, scope: Scope, unbounded: dict[str, str]):
        super().__init__(scope)
        self.unbounded = unbounded            # size param -> its symmetric set
        self.bound: list[tuple[str, Sort]] = []
        self.refusals: list[Refusal] = []

    def refuse(self, span: Span | None, construct: str, why: str) -> None:
        r = Refusal(span, construct, why)
        if r not in self.refusals:
            self.refusals.append(r)

    def new_bound(self, name: str, sort: Sort) -> Var:
        self.bound.append((name, sort))
        return Var(-len(self.bound), sort)

    def _Name(self, e: S.Name, env: Env, expected: Sort | None) -> Expr | None:
        if e.id in self.unbounded and env.lookup(e.id) is None:
            self.refuse(e.span, f"'{e.id}' read as a number", f"{e.id} is the size of symmetric set "
                        f"{self.unbounded[e.id]}, which the proof leaves unbounded")
        return super()._Name(e, env, expected)

    def _state_name(self, e: S.Name, env: Env) -> Expr | None | bool:
        m = env.machine
        me = self_of(env)
        if m is not None and me is not None and e.id == "self":
            return me
        if m is not None and me is not None and (e.id == "pc" or e.id in m.fields):
            info = m.pc if e.id == "pc" else m.fields[e.id]
            return Select(info.slots, me, 0, info.sort)
        return super()._state_name(e, env)

    def _Call(self, e: S.Call, env: Env, expected: Sort | None) -> Expr | None:
        if e.func == "post":
            self.refuse(e.span, "post()", "post-state reads are not in the parameterised encoding")
        return super()._Call(e, env, expected)

    def _GenCall(self, e: S.GenCall, env: Env, expected: Sort | None) -> Expr | None:
        dom = self.sc.types.get(e.domain)
        if not is_sym(dom) or e.func not in ("all", "any", "count"):
            return super()._GenCall(e, env, expected)
        if not self.binder_ok(e.var, e.span, env):
            return None
        v = self.new_bound(e.var, cast(Sort, dom))
        benv = env.bind_quantified(e.var, v)
        c = self.bool_expr(e.cond, benv) if e.cond is not None else smart.TRUE
        x = self.bool_expr(e.elem, benv)
        if c is None or x is None:
            return None
        if e.func == "all":
            return as_expr(Quant(True, v, smart.Implies(c, x)))
        if e.func == "any":
            return as_expr(Quant(False, v, smart.And(c, x)))
        return as_expr(Count(v, smart.And(c, x), e.span))

    def _compare2(self, op: str, a: Expr, b: Expr, span: Span) -> Expr | None:
        ca, cb = cast(object, a), cast(object, b)
        cnt = ca if isinstance(ca, Count) else cb if isinstance(cb, Count) else None
        if cnt is None:
            return super()._compare2(op, a, b, span)
        other = b if cnt is ca else a
        flipped = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op) if cnt is cb else op
        c = int(other.value) if isinstance(other, Const) and not isinstance(other.value, bool) else None
        if c is None or c > MAX_COUNT_BOUND:
            self.refuse(cnt.span or span, f"count(...) {op} {'...' if not isinstance(other, Const) else other.value}",
                        f"over a symmetric set a count has a quantified meaning only compared with a "
                        f"constant from 0 to {MAX_COUNT_BOUND}; any other count needs the set's size")
            return smart.FALSE
        # NOTE(count-quant): a count compared with a constant c is a statement about c or c + 1
        # distinct elements, exact at every size: count >= n iff n pairwise distinct elements
        # satisfy the body (n <= 0: true); <=, <, >, ==, != are that and its negation at c or c + 1
        least = {">=": (c, True), ">": (c + 1, True), "<=": (c + 1, False), "<": (c, False)}
        if flipped in least:
            n, positive = least[flipped]
            got = self.at_least(cnt, n)
            return got if positive else smart.Not(got)
        exactly = smart.And(self.at_least(cnt, c), smart.Not(self.at_least(cnt, c + 1)))
        return exactly if flipped == "==" else smart.Not(exactly)

    def at_least(self, cnt: Count, n: int) -> Expr:
        """Some n pairwise distinct elements satisfy the count's body (NOTE(count-quant))."""
        if n <= 0:
            return smart.TRUE
        name = self.bound[-cnt.var.slot - 1][0]   # the count's own variable, as written
        xs = [cnt.var, *(self.new_bound(f"{name}{i}", cnt.var.sort) for i in range(1, n))]
        body = smart.And(*(smart.Not(smart.Eq(x, y)) for x, y in itertools.combinations(xs, 2)),
                         *(rename(cnt.body, cnt.var, x) for x in xs))
        for x in reversed(xs):
            body = as_expr(Quant(False, x, body))
        return body

    def _Binary(self, e: S.Binary, env: Env, expected: Sort | None) -> Expr | None:
        x = super()._Binary(e, env, expected)
        if x is not None and find_counts(x) and not isinstance(cast(object, x), Count):
            self.refuse(e.span, f"count(...) {e.op} ...", "arithmetic on a count over a symmetric set "
                        "needs the set's size")
        return x


# ---- lowering ------------------------------------------------------------------------------

Lowered = ParamSystem | tuple[Refusal, ...]


def lower_param(spec: S.SpecDecl, inst: Instance) -> Lowered:
    """The parameterised form of one instance (its symmetric sets unbounded, every other
    parameter at its value), or why the spec leaves the fragment. The spec is assumed to lower
    (model/lower.py) at this instance: its errors are reported there."""
    from model import lower as L
    out = Collector()
    sc = Scope(spec, inst, out, status=status_sort(spec))
    check_duplicates(spec, out)
    sorts, refusals = _symmetric_sets(spec)
    if outside := _outside(spec):
        return tuple(outside)
    if not sorts and not refusals:
        return (Refusal(None, "no symmetric set", "the spec has none sized by a parameter, so there is no "
                        "size to prove it for"),)
    el = ParamElaborator(sc, {s.param: s.name for s in sorts})
    el.refusals.extend(refusals)
    param_consts(sc)
    sc.add_member(sc.status)
    _types(sc, el, {s.name for s in sorts})
    sc.defs = {d.name: d for d in spec.defs}
    sc.ops = {o.name: o for o in spec.operations}
    init_vals = L._slots(sc, el)
    acts = _actions(sc, el)
    init = _init(sc, el, init_vals)
    props = _properties(sc, el, spec.properties, acts, inst)
    lemmas = _properties(sc, el, spec.lemmas, acts, inst)
    actions = tuple(a for a, _ in acts)
    builtin = [PProperty("deadlock", "deadlock", pred=smart.Or(*(_closed(a.guard, a.params) for a in actions),
                                                                 terminal := _terminal(sc, el)))]
    builtin.append(PProperty("range", "range", bad=tuple((i, a.range_bad) for i, a in enumerate(actions)
                                                         if not smart.is_false(a.range_bad))))
    updates = [e for a in actions for e in (*(u for _, u in a.updates), *(u.value for u in a.fn_updates))]
    for x in [init, *(a.guard for a in actions), *updates, *(e for p in (*props, *lemmas) for e in _exprs(p))]:
        for c in find_counts(x):
            el.refuse(c.span, "count(...)", "a count over a symmetric set is only allowed compared with 0")
    if out.diagnostics:
        d = out.diagnostics[0]
        el.refuse(d.span, "the spec at its nominal size", d.message)
    if el.refusals:
        return tuple(el.refusals)
    fixed = tuple((k, v) for k, v in inst.rendered() if k not in {s.param for s in sorts})
    return ParamSystem(spec.name, tuple(sorts), fixed, tuple(sc.vars), tuple(el.bound), init, actions,
                       (*props, *builtin), tuple(lemmas), terminal, _axioms(sc, el, actions))


def _axioms(sc: Scope, el: ParamElaborator, actions: tuple[PAction, ...]) -> Expr:
    """NOTE(rigid-axioms)."""
    if sc.spec.initially is None:
        return smart.TRUE
    e = el.bool_expr(sc.spec.initially, Env())
    if e is None:
        return smart.TRUE
    written = set().union(*(a.written for a in actions))
    parts = e.args if isinstance(e, App) and e.op is Op.AND else (e,)
    return smart.And(*(x for x in parts if not reads(x) & written))


def _exprs(p: PProperty) -> list[Expr]:
    return [x for x in (p.pred,) if x is not None] + [b for _, b in p.bad]


def _outside(spec: S.SpecDecl) -> list[Refusal]:
    """Constructs this lowering does not encode (yet), refused before anything is lowered:
    finite sets, nested and machine-local maps, records and key-dependent initial values (their cells are
    key paths, NOTE(key-paths) in model/ir.py), and property families (a member names one
    element of its set). Refusing keeps the verdict unknown, never a proof of another system."""
    records = {t.name for t in spec.types if t.kind == "record"}
    out = []
    local = [(v, True) for m in spec.machines for v in m.vars]
    for v, in_machine in [*((v, False) for v in spec.vars), *local]:
        t = v.type
        if has_set(t):   # NOTE(sets) in model/sets.py: a set is a map over its element type
            out.append(Refusal(v.span, f"variable '{v.name}'", "a finite set"))
        elif has_seq(t):   # NOTE(seqs) in model/seqs.py: a sequence is a record of slots
            out.append(Refusal(v.span, f"variable '{v.name}'", "a sequence"))
        elif isinstance(t, S.MapType) and (in_machine or isinstance(t.value, S.MapType)):
            out.append(Refusal(v.span, f"variable '{v.name}'", "a nested or machine-local map"))
        elif v.init_keys:
            out.append(Refusal(v.span, f"variable '{v.name}'", "an initial value that depends on the key"))
        elif any(isinstance(x, S.NamedType) and x.name in records for x in (t, getattr(t, "value", None))):
            out.append(Refusal(v.span, f"variable '{v.name}'", "a record"))
    for p in (*spec.properties, *spec.lemmas):
        if p.family and p.kind in ("invariant", "step"):   # a temporal family is left out anyway
            out.append(Refusal(p.span, f"property family '{p.name}'",
                               "each member names one element of its set (`for:`)"))
    return out


def _symmetric_sets(spec: S.SpecDecl) -> tuple[list[PSort], list[Refusal]]:
    ints = {p.name: p for p in spec.params if p.kind == "int"}
    sorts, refusals = [], []
    for t in spec.types:
        if t.kind != "index" or not t.symmetric:
            continue
        if isinstance(t.size, S.Name) and t.size.id in ints:
            lo = ints[t.size.id].lo
            sorts.append(PSort(t.name, t.size.id, lo if lo is not None and lo > 1 else 1))
        else:
            refusals.append(Refusal(t.span, f"symmetric set '{t.name}'",
                                    "its size must be a parameter (the one the proof leaves unbounded)"))
    return sorts, refusals


def _types(sc: Scope, el: ParamElaborator, symmetric: set[str]) -> None:
    for t in sc.spec.types:
        if t.name in symmetric:
            sc.types[t.name] = IndexSort(t.name, NOMINAL, True)
            continue
        if t.kind == "enum":
            sort: Sort | None = EnumSort(t.name, t.members)
            sc.add_member(sort)  # type: ignore[arg-type]
        elif t.kind == "index":
            n = el.static_int(t.size) if t.size is not None else None
            sort = IndexSort(t.name, n, t.symmetric) if n is not None and n >= 1 else None
        else:
            sort = el.sort_of(t.alias) if t.alias is not None else None
        if sort is not None:
            sc.types[t.name] = sort


def _init(sc: Scope, el: ParamElaborator, init_vals: list) -> Expr:  # type: ignore[type-arg]
    parts = []
    for slot, (v, vals) in enumerate(zip(sc.vars, init_vals, strict=True)):
        # one value of a symmetric sort is the nominal layout's only element, not a constraint
        # (NOTE(param-encoding)): such a variable starts with any element; only `none` is named
        if len(vals) != 1 or (is_sym(v.sort) and vals[0] != -1):
            continue
        c = Const(vals[0], v.sort)
        if is_sym(v.key_sort):
            x = el.new_bound("x", cast(Sort, v.key_sort))
            parts.append(as_expr(Quant(True, x, smart.Eq(Select((slot,), x, 0, v.sort), c))))
        else:
            parts.append(smart.Eq(Var(slot, v.sort), c))
    if sc.spec.initially is not None:
        e = el.bool_expr(sc.spec.initially, Env())
        parts.append(e if e is not None else smart.FALSE)
    return smart.And(*parts)


def _closed(e: Expr, params: tuple[Var, ...]) -> Expr:
    for v in reversed(params):
        e = as_expr(Quant(False, v, e))
    return e


def _terminal(sc: Scope, el: ParamElaborator) -> Expr:
    term: list[Expr] = []
    for ms in sc.machines.values():
        pcs = ms.pc.sort
        assert isinstance(pcs, EnumSort)
        def is_term(pc: Expr, ms: MachineScope = ms, pcs: EnumSort = pcs) -> Expr:
            return smart.Or(*(smart.Eq(pc, Const(pcs.members.index(t), pcs)) for t in ms.decl.terminal))
        if is_sym(ms.instances):
            x = el.new_bound(ms.decl.name, cast(Sort, ms.instances))
            term.append(as_expr(Quant(True, x, is_term(Select(ms.pc.slots, x, 0, pcs)))))
        else:
            term.extend(is_term(Var(s, pcs)) for s in ms.pc.slots)
    return smart.And(*term) if term else smart.FALSE


@dataclass(frozen=True)
class PWrite:
    """A write of one step: to `slots` at `key` (None: the only slot) when `cond`; `each`: the
    write is `for each` element of a symmetric set, and `key` is that element."""

    slots: tuple[int, ...]
    fn: bool
    key: Expr | None
    value: Expr
    cond: Expr
    sort: Sort
    each: Var | None = None


def _place(el: ParamElaborator, lhs: S.SExpr, env: Env) -> tuple[tuple[int, ...], bool, Expr | None, Sort] | None:
    """Where `lhs` writes: its slots, whether they are one function, the key, the sort."""
    sc = el.sc
    if isinstance(lhs, S.Name):
        m = env.machine
        if m is not None and lhs.id in m.fields:
            info = m.fields[lhs.id]
            if is_sym(m.instances):
                return (info.slots[0],), True, self_of(env), info.sort
            return (info.slots[env.self_idx or 0],), False, None, info.sort
        g = sc.globals.get(lhs.id)
        if g is not None and g.key is None:
            return g.slots, False, None, g.sort
    if isinstance(lhs, S.Index) and isinstance(lhs.base, S.Name) and lhs.base.id in sc.globals:
        g = sc.globals[lhs.base.id]
        k = el.key_expr(g, lhs.index, env) if g.key is not None else None
        if k is None:
            return None
        return g.slots, is_sym(g.key), k, g.sort
    if isinstance(lhs, S.Field):
        got = el.field_info(lhs, env)
        if got is None:
            return None
        info, idx = got
        if isinstance(idx, int) or idx is None:
            return (info.slots[idx or 0],), False, None, info.sort
        return info.slots, is_sym(info.key), idx, info.sort
    el.refuse(lhs.span, "assignment", "this target is not in the parameterised encoding")
    return None


def _assign(el: ParamElaborator, a: S.Assign, env: Env, cond: Expr) -> list[PWrite]:
    """One surface assignment (possibly `for w in T`) -> writes."""
    dom = el.sc.types.get(a.target.domain or "") if a.target.var is not None else None
    if a.target.var is not None and is_sym(dom):
        u = el.new_bound(a.target.var, cast(Sort, dom))
        benv = env.bind_quantified(a.target.var, u)
        got = _place(el, a.target.lhs, benv)
        v = el.expr(a.value, benv, got[3]) if got is not None else None
        if got is None or v is None:
            return []
        if not got[1] or got[2] != u:
            el.refuse(a.target.span, f"`for {a.target.var} in {a.target.domain}`",
                      f"over a symmetric set only the cell at {a.target.var} itself may be written")
            return []
        return [PWrite(got[0], True, u, v, cond, got[3], u)]
    envs = [env]
    if a.target.var is not None:
        d = el.domain(a.target.domain or "", a.target.span)
        envs = [env.bind_quantified(a.target.var, Const(x, d)) for x in d.values()] if d is not None else []
    out = []
    for e in envs:
        got = _place(el, a.target.lhs, e)
        v = el.expr(a.value, e, got[3]) if got is not None else None
        if got is not None and v is not None:
            out.append(PWrite(got[0], got[1], got[2], v, cond, got[3]))
    return out


def _updates(el: ParamElaborator, writes: list[PWrite]) -> tuple[tuple[tuple[int, Expr], ...], tuple[FnUpdate, ...]]:
    """Fold writes into one update per scalar slot and one per function (NOTE(write-order))."""
    acc: dict[int, Expr] = {}
    fns: dict[int, tuple[Var, Expr]] = {}
    for w in writes:
        if w.fn:
            slot = w.slots[0]
            if slot not in fns:
                f = el.new_bound("x", cast(Sort, el.sc.vars[slot].key_sort))
                fns[slot] = (f, Select((slot,), f, 0, w.sort))
            f, old = fns[slot]
            if w.each is not None:
                new = smart.Ite_(rename(w.cond, w.each, f), rename(w.value, w.each, f), old, w.sort)
            else:
                new = smart.Ite_(smart.And(w.cond, smart.Eq(f, cast(Expr, w.key))), w.value, old, w.sort)
            fns[slot] = (f, new)
            continue
        for slot in w.slots:
            kv = el.sc.vars[slot].key_value
            hit = smart.TRUE if w.key is None or kv is None else smart.Eq(w.key, Const(kv, w.key.sort))
            c = smart.And(w.cond, hit)
            if not smart.is_false(c):
                acc[slot] = smart.Ite_(c, w.value, acc.get(slot, Var(slot, w.sort)), w.sort)
    ups = tuple(sorted((s, e) for s, e in acc.items() if e != Var(s, el.sc.vars[s].sort)))
    return ups, tuple(FnUpdate(s, f, e) for s, (f, e) in sorted(fns.items()))


def _range_bad(writes: list[PWrite]) -> Expr:
    bad: list[Expr] = []
    for w in writes:
        tgt, val = numeric(w.sort), numeric(w.value.sort)
        if tgt is None or val is None or (tgt.lo <= val.lo and val.hi <= tgt.hi):
            continue
        out = smart.Or(smart.app(Op.LT, [w.value, smart.const_int(tgt.lo)], BOOL),
                       smart.app(Op.GT, [w.value, smart.const_int(tgt.hi)], BOOL))
        b = smart.And(w.cond, out)
        bad.append(as_expr(Quant(False, w.each, b)) if w.each is not None else b)
    return smart.Or(*bad)


@dataclass
class ActInfo:
    """What a property needs of the action it is lowered against (model/lower.py's ActEnv)."""

    env: Env
    machine: str
    transition: str
    call: str | None
    op_args: tuple[tuple[str, Expr], ...] = ()


def _actions(sc: Scope, el: ParamElaborator) -> list[tuple[PAction, ActInfo]]:
    out: list[tuple[PAction, ActInfo]] = []
    for m in sc.spec.machines:
        ms = sc.machines.get(m.name)
        if ms is None:
            continue
        sym = is_sym(ms.instances)
        insts: list[int | None] = [None] if sym else list(ms.instances.values()) if ms.instances else [None]
        for t in m.transitions:
            for i in insts:
                env, params = Env(machine=ms, self_idx=i), cast(tuple[Var, ...], ())
                if sym:
                    me = el.new_bound("self", cast(Sort, ms.instances))
                    env, params = Env(machine=ms, self_idx=me.slot), (me,)
                out.extend(_transition(sc, el, ms, t, i, env, params))
    return out


def _choices(el: ParamElaborator, t: S.TransitionDecl) -> list[tuple[tuple[str, Expr], ...]]:
    doms: list[list[tuple[str, Expr]]] = []
    for name, ty in t.params:
        s = el.sort_of(ty)
        if s is None:
            return []
        if is_sym(s):
            doms.append([(name, el.new_bound(name, s))])
        else:
            doms.append([(name, Const(v, s)) for v in s.values()])
    return list(itertools.product(*doms))


def _transition(sc: Scope, el: ParamElaborator, ms: MachineScope, t: S.TransitionDecl, i: int | None,
                env0: Env, params: tuple[Var, ...]) -> list[tuple[PAction, ActInfo]]:
    out = []
    for choice in _choices(el, t):
        env = env0
        for n, c in choice:
            env = env.bind(n, c)
        if t.when is not None:
            w = el.bool_expr(t.when, Env(static=True, bound=env.bound))
            if not isinstance(w, Const) or not w.value:
                continue
        ps = params + tuple(c for _, c in choice if isinstance(c, Var))
        out.extend(_instance(sc, el, ms, t, i, env, choice, ps))
    return out


def _label(ms: MachineScope, t: S.TransitionDecl, i: int | None, env: Env,
           choice: tuple[tuple[str, Expr], ...], outcome: str | None) -> str:
    def show(x: Expr) -> str:
        return el_name(x) if isinstance(x, Var) else x.sort.render(x.value) if isinstance(x, Const) else "?"
    me = self_of(env)
    who = ms.decl.name if ms.instances is None else f"{ms.decl.name}[{show(me) if me is not None else i}]"
    args = ", ".join(f"{n}={show(c)}" for n, c in choice)
    return f"{who}.{t.name}({args})" + (f" -> {outcome}" if outcome else "")


def el_name(v: Var) -> str:
    """A bound element's placeholder in a label: `#j`, filled in by whoever has a model."""
    return f"#{-v.slot - 1}"


def _instance(sc: Scope, el: ParamElaborator, ms: MachineScope, t: S.TransitionDecl, i: int | None,
              env: Env, choice: tuple[tuple[str, Expr], ...], params: tuple[Var, ...]) -> list[tuple[PAction, ActInfo]]:
    from model import lower as L
    pcs = ms.pc.sort
    assert isinstance(pcs, EnumSort)
    me = self_of(env)
    pc = Select(ms.pc.slots, me, 0, pcs) if is_sym(ms.instances) and me is not None else Var(ms.pc.slots[i or 0], pcs)
    pcg = smart.TRUE if t.sources is None else smart.Or(
        *(smart.Eq(pc, Const(pcs.members.index(s), pcs)) for s in t.sources if s in pcs.members))
    g = el.bool_expr(t.guard, env) if t.guard is not None else smart.TRUE
    op_args: list[tuple[str, Expr]] = []
    outcomes = _call(sc, el, t.call, env, op_args) if t.call is not None else [(None, None, [])]
    if g is None or outcomes is None:
        return []
    guard = smart.And(pcg, g)
    if smart.is_false(guard):
        return []
    res = []
    for outcome, result, op_writes in outcomes:
        renv = Env(env.bound, env.machine, env.self_idx, result)
        writes = [w for a in t.effect for w in _assign(el, a, renv, smart.TRUE)]
        if t.store is not None and result is not None:
            got = _place(el, t.store, renv)
            if got is not None:
                writes.append(PWrite(got[0], got[1], got[2], result, smart.TRUE, got[3]))
        if t.target is not None:
            to = el.expr(t.target, renv, pcs)
            if to is not None:
                slots = ms.pc.slots if is_sym(ms.instances) else (ms.pc.slots[i or 0],)
                writes.append(PWrite(slots, is_sym(ms.instances), me if is_sym(ms.instances) else None,
                                     to, smart.TRUE, pcs))
        all_writes = [*op_writes, *writes]
        ups, fns = _updates(el, all_writes)
        label = _label(ms, t, i, env, choice, outcome)
        fair = L._fairness(sc, t) if outcome is None else None   # NOTE(fairness): may_fail is adversarial
        act = PAction(label, ms.decl.name, t.name, params, guard, ups, fns, smart.And(guard, _range_bad(all_writes)),
                      fair, None if is_sym(ms.instances) else i)
        res.append((act, ActInfo(renv, ms.decl.name, t.name, t.call.func if t.call else None, tuple(op_args))))
    return res


POutcome = tuple[str | None, Expr | None, list[PWrite]]


def _call(sc: Scope, el: ParamElaborator, call: S.Call, env: Env,
          args_out: list[tuple[str, Expr]]) -> list[POutcome] | None:
    """model/lower.py's _call, with parameterised writes: the checked outcome, then `may_fail`."""
    from model import lower as L
    op = sc.ops.get(call.func)
    if op is None:
        return None
    openv = L._op_args(sc, el, op, call, env)
    if openv is None:
        return None
    args_out.extend(reversed(openv.bound))
    status = sc.status
    checks = [(el.bool_expr(c.require, openv), c.error) for c in op.checks]
    if any(g is None for g, _ in checks):
        return None
    result: Expr = Const(0, status)
    for g, code in reversed(checks):
        result = smart.Ite_(smart.Not(cast(Expr, g)), Const(status.members.index(code), status), result, status)
    ok = smart.And(*(cast(Expr, g) for g, _ in checks))
    writes = [w for a in op.effect for w in _assign(el, a, openv, ok)]
    outs: list[POutcome] = [(None, result, writes)]
    outs.extend((code, Const(status.members.index(code), status), []) for code, _ in op.may_fail)
    return outs


def _properties(sc: Scope, el: ParamElaborator, decls: tuple[S.PropertyDecl, ...],
                acts: list[tuple[PAction, ActInfo]], inst: Instance) -> list[PProperty]:
    """Safety properties, lemmas and temporal properties (a temporal family only over symmetric sets)."""
    from model import lower as L
    out = []
    for p in decls:
        if p.kind in TEMPORAL_KINDS:
            got = _temporal(el, p)
            out.extend([got] if got is not None else [])
        if p.kind == "invariant":
            e = el.bool_expr(p.expr, Env())
            out.append(PProperty(p.name, "invariant", pred=e if e is not None else smart.FALSE, span=p.span,
                                 text=unparse(p.expr)))
        if p.kind != "step":
            continue
        on = L._on_filter(sc, p)
        bad = []
        for i, (a, ai) in enumerate(acts):
            if on is not None and f"{ai.machine}.{ai.transition}" not in on and f"call:{ai.call}" not in on:
                continue
            env: Env | None = ai.env
            if on is not None and all(n.startswith("call:") for n in on):
                env = L._with_op_args(el, p, ai)  # type: ignore[arg-type]
            q = el.bool_expr(p.expr, env) if env is not None else None
            b = smart.And(a.guard, smart.Not(q if q is not None else smart.FALSE))
            if not smart.is_false(b):
                bad.append((i, b))
        out.append(PProperty(p.name, "step", bad=tuple(bad), span=p.span, text=unparse(p.expr),
                             on=tuple(n for n, _ in p.on or ())))
    return out


def _temporal(el: ParamElaborator, p: S.PropertyDecl) -> PProperty | None:
    """A temporal property; a family's variables become free elements (None: a variable over a
    set that is not symmetric, whose members are not one generic member)."""
    env, fam = Env(), cast(list[Var], [])
    for name, ty in p.family:
        s = el.sort_of(ty)
        if not is_sym(s) or isinstance(s, OptionSort):
            return None
        v = el.new_bound(name, cast(Sort, s))
        env, fam = env.bind_quantified(name, v), [*fam, v]
    start, errs = len(el.refusals), len(el.sc.out.diagnostics)
    e = el.bool_expr(p.expr, env)
    e2 = el.bool_expr(p.expr2, env) if p.expr2 is not None else None
    for c in find_counts(e) + find_counts(e2):
        el.refuse(c.span, "count(...)", "a count over a symmetric set is only allowed compared with a constant")
    for d in el.sc.out.diagnostics[errs:]:   # an error at the nominal size (the finite lowering has none)
        el.refuse(d.span, "the property at its nominal size", d.message)
    del el.sc.out.diagnostics[errs:]
    if len(el.refusals) > start:   # outside the fragment: this property only, not the whole spec
        why = el.refusals[start].render()
        del el.refusals[start:]
        return PProperty(p.name, REFUSED, span=p.span, text=why)
    if e is None or (p.expr2 is not None and e2 is None):
        return None
    return PProperty(p.name, p.kind, pred=e, span=p.span, text=unparse(p.expr), pred2=e2, family=tuple(fam))


def unparse(e: S.SExpr) -> str:
    """A surface expression in spec syntax, parenthesised where it nests."""
    def sub(x: S.SExpr) -> str:
        t = unparse(x)
        return f"({t})" if isinstance(x, (S.Binary, S.Compare, S.IfElse, S.Unary)) else t
    if isinstance(e, S.Name):
        return e.id
    if isinstance(e, S.IntLit):
        return str(e.value)
    if isinstance(e, S.Unary):
        return f"not {sub(e.operand)}" if e.op == "not" else f"-{sub(e.operand)}"
    if isinstance(e, S.Binary):
        return f"{sub(e.left)} {e.op} {sub(e.right)}"
    if isinstance(e, S.Compare):
        out = sub(e.operands[0])
        for op, x in zip(e.ops, e.operands[1:], strict=True):
            out += f" {op} {sub(x)}"
        return out
    if isinstance(e, S.IfElse):
        return f"{sub(e.then)} if {sub(e.cond)} else {sub(e.other)}"
    if isinstance(e, S.Index):
        return f"{unparse(e.base)}[{unparse(e.index)}]"
    if isinstance(e, S.Field):
        return f"{unparse(e.base)}.{e.name}"
    if isinstance(e, S.Call):
        args = [unparse(a) for a in e.args] + [f"{k}={unparse(v)}" for k, v in e.kwargs]
        return f"{e.func}({', '.join(args)})"
    if isinstance(e, S.GenCall):
        cond = f" if {unparse(e.cond)}" if e.cond is not None else ""
        return f"{e.func}({unparse(e.elem)} for {e.var} in {e.domain}{cond})"
    if isinstance(e, S.RecLit):
        return "{" + ", ".join(f"{k}: {unparse(v)}" for k, v in e.fields) + "}"
    if isinstance(e, S.SeqLit):
        return "[" + ", ".join(unparse(i) for i in e.items) + "]"
    return "{" + ", ".join(unparse(i) for i in e.items) + "}"


def lower_param_at(path: str, params: tuple[tuple[str, str], ...], variant: str | None) -> Lowered:
    """lower_param of the instance a TransitionSystem was lowered from (its spec file, its
    rendered parameter values and variant), read again from the file."""
    from model.diagnostics import SpecError
    from model.load import parse_spec, read_source
    from model.params import instances, parse_overrides
    try:
        spec = parse_spec(read_source(path)).decl
    except SpecError as e:
        return (Refusal(None, "the spec file", f"cannot be read again: {e.diagnostics[0].message}"),)
    out = Collector()
    values = parse_overrides(spec, tuple(f"{k}={v}" for k, v in params), out)
    got = [i for i in instances(spec, values, out, variant) if i.variant == variant] if not out else []
    if len(got) != 1:
        return (Refusal(None, "the spec file", "changed since it was loaded"),)
    return lower_param(spec, got[0])
