"""One place for limits. Every engine takes a Budget; exhausting it yields Unknown, never a pass."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Progress:
    """A progress report from an engine to whoever wired a callback (only cli.py prints)."""

    engine: str
    states: int = 0
    frontier: int = 0
    depth: int = 0
    elapsed_s: float = 0.0
    query_s: float = 0.0


def _no_progress(p: Progress) -> None:
    return None


INTERRUPTED = "interrupted (SIGINT)"


class Stop:
    """What a budget and every copy of it share (dataclasses.replace keeps the object): whether
    a Ctrl-C ended a check made with it, so that the checks after it end at once instead of
    each waiting for a Ctrl-C of its own, and how to cancel the solver call running now.
    NOTE(interrupt-z3) in checker/smt/solver.py; no z3 here (only checker/smt imports it)."""

    def __init__(self) -> None:
        self.interrupted = False
        self.cancel: Callable[[], None] | None = None   # set only while a solver call runs
        self.watching = False                            # a SIGINT watcher is running for it
        self.deferred = False                            # KeyboardInterrupt due once the call returns


@dataclass(frozen=True)
class Budget:
    timeout_s: float | None = None        # total wall clock for one check
    query_timeout_s: float | None = None  # per SMT query
    # z3's resource limit per solver call (solver checks and Spacer queries): a work bound that
    # does not depend on the machine's load, unlike the timeouts; tests that need the same
    # verdict on an idle and a loaded machine bound their SMT checks by it, never by time
    rlimit: int | None = None
    max_states: int | None = None         # explicit search
    max_depth: int = 30                   # BMC / k-induction bound
    max_memory_mb: int | None = None      # explicit search memory guard (RSS)
    seed: int = 0
    on_progress: Callable[[Progress], None] = field(default=_no_progress, compare=False)
    # a monotonic deadline computed once when the check starts; see start()
    deadline: float | None = field(default=None, compare=False)
    stop: Stop = field(default_factory=Stop, compare=False, repr=False)

    def start(self) -> Budget:
        """A copy whose deadline is now + timeout_s (engines call this once on entry)."""
        if self.timeout_s is None or self.deadline is not None:
            return self
        return _replace(self, deadline=time.monotonic() + self.timeout_s)

    def expired(self) -> bool:
        """No more work may start: the deadline has passed, or a Ctrl-C ended a check made with
        this budget (or a copy of it)."""
        return self.stop.interrupted or (self.deadline is not None and time.monotonic() >= self.deadline)

    def remaining_s(self) -> float | None:
        if self.stop.interrupted:
            return 0.0
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - time.monotonic())


def _replace(b: Budget, **kw: object) -> Budget:
    from dataclasses import replace

    return replace(b, **kw)  # type: ignore[arg-type]
