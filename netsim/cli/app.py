"""The ``netsim`` command group and what every command shares: the common options, error
reporting (exit status 2 with located messages), interrupt handling (exit status 130).

The CLI (this package) is the only part of netsim that prints, reads argv or exits.

Start-up time: this module is imported by every run of ``netsim`` (``--version`` and ``--help``
too), so at the top it imports only click, the standard library and netsim.errors. The group
imports a command's module when that command is asked for (see :data:`COMMANDS`), and the library
(loader, engine, ...) is imported where it is used; a command module imports what its command needs.
"""

from __future__ import annotations

import functools
import gc
import importlib
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from gettext import gettext
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn, TypeVar

import click
from click.core import ParameterSource

from netsim import __version__
from netsim.errors import InputError, InputErrors, NetsimError

if TYPE_CHECKING:
    from netsim.engine import PolicyIndex
    from netsim.loader import LoadOptions, LoadResult
    from netsim.model import Cluster, IPNetwork, Options, Pod
    from netsim.source import Limits

__all__ = [
    "COMMANDS",
    "EXIT_BAD_INPUT",
    "EXIT_INTERRUPTED",
    "EXIT_UNDETERMINED",
    "PROTOCOL",
    "Choice",
    "Common",
    "InputFailure",
    "LazyCommand",
    "Output",
    "common_options",
    "format_of",
    "handle_interrupt",
    "main",
    "output_options",
    "reporting",
    "resolve_output",
]

F = TypeVar("F", bound=Callable[..., Any])

EXIT_BAD_INPUT = 2
EXIT_UNDETERMINED = 3  # check: the answer depends on what the input does not say
EXIT_INTERRUPTED = 130


class InputFailure(click.ClickException):
    """Bad input: printed without a traceback, exit status 2."""

    exit_code = EXIT_BAD_INPUT

    def show(self, file: Any = None) -> None:
        click.echo(self.format_message(), err=True)


@contextmanager
def reporting() -> Iterator[None]:
    """Translate netsim's errors into exit status 2 with located messages on stderr."""
    try:
        yield
    except InputErrors as group:
        lines = [f"error: {e}" for e in group.exceptions]
        noun = "error" if len(group.exceptions) == 1 else "errors"
        lines.append(f"netsim: {len(group.exceptions)} input {noun}; nothing was evaluated")
        raise InputFailure("\n".join(lines)) from None
    except InputError as exc:
        raise InputFailure(f"error: {exc}") from None
    except NetsimError as exc:
        raise InputFailure(f"error: {exc}") from None


#: The --max-* options, one per field of Limits: what each refuses (docs/security.md explains them).
_LIMITS = (
    ("max_file_bytes", "Limit: refuse an input file larger than N bytes."),
    ("max_total_bytes", "Limit: refuse input files larger than N bytes together."),
    ("max_files", "Limit: refuse more than N input files (directories expanded)."),
    ("max_documents", "Limit: refuse a file of more than N YAML documents."),
    ("max_depth", "Limit: refuse YAML nested deeper than N levels."),
    ("max_scalar_length", "Limit: refuse a YAML key or value longer than N characters."),
    ("max_alias_nodes", "Limit: refuse YAML whose aliases stand for more than N nodes (YAML bombs)."),
    ("max_errors", "Limit: stop reading after N errors."),
)
_LIMIT_NAMES = frozenset(name for name, _ in _LIMITS)


if not TYPE_CHECKING:  # mypy sees the real names (above), so a misspelt one is still an error

    def __getattr__(name: str) -> Any:
        """``Limits``: imported from netsim.source (which loads the YAML parser) when first used, not
        when netsim starts."""
        if name != "Limits":
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from netsim.source import Limits

        globals()["Limits"] = Limits
        return Limits


def _limits_type() -> type[Limits]:
    """:class:`netsim.source.Limits`, read as this module's ``Limits`` (where tests replace it)."""
    limits: type[Limits] = sys.modules[__name__].Limits
    return limits


