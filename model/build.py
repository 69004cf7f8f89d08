"""YAML nodes -> surface declarations (model.syntax). Checks shapes, collects every error.

Nothing is resolved here: names stay strings and expressions stay surface syntax.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from model import syntax as S
from model.diagnostics import Collector, outside_int64, short_int
from model.expr_parser import ExprSyntaxError, parse_expr, parse_init, parse_target, parse_type
from model.params import int_of
from model.sorts import fits_int64
from model.source import Span
from model.yaml_nodes import YMap, YNode, YScalar, YSeq

T = TypeVar("T")
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# YAML 1.1 turns these into booleans; in name position we insist they are quoted.
YAML11_BOOLS = {"y", "n", "yes", "no", "on", "off", "true", "false"}
TOP_KEYS = ("spec", "doc", "cites", "params", "variants", "types", "defs", "vars", "initially",
            "operations", "machines", "transitions", "fairness", "properties", "lemmas", "check_deadlock",
            "stutter")


class Builder:
    def __init__(self, path: str, out: Collector):
        self.path = path
        self.out = out

    # ---- small shape helpers --------------------------------------------------------------
    def err(self, span: Span | None, msg: str, expected: str | None = None, code: str = "SC120",
            notes: tuple[str, ...] = ()) -> None:
        self.out.error(code, span, msg, expected, notes)

    def as_map(self, node: YNode | None, what: str) -> YMap | None:
        if node is None or isinstance(node, YMap):
            return node
        self.err(node.span, f"{what} must be a mapping", "`key: value` entries")
        return None

    def as_scalar(self, node: YNode, what: str) -> YScalar | None:
        if isinstance(node, YScalar):
            return node
        self.err(node.span, f"{what} must be a single value, not a "
                 f"{'list' if isinstance(node, YSeq) else 'mapping'}")
        return None

    def text(self, node: YNode | None, what: str, default: str = "") -> str:
        if node is None:
            return default
        sc = self.as_scalar(node, what)
        return sc.value if sc else default

    def name(self, sc: YScalar, what: str) -> str | None:
        if not IDENT.match(sc.value):
            self.err(sc.span, f"'{sc.value}' is not a valid {what} name",
                     "an identifier: letters, digits and _, not starting with a digit", "SC121")
            return None
        if sc.plain and sc.value.lower() in YAML11_BOOLS and sc.tag.endswith("bool"):
            self.err(sc.span, f"'{sc.value}' reads as a YAML 1.1 boolean here",
                     f"quote it: \"{sc.value}\"", "SC122")
            return None
        return sc.value

    def names(self, node: YNode | None, what: str) -> tuple[tuple[str, Span], ...]:
        if node is None:
            return ()
        if isinstance(node, YMap):
            self.err(node.span, f"expected a list of {what} names, got a mapping", f"[{what}, ...]")
            return ()
        items = node.items if isinstance(node, YSeq) else (node,)
        out: list[tuple[str, Span]] = []
        for it in items:
            sc = self.as_scalar(it, what)
            if sc is not None and (n := self.name(sc, what)) is not None:
                out.append((n, sc.span))
        return tuple(out)

    def one_name(self, node: YNode | None, what: str, key: str) -> tuple[tuple[str, Span], ...]:
        """names() for a key that takes exactly one name: a list is an error, not its first item."""
        if isinstance(node, YSeq):
            self.err(node.span, f"`{key}:` takes one {what}, not a list", f"a single {what} name")
            return ()
        return self.names(node, what)

    def unique(self, items: tuple[tuple[str, Span], ...], what: str) -> None:
        first: dict[str, Span] = {}
        for n, span in items:
            if n in first:
                self.err(span, f"duplicate {what} '{n}'", f"distinct {what} names", "SC204",
                         (f"first listed at {first[n]}",))
            first.setdefault(n, span)

    def strings(self, node: YNode | None, what: str) -> tuple[str, ...]:
        if node is None:
            return ()
        items = node.items if isinstance(node, YSeq) else (node,)
        return tuple(self.text(it, what) for it in items)

    def expr(self, node: YNode | None, what: str) -> S.SExpr | None:
        return self._parse(node, what, parse_expr)

    def init(self, node: YNode, what: str) -> tuple[S.SExpr, tuple[tuple[str, str, Span], ...]] | None:
        return self._parse(node, what, parse_init)

    def target(self, node: YScalar) -> S.Target | None:
        return self._parse(node, "assignment target", parse_target)

    def type(self, node: YNode | None, what: str) -> S.SType | None:
        return self._parse(node, what, parse_type)

    def _parse(self, node: YNode | None, what: str, fn: Callable[[YScalar], T]) -> T | None:
        if node is None:
            return None
        sc = self.as_scalar(node, what)
        if sc is None:
            return None
        try:
            return fn(sc)
        except ExprSyntaxError as e:
            self.out.diagnostics.append(e.diag)
            return None

    def check_keys(self, m: YMap, allowed: tuple[str, ...], what: str,
                   required: tuple[str, ...] = ()) -> None:
        for k, _ in m.entries:
            if k.value not in allowed:
                from model.diagnostics import did_you_mean
                self.err(k.span, f"unknown key '{k.value}' in {what}",
                         ", ".join(allowed), "SC123", did_you_mean(k.value, allowed))
        for r in required:
            if m.get(r) is None:
                self.err(m.span, f"{what} is missing required key '{r}'", code="SC124")

    def entries(self, node: YNode | None, what: str) -> list[tuple[str, YScalar, YNode]]:
        m = self.as_map(node, what)
        if m is None:
            return []
        out = []
        for k, v in m.entries:
            n = self.name(k, what)
            if n is not None:
                out.append((n, k, v))
        return out

    def typed_params(self, node: YNode | None,
                     what: str) -> tuple[tuple[tuple[str, S.SType], ...], tuple[Span, ...]]:
        """`{name: type, ...}` -> ((name, type), ...) and the span of each name."""
        out, spans = [], []
        for n, k, v in self.entries(node, what):
            t = self.type(v, f"type of {what} '{n}'")
            if t is not None:
                out.append((n, t))
                spans.append(k.span)
        return tuple(out), tuple(spans)

    def key_span(self, m: YMap, key: str) -> Span | None:
        for k, _ in m.entries:
            if k.value == key:
                return k.span
        return None


# ---- declarations --------------------------------------------------------------------------


def build_spec(root: YNode | None, path: str, out: Collector) -> S.SpecDecl | None:
    """Build the surface spec; returns None only when the top level is unusable."""
    b = Builder(path, out)
    if root is None:
        out.error("SC124", Span(path, 1, 1, 1, 2), "the spec file is empty",
                  "a mapping with at least `spec:` and `machines:`")
        return None
    top = b.as_map(root, "the spec")
    if top is None:
        return None
    b.check_keys(top, TOP_KEYS, "the spec", required=("spec",))
    name_node = top.get("spec")
    name = "spec"
    if name_node is not None and (sc := b.as_scalar(name_node, "spec name")):
        name = b.name(sc, "spec") or "spec"
    dl = top.get("check_deadlock")
    variants = _variants(b, top.get("variants"))
    return S.SpecDecl(
        name=name, path=path, doc=b.text(top.get("doc"), "doc"),
        cites=b.strings(top.get("cites"), "citation"),
        params=tuple(_param(b, n, k, v) for n, k, v in b.entries(top.get("params"), "params")),
        variants=tuple(v for v, _ in variants),
        types=tuple(t for n, k, v in b.entries(top.get("types"), "types")
                    if (t := _typedecl(b, n, k, v)) is not None),
        defs=tuple(d for n, k, v in b.entries(top.get("defs"), "defs")
                   if (d := _def(b, n, k, v)) is not None),
        vars=_vars(b, top.get("vars"), "vars"),
        initially=b.expr(top.get("initially"), "initial constraint"),
        operations=tuple(_op(b, n, k, v) for n, k, v in b.entries(top.get("operations"), "operations")),
        machines=_globals(b, top.get("transitions")) + tuple(
            m for n, k, v in b.entries(top.get("machines"), "machines") if (m := _machine(b, n, k, v)) is not None),
        properties=_props(b, top.get("properties"), "properties"),
        lemmas=_props(b, top.get("lemmas"), "lemmas"),
        check_deadlock=_bool(b, dl, "check_deadlock", True),
        span=b.key_span(top, "spec"), vars_span=b.key_span(top, "vars"),
        variant_spans=tuple(s for _, s in variants),
        fairness=_fair_groups(b, top.get("fairness"), "fairness"),
        stutter=_bool(b, top.get("stutter"), "stutter", False),
    )


def _bool(b: Builder, node: YNode | None, what: str, default: bool) -> bool:
    if node is None:
        return default
    t = b.text(node, what).lower()
    if t in ("true", "false"):
        return t == "true"
    b.err(node.span, f"{what} must be true or false", "true or false", "SC125")
    return default


def _param(b: Builder, name: str, key: YScalar, v: YNode) -> S.ParamDecl:
    if isinstance(v, YScalar):              # short form: `V: 2`
        default_node: YNode | None = v
        m = YMap((), v.span)
    else:
        m = b.as_map(v, f"param '{name}'") or YMap((), v.span)
        b.check_keys(m, ("default", "min", "max", "values", "doc"), f"param '{name}'", ("default",))
        default_node = m.get("default")
    default = b.text(default_node, "default")
    named = b.names(m.get("values"), "param value")
    b.unique(named, "param value")
    values = tuple(n for n, _ in named)
    lo = _int(b, m.get("min"), "min")
    hi = _int(b, m.get("max"), "max")
    if values:
        kind = "enum"
    elif default.lower() in ("true", "false"):
        kind, default = "bool", default.lower()
    else:
        kind = "int"
        if _int(b, default_node, f"default of param '{name}'") is None:
            return S.ParamDecl(name, "int", "0", span=key.span)
    if kind == "enum" and default not in values:
        b.err(default_node.span if default_node else key.span,
              f"default '{default}' of param '{name}' is not one of its values",
              ", ".join(values), "SC126")
    return S.ParamDecl(name, kind, default, values, lo, hi, b.text(m.get("doc"), "doc"), key.span,
                       tuple(s for _, s in named))


def _int(b: Builder, node: YNode | None, what: str) -> int | None:
    if node is None:
        return None
    t = b.text(node, what)
    v = int_of(t)   # ASCII digits only: int() alone also takes '1_000' and non-ASCII digits
    if v is None:
        b.err(node.span, f"{what} must be an integer, got '{t[:40]}'", "an integer", "SC125")
        return None
    if not fits_int64(v):   # NOTE(int64)
        b.out.add(outside_int64(node.span, f"{what} {short_int(t)} is outside the supported integer range"))
        return None
    return v


Variant = tuple[str, tuple[tuple[str, str, Span], ...]]


def _variants(b: Builder, node: YNode | None) -> tuple[tuple[Variant, Span], ...]:
    """Each variant (its name and `param: value` assignments) with the span of its name."""
    out = []
    for n, k, v in b.entries(node, "variants"):
        assigns = tuple((pn, b.text(pv, "param value"), pk.span)
                        for pn, pk, pv in b.entries(v, f"variant '{n}'"))
        out.append(((n, assigns), k.span))
    return tuple(out)


def _typedecl(b: Builder, name: str, key: YScalar, v: YNode) -> S.TypeDecl | None:
    if isinstance(v, YSeq):
        named = b.names(v, "enum member")
        b.unique(named, "enum member")
        members = tuple(n for n, _ in named)
        if not v.items:
            b.err(v.span, f"enum '{name}' has no members", "a non-empty list of names", "SC127")
        return S.TypeDecl(name, "enum", members=members, span=key.span, member_spans=tuple(s for _, s in named))
    if isinstance(v, YMap):
        b.check_keys(v, ("index", "enum", "symmetric", "lane", "record"), f"type '{name}'")
        if v.get("record") is not None:   # NOTE(records) in model/records.py
            fields, spans = b.typed_params(v.get("record"), f"field of record '{name}'")
            if not fields:
                b.err(v.span, f"record '{name}' has no fields", "`{record: {field: type, ...}}`", "SC127")
            return S.TypeDecl(name, "record", span=key.span, fields=fields, field_spans=spans)
        if v.get("index") is not None:
            sym = v.get("symmetric")
            literal = sym is None or (isinstance(sym, YScalar) and sym.value.lower() in ("true", "false"))
            return S.TypeDecl(name, "index", size=b.expr(v.get("index"), "index set size"), span=key.span,
                              symmetric=_bool(b, sym, "symmetric", False) if literal else False,
                              lane=_bool(b, v.get("lane"), "lane", False),
                              symmetric_when=None if literal else b.expr(sym, "symmetric condition"))
        if (lane := v.get("lane")) is not None:
            b.err(lane.span, f"only an index set can be a lane type; '{name}' is not one",
                  "`{index: N, lane: true}`", "SC320")
        if v.get("enum") is not None:
            named = b.names(v.get("enum"), "enum member")
            b.unique(named, "enum member")
            return S.TypeDecl(name, "enum", members=tuple(n for n, _ in named), span=key.span,
                              member_spans=tuple(s for _, s in named))
        b.err(v.span, f"type '{name}' must be `{{index: N}}`, `{{record: {{...}}}}`, a list of enum members, "
              "or a type expression")
        return None
    alias = b.type(v, f"type '{name}'")
    return S.TypeDecl(name, "alias", alias=alias, span=key.span) if alias else None


def _def(b: Builder, name: str, key: YScalar, v: YNode) -> S.DefDecl | None:
    if isinstance(v, YMap):
        b.check_keys(v, ("params", "expr", "doc"), f"def '{name}'", ("expr",))
        body = b.expr(v.get("expr"), f"def '{name}'")
        params, spans = b.typed_params(v.get("params"), f"parameter of def '{name}'")
    else:
        body, params, spans = b.expr(v, f"def '{name}'"), (), ()
    return S.DefDecl(name, params, body, key.span, spans) if body is not None else None


def _vars(b: Builder, node: YNode | None, what: str) -> tuple[S.VarDecl, ...]:
    out = []
    for n, k, v in b.entries(node, what):
        binders: tuple[tuple[str, str, Span], ...] = ()
        if isinstance(v, YScalar):          # short form: `x: bool` (initially any value)
            t, init, doc = b.type(v, f"type of '{n}'"), None, ""
        else:
            m = b.as_map(v, f"variable '{n}'")
            if m is None:
                continue
            b.check_keys(m, ("type", "init", "doc"), f"variable '{n}'", ("type",))
            t = b.type(m.get("type"), f"type of '{n}'")
            init_node = m.get("init")
            keyed = None if init_node is None or b.text(init_node, "init") == "any" else b.init(
                init_node, f"initial value of '{n}'")
            init = keyed[0] if keyed is not None else None
            binders = keyed[1] if keyed is not None else ()
            doc = b.text(m.get("doc"), "doc")
        if t is not None:
            out.append(S.VarDecl(n, t, init, doc, k.span, tuple((x[0], x[1]) for x in binders),
                                 tuple(x[2] for x in binders)))
    return tuple(out)


def _assigns(b: Builder, node: YNode | None, what: str) -> tuple[S.Assign, ...]:
    m = b.as_map(node, what)
    out = []
    for k, v in (m.entries if m else ()):
        t, e = b.target(k), b.expr(v, f"value assigned to '{k.value}'")
        if t is not None and e is not None:
            out.append(S.Assign(t, e))
    return tuple(out)


def _op(b: Builder, name: str, key: YScalar, v: YNode) -> S.OpDecl:
    m = b.as_map(v, f"operation '{name}'") or YMap((), v.span)
    b.check_keys(m, ("params", "checks", "may_fail", "effect", "doc", "cites", "lane"), f"operation '{name}'")
    checks = []
    cnode = m.get("checks")
    for c in (cnode.items if isinstance(cnode, YSeq) else ()):
        cm = b.as_map(c, "a check")
        if cm is None:
            continue
        b.check_keys(cm, ("require", "else"), "a check", ("require", "else"))
        req, err = b.expr(cm.get("require"), "check"), b.one_name(cm.get("else"), "error code", "else")
        if req is not None and err:
            checks.append(S.Check(req, err[0][0], cm.span, err[0][1]))
    if cnode is not None and not isinstance(cnode, YSeq):
        b.err(cnode.span, f"checks of operation '{name}' must be a list",
              "- {require: EXPR, else: ERROR_CODE}")
    params, spans = b.typed_params(m.get("params"), f"parameter of operation '{name}'")
    return S.OpDecl(name, params, tuple(checks), b.names(m.get("may_fail"), "error code"),
                    _assigns(b, m.get("effect"), f"effect of operation '{name}'"),
                    b.text(m.get("doc"), "doc"), b.strings(m.get("cites"), "citation"), key.span, spans,
                    b.expr(m.get("lane"), "lane"))


MACHINE_KEYS = ("instances", "states", "init", "terminal", "vars", "transitions", "doc", "fair", "lane")
TRANSITION_KEYS = ("from", "to", "params", "when", "guard", "call", "store", "effect", "doc", "cites", "fair",
                   "lane")
FAIRNESS = ("weak", "strong", "none")


def _fair(b: Builder, node: YNode | None, groups: bool = False) -> str | None:
    if node is None or (groups and isinstance(node, (YMap, YSeq))):
        return None     # a machine's groups: _fair_groups
    if isinstance(node, (YMap, YSeq)):
        b.err(node.span, "a transition's `fair:` is one kind, not a group", ", ".join(FAIRNESS) + " or a param",
              "SC125", ("a group {weak: [a, b]} goes in the machine's `fair:` or the top-level `fairness:`",))
        return None
    t = b.text(node, "fair")
    if t not in FAIRNESS and not IDENT.match(t):
        b.err(node.span, f"fair must be one of {', '.join(FAIRNESS)} or a param, got '{t}'",
              ", ".join(FAIRNESS), "SC125")
        return None
    return t   # a param name is resolved when lowering (model/lower.py: _fairness)


def _fair_groups(b: Builder, node: YNode | None, what: str) -> tuple[S.FairDecl, ...]:
    """`{weak: [a, b], strong: all}` or a list of such maps: one group per entry."""
    if node is None:
        return ()
    out = []
    for item in node.items if isinstance(node, YSeq) else (node,):
        m = b.as_map(item, f"a fairness group in {what}")
        for k, v in m.entries if m is not None else ():
            if k.value not in ("weak", "strong"):
                b.err(k.span, f"fairness kind must be weak or strong, got '{k.value}'", "weak or strong", "SC125")
                continue
            every = isinstance(v, YScalar) and v.value == "all"
            names = None if every else tuple(
                (sc.value, sc.span) for x in (v.items if isinstance(v, YSeq) else (v,))
                if (sc := b.as_scalar(x, "transition")) is not None)
            if names == ():
                b.err(v.span, f"a {k.value} fairness group names no transition", "[a, b] or all", "SC124")
                continue
            out.append(S.FairDecl(k.value, names, k.span))
    return tuple(out)


def _machine(b: Builder, name: str, key: YScalar, v: YNode) -> S.MachineDecl | None:
    m = b.as_map(v, f"machine '{name}'")
    if m is None:
        return None
    b.check_keys(m, MACHINE_KEYS, f"machine '{name}'", ("states", "init"))
    inst = b.one_name(m.get("instances"), "index set", "instances")
    named = b.names(m.get("states"), "control state")
    b.unique(named, "control state")
    snode = m.get("states")
    if isinstance(snode, YSeq) and not snode.items:
        b.err(snode.span, f"machine '{name}' has no states", "a non-empty list of state names", "SC127")
    states = tuple(n for n, _ in named)
    init = b.one_name(m.get("init"), "control state", "init")
    terminal = b.names(m.get("terminal"), "control state")
    trs = tuple(_transition(b, tn, tk, tv) for tn, tk, tv in
                b.entries(m.get("transitions"), f"transitions of machine '{name}'"))
    return S.MachineDecl(name, inst[0][0] if inst else None, states, init[0][0] if init else "",
                         tuple(n for n, _ in terminal),
                         _vars(b, m.get("vars"), f"vars of machine '{name}'"), trs,
                         b.text(m.get("doc"), "doc"), key.span, inst[0][1] if inst else None,
                         _fair(b, m.get("fair"), True), init[0][1] if init else None, tuple(s for _, s in terminal),
                         _span_of(m.get("fair")), tuple(s for _, s in named), b.expr(m.get("lane"), "lane"),
                         _fair_groups(b, m.get("fair"), f"fair of machine '{name}'")
                         if isinstance(m.get("fair"), (YMap, YSeq)) else ())


def _globals(b: Builder, node: YNode | None) -> tuple[S.MachineDecl, ...]:
    """The top-level `transitions:` as the GLOBAL pseudo-machine (NOTE(global-transitions))."""
    if node is None:
        return ()
    trs = tuple(_transition(b, tn, tk, tv, GLOBAL_KEYS) for tn, tk, tv in b.entries(node, "transitions"))
    return (S.MachineDecl(S.GLOBAL, None, ("_",), "_", (), (), trs, span=_span_of(node)),)


# a global transition has no control state to leave or enter
GLOBAL_KEYS = ("params", "when", "guard", "call", "store", "effect", "doc", "cites", "fair")


def _transition(b: Builder, name: str, key: YScalar, v: YNode,
                keys: tuple[str, ...] = ()) -> S.TransitionDecl:
    m = b.as_map(v, f"transition '{name}'") or YMap((), v.span)
    for k, _ in m.entries if keys else ():
        if k.value in ("from", "to", "lane"):
            b.err(k.span, f"global transition '{name}' has `{k.value}:`, but no control state or lane",
                  ", ".join(keys), "SC123", ("`from:`, `to:` and `lane:` belong to a transition of a machine",))
    b.check_keys(m, (*keys, "from", "to", "lane") if keys else TRANSITION_KEYS, f"transition '{name}'")
    src = m.get("from")
    star = isinstance(src, YScalar) and src.value == "*"
    sources = None if src is None or star else b.names(src, "control state")
    call = b.expr(m.get("call"), "operation call")
    if call is not None and not isinstance(call, S.Call):
        b.err(call.span, "`call:` must be a call of an operation", "op_name(arg, ...)", "SC128")
        call = None
    params, spans = b.typed_params(m.get("params"), f"parameter of transition '{name}'")
    return S.TransitionDecl(
        name, tuple(n for n, _ in sources) if sources is not None else None,
        b.expr(m.get("to"), "target state"), params,
        b.expr(m.get("when"), "static condition"), b.expr(m.get("guard"), "guard"),
        call, b.expr(m.get("store"), "store target"),
        _assigns(b, m.get("effect"), f"effect of transition '{name}'"),
        b.text(m.get("doc"), "doc"), b.strings(m.get("cites"), "citation"), key.span,
        tuple(s for _, s in sources) if sources else (), _fair(b, m.get("fair")), _span_of(m.get("fair")), spans,
        b.expr(m.get("lane"), "lane"))


def _span_of(node: YNode | None) -> Span | None:
    return node.span if node is not None else None


def _props(b: Builder, node: YNode | None, what: str) -> tuple[S.PropertyDecl, ...]:
    out = []
    for n, k, v in b.entries(node, what):
        m = b.as_map(v, f"property '{n}'")
        if m is None:
            continue
        b.check_keys(m, ("invariant", "step", "on", "expect", "doc", "for", *TEMPORAL), f"property '{n}'")
        fam = _family(b, n, m, what)
        temporal = [t for t in TEMPORAL if m.get(t) is not None]
        if temporal and what == "lemmas":
            b.err(m.get(temporal[0]).span, f"lemma '{n}' uses `{temporal[0]}:`, but lemmas are safety properties",  # type: ignore[union-attr]
                  "`invariant:` or `step:` (lemmas help k-induction prove safety)", "SC129")
            continue
        if temporal:
            got = _temporal(b, n, m, temporal[0])
            if got is not None:
                out.append(S.PropertyDecl(n, temporal[0], got[0], None, _expect(b, m.get("expect")),
                                          b.text(m.get("doc"), "doc"), k.span, got[1], _rules(b, m), *fam))
            continue
        if n in ("deadlock", "range") and m.get("step") is None and m.get("invariant") is None:
            # a built-in property: only its expectation (and doc) can be stated
            out.append(S.PropertyDecl(n, "builtin", None, None, _expect(b, m.get("expect")),  # type: ignore[arg-type]
                                      b.text(m.get("doc"), "doc"), k.span, expect_rules=_rules(b, m)))
            continue
        kind = "step" if m.get("step") is not None else "invariant"
        if m.get("step") is not None and m.get("invariant") is not None:
            b.err(m.span, f"property '{n}' has both `invariant:` and `step:`", "exactly one", "SC129")
        e = b.expr(m.get(kind), f"property '{n}'")
        if e is None:
            if m.get(kind) is None:
                b.err(m.span, f"property '{n}' needs `invariant:` or `step:`", code="SC124")
            continue
        on_node = m.get("on")
        on = None if on_node is None else tuple(
            (b.text(x, "transition"), x.span) for x in (on_node.items if isinstance(on_node, YSeq)
                                                        else (on_node,)))
        out.append(S.PropertyDecl(n, kind, e, on, _expect(b, m.get("expect")),
                                  b.text(m.get("doc"), "doc"), k.span, None, _rules(b, m), *fam))
    return tuple(out)


def _family(b: Builder, name: str, m: YMap, what: str) -> tuple[tuple[tuple[str, S.SType], ...], tuple[Span, ...]]:
    """`for: {p: Proc, ...}` of a property (NOTE(families) in model/lower.py); lemmas and the
    built-in properties are single."""
    node = m.get("for")
    if node is None:
        return (), ()
    if what == "lemmas" or (name in ("deadlock", "range") and m.get("step") is None and m.get("invariant") is None):
        who = "a lemma" if what == "lemmas" else f"the built-in property '{name}'"
        b.err(node.span, f"`for:` on {who}", "`for:` only on properties of the spec", "SC129")
        return (), ()
    fam = b.typed_params(node, f"variable of property '{name}'")
    if not fam[0] and b.as_map(node, f"`for:` of property '{name}'") is not None:
        b.err(node.span, f"`for:` of property '{name}' names no variable", "`for: {p: Proc}`", "SC124")
    return fam


TEMPORAL = ("eventually", "always_eventually", "eventually_always", "leads_to")


def _rules(b: Builder, m: YMap) -> tuple[tuple[S.SExpr | None, str], ...]:
    node = m.get("expect")
    return tuple(_expect_rules(b, node)) if isinstance(node, YSeq) else ()


def _expect_rules(b: Builder, node: YSeq) -> list[tuple[S.SExpr | None, str]]:
    out: list[tuple[S.SExpr | None, str]] = []
    for item in node.items:
        m = b.as_map(item, "an expectation rule")
        if m is None:
            continue
        b.check_keys(m, ("when", "is"), "an expectation rule", ("is",))
        t = b.text(m.get("is"), "is") if m.get("is") is not None else ""
        if t not in ("holds", "violated"):
            if m.get("is") is not None:
                b.err(m.get("is").span, f"expect must be 'holds' or 'violated', got '{t}'",  # type: ignore[union-attr]
                      "holds or violated", "SC125")
            continue
        out.append((b.expr(m.get("when"), "expectation condition") if m.get("when") is not None else None, t))
    return out


def _temporal(b: Builder, name: str, m: YMap, kind: str) -> tuple[S.SExpr, S.SExpr | None] | None:
    node = m.get(kind)
    if kind != "leads_to":
        e = b.expr(node, f"property '{name}'")
        return (e, None) if e is not None else None
    lm = b.as_map(node, f"leads_to of property '{name}'")
    if lm is None:
        return None
    b.check_keys(lm, ("from", "to"), f"leads_to of property '{name}'", ("from", "to"))
    p, q = b.expr(lm.get("from"), "leads_to condition"), b.expr(lm.get("to"), "leads_to goal")
    return (p, q) if p is not None and q is not None else None


def _expect(b: Builder, node: YNode | None) -> tuple[tuple[str, str], ...]:
    """Expectations by variant: `holds`, or {default: holds, VARIANT: violated}. The list form
    [{when: EXPR, is: violated}, {is: holds}] (first match wins) is returned with keys
    'when:<index>' and its conditions through _expect_rules."""
    if node is None:
        return ()
    if isinstance(node, YSeq):
        return tuple((f"rule:{i}", r[1]) for i, r in enumerate(_expect_rules(b, node)))
    pairs = [("default", node)] if isinstance(node, YScalar) else [
        (k.value, v) for k, v in (b.as_map(node, "expect") or YMap((), node.span)).entries]
    out = []
    for who, val in pairs:
        t = b.text(val, "expect")
        if t not in ("holds", "violated"):
            b.err(val.span, f"expect must be 'holds' or 'violated', got '{t}'", "holds or violated", "SC125")
            continue
        out.append((who, t))
    return tuple(out)
