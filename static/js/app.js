// Small progressive enhancements; pages work without them.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("meta[name=csrf-token]");
  if (token) event.detail.headers["X-CSRFToken"] = token.content;
});
// Confirm irreversible actions: <button data-confirm="确定删除？">.
document.addEventListener("submit", (event) => {
  const btn = event.submitter;
  const msg = (btn && btn.dataset.confirm) || event.target.dataset.confirm;
  if (msg && !window.confirm(msg)) event.preventDefault();
});
// Show a busy state on forms doing long work: <form data-busy="正在导入，请稍候…">.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || !form.dataset.busy) return;
  const box = form.querySelector(".busy-message");
  if (box) { box.textContent = form.dataset.busy; box.classList.remove("d-none"); }
  // Disable after the browser has collected the form data (keeps the submitter value).
  setTimeout(() => form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = true; }), 0);
});
