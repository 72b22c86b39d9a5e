/* The API documentation (/api/docs/): Swagger UI on the schema at /api/schema/, started
   here rather than in an inline script, so the strict Content-Security-Policy holds. */
"use strict";
(function () {
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    domNode: root,
    // Without deep links the path in an operation's header is text, not a link nested in
    // its toggle button (axe-core: nested-interactive).
    deepLinking: false,
    defaultModelsExpandDepth: 0,
    // Try-it-out sends the token the reader gives under "Authorize", nothing of the site.
    withCredentials: false,
    validatorUrl: null
  });
})();
