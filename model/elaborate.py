"""Surface expressions -> typed IR expressions: name resolution, type checking, expansion.

Quantifiers, defs and transition parameters are expanded here over their finite domains, so
the IR never holds a bound variable. Every problem is a located diagnostic; a failed
sub-expression yields None and elaboration carries on to find further errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from model import smart
from model import syntax as S
from model.diagnostics import outside_int64, short_int
from model.ir import Const, Expr, Op, Var
from model.names import BUILTIN_FUNCS, Decl, clash, hiding_note, names_of, report_reserved
from model.records import push_field, record_of
from model.scope import MachineScope, Scope, VarInfo, key_sort, option_of
from model.seqs import Check, Seqs, guard_checks, is_seq, seq_fields_of, seq_of, slot_sort
from model.sets import ELEM, SetSyntax, set_var
from model.smart import TRUE, const_int
from model.sorts import (
    BOOL,
    MAX_VALUES,
    BoolSort,
    EnumSort,
    IndexSort,
    IntSort,
    KeySort,
    NoneSort,
    OptionSort,
    Sort,
    assignable,
    compatible,
    contains,
    fits_int64,
    key_offset,
    size,
)
from model.source import Span

NONE_CONST = Const(-1, NoneSort())
Fields = tuple[tuple[str, Sort], ...]    # a record type's fields (NOTE(records) in model/records.py)
LITERALS = {"true": True, "True": True, "false": False, "False": False}
MAX_EXPANSION = 100_000
NO_SETS = SetSyntax(lambda _: None)
MAX_WORK = 300_000   # expression nodes elaborated per instance (quantifiers and defs expand)


@dataclass(frozen=True)
class Env:
    """What is in scope besides the spec's globals."""

    bound: tuple[tuple[str, Expr], ...] = ()
    machine: MachineScope | None = None
    self_idx: int | None = None
    result: Expr | None = None
    post: dict[int, Expr] | None = field(default=None, compare=False)
    static: bool = False          # only params and literals (types, `when`, init values)
    quantified: tuple[str, ...] = ()   # the bound names that quantifiers bound
    # NOTE(narrowing): facts of the step's guard, surface expression -> its narrower sort
    narrow: tuple[tuple[S.SExpr, Sort], ...] = ()

    def bind(self, name: str, value: Expr) -> Env:
        # a fact about an expression that reads `name` no longer holds under the new binding
        kept = tuple(f for f in self.narrow if not _mentions(f[0], name))
        return replace(self, bound=((name, value), *self.bound), narrow=kept)

    def bind_quantified(self, name: str, value: Expr) -> Env:
        return replace(self.bind(name, value), quantified=(name, *self.quantified))

    def lookup(self, name: str) -> Expr | None:
        for n, v in self.bound:
            if n == name:
                return v
        return None


# NOTE(narrowing): in a transition's effect (and its call's arguments, `store:` and lane), the
# top-level conjuncts of its guard are known to hold, since the step fires only where the guard
# does: `x != none` narrows x from T? to T, and `x < c`, `x <= c`, `x > c`, `x >= c`, `lo <= x < hi`
# (c a constant) narrow an integer x to the range they allow. x is any expression, matched as
# written (`kcpu[self]`, `n`), so `q[n] := v` under `n < Q` is a write within q's keys, and
# `vp_flush(self, kcpu[self])` under `kcpu[self] != none` passes an LP. Only the sort changes:
# values are encoded alike (NOTE(value-encoding)), and the guard makes the narrower sort true in
# every state the step fires from. A binding that a fact's expression reads drops the fact; the
# guard itself, step properties and operations are not narrowed.


def narrowing(el: Elaborator, guard: S.SExpr | None, env: Env) -> tuple[tuple[S.SExpr, Sort], ...]:
    """The facts NOTE(narrowing) takes from `guard`, in env (which has no facts yet)."""
    facts: dict[S.SExpr, Sort] = {}
    for c in _conjuncts(guard):
        if not isinstance(c, S.Compare):
            continue
        for op, a, b in zip(c.ops, c.operands, c.operands[1:], strict=False):
            for x, s in _facts(el, op, a, b, env):
                old = facts.get(x)
                if isinstance(old, IntSort) and isinstance(s, IntSort):
                    s = IntSort(max(old.lo, s.lo), min(old.hi, s.hi))
                if not isinstance(s, IntSort) or s.lo <= s.hi:
                    facts[x] = s
    return tuple(facts.items())


def _conjuncts(e: S.SExpr | None) -> list[S.SExpr]:
    if e is None:
        return []
    if isinstance(e, S.Binary) and e.op == "and":
        return _conjuncts(e.left) + _conjuncts(e.right)
    return [e]


FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "!=": "!="}


def _facts(el: Elaborator, op: str, a: S.SExpr, b: S.SExpr, env: Env) -> list[tuple[S.SExpr, Sort]]:
    out: list[tuple[S.SExpr, Sort]] = []
    ss = el.sets(env)
    if ss.is_set(a) or ss.is_set(b):   # `s <= {0}` is a subset test, not a bound: nothing to narrow
        return out
    for x, o, y in ((a, op, b), (b, FLIP.get(op), a)):
        if o is None or (isinstance(x, S.Name) and x.id in ("none", "None")):
            continue
        if o == "!=" and isinstance(y, S.Name) and y.id == "none":
            xs = el.expr(x, env)
            if xs is not None and isinstance(xs.sort, OptionSort):
                out.append((x, xs.sort.inner))
            continue
        if o not in ("<", "<=", ">", ">="):
            continue
        xs, c = el.expr(x, env), el.expr(y, env)
        if xs is None or not isinstance(c, Const) or not isinstance(xs.sort, IntSort):
            continue
        v = int(c.value)
        lo, hi = xs.sort.lo, xs.sort.hi
        lo, hi = {"<": (lo, min(hi, v - 1)), "<=": (lo, min(hi, v)),
                  ">": (max(lo, v + 1), hi), ">=": (max(lo, v), hi)}[o]
        out.append((x, IntSort(lo, hi)))
    return out


def _narrowed(x: Expr, e: S.SExpr, env: Env) -> Expr:
    for fe, s in env.narrow:
        if fe == e:
            if isinstance(x.sort, OptionSort) and s == x.sort.inner:
                return replace(x, sort=s)
            if isinstance(x.sort, IntSort) and isinstance(s, IntSort):
                return replace(x, sort=IntSort(max(x.sort.lo, s.lo), min(x.sort.hi, s.hi)))
    return x


