"""Every z3 call that can take long, under the budget; z3's answers turned into plain outcomes.

NOTE(z3-calls): the only places in checker/smt that hand z3 work of unbounded cost are here:
  - `check`: solver checks (timeout: the per-query limit or what is left of the budget; rlimit);
  - `query`: Spacer's Fixedpoint queries (the same timeout and rlimit);
  - `apply_tactic`: tactics such as qe (TryFor with the same timeout, never more than a cap,
    as tactics take no rlimit);
  - `simplify`: z3's rewriter (its `timeout` parameter).
Each runs with `cancellable` (a Ctrl-C cancels it, NOTE(interrupt-z3)) and turns a z3 error into
an unknown outcome with a reason, never an exception. Everything else the engines ask of z3 is
linear in the size of the terms: building and substituting terms, reading an answer or a model,
and evaluating a model on constants only (checker/smt/decode.py, lasso.py).

NOTE(interrupt-z3): a Ctrl-C must end a check promptly. Python's own SIGINT handler only runs
between bytecodes, so it waits for a z3 call to return; z3's own handler (on by default for
solver checks and Fixedpoint queries, off for tactics and simplify) cancels the call but
swallows the signal, so the engine reads it as a timeout and goes on to its next call. Instead:
z3's handler is switched off (`ctrl_c=False`), and while an engine runs (`sigint_watch`, started
by checker/smt/guard.py) the SIGINT wakeup fd of the signal module is a pipe read by a thread
that, on SIGINT, marks the budget interrupted (Budget.stop, shared by all copies of the budget)
and cancels the call running now with `Context.interrupt()`, which z3 allows from another
thread. The call returns at once and raises KeyboardInterrupt (Python's handler is replaced
meanwhile by one that defers it until the call has returned: z3 may call back into Python as it
unwinds, where an exception would be printed and lost). The engine's entry point turns it into
Unknown("interrupted (SIGINT)"), and every later check with that budget sees it expired and ends
at once (as the explicit engine does, NOTE(interrupt) in checker/core/budget.py).
"""

from __future__ import annotations

import functools
import os
import signal
import threading
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import z3

from checker.core.budget import INTERRUPTED, Budget, Stop

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
    s.set("ctrl_c", False)   # NOTE(interrupt-z3)
    if budget.rlimit is not None:
        s.set("rlimit", budget.rlimit)
    return s


def query_timeout_ms(budget: Budget) -> int | None:
    """The timeout of the next query: the smaller of the per-query one and what is left."""
    limits = [x for x in (budget.query_timeout_s, budget.remaining_s()) if x is not None]
    if not limits:
        return None
    return max(1, int(min(limits) * 1000))


def limit_reason(budget: Budget, z3_reason: str, timeout_ms: int | None = None,
                 elapsed_s: float | None = None) -> str | None:
    """Which limit of the budget stopped a z3 call that gave up with z3_reason, having been
    given timeout_ms and run for elapsed_s; None when none did (z3 gave up for a reason of its
    own, e.g. incompleteness, or rejected its input). z3 names a limit inconsistently ("timeout",
    "canceled", "sat.canceled", "push canceled", "max. resource limit exceeded"), so which one it
    was is read off the budget and the call's duration."""
    if budget.stop.interrupted:
        return INTERRUPTED
    if budget.expired():
        return budget.stop_reason()
    rlimit = f"resource limit (rlimit {budget.rlimit})" if budget.rlimit is not None else None
    if "resource limit" in z3_reason and rlimit is not None:
        return rlimit
    if not _stopped(z3_reason):
        return None
    timer = timeout_ms is not None and timeout_ms != NO_TIMEOUT_MS and \
        (elapsed_s is None or elapsed_s * 1000 >= 0.9 * timeout_ms)
    if timer and budget.query_timeout_s is not None:
        return f"query timeout after {budget.query_timeout_s} s"
    if timer and budget.deadline is not None:   # the call's timeout was what was left
        return budget.stop_reason()
    return rlimit


def is_limit(reason: str) -> bool:
    """Whether an Unknown's reason is one of limit_reason's limits (time or work), not an
    interrupt or z3 giving up for a reason of its own."""
    return reason.startswith(("timeout after ", "query timeout after ", "resource limit (rlimit "))


def _stopped(z3_reason: str) -> bool:
    """z3's words for a call that a limit (or an interrupt) stopped."""
    return "timeout" in z3_reason or "cancel" in z3_reason or "resource limit" in z3_reason


def error_reason(budget: Budget, e: z3.Z3Exception, timeout_ms: int | None = None,
                 elapsed_s: float | None = None) -> str:
    """Why a z3 call raised: a limit of the budget (limit_reason), or "z3 error: ..." (z3
    rejected its input)."""
    msg = first_line(e)
    return limit_reason(budget, msg, timeout_ms, elapsed_s) or f"z3 error: {msg}"


