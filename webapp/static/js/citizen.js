// Citizen pages: after a failed submit, focus goes to the error summary (ui.md §2.6); after an htmx
// swap of the conditional sections focus stays where the citizen was (the region is aria-live).
(function () {
  "use strict";
  function focusSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
