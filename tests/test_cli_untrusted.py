"""Issue 14: input that arrives in pull requests, bug reports or CI variables, and options that
used to crash. Each case fails cleanly (exit 2 with a message, golden where a user reads it),
never a traceback, exit 4, a hang, or the content of a file that is not a spec.

NOTE(untrusted-paths) in checker/run/specs.py, NOTE(trace-source) in checker/traces/load.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import cli
from checker.export.result_json import without_timings

ROOT = Path(__file__).resolve().parent.parent
COUNTER = ROOT / "specs/examples/counter.yaml"
PETERSON = ROOT / "specs/examples/peterson.yaml"
SECRET = "hunter2-do-not-print"


def run(*args: str) -> Result:
    r = CliRunner().invoke(cli.main, list(args), catch_exceptions=False)
    assert "Traceback" not in r.output and r.exit_code != 4, r.output
    return r


def normal(text: str, tmp: Path) -> str:
    """Golden-stable: the temporary directory and a process id replaced."""
    return re.sub(r"/proc/\d+/", "/proc/PID/", text.replace(str(tmp.resolve()), "<tmp>").replace(str(tmp), "<tmp>"))


def seamcheck(*args: str, cwd: Path, timeout: float = 120, **kw: object) -> subprocess.CompletedProcess[str]:
    """The console entry in a subprocess (for what only a real process shows: pipes, FIFOs)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", "import cli; cli.entry()", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False, **kw)  # type: ignore[call-overload]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """repo/specs/counter.yaml, and outside/secret.yaml beside the repository."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.yaml").write_text(f"TOKEN={SECRET}\n")
    (tmp_path / "repo" / "specs").mkdir(parents=True)
    shutil.copy(COUNTER, tmp_path / "repo" / "specs" / "counter.yaml")
    monkeypatch.chdir(tmp_path / "repo")
    return tmp_path / "repo"


# ---- symbolic links and special files ---------------------------------------------------------

def test_ci_refuses_a_symlink_out_of_the_tree(repo: Path, golden) -> None:  # type: ignore[no-untyped-def]
    (repo / "specs" / "evil.yaml").symlink_to("/proc/self/environ")
    (repo / "specs" / "leak.yaml").symlink_to(repo.parent / "outside" / "secret.yaml")
    r = run("ci", "--no-cache", "--junit", "junit.xml")
    assert r.exit_code == 2
    everything = r.output + (repo / "junit.xml").read_text()
    assert SECRET not in everything and "PATH=" not in everything
    assert "5 as expected" in r.stdout          # the other specs are still checked
    golden("cli/untrusted/ci_symlinks.txt", normal(r.stdout, repo.parent))


def test_check_refuses_symlinks_out_of_the_tree_or_directory(repo: Path, golden) -> None:  # type: ignore[no-untyped-def]
    (repo / "specs" / "leak.yaml").symlink_to(repo.parent / "outside" / "secret.yaml")
    r = run("check", "specs")
    assert r.exit_code == 2 and SECRET not in r.output
    (repo / "leak.yaml").symlink_to(repo.parent / "outside" / "secret.yaml")
    named = run("check", "leak.yaml")                   # named directly: outside the current directory
    assert named.exit_code == 2 and SECRET not in named.output
    golden("cli/untrusted/check_symlinks.txt", normal(r.stderr + named.stderr, repo.parent))
    for cmd in (["show"], ["graph"]):
        assert SECRET not in run(*cmd, "leak.yaml").output


def test_symlinks_inside_the_tree_are_followed(repo: Path) -> None:
    (repo / "specs" / "again.yaml").symlink_to("counter.yaml")
    (repo / "counter_link.yaml").symlink_to(repo / "specs" / "counter.yaml")
    r = run("ci", "--no-cache")
    assert r.exit_code == 0 and "2 specs" in r.stdout and "10 as expected" in r.stdout
    assert run("check", "counter_link.yaml").exit_code == 0
    # a spec outside the current directory named by its own path is the user's choice
    outside = repo.parent / "outside" / "counter.yaml"
    shutil.copy(COUNTER, outside)
    assert run("check", str(outside)).exit_code == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_being_opened(repo: Path, golden) -> None:  # type: ignore[no-untyped-def]
    os.mkfifo(repo / "specs" / "pipe.yaml")
    os.mkfifo(repo / "trace.itf.json")
    t0 = time.monotonic()
    ci = seamcheck("ci", "--no-cache", cwd=repo)
    check = seamcheck("check", "specs/pipe.yaml", cwd=repo)
    trace = seamcheck("trace", "render", "trace.itf.json", cwd=repo)
    assert time.monotonic() - t0 < 100
    assert (ci.returncode, check.returncode, trace.returncode) == (2, 2, 2)
    assert "5 as expected" in ci.stdout
    golden("cli/untrusted/fifo.txt", ci.stdout.split("\n\n")[1] + "\n" + check.stderr + trace.stderr)


