"""Global transitions (top-level `transitions:`, NOTE(global-transitions) in model/syntax.py):
actions of no machine, with no control-state slot and labels without a machine prefix."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.core.verdict import Proved, Violated
from checker.explicit.search import explore
from checker.run.runner import RunOptions, run_instance
from checker.traces.context import contexts
from cli import main
from model.diagnostics import SpecError
from model.load import load_spec, load_text

HANOI = Path(__file__).resolve().parent.parent / "specs" / "hanoi.yaml"


@pytest.mark.parametrize(("disks", "moves", "states"), [(1, 1, 3), (3, 7, 27), (4, 15, 81)])
def test_hanoi_shortest_solution_has_2_to_the_d_minus_1_moves(disks: int, moves: int, states: int) -> None:
    [ts] = load_spec(HANOI, (f"D={disks}",))
    assert [v.name for v in ts.vars] == [f"peg[{d}]" for d in range(disks)]   # no pc slot
    assert ts.machines[0].name == "(global)" and ts.machines[0].pc_slots == ()
    r = explore(ts)
    v = r.verdict("solved")
    assert isinstance(v, Violated) and v.trace.depth == moves
    assert (r.states, isinstance(r.verdict("deadlock"), Proved)) == (states, True)
    assert v.trace.labels(ts)[0] == ("move(d=0, to=2)" if disks % 2 else "move(d=0, to=1)")
    assert contexts(ts, v.trace) == ["(global)"]


def test_bmc_finds_the_same_shortest_solution() -> None:
    [ts] = load_spec(HANOI)
    got = run_instance(ts, ["solved"], RunOptions(engine="bmc", depth=8))
    [v] = got.verdicts
    assert isinstance(v, Violated) and v.trace.depth == 7


MIXED = """
spec: mixed
vars:
  tokens: {type: "0..2", init: 0}
transitions:
  mint:
    guard: "tokens < 2"
    effect: {tokens: "tokens + 1"}
    fair: weak
  burn:
    guard: "tokens > 0"
    effect: {tokens: "tokens - 1"}
machines:
  user:
    states: [waiting, done]
    init: waiting
    terminal: [done]
    transitions:
      spend: {from: waiting, to: done, guard: "tokens > 0", effect: {tokens: "tokens - 1"}}
properties:
  only_mint_grows:
    on: [mint]
    step: "post(tokens) == tokens + 1"
  served:
    eventually: "user.pc == done"
"""


def test_global_and_machine_transitions_together() -> None:
    [ts] = load_text(MIXED, "mixed.yaml")
    assert [a.label.render() for a in ts.actions] == ["mint()", "burn()", "user.spend()"]
    assert [a.label.qualified for a in ts.actions] == ["mint", "burn", "user.spend"]
    assert [a.fair for a in ts.actions] == ["weak", None, None]
    r = explore(ts)
    assert {v.prop: type(v).__name__ for v in r.verdicts} == {
        "only_mint_grows": "Proved", "served": "Violated", "deadlock": "Proved", "range": "Proved"}
    # mint is weakly fair, user.spend is not: mint and burn may take turns forever
    served = r.verdict("served")
    assert isinstance(served, Violated) and served.trace.labels(ts) == ("mint()", "burn()")
    assert served.trace.loop == 0


def test_on_names_a_global_transition_by_its_bare_name() -> None:
    with pytest.raises(SpecError) as e:
        load_text(MIXED.replace("on: [mint]", "on: [mnt]"), "mixed.yaml")
    [d] = e.value.diagnostics
    assert (d.code, d.message, d.notes) == ("SC201", "property 'only_mint_grows': unknown transition 'mnt'",
                                           ("did you mean 'mint'?",))


def test_mutate_names_a_global_transition_by_its_bare_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HANOI.parent.parent)
    r = CliRunner().invoke(main, ["mutate", "specs/hanoi.yaml", "-p", "D=2"])
    lines = [x.split("  (")[0].split(None, 1) for x in r.stdout.splitlines()[2:7]]
    assert lines == [["needed", "move: transition removed"],
                     ["unneeded", "move: guard `peg[d] != to` -> true"],
                     ["unneeded", "move: guard `top(d, peg[d])` -> true"],
                     ["unneeded", "move: guard `free(d, to)` -> true"],
                     ["unneeded", "move: write `peg[d]` removed"]], r.output
