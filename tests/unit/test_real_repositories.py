"""A folder of manifests as real repositories hold it: files that are no Kubernetes objects next
to the manifests (skipped, with one summary), kustomize folders (a note, and a hint on the objects
they define twice), objects run together for want of ``---``, and an empty standard input.

docs/semantics.md, "Input documents", and docs/cli.md, "Inputs".
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from netsim.errors import InputErrors
from netsim.loader import LoadOptions, load_cluster, load_texts
from netsim.source import find_inputs

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {app: web}}\nspec: {containers: [{name: c}]}\n"
CHART = "apiVersion: v2\nname: shop\nversion: 1.0.0\n"
VALUES = "# values for the chart\nreplicaCount: 2\nimage: {repository: nginx}\n"
PACKAGE = '{"name": "site", "version": "1.0.0"}\n'
CONNLIST = '[{"src": "default/web[Pod]", "dst": "0.0.0.0-255.255.255.255", "conn": "All Connections"}]\n'
EXPECTATIONS = "cases:\n- {from: default/web, to: default/web, port: 80, expect: allowed}\n"
KUSTOMIZATION = "resources: [pod.yaml]\n"
NOT_A_K8S_OBJECT = "kind: Required value: not a Kubernetes object (no kind and no apiVersion)"


def repository(root: Path) -> Path:
    files = {
        "pod.yaml": POD,
        "Chart.yaml": CHART,
        "values.yaml": VALUES,
        "package.json": PACKAGE,
        "connlist_output.json": CONNLIST,
        "expect.yaml": EXPECTATIONS,
    }
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def errors_of(inputs: list[str], options: LoadOptions | None = None) -> list[str]:
    with pytest.raises(InputErrors) as info:
        load_cluster(inputs, options)
    return [str(e) for e in info.value.exceptions]


@pytest.mark.parametrize("lax", [False, True], ids=["strict", "lax"])
def test_files_of_a_directory_that_hold_no_kubernetes_object_are_skipped_with_one_summary(
    tmp_path: Path, lax: bool
) -> None:
    root = repository(tmp_path)
    result = load_cluster([str(root)], LoadOptions(lax=lax))
    assert [p.ref for p in result.cluster.pods] == ["default/web"]
    assert [str(w) for w in result.warnings] == [
        f"skipped 5 files that hold no Kubernetes objects: {root}/Chart.yaml (a Helm chart), "
        f"{root}/connlist_output.json, {root}/expect.yaml (netsim test expectations), {root}/package.json, "
        f"{root}/values.yaml"
    ]


def test_the_summary_names_five_files_and_counts_the_others(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    for i in range(7):
        (tmp_path / f"v{i}.yaml").write_text(VALUES)
    result = load_cluster([str(tmp_path)])
    shown = ", ".join(f"{tmp_path}/v{i}.yaml" for i in range(5))
    assert [str(w) for w in result.warnings] == [f"skipped 7 files that hold no Kubernetes objects: {shown} and 2 more"]


def test_one_skipped_file_is_one_file(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    (tmp_path / "values.yaml").write_text(VALUES)
    result = load_cluster([str(tmp_path)])
    assert [str(w) for w in result.warnings] == [
        f"skipped 1 file that holds no Kubernetes objects: {tmp_path}/values.yaml"
    ]


@pytest.mark.parametrize(
    ("name", "text", "error"),
    [
        pytest.param("values.yaml", VALUES, f"2:1: {NOT_A_K8S_OBJECT}", id="values"),
        pytest.param("package.json", PACKAGE, f"1:1: {NOT_A_K8S_OBJECT}", id="package-json"),
        pytest.param(
            "connlist_output.json",
            CONNLIST,
            "1:1: a document must be a Kubernetes object (a mapping with kind and apiVersion), not a list",
            id="json-array",
        ),
        pytest.param("expect.yaml", EXPECTATIONS, f"1:1: {NOT_A_K8S_OBJECT}", id="expectations"),
        pytest.param(
            "Chart.yaml",
            CHART,
            "1:1: kind: Required value: kind is missing\n  hint: this is a Helm chart's Chart.yaml: render the "
            "chart first (helm template RELEASE CHART > rendered.yaml)",
            id="chart",
        ),
    ],
)
def test_a_file_named_on_the_command_line_stays_an_error(tmp_path: Path, name: str, text: str, error: str) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    path = tmp_path / name
    path.write_text(text)
    [message] = errors_of([str(tmp_path / "pod.yaml"), str(path)])
    assert message.split("\n  hint: pass only")[0] == f"{path}:{error}"


def test_a_file_both_named_and_in_a_directory_named_counts_as_named(tmp_path: Path) -> None:
    root = repository(tmp_path)
    assert errors_of([str(root / "values.yaml"), str(root)]) == [
        f"{root}/values.yaml:2:1: {NOT_A_K8S_OBJECT}\n  hint: pass only Kubernetes manifests, or use --lax to skip"
    ]
    found = find_inputs([str(root), str(root / "values.yaml")])
    assert str(root / "values.yaml") not in found.walked
    assert found.walked[str(root / "pod.yaml")] == str(root)


def test_a_file_with_an_object_and_a_document_that_is_none_stays_an_error(tmp_path: Path) -> None:
    path = tmp_path / "mixed.yaml"
    path.write_text(POD + "---\n" + VALUES)
    assert errors_of([str(tmp_path)]) == [
        f"{path}:7:1: {NOT_A_K8S_OBJECT}\n  hint: pass only Kubernetes manifests, or use --lax to skip"
    ]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        pytest.param("apiVersion: v1\nmetadata: {name: a}\n", "1:1: kind: Required value: kind is missing", id="api"),
        pytest.param(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: A}\n", "3:18: metadata.name: Invalid value", id="bad"
        ),
    ],
)
def test_a_broken_kubernetes_object_in_a_directory_stays_an_error(tmp_path: Path, text: str, error: str) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    [message] = errors_of([str(tmp_path)])
    assert message.startswith(f"{path}:{error}")


def test_an_object_with_a_kind_and_no_apiversion_is_read_by_its_kind_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text("kind: Pod\nmetadata: {name: a}\n")
    result = load_cluster([str(tmp_path)])
    assert ([p.ref for p in result.cluster.pods], result.warnings) == (["default/a"], ())


def test_a_directory_of_nothing_but_other_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "values.yaml").write_text(VALUES)
    (tmp_path / "package.json").write_text(PACKAGE)
    assert errors_of([str(tmp_path)]) == [
        f"{tmp_path}: no Kubernetes objects in directory, only files that hold none: "
        f"{tmp_path}/package.json, {tmp_path}/values.yaml"
    ]


def test_a_file_of_a_directory_that_does_not_parse_is_an_error_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    (tmp_path / "values.yaml").write_text("a: 1\n---\nb: [\n")
    [message] = errors_of([str(tmp_path)])
    assert message.startswith(f"{tmp_path}/values.yaml:4:1: YAML syntax error")


def test_an_unrendered_chart_keeps_its_hint(tmp_path: Path) -> None:
    (tmp_path / "Chart.yaml").write_text(CHART)
    (tmp_path / "values.yaml").write_text(VALUES)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "pod.yaml").write_text(POD.replace("name: web", "name: {{ .Values.name }}"))
    [message] = errors_of([str(tmp_path)])  # Chart.yaml and values.yaml are skipped, not reported
    assert message.startswith(f"{tmp_path}/templates/pod.yaml:3:18: unrendered Helm template {{{{ .Values.name }}}}")


# -- kustomize ------------------------------------------------------------------------------------


def kustomize_folder(root: Path, *, duplicate: bool) -> Path:
    (root / "base").mkdir()
    (root / "overlays" / "prod").mkdir(parents=True)
    (root / "base" / "pod.yaml").write_text(POD)
    (root / "base" / "kustomization.yaml").write_text(KUSTOMIZATION)
    (root / "overlays" / "prod" / "kustomization.yml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../../base]\n"
    )
    if duplicate:
        (root / "overlays" / "prod" / "pod.yaml").write_text(POD)
    return root


def test_a_kustomize_folder_is_noted_once(tmp_path: Path) -> None:
    root = kustomize_folder(tmp_path, duplicate=False)
    result = load_cluster([str(root)])
    assert [str(w) for w in result.warnings] == [
        f"skipped 1 file that holds no Kubernetes objects: {root}/base/kustomization.yaml (a kustomization)",
        f"{root}/base/kustomization.yaml:1:1: looks like a kustomize folder: run `kustomize build DIR | netsim "
        f"... -`, DIR being the overlay you apply (kustomizations in {root}/base, {root}/overlays/prod)",
    ]


def test_objects_a_kustomize_folder_defines_twice_get_the_hint_once(tmp_path: Path) -> None:
    root = kustomize_folder(tmp_path, duplicate=True)
    (root / "overlays" / "prod" / "pod2.yaml").write_text(POD.replace("name: web", "name: db") * 1)
    (root / "base" / "pod2.yaml").write_text(POD.replace("name: web", "name: db"))
    assert errors_of([str(root)]) == [
        f"{root}/overlays/prod/pod.yaml:1:1: metadata.name: Duplicate value: Pod 'default/web' is defined twice "
        f"(first at {root}/base/pod.yaml:1:1)\n  hint: looks like a kustomize folder: run `kustomize build DIR | "
        f"netsim ... -`, DIR being the overlay you apply (kustomizations in {root}/base, {root}/overlays/prod)",
        f"{root}/overlays/prod/pod2.yaml:1:1: metadata.name: Duplicate value: Pod 'default/db' is defined twice "
        f"(first at {root}/base/pod2.yaml:1:1)",
    ]


def test_a_file_named_kustomization_is_one(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    (tmp_path / "Kustomization").write_text(KUSTOMIZATION)
    result = load_cluster([str(tmp_path)])
    assert result.files == (str(tmp_path / "pod.yaml"),)
    assert [str(w) for w in result.warnings] == [
        f"{tmp_path}/Kustomization:1:1: looks like a kustomize folder: run `kustomize build {tmp_path} | netsim ... -`"
    ]


def test_a_flux_kustomization_is_no_kustomize_folder(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    (tmp_path / "kustomization.yaml").write_text(
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps}\n"
    )
    assert load_cluster([str(tmp_path)]).warnings == ()


def test_a_kustomization_named_on_the_command_line_is_an_error_with_the_hint(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text(KUSTOMIZATION)
    assert errors_of([str(tmp_path / "kustomization.yaml")]) == [
        f"{tmp_path}/kustomization.yaml:1:1: {NOT_A_K8S_OBJECT}\n"
        f"  hint: a kustomization: run `kustomize build {tmp_path} | netsim ... -`"
    ]


# -- objects run together ----------------------------------------------------------------------------


@pytest.mark.parametrize("lax", [False, True], ids=["strict", "lax"])
def test_objects_without_separators_are_one_error(lax: bool) -> None:
    policy = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny}\nspec: {podSelector: {}}\n"
    with pytest.raises(InputErrors) as info:
        load_texts({"all.yaml": POD + policy + POD}, LoadOptions(lax=lax))
    assert [str(e) for e in info.value.exceptions] == [
        'all.yaml:5:1: apiVersion: key "apiVersion" already set in map (first set at line 1): missing `---` '
        "between documents?\n  hint: 3 objects run together here: put a line --- before each object (cat joins "
        "files without one)"
    ]


def test_a_second_kind_alone_is_objects_run_together() -> None:
    with pytest.raises(InputErrors) as info:
        load_texts({"a.yaml": "kind: Pod\napiVersion: v1\nmetadata: {name: a}\nkind: Pod\nmetadata: {name: b}\n"})
    assert str(info.value.exceptions[0]).startswith(
        'a.yaml:4:1: kind: key "kind" already set in map (first set at line 1): missing `---` between documents?'
    )


# -- standard input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "# nothing\n", "---\n---\n"], ids=["empty", "comment", "separators"])
def test_standard_input_without_objects_is_an_error(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    assert errors_of(["-"]) == ["<stdin>: no Kubernetes objects: standard input is empty or holds only comments"]
