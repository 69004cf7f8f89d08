"""Which mutations a spec offers: one per check in a guard, transition, operation call,
operation check, possible failure and branch of an `x if c else y`, each with a name and a place.

NOTE(mutate-syntax): a mutant is made by editing the spec's declarations (model/syntax.py, the
parsed tree: frozen dataclasses with spans, never the spec text) and lowering them again with
model/lower.py, which gives a TransitionSystem built exactly as a spec's is. The IR itself is
not edited because it no longer knows its parts: an action's guard is one expression without
spans per conjunct and is copied into every step property's bad condition, into the deadlock
predicate and into the range property (NOTE(properties) in model/ir.py); an operation's checks
are folded into its `result` and into the condition of each of its writes; a `may_fail`
outcome is an extra action whose writes depend on the caller's `to:` and `effect:`. Editing
the IR would mean deriving all of these again, that is, lowering again. The lowered mutant is
then compared with the lowered original, so a mutation that changes nothing in an instance (a
guard conjunct that is already true there, a transition whose `when:` drops it) is found on the
IR and skipped, never reported as "not needed".
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from checker.mutate.describe import short, show_target
from model import syntax as S
from model.source import Span

KINDS = ("drop-transition", "guard-true", "guard-false", "drop-call", "if-then", "if-else", "drop-effect",
         "drop-check", "may-fail", "combined")


@dataclass(frozen=True)
class Mutation:
    """One edit of a spec. `target` is `machine.transition` or an operation's name; `part` says
    which piece of it (the guard, `to`, `effect N`, `check N`), `index` which conjunct or which
    `if` (in pre-order) of that piece, `code` the status a may-fail mutant adds."""

    kind: str
    target: str
    what: str                       # a short human description
    part: str = ""
    index: int = 0
    code: str | None = None
    span: Span | None = field(default=None, compare=False)
    parts: tuple[Mutation, ...] = ()    # a combined mutation: all of these at once (--combine)

    @property
    def name(self) -> str:
        return f"{self.target}: {self.what}"

    @property
    def where(self) -> str:
        return str(self.span) if self.span is not None else "?"


def operands(e: S.SExpr, op: str) -> list[S.SExpr]:
    """The operands of a chain of `op` (`and` or `or`) at the top of e, left to right."""
    if isinstance(e, S.Binary) and e.op == op:
        return operands(e.left, op) + operands(e.right, op)
    return [e]


def guard_points(e: S.SExpr) -> list[tuple[S.SExpr, bool]]:
    """What a guard's checks are, in pre-order: (subexpression, the value that removes it).

    The guard as a whole (unless it is a conjunction: then its conjuncts are the checks), every
    operand of an `and` (removed by `true`) and every operand of an `or` (a way in, removed by
    `false`), through nested `and`/`or`. So "this check in this guard" can be asked for
    `a and (b or c)`: a, b or c and their combination each on its own.
    """
    points: list[tuple[S.SExpr, bool]] = [] if _chain(e) == "and" else [(e, True)]
    _points(e, points)
    return points


def _chain(e: S.SExpr) -> str | None:
    return e.op if isinstance(e, S.Binary) and e.op in ("and", "or") else None


def _points(e: S.SExpr, out: list[tuple[S.SExpr, bool]]) -> None:
    op = _chain(e)
    if op is None:
        return
    for x in operands(e, op):
        out.append((x, op == "and"))
        _points(x, out)


def ifs(e: S.SExpr) -> list[S.IfElse]:
    """Every `x if c else y` inside e, in pre-order (the order `index` counts)."""
    found: list[S.IfElse] = []
    stack: list[object] = [e]
    while stack:
        x = stack.pop()
        if isinstance(x, tuple):            # arguments, keyword arguments, set items
            stack.extend(reversed(x))
            continue
        if isinstance(x, S.IfElse):
            found.append(x)
        kids = [getattr(x, f) for f in getattr(x, "__dataclass_fields__", {}) if f != "span"]
        stack.extend(reversed(kids))
    return found


def expression_parts(t: S.TransitionDecl | S.OpDecl) -> list[tuple[str, str, S.SExpr]]:
    """(part, label, expression) of the values an `if` may be forced in: `to:` and each effect."""
    parts: list[tuple[str, str, S.SExpr]] = []
    if isinstance(t, S.TransitionDecl) and t.target is not None:
        parts.append(("to", "to", t.target))
    for k, a in enumerate(t.effect):
        parts.append((f"effect {k}", show_target(a.target), a.value))
    return parts


def spec_mutations(spec: S.SpecDecl) -> list[Mutation]:
    """Every mutation of the spec, in spec order: machines' transitions, then operations."""
    out: list[Mutation] = []
    for m in spec.machines:
        for t in m.transitions:
            out.extend(_transition_mutations(S.qualified(m.name, t.name), t))
    for op in spec.operations:
        out.extend(_operation_mutations(op))
    return out


