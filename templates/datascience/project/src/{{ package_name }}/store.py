"""The model store: where training publishes model versions and serving finds them.

``MODEL_STORE`` names it: a folder (a mounted PersistentVolumeClaim, or any local path) or an
``s3://bucket/prefix`` URI (an S3-compatible bucket; credentials and endpoint come from the usual
``AWS_*`` variables, e.g. ``AWS_ENDPOINT_URL``, and need the ``boto3`` package). Unset, there is
no store: the model is the file at ``MODEL_PATH``, as baked into the image.

Layout, the same on a volume and in a bucket::

    <store>/<version>/model.joblib
    <store>/<version>/model.metadata.json
    <store>/latest                      # text: the version serving loads by default

Training uploads a version's files first and moves ``latest`` last, so a reader never sees a
version half written. Serving loads ``MODEL_STORE_VERSION`` when set (pin or roll back),
otherwise the version named by ``latest``.

Run ``python -m <package>.store --help`` to list, publish, fetch or promote versions by hand.
"""

import argparse
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from .train import metadata_path, read_metadata

logger = logging.getLogger(__name__)

LATEST = "latest"
MODEL_FILE = "model.joblib"


class Store(Protocol):
    """What training and serving need from a store."""

    def put(self, source: Path, name: str) -> None:
        """Copy the local file ``source`` to ``name`` in the store."""

    def get(self, name: str, target: Path) -> None:
        """Copy ``name`` from the store to the local file ``target``."""

    def read_text(self, name: str) -> str:
        """The text of ``name``; FileNotFoundError when it does not exist."""

    def write_text(self, name: str, text: str) -> None:
        """Replace ``name`` with ``text`` in one step."""

    def versions(self) -> list[str]:
        """The published versions, sorted."""

    def names(self) -> list[str]:
        """The files directly under the store's root (not in sub-folders), sorted."""


class FolderStore:
    """A store in a folder, e.g. a PersistentVolumeClaim mounted into the pod."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, source: Path, name: str) -> None:
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)

    def get(self, name: str, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.root / name, target)

    def read_text(self, name: str) -> str:
        return (self.root / name).read_text(encoding="utf-8")

    def write_text(self, name: str, text: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", dir=self.root, prefix=f".{name}.", delete=False, encoding="utf-8"
        ) as handle:
            handle.write(text)
        # Readable by the serving pods like the model files (a temporary file starts as 0600).
        Path(handle.name).chmod(0o644)
        Path(handle.name).replace(self.root / name)

    def versions(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.parent.name for p in self.root.glob(f"*/{MODEL_FILE}"))

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_file())


class S3Store:
    """A store under ``prefix`` in an S3 bucket; ``client`` is a boto3 S3 client (made if None)."""

    def __init__(self, bucket: str, prefix: str, client: Any = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        if client is None:
            import boto3  # only needed with an s3:// store

            client = boto3.client("s3")
        self.client = client

    def _key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def put(self, source: Path, name: str) -> None:
        self.client.upload_file(str(source), self.bucket, self._key(name))

    def get(self, name: str, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        self.client.download_file(self.bucket, self._key(name), str(target))

    def read_text(self, name: str) -> str:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(name))
        except self.client.exceptions.NoSuchKey as exc:
            raise FileNotFoundError(f"s3://{self.bucket}/{self._key(name)}") from exc
        return answer["Body"].read().decode("utf-8")

    def write_text(self, name: str, text: str) -> None:
        body = text.encode("utf-8")
        self.client.put_object(Bucket=self.bucket, Key=self._key(name), Body=body)

    def versions(self) -> list[str]:
        start = self._key("")
        found: set[str] = set()
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=start
        )
        for page in pages:
            for item in page.get("Contents", []):
                version, _, file = item["Key"][len(start) :].partition("/")
                if file == MODEL_FILE:
                    found.add(version)
        return sorted(found)

    def names(self) -> list[str]:
        start = self._key("")
        found = []
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=start
        )
        for page in pages:
            for item in page.get("Contents", []):
                rest = item["Key"][len(start) :]
                # Deeper keys are sub-folders; an empty rest is a console's "folder" marker.
                if rest and "/" not in rest:
                    found.append(rest)
        return sorted(found)


def open_store(location: str, client: Any = None) -> Store:
    """The store at ``location``: ``s3://bucket/prefix`` or a folder."""
    if location.startswith("s3://"):
        bucket, _, prefix = location[len("s3://") :].partition("/")
        if not bucket:
            msg = f"no bucket in {location!r}; expected s3://bucket/prefix"
            raise ValueError(msg)
        return S3Store(bucket, prefix, client)
    return FolderStore(Path(location))


