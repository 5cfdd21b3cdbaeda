"""Segment pages: the list with live counts, the builder (save, edit, delete), the JSON count
the builder asks while filters change, the members page and the masked exports.

Thin: filters parse and validate (``segments.filters``), selectors count and select,
presenters mask; the audit entry of an export is written here, as on the customer pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi.core.audit import audit_record
from guanxi.core.models import AuditAction
from guanxi.segments import presenters, selectors, services
from guanxi.segments.filters import (
    FIELD_NAMES,
    LIST_FIELDS,
    FilterError,
    from_form,
    parse,
    parse_sort,
)
from guanxi.segments.models import Segment
from guanxi.web.exports.xlsx import Sheet, workbook
from guanxi.web.responses import csv_stream_response, xlsx_response

PAGE_SIZE = 50


def _segment_or_404(segment_id: int) -> Segment:
    segment = selectors.segment_get(segment_id)
    if segment is None:
        raise Http404("no such segment")
    return segment


def _count_text(count: int) -> str:
    return ngettext("符合条件的客户：%(n)s 位", "符合条件的客户：%(n)s 位", count) % {
        "n": f"{count:,}"
    }


@login_required
@permission_required("segments.view_segment", raise_exception=True)
@require_GET
def segment_list(request: HttpRequest) -> HttpResponse:
    rows = [
        {
            "segment": s,
            "count": selectors.member_count(s),
            "summary": presenters.describe(parse(s.filters)),
        }
        for s in selectors.segment_list()
    ]
    return render(request, "segments/list.html", {"nav": "segments", "rows": rows})


def _builder(
    request: HttpRequest,
    *,
    segment: Segment | None,
    values: dict[str, Any],
    name: str,
    description: str,
    errors: dict[str, str],
) -> HttpResponse:
    try:
        current = parse(values)
        count: int | None = selectors.member_count(current)
    except FilterError:
        current, count = parse({}), None
    chosen = {k: tuple(values.get(k) or ()) for k in LIST_FIELDS}
    context = {
        "nav": "segments",
        "segment": segment,
        "name": name,
        "description": description,
        "values": {k: values.get(k, "") for k in FIELD_NAMES if k not in LIST_FIELDS},
        "cities": "、".join(chosen["cities"]),
        "options": presenters.builder_options(
            chosen,
            tags=selectors.tag_names(),
            provinces=selectors.provinces(),
            categories=selectors.categories(),
            clusters=selectors.cluster_names(),
        ),
        "errors": errors,
        "count": count,
        "count_text": _count_text(count) if count is not None else "",
        "summary": presenters.describe(current),
        "tiers_known": selectors.tiers_computed(),
    }
    return render(request, "segments/builder.html", context, status=422 if errors else 200)


def _save(request: HttpRequest, segment: Segment | None) -> HttpResponse:
    values = from_form(request.POST.getlist)
    name = request.POST.get("name", "")
    description = request.POST.get("description", "")
    try:
        saved = services.segment_save(
            name=name,
            description=description,
            filters=values,
            by=request.user.get_username(),
            segment=segment,
        )
    except FilterError as exc:
        return _builder(
            request,
            segment=segment,
            values=values,
            name=name,
            description=description,
            errors=exc.errors,
        )
    messages.success(request, _("已保存客户分群“%(name)s”。") % {"name": saved.name})
    return redirect("segments:members", segment_id=saved.pk)


@login_required
@permission_required("segments.add_segment", raise_exception=True)
@require_http_methods(["GET", "POST"])
def segment_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _save(request, None)
    return _builder(request, segment=None, values={}, name="", description="", errors={})


@login_required
@permission_required("segments.change_segment", raise_exception=True)
@require_http_methods(["GET", "POST"])
def segment_edit(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = _segment_or_404(segment_id)
    if request.method == "POST":
        return _save(request, segment)
    return _builder(
        request,
        segment=segment,
        values=dict(segment.filters),
        name=segment.name,
        description=segment.description,
        errors={},
    )


@login_required
@permission_required("segments.delete_segment", raise_exception=True)
@require_POST
def segment_delete(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = _segment_or_404(segment_id)
    services.segment_delete(segment)
    messages.success(request, _("已删除客户分群“%(name)s”。") % {"name": segment.name})
    return redirect("segments:list")


@login_required
@require_GET
def segment_count(request: HttpRequest) -> JsonResponse:
    """The builder's live count: the filters in the query string (no personal data: codes,
    tags, regions, amounts), ``{"count": n, "text": …}`` or 422 with each bad field."""
    if not request.user.has_perm("segments.view_segment"):
        return JsonResponse({"detail": "needs the segments permission"}, status=403)
    try:
        count = selectors.member_count(parse(from_form(request.GET.getlist)))
    except FilterError as exc:
        return JsonResponse({"errors": exc.errors}, status=422)
    return JsonResponse({"count": count, "text": _count_text(count)})


@login_required
@permission_required("segments.view_segment", raise_exception=True)
@require_GET
def segment_members(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = _segment_or_404(segment_id)
    sort, sort_error = _sort(request)
    customers = selectors.members(segment, sort=sort).select_related("standing", "prediction")
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "segments",
        "segment": segment,
        "summary": presenters.describe(parse(segment.filters)),
        "page": page,
        "rows": [presenters.member_row(c) for c in page.object_list],
        "sort": sort,
        "sort_error": sort_error,
        "sorts": presenters.sort_choices(),
    }
    return render(request, "segments/members.html", context)


def _sort(request: HttpRequest) -> tuple[str, str]:
    """The members' order from ``?sort=``; an unknown one falls back to the key, said."""
    try:
        return parse_sort(request.GET.get("sort")), ""
    except FilterError as error:
        return "key", error.errors["sort"]


