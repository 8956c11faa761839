//! Reading manuals: bytes → text (encoding detection) → a flat list of
//! headings and text lines, whatever the format. [`crate::structure`] turns
//! those lines into labelled sections and chunks.

use std::io::Read;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Largest manual file accepted (bytes).
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

/// Supported manual formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Text,
    Html,
    Docx,
    Pdf,
}

impl Format {
    /// The format for a file name, by extension; `None` when it is not a
    /// manual format.
    pub fn from_name(name: &str) -> Option<Format> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "md" | "markdown" => Format::Markdown,
            "txt" | "text" => Format::Text,
            "html" | "htm" => Format::Html,
            "docx" => Format::Docx,
            "pdf" => Format::Pdf,
            _ => return None,
        })
    }
}

/// One line of a manual after format parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// An explicit heading (Markdown `#`, HTML `<h2>`, a DOCX heading style).
    Heading { level: u8, text: String },
    /// Body text. `attach` glues it to the line before (a nested list item, a
    /// table row after the first) so chunking never separates them.
    Text { text: String, attach: bool },
}

/// A manual read into lines.
#[derive(Debug, Clone, Default)]
pub struct RawDoc {
    pub title: Option<String>,
    /// `YYYY-MM-DD` from front matter (`施行日:` or `effective:`), if any.
    pub effective: Option<String>,
    pub lines: Vec<Line>,
    /// Notes for the editor (e.g. "converted from Shift_JIS").
    pub notes: Vec<String>,
}

/// Why a manual could not be read. Messages are for the knowledge editor.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    #[error("ファイルが空です")]
    Empty,
    #[error("ファイルが大きすぎます（{size} バイト、上限 {limit} バイト）。分割してください")]
    TooLarge { size: u64, limit: u64 },
    #[error("文字コードを判別できません（UTF-8・Shift_JIS・EUC-JP のいずれでもありません）。UTF-8 で保存し直してください")]
    Encoding,
    #[error(
        "テキストではなくバイナリのようです。Markdown・テキスト・HTML・DOCX・PDF で保存してください"
    )]
    Binary,
    #[error("PDF として読めません（{0}）。Word・テキスト・Markdown 形式で保存し直してください")]
    Pdf(String),
    #[error("PDF から文字を取り出せません（画像だけの PDF かもしれません）。文字を含む PDF か、Word・テキスト形式で保存し直してください")]
    PdfNoText,
    #[error("DOCX として読めません（{0}）。Word で開いて保存し直してください")]
    Docx(String),
    #[error("本文が見つかりません（見出しや文章がありません）")]
    NoText,
}

/// Decodes manual bytes: UTF-8 (with or without BOM), UTF-16 with BOM,
/// Shift_JIS (CP932) or EUC-JP. Returns the text and, when it was converted,
/// the encoding it came from.
pub fn decode(bytes: &[u8]) -> Result<(String, Option<&'static str>), ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            return Err(ReadError::Encoding);
        }
        let from = (enc != encoding_rs::UTF_8).then_some(enc.name());
        return Ok((text.into_owned(), from));
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        if s.contains('\0') {
            return Err(ReadError::Binary);
        }
        return Ok((s.to_owned(), None));
    }
    if bytes.contains(&0) {
        return Err(ReadError::Binary);
    }
    // Legacy Japanese encodings: take the one that decodes without errors and
    // reads most like Japanese (kana are common in any Japanese text).
    let mut best: Option<(usize, String, &'static str)> = None;
    for enc in [encoding_rs::SHIFT_JIS, encoding_rs::EUC_JP] {
        let (text, _, had_errors) = enc.decode(bytes);
        if had_errors {
            continue;
        }
        let score = text
            .chars()
            .filter(|c| matches!(c, 'ぁ'..='ゖ' | 'ァ'..='ヺ' | '。' | '、'))
            .count();
        if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
            best = Some((score, text.into_owned(), enc.name()));
        }
    }
    match best {
        Some((_, text, name)) => Ok((text, Some(name))),
        None => Err(ReadError::Encoding),
    }
}

