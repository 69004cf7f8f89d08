"""Issue 20: classic locks written as a new user would, with no `lemmas:` (bench/specs/), are
proved by k-induction alone: plain k-induction fails on the mutual-exclusion properties, and the
mined lemmas (NOTE(mined-lemmas), NOTE(cube-mining)) close them. The lemmas, printed as
`lemmas:` entries and pasted into the spec, load and prove it without mining. Bounded by z3's
rlimit per call, never by a clock, so the verdicts are the same on an idle and a loaded
machine. Small sizes here (a few seconds each); bench/smt.py measures the benchmark sizes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.core.budget import Budget
from checker.core.verdict import Proved, Unknown
from checker.explicit.search import explore
from checker.smt import kind
from model.load import load_spec, load_text

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "specs"
BUDGET = Budget(max_depth=4, rlimit=20_000_000, seed=0)
CASES = [("ticket.yaml", ("N=2", "M=3")), ("filter.yaml", ("N=2",)), ("mcs.yaml", ("N=2",))]


@pytest.mark.slow
@pytest.mark.parametrize(("spec", "params"), CASES, ids=[c[0] for c in CASES])
def test_a_lock_without_lemmas_is_proved_by_mined_ones(spec: str, params: tuple[str, ...]) -> None:
    kind._MINED.clear()
    [ts] = load_spec(BENCH / spec, params)
    plain = kind.check(ts, "mutex", BUDGET, mine=False)
    assert isinstance(plain, Unknown) and plain.reason.startswith("induction failed"), plain
    holding = [p.name for p in ts.properties if not p.temporal and p.expect != "violated"]
    r = explore(ts)
    for name in holding:
        assert isinstance(r.verdict(name), Proved), name
        v = kind.check(ts, name, BUDGET)
        assert isinstance(v, Proved), (name, v)


@pytest.mark.slow
def test_pasted_lemmas_of_a_lock_load_and_prove_it_without_mining() -> None:
    kind._MINED.clear()
    path = BENCH / "ticket.yaml"
    [ts] = load_spec(path, ("N=2", "M=3"))
    v = kind.check(ts, "mutex", BUDGET)
    assert isinstance(v, Proved) and v.invariant is not None
    entries = v.invariant.splitlines()
    text = path.read_text() + "lemmas:\n" + "".join(f"  {line}\n" for line in entries)
    [pasted] = load_text(text, "ticket.yaml", ("N=2", "M=3"))
    assert len(pasted.lemmas) == len(entries) == dict(v.provenance.stats)["mined"]
    again = kind.check(pasted, "mutex", BUDGET, mine=False)
    assert isinstance(again, Proved) and again.detail == "k-induction, k=0", again
