//! A query-string extractor that names the parameter that is wrong: `per_page`, not "invalid
//! digit found in string" with no name.

use std::future::{Ready, ready};
use std::ops::Deref;

use actix_web::{FromRequest, HttpRequest};
use pubeval_scoring::problem::shown_message;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorDetail};

/// The query string read as `T`: 400 `bad_request` naming the parameter when a value does not
/// fit (`per_page=-1`, `format=docx`), or the missing one.
#[derive(Debug, Clone)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    /// The value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(parse_query(req.query_string()).map(Query))
    }
}

/// Parses a query string, naming the parameter of the first value that does not fit `T`.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let message = shown_message(&e.inner().to_string());
        let path = e.path().to_string();
        let parameter = if path == "." {
            message
                .split('`')
                .nth(1)
                .map_or_else(|| "query".to_string(), str::to_string)
        } else {
            shown_message(&path)
        };
        ApiError::bad_request(format!(
            "查询参数 {parameter} 有误 / invalid query parameter {parameter}: {message}"
        ))
        .with_details(vec![ErrorDetail::new(parameter, message)])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Page {
        page: Option<u32>,
        per_page: Option<u32>,
    }

    fn field(query: &str) -> String {
        let error = parse_query::<Page>(query).expect_err("refused");
        assert_eq!(error.code(), "bad_request");
        error.details()[0].field.clone()
    }

    #[test]
    fn a_bad_value_names_its_parameter() {
        assert_eq!(field("page=2&per_page=-1"), "per_page");
        assert_eq!(field("page=x"), "page");
    }

    #[test]
    fn an_unknown_parameter_is_named() {
        assert_eq!(field("pages=2"), "pages");
    }

    #[test]
    fn a_good_query_reads() {
        let page: Page = parse_query("page=2&per_page=10").expect("reads");
        assert_eq!((page.page, page.per_page), (Some(2), Some(10)));
    }
}
