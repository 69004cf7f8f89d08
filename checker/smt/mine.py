"""Candidate invariants for lemma mining (Houdini): templates filled in from sampled states.

NOTE(mining): a candidate says which values a state component may take, optionally under one
premise: `x in S`, or `x == a => y in S`. Components are global slots and, for every symmetric
index set (NOTE(symmetry)), families of slots indexed by it (`mstate[v]`) plus tests of a slot
holding that element (`td.cur == v`). A candidate over a family is one statement for every
element (`all(... for v in VCPU)`), or, with `cross`, a premise about v and a conclusion about
every other element w. The sets S are read off states sampled from the reachable ones (a capped
breadth-first search and random walks), so a candidate is at least true of the sample;
checker/smt/houdini.py then weakens them until their conjunction is inductive. The sample only
makes the start strong: soundness comes from the inductiveness check alone.

No z3 here: candidates are plain values, evaluated on concrete states and lowered to the IR.
"""

from __future__ import annotations

import itertools
import operator
import random
from collections import deque
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace

from checker.core.semantics import initial_states, successor
from checker.traces.trace import State
from model import smart
from model.evaluate import compile_expr
from model.ir import Const, Expr, Property, TransitionSystem, Var
from model.sorts import BOOL, NONE_VALUE, BoolSort, IndexSort, OptionSort, Sort, contains, size

MAX_REF_VALUES = 1_024     # components with more values than this are not mined over


@dataclass(frozen=True)
class Ref:
    """A state component. `text` is its spec-syntax name, with `{v}` for the element of `over`.

    test "": the value of the slot (one slot, or one per element of `over`), of sort `sort`;
    "is_elem": whether the slot holds the element, "is_none": whether it holds none, "any":
    whether some slot of `slots` holds `value` (bools; `slot_sort` is the slots' own sort).
    """

    text: str
    slots: tuple[int, ...]
    sort: Sort
    over: str | None = None
    test: str = ""
    slot_sort: Sort = BOOL
    value: int = 0

    def at(self, s: Sequence[int], e: int) -> int:
        if self.test == "is_elem":
            return int(s[self.slots[0]] == e)
        if self.test == "is_none":
            return int(s[self.slots[0]] == NONE_VALUE)
        if self.test == "any":
            return int(any(s[i] == self.value for i in self.slots))
        return s[self.slots[e]] if self.over is not None else s[self.slots[0]]

    def getter(self, e: int) -> Callable[[Sequence[int]], int]:
        """at(., e) as one closure (the sample's rows are built with these)."""
        slot, slots, x = self.slots[0], self.slots, self.value
        if self.test == "is_elem":
            return lambda s: int(s[slot] == e)
        if self.test == "is_none":
            return lambda s: int(s[slot] == NONE_VALUE)
        if self.test == "any":
            return lambda s: int(any(s[i] == x for i in slots))
        return operator.itemgetter(self.slots[e] if self.over is not None else slot)

    def values(self) -> tuple[int, ...]:
        return (0, 1) if isinstance(self.sort, BoolSort) else tuple(self.sort.values())

    def ir(self, e: int) -> Expr:
        """The component for element e, as an IR expression."""
        if self.test == "":
            return Var(self.slots[e] if self.over is not None else self.slots[0], self.sort)
        if self.test == "any":
            return smart.Or(*(_is(Var(i, self.slot_sort), self.value) for i in self.slots))
        v = NONE_VALUE if self.test == "is_none" else e
        return smart.Eq(Var(self.slots[0], self.slot_sort), Const(v, self.slot_sort))


Atom = tuple[Ref, int]    # the component has this value