def _audit_export(request: HttpRequest, segment: Segment, count: int, file_format: str) -> None:
    """Counted and audited before the file is written: the log is append-only, and an
    interrupted download was still an export attempt. The subject names the segment by id
    (its name is the shop's own text), the fields by name, never a value."""
    if isinstance(request.user, AnonymousUser):  # login_required stops these
        raise PermissionDenied
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        fields=presenters.export_fields(),
        subject=f"segment #{segment.pk} ({file_format}); masked",
        row_count=count,
    )


def _filename(segment: Segment, extension: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"guanxi-segment-{segment.pk}-{stamp}.{extension}"


@login_required
@permission_required(["segments.view_segment", "segments.export_segment"], raise_exception=True)
@require_GET
def segment_export_csv(request: HttpRequest, segment_id: int) -> StreamingHttpResponse:
    """The members as CSV (UTF-8 with BOM for Excel), masked for every role."""
    segment = _segment_or_404(segment_id)
    sort, _error = _sort(request)
    customers = selectors.members(segment, sort=sort).select_related("standing", "prediction")
    _audit_export(request, segment, customers.count(), "csv")
    lines = (
        presenters.export_row(presenters.member_row(customer))
        for customer in customers.iterator(chunk_size=2000)
    )
    return csv_stream_response(presenters.export_header(), lines, _filename(segment, "csv"))


@login_required
@permission_required(["segments.view_segment", "segments.export_segment"], raise_exception=True)
@require_GET
def segment_export_xlsx(request: HttpRequest, segment_id: int) -> HttpResponse:
    """The members as a formatted workbook, masked for every role."""
    segment = _segment_or_404(segment_id)
    sort, _error = _sort(request)
    customers = selectors.members(segment, sort=sort).select_related("standing", "prediction")
    rows = [
        presenters.export_row(presenters.member_row(c)) for c in customers.iterator(chunk_size=2000)
    ]
    _audit_export(request, segment, len(rows), "xlsx")
    sheet = Sheet(
        name=_("分群成员"),
        title=_("客户分群：%(name)s（%(n)s 位，个人信息已打码）")
        % {"name": segment.name, "n": f"{len(rows):,}"},
        columns=presenters.export_columns(),
        rows=rows,
        notes=presenters.describe(parse(segment.filters)),
    )
    response = xlsx_response(workbook([sheet]), _filename(segment, "xlsx"))
    response["Cache-Control"] = "no-store"
    return response
