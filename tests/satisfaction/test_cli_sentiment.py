"""``guanxi reviews classify`` and ``guanxi reviews sentiment --report``."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from guanxi.satisfaction import sentiment_store
from guanxi.satisfaction.cli_sentiment import read_texts
from tests.stats.sentiment_small import loaded


@pytest.fixture
def small_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sentiment_store, "_current", loaded())


def test_classify_prints_one_object_per_row_without_the_text(
    tmp_path: Path, small_model: None
) -> None:
    reviews = tmp_path / "reviews.csv"
    reviews.write_text(
        "order,text\n1,客服很耐心，谢谢\n2,不太好 13812345678\n3,\n", encoding="utf-8-sig"
    )
    out = StringIO()
    call_command("reviews", "classify", str(reviews), "--format", "json", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["row"] for r in rows] == [1, 2, 3]
    assert [r["sentiment"] for r in rows] == ["positive", "negative", "neutral"]
    assert rows[0]["themes"] == ["service"]
    assert all(0 <= r["score"] <= 1 and "text" not in r for r in rows)
    assert "13812345678" not in out.getvalue()  # a phone in a review is never echoed


def test_classify_reads_gb18030(tmp_path: Path, small_model: None) -> None:
    reviews = tmp_path / "gbk.csv"
    reviews.write_bytes("text\n不太好\n".encode("gb18030"))
    out = StringIO()
    call_command("reviews", "classify", str(reviews), stdout=out)
    assert json.loads(out.getvalue())["sentiment"] == "negative"


def test_bad_input_names_the_file_and_the_column(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    with pytest.raises(CommandError, match=r"nope\.csv: no such file") as caught:
        call_command("reviews", "classify", str(missing))
    assert caught.value.returncode == 2
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("review,stars\n很好,5\n", encoding="utf-8")
    with pytest.raises(
        CommandError,
        match=r"wrong\.csv: no column 'text' in the header row "
        r"\(row 1; columns: 'review', 'stars'\)",
    ) as caught:
        call_command("reviews", "classify", str(wrong))
    assert caught.value.returncode == 2
    # GB18030 (as a Chinese Excel saves it) is read; a quoted text may hold a line break
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes('text\n"很好，\n下次还来"\n\n差评\n'.encode("gb18030"))
    assert read_texts(gbk) == ["很好，\n下次还来", "差评"]


def test_report_as_json_and_table(small_model: None) -> None:
    out = StringIO()
    call_command("reviews", "sentiment", "--report", "--format", "json", stdout=out)
    meta = json.loads(out.getvalue())  # the whole output is one JSON document
    assert set(meta["results"]) >= {"three_class", "band", "lexicon", "snownlp"}
    assert meta["stored"] is False and meta["chosen"] in ("three_class", "band")
    table = StringIO()
    call_command("reviews", "sentiment", "--report", stdout=table)
    assert "| model | shop accuracy |" in table.getvalue()
    assert "客服很耐心，谢谢 → positive" in table.getvalue()
    with pytest.raises(CommandError, match="--format"):
        call_command("reviews", "sentiment", "--report", "--format", "xml")
