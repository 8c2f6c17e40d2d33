"""One reader for every content file: lines kept, repeated keys and broken YAML refused with their line,
and one content version over the files of every area."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kneadwell.content.loader import (
    AREAS,
    ContentError,
    content_files,
    content_hash,
    current_version,
    read_area,
    read_document,
)
from kneadwell.evidence.library import load_evidence, load_evidence_from
from kneadwell.library.loader import default_library


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "some.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_value_keeps_its_line(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "rules:\n  - id: a\n    sources:\n      - S1\n      - S2\n"))
    assert doc.data == {"rules": [{"id": "a", "sources": ["S1", "S2"]}]}
    assert doc.line_of(("rules", 0, "id")) == 2
    assert doc.line_of(("rules", 0, "sources", 1)) == 5
    # A path that goes deeper than the file (a missing key) points at the nearest line that exists.
    assert doc.line_of(("rules", 0, "when", "fact")) == 2


def test_a_repeated_key_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "rules:\n  - id: a\n    action: stop\n    action: modify\n")
    with pytest.raises(ContentError) as caught:
        read_document(path)
    assert (caught.value.file, caught.value.line) == (path, 4)
    assert caught.value.message == "key 'action' appears twice in the same mapping (first on line 3)"


def test_broken_yaml_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "rules:\n  - id: a\n  - id: [b\n  - id: c\n")
    with pytest.raises(ContentError) as caught:
        read_document(path)
    assert caught.value.file == path
    assert 3 <= caught.value.line <= 4
    assert caught.value.message.startswith("not valid YAML")


def test_an_area_lists_every_broken_file_not_only_the_first(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x: [\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("y: 1\ny: 2\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("z: 3\n", encoding="utf-8")
    documents, problems = read_area("library", tmp_path)
    assert [d.path.name for d in documents] == ["c.yaml"]
    assert [p.file.name for p in problems] == ["a.yaml", "b.yaml"]


def test_the_areas_hold_the_content_files() -> None:
    library = {"manifest.yaml", "sources.yaml", "rules_infant.yaml", "conditions.yaml"}
    assert {p.name for p in content_files("library")} >= library
    assert {p.name for p in content_files("evidence")} >= {"studies.yaml", "claims-infants.yaml"}
    assert {p.name for p in content_files("instruments")} >= {"nips.yaml", "flacc.yaml"}


# --- one content version ---------------------------------------------------------------------------------


def test_library_and_evidence_carry_the_one_content_version() -> None:
    version = current_version()
    assert default_library().version == version
    assert load_evidence().content_version == f"sha256:{version.sha256}"
    assert str(version) == f"{version.label}+{version.sha256[:12]}"


@pytest.mark.parametrize(
    ("area", "name"),
    [("library", "rules_general.yaml"), ("evidence", "claims-infants.yaml"), ("instruments", "nips.yaml")],
)
def test_an_edit_in_any_area_changes_the_one_hash(tmp_path: Path, area: str, name: str) -> None:
    copy = tmp_path / area
    shutil.copytree(AREAS[area], copy)
    assert content_hash({area: copy}) == content_hash()  # the same bytes elsewhere: the same hash
    with (copy / name).open("a", encoding="utf-8") as handle:
        handle.write("\n# a reviewer's note\n")
    assert content_hash({area: copy}) != content_hash()


def test_a_copy_of_the_evidence_gives_the_same_version() -> None:
    assert load_evidence_from(AREAS["evidence"]).content_version == load_evidence().content_version
