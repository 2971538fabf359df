//! The console's session: the bearer token in a cookie (HttpOnly, SameSite=Strict,
//! Path=/console, `Secure` when `cookie_secure` is set, expiring with the token), and the checks
//! every state-changing request passes — it comes from this site (its `Origin`, or the
//! browser's `Sec-Fetch-Site`), and its form carries the session's CSRF token.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::{FromRequest, HttpRequest, web};
use sha2::{Digest, Sha256};

use super::page::ConsoleError;
use crate::domain::Principal;
use crate::state::AppState;

/// The session cookie's name.
pub const COOKIE: &str = "pubeval_session";

/// A logged-in person at the console.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who.
    pub principal: Principal,
    /// The session's CSRF token, which every form carries.
    pub csrf: String,
}

impl Session {
    /// Whether the person is an admin or an analyst.
    pub fn is_staff(&self) -> bool {
        self.principal.is_staff()
    }

    /// Refuses (403) a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, given: &str) -> Result<(), ConsoleError> {
        if constant_time_eq(given.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(ConsoleError::CrossSite)
        }
    }
}

/// The CSRF token of a session: derived from its token, which only the browser holding the
/// cookie has, so a page of another site can neither read nor forge it.
pub fn csrf_of(token: &str) -> String {
    let digest = Sha256::digest(format!("pubeval-console-csrf\0{token}").as_bytes());
    hex::encode(&digest[..16])
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Refuses (403) a state-changing request that did not come from a page of this site: its
/// `Origin` must name this host — or, since under `Referrer-Policy: no-referrer` browsers send
/// `Origin: null` with a site's own form posts, be `null` or absent with the browser's own
/// `Sec-Fetch-Site: same-origin` (a header no page can set). A forged form from another site
/// carries its own origin, or `null` with `cross-site`; either is refused, as is a request
/// that says nothing of where it came from.
fn check_origin(req: &HttpRequest) -> Result<(), ConsoleError> {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let same_origin_fetch = header(SEC_FETCH_SITE).is_some_and(|s| s == "same-origin");
    match header(actix_web::http::header::ORIGIN.as_str()) {
        None | Some("null") if same_origin_fetch => Ok(()),
        Some(origin) if names_this_host(req, origin) => Ok(()),
        _ => Err(ConsoleError::CrossSite),
    }
}

/// The fetch metadata header browsers set on every request (Chromium 76+, Firefox 90+,
/// Safari 16.4+).
const SEC_FETCH_SITE: &str = "sec-fetch-site";

/// Whether an `Origin` (`scheme://host[:port]`) names the host this request was sent to.
fn names_this_host(req: &HttpRequest, origin: &str) -> bool {
    let host = req.connection_info().host().to_string();
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'))
        .unwrap_or("");
    !origin_host.is_empty() && origin_host.eq_ignore_ascii_case(&host)
}

/// Refuses (403) every console POST that [`check_origin`] does not trace to this site, before
/// anything else reads the request — a forged form from another site never reaches a handler.
pub async fn refuse_cross_site(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<
    actix_web::dev::ServiceResponse<actix_web::body::EitherBody<impl actix_web::body::MessageBody>>,
    actix_web::Error,
> {
    use actix_web::ResponseError;
    if req.method() == actix_web::http::Method::POST && check_origin(req.request()).is_err() {
        let refused = ConsoleError::CrossSite.error_response();
        return Ok(req.into_response(refused).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// The cookie that holds a new session's token.
pub fn session_cookie(token: &str, ttl_seconds: u64, secure: bool) -> Cookie<'static> {
    Cookie::build(COOKIE, token.to_string())
        .path("/console")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(Duration::seconds(
            i64::try_from(ttl_seconds).unwrap_or(i64::MAX),
        ))
        .finish()
}

/// The cookie that ends the session in the browser.
pub fn cleared_cookie(secure: bool) -> Cookie<'static> {
    let mut cookie = session_cookie("", 0, secure);
    cookie.make_removal();
    cookie
}

impl FromRequest for Session {
    type Error = ConsoleError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ConsoleError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req.cookie(COOKIE).map(|c| c.value().to_string());
        Box::pin(async move {
            let state = state.ok_or(ConsoleError::LoginRequired)?;
            let token = token
                .filter(|t| !t.is_empty())
                .ok_or(ConsoleError::LoginRequired)?;
            let principal = crate::extract::authenticate(&state, Some(&format!("Bearer {token}")))
                .await
                .map_err(|_| ConsoleError::LoginRequired)?;
            if matches!(principal, Principal::Client { .. }) {
                return Err(ConsoleError::LoginRequired);
            }
            Ok(Session {
                principal,
                csrf: csrf_of(&token),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_strict_and_scoped_to_the_console() {
        let c = session_cookie("t", 600, true);
        let text = c.to_string();
        for part in [
            "HttpOnly",
            "SameSite=Strict",
            "Path=/console",
            "Secure",
            "Max-Age=600",
        ] {
            assert!(text.contains(part), "{text}");
        }
        assert!(
            !session_cookie("t", 600, false)
                .to_string()
                .contains("Secure")
        );
    }

    #[test]
    fn each_session_has_its_own_csrf_token() {
        assert_eq!(csrf_of("a"), csrf_of("a"));
        assert_ne!(csrf_of("a"), csrf_of("b"));
        assert_eq!(csrf_of("a").len(), 32);
    }
}
