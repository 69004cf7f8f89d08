"""seamcheck's command line: the only module that prints or chooses an exit code.

Exit codes: 0 all properties as expected, 1 a property violated or an expectation not met,
2 bad input or usage, 3 inconclusive (unknown, timeout, limit, or bounded only when a proof was
required), 4 internal error (including engines that disagree).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

import click

from checker.budget import Budget, Progress
from checker.ci import GateReport
from checker.export import FORMATS, format_for
from checker.export import render as render_export
from checker.export.context import ExportContext, export_context, seamcheck_version
from checker.export.text import render_trace
from checker.itf import ItfDocument
from checker.report import (
    EXIT_INCONCLUSIVE,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_VIOLATED,
    Outcome,
    describe,
    exit_code,
    judge,
)
from checker.trace import Trace
from checker.verdict import Proved, Verdict, Violated, kind_of
from model.diagnostics import SpecError, render_all
from model.ir import TransitionSystem
from model.load import LoadedSpec, instantiate, parse_spec, read_source

ROOT = Path(__file__).resolve().parent
DEFAULT_SUITE = ("specs/tdx",)
EXIT_HELP = """\b
Exit codes:
  0  every property as expected (or holds where nothing is expected)
  1  a property violated, or an expectation not met
  2  bad input or usage (spec errors are printed as file:line:col)
  3  inconclusive: unknown, timeout, resource limit, or bounded only
     when --require-proof was given
  4  internal error, including engines that disagree"""


@dataclass(frozen=True)
class CheckOptions:
    params: tuple[str, ...] = ()
    variant: str | None = None
    engine: str = "explicit"
    depth: int = 30
    properties: tuple[str, ...] = ()
    timeout: float | None = None
    max_states: int | None = None
    json: bool = False
    traces: bool = True
    require_proof: bool = False
    extra: dict[str, object] = field(default_factory=dict, compare=False)
    trace_format: str = "itf"           # the format of --trace-out files
    inline_format: str = "text"         # how counterexamples are printed
    trace_out: str | None = None        # --trace-out FILE (see trace_paths for several traces)
    progress: Callable[[Progress], None] | None = field(default=None, compare=False)
    workers: int = 1                    # --workers: independent checks in local processes
    dask: str | None = None             # --dask ADDRESS: the same jobs on a Dask cluster
    symmetry: bool = True
    max_memory_mb: int | None = None
    backend: str = "auto"               # --backend: the explicit search's (checker/explicit.py)
    invariants: bool = False            # --show-invariants: print proofs' certificates


def default_memory_mb() -> int | None:
    """80% of physical memory: explicit search stops with 'unknown (limit)' before the OOM killer."""
    import os
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * 0.8 / 2**20)
    except (ValueError, OSError, AttributeError):
        return None


Precomputed = dict[tuple[str, str | None], list[Verdict]]


@dataclass(frozen=True)
class Result:
    spec: str
    ts: TransitionSystem
    outcome: Outcome


def spec_files(paths: Sequence[str]) -> list[Path]:
    """Spec files named on the command line; directories are searched for *.yaml, sorted."""
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        out.extend(sorted(path.rglob("*.yaml")) if path.is_dir() else [path])
    return out


def run_engine(ts: TransitionSystem, props: list[str], opts: CheckOptions) -> tuple[list[Verdict], list[str]]:
    """Verdicts for props, plus notes for the reader (statistics, never-fired transitions)."""
    budget = Budget(timeout_s=opts.timeout, max_states=opts.max_states, max_depth=opts.depth,
                    max_memory_mb=opts.max_memory_mb)
    if opts.progress is not None:
        budget = replace(budget, on_progress=opts.progress)
    if opts.engine == "portfolio":
        from checker.parallel import Job, portfolio
        job = Job(ts.path, ts.path, opts.params, ts.variant, tuple(props), "portfolio", opts.timeout,
                  opts.max_states, opts.depth)
        return [portfolio(job, ts.variant, p) for p in props], []
    if opts.engine == "explicit":
        from checker.explicit import explore
        live = [p for p in props if ts.prop(p).temporal]
        if live and len(live) < len(props) and opts.symmetry:
            return _explicit_two_passes(ts, props, live, budget, opts)
        # liveness needs the edge lists only the one-state search keeps
        backend = "state" if live and opts.backend == "vector" else opts.backend
        r = explore(ts, props, budget, symmetry=opts.symmetry, backend=backend)
        sym = f", symmetry-reduced over {', '.join(r.symmetry)}" if r.symmetry else ""
        notes = [f"explicit: {r.states} states{sym}, {r.transitions} transitions, diameter {r.diameter}, "
                 f"{r.states_per_s:,.0f} states/s" + ("" if r.complete else " (search incomplete)")]
        never = [c.action for c in r.coverage if c.enabled == 0]
        if never and r.complete:
            notes.append("never enabled (possible vacuity): " + ", ".join(never))
        return list(r.verdicts), notes
    from checker.engines import ENGINES, ENGINES_ALL  # the SMT engines load z3 only when asked for
    if opts.engine in ENGINES_ALL:   # one unrolling / one explicit search for all properties
        return ENGINES_ALL[opts.engine](ts, props, budget), []
    return [ENGINES[opts.engine](ts, p, budget) for p in props], []


def _explicit_two_passes(ts: TransitionSystem, props: list[str], live: list[str], budget: Budget,
                         opts: CheckOptions) -> tuple[list[Verdict], list[str]]:
    """Safety with symmetry reduction, then liveness on the full graph (NOTE(symmetry)): one
    combined search would have to give up the reduction for every property."""
    from checker.explicit import explore
    safe = [p for p in props if p not in live]
    a = explore(ts, safe, budget, symmetry=True, backend=opts.backend)
    b = explore(ts, live, budget, symmetry=False)
    got = {v.prop: v for v in (*a.verdicts, *b.verdicts)}
    sym = f", symmetry-reduced over {', '.join(a.symmetry)}" if a.symmetry else ""
    notes = [f"explicit (safety): {a.states} states{sym}, {a.transitions} transitions, diameter {a.diameter}",
             f"explicit (liveness): {b.states} states, {b.transitions} transitions"
             + ("" if a.complete and b.complete else " (search incomplete)")]
    never = [c.action for c, d in zip(a.coverage, b.coverage, strict=True) if c.enabled == 0 and d.enabled == 0]
    if never and a.complete and b.complete:
        notes.append("never enabled (possible vacuity): " + ", ".join(never))
    return [got[p] for p in props], notes


def check_instance(ts: TransitionSystem, opts: CheckOptions) -> list[Outcome]:
    return check_instance_with_notes(ts, opts)[0]


def check_instance_with_notes(ts: TransitionSystem, opts: CheckOptions,
                              pre: Precomputed | None = None) -> tuple[list[Outcome], list[str]]:
    names = [p.name for p in ts.properties]
    unknown = [p for p in opts.properties if p not in names]
    if unknown:
        from model.diagnostics import did_you_mean
        hints = did_you_mean(unknown[0], names)
        raise click.UsageError(f"spec '{ts.name}' has no property '{unknown[0]}'"
                               + (f" ({hints[0]})" if hints else "") + f"; it has: {', '.join(names)}")
    props = list(opts.properties) or names
    if pre is not None and (ts.path, ts.variant) in pre:
        verdicts, notes = pre[(ts.path, ts.variant)], [f"checked in parallel ({_where(opts)})"]
    else:
        verdicts, notes = run_engine(ts, props, opts)
    for v in verdicts:
        check_replays(ts, v)
    expects = {p.name: p.expect for p in ts.properties}
    return [judge(v, expects[v.prop], opts.require_proof) for v in verdicts], notes


def instance_title(ts: TransitionSystem) -> str:
    params = " ".join(f"{k}={v}" for k, v in ts.params)
    variant = f" variant {ts.variant}" if ts.variant else ""
    return f"{ts.path}{variant} [{params}]"


def print_outcomes(ts: TransitionSystem, outcomes: list[Outcome], opts: CheckOptions, out: TextIO,
                   notes: Sequence[str] = (), ctx: ExportContext | None = None) -> None:
    out.write(instance_title(ts) + "\n")
    out.writelines(f"  {n}\n" for n in notes)
    width = max((len(o.verdict.prop) for o in outcomes), default=8)
    for o in outcomes:
        mark = {"ok": "ok  ", "failed": "FAIL", "inconclusive": "??  "}[o.status]
        exp = f"  [expected {o.expect}]" if o.expect else ""
        out.write(f"  {mark} {o.verdict.prop:<{width}}  {describe(o.verdict)}{exp}\n")
    for o in outcomes:
        if isinstance(o.verdict, Proved) and o.verdict.invariant and opts.invariants:
            out.write(f"\n  Certificate for {o.verdict.prop} ({o.verdict.provenance.engine}):\n")
            out.writelines(f"    {line}\n" for line in o.verdict.invariant.splitlines())
    for o in outcomes:
        if isinstance(o.verdict, Violated) and opts.traces:
            out.write(f"\n  Counterexample for {o.verdict.prop} ({o.verdict.trace.depth} steps):\n")
            text = (render_trace(ts, o.verdict.trace, o.verdict.prop) if opts.inline_format == "text" else
                    render_export(opts.inline_format, ts, o.verdict.trace, o.verdict.prop,
                                  ctx or ExportContext(seamcheck_version())))
            out.write("".join(f"    {line}\n".rstrip(" ") if line else "\n" for line in text.splitlines()))
    out.write("\n")


def outcome_json(ts: TransitionSystem, o: Outcome) -> dict[str, object]:
    v = o.verdict
    d: dict[str, object] = {
        "spec": ts.path, "name": ts.name, "variant": ts.variant, "params": dict(ts.params),
        "property": v.prop, "verdict": kind_of(v), "status": o.status, "expect": o.expect,
        "detail": describe(v), "engine": v.provenance.engine,
    }
    if isinstance(v, Proved) and v.invariant:
        d["invariant"] = v.invariant
    if isinstance(v, Violated):
        d["depth"] = v.trace.depth
        d["trace"] = [ts.actions[a].label.render() for a in v.trace.actions]
    return d


def run_check(paths: Sequence[str], opts: CheckOptions, out: TextIO, err: TextIO) -> int:
    """Check every spec x instance; returns the exit code."""
    outcomes: list[Outcome] = []
    records: list[dict[str, object]] = []
    violations: list[tuple[ExportContext, TransitionSystem, Violated, dict[str, object] | None]] = []
    bad_input = False
    files = spec_files(paths)
    pre = _parallel(files, opts) if opts.workers > 1 or opts.dask else None
    for path in files:
        try:
            spec = parse_spec(read_source(path, _display(path)))
            systems = instantiate(spec, opts.params, opts.variant)
        except SpecError as e:
            err.write(render_all(e.diagnostics, e.sources) + "\n")
            bad_input = True
            continue
        for ts in systems:
            _progress_label(opts, ts.path + (f" [{ts.variant}]" if ts.variant else ""))
            got, notes = check_instance_with_notes(ts, opts, pre)
            outcomes.extend(got)
            ctx = export_context(spec, ts, opts.engine)
            recs = [outcome_json(ts, o) for o in got]
            records.extend(recs)
            violations += [(ctx, ts, o.verdict, r) for o, r in zip(got, recs) if isinstance(o.verdict, Violated)]
            if not opts.json:
                print_outcomes(ts, got, opts, out, notes, ctx)
    if opts.trace_out and violations:
        if not write_traces(violations, opts, len(files) > 1, out if not opts.json else None, err):
            bad_input = True
    if opts.json:
        out.write(json.dumps(records, indent=2, sort_keys=True) + "\n")
    if bad_input:
        return EXIT_USAGE
    code = exit_code(outcomes)
    if not opts.json:
        out.write(_summary(outcomes, code))
    return code


def _where(opts: CheckOptions) -> str:
    return f"Dask cluster {opts.dask}" if opts.dask else f"{opts.workers} local workers"


def _parallel(files: Sequence[Path], opts: CheckOptions) -> Precomputed:
    """Run every loadable spec instance as an independent job; failures to load are left to the
    serial loop, which reports them with their locations."""
    from checker.parallel import Job, run_jobs
    jobs = []
    for path in files:
        display = _display(path)
        try:
            systems = instantiate(parse_spec(read_source(path, display)), opts.params, opts.variant)
        except SpecError:
            continue
        jobs += [Job(str(path), display, opts.params, ts.variant, opts.properties, opts.engine, opts.timeout,
                     opts.max_states, opts.depth, opts.symmetry, opts.backend) for ts in systems]
    results = run_jobs(jobs, opts.workers, opts.dask)
    return {(r.job.display, r.variant): list(r.verdicts) for r in results}


def _summary(outcomes: list[Outcome], code: int) -> str:
    n = {s: sum(1 for o in outcomes if o.status == s) for s in ("ok", "failed", "inconclusive")}
    return (f"{len(outcomes)} properties: {n['ok']} as expected, {n['failed']} failed, "
            f"{n['inconclusive']} inconclusive (exit {code})\n")


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


ENGINE_CHOICES = ["explicit", "bmc", "kind", "pdr", "auto", "portfolio"]
FORMAT_CHOICES = sorted(FORMATS)


class InternalError(Exception):
    """Our bug or an engine's: a trace that does not replay, engines that disagree (exit 4)."""


