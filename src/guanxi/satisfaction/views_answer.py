"""The customer's public answer page behind a signed link (no login; works at 390 px).

GET shows the survey's intro and questions; POST stores the answers once through
``answering.submit``. Refusals are pages of their own: a forged or altered token is a 404
("this link is not valid"), a used link, an expired link and a closed survey are 410 (gone)
with a page that says which. Errors in the answers are shown beside their questions, and
what the customer typed is kept. Everything the customer wrote is escaped by the template
engine (a stored ``<script>`` is text).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from guanxi.satisfaction import answering, links
from guanxi.satisfaction.links import LinkError
from guanxi.satisfaction.models import Channel, Question, QuestionKind

# What the customer reads for each refusal (the codes of links.LinkError).
REFUSALS = {
    "tampered": (
        404,
        gettext_lazy("链接无效"),
        gettext_lazy("这个链接不完整或被改动过，请打开短信或消息里的原始链接。"),
    ),
    "used": (
        410,
        gettext_lazy("已经回答过了"),
        gettext_lazy("这份问卷您已经填写过，答复我们已收到，谢谢！每个链接只能回答一次。"),
    ),
    "expired": (
        410,
        gettext_lazy("链接已过期"),
        gettext_lazy("这个问卷链接已过期。如仍想告诉我们您的意见，请联系客服。"),
    ),
    "closed": (
        410,
        gettext_lazy("问卷已结束"),
        gettext_lazy("这份问卷已经停止收集答复。感谢您的关注！"),
    ),
}

RATING5_LABELS = (
    gettext_lazy("很不满意"),
    gettext_lazy("不满意"),
    gettext_lazy("一般"),
    gettext_lazy("满意"),
    gettext_lazy("非常满意"),
)


def items(
    questions: list[Question], answers: dict[int, Any], errors: dict[int, str]
) -> list[dict[str, Any]]:
    """Each question with its scale, what was typed and its error (the shared partial)."""
    result = []
    for number, q in enumerate(questions, start=1):
        value = answers.get(q.pk, "")
        item: dict[str, Any] = {
            "q": q,
            "number": number,
            "name": f"q{q.pk}",
            "error": errors.get(q.pk, ""),
        }
        if q.kind == QuestionKind.RATING5:
            item["scale"] = [(str(n), RATING5_LABELS[n - 1]) for n in range(1, 6)]
            item["value"] = str(value)
        elif q.kind == QuestionKind.RATING10:
            item["scale"] = [(str(n), "") for n in range(0, 11)]
            item["value"] = str(value)
        elif q.kind == QuestionKind.SERVQUAL:
            expected, perceived = value if isinstance(value, list | tuple) else ("", "")
            item["scale"] = [str(n) for n in range(1, q.scale_max + 1)]
            item["expected"], item["perceived"] = str(expected), str(perceived)
        elif q.kind == QuestionKind.MULTIPLE:
            item["picked"] = list(value) if isinstance(value, list | tuple) else []
        else:
            item["value"] = str(value)
        result.append(item)
    return result


def _refused(request: HttpRequest, exc: LinkError) -> HttpResponse:
    status, title, text = REFUSALS.get(exc.code, REFUSALS["tampered"])
    context = {"title": title, "text": text, "code": exc.code}
    return render(request, "satisfaction/answer_refused.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = links.invitation_of_token(token)
    except LinkError as exc:
        return _refused(request, exc)
    survey = invitation.survey
    questions = list(survey.questions.order_by("position", "id"))
    answers: dict[int, Any] = {}
    errors: dict[int, str] = {}
    if request.method == "POST":
        answers = answering.from_post(questions, request.POST)
        try:
            answering.submit(invitation, answers, Channel.LINK)
        except LinkError as exc:
            return _refused(request, exc)
        except answering.AnswerError as exc:
            errors = exc.errors
        else:
            return render(request, "satisfaction/answer_thanks.html", {"survey": survey})
    context = {
        "survey": survey,
        "items": items(questions, answers, errors),
        "errors": errors,
        "text_length": answering.TEXT_LENGTH,
    }
    return render(request, "satisfaction/answer_page.html", context, status=400 if errors else 200)
