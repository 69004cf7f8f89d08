"""`seamcheck show`: expressions as written (block scalars included, never `>`), and each
transition's effects: its updates, its `store:`, and the called operation's checks, may_fail
outcomes and effect, in text and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("spec", ["tests/specs/lanes.yaml", "tests/specs/ops.yaml", "tests/specs/alloc_nested.yaml",
                                  "tests/specs/records.yaml"])
def test_show_golden(spec: str, golden) -> None:  # type: ignore[no-untyped-def]
    name = Path(spec).stem
    text, js = run("show", spec), run("show", spec, "--json")
    assert text.exit_code == 0 and js.exit_code == 0
    golden(f"cli/show_{name}.txt", text.stdout)
    golden(f"cli/show_{name}.json", js.stdout)


def test_block_scalar_guard_is_shown_as_its_text() -> None:
    data = json.loads(run("show", "tests/specs/lanes.yaml", "--json").stdout)
    task = next(m for m in data["machines"] if m["name"] == "task")
    exit_ = next(t for t in task["transitions"] if t["name"] == "exit")
    assert exit_["guard"] == "moves == 1 and cpu != none"
    assert exit_["effect"] == [{"target": "cpu", "value": "none"}]
    assert "      guard: moves == 1 and cpu != none" in run("show", "tests/specs/lanes.yaml").stdout.splitlines()


def test_transition_shows_its_operation_contract() -> None:
    data = json.loads(run("show", "tests/specs/ops.yaml", "--json").stdout)
    vcpu = next(m for m in data["machines"] if m["name"] == "vcpu")
    flush = next(t for t in vcpu["transitions"] if t["name"] == "flush")
    assert flush["store"] == "last"
    assert flush["operation"]["may_fail"] == ["TDX_OPERAND_BUSY"]
    assert flush["operation"]["effect"] == [{"target": "assoc[v]", "value": "none"},
                                            {"target": "nassoc", "value": "nassoc - 1"}]
    text = run("show", "tests/specs/ops.yaml").stdout.splitlines()
    i = text.index("    flush(p: LP): run -> (stay)")
    assert text[i + 1: i + 8] == [
        "      call: vp_flush(v=self, lp=p)",
        "        require life == KEYS_CONFIGURED else TDX_TD_KEYS_NOT_CONFIGURED",
        "        require assoc[v] == lp else TDX_VCPU_NOT_ASSOCIATED",
        "        may fail: TDX_OPERAND_BUSY (no effect)",
        "        on SUCCESS: assoc[v] := none",
        "        on SUCCESS: nassoc := nassoc - 1",
        "      store: result -> last",
    ]


def _strings(x: object) -> list[str]:
    if isinstance(x, str):
        return [x]
    if isinstance(x, dict):
        return [s for v in x.values() for s in _strings(v)]
    if isinstance(x, list):
        return [s for v in x for s in _strings(v)]
    return []


def test_no_expression_of_the_tdx_spec_is_shown_as_a_block_marker() -> None:
    r = run("show", "specs/tdx/teardown.yaml", "--json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert not [s for s in _strings(data["machines"]) + _strings(data["operations"]) if s.strip() in (">", "|")]
    assert not [x for x in run("show", "specs/tdx/teardown.yaml").stdout.splitlines() if x.endswith(": >")]


FAIR_SPEC = """
spec: fairshow
stutter: true
machines:
  a:
    states: [wait, done]
    init: wait
    fair: {weak: [go, skip]}
    transitions:
      go: {from: wait, to: done}
      skip: {from: wait, to: wait}
  b:
    states: [wait, done]
    init: wait
    fair: weak
    transitions:
      go: {from: wait, to: done, fair: strong}
fairness:
  - {weak: [a.go, b.go]}
  - {strong: all}
properties:
  someone_done:
    eventually: "a.pc == done or b.pc == done"
"""


def test_show_lists_every_kind_of_fairness_and_stuttering(tmp_path: Path) -> None:
    """A reader of `show` sees what the liveness verdicts assume: machine defaults, groups,
    per-transition fairness, the spec-wide groups and `stutter: true`."""
    spec = tmp_path / "fairshow.yaml"
    spec.write_text(FAIR_SPEC)
    text = run("show", str(spec)).stdout.splitlines()
    for line in ["    fair: weak: go or skip", "    fair: weak (default of its transitions)", "      fair: strong",
                 "fairness:", "  weak: a.go or b.go", "  strong: all",
                 "  stutter: every state may stutter (TLA+-style; NOTE(stutter))"]:
        assert line in text, line
    data = json.loads(run("show", str(spec), "--json").stdout)
    a, b = data["machines"]
    assert a["fair_groups"] == [{"kind": "weak", "transitions": ["go", "skip"]}] and "fair" not in a
    assert b["fair"] == "weak" and b["transitions"][0]["fair"] == "strong"
    assert data["fairness"] == [{"kind": "weak", "transitions": ["a.go", "b.go"]}, {"kind": "strong", "transitions": "all"}]
    assert data["stutter"] is True


def test_show_json_has_no_fairness_keys_where_the_spec_states_none() -> None:
    data = json.loads(run("show", "tests/specs/ops.yaml", "--json").stdout)
    assert "fairness" not in data and "stutter" not in data
    assert all("fair" not in t for m in data["machines"] for t in m["transitions"])
