"""The one semantics: a finite transition system that every engine reads.

Engines never see YAML or the surface syntax; they see only these frozen values.

NOTE(depth): a trace of depth k has k steps and k+1 states. Every engine reports depth this way.

NOTE(step-semantics): a state is a tuple of ints, one per StateVar (see NOTE(value-encoding) in
model/sorts.py). In one step exactly one Action fires: its guard holds in the pre-state, each
(slot, expr) in `updates` sets slot to expr evaluated on the pre-state, every other slot keeps
its value. Actions are fully instantiated (machine instance, parameter values and operation
outcome are fixed), so all nondeterminism is the choice of action. There is no implicit
stuttering: a state in which no action is enabled has no successor (see Property kind
"deadlock").

NOTE(properties): every safety property is a set of "bad" conditions over the pre-state:
  - invariant: the state is bad when `pred` is false;
  - step (and range): the step firing action i from the state is bad when `bad[i]` holds
    (bad[i] already includes action i's guard), so a counterexample ends with that step.
A deadlock property is an invariant whose pred is "some action enabled or the state is terminal".
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from model.sorts import IndexSort, Sort
from model.source import Span


class Op(enum.Enum):
    NOT = "not"
    AND = "and"
    OR = "or"
    IMPLIES = "=>"
    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    ADD = "+"
    SUB = "-"
    NEG = "neg"
    MUL = "*"
    DIV = "//"
    MOD = "%"


@dataclass(frozen=True)
class Const:
    value: int
    sort: Sort


@dataclass(frozen=True)
class Var:
    slot: int
    sort: Sort


@dataclass(frozen=True)
class Select:
    """state[slots[index - offset]]: a read of a flattened map cell whose key is not constant.

    The index is always within the key sort, so the position is always in range.
    """

    slots: tuple[int, ...]
    index: Expr
    offset: int
    sort: Sort


@dataclass(frozen=True)
class Ite:
    cond: Expr
    then: Expr
    other: Expr
    sort: Sort


@dataclass(frozen=True)
class App:
    op: Op
    args: tuple[Expr, ...]
    sort: Sort


Expr = Const | Var | Select | Ite | App


@dataclass(frozen=True)
class StateVar:
    """One scalar state slot. `base` and `key` let exporters regroup flattened maps.

    name is the display name, e.g. "assoc[1]" or "vcpu_task[0].pc"; base is "assoc" or
    "vcpu_task.pc"; key is the rendered key ("1") or None for scalars.
    """

    name: str
    sort: Sort
    base: str
    key: str | None = None
    machine: str | None = None
    key_sort: Sort | None = None        # the map's key type (or the machine's instance set)
    key_value: int | None = None
    # NOTE(key-paths): a cell of a nested map (`m[a][b]`) or of a machine's local map
    # (`vcpu[v].seen[k]`) has several keys. `keys` is then the whole path, outermost first, as
    # (key type, value) pairs, and `fmt` the display name with one `{}` per key; key_sort,
    # key_value and key stay the outermost key's. A cell with at most one key leaves both empty.
    keys: tuple[tuple[Sort, int], ...] = ()
    fmt: str = ""
    # NOTE(records) in model/records.py: a record variable's field `f` has its own slots
    # (base "r.f"); `record` names the record variable ("r"), so exporters regroup the fields
    record: str = ""
    # NOTE(sets) in model/sets.py: the cell's last key is an element of a set and its bool value
    # says whether that element is in; exporters write the cells of one set as {a, b}
    set_elem: bool = False

    @property
    def key_path(self) -> tuple[tuple[Sort, int], ...]:
        """Every key of this cell, outermost first (empty for a scalar)."""
        if self.keys:
            return self.keys
        return ((self.key_sort, self.key_value),) if self.key_sort is not None and self.key_value is not None else ()

    def name_with(self, pos: int, text: str) -> str:
        """The display name with key number `pos` written as `text` (a rendered expression)."""
        if self.keys:
            shown = [s.render(v) for s, v in self.keys]
            shown[pos] = text
            return self.fmt.format(*shown)
        return self.name.replace(f"[{self.key}]", f"[{text}]", 1) if self.key is not None else self.name


@dataclass(frozen=True)
class Arg:
    name: str
    value: int
    sort: Sort

    def render(self) -> str:
        return f"{self.name}={self.sort.render(self.value)}"


@dataclass(frozen=True)
class ActionLabel:
    """Which transition fired: machine, instance, transition, argument values and outcome."""

    machine: str
    transition: str
    instance: int | None
    args: tuple[Arg, ...]
    outcome: str | None = None

    @property
    def qualified(self) -> str:
        return f"{self.machine}.{self.transition}" if self.machine else self.transition

    def render(self) -> str:
        """`m[1].t(x=2) -> ERR`; a global transition (NOTE(global-transitions)) has no `m.`."""
        who = self.machine if self.instance is None else f"{self.machine}[{self.instance}]"
        args = ", ".join(a.render() for a in self.args)
        out = f" -> {self.outcome}" if self.outcome else ""
        return f"{who}.{self.transition}({args}){out}" if who else f"{self.transition}({args}){out}"


@dataclass(frozen=True)
class Action:
    label: ActionLabel
    guard: Expr
    updates: tuple[tuple[int, Expr], ...]
    call: str | None = None             # operation (SEAMCALL) invoked in this step, if any
    result: Expr | None = None          # its returned status, evaluated on the pre-state
    cites: tuple[str, ...] = ()
    span: Span | None = field(default=None, compare=False)
    fair: str | None = None             # NOTE(fairness): "weak" | "strong" | None (adversarial)
    # NOTE(lanes): the lane (LP) the step runs on and the one its operation runs on, evaluated on
    # the pre-state; None or a `none` value: no LP. Only exporters read them (race-lp view).
    lane: Expr | None = None
    call_lane: Expr | None = None

    @property
    def fair_group(self) -> tuple[str, str, int | None]:
        """Fairness is per machine instance and transition: all its parameter choices together."""
        return (self.label.machine, self.label.transition, self.label.instance)


@dataclass(frozen=True)
class FairGroup:
    """One fairness constraint (NOTE(fairness) in checker/explicit/liveness.py): the group is
    enabled where one of `actions` is, and taken by a step firing one of them. Weak: a behaviour
    may not keep the group enabled forever without taking it; strong: not enabled infinitely
    often without taking it. `name` is how messages and reports call it."""

    name: str
    kind: str                           # "weak" | "strong"
    actions: tuple[int, ...]


TEMPORAL_KINDS = ("eventually", "always_eventually", "eventually_always", "leads_to")


@dataclass(frozen=True)
class Property:
    """A property; see NOTE(properties).

    kind: invariant | step | deadlock | range (safety), or eventually | always_eventually |
    eventually_always (<>[]) | leads_to (liveness, see NOTE(liveness) in checker/explicit/liveness.py: `pred` is P, `pred2` is Q
    of `P leads_to Q`).
    """

    name: str
    kind: str
    pred: Expr | None = None
    bad: tuple[tuple[int, Expr], ...] = ()
    expect: str | None = None           # "holds" | "violated" | None (not stated)
    doc: str = ""
    span: Span | None = field(default=None, compare=False)
    pred2: Expr | None = None
    # NOTE(families) in model/lower.py: a member of the family `family` (its declared name),
    # with `args` its variables' values; name is then e.g. "mutex[p=0]"
    family: str | None = None
    args: tuple[Arg, ...] = ()

    @property
    def temporal(self) -> bool:
        return self.kind in TEMPORAL_KINDS

    @property
    def names_symmetric(self) -> bool:
        """Whether it names an element of a symmetric set (a family member over one), so that
        it is not preserved by the permutations symmetry reduction applies (NOTE(symmetry))."""
        return any(isinstance(a.sort, IndexSort) and a.sort.symmetric for a in self.args)


GLOBAL_CONTEXT = "(global)"     # the execution context of global transitions (NOTE(global-transitions))


@dataclass(frozen=True)
class MachineInfo:
    """A machine of the spec, for exporters (execution contexts of the race diagram)."""

    name: str
    instances: int | None               # None: a singleton machine
    pc_slots: tuple[int, ...]
    doc: str = ""


def _group_name(g: tuple[str, str, int | None]) -> str:
    who = g[0] if g[2] is None else f"{g[0]}[{g[2]}]"
    return f"{who}.{g[1]}" if who else g[1]


@dataclass(frozen=True)
class TransitionSystem:
    name: str
    path: str
    params: tuple[tuple[str, str], ...]     # instantiated parameter values, rendered
    variant: str | None
    vars: tuple[StateVar, ...]
    init_values: tuple[Sequence[int], ...]    # allowed initial values per slot (NOTE(lazy-values))
    init_constraint: Expr | None
    actions: tuple[Action, ...]
    properties: tuple[Property, ...]
    machines: tuple[MachineInfo, ...] = ()
    lemmas: tuple[Property, ...] = ()
    cites: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()            # members of the Status enum, SUCCESS first
    # where an empty set of initial states comes from: the `initially:` constraint, else `vars:`
    # (model.diagnostics.no_initial_state reports it there)
    init_span: Span | None = field(default=None, compare=False)
    lanes: IndexSort | None = None            # the index set declared `lane: true` (NOTE(lanes))
    # the fairness groups declared as `fair: {weak: [a, b]}` ("a or b"); the per-transition groups
    # of Action.fair are not repeated here: `fairness()` lists both
    fair_groups: tuple[FairGroup, ...] = ()
    # NOTE(stutter) in checker/explicit/liveness.py: `stutter: true`, every state may stutter
    stutter: bool = False

    def fairness(self) -> tuple[FairGroup, ...]:
        """Every fairness constraint, the one representation engines read (NOTE(fairness)): first
        one group per (machine, instance, transition) of the actions with `fair` set (all their
        parameter choices together; the kind is the first action's), then the declared groups."""
        acts: dict[tuple[str, str, int | None], list[int]] = {}
        kind: dict[tuple[str, str, int | None], str] = {}
        for i, a in enumerate(self.actions):
            if a.fair:
                acts.setdefault(a.fair_group, []).append(i)
                kind.setdefault(a.fair_group, a.fair)
        derived = tuple(FairGroup(_group_name(g), kind[g], tuple(xs)) for g, xs in acts.items())
        return derived + self.fair_groups

    def slot(self, name: str) -> int:
        """Slot of the variable with display name `name`; raises KeyError."""
        for i, v in enumerate(self.vars):
            if v.name == name:
                return i
        raise KeyError(name)

    def prop(self, name: str) -> Property:
        for p in self.properties:
            if p.name == name:
                return p
        raise KeyError(name)
