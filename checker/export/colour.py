"""Colour for a terminal: whether to use it (--color, NO_COLOR, a tty) and how to paint a status.

Plain ANSI SGR codes, so the text stays a string that cli.py writes like any other."""

from __future__ import annotations

from collections.abc import Mapping

COLOR_CHOICES = ("auto", "always", "never")
# ok green, not as expected bold red (it must stand out among many ok lines), inconclusive yellow
STATUS_SGR = {"ok": "32", "failed": "1;31", "inconclusive": "33"}


def use_colour(choice: str, is_tty: bool, environ: Mapping[str, str]) -> bool:
    """--color always/never decide; auto colours a terminal unless NO_COLOR is set to anything
    non-empty (https://no-color.org: a command-line flag overrides the variable)."""
    if choice != "auto":
        return choice == "always"
    return is_tty and not environ.get("NO_COLOR")


def paint(text: str, status: str, on: bool) -> str:
    """`text` in the colour of an outcome status (ok | failed | inconclusive), when `on`."""
    return f"\x1b[{STATUS_SGR[status]}m{text}\x1b[0m" if on and text else text
