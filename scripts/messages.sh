#!/usr/bin/env bash
# Refresh the Vietnamese catalogues from the English message ids, then compile them.
# Each app with a locale/ folder keeps its own catalogue; the project package keeps the rest
# (base layout, home, login pages). Translations already made are kept by makemessages.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="$PWD/.venv/bin/python"
MANAGE="$PWD/manage.py"
ignores=()
for locale in rasoat/*/locale; do
  app=$(dirname "$locale")
  (cd "$app" && "$PY" "$MANAGE" makemessages -l vi --no-obsolete --no-location >/dev/null)
  ignores+=(--ignore "$(basename "$app")/*")
done
(cd rasoat && "$PY" "$MANAGE" makemessages -l vi --no-obsolete --no-location "${ignores[@]}" >/dev/null)
untranslated=$(for po in rasoat/locale/vi/LC_MESSAGES/django.po rasoat/*/locale/vi/LC_MESSAGES/django.po; do
  msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true; done | awk '{s+=$1} END {print s}')
(cd rasoat && "$PY" "$MANAGE" compilemessages >/dev/null)
echo "catalogues refreshed; untranslated entries (headers count once per file): $untranslated"
