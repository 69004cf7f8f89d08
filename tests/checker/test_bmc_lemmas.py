"""BMC asserts the spec's lemmas once proved (NOTE(bmc-lemmas) in checker/smt/base.py): the same
verdicts and shortest depths, and a lemma that is not true is never used."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Violated
from checker.smt import base, bmc
from model.load import load_spec, load_text

TDX = Path(__file__).resolve().parents[2] / "specs" / "tdx" / "teardown.yaml"
# per z3 call (the largest here uses ~3.5M): with no clock, proving the lemmas is never cut short
# by load (bmc.py NOTE(bmc-lemmas)), so whether they are used is the same on every machine
WORK = 50_000_000

# x counts to 14 and then y goes bad; `small_x` is false (x reaches 14), `y_zero_early` is true
COUNTER = """spec: deep
vars:
  x: {type: "0..15", init: 0}
  y: {type: "0..2", init: 0}
machines:
  m:
    states: [run]
    init: run
    transitions:
      inc:
        guard: "x < 14"
        effect: {x: "x + 1"}
      bad:
        guard: "x == 14 and y == 0"
        effect: {y: 1}
properties:
  y_stays_0: {invariant: "y == 0", expect: violated}
lemmas:
  LEMMA
"""


@pytest.mark.parametrize("lemma,used", [('y_zero_early: {invariant: "x < 14 => y == 0"}', 1),
                                         ('small_x: {invariant: "x < 5"}', 0)])
def test_deep_violation_found_with_true_lemmas_and_despite_false_ones(lemma: str, used: int,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "LEMMA_DEPTH", 3)
    [ts] = load_text(COUNTER.replace("LEMMA", lemma), "deep.yaml", (), None)
    v = bmc.check(ts, "y_stays_0", Budget(max_depth=20, rlimit=WORK))
    assert isinstance(v, Violated) and v.trace.depth == 15
    assert dict(v.provenance.stats).get("lemmas", 0) == used


@pytest.mark.parametrize("variant", ["v19", "mut_skip_migration_flush"])
def test_tdx_same_depths_with_and_without_lemmas(variant: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "LEMMA_DEPTH", 0)   # strengthen from the first query on
    # the plain run has no lemmas at all: none mined either (NOTE(bmc-mining), tests/checker/test_bmc_mining.py)
    monkeypatch.setattr(base, "MINE_AFTER_WORK", 1 << 62)
    [ts] = load_spec(TDX, ("V=2", "P=2"), variant=variant)
    bad = [p.name for p in ts.properties if p.expect == "violated" and not p.temporal]
    budget = Budget(max_depth=30, rlimit=WORK)
    got = bmc.check_all(ts, [*bad, "S1"], budget)
    plain = bmc.check_all(replace(ts, lemmas=()), [*bad, "S1"], budget)
    assert [(v.prop, v.trace.depth if isinstance(v, Violated) else None) for v in got] == \
           [(v.prop, v.trace.depth if isinstance(v, Violated) else None) for v in plain]
    assert all(dict(v.provenance.stats)["lemmas"] == len(ts.lemmas) for v in got)
    assert isinstance(got[-1], HoldsUpTo) and got[-1].depth == 30