def test_a_file_that_is_no_spec_is_not_quoted(repo: Path, golden) -> None:  # type: ignore[no-untyped-def]
    (repo / "passwd.yaml").write_text(f"root:x:0:0:{SECRET}:/root:/bin/bash\nbin:x:1:1\n")
    (repo / "environ.yaml").write_bytes(f"TOKEN={SECRET}\0HOME=/root\0".encode())
    (repo / "config.yaml").write_text(f"password: {SECRET}: x\nport: 1\n")
    out = ""
    for name in ("passwd.yaml", "environ.yaml", "config.yaml"):
        r = run("check", name)
        assert r.exit_code == 2 and SECRET not in r.output and "text is not shown" in r.stderr, name
        out += r.stderr
    golden("cli/untrusted/not_a_spec.txt", out)
    # a spec with the same kind of error is still quoted: its author needs the line
    (repo / "broken.yaml").write_text("spec: broken\nvars: x: y\n")
    r = run("check", "broken.yaml")
    assert r.exit_code == 2 and "| vars: x: y" in r.stderr and "not shown" not in r.stderr


# ---- traces: #meta.source ------------------------------------------------------------------------

@pytest.fixture
def saved(repo: Path) -> Path:
    shutil.copy(PETERSON, repo / "specs" / "peterson.yaml")
    out = repo / "out" / "mutex.itf.json"
    out.parent.mkdir()
    r = run("check", "specs/peterson.yaml", "--variant", "turn_first", "--property", "mutex", "--trace-out", str(out))
    assert r.exit_code == 0
    return out


def with_source(trace: Path, source: str, name: str = "edited.itf.json") -> Path:
    data = json.loads(trace.read_text())
    data["#meta"]["source"] = source
    out = trace.parent / name
    out.write_text(json.dumps(data))
    return out


def test_trace_source_must_be_a_yaml_file_in_the_tree(saved: Path, repo: Path, golden) -> None:  # type: ignore[no-untyped-def]
    passwd = repo.parent / "outside" / "passwd"
    passwd.write_text(f"root:x:0:0:{SECRET}:/root:/bin/bash\n")
    (repo / "out" / "link.yaml").symlink_to(repo.parent / "outside" / "secret.yaml")
    out = ""
    for source in (str(passwd), "/etc/passwd", str(repo.parent / "outside" / "secret.yaml"),
                   "../../outside/secret.yaml", "link.yaml", "nowhere/gone.yaml"):
        r = run("trace", "render", str(with_source(saved, source)))
        assert r.exit_code == 2 and SECRET not in r.output and "root:" not in r.output.replace('"', ""), source
        assert "give --spec" in r.stderr
        out += r.stderr
    golden("cli/untrusted/trace_source.txt", normal(out, repo.parent))
    assert run("trace", "render", str(with_source(saved, "/etc/passwd")), "--spec", "specs/peterson.yaml").exit_code == 0


def test_trace_source_in_the_current_or_the_trace_directory(saved: Path, repo: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("trace", "render", str(saved)).exit_code == 0                  # specs/... from the cwd
    shutil.copy(PETERSON, repo / "out" / "beside.yaml")
    beside = with_source(saved, "beside.yaml")
    monkeypatch.chdir(repo.parent / "outside")
    r = run("trace", "render", str(beside))                                 # found beside the trace
    assert r.exit_code == 0 and "Race: mutex violated" in r.stdout
    assert run("trace", "render", str(saved)).exit_code == 2                # specs/... is in neither tree


# ---- --changed-since ---------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_changed_since_is_a_revision_never_an_option(repo: Path, golden) -> None:  # type: ignore[no-untyped-def]
    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=repo, check=True,
                       capture_output=True)
    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "base")
    out = ""
    for value in ("--output=written.txt", "-p", "", "no-such-rev", "HEAD:specs", "HEAD --output=x", "HEAD\n"):
        r = run("ci", "--no-cache", "--changed-since", value)
        assert r.exit_code == 2 and "0 specs" not in r.stdout, value
        out += r.stderr
    assert not (repo / "written.txt").exists() and not (repo / "x").exists()
    golden("cli/untrusted/changed_since.txt", out)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
    for good in ("HEAD", head, head[:10], "HEAD^{commit}"):
        r = run("ci", "--no-cache", "--changed-since", good)
        assert r.exit_code == 0 and "1 unchanged spec skipped" in r.stdout, good


# ---- --timeout, --dask -----------------------------------------------------------------------------

ENGINES = ["explicit", "bmc", "kind", "pdr", "auto", "portfolio"]


