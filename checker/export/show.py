"""`seamcheck show`: a spec's params, variants, types, machines, transitions, properties and
citations, as text or JSON data. Expressions are shown as written in the spec (their source
text, found through their spans), so what a reader sees is what the author wrote."""

from __future__ import annotations

from collections.abc import Sequence

from model import syntax as S
from model.ir import TransitionSystem
from model.load import LoadedSpec
from model.source import SourceFile, Span


def span_text(src: SourceFile, span: Span | None) -> str:
    """The source text of a span (one line, whitespace collapsed), or '' without one."""
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
    return " ".join(text.split()).strip("\"'")


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
        "machines": [_machine(src, m) for m in d.machines],
        "properties": [_prop(src, p) for p in d.properties],
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
        return {"name": t.name, "kind": "index", "size": _expr(src, t.size)}
    return {"name": t.name, "kind": "alias", "of": _expr(src, t.alias)}


def _var(src: SourceFile, v: S.VarDecl) -> dict[str, object]:
    return {"name": v.name, "type": _expr(src, v.type), "init": _expr(src, v.init) if v.init else "any",
            "doc": v.doc}


def _op(src: SourceFile, o: S.OpDecl) -> dict[str, object]:
    return {"name": o.name, "doc": o.doc, "cites": list(o.cites),
            "params": {n: _expr(src, t) for n, t in o.params},
            "checks": [{"require": _expr(src, c.require), "else": c.error} for c in o.checks],
            "may_fail": [c for c, _ in o.may_fail]}


def _machine(src: SourceFile, m: S.MachineDecl) -> dict[str, object]:
    return {"name": m.name, "instances": m.instances, "states": list(m.states), "init": m.init,
            "terminal": list(m.terminal), "doc": m.doc, "vars": [_var(src, v) for v in m.vars],
            "transitions": [_transition(src, t) for t in m.transitions]}


def _transition(src: SourceFile, t: S.TransitionDecl) -> dict[str, object]:
    return {"name": t.name, "from": list(t.sources) if t.sources is not None else "*",
            "to": _expr(src, t.target) if t.target is not None else None,
            "params": {n: _expr(src, ty) for n, ty in t.params},
            "when": _expr(src, t.when), "guard": _expr(src, t.guard),
            "call": _expr(src, t.call), "doc": t.doc, "cites": list(t.cites)}


def _prop(src: SourceFile, p: S.PropertyDecl) -> dict[str, object]:
    return {"name": p.name, "kind": p.kind, "expr": _expr(src, p.expr) if p.kind != "builtin" else "",
            "on": [n for n, _ in p.on] if p.on is not None else None,
            "expect": dict(p.expect), "doc": p.doc}


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
        return f"{t['name']}: index set 0..{t['size']}-1"
    return f"{t['name']}: {t['of']}"


def _var_line(v: dict[str, object]) -> str:
    return f"{v['name']}: {v['type']} = {v['init']}" + (f"  -- {v['doc']}" if v["doc"] else "")


def _op_lines(o: dict[str, object]) -> list[str]:
    params = ", ".join(f"{k}: {t}" for k, t in o["params"].items())  # type: ignore[attr-defined]
    lines = [f"{o['name']}({params})" + (f"  -- {o['doc']}" if o["doc"] else "")]
    lines += [f"  require {c['require']} else {c['else']}" for c in o["checks"]]  # type: ignore[attr-defined]
    if o["may_fail"]:
        lines.append("  may fail: " + ", ".join(o["may_fail"]))  # type: ignore[arg-type]
    return lines


def _machine_lines(m: dict[str, object]) -> list[str]:
    inst = f" x {m['instances']}" if m["instances"] else " (singleton)"
    lines = [f"{m['name']}{inst}: states {', '.join(m['states'])}; init {m['init']}"  # type: ignore[arg-type]
             + (f"; terminal {', '.join(m['terminal'])}" if m["terminal"] else "")]  # type: ignore[arg-type]
    lines += [f"  var {_var_line(v)}" for v in m["vars"]]  # type: ignore[attr-defined]
    for t in m["transitions"]:  # type: ignore[attr-defined]
        src = ", ".join(t["from"]) if isinstance(t["from"], list) else t["from"]
        params = ", ".join(f"{k}: {ty}" for k, ty in t["params"].items())
        head = f"  {t['name']}({params}): {src} -> {t['to'] or '(stay)'}"
        lines.append(head)
        for key in ("when", "guard", "call", "doc"):
            if t[key]:
                lines.append(f"    {key}: {t[key]}")
        if t["cites"]:
            lines.append(f"    cites: {', '.join(t['cites'])}")
    return lines


def _prop_lines(p: dict[str, object]) -> list[str]:
    expect = ", ".join(f"{k}: {v}" for k, v in p["expect"].items()) or "-"  # type: ignore[attr-defined]
    lines = [f"{p['name']} ({p['kind']}; expect {expect})" + (f"  -- {p['doc']}" if p["doc"] else "")]
    if p["expr"]:
        lines.append(f"  {p['expr']}")
    if p["on"]:
        lines.append(f"  on: {', '.join(p['on'])}")  # type: ignore[arg-type]
    return lines


def _instance_line(i: dict[str, object]) -> str:
    params = " ".join(f"{k}={v}" for k, v in i["params"].items())  # type: ignore[attr-defined]
    expects = ", ".join(f"{k}" + (f"={v}" if v else "") for k, v in i["properties"].items())  # type: ignore[attr-defined]
    return f"{i['variant'] or '(default)'} [{params}]: {i['slots']} slots, {i['actions']} actions; {expects}"


def _citations(spec: LoadedSpec) -> list[str]:
    d = spec.decl
    cites = [(c, "spec") for c in d.cites]
    cites += [(c, f"operation {o.name}") for o in d.operations for c in o.cites]
    cites += [(c, f"{m.name}.{t.name}") for m in d.machines for t in m.transitions for c in t.cites]
    return [f"{c}  ({where})" for c, where in cites]
