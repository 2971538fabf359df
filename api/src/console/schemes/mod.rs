//! `/console/schemes`: the evaluation schemes for staff. A new draft starts from the active
//! version; its page edits the weights, rule parameters, deduction thresholds, grade bands
//! and warning rules in a form, with each problem the validation finds beside its field;
//! picks a year with a final evaluation and shows what the draft would change there, with
//! the workbook and the brief to download; and activates it behind a confirmation that shows
//! the last analysis and asks for a written reason.

mod activate;
mod form;
mod shown;

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::downloads::deliver;
use super::page::{ConsoleError, Nav, chinese_part, html_response, see_other};
use super::session::Session;
use super::warnings_staff::kit::{Choice, FieldErrors, field_errors, given, require};
use crate::db::models::scheme::SchemeRow;
use crate::domain::documents::impact as documents;
use crate::domain::policy::Staff;
use crate::domain::schemes::impact::{self, ImpactRequest};
use crate::domain::states::SchemeStatus;
use crate::domain::{self, ErrorCode, TextEnum, schemes};
use crate::state::AppState;

pub use activate::{activate, confirm_activate};
use form::{Builder, Sections};
use shown::ImpactShown;

/// One scheme in the list.
struct Listed {
    id: String,
    name: String,
    code: String,
    version: i32,
    status: &'static str,
    activated_at: String,
}

#[derive(Template)]
#[template(path = "console/scheme_list.html")]
struct ListPage {
    nav: Option<Nav>,
    schemes: Vec<Listed>,
    error: String,
}

fn status_label(row: &SchemeRow) -> &'static str {
    SchemeStatus::parse(&row.status).map_or("", |s| s.label_zh())
}

