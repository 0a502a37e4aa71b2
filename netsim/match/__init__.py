"""Pure matching predicates: selectors, peers, ports and ipBlocks.

Each predicate answers with a plain ``bool`` (fast, used for every pair) and has an ``explain_*``
companion that says in words why something did not match (used only to explain a verdict).
"""

from netsim.match.ipblock import ip_in_block
from netsim.match.peers import describe_peer, explain_peer_miss, matches_peer
from netsim.match.ports import PortResolution, rule_ports
from netsim.match.selectors import explain_selector_miss, matches_selector

__all__ = [
    "PortResolution",
    "describe_peer",
    "explain_peer_miss",
    "explain_selector_miss",
    "ip_in_block",
    "matches_peer",
    "matches_selector",
    "rule_ports",
]
