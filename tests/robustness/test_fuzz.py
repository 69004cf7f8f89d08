"""Fuzzing the untrusted-input readers: never a traceback, always a result or a located SpecError.

Targets: the spec loader (YAML-ish text, and shipped specs with one field mutated), the expression
/ type / target parsers, `-p NAME=VALUE` overrides and `--variant`, and the ITF trace reader.
Specs that load are also explored by the explicit engine on a small budget.

Each target runs twice: a fixed, derandomized budget in the normal suite, and a large random one
under `pytest -m fuzz` (SEAMCHECK_FUZZ_EXAMPLES overrides its size). Inputs tried are counted in
tests/robustness/.fuzz-stats/ (see conftest.py).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from harness import check_error, outcome
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.core.budget import Budget
from checker.core.verdict import Violated
from checker.explicit.search import explore
from checker.export import render
from checker.traces import itf_read as itf
from checker.traces.context import ExportContext, export_context
from model.diagnostics import SpecError
from model.expr_parser import ExprSyntaxError, parse_expr, parse_target, parse_type
from model.load import instantiate, load_text, parse_spec, read_source
from model.source import SourceFile, Span
from model.yaml_nodes import YScalar

ROOT = Path(__file__).resolve().parents[2]
SPECS = ["specs/examples/counter.yaml", "specs/examples/peterson.yaml", "specs/examples/dining.yaml",
         "specs/examples/retry.yaml", "tests/specs/ops.yaml", "tests/specs/symmetric_lock.yaml"]
LARGE = int(os.environ.get("SEAMCHECK_FUZZ_EXAMPLES", "4000"))
COMMON: dict[str, Any] = {"deadline": None, "database": None,
                          "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much,
                                                    HealthCheck.data_too_large]}


def twice(normal: int, strategy: Any) -> Callable[[Callable[..., None]], tuple[Any, Any]]:
    """(normal test, large fuzz test) for one target body."""
    def make(body: Callable[..., None]) -> tuple[Any, Any]:
        small = settings(max_examples=normal, derandomize=True, **COMMON)(given(strategy)(body))
        large = pytest.mark.fuzz(settings(max_examples=LARGE, **COMMON)(given(strategy)(body)))
        return small, large
    return make


def explore_small(ts_list: Any) -> None:
    """A spec that loads must also survive a short explicit search."""
    for ts in ts_list[:2]:
        explore(ts, None, Budget(max_states=300, max_depth=6, timeout_s=5))


# ---- 1. YAML-ish text ---------------------------------------------------------------------------

FRAGMENTS = [
    "spec: s\n", "spec:", "vars:\n", "types:\n", "params:\n", "machines:\n", "properties:\n",
    "operations:\n", "defs:\n", "variants:\n", "lemmas:\n", "  ", "    ", "\n", "\t", " ", "x", "m",
    "x: ", "{type: bool, init: false}", '{type: "0..3", init: 0}', "{index: 2}", "[A, B]",
    "states: [a, b]", "init: a", "terminal: [b]", "transitions:", "go: {from: a, to: b}",
    "p: {invariant: \"x\"}", "step:", "on: [m.go]", "expect: holds", "call: \"op(self)\"",
    "{", "}", "[", "]", ":", ": ", "- ", ",", "?", "|", ">", "'", '"', "#", "---", "...", "&a ", "*a",
    "!!python/object:os.system", "!tag ", "<<: ", "%YAML 1.1\n", "ON", "no", "~", "null", "0x1F",
    "1e9", "99999999999999999999", "-1", "é", "\u2028", "\ufeff", "\\", "\x85", "\x00",
    '"\\ud800"', '"\\udfff\\ud800"', "9223372036854775808", "-9223372036854775809", "9" * 5000,
    '{type: "0..1000000000", init: 0}', '{type: "0..9223372036854775807", init: 0}', "self: bool",
    "none: bool", "A: bool", "types: {E: [A, B]}\n", "x: {type: E, init: A}",
]
yamlish = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=40).map("".join)


def _yaml_text(text: str) -> None:
    src = SourceFile("<fuzz>", text)
    got = outcome("yaml_text", lambda: parse_spec(src))
    if not isinstance(got, SpecError):
        loaded = outcome("yaml_text_instantiate", lambda: instantiate(got))
        if not isinstance(loaded, SpecError):
            explore_small(loaded)


test_yaml_text, test_yaml_text_large = twice(300, yamlish)(_yaml_text)


# ---- 2. shipped specs with one field mutated ---------------------------------------------------

@cache
def spec_data(path: str) -> Any:
    return yaml.safe_load((ROOT / path).read_text())


EXPRS = ["x", "true", "0", "-1", "none", "self", "pc", "result", "post(x)", "x.__class__", "open(x)",
         "9223372036854775807", "9223372036854775808", "-9223372036854775808", "9" * 5000, "0..1000000000",
         "0..1000000000000000000000000000000", "x * 9223372036854775807", "all(x for x in bool)",
         "all(v for v in VCPU)", "count(true for v in bool) == 2", "1 // 0", "min(1)", "m[0]", "{A}",
         "a..b", "VCPU -> bool", "0..99999999", "LP?", "bool -> bool", "not not", "(", "ok", "__import__('os')"]
values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 10) | st.integers(), st.sampled_from(EXPRS),
              st.text(max_size=8)),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.sampled_from(
        ["type", "init", "from", "to", "states", "index", "default", "expr", "params", "x", "ON"]), kids, max_size=3),
    max_leaves=6)


def paths(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [here]
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths(v, (*here, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += paths(v, (*here, i))
    return out


def names_in(node: Any) -> set[str]:
    """Every identifier-like key or string in a parsed spec."""
    if isinstance(node, dict):
        return set().union(*(names_in(k) | names_in(v) for k, v in node.items())) if node else set()
    if isinstance(node, list):
        return set().union(*(names_in(v) for v in node)) if node else set()
    return {node} if isinstance(node, str) and node.isidentifier() else set()


def _mutate(data: st.DataObject) -> None:
    import copy
    path = data.draw(st.sampled_from(SPECS), label="spec")
    doc = copy.deepcopy(spec_data(path))
    where = data.draw(st.sampled_from(paths(doc)[1:]), label="path")
    parent = doc
    for k in where[:-1]:
        parent = parent[k]
    how = data.draw(st.sampled_from(["replace", "delete", "wrap", "extra_key", "rename"]), label="how")
    key = where[-1]
    if how == "replace":
        parent[key] = data.draw(values, label="value")
    elif how == "delete":
        del parent[key]
    elif how == "wrap":
        parent[key] = [parent[key]]
    elif how == "extra_key" and isinstance(parent[key], dict):
        parent[key][data.draw(st.sampled_from(["bogus", "init", "to", "fair", "ON", "1x"]))] = data.draw(values)
    elif how == "rename" and isinstance(parent, dict):
        # names already in the spec (a clash with an enum member, state, variable, param ...) and reserved words
        taken = sorted(names_in(doc)) or ["y"]
        new = data.draw(st.sampled_from(["y", "ON", "spec", "1x", "a b", "deadlock", "self", "none", "result",
                                         "min", "default"]) | st.sampled_from(taken))
        parent[new] = parent.pop(key)
    text = yaml.safe_dump(doc, sort_keys=False)
    overrides = data.draw(st.lists(st.sampled_from(["N=2", "V=1", "P=2", "N=9", "MAX=2", "X=1"]), max_size=1))
    got = outcome("mutated_spec", lambda: load_text(text, "<fuzz>", tuple(overrides)), located=not overrides)
    if not isinstance(got, SpecError):
        explore_small(got)


test_mutated_spec, test_mutated_spec_large = twice(120, st.data())(_mutate)


# ---- 3. expressions, types and targets ---------------------------------------------------------

TOKENS = ["x", "y", "m", "I", "C", "RED", "GREEN", "C.RED", "self", "pc", "result", "none", "true", "false",
          "all", "any", "count", "min", "max", "post", "sum", "open", "eval", "__class__", "__globals__",
          "w", "w.pc", "w[0].pc", "v", "0", "1", "2", "-", "99999999999999999999", "+", "*", "//", "%",
          "9223372036854775807", "9223372036854775808", "9" * 4400, "i", "a", "b", "BUSY",
          "==", "!=", "<", "<=", ">", ">=", "and", "or", "not", "=>", "if", "else", "for", "in", "(", ")",
          "[", "]", "{", "}", ",", ".", "..", "->", "?", "=", ":", "'s'", '"', "lambda", "\n", "\t", "é"]
exprs = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=14).map(" ".join) | st.text(max_size=20)

CONTEXT = """spec: e
params: {N: {default: 2, min: 1, max: 3}}
types: {I: {index: N}, C: [RED, GREEN]}
vars:
  x: {type: bool, init: false}
  y: {type: "0..3", init: 0}
  m: {type: "I -> C?", init: none}
