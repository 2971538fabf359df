//! `/console/clients` (admins): the external systems that read the platform, the form that
//! creates one (name and scopes), and on each row the forms that disable it or give it a new
//! secret. A secret — a new client's, or a rotated one — is shown once, on the page that
//! answers the form, and never again.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::console::home::china_time;
use crate::console::page::{ConsoleError, Nav, chinese_part, html, html_response, see_other};
use crate::console::session::Session;
use crate::console::warnings_staff::kit::{
    FieldErrors, PER_PAGE, Pager, field_errors, given, page_of, require, shown_on_form,
};
use crate::domain::clients::{self, Credentials};
use crate::domain::policy::AdminOnly;
use crate::domain::{self, Scope};
use crate::state::AppState;

/// What a scope lets a client read, in Chinese.
fn scope_zh(scope: Scope) -> &'static str {
    match scope {
        Scope::ResultsRead => "读取评价结果",
        Scope::BodiesRead => "读取机构名录",
        Scope::WarningsRead => "读取风险警示",
    }
}

/// The scopes of a stored client, in Chinese.
fn scopes_text(codes: &str) -> String {
    codes
        .split_whitespace()
        .map(|c| Scope::from_code(c).map_or_else(|| c.to_string(), |s| scope_zh(s).to_string()))
        .collect::<Vec<_>>()
        .join("、")
}

/// The page asked for, and what was just done.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ClientsQuery {
    /// The page, from 1.
    pub page: Option<String>,
    /// `disabled`: the sentence saying it was done.
    pub done: Option<String>,
}

/// One client in the list.
#[derive(Debug, Clone)]
pub struct ClientLine {
    /// Row id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Public client id.
    pub client_id: String,
    /// Its scopes in Chinese.
    pub scopes: String,
    /// Disabled.
    pub disabled: bool,
    /// Created, on the regulator's calendar.
    pub created: String,
}

/// A scope's checkbox on the creation form.
#[derive(Debug, Clone)]
pub struct ScopeBox {
    /// The form field.
    pub field: &'static str,
    /// What it allows, in Chinese.
    pub label: &'static str,
    /// The scope's code.
    pub code: &'static str,
    /// Ticked.
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "console/client_list.html")]
struct ClientsPage {
    nav: Option<Nav>,
    clients: Vec<ClientLine>,
    pager: Pager,
    scopes: Vec<ScopeBox>,
    name: String,
    errors: FieldErrors,
    error: String,
    done: &'static str,
}

impl ClientsPage {
    fn problem(&self, field: &str) -> &str {
        self.errors.get(field).map_or("", String::as_str)
    }
}

#[derive(Template)]
#[template(path = "console/client_secret.html")]
struct SecretPage {
    nav: Option<Nav>,
    heading: &'static str,
    client_id: String,
    secret: String,
    scopes: String,
}

/// The creation form, as sent: one checkbox per scope.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewClientForm {
    #[serde(default)]
    csrf: String,
    name: Option<String>,
    scope_results: Option<String>,
    scope_bodies: Option<String>,
    scope_warnings: Option<String>,
}

