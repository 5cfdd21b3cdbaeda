"""Surveys with answers for the results tests, built with the models directly (the surveys
part writes the services; these tests must not depend on them)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from guanxi.accounts.models import Agent
from guanxi.satisfaction.models import Answer, Invitation, Question, Response, Survey

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = "13812345678"
XSS = "<script>alert(1)</script> 质量差"


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


def invite(survey: Survey, day: str, *, answered: bool, **credit: Any) -> Invitation:
    return Invitation.objects.create(
        survey=survey,
        nonce=secrets.token_hex(16),
        channel="link",
        created_at=at(day, 9),
        expires_at=at(day, 9) + dt.timedelta(days=14),
        answered_at=at(day) if answered else None,
        **credit,
    )


def respond(survey: Survey, day: str, answers: dict[Question, Any], **credit: Any) -> Response:
    invitation = invite(survey, day, answered=True, **credit)
    response = Response.objects.create(
        survey=survey,
        invitation=invitation,
        channel="link",
        submitted_at=at(day),
        customer_key=credit.get("customer_key", ""),
        agent=credit.get("agent"),
        team=credit.get("team", ""),
        product_id=credit.get("product_id", ""),
    )
    for question, value in answers.items():
        if isinstance(value, tuple):  # SERVQUAL: (expected, perceived)
            Answer.objects.create(
                response=response, question=question, expected=value[0], number=value[1]
            )
        elif isinstance(value, list):
            Answer.objects.create(response=response, question=question, choices=value)
        elif isinstance(value, str):
            Answer.objects.create(response=response, question=question, text=value)
        else:
            Answer.objects.create(response=response, question=question, number=value)
    return response


@dataclass
class Feedback:
    survey: Survey
    nps: Question
    csat: Question
    choice: Question
    text: Question


def feedback_survey() -> Feedback:
    """A custom survey (NPS + CSAT + a choice + a text) with 8 invitations, 5 answered.

    resp day        agent team  product key  nps csat choice  text
    r1   2026-10-05 kf_a  售后组 P1      K1   10  5    客服    客服很耐心，谢谢
    r2   2026-10-20 kf_a  售后组 P1      K2    9  4    物流    物流太慢了，电话 PHONE 联系我
    r3   2026-11-03 kf_b  售前组 P2      K3    7  3    物流
    r4   2026-11-10 kf_b  售前组 P2      K4    3  2            XSS
    r5   2026-11-15 —     —     P1      K5   10  5
    unanswered: 2026-10-07 kf_a 售后组 P1; 2026-11-05 kf_b 售前组 P2 (expired); 2026-11-20 —
    """
    a = Agent.objects.create(agent_id="kf_a", name="小安", team="售后组")
    b = Agent.objects.create(agent_id="kf_b", name="小贝", team="售前组")
    survey = Survey.objects.create(name="十月回访", kind="custom", state="open")
    survey.created_at = at("2026-10-01")
    survey.save(update_fields=["created_at"])
    nps = Question.objects.create(
        survey=survey, position=1, kind="rating10", text="您向朋友推荐本店的可能性？",
        indicator="recommend",
    )  # fmt: skip
    csat = Question.objects.create(
        survey=survey, position=2, kind="rating5", text="总体满意度", indicator="overall"
    )
    choice = Question.objects.create(
        survey=survey,
        position=3,
        kind="single",
        text="最需要改进",
        choices=["物流", "客服", "质量"],
    )
    text = Question.objects.create(
        survey=survey, position=4, kind="text", text="其他意见", required=False
    )
    ka = {"agent": a, "team": "售后组", "product_id": "P1"}
    kb = {"agent": b, "team": "售前组", "product_id": "P2"}
    respond(
        survey,
        "2026-10-05",
        {nps: 10, csat: 5, choice: ["客服"], text: "客服很耐心，谢谢"},
        customer_key="K1",
        **ka,
    )
    respond(
        survey,
        "2026-10-20",
        {nps: 9, csat: 4, choice: ["物流"], text: f"物流太慢了，电话 {PHONE} 联系我"},
        customer_key="K2",
        **ka,
    )
    respond(survey, "2026-11-03", {nps: 7, csat: 3, choice: ["物流"]}, customer_key="K3", **kb)
    respond(survey, "2026-11-10", {nps: 3, csat: 2, text: XSS}, customer_key="K4", **kb)
    respond(survey, "2026-11-15", {nps: 10, csat: 5}, customer_key="K5", product_id="P1")
    invite(survey, "2026-10-07", answered=False, customer_key="K6", **ka)
    invite(survey, "2026-11-05", answered=False, customer_key="K7", **kb)
    invite(survey, "2026-11-20", answered=False, customer_key="K8")
    return Feedback(survey, nps, csat, choice, text)  # fmt: skip


def servqual_survey() -> tuple[Survey, list[Question]]:
    """The table of test_measures: 4 items, 3 respondents (q5 nobody answered).

    item dimension   importance  r1     r2     r3
    q1   tangibles   1           (6,5)  (7,5)  (5,5)
    q2   reliability 3           (7,4)  (6,5)  (–,6)
    q3   reliability 2           (5,6)  (5,6)  (4,6)
    q4   empathy     2           (6,6)  (6,5)  (5,–)
    q5   assurance   0
    """
    survey = Survey.objects.create(name="服务质量调查", kind="servqual", state="open")
    spec = [
        ("有形设施", "tangibles", 1),
        ("按时发货", "reliability", 3),
        ("描述准确", "reliability", 2),
        ("关心顾客", "empathy", 2),
        ("值得信赖", "assurance", 0),
    ]
    qs = [
        Question.objects.create(
            survey=survey, position=n, kind="servqual", text=t, dimension=d, importance=w
        )
        for n, (t, d, w) in enumerate(spec, 1)
    ]
    q1, q2, q3, q4, _q5 = qs
    respond(survey, "2026-11-02", {q1: (6, 5), q2: (7, 4), q3: (5, 6), q4: (6, 6)})
    respond(survey, "2026-11-03", {q1: (7, 5), q2: (6, 5), q3: (5, 6), q4: (6, 5)})
    respond(survey, "2026-11-04", {q1: (5, 5), q2: (None, 6), q3: (4, 6), q4: (5, None)})
    return survey, qs
