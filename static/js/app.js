// POP Platform: small progressive enhancements. Everything works without this file.
(function () {
  "use strict";
  var INVALID = '[aria-invalid="true"]';

  // After htmx swaps content in, move focus to an element that asks for it, so keyboard
  // and screen-reader users land on the updated part. Looked up in the document (an
  // outerHTML swap replaces the target itself); the marker is removed once used. Without
  // a marker, a field the new content marks invalid takes focus (it is described by its
  // error message). Elements with the autofocus attribute are focused by htmx itself.
  document.addEventListener("htmx:afterSettle", function (event) {
    var focusable = document.querySelector("[data-focus-after-swap]");
    if (focusable) {
      focusable.removeAttribute("data-focus-after-swap");
      focusable.focus();
      return;
    }
    var invalid = event.target.querySelector && event.target.querySelector(INVALID);
    if (invalid) {
      invalid.focus();
    }
  });

  // The menus in the bar (<details class="nav-menu">) close like other menus do: on a
  // click elsewhere and on Escape, which gives focus back to the menu's summary.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.nav-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.open = false;
      }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var menu = event.target.closest && event.target.closest("details.nav-menu[open]");
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
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

  // A page that comes back with validation errors: focus on the first invalid field.
  if (document.activeElement === document.body || document.activeElement === null) {
    var firstInvalid = document.querySelector(INVALID);
    if (firstInvalid) {
      firstInvalid.focus();
    }
  }

  // Destructive actions ask first, in base.html's native <dialog>: a button with
  // data-confirm="question" (and data-confirm-yes="label of the button that goes ahead").
  // The dialog takes focus (its "No, go back" button), Escape closes it, and focus goes
  // back to the button that opened it. Without this file the button simply submits.
  var dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var goAhead = null;
  var opener = null;

  function ask(button, proceed) {
    opener = button;
    goAhead = proceed;
    document.getElementById("confirm-dialog-text").textContent = button.dataset.confirm;
    document.getElementById("confirm-dialog-yes").textContent =
      button.dataset.confirmYes || button.textContent.trim();
    dialog.returnValue = "";
    dialog.showModal();
  }

  dialog.addEventListener("close", function () {
    var proceed = dialog.returnValue === "confirm" ? goAhead : null;
    var button = opener;
    goAhead = opener = null;
    if (proceed) {
      proceed();
    } else if (button && document.body.contains(button)) {
      button.focus();
    }
  });

  // htmx buttons: htmx asks before every request; hold it until the person decides.
  document.addEventListener("htmx:confirm", function (event) {
    var button = event.detail.elt;
    if (!button.dataset || !button.dataset.confirm) {
      return;
    }
    event.preventDefault();
    ask(button, function () {
      event.detail.issueRequest(true);
    });
  });

  // Plain forms: stop the submit, and submit again with the same button once confirmed.
  var confirmed = new WeakSet();
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (event.defaultPrevented || !button || !button.dataset.confirm) {
      return;
    }
    if (confirmed.has(button)) {
      confirmed.delete(button);
      return;
    }
    event.preventDefault();
    ask(button, function () {
      confirmed.add(button);
      event.target.requestSubmit(button);
    });
  });
})();
