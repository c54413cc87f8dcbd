"""Documents: upload, new versions, removal, the standing papers an application reuses, and the check that
the database and the storage agree. Every change is on the record.

A file's type is read from its content, never from its name alone: a file is refused when the content is
of a type the installation does not accept, or when its name promises another type than it holds.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

import filetype

from fundtrack.audit import services as audit
from fundtrack.config import FileSettings
from fundtrack.db import db
from fundtrack.documents.models import DOCUMENT_KINDS, STANDING_KINDS, Document, DocumentVersion
from fundtrack.i18n_markers import N_
from fundtrack.storage import StorageError
from fundtrack.validation import ValidationError

# The file name endings each content type may carry.
EXTENSIONS = {
    "application/pdf": ("pdf",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx",),
    "application/vnd.oasis.opendocument.text": ("odt",),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods",),
    "application/vnd.oasis.opendocument.presentation": ("odp",),
    "text/plain": ("txt", "md"),
    "text/csv": ("csv",),
}
TYPE_NAMES = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (docx)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (xlsx)",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint (pptx)",
    "application/vnd.oasis.opendocument.text": "OpenDocument (odt)",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument (ods)",
    "application/vnd.oasis.opendocument.presentation": "OpenDocument (odp)",
    "text/plain": N_("plain text"),
    "text/csv": "CSV",
}
NAME_LIMIT = 200


def visible_documents(user):
    """The documents `user` may see: a member only its own organisation's; fundraisers and viewers all."""
    query = Document.select().where(Document.removed_at.is_null())
    if user.is_member:
        query = query.where(Document.organisation == user.organisation_id)
    return query


def changeable_documents(user):
    """The documents `user` may replace or remove: the same as those they see (viewers are stopped by role)."""
    return visible_documents(user)


def visible_versions(user):
    return DocumentVersion.select().where(DocumentVersion.document.in_(visible_documents(user).select(Document.id)))


def documents_of(owner_kind: str, record_id: int) -> list[Document]:
    """The live documents kept with one record, newest first."""
    column = getattr(Document, owner_kind)
    query = Document.select().where((column == record_id) & Document.removed_at.is_null())
    if owner_kind == "organisation":  # the organisation's own papers, not those of its applications
        query = query.where(
            Document.application.is_null() & Document.project.is_null() & Document.deadline.is_null() & Document.funder.is_null()
        )
    return list(query.order_by(Document.updated_at.desc(), Document.id.desc()))


def standing_documents(organisation_id: int) -> list[Document]:
    """The organisation's statutes, accounts and CVR papers: what a new application is offered."""
    return [d for d in documents_of("organisation", organisation_id) if d.kind in STANDING_KINDS]


