"""Bounded model checking (see checker/smt/bmc.py): shortest counterexamples, never a proof."""

from __future__ import annotations

from checker.smt.bmc import check

__all__ = ["check"]
