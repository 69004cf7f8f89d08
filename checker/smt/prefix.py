"""Explicit prefix, symbolic suffix: BMC whose first steps come from an exact breadth-first search.

NOTE(explicit-prefix): BMC decides depths in increasing order, per safety property. The explicit
search (run by checker/run, which may call both engine families: NOTE(one-way)) stores BFS levels
0..j exactly and checks every safety property on them, so it decides the depths 0..j itself: a
violation it finds is a shortest one (BFS order), and none found refutes every depth <= j. For a
depth d > j, once every depth < d of property p is refuted, every path of length d violating p
has its j-th state at BFS distance exactly j: were that state at distance i < j, its BFS path
followed by the last d - j steps would violate p at depth d - (j - i) < d (the violation is at
the end, position d or the step d-1 -> d, both after j), which is refuted. So the query for
depth d may start in the frontier F_j (BFS level j) and unroll d - j steps: unsat refutes depth
d; sat is a real path of exactly d steps (the frontier state's BFS path, then the model's
suffix), replayed on the concrete semantics like every trace. The argument is per property and
needs only p's own shallower depths refuted, so one frontier serves every safety property of a
run. Nothing else changes: proved lemmas hold in every reachable state, frontier states
included (NOTE(bmc-lemmas)); a refuted query is a fact about the paths from F_j, kept as before;
F_j is closed under every automorphism (it is the exact level, not a symmetry quotient), so the
symmetry breaking of NOTE(symmetry-breaking) keeps its argument, with s_j in place of s_0.
Not for lassos: a loop may start before step j, so temporal properties keep the path from init.
Why: refuting depth d from init costs about 1.5x depth d-1 on the mutual-exclusion locks,
whose reachable states are few (the MCS lock with a stale link, bench/specs/mcs_bug.yaml: 62.8
s of CPU to its 22-step deadlock from init; docs/performance.md has the measurements).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import z3

from checker.core.budget import Budget
from checker.smt.encode import Encoding, StateVars, disj
from checker.traces.trace import State, Trace
from model.ir import TransitionSystem

PREFIX_STATES = 20_000   # the explicit search's state cap: the frontier is BFS level j, the last
                         # level whose expansion fits (NOTE(explicit-prefix))


@dataclass(frozen=True)
class Prefix:
    """What the explicit search decided: every depth <= `depth` of every property it was asked."""

    depth: int                                  # j
    frontier: tuple[State, ...]                 # BFS level j, in search order (empty: no state is that deep)
    found: tuple[tuple[str, Trace], ...]        # shortest violations, per property (depths <= j or just past it)
    states: int                                 # states the search stored
    trace_to: Callable[[int], Trace] = field(compare=False, repr=False)   # the BFS path to frontier[i]


# the explicit search for the safety properties named, within the budget (its max_depth the
# deepest level); None when it cannot run on this system or was stopped before level 0 was done
PrefixSearch = Callable[[TransitionSystem, Sequence[str], Budget], Prefix | None]


def frontier_formula(enc: Encoding, x: StateVars, states: Sequence[State]) -> z3.ExprRef:
    """x is one of `states`: a reduced decision diagram over the slots in order, each distinct set
    of suffixes one node (z3 shares it), much smaller than one cube per state (bench: 567 MCS
    frontier states, 1,937 subterms, and half the SAT time of the flat disjunction)."""
    ctx = enc.ctx
    if not states:
        return z3.BoolVal(False, ctx)
    rows = np.array(states, dtype=np.int64).reshape(len(states), len(x.vars))
    pids = _prefix_ids(rows)
    nodes: list[z3.ExprRef] = [z3.BoolVal(True, ctx)]
    table: dict[tuple[int, tuple[int, ...]], int] = {}
    red = np.zeros(int(pids[-1].max()) + 1, dtype=np.int64)   # every full prefix: "true"
    for i in range(rows.shape[1] - 1, -1, -1):
        edges = np.unique(np.stack([pids[i], rows[:, i], red[pids[i + 1]]], axis=1), axis=0)
        up = np.zeros(int(pids[i].max()) + 1, dtype=np.int64)
        cuts = np.flatnonzero(np.diff(edges[:, 0])) + 1
        for group in np.split(edges, cuts):
            sig = (i, tuple(group[:, 1:].ravel().tolist()))
            if sig not in table:
                table[sig] = len(nodes)
                arms = [_lit(enc, x, i, int(v)) if c == 0 else z3.And(_lit(enc, x, i, int(v)), nodes[c])
                        for v, c in group[:, 1:]]
                nodes.append(disj(ctx, arms))
            up[group[0, 0]] = table[sig]
        red = up
    return nodes[int(red[0])]


def _prefix_ids(rows: np.ndarray) -> list[np.ndarray]:
    """pids[i][k]: a number for the first i values of row k, equal for equal prefixes."""
    pids = [np.zeros(len(rows), dtype=np.int64)]
    for i in range(rows.shape[1]):
        _, inv = np.unique(np.stack([pids[-1], rows[:, i]], axis=1), axis=0, return_inverse=True)
        pids.append(inv.reshape(-1).astype(np.int64))
    return pids


def _lit(enc: Encoding, x: StateVars, i: int, v: int) -> z3.ExprRef:
    var = x.vars[i]
    if z3.is_bool(var):
        return var if v else z3.Not(var)
    return var == enc.num.val(v)


def joined(prefix: Prefix, index: dict[State, int], suffix: Trace) -> Trace:
    """The frontier state's BFS path, then the suffix that starts in it (NOTE(explicit-prefix))."""
    head = prefix.trace_to(index[suffix.states[0]])
    return Trace((*head.states, *suffix.states[1:]), (*head.actions, *suffix.actions))