def clean_filename(filename: str) -> str:
    """The last part of an uploaded file's name, without control characters, at most NAME_LIMIT long."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > NAME_LIMIT:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: NAME_LIMIT - len(extension) - 1] + dot + extension) if dot and len(extension) < 10 else name[:NAME_LIMIT]
    return name


def _looks_like_text(data: bytes) -> bool:
    if b"\x00" in data[:8192]:
        return False
    try:
        data[:65536].decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < 65530:  # not only a character cut at the end of the sample
            try:
                data[:65536].decode("cp1252")
            except UnicodeDecodeError:
                return False
    return True


def detect_type(data: bytes, filename: str) -> str | None:
    """The content type the bytes really are (None when they are none that fundtrack knows)."""
    found = filetype.guess(data)
    if found is not None:
        return found.mime
    if _looks_like_text(data):
        return "text/csv" if filename.lower().endswith(".csv") else "text/plain"
    return None


def check_upload(data: bytes, filename: str, settings: FileSettings) -> tuple[str, str]:
    """(clean file name, content type) of an upload, or ValidationError saying what is wrong with it."""
    name = clean_filename(filename)
    if not name:
        raise ValidationError({"file": N_("Choose a file to upload.")})
    if not data:
        raise ValidationError({"file": (N_("%(name)s is empty."), {"name": name})})
    if len(data) > settings.max_mb * 1024 * 1024:
        raise ValidationError({"file": (N_("%(name)s is larger than %(mb)d MB."), {"name": name, "mb": settings.max_mb})})
    content_type = detect_type(data, name)
    if content_type is None or content_type not in settings.allowed_types:
        raise ValidationError(
            {
                "file": (
                    N_("%(name)s is not a type of file that is accepted here (%(types)s)."),
                    {"name": name, "types": accepted(settings)},
                )
            }
        )
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension not in EXTENSIONS.get(content_type, ()):
        raise ValidationError(
            {
                "file": (
                    N_(
                        "%(name)s is named as another type of file than its content, which is %(type)s. "
                        "Rename it, or choose the right file."
                    ),
                    {"name": name, "type": TYPE_NAMES.get(content_type, content_type)},
                )
            }
        )
    return name, content_type


def accepted(settings: FileSettings) -> str:
    """The accepted file name endings, for the upload form and its refusals."""
    return ", ".join(sorted({ending for kind in settings.allowed_types for ending in EXTENSIONS.get(kind, ())}))


def _check_kind(kind: str) -> str:
    if kind not in DOCUMENT_KINDS:
        raise ValidationError({"kind": N_("Choose one of the kinds in the list.")})
    return kind


def _store(storage, data: bytes) -> str:
    try:
        return storage.put(data)
    except StorageError:
        raise ValidationError(
            {"file": N_("The file could not be stored; nothing is changed. Try again, or tell the administrator.")}
        ) from None


def _forget(storage, key: str) -> None:
    """Remove bytes a failed write left behind, unless a version uses them."""
    if not DocumentVersion.select().where(DocumentVersion.key == key).exists():
        try:
            storage.delete(key)
        except StorageError:
            pass  # `fundtrack files check` reports it


def owner_values(owner) -> dict:
    """The Document fields that name the record a file is kept with, and whose file it is."""
    table = owner._meta.table_name
    if table == "organisation":
        return {"organisation": owner.id}
    if table == "funder":
        return {"funder": owner.id, "organisation": None}
    if table == "deadline":
        return {"deadline": owner.id, "organisation": owner.application.organisation_id}
    if table in ("application", "project"):
        return {table: owner.id, "organisation": owner.organisation_id}
    raise ValueError(f"documents are not kept with {table}")


def _new_version(
    document: Document, number: int, name: str, content_type: str, size: int, key: str, actor, now
) -> DocumentVersion:
    return DocumentVersion.create(
        document=document,
        number=number,
        filename=name,
        content_type=content_type,
        size=size,
        key=key,
        uploaded_by=getattr(actor, "id", None),
        uploaded_at=now,
    )


def add_document(
    owner, *, kind: str, filename: str, data: bytes, settings: FileSettings, storage, actor, now: dt.datetime
) -> Document:
    """Keep a new file with `owner` (an application, funder, project, deadline or organisation)."""
    kind = _check_kind(kind)
    name, content_type = check_upload(data, filename, settings)
    key = _store(storage, data)
    try:
        with db.atomic():
            document = Document.create(**owner_values(owner), kind=kind, name=name, created_at=now, updated_at=now)
            _new_version(document, 1, name, content_type, len(data), key, actor, now)
            audit.record_create(actor, document, now)
    except Exception:
        _forget(storage, key)
        raise
    return document


def replace_document(
    document: Document, *, filename: str, data: bytes, settings: FileSettings, storage, actor, now: dt.datetime
) -> DocumentVersion:
    """A new version of `document`; the earlier ones are kept and listed."""
    name, content_type = check_upload(data, filename, settings)
    key = _store(storage, data)
    try:
        with db.atomic():
            number = document.versions_count + 1
            version = _new_version(document, number, name, content_type, len(data), key, actor, now)
            audit.save_changes(document, {"name": name, "versions_count": number}, actor=actor, now=now, action="replace")
    except Exception:
        _forget(storage, key)
        raise
    return version


def change_kind(document: Document, kind: str, *, actor, now: dt.datetime) -> None:
    with db.atomic():
        audit.save_changes(document, {"kind": _check_kind(kind)}, actor=actor, now=now)


def remove_document(document: Document, *, actor, now: dt.datetime) -> None:
    """Take a document off its record. Its versions and bytes stay, so the history can still name them."""
    with db.atomic():
        audit.save_changes(document, {"removed_at": now}, actor=actor, now=now, action="remove")


def restore_document(document: Document, *, actor, now: dt.datetime) -> None:
    """Put a removed document back on its record."""
    with db.atomic():
        audit.save_changes(document, {"removed_at": None}, actor=actor, now=now, action="restore")


def attach_standing(application, documents: list[Document], *, actor, now: dt.datetime) -> list[Document]:
    """Attach copies of the organisation's standing papers to an application: the same bytes (the storage
    keeps them once), a document of the application's own, so that a later version of the statutes does not
    change what was sent with this application."""
    attached = []
    with db.atomic():
        for source in documents:
            if source.organisation_id != application.organisation_id or source.kind not in STANDING_KINDS:
                continue
            latest = latest_version(source)
            document = Document.create(
                organisation=application.organisation_id,
                application=application.id,
                kind=source.kind,
                name=source.name,
                created_at=now,
                updated_at=now,
            )
            _new_version(document, 1, latest.filename, latest.content_type, latest.size, latest.key, actor, now)
            audit.record_create(actor, document, now)
            attached.append(document)
    return attached


def latest_version(document: Document) -> DocumentVersion:
    return document.versions.order_by(DocumentVersion.number.desc()).get()


def versions_of(document: Document) -> list[DocumentVersion]:
    return list(document.versions.order_by(DocumentVersion.number.desc()))


def latest_versions(documents: list[Document]) -> dict[int, DocumentVersion]:
    """{document id: its latest version}, in one query, for a list of documents."""
    if not documents:
        return {}
    rows = DocumentVersion.select().where(DocumentVersion.document.in_([d.id for d in documents]))
    found: dict[int, DocumentVersion] = {}
    for version in rows:
        current = found.get(version.document_id)
        if current is None or version.number > current.number:
            found[version.document_id] = version
    return found


def read_version(version: DocumentVersion, storage) -> bytes:
    return storage.get(version.key)


@dataclass
class StorageCheck:
    """What `fundtrack files check` found: versions whose bytes are missing, and stored files no row names."""

    missing: list[DocumentVersion] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.missing and not self.orphans


def check_storage(storage) -> StorageCheck:
    """Compare every version row with the storage, both ways."""
    result = StorageCheck()
    stored = set(storage.keys())
    named = set()
    for version in DocumentVersion.select().order_by(DocumentVersion.id):
        result.checked += 1
        named.add(version.key)
        if version.key not in stored:
            result.missing.append(version)
    result.orphans = sorted(stored - named)
    return result
