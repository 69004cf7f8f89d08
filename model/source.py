"""Source files and spans: every diagnostic and every IR node can point back at spec text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A region of a source file; lines and columns are 1-based, end is exclusive."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def shifted(self, line0: int, col0: int) -> Span:
        """Map a span inside an expression string to the file, given where the string starts.

        line0/col0 are the 1-based position of the first character of the string.
        """
        col = self.col + col0 - 1 if self.line == 1 else self.col
        end_col = self.end_col + col0 - 1 if self.end_line == 1 else self.end_col
        return Span(self.file, self.line + line0 - 1, col, self.end_line + line0 - 1, end_col)


@dataclass(frozen=True)
class SourceFile:
    """The text of one spec file with its display path."""

    path: str
    text: str

    def line(self, n: int) -> str:
        """Return line n (1-based) without its newline, or '' if out of range."""
        lines = self.text.splitlines()
        return lines[n - 1] if 1 <= n <= len(lines) else ""
