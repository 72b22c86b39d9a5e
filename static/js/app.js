// POP Platform: small progressive enhancements. Everything works without this file.
(function () {
  "use strict";
  // After htmx swaps content in, move focus to an element that asks for it, so keyboard
  // and screen-reader users land on the updated part.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var focusable = target && target.querySelector ? target.querySelector("[data-focus-after-swap]") : null;
    if (focusable) {
      focusable.focus();
    }
  });
})();
