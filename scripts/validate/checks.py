#!/usr/bin/env python3
"""Checks used by scripts/validate-generated on one generated repository.

Each subcommand prints what it found, prints one line per problem, and exits 1 if there
were problems (2 on usage errors). Run with the harness venv's python (needs PyYAML,
jsonschema and nbformat).

  checks.py notebooks DIR                 strict nbformat validation (warnings are errors)
  checks.py crs SCHEMA_DIR [--answers DIR] FILE...
                                          validate custom resources in YAML streams against our schemas: every
                                          object outside the built-in Kubernetes groups needs a schema for its
                                          apiVersion and kind, and a retired apiVersion fails with the reason
                                          (with --answers: and require the kinds DIR's answers call for)
  checks.py known-kinds SCHEMA_DIR        print the kinds our schemas cover, one per line
  checks.py alerts DIR BUILD OUT_DIR      extract rules from the PrometheusRule(s) in the kustomize output
                                          BUILD (prod's), write OUT_DIR/rules.yaml and OUT_DIR/alerts.test.yaml
                                          (DIR's manifests/tests/alerts.test.yaml on those rules), and
                                          require a firing unit test with runbook_url for every alert
  checks.py alert-environments BUILD...   in the kustomize outputs of the overlays: dev and prod define the
                                          same alerts, none of dev's with a paging severity, and every
                                          selector of every rule selects its own environment's namespace and
                                          neither another environment's nor any other namespace
  checks.py two-environment DIR OUT_DIR BUILD...
                                          write OUT_DIR/rules-{dev,prod}.yaml from the overlays' outputs and a
                                          promtool test (OUT_DIR/two-environment.test.yaml) loading both: an
                                          outage in one environment fires exactly one alert, in its namespace
                                          (model server down: warning in dev, critical in prod; failed
                                          workflow pod: warning)
  checks.py links DIR                     runbook_url values, links to this repo's files and relative
                                          markdown links all resolve to files
  checks.py unrendered DIR ALLOWLIST      no '{{', '{%' or '{#' left outside allowed files
  checks.py expect DIR                    the files the answers call for are present
  checks.py coverage TEMPLATE_TOML        the combinations on stdin use every choice value
  checks.py actions DIR                   every `uses:` of a GitHub workflow is pinned by a full commit SHA
                                          with its release in a comment; the image workflow builds on PRs
  checks.py workloads DIR BUILD...        in each kustomize output: a default-deny ingress NetworkPolicy, and
                                          with a model server a policy opening only its port to it and a
                                          preStop drain delay on its container; with a model store training
                                          publishes where serving or scoring reads; with serving=none the
                                          CronWorkflow batch-scores (after training with a store, without
                                          training with model_store=image) from and to a claim of the build
                                          or the model store's bucket
  checks.py model-path DIR [--junit XML]  the project's own pytest runs the offline model-path test: train,
                                          batch-score, and with a server serve the artifact in a process
                                          (with --junit, read from the pytest check's JUnit report when it
                                          exists, instead of running tests/test_model_path.py again)
  checks.py lock DIR                      requirements.lock pins (with hashes) every runtime and build-system
                                          requirement of pyproject.toml and requirements-dev.lock those and
                                          every dev one, at the same version in both, on each Python from the
                                          project's minimum up; the Containerfile, `make install` and CI install
                                          from them, and build the package with --no-build-isolation --no-deps
  checks.py secrets DIR BUILD...          no file of DIR nor kustomize output BUILD holds a Secret with data or
                                          stringData; with secrets=external-secrets every pod spec running the
                                          project image pulls with a dockerconfigjson secret an ExternalSecret
                                          of the same output materialises
  checks.py dashboards DIR [BUILD...]     every Grafana dashboard query (panels and variables) names only
                                          metrics the model server exports (its own /metrics rendering,
                                          imported from DIR/src) or kube-state-metrics exports; the
                                          dashboards are DIR/manifests/**/*.json and those the
                                          GrafanaDashboard resources of the kustomize outputs carry
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import sys
import tomllib
import warnings
from pathlib import Path

SKIP_DIRS = {
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".mypy_cache",
    "node_modules",
}


def walk_files(root: Path):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            yield Path(dirpath) / name


def read_text(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def answers(root: Path) -> dict:
    f = root / ".groundwork.toml"
    if not f.is_file():
        return {}
    try:
        return tomllib.loads(f.read_text(encoding="utf-8")).get("answers", {})
    except tomllib.TOMLDecodeError:
        return {}


def finish(problems: list[str], ok_msg: str) -> int:
    for p in problems:
        print(f"  problem: {p}")
    if problems:
        print(f"{len(problems)} problem(s)")
        return 1
    print(ok_msg)
    return 0


# --------------------------------------------------------------------------- notebooks
def cmd_notebooks(root: Path) -> int:
    import nbformat

    problems: list[str] = []
    notebooks = [
        p
        for p in walk_files(root)
        if p.suffix == ".ipynb" and ".ipynb_checkpoints" not in p.parts
    ]
    if not notebooks:
        problems.append("no notebook found")
    for nb_path in notebooks:
        rel = nb_path.relative_to(root)
        try:
            text = nb_path.read_text(encoding="utf-8")
            raw = json.loads(text)
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                nbformat.reads(text, as_version=nbformat.NO_CONVERT)
                nbformat.validate(raw, relax_add_props=False)
        except Exception as exc:  # noqa: BLE001 - any failure is a finding
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            problems.append(f"{rel}: {type(exc).__name__}: {first}")
            continue
        if (raw.get("nbformat"), raw.get("nbformat_minor", 0)) < (4, 5):
            problems.append(
                f"{rel}: nbformat {raw.get('nbformat')}.{raw.get('nbformat_minor')} < 4.5 (cells have no ids)"
            )
        ids = [c.get("id") for c in raw.get("cells", [])]
        if len(ids) != len(set(ids)):
            problems.append(f"{rel}: duplicate cell ids")
        if not raw.get("cells"):
            problems.append(f"{rel}: no cells")
        print(
            f"  ok {rel} (nbformat {raw['nbformat']}.{raw['nbformat_minor']}, {len(ids)} cells)"
        )
    return finish(problems, f"{len(notebooks)} notebook(s) valid")


# --------------------------------------------------------------------------- custom resources
def load_schemas(schema_dir: Path) -> dict[tuple[str, str], tuple[str, dict]]:
    out = {}
    for f in sorted(schema_dir.glob("*.json")):
        schema = json.loads(f.read_text(encoding="utf-8"))
        props = schema.get("properties", {})
        api = props.get("apiVersion", {}).get("const")
        kind = props.get("kind", {}).get("const")
        if api and kind:
            out[(api, kind)] = (f.name, schema)
    return out


def load_yaml_docs(path: Path):
    import yaml

    text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    return [d for d in yaml.safe_load_all(text) if d is not None]


def cmd_known_kinds(schema_dir: Path) -> int:
    for _api, kind in sorted(load_schemas(schema_dir)):
        print(kind)
    return 0


def expected_kinds(root: Path) -> set[str]:
    """The custom resources the answers call for (so the schema check cannot pass vacuously)."""
    ans = answers(root)
    serving, training = ans.get("serving", "none"), ans.get("training", "none")
    kinds = set()
    if serving != "none" or training != "none":
        kinds.add("PrometheusRule")
        if ans.get("gitops") in (True, "true"):
            kinds.add("Application")
    if serving != "none":
        kinds.add("ServiceMonitor")
    if serving == "kserve":
        kinds.add("InferenceService")
    if ans.get("grafana_operator") in (True, "true"):
        kinds.add("GrafanaDashboard")
    if serving == "deployment" and ans.get("platform") == "openshift":
        kinds.add("Route")
    if training == "argo-workflows":
        kinds.add("CronWorkflow")
        if ans.get("model_store") == "s3":
            kinds.add("ObjectBucketClaim")
    if ans.get("secrets") == "external-secrets" and (serving != "none" or training != "none"):
        kinds.add("ExternalSecret")
    return kinds


# API versions of custom resources that current operators no longer serve: a manifest using one
# fails with the reason, even while an old schema would accept it.
RETIRED_API_VERSIONS = {
    ("external-secrets.io/v1beta1", "ExternalSecret"): (
        "External Secrets Operator v0.17.0 and later no longer serve v1beta1; use external-secrets.io/v1"
    ),
}


def is_builtin_api(api: str) -> bool:
    """A Kubernetes API group whose kinds kubernetes-validate checks (core, apps, batch, *.k8s.io)."""
    group = api.rpartition("/")[0] if "/" in api else ""
    return group in ("", "apps", "batch", "policy", "autoscaling") or group.endswith(".k8s.io")


def cmd_crs(schema_dir: Path, files: list[Path], root: Path | None = None) -> int:
    """Every custom resource of the builds has a schema for its apiVersion and kind, and matches it;
    a retired apiVersion, or a kind known under another apiVersion, fails."""
    import jsonschema

    schemas = load_schemas(schema_dir)
    by_kind = {kind: api for api, kind in schemas}
    problems: list[str] = []
    counts: dict[str, int] = {}
    for f in files:
        for doc in load_yaml_docs(f):
            if not isinstance(doc, dict):
                problems.append(f"{f}: a YAML document is not a mapping")
                continue
            api, kind = doc.get("apiVersion"), doc.get("kind")
            name = (doc.get("metadata") or {}).get("name", "?")
            if (api, kind) not in schemas:
                if (api, kind) in RETIRED_API_VERSIONS:
                    problems.append(
                        f"{f}: {kind}/{name} has apiVersion {api!r}: {RETIRED_API_VERSIONS[(api, kind)]}"
                    )
                elif kind in by_kind:
                    problems.append(
                        f"{f}: {kind}/{name} has apiVersion {api!r}, expected {by_kind[kind]!r}"
                    )
                elif not is_builtin_api(str(api)):
                    problems.append(
                        f"{f}: {kind}/{name} ({api}) is a custom resource without a schema in "
                        f"{schema_dir}: write one (see its README) so a version no operator serves fails"
                    )
                continue
            schema_file, schema = schemas[(api, kind)]
            validator = jsonschema.Draft7Validator(schema)
            errors = sorted(
                validator.iter_errors(doc), key=lambda e: list(e.absolute_path)
            )
            for err in errors:
                where = ".".join(str(p) for p in err.absolute_path) or "<root>"
                problems.append(f"{f}: {kind}/{name}: {where}: {err.message[:300]}")
            counts[kind] = counts.get(kind, 0) + 1
            print(
                f"  {'FAIL' if errors else 'ok'} {f.name if str(f) != '-' else '-'}: {kind}/{name} against {schema_file}"
            )
    if root is not None:
        for kind in sorted(expected_kinds(root) - set(counts)):
            problems.append(
                f"the answers call for a {kind}, but the manifests have none"
            )
    summary = ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "none"
    return finish(problems, f"custom resources valid ({summary})")


# --------------------------------------------------------------------------- alerts
def is_burn_rate(rule: dict) -> bool:
    """An SLO burn-rate alert: it compares error-ratio recording rules against a budget."""
    return "burn" in str(rule.get("alert", "")).lower() or ":ratio_rate" in str(
        rule.get("expr", "")
    )


def cmd_alerts(root: Path, build: Path, out_dir: Path) -> int:
    import yaml

    problems: list[str] = []
    groups = []
    for doc in load_yaml_docs(build):
        if isinstance(doc, dict) and doc.get("kind") == "PrometheusRule":
            groups.extend((doc.get("spec") or {}).get("groups") or [])
    if not groups:
        return finish([f"no PrometheusRule groups in {build}"], "")
    alerts: dict[str, dict] = {}
    for g in groups:
        for r in g.get("rules") or []:
            if "alert" in r:
                if r["alert"] in alerts:
                    problems.append(f"alert {r['alert']} is defined more than once")
                alerts[r["alert"]] = r
    if not alerts:
        problems.append("the PrometheusRule defines no alert")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "rules.yaml").write_text(
        yaml.safe_dump({"groups": groups}, sort_keys=False), encoding="utf-8"
    )

    test_file = root / "manifests" / "tests" / "alerts.test.yaml"
    if not test_file.is_file():
        return finish(problems + [f"{test_file.relative_to(root)} is missing"], "")
    test = yaml.safe_load(test_file.read_text(encoding="utf-8")) or {}
    test["rule_files"] = ["rules.yaml"]
    (out_dir / "alerts.test.yaml").write_text(
        yaml.safe_dump(test, sort_keys=False), encoding="utf-8"
    )

    tested: dict[str, list[dict]] = {}
    quiet: set[str] = set()  # alerts some test case expects NOT to fire
    for t in test.get("tests") or []:
        for art in t.get("alert_rule_test") or []:
            tested.setdefault(art.get("alertname"), []).extend(
                art.get("exp_alerts") or []
            )
            if not art.get("exp_alerts"):
                quiet.add(art.get("alertname"))
    for name, rule in alerts.items():
        url = (rule.get("annotations") or {}).get("runbook_url")
        if not url:
            problems.append(f"alert {name} has no runbook_url annotation")
        if name not in tested:
            problems.append(
                f"alert {name} has no alert_rule_test in {test_file.relative_to(root)}"
            )
            continue
        fired = tested[name]
        if not fired:
            problems.append(
                f"alert {name}: no test case expects it to fire (exp_alerts is empty everywhere)"
            )
        elif not any(
            (e.get("exp_annotations") or {}).get("runbook_url") for e in fired
        ):
            problems.append(
                f"alert {name}: no firing test case checks its runbook_url in exp_annotations"
            )
        elif is_burn_rate(rule) and name not in quiet:
            problems.append(
                f"alert {name} is a burn-rate alert: a test case must show it silent "
                "(exp_alerts: []) while the error budget holds"
            )
        else:
            print(f"  ok alert {name}: fires in a unit test that checks runbook_url")
    for name in tested:
        if name not in alerts:
            problems.append(
                f"{test_file.relative_to(root)} tests alert {name}, which no rule defines"
            )
    return finish(
        problems,
        f"{len(alerts)} alert(s), each with a firing unit test and a runbook_url",
    )


# --------------------------------------------------------------------------- links
MD_LINK = re.compile(
    r"(?<!!)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|!\[[^\]]*\]\(\s*<?([^)\s>]+)>?"
)
MD_REF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
# `runbook_url: URL`, or a folded block scalar with the URL on the next line (`runbook_url: >-`).
RUNBOOK = re.compile(r"runbook_url[\"']?\s*[:=]\s*(?:[>|][-+]?\s+)?[\"']?([^\s\"'}]+)")
BLOB = re.compile(
    r"https://(github\.com|gitlab\.com)/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)/(?:-/)?(?:blob|tree)/([A-Za-z0-9_.-]+)/([^\s)\"'<>#?]+)"
)
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


# The severity that pages the on-call (docs/operations.md: `critical` alerts need action now).
PAGING_SEVERITIES = {"critical"}


def prometheus_rules(build: Path) -> list[dict]:
    """The PrometheusRule objects of one kustomize output."""
    return [
        d for d in load_yaml_docs(build)
        if isinstance(d, dict) and d.get("kind") == "PrometheusRule"
    ]  # fmt: skip


def alert_severities(build: Path) -> dict[str, str | None]:
    """Alert name -> its severity label, for the PrometheusRules of one kustomize output."""
    found: dict[str, str | None] = {}
    for doc in prometheus_rules(build):
        for group in (doc.get("spec") or {}).get("groups") or []:
            for rule in group.get("rules") or []:
                if "alert" in rule:
                    found[rule["alert"]] = (rule.get("labels") or {}).get("severity")
    return found


# PromQL vector selectors, found with a tokenizer that knows just enough of the language: strings,
# label-matcher braces, range brackets, function calls, aggregations and grouping label lists.
_PQ_TOKEN = re.compile(
    r"""\s+|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|\{[^{}]*\}|\[[^\]]*\]|[A-Za-z_:][\w:]*|\d[\w.]*|."""
)
_PQ_MATCHER = re.compile(
    r"""\s*([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)\s*,?"""
)
_PQ_GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}
_PQ_NOT_A_METRIC = _PQ_GROUPING | {
    "and", "or", "unless", "bool", "offset", "inf", "nan", "atan2", "sum", "min", "max", "avg",
    "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile", "limitk",
    "limit_ratio",
}  # fmt: skip


def promql_selectors(expr: str) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(metric name or "", [(label, operator, value)]) of every vector selector of `expr`."""
    import ast

    def matchers(braces: str):
        out = []
        for m in _PQ_MATCHER.finditer(braces[1:-1]):
            raw = m.group(3)
            value = raw[1:-1] if raw.startswith("`") else ast.literal_eval(raw)
            out.append((m.group(1), m.group(2), value))
        return out

    tokens = [t for t in _PQ_TOKEN.findall(expr) if not t.isspace()]
    found, i = [], 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tok in _PQ_GROUPING and nxt == "(":
            depth = 0
            while i < len(tokens):
                depth += {"(": 1, ")": -1}.get(tokens[i], 0)
                if tokens[i] == ")" and depth == 0:
                    break
                i += 1
        elif re.match(r"[A-Za-z_:]", tok) and tok not in _PQ_NOT_A_METRIC and nxt != "(":
            if nxt.startswith("{"):
                found.append((tok, matchers(nxt)))
                i += 1
            else:
                found.append((tok, []))
        elif tok.startswith("{"):
            found.append(("", matchers(tok)))
        i += 1
    return found


def selects_namespace(matchers: list[tuple[str, str, str]], namespace: str) -> bool:
    """Whether a selector with these matchers selects series of `namespace` (PromQL regexes are
    anchored at both ends; no namespace matcher selects every namespace)."""
    for label, op, value in matchers:
        if label != "namespace":
            continue
        hit = re.fullmatch(value, namespace) is not None if op in ("=~", "!~") else value == namespace
        if hit != (op in ("=", "=~")):
            return False
    return True


def overlay_builds(builds: list[Path]) -> dict[str, Path]:
    """Environment name -> its kustomize output (build-manifests-overlays-<env>.yaml)."""
    out = {}
    for b in builds:
        m = re.fullmatch(r"build-manifests-overlays-(.+)\.yaml", b.name)
        if m:
            out[m.group(1)] = b
    return out


def cmd_alert_environments(builds: list[Path]) -> int:
    """Each environment's alert rules select its own namespace only, and dev never pages: the dev and
    prod outputs define the same alerts, every dev alert has a severity that does not page, and no
    selector of one environment's rules selects another environment's namespace (or every namespace)."""
    envs = overlay_builds(builds)
    if not {"dev", "prod"} <= set(envs):
        return finish([f"need the dev and prod overlay builds, got {sorted(b.name for b in builds)}"], "")
    problems: list[str] = []
    namespaces: dict[str, str] = {}
    rules_of: dict[str, list[dict]] = {}
    for env, build in sorted(envs.items()):
        docs = prometheus_rules(build)
        if not docs:
            problems.append(f"{env}: the overlay's output has no PrometheusRule")
            continue
        for doc in docs:
            ns = (doc.get("metadata") or {}).get("namespace")
            if not ns:
                problems.append(f"{env}: PrometheusRule {doc['metadata'].get('name')} has no namespace")
            namespaces.setdefault(env, ns or "")
            for group in (doc.get("spec") or {}).get("groups") or []:
                rules_of.setdefault(env, []).extend(group.get("rules") or [])
    dev, prod = alert_severities(envs["dev"]), alert_severities(envs["prod"])
    if set(dev) != set(prod):
        problems.append(f"dev alerts {sorted(dev)} differ from prod's {sorted(prod)}")
    for name, severity in sorted(dev.items()):
        if severity is None:
            problems.append(f"dev: {name} has no severity label")
        elif severity in PAGING_SEVERITIES:
            problems.append(f"dev: {name} has the paging severity {severity}")
    checked = 0
    for env, rules in sorted(rules_of.items()):
        own = namespaces[env]
        others = [ns for e, ns in sorted(namespaces.items()) if e != env]
        for rule in rules:
            name = rule.get("alert") or rule.get("record")
            for metric, matchers in promql_selectors(str(rule.get("expr", ""))):
                checked += 1
                what = f"{env}: {name}: selector {metric or '{...}'}"
                if not selects_namespace(matchers, own):
                    problems.append(f"{what} does not select its own namespace {own}")
                for ns in others + ["some-other-namespace"]:
                    if selects_namespace(matchers, ns):
                        problems.append(f"{what} also selects namespace {ns}")
                        break
    problems = list(dict.fromkeys(problems))
    paging = sorted(n for n, s in prod.items() if s in PAGING_SEVERITIES)
    return finish(
        problems,
        f"{checked} selector(s) each pinned to its environment's namespace; {len(dev)} dev alert(s), "
        f"none paging ({len(paging)} paging in prod: {', '.join(paging) or 'none'})",
    )


def cmd_two_environment(root: Path, builds: list[Path], out_dir: Path) -> int:
    """Write a promtool test that loads the dev and prod rules together (as one Prometheus that sees
    both namespaces evaluates them) and requires one alert per environment for an outage in it:
    the model server down (warning in dev, critical in prod), or a failed workflow pod (warning).
    Annotations are left out of the rules written here, so the test is about which alerts fire."""
    import yaml

    envs = overlay_builds(builds)
    if not {"dev", "prod"} <= set(envs):
        return finish([f"need the dev and prod overlay builds, got {sorted(b.name for b in builds)}"], "")
    ans = answers(root)
    repo, serving = ans.get("repo_name"), ans.get("serving", "none")
    out_dir.mkdir(parents=True, exist_ok=True)
    namespaces, rule_files = {}, []
    for env in ("dev", "prod"):
        docs = prometheus_rules(envs[env])
        if not docs:
            return finish([f"{env}: the overlay's output has no PrometheusRule"], "")
        namespaces[env] = docs[0]["metadata"].get("namespace")
        groups = []
        for doc in docs:
            for g in (doc.get("spec") or {}).get("groups") or []:
                rules = [{k: v for k, v in r.items() if k != "annotations"} for r in g.get("rules") or []]
                groups.append(dict(g, rules=rules))
        (out_dir / f"rules-{env}.yaml").write_text(
            yaml.safe_dump({"groups": groups}, sort_keys=False), encoding="utf-8"
        )
        rule_files.append(f"rules-{env}.yaml")
    tests = []
    workload = f"{repo}-predictor" if serving == "kserve" else repo
    for env, other in (("dev", "prod"), ("prod", "dev")):
        down, healthy = namespaces[env], namespaces[other]
        if serving != "none":
            series = []
            for ns, values in ((down, "1x4 0x20"), (healthy, "1x24")):
                series.append({"series": f'up{{job="{repo}", namespace="{ns}", pod="{workload}-0"}}', "values": values})
                series.append({
                    "series": f'kube_deployment_status_replicas_available{{deployment="{workload}", namespace="{ns}"}}',
                    "values": values,
                })  # fmt: skip
            tests.append({
                "name": f"model server down in {env} only",
                "interval": "1m",
                "input_series": series,
                "alert_rule_test": [
                    {"eval_time": "15m", "alertname": "ModelServiceDown", "exp_alerts": [
                        {"exp_labels": {"namespace": down, "severity": "warning" if env == "dev" else "critical"}}
                    ]},
                    {"eval_time": "15m", "alertname": "ModelMetricsAbsent", "exp_alerts": []},
                ],
            })  # fmt: skip
        if ans.get("training") == "argo-workflows":
            tests.append({
                "name": f"a workflow pod failed in {env} only",
                "interval": "1m",
                "input_series": [
                    {"series": f'kube_pod_status_phase{{pod="{repo}-train-1-x-1", namespace="{down}", phase="Failed"}}',
                     "values": "0x2 1x20"},
                    {"series": f'kube_pod_status_phase{{pod="{repo}-train-2-x-2", namespace="{healthy}", phase="Succeeded"}}',
                     "values": "1x22"},
                ],
                "alert_rule_test": [
                    {"eval_time": "15m", "alertname": "TrainingWorkflowFailed", "exp_alerts": [
                        {"exp_labels": {"namespace": down, "severity": "warning"}}
                    ]},
                ],
            })  # fmt: skip
    if not tests:
        return finish(["the answers deploy nothing that alerts: no outage to test"], "")
    test = {"rule_files": rule_files, "evaluation_interval": "1m", "tests": tests}
    (out_dir / "two-environment.test.yaml").write_text(
        yaml.safe_dump(test, sort_keys=False), encoding="utf-8"
    )
    for t in tests:
        print(f"  case: {t['name']}")
    return finish([], f"{len(tests)} case(s) written to {out_dir / 'two-environment.test.yaml'}")


def cmd_links(root: Path) -> int:
    ans = answers(root)
    org, repo = ans.get("org"), ans.get("repo_name")
    problems: list[str] = []
    n_runbooks = n_self = n_md = 0
    for f in walk_files(root):
        text = read_text(f)
        if text is None:
            continue
        rel = f.relative_to(root)
        for url in RUNBOOK.findall(text):
            n_runbooks += 1
            m = BLOB.match(url)
            if not m:
                problems.append(
                    f"{rel}: runbook_url {url} is not a blob URL into this repository"
                )
                continue
        for m in BLOB.finditer(text):
            _host, o, r, _ref, path = m.groups()
            if org and repo and (o.lower(), r.lower()) != (org.lower(), repo.lower()):
                if "runbook" in path:
                    problems.append(
                        f"{rel}: {m.group(0)} points at {o}/{r}, not this repository ({org}/{repo})"
                    )
                continue
            n_self += 1
            target = root / path
            if not target.exists():
                problems.append(f"{rel}: {m.group(0)} -> {path} does not exist")
        if f.suffix.lower() == ".md":
            body = FENCE.sub("", text)
            body = re.sub(r"`[^`\n]*`", "", body)
            links = [a or b for a, b in MD_LINK.findall(body)] + MD_REF.findall(body)
            for link in links:
                if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", link) or link.startswith(
                    ("#", "//")
                ):
                    continue
                path = link.split("#", 1)[0].split("?", 1)[0]
                if not path:
                    continue
                n_md += 1
                target = (
                    (root / path.lstrip("/"))
                    if path.startswith("/")
                    else (f.parent / path)
                )
                try:
                    target.resolve().relative_to(root.resolve())
                except ValueError:
                    problems.append(f"{rel}: link {link} leaves the repository")
                    continue
                if not target.exists():
                    problems.append(
                        f"{rel}: link {link} -> {os.path.normpath(target.relative_to(root) if target.is_absolute() else target)} does not exist"
                    )
    return finish(
        problems,
        f"links resolve: {n_runbooks} runbook_url(s), {n_self} URL(s) into this repository, {n_md} relative markdown link(s)",
    )


