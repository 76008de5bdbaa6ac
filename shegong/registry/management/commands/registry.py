"""`shegong registry import FILE --user NAME [--region CODE] [--dry-run] [--report out.xlsx]`

Imports a registry (建档立卡) file as the named user, inside that user's jurisdiction, and
prints one line: `rows N: created A, updated B, unchanged C, rejected D`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shegong.core.exports import write_xlsx
from shegong.core.models import User

from ...importer.engine import run_import
from ...importer.rows import COLUMNS
from ...importer.services import copy_report, create_batch, report_path
from ...models import ImportStatus


class Command(BaseCommand):
    help = "Registry (建档立卡) maintenance: `import` a file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import an .xlsx or .csv registry file.")
        imp.add_argument("file", help="the .xlsx or .csv file")
        imp.add_argument("--user", required=True, help="acting account (its jurisdiction)")
        imp.add_argument("--region", help="region code the batch is filed under")
        imp.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        imp.add_argument("--report", help="write the rejected rows here (.xlsx)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self.do_import(options)

    def do_import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            actor = User.objects.get(username=options["user"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"no active user {options['user']!r}") from None
        try:
            batch = create_batch(
                actor=actor,
                region_code=options.get("region"),
                file_name=path.name,
                dry_run=options["dry_run"],
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "permission denied") from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None

        verbose = options["verbosity"] >= 2

        def on_progress(phase: str, done: int, total: int | None) -> None:
            if verbose:
                sys.stderr.write(f"{phase} {done}/{total or '?'}\n")

        batch = run_import(batch, path, on_progress=on_progress)
        if options.get("report"):
            target = Path(options["report"])
            if report_path(batch) is not None:
                copy_report(batch, target)
            else:
                write_xlsx(
                    target, title="错误报告", headers=[*COLUMNS, "错误原因", "原行号"], rows=[]
                )
        self.stdout.write(batch.summary)
        if batch.status == ImportStatus.FAILED:
            raise CommandError(batch.message)
        if options["verbosity"] >= 1 and batch.message:
            self.stderr.write(batch.message)
