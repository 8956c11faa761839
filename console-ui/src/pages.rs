//! The server-rendered pages, in Japanese. Every value is escaped; the live
//! parts are drawn by the page scripts with `textContent`, never as HTML.

use std::fmt::Write;
use std::sync::Arc;

use axum::response::Html;
use madoguchi_knowledge::{Catalog, Hit};

use crate::hub::CounterHandle;
use crate::store::{Account, AuditRow, FeedbackRow, GapRow, ReviewFilter, SummaryRow};

/// HTML-escapes text for element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Percent-encodes a query value.
pub fn q(s: &str) -> String {
    percent(s, false)
}

/// Percent-encodes `s`; `keep_slash` leaves `/` as is (a path).
pub fn percent(s: &str, keep_slash: bool) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b'/' if keep_slash => "/".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A table: the header cells, rows of cells (already HTML), and what to
/// say when there are no rows.
fn table(head: &[&str], rows: &[Vec<String>], empty: &str) -> String {
    let mut out = String::from("<table><thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{h}</th>");
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            let _ = write!(out, "<td>{c}</td>");
        }
        out.push_str("</tr>");
    }
    if rows.is_empty() {
        let _ = write!(
            out,
            r#"<tr><td colspan="{}">{}</td></tr>"#,
            head.len(),
            esc(empty)
        );
    }
    out.push_str("</tbody></table>");
    out
}

