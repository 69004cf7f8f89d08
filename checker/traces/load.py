"""A saved ITF trace with the spec instance it belongs to (`trace render|convert`, `replay`).

The spec is found through the trace's #meta (source, variant, params); explicit choices
override it. Problems come back as exceptions carrying data: SpecError (located) for files
that do not parse, TraceLookupError (a message) for a spec or property that cannot be found.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checker.run.specs import display
from checker.traces import itf_read
from checker.traces.context import ExportContext, export_context
from checker.traces.itf_read import ItfDocument
from checker.traces.trace import Trace
from model.ir import TransitionSystem
from model.load import instantiate, parse_spec, read_source

ROOT = Path(__file__).resolve().parent.parent.parent


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
    loaded = parse_spec(read_source(spec, display(Path(spec))))
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


def _spec_of_trace(source: str | None, trace_file: Path) -> str:
    if source is None:
        raise TraceLookupError("the trace's #meta does not name its spec (source); give --spec")
    if Path(source).exists():
        return source
    if not Path(source).is_absolute():
        for d in (*trace_file.resolve().parents, ROOT):
            if (d / source).exists():
                return display(d / source)
    raise TraceLookupError(f"the spec named by the trace, {source}, was not found; give --spec")