@dataclass(frozen=True)
class Candidate:
    """`premises => target in allowed` (no premises: `target in allowed`); see NOTE(mining).
    With `cross`, the premises are about element v and the target about each other element w."""

    target: Ref
    allowed: frozenset[int]
    premises: tuple[Atom, ...] = ()
    cross: bool = False

    @property
    def over(self) -> str | None:
        refs = [self.target, *(r for r, _ in self.premises)]
        return next((r.over for r in refs if r.over is not None), None)

    def pairs(self, sizes: dict[str, int]) -> list[tuple[int, int]]:
        """(premise element, target element) of every instance."""
        n = sizes[self.over] if self.over is not None else 1
        if self.cross:
            return [(v, w) for v in range(n) for w in range(n) if v != w]
        return [(v, v) for v in range(n)]

    def holds(self, s: Sequence[int], sizes: dict[str, int]) -> bool:
        return all(self._holds_at(s, v, w) for v, w in self.pairs(sizes))

    def _holds_at(self, s: Sequence[int], v: int, w: int) -> bool:
        if any(r.at(s, v) != a for r, a in self.premises):
            return True
        return self.target.at(s, w) in self.allowed

    def weakened(self, s: Sequence[int], sizes: dict[str, int]) -> Candidate | None:
        """The candidate with the values it forbids in s allowed; None when it says nothing."""
        extra = {self.target.at(s, w) for v, w in self.pairs(sizes) if not self._holds_at(s, v, w)}
        allowed = self.allowed | extra
        return None if allowed >= set(self.target.values()) else replace(self, allowed=allowed)

    def ir(self, sizes: dict[str, int]) -> Expr:
        return smart.And(*(self._ir_at(v, w) for v, w in self.pairs(sizes)))

    def _ir_at(self, v: int, w: int) -> Expr:
        t = self.target.ir(w)
        body = smart.Or(*(_is(t, x) for x in sorted(self.allowed)))
        return smart.Implies(smart.And(*(_is(r.ir(v), a) for r, a in self.premises)), body)

    def text(self) -> str:
        """The candidate in spec syntax (docs/spec-language.md), ready to paste as a lemma."""
        premise = " and ".join(_atom_text(r, a, "v") for r, a in self.premises)
        if self.cross:
            body = f"all({_in_text(self.target, self.allowed, 'w')} for w in {self.over} if w != v)"
        else:
            body = _in_text(self.target, self.allowed, "v")
        if premise and not self.allowed:     # the premises never hold together
            body = (_atom_text(*self.premises[0], "v", negated=True) if len(self.premises) == 1
                    else f"not ({premise})")
        elif premise:
            body = f"{premise} => {body}"
        return body if self.over is None else f"all({body} for v in {self.over})"


def _is(e: Expr, x: int) -> Expr:
    if isinstance(e.sort, BoolSort):
        return e if x else smart.Not(e)
    return smart.Eq(e, Const(x, e.sort))


def _name(r: Ref, elem: str) -> str:
    return r.text.replace("{v}", elem)


def _atom_text(r: Ref, x: int, elem: str, negated: bool = False) -> str:
    """`component == x` in spec syntax (`!=` when negated)."""
    name = _name(r, elem)
    if isinstance(r.sort, BoolSort):
        return name if bool(x) != negated else _negate(name)
    return f"{name} {'!=' if negated else '=='} {r.sort.render(x)}"


def _negate(name: str) -> str:
    """The negation of a boolean component's text: `x == a` (an element or none test) becomes
    `x != a`; anything else, quantifiers included (`any(y[v] == b for v in P)`), gets `not`."""
    if " == " in name and not name.startswith("any("):
        return name.replace(" == ", " != ")
    return f"not {name}"


def _in_text(r: Ref, allowed: frozenset[int], elem: str) -> str:
    if len(allowed) == 1:
        return _atom_text(r, next(iter(allowed)), elem)
    name, rest = _name(r, elem), sorted(set(r.values()) - allowed)
    if len(rest) == 1:
        return f"{name} != {r.sort.render(rest[0])}"
    vals = sorted(allowed) if len(allowed) <= len(rest) else rest
    word = "in" if vals is not rest else "not in"
    return f"{name} {word} {{{', '.join(r.sort.render(x) for x in vals)}}}"


# ---- components ------------------------------------------------------------------------------


def _sym(s: Sort | None) -> IndexSort | None:
    inner = s.inner if isinstance(s, OptionSort) else s
    return inner if isinstance(inner, IndexSort) and inner.symmetric else None


def refs(ts: TransitionSystem, quantified: bool = False) -> list[Ref]:
    """Every component the templates talk about (NOTE(mining)), globals first; `quantified`
    adds, for each value of each family, whether some element has it (`any(...)`)."""
    out: list[Ref] = []
    families: dict[tuple[str, str], dict[int, int]] = {}
    for i, var in enumerate(ts.vars):
        key, val = _sym(var.key_sort), _sym(var.sort)
        if var.keys:   # a cell of a nested or machine-local map: not a family over one set
            continue
        if key is not None and val is None and var.key_value is not None:
            families.setdefault((var.base, key.name), {})[var.key_value] = i
        elif key is None and val is not None:
            out.append(Ref(f"{var.name} == {{v}}", (i,), BOOL, val.name, "is_elem", var.sort))
            if isinstance(var.sort, OptionSort):
                out.append(Ref(f"{var.name} == none", (i,), BOOL, None, "is_none", var.sort))
        elif key is None:
            out.append(Ref(var.name, (i,), var.sort))
    for (_, over), cells in families.items():
        slots = tuple(cells[e] for e in sorted(cells))
        first = ts.vars[slots[0]]
        text = first.name.replace(f"[{first.key}]", "[{v}]", 1)
        out.append(Ref(text, slots, first.sort, over))
        if quantified and size(first.sort) <= MAX_REF_VALUES:
            out += [_some(text, slots, first.sort, over, x) for x in first.sort.values()]
    # a component over a large domain (a 0..10**9 counter) gives no useful `x in S` and would
    # cost its whole domain in every set operation: mining leaves it out (NOTE(mining))
    return [r for r in out if 1 < size(r.sort) <= MAX_REF_VALUES]


