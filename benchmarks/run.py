"""Time netsim's commands on generated clusters of several sizes, each command as its own process.

For every size (a number of pods, with 25 pods and 10 NetworkPolicies per namespace: 1,000 pods
are 400 policies in 40 namespaces, 10,000 pods 4,000 policies in 400 namespaces) the cluster is
generated once with benchmarks/generate.py and cached under --work-dir, keyed by the
generator's parameters and the generator's own text. Then each command runs --runs times:

    parse        python -c: yaml.load_all(..., CSafeLoader) of the file: the parsing baseline
    check        netsim check FILE --from team-0000/web-0-0000 --to kube-system/coredns-0 --port dns/UDP
    connections  netsim connections FILE                      (text, grouped by workload)
    json         netsim connections FILE -o json
    graph-dot    netsim graph FILE --group-by namespace --output-file OUT.dot
    graph-svg    netsim graph FILE --group-by namespace --output-file OUT.svg   (small sizes only: dot's layout)
    report       netsim report FILE --output-file OUT.html             (the HTML report)
    replay       netsim replay FILE --flows FLOWS --fail-on never --output-file OUT.txt
                 (FLOWS: a Hubble export of --flow-records-per-pod records per pod, made by
                 benchmarks/flows.py and cached like the cluster: 1,000,000 records at 10,000 pods)
    suggest      netsim suggest FILE --flows FLOWS --output-dir OUT/suggested   (the same FLOWS)
    nca          nca --connectivity FILE --pod_list FILE --ns_list FILE   (--compare-nca only)

--compare-nca installs network-config-analyzer (2.1.0, else the newest, and says so) into a
virtual environment under --work-dir and times its connectivity map on the same files, at sizes
up to --nca-max-pods, printing the ratio NCA / `netsim connections`.

Wall time is measured around each child process (median and min over the runs; CPU time, user +
system, is shown too since it is steadier on a busy machine); peak memory is the child's maximum
resident set size as the kernel reports it to os.wait4() (ru_maxrss: the larger of the child's
own peak and that of any process it waited for), so no polling can miss a short spike. Each
command's last stdout and stderr are kept under WORK_DIR/out/SIZE/. A command that times out
(--timeout) or fails is reported as such and not run at the larger sizes.

    python benchmarks/run.py                              # 500, 1,000 and 10,000 pods, 3 runs
    python benchmarks/run.py --sizes 500,1000,10000,100000
    python benchmarks/run.py --sizes 500,1000 --compare-nca
    python benchmarks/run.py --sizes 500,1000,10000 --large 10000 --large-runs 1 --json results.json
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import math
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
GENERATOR = HERE / "generate.py"
ROOT = HERE.parent

PODS_PER_NAMESPACE = 25
POLICIES_PER_NAMESPACE = 10
NCA_PACKAGE = "network-config-analyzer"
NCA_VERSION = "2.1.0"
COMMANDS = (
    "parse",
    "check",
    "connections",
    "json",
    "graph-dot",
    "graph-svg",
    "lint",
    "diff",
    "report",
    "replay",
    "suggest",
)
FLOWS = HERE / "flows.py"
PARSE_SNIPPET = (
    "import sys, yaml\n"
    "with open(sys.argv[1], encoding='utf-8') as f:\n"
    "    n = sum(1 for _ in yaml.load_all(f, Loader=yaml.CSafeLoader))\n"
    "print(n, 'documents')\n"
)
RSS_METHOD = "peak RSS = ru_maxrss of the child from os.wait4() (max over runs)"


@dataclass(frozen=True)
class Size:
    """One generated cluster."""

    pods: int  # the requested size; the generator adds kube-system/coredns-0
    namespaces: int
    seed: int
    cluster_policies: int = 0  # ClusterNetworkPolicies over both tiers (generate.py --cluster-policies)
    services: bool = False  # a Service per app and an Ingress per namespace (generate.py --services)

    @property
    def policies(self) -> int:
        return self.namespaces * POLICIES_PER_NAMESPACE

    @property
    def label(self) -> str:
        cnp = f" / {self.cluster_policies:,} cnp" if self.cluster_policies else ""
        svc = " / services" if self.services else ""
        return f"{self.pods:,} pods / {self.policies:,} pol / {self.namespaces:,} ns{cnp}{svc}"

    def generator_args(self) -> list[str]:
        return [
            "--namespaces",
            str(self.namespaces),
            "--pods-per-namespace",
            str(PODS_PER_NAMESPACE),
            "--policies-per-namespace",
            str(POLICIES_PER_NAMESPACE),
            "--seed",
            str(self.seed),
            "--cluster-policies",
            str(self.cluster_policies),
            *(["--services"] if self.services else []),
        ]


@dataclass
class Measurement:
    """The runs of one command at one size."""

    size: Size
    command: str
    argv: list[str]
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    peaks_kb: list[int] = field(default_factory=list)
    failure: str | None = None  # "timeout", "error (exit 3)", "skipped: ..."

    @property
    def median(self) -> float | None:
        return statistics.median(self.walls) if self.walls and self.failure is None else None


@dataclass(frozen=True)
class RunResult:
    """One child process: wall seconds, CPU seconds, peak RSS in KiB, exit code or None on timeout."""

    wall: float
    cpu: float
    peak_kb: int
    returncode: int | None
    stderr_tail: str


def log(message: str) -> None:
    """Progress for the person waiting, on stderr (the table goes to stdout)."""
    print(message, file=sys.stderr, flush=True)


#: Compile the netsim that the interpreter imports, as ``pip install`` does.
COMPILE_SNIPPET = "import compileall, os, netsim; compileall.compile_dir(os.path.dirname(netsim.__file__), quiet=1)"


def run_child(argv: Sequence[str], stdout_path: Path, stderr_path: Path, timeout: float) -> RunResult:
    """Run ``argv`` as its own process group; on timeout kill that group (and only it).

    The child runs in the directory of its output, never in this checkout: ``python -m netsim``
    puts its working directory first on ``sys.path``, so from the checkout it would time the
    checkout's files (and any edit made while the benchmark runs) instead of the installed copy."""
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv, cwd=stdout_path.parent, stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True
        )
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            kill()
            proc.wait()
            raise
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen from waiting again
    tail = stderr_path.read_text(encoding="utf-8", errors="replace")[-2000:]
    return RunResult(
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss,
        None if timed_out.is_set() else proc.returncode,
        tail,
    )


