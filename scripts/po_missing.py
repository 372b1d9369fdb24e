"""List the untranslated or fuzzy entries of every Vietnamese catalogue as JSON (for translators).

Usage: .venv/bin/python scripts/po_missing.py > missing.json; fill "msgstr"; scripts/po_apply.py missing.json
"""

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
missing = []
for po_path in sorted(ROOT.glob("rasoat/**/locale/vi/LC_MESSAGES/django.po")):
    for entry in polib.pofile(str(po_path)):
        if entry.obsolete:
            continue
        if not entry.translated() or "fuzzy" in entry.flags:
            item = {"po": str(po_path.relative_to(ROOT)), "msgid": entry.msgid, "msgstr": ""}
            if entry.msgid_plural:
                item["msgid_plural"] = entry.msgid_plural
                item["msgstr_plural"] = ["", ""]
            missing.append(item)
json.dump(missing, sys.stdout, ensure_ascii=False, indent=1)
