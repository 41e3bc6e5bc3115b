"""Evidence files: type checked by content, size limited, stored under generated names."""

import io
import re
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from appeals.models import Appeal, AppealAttachment
from appeals.uploads import display_name
from tests.appeals.conftest import EXE, JPEG, MAIN_TYPE, PDF, PNG, office_file, satisfaction, upload


def post_with(client, card, *files):
    return client.post(
        reverse("appeals:file", args=[card.pk]),
        {"indicators": [satisfaction().pk], "reason": "证据见附件", "attachments": list(files)},
    )


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("scan.pdf", PNG, "its content is PNG"),  # a PNG image renamed .pdf
        ("invoice.pdf", EXE, "its content is"),  # a Windows program renamed .pdf
        ("table.xlsx", office_file("word"), "its content is Word"),  # a DOCX renamed .xlsx
        ("notes.txt", b"plain text", "not an accepted kind"),
        ("letter.docx", b"PK\x03\x04 not really a zip", "its content is"),
    ],
)
def test_a_file_whose_content_is_not_what_its_name_says_is_refused(published, client_for, name, content, message):
    response = post_with(
        client_for(published.firm.lawyer), published.card(published.firm.lawyer), upload(name, content)
    )
    page = response.content.decode()
    assert response.status_code == 200 and message in page and name in page
    assert Appeal.objects.count() == 0 and AppealAttachment.objects.count() == 0


