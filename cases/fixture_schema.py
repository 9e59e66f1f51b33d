"""The fixture's shape: its JSON Schema, the models' own field validators, and the columns derived from it.

``problems(data)`` names everything in a fixture that the database would refuse
or a page could not render, before anything is written: a wrong type, a value
longer than its column, a control character, a line break where one line is
meant, an address that is not http or https, a coordinate out of range, a place
tree deeper than its path column holds. Each problem reads
"<record>.<field>: <what is wrong>", with the record named as the loader names
it. The schema (``schemas/fixture.schema.json``, served at
``/data/fixture.schema.json``) is what curators can check a fixture with
anywhere; the model fields' validators and the derived columns' limits stay
with the models, and a test keeps the schema's lengths and choices equal to
theirs. Records are checked one at a time, so a load can show its progress.
"""

import functools
import json
import re
from pathlib import Path

import fastjsonschema
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from jsonschema import Draft202012Validator

from .models import Case, Detention, Person, PersonName, Place, PlaceName, Protest, Quote, RetiredRef, Source
from .names import search_key

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "fixture.schema.json"

# How the loader names a record of each section: by this key when it has one, else by position.
RECORD_KEYS = {"sources": "slug", "places": "slug", "people": "slug", "cases": "ref", "retired": "ref"}

# The model that stores each kind of record, and the records nested in it (a relation has no text of its own).
MODELS = {"sources": Source, "places": Place, "people": Person, "cases": Case, "retired": RetiredRef}
NESTED = {
    "sources": {"quotes": Quote},
    "people": {"names": PersonName},
    "places": {"names": PlaceName},
    "cases": {"detention": Detention, "protest": Protest},
}
# Fixture fields stored in a column of another name.
COLUMNS = {(Source, "published"): "published_edtf", (Case, "date"): "date_edtf"}

# A place's path holds the ids from the root down, "/3/7/12/": each level takes an id
# (at most 19 digits, the largest 64-bit id) and a slash.
ID_DIGITS = len(str(2**63 - 1))


@functools.cache
def validator():
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


@functools.cache
def section_validators():
    """The fixture's top level (its sections as lists), and each section's records, checked on their own.

    A record is checked twice over only when it has a problem: fastjsonschema, compiled from the
    same schema, says in some 0.1 ms whether a record has none; jsonschema (some 20 times slower)
    then names every problem of a record that has one.
    """
    schema = validator().schema
    sections = schema["properties"]
    top = Draft202012Validator({**schema, "properties": {name: {"type": "array"} for name in sections}})
    items = {}
    for name, section in sections.items():
        record_schema = {"$defs": schema["$defs"], "$ref": section["items"]["$ref"]}
        quick = fastjsonschema.compile(inline(record_schema, schema["$defs"]))
        items[name] = (quick, Draft202012Validator(record_schema))
    return top, items


def inline(schema, defs):
    """``schema`` with each ``$ref`` to ``#/$defs/...`` replaced by what it names, merged with the keywords
    beside it (as JSON Schema 2020-12 reads them; fastjsonschema follows older drafts, which ignore them)."""
    if isinstance(schema, list):
        return [inline(item, defs) for item in schema]
    if not isinstance(schema, dict):
        return schema
    inlined = {key: inline(value, defs) for key, value in schema.items() if key not in ("$ref", "$defs")}
    if "$ref" in schema:
        return {**inline(defs[schema["$ref"].removeprefix("#/$defs/")], defs), **inlined}
    return inlined


def record_errors(validators, record):
    quick, explain = validators
    try:
        quick(record)
    except fastjsonschema.JsonSchemaException:
        return explain.iter_errors(record)
    return ()


def schema_problems(data, errors, prefix=()):
    """What the JSON Schema refuses, as (where, message, kind of rule) triples."""
    for error in errors:
        path = [*prefix, *error.absolute_path]
        if error.validator == "required":
            for name in error.validator_value:
                if name not in error.instance:
                    yield label(data, [*path, name]), "is required", "required"
        elif error.validator == "additionalProperties":
            known = error.schema.get("properties", {})
            for name in error.instance:
                if name not in known:
                    yield label(data, [*path, name]), "is not a known field", "additionalProperties"
        else:
            yield label(data, path), describe(error), error.validator


def describe(error):
    value, rule, schema = error.instance, error.validator, error.schema
    if rule == "type":
        expected = " or ".join(rule_value) if isinstance(rule_value := error.validator_value, list) else rule_value
        return f"must be a JSON {expected}, not {json_type(value)}"
    if rule == "maxLength":
        return f"is {len(value)} characters long; at most {error.validator_value} fit"
    if rule in ("minLength", "minItems"):
        return "must not be empty"
    if rule in ("minimum", "maximum"):
        return f"{value!r} is not between {schema.get('minimum')} and {schema.get('maximum')}"
    if rule == "enum":
        return f"{shorten(value)} is not one of {', '.join(map(str, error.validator_value))}"
    if rule == "pattern":
        what = schema.get("description")
        where = first_refused(error.validator_value, value)
        if what is None:
            return f"{shorten(value)} does not match {error.validator_value}"
        if where is None:
            return f"{shorten(value)} is not {what}"
        return f"must be {what}; it has U+{ord(value[where]):04X} at position {where}"
    return error.message


def first_refused(pattern, value):
    """Where a text breaks a character-class rule (``^[^...]*$``), or None for any other pattern."""
    if not (pattern.startswith("^[^") and pattern.endswith("]*$")):
        return None
    allowed = re.compile(pattern)
    return next((i for i, ch in enumerate(value) if not allowed.fullmatch(ch)), None)


def json_type(value):
    kinds = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (list, "array"), (dict, "object"))
    return next((name for kind, name in kinds if isinstance(value, kind)), "null")


