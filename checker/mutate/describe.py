"""Surface expressions back to spec syntax, for naming mutants (`guard 'khkid' -> true`).

The source text behind a span is not used: an expression inside a folded YAML block scalar has
only an approximate span (model/expr_parser.py `_Pos`), so the text is rebuilt from the syntax
tree, with parentheses only where the grammar (model/expr_grammar.lark) needs them.
"""

from __future__ import annotations

from model import syntax as S

# binding strength, loosest first, as in model/expr_grammar.lark
IMPLIES, IFELSE, OR, AND, NOT, COMPARE, SUM, TERM, NEG, POSTFIX = range(10)
BINARY = {"=>": IMPLIES, "or": OR, "and": AND, "+": SUM, "-": SUM, "*": TERM, "//": TERM, "%": TERM}
MAX_TEXT = 72      # longer expressions are shortened in mutant names


def level(e: S.SExpr) -> int:
    if isinstance(e, S.Binary):
        return BINARY.get(e.op, POSTFIX)
    if isinstance(e, S.IfElse):
        return IFELSE
    if isinstance(e, S.Compare):
        return COMPARE
    if isinstance(e, S.Unary):
        return NOT if e.op == "not" else NEG
    return POSTFIX


def show(e: S.SExpr, need: int = IMPLIES) -> str:
    """e as spec text, parenthesised when it binds more loosely than `need`."""
    text = _show(e)
    return f"({text})" if level(e) < need else text


def short(e: S.SExpr) -> str:
    text = show(e)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


def _show(e: S.SExpr) -> str:
    if isinstance(e, S.Name):
        return e.id
    if isinstance(e, S.IntLit):
        return str(e.value)
    if isinstance(e, S.Unary):
        return f"not {show(e.operand, NOT)}" if e.op == "not" else f"-{show(e.operand, NEG)}"
    if isinstance(e, S.Binary):
        lv = BINARY.get(e.op, POSTFIX)
        right = lv if e.op == "=>" else lv + 1        # `=>` is right associative, the rest left
        left = lv + 1 if e.op == "=>" else lv
        if e.op == "or":    # `a or (b and c)`: parentheses the grammar does not need, for the reader
            left, right = (OR if isinstance(e.left, S.Binary) and e.left.op == "or" else NOT), NOT
        return f"{show(e.left, left)} {e.op} {show(e.right, right)}"
    if isinstance(e, S.Compare):
        parts = [show(e.operands[0], SUM)]
        for op, x in zip(e.ops, e.operands[1:], strict=True):
            parts += [op, show(x, SUM)]
        return " ".join(parts)
    if isinstance(e, S.IfElse):
        return f"{show(e.then, OR)} if {show(e.cond, OR)} else {show(e.other, IFELSE)}"
    return _show_postfix(e)


def _show_postfix(e: S.SExpr) -> str:
    if isinstance(e, S.Index):
        return f"{show(e.base, POSTFIX)}[{show(e.index)}]"
    if isinstance(e, S.Field):
        return f"{show(e.base, POSTFIX)}.{e.name}"
    if isinstance(e, S.Call):
        args = [show(a) for a in e.args] + [f"{k}={show(v)}" for k, v in e.kwargs]
        return f"{e.func}({', '.join(args)})"
    if isinstance(e, S.GenCall):
        cond = f" if {show(e.cond, OR)}" if e.cond is not None else ""
        return f"{e.func}({show(e.elem)} for {e.var} in {e.domain}{cond})"
    if isinstance(e, S.SetLit):
        return "{" + ", ".join(show(x) for x in e.items) + "}"
    if isinstance(e, S.RecLit):
        return "{" + ", ".join(f"{k}: {show(x)}" for k, x in e.fields) + "}"
    if isinstance(e, S.SeqLit):
        return "[" + ", ".join(show(x) for x in e.items) + "]"
    raise TypeError(f"not a surface expression: {e!r}")


def show_target(t: S.Target) -> str:
    lhs = show(t.lhs)
    return f"{lhs} for {t.var} in {t.domain}" if t.var is not None else lhs
