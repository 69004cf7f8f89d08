"""Safe YAML reading with positions: a small node tree where every node carries its Span.

Spec files are untrusted (they arrive in pull requests). We therefore:
- limit the file size and nesting depth before composing (PyYAML's composer recurses);
- reject anchors and aliases outright (no alias bombs, and specs never need them);
- reject duplicate mapping keys (PyYAML silently keeps the last one);
- compose with SafeLoader only, and keep each scalar's source text (`value`) so that names
  like ON/OFF/no are never turned into booleans behind the user's back;
- reject lone surrogates written as escapes (`"\ud800"`): such a string is not Unicode text,
  and printing it later (a doc, a name in a message) would fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from model.diagnostics import Diagnostic
from model.source import SourceFile, Span

MAX_BYTES = 1_000_000
MAX_DEPTH = 64
MAX_NODES = 200_000
SURROGATE = re.compile(r"[\ud800-\udfff]")   # re reads the \u escapes


@dataclass(frozen=True)
class Written:
    """Where a scalar is written: the file's text and the node's first character (index, 1-based
    line and column) and end index, as PyYAML marks them. Kept for `char_positions`."""

    text: str
    start: int
    line: int
    col: int
    end: int


@dataclass(frozen=True)
class YScalar:
    value: str
    style: str | None               # None: plain; '"' / "'": quoted; '|' / '>': block
    tag: str
    span: Span = field(compare=False)
    written: Written | None = field(default=None, compare=False, repr=False)

    @property
    def plain(self) -> bool:
        return self.style is None


@dataclass(frozen=True)
class YSeq:
    items: tuple[YNode, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True)
class YMap:
    entries: tuple[tuple[YScalar, YNode], ...]
    span: Span = field(compare=False)

    def get(self, key: str) -> YNode | None:
        for k, v in self.entries:
            if k.value == key:
                return v
        return None

    def keys(self) -> tuple[str, ...]:
        return tuple(k.value for k, _ in self.entries)


YNode = YScalar | YSeq | YMap


class YamlError(Exception):
    def __init__(self, diag: Diagnostic):
        self.diag = diag
        super().__init__(diag.message)


def _span(path: str, node: yaml.Node) -> Span:
    s, e = node.start_mark, node.end_mark
    return Span(path, s.line + 1, s.column + 1, e.line + 1, e.column + 1)


def _mark_span(path: str, mark: object) -> Span | None:
    """A one-character span at a PyYAML mark (pure-Python or libyaml flavour), or None."""
    if mark is None:
        return None
    assert hasattr(mark, "line") and hasattr(mark, "column")
    return Span(path, mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 2)


def read_yaml(src: SourceFile) -> YNode | None:
    """Parse one YAML document into YNodes; raises YamlError with a located diagnostic.

    Returns None for an empty document.
    """
    if len(src.text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise YamlError(Diagnostic("SC101", Span(src.path, 1, 1, 1, 2),
                                   f"spec file is larger than {MAX_BYTES} bytes"))
    try:
        _check_events(src)
        node = yaml.compose(src.text, Loader=yaml.SafeLoader)
    except YamlError:
        raise
    except yaml.reader.ReaderError as e:   # a character YAML does not allow (NUL, BEL, ...)
        line = src.text.count("\n", 0, e.position) + 1
        col = e.position - (src.text.rfind("\n", 0, e.position) + 1) + 1
        raise YamlError(Diagnostic("SC100", Span(src.path, line, col, line, col + 1),
                                   f"character U+{e.character:04X} is not allowed in YAML text",
                                   "printable characters (write control characters as escapes "
                                   "in a double-quoted string)")) from None
    except yaml.MarkedYAMLError as e:
        msg = f"YAML syntax error: {e.problem or e.context}"
        span = _mark_span(src.path, e.problem_mark or e.context_mark)
        raise YamlError(Diagnostic("SC100", span, msg)) from None
    except yaml.YAMLError as e:
        raise YamlError(Diagnostic("SC100", Span(src.path, 1, 1, 1, 2),
                                   f"YAML error: {e}")) from None
    return None if node is None else _convert(src.path, node, src.text)


def _check_events(src: SourceFile) -> None:
    """Walk the event stream: enforce depth/size limits, forbid aliases, anchors, tags, streams."""
    depth = nodes = docs = 0
    for ev in yaml.parse(src.text, Loader=yaml.SafeLoader):
        span = _mark_span(src.path, ev.start_mark)
        if isinstance(ev, yaml.DocumentStartEvent):
            docs += 1
            if docs > 1:
                raise YamlError(Diagnostic("SC101", span, "a spec file holds exactly one YAML document"))
        if isinstance(ev, yaml.AliasEvent) or getattr(ev, "anchor", None):
            raise YamlError(Diagnostic("SC101", span, "YAML anchors and aliases are not allowed in specs",
                                       expected="each value written out in full"))
        tag = getattr(ev, "tag", None)
        if tag is not None:   # only explicit tags are set here (`!!python/object:...`, `!foo`, `!!str`)
            shown = "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag
            raise YamlError(Diagnostic("SC101", span, f"YAML tag '{shown}' is not allowed in specs",
                                       expected="a plain value without a tag (quote it to make it text)"))
        if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlError(Diagnostic("SC101", span, f"YAML nesting deeper than {MAX_DEPTH} levels"))
        elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        if isinstance(ev, yaml.NodeEvent):
            nodes += 1
            if nodes > MAX_NODES:
                raise YamlError(Diagnostic("SC101", span, f"spec has more than {MAX_NODES} YAML nodes"))


def _scalar(path: str, node: yaml.ScalarNode, text: str | None = None) -> YScalar:
    if (bad := SURROGATE.search(node.value)) is not None:
        raise YamlError(Diagnostic(
            "SC100", _span(path, node), f"the string holds the lone surrogate U+{ord(bad.group()):04X}, "
            "which is not a Unicode character", "Unicode text: write a character above U+FFFF as one "
            "escape \\UXXXXXXXX, not as a surrogate pair \\uD8xx\\uDCxx"))
    s, e = node.start_mark, node.end_mark
    return YScalar(node.value, node.style, node.tag, _span(path, node),
                   Written(text, s.index, s.line + 1, s.column + 1, e.index) if text is not None else None)


def _convert(path: str, node: yaml.Node, text: str) -> YNode:
    if isinstance(node, yaml.ScalarNode):
        return _scalar(path, node, text)
    if isinstance(node, yaml.SequenceNode):
        return YSeq(tuple(_convert(path, n, text) for n in node.value), _span(path, node))
    assert isinstance(node, yaml.MappingNode)
    entries: list[tuple[YScalar, YNode]] = []
    seen: dict[str, Span] = {}
    for k, v in node.value:
        if not isinstance(k, yaml.ScalarNode):
            raise YamlError(Diagnostic("SC102", _span(path, k), "mapping keys must be plain names",
                                       expected="a name such as `life` or `assoc[v]`"))
        key = _scalar(path, k)
        if key.value in seen:
            raise YamlError(Diagnostic("SC103", key.span, f"duplicate key '{key.value}'",
                                       notes=(f"first defined at {seen[key.value]}",)))
        seen[key.value] = key.span
        entries.append((key, _convert(path, v, text)))
    return YMap(tuple(entries), _span(path, node))


# ---- where each character of a multi-line scalar is written -----------------------------------

_BREAKS = "\n\x85\u2028\u2029"       # line breaks as PyYAML counts them (and '\r' not before '\n')


def written_over_lines(s: YScalar) -> bool:
    """A block scalar (`|`, `>`) or one that continues on another line: its value's positions
    are not the text's positions shifted by where it starts (NOTE(block-spans))."""
    return s.style in ("|", ">") or s.span.end_line != s.span.line