operations:
  op: {params: {i: I}, checks: [{require: "m[i] == none", else: BUSY}], effect: {"m[i]": RED}}
machines:
  w:
    instances: I
    states: [a, b]
    init: a
    transitions:
      t: {from: a, to: b, call: "op(self)", guard: %s, effect: {y: %s}}
properties:
  inv: {invariant: %s}
  st: {step: %s, on: [w.t]}
"""


def _expr(data: st.DataObject) -> None:
    text = data.draw(exprs, label="expr")
    style = data.draw(st.sampled_from([None, '"', "'"]), label="style")
    scalar = YScalar(text, style, "tag:yaml.org,2002:str", Span("<fuzz>", 3, 5, 3, 5 + len(text)))
    for fn, name in ((parse_expr, "expr_parse"), (parse_type, "type_parse"), (parse_target, "target_parse")):
        def call(fn: Callable[[YScalar], object] = fn) -> object:
            try:
                return fn(scalar)
            except ExprSyntaxError as e:
                raise SpecError([e.diag]) from None
        outcome(name, call)
    where = data.draw(st.integers(0, 3), label="where")
    slots = ['"true"', '"y"', '"true"', '"true"']
    slots[where] = json.dumps(text)
    got = outcome("expr_in_spec", lambda: load_text(CONTEXT % tuple(slots), "<fuzz>"))
    if not isinstance(got, SpecError):
        explore_small(got)


test_expressions, test_expressions_large = twice(200, st.data())(_expr)


# ---- 4. -p overrides and --variant -------------------------------------------------------------

override = st.one_of(
    st.text(max_size=12),
    st.tuples(st.sampled_from(["N", "design", "flag", "n", "", " N", "N "]), st.sampled_from(["=", "", "=="]),
              st.one_of(st.text(max_size=6), st.integers().map(str), st.sampled_from(
                  ["true", "FALSE", "a", "b", "1_0", "٣", "0x3", "", "9" * 5000, "-0", "+2"]))).map("".join))
VARIANTS = """spec: v
params:
  N: {default: 2, min: 1, max: 3}
  design: {default: a, values: [a, b]}
  flag: {default: false}
