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
})();
