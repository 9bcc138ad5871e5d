"""A small HTTP model server built on the standard library.

Endpoints:

- ``GET /healthz``: liveness and readiness; 200 once the model is loaded, with the model version.
- ``GET /metrics``: Prometheus text exposition format (version 0.0.4).
- ``POST /predict``: ``{"instances": [{feature: value, ...}, ...]}`` in,
  ``{"predictions": [probability, ...]}`` out.

Metrics (names are fixed so the alert rules do not depend on the project name):

- ``model_http_requests_total{path, code}``: counter of handled requests.
- ``model_http_request_duration_seconds{path}``: histogram of request latency.
- ``model_predictions_total``: counter of scored instances.
- ``model_prediction_score``: histogram of predicted probabilities.
- ``model_info{version}``: always 1; the version of the loaded model.
- ``model_input_feature_sum{feature}``, ``model_input_feature_count{feature}``: a summary of each
  numeric input feature of the scored instances (the mean over a window is sum / count).
- ``model_training_feature_mean{feature}``, ``model_training_feature_stddev{feature}``: the same
  features in the loaded model's training data (from its metadata); the drift alert compares them.

On SIGTERM the server stops accepting connections and waits up to ``DRAIN_SECONDS`` for the
requests in flight to finish before it exits (the pod's preStop delay has already taken it out of
the Service by then).

The model version is ``MODEL_VERSION`` when set, otherwise the first 12 hex digits of the SHA-256
of the model file. Bad input never answers 500: a body that is not JSON, nests deeper than
``MAX_JSON_DEPTH`` or holds anything but flat objects of scalars answers 400, one larger than
``MAX_BODY_BYTES`` answers 413.
"""

import json
import logging
import os
import signal
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any, ClassVar

from sklearn.pipeline import Pipeline

from .config import load_settings
from .features import NUMERIC_FEATURES, records_to_frame
from .predict import load_model, predict_records
from .store import model_from_environment
from .train import file_digest, read_metadata

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_048_576
MAX_INSTANCES = 1000
MAX_JSON_DEPTH = 32
DRAIN_SECONDS = 15.0
KNOWN_PATHS = frozenset({"/healthz", "/metrics", "/predict"})
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
SCORE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _format_value(value: float) -> str:
    """Format a sample value or bucket bound the way Prometheus clients do."""
    if value == float("inf"):
        return "+Inf"
    return repr(float(value))


