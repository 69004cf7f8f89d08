"""Guard pre-filtering for explicit search: most guards start with `pc == s` (or `pc in {...}`).

Actions are indexed by such a conjunct, so expanding a state looks only at the actions whose
control state matches, instead of evaluating every guard. Candidates come back in action order,
so the search explores successors in exactly the same order as without the index.
"""

from __future__ import annotations

from collections.abc import Sequence

from model.ir import App, Const, Expr, Op, Var


def slot_test(e: Expr) -> tuple[int, frozenset[int]] | None:
    """(slot, allowed values) if e is `v == c` or an `or` of such on one slot."""
    if isinstance(e, App) and e.op is Op.EQ:
        a, b = e.args
        if isinstance(a, Var) and isinstance(b, Const):
            return a.slot, frozenset({b.value})
        if isinstance(b, Var) and isinstance(a, Const):
            return b.slot, frozenset({a.value})
        return None
    if isinstance(e, App) and e.op is Op.OR:
        parts = [slot_test(x) for x in e.args]
        if all(p is not None for p in parts) and len({p[0] for p in parts if p}) == 1:
            return parts[0][0], frozenset().union(*(p[1] for p in parts if p))  # type: ignore[index]
    return None


def key_of(guard: Expr) -> tuple[int, frozenset[int]] | None:
    conj = guard.args if isinstance(guard, App) and guard.op is Op.AND else (guard,)
    for c in conj:
        k = slot_test(c)
        if k is not None:
            return k
    return None


class Dispatch:
    def __init__(self, guards: Sequence[Expr]):
        self.free: list[int] = []
        tables: dict[int, dict[int, list[int]]] = {}
        for i, g in enumerate(guards):
            k = key_of(g)
            if k is None:
                self.free.append(i)
                continue
            table = tables.setdefault(k[0], {})
            for v in sorted(k[1]):
                table.setdefault(v, []).append(i)
        self.tables = sorted(tables.items())

    def candidates(self, s: Sequence[int]) -> list[int]:
        out = list(self.free)
        for slot, table in self.tables:
            hit = table.get(s[slot])
            if hit:
                out.extend(hit)
        out.sort()
        return out