variants:
  va: {design: a}
  vb: {design: b, N: 3}
types: {I: {index: N}}
vars: {x: {type: I, init: 0}}
"""


def _overrides(data: st.DataObject) -> None:
    ovs = tuple(data.draw(st.lists(override, max_size=3), label="-p"))
    variant = data.draw(st.none() | st.sampled_from(["va", "vb", "vc", "", "VA"]), label="--variant")
    outcome("param_overrides", lambda: load_text(VARIANTS, "<fuzz>", ovs, variant), located=False)


test_overrides, test_overrides_large = twice(300, st.data())(_overrides)


# ---- 5. ITF traces -------------------------------------------------------------------------------

@cache
def ops_trace() -> tuple[Any, str]:
    spec = parse_spec(read_source(ROOT / "tests/specs/ops.yaml", "tests/specs/ops.yaml"))
    (ts,) = instantiate(spec)
    prop = "flushdone_never_fails"
    v = explore(ts, [prop]).verdict(prop)
    assert isinstance(v, Violated)
    ctx = export_context(spec, ts)
    return ts, render("itf", ts, v.trace, prop, ExportContext("0.0.0-fuzz", ctx.docs, ctx.defaults))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6) | st.sampled_from(
        ["none", "SUCCESS", {"#bigint": "1"}, {"#bigint": "x"}, {"#map": []}, {"#map": [[1]]}]),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.sampled_from(
        ["#meta", "action", "#bigint", "#map", "vars", "states", "loop", "life", "assoc"]), kids, max_size=3),
    max_leaves=6)


def _itf(data: st.DataObject) -> None:
    ts, good = ops_trace()
    how = data.draw(st.sampled_from(["json_field", "text_edit", "random_json"]), label="how")
    if how == "json_field":
        doc = json.loads(good)
        where = data.draw(st.sampled_from(paths(doc)[1:]), label="path")
        parent = doc
        for k in where[:-1]:
            parent = parent[k]
        if data.draw(st.booleans(), label="delete"):
            del parent[where[-1]]
        else:
            parent[where[-1]] = data.draw(json_values, label="value")
        text = json.dumps(doc, indent=data.draw(st.sampled_from([None, 1])))
    elif how == "text_edit":
        at = data.draw(st.integers(0, len(good)), label="at")
        cut = data.draw(st.integers(0, 8), label="cut")
        text = good[:at] + data.draw(st.text(max_size=3), label="insert") + good[at + cut:]
    else:
        text = json.dumps(data.draw(json_values, label="doc"))

    def read() -> object:
        return itf.to_trace(itf.read_itf(text, "<fuzz>"), ts)
    outcome("itf_trace", read)


test_itf_reader, test_itf_reader_large = twice(300, st.data())(_itf)


# ---- 6. name clashes (NOTE(shadowing)) and integers at the int64 bounds (NOTE(int64)) ----------

POOL = ["a", "b", "c", "k", "self", "none"]
ROLES = ("param", "member1", "member2", "state1", "state2", "var", "field", "tparam", "oparam", "dparam", "qvar")
CLASH_SPEC = """spec: clash
params: {{{param}: {{default: 1}}}}
types: {{I: {{index: 2}}, E: [{member1}, {member2}]}}
vars: {{{var}: {{type: E, init: {member1}}}}}
defs: {{d: {{params: {{{dparam}: I}}, expr: "{dparam} == 0"}}}}
operations: {{op: {{params: {{{oparam}: I}}, checks: [{{require: "d({oparam})", else: BUSY}}]}}}}
machines:
  mach:
    instances: I
    states: [{state1}, {state2}]
    init: {state1}
    vars: {{{field}: {{type: bool, init: false}}}}
    transitions:
      t: {{params: {{{tparam}: I}}, guard: "all(d({qvar}) for {qvar} in I)", call: "op({tparam})"}}
