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
