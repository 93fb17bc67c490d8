// The console works without this file; with it, the sign-in experience's preview follows the
// form as it is edited (the form posts into the preview frame through its Preview button).
document.addEventListener("input", debouncePreview);
document.addEventListener("change", debouncePreview);
let previewTimer;
function debouncePreview(event) {
  const form = event.target.closest && event.target.closest("form[data-preview]");
  if (!form) return;
  clearTimeout(previewTimer);
  previewTimer = setTimeout(() => {
    const button = form.querySelector("button[data-preview-button]");
    if (button) form.requestSubmit(button);
  }, 400);
}

// Copy buttons: shown only when the clipboard is there to use (they are hidden without script).
document.addEventListener("htmx:load", showCopyButtons);
document.addEventListener("DOMContentLoaded", showCopyButtons);
function showCopyButtons() {
  if (!navigator.clipboard) return;
  for (const b of document.querySelectorAll("button[data-copy]")) b.hidden = false;
}
document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("button[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  navigator.clipboard.writeText(source.textContent).then(() => {
    button.textContent = button.dataset.copied || "✓";
  });
});
