/* Directive Tracker: the little the pages do in the browser (served by the app, no CDN).
   Everything works without it; with it, phones get a collapsible menu and destructive
   buttons ask for confirmation (data-confirm="question"). */
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
  document.querySelectorAll("form [data-confirm]").forEach(function (button) {
    button.form.addEventListener("submit", function (event) {
      if (event.submitter === button && !window.confirm(button.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
});
