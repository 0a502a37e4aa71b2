"""Label selector matching, as apimachinery's ``labels.Requirement.Matches`` does it."""

from __future__ import annotations

from collections.abc import Mapping

from netsim.model import LabelSelector, Requirement

__all__ = ["explain_selector_miss", "matches_requirement", "matches_selector", "selector_state"]


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


def selector_state(selector: LabelSelector, labels: Mapping[str, str], known: str) -> bool | None:
    """Three-valued match against labels of which only the key ``known`` is known (a namespace
    without a manifest: only ``kubernetes.io/metadata.name``). Every other key may be set to any
    value or absent, so a requirement on it may go either way: False when a requirement on the
    known key fails, None (undecided) when one on another key remains, else True.

    >>> from netsim.model import Labels
    >>> selector_state(LabelSelector(Labels({"team": "a"})), {"n": "shop"}, "n") is None
    True
    """
    undecided = False
    for key, value in selector.match_labels.items():
        if key != known:
            undecided = True
        elif labels.get(key) != value:
            return False
    for req in selector.match_expressions:
        if req.key != known:
            undecided = True
        elif not matches_requirement(req, labels):
            return False
    return None if undecided else True


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
