//! The client's address behind a reverse proxy. Sign-in back-off counts failures per address, so
//! behind nginx every request would seem to come from nginx. When the peer is a proxy named as
//! trusted (`--trusted-proxy`), the client is the rightmost address of `X-Forwarded-For` that is
//! not itself a trusted proxy (nginx's `$proxy_add_x_forwarded_for` appends the address it saw);
//! anyone else's `X-Forwarded-For` is ignored, so a client cannot choose its own address.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;

/// The client `X-Forwarded-For` names, seen from a trusted proxy: walking from the right (the
/// hop the nearest proxy appended), past the trusted proxies, the first address. What a client
/// wrote further left is never read. `None` if the header is missing or that hop is not an
/// address; if every hop is a trusted proxy, the leftmost.
pub fn forwarded_client(headers: &axum::http::HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    let mut hops: Vec<&str> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        hops.extend(value.to_str().ok()?.split(',').map(str::trim));
    }
    let mut last = None;
    for hop in hops.iter().rev() {
        let ip = hop.parse::<IpAddr>().ok()?;
        if !trusted.contains(&ip) {
            return Some(ip);
        }
        last = Some(ip);
    }
    last
}

/// Replaces the connection's peer with the forwarded client when the peer is a trusted proxy.
pub async fn client_address(State(trusted): State<Arc<Vec<IpAddr>>>, mut req: Request, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied()
        && trusted.contains(&peer.ip())
        && let Some(client) = forwarded_client(req.headers(), &trusted)
    {
        req.extensions_mut().insert(ConnectInfo(SocketAddr::new(client, peer.port())));
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> axum::http::HeaderMap {
        let mut h = axum::http::HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_client_is_the_last_address_no_trusted_proxy_added() {
        let nginx: IpAddr = "127.0.0.1".parse().unwrap();
        let lb: IpAddr = "10.0.0.2".parse().unwrap();
        let at = |v: &[&str], t: &[IpAddr]| forwarded_client(&headers(v), t).map(|ip| ip.to_string());
        assert_eq!(at(&["203.0.113.7"], &[nginx]), Some("203.0.113.7".into()));
        // A client that sends its own header cannot pick the address: nginx appends the real one.
        assert_eq!(at(&["198.51.100.1, 203.0.113.7"], &[nginx]), Some("203.0.113.7".into()));
        assert_eq!(at(&["198.51.100.1", "203.0.113.7, 10.0.0.2"], &[nginx, lb]), Some("203.0.113.7".into()));
        assert_eq!(at(&["2001:db8::1"], &[nginx]), Some("2001:db8::1".into()));
        // Only proxies: the first.
        assert_eq!(at(&["10.0.0.2"], &[lb]), Some("10.0.0.2".into()));
        // Missing or malformed: the peer stays.
        assert_eq!(at(&[], &[nginx]), None);
        // Whatever a client wrote itself is not read: only the hop nginx appended.
        assert_eq!(at(&["unknown, 203.0.113.7"], &[nginx]), Some("203.0.113.7".into()));
        assert_eq!(at(&["x", "203.0.113.7"], &[nginx]), Some("203.0.113.7".into()));
        assert_eq!(at(&["203.0.113.7 <script>"], &[nginx]), None);
        assert_eq!(at(&["203.0.113.7, unknown"], &[nginx]), None);
    }
}
