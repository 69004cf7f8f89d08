"""checker/traces/itf_read.py: every malformed ITF input is a located SC5xx diagnostic, never a traceback;
and random walks survive an ITF round trip exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from export_cases import CASES, lasso, load
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.core.semantics import successor
from checker.export import render
from checker.traces import itf_read as itf
from checker.traces.trace import Trace
from model.diagnostics import SpecError
from model.evaluate import compile_expr

OPS = CASES[3]   # tests/specs/ops.yaml: maps, options, statuses, operations


def good() -> tuple[str, dict]:  # type: ignore[type-arg]
    ts, trace, ctx = load(OPS)
    text = render("itf", ts, trace, OPS.prop, ctx)
    return text, json.loads(text)


def diag(text: str) -> tuple[str, int, str]:
    """(code, line, message) of the first diagnostic reading `text` against the ops instance."""
    ts, _, _ = load(OPS)
    with pytest.raises(SpecError) as e:
        itf.to_trace(itf.read_itf(text, "t.itf.json"), ts)
    d = e.value.diagnostics[0]
    return d.code, d.span.line if d.span else 0, d.message


def mutate(f) -> str:  # type: ignore[no-untyped-def]
    """The good trace with f applied to its JSON data, written one value per line."""
    _, data = good()
    f(data)
    return json.dumps(data, indent=1)


def line_of(text: str, needle: str, nth: int = 0) -> int:
    lines = [i for i, ln in enumerate(text.splitlines(), start=1) if needle in ln]
    return lines[nth]


def test_json_syntax_error_is_located() -> None:
    text, _ = good()
    broken = text.replace('"vars": [', '"vars": [,', 1)
    code, line, msg = diag(broken)
    assert (code, line) == ("SC501", line_of(broken, '"vars"')) and "JSON syntax" in msg


def test_duplicate_json_key() -> None:
    code, line, msg = diag('{"vars": [], "vars": [], "states": []}')
    assert code == "SC501" and "duplicate key 'vars'" in msg


def test_not_an_object_and_missing_fields() -> None:
    assert diag("[1, 2]")[0] == "SC502"
    code, _, msg = diag('{"states": []}')
    assert code == "SC502" and "no 'vars'" in msg
    code, _, msg = diag('{"vars": [], "states": []}')
    assert code == "SC502" and "no states" in msg
    assert diag('{"vars": [], "states": [1]}')[0] == "SC502"


def test_unknown_and_missing_variables() -> None:
    def rename(d) -> None:  # type: ignore[no-untyped-def]
        d["vars"][0] = "lief"
        for s in d["states"]:
            s["lief"] = s.pop("life")
    code, line, msg = diag(mutate(rename))
    assert code == "SC503" and "no variable 'lief'" in msg


def test_bad_value_names_the_line_and_expected_values() -> None:
    def bad(d) -> None:  # type: ignore[no-untyped-def]
        d["states"][2]["life"] = "KEYS_CONFIGUREDD"
    text = mutate(bad)
    code, line, msg = diag(text)
    assert code == "SC504" and line == line_of(text, "KEYS_CONFIGUREDD") and "type Life" in msg


def test_plain_json_numbers_are_not_itf_integers() -> None:
    def bad(d) -> None:  # type: ignore[no-untyped-def]
        d["states"][0]["nassoc"] = 0
    code, _, msg = diag(mutate(bad))
    assert code == "SC504" and "0..2" in msg


def test_index_out_of_range_and_bad_map_keys() -> None:
    def bad_index(d) -> None:  # type: ignore[no-untyped-def]
        d["states"][0]["assoc"]["#map"][0][1] = {"#bigint": "7"}
    assert diag(mutate(bad_index))[0] == "SC504"

    def bad_key(d) -> None:  # type: ignore[no-untyped-def]
        d["states"][0]["assoc"]["#map"][0][0] = {"#bigint": "9"}
    code, _, msg = diag(mutate(bad_key))
    assert code == "SC504" and "no key" in msg

    def not_a_map(d) -> None:  # type: ignore[no-untyped-def]
        d["states"][0]["assoc"] = "none"
    assert diag(mutate(not_a_map))[0] == "SC504"


def test_unknown_or_missing_action_label() -> None:
    def unknown(d) -> None:  # type: ignore[no-untyped-def]
        d["states"][1]["#meta"]["action"] = "vcpu[0].entre(p=0)"
    ts, _, _ = load(OPS)
    with pytest.raises(SpecError) as e:
        itf.to_trace(itf.read_itf(mutate(unknown)), ts)
    d = e.value.diagnostics[0]
    assert d.code == "SC505" and "vcpu[0].entre(p=0)" in d.message
    assert d.notes == ("did you mean 'vcpu[0].enter(p=0)'?",)

    def missing(d) -> None:  # type: ignore[no-untyped-def]
        del d["states"][1]["#meta"]
    code, _, msg = diag(mutate(missing))
    assert code == "SC505" and "state 1" in msg


def test_loop_outside_the_trace() -> None:
    def bad(d) -> None:  # type: ignore[no-untyped-def]
        d["loop"] = 99
    code, _, msg = diag(mutate(bad))
    assert code == "SC506" and "99" in msg


def test_unreadable_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as e:
        itf.read_file(tmp_path / "missing.itf.json")
    assert e.value.diagnostics[0].code == "SC500"
    bad = tmp_path / "bad.itf.json"
    bad.write_bytes(b'{"vars": ["\xff"]}')
    with pytest.raises(SpecError) as e:
        itf.read_file(bad)
    assert e.value.diagnostics[0].code == "SC500"


def test_deep_nesting_is_a_diagnostic_not_a_crash() -> None:
    code, _, _ = diag("[" * 100_000 + "]" * 100_000)
    assert code in ("SC501", "SC502")


def test_rendered_diagnostic_shows_the_trace_line() -> None:
    def bad(d) -> None:  # type: ignore[no-untyped-def]
        d["states"][2]["life"] = "NOPE"
    ts, _, _ = load(OPS)
    with pytest.raises(SpecError) as e:
        itf.to_trace(itf.read_itf(mutate(bad), "t.itf.json"), ts)
    assert '"life": "NOPE"' in str(e.value) and "^" in str(e.value)


def test_lasso_round_trip() -> None:
    ts, trace, ctx = lasso()
    assert itf.to_trace(itf.read_itf(render("itf", ts, trace, None, ctx)), ts) == trace


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=12))
def test_random_walks_round_trip(choices: list[int]) -> None:
    """A random walk through ops.yaml (operations, options, may_fail) reads back exactly."""
    ts, _, ctx = load(OPS)
    compiled = [(compile_expr(a.guard), [(s, compile_expr(e)) for s, e in a.updates]) for a in ts.actions]
    state = tuple(v[0] for v in ts.init_values)
    states, acts = [state], []
    for c in choices:
        enabled = [i for i, (g, _) in enumerate(compiled) if g(state)]
        if not enabled:
            break
        i = enabled[c % len(enabled)]
        state = successor(state, compiled[i][1])
        states.append(state)
        acts.append(i)
    trace = Trace(tuple(states), tuple(acts))
    back = itf.to_trace(itf.read_itf(render("itf", ts, trace, None, ctx)), ts)
    assert back.states == trace.states
    # labels are unique per action, so the actions come back exactly too
    assert back.actions == trace.actions
