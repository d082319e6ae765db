//! The API's errors as its document states them: every error any operation can answer is listed
//! for every operation, and the framework's own refusals on API paths are the same JSON bodies.

use crate::error::ErrorBody;

/// The errors any operation can answer, besides its own: a malformed path, query or body (400),
/// no or a bad token (401), a role or ministry that may not (403), an unknown year or record
/// (404), a method the path does not take (405), a stale version or a closed stage (409), a body over the upload limit (413), a body
/// that is not JSON where JSON is expected (415), input that fails the checks (422), and too
/// many failed sign-ins (429). Each is an [`ErrorBody`].
const ERRORS: [(&str, &str); 10] = [
    ("400", "malformed path, query or body / 要求の形式が不正"),
    ("401", "not signed in / 未認証"),
    ("403", "not allowed for this user / 権限なし"),
    ("404", "no such year or record / 該当なし"),
    ("405", "method not allowed / 許可されていないメソッド"),
    ("409", "stale version or closed stage / 競合"),
    ("413", "body over the upload limit / 大きすぎる"),
    ("415", "the body must be JSON / JSON ではない"),
    ("422", "input that fails the checks / 入力エラー"),
    ("429", "too many attempts / 試行が多すぎる"),
];

pub(crate) fn document_errors(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    for item in api.paths.paths.values_mut() {
        let ops = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for op in ops.into_iter().flatten() {
            for (status, description) in ERRORS {
                op.responses.responses.entry(status.to_string()).or_insert_with(|| {
                    let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
                    ResponseBuilder::new().description(description).content("application/json", body).build().into()
                });
            }
        }
    }
}

/// Turns the framework's own refusals on API paths (a path segment that is not a number, a body
/// that is not JSON, an unknown method or path) into the documented [`ErrorBody`], keeping the
/// response's status and headers (such as `Allow` on 405), so every error of the API is JSON.
/// Pages and their errors are left as they are.
pub(crate) async fn json_errors(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.to_str().is_ok_and(|t| t.starts_with("application/json")));
    if !api || !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, 64 << 10).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_string();
    let (code, ja, en) = match status.as_u16() {
        400 => ("E_BAD_REQUEST", "要求の形式が正しくありません", "malformed request"),
        404 => ("E_NOT_FOUND", "該当する API がありません", "no such API path"),
        405 => ("E_METHOD_NOT_ALLOWED", "このメソッドは使えません", "method not allowed"),
        413 => ("E_FILE_TOO_LARGE", "本文が大きすぎます", "the body is too large"),
        415 => ("E_NOT_JSON", "本文は JSON（Content-Type: application/json）で送ってください", "the body must be JSON"),
        422 => ("E_MALFORMED_JSON", "本文の JSON が正しくありません", "the JSON body is invalid"),
        _ if status.is_server_error() => ("E_INTERNAL", "内部エラーが発生しました", "internal error"),
        _ => ("E_BAD_REQUEST", "要求を処理できません", "the request cannot be served"),
    };
    let detail = |m: &str| if text.is_empty() { m.to_string() } else { format!("{m}: {text}") };
    let body = ErrorBody {
        code: code.into(),
        message_ja: detail(ja),
        message_en: detail(en),
        location: None,
        problems: Vec::new(),
    };
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts.headers.insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    let json = serde_json::to_vec(&body).unwrap_or_default();
    axum::response::Response::from_parts(parts, axum::body::Body::from(json))
}