def first_line(e: z3.Z3Exception) -> str:
    msg = e.value.decode(errors="replace") if isinstance(e.value, bytes) else str(e.value)
    return msg.splitlines()[0] if msg else "z3 error"


@contextmanager
def cancellable(budget: Budget, ctx: z3.Context) -> Iterator[None]:
    """A z3 call on ctx that a Ctrl-C cancels; KeyboardInterrupt is raised once it has returned
    (NOTE(interrupt-z3))."""
    stop = budget.stop
    stop.cancel = ctx.interrupt
    try:
        yield
    finally:
        stop.cancel = None
        if stop.deferred:
            stop.deferred = False
            raise KeyboardInterrupt


def _spent(budget: Budget) -> Outcome:
    return Outcome("unknown", limit_reason(budget, "timeout") or "timeout")


def _answer(r: z3.CheckSatResult, why: Callable[[], str], budget: Budget, ms: int, t0: float) -> Outcome:
    dt = time.monotonic() - t0
    if r == z3.sat:
        return Outcome("sat", elapsed_s=dt)
    if r == z3.unsat:
        return Outcome("unsat", elapsed_s=dt)
    z3_reason = why()
    return Outcome("unknown", limit_reason(budget, z3_reason, ms, dt) or z3_reason or "unknown", dt)


def settle(s: z3.Solver, budget: Budget, query: z3.ExprRef) -> Outcome:
    """NOTE(settle): before a check with a small work limit, one with no work limit and the query's
    literal off, so that every assertion is internalised by z3 outside any work limit. z3's
    incremental SAT solver cancelled while it bit-blasts new assertions keeps them half
    translated: later checks on the same solver answered `unknown (sat.giveup interpreted
    functions sent to SAT solver)` or returned models breaking the initial state (a replay
    failure; seen with limits of 1,000-3,000 units on specs/examples/queue.yaml). Asking for any
    path with the query off is cheap (it is satisfiable whenever a path of that length exists)."""
    s.set("rlimit", 0)
    return check(s, replace(budget, rlimit=None), z3.Not(query))


def work(s: z3.Solver) -> int:
    """The work s has done so far, in z3's deterministic resource units (its rlimit count)."""
    st = s.statistics()
    return int(st.get_key_value("rlimit count")) if "rlimit count" in st.keys() else 0


def check(s: z3.Solver, budget: Budget, *assumptions: z3.ExprRef) -> Outcome:
    if budget.expired():
        return _spent(budget)
    ms = query_timeout_ms(budget) or NO_TIMEOUT_MS
    s.set("timeout", ms)
    # per call, none included (0): a search may give its queries different work limits, and a
    # limit left on the solver by an earlier call would stop a query that has none
    s.set("rlimit", budget.rlimit or 0)
    t0 = time.monotonic()
    try:
        with cancellable(budget, s.ctx):
            r = s.check(*assumptions)
    except z3.Z3Exception as e:
        dt = time.monotonic() - t0
        return Outcome("unknown", error_reason(budget, e, ms, dt), dt)
    return _answer(r, s.reason_unknown, budget, ms, t0)


def configure(fp: z3.Fixedpoint, budget: Budget) -> None:
    """A Fixedpoint's settings from the budget (the timeout is set by `query`)."""
    fp.set("ctrl_c", False)   # NOTE(interrupt-z3)
    if budget.rlimit is not None:
        fp.set("rlimit", budget.rlimit)


def query(fp: z3.Fixedpoint, goal: z3.ExprRef, budget: Budget) -> Outcome:
    """fp.query(goal): sat (goal derivable), unsat, or unknown with a reason. A z3 error that is
    no limit of the budget (Spacer rejecting a construct) has the reason "z3 error: ..."."""
    if budget.expired():
        return _spent(budget)
    # a Spacer query is the whole proof: it may use the whole budget when no per-query limit is set
    limits = [x for x in (budget.query_timeout_s or budget.timeout_s, budget.remaining_s()) if x is not None]
    ms = max(1, int(min(limits) * 1000)) if limits else NO_TIMEOUT_MS
    fp.set("timeout", ms)
    t0 = time.monotonic()
    try:
        with cancellable(budget, goal.ctx):
            r = fp.query(goal)
    except z3.Z3Exception as e:
        dt = time.monotonic() - t0
        return Outcome("unknown", error_reason(budget, e, ms, dt), dt)
    return _answer(r, fp.reason_unknown, budget, ms, t0)


