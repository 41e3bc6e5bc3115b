"""The SVG charts are well-formed, carry Chinese labels, escape text and draw what they are given."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from documents.charts import bar_chart_svg, histogram_svg, line_chart_svg, sparkline_svg

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg):
    root = ET.fromstring(svg)  # noqa: S314 — our own markup, parsed to prove it is well-formed
    assert root.tag == f"{SVG}svg"
    return root


def texts(root):
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_a_histogram_counts_every_value_once_in_its_bin():
    # Given ten totals, two of them at the edges of the range
    values = [Decimal("50"), 55, 61, 62, 75, 78, 79, 88, 95, Decimal("100")]

    # When they are drawn in five bins from 50 to 100
    root = parse(histogram_svg(values, bins=5, lo=50, hi=100, title="总分分布"))

    # Then the bars' tooltips hold the five counts, 100 counted in the last bin
    bars = [node for node in root.iter(f"{SVG}rect") if node.find(f"{SVG}title") is not None]
    counts = [int(bar.find(f"{SVG}title").text.rsplit(":", 1)[1]) for bar in bars]
    assert counts == [2, 2, 3, 1, 2]
    assert "总分分布" in texts(root)


def test_a_histogram_of_nothing_is_still_a_valid_picture():
    root = parse(histogram_svg([], title="Empty"))
    assert "Empty" in texts(root)


def test_a_bar_chart_shows_chinese_labels_and_earned_against_available():
    root = parse(bar_chart_svg(["客户开发", "客户维护"], [Decimal("30.5"), 25], capacities=[25, 35], title="各类得分"))
    labels = texts(root)
    assert "客户开发" in labels and "客户维护" in labels
    assert "30.5 / 25" in labels and "25 / 35" in labels
    assert "各类得分" in labels


def test_chart_text_is_escaped_not_interpreted():
    svg = bar_chart_svg(['<script>alert("x")</script> & co'], [1], title="A < B")
    root = parse(svg)
    assert "<script>" not in svg
    assert '<script>alert("x")</script> & co' in texts(root)
    assert root.find(f"{SVG}title").text == "A < B"


def test_a_line_chart_draws_one_line_per_series_with_a_legend_and_gaps_for_missing_quarters():
    # Given the person missed the first quarter (not yet hired)
    root = parse(
        line_chart_svg(
            ["2025Q4", "2026Q1", "2026Q2", "2026Q3"],
            {"陈静": [None, 80, Decimal("85.5"), 90], "全所平均": [70, 72, 71, 75]},
            title="近四个季度",
        )
    )
    labels = texts(root)
    # Then both series are in the legend, every quarter is on the axis, and the values are written
    assert "陈静" in labels and "全所平均" in labels
    assert all(code in labels for code in ["2025Q4", "2026Q1", "2026Q2", "2026Q3"])
    assert "85.5" in labels
    # and the person's line has three points, the firm's four
    assert len(list(root.iter(f"{SVG}circle"))) == 7
    assert len(list(root.iter(f"{SVG}polyline"))) == 2


def test_series_of_the_wrong_length_are_refused():
    with pytest.raises(ValueError):
        line_chart_svg(["2026Q1", "2026Q2"], {"x": [1]})
    with pytest.raises(ValueError):
        bar_chart_svg(["a", "b"], [1])


def test_the_charts_ask_for_a_font_with_chinese_glyphs():
    root = parse(bar_chart_svg(["沟通"], [1]))
    assert "Noto Sans CJK SC" in root.get("font-family")


def test_close_values_print_their_labels_one_above_one_below():
    svg = line_chart_svg(["2026Q1", "2026Q2"], {"陈静": [84.4, 70], "Firm average": [79.6, 80]})
    root = parse(svg)
    labels = {t.text: float(t.get("y")) for t in root.iter(f"{SVG}text") if t.text in {"84.4", "79.6", "70", "80"}}
    circles = [float(c.get("cy")) for c in root.iter(f"{SVG}circle")]
    # 2026Q1: the person is higher, their label above their point; the average's below its own
    assert labels["84.4"] < circles[0] and labels["79.6"] > circles[2]
    # 2026Q2: the other way round
    assert labels["70"] > circles[1] and labels["80"] < circles[3]


def test_pdfs_take_the_chart_at_its_own_size():
    from documents.charts import for_pdf

    svg = bar_chart_svg(["客户开发"], [10], capacities=[20])
    assert "height:auto" in svg  # the web page lets it shrink with the window
    pdf_svg = parse(for_pdf(svg))  # WeasyPrint letterboxed it with that style
    assert "style" not in pdf_svg.attrib and pdf_svg.get("width") and pdf_svg.get("height")


def _bars(root):
    """(label, count) of each bar, from its tooltip."""
    bars = [node for node in root.iter(f"{SVG}rect") if node.find(f"{SVG}title") is not None]
    return [tuple(bar.find(f"{SVG}title").text.rsplit(": ", 1)) for bar in bars]


def test_a_histogram_on_given_edges_puts_a_floor_in_the_bin_that_starts_there():
    # Given a grade band starting at 85 between the ten-point edges
    edges = [0, 60, 80, 85, 90, 100]
    root = parse(histogram_svg([Decimal("84.99"), 85, 89, 90, 100], edges=edges))
    # Then 85 is counted with 85–90, not with 80–85, and 100 in the last bin
    assert _bars(root) == [("0–60", "0"), ("60–80", "0"), ("80–85", "1"), ("85–90", "2"), ("90–100", "2")]


def test_totals_above_the_top_edge_get_their_own_bin_instead_of_stretching_the_scale():
    # Given one total above full marks (a bonus cap)
    root = parse(histogram_svg([55, 95, 100, Decimal("100.4")], edges=range(0, 101, 10), over_top=True))
    bars = _bars(root)
    # Then the ten bins keep their round edges and the last bin is "100+" with the one total above 100
    assert [label for label, _count in bars[:10]] == [f"{low}–{low + 10}" for low in range(0, 100, 10)]
    assert bars[-1] == ("100+", "1")
    assert bars[-2] == ("90–100", "2")
    labels = texts(root)
    assert "100+" in labels and "100.4" not in labels and "20.1" not in labels


def test_grade_band_floors_are_marked_with_the_grade_s_name():
    root = parse(histogram_svg([70], edges=range(0, 101, 10), markers=[(90, "优秀"), (60, "合格")]))
    assert len([line for line in root.iter(f"{SVG}line") if line.get("class") == "band-floor"]) == 2
    assert {"优秀", "合格"} <= set(texts(root))


def test_a_sparkline_breaks_at_a_missing_quarter_and_names_each_point():
    # Given four quarters, the second without a figure
    svg = sparkline_svg(
        [Decimal("80.5"), None, 90, 95], labels=["Q1", "Q2", "Q3", "Q4"], title="<新客户>", value_suffix="%"
    )
    root = ET.fromstring(svg)  # noqa: S314 — our own markup
    ns = "{http://www.w3.org/2000/svg}"
    # Then one line joins the last two points only, every known point has its tooltip and the title is escaped
    assert [len(line.get("points").split()) for line in root.iter(f"{ns}polyline")] == [2]
    assert [circle.find(f"{ns}title").text for circle in root.iter(f"{ns}circle")] == [
        "Q1: 80.5%",
        "Q3: 90%",
        "Q4: 95%",
    ]
    assert root.get("aria-label") == "<新客户>"
    with pytest.raises(ValueError):
        sparkline_svg([1, 2], labels=["Q1"], title="x")