def generator_digest() -> str:
    return hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:12]


def cluster_file(size: Size, work_dir: Path, timeout: float) -> Path:
    """The generated cluster, from the cache when the same parameters and generator made it."""
    name = f"cluster-ns{size.namespaces}-p{PODS_PER_NAMESPACE}-q{POLICIES_PER_NAMESPACE}-s{size.seed}"
    if size.cluster_policies:
        name += f"-c{size.cluster_policies}"
    if size.services:
        name += "-svc"
    path = work_dir / "clusters" / f"{name}-{generator_digest()}.yaml"
    return _generated(path, [sys.executable, str(GENERATOR), *size.generator_args()], size.label, timeout)


def _generated(path: Path, argv: list[str], what: str, timeout: float) -> Path:
    """``path``, written by ``argv -o PATH`` unless an earlier run wrote it (never half-written)."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    log(f"generating {what} -> {path}")
    partial = path.with_suffix(".partial")
    proc = subprocess.run([*argv, "-o", str(partial)], timeout=timeout, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{Path(argv[1]).name} failed with exit status {proc.returncode}")
    partial.replace(path)
    return path


def flows_file(cluster: Path, records: int, work_dir: Path, timeout: float) -> Path:
    """The Hubble export for ``cluster`` (benchmarks/flows.py), cached like the cluster."""
    digest = hashlib.sha256(FLOWS.read_bytes()).hexdigest()[:12]
    path = work_dir / "flows" / f"{cluster.stem}-r{records}-{digest}.json"
    argv = [sys.executable, str(FLOWS), str(cluster), "--records", str(records)]
    return _generated(path, argv, f"{records:,} flow records", timeout)


def netsim_argv(python: str, command: str, cluster: Path, out_dir: Path, flows: Path | None = None) -> list[str]:
    netsim = [python, "-m", "netsim"]
    if command == "parse":
        return [python, "-c", PARSE_SNIPPET, str(cluster)]
    if command == "check":
        return [
            *netsim,
            "check",
            str(cluster),
            "--from",
            "team-0000/web-0-0000",
            "--to",
            "kube-system/coredns-0",
            "--port",
            "dns/UDP",
        ]
    if command == "connections":
        return [*netsim, "connections", str(cluster)]
    if command == "json":
        return [*netsim, "connections", str(cluster), "-o", "json"]
    if command == "graph-dot":
        return [*netsim, "graph", str(cluster), "--group-by", "namespace", "--output-file", str(out_dir / "graph.dot")]
    if command == "lint":
        return [*netsim, "lint", str(cluster)]
    if command == "diff":  # both sides evaluated and compared (the same file: no change found)
        return [*netsim, "diff", str(cluster), str(cluster)]
    if command == "report":
        return [*netsim, "report", str(cluster), "--output-file", str(out_dir / "report.html")]
    if command == "graph-svg":
        return [*netsim, "graph", str(cluster), "--group-by", "namespace", "--output-file", str(out_dir / "graph.svg")]
    if command == "replay" and flows is not None:
        out = str(out_dir / "replay.txt")
        return [*netsim, "replay", str(cluster), "--flows", str(flows), "--fail-on", "never", "--output-file", out]
    if command == "suggest" and flows is not None:  # the policies, checked before they are written
        return [*netsim, "suggest", str(cluster), "--flows", str(flows), "--output-dir", str(out_dir / "suggested")]
    raise ValueError(command)


def nca_argv(nca: Path, cluster: Path) -> list[str]:
    """NCA's connectivity map; pods and namespaces come from the same multi-document file."""
    return [str(nca), "--connectivity", str(cluster), "--pod_list", str(cluster), "--ns_list", str(cluster)]


