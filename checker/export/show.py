"""`seamcheck show`: a spec's params, variants, types, machines, transitions, properties and
citations, as text or JSON data. Expressions are shown as written in the spec (their source
text, found through their spans), so what a reader sees is what the author wrote."""

from __future__ import annotations

import re
from collections.abc import Sequence

from model import syntax as S
from model.ir import TransitionSystem
from model.load import LoadedSpec
from model.source import SourceFile, Span

BLOCK = re.compile(r"[>|][-+0-9]*")


def span_text(src: SourceFile, span: Span | None) -> str:
    """The source text of a span (one line, whitespace collapsed), or '' without one.

    An expression written as a YAML block scalar (`guard: >` then indented lines) may have a
    span that covers only the `>`: its text is then the block's lines, read from the source.
    """
    if span is None:
        return ""
    lines = src.text.splitlines()
    if not 1 <= span.line <= len(lines):
        return ""
    if span.end_line == span.line:
        text = lines[span.line - 1][span.col - 1: span.end_col - 1]
    else:
        first = lines[span.line - 1][span.col - 1:]
        middle = lines[span.line: span.end_line - 1]
        last = lines[span.end_line - 1][: span.end_col - 1] if span.end_line <= len(lines) else ""
        text = " ".join([first, *middle, last])
    if BLOCK.fullmatch(text.strip()):
        text = " ".join(_block(lines, span.line))
    return " ".join(text.split()).strip("\"'")


def _block(lines: list[str], line: int) -> list[str]:
    """The content lines of the block scalar whose indicator is on `line` (1-based)."""
    indent = len(lines[line - 1]) - len(lines[line - 1].lstrip())
    out = []
    for x in lines[line:]:
        if x.strip() and len(x) - len(x.lstrip()) <= indent:
            break
        out.append(x)
    return out


def _expr(src: SourceFile, e: S.SExpr | S.SType | None) -> str:
    return span_text(src, e.span) if e is not None else ""


def spec_data(spec: LoadedSpec, systems: Sequence[TransitionSystem]) -> dict[str, object]:
    """Everything `show` prints, as JSON-ready data (lists in spec order)."""
    d, src = spec.decl, spec.source
    return {
        "spec": d.name, "path": d.path, "doc": d.doc, "cites": list(d.cites),
        "params": [_param(p) for p in d.params],
        "variants": [{"name": n, "assigns": {k: v for k, v, _ in a}} for n, a in d.variants],
        "types": [_type(src, t) for t in d.types],
        "vars": [_var(src, v) for v in d.vars],
        "operations": [_op(src, o) for o in d.operations],
        "machines": [_machine(src, m, {o.name: o for o in d.operations}) for m in d.machines if m.name != S.GLOBAL],
        # NOTE(global-transitions): listed apart, only when the spec has any (older JSON unchanged)
        **({"transitions": [_transition(src, t, {o.name: o for o in d.operations}) for m in d.machines
                            if m.name == S.GLOBAL for t in m.transitions]}
           if any(m.name == S.GLOBAL for m in d.machines) else {}),
        "properties": [_prop(src, p) for p in d.properties],
        # fairness and stuttering only when the spec states them (older JSON unchanged)
        **({"fairness": [_fair(g) for g in d.fairness]} if d.fairness else {}),
        **({"stutter": True} if d.stutter else {}),
        "instances": [{"variant": ts.variant, "params": dict(ts.params), "slots": len(ts.vars),
                       "actions": len(ts.actions),
                       "properties": {p.name: p.expect for p in ts.properties}} for ts in systems],
    }


def _param(p: S.ParamDecl) -> dict[str, object]:
    d: dict[str, object] = {"name": p.name, "kind": p.kind, "default": p.default, "doc": p.doc}
    if p.kind == "enum":
        d["values"] = list(p.values)
    if p.kind == "int":
        d["min"], d["max"] = p.lo, p.hi
    return d


