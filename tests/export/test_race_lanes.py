"""The per-LP race diagram (race-lp) and the names-whole rule of both race views.

TDX goldens use specs/tdx/teardown.yaml with the lane lines of docs/diagrams.md
(export_cases.TDX_LANE_LINES), since the shipped spec may not declare them yet.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from export_cases import CASES, VERSION, Case, load, tdx_with_lanes

from checker.core.verdict import Violated
from checker.explicit.search import explore
from checker.export import render
from checker.export.race import WIDTH, wrap
from checker.traces.context import ExportContext, export_context
from checker.traces.trace import Trace
from model.ir import TransitionSystem
from model.load import instantiate, load_text, parse_spec
from model.source import SourceFile

TDX_LANE_CASES = [
    Case("tdx_lanes_v6_16_S1p_V1", "specs/tdx/teardown.yaml", "v6_16", "S1p", ("V=1", "P=2")),
    Case("tdx_lanes_v6_16_S1p_V2", "specs/tdx/teardown.yaml", "v6_16", "S1p", ("V=2", "P=2")),
    Case("tdx_lanes_v19_no_free_disassociate_S5", "specs/tdx/teardown.yaml", "mut_v19_no_free_disassociate", "S5"),
]
LANES = next(c for c in CASES if c.spec == "tests/specs/lanes.yaml")


@cache
def tdx(case: Case) -> tuple[TransitionSystem, Trace, ExportContext]:
    spec = parse_spec(SourceFile(case.spec, tdx_with_lanes()))
    (ts,) = instantiate(spec, case.params, case.variant)
    v = explore(ts, [case.prop]).verdict(case.prop)
    assert isinstance(v, Violated)
    ctx = export_context(spec, ts)
    return ts, v.trace, ExportContext(VERSION, ctx.docs, ctx.defaults)


@pytest.mark.parametrize("fmt", ["race", "race-lp"])
@pytest.mark.parametrize("case", TDX_LANE_CASES, ids=lambda c: c.name)
def test_tdx_golden(case: Case, fmt: str, golden) -> None:  # type: ignore[no-untyped-def]
    ts, trace, ctx = tdx(case)
    text = render(fmt, ts, trace, case.prop, ctx)
    golden(f"export/{case.name}.{fmt}.txt", text)
    assert max(len(x) for x in text.splitlines()) <= WIDTH
    _names_whole(ts, trace, text)


def _names_whole(ts: TransitionSystem, trace: Trace, text: str) -> None:
    """Every transition, control state and status code of the trace appears unbroken."""
    names = {ts.actions[a].label.transition for a in trace.actions} | set(ts.statuses)
    names |= {v.sort.render(s[i]) for s in trace.states for i, v in enumerate(ts.vars) if v.base.endswith(".pc")}
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    used = {n for n in names if any(n in line for line in text.splitlines())}
    for n in names & {w for w in words if "_" in w}:
        assert n in used
    for line in text.splitlines():   # no line ends inside a name: a break is after `,(./:[` or a space
        cell_ends = [c.rstrip() for c in line.split(" | ")]
        for c in cell_ends:
            assert not c.endswith("_"), line


def test_lp_view_places_each_step_on_its_lp_and_the_ipi_call_on_the_flushed_lp() -> None:
    ts, trace, ctx = load(LANES)
    text = render("race-lp", ts, trace, LANES.prop, ctx)
    rows = [line for line in text.splitlines() if " | " in line]
    assert [c.strip() for c in rows[0].split("|")] == ["step", "LP0", "LP1", "no LP"]
    migrate = next(r for r in rows if "task.migrate(q=1, c=0)" in r)
    cells = [c.strip() for c in migrate.split("|")]
    assert cells[0] == "2" and cells[1] == "module: flush ->" and cells[2] == "task.migrate(q=1, c=0)"
    assert [c.strip() for c in next(r for r in rows if "task.load" in r).split("|")][1].startswith("task.load")
    assert [c.strip() for c in next(r for r in rows if "task.exit" in r).split("|")][2] \
        == "task.exit() -> exited"   # the machine's `lane: cpu`, read before the step
    assert [c.strip() for c in next(r for r in rows if "teardown.flushdone" in r).split("|")][3] \
        == "teardown.flushdone()"


def test_lp_view_without_a_lane_type_says_so_and_uses_one_lane() -> None:
    ts, trace, ctx = load(CASES[0])
    text = render("race-lp", ts, trace, CASES[0].prop, ctx)
    assert "the spec declares none" in text
    header = next(x for x in text.splitlines() if x.lstrip().startswith("step"))
    assert [c.strip() for c in header.split("|")] == ["step", "no lane"]


def test_thread_view_moves_the_module_column_into_notes_when_names_do_not_fit() -> None:
    ts, trace, ctx = tdx(TDX_LANE_CASES[2])
    text = render("race", ts, trace, "S5", ctx)
    header = next(x for x in text.splitlines() if x.lstrip().startswith("step"))
    assert [c.strip() for c in header.split("|")] == ["step", "vm", "vcpu[0]", "vcpu[1]", "td"]
    assert "      : module: vp_flush -> TDX_TD_KEYS_NOT_CONFIGURED" in text.splitlines()


def test_wrap_keeps_names_whole() -> None:
    assert wrap("vp_flush -> TDX_TD_KEYS_NOT_CONFIGURED", 26) == ["vp_flush ->", "TDX_TD_KEYS_NOT_CONFIGURED"]
    assert wrap("reload_migrate_flush(w=0, q=1, c=0)", 22) == ["reload_migrate_flush(", "w=0, q=1, c=0)"]
    assert wrap("vcpu[0].init_ioctl(p=0)", 12) == ["vcpu[0].", "init_ioctl(", "p=0)"]
    assert wrap("abcdefghijklmnop", 5) == ["abcde", "fghij", "klmno", "p"]   # a name wider than the column


LANE_SPEC = """
spec: t
params: {{P: {{default: 2}}}}
types:
  LP: {{index: P{lane}}}
  Q: {{index: 2{qlane}}}
