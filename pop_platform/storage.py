"""Where generated files (plan PDFs) are kept: the local disk, or any S3-compatible store.

``STORAGES["default"]`` in the settings. The files are private: no URL serves them; the
app reads them back after its access checks and streams them (``plans.views``), so the
bucket never needs to be reachable from browsers and a link cannot outlive a person's
right to the file.
"""

from __future__ import annotations


def object_storage(
    *,
    bucket: str,
    endpoint: str = "",
    region: str = "",
    access_key: str = "",
    secret_key: str = "",
    location: str = "",
    addressing_style: str = "",
) -> dict:
    """``STORAGES["default"]`` for an S3-compatible bucket (django-storages)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint or None,
            "region_name": region or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            # A folder inside the bucket, so that one bucket can serve several sites.
            "location": location,
            # Path-style addresses work with every S3-compatible store; AWS takes both.
            "addressing_style": addressing_style or ("path" if endpoint else "auto"),
            "signature_version": "s3v4",
            # The bucket stays private: no ACL on objects, never overwrite a file.
            "default_acl": None,
            "file_overwrite": False,
        },
    }


def local_storage() -> dict:
    return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