def ok_exit(command: str, code: int) -> bool:
    # check answers with its exit status (0 allowed, 1 denied), lint too (1: findings at --fail-on)
    return code in (0, 1) if command in ("check", "lint") else code == 0


def measure(m: Measurement, runs: int, out_dir: Path, timeout: float) -> None:
    for i in range(runs):
        stdout_path = out_dir / f"{m.command}.out"
        stderr_path = out_dir / f"{m.command}.err"
        result = run_child(m.argv, stdout_path, stderr_path, timeout)
        if result.returncode is None:
            m.failure = "timeout"
            log(f"  {m.command}: run {i + 1}/{runs} timed out after {timeout:g} s")
            return
        if not ok_exit(m.command, result.returncode):
            m.failure = f"error (exit {result.returncode})"
            log(f"  {m.command}: exit status {result.returncode}; stderr ends with:\n{result.stderr_tail}")
            return
        m.walls.append(result.wall)
        m.cpus.append(result.cpu)
        m.peaks_kb.append(result.peak_kb)
        log(f"  {m.command}: run {i + 1}/{runs}: {result.wall:.2f} s, {result.peak_kb / 1024:.0f} MB")


def setup_nca(work_dir: Path, version: str, timeout: float) -> tuple[Path, str, str]:
    """A virtual environment with NCA; returns (nca executable, installed version, note)."""
    venv = work_dir / "nca-venv"
    python = venv / "bin" / "python"
    nca = venv / "bin" / "nca"
    note = ""

    def installed() -> str | None:
        if not python.exists():
            return None
        proc = subprocess.run(
            [str(python), "-c", f"import importlib.metadata as m; print(m.version({NCA_PACKAGE!r}))"],
            capture_output=True,
            text=True,
            check=False,
        )
        return proc.stdout.strip() if proc.returncode == 0 else None

    have = installed()
    if have != version:
        if not python.exists():
            log(f"creating {venv}")
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=timeout)
        log(f"installing {NCA_PACKAGE}=={version} into {venv}")
        pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        proc = subprocess.run([*pip, f"{NCA_PACKAGE}=={version}"], check=False, timeout=timeout)
        if proc.returncode != 0:
            log(f"{NCA_PACKAGE}=={version} is not installable here; trying the newest version")
            subprocess.run([*pip, NCA_PACKAGE], check=True, timeout=timeout)
        have = installed()
        if have is None:
            raise SystemExit(f"could not install {NCA_PACKAGE}")
    if have != version:
        note = f" (requested {version}, not available)"
    return nca, have, note


