"""A saved ITF trace with the spec instance it belongs to (`trace render|convert`, `replay`).

The spec is found through the trace's #meta (source, variant, params); explicit choices
override it. Problems come back as exceptions carrying data: SpecError (located) for files
that do not parse, TraceLookupError (a message) for a spec or property that cannot be found.

NOTE(trace-source): a trace may come from anyone (attached to a bug report), and its
`#meta.source` names a file that is then read and, on an error, quoted. So the name is
followed only to a `.yaml` or `.yml` file inside the current directory's tree or the trace
file's directory tree (after resolving symbolic links); anything else is refused with a message
that names no content, and --spec (the user's own choice) is the way to point elsewhere. A
source found in neither tree is refused too, naming the paths tried; it is never replaced by
the spec of that name that seamcheck ships (a different file may hold a different model), only
suggested for --spec (issue 18).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from checker.run.specs import SPEC_SUFFIXES, SpecFile, display, parse, read_spec, shipped_path
from checker.traces import itf_read
from checker.traces.context import ExportContext, export_context
from checker.traces.itf_read import ItfDocument
from checker.traces.trace import Trace
from model.ir import TransitionSystem
from model.load import instantiate
from model.params import same_value, variant_texts
from model.syntax import SpecDecl


class TraceLookupError(Exception):
    """The trace's spec, instance or property cannot be determined (a usage error, exit 2)."""


@dataclass(frozen=True)
class LoadedTrace:
    ctx: ExportContext
    ts: TransitionSystem
    trace: Trace
    prop: str | None
    doc: ItfDocument


def load_trace(file: str, spec_path: str | None, variant: str | None, params: tuple[str, ...],
               prop: str | None) -> LoadedTrace:
    doc = itf_read.read_file(file, display(Path(file)))
    spec = spec_path or _spec_of_trace(doc.meta.source, Path(file))
    merged = dict(doc.meta.params)
    for o in params:
        name, _, value = o.partition("=")
        merged[name.strip()] = value.strip()
    overrides = params if not doc.meta.params else tuple(f"{k}={v}" for k, v in merged.items())
    loaded = parse(read_spec(SpecFile(Path(spec), display(Path(spec)))))
    _refuse_conflicts(loaded.decl, dict(doc.meta.params), params, variant or doc.meta.variant, doc.meta.variant)
    systems = instantiate(loaded, overrides, variant or doc.meta.variant)
    if len(systems) != 1:
        names = ", ".join(ts.variant or "-" for ts in systems)
        raise TraceLookupError(f"{spec} has {len(systems)} instances (variants {names}); choose one with --variant")
    ts = systems[0]
    tr = itf_read.to_trace(doc, ts)
    p = prop or doc.meta.prop
    if p is not None and p not in {x.name for x in ts.properties}:
        raise TraceLookupError(f"spec '{ts.name}' has no property '{p}'")
    return LoadedTrace(export_context(loaded, ts), ts, tr, p, doc)


def _refuse_conflicts(spec: SpecDecl, recorded: dict[str, str], params: tuple[str, ...], variant: str | None,
                      traces: str | None) -> None:
    """A trace replays with the params it was recorded with: -p or a variant that sets one of them
    to another value is an error naming both (never a variant dropped in silence, issue 18).
    A -p that conflicts with the variant alone is reported by `instantiate` (SC405)."""
    for o in params:
        name, _, value = (x.strip() for x in o.partition("="))
        if name in recorded and not same_value(spec, name, value, recorded[name]):
            raise TraceLookupError(f"-p {name}={value} conflicts with the trace, which has {name}={_shown(recorded[name])} "
                                   "(#meta.params); a trace replays only with the params it was recorded with")
    for name, value in (variant_texts(spec, variant) if variant else {}).items():
        if name in recorded and not same_value(spec, name, value, recorded[name]):
            hint = ("give no --variant" if traces is None else f"the trace's variant is '{_shown(traces)}'"
                    if traces != variant else "the trace's #meta.variant and #meta.params disagree")
            raise TraceLookupError(f"variant '{variant}' fixes {name}={value} but the trace has {name}="
                                   f"{_shown(recorded[name])} (#meta.params); {hint}")


def _shown(text: str) -> str:
    """A value from a trace (anyone's text) for a message: as it is when plain, else quoted and cut."""
    return text if text.isprintable() and len(text) <= 60 and text.strip() == text else json.dumps(text)[:60]


def _spec_of_trace(source: str | None, trace_file: Path) -> str:
    """The spec file #meta.source names (NOTE(trace-source)), as a display path."""
    if source is None:
        raise TraceLookupError("the trace's #meta does not name its spec (source); give --spec")
    shown = json.dumps(source)[:200]      # the trace's text, never a file's
    if not source.endswith(SPEC_SUFFIXES):
        raise TraceLookupError(f"the trace's #meta.source, {shown}, is not a .yaml spec file; give --spec")
    trees = (Path.cwd().resolve(), trace_file.resolve().parent)
    for base in trees:
        candidate = base / source                     # an absolute source stays itself
        if not candidate.exists():
            continue
        real = candidate.resolve()
        if real.suffix not in SPEC_SUFFIXES or not any(real.is_relative_to(t) for t in trees):
            raise TraceLookupError(f"the trace's #meta.source, {shown}, is outside the current directory and "
                                   "the trace's directory; give --spec")
        return display(real)
    raise TraceLookupError(_not_found(source, shown, trees))


def _not_found(source: str, shown: str, trees: tuple[Path, ...]) -> str:
    """Which paths were tried for #meta.source, and the shipped spec of that name if there is one."""
    tried = list(dict.fromkeys(json.dumps(str(t / source))[:300] for t in trees))
    msg = f"the spec named by the trace, {shown}, was not found: no file {' or '.join(tried)}; give --spec FILE"
    try:
        shipped = shipped_path(source).resolve()
        ours = shipped.is_relative_to(shipped_path("specs").resolve()) and shipped.is_file()
    except (ValueError, FileNotFoundError):
        ours = False
    if ours:
        msg += f" (seamcheck ships a spec of that name: --spec {display(shipped)})"
    return msg
