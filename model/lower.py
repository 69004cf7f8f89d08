"""Lowering: one parameter instance of a surface spec -> the TransitionSystem (model/ir.py).

Order: constants and types, then state slots (globals, then each machine's pc and fields per
instance), then actions (one per machine instance x parameter choice x operation outcome), then
properties (each lowered to bad-state conditions, see NOTE(properties) in ir.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

from model import smart
from model import syntax as S
from model.diagnostics import Collector, did_you_mean
from model.elaborate import MAX_EXPANSION, Elaborator, Env, Fields, narrowing
from model.ir import (
    GLOBAL_CONTEXT,
    TEMPORAL_KINDS,
    Action,
    ActionLabel,
    App,
    Arg,
    Const,
    Expr,
    FairGroup,
    Ite,
    MachineInfo,
    Property,
    Select,
    TransitionSystem,
    Var,
)
from model.names import check_names
from model.params import Instance
from model.scope import MachineScope, Scope, VarInfo, check_duplicates, param_consts, status_sort
from model.seqs import any_bad, init_fields, is_seq, seq_fields_of, slot_sort
from model.sets import as_map, has_set
from model.sorts import MAX_VALUES, EnumSort, IndexSort, IntSort, KeySort, OptionSort, Sort, assignable, contains, size
from model.writes import Write, check_writes, lower_assign, place_of, range_bad, updates_of, write


def lower(spec: S.SpecDecl, inst: Instance, out: Collector) -> TransitionSystem | None:
    """Lower one instance; returns None when any diagnostic was collected."""
    sc = Scope(spec, inst, out, status=status_sort(spec))
    check_duplicates(spec, out)
    check_names(spec, out)
    if out:   # every later message about a clashing name would mislead (NOTE(shadowing))
        return None
    el = Elaborator(sc)
    param_consts(sc)
    sc.add_member(sc.status)
    _types(sc, el)
    sc.lanes = _lane_sort(sc)
    sc.defs = {d.name: d for d in spec.defs}
    sc.ops = {o.name: o for o in spec.operations}
    init_vals = _slots(sc, el)
    acts = _actions(sc, el)
    if out:
        return None
    actions = [a for a, _ in acts]
    groups = _fair_groups(sc, actions)
    props = _properties(sc, el, spec.properties, acts, inst)
    lemmas = _properties(sc, el, spec.lemmas, acts, inst)
    init_c = el.bool_expr(spec.initially, Env()) if spec.initially is not None else None
    if out:
        return None
    for c in el.seq_checks:   # NOTE(seqs): a read outside a sequence only a step or an invariant reports
        sc.out.error("SC312", c.span, "this may read outside a sequence, which only a transition or an "
                     "invariant can report", "a guard such as `len(q) > 0 and ...`, or the read in a transition")
    if out:
        return None
    builtin = [_deadlock(sc, actions)] if spec.check_deadlock else []
    builtin.append(Property("range", "range", bad=tuple(
        (i, b) for i, (_, env) in enumerate(acts) if not smart.is_false(b := env.range_bad)),
        doc="every assignment stays within its variable's type"))
    builtin = [_builtin_expect(p, spec.properties, inst, el) for p in builtin]
    _check_depth(sc, actions, [*props, *lemmas], init_c, spec)
    if out:
        return None
    init_span = spec.initially.span if spec.initially is not None else spec.vars_span or spec.span
    return TransitionSystem(
        spec.name, spec.path, inst.rendered(), inst.variant, tuple(sc.vars), tuple(init_vals),
        init_c, tuple(actions), _declared_order(props, builtin, spec.properties), _machine_infos(sc),
        tuple(lemmas), spec.cites,
        sc.status.members, init_span=init_span, lanes=sc.lanes, fair_groups=groups, stutter=spec.stutter)


MAX_IR_DEPTH = 150   # engines walk expressions recursively (model/evaluate.py, checker/smt)


def _ir_depth(e: Expr) -> int:
    """Nesting depth of an IR expression, computed without recursion."""
    best, stack = 0, [(e, 1)]
    while stack:
        x, d = stack.pop()
        best = max(best, d)
        kids = x.args if isinstance(x, App) else (x.cond, x.then, x.other) if isinstance(x, Ite) else (
            (x.index,) if isinstance(x, Select) else ())
        stack.extend((k, d + 1) for k in kids)
    return best


def _check_depth(sc: Scope, actions: list[Action], props: list[Property], init_c: Expr | None,
                 spec: S.SpecDecl) -> None:
    """Reject expressions that expand (defs, quantified writes) deeper than the engines can walk."""
    def check(what: str, span: object, exprs: list[Expr]) -> None:
        d = max((_ir_depth(x) for x in exprs), default=0)
        if d > MAX_IR_DEPTH:
            sc.out.error("SC111", span, f"{what} expands to an expression nested {d} levels deep",  # type: ignore[arg-type]
                         f"at most {MAX_IR_DEPTH} levels (fewer defs within defs, fewer writes to one map)")
    for a in actions:
        check(f"transition '{a.label.machine}.{a.label.transition}'", a.span,
              [a.guard, *(u for _, u in a.updates), *([a.result] if a.result is not None else [])])
    for p in props:
        check(f"property '{p.name}'", p.span,
              [x for x in (p.pred, p.pred2) if x is not None] + [b for _, b in p.bad])
    if init_c is not None:
        check("`initially:`", spec.initially.span if spec.initially else None, [init_c])


def _types(sc: Scope, el: Elaborator) -> None:
    for t in sc.spec.types:
        reported = len(sc.out.diagnostics)
        if t.kind == "enum":
            sort: Sort | None = EnumSort(t.name, t.members)
            sc.add_member(sort)  # type: ignore[arg-type]
        elif t.kind == "index":
            n = el.static_int(t.size) if t.size is not None else None
            if n is not None and n < 1:
                sc.out.error("SC302", t.span, f"index set '{t.name}' has {n} elements", "at least 1")
                n = None
            elif n is not None and n > MAX_VALUES:
                sc.out.error("SC406", t.span, f"index set '{t.name}' has {n} elements, too many to check",
                             f"at most {MAX_VALUES}")
                n = None
            sort = IndexSort(t.name, n, _symmetric(el, t)) if n is not None else None
        elif t.kind == "record":
            _record_type(sc, el, t)
            continue
        else:
            sort = el.sort_of(t.alias) if t.alias is not None else None
        if sort is not None:
            sc.types[t.name] = sort
        elif len(sc.out.diagnostics) > reported:   # only a type whose error was reported (the load fails)
            sc.broken.add(t.name)


def _symmetric(el: Elaborator, t: S.TypeDecl) -> bool:
    """`symmetric: true`, or `symmetric: "EXPR"` over params, decided per instance."""
    if t.symmetric_when is None:
        return t.symmetric
    c = el.bool_expr(t.symmetric_when, Env(static=True))
    if c is not None and not isinstance(c, Const):
        el.err(t.symmetric_when.span, "`symmetric:` must be constant over params", "a static condition", "SC306")
    return isinstance(c, Const) and bool(c.value)


def _record_type(sc: Scope, el: Elaborator, t: S.TypeDecl) -> None:
    """A record type's fields: each of a scalar type (NOTE(records) in model/records.py)."""
    fields: list[tuple[str, Sort]] = []
    for (name, ty), span in zip(t.fields, t.field_spans, strict=True):
        if isinstance(ty, S.NamedType) and ty.name in sc.record_types:
            sc.out.error("SC303", span, f"field '{name}' of record '{t.name}' is a record",
                         "a field of a scalar type (bool, a range, an enum, an index set, an option) or a sequence")
            return
        if isinstance(ty, S.SeqType):   # NOTE(seqs): its length and slots, as fields `q.len`, `q.0`, ...
            got = el.seq_type(ty)
            if got is None:
                return
            sc.record_seqs.setdefault(t.name, {})[name] = got[0]
            fields.append((f"{name}.len", IntSort(0, got[1])))
            fields.extend((f"{name}.{j}", slot_sort(got[0])) for j in range(got[1]))
            continue
        s = el.sort_of(ty)
        if s is None:
            return
        fields.append((name, s))
    sc.record_types[t.name] = tuple(fields)