def _escape(value: str) -> str:
    """Escape a label value: backslash, double quote and line feed."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(pairs: Sequence[tuple[str, str]]) -> str:
    """Render ``{name="value",...}``, or nothing when there are no labels."""
    if not pairs:
        return ""
    return "{" + ",".join(f'{name}="{_escape(value)}"' for name, value in pairs) + "}"


class Histogram:
    """A cumulative Prometheus histogram for one label set."""

    def __init__(self, buckets: Sequence[float]) -> None:
        self.bounds = (*sorted(buckets), float("inf"))
        self.counts = [0] * len(self.bounds)
        self.total = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        """Record one observation."""
        for index, bound in enumerate(self.bounds):
            if value <= bound:
                self.counts[index] += 1
        self.total += value
        self.count += 1

    def render(self, name: str, labels: Sequence[tuple[str, str]] = ()) -> list[str]:
        """The ``_bucket``, ``_sum`` and ``_count`` sample lines."""
        lines = [
            f"{name}_bucket{_labels([*labels, ('le', _format_value(bound))])} {count}"
            for bound, count in zip(self.bounds, self.counts, strict=True)
        ]
        lines.append(f"{name}_sum{_labels(labels)} {_format_value(self.total)}")
        lines.append(f"{name}_count{_labels(labels)} {self.count}")
        return lines


class Metrics:
    """Thread-safe request and prediction metrics for the ``/metrics`` endpoint."""

    def __init__(
        self,
        model_version: str = "unknown",
        training_features: Mapping[str, Mapping[str, float]] | None = None,
    ) -> None:
        self.model_version = model_version
        self.training_features = dict(training_features or {})
        self.feature_sums = dict.fromkeys(NUMERIC_FEATURES, 0.0)
        self.feature_counts = dict.fromkeys(NUMERIC_FEATURES, 0)
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str], int] = {}
        self.latency: dict[str, Histogram] = {}
        self.predictions = 0
        self.scores = Histogram(SCORE_BUCKETS)

    def observe_request(self, path: str, code: int, seconds: float) -> None:
        """Count one request and record its latency."""
        path = path if path in KNOWN_PATHS else "other"
        with self._lock:
            key = (path, str(int(code)))
            self.requests[key] = self.requests.get(key, 0) + 1
            self.latency.setdefault(path, Histogram(LATENCY_BUCKETS)).observe(seconds)

    def observe_predictions(self, scores: Sequence[float]) -> None:
        """Count predictions and record their scores."""
        with self._lock:
            self.predictions += len(scores)
            for score in scores:
                self.scores.observe(score)

    def observe_features(self, columns: Mapping[str, Sequence[float]]) -> None:
        """Add the numeric input features of scored instances, one column per feature."""
        with self._lock:
            for name, values in columns.items():
                if name in self.feature_sums:
                    self.feature_sums[name] += float(sum(values))
                    self.feature_counts[name] += len(values)

    def _feature_lines(self) -> list[str]:
        lines = [
            "# HELP model_input_feature Numeric input features of scored instances.",
            "# TYPE model_input_feature summary",
        ]
        for name in NUMERIC_FEATURES:
            label = _labels([("feature", name)])
            lines.append(f"model_input_feature_sum{label} {_format_value(self.feature_sums[name])}")
            lines.append(f"model_input_feature_count{label} {self.feature_counts[name]}")
        for stat, metric, what in (
            ("mean", "model_training_feature_mean", "Mean"),
            ("std", "model_training_feature_stddev", "Standard deviation"),
        ):
            lines.append(f"# HELP {metric} {what} of each feature in the training data.")
            lines.append(f"# TYPE {metric} gauge")
            for name in NUMERIC_FEATURES:
                value = self.training_features.get(name, {}).get(stat)
                if value is not None:
                    label = _labels([("feature", name)])
                    lines.append(f"{metric}{label} {_format_value(value)}")
        return lines

    def render(self) -> str:
        """All metrics in the Prometheus text exposition format."""
        with self._lock:
            lines = [
                "# HELP model_http_requests_total HTTP requests handled, by path and status code.",
                "# TYPE model_http_requests_total counter",
            ]
            lines += [
                f"model_http_requests_total{_labels([('path', path), ('code', code)])} {count}"
                for (path, code), count in sorted(self.requests.items())
            ]
            lines += [
                "# HELP model_http_request_duration_seconds HTTP request latency in seconds.",
                "# TYPE model_http_request_duration_seconds histogram",
            ]
            for path, histogram in sorted(self.latency.items()):
                lines += histogram.render("model_http_request_duration_seconds", [("path", path)])
            lines += [
                "# HELP model_predictions_total Instances scored by the model.",
                "# TYPE model_predictions_total counter",
                f"model_predictions_total {self.predictions}",
                "# HELP model_prediction_score Predicted churn probabilities.",
                "# TYPE model_prediction_score histogram",
                *self.scores.render("model_prediction_score"),
                "# HELP model_info The loaded model; the value is always 1.",
                "# TYPE model_info gauge",
                f"model_info{_labels([('version', self.model_version)])} 1",
                *self._feature_lines(),
            ]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Response:
    """A complete HTTP response, built before anything is sent."""

    status: HTTPStatus
    body: bytes
    content_type: str


def _json(status: HTTPStatus, payload: object) -> Response:
    return Response(status, json.dumps(payload).encode("utf-8"), "application/json")


def _too_deep(value: object, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``value`` nests lists and objects deeper than ``limit`` (checked iteratively)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _is_flat_record(value: object) -> bool:
    """An instance is an object whose values are scalars (string, number, boolean or null)."""
    return isinstance(value, dict) and all(
        isinstance(v, str | int | float | bool) or v is None for v in value.values()
    )


def model_version(path: Path, environ: dict[str, str] | None = None) -> str:
    """``MODEL_VERSION`` when set, otherwise the first 12 hex digits of the file's SHA-256."""
    env = os.environ if environ is None else environ
    version = env.get("MODEL_VERSION", "").strip()
    if version:
        return version
    return file_digest(path)[:12]


class ModelServer(ThreadingHTTPServer):
    """A threading HTTP server that holds the model and its metrics."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        model: Pipeline,
        model_version: str = "unknown",
        training_features: Mapping[str, Mapping[str, float]] | None = None,
    ) -> None:
        super().__init__(address, RequestHandler)
        self.model = model
        self.model_version = model_version
        self.metrics = Metrics(model_version, training_features)
        self._in_flight = 0
        self._idle = threading.Condition()

    def request_started(self) -> None:
        """Count a request being handled."""
        with self._idle:
            self._in_flight += 1

    def request_finished(self) -> None:
        """Count a request answered; wake :meth:`drain` when none is left."""
        with self._idle:
            self._in_flight -= 1
            self._idle.notify_all()

    def drain(self, timeout: float = DRAIN_SECONDS) -> bool:
        """Wait until no request is in flight; False when ``timeout`` seconds pass first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout=timeout)


