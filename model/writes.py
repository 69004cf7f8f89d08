"""Assignments: targets -> slot writes -> one update expression per written slot.

NOTE(write-order): all right-hand sides read the pre-state; when two writes of one step may hit
the same slot, the later one in the effect list wins (TLA+ EXCEPT order). A write with a
non-constant key becomes an if-then-else on every slot it may hit.
"""

from __future__ import annotations

from dataclasses import dataclass

from model import smart
from model import syntax as S
from model.elaborate import Elaborator, Env, numeric
from model.ir import Const, Expr, Op, Var
from model.sorts import BOOL, Sort, assignable, contains, key_offset
from model.source import Span


@dataclass(frozen=True)
class Place:
    """Where a write lands: one of `slots`, chosen by `key` (None: the only slot)."""

    base: str
    slots: tuple[int, ...]
    key: Expr | None
    offset: int
    sort: Sort
    span: Span


@dataclass(frozen=True)
class Write:
    place: Place
    value: Expr
    cond: Expr


def place_of(el: Elaborator, lhs: S.SExpr, env: Env) -> Place | None:
    sc = el.sc
    if isinstance(lhs, S.Name):
        m = env.machine
        if lhs.id == "pc":
            el.err(lhs.span, "the control state is set with `to:`, not assigned", code="SC314")
            return None
        if m is not None and lhs.id in m.fields:
            info = m.fields[lhs.id]
            return Place(f"{m.decl.name}.{lhs.id}", (info.slots[env.self_idx or 0],), None, 0, info.sort, lhs.span)
        g = sc.globals.get(lhs.id)
        if g is not None and g.key is None:
            return Place(g.name, g.slots, None, 0, g.sort, lhs.span)
        if g is not None:
            el.err(lhs.span, f"map '{lhs.id}' is assigned one cell at a time", f"{lhs.id}[key]", "SC307")
            return None
    if isinstance(lhs, S.Index) and isinstance(lhs.base, S.Name) and lhs.base.id in sc.globals:
        g = sc.globals[lhs.base.id]
        if g.key is None:
            el.err(lhs.span, f"'{g.name}' is not a map", "a map variable", "SC309")
            return None
        k = el.key_expr(g, lhs.index, env)
        return Place(g.name, g.slots, k, key_offset(g.key), g.sort, lhs.span) if k is not None else None
    if isinstance(lhs, S.Field):
        got = el.field_info(lhs, env)
        if got is None:
            return None
        info, idx = got
        base = f"{lhs.base}.{lhs.name}"
        if isinstance(idx, int) or idx is None:
            return Place(base, (info.slots[idx or 0],), None, 0, info.sort, lhs.span)
        return Place(base, info.slots, idx, 0, info.sort, lhs.span)
    if isinstance(lhs, S.Name):
        sc.unknown(lhs.id, lhs.span, "variable")
        return None
    el.err(lhs.span, "cannot assign to this expression",
           "a variable, a map cell m[k], or a machine field m[i].f", "SC314")
    return None


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
    envs = [env]
    if a.target.var is not None:
        dom = el.domain(a.target.domain or "", a.target.span)
        if dom is None or not el.binder_ok(a.target.var, a.target.span, env):
            return []
        envs = [env.bind_quantified(a.target.var, Const(v, dom)) for v in dom.values()]
    out = []
    for e in envs:
        p = place_of(el, a.target.lhs, e)
        v = el.expr(a.value, e, p.sort) if p is not None else None
        w = write(el, p, v, a.value.span, cond) if p is not None and v is not None else None
        if w is not None:
            out.append(w)
    return out


def updates_of(writes: list[Write], var_sort: dict[int, Sort]) -> tuple[tuple[int, Expr], ...]:
    """Fold writes into one update per slot, in slot order (NOTE(write-order))."""
    acc: dict[int, Expr] = {}
    for w in writes:
        p = w.place
        for pos, slot in enumerate(p.slots):
            hit = smart.TRUE if p.key is None else smart.Eq(p.key, Const(pos + p.offset, p.key.sort))
            c = smart.And(w.cond, hit)
            if smart.is_false(c):
                continue
            old = acc.get(slot, Var(slot, var_sort[slot]))
            acc[slot] = smart.Ite_(c, w.value, old, var_sort[slot])
    return tuple(sorted((s, e) for s, e in acc.items() if e != Var(s, var_sort[s])))


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
