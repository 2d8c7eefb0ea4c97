/* Tables with the class table-stack turn into a list of labelled rows on phones (the CSS is in app.css),
   so that no column, such as the status or the link to the details, is pushed out of sight. Here each
   cell gets its column's header text as data-label, which the CSS shows before the value, and the ARIA
   table roles, which some browsers drop once a table's display changes. Without JavaScript the table
   stays a table and scrolls inside its .table-responsive wrapper. */
(function () {
  "use strict";

  var ROLES = [["thead, tbody, tfoot", "rowgroup"], ["tr", "row"], ["thead th", "columnheader"],
               ["tbody th", "rowheader"], ["td", "cell"]];

  function visibleText(header) {
    var copy = header.cloneNode(true);
    copy.querySelectorAll(".visually-hidden").forEach(function (hidden) { hidden.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function stack(table) {
    var labels = Array.prototype.map.call(table.querySelectorAll("thead th"), visibleText);
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.cells, function (cell, index) {
        if (labels[index] && cell.colSpan === 1) { cell.setAttribute("data-label", labels[index]); }
      });
    });
    table.setAttribute("role", "table");
    ROLES.forEach(function (pair) {
      table.querySelectorAll(pair[0]).forEach(function (element) { element.setAttribute("role", pair[1]); });
    });
    table.classList.add("is-stacked");
  }

  document.querySelectorAll("table.table-stack").forEach(stack);
})();
