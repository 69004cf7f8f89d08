"""The vector search on several cores (checker/explicit/vector_par.py) gives exactly the serial
vector search's result: counts, diameter, completeness, coverage, verdicts and every trace, for
2 and 3 workers, with and without symmetry, at a depth bound, and when the state limit or the
last decided property stops it inside a level (NOTE(par-order)); and an owner groups what it
receives into exactly the distinct states, by exact values, by hashes, or when hashes collide
(NOTE(par-sort)).

Most comparisons run the workers' parts in this process (LocalPool: the same messages and the
same code, one part after the other), with blocks of a few states so that a worker's part of a
level spans several; a few run real worker processes, as `--cores` does."""

from __future__ import annotations

import multiprocessing as mp
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.cases import widened_text
from checker.core.budget import INTERRUPTED, Budget, Progress, clear_interrupt, interrupt
from checker.explicit import vector_par
from checker.explicit.result import ExplicitResult
from checker.explicit.search import explore
from checker.explicit.vector import domains, explore_vector
from checker.explicit.vector_keys import Packer
from checker.explicit.vector_par import explore_parallel, groups, owner_of, serial_reason
from model.ir import TransitionSystem
from model.load import load_spec, load_text
from tests.checker.test_vector import MANY_INITIAL, POINTERS, SYMLOCK, TDX, summary
from tests.gen_ir import systems

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "specs" / "examples").glob("*.yaml"))


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker expands its part in blocks of 5 states: blocks, not only workers, are merged."""
    monkeypatch.setattr(vector_par, "CHUNK", 5)


@pytest.fixture
def tdx_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 40 for TDX (levels of up to a few hundred states): fast enough, still several."""
    monkeypatch.setattr(vector_par, "CHUNK", 40)


def safety(ts: TransitionSystem) -> list[str]:
    return [p.name for p in ts.properties if not p.temporal]


def agree(ts: TransitionSystem, symmetry: bool, budget: Budget | None = None, props: list[str] | None = None,
          cores: tuple[int, ...] = (2, 3)) -> ExplicitResult:
    """The serial result, after checking that every number of workers gives it."""
    names = props if props is not None else safety(ts)
    ref = explore_vector(ts, names, budget or Budget(), symmetry)
    for n in cores:
        got = explore_parallel(ts, names, budget or Budget(), symmetry, n, local=True)
        assert summary(got) == summary(ref), n
        assert got.cores == n
    return ref


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("symmetry", [False, True])
def test_examples(path: Path, symmetry: bool) -> None:
    for ts in load_spec(path):
        agree(ts, symmetry)


@pytest.mark.parametrize("variant", ["v19", pytest.param("v6_16", marks=pytest.mark.slow),
                                     pytest.param("normal_way", marks=pytest.mark.slow),
                                     pytest.param("mut_skip_migration_flush", marks=pytest.mark.slow)])
def test_tdx(variant: str, tdx_blocks: None) -> None:
    [ts] = load_spec(TDX, ("V=1", "P=2"), variant)
    agree(ts, symmetry=False)


@pytest.mark.parametrize("n", [2, 3])
def test_symlock(n: int) -> None:
    [ts] = load_spec(SYMLOCK, (f"N={n}",))
    assert agree(ts, symmetry=False).states == 6 ** (n - 1) * (6 + 3 * n)
    agree(ts, symmetry=True)


@pytest.mark.parametrize("n", [2, 3])
def test_filter_lock(n: int) -> None:
    # bench/specs/filter_twin.yaml; SPIN stores 34 and 705 states for bench/peers/filter.pml
    [ts] = load_spec(ROOT / "bench" / "specs" / "filter_twin.yaml", (f"N={n}",))
    assert agree(ts, symmetry=False).states == {2: 34, 3: 705}[n]


def test_pointers_fall_back_to_the_one_state_canonical_form() -> None:
    [ts] = load_text(POINTERS, "pointers.yaml", ("N=3",))
    assert agree(ts, symmetry=True).states < agree(ts, symmetry=False).states


