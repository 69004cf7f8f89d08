"""Records: `types: {Msg: {record: {src: Node, ok: bool}}}`, variables and map values of that type.

NOTE(records): a record is lowered field by field. A record variable `r` (or a map `m` of records,
or a machine's record variable) has no slots of its own: each field `f` is a variable of its own
named `r.f` (`m.f` keeps m's keys, so `m[k].f` is a cell of it), with the slots, key path and
symmetry any variable of the field's type has. `r.f`, `m[k].f` and `vcpu[i].r.f` are read and
written by moving the field name onto the variable the expression starts from (`push_field`);
a whole record is compared (`==`, `!=`) and assigned (`r: "{src: 0, ok: true}"`, `m[k]: "r"`)
field by field, in the record's field order. StateVar.record keeps the record's name, so traces
show `r.src`, and ITF and JSON write the record as an object {"src": ..., "ok": ...}.
"""

from __future__ import annotations

from model import syntax as S
from model.scope import Scope


def record_of(sc: Scope, machine: str | None, bound: set[str], e: S.SExpr) -> tuple[str, ...] | None:
    """The field names of the record variable `e` starts from (`r`, `m[k]`, `vcpu[i].r`, a
    machine's own `r` inside it), or None when `e` is not a record."""
    root = e
    while isinstance(root, S.Index):
        root = root.base
    if isinstance(root, S.Name):
        own = sc.machines[machine].records if machine in sc.machines else {}
        if root.id in bound:
            return None
        return own.get(root.id) or sc.records.get(root.id)
    if isinstance(root, S.Field):
        base = root.base.base if isinstance(root.base, S.Index) else root.base
        m = sc.machines.get(base.id) if isinstance(base, S.Name) else None
        return m.records.get(root.name) if m is not None else None
    return None


def push_field(e: S.SExpr, name: str) -> S.SExpr:
    """`r` -> `r.f`, `m[k]` -> `m.f[k]`, `vcpu[i].r` -> `vcpu[i].(r.f)`: the field as a variable."""
    if isinstance(e, S.Name):
        return S.Name(f"{e.id}.{name}", e.span)
    if isinstance(e, S.Index):
        return S.Index(push_field(e.base, name), e.index, e.span)
    assert isinstance(e, S.Field)
    return S.Field(e.base, f"{e.name}.{name}", e.span)