class SeamGroup(click.Group):
    """Any unexpected exception in a command is our bug: print its traceback and exit 4.

    (entry() does the same for the console script; this also covers `python -m cli` and tests.)
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as e:  # noqa: BLE001 - the one place that turns our bugs into exit 4
            import traceback
            sys.stderr.write("".join(traceback.format_exception(e)))
            sys.stderr.write(f"seamcheck: internal error (exit {EXIT_INTERNAL}): {e}\n")
            sys.exit(EXIT_INTERNAL)


@click.group(cls=SeamGroup, invoke_without_command=True, epilog=EXIT_HELP)
@click.version_option(seamcheck_version(), message="seamcheck %(version)s")   # also from a checkout that is not installed
@click.pass_context
def main(ctx: click.Context) -> None:
    """seamcheck: a model checker for kernel concurrency protocols (Intel TDX teardown first).

    With no command, checks the shipped TDX suite (specs/tdx) against its expected verdicts.
    """
    if ctx.invoked_subcommand is None:
        suite = [str(ROOT / p) for p in DEFAULT_SUITE]
        ctx.exit(run_check(suite, CheckOptions(), sys.stdout, sys.stderr))


@main.command(epilog=EXIT_HELP)
@click.argument("specs", nargs=-1, required=True, type=click.Path())
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="Override a spec param.")
@click.option("--variant", help="Check only this variant of the spec.")
@click.option("--engine", type=click.Choice(ENGINE_CHOICES), default="explicit", show_default=True)
@click.option("--depth", type=click.IntRange(0, 10_000), default=30, show_default=True,
              help="Bound for BMC and k-induction.")
@click.option("--property", "properties", multiple=True, help="Check only this property (repeatable).")
@click.option("--timeout", type=click.FloatRange(0, min_open=True), help="Seconds per check.")
@click.option("--max-states", type=click.IntRange(1), help="State limit for explicit search.")
@click.option("--require-proof", is_flag=True, help="Treat 'holds up to depth k' as inconclusive (exit 3).")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.option("--no-trace", is_flag=True, help="Do not print counterexample traces.")
@click.option("--trace-out", metavar="FILE", help="Write each violated property's trace to FILE. With several "
              "traces, each file is FILE with '.[SPEC.]VARIANT.PROPERTY' inserted before its first dot "
              "(SPEC only when several spec files are checked).")
@click.option("--format", "trace_format", type=click.Choice(FORMAT_CHOICES),
              help="Trace format for --trace-out and for traces printed inline (default: from FILE's "
              "extension, else itf for files and text inline).")
@click.option("--workers", type=click.IntRange(1, 256), default=1, show_default=True,
              help="Check independent spec instances in this many local processes.")
@click.option("--dask", "dask_address", metavar="ADDRESS", help="Send the checks to a Dask cluster.")
@click.option("--no-symmetry", is_flag=True, help="Explore every state, even of symmetric sets.")
@click.option("--backend", type=click.Choice(["auto", "vector", "state"]), default="auto", show_default=True,
              help="Explicit search: many states at a time (vector) or one at a time (state, the reference "
              "semantics); auto: vector unless liveness is checked. Both give the same results.")
@click.option("--max-memory", type=click.IntRange(64), metavar="MIB",
              help="Stop explicit search (unknown, exit 3) above this memory use [default: 80% of RAM].")
@click.option("--show-invariants", is_flag=True,
              help="Print each proof's certificate in spec syntax: PDR's inductive invariant, the "
              "lemmas k-induction mined (paste them under `lemmas:`).")
def check(specs: tuple[str, ...], params: tuple[str, ...], variant: str | None, engine: str, depth: int,
          properties: tuple[str, ...], timeout: float | None, max_states: int | None, require_proof: bool,
          as_json: bool, no_trace: bool, trace_out: str | None, trace_format: str | None, workers: int,
          dask_address: str | None, no_symmetry: bool, backend: str, max_memory: int | None,
          show_invariants: bool) -> None:
    """Check every property of SPECS (files or directories) against its expected verdict."""
    for s in specs:
        if not Path(s).exists():
            raise click.UsageError(f"no such spec file or directory: {s}")
    file_fmt = trace_format or (format_for(trace_out) if trace_out else None) or "itf"
    inline_fmt = trace_format if trace_format and not trace_out else "text"
    with ProgressLine(enabled=not as_json and sys.stderr.isatty()) as progress:
        opts = CheckOptions(params, variant, engine, depth, properties, timeout, max_states, as_json,
                            not no_trace, require_proof, trace_format=file_fmt, inline_format=inline_fmt, trace_out=trace_out,
                            progress=progress if progress.enabled else None, workers=workers,
                            dask=dask_address, symmetry=not no_symmetry,
                            max_memory_mb=max_memory or default_memory_mb(), backend=backend,
                            invariants=show_invariants)
        code = run_check(specs, opts, sys.stdout, sys.stderr)
    sys.exit(code)


# ---- helpers of check, and the commands show, ci, trace, replay, graph --------------------------

REPLAY_HELP = EXIT_HELP + """

