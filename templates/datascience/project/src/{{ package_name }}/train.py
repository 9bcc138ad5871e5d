"""Train the churn model and save it with joblib, beside a metadata file.

Run ``python -m <package>.train --help`` or the ``*-train`` console script. The scheduled training
job on the cluster runs the same entry point.

The artifact is two files: the model (``MODEL_PATH``, e.g. ``models/model.joblib``) and its metadata
(``models/model.metadata.json``): the version (the first 12 hex digits of the model file's SHA-256,
which the model server reports in ``/healthz`` and ``model_info``), when it was trained, the git
commit (``GIT_SHA``), the training data (a file's SHA-256, or the synthetic generator's
parameters), the library versions the pickle depends on, and the held-out metrics.
"""

import argparse
import hashlib
import json
import logging
import os
import platform
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from .config import load_settings
from .dataset import load_dataset
from .features import NUMERIC_FEATURES, build_preprocessor, split_features_target

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingResult:
    """A fitted model, its metrics on the held-out split and the training features' mean and std."""

    model: Pipeline
    metrics: dict[str, float]
    features: dict[str, dict[str, float]]


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
    return TrainingResult(model=model, metrics=metrics, features=feature_stats(x_train))


def feature_stats(features: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Mean and standard deviation of each numeric feature: the reference for input drift."""
    return {
        name: {"mean": float(features[name].mean()), "std": float(features[name].std(ddof=0))}
        for name in NUMERIC_FEATURES
    }


def save_model(model: Pipeline, path: Path) -> Path:
    """Write ``model`` to ``path`` with joblib, creating parent folders, and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, path)
    return path


LIBRARIES = ("joblib", "numpy", "pandas", "scikit-learn")


def file_digest(path: Path) -> str:
    """The SHA-256 of a file, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def metadata_path(model_path: Path) -> Path:
    """The metadata file of the model at ``model_path``: ``<stem>.metadata.json`` beside it."""
    return model_path.with_name(f"{model_path.stem}.metadata.json")


def library_versions() -> dict[str, str]:
    """Versions of Python and of the libraries a pickled model needs to load the same way."""
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "unknown"
    return versions


def write_metadata(
    model_path: Path,
    metrics: Mapping[str, float],
    data: Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
    features: Mapping[str, Mapping[str, float]] | None = None,
) -> Path:
    """Write the metadata of the model saved at ``model_path``; return the metadata file's path."""
    env = os.environ if environ is None else environ
    metadata = {
        "version": file_digest(model_path)[:12],
        "model_file": model_path.name,
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "git_sha": env.get("GIT_SHA", "").strip() or "unknown",
        "data": dict(data),
        "libraries": library_versions(),
        "metrics": dict(metrics),
        "features": {name: dict(stats) for name, stats in (features or {}).items()},
    }
    target = metadata_path(model_path)
    target.write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return target


def read_metadata(model_path: Path) -> dict[str, Any] | None:
    """The metadata written beside ``model_path`` by training, or None when there is none."""
    path = metadata_path(model_path)
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def data_description(data: Path | None, n_samples: int, seed: int) -> dict[str, Any]:
    """What the model was trained on: a file and its SHA-256, or the synthetic data's inputs."""
    if data is None:
        return {"source": "synthetic", "samples": n_samples, "seed": seed}
    return {"source": str(data), "sha256": file_digest(data)}


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
        "--store",
        default=os.environ.get("MODEL_STORE", "").strip() or None,
        help="also publish the model to this store as the latest version (default: MODEL_STORE)",
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
    meta = write_metadata(
        args.output,
        result.metrics,
        data_description(args.data, args.samples, args.seed),
        features=result.features,
    )
    logger.info("model written to %s, metadata to %s", args.output, meta)
    if args.store:
        from .store import open_store, publish  # the store module imports this one

        publish(open_store(args.store), args.output)
    report = json.dumps(result.metrics, indent=2, sort_keys=True)
    if args.metrics is not None:
        args.metrics.parent.mkdir(parents=True, exist_ok=True)
        args.metrics.write_text(report + "\n", encoding="utf-8")
    sys.stdout.write(report + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
