"""Background work: an uploaded import runs on Django's task framework."""

from __future__ import annotations

from django.tasks import task

from guanxi.imports import services, uploads
from guanxi.imports.models import ImportRun, RunStatus
from guanxi.ingest import mapping as mappings


@task()
def run_upload(run_id: int, mapping_toml: str) -> str:
    """Import the uploaded file of run ``run_id`` with the mapping the user confirmed."""
    run = ImportRun.objects.get(pk=run_id)
    if run.status != RunStatus.QUEUED:
        return run.status  # already run (a retried task must not import twice)
    mapping = mappings.loads(mapping_toml, "import page") if mapping_toml else None
    result = services.execute(run, uploads.stored_path(run), mapping)
    return result.status
