"""Which entities can be imported, and the upload -> preview -> confirm flow."""

from __future__ import annotations

import datetime as dt

from fundtrack.importing import Choices, Importer, Preview, preview, run_import
from fundtrack.imports.models import PendingImport

PENDING_HOURS = 24


def importers() -> dict[str, Importer]:
    """Every importable entity by name."""
    from fundtrack.applications.transfer import IMPORTER as applications
    from fundtrack.funders.transfer import IMPORTER as funders
    from fundtrack.instalments.transfer import IMPORTER as instalments
    from fundtrack.organisations.transfer import IMPORTER as organisations
    from fundtrack.projects.transfer import IMPORTER as projects

    return {
        "funders": funders,
        "organisations": organisations,
        "applications": applications,
        "instalments": instalments,
        "projects": projects,
    }


def stage_upload(user, entity: str, filename: str, data: bytes, *, now: dt.datetime) -> tuple[PendingImport, Preview]:
    """Keep the uploaded file until it is confirmed, and check it."""
    pending = PendingImport.create(user=user, entity=entity, filename=filename, content=data, created_at=now)
    return pending, preview(importers()[entity], data, filename)


def check_again(pending: PendingImport, choices: Choices) -> Preview:
    """The kept file checked with the user's corrections (a column mapped by hand, a name matched to a record)."""
    return preview(importers()[pending.entity], bytes(pending.content), pending.filename, choices)


def confirm(pending: PendingImport, choices: Choices, *, actor, now: dt.datetime) -> int:
    """Import the kept file (checked again: data may have changed since the preview), then forget it."""
    importer = importers()[pending.entity]
    count = run_import(importer, bytes(pending.content), pending.filename, actor=actor, now=now, choices=choices)
    pending.delete_instance()
    return count


def visible_pending(user):
    """A user's own uploads waiting for confirmation: nobody else may confirm them."""
    return PendingImport.select().where(PendingImport.user == user.id)


def purge_pending(now: dt.datetime) -> int:
    """Forget uploads that were never confirmed."""
    return PendingImport.delete().where(PendingImport.created_at < now - dt.timedelta(hours=PENDING_HOURS)).execute()
