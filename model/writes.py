"""Assignments: targets -> slot writes -> one update expression per written slot.

NOTE(write-order): all right-hand sides read the pre-state; when two writes of one step may hit
the same slot, the later one in the effect list wins (TLA+ EXCEPT order). A write with a
non-constant key becomes an if-then-else on every slot it may hit.
"""

from __future__ import annotations

from dataclasses import dataclass

from model import smart
from model import syntax as S
from model.elaborate import Elaborator, Env, cells_hit, machine_of, numeric
from model.ir import Const, Expr, Op, Var
from model.records import push_field
from model.scope import VarInfo
from model.seqs import Check, Seqs, fields, is_seq, slot_sort
from model.sets import ELEM
from model.sorts import BOOL, IntSort, Sort, assignable, contains
from model.source import Span


@dataclass(frozen=True)
class Place:
    """Where a write lands: slots[i] when hits[i] holds (one slot and no hits: always there)."""

    base: str
    slots: tuple[int, ...]
    hits: tuple[Expr, ...] | None
    sort: Sort
    span: Span


@dataclass(frozen=True)
class Write:
    place: Place
    value: Expr
    cond: Expr


def _at(base: str, info: VarInfo, keys: list[Expr], span: Span) -> Place:
    cells = cells_hit(info.path, info.slots, keys)
    if len(cells) == 1 and smart.is_true(cells[0][1]):
        return Place(base, (cells[0][0],), None, info.sort, span)
    return Place(base, tuple(s for s, _ in cells), tuple(h for _, h in cells), info.sort, span)


def place_of(el: Elaborator, lhs: S.SExpr, env: Env) -> Place | None:
    sc = el.sc
    if isinstance(lhs, S.Name):
        m = env.machine
        if lhs.id == "pc":
            el.err(lhs.span, "the control state is set with `to:`, not assigned", code="SC314")
            return None
        if m is not None and lhs.id in m.fields:
            info = m.fields[lhs.id]
            if info.inner:
                el.err(lhs.span, f"map '{lhs.id}' is assigned one cell at a time",
                       lhs.id + "[key]" * len(info.inner), "SC307")
                return None
            return Place(f"{m.decl.name}.{lhs.id}", (info.slots[env.self_idx or 0],), None, info.sort, lhs.span)
        g = sc.globals.get(lhs.id)
        if g is not None and g.key is None:
            return Place(g.name, g.slots, None, g.sort, lhs.span)
        if g is not None:
            el.err(lhs.span, f"map '{lhs.id}' is assigned one cell at a time", lhs.id + "[key]" * len(g.path),
                   "SC307")
            return None
    if isinstance(lhs, S.Index) and _indexable(lhs, sc.globals, env):
        cell = el.indexed(lhs, env)
        if cell is None:
            return None
        return _at(_base_name(lhs, env), cell[0], cell[1], lhs.span)
    if isinstance(lhs, S.Field) and (fields := el.record_fields(lhs.base, env)) is not None:
        if is_seq(fields):   # NOTE(seqs) in model/seqs.py: the lowering's fields, not the spec's
            el.err(lhs.span, "a sequence is assigned whole", "q: \"append(q, x)\", q: \"tail(q)\"", "SC314")
            return None
        if lhs.name not in fields:   # NOTE(records) in model/records.py
            el.err(lhs.span, f"the record has no field '{lhs.name}'", ", ".join(fields), "SC201")
            return None
        return place_of(el, push_field(lhs.base, lhs.name), env)
    if isinstance(lhs, S.Field):
        got = el.field_info(lhs, env)
        if got is None:
            return None
        info, idx = got
        base = f"{lhs.base}.{lhs.name}"
        if info.inner:
            shown = f"{machine_of(lhs)}.{lhs.name}"
            el.err(lhs.span, f"map '{shown}' is assigned one cell at a time", shown + "[key]" * len(info.inner),
                   "SC307")
            return None
        if isinstance(idx, int) or idx is None:
            return Place(base, (info.slots[idx or 0],), None, info.sort, lhs.span)
        return _at(base, info, [idx], lhs.span)
    if isinstance(lhs, S.Name):
        sc.unknown(lhs.id, lhs.span, "variable")
        return None
    el.err(lhs.span, "cannot assign to this expression",
           "a variable, a map cell m[k], or a machine field m[i].f", "SC314")
    return None


