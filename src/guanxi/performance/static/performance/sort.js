// Click a column header to sort the table by it; click again to reverse.
(function () {
  document.querySelectorAll("table.sortable").forEach(function (table) {
    const body = table.tBodies[0];
    table.querySelectorAll("thead th").forEach(function (th, column) {
      th.style.cursor = "pointer";
      th.addEventListener("click", function () {
        const numeric = th.dataset.sort === "num";
        const descending = th.dataset.dir !== "desc";
        th.dataset.dir = descending ? "desc" : "asc";
        const rows = Array.from(body.rows);
        rows.sort(function (a, b) {
          const x = a.cells[column].dataset.value, y = b.cells[column].dataset.value;
          if (numeric) {
            const p = x === "" ? -Infinity : parseFloat(x), q = y === "" ? -Infinity : parseFloat(y);
            return descending ? q - p : p - q;
          }
          return descending ? y.localeCompare(x) : x.localeCompare(y);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
