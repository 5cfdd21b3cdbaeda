"""The builder's forms: what a POST holds, turned into the keyword arguments of
``services`` (which does the checking, so the CLI and the pages share one set of rules),
and the option lists the templates draw. Errors come back as ``SurveyError.field``."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from guanxi.satisfaction import dimensions, templates_library
from guanxi.satisfaction.models import DimensionSet, Indicator, QuestionKind, Survey
from guanxi.satisfaction.services import Credit, SurveyError, SurveyInput, clean_survey


def survey_input(post: Any) -> SurveyInput:
    return clean_survey(
        post.get("name", ""),
        post.get("intro", ""),
        post.get("link_days", "14"),
        post.get("dimension_set", DimensionSet.FIVE),
    )


def question_fields(post: Any) -> dict[str, Any]:
    """The keyword arguments of ``services.add_question``/``update_question``."""
    return {
        "kind": post.get("kind", ""),
        "text": post.get("text", ""),
        "choices": post.get("choices", ""),
        "required": post.get("required") == "on",
        "indicator": post.get("indicator", ""),
        "dimension": post.get("dimension", ""),
        "scale_max": post.get("scale_max", "7") or "7",
        "importance": post.get("importance", "1") or "1",
    }


def question_values(question: Any) -> dict[str, Any]:
    """A stored question as the form shows it (choices one per line)."""
    return {
        "kind": question.kind,
        "text": question.text,
        "choices": "\n".join(question.choices),
        "required": question.required,
        "indicator": question.indicator,
        "dimension": question.dimension,
        "scale_max": str(question.scale_max),
        "importance": f"{question.importance.normalize():f}",
    }


BLANK_QUESTION = {
    "kind": QuestionKind.RATING5,
    "text": "",
    "choices": "",
    "required": True,
    "indicator": "",
    "dimension": "",
    "scale_max": "7",
    "importance": "1",
}


def _int_or_none(value: Any, field: str) -> int | None:
    text = str(value or "").strip().lstrip("#")
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise SurveyError(_("ticket: 请填工单号，例如 1024"), field) from None


def credit(post: Any) -> Credit:
    return Credit(
        ticket_id=_int_or_none(post.get("ticket", ""), "ticket"),
        agent_id=str(post.get("agent", "")).strip(),
        team=str(post.get("team", "")).strip(),
        order_id=str(post.get("order_id", "")).strip(),
        product_id=str(post.get("product_id", "")).strip(),
    )


def options(survey: Survey | None) -> dict[str, list[tuple[str, str | Promise]]]:
    dset = survey.dimension_set if survey is not None else DimensionSet.FIVE
    return {
        "kinds": list(QuestionKind.choices),
        "indicators": list(Indicator.choices),
        "dimensions": list(dimensions.of_set(dset).items()),
        "dimension_sets": list(DimensionSet.choices),
        "templates": templates_library.choices(),
    }
