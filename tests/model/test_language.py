"""Expression and effect semantics, one small spec per rule, checked on the explicit engine."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.core.verdict import Proved, Violated
from checker.explicit.search import explore
from model.diagnostics import SpecError
from model.evaluate import EVAL_OPS
from model.ir import Op
from model.load import load_text

HEADER = """
spec: t
types:
  I: {index: 3}
  Color: [RED, GREEN, BLUE]
vars:
  m: {type: "I -> 0..5", init: 0}
  c: {type: Color, init: RED}
  k: {type: "0..2", init: 0}
"""


def run(body: str, params: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    [ts] = load_text(HEADER + body, "t.yaml", params)
    return ts, explore(ts)


def machine(transitions: str, props: str) -> str:
    return f"""machines:
  w:
    states: [s]
    init: s
    transitions:
{transitions}
properties:
{props}
"""


def test_simultaneous_assignment_reads_pre_state() -> None:
    ts, r = run(machine("""      t:
        guard: "k == 0"
        effect:
          k: "k + 1"
          "m[k]": "k + 2"
""", """  p:
    invariant: "k == 1 => m[0] == 2 and m[1] == 0"
"""))
    assert isinstance(r.verdict("p"), Proved)


def test_later_write_to_same_cell_wins() -> None:
    ts, r = run(machine("""      t:
        guard: "k == 0"
        effect:
          "m[k]": 1
          "m[0]": 3
          k: 1
""", """  p:
    invariant: "k == 1 => m[0] == 3"
"""))
    assert isinstance(r.verdict("p"), Proved)


def test_quantified_target_and_count() -> None:
    ts, r = run(machine("""      t:
        guard: "k == 0"
        effect:
          "m[i] for i in I": "i + 1"
          k: 1
""", """  p:
    invariant: "k == 1 => all(m[i] == i + 1 for i in I) and count(m[i] > 1 for i in I) == 2"
"""))
    assert isinstance(r.verdict("p"), Proved)


def test_out_of_range_assignment_is_a_range_violation_with_trace() -> None:
    ts, r = run(machine("""      t:
        effect:
          k: "k + 1"
""", """  p:
    invariant: "true"
"""))
    v = r.verdict("range")
    assert isinstance(v, Violated)
    assert v.trace.depth == 3  # 0 -> 1 -> 2 -> (3 is outside 0..2)
    assert ts.vars[ts.slot("k")].sort.render(v.trace.states[-1][ts.slot("k")]) == "3"


def test_non_constant_key_read_and_membership_and_chains() -> None:
    ts, r = run(machine("""      t:
        params: {i: I}
        guard: "m[i] < 2"
        effect:
          "m[i]": "m[i] + 1"
          c: "GREEN if c == RED else (BLUE if c == GREEN else RED)"
""", """  p:
    invariant: "all(0 <= m[i] <= 2 for i in I) and c in {RED, GREEN, BLUE}"
  q:
    invariant: "c not in {BLUE}"
"""))
    assert isinstance(r.verdict("p"), Proved)
    q = r.verdict("q")
    assert isinstance(q, Violated) and q.trace.depth == 2
    assert r.states == 27  # by hand: m ranges over {0,1,2}^3 and c is fixed by the sum mod 3


def test_enum_member_resolved_by_context() -> None:
    spec = """
spec: ctx
types:
  A: [X, Y]
  B: [X, Z]
vars:
  a: {type: A, init: Y}
  b: {type: B, init: Z}
properties:
  p:
    invariant: "a != X and X != b and b == B.Z"
"""
    [ts] = load_text(spec)
    assert isinstance(explore(ts).verdict("p"), Proved)


@pytest.mark.parametrize("expr", ["x.__class__", "__import__('os')", "lambda: 1", "x[1:2]", "'s'",
                                  "x ** 2", "[x for x in y]", "x.y.z", "f(*a)"])
def test_unsupported_syntax_is_a_located_error(expr: str) -> None:
    spec = f"spec: bad\nvars:\n  x: {{type: bool, init: false}}\nproperties:\n  p:\n    invariant: \"{expr}\"\n"
    with pytest.raises(SpecError) as e:
        load_text(spec, "bad.yaml")
    d = e.value.diagnostics[0]
    assert d.span is not None and d.span.file == "bad.yaml" and d.span.line == 6


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=st.sampled_from(list("xy0123 ()[]{}.,=<>!+-*/%_andornotifelsefor:'\"\\")), max_size=40))
def test_expression_fuzz_never_tracebacks(text: str) -> None:
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    spec = f"spec: fz\nvars:\n  x: {{type: bool, init: false}}\n  y: {{type: \"0..3\", init: 0}}\n" \
           f"properties:\n  p:\n    invariant: \"{quoted}\"\n"
    try:
        load_text(spec, "fz.yaml")
    except SpecError as e:
        assert e.diagnostics and all(d.message for d in e.diagnostics)


def test_eval_table_covers_every_op() -> None:
    assert set(EVAL_OPS) == set(Op)
