"""Fuzzing the commands with hostile input: whatever arrives, netsim answers or refuses cleanly.

Two sources of input: manifests built from the NetworkPolicy, Pod and Namespace schemas with
random parts replaced by values of the wrong type (a list for a mapping, ``yes`` for a label,
null for a selector, ...), and byte-level mutations of the bundled scenarios (NUL bytes, bad
UTF-8, tabs, aliases, ``!!python`` tags, template text, cut files). Every run of check, matrix,
connections and lint must end with exit status 0, 1 or 2 and no traceback; for input that loads,
``check`` must agree with :func:`netsim.engine.evaluate`.

Example counts come from the ``ci`` profile (the default) or ``long``; see tests/property/__init__.py.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import event, given, settings
from hypothesis import strategies as st

from netsim.cli import main
from netsim.endpoints import resolve_endpoint
from netsim.engine import PolicyIndex, evaluate
from netsim.errors import NetsimError
from netsim.loader import load_cluster
from netsim.model import Cluster, Pod, Protocol, Traffic
from netsim.verdict import Decision
from tests.conftest import SCENARIOS
from tests.property import FUZZ_PROFILES

pytestmark = pytest.mark.property

_current = settings.get_current_profile_name()
FUZZ = settings(settings.get_profile(_current if _current in FUZZ_PROFILES else "ci"))

NAMESPACES = ("default", "a", "b")
KEYS = ("app", "tier")
VALUES = ("web", "db")
PORTS = (80, 443, 5432)
PORT_NAMES = ("http", "pg")
#: Values of the wrong type or shape for almost any field, and texts YAML reads as something else.
TRICKY_TEXT = ("yes", "no", "on", "1.10", "0x_", "0b_", "~", "null", "2024-01-01", "12:30", "<<", "=", "!", "*a")


class Plain(str):
    """A string dumped without quotes, so that YAML reads it as whatever it looks like (yes → bool)."""

    __slots__ = ()


def _plain(dumper: yaml.SafeDumper, value: Plain) -> yaml.ScalarNode:
    resolver: Any = dumper  # the resolver's methods are untyped in the stubs
    tag = resolver.resolve(yaml.ScalarNode, str(value), (True, False))
    return dumper.represent_scalar(tag, str(value))


yaml.SafeDumper.add_representer(Plain, _plain)

junk: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from(TRICKY_TEXT).map(Plain),
    st.lists(st.sampled_from([0, "x", None]), max_size=2),
    st.dictionaries(st.sampled_from(["x", "matchLabels", "port", "cidr"]), st.integers(0, 3), max_size=2),
)

labels = st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), max_size=2)


@st.composite
def selectors(draw: st.DrawFn) -> dict[str, Any]:
    selector: dict[str, Any] = {}
    if draw(st.booleans()):
        selector["matchLabels"] = draw(labels)
    if draw(st.booleans()):
        operator = draw(st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist"]))
        expression: dict[str, Any] = {"key": draw(st.sampled_from(KEYS)), "operator": operator}
        if operator in ("In", "NotIn"):
            expression["values"] = draw(st.lists(st.sampled_from(VALUES), min_size=1, max_size=2))
        selector["matchExpressions"] = [expression]
    return selector


@st.composite
def peers(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["pod", "namespace", "both", "ipBlock"]))
    if kind == "ipBlock":
        block: dict[str, Any] = {"cidr": "10.0.0.0/16"}
        if draw(st.booleans()):
            block["except"] = ["10.0.1.0/24"]
        return {"ipBlock": block}
    peer = {}
    if kind in ("pod", "both"):
        peer["podSelector"] = draw(selectors())
    if kind in ("namespace", "both"):
        peer["namespaceSelector"] = draw(selectors())
    return peer


ports: st.SearchStrategy[dict[str, Any]] = st.one_of(
    st.sampled_from(PORTS).map(lambda p: {"port": p}),
    st.sampled_from(PORT_NAMES).map(lambda p: {"port": p}),
    st.just({"protocol": "UDP", "port": 53}).map(dict),  # copies: the corruptions edit in place
    st.just({"port": 80, "endPort": 450}).map(dict),
    st.builds(dict),
)


@st.composite
def rules(draw: st.DrawFn, peers_key: str) -> dict[str, Any]:
    rule: dict[str, Any] = {}
    if draw(st.booleans()):
        rule[peers_key] = draw(st.lists(peers(), max_size=2))
    if draw(st.booleans()):
        rule["ports"] = draw(st.lists(ports, max_size=2))
    return rule


@st.composite
def policies(draw: st.DrawFn, namespace: str, name: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"podSelector": draw(selectors())}
    if draw(st.booleans()):
        spec["ingress"] = draw(st.lists(rules("from"), max_size=2))
    if draw(st.booleans()):
        spec["egress"] = draw(st.lists(rules("to"), max_size=2))
    if draw(st.booleans()):
        spec["policyTypes"] = list(draw(st.sampled_from([("Ingress",), ("Egress",), ("Ingress", "Egress")])))
    metadata = {"name": name, "namespace": namespace}
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": metadata, "spec": spec}


def pod(namespace: str, name: str, pod_labels: dict[str, str], index: int) -> dict[str, Any]:
    container_ports = [{"name": n, "containerPort": p} for n, p in zip(PORT_NAMES, (80, 5432), strict=True)]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": pod_labels},
        "spec": {"containers": [{"name": "c", "ports": container_ports}]},
        "status": {"podIP": f"10.0.{index // 200}.{index % 200 + 1}"},
    }


@st.composite
def clusters(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Valid manifests: Namespaces, Pods and NetworkPolicies over tiny pools (so selectors match)."""
    docs: list[dict[str, Any]] = []
    for ns in draw(st.sets(st.sampled_from(NAMESPACES), min_size=1)):
        docs.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": draw(labels)}})
    names = draw(st.lists(st.tuples(st.sampled_from(NAMESPACES), st.sampled_from("pqrs")), min_size=1, max_size=5))
    for i, (ns, name) in enumerate(dict.fromkeys(names)):
        docs.append(pod(ns, name, draw(labels), i))
    for i in range(draw(st.integers(0, 4))):
        docs.append(draw(policies(draw(st.sampled_from(NAMESPACES)), f"np{i}")))
    return docs


