"""Counted nouns in user-facing text: "1 property", "2 properties" (never "1 properties")."""

from __future__ import annotations


def plural(n: int, one: str, many: str | None = None) -> str:
    """`n` and the noun, singular for exactly one; `many` for irregular plurals."""
    return f"{n} {one if n == 1 else (many or one + 's')}"
