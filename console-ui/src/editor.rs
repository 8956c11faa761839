//! The knowledge editors' pages: upload or edit a manual, preview how it is
//! split and labelled, try a question against the unpublished version,
//! publish now or on an effective date, withdraw; edit the synonym file and
//! the related-procedures map.
//!
//! An unpublished manual is a draft: its text and a scratch knowledge base
//! holding only it, under `<data>/.drafts/<id>/`. Nothing in a draft is
//! visible to counters until it is published into the real knowledge base.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Extension;
use madoguchi_knowledge::{
    parse_date, FileOutcome, ImportOptions, ImportReport, KnowledgeBase, SearchResult, Source,
};
use serde::Deserialize;

use crate::app::{blocking, internal, store, ApiError, AppState, ErrorCode};
use crate::pages;
use crate::store::Account;

/// Manuals an editor may write here (binary formats go through
/// `madoguchi knowledge import`).
const EDITABLE: [&str; 3] = [".md", ".txt", ".html"];

/// Drafts kept at once (each holds a scratch index on disk).
const MAX_DRAFTS: usize = 20;

/// Largest manual accepted from the page.
const MAX_MANUAL_BYTES: usize = 2 * 1024 * 1024;

/// An unpublished manual.
pub struct Draft {
    pub name: String,
    pub content: String,
    pub kb: Arc<KnowledgeBase>,
    pub report: ImportReport,
    dir: PathBuf,
    created: std::time::Instant,
}

impl Drop for Draft {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The drafts in progress, by id.
#[derive(Default)]
pub struct Drafts(Mutex<HashMap<String, Arc<Draft>>>);

impl Drafts {
    fn get(&self, id: &str) -> Option<Arc<Draft>> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }

    /// Keeps at most [`MAX_DRAFTS`]; beyond that the oldest goes.
    fn insert(&self, id: String, d: Draft) {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        while m.len() >= MAX_DRAFTS {
            let Some(oldest) = m
                .iter()
                .min_by_key(|(_, d)| d.created)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            m.remove(&oldest);
        }
        m.insert(id, Arc::new(d));
    }

    fn remove(&self, id: &str) -> Option<Arc<Draft>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(id)
    }
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::BadRequest).detail(msg)
}

/// Records an editor's change in the audit trail. The change is done by
/// then, so a store failure is counted and logged, not shown.
async fn audit(st: &AppState, who: &str, action: &'static str, target: &str) {
    let (who, target) = (who.to_owned(), target.to_owned());
    let _ = store(st, move |s| s.audit(&who, action, &target)).await;
}

/// A manual's file name: one plain name with an editable extension.
pub fn valid_manual_name(name: &str) -> Result<&str, ApiError> {
    let n = name.trim();
    let plain = !n.is_empty()
        && n.chars().count() <= 100
        && !n.starts_with('.')
        && !n.contains(['/', '\\', ':', '\0'])
        && !n.contains("..");
    if !plain {
        return Err(bad(
            "ファイル名は「01_juminhyo.md」のような名前だけにしてください（フォルダや .. は使えません）。",
        ));
    }
    if !EDITABLE.iter().any(|e| n.to_lowercase().ends_with(e)) {
        return Err(bad(
            "ここで扱えるのは .md .txt .html のマニュアルです（DOCX・PDF は knowledge import で取り込んでください）。",
        ));
    }
    Ok(n)
}

/// The editor's home: manuals, versions, and the upload form.
pub async fn home(
    State(st): State<AppState>,
    Extension(account): Extension<Account>,
) -> Result<Html<String>, ApiError> {
    page_with(&st, &account, None).await
}

async fn page_with(
    st: &AppState,
    account: &Account,
    notice: Option<&str>,
) -> Result<Html<String>, ApiError> {
    let kb = st.kb.clone();
    let cat = blocking(move || kb.catalog().map_err(internal)).await?;
    Ok(pages::editor(account, &cat, notice))
}

#[derive(Deserialize)]
pub struct UploadForm {
    name: String,
    content: String,
}

