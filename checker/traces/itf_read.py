"""Reading ITF traces back (the inverse of checker/traces/itf.py), for `replay` and `trace`.

Two stages, so a trace can name its own spec:
  read_itf(text, path) -> ItfDocument   JSON syntax and the ITF shape, plus where each value is;
  to_trace(doc, ts) -> Trace            variables, values and actions against one instance.
Every problem is a located Diagnostic (codes SC5xx) raised as one SpecError, never a traceback:
  SC500 unreadable file         SC501 JSON syntax        SC502 ITF shape (vars/states/#meta)
  SC503 variables vs the spec   SC504 a value            SC505 an action label
  SC506 the loop index          SC507 the spec/params named by #meta
Only regular files are opened (a FIFO would block for ever), and the text of a file that is
not a JSON object is never quoted under an error (NOTE(untrusted-paths) in checker/run/specs.py).
JSON's own non-numbers (NaN, Infinity, which Python's json accepts) and integers longer than
MAX_DIGITS are errors too: no spec has such values, and Python refuses to convert the longest.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.traces.itf import field_name, groups, key_count, key_groups, key_text, record_fields
from checker.traces.trace import Trace
from model.diagnostics import Collector, Diagnostic, SpecError, did_you_mean
from model.ir import TransitionSystem
from model.seqs import empty_value, is_seq
from model.sorts import NONE_VALUE, BoolSort, EnumSort, IndexSort, IntSort, NoneSort, OptionSort, Sort
from model.source import SourceFile, Span

MAX_BYTES = 50_000_000
MAX_ERRORS = 20
MAX_DIGITS = 100          # of an integer (a #bigint string or a JSON number)
_BIGINT = re.compile(r"-?[0-9]+")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[^\s",:\[\]{}]+')   # a JSON string, or a bare literal

Json = Any
Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class ItfMeta:
    """What the top-level #meta says about where the trace came from (all optional)."""

    source: str | None
    variant: str | None
    params: tuple[tuple[str, str], ...]
    prop: str | None


@dataclass(frozen=True)
class ItfDocument:
    """A parsed ITF file: the JSON data, the source text and the offset of every value."""

    path: str
    text: str
    data: dict[str, Json]
    positions: dict[Path_, int]
    meta: ItfMeta

    def span(self, where: Path_) -> Span:
        """The span of the value at `where`, or of its nearest located ancestor."""
        while where not in self.positions and where:
            where = where[:-1]
        return _span_at(self.path, self.text, self.positions.get(where, 0))

    @property
    def source(self) -> SourceFile:
        return SourceFile(self.path, self.text)


