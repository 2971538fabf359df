//! The console (DESIGN.md §8): server-rendered pages in Simplified Chinese (askama templates
//! compiled into the binary), plain forms and our own stylesheet, over the same use cases as the
//! JSON API. The pages call `domain` through [`AppState::run`](crate::state::AppState::run),
//! never the JSON API.

mod assets;
mod home;
mod login;
pub mod page;
pub mod session;

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
            .default_service(web::to(page::unknown_page)),
    );
}

async fn to_console() -> HttpResponse {
    page::see_other("/console/")
}
