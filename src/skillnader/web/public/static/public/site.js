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
  function run() { levelResets(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", run); }
  else { run(); }
})();