\b
For replay:
  0  the trace replays and ends in a violation of its property
  1  it does not: the first step whose guard or effect does not match
     is named (or the end is not a violation)
  2  the trace or spec file is malformed (located error)"""


def check_replays(ts: TransitionSystem, v: Verdict) -> None:
    """Every counterexample is replayed on the concrete semantics before it is shown (exit 4 if not)."""
    from checker.replay import ReplayError, validate
    if not isinstance(v, Violated):
        return
    try:
        validate(ts, v.trace, v.prop)
    except ReplayError as e:
        raise InternalError(f"the {v.provenance.engine} engine returned a counterexample for '{v.prop}' "
                            f"that does not replay: {e}") from None


class ProgressLine:
    """A rich status line on stderr, fed by Budget.on_progress; does nothing when disabled."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.what = ""
        self._status: object | None = None

    def __enter__(self) -> ProgressLine:
        if self.enabled:
            from rich.console import Console
            status = Console(stderr=True).status("seamcheck: starting")
            status.start()
            self._status = status
        return self

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.stop()  # type: ignore[attr-defined]

    def label(self, what: str) -> None:
        from rich.markup import escape  # "[variant]" must not read as rich markup
        self.what = what
        if self._status is not None:
            self._status.update(escape(f"checking {what}"))  # type: ignore[attr-defined]

    def __call__(self, p: Progress) -> None:
        from rich.markup import escape
        if self._status is not None:
            self._status.update(escape(progress_text(self.what, p)))  # type: ignore[attr-defined]


