"""A fair transition whose step writes out of range (NOTE(range-fairness) in
checker/core/semantics.py): enabled where its guard holds, with no edge in the state graph.

Every engine and strategy on the issue's reproducer (tests/specs/rangelive.yaml: the explicit
liveness search used to return a stutter lasso there that replay rejects, exit 4) and on
tests/specs/rangefair.yaml (the fair transition under none / weak / strong per-transition
fairness, enabled always or only every other state), with exact verdicts; every counterexample
goes through run_instance, which replays it (NOTE(replay-first)).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Verdict, Violated, kind_of
from checker.explicit.search import explore
from checker.run.runner import RunOptions, run_instance
from checker.smt import bmc
from checker.traces.replay import validate
from model.load import load_spec, load_text

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "tests" / "specs"
REPRO = SPECS / "rangelive.yaml"
FAIR = SPECS / "rangefair.yaml"
DEPTH = 8
# (engine, explicit backend) for every engine that checks liveness itself
ENGINES = [("explicit", "state"), ("explicit", "vector"), ("explicit", "auto"), ("bmc", "auto"),
           ("auto", "auto")]


def _shape(v: Verdict) -> tuple[str, str, object]:
    """kind, engine, and the trace's (depth, loop) or the bound of a bounded verdict."""
    if isinstance(v, Violated):
        return kind_of(v), v.provenance.engine, (v.trace.depth, v.trace.loop)
    return kind_of(v), v.provenance.engine, v.depth if isinstance(v, HoldsUpTo) else None


def _run(path: Path, variant: str | None, engine: str, backend: str) -> dict[str, tuple[str, str, object]]:
    [ts] = load_spec(path, variant=variant)
    names = [p.name for p in ts.properties]
    got = run_instance(ts, names, RunOptions(engine=engine, backend=backend, depth=DEPTH))
    for v in got.verdicts:
        if isinstance(v, Violated):   # run_instance replayed it already; say so here too
            validate(ts, v.trace, v.prop)
    return {v.prop: _shape(v) for v in got.verdicts}


def _want(engine: str, live: str | tuple[int, int], safe: dict[str, int | None]) -> dict[str, tuple[str, str, object]]:
    """The expected verdicts: `live` is "holds" or a lasso's (depth, loop) for the temporal
    properties; `safe` the depth of each safety property's violation (None: holds)."""
    name = {"explicit": "explicit", "bmc": "bmc", "auto": "auto:explicit"}[engine]
    held = ("holds-up-to", name, DEPTH) if engine == "bmc" else ("proved", name, None)
    out: dict[str, tuple[str, str, object]] = {}
    for p, d in safe.items():
        out[p] = held if d is None else ("violated", name, (d, None))
    lasso = name + "-lasso" if engine == "bmc" else name
    held_live = ("holds-up-to", lasso, DEPTH) if engine == "bmc" else held
    return {"live": held_live if live == "holds" else ("violated", lasso, live), **out}


@pytest.mark.parametrize(("engine", "backend"), ENGINES)
def test_reproducer_every_engine(engine: str, backend: str) -> None:
    got = _run(REPRO, None, engine, backend)
    # by hand: x = 0 -> 1 -> (2: out of range). The state x = 1 has inc enabled (its guard holds),
    # so it neither deadlocks nor stutters; every behaviour ends in the range error, so no fair
    # infinite behaviour misses `done`.
    want = _want(engine, "holds", {"deadlock": None, "range": 2})
    assert got == {"ends": want["live"], "deadlock": want["deadlock"], "range": want["range"]}


@pytest.mark.parametrize("fair", ["weak", "strong"])
def test_reproducer_machine_fairness_weak_and_strong(fair: str) -> None:
    [ts] = load_text(REPRO.read_text().replace("fair: weak", f"fair: {fair}"))
    r = explore(ts)
    assert (kind_of(r.verdict("ends")), kind_of(r.verdict("deadlock"))) == ("proved", "proved")
    v = bmc.check(ts, "ends", Budget(max_depth=DEPTH))
    assert isinstance(v, HoldsUpTo) and v.depth == DEPTH


def test_reproducer_without_fairness_stutters_nowhere() -> None:
    # no fairness: still no lasso, since x = 1 may not stutter (inc is enabled there) and
    # x = 0 -> 1 is no cycle; the range error ends every behaviour
    [ts] = load_text(REPRO.read_text().replace(" fair: weak,", ""))
    assert kind_of(explore(ts).verdict("ends")) == "proved"
    assert isinstance(bmc.check(ts, "ends", Budget(max_depth=DEPTH)), HoldsUpTo)


# variant -> the temporal properties' verdict ("holds" or a lasso's (depth, loop) per property)
# and the depth of the range violation. By hand: the spinner toggles y forever (unfair);
# m.overflow (x := x + 2, always out of range) is enabled always or only where y == 1.
FAIR_CASES = {
    "unfair": ({"ends": (2, 0), "answers": (3, 1)}, 1),          # the spin loop is a violation
    "weak": ("holds", 1),                  # overflow enabled throughout the spin loop: forced
    "weak_sometimes": ({"ends": (2, 0), "answers": (3, 1)}, 2),  # enabled every other state
    "strong": ("holds", 1),
    "strong_sometimes": ("holds", 2),      # enabled infinitely often on the loop: forced
}


@pytest.mark.parametrize(("engine", "backend"), ENGINES)
@pytest.mark.parametrize("variant", list(FAIR_CASES))
def test_per_transition_fairness_variants(variant: str, engine: str, backend: str) -> None:
    live, range_depth = FAIR_CASES[variant]
    got = _run(FAIR, variant, engine, backend)
    for prop in ("ends", "answers"):
        want = _want(engine, live if live == "holds" else live[prop], {"deadlock": None,
                                                                       "range": range_depth})
        assert got[prop] == want["live"], prop
        assert (got["deadlock"], got["range"]) == (want["deadlock"], want["range"])


def test_cli_reproducer_exits_1_not_4(golden, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)   # display paths are relative to the working directory
    runner = CliRunner()
    out = []
    for engine in ("explicit", "bmc", "auto"):
        r = runner.invoke(cli.main, ["check", "tests/specs/rangelive.yaml", "--engine", engine],
                          catch_exceptions=False)
        assert r.exit_code == 1, (engine, r.output)
        out.append(f"$ seamcheck check tests/specs/rangelive.yaml --engine {engine}\n{r.stdout}")
    golden("cli/check_rangelive.txt", "\n".join(out))
