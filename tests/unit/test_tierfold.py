"""The cluster-scoped tiers folded into partitions of remote ends (netsim.tierfold): cells cut by
each rule's states, one chain per cell, met with NetworkPolicy's parts; and the reachability that
uses it agrees with the engine pair by pair, without evaluating pairs."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address

import pytest

from netsim.connset import ConnSet
from netsim.engine import PolicyIndex, evaluate_pair
from netsim.model import (
    Action,
    ClusterNetworkPolicy,
    ClusterPort,
    ClusterRule,
    Direction,
    External,
    Labels,
    LabelSelector,
    PodPeer,
    Protocol,
    Tier,
)
from netsim.reach import bits, compute_reachability
from netsim.tierfold import Folded, Parts, TierFold, TierProfile
from tests.unit.builders import cluster, cport, pod, policy, port, rule, sel

TCP = Protocol.TCP
EVERY = PodPeer(LabelSelector(), None)
NOWHERE = External(ip_address("192.0.2.1"))


def _rule(action: Action, *ports: int) -> ClusterRule:
    return ClusterRule(action, (EVERY,), tuple(ClusterPort(TCP, p) for p in ports) or None)


def _cnp(name: str, tier: Tier, *rules: ClusterRule, priority: int = 10) -> ClusterNetworkPolicy:
    return ClusterNetworkPolicy("ClusterNetworkPolicy", name, tier, priority, EVERY, ingress=rules)


def _fold(states: dict[int, tuple[int, int]], optimistic: bool = False) -> TierFold:
    """A fold whose rules select remote ends by the masks given per rule id."""
    return TierFold(Direction.INGRESS, lambda r: states[id(r)], lambda c: c, optimistic)


def _as_dict(parts: Parts | Folded) -> dict[ConnSet, int]:
    return dict((parts.allowed if isinstance(parts, Folded) else parts).values())


def test_a_rule_cuts_the_ends_it_selects_from_those_it_does_not() -> None:
    deny = _rule(Action.DENY, 443)
    fold = _fold({id(deny): (0b0011, 0)})
    profile = TierProfile(((_cnp("deny", Tier.ADMIN, deny), True),), (), False)
    got = _as_dict(fold.parts("k", profile, None, 0b1111, NOWHERE))
    everything = ConnSet.all()
    assert got == {everything - ConnSet.of(TCP, 443): 0b0011, everything: 0b1100}


def test_networkpolicy_decides_what_the_admin_tier_passes_on() -> None:
    accept, passed = _rule(Action.ACCEPT, 80), _rule(Action.PASS)
    fold = _fold({id(accept): (0b01, 0), id(passed): (0b11, 0)})
    profile = TierProfile(((_cnp("p", Tier.ADMIN, accept, passed), True),), (), False)
    # NetworkPolicy allows end 1 on TCP 5432 and end 0 nothing
    allowed = ConnSet.of(TCP, 5432)
    got = _as_dict(fold.parts("k", profile, {id(allowed): (allowed, 0b10)}, 0b11, NOWHERE))
    assert got == {ConnSet.of(TCP, 80): 0b01, allowed: 0b10}


def test_an_undecided_deny_is_certain_in_neither_resolution_and_possible_in_one() -> None:
    deny = _rule(Action.DENY, 443)
    states = {id(deny): (0, 0b1)}
    profile = TierProfile(((_cnp("deny", Tier.ADMIN, deny), True),), (), False)
    certain = _fold(states)
    possible = _fold(states, optimistic=True)
    everything = ConnSet.all()
    assert _as_dict(certain.parts("k", profile, None, 0b1, NOWHERE)) == {everything - ConnSet.of(TCP, 443): 0b1}
    assert _as_dict(possible.parts("k", profile, None, 0b1, NOWHERE)) == {everything: 0b1}
    assert certain.saw_unknown
    assert possible.saw_unknown


def test_a_policy_that_may_select_the_subject_makes_its_matches_undecided() -> None:
    deny = _rule(Action.DENY)
    fold = _fold({id(deny): (0b1, 0)})
    profile = TierProfile(((_cnp("deny", Tier.ADMIN, deny), None),), (), False)
    assert _as_dict(fold.parts("k", profile, None, 0b1, NOWHERE)) == {}
    assert fold.saw_unknown


def test_the_baseline_tier_decides_only_without_networkpolicy() -> None:
    deny = _rule(Action.DENY)
    fold = _fold({id(deny): (0b1, 0)})
    profile = TierProfile((), ((_cnp("default", Tier.BASELINE, deny), True),), False)
    assert _as_dict(fold.parts("k", profile, None, 0b1, NOWHERE)) == {}
    allowed = ConnSet.of(TCP, 80)
    assert _as_dict(fold.parts("k", profile, {id(allowed): (allowed, 0b1)}, 0b1, NOWHERE)) == {allowed: 0b1}


def test_with_attribution_the_parts_say_what_each_tier_accepts() -> None:
    accept, deny = _rule(Action.ACCEPT, 9090), _rule(Action.DENY)
    fold = TierFold(
        Direction.INGRESS,
        lambda r: {id(accept): (0b01, 0), id(deny): (0b11, 0)}[id(r)],
        lambda c: c,
        False,
        attribute=True,
    )
    admin = TierProfile(((_cnp("guard", Tier.ADMIN, accept, deny), True),), (), False)
    folded = fold.parts("k", admin, None, 0b11, NOWHERE)
    assert _as_dict(folded) == {ConnSet.of(TCP, 9090): 0b01}
    assert _as_dict(folded.admin) == {ConnSet.of(TCP, 9090): 0b01}
    assert folded.baseline == {}
    base_accept = _rule(Action.ACCEPT, 53)
    fold = TierFold(Direction.INGRESS, lambda r: (0b1, 0), lambda c: c, False, attribute=True)
    baseline = TierProfile((), ((_cnp("default", Tier.BASELINE, base_accept), True),), False)
    assert _as_dict(fold.parts("b", baseline, None, 0b1, NOWHERE).baseline) == {ConnSet.of(TCP, 53): 0b1}
    # NetworkPolicy isolates the subject: the Baseline tier accepts nothing
    allowed = ConnSet.of(TCP, 80)
    assert fold.parts("b", baseline, {id(allowed): (allowed, 0b1)}, 0b1, NOWHERE).baseline == {}


def test_cells_are_computed_once_per_sequence_of_rules() -> None:
    deny = _rule(Action.DENY, 443)
    calls: list[int] = []

    def states(r: ClusterRule) -> tuple[int, int]:
        calls.append(id(r))
        return 0b01, 0

    fold = TierFold(Direction.INGRESS, states, lambda c: c, False)
    profile = TierProfile(((_cnp("deny", Tier.ADMIN, deny), True),), (), False)
    for _ in range(3):
        fold.parts("k", profile, None, 0b11, NOWHERE)
    assert calls == [id(deny)]


@pytest.mark.parametrize("tier", list(Tier))
def test_reachability_agrees_with_the_engine_on_every_pair(tier: Tier) -> None:
    """A namespace-wide admin or baseline policy with Accept, Pass and Deny rules over named and
    numbered ports, beside NetworkPolicies: every class pair as evaluate_pair says."""
    pods = [
        pod("a/web", {"app": "web"}, ip="10.0.0.1", ports=[cport(80, name="http")]),
        pod("a/db", {"app": "db"}, ip="10.0.0.2", ports=[cport(5432, name="pg")]),
        pod("b/web", {"app": "web"}, ip="10.0.1.1", ports=[cport(8080, name="http")]),
        pod("c/job", {"app": "job"}, ip="10.0.2.1"),
    ]
    b_only = PodPeer(LabelSelector(Labels({"kubernetes.io/metadata.name": "b"})), None)
    rules = (
        ClusterRule(Action.ACCEPT, (b_only,), (ClusterPort(None, "http"),)),
        ClusterRule(Action.PASS, (PodPeer(LabelSelector(), sel({"app": "web"})),)),
        ClusterRule(Action.DENY, (EVERY,), (ClusterPort(TCP, 5432),)),
    )
    cnp = ClusterNetworkPolicy("ClusterNetworkPolicy", "guard", tier, 5, EVERY, ingress=rules, egress=rules)
    netpols = [
        policy("a/deny", sel({"app": "db"})),
        policy("b/web", sel({"app": "web"}), ingress=[rule(ports=[port(80)])]),
    ]
    index = PolicyIndex(replace(cluster(pods, netpols), cluster_policies=(cnp,)))
    reach = compute_reachability(index)
    got: dict[tuple[str, str], ConnSet] = {}
    for src_mask, dst_mask, conns in reach.blocks:
        for s in bits(src_mask):
            for d in bits(dst_mask):
                key = (reach.classes[s].rep.ref, reach.classes[d].rep.ref)
                got[key] = got.get(key, ConnSet.none()) | conns
    for src in pods:
        for dst in pods:
            if src is not dst:
                want = evaluate_pair(index, src, dst).conns
                assert got.get((src.ref, dst.ref), ConnSet.none()) == want, (src.ref, dst.ref)
