"""k-induction with simple-path constraints and lemmas (see checker/smt/kind.py)."""

from __future__ import annotations

from checker.smt.kind import check

__all__ = ["check"]
