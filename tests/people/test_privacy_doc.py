"""docs/privacy.md lists every field that holds personal data (for the DPIA and the works
council): a new field fails here until the document says what it is for, who sees it,
where it goes and how long it is kept."""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

DOC = Path(settings.BASE_DIR) / "docs" / "privacy.md"
FIELD = re.compile(r"`([a-z_]+\.[A-Za-z]+\.[a-z_0-9]+)`")
# Free text, or what identifies a person by itself.
PERSONAL_TYPES = (
    models.TextField,
    models.JSONField,
    models.GenericIPAddressField,
    models.EmailField,
)


def _fields(model) -> list:
    return [*model._meta.concrete_fields, *model._meta.local_many_to_many]


def _holds_personal_data(model) -> bool:
    user = apps.get_model(settings.AUTH_USER_MODEL)
    return model is user or any(
        (field.is_relation and field.related_model is user) or isinstance(field, PERSONAL_TYPES)
        for field in _fields(model)
    )


def _documented() -> dict[str, list[str]]:
    """``app.Model.field`` → the table rows (cells after the first) that name it."""
    found: dict[str, list[str]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|") or line.startswith("|---"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        for name in FIELD.findall(cells[0]):
            found.setdefault(name, []).append(" | ".join(cells[1:]))
    return found


def test_every_personal_field_is_in_the_document():
    documented = _documented()
    required = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if _holds_personal_data(model) and not model._meta.proxy  # a proxy: its model's
        for field in _fields(model)
        if field.name != "id"
    ]
    assert len(required) > 250
    missing = [name for name in required if name not in documented]
    assert not missing, f"docs/privacy.md does not describe: {missing}"


def test_each_row_says_purpose_audience_destination_and_retention():
    for name, rows in _documented().items():
        for row in rows:
            purpose, audience, destination, kept = row.split(" | ")
            assert purpose and audience and destination, name
            assert re.search(r"\bT[1-6]\b", kept), f"{name}: no retention code in {kept!r}"


def test_the_document_names_no_field_that_does_not_exist():
    for name in _documented():
        label, _dot, field = name.rpartition(".")
        model = apps.get_model(label)
        assert field in {f.name for f in _fields(model)}, name


def test_the_document_covers_what_a_dpia_and_the_works_council_need():
    text = DOC.read_text(encoding="utf-8")
    for heading in (
        "## 2. Rollen",
        "## 3. Doelen en grondslagen",
        "## 5. Wat HR alleen als totalen ziet",
        "## 6. Het auditlog",
        "## 7. Inzage en overdraagbaarheid",
        "## 8. Bewaartermijnen en de bewaartermijntaak",
    ):
        assert heading in text
    assert "art. 27 lid 1 onder k en l WOR" in text and "personeelsvolgsysteem" in text
