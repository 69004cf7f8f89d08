"""Symbol tables of one instantiated spec: types, enum members, variables and their slots.

Built once per parameter instance (types such as `0..V` depend on parameter values).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from model import syntax as S
from model.diagnostics import Collector, did_you_mean
from model.ir import Const, StateVar
from model.params import Instance
from model.smart import const_int
from model.sorts import BOOL, MAX_VALUES, BoolSort, EnumSort, IndexSort, IntSort, KeySort, OptionSort, Sort, size

BUILTIN_TYPES = ("bool", "Status")


@dataclass(frozen=True)
class VarInfo:
    """A global variable or a machine-local field: its slots, one per key (or instance)."""

    name: str
    sort: Sort
    key: KeySort | None          # None: a scalar with exactly one slot
    slots: tuple[int, ...]
    # further keys of a nested map or a machine-local map (NOTE(key-paths) in model/ir.py);
    # the slots run over the key path (key, *inner) in row-major order
    inner: tuple[KeySort, ...] = ()

    @property
    def path(self) -> tuple[KeySort, ...]:
        return ((self.key,) if self.key is not None else ()) + self.inner


@dataclass
class MachineScope:
    decl: S.MachineDecl
    instances: IndexSort | None
    pc: VarInfo
    fields: dict[str, VarInfo]
    records: dict[str, tuple[str, ...]] = field(default_factory=dict)   # record variable -> its fields
    sets: dict[str, str] = field(default_factory=dict)   # set variable -> element type (NOTE(sets))
    seqs: dict[str, Sort] = field(default_factory=dict)   # sequence variable -> element sort (NOTE(seqs))


@dataclass
class Scope:
    spec: S.SpecDecl
    instance: Instance
    out: Collector
    params: dict[str, Const] = field(default_factory=dict)
    types: dict[str, Sort] = field(default_factory=dict)
    members: dict[str, list[tuple[EnumSort, int]]] = field(default_factory=dict)
    defs: dict[str, S.DefDecl] = field(default_factory=dict)
    globals: dict[str, VarInfo] = field(default_factory=dict)
    machines: dict[str, MachineScope] = field(default_factory=dict)
    ops: dict[str, S.OpDecl] = field(default_factory=dict)
    vars: list[StateVar] = field(default_factory=list)
    status: EnumSort = EnumSort("Status", ("SUCCESS",))
    lanes: IndexSort | None = None        # the index set declared `lane: true` (NOTE(lanes))
    record_types: dict[str, tuple[tuple[str, Sort], ...]] = field(default_factory=dict)
    records: dict[str, tuple[str, ...]] = field(default_factory=dict)   # global record variable -> fields
    record_seqs: dict[str, dict[str, Sort]] = field(default_factory=dict)   # record type -> seq field -> element
    sets: dict[str, str] = field(default_factory=dict)   # global set variable -> element type (NOTE(sets))
    seqs: dict[str, Sort] = field(default_factory=dict)   # global sequence variable -> element sort (NOTE(seqs))
    # declarations already reported as wrong: a use of one is not reported again as unknown
    broken: set[str] = field(default_factory=set)

    def all_names(self) -> list[str]:
        return [*self.params, *self.types, *self.members, *self.defs, *self.globals, *self.machines]

    def unknown(self, name: str, span: object, what: str = "name", extra: tuple[str, ...] = ()) -> None:
        if name in self.broken:   # its own error says what is wrong; "unknown" would only repeat it
            return
        self.out.error("SC201", span, f"unknown {what} '{name}'",  # type: ignore[arg-type]
                       notes=did_you_mean(name, [*self.all_names(), *extra]))

    def add_member(self, sort: EnumSort) -> None:
        for i, m in enumerate(sort.members):
            self.members.setdefault(m, []).append((sort, i))

    def new_slots(self, base: str, sort: Sort, keys: tuple[KeySort, ...], machine: str | None = None,
                  fmt: str | None = None, record: str = "") -> tuple[int, ...]:
        """One slot per key path over `keys` (row-major); `fmt` has one `{}` per key; `record`
        names the record variable a field's slots belong to (NOTE(records))."""
        if not keys:
            self.vars.append(StateVar(fmt or base, sort, base, None, machine, record=record))
            return (len(self.vars) - 1,)
        fmt = fmt if fmt is not None else base + "[{}]" * len(keys)
        start = len(self.vars)
        for combo in itertools.product(*(k.values() for k in keys)):
            shown = [k.render(v) for k, v in zip(keys, combo, strict=True)]
            path = tuple(zip(keys, combo, strict=True)) if len(keys) > 1 else ()
            self.vars.append(StateVar(fmt.format(*shown), sort, base, shown[0], machine, keys[0], combo[0],
                                      path, fmt if path else "", record))
        return tuple(range(start, len(self.vars)))


