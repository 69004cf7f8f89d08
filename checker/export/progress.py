"""The progress line on a terminal: a rich status fed by Budget.on_progress.

cli.py owns the stream and passes it in (only cli.py decides what is printed where)."""

from __future__ import annotations

from typing import TextIO

from checker.core.budget import Progress


def progress_text(what: str, p: Progress) -> str:
    return (f"{what}: {p.engine} {p.states:,} states, frontier {p.frontier:,}, depth {p.depth}, "
            f"{p.elapsed_s:.0f} s")


class ProgressLine:
    """A rich status line on `stream`; does nothing when disabled."""

    def __init__(self, enabled: bool, stream: TextIO | None = None):
        self.enabled = enabled
        self.stream = stream
        self.what = ""
        self._status: object | None = None

    def __enter__(self) -> ProgressLine:
        if self.enabled:
            from rich.console import Console
            status = Console(file=self.stream).status("seamcheck: starting")
            status.start()
            self._status = status
        return self

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.stop()  # type: ignore[attr-defined]

    def label(self, what: str) -> None:
        from rich.markup import escape  # "[variant]" must not read as rich markup
        self.what = what
        if self._status is not None:
            self._status.update(escape(f"checking {what}"))  # type: ignore[attr-defined]

    def __call__(self, p: Progress) -> None:
        from rich.markup import escape
        if self._status is not None:
            self._status.update(escape(progress_text(self.what, p)))  # type: ignore[attr-defined]
