"""The KPI composite scorecard: SPEC §3's worked example, band validation, exact edges."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.metrics import scorecard as engine
from guanxi.metrics.agents import KEYS

# SPEC §3 worked example, as raw counts; every ratio is computed here, not typed in.
SEED: dict[str, dict[str, Any]] = {
    "A": {
        "conv": (88, 275),
        "pay": (228, 240),
        "aov": ("78.23", "66.30"),
        "st": 13,
        "pt": 21,
        "returns": 6,
    },
    "B": {
        "conv": (582, 1455),
        "pay": (247, 325),
        "aov": ("76.90", "66.30"),
        "st": 8,
        "pt": 19,
        "returns": 23,
    },
    "C": {
        "conv": (232, 800),
        "pay": (198, 225),
        "aov": ("82.80", "66.30"),
        "st": 16,
        "pt": 27,
        "returns": 0,
    },
}


def _values(agent: str) -> dict[str, Decimal | None]:
    s = SEED[agent]
    return {
        "inquiry_conversion_final": Decimal(s["conv"][0]) / Decimal(s["conv"][1]),
        "payment_rate": Decimal(s["pay"][0]) / Decimal(s["pay"][1]),
        "aov_ratio": Decimal(s["aov"][0]) / Decimal(s["aov"][1]),
        "first_response_seconds": Decimal(s["st"]),
        "avg_response_seconds": Decimal(s["pt"]),
        "returns": Decimal(s["returns"]),
    }


def test_the_seed_example_scores_77_5_74_77_5() -> None:
    card = engine.load(None, KEYS)
    a, b, c = (engine.score(card, x, _values(x)) for x in "ABC")
    # A: 88/275 = 32 % → 70 ×30 % = 21; 95 % → 100 ×25 % = 25; 1.18 → 70 ×20 % = 14;
    #    13 s → 90 ×10 % = 9; 21 s → 90 ×5 % = 4.5; 6 returns → 80 ×5 % = 4. Total 77.5.
    assert [i.score for i in a.items] == [70, 100, 70, 90, 90, 80]
    assert a.total == Decimal("77.5")
    # B: 40 % → 90; 76 % → 80; 1.16 → 60; 8 s → 100; 19 s → 100; 23 returns → 0. Total 74.
    assert [i.score for i in b.items] == [90, 80, 60, 100, 100, 0]
    assert b.total == Decimal("74")
    # C: 29 % → 60; 88 % → 90; 1.25 → 100; 16 s → 80; 27 s → 80; 0 returns → 100. 77.5.
    assert [i.score for i in c.items] == [60, 90, 100, 80, 80, 100]
    assert c.total == Decimal("77.5")
    assert a.items[0].band == "[32%, 35%)"  # exactly 32 % sits in the 32–35 % band


@pytest.mark.django_db  # without --config the command reads the shop's scorecard
def test_scorecard_command_on_a_metrics_csv(tmp_path: Path) -> None:
    path = tmp_path / "metrics.csv"
    lines = ["agent," + ",".join(_values("A"))]
    for agent in "ABC":
        s = SEED[agent]
        conv = f"{Decimal(s['conv'][0]) / Decimal(s['conv'][1]) * 100}%"  # as a percentage
        pay = str(Decimal(s["pay"][0]) / Decimal(s["pay"][1]))  # as a fraction
        aov = str(Decimal(s["aov"][0]) / Decimal(s["aov"][1]))
        lines.append(f"{agent},{conv},{pay},{aov},{s['st']},{s['pt']},{s['returns']}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = StringIO()
    call_command("scorecard", "--metrics", str(path), "--format", "json", stdout=out)
    result = {r["agent"]: r for r in json.loads(out.getvalue())}
    assert {k: v["total"] for k, v in result.items()} == {"A": 77.5, "B": 74.0, "C": 77.5}
    first = result["A"]["items"][0]
    assert first == {
        "metric": "inquiry_conversion_final",
        "label": "询单→最终付款成功率",
        "manual": False,
        "missing": False,
        "value": 0.32,
        "band": "[32%, 35%)",
        "score": 70.0,
        "weight": 0.3,
        "weighted": 21.0,
    }


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        (
            '{ "[32%, )" = 70, "[28%, 31%)" = 60, "(, 28%)" = 0 }',
            "咨询转化率: no band covers 31 % ≤ X < 32 %",
        ),
        (
            '{ "[60%, )" = 70, "[50%, 65%)" = 60, "(, 50%)" = 0 }',
            "bands [50%, 65%) and [60%, ) overlap",
        ),
        ('{ "[10, )" = 1, "(, 10]" = 0 }', "bands (, 10] and [10, ) overlap"),
        ('{ "(10, )" = 1, "(, 10)" = 0 }', "no band covers X = 10"),
        ('{ "[a, )" = 1, "(, a)" = 0 }', "'a' is not a number"),
        ('{ "[1, 2)" = 1 }', "no band covers X < 1"),
        ('{ "32 to 35" = 1 }', "not an interval"),
    ],
)
def test_bad_bands_are_named(bands: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "card.toml"
    path.write_text(
        f'[[items]]\nmetric = "inquiry_conversion_final"\nlabel = "咨询转化率"\nweight = "30%"\n'
        f"bands = {bands}\n",
        encoding="utf-8",
    )
    with pytest.raises(engine.ScorecardError) as caught:
        engine.load(path, KEYS)
    assert message in str(caught.value)


@pytest.mark.django_db
def test_unknown_metrics_and_bad_csv_are_named(tmp_path: Path) -> None:
    card_path = tmp_path / "card.toml"
    card_path.write_text('[[items]]\nmetric = "smiles"\nweight = 1\nbands = { "(, )" = 1 }\n')
    with pytest.raises(engine.ScorecardError, match="unknown metric 'smiles'"):
        engine.load(card_path, KEYS)
    csv_path = tmp_path / "m.csv"
    csv_path.write_text("agent,payment_rate\nA,0.9\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"missing column.*inquiry_conversion_final") as caught:
        call_command("scorecard", "--metrics", str(csv_path))
    assert caught.value.returncode == 2
    header = "agent," + ",".join(engine.load(None, KEYS).metrics)
    csv_path.write_text(f"{header}\nA,32%,x,1,1,1,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="row 2, column payment_rate: 'x' is not a number"):
        call_command("scorecard", "--metrics", str(csv_path))


def test_manual_items_take_the_managers_score(tmp_path: Path) -> None:
    card_path = tmp_path / "card.toml"
    card_path.write_text(
        '[[items]]\nmetric = "returns"\nweight = "95%"\nbands = { "(, 3)" = 100, "[3, )" = 0 }\n'
        '[[items]]\nmetric = "daily_work"\nlabel = "日常工作"\nmanual = true\nweight = "5%"\n',
        encoding="utf-8",
    )
    card = engine.load(card_path, KEYS)
    result = engine.score(card, "A", {"returns": Decimal(1)}, {"daily_work": Decimal(80)})
    assert result.total == Decimal("99")  # 100 × 95 % + 80 × 5 %


@st.composite
def partitions(draw: st.DrawFn) -> list[engine.Band]:
    """A random valid band table: sorted cut points, each closed on a random side."""
    cuts = sorted(draw(st.sets(st.integers(-50, 50), min_size=1, max_size=6)))
    closed_left = [draw(st.booleans()) for _ in cuts]  # is the cut in the band to its right?
    bands = []
    bounds = [None, *cuts, None]
    for i in range(len(bounds) - 1):
        low, high = bounds[i], bounds[i + 1]
        bands.append(
            engine.Band(
                None if low is None else Decimal(low),
                None if high is None else Decimal(high),
                low is not None and closed_left[i - 1],
                high is not None and not closed_left[i],
                Decimal(i),
                f"b{i}",
                False,
            )
        )
    return bands


@settings(max_examples=200, deadline=None)
@given(partitions(), st.decimals(-60, 60, places=2, allow_nan=False, allow_infinity=False))
def test_every_value_lands_in_exactly_one_band(bands: list[engine.Band], x: Decimal) -> None:
    engine.check_bands("x", bands)  # a valid table passes validation…
    assert sum(band.contains(x) for band in bands) == 1  # …and covers every value once
    for cut in {b.lower for b in bands if b.lower is not None}:
        assert sum(band.contains(cut) for band in bands) == 1