def _some(text: str, slots: tuple[int, ...], sort: Sort, over: str, x: int) -> Ref:
    atom = _atom_text(Ref(text, slots, sort, over), x, "v")
    return Ref(f"any({atom} for v in {over})", slots, BOOL, None, "any", sort, x)


def symmetric_sizes(ts: TransitionSystem) -> dict[str, int]:
    out: dict[str, int] = {}
    for var in ts.vars:
        for s in (var.key_sort, var.sort):
            if (sym := _sym(s)) is not None:
                out[sym.name] = sym.size
    return out


# ---- sampling ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleSize:
    """How many reachable states to sample: a breadth-first prefix, then random walks (seeded)."""

    bfs_states: int = 20_000
    walks: int = 200
    walk_depth: int = 60
    seed: int = 0


class _Stepper:
    def __init__(self, ts: TransitionSystem):
        self.ts = ts
        self.guards = [compile_expr(a.guard) for a in ts.actions]
        self.updates = [[(slot, compile_expr(e)) for slot, e in a.updates] for a in ts.actions]
        self.sorts = [v.sort for v in ts.vars]

    def successors(self, s: State) -> list[State]:
        out = []
        for g, ups in zip(self.guards, self.updates, strict=True):
            if g(s):
                t = successor(s, ups)
                # a step storing an out-of-range value has no post-state (NOTE(range-steps))
                if all(contains(self.sorts[slot], t[slot]) for slot, _ in ups):
                    out.append(t)
        return out


DEFAULT_SAMPLE = SampleSize()


def stepper(ts: TransitionSystem) -> Callable[[State], list[State]]:
    """The successors of a state as sampling takes them (in-range post-states only)."""
    return _Stepper(ts).successors


def sample(ts: TransitionSystem, size: SampleSize = DEFAULT_SAMPLE) -> list[State]:
    """Reachable states: every initial state, a breadth-first prefix, and random walks."""
    step = _Stepper(ts)
    inits = initial_states(ts)
    seen: dict[State, None] = dict.fromkeys(inits)
    queue = deque(inits)
    while queue and len(seen) < size.bfs_states:
        for t in step.successors(queue.popleft()):
            if t not in seen:
                seen[t] = None
                queue.append(t)
    rng = random.Random(size.seed)
    for _ in range(size.walks if inits else 0):
        s = rng.choice(inits)
        for _ in range(size.walk_depth):
            nxt = step.successors(s)
            if not nxt:
                break
            s = rng.choice(nxt)
            seen.setdefault(s, None)
    return list(seen)


# ---- templates ---------------------------------------------------------------------------------


def candidates(ts: TransitionSystem, states: Iterable[State]) -> list[Candidate]:
    """Every template instance true of `states` and not implied by a one-component candidate
    (NOTE(mining)): component value sets, then pairs under one premise."""
    rs, sizes = refs(ts), symmetric_sizes(ts)
    glob = [r for r in rs if r.over is None]
    states = list(states)
    if not states:        # no initial state: nothing to generalise from
        return []
    out: list[Candidate] = []
    grows = {tuple(r.at(s, 0) for r in glob) for s in states}
    out += _pairs(glob, glob, grows, cross=False)
    for over, n in sizes.items():
        fam = [r for r in rs if r.over == over]
        if not fam:
            continue
        frows = {tuple(r.at(s, v) for r in fam) + tuple(r.at(s, 0) for r in glob)
                 for s in states for v in range(n)}
        out += _pairs([*fam, *glob], [*fam, *glob], frows, cross=False, skip_global=len(fam))
        xrows = {tuple(r.at(s, v) for r in fam) + tuple(r.at(s, w) for r in fam)
                 for s in states for v in range(n) for w in range(n) if v != w}
        out += _cross(fam, xrows)
    return out


