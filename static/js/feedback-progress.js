// Polls the feedback batch's progress (done / total / failed) for the quarter page until every document is finished.
(function () {
  "use strict";
  var box = document.getElementById("feedback-progress");
  if (!box) { return; }
  var url = box.dataset.url;
  var bar = box.querySelector(".progress");
  var template = box.querySelector("[data-part=retry-template]");
  var failures = box.querySelector("[data-part=failures]");
  var delay = 2000;
  var emptyPolls = 0; // a quarter published before feedback documents existed has none: stop after a minute

  function setCount(name, value) {
    var el = box.querySelector("[data-count=" + name + "]");
    if (el) { el.textContent = String(value); }
  }

  function showFailures(items) {
    failures.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "d-flex gap-2 align-items-center mb-1";
      var label = document.createElement("span");
      label.textContent = item.name + " — " + box.dataset.textFailed + (item.error ? ": " + item.error : "");
      li.appendChild(label);
      if (template) {
        var form = template.cloneNode(true);
        form.classList.remove("d-none");
        form.removeAttribute("data-part");
        form.action = item.retry_url;
        var button = document.createElement("button");
        button.type = "submit";
        button.className = "btn btn-sm btn-outline-danger";
        button.textContent = box.dataset.textRetry;
        form.appendChild(button);
        li.appendChild(form);
      }
      failures.appendChild(li);
    });
  }

  function render(data) {
    var total = data.total || 0;
    var donePct = total ? (100 * data.done) / total : 0;
    var failedPct = total ? (100 * data.failed) / total : 0;
    box.querySelector("[data-part=done]").style.width = donePct.toFixed(1) + "%";
    box.querySelector("[data-part=failed]").style.width = failedPct.toFixed(1) + "%";
    bar.setAttribute("aria-valuenow", String(Math.round(donePct)));
    setCount("done", data.done);
    setCount("total", total);
    setCount("failed", data.failed);
    setCount("documents_to_retry", data.documents_to_retry);
    setCount("notices_undelivered", data.notices_undelivered);
    showFailures(data.failures || []);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        render(data);
        delay = 2000;
        // Keep polling while documents are waiting or rendering (and while the batch has not created them yet).
        emptyPolls = data.total ? 0 : emptyPolls + 1;
        if (!data.finished && emptyPolls < 30) { window.setTimeout(poll, delay); }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000);
        window.setTimeout(poll, delay);
      });
  }

  poll();
})();
