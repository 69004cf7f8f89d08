"""Apply a Mutation to a spec's declarations (NOTE(mutate-syntax) in checker/mutate/mutations.py).

Every edit replaces one node of the frozen syntax tree and rebuilds the nodes above it; nodes
are found by identity, since spans take no part in equality and two equal subexpressions
(`kcpu[w] == none` twice in one guard) must stay apart.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import replace

from checker.mutate.mutations import Mutation, expression_parts, guard_points, ifs
from model import syntax as S

Node = object


def rewrite(node: Node, fn: Callable[[Node], Node | None]) -> Node:
    """node with every subnode x for which fn(x) is not None replaced by fn(x) (outermost first)."""
    got = fn(node)
    if got is not None:
        return got
    if isinstance(node, tuple):
        kids = tuple(rewrite(k, fn) for k in node)
        return kids if any(a is not b for a, b in zip(kids, node, strict=True)) else node
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return node
    changes = {}
    for f in dataclasses.fields(node):
        old = getattr(node, f.name)
        new = rewrite(old, fn)
        if new is not old:
            changes[f.name] = new
    return replace(node, **changes) if changes else node  # type: ignore[type-var]


def swap(root: Node, old: Node, new: Node) -> Node:
    """root with the node `old` (this very object) replaced by `new`."""
    return rewrite(root, lambda x: new if x is old else None)


# the order in which the parts of a combined mutation are made: each part is found again by
# name and index in the spec as edited so far, and every edit keeps the indices of the parts
# made after it: guard checks and `if`s go from the last (in pre-order) to the first, since an
# edit inside one changes only the indices after it; a removed write and a removed check keep
# their places (the write becomes `x: x`, the check `require: true`)
ORDER = ("guard-true", "guard-false", "if-then", "if-else", "drop-check", "may-fail", "drop-call",
         "drop-effect", "drop-transition")


def apply(spec: S.SpecDecl, m: Mutation) -> S.SpecDecl:
    """The spec with mutation m made (every part of a combined one); raises StopIteration when
    m's target is not in spec."""
    if m.parts:
        for part in sorted(m.parts, key=lambda x: (ORDER.index(x.kind), x.target, x.part, -x.index)):
            spec = apply(spec, part)
        return spec
    machine, _, trans = m.target.partition(".")
    glob = [x for x in spec.machines if x.name == S.GLOBAL]
    if not trans and glob and any(t.name == m.target for t in glob[0].transitions):
        machine, trans = S.GLOBAL, m.target     # NOTE(global-transitions)
    if trans:
        mdecl = next(x for x in spec.machines if x.name == machine)
        t = next(x for x in mdecl.transitions if x.name == trans)
        edited: S.SpecDecl = swap(spec, t, _transition(t, m))  # type: ignore[assignment]
        if m.kind == "drop-call" and not any(o.name == not_called(t.call.func) for o in spec.operations):  # type: ignore[union-attr]
            edited = replace(edited, operations=(*edited.operations, _stand_in(spec, t)))
        return edited
    op = next(x for x in spec.operations if x.name == m.target)
    return swap(spec, op, _operation(op, m))  # type: ignore[return-value]


def _transition(t: S.TransitionDecl, m: Mutation) -> S.TransitionDecl:
    if m.kind == "drop-transition":
        return replace(t, when=S.Name("false", t.span))  # type: ignore[arg-type]
    if m.kind in ("guard-true", "guard-false"):
        assert t.guard is not None
        c, value = guard_points(t.guard)[m.index]
        return replace(t, guard=swap(t.guard, c, S.Name("true" if value else "false", c.span)))  # type: ignore[arg-type]
    if m.kind == "drop-call":
        assert t.call is not None
        return replace(t, call=replace(t.call, func=not_called(t.call.func)))
    if m.kind == "drop-effect":
        return _without_write(t, m)  # type: ignore[return-value]
    return _forced(t, m)  # type: ignore[return-value]


def not_called(op: str) -> str:
    """The name of the stand-in for operation `op` in a mutant whose call of it is removed."""
    return f"{op}_not_called"


def _stand_in(spec: S.SpecDecl, t: S.TransitionDecl) -> S.OpDecl:
    """What a drop-call mutant of t calls instead of its operation: the same parameters, always
    SUCCESS, no effect. The caller goes on as if the call had succeeded (`result` reads SUCCESS,
    a `store:` stores it); step properties on `call:OP` no longer see the step, those on the
    transition still do."""
    assert t.call is not None
    op = next(o for o in spec.operations if o.name == t.call.func)
    return replace(op, name=not_called(op.name), checks=(), may_fail=(), effect=(),
                   doc=f"mutant: {op.name} not called")


def _operation(op: S.OpDecl, m: Mutation) -> S.OpDecl:
    if m.kind == "drop-check":     # `require: true`: its code stays a Status member properties may name
        c = op.checks[int(m.part.split()[1])]
        return swap(op, c, replace(c, require=S.Name("true", c.require.span)))  # type: ignore[return-value]
    if m.kind == "may-fail":
        assert m.code is not None and op.span is not None
        return replace(op, may_fail=(*op.may_fail, (m.code, op.span)))
    if m.kind == "drop-effect":
        return _without_write(op, m)  # type: ignore[return-value]
    return _forced(op, m)  # type: ignore[return-value]


def _without_write(t: S.TransitionDecl | S.OpDecl, m: Mutation) -> S.TransitionDecl | S.OpDecl:
    """t with its m.part-th write made to keep the value: `x: x` (`m[k] for k in K: m[k]`)."""
    a = t.effect[int(m.part.split()[1])]
    return swap(t, a, replace(a, value=a.target.lhs))  # type: ignore[return-value]


def _forced(t: S.TransitionDecl | S.OpDecl, m: Mutation) -> S.TransitionDecl | S.OpDecl:
    """t with the m.index-th `x if c else y` of part m.part replaced by x (if-then) or y (if-else)."""
    e = next(x for part, _, x in expression_parts(t) if part == m.part)
    node = ifs(e)[m.index]
    branch = node.then if m.kind == "if-then" else node.other
    return swap(t, node, branch)  # type: ignore[return-value]
