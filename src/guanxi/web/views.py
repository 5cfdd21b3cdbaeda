"""The site's front door: where a signed-in user lands."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Managers land on the store overview; agents on the customer look-up."""
    if request.user.has_perm("accounts.view_shop_figures"):
        return redirect("store:dashboard")
    return redirect("customers:list")
