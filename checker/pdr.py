"""PDR/IC3 via z3 Spacer with re-checked, printed invariants (see checker/smt/pdr.py)."""

from __future__ import annotations

from checker.smt.pdr import check

__all__ = ["check"]
