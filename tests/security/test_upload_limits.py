"""Request and upload limits that hold for every form of the project (each upload form's own checks of size
and type are tested by its owner: tests/clients/test_import_*.py, tests/appeals/test_uploads.py)."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from clients.models import Client as ClientRecord

pytestmark = pytest.mark.django_db


def english_client():
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    return client


def test_a_form_with_too_many_fields_is_refused_with_the_400_page(firm):
    # When someone posts more fields than any form of the product has
    client = english_client()
    client.force_login(firm.business_clerk)
    fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post(reverse("clients:clients_add"), fields)
    # Then the request is refused before any view reads it, and nothing is saved
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
    assert not ClientRecord.objects.exists()


def test_a_form_body_over_the_memory_limit_is_refused(firm):
    client = english_client()
    client.force_login(firm.business_clerk)
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(reverse("clients:clients_add"), {"code": "C1", "name": big})
    assert response.status_code == 400
    assert not ClientRecord.objects.exists()


def test_limits_are_set():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 5 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 5 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 20


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WINDOWS_PROGRAM = b"MZ\x90\x00" + b"\x00" * 64


@pytest.mark.parametrize("content", [PNG, WINDOWS_PROGRAM], ids=["png", "exe"])
def test_an_import_refuses_a_file_that_is_not_really_csv_or_xlsx_whatever_its_name(firm, content):
    # Given a clerk uploads a non-spreadsheet renamed to .csv
    client = english_client()
    client.force_login(firm.business_clerk)
    upload = SimpleUploadedFile("clients.csv", content, content_type="text/csv")
    response = client.post(reverse("clients:import_upload", args=["clients"]), {"file": upload})
    # Then the upload page says why next to the field, and nothing waits to be imported
    assert response.status_code == 200
    assert "not a CSV or Excel (.xlsx) file" in response.content.decode()
    assert "clients_imports" not in client.session or not client.session["clients_imports"]
    assert not ClientRecord.objects.exists()


@override_settings(IMPORT_MAX_UPLOAD_BYTES=1024)
def test_an_import_refuses_a_file_over_the_size_limit(firm):
    client = english_client()
    client.force_login(firm.business_clerk)
    body = "code,name,kind\n" + "".join(f"C{i:05d},Client {i},organisation\n" for i in range(200))
    upload = SimpleUploadedFile("clients.csv", body.encode(), content_type="text/csv")
    response = client.post(reverse("clients:import_upload", args=["clients"]), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "files up to 0.000976562 MB are accepted." in page
    assert not ClientRecord.objects.exists()
