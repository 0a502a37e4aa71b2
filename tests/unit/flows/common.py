"""What the flow tests share: the data files, the cluster they were observed in, a reader."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from netsim.flows import EndpointIndex, FlowRecord, FlowStream, read_flows
from netsim.loader import load_cluster
from netsim.model import Cluster
from netsim.source import Limits

__all__ = ["DATA", "cluster", "index", "open_flows", "read_all"]

#: Flow files written from the formats' public definitions, and the cluster they describe.
DATA = Path(__file__).resolve().parents[2] / "data" / "flows"


@cache
def cluster() -> Cluster:
    """tests/data/flows/cluster.yaml: a dump's pods beside workload manifests."""
    result = load_cluster([str(DATA / "cluster.yaml")])
    assert not result.warnings
    return result.cluster


@cache
def index() -> EndpointIndex:
    return EndpointIndex(cluster())


def open_flows(path: Path | str, fmt: str | None = None, *, lax: bool = False, **limits: int) -> FlowStream:
    """A stream of ``path``, its positions labelled by the file's name."""
    return read_flows(str(path), fmt, Limits(**limits), lax=lax, label=Path(path).name)


def read_all(path: Path | str, fmt: str | None = None, *, lax: bool = False, **limits: int) -> list[FlowRecord]:
    return list(open_flows(path, fmt, lax=lax, **limits))
