"""The SMT engines' entry points, guarded: a z3 error or a Ctrl-C becomes Unknown with the reason.

The causes are dealt with where they arise (NOTE(z3-calls) in solver.py; certificate.py for
Spacer's answers); `guard` is the last line of defence, so that nothing z3 raises reaches the
CLI, which would report it as an internal error (exit 4). EngineDisagreement (an answer that
failed its independent check) is an internal error by design and is not caught. The guard also
watches for Ctrl-C while the engine runs (NOTE(interrupt-z3)).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

import z3

from checker.core.budget import INTERRUPTED, Budget
from checker.core.verdict import Unknown, Verdict
from checker.smt.solver import error_reason, sigint_watch
from checker.smt.unroll import provenance
from model.ir import TransitionSystem

F = TypeVar("F", bound=Callable[..., Any])


def guard(default_engine: str) -> Callable[[F], F]:
    """For `check(ts, prop, budget, *, engine=...) -> Verdict`."""
    def wrap(check: F) -> F:
        @functools.wraps(check)
        def guarded(ts: TransitionSystem, prop: str, budget: Budget | None = None, **kw: Any) -> Verdict:
            budget = (budget or Budget()).start()
            return _run(check, ts, [prop], budget, kw.get("engine", default_engine), kw)[0]
        return cast(F, guarded)
    return wrap


def guard_all(default_engine: str) -> Callable[[F], F]:
    """For `check_all(ts, props, budget, *, engine=...) -> list[Verdict]`."""
    def wrap(check_all: F) -> F:
        @functools.wraps(check_all)
        def guarded(ts: TransitionSystem, props: Sequence[str], budget: Budget | None = None,
                    **kw: Any) -> list[Verdict]:
            budget = (budget or Budget()).start()     # the instance's (NOTE(bmc-timeout) in bmc.py)
            return _run(check_all, ts, props, budget, kw.get("engine", default_engine), kw, many=True)
        return cast(F, guarded)
    return wrap


def _run(f: Callable[..., Any], ts: TransitionSystem, props: Sequence[str], budget: Budget, engine: str,
         kw: dict[str, Any], many: bool = False) -> list[Verdict]:
    t0 = time.monotonic()
    try:
        with sigint_watch(budget):
            got = f(ts, props if many else props[0], budget, **kw)
        return list(got) if many else [got]
    except z3.Z3Exception as e:
        reason = error_reason(budget, e)   # describe() names the engine once
    except KeyboardInterrupt:
        budget.stop.interrupted = True   # the checks after this one end at once (NOTE(interrupt-z3))
        reason = INTERRUPTED
    return [Unknown(p, provenance(ts, engine, t0), reason) for p in props]
