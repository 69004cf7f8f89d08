"""seamcheck's command line: the only module that prints or chooses an exit code.

Exit codes: 0 all properties as expected, 1 a property violated or an expectation not met,
2 bad input or usage, 3 inconclusive (unknown, timeout, limit, or bounded only when a proof was
required), 4 internal error (including engines that disagree).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import click

from checker.budget import Budget
from checker.export.text import render_trace
from checker.report import EXIT_INTERNAL, EXIT_USAGE, Outcome, describe, exit_code, judge
from checker.verdict import Verdict, Violated, kind_of
from model.diagnostics import SpecError, render_all
from model.ir import TransitionSystem
from model.load import instantiate, parse_spec, read_source

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
    budget = Budget(timeout_s=opts.timeout, max_states=opts.max_states, max_depth=opts.depth)
    if opts.engine == "explicit":
        from checker.explicit import explore
        r = explore(ts, props, budget)
        notes = [f"explicit: {r.states} states, {r.transitions} transitions, diameter {r.diameter}, "
                 f"{r.states_per_s:,.0f} states/s" + ("" if r.complete else " (search incomplete)")]
        never = [c.action for c in r.coverage if c.enabled == 0]
        if never and r.complete:
            notes.append("never enabled (possible vacuity): " + ", ".join(never))
        return list(r.verdicts), notes
    from checker.engines import ENGINES  # the SMT engines load z3 only when asked for
    return [ENGINES[opts.engine](ts, p, budget) for p in props], []


def check_instance(ts: TransitionSystem, opts: CheckOptions) -> list[Outcome]:
    return check_instance_with_notes(ts, opts)[0]


def check_instance_with_notes(ts: TransitionSystem, opts: CheckOptions) -> tuple[list[Outcome], list[str]]:
    names = [p.name for p in ts.properties]
    unknown = [p for p in opts.properties if p not in names]
    if unknown:
        from model.diagnostics import did_you_mean
        notes = did_you_mean(unknown[0], names)
        raise click.UsageError(f"spec '{ts.name}' has no property '{unknown[0]}'"
                               + (f" ({notes[0]})" if notes else "") + f"; it has: {', '.join(names)}")
    props = list(opts.properties) or names
    verdicts, notes = run_engine(ts, props, opts)
    expects = {p.name: p.expect for p in ts.properties}
    return [judge(v, expects[v.prop], opts.require_proof) for v in verdicts], notes


def instance_title(ts: TransitionSystem) -> str:
    params = " ".join(f"{k}={v}" for k, v in ts.params)
    variant = f" variant {ts.variant}" if ts.variant else ""
    return f"{ts.path}{variant} [{params}]"


def print_outcomes(ts: TransitionSystem, outcomes: list[Outcome], opts: CheckOptions, out: TextIO,
                   notes: Sequence[str] = ()) -> None:
    out.write(instance_title(ts) + "\n")
    out.writelines(f"  {n}\n" for n in notes)
    width = max((len(o.verdict.prop) for o in outcomes), default=8)
    for o in outcomes:
        mark = {"ok": "ok  ", "failed": "FAIL", "inconclusive": "??  "}[o.status]
        exp = f"  [expected {o.expect}]" if o.expect else ""
        out.write(f"  {mark} {o.verdict.prop:<{width}}  {describe(o.verdict)}{exp}\n")
    for o in outcomes:
        if isinstance(o.verdict, Violated) and opts.traces:
            out.write(f"\n  Counterexample for {o.verdict.prop} ({o.verdict.trace.depth} steps):\n")
            text = render_trace(ts, o.verdict.trace, o.verdict.prop)
            out.write("".join(f"    {line}\n" for line in text.splitlines()))
    out.write("\n")


def outcome_json(ts: TransitionSystem, o: Outcome) -> dict[str, object]:
    v = o.verdict
    d: dict[str, object] = {
        "spec": ts.path, "name": ts.name, "variant": ts.variant, "params": dict(ts.params),
        "property": v.prop, "verdict": kind_of(v), "status": o.status, "expect": o.expect,
        "detail": describe(v), "engine": v.provenance.engine,
    }
    if isinstance(v, Violated):
        d["depth"] = v.trace.depth
        d["trace"] = [ts.actions[a].label.render() for a in v.trace.actions]
    return d


def run_check(paths: Sequence[str], opts: CheckOptions, out: TextIO, err: TextIO) -> int:
    """Check every spec x instance; returns the exit code."""
    outcomes: list[Outcome] = []
    records: list[dict[str, object]] = []
    bad_input = False
    for path in spec_files(paths):
        try:
            spec = parse_spec(read_source(path, _display(path)))
            systems = instantiate(spec, opts.params, opts.variant)
        except SpecError as e:
            err.write(render_all(e.diagnostics, e.sources) + "\n")
            bad_input = True
            continue
        for ts in systems:
            got, notes = check_instance_with_notes(ts, opts)
            outcomes.extend(got)
            if opts.json:
                records.extend(outcome_json(ts, o) for o in got)
            else:
                print_outcomes(ts, got, opts, out, notes)
    if opts.json:
        out.write(json.dumps(records, indent=2, sort_keys=True) + "\n")
    if bad_input:
        return EXIT_USAGE
    code = exit_code(outcomes)
    if not opts.json:
        out.write(_summary(outcomes, code))
    return code


def _summary(outcomes: list[Outcome], code: int) -> str:
    n = {s: sum(1 for o in outcomes if o.status == s) for s in ("ok", "failed", "inconclusive")}
    return (f"{len(outcomes)} properties: {n['ok']} as expected, {n['failed']} failed, "
            f"{n['inconclusive']} inconclusive (exit {code})\n")


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


ENGINE_CHOICES = ["explicit", "bmc", "kind", "pdr", "auto"]


@click.group(invoke_without_command=True, epilog=EXIT_HELP)
@click.version_option(package_name="seamcheck", message="seamcheck %(version)s")
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
def check(specs: tuple[str, ...], params: tuple[str, ...], variant: str | None, engine: str, depth: int,
          properties: tuple[str, ...], timeout: float | None, max_states: int | None, require_proof: bool,
          as_json: bool, no_trace: bool) -> None:
    """Check every property of SPECS (files or directories) against its expected verdict."""
    for s in specs:
        if not Path(s).exists():
            raise click.UsageError(f"no such spec file or directory: {s}")
    opts = CheckOptions(params, variant, engine, depth, properties, timeout, max_states, as_json,
                        not no_trace, require_proof)
    code = run_check(specs, opts, sys.stdout, sys.stderr)
    sys.exit(code)


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
