//! Logging in and out of the console. A wrong password shows 用户名或密码错误 on the page, and
//! a locked-out name the throttle's wait, in Chinese.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::page::{ConsoleError, Nav, chinese_part, html, html_response, see_other};
use super::session::{self, Session};
use crate::domain::ErrorCode;
use crate::domain::sessions::{self, Grant};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    nav: Option<Nav>,
    username: String,
    error: Option<String>,
}

/// The login form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

/// The logout form.
#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    csrf: String,
}

/// `GET /console/login`.
pub async fn form() -> Result<HttpResponse, ConsoleError> {
    html(&LoginPage {
        nav: None,
        username: String::new(),
        error: None,
    })
}

/// `POST /console/login`: the session cookie and the way home, or the form again with what
/// went wrong.
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, ConsoleError> {
    let LoginForm { username, password } = form.into_inner();
    let address = state.client_address(&req);
    let grant = Grant::Password {
        username: username.clone(),
        password,
    };
    match state.sign_in(grant, address).await {
        Ok(token) => Ok(HttpResponse::SeeOther()
            .insert_header(("Location", "/console/"))
            .insert_header(("Cache-Control", "no-store"))
            .cookie(session::session_cookie(
                &token,
                state.keys.ttl_seconds(),
                state.config.cookie_secure,
            ))
            .finish()),
        Err(e) if matches!(e.code, ErrorCode::Unauthorized | ErrorCode::TooManyAttempts) => {
            let status = StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::UNAUTHORIZED);
            let page = LoginPage {
                nav: None,
                username,
                error: Some(chinese_part(&e.message).to_string()),
            };
            let mut response = html_response(status, page.render()?);
            if let Some(wait) = e.retry_after
                && let Ok(value) = actix_web::http::header::HeaderValue::from_str(&wait.to_string())
            {
                response
                    .headers_mut()
                    .insert(actix_web::http::header::RETRY_AFTER, value);
            }
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /console/logout`: ends every token of the person and clears the cookie.
pub async fn logout(
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<LogoutForm>,
) -> Result<HttpResponse, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    state.run(&session.principal, sessions::revoke).await?;
    let mut response = see_other("/console/login");
    response
        .add_cookie(&session::cleared_cookie(state.config.cookie_secure))
        .map_err(|e| ConsoleError::Domain(crate::domain::Error::internal(e)))?;
    Ok(response)
}
