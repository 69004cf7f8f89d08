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


def apply(spec: S.SpecDecl, m: Mutation) -> S.SpecDecl:
    """The spec with mutation m made; raises KeyError when m's target is not in spec."""
    machine, _, trans = m.target.partition(".")
    if trans:
        mdecl = next(x for x in spec.machines if x.name == machine)
        t = next(x for x in mdecl.transitions if x.name == trans)
        return swap(spec, t, _transition(t, m))  # type: ignore[return-value]
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
        return _without_call(t)
    return _forced(t, m)


def _without_call(t: S.TransitionDecl) -> S.TransitionDecl:
    """The transition without its operation call: the operation's checks and effect are gone,
    and `result` in its `to:` and `effect:` reads SUCCESS (the caller goes on as if it had
    succeeded); a `store:` of the result goes too."""
    def success(x: Node) -> Node | None:
        return S.Name("SUCCESS", x.span) if isinstance(x, S.Name) and x.id == "result" else None
    return replace(t, call=None, store=None, target=rewrite(t.target, success),  # type: ignore[arg-type]
                   effect=rewrite(t.effect, success))


def _operation(op: S.OpDecl, m: Mutation) -> S.OpDecl:
    if m.kind == "drop-check":
        k = int(m.part.split()[1])
        return replace(op, checks=op.checks[:k] + op.checks[k + 1:])
    if m.kind == "may-fail":
        assert m.code is not None and op.span is not None
        return replace(op, may_fail=(*op.may_fail, (m.code, op.span)))
    return _forced(op, m)


def _forced(t: S.TransitionDecl | S.OpDecl, m: Mutation) -> S.TransitionDecl | S.OpDecl:
    """t with the m.index-th `x if c else y` of part m.part replaced by x (if-then) or y (if-else)."""
    e = next(x for part, _, x in expression_parts(t) if part == m.part)
    node = ifs(e)[m.index]
    branch = node.then if m.kind == "if-then" else node.other
    return swap(t, node, branch)  # type: ignore[return-value]