fn layout(title: &str, account: Option<&Account>, body: &str, script: &str) -> Html<String> {
    let nav = match account {
        Some(a) => format!(
            r#"<nav><span class="who">{} （{}）</span>{}<form method="post" action="/logout"><button class="quiet">ログアウト</button></form></nav>"#,
            esc(&a.name),
            a.role.japanese(),
            match a.role {
                crate::auth::Role::Supervisor =>
                    r#"<a href="/supervisor">全窓口</a><a href="/supervisor/sessions">記録の確認</a><a href="/supervisor/quality">品質</a>"#,
                _ => "",
            }
        ),
        None => String::new(),
    };
    let script = if script.is_empty() {
        String::new()
    } else {
        format!(r#"<script src="{script}" defer></script>"#)
    };
    Html(format!(
        r#"<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - 窓口アシスタント</title><link rel="stylesheet" href="/static/app.css">{script}</head>
<body><header><h1>{title}</h1>{nav}</header><main>{body}</main></body></html>"#,
        title = esc(title)
    ))
}

pub fn error(status: u16, message: &str) -> Html<String> {
    layout(
        "エラー",
        None,
        &format!(
            r#"<p class="error" role="alert">{}</p><p class="muted">（{status}）</p><p><a href="/">トップへ戻る</a></p>"#,
            esc(message)
        ),
        "",
    )
}

pub fn login(next: &str, problem: Option<&str>) -> Html<String> {
    let problem = problem
        .map(|p| format!(r#"<p class="error" role="alert">{}</p>"#, esc(p)))
        .unwrap_or_default();
    layout(
        "ログイン",
        None,
        &format!(
            r#"{problem}<form method="post" action="/login" class="login">
<label>ユーザー名 <input name="name" autocomplete="username" required autofocus></label>
<label>パスワード <input name="password" type="password" autocomplete="current-password" required></label>
<input type="hidden" name="next" value="{}">
<button type="submit" id="login">ログイン</button></form>"#,
            esc(next)
        ),
        "",
    )
}

pub fn console_list(account: &Account, counters: &[Arc<CounterHandle>]) -> Html<String> {
    let mut body = String::from("<p>担当する窓口を選んでください。</p><ul class=\"list\">");
    for c in counters {
        let _ = write!(
            body,
            r#"<li><a href="/console/{}">{}</a></li>"#,
            q(&c.id),
            esc(&counter_name(c))
        );
    }
    if counters.is_empty() {
        body.push_str("<li>担当の窓口が登録されていません。管理者に連絡してください。</li>");
    }
    body.push_str("</ul>");
    layout("窓口を選ぶ", Some(account), &body, "")
}

fn counter_name(c: &CounterHandle) -> String {
    if c.name.is_empty() {
        c.id.clone()
    } else {
        format!("{}（{}）", c.name, c.id)
    }
}

pub fn console(account: &Account, c: &CounterHandle) -> Html<String> {
    let body = format!(
        r#"<div id="console" data-counter="{id}">
<div class="bar">
  <span id="status" class="status">接続中…</span>
  <button id="consult" type="button">相談</button>
  <button id="pause" type="button">一時停止</button>
  <button id="end" type="button" class="danger">終了</button>
</div>
<div id="notes" aria-live="polite"></div>
<div class="panes">
  <section class="transcript"><h2>会話</h2><ol id="transcript" aria-live="polite"></ol><p id="partial" class="partial"></p></section>
  <section class="drafts"><h2>質問と回答案</h2><div id="questions"></div></section>
</div>
<dialog id="summary"><h2>この応対のまとめ</h2><div id="summary-body"></div><form method="dialog"><button>閉じる</button></form></dialog>
</div>"#,
        id = esc(&c.id)
    );
    layout(
        &format!("窓口 {}", counter_name(c)),
        Some(account),
        &body,
        "/static/console.js",
    )
}

pub fn manual(document: &str, version: &str, chunks: &[Hit]) -> Html<String> {
    let mut body = format!(
        r#"<p class="muted">文書 {} ・ 版 {}</p>"#,
        esc(document),
        esc(version)
    );
    let mut last_label = "";
    for h in chunks {
        if h.label != last_label {
            let _ = write!(
                body,
                r#"<h2 id="{}" class="section-label">{}</h2>"#,
                esc(&h.label),
                esc(&h.label)
            );
            last_label = &h.label;
        }
        let _ = write!(body, r#"<p class="section-text">{}</p>"#, esc(&h.text));
    }
    let title = chunks.first().map(|h| h.title.as_str()).unwrap_or(document);
    layout(title, None, &body, "")
}

pub fn supervisor(account: &Account, counters: &[Arc<CounterHandle>]) -> Html<String> {
    let mut body = String::from(r#"<div id="board" class="board">"#);
    for c in counters {
        let _ = write!(
            body,
            r#"<section class="counter" data-counter="{id}"><h2>{name} <span class="flag" hidden>相談</span> <span class="paused" hidden>一時停止中</span></h2>
<ol class="lines"></ol>
<form class="note"><input name="text" maxlength="500" placeholder="この窓口へのメモ" aria-label="メモ"><button>送る</button></form></section>"#,
            id = esc(&c.id),
            name = esc(&counter_name(c))
        );
    }
    if counters.is_empty() {
        body.push_str("<p>見られる窓口がありません。</p>");
    }
    body.push_str("</div>");
    layout(
        "全窓口の様子",
        Some(account),
        &body,
        "/static/supervisor.js",
    )
}

fn summary_requests(v: &serde_json::Value) -> String {
    let mut out = String::from("<ol class=\"requests\">");
    for r in v["requests"].as_array().into_iter().flatten() {
        let cites: Vec<String> = r["citations"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                let (d, l, ver) = (
                    c["document"].as_str().unwrap_or(""),
                    c["label"].as_str().unwrap_or(""),
                    c["version"].as_str().unwrap_or(""),
                );
                format!(
                    r#"<a href="/manual?document={}&version={}#{}">{} {}（{}）</a>"#,
                    q(d),
                    q(ver),
                    q(l),
                    esc(d),
                    esc(l),
                    esc(ver)
                )
            })
            .collect();
        let _ = write!(
            out,
            r#"<li><p class="request">{}</p><p class="{}">{}</p><p class="cites">{}</p></li>"#,
            esc(r["text"].as_str().unwrap_or("")),
            if r["answered"].as_bool() == Some(true) {
                "answer"
            } else {
                "answer none"
            },
            esc(r["answer"].as_str().unwrap_or("")),
            cites.join(" ")
        );
    }
    out.push_str("</ol>");
    out
}

/// The cited sections' procedures, briefly: the first heading of each label.
fn procedure_names(procedures: &str) -> String {
    let mut names: Vec<&str> = procedures
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(_, label)| label))
        .map(|label| label.split(" > ").next().unwrap_or(label))
        .collect();
    names.dedup();
    names.join("、")
}

pub fn review_list(account: &Account, f: &ReviewFilter, rows: &[SummaryRow]) -> Html<String> {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let n = r.summary["requests"].as_array().map_or(0, Vec::len);
            vec![
                esc(&r.started_at),
                esc(&r.ended_at),
                esc(&r.counter),
                esc(&procedure_names(&r.procedures)),
                format!("{n} 件"),
                format!(r#"<a href="/supervisor/sessions/{}">見る</a>"#, r.id),
            ]
        })
        .collect();
    let body = format!(
        r#"<form class="filter" method="get">
<label>日付 <input type="date" name="date" value="{}"></label>
<label>窓口 <input name="counter" value="{}"></label>
<label>手続 <input name="procedure" value="{}" placeholder="例: 住民票"></label>
<button>絞り込む</button></form>{}"#,
        esc(&f.date),
        esc(&f.counter),
        esc(&f.procedure),
        table(
            &["開始", "終了", "窓口", "手続", "依頼", ""],
            &cells,
            "該当する記録はありません。"
        )
    );
    layout("記録の確認", Some(account), &body, "")
}

pub fn review_one(
    account: &Account,
    row: &SummaryRow,
    feedback: &[FeedbackRow],
    trail: &[AuditRow],
) -> Html<String> {
    let mut body = format!(
        r#"<p class="muted">窓口 {} ・ {} 〜 {} ・ 発言 {} 件</p><h2>依頼と回答</h2>{}"#,
        esc(&row.counter),
        esc(&row.started_at),
        esc(&row.ended_at),
        row.summary["segments"].as_u64().unwrap_or(0),
        summary_requests(&row.summary)
    );
    body.push_str("<h2>職員の評価</h2><ul>");
    for f in feedback {
        let _ = write!(
            body,
            "<li>{} {}：{}</li>",
            esc(&f.at),
            if f.verdict == "helpful" {
                "役に立った"
            } else {
                "違う"
            },
            esc(&f.question)
        );
    }
    if feedback.is_empty() {
        body.push_str("<li>評価はありません。</li>");
    }
    body.push_str("</ul><h2>閲覧の記録</h2><ul>");
    for a in trail {
        let _ = write!(
            body,
            "<li>{} {} {}</li>",
            esc(&a.at),
            esc(&a.account),
            esc(&a.action)
        );
    }
    body.push_str("</ul>");
    layout("応対の記録", Some(account), &body, "")
}

pub fn quality(account: &Account, gaps: &[GapRow], wrong: &[FeedbackRow]) -> Html<String> {
    let gap_rows: Vec<Vec<String>> = gaps
        .iter()
        .map(|g| {
            vec![
                format!(
                    r#"<a href="/supervisor/sessions/{}">{}</a>"#,
                    g.summary_id,
                    esc(&g.at)
                ),
                esc(&g.counter),
                esc(&g.question),
            ]
        })
        .collect();
    let wrong_rows: Vec<Vec<String>> = wrong
        .iter()
        .map(|w| vec![esc(&w.at), esc(&w.counter), esc(&w.question), esc(&w.draft)])
        .collect();
    let body = format!(
        "<h2>よい回答が見つからなかった質問</h2>{}<h2>「違う」と評価された回答案</h2>{}",
        table(&["日時", "窓口", "質問"], &gap_rows, "ありません。"),
        table(
            &["日時", "窓口", "質問", "回答案"],
            &wrong_rows,
            "ありません。"
        )
    );
    layout("回答の品質", Some(account), &body, "")
}

fn notice_html(notice: Option<&str>) -> String {
    notice
        .map(|n| format!(r#"<p class="notice" role="status">{}</p>"#, esc(n)))
        .unwrap_or_default()
}

fn editor_nav() -> &'static str {
    r#"<p class="links"><a href="/editor">マニュアル一覧</a> ・ <a href="/editor/maps/synonyms">同義語ファイル</a> ・ <a href="/editor/maps/related">関連手続の対応表</a></p>"#
}

pub fn editor(account: &Account, cat: &Catalog, notice: Option<&str>) -> Html<String> {
    let mut body = notice_html(notice);
    body.push_str(editor_nav());
    body.push_str(r#"<h2>マニュアルを登録・改訂する</h2>
<form method="post" action="/editor/preview" class="stack wide" id="upload">
<label>ファイル名（同じ名前なら新しい版になります） <input name="name" required placeholder="例: 01_juminhyo.md"></label>
<label>ファイルから読み込む（.md .txt .html） <input type="file" id="file" accept=".md,.txt,.html,.htm"></label>
<label>本文 <textarea name="content" rows="14" required></textarea></label>
<button>プレビュー（まだ公開しません）</button></form>
<h2>マニュアルと版の履歴</h2><table><thead><tr><th>文書</th><th>版</th><th>施行日</th><th>取り込み</th><th>節</th><th>状態</th><th></th></tr></thead><tbody>"#);
    let today = chrono::Local::now().date_naive();
    for (name, d) in &cat.documents {
        let n = d.versions.len();
        for (i, v) in d.versions.iter().enumerate() {
            let state = if d.withdrawn_at.is_some() {
                "取り下げ"
            } else if v.effective > today {
                "施行待ち"
            } else if d.versions[i + 1..].iter().any(|w| w.effective <= today) {
                "旧版"
            } else {
                "公開中"
            };
            let actions = if i + 1 == n {
                let mut a = format!(r#"<a href="/editor/edit?document={}">編集</a>"#, q(name));
                if d.withdrawn_at.is_none() {
                    let _ = write!(
                        a,
                        r#" <form method="post" action="/editor/withdraw" class="inline" onsubmit="return confirm('取り下げますか？')"><input type="hidden" name="document" value="{}"><button class="danger">取り下げ</button></form>"#,
                        esc(name)
                    );
                }
                a
            } else {
                String::new()
            };
            let _ = write!(
                body,
                r#"<tr><td>{}</td><td><a href="/manual?document={}&version={}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{state}</td><td>{actions}</td></tr>"#,
                esc(name),
                q(name),
                q(&v.version),
                esc(&v.version),
                v.effective,
                esc(v.imported_at.get(..16).unwrap_or(&v.imported_at)),
                v.sections,
            );
        }
    }
    body.push_str("</tbody></table>");
    layout(
        "マニュアルの管理",
        Some(account),
        &body,
        "/static/editor.js",
    )
}

pub fn draft(
    account: &Account,
    id: &str,
    d: &crate::editor::Draft,
    chunks: &[Hit],
    question: &str,
    result: Option<&madoguchi_knowledge::SearchResult>,
) -> Html<String> {
    let mut body = String::from(editor_nav());
    let _ = write!(
        body,
        r#"<p>「{}」のプレビューです。まだ公開されていません。節の分かれ方と見出しを確かめ、質問を試してから公開してください。</p>"#,
        esc(&d.name)
    );
    for w in &d.report.warnings {
        let _ = write!(body, r#"<p class="error">注意: {}</p>"#, esc(&w.message));
    }
    let _ = write!(
        body,
        r#"<h2>質問を試す</h2><form method="get" action="/editor/drafts/{id}" class="filter"><input name="q" value="{}" placeholder="例: 手数料はいくらですか" size="40"><button>試す</button></form>"#,
        esc(question)
    );
    if let Some(r) = result {
        body.push_str(r#"<ol class="results">"#);
        for h in &r.hits {
            let _ = write!(
                body,
                r#"<li><p class="section-label">{}（スコア {:.1}）</p><p class="section-text">{}</p></li>"#,
                esc(&h.label),
                h.score,
                esc(&h.text)
            );
        }
        if r.hits.is_empty() {
            body.push_str("<li>この版では該当する節が見つかりません。</li>");
        }
        body.push_str("</ol>");
    }
    let _ = write!(
        body,
        r#"<h2>公開する</h2><form method="post" action="/editor/drafts/{id}/publish" class="filter">
<label>施行日（空欄なら今すぐ） <input type="date" name="effective"></label><button id="publish">公開</button></form>
<form method="post" action="/editor/drafts/{id}/discard" class="inline"><button class="quiet">破棄</button></form>
<h2>節と見出し（{} 件）</h2>"#,
        chunks.len()
    );
    let mut last = "";
    for h in chunks {
        if h.label != last {
            let _ = write!(body, r#"<h3 class="section-label">{}</h3>"#, esc(&h.label));
            last = &h.label;
        }
        let _ = write!(body, r#"<p class="section-text">{}</p>"#, esc(&h.text));
    }
    layout("マニュアルのプレビュー", Some(account), &body, "")
}

pub fn edit_manual(account: &Account, name: &str, text: &str) -> Html<String> {
    let body = format!(
        r#"{}<p class="muted">現在の版の本文です（元のファイルの書式は復元されず、見出しは節の見出しから作っています）。直してプレビューしてください。</p>
<form method="post" action="/editor/preview" class="stack wide">
<label>ファイル名 <input name="name" value="{}" required></label>
<label>本文 <textarea name="content" rows="24" required>{}</textarea></label>
<button>プレビュー（まだ公開しません）</button></form>"#,
        editor_nav(),
        esc(name),
        esc(text)
    );
    layout("マニュアルの編集", Some(account), &body, "")
}

pub fn edit_map(
    account: &Account,
    which: &str,
    file: &str,
    text: &str,
    errors: &[String],
    notice: Option<&str>,
) -> Html<String> {
    let (title, help) = if which == "synonyms" {
        (
            "同義語ファイル",
            "1行に1組。「住民票, じゅうみんひょう, 住票」のように、最初の語に揃えたい言い方をカンマで並べます。# で始まる行はメモです。",
        )
    } else {
        (
            "関連手続の対応表",
            "「転入 => 国民健康保険の加入, 児童手当」のように、きっかけの語と、あわせて案内する手続を書きます。",
        )
    };
    let mut body = notice_html(notice);
    body.push_str(editor_nav());
    for e in errors {
        let _ = write!(body, r#"<p class="error" role="alert">{}</p>"#, esc(e));
    }
    if !errors.is_empty() {
        body.push_str(r#"<p class="error">読めない行があるため保存していません。直してからもう一度保存してください。</p>"#);
    }
    let _ = write!(
        body,
        r#"<p class="muted">{help}（{file}）</p><form method="post" action="/editor/maps/{which}" class="stack wide"><textarea name="content" rows="24">{}</textarea><button id="save">保存</button></form>"#,
        esc(text)
    );
    layout(title, Some(account), &body, "")
}

pub fn admin(
    account: &Account,
    accounts: &[Account],
    counters: &[Arc<CounterHandle>],
    retention_days: u32,
    notice: Option<&str>,
) -> Html<String> {
    let mut body = notice
        .map(|n| format!(r#"<p class="notice" role="status">{}</p>"#, esc(n)))
        .unwrap_or_default();
    body.push_str("<h2>アカウント</h2><table><thead><tr><th>ユーザー名</th><th>役割</th><th>部署</th><th>窓口</th></tr></thead><tbody>");
    for a in accounts {
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&a.name),
            a.role.japanese(),
            esc(&a.department),
            esc(&a.counters.join("、"))
        );
    }
    body.push_str(r#"</tbody></table><h3>アカウントの追加・変更</h3><form method="post" action="/admin/accounts" class="stack">
<label>ユーザー名 <input name="name" required></label>
<label>役割 <select name="role"><option value="clerk">窓口職員</option><option value="supervisor">監督者</option><option value="editor">マニュアル編集者</option><option value="admin">管理者</option></select></label>
<label>部署 <input name="department"></label>
<label>窓口（カンマ区切り） <input name="counters"></label>
<label>パスワード（変更しないときは空欄） <input name="password" type="password" autocomplete="new-password"></label>
<button>保存</button></form><h2>窓口</h2><ul>"#);
    for c in counters {
        let _ = write!(
            body,
            "<li>{}（部署: {}）</li>",
            esc(&counter_name(c)),
            esc(&c.department)
        );
    }
    let _ = write!(
        body,
        r#"</ul><h3>窓口の追加</h3><form method="post" action="/admin/counters" class="stack">
<label>窓口ID（半角英数字） <input name="id" required></label>
<label>名前 <input name="name" placeholder="例: 住民票 1番窓口"></label>
<label>部署 <input name="department"></label>
<button>追加してトークンを発行</button></form>
<h2>保存期間</h2><p>応対の記録・評価・閲覧記録は {retention_days} 日で削除されます（毎日自動）。</p>
<form method="post" action="/admin/retention" class="filter"><label>保存期間（日） <input name="days" type="number" min="1" max="3650" value="{retention_days}"></label><button>変更</button></form>
<form method="post" action="/admin/purge"><button>今すぐ期限切れの記録を削除</button></form>"#
    );
    layout("管理", Some(account), &body, "")
}