def apply_tactic(name: str, f: z3.ExprRef, budget: Budget, cap_s: float) -> tuple[z3.ExprRef | None, str]:
    """Tactic `name` applied to f, as one formula; or None and why not. It runs for the time
    left of the budget (or its per-query limit), and never more than cap_s: tactics take no
    rlimit, so even a budget bounded by work alone gives it no more than that. A result
    returned when the time was up is not used: some tactics (qe) return their input unchanged
    when stopped, instead of failing."""
    if budget.expired():
        return None, f"{name}: {_spent(budget).reason}"
    cap_ms = max(1, int(cap_s * 1000))
    ms = min(query_timeout_ms(budget) or NO_TIMEOUT_MS, cap_ms)
    t0 = time.monotonic()
    try:
        with cancellable(budget, f.ctx):
            goals = z3.TryFor(z3.Tactic(name, f.ctx), ms)(f)
        if (time.monotonic() - t0) * 1000 < 0.9 * ms:
            return goals.as_expr(), ""
    except z3.Z3Exception as e:
        if not _stopped(first_line(e)):
            return None, f"{name}: z3 error: {first_line(e)}"
    if not budget.stop.interrupted and ms == cap_ms:
        return None, f"{name}: no result in {cap_s} s (its cap: tactics take no rlimit)"
    return None, f"{name}: {limit_reason(budget, 'timeout', ms, time.monotonic() - t0) or 'timeout'}"


def simplify(f: z3.ExprRef, budget: Budget, cap_s: float) -> z3.ExprRef:
    """z3.simplify(f) for the time left (at most cap_s: the rewriter takes no rlimit either);
    f itself when that runs out (simplifying only makes a formula more readable)."""
    ms = min(query_timeout_ms(budget) or NO_TIMEOUT_MS, max(1, int(cap_s * 1000)))
    try:
        with cancellable(budget, f.ctx):
            return z3.simplify(f, timeout=ms)
    except z3.Z3Exception:
        return f


@contextmanager
def sigint_watch(budget: Budget) -> Iterator[None]:
    """While the block runs, a Ctrl-C cancels the z3 call running under `cancellable` with this
    budget (NOTE(interrupt-z3)). Nothing to do outside the main thread (signals are delivered
    there only), when SIGINT is not handled by Python (ignored: no Ctrl-C to honour), or when an
    enclosing block watches for the same budget already."""
    stop = budget.stop
    if stop.watching or threading.current_thread() is not threading.main_thread() \
            or not callable(signal.getsignal(signal.SIGINT)):
        yield
        return
    r, w = os.pipe()
    os.set_blocking(w, False)
    previous_fd = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
    previous_handler = signal.getsignal(signal.SIGINT)
    if previous_handler is signal.default_int_handler:
        signal.signal(signal.SIGINT, functools.partial(_on_sigint, stop))
    watcher = threading.Thread(target=_watch, args=(r, previous_fd, stop), name="seamcheck-sigint", daemon=True)
    stop.watching = True
    watcher.start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous_fd)
        if previous_handler is signal.default_int_handler:
            signal.signal(signal.SIGINT, previous_handler)
        stop.watching = False
        os.write(w, bytes([STOP_WATCHING]))
        watcher.join()
        os.close(r)
        os.close(w)


def _on_sigint(stop: Stop, signum: int, frame: object) -> None:
    """Python's handler while an engine runs: KeyboardInterrupt at once, as usual, except during
    a z3 call (which may call back into Python as it unwinds, where an exception would be lost):
    then once the call has returned (`cancellable`). The same inside a finaliser (a z3 object's
    `__del__` run by the garbage collector between calls): Python cannot propagate an exception
    from there, it prints it as "unraisable" and drops it, so the Ctrl-C would be lost; deferred,
    it is raised when the next z3 call returns, and the budget reads expired meanwhile."""
    stop.interrupted = True
    if stop.cancel is None and not _in_finaliser(frame):
        raise KeyboardInterrupt
    stop.deferred = True


def _in_finaliser(frame: object) -> bool:
    """Whether the interrupted code runs inside a `__del__` (a few frames up at most)."""
    f = frame if isinstance(frame, types.FrameType) else None
    for _ in range(8):
        if f is None:
            return False
        if f.f_code.co_name == "__del__":
            return True
        f = f.f_back
    return False


STOP_WATCHING = 0   # no signal has number 0


def _watch(r: int, forward: int, stop: Stop) -> None:
    """The watcher thread: signal numbers arrive as bytes on r (NOTE(interrupt-z3))."""
    while True:
        got = os.read(r, 512)
        signals = bytes(b for b in got if b != STOP_WATCHING)
        if signals and forward >= 0:   # the fd's previous owner (an event loop) still hears of them
            try:
                os.write(forward, signals)
            except OSError:
                pass
        if signal.SIGINT in signals:
            stop.interrupted = True
            cancel = stop.cancel
            if cancel is not None:
                cancel()
        if not got or STOP_WATCHING in got:
            return
