"""The satisfaction area's part of a PIPL request (privacy.services / privacy.selectors).

Access (Art. 45): every survey answer the customer gave, in their own words. Erasure
(Art. 47): the answers stay counted — scores, choices and times feed the results — but the
words they wrote are wiped, and so is what the shop wrote back to their bad reviews (a reply
may quote them or name them). The customer key left behind identifies nobody once the
master and the lake's key mapping are gone.
"""

from __future__ import annotations

from collections.abc import Iterable

from guanxi.satisfaction.models import Answer, ReviewAlert

ANSWER_COLUMNS = [
    "survey",
    "question",
    "number",
    "expected",
    "choices",
    "text",
    "channel",
    "submitted_at",
]


def answers_of(customer_keys: Iterable[str]) -> list[dict[str, str]]:
    """One row per answer of the customers' responses, oldest response first."""
    keys = [k for k in customer_keys if k]
    answers = (
        Answer.objects.filter(response__customer_key__in=keys)
        .select_related("response__survey", "question")
        .order_by("response__submitted_at", "response_id", "question__position", "question_id")
    )
    return [
        {
            "survey": a.response.survey.name,
            "question": a.question.text,
            "number": "" if a.number is None else str(a.number),
            "expected": "" if a.expected is None else str(a.expected),
            "choices": "、".join(str(c) for c in a.choices),
            "text": a.text,
            "channel": a.response.channel,
            "submitted_at": a.response.submitted_at.isoformat(),
        }
        for a in answers
    ]


REPLY_COLUMNS = ["platform", "review_id", "rating", "status", "response", "responded_at"]


def review_replies_of(customer_keys: Iterable[str]) -> list[dict[str, str]]:
    """The shop's replies to the customers' bad reviews (what erasure wipes, listed too)."""
    keys = [k for k in customer_keys if k]
    alerts = ReviewAlert.objects.filter(customer_key__in=keys).order_by("reviewed_at", "pk")
    return [
        {
            "platform": a.platform,
            "review_id": a.review_id,
            "rating": str(a.rating),
            "status": a.status,
            "response": a.response,
            "responded_at": a.responded_at.isoformat() if a.responded_at else "",
        }
        for a in alerts
    ]


def erase_customer_text(customer_keys: Iterable[str]) -> int:
    """Wipe the words of the customers' survey answers and the shop's replies to their
    reviews. Returns how many texts were wiped."""
    keys = [k for k in customer_keys if k]
    wiped = 0
    # Encrypted fields are written one row at a time (the field seals each value).
    for answer in Answer.objects.filter(response__customer_key__in=keys).exclude(text=""):
        answer.text = ""
        answer.save(update_fields=["text"])
        wiped += 1
    for alert in ReviewAlert.objects.filter(customer_key__in=keys).exclude(response=""):
        alert.response = ""
        alert.save(update_fields=["response"])
        wiped += 1
    return wiped