# --------------------------------------------------------------------------- unrendered
TERA_VAR = re.compile(r"\{\{-?\s*[A-Za-z_][\w.]*\s*(\|[^{}]*)?-?\}\}")
# docker/metadata-action tag patterns in workflows: type=semver,pattern={{major}}.{{minor}} ...
METADATA_ACTION = re.compile(
    r"\{\{\s*(version|major|minor|patch|raw|sha|branch|tag|base_ref|is_default_branch"
    r"|date\s+'[^']*'(\s+tz='[^']*')?)\s*\}\}"
)
GHA_EXPR = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)
# Go templates (Prometheus alert annotations) reference $labels/$value; Tera and Jinja variables never start with $.
# Grafana legend formats ({{code}}, {{pod}}): no spaces, unlike a Tera variable.
GRAFANA_LEGEND = re.compile(r"\{\{[A-Za-z_]\w*\}\}")
GO_TEMPLATE = re.compile(r"\{\{-?\s*[^{}]*\$[^{}]*\}\}")


def load_allowlist(path: Path) -> list[str]:
    if not path.is_file():
        return []
    return [
        line.strip()
        for line in path.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]


def cmd_unrendered(root: Path, allowlist: Path) -> int:
    allowed = load_allowlist(allowlist)
    problems: list[str] = []
    n = 0
    for f in walk_files(root):
        rel = f.relative_to(root).as_posix()
        if any(fnmatch.fnmatch(rel, pat) for pat in allowed):
            continue
        text = read_text(f)
        if text is None:
            continue
        n += 1
        if rel.startswith(".github/") and rel.endswith((".yml", ".yaml")):
            text = METADATA_ACTION.sub("", GHA_EXPR.sub("", text))
        if rel.endswith((".yml", ".yaml")):
            text = GO_TEMPLATE.sub("", text)
        if rel.endswith(".json"):
            text = GRAFANA_LEGEND.sub("", text)
        python = rel.endswith(".py")
        for lineno, line in enumerate(text.splitlines(), 1):
            for tok in ("{{", "{%", "{#"):
                # In Python, '{{' is how an f-string writes a literal brace: only a Tera-like
                # '{{ name ... }}' counts there.
                if tok == "{{" and python and not TERA_VAR.search(line):
                    continue
                if tok in line:
                    problems.append(
                        f"{rel}:{lineno}: {tok!r} left unrendered: {line.strip()[:120]}"
                    )
                    break
        if f.name.endswith(".tera"):
            problems.append(f"{rel}: a .tera suffix survived rendering")
    return finish(problems, f"{n} text file(s) free of template syntax")


