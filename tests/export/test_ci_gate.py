"""checker/gate/gate.py: the cache key, the cache, --changed-since selection and the reports."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from export_cases import ROOT

from checker.export.result_json import without_timings
from checker.gate import cache as gcache
from checker.gate import cases, changed, reports
from checker.gate.gate import run_gate
from checker.run.specs import SpecFile
from model.source import SourceFile

COUNTER = (ROOT / "specs/examples/counter.yaml").read_text()


DEFAULT = cases.GateOptions()


def key(text: str, opts: cases.GateOptions = DEFAULT) -> str:
    return gcache.cache_key(SourceFile("specs/c.yaml", text), opts)


def test_cache_key_ignores_comments_and_layout() -> None:
    edited = "# a new comment\n" + COUNTER.replace("params:\n", "params:   # trailing\n\n")
    assert key(edited) == key(COUNTER)
    flow = COUNTER.replace('  N: {default: 2, min: 1, max: 4, doc: "number of incrementers"}',
                           '  N:\n    default: 2\n    min: 1\n    max: 4\n    doc: "number of incrementers"')
    assert flow != COUNTER and key(flow) == key(COUNTER)


def test_cache_key_sees_meaning_options_and_path() -> None:
    assert key(COUNTER.replace("default: 3, min: 1, max: 10, doc: \"counter bound\"",
                               "default: 4, min: 1, max: 10, doc: \"counter bound\"")) != key(COUNTER)
    assert key(COUNTER.replace("expect: violated", "expect: holds")) != key(COUNTER)
    assert key(COUNTER, cases.GateOptions(engine="bmc")) != key(COUNTER)
    assert gcache.cache_key(SourceFile("specs/other.yaml", COUNTER), cases.GateOptions()) != key(COUNTER)
    # quoting can change meaning (a quoted name is never a YAML boolean), so it counts
    assert key(COUNTER.replace("init: ready", 'init: "ready"')) != key(COUNTER)


def files(*paths: Path) -> list[SpecFile]:
    return [SpecFile(p, p.name) for p in paths]


def test_gate_caches_decided_results(tmp_path: Path) -> None:
    spec = tmp_path / "counter.yaml"
    spec.write_text(COUNTER)
    cache = gcache.Cache(tmp_path / "cache")
    first = run_gate(files(spec), cases.GateOptions(), cache)
    assert first.cache_hits == 0 and first.exit_code == 0 and not any(r.cached for r in first.results)
    again = run_gate(files(spec), cases.GateOptions(), cache)
    assert again.cache_hits == 1 and all(r.cached for r in again.results)
    assert [r.verdict for r in again.results] == [r.verdict for r in first.results]
    assert (tmp_path / "cache" / ".gitignore").exists()


def test_flipped_expectation_fails_with_the_trace_in_junit(tmp_path: Path) -> None:
    spec = tmp_path / "counter.yaml"
    spec.write_text(COUNTER.replace("expect: violated", "expect: holds"))
    report = run_gate(files(spec), cases.GateOptions(), None)
    assert report.exit_code == 1
    root = ET.fromstring(reports.junit_xml(report))
    assert root.get("failures") == "1" and root.get("tests") == "5"
    (case,) = [c for c in root.iter("testcase") if c.find("failure") is not None]
    assert case.get("name") == "never_two"
    failure = case.find("failure")
    assert failure is not None and "never_two" in failure.get("message", "")
    assert "Step 2: inc[0].step()" in (failure.text or "") and "seamcheck check" in (failure.text or "")


def test_spec_errors_are_reported_not_cached(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("spec: x\nvars: [\n")
    cache = gcache.Cache(tmp_path / "cache")
    report = run_gate(files(spec), cases.GateOptions(), cache)
    assert report.exit_code == 2 and report.results[0].prop == cases.LOAD
    assert "SC100" in (report.results[0].trace or "")
    assert not (tmp_path / "cache").exists()
    root = ET.fromstring(reports.junit_xml(report))
    assert root.get("errors") == "1"


def test_corrupt_cache_entries_are_misses(tmp_path: Path) -> None:
    spec = tmp_path / "counter.yaml"
    spec.write_text(COUNTER)
    cache = gcache.Cache(tmp_path / "cache")
    run_gate(files(spec), cases.GateOptions(), cache)
    for f in (tmp_path / "cache").glob("*.json"):
        f.write_text("{not json")
    assert run_gate(files(spec), cases.GateOptions(), cache).cache_hits == 0


def test_json_report_is_deterministic_but_for_timings(tmp_path: Path) -> None:
    spec = tmp_path / "counter.yaml"
    spec.write_text(COUNTER)
    a = reports.gate_json(run_gate(files(spec), cases.GateOptions(), None))
    b = reports.gate_json(run_gate(files(spec), cases.GateOptions(), None))
    assert without_timings(json.loads(a)) == without_timings(json.loads(b)) and '"elapsed_s"' not in a


def test_select_changed_follows_includes(tmp_path: Path) -> None:
    a, b, c = (tmp_path / n for n in ("a.yaml", "b.yaml", "c.yaml"))
    fs = files(a, b, c)
    assert changed.select_changed(fs, {b.resolve()}) == files(b)
    # the hook an include mechanism will fill in: a includes c, c includes b
    graph = {a.resolve(): {c}, c.resolve(): {b}}
    picked = changed.select_changed(fs, {b.resolve()}, lambda p: graph.get(p.resolve(), set()))
    assert picked == files(a, b, c)
    cyclic = {a.resolve(): {b}, b.resolve(): {a}}
    assert changed.select_changed(fs, {c.resolve()}, lambda p: cyclic.get(p.resolve(), set())) == files(c)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_changed_files_from_git(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)
    git("init", "-q")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "base")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "old.yaml").write_text("a: 1\n")
    git("add", ".")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "-m", "old")
    (tmp_path / "specs" / "new.yaml").write_text("b: 1\n")
    assert changed.changed_files("HEAD", tmp_path) == {(tmp_path / "specs" / "new.yaml").resolve()}
    assert changed.changed_files("HEAD~1", tmp_path / "specs") == {
        (tmp_path / "specs" / n).resolve() for n in ("old.yaml", "new.yaml")}
    with pytest.raises(cases.GateError):
        changed.changed_files("no-such-rev", tmp_path)


def test_plain_table_and_summary(tmp_path: Path) -> None:
    spec = tmp_path / "counter.yaml"
    spec.write_text(COUNTER)
    report = run_gate(files(spec), cases.GateOptions(), None)
    table = reports.table_text(report)
    assert table.splitlines()[0].split() == list(reports.COLUMNS)
    assert "never_two" in table and reports.summary(report).startswith("1 spec (0 from cache)")


# ---- the cache key follows seamcheck's own code (issue 14) ----------------------------------------

def test_cache_key_changes_with_seamcheck_code(monkeypatch: pytest.MonkeyPatch) -> None:
    before = key(COUNTER)
    monkeypatch.setattr(gcache, "installed_code_hash", lambda: "0" * 64)   # as if an engine was edited
    assert key(COUNTER) != before
    assert gcache.tool_versions()["code"] == "0" * 64


def test_code_hash_covers_every_source_file(tmp_path: Path) -> None:
    # a copy of the code: the hash is of the files' content, wherever they are
    for pkg in gcache.CODE_PACKAGES:
        shutil.copytree(ROOT / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "cli.py", tmp_path / "cli.py")
    (tmp_path / "checker" / "__pycache__").mkdir(exist_ok=True)
    (tmp_path / "checker" / "__pycache__" / "stale.py").write_text("X = 1\n")

    def files() -> list[tuple[str, Path]]:
        return gcache.code_files([(p, tmp_path / p) for p in gcache.CODE_PACKAGES],
                                 [(m, tmp_path / f"{m}.py") for m in gcache.CODE_MODULES])
    names = {n for n, _ in files()}
    assert {"cli.py", "model/expr_grammar.lark", "checker/explicit/search.py", "checker/gate/cache.py"} <= names
    assert not any("__pycache__" in n for n in names)
    base = gcache.code_hash(files())
    assert base == gcache.code_hash(reversed(files()))
    # the copy hashes like the code this process runs (the names do not say where the files are)
    assert base == gcache.installed_code_hash()
    for edited in ("checker/explicit/search.py", "model/expr_grammar.lark", "cli.py"):
        p = tmp_path / edited
        old = p.read_text()
        p.write_text(old.replace("deadlock", "dead_lock") + "\n# edited\n")
        assert gcache.code_hash(files()) != base, edited
        p.write_text(old)
    assert gcache.code_hash(files()) == base
    (tmp_path / "checker" / "new_module.py").write_text("X = 1\n")
    assert gcache.code_hash(files()) != base


def test_code_is_read_from_where_it_is_imported() -> None:
    import checker
    import cli
    packages, modules = gcache.code_locations()
    assert ("checker", Path(checker.__path__[0])) in packages and ("cli", Path(cli.__file__)) in modules
    assert {p for _, p in packages} == {ROOT / "checker", ROOT / "model"}   # this checkout, as imported


def test_code_hash_is_computed_once_per_process() -> None:
    assert gcache.installed_code_hash() is gcache.installed_code_hash()
    assert gcache.installed_code_hash.cache_info().hits >= 1   # type: ignore[attr-defined]


def test_edited_code_is_a_cache_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "counter.yaml"
    spec.write_text(COUNTER)
    cache = gcache.Cache(tmp_path / "cache")
    assert run_gate(files(spec), cases.GateOptions(), cache).cache_hits == 0
    assert run_gate(files(spec), cases.GateOptions(), cache).cache_hits == 1
    monkeypatch.setattr(gcache, "installed_code_hash", lambda: "edited engine, same version")
    assert run_gate(files(spec), cases.GateOptions(), cache).cache_hits == 0


def test_ci_bounds_the_explicit_engine_only_when_depth_is_given(tmp_path: Path) -> None:
    """As `check`: --depth bounds the explicit search only when given (NOTE(explicit-depth)), and
    the bound is part of the cache key."""
    from click.testing import CliRunner

    import cli
    peterson = str(ROOT / "specs" / "examples" / "peterson.yaml")
    bounded = CliRunner().invoke(cli.main, ["ci", peterson, "--depth", "5", "--no-cache"])
    assert bounded.exit_code == 3      # turn_first's expected mutex violation lies at depth 6
    assert "holds up to depth 5 (explicit; bounded, not a proof)" in bounded.stdout
    plain = CliRunner().invoke(cli.main, ["ci", peterson, "--no-cache"])
    assert plain.exit_code == 0 and "holds up to depth" not in plain.stdout
    assert key(COUNTER, cases.GateOptions(explicit_depth=5)) != key(COUNTER)
