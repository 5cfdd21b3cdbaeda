from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
@permission_required("customers.view_customer", raise_exception=True)
def customer_list(request: HttpRequest) -> HttpResponse:
    return render(request, "web/base.html", {"nav": "customers"})


@login_required
@permission_required("customers.view_auditentry", raise_exception=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    return render(request, "web/base.html", {"nav": "audit"})
