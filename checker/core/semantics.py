"""The concrete semantics every engine, the replayer and the lemma miner share.

NOTE(shared-ground): the initial states and the successor function are the reference meaning
of a transition system (model/ir.py); the explicit search enumerates with them, replay checks a
trace with them, and the lemma miner samples states with them. They live here, not in an
engine, so that no engine imports another and replay needs no engine at all.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from checker.traces.trace import State
from model.evaluate import compile_expr
from model.ir import Expr, TransitionSystem
from model.sorts import IndexSort, IntSort
from model.sorts import bounds as sort_bounds


def initial_states(ts: TransitionSystem) -> list[State]:
    """Every initial state, in lexicographic order of the per-slot choices."""
    keep = compile_expr(ts.init_constraint) if ts.init_constraint is not None else None
    return [s for s in itertools.product(*ts.init_values) if keep is None or keep(s)]


def bounds(ts: TransitionSystem, slot: int) -> tuple[int, int]:
    """The least and greatest value of the slot's sort (a range such as 0..2**40 is not enumerated)."""
    return sort_bounds(ts.vars[slot].sort)


def may_overflow(ts: TransitionSystem, slot: int, e: Expr) -> bool:
    target = ts.vars[slot].sort
    if not isinstance(target, (IntSort, IndexSort)):
        return False
    lo, hi = bounds(ts, slot)
    s = e.sort
    if isinstance(s, IntSort):
        return s.lo < lo or s.hi > hi
    return s != target


def successor(state: State, updates: Sequence[tuple[int, Callable[[Sequence[int]], int]]]) -> State:
    new = list(state)
    for slot, f in updates:
        new[slot] = f(state)
    return tuple(new)


def has_initial_state(ts: TransitionSystem, max_candidates: int) -> bool | None:
    """Whether some state satisfies the initial values and `initially:`, decided by enumerating
    at most max_candidates candidate states (None: more candidates than that, undecided)."""
    size = 1
    for values in ts.init_values:
        size *= len(values)
        if size > max_candidates:
            return None
    if ts.init_constraint is None:
        return size > 0
    keep = compile_expr(ts.init_constraint)
    return any(keep(s) for s in itertools.product(*ts.init_values))
