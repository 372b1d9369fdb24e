// The grid entry of a repeating sheet (B02–B06): a plain <table> of <input>/<select>, built from the
// declaration the server puts in #grid-config (columns, choices, help, the stored rows). No library:
// see docs/grid.md. Keyboard: arrows, Enter, Tab; Shift+↓/↑ selects down a column, Ctrl+D fills
// down; pasting tab-separated text (Excel, LibreOffice) fills cells from the focused one, adding rows.
// Save posts the changed rows as JSON; the server answers per row and per cell.
(function () {
  "use strict";
  var configNode = document.getElementById("grid-config");
  var table = document.getElementById("entry-grid");
  if (!configNode || !table) { return; }
  var config = JSON.parse(configNode.textContent);
  var columns = config.columns;
  var labels = config.labels;
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  var rows = [];
  var counter = 0;
  var selection = null; // {col, from, to} row indexes, inclusive
  var saving = false;

  function blankValues() {
    var values = {};
    columns.forEach(function (c) { values[c.key] = ""; });
    return values;
  }

  function makeRow(stored) {
    counter += 1;
    var values = stored ? Object.assign(blankValues(), stored.values) : blankValues();
    return {
      key: "r" + counter,
      id: stored ? stored.id : null,
      version: stored ? stored.version : null,
      values: values,
      original: Object.assign({}, values),
      errors: stored ? stored.errors || {} : {},
      warnings: stored ? stored.warnings || {} : {},
      current: null,
      message: "",
      deleted: false,
      gone: false
    };
  }

  function isBlank(row) {
    return columns.every(function (c) { return !String(row.values[c.key] || "").trim(); });
  }

  function changed(row) {
    return columns.some(function (c) { return row.values[c.key] !== row.original[c.key]; });
  }

  function isDirty(row) {
    if (row.deleted) { return row.id !== null; }
    // A row someone else deleted is entered again only once it is changed: another save must not
    // silently bring it back.
    if (row.id === null) { return !isBlank(row) && !(row.gone && !changed(row)); }
    return changed(row);
  }

  function ensureBlankRow() {
    if (!rows.length || !isBlank(rows[rows.length - 1]) || rows[rows.length - 1].id !== null) {
      rows.push(makeRow(null));
      return true;
    }
    return false;
  }

  // --- rendering ----------------------------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function matchChoice(column, text) {
    var wanted = String(text).trim().toLowerCase();
    for (var i = 0; i < column.choices.length; i += 1) {
      if (column.choices[i].toLowerCase() === wanted) { return column.choices[i]; }
    }
    return String(text).trim();
  }

  function editor(column, row, r, c) {
    var input;
    var value = row.values[column.key] || "";
    if (column.choices) {
      input = el("select", "");
      input.appendChild(new Option("", ""));
      column.choices.forEach(function (choice) { input.appendChild(new Option(choice, choice)); });
      if (value && column.choices.indexOf(value) < 0) {
        // A pasted value that is not a choice stays visible, so the server's message can name it.
        input.appendChild(new Option(value, value));
      }
    } else {
      input = el("input", "");
      input.type = "text";
      input.autocomplete = "off";
      if (column.max_length) { input.maxLength = column.max_length; }
      if (column.type === "int" || column.type === "year") { input.inputMode = "numeric"; }
      if (column.type === "dec") { input.inputMode = "decimal"; }
      if (column.read_only) { input.readOnly = true; }
    }
    input.value = value;
    input.dataset.row = String(r);
    input.dataset.col = String(c);
    input.setAttribute("data-testid", "grid-" + r + "-" + column.key);
    input.setAttribute("aria-label", column.header + " · " + labels.row + " " + (r + 1));
    if (column.help) { input.title = column.help; }
    return input;
  }

  function cell(column, row, r, c) {
    var td = el("td", "");
    td.dataset.col = column.key;
    var input = editor(column, row, r, c);
    td.appendChild(input);
    var errors = row.errors[column.key] || [];
    if (errors.length) {
      td.classList.add("grid-invalid");
      input.setAttribute("aria-invalid", "true");
      td.appendChild(el("div", "grid-cell-msg", errors.join(" ")));
      td.setAttribute("data-error", errors.join(" "));
    }
    var warnings = row.warnings[column.key] || [];
    if (warnings.length && !errors.length) {
      // A warning (an unusual value) does not block the submission: shown apart, in yellow.
      td.classList.add("grid-warning");
      td.appendChild(el("div", "grid-cell-warning", warnings.join(" ")));
    }
    if (row.current && row.current[column.key] !== row.values[column.key]) {
      td.appendChild(el("div", "grid-cell-current",
        labels.meanwhile + " " + (row.current[column.key] || labels.empty)));
    }
    if (!row.deleted && row.values[column.key] !== row.original[column.key] && !errors.length) {
      td.classList.add("grid-dirty");
    }
    if (selection && selection.col === c && r >= selection.from && r <= selection.to) {
      td.classList.add("grid-selected");
    }
    return td;
  }

  function render() {
    // Rebuilding the table must not disturb typing: the focused cell and its caret are restored.
    var active = document.activeElement;
    var focused = active && active.dataset && table.contains(active)
      ? { row: active.dataset.row, col: active.dataset.col,
          start: active.tagName === "INPUT" ? active.selectionStart : null,
          end: active.tagName === "INPUT" ? active.selectionEnd : null } : null;
    table.textContent = "";
    var thead = el("thead", "table-light");
    var head = el("tr", "");
    head.appendChild(el("th", "", "#"));
    columns.forEach(function (column) {
      var th = el("th", "", column.header);
      th.scope = "col";
      if (column.help) { th.title = column.help; }
      head.appendChild(th);
    });
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = el("tbody", "");
    rows.forEach(function (row, r) {
      var tr = el("tr", row.deleted ? "grid-deleted" : "");
      tr.setAttribute("data-testid", "grid-row-" + r);
      if (row.id !== null) { tr.dataset.id = String(row.id); }
      var headCell = el("td", "grid-head");
      headCell.appendChild(el("span", "me-1", String(r + 1)));
      var del = el("button", "btn btn-sm btn-link p-0 text-danger",
        row.deleted ? "↺" : "×");
      del.type = "button";
      del.title = row.deleted ? labels.undelete : labels.delete_row;
      del.setAttribute("aria-label", del.title + " " + (r + 1));
      del.setAttribute("data-testid", "grid-delete-" + r);
      del.dataset.action = "delete";
      del.dataset.row = String(r);
      headCell.appendChild(del);
      tr.appendChild(headCell);
      columns.forEach(function (column, c) { tr.appendChild(cell(column, row, r, c)); });
      tbody.appendChild(tr);
      var rowErrors = (row.errors[""] || []).slice();
      if (row.message) { rowErrors.unshift(row.message); }
      if (rowErrors.length) {
        var msg = el("tr", "grid-row-msg");
        var td = el("td", "text-danger", rowErrors.join(" "));
        td.colSpan = columns.length + 1;
        td.setAttribute("data-testid", "grid-row-msg-" + r);
        if (row.current) { td.setAttribute("data-conflict", "true"); }
        msg.appendChild(td);
        tbody.appendChild(msg);
      }
    });
    table.appendChild(tbody);
    updateDirty();
    if (focused && focused.row !== undefined) {
      var target = input(Number(focused.row), Number(focused.col));
      if (target) {
        target.focus();
        if (focused.start !== null && target.setSelectionRange) {
          target.setSelectionRange(focused.start, focused.end);
        }
      }
    }
  }

  function updateDirty() {
    var count = rows.filter(isDirty).length;
    var box = document.getElementById("grid-dirty");
    if (box) { box.textContent = count ? labels.unsaved.replace("%(count)s", count) : ""; }
    if (count) { table.setAttribute("data-dirty", "true"); } else { table.removeAttribute("data-dirty"); }
  }

  function input(r, c) {
    return table.querySelector('[data-row="' + r + '"][data-col="' + c + '"]');
  }

  function focus(r, c) {
    var target = input(r, c);
    if (target) {
      target.focus();
      if (target.select && target.tagName === "INPUT") { target.select(); }
    }
  }

  function showMessage(text, level) {
    var box = document.getElementById("grid-message");
    box.className = "alert alert-" + level;
    box.textContent = text;
  }

  // --- editing ------------------------------------------------------------------------------------

  function setValue(r, c, text) {
    while (rows.length <= r) { rows.push(makeRow(null)); }
    var column = columns[c];
    if (!column || column.read_only) { return; }
    rows[r].values[column.key] = column.choices && text !== "" ? matchChoice(column, text) : String(text);
  }

  table.addEventListener("input", function (event) {
    var target = event.target;
    if (target.dataset.row === undefined) { return; }
    var r = Number(target.dataset.row);
    var c = Number(target.dataset.col);
    rows[r].values[columns[c].key] = target.value;
    target.parentNode.classList.toggle("grid-dirty", target.value !== rows[r].original[columns[c].key]);
    if (ensureBlankRow()) { render(); }
    updateDirty();
  });

  table.addEventListener("change", function (event) {
    var target = event.target;
    if (target.tagName !== "SELECT") { return; }
    var r = Number(target.dataset.row);
    var c = Number(target.dataset.col);
    rows[r].values[columns[c].key] = target.value;
    delete rows[r].errors[columns[c].key];
    ensureBlankRow();
    render();
  });

  table.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action=delete]");
    if (!button) { return; }
    var r = Number(button.dataset.row);
    var row = rows[r];
    if (row.id === null) {
      rows.splice(r, 1);
      ensureBlankRow();
    } else {
      row.deleted = !row.deleted;
    }
    render();
  });

  function fillDown() {
    var active = document.activeElement;
    if (!active || active.dataset.row === undefined) { return; }
    var c = Number(active.dataset.col);
    var r = Number(active.dataset.row);
    var from = selection && selection.col === c ? selection.from : r - 1;
    var to = selection && selection.col === c ? selection.to : r;
    if (from < 0 || to <= from) { return; }
    var value = rows[from].values[columns[c].key];
    for (var i = from + 1; i <= to; i += 1) {
      setValue(i, c, value);
      delete rows[i].errors[columns[c].key];
    }
    ensureBlankRow();
    render();
  }

  function move(r, c, dr, dc, extend) {
    var nr = Math.max(0, Math.min(rows.length - 1, r + dr));
    var nc = Math.max(0, Math.min(columns.length - 1, c + dc));
    if (extend && dc === 0) {
      if (!selection || selection.col !== c) { selection = { col: c, anchor: r }; }
      selection.from = Math.min(selection.anchor, nr);
      selection.to = Math.max(selection.anchor, nr);
    } else {
      selection = null;
    }
    focus(nr, nc);
    if (extend || table.querySelector(".grid-selected")) { render(); }
  }

  table.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target.dataset.row === undefined) { return; }
    var r = Number(target.dataset.row);
    var c = Number(target.dataset.col);
    var isInput = target.tagName === "INPUT";
    if ((event.ctrlKey || event.metaKey) && (event.key === "d" || event.key === "D")) {
      event.preventDefault();
      fillDown();
    } else if (event.key === "ArrowDown" && !event.altKey) {
      event.preventDefault();
      move(r, c, 1, 0, event.shiftKey);
    } else if (event.key === "ArrowUp" && !event.altKey) {
      event.preventDefault();
      move(r, c, -1, 0, event.shiftKey);
    } else if (event.key === "Enter") {
      event.preventDefault();
      move(r, c, event.shiftKey ? -1 : 1, 0, false);
    } else if (event.key === "ArrowLeft" && (!isInput || target.selectionStart === 0)) {
      event.preventDefault();
      move(r, c, 0, -1, false);
    } else if (event.key === "ArrowRight" && (!isInput || target.selectionEnd === target.value.length)) {
      event.preventDefault();
      move(r, c, 0, 1, false);
    }
  });

  // Tab-separated text as Excel and LibreOffice put it on the clipboard: a cell holding a tab,
  // a line break or a quote is quoted, with quotes doubled.
  function parseTsv(text) {
    var out = [];
    var rowCells = [];
    var cellText = "";
    var i = 0;
    var quoted = false;
    text = text.replace(/\r\n?/g, "\n");
    while (i < text.length) {
      var ch = text[i];
      if (quoted) {
        if (ch === '"' && text[i + 1] === '"') { cellText += '"'; i += 2; continue; }
        if (ch === '"') { quoted = false; i += 1; continue; }
        cellText += ch; i += 1; continue;
      }
      if (ch === '"' && cellText === "") { quoted = true; i += 1; continue; }
      if (ch === "\t") { rowCells.push(cellText); cellText = ""; i += 1; continue; }
      if (ch === "\n") { rowCells.push(cellText); out.push(rowCells); rowCells = []; cellText = ""; i += 1; continue; }
      cellText += ch; i += 1;
    }
    if (cellText !== "" || rowCells.length) { rowCells.push(cellText); out.push(rowCells); }
    return out;
  }

  table.addEventListener("paste", function (event) {
    var target = event.target;
    if (target.dataset.row === undefined) { return; }
    var text = (event.clipboardData || window.clipboardData).getData("text");
    if (text.indexOf("\t") < 0 && text.indexOf("\n") < 0) { return; } // one cell: the browser's paste
    event.preventDefault();
    var r0 = Number(target.dataset.row);
    var c0 = Number(target.dataset.col);
    parseTsv(text).forEach(function (cells, dr) {
      cells.forEach(function (value, dc) {
        if (c0 + dc < columns.length) {
          setValue(r0 + dr, c0 + dc, value);
          delete rows[r0 + dr].errors[columns[c0 + dc].key];
        }
      });
    });
    ensureBlankRow();
    render();
  });

  // --- saving -------------------------------------------------------------------------------------

  function apply(outcome, row) {
    row.errors = outcome.errors || {};
    row.warnings = outcome.warnings || {};
    row.current = null;
    row.message = "";
    if (outcome.status === "saved") {
      row.id = outcome.id;
      row.version = outcome.version;
      row.values = Object.assign(blankValues(), outcome.values);
      row.original = Object.assign({}, row.values);
    } else if (outcome.status === "conflict") {
      // The next save overwrites on purpose: the grid now carries the stored version.
      row.version = outcome.version;
      row.current = outcome.values;
      row.message = labels.conflict;
    } else if (outcome.status === "gone") {
      row.message = labels.gone;
      row.id = null;
      row.version = null;
      row.gone = true;
      row.original = Object.assign({}, row.values);
    } else if (outcome.status === "locked") {
      row.message = labels.locked;
    }
  }

  function save() {
    if (saving) { return; }
    var dirty = rows.filter(isDirty);
    if (!dirty.length) { showMessage(labels.nothing, "secondary"); return; }
    saving = true;
    var button = document.getElementById("grid-save");
    button.disabled = true;
    button.textContent = labels.saving;
    var body = {
      rows: dirty.map(function (row) {
        return { key: row.key, id: row.id, version: row.version, values: row.values, delete: row.deleted };
      })
    };
    fetch(config.save_url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return { error: labels.failed }; })
        .then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok || result.data.error) {
        showMessage(result.data.error || labels.failed, "danger");
        return;
      }
      var byKey = {};
      rows.forEach(function (row) { byKey[row.key] = row; });
      result.data.rows.forEach(function (outcome) {
        var row = byKey[outcome.key];
        if (!row) { return; }
        if (outcome.status === "deleted" || (outcome.status === "empty" && row.id === null)) {
          rows.splice(rows.indexOf(row), 1);
        } else {
          apply(outcome, row);
        }
      });
      var badge = document.querySelector("#entry-status [data-testid=status-badge]");
      if (badge && result.data.status) {
        // The first save of a new or returned report makes it a draft: the header follows.
        badge.className = "badge status-" + result.data.status;
        badge.textContent = result.data.status_label;
      }
      ensureBlankRow();
      var level = result.data.refused ? "danger" : "success";
      var draft = rows.some(function (row) { return !isDirty(row) && Object.keys(row.errors).length; });
      showMessage(result.data.message + (draft && !result.data.refused ? " " + labels.draft_errors : ""), level);
      render();
    }).catch(function () {
      showMessage(labels.failed, "danger");
    }).then(function () {
      saving = false;
      button.disabled = false;
      button.textContent = labels.save;
    });
  }

  document.getElementById("grid-save").addEventListener("click", save);
  document.getElementById("grid-add").addEventListener("click", function () {
    rows.push(makeRow(null));
    render();
    focus(rows.length - 1, 0);
  });
  document.getElementById("grid-fill").addEventListener("mousedown", function (event) {
    event.preventDefault(); // keep the focus (and the selection) in the grid
  });
  document.getElementById("grid-fill").addEventListener("click", fillDown);

  config.rows.forEach(function (stored) { rows.push(makeRow(stored)); });
  ensureBlankRow();
  render();
})();
