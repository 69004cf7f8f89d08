"""`seamcheck mutate`: exact classification on the examples, golden text/JSON/markdown, --only
errors, and a differential property test: a mutant made on the parsed spec (checker/mutate/edit.py)
checks exactly as the same mutation written by hand in the spec text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cli
from checker.core.verdict import Violated, kind_of
from checker.mutate import describe
from checker.mutate.edit import apply
from checker.mutate.mutations import (
    Mutation,
    UnknownTarget,
    expression_parts,
    guard_points,
    ifs,
    select,
    spec_mutations,
)
from checker.mutate.run import MutateRun, compare, mutate
from checker.run.runner import RunOptions, run_instance
from checker.run.specs import load
from checker.traces.replay import ReplayError, validate
from checker.traces.trace import Trace
from model import syntax as S
from model.diagnostics import Collector
from model.expr_parser import parse_expr
from model.ir import TransitionSystem
from model.load import load_text, parse_spec
from model.lower import lower
from model.params import instances
from model.source import SourceFile, Span
from model.yaml_nodes import YScalar

ROOT = Path(__file__).resolve().parent.parent
PETERSON = "specs/examples/peterson.yaml"
OPS = "tests/specs/ops.yaml"
EXPLICIT = RunOptions(engine="explicit")


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)   # spans and display paths are relative to the working directory


def run_cli(*args: str) -> Result:
    return CliRunner().invoke(cli.main, ["mutate", *args], catch_exceptions=False)


def mutated(path: str, variant: str | None, only: tuple[str, ...] = (), opts: RunOptions = EXPLICIT) -> MutateRun:
    spec = load(Path(path)).spec
    assert spec is not None
    return mutate(spec, (), variant, only, opts)


def by_name(run: MutateRun, k: int = 0) -> dict[str, object]:
    return {r.mutation.name: r for r in run.instances[k].mutants}


# ---- exact classification -------------------------------------------------------------------

def test_peterson_turn_check_is_needed_for_mutex_and_the_flag_check_by_nothing() -> None:
    got = by_name(mutated(PETERSON, "peterson", ("proc.enter",)))
    turn = got["proc.enter: guard `turn == self` -> true"]
    assert turn.status == "needed"                                          # type: ignore[attr-defined]
    assert [(v.prop, v.trace.depth) for v in turn.breaks] == [("mutex", 6)]  # type: ignore[attr-defined]
    # the only way in besides the turn: without it the two processes wait for each other
    way = got["proc.enter: guard `turn == self and mutant != flag_only` -> false"]
    assert [(v.prop, v.trace.depth) for v in way.breaks] == [("deadlock", 4)]  # type: ignore[attr-defined]
    # no property states starvation-freedom, so strict alternation on the turn satisfies them all
    assert got["proc.enter: guard `not flag[other(self)]` -> false"].status == "unneeded"  # type: ignore[attr-defined]
    assert got["proc.enter: guard `mutant != flag_only` -> true"].status == "identical"  # type: ignore[attr-defined]
    assert got["proc.enter: transition removed"].status == "needed"         # type: ignore[attr-defined]


def test_peterson_over_all_variants() -> None:
    run = mutated(PETERSON, None)
    assert [i.original.variant for i in run.instances] == ["peterson", "flag_only", "turn_first"]
    overall = {m.name: run.overall(m) for m in run.mutations}
    assert overall["proc.enter: guard `turn == self` -> true"] == "needed"
    assert overall["proc.enter: guard `not flag[other(self)]` -> false"] == "unneeded"
    assert sorted(n for n, s in overall.items() if s == "unneeded") == [
        "proc.enter: guard `mutant != flag_only` -> true",
        "proc.enter: guard `not flag[other(self)]` -> false",
        "proc.give_turn: turn: `mutant != turn_first` forced true",
        "proc.leave: write `flag[self]` removed",
        "proc.raise_flag: flag[self]: `mutant != turn_first` forced false",
        "proc.raise_flag: flag[self]: `mutant != turn_first` forced true",
        "proc.raise_flag: turn: `mutant == turn_first` forced false",
        "proc.raise_flag: turn: `mutant == turn_first` forced true",
        "proc.raise_flag: write `flag[self]` removed",
        "proc.raise_flag: write `turn` removed"]
    turn_first = by_name(run, 2)["proc.raise_flag: flag[self]: `mutant != turn_first` forced true"]
    assert turn_first.status == "unneeded" and turn_first.fixes == ("mutex",)  # type: ignore[attr-defined]


def test_operation_mutations_on_ops() -> None:
    got = by_name(mutated(OPS, None, ("vp_flush", "vcpu.flush", "vpflushdone")))
    check = got["vp_flush: check `assoc[v] == lp` (else TDX_VCPU_NOT_ASSOCIATED) removed"]
    assert [(v.prop, v.trace.depth) for v in check.breaks] == [   # type: ignore[attr-defined]
        ("count_matches", 2), ("blocked_means_flushed", 5), ("flushed_vcpu_was_on_that_lp", 1), ("range", 1)]
    assert got["vp_flush: may fail with TDX_VCPU_NOT_ASSOCIATED (no effect)"].status == "unneeded"  # type: ignore[attr-defined]
    call = got["vcpu.flush: call `vp_flush(v=self, lp=p)` removed (as if it succeeded)"]
    assert [(v.prop, v.trace.depth) for v in call.breaks] == [("flush_clears", 2)]  # type: ignore[attr-defined]
    done = got["vpflushdone: check `nassoc == 0` (else TDX_FLUSHVP_NOT_DONE) removed"]
    assert [(v.prop, v.trace.depth) for v in done.breaks] == [("blocked_means_flushed", 4)]  # type: ignore[attr-defined]
    assert done.fixes == ("flushdone_never_fails",)                         # type: ignore[attr-defined]


def test_a_bounded_verdict_never_reads_as_not_needed() -> None:
    """BMC only bounds: a mutant that breaks nothing up to the depth is inconclusive, never unneeded."""
    got = by_name(mutated(PETERSON, "peterson", ("proc.enter",), RunOptions(engine="bmc", depth=8)))
    assert got["proc.enter: guard `not flag[other(self)]` -> false"].status == "inconclusive"  # type: ignore[attr-defined]
    turn = got["proc.enter: guard `turn == self` -> true"]
    assert turn.status == "needed" and turn.breaks[0].trace.depth == 6    # type: ignore[attr-defined]


def test_compare_needs_the_original_to_hold_as_far_as_the_trace() -> None:
    from checker.core.verdict import HoldsUpTo, Proved, Provenance, Unknown
    prov = Provenance("t", (), None)
    bad = Violated("p", prov, Trace(((0,), (0,), (0,)), (0, 0)))
    m = Mutation("guard-true", "m.t", "x")
    ts = load_text("spec: s\nvars: {x: {type: bool, init: false}}\n")[0]
    assert compare(m, [Proved("p", prov, "")], [bad], ts).status == "needed"
    assert compare(m, [HoldsUpTo("p", prov, 2)], [bad], ts).status == "needed"
    assert compare(m, [HoldsUpTo("p", prov, 1)], [bad], ts).status == "inconclusive"
    assert compare(m, [Unknown("p", prov, "timeout")], [bad], ts).status == "inconclusive"
    assert compare(m, [Proved("p", prov, "")], [Unknown("p", prov, "timeout")], ts).status == "inconclusive"
    assert compare(m, [bad], [Proved("p", prov, "")], ts).fixes == ("p",)


# ---- the command line -----------------------------------------------------------------------

def test_text_golden(golden) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(PETERSON, "--variant", "peterson", "--only", "proc.enter", "--traces")
    assert r.exit_code == 0
    golden("mutate/peterson_enter.txt", r.stdout)


def test_json_golden(golden) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(PETERSON, "--only", "proc.enter", "--json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert {m["status"] for m in data["mutants"]} == {"needed", "unneeded"}
    golden("mutate/peterson_enter.json", r.stdout)


def test_markdown_golden(golden) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(PETERSON, "--only", "proc.*", "--format", "markdown")
    assert r.exit_code == 0
    golden("mutate/peterson.md", r.stdout)


def test_fail_on_unneeded() -> None:
    assert run_cli(PETERSON, "--variant", "peterson", "--fail-on-unneeded").exit_code == 1
    assert run_cli(PETERSON, "--variant", "peterson", "--only", "proc.leave: transition*",
                   "--fail-on-unneeded").exit_code == 0


def test_only_that_names_nothing_is_a_usage_error() -> None:
    r = CliRunner().invoke(cli.main, ["mutate", PETERSON, "--only", "proc.entr"])
    assert r.exit_code == 2
    assert "--only 'proc.entr' matches no transition or operation (did you mean 'proc.enter'?); there are: " \
           "proc.raise_flag, proc.give_turn, proc.enter, proc.leave" in r.output
    with pytest.raises(UnknownTarget):
        select(spec_mutations(load(Path(PETERSON)).spec.decl), ["nothing*"])  # type: ignore[union-attr]


def test_bad_spec_and_variant_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("spec: bad\nvars: {x: {type: nosuch}}\n")
    assert CliRunner().invoke(cli.main, ["mutate", str(bad)]).exit_code == 2
    assert CliRunner().invoke(cli.main, ["mutate", PETERSON, "--variant", "nosuch"]).exit_code == 2


def test_help_documents_the_exit_codes() -> None:
    r = run_cli("--help")
    assert "1  with --fail-on-unneeded: some mutation is needed by no property" in r.output


# ---- describe: mutant names are spec syntax ---------------------------------------------------

def _reparse(text: str) -> S.SExpr:
    return parse_expr(YScalar(text, '"', "tag:yaml.org,2002:str", Span("<t>", 1, 1, 1, 1 + len(text))))


@pytest.mark.parametrize("path", ["specs/examples/peterson.yaml", "specs/examples/dining.yaml", OPS,
                                  "specs/tdx/teardown.yaml"])
def test_shown_expressions_parse_back_to_the_same_tree(path: str) -> None:
    decl = load(Path(path)).spec.decl  # type: ignore[union-attr]
    exprs = [t.guard for m in decl.machines for t in m.transitions if t.guard is not None]
    exprs += [e for m in decl.machines for t in m.transitions for _, _, e in expression_parts(t)]
    exprs += [c.require for o in decl.operations for c in o.checks]
    assert exprs
    for e in exprs:
        assert _reparse(describe.show(e)) == e, describe.show(e)


# ---- differential: the mutation on the parsed spec == the mutation written in the text ---------

ATOMS = ["x < 2", "x != 3", "fl", "not fl", "x == y", "y > 0"]
INTS = ["x", "y", "(x + 1) % 4", "(x + y) % 4", "3 - y"]


@st.composite
def bool_text(draw: st.DrawFn, depth: int = 2) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(ATOMS))
    op = draw(st.sampled_from(["and", "or"]))
    parts = draw(st.lists(bool_text(depth - 1), min_size=2, max_size=3))
    return f" {op} ".join(f"({p})" for p in parts)


@st.composite
def int_text(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(st.sampled_from(INTS))
    return f"{draw(st.sampled_from(INTS))} if {draw(bool_text(1))} else {draw(st.sampled_from(INTS))}"


@st.composite
def spec_text(draw: st.DrawFn) -> str:
    g = [draw(bool_text()) for _ in range(3)]
    return f"""spec: gen
