"""The 360° customer profile: the page (masked, or revealed — audited — by ``views``) and
its edits: master fields, notes, tags and the class pin. Each edit is a POST that needs
``customers.change_customer`` and redirects back to the masked page (a reveal is never
kept across requests)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import UserInputError
from guanxi.customers import (
    presenters,
    profile,
    profile_presenters,
    profile_selectors,
    selectors,
    standing,
)
from guanxi.customers import rules as customer_rules
from guanxi.customers.forms import MasterFieldsForm, NotesForm, PinForm, TagsForm
from guanxi.customers.models import Customer


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _master_initial(customer: Customer) -> dict[str, str]:
    return {f: getattr(customer, f) for f in profile.MASTER_FIELDS}


def render_profile(
    request: HttpRequest,
    customer: Customer,
    *,
    reveal: bool,
    master_form: MasterFieldsForm | None = None,
    notes_form: NotesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    data = profile_selectors.profile(customer, timeline_page=_page_number(request))
    # Free text is masked on display unless the personal data is revealed (audited).
    known = None if reveal else profile_selectors.known_values_of(customer)
    agents = selectors.agent_names(profile_presenters.chat_agents(data.timeline.rows))
    rows, withheld = profile_presenters.timeline_rows(
        data.timeline.rows,
        user=request.user,
        customer_key=customer.customer_key,
        agents=agents,
        known=known,
    )
    rules = customer_rules.class_rules()
    may_edit = request.user.has_perm("customers.change_customer")
    if may_edit and reveal:
        master_form = master_form or MasterFieldsForm(initial=_master_initial(customer))
        notes_form = notes_form or NotesForm(initial={"notes": customer.notes})
    tags = sorted(t.name for t in customer.tags.all())
    context: dict[str, Any] = {
        "nav": "customers",
        "customer": customer,
        "revealed": reveal,
        "may_edit": may_edit,
        "fields": presenters.personal_fields(customer, reveal=reveal),
        "notes": profile_presenters.notes_shown(customer, reveal=reveal, known=known),
        "identities": presenters.identities(customer, reveal=reveal),
        "tags": tags,
        "profile": data,
        "standing": data.standing,
        "as_of": profile_presenters.as_of_text(data.standing),
        "class_reason": profile_presenters.class_reason(data.standing, rules),
        "pins": profile_presenters.pin_rows(data.pins),
        "summary": profile_presenters.summary(data),
        "facts": profile_presenters.facts(data.standing),
        "loyalty_components": profile_presenters.loyalty_components(data.standing),
        "score_chart": profile_presenters.score_chart(data.scores),
        "scores": data.scores,
        "score_rows": profile_presenters.score_rows(data.scores),
        "changes": profile_presenters.change_rows(data.changes),
        "ledger": profile_presenters.ledger_rows(data.ledger),
        "timeline": data.timeline,
        "timeline_rows": rows,
        "withheld_chats": withheld,
        "master_form": master_form,
        "notes_form": notes_form,
        "tags_form": TagsForm(initial={"tags": ", ".join(tags)}),
        "pin_form": PinForm(initial={"customer_class": customer.customer_class}),
    }
    response = render(request, "customers/detail.html", context, status=status)
    if reveal:
        # Plain personal data must not linger in shared or browser caches.
        response["Cache-Control"] = "no-store"
    return response


def _customer(customer_key: str) -> Customer:
    customer = selectors.customer_get(customer_key)
    if customer is None:
        raise Http404("no such customer")
    return customer


def _user(request: HttpRequest) -> str:
    if not request.user.is_authenticated:
        raise PermissionDenied
    return request.user.get_username()


@login_required
@permission_required(["customers.view_customer", "customers.change_customer"], raise_exception=True)
@require_POST
def customer_edit(request: HttpRequest, customer_key: str) -> HttpResponse:
    """Change master fields. The form is pre-filled on the revealed page only, so the page
    it came from was a reveal (audited); a refused edit shows that page again with the
    fields at fault named (no new audit entry: the values are the user's own input)."""
    customer = _customer(customer_key)
    form = MasterFieldsForm(request.POST)
    form.is_valid()
    values = {f: request.POST.get(f, "") for f in profile.MASTER_FIELDS if f in request.POST}
    try:
        changes = profile.customer_update(customer, values, user=_user(request))
    except profile.ProfileEditError as exc:
        for field, message in exc.errors.items():
            form.add_error(field if field in form.fields else None, message)
        customer.refresh_from_db()
        return render_profile(request, customer, reveal=True, master_form=form, status=400)
    if changes:
        messages.success(
            request,
            _("已保存：%(fields)s。")
            % {"fields": "、".join(profile_presenters.field_label(c.field) for c in changes)},
        )
    else:
        messages.info(request, _("没有改动。"))
    return redirect("customers:detail", customer_key)


@login_required
@permission_required(["customers.view_customer", "customers.change_customer"], raise_exception=True)
@require_POST
def customer_notes(request: HttpRequest, customer_key: str) -> HttpResponse:
    customer = _customer(customer_key)
    form = NotesForm(request.POST)
    try:
        change = profile.notes_update(customer, request.POST.get("notes", ""), user=_user(request))
    except profile.ProfileEditError as exc:
        form.is_valid()
        form.add_error("notes", exc.errors["notes"])
        return render_profile(request, customer, reveal=True, notes_form=form, status=400)
    if change:
        messages.success(request, _("备注已保存。"))
    return redirect("customers:detail", customer_key)


@login_required
@permission_required(["customers.view_customer", "customers.change_customer"], raise_exception=True)
@require_POST
def customer_tags(request: HttpRequest, customer_key: str) -> HttpResponse:
    customer = _customer(customer_key)
    try:
        change = profile.tags_set(
            customer, profile.parse_tags(request.POST.get("tags", "")), user=_user(request)
        )
    except profile.ProfileEditError as exc:
        messages.error(request, exc.errors["tags"])
        return redirect("customers:detail", customer_key)
    if change:
        messages.success(request, _("标签已保存。"))
    return redirect("customers:detail", customer_key)


@login_required
@permission_required(["customers.view_customer", "customers.change_customer"], raise_exception=True)
@require_POST
def customer_pin(request: HttpRequest, customer_key: str) -> HttpResponse:
    """Pin the class by hand with a reason (``action=unpin`` removes the standing pin)."""
    customer = _customer(customer_key)
    user = _user(request)
    if request.POST.get("action") == "unpin":
        standing.class_unpin(customer, user=user)
        messages.success(request, _("已取消手动类别，恢复按规则计算的类别。"))
        return redirect("customers:detail", customer_key)
    form = PinForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = str(form.fields[field].label) if field in form.fields else field
            messages.error(request, f"{label}：{' '.join(str(e) for e in errors)}")
        return redirect("customers:detail", customer_key)
    try:
        standing.class_pin(
            customer,
            form.cleaned_data["customer_class"],
            reason=form.cleaned_data["reason"],
            user=user,
        )
    except UserInputError as exc:
        messages.error(request, str(exc))
        return redirect("customers:detail", customer_key)
    messages.success(request, _("客户类别已手动设定。"))
    return redirect("customers:detail", customer_key)
