"""Names that would silently change meaning: the checks of NOTE(shadowing).

NOTE(shadowing): a bare name in an expression is resolved in one fixed order
(Elaborator._Name): bound names (transition, operation and def parameters, quantifier
variables), literals and `none`, params, `self`/`result`/`pc`, the machine's own variables,
defs, global variables, and last enum members (with machine states, param values and status
codes). An `effect:` target, however, names only variables. So when one name is declared in two
places along that order, the first wins without a word: `e == A` reads a variable `A` instead of
the member, and in `x: "x + 1"` a transition parameter `x` is read on the right while the
variable is written on the left. Each such pair is an error at the declaration that hides the
other:
  SC205  a param, def or variable named like an enum member (or state, param value, status
         code); a machine's variable named like a param, def, global variable or member;
  SC206  a parameter or quantifier variable named like anything it would hide in its scope;
  SC207  a reserved word (`self`, `none`, ...) or built-in function used as a declared name.
Param values are exempt from SC207: they are matched as text (`default:`, variants, `-p`,
`fair:`, e.g. `values: [none, weak]` for a fairness param), and a reserved word in an expression
never has a param's type, so a mix-up is a type error, never a silent change of meaning.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from model import syntax as S
from model.diagnostics import Collector
from model.source import Span

RESERVED = {
    "true": "the boolean literal", "True": "the boolean literal", "false": "the boolean literal",
    "False": "the boolean literal", "none": "the empty option value", "None": "the empty option value",
    "self": "the machine instance running the transition", "pc": "a machine's control state",
    "result": "the status returned by the transition's operation",
}
BUILTIN_FUNCS = ("all", "any", "count", "min", "max", "post", "len")


@dataclass(frozen=True)
class Decl:
    """One declared name: `kind` and `owner` say what it is ("variable", "machine 'm'")."""

    name: str
    kind: str
    owner: str = ""
    span: Span | None = None

    @property
    def what(self) -> str:
        return f"{self.kind} '{self.name}'" + (f" of {self.owner}" if self.owner else "")

    @property
    def where(self) -> str:
        return f"declared at {self.span}" if self.span else "built in"


@dataclass(frozen=True)
class Names:
    """Every name a bare identifier can read, with its declaration (NOTE(shadowing))."""

    spec_level: Mapping[str, Decl]                 # params, defs, global variables
    fields: Mapping[str, Mapping[str, Decl]]       # machine -> its variables
    members: Mapping[str, Decl]                    # each member's first declaration

    def hidden_by(self, name: str, machine: str | None, any_machine: bool = False) -> Decl | None:
        """What a parameter or quantifier variable `name` would hide inside `machine`; a def
        body runs inside its caller's machine, so its parameters check `any_machine`."""
        if name in self.spec_level:
            return self.spec_level[name]
        for m, fields in self.fields.items():
            if (any_machine or m == machine) and name in fields:
                return fields[name]
        return self.members.get(name)


def names_of(spec: S.SpecDecl) -> Names:
    spec_level = {d.name: d for d in (
        *(Decl(p.name, "param", span=p.span) for p in spec.params),
        *(Decl(d.name, "def", span=d.span) for d in spec.defs),
        *(Decl(v.name, "global variable", span=v.span) for v in spec.vars))}
    fields = {m.name: {v.name: Decl(v.name, "variable", f"machine '{m.name}'", v.span) for v in m.vars}
              for m in spec.machines}
    members: dict[str, Decl] = {}
    for d in _members(spec):
        members.setdefault(d.name, d)
    return Names(spec_level, fields, members)


def _spans(spans: tuple[Span, ...], n: int) -> tuple[Span | None, ...]:
    return spans if len(spans) == n else (None,) * n


def _members(spec: S.SpecDecl) -> Iterator[Decl]:
    """Enum members, machine states, param values and status codes, in declaration order."""
    for t in spec.types:
        for name, span in zip(t.members, _spans(t.member_spans, len(t.members)), strict=True):
            yield Decl(name, "member", f"enum '{t.name}'", span)
    for m in (m for m in spec.machines if m.name != S.GLOBAL):   # NOTE(global-transitions): no states
        for name, span in zip(m.states, _spans(m.state_spans, len(m.states)), strict=True):
            yield Decl(name, "state", f"machine '{m.name}'", span)
    for p in spec.params:
        for name, span in zip(p.values, _spans(p.value_spans, len(p.values)), strict=True):
            yield Decl(name, "value", f"param '{p.name}'", span)
    yield Decl("SUCCESS", "status code")
    for op in spec.operations:
        yield from (Decl(c.error, "status code", span=c.error_span) for c in op.checks)
        yield from (Decl(n, "status code", span=s) for n, s in op.may_fail)


def _params(kind: str, owner: str, params: tuple[tuple[str, S.SType], ...],
            spans: tuple[Span, ...]) -> Iterator[Decl]:
    for (name, _), span in zip(params, _spans(spans, len(params)), strict=True):
        yield Decl(name, kind, owner, span)


