"""Property families (`for:` on a property, NOTE(families) in model/lower.py): expanded per
instance, one member per value, checked and reported per member by every engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Proved, Unknown, Violated
from checker.explicit.search import explore
from checker.export.result_json import schema_path
from checker.run.engines import run_engine
from checker.run.runner import RunOptions, properties, run_instance, unknown_property
from cli import main
from model.load import load_spec, load_text

SPEC = Path(__file__).resolve().parent.parent / "specs" / "families.yaml"
MEMBERS = [f"{f}[q={i}]" for f in ("crit_owner", "never_crit", "release_own", "progress") for i in range(3)]


def test_members_in_declared_order_named_by_value() -> None:
    [ts] = load_spec(SPEC)
    assert [p.name for p in ts.properties] == [*MEMBERS, "deadlock", "range"]
    p = ts.prop("progress[q=2]")
    assert (p.family, [(a.name, a.value) for a in p.args], p.kind, p.expect) == ("progress", [("q", 2)],
                                                                                 "leads_to", "violated")


def test_family_follows_the_size_parameter() -> None:
    [ts] = load_spec(SPEC, ("N=1",))
    assert [p.name for p in ts.properties if p.family == "never_crit"] == ["never_crit[q=0]"]


def test_family_name_asks_for_every_member() -> None:
    [ts] = load_spec(SPEC)
    assert properties(ts, ["never_crit", "crit_owner[q=1]", "never_crit[q=0]"]) == [
        "never_crit[q=0]", "never_crit[q=1]", "never_crit[q=2]", "crit_owner[q=1]"]
    assert unknown_property(ts, ["never_crit"]) is None
    why = unknown_property(ts, ["never_crt"])
    assert why is not None and why.startswith("spec 'families' has no property 'never_crt' (did you mean 'never_crit'?)")


def test_explicit_verdicts_per_member_without_symmetry() -> None:
    [ts] = load_spec(SPEC)
    run = run_engine(ts, MEMBERS, "explicit", Budget())
    kinds = {v.prop: type(v) for v in run.verdicts}
    assert kinds == {m: Proved if m.startswith(("crit", "release")) else Violated for m in MEMBERS}
    # a member names an element of the symmetric set Proc: the search is not reduced
    assert [(p.states, p.symmetry) for p in run.phases] == [(20, ())]
    for v in run.verdicts:
        if isinstance(v, Violated):
            q = v.prop[-2]
            assert v.trace.depth == (2 if v.prop.startswith("never") else 4)
            if v.prop.startswith("never"):
                assert v.trace.labels(ts) == (f"p[{q}].req()", f"p[{q}].get()")


def test_symmetry_stays_for_properties_of_no_family() -> None:
    [ts] = load_spec(SPEC)
    [phase] = run_engine(ts, ["deadlock"], "explicit", Budget()).phases
    assert (phase.states, phase.symmetry) == (7, ("Proc",))


@pytest.mark.parametrize("engine", ["bmc", "kind"])
def test_smt_engines_check_each_member(engine: str) -> None:
    [ts] = load_spec(SPEC)
    got = run_instance(ts, MEMBERS, RunOptions(engine=engine, depth=6))
    kinds = {v.prop: type(v).__name__ for v in got.verdicts}
    holds = "HoldsUpTo" if engine == "bmc" else "Proved"
    # progress (liveness): a lasso from bmc, and from kind through its liveness-to-safety product
    assert kinds == {m: holds if m.startswith(("crit", "release")) else "Violated" for m in MEMBERS}
    assert {HoldsUpTo, Proved, Unknown, Violated} >= {type(v) for v in got.verdicts}


TWO = """
spec: two
types:
  I: {index: 2}
  Color: [RED, BLUE]
vars:
  c: {type: "I -> Color", init: RED}
machines:
  m:
    states: [s]
    init: s
    transitions:
      paint:
        params: {i: I}
        guard: "c[i] == RED"
        effect: {"c[i]": BLUE}
properties:
  stays:
    for: {i: I, k: Color}
    invariant: "c[i] == k"
    expect: [{when: "k == RED", is: violated}, {is: holds}]
"""


def test_two_variables_and_expectation_reading_them() -> None:
    [ts] = load_text(TWO, "two.yaml")
    members = [p for p in ts.properties if p.family]
    assert [(p.name, p.expect) for p in members] == [
        ("stays[i=0, k=RED]", "violated"), ("stays[i=0, k=BLUE]", "holds"),
        ("stays[i=1, k=RED]", "violated"), ("stays[i=1, k=BLUE]", "holds")]
    r = explore(ts, [p.name for p in members])
    # c[i] starts RED, so `c[i] == BLUE` fails at once and `c[i] == RED` after painting i
    assert [(v.prop, v.trace.depth) for v in r.verdicts if isinstance(v, Violated)] == [
        ("stays[i=0, k=RED]", 1), ("stays[i=0, k=BLUE]", 0), ("stays[i=1, k=RED]", 1), ("stays[i=1, k=BLUE]", 0)]


def test_cli_text_json_and_property_option(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(SPEC.parent.parent)
    r = CliRunner().invoke(main, ["check", "specs/families.yaml", "--property", "never_crit", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    Draft202012Validator(json.loads(Path(schema_path()).read_text())).validate(doc)
    assert [(x["property"], x["family"]) for x in doc["results"]] == [
        (f"never_crit[q={i}]", {"name": "never_crit", "args": {"q": i}}) for i in range(3)]
    r = CliRunner().invoke(main, ["check", "specs/families.yaml", "--property", "release_own[q=1]"])
    assert r.exit_code == 0 and "ok   release_own[q=1]  proved (explicit" in r.stdout, r.output
