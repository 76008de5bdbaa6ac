"""Routes of duplicate review (/registry/duplicates/) and registry export (…/export/)."""

from shegong.core.roles import Perm
from shegong.core.routing import route

from .models import DuplicateCandidate, MergeRecord
from .views import duplicates, exports

REVIEW = Perm.REVIEW_DUPLICATES
EXPORT = Perm.EXPORT_REGISTRY

urlpatterns = [
    route("", duplicates.duplicate_list_view, name="duplicate_list", kind="list", perm=REVIEW),
    route("run/", duplicates.duplicate_run_view, name="duplicate_run", kind="list", perm=REVIEW),
    route(
        "<int:pk>/",
        duplicates.duplicate_detail_view,
        name="duplicate_detail",
        kind="object",
        model=DuplicateCandidate,
        perm=REVIEW,
    ),
    route(
        "<int:pk>/reveal/",
        duplicates.duplicate_reveal_view,
        name="duplicate_reveal",
        kind="object",
        model=DuplicateCandidate,
        perm=REVIEW,
        post_only=True,
    ),
    route(
        "<int:pk>/merge/",
        duplicates.duplicate_merge_view,
        name="duplicate_merge",
        kind="object",
        model=DuplicateCandidate,
        perm=REVIEW,
        post_only=True,
    ),
    route(
        "<int:pk>/distinct/",
        duplicates.duplicate_distinct_view,
        name="duplicate_distinct",
        kind="object",
        model=DuplicateCandidate,
        perm=REVIEW,
        post_only=True,
    ),
    route(
        "merges/<int:pk>/undo/",
        duplicates.merge_undo_view,
        name="merge_undo",
        kind="object",
        model=MergeRecord,
        perm=REVIEW,
        post_only=True,
    ),
    route(
        "export/households.csv",
        exports.households_csv_view,
        name="export_households_csv",
        kind="list",
        perm=EXPORT,
    ),
    route(
        "export/persons.csv",
        exports.persons_csv_view,
        name="export_persons_csv",
        kind="list",
        perm=EXPORT,
    ),
    route(
        "export/households.xlsx",
        exports.households_xlsx_view,
        name="export_households_xlsx",
        kind="list",
        perm=EXPORT,
    ),
    route(
        "export/persons.xlsx",
        exports.persons_xlsx_view,
        name="export_persons_xlsx",
        kind="list",
        perm=EXPORT,
    ),
]
