"""Expression, target and type parsing with Lark; positions are mapped back into the spec file."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, VisitError

from model import syntax as S
from model.diagnostics import Diagnostic, outside_int64, short_int
from model.sorts import INT64_DIGITS
from model.source import Span
from model.yaml_nodes import YScalar, char_positions, written_over_lines

MAX_EXPR_CHARS = 10_000
MAX_EXPR_DEPTH = 100   # syntax nesting; deeper trees would exhaust Python's stack downstream

_TOKEN_NAMES = {
    "LPAR": "'('", "RPAR": "')'", "LSQB": "'['", "RSQB": "']'", "LBRACE": "'{'", "RBRACE": "'}'",
    "COMMA": "','", "DOT": "'.'", "NAME": "a name", "INT": "an integer", "PLUS": "'+'",
    "MINUS": "'-'", "STAR": "'*'", "PERCENT": "'%'", "EQUAL": "'='", "QMARK": "'?'",
    "$END": "end of expression",
}


class ExprSyntaxError(Exception):
    def __init__(self, diag: Diagnostic):
        self.diag = diag
        super().__init__(diag.message)


@cache
def _parser(start: str) -> Lark:
    grammar = (Path(__file__).parent / "expr_grammar.lark").read_text()
    return Lark(grammar, parser="lalr", start=start, propagate_positions=True,
                maybe_placeholders=True)


class _Pos:
    """Maps (line, col) inside the expression string to a Span in the spec file."""

    def __init__(self, scalar: YScalar):
        self.file = scalar.span.file
        self.line0 = scalar.span.line
        # quoted scalars start one column after the quote
        self.col0 = scalar.span.col + (1 if scalar.style in ('"', "'") else 0)
        # NOTE(block-spans) in model/yaml_nodes.py: folded and indented text, character by character
        over_lines = written_over_lines(scalar)
        self.chars = char_positions(scalar) if over_lines else None
        self.exact = self.chars is not None if over_lines else \
            scalar.style in (None, '"', "'") and "\n" not in scalar.value
        starts = [0]
        for ln in scalar.value.split("\n")[:-1]:
            starts.append(starts[-1] + len(ln) + 1)
        self.starts = starts
        if self.chars is not None:
            self.line0, self.col0 = self.chars[0]

    def span(self, line: int, col: int, end_line: int, end_col: int) -> Span:
        if not self.exact:
            return Span(self.file, self.line0, self.col0, self.line0, self.col0 + 1)
        if self.chars is None:
            return Span(self.file, line, col, end_line, end_col).shifted(self.line0, self.col0)
        a, b = self._offset(line, col), self._offset(end_line, end_col)
        (l0, c0), (l1, c1) = self.chars[a], self.chars[b - 1] if b > a else self.chars[a]
        return Span(self.file, l0, c0, l1, c1 + 1 if b > a else c1)

    def _offset(self, line: int, col: int) -> int:
        """The index in the value of 1-based (line, col), at most that of the end position."""
        assert self.chars is not None
        base = self.starts[min(max(line, 1), len(self.starts)) - 1]
        return min(base + max(col, 1) - 1, len(self.chars) - 1)


def _expected(e: UnexpectedInput, start: str = "start") -> str | None:
    exp = getattr(e, "expected", None) or getattr(e, "allowed", None)
    if not exp:
        return None
    # literal tokens by their text ('>', '..', '=>'), never Lark's names (MORETHAN, __ANON_3)
    lits = {t.name: f"'{t.pattern.value}'" for t in _parser(start).terminals if t.pattern.type == "str"}
    names = sorted({_TOKEN_NAMES.get(t) or lits.get(t) or f"'{t.lower()}'" for t in exp})
    if len(names) > 8:
        return "an expression"
    return ", ".join(names)


def _fail(scalar: YScalar, pos: _Pos, e: LarkError, what: str, start: str = "start") -> ExprSyntaxError:
    if isinstance(e, UnexpectedInput):
        line, col = max(1, e.line or 1), max(1, e.column or 1)
        if isinstance(e, UnexpectedEOF) or getattr(getattr(e, "token", None), "type", "") == "$END":
            found = "end of expression"
        elif isinstance(e, UnexpectedCharacters):
            at = e.pos_in_stream or 0
            found = f"character {scalar.value[at]!r}" if at < len(scalar.value) else "end of expression"
        else:
            found = repr(str(getattr(e, "token", "?")))
        if isinstance(e, UnexpectedEOF):
            lines = scalar.value.split("\n")
            line, col = len(lines), len(lines[-1]) + 1
        span = pos.span(line, col, line, col + 1)
        return ExprSyntaxError(Diagnostic("SC110", span, f"syntax error in {what}: unexpected {found}",
                                          expected=_expected(e, start)))
    return ExprSyntaxError(Diagnostic("SC110", scalar.span, f"syntax error in {what}"))


def parse(scalar: YScalar, start: str = "start", what: str = "expression") -> object:
    """Parse a scalar's text; raises ExprSyntaxError with a located diagnostic."""
    text = scalar.value
    if len(text) > MAX_EXPR_CHARS:
        raise ExprSyntaxError(Diagnostic("SC111", scalar.span,
                                         f"{what} longer than {MAX_EXPR_CHARS} characters",
                                         expected=f"at most {MAX_EXPR_CHARS} characters (name parts with defs)"))
    if not text.strip():
        raise ExprSyntaxError(Diagnostic("SC110", scalar.span, f"empty {what}",
                                         expected=f"{'an' if what[0] in 'aeiou' else 'a'} {what}"))
    pos = _Pos(scalar)
    try:
        tree = _parser(start).parse(text)
    except LarkError as e:
        raise _fail(scalar, pos, e, what, start) from None
    except RecursionError:
        raise _too_deep(scalar, what) from None
    if (depth := _depth(tree)) > MAX_EXPR_DEPTH:
        raise ExprSyntaxError(Diagnostic("SC111", scalar.span, f"{what} nested {depth} levels deep",
                                         expected=f"at most {MAX_EXPR_DEPTH} levels (name parts with defs)"))
    try:
        return _Build(pos).transform(tree)
    except VisitError as e:
        if isinstance(e.orig_exc, ExprSyntaxError):   # raised by a _Build method, e.g. int()
            raise e.orig_exc from None
        raise _too_deep(scalar, what) from None
    except RecursionError:
        raise _too_deep(scalar, what) from None


