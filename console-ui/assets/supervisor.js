// Supervisors: every counter of the department, live and masked, with 相談
// flags and notes to a counter's console.
"use strict";
(() => {
  const SPEAKER = { staff: "職員", resident: "住民", unknown: "" };
  const boxes = {};
  for (const s of document.querySelectorAll(".counter")) boxes[s.dataset.counter] = s;
  let ws = null, retry = 500;
  function line(box, text, cls) {
    const li = document.createElement("li");
    li.className = cls || "";
    li.textContent = text;
    const ol = box.querySelector(".lines");
    ol.append(li);
    while (ol.children.length > 200) ol.firstChild.remove();
    li.scrollIntoView({ block: "nearest" });
  }
  function onFrame(counter, f) {
    const box = boxes[counter];
    if (!box) return;
    switch (f.event) {
      case "state":
        box.classList.toggle("consult", !!f.consult);
        box.querySelector(".flag").hidden = !f.consult;
        box.querySelector(".paused").hidden = !f.paused;
        break;
      case "segment": line(box, `${SPEAKER[f.speaker] || ""} ${f.text}`, "seg " + f.speaker); break;
      case "question": line(box, `質問: ${f.text}`, "q"); break;
      case "draft": line(box, f.draft.answered ? `回答案: ${f.draft.citations.map((c) => c.label).join("、")}` : "回答案: 該当なし", "d"); break;
      case "note": line(box, `メモ（${f.from}）: ${f.text}`, "note"); break;
      case "summary": line(box, "― 応対終了 ―", "end"); break;
      case "reset": box.querySelector(".lines").replaceChildren(); break;
      case "error": line(box, f.message, "error"); break;
    }
  }
  function connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${proto}://${location.host}/ws/supervisor`);
    ws.onopen = () => { retry = 500; for (const b of Object.values(boxes)) b.querySelector(".lines").replaceChildren(); };
    ws.onmessage = (e) => {
      let m;
      try { m = JSON.parse(e.data); } catch { return; }
      if (m.counter) onFrame(m.counter, m.frame); else if (m.frame) alert(m.frame.message);
    };
    ws.onclose = () => { setTimeout(connect, retry); retry = Math.min(retry * 2, 10000); };
  }
  for (const [id, box] of Object.entries(boxes)) {
    box.querySelector("form.note").addEventListener("submit", (e) => {
      e.preventDefault();
      const input = box.querySelector("input[name=text]");
      if (!input.value.trim() || !ws || ws.readyState !== WebSocket.OPEN) return;
      ws.send(JSON.stringify({ action: "note", counter: id, text: input.value }));
      input.value = "";
    });
  }
  connect();
})();
