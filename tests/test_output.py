"""What `check` and the main job print (issue 18): one line per property, counterexamples only
for results not as expected (or with --traces), the closing list of what was not as expected,
colour (--color, NO_COLOR), --coverage, wrapped vacuity lines, declaration order, wording, and
the progress line's text per phase (a fake clock)."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import cli
from checker.core.budget import Budget, Progress
from checker.export.colour import use_colour
from checker.export.progress import Bounds, ProgressLine, phase_text
from checker.export.report import WIDTH, wrap_names
from model.load import load_spec

ROOT = Path(__file__).resolve().parent.parent
SUITE = "tests/specs/suite"                 # the main job's suite in these tests: all as expected
WRONG = "tests/specs/wrong_expect.yaml"     # one unexpected violation, one unexpected proof
HANDOFF = "tests/specs/suite/handoff.yaml"
ESC = "\x1b["


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)   # display paths are relative to the working directory


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False, env=env)


def main_job(monkeypatch: pytest.MonkeyPatch, *args: str, suite: tuple[str, ...] = (SUITE,)) -> Result:
    monkeypatch.setattr(cli, "DEFAULT_SUITE", suite)
    monkeypatch.setattr(cli, "shipped_path", lambda p: ROOT / p)   # a suite from tests/, not the shipped specs
    return run(*args)


def normalise(text: str) -> str:
    """Timings vary between runs; nothing else may."""
    return re.sub(r"[0-9,]+ states/s", "N states/s", text)


# ---- the main job ------------------------------------------------------------------------------

def test_main_job_prints_one_line_per_property_and_no_expected_counterexample(
        monkeypatch: pytest.MonkeyPatch, golden) -> None:  # type: ignore[no-untyped-def]
    r = main_job(monkeypatch)
    assert r.exit_code == 0 and "Counterexample" not in r.stdout and ESC not in r.stdout
    assert "(1 counterexample of expected violations not shown; --traces shows them)" in r.stdout
    golden("cli/main_suite.txt", normalise(r.stdout))


def test_main_job_traces_prints_every_counterexample(monkeypatch: pytest.MonkeyPatch, golden) -> None:  # type: ignore[no-untyped-def]
    r = main_job(monkeypatch, "--traces")
    assert r.exit_code == 0 and r.stdout.count("Counterexample for") == 1 and "not shown" not in r.stdout
    golden("cli/main_suite_traces.txt", normalise(r.stdout))


def test_main_job_closing_list_names_what_was_not_as_expected(
        monkeypatch: pytest.MonkeyPatch, golden) -> None:  # type: ignore[no-untyped-def]
    r = main_job(monkeypatch, suite=(SUITE, WRONG))
    assert r.exit_code == 1
    golden("cli/main_failures.txt", normalise(r.stdout))
    tail = r.stdout[r.stdout.index("not as expected:"):]
    assert tail.splitlines()[1:3] == [
        f"  FAIL {WRONG} never_three: VIOLATED at depth 3 (explicit), expected holds",
        f"  FAIL {WRONG} below_four: proved (explicit: exhaustive search: 4 states), expected violated"]
    # the unexpected violation's trace is printed, the expected ones' are not
    assert r.stdout.count("Counterexample for") == 1 and "Counterexample for never_three" in r.stdout


def test_main_job_accepts_no_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    r = main_job(monkeypatch, "--no-trace", suite=(WRONG,))
    assert r.exit_code == 1 and "Counterexample" not in r.stdout and "not shown" not in r.stdout
    assert "2 properties not as expected:" in r.stdout


@pytest.mark.parametrize("args", [["--traces", "--no-trace"], ["--traces", "check", WRONG],
                                  ["--color", "always", "check", WRONG], ["check", WRONG, "--traces", "--no-trace"]])
def test_output_options_that_do_not_fit_exit_2(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    r = main_job(monkeypatch, *args)
    assert r.exit_code == 2 and r.stdout == ""


# ---- check: which counterexamples, the closing list, colour ---------------------------------

def test_check_closing_list_and_spec_title_without_params(golden) -> None:  # type: ignore[no-untyped-def]
    r = run("check", WRONG)
    assert r.exit_code == 1 and r.stdout.startswith(f"{WRONG}\n")      # no "[]" for a spec without params
    golden("cli/check_wrong_expect.txt", normalise(r.stdout))


def test_check_closing_list_names_inconclusive_results() -> None:
    r = run("check", WRONG, "--max-states", "2", "--property", "never_three", "--property", "never_two")
    assert r.exit_code == 3
    assert r.stdout.splitlines()[-4:] == [
        "2 properties not as expected:",
        f"  ??   {WRONG} never_three: unknown (explicit: state limit 2 reached), expected holds",
        f"  ??   {WRONG} never_two: unknown (explicit: state limit 2 reached), expected violated",
        "2 properties: 0 as expected, 0 failed, 2 inconclusive (exit 3)"]


def test_check_traces_and_format_print_expected_counterexamples() -> None:
    assert "Counterexample for never_two" not in run("check", WRONG).stdout
    assert "Counterexample for never_two" in run("check", WRONG, "--traces").stdout
    assert "Race: never_two violated" in run("check", WRONG, "--format", "race").stdout   # asks to see traces
    assert "Counterexample" not in run("check", WRONG, "--no-trace").stdout


def test_colour_forced_on(golden) -> None:  # type: ignore[no-untyped-def]
    r = run("check", WRONG, "--color", "always", env={"NO_COLOR": "1"})   # the flag overrides NO_COLOR
    assert r.exit_code == 1
    golden("cli/check_wrong_expect_colour.txt", normalise(r.stdout))
    lines = r.stdout.splitlines()
    unexpected = next(x for x in lines if "never_three  VIOLATED" in x)
    expected = next(x for x in lines if "never_two    VIOLATED" in x)
    assert unexpected.startswith("  \x1b[1;31mFAIL never_three") and unexpected.endswith("\x1b[0m")
    assert expected.startswith("  \x1b[32mok\x1b[0m   never_two") and "31m" not in expected


@pytest.mark.parametrize("no_color,coloured", [("1", False), ("", True)])
def test_no_color_on_a_terminal(monkeypatch: pytest.MonkeyPatch, golden, no_color: str,  # type: ignore[no-untyped-def]
                                coloured: bool) -> None:
    monkeypatch.setattr(cli, "_stdout_is_tty", lambda: True)
    r = run("check", WRONG, env={"NO_COLOR": no_color})
    assert r.exit_code == 1 and (ESC in r.stdout) == coloured
    if not coloured:
        golden("cli/check_wrong_expect_no_color.txt", normalise(r.stdout))
        assert normalise(r.stdout) == normalise(run("check", WRONG, "--color", "never").stdout)


def test_use_colour_follows_no_color_org() -> None:
    assert use_colour("auto", True, {}) and not use_colour("auto", False, {})
    assert not use_colour("auto", True, {"NO_COLOR": "1"}) and use_colour("auto", True, {"NO_COLOR": ""})
    assert use_colour("always", False, {"NO_COLOR": "1"}) and not use_colour("never", True, {})


def test_colour_is_off_when_piped() -> None:
    r = run("check", WRONG)                   # CliRunner's stdout is no terminal
    assert ESC not in r.stdout


# ---- wrapping, coverage, order, wording ------------------------------------------------------

def test_vacuity_lines_wrap_at_100_columns_between_whole_names(monkeypatch: pytest.MonkeyPatch) -> None:
    out = main_job(monkeypatch).stdout
    block = out[out.index("  never enabled"):out.index("  ok   one_holder")].splitlines()
    names = [f"worker[{w}].steal_from_neighbour(victim={v}, round={r})"
             for w in range(3) for v in range(3) if v != w for r in range(3)]
    assert len(block) == 18 and all(len(x) <= WIDTH for x in block)
    assert block[0] == f"  never enabled (possible vacuity): {names[0]},"
    assert [x.strip().rstrip(",") for x in block[1:]] == names[1:]


def test_wrap_names_packs_lines_and_never_splits_a_name() -> None:
    names = [f"t{i}(a=1, b={i})" for i in range(30)]          # 12-13 characters, with a space
    lines = wrap_names("  head:", names, "    ", width=40)
    assert all(len(x) <= 40 for x in lines) and len(lines) == 15
    # greedy: the next line's first name would not have fitted on the line before
    assert all(len(a) + 1 + len(b.strip().split("), ")[0] + "),") > 40 for a, b in zip(lines, lines[1:]))
    assert lines[0] == "  head: t0(a=1, b=0), t1(a=1, b=1),"
    assert ", ".join(x.strip() for x in lines).replace("head: ", "").replace(",,", ",") == ", ".join(names)
    assert wrap_names("h:", ["x" * 50, "y"], "  ", width=20) == ["h: " + "x" * 50 + ",", "  y"]


def test_coverage_counts(golden) -> None:  # type: ignore[no-untyped-def]
    r = run("check", HANDOFF, "--variant", "sloppy", "--coverage")
    assert r.exit_code == 0
    golden("cli/coverage_handoff_sloppy.txt", normalise(r.stdout))
    rows = {x.split()[0]: x.split()[1:3] for x in r.stdout.splitlines() if x.startswith("    worker[0]")
            or x.startswith("    done.")}
    # from the initial state: each worker may pass or drop once (3 passes, then done); finish
    # fires in every state with the token lost (3) or all passes made (1)
    assert rows["worker[0].pass_on()"] == ["1", "1"] and rows["worker[0].drop()"] == ["1", "1"]
    assert rows["done.finish()"] == ["4", "4"]
    assert "(never fired)" in r.stdout and "coverage" not in run("check", HANDOFF, "--variant", "sloppy").stdout


def test_coverage_of_one_search_and_of_an_smt_engine() -> None:
    r = run("check", "specs/examples/counter.yaml", "--coverage")
    assert r.stdout.split("  coverage of explicit, 4 states:\n")[1].splitlines()[:4] == [
        "    action                fired  new states",
        "    inc[0].step()             3           3",
        "    inc[1].step()             3           0",
        "    resetter.reset()          1           0"]
    r = run("check", WRONG, "--engine", "bmc", "--depth", "4", "--coverage", "--property", "never_two")
    assert "  coverage: none (no explicit search ran; BMC, k-induction and PDR count no states)" in r.stdout


def test_properties_in_declaration_order_builtins_last_unless_declared() -> None:
    assert [p.name for p in load_spec(ROOT / HANDOFF, variant="careful")[0].properties] == \
        ["one_holder", "deadlock", "finishes", "range"]      # deadlock is declared before finishes
    assert [p.name for p in load_spec(ROOT / WRONG)[0].properties] == \
        ["never_two", "never_three", "below_four", "deadlock", "range"]


def test_pdr_verdicts_name_the_engine_once() -> None:
    r = run("check", WRONG, "--engine", "pdr", "--property", "below_four")
    assert r.exit_code == 1 and "proved (pdr: inductive invariant, re-checked)" in r.stdout
    assert "pdr: pdr" not in r.stdout


def test_counted_nouns_are_singular_for_one() -> None:
    r = run("check", WRONG, "--max-states", "1", "--property", "never_two")
    assert "explicit: 1 state, 1 transition," in r.stdout and "1 property: 0 as expected" in r.stdout
    assert "1 property not as expected:" in r.stdout


# ---- the progress line (a fake clock; nothing here depends on wall-clock time) -----------------

class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("p,text", [
    (Progress("explicit safety", 12345, 20, 3, 2.5), "safety search, 12,345 states, depth 3, 4,938 states/s"),
    (Progress("explicit liveness", 800, 5, 9, 0.5), "liveness search, 800 states, depth 9, 1,600 states/s"),
    (Progress("explicit", 10, 1, 1, 0.0), "explicit search, 10 states, depth 1"),
    (Progress("bmc", depth=7), "BMC depth 7/30"),
    (Progress("auto:bmc-lasso", depth=4), "BMC depth 4/30 (lassos)"),
    (Progress("kind", depth=2), "k-induction k=2/30"),
    (Progress("pdr"), "PDR (z3 Spacer)"),
    (Progress("pdr", depth=5), "PDR: BMC for its trace, depth 5"),   # its own bound
    (Progress("portfolio"), "portfolio"),
])
def test_progress_line_names_the_phase(p: Progress, text: str) -> None:
    clock = Clock()
    line = ProgressLine(False, bounds=Bounds(depth=30), clock=clock)
    line.label("t.yaml [v1]", 2, 5)
    clock.now += 12.4
    line(p)
    assert line.text() == f"[2/5] t.yaml [v1]: {text}, 12 s"


def test_progress_line_moves_on_between_reports_and_phases() -> None:
    clock = Clock()
    line = ProgressLine(False, clock=clock)
    assert line.text() == "seamcheck: starting"
    line.label("t.yaml", 1, 1)                      # one instance: no count
    assert line.text() == "checking t.yaml, 0 s"
    line(Progress("explicit safety", 100, 1, 2, 1.0))
    clock.now += 3                                  # no report for 3 s: the clock still moves
    assert line.text() == "t.yaml: safety search, 100 states, depth 2, 100 states/s, 3 s"
    line(Progress("explicit liveness"))             # the next phase, announced as it starts
    assert line.text() == "t.yaml: liveness search, 3 s"
    line.label("u.yaml", 2, 2)                      # the next instance starts from nothing
    assert line.text() == "checking [2/2] u.yaml, 0 s"


def test_progress_eta_only_against_a_limit() -> None:
    clock = Clock()
    line = ProgressLine(False, bounds=Bounds(depth=30, max_states=10_000, timeout_s=60), clock=clock)
    line.label("t.yaml")
    clock.now += 10
    line(Progress("explicit safety", 2_000, 10, 4, 10.0))     # 200 states/s: 8,000 to go
    assert line.text() == ("t.yaml: safety search, 2,000 states, depth 4, 200 states/s, 10 s, "
                           "state limit in ~40 s, timeout in 50 s")
    line(Progress("bmc", depth=3))                            # no state limit for BMC
    assert line.text() == "t.yaml: BMC depth 3/30, 10 s, timeout in 50 s"
    assert ProgressLine(False, clock=clock).text() == "seamcheck: starting"
    bare = ProgressLine(False, clock=clock)
    bare.label("t.yaml")
    bare(Progress("explicit safety", 2_000, 10, 4, 10.0))
    assert "limit" not in bare.text() and "timeout" not in bare.text() and "~" not in bare.text()


def test_phase_text_strips_strategy_prefixes() -> None:
    assert phase_text(Progress("portfolio:kind", depth=3)) == "k-induction k=3"
    assert phase_text(Progress("auto:explicit safety")) == "safety search"


def test_the_run_module_announces_each_phase() -> None:
    from checker.run.runner import RunOptions, properties, run_instance
    ts = load_spec(ROOT / HANDOFF, variant="careful")[0]
    seen: list[str] = []
    run_instance(ts, properties(ts, ()), RunOptions(), lambda p: seen.append(p.engine))
    assert list(dict.fromkeys(seen)) == ["explicit safety", "explicit liveness"]
    seen.clear()
    run_instance(ts, ["one_holder"], RunOptions(engine="bmc", depth=3), lambda p: seen.append(p.engine))
    assert seen[0] == "bmc" and set(seen) == {"bmc"}


def test_no_listener_no_wrapping() -> None:
    from checker.run.engines import announced
    b = Budget()
    assert announced(b, "explicit safety") is b


def test_progress_line_is_off_when_piped(monkeypatch: pytest.MonkeyPatch) -> None:
    r = main_job(monkeypatch)
    assert r.exit_code == 0 and r.stderr == ""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("shared", [False, True])
def test_progress_line_leaves_a_piped_stdout_alone(shared: bool) -> None:
    """With stderr on a terminal and stdout piped (`seamcheck > out.txt`), every result must go
    to stdout: rich redirects stdout through the line's console only when stdout is a terminal."""
    from rich.file_proxy import FileProxy
    before = sys.stdout
    clock = Clock()
    with ProgressLine(True, _Terminal(), clock=clock, stdout_shared=shared):
        assert (sys.stdout is before) != shared and isinstance(sys.stdout, FileProxy) == shared
    assert sys.stdout is before
