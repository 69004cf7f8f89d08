"""Bounded sequences (NOTE(seqs) in model/seqs.py): exact state and transition counts against a
hand enumeration with Python tuples on both explicit backends, with and without the symmetry
reduction; the reads outside a sequence (append to a full one, head/tail of an empty one, an
index past the end) as `range` violations with exact traces that replay, found alike by the
explicit engine and BMC; the lowering to a length and one slot per position; text and ITF."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from checker.core.budget import Budget
from checker.core.verdict import HoldsUpTo, Proved, Violated
from checker.explicit.search import explore
from checker.export import render
from checker.export.text import render_trace
from checker.smt import bmc, kind, pdr
from checker.traces import itf_read
from checker.traces.context import ExportContext
from checker.traces.replay import validate
from model.load import load_spec
from tests.oracle import bfs_count

ROOT = Path(__file__).resolve().parents[1]
QUEUE = ROOT / "specs" / "examples" / "queue.yaml"
OPS = Path(__file__).resolve().parent / "specs" / "seq_ops.yaml"
IDLE, SENT = range(2)
Queue = tuple[tuple[int, ...], frozenset[int], tuple[int, ...]]   # q, done, producer[p].pc


def _queue(n: int, cap: int):  # type: ignore[no-untyped-def]
    """specs/examples/queue.yaml written out by hand, the queue as a Python tuple."""
    init: Queue = ((), frozenset(), (IDLE,) * n)

    def succ(s: Queue):  # type: ignore[no-untyped-def]
        q, done, pcs = s
        for p, pc in enumerate(pcs):
            def to(new: int, p: int = p) -> tuple[int, ...]:
                return (*pcs[:p], new, *pcs[p + 1:])
            if pc == IDLE and len(q) < cap:
                yield (*q, p), done, to(SENT)                       # send
            if pc == SENT and p in done:
                yield q, done - {p}, to(IDLE)                       # ack
        if q:
            yield q[1:], done | {q[0]}, pcs                         # take
    return init, succ


def _orbits(n: int, cap: int) -> int:
    init, succ = _queue(n, cap)
    seen, todo = {init}, [init]
    while todo:
        for t in succ(todo.pop()):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    ps = list(itertools.permutations(range(n)))
    return len({min((tuple(p[x] for x in q), tuple(sorted(p[x] for x in d)), tuple(pcs[p.index(i)] for i in range(n)))
                    for p in ps) for q, d, pcs in seen})


def queue(n: int, cap: int):  # type: ignore[no-untyped-def]
    (ts,) = load_spec(QUEUE, (f"N={n}", f"Q={cap}"), None)
    return ts


@pytest.mark.parametrize(("n", "cap"), [(2, 2), (3, 2), (2, 3)])
@pytest.mark.parametrize("backend", ["vector", "state"])
def test_queue_counts_match_a_hand_enumeration(n: int, cap: int, backend: str) -> None:
    init, succ = _queue(n, cap)
    r = explore(queue(n, cap), symmetry=False, backend=backend)
    assert (r.states, r.transitions) == bfs_count(init, succ)
    assert [type(r.verdict(p)) for p in ("queued_are_waiting", "count_matches", "range")] == [Proved] * 3


@pytest.mark.parametrize("backend", ["vector", "state"])
def test_symmetry_permutes_the_elements_of_a_sequence(backend: str) -> None:
    r = explore(queue(3, 2), backend=backend)
    assert r.states == _orbits(3, 2) == 9
    assert isinstance(r.verdict("count_matches"), Proved)


def test_queue_exact_counts_traces_and_engines() -> None:
    ts = queue(2, 2)
    r = explore(ts, symmetry=False)
    assert (r.states, r.transitions) == (10, 18)
    v = r.verdict("never_full")
    assert isinstance(v, Violated) and v.trace.depth == 2
    assert render_trace(ts, v.trace).splitlines()[1] == "  q = []"
    assert "  q = [0, 1]" in render_trace(ts, v.trace)
    budget = Budget(max_depth=6, rlimit=20_000_000, seed=0)
    b = bmc.check(ts, "never_full", budget)
    assert isinstance(b, Violated) and b.trace.depth == 2
    validate(ts, b.trace, "never_full")
    for prop in ("queued_are_waiting", "count_matches", "range"):
        assert isinstance(bmc.check(ts, prop, budget), HoldsUpTo)
        assert isinstance(pdr.check(ts, prop, budget), Proved), prop
    assert isinstance(kind.check(ts, "count_matches", budget), Proved)


def test_a_sequence_is_a_length_and_one_slot_per_position() -> None:
    ts = queue(2, 3)
    assert [v.name for v in ts.vars if v.record == "q"] == ["q.len", "q.0", "q.1", "q.2"]
    assert [str(v.sort) for v in ts.vars if v.record == "q"] == ["0..3", "Prod?", "Prod?", "Prod?"]
    assert [ts.init_values[ts.slot(f"q.{f}")] for f in ("len", "0", "1", "2")] == [(0,), (-1,), (-1,), (-1,)]


def test_itf_writes_a_sequence_as_a_list_and_reads_it_back() -> None:
    ts = queue(2, 2)
    v = explore(ts, symmetry=False).verdict("never_full")
    assert isinstance(v, Violated)
    text = render("itf", ts, v.trace, "never_full", ExportContext())
    states = json.loads(text)["states"]
    assert [s["q"] for s in states] == [[], [{"#bigint": "0"}], [{"#bigint": "0"}, {"#bigint": "1"}]]
    back = itf_read.to_trace(itf_read.read_itf(text, "t.itf.json"), ts)
    assert back.states == v.trace.states and back.actions == v.trace.actions
    for bad_seq in ({"#set": []}, [{"#bigint": "0"}] * 3):
        bad = json.loads(text)
        bad["states"][1]["q"] = bad_seq
        with pytest.raises(itf_read.SpecError) as e:
            itf_read.to_trace(itf_read.read_itf(json.dumps(bad, indent=1), "t.itf.json"), ts)
        assert e.value.diagnostics[0].message == "'q' is a sequence of at most 2 elements"


def ops(mode: str):  # type: ignore[no-untyped-def]
    (ts,) = load_spec(OPS, (f"MODE={mode}",), None)
    return ts


def _ops_succ(s: tuple[tuple[int, ...], int, bool]):  # type: ignore[no-untyped-def]
    buf, got, peeked = s
    for v in range(4):
        if len(buf) < 3 and v != got:
            yield (*buf, v), got, peeked                           # put
    if buf:
        yield buf[1:], buf[0], peeked                              # take
    for i in range(3):
        if not peeked and i < len(buf) and buf[i] == 3:
            yield buf, got, True                                   # peek
    if buf == (1, 2, 3):
        yield (), got, False                                       # reset


@pytest.mark.parametrize("backend", ["vector", "state"])
def test_sequence_operations_match_python_tuples(backend: str) -> None:
    r = explore(ops("safe"), backend=backend)
    assert (r.states, r.transitions) == bfs_count(((1,), 0, False), _ops_succ) == (552, 1234)
    assert [type(r.verdict(p)) for p in ("len_in_range", "head_is_known", "slots_beyond_are_empty", "range")] \
        == [Proved] * 4
    full, past = r.verdict("never_full"), r.verdict("last_is_three")
    assert isinstance(full, Violated) and full.trace.depth == 2
    assert isinstance(past, Violated) and past.trace.depth == 0   # an invariant reading past the end fails


@pytest.mark.parametrize(("mode", "depth", "last", "shown"), [
    ("overflow", 3, "io.put(v=1)", "<length 4, outside 0..3>"),       # append to a full sequence
    ("empty", 2, "io.take()", "<length 4, outside 0..3>"),            # head and tail of an empty one
    ("past_end", 1, "io.peek(i=1)", "<length 4, outside 0..3>"),      # buf[1] of [1], in a guard
])
def test_reads_outside_a_sequence_are_range_violations(mode: str, depth: int, last: str, shown: str) -> None:
    ts = ops(mode)
    r = explore(ts)
    v = r.verdict("range")
    assert isinstance(v, Violated) and v.trace.depth == depth
    assert ts.actions[v.trace.actions[-1]].label.render() == last
    lines = render_trace(ts, v.trace).splitlines()
    step = lines[max(k for k, x in enumerate(lines) if x.startswith("Step")):]
    assert step[:2] == [f"Step {depth}: {last}", f"  buf = {shown}"]
    validate(ts, v.trace, "range")
    assert r.states == 552   # the step out of range leads to no state
    b = bmc.check(ts, "range", Budget(max_depth=4, rlimit=20_000_000, seed=0))
    assert isinstance(b, Violated) and b.trace.depth == depth
    validate(ts, b.trace, "range")
    vec = explore(ts, backend="vector")
    assert vec.states == 552 and vec.verdict("range").trace.depth == depth  # type: ignore[union-attr]


MAPS = Path(__file__).resolve().parent / "specs" / "seq_maps.yaml"
Chan = tuple[tuple[tuple[int, ...], ...], tuple[int, ...]]   # inbox[n], len(node[n].log)


def _chan_succ(n: int):  # type: ignore[no-untyped-def]
    def succ(s: Chan):  # type: ignore[no-untyped-def]
        inbox, logs = s
        for me in range(n):
            for to in range(n):
                if to != me and len(inbox[to]) < 2:
                    yield tuple((*b, me) if k == to else b for k, b in enumerate(inbox)), logs   # send
            if inbox[me] and logs[me] < 2:
                yield (tuple(b[1:] if k == me else b for k, b in enumerate(inbox)),
                       tuple(x + (k == me) for k, x in enumerate(logs)))                          # recv
    return succ


@pytest.mark.parametrize("backend", ["vector", "state"])
def test_a_map_of_sequences_and_a_machine_local_sequence(backend: str) -> None:
    (ts,) = load_spec(MAPS, ("N=2",), None)
    init: Chan = (((), ()), (0, 0))
    r = explore(ts, symmetry=False, backend=backend)
    assert (r.states, r.transitions) == bfs_count(init, _chan_succ(2)) == (81, 180)
    assert isinstance(r.verdict("not_self"), Proved)
    v = r.verdict("logs_short")
    assert isinstance(v, Violated) and v.trace.depth == 4
    assert render_trace(ts, v.trace).splitlines()[-1] in ("  node[0].log = [1, 1]", "  node[1].log = [1, 1]")
    seen, todo = {init}, [init]
    while todo:
        for t in _chan_succ(2)(todo.pop()):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    swap = {(tuple(tuple(1 - x for x in b) for b in reversed(ib)), tuple(reversed(lg))) for ib, lg in seen}
    orbits = len({min(s, (tuple(tuple(1 - x for x in b) for b in reversed(s[0])), tuple(reversed(s[1]))))
                  for s in seen})
    assert seen == swap and explore(ts, backend=backend).states == orbits == 45


def test_a_conditional_write_out_of_range_leads_to_no_state() -> None:
    """An operation's write happens under its outcome's condition; where it leaves the range the
    step is reported by `range` and its post-state is not explored (NOTE(range-steps)), so the
    explicit engine and BMC find count_matches broken at the same depth (the explicit engine used
    to explore the post-state with nassoc = -1 and report depth 1)."""
    from model.load import load_text
    text = (ROOT / "tests" / "specs" / "ops.yaml").read_text()
    [ts] = load_text(text.replace('      - {require: "assoc[v] == lp", else: TDX_VCPU_NOT_ASSOCIATED}\n', ""))
    r = explore(ts, ["count_matches", "range"])
    budget = Budget(max_depth=3, rlimit=20_000_000, seed=0)
    for prop, depth in (("count_matches", 2), ("range", 1)):
        v, b = r.verdict(prop), bmc.check(ts, prop, budget)
        assert isinstance(v, Violated) and isinstance(b, Violated)
        assert v.trace.depth == b.trace.depth == depth


RECORDS = Path(__file__).resolve().parent / "specs" / "seq_records.yaml"
Req = tuple[int, tuple[int, ...]]


def _records_succ(s: tuple[Req, tuple[Req, ...]]):  # type: ignore[no-untyped-def]
    (cid, path), log = s
    for n in range(2):
        if len(path) < 2 and cid < 2:
            yield (cid, (*path, n)), tuple((cid, path) if k == n else x for k, x in enumerate(log))   # hop
        if path and path[0] == n:
            yield (min(cid + 1, 2), path[1:]), log                                                   # bump
        if log[n] == (0, (n,)):
            yield (cid, path), tuple((1, ()) if k == n else x for k, x in enumerate(log))             # reset


@pytest.mark.parametrize("backend", ["vector", "state"])
def test_a_record_with_a_sequence_field(backend: str) -> None:
    (ts,) = load_spec(RECORDS, (), None)
    r = explore(ts, symmetry=False, backend=backend)
    assert (r.states, r.transitions) == bfs_count(((0, ()), ((1, ()), (1, ()))), _records_succ) == (56, 74)
    assert isinstance(r.verdict("short"), Proved)
    v = r.verdict("no_two")
    assert isinstance(v, Violated) and v.trace.depth == 2
    last = render_trace(ts, v.trace).splitlines()[-2:]
    assert last[0] in ("  cur.path = [0, 0]", "  cur.path = [1, 1]", "  cur.path = [0, 1]", "  cur.path = [1, 0]")
    assert explore(ts, backend=backend).states == 29
    text = render("itf", ts, v.trace, "no_two", ExportContext())
    assert json.loads(text)["states"][0]["cur"] == {"id": {"#bigint": "0"}, "path": []}
    back = itf_read.to_trace(itf_read.read_itf(text, "t.itf.json"), ts)
    assert back.states == v.trace.states
    b = bmc.check(ts, "no_two", Budget(max_depth=3, rlimit=20_000_000, seed=0))
    assert isinstance(b, Violated) and b.trace.depth == 2
    validate(ts, b.trace, "no_two")


@pytest.mark.parametrize("fmt", ["text", "dot", "mermaid", "race", "markdown"])
def test_every_trace_format_shows_a_sequence_and_a_set_whole(fmt: str) -> None:
    """The diagram formats used to list a sequence's length and slots (`q.len = 2`, `q.1 = 1`)
    and a set's membership cells (`done[0] = false`) one by one; every format now shows the
    values as the text trace does (checker/traces/values.py)."""
    ts = queue(2, 2)
    v = explore(ts, symmetry=False).verdict("never_full")
    assert isinstance(v, Violated)
    out = render(fmt, ts, v.trace, "never_full", ExportContext())
    assert "q = [0, 1]" in out and "q = [0]" in out, out
    assert "q.len" not in out and "q.0" not in out and "done[0]" not in out, out
    if fmt in ("text", "dot"):   # the formats that show the initial state in full
        assert "q = []" in out and "done = {}" in out, out
