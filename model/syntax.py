"""Surface syntax of a spec: expressions and declarations, each with the Span it came from.

Nothing here has a meaning yet: names are unresolved strings, types are unchecked. The
builder (model/build.py) makes these from YAML nodes; model/elaborate.py gives them meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from model.source import Span

# ---- expressions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    id: str
    span: Span = field(compare=False)


@dataclass(frozen=True)
class IntLit:
    value: int
    span: Span = field(compare=False)


@dataclass(frozen=True)
class Unary:
    op: str                       # "not" | "neg"
    operand: SExpr
    span: Span = field(compare=False)


@dataclass(frozen=True)
class Binary:
    op: str                       # "and" "or" "=>" "+" "-" "*" "//" "%"
    left: SExpr
    right: SExpr
    span: Span = field(compare=False)


@dataclass(frozen=True)
class Compare:
    ops: tuple[str, ...]          # "==" "!=" "<" "<=" ">" ">=" "in" "not in"
    operands: tuple[SExpr, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True)
class IfElse:
    cond: SExpr
    then: SExpr
    other: SExpr
    span: Span = field(compare=False)


@dataclass(frozen=True)
class Index:
    base: SExpr
    index: SExpr
    span: Span = field(compare=False)


@dataclass(frozen=True)
class Field:
    base: SExpr
    name: str
    span: Span = field(compare=False)


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[SExpr, ...]
    kwargs: tuple[tuple[str, SExpr], ...]
    span: Span = field(compare=False)


@dataclass(frozen=True)
class GenCall:
    """all/any/count(elem for var in domain if cond)."""

    func: str
    elem: SExpr
    var: str
    domain: str
    cond: SExpr | None
    span: Span = field(compare=False)


@dataclass(frozen=True)
class SetLit:
    items: tuple[SExpr, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True)
class RecLit:
    """A record literal `{a: e1, b: e2}` (NOTE(records) in model/records.py)."""

    fields: tuple[tuple[str, SExpr], ...]
    span: Span = field(compare=False)


@dataclass(frozen=True)
class SeqLit:
    """A sequence literal `[a, b]` or `[]` (NOTE(seqs) in model/seqs.py)."""

    items: tuple[SExpr, ...]
    span: Span = field(compare=False)


SExpr = Name | IntLit | Unary | Binary | Compare | IfElse | Index | Field | Call | GenCall | SetLit | RecLit | SeqLit


@dataclass(frozen=True)
class Target:
    """Left-hand side of an assignment, optionally for every element of a finite domain."""

    lhs: SExpr
    var: str | None
    domain: str | None
    span: Span = field(compare=False)


# ---- types ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NamedType:
    name: str
    span: Span = field(compare=False)


@dataclass(frozen=True)
class OptionType:
    name: str
    span: Span = field(compare=False)


@dataclass(frozen=True)
class RangeType:
    lo: SExpr
    hi: SExpr
    span: Span = field(compare=False)


@dataclass(frozen=True)
class MapType:
    key: SType
    value: SType
    span: Span = field(compare=False)


@dataclass(frozen=True)
class SetType:
    """`set[T]`: a finite set of elements of a named finite type (NOTE(sets) in model/sets.py)."""

    elem: SType
    span: Span = field(compare=False)


@dataclass(frozen=True)
class SeqType:
    """`seq[T, N]`: a sequence of at most N elements of a scalar type (NOTE(seqs) in model/seqs.py)."""

    elem: SType
    cap: SExpr
    span: Span = field(compare=False)


SType = NamedType | OptionType | RangeType | MapType | SetType | SeqType

# ---- declarations --------------------------------------------------------------------------


@dataclass(frozen=True)
class ParamDecl:
    name: str
    kind: str                     # "int" | "bool" | "enum"
    default: str
    values: tuple[str, ...] = ()  # enum values
    lo: int | None = None
    hi: int | None = None
    doc: str = ""
    span: Span | None = field(default=None, compare=False)
    value_spans: tuple[Span, ...] = field(default=(), compare=False)   # one per enum value


@dataclass(frozen=True)
class TypeDecl:
    name: str
    kind: str                     # "enum" | "index" | "alias"
    members: tuple[str, ...] = ()
    size: SExpr | None = None
    alias: SType | None = None
    span: Span | None = field(default=None, compare=False)
    symmetric: bool = False
    member_spans: tuple[Span, ...] = field(default=(), compare=False)  # one per enum member
    lane: bool = False            # its elements are the race diagram's lanes (LPs, CPUs)
    symmetric_when: SExpr | None = None   # `symmetric: "EXPR"`: symmetric where EXPR (over params) holds
    fields: tuple[tuple[str, SType], ...] = ()    # kind "record": {record: {a: T1, b: T2}}
    field_spans: tuple[Span, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class DefDecl:
    name: str
    params: tuple[tuple[str, SType], ...]
    body: SExpr
    span: Span | None = field(default=None, compare=False)
    param_spans: tuple[Span, ...] = field(default=(), compare=False)   # one per parameter name


@dataclass(frozen=True)
class VarDecl:
    name: str
    type: SType
    init: SExpr | None            # None means "any value"
    doc: str = ""
    span: Span | None = field(default=None, compare=False)
    # a map's key-dependent initial value `init: "e for k in K"`: (k, K), outermost key first
    init_keys: tuple[tuple[str, str], ...] = ()
    init_key_spans: tuple[Span, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Assign:
    target: Target
    value: SExpr


@dataclass(frozen=True)
class Check:
    require: SExpr
    error: str
    span: Span | None = field(default=None, compare=False)
    error_span: Span | None = field(default=None, compare=False)      # the `else:` code


@dataclass(frozen=True)
class OpDecl:
    name: str
    params: tuple[tuple[str, SType], ...]
    checks: tuple[Check, ...]
    may_fail: tuple[tuple[str, Span], ...]
    effect: tuple[Assign, ...]
    doc: str = ""
    cites: tuple[str, ...] = ()
    span: Span | None = field(default=None, compare=False)
    param_spans: tuple[Span, ...] = field(default=(), compare=False)
    lane: SExpr | None = None                 # the lane (LP) the operation runs on


@dataclass(frozen=True)
class TransitionDecl:
    name: str
    sources: tuple[str, ...] | None           # None: from any state
    target: SExpr | None                      # None: stay
    params: tuple[tuple[str, SType], ...]
    when: SExpr | None
    guard: SExpr | None
    call: Call | None
    store: SExpr | None
    effect: tuple[Assign, ...]
    doc: str = ""
    cites: tuple[str, ...] = ()
    span: Span | None = field(default=None, compare=False)
    source_spans: tuple[Span, ...] = field(default=(), compare=False)
    fair: str | None = None                   # "weak" | "strong" | "none" | None (inherit)
    fair_span: Span | None = field(default=None, compare=False)
    param_spans: tuple[Span, ...] = field(default=(), compare=False)
    lane: SExpr | None = None                 # the lane (LP) the step runs on


# NOTE(global-transitions): the spec's top-level `transitions:` are held as the transitions of a
# machine named GLOBAL ("", which no machine can be named): one instance, no control state, no
# variables. Lowering gives it no pc slot and its actions the label `t(args)`, so traces show no
# machine; everything else about a transition (params, guard, call, effect, fair) is as in a machine.
GLOBAL = ""


def qualified(machine: str, transition: str) -> str:
    """How `on:`, docs and mutations name a transition: `machine.t`, or `t` for a global one."""
    return transition if machine == GLOBAL else f"{machine}.{transition}"


@dataclass(frozen=True)
class FairDecl:
    """A fairness group `{weak: [a, b]}`: "a or b" (NOTE(fairness) in checker/explicit/liveness.py)."""

    kind: str                                  # "weak" | "strong"
    names: tuple[tuple[str, Span], ...] | None  # the transitions; None: `all`
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True)
class MachineDecl:
    name: str
    instances: str | None
    states: tuple[str, ...]
    init: str
    terminal: tuple[str, ...]
    vars: tuple[VarDecl, ...]
    transitions: tuple[TransitionDecl, ...]
    doc: str = ""
    span: Span | None = field(default=None, compare=False)
    instances_span: Span | None = field(default=None, compare=False)
    fair: str | None = None                   # default fairness of its transitions
    init_span: Span | None = field(default=None, compare=False)
    terminal_spans: tuple[Span, ...] = field(default=(), compare=False)
    fair_span: Span | None = field(default=None, compare=False)
    state_spans: tuple[Span, ...] = field(default=(), compare=False)
    lane: SExpr | None = None                 # default lane of its transitions
    fair_groups: tuple[FairDecl, ...] = ()    # `fair: {weak: [a, b]}`: per instance, its transitions


@dataclass(frozen=True)
class PropertyDecl:
    name: str
    kind: str                                 # "invariant" | "step" | "builtin" | temporal kinds
    expr: SExpr
    on: tuple[tuple[str, Span], ...] | None
    expect: tuple[tuple[str, str], ...]       # (variant or "default", holds|violated)
    doc: str = ""
    span: Span | None = field(default=None, compare=False)
    expr2: SExpr | None = None                # Q of `leads_to`
    expect_rules: tuple[tuple[SExpr | None, str], ...] = ()   # [{when, is}], first match wins
    # `for: {p: Proc}`: a family, one property per value of its variables (NOTE(families))
    family: tuple[tuple[str, SType], ...] = ()
    family_spans: tuple[Span, ...] = field(default=(), compare=False)   # one per variable name


@dataclass(frozen=True)
class SpecDecl:
    name: str
    path: str
    doc: str
    cites: tuple[str, ...]
    params: tuple[ParamDecl, ...]
    variants: tuple[tuple[str, tuple[tuple[str, str, Span], ...]], ...]
    types: tuple[TypeDecl, ...]
    defs: tuple[DefDecl, ...]
    vars: tuple[VarDecl, ...]
    initially: SExpr | None
    operations: tuple[OpDecl, ...]
    machines: tuple[MachineDecl, ...]
    properties: tuple[PropertyDecl, ...]
    lemmas: tuple[PropertyDecl, ...]
    check_deadlock: bool = True
    span: Span | None = field(default=None, compare=False)             # the `spec:` key
    vars_span: Span | None = field(default=None, compare=False)        # the `vars:` key
    variant_spans: tuple[Span, ...] = field(default=(), compare=False)  # one per variant name
    fairness: tuple[FairDecl, ...] = ()       # top-level `fairness:`, over every instance
    stutter: bool = False                     # `stutter: true`: every state may stutter (NOTE(stutter))
