"""Read a PDF's tag tree with pypdf: what a screen reader gets (structure, language, headings, figure alt text)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject


@dataclass
class Tags:
    """The document's tag tree, flattened in reading order, and the catalogue's accessibility entries."""

    lang: str | None
    marked: bool
    pdfua_part: str | None
    roles: list[str] = field(default_factory=list)  # every structure element's role, depth first
    figures_alt: list[str | None] = field(default_factory=list)  # each Figure's /Alt, None when it has none


def read_tags(path: Path) -> Tags:
    """Walk the StructTreeRoot depth first (the reading order); fail when the PDF carries no structure tree."""
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root, f"{path.name} has no structure tree (untagged PDF)"
    mark = root.get("/MarkInfo")
    meta = reader.xmp_metadata
    part = None
    if meta is not None:
        for node in meta.rdf_root.getElementsByTagNameNS("http://www.aiim.org/pdfua/ns/id/", "part"):
            part = node.firstChild.data if node.firstChild else None
        if part is None:
            for desc in meta.rdf_root.getElementsByTagName("rdf:Description"):
                part = desc.getAttribute("pdfuaid:part") or part
    tags = Tags(
        lang=str(root["/Lang"]) if "/Lang" in root else None,
        marked=bool(mark and mark.get_object().get("/Marked")),
        pdfua_part=part,
    )

    def walk(node) -> None:
        node = node.get_object()
        if not isinstance(node, DictionaryObject):
            return
        if "/S" in node:
            role = str(node["/S"])
            tags.roles.append(role)
            if role == "/Figure":
                tags.figures_alt.append(str(node["/Alt"]) if "/Alt" in node else None)
        kids = node.get("/K")
        if kids is None:
            return
        kids = kids.get_object()
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            walk(kid)

    walk(root["/StructTreeRoot"])
    return tags


def headings(tags: Tags) -> list[int]:
    """The heading levels in reading order (H1 → 1)."""
    return [int(r[2:]) for r in tags.roles if r[:2] == "/H" and r[2:].isdigit()]


def assert_pdfua(path: Path, lang: str = "en") -> Tags:
    """PDF/UA-1 basics: tagged and marked, language set, identified as PDF/UA-1, one H1 first and no heading skipped,
    every Figure with non-empty alt text."""
    tags = read_tags(path)
    assert tags.marked, "MarkInfo /Marked is not true"
    assert tags.lang and tags.lang.lower().startswith(lang), f"document language is {tags.lang!r}"
    assert tags.pdfua_part == "1", f"PDF/UA identification in the metadata is {tags.pdfua_part!r}"
    levels = headings(tags)
    assert levels and levels[0] == 1 and levels.count(1) == 1, f"headings {levels}: one H1, first"
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), f"headings {levels} skip a level"
    assert all(alt and alt.strip() for alt in tags.figures_alt), f"a Figure without alt text: {tags.figures_alt}"
    return tags
