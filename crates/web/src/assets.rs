//! Static assets embedded in the binary (`crates/web/assets`): vendored htmx and ECharts plus
//! our app.js and app.css. Pages link them with a content hash in the query string, so every
//! asset can be cached for a year and still change on upgrade.
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;
use tower_http::compression::CompressionLayer;

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";

/// The router mounted at `/assets`.
pub(crate) fn service() -> Router {
    Router::new()
        .route("/{*path}", get(serve))
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(CompressionLayer::new())
}

async fn serve(Path(path): Path<String>, headers: HeaderMap) -> Result<Response, Infallible> {
    let Some(file) = Assets::get(&path) else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let etag = format!("\"{}\"", short_hash(&file.metadata.sha256_hash()));
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut resp = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        file.data.into_owned().into_response()
    };
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&path)),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_FOREVER),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    Ok(resp)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("md") | Some("txt") | Some("LICENSE") | Some("NOTICE") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn short_hash(sha256: &[u8; 32]) -> String {
    sha256[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// `/assets/<name>?v=<hash>` for every embedded file.
static URLS: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    Assets::iter()
        .filter_map(|name| {
            let file = Assets::get(&name)?;
            let url = format!(
                "/assets/{name}?v={}",
                short_hash(&file.metadata.sha256_hash())
            );
            Some((name.into_owned(), url))
        })
        .collect()
});

/// The cache-busting URL of an embedded asset.
pub(crate) fn url(name: &str) -> String {
    URLS.get(name)
        .cloned()
        .unwrap_or_else(|| format!("/assets/{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendored_and_own_assets_are_embedded() {
        for name in [
            "vendor/htmx.min.js",
            "vendor/echarts.min.js",
            "app.js",
            "tables.js",
            "app.css",
        ] {
            assert!(Assets::get(name).is_some(), "{name}");
            assert!(url(name).contains("?v="), "{name}");
        }
        assert_eq!(content_type("app.css"), "text/css; charset=utf-8");
        assert_eq!(
            content_type("vendor/echarts.LICENSE"),
            "text/plain; charset=utf-8"
        );
    }
}
