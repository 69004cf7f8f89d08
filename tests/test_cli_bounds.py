"""The command line of issue 18's first bullet: `check --engine explicit --depth D` (bounded only
when --depth is given) and `check --all-traces N` (explicit engine only; files with an index)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

import cli
from checker.export.result_json import schema_path

ROOT = Path(__file__).resolve().parent.parent
PETERSON = "specs/examples/peterson.yaml"


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def normalise(text: str) -> str:
    return re.sub(r"[0-9,]+ states/s", "N states/s", text)


def test_a_bound_past_the_diameter_still_proves() -> None:
    # --depth's default (30) is BMC's and leaves the explicit search unbounded; --depth 30
    # given bounds it, and proves here all the same (the diameter is 6)
    plain = run("check", PETERSON, "--variant", "peterson", "--json")
    assert {r["verdict"]["status"] for r in json.loads(plain.stdout)["results"]} == {"proved"}
    given = run("check", PETERSON, "--variant", "peterson", "--depth", "30", "--json")
    assert {r["verdict"]["status"] for r in json.loads(given.stdout)["results"]} == {"proved"}


@pytest.mark.parametrize(("args", "bound"), [((), None), (("--depth", "30"), 30), (("--depth", "4"), 4),
                                             (("--engine", "bmc", "--depth", "4"), None),
                                             (("--engine", "kind"), None)])
def test_only_a_given_depth_bounds_the_explicit_engine(monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...],
                                                       bound: int | None) -> None:
    seen: list[cli.RunOptions] = []

    def fake_run_check(*a: object, **kw: object) -> int:
        seen.append(a[4])     # type: ignore[arg-type]
        return 0
    monkeypatch.setattr(cli, "run_check", fake_run_check)
    run("check", PETERSON, *args)
    assert seen[0].explicit_depth == bound


def test_depth_bound_text(golden) -> None:  # type: ignore[no-untyped-def]
    r = run("check", PETERSON, "--depth", "5", "--no-trace")
    assert r.exit_code == 3     # turn_first's expected violation lies at depth 6
    golden("cli/check_peterson_depth5.txt", normalise(r.stdout))


def test_depth_bound_holds_up_to_and_require_proof() -> None:
    r = run("check", PETERSON, "--variant", "peterson", "--depth", "3", "--json")
    assert r.exit_code == 0
    assert {(x["verdict"]["status"], x["detail"]) for x in json.loads(r.stdout)["results"]} == {
        ("holds_bounded", "holds up to depth 3 (explicit; bounded, not a proof)")}
    strict = run("check", PETERSON, "--variant", "peterson", "--depth", "3", "--require-proof", "--no-trace")
    assert strict.exit_code == 3


def test_depth_bound_on_bmc_is_unchanged() -> None:
    r = run("check", PETERSON, "--variant", "peterson", "--engine", "bmc", "--depth", "3", "--json")
    assert {x["detail"] for x in json.loads(r.stdout)["results"]} == {"holds up to depth 3 (bmc, depths 0-3 by explicit search; bounded, not a proof)"}


def test_all_traces_needs_the_explicit_engine() -> None:
    r = CliRunner().invoke(cli.main, ["check", PETERSON, "--engine", "bmc", "--all-traces", "2"])
    assert r.exit_code == 2 and "--all-traces needs --engine explicit (not bmc)" in r.output


def test_all_traces_text_and_files(tmp_path: Path, golden) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "cex.itf.json"
    r = run("check", PETERSON, "--variant", "turn_first", "--property", "mutex", "--all-traces", "3",
            "--trace-out", str(out))
    assert r.exit_code == 0
    assert "  3 distinct counterexamples for mutex, shortest first: 2 of the minimal length 6\n" in r.stdout
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["cex.turn_first.mutex.2.itf.json", "cex.turn_first.mutex.3.itf.json",
                     "cex.turn_first.mutex.itf.json"]
    depths = [json.loads((tmp_path / n).read_text())["#meta"]["depth"] for n in names]
    assert depths == [6, 10, 6]
    for n in names:
        rep = CliRunner().invoke(cli.main, ["replay", PETERSON, str(tmp_path / n)], catch_exceptions=False)
        assert rep.exit_code == 0, rep.stdout
    golden("cli/check_all_traces.txt", normalise(r.stdout.replace(str(tmp_path), "TMP")))


def test_all_traces_json() -> None:
    r = run("check", PETERSON, "--variant", "flag_only", "--property", "deadlock", "--all-traces", "2", "--json")
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, json.loads(Path(schema_path()).read_text()))
    [rec] = doc["results"]
    assert rec["all_traces"] == [
        ["proc[0].raise_flag()", "proc[1].raise_flag()", "proc[0].give_turn()", "proc[1].give_turn()"],
        ["proc[0].raise_flag()", "proc[1].raise_flag()", "proc[1].give_turn()", "proc[0].give_turn()"]]
