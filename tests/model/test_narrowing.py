"""NOTE(narrowing) in model/elaborate.py: a transition's guard narrows the types in its effect
and call (`q[n]` under `n < Q`, an LP? under `!= none`), and only there."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.core.budget import Budget
from checker.core.verdict import Proved, Violated
from checker.explicit.search import explore
from checker.smt import bmc
from model.diagnostics import SpecError
from model.load import load_spec, load_text

SPEC = Path(__file__).resolve().parent.parent / "specs" / "narrowing.yaml"


def test_guarded_index_and_option_are_accepted_and_checked() -> None:
    [ts] = load_spec(SPEC)
    r = explore(ts)
    assert (r.states, r.diameter) == (36, 7)
    assert isinstance(r.verdict("range"), Proved) and isinstance(r.verdict("deadlock"), Proved)
    full = r.verdict("full")
    assert isinstance(full, Violated) and full.trace.labels(ts) == ("cpu.push()", "cpu.push()")
    b = bmc.check(ts, "full", Budget(max_depth=3, seed=0))
    assert isinstance(b, Violated) and b.trace.depth == 2


def _error(old: str, new: str) -> tuple[str, str]:
    with pytest.raises(SpecError) as e:
        load_text(SPEC.read_text().replace(old, new), "narrowing.yaml")
    [d] = e.value.diagnostics
    return d.code, d.message


@pytest.mark.parametrize(("guard", "message"), [
    ("n <= Q", "key of type 0..2 may fall outside the keys Slot of 'q'"),     # n may be Q
    ("n != 5", "key of type 0..2 may fall outside the keys Slot of 'q'"),
    ("n < Q or true", "key of type 0..2 may fall outside the keys Slot of 'q'"),   # not a conjunct
])
def test_only_facts_that_bound_the_key_narrow(guard: str, message: str) -> None:
    assert _error('guard: "n < Q"', f'guard: "{guard}"') == ("SC305", message)


def test_option_is_narrowed_only_under_not_none() -> None:
    assert _error('guard: "kcpu != none", call', 'guard: "true", call') == (
        "SC301", "argument 'p' of 'vp_flush' has type LP?")


def test_a_binding_the_fact_reads_drops_the_fact() -> None:
    from model.elaborate import Env
    from model.ir import Const
    from model.sorts import IntSort
    from model.syntax import Index, Name
    span = None
    key = Index(Name("q", span), Name("n", span), span)  # type: ignore[arg-type]
    env = Env(narrow=((key, IntSort(0, 1)),))
    one = Const(1, IntSort(1, 1))
    assert env.bind("k", one).narrow == env.narrow
    assert env.bind("n", one).narrow == () and env.bind("q", one).narrow == ()