def _mentions(e: object, name: str) -> bool:
    """Whether surface expression e reads `name` (a name, or a quantifier's domain or variable)."""
    if isinstance(e, S.Name):
        return e.id == name
    if isinstance(e, S.GenCall) and name in (e.var, e.domain):
        return True
    if isinstance(e, tuple):
        return any(_mentions(x, name) for x in e)
    if hasattr(e, "__dataclass_fields__"):   # a syntax node: its fields, without getattr on names
        return any(_mentions(v, name) for f, v in vars(e).items() if f != "span")
    return False


def numeric(s: Sort) -> IntSort | None:
    """The integer range of s, or None; elements of a symmetric set are not numbers
    (NOTE(symmetry): arithmetic or ordering on them would break the symmetry)."""
    if isinstance(s, IntSort):
        return s
    if isinstance(s, IndexSort) and not s.symmetric:
        return IntSort(0, s.size - 1)
    return None


class Elaborator:
    def __init__(self, scope: Scope):
        self.sc = scope
        self.out = scope.out
        self.names = names_of(scope.spec)
        self.work = 0
        self.too_deep = False
        self.seq_checks: list[Check] = []   # reads outside a sequence, not yet taken (NOTE(seqs))

    def err(self, span: Span | None, msg: str, expected: str | None = None, code: str = "SC301",
            notes: tuple[str, ...] = ()) -> None:
        self.out.error(code, span, msg, expected, notes)

    # ---- types ---------------------------------------------------------------------------
    def sort_of(self, t: S.SType) -> Sort | None:
        if isinstance(t, S.NamedType):
            if t.name == "bool":
                return BOOL
            if t.name == "Status":
                return self.sc.status
            if t.name in self.sc.types:
                return self.sc.types[t.name]
            self.sc.unknown(t.name, t.span, "type", ("bool", "Status"))
            return None
        if isinstance(t, S.OptionType):
            return option_of(self.sort_of(S.NamedType(t.name, t.span)), t.span, self.out)
        if isinstance(t, S.RangeType):
            lo, hi = self.static_int(t.lo), self.static_int(t.hi)
            if lo is None or hi is None:
                return None
            if lo > hi:
                self.err(t.span, f"empty range {lo}..{hi}", "lo <= hi", "SC302")
                return None
            for v, e in ((lo, t.lo), (hi, t.hi)):   # a bound computed from params (NOTE(int64))
                if not fits_int64(v):
                    self.out.add(outside_int64(e.span, f"range bound {short_int(str(v))} is outside the "
                                                       "supported integer range"))
                    return None
            return IntSort(lo, hi)
        self.err(t.span, "a map type is only allowed as the type of a variable", code="SC303")
        return None

    def var_sort(self, t: S.SType, outer: tuple[KeySort, ...] = ()) -> tuple[Sort | Fields, tuple[KeySort, ...]] | None:
        """(value sort, key path) of a variable's declared type: no keys for a scalar, one per
        `->` of a (nested) map. `outer` are keys the variable has already (a machine's
        instances); the cells of the whole path must stay enumerable (SC406)."""
        keys: list[KeySort] = []
        whole, ok = t, True
        while isinstance(t, S.MapType):
            k = self.sort_of(t.key)
            ks = key_sort(k, t.key.span, self.out) if k is not None else None
            ok = ok and ks is not None
            keys.append(ks)  # type: ignore[arg-type]
            t = t.value
        rec = self.sc.record_types.get(t.name) if isinstance(t, S.NamedType) else None
        if isinstance(t, S.SeqType):   # NOTE(seqs) in model/seqs.py: a record of len and N slots
            got = self.seq_type(t)
            if got is None:
                return None
            rec = (("len", IntSort(0, got[1])), *((str(j), slot_sort(got[0])) for j in range(got[1])))
        v: Sort | Fields | None = rec if rec is not None else self.sort_of(t)
        if v is None or not ok:
            return None
        cells = len(rec) if rec is not None else 1
        for ks in (*outer, *keys):
            cells *= size(ks)  # type: ignore[arg-type]
        if keys and cells > MAX_VALUES:
            self.err(whole.span, f"map type {_show_path(keys, t)} has {cells} cells"
                     + (" over all instances" if outer else "") + ", too many to check",
                     f"at most {MAX_VALUES} cells", "SC406")
            return None
        return v, tuple(keys)

    def seq_type(self, t: S.SeqType) -> tuple[Sort, int] | None:
        """(element sort, capacity) of `seq[T, N]`: T a scalar type, N a constant of at least 1."""
        if not isinstance(t.elem, (S.NamedType, S.OptionType, S.RangeType)) or (
                isinstance(t.elem, S.NamedType) and t.elem.name in self.sc.record_types):
            self.err(t.elem.span, "the elements of a sequence must be of a scalar type",
                     "bool, a range, an enum, an index set or an option", "SC303")
            return None
        elem, cap = self.sort_of(t.elem), self.static_int(t.cap)
        if elem is None or cap is None:
            return None
        if not 1 <= cap <= 64:
            self.err(t.cap.span, f"a sequence holds {cap} elements at most", "1..64", "SC302")
            return None
        return elem, cap

    def seq_info(self, e: S.SExpr, env: Env) -> tuple[Sort, int] | None:
        """(element sort, capacity) of the sequence variable `e` names, or None (NOTE(seqs))."""
        if env.static:
            return None
        return seq_of(self.sc, env.machine.decl.name if env.machine else None, {n for n, _ in env.bound}, e)

    def static_int(self, e: S.SExpr) -> int | None:
        x = self.expr(e, Env(static=True))
        if x is None:
            return None
        if isinstance(x, Const) and numeric(x.sort) is not None:
            return int(x.value)
        self.err(e.span, "expected a constant integer expression over params", "e.g. V or V+1", "SC304")
        return None

    # ---- expressions ---------------------------------------------------------------------
    def expr(self, e: S.SExpr, env: Env, expected: Sort | None = None) -> Expr | None:
        self.work += 1
        if self.work > MAX_WORK:   # a hostile spec: defs that double at each level, nested quantifiers
            if self.work == MAX_WORK + 1:
                self.err(e.span, f"the spec expands to more than {MAX_WORK} expression nodes here",
                         "fewer nested quantifiers or def expansions", "SC406")
            return None
        try:
            m = getattr(self, "_" + type(e).__name__)
        except AttributeError:  # pragma: no cover - every syntax class has a method
            raise
        try:
            x = m(e, env, expected)
            return _narrowed(x, e, env) if env.narrow and x is not None else x  # type: ignore[no-any-return]
        except RecursionError:   # defs expanding into defs: report once, where the stack ran out
            if not self.too_deep:   # err() may overflow too: then a shallower frame reports
                self.err(e.span, "expression nested too deeply after expanding defs",
                         "less nesting (fewer defs within defs)", "SC111")
                self.too_deep = True
            return None

    def bool_expr(self, e: S.SExpr, env: Env) -> Expr | None:
        x = self.expr(e, env, BOOL)
        if x is not None and not isinstance(x.sort, BoolSort):
            self.err(e.span, f"expected a bool, got a value of type {x.sort}", "bool")
            return None
        return x

    def _IntLit(self, e: S.IntLit, env: Env, expected: Sort | None) -> Expr | None:
        target = expected.inner if isinstance(expected, OptionSort) else expected
        if isinstance(target, IndexSort) and target.symmetric:
            self.err(e.span, f"{target.name} is declared symmetric: its elements cannot be named",
                     f"self, a parameter, or a quantifier over {target.name}", "SC316")
            return None
        if isinstance(target, IndexSort):
            if 0 <= e.value < target.size:
                return Const(e.value, target)
            self.err(e.span, f"{e.value} is not an element of {target.name}",
                     f"0..{target.size - 1}", "SC305")
            return None
        if not fits_int64(e.value):   # NOTE(int64); literals longer than 19 digits never get here
            self.out.add(outside_int64(e.span, f"integer literal {e.value} is outside the supported integer range"))
            return None
        return const_int(e.value)

    def _Name(self, e: S.Name, env: Env, expected: Sort | None) -> Expr | None:
        n = e.id
        if (b := env.lookup(n)) is not None:
            return b
        if n in LITERALS:
            return Const(LITERALS[n], BOOL)
        if n in ("none", "None"):
            # an enum param's value `none` (`values: [none, weak]`) where a value of that enum is
            # expected, which no option's `none` can be: `mode != none`, `mode in {none, weak}`
            if n == "none" and isinstance(expected, EnumSort) and "none" in expected.members:
                return Const(expected.members.index("none"), expected)
            return NONE_CONST
        if n in self.sc.params:
            return self.sc.params[n]
        if self.seq_info(e, env) is not None:   # NOTE(seqs)
            self.err(e.span, f"sequence '{n}' is read with len({n}), {n}[i], head({n}) or compared whole",
                     f"len({n}), {n}[i], head({n}), {n} == [...]", "SC301")
            return None
        if not env.static and self.record_fields(e, env) is not None:
            self.err(e.span, f"record '{n}' is read field by field or compared whole", f"{n}.field, or {n} == ...",
                     "SC301")
            return None
        if not env.static and self.sets(env).var(e) is not None:   # NOTE(sets)
            self.err(e.span, f"set '{n}' is read with `x in {n}`, len({n}), a comparison or `for x in {n}`",
                     f"x in {n}", "SC301")
            return None
        if not env.static and (x := self._state_name(e, env)) is not False:
            return x  # type: ignore[return-value]
        if n in self.sc.members:
            return self._member(e, n, expected)
        if env.static and (n in self.sc.globals or n in self.sc.defs or n in ("self", "pc")):
            self.err(e.span, f"'{n}' is not a constant here", "an expression over params only", "SC306")
            return None
        extra = ("self", "pc", "result", "none", "true", "false") + tuple(
            (env.machine.fields if env.machine else {}).keys()) + tuple(k for k, _ in env.bound)
        self.sc.unknown(n, e.span, extra=extra)
        return None

    def _state_name(self, e: S.Name, env: Env) -> Expr | None | bool:
        """Resolve names that read the state; False when the name is none of them."""
        n, m = e.id, env.machine
        if n == "self":
            if m is None or env.self_idx is None:
                self.err(e.span, "'self' is only defined inside a machine with instances", code="SC202")
                return None
            return Const(env.self_idx, m.instances)  # type: ignore[arg-type]
        if n == "result":
            if env.result is None:
                self.err(e.span, "'result' is only defined in a transition that calls an operation",
                         code="SC202")
            return env.result
        if m is not None and (n == "pc" or n in m.fields):
            info = m.pc if n == "pc" else m.fields[n]
            if info.inner:
                self.err(e.span, f"map '{n}' must be indexed", n + "[key]" * len(info.inner), "SC307")
                return None
            return self._cell(info, env.self_idx)
        if n == "pc":
            self.err(e.span, "'pc' is only defined inside a machine", code="SC202")
            return None
        if n in self.sc.defs:
            return self._call_def(self.sc.defs[n], (), e.span, env)
        if n in self.sc.globals:
            g = self.sc.globals[n]
            if g.key is not None:
                self.err(e.span, f"map '{n}' must be indexed", n + "[key]" * len(g.path), "SC307")
                return None
            return Var(g.slots[0], g.sort)
        return False

    def _cell(self, info: VarInfo, idx: int | None) -> Expr:
        return Var(info.slots[idx if idx is not None else 0], info.sort)

    def cell(self, info: VarInfo, keys: list[Expr]) -> Expr:
        """A read of info's cell at the checked key path `keys` (NOTE(key-paths))."""
        return read_cells(info.path, info.slots, keys, info.sort)

    def _member(self, e: S.Name, n: str, expected: Sort | None) -> Expr | None:
        cands = self.sc.members[n]
        want = expected.inner if isinstance(expected, OptionSort) else expected
        for sort, i in cands:
            if sort == want:
                return Const(i, sort)
        if len(cands) == 1:
            return Const(cands[0][1], cands[0][0])
        self.err(e.span, f"'{n}' is a member of several enums: "
                 + ", ".join(s.name for s, _ in cands), "a qualified name such as "
                 + f"{cands[0][0].name}.{n}", "SC203")
        return None

    def _Unary(self, e: S.Unary, env: Env, expected: Sort | None) -> Expr | None:
        if e.op == "not":
            x = self.bool_expr(e.operand, env)
            return smart.Not(x) if x is not None else None
        x = self.expr(e.operand, env)
        if x is None:
            return None
        ns = numeric(x.sort)
        if ns is None:
            self.err(e.span, f"unary '-' needs an integer, got {x.sort}", "an integer")
            return None
        return self._arith(e.span, "unary '-'", Op.NEG, [x], IntSort(-ns.hi, -ns.lo))

    def _Binary(self, e: S.Binary, env: Env, expected: Sort | None) -> Expr | None:
        if e.op in ("|", "&") or (e.op == "-" and self.sets(env).is_set(e)):   # NOTE(sets)
            self.err(e.span, f"'{e.op}' combines sets, and a set is read only with `in`, len(), a comparison "
                     "of sets or assigned to a set variable", "x in (s | t), len(s & t), s - t == {}", "SC301")
            return None
        if e.op in ("and", "or", "=>"):
            a = self.bool_expr(e.left, env)
            mark = len(self.seq_checks)
            b = self.bool_expr(e.right, env)
            if a is None or b is None:
                return None
            # NOTE(seqs): the right operand is read only where the left one lets it
            guard_checks(self.seq_checks, mark, smart.Not(a) if e.op == "or" else a)
            if e.op == "and":
                return smart.And(a, b)
            return smart.Or(a, b) if e.op == "or" else smart.Implies(a, b)
        a, b = self.expr(e.left, env), self.expr(e.right, env)
        if a is None or b is None:
            return None
        na, nb = numeric(a.sort), numeric(b.sort)
        if na is None or nb is None:
            bad = e.left if na is None else e.right
            self.err(bad.span, f"'{e.op}' needs integers, got {(a if na is None else b).sort}", "an integer")
            return None
        op, sort = _arith_sort(e.op, na, nb)
        return self._arith(e.span, f"'{e.op}'", op, [a, b], sort)

    def _arith(self, span: Span, what: str, op: Op, args: list[Expr], sort: IntSort) -> Expr | None:
        """An arithmetic node. Its values may leave int64: every engine computes it exactly
        (NOTE(int64) in model/sorts.py; NOTE(int64-exact) in checker/explicit/vector.py)."""
        return smart.app(op, args, sort)

    def _IfElse(self, e: S.IfElse, env: Env, expected: Sort | None) -> Expr | None:
        c = self.bool_expr(e.cond, env)
        mark = len(self.seq_checks)
        t = self.expr(e.then, env, expected)
        mid = len(self.seq_checks)
        o = self.expr(e.other, env, expected)
        if c is None or t is None or o is None:
            return None
        guard_checks(self.seq_checks, mid, smart.Not(c))   # NOTE(seqs): only the branch taken is read
        guard_checks(self.seq_checks, mark, c, mid)
        if not compatible(t.sort, o.sort):
            self.err(e.span, f"the branches have different types: {t.sort} and {o.sort}",
                     "branches of one type")
            return None
        return smart.Ite_(c, t, o, join_sort(t.sort, o.sort))

    def _Compare(self, e: S.Compare, env: Env, expected: Sort | None) -> Expr | None:
        if len(e.ops) == 1 and (rw := self._set_compare(e, env)) is not None:   # NOTE(sets)
            return None if isinstance(rw, bool) else self.expr(rw, env)
        sq = Seqs(self)
        if len(e.ops) == 1 and e.ops[0] in ("==", "!=") and any(sq.is_seq(x, env) for x in e.operands):
            eq = sq.equal(e.operands[0], e.operands[1], env)   # NOTE(seqs)
            return eq if eq is None or e.ops[0] == "==" else smart.Not(eq)
        if any(isinstance(x, S.RecLit) or self.record_fields(x, env) is not None for x in e.operands):
            return self._record_compare(e, env)
        parts: list[Expr] = []
        left = self._operand(e.operands[0], e.operands[1], env)
        for op, rs in zip(e.ops, e.operands[1:], strict=True):
            if left is None:
                return None
            if op in ("in", "not in"):
                r = self._membership(left, rs, env, e.span)
                if r is None:
                    return None
                parts.append(r if op == "in" else smart.Not(r))
                left = None if op else left   # a chain cannot continue after `in`
                continue
            right = self.expr(rs, env, left.sort)
            if right is None:
                return None
            c = self._compare2(op, left, right, rs.span)
            if c is None:
                return None
            parts.append(c)
            left = right
        return smart.And(*parts)

    def sets(self, env: Env) -> SetSyntax:
        """The rewriting of set expressions in this scope (NOTE(sets) in model/sets.py)."""
        machine = env.machine.decl.name if env.machine is not None else None
        bound = {n for n, _ in env.bound}
        return SetSyntax(lambda x: None if env.static else set_var(self.sc, machine, bound, x))

    def _set_compare(self, e: S.Compare, env: Env) -> S.SExpr | None | bool:
        """`x in S` and `S OP R` over sets rewritten (NOTE(sets)); None: not about sets; False: an
        error, reported."""
        ss, (a, b), op = self.sets(env), e.operands, e.ops[0]
        if op in ("in", "not in"):
            if isinstance(b, S.SetLit) or not ss.is_set(b):
                return None
            m = ss.member(b, a)
            return m if op == "in" else S.Unary("not", m, e.span)
        ta, tb = ss.elem_type(a), ss.elem_type(b)
        if ta is None and tb is None:
            return None
        if not ss.is_set(a) or not ss.is_set(b):
            self.err((b if ss.is_set(a) else a).span, f"cannot compare a set of {ta or tb} with a value that is "
                     "not a set", f"a set of {ta or tb}")
            return False
        if ta is not None and tb is not None and ta != tb:
            self.err(e.span, f"cannot compare a set of {ta} with a set of {tb}", f"a set of {ta}")
            return False
        return ss.compare(op, a, b, ta or tb, e.span)  # type: ignore[arg-type]

    def _operand(self, first: S.SExpr, second: S.SExpr, env: Env) -> Expr | None:
        """Elaborate the first operand; when it is a bare enum member, take its enum from the
        second operand (so `idle == vcpu[v].pc` resolves `idle` in the right enum)."""
        if isinstance(first, (S.Name, S.IntLit)) and (
                isinstance(first, S.IntLit) or (first.id in self.sc.members and env.lookup(first.id) is None)):
            bare = isinstance(second, S.Name) and second.id in self.sc.members and not (
                env.lookup(second.id) is not None or second.id in self.sc.globals
                or (env.machine is not None and second.id in env.machine.fields))
            if not isinstance(second, (S.SetLit, S.IntLit)) and not bare:
                other = self.expr(second, env)
                if other is not None:
                    return self.expr(first, env, other.sort)
        return self.expr(first, env)

    def _compare2(self, op: str, a: Expr, b: Expr, span: Span) -> Expr | None:
        if op in ("==", "!="):
            if not compatible(a.sort, b.sort):
                self.err(span, f"cannot compare {a.sort} with {b.sort}", f"a value of type {a.sort}")
                return None
            eq = smart.Eq(a, b)
            return eq if op == "==" else smart.Not(eq)
        if numeric(a.sort) is None or numeric(b.sort) is None:
            self.err(span, f"'{op}' needs integers, got {a.sort} and {b.sort}", "integers")
            return None
        o = {"<": Op.LT, "<=": Op.LE, ">": Op.GT, ">=": Op.GE}[op]
        return smart.app(o, [a, b], BOOL)

    def _membership(self, x: Expr, rs: S.SExpr, env: Env, span: Span) -> Expr | None:
        if not isinstance(rs, S.SetLit):
            self.err(rs.span, "`in` needs a set on its right", "{A, B, ...} or a set variable", "SC308")
            return None
        items = [self.expr(i, env, x.sort) for i in rs.items]
        if any(i is None for i in items):
            return None
        eqs = [self._compare2("==", x, i, it.span) for i, it in zip(items, rs.items, strict=True)]  # type: ignore[arg-type]
        return None if any(q is None for q in eqs) else smart.Or(*eqs)  # type: ignore[arg-type]

    def _SetLit(self, e: S.SetLit, env: Env, expected: Sort | None) -> Expr | None:
        self.err(e.span, "a set literal is only allowed on the right of `in`, in a comparison of sets or "
                 "assigned to a set", code="SC308")
        return None

    def _Index(self, e: S.Index, env: Env, expected: Sort | None) -> Expr | None:
        if not env.static and Seqs(self).is_seq(e.base, env):   # NOTE(seqs)
            return Seqs(self).at(e.base, e.index, env, e.span)
        if self.record_fields(e, env) is not None:
            self.err(e.span, "a record is read field by field or compared whole", "m[k].field, or m[k] == r",
                     "SC301")
            return None
        got = self.indexed(e, env)
        if got is None:
            return None
        info, keys = got
        return self.cell(info, keys)

    def indexed(self, e: S.Index, env: Env) -> tuple[VarInfo, list[Expr]] | None:
        """Resolve `m[a][b]`, a machine's own map `f[k]` and `m[i].f[k]` to the variable and its
        checked key path (the instance first for a machine's variable; NOTE(key-paths))."""
        written: list[S.SExpr] = []
        first, base = e, e.base
        while isinstance(base, S.Index):
            written.insert(0, first.index)
            first, base = base, base.base
        written.insert(0, first.index)
        got = self._indexed_base(first, base, env)
        if got is None:
            return None
        info, keys = got
        name = base.id if isinstance(base, S.Name) else f"{machine_of(base)}.{base.name}" if isinstance(
            base, S.Field) else info.name
        if len(keys) + len(written) != len(info.path):
            missing = len(info.path) - len(keys) - len(written)
            if missing > 0:
                self.err(e.span, f"map '{name}' must be indexed {len(info.path) - len(keys)} time(s), "
                         f"got {len(written)}", name + "[key]" * (len(info.path) - len(keys)), "SC307")
            else:
                what = "not a map" if len(info.path) == len(keys) else f"indexed {len(written)} times"
                self.err(e.span, f"'{name}' is {what}; it has {len(info.path) - len(keys)} key(s)",
                         "a variable of type K -> T" if len(info.path) == len(keys) else
                         name + "[key]" * (len(info.path) - len(keys)), "SC309")
            return None
        for ks, k in zip(info.path[len(keys):], written, strict=True):
            x = self.check_key(name, ks, k, env)
            if x is None:
                return None
            keys.append(x)
        return info, keys

    def _indexed_base(self, first: S.Index, base: S.SExpr, env: Env) -> tuple[VarInfo, list[Expr]] | None:
        """The variable an index chain starts from and the keys its base already fixes."""
        m = env.machine
        if isinstance(base, S.Field) and not env.static:
            got = self.field_info(base, env)
            if got is None:
                return None
            info, i = got
            keys: list[Expr] = [] if i is None else [Const(i, info.key) if isinstance(i, int) else i]  # type: ignore[arg-type]
            return info, keys
        if isinstance(base, S.Name) and not env.static and m is not None and base.id in m.fields:
            info = m.fields[base.id]
            return info, ([] if env.self_idx is None else [Const(env.self_idx, info.key)])  # type: ignore[arg-type]
        if isinstance(base, S.Name) and not env.static and base.id in self.sc.globals:
            return self.sc.globals[base.id], []
        if isinstance(base, S.Name) and base.id in self.sc.machines:
            self.err(first.span, f"'{base.id}[...]' names a machine instance; read one of its fields",
                     f"{base.id}[i].pc or {base.id}[i].<variable>", "SC309")
        elif isinstance(base, S.Name) and not env.static and env.lookup(base.id) is None:
            self.sc.unknown(base.id, base.span, "map")
        else:
            self.err(first.span, "only map variables can be indexed", "m[key] for a map variable m", "SC309")
        return None

    def key_expr(self, info: VarInfo, key: S.SExpr, env: Env) -> Expr | None:
        return self.check_key(info.name, info.key, key, env)  # type: ignore[arg-type]

    def check_key(self, name: str, ks: KeySort, key: S.SExpr, env: Env) -> Expr | None:
        """The key `key` of a map `name` whose keys are `ks`, provably among them (SC305)."""
        k = self.expr(key, env, ks)
        if k is None:
            return None
        if not (k.sort == ks or (isinstance(ks, IntSort) and numeric(k.sort) is not None)
                or (isinstance(ks, IndexSort) and not ks.symmetric and isinstance(k.sort, IntSort))):
            self.err(key.span, f"key of type {k.sort} for '{name}', whose keys are {ks}", str(ks))
            return None
        if isinstance(k, Const) and not _key_ok(ks, k.value):  # type: ignore[arg-type]
            self.err(key.span, f"key {k.value} is outside {ks}", str(ks), "SC305")
            return None
        if not isinstance(k, Const) and isinstance(k.sort, IntSort) and not _within(k.sort, ks):  # type: ignore[arg-type]
            self.err(key.span, f"key of type {k.sort} may fall outside the keys {ks} of '{name}'",
                     str(ks), "SC305")
            return None
        return k

    def _Field(self, e: S.Field, env: Env, expected: Sort | None) -> Expr | None:
        if isinstance(e.base, S.Name) and isinstance(self.sc.types.get(e.base.id), EnumSort):
            enum = self.sc.types[e.base.id]
            if e.name in enum.members:  # type: ignore[union-attr]
                return Const(enum.members.index(e.name), enum)  # type: ignore[union-attr]
            self.err(e.span, f"enum '{e.base.id}' has no member '{e.name}'", ", ".join(enum.members),  # type: ignore[union-attr]
                     "SC201", _dym(e.name, list(enum.members)))  # type: ignore[union-attr]
            return None
        fields = self.record_fields(e.base, env)
        if is_seq(fields):   # NOTE(seqs): its fields are the lowering's, not the spec's
            self.err(e.span, f"a sequence has no field '{e.name}'", "len(s), s[i], head(s)", "SC201")
            return None
        if fields is not None and f"{e.name}.len" in fields:   # NOTE(seqs): a record's sequence field
            self.err(e.span, f"sequence '{e.name}' is read with len(), [i], head() or compared whole",
                     f"len(r.{e.name}), r.{e.name}[i], head(r.{e.name})", "SC301")
            return None
        if fields is not None:
            if e.name not in fields:
                self.err(e.span, f"the record has no field '{e.name}'", ", ".join(fields), "SC201",
                         _dym(e.name, list(fields)))
                return None
            return self.expr(push_field(e.base, e.name), env, expected)
        got = self.field_info(e, env)
        if got is None:
            return None
        info, idx = got
        if info.inner:
            name = f"{machine_of(e)}.{e.name}"
            self.err(e.span, f"map '{name}' must be indexed", name + "[key]" * len(info.inner), "SC307")
            return None
        if isinstance(idx, int) or idx is None:
            return self._cell(info, idx)
        cells = [Var(s, info.sort) for s in info.slots]
        return smart.select(cells, idx, 0, info.sort, info.slots)

    def record_fields(self, e: S.SExpr, env: Env) -> tuple[str, ...] | None:
        """The fields of the record `e` names, or None (NOTE(records))."""
        if isinstance(e, S.Index) and not env.static and Seqs(self).is_seq(e.base, env):
            return None   # an element of a sequence (NOTE(seqs)), not a record in a map
        return record_of(self.sc, env.machine.decl.name if env.machine else None, {n for n, _ in env.bound}, e)

    def record_values(self, e: S.SExpr, env: Env, like: list[Expr], fields: tuple[str, ...]) -> list[Expr] | None:
        """A whole record's field values in field order: a record variable's cells, or a literal
        whose fields are exactly `fields` (each typed like the matching value of `like`)."""
        if isinstance(e, S.RecLit):
            done: dict[str, Expr | None] = {}
            if any(f.endswith(".len") for f in fields) and all(x is not None for x in like):
                sorts = {f: x.sort for f, x in zip(fields, like, strict=True)}
                e = seq_fields_of(e, sorts)   # NOTE(seqs): a sequence field's literal, slot by slot
                e, done = self._seq_fields(e, env, sorts)
            names = [n for n, _ in e.fields] + list(done)
            if sorted(names) != sorted(fields) or len(set(names)) != len(names):
                self.err(e.span, f"record literal with fields {', '.join(names)}", "exactly the fields "
                         + ", ".join(fields), "SC301")
                return None
            given = dict(e.fields)
            xs = [done[f] if f in done else self.expr(given[f], env, x.sort if x is not None else None)
                  for f, x in zip(fields, like, strict=True)]
        elif self.record_fields(e, env) == fields:
            xs = [self.expr(push_field(e, f), env) for f in fields]
        else:
            self.err(e.span, "expected a record with fields " + ", ".join(fields), "a record of the same type", "SC301")
            return None
        return None if any(x is None for x in xs) else xs  # type: ignore[return-value]

    def _seq_fields(self, e: S.RecLit, env: Env, sorts: dict[str, Sort]) -> tuple[S.RecLit, dict[str, Expr | None]]:
        """A record literal's sequence fields given by a sequence expression (`q: tail(r.q)`): their
        slots' values (NOTE(seqs)); the literal keeps the other fields."""
        keep: list[tuple[str, S.SExpr]] = []
        done: dict[str, Expr | None] = {}
        for n, v in e.fields:
            slot = sorts.get(f"{n}.0")
            if f"{n}.len" not in sorts or slot is None:
                keep.append((n, v))
                continue
            cap = sum(1 for f in sorts if f.startswith(f"{n}.") and f[len(n) + 1:].isdigit())
            elem = slot.inner if isinstance(slot, OptionSort) else slot
            got = Seqs(self).assign(v, env, cap, slot, elem)
            vals: list[Expr | None] = list(got) if got is not None else [None] * (cap + 1)
            done.update(zip([f"{n}.len", *(f"{n}.{j}" for j in range(cap))], vals, strict=True))
        return S.RecLit(tuple(keep), e.span), done

    def _record_compare(self, e: S.Compare, env: Env) -> Expr | None:
        """`a == b` / `a != b` of two records: field by field (NOTE(records))."""
        a, b = e.operands
        fields = self.record_fields(a, env) or self.record_fields(b, env)
        if len(e.ops) != 1 or e.ops[0] not in ("==", "!=") or fields is None:
            self.err(e.span, "records are compared only with == or !=, and one side must be a record variable",
                     "r == s, r == {f: ...}", "SC301")
            return None
        var, other = (a, b) if self.record_fields(a, env) is not None else (b, a)
        left = self.record_values(var, env, [None] * len(fields), fields)  # type: ignore[list-item]
        right = self.record_values(other, env, left, fields) if left is not None else None
        if left is None or right is None:
            return None
        eqs = [self._compare2("==", x, y, e.span) for x, y in zip(left, right, strict=True)]
        if any(q is None for q in eqs):
            return None
        eq = smart.And(*eqs)  # type: ignore[arg-type]
        return eq if e.ops[0] == "==" else smart.Not(eq)

    def _SeqLit(self, e: S.SeqLit, env: Env, expected: Sort | None) -> Expr | None:
        self.err(e.span, "a sequence literal is only allowed where a sequence is compared, indexed or assigned",
                 "q == [a, b] or an effect `q: \"[a, b]\"`", "SC308")
        return None

    def _RecLit(self, e: S.RecLit, env: Env, expected: Sort | None) -> Expr | None:
        self.err(e.span, "a record literal is only allowed where a record is compared or assigned",
                 "r == {f: ...} or an effect `r: \"{f: ...}\"`", "SC308")
        return None

    def field_info(self, e: S.Field, env: Env) -> tuple[VarInfo, int | None | Expr] | None:
        """Resolve `m[i].f` / `m.f` to the field and the instance (a constant or an expression)."""
        base = e.base
        mname = base.base.id if isinstance(base, S.Index) and isinstance(base.base, S.Name) else (
            base.id if isinstance(base, S.Name) else None)
        m = self.sc.machines.get(mname) if mname else None
        if m is None or env.static:
            self.err(e.span, f"attribute access '.{e.name}' is not supported here",
                     "a machine field: m[i].pc, m[i].<variable>, or m.<variable> for a singleton", "SC310")
            return None
        info = m.pc if e.name == "pc" else m.fields.get(e.name)
        if info is None:
            self.err(e.span, f"machine '{m.decl.name}' has no field '{e.name}'", "pc or one of its vars",
                     "SC201", _dym(e.name, ["pc", *m.fields]))
            return None
        if isinstance(base, S.Name):
            if m.instances is not None:
                self.err(e.span, f"machine '{m.decl.name}' has instances; say which",
                         f"{m.decl.name}[i].{e.name}", "SC309")
                return None
            return info, None
        assert isinstance(base, S.Index)
        if m.instances is None:
            self.err(base.span, f"machine '{m.decl.name}' is a singleton", f"{m.decl.name}.{e.name}", "SC309")
            return None
        k = self.key_expr(VarInfo(m.decl.name, info.sort, m.instances, info.slots), base.index, env)
        if k is None:
            return None
        return info, (int(k.value) if isinstance(k, Const) else k)

    def _Call(self, e: S.Call, env: Env, expected: Sort | None) -> Expr | None:
        if e.func in self.sc.defs:
            if e.kwargs:
                self.err(e.span, "defs take positional arguments only", code="SC311")
                return None
            return self._call_def(self.sc.defs[e.func], e.args, e.span, env)
        if e.func in ("min", "max") and not e.kwargs and len(e.args) == 2:
            a, b = self.expr(e.args[0], env), self.expr(e.args[1], env)
            if a is None or b is None:
                return None
            na, nb = numeric(a.sort), numeric(b.sort)
            if na is None or nb is None:
                self.err(e.span, f"{e.func}() needs integers", "integers")
                return None
            lt = smart.app(Op.LT, [a, b], BOOL)
            sort = IntSort(min(na.lo, nb.lo), max(na.hi, nb.hi))
            return smart.Ite_(lt, a, b, sort) if e.func == "min" else smart.Ite_(lt, b, a, sort)
        if e.func == "post" and not e.kwargs and len(e.args) == 1:
            if env.post is None:
                self.err(e.span, "post() is only allowed in step properties", code="SC312")
                return None
            x = self.expr(e.args[0], replace(env, post=None), expected)
            return smart.subst(x, env.post) if x is not None else None
        if e.func == "len" and not e.kwargs and len(e.args) == 1 and Seqs(self).is_seq(e.args[0], env):
            return Seqs(self).length(e.args[0], env)   # NOTE(seqs)
        if e.func == "head":
            return Seqs(self).head(e, env)
        if e.func in ("append", "tail"):
            self.err(e.span, f"{e.func}() makes a sequence: assign it to a sequence variable or compare it",
                     f"q: \"{e.func}(q{', x' if e.func == 'append' else ''})\", len({e.func}(...))", "SC301")
            return None
        if e.func == "len" and not e.kwargs and len(e.args) == 1:   # NOTE(sets)
            ss = self.sets(env)
            t = ss.elem_type(e.args[0])
            if t is None or not ss.is_set(e.args[0]):
                self.err(e.args[0].span, "len() needs a set or a sequence",
                         "len(s), len(s | t), len(q)", "SC311")
                return None
            return self.expr(ss.over("count", t, ss.member(e.args[0], S.Name(ELEM, e.span)), e.span), env)
        if e.func in self.sc.ops:
            self.err(e.span, f"operation '{e.func}' can only be invoked by a transition's `call:`",
                     code="SC312")
            return None
        if e.func in ("min", "max", "post", "all", "any", "count", "len"):
            self.err(e.span, f"wrong arguments for {e.func}()",
                     {"min": "min(a, b)", "max": "max(a, b)", "post": "post(expr)", "len": "len(s)"}.get(
                         e.func, f"{e.func}(expr for v in Type)"), "SC311")
            return None
        self.err(e.span, f"unknown function '{e.func}'", "a def or one of " + ", ".join(BUILTIN_FUNCS),
                 "SC201", _dym(e.func, [*self.sc.defs, *BUILTIN_FUNCS]))
        return None

    def _call_def(self, d: S.DefDecl, args: tuple[S.SExpr, ...], span: Span, env: Env) -> Expr | None:
        if len(args) != len(d.params):
            self.err(span, f"'{d.name}' takes {len(d.params)} argument(s), got {len(args)}",
                     f"{d.name}({', '.join(p for p, _ in d.params)})", "SC311")
            return None
        denv = Env(machine=env.machine, self_idx=env.self_idx, result=env.result, post=env.post)
        for (pname, ptype), a in zip(d.params, args, strict=True):
            ps = self.sort_of(ptype)
            x = self.expr(a, env, ps)
            if x is None or ps is None:
                return None
            if not assignable(ps, x.sort) and not (numeric(ps) and numeric(x.sort)):
                self.err(a.span, f"argument '{pname}' of '{d.name}' has type {x.sort}", str(ps))
                return None
            denv = denv.bind(pname, x)
        if getattr(self, "_depth", 0) > 50:
            self.err(span, f"def '{d.name}' expands too deeply (recursive?)", code="SC313")
            return None
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            return self.expr(d.body, denv)
        finally:
            self._depth -= 1

    def binder_ok(self, name: str, span: Span, env: Env) -> bool:
        """Whether a quantifier variable `name` hides nothing in scope (NOTE(shadowing))."""
        d = Decl(name, "quantifier variable", span=span)
        if report_reserved(d, self.out):
            return False
        # an inner quantifier may reuse an outer one's name, as in Python's comprehensions: both
        # binders are in sight in one expression (and checker/mine.py prints lemmas that way)
        if env.lookup(name) is not None and name not in env.quantified:
            self.err(span, f"quantifier variable '{name}' has the same name as a parameter in scope",
                     "a name of its own for the quantifier variable", "SC206",
                     (f"inside the quantifier, '{name}' would read the quantifier variable, never the "
                      "parameter; rename one of them",))
            return False
        other = self.names.hidden_by(name, env.machine.decl.name if env.machine else None)
        if other is not None:
            clash(self.out, "SC206", d, other, hiding_note(d, other))
        return other is None

    def domain(self, name: str, span: Span) -> Sort | None:
        s = self.sc.types.get(name) or (BOOL if name == "bool" else None)
        if s is None:
            self.sc.unknown(name, span, "type")
            return None
        if isinstance(s, OptionSort):
            self.err(span, f"cannot range over option type {s}", "an index set, enum, bool or range")
            return None
        if size(s) > MAX_VALUES:
            self.err(span, f"cannot range over {name}: {size(s)} values, too many to expand",
                     f"a type of at most {MAX_VALUES} values", "SC406")
            return None
        return s

    def _GenCall(self, e: S.GenCall, env: Env, expected: Sort | None) -> Expr | None:
        if e.func not in ("all", "any", "count"):
            self.err(e.span, f"'{e.func}(... for ...)' is not supported", "all, any or count", "SC311")
            return None
        ss = self.sets(env)
        if e.domain not in self.sc.types and (t := ss.var(S.Name(e.domain, e.span))) is not None:
            # NOTE(sets): over the elements of set s is over its element type, guarded by s[x]
            inside = ss.member(S.Name(e.domain, e.span), S.Name(e.var, e.span))
            cond = inside if e.cond is None else S.Binary("and", inside, e.cond, e.span)
            return self.expr(S.GenCall(e.func, e.elem, e.var, t, cond, e.span), env, expected)
        dom = self.domain(e.domain, e.span)
        if dom is None or not self.binder_ok(e.var, e.span, env):
            return None
        elems: list[Expr] = []
        for v in dom.values():
            benv = env.bind_quantified(e.var, Const(v, dom))
            c = self.bool_expr(e.cond, benv) if e.cond is not None else TRUE
            mark = len(self.seq_checks)
            x = self.bool_expr(e.elem, benv) if e.func != "count" else self.bool_expr(e.elem, benv)
            if c is None or x is None:
                return None
            guard_checks(self.seq_checks, mark, c)   # NOTE(seqs): read only where the `if` holds
            elems.append(smart.And(c, x) if e.func != "all" else smart.Implies(c, x))
        if e.func == "all":
            return smart.And(*elems)
        if e.func == "any":
            return smart.Or(*elems)
        ones = [smart.Ite_(x, const_int(1), const_int(0), IntSort(0, 1)) for x in elems]
        if not ones:
            return const_int(0)
        return ones[0] if len(ones) == 1 else smart.app(Op.ADD, ones, IntSort(0, len(ones)))


