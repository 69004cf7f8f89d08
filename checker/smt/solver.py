"""Solvers configured from a Budget, and checks that turn z3's answers into plain outcomes."""

from __future__ import annotations

import time
from dataclasses import dataclass

import z3

from checker.core.budget import Budget, interrupt

NO_TIMEOUT_MS = 4294967295   # z3's "no timeout"


@dataclass(frozen=True)
class Outcome:
    result: str          # "sat" | "unsat" | "unknown"
    reason: str = ""     # for unknown
    elapsed_s: float = 0.0


def new_solver(budget: Budget, ctx: z3.Context, logic: str | None = None) -> z3.Solver:
    s = z3.Solver(ctx=ctx) if logic is None else z3.SolverFor(logic, ctx=ctx)
    # fixed seeds: the same spec and budget give the same models, hence the same traces
    s.set("random_seed", budget.seed)
    if budget.rlimit is not None:
        s.set("rlimit", budget.rlimit)
    return s


def query_timeout_ms(budget: Budget) -> int | None:
    """The timeout of the next query: the smaller of the per-query one and what is left."""
    limits = [x for x in (budget.query_timeout_s, budget.remaining_s()) if x is not None]
    if not limits:
        return None
    return max(1, int(min(limits) * 1000))


def timeout_reason(budget: Budget, z3_reason: str) -> str:
    if budget.expired():
        return budget.stop_reason()
    if z3_reason in ("timeout", "canceled") and budget.query_timeout_s is not None:
        return f"query timeout after {budget.query_timeout_s} s"
    return z3_reason or "unknown"


def check(s: z3.Solver, budget: Budget, *assumptions: z3.ExprRef) -> Outcome:
    if budget.expired():
        return Outcome("unknown", timeout_reason(budget, "timeout"))
    ms = query_timeout_ms(budget)
    s.set("timeout", NO_TIMEOUT_MS if ms is None else ms)
    t0 = time.monotonic()
    r = s.check(*assumptions)
    dt = time.monotonic() - t0
    if r == z3.sat:
        return Outcome("sat", elapsed_s=dt)
    if r == z3.unsat:
        return Outcome("unsat", elapsed_s=dt)
    why = s.reason_unknown()
    if why == "canceled" and (ms is None or dt * 1000 < 0.9 * ms):
        interrupt()   # z3 caught the SIGINT itself (its ctrl-c handler): NOTE(interrupt)
    return Outcome("unknown", timeout_reason(budget, why), dt)
