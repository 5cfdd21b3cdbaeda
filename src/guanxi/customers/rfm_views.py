"""The RFM explorer (``/customers/rfm/``) and its CSV/XLSX exports.

Shop-wide figures: ``accounts.view_shop_figures`` with ``customers.view_customer`` (managers,
admins, marketing; agents see customers one by one). The exports carry masked names and
phones; plain ones only with ``?unmasked=1`` by a user who may reveal (never marketing),
every export audited like the customer list's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from guanxi.core.audit import audit_record
from guanxi.core.models import AuditAction
from guanxi.customers import rfm
from guanxi.customers import rfm_presenters as present
from guanxi.customers.models import Customer
from guanxi.web.exports.values import text_value
from guanxi.web.exports.xlsx import Column, Sheet, workbook
from guanxi.web.responses import csv_stream_response, xlsx_response

VIEW = ("accounts.view_shop_figures", "customers.view_customer")
EXPORT = ("accounts.view_shop_figures", "customers.view_customer", "customers.export_customers")
PEOPLE_CHUNK = 2000


class ExplorerForm(forms.Form):
    as_of = forms.DateField(
        label=gettext_lazy("统计截至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("默认：上次重新计算的日期"),
    )
    group = forms.CharField(required=False, max_length=24)
    r_score = forms.IntegerField(required=False, min_value=1, max_value=5)
    f_score = forms.IntegerField(required=False, min_value=1, max_value=5)

    def clean_group(self) -> str:
        from guanxi.metrics.customers import RFM_GROUPS

        value: str = self.cleaned_data.get("group") or ""
        if value and value not in {g.key for g in RFM_GROUPS}:
            raise forms.ValidationError(_("没有这个 RFM 分组。"))
        return value


def _options(request: HttpRequest) -> tuple[ExplorerForm, dict[str, Any]]:
    """The valid parts of the query (a bad one is shown beside the form and dropped)."""
    form = ExplorerForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return form, {
        "as_of": data.get("as_of"),
        "group": data.get("group") or "",
        "r_score": data.get("r_score"),
        "f_score": data.get("f_score"),
    }


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def explorer_page(request: HttpRequest) -> HttpResponse:
    form, options = _options(request)
    explorer = rfm.explorer(options["as_of"])
    context = {
        "nav": "customers",
        "form": form,
        "explorer": explorer,
        "groups": present.group_rows(explorer),
        "grid_rows": present.grid_rows(explorer),
        "chart": present.grid_chart(explorer),
        "tie_rule": present.tie_rule(),
        "revenue": text_value(explorer.revenue, "money"),
        "standing_as_of": rfm.standing_as_of(),
        "query": f"as_of={explorer.as_of.isoformat()}",
    }
    return render(request, "customers/rfm.html", context)


def _chosen(request: HttpRequest) -> tuple[dt.date, list[rfm.RfmRow], bool]:
    unmasked = request.GET.get("unmasked") == "1"
    if unmasked and not request.user.has_perm("customers.reveal_personal"):
        raise PermissionDenied
    _form, options = _options(request)
    as_of = options["as_of"] or rfm.standing_as_of() or rfm_today()
    rows = rfm.filtered(
        rfm.rows_at(as_of),
        group=options["group"],
        r_score=options["r_score"],
        f_score=options["f_score"],
    )
    user = request.user
    if isinstance(user, AnonymousUser):  # login_required stops these; keep mypy honest
        raise PermissionDenied
    # Audited before the file is written: an interrupted download was still an export.
    filters = [f"{k}={v}" for k, v in options.items() if k != "as_of" and v not in ("", None)]
    subject = "; ".join(
        [f"rfm as_of={as_of.isoformat()}", *filters, "unmasked" if unmasked else "masked"]
    )
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        fields=present.EXPORT_FIELDS,
        subject=subject[:200],
        row_count=len(rows),
    )
    return as_of, rows, unmasked


def rfm_today() -> dt.date:
    from guanxi.customers.standing import local_today

    return local_today()


def _people(rows: Sequence[rfm.RfmRow]) -> Iterator[tuple[list[rfm.RfmRow], dict[str, Any]]]:
    """The rows in chunks with their master records (decrypted per chunk, not all at once)."""
    for start in range(0, len(rows), PEOPLE_CHUNK):
        chunk = list(rows[start : start + PEOPLE_CHUNK])
        keys = [r.customer_key for r in chunk]
        people = Customer.objects.filter(customer_key__in=keys).in_bulk(field_name="customer_key")
        yield chunk, people


@login_required
@permission_required(EXPORT, raise_exception=True)
@require_GET
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    as_of, rows, unmasked = _chosen(request)
    lines = (
        line
        for chunk, people in _people(rows)
        for line in present.export_rows(chunk, people, unmasked=unmasked)
    )
    return csv_stream_response(present.export_header(), lines, f"guanxi-rfm-{as_of}.csv")


@login_required
@permission_required(EXPORT, raise_exception=True)
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    as_of, rows, unmasked = _chosen(request)
    header = present.export_header()
    kinds = ("text", "text", "text", "count", "count", "money", "count", "count", "count", "text")
    widths = (20, 10, 14, 12, 10, 14, 8, 8, 8, 14)
    data: list[list[Any]] = []
    for chunk, people in _people(rows):
        data.extend(present.export_rows(chunk, people, unmasked=unmasked))
    sheet = Sheet(
        name="RFM",
        title=_("RFM 客户（统计截至 %(day)s）") % {"day": as_of.isoformat()},
        columns=[Column(h, k, w) for h, k, w in zip(header, kinds, widths, strict=True)],
        rows=data,
        notes=[present.tie_rule()],
    )
    response = xlsx_response(workbook([sheet]), f"guanxi-rfm-{as_of}.xlsx")
    response["Cache-Control"] = "no-store"
    return response
