"""One place for limits. Every engine takes a Budget; exhausting it yields Unknown, never a pass."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

# NOTE(interrupt): Ctrl-C ends the run, not the program. Whoever sees the first SIGINT (an engine
# catching KeyboardInterrupt, z3 reporting a canceled query, the run module) calls interrupt();
# from then on every budget counts as spent, so the engine running stops at its next check and
# every phase, engine and instance still to come stops at once with Unknown (INTERRUPTED). What
# was decided before is kept and printed, and the run exits 3. Worker processes ignore SIGINT:
# the parent stops them (checker/run/parallel.py). Process-wide, like the signal itself.
INTERRUPTED = "interrupted (SIGINT)"
_INTERRUPT = threading.Event()


def interrupt() -> None:
    _INTERRUPT.set()


def interrupted() -> bool:
    return _INTERRUPT.is_set()


def clear_interrupt() -> None:
    """For a new run in the same process (tests)."""
    _INTERRUPT.clear()


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




# NOTE(timeout-share): --timeout bounds the check of one instance (a spec at one variant and
# parameter assignment) with every property of it, for every engine, as a TLC or Apalache run is
# bounded as a whole: the explicit search decides them all in one search anyway, and the SMT
# engines (bmc, kind, pdr, the portfolio, auto's symbolic phase) give each property still open a
# fair share of what is left (`Budget.share`): the time left divided by the number of open
# properties. A property that finishes early leaves its unused time to those after it; one that
# needs more stops at its share (`timeout after 6.7 s (its share of 20.0 s)`), so one hard
# property never starves the rest, and the instance ends within its timeout. Work done once for
# every property is charged to the instance: k-induction mines lemmas for all the safety
# properties at once (checker/smt/kind.py), in a share of the instance's time left, and the
# property that asked gets that time back on its own deadline. Before, kind and
# pdr gave every property the whole timeout (two properties with --timeout 20 ran 40.7 s).


class Stop:
    """What a budget and every copy of it share (dataclasses.replace keeps the object): how to
    cancel the solver call running now. Whether a Ctrl-C ended the run is the process-wide flag
    of NOTE(interrupt) (`interrupted`), so every later check of the run ends at once too.
    NOTE(interrupt-z3) in checker/smt/solver.py; no z3 here (only checker/smt imports it)."""

    def __init__(self) -> None:
        self.cancel: Callable[[], None] | None = None   # set only while a solver call runs
        self.watching = False                            # a SIGINT watcher is running for it
        self.deferred = False                            # KeyboardInterrupt due once the call returns

    @property
    def interrupted(self) -> bool:
        return interrupted()

    @interrupted.setter
    def interrupted(self, value: bool) -> None:
        if value:
            interrupt()


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
    # explicit search: explore only states at most this many steps from an initial state
    # (BFS levels 0..explicit_depth); None: unbounded. NOTE(explicit-depth) in checker/explicit/search.py
    explicit_depth: int | None = None
    max_memory_mb: int | None = None      # explicit search memory guard (RSS)
    seed: int = 0
    on_progress: Callable[[Progress], None] = field(default=_no_progress, compare=False)
    # a monotonic deadline computed once when the check starts; see start()
    deadline: float | None = field(default=None, compare=False)
    stop: Stop = field(default_factory=Stop, compare=False, repr=False)
    # a fair share's whole: the --timeout it was cut from (NOTE(timeout-share)), for the reason
    whole_s: float | None = field(default=None, compare=False)
    # a fair share's instance deadline: work shared by every property (kind's lemma mining) is
    # charged to the instance, not to the share (NOTE(timeout-share))
    outer: float | None = field(default=None, compare=False)

    def start(self) -> Budget:
        """A copy whose deadline is now + timeout_s (engines call this once on entry)."""
        if self.timeout_s is None or self.deadline is not None:
            return self
        return _replace(self, deadline=time.monotonic() + self.timeout_s)

    def expired(self) -> bool:
        """No more work may start: the deadline has passed, or a Ctrl-C ended the run."""
        return interrupted() or (self.deadline is not None and time.monotonic() >= self.deadline)

    def stop_reason(self) -> str:
        """Why an expired budget is spent: Ctrl-C or the clock."""
        if interrupted():
            return INTERRUPTED
        # the instance's whole budget is spent (a share handed out in its last moments reads
        # "0.0 s (its share ...)", which tells the user nothing)
        if self.whole_s is not None and self.outer is not None and (
                self.timeout_s == 0.0 or time.monotonic() >= self.outer):
            return f"timeout after {self.whole_s} s"
        if self.whole_s is not None:
            return f"timeout after {self.timeout_s} s (its share of {self.whole_s} s)"
        return f"timeout after {self.timeout_s} s"

    def share(self, open_: int) -> Budget:
        """NOTE(timeout-share): the fair share of one of `open_` properties still to check: what
        is left, divided evenly; the whole budget when it is untimed or the last one open."""
        left = self.remaining_s()
        if left is None or open_ <= 1 or interrupted():
            return self
        secs = left / open_
        return _replace(self, deadline=time.monotonic() + secs, timeout_s=round(secs, 1),
                        whole_s=self.whole_s if self.whole_s is not None else self.timeout_s,
                        outer=self.outer if self.outer is not None else self.deadline)

    def over_limit(self) -> str | None:
        """Why a search must stop now (interrupt, time, memory), or None."""
        if self.expired():
            return self.stop_reason()
        if self.max_memory_mb is not None and rss_mb() > self.max_memory_mb:
            return f"memory limit {self.max_memory_mb} MiB reached"
        return None

    def remaining_s(self) -> float | None:
        if interrupted():
            return 0.0
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - time.monotonic())


def _replace(b: Budget, **kw: object) -> Budget:
    from dataclasses import replace

    return replace(b, **kw)  # type: ignore[arg-type]


def rss_mb() -> float:
    try:
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    except (ImportError, OSError):  # pragma: no cover - non-POSIX
        return 0.0


@contextmanager
def sigint_ignored() -> Iterator[None]:
    """Processes started inside ignore SIGINT (NOTE(interrupt)): an ignored signal stays ignored
    across exec, and Python installs no KeyboardInterrupt handler where SIGINT is ignored at
    start-up; the process that started them sees Ctrl-C alone and stops them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
