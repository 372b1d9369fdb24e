// Data entry pages: when an HTMX request fails, say so instead of silently doing nothing.
// The messages are translated by the server and carried on #entry-error.
(function () {
  "use strict";
  function show(event) {
    var box = document.getElementById("entry-error");
    if (!box) { return; }
    var xhr = event.detail && event.detail.xhr;
    var status = xhr ? xhr.status : 0;
    var key = status === 404 ? "gone" : status === 403 ? "forbidden" : "failed";
    box.textContent = box.getAttribute("data-" + key);
    box.classList.remove("d-none");
    box.scrollIntoView({ block: "nearest" });
  }
  function hide() {
    var box = document.getElementById("entry-error");
    if (box) { box.classList.add("d-none"); }
  }
  document.addEventListener("htmx:responseError", show);
  document.addEventListener("htmx:sendError", show);
  document.addEventListener("htmx:beforeRequest", hide);
})();
