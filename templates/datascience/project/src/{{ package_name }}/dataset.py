"""The training data: a small, deterministic, synthetic customer-churn data set.

Replace :func:`generate_churn_data` with the real source once it exists (keep raw extracts in
``data/raw/``, never in git). The synthetic data keeps the project runnable and testable offline.
"""

from pathlib import Path

import numpy as np
import pandas as pd

TARGET = "churned"
CONTRACTS = ("month-to-month", "one-year", "two-year")
COLUMNS = (
    "tenure_months",
    "monthly_charges",
    "support_calls",
    "contract",
    "has_internet",
    TARGET,
)


def generate_churn_data(n_samples: int = 1000, seed: int = 42) -> pd.DataFrame:
    """Generate ``n_samples`` customers; the same ``seed`` always yields the same frame.

    Churn is more likely for short tenure, high charges, many support calls and
    month-to-month contracts, so a model has real signal to learn.
    """
    if n_samples < 1:
        msg = f"n_samples must be positive, got {n_samples}"
        raise ValueError(msg)
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 73, size=n_samples)
    monthly = np.round(rng.normal(65.0, 20.0, size=n_samples).clip(18.0, 120.0), 2)
    calls = rng.poisson(1.5, size=n_samples)
    contract = rng.choice(CONTRACTS, size=n_samples, p=[0.55, 0.25, 0.20])
    internet = rng.random(n_samples) < 0.8

    contract_effect = np.select(
        [contract == "month-to-month", contract == "one-year"], [0.9, -0.4], default=-1.2
    )
    logit = (
        -1.0
        - 0.045 * tenure
        + 0.025 * (monthly - 65.0)
        + 0.55 * calls
        + contract_effect
        + 0.3 * internet
    )
    probability = 1.0 / (1.0 + np.exp(-logit))
    churned = (rng.random(n_samples) < probability).astype(int)

    return pd.DataFrame(
        {
            "tenure_months": tenure,
            "monthly_charges": monthly,
            "support_calls": calls,
            "contract": contract,
            "has_internet": internet.astype(int),
            TARGET: churned,
        },
        columns=list(COLUMNS),
    )


def load_dataset(
    path: Path | None = None, *, n_samples: int = 1000, seed: int = 42
) -> pd.DataFrame:
    """Read the data set from the CSV at ``path``, or generate the synthetic one when it is None.

    Raises:
        FileNotFoundError: when ``path`` is given but does not exist.
        ValueError: when the CSV lacks one of the expected columns.
    """
    if path is None:
        return generate_churn_data(n_samples=n_samples, seed=seed)
    frame = pd.read_csv(path)
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing:
        msg = f"{path} lacks the columns {', '.join(missing)}"
        raise ValueError(msg)
    return frame


def save_dataset(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as CSV to ``path``, creating parent folders, and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path