@pytest.mark.parametrize("cap", [1, 7, 50, 351, 352, 353])
def test_state_limit_stops_at_the_same_state(cap: int, tdx_blocks: None) -> None:
    [ts] = load_spec(TDX, ("V=1", "P=2"), "v6_16_atomic_init")   # 352 states (K=2: two topologies)
    r = agree(ts, False, Budget(max_states=cap))
    assert (r.states, r.complete) == (min(cap, 352), cap >= 352)


@pytest.mark.parametrize("cap", [1, 10, 11, 29, 30, 31])
def test_state_limit_with_more_initial_states_than_room(cap: int) -> None:
    [ts] = load_text(MANY_INITIAL, "many.yaml")
    assert agree(ts, False, Budget(max_states=cap)).states == min(cap, 30)


@pytest.mark.parametrize("depth", [0, 1, 2, 5, 9])
def test_depth_bound(depth: int) -> None:
    for ts in load_spec(ROOT / "specs/examples/dining.yaml", ("N=4",)):
        r = agree(ts, False, Budget(explicit_depth=depth))
        assert r.diameter <= depth


def test_early_stop_when_every_property_is_violated(tdx_blocks: None) -> None:
    [ts] = load_spec(TDX, ("V=1", "P=2"), "v19")
    got = [(r.states, r.complete) for r in (agree(ts, False, props=props)
                                            for props in (["S4"], ["S4", "S3"], ["S5", "S2"], ["S2", "S4_flush"]))]
    assert got == [(128, False), (236, False), (1400, True), (1400, True)]


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
@given(systems(), st.sampled_from([None, 3, 40]), st.sampled_from([None, 2]))
def test_generated_systems(ts: TransitionSystem, cap: int | None, depth: int | None) -> None:
    agree(ts, False, Budget(max_states=cap if cap is not None else 3_000, explicit_depth=depth))


def test_owners_share_the_keys() -> None:
    own = owner_of((np.arange(100_000, dtype=np.int64) * 12)[:, None], 3)   # packed keys: regular strides
    assert sorted(np.bincount(own.astype(np.int64)).tolist()) == [33_332, 33_334, 33_334]


# --- grouping the successors an owner receives (NOTE(par-sort)) ---------------------------


def _groups_are_the_distinct_rows(words: np.ndarray) -> None:
    order, starts = groups(words)
    assert sorted(order.tolist()) == list(range(len(words)))
    runs = np.split(words[order], starts[1:]) if len(words) else []
    assert all((r == r[0]).all() for r in runs)                       # each run one state
    assert len(runs) == len(np.unique(words, axis=0)) == len(starts)  # each state one run


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(1, 3), st.lists(st.integers(0, 40), max_size=300), st.sampled_from([1, 1 << 20, 1 << 61]))
def test_groups_are_exactly_the_distinct_states(width: int, picks: list[int], scale: int) -> None:
    """One word with a small span (exact values), one word spanning 61 bits and several words
    (hashed): every run of the permutation is one state and every state one run."""
    rng = np.random.default_rng(len(picks))
    pool = rng.integers(0, 1 << 62, size=(41, width), dtype=np.int64) // (1 << 61) * scale + \
        rng.integers(0, 5, size=(41, width), dtype=np.int64)
    _groups_are_the_distinct_rows(pool[picks] if picks else np.zeros((0, width), np.int64))