def _show(e: S.SExpr) -> str:
    if isinstance(e, S.Index):
        return f"{_show(e.base)}[...]"
    return e.id if isinstance(e, S.Name) else str(getattr(e, "name", "the set"))


def _root(lhs: S.Index) -> S.SExpr:
    base: S.SExpr = lhs
    while isinstance(base, S.Index):
        base = base.base
    return base


def _indexable(lhs: S.Index, globals_: dict[str, VarInfo], env: Env) -> bool:
    """Whether an indexed target names a map: global, the machine's own, or another instance's."""
    root = _root(lhs)
    if isinstance(root, S.Field):
        return True
    return isinstance(root, S.Name) and (root.id in globals_ or (
        env.machine is not None and root.id in env.machine.fields))


def _base_name(lhs: S.Index, env: Env) -> str:
    """The variable a written cell belongs to, as SC315 names it."""
    root = _root(lhs)
    if isinstance(root, S.Field):
        return f"{root.base}.{root.name}"
    assert isinstance(root, S.Name)
    if env.machine is not None and root.id in env.machine.fields:
        return f"{env.machine.decl.name}.{root.id}"
    return root.id


def write(el: Elaborator, place: Place, value: Expr, span: Span, cond: Expr) -> Write | None:
    ok = assignable(place.sort, value.sort) or (
        numeric(place.sort) is not None and numeric(value.sort) is not None)
    if not ok:
        el.err(span, f"cannot assign a value of type {value.sort} to '{place.base}' of type {place.sort}",
               str(place.sort))
        return None
    if isinstance(value, Const) and numeric(place.sort) is not None and not contains(place.sort, value.value):
        el.err(span, f"{value.value} is outside the type {place.sort} of '{place.base}'", str(place.sort), "SC305")
        return None
    return Write(place, value, cond)


def lower_assign(el: Elaborator, a: S.Assign, env: Env, cond: Expr) -> list[Write]:
    """One surface assignment (possibly `for w in T`) -> writes."""
    ss = el.sets(env)
    if a.target.var is None and (t := ss.var(a.target.lhs)) is not None:   # NOTE(sets) in model/sets.py
        if not ss.is_set(a.value) or ss.elem_type(a.value) not in (None, t):
            el.err(a.value.span, f"set '{_show(a.target.lhs)}' of {t} is assigned a value that is not a set of {t}",
                   "{}, {a, b}, s | {x}, s - {x}, s & t", "SC301")
            return []
        x = S.Name(ELEM, a.target.span)
        each = S.Target(S.Index(a.target.lhs, x, a.target.span), ELEM, t, a.target.span)
        return lower_assign(el, S.Assign(each, ss.member(a.value, x)), env, cond)
    if a.target.var is None and (si := el.seq_info(a.target.lhs, env)) is not None:   # NOTE(seqs)
        return _seq_writes(el, a, env, si, cond)
    if isinstance(a.target.lhs, S.Index) and Seqs(el).is_seq(a.target.lhs.base, env):
        el.err(a.target.span, "a sequence is assigned whole, not one element at a time",
               "q: \"append(q, x)\", q: \"tail(q)\", q: \"[a, b]\"", "SC314")
        return []
    envs = [env]
    if a.target.var is not None:
        dom = el.domain(a.target.domain or "", a.target.span)
        if dom is None or not el.binder_ok(a.target.var, a.target.span, env):
            return []
        envs = [env.bind_quantified(a.target.var, Const(v, dom)) for v in dom.values()]
    out = []
    for e in envs:
        fields = el.record_fields(a.target.lhs, e)
        if fields is not None:
            out.extend(_record_writes(el, a, e, fields, cond))
            continue
        p = place_of(el, a.target.lhs, e)
        v = el.expr(a.value, e, p.sort) if p is not None else None
        w = write(el, p, v, a.value.span, cond) if p is not None and v is not None else None
        if w is not None:
            out.append(w)
    return out