def _arith_sort(op: str, a: IntSort, b: IntSort) -> tuple[Op, IntSort]:
    if op == "+":
        return Op.ADD, IntSort(a.lo + b.lo, a.hi + b.hi)
    if op == "-":
        return Op.SUB, IntSort(a.lo - b.hi, a.hi - b.lo)
    if op == "*":
        c = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi]
        return Op.MUL, IntSort(min(c), max(c))
    m = max(abs(a.lo), abs(a.hi))
    n = max(abs(b.lo), abs(b.hi))
    if op == "%":
        if b.lo > 0:  # Python's % by a positive divisor lies in 0..divisor-1
            return Op.MOD, IntSort(0, min(b.hi - 1, a.hi) if a.lo >= 0 else b.hi - 1)
        return Op.MOD, IntSort(min(0, -n), max(0, n))
    return Op.DIV, IntSort(-m, m)


def join_sort(a: Sort, b: Sort) -> Sort:
    na, nb = numeric(a), numeric(b)
    if a != b and na is not None and nb is not None:
        return IntSort(min(na.lo, nb.lo), max(na.hi, nb.hi))
    if isinstance(a, NoneSort):
        return b if isinstance(b, OptionSort) else OptionSort(b)  # type: ignore[arg-type]
    if isinstance(b, NoneSort):
        return a if isinstance(a, OptionSort) else OptionSort(a)  # type: ignore[arg-type]
    if isinstance(a, OptionSort):
        return a
    return b if isinstance(b, OptionSort) else a


