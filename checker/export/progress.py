"""The progress line on a terminal: a rich status fed by Budget.on_progress.

cli.py owns the stream and passes it in (only cli.py decides what is printed where), and shows
the line only when that stream is a terminal, never in piped output or under --json.

The line says which instance runs (and how many there are), which phase of its check
(safety search, liveness search, BMC depth k, k-induction k, PDR), the states and states/s of
an explicit search, and the time since the instance started. rich redraws it several times a
second from `text()`, so the clock keeps moving while an engine reports nothing (a long z3
call, PDR); the run module announces each phase as it starts (checker/run/engines.py).

NOTE(eta): an ETA is shown only where a bound makes one honest: `--max-states` at the current
rate ("state limit in ~N s") and `--timeout` ("timeout in N s"). Without them no ETA is shown:
the number of reachable states is unknown until the search ends, and the cost of a BMC depth
or an induction step grows by an unknown factor from one to the next.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from checker.core.budget import Progress

if TYPE_CHECKING:
    from rich.text import Text

# the phase of a check by the engine name in its Progress (after "auto:" or "portfolio:")
SEARCHES = {"explicit": "explicit search", "explicit safety": "safety search",
            "explicit liveness": "liveness search"}


@dataclass(frozen=True)
class Bounds:
    """The run's limits that the line can show progress against (RunOptions' values)."""

    depth: int | None = None            # BMC / k-induction bound
    max_states: int | None = None
    timeout_s: float | None = None      # per instance


def phase_text(p: Progress, depth_bound: int | None = None) -> str:
    """What the engine behind `p` is doing, in words."""
    engine = p.engine.rpartition(":")[2]
    of = f"/{depth_bound}" if depth_bound is not None else ""
    if engine in SEARCHES:
        return SEARCHES[engine]
    if engine.startswith("bmc"):
        return f"BMC depth {p.depth}{of}" + (" (lassos)" if engine != "bmc" else "")
    if engine.startswith("kind"):
        return f"k-induction k={p.depth}{of}"
    if engine.startswith("pdr"):
        return "PDR (z3 Spacer)" if p.depth == 0 else f"PDR: BMC for its trace, depth {p.depth}"
    return engine


def search_text(p: Progress) -> str:
    """An explicit search's counts and rate (empty before its first report)."""
    if p.states == 0:
        return ""
    rate = f", {p.states / p.elapsed_s:,.0f} states/s" if p.elapsed_s > 0 else ""
    return f", {p.states:,} states, depth {p.depth}{rate}"


def eta_text(p: Progress, bounds: Bounds, elapsed_s: float) -> str:
    """NOTE(eta): only against a limit the run has."""
    parts = []
    searching = p.engine.rpartition(":")[2] in SEARCHES
    if bounds.max_states is not None and searching and p.states and p.elapsed_s > 0:
        left = max(bounds.max_states - p.states, 0) / (p.states / p.elapsed_s)
        parts.append(f"state limit in ~{left:,.0f} s")
    if bounds.timeout_s is not None:
        parts.append(f"timeout in {max(bounds.timeout_s - elapsed_s, 0):,.0f} s")
    return "".join(f", {x}" for x in parts)


class ProgressLine:
    """A rich live line on `stream`; draws nothing when disabled (it still keeps its state)."""

    def __init__(self, enabled: bool, stream: TextIO | None = None, bounds: Bounds | None = None,
                 clock: Callable[[], float] = time.monotonic, stdout_shared: bool = False):
        self.enabled = enabled
        self.stream = stream
        self.stdout_shared = stdout_shared     # stdout is a terminal too: its lines go above the line
        self.bounds = bounds or Bounds()
        self.clock = clock
        self.what = ""
        self.last: Progress | None = None
        self.started = clock()
        self._status: object | None = None

    def __enter__(self) -> ProgressLine:
        if self.enabled:
            from rich.console import Console
            from rich.live import Live
            from rich.spinner import Spinner
            # stdout is redirected through the line's console only when it is a terminal: piped
            # or written to a file, it must get every result, none of them on stderr
            # (soft_wrap: the lines written above the progress line keep their length, as without it)
            console = Console(file=self.stream, soft_wrap=True)
            live = Live(Spinner("dots", text=self), console=console, refresh_per_second=8, transient=True,
                        redirect_stdout=self.stdout_shared, redirect_stderr=True)
            live.start()
            self._status = live
        return self

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.stop()  # type: ignore[attr-defined]

    def label(self, what: str, index: int | None = None, total: int | None = None) -> None:
        """A new instance starts (index counts from 1 of total)."""
        count = f"[{index}/{total}] " if index is not None and total is not None and total > 1 else ""
        self.what = count + what
        self.last = None
        self.started = self.clock()

    def __call__(self, p: Progress) -> None:
        self.last = p

    def text(self) -> str:
        elapsed = self.clock() - self.started
        p = self.last
        if p is None:
            return f"checking {self.what}, {elapsed:.0f} s" if self.what else "seamcheck: starting"
        return (f"{self.what}: {phase_text(p, self.bounds.depth)}{search_text(p)}, {elapsed:.0f} s"
                + eta_text(p, self.bounds, elapsed))

    def __rich__(self) -> Text:
        from rich.text import Text  # plain text: "[variant]" must not read as rich markup
        return Text(self.text(), no_wrap=True, overflow="ellipsis")   # one line, whatever the width
