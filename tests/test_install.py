"""Running seamcheck from anywhere (issue 18): the shipped specs from an installed wheel,
directories with no spec, .yml files, and traces whose spec is not where #meta.source says.

NOTE(shipped-specs) in setup.py; NOTE(trace-source) in checker/traces/load.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import cli
from checker.run import specs as specs_module
from checker.run.specs import NoSpecsError, shipped_path, shipped_specs, spec_files

ROOT = Path(__file__).resolve().parent.parent
PETERSON = ROOT / "specs" / "examples" / "peterson.yaml"
COUNTER = ROOT / "specs" / "examples" / "counter.yaml"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def normal(text: str, tmp: Path) -> str:
    return text.replace(str(tmp), "<tmp>")


# ---- where the shipped specs are ---------------------------------------------------------------

def test_a_checkout_uses_its_own_specs() -> None:
    assert shipped_specs() == ROOT / "specs"
    assert shipped_path("specs/tdx") == ROOT / "specs" / "tdx"
    assert shipped_path("specs/examples/counter.yaml") == COUNTER
    with pytest.raises(ValueError):
        shipped_path("tdx")


def test_an_install_uses_its_package_data_never_the_current_directory(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site-packages"
    (site / "seamcheck_specs" / "tdx").mkdir(parents=True)
    shutil.copy(ROOT / "specs" / "tdx" / "teardown.yaml", site / "seamcheck_specs" / "tdx")
    (site / "specs" / "tdx").mkdir(parents=True)          # the directory issue 18's install looked for,
    (site / "pyproject.toml").write_text('[project]\nname = "another"\n')    # and another package's stray file
    monkeypatch.setattr(specs_module, "CHECKOUT", site)   # not seamcheck's pyproject.toml: not a checkout
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "seamcheck_specs", raising=False)
    monkeypatch.chdir(ROOT)                               # a specs/ in the current directory is not used
    assert shipped_specs() == site / "seamcheck_specs"
    assert shipped_path("specs/tdx/teardown.yaml").read_text() == (ROOT / "specs/tdx/teardown.yaml").read_text()


def test_an_install_without_the_package_data_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(specs_module, "CHECKOUT", tmp_path)
    monkeypatch.setattr(specs_module, "SHIPPED_PACKAGE", "seamcheck_specs_not_installed")
    with pytest.raises(FileNotFoundError, match="shipped specs .* are not installed"):
        shipped_specs()
    r = CliRunner().invoke(cli.main, [])
    assert r.exit_code == 4 and "seamcheck's shipped specs (package seamcheck_specs_not_installed) are not " \
        "installed" in r.stderr


# ---- scanning directories ----------------------------------------------------------------------

def test_yml_files_are_found_beside_yaml_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "s" / "sub").mkdir(parents=True)
    shutil.copy(COUNTER, tmp_path / "s" / "b.yaml")
    shutil.copy(COUNTER, tmp_path / "s" / "sub" / "a.yml")
    (tmp_path / "s" / "notes.txt").write_text("not a spec\n")
    monkeypatch.chdir(tmp_path)
    assert [f.shown for f in spec_files(["s"])] == ["s/b.yaml", "s/sub/a.yml"]
    r = run("check", "s")
    assert r.exit_code == 0 and "s/sub/a.yml" in r.stdout and "s/b.yaml" in r.stdout
    assert "10 properties: 10 as expected" in r.stdout


def test_a_directory_with_no_spec_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, golden) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "empty").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "README.md").write_text("no spec here\n")
    (tmp_path / "specs").mkdir()
    shutil.copy(COUNTER, tmp_path / "specs" / "counter.yaml")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NoSpecsError):
        spec_files(["specs", "empty"])
    out = ""
    for args in (["check", "empty"], ["check", "specs", "docs"], ["ci", "empty"], ["ci", "--no-cache", "docs"]):
        r = run(*args)
        assert r.exit_code == 2 and r.stdout == "", args
        out += f"$ seamcheck {' '.join(args)}\n{r.stderr}"
    golden("cli/install/no_specs.txt", out)


def test_the_main_job_on_a_suite_with_no_spec_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "specs" / "none").mkdir(parents=True)
    monkeypatch.setattr(specs_module, "CHECKOUT", tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "seamcheck"\n')
    monkeypatch.setattr(cli, "DEFAULT_SUITE", ("specs/none",))
    r = CliRunner().invoke(cli.main, [])
    assert r.exit_code == 2 and "no spec files (*.yaml, *.yml) in " in r.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_ci_changed_since_with_nothing_changed_says_so_and_passes(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "specs").mkdir()
    shutil.copy(COUNTER, tmp_path / "specs" / "counter.yml")
    monkeypatch.chdir(tmp_path)
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "base"]):
        subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], check=True, capture_output=True)
    r = run("ci", "--changed-since", "HEAD", "--no-cache")
    assert r.exit_code == 0 and "no spec changed since HEAD: nothing to check\n" in r.stdout
    assert "1 unchanged spec skipped" in r.stdout
    (tmp_path / "specs" / "counter.yml").write_text(COUNTER.read_text() + "\n")
    r = run("ci", "--changed-since", "HEAD", "--no-cache")
    assert r.exit_code == 0 and "nothing to check" not in r.stdout and "1 spec (0 from cache)" in r.stdout


# ---- a trace whose spec is not where #meta.source says -----------------------------------------

def test_a_trace_whose_spec_is_missing_is_refused_naming_the_paths_tried(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch,
                                                                         golden) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    saved = tmp_path / "traces" / "mutex.itf.json"
    saved.parent.mkdir()
    assert run("check", "specs/examples/peterson.yaml", "--variant", "turn_first", "--property", "mutex",
               "--trace-out", str(saved)).exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    out = ""
    for args in (["trace", "render", str(saved)], ["trace", "convert", str(saved), "-f", "text"]):
        r = run(*args)
        assert r.exit_code == 2 and r.stdout == "" and "give --spec FILE" in r.stderr, args
        assert f"--spec {PETERSON}" in r.stderr          # suggested, never used
        out += normal(r.stderr.replace(str(ROOT), "<checkout>"), tmp_path)
    r = CliRunner().invoke(cli.main, ["replay", str(PETERSON), str(saved)])
    assert r.exit_code == 0                              # replay names its spec itself
    golden("cli/install/trace_spec_missing.txt", out)
    assert run("trace", "render", str(saved), "--spec", str(PETERSON)).exit_code == 0


# ---- a wheel in a fresh environment, run from outside the checkout ------------------------------

def _normal_report(text: str) -> str:
    """The main job's report without what varies between runs and installs (rates, paths)."""
    text = re.sub(r"[0-9,.]+ states/s", "N states/s", text)
    text = re.sub(r"\S*seamcheck_specs/", "specs/", text)
    return re.sub(r"[0-9.]+ ?s\b", "T s", text)