/// Reads a manual of `format` from its bytes.
pub fn read(bytes: &[u8], format: Format) -> Result<RawDoc, ReadError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    let mut doc = match format {
        Format::Pdf => read_pdf(bytes)?,
        Format::Docx => read_docx(bytes)?,
        Format::Markdown | Format::Text | Format::Html => {
            let (text, from) = decode(bytes)?;
            let (front, body) = split_front_matter(&text);
            let mut doc = match format {
                Format::Markdown => read_markdown(body),
                Format::Html => read_html(body),
                _ => read_text(body),
            };
            if let Some(enc) = from {
                doc.notes.push(format!(
                    "文字コード {enc} から UTF-8 に変換して取り込みました"
                ));
            }
            for (k, v) in front {
                match k.as_str() {
                    "title" | "タイトル" | "表題" => doc.title = Some(v),
                    "effective" | "施行日" | "効力発生日" => doc.effective = Some(v),
                    _ => {}
                }
            }
            doc
        }
    };
    doc.lines.retain(|l| match l {
        Line::Heading { text, .. } | Line::Text { text, .. } => !text.trim().is_empty(),
    });
    if doc.lines.is_empty() {
        return Err(ReadError::NoText);
    }
    if let Some(t) = &mut doc.title {
        *t = t.trim().to_owned();
    }
    Ok(doc)
}

/// `---\nkey: value\n---` at the very top of a Markdown or text manual.
fn split_front_matter(text: &str) -> (Vec<(String, String)>, &str) {
    let t = text.trim_start_matches('\u{feff}');
    let Some(rest) = t
        .strip_prefix("---\n")
        .or_else(|| t.strip_prefix("---\r\n"))
    else {
        return (Vec::new(), t);
    };
    let Some(end) = rest.find("\n---") else {
        return (Vec::new(), t);
    };
    let header = &rest[..end];
    let body = rest[end + 4..].trim_start_matches(['\r', '\n']);
    let pairs = header
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(':').or_else(|| l.split_once('：'))?;
            Some((
                k.trim().to_lowercase(),
                v.trim().trim_matches('"').to_owned(),
            ))
        })
        .collect();
    (pairs, body)
}

fn heading_level(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn read_markdown(text: &str) -> RawDoc {
    let mut doc = RawDoc::default();
    let mut buf = String::new();
    let mut heading: Option<u8> = None;
    // Depth of list nesting and, per level, the next ordinal (None = bullets).
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut rows_in_table = 0usize;
    let mut in_cell = false;

    let flush_text = |buf: &mut String, doc: &mut RawDoc, lists: &mut Vec<Option<u64>>| {
        let t = std::mem::take(buf);
        if t.trim().is_empty() {
            return;
        }
        if lists.is_empty() {
            for l in t.lines() {
                doc.lines.push(Line::Text {
                    text: l.trim().to_owned(),
                    attach: false,
                });
            }
        } else {
            let depth = lists.len();
            let marker = match lists.last_mut() {
                Some(Some(n)) => {
                    let m = format!("{n}. ");
                    *n += 1;
                    m
                }
                _ => "・".to_owned(),
            };
            let indent = "　".repeat(depth - 1);
            let joined = t.lines().map(str::trim).collect::<Vec<_>>().join(" ");
            doc.lines.push(Line::Text {
                text: format!("{indent}{marker}{joined}"),
                attach: depth > 1,
            });
        }
    };

    for ev in Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match ev {
            Event::Start(Tag::Heading { level, .. }) => {
                flush_text(&mut buf, &mut doc, &mut lists);
                heading = Some(heading_level(level));
            }
            Event::End(TagEnd::Heading(_)) => {
                let level = heading.take().unwrap_or(1);
                let t = std::mem::take(&mut buf).trim().to_owned();
                if level == 1 && doc.title.is_none() && doc.lines.is_empty() {
                    doc.title = Some(t);
                } else {
                    doc.lines.push(Line::Heading { level, text: t });
                }
            }
            Event::Start(Tag::List(start)) => {
                flush_text(&mut buf, &mut doc, &mut lists);
                lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                flush_text(&mut buf, &mut doc, &mut lists);
                lists.pop();
            }
            Event::End(TagEnd::Item) | Event::End(TagEnd::Paragraph) => {
                flush_text(&mut buf, &mut doc, &mut lists)
            }
            Event::Start(Tag::Table(_)) => rows_in_table = 0,
            Event::Start(Tag::TableCell) => in_cell = true,
            Event::End(TagEnd::TableCell) => {
                in_cell = false;
                row.push(std::mem::take(&mut buf).trim().to_owned());
            }
            Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => {
                let cells = std::mem::take(&mut row);
                if cells.iter().any(|c| !c.is_empty()) {
                    doc.lines.push(Line::Text {
                        text: cells.join(" | "),
                        attach: rows_in_table > 0,
                    });
                    rows_in_table += 1;
                }
            }
            Event::End(TagEnd::CodeBlock) => flush_text(&mut buf, &mut doc, &mut lists),
            Event::Text(t) | Event::Code(t) => buf.push_str(&t),
            Event::SoftBreak | Event::HardBreak => {
                if in_cell {
                    buf.push(' ');
                } else {
                    buf.push('\n');
                }
            }
            _ => {}
        }
    }
    flush_text(&mut buf, &mut doc, &mut lists);
    doc
}