def read_file(path: str | Path, display: str | None = None) -> ItfDocument:
    """Read and parse an ITF file; raises SpecError (SC500/SC501/SC502)."""
    shown = display or str(path)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):     # checked before opening: a FIFO blocks
            raise SpecError([Diagnostic("SC500", Span(shown, 1, 1, 1, 2),
                                        f"refused: {shown} is not a regular file", "an ITF trace file")])
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise SpecError([Diagnostic("SC500", None, f"cannot read {shown}: {e.strerror}")]) from None
    if len(data) > MAX_BYTES:
        raise SpecError([Diagnostic("SC500", Span(shown, 1, 1, 1, 2), f"trace file is larger than {MAX_BYTES} bytes")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise SpecError([Diagnostic("SC500", Span(shown, line, 1, line, 2), "the trace file is not valid UTF-8",
                                    "UTF-8 JSON text")]) from None
    return read_itf(text, shown)


def read_itf(text: str, path: str = "<trace>") -> ItfDocument:
    """Parse ITF text: JSON syntax, no duplicate keys, and the trace object's shape."""
    src = SourceFile(path, text)
    shown = [src] if text.lstrip().startswith("{") else []     # never quote what is not JSON
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant,
                          parse_int=_bounded_int)
        positions = _Positions(text).run()
    except json.JSONDecodeError as e:
        raise SpecError([Diagnostic("SC501", Span(path, e.lineno, e.colno, e.lineno, e.colno + 1),
                                    f"JSON syntax error: {e.msg}")], shown) from None
    except _Duplicate as e:
        raise SpecError([Diagnostic("SC501", _span_at(path, text, _find_key(text, e.key)),
                                    f"duplicate key '{e.key}' in a JSON object")], shown) from None
    except _BadLiteral as e:
        raise SpecError([Diagnostic("SC501", _span_at(path, text, _find_literal(text, e.literal)), e.message,
                                    e.expected)], shown) from None
    except RecursionError:
        raise SpecError([Diagnostic("SC501", Span(path, 1, 1, 1, 2), "JSON nested too deeply")], shown) from None
    out = Collector()
    _check_shape(data, path, text, positions, out)
    if out:
        raise SpecError(out.diagnostics[:MAX_ERRORS], [src])
    return ItfDocument(path, text, data, positions, _meta(data))


def to_trace(doc: ItfDocument, ts: TransitionSystem) -> Trace:
    """Map the trace onto `ts`: each variable to its slots, each #meta.action to an action index."""
    out = Collector()
    _check_vars(doc, ts, out)
    if out:
        raise SpecError(out.diagnostics[:MAX_ERRORS], [doc.source])
    labels: dict[str, int] = {}
    for i, a in enumerate(ts.actions):
        labels.setdefault(a.label.render(), i)
    states, actions = [], []
    for i, st in enumerate(doc.data["states"]):
        states.append(_state(doc, ts, i, st, out))
        if i > 0:
            actions.append(_action(doc, i, st, labels, out))
        if len(out.diagnostics) >= MAX_ERRORS:
            break
    loop = doc.data.get("loop")
    if loop is not None and not (isinstance(loop, int) and not isinstance(loop, bool) and 0 <= loop < len(states)):
        out.error("SC506", doc.span(("loop",)), f"loop index {loop!r} is not a state index",
                  f"an integer 0..{len(states) - 1}")
    if out:
        raise SpecError(out.diagnostics[:MAX_ERRORS], [doc.source])
    return Trace(tuple(states), tuple(actions), loop)


# ---- shape -------------------------------------------------------------------------------------

def _check_shape(data: Json, path: str, text: str, pos: dict[Path_, int], out: Collector) -> None:
    def at(where: Path_) -> Span:
        while where not in pos and where:
            where = where[:-1]
        return _span_at(path, text, pos.get(where, 0))

    if not isinstance(data, dict):
        out.error("SC502", at(()), "an ITF trace is a JSON object", '{"vars": [...], "states": [...]}')
        return
    for key in ("vars", "states"):
        if key not in data:
            out.error("SC502", at(()), f"the trace has no '{key}'", f'"{key}": [...]')
        elif not isinstance(data[key], list):
            out.error("SC502", at((key,)), f"'{key}' must be an array")
    if "#meta" in data and not isinstance(data["#meta"], dict):
        out.error("SC502", at(("#meta",)), "'#meta' must be an object")
    if out:
        return
    for i, v in enumerate(data["vars"]):
        if not isinstance(v, str):
            out.error("SC502", at(("vars", i)), "variable names must be strings")
    if not data["states"]:
        out.error("SC502", at(("states",)), "the trace has no states", "at least the initial state")
    for i, st in enumerate(data["states"]):
        if not isinstance(st, dict):
            out.error("SC502", at(("states", i)), f"state {i} must be an object")
        elif "#meta" in st and not isinstance(st["#meta"], dict):
            out.error("SC502", at(("states", i, "#meta")), f"'#meta' of state {i} must be an object")


def _meta(data: dict[str, Json]) -> ItfMeta:
    m = data.get("#meta") or {}
    params = m.get("params")
    pairs = tuple((str(k), _param_text(v)) for k, v in params.items()) if isinstance(params, dict) else ()
    return ItfMeta(_str_or_none(m.get("source")), _str_or_none(m.get("variant")), pairs,
                   _str_or_none(m.get("property")))


def _param_text(v: Json) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict) and "#bigint" in v:
        return str(v["#bigint"])
    return str(v)


def _str_or_none(v: Json) -> str | None:
    return v if isinstance(v, str) else None


# ---- variables and values ----------------------------------------------------------------------

