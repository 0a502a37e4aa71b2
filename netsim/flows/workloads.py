"""The workload a pod's name points to, from the suffixes the Kubernetes controllers generate.

Controllers name their pods ``generateName`` + 5 random characters: a ReplicaSet's pods are
``<replicaset>-<5>``, and a Deployment's ReplicaSet is ``<deployment>-<pod-template-hash>``, so a
Deployment's pods are ``<deployment>-<hash>-<5>``; DaemonSet and Job pods are ``<name>-<5>``, a
CronJob's Jobs ``<cronjob>-<scheduled time in minutes>``; a StatefulSet's pods are
``<statefulset>-<ordinal>``. The 5 characters and the hash are drawn from the API machinery's
"safe" alphabet (consonants and digits, no vowels, no 0, 1 or 3), which keeps most ordinary name
parts (``api-v2``, ``node-exporter``) from being read as generated.

A name read so is a guess: mapping keeps it only when the manifests have that workload.
"""

from __future__ import annotations

import re

__all__ = ["WORKLOAD_KINDS", "name_candidates", "strip_template_hash", "workload_candidates"]

#: The kinds whose pods carry generated names (a ReplicationController names them as a ReplicaSet does).
WORKLOAD_KINDS = frozenset(
    {"Deployment", "ReplicaSet", "ReplicationController", "StatefulSet", "DaemonSet", "Job", "CronJob"}
)

_SAFE = "bcdfghjklmnpqrstvwxz2456789"
_RANDOM_SUFFIX = re.compile(rf"^(?P<base>.+)-[{_SAFE}]{{5}}$")  # generateName + 5 characters
_TEMPLATE_HASH = re.compile(rf"^(?P<base>.+)-(?P<hash>[{_SAFE}]{{1,10}})$")  # a ReplicaSet of a Deployment
_ORDINAL = re.compile(r"^(?P<base>.+)-(?:0|[1-9][0-9]{0,8})$")  # a StatefulSet's pod
_SCHEDULE = re.compile(r"^(?P<base>.+)-[0-9]{6,12}$")  # a CronJob's Job (minutes since the epoch)

_BY_GENERATE_NAME = frozenset({"ReplicaSet", "ReplicationController", "DaemonSet", "Job"})
_DEPLOYMENT = frozenset({"Deployment"})
_STATEFULSET = frozenset({"StatefulSet"})
_CRONJOB = frozenset({"CronJob"})

Candidate = tuple[str, frozenset[str] | None]  # a workload name and the kinds it may be (None: any)


def strip_template_hash(name: str) -> str:
    """``web`` for a ReplicaSet name ``web-7d9c8b6f5`` whose last part reads as a pod-template-hash
    (6 to 10 characters of the safe alphabet, with a digit and a letter); ``name`` otherwise."""
    match = _TEMPLATE_HASH.match(name)
    if match is None:
        return name
    digest = match["hash"]
    if len(digest) < 6 or digest.isdigit() or digest.isalpha():
        return name
    return match["base"]


def name_candidates(pod: str) -> list[Candidate]:
    """The workloads a pod named ``pod`` may belong to, most specific first.

    ``web-7d9c8b6f5-x2x4k`` -> ReplicaSet/DaemonSet/Job ``web-7d9c8b6f5``, Deployment ``web``;
    ``backup-28391234-q8r2t`` -> Job ``backup-28391234``, CronJob ``backup``; ``db-0`` ->
    StatefulSet ``db``.
    """
    out: list[Candidate] = []
    random = _RANDOM_SUFFIX.match(pod)
    if random is not None:
        base = random["base"]
        out.append((base, _BY_GENERATE_NAME))
        out.extend(_owner_candidates(base))
    ordinal = _ORDINAL.match(pod)
    if ordinal is not None:
        out.append((ordinal["base"], _STATEFULSET))
    return out


def workload_candidates(name: str, kind: str | None) -> list[Candidate]:
    """The workloads an owner ``name`` of ``kind`` (None: not said) may stand for: itself, and the
    Deployment of a ReplicaSet or the CronJob of a Job its name points to."""
    out: list[Candidate] = [(name, frozenset({kind}) if kind else None)]
    owners = _owner_candidates(name)
    if kind == "ReplicaSet":
        owners = [c for c in owners if c[1] is _DEPLOYMENT]
    elif kind == "Job":
        owners = [c for c in owners if c[1] is _CRONJOB]
    elif kind is not None:
        owners = []
    return out + owners


def _owner_candidates(base: str) -> list[Candidate]:
    """The Deployment of a ReplicaSet named ``base``, the CronJob of a Job named ``base``."""
    out: list[Candidate] = []
    schedule = _SCHEDULE.match(base)
    if schedule is not None:
        out.append((schedule["base"], _CRONJOB))
    hashed = _TEMPLATE_HASH.match(base)
    if hashed is not None:
        out.append((hashed["base"], _DEPLOYMENT))
    return out
