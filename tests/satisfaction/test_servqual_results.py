"""The SERVQUAL page: the gaps of test_measures' table read from answers, the ten → five
fold, the fix-first list with remedies (saved with who and when; too long refused, nothing
saved), the export."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client

from guanxi.satisfaction import result_selectors as sel
from guanxi.satisfaction.models import Question, Survey
from tests.customers.helpers import login
from tests.satisfaction.results_data import respond, servqual_survey

pytestmark = pytest.mark.django_db


def test_gaps_from_answers_match_the_hand_computed_table():
    survey, qs = servqual_survey()
    sq = sel.servqual_of(sel.survey_data(survey))
    # as test_measures: weights .125 .375 .25 .25 0; score −2/3; fix first q2, q1, q4, q3, q5
    assert [round(i.weight, 3) for i in sq.items] == [0.125, 0.375, 0.25, 0.25, 0.0]
    assert sq.score == pytest.approx(-2 / 3)
    assert [i.key for i in sq.ranking] == [qs[1].pk, qs[0].pk, qs[3].pk, qs[2].pk, qs[4].pk]
    assert sel.figures(sel.survey_data(survey)).servqual == pytest.approx(-2 / 3)


def _ten_survey() -> Survey:
    # a (courtesy, 1): (5,3) gap −2; b (security, 1): (4,5) gap +1; c (tangibles, 2): (5,5) 0
    # weights .25 .25 .5 → score −.5 + .25 + 0 = −.25
    survey = Survey.objects.create(name="十构面", kind="servqual", dimension_set="ten")
    a, b, c = (
        Question.objects.create(
            survey=survey, position=n, kind="servqual", text=t, dimension=d, importance=w
        )
        for n, (t, d, w) in enumerate(
            [("礼貌", "courtesy", 1), ("安全", "security", 1), ("门面", "tangibles", 2)], 1
        )
    )
    respond(survey, "2026-11-02", {a: (5, 3), b: (4, 5), c: (5, 5)})
    return survey


def test_ten_dimensions_and_their_fold_into_five():
    survey = _ten_survey()
    data = sel.survey_data(survey)
    ten = {d.dimension: d for d in sel.servqual_of(data, view="ten").dimensions}
    assert len(ten) == 10 and ten["courtesy"].gap == -2 and ten["security"].gap == 1
    # five: courtesy and security fold into assurance: gap mean(−2, 1) = −.5,
    # weight .25 + .25 = .5, weighted −.5 + .25 = −.25
    five = {d.dimension: d for d in sel.servqual_of(data, view="five").dimensions}
    assert list(five) == ["tangibles", "reliability", "responsiveness", "assurance", "empathy"]
    assert five["assurance"].gap == -0.5 and five["assurance"].weight == 0.5
    assert five["assurance"].weighted == pytest.approx(-0.25)
    assert sel.servqual_of(data, view="five").score == pytest.approx(-0.25)


def _client(make_user, role: str) -> Client:
    client = Client()
    login(client, make_user, role)
    return client


def test_page_remedies_and_export(make_user):
    survey, qs = servqual_survey()
    manager = _client(make_user, "manager")
    # one SERVQUAL survey: the chooser goes straight to it
    assert manager.get("/satisfaction/results/servqual/")["Location"].endswith(
        f"/servqual/{survey.pk}/"
    )
    url = f"/satisfaction/results/servqual/{survey.pk}/"
    page = manager.get(url).content.decode()
    assert "-0.67" in page.replace("−", "-")  # the score
    fix = page.split('id="fix-first"')[1]
    assert fix.index("按时发货") < fix.index("有形设施")  # fix first: q2 before q1
    # too long: refused naming the item, nothing saved (the other remedy neither)
    too_long = manager.post(url, {f"remedy-{qs[1].pk}": "x" * 1001, f"remedy-{qs[0].pk}": "换新"})
    assert too_long.status_code == 400 and "按时发货" in too_long.content.decode()
    assert not Question.objects.filter(pk__in=[qs[0].pk, qs[1].pk]).exclude(remedy="").exists()
    saved = manager.post(url, {f"remedy-{qs[1].pk}": "与快递签约次日达", f"remedy-{qs[0].pk}": ""})
    assert saved.status_code == 302
    q2 = Question.objects.get(pk=qs[1].pk)
    assert q2.remedy == "与快递签约次日达" and q2.remedy_by is not None
    assert q2.remedy_by.username == "manager1"
    assert q2.remedy_at is not None
    assert Question.objects.get(pk=qs[0].pk).remedy_at is None  # unchanged: not stamped
    assert "与快递签约次日达" in manager.get(url).content.decode()
    # Importance weights may change on an open survey (they weigh gaps, answers do not
    # depend on them); a bad one is refused naming the item and nothing is saved.
    bad = manager.post(url, {f"importance-{qs[0].pk}": "-1", f"remedy-{qs[0].pk}": "换新"})
    assert bad.status_code == 400 and "有形设施" in bad.content.decode()
    assert Question.objects.get(pk=qs[0].pk).remedy == ""
    assert manager.post(url, {f"importance-{qs[0].pk}": "5"}).status_code == 302
    # weights 5, 3, 2, 2 (sum 12) on gaps −1, −2, +4/3, −0.5:
    # (5·−1 + 3·−2 + 2·4/3 + 2·−0.5) / 12 = −9.3333 / 12 = −0.7778
    api = manager.get(f"/api/satisfaction/surveys/{survey.pk}/servqual").json()
    assert api["score"] == pytest.approx(-0.7778, abs=1e-4)
    # the survey's results page shows its score and each item's perceived distribution
    results = manager.get(f"/satisfaction/results/{survey.pk}/").content.decode()
    assert 'data-metric="servqual"' in results and "-0.78" in results.replace("−", "-")
    # marketing may change surveys (their remedies too); an agent sees nothing
    assert _client(make_user, "agent").get(url).status_code == 403
    xlsx = manager.get(url + "export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["servqual-items", "servqual-dimensions", "servqual-ranking"]
    ranked = [
        [c.value for c in r] for r in book["servqual-ranking"].iter_rows(min_row=3, max_row=3)
    ]
    # priority, item, dimension, n, E, P, gap, weight, weighted, remedy
    assert ranked[0][:3] == [1, "按时发货", "可靠性"]
    assert ranked[0][6:] == [-2, 0.25, -0.5, "与快递签约次日达"]  # q2: 3/12, −2 × 0.25


def test_chooser_lists_several_and_the_switch_shows_on_ten_only(make_user):
    servqual_survey()
    ten = _ten_survey()
    manager = _client(make_user, "manager")
    chooser = manager.get("/satisfaction/results/servqual/").content.decode()
    assert "服务质量调查" in chooser and "十构面" in chooser
    page = manager.get(f"/satisfaction/results/servqual/{ten.pk}/?view=five").content.decode()
    assert (
        'id="view-ten"' in page
        and "保证性" in page
        and "礼貌性" not in page.split("fix-first")[0].split("servqual-dimensions")[1]
    )
