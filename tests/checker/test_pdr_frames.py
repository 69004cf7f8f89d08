"""PDR's budget per frame and its BMC phase (NOTE(pdr-frames) in checker/smt/pdr.py): a
violation found after Spacer spent its budget is a shortest one, named `pdr:bmc`; a property
that Spacer could not prove is never reported proved."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.core.budget import Budget
from checker.core.outcome import describe
from checker.core.verdict import Proved, Unknown, Violated
from checker.smt import pdr
from model.load import load_spec

ROOT = Path(__file__).resolve().parents[2]
WORK = 50_000_000


def _peterson(variant: str):  # type: ignore[no-untyped-def]
    return next(t for t in load_spec(ROOT / "specs/examples/peterson.yaml") if t.variant == variant)


def test_spacer_within_its_budget_per_frame_proves() -> None:
    """The default budget per frame is ample for the small protocols Spacer proves."""
    v = pdr.check(_peterson("peterson"), "mutex", Budget(rlimit=WORK))
    assert isinstance(v, Proved) and v.provenance.engine == "pdr"


def test_bmc_phase_finds_the_shortest_violation(monkeypatch: pytest.MonkeyPatch) -> None:
    """A budget per frame too small for any frame: the BMC phase finds turn_first's 6 steps."""
    monkeypatch.setattr(pdr, "FRAME_WORK", 1)
    v = pdr.check(_peterson("turn_first"), "mutex", Budget(max_depth=30, rlimit=WORK))
    assert isinstance(v, Violated) and v.trace.depth == 6
    assert describe(v) == "VIOLATED at depth 6 (pdr:bmc)"


def test_no_proof_after_the_budget_is_spent(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same budget on a holding property: Unknown, saying what the BMC phase established."""
    monkeypatch.setattr(pdr, "FRAME_WORK", 1)
    v = pdr.check(_peterson("peterson"), "mutex", Budget(max_depth=12, rlimit=WORK))
    assert isinstance(v, Unknown) and v.depth_reached == 12
    assert v.reason == ("Spacer stopped within 16 frames (its budget per frame); "
                        "its BMC phase: none to depth 12")


@pytest.mark.slow
def test_long_counterexample_of_the_filter_lock() -> None:
    """Issue 20: the filter lock's 23-step bug (bench/specs/filter_bug.yaml), which Spacer does
    not find, is found by the BMC phase, shortest."""
    [ts] = load_spec(ROOT / "bench/specs/filter_bug.yaml")
    v = pdr.check(ts, "mutex", Budget(max_depth=30, rlimit=WORK))
    assert isinstance(v, Violated) and v.trace.depth == 23 and v.provenance.engine == "pdr:bmc"
