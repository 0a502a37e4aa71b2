"""Cluster-scoped policy tiers folded into the class-level reachability of :mod:`netsim.reach`.

For a subject in one direction, the tiers decide each remote end by first-match walks over the
rules of the cluster-scoped policies that select the subject (:func:`netsim.verdict.tier_chain`).
What the walks give for a remote end depends only on, per rule, whether its peers select that end
(yes, no, or undecided), on what the rule's ports cover towards the destination, and then on what
NetworkPolicy allows it. So the remote ends are cut once per sequence of rules into *cells* whose
members every rule treats alike; the walks run once per cell, and each cell then meets each part
of NetworkPolicy's partition of the same ends with two memoised set operations. Nothing here is
per pair: the cost follows the distinct rule sequences, cells and parts, as NetworkPolicy's does.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from ipaddress import ip_address
from typing import NamedTuple

from netsim.connset import ConnSet
from netsim.match.cluster import cluster_ports
from netsim.model import ClusterNetworkPolicy, ClusterRule, Direction, Endpoint, External, Tier
from netsim.verdict import ClusterRuleOutcome, TierChain, tier_chain

__all__ = ["Folded", "Parts", "TierFold", "TierProfile", "put"]

Parts = dict[int, tuple[ConnSet, int]]  # id(interned connections) -> (connections, disjoint mask)


def put(parts: Parts, conns: ConnSet, mask: int) -> None:
    """Add ``mask`` to the part of ``conns`` (interned)."""
    prev = parts.get(id(conns))
    parts[id(conns)] = (conns, mask if prev is None else prev[1] | mask)


class Folded(NamedTuple):
    """Remote ends partitioned by what a side allows them and, when asked, by what a rule of the
    Admin tier / the Baseline tier accepts of it for certain (empty otherwise)."""

    allowed: Parts
    admin: Parts
    baseline: Parts


@dataclass(frozen=True, slots=True)
class TierProfile:
    """The cluster-scoped policies that select a subject (True) or may (None) in one direction,
    per tier in evaluation order, and whether NetworkPolicy selecting the subject for the other
    direction only ends the tiers in this one (``Options.networkpolicy_tier_per_pod``)."""

    admin: tuple[tuple[ClusterNetworkPolicy, bool | None], ...]
    baseline: tuple[tuple[ClusterNetworkPolicy, bool | None], ...]
    selected_elsewhere: bool


@dataclass(frozen=True, slots=True)
class _Slot:
    """One rule of a profile, in evaluation order."""

    tier: Tier
    policy: ClusterNetworkPolicy
    selects: bool | None  # the policy selects the subject (True) or may (None)
    index: int
    rule: ClusterRule
    named: bool  # the rule names a port: what it covers depends on the destination pod


Cell = tuple[int, tuple[int, ...], int]  # (remote ends, per rule 0 no / 1 yes / 2 undecided, group)
RuleStates = Callable[[ClusterRule], tuple[int, int]]  # rule -> (remote ends selected, undecided)


class TierFold:
    """Partitions of remote ends by what a side allows them, for subjects that cluster-scoped
    policies select, in one direction and one resolution of the unknowns.

    ``groups`` cuts the remote ends by the ports they declare, with a representative for each
    (named ports of egress rules resolve against the destination: the remote end); ``None`` when
    the destination is the subject or an address. ``optimistic`` picks what is possibly allowed
    (True) or allowed for certain (False)."""

    def __init__(
        self,
        direction: Direction,
        rule_states: RuleStates,
        intern: Callable[[ConnSet], ConnSet],
        optimistic: bool,
        groups: Sequence[tuple[int, Endpoint]] | None = None,
        attribute: bool = False,
    ) -> None:
        self.direction = direction
        self._rule_states = rule_states
        self._intern = intern
        self._optimistic = optimistic
        self._groups = groups
        self._attribute = attribute  # also partition by what each tier accepts (for pictures)
        self.saw_unknown = False  # some answer differs between the resolutions of the unknowns
        self._slots: dict[Hashable, tuple[_Slot, ...]] = {}
        self._cells: dict[tuple[tuple[int, ...], int, bool], list[Cell]] = {}
        self._chains: dict[Hashable, TierChain] = {}
        self._allowed: dict[tuple[int, int], ConnSet] = {}
        self._static: dict[int, ConnSet] = {}

    def parts(
        self,
        key: Hashable,
        profile: TierProfile,
        policy: Parts | None,
        universe: int,
        destination: Endpoint | None,
        destination_key: Hashable = None,
    ) -> Folded:
        """The remote ends of ``universe`` by what the subject's side allows them: ``key``
        identifies ``profile``; ``policy`` is NetworkPolicy's partition of the same ends (None
        when no NetworkPolicy isolates the subject; ends in no part are allowed nothing);
        ``destination`` resolves named ports when it is fixed (the subject, for ingress), and
        ``destination_key`` tells its ports apart. With ``attribute``, also by what a rule of each
        tier accepts for certain."""
        slots = self._slots_of(key, profile)
        grouped = self._groups is not None and any(s.named for s in slots)
        cells = self._cells_of(slots, universe, grouped)
        if policy is None:
            pieces: list[tuple[ConnSet | None, int]] = [(None, universe)]
        else:
            pieces = []
            rest = universe
            for conns, mask in policy.values():
                if mask & universe:
                    pieces.append((conns, mask & universe))
                    rest &= ~mask
            if rest:
                pieces.append((_NONE, rest))
        out = Folded({}, {}, {})
        isolated = policy is not None
        for mask, codes, group in cells:
            chain: TierChain | None = None
            for policy_conns, part in pieces:
                overlap = mask & part
                if not overlap:
                    continue
                if chain is None:
                    chain = self._chain(key, profile, slots, codes, group, destination, destination_key)
                allowed = self._allowed_by(chain, policy_conns)
                if allowed:
                    put(out.allowed, allowed, overlap)
                    if self._attribute:
                        if admin := self._accepted_by(chain, Tier.ADMIN, isolated):
                            put(out.admin, admin, overlap)
                        if baseline := self._accepted_by(chain, Tier.BASELINE, isolated):
                            put(out.baseline, baseline, overlap)
        return out

    def _accepted_by(self, chain: TierChain, tier: Tier, isolated: bool) -> ConnSet:
        return self._intern(chain.accepted(tier, isolated))

    def _slots_of(self, key: Hashable, profile: TierProfile) -> tuple[_Slot, ...]:
        slots = self._slots.get(key)
        if slots is None:
            found: list[_Slot] = []
            for tier, policies in ((Tier.ADMIN, profile.admin), (Tier.BASELINE, profile.baseline)):
                for pol, selects in policies:
                    for i, rule in enumerate(pol.rules(self.direction)):
                        named = rule.ports is not None and any(isinstance(p.port, str) for p in rule.ports)
                        found.append(_Slot(tier, pol, selects, i, rule, named))
            slots = self._slots[key] = tuple(found)
        return slots

    def _cells_of(self, slots: tuple[_Slot, ...], universe: int, grouped: bool) -> list[Cell]:
        """``universe`` cut by every rule's states (and by declared ports when ``grouped``)."""
        ckey = (tuple(id(s.rule) for s in slots), universe, grouped)
        cells = self._cells.get(ckey)
        if cells is None:
            if grouped and self._groups is not None:
                cells = [(universe & m, (), g) for g, (m, _) in enumerate(self._groups) if universe & m]
            else:
                cells = [(universe, (), -1)] if universe else []
            for slot in slots:
                yes, maybe = self._rule_states(slot.rule)
                maybe &= ~yes
                either = yes | maybe
                split: list[Cell] = []
                for mask, codes, group in cells:
                    if a := mask & yes:
                        split.append((a, (*codes, 1), group))
                    if b := mask & maybe:
                        split.append((b, (*codes, 2), group))
                    if c := mask & ~either:
                        split.append((c, (*codes, 0), group))
                cells = split
            self._cells[ckey] = cells
        return cells

    def _chain(
        self,
        key: Hashable,
        profile: TierProfile,
        slots: tuple[_Slot, ...],
        codes: tuple[int, ...],
        group: int,
        destination: Endpoint | None,
        destination_key: Hashable,
    ) -> TierChain:
        memo = (key, codes, group, destination_key)
        chain = self._chains.get(memo)
        if chain is None:
            if group >= 0 and self._groups is not None:
                destination = self._groups[group][1]
            admin: list[ClusterRuleOutcome] = []
            baseline: list[ClusterRuleOutcome] = []
            for slot, code in zip(slots, codes, strict=True):
                if not code:
                    continue  # matches nothing here: decides nothing, in any order
                # a rule that matches, of a policy that may not apply to the subject, may match
                state = True if code == 1 and slot.selects else None
                ports = self._ports(slot, destination)
                outcome = ClusterRuleOutcome(slot.policy, self.direction, slot.index, slot.rule, state, None, (), ports)
                (admin if slot.tier is Tier.ADMIN else baseline).append(outcome)
            chain = self._chains[memo] = tier_chain(tuple(admin), tuple(baseline), profile.selected_elsewhere)
        return chain

    def _ports(self, slot: _Slot, destination: Endpoint | None) -> ConnSet:
        if not slot.named:
            cached = self._static.get(id(slot.rule))
            if cached is None:
                cached = self._static[id(slot.rule)] = self._intern(cluster_ports(slot.rule.ports, _NO_POD))
            return cached
        return self._intern(cluster_ports(slot.rule.ports, destination if destination is not None else _NO_POD))

    def _allowed_by(self, chain: TierChain, policy: ConnSet | None) -> ConnSet:
        memo = (id(chain), 0 if policy is None else id(policy))
        out = self._allowed.get(memo)
        if out is None:
            certain, possible = chain.allowed(None if policy is None else (policy, policy))
            if certain != possible:
                self.saw_unknown = True
            out = self._allowed[memo] = self._intern(possible if self._optimistic else certain)
        return out


_NONE = ConnSet.none()
_NO_POD: Endpoint = External(ip_address("0.0.0.0"))  # a destination without named ports
