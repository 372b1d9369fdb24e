"""`rasoat appendix list | export VERSION -o FILE.xlsx | import FILE.xlsx --version CODE [--title TEXT]`.

- `list` prints one line per version: code, state (built in / shipped / has data / editable),
  revision and title; `--json` prints them as a JSON list.
- `export` writes the definition workbook of any version (2026.1 included).
- `import` reads a definition workbook and creates the version, or replaces the definition of an
  unfrozen one. It prints JSON: {"version", "revision", "created", "errors": []}; on any fault it
  prints {"errors": [{"sheet", "row", "column", "message"}]} (sheet, Excel row and English column
  of the definition workbook), exits 1 and saves nothing.
"""

import json
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from rasoat.appendix import services, versions
from rasoat.appendix.checks import Fault
from rasoat.appendix.models import AppendixVersion
from rasoat.appendix.spec import UnknownAppendixVersion
from rasoat.appendix.workbook import read_definition, read_title, write_definition


def _builtin_title(code: str) -> str:
    return versions.get_appendix(code).title or f"Phụ lục {code} (theo PHU_LUC.md)"


class Command(BaseCommand):
    help = "List appendix versions, export one as a definition workbook, or import a definition workbook."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        listing = commands.add_parser("list", help="List every appendix version.")
        listing.add_argument("--json", action="store_true", help="Print the list as JSON.")
        export = commands.add_parser("export", help="Write the definition workbook of a version.")
        export.add_argument("version", help="Version code, e.g. 2026.1.")
        export.add_argument("-o", "--output", required=True, help="The .xlsx file to write.")
        load = commands.add_parser(
            "import", help="Create or replace an unfrozen version from a definition workbook."
        )
        load.add_argument("file", help="The definition workbook (.xlsx).")
        load.add_argument(
            "--version", dest="code", required=True, help="Code of the version to create or replace."
        )
        load.add_argument(
            "--title", default=None, help="Title (default: the workbook's, else the version's)."
        )

    def handle(self, *args, action, **options):
        if action == "list":
            self.show(options["json"])
        elif action == "export":
            self.export(options["version"], options["output"])
        else:
            self.load(options["file"], options["code"], options["title"])

    def show(self, as_json: bool) -> None:
        stored = {v.code: v for v in AppendixVersion.objects.all()}
        rows = []
        for code in versions.all_codes():
            version = stored.get(code)
            if code in versions.BUILTIN:
                state, title, revision = "built-in", _builtin_title(code), None
            else:
                title, revision = version.title, version.revision
                state = (
                    "shipped" if version.shipped else ("has-data" if services.is_frozen(code) else "editable")
                )
            rows.append(
                {
                    "code": code,
                    "state": state,
                    "revision": revision,
                    "title": title,
                    "default": code == versions.default_version(),
                }
            )
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        for row in rows:
            mark = "*" if row["default"] else " "
            self.stdout.write(
                f"{mark} {row['code']:<10} {row['state']:<9} r{row['revision'] or '-':<4} {row['title']}"
            )

    def export(self, code: str, output: str) -> None:
        try:
            definition = versions.definition_for(code)
        except UnknownAppendixVersion:
            raise CommandError(f"no appendix version {code!r}; see `rasoat appendix list`") from None
        stored = AppendixVersion.objects.filter(code=code).first()
        title = stored.title if stored else _builtin_title(code)
        try:
            write_definition(definition, output, code=code, title=title)
        except OSError as error:
            raise CommandError(f"cannot write {output}: {error}") from None
        self.stdout.write(f"Wrote the definition of {code} to {output}.")

    def load(self, path: str, code: str, title: str | None) -> None:
        definition, faults = read_definition(path)
        if faults or definition is None:
            self.fail(faults)
        stored = AppendixVersion.objects.filter(code=code).first()
        title = title or read_title(path) or (stored.title if stored else "") or code
        try:
            version = services.import_definition(code, definition, title=title)
        except services.DefinitionRefused as refused:
            self.fail(refused.faults)
        except services.VersionFrozen as frozen:
            self.fail([Fault("", None, None, str(frozen))])
        except ValidationError as invalid:
            self.fail([Fault("", None, None, message) for message in invalid.messages])
        output = {
            "version": version.code,
            "revision": version.revision,
            "created": stored is None,
            "errors": [],
        }
        self.stdout.write(json.dumps(output, ensure_ascii=False))

    def fail(self, faults: list[Fault]) -> None:
        self.stdout.write(json.dumps({"errors": [f.as_json() for f in faults]}, ensure_ascii=False, indent=1))
        sys.exit(1)
