"""Finite sorts. Every value of every sort is a Python int (bools are 0/1 as Python bools).

NOTE(value-encoding): enum members are their position in the member list, index-set elements
are 0..size-1, an option's `none` is -1 (options wrap only enums and index sets, whose values
are never negative). Engines and exporters rely on this one encoding.
"""

from __future__ import annotations

from dataclasses import dataclass

NONE_VALUE = -1


@dataclass(frozen=True)
class BoolSort:
    def values(self) -> tuple[int, ...]:
        return (False, True)

    def render(self, v: int) -> str:
        return "true" if v else "false"

    def __str__(self) -> str:
        return "bool"


@dataclass(frozen=True)
class IntSort:
    lo: int
    hi: int

    def values(self) -> tuple[int, ...]:
        return tuple(range(self.lo, self.hi + 1))

    def render(self, v: int) -> str:
        return str(v)

    def __str__(self) -> str:
        return f"{self.lo}..{self.hi}"


@dataclass(frozen=True)
class EnumSort:
    name: str
    members: tuple[str, ...]

    def values(self) -> tuple[int, ...]:
        return tuple(range(len(self.members)))

    def render(self, v: int) -> str:
        return self.members[v] if 0 <= v < len(self.members) else f"<{self.name}?{v}>"

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class IndexSort:
    """An index set derived from a parameter: the elements 0..size-1 (e.g. VCPU, LP)."""

    name: str
    size: int
    symmetric: bool = False     # NOTE(symmetry): elements are interchangeable (checker/symmetry/canon.py)

    def values(self) -> tuple[int, ...]:
        return tuple(range(self.size))

    def render(self, v: int) -> str:
        return str(v)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class OptionSort:
    """An element of `inner` or none (encoded as NONE_VALUE)."""

    inner: EnumSort | IndexSort

    def values(self) -> tuple[int, ...]:
        return (NONE_VALUE, *self.inner.values())

    def render(self, v: int) -> str:
        return "none" if v == NONE_VALUE else self.inner.render(v)

    def __str__(self) -> str:
        return f"{self.inner}?"


@dataclass(frozen=True)
class NoneSort:
    """The sort of the bare literal `none` before it meets an option sort."""

    def values(self) -> tuple[int, ...]:
        return (NONE_VALUE,)

    def render(self, v: int) -> str:
        return "none"

    def __str__(self) -> str:
        return "none"


Sort = BoolSort | IntSort | EnumSort | IndexSort | OptionSort | NoneSort
KeySort = BoolSort | IntSort | EnumSort | IndexSort

BOOL = BoolSort()


def key_offset(sort: KeySort) -> int:
    """Position of value v among the keys of `sort` is v - key_offset(sort)."""
    return sort.lo if isinstance(sort, IntSort) else 0


def compatible(a: Sort, b: Sort) -> bool:
    """Whether values of a and b may be compared with == (and assigned one to the other)."""
    if a == b:
        return True
    if isinstance(a, (IntSort, IndexSort)) and isinstance(b, (IntSort, IndexSort)):
        # index-set elements are integers (NOTE(value-encoding)), except in symmetric sets
        return not (_symmetric(a) or _symmetric(b))
    if isinstance(a, NoneSort):
        return isinstance(b, (OptionSort, NoneSort))
    if isinstance(b, NoneSort):
        return isinstance(a, OptionSort)
    if isinstance(a, OptionSort) and not isinstance(b, OptionSort):
        return a.inner == b
    if isinstance(b, OptionSort) and not isinstance(a, OptionSort):
        return b.inner == a
    return False


def _symmetric(s: Sort) -> bool:
    return isinstance(s, IndexSort) and s.symmetric


def assignable(target: Sort, value: Sort) -> bool:
    """Whether a value of sort `value` may be stored in a variable of sort `target`."""
    if target == value:
        return True
    if isinstance(target, IntSort):
        return isinstance(value, IntSort)
    if isinstance(target, OptionSort):
        return isinstance(value, NoneSort) or value == target.inner
    return False


def in_range(sort: Sort, v: int) -> bool:
    if isinstance(sort, IntSort):
        return sort.lo <= v <= sort.hi
    return True


MAX_VALUES = 100_000   # the most values a sort may have where the front end enumerates it


def size(sort: Sort) -> int:
    """The number of values of `sort`, computed without enumerating them."""
    if isinstance(sort, IntSort):
        return max(0, sort.hi - sort.lo + 1)
    if isinstance(sort, IndexSort):
        return max(0, sort.size)
    if isinstance(sort, OptionSort):
        return size(sort.inner) + 1
    return len(sort.values())


def contains(sort: Sort, v: int) -> bool:
    """Whether v is a value of `sort`, without enumerating it (unlike `v in sort.values()`)."""
    if isinstance(sort, IntSort):
        return sort.lo <= v <= sort.hi
    if isinstance(sort, IndexSort):
        return 0 <= v < sort.size
    if isinstance(sort, OptionSort):
        return v == NONE_VALUE or contains(sort.inner, v)
    return v in sort.values()
