"""Train the churn model and save it with joblib.

Run ``python -m <package>.train --help`` or the ``*-train`` console script. The scheduled training
job on the cluster runs the same entry point.
"""

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from .config import load_settings
from .dataset import load_dataset
from .features import build_preprocessor, split_features_target

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingResult:
    """A fitted model and its metrics on the held-out split."""

    model: Pipeline
    metrics: dict[str, float]


def build_pipeline(seed: int = 42) -> Pipeline:
    """The untrained model: preprocessing followed by a logistic regression."""
    return Pipeline(
        steps=[
            ("preprocess", build_preprocessor()),
            ("classifier", LogisticRegression(max_iter=1000, random_state=seed)),
        ]
    )


def train(frame: pd.DataFrame, *, seed: int = 42, test_size: float = 0.2) -> TrainingResult:
    """Fit the pipeline on ``frame`` and evaluate it on a stratified held-out split."""
    features, target = split_features_target(frame)
    x_train, x_test, y_train, y_test = train_test_split(
        features, target, test_size=test_size, random_state=seed, stratify=target
    )
    model = build_pipeline(seed).fit(x_train, y_train)
    scores = model.predict_proba(x_test)[:, 1]
    metrics = {
        "accuracy": float(accuracy_score(y_test, scores >= 0.5)),
        "roc_auc": float(roc_auc_score(y_test, scores)),
        "n_train": float(len(x_train)),
        "n_test": float(len(x_test)),
    }
    return TrainingResult(model=model, metrics=metrics)


def save_model(model: Pipeline, path: Path) -> Path:
    """Write ``model`` to ``path`` with joblib, creating parent folders, and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, path)
    return path


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line; defaults come from the environment (see ``config``)."""
    settings = load_settings()
    parser = argparse.ArgumentParser(description="Train the churn model and save it.")
    parser.add_argument(
        "--data",
        type=Path,
        default=settings.data_path,
        help="CSV to train on (default: DATA_PATH, else synthetic data)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=settings.model_path,
        help="where to write the model (default: MODEL_PATH or %(default)s)",
    )
    parser.add_argument(
        "--metrics",
        type=Path,
        default=None,
        help="also write the metrics as JSON to this file",
    )
    parser.add_argument(
        "--samples",
        type=int,
        default=1000,
        help="size of the synthetic data set (default: %(default)s)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=settings.seed,
        help="random seed (default: SEED or %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: train, save the model, print the metrics as JSON."""
    logging.basicConfig(
        level=load_settings().log_level, format="%(levelname)s %(name)s: %(message)s"
    )
    args = parse_args(argv)
    frame = load_dataset(args.data, n_samples=args.samples, seed=args.seed)
    result = train(frame, seed=args.seed)
    save_model(result.model, args.output)
    logger.info("model written to %s", args.output)
    report = json.dumps(result.metrics, indent=2, sort_keys=True)
    if args.metrics is not None:
        args.metrics.parent.mkdir(parents=True, exist_ok=True)
        args.metrics.write_text(report + "\n", encoding="utf-8")
    sys.stdout.write(report + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
