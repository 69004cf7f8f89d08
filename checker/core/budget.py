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


@dataclass(frozen=True)
class Budget:
    timeout_s: float | None = None        # total wall clock for one check
    query_timeout_s: float | None = None  # per SMT query
    rlimit: int | None = None             # z3 resource limit per query (deterministic work bound)
    max_states: int | None = None         # explicit search
    max_depth: int = 30                   # BMC / k-induction bound
    max_memory_mb: int | None = None      # explicit search memory guard (RSS)
    seed: int = 0
    on_progress: Callable[[Progress], None] = field(default=_no_progress, compare=False)
    # a monotonic deadline computed once when the check starts; see start()
    deadline: float | None = field(default=None, compare=False)

    def start(self) -> Budget:
        """A copy whose deadline is now + timeout_s (engines call this once on entry)."""
        if self.timeout_s is None or self.deadline is not None:
            return self
        return _replace(self, deadline=time.monotonic() + self.timeout_s)

    def expired(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def remaining_s(self) -> float | None:
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
