"""Score customers with a trained model, in batch or one request at a time.

Batch scoring (``python -m <package>.predict`` or the ``*-predict`` console script) reads one CSV
or every ``*.csv`` of a folder and writes each back with two more columns: the churn probability
and the version of the model that scored it (see ``train``'s metadata).

The folder may also be an ``s3://bucket/prefix`` (input, ``--output`` or both): every ``*.csv``
directly under the input prefix is scored into the output under the same name, through the model
store's S3 client (``store.S3Store``: ``AWS_*`` variables, needs ``boto3``), as the scheduled
batch scoring does with the bucket of the model store.
"""

import argparse
import logging
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import joblib
import pandas as pd
from sklearn.pipeline import Pipeline

from .config import load_settings
from .features import records_to_frame, validate_features
from .store import S3Store, model_from_environment, open_store
from .train import file_digest, read_metadata

logger = logging.getLogger(__name__)

SCORE_COLUMN = "churn_probability"
VERSION_COLUMN = "model_version"


def load_model(path: Path) -> Pipeline:
    """Load a model written by ``train``.

    Raises:
        FileNotFoundError: when there is no model at ``path`` (run the training first).
    """
    if not path.is_file():
        msg = f"no model at {path}; train one first (make train)"
        raise FileNotFoundError(msg)
    model = joblib.load(path)
    if not hasattr(model, "predict_proba"):
        msg = f"{path} does not hold a classifier with predict_proba"
        raise TypeError(msg)
    return model


def predict_frame(model: Pipeline, frame: pd.DataFrame) -> pd.Series:
    """Churn probabilities for every row of ``frame``, indexed like it."""
    features = validate_features(frame)
    return pd.Series(model.predict_proba(features)[:, 1], index=frame.index, name=SCORE_COLUMN)


def predict_records(model: Pipeline, records: Iterable[Mapping[str, Any]]) -> list[float]:
    """Churn probabilities for JSON-like records, in their order."""
    features = records_to_frame(records)
    return [float(score) for score in model.predict_proba(features)[:, 1]]


def artifact_version(path: Path) -> str:
    """The version training recorded for the model at ``path``, else its file digest's prefix."""
    metadata = read_metadata(path) or {}
    return str(metadata.get("version") or file_digest(path)[:12])


def score_file(model: Pipeline, source: Path, target: Path | None, version: str) -> int:
    """Score one CSV into ``target`` (standard output when None); return the number of rows."""
    frame = pd.read_csv(source)
    scored = frame.assign(**{SCORE_COLUMN: predict_frame(model, frame), VERSION_COLUMN: version})
    if target is None:
        scored.to_csv(sys.stdout, index=False)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        scored.to_csv(target, index=False)
        logger.info("%d rows of %s scored into %s", len(scored), source, target)
    return len(scored)


def score_path(model: Pipeline, source: Path, target: Path | None, version: str) -> int:
    """Score a CSV, or every ``*.csv`` of a folder into the folder ``target``; return the rows.

    Raises:
        ValueError: for a folder without CSV files, or a folder without ``target``.
    """
    if not source.exists():
        msg = f"no such file or folder: {source}"
        raise ValueError(msg)
    if not source.is_dir():
        return score_file(model, source, target, version)
    files = sorted(source.glob("*.csv"))
    if not files:
        msg = f"no *.csv files in {source}"
        raise ValueError(msg)
    if target is None:
        msg = "scoring a folder needs --output FOLDER"
        raise ValueError(msg)
    return sum(score_file(model, file, target / file.name, version) for file in files)


def is_s3(location: str) -> bool:
    """Whether ``location`` names an S3 prefix rather than a local path."""
    return location.startswith("s3://")


def score_store(model: Pipeline, source: str, target: str, version: str, client: Any = None) -> int:
    """Score every ``*.csv`` directly under ``source`` into ``target``; return the rows.

    Each of them is an ``s3://bucket/prefix`` or a folder (see ``store.open_store``); an S3 one
    uses ``client`` (a boto3 S3 client, made from the ``AWS_*`` variables when None). The scored
    files keep their names, so ``input/a.csv`` becomes ``output/a.csv``.

    Raises:
        ValueError: when there is no ``*.csv`` under ``source``.
    """
    inbox = open_store(source, client)
    if client is None and isinstance(inbox, S3Store):
        client = inbox.client  # one connection for both sides
    outbox = open_store(target, client)
    names = [name for name in inbox.names() if name.endswith(".csv")]
    if not names:
        msg = f"no *.csv files in {source}"
        raise ValueError(msg)
    rows = 0
    with tempfile.TemporaryDirectory(prefix="scoring-") as work:
        for name in names:
            local_in, local_out = Path(work, "input", name), Path(work, "output", name)
            inbox.get(name, local_in)
            rows += score_file(model, local_in, local_out, version)
            outbox.put(local_out, name)
            logger.info("scored %s into %s/%s", name, target.rstrip("/"), name)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: score a CSV (or a folder of them) with a probability column."""
    settings = load_settings()
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(description="Score customers with the churn model.")
    parser.add_argument(
        "input", help="CSV of feature columns, a folder of them, or an s3://bucket/prefix of them"
    )
    parser.add_argument(
        "--output",
        default=None,
        help="CSV to write, or a folder or s3://bucket/prefix when the input is a folder or "
        "prefix (default: standard output)",
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        help=f"model file (default: from MODEL_STORE, else MODEL_PATH or {settings.model_path})",
    )
    args = parser.parse_args(argv)

    model_path = args.model or model_from_environment() or settings.model_path
    model = load_model(model_path)
    version = artifact_version(model_path)
    try:
        if is_s3(args.input) or is_s3(args.output or ""):
            if args.output is None:
                msg = f"scoring {args.input} needs --output FOLDER or s3://bucket/prefix"
                raise ValueError(msg)
            score_store(model, args.input, args.output, version)
        else:
            output = Path(args.output) if args.output else None
            score_path(model, Path(args.input), output, version)
    except ValueError as exc:
        parser.error(str(exc))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
