//! `/console/users` (admins): every user a page at a time, the form that creates one (username,
//! password, role, and the body of a body user by its approval number), and on each row the
//! forms that disable the user or set a new password.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::console::home::china_time;
use crate::console::incidents::find_body;
use crate::console::page::{ConsoleError, Nav, chinese_part, html_response, see_other};
use crate::console::session::Session;
use crate::console::warnings_staff::kit::{
    Choice, FieldErrors, PER_PAGE, Pager, field_errors, given, page_of, require, shown_on_form,
};
use crate::domain::policy::AdminOnly;
use crate::domain::users::{self, NewUser};
use crate::domain::{self, Error, ErrorCode, Role, bodies};
use crate::state::AppState;

/// The page asked for, and what was just done.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UsersQuery {
    /// The page, from 1.
    pub page: Option<String>,
    /// `created`, `disabled` or `password`: the sentence saying it was done.
    pub done: Option<String>,
}

/// One user in the list.
#[derive(Debug, Clone)]
pub struct UserLine {
    /// Row id.
    pub id: String,
    /// Username.
    pub username: String,
    /// The role in Chinese.
    pub role: &'static str,
    /// The body of a body user: name and approval number.
    pub body: String,
    /// Disabled.
    pub disabled: bool,
    /// Created, on the regulator's calendar.
    pub created: String,
    /// The problem of a refused password reset of this user.
    pub problem: String,
}

#[derive(Template)]
#[template(path = "console/user_list.html")]
struct UsersPage {
    nav: Option<Nav>,
    users: Vec<UserLine>,
    pager: Pager,
    roles: Vec<Choice>,
    typed: BTreeMap<&'static str, String>,
    errors: FieldErrors,
    error: String,
    done: &'static str,
}

impl UsersPage {
    fn typed(&self, field: &str) -> &str {
        self.typed.get(field).map_or("", String::as_str)
    }

    fn problem(&self, field: &str) -> &str {
        self.errors.get(field).map_or("", String::as_str)
    }
}

/// The creation form, as sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    csrf: String,
    username: Option<String>,
    password: Option<String>,
    role: Option<String>,
    body: Option<String>,
}

/// The form of a user's row: disabling needs only the token; a reset the new password.
#[derive(Debug, Deserialize)]
pub struct RowForm {
    #[serde(default)]
    csrf: String,
    password: Option<String>,
}

/// What a refused form leaves on the page.
#[derive(Debug, Default)]
struct Refusal {
    error: Option<domain::Error>,
    typed: NewUserForm,
    /// The user whose password reset was refused.
    reset_of: Option<String>,
}

fn done_text(done: Option<&str>) -> &'static str {
    match done {
        Some("created") => "已创建用户。",
        Some("disabled") => "已停用该用户，其登录已全部失效。",
        Some("password") => "已重置密码，该用户原有的登录已全部失效。",
        _ => "",
    }
}

async fn render(
    state: &AppState,
    session: &Session,
    page: i64,
    offset: i64,
    refusal: Refusal,
    done: &'static str,
) -> Result<HttpResponse, ConsoleError> {
    let (rows, total) = state
        .run(&session.principal, move |conn, ctx| {
            let (users, total) = users::page(conn, offset, PER_PAGE)?;
            let mut rows = Vec::with_capacity(users.len());
            for u in users {
                let body = match &u.body_id {
                    Some(b) => bodies::get(conn, ctx, b)
                        .map(|b| format!("{}（{}）", b.name, b.approval_no))
                        .unwrap_or_else(|_| b.clone()),
                    None => String::new(),
                };
                rows.push((u, body));
            }
            Ok((rows, total))
        })
        .await?;
    let e = refusal.error.as_ref();
    let status = e.map_or(StatusCode::OK, |e| {
        StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::BAD_REQUEST)
    });
    let mut errors = FieldErrors::new();
    let mut row_problem = String::new();
    if let Some(e) = e {
        let fields = field_errors(e, "").unwrap_or_default();
        if refusal.reset_of.is_some() {
            row_problem = fields.values().cloned().collect::<Vec<_>>().join("；");
        } else {
            errors = fields;
            if let Some(m) = errors.remove("body_id") {
                errors.insert("body".into(), m);
            }
            if e.code == ErrorCode::UsernameTaken {
                errors.insert("username".into(), chinese_part(&e.message).to_string());
            }
        }
    }
    let users = rows
        .into_iter()
        .map(|(u, body)| UserLine {
            role: Role::from_code(&u.role).map_or("", Role::label_zh),
            body,
            disabled: u.disabled != 0,
            created: china_time(u.created_at),
            problem: if refusal.reset_of.as_deref() == Some(u.id.as_str()) {
                row_problem.clone()
            } else {
                String::new()
            },
            username: u.username,
            id: u.id,
        })
        .collect();
    let typed = &refusal.typed;
    let role_now = given(&typed.role).unwrap_or_default();
    let mut roles = vec![Choice::new("", "请选择", &role_now)];
    roles.extend(
        [Role::Body, Role::Analyst, Role::Admin]
            .iter()
            .map(|r| Choice::new(r.code(), r.label_zh(), &role_now)),
    );
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let page = UsersPage {
        nav: Some(Nav::of(session)),
        users,
        pager: Pager::new("/console/users", &[], page, total),
        roles,
        typed: [
            ("username", value(&typed.username)),
            ("body", value(&typed.body)),
        ]
        .into_iter()
        .collect(),
        error: e
            .map(|e| chinese_part(&e.message).to_string())
            .unwrap_or_default(),
        errors,
        done,
    };
    Ok(html_response(status, page.render()?))
}

