"""Bounded model checking (see checker/smt/bmc.py): shortest counterexamples (lassos for temporal
properties), never a proof. `check_all` shares one unrolling among the properties of an instance."""

from __future__ import annotations

from checker.smt.bmc import check, check_all

__all__ = ["check", "check_all"]
