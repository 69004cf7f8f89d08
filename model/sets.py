"""Finite sets: `vars: {votes: {type: "set[Node]", init: "{}"}}` and the set operations.

NOTE(sets): a set over a finite named type T (an index set, an enum, bool, or an alias of a small
range) is lowered as the map `T -> bool` (one boolean slot per element: is it in the set?), so
every engine, the symmetry reduction (a set over a symmetric index set is a map keyed by it,
permuted element-wise) and the counterexample replay see nothing new. Everything a spec writes
over sets is rewritten, on the surface syntax, into expressions over those slots before it is
elaborated, by `member(S, x)`: the boolean "x is in the set expression S":

    s -> s[x]      {a, b} -> x in {a, b}      {} -> false
    S | R -> member(S) or member(R)    S & R -> ... and ...    S - R -> member(S) and not member(R)

and then `x in S` is member(S, x); `len(S)` is count(member(S, v) for v in T); `S == R`, `S <= R`
(subset), `S < R` quantify over T; `all(e for x in s)` ranges over T guarded by `s[x]`; an
assignment `s: "S"` writes every cell, `s[v]: member(S, v) for v in T`, reading the pre-state
like any assignment (NOTE(write-order) in model/writes.py). The rewriting binds `e#`, a name no
spec can write, so it can hide nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from model import syntax as S
from model.diagnostics import Collector
from model.scope import Scope, collection_var

ELEM = "e#"   # the bound element of a rewritten quantifier: not a NAME, so no spec can clash


def as_map(d: S.VarDecl, out: Collector) -> tuple[S.VarDecl, str] | None:
    """A `set[T]` variable (or a map `K -> set[T]` of sets) as the map `T -> bool` (`K -> T ->
    bool`) with its initial value per element, and T's name; None when the declaration is not
    a set (or is a bad one, reported)."""
    outer: list[S.SType] = []
    t = d.type
    while isinstance(t, S.MapType):
        outer.append(t.key)
        t = t.value
    if not isinstance(t, S.SetType):
        if has_set(d.type):
            out.error("SC303", d.type.span, f"'{d.name}': a set is allowed as a variable's type or a map's value",
                      "set[T], or K -> set[T]")
        return None
    if not isinstance(t.elem, S.NamedType):
        out.error("SC303", t.elem.span, f"the elements of set '{d.name}' must be a named finite type",
                  "set[T] with T an index set, an enum, bool, or a type alias of a range")
        return None
    mtype: S.SType = S.MapType(t.elem, S.NamedType("bool", t.span), t.span)
    for k in reversed(outer):
        mtype = S.MapType(k, mtype, d.type.span)
    if d.init is None:
        return replace(d, type=mtype), t.elem.name
    if not isinstance(d.init, S.SetLit) or d.init_keys:
        out.error("SC301", d.init.span, f"initial value of set '{d.name}' must be a set literal",
                  "{} or {a, b, ...} or any" + (" (the same for every key)" if outer else ""))
        return replace(d, type=mtype, init=None, init_keys=()), t.elem.name
    if not d.init.items:
        return replace(d, type=mtype, init=S.Name("false", d.init.span)), t.elem.name
    if not all(isinstance(k, S.NamedType) for k in outer):
        out.error("SC301", d.init.span, f"initial value of map of sets '{d.name}' over a key type without a name",
                  "{}, or name the key type under `types:`")
        return replace(d, type=mtype, init=None, init_keys=()), t.elem.name
    init = S.Compare(("in",), (S.Name(ELEM, d.init.span), d.init), d.init.span)
    # one binder per key (NOTE(sets): names no spec can write), the element's last
    keys = (*((f"k#{i}", k.name) for i, k in enumerate(outer)), (ELEM, t.elem.name))  # type: ignore[union-attr]
    return replace(d, type=mtype, init=init, init_keys=keys,
                   init_key_spans=(d.init.span,) * len(keys)), t.elem.name


def set_var(sc: Scope, machine: str | None, bound: set[str], e: S.SExpr) -> str | None:
    """The element type of the set `e` names (`s`, a machine's own `s`, `m.s`, `m[i].s`, and a
    map of sets indexed by every key but the element's: `m[k]`), or None."""
    got = collection_var(sc, machine, bound, e, lambda x: x.sets, "")
    if got is None or got[2] != len(got[0].path) - 1:
        return None
    return got[1]  # type: ignore[no-any-return]


def has_set(t: S.SType) -> bool:
    return isinstance(t, S.SetType) or (isinstance(t, S.MapType) and (has_set(t.key) or has_set(t.value)))


class SetSyntax:
    """The rewriting of NOTE(sets), given how to tell a set variable (`var` -> element type)."""

    def __init__(self, var: Callable[[S.SExpr], str | None]):
        self.var = var   # the element type of the set variable an expression names, or None

    def elem_type(self, e: S.SExpr) -> str | None:
        """The element type of a set expression with a set variable in it; None otherwise."""
        if isinstance(e, S.Binary) and e.op in ("|", "&", "-"):
            return self.elem_type(e.left) or self.elem_type(e.right)
        return self.var(e)

    def is_set(self, e: S.SExpr) -> bool:
        if isinstance(e, S.SetLit):
            return True
        if isinstance(e, S.Binary) and e.op in ("|", "&"):
            return True
        if isinstance(e, S.Binary) and e.op == "-":
            return self.is_set(e.left) and self.is_set(e.right)
        return self.var(e) is not None

    def member(self, e: S.SExpr, x: S.SExpr) -> S.SExpr:
        """The boolean "x is in the set expression e" (e must satisfy is_set)."""
        if isinstance(e, S.SetLit):
            return S.Compare(("in",), (x, e), e.span) if e.items else S.Name("false", e.span)
        if isinstance(e, S.Binary):
            a, b = self.member(e.left, x), self.member(e.right, x)
            if e.op == "|":
                return S.Binary("or", a, b, e.span)
            if e.op == "&":
                return S.Binary("and", a, b, e.span)
            return S.Binary("and", a, S.Unary("not", b, e.span), e.span)
        return S.Index(e, x, e.span)

    def over(self, func: str, elem: str, body: S.SExpr, span: object) -> S.GenCall:
        return S.GenCall(func, body, ELEM, elem, None, span)  # type: ignore[arg-type]

    def compare(self, op: str, a: S.SExpr, b: S.SExpr, elem: str, span: object) -> S.SExpr:
        """`a OP b` of two sets over `elem`, as quantifiers over the element type."""
        if op in (">=", ">"):
            return self.compare(op.replace(">", "<"), b, a, elem, span)
        x = S.Name(ELEM, span)  # type: ignore[arg-type]
        ma, mb = self.member(a, x), self.member(b, x)
        eq = self.over("all", elem, S.Compare(("==",), (ma, mb), span), span)  # type: ignore[arg-type]
        if op == "==":
            return eq
        if op == "!=":
            return S.Unary("not", eq, span)  # type: ignore[arg-type]
        sub = self.over("all", elem, S.Binary("or", S.Unary("not", ma, span), mb, span), span)  # type: ignore[arg-type]
        return sub if op == "<=" else S.Binary("and", sub, S.Unary("not", eq, span), span)  # type: ignore[arg-type]
