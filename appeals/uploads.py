"""Evidence files: the type is read from the content (never trusted from the name) and the structure checked (PDFs
parsed, images decoded, Office files read as OOXML packages without programs or macros, unpacked size capped), the
size is limited, and the stored name is generated; the name the person gave is kept only as display text."""

import io
import os
import re
import unicodedata
import uuid
import warnings
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PdfReader

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# An Office file may unpack to at most this much (a zip bomb is refused before anything is unpacked).
DEFAULT_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
DEFAULT_MAX_IMAGE_PIXELS = 50_000_000
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


def max_image_pixels() -> int:
    return getattr(settings, "APPEAL_ATTACHMENT_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS)


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


# --- Office files: a valid OOXML package of the claimed kind, nothing executable inside --------------------

# The main part's content type says what a package is, whatever its folders are called.
OOXML_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
}
CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
# Parts that run code: macros (vbaProject.bin, any macro-enabled or VBA content type), ActiveX controls, and
# programs or scripts packed in as parts; OLE compound files (how macros and packaged programs are embedded) and
# Windows or Linux executables are recognised by their first bytes, whatever their names.
EXECUTABLE_EXTENSIONS = {
    ".exe", ".dll", ".com", ".scr", ".msi", ".bat", ".cmd", ".ps1", ".vbs", ".vbe", ".js", ".jse", ".wsf", ".wsh",
    ".hta", ".jar", ".sh", ".lnk", ".cpl", ".pif", ".reg", ".app",
}  # fmt: skip
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")
MAX_PARTS = 5000
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
NESTING = 2  # a package inside a package (a chart's workbook in a document) is looked into, once


def max_unpacked_bytes() -> int:
    return getattr(settings, "APPEAL_ATTACHMENT_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES)


class Unsafe(Exception):
    """A package that may not be stored, with the reason as the person is told it."""


def _is_executable_part(name: str, content_type: str, head: bytes) -> bool:
    lowered = name.lower()
    base = lowered.rsplit("/", 1)[-1]
    if base == "vbaproject.bin" or "/activex/" in f"/{lowered}" or "vba" in content_type or "activex" in content_type:
        return True
    if "macroenabled" in content_type:
        return True
    return os.path.splitext(base)[1] in EXECUTABLE_EXTENSIONS or head.startswith(EXECUTABLE_MAGIC)


def _content_types(archive) -> dict[str, str]:
    """Part name → content type, from [Content_Types].xml (Overrides, then Defaults by extension)."""
    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > MAX_CONTENT_TYPES_BYTES:
        raise zipfile.BadZipFile("oversized [Content_Types].xml")
    text = archive.read(info)
    if b"<!DOCTYPE" in text or b"<!ENTITY" in text:
        # OOXML never declares a DTD; refusing one first keeps entity expansion out of the parser below.
        raise zipfile.BadZipFile("DTD in [Content_Types].xml")
    root = ElementTree.fromstring(text)  # noqa: S314 — no DTD (checked above), so no entity tricks
    defaults = {
        el.get("Extension", "").lower(): el.get("ContentType", "") for el in root.iter(f"{CONTENT_TYPES_NS}Default")
    }
    types = {}
    for name in archive.namelist():
        types[name] = defaults.get(os.path.splitext(name)[1].lstrip(".").lower(), "")
    for el in root.iter(f"{CONTENT_TYPES_NS}Override"):
        types[el.get("PartName", "").lstrip("/")] = el.get("ContentType", "")
    return types


def _inspect_archive(data, budget: list[int], depth: int) -> None:
    """Refuse archives that unpack beyond the budget, hide passwords, or hold programs (also one package down)."""
    with zipfile.ZipFile(data) as archive:
        infos = archive.infolist()
        if len(infos) > MAX_PARTS:
            raise Unsafe("parts")
        try:
            types = _content_types(archive)
        except KeyError:
            types = {}
        for info in infos:
            # The sizes the directory declares bound what reading may produce (zipfile stops there and checks the
            # CRC), so adding them up before reading anything is what stops a zip bomb.
            budget[0] -= info.file_size
            if budget[0] < 0:
                raise Unsafe("size")
            if info.flag_bits & 0x1:
                raise Unsafe("encrypted")
        for info in infos:
            if info.is_dir():
                continue
            with archive.open(info) as part:
                head = part.read(8)
            if _is_executable_part(info.filename, types.get(info.filename, "").lower(), head):
                raise Unsafe("executable")
            if head.startswith(b"PK\x03\x04") and depth < NESTING:
                _inspect_archive(io.BytesIO(archive.read(info)), budget, depth + 1)


def _office_kind(data) -> str | None:
    """'xlsx' or 'docx' when the zip is an OOXML package whose main part is of that kind, 'macro' for a
    macro-enabled one, None for anything else (no [Content_Types].xml, no main part, an unreadable zip)."""
    try:
        data.seek(0)
        with zipfile.ZipFile(data) as archive:
            names = set(archive.namelist())
            types = _content_types(archive)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, ElementTree.ParseError, EOFError):
        return None
    finally:
        data.seek(0)
    for part, content_type in types.items():
        if part in names and content_type in OOXML_MAIN_TYPES:
            return OOXML_MAIN_TYPES[content_type]
    if any("macroenabled" in content_type.lower() for content_type in types.values()):
        return "macro"
    return None


