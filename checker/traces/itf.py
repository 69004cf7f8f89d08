"""ITF JSON (Apalache ADR-015, `.itf.json`): the machine-readable counterexample.

Encoding (read back by checker/traces/itf_read.py, so the two must change together):
  - every integer (ranges and index-set elements) is {"#bigint": "<decimal>"};
  - bools are JSON bools; enum members and an option's `none` are strings;
  - a map's flattened slots (StateVar.base/key) are regrouped into one variable
    {"#map": [[key, value], ...]} in key order; machine fields are maps from instance to value
    ("vcpu.pc"), a singleton machine's fields are plain variables ("teardown.pc"); a nested
    map, and a machine's local map, is a map of maps, outermost key first (NOTE(key-paths)); a record is an
    object of its fields {"src": ..., "ok": ...}, also as a map's value (NOTE(records)); a set is
    {"#set": [element, ...]} in element order (NOTE(sets) in model/sets.py); a sequence is a JSON
    list of its elements (NOTE(seqs) in model/seqs.py);
  - each state's `#meta` has its index and the action that produced it ("init" for state 0),
    with the transition, instance, arguments, operation and returned status;
  - the top-level `#meta` says how to find the spec again: source path, variant, params.
Output is deterministic: no timestamps, keys in a fixed order, one variable per line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from checker.traces.context import ExportContext, reproduce_command, status_of
from checker.traces.trace import Trace
from model.ir import Action, StateVar, TransitionSystem
from model.seqs import is_seq
from model.sorts import NONE_VALUE, BoolSort, EnumSort, IndexSort, IntSort, NoneSort, OptionSort, Sort

FORMAT_DESCRIPTION = "https://apalache-mc.org/docs/adr/015adr-trace.html"
_INT_KEY = re.compile(r"-?[0-9]+")
MAX_KEY_CHARS = 100     # of an integer key read back (key_text)

Json = Any


def bigint(v: int) -> Json:
    return {"#bigint": str(int(v))}


def value(sort: Sort, v: int, ints: Callable[[int], Json] = bigint) -> Json:
    """One slot value as an ITF expression (see the module docstring); `ints` writes integers
    (ITF's #bigint; the seamcheck/result JSON writes plain numbers)."""
    if isinstance(sort, BoolSort):
        return bool(v)
    if isinstance(sort, (IntSort, IndexSort)):
        return ints(v)
    if isinstance(sort, EnumSort):
        return sort.render(v)
    if isinstance(sort, OptionSort):
        return "none" if v == NONE_VALUE else value(sort.inner, v, ints)
    assert isinstance(sort, NoneSort)
    return "none"


def key_value(key: str, ints: Callable[[int], Json] = bigint) -> Json:
    """A map key as ITF: keys are kept rendered in StateVar.key, so recover their kind from the text.

    Index-set and range keys render as decimals, bool keys as true/false, enum keys as member
    names (identifiers, never `true`/`false` or digits), so this is unambiguous.
    """
    if _INT_KEY.fullmatch(key):
        return ints(int(key))
    if key in ("true", "false"):
        return key == "true"
    return key


def key_text(k: Json) -> str | None:
    """The inverse of key_value, as StateVar.key text; None if k is not a key expression."""
    if isinstance(k, bool):
        return "true" if k else "false"
    if isinstance(k, str):
        return k
    if isinstance(k, dict) and set(k) == {"#bigint"} and isinstance(k["#bigint"], str) \
            and len(k["#bigint"]) <= MAX_KEY_CHARS and _INT_KEY.fullmatch(k["#bigint"]):
        return str(int(k["#bigint"]))   # (int() refuses over 4,300 digits; no key has more than a few)
    return None


def groups(ts: TransitionSystem) -> list[tuple[str, list[int]]]:
    """ITF variables in slot order: (name, slots); a scalar has one slot and no key."""
    out: dict[str, list[int]] = {}
    for i, v in enumerate(ts.vars):
        out.setdefault(itf_name(v), []).append(i)
    return list(out.items())


def itf_name(v: StateVar) -> str:
    return v.record or (v.base if v.key is not None else v.name)


def state_json(ts: TransitionSystem, state: tuple[int, ...], ints: Callable[[int], Json] = bigint) -> dict[str, Json]:
    """Variables as ITF groups them: a scalar is a value, a map {"#map": [[key, value], ...]};
    `ints` writes integers (ITF's #bigint; the seamcheck/result JSON writes plain numbers)."""
    out: dict[str, Json] = {}
    for name, slots in groups(ts):
        out[name] = _json(ts, slots, state, ints, 0)
    return out


def _json(ts: TransitionSystem, slots: list[int], state: tuple[int, ...], ints: Callable[[int], Json],
          depth: int) -> Json:
    """A variable's value as ITF: a map of maps for a nested or machine-local map (NOTE(key-paths)),
    a record an object of its fields (NOTE(records) in model/records.py)."""
    first = ts.vars[slots[0]]
    if depth == key_count(first):
        if first.record and is_seq(tuple(field_name(ts.vars[s]) for s in slots)):
            n = state[slots[0]]   # NOTE(seqs) in model/seqs.py: ITF writes a sequence as a JSON list
            return [value(ts.vars[s].sort, state[s], ints) for s in slots[1:1 + max(n, 0)]]
        if first.record:
            return {f: (value(ts.vars[sub[0]].sort, state[sub[0]], ints) if len(sub) == 1
                        else [value(ts.vars[s].sort, state[s], ints) for s in sub[1:1 + max(state[sub[0]], 0)]])
                    for f, sub in record_fields(ts, slots).items()}
        return value(first.sort, state[slots[0]], ints)
    if first.set_elem and depth == key_count(first) - 1:
        return {"#set": [key_value(k, ints) for k, sub in key_groups(ts, slots, depth) if state[sub[0]]]}
    return {"#map": [[key_value(k, ints), _json(ts, sub, state, ints, depth + 1)]
                     for k, sub in key_groups(ts, slots, depth)]}


def key_count(v: StateVar) -> int:
    return len(v.keys) if v.keys else int(v.key is not None)


def field_name(v: StateVar) -> str:
    """The record field a slot holds (its base is the record's name, a dot and the field)."""
    return v.base[len(v.record) + 1:]


def record_fields(ts: TransitionSystem, slots: list[int]) -> dict[str, list[int]]:
    """A record's slots by the field the spec names: one slot for a scalar field, the length and
    the slots of a sequence field (`q.len`, `q.0`, ...: NOTE(seqs) in model/seqs.py)."""
    out: dict[str, list[int]] = {}
    for s in slots:
        out.setdefault(field_name(ts.vars[s]).split(".")[0], []).append(s)
    return out


def key_groups(ts: TransitionSystem, slots: list[int], depth: int) -> list[tuple[str, list[int]]]:
    """The slots of a map grouped by their rendered key number `depth`, in key order."""
    out: dict[str, list[int]] = {}
    for s in slots:
        v = ts.vars[s]
        k = v.key if not v.keys else v.keys[depth][0].render(v.keys[depth][1])
        out.setdefault(k or "", []).append(s)
    return list(out.items())


def step_meta(ts: TransitionSystem, act: Action, pre: tuple[int, ...], index: int) -> dict[str, Json]:
    lab = act.label
    meta: dict[str, Json] = {"index": index, "action": lab.render(), "transition": lab.qualified}
    if lab.instance is not None:
        meta["instance"] = bigint(lab.instance)
    meta["args"] = {a.name: value(a.sort, a.value) for a in lab.args}
    if act.call is not None:
        meta["operation"] = act.call
        meta["status"] = status_of(act, pre)
    if lab.outcome is not None:
        meta["outcome"] = lab.outcome
    return meta


def trace_meta(ts: TransitionSystem, trace: Trace, prop: str | None, ctx: ExportContext) -> dict[str, Json]:
    meta: dict[str, Json] = {
        "format": "ITF",
        "format-description": FORMAT_DESCRIPTION,
        "description": f"Created by seamcheck {ctx.version}".rstrip(),
        "source": ts.path,
        "spec": ts.name,
        "variant": ts.variant,
        "params": dict(ts.params),
        "property": prop,
        "status": "violation" if prop else "trace",
        "depth": trace.depth,
        "seamcheck": ctx.version,
        "reproduce": reproduce_command(ts, prop, ctx),
    }
    if prop:
        doc = ts.prop(prop).doc if prop in {p.name for p in ts.properties} else ""
        if doc:
            meta["property-doc"] = doc
    if trace.loop is not None:
        meta["loop-note"] = f"the loop starts at state {trace.loop} and returns there after the last state"
    return meta


def to_json(ts: TransitionSystem, trace: Trace, prop: str | None, ctx: ExportContext) -> dict[str, Json]:
    """The ITF document as JSON data."""
    states = []
    for i, s in enumerate(trace.states):
        if i == 0:
            meta: dict[str, Json] = {"index": 0, "action": "init"}
        else:
            meta = step_meta(ts, ts.actions[trace.actions[i - 1]], trace.states[i - 1], i)
        if trace.loop == i:
            meta["loop"] = "loop starts here"
        states.append({"#meta": meta, **state_json(ts, s)})
    doc: dict[str, Json] = {"#meta": trace_meta(ts, trace, prop, ctx),
                            "vars": [n for n, _ in groups(ts)], "states": states}
    if trace.loop is not None:
        doc["loop"] = trace.loop
    return doc


def _dump(x: Json) -> str:
    return json.dumps(x, sort_keys=True, ensure_ascii=True)


def render(ts: TransitionSystem, trace: Trace, prop: str | None, ctx: ExportContext) -> str:
    """ITF text: valid JSON, one state variable per line so that diffs of traces read well."""
    doc = to_json(ts, trace, prop, ctx)
    lines = ["{", '  "#meta": {']
    meta = doc["#meta"]
    lines += [f"    {_dump(k)}: {_dump(meta[k])}," for k in sorted(meta)]
    lines[-1] = lines[-1].rstrip(",")
    lines += ["  },", f'  "vars": {_dump(doc["vars"])},', '  "states": [']
    for i, st in enumerate(doc["states"]):
        lines.append("    {")
        items = [f'      "#meta": {_dump(st["#meta"])}']
        items += [f"      {_dump(n)}: {_dump(st[n])}" for n in doc["vars"]]
        lines.append(",\n".join(items))
        lines.append("    }" + ("," if i + 1 < len(doc["states"]) else ""))
    lines.append("  ]" + ("," if "loop" in doc else ""))
    if "loop" in doc:
        lines.append(f'  "loop": {doc["loop"]}')
    lines.append("}")
    return "\n".join(lines) + "\n"