/// Previews an uploaded or edited manual: imports it into a scratch
/// knowledge base of its own and shows its sections.
pub async fn preview(
    State(st): State<AppState>,
    Extension(account): Extension<Account>,
    Form(f): Form<UploadForm>,
) -> Result<Response, ApiError> {
    let name = valid_manual_name(&f.name)?.to_owned();
    if f.content.trim().is_empty() {
        return Err(bad("マニュアルの本文が空です。"));
    }
    if f.content.len() > MAX_MANUAL_BYTES {
        return Err(bad(
            "マニュアルが大きすぎます（2 MB まで）。分けて登録してください。",
        ));
    }
    let id = crate::auth::new_token()[..16].to_owned();
    let dir = st.kb.dir().join(".drafts").join(&id);
    let analyzer = st.kb.analyzer().clone();
    let content = f.content.replace("\r\n", "\n");
    let draft = {
        let (name, content, dir) = (name.clone(), content.clone(), dir.clone());
        blocking(move || {
            let kb = KnowledgeBase::open(&dir, analyzer).map_err(internal)?;
            let report = kb
                .import_files(
                    vec![(name.clone(), Source::Bytes(content.clone().into_bytes()))],
                    &ImportOptions::default(),
                    ImportReport::default(),
                )
                .map_err(internal)?;
            Ok(Draft {
                name,
                content,
                kb: Arc::new(kb),
                report,
                dir,
                created: std::time::Instant::now(),
            })
        })
        .await?
    };
    if let Some(FileOutcome::Failed { reason } | FileOutcome::Skipped { reason }) =
        draft.report.files.first().map(|f| f.outcome.clone())
    {
        return Err(bad(format!("このマニュアルは読めませんでした: {reason}")));
    }
    tracing::info!(account = %account.name, document = %name, "manual draft previewed");
    st.drafts.insert(id.clone(), draft);
    Ok(Redirect::to(&format!("/editor/drafts/{id}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TryQuery {
    q: String,
}

/// A draft: its sections and labels, and a question tried against it.
pub async fn draft_page(
    State(st): State<AppState>,
    Extension(account): Extension<Account>,
    Path(id): Path<String>,
    Query(t): Query<TryQuery>,
) -> Result<Html<String>, ApiError> {
    let d = st.drafts.get(&id).ok_or_else(|| {
        ApiError::new(ErrorCode::NotFound)
            .detail("その下書きはありません（公開済みか破棄されました）。")
    })?;
    let d2 = d.clone();
    let q = t.q.trim().to_owned();
    let (chunks, result) = blocking(move || {
        let cat = d2.kb.catalog().map_err(internal)?;
        let version = cat
            .documents
            .get(&d2.name)
            .and_then(|e| e.versions.last())
            .map(|v| v.version.clone())
            .unwrap_or_default();
        let chunks = d2.kb.version_chunks(&d2.name, &version).map_err(internal)?;
        let result: Option<SearchResult> = if q.is_empty() {
            None
        } else {
            Some(d2.kb.search(&q, 3).map_err(internal)?)
        };
        Ok((chunks, result))
    })
    .await?;
    Ok(pages::draft(
        &account,
        &id,
        &d,
        &chunks,
        &t.q,
        result.as_ref(),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PublishForm {
    /// YYYY-MM-DD; empty: now.
    effective: String,
}

/// Publishes a draft into the real knowledge base, now or on a date.
pub async fn publish(
    State(st): State<AppState>,
    Extension(account): Extension<Account>,
    Path(id): Path<String>,
    Form(f): Form<PublishForm>,
) -> Result<Html<String>, ApiError> {
    let effective = match f.effective.trim() {
        "" => None,
        s => Some(parse_date(s).map_err(|_| bad("施行日は 2027-04-01 の形で入力してください。"))?),
    };
    let d = st
        .drafts
        .remove(&id)
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound).detail("その下書きはありません。"))?;
    let kb = st.kb.clone();
    let (name, content) = (d.name.clone(), d.content.clone());
    let report = blocking(move || {
        kb.import_files(
            vec![(name, Source::Bytes(content.into_bytes()))],
            &ImportOptions { effective },
            ImportReport::default(),
        )
        .map_err(internal)
    })
    .await?;
    drop(d);
    refresh_glossary(&st).await;
    let doc = report.files.first().map_or("", |f| f.file.as_str());
    audit(&st, &account.name, "publish", doc).await;
    let notice = match report.files.first().map(|f| &f.outcome) {
        Some(FileOutcome::New { version } | FileOutcome::Updated { version }) => match effective {
            Some(d) => format!("版 {version} を登録しました。{d} から検索に使われます。"),
            None => format!("版 {version} を公開しました。次の検索から使われます。"),
        },
        Some(FileOutcome::Unchanged) => {
            "内容が公開中の版と同じため、新しい版は作りませんでした。".into()
        }
        Some(FileOutcome::Failed { reason } | FileOutcome::Skipped { reason }) => {
            return Err(bad(format!("公開できませんでした: {reason}")))
        }
        _ => "公開しました。".into(),
    };
    tracing::info!(account = %account.name, "manual published");
    page_with(&st, &account, Some(&notice)).await
}

pub async fn discard(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Redirect, ApiError> {
    st.drafts.remove(&id);
    Ok(Redirect::to("/editor"))
}

#[derive(Deserialize)]
pub struct DocumentForm {
    document: String,
}

/// Takes a manual out of search at once (its versions stay citable).
pub async fn withdraw(
    State(st): State<AppState>,
    Extension(account): Extension<Account>,
    Form(f): Form<DocumentForm>,
) -> Result<Html<String>, ApiError> {
    let kb = st.kb.clone();
    let doc = f.document.clone();
    blocking(move || {
        kb.withdraw(&doc)
            .map_err(|_| ApiError::new(ErrorCode::NotFound).detail("そのマニュアルはありません。"))
    })
    .await?;
    refresh_glossary(&st).await;
    audit(&st, &account.name, "withdraw", &f.document).await;
    page_with(
        &st,
        &account,
        Some(&format!(
            "「{}」を取り下げました。検索には出ません（引用された版は読めます）。",
            f.document
        )),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditQuery {
    document: String,
}

/// The text of a manual's newest version, to edit and preview again. The
/// original file's formatting is not kept; headings come from the labels.
pub async fn edit(
    State(st): State<AppState>,
    Extension(account): Extension<Account>,
    Query(q): Query<EditQuery>,
) -> Result<Html<String>, ApiError> {
    let kb = st.kb.clone();
    let doc = q.document.clone();
    let text = blocking(move || {
        let cat = kb.catalog().map_err(internal)?;
        let version = cat
            .documents
            .get(&doc)
            .and_then(|d| d.versions.last())
            .map(|v| v.version.clone())
            .ok_or_else(|| {
                ApiError::new(ErrorCode::NotFound).detail("そのマニュアルはありません。")
            })?;
        let chunks = kb.version_chunks(&doc, &version).map_err(internal)?;
        let mut out = chunks
            .first()
            .map(|c| format!("# {}\n\n", c.title))
            .unwrap_or_default();
        let mut last: Vec<&str> = Vec::new();
        for c in &chunks {
            let parts: Vec<&str> = c.label.split(" > ").collect();
            let same = parts.iter().zip(&last).take_while(|(a, b)| a == b).count();
            for (depth, p) in parts.iter().enumerate().skip(same) {
                out.push_str(&format!("\n{} {p}\n\n", "#".repeat(depth + 2)));
            }
            out.push_str(c.text.trim());
            out.push('\n');
            last = parts;
        }
        Ok(out.trim_start().to_owned())
    })
    .await?;
    let name = if q.document.to_lowercase().ends_with(".txt")
        || q.document.to_lowercase().ends_with(".md")
    {
        q.document.clone()
    } else {
        format!(
            "{}.md",
            q.document
                .rsplit_once('.')
                .map_or(q.document.as_str(), |(b, _)| b)
        )
    };
    Ok(pages::edit_manual(&account, &name, &text))
}

/// Which editors' map: the synonym file or the related-procedures map.
fn map_file(which: &str) -> Result<&'static str, ApiError> {
    match which {
        "synonyms" => Ok("synonyms.txt"),
        "related" => Ok("related.txt"),
        _ => Err(ApiError::new(ErrorCode::NotFound)),
    }
}

pub async fn map_page(
    State(st): State<AppState>,
    Extension(account): Extension<Account>,
    Path(which): Path<String>,
) -> Result<Html<String>, ApiError> {
    let file = map_file(&which)?;
    let path = st.kb.dir().join(file);
    let text = tokio::fs::read_to_string(&path).await.unwrap_or_default();
    Ok(pages::edit_map(&account, &which, file, &text, &[], None))
}

#[derive(Deserialize)]
pub struct MapForm {
    content: String,
}

/// Saves the synonym file or the related map; a line that cannot be read
/// stops the save and is shown with its number.
pub async fn save_map(
    State(st): State<AppState>,
    Extension(account): Extension<Account>,
    Path(which): Path<String>,
    Form(f): Form<MapForm>,
) -> Result<Response, ApiError> {
    let file = map_file(&which)?;
    let text = f.content.replace("\r\n", "\n");
    if text.len() > MAX_MANUAL_BYTES {
        return Err(bad("ファイルが大きすぎます（2 MB まで）。"));
    }
    let errors: Vec<String> = if file == "synonyms.txt" {
        madoguchi_knowledge::synonyms::Synonyms::parse(&text)
            .1
            .iter()
            .map(ToString::to_string)
            .collect()
    } else {
        madoguchi_knowledge::related::Related::parse(&text)
            .1
            .iter()
            .map(ToString::to_string)
            .collect()
    };
    if !errors.is_empty() {
        return Ok((
            axum::http::StatusCode::BAD_REQUEST,
            pages::edit_map(&account, &which, file, &text, &errors, None),
        )
            .into_response());
    }
    let kb = st.kb.clone();
    let t2 = text.clone();
    blocking(move || {
        kb.import_files(
            vec![(file.to_owned(), Source::Bytes(t2.into_bytes()))],
            &ImportOptions::default(),
            ImportReport::default(),
        )
        .map_err(internal)
    })
    .await?;
    refresh_glossary(&st).await;
    audit(&st, &account.name, "save_map", file).await;
    Ok(pages::edit_map(
        &account,
        &which,
        file,
        &text,
        &[],
        Some("保存しました。次の検索から使われます。"),
    )
    .into_response())
}

/// Sends the counters the glossary as it is now (whisper's prompt follows
/// the manuals).
async fn refresh_glossary(st: &AppState) {
    let kb = st.kb.clone();
    // A failure is logged by `internal`; the counters keep the old glossary.
    if let Ok(g) = blocking(move || kb.glossary().map_err(internal)).await {
        let _ = st.hub.glossary.send(Arc::new(g));
    }
}
