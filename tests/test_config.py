"""The config loader: the default config, every bad fixture's exact messages, path resolution,
the JSON Schema kept in step with the loader, and fuzzing that only ever yields ConfigError."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.config.load import check_config_paths, load_config
from briefing.config.model import ACCEPTED_KEYS, PAGE_SIZES, SLUG_RE, Config, TermSpec, parse_term
from briefing.errors import ConfigError, ExitCode, InputError, UsageError
from briefing.publish.output import FORMATS

REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO / "config" / "briefing.yaml"
FIXTURES = REPO / "tests" / "data" / "configs"
SCHEMA = REPO / "briefing" / "publish" / "schema" / "briefing.schema.json"


def write(folder: Path, text: str, name: str = "briefing.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path, **kwargs: Any) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(path, **kwargs)
    return info.value.lines()


MINIMAL = f"""\
title: Minimal
corpus: {REPO / 'seeds'}
themes:
  security:
    terms: [troops]
"""


# --- The default config ---------------------------------------------------------------------


def test_default_config_loads() -> None:
    config = load_config(DEFAULT)
    assert config.title == "Russia and the Taliban"
    assert config.root == REPO / "config"
    assert config.corpus == (REPO / "seeds",)
    assert config.out == REPO / "out"
    assert config.store == REPO / ".briefing"
    assert [(t.id, t.title) for t in config.themes] == [
        ("security", "Security"), ("recognition", "Recognition"),
        ("central-asia-borders", "Central Asia borders")]
    for theme in config.themes:
        assert theme.description and theme.terms and theme.line > 0
        assert all(t.weight > 0 and t.text == t.text.strip() for t in theme.terms)
    assert "Security Council" in config.theme("security").exclude
    assert {s.path.name for s in config.sources} == {p.name for p in (REPO / "seeds").glob("*.txt")}
    ap = next(s for s in config.sources if s.path.name.startswith("001_"))
    assert (ap.outlet, ap.byline, ap.published) == ("Associated Press", "Vladimir Isachenkov",
                                                     "2021-10-20")
    assert [r.id for r in config.readers] == ["editor", "security-analyst", "central-asia-desk"]
    desk = config.reader("central-asia-desk")
    assert [(t.id, t.max_items) for t in desk.themes] == [("central-asia-borders", None),
                                                          ("security", 3)]
    assert all(r.email.endswith("@example.org") for r in config.readers)
    assert config.delivery.sender == "Briefing <briefing@example.org>"
    assert config.delivery.unsubscribe.startswith("mailto:")
    assert config.sha256 == hashlib.sha256(DEFAULT.read_bytes()).hexdigest()


def test_default_config_theme_lines_point_at_their_keys() -> None:
    config = load_config(DEFAULT)
    lines = DEFAULT.read_text(encoding="utf-8").splitlines()
    for theme in config.themes:
        assert lines[theme.line - 1].strip() == f"{theme.id}:"


def test_the_result_is_frozen() -> None:
    config = load_config(DEFAULT)
    with pytest.raises(AttributeError):
        config.title = "changed"  # type: ignore[misc]


# --- Bad fixtures: exact messages ----------------------------------------------------------


@pytest.mark.parametrize("fixture", sorted(p.stem for p in FIXTURES.glob("*.yaml")))
def test_bad_fixture_reports_exactly_the_expected_problems(
        fixture: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # messages carry the path as the caller gave it
    expected = (FIXTURES / f"{fixture}.expected").read_text(encoding="utf-8")
    expected = expected.replace("{repo}", str(REPO)).splitlines()
    assert problems_of(Path("tests/data/configs") / f"{fixture}.yaml") == expected


def test_every_fixture_has_its_expected_file() -> None:
    yamls = {p.stem for p in FIXTURES.glob("*.yaml")}
    assert yamls and yamls == {p.stem for p in FIXTURES.glob("*.expected")}


def test_problem_lines_have_the_documented_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    for line in problems_of(Path("tests/data/configs/types.yaml")):
        assert re.match(r"^tests/data/configs/types\.yaml:\d+:\d+: [\w.\[\]-]+: \S", line), line


def test_config_error_exit_code() -> None:
    assert ConfigError("x").exit_code == ExitCode.CONFIG


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_config(tmp_path / "nope.yaml")
    assert info.value.lines() == [f"{tmp_path / 'nope.yaml'}: config file not found"]


def test_a_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        load_config(tmp_path)


def test_invalid_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes(b"title: ok\ncorpus: caf\xe9\n")
    assert problems_of(path) == [f"{path}:2:12: the config is not valid UTF-8"]


def test_control_character_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, "title: ok\ntitle2: a\x07b\n")
    (line,) = problems_of(path)
    assert line == f"{path}:2:10: YAML syntax error: special characters are not allowed " \
                   "(character U+0007)"


def test_tabs_in_indentation_are_a_syntax_error(tmp_path: Path) -> None:
    path = write(tmp_path, "title: ok\nthemes:\n\tsecurity: {terms: [a]}\n")
    (line,) = problems_of(path)
    assert line.startswith(f"{path}:3:1: YAML syntax error: ")


def test_several_documents_are_a_syntax_error(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "---\ntitle: again\n")
    (line,) = problems_of(path)
    assert "expected a single document" in line


def test_unsupported_tags_are_problems(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("title: Minimal", "title: !!python/name:os.system x"))
    assert problems_of(path) == [
        f"{path}:1:8: title: unsupported YAML tag 'tag:yaml.org,2002:python/name:os.system'"]


# --- Unknown keys and suggestions -----------------------------------------------------------


@pytest.mark.parametrize(("yaml_text", "expected"), [
    ("pagesize: A4\n", "1:1: pagesize: unknown key 'pagesize' (did you mean 'page_size'?)"),
    ("readrs: []\n", "1:1: readrs: unknown key 'readrs' (did you mean 'readers'?)"),
    ("colour: blue\n", "1:1: colour: unknown key 'colour'"),
    ("delivery:\n  replyto: a@example.org\n",
     "2:3: delivery.replyto: unknown key 'replyto' (did you mean 'reply_to'?)"),
    ("sources:\n  - path: ../x\n    author: Someone\n",
     "3:5: sources[0].author: unknown key 'author'"),
    ("themes:\n  x:\n    desc: d\n    terms: [a]\n",
     "3:5: themes.x.desc: unknown key 'desc' (did you mean 'description'?)"),
    ("Title: T\n", "1:1: Title: unknown key 'Title' (did you mean 'title'?)"),
])
def test_unknown_keys_get_suggestions(tmp_path: Path, yaml_text: str, expected: str) -> None:
    path = write(tmp_path, yaml_text + MINIMAL.replace("themes:", "themes_:"))
    assert f"{path}:{expected}" in problems_of(path, check_paths=False)


def test_theme_keys_misspelt_inside_a_theme(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "    max_item: 3\n    Not: [x]\n")
    assert problems_of(path) == [
        f"{path}:6:5: themes.security.max_item: unknown key 'max_item' (did you mean 'max_items'?)",
        f"{path}:7:5: themes.security.Not: unknown key 'Not' (did you mean 'not'?)",
    ]


def test_unknown_theme_from_the_command_line_is_a_usage_error() -> None:
    config = load_config(DEFAULT)
    assert config.theme("recognition").title == "Recognition"
    with pytest.raises(UsageError) as info:
        config.theme("securty")
    (line,) = info.value.lines()
    assert "unknown theme 'securty' (did you mean 'security'?)" in line
    assert "central-asia-borders" in line
    with pytest.raises(UsageError):
        config.reader("nobody")


def test_a_reader_id_shaped_like_a_date_is_refused(tmp_path: Path) -> None:
    # out/editions/<date>/ holds each date's editions and out/editions/<reader>/ each reader's
    # feed: a reader called 2026-11-22 would share the folder of that date's main edition
    path = write(tmp_path, MINIMAL + "readers:\n  - id: \"2026-11-22\"\n    name: N\n"
                 "    email: n@example.org\n")
    (line,) = problems_of(path)
    assert line.startswith(f"{path}:7:9: readers[0].id: bad reader id '2026-11-22': a date")


# --- Paths ----------------------------------------------------------------------------------


def test_relative_paths_resolve_against_the_config_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = tmp_path / "workspace"
    write(ws / "articles", "Text.\n", name="a.txt")
    write(ws / "config", "fake CA\n", name="ca.pem")
    path = write(ws / "config", """\
