"""Laws of NetworkPolicy that hold for every cluster, checked on random small clusters.

One class per law of docs/semantics.md; the law is the docstring.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netsim.engine import PolicyIndex, evaluate, evaluate_pair
from netsim.match.peers import matches_peer
from netsim.match.ports import rule_ports
from netsim.match.selectors import matches_selector
from netsim.matrix import build_matrix
from netsim.model import (
    Cluster,
    Direction,
    Labels,
    LabelSelector,
    NetworkPolicy,
    Pod,
    Protocol,
    Requirement,
    Rule,
    Traffic,
)
from netsim.verdict import PairVerdict
from tests.property.strategies import (
    KEYS,
    VALUES,
    clusters,
    endpoints,
    label_sets,
    policies,
    probe_ports,
    protocols,
    rules,
)

pytestmark = pytest.mark.property

LAWS = settings(max_examples=100, deadline=None)


def _pairs(index: PolicyIndex) -> dict[tuple[str, str], PairVerdict]:
    eps = endpoints(index.cluster)
    return {(str(s), str(d)): evaluate_pair(index, s, d) for s in eps for d in eps}


class TestNoPolicies:
    """With no policy selecting it, a pod is open both ways: every connection is allowed."""

    @LAWS
    @given(clusters(max_policies=0), probe_ports, protocols)
    def test_everything_allowed(self, cluster: Cluster, number: int, protocol: Protocol) -> None:
        index = PolicyIndex(cluster)
        for src in endpoints(cluster):
            for dst in endpoints(cluster):
                assert evaluate_pair(index, src, dst).conns.is_all()
                assert evaluate(index, Traffic(src, dst, number, protocol)).allowed


class TestVerdictFromEvidence:
    """Both ends must allow; the verdict is derived from recorded evidence that re-checks."""

    @LAWS
    @given(clusters(), probe_ports, protocols, st.data())
    def test_verdict_rechecks(self, cluster: Cluster, number: int, protocol: Protocol, data: st.DataObject) -> None:
        index = PolicyIndex(cluster)
        eps = endpoints(cluster)
        src, dst = data.draw(st.sampled_from(eps)), data.draw(st.sampled_from(eps))
        v = evaluate(index, Traffic(src, dst, number, protocol))
        assert v.allowed == (v.egress_allowed and v.ingress_allowed)
        for side in (v.egress, v.ingress):
            subject = side.subject
            for pol in side.isolating:
                assert isinstance(subject, Pod)
                assert pol.namespace == subject.namespace
                assert side.direction in pol.policy_types
                assert matches_selector(pol.pod_selector, subject.labels)
            allowing = side.matches_for(number, protocol)
            if side.isolated:
                assert side.allows(number, protocol) == bool(allowing)
            for outcome in allowing:
                rule = outcome.rule
                assert outcome.policy in side.isolating
                assert rule in outcome.policy.rules(side.direction)
                if rule.peers:
                    assert outcome.matched_peer in rule.peers
                    assert outcome.matched_peer is not None
                    assert matches_peer(
                        outcome.matched_peer, outcome.policy.namespace, side.remote, cluster, index.options
                    )
                assert rule_ports(rule.ports, dst).conns.allows(number, protocol)


def _with_rule(pol: NetworkPolicy, new: Rule, direction: Direction) -> NetworkPolicy:
    if direction is Direction.INGRESS:
        return dataclasses.replace(pol, ingress=(*pol.ingress, new))
    return dataclasses.replace(pol, egress=(*pol.egress, new))


class TestAdditivity:
    """Policies add up (the concept page: "Network policies do not conflict; they are additive")."""

    @LAWS
    @given(clusters(min_policies=1), rules, st.sampled_from(list(Direction)), st.data())
    def test_adding_a_rule_never_removes_a_connection(
        self, cluster: Cluster, new: Rule, direction: Direction, data: st.DataObject
    ) -> None:
        i = data.draw(st.integers(0, len(cluster.policies) - 1))
        changed = list(cluster.policies)
        changed[i] = _with_rule(changed[i], new, direction)
        before = _pairs(PolicyIndex(cluster))
        after = _pairs(PolicyIndex(dataclasses.replace(cluster, policies=tuple(changed))))
        for pair, verdict in before.items():
            assert not verdict.conns - after[pair].conns, pair

    @LAWS
    @given(clusters(max_policies=2), policies("added"))
    def test_a_new_policy_only_denies_for_pods_it_newly_isolates(self, cluster: Cluster, added: NetworkPolicy) -> None:
        before = _pairs(PolicyIndex(cluster))
        after = _pairs(PolicyIndex(dataclasses.replace(cluster, policies=(*cluster.policies, added))))
        for pair, old in before.items():
            new = after[pair]
            if old.egress.conns - new.egress.conns:
                assert not old.egress.isolated, pair
                assert new.egress.isolated, pair
                assert added in new.egress.isolating
            if old.ingress.conns - new.ingress.conns:
                assert not old.ingress.isolated, pair
                assert new.ingress.isolated, pair
                assert added in new.ingress.isolating


class TestSelectors:
    """``matchLabels: {k: v}`` is the requirement ``k In (v)``; the empty selector matches everything."""

    @LAWS
    @given(st.sampled_from(KEYS), st.sampled_from(VALUES), label_sets)
    def test_match_labels_is_in(self, key: str, value: str, labels: Labels) -> None:
        by_labels = LabelSelector(Labels({key: value}))
        by_expr = LabelSelector(Labels(), (Requirement(key, "In", (value,)),))
        assert matches_selector(by_labels, labels) == matches_selector(by_expr, labels)

    @LAWS
    @given(label_sets)
    def test_empty_selector_matches_everything(self, labels: Labels) -> None:
        assert matches_selector(LabelSelector(), labels)

    @LAWS
    @given(st.sampled_from(KEYS), st.lists(st.sampled_from(VALUES), min_size=1, unique=True), label_sets)
    def test_not_in_is_not_of_in(self, key: str, values: list[str], labels: Labels) -> None:
        in_ = LabelSelector(Labels(), (Requirement(key, "In", tuple(values)),))
        not_in = LabelSelector(Labels(), (Requirement(key, "NotIn", tuple(values)),))
        # NotIn holds exactly where In fails, absent key included (apimachinery Requirement.Matches)
        assert matches_selector(not_in, labels) is not matches_selector(in_, labels)


class TestProjections:
    """The matrix and the all-ports pair verdict are projections of the one-port verdict."""

    @LAWS
    @given(clusters(), probe_ports, protocols)
    def test_build_matrix_agrees_with_evaluate(self, cluster: Cluster, number: int, protocol: Protocol) -> None:
        index = PolicyIndex(cluster)
        matrix = build_matrix(index, number, protocol)
        for src in cluster.pods:
            for dst in cluster.pods:
                expected = evaluate(index, Traffic(src, dst, number, protocol)).allowed
                assert matrix.is_allowed(src.ref, dst.ref) is expected, (src.ref, dst.ref)

    @LAWS
    @given(clusters(), st.data())
    def test_pair_conns_agree_with_evaluate(self, cluster: Cluster, data: st.DataObject) -> None:
        index = PolicyIndex(cluster)
        eps = endpoints(cluster)
        src, dst = data.draw(st.sampled_from(eps)), data.draw(st.sampled_from(eps))
        conns = evaluate_pair(index, src, dst).conns
        for protocol in Protocol:
            for number in (1, 52, 53, 54, 80, 81, 82, 100, 443, 473, 474, 65535):
                assert conns.allows(number, protocol) is evaluate(index, Traffic(src, dst, number, protocol)).allowed
