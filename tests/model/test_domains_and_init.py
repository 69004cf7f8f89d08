"""Lazy value sets (NOTE(lazy-values)), the signed 64-bit bound (NOTE(int64)), and the located
report of an empty set of initial states (TransitionSystem.init_span, no_initial_state)."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from model.diagnostics import SpecError, no_initial_state, render_with
from model.load import load_text, parse_spec
from model.sorts import INT_MAX, INT_MIN, BoolSort, EnumSort, IndexSort, IntSort, OptionSort, bounds, size
from model.source import SourceFile

HUGE = """spec: huge
types:
  I: {index: 3}
vars:
  x: {type: "0..1000000000", init: 0}
  m: {type: "I -> 0..1000000000", init: 5}
  w: {type: "-9223372036854775808..9223372036854775807", init: 0}
machines:
  p:
    instances: I
    states: [s]
    init: s
    vars:
      c: {type: "0..1000000000", init: 0}
    transitions:
      inc:
        guard: "x < 5"
        effect: {x: "x + 1", "m[self]": "m[self] + 1"}
"""


def test_huge_domains_load_at_once_in_little_memory() -> None:
    load_text(HUGE)   # warm up: the expression grammar is built once per process
    tracemalloc.start()
    t0 = time.monotonic()
    try:
        [ts] = load_text(HUGE)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - t0 < 2
    assert peak < 20_000_000, f"{peak} bytes to load a spec with a billion-value domain"
    assert size(ts.vars[ts.slot("w")].sort) == 2**64
    assert bounds(ts.vars[ts.slot("w")].sort) == (INT_MIN, INT_MAX)
    assert ts.vars[ts.slot("x")].sort.values() == range(0, 1_000_000_001)


@pytest.mark.parametrize("sort", [BoolSort(), IntSort(-2, 3), EnumSort("E", ("A", "B")), IndexSort("I", 4),
                                  OptionSort(EnumSort("E", ("A", "B"))), OptionSort(IndexSort("I", 3))])
def test_values_size_and_bounds_agree(sort: object) -> None:
    vals = sort.values()  # type: ignore[attr-defined]
    assert len(vals) == size(sort)  # type: ignore[arg-type]
    assert bounds(sort) == (min(vals), max(vals))  # type: ignore[arg-type]
    assert list(vals) == sorted(vals)


def test_init_any_is_the_lazy_sort() -> None:
    [ts] = load_text('spec: s\nvars:\n  x: {type: "0..50000"}\n  b: bool\n')
    assert ts.init_values[ts.slot("x")] == range(0, 50001)
    assert tuple(ts.init_values[ts.slot("b")]) == (False, True)


@pytest.mark.parametrize(("text", "ok"), [
    ("9223372036854775807", True), ("-9223372036854775808", True),
    ("9223372036854775808", False), ("-9223372036854775809", False),
    ("99999999999999999999", False), ("0" * 30 + "7", True),
])
def test_integer_literals_at_the_int64_bounds(text: str, ok: bool) -> None:
    spec = f'spec: s\nvars:\n  x: {{type: "0..3", init: 0}}\nproperties:\n  p: {{invariant: "x != {text}"}}\n'
    if ok:
        load_text(spec)
        return
    with pytest.raises(SpecError) as e:
        load_text(spec)
    assert [d.code for d in e.value.diagnostics] == ["SC317"]
    assert e.value.diagnostics[0].span is not None and e.value.diagnostics[0].span.line == 5


def test_range_type_may_span_all_of_int64_and_arithmetic_on_it_is_exact() -> None:
    """Arithmetic may leave int64 (NOTE(int64)): it loads, and every engine computes it exactly
    (tests/checker/test_vector_overflow.py checks the engines)."""
    base = 'spec: s\nvars:\n  x: {type: "-9223372036854775808..9223372036854775807", init: 0}\n'
    load_text(base + 'properties:\n  p: {invariant: "x <= 9223372036854775807"}\n')
    for expr in ("x + 1 > 0", "-x < 1", "x * 2 > 0", "x - 1 < 0", "x // -1 > 0"):
        load_text(base + f'properties:\n  p: {{invariant: "{expr}"}}\n')


INIT = """spec: init
vars:
  x: {type: "0..3", init: 0}
initially: "x == 1"
"""


def test_init_span_points_at_initially_and_renders_located() -> None:
    [ts] = load_text(INIT, "init.yaml")
    assert ts.init_span is not None and (ts.init_span.line, ts.init_span.col) == (4, 13)
    d = no_initial_state(ts)
    assert d.code == "SC407"
    assert render_with(d, [SourceFile("init.yaml", INIT)]) == "\n".join([
        "init.yaml:4:13: error[SC407]: no initial state satisfies `initially:`",
        '     4 | initially: "x == 1"',
        "       |             ^^^^^^",
        "  expected: a constraint that some combination of the variables' initial values satisfies",
        "  note: every property would hold vacuously",
    ])


def test_init_span_without_initially_is_vars() -> None:
    text = "spec: s\nparams:\n  N: {default: 2}\nvars:\n  x: bool\n"
    [ts] = load_text(text, "s.yaml", ("N=3",))
    assert ts.init_span is not None and (ts.init_span.line, ts.init_span.col) == (4, 1)
    d = no_initial_state(ts)
    assert (d.message, d.notes) == ("the spec has no initial state", ("for N=3: every property would hold vacuously",))
    [ts] = load_text("spec: s\n", "s.yaml")
    assert ts.init_span is not None and (ts.init_span.line, ts.init_span.col) == (1, 1)


def test_no_initial_state_names_the_instance() -> None:
    text = INIT + "params:\n  N: {default: 1}\nvariants:\n  one: {N: 1}\n"
    [ts] = load_text(text, "init.yaml")
    assert no_initial_state(ts).notes == ("for variant 'one', N=1: every property would hold vacuously",)


def test_init_span_is_not_part_of_equality() -> None:
    [a] = load_text(INIT, "a.yaml")
    [b] = load_text("\n\n" + INIT, "a.yaml")
    assert a.init_span != b.init_span and a == b


def test_decl_spans_for_names() -> None:
    spec = parse_spec(SourceFile("n.yaml", "spec: n\ntypes:\n  E: [A, B]\nvariants:\n  v1: {}\n")).decl
    assert [(s.line, s.col) for s in spec.types[0].member_spans] == [(3, 7), (3, 10)]
    assert [(s.line, s.col) for s in spec.variant_spans] == [(5, 3)]