/// `GET /console/users`.
pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<UsersQuery>,
) -> Result<HttpResponse, ConsoleError> {
    require::<AdminOnly>(&session)?;
    let (page, offset) = page_of(&query.page)?;
    let done = done_text(query.done.as_deref());
    render(&state, &session, page, offset, Refusal::default(), done).await
}

fn admitted(session: &Session, csrf: &str) -> Result<(), ConsoleError> {
    session.check_csrf(csrf)?;
    require::<AdminOnly>(session)
}

/// The list again after a refusal, or the way back to it with what was done.
async fn finish(
    state: &AppState,
    session: &Session,
    outcome: domain::Result<()>,
    done: &str,
    refusal: impl FnOnce(domain::Error) -> Refusal,
) -> Result<HttpResponse, ConsoleError> {
    match outcome {
        Ok(()) => Ok(see_other(&format!("/console/users?done={done}"))),
        Err(e) if shown_on_form(&e) => render(state, session, 1, 0, refusal(e), "").await,
        Err(e) => Err(e.into()),
    }
}

/// `POST /console/users`: creates a user.
pub async fn create(
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<NewUserForm>,
) -> Result<HttpResponse, ConsoleError> {
    admitted(&session, &form.csrf)?;
    let form = form.into_inner();
    let sent = form.clone();
    let outcome = state
        .run(&session.principal, move |conn, ctx| {
            let role = given(&sent.role)
                .and_then(|r| Role::from_code(&r))
                .ok_or_else(|| Error::invalid_field("role", "请选择角色", "choose a role"))?;
            let body_id = match given(&sent.body) {
                None => None,
                Some(named) => match find_body(conn, ctx, &named)? {
                    Some(b) => Some(b.id),
                    None => {
                        return Err(Error::invalid_field(
                            "body",
                            &format!("未找到批准号为 {named} 的机构"),
                            "no such body",
                        ));
                    }
                },
            };
            let new = NewUser {
                username: given(&sent.username).unwrap_or_default(),
                password: sent.password.unwrap_or_default(),
                role,
                body_id,
            };
            users::create(conn, ctx, new).map(|_| ())
        })
        .await;
    finish(&state, &session, outcome, "created", move |e| Refusal {
        error: Some(e),
        typed: form,
        reset_of: None,
    })
    .await
}

/// `POST /console/users/{id}/disable`.
pub async fn disable(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<RowForm>,
) -> Result<HttpResponse, ConsoleError> {
    admitted(&session, &form.csrf)?;
    let id = id.into_inner();
    let outcome = state
        .run(&session.principal, move |conn, ctx| {
            users::disable(conn, ctx, &id).map(|_| ())
        })
        .await;
    finish(&state, &session, outcome, "disabled", |e| Refusal {
        error: Some(e),
        ..Refusal::default()
    })
    .await
}

/// `POST /console/users/{id}/password`: sets a new password.
pub async fn reset_password(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<RowForm>,
) -> Result<HttpResponse, ConsoleError> {
    admitted(&session, &form.csrf)?;
    let (id, form) = (id.into_inner(), form.into_inner());
    let (target, password) = (id.clone(), form.password.unwrap_or_default());
    let outcome = state
        .run(&session.principal, move |conn, ctx| {
            users::reset_password(conn, ctx, &target, &password)
        })
        .await;
    finish(&state, &session, outcome, "password", move |e| Refusal {
        error: Some(e),
        reset_of: Some(id),
        ..Refusal::default()
    })
    .await
}
