"""A published quarter scored by the real scoring services, and helpers to file and handle appeals.

The four lawyers differ only by their clients' satisfaction surveys (every other indicator has no data):
    colleague (4,4,5) → 65.83, rank 1 · lawyer (4,4,4) → 57.5, rank 2 · outsider (none) → 40, rank 3 ·
    superior (3,3,3) → 32.5, rank 4.
"""

import datetime
import io
import itertools
import zipfile
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image
from pypdf import PdfWriter

from appeals import services
from clients.models import Client, SatisfactionSurvey
from indicators.defaults import scheme_create_default
from indicators.models import Indicator, Scheme
from results.drafts import results_store_drafts
from results.models import Scorecard
from reviews.models import EXECUTION_GROUP, Department, Position, Quarter, QuarterState
from tests.personas import make_person

AS_OF = timezone.make_aware(datetime.datetime(2026, 10, 5, 9, 0))
_numbers = itertools.count(1)


# Real files of each accepted kind: appeals/uploads.py parses PDFs, decodes images and reads OOXML packages.
def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


PDF = _pdf()
PNG = _image("PNG")
JPEG = _image("JPEG")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"

MAIN_PART = {"xl": "xl/workbook.xml", "word": "word/document.xml"}
MAIN_TYPE = {
    "xl": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "word": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
}


def office_file(part: str, *, main_type: str | None = None, extra: dict | None = None) -> bytes:
    """A minimal XLSX ('xl') or DOCX ('word') package; `extra` adds parts (name → bytes)."""
    main = MAIN_PART[part]
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main}" ContentType="{main_type or MAIN_TYPE[part]}"/>'
        "</Types>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr(main, "<x/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)


def survey(user, scores, surveyed_on=datetime.date(2026, 8, 10)):
    n = next(_numbers)
    client = Client.objects.create(code=f"AC{n:05d}", name=f"申诉客户{n}", kind="organisation")
    return SatisfactionSurvey.objects.create(
        ref=f"AS{n:05d}",
        client=client,
        staff=user.profile,
        surveyed_on=surveyed_on,
        channel="phone",
        service_quality=scores[0],
        communication=scores[1],
        outcome=scores[2],
    )


@dataclass
class Published:
    firm: object
    quarter: Quarter
    scheme: Scheme
    lawyer_survey: SatisfactionSurvey

    def card(self, user):
        return Scorecard.objects.get(quarter=self.quarter, staff=user.profile, is_current=True)


def publish(quarter, *, days_ago=1):
    Scorecard.objects.filter(quarter=quarter, is_current=True).update(status=Scorecard.Status.PUBLISHED)
    quarter.state = QuarterState.PUBLISHED
    quarter.published_at = timezone.now() - datetime.timedelta(days=days_ago)
    quarter.save()


@pytest.fixture(autouse=True)
def english(client):
    """Pages and messages in English, so the assertions hold once the Chinese catalogue exists."""
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    """Attachments go to a fresh private folder for each test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


@pytest.fixture
def scored(firm, media):
    quarter = Quarter.objects.create(year=2026, number=3, state=QuarterState.APPROVED)
    scheme = scheme_create_default(quarter=quarter, by=firm.executor)
    Scheme.objects.filter(pk=scheme.pk).update(status=Scheme.Status.APPROVED, approved_by=firm.partner)
    scheme.refresh_from_db()
    lawyer_survey = survey(firm.lawyer, (4, 4, 4))
    survey(firm.colleague, (4, 4, 5))
    survey(firm.superior, (3, 3, 3))
    results_store_drafts(quarter=quarter, scheme=scheme, by=firm.executor, as_of=AS_OF)
    return Published(firm=firm, quarter=quarter, scheme=scheme, lawyer_survey=lawyer_survey)


@pytest.fixture
def published(scored):
    publish(scored.quarter, days_ago=1)
    return scored


def satisfaction():
    return Indicator.objects.get(code="satisfaction")


def file_appeal(published, user=None, **overrides):
    firm = published.firm
    user = user or firm.lawyer
    fields = {
        "scorecard": published.card(user),
        "by": user,
        "indicators": [satisfaction()],
        "reason": "我的满意度调查录入错误：客户实际打了 5 分。",
        "expected_correction": "满意度按 5 分重新计算。",
    }
    fields.update(overrides)
    return services.appeal_file(**fields)


def under_review(published, **overrides):
    appeal = file_appeal(published, **overrides)
    return services.appeal_assign(appeal=appeal, handler=published.firm.executor, by=published.firm.executor)


def second_executor():
    user = make_person("executor2", "郑红", Position.ADMINISTRATIVE, Department.objects.get(code="adm"))
    user.groups.add(Group.objects.get(name=EXECUTION_GROUP))
    return user