def _type(src: SourceFile, t: S.TypeDecl) -> dict[str, object]:
    if t.kind == "enum":
        return {"name": t.name, "kind": "enum", "members": list(t.members)}
    if t.kind == "index":
        sym = _expr(src, t.symmetric_when) if t.symmetric_when is not None else t.symmetric   # text: where EXPR
        return {"name": t.name, "kind": "index", "size": _expr(src, t.size), "symmetric": sym,
                "lane": t.lane}
    if t.kind == "record":
        return {"name": t.name, "kind": "record", "fields": {n: _expr(src, ty) for n, ty in t.fields}}
    return {"name": t.name, "kind": "alias", "of": _expr(src, t.alias)}


def _var(src: SourceFile, v: S.VarDecl) -> dict[str, object]:
    init = _expr(src, v.init) if v.init else "any"
    keys = "".join(f" for {k} in {dom}" for k, dom in v.init_keys)   # a key-dependent init: e for k in K
    return {"name": v.name, "type": _expr(src, v.type), "init": init + keys, "doc": v.doc}


def _op(src: SourceFile, o: S.OpDecl) -> dict[str, object]:
    return {"name": o.name, "doc": o.doc, "cites": list(o.cites),
            "params": {n: _expr(src, t) for n, t in o.params},
            "checks": [{"require": _expr(src, c.require), "else": c.error} for c in o.checks],
            "may_fail": [c for c, _ in o.may_fail], "effect": _effect(src, o.effect),
            "lane": _expr(src, o.lane) or None}


def _effect(src: SourceFile, effect: tuple[S.Assign, ...]) -> list[dict[str, str]]:
    """Each assignment as written: `target` (with its `for v in T` if any) and `value`."""
    return [{"target": span_text(src, a.target.span), "value": _expr(src, a.value)} for a in effect]


def _machine(src: SourceFile, m: S.MachineDecl, ops: dict[str, S.OpDecl]) -> dict[str, object]:
    return {"name": m.name, "instances": m.instances, "states": list(m.states), "init": m.init,
            "terminal": list(m.terminal), "doc": m.doc, "vars": [_var(src, v) for v in m.vars],
            "lane": _expr(src, m.lane) or None,
            **({"fair": m.fair} if m.fair else {}),
            **({"fair_groups": [_fair(g) for g in m.fair_groups]} if m.fair_groups else {}),
            "transitions": [_transition(src, t, ops) for t in m.transitions]}


def _fair(g: S.FairDecl) -> dict[str, object]:
    """A fairness group: its kind and the transitions it joins ("all": every one in scope)."""
    return {"kind": g.kind, "transitions": [n for n, _ in g.names] if g.names is not None else "all"}


def _transition(src: SourceFile, t: S.TransitionDecl, ops: dict[str, S.OpDecl]) -> dict[str, object]:
    """A transition; `operation` repeats the called operation's contract (checks, may_fail,
    effect), so that a reader sees everything the step may do in one place."""
    op = ops.get(t.call.func) if t.call is not None else None
    return {"name": t.name, "from": list(t.sources) if t.sources is not None else "*",
            "to": _expr(src, t.target) if t.target is not None else None,
            "params": {n: _expr(src, ty) for n, ty in t.params},
            "when": _expr(src, t.when), "guard": _expr(src, t.guard),
            "call": _expr(src, t.call), "operation": _op(src, op) if op is not None else None,
            "store": _expr(src, t.store) or None, "effect": _effect(src, t.effect),
            "lane": _expr(src, t.lane) or None, "doc": t.doc, "cites": list(t.cites),
            **({"fair": t.fair} if t.fair else {})}


def _prop(src: SourceFile, p: S.PropertyDecl) -> dict[str, object]:
    return {"name": p.name, "kind": p.kind, "expr": _expr(src, p.expr) if p.kind != "builtin" else "",
            "on": [n for n, _ in p.on] if p.on is not None else None,
            "expect": dict(p.expect), "doc": p.doc,
            **({"for": {n: _expr(src, ty) for n, ty in p.family}} if p.family else {})}


