// Page actions declared in the markup, so that no template needs an inline handler (the
// Content-Security-Policy allows scripts from files only):
//   <form data-confirm="…">        asks before it is submitted;
//   <select data-autosubmit>        submits its form when changed;
//   <button data-action="print">    prints the page.
document.addEventListener("submit", function (event) {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
document.addEventListener("change", function (event) {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.submit();
});
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-action=print]")) window.print();
});