def _check_vars(doc: ItfDocument, ts: TransitionSystem, out: Collector) -> None:
    want = [n for n, _ in groups(ts)]
    have = doc.data["vars"]
    for i, v in enumerate(have):
        if v not in want:
            out.error("SC503", doc.span(("vars", i)), f"the spec '{ts.name}' has no variable '{v}'",
                      ", ".join(want), did_you_mean(v, want))
    for v in want:
        if v not in have:
            out.error("SC503", doc.span(("vars",)), f"the trace lacks the spec's variable '{v}'")


def _state(doc: ItfDocument, ts: TransitionSystem, i: int, st: dict[str, Json], out: Collector) -> tuple[int, ...]:
    values = [0] * len(ts.vars)
    for name, slots in groups(ts):
        where = ("states", i, name)
        if name not in st:
            out.error("SC503", doc.span(("states", i)), f"state {i} has no value for '{name}'")
            continue
        _map(doc, ts, slots, st[name], where, values, out)
    for k in st:
        if k != "#meta" and k not in doc.data["vars"]:
            out.error("SC503", doc.span(("states", i, k)), f"state {i} has '{k}', which is not in 'vars'")
    return tuple(values)


def _map(doc: ItfDocument, ts: TransitionSystem, slots: list[int], x: Json, where: Path_,
         values: list[int], out: Collector, depth: int = 0) -> None:
    """Decode a variable's value into its slots: a value, a map, a map of maps for a nested one
    (NOTE(key-paths)), a record's object (NOTE(records))."""
    if depth == key_count(ts.vars[slots[0]]):
        if ts.vars[slots[0]].record and is_seq(tuple(field_name(ts.vars[s]) for s in slots)):
            _seq(doc, ts, slots, x, where, values, out)
        elif ts.vars[slots[0]].record:
            _record(doc, ts, slots, x, where, values, out)
        else:
            values[slots[0]] = _value(doc, ts.vars[slots[0]].sort, x, where, out)
        return
    keys = dict(key_groups(ts, slots, depth))
    if ts.vars[slots[0]].set_elem and depth == key_count(ts.vars[slots[0]]) - 1:
        _set(doc, keys, x, where, values, out)
        return
    pairs = x.get("#map") if isinstance(x, dict) and set(x) == {"#map"} else None
    if not isinstance(pairs, list):
        out.error("SC504", doc.span(where), f"'{where[-1]}' is a map in the spec", '{"#map": [[key, value], ...]}')
        return
    seen: set[str] = set()
    for j, pair in enumerate(pairs):
        pw = (*where, "#map", j)
        k = key_text(pair[0]) if isinstance(pair, list) and len(pair) == 2 else None
        if k is None or k not in keys:
            out.error("SC504", doc.span(pw), f"'{where[-1]}' has no key "
                      f"{json.dumps(pair[0] if isinstance(pair, list) and pair else pair)[:60]}",
                      "one of " + ", ".join(str(k) for k in keys))
            continue
        if k in seen:
            out.error("SC504", doc.span(pw), f"key {k} of '{where[-1]}' appears twice")
            continue
        seen.add(k)
        _map(doc, ts, keys[k], pair[1], (*pw, 1), values, out, depth + 1)
    missing = [k for k in keys if k not in seen]
    if missing:
        out.error("SC504", doc.span(where), f"'{where[-1]}' lacks key(s) {', '.join(str(k) for k in missing)}")


def _set(doc: ItfDocument, keys: dict[str, list[int]], x: Json, where: Path_, values: list[int],
         out: Collector) -> None:
    """A set: {"#set": [element, ...]}, each element once (NOTE(sets) in model/sets.py)."""
    elems = x.get("#set") if isinstance(x, dict) and set(x) == {"#set"} else None
    if not isinstance(elems, list):
        out.error("SC504", doc.span(where), f"'{where[-1]}' is a set in the spec", '{"#set": [element, ...]}')
        return
    seen: set[str] = set()
    for j, e in enumerate(elems):
        k = key_text(e)
        if k is None or k not in keys or k in seen:
            out.error("SC504", doc.span((*where, "#set", j)), f"'{where[-1]}' cannot hold "
                      f"{json.dumps(e)[:60]}" + (" twice" if k in seen else ""), "one of " + ", ".join(keys))
            continue
        seen.add(k)
    for k, slots in keys.items():
        values[slots[0]] = int(k in seen)