@pytest.mark.parametrize("engine", ENGINES)
def test_timeout_inf_is_no_limit(engine: str) -> None:
    r = run("check", str(COUNTER), "--engine", engine, "--depth", "5", "--timeout", "inf", "--json")
    assert r.exit_code == 0
    again = run("check", str(COUNTER), "--engine", engine, "--depth", "5", "--json")
    assert without_timings(json.loads(r.stdout)) == without_timings(json.loads(again.stdout)) or \
        engine == "portfolio"    # which engine answers first may differ from run to run


@pytest.mark.parametrize("value", ["nan", "NaN", "-inf", "0", "-1", "1e308", "2e6", "ten"])
@pytest.mark.parametrize("cmd", ["check", "ci"])
def test_bad_timeouts_are_usage_errors(cmd: str, value: str, repo: Path) -> None:
    for engine in (ENGINES if value == "nan" else ["explicit"]):
        r = run(cmd, "specs", "--engine", engine, "--timeout", value)
        assert r.exit_code == 2 and "Invalid value for '--timeout'" in r.stderr, (engine, r.output)


def test_timeout_messages(golden) -> None:  # type: ignore[no-untyped-def]
    golden("cli/untrusted/timeout.txt", run("check", str(COUNTER), "--timeout", "nan").stderr +
           run("ci", "--timeout", "ten").stderr)


def test_ci_timeout_inf_is_the_same_cache_entry(repo: Path) -> None:
    assert "(0 from cache)" in run("ci").stdout
    assert "(1 from cache)" in run("ci", "--timeout", "inf").stdout


def test_bad_dask_addresses_fail_fast(golden) -> None:  # type: ignore[no-untyped-def]
    out = ""
    for address in ("tcp://127.0.0.1:1", "not a url", "tcp://127.0.0.1:x"):
        t0 = time.monotonic()
        r = run("check", str(COUNTER), "--dask", address)
        assert r.exit_code == 2 and "Invalid value for '--dask'" in r.stderr, address
        assert time.monotonic() - t0 < cli.DASK_CONNECT_S + 10
        out += re.sub(r"\[Errno \d+\]", "[Errno N]", r.stderr)
    golden("cli/untrusted/dask.txt", out)


# ---- ITF numbers -----------------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["nan", "infinity", "minus_infinity", "bigint_5000", "key_bigint_5000",
                                  "number_5000", "loop_nan"])
def test_itf_non_numbers_and_huge_integers(case: str, saved: Path, golden) -> None:  # type: ignore[no-untyped-def]
    text = saved.read_text()
    turn = re.search(r'"turn": (\{"#bigint": "[01]"\})', text)          # a value (an int)
    key = re.search(r'"flag": \{"#map": \[\[(\{"#bigint": "0"\})', text)  # a map key
    assert turn is not None and key is not None
    huge = '{"#bigint": "' + "7" * 5000 + '"}'
    edit = {"nan": "NaN", "infinity": "Infinity", "minus_infinity": "-Infinity", "bigint_5000": huge,
            "key_bigint_5000": huge, "number_5000": "9" * 5000}
    at = key if case == "key_bigint_5000" else turn
    if case == "loop_nan":
        bad = text.rstrip()[:-1] + ', "loop": NaN}'
    else:
        bad = text[:at.start(1)] + edit[case] + text[at.end(1):]
    path = saved.parent / f"{case}.itf.json"
    path.write_text(bad)
    for args in (["trace", "render", str(path)], ["replay", "specs/peterson.yaml", str(path)]):
        r = run(*args)
        assert r.exit_code == 2 and re.match(r"out/\w+\.itf\.json:\d+:\d+: error\[SC50[14]\]", r.stderr), r.stderr
    golden(f"cli/untrusted/itf_{case}.txt", r.stderr)


def test_itf_text_that_is_no_json_is_not_quoted(repo: Path) -> None:
    (repo / "passwd.itf.json").write_text(f"root:x:0:0:{SECRET}:/root:/bin/bash\n")
    r = run("trace", "render", "passwd.itf.json")
    assert r.exit_code == 2 and "error[SC501]" in r.stderr and SECRET not in r.output


# ---- a reader that goes away --------------------------------------------------------------------------

@pytest.mark.parametrize("args", [["check", "specs/examples/peterson.yaml"],      # fails at the final flush
                                  ["show", "specs/tdx/teardown.yaml"]])           # fails inside the command
def test_broken_pipe_exits_quietly(args: list[str]) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen([sys.executable, "-c", "import cli; cli.entry()", *args], cwd=ROOT, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout is not None and p.stderr is not None
    p.stdout.close()               # like `| head -1` once it has its line: nobody reads any more
    err = p.stderr.read().decode()
    assert p.wait(timeout=300) == cli.EXIT_PIPE == 141
    assert err == ""
