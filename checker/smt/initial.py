"""Whether a system has an initial state at all, asked of z3 when there are too many
candidates to enumerate (checker/run/runner.py NOTE(no-initial-state))."""

from __future__ import annotations

from checker.core.budget import Budget
from checker.smt.encode import Encoding
from checker.smt.solver import check, new_solver
from model.ir import TransitionSystem


def has_initial_state(ts: TransitionSystem, budget: Budget) -> bool | None:
    """True or False, or None when z3 gives no answer within the budget."""
    enc = Encoding(ts)
    s = new_solver(budget, enc.ctx, enc.logic)
    x = enc.state("init")
    s.add(enc.domain(x), enc.init(x))
    out = check(s, budget)
    return None if out.result == "unknown" else out.result == "sat"
