"""Generated specs in the surface language, with their meaning written out in Python.

gen_ir.py draws transition systems (the IR every engine reads); this module draws spec TEXT that
uses the constructs which lower to that IR (a finite set, a record and a nested map, assigned
whole and in parts, read in guards, effects and invariants), and, from the same draw, an
independent Python model of the spec: a frozenset, a tuple and a tuple of tuples, stepped by
lambdas written here, not by seamcheck. Where the lowering (model/sets.py, model/records.py,
the nested-map keys) is wrong, the state counts or the verdicts of the two differ.

Every template is a pair: the spec text, with X for the transition's element (`self` or its
parameter `k`), and the Python function of (state, self, k, N) it means. Effects of one
transition read the pre-state and write distinct targets (the language's simultaneous
assignment).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import strategies as st

# a state: (set s, record r as (a, c), nested map m as a tuple of rows)
State = tuple[frozenset[int], tuple[bool, int], tuple[tuple[bool, ...], ...]]
Guard = Callable[[State, int, int, int], bool]
Value = Callable[[State, int, int, int], object]


def _x(which: str, i: int, k: int) -> int:
    return i if which == "self" else k


def _guards(x: str) -> list[tuple[str, Guard]]:
    return [
        ("true", lambda st, i, k, n: True),
        (f"{x} not in s", lambda st, i, k, n: _x(x, i, k) not in st[0]),
        (f"{x} in s", lambda st, i, k, n: _x(x, i, k) in st[0]),
        ("len(s) < 2", lambda st, i, k, n: len(st[0]) < 2),
        ("r.a", lambda st, i, k, n: st[1][0]),
        ("not r.a and r.c < 2", lambda st, i, k, n: not st[1][0] and st[1][1] < 2),
        ("m[self][k]", lambda st, i, k, n: st[2][i][k]),
        ("not m[k][self]", lambda st, i, k, n: not st[2][k][i]),
        ("s <= {0}", lambda st, i, k, n: st[0] <= {0}),
        ("r == {a: false, c: 0}", lambda st, i, k, n: st[1] == (False, 0)),
    ]


# effects by target; the Python side returns the target's new value
def _set_effects(x: str) -> list[tuple[str, Value]]:
    return [
        (f"s | {{{x}}}", lambda st, i, k, n: st[0] | {_x(x, i, k)}),
        (f"s - {{{x}}}", lambda st, i, k, n: st[0] - {_x(x, i, k)}),
        ("{}", lambda st, i, k, n: frozenset()),
        (f"s & {{{x}}}", lambda st, i, k, n: st[0] & {_x(x, i, k)}),
    ]


def _rec_effects(x: str) -> list[tuple[str, str, Value]]:
    """(target, text, new value of the whole record)."""
    return [
        ("r.a", "not r.a", lambda st, i, k, n: (not st[1][0], st[1][1])),
        ("r.a", f"{x} in s", lambda st, i, k, n: (_x(x, i, k) in st[0], st[1][1])),
        ("r.c", "(r.c + 1) % 3", lambda st, i, k, n: (st[1][0], (st[1][1] + 1) % 3)),
        ("r.c", "len(s) % 3", lambda st, i, k, n: (st[1][0], len(st[0]) % 3)),
        ("r", "{a: m[self][k], c: min(r.c + 1, 2)}", lambda st, i, k, n: (st[2][i][k], min(st[1][1] + 1, 2))),
        ("r", "{c: 0, a: not r.a}", lambda st, i, k, n: (not st[1][0], 0)),
    ]


def _map_effects(x: str) -> list[tuple[str, str, Callable[[int, int], tuple[int, int]], Value]]:
    """(target text, value text, the cell written, its new value)."""
    return [
        ("m[self][k]", "not m[self][k]", lambda i, k: (i, k), lambda st, i, k, n: not st[2][i][k]),
        ("m[k][self]", f"{x} in s", lambda i, k: (k, i), lambda st, i, k, n: _x(x, i, k) in st[0]),
        ("m[self][k]", "r.a", lambda i, k: (i, k), lambda st, i, k, n: st[1][0]),
    ]


INVARIANTS: list[tuple[str, Callable[[State, int], bool]]] = [
    ("len(s) <= 1", lambda st, n: len(st[0]) <= 1),
    ("not (r.a and r.c == 2)", lambda st, n: not (st[1][0] and st[1][1] == 2)),
    ("all(all(not m[a][b] or a in s for b in Node) for a in Node)",
     lambda st, n: all(not st[2][a][b] or a in st[0] for a in range(n) for b in range(n))),
    ("r.c != 2 or len(s) > 0", lambda st, n: st[1][1] != 2 or len(st[0]) > 0),
    ("count(m[a][a] for a in Node) < 2", lambda st, n: sum(st[2][a][a] for a in range(n)) < 2),
    ("s != {0}", lambda st, n: st[0] != {0}),
    ("r != {a: true, c: 1}", lambda st, n: st[1] != (True, 1)),
]

SET_INITS: list[tuple[str, frozenset[int]]] = [("{}", frozenset()), ("{0}", frozenset({0}))]
MAP_INITS: list[tuple[str, Callable[[int, int], bool]]] = [
    ("false", lambda a, b: False),
    ("a == b for a in Node for b in Node", lambda a, b: a == b),
]


@dataclass(frozen=True)
class Step:
    """One drawn transition: its text and its meaning."""

    text: str
    guard: Guard
    writes_set: Value | None
    writes_rec: Value | None
    writes_map: tuple[Callable[[int, int], tuple[int, int]], Value] | None


@dataclass(frozen=True)
class Drawn:
    n: int
    text: str
    init: State
    steps: tuple[Step, ...]
    invariant: Callable[[State, int], bool]

    def successors(self, st: State) -> list[State]:
        out = []
        for i in range(self.n):
            for k in range(self.n):
                for step in self.steps:
                    if step.guard(st, i, k, self.n):
                        out.append(_apply(step, st, i, k, self.n))
        return out

    def explore(self) -> tuple[int, int, int | None]:
        """(states, transitions, depth of the shortest violation or None), by BFS."""
        depth = {self.init: 0}
        queue, edges, bad = deque([self.init]), 0, None
        while queue:
            st = queue.popleft()
            if bad is None and not self.invariant(st, self.n):
                bad = depth[st]
            for t in self.successors(st):
                edges += 1
                if t not in depth:
                    depth[t] = depth[st] + 1
                    queue.append(t)
        return len(depth), edges, bad


def _apply(step: Step, st: State, i: int, k: int, n: int) -> State:
    s, r, m = st
    new_s = step.writes_set(st, i, k, n) if step.writes_set else s
    new_r = step.writes_rec(st, i, k, n) if step.writes_rec else r
    if step.writes_map:
        cell, value = step.writes_map
        a, b = cell(i, k)
        rows = [list(row) for row in m]
        rows[a][b] = bool(value(st, i, k, n))
        m = tuple(tuple(row) for row in rows)
    return frozenset(new_s), new_r, m  # type: ignore[arg-type]


@st.composite
def steps(draw: st.DrawFn, name: str) -> Step:
    x = draw(st.sampled_from(["self", "k"]))
    gtext, guard = draw(st.sampled_from(_guards(x)))
    effects: list[str] = []
    ws = wr = wm = None
    if draw(st.booleans()):
        text, ws = draw(st.sampled_from(_set_effects(x)))
        effects.append(f's: "{text}"')
    if draw(st.booleans()):
        target, text, wr = draw(st.sampled_from(_rec_effects(x)))
        effects.append(f'"{target}": "{text}"')
    if draw(st.booleans()) or not effects:
        target, text, cell, value = draw(st.sampled_from(_map_effects(x)))
        effects.append(f'"{target}": "{text}"')
        wm = (cell, value)
    line = f'      {name}: {{params: {{k: Node}}, guard: "{gtext}", effect: {{{", ".join(effects)}}}}}'
    return Step(line, guard, ws, wr, wm)


@st.composite
def specs(draw: st.DrawFn, max_n: int = 3) -> Drawn:
    n = draw(st.integers(1, max_n))
    stext, s0 = draw(st.sampled_from(SET_INITS))
    a0, c0 = draw(st.booleans()), draw(st.integers(0, 2))
    mtext, mcell = draw(st.sampled_from(MAP_INITS))
    drawn = [draw(steps(f"t{j}")) for j in range(draw(st.integers(1, 3)))]
    itext, inv = draw(st.sampled_from(INVARIANTS))
    text = "\n".join([
        "spec: gen_surface",
        "check_deadlock: false",
        "params:",
        f"  N: {{default: {n}, min: 1, max: 3}}",
        "types:",
        "  Node: {index: N}",
        '  Rec: {record: {a: bool, c: "0..2"}}',
        "vars:",
        f'  s: {{type: "set[Node]", init: "{stext}"}}',
        f'  r: {{type: Rec, init: "{{a: {str(a0).lower()}, c: {c0}}}"}}',
        f'  m: {{type: "map Node -> map Node -> bool", init: "{mtext}"}}',
        "machines:",
        "  p:",
        "    instances: Node",
        "    states: [run]",
        "    init: run",
        "    transitions:",
        *(step.text for step in drawn),
        "properties:",
        f'  inv: {{invariant: "{itext}"}}',
        "",
    ])
    init: State = (s0, (a0, c0), tuple(tuple(mcell(a, b) for b in range(n)) for a in range(n)))
    return Drawn(n, text, init, tuple(drawn), inv)
