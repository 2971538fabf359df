//! The console's stylesheet, compiled into the binary (no CDN, no build step: it must work on
//! an intranet with no internet).

use actix_web::HttpResponse;

const STYLESHEET: &str = include_str!("console.css");

/// `GET /console/static/console.css`.
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(STYLESHEET)
}
