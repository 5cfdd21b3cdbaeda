"""Pages for PIPL requests: the list of open requests with their due dates, one page per
request (the readable copy of everything held, downloads, correction, erasure, consent).

Admins and managers only (``privacy.handle_privacyrequest``). Views parse the form and call
services; user errors come back as a message naming the field.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi.core.errors import UserInputError
from guanxi.customers.models import Customer
from guanxi.privacy import selectors, services
from guanxi.privacy.models import ConsentPurpose, PrivacyRequest, RequestKind, RequestStatus
from guanxi.web import search_tokens

PERMISSION = "privacy.handle_privacyrequest"
SEARCH_AREA = "privacy"


def _user(request: HttpRequest) -> User:
    user = request.user
    if isinstance(user, AnonymousUser):  # login_required stops these; keep mypy honest
        raise PermissionDenied
    return user


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def request_list(request: HttpRequest) -> HttpResponse:
    # The customer is found by phone, name or account: the form is POSTed and the URL
    # carries a token for the text, never the text (guanxi.web.search_tokens).
    if request.method == "POST":
        query = request.POST.get("q", "").strip()[:100]
        if not query:
            return redirect("privacy:list")
        token = search_tokens.remember(request, SEARCH_AREA, query)
        return redirect(f"{reverse('privacy:list')}?{search_tokens.PARAM}={token}#find")
    recalled = search_tokens.recall(request, SEARCH_AREA)
    if recalled is None:
        messages.info(request, _("这次查找已过期，请重新查找。"))
    query = recalled or ""
    today = timezone.localdate()
    context = {
        "nav": "privacy",
        "query": query,
        "matches": selectors.customers_find(query),
        "open_requests": list(selectors.requests_open()),
        "done_requests": selectors.requests_done(),
        "kinds": RequestKind.choices,
        "today": today,
    }
    return render(request, "privacy/list.html", context)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def request_new(request: HttpRequest) -> HttpResponse:
    customer = get_object_or_404(Customer, customer_key=request.POST.get("customer_key", ""))
    try:
        received = dt.date.fromisoformat(request.POST.get("received_on", ""))
    except ValueError:
        messages.error(request, _("收到日期：请写成 YYYY-MM-DD，例如 2025-06-03"))
        return redirect("privacy:list")
    try:
        created = services.request_open(
            kind=request.POST.get("kind", ""),
            customer=customer,
            received_on=received,
            actor=_user(request),
        )
    except UserInputError as exc:
        messages.error(request, str(exc))
        return redirect("privacy:list")
    return redirect("privacy:detail", created.pk)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The readable copy of everything held about the request's customer (Art. 45)."""
    privacy_request = get_object_or_404(PrivacyRequest.objects.select_related("customer"), pk=pk)
    context: dict[str, object] = {
        "nav": "privacy",
        "req": privacy_request,
        "correctable": services.CORRECTABLE,
        "purposes": ConsentPurpose.choices,
    }
    customer = privacy_request.customer
    if customer is not None:
        export = selectors.access_export(customer)
        services.access_recorded(
            customer=customer,
            row_count=export.row_count(),
            file_format="page",
            actor=_user(request),
        )
        context["export"] = export
        context["consent"] = selectors.consent_current(customer)
    response = render(request, "privacy/detail.html", context)
    response["Cache-Control"] = "no-store"  # plain personal data
    return response


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_GET
def request_download(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    if file_format not in ("json", "xlsx"):
        raise Http404("no such format")
    privacy_request = get_object_or_404(PrivacyRequest, pk=pk, customer__isnull=False)
    customer = privacy_request.customer
    assert customer is not None
    export = selectors.access_export(customer)
    services.access_recorded(
        customer=customer,
        row_count=export.row_count(),
        file_format=file_format,
        actor=_user(request),
    )
    if file_format == "json":
        body, content_type = selectors.export_json(export), "application/json; charset=utf-8"
    else:
        body = selectors.export_xlsx(export)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    name = f"pipl-{customer.customer_key}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _open_with_customer(pk: int) -> tuple[PrivacyRequest, Customer]:
    privacy_request = get_object_or_404(
        PrivacyRequest.objects.select_related("customer"),
        pk=pk,
        status=RequestStatus.OPEN,
        customer__isnull=False,
    )
    assert privacy_request.customer is not None
    return privacy_request, privacy_request.customer


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def request_correct(request: HttpRequest, pk: int) -> HttpResponse:
    privacy_request, customer = _open_with_customer(pk)
    try:
        services.field_correct(
            customer=customer,
            field=request.POST.get("field", ""),
            value=request.POST.get("value", ""),
            request=privacy_request,
            actor=_user(request),
        )
    except UserInputError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已更正"))
    return redirect("privacy:detail", pk)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def request_consent(request: HttpRequest, pk: int) -> HttpResponse:
    _privacy_request, customer = _open_with_customer(pk)
    try:
        services.consent_record(
            customer=customer,
            purpose=request.POST.get("purpose", ConsentPurpose.MARKETING),
            granted=request.POST.get("granted") == "1",
            source=request.POST.get("source", ""),
            actor=_user(request),
        )
    except UserInputError as exc:
        messages.error(request, str(exc))
    return redirect("privacy:detail", pk)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def request_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """Erase the customer; the form asks for the customer key typed again, so an erasure is
    never one stray click."""
    privacy_request, customer = _open_with_customer(pk)
    if privacy_request.kind != RequestKind.ERASURE:
        raise PermissionDenied
    if request.POST.get("confirm", "").strip() != customer.customer_key:
        messages.error(request, _("确认：请输入客户编号以确认删除"))
        return redirect("privacy:detail", pk)
    erasure = services.customer_erase(
        customer=customer, request=privacy_request, actor=_user(request)
    )
    messages.success(request, erasure.describe())
    return redirect("privacy:detail", pk)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def request_done(request: HttpRequest, pk: int) -> HttpResponse:
    privacy_request = get_object_or_404(PrivacyRequest, pk=pk, status=RequestStatus.OPEN)
    if privacy_request.kind == RequestKind.ERASURE:
        raise PermissionDenied  # an erasure request is done by erasing
    services.request_close(
        request=privacy_request,
        outcome=request.POST.get("outcome", "")[:300],
        actor=_user(request),
    )
    return redirect("privacy:detail", pk)
