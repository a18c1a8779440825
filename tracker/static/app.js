/* Directive Tracker: the little the pages do in the browser (served by the app, no CDN).
   Everything works without it; with it, phones get a collapsible menu, menu groups close
   when another opens, and destructive buttons ask for confirmation (data-confirm). */
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  var toggle = document.querySelector(".menu-toggle");
  var nav = document.getElementById("main-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // One menu group open at a time; a click elsewhere or Escape closes it.
  var groups = document.querySelectorAll(".navgroup");
  groups.forEach(function (group) {
    group.addEventListener("toggle", function () {
      if (group.open) groups.forEach(function (other) { if (other !== group) other.open = false; });
    });
  });
  document.addEventListener("click", function (event) {
    groups.forEach(function (group) { if (!group.contains(event.target)) group.open = false; });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    groups.forEach(function (group) {
      if (group.open) { group.open = false; group.querySelector("summary").focus(); }
    });
  });
  // Large files take a while to make: say so while the browser waits for the download.
  document.querySelectorAll("a[data-long]").forEach(function (link) {
    link.addEventListener("click", function () {
      var note = document.getElementById("download-note");
      if (!note) {
        note = document.createElement("p");
        note.id = "download-note";
        note.className = "flash flash-info";
        note.setAttribute("role", "status");
        link.parentNode.insertAdjacentElement("afterend", note);
      }
      note.textContent = link.dataset.long;
    });
  });
  document.querySelectorAll("form [data-confirm]").forEach(function (button) {
    button.form.addEventListener("submit", function (event) {
      if (event.submitter === button && !window.confirm(button.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
});
