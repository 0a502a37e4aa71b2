"""``netsim lint``: policies that are valid but probably wrong, as findings (data, never printed).

Each rule (``NP001`` ...) rests on a Kubernetes behaviour that docs/semantics.md states (its
``reference`` names the behaviour and where Kubernetes states it; docs/lint.md explains every rule),
and answers through the engine and the matchers, so lint never disagrees with ``check``. One module
per group of rules; :mod:`netsim.lint.registry` holds them all.
"""

from netsim.lint.base import DEFAULT_DNS, DnsTarget, Finding, LintConfig, LintContext, LintRule, Severity
from netsim.lint.registry import RULES, RULES_BY_ID, lint, unknown_rules

__all__ = [
    "DEFAULT_DNS",
    "RULES",
    "RULES_BY_ID",
    "DnsTarget",
    "Finding",
    "LintConfig",
    "LintContext",
    "LintRule",
    "Severity",
    "lint",
    "unknown_rules",
]
