// Sections marked data-fragment load their content from that URL after the page (the CSP forbids inline
// scripts). Used where a part costs far more than the page around it: the full report on the approval page.
document.addEventListener("DOMContentLoaded", () => {
  for (const section of document.querySelectorAll("[data-fragment]")) {
    fetch(section.dataset.fragment, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then((response) => {
        if (!response.ok) {
          throw new Error(`HTTP ${response.status}`);
        }
        return response.text();
      })
      .then((html) => {
        section.innerHTML = html;
        section.setAttribute("aria-busy", "false");
      })
      .catch(() => {
        section.setAttribute("aria-busy", "false");
        section.querySelector("[data-fragment-failed]")?.classList.remove("d-none");
        section.querySelector("[data-fragment-loading]")?.classList.add("d-none");
      });
  }
});
