//! The headers every answer carries, set in one place for the API, the console and the API's
//! documents alike: no content sniffing, no referrer, no caching of anything a credential
//! opened, and a content security policy on every HTML and SVG document.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::middleware::Next;

/// The policy of a document the API renders (a ranking page, a letter, a chart): its styles are
/// inline, its images data URLs, and it loads, runs and frames nothing.
pub const DOCUMENT_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

/// The policy of the interactive API documentation (Swagger UI under `/docs/`): its own
/// scripts and stylesheets, inline styles, and the OpenAPI document fetched from this origin.
pub const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' \
     'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'none'";

/// The session cookie's name (kept here rather than imported, so that this module depends on
/// no other part of the crate).
const SESSION_COOKIE: &str = "pubeval_session";

/// Whether a request carries a credential: a bearer token or the console's session cookie.
fn carries_credential(req: &ServiceRequest) -> bool {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let v = v.trim_start();
            v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer ")
        });
    bearer
        || req
            .cookie(SESSION_COOKIE)
            .is_some_and(|c| !c.value().is_empty())
}

/// Whether an answer is a document a browser renders with scripts and styles: HTML or SVG.
fn is_document(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            let t = t.trim_start().to_ascii_lowercase();
            t.starts_with("text/html") || t.starts_with("image/svg+xml")
        })
}

/// Sets the headers of [`secure`] on a finished answer.
fn apply(path: &str, authenticated: bool, headers: &mut HeaderMap) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // A handler that chose a policy knows better (the console's stylesheet is public and the
    // same for everyone); every other answer to a credential is kept out of every cache.
    if authenticated && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // Console pages set their own, stricter-fitting policy; any other HTML or SVG gets the
    // document's (the Swagger UI its own, since it runs scripts).
    if is_document(headers) && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let policy = if path == "/docs" || path.starts_with("/docs/") {
            DOCS_CSP
        } else {
            DOCUMENT_CSP
        };
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(policy),
        );
    }
}

/// The middleware: every answer, including the errors of inner middleware, gets the headers.
pub async fn secure(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let authenticated = carries_credential(&req);
    let path = req.path().to_string();
    // No clone of the request may be kept across the call: routing needs the only reference
    // (actix panics otherwise). Handlers' and extractors' errors arrive here as responses; the
    // inner middleware answer with responses too, never with an error.
    let mut res = next.call(req).await?;
    apply(&path, authenticated, res.headers_mut());
    Ok(res)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn with_type(content_type: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        h
    }

    #[test]
    fn documents_get_the_document_policy_and_the_docs_their_own() {
        let mut svg = with_type("image/svg+xml");
        apply("/api/v1/evaluations/x/charts/a.svg", false, &mut svg);
        assert_eq!(
            svg.get(header::CONTENT_SECURITY_POLICY).unwrap(),
            DOCUMENT_CSP
        );
        let mut docs = with_type("text/html; charset=utf-8");
        apply("/docs/", false, &mut docs);
        assert_eq!(docs.get(header::CONTENT_SECURITY_POLICY).unwrap(), DOCS_CSP);
        let mut json = with_type("application/json");
        apply("/api/v1/bodies", true, &mut json);
        assert!(json.get(header::CONTENT_SECURITY_POLICY).is_none());
        assert_eq!(json.get(header::CACHE_CONTROL).unwrap(), "no-store");
        assert_eq!(json.get(header::REFERRER_POLICY).unwrap(), "no-referrer");
    }

    #[test]
    fn a_handlers_own_policies_stand() {
        let mut page = with_type("text/html");
        page.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("x"),
        );
        page.insert(header::CACHE_CONTROL, HeaderValue::from_static("public"));
        apply("/console/", true, &mut page);
        assert_eq!(page.get(header::CONTENT_SECURITY_POLICY).unwrap(), "x");
        assert_eq!(page.get(header::CACHE_CONTROL).unwrap(), "public");
    }
}