def _pairs(prem: list[Ref], targ: list[Ref], rows: set[tuple[int, ...]], cross: bool,
           skip_global: int | None = None) -> list[Candidate]:
    """Unary and premise candidates over the columns of `rows` (prem and targ both name its
    columns). With skip_global = k, columns from k on are globals, already covered on their own:
    only candidates with a per-element column are made."""
    cols = list(zip(*rows, strict=True)) if rows else []
    k = len(targ) if skip_global is None else skip_global
    out: list[Candidate] = []
    unary = [frozenset(c) for c in cols]
    out += [Candidate(t, unary[j]) for j, t in enumerate(targ[:k]) if unary[j] != set(t.values())]
    for i, j in itertools.product(range(len(prem)), range(len(targ))):
        if i != j and (i < k or j < k):
            out += _implications(prem[i], targ[j], set(zip(cols[i], cols[j], strict=True)), unary[j], cross)
    return out


def _implications(p: Ref, t: Ref, seen: set[tuple[int, int]], unary: frozenset[int],
                  cross: bool) -> list[Candidate]:
    """`p == a => t in S_a` for each premise value a, where S_a is narrower than t's own set."""
    sets: dict[int, set[int]] = {}
    for a, b in seen:
        sets.setdefault(a, set()).add(b)
    return [Candidate(t, frozenset(s), ((p, a),), cross) for a, s in sorted(sets.items()) if not s >= unary]


def _cross(fam: list[Ref], rows: set[tuple[int, ...]]) -> list[Candidate]:
    """A premise about element v, a target about every other element w."""
    k = len(fam)
    cols = list(zip(*rows, strict=True)) if rows else []
    out: list[Candidate] = []
    for i, j in itertools.product(range(k), range(k)):
        out += _implications(fam[i], fam[j], set(zip(cols[i], cols[k + j], strict=True)),
                             frozenset(cols[k + j]), cross=True)
    return out


class Index:
    """The sample as bitsets, to find candidates that exclude a given state (NOTE(mining)).

    A table per row kind: globals (one row per sampled state), and per symmetric set (one row per
    state and element: the family's columns, then the globals). masks[c][x] has bit r set when
    row r has value x in column c.
    """

    def __init__(self, ts: TransitionSystem, states: Sequence[State]):
        self.sizes = symmetric_sizes(ts)
        rs = refs(ts, quantified=True)
        glob = [r for r in rs if r.over is None]
        self.tables: list[_Table] = [_Table(glob, len(glob), None, _rows(glob, states, 1))]
        for over, n in self.sizes.items():
            cols = [*(r for r in rs if r.over == over), *glob]
            fam = len(cols) - len(glob)
            if fam:
                self.tables.append(_Table(cols, fam, over, _rows(cols, states, n)))

    def unary(self) -> list[Candidate]:
        """`x in S` for every component, S its sampled values (when not all of its sort)."""
        out: list[Candidate] = []
        for t in self.tables:
            for c, col in enumerate(t.cols[: t.own]):
                seen = frozenset(t.masks[c]) if t.masks else frozenset()
                if seen and seen != set(col.values()) and col.test != "any":
                    out.append(Candidate(col, seen))
        return out

    def excluding(self, s: State, skip: Collection[Candidate] = (), limit: int | None = None) -> list[Candidate]:
        """Candidates that s falsifies and no sampled state does, not in `skip`, most general
        first (fewer premises, then premises true of more sampled rows), at most `limit`. Two
        premises are tried only when one gives fewer than `limit` (they are ranked after)."""
        out: dict[Candidate, tuple[int, int]] = {}
        for premises in (1, 2):
            for t in self.tables:
                for e in range(self.sizes[t.over] if t.over is not None else 1):
                    for score, c in t.excluding(tuple(col.at(s, e) for col in t.cols), premises):
                        if c not in skip:
                            out[c] = min(out.get(c, score), score)
            if limit is not None and len(out) >= limit:
                break
        if limit is None or len(out) < limit:
            for t in self.tables:
                for e in range(self.sizes[t.over] if t.over is not None else 1):
                    for score, c in t.generalised(tuple(col.at(s, e) for col in t.cols)):
                        if c not in skip:
                            out[c] = min(out.get(c, score), score)
        return sorted(out, key=out.__getitem__)[:limit]


def _rows(cols: list[Ref], states: Sequence[State], n: int) -> set[tuple[int, ...]]:
    """The distinct rows of `cols` over the states, one per state and element (of n)."""
    out: set[tuple[int, ...]] = set()
    for e in range(n):
        get = [c.getter(e) for c in cols]
        out.update(tuple(g(s) for g in get) for s in states)
    return out