vars:
  x: {{type: "0..3", init: 0}}
  y: {{type: "0..3", init: 0}}
  fl: {{type: bool, init: false}}
  st: {{type: Status, init: SUCCESS}}
operations:
  bump:
    params: {{n: "0..3"}}
    checks:
      - {{require: "{draw(bool_text(1))}", else: E_ONE}}
      - {{require: "{draw(bool_text(1))}", else: E_TWO}}
    effect:
      y: "{draw(int_text())}"
machines:
  m:
    states: [s0, s1, s2]
    init: s0
    terminal: [s2]
    transitions:
      t0: {{from: s0, to: s1, guard: "{g[0]}", effect: {{x: "{draw(int_text())}"}}}}
      t1: {{from: s1, to: "s0 if {draw(bool_text(1))} else s2", guard: "{g[1]}", effect: {{fl: "{draw(bool_text(1))}"}}}}
      t2: {{from: [s0, s1], guard: "{g[2]}", call: "bump(x)", store: st, to: "s0 if result == SUCCESS else s2"}}
properties:
  p1: {{invariant: "{draw(bool_text(1))} or {draw(bool_text(1))}"}}
  p2: {{step: "result == SUCCESS", on: [m.t2]}}
  p3: {{step: "x == 0", on: ["call:bump"]}}
