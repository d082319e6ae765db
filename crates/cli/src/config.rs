//! Configuration from an optional `haibun.toml`, beneath flags and environment variables: a
//! flag wins over its environment variable (clap decides that), and either wins over the file;
//! what none of them sets keeps its default. `haibun config show` prints the effective values,
//! each with where it came from, a database password masked.

use std::path::{Path, PathBuf};

use clap::ArgMatches;
use clap::parser::ValueSource;
use haibun_domain::problem::{Location, Problem, ProblemCode};
use haibun_service::ServiceError;
use serde::Deserialize;

use crate::cli::{Cli, Command, LogFormat, args};
use crate::output::{CliError, invalid};

/// The file read when `--config` is not given, if it exists in the working folder.
pub const DEFAULT_FILE: &str = "haibun.toml";

/// What `haibun.toml` may set.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database: Option<String>,
    log_format: Option<String>,
    addr: Option<std::net::SocketAddr>,
    max_file_mib: Option<u32>,
    max_unpacked_mib: Option<u32>,
    max_rows: Option<u32>,
    max_cell_chars: Option<u32>,
    trusted_proxies: Option<Vec<std::net::IpAddr>>,
    opendata_licence: Option<String>,
    opendata_licence_title: Option<String>,
    opendata_licence_url: Option<String>,
    opendata_publisher: Option<String>,
}

/// One effective setting: its name, value (secrets masked) and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The key, as `haibun.toml` spells it.
    pub key: &'static str,
    /// The value in force.
    pub value: String,
    /// `flag`, `env`, the file's path, or `default`.
    pub source: String,
}

fn bad(file: &Path, key: Option<&str>, ja: String, en: String) -> CliError {
    let at = Location { field: key.map(str::to_string), ..Location::file(file.display().to_string()) };
    ServiceError::Invalid(vec![Problem::new(ProblemCode::InvalidArgument, at, ja, en)]).into()
}

