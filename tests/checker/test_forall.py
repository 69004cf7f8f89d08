"""`check --engine kind --for-all` (checker/smt/forall.py, model/lower_param.py): exact verdicts,
refusals with their place, the counterexample to induction, and soundness against the explicit
engine at every size that finishes quickly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.core.verdict import Proved, Unknown, Verdict, Violated
from checker.run.runner import RunOptions, run_instance
from model.load import load_spec
from tests.gen_sym import symmetric_specs

SPECS = Path(__file__).resolve().parent.parent / "specs"
LOCK = SPECS / "forall" / "lock.yaml"
FOR_ALL = RunOptions("kind", for_all=True)


def for_all(path: Path, *params: str, variant: str | None = None) -> dict[str, Verdict]:
    ts = load_spec(path, params, variant)[0]
    safety = [p.name for p in ts.properties if not p.temporal]
    return {v.prop: v for v in run_instance(ts, safety, FOR_ALL).verdicts}


def explicit(path: Path, *params: str) -> dict[str, Verdict]:
    ts = load_spec(path, params)[0]
    safety = [p.name for p in ts.properties if not p.temporal]
    return {v.prop: v for v in run_instance(ts, safety, RunOptions("explicit")).verdicts}


def without(path: Path, tmp: Path, lemma: str) -> Path:
    """The spec with lemma `lemma` (an entry of two to four lines under `lemmas:`) removed."""
    lines = path.read_text().splitlines()
    start = lines.index(f"  {lemma}:")
    end = start + 1
    while end < len(lines) and lines[end].startswith("    "):
        end += 1
    out = tmp / path.name
    out.write_text("\n".join(lines[:start] + lines[end:]) + "\n")
    return out


def test_lock_proved_for_all_sizes_with_the_lemmas_used() -> None:
    got = for_all(LOCK)
    assert {p: type(v).__name__ for p, v in got.items()} == dict.fromkeys(
        ["mutex", "nobody_or_owner", "rel_by_owner", "deadlock", "range"], "Proved")
    m = got["mutex"]
    assert isinstance(m, Proved)
    assert m.detail == "for all N >= 1: induction with 1 lemma (owner)"
    assert m.for_all == ("N",)
    assert m.invariant == 'owner: {invariant: "all((p[a].pc != crit) or (lock == a) for a in Proc)"}'
    assert got["deadlock"].detail == "for all N >= 1: induction with 2 lemmas (owner, held)"  # type: ignore[union-attr]


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_lock_spot_checked_by_the_explicit_engine(n: int) -> None:
    """Every unbounded proof agrees with the explicit engine's exact verdict at each size."""
    proved = {p for p, v in for_all(LOCK).items() if isinstance(v, Proved)}
    assert proved and all(isinstance(explicit(LOCK, f"N={n}")[p], Proved) for p in proved)


def test_lemma_removed_gives_the_counterexample_to_induction(tmp_path: Path) -> None:
    got = for_all(without(LOCK, tmp_path, "held"))
    d = got["deadlock"]
    assert isinstance(d, Unknown)
    assert d.reason == "not proved for all sizes: a state satisfying the lemmas is a deadlock"
    assert d.cti_text == "a model with Proc = {Proc0}\nstate 0:\n  lock = Proc0\n  p[Proc0].pc = want"
    assert isinstance(got["mutex"], Proved)   # it needs only `owner`


def test_lemma_needed_removed(tmp_path: Path) -> None:
    """Without `owner`, mutex is not inductive: it is not proved, and the CTI shows the step."""
    got = for_all(without(LOCK, tmp_path, "owner"))
    m = got["mutex"]
    assert isinstance(m, Unknown)
    assert m.reason == ("not proved for all sizes: mutex is not inductive relative to the lemmas: it fails "
                        "after p[self].get()")
    assert m.cti_text == ("a model with Proc = {Proc0, Proc1}\nstate 0:\n  lock = none\n  p[Proc0].pc = crit\n"
                          "  p[Proc1].pc = want\nstep 1: p[Proc1].get()\nstate 1 (mutex fails here; changes only):\n"
                          "  lock = Proc1\n  p[Proc1].pc = crit")
    assert {p for p, v in got.items() if isinstance(v, Proved)} == {"rel_by_owner", "range"}


