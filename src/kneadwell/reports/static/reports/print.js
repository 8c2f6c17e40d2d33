// The report page's Print button (the browser's own print, which uses the print styles).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
