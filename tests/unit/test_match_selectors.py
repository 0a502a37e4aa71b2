"""Label selector matching (docs/semantics.md, "Label selectors"), pinned to apimachinery's
``labels.Requirement.Matches``."""

from __future__ import annotations

import pytest

from netsim.match.selectors import explain_selector_miss, matches_requirement, matches_selector
from netsim.model import Labels, LabelSelector, Requirement
from tests.unit.builders import expr, sel

WEB_PROD = Labels({"app": "web", "env": "prod"})
WEB = Labels({"app": "web"})
NONE = Labels()


@pytest.mark.parametrize(
    ("req", "labels", "expected"),
    [
        # In: the key must be present with one of the values
        pytest.param(expr("env", "In", "prod"), WEB_PROD, True, id="In-value-listed"),
        pytest.param(expr("env", "In", "dev", "prod"), WEB_PROD, True, id="In-one-of-several"),
        pytest.param(expr("env", "In", "dev"), WEB_PROD, False, id="In-value-not-listed"),
        pytest.param(expr("env", "In", "prod"), WEB, False, id="In-absent-key-false"),
        # NotIn: apimachinery labels.Requirement.Matches (selector.go) returns
        #   `if !ls.Has(r.key) { return true }` for NotIn, so an absent key MATCHES. cyclonus
        #   returns false here; Kubernetes wins (docs/semantics.md, "Label selectors"; lint NP014).
        pytest.param(expr("env", "NotIn", "prod"), WEB, True, id="NotIn-absent-key-true"),
        pytest.param(expr("env", "NotIn", "prod"), NONE, True, id="NotIn-no-labels-true"),
        pytest.param(expr("env", "NotIn", "prod"), WEB_PROD, False, id="NotIn-value-listed"),
        pytest.param(expr("env", "NotIn", "dev"), WEB_PROD, True, id="NotIn-other-value"),
        # Exists / DoesNotExist look at the key only
        pytest.param(expr("env", "Exists"), WEB_PROD, True, id="Exists-present"),
        pytest.param(expr("env", "Exists"), WEB, False, id="Exists-absent"),
        pytest.param(expr("env", "DoesNotExist"), WEB, True, id="DoesNotExist-absent"),
        pytest.param(expr("env", "DoesNotExist"), WEB_PROD, False, id="DoesNotExist-present"),
        # values compare as exact, case-sensitive strings
        pytest.param(expr("env", "In", "Prod"), WEB_PROD, False, id="In-case-sensitive"),
        pytest.param(expr("env", "In", ""), Labels({"env": ""}), True, id="In-empty-value"),
    ],
)
def test_requirement(req: Requirement, labels: Labels, expected: bool) -> None:
    assert matches_requirement(req, labels) is expected


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        # "An empty label selector matches all objects."
        pytest.param(sel(), NONE, True, id="empty-matches-no-labels"),
        pytest.param(sel(), WEB_PROD, True, id="empty-matches-anything"),
        # matchLabels: every pair must hold
        pytest.param(sel({"app": "web"}), WEB_PROD, True, id="matchLabels-subset"),
        pytest.param(sel({"app": "web", "env": "prod"}), WEB_PROD, True, id="matchLabels-all"),
        pytest.param(sel({"app": "web", "env": "dev"}), WEB_PROD, False, id="matchLabels-one-wrong"),
        pytest.param(sel({"tier": "fe"}), WEB_PROD, False, id="matchLabels-absent-key"),
        pytest.param(sel({"app": "Web"}), WEB_PROD, False, id="matchLabels-case-sensitive"),
        # matchLabels AND matchExpressions
        pytest.param(sel({"app": "web"}, expr("env", "In", "prod")), WEB_PROD, True, id="and-both-hold"),
        pytest.param(sel({"app": "web"}, expr("env", "In", "dev")), WEB_PROD, False, id="and-expression-fails"),
        pytest.param(sel({"app": "db"}, expr("env", "In", "prod")), WEB_PROD, False, id="and-labels-fail"),
        # requirements are ANDed too: there is no OR across requirements
        pytest.param(
            sel(None, expr("env", "Exists"), expr("env", "NotIn", "prod")), WEB_PROD, False, id="exists-and-notin"
        ),
        pytest.param(sel(None, expr("env", "Exists"), expr("env", "NotIn", "prod")), WEB, False, id="exists-guard"),
        pytest.param(sel(None, expr("env", "NotIn", "prod")), WEB, True, id="notin-alone-selects-unlabelled"),
        pytest.param(
            sel(None, expr("app", "In", "web"), expr("tier", "DoesNotExist")), WEB_PROD, True, id="in-and-doesnotexist"
        ),
    ],
)
def test_selector(selector: LabelSelector, labels: Labels, expected: bool) -> None:
    assert matches_selector(selector, labels) is expected


@pytest.mark.parametrize(
    ("selector", "labels", "reason"),
    [
        pytest.param(sel({"app": "db"}), WEB, "label app=db required, but app=web", id="wrong-value"),
        pytest.param(sel({"env": "prod"}), WEB, "label env=prod required, but env is not set", id="absent-key"),
        pytest.param(
            sel(None, expr("env", "In", "prod", "dev")),
            WEB,
            "requirement 'env In (prod, dev)' fails: env is not set",
            id="In-absent",
        ),
        pytest.param(
            sel(None, expr("env", "NotIn", "prod")),
            WEB_PROD,
            "requirement 'env NotIn (prod)' fails: env is 'prod'",
            id="NotIn-listed",
        ),
        pytest.param(sel({"app": "web"}), WEB, "selector matches", id="matching"),
    ],
)
def test_explain_selector_miss(selector: LabelSelector, labels: Labels, reason: str) -> None:
    assert explain_selector_miss(selector, labels) == reason


@pytest.mark.parametrize(
    ("selector", "text"),
    [
        pytest.param(sel(), "{}", id="empty"),
        pytest.param(sel({"b": "2", "a": "1"}), "{a=1, b=2}", id="labels-sorted"),
        pytest.param(sel({"a": "1"}, expr("env", "Exists")), "{a=1, env Exists}", id="with-expression"),
        pytest.param(sel(None, expr("env", "NotIn", "x", "y")), "{env NotIn (x, y)}", id="notin"),
    ],
)
def test_selector_text(selector: LabelSelector, text: str) -> None:
    assert str(selector) == text
    assert selector.is_empty() is (text == "{}")