def param_consts(scope: Scope) -> None:
    for p in scope.spec.params:
        v = scope.instance.as_dict().get(p.name)
        if v is None:
            continue
        if p.kind == "enum":
            sort = EnumSort(p.name, p.values)
            scope.add_member(sort)
            scope.params[p.name] = Const(p.values.index(str(v)), sort)
        elif p.kind == "bool":
            scope.params[p.name] = Const(bool(v), BOOL)
        else:
            scope.params[p.name] = const_int(int(v))


def status_sort(spec: S.SpecDecl) -> EnumSort:
    codes: list[str] = ["SUCCESS"]
    for op in spec.operations:
        for c in [ch.error for ch in op.checks] + [n for n, _ in op.may_fail]:
            if c not in codes:
                codes.append(c)
    return EnumSort("Status", tuple(codes))


def check_duplicates(spec: S.SpecDecl, out: Collector) -> None:
    seen: dict[str, object] = {}
    kinds: dict[str, str] = {}
    groups: list[tuple[str, list[tuple[str, object]]]] = [
        ("param", [(p.name, p.span) for p in spec.params]),
        ("type", [(t.name, t.span) for t in spec.types]),
        ("def", [(d.name, d.span) for d in spec.defs]),
        ("variable", [(v.name, v.span) for v in spec.vars]),
        ("operation", [(o.name, o.span) for o in spec.operations]),
        ("machine", [(m.name, m.span) for m in spec.machines if m.name != S.GLOBAL]),
        # NOTE(global-transitions): `on:` and mutations name a global transition by its bare name
        ("global transition", [(t.name, t.span) for m in spec.machines if m.name == S.GLOBAL for t in m.transitions]),
    ]
    for what, items in groups:
        for name, span in items:
            if name in BUILTIN_TYPES or name in seen:
                first = seen.get(name)
                note = ("params, types, defs, variables, operations, machines and global transitions share "
                        "one namespace",)
                earlier = f" as a {kinds[name]} at {first}" if first else " (a built-in name)"
                out.error("SC204", span, f"{what} '{name}' is already declared{earlier}",  # type: ignore[arg-type]
                          notes=note)
            else:
                seen[name] = span
                kinds[name] = what
    props = [(p.name, p.span) for p in (*spec.properties, *spec.lemmas) if p.kind != "builtin"]
    pseen: dict[str, object] = {"deadlock": None, "range": None}
    for name, span in props:
        if name in pseen:
            out.error("SC204", span, f"property '{name}' is already declared"  # type: ignore[arg-type]
                      + (" (a built-in property)" if pseen[name] is None else ""))
        pseen[name] = span


def key_sort(sort: Sort, span: object, out: Collector) -> KeySort | None:
    if isinstance(sort, (BoolSort, IntSort, EnumSort, IndexSort)) and size(sort) > MAX_VALUES:
        out.error("SC406", span, f"map key type {sort} has {size(sort)} values, too many to check",  # type: ignore[arg-type]
                  f"at most {MAX_VALUES} keys")
        return None
    if isinstance(sort, (BoolSort, IntSort, EnumSort, IndexSort)):
        return sort
    out.error("SC301", span, f"'{sort}' cannot be a map key", "an index set, enum, bool or range")  # type: ignore[arg-type]
    return None


def option_of(sort: Sort | None, span: object, out: Collector) -> Sort | None:
    if isinstance(sort, (EnumSort, IndexSort)):
        return OptionSort(sort)
    if sort is not None:
        out.error("SC301", span, f"'{sort}?' is not allowed",  # type: ignore[arg-type]
                  "an option of an enum or index set")
    return None


def collection_var(sc: Scope, machine: str | None, bound: set[str], e: S.SExpr,
                   table: Callable[[Any], dict[str, Any]], suffix: str) -> tuple[VarInfo, Any, int] | None:
    """The set or sequence variable `e` names (NOTE(sets), NOTE(seqs)): its slot info (the
    variable `name + suffix`), its entry in `table` of the scope or machine scope (its sets or
    its sequences), and how many keys `e` gives it (its indexes, and the instance of a machine's own
    or `m[i].x`). None when `e` names no such variable."""
    root, depth = e, 0
    while isinstance(root, S.Index):
        root, depth = root.base, depth + 1
    if isinstance(root, S.Name) and root.id not in bound:
        ms = sc.machines.get(machine) if machine is not None else None
        if ms is not None and root.id in table(ms):
            owner, name, fields = ms, root.id, ms.fields
        elif root.id in table(sc):
            info = sc.globals.get(root.id + suffix)
            return (info, table(sc)[root.id], depth) if info is not None else None
        else:
            return None
    elif isinstance(root, S.Field):
        base = root.base.base if isinstance(root.base, S.Index) else root.base
        m = sc.machines.get(base.id) if isinstance(base, S.Name) else None
        if m is None or root.name not in table(m):
            return None
        owner, name, fields = m, root.name, m.fields
    else:
        return None
    info = fields.get(name + suffix)
    if info is None:
        return None
    return info, table(owner)[name], depth + len(info.path) - len(info.inner)
