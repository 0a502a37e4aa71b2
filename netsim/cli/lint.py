"""`netsim lint`: policies that are valid but probably wrong, with where and how to fix them."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import NoReturn

import click

from netsim import __version__
from netsim.cli.app import (
    Choice,
    Common,
    Output,
    common_options,
    handle_interrupt,
    ingress_pod_option,
    ingress_pods_of,
    main,
    output_options,
    progress,
    reporting,
)
from netsim.endpoints import did_you_mean, suggest
from netsim.lint import RULES, RULES_BY_ID, DnsTarget, LintConfig, Severity
from netsim.lint import lint as run_lint
from netsim.model import Labels, LabelSelector
from netsim.render.lint import findings_json, findings_sarif, findings_text
from netsim.validation import label_key_errors, label_value_errors, namespace_name_errors

__all__ = ["lint"]

#: -o formats and the --output-file suffixes that pick them.
FORMATS = {"text": (".txt",), "json": (".json",), "sarif": (".sarif", ".sarif.json")}

_BY_NAME = {r.name: r.id for r in RULES}


def _close_rules(item: str) -> tuple[str, ...]:
    """The rules a misspelt ``--disable`` value may mean: an id written with another number of
    digits (``NP0004``, ``np4``), else the closest names."""
    number = re.fullmatch(r"np0*(\d{1,3})", item.strip().lower())
    if number:
        rule_id = f"NP{int(number[1]):03d}"
        return (rule_id,) if rule_id in RULES_BY_ID else ()
    return suggest(item.lower(), list(_BY_NAME))


def _rule_ids(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> frozenset[str]:
    """``--disable`` values (ids or names, comma-separated or repeated) → rule ids."""
    ids: set[str] = set()
    for value in values:
        for item in filter(None, (v.strip() for v in value.split(","))):
            rule_id = item.upper() if item.upper() in RULES_BY_ID else _BY_NAME.get(item.lower())
            if rule_id is None:
                close = did_you_mean(_close_rules(item))
                rules = f"he rules are {', '.join(f'{r.id} {r.name}' for r in RULES)} (see docs/lint.md)"
                rules = f"{close} T{rules}" if close else f"; t{rules}"
                raise click.BadParameter(f"unknown rule {item!r}{rules}")
            ids.add(rule_id)
    return frozenset(ids)


def _selector(ctx: click.Context, param: click.Parameter, value: str) -> LabelSelector:
    """``k8s-app=kube-dns,tier=dns`` → a matchLabels selector, keys and values validated."""
    labels: dict[str, str] = {}
    for item in filter(None, (v.strip() for v in value.split(","))):
        key, sep, val = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE")
        problems = label_key_errors(key) + label_value_errors(val)
        if problems:
            raise click.BadParameter(f"{item!r}: {problems[0]}")
        labels[key] = val
    if not labels:
        raise click.BadParameter("give at least one KEY=VALUE label")
    return LabelSelector(Labels(labels))


def _namespace(value: str) -> str:
    problems = namespace_name_errors(value)
    if problems:
        raise click.BadParameter(f"{value!r}: {problems[0]}")
    return value


@main.command()
@common_options
@click.option(
    "--fail-on",
    type=Choice([s.value for s in Severity]),
    default=Severity.ERROR.value,
    show_default=True,
    help="Exit with status 1 when a finding of this severity or worse exists.",
)
@click.option(
    "--disable",
    "disabled",
    multiple=True,
    metavar="ID",
    callback=_rule_ids,
    help="Silence a rule, by id (NP004) or name (dns-tcp-blocked); repeatable or comma-separated.",
)
@click.option(
    "--dns-selector",
    default="k8s-app=kube-dns",
    show_default=True,
    metavar="KEY=VALUE[,...]",
    callback=_selector,
    help="Labels of the cluster DNS pods (NP003, NP004).",
)
@click.option(
    "--dns-namespace",
    default="kube-system",
    callback=lambda ctx, param, value: _namespace(value),
    show_default=True,
    help="Namespace of the cluster DNS pods (NP003, NP004).",
)
@ingress_pod_option
@output_options(
    FORMATS,
    "text",
    help="text: one line per finding with a hint; json; sarif: SARIF 2.1.0 for code scanning. Default: text, or "
    "with --output-file the one its suffix names (.json, .sarif or .sarif.json).",
)
@handle_interrupt
def lint(
    common: Common,
    output: Output,
    fail_on: str,
    disabled: frozenset[str],
    dns_selector: LabelSelector,
    dns_namespace: str,
    ingress_pods: tuple[str, ...],
) -> NoReturn:
    """Find policies that are valid but probably wrong.

    Each finding names a rule (NP001 ...), a severity (info, warning, error), the file:line:col of
    the policy, rule, peer, port or namespace concerned, what is wrong, and a hint to fix it. The
    rules catch the common mistakes of the NetworkPolicy reference: no default deny, DNS cut off by
    an egress deny, selectors that select nothing, named ports that resolve to nothing, policyTypes
    defaulting surprises, ipBlocks over pod IPs, rules made moot by an allow-all, one-sided
    allows the other end never lets through, and policies of kinds netsim does not evaluate
    (Cilium, Calico, ...). docs/lint.md explains every rule.

    Lint is never confidently wrong: where the answer depends on what the input does not say (a
    pod without an IP, a namespace without a manifest, a policy netsim does not evaluate), a rule
    stays quiet or says what "may" be, with what it depends on, at most as a warning.
    --pod-cidr, --closed-world and --ignore-unevaluated settle these as for every command.

    \b
    Examples:
      netsim lint scenarios/production-hardening/manifests
      netsim lint scenarios/k8s-docs/default-deny-all/manifests --fail-on warning
      netsim lint manifests/ --disable NP002 --disable dns-tcp-blocked -o json
      netsim lint manifests/ -o sarif > netsim.sarif
      netsim lint -f manifests/ --output-file netsim.sarif
      netsim lint scenarios/cluster-guardrails/manifests
      netsim lint cluster.yaml --ingress-pod ingress-nginx/ingress-nginx-controller
    """
    with reporting():
        index = common.index()
        proxies = ingress_pods_of(index.cluster, ingress_pods, common.namespace)
        config = LintConfig(DnsTarget(dns_namespace, dns_selector), disabled, proxies)
        with progress("linting") as step:
            findings = run_lint(index, config, step)
        if output.format == "json":
            text = findings_json(findings, RULES_BY_ID)
        elif output.format == "sarif":
            text = findings_sarif(findings, RULES, version=__version__, root=Path.cwd())
        else:
            text = findings_text(findings)
        output.write(text, common.paths)
    output.done()
    threshold = Severity(fail_on).rank
    sys.exit(1 if any(f.severity.rank >= threshold for f in findings) else 0)