fn read_text(text: &str) -> RawDoc {
    let mut doc = RawDoc::default();
    for line in text.lines() {
        let t = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if t.is_empty() {
            continue;
        }
        // The first line names the manual when it is not itself numbered text.
        if doc.title.is_none()
            && doc.lines.is_empty()
            && crate::structure::numbering(t).is_none()
            && !t.ends_with('。')
            && t.chars().count() <= 60
        {
            doc.title = Some(t.to_owned());
            continue;
        }
        doc.lines.push(Line::Text {
            text: t.to_owned(),
            attach: false,
        });
    }
    doc
}

fn read_html(text: &str) -> RawDoc {
    use scraper::{ElementRef, Html, Node};
    let html = Html::parse_document(text);
    let mut doc = RawDoc::default();

    fn text_of(e: ElementRef) -> String {
        let mut s = String::new();
        for t in e.text() {
            s.push_str(t);
        }
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn walk(e: ElementRef, doc: &mut RawDoc) {
        for child in e.children() {
            match child.value() {
                Node::Text(t) => {
                    let s = t.trim();
                    if !s.is_empty() {
                        doc.lines.push(Line::Text {
                            text: s.split_whitespace().collect::<Vec<_>>().join(" "),
                            attach: false,
                        });
                    }
                }
                Node::Element(el) => {
                    let Some(ce) = ElementRef::wrap(child) else {
                        continue;
                    };
                    let name = el.name();
                    match name {
                        "script" | "style" | "noscript" | "template" | "head" | "nav" => {}
                        "title" => {}
                        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                            let level = name[1..].parse().unwrap_or(2);
                            let t = text_of(ce);
                            if level == 1 && doc.title.is_none() && doc.lines.is_empty() {
                                doc.title = Some(t);
                            } else {
                                doc.lines.push(Line::Heading { level, text: t });
                            }
                        }
                        "tr" => {
                            let cells: Vec<String> = ce
                                .children()
                                .filter_map(ElementRef::wrap)
                                .map(text_of)
                                .collect();
                            let attach = matches!(doc.lines.last(), Some(Line::Text { text, .. }) if text.contains(" | "));
                            doc.lines.push(Line::Text {
                                text: cells.join(" | "),
                                attach,
                            });
                        }
                        "li" => {
                            let nested = ce
                                .ancestors()
                                .filter(|a| {
                                    a.value()
                                        .as_element()
                                        .is_some_and(|x| matches!(x.name(), "ul" | "ol"))
                                })
                                .count();
                            doc.lines.push(Line::Text {
                                text: format!(
                                    "{}・{}",
                                    "　".repeat(nested.saturating_sub(1)),
                                    text_of(ce)
                                ),
                                attach: nested > 1,
                            });
                        }
                        "p" | "dt" | "dd" | "pre" | "caption" | "blockquote" | "address" => {
                            for l in ce.text().collect::<String>().lines() {
                                let l = l.split_whitespace().collect::<Vec<_>>().join(" ");
                                doc.lines.push(Line::Text {
                                    text: l,
                                    attach: false,
                                });
                            }
                        }
                        _ => walk(ce, doc),
                    }
                }
                _ => {}
            }
        }
    }

    let title = scraper::Selector::parse("title")
        .ok()
        .and_then(|s| html.select(&s).next().map(text_of))
        .filter(|t| !t.is_empty());
    walk(html.root_element(), &mut doc);
    if doc.title.is_none() {
        doc.title = title;
    }
    doc
}

