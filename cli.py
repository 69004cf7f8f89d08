"""seamcheck's command line: parses options, calls the run module, prints, picks the exit code.

It is the only module that prints or chooses an exit code. Exit codes: 0 all properties as
expected, 1 a property violated or an expectation not met, 2 bad input or usage, 3 inconclusive
(unknown, timeout, limit, or bounded only when a proof was required), 4 internal error
(including engines that disagree). When the reader of stdout goes away (`seamcheck | head`),
seamcheck stops quietly with 141, the status a shell shows for `ls | head` (128 + SIGPIPE).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading


def _interrupted_while_starting(signum: int, frame: object) -> None:
    """Ctrl-C before the command runs: nothing was checked, so just say so (exit 3)."""
    sys.stderr.write("seamcheck: interrupted\n")
    os._exit(3)


# An inherited SIG_IGN is kept, as Python itself keeps it: a spawned worker re-imports this module
# as `__mp_main__` with SIGINT ignored by its parent (NOTE(interrupt)) and must not take it back.
_STARTING = (threading.current_thread() is threading.main_thread()
             and signal.getsignal(signal.SIGINT) is not signal.SIG_IGN)
if _STARTING:   # the imports below take a moment; NOTE(interrupt) in checker/core/budget.py
    signal.signal(signal.SIGINT, _interrupted_while_starting)

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

import click

from checker.core.outcome import (
    EXIT_HELP,
    EXIT_INCONCLUSIVE,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_VIOLATED,
    REPLAY_HELP,
    exit_code,
)
from checker.export import FORMATS, format_for
from checker.export import render as render_export
from checker.export.alltraces import expand, more_text
from checker.export.colour import COLOR_CHOICES, use_colour
from checker.export.files import save_traces
from checker.export.progress import Bounds, ProgressLine
from checker.export.report import Show, closing, instance_report, instance_title, replay_verdict
from checker.export.result_json import document, error_json
from checker.mutate.report import MUTATE_HELP
from checker.run.runner import (
    ENGINE_CHOICES,
    InstanceResult,
    RunOptions,
    default_memory_mb,
    properties,
    run_instances,
    timeout_seconds,
    unknown_property,
)
from checker.run.specs import NoSpecsError, display, load, shipped_path, spec_files
from checker.traces.context import export_context, seamcheck_version
from checker.traces.load import LoadedTrace
from model.diagnostics import SpecError, render_all
from model.ir import TransitionSystem
from model.load import LoadedSpec

if _STARTING:
    signal.signal(signal.SIGINT, signal.default_int_handler)
DEFAULT_SUITE = ("specs/tdx", "specs/kernel")   # as in the checkout; installed: checker/run/specs.py shipped_path
FORMAT_CHOICES = sorted(FORMATS)
DASK_CONNECT_S = 5.0            # how long --dask waits for its scheduler to answer
DEPTH_MAX = 10_000               # --depth's largest value; also "as deep as the timeout allows" (NOTE(default-depth))
EXIT_PIPE = 128 + signal.SIGPIPE


def run_check(paths: Sequence[str], params: tuple[str, ...], variant: str | None, asked: tuple[str, ...],
              run: RunOptions, show: Show, out: TextIO, err: TextIO, progress: ProgressLine | None = None) -> int:
    """Check every spec x instance; returns the exit code."""
    try:
        files = spec_files(paths)
    except NoSpecsError as e:
        raise click.UsageError(str(e)) from None
    loaded = [load(p, params, variant) for p in files]
    errors: list[dict[str, object]] = []     # the spec errors as data, for --json (checker/export/result_json.py)
    for x in loaded:
        if x.error is not None:
            err.write(render_all(x.error.diagnostics, x.error.sources) + "\n")
            errors += [error_json(d, display(x.path)) for d in x.error.diagnostics]
    items = [(x.spec, ts) for x in loaded if x.spec is not None for ts in x.systems]
    for _, ts in items:
        if (why := unknown_property(ts, asked)) is not None:
            raise click.UsageError(why)
    results = run_instances([(ts, properties(ts, asked)) for _, ts in items], run,
                            progress if progress is not None and progress.enabled else None)
    outcomes, records, violations, reports = [], [], [], []
    bad_input = any(x.error is not None for x in loaded)
    for i, (spec, ts) in enumerate(items, start=1):
        if progress is not None:
            progress.label(ts.path + (f" [{ts.variant}]" if ts.variant else ""), i, len(items))
        got = next(results)
        if got.error is not None:
            err.write(render_all([got.error], {spec.source.path: spec.source}) + "\n")
            errors.append(error_json(got.error, spec.source.path))
            bad_input = True
            continue
        rep = instance_report(spec, ts, got, show, run.engine)
        outcomes += rep.outcomes
        records += rep.records
        violations += expand(rep.violations, got.more) if got.more else rep.violations
        reports.append(rep)
        out.write("" if show.json else rep.text + _all_traces_text(spec, ts, got, show, run.engine))
    said, failed = save_traces(violations, show.trace_out, show.trace_format, len(loaded) > 1)
    (err if failed else out).write("" if show.json and not failed else said)
    code = EXIT_USAGE if failed or bad_input else exit_code(outcomes)
    if show.json:
        doc = document("check", seamcheck_version(), code, records, errors)
        out.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    elif code != EXIT_USAGE:
        out.write(closing(reports, code, show))
    return code


def _all_traces_text(spec: LoadedSpec, ts: TransitionSystem, got: InstanceResult, show: Show, engine: str) -> str:
    """--all-traces: the further counterexamples (checker/export/alltraces.py)."""
    if not got.more:
        return ""
    return more_text(ts, got.more, show, export_context(spec, ts, engine))


class Seconds(click.ParamType):
    """--timeout: seconds, or 'inf' for no limit (checker/run/runner.py timeout_seconds)."""

    name = "seconds"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float | None:
        try:
            return timeout_seconds(value)
        except ValueError as e:
            self.fail(str(e), param, ctx)


def _dask_scheduler(ctx: click.Context, param: click.Parameter, address: str | None) -> str | None:
    """--dask: exit 2 unless a Dask scheduler answers at `address` within DASK_CONNECT_S."""
    from checker.run.parallel import dask_problem
    if address is not None and (why := dask_problem(address, DASK_CONNECT_S)) is not None:
        raise click.BadParameter(why)
    return address


def _engine_options(f: Callable[..., None]) -> Callable[..., None]:
    """The options of `check` and `ci` that decide how a check is run (RunOptions)."""
    for opt in reversed([
        click.option("--engine", type=click.Choice(ENGINE_CHOICES), default="explicit", show_default=True),
        click.option("--depth", type=click.IntRange(0, DEPTH_MAX), default=30, show_default=True,
                     help="Bound for BMC and k-induction; left out with --timeout, `--engine bmc` and "
                     "`kind` go as deep as the timeout allows. `--engine explicit` is bounded only when "
                     "--depth is given (BFS levels 0..DEPTH; else unbounded)."),
        click.option("--timeout", type=Seconds(), help="Seconds for each instance (spec, variant, params), "
                     "all its properties together ('inf' or left out: no limit); the SMT engines give "
                     "each property a fair share of what is left."),
        click.option("--max-states", type=click.IntRange(1), help="State limit for explicit search."),
        click.option("--require-proof", is_flag=True, help="Treat 'holds up to depth k' as inconclusive (exit 3)."),
    ]):
        f = opt(f)
    return f


def _output_options(f: Callable[..., None]) -> Callable[..., None]:
    """How the main job and `check` print results (Show); the traces options: _show()."""
    for opt in reversed([
        click.option("--traces", is_flag=True, help="Print every counterexample, also of expected violations "
                     "(default: only of results not as expected)."),
        click.option("--no-trace", is_flag=True, help="Print no counterexample traces."),
        click.option("--color", "color", type=click.Choice(COLOR_CHOICES), default="auto", show_default=True,
                     help="Colour by status; auto: on a terminal unless NO_COLOR is set."),
        click.option("--coverage", is_flag=True, help="Per action of each explicit search: how often it fired "
                     "and how many new states it found."),
    ]):
        f = opt(f)
    return f


def _show(traces: bool, no_trace: bool, color: str, coverage: bool, **kw: object) -> Show:
    """Show from the output options (kw: Show's other fields)."""
    if traces and no_trace:
        raise click.UsageError("--traces and --no-trace exclude each other")
    mode = "all" if traces else "none" if no_trace else "unexpected"
    return Show(counterexamples=mode, colour=use_colour(color, _stdout_is_tty(), os.environ),
                coverage=coverage, **kw)  # type: ignore[arg-type]


def _stdout_is_tty() -> bool:
    return sys.stdout.isatty()


class SeamGroup(click.Group):
    """Any unexpected exception in a command is our bug: print its traceback and exit 4.

    (entry() does the same for the console script; this also covers `python -m cli` and tests.)
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:   # before or after the engines ran (they stop by themselves)
            sys.stderr.write("seamcheck: interrupted\n")
            sys.exit(EXIT_INCONCLUSIVE)
        except BrokenPipeError:
            _stdout_gone()
        except Exception as e:  # noqa: BLE001 - the one place that turns our bugs into exit 4
            import traceback
            sys.stderr.write("".join(traceback.format_exception(e)))
            sys.stderr.write(f"seamcheck: internal error (exit {EXIT_INTERNAL}): {e}\n")
            sys.exit(EXIT_INTERNAL)


@click.group(cls=SeamGroup, invoke_without_command=True, epilog=EXIT_HELP)
@click.version_option(seamcheck_version(), message="seamcheck %(version)s")   # also from a checkout that is not installed
@_output_options
@click.pass_context
def main(ctx: click.Context, traces: bool, no_trace: bool, color: str, coverage: bool) -> None:
    """seamcheck: a model checker for kernel concurrency protocols (Intel TDX teardown first).

    With no command, checks the shipped TDX suite (specs/tdx) and kernel protocol library
    (specs/kernel) against their expected verdicts: one line per property, then every property
    not as expected, by name.
    """
    if ctx.invoked_subcommand is not None:
        if traces or no_trace or color != "auto" or coverage:
            raise click.UsageError("--traces, --no-trace, --color and --coverage before a command apply to the "
                                   "main job only; give them after the command")
        return
    try:
        suite = [str(shipped_path(p)) for p in DEFAULT_SUITE]
    except FileNotFoundError as e:      # a broken install, not the user's input
        sys.stderr.write(f"seamcheck: {e}\n")
        ctx.exit(EXIT_INTERNAL)
    show = _show(traces, no_trace, color, coverage)
    run = RunOptions(max_memory_mb=default_memory_mb())
    with ProgressLine(sys.stderr.isatty(), sys.stderr, Bounds(run.depth), stdout_shared=_stdout_is_tty()) as progress:
        code = run_check(suite, (), None, (), run, show, sys.stdout, sys.stderr, progress)
    ctx.exit(code)


@main.command(epilog=EXIT_HELP)
@click.argument("specs", nargs=-1, required=True, type=click.Path())
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="Override a spec param.")
@click.option("--variant", help="Check only this variant of the spec.")
@_engine_options
@click.option("--property", "properties_", multiple=True, help="Check only this property (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON (schema seamcheck/result v1: docs/json.md).")
@_output_options
@click.option("--trace-out", metavar="FILE", help="Write each violated property's trace to FILE. With several "
              "traces, each file is FILE with '.[SPEC.]VARIANT.PROPERTY' inserted before its first dot "
              "(SPEC only when several spec files are checked).")
@click.option("--format", "trace_format", type=click.Choice(FORMAT_CHOICES),
              help="Trace format for --trace-out and for traces printed inline (default: from FILE's "
              "extension, else itf for files and text inline); race-lp: one column per LP. Without "
              "--trace-out it implies --traces; with --json, only together with --trace-out.")
@click.option("--workers", type=click.IntRange(1, 256), default=1, show_default=True,
              help="Check independent spec instances in this many local processes.")
@click.option("--dask", "dask_address", metavar="ADDRESS", callback=_dask_scheduler,
              help="Send the checks to the Dask scheduler at ADDRESS (tcp://HOST:PORT).")
@click.option("--cores", type=click.IntRange(1, 256), default=1, show_default=True,
              help="Explicit engine: search one instance's states in this many processes, with the same "
              "counts, verdicts and traces as on one (unlike --workers, which checks several instances at once).")
@click.option("--no-symmetry", is_flag=True, help="Explore every state, even of symmetric sets.")
@click.option("--backend", type=click.Choice(["auto", "vector", "state"]), default="auto", show_default=True,
              help="Explicit search: many states at a time (vector) or one at a time (state, the reference "
              "semantics); auto: vector, for liveness too. Both give the same results.")
@click.option("--max-memory", type=click.IntRange(64), metavar="MIB",
              help="Stop explicit search (unknown, exit 3) above this memory use [default: 80% of RAM].")
@click.option("--show-invariants", is_flag=True,
              help="Print each proof's certificate in spec syntax: PDR's inductive invariant, the "
              "lemmas k-induction mined (paste them under `lemmas:`).")
@click.option("--all-traces", type=click.IntRange(1, 10_000), default=1, metavar="N",
              help="Explicit engine: up to N distinct counterexamples per violated safety property, "
              "shortest first (--trace-out adds an index suffix from the second on).")
@click.option("--for-all", is_flag=True, help="With --engine kind: prove for every size of the spec's "
              "symmetric sets (docs/for-all.md).")
@click.option("--bmc-prefix", type=click.IntRange(0, 100_000_000), metavar="N",
              help="BMC: decide the safety properties' first depths by an explicit search of at most N states, "
              "then unroll from its last level (docs/performance.md); 0: from the initial states [default: 20000].")
def check(specs: tuple[str, ...], params: tuple[str, ...], variant: str | None, engine: str, depth: int,
          properties_: tuple[str, ...], timeout: float | None, max_states: int | None, require_proof: bool,
          as_json: bool, traces: bool, no_trace: bool, color: str, coverage: bool, trace_out: str | None,
          trace_format: str | None, workers: int, dask_address: str | None, no_symmetry: bool, backend: str,
          max_memory: int | None, show_invariants: bool, all_traces: int, for_all: bool,
          cores: int, bmc_prefix: int | None) -> None:
    """Check every property of SPECS (files or directories) against its expected verdict."""
    for s in specs:
        if not Path(s).exists():
            raise click.UsageError(f"no such spec file or directory: {s}")
    if as_json and trace_format and not trace_out:   # the JSON record holds no rendered trace
        raise click.UsageError(f"--format {trace_format} with --json: JSON records carry traces as data; "
                               f"write rendered traces with --trace-out FILE --format {trace_format}")
    if no_trace and trace_format and not trace_out:   # nothing would be printed or written in it
        raise click.UsageError(f"--format {trace_format} with --no-trace: no trace is shown; "
                               f"write traces with --trace-out FILE --format {trace_format}")
    if all_traces > 1 and engine != "explicit":
        raise click.UsageError(f"--all-traces needs --engine explicit (not {engine})")
    if for_all and engine != "kind":
        raise click.UsageError(f"--for-all needs --engine kind (not {engine})")
    if cores > 1 and engine != "explicit":
        raise click.UsageError(f"--cores needs --engine explicit (not {engine})")
    if bmc_prefix is not None and engine not in ("bmc", "auto"):
        raise click.UsageError(f"--bmc-prefix needs --engine bmc or auto (not {engine})")
    depth = _smt_depth(engine, depth, timeout)
    run = RunOptions(engine, depth, timeout, max_states, max_memory or default_memory_mb(), not no_symmetry,
                     backend, workers, dask_address, _explicit_depth(engine, depth), all_traces, for_all,
                     cores, bmc_prefix)
    asks_inline = bool(trace_format) and not trace_out     # --format alone asks to see traces in it
    show = _show(traces or ((asks_inline or all_traces > 1) and not no_trace), no_trace, color, coverage, json=as_json,
                 require_proof=require_proof, trace_out=trace_out,
                 trace_format=trace_format or (format_for(trace_out) if trace_out else None) or "itf",
                 inline_format=trace_format or "text", invariants=show_invariants)
    bounds = Bounds(depth if depth < DEPTH_MAX else None, max_states, timeout)
    with ProgressLine(not as_json and sys.stderr.isatty(), sys.stderr, bounds, stdout_shared=_stdout_is_tty()) \
            as progress:
        code = run_check(specs, params, variant, properties_, run, show, sys.stdout, sys.stderr, progress)
    sys.exit(code)


def _smt_depth(engine: str, depth: int, timeout: float | None) -> int:
    """NOTE(default-depth): a fixed default bound is below many shortest counterexamples (Tower of
    Hanoi with 5 disks needs 31 steps), so when the user bounds the run by time instead (--timeout,
    no --depth), BMC and k-induction deepen until the timeout stops them, and the verdict says the
    depth reached ("holds up to depth 47 (timeout ...)"). Without a timeout the default stays 30,
    so that a run ends. `auto` already unrolls past the diameter its explicit search saw
    (NOTE(auto-depth)) and keeps the rest of its time for the proof."""
    from click.core import ParameterSource
    given = click.get_current_context().get_parameter_source("depth") not in (ParameterSource.DEFAULT, None)
    return DEPTH_MAX if engine in ("bmc", "kind") and timeout is not None and not given else depth


def _explicit_depth(engine: str, depth: int) -> int | None:
    """The explicit search's depth bound: --depth when the user gave it (its default of 30 is
    BMC's), else None, unbounded (NOTE(explicit-depth) in checker/explicit/search.py)."""
    from click.core import ParameterSource
    given = click.get_current_context().get_parameter_source("depth") not in (ParameterSource.DEFAULT, None)
    return depth if engine == "explicit" and given else None


@main.command(epilog=EXIT_HELP)
@click.argument("spec", type=click.Path())
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="Override a spec param.")
@click.option("--variant", help="Simulate only this variant of the spec.")
@click.option("--runs", type=click.IntRange(1, 10_000_000), default=1000, show_default=True,
              help="Random runs per instance.")