fn local(t: chrono::NaiveDateTime) -> String {
    t.and_utc()
        .with_timezone(&pubeval_scoring::incident::REGULATOR_TIMEZONE)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

async fn list_page(
    state: &AppState,
    session: &Session,
    status: StatusCode,
    error: String,
) -> Result<HttpResponse, ConsoleError> {
    require::<Staff>(session)?;
    let rows = state.run(&session.principal, schemes::list).await?;
    let page = ListPage {
        nav: Some(Nav::of(session)),
        schemes: rows
            .iter()
            .map(|r| Listed {
                id: r.id.clone(),
                name: r.name.clone(),
                code: r.code.clone(),
                version: r.version,
                status: status_label(r),
                activated_at: r.activated_at.map(local).unwrap_or_default(),
            })
            .collect(),
        error,
    };
    Ok(html_response(status, page.render()?))
}

/// `GET /console/schemes`: every scheme, and the button that starts a new draft.
pub async fn list(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, ConsoleError> {
    list_page(&state, &session, StatusCode::OK, String::new()).await
}

/// A form that carries only the CSRF token.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /console/schemes/new`: a draft copied from the active scheme, one version up.
pub async fn new_draft(
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    require::<Staff>(&session)?;
    match state
        .run(&session.principal, schemes::draft_from_active)
        .await
    {
        Ok(row) => Ok(see_other(&format!("/console/schemes/{}", row.id))),
        Err(e) if e.code.status() == 409 => {
            let message = chinese_part(&e.message).to_string();
            list_page(&state, &session, StatusCode::CONFLICT, message).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "console/scheme.html")]
struct SchemePage {
    nav: Option<Nav>,
    id: String,
    name: String,
    code: String,
    version: i32,
    status: &'static str,
    draft: bool,
    sections: Sections,
    /// A problem that has no field of the form (or the form's summary).
    errors: Vec<String>,
    /// How many problems a refused save had.
    invalid: usize,
    saved: bool,
    years: Vec<Choice>,
    baselines: Vec<Choice>,
    impact: Option<ImpactShown>,
    impact_error: String,
}

/// What the page shows besides the stored scheme.
#[derive(Default)]
struct Shown {
    typed: BTreeMap<String, String>,
    field_errors: FieldErrors,
    errors: Vec<String>,
    saved: bool,
    year: String,
    baseline: String,
    impact: Option<ImpactShown>,
    impact_error: String,
}

async fn scheme_page(
    state: &AppState,
    session: &Session,
    id: String,
    shown: Shown,
    status: StatusCode,
) -> Result<HttpResponse, ConsoleError> {
    require::<Staff>(session)?;
    let (row, years, all) = state
        .run(&session.principal, move |conn, ctx| {
            let row = schemes::get(conn, ctx, &id)?;
            Ok((
                row,
                impact::final_years(conn, ctx)?,
                schemes::list(conn, ctx)?,
            ))
        })
        .await?;
    let document: serde_json::Value =
        serde_json::from_str(&row.definition).map_err(domain::Error::internal)?;
    let sections = Builder::new(&document, &shown.typed, &shown.field_errors).sections();
    let default_year = years.first().map(i32::to_string).unwrap_or_default();
    let year = if shown.year.is_empty() {
        default_year
    } else {
        shown.year.clone()
    };
    let mut baselines = vec![Choice::new("", "该年度评价所用方案", &shown.baseline)];
    baselines.extend(all.iter().filter(|s| s.id != row.id).map(|s| {
        Choice::new(
            s.id.clone(),
            format!("{}（第 {} 版，{}）", s.name, s.version, status_label(s)),
            &shown.baseline,
        )
    }));
    let page = SchemePage {
        nav: Some(Nav::of(session)),
        draft: SchemeStatus::parse(&row.status) == Some(SchemeStatus::Draft),
        status: status_label(&row),
        id: row.id,
        name: row.name,
        code: row.code,
        version: row.version,
        sections,
        invalid: shown.errors.len() + shown.field_errors.len(),
        errors: shown.errors,
        saved: shown.saved,
        years: years
            .iter()
            .map(|y| Choice::new(y.to_string(), format!("{y} 年度"), &year))
            .collect(),
        baselines,
        impact: shown.impact,
        impact_error: shown.impact_error,
    };
    Ok(html_response(status, page.render()?))
}

/// `?saved=1` after a save.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// `GET /console/schemes/{id}`: the scheme's form (read-only unless a draft) and the impact
/// analysis.
pub async fn page(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let shown = Shown {
        saved: query.saved.is_some(),
        ..Shown::default()
    };
    scheme_page(&state, &session, id.into_inner(), shown, StatusCode::OK).await
}

/// The form as sent: every field by its path, and the CSRF token.
fn sent_fields(form: Vec<(String, String)>) -> (String, BTreeMap<String, String>) {
    let mut csrf = String::new();
    let mut fields = BTreeMap::new();
    for (k, v) in form {
        if k == "csrf" {
            csrf = v;
        } else {
            fields.insert(k, v);
        }
    }
    (csrf, fields)
}

/// A refusal's problems: those of the form's fields beside them, the rest in a list.
fn placed(e: &domain::Error, typed: &BTreeMap<String, String>) -> (FieldErrors, Vec<String>) {
    let all = field_errors(e, "").unwrap_or_default();
    let mut errors = Vec::new();
    let mut beside = FieldErrors::new();
    for (field, problem) in all {
        if typed.contains_key(&field) {
            beside.insert(field, problem);
        } else {
            errors.push(format!("{field}：{problem}"));
        }
    }
    if beside.is_empty() && errors.is_empty() {
        errors.push(chinese_part(&e.message).to_string());
    }
    (beside, errors)
}

/// `POST /console/schemes/{id}`: saves the draft's fields; a refusal shows the form as typed
/// with every problem beside its field.
pub async fn save(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, ConsoleError> {
    let (csrf, typed) = sent_fields(form.into_inner());
    session.check_csrf(&csrf)?;
    require::<Staff>(&session)?;
    let id = id.into_inner();
    let target = id.clone();
    let sent = typed.clone();
    let outcome = state
        .run(&session.principal, move |conn, ctx| {
            let row = schemes::get(conn, ctx, &target)?;
            let mut document: serde_json::Value =
                serde_json::from_str(&row.definition).map_err(domain::Error::internal)?;
            let (none, no_errors) = (BTreeMap::new(), FieldErrors::new());
            let mut builder = Builder::new(&document, &none, &no_errors);
            builder.sections();
            let kinds = builder.kinds;
            let problems = form::apply(&mut document, &kinds, &sent);
            if !problems.is_empty() {
                return Err(domain::Error::validation(&problems));
            }
            schemes::update_draft(conn, ctx, &target, document.to_string())
        })
        .await;
    match outcome {
        Ok(_) => Ok(see_other(&format!("/console/schemes/{id}?saved=1"))),
        Err(e)
            if matches!(
                e.code,
                ErrorCode::ValidationFailed | ErrorCode::InvalidTransition
            ) =>
        {
            let status = StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::CONFLICT);
            let (field_errors, errors) = placed(&e, &typed);
            let shown = Shown {
                typed,
                field_errors,
                errors,
                ..Shown::default()
            };
            scheme_page(&state, &session, id, shown, status).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The impact form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ImpactForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    year: Option<String>,
    #[serde(default)]
    baseline: Option<String>,
}

fn request_of(year: &Option<String>, baseline: &Option<String>) -> domain::Result<ImpactRequest> {
    let year = given(year)
        .ok_or_else(|| domain::Error::invalid_field("year", "请选择年度", "year is required"))?
        .parse::<i32>()
        .map_err(|_| {
            domain::Error::invalid_field("year", "年度须为整数", "year must be a whole number")
        })?;
    Ok(ImpactRequest {
        year,
        baseline: given(baseline),
    })
}

/// `POST /console/schemes/{id}/impact`: analyses the scheme on the chosen year (recorded for
/// its activation) and shows the result on the scheme's page.
pub async fn analyse(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<ImpactForm>,
) -> Result<HttpResponse, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    require::<Staff>(&session)?;
    let form = form.into_inner();
    let id = id.into_inner();
    let mut shown = Shown {
        year: given(&form.year).unwrap_or_default(),
        baseline: given(&form.baseline).unwrap_or_default(),
        ..Shown::default()
    };
    let target = id.clone();
    let request = request_of(&form.year, &form.baseline);
    let outcome = match request {
        Ok(request) => {
            state
                .run(&session.principal, move |conn, ctx| {
                    impact::impact(conn, ctx, &target, &request)
                })
                .await
        }
        Err(e) => Err(e),
    };
    let status = match outcome {
        Ok(analysed) => {
            let baseline = given(&form.baseline);
            shown.impact = Some(
                web::block(move || ImpactShown::of(&analysed, baseline.as_deref()))
                    .await
                    .map_err(domain::Error::internal)?,
            );
            StatusCode::OK
        }
        Err(e) if (400..500).contains(&e.code.status()) && e.code != ErrorCode::Forbidden => {
            let mut message = chinese_part(&e.message).to_string();
            for d in e.details.iter().take(5) {
                message.push_str(&format!("；{}：{}", d.field, chinese_part(&d.problem)));
            }
            shown.impact_error = message;
            StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::CONFLICT)
        }
        Err(e) => return Err(e.into()),
    };
    scheme_page(&state, &session, id, shown, status).await
}

/// The year (and baseline) of a download.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DownloadQuery {
    #[serde(default)]
    year: Option<String>,
    #[serde(default)]
    baseline: Option<String>,
}

/// `GET /console/schemes/{id}/impact.xlsx?year=Y`: the workbook.
pub async fn impact_xlsx(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    query: web::Query<DownloadQuery>,
) -> Result<HttpResponse, ConsoleError> {
    require::<Staff>(&session)?;
    let request = request_of(&query.year, &query.baseline)?;
    let id = id.into_inner();
    let document = state
        .document(
            &session.principal,
            move |conn, ctx| Ok((documents::load(conn, ctx, &id, &request)?, None)),
            |loaded| loaded.xlsx(),
        )
        .await?;
    Ok(deliver(
        document,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        false,
    ))
}

/// `GET /console/schemes/{id}/impact.pdf?year=Y`: the brief.
pub async fn impact_pdf(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    query: web::Query<DownloadQuery>,
) -> Result<HttpResponse, ConsoleError> {
    require::<Staff>(&session)?;
    let request = request_of(&query.year, &query.baseline)?;
    let id = id.into_inner();
    let document = state
        .typeset_document(
            &session.principal,
            move |conn, ctx| Ok((documents::load(conn, ctx, &id, &request)?, None)),
            |loaded, typesetter| loaded.pdf(typesetter),
        )
        .await?;
    Ok(deliver(document, "application/pdf", true))
}