/// PDF text (pdf-extract), then the plain-text reader: office PDFs carry
/// their structure in 公用文 numbering, which survives as text lines.
fn read_pdf(bytes: &[u8]) -> Result<RawDoc, ReadError> {
    // A hostile or broken file must not take the import down with it.
    let extracted = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes))
        .map_err(|_| ReadError::Pdf("壊れているか、対応していない構造です".into()))?
        .map_err(|e| ReadError::Pdf(e.to_string()))?;
    if extracted.chars().all(char::is_whitespace) {
        return Err(ReadError::PdfNoText);
    }
    Ok(read_text(&extracted))
}

fn read_docx(bytes: &[u8]) -> Result<RawDoc, ReadError> {
    use quick_xml::events::Event as X;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| ReadError::Docx(format!("ZIP ではありません: {e}")))?;
    let mut xml = String::new();
    {
        let mut f = zip
            .by_name("word/document.xml")
            .map_err(|_| ReadError::Docx("word/document.xml がありません".into()))?;
        if f.size() > MAX_FILE_BYTES * 4 {
            return Err(ReadError::TooLarge {
                size: f.size(),
                limit: MAX_FILE_BYTES * 4,
            });
        }
        f.read_to_string(&mut xml)
            .map_err(|e| ReadError::Docx(e.to_string()))?;
    }
    let mut doc = RawDoc::default();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut para = String::new();
    let mut style: Option<String> = None;
    let mut outline: Option<u8> = None;
    let mut in_text = false;
    loop {
        match reader.read_event() {
            Err(e) => return Err(ReadError::Docx(format!("XML: {e}"))),
            Ok(X::Eof) => break,
            Ok(X::Start(e)) | Ok(X::Empty(e)) => {
                let name = e.name();
                let local = name.local_name();
                match local.as_ref() {
                    b"p" => {
                        para.clear();
                        style = None;
                        outline = None;
                    }
                    b"t" => in_text = true,
                    b"tab" => para.push(' '),
                    b"br" => para.push('\n'),
                    b"pStyle" | b"outlineLvl" => {
                        for a in e.attributes().flatten() {
                            if a.key.local_name().as_ref() == b"val" {
                                let v = String::from_utf8_lossy(&a.value).into_owned();
                                if local.as_ref() == b"pStyle" {
                                    style = Some(v);
                                } else {
                                    outline = v.parse::<u8>().ok().map(|n| n + 1);
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            Ok(X::Text(t)) if in_text => {
                let s = t.unescape().map_err(|e| ReadError::Docx(e.to_string()))?;
                para.push_str(&s);
            }
            Ok(X::End(e)) => match e.name().local_name().as_ref() {
                b"t" => in_text = false,
                b"p" => {
                    let text = para.trim().to_owned();
                    let level = outline.or_else(|| style.as_deref().and_then(docx_heading_level));
                    let is_title = style
                        .as_deref()
                        .is_some_and(|s| s.eq_ignore_ascii_case("title"));
                    if text.is_empty() {
                    } else if is_title && doc.title.is_none() {
                        doc.title = Some(text);
                    } else if let Some(level) = level {
                        doc.lines.push(Line::Heading { level, text });
                    } else {
                        for l in text.lines() {
                            doc.lines.push(Line::Text {
                                text: l.trim().to_owned(),
                                attach: false,
                            });
                        }
                    }
                    para.clear();
                }
                _ => {}
            },
            _ => {}
        }
    }
    Ok(doc)
}

/// Heading level from a DOCX paragraph style id: `Heading2`, `heading 2`,
/// `見出し2`, or the bare digits Japanese Word uses as ids.
fn docx_heading_level(style: &str) -> Option<u8> {
    let s = style.to_lowercase();
    let digits = s
        .strip_prefix("heading")
        .or_else(|| s.strip_prefix("見出し"))
        .unwrap_or(&s)
        .trim();
    digits.parse::<u8>().ok().filter(|n| (1..=9).contains(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_shift_jis_and_euc_jp() {
        let text = "住民票の写しの交付手数料は1通300円です。";
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        let (s, from) = decode(&sjis).unwrap();
        assert_eq!(s, text);
        assert_eq!(from, Some("Shift_JIS"));
        let (euc, _, _) = encoding_rs::EUC_JP.encode(text);
        let (s, from) = decode(&euc).unwrap();
        assert_eq!(s, text);
        assert_eq!(from, Some("EUC-JP"));
        let (s, from) = decode(text.as_bytes()).unwrap();
        assert_eq!((s.as_str(), from), (text, None));
    }

    #[test]
    fn rejects_empty_binary_and_undecodable() {
        assert_eq!(decode(b""), Err(ReadError::Empty));
        assert_eq!(decode(b"abc\0def"), Err(ReadError::Binary));
        assert_eq!(
            decode(&[0xff, 0xfe, 0xfd, 0x80, 0x81][2..]),
            Err(ReadError::Encoding)
        );
        assert!(matches!(
            read(b"%PDF-1.4", Format::Pdf),
            Err(ReadError::Pdf(_))
        ));
        assert!(matches!(
            read(b"not a zip", Format::Docx),
            Err(ReadError::Docx(_))
        ));
        assert_eq!(
            read(b"\n\n   \n", Format::Text).unwrap_err(),
            ReadError::NoText
        );
    }

    #[test]
    fn markdown_headings_lists_tables_front_matter() {
        let md = "---\n施行日: 2027-04-01\n---\n# 住民票の写し\n\n## 第1 概要\n\n本文です。\n次の行。\n\n- 本人\n  - 同一世帯の人\n\n| 種類 | 手数料 |\n|---|---|\n| 写し | 300円 |\n";
        let doc = read(md.as_bytes(), Format::Markdown).unwrap();
        assert_eq!(doc.title.as_deref(), Some("住民票の写し"));
        assert_eq!(doc.effective.as_deref(), Some("2027-04-01"));
        let t = |s: &str, attach| Line::Text {
            text: s.into(),
            attach,
        };
        assert_eq!(
            doc.lines,
            vec![
                Line::Heading {
                    level: 2,
                    text: "第1 概要".into()
                },
                t("本文です。", false),
                t("次の行。", false),
                t("・本人", false),
                t("　・同一世帯の人", true),
                t("種類 | 手数料", false),
                t("写し | 300円", true),
            ]
        );
    }

    #[test]
    fn html_structure() {
        let html = "<html><head><title>印鑑登録</title><style>p{}</style></head><body><h2>1 登録</h2><p>本人が申請します。</p><ul><li>運転免許証</li></ul><table><tr><th>種類</th><th>手数料</th></tr><tr><td>証明書</td><td>300円</td></tr></table><script>alert(1)</script></body></html>";
        let doc = read(html.as_bytes(), Format::Html).unwrap();
        assert_eq!(doc.title.as_deref(), Some("印鑑登録"));
        assert_eq!(
            doc.lines[0],
            Line::Heading {
                level: 2,
                text: "1 登録".into()
            }
        );
        let all: Vec<String> = doc.lines.iter().map(|l| format!("{l:?}")).collect();
        assert!(all.iter().any(|l| l.contains("証明書 | 300円")));
        assert!(!all.iter().any(|l| l.contains("alert")));
    }

    #[test]
    fn docx_paragraphs_and_headings() {
        use std::io::Write;
        let body = r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>児童手当</w:t></w:r></w:p><w:p><w:pPr><w:pStyle w:val="1"/></w:pPr><w:r><w:t>第1 支給対象</w:t></w:r></w:p><w:p><w:r><w:t>高校生年代まで</w:t></w:r><w:r><w:t>の児童を養育する方。</w:t></w:r></w:p></w:body></w:document>"#;
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            z.start_file(
                "word/document.xml",
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            z.write_all(body.as_bytes()).unwrap();
            z.finish().unwrap();
        }
        let doc = read(buf.get_ref(), Format::Docx).unwrap();
        assert_eq!(doc.title.as_deref(), Some("児童手当"));
        assert_eq!(
            doc.lines,
            vec![
                Line::Heading {
                    level: 1,
                    text: "第1 支給対象".into()
                },
                Line::Text {
                    text: "高校生年代までの児童を養育する方。".into(),
                    attach: false
                },
            ]
        );
    }
}
