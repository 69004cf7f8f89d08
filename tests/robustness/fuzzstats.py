"""How many inputs each fuzz target tried in this session (written out by conftest.py)."""

from __future__ import annotations

from collections import Counter

TRIED: Counter[str] = Counter()
