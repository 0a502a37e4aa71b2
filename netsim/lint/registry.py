"""Every lint rule by id, and :func:`lint`, which runs the enabled ones.

Rule ids are stable: a rule that is retired keeps its id unused, and a new rule takes the next
number. docs/lint.md documents each of them.
"""

from __future__ import annotations

from collections.abc import Callable

from netsim.engine import PolicyIndex
from netsim.lint import (
    dns,
    ipblocks,
    isolation,
    ports,
    reachability,
    redundancy,
    selection,
    services,
    tiers,
    unevaluated,
)
from netsim.lint.base import Finding, LintConfig, LintContext, LintRule

__all__ = ["RULES", "RULES_BY_ID", "lint", "unknown_rules"]

RULES: tuple[LintRule, ...] = tuple(
    sorted(
        (
            *isolation.RULES,
            *dns.RULES,
            *selection.RULES,
            *ports.RULES,
            *ipblocks.RULES,
            *redundancy.RULES,
            *reachability.RULES,
            *unevaluated.RULES,
            *tiers.RULES,
            *services.RULES,
        ),
        key=lambda r: r.id,
    )
)

RULES_BY_ID: dict[str, LintRule] = {r.id: r for r in RULES}


def unknown_rules(ids: frozenset[str] | set[str]) -> list[str]:
    """The ids in ``ids`` that name no rule, sorted."""
    return sorted(i for i in ids if i not in RULES_BY_ID)


def lint(
    index: PolicyIndex, config: LintConfig | None = None, progress: Callable[[int, int], None] | None = None
) -> list[Finding]:
    """Run every rule not disabled in ``config``; the findings in file, line and rule order.
    ``progress`` is told ``(rules run, rules to run)`` after each rule.

    Raises ``ValueError`` for a disabled id that names no rule.
    """
    config = config or LintConfig()
    unknown = unknown_rules(config.disabled)
    if unknown:
        raise ValueError(f"unknown lint rule id(s): {', '.join(unknown)}")
    ctx = LintContext(index, config)
    active = [rule for rule in RULES if rule.id not in config.disabled]
    findings: list[Finding] = []
    for done, rule in enumerate(active, 1):
        findings.extend(rule.run(ctx))
        if progress is not None:
            progress(done, len(active))
    return sorted(findings, key=Finding.sort_key)
