//! The console (DESIGN.md §8): server-rendered pages in Simplified Chinese (askama templates
//! compiled into the binary), plain forms and our own stylesheet, over the same use cases as the
//! JSON API. The pages call `domain` through [`AppState::run`](crate::state::AppState::run),
//! never the JSON API.

mod admin;
mod assets;
mod audit;
mod bodies;
mod cycles;
mod downloads;
mod evaluations;
mod home;
mod incident_new;
mod incidents;
mod login;
mod notice;
mod objections;
pub mod page;
mod report;
mod results;
mod schemes;
pub mod session;
mod warnings;
mod warnings_body;
mod warnings_staff;

use actix_web::{HttpResponse, web};

/// Registers the console's pages: `/` leads to `/console/`, which leads to the login page when
/// no one is logged in; an unknown console page is a Chinese 404 page.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(to_console)).service(
        web::scope("/console")
            .route("", web::get().to(to_console))
            .route("/", web::get().to(home::home))
            .route("/login", web::get().to(login::form))
            .route("/login", web::post().to(login::submit))
            .route("/logout", web::post().to(login::logout))
            .route("/static/console.css", web::get().to(assets::stylesheet))
            .route("/cycles/{year}", web::get().to(cycles::page))
            .route("/cycles/{year}/export", web::get().to(cycles::export))
            .route("/cycles/{year}/evaluate", web::post().to(cycles::evaluate))
            .route(
                "/cycles/{year}/evaluations/{id}",
                web::get().to(cycles::progress),
            )
            .route("/bodies/{id}", web::get().to(bodies::page))
            .route(
                "/bodies/{id}/reports/{year}/accept",
                web::post().to(bodies::accept),
            )
            .route(
                "/bodies/{id}/reports/{year}/return",
                web::post().to(bodies::return_report),
            )
            .route("/flags/{id}/clear", web::post().to(bodies::clear_flag))
            .route(
                "/flags/{id}/request_evidence",
                web::post().to(bodies::request_evidence),
            )
            .route("/report/{year}", web::get().to(report::page))
            .route("/report/{year}", web::post().to(report::post))
            .route(
                "/report/{year}/template.xlsx",
                web::get().to(report::template),
            )
            .route("/report/{year}/xlsx", web::post().to(report::upload))
            .route("/warnings/{id}/notice.html", web::get().to(notice::html))
            .route("/warnings/{id}/notice.pdf", web::get().to(notice::pdf))
            .route(
                "/warnings/{id}/issue",
                web::post().to(warnings_staff::issue),
            )
            .route(
                "/warnings/{id}/withdraw",
                web::post().to(warnings_staff::withdraw),
            )
            .route(
                "/warnings/{id}/close",
                web::post().to(warnings_staff::close),
            )
            .route(
                "/warnings/{id}/send-back",
                web::post().to(warnings_staff::send_back),
            )
            .route(
                "/warnings/{id}/escalate",
                web::post().to(warnings_staff::escalate),
            )
            .route("/warnings", web::get().to(warnings::list))
            .route("/warnings/{id}", web::get().to(warnings::detail))
            .route(
                "/warnings/{id}/acknowledge",
                web::post().to(warnings_body::acknowledge),
            )
            .route(
                "/warnings/{id}/rectification",
                web::post().to(warnings_body::rectification),
            )
            .route("/incidents", web::get().to(incidents::list))
            .route("/incidents/record", web::get().to(incidents::form))
            .route("/incidents/record", web::post().to(incidents::submit))
            .route("/incidents/new", web::get().to(incident_new::page))
            .route("/incidents/new", web::post().to(incident_new::post))
            .route(
                "/incidents/{id:[0-9a-fA-F-]{36}}",
                web::get().to(incidents::page),
            )
            .route(
                "/incidents/{id}/correct",
                web::post().to(incidents::correct),
            )
            .route("/incidents/{id}/void", web::post().to(incidents::void))
            .route("/audit", web::get().to(audit::list))
            .route("/users", web::get().to(admin::users))
            .route("/users", web::post().to(admin::create_user))
            .route("/users/{id}/disable", web::post().to(admin::disable_user))
            .route(
                "/users/{id}/password",
                web::post().to(admin::reset_password),
            )
            .route("/clients", web::get().to(admin::clients))
            .route("/clients", web::post().to(admin::create_client))
            .route(
                "/clients/{id}/disable",
                web::post().to(admin::disable_client),
            )
            .route("/clients/{id}/rotate", web::post().to(admin::rotate))
            .route("/results", web::get().to(results::page))
            .route("/results/{id}/objections", web::post().to(results::object))
            .route(
                "/results/{id}/letter.html",
                web::get().to(results::letter_html),
            )
            .route(
                "/results/{id}/letter.pdf",
                web::get().to(results::letter_pdf),
            )
            .route("/evaluations/{id}", web::get().to(evaluations::page))
            .route(
                "/evaluations/{id}/publish",
                web::get().to(evaluations::confirm_publish),
            )
            .route(
                "/evaluations/{id}/publish",
                web::post().to(evaluations::publish),
            )
            .route(
                "/evaluations/{id}/finalize",
                web::get().to(evaluations::confirm_finalize),
            )
            .route(
                "/evaluations/{id}/finalize",
                web::post().to(evaluations::finalize),
            )
            .route(
                "/evaluations/{id}/ranking.xlsx",
                web::get().to(downloads::ranking_xlsx),
            )
            .route(
                "/evaluations/{id}/ranking.csv",
                web::get().to(downloads::ranking_csv),
            )
            .route(
                "/evaluations/{id}/report.pdf",
                web::get().to(downloads::annual_pdf),
            )
            .route(
                "/evaluations/{id}/letters.zip",
                web::get().to(downloads::letters_zip),
            )
            .route(
                "/evaluations/{id}/notices.zip",
                web::get().to(downloads::notices_zip),
            )
            .route(
                "/evaluations/{id}/results/{body_id}",
                web::get().to(evaluations::result_page),
            )
            .route(
                "/evaluations/{id}/results/{body_id}/letter.html",
                web::get().to(downloads::letter_html),
            )
            .route(
                "/evaluations/{id}/results/{body_id}/letter.pdf",
                web::get().to(downloads::letter_pdf),
            )
            .route("/schemes", web::get().to(schemes::list))
            .route("/schemes/new", web::post().to(schemes::new_draft))
            .route("/schemes/{id}", web::get().to(schemes::page))
            .route("/schemes/{id}", web::post().to(schemes::save))
            .route("/schemes/{id}/impact", web::post().to(schemes::analyse))
            .route(
                "/schemes/{id}/impact.xlsx",
                web::get().to(schemes::impact_xlsx),
            )
            .route(
                "/schemes/{id}/impact.pdf",
                web::get().to(schemes::impact_pdf),
            )
            .route(
                "/schemes/{id}/activate",
                web::get().to(schemes::confirm_activate),
            )
            .route("/schemes/{id}/activate", web::post().to(schemes::activate))
            .route("/objections", web::get().to(objections::page))
            .route(
                "/objections/{id}/answer",
                web::post().to(objections::answer),
            )
            .default_service(web::to(page::unknown_page))
            .wrap(actix_web::middleware::from_fn(page::logout_on_error_pages))
            .wrap(actix_web::middleware::from_fn(session::refuse_cross_site)),
    );
}

async fn to_console() -> HttpResponse {
    page::see_other("/console/")
}
