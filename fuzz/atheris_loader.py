"""Coverage-guided fuzzing of netsim's reader and loader with atheris, for long runs (not in CI).

Each input is written to a file and loaded as ``netsim check`` would load it; a cluster that loads
is then evaluated for a few pairs. Anything but a result or a NetsimError is a finding: an
exception, a hang (libFuzzer's ``-timeout``) or runaway memory (``-rss_limit_mb``).

    pip install atheris
    mkdir -p /tmp/netsim-corpus && find scenarios -name '*.yaml' -exec cp {} /tmp/netsim-corpus/ \\;
    python fuzz/atheris_loader.py /tmp/netsim-corpus -max_total_time=3600 -timeout=10 -rss_limit_mb=2048

docs/security.md says more. The hypothesis fuzz tests (tests/property/test_fuzz.py) are the
quick version of this that CI runs.
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Any

_PATH = os.path.join(tempfile.mkdtemp(prefix="netsim-fuzz-"), "input.yaml")


def one_input(data: bytes) -> None:
    """Load ``data`` as a manifest file; evaluate a few pairs of what loads."""
    from netsim.engine import PolicyIndex, evaluate_pair
    from netsim.errors import NetsimError
    from netsim.loader import load_cluster

    with open(_PATH, "wb") as fh:
        fh.write(data)
    try:
        cluster = load_cluster([_PATH]).cluster
    except NetsimError:
        return
    index = PolicyIndex(cluster)
    pods = cluster.pods[:4]
    for source in pods:
        for destination in pods:
            evaluate_pair(index, source, destination)


def main(argv: list[str]) -> None:
    import atheris  # type: ignore[import-not-found,import-untyped,unused-ignore]  # optional: not a dependency

    with atheris.instrument_imports():
        import netsim.engine
        import netsim.loader
        import netsim.source  # noqa: F401

    fuzzer: Any = atheris
    fuzzer.Setup(argv, one_input)
    fuzzer.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