def _transition_mutations(name: str, t: S.TransitionDecl) -> Iterator[Mutation]:
    yield Mutation("drop-transition", name, "transition removed", span=t.span)
    if t.guard is not None:
        for k, (c, value) in enumerate(guard_points(t.guard)):
            kind, word = ("guard-true", "true") if value else ("guard-false", "false")
            yield Mutation(kind, name, f"guard `{short(c)}` -> {word}", "guard", k, span=c.span)
    if t.call is not None:
        yield Mutation("drop-call", name, f"call `{short(t.call)}` removed (as if it succeeded)",
                       span=t.call.span)
    yield from _if_mutations(name, t)
    yield from _effect_mutations(name, t)


def _effect_mutations(name: str, t: S.TransitionDecl | S.OpDecl) -> Iterator[Mutation]:
    for k, a in enumerate(t.effect):
        yield Mutation("drop-effect", name, f"write `{show_target(a.target)}` removed", f"effect {k}",
                       span=a.target.span)


def combine(mutations: Sequence[Mutation]) -> Mutation:
    """All of `mutations` as one mutant (the first one's place stands for all)."""
    targets = ", ".join(dict.fromkeys(m.target for m in mutations))
    what = " + ".join(m.what if len({x.target for x in mutations}) == 1 else m.name for m in mutations)
    return Mutation("combined", targets, what, span=mutations[0].span, parts=tuple(mutations))


def _operation_mutations(op: S.OpDecl) -> Iterator[Mutation]:
    for k, c in enumerate(op.checks):
        yield Mutation("drop-check", op.name, f"check `{short(c.require)}` (else {c.error}) removed",
                       f"check {k}", span=c.span)
    have = {code for code, _ in op.may_fail}
    for code in dict.fromkeys(c.error for c in op.checks):
        if code not in have:
            yield Mutation("may-fail", op.name, f"may fail with {code} (no effect)", code=code, span=op.span)
    yield from _if_mutations(op.name, op)
    yield from _effect_mutations(op.name, op)


def _if_mutations(name: str, t: S.TransitionDecl | S.OpDecl) -> Iterator[Mutation]:
    for part, label, e in expression_parts(t):
        for k, x in enumerate(ifs(e)):
            cond = short(x.cond)
            yield Mutation("if-then", name, f"{label}: `{cond}` forced true", part, k, span=x.cond.span)
            yield Mutation("if-else", name, f"{label}: `{cond}` forced false", part, k, span=x.cond.span)


class UnknownTarget(ValueError):
    """An --only pattern that names no transition, operation or mutation of the spec."""


def matches(m: Mutation, pattern: str) -> bool:
    """A glob on the target (`td.vpflushdone`, `vp_*`) or on the whole name (`td.x: guard *`)."""
    return fnmatch.fnmatchcase(m.target, pattern) or fnmatch.fnmatchcase(m.name, pattern)


def select(mutations: Sequence[Mutation], only: Sequence[str]) -> list[Mutation]:
    """The mutations one of the glob patterns matches (all without patterns); raises
    UnknownTarget for a pattern that matches nothing, naming the targets there are."""
    if not only:
        return list(mutations)
    targets = list(dict.fromkeys(m.target for m in mutations))
    for pat in only:
        if not any(matches(m, pat) for m in mutations):
            from model.diagnostics import did_you_mean
            hint = did_you_mean(pat, targets)
            raise UnknownTarget(f"--only '{pat}' matches no transition or operation" +
                                (f" ({hint[0]})" if hint else "") + f"; there are: {', '.join(targets)}")
    return [m for m in mutations if any(matches(m, p) for p in only)]
