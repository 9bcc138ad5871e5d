"""Score customers with a trained model, in batch or one request at a time.

Batch scoring (``python -m <package>.predict`` or the ``*-predict`` console script) reads one CSV
or every ``*.csv`` of a folder and writes each back with two more columns: the churn probability
and the version of the model that scored it (see ``train``'s metadata).
"""

import argparse
import logging
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import joblib
import pandas as pd
from sklearn.pipeline import Pipeline

from .config import load_settings
from .features import records_to_frame, validate_features
from .store import model_from_environment
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


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: score a CSV (or a folder of them) with a probability column."""
    settings = load_settings()
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(description="Score customers with the churn model.")
    parser.add_argument("input", type=Path, help="CSV of feature columns, or a folder of them")
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="CSV to write, or a folder when the input is one (default: standard output)",
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
    try:
        score_path(model, args.input, args.output, artifact_version(model_path))
    except ValueError as exc:
        parser.error(str(exc))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