def test_colliding_hashes_fall_back_to_an_exact_sort(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hashes with one value (every state collides): the runs are still exactly the states, and a
    search over collapsed keys whose owners see nothing but collisions is still the serial one."""
    monkeypatch.setattr(vector_par, "_hash", lambda words: np.zeros(len(words), np.uint64))
    words = np.array([[5, 1], [7, 2], [5, 1], [5, 2], [7, 2]], dtype=np.int64)
    order, starts = groups(words)
    assert [sorted(r.tolist()) for r in np.split(order, starts[1:])] == [[0, 2], [3], [1, 4]]
    _groups_are_the_distinct_rows(words[:, :1] * (1 << 58))        # one word too wide to be exact
    [ts] = load_text(WIDE, "wide.yaml")
    agree(ts, False)
    monkeypatch.setattr(vector_par, "CHUNK", 1000)
    text, _ = widened_text(ROOT / "specs/examples/dining.yaml", (("N", 11),))
    [dining] = load_text(text, "dining.yaml", ("N=11",), "naive")     # two words a state
    agree(dining, False, cores=(2,))


# --- real worker processes -------------------------------------------------------------


@pytest.mark.parametrize("cores", [2, 3])
def test_processes_give_the_serial_result(cores: int) -> None:
    [ts] = load_spec(SYMLOCK, ("N=4",))
    ref = explore(ts, safety(ts), symmetry=True)
    got = explore(ts, safety(ts), symmetry=True, cores=cores)
    assert summary(got) == summary(ref)
    assert (got.cores, got.serial_why) == (cores, "")
    assert mp.active_children() == []


def test_processes_at_the_state_limit() -> None:
    [ts] = load_spec(SYMLOCK, ("N=4",))
    for cap in (500, 2000):
        ref = explore(ts, None, Budget(max_states=cap), symmetry=False)
        got = explore(ts, None, Budget(max_states=cap), symmetry=False, cores=2)
        assert summary(got) == summary(ref) and got.states == cap


def test_interrupt_stops_the_workers() -> None:
    """NOTE(interrupt): a Ctrl-C seen between levels ends the search with what was committed,
    the same states as the serial search interrupted at the same point."""
    [ts] = load_spec(SYMLOCK, ("N=4",))

    def interrupted_run(cores: int) -> ExplicitResult:
        levels: list[int] = []

        def progress(p: Progress) -> None:
            levels.append(p.states)
            if len(levels) == 3:
                interrupt()
        try:
            return explore(ts, None, Budget(on_progress=progress), symmetry=False, cores=cores)
        finally:
            clear_interrupt()
    ref, got = interrupted_run(1), interrupted_run(2)
    assert [getattr(v, "reason", None) for v in got.verdicts] == [INTERRUPTED] * len(got.verdicts)
    assert summary(got) == summary(ref) and not got.complete and got.cores == 2
    assert mp.active_children() == []


# --- wide states, and where the search stays on one core -----------------------------------

WIDE = """
spec: wide
vars:
  a: {type: "0..1000000", init: 0}
  b: {type: "0..1000000", init: 0}
  c: {type: "0..1000000", init: 0}
  d: {type: "0..1000000", init: 0}
machines:
  m:
    states: [s]
    init: s
    transitions:
      step: {from: s, to: s, guard: "a < 3", effect: {a: "a + 1", d: "d + 2"}}
properties:
  small: {invariant: "d < 10"}
"""


def test_states_wider_than_one_key_travel_as_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """NOTE(par-words): 80 packed bits, so every part keys its states with tables of its own."""
    [ts] = load_text(WIDE, "wide.yaml")
    assert len(Packer(domains(ts)).groups) == 2 and serial_reason(ts, 2) is None
    agree(ts, False)
    ref = explore(ts, None)
    got = explore(ts, None, cores=2)
    assert summary(got) == summary(ref) and (got.cores, got.states) == (2, 4)
    monkeypatch.setattr(vector_par, "CHUNK", 1000)
    text, _ = widened_text(ROOT / "specs/examples/dining.yaml", (("N", 11),))
    for dining in load_text(text, "dining.yaml", ("N=11",), "naive"):     # 66 packed bits from N=11
        assert Packer(domains(dining)).collapsed
        agree(dining, False, cores=(2,))


def test_a_full_collapse_table_in_a_worker_stops_the_search_as_in_one_process(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A collapse table that outgrows its ids (KeySpaceError, vector_keys.py) in a worker process
    is a limit of the search, as in one process (unknown with the reason), not a crashed worker
    (exit 4). Tables of 4 ids: the forked workers inherit the patched bound."""
    from checker.core.verdict import Unknown
    from checker.explicit import vector_keys
    monkeypatch.setattr(vector_keys, "ID_BITS", 2)
    [ts] = load_text(WIDE.replace("a < 3", "a < 40").replace("d < 10", "d < 1000"), "wide.yaml")
    for r in (explore(ts, None), explore(ts, None, cores=2)):
        v = r.verdict("small")
        assert isinstance(v, Unknown) and v.reason == "more than 2**2 distinct values in one collapse table", v
        assert not r.complete
    assert mp.active_children() == []


def test_the_one_state_search_stays_on_one_core() -> None:
    [ts] = load_spec(ROOT / "specs/examples/counter.yaml")
    r = explore(ts, None, backend="state", cores=2)
    assert (r.cores, r.serial_why) == (1, "the one-state search runs on one core")
    assert summary(r) == summary(explore(ts, None, backend="state"))


# --- the command line ------------------------------------------------------------------


def _check(*args: str) -> tuple[int, str]:
    from click.testing import CliRunner

    import cli
    r = CliRunner().invoke(cli.main, ["check", *args], catch_exceptions=False)
    return r.exit_code, re.sub(r"[\d,]+ states/s", "R states/s", r.stdout)


def test_cli_cores_says_how_many(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, one = _check("specs/examples/dining.yaml", "--variant", "naive", "--traces")
    code2, two = _check("specs/examples/dining.yaml", "--variant", "naive", "--traces", "--cores", "2")
    assert (code, code2) == (0, 0)
    facts = "  explicit: 14 states, 27 transitions, diameter 3, R states/s"
    assert facts in one.splitlines() and facts + ", 2 cores" in two.splitlines()
    assert two.replace(", 2 cores", "") == one          # the same verdicts and traces
    code, out = _check("specs/examples/counter.yaml", "--cores", "2", "--backend", "state")
    assert "R states/s, 1 core (the one-state search runs on one core)" in out and code == 0


def test_cli_json_says_how_many_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """The JSON record's phase carries `cores` (and `serial_why` when the search stayed on one),
    valid against the schema; a run without --cores has neither."""
    import json

    import jsonschema

    from checker.export.result_json import schema_path
    monkeypatch.chdir(ROOT)
    schema = json.loads(Path(schema_path()).read_text())

    def phase(*args: str) -> dict[str, object]:
        doc = json.loads(_check("specs/examples/counter.yaml", "--json", *args)[1])
        jsonschema.validate(doc, schema)
        return doc["results"][0]["facts"]["phases"][0]  # type: ignore[no-any-return]
    assert "cores" not in phase() and "serial_why" not in phase()
    assert phase("--cores", "2")["cores"] == 2
    assert (phase("--cores", "2", "--backend", "state")["cores"], phase("--cores", "2", "--backend", "state")[
        "serial_why"]) == (1, "the one-state search runs on one core")


def test_cli_cores_needs_the_explicit_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    import cli
    monkeypatch.chdir(ROOT)
    r = CliRunner().invoke(cli.main, ["check", "specs/examples/counter.yaml", "--engine", "bmc", "--cores", "2"])
    assert r.exit_code == 2 and "--cores needs --engine explicit (not bmc)" in r.output


# --- on a Dask cluster ------------------------------------------------------------------


def test_dask_partitions_give_the_serial_result() -> None:
    """One `_Part` actor per partition on a local Dask cluster (threads: the same actors and
    messages as on a real cluster, started in a fraction of the time)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        for ts in [*load_spec(ROOT / "specs/examples/dining.yaml", ("N=4",)), *load_spec(SYMLOCK, ("N=3",))]:
            names = safety(ts)
            ref = explore_vector(ts, names, Budget(), False)
            for n, cap in ((2, None), (3, None), (2, 50)):
                got = explore_parallel(ts, names, Budget(max_states=cap), False, n, dask=cluster.scheduler_address)
                want = ref if cap is None else explore_vector(ts, names, Budget(max_states=cap), False)
                assert summary(got) == summary(want) and got.cores == n
