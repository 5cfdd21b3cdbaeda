from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.accounts import roles, selectors, services
from guanxi.accounts.forms import (
    RoleForm,
    RosterFormSet,
    ThrottledAuthenticationForm,
    UserAddForm,
)
from guanxi.accounts.models import Agent
from guanxi.accounts.selectors import agent_teams

# Managing logins is the admin role's alone (roles.py gives it auth.change_user).
MANAGE_USERS = "auth.change_user"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


@login_required
@permission_required("accounts.change_agent", raise_exception=True)
def roster(request: HttpRequest) -> HttpResponse:
    """客服名单: names, the nicknames transcripts use, and each agent's rota (排班)."""
    formset = RosterFormSet(request.POST or None, queryset=Agent.objects.all())
    if request.method == "POST" and formset.is_valid():
        formset.save()
        messages.success(request, _("客服名单已保存。"))
        return redirect("accounts:roster")
    teams = sorted(set(agent_teams().values()))
    context = {"nav": "roster", "formset": formset, "teams": teams}
    return render(request, "accounts/roster.html", context)


@dataclass(frozen=True)
class _NewPassword:
    """A password to show once, in the response to the POST that made it (never in a URL,
    a flash message — cookies — or a log)."""

    username: str
    password: str


def _users_page(
    request: HttpRequest,
    *,
    form: UserAddForm | None = None,
    new_password: _NewPassword | None = None,
) -> HttpResponse:
    context = {
        "nav": "users",
        "rows": selectors.user_rows(),
        "roles": list(roles.LABELS.items()),
        "form": form or UserAddForm(),
        "new_password": new_password,
    }
    response = render(request, "accounts/users.html", context)
    if new_password is not None:
        response["Cache-Control"] = "no-store"
    return response


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required has run
    return request.user


@login_required
@permission_required(MANAGE_USERS, raise_exception=True)
def users(request: HttpRequest) -> HttpResponse:
    """账号管理: every login with role, linked agent, active flag and last login; add one."""
    if request.method != "POST":
        return _users_page(request)
    form = UserAddForm(request.POST)
    if not form.is_valid():
        return _users_page(request, form=form)
    try:
        new = services.user_add(
            actor=_actor(request),
            username=form.cleaned_data["username"],
            role=form.cleaned_data["role"],
            agent_id=form.cleaned_data["agent_id"],
        )
    except services.AccountError as exc:
        form.add_error("username", str(exc))
        return _users_page(request, form=form)
    shown = _NewPassword(username=new.username, password=new.password)
    return _users_page(request, new_password=shown)


@login_required
@permission_required(MANAGE_USERS, raise_exception=True)
@require_POST
def user_role(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择一个角色。"))
        return redirect("accounts:users")
    role = form.cleaned_data["role"]
    try:
        services.user_role_change(actor=_actor(request), user=user, role=role)
    except services.AccountError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(username)s 的角色已改为%(role)s。")
            % {"username": user.username, "role": roles.LABELS[role]},
        )
        if user.pk == request.user.pk and role != roles.ADMIN:
            return redirect("web:home")  # no longer an admin: the users page would be a 403
    return redirect("accounts:users")


@login_required
@permission_required(MANAGE_USERS, raise_exception=True)
@require_POST
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (``active=0``) or reactivate (``active=1``) a login."""
    user = get_object_or_404(User, pk=pk)
    try:
        if request.POST.get("active") == "1":
            services.user_reactivate(actor=_actor(request), user=user)
            messages.success(request, _("已启用 %(username)s。") % {"username": user.username})
        else:
            services.user_deactivate(actor=_actor(request), user=user)
            messages.success(request, _("已停用 %(username)s。") % {"username": user.username})
    except services.AccountError as exc:
        messages.error(request, str(exc))
    return redirect("accounts:users")


@login_required
@permission_required(MANAGE_USERS, raise_exception=True)
@require_POST
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    """A new random password, shown once on the page this POST returns."""
    user = get_object_or_404(User, pk=pk)
    actor = _actor(request)
    password = services.user_password_reset(actor=actor, user=user)
    if user.pk == actor.pk:
        update_session_auth_hash(request, user)  # resetting one's own: stay signed in
    return _users_page(request, new_password=_NewPassword(user.username, password))
