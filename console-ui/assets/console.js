// The staff console: live transcript (masked by the server) and drafts.
// Everything from the server is drawn with textContent, never as HTML.
"use strict";
(() => {
  const root = document.getElementById("console");
  const counter = root.dataset.counter;
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const SPEAKER = { staff: "職員", resident: "住民", unknown: "" };
  let ws = null, state = { live: false, paused: false, consult: false }, retry = 500;

  function send(action) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(action));
  }
  function showState() {
    const s = !ws || ws.readyState !== WebSocket.OPEN ? "サーバーに再接続しています…"
      : state.paused ? "一時停止中（音声を聞いていません）"
      : state.live ? "応対中" : "待機中（会話が始まると表示されます）";
    $("status").textContent = s;
    $("pause").textContent = state.paused ? "再開" : "一時停止";
    $("pause").classList.toggle("on", state.paused);
    $("consult").classList.toggle("on", state.consult);
    $("consult").textContent = state.consult ? "相談中（取り消す）" : "相談";
  }
  function clearSession() {
    $("transcript").replaceChildren();
    $("questions").replaceChildren();
    $("partial").textContent = "";
  }
  function card(id) {
    let c = $("q-" + id);
    if (!c) {
      c = el("article", "question");
      c.id = "q-" + id;
      c.append(el("p", "q"), el("div", "draft"), el("div", "llm"), el("p", "cites"), el("p", "related"));
      const fb = el("div", "feedback");
      for (const [verdict, label] of [["helpful", "役に立った"], ["wrong", "違う"]]) {
        const b = el("button", "fb-" + verdict, label);
        b.type = "button";
        b.addEventListener("click", () => send({ action: "feedback", id, verdict }));
        fb.append(b);
      }
      c.append(fb);
      c.querySelector(".llm").hidden = true;
      $("questions").prepend(c);
    }
    return c;
  }
  function citeLink(ci) {
    const a = el("a", "cite", `${ci.document} ${ci.label}（${ci.version}）`);
    a.href = `/manual?document=${encodeURIComponent(ci.document)}&version=${encodeURIComponent(ci.version)}#${encodeURIComponent(ci.label)}`;
    a.target = "_blank";
    a.rel = "noopener";
    return a;
  }
  const handlers = {
    state(m) { state = m; showState(); },
    reset() { clearSession(); },
    segment(m) {
      const li = el("li", "seg " + m.speaker);
      li.append(el("span", "speaker " + m.speaker, SPEAKER[m.speaker] || ""), el("span", "text", m.text));
      $("transcript").append(li);
      li.scrollIntoView({ block: "nearest" });
      $("partial").textContent = "";
    },
    partial(m) { $("partial").textContent = (SPEAKER[m.speaker] || "") + " " + m.text + " …"; },
    question(m) { card(m.id).querySelector(".q").textContent = m.text; },
    draft(m) {
      const c = card(m.id), d = m.draft;
      c.classList.toggle("unanswered", !d.answered);
      c.querySelector(".draft").textContent = d.draft;
      c.querySelector(".cites").replaceChildren(...d.citations.map(citeLink));
      c.querySelector(".related").textContent = d.related.length ? "関連する手続: " + d.related.join("、") : "";
      c.dataset.confidence = d.confidence;
    },
    draft_token(m) {
      const l = card(m.id).querySelector(".llm");
      if (l.hidden) { l.hidden = false; l.textContent = ""; }
      l.textContent += m.token;
    },
    llm_draft(m) {
      const l = card(m.id).querySelector(".llm");
      l.hidden = false;
      l.textContent = m.draft.draft;
    },
    llm_failed(m) { card(m.id).querySelector(".llm").hidden = true; },
    feedback(m) {
      const c = card(m.id);
      for (const b of c.querySelectorAll(".feedback button")) b.classList.remove("chosen");
      c.querySelector(".fb-" + m.verdict).classList.add("chosen");
    },
    note(m) {
      const n = el("div", "note", `監督者より: ${m.text}`);
      n.setAttribute("role", "alert");
      $("notes").prepend(n);
    },
    summary(m) {
      const body = $("summary-body");
      body.replaceChildren();
      const reqs = m.summary.requests;
      if (!reqs.length) body.append(el("p", "", "質問はありませんでした。"));
      for (const r of reqs) {
        const box = el("div", "question" + (r.answered ? "" : " unanswered"));
        box.append(el("p", "q", r.text), el("div", "draft", r.answer), el("p", "cites"));
        box.querySelector(".cites").replaceChildren(...r.citations.map(citeLink));
        body.append(box);
      }
      clearSession();
      const dlg = $("summary");
      if (typeof dlg.showModal === "function" && !dlg.open) dlg.showModal();
    },
    error(m) {
      const n = el("div", "note error", m.message);
      $("notes").prepend(n);
    },
  };
  function connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${proto}://${location.host}/ws/console/${encodeURIComponent(counter)}`);
    ws.onopen = () => { retry = 500; clearSession(); showState(); };
    ws.onmessage = (e) => {
      let m;
      try { m = JSON.parse(e.data); } catch { return; }
      const h = handlers[m.event];
      if (h) h(m);
    };
    ws.onclose = () => {
      showState();
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    };
  }
  $("consult").addEventListener("click", () => send({ action: "consult", on: !state.consult }));
  $("pause").addEventListener("click", () => send({ action: "pause", paused: !state.paused }));
  $("end").addEventListener("click", () => {
    if (confirm("この応対を終了して、まとめを保存しますか？")) send({ action: "end" });
  });
  showState();
  connect();
})();
