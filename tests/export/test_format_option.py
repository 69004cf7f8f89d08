"""`check --format`: inline traces use it with or without --trace-out; with --json it needs
--trace-out (a usage error otherwise, never silently ignored); `trace render -f race-lp`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import cli

ROOT = Path(__file__).resolve().parents[2]
COUNTER = "specs/examples/counter.yaml"
LANES = "tests/specs/lanes.yaml"


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def test_trace_out_with_format_prints_inline_traces_in_that_format_too(tmp_path: Path) -> None:
    out = tmp_path / "cex.txt"
    r = run("check", COUNTER, "--property", "never_two", "--trace-out", str(out), "--format", "race", "--traces")
    assert r.exit_code == 0
    assert "    Race: never_two violated in counter (2 steps)" in r.stdout.splitlines()
    assert out.read_text().startswith("Race: never_two violated in counter (2 steps)\n")


def test_trace_out_without_format_keeps_text_inline(tmp_path: Path) -> None:
    out = tmp_path / "cex.race.txt"
    r = run("check", COUNTER, "--property", "never_two", "--trace-out", str(out), "--traces")
    assert r.exit_code == 0 and "    State 0 (initial):" in r.stdout.splitlines()
    assert out.read_text().startswith("Race: never_two violated")


@pytest.mark.parametrize("fmt", ["race", "race-lp", "text", "itf"])
def test_json_with_format_and_no_trace_out_is_a_usage_error(fmt: str) -> None:
    r = run("check", COUNTER, "--json", "--format", fmt)
    assert r.exit_code == 2 and r.stdout == ""
    assert f"--format {fmt} with --json: JSON records carry traces as data" in r.stderr


def test_json_with_format_and_trace_out_writes_the_rendered_trace(tmp_path: Path) -> None:
    out = tmp_path / "cex.txt"
    r = run("check", COUNTER, "--property", "never_two", "--json", "--trace-out", str(out), "--format", "race-lp")
    assert r.exit_code == 0
    assert json.loads(r.stdout)   # the record itself is the json engineer's (schema)
    assert out.read_text().startswith("Race per LP: never_two violated in counter (2 steps)\n")


def test_check_inline_race_lp(golden) -> None:  # type: ignore[no-untyped-def]
    r = run("check", LANES, "--format", "race-lp")
    assert r.exit_code == 0
    assert "    Race per LP: flushdone_succeeds violated in lanes (5 steps)" in r.stdout.splitlines()


def test_trace_render_race_lp(tmp_path: Path, golden) -> None:  # type: ignore[no-untyped-def]
    saved = tmp_path / "cex.itf.json"
    assert run("check", LANES, "--trace-out", str(saved)).exit_code == 0
    r = run("trace", "render", str(saved), "-f", "race-lp", "--spec", LANES)
    assert r.exit_code == 0
    golden("export/lanes_flushdone.race-lp.txt", r.stdout.replace("0.0.0-test", ""))


def test_no_trace_with_format_and_no_trace_out_is_a_usage_error() -> None:
    r = run("check", COUNTER, "--no-trace", "--format", "race")
    assert r.exit_code == 2 and r.stdout == ""
    assert "--format race with --no-trace: no trace is shown" in r.stderr