def _init_values(sc: Scope, el: Elaborator, d: S.VarDecl, sort: Sort) -> Sequence[int]:
    """The values `d` may start with: its `init:` constant, or its whole sort, lazily (NOTE(lazy-values))."""
    if size(sort) > MAX_VALUES:
        if d.init is None:
            sc.out.error("SC406", d.span, f"'{d.name}' starts with any of {size(sort)} values of {sort}, "
                         "too many to enumerate", f"`init:` a constant, or a type of at most {MAX_VALUES} values")
            return ()
        if (x := el.expr(d.init, Env(static=True), sort)) is None:
            return ()
        if not isinstance(x, Const) or not contains(sort, x.value):
            sc.out.error("SC305", d.init.span, f"initial value of '{d.name}' must be a constant of type {sort}",
                         str(sort))
            return ()
        return (x.value,)
    if d.init is None:
        return sort.values()
    x = el.expr(d.init, Env(static=True), sort)
    if x is None:
        return sort.values()
    if not isinstance(x, Const):
        sc.out.error("SC306", d.init.span, f"initial value of '{d.name}' must be a constant", "a constant")
    elif not assignable(sort, x.sort) or not contains(sort, x.value):
        sc.out.error("SC305", d.init.span, f"initial value {x.sort.render(x.value)} does not fit "
                     f"'{d.name}' of type {sort}", str(sort))
    else:
        return (x.value,)
    return sort.values()


