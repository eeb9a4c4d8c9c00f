// Autosave: post the response form to the autosave endpoint every few seconds while it has
// unsaved changes. Without JavaScript the explicit save button does the same.
(function () {
  "use strict";
  var form = document.getElementById("response-form");
  if (!form || !window.fetch) { return; }
  var url = form.dataset.autosaveUrl;
  var seconds = parseInt(form.dataset.autosaveSeconds, 10) || 20;
  var status = document.getElementById("autosave-status");
  var dirty = false;
  var timer = null;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function () { if (timer) { clearInterval(timer); } });

  function setBase(version) {
    // Every form on the page (save, upload, submit) must build on the version just saved.
    document.querySelectorAll('input[name="base_version"]').forEach(function (el) {
      el.value = version;
    });
  }

  function save() {
    if (!dirty) { return; }
    dirty = false;
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (d) { return [r.status, d]; }); })
      .then(function (res) {
        var code = res[0], data = res[1];
        if (data.message) { status.textContent = data.message; }
        if (code === 200 && typeof data.version === "number") { setBase(data.version); }
        if (code === 409) { clearInterval(timer); }
        if (code >= 400 && code !== 409) { dirty = true; }
      })
      .catch(function () {
        dirty = true;
        status.textContent = form.dataset.offlineMessage;
      });
  }
  timer = setInterval(save, seconds * 1000);
})();
