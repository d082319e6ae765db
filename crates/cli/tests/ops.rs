//! Operating haibun: the version names the schema; `/healthz` and `/readyz` answer without a
//! user; SIGTERM stops a server cleanly; and one user's session works through two servers on one
//! database (on PostgreSQL, as a deployment runs several).

mod common;

use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::*;

/// One HTTP/1.1 request: (status, headers, body).
fn http(port: u16, method: &str, path: &str, cookie: &str, form: &str) -> (u16, String, String) {
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nOrigin: http://127.0.0.1:{port}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    );
    send(port, &req)
}

#[test]
fn the_version_names_the_schema() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_haibun")).arg("--version").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.trim(),
        format!("haibun {} (schema {})", env!("CARGO_PKG_VERSION"), haibun_service::ops::SCHEMA_VERSION)
    );
}

fn health_readiness_and_a_clean_stop(db: Db) {
    let t = TestDb::new(db);
    if db == Db::Sqlite {
        // A database file that exists but was never initialised: up, not ready.
        std::fs::write(t.path("haibun.db"), b"").unwrap();
        let server = serve(&t.url);
        assert_eq!(http(server.1, "GET", "/healthz", "", "").0, 200);
        let (status, _, body) = http(server.1, "GET", "/readyz", "", "");
        assert_eq!(status, 503, "{body}");
        assert!(body.contains("not initialised"), "{body}");
    }
    ok(&t, &["init", "--fy", "2023"]);
    let mut server = serve(&t.url);
    let (status, _, body) = http(server.1, "GET", "/healthz", "", "");
    assert_eq!((status, body.trim()), (200, "ok"));
    let (status, _, body) = http(server.1, "GET", "/readyz", "", "");
    assert_eq!(status, 200, "{body}");
    let r: serde_json::Value = serde_json::from_str(body.trim()).unwrap();
    assert_eq!(r["ready"], true);
    assert_eq!(r["schema"], haibun_service::ops::SCHEMA_VERSION);
    // SIGTERM: the server stops accepting and exits cleanly.
    let pid = server.0.id().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let start = Instant::now();
    let status = loop {
        if let Some(s) = server.0.try_wait().unwrap() {
            break s;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "the server did not stop after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "a clean exit after SIGTERM: {status}");
    assert!(TcpStream::connect(("127.0.0.1", server.1)).is_err(), "nothing listens any more");
}

/// A user signs in on one server, works on the other, signs out there, and the session is dead
/// on the first: sessions live in the database, not in a process.
fn one_session_through_two_servers(db: Db) {
    let t = initialised(db);
    ok(&t, &["user", "add", "hq-sato", "--role", "hq"]);
    ok(&t, &["user", "password", "hq-sato", "--password", "a long passphrase 2023"]);
    let (a, b) = (serve(&t.url), serve(&t.url));
    let (status, head, _) = http(a.1, "POST", "/login", "", "name=hq-sato&password=a+long+passphrase+2023");
    assert_eq!(status, 303, "{head}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string();
    let (status, _, page) = http(b.1, "GET", "/", &cookie, "");
    assert_eq!(status, 200);
    assert!(page.contains("hq-sato"), "the other server knows the user");
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("a CSRF token");
    let (status, _, _) = http(b.1, "POST", "/logout", &cookie, &format!("csrf={csrf}"));
    assert_eq!(status, 303);
    let (status, head, _) = http(a.1, "GET", "/", &cookie, "");
    assert_eq!(status, 303, "signed out on one server, signed out on both: {head}");
    assert!(head.to_lowercase().contains("location: /login"), "{head}");
}

/// The compilation each server keeps is keyed by the data version (the audit chain's head), which
/// any process's write advances: after a write by the command line, or through the other server's
/// API, each server answers with the new figures at once, the same as a fresh process computes.
fn a_write_by_any_process_is_seen_at_once(db: Db) {
    let t = initialised(db);
    let policy = haibun_testkit::fy2023();
    let mut lines = haibun_testkit::lines_for(&policy, "MEXT", 7, 12);
    let workbook = |lines: &[haibun_domain::RequestLine]| {
        haibun_testkit::workbook(&policy, "MEXT", haibun_domain::Unit::ThousandYen, lines)
    };
    import(&t, &file(&t, "m1.xlsx", &workbook(&lines)), "MEXT");
    ok(&t, &["user", "add", "hq", "--role", "hq"]);
    ok(&t, &["user", "add", "mext", "--role", "ministry", "--ministry", "MEXT"]);
    let hq = ok(&t, &["--as", "hq", "token", "create", "--label", "cache"]).trim().to_string();
    let mext = ok(&t, &["--as", "mext", "token", "create", "--label", "cache"]).trim().to_string();
    let (a, b) = (serve(&t.url), serve(&t.url));
    let api = |port: u16, method: &str, path: &str, token: &str, body: &str| {
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: haibun\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let (status, _, body) = send(port, &request);
        assert_eq!(status, 200, "{method} {path}: {body}");
        serde_json::from_str::<serde_json::Value>(&body).unwrap()
    };
    let served = |port: u16| api(port, "GET", "/api/v1/years/2023/compile", &hq, "");
    let first = served(a.1);
    assert_eq!(served(a.1), first);
    assert_eq!(served(b.1), first);
    assert_eq!(first, compile_json(&t));
    // What is kept is kept per reading scope too: a ministry user gets its own compilation.
    ok(&t, &["user", "add", "mhlw", "--role", "ministry", "--ministry", "MHLW"]);
    let mhlw = ok(&t, &["--as", "mhlw", "token", "create", "--label", "cache"]).trim().to_string();
    let theirs = api(a.1, "GET", "/api/v1/years/2023/compile", &mhlw, "");
    let expected: serde_json::Value =
        serde_json::from_str(&ok(&t, &["--as", "mhlw", "compile", "--fy", "2023", "--format", "json"])).unwrap();
    assert_eq!(theirs, expected, "MHLW's own compilation");
    assert_ne!(theirs, served(a.1), "not HQ's, which holds MEXT's lines");
    let first = served(a.1);

    // A write by another process: the command line imports every line one thousand yen higher.
    for l in &mut lines {
        l.request = haibun_domain::Yen(l.request.get() + 1_000_000);
    }
    import(&t, &file(&t, "m2.xlsx", &workbook(&lines)), "MEXT");
    let second = compile_json(&t);
    assert_ne!(second, first);
    assert_eq!(served(a.1), second, "server A sees the command line's write at once");
    assert_eq!(served(b.1), second, "so does server B");

    // A write through server B's API: server A sees it at once.
    let listed = api(b.1, "GET", "/api/v1/years/2023/lines?ministry=MEXT", &mext, "");
    let one = &listed[0];
    let path = format!("/api/v1/years/2023/lines/MEXT/{}", one["line"]["line_id"].as_str().unwrap());
    let body = serde_json::json!({"version": one["version"], "fields": {"request": "987654321000"}}).to_string();
    api(b.1, "PATCH", &path, &mext, &body);
    let third = compile_json(&t);
    assert_ne!(third, second);
    assert_eq!(served(a.1), third, "server A sees server B's write at once");
}

/// Several processes initialising one database at once: each succeeds, the migrations are
/// applied once (sqlx takes an advisory lock on PostgreSQL; on SQLite an exclusive lock on the
/// database file while migrating).
fn processes_starting_together_migrate_once(db: Db) {
    let t = TestDb::new(db);
    let children: Vec<_> = (0..3)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_haibun"))
                .args(["--db", &t.url, "init", "--fy", "2023"])
                .env_remove("HAIBUN_DATABASE_URL")
                .current_dir(t.dir.path())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let url = t.url.clone();
    let migrations = haibun_testkit::block_on(async move {
        let svc = haibun_service::Service::open(&url, false).await.unwrap();
        svc.readiness().await
    });
    assert!(migrations.ready, "{migrations:?}");
    let applied = haibun_testkit::run_sql(&t.url, "UPDATE _sqlx_migrations SET description = description").unwrap();
    assert_eq!(applied, haibun_service::ops::SCHEMA_VERSION as u64, "each migration recorded once");
    ok(&t, &["audit", "verify"]);
}

/// `--log-format json`: one JSON object per line, each request's lines carrying its id (the
/// caller's `X-Request-Id`, echoed back); `text` names the id too.
#[test]
fn logs_carry_the_request_id_in_either_format() {
    let t = initialised(Db::Sqlite);
    for (format, id) in [("json", "ops-json-1"), ("text", "ops-text-2")] {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let log = t.path(&format!("{format}.log"));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_haibun"))
            .args(["--db", &t.url, "--log-format", format, "serve", "--addr", &format!("127.0.0.1:{port}")])
            .env_remove("HAIBUN_DATABASE_URL")
            .env_remove("HAIBUN_LOG")
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(20), "the server answers");
            std::thread::sleep(Duration::from_millis(20));
        }
        let req = format!("GET /readyz HTTP/1.1\r\nHost: x\r\nX-Request-Id: {id}\r\nConnection: close\r\n\r\n");
        let (status, head, _) = send(port, &req);
        assert_eq!(status, 200);
        assert!(head.to_lowercase().contains(&format!("x-request-id: {id}")), "{head}");
        assert!(
            std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success()
        );
        assert!(child.wait().unwrap().success());
        let text = std::fs::read_to_string(&log).unwrap();
        if format == "json" {
            let lines: Vec<serde_json::Value> =
                text.lines().map(|l| serde_json::from_str(l).expect("every line is JSON")).collect();
            let answered = lines.iter().find(|l| l["span"]["id"] == id).expect("a line for the request");
            assert_eq!(answered["fields"]["status"], 200, "{answered}");
            assert_eq!(answered["span"]["path"], "/readyz");
        } else {
            assert!(text.lines().any(|l| l.contains(id) && l.contains("status=200")), "{text}");
        }
    }
}

/// Configuration: flag over environment over `haibun.toml` over the default, shown by
/// `config show` with the password masked; the file's database is the one used; a bad file is
/// a located usage error.
#[test]
fn configuration_precedence_and_config_show() {
    let t = initialised(Db::Sqlite);
    let run = |args: &[&str], env: &[(&str, &str)]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_haibun"))
            .args(args)
            .env_remove("HAIBUN_DATABASE_URL")
            .env_remove("HAIBUN_MAX_ROWS")
            .envs(env.iter().copied())
            .current_dir(t.dir.path())
            .output()
            .unwrap()
    };
    std::fs::write(
        t.path("haibun.toml"),
        format!("database = \"{}\"\nmax_rows = 500\nmax_cell_chars = 600\nmax_file_mib = 8\n", t.url),
    )
    .unwrap();
    let out = run(&["--max-cell-chars", "9", "config", "show"], &[("HAIBUN_MAX_ROWS", "7")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let line = |key: &str| text.lines().find(|l| l.trim_start().starts_with(key)).unwrap_or_default().to_string();
    assert!(line("max_cell_chars").contains("= 9") && line("max_cell_chars").ends_with("(flag)"), "{text}");
    assert!(line("max_rows").contains("= 7") && line("max_rows").ends_with("(env)"), "{text}");
    assert!(line("max_file_mib").contains("= 8") && line("max_file_mib").ends_with("(haibun.toml)"), "{text}");
    assert!(line("max_unpacked_mib").ends_with("(default)"), "{text}");
    // The file's database is used without --db.
    assert!(run(&["compile", "--fy", "2023"], &[]).status.success());
    std::fs::write(t.path("pg.toml"), "database = \"postgres://app:s3cret@db.example/haibun\"\n").unwrap();
    let out = run(&["--config", "pg.toml", "config", "show"], &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("postgres://app:****@db.example/haibun") && !text.contains("s3cret"), "{text}");
    for bad in ["nope = 1\n", "max_rows = 0\n", "log_format = \"xml\"\n", "max_rows = \n"] {
        std::fs::write(t.path("bad.toml"), bad).unwrap();
        let out = run(&["--config", "bad.toml", "config", "show"], &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {err}");
        assert!(err.contains("[E_INVALID_ARGUMENT] bad.toml"), "{bad}: {err}");
    }
}

on_both_databases!(
    a_write_by_any_process_is_seen_at_once,
    health_readiness_and_a_clean_stop,
    one_session_through_two_servers,
    processes_starting_together_migrate_once
);

/// Behind a trusted reverse proxy, sign-in back-off counts the client the proxy names, so one
/// guessing client does not lock out everyone behind nginx, and every process sees the count; a
/// server that trusts no proxy ignores `X-Forwarded-For`, so a client cannot escape the back-off
/// by naming another address.
#[test]
fn back_off_counts_the_client_behind_a_trusted_proxy() {
    let t = initialised(Db::Sqlite);
    let fail = |port: u16, forwarded: &str, name: &str| -> u16 {
        let body = format!("name={name}&password=wrong-password");
        let request = format!(
            "POST /login HTTP/1.1\r\nHost: haibun\r\nX-Forwarded-For: {forwarded}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        send(port, &request).0
    };
    let most = haibun_service::MAX_FAILED_PER_ADDRESS;
    let behind = serve_with(&t.url, &["--trusted-proxy", "127.0.0.1"]);
    for i in 0..most {
        assert_eq!(fail(behind.1, "203.0.113.7", &format!("guess{i}")), 401);
    }
    assert_eq!(fail(behind.1, "203.0.113.7", "another"), 429, "the guessing client is held back");
    // What it sends itself comes first; nginx appends the address it saw, which is the one counted.
    assert_eq!(fail(behind.1, "198.51.100.9, 203.0.113.7", "another"), 429);
    assert_eq!(fail(behind.1, "198.51.100.9", "another"), 401, "another client behind the same proxy is not");
    // The count lives in the database: the other process behind the same proxy holds it back too.
    let other = serve_with(&t.url, &["--trusted-proxy", "127.0.0.1"]);
    assert_eq!(fail(other.1, "203.0.113.7", "yet-another"), 429, "held back by every process");
    drop((behind, other));

    let direct = serve_with(&t.url, &[]);
    for i in 0..most {
        assert_eq!(fail(direct.1, &format!("192.0.2.{i}"), &format!("guess{i}")), 401);
    }
    assert_eq!(fail(direct.1, "192.0.2.200", "another"), 429, "X-Forwarded-For from anyone else is ignored");
}
