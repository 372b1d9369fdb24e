"""Fill empty msgstr entries of a .po catalogue from a JSON object {msgid: translation}.

A developer's tool: `python scripts/po_fill.py CATALOGUE.po TRANSLATIONS.json`. Handles msgids that
gettext wraps over several lines; plural entries take the same text for msgstr[0] (Vietnamese has
one plural form). Prints the msgids still untranslated.
"""

import json
import re
import sys

ENTRY = re.compile(
    r'((?:#[^\n]*\n)*)msgid ((?:"[^\n]*"\n)+)(msgid_plural ((?:"[^\n]*"\n)+))?((?:msgstr[^\n]*\n(?:"[^\n]*"\n)*)+)'  # noqa: E501
)


def unquote(block: str) -> str:
    return "".join(json.loads(line) for line in block.strip().splitlines())


def quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def fill(po_text: str, translations: dict[str, str]) -> tuple[str, list[str]]:
    missing = []

    def replace(match: re.Match) -> str:
        comments, msgid_block, plural_part, _plural_block, msgstr_block = match.groups()
        msgid = unquote(msgid_block)
        if not msgid:
            return match.group(0)
        empty = all(
            unquote(part.split(" ", 1)[1]) == ""
            for part in re.findall(r'msgstr(?:\[\d\])? (?:"[^\n]*"\n)+', msgstr_block)
        )
        if not empty:
            return match.group(0)
        if msgid not in translations:
            missing.append(msgid)
            return match.group(0)
        comments = comments.replace("#, fuzzy\n", "")
        text = quote(translations[msgid])
        head = f"{comments}msgid {msgid_block}"
        if plural_part:
            return f"{head}{plural_part}msgstr[0] {text}\n"
        return f"{head}msgstr {text}\n"

    return ENTRY.sub(replace, po_text), missing


def main() -> int:
    po_path, json_path = sys.argv[1], sys.argv[2]
    with open(json_path, encoding="utf-8") as handle:
        translations = json.load(handle)
    with open(po_path, encoding="utf-8") as handle:
        text = handle.read()
    text = text.replace(
        '"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"', '"Plural-Forms: nplurals=1; plural=0;\\n"'
    )
    text = text.replace('"Language: \\n"', '"Language: vi\\n"')
    text = text.replace(
        '"Content-Type: text/plain; charset=CHARSET\\n"', '"Content-Type: text/plain; charset=UTF-8\\n"'
    )
    # The header entry is complete once the fields above are set; a fuzzy header is ignored by msgfmt.
    text = text.replace('#, fuzzy\nmsgid ""\nmsgstr ""', 'msgid ""\nmsgstr ""', 1)
    text, missing = fill(text, translations)
    with open(po_path, "w", encoding="utf-8") as handle:
        handle.write(text)
    for msgid in missing:
        print("untranslated:", msgid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
