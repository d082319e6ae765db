//! haibun-load: the load generator of the serving benchmark (`scripts/bench-serve.sh`). It keeps
//! N HTTP/1.1 keep-alive connections busy for a fixed time against one or more addresses (the
//! connections spread over them in turn) and reports requests per second, latency percentiles and
//! errors as one JSON line.
//!
//! Two loads: one GET, the same for every request (the compile JSON, from nginx or haibun); or
//! `--mixed`, 80 % reads (the compile JSON and a line list through the API, a page through a
//! browser session) and 20 % line updates, each update by the connection that owns the line
//! (naming the version it read, so none conflicts).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use haibun_domain::rng::Rng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Debug, Parser)]
#[command(about = "HTTP/1.1 keep-alive load for the serving benchmark")]
struct Args {
    /// Where to send (repeat for several servers; connections take them in turn).
    #[arg(long = "addr", required = true)]
    addrs: Vec<SocketAddr>,
    /// The path every request GETs (not with --mixed).
    #[arg(long, default_value = "/")]
    path: String,
    /// A header sent with every GET, as `Name: value`.
    #[arg(long = "header")]
    headers: Vec<String>,
    /// Concurrent connections.
    #[arg(long, default_value_t = 100)]
    connections: usize,
    /// How long to run.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// The name of this run in the report.
    #[arg(long)]
    label: String,
    /// 80 % reads and 20 % line updates instead of one GET.
    #[arg(long)]
    mixed: bool,
    /// The API token reads use (--mixed).
    #[arg(long)]
    read_token: Option<String>,
    /// A browser session's cookie for the page reads (--mixed).
    #[arg(long)]
    cookie: Option<String>,
    /// `MINISTRY:TOKEN` of a ministry whose lines are updated (--mixed; repeat).
    #[arg(long = "writer")]
    writers: Vec<String>,
    /// The fiscal year read and written (--mixed).
    #[arg(long, default_value_t = 2023)]
    fy: i64,
    /// Appends the result as one JSON line to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// One HTTP/1.1 connection with its unread bytes.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    async fn open(addr: SocketAddr) -> anyhow::Result<Conn> {
        let stream = TcpStream::connect(addr).await.with_context(|| format!("connect {addr}"))?;
        stream.set_nodelay(true)?;
        Ok(Conn { stream, buf: Vec::with_capacity(64 << 10) })
    }

    /// Sends one request and reads its whole answer: (status, body).
    async fn call(&mut self, request: &[u8]) -> anyhow::Result<(u16, Vec<u8>)> {
        self.stream.write_all(request).await?;
        let head_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i + 4;
            }
            self.fill().await?;
        };
        let head = std::str::from_utf8(&self.buf[..head_end]).context("head")?.to_string();
        let status: u16 = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).context("status")?;
        let header = |name: &str| {
            head.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
            })
        };
        self.buf.drain(..head_end);
        let body = if let Some(n) = header("content-length") {
            let n: usize = n.parse().context("content-length")?;
            while self.buf.len() < n {
                self.fill().await?;
            }
            self.buf.drain(..n).collect()
        } else if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
            let mut body = Vec::new();
            loop {
                let line_end = loop {
                    if let Some(i) = find(&self.buf, b"\r\n") {
                        break i;
                    }
                    self.fill().await?;
                };
                let size =
                    std::str::from_utf8(&self.buf[..line_end])?.split(';').next().unwrap_or("").trim().to_string();
                let size = usize::from_str_radix(&size, 16).context("chunk size")?;
                while self.buf.len() < line_end + 2 + size + 2 {
                    self.fill().await?;
                }
                body.extend_from_slice(&self.buf[line_end + 2..line_end + 2 + size]);
                self.buf.drain(..line_end + 2 + size + 2);
                if size == 0 {
                    break body;
                }
            }
        } else {
            bail!("an answer without a length");
        };
        Ok((status, body))
    }

    async fn fill(&mut self) -> anyhow::Result<()> {
        let mut chunk = [0u8; 64 << 10];
        let n = self.stream.read(&mut chunk).await?;
        if n == 0 {
            bail!("connection closed");
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn get(path: &str, headers: &[String]) -> Vec<u8> {
    let mut r = format!("GET {path} HTTP/1.1\r\nHost: bench\r\n");
    for h in headers {
        r.push_str(h);
        r.push_str("\r\n");
    }
    r.push_str("\r\n");
    r.into_bytes()
}

/// A line some connection owns: its ministry, id, writer token and the version last read.
#[derive(Debug, Clone)]
struct Owned {
    ministry: String,
    line_id: String,
    token: String,
    version: i64,
}

/// The lines of each writer's ministry, with their versions.
async fn owned_lines(args: &Args) -> anyhow::Result<Vec<Owned>> {
    let mut out = Vec::new();
    for w in &args.writers {
        let (ministry, token) = w.split_once(':').context("--writer MINISTRY:TOKEN")?;
        let mut c = Conn::open(args.addrs[0]).await?;
        let path = format!("/api/v1/years/{}/lines?ministry={ministry}", args.fy);
        let (status, body) = c.call(&get(&path, &[format!("Authorization: Bearer {token}")])).await?;
        if status != 200 {
            bail!("{path}: {status} {}", String::from_utf8_lossy(&body));
        }
        let lines: serde_json::Value = serde_json::from_slice(&body)?;
        for l in lines.as_array().context("a list")? {
            out.push(Owned {
                ministry: ministry.to_string(),
                line_id: l["line"]["line_id"].as_str().context("line_id")?.to_string(),
                token: token.to_string(),
                version: l["version"].as_i64().context("version")?,
            });
        }
    }
    Ok(out)
}

#[derive(Debug, Default)]
struct Tally {
    latencies_us: Vec<u32>,
    errors: u64,
    writes: u64,
    first_error: Option<String>,
}

/// One connection's work until `end`.
async fn worker(
    args: std::sync::Arc<Args>,
    n: usize,
    mut owned: Option<Owned>,
    write_share: f64,
    end: Instant,
) -> anyhow::Result<Tally> {
    let mut conn = Conn::open(args.addrs[n % args.addrs.len()]).await?;
    let mut rng = Rng::new(0x5eed_0000 + n as u64);
    let mut tally = Tally::default();
    let plain = get(&args.path, &args.headers);
    let bearer = args.read_token.as_ref().map(|t| format!("Authorization: Bearer {t}")).unwrap_or_default();
    let cookie = args.cookie.as_ref().map(|c| format!("Cookie: {c}")).unwrap_or_default();
    let compile = get(&format!("/api/v1/years/{}/compile", args.fy), std::slice::from_ref(&bearer));
    let lines = get(&format!("/api/v1/years/{}/lines?ministry=MEXT", args.fy), std::slice::from_ref(&bearer));
    let page = get(&format!("/years/{}/measures", args.fy), std::slice::from_ref(&cookie));
    let mut edits = 0u64;
    while Instant::now() < end {
        let roll = rng.below(1_000_000) as f64 / 1_000_000.0;
        let (request, write) = if !args.mixed {
            (plain.clone(), false)
        } else if let Some(o) = owned.as_ref().filter(|_| roll < write_share) {
            edits += 1;
            let body =
                serde_json::json!({"version": o.version, "fields": {"summary": format!("負荷試験の更新 {n}-{edits}")}})
                    .to_string();
            let head = format!(
                "PATCH /api/v1/years/{}/lines/{}/{} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                args.fy,
                o.ministry,
                o.line_id,
                o.token,
                body.len()
            );
            (head.into_bytes(), true)
        } else {
            // The reads: the compile JSON half the time, a line list and a page a quarter each.
            let r = rng.below(4);
            (
                if r < 2 {
                    compile.clone()
                } else if r == 2 {
                    lines.clone()
                } else {
                    page.clone()
                },
                false,
            )
        };
        let start = Instant::now();
        let result = conn.call(&request).await;
        let us = start.elapsed().as_micros().min(u32::MAX as u128) as u32;
        match result {
            // Only a 2xx counts: a redirect (to the sign-in page, say) is not the page asked for.
            Ok((status, body)) if (200..300).contains(&status) => {
                tally.latencies_us.push(us);
                if write {
                    tally.writes += 1;
                    let v: serde_json::Value = serde_json::from_slice(&body)?;
                    if let Some(o) = owned.as_mut() {
                        o.version = v["version"].as_i64().context("the new version")?;
                    }
                }
            }
            Ok((status, body)) => {
                tally.latencies_us.push(us);
                tally.errors += 1;
                tally.first_error.get_or_insert_with(|| format!("{status} {}", String::from_utf8_lossy(&body)));
            }
            Err(e) => {
                tally.errors += 1;
                tally.first_error.get_or_insert_with(|| e.to_string());
                conn = Conn::open(args.addrs[n % args.addrs.len()]).await?;
            }
        }
    }
    Ok(tally)
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = std::sync::Arc::new(Args::parse());
    let owned = if args.mixed { owned_lines(&args).await? } else { Vec::new() };
    // Each owned line has one connection; the owners write often enough that 20 % of all
    // requests are writes.
    let owners = owned.len().min(args.connections);
    if args.mixed && owners * 5 < args.connections {
        bail!("{owners} lines to update for {} connections: 20 % writes needs a fifth as many", args.connections);
    }
    let write_share = if owners == 0 { 0.0 } else { 0.2 * args.connections as f64 / owners as f64 };
    let end = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for n in 0..args.connections {
        let line = owned.get(n).cloned();
        tasks.push(tokio::spawn(worker(args.clone(), n, line, write_share, end)));
    }
    let mut all = Tally::default();
    for t in tasks {
        let t = t.await??;
        all.latencies_us.extend(t.latencies_us);
        all.errors += t.errors;
        all.writes += t.writes;
        if all.first_error.is_none() {
            all.first_error = t.first_error;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.latencies_us.sort_unstable();
    let answered = all.latencies_us.len() as u64;
    let report = serde_json::json!({
        "label": args.label,
        "connections": args.connections,
        "seconds": (elapsed * 10.0).round() / 10.0,
        "requests": answered,
        "rps": (answered as f64 / elapsed).round(),
        "p50_ms": percentile(&all.latencies_us, 0.50),
        "p99_ms": percentile(&all.latencies_us, 0.99),
        "max_ms": percentile(&all.latencies_us, 1.0),
        "errors": all.errors,
        "writes": all.writes,
        "first_error": all.first_error,
    });
    println!("{report}");
    if let Some(path) = &args.json {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        writeln!(f, "{report}")?;
    }
    Ok(())
}
