"""Every export format, golden-tested on several counterexamples and a lasso; deterministic,
80 columns for the race diagram, ITF valid against the JSON Schema draft and read back exactly."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from export_cases import CASES, ROOT, SCHEMA, TDX_CASES, Case, lasso, load

from checker.export import FORMATS, format_for, render
from checker.export.race import WIDTH, wrap
from checker.traces import itf_read as itf
from checker.traces.replay import validate

EXT = {f: ext for f, (_, ext) in FORMATS.items()}


def tdx_cases() -> list[Case]:
    """The TDX goldens, when the TDX suite is present and loads (it is written concurrently)."""
    from model.diagnostics import SpecError
    if not (ROOT / "specs/tdx/teardown.yaml").exists():
        return []
    try:
        for c in TDX_CASES:
            load(c)
    except (SpecError, AssertionError, KeyError, ValueError):
        return []
    return TDX_CASES


ALL = CASES + tdx_cases()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("case", ALL, ids=lambda c: c.name)
def test_golden(case: Case, fmt: str, golden) -> None:  # type: ignore[no-untyped-def]
    ts, trace, ctx = load(case)
    golden(f"export/{case.name}{EXT[fmt]}", render(fmt, ts, trace, case.prop, ctx))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_lasso_golden_shows_where_the_loop_starts(fmt: str, golden) -> None:  # type: ignore[no-untyped-def]
    ts, trace, ctx = lasso()
    text = render(fmt, ts, trace, None, ctx)
    golden(f"export/counter_lasso{EXT[fmt]}", text)
    assert "loop starts here" in text
    if fmt == "itf":
        assert json.loads(text)["loop"] == 1


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_format_is_byte_identical_across_runs(case: Case) -> None:
    first = {f: render(f, *_fresh(case)) for f in FORMATS}
    again = {f: render(f, *_fresh(case)) for f in FORMATS}
    assert first == again


def _fresh(case: Case):  # type: ignore[no-untyped-def]
    """Load and check from scratch (no cache), so the comparison covers the engine too."""
    from checker.explicit.search import explore
    from checker.traces.context import ExportContext, export_context
    from model.load import instantiate, parse_spec, read_source
    spec = parse_spec(read_source(ROOT / case.spec, case.spec))
    (ts,) = instantiate(spec, case.params, case.variant)
    v = explore(ts, [case.prop]).verdict(case.prop)
    ctx = export_context(spec, ts)
    return ts, v.trace, case.prop, ExportContext("x", ctx.docs, ctx.defaults)  # type: ignore[union-attr]


def _race_cases() -> list[tuple[str, str]]:
    out = []
    for c in ALL:
        ts, trace, ctx = load(c)
        out.append((c.name, render("race", ts, trace, c.prop, ctx)))
    ts, trace, ctx = lasso()
    out.append(("lasso", render("race", ts, trace, None, ctx)))
    wide = Case("dining6", "specs/examples/dining.yaml", "naive", "deadlock", ("N=6",))
    ts, trace, ctx = load(wide)
    out.append(("dining6", render("race", ts, trace, "deadlock", ctx)))
    return out


def test_race_diagram_fits_80_columns() -> None:
    for name, text in _race_cases():
        longest = max(len(line) for line in text.splitlines())
        assert longest <= WIDTH, f"{name}: a line of {longest} columns"


def test_race_diagram_has_a_column_per_context_and_the_module() -> None:
    ts, trace, ctx = load(CASES[3])
    header = next(line for line in render("race", ts, trace, "flushdone_never_fails", ctx).splitlines()
                  if line.lstrip().startswith("step"))
    assert [c.strip() for c in header.split("|")] == ["step", "vcpu[0]", "vcpu[1]", "teardown", "module"]
    text = render("race", ts, trace, "flushdone_never_fails", ctx)
    assert "vpflushdone ->" in text and "TDX_FLUSHVP_NOT_DONE" in text
    assert "seamcheck check tests/specs/ops.yaml --property flushdone_never_fails" in text


def test_reproduce_command_names_variant_and_non_default_params() -> None:
    ts, trace, ctx = load(CASES[2])
    text = render("markdown", ts, trace, "deadlock", ctx)
    assert "seamcheck check specs/examples/dining.yaml --variant naive -p N=4 --property deadlock" in text


def test_wrap_keeps_status_codes_whole() -> None:
    assert wrap("vp_flush -> TDX_VCPU_NOT_ASSOCIATED", 23) == ["vp_flush ->", "TDX_VCPU_NOT_ASSOCIATED"]
    assert all(len(x) <= 5 for x in wrap("abcdefghijklmnop", 5))   # only a name wider than the column is cut


@pytest.mark.parametrize("case", CASES + [None], ids=lambda c: c.name if c else "lasso")  # type: ignore[misc]
def test_itf_is_valid_and_reads_back_to_the_same_trace(case: Case | None) -> None:
    ts, trace, ctx = load(case) if case else lasso()
    text = render("itf", ts, trace, case.prop if case else None, ctx)
    data = json.loads(text)
    jsonschema.validate(data, SCHEMA)
    assert _all_ints_are_bigints(data["states"])
    doc = itf.read_itf(text, "t.itf.json")
    assert itf.to_trace(doc, ts) == trace
    assert doc.meta.source == ts.path and doc.meta.variant == ts.variant
    assert dict(doc.meta.params) == dict(ts.params)
    if case:
        assert doc.meta.prop == case.prop
        validate(ts, trace, case.prop)


def _all_ints_are_bigints(x: object) -> bool:
    if isinstance(x, bool) or isinstance(x, str) or x is None:
        return True
    if isinstance(x, int):
        return False
    if isinstance(x, list):
        return all(_all_ints_are_bigints(y) for y in x)
    assert isinstance(x, dict)
    return all(k == "#meta" or _all_ints_are_bigints(v) for k, v in x.items())


def test_itf_meta_per_state_names_transition_args_and_status() -> None:
    ts, trace, ctx = load(CASES[3])
    data = json.loads(render("itf", ts, trace, "flushdone_never_fails", ctx))
    last = data["states"][-1]["#meta"]
    assert last["transition"] == "teardown.flushdone"
    assert last["operation"] == "vpflushdone" and last["status"] == "TDX_FLUSHVP_NOT_DONE"
    first = data["states"][1]["#meta"]
    assert first["args"] == {"p": {"#bigint": "0"}} and first["instance"] == {"#bigint": "0"}
    assert data["#meta"]["format"] == "ITF" and data["#meta"]["status"] == "violation"
    assert data["vars"] == ["life", "assoc", "nassoc", "last", "vcpu.pc", "teardown.pc"]
    assert data["states"][0]["assoc"] == {"#map": [[{"#bigint": "0"}, "none"], [{"#bigint": "1"}, "none"]]}


def test_format_for_file_names() -> None:
    assert [format_for(n) for n in ("a.itf.json", "a.json", "a.md", "a.race.txt", "a.txt", "a.mmd", "a.dot",
                                    "a.gv", "a.yaml", "a.race-lp.txt")] == \
        ["itf", "itf", "markdown", "race", "text", "mermaid", "dot", "dot", None, "race-lp"]


def test_golden_directory_is_not_empty() -> None:
    assert len(list((Path(__file__).parents[1] / "golden" / "export").glob("*"))) >= len(CASES) * len(FORMATS)
