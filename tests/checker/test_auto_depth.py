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


def _check(*args: str) -> str:
    from click.testing import CliRunner

    import cli
    return CliRunner().invoke(cli.main, ["check", str(HANOI), "-p", "D=5", "--property", "solved", *args]).stdout


def test_bmc_with_a_timeout_and_no_depth_goes_past_the_default_bound() -> None:
    """NOTE(default-depth) in cli.py: Hanoi with 5 disks needs 31 moves, one past the default
    depth 30; with --timeout and no --depth BMC deepens until it finds them. From init
    (`--bmc-prefix 0`): with the explicit prefix (NOTE(explicit-prefix)) Hanoi's 243 states are
    the breadth-first search's, and the deepening is the search's, not the unrolling's."""
    plain = ("--engine", "bmc", "--bmc-prefix", "0")
    assert "holds up to depth 30 (bmc; bounded, not a proof)" in _check(*plain)
    assert "VIOLATED at depth 31 (bmc)" in _check(*plain, "--timeout", "600")
    # a --depth given is the bound, with or without a timeout
    assert "holds up to depth 30 (bmc;" in _check(*plain, "--timeout", "600", "--depth", "30")
    assert "VIOLATED at depth 31 (bmc)" in _check(*plain, "--depth", "31")
    # the same with the prefix, which says what it decided
    assert "VIOLATED at depth 31 (bmc, depths 0-31 by explicit search)" in _check("--engine", "bmc", "--timeout", "600")
    assert "holds up to depth 30 (bmc, depths 0-30 by explicit search; bounded" in _check("--engine", "bmc")
