//! Concurrent writers through the real server: 64 clients, released together, each read a line's
//! version over the API and write it with that version, several rounds each — on SQLite behind
//! one `haibun serve`, on PostgreSQL behind two. Every success is exactly one version in the
//! history with its own amount, the final state is the last success, every loser gets 409, and
//! nothing else comes back (no 5xx: SQLite's busy state never reaches a user).

mod common;

use std::sync::{Arc, Barrier};

use common::*;
use serde_json::Value;

const CLIENTS: usize = 64;
const ROUNDS: usize = 3;

/// One HTTP/1.1 request on a fresh connection: (status, body).
fn http(port: u16, method: &str, path: &str, token: &str, body: &str) -> (u16, String) {
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (status, _, body) = send(port, &req);
    // A chunked body: the JSON is between the chunk sizes; find its first and last brace.
    let json = match (body.find(['{', '[']), body.rfind(['}', ']'])) {
        (Some(a), Some(b)) if b >= a => body[a..=b].to_string(),
        _ => body.to_string(),
    };
    (status, json)
}

fn sixty_four_writers(db: Db) {
    let t = initialised(db);
    let lines = import_generated(&t, "MEXT", 4, 2);
    let id = lines[0].line_id.to_string();
    ok(&t, &["user", "add", "mext", "--role", "ministry", "--ministry", "MEXT"]);
    let token = ok(&t, &["--as", "mext", "token", "create"]).trim().to_string();
    // One server on SQLite (one file, one process); two on PostgreSQL, the clients split.
    let servers: Vec<Server> = (0..if db == Db::Sqlite { 1 } else { 2 }).map(|_| serve(&t.url)).collect();
    let ports: Vec<u16> = servers.iter().map(|s| s.1).collect();
    let path = format!("/api/v1/years/2023/lines/MEXT/{id}");
    let barrier = Arc::new(Barrier::new(CLIENTS));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (barrier, token, path) = (barrier.clone(), token.clone(), path.clone());
            let port = ports[c % ports.len()];
            std::thread::spawn(move || {
                let mut results = Vec::new();
                barrier.wait();
                for round in 0..ROUNDS {
                    let (s, body) = http(port, "GET", &path, &token, "");
                    assert_eq!(s, 200, "read: {body}");
                    let history: Value = serde_json::from_str(&body).expect("history JSON");
                    let read = history.as_array().unwrap().last().unwrap()["version"].as_i64().unwrap();
                    // Each write its own amount, so the history shows whose write each version is.
                    let amount = 90_000_000_000_i64 + (c * 100 + round) as i64 * 1000;
                    let body = format!(r#"{{"version":{read},"fields":{{"request":"{amount}"}}}}"#);
                    let (s, resp) = http(port, "PATCH", &path, &token, &body);
                    let written =
                        (s == 200).then(|| serde_json::from_str::<Value>(&resp).unwrap()["version"].as_i64().unwrap());
                    results.push((s, read, amount, written, resp));
                }
                results
            })
        })
        .collect();
    let results: Vec<_> = clients.into_iter().flat_map(|c| c.join().unwrap()).collect();
    drop(servers);

    let statuses: std::collections::BTreeMap<u16, usize> = results.iter().fold(Default::default(), |mut m, r| {
        *m.entry(r.0).or_default() += 1;
        m
    });
    let odd: Vec<_> = results.iter().filter(|r| r.0 != 200 && r.0 != 409).collect();
    assert!(odd.is_empty(), "only 200 and 409 may come back: {statuses:?} {:?}", odd.first());
    let wins: Vec<_> = results.iter().filter(|r| r.0 == 200).collect();
    assert!(!wins.is_empty(), "{statuses:?}");
    // Every success is exactly one new version, the one after the version it read.
    let history: Value = serde_json::from_str(&ok(
        &t,
        &["line", "history", &id, "--fy", "2023", "--ministry", "MEXT", "--format", "json"],
    ))
    .unwrap();
    let versions = history.as_array().unwrap();
    assert_eq!(versions.len(), 1 + wins.len(), "{statuses:?}");
    for w in &wins {
        let v = w.3.unwrap();
        assert_eq!(v, w.1 + 1, "a win writes the version after the one it read");
        let stored = versions.iter().find(|h| h["version"] == v).unwrap();
        assert_eq!(stored["line"]["request"], w.2, "version {v} is exactly that client's write");
    }
    let mut written: Vec<i64> = wins.iter().map(|w| w.3.unwrap()).collect();
    written.sort_unstable();
    written.dedup();
    assert_eq!(written.len(), wins.len(), "no two successes share a version");
    // The final state is the last success.
    let last = wins.iter().max_by_key(|w| w.3).unwrap();
    let newest = versions.iter().max_by_key(|h| h["version"].as_i64()).unwrap();
    assert_eq!((newest["version"].as_i64(), &newest["line"]["request"]), (last.3, &Value::from(last.2)));
    assert!(ok(&t, &["audit", "verify"]).contains("verifies"));
    eprintln!("{db:?}: {CLIENTS} clients × {ROUNDS} rounds: {statuses:?}");
}

on_both_databases!(sixty_four_writers);
