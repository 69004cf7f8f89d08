"""Records (NOTE(records) in model/records.py) on tests/specs/records.yaml: exact state counts
against an enumeration written directly in Python, every engine's verdicts and depths, the
names traces show, and ITF's record objects read back."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Proved, Violated
from checker.explicit.search import explore
from checker.export import render
from checker.smt import bmc, pdr
from checker.traces import itf_read
from checker.traces.context import ExportContext
from checker.traces.replay import validate
from model.load import load_spec
from tests.oracle import bfs_count

SPEC = Path(__file__).resolve().parent / "specs" / "records.yaml"

Msg = tuple[int, int, bool]                       # (src, hops, ok)
State = tuple[Msg, tuple[Msg, ...], tuple[Msg, ...]]   # last, box[k], node[k].mine


def _set(t: tuple, i: int, v: object) -> tuple:  # type: ignore[type-arg]
    return (*t[:i], v, *t[i + 1:])


def _oracle(n: int):  # type: ignore[no-untyped-def]
    """The spec written out by hand."""
    init: State = ((0, 0, False), tuple((k, 0, k == 0) for k in range(n)), ((0, 0, False),) * n)

    def succ(s: State):  # type: ignore[no-untyped-def]
        last, box, mine = s
        for me, to in itertools.product(range(n), range(n)):
            if not box[to][2] and to != me:                                          # send
                yield box[me], _set(box, to, (me, min(box[me][1] + 1, 3), True)), mine
        for me in range(n):
            if box[me][2]:                                                           # clear
                src, hops, _ = box[me]
                yield last, _set(box, me, (src, hops, False)), _set(mine, me, (mine[me][0], hops, mine[me][2]))
            if box[me][2] and mine[me] != box[me]:                                   # keep
                yield last, box, _set(mine, me, box[me])
    return init, succ


def one(n: int):  # type: ignore[no-untyped-def]
    (ts,) = load_spec(SPEC, (f"N={n}",), None)
    return ts


@pytest.mark.parametrize("n", [2, pytest.param(3, marks=pytest.mark.slow)])
@pytest.mark.parametrize("backend", ["vector", "state"])
def test_counts_match_a_hand_enumeration(n: int, backend: str) -> None:
    init, succ = _oracle(n)
    r = explore(one(n), backend=backend)
    assert (r.states, r.transitions) == bfs_count(init, succ)
    assert isinstance(r.verdict("src_is_other"), Proved)


def test_exact_counts_depths_and_engines() -> None:
    ts = one(2)
    r = explore(ts)
    assert (r.states, r.transitions) == (450, 1282)
    v = r.verdict("last_never")
    # node 0 clears its box, node 1 sends to it, node 0 sends on: last is then box[0] = {1, 1, true}
    assert isinstance(v, Violated) and v.trace.depth == 3
    budget = Budget(max_depth=6, rlimit=20_000_000, seed=0)
    b = bmc.check(ts, "last_never", budget)
    assert isinstance(b, Violated) and b.trace.depth == 3
    validate(ts, b.trace, "last_never")
    assert isinstance(bmc.check(ts, "src_is_other", budget), HoldsUpTo)
    assert isinstance(pdr.check(ts, "src_is_other", budget), Proved)


def test_fields_are_variables_named_as_written() -> None:
    ts = one(2)
    names = [v.name for v in ts.vars]
    assert names[:3] == ["last.src", "last.hops", "last.ok"]
    assert names[3:9] == ["box[0].src", "box[1].src", "box[0].hops", "box[1].hops", "box[0].ok", "box[1].ok"]
    assert "node[1].mine.hops" in names
    # key-dependent initial value of a record map: box[k] = {src: k, hops: 0, ok: k == 0}
    assert [ts.init_values[ts.slot(f"box[{k}].{f}")] for k in (0, 1) for f in ("src", "ok")] == [
        (0,), (True,), (1,), (False,)]


def test_itf_writes_records_as_objects_and_reads_them_back() -> None:
    ts = one(2)
    v = explore(ts).verdict("last_never")
    assert isinstance(v, Violated)
    text = render("itf", ts, v.trace, "last_never", ExportContext())
    data = json.loads(text)
    assert data["vars"] == ["last", "box", "node.pc", "node.mine"]
    one_ = {"#bigint": "1"}
    assert data["states"][-1]["last"] == {"src": one_, "hops": one_, "ok": True}
    assert data["states"][0]["box"]["#map"][1] == [one_, {"src": one_, "hops": {"#bigint": "0"}, "ok": False}]
    back = itf_read.to_trace(itf_read.read_itf(text, "t.itf.json"), ts)
    assert back.states == v.trace.states and back.actions == v.trace.actions
    bad = json.loads(text)
    del bad["states"][0]["last"]["ok"]
    with pytest.raises(itf_read.SpecError) as e:
        itf_read.to_trace(itf_read.read_itf(json.dumps(bad, indent=1), "t.itf.json"), ts)
    assert e.value.diagnostics[0].message == "'last' is a record with fields src, hops, ok"


@pytest.mark.parametrize("spec", ["records.yaml", "alloc_nested.yaml", "two_phase_sets.yaml"])
def test_json_results_with_records_and_nested_maps_follow_the_schema(spec: str, tmp_path: Path) -> None:
    from click.testing import CliRunner
    from jsonschema import Draft202012Validator

    from checker.export.result_json import schema_path
    from cli import main
    out = CliRunner().invoke(main, ["check", str(SPEC.parent / spec), "--json", "--traces",
                                    "--trace-out", str(tmp_path / "t.itf.json")])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    Draft202012Validator(json.loads(Path(schema_path()).read_text())).validate(doc)
    first = next(r["trace"] for r in doc["results"] if r["trace"])["states"][0]
    if spec == "records.yaml":
        assert first["last"] == {"src": 0, "hops": 0, "ok": False}
    elif spec == "two_phase_sets.yaml":   # NOTE(sets) in model/sets.py
        assert first["votes"] == {"#set": []}
    else:
        assert first["grant"]["#map"][0] == [0, {"#map": [[0, False], [1, False]]}]