def progress_text(what: str, p: Progress) -> str:
    return (f"{what}: {p.engine} {p.states:,} states, frontier {p.frontier:,}, depth {p.depth}, "
            f"{p.elapsed_s:.0f} s")


def _progress_label(opts: CheckOptions, what: str) -> None:
    if isinstance(opts.progress, ProgressLine):
        opts.progress.label(what)


def trace_paths(base: str, items: Sequence[tuple[TransitionSystem, str]], multi_spec: bool) -> list[str]:
    """File names for --trace-out: FILE itself for one trace, else FILE with
    '.[SPEC.]VARIANT.PROPERTY' inserted before the first dot of its name (SPEC only when
    several spec files were checked; VARIANT only when the instance has one)."""
    if len(items) == 1:
        return [base]
    p = Path(base)
    stem, dot, rest = p.name.partition(".")
    out: list[str] = []
    for ts, prop in items:
        parts = ([ts.name] if multi_spec else []) + ([ts.variant] if ts.variant else []) + [prop]
        name = f"{stem}.{'.'.join(parts)}" + (f".{rest}" if dot else "")
        path = str(p.with_name(name))
        n = 2
        while path in out:  # the same spec name in two files: keep every trace
            path, n = str(p.with_name(f"{stem}.{'.'.join(parts)}.{n}" + (f".{rest}" if dot else ""))), n + 1
        out.append(path)
    return out


