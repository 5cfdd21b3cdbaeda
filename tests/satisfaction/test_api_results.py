"""``/api/satisfaction/surveys/…``: role checks (403 without satisfaction.view_results, 404
for an unknown survey) and the figures of the hand-computed survey."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.customers.helpers import login
from tests.satisfaction.results_data import PHONE, feedback_survey, servqual_survey

pytestmark = pytest.mark.django_db
API = "/api/satisfaction/surveys"


def _client(make_user, role: str) -> Client:
    client = Client()
    login(client, make_user, role)
    return client


def test_role_checks_and_unknown_ids(make_user):
    fb = feedback_survey()
    assert Client().get(f"{API}/").status_code == 401
    agent = _client(make_user, "agent")
    for url in (f"{API}/", f"{API}/{fb.survey.pk}/results", f"{API}/{fb.survey.pk}/nps"):
        refused = agent.get(url)
        assert (
            refused.status_code == 403 and "satisfaction.view_results" in refused.json()["detail"]
        )
    marketing = _client(make_user, "marketing")
    assert marketing.get(f"{API}/999999/nps").status_code == 404
    assert marketing.get(f"{API}/{fb.survey.pk}/servqual").status_code == 404  # no items
    assert marketing.get(f"{API}/{fb.survey.pk}/results", {"by": "colour"}).status_code == 422
    bad = marketing.get(f"{API}/", {"start": "2026-11-30", "end": "2026-11-01"})
    assert bad.status_code == 400
    assert marketing.get(f"{API}/", {"start": "2026-11-30"}).status_code == 400


def test_list_nps_and_results_by_agent(make_user):
    fb = feedback_survey()
    marketing = _client(make_user, "marketing")
    listed = marketing.get(f"{API}/").json()
    assert listed == [
        {
            "id": fb.survey.pk,
            "name": "十月回访",
            "kind": "custom",
            "state": "open",
            "responses": 5,
            "invitations": 8,
            "response_rate": 0.625,  # 5 / 8
            "csat": {"n": 5, "satisfied": 3, "share": 0.6, "mean": 3.8},
            "nps": {
                "nps": 40.0, "promoters": 3, "passives": 1, "detractors": 1, "n": 5,
                "low": -30.12, "high": 100.0, "small_sample": True,
            },
            "servqual_score": None,
        }
    ]  # fmt: skip
    nps = marketing.get(f"{API}/{fb.survey.pk}/nps", {"start": "2026-11-01", "end": "2026-11-30"})
    # November: 7, 3, 10 → 1 promoter, 1 passive, 1 detractor → 0; Var = (2/3 − 0)/3 = .222222,
    # √ = .471405, × 1.96 = .923954 → ±92.40
    assert nps.json() == {
        "survey": fb.survey.pk, "question": fb.nps.pk, "nps": 0.0, "promoters": 1,
        "passives": 1, "detractors": 1, "n": 3, "low": -92.4, "high": 92.4, "small_sample": True,
    }  # fmt: skip
    by_agent = marketing.get(f"{API}/{fb.survey.pk}/results", {"by": "agent"}).json()
    groups = {g["key"]: g for g in by_agent["groups"]}
    assert groups["kf_b"]["nps"]["nps"] == -50.0 and groups["kf_b"]["invitations"] == 3
    assert groups[None]["label"] is None and groups[None]["responses"] == 1
    assert PHONE not in json.dumps(by_agent, ensure_ascii=False)


def test_servqual_endpoint(make_user):
    survey, qs = servqual_survey()
    client = _client(make_user, "manager")
    body = client.get(f"{API}/{survey.pk}/servqual").json()
    assert body["score"] == pytest.approx(-0.6667, abs=1e-4)
    assert body["fix_first"] == [qs[1].pk, qs[0].pk, qs[3].pk, qs[2].pk, qs[4].pk]
    q2 = next(i for i in body["items"] if i["question"] == qs[1].pk)
    assert (q2["expected"], q2["perceived"], q2["gap"], q2["weight"], q2["weighted_gap"]) == (
        6.5, 4.5, -2.0, 0.375, -0.75,
    )  # fmt: skip
    reliability = next(d for d in body["dimensions"] if d["dimension"] == "reliability")
    assert reliability["weighted_gap"] == pytest.approx(-0.4167, abs=1e-4)
    if survey.dimension_set == "five":  # five-dimension items cannot be read as the ten
        answer = client.get(f"{API}/{survey.pk}/servqual?view=ten")
        assert answer.status_code == 422 and "view" in answer.json()["detail"]
