// Follows a job (templates/jobs/job_detail.html): polls its status until it is finished, then shows the outcome
// and the link to the result, or the error and what to do next. Without JavaScript the page refreshes itself.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var url = box.dataset.url;
  var delay = 1000;

  function part(name) { return box.querySelector("[data-part=" + name + "]"); }
  function show(el, visible) { if (el) { el.classList.toggle("d-none", !visible); } }
  function setCount(name, value) {
    var el = box.querySelector("[data-count=" + name + "]");
    if (el) { el.textContent = String(value); }
  }

  function render(data) {
    box.dataset.state = data.state;
    part("state").textContent = data.state_label;
    var bar = part("bar");
    bar.style.width = data.percent + "%";
    bar.textContent = data.percent + "%";
    bar.parentElement.setAttribute("aria-valuenow", String(data.percent));
    bar.classList.toggle("progress-bar-striped", !data.finished);
    bar.classList.toggle("progress-bar-animated", !data.finished);
    bar.classList.toggle("bg-success", data.state === "succeeded");
    bar.classList.toggle("bg-danger", data.state === "failed");
    setCount("done", data.done);
    setCount("total", data.total);
    show(part("counts"), data.total > 0);
    var lines = part("lines");
    lines.textContent = "";
    (data.lines || []).forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      lines.appendChild(li);
    });
    part("outcome-text").textContent = data.outcome;
    show(part("outcome"), !!data.outcome);
    var link = part("result");
    if (data.result_url) { link.href = data.result_url; }
    show(link, !!data.result_url);
    part("error").textContent = data.error;
    part("next-step").textContent = data.next_step;
    show(part("failure"), data.state === "failed");
    // The "run it again" button is drawn by the server, which knows whether it is safe: reload once to get it.
    if (data.state === "failed") { window.location.reload(); }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        render(data);
        delay = 1000;
        if (!data.finished) { window.setTimeout(poll, delay); }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000);
        window.setTimeout(poll, delay);
      });
  }

  // A failed job is drawn whole by the server; a succeeded one may still be followed (publication's documents).
  if (box.dataset.state !== "failed") { poll(); }
})();
