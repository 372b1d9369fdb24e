/* Behaviour that pages declare with data-attributes, so that no page needs an inline script, an
 * inline event handler or a style attribute (the Content-Security-Policy allows only this site's
 * own files: script-src 'self', style-src 'self').
 *
 *   <form data-confirm="Question?">           asks before submitting; Cancel keeps the page as it is
 *   <button data-confirm="Question?">         the same, for one button of a form
 *   <select data-autosubmit>                  submits its form when the choice changes
 *   <a data-remove-closest="tbody">           removes the nearest such ancestor instead of navigating
 *   <div data-width-percent="40">             width 40% (progress bars)
 *   <div data-height-px="300">                height 300px (chart containers, sized by the server)
 *   <select data-unit-search="Placeholder">   gets a search box above it that hides the options (and
 *                                             empty groups) not matching, accents optional
 *
 * Handlers are delegated from the document, so content swapped in by HTMX works too; sizes are
 * applied on load and to every fragment HTMX inserts. Sizes are set through the CSSOM
 * (element.style), which the policy allows, unlike style attributes in the markup.
 */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    var button = event.submitter;
    if (button && button.hasAttribute("data-confirm")) {
      question = button.getAttribute("data-confirm");
    }
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-remove-closest]") : null;
    if (!link) {
      return;
    }
    var container = link.closest(link.getAttribute("data-remove-closest"));
    if (container) {
      event.preventDefault();
      container.remove();
    }
  });

  function applySizes(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var withSelf = function (selector) {
      var found = Array.prototype.slice.call(scope.querySelectorAll(selector));
      if (scope.matches && scope.matches(selector)) {
        found.push(scope);
      }
      return found;
    };
    withSelf("[data-width-percent]").forEach(function (element) {
      var value = parseFloat(element.getAttribute("data-width-percent"));
      if (!isNaN(value)) {
        element.style.width = Math.max(0, Math.min(100, value)) + "%";
      }
    });
    withSelf("[data-height-px]").forEach(function (element) {
      var value = parseInt(element.getAttribute("data-height-px"), 10);
      if (!isNaN(value) && value > 0) {
        element.style.height = value + "px";
      }
    });
  }

  // Accent-insensitive text: "Mường Kim" and "muong kim" fold to the same letters (đ too).
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d")
      .toLowerCase();
  }

  function addUnitSearch(root) {
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll("select[data-unit-search]").forEach(function (select) {
      if (select.previousElementSibling && select.previousElementSibling.hasAttribute("data-unit-search-box")) {
        return;
      }
      var box = document.createElement("input");
      box.type = "search";
      box.className = "form-control form-control-sm mb-1";
      box.placeholder = select.getAttribute("data-unit-search");
      box.setAttribute("aria-label", select.getAttribute("data-unit-search"));
      box.setAttribute("data-unit-search-box", "");
      box.setAttribute("data-testid", "unit-search");
      select.parentNode.insertBefore(box, select);
      box.addEventListener("input", function () {
        var words = fold(box.value).split(/\s+/).filter(Boolean);
        var firstShown = null;
        Array.prototype.forEach.call(select.options, function (option) {
          var text = fold(option.text);
          var shown = option.value === "" || words.every(function (word) { return text.indexOf(word) !== -1; });
          option.hidden = !shown;
          if (shown && option.value !== "" && firstShown === null) {
            firstShown = option;
          }
        });
        select.querySelectorAll("optgroup").forEach(function (group) {
          group.hidden = !Array.prototype.some.call(group.children, function (option) { return !option.hidden; });
        });
        // A single choice follows the search, so Enter or the form's button takes the match.
        if (!select.multiple && firstShown && words.length) {
          select.value = firstShown.value;
        }
      });
    });
  }

  applySizes(document);
  addUnitSearch(document);
  document.addEventListener("htmx:load", function (event) {
    applySizes(event.target);
    addUnitSearch(event.target);
  });
})();
