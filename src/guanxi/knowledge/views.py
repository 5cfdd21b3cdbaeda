"""Knowledge base pages: search and browse (every role with knowledge.view_entry), the entry
editor, (de)activation, XLSX import/export and the synonym groups (knowledge.change_entry and
friends: managers and admins; agents view and use only), and the use counter the copy buttons
post to.

Thin: search ranks (``search``), selectors read, services and transfer write.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi.knowledge import search, selectors, services, transfer
from guanxi.knowledge.forms import SCENES, EntryForm, SearchForm
from guanxi.knowledge.models import Entry, EntryKind
from guanxi.web.responses import xlsx_response

PAGE_SIZE = 30
SEARCH_LIMIT = 50
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _entry_or_404(entry_id: int) -> Entry:
    entry = selectors.entry_get(entry_id)
    if entry is None:
        raise Http404("no such entry")
    return entry


@login_required
@permission_required("knowledge.view_entry", raise_exception=True)
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    query = (values.get("q") or "").strip()
    kind, scene = values.get("kind") or "", (values.get("scene") or "").strip()
    inactive = bool(values.get("inactive")) and request.user.has_perm("knowledge.change_entry")
    context: dict[str, object] = {
        "nav": "knowledge",
        "form": form,
        "query": query,
        "kinds": EntryKind.choices,
        "kind": kind,
        "scene": scene,
        "scenes": selectors.scenes(),
        "inactive": inactive,
    }
    if query:
        result = search.search(query, kind=kind, scene=scene, limit=SEARCH_LIMIT)
        context.update(
            hits=result.hits,
            matched=result.matched,
            also=[c for c in result.concepts if len(c) > 1],
        )
    else:
        page = Paginator(
            selectors.entries(kind=kind, scene=scene, inactive=inactive), PAGE_SIZE
        ).get_page(request.GET.get("page"))
        context.update(page=page, hits=[selectors.as_hit(e) for e in page.object_list])
    return render(request, "knowledge/search.html", context)


def _editor(request: HttpRequest, form: EntryForm, entry: Entry | None) -> HttpResponse:
    return render(
        request,
        "knowledge/edit.html",
        {"nav": "knowledge", "form": form, "entry": entry, "scene_options": SCENES},
        status=422 if form.errors else 200,
    )


@login_required
@permission_required("knowledge.add_entry", raise_exception=True)
@require_http_methods(["GET", "POST"])
def entry_new(request: HttpRequest) -> HttpResponse:
    form = EntryForm(request.POST or None, initial={"kind": request.GET.get("kind", "qa")})
    if request.method == "POST" and form.is_valid():
        entry = form.save(commit=False)
        entry.updated_by = request.user
        entry.save()
        messages.success(request, _("已新建条目“%(q)s”。") % {"q": entry.question})
        return redirect("knowledge:search")
    return _editor(request, form, None)


@login_required
@permission_required("knowledge.change_entry", raise_exception=True)
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _entry_or_404(entry_id)
    form = EntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        entry = form.save(commit=False)
        entry.updated_by = request.user
        entry.save()
        messages.success(request, _("已保存条目“%(q)s”。") % {"q": entry.question})
        return redirect("knowledge:search")
    return _editor(request, form, entry)


@login_required
@permission_required("knowledge.delete_entry", raise_exception=True)
@require_POST
def entry_active(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Deactivate (``active=0``) or reactivate (``active=1``): entries are never deleted, so
    that their usage counts stay and a mistake is undone with one click."""
    entry = _entry_or_404(entry_id)
    active = request.POST.get("active") == "1"
    services.set_active(entry, active, request.user)
    if active:
        messages.success(request, _("已重新启用“%(q)s”。") % {"q": entry.question})
    else:
        text = _("已停用“%(q)s”：它不再出现在搜索和推荐中。")
        messages.success(request, text % {"q": entry.question})
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "knowledge:search"


@login_required
@require_POST
def entry_use(request: HttpRequest, entry_id: int) -> HttpResponse:
    """One use of an entry (its answer copied or inserted into a reply): the count goes up by
    one, atomically. JSON for the page's script; a redirect back without script."""
    if not request.user.has_perm("knowledge.view_entry"):
        return JsonResponse({"detail": "needs knowledge.view_entry"}, status=403)
    uses = services.record_use(entry_id)
    if uses is None:
        return JsonResponse({"detail": f"no active entry {entry_id}"}, status=404)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"id": entry_id, "uses": uses})
    return redirect(_back(request))


@login_required
@permission_required("knowledge.view_entry", raise_exception=True)
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    entries = list(selectors.entries())
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = xlsx_response(transfer.export_xlsx(entries), f"guanxi-knowledge-{stamp}.xlsx")
    response["Cache-Control"] = "no-store"
    return response


@login_required
@permission_required(["knowledge.add_entry", "knowledge.change_entry"], raise_exception=True)
@require_POST
def import_xlsx(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择一个 .xlsx 文件。"))
        return redirect("knowledge:search")
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        messages.error(request, _("文件太大：最大 10 MB。"))
        return redirect("knowledge:search")
    with tempfile.TemporaryDirectory(prefix="guanxi-kb-") as folder:
        path = Path(folder) / "upload.xlsx"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            summary = transfer.import_file(path, upload.name or "upload.xlsx", request.user)
        except transfer.ImportRejectedError as exc:
            messages.error(
                request,
                _("没有导入任何条目，请改正后重新导入：%(errors)s")
                % {"errors": "；".join(str(e) for e in exc.errors)},
            )
            return redirect("knowledge:search")
    messages.success(
        request,
        _("已导入：新建 %(created)s 条，更新 %(updated)s 条。")
        % {"created": summary.created, "updated": summary.updated},
    )
    return redirect("knowledge:search")


@login_required
@permission_required("knowledge.change_entry", raise_exception=True)
@require_http_methods(["GET", "POST"])
def synonyms(request: HttpRequest) -> HttpResponse:
    text = request.POST.get("groups", "") if request.method == "POST" else services.synonyms_text()
    error = ""
    if request.method == "POST":
        try:
            count = services.replace_synonyms(text)
        except services.SynonymError as exc:
            error = exc.message
        else:
            messages.success(request, _("已保存 %(n)s 组同义词。") % {"n": count})
            return redirect("knowledge:synonyms")
    return render(
        request,
        "knowledge/synonyms.html",
        {"nav": "knowledge", "groups": text, "error": error},
        status=422 if error else 200,
    )
