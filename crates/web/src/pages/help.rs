//! The user guide (利用者ガイド) under `/help`: the Markdown pages of `docs/guide/`, embedded at
//! build time and rendered with pulldown-cmark, with the browser test's screenshots. Readable
//! without signing in (the guide explains signing in). Raw HTML in a page is shown as text, never
//! passed through; relative links and images are resolved under `/help/`.

use askama::Template;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};

use super::*;
use crate::session::{Viewer, preferences};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/guide.rs"));
}
pub use embedded::{PAGES, SCREENSHOTS};

/// The order of the guide's contents: the start, one page per role, then the topics; a page not
/// named here follows in name order.
const ORDER: [&str; 13] = [
    "index",
    "ministry",
    "cabinet-office",
    "hq",
    "fiscal",
    "amed-pd",
    "administrator",
    "template",
    "checks",
    "fund",
    "pdca",
    "glossary",
    "accessibility",
];

#[derive(Template)]
#[template(path = "help.html")]
struct HelpPage {
    c: Chrome,
    name: String,
    title: String,
    body: String,
    pages: Vec<(&'static str, String)>,
}

/// Where a link or image inside the guide points: relative ones under `/help/`; only `http`,
/// `https` and `mailto` beyond the site (anything else, `javascript:` and `data:` among them,
/// goes nowhere).
fn resolve(dest: CowStr<'_>) -> CowStr<'_> {
    let s = dest.as_ref();
    if let Some((scheme, _)) = s.split_once(':')
        && !scheme.contains(['/', '?', '#'])
    {
        if ["http", "https", "mailto"].contains(&scheme.to_ascii_lowercase().as_str()) {
            dest
        } else {
            CowStr::from("#")
        }
    } else if s.starts_with('/') || s.starts_with('#') {
        dest
    } else {
        CowStr::from(format!("/help/{}", s.trim_start_matches("./").trim_end_matches(".md")))
    }
}

/// A page's Markdown as HTML, and its title (the first heading).
pub fn to_html(markdown: &str) -> (String, String) {
    let mut title = String::new();
    let mut in_title = false;
    let events = Parser::new_ext(markdown, Options::ENABLE_TABLES).map(|e| match e {
        Event::Start(Tag::Heading { level: pulldown_cmark::HeadingLevel::H1, .. }) if title.is_empty() => {
            in_title = true;
            e
        }
        Event::End(pulldown_cmark::TagEnd::Heading(pulldown_cmark::HeadingLevel::H1)) => {
            in_title = false;
            e
        }
        Event::Text(ref t) if in_title => {
            title.push_str(t);
            e
        }
        // Raw HTML is shown as the text it is.
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Link { link_type, dest_url: resolve(dest_url), title, id })
        }
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Image { link_type, dest_url: resolve(dest_url), title, id })
        }
        e => e,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    (html, title)
}

fn chrome(v: Result<Viewer, Response>, headers: &HeaderMap, here: String) -> Chrome {
    match v {
        Ok(v) => Chrome::of(&v, here),
        Err(_) => {
            let (lang, unit) = preferences(headers);
            Chrome { lang, unit, user: None, here }
        }
    }
}

fn show(name: &str, c: Chrome) -> Response {
    let Some((_, md)) = PAGES.iter().find(|(n, _)| *n == name) else {
        return (StatusCode::NOT_FOUND, "ページがありません / no such page").into_response();
    };
    let (body, title) = to_html(md);
    let mut pages: Vec<(&'static str, String)> = PAGES
        .iter()
        .map(|(n, md)| (*n, md.lines().find_map(|l| l.strip_prefix("# ")).unwrap_or(n).to_string()))
        .collect();
    pages.sort_by_key(|(n, _)| (ORDER.iter().position(|o| o == n).unwrap_or(ORDER.len()), *n));
    render(&HelpPage { c, name: name.to_string(), title, body, pages })
}

pub(super) async fn index(v: Result<Viewer, Response>, headers: HeaderMap) -> Response {
    show("index", chrome(v, &headers, "/help".into()))
}

pub(super) async fn page(v: Result<Viewer, Response>, headers: HeaderMap, Path(name): Path<String>) -> Response {
    show(&name, chrome(v, &headers, format!("/help/{name}")))
}

pub(super) async fn screenshot(Path(file): Path<String>) -> Response {
    let stem = file.strip_suffix(".png").unwrap_or("");
    match SCREENSHOTS.iter().find(|(n, _)| *n == stem) {
        Some((_, png)) => {
            ([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "public, max-age=3600")], *png)
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, "画像がありません / no such image").into_response(),
    }
}
