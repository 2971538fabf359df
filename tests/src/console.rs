//! A person at the console in the HTTP tests: logged in through the login form, holding the
//! session cookie and the page's CSRF token, sending GETs and form POSTs as a browser of this
//! site would.

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;

use crate::{Reply, TestApp};

/// The console's own origin in the tests.
pub const ORIGIN: &str = "http://localhost:8080";
/// The host the test requests name.
pub const HOST: &str = "localhost:8080";

/// A page's HTML.
pub fn text(r: &Reply) -> String {
    String::from_utf8_lossy(&r.bytes).to_string()
}

/// The CSRF token a page's forms carry.
pub fn csrf_of(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let at = page.find(marker).expect("a csrf input") + marker.len();
    page[at..].split('"').next().unwrap().to_string()
}

/// A console session: its cookie and CSRF token.
pub struct Console {
    /// `pubeval_session=…`.
    pub cookie: String,
    /// The session's CSRF token.
    pub csrf: String,
}

/// Logs in through the console's login form (303 expected) and reads the token from home.
pub async fn console_login<S, B>(app: &TestApp<S>, username: &str, password: &str) -> Console
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    let r = app
        .send(
            TestRequest::post()
                .uri("/console/login")
                .insert_header(("Host", HOST))
                .insert_header(("Origin", ORIGIN))
                .set_form([("username", username), ("password", password)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let cookie = r
        .header("set-cookie")
        .split(';')
        .next()
        .unwrap()
        .trim()
        .to_string();
    let home = app
        .send(
            TestRequest::get()
                .uri("/console/")
                .insert_header(("Cookie", cookie.clone())),
        )
        .await;
    Console {
        csrf: csrf_of(&text(&home)),
        cookie,
    }
}

impl Console {
    /// A GET with the session.
    pub fn get(&self, path: &str) -> TestRequest {
        TestRequest::get()
            .uri(path)
            .insert_header(("Host", HOST))
            .insert_header(("Cookie", self.cookie.clone()))
    }

    /// A form POST from `origin` with the session and its token first.
    pub fn post(&self, path: &str, origin: &str, form: &[(&str, &str)]) -> TestRequest {
        let mut fields: Vec<(String, String)> = vec![("csrf".into(), self.csrf.clone())];
        fields.extend(form.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        TestRequest::post()
            .uri(path)
            .insert_header(("Host", HOST))
            .insert_header(("Origin", origin.to_string()))
            .insert_header(("Cookie", self.cookie.clone()))
            .set_form(fields)
    }

    /// A form POST from this site.
    pub fn submit(&self, path: &str, form: &[(&str, String)]) -> TestRequest {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.post(path, ORIGIN, &form)
    }
}