"""


def _offset(text: str, line: int, col: int) -> int:
    return sum(len(x) for x in text.splitlines(keepends=True)[: line - 1]) + col - 1


def _replace(text: str, span: Span, new: str) -> str:
    return text[: _offset(text, span.line, span.col)] + new + text[_offset(text, span.end_line, span.end_col):]


def by_hand(text: str, decl: S.SpecDecl, m: Mutation) -> str:
    """The mutation m written into the spec text, as an author would."""
    t = next((x for x in decl.machines[0].transitions if f"m.{x.name}" == m.target), None)
    op = decl.operations[0]
    if m.kind == "drop-transition":
        return text.replace(f"{m.target[2:]}: {{", f"{m.target[2:]}: {{when: \"false\", ", 1)
    if m.kind in ("guard-true", "guard-false"):
        node, value = guard_points(t.guard)[m.index]  # type: ignore[union-attr,arg-type]
        return _replace(text, node.span, "true" if value else "false")
    if m.kind == "drop-check":
        return _replace(text, op.checks[int(m.part.split()[1])].require.span, "true")
    if m.kind == "may-fail":
        return text.replace('    params: {n: "0..3"}\n', f'    params: {{n: "0..3"}}\n    may_fail: [{m.code}]\n', 1)
    if m.kind == "drop-call":
        return text.replace('call: "bump(x)"', 'call: "bump_not_called(x)"').replace(
            "machines:\n", '  bump_not_called: {params: {n: "0..3"}}\nmachines:\n', 1)
    owner = t if t is not None else op
    if m.kind == "drop-effect":
        a = owner.effect[int(m.part.split()[1])]
        return _replace(text, a.value.span, _replace_span_text(text, a.target.lhs.span))
    e = next(x for part, _, x in expression_parts(owner) if part == m.part)
    node = ifs(e)[m.index]
    branch = node.then if m.kind == "if-then" else node.other
    return _replace(text, node.span, "(" + _replace_span_text(text, branch.span) + ")")


def _replace_span_text(text: str, span: Span) -> str:
    return text[_offset(text, span.line, span.col): _offset(text, span.end_line, span.end_col)]


def _verdicts(ts: TransitionSystem) -> list[tuple[str, str, int | None]]:
    got = run_instance(ts, [p.name for p in ts.properties], EXPLICIT)
    return [(v.prop, kind_of(v), v.trace.depth if isinstance(v, Violated) else None) for v in got.verdicts]


def _on_original(orig: TransitionSystem, mts: TransitionSystem, v: Violated) -> bool:
    """Whether the mutant's counterexample is also one of the original (same steps by label)."""
    index = {a.label: i for i, a in enumerate(orig.actions)}
    labels = [mts.actions[a].label for a in v.trace.actions]
    if any(lb not in index for lb in labels):
        return False
    try:
        validate(orig, Trace(v.trace.states, tuple(index[lb] for lb in labels), v.trace.loop), v.prop)
    except ReplayError:
        return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=spec_text(), data=st.data())