def write_traces(violations: Sequence[tuple[ExportContext, TransitionSystem, Violated, dict[str, object] | None]],
                 opts: CheckOptions, multi_spec: bool, out: TextIO | None, err: TextIO) -> bool:
    assert opts.trace_out is not None
    paths = trace_paths(opts.trace_out, [(ts, v.prop) for _, ts, v, _ in violations], multi_spec)
    for (ctx, ts, v, rec), path in zip(violations, paths, strict=True):
        text = render_export(opts.trace_format, ts, v.trace, v.prop, ctx)
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(text)
        except OSError as e:
            err.write(f"seamcheck: cannot write {path}: {e.strerror}\n")
            return False
        if rec is not None:
            rec["trace_file"] = path
        if out is not None:
            out.write(f"trace of {v.prop} ({opts.trace_format}) written to {path}\n")
    return True


def _load_one(spec: str, params: tuple[str, ...], variant: str | None,
              need_one: bool = True) -> tuple[LoadedSpec, list[TransitionSystem]]:
    """Load a spec or exit 2 with located errors; with need_one, exactly one instance."""
    try:
        loaded = parse_spec(read_source(spec, _display(Path(spec))))
        systems = instantiate(loaded, params, variant)
    except SpecError as e:
        sys.stderr.write(render_all(e.diagnostics, e.sources) + "\n")
        sys.exit(EXIT_USAGE)
    if need_one and len(systems) != 1:
        names = ", ".join(ts.variant or "-" for ts in systems)
        raise click.UsageError(f"{spec} has {len(systems)} instances (variants {names}); choose one with --variant")
    return loaded, systems


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
@click.option("--engine", type=click.Choice(ENGINE_CHOICES), default="explicit", show_default=True)
@click.option("--depth", type=click.IntRange(0, 10_000), default=30, show_default=True,
              help="Bound for BMC and k-induction.")
