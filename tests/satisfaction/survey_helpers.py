"""Small builders shared by the survey tests: a customer, an open survey of every kind of
question, an invitation at a fixed time."""

from __future__ import annotations

import datetime as dt

from guanxi.customers.services import CustomerRecord, customer_create
from guanxi.satisfaction import services
from guanxi.satisfaction.models import Invitation, Survey

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def customer(name: str = "王小明", mobile: str = "13812345678", **fields):
    return customer_create(CustomerRecord(name=name, mobile=mobile, **fields))


def open_survey(link_days: int = 14) -> Survey:
    """Draft → questions of each kind → open. Questions in order: rating5 (required),
    rating10 (required), single, multiple, text (optional), servqual (required, 1–7)."""
    survey = services.create_survey(services.clean_survey("回访", "", link_days, "five"))
    services.add_question(survey, kind="rating5", text="总体满意吗？", indicator="overall")
    services.add_question(survey, kind="rating10", text="推荐吗？", indicator="recommend")
    services.add_question(survey, kind="single", text="渠道", choices="淘宝\n京东", required=False)
    services.add_question(
        survey, kind="multiple", text="喜欢什么", choices=["价格", "质量", "服务"], required=False
    )
    services.add_question(survey, kind="text", text="建议", required=False)
    services.add_question(
        survey, kind="servqual", text="客服回复快", dimension="responsiveness", scale_max=7
    )
    return services.open_survey(survey, T0)


def questions(survey: Survey):
    return list(survey.questions.order_by("position", "id"))


def invitation(survey: Survey, key: str | None = None, at: dt.datetime = T0) -> Invitation:
    """A link invitation made at ``at`` (pages check against the real clock: pass now)."""
    found, _ = services.send_to_customer(survey, key or customer().customer_key, at=at)
    return found


def full_answers(survey: Survey) -> dict[int, object]:
    r5, r10, single, multiple, text, sq = questions(survey)
    return {
        r5.pk: "4",
        r10.pk: 9,
        single.pk: "京东",
        multiple.pk: ["服务", "价格"],
        text.pk: "<script>alert(1)</script> 发货快",
        sq.pk: ("6", "5"),
    }