# --------------------------------------------------------------------------- expectations
def cmd_expect(root: Path) -> int:
    ans = answers(root)
    problems: list[str] = []
    if not ans:
        problems.append(".groundwork.toml with an [answers] table is missing")
    serving, training = ans.get("serving", "none"), ans.get("training", "none")
    must = [
        "README.md",
        "pyproject.toml",
        ".gitignore",
        ".yamllint",
        ".pre-commit-config.yaml",
    ]
    pkg = ans.get("package_name")
    if pkg:
        must.append(f"src/{pkg}/__init__.py")
    if serving != "none":
        must.append("manifests/dashboards/kustomization.yaml")
    if serving != "none" or training != "none":
        must += [
            "Containerfile",
            "manifests/base/kustomization.yaml",
            "manifests/overlays/dev/kustomization.yaml",
            "manifests/overlays/prod/kustomization.yaml",
            "manifests/tests/alerts.test.yaml",
        ]
        if ans.get("gitops") in (True, "true"):
            must.append("manifests/argocd")
    else:
        if (root / "manifests").exists():
            problems.append("manifests/ exists although serving and training are none")
    ci = ans.get("ci")
    if ci == "github":
        must.append(".github/workflows")
    elif ci == "gitlab":
        must.append(".gitlab-ci.yml")
    if ci != "github" and (root / ".github" / "workflows").exists():
        problems.append(f".github/workflows exists although ci = {ci}")
    if ci != "gitlab" and (root / ".gitlab-ci.yml").exists():
        problems.append(f".gitlab-ci.yml exists although ci = {ci}")
    lic = ans.get("license")
    if lic and lic != "none" and not (root / "LICENSE").is_file():
        problems.append(f"license = {lic} but LICENSE is missing")
    if lic == "none" and (root / "LICENSE").exists():
        problems.append("license = none but LICENSE exists")
    for m in must:
        if not (root / m).exists():
            problems.append(f"{m} is missing")
    return finish(
        problems,
        f"expected files present for {', '.join(f'{k}={v}' for k, v in sorted(ans.items()) if k in ('serving', 'platform', 'training', 'gitops', 'ci', 'license', 'python_version'))}",
    )


