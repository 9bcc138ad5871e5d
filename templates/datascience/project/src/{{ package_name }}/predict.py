"""Score customers with a trained model, in batch or one request at a time."""

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

logger = logging.getLogger(__name__)

SCORE_COLUMN = "churn_probability"


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


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: score a CSV and write it back with a probability column."""
    settings = load_settings()
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(description="Score a CSV of customers with the churn model.")
    parser.add_argument("input", type=Path, help="CSV with the feature columns")
    parser.add_argument(
        "--output", type=Path, default=None, help="CSV to write (default: standard output)"
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=settings.model_path,
        help="model file (default: MODEL_PATH or %(default)s)",
    )
    args = parser.parse_args(argv)

    model = load_model(args.model)
    frame = pd.read_csv(args.input)
    scored = frame.assign(**{SCORE_COLUMN: predict_frame(model, frame)})
    if args.output is None:
        scored.to_csv(sys.stdout, index=False)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        scored.to_csv(args.output, index=False)
        logger.info("%d rows scored into %s", len(scored), args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
