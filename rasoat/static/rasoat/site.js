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

  applySizes(document);
  document.addEventListener("htmx:load", function (event) {
    applySizes(event.target);
  });
})();