# --------------------------------------------------------------------------- lock files
KNOWN_PYTHONS = ["3.10", "3.11", "3.12", "3.13"]


def parse_lock(path: Path) -> list[tuple[str, str, str, int]]:
    """(canonical name, version, marker, number of hashes) of each entry of a pip requirements file."""
    from packaging.utils import canonicalize_name

    out: list[tuple[str, str, str, int]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith((" ", "\t")):
            if out and "--hash=sha256:" in line:
                name, version, marker, n = out[-1]
                out[-1] = (name, version, marker, n + 1)
            continue
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]*?))?\s*\\?$", line)
        if not m:
            out.append((f"<unpinned: {line.strip()}>", "", "", 0))
            continue
        out.append((canonicalize_name(m.group(1)), m.group(2), (m.group(3) or "").strip(), 0))
    return out


def lock_pins(entries, env: dict) -> tuple[dict[str, list[str]], list[str]]:
    from packaging.markers import Marker

    pins: dict[str, list[str]] = {}
    problems = []
    for name, version, marker, hashes in entries:
        if name.startswith("<unpinned"):
            problems.append(f"not an exact pin: {name[11:-1]}")
            continue
        if hashes == 0:
            problems.append(f"{name}=={version} has no --hash")
        if not marker or Marker(marker).evaluate(env):
            pins.setdefault(name, []).append(version)
    return pins, problems


