"""Evidence files: type checked by content, size limited, stored under generated names."""

import re

import pytest
from django.urls import reverse

from appeals.models import Appeal, AppealAttachment
from appeals.uploads import display_name
from tests.appeals.conftest import EXE, JPEG, PDF, PNG, office_file, satisfaction, upload


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