def _seq(doc: ItfDocument, ts: TransitionSystem, slots: list[int], x: Json, where: Path_,
         values: list[int], out: Collector) -> None:
    """A sequence: a JSON list of at most its capacity of elements; the slots past its length
    hold the empty value (NOTE(seqs) in model/seqs.py)."""
    cap = len(slots) - 1
    if not isinstance(x, list) or len(x) > cap:
        out.error("SC504", doc.span(where), f"'{where[-1]}' is a sequence of at most {cap} elements",
                  "[element, ...]")
        return
    values[slots[0]] = len(x)
    for j, s in enumerate(slots[1:]):
        sort = ts.vars[s].sort
        values[s] = _value(doc, sort, x[j], (*where, j), out) if j < len(x) else empty_value(sort)


def _record(doc: ItfDocument, ts: TransitionSystem, slots: list[int], x: Json, where: Path_,
            values: list[int], out: Collector) -> None:
    """A record: an object with exactly its fields (NOTE(records) in model/records.py)."""
    fields = record_fields(ts, slots)
    if not isinstance(x, dict) or sorted(x) != sorted(fields):
        out.error("SC504", doc.span(where), f"'{where[-1]}' is a record with fields {', '.join(fields)}",
                  "{" + ", ".join(f'"{f}": ...' for f in fields) + "}")
        return
    for f, sub in fields.items():
        if len(sub) == 1:
            values[sub[0]] = _value(doc, ts.vars[sub[0]].sort, x[f], (*where, f), out)
        else:   # a sequence field (NOTE(seqs) in model/seqs.py)
            _seq(doc, ts, sub, x[f], (*where, f), values, out)


def _value(doc: ItfDocument, sort: Sort, x: Json, where: Path_, out: Collector) -> int:
    """Decode one ITF expression of `sort` (NOTE(value-encoding) in model/sorts.py)."""
    big = x.get("#bigint") if isinstance(x, dict) else None
    if isinstance(big, str) and len(big.lstrip("-")) > MAX_DIGITS:
        out.error("SC504", doc.span(where), f"an integer of {len(big.lstrip('-')):,} digits is not a value of "
                  f"type {sort}", f"at most {MAX_DIGITS} digits")
        return 0
    got = _decode(sort, x)
    if got is None:
        out.error("SC504", doc.span(where), f"{json.dumps(x)[:60]} is not a value of type {sort}", _expected(sort))
        return 0
    return got


def _decode(sort: Sort, x: Json) -> int | None:
    if isinstance(sort, BoolSort):
        return x if isinstance(x, bool) else None
    if isinstance(sort, (IntSort, IndexSort)):
        if not (isinstance(x, dict) and set(x) == {"#bigint"} and isinstance(x["#bigint"], str)
                and _BIGINT.fullmatch(x["#bigint"])):
            return None
        v = int(x["#bigint"])
        # out-of-range ints are legal in a trace: they are how a `range` violation ends
        return v if isinstance(sort, IntSort) or 0 <= v < sort.size else None
    if isinstance(sort, EnumSort):
        return sort.members.index(x) if isinstance(x, str) and x in sort.members else None
    if isinstance(sort, OptionSort):
        return NONE_VALUE if x == "none" else _decode(sort.inner, x)
    assert isinstance(sort, NoneSort)
    return NONE_VALUE if x == "none" else None


def _expected(sort: Sort) -> str:
    if isinstance(sort, BoolSort):
        return "true or false"
    if isinstance(sort, IntSort):
        return '{"#bigint": "<integer>"}'
    if isinstance(sort, IndexSort):
        return f'{{"#bigint": "<0..{sort.size - 1}>"}}'
    if isinstance(sort, EnumSort):
        return "one of " + ", ".join(f'"{m}"' for m in sort.members)
    if isinstance(sort, OptionSort):
        return '"none" or ' + _expected(sort.inner)
    return '"none"'