def _key_ok(ks: Sort, v: int) -> bool:
    return contains(ks, v)


def _within(s: IntSort, ks: Sort) -> bool:
    lo, hi = (ks.lo, ks.hi) if isinstance(ks, IntSort) else (0, size(ks) - 1)
    return lo <= s.lo and s.hi <= hi


def _dym(name: str, cands: list[str]) -> tuple[str, ...]:
    from model.diagnostics import did_you_mean
    return did_you_mean(name, cands)


def is_enum(s: Sort) -> bool:
    return isinstance(s, EnumSort)


def machine_of(e: S.Field) -> str:
    """The machine a field access names (`m[i].f` or `m.f`), as variable bases name it."""
    base = e.base.base if isinstance(e.base, S.Index) else e.base
    return base.id if isinstance(base, S.Name) else "?"


def _show_path(keys: list[KeySort], value: S.SType) -> str:
    if isinstance(value, S.NamedType):
        return " -> ".join([*(str(k) for k in keys), value.name])
    return " -> ".join([*(str(k) for k in keys), str(value)])


def _block(path: tuple[KeySort, ...], slots: tuple[int, ...], pos: int) -> tuple[int, ...]:
    """The slots of key position `pos` of the outermost key (row-major, NOTE(key-paths))."""
    n = len(slots) // size(path[0])
    return slots[pos * n:(pos + 1) * n]


