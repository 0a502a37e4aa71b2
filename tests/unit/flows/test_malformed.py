"""Whatever a flow file holds, reading it ends in records or netsim's own errors, never a crash:
random JSON through every parser, and the data files cut, spliced and compressed through the reader."""

from __future__ import annotations

import contextlib
import gzip
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netsim.errors import NetsimError
from netsim.flows import read_flows
from netsim.flows.calico import CalicoParser
from netsim.flows.generic import GenericJsonParser
from netsim.flows.hubble import HubbleParser
from netsim.flows.model import RecordError
from netsim.source import Limits
from tests.unit.flows.common import DATA

pytestmark = pytest.mark.property

KEYS = [
    *("flow", "IP", "l4", "TCP", "UDP", "source", "destination", "labels", "workloads", "name", "kind", "pod_name"),
    *("namespace", "identity", "verdict", "Type", "is_reply", "time", "traffic_direction", "source_names", "Key"),
    *("source_namespace", "source_name", "source_name_aggr", "source_type", "source_ip", "source_labels"),
    *("dest_port", "proto", "action", "reporter", "start_time", "num_flows", "port", "protocol", "count"),
    *("observed", "destination_port", "drop_reason_desc", "l7"),
]
WORDS = ["TCP", "FORWARDED", "DROPPED", "10.0.0.1", "shop/web", "EGRESS", "L7", "SOCK", "wep", "net", "allow", "web-*"]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 70_000)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from(WORDS),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=5),
    max_leaves=20,
)
SAMPLES = [
    json.loads(line)
    for name in ("hubble.jsonl", "calico.jsonl")
    for line in (DATA / name).read_text().splitlines()
    if line.endswith("}")
]


def mutate(value: Any, replacement: Any, rnd: random.Random) -> Any:
    """``value`` with one of its fields (at any depth) replaced."""
    if isinstance(value, dict) and value:
        key = rnd.choice(list(value))
        deeper = isinstance(value[key], dict | list) and rnd.random() < 0.5
        return {**value, key: mutate(value[key], replacement, rnd) if deeper else replacement}
    if isinstance(value, list) and value:
        i = rnd.randrange(len(value))
        return [*value[:i], mutate(value[i], replacement, rnd), *value[i + 1 :]]
    return replacement


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(json_values, st.randoms(use_true_random=False), st.sampled_from(SAMPLES))
def test_parsers_read_a_record_or_say_what_is_wrong(value: Any, rnd: random.Random, sample: Any) -> None:
    for record in (value, mutate(sample, value, rnd)):
        for parser in (HubbleParser(), CalicoParser(), GenericJsonParser(lax=False)):
            with contextlib.suppress(RecordError):
                parser(record, 1)


FILES = [(DATA / name).read_bytes() for name in ("hubble.jsonl", "calico-whisker.json", "generic.csv", "generic.json")]


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.sampled_from(FILES),
    st.randoms(use_true_random=False),
    st.binary(max_size=8),
    st.booleans(),
    st.booleans(),
    st.sampled_from([None, "hubble", "calico", "generic"]),
)
def test_the_reader_reads_records_or_raises_input_errors(
    tmp_path_factory: pytest.TempPathFactory,
    content: bytes,
    rnd: random.Random,
    junk: bytes,
    lax: bool,
    compress: bool,
    fmt: str | None,
) -> None:
    data = bytearray(content)
    for _ in range(rnd.randrange(4)):
        at = rnd.randrange(len(data) + 1)
        if rnd.random() < 0.5:
            data[at:at] = junk
        else:
            del data[at : at + rnd.randrange(40)]
    blob = gzip.compress(bytes(data)) if compress else bytes(data)
    if compress and rnd.random() < 0.3:
        blob = blob[: rnd.randrange(len(blob) + 1)]
    path: Path = tmp_path_factory.mktemp("fuzz") / "flows"
    path.write_bytes(blob)
    limits = Limits(max_scalar_length=rnd.choice([40, 400, 4000]), max_file_bytes=100_000)
    try:
        for _ in read_flows(str(path), fmt, limits, lax=lax):
            pass
    except NetsimError:
        pass