def _action(doc: ItfDocument, i: int, st: dict[str, Json], labels: dict[str, int], out: Collector) -> int:
    meta = st.get("#meta") or {}
    label = meta.get("action")
    where = ("states", i, "#meta", "action") if "action" in meta else ("states", i)
    if not isinstance(label, str):
        out.error("SC505", doc.span(where), f"state {i} does not say which action produced it",
                  '"#meta": {"action": "<machine[i].transition(args)>"}')
        return -1
    if label not in labels:
        out.error("SC505", doc.span(where), f"state {i}: the spec has no action '{label}'",
                  "an action label as seamcheck prints it", did_you_mean(label, labels))
        return -1
    return labels[label]


# ---- positions -----------------------------------------------------------------------------------

class _Duplicate(Exception):
    def __init__(self, key: str):
        self.key = key


class _BadLiteral(Exception):
    def __init__(self, literal: str, message: str, expected: str):
        self.literal, self.message, self.expected = literal, message, expected


def _no_constant(name: str) -> Json:
    raise _BadLiteral(name, f"{name} is not a JSON value", "a finite number (ITF integers are {\"#bigint\": ...})")


def _bounded_int(literal: str) -> int:
    digits = len(literal.lstrip("-"))
    if digits > MAX_DIGITS:
        raise _BadLiteral(literal, f"an integer of {digits:,} digits is too long", f"at most {MAX_DIGITS} digits")
    return int(literal)


def _find_literal(text: str, literal: str) -> int:
    """The offset of the first bare `literal` (outside strings): json.loads stopped there."""
    for m in _TOKEN.finditer(text):
        if m.group() == literal:
            return m.start()
    return 0


def _no_duplicates(pairs: list[tuple[str, Json]]) -> dict[str, Json]:
    d: dict[str, Json] = {}
    for k, v in pairs:
        if k in d:
            raise _Duplicate(k)
        d[k] = v
    return d


def _find_key(text: str, key: str) -> int:
    needle = json.dumps(key)
    first = text.find(needle)
    second = text.find(needle, first + 1) if first >= 0 else -1
    return max(second, first, 0)


def _span_at(path: str, text: str, offset: int) -> Span:
    starts = _line_starts(text)
    line = bisect.bisect_right(starts, offset)
    col = offset - starts[line - 1] + 1
    return Span(path, line, col, line, col + 1)


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


class _Positions:
    """Offsets of every value by JSON path, for text json.loads has already accepted."""

    def __init__(self, text: str):
        self.s = text
        self.pos: dict[Path_, int] = {}

    def run(self) -> dict[Path_, int]:
        self._value(0, ())
        return self.pos

    def _ws(self, i: int) -> int:
        m = _WS.match(self.s, i)
        return m.end() if m else i

    def _value(self, i: int, path: Path_) -> int:
        i = self._ws(i)
        self.pos[path] = i
        c = self.s[i]
        if c == "{":
            return self._object(i + 1, path)
        if c == "[":
            return self._array(i + 1, path)
        if c == '"':
            return json.decoder.scanstring(self.s, i + 1)[1]  # type: ignore[attr-defined,no-any-return]
        for lit in ("true", "false", "null"):
            if self.s.startswith(lit, i):
                return i + len(lit)
        m = _NUMBER.match(self.s, i)
        assert m is not None, "json.loads accepted the text"
        return m.end()

    def _object(self, i: int, path: Path_) -> int:
        i = self._ws(i)
        if self.s[i] == "}":
            return i + 1
        while True:
            i = self._ws(i)
            key, i = json.decoder.scanstring(self.s, i + 1)  # type: ignore[attr-defined]
            i = self._ws(i) + 1  # the colon
            i = self._ws(self._value(i, (*path, key)))
            if self.s[i] == "}":
                return i + 1
            i += 1  # the comma

    def _array(self, i: int, path: Path_) -> int:
        i = self._ws(i)
        if self.s[i] == "]":
            return i + 1
        n = 0
        while True:
            i = self._ws(self._value(i, (*path, n)))
            n += 1
            if self.s[i] == "]":
                return i + 1
            i += 1
