/* Directive Tracker: the little the pages do in the browser (served by the app, no CDN).
   Everything works without it; with it, phones get a collapsible menu, menu groups close
   when another opens, destructive buttons ask for confirmation (data-confirm), a long
   unit chooser's search box finds units as one types, and a task's target, parent and
   owner choosers offer what its directive and lead unit chosen allow. */
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
  // A background job's page: its progress bar follows the job, and the page shows the
  // file's link (or the reason it failed) once the job is over.
  var job = document.querySelector("[data-job-state]");
  if (job) {
    var bar = job.querySelector("progress");
    var words = job.querySelector("[data-job-words]");
    var poll = function () {
      fetch(job.dataset.jobState, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (state) {
          if (!state) return;
          if (state.finished) { window.location.reload(); return; }
          if (bar && state.total) { bar.max = state.total; bar.value = state.done; }
          if (words) words.textContent = state.words;
          window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 1000);
  }
  // A unit chooser of a national tree (web/unit_choosers.py): what is typed in its search
  // box is asked of the server as one types; the units found replace those offered, the
  // chosen ones (and "none") kept. The Find button, for pages without scripts, goes: Enter
  // in the box does nothing, Enter elsewhere saves the form.
  document.querySelectorAll("[data-unit-search]").forEach(function (box) {
    var select = document.getElementById(box.dataset.unitSearch);
    var input = box.querySelector("input[type=search]");
    var said = box.querySelector("[aria-live]");
    var find = box.querySelector("button");
    if (!select || !input) return;
    if (find) find.remove();
    var timer = null, asked = 0;
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var mine = ++asked;
        fetch(box.dataset.url + "?q=" + encodeURIComponent(input.value), {
          headers: { Accept: "application/json" }, credentials: "same-origin"
        })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (found) {
            if (!found || mine !== asked) return;
            var kept = {};
            Array.prototype.slice.call(select.options).forEach(function (option) {
              if (option.selected || option.value === "None") kept[option.value] = true;
              else option.remove();
            });
            found.items.forEach(function (unit) {
              if (!kept[String(unit.id)]) select.add(new Option(unit.label, unit.id));
            });
            if (!found.items.length) said.textContent = box.dataset.sayNone;
            else if (found.more) said.textContent = box.dataset.sayMore;
            else said.textContent = box.dataset.sayFound.replace("{count}", found.items.length);
          });
      }, 250);
    });
  });
  // A chooser that follows another (data-follows: a task's targets and parents its
  // directive, its owner its lead unit): when another value is chosen there, what data-url
  // answers for it replaces the options offered; "none" stays, and so does the option
  // chosen if it is among them. Without scripts, the list follows once the form is sent
  // back (saved, or a unit search's Find).
  document.querySelectorAll("select[data-follows]").forEach(function (chooser) {
    var first = document.getElementById(chooser.dataset.follows);
    if (!first) return;
    var asked = 0;
    first.addEventListener("change", function () {
      var mine = ++asked, chosen = chooser.value;
      fetch(chooser.dataset.url + encodeURIComponent(first.value), {
        headers: { Accept: "application/json" }, credentials: "same-origin"
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (found) {
          if (!found || mine !== asked) return;
          Array.prototype.slice.call(chooser.options).forEach(function (option) {
            if (option.value !== "None") option.remove();
          });
          found.items.forEach(function (item) {
            var keep = String(item.id) === chosen;
            chooser.add(new Option(item.label, item.id, keep, keep));
          });
        });
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
