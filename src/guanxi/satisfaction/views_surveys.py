"""The survey builder and distribution pages (``satisfaction:surveys`` and its children).

Thin: ``services`` checks and writes, ``survey_selectors`` reads, ``forms`` maps a POST to
the services' arguments; a refusal comes back as a flash (actions) or as an error beside its
field (forms). Who may do what:

- view_survey: the list and a survey's questions and counts (agents too);
- add_survey / change_survey: build, open, close and send; the invitation list and the
  link export (masked names, never a phone) — managers, admins and marketing;
- delete_survey: delete a draft;
- enter_answer: key in a phone interview. An agent (no ``accounts.view_all_agents``) may
  do it only for a customer they served (``customers.selectors.agent_served``), the same
  rule as the customer page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi.satisfaction import answering, forms, services, survey_selectors
from guanxi.satisfaction.links import LinkError
from guanxi.satisfaction.models import Channel, Question, Survey, SurveyState
from guanxi.satisfaction.services import SurveyError
from guanxi.satisfaction.views_answer import REFUSALS, items
from guanxi.web.exports.safe import csv_text
from guanxi.web.exports.xlsx import Column, Sheet, workbook
from guanxi.web.responses import xlsx_response

PAGE_SIZE = 50
VIEW, ADD, CHANGE, DELETE = (
    "satisfaction.view_survey",
    "satisfaction.add_survey",
    "satisfaction.change_survey",
    "satisfaction.delete_survey",
)
ENTER = "satisfaction.enter_answer"


def _survey(survey_id: int) -> Survey:
    survey = survey_selectors.survey_get(survey_id)
    if survey is None:
        raise Http404("no such survey")
    return survey


def _question(survey: Survey, question_id: int) -> Question:
    question = survey.questions.filter(pk=question_id).first()
    if question is None:
        raise Http404("no such question")
    return question


def _back(survey: Survey, anchor: str = "") -> HttpResponse:
    return redirect(reverse("satisfaction:survey", args=[survey.pk]) + anchor)


def _state_refused(request: HttpRequest, survey: Survey, exc: SurveyError) -> HttpResponse | None:
    """A refusal because of the survey's state (edited after opening, sent while a draft):
    the form it came from is no longer on the page, so it is said as a flash instead."""
    if exc.field != "state":
        return None
    messages.error(request, _("未完成：%(error)s") % {"error": exc})
    return _back(survey)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def survey_list(request: HttpRequest) -> HttpResponse:
    context = {
        "nav": "satisfaction",
        "sat_tab": "surveys",
        "surveys": survey_selectors.survey_list(),
    }
    return render(request, "satisfaction/survey_list.html", context)


@login_required
@permission_required(ADD, raise_exception=True)
@require_http_methods(["GET", "POST"])
def survey_new(request: HttpRequest) -> HttpResponse:
    values = {"template": "csat", "name": "", "dimension_set": "five"}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, v).strip() for k, v in values.items()}
        try:
            if values["template"] == "blank":
                survey = services.create_survey(forms.survey_input(request.POST), by=request.user)
            else:
                survey = services.create_from_template(
                    values["template"], values["name"], values["dimension_set"], by=request.user
                )
        except SurveyError as exc:
            errors[exc.field or "name"] = str(exc)
        else:
            messages.success(request, _("问卷已创建（草稿）。检查题目后点“开始收集”。"))
            return _back(survey)
    context = {
        "nav": "satisfaction",
        "sat_tab": "surveys",
        "values": values,
        "errors": errors,
        "options": forms.options(None),
    }
    return render(request, "satisfaction/survey_new.html", context, status=400 if errors else 200)


def _detail(request: HttpRequest, survey: Survey, status: int = 200, **extra: Any) -> HttpResponse:
    now = timezone.now()
    context: dict[str, Any] = {
        "nav": "satisfaction",
        "sat_tab": "surveys",
        "survey": survey,
        "draft": survey.state == SurveyState.DRAFT,
        "open": survey.state == SurveyState.OPEN,
        "questions": survey_selectors.questions_of(survey),
        "counts": survey_selectors.counts(survey, now),
        "options": forms.options(survey),
        "question": dict(forms.BLANK_QUESTION),
        "question_errors": {},
        "survey_errors": {},
        "send_errors": {},
        "send_values": {},
    }
    if request.user.has_perm(CHANGE):
        from guanxi.segments import selectors as segment_selectors

        status_filter = request.GET.get("status", "")
        rows = survey_selectors.invitations(survey, status_filter, now)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(
            segments=segment_selectors.segment_list(),
            page=page,
            status_filter=status_filter,
            invitation_rows=[survey_selectors.invitation_row(i, now) for i in page.object_list],
        )
    context.update(extra)
    return render(request, "satisfaction/survey_detail.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    return _detail(request, _survey(survey_id))


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def survey_edit(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    try:
        services.update_survey(survey, forms.survey_input(request.POST))
    except SurveyError as exc:
        refused = _state_refused(request, survey, exc)
        return refused or _detail(request, survey, 400, survey_errors={exc.field: str(exc)})
    messages.success(request, _("问卷设置已保存。"))
    return _back(survey)


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def question_add(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    fields = forms.question_fields(request.POST)
    try:
        services.add_question(survey, **fields)
    except SurveyError as exc:
        refused = _state_refused(request, survey, exc)
        errors = {exc.field: str(exc)}
        return refused or _detail(request, survey, 400, question=fields, question_errors=errors)
    messages.success(request, _("题目已添加。"))
    return _back(survey, "#questions")


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, survey_id: int, question_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    values, errors = forms.question_values(question), {}
    if request.method == "POST":
        values = forms.question_fields(request.POST)
        try:
            services.update_question(question, **values)
        except SurveyError as exc:
            errors = {exc.field: str(exc)}
        else:
            messages.success(request, _("题目已保存。"))
            return _back(survey, "#questions")
    context = {
        "nav": "satisfaction",
        "sat_tab": "surveys",
        "survey": survey,
        "question_obj": question,
        "question": values,
        "question_errors": errors,
        "options": forms.options(survey),
        "draft": survey.state == SurveyState.DRAFT,
    }
    return render(
        request, "satisfaction/survey_question.html", context, status=400 if errors else 200
    )


def _action(request: HttpRequest, survey: Survey, run: Any, done: str) -> HttpResponse:
    try:
        run()
    except SurveyError as exc:
        messages.error(request, _("未完成：%(error)s") % {"error": exc})
    else:
        messages.success(request, done)
    return _back(survey)


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def question_delete(request: HttpRequest, survey_id: int, question_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    return _action(request, survey, lambda: services.delete_question(question), _("题目已删除。"))


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def question_move(request: HttpRequest, survey_id: int, question_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    direction = request.POST.get("direction", "")
    try:
        services.move_question(question, direction)
    except SurveyError as exc:
        messages.error(request, _("未完成：%(error)s") % {"error": exc})
    return _back(survey, "#questions")


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def survey_open(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    return _action(
        request, survey, lambda: services.open_survey(survey), _("问卷已开始收集，题目已冻结。")
    )


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def survey_close(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    return _action(
        request,
        survey,
        lambda: services.close_survey(survey),
        _("问卷已结束，未使用的链接将失效。"),
    )


@login_required
@permission_required(DELETE, raise_exception=True)
@require_POST
def survey_delete(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    try:
        services.delete_draft(survey)
    except SurveyError as exc:
        messages.error(request, _("未完成：%(error)s") % {"error": exc})
        return _back(survey)
    messages.success(request, _("草稿已删除。"))
    return redirect("satisfaction:surveys")


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def send_segment(request: HttpRequest, survey_id: int) -> HttpResponse:
    from guanxi.segments import selectors as segment_selectors

    survey = _survey(survey_id)
    raw = request.POST.get("segment", "")
    segment = segment_selectors.segment_get(int(raw)) if raw.isdigit() else None
    if segment is None:
        errors = {"segment": _("segment: 请选择一个已保存的分群")}
        return _detail(request, survey, 400, send_errors=errors)
    try:
        result = services.send_to_segment(survey, segment, by=request.user)
    except SurveyError as exc:
        refused = _state_refused(request, survey, exc)
        return refused or _detail(request, survey, 400, send_errors={"segment": str(exc)})
    messages.success(
        request,
        _("已向分群“%(name)s”发出 %(new)s 份新邀请；%(already)s 位客户此前已邀请，不会重复打扰。")
        % {"name": segment.name, "new": result.new, "already": result.already},
    )
    return _back(survey, "#invitations")


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def send_customer(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    values = {
        k: request.POST.get(k, "")
        for k in ("customer", "ticket", "agent", "team", "order_id", "product_id")
    }
    try:
        invitation, created = services.send_to_customer(
            survey, values["customer"], forms.credit(request.POST), by=request.user
        )
    except SurveyError as exc:
        refused = _state_refused(request, survey, exc)
        errors = {exc.field: str(exc)}
        return refused or _detail(request, survey, 400, send_errors=errors, send_values=values)
    if created:
        messages.success(
            request, _("已为客户 %(key)s 生成问卷链接。") % {"key": invitation.customer_key}
        )
    else:
        messages.warning(
            request,
            _("客户 %(key)s 已经收到过这份问卷，未重复邀请。") % {"key": invitation.customer_key},
        )
    return _back(survey, "#invitations")


# The link export's columns (msgids; translated when the file is written).
LINK_COLUMNS = ("客户编号", "客户（已脱敏）", "链接", "发出时间", "失效时间")


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_GET
def links_export(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    kind = request.GET.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        raise Http404("format: csv or xlsx")
    header = [_(h) for h in LINK_COLUMNS]
    rows = survey_selectors.link_export_rows(survey, request.build_absolute_uri)
    filename = f"survey-{survey.pk}-links.{kind}"
    if kind == "csv":
        response = HttpResponse(csv_text([header, *rows]), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    widths = (14, 12, 70, 17, 17)
    sheet = Sheet(
        name=_("问卷链接"),
        title=f"{survey.name} · {_('问卷链接')}",
        columns=[Column(h, "text", w) for h, w in zip(header, widths, strict=True)],
        rows=rows,
    )
    return xlsx_response(workbook([sheet]), filename)


def _may_enter_for(request: HttpRequest, customer_key: str) -> bool:
    if request.user.has_perm("accounts.view_all_agents"):
        return True
    from guanxi.customers import selectors as customer_selectors

    profile = getattr(request.user, "guanxi_profile", None)
    agent_id = getattr(profile, "agent_id", "") or ""
    return bool(agent_id) and customer_selectors.agent_served(agent_id, customer_key)


@login_required
@permission_required(ENTER, raise_exception=True)
@require_http_methods(["GET", "POST"])
def phone_entry(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Staff key in a phone interview: the customer key, then the answers as the customer
    gave them. Stored through ``answering.submit`` (channel phone, ``entered_by``)."""
    survey = _survey(survey_id)
    questions = survey_selectors.questions_of(survey)
    customer_key = request.POST.get("customer", "").strip()
    answers: dict[int, Any] = {}
    errors: dict[int, str] = {}
    customer_error = ""
    if request.method == "POST":
        answers = answering.from_post(questions, request.POST)
        try:
            if not _may_enter_for(request, customer_key):
                raise PermissionDenied("not a customer this agent served")
            # One transaction: answers refused → no phone invitation left behind to lower the
            # response rate.
            with transaction.atomic():
                invitation = services.phone_invitation(
                    survey, customer_key, forms.credit(request.POST), by=request.user
                )
                answering.submit(invitation, answers, Channel.PHONE, entered_by=request.user)
        except PermissionDenied:
            customer_error = _("customer: 只能为您接待过的客户录入电话访谈")
        except SurveyError as exc:
            customer_error = str(exc)
        except LinkError as exc:
            # Used or closed: say it as the customer's page would.
            title = REFUSALS.get(exc.code, REFUSALS["used"])[1]
            customer_error = _("customer: %(error)s") % {"error": title}
        except answering.AnswerError as exc:
            errors = exc.errors
        else:
            messages.success(
                request, _("已保存客户 %(key)s 的电话访谈答复。") % {"key": customer_key}
            )
            return _back(survey)
    context = {
        "nav": "satisfaction",
        "sat_tab": "surveys",
        "survey": survey,
        "items": _items(questions, answers, errors),
        "customer": customer_key,
        "customer_error": customer_error,
        "post": request.POST,
        "open": survey.state == SurveyState.OPEN,
    }
    failed = bool(errors or customer_error)
    return render(request, "satisfaction/survey_phone.html", context, status=400 if failed else 200)


def _items(
    questions: list[Question], answers: dict[int, Any], errors: dict[int, str]
) -> list[dict[str, Any]]:
    """Each question with what was typed and its error, for the shared question partial."""
    return items(questions, answers, errors)
