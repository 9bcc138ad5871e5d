"""Runtime settings, read from environment variables with safe defaults.

Every setting can be overridden without code changes, which is how the container image and the
Kubernetes manifests configure the model server and the training job.

| variable     | default                | meaning                                     |
| ------------ | ---------------------- | ------------------------------------------- |
| `MODEL_PATH` | `models/model.joblib`  | where training writes and serving reads     |
| `DATA_PATH`  | (unset)                | optional CSV to train on instead of the     |
|              |                        | synthetic data set                          |
| `HOST`       | `0.0.0.0`              | address the model server binds to           |
| `PORT`       | `8080`                 | port the model server listens on            |
| `SEED`       | `42`                   | random seed for data generation and training |
| `LOG_LEVEL`  | `INFO`                 | Python logging level                        |
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MODEL_PATH = Path("models") / "model.joblib"
# The server runs in a container behind a Service, so it listens on every interface.
DEFAULT_HOST = "0.0.0.0"
DEFAULT_PORT = 8080
DEFAULT_SEED = 42
DEFAULT_LOG_LEVEL = "INFO"


@dataclass(frozen=True)
class Settings:
    """Configuration shared by the training job, the batch predictor and the model server."""

    model_path: Path = DEFAULT_MODEL_PATH
    data_path: Path | None = None
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    seed: int = DEFAULT_SEED
    log_level: str = DEFAULT_LOG_LEVEL


def _int_from_env(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        msg = f"environment variable {name} must be an integer, got {raw!r}"
        raise ValueError(msg) from exc


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build :class:`Settings` from ``environ`` (``os.environ`` when not given).

    Raises:
        ValueError: when a numeric variable is not an integer or the port is out of range.
    """
    env = os.environ if environ is None else environ
    port = _int_from_env(env, "PORT", DEFAULT_PORT)
    if not 0 <= port <= 65535:
        msg = f"environment variable PORT must be between 0 and 65535, got {port}"
        raise ValueError(msg)
    data_path = env.get("DATA_PATH", "").strip()
    return Settings(
        model_path=Path(env.get("MODEL_PATH", "").strip() or DEFAULT_MODEL_PATH),
        data_path=Path(data_path) if data_path else None,
        host=env.get("HOST", "").strip() or DEFAULT_HOST,
        port=port,
        seed=_int_from_env(env, "SEED", DEFAULT_SEED),
        log_level=(env.get("LOG_LEVEL", "").strip() or DEFAULT_LOG_LEVEL).upper(),
    )
