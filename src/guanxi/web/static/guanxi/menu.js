// The ☰ button opens and closes the top menu on narrow screens (guanxi.css shows the button
// only there). Without this script the menu simply stays open, so nothing is out of reach.
(function () {
  const bar = document.getElementById("topbar");
  const button = bar && bar.querySelector(".menu-toggle");
  if (!button) return;
  bar.classList.add("menu-ready");
  function show(open) {
    button.setAttribute("aria-expanded", String(open));
    bar.classList.toggle("menu-open", open);
  }
  button.addEventListener("click", function () {
    show(button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && bar.classList.contains("menu-open")) {
      show(false);
      button.focus();
    }
  });
})();