def cmd_lock(root: Path) -> int:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    from packaging.markers import default_environment

    problems: list[str] = []
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    # The build backend is locked with the runtime dependencies: the image and `make install` build
    # the package without build isolation, so whatever [build-system] requires must be pinned.
    build = [Requirement(r) for r in pyproject.get("build-system", {}).get("requires", [])]
    runtime = [Requirement(r) for r in project.get("dependencies", [])] + build
    dev = [Requirement(r) for r in project.get("optional-dependencies", {}).get("dev", [])]
    minimum = (root / ".python-version").read_text(encoding="utf-8").strip()
    if f">={minimum}" != project.get("requires-python", "").replace(" ", ""):
        problems.append(f".python-version {minimum} is not requires-python {project.get('requires-python')}")
    pythons = [v for v in KNOWN_PYTHONS if tuple(map(int, v.split("."))) >= tuple(map(int, minimum.split(".")))]
    locks = {}
    for name in ("requirements.lock", "requirements-dev.lock"):
        if not (root / name).is_file():
            problems.append(f"{name} is missing")
        else:
            locks[name] = parse_lock(root / name)
    checked = 0
    for py in pythons if len(locks) == 2 else []:
        for system, platform in (("Linux", "linux"), ("Darwin", "darwin"), ("Windows", "win32")):
            env = default_environment()
            env.update(python_version=py, python_full_version=f"{py}.0", platform_system=system,
                       sys_platform=platform, implementation_name="cpython",
                       platform_python_implementation="CPython")
            where = f"Python {py} on {platform}"
            pins = {}
            for lock, reqs in (("requirements.lock", runtime), ("requirements-dev.lock", runtime + dev)):
                pins[lock], found = lock_pins(locks[lock], env)
                problems += [f"{lock}: {p}" for p in found if f"{lock}: {p}" not in problems]
                for req in reqs:
                    if req.marker and not req.marker.evaluate(env):
                        continue
                    versions = pins[lock].get(canonicalize_name(req.name), [])
                    checked += 1
                    if len(versions) != 1:
                        problems.append(f"{lock}, {where}: {req.name} pinned {len(versions)} times, not once")
                    elif not req.specifier.contains(versions[0], prereleases=True):
                        problems.append(f"{lock}, {where}: {req.name}=={versions[0]} is outside {req}")
                for pkg, versions in pins[lock].items():
                    if len(versions) > 1:
                        problems.append(f"{lock}, {where}: {pkg} pinned {len(versions)} times")
            for pkg, versions in pins["requirements.lock"].items():
                if pins["requirements-dev.lock"].get(pkg) != versions:
                    problems.append(
                        f"{where}: {pkg} is {versions} in requirements.lock but "
                        f"{pins['requirements-dev.lock'].get(pkg)} in requirements-dev.lock"
                    )
    # Everything that installs the project installs from the locks.
    makefile = (root / "Makefile").read_text(encoding="utf-8")
    if "pip install --require-hashes -r requirements-dev.lock" not in makefile:
        problems.append("`make install` does not install requirements-dev.lock with --require-hashes")
    installs = [
        (f, line)
        for f in ("Makefile", "Containerfile", "scripts/bootstrap")
        if (root / f).is_file()
        for line in (root / f).read_text(encoding="utf-8").splitlines()
        if re.search(r"pip install\b.*\s(-e )?\.(\s|$)", line)
    ]  # fmt: skip
    if not installs:
        problems.append("nothing installs the package itself (pip install ... .)")
    for f, line in installs:
        if "--no-build-isolation" not in line or "--no-deps" not in line:
            problems.append(f"{f}: {line.strip()!r} builds the package with an unpinned backend or resolves again")
    if (root / "Containerfile").is_file():
        containerfile = (root / "Containerfile").read_text(encoding="utf-8")
        if "--require-hashes -r requirements.lock" not in containerfile:
            problems.append("the Containerfile does not install requirements.lock with --require-hashes")
        if "!requirements.lock" not in (root / ".containerignore").read_text(encoding="utf-8"):
            problems.append(".containerignore leaves requirements.lock out of the build context")
    ci_files = [f for f in walk_files(root / ".github" / "workflows")] if (root / ".github").is_dir() else []
    if (root / ".gitlab-ci.yml").is_file():
        ci_files.append(root / ".gitlab-ci.yml")
    for f in ci_files:
        text = f.read_text(encoding="utf-8")
        if re.search(r"pip install (-e )?['\"]?\.(\[dev\])?", text):
            problems.append(f"{f.relative_to(root)} installs the package with its unlocked dependencies")
        if "pip" in text and "make install" not in text and "requirements-dev.lock" not in text:
            problems.append(f"{f.relative_to(root)} installs Python packages without the lock")
    return finish(
        problems,
        f"locks cover {len(runtime) - len(build)} runtime, {len(build)} build and {len(dev)} dev dependencies on Python "
        f"{', '.join(pythons)} (linux, darwin, win32; {checked} requirement checks)",
    )


# --------------------------------------------------------------------------- dashboards
# Metrics of kube-state-metrics (v2) that dashboards may use.
KUBE_STATE_METRICS = {
    "kube_deployment_spec_replicas",
    "kube_deployment_status_replicas",
    "kube_deployment_status_replicas_available",
    "kube_deployment_status_replicas_unavailable",
    "kube_pod_completion_time",
    "kube_pod_container_resource_limits",
    "kube_pod_container_resource_requests",
    "kube_pod_container_status_restarts_total",
    "kube_pod_container_status_waiting_reason",
    "kube_pod_created",
    "kube_pod_info",
    "kube_pod_status_phase",
    "kube_pod_status_ready",
}
PROMQL_WORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
    "offset", "bool", "inf", "nan", "atan2",
}  # fmt: skip
PROMQL_IDENT = re.compile(r"(?<![\w:.$])([A-Za-z_:][\w:]*)\b(?!\s*\()")


def promql_metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression (label matchers, grouping labels, ranges, strings and
    Grafana variables removed first)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    expr = re.sub(r"\{[^{}]*\}", "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)", " ", expr)
    expr = re.sub(r"\$\w+|\$\{[^}]*\}", "", expr)
    return {n for n in PROMQL_IDENT.findall(expr) if n not in PROMQL_WORDS}


def server_metric_names(root: Path) -> set[str]:
    """The metric names the generated model server exports: its Metrics().render() TYPE lines."""
    import subprocess

    pkg = answers(root).get("package_name")
    code = (
        f"from {pkg}.server import Metrics\n"
        "m = Metrics('v')\n"
        "m.observe_request('/predict', 200, 0.1)\n"
        "m.observe_predictions([0.5])\n"
        "print(m.render())\n"
    )
    env = dict(os.environ, PYTHONPATH=str(root / "src"))
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    names: set[str] = set()
    for name, kind in re.findall(r"^# TYPE (\S+) (\w+)$", out, re.M):
        names.add(name)
        if kind == "histogram":
            names |= {f"{name}_bucket", f"{name}_sum", f"{name}_count"}
        elif kind == "summary":
            names |= {f"{name}_sum", f"{name}_count"}
    return names


def dashboard_queries(dash: dict):
    """(where, expr) for every panel target and every query variable of a Grafana dashboard."""
    panels = list(dash.get("panels") or [])
    while panels:
        p = panels.pop()
        panels.extend(p.get("panels") or [])
        for t in p.get("targets") or []:
            if t.get("expr"):
                yield f"panel {p.get('title')!r}", t["expr"]
    for v in (dash.get("templating") or {}).get("list") or []:
        if v.get("type") != "query":
            continue
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        m = re.match(r"^\s*label_values\((.*),\s*\w+\)\s*$", q or "")
        if m:
            q = m.group(1)
        if q:
            yield f"variable {v.get('name')!r}", q


def build_dashboards(builds: list[Path]) -> tuple[list[tuple[str, dict]], list[str]]:
    """The dashboards of the GrafanaDashboard resources in kustomize outputs: inline `json`, or the
    ConfigMap key `configMapRef` names, which must be in the same output."""
    found, problems = [], []
    for b in builds:
        docs = [d for d in load_yaml_docs(b) if isinstance(d, dict)]
        maps = {(d.get("metadata") or {}).get("name"): d.get("data") or {} for d in docs if d.get("kind") == "ConfigMap"}
        for d in docs:
            if d.get("kind") != "GrafanaDashboard":
                continue
            spec, name = d.get("spec") or {}, (d.get("metadata") or {}).get("name")
            where = f"{b.name}: GrafanaDashboard/{name}"
            if "json" in spec:
                text = spec["json"]
            elif "configMapRef" in spec:
                ref = spec["configMapRef"] or {}
                text = maps.get(ref.get("name"), {}).get(ref.get("key"))
                if text is None:
                    problems.append(f"{where}: configMapRef {ref} names no ConfigMap key of the same build")
                    continue
                where += f" (ConfigMap {ref.get('name')}, key {ref.get('key')})"
            else:
                problems.append(f"{where}: neither json nor configMapRef")
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                problems.append(f"{where}: the dashboard is not JSON: {exc}")
                continue
            found.append((where, data))
    return found, problems


