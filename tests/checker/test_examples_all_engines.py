"""Every engine reproduces the known verdicts of the example specs (safety properties)."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Proved, Unknown, Violated
from checker.explicit.search import explore
from checker.run.runner import check
from model.load import load_spec

SPECS = Path(__file__).resolve().parents[2] / "specs" / "examples"
CASES = [(name, ts.variant) for name in ("counter.yaml", "peterson.yaml", "dining.yaml")
         for ts in load_spec(SPECS / name)]


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_engines_reproduce_example_verdicts(name: str, variant: str | None) -> None:
    [ts] = load_spec(SPECS / name, (), variant)
    truth = explore(ts)
    budget = Budget(rlimit=50_000_000, max_depth=12)   # per z3 call: work, not time, bounds the provers
    for ref in truth.verdicts:
        if ts.prop(ref.prop).temporal:
            continue
        bmc = check(ts, ref.prop, "bmc", budget)
        pdr = check(ts, ref.prop, "pdr", budget)
        if isinstance(ref, Violated):
            assert isinstance(bmc, Violated) and bmc.trace.depth == ref.trace.depth, ref.prop
            assert isinstance(pdr, (Violated, Unknown)), ref.prop
        else:
            assert isinstance(ref, Proved)
            assert isinstance(bmc, HoldsUpTo), ref.prop
            assert isinstance(pdr, Proved), (ref.prop, pdr)
