// Ask before leaving a page with unsaved changes (issue 11: B01 edits were lost without warning).
// A form (or the grid) marked data-unsaved-guard becomes dirty on input and clean when submitted;
// the server marks a form it sends back with values still unsaved with data-dirty.
(function () {
  "use strict";
  function guarded(target) {
    return target && target.closest ? target.closest("[data-unsaved-guard]") : null;
  }
  function markDirty(event) {
    var form = guarded(event.target);
    if (form && form.tagName === "FORM") { form.setAttribute("data-dirty", "true"); }
  }
  document.addEventListener("input", markDirty, true);
  document.addEventListener("change", markDirty, true);
  document.addEventListener("submit", function (event) {
    var form = guarded(event.target);
    if (form) { form.removeAttribute("data-dirty"); }
  }, true);
  window.addEventListener("beforeunload", function (event) {
    if (document.querySelector("[data-unsaved-guard][data-dirty]")) {
      event.preventDefault();
      event.returnValue = "";
      return "";
    }
    return undefined;
  });
})();
