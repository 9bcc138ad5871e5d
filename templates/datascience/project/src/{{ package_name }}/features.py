"""Feature definitions and the preprocessing shared by training, batch prediction and serving."""

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .dataset import TARGET

NUMERIC_FEATURES = ("tenure_months", "monthly_charges", "support_calls", "has_internet")
CATEGORICAL_FEATURES = ("contract",)
FEATURES = NUMERIC_FEATURES + CATEGORICAL_FEATURES


def validate_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the feature columns of ``frame`` in model order, with numeric columns as floats.

    Raises:
        ValueError: when a feature is missing or a numeric feature is not a number.
    """
    missing = [name for name in FEATURES if name not in frame.columns]
    if missing:
        msg = f"missing features: {', '.join(missing)}"
        raise ValueError(msg)
    features = frame.loc[:, list(FEATURES)].copy()
    for name in NUMERIC_FEATURES:
        try:
            features[name] = pd.to_numeric(features[name], errors="raise").astype(float)
        except (TypeError, ValueError) as exc:
            msg = f"feature {name!r} must be numeric"
            raise ValueError(msg) from exc
    for name in CATEGORICAL_FEATURES:
        features[name] = features[name].astype(str)
    return features


def records_to_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Turn JSON-like records (one mapping per row) into a validated feature frame.

    Raises:
        ValueError: when there are no records, a record is not a mapping or a feature is invalid.
    """
    rows = list(records)
    if not rows:
        msg = "no records given"
        raise ValueError(msg)
    if not all(isinstance(row, Mapping) for row in rows):
        msg = "every record must be a JSON object"
        raise ValueError(msg)
    return validate_features(pd.DataFrame.from_records(rows))


def split_features_target(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Split a labelled frame into validated features and the target column."""
    if TARGET not in frame.columns:
        msg = f"missing target column {TARGET!r}"
        raise ValueError(msg)
    return validate_features(frame), frame[TARGET].astype(int)


def build_preprocessor() -> ColumnTransformer:
    """Scale numeric features and one-hot encode categorical ones (unknown categories ignored)."""
    return ColumnTransformer(
        transformers=[
            ("numeric", StandardScaler(), list(NUMERIC_FEATURES)),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), list(CATEGORICAL_FEATURES)),
        ],
        remainder="drop",
    )
