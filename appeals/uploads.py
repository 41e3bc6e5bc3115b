"""Evidence files: the type is read from the content (never trusted from the name), the size is limited, and the
stored name is generated; the name the person gave is kept only as display text."""

import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 10


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    extensions: tuple[str, ...]
    content_type: str


KINDS = {
    kind.code: kind
    for kind in (
        Kind("pdf", "PDF", (".pdf",), "application/pdf"),
        Kind("png", "PNG", (".png",), "image/png"),
        Kind("jpeg", "JPEG", (".jpg", ".jpeg"), "image/jpeg"),
        Kind("xlsx", "Excel (XLSX)", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        Kind(
            "docx", "Word (DOCX)", (".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        ),
    )
}
KIND_BY_EXTENSION = {ext: kind for kind in KINDS.values() for ext in kind.extensions}
ACCEPT = ",".join(KIND_BY_EXTENSION)


def max_bytes() -> int:
    return getattr(settings, "APPEAL_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def display_name(name: str) -> str:
    """The person's file name made harmless for display: no folders, no control characters, at most 200 chars.

    '../../etc/passwd.pdf' → 'passwd.pdf'; the stored file never uses this name anyway.
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        name = _("attachment")
    stem, ext = os.path.splitext(name)
    return stem[: 200 - len(ext)] + ext[:20]


def _office_kind(data) -> str | None:
    """XLSX and DOCX are zip files holding [Content_Types].xml and an xl/ or word/ part."""
    try:
        data.seek(0)
        with zipfile.ZipFile(data) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        data.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.startswith("word/") for n in names):
        return "docx"
    return None


def detect_kind(uploaded) -> str | None:
    """The kind the content really is ('pdf', 'png', 'jpeg', 'xlsx', 'docx'), or None for anything else."""
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    guessed = filetype.guess(head)
    if guessed is None:
        return None
    if guessed.mime == "application/pdf":
        return "pdf"
    if guessed.mime == "image/png":
        return "png"
    if guessed.mime == "image/jpeg":
        return "jpeg"
    if guessed.mime in ("application/zip", *(k.content_type for k in KINDS.values() if k.code in ("xlsx", "docx"))):
        # Reading the whole archive's directory needs a seekable file: uploads are.
        return _office_kind(uploaded)
    return None


def _describe(guessed_mime: str | None) -> str:
    return guessed_mime or _("an unknown type")


@dataclass(frozen=True)
class CheckedFile:
    uploaded: object
    kind: Kind
    display_name: str
    size: int

    def storage_name(self) -> str:
        """A generated name with the extension of the detected kind; the person's name plays no part."""
        return f"{uuid.uuid4().hex}{self.kind.extensions[0]}"


def check_attachment(uploaded) -> CheckedFile:
    """The file if it is an allowed kind whose content matches its name and it is small enough; else ValidationError."""
    name = display_name(getattr(uploaded, "name", ""))
    limit = max_bytes()
    if uploaded.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; each file may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if uploaded.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    declared = KIND_BY_EXTENSION.get(os.path.splitext(name)[1].lower())
    if declared is None:
        raise ValidationError(
            _("“%(name)s” is not an accepted kind of file. Accepted: PDF, PNG or JPEG images, XLSX and DOCX.")
            % {"name": name},
            code="extension",
        )
    actual = detect_kind(uploaded)
    if actual != declared.code:
        uploaded.seek(0)
        guessed = filetype.guess(uploaded.read(8192))
        uploaded.seek(0)
        found = KINDS[actual].label if actual else _describe(guessed.mime if guessed else None)
        raise ValidationError(
            _("“%(name)s” is named as %(declared)s but its content is %(found)s: it was refused.")
            % {"name": name, "declared": declared.label, "found": found},
            code="content",
        )
    return CheckedFile(uploaded=uploaded, kind=declared, display_name=name, size=uploaded.size)


def check_attachments(files) -> list[CheckedFile]:
    """Every file checked; all the problems reported together, nothing accepted if one is wrong."""
    files = list(files or [])
    if len(files) > MAX_FILES:
        raise ValidationError(_("At most %(n)d files at a time, please.") % {"n": MAX_FILES}, code="too_many")
    checked, errors = [], []
    for uploaded in files:
        try:
            checked.append(check_attachment(uploaded))
        except ValidationError as error:
            errors.extend(error.error_list)
    if errors:
        raise ValidationError(errors)
    return checked