def _slot_inits(sc: Scope, el: Elaborator, d: S.VarDecl, sort: Sort, keys: tuple[KeySort, ...],
                n: int) -> list[Sequence[int]]:
    """The initial values of a variable's n slots: one `init:` for all, or per key path when
    it is written `e for k in K` (a machine's instances repeat the keys' values)."""
    if not d.init_keys:
        return [_init_values(sc, el, d, sort)] * n
    per_key = _keyed_init(sc, el, d, sort, keys)
    if per_key is None:
        return [sort.values()] * n
    return per_key * (n // len(per_key))


def _keyed_init(sc: Scope, el: Elaborator, d: S.VarDecl, sort: Sort,
                keys: tuple[KeySort, ...]) -> list[Sequence[int]] | None:
    """`init: "e for k1 in K1 for k2 in K2"`: e's constant value for each key path, row-major."""
    spans = d.init_key_spans   # the builder gives one per key
    if len(d.init_keys) != len(keys):
        sc.out.error("SC319", spans[0] if spans else d.span,
                     f"initial value of '{d.name}' binds {len(d.init_keys)} key(s), but "
                     + (f"its type has {len(keys)}" if keys else "it is not a map"),
                     "one `for k in K` per key of the map, outermost first" if keys else "a constant")
        return None
    doms: list[Sort] = []
    for (name, dom), ks, span in zip(d.init_keys, keys, spans, strict=True):
        got = el.domain(dom, span)
        if got is not None and got != ks:
            sc.out.error("SC319", span, f"key '{name}' of the initial value of '{d.name}' ranges over {dom}, "
                         f"but the map's key there is {ks}", f"for {name} in {ks}")
            got = None
        if got is None or not el.binder_ok(name, span, Env(static=True)):
            return None
        doms.append(got)
    out: list[Sequence[int]] = []
    for combo in itertools.product(*(k.values() for k in keys)):
        env = Env(static=True)
        for (name, _), ks, v in zip(d.init_keys, keys, combo, strict=True):
            env = env.bind_quantified(name, Const(v, ks))
        x = el.expr(d.init, env, sort) if d.init is not None else None
        if x is None:
            return None
        if not isinstance(x, Const):
            sc.out.error("SC306", d.init.span if d.init else d.span, f"initial value of '{d.name}' must be "
                         "constant for each key", "an expression over params and the keys")
            return None
        if not assignable(sort, x.sort) or not contains(sort, x.value):
            sc.out.error("SC305", d.init.span if d.init else d.span, f"initial value {x.sort.render(x.value)} "
                         f"(for key {', '.join(k.render(v) for k, v in zip(keys, combo, strict=True))}) does not "
                         f"fit '{d.name}' of type {sort}", str(sort))
            return None
        out.append((x.value,))
    return out


def _slots(sc: Scope, el: Elaborator) -> list[Sequence[int]]:
    init: list[Sequence[int]] = []
    for d in sc.spec.vars:
        if (as_set := as_map(d, sc.out)) is not None:   # NOTE(sets) in model/sets.py
            d, sc.sets[d.name] = as_set
        elif has_set(d.type):   # a bad set type, reported
            continue
        got = el.var_sort(d.type)
        if got is None:
            continue
        sort, keys = got
        _symmetric_once(sc, d, keys)
        if isinstance(sort, tuple):   # a record (NOTE(records) in model/records.py)
            sc.records[d.name] = tuple(f for f, _ in sort)
        if (elem := _seq_elem(el, d.type)) is not None:   # NOTE(seqs) in model/seqs.py
            sc.seqs[d.name] = elem
        sc.seqs.update((f"{d.name}.{f}", e) for f, e in _record_seqs(sc, d.type).items())
        for fd, fsort in _fields_of(sc, d, sort):
            fmt = (d.name + "[{}]" * len(keys) + fd.name[len(d.name):]) if fd is not d else None
            slots = sc.new_slots(fd.name, fsort, keys, fmt=fmt, record=d.name if fd is not d else "")
            _mark_set(sc, d.name in sc.sets, slots)
            sc.globals[fd.name] = VarInfo(fd.name, fsort, keys[0] if keys else None, slots, keys[1:])
            init.extend(_slot_inits(sc, el, fd, fsort, keys, len(slots)))
    for m in sc.spec.machines:
        init.extend(_machine_slots(sc, el, m))
    return init


def _machine_slots(sc: Scope, el: Elaborator, m: S.MachineDecl) -> list[Sequence[int]]:
    if m.name == S.GLOBAL:   # NOTE(global-transitions): no control state, no slot
        sc.machines[m.name] = MachineScope(m, None, VarInfo("pc", EnumSort(m.name, m.states), None, ()), {})
        return []
    found = sc.types.get(m.instances) if m.instances else None
    inst = found if isinstance(found, IndexSort) else None
    if m.instances and inst is None:
        if m.instances in sc.broken:
            return []
        sc.out.error("SC301", m.instances_span, f"instances of '{m.name}' must be an index set",
                     "a type declared as {index: N}")
        return []
    if not m.states or m.init not in m.states:
        sc.out.error("SC201", m.init_span or m.span, f"initial state '{m.init}' of machine '{m.name}' is not "
                     "one of its states", ", ".join(m.states), did_you_mean(m.init, m.states))
        return []
    for t, tspan in zip(m.terminal, m.terminal_spans or (m.span,) * len(m.terminal), strict=False):
        if t not in m.states:
            sc.out.error("SC201", tspan, f"terminal state '{t}' of machine '{m.name}' is not one of its states",
                         ", ".join(m.states), did_you_mean(t, m.states))
    pcs = EnumSort(m.name, m.states)
    sc.add_member(pcs)
    init: list[Sequence[int]] = []
    pc = VarInfo("pc", pcs, inst, _field_slots(sc, m.name, "pc", pcs, inst))
    init.extend([(m.states.index(m.init),)] * len(pc.slots))
    fields = {}
    records: dict[str, tuple[str, ...]] = {}
    sets: dict[str, str] = {}
    seqs: dict[str, Sort] = {}
    for d in m.vars:
        if (as_set := as_map(d, sc.out)) is not None:   # NOTE(sets) in model/sets.py
            d, sets[d.name] = as_set
        elif has_set(d.type):   # a bad set type, reported
            continue
        got = el.var_sort(d.type, (inst,) if inst is not None else ())
        if got is None:
            continue
        sort, keys = got
        _symmetric_once(sc, d, ((inst,) if inst is not None else ()) + keys)
        if isinstance(sort, tuple):   # a record (NOTE(records) in model/records.py)
            records[d.name] = tuple(f for f, _ in sort)
        if (elem := _seq_elem(el, d.type)) is not None:   # NOTE(seqs) in model/seqs.py
            seqs[d.name] = elem
        seqs.update((f"{d.name}.{f}", e) for f, e in _record_seqs(sc, d.type).items())
        for fd, fsort in _fields_of(sc, d, sort):
            slots = _field_slots(sc, m.name, d.name, fsort, inst, keys, fd.name[len(d.name) + 1:])
            _mark_set(sc, d.name in sets, slots)
            fields[fd.name] = VarInfo(fd.name, fsort, inst, slots, keys)
            init.extend(_slot_inits(sc, el, fd, fsort, keys, len(slots)))
    sc.machines[m.name] = MachineScope(m, inst, pc, fields, records, sets, seqs)
    return init


def _seq_elem(el: Elaborator, t: S.SType) -> Sort | None:
    """The element sort of a (map of) sequence type, or None."""
    while isinstance(t, S.MapType):
        t = t.value
    got = el.seq_type(t) if isinstance(t, S.SeqType) else None
    return got[0] if got is not None else None


def _record_seqs(sc: Scope, t: S.SType) -> dict[str, Sort]:
    """The sequence fields of a (map of) record type, with their element sorts (NOTE(seqs))."""
    while isinstance(t, S.MapType):
        t = t.value
    return sc.record_seqs.get(t.name, {}) if isinstance(t, S.NamedType) else {}


def _mark_set(sc: Scope, is_set: bool, slots: Sequence[int]) -> None:
    """NOTE(sets) in model/sets.py: tell exporters these cells are one set's elements."""
    for s in slots if is_set else ():
        sc.vars[s] = replace(sc.vars[s], set_elem=True)


def _fields_of(sc: Scope, d: S.VarDecl, sort: Sort | Fields) -> list[tuple[S.VarDecl, Sort]]:
    """A variable as (declaration, sort) pairs: itself, or one `r.f` per field of a record, each
    with the field's part of a record literal `init:` (none: any value)."""
    if not isinstance(sort, tuple):
        return [(d, sort)]
    given: dict[str, S.SExpr] = {}
    if is_seq(tuple(f for f, _ in sort)):   # NOTE(seqs) in model/seqs.py
        got = init_fields(d, len(sort) - 1, sort[1][1])
        if isinstance(got, str):
            sc.out.error("SC301", d.init.span if d.init is not None else d.span, got,
                         f"a literal of at most {len(sort) - 1} elements: [] or [a, b, ...]")
        else:
            given = got
    elif isinstance(d.init, S.RecLit):
        lit = seq_fields_of(d.init, dict(sort))   # NOTE(seqs): a sequence field's literal, slot by slot
        names = [n for n, _ in lit.fields]
        if sorted(names) != sorted(f for f, _ in sort):
            sc.out.error("SC301", d.init.span, f"initial value of '{d.name}' has fields "
                         f"{', '.join(n for n, _ in d.init.fields)}", "exactly the fields " + _shown_fields(sort))
        given = dict(lit.fields)
    elif any(f.endswith(".len") for f, _ in sort):
        sc.out.error("SC301", d.span, f"record '{d.name}' has a sequence field: it starts from a record literal",
                     "init: {" + ", ".join(f"{f}: ..." for f in _shown_fields(sort).split(", ")) + "}")
    elif d.init is not None:
        sc.out.error("SC301", d.init.span, f"initial value of record '{d.name}' must be a record literal",
                     "{" + ", ".join(f"{f}: ..." for f, _ in sort) + "} or any")
    return [(replace(d, name=f"{d.name}.{f}", init=given.get(f)), s) for f, s in sort]


def _shown_fields(sort: Fields) -> str:
    """A record's fields as the spec names them (a sequence field once, not its slots)."""
    return ", ".join(f.removesuffix(".len") for f, _ in sort if "." not in f or f.endswith(".len"))


def _field_slots(sc: Scope, machine: str, name: str, sort: Sort, inst: IndexSort | None,
                 keys: tuple[KeySort, ...] = (), field: str = "") -> tuple[int, ...]:
    """Slots of a machine field: `m.f` for a singleton, `m[i].f` per instance, and `m[i].f[k]`
    per instance and key for a machine-local map (NOTE(key-paths) in model/ir.py); `m[i].r.x`
    for field x of a record r (NOTE(records))."""
    cells = "[{}]" * len(keys) + (f".{field}" if field else "")
    base = f"{machine}.{name}" + (f".{field}" if field else "")
    record = f"{machine}.{name}" if field else ""
    if inst is None:
        return sc.new_slots(base, sort, keys, machine, f"{machine}.{name}{cells}", record)
    return sc.new_slots(base, sort, (inst, *keys), machine, machine + "[{}]." + name + cells, record)


def _symmetric_once(sc: Scope, d: S.VarDecl, path: tuple[KeySort, ...]) -> None:
    """NOTE(key-paths): symmetry reduction permutes a cell by its one key of a symmetric set
    (checker/symmetry/canon.py); a cell keyed by two (`VCPU -> VCPU -> bool`, or a map over
    VCPU in a machine whose instances are VCPU) would need both permuted at once, so it is
    refused rather than reduced unsoundly."""
    sym = [k for k in path if isinstance(k, IndexSort) and k.symmetric and k.size > 1]
    if len(sym) > 1:
        sc.out.error("SC318", d.span, f"'{d.name}' is keyed by symmetric index sets twice "
                     f"({', '.join(k.name for k in sym)}); symmetry reduction cannot permute it",
                     "at most one symmetric key per variable (machine instances count as one)",
                     ("drop `symmetric: true` from one of the index sets",))


def _machine_infos(sc: Scope) -> tuple[MachineInfo, ...]:
    return tuple(MachineInfo(n or GLOBAL_CONTEXT, m.instances.size if m.instances else None, m.pc.slots, m.decl.doc)
                 for n, m in sc.machines.items())


@dataclass
class ActEnv:
    """What a property needs to know about the action it is lowered against."""

    env: Env
    machine: str
    transition: str
    call: str | None
    range_bad: Expr
    op_args: tuple[tuple[str, Expr], ...] = ()   # the operation's parameters, bound to the arguments


def _actions(sc: Scope, el: Elaborator) -> list[tuple[Action, ActEnv]]:
    out: list[tuple[Action, ActEnv]] = []
    for m in sc.spec.machines:
        ms = sc.machines.get(m.name)
        if ms is None:
            continue
        insts: list[int | None] = list(ms.instances.values()) if ms.instances else [None]
        for t in m.transitions:
            for i in insts:
                out.extend(_transition(sc, el, ms, t, i))
    return out


def _param_choices(sc: Scope, el: Elaborator, t: S.TransitionDecl) -> list[tuple[tuple[str, Const], ...]] | None:
    sorts = []
    for name, ty in t.params:
        s = el.sort_of(ty)
        if s is None:
            return None
        sorts.append((name, s))
    total = 1
    for _, s in sorts:
        total *= size(s)
    doms = [[(name, Const(v, s)) for v in s.values()] for name, s in sorts] if total <= MAX_EXPANSION else []
    if total > MAX_EXPANSION:
        sc.out.error("SC401", t.span, f"transition '{t.name}' has {total} parameter combinations",
                     f"at most {MAX_EXPANSION}")
        return None
    return list(itertools.product(*doms))


def _transition(sc: Scope, el: Elaborator, ms: MachineScope, t: S.TransitionDecl,
                i: int | None) -> list[tuple[Action, ActEnv]]:
    choices = _param_choices(sc, el, t)
    if choices is None:
        return []
    out = []
    for choice in choices:
        env = Env(machine=ms, self_idx=i)
        for n, c in choice:
            env = env.bind(n, c)
        if t.when is not None:
            w = el.bool_expr(t.when, Env(static=True, bound=env.bound))
            if w is None or not isinstance(w, Const):
                if w is not None:
                    sc.out.error("SC306", t.when.span, "`when:` must be constant over params", "a static condition")
                continue
            if not w.value:
                continue
        out.extend(_instance(sc, el, ms, t, i, env, choice))
    return out


def _pc_guard(sc: Scope, ms: MachineScope, t: S.TransitionDecl, i: int | None) -> Expr | None:
    pcs = ms.pc.sort
    assert isinstance(pcs, EnumSort)
    if t.sources is None:
        return smart.TRUE
    pc = Var(ms.pc.slots[i or 0], pcs)
    bad = [(s, sp) for s, sp in zip(t.sources, t.source_spans, strict=False) if s not in pcs.members]
    for s, sp in bad:
        from model.diagnostics import did_you_mean
        sc.out.error("SC201", sp, f"'{s}' is not a state of machine '{ms.decl.name}'",
                     ", ".join(pcs.members), did_you_mean(s, pcs.members))
    if bad:
        return None
    return smart.Or(*(smart.Eq(pc, Const(pcs.members.index(s), pcs)) for s in t.sources))


def _instance(sc: Scope, el: Elaborator, ms: MachineScope, t: S.TransitionDecl, i: int | None,
              env: Env, choice: tuple[tuple[str, Const], ...]) -> list[tuple[Action, ActEnv]]:
    pcg = _pc_guard(sc, ms, t, i)
    start = len(el.seq_checks)
    g = el.bool_expr(t.guard, env) if t.guard is not None else smart.TRUE
    if g is not None and t.guard is not None:
        env = replace(env, narrow=narrowing(el, t.guard, env))   # NOTE(narrowing)
    g_checks = el.seq_checks[start:]   # NOTE(seq-checks) in model/writes.py
    if g is not None and g_checks:   # a guard reading outside a sequence is a step out of range
        g = smart.Or(g, any_bad(g_checks))
    op_args: list[tuple[str, Expr]] = []
    outcomes = _call(sc, el, t.call, env, op_args) if t.call is not None else [(None, None, smart.FALSE, [])]
    if pcg is None or g is None or outcomes is None:
        return []
    guard = smart.And(pcg, g)
    if smart.is_false(guard):
        return []
    var_sort = {k: v.sort for k, v in enumerate(sc.vars)}
    res = []
    for outcome, result, _ok, op_writes in outcomes:
        renv = Env(env.bound, env.machine, env.self_idx, result, narrow=env.narrow)
        writes = _own_writes(sc, el, t, ms, i, renv, op_writes, result)
        if writes is None:
            return []
        all_writes = [*op_writes, *writes, *check_writes(el.seq_checks[start:], pcg)]
        updates = updates_of(all_writes, var_sort)
        label = ActionLabel(ms.decl.name, t.name, i, tuple(Arg(n, c.value, c.sort) for n, c in choice), outcome)
        fair = _fairness(sc, t) if outcome is None else None  # NOTE(fairness)
        act = Action(label, guard, updates, t.call.func if t.call else None, result, t.cites, t.span, fair,
                     _lane(sc, el, ms, t, env, choice), _call_lane(sc, el, t.call, op_args))
        post = dict(updates)
        aenv = ActEnv(Env(renv.bound, renv.machine, renv.self_idx, result, post), ms.decl.name, t.name,
                      t.call.func if t.call else None, smart.And(guard, range_bad(all_writes)), tuple(op_args))
        res.append((act, aenv))
    del el.seq_checks[start:]
    return res


def _own_writes(sc: Scope, el: Elaborator, t: S.TransitionDecl, ms: MachineScope, i: int | None,
                env: Env, op_writes: list[Write], result: Expr | None) -> list[Write] | None:
    """The transition's effect, its `store:` and its `to:` (all after the operation's writes)."""
    writes: list[Write] = []
    for a in t.effect:
        writes.extend(lower_assign(el, a, env, smart.TRUE))
    op_bases = {w.place.base for w in op_writes}
    for w in writes:
        if w.place.base in op_bases:
            sc.out.error("SC315", w.place.span, f"'{w.place.base}' is written by both the transition and "
                         f"its operation '{t.call.func if t.call else ''}'", "one writer per variable per step")
            return None
    if t.store is not None and result is not None:
        p = place_of(el, t.store, env)
        sw = write(el, p, result, t.store.span, smart.TRUE) if p is not None else None
        if sw is None:
            return None
        writes.append(sw)
    elif t.store is not None:
        sc.out.error("SC202", t.store.span, "`store:` needs a `call:` whose result it stores")
    if t.target is not None:
        to = el.expr(t.target, env, ms.pc.sort)
        if to is None:
            return None
        if to.sort != ms.pc.sort:
            sc.out.error("SC301", t.target.span, f"`to:` must be a state of machine '{ms.decl.name}', "
                         f"got a value of type {to.sort}", ", ".join(ms.decl.states))
            return None
        from model.writes import Place
        writes.append(Write(Place("pc", (ms.pc.slots[i or 0],), None, ms.pc.sort, t.target.span),
                            to, smart.TRUE))
    return writes


def _fairness(sc: Scope, t: S.TransitionDecl) -> str | None:
    """weak | strong | None; `fair:` may name an enum param whose value is one of those."""
    ms = sc.machines[next(m.name for m in sc.spec.machines if t in m.transitions)]
    f = t.fair or ms.decl.fair
    span = (t.fair_span if t.fair else ms.decl.fair_span) or t.span
    if f in ("weak", "strong") and f in sc.params:   # NOTE(shadowing): the keyword would win
        sc.out.error("SC205", span, f"fair: '{f}' is both a fairness kind and param '{f}'",
                     "a param named other than weak, strong or none",
                     (f"`fair: {f}` would mean {f} fairness, never the param's value; rename the param",))
        return None
    if f is not None and f not in ("weak", "strong", "none"):
        c = sc.params.get(f)
        v = c.sort.render(c.value) if c is not None else None
        if v not in ("weak", "strong", "none"):
            sc.out.error("SC306", span,
                         f"fair: '{f}' must be weak, strong, none or a param with one of "
                         "those values", "weak, strong or none")
            return None
        f = v
    return None if f in (None, "none") else f


def _fair_groups(sc: Scope, actions: list[Action]) -> tuple[FairGroup, ...]:
    """The declared fairness groups (NOTE(fairness) in checker/explicit/liveness.py): a machine's
    `fair: {weak: [a, b]}` is one group per instance, "a or b" of that instance; the top-level
    `fairness:` one group over every instance and parameter choice of the named transitions
    (`m.t`, or `t` for a global one). `all` names every transition; `may_fail` outcomes stay
    adversarial, as with a transition's `fair:`. A group with no action is never enabled: dropped."""
    out = []
    for m in sc.spec.machines:
        ms = sc.machines.get(m.name)
        for d in m.fair_groups:
            names = _group_names(sc, d, [t.name for t in m.transitions], f"machine '{m.name}'")
            for i in (ms.instances.values() if ms is not None and ms.instances else [None]):
                who = m.name if i is None else f"{m.name}[{i}]"
                acts = tuple(k for k, a in enumerate(actions) if a.label.machine == m.name and a.label.instance == i
                             and a.label.outcome is None and (names is None or a.label.transition in names))
                label = f"every transition of {who}" if names is None else " or ".join(f"{who}.{n}" for n in names)
                out.append(FairGroup(label, d.kind, acts))
    every = [S.qualified(m.name, t.name) for m in sc.spec.machines for t in m.transitions]
    for d in sc.spec.fairness:
        names = _group_names(sc, d, every, "the spec")
        acts = tuple(k for k, a in enumerate(actions)
                     if a.label.outcome is None and (names is None or a.label.qualified in names))
        out.append(FairGroup("every transition" if names is None else " or ".join(names), d.kind, acts))
    return tuple(g for g in out if g.actions)


def _group_names(sc: Scope, d: S.FairDecl, known: list[str], where: str) -> list[str] | None:
    if d.names is None:
        return None
    for n, span in d.names:
        if n not in known:
            sc.out.error("SC201", span, f"fairness group: unknown transition '{n}' of {where}",
                         ", ".join(known) or "no transitions", did_you_mean(n, known))
    return [n for n, _ in d.names]


# NOTE(lanes): where a step runs, for the per-LP race diagram (checker/export/race_lp.py). One
# index set may be declared `lane: true`; a step's lane is, first match wins: the transition's
# `lane:` expression; its one parameter of the lane type; its machine's `lane:` expression;
# else no LP. A transition with two lane-typed parameters and no `lane:` is an error (which CPU
# runs it is the author's call, not ours). An operation runs on its `lane:`, else on its one
# lane-typed parameter, else on the calling step's lane. Lanes never change the semantics:
# engines ignore them, and a spec without a lane type lowers exactly as before.


def _lane_sort(sc: Scope) -> IndexSort | None:
    decls = [t for t in sc.spec.types if t.lane]
    for extra in decls[1:]:
        sc.out.error("SC320", extra.span, f"index sets '{decls[0].name}' and '{extra.name}' are both "
                     "declared `lane: true`", "one lane type per spec")
    s = sc.types.get(decls[0].name) if decls else None
    return s if isinstance(s, IndexSort) else None


def _lane(sc: Scope, el: Elaborator, ms: MachineScope, t: S.TransitionDecl, env: Env,
          choice: tuple[tuple[str, Const], ...]) -> Expr | None:
    if t.lane is not None:
        return _lane_expr(sc, el, t.lane, env)
    typed = [(n, c) for n, c in choice if sc.lanes is not None and c.sort == sc.lanes]
    if len(typed) > 1:
        names = ", ".join(n for n, _ in typed)
        sc.out.error("SC320", t.span, f"transition '{t.name}' has {len(typed)} parameters of lane type "
                     f"{typed[0][1].sort} ({names}); which one does it run on?", f"`lane: {typed[0][0]}` "
                     "(or another expression of that type, or `none`)")
        return None
    if typed:
        return typed[0][1]
    if ms.decl.lane is not None:
        return _lane_expr(sc, el, ms.decl.lane, Env(machine=env.machine, self_idx=env.self_idx))
    return None


def _call_lane(sc: Scope, el: Elaborator, call: S.Call | None, op_args: list[tuple[str, Expr]]) -> Expr | None:
    op = sc.ops.get(call.func) if call is not None else None
    if op is None:
        return None
    if op.lane is not None:
        return _lane_expr(sc, el, op.lane, Env(bound=tuple(op_args)))
    typed = [(n, x) for n, x in op_args if sc.lanes is not None and x.sort == sc.lanes]
    if len(typed) > 1:
        sc.out.error("SC320", op.span, f"operation '{op.name}' has {len(typed)} parameters of lane type "
                     f"{sc.lanes} ({', '.join(n for n, _ in typed)}); which one does it run on?",
                     f"`lane: {typed[0][0]}` (or `none`)")
        return None
    return typed[0][1] if typed else None


def _lane_expr(sc: Scope, el: Elaborator, e: S.SExpr, env: Env) -> Expr | None:
    if sc.lanes is None:
        sc.out.error("SC320", e.span, "`lane:` needs an index set declared `lane: true`",
                     "`types: {LP: {index: P, lane: true}}`")
        return None
    x = el.expr(e, env, OptionSort(sc.lanes))   # so that `lane: 0` names LP 0
    if x is not None and not assignable(OptionSort(sc.lanes), x.sort):
        sc.out.error("SC320", e.span, f"`lane:` must be a {sc.lanes} or none, got a value of type {x.sort}",
                     f"{sc.lanes}?")
        return None
    return x


Outcome = tuple[str | None, Expr | None, Expr, list[Write]]


def _call(sc: Scope, el: Elaborator, call: S.Call, env: Env,
          args_out: list[tuple[str, Expr]]) -> list[Outcome] | None:
    """The outcomes of invoking an operation: the checked one, then each `may_fail` code.
    The operation's parameter bindings are appended to args_out (for step properties)."""
    op = sc.ops.get(call.func)
    if op is None:
        sc.unknown(call.func, call.span, "operation", tuple(sc.ops))
        return None
    openv = _op_args(sc, el, op, call, env)
    if openv is None:
        return None
    args_out.extend(reversed(openv.bound))
    status = sc.status
    elaborated = [(el.bool_expr(c.require, openv), c.error) for c in op.checks]
    checks = [(g, code) for g, code in elaborated if g is not None]
    if len(checks) != len(elaborated):
        return None
    result: Expr = Const(0, status)
    for g, code in reversed(checks):
        result = smart.Ite_(smart.Not(g), Const(status.members.index(code), status), result, status)
    ok = smart.And(*(g for g, _ in checks))
    writes = [w for a in op.effect for w in lower_assign(el, a, openv, ok)]
    outs: list[Outcome] = [(None, result, ok, writes)]
    for code, _ in op.may_fail:
        outs.append((code, Const(status.members.index(code), status), smart.FALSE, []))
    return outs


def _op_args(sc: Scope, el: Elaborator, op: S.OpDecl, call: S.Call, env: Env) -> Env | None:
    names = [n for n, _ in op.params]
    given: dict[str, S.SExpr] = dict(zip(names, call.args, strict=False))
    if len(call.args) > len(names):
        sc.out.error("SC311", call.span, f"'{op.name}' takes {len(names)} argument(s), got {len(call.args)}",
                     f"{op.name}({', '.join(names)})")
        return None
    for k, v in call.kwargs:
        if k not in names or k in given:
            sc.out.error("SC311", v.span, f"bad keyword argument '{k}' for '{op.name}'", ", ".join(names))
            return None
        given[k] = v
    missing = [n for n in names if n not in given]
    if missing:
        sc.out.error("SC311", call.span, f"missing argument(s) {', '.join(missing)} for '{op.name}'",
                     f"{op.name}({', '.join(names)})")
        return None
    openv = Env()
    for n, ty in op.params:
        s = el.sort_of(ty)
        x = el.expr(given[n], env, s) if s is not None else None
        if x is None or s is None:
            return None
        if not assignable(s, x.sort) and not (isinstance(s, IntSort) and isinstance(x.sort, IntSort)):
            sc.out.error("SC301", given[n].span, f"argument '{n}' of '{op.name}' has type {x.sort}", str(s))
            return None
        openv = openv.bind(n, x)
    return openv


def _expect(p: S.PropertyDecl, inst: Instance, el: Elaborator | None = None,
            bound: tuple[tuple[str, Expr], ...] = ()) -> str | None:
    if p.expect_rules and el is not None:
        for cond, verdict in p.expect_rules:
            c = el.bool_expr(cond, Env(static=True, bound=bound)) if cond is not None else smart.TRUE
            if c is not None and not isinstance(c, Const):
                el.err(cond.span if cond else p.span, "an expectation's `when:` must be constant over params",
                       "a static condition", "SC306")
                return None
            if c is not None and c.value:
                return verdict
        return None
    d = dict(p.expect)
    if inst.variant is not None and inst.variant in d:
        return d[inst.variant]
    return d.get("default")


def _builtin_expect(p: Property, decls: tuple[S.PropertyDecl, ...], inst: Instance, el: Elaborator) -> Property:
    from dataclasses import replace
    for d in decls:
        if d.kind == "builtin" and d.name == p.name:
            return replace(p, expect=_expect(d, inst, el), doc=d.doc or p.doc, span=d.span)
    return p


def _on_filter(sc: Scope, p: S.PropertyDecl) -> set[str] | None:
    if p.on is None:
        return None
    known = {S.qualified(m.name, t.name) for m in sc.spec.machines for t in m.transitions}
    known |= {f"call:{o.name}" for o in sc.spec.operations}
    for name, span in p.on:
        if name not in known:
            from model.diagnostics import did_you_mean
            sc.out.error("SC201", span, f"property '{p.name}': unknown transition '{name}'",
                         "machine.transition or call:operation", did_you_mean(name, known))
    return {n for n, _ in p.on}


# NOTE(families): a property with `for: {p: Proc, ...}` is a family: lowering expands it, per
# instance (so it follows the size parameters), into one property per combination of values,
# named `mutex[p=0]` (values rendered as in traces, variables in declared order) and checked and
# reported like any property; `family` and `args` keep where it came from, so `--property mutex`
# asks for every member and an expectation's `when:` may read the variables. The variables are
# bound like a quantifier's, so they may not hide a name in scope (a transition parameter of a
# step property included). A member over a symmetric set names an element, which symmetry
# reduction does not preserve: the explicit search then runs without it (checker/run/engines.py).


def _properties(sc: Scope, el: Elaborator, decls: tuple[S.PropertyDecl, ...],
                acts: list[tuple[Action, ActEnv]], inst: Instance) -> list[Property]:
    out = []
    for p in decls:
        if p.kind == "builtin":
            continue
        for args in _family_args(sc, el, p):
            name = p.name + (f"[{', '.join(a.render() for a in args)}]" if p.family else "")
            q = _property(sc, el, p, acts, inst, tuple((a.name, Const(a.value, a.sort)) for a in args))
            if q is not None:
                out.append(replace(q, name=name, family=p.name if p.family else None, args=args))
    return out


def _family_args(sc: Scope, el: Elaborator, p: S.PropertyDecl) -> list[tuple[Arg, ...]]:
    """The values of a family's variables, one tuple per member; [()] for a single property."""
    doms: list[list[Arg]] = []
    for (name, ty), span in zip(p.family, p.family_spans, strict=True):
        s = el.sort_of(ty)
        if s is None or not el.binder_ok(name, span, Env()):
            return []
        if isinstance(s, OptionSort):
            el.err(span, f"property '{p.name}' cannot range over option type {s}",
                   "an index set, enum, bool or range")
            return []
        doms.append([Arg(name, v, s) for v in s.values()])
    total = 1
    for d in doms:
        total *= len(d)
    if total > MAX_FAMILY:
        sc.out.error("SC401", p.span, f"property '{p.name}' has {total} members", f"at most {MAX_FAMILY}")
        return []
    return list(itertools.product(*doms))


MAX_FAMILY = 1000   # each member is searched for and reported on its own


def _property(sc: Scope, el: Elaborator, p: S.PropertyDecl, acts: list[tuple[Action, ActEnv]],
              inst: Instance, bound: tuple[tuple[str, Expr], ...]) -> Property | None:
    top = Env(bound=bound, quantified=tuple(n for n, _ in bound))
    expect = _expect(p, inst, el, bound)
    if p.kind == "invariant":
        start = len(el.seq_checks)
        e = el.bool_expr(p.expr, top)
        if e is not None and len(el.seq_checks) > start:   # NOTE(seqs): reading outside fails it
            e = smart.And(smart.Not(any_bad(el.seq_checks[start:])), e)
            del el.seq_checks[start:]
        return Property(p.name, "invariant", pred=e, expect=expect, doc=p.doc, span=p.span) if e is not None else None
    if p.kind in TEMPORAL_KINDS:
        e = el.bool_expr(p.expr, top)
        e2 = el.bool_expr(p.expr2, top) if p.expr2 is not None else None
        if e is not None and (e2 is not None or p.expr2 is None):
            return Property(p.name, p.kind, pred=e, expect=expect, doc=p.doc, span=p.span, pred2=e2)
        return None
    on = _on_filter(sc, p)
    bad = []
    for i, (a, ae) in enumerate(acts):
        if on is not None and S.qualified(ae.machine, ae.transition) not in on and f"call:{ae.call}" not in on:
            continue
        env: Env | None = ae.env
        if on is not None and all(n.startswith("call:") for n in on):
            env = _with_op_args(el, p, ae)
        env = _with_family(el, p, ae, env, bound)
        q = el.bool_expr(p.expr, env) if env is not None else None
        if q is None:
            break
        b = smart.And(a.guard, smart.Not(q))
        if not smart.is_false(b):
            bad.append((i, b))
    return Property(p.name, "step", bad=tuple(bad), expect=expect, doc=p.doc, span=p.span)


def _with_family(el: Elaborator, p: S.PropertyDecl, ae: ActEnv, env: Env | None,
                 bound: tuple[tuple[str, Expr], ...]) -> Env | None:
    """A step property's env plus its family variables, which must hide no parameter (NOTE(families))."""
    for (name, value), span in zip(bound, p.family_spans, strict=True):
        if env is None:
            return None
        if env.lookup(name) is not None:
            el.err(span, f"variable '{name}' of property '{p.name}' has the same name as a parameter of "
                   f"transition '{ae.machine}.{ae.transition}'", "a name of its own for the family variable",
                   "SC206", (f"the property would read '{name}' as the family variable; rename one of them",))
            return None
        env = env.bind(name, value)
    return env


def _with_op_args(el: Elaborator, p: S.PropertyDecl, ae: ActEnv) -> Env | None:
    """The env of an `on: [call:op]` step property: the transition's, plus op's parameters,
    which must not hide a different transition parameter or a machine variable (NOTE(shadowing))."""
    env = ae.env
    for name, value in ae.op_args:
        prev = env.lookup(name)
        fields = env.machine.fields if env.machine else {}
        if (prev is not None and prev != value) or name in fields:
            other = (f"variable '{name}' of machine '{ae.machine}'" if name in fields
                     else f"a parameter of transition '{ae.machine}.{ae.transition}' with another value")
            el.err(p.span, f"in property '{p.name}', parameter '{name}' of operation '{ae.call}' hides {other}",
                   "operation parameters named apart from the calling transition's names", "SC206",
                   (f"the property would read '{name}' as the operation's parameter; rename one of them",))
            return None
        env = env.bind(name, value)
    return env


def _declared_order(props: list[Property], builtin: list[Property],
                    decls: tuple[S.PropertyDecl, ...]) -> tuple[Property, ...]:
    """The properties in the order the spec declares them; a built-in one (deadlock, range)
    stands where the spec names it (to state its expectation), else after all declared ones."""
    order = {d.name: i for i, d in enumerate(decls)}
    last = len(order)
    return tuple(sorted((*props, *builtin), key=lambda p: order.get(p.name, last)))


def _deadlock(sc: Scope, actions: list[Action]) -> Property:
    term = []
    for ms in sc.machines.values():
        pcs = ms.pc.sort
        assert isinstance(pcs, EnumSort)
        for slot in ms.pc.slots:
            term.append(smart.Or(*(smart.Eq(Var(slot, pcs), Const(pcs.members.index(t), pcs))
                                   for t in ms.decl.terminal)))
    pred = smart.Or(*(a.guard for a in actions), smart.And(*term) if term else smart.FALSE)
    return Property("deadlock", "deadlock", pred=pred,
                    doc="some transition is enabled unless every machine is in a terminal state")