def _too_deep(scalar: YScalar, what: str) -> ExprSyntaxError:
    return ExprSyntaxError(Diagnostic("SC111", scalar.span, f"{what} nested too deeply",
                                      expected="less nesting (name parts with defs)"))


def _depth(tree: Tree) -> int:  # type: ignore[type-arg]
    """Nesting depth of a parse tree, computed without recursion."""
    best, stack = 0, [(tree, 1)]
    while stack:
        t, d = stack.pop()
        best = max(best, d)
        stack.extend((c, d + 1) for c in t.children if isinstance(c, Tree))
    return best


def parse_expr(scalar: YScalar) -> S.SExpr:
    return parse(scalar)  # type: ignore[return-value]


def parse_target(scalar: YScalar) -> S.Target:
    return parse(scalar, "target", "assignment target")  # type: ignore[return-value]


def parse_init(scalar: YScalar) -> tuple[S.SExpr, tuple[tuple[str, str, Span], ...]]:
    """An initial value and its key binders (name, key type, span), outermost first."""
    return parse(scalar, "initexpr", "initial value")  # type: ignore[return-value]


def parse_type(scalar: YScalar) -> S.SType:
    return parse(scalar, "typeexpr", "type")  # type: ignore[return-value]


_COMPOPS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
            "in_": "in", "notin": "not in"}


