//! Compilations rendered for people (text tables in 百万円) and for tools (CSV in yen).

use std::fmt::Write;

use haibun_domain::compile::{Amounts, Compilation, KeyRow, NONE, UNASSIGNED};
use haibun_domain::money::group_thousands;
use haibun_domain::policy::Kind;
use haibun_domain::{Policy, Unit, Yen};
use unicode_width::UnicodeWidthStr;

/// Pads to a display width (CJK characters count two).
pub fn pad(s: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

fn million(y: Yen) -> String {
    group_thousands(y.round_to(Unit::MillionYen))
}

/// Change against the prior year in per mille, rounded half up; `None` when there was no prior budget.
fn ratio(a: &Amounts) -> String {
    let (p, r) = (i128::from(a.prior_year.get()), i128::from(a.request.get()));
    if p == 0 {
        return "—".into();
    }
    let permille = (r * 2000 / p + 1) / 2;
    format!("{}.{}%", permille / 10, permille % 10)
}

fn label(policy: &Policy, kind: Kind, key: &str) -> String {
    match key {
        NONE => "（統合プロジェクト外）".into(),
        UNASSIGNED => "（未設定）".into(),
        k => policy.label_ja(kind, k).to_string(),
    }
}

fn table(out: &mut String, title: &str, rows: &[KeyRow], kind: Kind, policy: &Policy, total: &Amounts) {
    let _ = writeln!(out, "\n■ {title}");
    let _ = writeln!(
        out,
        "  {}{}{:>14}{:>14}{:>12}{:>10}",
        pad("コード", 16),
        pad("名称", 30),
        "前年度",
        "要求額",
        "増減",
        "前年度比"
    );
    let all = rows.iter().map(|r| (r.key.as_str(), r.amounts)).chain(std::iter::once(("合計", *total)));
    for (key, a) in all {
        let name = if key == "合計" { "合計 / total".to_string() } else { label(policy, kind, key) };
        let diff = Yen(a.request.get() - a.prior_year.get());
        let _ = writeln!(
            out,
            "  {}{}{:>14}{:>14}{:>12}{:>10}",
            pad(if key == "合計" { "" } else { key }, 16),
            pad(&name, 30),
            million(a.prior_year),
            million(a.request),
            million(diff),
            ratio(&a)
        );
    }
}

/// A readable report of the compilation, amounts in 百万円.
pub fn compilation_text(c: &Compilation, policy: &Policy) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} 医療分野の研究開発関連予算 取りまとめ（{:?}）/ compilation of medical R&D budget requests",
        c.fiscal_year, c.stage
    );
    let _ = writeln!(
        out,
        "事業数/lines: {}　前年度予算額/prior year: {} 百万円　要求額/requested: {} 百万円",
        c.lines,
        million(c.total.prior_year),
        million(c.total.request)
    );
    table(&mut out, "府省別 / by ministry", &c.by_ministry, Kind::Ministry, policy, &c.total);
    table(&mut out, "統合プロジェクト別 / by integrated project", &c.by_project, Kind::Project, policy, &c.total);
    table(&mut out, "区分別 / by budget channel", &c.by_channel, Kind::Channel, policy, &c.total);
    table(
        &mut out,
        "疾患領域別（割合で按分）/ by disease area (apportioned by share)",
        &c.by_disease_area,
        Kind::DiseaseArea,
        policy,
        &c.total,
    );
    table(
        &mut out,
        "開発目的別（割合で按分）/ by development purpose (apportioned by share)",
        &c.by_purpose,
        Kind::Purpose,
        policy,
        &c.total,
    );
    let _ = writeln!(
        out,
        "\n単位: 百万円。各欄は円単位の正確な額を百万円未満四捨五入して表示しているため、内訳の和が合計と一致しない場合があります。\nAmounts in millions of yen, each rounded half up from exact yen; parts may not add up to the printed total."
    );
    out
}

/// Every version of a line, and what changed from the one before.
pub fn history_text(history: &[haibun_service::StoredLine], policy: &Policy) -> String {
    let mut out = String::new();
    let mut prev: Option<Vec<(haibun_domain::line::Field, String)>> = None;
    for h in history {
        let cells = haibun_domain::line::to_cells(&h.line, policy, Unit::Yen);
        let _ = writeln!(out, "版/version {} — {} {}", h.version, h.updated_at, h.updated_by);
        match &prev {
            None => {
                for (f, v) in &cells {
                    let _ = writeln!(out, "    {}: {v}", f.header_ja());
                }
            }
            Some(before) => {
                for ((f, old), (_, new)) in before.iter().zip(&cells) {
                    if old != new {
                        let _ = writeln!(out, "    {}: {old} → {new}", f.header_ja());
                    }
                }
            }
        }
        prev = Some(cells);
    }
    out
}