def render(spec: LoadedSpec, systems: Sequence[TransitionSystem]) -> str:
    d = spec_data(spec, systems)
    out = [f"spec {d['spec']}  ({d['path']})"]
    if d["doc"]:
        out.append(f"  {' '.join(str(d['doc']).split())}")
    out += _section("params", [_param_line(p) for p in d["params"]])  # type: ignore[attr-defined]
    out += _section("variants", [f"{v['name']}: " + (", ".join(f"{k}={x}" for k, x in v["assigns"].items()) or "-")
                                 for v in d["variants"]])  # type: ignore[attr-defined]
    out += _section("types", [_type_line(t) for t in d["types"]])  # type: ignore[attr-defined]
    out += _section("vars", [_var_line(v) for v in d["vars"]])  # type: ignore[attr-defined]
    out += _section("operations", [x for o in d["operations"] for x in _op_lines(o)])  # type: ignore[attr-defined]
    out += _section("machines", [x for m in d["machines"] for x in _machine_lines(m)])  # type: ignore[attr-defined]
    out += _section("transitions", [x for t in d.get("transitions", []) for x in _transition_lines(t)])  # type: ignore[attr-defined]
    out += _section("fairness", _fairness_lines(d))
    out += _section("properties", [x for p in d["properties"] for x in _prop_lines(p)])  # type: ignore[attr-defined]
    out += _section("instances", [_instance_line(i) for i in d["instances"]])  # type: ignore[attr-defined]
    out += _section("citations", _citations(spec))
    return "\n".join(out) + "\n"


def _section(title: str, lines: list[str]) -> list[str]:
    return ["", f"{title}:"] + [f"  {x}" for x in lines] if lines else []


def _param_line(p: dict[str, object]) -> str:
    if p["kind"] == "enum":
        dom = " in {" + ", ".join(p["values"]) + "}"  # type: ignore[arg-type]
    elif p["kind"] == "int":
        lo, hi = p.get("min"), p.get("max")
        dom = f" in {lo if lo is not None else '..'}..{hi if hi is not None else '..'}"
    else:
        dom = " (bool)"
    return f"{p['name']} = {p['default']}{dom}" + (f"  -- {p['doc']}" if p["doc"] else "")


def _type_line(t: dict[str, object]) -> str:
    if t["kind"] == "enum":
        return f"{t['name']}: enum {{{', '.join(t['members'])}}}"  # type: ignore[arg-type]
    if t["kind"] == "index":
        marks = [m if t[m] is True else f"{m} where {t[m]}" for m in ("symmetric", "lane") if t.get(m)]
        return f"{t['name']}: index set 0..{t['size']}-1" + (f" ({', '.join(marks)})" if marks else "")
    if t["kind"] == "record":
        return f"{t['name']}: record {{" + ", ".join(f"{k}: {v}" for k, v in t["fields"].items()) + "}"  # type: ignore[attr-defined]
    return f"{t['name']}: {t['of']}"


def _var_line(v: dict[str, object]) -> str:
    return f"{v['name']}: {v['type']} = {v['init']}" + (f"  -- {v['doc']}" if v["doc"] else "")


def _op_lines(o: dict[str, object]) -> list[str]:
    params = ", ".join(f"{k}: {t}" for k, t in o["params"].items())  # type: ignore[attr-defined]
    lines = [f"{o['name']}({params})" + (f"  -- {o['doc']}" if o["doc"] else "")]
    return lines + [f"  {x}" for x in _contract_lines(o)]


def _contract_lines(o: dict[str, object]) -> list[str]:
    """What an operation checks, may fail with, and changes when it succeeds."""
    lines = [f"require {c['require']} else {c['else']}" for c in o["checks"]]  # type: ignore[attr-defined]
    if o["may_fail"]:
        lines.append("may fail: " + ", ".join(o["may_fail"]) + " (no effect)")  # type: ignore[arg-type]
    lines += _effect_lines(o["effect"], "on SUCCESS: ")  # type: ignore[arg-type]
    if o.get("lane"):
        lines.append(f"lane: {o['lane']}")
    return lines


def _effect_lines(effect: list[dict[str, str]], head: str = "") -> list[str]:
    return [f"{head}{e['target']} := {e['value']}" for e in effect]