def _pod_cidrs(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """``--pod-cidr`` values as networks, read as strictly as the loader reads an ipBlock's cidr
    (a bad one: exit status 2, ``error: --pod-cidr VALUE: problem``)."""
    from netsim.validation import parse_cidr

    out: list[IPNetwork] = []
    for value in values:
        net, problems = parse_cidr(value, strict=True)
        if net is None or problems:
            problem = problems[0] if problems else "not a CIDR"
            raise InputFailure(f"error: --pod-cidr {value}: {problem}")
        out.append(net)
    return tuple(dict.fromkeys(out))


class Choice(click.Choice[str]):
    """click's Choice, case-insensitive unless told otherwise, shown in help as written
    (``[TCP|UDP|SCTP]``), whose error suggests the closest choice (``did you mean 'namespace'?``)."""

    def __init__(self, choices: Iterable[str], case_sensitive: bool = False) -> None:
        super().__init__(choices, case_sensitive=case_sensitive)

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str | None:
        return f"[{'|'.join(self.choices)}]"

    def get_invalid_choice_message(self, value: Any, ctx: click.Context | None) -> str:
        from netsim.endpoints import did_you_mean, suggest

        choices = ", ".join(repr(c) for c in self.choices)
        close = suggest(str(value), self.choices, limit=1)
        return f"{value!r} is not one of {choices}" + (did_you_mean(close) if close else ".")


#: ``--protocol``: any case on the command line, the value upper-case (``tcp`` -> ``TCP``).
PROTOCOL = Choice(["TCP", "UDP", "SCTP"])

#: ``--ingress-pod NS/NAME`` (repeatable): the pods of the ingress controller or gateway.
ingress_pod_option = click.option(
    "--ingress-pod",
    "ingress_pods",
    multiple=True,
    metavar="NS/NAME",
    help="The pods of the ingress controller or gateway (repeatable): the lines from {ingress-controller} and "
    "{gateway ns/name} are evaluated from them, with their own policies. Default: a pod the input does not describe.",
)


def ingress_pods_of(cluster: Cluster, texts: Iterable[str], namespace: str) -> tuple[Pod, ...]:
    """The ``--ingress-pod`` values: pods (or workloads) of the input, never an address."""
    from netsim.endpoints import resolve_endpoint
    from netsim.model import Pod

    out: list[Pod] = []
    for text in texts:
        endpoint = resolve_endpoint(cluster, text, namespace)
        if not isinstance(endpoint, Pod):
            raise NetsimError(
                f"--ingress-pod {text}: an ingress controller or gateway is a pod of the input, not an address"
            )
        out.append(endpoint)
    return tuple(out)


class _PathOption(click.Option):
    """``-f/--filename PATH``: each value joins the positional PATHS where it stands on the
    command line, so ``a.yaml -f b.yaml c.yaml`` reads a, b and c in that order (``netsim diff``
    takes its BASE and HEAD from either)."""

    def add_to_parser(self, parser: Any, ctx: click.Context) -> None:
        super().add_to_parser(parser, ctx)
        for opt in self.opts:
            registered = parser._long_opt.get(opt) or parser._short_opt.get(opt)

            def process(value: Any, state: Any, option: click.Option = self) -> None:
                state.largs.append(value)  # read as if written as a positional PATH here
                state.order.append(option)

            registered.process = process


def common_options(func: F) -> F:
    """Options every command that reads manifests shares."""
    from netsim.model import Options
    from netsim.source import Limits

    defaults = Limits()
    options = [
        click.argument("paths", nargs=-1, required=False, metavar="PATHS...", type=click.Path(allow_dash=True)),
        click.option(
            "-f",
            "--filename",
            "filenames",
            cls=_PathOption,
            multiple=True,
            metavar="PATH",
            type=click.Path(allow_dash=True),
            help="A file, folder or '-' (standard input) to read, as kubectl's -f; the same as a PATHS "
            "argument, in the order given. Repeatable.",
        ),
        click.option(
            "-n",
            "--namespace",
            default="default",
            show_default=True,
            help="Namespace for objects that name none, and for endpoint names without 'ns/'. Not a filter: "
            "every namespace of the input is evaluated. A namespace the input does not have is an error.",
        ),
        click.option(
            "-A",
            "--all-namespaces",
            is_flag=True,
            help="Every namespace, as kubectl's -A: what netsim always evaluates, so it changes nothing; "
            "it cannot be combined with -n (or --focus).",
        ),
        click.option(
            "--lax",
            is_flag=True,
            help="Accept unknown fields, duplicate keys and legacy CIDR forms with a warning "
            "(like a lax API server) instead of rejecting them.",
        ),
        click.option(
            "--ipblock-pods/--no-ipblock-pods",
            default=True,
            show_default=True,
            help="Whether ipBlock peers also match pod IPs (the upstream e2e suite expects this; "
            "some plugins, e.g. Cilium, do not).",
        ),
        click.option(
            "--egress-to-own-node/--no-egress-to-own-node",
            default=True,
            show_default=True,
            help="Whether a pod may always reach its own node (the Kubernetes docs say so).",
        ),
        click.option(
            "--host-network",
            type=Choice(["node", "pod"]),
            default="node",
            show_default=True,
            help="How hostNetwork pods are treated: as their node (never selected by policies; most "
            "plugins) or as ordinary pods (some plugins, and netpol-analyzer).",
        ),
        click.option(
            "--pod-cidr",
            "pod_cidrs",
            multiple=True,
            metavar="CIDR",
            callback=_pod_cidrs,
            help="The pod network: where a pod or workload without an IP gets its address (settles "
            "ipBlock answers for them). Repeatable.",
        ),
        click.option(
            "--networkpolicy-tier",
            type=Choice(["direction", "pod"]),
            default="direction",
            show_default=True,
            help="When NetworkPolicy ends the cluster-scoped tiers for a pod: a NetworkPolicy isolating it "
            "in that direction (the API's reading), or any that selects it, which then allows the other "
            "direction outright (kube-network-policies).",
        ),
        click.option(
            "--closed-world",
            is_flag=True,
            help="Treat what the input does not give as absent: namespaces without a manifest have only "
            "their name label, pods without an IP match no ipBlock, an address of no listed Node is no "
            "Node's, domainNames match nothing (decided answers, as if the input were the whole cluster).",
        ),
        click.option(
            "--ignore-unevaluated",
            is_flag=True,
            help="Answer as if policy kinds netsim does not evaluate (Cilium, Calico, Antrea, OVN-Kubernetes "
            "EgressFirewall, ...) were absent; they are still reported. ClusterNetworkPolicy, AdminNetworkPolicy "
            "and BaselineAdminNetworkPolicy are evaluated, and kept.",
        ),
        click.option(
            "--replica-traffic/--no-replica-traffic",
            default=True,
            show_default=True,
            help="Whether a workload's replicas are distinct pods that may talk to each other (on), or "
            "one pod (off: netpol-analyzer's model).",
        ),
        *(
            click.option(
                "--" + name.replace("_", "-"),
                name,
                type=click.IntRange(min=1),
                default=getattr(defaults, name),
                show_default=True,
                metavar="N",
                help=text,
            )
            for name, text in _LIMITS
        ),
    ]

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        ctx = click.get_current_context()
        paths = kwargs.pop("paths")  # -f/--filename values are among them, in command-line order
        kwargs.pop("filenames")
        if not paths:
            raise click.UsageError("Missing argument 'PATHS...' (or -f PATH): the files, folders or - to read.", ctx)
        namespace_given = ctx.get_parameter_source("namespace") not in (None, ParameterSource.DEFAULT)
        all_namespaces = kwargs.pop("all_namespaces")
        if all_namespaces and namespace_given:
            raise click.UsageError(
                "-A/--all-namespaces and -n/--namespace cannot be combined: netsim evaluates every namespace "
                "either way; -n only names the namespace of objects and endpoint names that give none.",
                ctx,
            )
        common = Common(
            paths=paths,
            namespace=kwargs.pop("namespace"),
            namespace_given=namespace_given,
            all_namespaces=all_namespaces,
            lax=kwargs.pop("lax"),
            limits=_limits_type()(**{name: kwargs.pop(name) for name, _ in _LIMITS}),
            options=Options(
                ipblock_matches_pods=kwargs.pop("ipblock_pods"),
                egress_to_own_node=kwargs.pop("egress_to_own_node"),
                host_network_as_node=kwargs.pop("host_network") == "node",
                pod_cidrs=kwargs.pop("pod_cidrs"),
                closed_world=kwargs.pop("closed_world"),
                ignore_unevaluated=kwargs.pop("ignore_unevaluated"),
                replica_traffic=kwargs.pop("replica_traffic"),
                networkpolicy_tier_per_pod=kwargs.pop("networkpolicy_tier") == "pod",
            ),
        )
        return func(common, **kwargs)

    own = {id(p) for p in getattr(func, "__click_params__", ())}  # the command's own, declared below
    out: Callable[..., Any] = wrapper
    for option in reversed(options):
        out = option(out)
    # --help lists the command's own options first (the required ones first of all), then these
    # shared ones, then the --max-* limits: click shows the parameters a command's decorators
    # collected in reverse, so the sort puts the last to show first (it is stable: within a group,
    # the order of the decorators)
    params: list[click.Parameter] = out.__click_params__  # type: ignore[attr-defined]

    def position(param: click.Parameter) -> int:
        if param.name in _LIMIT_NAMES:
            return 0
        if id(param) not in own:
            return 1
        return 3 if param.required else 2

    params.sort(key=position)
    return out  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Common:
    """The options every command that reads manifests shares."""

    paths: tuple[str, ...]
    namespace: str
    lax: bool
    limits: Limits
    options: Options
    namespace_given: bool = False  # -n was on the command line: it must name a namespace of the input
    all_namespaces: bool = False  # -A

    def require_namespace(self, *clusters: Cluster) -> None:
        """An explicit ``-n NS`` must name a namespace of the input (of either side, for ``diff``):
        ``error: -n payment: no such namespace in the input; did you mean 'payments'?``."""
        from netsim.endpoints import did_you_mean, namespaces, suggest

        if not self.namespace_given:
            return
        known = frozenset().union(*(namespaces(c) for c in clusters))
        if self.namespace not in known:
            raise NetsimError(
                f"-n {self.namespace}: no such namespace in the input" + did_you_mean(suggest(self.namespace, known))
            )

    def load_options(self) -> LoadOptions:
        """How to read the inputs: ``-n``, ``--lax`` and the ``--max-*`` limits."""
        from netsim.loader import LoadOptions

        return LoadOptions(namespace=self.namespace, lax=self.lax, limits=self.limits)

    def load(self) -> LoadResult:
        """Load the inputs; print the warnings on stderr."""
        with progress("reading") as report:
            result = load_cluster(list(self.paths), self.load_options(), progress=report)
        # the model lives until the command ends: the collector need not walk it again and again
        # while the graph is computed (a full collection over 100,000 pods' objects takes seconds)
        gc.freeze()
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)
        self.require_namespace(result.cluster)
        return result

    def index(self) -> PolicyIndex:
        """Load the inputs and index their policies; warn about the namespaceSelectors that the
        input cannot decide for namespaces without a manifest."""
        from netsim.engine import PolicyIndex

        index = PolicyIndex(self.load().cluster, self.options)
        for unknown in index.open_namespace_selectors():
            where = f"{unknown.span}: " if unknown.span is not None else ""
            click.echo(f"warning: {where}{unknown.condition}", err=True)
        return index


