"""What every trace exporter needs besides the trace: step facts, the reproduce command, docs.

Exporters are pure functions `render(ts, trace, prop, ctx) -> str`. Everything they show about a
step (who acted, which operation returned which status, what changed) is computed here once, so
the formats cannot disagree with each other.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from checker.traces.trace import Trace
from checker.traces.values import changed
from model.diagnostics import Collector
from model.evaluate import evaluate
from model.ir import GLOBAL_CONTEXT, Action, TransitionSystem
from model.load import LoadedSpec
from model.params import instances
from model.syntax import qualified

MODULE = "module"   # the race diagram's column for operation calls (the TDX module for SEAMCALLs)


@dataclass(frozen=True)
class ExportContext:
    """Spec facts that are not in the IR, and how to reproduce the run.

    docs maps a qualified transition ("vcpu.load") to its `doc:`; `defaults` holds the parameter
    values the reproduce command may leave out (the spec's defaults for that variant).
    """

    version: str = ""
    docs: tuple[tuple[str, str], ...] = ()
    defaults: tuple[tuple[str, str], ...] | None = None
    engine: str | None = None
    simulate: tuple[str, ...] = ()       # a simulation's options: reproduce with `seamcheck simulate`

    def doc(self, qualified: str) -> str:
        return dict(self.docs).get(qualified, "")


@dataclass(frozen=True)
class Step:
    """Step k (1-based) of a trace: the action fired from state k-1 to state k."""

    index: int
    action: Action
    context: str                          # "vcpu[0]" or "teardown": who acted
    status: str | None                    # the operation's returned status, if it called one
    changed: tuple[tuple[str, str], ...]  # (variable, new value) for every changed slot

    @property
    def call_text(self) -> str:
        return f"{self.action.call} -> {self.status}" if self.action.call else ""


def export_context(spec: LoadedSpec, ts: TransitionSystem, engine: str | None = None) -> ExportContext:
    """The context for traces of `ts`, an instance of `spec` (docs and default parameters)."""
    docs = tuple((qualified(m.name, t.name), t.doc) for m in spec.decl.machines for t in m.transitions if t.doc)
    out = Collector()
    insts = instances(spec.decl, {}, out, ts.variant)
    defaults = insts[0].rendered() if insts and not out else None
    return ExportContext(seamcheck_version(), docs, defaults, engine)


def seamcheck_version() -> str:
    """The installed package version, else the one in pyproject.toml next to the sources."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("seamcheck")
    except PackageNotFoundError:
        return _pyproject_version()


def _pyproject_version() -> str:
    import tomllib
    path = Path(__file__).resolve().parents[2] / "pyproject.toml"
    try:
        with open(path, "rb") as f:
            return str(tomllib.load(f)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def context_of(action: Action) -> str:
    lab = action.label
    if not lab.machine:
        return GLOBAL_CONTEXT
    return lab.machine if lab.instance is None else f"{lab.machine}[{lab.instance}]"


def status_of(action: Action, pre: tuple[int, ...]) -> str | None:
    if action.call is None or action.result is None:
        return None
    return action.result.sort.render(evaluate(action.result, pre))


def steps(ts: TransitionSystem, trace: Trace) -> list[Step]:
    out = []
    for k, a in enumerate(trace.actions, start=1):
        act = ts.actions[a]
        pre, post = trace.states[k - 1], trace.states[k]
        out.append(Step(k, act, context_of(act), status_of(act, pre), changed(ts, pre, post)))
    return out


def contexts(ts: TransitionSystem, trace: Trace) -> list[str]:
    """Execution contexts that act in the trace, in spec order (machines, then instances)."""
    acting = {context_of(ts.actions[a]) for a in trace.actions}
    order: list[str] = []
    for m in ts.machines:
        names = [m.name] if m.instances is None else [f"{m.name}[{i}]" for i in range(m.instances)]
        order.extend(n for n in names if n in acting)
    return order


def uses_module(ts: TransitionSystem, trace: Trace) -> bool:
    return any(ts.actions[a].call is not None for a in trace.actions)


def prop_doc(ts: TransitionSystem, prop: str | None) -> str:
    if prop is None:
        return ""
    try:
        return ts.prop(prop).doc
    except KeyError:
        return ""


def reproduce_args(ts: TransitionSystem, prop: str | None, ctx: ExportContext) -> list[str]:
    """argv of the `seamcheck check` (or `simulate`) command that finds this violation again."""
    args = ["seamcheck", "simulate" if ctx.simulate else "check", ts.path]
    if ts.variant:
        args += ["--variant", ts.variant]
    defaults = dict(ctx.defaults) if ctx.defaults is not None else {}
    for k, v in ts.params:
        if defaults.get(k) != v:
            args += ["-p", f"{k}={v}"]
    if ctx.engine and ctx.engine != "explicit" and not ctx.simulate:
        args += ["--engine", ctx.engine]
    args += ctx.simulate
    if prop:
        args += ["--property", prop]
    return args


def reproduce_command(ts: TransitionSystem, prop: str | None, ctx: ExportContext) -> str:
    return shlex.join(reproduce_args(ts, prop, ctx))


def wrap_command(args: list[str], width: int, indent: str = "  ") -> list[str]:
    """A shell command split over lines ending in ` \\`, each at most `width` columns."""
    words = [shlex.quote(a) for a in args]
    # keep an option with its value on one line ("-p N=3"), so a wrapped line still reads well
    groups: list[str] = []
    for w in words:
        if groups and groups[-1].startswith("-") and " " not in groups[-1] and not w.startswith("-"):
            groups[-1] += " " + w
        else:
            groups.append(w)
    lines: list[str] = []
    cur = ""
    for g in groups:
        cand = f"{cur} {g}" if cur else g
        if cur and len(cand) + 2 > width:
            lines.append(cur + " \\")
            cur = indent + g
        else:
            cur = cand
    lines.append(cur)
    return lines


def params_text(ts: TransitionSystem) -> str:
    return " ".join(f"{k}={v}" for k, v in ts.params)


def loop_note(loop: int) -> str:
    return f"loop starts here (state {loop})"


def loop_back(loop: int) -> str:
    return f"back to state {loop}: the loop repeats forever"
