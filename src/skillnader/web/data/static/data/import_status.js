// Keeps the import status page up to date without reloading it: asks the page's JSON twin
// every two seconds, updates the progress bar and its label (a polite live region), and loads
// the page again once the import is done, to show its result.
(function () {
  "use strict";
  var root = document.getElementById("import-status");
  if (!root) { return; }
  var url = root.getAttribute("data-status-url");
  var bar = document.getElementById("import-progress");
  var percent = document.getElementById("import-percent");
  var label = document.querySelector("label[for='import-progress']");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (data.done) { window.location.reload(); return; }
        if (bar) { bar.value = data.progress; bar.textContent = data.progress + " %"; }
        if (percent) { percent.textContent = data.progress + " %"; }
        if (label && data.stage_label && label.textContent !== data.stage_label) {
          label.textContent = data.stage_label;
        }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
