"""NOTE(block-spans): every character of a multi-line scalar is located where it is written, in
block (`|`, `>`, `>-`, `|+`), plain and quoted styles; escapes give no positions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from model.source import SourceFile
from model.yaml_nodes import YMap, YScalar, char_positions, read_yaml, written_over_lines

WORDS = st.lists(st.from_regex(r"[a-z0-9_()<=>+*.,\[\]-]{1,8}", fullmatch=True), min_size=1, max_size=6)
LINES = st.lists(WORDS, min_size=1, max_size=5)


def _scalar(text: str) -> YScalar:
    root = read_yaml(SourceFile("t.yaml", text))
    assert isinstance(root, YMap)
    node = root.get("key")
    assert isinstance(node, YScalar)
    return node


def _written(style: str, lines: list[list[str]], extra: list[int]) -> str:
    """A YAML document whose `key` holds the words, one source line per list, in `style`."""
    body = [" ".join(ws) for ws in lines]
    if style in ("|", ">", ">-", "|+"):
        indents = [0, *extra]     # the first line sets the block's indentation; later ones may be deeper
        return f"key: {style}  # header comment\n" + "".join(f"  {' ' * e}{b}\n" for b, e in zip(body, indents)) + \
            "other: 1\n"
    if style == "plain":
        return "key: " + "\n".join(f"    {b}" if i else f"a{b}" for i, b in enumerate(body)) + "\nother: 1\n"
    return 'key: "' + "\n".join(f"    {b}" if i else b for i, b in enumerate(body)) + '"\nother: 1\n'


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["|", ">", ">-", "|+", "plain", '"']), LINES, st.lists(st.integers(0, 3), min_size=5,
                                                                                 max_size=5))
def test_each_character_is_where_it_is_written(style: str, lines: list[list[str]], extra: list[int]) -> None:
    text = _written(style, lines, extra)
    s = _scalar(text)
    if not written_over_lines(s):
        return
    where = char_positions(s)
    assert where is not None, text
    value = s.value.rstrip()
    assert len(where) == len(value) + 1
    file_lines = text.split("\n")
    for ch, (line, col) in zip(value, where):
        if not ch.isspace():
            assert file_lines[line - 1][col - 1] == ch, (text, ch, line, col)
    last_line, last_col = where[len(value) - 1]
    assert where[-1] == (last_line, last_col + 1)


def test_a_folded_value_maps_across_its_folds() -> None:
    s = _scalar("key: >-\n  x or\n    n <= 3\n  and flag\nother: 1\n")
    assert s.value == "x or\n  n <= 3\nand flag"
    where = char_positions(s)
    assert where is not None
    assert where[s.value.index("flag")] == (4, 7)
    assert where[s.value.index("n <=")] == (3, 5)
    assert where[-1] == (4, 11)


def test_escapes_and_single_lines_have_no_character_positions() -> None:
    escaped = _scalar('key: "a\\tb\n  c"\n')
    assert written_over_lines(escaped) and char_positions(escaped) is None
    assert not written_over_lines(_scalar('key: "a and b"\n'))
    assert char_positions(_scalar("key: >\n\nother: 1\n")) is None       # empty: nothing to locate
