"""Expectation files: named cases about what must be allowed, denied or isolated.

The schema, with examples, is in docs/expectations.md. In short::

    cases:
      - name: web reaches the backend API      # required, unique in the file
        from: production/web                  # pod, workload, ns/app=web, ns/* or {namespace: ns}, IP, CIDR
        to: production/backend
        port: 8080                            # optional: a number or a named port; omitted = any port
        protocol: TCP                         # optional: TCP (default with a port), UDP or SCTP
        expect: allow                         # allow | deny
      - name: backend accepts 8080 only from web
        to: production/backend
        port: 8080
        only_from: production/app=web         # these are allowed, every other pod and address denied
      - name: production is default-deny
        isolated: production                  # every pod of the namespace is isolated
        direction: both                       # ingress | egress | both (default)

Every error is reported as ``file:line:col: field: message``, all of them at once.

:func:`load_cases` reads every form and :func:`run_cases` checks them. The original API,
:func:`load_expectations` / :func:`check_expectations`, is kept for single connections with a port.
"""

from netsim.expectations.cases import (
    Case,
    CaseOutcome,
    CaseResult,
    EndpointSet,
    Expectation,
    ExpectationResult,
    IsolationOffence,
    Offence,
    PairOffence,
)
from netsim.expectations.reader import is_expectations_file, load_cases, load_expectations
from netsim.expectations.run import check_expectations, run_cases

__all__ = [
    "Case",
    "CaseOutcome",
    "CaseResult",
    "EndpointSet",
    "Expectation",
    "ExpectationResult",
    "IsolationOffence",
    "Offence",
    "PairOffence",
    "check_expectations",
    "is_expectations_file",
    "load_cases",
    "load_expectations",
    "run_cases",
]
