"""Issue 14: the vector backend has the reference semantics of exact integers (NOTE(int64-exact) in
checker/explicit/vector_expr.py). Values that wrap in int64 (65536**4 is 2**64), literals of 2**63
and more, and variables near or past +-2**63 give the same verdicts, counts and traces with
`--backend vector`, `--backend state` and BMC; and the TDX suite keeps the numpy fast path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import checker.explicit.vector_expr as vx
import cli
from checker.core.budget import Budget
from checker.core.intervals import slot_intervals
from checker.core.verdict import HoldsUpTo, Proved, Violated
from checker.explicit.search import explore
from checker.explicit.vector import unsupported
from checker.explicit.vector_expr import Rows, as_mask, fits_int64, vcompile
from checker.explicit.vector_keys import Packer
from checker.smt import bmc
from model.ir import App, Expr, Ite, Select, TransitionSystem
from model.load import load_spec
from tests.checker.test_vector import agree, summary
from tests.gen_ir import systems

ROOT = Path(__file__).resolve().parents[2]
INT64 = ROOT / "tests" / "specs" / "int64"
SPECS = sorted(INT64.glob("*.yaml"))
TDX = ROOT / "specs" / "tdx" / "teardown.yaml"

# spec -> (states, {property: depth of its violation, or None where it holds})
EXPECTED = {
    "wrap_product": (2, {"small": 1, "range": None}),
    "wrap_range": (1, {"range": 1}),
    "wrap_param": (4, {"low": 2, "range": None}),
}


def _load(name: str) -> TransitionSystem:
    [ts] = load_spec(INT64 / f"{name}.yaml")
    return ts


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_vector_state_and_bmc_agree(path: Path) -> None:
    ts = _load(path.stem)
    states, depths = EXPECTED[path.stem]
    r = agree(ts, symmetry=False)       # vector == state: counts, coverage, verdicts, traces
    assert r.states == states and r.complete
    assert summary(agree(ts, symmetry=True)) == summary(r)
    for prop, depth in depths.items():
        v = r.verdict(prop)
        b = bmc.check(ts, prop, Budget(max_depth=depth if depth is not None else r.diameter + 1, seed=0))
        if depth is None:
            assert isinstance(v, Proved) and isinstance(b, HoldsUpTo), (prop, v, b)
        else:
            assert isinstance(v, Violated) and isinstance(b, Violated), (prop, v, b)
            assert v.trace.depth == b.trace.depth == depth
            assert v.trace.actions == b.trace.actions
            assert [tuple(map(int, s)) for s in v.trace.states] == [tuple(map(int, s)) for s in b.trace.states]


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_the_command_line_gives_one_answer(path: Path) -> None:
    # the issue's reproduction: `check` said proved (exit 0) with the default backend
    out = {}
    for backend in ("auto", "vector", "state"):
        r = CliRunner().invoke(cli.main, ["check", str(path), "--backend", backend, "--json"],
                               catch_exceptions=False)
        out[backend] = (r.exit_code, _without_timings(r.stdout))
    assert out["auto"] == out["vector"] == out["state"]
    assert out["state"][0] == (0 if path.stem in ("wrap_product", "wrap_param") else 1)


def _without_timings(text: str) -> str:
    import json
    import re
    data = json.loads(text)
    return re.sub(r'"(elapsed_s|states_per_s|rss_mb|time_s)": [0-9.e+-]+', "", json.dumps(data, sort_keys=True))


def test_specs_stay_on_the_vector_backend() -> None:
    """Specs whose stored values fit int64 (all that load: NOTE(int64)) never leave the fast
    path; generated IR past the edge does (test_generated_systems_at_the_int64_edge)."""
    assert [p.stem for p in SPECS if unsupported(_load(p.stem)) is not None] == []


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "specs" / "int64_rejected").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_literals_and_ranges_past_int64_are_located_errors(path: Path) -> None:
    """A literal or a variable's range beyond int64 is refused by the front end (SC317, exit 2),
    never a crash of the backend."""
    r = CliRunner().invoke(cli.main, ["check", str(path)], catch_exceptions=False)
    assert r.exit_code == 2 and "error[SC317]" in r.stderr and "Traceback" not in r.stderr


def test_the_issue_expression_is_exact() -> None:
    ts = _load("wrap_product")
    slots = slot_intervals(ts)
    pred = ts.prop("small").pred
    assert pred is not None
    rows = Rows(np.array([[0, 0], [65536, 0], [5, 0], [6, 0]], dtype=np.int64))
    assert as_mask(vcompile(pred, slots)(rows), 4).tolist() == [True, False, True, False]


def test_a_huge_update_is_computed_with_python_ints() -> None:
    ts = _load("wrap_range")
    [(slot, e)] = [u for u in ts.actions[0].updates if ts.vars[u[0]].name == "a"]
    slots = slot_intervals(ts)
    assert not fits_int64(e, slots)
    got = vcompile(e, slots)(Rows(np.array([[0, 65536, 0], [0, 3, 0]], dtype=np.int64)))
    assert got.dtype == object and got.tolist() == [2**64, 81]


def test_the_tdx_suite_stays_on_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[object] = []
    exact = vx._exact
    monkeypatch.setattr(vx, "_exact", lambda e, wide: used.append(e) or exact(e, wide))
    [ts] = load_spec(TDX, ("V=3", "P=3"), "v6_16")
    assert unsupported(ts) is None
    safety = [p.name for p in ts.properties if not p.temporal]
    explore(ts, safety, Budget(max_states=2_000), backend="vector")
    assert used == []
    for path in sorted((ROOT / "specs" / "examples").glob("*.yaml")):
        for t in load_spec(path):
            explore(t, [p.name for p in t.properties if not p.temporal], Budget(max_states=500), backend="vector")
    assert used == []


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(-(2**63) + 1, 2**63 - 1), st.integers(1, 6)), min_size=1, max_size=14),
       st.integers(0, 2**32))
def test_keys_are_exact_near_the_int64_edge(doms: list[tuple[int, int]], seed: int) -> None:
    # lowest values anywhere in int64: the folded form would wrap, the exact one must not
    domains = [(min(lo, 2**63 - 1 - size), size) for lo, size in doms] * 3
    rng = np.random.default_rng(seed)
    rows = np.stack([lo + rng.integers(0, s, size=300) for lo, s in domains], axis=1)
    rows[150:] = rows[:150]
    keys = Packer(domains).keys(rows)
    assert len(set(keys.tolist())) == len({tuple(r) for r in rows.tolist()})
    assert int(keys.max()) < 2**62 and int(keys.min()) >= 0


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(systems(edge=True), st.sampled_from([None, 3, 40]))
def test_generated_systems_at_the_int64_edge(ts: TransitionSystem, cap: int | None) -> None:
    slots = slot_intervals(ts)
    exprs = [*(e for a in ts.actions for e in (a.guard, *(u for _, u in a.updates))),
             *(e for p in ts.properties for e in (p.pred, *(b for _, b in p.bad)) if e is not None)]
    event("states past int64: one-state search" if unsupported(ts) else
          "a value past int64: exact path" if any(not fits_int64(x, slots) for e in exprs for x in _subexprs(e))
          else "int64 throughout")
    agree(ts, False, Budget(max_states=cap if cap is not None else 3_000))


def _subexprs(e: Expr) -> list[Expr]:
    if isinstance(e, Select):
        return [e, *_subexprs(e.index)]
    if isinstance(e, Ite):
        return [e, *_subexprs(e.cond), *_subexprs(e.then), *_subexprs(e.other)]
    if isinstance(e, App):
        return [e, *(x for a in e.args for x in _subexprs(a))]
    return [e]