def cmd_dashboards(root: Path, builds: list[Path] | None = None) -> int:
    files = sorted((root / "manifests").rglob("*.json")) if (root / "manifests").is_dir() else []
    dashboards = []
    for f in files:
        data = json.loads(f.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "panels" in data:
            dashboards.append((str(f.relative_to(root)), data))
    from_crs, cr_problems = build_dashboards(builds or [])
    dashboards += from_crs
    if answers(root).get("grafana_operator") in (True, "true") and not from_crs:
        cr_problems.append("grafana_operator = true but no kustomize build has a GrafanaDashboard")
    has_server = any((root / "src").glob("*/server.py"))
    if not dashboards:
        if has_server:
            return finish(["the model server has no Grafana dashboard under manifests/"], "")
        print("  no dashboard (no model server)")
        return 0
    known = server_metric_names(root) | KUBE_STATE_METRICS
    problems: list[str] = list(cr_problems)
    n = 0
    for f, dash in dashboards:
        for where, expr in dashboard_queries(dash):
            n += 1
            names = promql_metric_names(expr)
            if not names:
                problems.append(f"{f}: {where}: no metric in {expr!r}")
            for name in sorted(names - known):
                problems.append(
                    f"{f}: {where}: {name} is exported neither by the model "
                    "server nor by kube-state-metrics"
                )
    return finish(
        problems,
        f"{n} quer(ies) in {len(dashboards)} dashboard(s) ({len(from_crs)} from GrafanaDashboard "
        "resources), each naming only exported metrics",
    )


# --------------------------------------------------------------------------- actions
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+?)(?:\s+#\s*(\S+))?\s*$")


def cmd_actions(root: Path) -> int:
    wf = root / ".github" / "workflows"
    files = sorted(wf.glob("*.y*ml")) if wf.is_dir() else []
    if not files:
        print("  no GitHub workflows")
        return 0
    import yaml

    problems: list[str] = []
    n = 0
    for f in files:
        for number, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            m = USES.match(line)
            if not m:
                continue
            n += 1
            ref, comment = m.group(1), m.group(2)
            if ref.startswith("./") or ref.startswith("docker://"):
                continue
            where = f"{f.relative_to(root)}:{number}"
            if not re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref):
                problems.append(f"{where}: {ref} is not pinned by a full commit SHA")
            elif not comment or not re.fullmatch(r"v\d+(\.\d+){0,2}", comment):
                problems.append(f"{where}: {ref} has no `# vX.Y.Z` comment naming its release")
    image = wf / "image.yml"
    if image.is_file():
        doc = yaml.safe_load(image.read_text(encoding="utf-8"))
        on = doc.get("on", doc.get(True, {})) or {}
        if "pull_request" not in on:
            problems.append("image.yml does not build the image on pull requests")
        text = image.read_text(encoding="utf-8")
        if "push: ${{ github.event_name == 'push' }}" not in text:
            problems.append("image.yml may push from a pull request (push: is not tied to push events)")
    return finish(problems, f"{n} action reference(s), all pinned by commit SHA with their release")


# --------------------------------------------------------------------------- workloads
def cmd_workloads(root: Path, builds: list[Path]) -> int:
    import yaml

    ans = answers(root)
    serving = ans.get("serving", "none")
    repo_name = ans.get("repo_name", "")
    problems: list[str] = []
    for build in builds:
        docs = [d for d in yaml.safe_load_all(build.read_text(encoding="utf-8")) if d]
        if not any(d.get("kind") in ("Deployment", "InferenceService", "CronWorkflow") for d in docs):
            continue
        release = ans.get("prometheus_release") or ""
        for d in docs:
            if release and d.get("kind") in ("ServiceMonitor", "PrometheusRule"):
                if (d["metadata"].get("labels") or {}).get("release") != release:
                    problems.append(f"{build.name}: {d['kind']} lacks the label release: {release}")
            if d.get("kind") == "Deployment":
                labels = d["spec"]["template"]["metadata"].get("labels") or {}
                for key in ("app.kubernetes.io/instance", "app.kubernetes.io/part-of"):
                    if key not in labels:
                        problems.append(f"{build.name}: the pods of Deployment {d['metadata']['name']} lack {key}")
        policies = [d for d in docs if d.get("kind") == "NetworkPolicy"]
        deny = [
            p for p in policies
            if p["spec"].get("podSelector") in ({}, None)
            and p["spec"].get("policyTypes") == ["Ingress"]
            and not p["spec"].get("ingress")
        ]  # fmt: skip
        if not deny:
            problems.append(f"{build.name}: no default-deny ingress NetworkPolicy")
        if serving == "none":
            continue
        if serving == "kserve":
            isvc = next(d for d in docs if d.get("kind") == "InferenceService")
            pod_labels = {"serving.kserve.io/inferenceservice": isvc["metadata"]["name"]}
            container = isvc["spec"]["predictor"]["containers"][0]
        else:
            dep = next(d for d in docs if d.get("kind") == "Deployment")
            pod_labels = dep["spec"]["template"]["metadata"]["labels"]
            container = dep["spec"]["template"]["spec"]["containers"][0]
        allow = [
            p for p in policies
            if p["spec"].get("ingress")
            and (p["spec"].get("podSelector") or {}).get("matchLabels")
            and (p["spec"]["podSelector"]["matchLabels"].items() <= pod_labels.items())
        ]  # fmt: skip
        if not allow:
            problems.append(f"{build.name}: no NetworkPolicy selects the model server's pods")
        for p in allow:
            for rule in p["spec"]["ingress"]:
                ports = {port.get("port") for port in rule.get("ports") or []}
                if ports != {8080}:
                    problems.append(f"{build.name}: {p['metadata']['name']} opens {ports or 'every port'}, not only 8080")
                if not rule.get("from"):
                    problems.append(f"{build.name}: {p['metadata']['name']} admits every source")
        if not ((container.get("lifecycle") or {}).get("preStop")):
            problems.append(f"{build.name}: the model server container of {repo_name} has no preStop delay")
        if "overlays-prod" in build.name:
            # Two replicas only keep the service up through a node drain with both of these.
            pdbs = [
                d for d in docs
                if d.get("kind") == "PodDisruptionBudget"
                and ((d["spec"].get("selector") or {}).get("matchLabels") or {}).items() <= pod_labels.items()
                and (d["spec"]["selector"]["matchLabels"])
            ]  # fmt: skip
            if not pdbs:
                problems.append(f"{build.name}: no PodDisruptionBudget selects the model server's pods")
            pod_spec = isvc["spec"]["predictor"] if serving == "kserve" else dep["spec"]["template"]["spec"]
            spread = pod_spec.get("topologySpreadConstraints") or []
            if not any(
                (c.get("labelSelector") or {}).get("matchLabels", {}).items() <= pod_labels.items()
                and c.get("topologyKey") == "kubernetes.io/hostname"
                for c in spread
            ):
                problems.append(f"{build.name}: the model server's pods are not spread over nodes")
    problems += model_store_problems(ans, builds)
    problems += batch_scoring_problems(ans, builds)
    store = ans.get("model_store", "image") if ans.get("training", "none") != "none" else "image"
    batch = serving == "none" and ans.get("training", "none") != "none"
    return finish(
        problems,
        f"{len(builds)} build(s): default-deny, model-server policy and preStop in place"
        + ("; prod has a PodDisruptionBudget and spreads over nodes" if serving != "none" else "")
        + f"; model store {store}"
        + ("" if store == "image" else ": training publishes where serving/scoring reads")
        + ("; the CronWorkflow batch-scores from and to storage that outlives its pods" if batch else ""),
    )


# Where KServe provides a custom predictor's STORAGE_URI content (constants.DefaultModelLocalMountPath).
KSERVE_MODEL_PATH = "/mnt/models"


def _store_of(container: dict, volumes: list[dict], kserve: bool = False) -> str | None:
    """Where a container's MODEL_STORE points: the claim behind a mounted path, or the URI. With
    kserve (a predictor container), a pvc:// STORAGE_URI is the claim KServe mounts at /mnt/models."""
    env = {e["name"]: e for e in container.get("env") or []}
    store = (env.get("MODEL_STORE") or {}).get("value")
    if store is None:
        return None
    if store.startswith("s3://"):
        bucket = ((env.get("BUCKET_NAME") or {}).get("valueFrom") or {}).get("configMapKeyRef", {})
        return f"{store} (bucket of ConfigMap {bucket.get('name')})"
    uri = (env.get("STORAGE_URI") or {}).get("value") or ""
    under_models = store == KSERVE_MODEL_PATH or store.startswith(KSERVE_MODEL_PATH + "/")
    if kserve and uri.startswith("pvc://") and under_models:
        claim, _, sub = uri[len("pvc://") :].partition("/")
        sub = "/" + sub.strip("/") if sub.strip("/") else ""
        return f"claim {claim}{sub}{store[len(KSERVE_MODEL_PATH) :]}"
    for mount in container.get("volumeMounts") or []:
        if store == mount["mountPath"] or store.startswith(mount["mountPath"].rstrip("/") + "/"):
            claim = next(
                (v.get("persistentVolumeClaim", {}).get("claimName") for v in volumes if v["name"] == mount["name"]),
                None,
            )
            return f"claim {claim}{store[len(mount['mountPath']):]}"
    return f"unmounted path {store}"


def _workflow_specs(builds: list[Path], problems: list[str]):
    """(build, its documents, the CronWorkflow's workflowSpec) per build; a build without a
    CronWorkflow is a problem."""
    import yaml

    for build in builds:
        docs = [d for d in yaml.safe_load_all(build.read_text(encoding="utf-8")) if d]
        cron = next((d for d in docs if d.get("kind") == "CronWorkflow"), None)
        if cron is None:
            problems.append(f"{build.name}: no CronWorkflow")
            continue
        yield build, docs, cron["spec"]["workflowSpec"]


