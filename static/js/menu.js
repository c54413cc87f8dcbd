// The menu's groups open one at a time, and close on Escape or a click elsewhere; without this script each
// group still opens and closes by itself.
(function () {
  const groups = Array.from(document.querySelectorAll("[data-menu-group]"));
  groups.forEach((group) => {
    group.addEventListener("toggle", () => {
      if (group.open) groups.forEach((other) => { if (other !== group) other.open = false; });
    });
  });
  document.addEventListener("click", (event) => {
    groups.forEach((group) => { if (!group.contains(event.target)) group.open = false; });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    groups.forEach((group) => {
      if (group.open) { group.open = false; group.querySelector("summary").focus(); }
    });
  });
})();
