"""A counterexample for a review thread: a heading, the command line, the race diagram and the
step-by-step trace in fenced blocks (GitHub, GitLab and Gerrit all render it)."""

from __future__ import annotations

from checker.export import race, text
from checker.traces.context import ExportContext, params_text, prop_doc, reproduce_command
from checker.traces.trace import Trace
from model.ir import TransitionSystem


def fence(body: str, lang: str = "") -> list[str]:
    """A fenced block whose fence is longer than any backtick run inside it."""
    longest = max((len(run) for run in body.replace("\n", " ").split() if set(run) == {"`"}), default=0)
    ticks = "`" * max(3, longest + 1)
    return [ticks + lang, body.rstrip("\n"), ticks]


def render(ts: TransitionSystem, trace: Trace, prop: str | None, ctx: ExportContext) -> str:
    title = f"`{prop}` violated in `{ts.path}`" if prop else f"Trace of `{ts.path}`"
    lines = [f"### seamcheck: {title}", ""]
    facts = [f"- spec: `{ts.path}` (`{ts.name}`)"]
    if ts.variant:
        facts.append(f"- variant: `{ts.variant}`")
    if ts.params:
        facts.append(f"- params: `{params_text(ts)}`")
    loop = f", a lasso whose loop starts at state {trace.loop}" if trace.loop is not None else ""
    facts.append(f"- {trace.depth} steps{loop}")
    if ctx.version:
        facts.append(f"- seamcheck {ctx.version}")
    lines += facts + [""]
    doc = " ".join(prop_doc(ts, prop).split())
    if doc:
        lines += [f"> {doc}", ""]
    lines += ["Reproduce:", ""] + fence(reproduce_command(ts, prop, ctx), "sh") + [""]
    lines += ["Race diagram:", ""] + fence(race.render(ts, trace, prop, ctx), "text") + [""]
    lines += ["<details><summary>Every step (changed variables only)</summary>", ""]
    lines += fence(text.render_trace(ts, trace, prop), "text") + ["", "</details>"]
    return "\n".join(lines) + "\n"
