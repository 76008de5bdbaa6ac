"""Export of the registry (导出): any filtered list of households or persons, as CSV (streamed
while it is read) or .xlsx (written by a background task), one row per person with the columns
of the import template, so an export can be corrected and imported again.

Every cell a spreadsheet could take for a formula is neutralised (`core.exports.safe_cell`).
ID numbers are masked unless the actor may reveal them in the person's region; every export is
written to the audit trail with its filters, its row count and whether full ID numbers left.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from shegong.core import audit
from shegong.core.exports import safe_cell, write_xlsx
from shegong.core.forms import FilterForm, RegionFilterField
from shegong.core.idnumbers import mask_citizen_id
from shegong.core.models import TaskProgress
from shegong.core.roles import Perm
from shegong.core.scoping import jurisdiction, prefixes_q
from shegong.core.tasks import progress_update, run_tracked

from .codes import (
    Cause,
    Education,
    Health,
    HouseholdType,
    InSchool,
    Labour,
    LeftBehind,
    PovertyStatus,
    Relation,
    Sex,
    WorkStatus,
)
from .importer.rows import COLUMNS
from .importer.template import TEXT_COLUMNS as TEMPLATE_TEXT_COLUMNS
from .models import Person
from .selectors import household_search, person_search

audit.register_actions({"registry.export": gettext_lazy("导出建档立卡数据")})

# One row per person with the import template's columns, so an export imports again.
EXPORT_HEADERS = list(COLUMNS)
# Codes and numbers a spreadsheet must keep as text (leading zeros, 18 digits).
TEXT_COLUMNS = tuple(i for i, name in enumerate(COLUMNS) if name in TEMPLATE_TEXT_COLUMNS)
SCOPES = ("households", "persons")
# One sheet holds 1,048,576 rows, the header included.
XLSX_MAX_ROWS = 1_048_575
CHUNK = 2000


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—")] + [(str(v), label) for v, label in choices if v]


class ExportFilterForm(FilterForm):
    """The filters of the household and person lists, as they come in the query string."""

    q = forms.CharField(required=False, max_length=40)
    # The list's place filter, resolved the same way (a name or initials, not only a code).
    region = RegionFilterField(perm=Perm.EXPORT_REGISTRY)
    household_type = forms.ChoiceField(required=False, choices=_blank(HouseholdType.choices))
    poverty_status = forms.ChoiceField(required=False, choices=_blank(PovertyStatus.choices))
    left_behind = forms.ChoiceField(required=False, choices=_blank(LeftBehind.choices))
    is_dibao = forms.BooleanField(required=False)
    # Full ID numbers only when asked for (a re-import needs them), and only where the actor
    # may reveal; masked otherwise. The audit event says whether any left.
    full_ids = forms.BooleanField(required=False)

    def clean_region(self) -> str:
        region = self.cleaned_data["region"]
        return region.code if region else ""


def parse_filters(data: Any, *, actor: Any) -> dict[str, Any] | None:
    """Only the filters that were given, as plain JSON values; None when one is invalid."""
    form = ExportFilterForm(data, actor=actor)
    if not form.is_valid():
        return None
    return {k: v for k, v in form.cleaned_data.items() if v not in ("", None, False)}


def export_queryset(*, actor: Any, scope: str, filters: dict[str, Any]) -> QuerySet:
    """The persons to export, within the actor's export jurisdiction, household by household
    with the head first. `households`: every member of the households that match; `persons`:
    the persons that match."""
    if scope not in SCOPES:
        raise ValueError(scope)
    prefixes = jurisdiction(actor, Perm.EXPORT_REGISTRY)
    person_keys = ("q", "region", "left_behind", "is_dibao")
    household_keys = ("q", "region", "household_type", "poverty_status")
    if scope == "persons":
        qs = person_search(
            actor=actor, filters={k: v for k, v in filters.items() if k in person_keys}
        )
        if filters.get("household_type"):
            qs = qs.filter(household__household_type=filters["household_type"])
        if filters.get("poverty_status"):
            qs = qs.filter(household__poverty_status=filters["poverty_status"])
    else:
        households = household_search(
            actor=actor, filters={k: v for k, v in filters.items() if k in household_keys}
        )
        flags = {k: v for k, v in filters.items() if k in ("left_behind", "is_dibao")}
        if flags:
            flagged = person_search(actor=actor, filters=flags).values("household_id")
            households = households.filter(pk__in=flagged)
        qs = person_search(actor=actor, filters={}).filter(household_id__in=households.values("pk"))
    head_first = Case(
        When(relation=Relation.HEAD, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        qs.filter(prefixes_q("region_id", prefixes))
        .select_related("household")
        .order_by("household_id", head_first, "id")
    )


def _labels() -> dict[str, dict[str, str]]:
    # Always the Chinese labels, whatever language the exporting user reads: an export must
    # import again.
    with translation.override("zh-hans"):
        return {
            name: {str(value): str(label) for value, label in choices.choices}
            for name, choices in (
                ("relation", Relation),
                ("sex", Sex),
                ("education", Education),
                ("in_school", InSchool),
                ("health", Health),
                ("labour", Labour),
                ("work_status", WorkStatus),
                ("household_type", HouseholdType),
                ("cause", Cause),
            )
        }


class RowWriter:
    """Turns a person (with their household) into one export row, masking as the actor must
    see it, and counts the rows that showed a full ID number."""

    def __init__(self, actor: Any, *, full_ids: bool = False):
        self.reveal = tuple(jurisdiction(actor, Perm.REVEAL_ID_NUMBER)) if full_ids else ()
        self.labels = _labels()
        self.revealed = 0

    def row(self, p: Person) -> list[Any]:
        h = p.household
        lab = self.labels
        if self.reveal and p.region_id.startswith(self.reveal):
            id_number = p.id_number
            self.revealed += 1
        else:
            id_number = mask_citizen_id(p.id_number)
        row = [
            h.number,
            h.region_id,
            lab["relation"].get(p.relation, p.relation),
            p.name,
            id_number,
            lab["sex"].get(p.sex, p.sex),
            p.ethnicity,
            lab["education"].get(p.education, p.education),
            lab["in_school"].get(p.in_school, p.in_school),
            lab["health"].get(p.health, p.health),
            lab["labour"].get(p.labour, p.labour),
            lab["work_status"].get(p.work_status, p.work_status),
            p.months_away,
            "是" if p.is_dibao else "否",
            lab["household_type"].get(h.household_type, h.household_type),
            lab["cause"].get(h.main_cause, h.main_cause),
            "、".join(lab["cause"].get(c, str(c)) for c in (h.secondary_causes or [])),
            h.net_income_per_person,
            h.address,
            p.phone,
        ]
        return [safe_cell(v) for v in row]


def export_record(
    *, actor: Any, scope: str, fmt: str, filters: dict[str, Any], rows: int, revealed: bool
) -> None:
    """The audit event of one export, in the export's region (the actor's first prefix)."""
    prefixes = jurisdiction(actor, Perm.EXPORT_REGISTRY)
    region = prefixes[0].ljust(12, "0") if prefixes and prefixes[0] else None
    audit.record(
        actor=actor,
        action="registry.export",
        region_id=region,
        changes={
            "scope": scope,
            "format": fmt,
            "filters": filters,
            "rows": rows,
            "full_id_numbers": revealed,
        },
    )


class _Echo:
    """csv.writer writes into this and hands the line back, so each row can be yielded."""

    def write(self, value: str) -> str:
        return value


def _csv_text(value: Any) -> Any:
    return "" if value is None else value


def csv_lines(*, actor: Any, scope: str, filters: dict[str, Any]) -> Iterator[str]:
    """The export as CSV text, a few hundred rows per piece: BOM and header first.

    The audit event is written before the first row leaves, with the number of rows the
    export will hold, so a download cut short is on record too.
    """
    qs = export_queryset(actor=actor, scope=scope, filters=filters)
    writer = RowWriter(actor, full_ids=bool(filters.get("full_ids")))
    export_record(
        actor=actor,
        scope=scope,
        fmt="csv",
        filters=filters,
        rows=qs.count(),
        revealed=bool(writer.reveal),
    )
    out = csv.writer(_Echo())

    def generate() -> Iterator[str]:
        yield "\ufeff" + out.writerow(EXPORT_HEADERS)
        lines: list[str] = []
        for person in qs.iterator(chunk_size=CHUNK):
            lines.append(out.writerow([_csv_text(v) for v in writer.row(person)]))
            if len(lines) >= 500:
                yield "".join(lines)
                lines = []
        if lines:
            yield "".join(lines)

    return generate()


def export_title(scope: str) -> str:
    return _("贫困户导出") if scope == "households" else _("贫困人口导出")


@task()
def registry_export_xlsx(progress_id: str, scope: str, filters: dict[str, Any]) -> None:
    """Write the export into an .xlsx in constant memory; the task page offers the file."""

    def work(progress: TaskProgress) -> None:
        actor = progress.owner
        qs = export_queryset(actor=actor, scope=scope, filters=filters)
        total = qs.count()
        progress_update(progress, total=total)
        if total > XLSX_MAX_ROWS:
            # Nothing is written: the page says why and what to do instead.
            progress_update(
                progress,
                message=_("共 %(count)d 行,超过 Excel 单表上限,请缩小范围或导出 CSV。")
                % {"count": total},
            )
            return
        writer = RowWriter(actor, full_ids=bool(filters.get("full_ids")))
        path = settings.EXPORT_DIR / f"{progress.pk}.xlsx"

        def tick(n: int) -> None:
            if n % 1000 == 0:
                progress_update(progress, done=n)

        count = write_xlsx(
            path,
            title=export_title(scope),
            headers=EXPORT_HEADERS,
            rows=(writer.row(p) for p in qs.iterator(chunk_size=CHUNK)),
            text_columns=TEXT_COLUMNS,
            on_row=tick,
        )
        export_record(
            actor=actor,
            scope=scope,
            fmt="xlsx",
            filters=filters,
            rows=count,
            revealed=writer.revealed > 0,
        )
        progress_update(
            progress,
            done=count,
            result_file=path.name,
            message=_("共导出 %(count)d 行。") % {"count": count},
        )

    run_tracked(progress_id, work)