def _slots(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) in ``value``, each container once (sharing may make cycles)."""
    out: list[tuple[Any, Any]] = []
    seen: set[int] = set()
    todo = [value]
    while todo:
        current = todo.pop()
        if not isinstance(current, dict | list) or id(current) in seen:
            continue
        seen.add(id(current))
        keys = list(current) if isinstance(current, dict) else list(range(len(current)))
        out.extend((current, key) for key in keys)
        todo.extend(current[key] for key in reversed(keys))
    return out


@st.composite
def corrupted(draw: st.DrawFn) -> tuple[list[Any], bool]:
    """Manifests, and whether they are still the valid ones: up to three parts replaced by junk,
    removed, or shared through a YAML alias, or an unknown field added."""
    docs: list[Any] = draw(clusters())
    changes = draw(st.integers(0, 3))
    for _ in range(changes):
        slots = _slots(docs)
        container, key = draw(st.sampled_from(slots))
        action = draw(st.sampled_from(["junk", "junk", "drop", "share", "unknown"]))
        if action == "junk":
            container[key] = draw(junk)
        elif action == "drop" and isinstance(container, dict):
            del container[key]
        elif action == "share":  # the same object twice (or inside itself): the dumper writes an alias
            container[key] = draw(st.sampled_from(slots))[0]
        elif isinstance(container, dict):
            container[draw(st.sampled_from(["podselector", "x", "ports"]))] = draw(junk)
    return docs, changes == 0


def _dump(docs: list[Any], style: str) -> bytes:
    if style == "json":
        try:
            return json.dumps({"apiVersion": "v1", "kind": "List", "items": docs}, default=str).encode()
        except ValueError:  # a cycle (JSON has no aliases) or a float JSON cannot write
            pass
    if style == "list":
        return yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": docs}, sort_keys=False).encode()
    return yaml.safe_dump_all(docs, sort_keys=False).encode()


# -- running the commands ---------------------------------------------------------------------------


def run(argv: list[str]) -> Result:
    """One command; fails the test on a traceback or an exit status other than 0, 1, 2 and 3
    (undetermined: a mutation can turn a policy into a kind netsim does not evaluate)."""
    result = CliRunner().invoke(main, argv)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"netsim {' '.join(argv)} raised {result.exception!r}") from result.exception
    assert result.exit_code in (0, 1, 2, 3), (argv, result.exit_code, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def pods_of(cluster: Cluster) -> list[Pod]:
    return [p for p in cluster.pods if p.kind == "Pod" and not p.host_network]


def two_pods(data: st.DataObject, candidates: list[Pod]) -> tuple[Pod, Pod]:
    """Two pods, distinct when there are two (a pod may always reach itself: nothing to check)."""
    source = data.draw(st.sampled_from(candidates))
    others = [p for p in candidates if p is not source] or [source]
    return source, data.draw(st.sampled_from(others))


def check_every_command(path: str, choose: Callable[[list[Pod]], tuple[Pod, Pod, int]]) -> None:
    """check, matrix, connections and lint on ``path``; check agrees with evaluate() when it loads."""
    try:
        cluster: Cluster | None = load_cluster([path]).cluster
    except NetsimError:
        cluster = None
    event("loads" if cluster is not None else "refused")
    for argv in (["matrix", path, "--port", "80"], ["connections", path], ["lint", path]):
        result = run(argv)
        assert (result.exit_code == 2) == (cluster is None), (argv, result.stderr)
    candidates = pods_of(cluster) if cluster is not None else []
    if cluster is None or not candidates:
        result = run(["check", path, "--from", "default/p", "--to", "default/q", "--port", "80"])
        assert result.exit_code == 2
        return
    source, destination, port = choose(candidates)
    src, dst = f"{source.namespace}/{source.name}", f"{destination.namespace}/{destination.name}"
    result = run(["check", path, "--from", src, "--to", dst, "--port", str(port)])
    try:
        traffic = Traffic(resolve_endpoint(cluster, src), resolve_endpoint(cluster, dst), port, Protocol.TCP)
    except NetsimError:  # e.g. a name shared by a pod and a workload: the command refuses it too
        assert result.exit_code == 2
        return
    decision = evaluate(PolicyIndex(cluster), traffic).decision
    event(f"check: {decision.value}")
    expected = {Decision.ALLOWED: 0, Decision.DENIED: 1, Decision.UNDETERMINED: 3}[decision]
    assert result.exit_code == expected, (src, dst, port, result.stdout, result.stderr)


# -- the fuzz tests -------------------------------------------------------------------------------


@FUZZ
@given(corrupted(), st.sampled_from(["yaml", "list", "json"]), st.data())
def test_structurally_random_manifests(docs: tuple[list[Any], bool], style: str, data: st.DataObject) -> None:
    manifests, valid = docs
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "manifests.yaml"
        path.write_bytes(_dump(manifests, style))
        if valid:  # untouched manifests of the schema: they must load
            load_cluster([str(path)])

        def choose(candidates: list[Pod]) -> tuple[Pod, Pod, int]:
            return (*two_pods(data, candidates), data.draw(st.sampled_from(PORTS)))

        check_every_command(str(path), choose)


SCENARIO_DIRS = sorted(p for p in SCENARIOS.rglob("*") if p.is_dir() and p.name in ("manifests", "fixed"))
#: Bytes that break YAML, UTF-8 or netsim's rules, inserted at random places.
NASTY = (
    b"\x00",
    b"\t",
    b"\xff",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"\r\n",
    b"\r",
    b"\n---\n",
    b"\n...\n",
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"!!python/object/apply:os.system ['true'] ",
    b"!!int ",
    b"!!binary ",
    b"!custom ",
    b"{{ .Values.name }}",
    b"[",
    b"]",
    b"{",
    b"}",
    b": ",
    b"- ",
    b"'",
    b'"',
    b"# ",
    b"%YAML 1.1\n---\n",
    b"yes",
    b"1.10",
    b"0x_",
    b"~",
    b"null",
    b"   ",
)


@st.composite
def mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with one to four random edits: a byte changed, bytes inserted or removed, or cut."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(out)))
        action = draw(st.sampled_from(["insert", "insert", "replace", "delete", "cut"]))
        if action == "insert":
            out[at:at] = draw(st.one_of(st.sampled_from(NASTY), st.binary(min_size=1, max_size=4)))
        elif action == "replace" and at < len(out):
            out[at] = draw(st.integers(0, 255))
        elif action == "delete":
            del out[at : at + draw(st.integers(1, 16))]
        elif action == "cut":
            del out[at:]
    return bytes(out)


@FUZZ
@given(st.sampled_from(SCENARIO_DIRS), st.data())
def test_byte_mutations_of_the_scenarios(scenario: Path, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(shutil.copytree(scenario, Path(tmp) / "manifests"))
        files = sorted(p for p in copy.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
        victim = data.draw(st.sampled_from(files))
        victim.write_bytes(data.draw(mutations(victim.read_bytes())))

        def choose(candidates: list[Pod]) -> tuple[Pod, Pod, int]:
            return (*two_pods(data, candidates), data.draw(st.sampled_from((*PORTS, 53, 8080))))

        check_every_command(str(copy), choose)


def test_the_fuzz_corpus_is_there() -> None:
    assert len(SCENARIO_DIRS) >= 5
    assert all(any(d.rglob("*.yaml")) for d in SCENARIO_DIRS)


def test_the_profiles_are_registered() -> None:
    assert settings.get_profile("ci").max_examples < settings.get_profile("long").max_examples
    assert FUZZ.deadline is None