def test_a_mutant_checks_as_the_same_mutation_written_by_hand(text: str, data: st.DataObject) -> None:
    loaded = parse_spec(SourceFile("gen.yaml", text))
    m = data.draw(st.sampled_from(spec_mutations(loaded.decl)), label="mutation")
    out = Collector()
    inst = instances(loaded.decl, {}, out)[0]
    orig = lower(loaded.decl, inst, out)
    mts = lower(apply(loaded.decl, m), inst, out)
    assert not out and orig is not None and mts is not None, out.diagnostics
    hand = load_text(by_hand(text, loaded.decl, m), "gen.yaml")[0]
    assert mts == hand
    assert _verdicts(mts) == _verdicts(hand)
    before = run_instance(orig, [p.name for p in orig.properties], EXPLICIT).verdicts
    after = run_instance(mts, [p.name for p in orig.properties], EXPLICIT).verdicts
    for v in compare(m, before, after, mts).breaks:     # each replayed on the mutant by run_instance
        assert not _on_original(orig, mts, v), (m.name, v.prop)


# ---- the TDX suite: a mutant against the mutant the spec writes by hand --------------------------

def test_tdx_migration_without_vp_flush_is_the_hand_written_r3_mutant() -> None:
    """Removing TDH.VP.FLUSH from the migration path of the fixed design (v6_16_atomic_init)
    breaks exactly what the spec's own R3 mutant (skip_migration_flush) violates, at the same
    shortest depths."""
    loaded = load(Path("specs/tdx/teardown.yaml")).spec
    assert loaded is not None
    m = next(x for x in spec_mutations(loaded.decl) if x.target == "vcpu.migrate_flush" and x.kind == "drop-call")
    out = Collector()
    inst, = instances(loaded.decl, {}, out, "v6_16_atomic_init")
    orig, mts = lower(loaded.decl, inst, out), lower(apply(loaded.decl, m), inst, out)
    hand, = instances(loaded.decl, {}, out, "mut_skip_migration_flush")
    r3 = lower(loaded.decl, hand, out)
    assert not out and orig is not None and mts is not None and r3 is not None
    props = [p.name for p in orig.properties]
    got = compare(m, run_instance(orig, props, EXPLICIT).verdicts, run_instance(mts, props, EXPLICIT).verdicts, mts)
    want = [(v.prop, v.trace.depth) for v in run_instance(r3, props, EXPLICIT).verdicts if isinstance(v, Violated)]
    assert [(v.prop, v.trace.depth) for v in got.breaks] == want == [
        ("S1p", 22), ("S3", 15), ("S4", 14), ("S4_flush", 20), ("loud_leak", 25), ("L2", 25)]