@click.option("--timeout", type=click.FloatRange(0, min_open=True), help="Seconds per check.")
@click.option("--max-states", type=click.IntRange(1), help="State limit for explicit search.")
@click.option("--require-proof", is_flag=True, help="Treat 'holds up to depth k' as inconclusive (exit 3).")
@click.option("--junit", "junit_file", metavar="FILE", help="Write a JUnit XML report.")
@click.option("--json", "json_file", metavar="FILE", help="Write a JSON report.")
@click.option("--cache-dir", default=".seamcheck-cache", show_default=True, help="Where verdicts are cached.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the verdict cache.")
@click.option("--changed-since", metavar="REV", help="Check only specs changed since git revision REV "
              "(and specs that include them).")
def ci(paths: tuple[str, ...], engine: str, depth: int, timeout: float | None, max_states: int | None,
       require_proof: bool, junit_file: str | None, json_file: str | None, cache_dir: str, no_cache: bool,
       changed_since: str | None) -> None:
    """The CI gate: every spec x variant x property in PATHS (default: specs/) against its `expect`.

    Verdicts are cached in --cache-dir keyed by the spec's parsed content (whitespace and comments
    do not count), the options and the seamcheck and z3 versions; cache hits are reported.
    """
    from checker import ci as gate
    roots = list(paths) or ["specs"]
    for r in roots:
        if not Path(r).exists():
            raise click.UsageError(f"no such spec file or directory: {r}")
    files = [(p, _display(p)) for p in spec_files(roots)]
    skipped: tuple[str, ...] = ()
    if changed_since:
        try:
            changed = gate.changed_files(changed_since, Path.cwd())
        except gate.GateError as e:
            raise click.UsageError(str(e)) from None
        chosen = gate.select_changed(files, changed)
        skipped = tuple(s for p, s in files if (p, s) not in chosen)
        files = chosen
    gopts = gate.GateOptions(engine, depth, timeout, max_states, require_proof)
    cache = None if no_cache else gate.Cache(Path(cache_dir))
    with ProgressLine(enabled=json_file is None and sys.stderr.isatty()) as progress:
        copts = CheckOptions(engine=engine, depth=depth, timeout=timeout, max_states=max_states, traces=False,
                             require_proof=require_proof, progress=progress if progress.enabled else None)
        report = gate.run_gate(files, lambda ts: check_instance(ts, copts), gopts, cache, progress.label)
    from dataclasses import replace
    report = replace(report, skipped=skipped)
    if sys.stdout.isatty():
        _rich_table(report)
    else:
        sys.stdout.write(gate.table_text(report))
    fails = gate.failures_text(report)
    sys.stdout.write(("\n" + fails if fails else "") + "\n" + gate.summary(report))
    for name, text in ((junit_file, gate.junit_xml), (json_file, gate.gate_json)):
        if name:
            _write_out(text(report), name)
    sys.exit(report.exit_code)


