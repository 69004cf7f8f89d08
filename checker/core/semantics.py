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


# NOTE(range-fairness): a transition is enabled in a state exactly when its guard holds there,
# whatever its effect computes. When the effect stores a value outside a variable's range, the
# step is a modelling error, reported by the built-in property `range`, and its post-state is no
# state of the system (NOTE(range-steps) in checker/explicit/search.py): the behaviour taking it
# ends in that error, so the state graph has no edge for it. The transition still counts as
# enabled, for fairness and for deadlock alike: a state whose every enabled step leaves the range
# is no deadlock and may not stutter forever (only a state with no guard true may), and a weakly
# (strongly) fair transition enabled always (infinitely often) on a loop must be taken in the
# loop even when its enabled steps there leave the range. So a fair behaviour never ignores a
# range error: it either takes it (and `range` reports it) or takes the transition in range.
# Replay (checker/traces/replay.py) and the BMC lassos (checker/smt/lasso.py) read enabledness
# from the guards; the explicit liveness search (checker/explicit/liveness.py), which reads it
# from the graph's edges, also counts the out-of-range steps the search records per state.
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
