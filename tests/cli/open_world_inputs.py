"""Manifests the CLI tests of undetermined answers share."""

from __future__ import annotations

__all__ = ["CIDR_CLUSTER"]

# shop/client is a Deployment with 2 replicas (no IP in the input); prod/db (10.244.1.5) admits the
# pod network 10.244.0.0/16 on 5432.
CIDR_CLUSTER = """\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: prod}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: client
  namespace: shop
spec:
  replicas: 2
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec:
      containers: [{name: client}]
---
apiVersion: v1
kind: Pod
metadata:
  name: db
  namespace: prod
  labels: {app: db}
spec:
  containers: [{name: db, ports: [{containerPort: 5432}]}]
status:
  podIP: 10.244.1.5
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-cidr
  namespace: prod
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
    - from:
        - ipBlock: {cidr: 10.244.0.0/16}
      ports:
        - port: 5432
"""
