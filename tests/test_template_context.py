"""The template context is documented field by field, in the models and in docs/templates.md."""

from __future__ import annotations

import dataclasses
import re

import pytest
from briefing_fixture import REPO, seed_briefing

from briefing import models
from briefing.publish.render import template_context

CONTEXT_CLASSES = (models.Briefing, models.Section, models.Item, models.Source, models.Cited,
                   models.TimelineEvent, models.Voice, models.NotCited,
                   models.Previous)
DOC = REPO / "docs" / "templates.md"


@pytest.mark.parametrize("cls", CONTEXT_CLASSES, ids=lambda c: c.__name__)
def test_every_field_has_help_text(cls: type) -> None:
    for field in dataclasses.fields(cls):
        text = field.metadata.get("doc")
        assert isinstance(text, str) and len(text) > 5, f"{cls.__name__}.{field.name} has no doc"


@pytest.mark.parametrize("cls", CONTEXT_CLASSES, ids=lambda c: c.__name__)
def test_the_doc_page_lists_every_field_with_its_help(cls: type) -> None:
    page = DOC.read_text(encoding="utf-8")
    heading = f"### `{cls.__name__}`"
    assert heading in page
    part = page.split(heading, 1)[1].split("\n### ", 1)[0]
    for field in dataclasses.fields(cls):
        row = re.search(rf"^\| `{field.name}` \|.*\| (.*) \|$", part, re.M)
        assert row, f"docs/templates.md does not list {cls.__name__}.{field.name}"
        assert row[1] == field.metadata["doc"], f"{cls.__name__}.{field.name}: doc out of date"


def test_the_doc_page_lists_every_context_variable() -> None:
    page = DOC.read_text(encoding="utf-8")
    for name in [*template_context(seed_briefing(), "web"), "lang"]:
        assert f"| `{name}` |" in page, f"context variable {name} is undocumented"