def _seq_writes(el: Elaborator, a: S.Assign, env: Env, info: tuple[Sort, int], cond: Expr) -> list[Write]:
    """A sequence assigned: its length and every slot (NOTE(seqs) in model/seqs.py)."""
    elem, cap = info
    values = Seqs(el).assign(a.value, env, cap, slot_sort(elem), elem)
    places = [place_of(el, push_field(a.target.lhs, f), env) for f in fields(cap)]
    if values is None or any(p is None for p in places):
        return []
    writes = [write(el, p, v, a.value.span, cond) for p, v in zip(places, values, strict=True)]  # type: ignore[arg-type]
    return [w for w in writes if w is not None]


def check_writes(checks: list[Check], cond: Expr) -> list[Write]:
    """NOTE(seq-checks): a step that reads outside a sequence stores the length one past the
    sequence's capacity where `cond` (and the read's condition) holds, so it leaves the range and
    the built-in property `range` reports it; a read of a literal marks nothing (then it is a
    constant, reported where it is read)."""
    out = []
    for c in checks:
        for slot, sort in c.slots:
            hi = sort.hi  # type: ignore[union-attr]
            place = Place(f"slot {slot}", (slot,), None, sort, c.span)
            out.append(Write(place, Const(hi + 1, IntSort(hi + 1, hi + 1)), smart.And(cond, c.bad)))
    return out


def _record_writes(el: Elaborator, a: S.Assign, env: Env, fields: tuple[str, ...], cond: Expr) -> list[Write]:
    """A whole record assigned: one write per field, in field order (NOTE(records))."""
    places = [place_of(el, push_field(a.target.lhs, f), env) for f in fields]
    if any(p is None for p in places):
        return []
    like = [Var(p.slots[0], p.sort) for p in places]  # type: ignore[union-attr]
    values = el.record_values(a.value, env, like, fields)  # type: ignore[arg-type]
    if values is None:
        return []
    writes = [write(el, p, v, a.value.span, cond) for p, v in zip(places, values, strict=True)]  # type: ignore[arg-type]
    return [w for w in writes if w is not None]


def updates_of(writes: list[Write], var_sort: dict[int, Sort]) -> tuple[tuple[int, Expr], ...]:
    """Fold writes into one update per slot, in slot order (NOTE(write-order))."""
    acc: dict[int, Expr] = {}
    for w in writes:
        p = w.place
        for pos, slot in enumerate(p.slots):
            c = smart.And(w.cond, smart.TRUE if p.hits is None else p.hits[pos])
            if smart.is_false(c):
                continue
            old = acc.get(slot, Var(slot, var_sort[slot]))
            acc[slot] = smart.Ite_(c, w.value, old, _wider(old.sort, w.value.sort))
    return tuple(sorted((s, e) for s, e in acc.items() if e != Var(s, var_sort[s])))


def _wider(a: Sort, b: Sort) -> Sort:
    """The sort of `if c then b else a`: an integer write out of the slot's range keeps its range
    in the sort, so the engines see the update may leave the range (NOTE(range-steps))."""
    if isinstance(a, IntSort) and isinstance(b, IntSort):
        return IntSort(min(a.lo, b.lo), max(a.hi, b.hi))
    return a


def range_bad(writes: list[Write]) -> Expr:
    """Condition (on the pre-state) under which some write stores an out-of-range value."""
    bad: list[Expr] = []
    for w in writes:
        tgt, val = numeric(w.place.sort), numeric(w.value.sort)
        if tgt is None or val is None or (tgt.lo <= val.lo and val.hi <= tgt.hi):
            continue
        out = smart.Or(smart.app(Op.LT, [w.value, smart.const_int(tgt.lo)], BOOL),
                       smart.app(Op.GT, [w.value, smart.const_int(tgt.hi)], BOOL))
        bad.append(smart.And(w.cond, out))
    return smart.Or(*bad)
