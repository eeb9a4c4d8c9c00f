/* Small enhancements of the server-rendered forms; every page works without them. */
(function () {
  "use strict";
  /* The boundaries (vintage) and years on offer belong to an area level. When the visitor
     changes the level, the old level's boundaries and year are not sent with the form: the
     server then shows the new level's latest boundaries and year. */
  function levelResets() {
    var level = document.getElementById("sel-level");
    if (!level) { return; }
    var initial = level.value;
    level.addEventListener("change", function () {
      ["sel-vintage", "sel-year"].forEach(function (id) {
        var el = document.getElementById(id);
        if (el) { el.disabled = level.value !== initial; }
      });
    });
  }
  /* Wide tables scroll inside their own region on narrow screens instead of widening the page;
     the region is focusable so that keyboard users can scroll it, and named by the caption. */
  function scrollingTables() {
    document.querySelectorAll("table.data").forEach(function (table, i) {
      var parent = table.parentElement;
      var box = parent;
      if (!(parent && parent.classList.contains("table-scroll"))) {
        box = document.createElement("div");
        box.className = "table-scroll";
        parent.insertBefore(box, table);
        box.appendChild(table);
      }
      /* a region a template wrapped itself gets the same name and focus */
      if (!box.hasAttribute("role")) { box.setAttribute("role", "region"); }
      if (!box.hasAttribute("tabindex")) { box.setAttribute("tabindex", "0"); }
      if (!box.hasAttribute("aria-labelledby") && !box.hasAttribute("aria-label")) {
        var caption = table.querySelector("caption");
        if (caption) {
          if (!caption.id) { caption.id = "table-caption-" + i; }
          box.setAttribute("aria-labelledby", caption.id);
        } else {
          box.setAttribute("aria-label", document.documentElement.lang === "en" ? "Table" : "Tabell");
        }
      }
    });
  }
  /* Tables marked "sortable" sort by a column when its header button is pressed (the order is
     announced through aria-sort). Numbers are read as the page writes them: narrow spaces
     between thousands, a decimal comma, the minus sign; cells without a number sort last. */
  function cellNumber(text) {
    var t = text.replace(/[\u202f\u00a0 ]/g, "").replace("\u2212", "-").replace(",", ".");
    var m = t.match(/^-?\d+(\.\d+)?/);
    return m ? parseFloat(m[0]) : null;
  }
  function sortableTables() {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      var body = table.tBodies[0];
      if (!body) { return; }
      var heads = table.querySelectorAll("thead th");
      heads.forEach(function (th, col) {
        if (th.querySelector("button")) { return; }
        var button = document.createElement("button");
        button.type = "button";
        button.className = "sort";
        while (th.firstChild) { button.appendChild(th.firstChild); }
        th.appendChild(button);
        button.addEventListener("click", function () {
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var ta = a.cells[col] ? a.cells[col].textContent.trim() : "";
            var tb = b.cells[col] ? b.cells[col].textContent.trim() : "";
            var na = cellNumber(ta), nb = cellNumber(tb), r;
            if (na !== null && nb !== null) { r = na - nb; }
            else if (na !== null) { return -1; }
            else if (nb !== null) { return 1; }
            else { r = ta.localeCompare(tb, document.documentElement.lang || "sv"); }
            return ascending ? r : -r;
          });
          rows.forEach(function (r) { body.appendChild(r); });
          table.dispatchEvent(new CustomEvent("sorted"));
        });
      });
    });
  }
  /* A long table (hundreds of valdistrikt) is shown a page at a time with a search field; the
     server sends every row, so without JavaScript the whole table is there. The texts come from
     the page (translated there): {first}, {last}, {total} and {matches} are filled in. */
  function folded(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, key) {
      return values[key] !== undefined ? String(values[key]) : m;
    });
  }
  function pagedTables() {
    document.querySelectorAll(".table-tools[data-table]").forEach(function (tools) {
      var table = document.getElementById(tools.getAttribute("data-table"));
      var pager = document.getElementById(tools.getAttribute("data-table") + "-pager");
      if (!table || !table.tBodies[0] || !pager) { return; }
      var size = parseInt(tools.getAttribute("data-page-size"), 10) || 25;
      var input = tools.querySelector("input[type=search]");
      var status = tools.querySelector("[role=status]");
      var prev = pager.querySelector("[data-page=prev]");
      var next = pager.querySelector("[data-page=next]");
      var all = pager.querySelector("[data-page=all]");
      var allText = all.textContent, fewerText = all.getAttribute("data-fewer");
      var start = 0, showAll = false;
      function render() {
        var rows = Array.prototype.slice.call(table.tBodies[0].rows);
        var query = folded(input.value);
        var matching = rows.filter(function (r) {
          return !query || folded(r.cells[0].textContent).indexOf(query) !== -1;
        });
        var per = showAll ? matching.length : size;
        if (start >= matching.length) { start = Math.max(0, matching.length - per); }
        var end = Math.min(start + per, matching.length);
        rows.forEach(function (r) { r.hidden = true; });
        matching.slice(start, end).forEach(function (r) { r.hidden = false; });
        var values = {first: start + 1, last: end, total: rows.length, matches: matching.length};
        if (!matching.length) {
          status.textContent = fill(tools.getAttribute("data-status-none"), values);
        } else if (query) {
          status.textContent = fill(tools.getAttribute("data-status-filtered"), values);
        } else {
          status.textContent = fill(tools.getAttribute("data-status"), values);
        }
        /* aria-disabled rather than disabled: a button that stops working keeps its focus */
        prev.setAttribute("aria-disabled", String(showAll || start === 0));
        next.setAttribute("aria-disabled", String(showAll || end >= matching.length));
        all.textContent = showAll ? fewerText : allText;
      }
      input.addEventListener("input", function () { start = 0; render(); });
      function usable(button) { return button.getAttribute("aria-disabled") !== "true"; }
      prev.addEventListener("click", function () {
        if (usable(prev)) { start = Math.max(0, start - size); render(); }
      });
      next.addEventListener("click", function () {
        if (usable(next)) { start += size; render(); }
      });
      all.addEventListener("click", function () { showAll = !showAll; start = 0; render(); });
      table.addEventListener("sorted", function () { start = 0; render(); });
      tools.hidden = false;
      pager.hidden = false;
      render();
    });
  }
  function run() { levelResets(); scrollingTables(); sortableTables(); pagedTables(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", run); }
  else { run(); }
})();