def _rich_table(report: GateReport) -> None:
    from rich.console import Console
    from rich.table import Table

    from checker import ci as gate
    table = Table(*gate.COLUMNS)
    styles = {"ok": "green", "FAIL": "bold red", "??": "yellow", "ERROR": "bold red"}
    from rich.markup import escape
    for row in gate.table_rows(report):
        table.add_row(*(escape(c) for c in row), style=styles.get(row[5]))
    Console().print(table)


@main.group(cls=SeamGroup, epilog=EXIT_HELP)
def trace() -> None:
    """Saved ITF traces (.itf.json): convert them to any export format, or render them.

    The spec is found through the trace's #meta (source, variant, params); --spec, --variant and
    -p override it. A relative source path is looked up from the current directory, then from
    the trace file's directory and its parents.
    """


def _trace_options(f: Callable[..., None]) -> Callable[..., None]:
    f = click.option("--spec", "spec_path", type=click.Path(), help="The spec (default: #meta.source).")(f)
    f = click.option("--variant", help="The variant (default: #meta.variant).")(f)
    f = click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
                     help="Override a param (default: #meta.params).")(f)
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
    """Convert the ITF trace FILE into another format (itf, text, race, mermaid, dot, markdown)."""
    fmt = fmt or format_for(out_path)
    if fmt is None:
        raise click.UsageError("give --format, or an output file whose extension names one")
    ctx, ts, tr, p = _load_trace(file, spec_path, variant, params, prop)
    _write_out(render_export(fmt, ts, tr, p, ctx), out_path)


