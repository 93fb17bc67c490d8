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
