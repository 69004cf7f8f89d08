"""The one machine-readable schema (seamcheck/result v1, docs/json.md): every `check --json` and
`ci --json` document validates against checker/export/schema/seamcheck-result-v1.json, values
are typed, the run's facts are fields, and check and ci write the same record for a case."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from export_cases import ROOT
from jsonschema import Draft202012Validator

import cli
from checker.export.result_json import schema_path, without_timings
from checker.gate import reports
from checker.gate.cases import GateOptions
from checker.gate.gate import run_gate
from checker.run.specs import SpecFile

SCHEMA = json.loads(Path(schema_path()).read_text())
VALIDATOR = Draft202012Validator(SCHEMA)
EXAMPLES = sorted(p.name for p in (ROOT / "specs/examples").glob("*.yaml"))
COUNTER_COVERAGE = [{"action": "inc[0].step()", "fired": 3, "new_states": 3},
                    {"action": "inc[1].step()", "fired": 3, "new_states": 0},
                    {"action": "resetter.reset()", "fired": 1, "new_states": 0}]


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)   # spec paths in records are relative to the working directory


def valid(doc: Any) -> Any:
    errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    return doc


def check(*args: str, code: int = 0) -> Any:
    """`check ARGS --json`, validated; its exit code is `code` and the document says so."""
    r = CliRunner().invoke(cli.main, ["check", *args, "--json"], catch_exceptions=False)
    assert r.exit_code == code, r.stdout + r.stderr
    doc = valid(json.loads(r.stdout))
    assert (doc["command"], doc["exit"]) == ("check", code)
    return doc


def ci(out: Path, *args: str, code: int = 0) -> Any:
    r = CliRunner().invoke(cli.main, ["ci", *args, "--json", str(out)], catch_exceptions=False)
    assert r.exit_code == code, r.stdout + r.stderr
    doc = valid(json.loads(out.read_text()))
    assert (doc["command"], doc["exit"]) == ("ci", code)
    return doc


def record(doc: Any, prop: str, variant: str | None = None) -> Any:
    [r] = [r for r in doc["results"] if r["property"] == prop and r["variant"] == variant]
    return r


def test_the_schema_is_a_valid_json_schema_shipped_as_package_data() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert '"checker.export" = ["schema/*.json"]' in (ROOT / "pyproject.toml").read_text()


@pytest.mark.parametrize("name", EXAMPLES)
def test_check_json_of_every_example_validates(name: str) -> None:
    doc = check(f"specs/examples/{name}")
    assert doc["results"] and doc["errors"] == []
    for r in doc["results"]:
        assert r["spec"] == f"specs/examples/{name}" and r["as_expected"] is True
        assert r["facts"]["phases"] and r["facts"]["states"] == r["facts"]["phases"][0]["states"] \
            or r["kind"] == "liveness"
        if r["trace"] is not None:
            t = r["trace"]
            assert t["depth"] == len(t["actions"]) == len(t["states"]) - 1 == r["verdict"]["depth"]


def test_counter_record_has_typed_values_and_the_facts_as_fields() -> None:
    doc = check("specs/examples/counter.yaml")
    r = record(doc, "never_two")
    assert r["params"] == {"LIMIT": 3, "MAX": 3, "N": 2}
    assert (r["kind"], r["expect"], r["status"], r["as_expected"]) == ("invariant", "violated", "ok", True)
    assert r["verdict"] | {"time_s": 0} == {"status": "violated", "engine": "explicit", "depth": 2, "k": None,
                                          "reason": None, "time_s": 0,
                                          "stats": {"diameter": 3, "states": 4, "transitions": 7}}
    assert r["trace"]["actions"] == ["inc[0].step()", "inc[0].step()"] and r["trace"]["loop"] is None
    assert [s["count"] for s in r["trace"]["states"]] == [0, 1, 2]
    assert r["trace"]["states"][0]["inc.pc"] == {"#map": [[0, "ready"], [1, "ready"]]}
    f = r["facts"]
    assert (f["states"], f["transitions"], f["diameter"], f["complete"], f["depth_reached"]) == (4, 7, 3, True, 3)
    assert [p["coverage"] for p in f["phases"]] == [COUNTER_COVERAGE] and f["never_enabled"] == []


def test_bool_and_enum_params_are_typed() -> None:
    doc = check("specs/examples/retry.yaml")
    assert {r["variant"]: r["params"] for r in doc["results"]} == {
        "fair": {"helper_fairness": "weak", "helper_can_quit": False},
        "unfair": {"helper_fairness": "none", "helper_can_quit": False},
        "quitter": {"helper_fairness": "weak", "helper_can_quit": True}}


def test_golden_counter_json(golden) -> None:  # type: ignore[no-untyped-def]
    doc = without_timings(check("specs/examples/counter.yaml"))
    doc["seamcheck"] = "VERSION"
    golden("json/check_counter.json", json.dumps(doc, indent=2, sort_keys=True) + "\n")


@pytest.mark.parametrize("args", [("-p", "V=1"), ("-p", "V=2", "--variant", "v19")], ids=["V1", "V2-v19"])
def test_tdx_json_validates(args: tuple[str, ...]) -> None:
    doc = check("specs/tdx/teardown.yaml", *args)
    statuses = {r["verdict"]["status"] for r in doc["results"]}
    assert statuses == {"proved", "violated"}
    for r in doc["results"]:
        assert r["params"]["V"] == int(args[1][2:]) and isinstance(r["params"]["P"], int)
        assert r["facts"]["complete"] is True and r["facts"]["phases"][0]["coverage"]
        fired = {c["action"] for p in r["facts"]["phases"] for c in p["coverage"] if c["fired"]}
        assert not fired & set(r["facts"]["never_enabled"])


def test_bounded_and_k_induction_verdicts() -> None:
    doc = check("specs/examples/counter.yaml", "--engine", "bmc", "--depth", "3")
    b = record(doc, "below_limit")
    assert (b["verdict"]["status"], b["verdict"]["depth"], b["verdict"]["engine"]) == ("holds_bounded", 3, "bmc")
    assert (b["facts"]["states"], b["facts"]["phases"], b["facts"]["depth_reached"]) == (None, [], 3)
    assert record(doc, "never_two")["verdict"]["depth"] == 2
    doc = check("tests/specs/counter_pair.yaml", "--engine", "kind", "--depth", "5", "--property", "y_le_3")
    v = record(doc, "y_le_3")["verdict"]
    assert (v["status"], v["engine"], type(v["k"])) == ("proved", "kind", int)
    assert v["invariant"].startswith("mined_0:")


def test_unknown_when_the_state_limit_stops_the_search() -> None:
    doc = check("specs/examples/peterson.yaml", "--max-states", "5", code=3)
    for r in doc["results"]:
        if r["verdict"]["status"] == "unknown":
            assert r["status"] == "inconclusive" and r["as_expected"] is False
            assert isinstance(r["verdict"]["reason"], str) and r["facts"]["complete"] is False
            assert r["facts"]["states"] == 5
    assert {r["verdict"]["status"] for r in doc["results"]} >= {"unknown"}


def test_liveness_lasso_has_its_loop_index() -> None:
    doc = check("specs/examples/spinlock.yaml", "--variant", "unfair", "--property", "no_starvation")
    r = record(doc, "no_starvation", "unfair")
    assert (r["kind"], r["verdict"]["status"]) == ("liveness", "violated")
    t = r["trace"]
    assert isinstance(t["loop"], int) and 0 <= t["loop"] < len(t["states"])
    assert t["states"][-1] == t["states"][t["loop"]]


def test_spec_errors_are_located_data() -> None:
    doc = check("tests/errors/type_mismatch.yaml", code=2)
    assert doc["results"] == []
    assert doc["errors"] == [{"code": "SC301", "message": "cannot compare Color with bool",
                              "expected": "a value of type Color", "notes": [],
                              "file": "tests/errors/type_mismatch.yaml", "line": 13, "column": 22,
                              "end_line": 13, "end_column": 23}]


def test_ci_writes_the_records_check_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "specs").mkdir()
    for name in ("counter.yaml", "retry.yaml", "spinlock.yaml"):
        shutil.copy(ROOT / "specs/examples" / name, tmp_path / "specs" / name)
    monkeypatch.chdir(tmp_path)
    checked = without_timings(check("specs")["results"])
    first = ci(tmp_path / "a.json", "specs", "--cache-dir", "cache")
    assert first["gate"] == {"specs": 3, "cache_hits": 0, "skipped": [], "changed_since": None}
    assert [(r.pop("cached"), r.pop("changed")) for r in first["results"]] == [(False, None)] * len(checked)
    assert without_timings(first["results"]) == checked
    again = ci(tmp_path / "b.json", "specs", "--cache-dir", "cache")
    assert again["gate"]["cache_hits"] == 3 and all(r.pop("cached") for r in again["results"])
    assert [{k: v for k, v in r.items() if k != "changed"} for r in again["results"]] == first["results"]


def test_ci_json_reports_spec_errors_and_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(ROOT / "tests/errors/type_mismatch.yaml", tmp_path / "bad.yaml")
    shutil.copy(ROOT / "specs/examples/counter.yaml", tmp_path / "counter.yaml")
    monkeypatch.chdir(tmp_path)
    doc = ci(tmp_path / "r.json", ".", "--no-cache", code=2)
    assert [(e["code"], e["file"], e["line"], e["column"]) for e in doc["errors"]] == [("SC301", "bad.yaml", 13, 22)]
    assert {r["spec"] for r in doc["results"]} == {"counter.yaml"}
    report = run_gate([SpecFile(tmp_path / "counter.yaml", "counter.yaml")], GateOptions(), None)
    changed = valid(json.loads(reports.gate_json(replace(report, changed_since="HEAD~1"))))
    assert changed["gate"]["changed_since"] == "HEAD~1" and all(r["changed"] for r in changed["results"])


def test_the_schema_rejects_what_the_old_json_wrote() -> None:
    doc = check("specs/examples/counter.yaml")
    good = record(doc, "never_two")
    for bad in ({**good, "verdict": {**good["verdict"], "status": "holds-up-to"}},  # the old word
                {**good, "trace": None},                                      # a violation without its trace
                {**good, "prop": good["property"]},                           # ci's old field name
                {**good, "status": "inconclusive"}):                          # as_expected must agree
        assert not VALIDATOR.is_valid({**doc, "results": [bad]})
    assert not VALIDATOR.is_valid({**doc, "gate": {"specs": 1, "cache_hits": 0, "skipped": [],
                                                   "changed_since": None}})  # check has no gate


def test_the_example_in_docs_json_md_is_what_check_prints() -> None:
    text = (ROOT / "docs/json.md").read_text()
    cmd = "seamcheck check specs/examples/counter.yaml --property never_two -p N=1 --json"
    assert f"`{cmd}` prints" in text
    shown = json.loads(text.split("```json\n", 1)[1].split("```", 1)[0])
    got = check(*cmd.split()[2:-1])
    assert without_timings(valid({**shown, "seamcheck": got["seamcheck"]})) == without_timings(got)
