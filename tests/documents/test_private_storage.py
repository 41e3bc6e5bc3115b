"""Private files on S3-compatible object storage (PRIVATE_STORAGE=s3, docs/operations.md "Running on several
machines"): how the setting is chosen, and the feedback batch run against a real S3 endpoint.

The endpoint is moto's standalone server (ThreadedMotoServer), started by the test on a free local port: it speaks
the S3 HTTP protocol, so boto3 and django-storages go through the same requests, signatures and XML they would
send to AWS S3 or MinIO, yet it is a pip package that starts in-process in a second, with no binary, container or
network access needed (MinIO would need its server binary or Docker, which CI machines need not have).
"""

import datetime
import json

import boto3
import environ
import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage, storages
from django.urls import reverse
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from documents import feedback
from documents.models import FeedbackDocument
from documents.tasks import feedback_batch_start
from lawfirm_kpi.settings import storage
from results.models import Scorecard
from tests.notifications.conftest import approved_quarter_with_drafts
from tests.test_settings import PRODUCTION, manage

NOW = datetime.datetime(2026, 7, 3, 2, 0, tzinfo=datetime.UTC)
BUCKET = "kpi-private"
KEYS = {"access_key": "test-access-key", "secret_key": "test-secret-key"}


# How the storage is chosen.


def test_local_disk_is_the_default(tmp_path):
    assert storage.private_storage(location=tmp_path) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path},
    }


def test_s3_is_chosen_by_the_environment(monkeypatch, tmp_path):
    for name, value in {
        "PRIVATE_STORAGE": "s3",
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": "https://oss.yourfirm.example",
        "S3_ACCESS_KEY_ID": "id",
        "S3_SECRET_ACCESS_KEY": "secret",
        "S3_REGION": "cn-north-1",
        "S3_PREFIX": "/kpi/",
        "S3_ADDRESSING_STYLE": "path",
    }.items():
        monkeypatch.setenv(name, value)
    chosen = storage.from_environment(environ.Env(), location=tmp_path)
    assert chosen["BACKEND"] == "storages.backends.s3.S3Storage"
    options = chosen["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
        BUCKET,
        "https://oss.yourfirm.example",
        "cn-north-1",
    )
    assert (options["access_key"], options["secret_key"], options["location"]) == ("id", "secret", "kpi")
    assert options["addressing_style"] == "path"
    # Private and never overwritten, like the local folder.
    assert options["default_acl"] is None and options["file_overwrite"] is False


def test_without_the_variable_the_environment_chooses_the_local_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("PRIVATE_STORAGE", raising=False)
    monkeypatch.setenv("S3_BUCKET", BUCKET)
    assert storage.from_environment(environ.Env(), location=tmp_path)["OPTIONS"] == {"location": tmp_path}


def test_s3_without_keys_leaves_them_to_boto3():
    options = storage.private_storage(kind="S3", bucket=BUCKET)["OPTIONS"]
    assert options["access_key"] is None and options["secret_key"] is None and options["endpoint_url"] is None


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"kind": "nfs"}, "PRIVATE_STORAGE must be one of local, s3"),
        ({"kind": "s3"}, "needs S3_BUCKET"),
        ({"kind": "s3", "bucket": BUCKET, "access_key": "id"}, "set together"),
    ],
)
def test_a_wrong_configuration_stops_the_start_with_a_clear_error(arguments, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        storage.private_storage(**arguments)


PRINT_STORAGE = "from django.conf import settings; o = settings.STORAGES['default']; print(o['BACKEND'], o['OPTIONS'])"


def test_production_settings_read_the_choice_from_the_environment():
    s3 = {"PRIVATE_STORAGE": "s3", "S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": "http://minio.internal:9000"}
    result = manage("shell", "-c", PRINT_STORAGE, env={**PRODUCTION, **s3})
    assert result.returncode == 0, result.stderr
    printed = result.stdout.strip().splitlines()[-1]
    assert printed.startswith("storages.backends.s3.S3Storage") and "'bucket_name': 'kpi-private'" in printed
    local = {"PRIVATE_STORAGE": "local", "PRIVATE_MEDIA_ROOT": "/data/private"}
    printed = manage("shell", "-c", PRINT_STORAGE, env={**PRODUCTION, **local}).stdout.strip().splitlines()[-1]
    assert printed.startswith("django.core.files.storage.FileSystemStorage") and "/data/private" in printed
    # A bucket-less S3 choice does not start at all
    broken = manage("check", env={**PRODUCTION, "PRIVATE_STORAGE": "s3"})
    assert broken.returncode != 0 and "PRIVATE_STORAGE=s3 needs S3_BUCKET" in broken.stderr


# The feedback batch against a real S3 endpoint.


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_storage(s3_endpoint, settings):
    """A fresh bucket, and the settings pointing the private files at it (as PRIVATE_STORAGE=s3 would)."""
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **_boto_keys())
    client.create_bucket(Bucket=BUCKET)
    chosen = storage.private_storage(
        kind="s3", bucket=BUCKET, endpoint_url=s3_endpoint, region="us-east-1", prefix="kpi", **KEYS
    )
    # Assigning STORAGES resets django's storages and default_storage (django.test.signals).
    settings.STORAGES = {**settings.STORAGES, "default": chosen}
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _boto_keys():
    return {"aws_access_key_id": KEYS["access_key"], "aws_secret_access_key": KEYS["secret_key"]}