def load_cluster(
    inputs: list[str],
    options: LoadOptions | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LoadResult:
    """:func:`netsim.loader.load_cluster`, imported when first called (not when netsim starts).

    :meth:`Common.load` calls it through this module's namespace, where tests replace it.
    """
    from netsim.loader import load_cluster as load

    return load(inputs, options, labels=labels, progress=progress)


#: A command's output formats, each with the file suffixes that pick it (the first is the usual one).
Formats = Mapping[str, tuple[str, ...]]


def format_of(path: str, formats: Formats) -> str | None:
    """The format whose suffix ``path`` ends with (case-insensitive; the longest suffix wins, so
    ``x.sarif.json`` is SARIF when SARIF claims ``.sarif.json``), or None."""
    name = path.lower()
    found = [(len(suffix), fmt) for fmt, suffixes in formats.items() for suffix in suffixes if name.endswith(suffix)]
    return max(found)[1] if found else None


@dataclass(frozen=True, slots=True)
class Output:
    """Where a command's result goes: ``format`` (``-o``), to ``file`` (``--output-file``) or, when
    that is None, to standard output."""

    format: str
    file: str | None = None

    def write(self, data: str | bytes, inputs: Sequence[str]) -> None:
        """Write the result: to the file atomically, never over one of ``inputs``; or to stdout."""
        if self.file is None:
            click.echo(data, nl=False)
            return
        from netsim.output import write_atomic

        write_atomic(self.file, data.encode("utf-8") if isinstance(data, str) else data, inputs)

    def done(self) -> None:
        """``wrote FILE`` on stderr after a file was written (the result itself is in the file)."""
        if self.file is not None:
            click.echo(f"wrote {self.file}", err=True)


def resolve_output(output: str | None, output_file: str | None, formats: Formats, default: str) -> Output:
    """``-o`` and ``--output-file`` as one :class:`Output`.

    Without ``-o`` the format is the one the file's suffix names, else ``default``; with both, a
    suffix that names another format of the command is a usage error (``-o json --output-file
    x.csv``). ``--output-file -`` is standard output.
    """
    if output_file == "-":
        output_file = None
    by_suffix = format_of(output_file, formats) if output_file is not None else None
    if output is None:
        return Output(by_suffix or default, output_file)
    if by_suffix is not None and by_suffix != output:
        raise click.UsageError(
            f"-o {output} and --output-file {output_file} disagree: the suffix names {by_suffix} output; "
            f"drop -o to write {by_suffix}, or give the file a suffix of {output} ({', '.join(formats[output])})"
        )
    return Output(output, output_file)


def _format_help(formats: Formats, default: str) -> str:
    suffixes = ", ".join(f"{s} {fmt}" for fmt, ss in formats.items() for s in ss)
    return f"Output format. Default: {default}, or with --output-file the one its suffix names ({suffixes})."


def output_options(formats: Formats, default: str, *, help: str | None = None) -> Callable[[F], F]:
    """``-o/--output FORMAT`` and ``--output-file FILE``, passed to the command as ``output``, an
    :class:`Output` (see :func:`resolve_output`)."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            output = resolve_output(kwargs.pop("output_format"), kwargs.pop("output_file"), formats, default)
            return func(*args, output=output, **kwargs)

        out: Callable[..., Any] = click.option(
            "--output-file",
            "output_file",
            default=None,
            metavar="FILE",
            help="Write the result to FILE (atomically, never over an input) instead of standard output.",
        )(wrapper)
        with_format: Callable[..., Any] = click.option(
            "-o",
            "--output",
            "output_format",
            type=Choice(list(formats)),
            default=None,
            help=help or _format_help(formats, default),
        )(out)
        return with_format  # type: ignore[return-value]

    return decorate


#: Seconds of work before a progress bar appears (short runs stay quiet).
PROGRESS_DELAY = 1.0


@contextmanager
def progress(label: str, *, delay: float | None = None) -> Iterator[Callable[[int, int], None]]:
    """A ``(done, total)`` callback that shows a progress bar on stderr once the work has taken
    ``delay`` seconds (default :data:`PROGRESS_DELAY`), and only when stderr is a terminal (never
    in pipes, files or CI logs)."""
    delay = PROGRESS_DELAY if delay is None else delay
    started = time.monotonic()
    state: dict[str, Any] = {"bar": None, "done": 0}
    interactive = _stderr_is_terminal()

    def update(done: int, total: int) -> None:
        if not interactive:
            return
        bar = state["bar"]
        if bar is None:
            if time.monotonic() - started < delay:
                return
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
            state["bar"] = bar
        bar.update(done - state["done"])
        state["done"] = done

    try:
        yield update
    finally:
        if state["bar"] is not None:
            state["bar"].__exit__(None, None, None)


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def _interrupted() -> NoReturn:
    click.echo("netsim: interrupted", err=True)
    sys.exit(EXIT_INTERRUPTED)


def handle_interrupt(func: F) -> F:
    """Ctrl-C in ``func``: ``netsim: interrupted`` on stderr, exit status 130, no traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KeyboardInterrupt:
            _interrupted()

    return wrapper  # type: ignore[return-value]


#: The exit statuses every command shares.
_BAD_INPUT = ("2", "bad input or usage (nothing on stdout)")
_INTERRUPTED = ("130", "interrupted (Ctrl-C)")


class LazyCommand(NamedTuple):
    """Where a command is defined, its one-line help for ``netsim --help``, and its exit statuses
    (the ``Exit status:`` block that ends its ``--help``)."""

    module: str
    help: str
    exits: tuple[tuple[str, str], ...] = ()


#: Every command: the module that defines it (imported when the command is asked for, so a command
#: loads only what it needs), the one-line help ``netsim --help`` lists without importing every
#: command (the first sentence of the command's help: tests/cli/test_lazy_commands.py checks them)
#: and its exit statuses.
COMMANDS: Mapping[str, LazyCommand] = {
    "check": LazyCommand(
        "netsim.cli.check",
        "Can SOURCE open a connection to DESTINATION on PORT, and why?",
        (
            ("0", "allowed"),
            ("1", "denied"),
            _BAD_INPUT,
            ("3", "undetermined: the answer depends on what the input does not say"),
            _INTERRUPTED,
        ),
    ),
    "connections": LazyCommand(
        "netsim.cli.connections",
        "List every allowed connection, with its ports.",
        (("0", "listed (an empty list too)"), _BAD_INPUT, _INTERRUPTED),
    ),
    "diff": LazyCommand(
        "netsim.cli.diff",
        "What changes between two versions of the manifests: connections and policies.",
        (
            ("0", "compared (without --exit-code or --fail-on, whatever changed)"),
            ("1", "a change that --exit-code or --fail-on asks to fail on"),
            _BAD_INPUT,
            _INTERRUPTED,
        ),
    ),
    "graph": LazyCommand(
        "netsim.cli.graph",
        "Draw who may talk to whom: a Graphviz picture of the allowed traffic.",
        (("0", "drawn"), _BAD_INPUT, _INTERRUPTED),
    ),
    "lint": LazyCommand(
        "netsim.cli.lint",
        "Find policies that are valid but probably wrong.",
        (
            ("0", "no finding at or above --fail-on"),
            ("1", "some finding at or above --fail-on"),
            _BAD_INPUT,
            _INTERRUPTED,
        ),
    ),
    "matrix": LazyCommand(
        "netsim.cli.matrix",
        "The pod-to-pod truth table for one port.",
        (("0", "printed"), _BAD_INPUT, _INTERRUPTED),
    ),
    "replay": LazyCommand(
        "netsim.cli.replay",
        "Replay observed flows against the manifests: would the policies allow what the cluster carried?",
        (
            ("0", "nothing fails --fail-on (by default: no observed connection is denied)"),
            ("1", "an observed connection --fail-on fails on: denied, or with --base-ref newly denied"),
            _BAD_INPUT,
            ("3", "nothing fails, but the manifests cannot decide an observed connection"),
            _INTERRUPTED,
        ),
    ),
    "report": LazyCommand(
        "netsim.cli.report",
        "Write an interactive report of the allowed traffic: one HTML file, no server.",
        (("0", "written"), _BAD_INPUT, _INTERRUPTED),
    ),
    "suggest": LazyCommand(
        "netsim.cli.suggest",
        "Suggest NetworkPolicies from observed flows: allow what was observed and the manifests deny.",
        (
            ("0", "written (or nothing to write)"),
            ("1", "netsim's own check of the suggestion failed: nothing written"),
            _BAD_INPUT,
            _INTERRUPTED,
        ),
    ),
    "test": LazyCommand(
        "netsim.cli.test_cmd",
        "Check expectations files (SPEC...) against manifests (PATH...).",
        (
            ("0", "every case passed (undetermined ones too, with --allow-undetermined)"),
            ("1", "some case failed"),
            _BAD_INPUT,
            ("3", "no case failed, some are undetermined (without --allow-undetermined)"),
            _INTERRUPTED,
        ),
    ),
}


class _Command(click.Command):
    """A netsim command: ``usage_args`` replaces the arguments in its usage line (``SPEC...
    PATHS...``), and its ``--help`` ends with its exit statuses (from :data:`COMMANDS`)."""

    def __init__(self, *args: Any, usage_args: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.usage_args = usage_args

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        if self.usage_args is None:
            return super().collect_usage_pieces(ctx)
        return [self.options_metavar or "", self.usage_args]

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lazy = COMMANDS.get(self.name or "")
        if lazy is not None and lazy.exits:
            with formatter.section("Exit status"):
                formatter.write_dl(list(lazy.exits), col_max=5)
        super().format_epilog(ctx, formatter)


class _Group(click.Group):
    """The command group; Ctrl-C anywhere in a command (parsing its options too) exits 130.

    click's own handling would print "Aborted!" and exit 1.

    The commands of :data:`COMMANDS` are imported on demand: running one imports its module only
    (whose ``@main.command()`` registers it), and ``netsim --help`` lists them from
    :data:`COMMANDS` without importing them. Reading :attr:`commands` (as click does to suggest a
    command for a misspelt one) imports every command, so it always holds all of them.
    """

    _registered: MutableMapping[str, click.Command]
    command_class = _Command

    @property
    def commands(self) -> MutableMapping[str, click.Command]:
        """Every command, by name (importing those not imported yet)."""
        for name in COMMANDS:
            self._load(name)
        return self._registered

    @commands.setter
    def commands(self, value: MutableMapping[str, click.Command]) -> None:
        self._registered = value

    def _load(self, name: str) -> None:
        lazy = COMMANDS.get(name)
        if lazy is not None and name not in self._registered:
            importlib.import_module(lazy.module)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        name = name or cmd.name
        if name is None:
            raise TypeError("Command has no name.")
        self._registered[name] = cmd

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._load(cmd_name)
        return self._registered.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self._registered, *COMMANDS})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's list of commands, each with its one-line help from :data:`COMMANDS` (whether its
        module is imported or not), whole: a line too long for the terminal wraps."""
        rows: list[tuple[str, str]] = []
        for name in self.list_commands(ctx):
            cmd = self._registered.get(name)
            if name in COMMANDS and (cmd is None or not cmd.hidden):
                rows.append((name, COMMANDS[name].help))  # whole: write_dl wraps it, never cuts it
            elif cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(formatter.width)))
        if rows:
            with formatter.section(gettext("Commands")):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            _interrupted()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="netsim")
def main() -> None:
    """Simulate Kubernetes NetworkPolicy: who can reach whom, on which port, and why.

    Point netsim at the manifests you apply to a cluster (files, folders, '-' for stdin,
    `kubectl get -o yaml` output), as arguments or with -f as kubectl takes them. It evaluates
    them exactly as Kubernetes does. In every command -o names the output format and
    --output-file FILE writes the result to a file.

    \b
    Examples:
      netsim check scenarios/production-hardening/manifests --from production/web --to production/backend --port 8080
      netsim matrix scenarios/k8s-docs/default-deny-ingress/manifests --port 80
      netsim connections scenarios/production-hardening/manifests
      netsim graph scenarios/production-hardening/manifests --output-file production.svg
      netsim test scenarios/production-hardening/expect.yaml scenarios/production-hardening/manifests
      netsim lint scenarios/production-hardening/manifests
      netsim diff --base-ref origin/main k8s/ -o md
      netsim replay scenarios/observed-traffic/manifests --flows scenarios/observed-traffic/flows/hubble.json

    Every command: `netsim COMMAND --help`. Exit status: 0 yes/success, 1 no (denied, a failed
    case, a change or finding you asked to fail on), 2 bad input or usage, 3 undetermined (the
    answer depends on what the input does not say).
    """
