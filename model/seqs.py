"""Bounded sequences: `vars: {q: {type: "seq[Msg, 3]", init: "[]"}}`, append, head, tail, len, q[i].

NOTE(seqs): a sequence of at most N elements of a scalar type T is lowered as a record
(NOTE(records) in model/records.py) of N+1 scalar fields: `len` (0..N) and the slots `0`..`N-1`,
so a map of sequences, a machine's sequence and the symmetry reduction come from the record
lowering, and every engine sees nothing new (the SMT encoding flattens the N+1 scalars, as it
does records and sets). The state is kept canonical: a slot at or past `len` holds the empty
value, `none` for an enum or index set (the slot is then of sort T?, so a permutation of a
symmetric T leaves it alone) and the least value of T otherwise; every assignment writes it, so
equal sequences are equal states and `==` is the record's field by field comparison.

A sequence expression (a sequence variable, a literal `[a, b]`, `append(S, x)`, `tail(S)`) is
elaborated to a `SeqVal`: its length and its slot values by position. Reading outside a sequence
(`head(S)` or `tail(S)` of an empty S, `S[i]` with i outside 0..len(S)-1, `append` to a full
sequence variable) is recorded as a check: the condition, on the pre-state, under which the read
is outside, with the length slots of the sequence variable read. `and`, `or`, `=>` and `if`
guard the checks of their right operand (branch) by the left one (the condition), so
`len(q) > 0 and head(q) == x` reads nothing outside. A transition turns its checks into a step
that stores an out-of-range length (NOTE(seq-checks) in model/lower.py), so the built-in
property `range` reports it with a trace; an invariant fails where it reads outside a sequence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from model import smart
from model import syntax as S
from model.ir import Const, Expr, Op, Var
from model.records import push_field, record_of
from model.scope import Scope, collection_var
from model.sorts import BOOL, NONE_VALUE, EnumSort, IndexSort, IntSort, OptionSort, Sort, size
from model.source import Span

LEN = "len"
FUNCS = ("append", "head", "tail")


def has_seq(t: S.SType) -> bool:
    return isinstance(t, S.SeqType) or (isinstance(t, S.MapType) and has_seq(t.value))


def fields(cap: int) -> tuple[str, ...]:
    return (LEN, *(str(j) for j in range(cap)))


def is_seq(fs: tuple[str, ...] | None) -> bool:
    """Whether a record's fields are a sequence's (a spec's record field is never named `0`)."""
    return fs is not None and len(fs) >= 2 and fs[0] == LEN and fs[1] == "0"


def slot_sort(elem: Sort) -> Sort:
    return OptionSort(elem) if isinstance(elem, (EnumSort, IndexSort)) else elem


def empty_value(slot: Sort) -> int:
    if isinstance(slot, OptionSort):
        return NONE_VALUE
    return slot.lo if isinstance(slot, IntSort) else 0


def empty_expr(slot: Sort, span: Span) -> S.SExpr:
    """The empty value of a slot as surface syntax (for a literal `init:`)."""
    if isinstance(slot, OptionSort):
        return S.Name("none", span)
    if isinstance(slot, IntSort):
        lit = S.IntLit(abs(slot.lo), span)
        return lit if slot.lo >= 0 else S.Unary("-", lit, span)
    return S.Name("false", span)


def init_fields(d: S.VarDecl, cap: int, slot: Sort) -> dict[str, S.SExpr] | str:
    """A sequence's `init:` literal as the initial value of each field; a message when it is not one."""
    if not isinstance(d.init, S.SeqLit):
        return f"initial value of sequence '{d.name}' must be a sequence literal"
    if len(d.init.items) > cap:
        return f"initial value of sequence '{d.name}' has {len(d.init.items)} elements"
    got: dict[str, S.SExpr] = {LEN: S.IntLit(len(d.init.items), d.init.span)}
    for j in range(cap):
        got[str(j)] = d.init.items[j] if j < len(d.init.items) else empty_expr(slot, d.init.span)
    return got


def seq_fields_of(lit: S.RecLit, sorts: dict[str, Sort]) -> S.RecLit:
    """A record literal with each sequence field's literal (`q: [a]`) written slot by slot
    (`q.len: 1, q.0: a, q.1: <empty>`), as the record's fields are (NOTE(seqs))."""
    out: list[tuple[str, S.SExpr]] = []
    for n, v in lit.fields:
        cap = sum(1 for f in sorts if f.startswith(f"{n}.") and f[len(n) + 1:].isdigit())
        if f"{n}.len" not in sorts or not isinstance(v, S.SeqLit) or len(v.items) > cap:
            out.append((n, v))
            continue
        out.append((f"{n}.len", S.IntLit(len(v.items), v.span)))
        out.extend((f"{n}.{j}", v.items[j] if j < len(v.items) else empty_expr(sorts[f"{n}.{j}"], v.span))
                   for j in range(cap))
    return S.RecLit(tuple(out), lit.span)


@dataclass(frozen=True)
class SeqVal:
    """A sequence expression elaborated: its length and its slot values by position (past the
    length: any value of the right sort); `var` is the sequence variable it was read from."""

    length: Expr
    items: tuple[Expr, ...]
    elem: Sort
    var: S.SExpr | None = None

    def item(self, j: int, fill: Expr) -> Expr:
        return self.items[j] if j < len(self.items) else fill


@dataclass(frozen=True)
class Check:
    """A read outside a sequence when `bad` holds (on the pre-state); `slots` are the length
    slots of the sequence variable read (none for a literal), `span` where it is read."""

    bad: Expr
    slots: tuple[tuple[int, Sort], ...]
    span: Span


class Elab(Protocol):
    """What the sequence elaboration needs of model/elaborate.py's Elaborator."""

    seq_checks: list[Check]

    def expr(self, e: S.SExpr, env: Any, expected: Sort | None = None) -> Expr | None: ...

    def err(self, span: Span | None, msg: str, expected: str | None = None, code: str = "SC301",
            notes: tuple[str, ...] = ()) -> None: ...

    def seq_info(self, e: S.SExpr, env: Any) -> tuple[Sort, int] | None: ...


def unwrap(x: Expr, elem: Sort) -> Expr:
    """A slot's value as an element: T? -> T (values are encoded alike, NOTE(value-encoding))."""
    from dataclasses import replace
    return replace(x, sort=elem) if x.sort != elem and isinstance(x.sort, OptionSort) else x


def _len_slots(x: Expr) -> tuple[tuple[int, Sort], ...]:
    """The slots an elaborated length reads (one, or several under a non-constant key)."""
    out: list[tuple[int, Sort]] = []
    stack = [x]
    while stack:
        e = stack.pop()
        if isinstance(e, Var):
            out.append((e.slot, e.sort))
        stack.extend(getattr(e, "args", ()))
        stack.extend(x for x in (getattr(e, "then", None), getattr(e, "other", None)) if x is not None)
    return tuple(sorted(set(out), key=lambda p: p[0]))


def _lt(a: Expr, b: Expr) -> Expr:
    return smart.app(Op.LT, [a, b], BOOL)


def _plus(x: Expr, k: int) -> Expr:
    s = x.sort
    assert isinstance(s, IntSort)
    return smart.app(Op.ADD, [x, smart.const_int(k)], IntSort(s.lo + k, s.hi + k))


class Seqs:
    """Sequence expressions (NOTE(seqs)) elaborated with `el`."""

    def __init__(self, el: Elab):
        self.el = el

    def is_seq(self, e: S.SExpr, env: object) -> bool:
        if isinstance(e, S.SeqLit):
            return True
        if isinstance(e, S.Call) and e.func in ("append", "tail") and not e.kwargs:
            return True
        return self.el.seq_info(e, env) is not None

    def check(self, bad: Expr, s: SeqVal, span: Span) -> None:
        if smart.is_false(bad):
            return
        slots = _len_slots(s.length) if s.var is not None else ()
        if not slots and isinstance(bad, Const):
            self.el.err(span, "this reads outside the sequence", "a non-empty sequence, an index below its length",
                        "SC305")
            return
        if not slots:   # a literal read where only the state knows: nothing to mark (NOTE(seq-checks))
            self.el.err(span, "this may read outside a sequence literal", "a constant index, or a sequence variable",
                        "SC305")
            return
        self.el.seq_checks.append(Check(bad, slots, span))

    def value(self, e: S.SExpr, env: object, elem: Sort | None = None) -> SeqVal | None:
        """The sequence expression `e` elaborated; None after an error, reported."""
        el = self.el
        if (info := el.seq_info(e, env)) is not None:
            n = el.expr(push_field(e, LEN), env)
            items = [el.expr(push_field(e, str(j)), env) for j in range(info[1])]
            if n is None or any(x is None for x in items):
                return None
            return SeqVal(n, tuple(items), info[0], e)  # type: ignore[arg-type]
        if isinstance(e, S.SeqLit):
            xs = [el.expr(x, env, elem) for x in e.items]
            if any(x is None for x in xs):
                return None
            sorts = {x.sort for x in xs}  # type: ignore[union-attr]
            got = elem if elem is not None else (xs[0].sort if xs else IntSort(0, 0))  # type: ignore[union-attr]
            if len(sorts) > 1 and elem is None:
                el.err(e.span, "the elements of a sequence literal must have one type", "elements of one type")
                return None
            return SeqVal(smart.const_int(len(xs)), tuple(xs), got)  # type: ignore[arg-type]
        if isinstance(e, S.Call) and e.func in ("append", "tail") and not e.kwargs:
            return self._call(e, env, elem)
        el.err(e.span, "expected a sequence", "a sequence variable, [a, b], append(s, x) or tail(s)", "SC301")
        return None

    def _call(self, e: S.Call, env: object, elem: Sort | None) -> SeqVal | None:
        arity = 2 if e.func == "append" else 1
        if len(e.args) != arity:
            self.el.err(e.span, f"wrong arguments for {e.func}()",
                        "append(s, x)" if arity == 2 else "tail(s)", "SC311")
            return None
        s = self.value(e.args[0], env, elem)
        if s is None:
            return None
        if e.func == "tail":
            self.check(smart.app(Op.LE, [s.length, smart.const_int(0)], BOOL), s, e.span)
            return SeqVal(_plus(s.length, -1), s.items[1:], s.elem, s.var)
        x = self.el.expr(e.args[1], env, s.elem)
        if x is None:
            return None
        if not _fits(s.elem, x.sort):
            self.el.err(e.args[1].span, f"cannot append a value of type {x.sort} to a sequence of {s.elem}", str(s.elem))
            return None
        if s.var is not None:   # the variable's capacity: one more is an overflow
            self.check(smart.Not(_lt(s.length, smart.const_int(len(s.items)))), s, e.span)
        items = [smart.Ite_(smart.Eq(s.length, smart.const_int(j)), x, s.item(j, x), _slot_of(s, x))
                 for j in range(len(s.items) + 1)]
        return SeqVal(_plus(s.length, 1), tuple(items), s.elem, s.var)

    def length(self, e: S.SExpr, env: object) -> Expr | None:
        s = self.value(e, env)
        return s.length if s is not None else None

    def head(self, e: S.Call, env: object) -> Expr | None:
        if len(e.args) != 1 or e.kwargs:
            self.el.err(e.span, "wrong arguments for head()", "head(s)", "SC311")
            return None
        return self.at(e.args[0], S.IntLit(0, e.span), env, e.span)

    def at(self, seq: S.SExpr, index: S.SExpr, env: object, span: Span) -> Expr | None:
        """`seq[index]`: the element, and a check that index is within 0..len(seq)-1."""
        s = self.value(seq, env)
        i = self.el.expr(index, env) if s is not None else None
        if s is None or i is None:
            return None
        if not isinstance(i.sort, IntSort):
            self.el.err(index.span, f"a sequence is indexed by an integer, got {i.sort}", "an integer")
            return None
        inside = smart.And(smart.app(Op.LE, [smart.const_int(0), i], BOOL), _lt(i, s.length))
        self.check(smart.Not(inside), s, span)
        if not s.items:
            return None
        out = s.items[-1]
        for j in range(len(s.items) - 2, -1, -1):
            out = smart.Ite_(smart.Eq(i, smart.const_int(j)), s.items[j], out, _slot_of(s, out))
        return unwrap(out, s.elem)

    def equal(self, a: S.SExpr, b: S.SExpr, env: object) -> Expr | None:
        """`a == b` of two sequences: equal lengths and equal elements below the length."""
        x = self.value(a, env)
        y = self.value(b, env, x.elem) if x is not None else None
        if x is None or y is None:
            return None
        if not _fits(x.elem, y.elem) and not _fits(y.elem, x.elem):
            self.el.err(b.span, f"cannot compare a sequence of {x.elem} with a sequence of {y.elem}", str(x.elem))
            return None
        parts = [smart.Eq(x.length, y.length)]
        for j in range(min(len(x.items), len(y.items))):
            same = smart.Eq(unwrap(x.items[j], x.elem), unwrap(y.items[j], x.elem))
            parts.append(smart.Implies(_lt(smart.const_int(j), x.length), same))
        longer = max(len(x.items), len(y.items))
        if longer > min(len(x.items), len(y.items)):   # the shorter holds no element there
            parts.append(_lt(x.length, smart.const_int(min(len(x.items), len(y.items)) + 1)))
        return smart.And(*parts)

    def assign(self, value: S.SExpr, env: object, cap: int, slot: Sort, elem: Sort) -> list[Expr] | None:
        """The values of a sequence variable's fields (len, then the slots) after `var: value`:
        an element below the new length, the empty value past it (NOTE(seqs))."""
        s = self.value(value, env, elem)
        if s is None:
            return None
        if not _fits(elem, s.elem):
            self.el.err(value.span, f"a sequence of {s.elem} is assigned to a sequence of {elem}", str(elem))
            return None
        empty = Const(empty_value(slot), slot)
        out = [s.length]
        for j in range(cap):
            out.append(smart.Ite_(_lt(smart.const_int(j), s.length), s.item(j, empty), empty, slot))
        return out


def _fits(elem: Sort, got: Sort) -> bool:
    if elem == got:
        return True
    if isinstance(elem, IntSort) and isinstance(got, IntSort):
        return True
    return isinstance(elem, OptionSort) and got == elem.inner


def _slot_of(s: SeqVal, x: Expr) -> Sort:
    """The sort of an if-then-else over a sequence's slots and x."""
    slot = slot_sort(s.elem)
    if isinstance(slot, IntSort) and isinstance(x.sort, IntSort):
        return IntSort(min(slot.lo, x.sort.lo), max(slot.hi, x.sort.hi))
    return slot


def guard_checks(checks: list[Check], start: int, cond: Expr, end: int | None = None) -> None:
    """The checks from `start` (to `end`) are read only where `cond` holds (short-circuit `and`,
    `or`, `=>`, `if`)."""
    for k in range(start, len(checks) if end is None else end):
        c = checks[k]
        checks[k] = Check(smart.And(cond, c.bad), c.slots, c.span)


def any_bad(checks: Sequence[Check]) -> Expr:
    return smart.Or(*(c.bad for c in checks))


def seq_of(sc: Scope, machine: str | None, bound: set[str], e: S.SExpr) -> tuple[Sort, int] | None:
    """(element sort, capacity) of the sequence variable `e` names (`q`, `m[k]` of a map of
    sequences, `node[i].q`, a machine's own `q`, a record's field `r.q`), or None."""
    if isinstance(e, S.Field) and (fs := record_of(sc, machine, bound, e.base)) is not None and f"{e.name}.len" in fs:
        e = push_field(e.base, e.name)   # a record's sequence field is the variable `r.q`
    got = collection_var(sc, machine, bound, e, lambda x: x.seqs, f".{LEN}")
    if got is None or got[2] != len(got[0].path):
        return None
    info, elem, _ = got
    return elem, size(info.sort) - 1
