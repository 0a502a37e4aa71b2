"""Did you mean: what a misspelt endpoint or namespace suggests, closest first (netsim.endpoints.suggest
compares namespace and name apart), in unit tests and through click's CliRunner with exact stderr.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from netsim.cli import main
from netsim.endpoints import suggest

#: A cluster whose objects all name their namespace (so -n places nothing), with names close to
#: each other: payments/api (a Deployment), payments/batch, shop/api, shop/web.
NAMES = """\
apiVersion: v1
kind: Namespace
metadata: {name: payments}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: payments}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api}]}
---
apiVersion: v1
kind: Pod
metadata: {name: batch, namespace: payments, labels: {app: batch}}
spec: {containers: [{name: batch, image: batch}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: api, image: api}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web, image: web}]}
"""


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "names.yaml").write_text(NAMES, encoding="utf-8")
    return tmp_path


def invoke(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(main, list(args))


ENDPOINTS = ["payments/api[Deployment]", "payments/batch", "shop/api", "shop/web", "payments/vault[Deployment]"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # the same name in the closest namespace first, then the same name elsewhere, then other
        # names in the closest namespace
        ("payment/api", ("payments/api[Deployment]", "shop/api", "payments/batch")),
        ("Payments/API", ("payments/api[Deployment]", "shop/api", "payments/batch")),
        ("payments/ap", ("payments/api[Deployment]", "payments/batch", "payments/vault[Deployment]")),
        ("payments/batc", ("payments/batch", "payments/vault[Deployment]", "payments/api[Deployment]")),
        ("shop/wbe", ("shop/web", "shop/api")),
        ("shp/web", ("shop/web", "shop/api")),
        ("prod/web", ("shop/web",)),
        # a kind typed counts a little
        ("payments/api[Deploy]", ("payments/api[Deployment]", "payments/vault[Deployment]", "shop/api")),
        ("nothing-like-it", ()),
    ],
)
def test_suggest_ranks_namespace_and_name_apart(typed: str, expected: tuple[str, ...]) -> None:
    assert suggest(typed, ENDPOINTS) == expected
    assert suggest(typed, list(reversed(ENDPOINTS))) == expected, "the order given does not matter"


def test_suggest_puts_the_closest_first() -> None:
    close = suggest("payment/api", ["payments/batch", "shop/api", "payments/api[Deployment]", "payments/apx"])
    # a typo in the namespace costs less than another name; a typo in the name less than another namespace
    assert close == ("payments/api[Deployment]", "payments/apx", "shop/api")


def test_suggest_a_namespace_for_ns_slash_name() -> None:
    assert suggest("shop/web", ["shop", "tools"]) == ("shop",)
    assert suggest("payment", ["payments", "shop", "kube-system"]) == ("payments",)


def test_suggest_maps_spellings_to_what_it_shows() -> None:
    names = {"shop/web": "shop/web[Deployment]", "shop/web[Deployment]": "shop/web[Deployment]", "shop/db": "shop/db"}
    assert suggest("shop/wbe", names) == ("shop/web[Deployment]", "shop/db")


def test_unknown_endpoint_suggests_the_closest_first(runner: CliRunner) -> None:
    result = invoke(runner, "check", "names.yaml", "--from", "payment/api", "--to", "shop/web", "--port", "80")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: unknown endpoint 'payment/api': no such pod or workload; "
        "did you mean 'payments/api[Deployment]', 'shop/api', 'payments/batch'?\n"
    )
    result = invoke(runner, "connections", "names.yaml", "--to", "payment/api")
    assert result.stderr == (
        "error: --to payment/api: no such endpoint; "
        "did you mean 'payments/api[Deployment]', 'shop/api[Pod]', 'payments/batch[Pod]'?\n"
    )


def test_focus_suggests_a_namespace(runner: CliRunner) -> None:
    result = invoke(runner, "connections", "names.yaml", "--focus", "payment")
    assert result.exit_code == 2
    assert result.stderr == "error: --focus payment: no such namespace in the input; did you mean 'payments'?\n"