def shorten(value, limit=60):
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def label(data, path):
    """How the loader names the place ``path`` leads to: "cases[2n2181].title", "quote <slug>#3.exact"."""
    if not path:
        return "fixture"
    section, *rest = path
    if not rest:
        return str(section)
    index, *rest = rest
    record = data[section][index]
    key = record.get(RECORD_KEYS.get(section)) if isinstance(record, dict) else None
    where = f"{section}[{key}]" if isinstance(key, str) and key else f"{section}[{index}]"
    if section == "sources" and len(rest) >= 2 and rest[0] == "quotes" and isinstance(key, str) and key:
        quote = record["quotes"][rest[1]]
        number = quote.get("n") if isinstance(quote, dict) else None
        if type(number) is int:  # as the loader names a quote: true is no number
            where, rest = f"quote {key}#{number}", rest[2:]
    for step in rest:
        where += f"[{step}]" if isinstance(step, int) else f".{step}"
    return where


def parts(section, index, record):
    """A record and the records nested in it that are objects: (path, model that stores it, record)."""
    if not isinstance(record, dict) or section not in MODELS:
        return
    yield [section, index], MODELS[section], record
    for name, model in NESTED.get(section, {}).items():
        value = record.get(name)
        if isinstance(value, dict):
            yield [section, index, name], model, value
        for j, item in enumerate(value if isinstance(value, list) else []):
            if isinstance(item, dict):
                yield [section, index, name, j], model, item


def field_problems(data, section, index, record):
    """What the model fields' own validators refuse (lengths, addresses, slugs), as (where, message) pairs;
    and a name whose search key (derived by the loader) would not fit its column."""
    key_length = PersonName._meta.get_field("search_key").max_length
    for path, model, part in parts(section, index, record):
        for name, value in part.items():
            if not isinstance(value, str):
                continue
            try:
                field = model._meta.get_field(COLUMNS.get((model, name), name))
            except FieldDoesNotExist:
                continue
            # Text columns only: the schema has checked the types of the others.
            if field.is_relation or not isinstance(field, (models.CharField, models.TextField)):
                continue
            try:
                field.run_validators(value)
            except ValidationError as error:
                for message in error.messages:
                    yield label(data, [*path, name]), message[:1].lower() + message[1:].rstrip(".")
        name = part.get("name")
        if model in (Person, PersonName) and isinstance(name, str) and len(search_key(name)) > key_length:
            yield (
                label(data, [*path, "name"]),
                f"its search key is {len(search_key(name))} characters long; at most {key_length} fit",
            )


def place_tree_problems(data):
    path_length = Place._meta.get_field("path").max_length
    name_length = Place._meta.get_field("full_name").max_length
    levels_held = (path_length - 1) // (ID_DIGITS + 1)
    places = {
        record["slug"]: record
        for record in (data.get("places") if isinstance(data.get("places"), list) else [])
        if isinstance(record, dict) and isinstance(record.get("slug"), str)
    }
    for slug, record in places.items():
        chain, current = [], record
        # Up to the root; a loop or a missing parent is the loader's to report.
        while current is not None and current not in chain:
            chain.append(current)
            parent = current.get("parent")
            current = places.get(parent) if isinstance(parent, str) else None
        if len(chain) > levels_held:
            yield (
                f"places[{slug}].parent",
                f"the place lies {len(chain)} levels deep; the place path holds at most {levels_held}",
            )
        full_name = ", ".join(place["name"] for place in chain if isinstance(place.get("name"), str))
        if len(full_name) > name_length:
            yield (
                f"places[{slug}].name",
                f"its full name, with the places above it, is {len(full_name)} characters long; "
                f"at most {name_length} fit",
            )


def text_problems(texts):
    """What a source's archived text holds that the database or a page cannot (NUL, control characters), as problems."""
    rule = validator().schema["$defs"]["text"]
    for slug, text in texts.items():
        where = first_refused(rule["pattern"], text) if text is not None else None
        if where is not None:
            yield (
                f"sources[{slug}].text_file: "
                f"must be {rule['description']}; it has U+{ord(text[where]):04X} at position {where}"
            )


def problems(data, advance=None, trusted=frozenset()):
    """The shape problems of a parsed fixture, in order, one per place; and whether any is a wrong type.

    Checks record by record, calling ``advance()`` after each record of a section, but for the cases
    whose refs are ``trusted`` (as the loader's ``trusted_cases`` finds them: checked already).
    A wrong type stops the loader's own checks, which read each value as the type the schema gives it.
    """
    found, wrong_type = {}, False
    top, items = section_validators()
    triples = list(schema_problems(data, top.iter_errors(data)))
    for section, record_validators in items.items() if isinstance(data, dict) else ():
        records = data.get(section)
        for index, record in enumerate(records if isinstance(records, list) else []):
            if section == "cases" and isinstance(record, dict) and record.get("ref") in trusted:
                if advance:
                    advance()
                continue
            triples += schema_problems(data, record_errors(record_validators, record), (section, index))
            triples += ((where, message, None) for where, message in field_problems(data, section, index, record))
            if advance:
                advance()
    if isinstance(data, dict):
        triples += ((where, message, None) for where, message in place_tree_problems(data))
    for where, message, rule in triples:
        found.setdefault(where, message)
        wrong_type = wrong_type or rule == "type"
    return [f"{where}: {message}" for where, message in found.items()], wrong_type


def merge(first, second):
    """``first``, then each problem of ``second`` at a place that ``first`` does not name already."""
    named = {problem.split(": ", 1)[0] for problem in first}
    return [*first, *(problem for problem in second if problem.split(": ", 1)[0] not in named)]
