from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from guanxi.accounts.forms import RosterFormSet, ThrottledAuthenticationForm
from guanxi.accounts.models import Agent
from guanxi.accounts.selectors import agent_teams


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