"""


def expected_clash(n: dict[str, str]) -> set[str]:
    """The codes NOTE(shadowing) demands for these names, worked out independently of model/names.py.
    Declarations are checked first; a quantifier only when they are clean (lowering stops there)."""
    reserved = {"self", "none"}
    members = {n["member1"], n["member2"], n["state1"], n["state2"], "BUSY", "SUCCESS"} - reserved
    spec_level = {n["param"], n["var"], "d"} - reserved
    field = {n["field"]} - reserved
    codes = {"SC207"} if reserved & {n[r] for r in ROLES if r != "qvar"} else set()
    if spec_level & members or field & (spec_level | members):
        codes.add("SC205")
    if ({n["tparam"], n["dparam"]} & (spec_level | members | field) or n["oparam"] in spec_level | members):
        codes.add("SC206")
    if codes:
        return codes
    if n["qvar"] in reserved:
        return {"SC207"}
    return {"SC206"} if n["qvar"] in spec_level | members | field | {n["tparam"]} else set()


@st.composite
def clash_names(draw: st.DrawFn) -> dict[str, str]:
    n = {r: draw(st.sampled_from(POOL), label=r) for r in ROLES}
    # keep the spec free of other errors: distinct members, states, and param/variable (SC204)
    assume = (n["member1"] != n["member2"] and n["state1"] != n["state2"] and n["param"] != n["var"])
    return n if assume else draw(clash_names())


def _clash(n: dict[str, str]) -> None:
    want = expected_clash(n)
    got = outcome("name_clash", lambda: load_text(CLASH_SPEC.format(**n), "<fuzz>"))
    codes = {d.code for d in got.diagnostics} if isinstance(got, SpecError) else set()
    assert codes == want, (n, codes, str(got))


test_name_clashes, test_name_clashes_large = twice(200, clash_names())(_clash)

BOUND = 2**63
near_bounds = st.sampled_from([-BOUND - 1, -BOUND, -BOUND + 1, -1, 0, BOUND - 2, BOUND - 1, BOUND, 10**30]) | \
    st.integers(-(2**70), 2**70)


def _int64(data: st.DataObject) -> None:
    v = data.draw(near_bounds, label="value")
    where = data.draw(st.sampled_from(["literal", "range", "init", "param"]), label="where")
    ok = -BOUND <= v < BOUND
    text = {
        "literal": f'vars:\n  x: {{type: "0..3", init: 0}}\nproperties:\n  p: {{invariant: "x != {v}"}}\n',
        "range": f'vars:\n  x: {{type: "{min(v, 0)}..{max(v, 0)}", init: 0}}\n',
        "init": f'vars:\n  x: {{type: "{min(v, 0)}..{max(v, 0)}", init: {v}}}\n',
        "param": f"params:\n  N: {{default: {v}}}\n",
    }[where]
    got = outcome("int64", lambda: load_text("spec: n\n" + text, "<fuzz>"))
    codes = {d.code for d in got.diagnostics} if isinstance(got, SpecError) else set()
    assert codes == (set() if ok else {"SC317"}), (v, where, str(got))


test_int64_bounds, test_int64_bounds_large = twice(150, st.data())(_int64)


def test_harness_rejects_unlocated_errors() -> None:
    """The check the fuzz targets rely on does fail on an unlocated diagnostic."""
    from model.diagnostics import Diagnostic
    with pytest.raises(AssertionError, match="unlocated"):
        check_error(SpecError([Diagnostic("SC100", None, "x")]), "<fuzz>")