impl NewClientForm {
    /// Each scope's form field, scope and whether it is ticked.
    fn boxes(&self) -> [(&'static str, Scope, bool); 3] {
        [
            (
                "scope_results",
                Scope::ResultsRead,
                self.scope_results.is_some(),
            ),
            (
                "scope_bodies",
                Scope::BodiesRead,
                self.scope_bodies.is_some(),
            ),
            (
                "scope_warnings",
                Scope::WarningsRead,
                self.scope_warnings.is_some(),
            ),
        ]
    }
}

/// The form of a client's row.
#[derive(Debug, Deserialize)]
pub struct RowForm {
    #[serde(default)]
    csrf: String,
}

async fn render(
    state: &AppState,
    session: &Session,
    (page, offset): (i64, i64),
    refused: Option<(domain::Error, NewClientForm)>,
    done: &'static str,
) -> Result<HttpResponse, ConsoleError> {
    let (rows, total) = state
        .run(&session.principal, move |conn, _| {
            clients::page(conn, offset, PER_PAGE)
        })
        .await?;
    let (status, error, errors, form) = match refused {
        None => (
            StatusCode::OK,
            String::new(),
            FieldErrors::new(),
            NewClientForm::default(),
        ),
        Some((e, form)) => {
            let mut errors = field_errors(&e, "").unwrap_or_default();
            // "scopes[0]" and the like: the problem belongs beside the group of boxes.
            let scope_problems: Vec<String> = errors
                .iter()
                .filter(|(k, _)| k.starts_with("scopes"))
                .map(|(_, v)| v.clone())
                .collect();
            errors.retain(|k, _| !k.starts_with("scopes"));
            if !scope_problems.is_empty() {
                errors.insert("scopes".into(), scope_problems.join("；"));
            }
            (
                StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::BAD_REQUEST),
                chinese_part(&e.message).to_string(),
                errors,
                form,
            )
        }
    };
    let page = ClientsPage {
        nav: Some(Nav::of(session)),
        clients: rows
            .into_iter()
            .map(|c| ClientLine {
                scopes: scopes_text(&c.scopes),
                disabled: c.disabled != 0,
                created: china_time(c.created_at),
                id: c.id,
                name: c.name,
                client_id: c.client_id,
            })
            .collect(),
        pager: Pager::new("/console/clients", &[], page, total),
        scopes: form
            .boxes()
            .iter()
            .map(|(field, scope, checked)| ScopeBox {
                field,
                label: scope_zh(*scope),
                code: scope.code(),
                checked: *checked,
            })
            .collect(),
        name: form.name.clone().unwrap_or_default(),
        errors,
        error,
        done,
    };
    Ok(html_response(status, page.render()?))
}

/// `GET /console/clients`.
pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<ClientsQuery>,
) -> Result<HttpResponse, ConsoleError> {
    require::<AdminOnly>(&session)?;
    let page = page_of(&query.page)?;
    let done = match query.done.as_deref() {
        Some("disabled") => "已停用该外部系统，其令牌已全部失效。",
        _ => "",
    };
    render(&state, &session, page, None, done).await
}

fn admitted(session: &Session, csrf: &str) -> Result<(), ConsoleError> {
    session.check_csrf(csrf)?;
    require::<AdminOnly>(session)
}

/// The page that shows a secret, this once.
fn secret_page(
    session: &Session,
    heading: &'static str,
    c: Credentials,
) -> Result<HttpResponse, ConsoleError> {
    html(&SecretPage {
        nav: Some(Nav::of(session)),
        heading,
        client_id: c.client_id,
        secret: c.client_secret,
        scopes: scopes_text(&c.scopes.join(" ")),
    })
}

/// `POST /console/clients`: creates a client and shows its secret, once.
pub async fn create(
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<NewClientForm>,
) -> Result<HttpResponse, ConsoleError> {
    admitted(&session, &form.csrf)?;
    let form = form.into_inner();
    let name = given(&form.name).unwrap_or_default();
    let scopes: Vec<String> = form
        .boxes()
        .iter()
        .filter(|(_, _, ticked)| *ticked)
        .map(|(_, s, _)| s.code().to_string())
        .collect();
    let keys = state.keys.clone();
    match state
        .run(&session.principal, move |conn, ctx| {
            clients::create(conn, ctx, keys.client_secrets(), &name, &scopes)
        })
        .await
    {
        Ok(c) => secret_page(&session, "外部系统已创建", c),
        Err(e) if shown_on_form(&e) => render(&state, &session, (1, 0), Some((e, form)), "").await,
        Err(e) => Err(e.into()),
    }
}

/// `POST /console/clients/{id}/rotate`: a new secret, shown once; the old one stops working.
pub async fn rotate(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<RowForm>,
) -> Result<HttpResponse, ConsoleError> {
    admitted(&session, &form.csrf)?;
    let id = id.into_inner();
    let keys = state.keys.clone();
    let c = state
        .run(&session.principal, move |conn, ctx| {
            clients::rotate(conn, ctx, keys.client_secrets(), &id)
        })
        .await?;
    secret_page(&session, "密钥已更换", c)
}

/// `POST /console/clients/{id}/disable`.
pub async fn disable(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<RowForm>,
) -> Result<HttpResponse, ConsoleError> {
    admitted(&session, &form.csrf)?;
    let id = id.into_inner();
    state
        .run(&session.principal, move |conn, ctx| {
            clients::disable(conn, ctx, &id)
        })
        .await?;
    Ok(see_other("/console/clients?done=disabled"))
}
