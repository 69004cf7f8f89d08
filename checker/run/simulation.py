"""Simulation through the run module: the same initial-state check as run_instance, and every
counterexample replayed on the concrete semantics before anyone sees it (NOTE(replay-first))."""

from __future__ import annotations

from collections.abc import Sequence

from checker.core.budget import Budget
from checker.explicit.simulate import SimOptions, SimResult, simulate
from checker.run.runner import initial_problem, replayed
from model.diagnostics import SpecError
from model.ir import TransitionSystem


def simulate_instance(ts: TransitionSystem, props: Sequence[str], opts: SimOptions) -> SimResult:
    """Simulate one instance; SpecError when it has no initial state (NOTE(no-initial-state))."""
    if (problem := initial_problem(ts, Budget())) is not None:
        raise SpecError([problem])
    got = simulate(ts, props, opts)
    for v in got.verdicts:
        replayed(ts, v)
    return got
