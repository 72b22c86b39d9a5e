// POP Platform: small progressive enhancements. Everything works without this file.
(function () {
  "use strict";
  // After htmx swaps content in, move focus to an element that asks for it, so keyboard
  // and screen-reader users land on the updated part. Looked up in the document (an
  // outerHTML swap replaces the target itself); the marker is removed once used.
  document.addEventListener("htmx:afterSettle", function () {
    var focusable = document.querySelector("[data-focus-after-swap]");
    if (focusable) {
      focusable.removeAttribute("data-focus-after-swap");
      focusable.focus();
    }
  });

  // A request made by htmx failed because the server is briefly unavailable (a 5xx
  // answer, such as the 503 while the database restarts) or unreachable: htmx leaves the
  // page as it was, so say so. The next request that works hides the message again.
  var failed = document.getElementById("request-failed");
  function showFailure(event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (failed && (event.type === "htmx:sendError" || status >= 500)) {
      failed.hidden = false;
    }
  }
  document.addEventListener("htmx:responseError", showFailure);
  document.addEventListener("htmx:sendError", showFailure);
  document.addEventListener("htmx:afterRequest", function (event) {
    if (failed && event.detail.successful) {
      failed.hidden = true;
    }
  });
})();
