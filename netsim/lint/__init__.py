"""``netsim lint``: policies that are valid but probably wrong, as findings (data, never printed).

Each rule (``NP001`` ...) rests on a section of the NetworkPolicy reference, most of them on §7's
common mistakes, and answers through the engine and the matchers, so lint never disagrees with
``check``. One module per group of rules; :mod:`netsim.lint.registry` holds them all.
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
