"""Finite sorts. Every value of every sort is a Python int (bools are 0/1 as Python bools).

NOTE(value-encoding): enum members are their position in the member list, index-set elements
are 0..size-1, an option's `none` is -1 (options wrap only enums and index sets, whose values
are never negative). Engines and exporters rely on this one encoding.

NOTE(lazy-values): `values()` is a lazy Sequence (a `range`, except for bool and none), so a
variable of type `0..1000000000` costs nothing until someone iterates its values. Whoever needs
only the extremes or the count uses `bounds()` and `size()`, which are O(1) (min()/max() of a
range iterate it, and len() overflows past 2**63-1 values).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

NONE_VALUE = -1

# NOTE(int64): states are stored as signed 64-bit integers (the vector engine's rows, the SMT
# encodings' widths), so every value a spec can name or store must fit in [INT_MIN, INT_MAX]: the
# front end rejects literals, range bounds and params outside it (error SC317). Intermediate
# arithmetic may leave it (a * a * a * a): every engine computes it exactly, the vector backend
# by falling back to exact evaluation where int64 could wrap (NOTE(int64-exact)), and a value
# stored out of a variable's range is the built-in `range` violation.
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
INT_RANGE = "[-2**63, 2**63-1]"
INT64_DIGITS = 19   # 10**19 > 2**63: an integer with more significant digits never fits


def fits_int64(v: int) -> bool:
    return INT_MIN <= v <= INT_MAX


@dataclass(frozen=True)
class BoolSort:
    def values(self) -> Sequence[int]:
        return (False, True)

    def render(self, v: int) -> str:
        return "true" if v else "false"

    def __str__(self) -> str:
        return "bool"


@dataclass(frozen=True)
class IntSort:
    lo: int
    hi: int

    def values(self) -> Sequence[int]:
        # NOTE(lazy-values): a range, never a tuple: `0..1000000000` costs nothing until iterated
        return range(self.lo, self.hi + 1)

    def render(self, v: int) -> str:
        return str(v)

    def __str__(self) -> str:
        return f"{self.lo}..{self.hi}"


@dataclass(frozen=True)
class EnumSort:
    name: str
    members: tuple[str, ...]

    def values(self) -> Sequence[int]:
        return range(len(self.members))

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

    def values(self) -> Sequence[int]:
        return range(self.size)

    def render(self, v: int) -> str:
        return str(v)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class OptionSort:
    """An element of `inner` or none (encoded as NONE_VALUE)."""

    inner: EnumSort | IndexSort

    def values(self) -> Sequence[int]:
        # none (-1) then the inner values 0..n-1 (NOTE(value-encoding)): one contiguous range
        return range(NONE_VALUE, size(self.inner))

    def render(self, v: int) -> str:
        return "none" if v == NONE_VALUE else self.inner.render(v)

    def __str__(self) -> str:
        return f"{self.inner}?"


@dataclass(frozen=True)
class NoneSort:
    """The sort of the bare literal `none` before it meets an option sort."""

    def values(self) -> Sequence[int]:
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
    """The number of values of `sort`, computed without enumerating them.

    Unlike len(sort.values()) this never overflows: a full 64-bit range has 2**64 values."""
    if isinstance(sort, IntSort):
        return max(0, sort.hi - sort.lo + 1)
    if isinstance(sort, IndexSort):
        return max(0, sort.size)
    if isinstance(sort, OptionSort):
        return size(sort.inner) + 1
    if isinstance(sort, EnumSort):
        return len(sort.members)
    return len(sort.values())


def bounds(sort: Sort) -> tuple[int, int]:
    """(lowest, highest) value of `sort` in O(1): what min()/max() of values() give, without
    iterating a range of a billion values (NOTE(lazy-values))."""
    if isinstance(sort, IntSort):
        return sort.lo, sort.hi
    if isinstance(sort, OptionSort):
        return NONE_VALUE, size(sort.inner) - 1
    if isinstance(sort, NoneSort):
        return NONE_VALUE, NONE_VALUE
    return 0, size(sort) - 1


def contains(sort: Sort, v: int) -> bool:
    """Whether v is a value of `sort`, without enumerating it (unlike `v in sort.values()`)."""
    if isinstance(sort, IntSort):
        return sort.lo <= v <= sort.hi
    if isinstance(sort, IndexSort):
        return 0 <= v < sort.size
    if isinstance(sort, OptionSort):
        return v == NONE_VALUE or contains(sort.inner, v)
    return v in sort.values()
