"""NOTE(auto-depth) in checker/run/auto.py: after a capped explicit search, BMC unrolls at least
one step past the diameter that search reached."""

from __future__ import annotations

from pathlib import Path

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Violated
from checker.explicit.search import explore
from checker.run.auto import auto
from model.load import load_spec, load_text

HANOI = Path(__file__).resolve().parent.parent / "specs" / "hanoi.yaml"


def test_bmc_goes_past_the_capped_search_diameter() -> None:
    [ts] = load_spec(HANOI, ("D=3",))
    capped = explore(ts, ["solved"], Budget(max_states=20))
    assert (capped.complete, capped.diameter) == (False, 7)
    # asked for depth 2, BMC still unrolls to 8 and finds the 7-move solution
    [v] = auto(ts, ["solved"], Budget(max_states=20, max_depth=2)).verdicts
    assert isinstance(v, Violated) and (v.trace.depth, v.provenance.engine) == (7, "auto:bmc")


def test_holds_up_to_names_the_deeper_bound() -> None:
    text = HANOI.read_text() + '  starts_home:\n    eventually: "peg[0] == 0"\n'
    [ts] = load_text(text, "hanoi.yaml", ("D=3",))
    [v] = auto(ts, ["starts_home"], Budget(max_states=20, max_depth=2)).verdicts
    # liveness: no prover after BMC, so the bounded verdict stands, at the deeper bound
    assert isinstance(v, HoldsUpTo) and (v.depth, v.provenance.engine) == (8, "auto:bmc-lasso")