@v_args(meta=True)
class _Build(Transformer):  # type: ignore[type-arg]
    """Lark tree -> model.syntax nodes with spans in file coordinates."""

    def __init__(self, pos: _Pos):
        super().__init__()
        self.pos = pos

    def _s(self, meta: object) -> Span:
        m = meta
        if getattr(m, "empty", True):
            return Span(self.pos.file, self.pos.line0, self.pos.col0, self.pos.line0, self.pos.col0)
        return self.pos.span(m.line, m.column, m.end_line, m.end_column)  # type: ignore[attr-defined]

    def _tok(self, t: Token) -> Span:
        return self.pos.span(t.line or 1, t.column or 1, t.end_line or 1, t.end_column or 1)

    def name(self, meta: object, c: list[Token]) -> S.Name:
        return S.Name(str(c[0]), self._tok(c[0]))

    def int(self, meta: object, c: list[Token]) -> S.IntLit:
        text, span = str(c[0]), self._tok(c[0])
        # too long for int64 even when negated, and int() refuses more than 4300 digits; shorter
        # literals out of range are reported by the elaborator, after `-` is folded in (NOTE(int64))
        if len(text.lstrip("0")) > INT64_DIGITS:
            raise ExprSyntaxError(outside_int64(span, f"integer literal {short_int(text)} is outside the "
                                                      "supported integer range"))
        return S.IntLit(int(text), span)

    def implies(self, meta: object, c: list[S.SExpr]) -> S.Binary:
        return S.Binary("=>", c[0], c[1], self._s(meta))

    def ifelse(self, meta: object, c: list[S.SExpr]) -> S.IfElse:
        return S.IfElse(c[1], c[0], c[2], self._s(meta))

    def _bin(self, op: str, meta: object, c: list[S.SExpr]) -> S.Binary:
        return S.Binary(op, c[0], c[1], self._s(meta))

    def or_(self, meta: object, c: list[S.SExpr]) -> S.Binary:
        return self._bin("or", meta, c)

    def and_(self, meta: object, c: list[S.SExpr]) -> S.Binary:
        return self._bin("and", meta, c)

    def add(self, meta: object, c: list[S.SExpr]) -> S.Binary:
        return self._bin("+", meta, c)

    def sub(self, meta: object, c: list[S.SExpr]) -> S.Binary:
        return self._bin("-", meta, c)

    def union(self, meta: object, c: list[S.SExpr]) -> S.Binary:
        return self._bin("|", meta, c)

    def inter(self, meta: object, c: list[S.SExpr]) -> S.Binary:
        return self._bin("&", meta, c)

    def mul(self, meta: object, c: list[S.SExpr]) -> S.Binary:
        return self._bin("*", meta, c)

    def div(self, meta: object, c: list[S.SExpr]) -> S.Binary:
        return self._bin("//", meta, c)

    def mod(self, meta: object, c: list[S.SExpr]) -> S.Binary:
        return self._bin("%", meta, c)

    def not_(self, meta: object, c: list[S.SExpr]) -> S.Unary:
        return S.Unary("not", c[0], self._s(meta))

    def neg(self, meta: object, c: list[S.SExpr]) -> S.SExpr:
        if isinstance(c[0], S.IntLit):
            return S.IntLit(-c[0].value, self._s(meta))
        return S.Unary("neg", c[0], self._s(meta))

    def compare(self, meta: object, c: list[object]) -> S.Compare:
        operands = tuple(x for x in c if not isinstance(x, str))
        ops = tuple(x for x in c if isinstance(x, str))
        return S.Compare(ops, operands, self._s(meta))  # type: ignore[arg-type]

    def compop(self, meta: object, c: list[object]) -> str:  # pragma: no cover - aliases below
        raise AssertionError

    def __default__(self, data: str, children: list[object], meta: object) -> object:
        if data in _COMPOPS:
            return _COMPOPS[data]
        return Tree(data, children, meta)  # type: ignore[arg-type]

    def index(self, meta: object, c: list[S.SExpr]) -> S.Index:
        return S.Index(c[0], c[1], self._s(meta))

    def field(self, meta: object, c: list[object]) -> S.Field:
        return S.Field(c[0], str(c[1]), self._s(meta))  # type: ignore[arg-type]

    def call(self, meta: object, c: list[object]) -> S.Call:
        args: list[object] = c[1] if isinstance(c[1], list) else []
        pos = tuple(a for a in args if not isinstance(a, tuple))
        kws = tuple(a for a in args if isinstance(a, tuple))
        return S.Call(str(c[0]), pos, kws, self._s(meta))  # type: ignore[arg-type]

    def arglist(self, meta: object, c: list[object]) -> list[object]:
        return [x for x in c if x is not None]

    def kwarg(self, meta: object, c: list[object]) -> tuple[str, object]:
        return (str(c[0]), c[1])

    def gencall(self, meta: object, c: list[object]) -> S.GenCall:
        return S.GenCall(str(c[0]), c[1], str(c[2]), str(c[3]), c[4], self._s(meta))  # type: ignore[arg-type]

    def setlit(self, meta: object, c: list[object]) -> S.SetLit:
        return S.SetLit(tuple(x for x in c if x is not None), self._s(meta))  # type: ignore[misc]

    def seqlit(self, meta: object, c: list[object]) -> S.SeqLit:
        return S.SeqLit(tuple(x for x in c if x is not None), self._s(meta))  # type: ignore[misc]

    def target(self, meta: object, c: list[object]) -> S.Target:
        var = str(c[1]) if c[1] is not None else None
        dom = str(c[2]) if c[2] is not None else None
        return S.Target(c[0], var, dom, self._s(meta))  # type: ignore[arg-type]

    def named(self, meta: object, c: list[Token]) -> S.NamedType:
        return S.NamedType(str(c[0]), self._tok(c[0]))

    def option(self, meta: object, c: list[Token]) -> S.OptionType:
        return S.OptionType(str(c[0]), self._s(meta))

    def range(self, meta: object, c: list[S.SExpr]) -> S.RangeType:
        return S.RangeType(c[0], c[1], self._s(meta))

    def initexpr(self, meta: object, c: list[object]) -> tuple[S.SExpr, tuple[tuple[str, str, Span], ...]]:
        names = c[1:]
        binders = tuple((str(n), str(d), self._tok(n)) for n, d in zip(names[::2], names[1::2], strict=True))  # type: ignore[arg-type]
        return c[0], binders  # type: ignore[return-value]

    def reclit(self, meta: object, c: list[object]) -> S.RecLit:
        items = [x for x in c if x is not None]
        return S.RecLit(tuple((str(n), v) for n, v in zip(items[::2], items[1::2], strict=True)), self._s(meta))  # type: ignore[misc]

    def settype(self, meta: object, c: list[S.SType]) -> S.SetType:
        return S.SetType(c[0], self._s(meta))

    def seqtype(self, meta: object, c: list[object]) -> S.SeqType:
        return S.SeqType(c[0], c[1], self._s(meta))  # type: ignore[arg-type]

    def maptype(self, meta: object, c: list[S.SType]) -> S.MapType:
        return S.MapType(c[0], c[1], self._s(meta))