def _machine_lines(m: dict[str, object]) -> list[str]:
    inst = f" x {m['instances']}" if m["instances"] else " (singleton)"
    lines = [f"{m['name']}{inst}: states {', '.join(m['states'])}; init {m['init']}"  # type: ignore[arg-type]
             + (f"; terminal {', '.join(m['terminal'])}" if m["terminal"] else "")]  # type: ignore[arg-type]
    lines += [f"  var {_var_line(v)}" for v in m["vars"]]  # type: ignore[attr-defined]
    if m["lane"]:
        lines.append(f"  lane: {m['lane']}")
    if m.get("fair"):
        lines.append(f"  fair: {m['fair']} (default of its transitions)")
    lines += [f"  fair: {_fair_line(g)}" for g in m.get("fair_groups", [])]  # type: ignore[attr-defined]
    for t in m["transitions"]:  # type: ignore[attr-defined]
        lines += [f"  {x}" for x in _transition_lines(t)]
    return lines


def _transition_lines(t: dict[str, object]) -> list[str]:
    src = ", ".join(t["from"]) if isinstance(t["from"], list) else t["from"]  # type: ignore[arg-type]
    params = ", ".join(f"{k}: {ty}" for k, ty in t["params"].items())  # type: ignore[attr-defined]
    lines = [f"{t['name']}({params}): {src} -> {t['to'] or '(stay)'}"]
    for key in ("when", "guard", "lane", "call", "fair"):
        if t.get(key):
            lines.append(f"  {key}: {t[key]}")
    if t["operation"]:
        lines += [f"    {x}" for x in _contract_lines(t["operation"])]  # type: ignore[arg-type]
    if t["store"]:
        lines.append(f"  store: result -> {t['store']}")
    if t["effect"]:
        lines += ["  effect:"] + [f"    {x}" for x in _effect_lines(t["effect"])]  # type: ignore[arg-type]
    if t["doc"]:
        lines.append(f"  doc: {' '.join(str(t['doc']).split())}")
    if t["cites"]:
        lines.append(f"  cites: {', '.join(t['cites'])}")  # type: ignore[arg-type]
    return lines


def _fair_line(g: dict[str, object]) -> str:
    names = g["transitions"]
    return f"{g['kind']}: " + ("all" if names == "all" else " or ".join(names))  # type: ignore[arg-type]


def _fairness_lines(d: dict[str, object]) -> list[str]:
    """The spec-wide fairness groups and `stutter: true`; a machine's own are under it."""
    lines = [_fair_line(g) for g in d.get("fairness", [])]  # type: ignore[attr-defined]
    if d.get("stutter"):
        lines.append("stutter: every state may stutter (TLA+-style; NOTE(stutter))")
    return lines


def _prop_lines(p: dict[str, object]) -> list[str]:
    expect = ", ".join(f"{k}: {v}" for k, v in p["expect"].items()) or "-"  # type: ignore[attr-defined]
    lines = [f"{p['name']} ({p['kind']}; expect {expect})" + (f"  -- {p['doc']}" if p["doc"] else "")]
    if p["expr"]:
        lines.append(f"  {p['expr']}")
    if p["on"]:
        lines.append(f"  on: {', '.join(p['on'])}")  # type: ignore[arg-type]
    if p.get("for"):
        lines.append(f"  for: {', '.join(f'{n}: {ty}' for n, ty in p['for'].items())}")  # type: ignore[attr-defined]
    return lines


def _instance_line(i: dict[str, object]) -> str:
    params = " ".join(f"{k}={v}" for k, v in i["params"].items())  # type: ignore[attr-defined]
    expects = ", ".join(f"{k}" + (f"={v}" if v else "") for k, v in i["properties"].items())  # type: ignore[attr-defined]
    return f"{i['variant'] or '(default)'} [{params}]: {i['slots']} slots, {i['actions']} actions; {expects}"


def _citations(spec: LoadedSpec) -> list[str]:
    d = spec.decl
    cites = [(c, "spec") for c in d.cites]
    cites += [(c, f"operation {o.name}") for o in d.operations for c in o.cites]
    cites += [(c, S.qualified(m.name, t.name)) for m in d.machines for t in m.transitions for c in t.cites]
    return [f"{c}  ({where})" for c, where in cites]