@click.option("--length", type=click.IntRange(0, 1_000_000), default=50, show_default=True,
              help="Steps per run at most.")
@click.option("--seed", type=click.IntRange(0), default=0, show_default=True,
              help="Seed of the random choices: the same seed gives the same runs.")
@click.option("--property", "properties_", multiple=True, help="Check only this property (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.option("--no-trace", is_flag=True, help="Do not print counterexample traces.")
@click.option("--trace-out", metavar="FILE", help="Write each violated property's trace to FILE (named as check's).")
@click.option("--format", "trace_format", type=click.Choice(FORMAT_CHOICES),
              help="Trace format for --trace-out and for traces printed inline (as check's).")
def simulate(spec: str, params: tuple[str, ...], variant: str | None, runs: int, length: int, seed: int,
             properties_: tuple[str, ...], as_json: bool, no_trace: bool, trace_out: str | None,
             trace_format: str | None) -> None:
    """Random runs of SPEC from random initial states, checking every safety property on the way.

    Each step fires an action drawn uniformly among the enabled ones. The first violation of
    each property is shown as a replayed trace; no violation is never a proof. Liveness
    properties are not checked. Exit 1 on a violation not expected, else 0.
    """
    from checker.export.simulate import sim_exit_code, sim_report, sim_summary
    from checker.run.simulation import SimOptions, simulate_instance
    loaded, systems = _load_one(spec, params, variant, need_one=False)
    if as_json and trace_format and not trace_out:   # as check: the JSON record holds no rendered trace
        raise click.UsageError(f"--format {trace_format} with --json: JSON records carry traces as data; "
                               f"write rendered traces with --trace-out FILE --format {trace_format}")
    show = Show(as_json, "none" if no_trace else "all", False, trace_out,
                trace_format or (format_for(trace_out) if trace_out else None) or "itf",
                trace_format or "text")
    outcomes, records, simulated, violations = [], [], [], []
    for ts in systems:
        if (why := unknown_property(ts, properties_)) is not None:
            raise click.UsageError(why)
        try:
            got = simulate_instance(ts, properties(ts, properties_), SimOptions(runs, length, seed))
        except SpecError as e:
            _spec_error(SpecError(e.diagnostics, [loaded.source]))
        rep = sim_report(loaded, ts, got, show)
        outcomes += rep.outcomes
        records += rep.records
        simulated.append(rep.record)
        violations += rep.violations
        sys.stdout.write("" if as_json else rep.text)
    said, failed = save_traces(violations, show.trace_out, show.trace_format, False)
    (sys.stderr if failed else sys.stdout).write("" if as_json and not failed else said)
    code = EXIT_USAGE if failed else sim_exit_code(outcomes)
    if as_json:
        doc = document("simulate", seamcheck_version(), code, records, simulation=simulated)
        sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    if not as_json and not failed:
        sys.stdout.write(sim_summary(outcomes, code))
    sys.exit(code)


# ---- the commands show, ci, trace, replay, graph ------------------------------------------------

def _load_one(spec: str, params: tuple[str, ...], variant: str | None,
              need_one: bool = True) -> tuple[LoadedSpec, list[TransitionSystem]]:
    """Load a spec or exit 2 with located errors; with need_one, exactly one instance."""
    got = load(Path(spec), params, variant)
    if got.error is not None or got.spec is None:
        _spec_error(got.error)
    assert got.spec is not None
    if need_one and len(got.systems) != 1:
        names = ", ".join(ts.variant or "-" for ts in got.systems)
        raise click.UsageError(f"{spec} has {len(got.systems)} instances (variants {names}); choose one with --variant")
    return got.spec, list(got.systems)


def _spec_error(e: SpecError | None) -> None:
    if e is not None:
        sys.stderr.write(render_all(e.diagnostics, e.sources) + "\n")
    sys.exit(EXIT_USAGE)


def _write_out(text: str, out_path: str | None) -> None:
    if out_path in (None, "-"):
        sys.stdout.write(text)
        return
    try:
        Path(out_path).write_text(text)  # type: ignore[arg-type]
    except OSError as e:
        raise click.UsageError(f"cannot write {out_path}: {e.strerror}") from None


@main.command(epilog=EXIT_HELP)
@click.argument("spec", type=click.Path())
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="Override a spec param.")
@click.option("--variant", help="Show only this variant's instance.")
@click.option("--json", "as_json", is_flag=True, help="Print the description as JSON.")
def show(spec: str, params: tuple[str, ...], variant: str | None, as_json: bool) -> None:
    """Describe SPEC: params, variants, types, machines, transitions, properties, citations."""
    from checker.export.show import render as render_show
    from checker.export.show import spec_data
    loaded, systems = _load_one(spec, params, variant, need_one=False)
    if as_json:
        sys.stdout.write(json.dumps(spec_data(loaded, systems), indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(render_show(loaded, systems))


@main.command(epilog=EXIT_HELP)
@click.argument("paths", nargs=-1, type=click.Path())
@_engine_options
@click.option("--junit", "junit_file", metavar="FILE", help="Write a JUnit XML report.")
@click.option("--json", "json_file", metavar="FILE", help="Write a JSON report (schema seamcheck/result v1: docs/json.md).")
@click.option("--cache-dir", default=".seamcheck-cache", show_default=True, help="Where verdicts are cached.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the verdict cache.")
@click.option("--changed-since", metavar="REV", help="Check only specs changed since git revision REV "
              "(and specs that include them).")
def ci(paths: tuple[str, ...], engine: str, depth: int, timeout: float | None, max_states: int | None,
       require_proof: bool, junit_file: str | None, json_file: str | None, cache_dir: str, no_cache: bool,
       changed_since: str | None) -> None:
    """The CI gate: every spec x variant x property in PATHS (default: specs/) against its `expect`.

    Verdicts are cached in --cache-dir keyed by the spec's parsed content (whitespace and comments
    do not count), the options, seamcheck's version and code, and z3's version; cache hits are
    reported.
    """
    from checker.gate import reports
    from checker.gate.cases import GateError, GateOptions
    from checker.gate.gate import gate
    roots = list(paths) or ["specs"]
    if missing := [r for r in roots if not Path(r).exists()]:
        raise click.UsageError(f"no such spec file or directory: {missing[0]}")
    depth = _smt_depth(engine, depth, timeout)
    gopts = GateOptions(engine, depth, timeout, max_states, require_proof, _explicit_depth(engine, depth))
    with ProgressLine(json_file is None and sys.stderr.isatty(), sys.stderr,
                      Bounds(depth if depth < DEPTH_MAX else None, max_states, timeout),
                      stdout_shared=_stdout_is_tty()) as progress:
        try:
            report = gate(roots, gopts, None if no_cache else Path(cache_dir), changed_since, progress.label,
                          progress if progress.enabled else None)
        except (GateError, NoSpecsError) as e:
            raise click.UsageError(str(e)) from None
    if report.specs == 0 and report.skipped:      # only --changed-since can select no spec at all
        sys.stdout.write(f"no spec changed since {changed_since}: nothing to check\n")
    if sys.stdout.isatty():
        from rich.console import Console
        Console().print(reports.rich_table(report))
    else:
        sys.stdout.write(reports.table_text(report))
    fails = reports.failures_text(report)
    sys.stdout.write(("\n" + fails if fails else "") + "\n" + reports.summary(report))
    for name, text in ((junit_file, reports.junit_xml), (json_file, reports.gate_json)):
        if name:
            _write_out(text(report), name)
    sys.exit(report.exit_code)


@main.group(cls=SeamGroup, epilog=EXIT_HELP)
def trace() -> None:
    """Saved ITF traces (.itf.json): convert them to any export format, or render them.

    The spec is found through the trace's #meta (source, variant, params); --spec overrides it,
    and --variant and -p must agree with the params the trace records. A relative source path is
    looked up from the current directory, then from the trace file's directory; it must name a
    .yaml or .yml file inside one of these two trees (a trace may come from anyone), else give
    --spec: a spec found nowhere is never replaced by a shipped one.
    """


def _trace_options(f: Callable[..., None]) -> Callable[..., None]:
    f = click.option("--spec", "spec_path", type=click.Path(), help="The spec (default: #meta.source).")(f)
    f = click.option("--variant", help="The variant (default: #meta.variant).")(f)
    f = click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
                     help="A param (default: #meta.params; must agree with them).")(f)
    f = click.option("--property", "prop", help="The violated property (default: #meta.property).")(f)
    return f


@trace.command("convert", epilog=EXIT_HELP)
@click.argument("file", type=click.Path())
@click.option("-f", "--format", "fmt", type=click.Choice(FORMAT_CHOICES),
              help="Target format (default: from OUT's extension).")
@click.option("-o", "--output", "out_path", metavar="OUT", default="-", help="Output file ('-': stdout).")
@_trace_options
def trace_convert(file: str, fmt: str | None, out_path: str, spec_path: str | None, variant: str | None,
                  params: tuple[str, ...], prop: str | None) -> None:
    """Convert the ITF trace FILE into another format (itf, text, race, race-lp, mermaid, dot, markdown)."""
    fmt = fmt or format_for(out_path)
    if fmt is None:
        raise click.UsageError("give --format, or an output file whose extension names one")
    t = _load_trace(file, spec_path, variant, params, prop)
    _write_out(render_export(fmt, t.ts, t.trace, t.prop, t.ctx), out_path)


@trace.command("render", epilog=EXIT_HELP)
@click.argument("file", type=click.Path())
@click.option("-f", "--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="race", show_default=True)
@_trace_options
def trace_render(file: str, fmt: str, spec_path: str | None, variant: str | None, params: tuple[str, ...],
                 prop: str | None) -> None:
    """Print the ITF trace FILE for reading (a race diagram by default; race-lp: one column per LP)."""
    t = _load_trace(file, spec_path, variant, params, prop)
    sys.stdout.write(render_export(fmt, t.ts, t.trace, t.prop, t.ctx))


def _load_trace(file: str, spec_path: str | None, variant: str | None, params: tuple[str, ...],
                prop: str | None) -> LoadedTrace:
    """The trace, its spec instance and property; exits 2 with located errors."""
    from checker.traces.load import TraceLookupError, load_trace
    try:
        return load_trace(file, spec_path, variant, params, prop)
    except SpecError as e:
        _spec_error(e)
        raise
    except TraceLookupError as e:
        raise click.UsageError(str(e)) from None


@main.command(epilog=REPLAY_HELP)
@click.argument("spec", type=click.Path())
@click.argument("trace_file", metavar="TRACE", type=click.Path())
@click.option("--variant", help="The variant (default: the trace's #meta.variant).")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A param (default: the trace's #meta.params; must agree with them).")
@click.option("--property", "prop", help="The property the trace should violate (default: #meta.property).")
def replay(spec: str, trace_file: str, variant: str | None, params: tuple[str, ...], prop: str | None) -> None:
    """Re-check the saved ITF trace TRACE against SPEC step by step, without any engine."""
    from checker.traces.replay import ReplayError, replay_steps
    t = _load_trace(trace_file, spec, variant, params, prop)
    ts, tr, p, doc = t.ts, t.trace, t.prop, t.doc
    try:
        replay_steps(ts, tr)
    except ReplayError as e:
        sys.stdout.write(f"{doc.span(('states', e.step))}: does not replay: {e}\n")
        sys.exit(EXIT_VIOLATED)
    ok, text = replay_verdict(trace_file, ts, tr, p)
    sys.stdout.write(text)
    sys.exit(EXIT_OK if ok else EXIT_VIOLATED)


@main.command(epilog=EXIT_HELP)
@click.argument("spec", type=click.Path())
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="Override a spec param.")
@click.option("--variant", help="The variant (required when the spec has several).")
@click.option("-f", "--format", "fmt", type=click.Choice(["dot", "graphml"]), default="dot", show_default=True)
@click.option("--max-states", type=click.IntRange(1), default=5000, show_default=True,
              help="Refuse (exit 3) past this many reachable states.")
@click.option("-o", "--output", "out_path", metavar="OUT", default="-", help="Output file ('-': stdout).")
def graph(spec: str, params: tuple[str, ...], variant: str | None, fmt: str, max_states: int,
          out_path: str) -> None:
    """The reachable state graph of one instance of SPEC as Graphviz DOT or GraphML (small instances)."""
    from checker.export.state_graph import build, to_dot, to_graphml
    _, systems = _load_one(spec, params, variant)
    g = build(systems[0], max_states)
    if g.graph is None:
        sys.stderr.write(f"seamcheck: {instance_title(systems[0])} has more than {max_states} reachable states; "
                         "raise --max-states or use smaller params\n")
        sys.exit(EXIT_INCONCLUSIVE)
    _write_out(to_dot(g.graph) if fmt == "dot" else to_graphml(g.graph), out_path)
    if out_path not in (None, "-"):
        sys.stdout.write(f"{g.states} states, {g.edges} edges written to {out_path}\n")


@main.command(epilog=MUTATE_HELP)
@click.argument("spec", type=click.Path())
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="Override a spec param.")
@click.option("--variant", help="Mutate only this variant's instance.")
@click.option("--only", multiple=True, metavar="NAME",
              help="Mutate only these transitions (machine.transition) or operations, or the mutations so "
              "named ('td.x: guard *'); glob, repeatable.")
@click.option("--engine", type=click.Choice(ENGINE_CHOICES), default="explicit", show_default=True)
@click.option("--depth", type=click.IntRange(0, DEPTH_MAX), default=30, show_default=True,
              help="Bound for BMC and k-induction.")
@click.option("--timeout", type=Seconds(), help="Seconds per check of one mutant ('inf' or left out: no limit).")
@click.option("--max-states", type=click.IntRange(1), help="State limit for explicit search.")
@click.option("--json", "as_json", is_flag=True, help="One JSON record per mutant.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
@click.option("--traces", is_flag=True, help="Print the counterexample of each property a mutant breaks.")
@click.option("--combine", is_flag=True, help="Make every selected mutation at once, as one mutant.")
@click.option("--fail-on-unneeded", is_flag=True, help="Exit 1 when some mutation is needed by no property (CI).")
def mutate(spec: str, params: tuple[str, ...], variant: str | None, only: tuple[str, ...], engine: str, depth: int,
           timeout: float | None, max_states: int | None, as_json: bool, fmt: str, traces: bool,
           combine: bool, fail_on_unneeded: bool) -> None:
    """Is this step needed? Weaken each guard check, transition, call, operation check and `if`
    of SPEC in turn, re-check every property, and report which properties each one is needed for."""
    from checker.mutate import report
    from checker.mutate.mutations import UnknownTarget
    from checker.mutate.run import mutate as run_mutate
    loaded, _ = _load_one(spec, params, variant, need_one=False)
    opts = RunOptions(engine, depth, timeout, max_states, default_memory_mb())
    try:
        with ProgressLine(sys.stderr.isatty(), sys.stderr) as progress:
            got = run_mutate(loaded, params, variant, only, opts, progress.label, combine)
    except UnknownTarget as e:
        raise click.UsageError(str(e)) from None
    except SpecError as e:
        _spec_error(e)
    sys.stdout.write(report.to_json(got) if as_json else report.markdown(got) if fmt == "markdown"
                     else report.text(got, traces))
    sys.exit(EXIT_VIOLATED if fail_on_unneeded and report.unneeded(got) else EXIT_OK)


def _stdout_gone() -> NoReturn:
    """The reader of stdout went away (`seamcheck | head -1`): stop quietly, as `ls | head` does.

    As the Python docs recommend for SIGPIPE, stdout is pointed at devnull first, so that the
    flush at exit cannot fail once more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):     # a stdout without a file descriptor (tests)
        pass
    sys.exit(EXIT_PIPE)


def entry() -> None:
    """Console-script entry: internal errors exit 4 with the traceback (our bug, not the user's)."""
    try:
        try:
            main(standalone_mode=True)
        finally:
            sys.stdout.flush()            # here, not at exit, where a broken pipe cannot be caught
    except SystemExit:
        raise
    except BrokenPipeError:
        _stdout_gone()
    except Exception:  # noqa: BLE001 - the one place that turns our bugs into exit 4
        import traceback
        traceback.print_exc()
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    entry()
