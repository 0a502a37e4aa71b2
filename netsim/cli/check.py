"""`netsim check`: one connection, its verdict and the evidence."""

from __future__ import annotations

import json
import sys
from typing import NoReturn

import click

from netsim.cli.app import (
    EXIT_UNDETERMINED,
    PROTOCOL,
    Common,
    Output,
    common_options,
    handle_interrupt,
    main,
    output_options,
    reporting,
)
from netsim.endpoints import parse_port, resolve_endpoint
from netsim.errors import NetsimError
from netsim.model import Protocol
from netsim.render.json import workload_verdict_json
from netsim.render.text import explain_workload
from netsim.services import resolve_service, service_port
from netsim.verdict import Decision
from netsim.workloads import evaluate_named, evaluate_named_service

__all__ = ["check"]

#: -o formats and the --output-file suffixes that pick them.
FORMATS = {"text": (".txt",), "json": (".json",)}

_EXIT = {Decision.ALLOWED: 0, Decision.DENIED: 1, Decision.UNDETERMINED: EXIT_UNDETERMINED}


@main.command()
@common_options
@click.option(
    "--from",
    "source",
    required=True,
    metavar="SOURCE",
    help="Source: a pod (ns/name, or name in the -n namespace), a workload (ns/name[Kind], e.g. "
    "shop/web[Deployment]) or an IP address.",
)
@click.option(
    "--to",
    "destination",
    required=True,
    metavar="DESTINATION",
    help="Destination: a pod (ns/name, or name in the -n namespace), a workload (ns/name[Kind], e.g. "
    "shop/db[StatefulSet]), a Service (ns/name[Service], or its ClusterIP) or an IP address.",
)
@click.option(
    "--port",
    "port",
    required=True,
    metavar="PORT",
    help="Destination port: a number, a named port of the destination pod (of a Service: its port number "
    "or name), optionally /TCP, /UDP or /SCTP.",
)
@click.option(
    "--protocol",
    type=PROTOCOL,
    default=None,
    help="Protocol, in any case (default TCP, or the named port's protocol); same as a /PROTO suffix on --port.",
)
@output_options(FORMATS, "text")
@handle_interrupt
def check(
    common: Common,
    source: str,
    destination: str,
    port: str,
    protocol: str | None,
    output: Output,
) -> NoReturn:
    """Can SOURCE open a connection to DESTINATION on PORT, and why?

    Prints ALLOWED, DENIED or UNDETERMINED with the evidence: for the source's egress and the
    destination's ingress, whether the pod is isolated and by which policies (file:line), which
    rule allowed the connection, or why each rule missed.

    UNDETERMINED: the answer depends on something the input does not say, and netsim lists what:
    the address of a pod or workload without an IP (matched against an ipBlock), the labels of a
    namespace without a manifest, or a policy of a kind netsim does not evaluate (Cilium, Calico,
    ...). --pod-cidr, a Namespace manifest, --closed-world or --ignore-unevaluated settle them.
    A workload stands for its pods: when policies do not treat them all alike, netsim asks a pod
    of each kind and answers ALLOWED only when every pair is allowed, listing each pair. From a
    workload to itself, netsim answers for its pods to each other (one replica to another for a
    manifest); --no-replica-traffic answers for one pod, which can always reach itself.

    To a Service (ns/name[Service] or its ClusterIP), PORT is the Service port: netsim evaluates
    the connection towards every backend pod on its targetPort (policies see the pod, never the
    Service) and answers ALLOWED only when every backend allows it.

    \b
    Examples:
      netsim check scenarios/production-hardening/manifests --from production/web --to production/backend --port 8080
      netsim check manifests/ -n shop --from frontend --to 10.1.2.3 --port 5432
      netsim check manifests/ --from 'shop/client[Deployment]' --to prod/db --port 5432 --pod-cidr 10.244.0.0/16
      kubectl get ns,pods,netpol -A -o yaml | netsim check - --from x/a --to x/b --port dns/UDP
      netsim check scenarios/cluster-guardrails/manifests --from shop/web --to restricted/vault --port api
      netsim check manifests/ --from shop/web --to 'payments/api[Service]' --port https
      netsim check -f policies.yaml -f pods.yaml --from shop/web --to shop/db --port 5432 --output-file verdict.json
    """
    with reporting():
        index = common.index()
        cluster = index.cluster
        src = resolve_endpoint(cluster, source, common.namespace)
        ref = parse_port(port)
        if protocol and ref.protocol and ref.protocol.value != protocol:
            raise NetsimError(f"--port {port} and --protocol {protocol} disagree")
        wanted = Protocol(protocol) if protocol else ref.protocol
        service = resolve_service(cluster, destination, common.namespace)
        replicas = common.options.replica_traffic
        if service is not None:
            sp = service_port(service, str(ref.port), wanted)
            to_service = evaluate_named_service(index, source, src, service, sp, common.namespace)
            decision = to_service.decision
            if output.format == "json":
                text = json.dumps(workload_verdict_json(to_service, replica_traffic=replicas), indent=2) + "\n"
            else:
                text = explain_workload(to_service, replica_traffic=replicas)
        else:
            dst = resolve_endpoint(cluster, destination, common.namespace)
            # a workload stands for its pods: each kind of them is asked
            asked = evaluate_named(index, source, destination, src, dst, ref, wanted, common.namespace)
            decision = asked.decision
            if output.format == "json":
                text = json.dumps(workload_verdict_json(asked, replica_traffic=replicas), indent=2) + "\n"
            else:
                text = explain_workload(asked, replica_traffic=replicas)
        output.write(text, common.paths)
    output.done()
    sys.exit(_EXIT[decision])
