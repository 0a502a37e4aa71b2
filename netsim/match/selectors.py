"""Label selector matching, as apimachinery's ``labels.Requirement.Matches`` does it."""

from __future__ import annotations

from collections.abc import Mapping

from netsim.model import LabelSelector, Requirement

__all__ = ["explain_selector_miss", "matches_requirement", "matches_selector"]


def matches_requirement(req: Requirement, labels: Mapping[str, str]) -> bool:
    """One matchExpressions entry.

    ``NotIn`` is true when the key is absent (apimachinery ``Requirement.Matches``; cyclonus
    differs, Kubernetes wins)::

        >>> matches_requirement(Requirement("env", "NotIn", ("prod",)), {})
        True
    """
    op = req.operator
    if op == "In":
        value = labels.get(req.key)
        return value is not None and value in req.values
    if op == "NotIn":
        value = labels.get(req.key)
        return value is None or value not in req.values
    if op == "Exists":
        return req.key in labels
    return req.key not in labels  # DoesNotExist


def matches_selector(selector: LabelSelector, labels: Mapping[str, str]) -> bool:
    """True if every matchLabels pair and every requirement holds; ``{}`` matches everything."""
    for key, value in selector.match_labels.items():
        if labels.get(key) != value:
            return False
    return all(matches_requirement(req, labels) for req in selector.match_expressions)


def explain_selector_miss(selector: LabelSelector, labels: Mapping[str, str]) -> str:
    """Why ``selector`` does not match ``labels``: the first requirement that fails."""
    for key, value in selector.match_labels.items():
        have = labels.get(key)
        if have is None:
            return f"label {key}={value} required, but {key} is not set"
        if have != value:
            return f"label {key}={value} required, but {key}={have}"
    for req in selector.match_expressions:
        if not matches_requirement(req, labels):
            have = labels.get(req.key)
            now = "is not set" if have is None else f"is {have!r}"
            return f"requirement '{req}' fails: {req.key} {now}"
    return "selector matches"