def test_tdx_v19_free_without_disassociate_is_the_hand_written_r2_mutant() -> None:
    """--combine: forcing off v19's tdx_disassociate_vp_on_cpu in both tdx_vcpu_free steps (the
    `onlist` and `kcpu` writes of each) breaks what the spec's own R2 mutant
    (v19_no_free_disassociate) adds to v19_atomic_init's violations: freed_off_list, at depth 22."""
    loaded = load(Path("specs/tdx/teardown.yaml")).spec
    assert loaded is not None
    pat = "td.vcpu_free_*: *v19_no_free_disassociate* forced false"
    parts = select(spec_mutations(loaded.decl), [pat])
    assert len(parts) == 4
    run = mutate(loaded, (), "v19_atomic_init", [pat], EXPLICIT, combined=True)
    r, = run.instances[0].mutants
    assert r.mutation.kind == "combined" and r.mutation.parts == tuple(parts)
    assert [(v.prop, v.trace.depth) for v in r.breaks] == [("freed_off_list", 22)]
    out = Collector()
    hand, = instances(loaded.decl, {}, out, "mut_v19_no_free_disassociate")
    r2 = lower(loaded.decl, hand, out)
    assert r2 is not None and r.mutant is not None
    assert _verdicts(r.mutant) == _verdicts(r2)
