//! What every console page shares: the layout's navigation, the headers of an HTML answer, and
//! the error pages (a Chinese 404, a refused cross-site request, the way back to the login).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use super::session::Session;
use crate::domain::{self, ErrorCode, Role};

/// The layout's navigation: who is logged in and the token the logout form carries.
#[derive(Debug, Clone)]
pub struct Nav {
    /// The username.
    pub username: String,
    /// The role in Chinese.
    pub role_zh: &'static str,
    /// Admins and analysts.
    pub is_staff: bool,
    /// Admins.
    pub is_admin: bool,
    /// The session's CSRF token.
    pub csrf: String,
    /// Whether the person is known (the whole menu), or only that a session exists (an error
    /// page: just the way home and out).
    pub full: bool,
}

impl Nav {
    /// The navigation of a session.
    pub fn of(session: &Session) -> Nav {
        let role = session.principal.role().unwrap_or(Role::Body);
        let username = match &session.principal {
            domain::Principal::User { username, .. } => username.clone(),
            other => other.actor(),
        };
        Nav {
            username,
            role_zh: role.label_zh(),
            is_staff: session.is_staff(),
            is_admin: role == Role::Admin,
            csrf: session.csrf.clone(),
            full: true,
        }
    }
}

/// Why a console page could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// No session, or its token expired or was revoked: go to the login page.
    #[error("login required")]
    LoginRequired,
    /// A state-changing request from another site, or without the session's CSRF token.
    #[error("cross-site request refused")]
    CrossSite,
    /// A use case refused or failed.
    #[error(transparent)]
    Domain(#[from] domain::Error),
    /// A template failed to render.
    #[error("template: {0}")]
    Render(#[from] askama::Error),
}

#[derive(Template)]
#[template(path = "console/error.html")]
struct ErrorPage<'a> {
    nav: Option<Nav>,
    title: &'a str,
    message: &'a str,
}

impl ResponseError for ConsoleError {
    fn status_code(&self) -> StatusCode {
        match self {
            ConsoleError::LoginRequired => StatusCode::SEE_OTHER,
            ConsoleError::CrossSite => StatusCode::FORBIDDEN,
            ConsoleError::Domain(e) => {
                StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
            ConsoleError::Render(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (title, message) = match self {
            ConsoleError::LoginRequired => return see_other("/console/login"),
            ConsoleError::CrossSite => (
                "请求被拒绝",
                "该请求不是从本系统的页面发出的，已被拒绝。请回到页面重新操作。".to_string(),
            ),
            ConsoleError::Domain(e) if e.code == ErrorCode::NotFound => (
                "页面不存在",
                "您要找的页面不存在，或您无权查看。".to_string(),
            ),
            ConsoleError::Domain(e) if e.code == ErrorCode::Forbidden => {
                ("无权访问", "您的角色无权执行此操作。".to_string())
            }
            ConsoleError::Domain(e) => ("操作未完成", chinese_part(&e.message).to_string()),
            ConsoleError::Render(e) => {
                let e = domain::Error::internal(e);
                ("页面出错", chinese_part(&e.message).to_string())
            }
        };
        let body = ErrorPage {
            nav: None,
            title,
            message: &message,
        }
        .render()
        .unwrap_or_else(|_| title.to_string());
        let mut response = html_response(self.status_code(), body);
        response.extensions_mut().insert(ErrorText {
            title: title.to_string(),
            message,
        });
        response
    }
}

/// What an error page says, kept on the response so that [`logout_on_error_pages`] can render
/// it again with the way out.
#[derive(Debug, Clone)]
struct ErrorText {
    title: String,
    message: String,
}

/// Error pages are rendered where no session is at hand; for a request that has one, they are
/// rendered again with the layout's 首页 link and 退出登录 button, like every other page.
pub async fn logout_on_error_pages(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<
    actix_web::dev::ServiceResponse<actix_web::body::EitherBody<impl actix_web::body::MessageBody>>,
    actix_web::Error,
> {
    let token = req
        .cookie(super::session::COOKIE)
        .map(|c| c.value().to_string())
        .filter(|t| !t.is_empty());
    let res = next.call(req).await?;
    let text = res.response().extensions().get::<ErrorText>().cloned();
    match (token, text) {
        (Some(token), Some(text)) => {
            let status = res.status();
            let page = ErrorPage {
                nav: Some(Nav {
                    username: String::new(),
                    role_zh: "",
                    is_staff: false,
                    is_admin: false,
                    csrf: super::session::csrf_of(&token),
                    full: false,
                }),
                title: &text.title,
                message: &text.message,
            };
            let body = page.render().map_err(ConsoleError::from)?;
            let (req, _) = res.into_parts();
            Ok(
                actix_web::dev::ServiceResponse::new(req, html_response(status, body))
                    .map_into_right_body(),
            )
        }
        _ => Ok(res.map_into_left_body()),
    }
}

/// The Chinese half of a `中文 / English` message.
pub fn chinese_part(message: &str) -> &str {
    message.split(" / ").next().unwrap_or(message)
}

/// An HTML page with the console's headers: never cached, never framed, no script or style
/// from elsewhere, no referrer at all (`crate::headers` sets the last on every answer too).
/// Under `no-referrer` browsers send `Origin: null` with the console's own forms; the
/// cross-site check then trusts the browser's `Sec-Fetch-Site: same-origin` instead
/// (`session::refuse_cross_site`).
pub fn html_response(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
             script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .body(body)
}

/// A rendered page, 200.
pub fn html(template: &impl Template) -> Result<HttpResponse, ConsoleError> {
    Ok(html_response(StatusCode::OK, template.render()?))
}

/// 303 to another page (after a form, or to the login).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
        .insert_header(("Cache-Control", "no-store"))
        .finish()
}

/// Any console address that is no page: a Chinese 404 page.
pub async fn unknown_page() -> HttpResponse {
    ConsoleError::Domain(domain::Error::not_found(domain::Noun::Route)).error_response()
}
