# Routes of the registry import (importer helper owns this file).

from shegong.core.roles import Perm
from shegong.core.routing import route

from .models import ImportBatch
from .views import imports

urlpatterns: list = [
    route("", imports.import_list_view, name="import_list", kind="list", perm=Perm.IMPORT_REGISTRY),
    route(
        "new/",
        imports.import_upload_view,
        name="import_upload",
        kind="list",
        perm=Perm.IMPORT_REGISTRY,
    ),
    route(
        "template.xlsx",
        imports.import_template_view,
        name="import_template",
        kind="list",
        perm=Perm.IMPORT_REGISTRY,
    ),
    route(
        "<uuid:pk>/",
        imports.import_detail_view,
        name="import_detail",
        kind="object",
        model=ImportBatch,
        perm=Perm.IMPORT_REGISTRY,
    ),
    route(
        "<uuid:pk>/report/",
        imports.import_report_view,
        name="import_report",
        kind="object",
        model=ImportBatch,
        perm=Perm.IMPORT_REGISTRY,
    ),
]
