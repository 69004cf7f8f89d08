"""Trace and verdict printers: each module turns data into text; none of them prints.

Every trace exporter has the signature render(ts, trace, prop, ctx) -> str (see context.py).
"""

from __future__ import annotations

from collections.abc import Callable

from checker.traces.context import ExportContext
from checker.traces.trace import Trace
from model.ir import TransitionSystem

Renderer = Callable[[TransitionSystem, Trace, "str | None", ExportContext], str]

# format name -> (module, file extension); the modules are imported when used
FORMATS: dict[str, tuple[str, str]] = {
    "itf": ("checker.traces.itf", ".itf.json"),
    "text": ("checker.export.text", ".txt"),
    "race": ("checker.export.race", ".race.txt"),
    "race-lp": ("checker.export.race_lp", ".race-lp.txt"),
    "mermaid": ("checker.export.mermaid", ".mmd"),
    "dot": ("checker.export.dot", ".dot"),
    "markdown": ("checker.export.markdown", ".md"),
}


def renderer(fmt: str) -> Renderer:
    """The render function of a format in FORMATS; raises KeyError for an unknown one."""
    import importlib
    module = importlib.import_module(FORMATS[fmt][0])
    return module.render  # type: ignore[no-any-return]


def render(fmt: str, ts: TransitionSystem, trace: Trace, prop: str | None, ctx: ExportContext) -> str:
    return renderer(fmt)(ts, trace, prop, ctx)


def format_for(path: str) -> str | None:
    """The format a file name asks for by its extension (longest match), else None."""
    name = path.lower()
    by_ext = sorted(((ext, f) for f, (_, ext) in FORMATS.items()), key=lambda x: -len(x[0]))
    for ext, f in by_ext + [(".json", "itf"), (".mermaid", "mermaid"), (".gv", "dot")]:
        if name.endswith(ext):
            return f
    return None