def publish(store: Store, model_path: Path, *, promote: bool = True) -> str:
    """Upload the model at ``model_path`` and its metadata as a version; return the version.

    With ``promote`` (the default) ``latest`` then names it, so serving loads it on its next start.
    """
    metadata = read_metadata(model_path)
    if metadata is None:
        msg = f"no metadata beside {model_path}; train with {__package__}.train"
        raise FileNotFoundError(msg)
    version = str(metadata["version"])
    store.put(metadata_path(model_path), f"{version}/{metadata_path(Path(MODEL_FILE)).name}")
    store.put(model_path, f"{version}/{MODEL_FILE}")
    if promote:
        store.write_text(LATEST, version + "\n")
    logger.info("published model version %s%s", version, " as latest" if promote else "")
    return version


def resolve_version(store: Store, version: str | None = None) -> str:
    """``version`` when given, else the one ``latest`` names."""
    if version:
        return version
    try:
        latest = store.read_text(LATEST).strip()
    except FileNotFoundError as exc:
        msg = "the model store has no latest version yet; run the training first"
        raise FileNotFoundError(msg) from exc
    if not latest:
        msg = "the model store's latest file is empty"
        raise ValueError(msg)
    return latest


def fetch(store: Store, target_dir: Path, version: str | None = None) -> Path:
    """Copy a version (default: latest) into ``target_dir``; return the local model file's path."""
    chosen = resolve_version(store, version)
    model_path = target_dir / MODEL_FILE
    store.get(f"{chosen}/{metadata_path(Path(MODEL_FILE)).name}", metadata_path(model_path))
    store.get(f"{chosen}/{MODEL_FILE}", model_path)
    logger.info("fetched model version %s into %s", chosen, target_dir)
    return model_path


def model_from_environment(environ: Mapping[str, str] | None = None) -> Path | None:
    """The local model file the store settings call for, fetched; None when no store is set.

    Reads ``MODEL_STORE``, ``MODEL_STORE_VERSION`` and ``MODEL_CACHE_DIR`` (default: a folder
    under the system's temporary directory).
    """
    env = os.environ if environ is None else environ
    location = env.get("MODEL_STORE", "").strip()
    if not location:
        return None
    cache = env.get("MODEL_CACHE_DIR", "").strip()
    target = Path(cache) if cache else Path(tempfile.gettempdir()) / "model-store"
    version = env.get("MODEL_STORE_VERSION", "").strip() or None
    return fetch(open_store(location), target, version)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: list, publish, fetch or promote model versions."""
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        format="%(levelname)s %(name)s: %(message)s",
    )
    parser = argparse.ArgumentParser(description="Manage the model versions in the model store.")
    parser.add_argument(
        "--store",
        default=os.environ.get("MODEL_STORE", ""),
        help="folder or s3://bucket/prefix (default: MODEL_STORE)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="print the versions, the latest marked with *")
    publish_cmd = commands.add_parser("publish", help="upload a trained model and make it latest")
    publish_cmd.add_argument("model", type=Path, help="the model file written by training")
    publish_cmd.add_argument("--no-promote", action="store_true", help="leave latest as it is")
    fetch_cmd = commands.add_parser("fetch", help="download a version (default: latest)")
    fetch_cmd.add_argument("target", type=Path, help="folder to write model.joblib into")
    fetch_cmd.add_argument("--version", default=None)
    promote_cmd = commands.add_parser("promote", help="make a published version the latest")
    promote_cmd.add_argument("version")
    args = parser.parse_args(argv)
    if not args.store:
        parser.error("no store: pass --store or set MODEL_STORE")
    store = open_store(args.store)
    if args.command == "list":
        try:
            latest = resolve_version(store)
        except (FileNotFoundError, ValueError):
            latest = ""
        for version in store.versions():
            sys.stdout.write(f"{'*' if version == latest else ' '} {version}\n")
    elif args.command == "publish":
        sys.stdout.write(publish(store, args.model, promote=not args.no_promote) + "\n")
    elif args.command == "fetch":
        sys.stdout.write(f"{fetch(store, args.target, args.version)}\n")
    else:
        if args.version not in store.versions():
            parser.error(f"no version {args.version} in the store")
        store.write_text(LATEST, args.version + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
