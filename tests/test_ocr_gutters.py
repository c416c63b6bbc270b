"""Cutting OCR lines at column gutters (ocr.gutters), on hand-built word boxes."""

from __future__ import annotations

from ocr.gutters import RawLine, Word, cut_lines, raw_line

H = 20.0  # line height in pixels


def line(words: list[tuple[str, float, float]], y: float, vertical: bool = False) -> RawLine:
    lo, hi = words[0][1], words[-1][2]
    quad = [[lo, y], [hi, y], [hi, y + H], [lo, y + H]]
    return RawLine(" ".join(w[0] for w in words), quad, 0.9, tuple(Word(*w) for w in words), vertical)


def justified(y: float, left: float, widths: list[float], gap: float) -> list[tuple[str, float, float]]:
    out, x = [], left
    for k, w in enumerate(widths):
        out.append((f"w{k}", x, x + w))
        x += w + gap
    return out


def test_two_columns_a_narrow_gutter_apart_are_cut_where_the_right_column_starts() -> None:
    # Column A: x 0..200, column B starts at x 212 in every row; the detector joined the
    # rows. Gutter 12 px (0.6 line heights), word spaces 8 px: no width rule catches it,
    # the aligned starts do.
    #   aaaa aaa aaaaa  bbb bbbb bbbbb
    #   aaa aaaaa aaaa  bbbbb bb bbbb
    rows = []
    for r in range(6):
        a = justified(0, 0, [60 - 3 * r, 50, 74 + 3 * r], 8.0)
        b = justified(0, 212, [40 + 2 * r, 70, 60 - 2 * r], 8.0)
        rows.append(line(a + b, r * 1.2 * H))
    out = cut_lines(rows)
    assert len(out) == 12
    starts = sorted({round(q[0][0]) for _, q, _ in out})
    assert starts == [0, 212]


def test_a_wide_justified_space_that_lines_up_by_chance_is_not_a_gutter() -> None:
    # Rows 0-3 have a word starting at x 100 after a wide space; rows 4-11 (words of
    # other lengths) run on across x 100, so it is no column edge.
    #   aaaaaaaaa   aaaaa aaaaaa        (rows 0-3)
    #   aaaa aaaaaaa aaaa aaaaa         (rows 4-11)
    rows = [line(justified(0, 0, [88 - r, 50, 60], 12.0 + r / 3), r * 1.2 * H) for r in range(4)]
    for r in range(4, 12):
        rows.append(line(justified(0, 0, [30 + 3 * r, 55, 40, 35], 6.0), r * 1.2 * H))
    out = cut_lines(rows)
    assert len(out) == len(rows)


def test_vertical_column_running_through_two_tiers_is_cut_at_the_tier_gap() -> None:
    # 口口口口 | gap of 2 characters | 口口口  (a column of CJK characters, top to bottom)
    chars = [("字", k * H, (k + 1) * H) for k in range(4)] + [("字", (k + 6) * H, (k + 7) * H) for k in range(3)]
    col = RawLine("字" * 7, [[0, 0], [H, 0], [H, 9 * H], [0, 9 * H]], 0.9, tuple(Word(*c) for c in chars), True)
    out = cut_lines([col])
    assert [t for t, _, _ in out] == ["字字字字", "字字字"]
    assert out[1][1][0][1] == 6 * H  # the second piece starts at its first character


def test_every_word_survives_the_cut_exactly_once() -> None:
    rows = [line(justified(0, 0, [30, 40], 8.0) + justified(0, 150, [30, 40], 8.0), r * 1.2 * H) for r in range(5)]
    out = cut_lines(rows)
    words = sorted(w for text, _, _ in out for w in text.split())
    assert words == sorted(w.text for ln in rows for w in ln.words)


def test_raw_line_reads_engine_words_along_the_line_direction() -> None:
    horizontal = raw_line("ab cd", [[0, 0], [100, 0], [100, 20], [0, 20]], 0.9,
                          [("ab", 0.9, [[0, 0], [40, 0], [40, 20], [0, 20]]), ("cd", 0.9, [[60, 0], [100, 0], [100, 20], [60, 20]])])
    assert not horizontal.vertical and [(w.lo, w.hi) for w in horizontal.words] == [(0, 40), (60, 100)]
    vertical = raw_line("一二三", [[0, 0], [20, 0], [20, 60], [0, 60]], 0.9,
                        [(ch, 0.9, [[0, 20 * k], [20, 20 * k], [20, 20 * k + 20], [0, 20 * k + 20]]) for k, ch in enumerate("一二三")])
    assert vertical.vertical and [w.lo for w in vertical.words] == [0, 20, 40]
    # Malformed word boxes: the line is kept whole rather than guessed at.
    broken = raw_line("x y", [[0, 0], [50, 0], [50, 20], [0, 20]], 0.9, [("x", 0.9, None)])
    assert broken.words == () and cut_lines([broken])[0][0] == "x y"


def test_a_gap_far_wider_than_the_word_spaces_around_it_is_cut():
    # One line, two columns: the right one starts with a paragraph indent, so no other
    # line starts where its first word does; the gap (1.1 line heights) is under the
    # width rule but five times the line's word spaces.
    words = justified(0, 0, [40, 30, 50], 4.0) + justified(0, 128 + 22, [30, 44, 28], 4.0)
    out = cut_lines([line(words, 0.0)])
    assert [t for t, _, _ in out] == ["w0 w1 w2", "w0 w1 w2"]


def test_a_loosely_justified_line_is_not_cut():
    # Few words stretched across the column: wide spaces, but all alike.
    out = cut_lines([line(justified(0, 0, [40, 30, 50], 24.0), 0.0)])
    assert len(out) == 1
