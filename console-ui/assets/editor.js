// The editor's upload form: a chosen file is read into the text box (the
// server takes text; nothing is sent until プレビュー).
"use strict";
(() => {
  const file = document.getElementById("file");
  const form = document.getElementById("upload");
  if (!file || !form) return;
  file.addEventListener("change", () => {
    const f = file.files[0];
    if (!f) return;
    const reader = new FileReader();
    reader.onload = () => {
      form.elements.content.value = reader.result;
      if (!form.elements.name.value) form.elements.name.value = f.name;
    };
    reader.readAsText(f, "utf-8");
  });
})();