def detect_kind(uploaded) -> str | None:
    """The kind the content really is ('pdf', 'png', 'jpeg', 'xlsx', 'docx'; 'macro' for a macro-enabled Office
    file), or None for anything else. The first bytes decide; check_attachment then checks the structure."""
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


def _found(actual, uploaded) -> str:
    if actual == "macro":
        return _("a macro-enabled Office document")
    if actual:
        return KINDS[actual].label
    uploaded.seek(0)
    guessed = filetype.guess(uploaded.read(8192))
    uploaded.seek(0)
    if guessed is not None and guessed.mime == "application/zip":
        return _("a ZIP archive that is not a valid Office document")
    return _describe(guessed.mime if guessed else None)


# --- Structure checks, by kind ----------------------------------------------------------------------------


def _check_pdf(uploaded, name):
    """A PDF that pypdf can read, with at least one page, not encrypted, without scripts or embedded files."""
    unreadable = ValidationError(
        _("“%(name)s” is not a readable PDF (it could not be opened as one): it was refused.") % {"name": name},
        code="content",
    )
    uploaded.seek(0)
    try:
        reader = PdfReader(uploaded, strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _("“%(name)s” is protected by a password: please attach it without one.") % {"name": name},
                code="encrypted",
            )
        if len(reader.pages) < 1:
            raise unreadable
        root = reader.trailer["/Root"].get_object()
        names = root.get("/Names")
        names = names.get_object() if names is not None else {}
        action = root.get("/OpenAction")
        action = action.get_object() if action is not None else None
        active = (
            "/JavaScript" in names
            or "/EmbeddedFiles" in names
            or "/AA" in root
            or (hasattr(action, "get") and action.get("/S") in ("/JavaScript", "/Launch"))
        )
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 — any failure to parse untrusted bytes means "not a readable PDF"
        raise unreadable from None
    finally:
        uploaded.seek(0)
    if active:
        raise ValidationError(
            _(
                "“%(name)s” contains scripts or embedded files: it was refused. Print it to a new PDF and attach "
                "that instead."
            )
            % {"name": name},
            code="active_content",
        )


def _check_image(uploaded, name, kind):
    """A PNG or JPEG that Pillow decodes completely, of a sensible number of pixels."""
    unreadable = ValidationError(
        _("“%(name)s” is not a readable %(kind)s image: it was refused.") % {"name": name, "kind": kind.label},
        code="content",
    )
    uploaded.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(uploaded) as image:
                if image.format != kind.code.upper():
                    raise unreadable
                width, height = image.size
                if width * height > max_image_pixels():
                    raise ValidationError(
                        _(
                            "“%(name)s” is a picture of %(width)s × %(height)s pixels; at most %(limit)s million "
                            "pixels are accepted."
                        )
                        % {"name": name, "width": width, "height": height, "limit": max_image_pixels() // 1_000_000},
                        code="too_large",
                    )
                image.load()
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 — truncated, corrupt or hostile image data alike
        raise unreadable from None
    finally:
        uploaded.seek(0)


def _check_office(uploaded, name):
    uploaded.seek(0)
    try:
        _inspect_archive(uploaded, [max_unpacked_bytes()], 0)
    except Unsafe as problem:
        reason = str(problem)
        if reason in ("size", "parts"):
            message = _("“%(name)s” unpacks to more than %(limit)s: it was refused.") % {
                "name": name,
                "limit": filesizeformat(max_unpacked_bytes()),
            }
        elif reason == "encrypted":
            message = _("“%(name)s” is protected by a password: please attach it without one.") % {"name": name}
        else:
            message = _(
                "“%(name)s” contains a program or macros: it was refused. Save it without macros or embedded "
                "objects (or as a PDF) and attach that instead."
            ) % {"name": name}
        raise ValidationError(message, code="unsafe") from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        raise ValidationError(
            _("“%(name)s” is not a readable Office document: it was refused.") % {"name": name}, code="content"
        ) from None
    finally:
        uploaded.seek(0)


def size_text(size: int, limit: int) -> tuple[str, str]:
    """The size and the limit as the refusal shows them: rounded, unless rounding would make them look equal."""
    shown, allowed = filesizeformat(size), filesizeformat(limit)
    if shown != allowed:
        return shown, allowed
    return _("%(n)s bytes") % {"n": f"{size:,}"}, _("%(n)s bytes (%(rounded)s)") % {
        "n": f"{limit:,}",
        "rounded": allowed,
    }


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
        size, allowed = size_text(uploaded.size, limit)
        raise ValidationError(
            _("“%(name)s” is %(size)s; each file may be at most %(limit)s.")
            % {"name": name, "size": size, "limit": allowed},
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
        raise ValidationError(
            _("“%(name)s” is named as %(declared)s but its content is %(found)s: it was refused.")
            % {"name": name, "declared": declared.label, "found": _found(actual, uploaded)},
            code="content",
        )
    # The first bytes only say what a file claims to be; its structure must hold up too.
    if declared.code == "pdf":
        _check_pdf(uploaded, name)
    elif declared.code in ("png", "jpeg"):
        _check_image(uploaded, name, declared)
    else:
        _check_office(uploaded, name)
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
