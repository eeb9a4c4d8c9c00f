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
      if (parent && parent.classList.contains("table-scroll")) { return; }
      var box = document.createElement("div");
      box.className = "table-scroll";
      box.setAttribute("role", "region");
      box.setAttribute("tabindex", "0");
      var caption = table.querySelector("caption");
      if (caption) {
        if (!caption.id) { caption.id = "table-caption-" + i; }
        box.setAttribute("aria-labelledby", caption.id);
      } else {
        box.setAttribute("aria-label", document.documentElement.lang === "en" ? "Table" : "Tabell");
      }
      parent.insertBefore(box, table);
      box.appendChild(table);
    });
  }
  function run() { levelResets(); scrollingTables(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", run); }
  else { run(); }
})();
