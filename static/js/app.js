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
// Downloads that take a while (exports): <a data-download href="...">. The page says it is
// working, then what it did; the server answers with a cookie carrying the token and row count.
// Optional wording: data-download="正在生成 Word 文件…" and data-done="已生成 {n} 段…".
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-download]");
  if (!link) return;
  event.preventDefault();
  const token = Math.random().toString(36).slice(2, 12).padEnd(8, "0");
  const url = new URL(link.href, window.location.href);
  url.searchParams.set("dl", token);
  const status = document.getElementById("download-status");
  const show = (html, cls) => {
    if (!status) return;
    status.className = "alert py-2 " + cls;
    status.innerHTML = html;
  };
  const working = link.dataset.download || "正在生成 Excel 文件，数据较多时需要一些时间，请稍候…";
  show('<span class="spinner-border spinner-border-sm me-2" role="status"></span>' + working, "alert-info");
  link.classList.add("disabled");
  const started = Date.now();
  const timer = setInterval(() => {
    const match = document.cookie.match(new RegExp("(?:^|; )pb_download=" + token + "-(\\d+)"));
    if (match) {
      clearInterval(timer);
      document.cookie = "pb_download=; Max-Age=0; path=/";
      link.classList.remove("disabled");
      const n = Number(match[1]).toLocaleString("en-US");
      show((link.dataset.done || "已导出 {n} 条，文件已开始下载。").replace("{n}", n), "alert-success");
    } else if (Date.now() - started > 10 * 60 * 1000) {
      clearInterval(timer);
      link.classList.remove("disabled");
      show("导出时间过长，请缩小筛选范围后重试。", "alert-warning");
    }
  }, 500);
  window.location.href = url.toString();
});
// Person pickers at city scale (core.pickers): search, then choose from the matches.
document.addEventListener("input", (event) => {
  const input = event.target.closest(".person-picker-search");
  if (!input) return;
  const box = input.closest(".person-picker");
  clearTimeout(box._timer);
  box._timer = setTimeout(async () => {
    const select = box.querySelector("select");
    const status = box.querySelector(".person-picker-status");
    const url = new URL(box.dataset.pickerUrl, window.location.href);
    url.searchParams.set("q", input.value);
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) { status.textContent = "搜索失败，请重试"; return; }
    const data = await response.json();
    const current = select.value;
    [...select.options].forEach((o) => { if (o.value && o.value !== current) o.remove(); });
    data.results.forEach((r) => {
      if (String(r.id) === current) return;
      select.add(new Option(r.text, r.id));
    });
    if (!current && data.results.length) select.value = String(data.results[0].id);
    status.textContent = data.results.length ? `找到 ${data.results.length} 人${data.results.length >= data.limit ? "（仅显示前 " + data.limit + " 人，请输入更多字缩小范围）" : ""}，请在下拉框中选择。` : "没有找到匹配的人员。";
  }, 250);
});