title: Relative
corpus: [../articles, ../articles/a.txt]
out: ../build
themes: {security: {terms: [troops]}}
sources: [{path: ../articles/a.txt, published: 2021-07-05}]
delivery: {ca_file: ca.pem}
""")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load_config(Path("..") / "workspace" / "config" / "briefing.yaml")
    assert config.path == Path("../workspace/config/briefing.yaml")
    assert config.root == ws / "config"
    assert config.corpus == (ws / "articles", ws / "articles" / "a.txt")
    assert config.out == ws / "build"
    assert config.store == ws / ".briefing"
    assert config.sources[0].path == ws / "articles" / "a.txt"
    assert config.sources[0].published == "2021-07-05"
    assert config.delivery.ca_file == ws / "config" / "ca.pem"
    assert load_config(path) == load_config(path)  # same file, same config, whatever the cwd


def test_missing_corpus_is_reported_with_the_resolved_path(tmp_path: Path) -> None:
    path = write(tmp_path / "config", MINIMAL.replace(str(REPO / "seeds"), "../seedz"))
    assert problems_of(path) == [
        f"{path}:2:9: corpus: path does not exist: {tmp_path / 'seedz'}"]


def test_check_paths_false_skips_existence_checks(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace(str(REPO / "seeds"), "gone"))
    config = load_config(path, check_paths=False)
    assert config.corpus == (tmp_path / "gone",)
    assert [str(p) for p in check_config_paths(config)] == [
        f"{path}:2:9: corpus: path does not exist: {tmp_path / 'gone'}"]


def test_path_problems_are_reported_alongside_other_problems(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace(str(REPO / "seeds"), "gone")
                 .replace("title: Minimal", "title: [x]"))
    assert problems_of(path) == [
        f"{path}:1:8: title: expected a string, got a list",
        f"{path}:2:9: corpus: path does not exist: {tmp_path / 'gone'}",
    ]


# --- Terms ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [
    ("troops", TermSpec("troops", 1.0)),
    ("military exercise^2", TermSpec("military exercise", 2.0)),
    ("Islamic State^3", TermSpec("Islamic State", 3.0)),
    ('"Islamic State"^3', TermSpec("Islamic State", 3.0)),
    ("legitim*^1.5", TermSpec("legitim*", 1.5)),
    ("  border guards ^ 2 ", TermSpec("border guards", 2.0)),
    ("drugs^.5", TermSpec("drugs", 0.5)),
    ("al-Qaida", TermSpec("al-Qaida", 1.0)),
])
def test_parse_term_accepts(raw: str, expected: TermSpec) -> None:
    assert parse_term(raw) == expected


@pytest.mark.parametrize("raw", ["troops^", "troops^0", "troops^-1", "troops^two", "^2", "  ",
                                 '""^2', "a^2^3", "troops^1e3", "line\nbreak"])
def test_parse_term_rejects(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_term(raw)


# --- Queries: located errors from check and build alike ------------------------------------


def test_check_and_build_report_a_query_error_alike(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    """The config checker owns the query errors: ``check`` and ``build`` print the same lines
    (the fixture's, at their exact columns) and exit 3, and a reader's bad exclude rule is one
    of them (it used to pass ``check`` and end ``build`` with an internal error)."""
    from typer.testing import CliRunner

    from briefing.cli import app

    monkeypatch.chdir(REPO)
    expected = (FIXTURES / "queries.expected").read_text(encoding="utf-8").splitlines()
    runner = CliRunner()
    for args in (["check"], ["build", "--out", str(tmp_path), "--format", "json"]):
        result = runner.invoke(app, [*args, "--config", "tests/data/configs/queries.yaml"])
        assert result.exit_code == ExitCode.CONFIG, result.output
        assert [ln for ln in result.output.splitlines() if ln.strip()] == expected, args
    assert any("readers[0].themes[0].exclude[0]" in ln for ln in expected)
    assert not list(tmp_path.iterdir())


def test_the_readme_example_of_a_query_error_is_what_check_says(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    text = DEFAULT.read_text(encoding="utf-8")
    assert text.count('OR drills OR "military exercise"') == 1
    write(tmp_path / "config", text.replace('OR drills OR "military exercise"',
                                            'OR drills NEAR "military exercise"'))
    monkeypatch.chdir(tmp_path)
    (line,) = problems_of(Path("config/briefing.yaml"), check_paths=False)
    assert line in (REPO / "README.md").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize(("value", "where"), [
    ('"border NEAR guards"', (1, 18)),
    ("'it''s NEAR guards'", (1, 17)),
    ("border NEAR guards", (1, 17)),
    (">-  # NEAR\n  border OR\n    NEAR guards", (3, 5)),
    ("|\n  border\n  NEAR guards", (3, 3)),
    ("border OR\n  NEAR guards", (2, 3)),
    ('"border OR \\\n  NEAR guards"', (2, 3)),
    ('"caf\\u00e9 NEAR guards"', (1, 10)),  # past an escape: the value's own place
    (">-\n  border OR\n    guards NEAR/x b", (3, 12)),  # was reported at the '>-' (1:10)
])
def test_a_query_error_is_at_its_own_line_and_column(tmp_path: Path, value: str,
                                                     where: tuple[int, int]) -> None:
    path = write(tmp_path, f"require: {value}\n")
    from briefing.config.checker import Checker

    node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    checker = Checker(str(path), tmp_path)
    checker.query(node.value[0][1], "require")
    (problem,) = checker.problems
    assert (problem.line, problem.col) == where, problem
    assert problem.message.startswith("NEAR"), problem


# --- The JSON Schema and the loader's table agree -------------------------------------------


def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def _deref(schema: dict[str, Any], node: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return name, schema["$defs"][name]
    return None, node


def _shape(schema: dict[str, Any], node: dict[str, Any]) -> str:
    """The loader's type signature (KeySpec.shape) read off a schema node."""
    name, node = _deref(schema, node)
    if "anyOf" in node:
        return "|".join(_shape(schema, alt) for alt in node["anyOf"])
    kind = node["type"]
    if kind == "array":
        return f"array<{_shape(schema, node['items'])}>"
    if kind == "object":
        if isinstance(node.get("additionalProperties"), dict):
            return f"map<{_shape(schema, node['additionalProperties'])}>"
        assert name, "a nested object must be a named $defs entry"
        return name
    return kind


def _sections(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {"config": schema}
    out.update({k: v for k, v in schema["$defs"].items() if v.get("type") == "object"})
    return out


def test_schema_and_loader_accept_the_same_keys_with_the_same_types() -> None:
    schema = _schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    sections = _sections(schema)
    assert set(sections) == set(ACCEPTED_KEYS)
    for name, keys in ACCEPTED_KEYS.items():
        node = sections[name]
        assert node["additionalProperties"] is False, name
        assert set(node["properties"]) == set(keys), name
        assert set(node.get("required", [])) == {k for k, s in keys.items() if s.required}, name
        for key, spec in keys.items():
            assert _shape(schema, node["properties"][key]) == spec.shape, f"{name}.{key}"


def test_schema_constants_match_the_loader() -> None:
    schema = _schema()
    defs = schema["$defs"]
    assert schema["properties"]["themes"]["propertyNames"]["pattern"] == SLUG_RE.pattern
    assert defs["reader"]["properties"]["id"]["pattern"] == SLUG_RE.pattern
    assert tuple(defs["reader"]["properties"]["formats"]["items"]["enum"]) == FORMATS
    assert tuple(schema["properties"]["page_size"]["enum"]) == PAGE_SIZES
    # one default: the loader's, the compiled theme's and the schema's are config's
    from briefing.config.model import DEFAULT_MAX_ITEMS, MAX_ITEMS_RANGE, ThemeConfig
    from briefing.judge.themes import ThemeQuery

    max_items = defs["theme"]["properties"]["max_items"]
    assert max_items["default"] == DEFAULT_MAX_ITEMS == ThemeConfig.max_items == \
        ThemeQuery("t", ()).max_items
    assert (max_items["minimum"], max_items["maximum"]) == MAX_ITEMS_RANGE


def _validate(schema: dict[str, Any], node: dict[str, Any], value: Any, where: str) -> list[str]:
    """A small JSON Schema validator for the keywords our schema uses (no new dependency)."""
    _, node = _deref(schema, node)
    if "anyOf" in node:
        if any(not _validate(schema, alt, value, where) for alt in node["anyOf"]):
            return []
        return [f"{where}: matches no alternative"]
    types = {"string": str, "integer": int, "number": (int, float), "array": list,
             "object": dict, "boolean": bool}
    kind = node.get("type")
    if kind and (not isinstance(value, types[kind]) or (isinstance(value, bool)
                                                        and kind != "boolean")):
        return [f"{where}: expected {kind}"]
    errors: list[str] = []
    if "enum" in node and value not in node["enum"]:
        errors.append(f"{where}: not in enum")
    if isinstance(value, str):
        if "pattern" in node and not re.search(node["pattern"], value):
            errors.append(f"{where}: {value!r} does not match {node['pattern']}")
        if len(value) < node.get("minLength", 0):
            errors.append(f"{where}: too short")
    if isinstance(value, (int, float)):
        if value < node.get("minimum", float("-inf")) or value > node.get("maximum",
                                                                           float("inf")):
            errors.append(f"{where}: out of range")
    if isinstance(value, list):
        if len(value) < node.get("minItems", 0):
            errors.append(f"{where}: too few items")
        for i, item in enumerate(value):
            errors += _validate(schema, node["items"], item, f"{where}[{i}]")
    if isinstance(value, dict):
        if len(value) < node.get("minProperties", 0):
            errors.append(f"{where}: too few properties")
        errors += [f"{where}: missing {k}" for k in node.get("required", []) if k not in value]
        props = node.get("properties", {})
        for k, v in value.items():
            if "propertyNames" in node and not re.search(node["propertyNames"]["pattern"], k):
                errors.append(f"{where}.{k}: bad name")
            if k in props:
                errors += _validate(schema, props[k], v, f"{where}.{k}")
            elif node.get("additionalProperties") is False:
                errors.append(f"{where}.{k}: not allowed")
            elif isinstance(node.get("additionalProperties"), dict):
                errors += _validate(schema, node["additionalProperties"], v, f"{where}.{k}")
    return errors


def _as_json(value: Any) -> Any:
    """YAML data as JSON would see it: dates become ISO strings."""
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_default_config_validates_against_the_schema() -> None:
    schema = _schema()
    data = _as_json(yaml.safe_load(DEFAULT.read_text(encoding="utf-8")))
    assert _validate(schema, schema, data, "") == []


def test_the_mini_validator_catches_bad_configs() -> None:
    schema = _schema()
    data = _as_json(yaml.safe_load(DEFAULT.read_text(encoding="utf-8")))
    data["themes"]["security"]["terms"].append("troops^zero")
    data["readers"][0]["formats"] = ["docx"]
    data["colour"] = "blue"
    errors = _validate(schema, schema, data, "")
    assert len(errors) == 3, errors


# --- Fuzzing: nothing but ConfigError -------------------------------------------------------

ALL_KEYS = sorted({k for keys in ACCEPTED_KEYS.values() for k in keys})
scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
           | st.dates() | st.sampled_from(["troops^2", "a@example.org", "7d", "../seeds", "pdf",
                                           "security", "https://example.org/", "mailto:x"]))
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(ALL_KEYS) | st.text(max_size=6), inner, max_size=4),
    max_leaves=16)
