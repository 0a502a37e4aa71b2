"""Suggest NetworkPolicies from observed traffic (``netsim suggest``): policies that allow the
observed connections the manifests deny, in a form people read and review.

* :mod:`netsim.suggest.workloads`: a workload's selector (from its labels, the smallest set that
  selects it alone), its peer, its ports by name, the policies' names.
* :mod:`netsim.suggest.build`: :func:`suggest`, the rules each side of the observed connections
  needs, one policy per workload and direction.
* :mod:`netsim.suggest.check`: :func:`verify`, netsim's check of its own suggestion before it is
  written: everything observed is allowed, and nothing unobserved is opened.

``netsim.render.suggest`` writes the files; ``netsim.cli.suggest`` is the command.
"""

from __future__ import annotations

from netsim.suggest.build import (
    DEFAULT_DENY_NAME,
    Flow,
    SuggestedPolicy,
    SuggestedRule,
    Suggestion,
    Unsuggested,
    is_dns,
    suggest,
)
from netsim.suggest.check import Opened, Verification, verify

__all__ = [
    "DEFAULT_DENY_NAME",
    "Flow",
    "Opened",
    "SuggestedPolicy",
    "SuggestedRule",
    "Suggestion",
    "Unsuggested",
    "Verification",
    "is_dns",
    "suggest",
    "verify",
]