/// Reads the configuration file (`--config`, else `haibun.toml` if present) and fills in what no
/// flag or environment variable set. Returns every effective setting.
pub fn apply(cli: &mut Cli, matches: &ArgMatches) -> Result<Vec<Setting>, CliError> {
    let (path, explicit) = match &cli.config {
        Some(p) => (p.clone(), true),
        None => (PathBuf::from(DEFAULT_FILE), false),
    };
    let file: FileConfig = match std::fs::read(&path) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes).map_err(|_| {
                bad(&path, None, "UTF-8 ではありません".into(), "the configuration is not UTF-8".into())
            })?;
            toml::from_str(&text).map_err(|e| {
                let msg = e.message().to_string();
                bad(
                    &path,
                    None,
                    format!("設定ファイルを読めません: {msg}"),
                    format!("cannot read the configuration: {msg}"),
                )
            })?
        }
        Err(e) if !explicit && e.kind() == std::io::ErrorKind::NotFound => FileConfig::default(),
        Err(e) => return Err(CliError::Io { path: path.display().to_string(), source: e }),
    };
    let from_file = path.display().to_string();
    let mut out = Vec::new();
    // Where a value came from: a flag or the environment beats the file, the file beats the default.
    let mut source = |key: &'static str, id: &str, in_file: bool, value: String| {
        let s = match matches.value_source(id) {
            Some(ValueSource::CommandLine) => "flag".to_string(),
            Some(ValueSource::EnvVariable) => "env".to_string(),
            _ if in_file => from_file.clone(),
            _ => "default".to_string(),
        };
        out.push(Setting { key, value, source: s });
    };
    let given =
        |id: &str| matches!(matches.value_source(id), Some(ValueSource::CommandLine | ValueSource::EnvVariable));

    if !given("db")
        && let Some(db) = &file.database
    {
        cli.db = Some(db.clone());
    }
    let db = cli.db.clone().unwrap_or_else(|| crate::commands::DEFAULT_DB.to_string());
    source("database", "db", file.database.is_some(), mask(&db));

    if !given("log_format")
        && let Some(f) = &file.log_format
    {
        cli.log_format = match f.as_str() {
            "json" => LogFormat::Json,
            "text" => LogFormat::Text,
            other => {
                return Err(bad(
                    &path,
                    Some("log_format"),
                    format!("log_format は text か json です: {other}"),
                    format!("log_format is text or json: {other}"),
                ));
            }
        };
    }
    let format = if cli.log_format == LogFormat::Json { "json" } else { "text" };
    source("log_format", "log_format", file.log_format.is_some(), format.into());

    let limits = [
        ("max_file_mib", file.max_file_mib, &mut cli.limits.max_file_mib, args::MOST_FILE_MIB),
        ("max_unpacked_mib", file.max_unpacked_mib, &mut cli.limits.max_unpacked_mib, args::MOST_UNPACKED_MIB),
        ("max_rows", file.max_rows, &mut cli.limits.max_rows, args::MOST_ROWS),
        ("max_cell_chars", file.max_cell_chars, &mut cli.limits.max_cell_chars, args::MOST_CELL_CHARS),
    ];
    for (key, in_file, slot, most) in limits {
        if let Some(v) = in_file {
            if !(1..=most).contains(&v) {
                return Err(bad(
                    &path,
                    Some(key),
                    format!("{key} は 1〜{most} です: {v}"),
                    format!("{key} must be from 1 to {most}: {v}"),
                ));
            }
            if !given(key) {
                *slot = Some(v);
            }
        }
    }
    if !given("trusted_proxies")
        && let Some(p) = &file.trusted_proxies
    {
        cli.trusted_proxies = p.clone();
    }
    let proxies = cli.trusted_proxies.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
    source("trusted_proxies", "trusted_proxies", file.trusted_proxies.is_some(), proxies);
    let l = cli.limits.limits();
    source("max_file_mib", "max_file_mib", file.max_file_mib.is_some(), (l.file_bytes >> 20).to_string());
    source(
        "max_unpacked_mib",
        "max_unpacked_mib",
        file.max_unpacked_mib.is_some(),
        (l.unpacked_bytes >> 20).to_string(),
    );
    source("max_rows", "max_rows", file.max_rows.is_some(), l.rows.to_string());
    source("max_cell_chars", "max_cell_chars", file.max_cell_chars.is_some(), l.cell_chars.to_string());

    let o = &mut cli.opendata;
    let texts = [
        ("opendata_licence", &file.opendata_licence, &mut o.opendata_licence),
        ("opendata_licence_title", &file.opendata_licence_title, &mut o.opendata_licence_title),
        ("opendata_licence_url", &file.opendata_licence_url, &mut o.opendata_licence_url),
        ("opendata_publisher", &file.opendata_publisher, &mut o.opendata_publisher),
    ];
    for (key, in_file, slot) in texts {
        let from_the_file = !given(key) && in_file.is_some();
        if from_the_file {
            slot.clone_from(in_file);
        }
        let Some(v) = slot.as_deref() else { continue };
        // Published into datapackage.json, README.txt and a link on the open-data page.
        let url_ok = key != "opendata_licence_url"
            || ((v.starts_with("https://") || v.starts_with("http://"))
                && !v.contains(['"', '<', '>', '\\', ' ', '`']));
        if v.trim().is_empty() || v.chars().count() > 500 || v.chars().any(char::is_control) || !url_ok {
            let ja = format!("{key} は 1〜500 文字で制御文字を含まず、URL は http:// か https:// で始まるものです");
            let en = format!(
                "{key} must be 1 to 500 characters without control characters, a URL starting http:// or https://"
            );
            return Err(if from_the_file {
                bad(&path, Some(key), ja, en)
            } else {
                invalid(&flag_of(key), &format!("{ja} / {en}"))
            });
        }
    }
    // A licence is its id, title and address together, from one place: parts from different
    // places would publish a mismatch.
    let keys = ["opendata_licence", "opendata_licence_title", "opendata_licence_url"];
    let from_cli = keys.map(given);
    let parts_in_file =
        [&file.opendata_licence, &file.opendata_licence_title, &file.opendata_licence_url].map(Option::is_some);
    let (ja, en) = (
        "オープンデータのライセンスは識別子・名称・URL（opendata_licence, opendata_licence_title, opendata_licence_url）を同じ場所でそろえて指定してください",
        "set the open data's licence id, title and URL together, in one place (opendata_licence, opendata_licence_title, opendata_licence_url)",
    );
    if from_cli.contains(&true) && from_cli.contains(&false) {
        return Err(invalid(&flag_of("opendata_licence"), &format!("{ja} / {en}")));
    }
    if parts_in_file.contains(&true) && parts_in_file.contains(&false) {
        return Err(bad(&path, Some("opendata_licence"), ja.into(), en.into()));
    }
    let licence = o.licence();
    let in_file = [
        file.opendata_licence.is_some(),
        file.opendata_licence_title.is_some(),
        file.opendata_licence_url.is_some(),
        file.opendata_publisher.is_some(),
    ];
    source("opendata_licence", "opendata_licence", in_file[0], licence.name);
    source("opendata_licence_title", "opendata_licence_title", in_file[1], licence.title);
    source("opendata_licence_url", "opendata_licence_url", in_file[2], licence.path);
    source("opendata_publisher", "opendata_publisher", in_file[3], licence.publisher);

    // The address of `serve` and `demo`.
    let addr_given = matches!(matches.subcommand(), Some(("serve" | "demo", m))
        if m.value_source("addr") == Some(ValueSource::CommandLine));
    if let Command::Serve { addr } | Command::Demo { addr, .. } = &mut cli.command
        && !addr_given
        && let Some(a) = file.addr
    {
        *addr = a;
    }
    let addr = match &cli.command {
        Command::Serve { addr } | Command::Demo { addr, .. } => addr.to_string(),
        _ => file.addr.map_or_else(|| "127.0.0.1:8080".to_string(), |a| a.to_string()),
    };
    let addr_source = if addr_given {
        "flag".to_string()
    } else if file.addr.is_some() {
        from_file.clone()
    } else {
        "default".to_string()
    };
    out.push(Setting { key: "addr", value: addr, source: addr_source });
    Ok(out)
}

/// The flag and environment variable that set a key, for messages.
fn flag_of(key: &str) -> String {
    format!("--{} / HAIBUN_{}", key.replace('_', "-"), key.to_ascii_uppercase())
}

/// A database URL with its password replaced by `****`.
pub fn mask(db: &str) -> String {
    haibun_service::masked_url(db)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked_and_nothing_else() {
        assert_eq!(mask("postgres://app:s3cret@db:5432/haibun"), "postgres://app:****@db:5432/haibun");
        assert_eq!(mask("postgres://app@db/haibun"), "postgres://app@db/haibun");
        assert_eq!(mask("haibun.db"), "haibun.db");
    }
}