@trace.command("render", epilog=EXIT_HELP)
@click.argument("file", type=click.Path())
@click.option("-f", "--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="race", show_default=True)
@_trace_options
def trace_render(file: str, fmt: str, spec_path: str | None, variant: str | None, params: tuple[str, ...],
                 prop: str | None) -> None:
    """Print the ITF trace FILE for reading (a race diagram by default)."""
    ctx, ts, tr, p = _load_trace(file, spec_path, variant, params, prop)
    sys.stdout.write(render_export(fmt, ts, tr, p, ctx))


def _load_trace(file: str, spec_path: str | None, variant: str | None, params: tuple[str, ...],
                prop: str | None) -> tuple[ExportContext, TransitionSystem, Trace, str | None]:
    """The trace, its spec instance and property; exits 2 with located errors."""
    ctx, ts, tr, p, _ = _load_trace_doc(file, spec_path, variant, params, prop)
    return ctx, ts, tr, p


def _load_trace_doc(file: str, spec_path: str | None, variant: str | None, params: tuple[str, ...],
                    prop: str | None) -> tuple[ExportContext, TransitionSystem, Trace, str | None, ItfDocument]:
    from checker import itf
    try:
        doc = itf.read_file(file, _display(Path(file)))
    except SpecError as e:
        sys.stderr.write(render_all(e.diagnostics, e.sources) + "\n")
        sys.exit(EXIT_USAGE)
    spec = spec_path or _spec_of_trace(doc.meta.source, Path(file))
    merged = dict(doc.meta.params)
    for o in params:
        name, _, value = o.partition("=")
        merged[name.strip()] = value.strip()
    overrides = params if not doc.meta.params else tuple(f"{k}={v}" for k, v in merged.items())
    loaded, systems = _load_one(spec, overrides, variant or doc.meta.variant)
    ts = systems[0]
    try:
        tr = itf.to_trace(doc, ts)
    except SpecError as e:
        sys.stderr.write(render_all(e.diagnostics, e.sources) + "\n")
        sys.exit(EXIT_USAGE)
    p = prop or doc.meta.prop
    if p is not None and p not in {x.name for x in ts.properties}:
        raise click.UsageError(f"spec '{ts.name}' has no property '{p}'")
    return export_context(loaded, ts), ts, tr, p, doc


def _spec_of_trace(source: str | None, trace_file: Path) -> str:
    if source is None:
        raise click.UsageError("the trace's #meta does not name its spec (source); give --spec")
    if Path(source).exists():
        return source
    if not Path(source).is_absolute():
        for d in (*trace_file.resolve().parents, ROOT):
            if (d / source).exists():
                return _display(d / source)
    raise click.UsageError(f"the spec named by the trace, {source}, was not found; give --spec")


@main.command(epilog=REPLAY_HELP)
@click.argument("spec", type=click.Path())
@click.argument("trace_file", metavar="TRACE", type=click.Path())
@click.option("--variant", help="The variant (default: the trace's #meta.variant).")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Override a param (default: the trace's #meta.params).")
@click.option("--property", "prop", help="The property the trace should violate (default: #meta.property).")
def replay(spec: str, trace_file: str, variant: str | None, params: tuple[str, ...], prop: str | None) -> None:
    """Re-check the saved ITF trace TRACE against SPEC step by step, without any engine."""
    from checker.replay import ReplayError, replay_steps, violates
    ctx, ts, tr, p, doc = _load_trace_doc(trace_file, spec, variant, params, prop)
    try:
        replay_steps(ts, tr)
    except ReplayError as e:
        sys.stdout.write(f"{doc.span(('states', e.step))}: does not replay: {e}\n")
        sys.exit(EXIT_VIOLATED)
    title = instance_title(ts)
    if p is None:
        sys.stdout.write(f"{trace_file}: replays on {title} ({tr.depth} steps); no property named\n")
        sys.exit(EXIT_OK)
    if not violates(ts, tr, p):
        sys.stdout.write(f"{trace_file}: replays on {title} ({tr.depth} steps), but does not end in a "
                         f"violation of '{p}'\n")
        sys.exit(EXIT_VIOLATED)
    sys.stdout.write(f"{trace_file}: replays on {title} and violates '{p}' at depth {tr.depth}\n")
    sys.exit(EXIT_OK)


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
    from checker.state_graph import build, to_dot, to_graphml
    _, systems = _load_one(spec, params, variant)
    g = build(systems[0], max_states)
    if g.graph is None:
        sys.stderr.write(f"seamcheck: {instance_title(systems[0])} has more than {max_states} reachable states; "
                         "raise --max-states or use smaller params\n")
        sys.exit(EXIT_INCONCLUSIVE)
    _write_out(to_dot(g.graph) if fmt == "dot" else to_graphml(g.graph), out_path)
    if out_path not in (None, "-"):
        sys.stdout.write(f"{g.states} states, {g.edges} edges written to {out_path}\n")


def entry() -> None:
    """Console-script entry: internal errors exit 4 with the traceback (our bug, not the user's)."""
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except Exception:  # noqa: BLE001 - the one place that turns our bugs into exit 4
        import traceback
        traceback.print_exc()
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    entry()