def zip_of(files: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def refused(published, client_for, name, content):
    """What the lawyer sees after filing an appeal with this one file, and that nothing was stored."""
    response = post_with(
        client_for(published.firm.lawyer), published.card(published.firm.lawyer), upload(name, content)
    )
    assert response.status_code == 200, response.status_code
    assert Appeal.objects.count() == 0 and AppealAttachment.objects.count() == 0
    return response.content.decode().replace("\xa0", " ")  # sizes are written with a no-break space


def test_a_web_page_that_starts_like_a_pdf_is_refused(published, client_for):
    # Given the lawyer attaches an HTML page whose first bytes are a PDF header
    page = refused(published, client_for, "evidence.pdf", b"%PDF-1.4<html><script>alert(document.cookie)</script>")
    # Then it is refused: it is not a readable PDF
    assert "“evidence.pdf” is not a readable PDF" in page


def pdf_with(change) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_pdf_that_runs_a_script_on_opening_is_refused(published, client_for):
    script = pdf_with(lambda w: w.add_open_action(JavaScript("app.alert('hi');")))
    page = refused(published, client_for, "scan.pdf", script)
    assert "“scan.pdf” contains scripts or embedded files" in page


def test_a_pdf_with_an_embedded_program_is_refused(published, client_for):
    page = refused(published, client_for, "scan.pdf", pdf_with(lambda w: w.add_attachment("setup.exe", EXE)))
    assert "“scan.pdf” contains scripts or embedded files" in page


def test_a_password_protected_pdf_is_refused_with_a_way_out(published, client_for):
    page = refused(published, client_for, "scan.pdf", pdf_with(lambda w: w.encrypt("secret")))
    assert "“scan.pdf” is protected by a password: please attach it without one." in page


def test_a_zip_with_a_content_types_file_and_a_program_is_refused_as_xlsx(published, client_for):
    # Given a zip holding [Content_Types].xml, an xl/ folder and a Windows program, named .xlsx
    bundle = zip_of({"[Content_Types].xml": "<Types/>", "xl/readme.txt": "open the exe", "xl/setup.exe": EXE})
    page = refused(published, client_for, "table.xlsx", bundle)
    assert "“table.xlsx” is named as Excel (XLSX) but" in page


def test_a_real_workbook_with_a_program_inside_is_refused(published, client_for):
    workbook = office_file("xl", extra={"xl/embeddings/tool.bin": EXE})
    page = refused(published, client_for, "table.xlsx", workbook)
    assert "contains a program or macros" in page


@pytest.mark.parametrize(
    "part, extra",
    [
        ("xl", {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64}),  # Excel macros
        ("word", {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64}),  # Word macros
        ("word", {"word/activeX/activeX1.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"}),  # an ActiveX control
        ("word", {"word/embeddings/run.cmd": b"del /q *"}),  # a script
    ],
)
def test_office_files_with_macros_or_programs_are_refused(published, client_for, part, extra):
    name = "table.xlsx" if part == "xl" else "letter.docx"
    page = refused(published, client_for, name, office_file(part, extra=extra))
    assert "contains a program or macros" in page


def test_a_macro_enabled_workbook_renamed_xlsx_is_refused(published, client_for):
    workbook = office_file("xl", main_type="application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    page = refused(published, client_for, "table.xlsx", workbook)
    assert "“table.xlsx” is named as Excel (XLSX) but its content is a macro-enabled" in page


def test_a_word_document_renamed_xlsx_is_refused_by_its_content_types(published, client_for):
    # The package says its main part is a Word document, whatever folders it has
    document = office_file("xl", main_type=MAIN_TYPE["word"])
    page = refused(published, client_for, "table.xlsx", document)
    assert "its content is Word (DOCX)" in page


def test_a_zip_bomb_is_refused_without_unpacking_it(published, client_for, settings):
    # Given a workbook whose one part unpacks to far more than the limit (here 1 MB) from a few kilobytes
    settings.APPEAL_ATTACHMENT_MAX_UNPACKED_BYTES = 1024 * 1024
    bomb = office_file("xl", extra={"xl/media/padding.xml": b"0" * (3 * 1024 * 1024)})
    assert len(bomb) < 20_000
    page = refused(published, client_for, "table.xlsx", bomb)
    assert "unpacks to more than 1.0 MB" in page


@pytest.mark.parametrize(
    "name, content",
    [
        ("photo.png", PNG[:40] + b"\x00" * 60),  # a PNG header with no picture behind it
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"<html>" * 20),  # a JPEG header, then a web page
    ],
    ids=["png-header-only", "jpeg-header-then-html"],
)
def test_an_image_that_cannot_be_decoded_is_refused(published, client_for, name, content):
    page = refused(published, client_for, name, content)
    assert f"“{name}” is not a readable" in page


def test_a_file_just_over_the_limit_gives_exact_figures(published, client_for, settings):
    # Given the limit of 10 MB and a PDF of 10 MB and 10 bytes
    settings.APPEAL_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    page = refused(published, client_for, "scan.pdf", PDF + b"%" * (10 * 1024 * 1024 + 10 - len(PDF)))
    # Then the message does not claim "10.0 MB; at most 10.0 MB" but says by how much it is too big
    assert "10.0 MB; each file may be at most 10.0 MB" not in page
    assert "“scan.pdf” is 10,485,770 bytes; each file may be at most 10,485,760 bytes (10.0 MB)." in page


def test_a_file_well_over_the_limit_is_described_in_megabytes(published, client_for, settings):
    settings.APPEAL_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    page = refused(published, client_for, "scan.pdf", PDF + b"%" * (12 * 1024 * 1024))
    assert "“scan.pdf” is 12.0 MB; each file may be at most 10.0 MB." in page


def test_an_oversized_file_is_refused(published, client_for, settings):
    settings.APPEAL_ATTACHMENT_MAX_BYTES = 1000
    big = PDF + b"%" * 2000
    response = post_with(
        client_for(published.firm.lawyer), published.card(published.firm.lawyer), upload("big.pdf", big)
    )
    assert "each file may be at most" in response.content.decode()
    assert Appeal.objects.count() == 0


def test_every_accepted_kind_is_stored_under_a_generated_name(published, client_for, media):
    # Given one file of each accepted kind
    files = [
        upload("a.pdf", PDF),
        upload("b.png", PNG),
        upload("c.jpg", JPEG),
        upload("d.xlsx", office_file("xl")),
        upload("e.docx", office_file("word")),
    ]
    # When they are filed
    post_with(client_for(published.firm.lawyer), published.card(published.firm.lawyer), *files)
    # Then each is stored privately under a uuid name with the extension of its real kind
    stored = {a.original_name: a for a in AppealAttachment.objects.all()}
    assert set(stored) == {"a.pdf", "b.png", "c.jpg", "d.xlsx", "e.docx"}
    for name, attachment in stored.items():
        base = attachment.file.name.rsplit("/", 1)[-1]
        assert re.fullmatch(r"[0-9a-f]{32}\.[a-z]+", base) and base.rsplit(".", 1)[1] == name.rsplit(".", 1)[1]
        assert (media / attachment.file.name).is_file()
    assert stored["b.png"].content_type == "image/png"


def test_a_name_that_climbs_folders_is_stored_safely(published, client_for, media):
    # Given a file named to escape the storage folder
    post_with(
        client_for(published.firm.lawyer),
        published.card(published.firm.lawyer),
        upload("../../../etc/cron.d/evil.pdf", PDF),
    )
    attachment = AppealAttachment.objects.get()
    # Then the file lies inside the private folder under a generated name; the display name has no folders
    path = (media / attachment.file.name).resolve()
    assert path.is_file() and media.resolve() in path.parents
    assert ".." not in attachment.file.name and "evil" not in attachment.file.name
    assert attachment.original_name == "evil.pdf"
    # And the download offers only the harmless name
    response = client_for(published.firm.lawyer).get(
        reverse("appeals:attachment", args=[attachment.appeal_id, attachment.pk])
    )
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "evil.pdf" in response["Content-Disposition"] and ".." not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "given, shown",
    [
        ("..\\..\\windows\\x.pdf", "x.pdf"),  # Windows separators
        ("a\x00b\n.pdf", "ab.pdf"),  # control characters dropped
        ("....", "attachment"),  # nothing left
        ("调查表 (1).pdf", "调查表 (1).pdf"),  # Chinese names kept
    ],
)
def test_display_names_are_sanitized(given, shown):
    assert display_name(given) == shown
