"""Where the private files live (imports in flight, feedback PDFs, appeal evidence): docs/operations.md, "Running on
several machines".

PRIVATE_STORAGE=local (the default) keeps them in a folder (PRIVATE_MEDIA_ROOT); PRIVATE_STORAGE=s3 puts them in a
bucket of any S3-compatible object storage (AWS S3, MinIO, Ceph, Aliyun OSS…) through django-storages, so web and
worker machines need no shared disk. The code reads and writes them only through Django's storage API
(default_storage, FileField), never through paths, so either works unchanged.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"
S3_BACKEND = "storages.backends.s3.S3Storage"
KINDS = ("local", "s3")


def private_storage(
    *,
    kind: str = "local",
    location: Path | str = "",
    bucket: str = "",
    endpoint_url: str = "",
    access_key: str = "",
    secret_key: str = "",
    region: str = "",
    prefix: str = "",
    addressing_style: str = "",
) -> dict:
    """The STORAGES["default"] entry for the private files."""
    kind = (kind or "local").strip().lower()
    if kind not in KINDS:
        raise ImproperlyConfigured(f"PRIVATE_STORAGE must be one of {', '.join(KINDS)}, not {kind!r}.")
    if kind == "local":
        return {"BACKEND": LOCAL_BACKEND, "OPTIONS": {"location": Path(location)}}
    if not bucket:
        raise ImproperlyConfigured("PRIVATE_STORAGE=s3 needs S3_BUCKET.")
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are set together or not at all.")
    options = {
        "bucket_name": bucket,
        # Without keys boto3 finds its own (an instance role, AWS_* variables, ~/.aws).
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "endpoint_url": endpoint_url or None,
        "region_name": region or None,
        "location": prefix.strip("/"),
        # The files are private: no public ACL, and nothing is ever linked directly (the views stream them after
        # their access checks), so no pre-signed URLs are handed out either.
        "default_acl": None,
        "querystring_auth": True,
        # Like the local folder, a second file with the same name gets a new name instead of replacing the first.
        "file_overwrite": False,
        "signature_version": "s3v4",
    }
    if addressing_style:
        # Most self-hosted servers (MinIO, Ceph) want "path": http://host:9000/bucket/key.
        options["addressing_style"] = addressing_style
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}


def from_environment(env, *, location: Path) -> dict:
    """private_storage() read from the environment (README, the environment table)."""
    return private_storage(
        kind=env("PRIVATE_STORAGE", default="local"),
        location=location,
        bucket=env("S3_BUCKET", default=""),
        endpoint_url=env("S3_ENDPOINT_URL", default=""),
        access_key=env("S3_ACCESS_KEY_ID", default=""),
        secret_key=env("S3_SECRET_ACCESS_KEY", default=""),
        region=env("S3_REGION", default=""),
        prefix=env("S3_PREFIX", default=""),
        addressing_style=env("S3_ADDRESSING_STYLE", default=""),
    )