def _declared(spec: S.SpecDecl) -> Iterator[Decl]:
    """Every name the spec declares, except param values (see NOTE(shadowing))."""
    yield from (Decl(p.name, "param", span=p.span) for p in spec.params)
    yield from (Decl(t.name, "type", span=t.span) for t in spec.types)
    yield from (d for d in _members(spec) if d.kind != "value" and d.span is not None)   # not SUCCESS
    for d in spec.defs:
        yield Decl(d.name, "def", span=d.span)
        yield from _params("parameter", f"def '{d.name}'", d.params, d.param_spans)
    yield from (Decl(v.name, "global variable", span=v.span) for v in spec.vars)
    for op in spec.operations:
        yield Decl(op.name, "operation", span=op.span)
        yield from _params("parameter", f"operation '{op.name}'", op.params, op.param_spans)
    for m in spec.machines:
        if m.name != S.GLOBAL:
            yield Decl(m.name, "machine", span=m.span)
        yield from (Decl(v.name, "variable", f"machine '{m.name}'", v.span) for v in m.vars)
        for t in m.transitions:
            yield from _params("parameter", f"transition '{S.qualified(m.name, t.name)}'", t.params, t.param_spans)


def check_names(spec: S.SpecDecl, out: Collector) -> None:
    """Report every declaration that would hide another name (NOTE(shadowing))."""
    names = names_of(spec)
    reserved = {d.name for d in _declared(spec) if report_reserved(d, out)}
    _reserved_variants(spec, out)
    for d in names.spec_level.values():
        if d.name not in reserved and (m := names.members.get(d.name)) is not None:
            clash(out, "SC205", d, m, f"in expressions '{d.name}' would always read the {d.kind}, "
                                      f"never the {m.kind}")
    for mach in spec.machines:
        for v in mach.vars:
            if v.name not in reserved and (other := names.hidden_by(v.name, None)) is not None:
                clash(out, "SC205", names.fields[mach.name][v.name], other,
                      f"inside machine '{mach.name}', '{v.name}' would read the machine's variable, "
                      f"elsewhere the {other.kind}")
    _binders(spec, names, reserved, out)


def _binders(spec: S.SpecDecl, names: Names, reserved: set[str], out: Collector) -> None:
    """Transition, operation and def parameters against what they would hide."""
    found: list[tuple[Decl, str | None, bool]] = []
    for d in spec.defs:
        found += [(p, None, True) for p in _params("parameter", f"def '{d.name}'", d.params, d.param_spans)]
    for op in spec.operations:   # an operation's body sees no machine's variables
        found += [(p, None, False) for p in _params("parameter", f"operation '{op.name}'", op.params,
                                                    op.param_spans)]
    for m in spec.machines:
        for t in m.transitions:
            found += [(p, m.name, False) for p in _params("parameter", f"transition '{S.qualified(m.name, t.name)}'",
                                                          t.params, t.param_spans)]
    for p, machine, any_machine in found:
        other = names.hidden_by(p.name, machine, any_machine)
        if p.name not in reserved and other is not None:
            clash(out, "SC206", p, other, hiding_note(p, other))


def hiding_note(binder: Decl, other: Decl) -> str:
    """Why a parameter or quantifier variable named like `other` is an error."""
    scope = binder.owner.split(" ")[0] if binder.owner else "quantifier"
    note = f"inside the {scope}, '{binder.name}' would read the {binder.kind}, never the {other.kind}"
    if other.kind.endswith("variable") and scope in ("transition", "operation"):
        note += f", while an effect on '{binder.name}' still writes the variable"
    return note


def clash(out: Collector, code: str, d: Decl, other: Decl, note: str) -> None:
    out.error(code, d.span, f"{d.what} has the same name as {other.what} ({other.where})",
              f"a name of its own for the {d.kind}", (note + "; rename one of them",))


def report_reserved(d: Decl, out: Collector) -> bool:
    """Report `d` if its name is a reserved word (or, for a def, a built-in function)."""
    if d.name in RESERVED:
        out.error("SC207", d.span, f"'{d.name}' is a reserved word and cannot name a {d.kind}"
                  + (f" of {d.owner}" if d.owner else ""), "a name other than " + ", ".join(RESERVED),
                  (f"in expressions '{d.name}' always means {RESERVED[d.name]}",))
        return True
    if d.kind == "def" and d.name in BUILTIN_FUNCS:
        out.error("SC207", d.span, f"'{d.name}' is a built-in function and cannot name a def",
                  "a name other than " + ", ".join(BUILTIN_FUNCS),
                  (f"'{d.name}(...)' in an expression would call the def, never the built-in",))
        return True
    return False


def _reserved_variants(spec: S.SpecDecl, out: Collector) -> None:
    spans = _spans(spec.variant_spans, len(spec.variants))
    for (name, _), span in zip(spec.variants, spans, strict=True):
        if name == "default":
            out.error("SC207", span, "'default' is reserved in `expect:` and cannot name a variant",
                      "another variant name",
                      ("`expect: {default: ...}` is the expectation of every variant not listed",))