def char_positions(s: YScalar) -> tuple[tuple[int, int], ...] | None:
    """The file position (line, column) of each character of `s.value` up to its last
    non-blank one, then the position just after that one; None when not known.

    NOTE(block-spans): folding (`>` and multi-line plain or quoted scalars) turns line breaks
    into spaces and indentation disappears from every block scalar, so a column in the value is
    no column in the file. The value's non-blank characters are the text's non-blank
    characters in order (after a block scalar's header line); blanks in the value are matched
    to the text's when they agree and otherwise take the next character's position. A quoted
    scalar with an escape (`\\n`, `''`) does not match: None, and callers fall back to the
    scalar's start."""
    w = s.written
    value = s.value.rstrip()
    if w is None or not value:
        return None
    i, line, col = w.start, w.line, w.col
    text = w.text
    if s.style in ("|", ">"):
        while i < w.end and text[i] not in _BREAKS + "\r":           # the header: `>-  # comment`
            i, line, col = _step(text, i, line, col)
    elif s.style in ('"', "'"):
        i, line, col = _step(text, i, line, col)                      # the opening quote
    out: list[tuple[int, int]] = []
    for ch in value:
        if ch.isspace():
            if i < w.end and text[i] == ch:
                out.append((line, col))
                i, line, col = _step(text, i, line, col)
            else:
                out.append((line, col))
            continue
        while i < w.end and text[i].isspace():
            i, line, col = _step(text, i, line, col)
        if i >= w.end or text[i] != ch:
            return None
        out.append((line, col))
        i, line, col = _step(text, i, line, col)
    last_line, last_col = out[-1]
    return (*out, (last_line, last_col + 1))


def _step(text: str, i: int, line: int, col: int) -> tuple[int, int, int]:
    """Past text[i]: the next index, line and column (PyYAML's rule for line breaks)."""
    ch = text[i]
    if ch in _BREAKS or (ch == "\r" and text[i + 1:i + 2] != "\n"):
        return i + 1, line + 1, 1
    return i + 1, line, col + 1
