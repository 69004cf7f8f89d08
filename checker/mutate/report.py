"""A mutation run as text (one line per mutant, then a summary), JSON (one record per mutant)
and markdown (a table for a review thread). Strings only; cli.py prints them."""

from __future__ import annotations

import json
from collections.abc import Sequence

from checker.core.verdict import Verdict, Violated, kind_of
from checker.export.report import instance_title
from checker.export.text import render_trace
from checker.mutate.mutations import Mutation
from checker.mutate.run import InstanceMutants, MutantResult, MutateRun

MUTATE_HELP = """\b
Exit codes:
  0  every mutant checked and reported (whatever it showed)
  1  with --fail-on-unneeded: some mutation is needed by no property
  2  bad input or usage (spec errors as file:line:col, an --only that names nothing)
  4  internal error"""

SHOWN = {"needed": "needed", "unneeded": "unneeded", "inconclusive": "inconclusive",
         "identical": "skipped", "error": "error"}
UNNEEDED_HEAD = "Needed by no property (the spec may under-state what the code relies on):"


def verdict_word(v: Verdict) -> str:
    return f"violated (depth {v.trace.depth})" if isinstance(v, Violated) else kind_of(v)


def detail(r: MutantResult) -> str:
    """What the mutant did to the properties, in a few words."""
    if r.status == "identical":
        return "identical to the original, not checked"
    if r.status == "error":
        return f"not checked: {r.error}"
    parts = []
    if r.breaks:
        parts.append("breaks " + ", ".join(f"{v.prop} (depth {v.trace.depth})" for v in r.breaks))
    if r.undecided:
        parts.append("undecided: " + ", ".join(f"{p} {why}" for p, why in r.undecided))
    if r.status == "unneeded":
        parts.append("no property needs it")
    if r.fixes:
        parts.append("fixes " + ", ".join(r.fixes))
    return "; ".join(parts)


# ---- text ------------------------------------------------------------------------------------

def text(run: MutateRun, traces: bool = False) -> str:
    lines: list[str] = []
    for inst in run.instances:
        lines += _instance_text(inst, traces)
    lines += summary_lines(run)
    return "\n".join(lines) + "\n"


def _instance_text(inst: InstanceMutants, traces: bool) -> list[str]:
    lines = [instance_title(inst.original),
             "  original: " + ", ".join(f"{v.prop} {verdict_word(v)}" for v in inst.verdicts)]
    for r in inst.mutants:
        m = r.mutation
        lines.append(f"  {SHOWN[r.status]:<12} {m.name}  ({m.where})  {detail(r)}")
        if traces and r.mutant is not None:
            for v in r.breaks:
                body = render_trace(r.mutant, v.trace, v.prop).rstrip("\n").split("\n")
                lines += [f"      {line}" for line in body]
    return lines


def summary_lines(run: MutateRun) -> list[str]:
    counts = {s: 0 for s in SHOWN}
    for m in run.mutations:
        counts[run.overall(m)] += 1
    n = len(run.mutations)
    lines = ["", f"{n} mutant{'s' if n != 1 else ''}: {counts['needed']} needed, {counts['unneeded']} needed by "
             f"no property, {counts['inconclusive']} inconclusive, {counts['identical']} identical to the original "
             f"(skipped), {counts['error']} not checkable"]
    if not_needed := unneeded(run):
        lines.append(UNNEEDED_HEAD)
        lines += [f"  {m.name}  ({m.where})" for m in not_needed]
    return lines


# ---- JSON ------------------------------------------------------------------------------------

def to_json(run: MutateRun) -> str:
    data = {
        "spec": run.spec.decl.name,
        "path": run.spec.source.path,
        "instances": [_instance_json(i) for i in run.instances],
        "mutants": [_mutant_json(run, m) for m in run.mutations],
    }
    return json.dumps(data, indent=2) + "\n"


def _instance_json(inst: InstanceMutants) -> dict[str, object]:
    return {"variant": inst.original.variant, "params": dict(inst.original.params),
            "original": {v.prop: _verdict_json(v) for v in inst.verdicts}}


def _verdict_json(v: Verdict) -> dict[str, object]:
    return {"verdict": kind_of(v), **({"depth": v.trace.depth} if isinstance(v, Violated) else {})}


def _mutant_json(run: MutateRun, m: Mutation) -> dict[str, object]:
    span = m.span
    return {
        "name": m.name, "kind": m.kind, "target": m.target, "what": m.what,
        "where": {"file": span.file, "line": span.line, "col": span.col} if span is not None else None,
        "status": run.overall(m),
        "parts": [p.name for p in m.parts],
        "instances": [_result_json(inst, r) for inst in run.instances for r in inst.mutants if r.mutation == m],
    }


def _result_json(inst: InstanceMutants, r: MutantResult) -> dict[str, object]:
    return {
        "variant": inst.original.variant, "status": r.status,
        "breaks": [{"property": v.prop, "depth": v.trace.depth, "engine": v.provenance.engine,
                    "steps": list(v.trace.labels(r.mutant))} for v in r.breaks if r.mutant is not None],
        "fixes": list(r.fixes),
        "undecided": [{"property": p, "why": why} for p, why in r.undecided],
        "error": r.error,
    }


# ---- markdown --------------------------------------------------------------------------------

def markdown(run: MutateRun) -> str:
    insts = run.instances
    names = [i.original.variant or "-" for i in insts]
    lines = [f"### Mutation analysis of `{run.spec.source.path}`", ""]
    for i in insts:
        lines.append(f"- `{i.original.variant or '-'}` ({_params(i)}), original: " +
                     ", ".join(f"{v.prop} {verdict_word(v)}" for v in i.verdicts))
    lines += ["", "| Mutant | Where | " + " | ".join(f"`{n}`" for n in names) + " |",
              "|---|---|" + "---|" * len(names)]
    for m in run.mutations:
        cells = [_cell(r) for i in insts for r in i.mutants if r.mutation == m]
        lines.append(f"| `{m.target}`: {_md(m.what)} | {m.where} | " + " | ".join(cells) + " |")
    not_needed = unneeded(run)
    lines += ["", "**" + UNNEEDED_HEAD.rstrip(":") + ":**" + ("" if not_needed else " none.")]
    lines += [f"- `{m.target}`: {_md(m.what)} ({m.where})" for m in not_needed]
    return "\n".join(lines) + "\n"


def _params(i: InstanceMutants) -> str:
    return " ".join(f"{k}={v}" for k, v in i.original.params)


def _cell(r: MutantResult) -> str:
    if r.status == "needed":
        return "**needed**: " + ", ".join(f"{v.prop} (depth {v.trace.depth})" for v in r.breaks)
    if r.status == "unneeded":
        return "not needed" + (f" (fixes {', '.join(r.fixes)})" if r.fixes else "")
    if r.status == "inconclusive":
        return "inconclusive: " + ", ".join(p for p, _ in r.undecided)
    return {"identical": "identical", "error": "error"}[r.status]


def _md(s: str) -> str:
    return s.replace("|", "\\|")


def unneeded(run: MutateRun) -> Sequence[Mutation]:
    """The mutations no property needs (NOTE(mutant-status)): what --fail-on-unneeded fails on."""
    return [m for m in run.mutations if run.overall(m) == "unneeded"]
