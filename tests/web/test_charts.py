"""The server-side SVG charts: round ticks, gaps for missing values, escaped text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from guanxi.web.charts import Series, bar_chart, funnel_chart, line_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


def test_nice_ticks_are_round_and_cover_the_range() -> None:
    assert nice_ticks(0, 37) == [0, 10, 20, 30, 40]
    assert nice_ticks(4.52, 4.58) == [4.52, 4.54, 4.56, 4.58]
    assert nice_ticks(0, 9218.5) == [0, 2500, 5000, 7500, 10000]
    assert nice_ticks(5, 5) == [4.5, 4.75, 5, 5.25, 5.5]


def test_line_chart_breaks_at_missing_values_and_escapes_names() -> None:
    svg = line_chart(
        ["07", "08", "09", "10"],
        [
            Series("<本店>", [4.5, None, 4.6, 4.7]),
            Series("行业", [4.4, 4.4, 4.4, 4.4], dashed=True),
        ],
        title="描述 & 相符",
    )
    root = ET.fromstring(svg)  # well-formed XML
    lines = root.findall(f"{SVG}polyline")
    # the shop's line has a gap (two pieces), the industry's is whole
    assert [len(p.get("points", "").split()) for p in lines] == [1, 2, 4]
    assert len(root.findall(f"{SVG}circle")) == 3  # markers only where there is a value
    assert root.findtext(f"{SVG}title") == "描述 & 相符"
    assert "&lt;本店&gt;" in svg


def test_bar_and_funnel_charts_scale_to_the_largest_value() -> None:
    root = ET.fromstring(bar_chart(["kf1", "kf2"], [Series("得分", [50.0, 100.0])]))
    heights = [float(r.get("height", "0")) for r in root.findall(f"{SVG}rect")]
    assert heights[1] == 2 * heights[0]
    funnel = ET.fromstring(funnel_chart(["访客", "支付"], [1000, 250], ["", "25%"]))
    widths = [float(r.get("width", "0")) for r in funnel.findall(f"{SVG}rect")]
    assert widths[0] == 4 * widths[1]
    assert "—" in line_chart(["a"], [Series("x", [None])])  # nothing to draw: says so


def test_a_fixed_range_keeps_small_wobbles_small_and_ticks_inside_it() -> None:
    svg = line_chart(["07", "08"], [Series("本店", [4.52, 4.54])], y_range=(4.0, 5.0))
    root = ET.fromstring(svg)
    ticks = [t.text for t in root.findall(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert ticks == ["4", "4.25", "4.5", "4.75", "5"]
    # 0.02 apart on a 1-point axis is 2 % of the plot's 184 px (from y = 28 to 212):
    # 4.52 at 28 + 184 × 0.48 = 116.32, 4.54 at 28 + 184 × 0.46 = 112.64
    (line,) = root.findall(f"{SVG}polyline")
    assert [p.split(",")[1] for p in line.get("points", "").split()] == ["116.3", "112.6"]


def test_partial_parts_get_a_hollow_point_a_dashed_stretch_and_a_legend_note() -> None:
    svg = line_chart(
        ["11-01", "11-03", "11-10", "11-17"],
        [Series("咨询人数", [3.0, 20.0, 22.0, 9.0])],
        partial=[True, False, False, True],
        partial_note="不完整的周",
    )
    root = ET.fromstring(svg)
    lines = root.findall(f"{SVG}polyline")
    # dashed into and out of the partial ends, solid between the whole weeks
    assert [(len(p.get("points", "").split()), p.get("stroke-dasharray")) for p in lines] == [
        (2, "5 3"),
        (2, None),
        (2, "5 3"),
    ]
    hollow = [c for c in root.iter(f"{SVG}circle") if c.get("class") == "partial"]
    assert [c.get("fill") for c in hollow] == ["#fff", "#fff"]
    note = root.find(f"{SVG}g[@class='partial-note']")
    assert note is not None and note.findtext(f"{SVG}text") == "不完整的周"
    # no partial part, no note
    assert "partial-note" not in line_chart(
        ["a", "b"], [Series("x", [1.0, 2.0])], partial=[False, False], partial_note="不完整的周"
    )