@pytest.fixture
def published_quarter(firm):
    quarter = approved_quarter_with_drafts(firm)
    Scorecard.objects.filter(quarter=quarter).update(status=Scorecard.Status.PUBLISHED)
    quarter.published_at = NOW
    quarter.state = "published"
    quarter.save()
    return quarter


@pytest.fixture
def distinct_pdfs(monkeypatch):
    """WeasyPrint is not what this test is about: each document a small PDF of its own, to tell them apart."""
    monkeypatch.setattr(feedback, "document_html", lambda document: f"document {document.pk}")
    monkeypatch.setattr(feedback.pdf, "html_to_pdf", lambda html: f"%PDF-1.7 {html}".encode())


@pytest.mark.django_db
def test_the_feedback_batch_writes_its_pdfs_to_the_bucket_and_the_app_serves_them(
    firm, published_quarter, s3_storage, distinct_pdfs, client_for
):
    # Given the private files go to the bucket (the FileField's storage is default_storage)
    assert FeedbackDocument._meta.get_field("file").storage is default_storage
    assert isinstance(storages["default"], S3Storage) and default_storage.bucket_name == BUCKET

    # When the batch runs (eagerly, as the worker would): four people's feedback and the report
    with time_machine.travel(NOW, tick=False):
        feedback_batch_start.delay(published_quarter.pk)
    documents = list(FeedbackDocument.objects.filter(quarter=published_quarter))
    assert len(documents) == 5 and {d.status for d in documents} == {FeedbackDocument.Status.DONE}

    # Then every PDF is an object in the bucket, under the prefix, and nothing else is there
    keys = {item["Key"] for item in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert keys == {f"kpi/{d.file.name}" for d in documents}
    assert all(d.file.name.startswith(f"feedback/{published_quarter.pk}/") for d in documents)
    for document in documents:
        stored = s3_storage.get_object(Bucket=BUCKET, Key=f"kpi/{document.file.name}")["Body"].read()
        assert stored == f"%PDF-1.7 document {document.pk}".encode()

    # And the lawyer downloads hers through the app, from the bucket, with the access rules unchanged
    lawyers = next(d for d in documents if d.scorecard and d.scorecard.staff_id == firm.lawyer.profile.pk)
    response = client_for(firm.lawyer).get(reverse("documents:feedback_pdf", args=[lawyers.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == f"%PDF-1.7 document {lawyers.pk}".encode()
    assert "no-store" in response["Cache-Control"]
    assert client_for(firm.colleague).get(reverse("documents:feedback_pdf", args=[lawyers.pk])).status_code == 404


@pytest.mark.django_db
def test_readiness_checks_the_bucket(client, s3_storage):
    assert client.get("/readyz").status_code == 200
    # The probe object is removed again
    assert s3_storage.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
    # When the bucket is gone (or unreachable), the machine is not ready
    s3_storage.delete_bucket(Bucket=BUCKET)
    response = client.get("/readyz")
    s3_storage.create_bucket(Bucket=BUCKET)
    assert response.status_code == 503 and json.loads(response.content)["storage"] == "unavailable"