class _Table:
    def __init__(self, cols: list[Ref], own: int, over: str | None, rows: set[tuple[int, ...]]):
        self.cols, self.own, self.over = cols, own, over
        self.every = (1 << len(rows)) - 1     # the mask of every row
        self.masks = [_masks(col) for col in zip(*sorted(rows), strict=True)] if rows else []

    def excluding(self, row: tuple[int, ...], premises: int) -> list[tuple[tuple[int, int], Candidate]]:
        """Candidates over this table's columns (at least one of them the table's own) that
        `row` falsifies and no sampled row does, with 1 (`a => t in S`) or 2 (`a and b => t in
        S`) premises, each with its rank (premises, minus the sampled rows they hold in)."""
        if not self.masks:    # no sampled state (no initial state): nothing to generalise from
            return []
        m = [self.masks[c].get(x, 0) for c, x in enumerate(row)]
        out: list[tuple[tuple[int, int], Candidate]] = []
        n = len(self.cols)
        for i in range(n):
            if premises == 1:
                out += self._targets((i,), m[i], row, m)
                continue
            for j in range(i + 1, n):
                if m[i] & m[j] and m[i] & m[j] != m[i] and m[i] & m[j] != m[j]:
                    out += self._targets((i, j), m[i] & m[j], row, m)
        return out

    def generalised(self, row: tuple[int, ...]) -> list[tuple[tuple[int, int], Candidate]]:
        """NOTE(cube-mining): the row as a cube of atoms (column == its value), generalised as in
        IC3 but against the sample instead of the solver: atoms are dropped, the commonest
        first, while no sampled row matches what is left. The cube's last atom becomes the
        target (the values the premises allow in the sample), the rest its premises: a
        candidate of any number of premises, where `excluding` stops at two. Nothing here is
        trusted: the candidate is only as true as the sample is complete, and Houdini keeps it
        only if it is inductive (NOTE(houdini)). When the sample is the whole reachable set (a
        breadth-first prefix that ran out of states), every such candidate is an invariant, and
        one that consecution breaks gets its breaking pre-state excluded the same way
        (NOTE(cti-mining)): IC3 with the reachable set as its oracle. None when a sampled row
        matches the whole row (the state was sampled: nothing excludes it)."""
        if not self.masks:
            return []
        m = [self.masks[c].get(x, 0) for c, x in enumerate(row)]
        cube = sorted(range(len(row)), key=lambda c: (-m[c].bit_count(), c))

        def matching(cols: list[int]) -> int:
            out = self.every
            for c in cols:
                out &= m[c]
            return out

        if matching(cube):
            return []
        for c in list(cube):
            rest = [x for x in cube if x != c]
            if rest and not matching(rest):
                cube = rest
        if not any(c < self.own for c in cube) or len(cube) <= 1:
            return []
        prem = cube[:-1]     # minimal: the premises match some sampled rows, never with the last atom
        return self._targets(tuple(prem), matching(prem), row, m)

    def _targets(self, prem: tuple[int, ...], mask: int, row: tuple[int, ...],
                 m: list[int]) -> list[tuple[tuple[int, int], Candidate]]:
        out = []
        rank = (len(prem), -mask.bit_count())
        for t in range(len(self.cols)):
            if t in prem or mask & m[t] or not any(x < self.own for x in (*prem, t)):
                continue
            allowed = frozenset(x for x, bits in self.masks[t].items() if bits & mask)
            atoms = tuple((self.cols[i], row[i]) for i in prem)
            out.append((rank, Candidate(self.cols[t], allowed, atoms)))
        return out


def _masks(col: Sequence[int]) -> dict[int, int]:
    """value -> bitset of the rows holding it (built through bytes: or-ing bits one by one
    into a growing int is quadratic)."""
    where: dict[int, bytearray] = {}
    for r, x in enumerate(col):
        buf = where.setdefault(x, bytearray(len(col) // 8 + 1))
        buf[r >> 3] |= 1 << (r & 7)
    return {x: int.from_bytes(buf, "little") for x, buf in where.items()}


def as_lemmas(ts: TransitionSystem, found: Sequence[Candidate], prefix: str = "mined") -> tuple[Property, ...]:
    """Candidates as invariant lemmas (for k-induction), named prefix_0, prefix_1, ..."""
    sizes = symmetric_sizes(ts)
    return tuple(Property(f"{prefix}_{i}", "invariant", pred=c.ir(sizes), doc=c.text())
                 for i, c in enumerate(found))