def read_cells(path: tuple[KeySort, ...], slots: tuple[int, ...], keys: list[Expr], sort: Sort) -> Expr:
    """Read the cell at `keys`: a constant key narrows to its block; a non-constant outer key over
    constant inner keys is one Select on that column; otherwise an if-then-else over the outer
    key's values of the inner reads. Never arithmetic on keys: a key of a symmetric set is only
    compared with == (NOTE(symmetry)), which the automorphism check moves correctly."""
    if not keys:
        return Var(slots[0], sort)
    k, rest, off = keys[0], keys[1:], key_offset(path[0])
    blocks = [_block(path, slots, p) for p in range(size(path[0]))]
    if isinstance(k, Const):
        return read_cells(path[1:], blocks[int(k.value) - off], rest, sort)
    subs = [read_cells(path[1:], b, rest, sort) for b in blocks]
    column = tuple(x.slot for x in subs if isinstance(x, Var))
    return smart.select(subs, k, off, sort, column if len(column) == len(subs) else (-1,) * len(subs))


def cells_hit(path: tuple[KeySort, ...], slots: tuple[int, ...], keys: list[Expr]) -> list[tuple[int, Expr]]:
    """Every slot a write at `keys` may land in, with the condition that it does."""
    if not keys:
        return [(slots[0], TRUE)]
    k, rest, off = keys[0], keys[1:], key_offset(path[0])
    if isinstance(k, Const):
        return cells_hit(path[1:], _block(path, slots, int(k.value) - off), rest)
    out: list[tuple[int, Expr]] = []
    for p in range(size(path[0])):
        hit = smart.Eq(k, Const(p + off, k.sort))
        out.extend((s, smart.And(hit, c)) for s, c in cells_hit(path[1:], _block(path, slots, p), rest))
    return out