@pytest.mark.slow
def test_a_wheel_runs_the_main_job_from_anywhere(tmp_path: Path) -> None:
    """pip wheel from a copy of the checkout, install into a fresh venv, run `seamcheck` in /tmp.

    The venv borrows the dependencies (z3, numpy, ...) from this environment through a .pth
    line instead of downloading them; seamcheck itself comes from the wheel alone."""
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", ".seamcheck-cache"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "wheels"),
                    str(src)], check=True, env=env, capture_output=True)
    wheel = next((tmp_path / "wheels").glob("seamcheck-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps",
                    "--no-index", "-q", str(wheel)], check=True, env=env, capture_output=True)
    fresh_site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; "
                                      "print(sysconfig.get_paths()['purelib'])"], check=True, capture_output=True,
                                     text=True).stdout.strip())
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (fresh_site / "zz_seamcheck_test_deps.pth").write_text("".join(f"{d}\n" for d in sorted(deps)))
    away = tmp_path / "away"
    away.mkdir()
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import cli, checker; "
                            "from checker.run.specs import shipped_specs; "
                            "print(cli.__file__, checker.__file__, shipped_specs())"],
                           cwd=away, env=env, check=True, capture_output=True, text=True).stdout.split()
    assert all(Path(p).is_relative_to(fresh_site) for p in where), where
    assert sorted(p.relative_to(where[2]).as_posix() for p in Path(where[2]).rglob("*.yaml")) == \
        sorted(p.relative_to(ROOT / "specs").as_posix() for p in (ROOT / "specs").rglob("*.yaml"))
    installed = subprocess.Popen([str(venv / "bin" / "seamcheck")], cwd=away, env=env, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    checkout = subprocess.run([sys.executable, "cli.py"], cwd=ROOT, env=env, capture_output=True, text=True)
    out, err = installed.communicate()
    assert installed.returncode == 0 == checkout.returncode, err
    assert "error" not in err
    assert _normal_report(out) == _normal_report(checkout.stdout)


# ---- --variant and -p against a trace's own params ---------------------------------------------

def test_a_variant_or_param_that_conflicts_with_the_trace_says_what_conflicts(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch,
                                                                             golden) -> None:  # type: ignore[no-untyped-def]
    """Issue 18: `replay --variant v6_16` on a v19 trace said "no variant 'v6_16' ... did you
    mean 'v6_16'?". Each conflict now names both sides; agreeing choices still replay."""
    import json
    monkeypatch.chdir(ROOT)
    spec = "specs/examples/peterson.yaml"
    saved = tmp_path / "mutex.itf.json"
    assert run("check", spec, "--variant", "turn_first", "--property", "mutex", "--trace-out", str(saved)).exit_code == 0
    data = json.loads(saved.read_text())
    data["#meta"]["params"] = {}
    bare = tmp_path / "bare.itf.json"                  # a trace that does not record its params
    bare.write_text(json.dumps(data))
    data["#meta"]["variant"] = "peterson"
    data["#meta"]["params"] = {"mutant": "turn_first"}
    forged = tmp_path / "forged.itf.json"              # its #meta contradicts itself
    forged.write_text(json.dumps(data))
    out = ""
    for args in (["replay", spec, str(saved), "--variant", "peterson"],
                 ["replay", spec, str(saved), "-p", "mutant=none"],
                 ["trace", "render", str(saved), "--variant", "flag_only"],
                 ["trace", "convert", str(saved), "-f", "text", "-p", "mutant=flag_only"],
                 ["replay", spec, str(bare), "--variant", "turn_first", "-p", "mutant=none"],
                 ["replay", spec, str(forged)]):
        r = run(*args)
        assert r.exit_code == 2 and "did you mean" not in r.stderr, args
        out += normal(f"$ seamcheck {' '.join(args)}\n{r.stderr}", tmp_path)
    golden("cli/install/trace_variant_conflict.txt", out)
    for args in (["replay", spec, str(saved), "--variant", "turn_first", "-p", "mutant=turn_first"],
                 ["replay", spec, str(bare), "--variant", "turn_first"],
                 ["trace", "render", str(saved), "-p", " mutant = turn_first"]):
        assert run(*args).exit_code == 0, args