def _post_lemmas_undecided(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every consecution query that assumes the lemmas in the post-state answers unknown; the
    list logs each fresh solver ("new") and each query without them ("bare", then its work limit)."""
    from checker.smt import forall
    from checker.smt.solver import Outcome
    step, inductive, log = forall._Queries._step, forall._Queries._inductive, list[str]()

    def undecided(self: Any, s: Any, p: Any, i: int, post_lemmas: bool, budget: Any = None) -> Outcome:
        out = step(self, s, p, i, post_lemmas, budget)
        if not post_lemmas:
            log.extend(["bare", str((budget or self.budget).rlimit)])
        return Outcome("unknown", "simulated limit") if post_lemmas else out

    def fresh(self: Any, p: Any) -> Any:
        log.append("new")
        return inductive(self, p)
    monkeypatch.setattr(forall._Queries, "_step", undecided)
    monkeypatch.setattr(forall._Queries, "_inductive", fresh)
    return log


def test_an_undecided_consecution_is_asked_again_without_the_post_lemmas(monkeypatch: pytest.MonkeyPatch,
                                                                        tmp_path: Path) -> None:
    """NOTE(forall-bare-post): z3 without an answer when the lemmas are assumed after the step:
    the query without them proves what it can (unsat), and a model of it is no counterexample
    (the post-state may break a lemma): the first answer, unknown, stands, with no CTI."""
    from checker.smt import forall
    plain = {p: type(v) for p, v in for_all(LOCK).items()}
    log = _post_lemmas_undecided(monkeypatch)
    assert {p: type(v) for p, v in for_all(LOCK).items()} == plain
    # each retry on a fresh solver, never on the one whose check was stopped (NOTE(stopped-solver)),
    # with the larger work limit when the user set none
    assert "bare" in log and all(log[k - 1] == "new" for k, x in enumerate(log) if x == "bare")
    assert {log[k + 1] for k, x in enumerate(log) if x == "bare"} == {str(forall.BARE_RLIMIT)}
    log.clear()
    from checker.core.budget import Budget
    from model.lower_param import lower_param_at
    ts = load_spec(LOCK, (), None)[0]
    forall.check_all(ts, ["mutex"], Budget(rlimit=30_000_000), param=lower_param_at(ts.path, ts.params, ts.variant))
    assert {log[k + 1] for k, x in enumerate(log) if x == "bare"} == {"30000000"}
    assert plain["mutex"] is Proved and plain["nobody_or_owner"] is Proved
    m = for_all(without(LOCK, tmp_path, "owner"))["mutex"]
    assert isinstance(m, Unknown) and m.cti_text is None
    assert m.reason == "not proved for all sizes: simulated limit (after p[self].get())"


def test_a_cti_value_chosen_by_a_quantifier_is_printed_as_a_value() -> None:
    """NOTE(cti-ground): the sweeper's `to:` reads `all(done[u] or u == w ...)`; z3's model leaves
    the quantifier unevaluated, so the post-state pc printed as `If(ForAll(q!1, ...), 1, 0)`."""
    got = for_all(SPECS / "forall" / "sweep_end.yaml")["never_ends"]
    assert isinstance(got, Unknown)
    assert got.cti_text == ("a model with Proc = {Proc0}\nstate 0:\n  done[Proc0] = false\n  s.pc = sweep\n"
                            "step 1: s.visit(w=Proc0)\nstate 1 (never_ends fails here; changes only):\n"
                            "  done[Proc0] = true\n  s.pc = end")


def test_refusal_is_located() -> None:
    got = for_all(SPECS / "symmetric_lock.yaml")
    v = got["owner"]
    assert isinstance(v, Unknown)
    where = str(SPECS / "symmetric_lock.yaml")
    assert v.reason == (f"outside the parameterised fragment: {where}:8:21: 'N' read as a number: N is the "
                        "size of symmetric set Proc, which the proof leaves unbounded (and 1 more place)")


COUNT_SPEC = """\
spec: counting
params:
  N: {default: 2, min: 1}
types:
  Proc: {index: N, symmetric: true}
machines:
  p:
    instances: Proc
    states: [idle, busy]
    init: idle
    terminal: [idle, busy]
    transitions:
      go: {from: idle, to: busy}
properties:
  some_idle:
    invariant: "count(p[a].pc == busy for a in Proc) <= 1"
"""


def test_count_above_the_bound_or_against_a_variable_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "counting.yaml"
    f.write_text(COUNT_SPEC.replace("<= 1", "<= 4"))
    v = for_all(f)["some_idle"]
    assert isinstance(v, Unknown)
    assert v.reason == (f"outside the parameterised fragment: {f}:16:17: count(...) <= 4: over a symmetric set "
                        "a count has a quantified meaning only compared with a constant from 0 to 3; any other "
                        "count needs the set's size")


def test_count_at_most_one_fails_from_two_elements(tmp_path: Path) -> None:
    """NOTE(count-quant): `count(..) <= 1` is "no two distinct elements": every process may go
    busy, so it fails from N = 2, and the counterexample to induction has two processes."""
    f = tmp_path / "counting.yaml"
    f.write_text(COUNT_SPEC)
    v = for_all(f)["some_idle"]
    assert isinstance(v, Unknown) and v.cti_text is not None and "Proc1" in v.cti_text, v
    assert isinstance(explicit(f, "N=1")["some_idle"], Proved)
    assert isinstance(explicit(f, "N=2")["some_idle"], Violated)


# count comparisons over the lock (tests/specs/forall/lock.yaml): which hold at every size
COUNTS = {
    "crit_le_1": ("count(p[a].pc == crit for a in Proc) <= 1", True),
    "crit_lt_2": ("count(p[a].pc == crit for a in Proc) < 2", True),
    "two_gt_crit": ("2 > count(p[a].pc == crit for a in Proc)", True),
    "crit_ne_2": ("count(p[a].pc == crit for a in Proc) != 2", True),
    "crit_ge_0": ("count(p[a].pc == crit for a in Proc) >= 0", True),
    "crit_eq_1_or_free": ("count(p[a].pc == crit for a in Proc) == 1 or lock == none", True),
    "want_le_1": ("count(p[a].pc == want for a in Proc) <= 1", False),
    "want_lt_3": ("count(p[a].pc == want for a in Proc) < 3", False),
    "idle_ge_1": ("count(p[a].pc == idle for a in Proc) >= 1", False),
    "want_ne_3": ("count(p[a].pc == want for a in Proc) != 3", False),
}


def test_counts_compared_with_constants_agree_with_every_size(tmp_path: Path) -> None:
    """Each count comparison is proved for all N exactly when it holds at N = 1..4 (those that
    fail do so from N = 1, 2 or 3: never proved)."""
    text = LOCK.read_text().replace("properties:\n", "properties:\n" + "".join(
        f'  {name}: {{invariant: "{expr}"}}\n' for name, (expr, _) in COUNTS.items()), 1)
    f = tmp_path / "lock.yaml"
    f.write_text(text)
    got = for_all(f)
    for name, (_, holds) in COUNTS.items():
        assert isinstance(got[name], Proved if holds else Unknown), (name, got[name])
    for n in (1, 2, 3, 4):
        small = explicit(f, f"N={n}")
        assert all(isinstance(small[name], Proved) for name, (_, holds) in COUNTS.items() if holds), n
    assert {name for name, (_, holds) in COUNTS.items() if not holds} == {
        name for name in COUNTS if isinstance(explicit(f, "N=3")[name], Violated)}


# guards that hold whenever `go` may fire (self idle), so all-busy stays reachable at every size
GO_GUARDS = ["true", "p[self].pc == idle", "any(p[u].pc != busy for u in Proc)", "flag or not flag"]


def _from(m: int, with_lemma: bool, guard: str = "true", stop: bool = False) -> str:
    """A spec whose property fails only once m processes exist: m distinct ones all busy."""
    names = [f"a{i}" for i in range(m)]
    distinct = " and ".join(f"{x} != {y}" for i, x in enumerate(names) for y in names[i + 1:])
    busy = " and ".join(f"p[{x}].pc == busy" for x in names)
    body = f"{distinct} and {busy}"
    for x in reversed(names):
        body = f"any({body} for {x} in Proc)"
    lemma = f"lemmas:\n  same:\n    invariant: \"not {body}\"\n" if with_lemma else ""
    text = COUNT_SPEC.replace("some_idle", "below").replace(
        '"count(p[a].pc == busy for a in Proc) <= 1"', f'"not {body}"')
    text = text.replace("go: {from: idle, to: busy}", f'go: {{from: idle, to: busy, guard: "{guard}", '
                        'effect: {flag: "not flag"}}' + ("\n      stop: {from: busy, to: idle}" if stop else ""))
    return text.replace("machines:", "vars:\n  flag: {type: bool, init: false}\nmachines:") + lemma


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(m=st.integers(4, 6), with_lemma=st.booleans(), guard=st.sampled_from(GO_GUARDS), stop=st.booleans())
def test_a_property_failing_only_from_size_4_is_never_proved(tmp_path: Path, m: int, with_lemma: bool,
                                                             guard: str, stop: bool) -> None:
    f = tmp_path / f"from{m}.yaml"
    f.write_text(_from(m, with_lemma, guard, stop))
    v = for_all(f)["below"]
    assert isinstance(v, Unknown)
    assert v.cti_text is not None and f"Proc{m - 1}" in v.cti_text   # a model with at least m elements
    if m == 4:
        assert isinstance(explicit(f, "N=3")["below"], Proved)
        assert isinstance(explicit(f, "N=4")["below"], Violated)


def _never_proved_where_a_size_violates(tmp_path: Path, text: str) -> None:
    """Differential: a property proved for all N holds at N = 1..3 in the explicit engine."""
    f = tmp_path / "gen.yaml"
    f.write_text(text)
    proved = [p for p, v in for_all(f).items() if isinstance(v, Proved)]
    for n in (1, 2, 3):
        got = explicit(f, f"N={n}")
        assert not [p for p in proved if isinstance(got[p], Violated)], (n, text)


# a few fixed draws in the default run (a generated spec's quantified queries can take z3 a
# minute on a loaded machine); `pytest -m slow` draws many more
@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=symmetric_specs())
def test_generated_symmetric_specs_never_proved_where_a_size_violates(tmp_path: Path, text: str) -> None:
    _never_proved_where_a_size_violates(tmp_path, text)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=symmetric_specs())
def test_generated_symmetric_specs_never_proved_where_a_size_violates_many(tmp_path: Path, text: str) -> None:
    _never_proved_where_a_size_violates(tmp_path, text)


RIGID = SPECS / "forall" / "rigid.yaml"


def test_rigid_map_is_any_function_and_initially_an_axiom() -> None:
    """`group` (init any, never written) is not fixed to one group; `initially:` about it holds in
    every state (NOTE(rigid-axioms)), which group_has_free needs."""
    got = for_all(RIGID)
    g = got["group_has_free"]
    assert isinstance(g, Proved) and g.detail == "for all W >= 1, G >= 1: induction with 0 lemmas"
    assert g.for_all == ("W", "G")
    one = got["one_group"]
    assert isinstance(one, Unknown) and one.reason == "not proved for all sizes: one_group fails in an initial state"


@pytest.mark.parametrize(("w", "g"), [(1, 1), (2, 1), (2, 2), (3, 2), (4, 2)])
def test_rigid_spot_checked_by_the_explicit_engine(w: int, g: int) -> None:
    ts = load_spec(RIGID, (f"W={w}", f"G={g}"))[0]
    # symmetry off: the canonicaliser of main fails on a map between two symmetric sets
    got = {v.prop: v for v in run_instance(ts, ["group_has_free", "one_group", "deadlock", "range"],
                                           RunOptions("explicit", symmetry=False)).verdicts}
    assert all(isinstance(got[p], Proved) for p in ("group_has_free", "deadlock", "range"))
    assert isinstance(got["one_group"], Violated if g > 1 else Proved)


def _json(*args: str, code: int) -> Any:
    """`check ARGS --json`, validated against the result schema."""
    import json

    from click.testing import CliRunner
    from jsonschema import Draft202012Validator

    import cli
    from checker.export.result_json import schema_path
    r = CliRunner().invoke(cli.main, ["check", *args, "--json"], catch_exceptions=False)
    assert r.exit_code == code, r.stdout
    doc = json.loads(r.stdout)
    validator = Draft202012Validator(json.loads(Path(schema_path()).read_text()))
    assert not list(validator.iter_errors(doc))
    return doc


def test_cli_json_carries_for_all_and_the_cti() -> None:
    doc = _json(str(LOCK), "--engine", "kind", "--for-all", "--property", "mutex", code=0)
    v = doc["results"][0]["verdict"]
    assert (v["status"], v["for_all"], v["reason"]) == ("proved", ["N"], "for all N >= 1: induction with 1 lemma (owner)")
    weak = str(SPECS / "forall" / "lock_weak.yaml")
    v = _json(weak, "--engine", "kind", "--for-all", "--property", "mutex", code=3)["results"][0]["verdict"]
    assert v["status"] == "unknown" and "for_all" not in v and v["cti"].startswith("a model with Proc = {Proc0, Proc1}")


def test_cli_for_all_needs_kind() -> None:
    from click.testing import CliRunner

    import cli
    r = CliRunner().invoke(cli.main, ["check", str(LOCK), "--for-all"])
    assert r.exit_code == 2 and "--for-all needs --engine kind (not explicit)" in r.output


def test_a_spec_without_symmetric_sets_has_nothing_to_prove_for_all() -> None:
    root = SPECS.parent.parent / "specs" / "examples" / "counter.yaml"
    got = for_all(root)
    assert all(isinstance(v, Unknown) and v.reason == "outside the parameterised fragment: no symmetric set: the "
               "spec has none sized by a parameter, so there is no size to prove it for" for v in got.values())


@pytest.mark.parametrize(("spec", "where"), [
    ("alloc_nested.yaml", "tests/specs/alloc_nested.yaml:12:3: variable 'grant': a nested or machine-local map"),
    ("records.yaml", "tests/specs/records.yaml:11:3: variable 'last': a record"),
    ("two_phase_sets.yaml", "tests/specs/two_phase_sets.yaml:11:3: variable 'votes': a finite set"),
    ("families.yaml", "tests/specs/families.yaml:22:3: property family 'crit_owner': each member names one "
                      "element of its set (`for:`)"),
])
def test_newer_constructs_are_refused_not_lowered(spec: str, where: str) -> None:
    """Nested/local maps, records, key-dependent init and families are outside the lowering:
    unknown with the place, never a crash and never a proof of another system."""
    got = for_all(SPECS / spec)
    for v in got.values():
        assert isinstance(v, Unknown) and v.reason.startswith("outside the parameterised fragment: ") and where in v.reason, v