class RequestHandler(BaseHTTPRequestHandler):
    """Routes requests to the health, metrics and prediction endpoints."""

    server: ModelServer
    server_version = "model-server/1.0"
    protocol_version = "HTTP/1.1"
    routes: ClassVar[dict[tuple[str, str], str]] = {
        ("GET", "/healthz"): "_healthz",
        ("GET", "/metrics"): "_metrics",
        ("POST", "/predict"): "_predict",
    }

    def do_GET(self) -> None:
        """Handle GET requests."""
        self._dispatch("GET")

    def do_POST(self) -> None:
        """Handle POST requests."""
        self._dispatch("POST")

    def log_message(self, format: str, *args: Any) -> None:
        """Send access logs to the logging module instead of standard error."""
        logger.debug("%s - %s", self.address_string(), format % args)

    def _dispatch(self, method: str) -> None:
        started = time.perf_counter()
        path = self.path.split("?", 1)[0]
        handler_name = self.routes.get((method, path))
        self.server.request_started()
        try:
            try:
                if handler_name is not None:
                    response = getattr(self, handler_name)()
                elif path in KNOWN_PATHS:
                    response = _json(HTTPStatus.METHOD_NOT_ALLOWED, {"error": "method not allowed"})
                else:
                    response = _json(HTTPStatus.NOT_FOUND, {"error": "not found"})
            except Exception:
                logger.exception("error while handling %s %s", method, path)
                response = _json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "internal error"})
            # Count the request before answering, so a client that reads /metrics next sees it.
            elapsed = time.perf_counter() - started
            self.server.metrics.observe_request(path, response.status, elapsed)
            self._send(response)
        finally:
            self.server.request_finished()

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    def _healthz(self) -> Response:
        return _json(HTTPStatus.OK, {"status": "ok", "model_version": self.server.model_version})

    def _metrics(self) -> Response:
        body = self.server.metrics.render().encode("utf-8")
        return Response(HTTPStatus.OK, body, METRICS_CONTENT_TYPE)

    def _predict(self) -> Response:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            return _json(HTTPStatus.BAD_REQUEST, {"error": "invalid Content-Length"})
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            return _json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "body too large"})
        try:
            payload = json.loads(self.rfile.read(length) or b"null")
        except (UnicodeDecodeError, json.JSONDecodeError):
            return _json(HTTPStatus.BAD_REQUEST, {"error": "body is not valid JSON"})
        except RecursionError:
            return _json(HTTPStatus.BAD_REQUEST, {"error": "JSON nests too deeply"})
        if _too_deep(payload):
            return _json(HTTPStatus.BAD_REQUEST, {"error": "JSON nests too deeply"})
        instances = payload.get("instances") if isinstance(payload, dict) else None
        if not isinstance(instances, list) or not 0 < len(instances) <= MAX_INSTANCES:
            message = f'expected {{"instances": [...]}} with 1 to {MAX_INSTANCES} objects'
            return _json(HTTPStatus.BAD_REQUEST, {"error": message})
        if not all(_is_flat_record(instance) for instance in instances):
            message = "every instance must be an object of feature names to scalar values"
            return _json(HTTPStatus.BAD_REQUEST, {"error": message})
        try:
            features = records_to_frame(instances)
            scores = predict_records(self.server.model, instances)
        except (ValueError, TypeError) as exc:
            return _json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
        self.server.metrics.observe_predictions(scores)
        self.server.metrics.observe_features(
            {name: features[name].tolist() for name in NUMERIC_FEATURES}
        )
        return _json(HTTPStatus.OK, {"predictions": scores})


def create_server(
    model: Pipeline,
    host: str = "127.0.0.1",
    port: int = 0,
    model_version: str = "unknown",
    training_features: Mapping[str, Mapping[str, float]] | None = None,
) -> ModelServer:
    """Bind a server for ``model``; port 0 picks a free port (see ``server.server_address``)."""
    return ModelServer((host, port), model, model_version, training_features)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: load the model (from MODEL_STORE, else MODEL_PATH) and serve until SIGTERM."""
    del argv  # configured through the environment only, like the container
    settings = load_settings()
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    model_path = model_from_environment() or Path(settings.model_path)
    model = load_model(model_path)
    version = model_version(model_path)
    training_features = (read_metadata(model_path) or {}).get("features")
    server = create_server(model, settings.host, settings.port, version, training_features)

    def stop(signum: int, frame: FrameType | None) -> None:
        del frame
        logger.info("received signal %d, shutting down", signum)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = server.server_address[:2]
    logger.info("serving %s (version %s) on http://%s:%s", model_path, version, host, port)
    with server:
        server.serve_forever()
        if not server.drain():
            logger.warning("requests still in flight after %s s; exiting anyway", DRAIN_SECONDS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
