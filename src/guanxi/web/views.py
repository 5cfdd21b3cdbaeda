from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Managers land on the dashboard; agents on the customer look-up."""
    if request.user.has_perm("accounts.view_shop_figures"):
        return redirect("web:dashboard")
    return redirect("customers:list")


@login_required
@permission_required("accounts.view_shop_figures", raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "web/dashboard.html", {"nav": "dashboard"})
