"""Laws of the bitset machinery behind the fast reachability path.

* ``reach._refine`` keeps a partition: after adding any sequence of (members, connections), the
  parts are disjoint, non-empty, and each member's part holds exactly the union of the
  connections of the additions that named it;
* ``graph._Projector`` counts pods per group exactly, whether a mask is projected from scratch
  or from a recently projected neighbour (the delta path starts above 64 classes, which the
  random clusters of the graph laws rarely reach).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from netsim.connset import ConnSet
from netsim.graph import _Projector
from netsim.model import Protocol
from netsim.reach import _refine, bits

CONNS = [
    ConnSet.none(),
    ConnSet.all(),
    ConnSet.of(Protocol.TCP, 80),
    ConnSet.of(Protocol.TCP, 80, 90),
    ConnSet.of(Protocol.UDP, 53),
    ConnSet.of(Protocol.TCP, 443),
]
WIDTH = 40

additions = st.lists(st.tuples(st.integers(0, (1 << WIDTH) - 1), st.sampled_from(CONNS)), max_size=8)


@settings(max_examples=300, deadline=None)
@given(additions)
def test_refine_keeps_a_partition_of_unions(added: list[tuple[int, ConnSet]]) -> None:
    parts: dict[int, tuple[ConnSet, int]] = {}
    for mask, conns in added:
        parts = _refine(parts, mask, conns, lambda a, b: a | b)
    seen = 0
    for conns, mask in parts.values():
        assert mask, "no empty part"
        assert conns, "no part without connections"
        assert not seen & mask, "parts are disjoint"
        seen |= mask
    for member in range(WIDTH):
        expected = ConnSet.none()
        for mask, conns in added:
            if (mask >> member) & 1:
                expected = expected | conns
        holding = [conns for conns, mask in parts.values() if (mask >> member) & 1]
        if expected:
            assert holding == [expected]
        else:
            assert holding == []


@st.composite
def projections(draw: st.DrawFn) -> tuple[list[list[tuple[int, int]]], list[int]]:
    classes = draw(st.integers(65, 300))
    groups = draw(st.integers(1, 12))
    members = [
        sorted(draw(st.dictionaries(st.integers(0, groups - 1), st.integers(1, 4), min_size=1, max_size=3)).items())
        for _ in range(classes)
    ]
    base = draw(st.integers(0, (1 << classes) - 1))
    # masks near the base (a few bits flipped) take the delta path; unrelated ones do not
    masks = [base]
    for _ in range(draw(st.integers(1, 10))):
        if draw(st.booleans()):
            flips = draw(st.lists(st.integers(0, classes - 1), max_size=6))
            mask = masks[draw(st.integers(0, len(masks) - 1))]
            for f in flips:
                mask ^= 1 << f
        else:
            mask = draw(st.integers(0, (1 << classes) - 1))
        masks.append(mask)
    return members, masks


@settings(max_examples=200, deadline=None)
@given(projections())
def test_projection_counts_pods_per_group(case: tuple[list[list[tuple[int, int]]], list[int]]) -> None:
    members, masks = case
    project = _Projector(members, memo=True)
    plain = _Projector(members, memo=False)
    for mask in [*masks, *masks]:  # the second round answers from the cache
        expected: dict[int, int] = {}
        for i in bits(mask):
            for g, k in members[i]:
                expected[g] = expected.get(g, 0) + k
        assert project(mask) == expected
        assert plain(mask) == expected
