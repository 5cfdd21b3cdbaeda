"""Customer pages: list and search, the profile (``profile_views``), reveal, CSV export,
audit log.

Views stay thin: selectors read, presenters mask and format, the audit entry is written here
because it belongs to the request (who asked, what they saw).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi.core.audit import audit_record
from guanxi.core.models import AuditAction, AuditEntry
from guanxi.customers import merges, presenters, profile_views, selectors
from guanxi.customers.forms import CustomerSearchForm, Filters
from guanxi.customers.models import Customer, CustomerMerge
from guanxi.web import search_tokens
from guanxi.web.responses import csv_stream_response

# The search text (a phone, a name) never goes into a URL: the form is POSTed and the list's
# URLs carry a token for it (see guanxi.web.search_tokens).
SEARCH_AREA = "customers"


def _search_data(request: HttpRequest) -> QueryDict:
    """The list's filters: tag and class from the query string, the search text from the
    session by its token (an unknown or expired token searches nothing). A ``q`` in the
    query string is ignored: search text in a URL is what this avoids."""
    data = request.GET.copy()
    data.pop("q", None)
    if data.get(search_tokens.PARAM):
        data["q"] = search_tokens.recall(request, SEARCH_AREA) or ""
    return data


@login_required
@permission_required("customers.view_customer", raise_exception=True)
@require_http_methods(["GET", "POST"])
def customer_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        filters = CustomerSearchForm(request.POST).filters()
        params: dict[str, object] = {"tag": filters.tag, "class": filters.customer_class}
        params |= filters.rfm_params()
        if filters.query:
            params[search_tokens.PARAM] = search_tokens.remember(
                request, SEARCH_AREA, filters.query
            )
        query = urlencode({k: v for k, v in params.items() if v})
        return redirect(reverse("customers:list") + (f"?{query}" if query else ""))
    data = _search_data(request)
    form = CustomerSearchForm(data)
    filters = form.filters()
    if data.get(search_tokens.PARAM) and not filters.query:
        messages.info(request, _("这次搜索已过期，请重新搜索。"))
    customers = _searched(filters)
    page = selectors.customer_page(customers, request.GET.get("page"))
    if filters.any():
        _audit(
            request,
            AuditAction.SEARCH,
            fields=presenters.search_fields(),
            subject=_with_rfm(
                presenters.search_subject(filters.query, filters.tag, filters.customer_class),
                filters,
            ),
            row_count=page.paginator.count,
        )
    context = {
        "nav": "customers",
        "form": form,
        "filters": filters,
        "page": page,
        "rows": [presenters.customer_row(c) for c in page.object_list],
    }
    return render(request, "customers/list.html", context)


def _searched(filters: Filters) -> QuerySet[Customer]:
    return selectors.customer_search(
        filters.query,
        filters.tag,
        filters.customer_class,
        rfm_group=filters.rfm_group,
        r_score=filters.r_score,
        f_score=filters.f_score,
    )


def _with_rfm(subject: str, filters: Filters) -> str:
    """The audit subject with the RFM filters (codes and scores: no personal data)."""
    extra = "; ".join(f"{k}={v}" for k, v in filters.rfm_params().items())
    return "; ".join(p for p in (subject, extra) if p)[:200]


def _customer_or_404(customer_key: str) -> Customer:
    customer = selectors.customer_get(customer_key)
    if customer is None:
        raise Http404("no such customer")
    return customer


def _audit(
    request: HttpRequest, action: AuditAction, *, fields: str, subject: str, row_count: int
) -> AuditEntry:
    """Record an access to personal data: names of fields and whose, never the values."""
    user = request.user
    if isinstance(user, AnonymousUser):  # login_required stops these; keep mypy honest
        raise PermissionDenied
    return audit_record(
        actor=user, action=action, fields=fields, subject=subject, row_count=row_count
    )


@login_required
@permission_required("customers.view_customer", raise_exception=True)
@require_GET
def customer_detail(request: HttpRequest, customer_key: str) -> HttpResponse:
    return profile_views.render_profile(request, _customer_or_404(customer_key), reveal=False)


@login_required
@permission_required(["customers.view_customer", "customers.reveal_personal"], raise_exception=True)
@require_POST
def customer_reveal(request: HttpRequest, customer_key: str) -> HttpResponse:
    """The detail page unmasked. POST (not GET) so a reveal is a deliberate act, never a
    prefetched or bookmarked link; each one is audited, names of fields only."""
    customer = _customer_or_404(customer_key)
    _audit(
        request,
        AuditAction.REVEAL,
        fields=",".join(presenters.REVEALED_FIELDS),
        subject=customer.customer_key,
        row_count=1,
    )
    return profile_views.render_profile(request, customer, reveal=True)


@login_required
@permission_required(
    ["customers.view_customer", "customers.export_customers"], raise_exception=True
)
@require_GET
def customer_export(request: HttpRequest) -> StreamingHttpResponse:
    """The list's current search as CSV (UTF-8 with BOM for Excel), masked unless
    ``?unmasked=1`` by a user who may also reveal; the search by its token (``?s=``)."""
    unmasked = request.GET.get("unmasked") == "1"
    if unmasked and not request.user.has_perm("customers.reveal_personal"):
        raise PermissionDenied
    filters = CustomerSearchForm(_search_data(request)).filters()
    customers = _searched(filters)
    # Counted and audited before streaming: the log is append-only (no fixing the count
    # afterwards), and an interrupted download was still an export attempt.
    _audit(
        request,
        AuditAction.EXPORT,
        fields=presenters.export_fields(),
        subject=_with_rfm(
            presenters.export_subject(filters.query, filters.tag, filters.customer_class, unmasked),
            filters,
        ),
        row_count=customers.count(),
    )
    lines = (
        presenters.export_row(customer, unmasked=unmasked)
        for customer in customers.iterator(chunk_size=2000)
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return csv_stream_response(presenters.export_header(), lines, f"guanxi-customers-{stamp}.csv")


@login_required
@permission_required("guanxi_core.view_auditentry", raise_exception=True)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    page = selectors.audit_page(request.GET.get("page"))
    return render(request, "customers/audit.html", {"nav": "audit", "page": page})


@login_required
@permission_required("customers.change_customer", raise_exception=True)
def merge_page(request: HttpRequest) -> HttpResponse:
    """Duplicates: look-alikes to judge, certain ones to merge, past merges to undo."""
    if request.method == "POST":
        _merge_action(request)
        return redirect("customers:merges")
    proposals = [
        (presenters.customer_row(p.first), presenters.customer_row(p.second), p)
        for p in merges.proposals(limit=50)
    ]
    history = Paginator(CustomerMerge.objects.select_related("survivor", "merged"), 50).get_page(
        request.GET.get("page")
    )
    context = {"nav": "customers", "proposals": proposals, "history": history}
    return render(request, "customers/merges.html", context)


def _merge_action(request: HttpRequest) -> None:
    by = request.user.get_username()
    action = request.POST.get("action")
    try:
        if action == "certain":
            done = merges.merge_certain(by=by)
            messages.success(request, _("已合并 %(n)d 组确定重复的客户。") % {"n": len(done)})
        elif action in ("merge", "dismiss"):
            first = _customer_or_404(request.POST.get("first", ""))
            second = _customer_or_404(request.POST.get("second", ""))
            if action == "merge":
                survivor, duplicate = sorted((first, second), key=lambda c: c.pk)
                merges.merge(survivor, duplicate, reason="manual", by=by)
                messages.success(
                    request,
                    _("已将 %(dup)s 合并到 %(keep)s。")
                    % {"dup": duplicate.customer_key, "keep": survivor.customer_key},
                )
            else:
                merges.dismiss(first, second, by=by)
                messages.success(request, _("已标记为不同的客户，不再提示。"))
        elif action == "undo":
            record = get_object_or_404(CustomerMerge, pk=request.POST.get("merge"))
            merges.undo(record)
            messages.success(request, _("已撤销合并 #%(id)s。") % {"id": record.pk})
    except merges.MergeError as exc:
        messages.error(request, str(exc))
