"""Survey results: the figures of a small survey computed by hand, by month, agent, team,
product and segment; the pages (masked, escaped, searchable text answers; reveal audited)
and their exports."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

import openpyxl
import pytest
from django.test import Client

from guanxi.core.models import AuditEntry
from guanxi.core.timeutil import Period
from guanxi.satisfaction import result_selectors as sel
from guanxi.segments.models import Segment
from tests.customers.helpers import customer, login
from tests.satisfaction.results_data import PHONE, XSS, feedback_survey

pytestmark = pytest.mark.django_db

OCT_NOV = Period(*map(__import__("datetime").date.fromisoformat, ("2026-10-01", "2026-11-30")))


def test_overall_figures_by_hand():
    fb = feedback_survey()
    f = sel.figures(sel.survey_data(fb.survey))
    assert f.csat is not None and f.nps is not None and f.nps.low is not None
    # response rate: 5 answered of 8 sent (the expired one included) = .625
    assert (f.rate.sent, f.rate.answered, f.rate.rate) == (8, 5, 0.625)
    # CSAT: 5, 4, 3, 2, 5 → 3 of 5 are 4–5 = .6; mean 19 / 5 = 3.8
    assert (f.csat.n, f.csat.satisfied, f.csat.share, f.csat.mean) == (5, 3, 0.6, 3.8)
    # NPS: promoters 10, 9, 10; passive 7; detractor 3 → (3 − 1)/5 = 40;
    # Var = (.6 + .2 − .4²)/5 = .64/5 = .128, √ = .357771, × 1.96 = .701231 → ±70.12
    # → [−30.12, 110.12] clipped to 100
    assert (f.nps.promoters, f.nps.passives, f.nps.detractors) == (3, 1, 1)
    assert f.nps.nps == pytest.approx(40) and round(f.nps.low, 2) == -30.12 and f.nps.high == 100
    assert f.servqual is None


def _rows(groups):
    return {
        g.key: (g.figures.rate.sent, g.figures.rate.answered, g.figures.responses,
                g.figures.nps.nps, g.figures.csat.share)
        for g in groups
    }  # fmt: skip


def test_breakdowns_by_month_agent_team_product():
    fb = feedback_survey()
    data = sel.survey_data(fb.survey, OCT_NOV)
    # Oct: invited r1, r2 and one unanswered → 3 sent, 2 answered; NPS 10, 9 → 100;
    # CSAT 5, 4 → 1.0. Nov: r3, r4, r5 + 2 unanswered → 5 sent, 3 answered; NPS 7, 3, 10 →
    # (1 − 1)/3 = 0; CSAT 3, 2, 5 → 1/3
    by_month = _rows(sel.breakdown(data, "period"))
    assert by_month == {"2026-10": (3, 2, 2, 100.0, 1.0), "2026-11": (5, 3, 3, 0.0, 1 / 3)}
    # kf_a: r1, r2 + 1 unanswered; kf_b: r3, r4 + the expired one → NPS (0 − 1)/2 = −50,
    # CSAT 3, 2 → 0; nobody: r5 + 1 unanswered → NPS 100, CSAT 1
    by_agent = _rows(sel.breakdown(data, "agent"))
    assert by_agent == {
        "kf_a": (3, 2, 2, 100.0, 1.0),
        "kf_b": (3, 2, 2, -50.0, 0.0),
        "": (2, 1, 1, 100.0, 1.0),
    }
    assert [g.label for g in sel.breakdown(data, "agent")][:2] == ["小安 (kf_a)", "小贝 (kf_b)"]
    assert _rows(sel.breakdown(data, "team")) == {
        "售前组": (3, 2, 2, -50.0, 0.0),
        "售后组": (3, 2, 2, 100.0, 1.0),
        "": (2, 1, 1, 100.0, 1.0),
    }
    # P1: r1, r2, r5 + the kf_a unanswered → 4 sent, 3 answered; P2: r3, r4 + expired;
    # "" : the last unanswered invitation only (no responses: no NPS)
    by_product = {g.key: g.figures for g in sel.breakdown(data, "product")}
    assert by_product["P2"].nps is not None and by_product[""].nps is not None
    assert (by_product["P1"].rate.sent, by_product["P1"].rate.answered) == (4, 3)
    assert by_product["P2"].nps.nps == -50.0
    assert by_product[""].responses == 0 and by_product[""].nps.nps is None
    # a period of November only: r3, r4, r5
    nov = sel.survey_data(fb.survey, Period(OCT_NOV.end.replace(day=1), OCT_NOV.end))
    assert sel.figures(nov).responses == 3


def test_breakdown_by_segment_uses_membership_by_customer_key():
    fb = feedback_survey()
    for key in ("K1", "K4", "K6"):  # K6 was invited and did not answer
        customer(customer_key=key, mobile="", email="", name="", identities=(), tags=("老客户",))
    customer(customer_key="K3", mobile="", email="", name="", identities=(), tags=())
    Segment.objects.create(
        name="老客户", filters={"tags": ["老客户"]}, created_by="t", updated_by="t"
    )
    Segment.objects.create(
        name="空分群", filters={"tags": ["无人"]}, created_by="t", updated_by="t"
    )
    groups = sel.breakdown(sel.survey_data(fb.survey), "segment")
    # members among the respondents: K1 (NPS 10, CSAT 5) and K4 (NPS 3, CSAT 2)
    # → NPS (1 − 1)/2 = 0, CSAT 1/2; invited members K1, K4, K6 → 2 of 3 answered;
    # the empty segment is left out
    assert [g.label for g in groups] == ["老客户"]
    f = groups[0].figures
    assert f.nps is not None and f.csat is not None
    assert (f.responses, f.nps.nps, f.csat.share) == (2, 0.0, 0.5)
    assert (f.rate.sent, f.rate.answered) == (3, 2)


def test_question_figures_and_dashboard_functions():
    fb = feedback_survey()
    qfs = {qf.question.pk: qf for qf in sel.question_figures(sel.survey_data(fb.survey))}
    assert qfs[fb.choice.pk].counts == [("物流", 2), ("客服", 1), ("质量", 0)]
    assert qfs[fb.choice.pk].answered == 3
    assert qfs[fb.csat.pk].counts == [("1", 0), ("2", 1), ("3", 1), ("4", 1), ("5", 2)]
    assert qfs[fb.text.pk].answered == 3  # r1, r2, r4
    means = sel.indicator_means(OCT_NOV)
    # overall: 19/5 = 3.8; recommend on 1–5: 1 + .4·x → 5, 4.6, 3.8, 2.2, 5 → 20.6/5 = 4.12
    assert means["overall"] == (pytest.approx(3.8), 5)
    assert means["recommend"] == (pytest.approx(4.12), 5)
    assert means["logistics"] == (None, 0)
    assert sel.nps_of(OCT_NOV).nps == pytest.approx(40)
    assert sel.nps_of(Period(OCT_NOV.start, OCT_NOV.start)).nps is None


def _client(make_user, role: str) -> Client:
    client = Client()
    login(client, make_user, role)
    return client


def _search(client: Client, survey_id: int, text: str):
    """POST the text-answer search as the page's form does and follow the redirect: its
    URL carries a token, never the text (guanxi.web.search_tokens)."""
    posted = client.post(
        f"/satisfaction/results/{survey_id}/",
        {"start": "2026-10-01", "end": "2026-11-30", "by": "period", "q": text},
    )
    assert posted.status_code == 302 and "&s=" in posted["Location"]
    assert text not in posted["Location"] and quote(text) not in posted["Location"]
    return client.get(posted["Location"])


def test_pages_mask_escape_search_and_audit_reveal(make_user):
    fb = feedback_survey()
    url = f"/satisfaction/results/{fb.survey.pk}/?start=2026-10-01&end=2026-11-30"
    marketing = _client(make_user, "marketing")
    overview = marketing.get("/satisfaction/results/")
    assert overview.status_code == 200
    assert "十月回访" in overview.content.decode() and "62.50%" in overview.content.decode()
    page = marketing.get(url).content.decode()
    assert PHONE not in page and "电话 138****5678 联系我" in page
    assert (
        "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    )
    assert "40.00" in page and "[-30.12, 100.00]" in page.replace("−", "-")
    assert "reveal-texts" not in page  # marketing may not reveal
    # the search runs over what the user sees: the masked phone is not found
    assert "没有匹配的回答" in _search(marketing, fb.survey.pk, PHONE).content.decode()
    found = _search(marketing, fb.survey.pk, "物流").content.decode()
    assert "物流太慢了" in found and "客服很耐心" not in found
    # a q in the URL is not read (search text stays out of URLs); a stale token says so
    assert "客服很耐心" in marketing.get(url + "&q=物流").content.decode()
    assert "已过期" in marketing.get(url + "&s=made-up").content.decode()
    assert marketing.get(url + "&reveal=1").content.decode().count(PHONE) == 0
    # a manager sees it masked until they reveal; the reveal is audited
    manager = _client(make_user, "manager")
    assert PHONE not in manager.get(url).content.decode()
    assert not AuditEntry.objects.filter(action="reveal").exists()
    assert PHONE in manager.get(url + "&reveal=1").content.decode()
    entry = AuditEntry.objects.get(action="reveal")
    assert entry.subject == f"survey {fb.survey.pk}" and entry.actor_username == "manager1"
    # agents have no results
    assert _client(make_user, "agent").get(url).status_code == 403
    assert marketing.get("/satisfaction/results/999999/").status_code == 404


def test_exports_carry_the_figures_and_masked_texts(make_user):
    fb = feedback_survey()
    manager = _client(make_user, "manager")
    q = "?start=2026-10-01&end=2026-11-30"
    xlsx = manager.get(f"/satisfaction/results/{fb.survey.pk}/export.xlsx{q}")
    assert xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    sheet = book["by-period"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=3, max_row=4)]
    # month, sent, rate, responses, rated, CSAT, mean, P, Pa, D, NPS, low, high
    assert rows[0][:7] == ["2026-10", 3, pytest.approx(2 / 3), 2, 2, 1.0, 4.5]
    assert rows[1][10] == 0.0
    csv_text = manager.get(f"/satisfaction/results/{fb.survey.pk}/export.csv{q}").content.decode()
    assert csv_text.startswith("\ufeff") and "2026-11" in csv_text
    texts = manager.get(f"/satisfaction/results/{fb.survey.pk}/texts.csv{q}").content.decode()
    assert PHONE not in texts and "物流太慢了" in texts  # masked even for a manager
    # the page's search goes with the export by its token: only the matching answers
    page = _search(manager, fb.survey.pk, "物流").content.decode()
    token = page.split("texts.csv?", 1)[1].split('"', 1)[0].split("s=", 1)[1]
    matched = manager.get(f"/satisfaction/results/{fb.survey.pk}/texts.csv{q}&s={token}")
    assert "物流太慢了" in matched.content.decode() and "客服很耐心" not in matched.content.decode()
    # an expired search exports nothing and says so (not every answer instead)
    stale = manager.get(f"/satisfaction/results/{fb.survey.pk}/texts.csv{q}&s=gone", follow=True)
    assert "这次搜索已过期" in stale.content.decode()
    assert XSS in texts  # a CSV holds the text as written (no HTML there)
    tx = manager.get(f"/satisfaction/results/{fb.survey.pk}/texts.xlsx{q}")
    book = openpyxl.load_workbook(io.BytesIO(tx.content))
    assert book.sheetnames == ["text-answers", "themes"]
    assert AuditEntry.objects.filter(action="export", subject=f"survey {fb.survey.pk}").count() == 3


def test_default_period_runs_from_the_first_invitation_month_to_today_or_the_close():
    from tests.satisfaction.survey_helpers import invitation, open_survey

    survey = open_survey()
    invitation(survey)  # 2026-03-02 09:00 UTC: March in Shanghai
    today = dt.date(2026, 12, 6)
    assert sel.default_period(survey, today) == Period(dt.date(2026, 3, 1), today)
    # closed at 2026-05-20 23:30 UTC = May 21 in Shanghai: nothing comes after that day
    survey.closed_at = dt.datetime(2026, 5, 20, 23, 30, tzinfo=dt.UTC)
    assert sel.default_period(survey, today).end.isoformat() == "2026-05-21"