def model_store_problems(ans: dict, builds: list[Path]) -> list[str]:
    """With a model store, training publishes to the store that serving (or batch scoring) reads."""
    store = ans.get("model_store", "image")
    if ans.get("training", "none") == "none" or store == "image":
        return []
    problems: list[str] = []
    for build, docs, spec in _workflow_specs(builds, problems):
        containers = {t["name"]: t["container"] for t in spec["templates"] if "container" in t}
        writer = _store_of(containers.get("train", {}), spec.get("volumes") or [])
        readers: dict[str, str | None] = {}
        serving = ans.get("serving", "none")
        if serving == "deployment":
            dep = next(d for d in docs if d.get("kind") == "Deployment")
            pod = dep["spec"]["template"]["spec"]
            readers["model server"] = _store_of(pod["containers"][0], pod.get("volumes") or [])
        elif serving == "kserve":
            pred = next(d for d in docs if d.get("kind") == "InferenceService")["spec"]["predictor"]
            readers["model server"] = _store_of(pred["containers"][0], pred.get("volumes") or [], kserve=True)
            # KServe loads a claim through the storage URI, never through a volume of the predictor's own.
            own = [v["name"] for v in pred.get("volumes") or [] if "persistentVolumeClaim" in v]
            if store == "pvc" and own:
                problems.append(f"{build.name}: the InferenceService mounts {own} itself instead of STORAGE_URI=pvc://")
        elif "score" in containers:
            readers["batch scoring"] = _store_of(containers["score"], spec.get("volumes") or [])
        else:
            problems.append(f"{build.name}: serving=none with a {store} store but no batch scoring step")
        if writer is None or writer.startswith("unmounted"):
            problems.append(f"{build.name}: the training container publishes to no model store ({writer})")
        for who, where in readers.items():
            if where != writer:
                problems.append(f"{build.name}: training publishes to {writer}, the {who} reads {where}")
        if store == "s3" and not any(d.get("kind") == "ObjectBucketClaim" for d in docs):
            problems.append(f"{build.name}: model_store=s3 but no ObjectBucketClaim")
        if store == "pvc" and not any(d.get("kind") == "PersistentVolumeClaim" for d in docs):
            problems.append(f"{build.name}: model_store=pvc but no PersistentVolumeClaim")
    return problems


def _claim_of(container: dict, volumes: list[dict], path: str) -> str | None:
    """The PersistentVolumeClaim a container's path lies on (through its volumeMounts), else None."""
    for mount in container.get("volumeMounts") or []:
        root = mount["mountPath"].rstrip("/")
        if path == root or path.startswith(root + "/"):
            volume = next((v for v in volumes if v["name"] == mount["name"]), {})
            return (volume.get("persistentVolumeClaim") or {}).get("claimName")
    return None


def batch_scoring_problems(ans: dict, builds: list[Path]) -> list[str]:
    """serving=none with scheduled training: the CronWorkflow's entrypoint ends in batch scoring
    (`<package>.predict INPUT --output OUTPUT`) whose input and output outlive its pods (a claim of
    the same build, or the model store's bucket with its credentials). With a model store it trains
    (and publishes) first and scores after; with model_store=image it trains nothing, since
    nothing could use that model."""
    if ans.get("serving", "none") != "none" or ans.get("training", "none") == "none":
        return []
    store, pkg = ans.get("model_store", "image"), ans.get("package_name", "")
    problems: list[str] = []
    for build, docs, spec in _workflow_specs(builds, problems):
        templates = {t["name"]: t for t in spec.get("templates") or []}
        entry = templates.get(spec.get("entrypoint"))
        if entry is None:
            problems.append(f"{build.name}: the CronWorkflow's entrypoint {spec.get('entrypoint')!r} is no template")
            continue
        order = [entry["name"]] if "container" in entry else [
            step["template"] for group in entry.get("steps") or [] for step in group
        ]  # fmt: skip

        def argv(name: str) -> list[str]:
            c = (templates.get(name) or {}).get("container") or {}
            return [str(a) for a in (c.get("command") or []) + (c.get("args") or [])]

        scoring = [n for n in order if f"{pkg}.predict" in argv(n)]
        training = [n for n in order if f"{pkg}.train" in argv(n)]
        if not scoring:
            problems.append(f"{build.name}: the CronWorkflow runs no batch scoring ({pkg}.predict) from {entry['name']}")
            continue
        if store == "image" and training:
            problems.append(f"{build.name}: model_store=image but the CronWorkflow trains ({training[0]}) a model nothing uses")
        if store != "image" and (not training or order.index(training[0]) > order.index(scoring[0])):
            problems.append(f"{build.name}: model_store={store} but the CronWorkflow does not train before it scores ({order})")
        container = templates[scoring[0]]["container"]
        args = argv(scoring[0])
        rest = args[args.index(f"{pkg}.predict") + 1 :]
        if "--output" not in rest[:-1]:
            problems.append(f"{build.name}: the scoring step writes no --output ({' '.join(args)})")
            continue
        output = rest[rest.index("--output") + 1]
        inputs = [a for i, a in enumerate(rest) if not a.startswith("-") and (i == 0 or rest[i - 1] != "--output")]
        if len(inputs) != 1 or inputs[0] == output:
            problems.append(f"{build.name}: the scoring step needs one input other than its output ({' '.join(args)})")
            continue
        env = {e["name"]: e for e in container.get("env") or []}
        claims = {d["metadata"]["name"] for d in docs if d.get("kind") == "PersistentVolumeClaim"}
        buckets = {d["metadata"]["name"] for d in docs if d.get("kind") == "ObjectBucketClaim"}
        for role, where in (("input", inputs[0]), ("output", output)):
            if where.startswith("s3://"):
                config = ((env.get("BUCKET_NAME") or {}).get("valueFrom") or {}).get("configMapKeyRef", {}).get("name")
                secrets = {(e.get("secretRef") or {}).get("name") for e in container.get("envFrom") or []}
                if not where.startswith("s3://$(BUCKET_NAME)/") or config not in buckets:
                    problems.append(f"{build.name}: scoring {role} {where} is not in the bucket of an ObjectBucketClaim of the build")
                elif config not in secrets or "AWS_ENDPOINT_URL" not in env:
                    problems.append(f"{build.name}: the scoring step reads {where} without the bucket's endpoint and credentials")
            else:
                claim = _claim_of(container, spec.get("volumes") or [], where)
                if claim is None:
                    problems.append(f"{build.name}: scoring {role} {where} is on no mounted claim (it vanishes with the pod)")
                elif claim not in claims:
                    problems.append(f"{build.name}: scoring {role} {where} is on claim {claim}, which the build does not hold")
    return problems


# --------------------------------------------------------------------------- secrets
def _plaintext_secrets(docs, where: str) -> list[str]:
    return [
        f"{where}: Secret/{(d.get('metadata') or {}).get('name', '?')} holds {key} in plaintext"
        for d in docs
        if isinstance(d, dict) and d.get("kind") == "Secret"
        for key in ("data", "stringData")
        if d.get(key)
    ]


def _image_pod_specs(doc: dict, image: str):
    """(description, pod spec) of each pod spec of doc whose containers run the project image."""
    kind, name = doc.get("kind"), (doc.get("metadata") or {}).get("name", "?")
    spec = doc.get("spec") or {}
    pods = []
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"):
        pods.append(((spec.get("template") or {}).get("spec") or {}, lambda p: p.get("containers", []) + p.get("initContainers", [])))
    elif kind == "CronJob":
        tpl = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}
        pods.append((tpl.get("spec") or {}, lambda p: p.get("containers", []) + p.get("initContainers", [])))
    elif kind == "Pod":
        pods.append((spec, lambda p: p.get("containers", []) + p.get("initContainers", [])))
    elif kind == "InferenceService":
        for part in ("predictor", "transformer", "explainer"):
            if part in spec:
                pods.append((spec[part], lambda p: p.get("containers", []) + p.get("initContainers", [])))
    elif kind in ("CronWorkflow", "Workflow", "WorkflowTemplate"):
        wf = spec.get("workflowSpec", spec) if kind == "CronWorkflow" else spec
        pods.append((wf, lambda p: [
            c for t in p.get("templates", []) for c in [t.get("container"), t.get("script")] + t.get("initContainers", []) if c
        ]))  # fmt: skip
    for pod, containers in pods:
        images = [c.get("image", "") for c in containers(pod)]
        if any(i == image or i.startswith((image + ":", image + "@")) for i in images):
            yield f"{kind}/{name}", pod


