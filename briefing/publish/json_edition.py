"""The JSON edition (``out/briefing.json``): the Briefing as data, in the contract's shape
(``docs/contract.md``, ``briefing/publish/schema/briefing.schema.json``), keys in the contract's
order and extras last. Every cited block carries ``path``, ``start`` and ``end``.
"""

from __future__ import annotations

import json

from briefing.models import Briefing, Cited, Item, Previous, Section, Source, TimelineEvent
from briefing.publish.labels import linkable

SCHEMA = "briefing/1"


def _cited(c: Cited | TimelineEvent | Item) -> dict[str, object]:
    """A cited block's keys: the contract's five, then its id, its printed source line, the
    cuts a renderer marks with an ellipsis, and ``see`` for one that points elsewhere."""
    out: dict[str, object] = {"text": c.text, "path": c.path, "start": c.start, "end": c.end,
                              "source": c.source}
    if c.id is not None:
        out["id"] = c.id
    out["attribution"] = c.attribution
    if c.cut_before:
        out["cut_before"] = True
    if c.cut_after:
        out["cut_after"] = True
    see = getattr(c, "see", None)
    if see is not None:
        out["see"] = see
    if isinstance(c, Cited) and c.also:
        out["also"] = [_cited(x) for x in c.also]
    return out


def _item(item: Item) -> dict[str, object]:
    """An item's keys in the contract's order, then the extras ``_cited`` adds."""
    out: dict[str, object] = {"kind": item.kind, "source": item.source, "path": item.path,
                              "start": item.start, "end": item.end, "text": item.text}
    if item.speaker is not None:
        out.update(speaker=item.speaker, cue=item.cue)
    if item.why:
        out.update(score=round(item.score, 4), why=list(item.why))
    out.update((k, v) for k, v in _cited(item).items() if k not in out)
    if item.also:
        out["also"] = [_cited(c) for c in item.also]
    out["new"] = item.new
    return out


def _section(section: Section) -> dict[str, object]:
    return {"theme": section.theme, "title": section.title,
            "lede": _cited(section.lede) if section.lede is not None else None,
            "items": [_item(item) for item in section.items],
            "description": section.description, "in_summary": list(section.in_summary)}


def _source(source: Source) -> dict[str, object]:
    return {"id": source.id, "path": source.path, "title": source.title, "outlet": source.outlet,
            "byline": source.byline, "published": source.published,
            "inferred": list(source.inferred), "url": source.url, "encoding": source.encoding,
            "number": source.number, "sha256": source.sha256, "opening": source.opening,
            "latest": source.latest, "opinion": source.opinion,
            **({"text_path": source.text_path} if source.text_path else {})}


def briefing_to_dict(briefing: Briefing) -> dict[str, object]:
    """The contract's ``briefing.json`` object, keys in the contract's order (extras last)."""
    briefing = linkable(briefing)
    return {
        "schema": SCHEMA,
        "title": briefing.title,
        "edition": briefing.edition,
        "generated_at": briefing.generated_at,
        "reader": briefing.reader,
        "generator": dict(briefing.generator),
        "config_sha256": briefing.config_sha256,
        "corpus": dict(briefing.corpus),
        "sources": [_source(s) for s in briefing.sources],
        "summary": [_cited(c) for c in briefing.summary],
        "sections": [_section(s) for s in briefing.sections],
        "timeline": [{"date": e.date, "precision": e.precision, **_cited(e)}
                     for e in briefing.timeline],
        "voices": [{"speaker": v.speaker, "role": _cited(v.role) if v.role else None,
                    "quotes": [_item(q) for q in v.quotes]} for v in briefing.voices],
        "notes": list(briefing.notes),
        "not_cited": [{"path": n.path, "title": n.title, "reason": n.reason}
                      for n in briefing.not_cited],
        "coverage": dict(briefing.coverage),
        "previous": _previous(briefing.previous),
    }


def _previous(p: Previous | None) -> dict[str, object] | None:
    """The JSON's ``previous``: null for the first edition (and a briefing built without the
    archive), else the previous edition's date and what is new since."""
    if p is None or (p.edition is None and p.problem is None):
        return None
    return {"edition": p.edition, "new_articles": p.new_articles, "new_items": p.new_items,
            "problem": p.problem}


def render_json(briefing: Briefing) -> str:
    """``out/briefing.json``: UTF-8 text as is (no ``\\u`` escapes), two-space indent, newline."""
    return json.dumps(briefing_to_dict(briefing), ensure_ascii=False, indent=2) + "\n"