vars: {{x: {{type: "LP?", init: none}}}}
machines:
  m:
{mlane}    states: [a]
    init: a
    transitions:
      t:
        params: {{p: LP, q: LP}}
{tlane}        effect: {{x: p}}
"""


def _lanes(lane: str = ", lane: true", qlane: str = "", mlane: str = "", tlane: str = "        lane: q\n"):
    return load_text(LANE_SPEC.format(lane=lane, qlane=qlane, mlane=mlane, tlane=tlane), "t.yaml")


def test_lane_rules() -> None:
    (ts,) = _lanes()
    assert ts.lanes is not None and ts.lanes.name == "LP"
    assert [(a.label.render(), a.lane) for a in ts.actions][1][1].value == 1  # type: ignore[union-attr]
    (ts,) = _lanes(lane="", tlane="")
    assert ts.lanes is None and all(a.lane is None for a in ts.actions)
    (ts,) = _lanes(tlane="        lane: none\n")
    assert all(a.lane is not None and a.lane.value == -1 for a in ts.actions)  # type: ignore[union-attr]
    (ts,) = _lanes(tlane="        lane: 1\n")
    assert all(a.lane is not None and a.lane.value == 1 for a in ts.actions)  # type: ignore[union-attr]


@pytest.mark.parametrize(("kw", "message"), [
    ({"tlane": ""}, "transition 't' has 2 parameters of lane type LP (p, q); which one does it run on?"),
    ({"lane": "", "tlane": "        lane: q\n"}, "`lane:` needs an index set declared `lane: true`"),
    ({"tlane": "        lane: x == p\n"}, "`lane:` must be a LP or none, got a value of type bool"),
    ({"qlane": ", lane: true"}, "index sets 'LP' and 'Q' are both declared `lane: true`"),
])
def test_lane_errors(kw: dict[str, str], message: str) -> None:
    from model.diagnostics import SpecError
    with pytest.raises(SpecError) as e:
        _lanes(**kw)
    assert [d.message for d in e.value.diagnostics] == [message]
    assert {d.code for d in e.value.diagnostics} == {"SC320"}