def cmd_secrets(root: Path, builds: list[Path]) -> int:
    """No plaintext Secret anywhere; with external-secrets, every pod running the image pulls with
    the secret an ExternalSecret materialises."""
    import yaml

    ans = answers(root)
    problems: list[str] = []
    scanned = 0
    for f in walk_files(root):
        if f.suffix not in (".yaml", ".yml", ".json"):
            continue
        text = read_text(f)
        if text is None or "Secret" not in text:
            continue
        scanned += 1
        try:
            docs = list(yaml.safe_load_all(text))
        except yaml.YAMLError:
            secret = re.search(r"^kind:\s*Secret\s*$", text, re.MULTILINE)
            if secret and re.search(r"^(data|stringData):", text, re.MULTILINE):
                problems.append(f"{f.relative_to(root)}: looks like a Secret with data (not parseable YAML)")
            continue
        problems += _plaintext_secrets(docs, str(f.relative_to(root)))
    external = ans.get("secrets") == "external-secrets" and (
        ans.get("serving", "none") != "none" or ans.get("training", "none") != "none"
    )
    image = f"{ans.get('container_registry', '')}/{ans.get('image_name', '')}"
    pods_checked = 0
    for build in builds:
        docs = [d for d in yaml.safe_load_all(build.read_text(encoding="utf-8")) if d]
        problems += _plaintext_secrets(docs, build.name)
        if not external:
            continue
        pull = {
            ((d["spec"].get("target") or {}).get("name") or d["metadata"]["name"])
            for d in docs
            if d.get("kind") == "ExternalSecret"
            and ((d["spec"].get("target") or {}).get("template") or {}).get("type") == "kubernetes.io/dockerconfigjson"
        }  # fmt: skip
        pods = [p for d in docs for p in _image_pod_specs(d, image)]
        if pods and not pull:
            problems.append(f"{build.name}: secrets=external-secrets but no ExternalSecret makes a dockerconfigjson pull secret")
        for what, pod in pods:
            pods_checked += 1
            names = {s.get("name") for s in pod.get("imagePullSecrets") or []}
            if not names & pull:
                problems.append(f"{build.name}: {what} runs {image} without the pull secret {sorted(pull) or '?'} in imagePullSecrets")
    return finish(
        problems,
        f"no plaintext Secret in {scanned} candidate file(s) and {len(builds)} build(s)"
        + (f"; {pods_checked} image-pulling pod spec(s) use the ExternalSecret's pull secret" if external else ""),
    )


# --------------------------------------------------------------------------- model path
def junit_results(junit: Path, module: str) -> tuple[set[str], list[str]]:
    """The tests of MODULE (e.g. tests.test_model_path) that passed in a pytest JUnit XML report,
    and one line per test of it that failed, errored or was not found."""
    import xml.etree.ElementTree as ET

    passed: set[str] = set()
    failed: list[str] = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = (case.get("name") or "").split("[")[0]
        if case.get("classname") != module:
            # a collection error of the module is reported under its name
            if case.get("name") == module and case.find("error") is not None:
                failed.append(f"{module}: collection error")
            continue
        outcome = [c.tag for c in case if c.tag in ("failure", "error", "skipped")]
        if "failure" in outcome or "error" in outcome:
            failed.append(f"{name}: {', '.join(outcome)}")
        elif not outcome:
            passed.add(name)
    return passed, failed


def cmd_model_path(root: Path, junit: Path | None = None) -> int:
    """Run the generated project's own model-path test and require each stage of it to pass.
    With JUNIT (the JUnit XML report of the pytest check, which has just run the whole suite, this
    file included, with this Python in this folder) its results are read instead of running the
    file a second time."""
    import subprocess

    ans = answers(root)
    test = root / "tests" / "test_model_path.py"
    if not test.is_file():
        return finish(["tests/test_model_path.py is missing"], "")
    problems: list[str] = []
    if junit is not None and junit.is_file():
        print(f"results of tests/test_model_path.py from the pytest check ({junit})")
        passed, failed = junit_results(junit, "tests.test_model_path")
        problems += [f"pytest: {line}" for line in failed]
    else:
        env = {**os.environ, "PYTHONPATH": "src", "PYTHONDONTWRITEBYTECODE": "1"}
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", "-q", str(test)],
            cwd=root, env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        passed = set(re.findall(r"^PASSED \S+::(\w+)", run.stdout, re.M))
        if run.returncode != 0:
            problems.append(f"pytest exited {run.returncode}:\n{run.stdout[-3000:]}{run.stderr[-2000:]}")
    wanted = {"test_batch_scoring_writes_predictions_for_a_folder"}
    if ans.get("serving", "none") != "none":
        wanted |= {
            "test_the_server_reports_the_trained_version",
            "test_the_server_scores_like_the_batch_job",
            "test_the_server_stops_cleanly_on_sigterm",
        }
    problems = [f"{name} did not pass" for name in sorted(wanted - passed)] + problems
    return finish(problems, f"model path passed: {', '.join(sorted(passed))}")


# --------------------------------------------------------------------------- coverage
def cmd_coverage(template_toml: Path) -> int:
    """Every value of every choice (and both values of every bool) appears in the combinations
    read from stdin, one per line: NAME key=value..."""
    questions = tomllib.loads(template_toml.read_text(encoding="utf-8")).get(
        "questions", []
    )
    combos = []
    for line in sys.stdin.read().splitlines():
        words = line.split()
        if words:
            combos.append(dict(w.split("=", 1) for w in words[1:]))
    problems = []
    for q in questions:
        name = q["name"]
        if "choices" in q:
            wanted = [str(c) for c in q["choices"]]
        elif q.get("type") == "bool":
            wanted = ["true", "false"]
        else:
            continue
        default = q.get("default", "")
        default = str(default).lower() if isinstance(default, bool) else str(default)
        if (
            "{{" in default
        ):  # a computed default; these combinations only rely on it being true
            default = "true"
        seen = {c.get(name, default) for c in combos}
        missing = [v for v in wanted if v not in seen]
        if missing:
            problems.append(f"{name}: no combination uses {', '.join(missing)}")
        else:
            print(f"  ok {name}: {', '.join(wanted)}")
    return finish(problems, f"{len(combos)} combinations cover every choice")


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    cmd, args = argv[0], argv[1:]
    try:
        if cmd == "notebooks" and len(args) == 1:
            return cmd_notebooks(Path(args[0]))
        if cmd == "crs" and len(args) >= 4 and args[1] == "--answers":
            return cmd_crs(Path(args[0]), [Path(a) for a in args[3:]], Path(args[2]))
        if cmd == "crs" and len(args) >= 2:
            return cmd_crs(Path(args[0]), [Path(a) for a in args[1:]])
        if cmd == "known-kinds" and len(args) == 1:
            return cmd_known_kinds(Path(args[0]))
        if cmd == "alerts" and len(args) == 3:
            return cmd_alerts(Path(args[0]), Path(args[1]), Path(args[2]))
        if cmd == "alert-environments" and len(args) >= 1:
            return cmd_alert_environments([Path(a) for a in args])
        if cmd == "two-environment" and len(args) >= 3:
            return cmd_two_environment(Path(args[0]), [Path(a) for a in args[2:]], Path(args[1]))
        if cmd == "links" and len(args) == 1:
            return cmd_links(Path(args[0]))
        if cmd == "unrendered" and len(args) == 2:
            return cmd_unrendered(Path(args[0]), Path(args[1]))
        if cmd == "coverage" and len(args) == 1:
            return cmd_coverage(Path(args[0]))
        if cmd == "dashboards" and len(args) >= 1:
            return cmd_dashboards(Path(args[0]), [Path(a) for a in args[1:]])
        if cmd == "actions" and len(args) == 1:
            return cmd_actions(Path(args[0]))
        if cmd == "workloads" and len(args) >= 2:
            return cmd_workloads(Path(args[0]), [Path(a) for a in args[1:]])
        if cmd == "secrets" and len(args) >= 1:
            return cmd_secrets(Path(args[0]), [Path(a) for a in args[1:]])
        if cmd == "model-path" and len(args) == 1:
            return cmd_model_path(Path(args[0]))
        if cmd == "model-path" and len(args) == 3 and args[1] == "--junit":
            return cmd_model_path(Path(args[0]), Path(args[2]))
        if cmd == "lock" and len(args) == 1:
            return cmd_lock(Path(args[0]))
        if cmd == "expect" and len(args) == 1:
            return cmd_expect(Path(args[0]))
    except Exception as exc:  # noqa: BLE001 - report, never a traceback-only failure
        print(f"  problem: {type(exc).__name__}: {exc}")
        return 1
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
