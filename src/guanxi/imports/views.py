"""Import pages: upload → preview and mapping → background run with progress → result;
and the history, where an import can be undone."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import UserInputError
from guanxi.imports import services, uploads
from guanxi.imports.forms import KIND_LABELS, MappingForm, UploadForm
from guanxi.imports.models import ImportRun, RunStatus, SavedMapping
from guanxi.ingest import mapping as mappings
from guanxi.ingest.messages import error_message

RUN = "imports.run_import"
VIEW = "imports.view_importrun"


@login_required
@permission_required(RUN, raise_exception=True)
def upload(request: HttpRequest) -> HttpResponse:
    services.recover()
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = uploads.receive(
                form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                platform=form.cleaned_data["platform"],
                skip_bad=form.cleaned_data["skip_bad"],
                user=request.user,
            )
        except UserInputError as exc:
            form.add_error("file", error_message(exc).render(_))
        else:
            return redirect("imports:preview", run.pk)
    return render(request, "imports/upload.html", {"nav": "imports", "form": form})


@login_required
@permission_required(RUN, raise_exception=True)
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ImportRun, pk=pk)
    if run.status != RunStatus.UPLOADED:
        return redirect("imports:status", run.pk)
    chosen = request.POST.get("base") or request.GET.get("mapping", "")
    shown = uploads.preview(run, chosen)
    initial = {f"col_{f}": h for f, h in shown.header_of.items()}
    initial["base"] = shown.mapping.name
    form = MappingForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        kind=shown.mapping.kind,
        headers=shown.headers,
    )
    if request.method == "POST" and not shown.file_error and form.is_valid():
        chosen_map = mappings.with_columns(
            shown.mapping, form.header_of(), name=form.cleaned_data["save_as"] or None
        )
        try:
            mappings.resolve(chosen_map, shown.headers, run.file_name)
        except mappings.MappingError as exc:
            form.add_error(None, exc.render(_))
        else:
            if form.cleaned_data["save_as"]:
                SavedMapping.objects.update_or_create(
                    name=form.cleaned_data["save_as"],
                    defaults={
                        "kind": run.kind,
                        "toml": mappings.to_toml(chosen_map),
                        "created_by": request.user.get_username(),
                    },
                )
            uploads.start(run, mappings.to_toml(chosen_map))
            return redirect("imports:status", run.pk)
    context = {
        "nav": "imports",
        "run": run,
        "kind_label": KIND_LABELS.get(run.kind, run.kind),
        "preview": shown,
        "form": form,
    }
    return render(request, "imports/preview.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def status(request: HttpRequest, pk: int) -> HttpResponse:
    run = services.settle(get_object_or_404(ImportRun, pk=pk))
    folder = services.workdir(run)
    context = {
        "nav": "imports",
        "run": run,
        "kind_label": KIND_LABELS.get(run.kind, run.kind),
        "has_report": services.has_file(folder, services.PROBLEMS_FILE) and run.rejected > 0,
        "has_rejects": services.has_file(folder, services.REJECTS_FILE) and run.rejected > 0,
        "done": run.status not in (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.WRITING),
        "errors": services.problems(run, limit=50),
        "error": services.error_text(run),
        "can_skip_bad": request.user.has_perm(RUN) and uploads.can_rerun_skipping_bad(run),
        "can_undo": request.user.has_perm(RUN) and run.pk in services.undoable([run]),
    }
    return render(request, "imports/status.html", context)


@login_required
@permission_required(RUN, raise_exception=True)
@require_POST
def skip_bad(request: HttpRequest, pk: int) -> HttpResponse:
    """Import a rejected upload again, writing its good rows and keeping the bad ones aside."""
    run = get_object_or_404(ImportRun, pk=pk)
    try:
        again = uploads.rerun_skipping_bad(run, request.user)
    except UserInputError as exc:
        messages.error(request, error_message(exc).render(_))
        return redirect("imports:status", run.pk)
    return redirect("imports:status", again.pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def progress(request: HttpRequest, pk: int) -> JsonResponse:
    run = services.settle(get_object_or_404(ImportRun, pk=pk))
    return JsonResponse(
        {
            "status": run.status,
            "status_label": run.get_status_display(),
            "progress": run.progress,
            "done": run.status not in (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.WRITING),
        }
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def download(request: HttpRequest, pk: int, name: str) -> StreamingHttpResponse:
    """The run's report or rejected rows, written now in the reader's language."""
    run = get_object_or_404(ImportRun, pk=pk)
    files = {"report.csv": services.report_lines, "rejects.csv": services.rejects_lines}
    folder = services.workdir(run)
    if name not in files or not services.has_file(folder, services.PROBLEMS_FILE):
        raise Http404
    if name == "rejects.csv" and not services.has_file(folder, services.REJECTS_FILE):
        raise Http404
    lines = files[name](folder)
    response = StreamingHttpResponse(_with_bom(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-{name}"'
    return response


def _with_bom(lines: Iterator[str]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, so that Excel reads the Chinese right."""
    yield "\ufeff".encode()
    for line in lines:
        yield line.encode("utf-8")


@login_required
@permission_required(VIEW, raise_exception=True)
def history(request: HttpRequest) -> HttpResponse:
    services.recover()
    page = Paginator(ImportRun.objects.exclude(status=RunStatus.UPLOADED), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "nav": "imports",
        "page": page,
        "kind_labels": KIND_LABELS,
        "undoable": services.undoable(list(page.object_list)),
    }
    return render(request, "imports/history.html", context)


@login_required
@permission_required(RUN, raise_exception=True)
@require_POST
def rollback(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ImportRun, pk=pk)
    try:
        services.rollback(run)
    except UserInputError as exc:
        messages.error(request, error_message(exc).render(_))
    else:
        messages.success(
            request, _("已撤销导入 #%(id)s：数据湖已恢复到导入之前的状态。") % {"id": run.pk}
        )
    return redirect("imports:history")