def setup_netsim(work_dir: Path, timeout: float) -> Path:
    """A virtual environment with this checkout installed as users install it (``pip install .``,
    not editable): its interpreter starts as NCA's does, without the development environment's
    site hooks (editable-install finders, ``.pth`` files), which cost tens of milliseconds."""
    venv = work_dir / "netsim-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        log(f"creating {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=timeout)
    log(f"installing {ROOT} into {venv}")
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--force-reinstall", "--no-deps"]
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(ROOT)], check=True)
    subprocess.run([*pip, str(ROOT)], check=True, timeout=timeout)  # this checkout's code, whatever the version
    return python


def fmt_s(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def fmt_cell(m: Measurement, value: float | None) -> str:
    return m.failure if m.failure is not None else fmt_s(value)


def exponent(t1: float, t2: float, n1: int, n2: int) -> float | None:
    if t1 <= 0 or t2 <= 0 or n1 == n2:
        return None
    return math.log(t2 / t1) / math.log(n2 / n1)


def print_tables(
    results: list[Measurement], startups: dict[str, Measurement], sizes: list[Size], nca_label: str | None
) -> None:
    by_size: dict[int, dict[str, Measurement]] = {}
    for m in results:
        by_size.setdefault(m.size.pods, {})[m.command] = m
    print()
    print("| size | command | median s | min s | median CPU s | peak MB | × parse | runs |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for m in results:
        parse = by_size[m.size.pods].get("parse")
        ratio = "-"
        if m.command not in ("parse", "nca") and parse is not None and parse.median and m.median is not None:
            ratio = f"{m.median / parse.median:.2f}"
        mn = min(m.walls) if m.walls and m.failure is None else None
        cpu = statistics.median(m.cpus) if m.cpus and m.failure is None else None
        peak = f"{max(m.peaks_kb) / 1024:.0f}" if m.peaks_kb else "-"
        command = "nca --connectivity" if m.command == "nca" else m.command
        print(
            f"| {m.size.label} | {command} | {fmt_cell(m, m.median)} | {fmt_s(mn)} | "
            f"{fmt_s(cpu)} | {peak} | {ratio} | {len(m.walls)} |"
        )
    print()
    print(f"{RSS_METHOD}; × parse = median / median of parse at the same size.")
    if any(m.failure == "skipped" for m in results):
        print("skipped: the command timed out or failed at a smaller size.")
    base = {name: m.median for name, m in startups.items() if m.median is not None}
    if base:
        print(
            "Start-up: "
            + "; ".join(f"`python {shlex.join(startups[k].argv[1:])}` median {v:.2f} s" for k, v in base.items())
            + "."
        )
    if nca_label:
        print(f"NCA: {nca_label}.")

    commands = [c for c in (*COMMANDS, "nca") if any(m.command == c for m in results)]
    if len(sizes) > 1:
        print()
        print("Growth exponent log(t2/t1)/log(n2/n1) between consecutive sizes (n = pods), on median wall time")
        if base:
            print("(in brackets: on median wall time minus the start-up: python + yaml for parse, netsim's otherwise)")
        pairs = list(itertools.pairwise(sizes))
        print()
        print("| command | " + " | ".join(f"{a.pods:,} → {b.pods:,}" for a, b in pairs) + " |")
        print("|---|" + "---:|" * len(pairs))
        for c in commands:
            cells = []
            for a, b in pairs:
                ma, mb = by_size.get(a.pods, {}).get(c), by_size.get(b.pods, {}).get(c)
                ta = ma.median if ma else None
                tb = mb.median if mb else None
                if ta is None or tb is None:
                    cells.append("-")
                    continue
                e = exponent(ta, tb, a.pods, b.pods)
                cell = "-" if e is None else f"{e:.2f}"
                t0 = base.get("parse" if c == "parse" else "netsim") if c != "nca" else None
                if t0 is not None and ta > t0 and tb > t0:
                    net = exponent(ta - t0, tb - t0, a.pods, b.pods)
                    if net is not None:
                        cell += f" ({net:.2f})"
                cells.append(cell)
            print(f"| {c} | " + " | ".join(cells) + " |")

    nca_rows = [(s, by_size.get(s.pods, {})) for s in sizes]
    nca_rows = [(s, row) for s, row in nca_rows if "nca" in row]
    if nca_rows:
        print()
        print("| size | nca --connectivity s | netsim connections s | NCA / netsim |")
        print("|---|---:|---:|---:|")
        for s, row in nca_rows:
            nca_m, ours = row["nca"], row.get("connections")
            ratio = "-"
            if nca_m.median is not None and ours is not None and ours.median:
                ratio = f"{nca_m.median / ours.median:.1f}"
            ours_cell = fmt_cell(ours, ours.median) if ours is not None else "-"
            print(f"| {s.label} | {fmt_cell(nca_m, nca_m.median)} | {ours_cell} | {ratio} |")


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes {text!r}: comma-separated pod counts") from None
    if not sizes or any(s < PODS_PER_NAMESPACE for s in sizes):
        raise argparse.ArgumentTypeError(f"--sizes: each size at least {PODS_PER_NAMESPACE} pods")
    return sizes


def parse_commands(text: str) -> list[str]:
    commands = [c.strip() for c in text.split(",") if c.strip()]
    unknown = [c for c in commands if c not in COMMANDS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown command {unknown[0]!r}; choose from {', '.join(COMMANDS)}")
    return commands


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=parse_sizes, default=parse_sizes("500,1000,10000"), help="pod counts")
    parser.add_argument("--runs", type=int, default=3, help="runs per command below --large (median reported)")
    parser.add_argument("--large", type=int, default=50_000, help="sizes from this many pods on are 'large'")
    parser.add_argument("--large-runs", type=int, default=1, help="runs per command at large sizes")
    parser.add_argument("--commands", type=parse_commands, default=list(COMMANDS), help="comma-separated subset")
    parser.add_argument("--svg-max-pods", type=int, default=1000, help="render SVG only up to this many pods")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per command run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--flow-records-per-pod",
        type=int,
        default=100,
        help="replay and suggest: flow records per pod in the generated Hubble export (100: a million at 10,000 pods)",
    )
    parser.add_argument(
        "--cluster-policies",
        type=int,
        default=0,
        metavar="N",
        help="add N ClusterNetworkPolicies over both tiers to every cluster (default: none)",
    )
    parser.add_argument(
        "--services",
        action="store_true",
        help="add a Service per app and an Ingress per namespace to every cluster",
    )
    parser.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()) / "netsim-bench")
    parser.add_argument(
        "--python",
        default=None,
        help="interpreter that runs netsim (default: a venv under --work-dir with this checkout installed)",
    )
    parser.add_argument("--compare-nca", action="store_true", help=f"also time {NCA_PACKAGE} (own venv)")
    parser.add_argument("--nca-version", default=NCA_VERSION)
    parser.add_argument("--nca-max-pods", type=int, default=1000)
    parser.add_argument("--nca-runs", type=int, default=1, help="runs of NCA per size (it is slow)")
    parser.add_argument("--json", type=Path, default=None, help="also write the measurements here")
    args = parser.parse_args(argv)

    work_dir: Path = args.work_dir.resolve()
    work_dir.mkdir(parents=True, exist_ok=True)
    sizes = [
        Size(p, max(1, p // PODS_PER_NAMESPACE), args.seed, args.cluster_policies, args.services) for p in args.sizes
    ]
    env_note = (
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    log(env_note)

    nca: Path | None = None
    nca_label = None
    if args.compare_nca:
        nca, version, note = setup_nca(work_dir, args.nca_version, args.timeout)
        nca_label = (
            f"{NCA_PACKAGE} {version}{note}, `{' '.join(nca_argv(Path('nca'), Path('FILE')))}`, {args.nca_runs} run(s)"
        )
        log(nca_label)

    out_dir = work_dir / "out"
    out_dir.mkdir(exist_ok=True)
    if args.python is None:
        args.python = str(setup_netsim(work_dir, args.timeout))
    # as after `pip install` (which compiles every module): with PYTHONDONTWRITEBYTECODE set, as on
    # some CI machines, a checkout given with --python would otherwise be compiled on every run
    subprocess.run(
        [args.python, "-c", COMPILE_SNIPPET],
        check=True,
        timeout=args.timeout,
        cwd=out_dir,  # the copy the children import (see run_child), not this checkout
    )
    startups = {
        "parse": Measurement(sizes[0], "startup-yaml", [args.python, "-c", "import yaml"]),
        "netsim": Measurement(sizes[0], "startup-netsim", [args.python, "-m", "netsim", "--version"]),
    }
    for m in startups.values():
        measure(m, args.runs, out_dir, args.timeout)

    results: list[Measurement] = []
    failed: set[str] = set()  # a command that timed out or failed is not tried at larger sizes
    for size in sizes:
        cluster = cluster_file(size, work_dir, args.timeout)
        runs = args.large_runs if size.pods >= args.large else args.runs
        log(f"{size.label}: {cluster.stat().st_size / 1e6:.1f} MB of YAML, {runs} run(s) per command")
        size_out = out_dir / str(size.pods)  # each command's last stdout, stderr and picture
        size_out.mkdir(exist_ok=True)
        for command in args.commands:
            if command == "graph-svg" and (size.pods > args.svg_max_pods or shutil.which("dot") is None):
                continue
            flows = None
            if command in ("replay", "suggest"):
                flows = flows_file(cluster, size.pods * args.flow_records_per_pod, work_dir, args.timeout)
            m = Measurement(size, command, netsim_argv(args.python, command, cluster, size_out, flows))
            results.append(m)
            if command in failed:
                m.failure = "skipped"
                continue
            measure(m, runs, size_out, args.timeout)
            if m.failure is not None:
                failed.add(command)
        if nca is not None and size.pods <= args.nca_max_pods:
            m = Measurement(size, "nca", nca_argv(nca, cluster))
            results.append(m)
            if "nca" in failed:
                m.failure = "skipped"
            else:
                measure(m, args.nca_runs, size_out, args.timeout)
                if m.failure is not None:
                    failed.add("nca")

    print(f"netsim benchmark: {env_note}; generator seed {args.seed}")
    print_tables(results, startups, sizes, nca_label)
    if args.json is not None:
        rows = [
            {
                "pods": m.size.pods,
                "policies": m.size.policies,
                "namespaces": m.size.namespaces,
                "command": m.command,
                "argv": m.argv,
                "wall_s": m.walls,
                "cpu_s": m.cpus,
                "peak_rss_kb": m.peaks_kb,
                "failure": m.failure,
            }
            for m in [*startups.values(), *results]
        ]
        args.json.write_text(json.dumps({"environment": env_note, "results": rows}, indent=2) + "\n")
    return 1 if any(m.failure not in (None, "skipped") for m in results) else 0


if __name__ == "__main__":
    sys.exit(main())
