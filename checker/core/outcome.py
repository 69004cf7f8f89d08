"""Checking a spec instance and judging verdicts against expectations: data only, no printing.

Exit codes (one table, used by cli.py):
  0  every property as expected (or holds, where nothing is expected)
  1  a property violated, or an expectation not met
  2  bad input or usage
  3  inconclusive: unknown / timeout / limit, or bounded only when a proof was required
  4  internal error, including engines that disagree
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.core.verdict import HoldsUpTo, Proved, Unknown, Verdict, Violated

EXIT_OK, EXIT_VIOLATED, EXIT_USAGE, EXIT_INCONCLUSIVE, EXIT_INTERNAL = 0, 1, 2, 3, 4

# the table every command's --help ends with (click keeps lines after \b as they are)
EXIT_HELP = """\b
Exit codes:
  0  every property as expected (or holds where nothing is expected)
  1  a property violated, or an expectation not met
  2  bad input or usage (spec errors are printed as file:line:col)
  3  inconclusive: unknown, timeout, resource limit, or bounded only
     when --require-proof was given
  4  internal error, including engines that disagree"""

REPLAY_HELP = EXIT_HELP + """

\b
For replay:
  0  the trace replays and ends in a violation of its property
  1  it does not: the first step whose guard or effect does not match
     is named (or the end is not a violation)
  2  the trace or spec file is malformed (located error)"""


@dataclass(frozen=True)
class Outcome:
    """A verdict judged against what the spec expects: status is ok | failed | inconclusive."""

    verdict: Verdict
    expect: str | None
    status: str
    why: str


def judge(v: Verdict, expect: str | None, require_proof: bool = False) -> Outcome:
    want = expect or "holds"
    if isinstance(v, Violated):
        if want == "violated":
            return Outcome(v, expect, "ok", "violated as expected")
        return Outcome(v, expect, "failed", "violated")
    if isinstance(v, Unknown):
        return Outcome(v, expect, "inconclusive", v.reason)
    if isinstance(v, HoldsUpTo) and v.stopped is not None:   # short of the bound asked for
        return Outcome(v, expect, "inconclusive", f"holds up to depth {v.depth} ({v.stopped})")
    if isinstance(v, HoldsUpTo):
        if want == "violated":
            return Outcome(v, expect, "inconclusive", f"no violation within depth {v.depth}, one was expected")
        if require_proof:
            return Outcome(v, expect, "inconclusive", f"bounded only (depth {v.depth}); a proof was required")
        return Outcome(v, expect, "ok", f"holds up to depth {v.depth} (not a proof)")
    assert isinstance(v, Proved)
    if want == "violated":
        return Outcome(v, expect, "failed", "expected a violation, but the property was proved")
    return Outcome(v, expect, "ok", "proved")


def exit_code(outcomes: list[Outcome]) -> int:
    statuses = {o.status for o in outcomes}
    if "failed" in statuses:
        return EXIT_VIOLATED
    if "inconclusive" in statuses:
        return EXIT_INCONCLUSIVE
    return EXIT_OK


def _engine(v: Verdict) -> str:
    """The engine, and the depths an explicit prefix decided (NOTE(explicit-prefix) in
    checker/smt/prefix.py): the reader sees which depths no SAT query was asked for."""
    j = dict(v.provenance.stats).get("prefix", 0)
    return f"{v.provenance.engine}, depths 0-{j} by explicit search" if j else v.provenance.engine


def describe(v: Verdict) -> str:
    """One phrase saying what was established and how."""
    eng = _engine(v)
    if isinstance(v, Proved):
        return f"proved ({eng}: {v.detail})"
    if isinstance(v, HoldsUpTo):
        stopped = f"{v.stopped}; " if v.stopped is not None else ""
        return f"holds up to depth {v.depth} ({stopped}{eng}; bounded, not a proof)"
    if isinstance(v, Violated):
        refuted = dict(v.provenance.stats).get("refuted_to", v.trace.depth - 1)
        first, last = refuted + 1, v.trace.depth - 1   # depths not refuted below it (NOTE(bmc-hunt))
        undecided = "" if first > last else f"; maybe not the shortest: depth {first} undecided" \
            if first == last else f"; maybe not the shortest: depths {first}-{last} undecided"
        return f"VIOLATED at depth {v.trace.depth} ({eng}{undecided})"
    return f"unknown ({eng}: {v.reason})"