BASE: dict[str, Any] = {
    "title": "Fuzz", "corpus": str(REPO / "seeds"),
    "themes": {"security": {"terms": ["troops^2"]}, "recognition": {"terms": ["embassy"]}},
    "sources": [{"path": str(REPO / "seeds" / "001_30d30edba93f37e1.txt")}],
    "readers": [{"id": "a", "name": "A", "email": "a@example.org", "themes": ["security"]}],
    "delivery": {"from": "B <b@example.org>"},
}
PLACES: list[tuple[Any, ...]] = [
    (), ("title",), ("language",), ("corpus",), ("out",), ("page_size",), ("themes",),
    ("themes", "security"), ("themes", "security", "terms"), ("themes", "security", "max_items"),
    ("themes", "security", "min_score"), ("themes", "security", "not"), ("themes", "new"),
    ("sources",), ("sources", 0), ("sources", 0, "published"), ("sources", 0, "url"),
    ("readers",), ("readers", 0), ("readers", 0, "themes"), ("readers", 0, "since"),
    ("readers", 0, "email"), ("readers", 0, "formats"), ("delivery",), ("delivery", "from"),
    ("delivery", "unsubscribe"), ("delivery", "list_id"), ("delivery", "rate_per_minute"),
]


def _load_text(text: str) -> Config | None:
    """Load ``text`` as a config: a Config, or None after checking the ConfigError's shape."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "briefing.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            return load_config(path)
        except ConfigError as exc:
            n_lines = text.count("\n") + 1
            assert exc.problems
            for p in exc.problems:
                assert p.path == str(path) and p.message
                assert p.line is None or 1 <= p.line <= n_lines + 1
            return None


def _put(data: Any, place: tuple[Any, ...], value: Any) -> Any:
    if not place:
        return value
    node = data
    for step in place[:-1]:
        node = node[step]
    node[place[-1]] = value
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(place=st.sampled_from(PLACES), value=values)
def test_any_yaml_value_anywhere_yields_a_config_or_a_config_error(
        place: tuple[Any, ...], value: Any) -> None:
    data = _put(json.loads(json.dumps(BASE)), place, value)
    _load_text(yaml.safe_dump(data, allow_unicode=True))


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(list("ab:-[]{}'\"#&*!|>%@` \n\t,?^\x07é")
                                     + ["title", "themes", "terms", "  ", "- "]),
                     max_size=40).map("".join))
def test_arbitrary_text_yields_only_config_errors(text: str) -> None:
    _load_text(text)


def test_the_base_of_the_fuzzer_is_valid() -> None:
    assert _load_text(yaml.safe_dump(BASE)) is not None


def test_feeds_and_fetch_settings_are_typed(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    cfg = tmp_path / "briefing.yaml"
    cfg.write_text("title: T\ncorpus: articles\nthemes: {a: {terms: [x]}}\n"
                   "feeds:\n  - https://news.example/rss.xml\n"
                   "  - {url: 'https://atom.example/feed', outlet: Atom News}\n"
                   "fetch:\n  into: articles/web\n  contact: mailto:me@example.org\n  delay: 0.5\n"
                   "  allow_private: [127.0.0.1, intranet.example]\n", encoding="utf-8")
    config = load_config(cfg)
    assert [(f.url, f.outlet) for f in config.feeds] == [
        ("https://news.example/rss.xml", None), ("https://atom.example/feed", "Atom News")]
    assert config.fetch.into == tmp_path / "articles" / "web"
    assert config.fetch.contact == "me@example.org" and config.fetch.delay == 0.5
    assert config.fetch.allow_private == ("127.0.0.1", "intranet.example")
    cfg.write_text("title: T\ncorpus: articles\nthemes: {a: {terms: [x]}}\n", encoding="utf-8")
    assert load_config(cfg).fetch.into == tmp_path / "articles" / "fetched"  # the default
