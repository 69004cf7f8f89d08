"""Small control features of issue 19: an enum param value named `none` in expressions, and
`symmetric:` given by an expression over params."""

from __future__ import annotations

import pytest

from checker.core.verdict import Proved, Violated
from checker.explicit.search import explore
from model.diagnostics import SpecError
from model.load import load_text

NONE_PARAM = """
spec: nonep
params:
  mode: {default: none, values: [none, weak, strong]}
vars:
  x: {type: "0..2", init: 0}
machines:
  m:
    states: [s]
    init: s
    fair: mode
    transitions:
      t: {guard: "x < 2 and mode != none and mode in {none, weak}", effect: {x: "x + 1"}}
properties:
  idle:
    invariant: "x == 0"
    expect: [{when: "mode in {none, strong}", is: holds}, {is: violated}]
  reaches_two:
    eventually: "x == 2"
"""


@pytest.mark.parametrize(("mode", "steps", "reaches"), [("none", 0, Violated), ("weak", 2, Proved),
                                                        ("strong", 0, Violated)])
def test_enum_param_value_none_in_expressions(mode: str, steps: int, reaches: type) -> None:
    [ts] = load_text(NONE_PARAM, "nonep.yaml", (f"mode={mode}",))
    assert ts.prop("idle").expect == ("violated" if mode == "weak" else "holds")
    r = explore(ts)
    assert r.diameter == steps
    assert isinstance(r.verdict("idle"), Violated if mode == "weak" else Proved)
    assert isinstance(r.verdict("reaches_two"), reaches)


def test_none_is_still_the_empty_option_elsewhere() -> None:
    with pytest.raises(SpecError) as e:
        load_text(NONE_PARAM.replace('"x < 2 and mode', '"x == none and mode'), "nonep.yaml")
    [d] = e.value.diagnostics
    assert (d.code, d.message) == ("SC301", "cannot compare 0..2 with none")


SYM = """
spec: sym
params:
  N: {default: 3}
  ordered: {default: false}
types:
  P: {index: N, symmetric: "not ordered and N > 1"}
vars:
  owner: {type: "P?", init: none}
machines:
  p:
    instances: P
    states: [idle, crit]
    init: idle
    transitions:
      enter: {from: idle, to: crit, guard: "owner == none", effect: {owner: self}}
      leave: {from: crit, to: idle, effect: {owner: none}}
properties:
  mutex:
    invariant: "count(p[q].pc == crit for q in P) <= 1"
"""


@pytest.mark.parametrize(("params", "symmetric", "states"), [
    ((), ("P",), 2), (("ordered=true",), (), 4), (("N=1",), (), 2)])
def test_symmetric_given_by_an_expression(params: tuple[str, ...], symmetric: tuple[str, ...], states: int) -> None:
    [ts] = load_text(SYM, "sym.yaml", params)
    r = explore(ts)
    assert (r.symmetry, r.states, isinstance(r.verdict("mutex"), Proved)) == (symmetric, states, True)


def test_symmetric_expression_must_be_static() -> None:
    with pytest.raises(SpecError) as e:
        load_text(SYM.replace('"not ordered and N > 1"', '"owner == none"'), "sym.yaml")
    # types are elaborated before the variables exist, as for `index: owner`
    assert [(d.code, d.message) for d in e.value.diagnostics] == [("SC201", "unknown name 'owner'")]
