//! What the analysts' and admins' pages share: the check that the page is theirs, the pager of
//! a list, query strings, and the problems of a refused form by field.

use std::collections::BTreeMap;

use crate::console::page::{ConsoleError, chinese_part};
use crate::console::session::Session;
use crate::domain::policy::Policy;
use crate::domain::{self, ErrorCode};

/// Rows on one page of a list.
pub const PER_PAGE: i64 = 50;

/// Refuses (403 page) a person the policy does not let in.
pub fn require<P: Policy>(session: &Session) -> Result<(), ConsoleError> {
    if P::allows(&session.principal) {
        Ok(())
    } else {
        Err(domain::Error::forbidden().into())
    }
}

/// A text of a query or form: trimmed, empty as absent.
pub fn given(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// A whole number of a query or form; empty is absent, anything else a 422 naming the field.
pub fn number(field: &str, value: &Option<String>) -> domain::Result<Option<i32>> {
    given(value)
        .map(|v| {
            v.parse::<i32>().map_err(|_| {
                domain::Error::invalid_field(field, "须为整数", "must be a whole number")
            })
        })
        .transpose()
}

/// The page asked for (from 1) and the offset of its first row.
pub fn page_of(value: &Option<String>) -> domain::Result<(i64, i64)> {
    let page = i64::from(number("page", value)?.unwrap_or(1));
    if page < 1 {
        return Err(domain::Error::invalid_field(
            "page",
            "页码从 1 开始",
            "page starts at 1",
        ));
    }
    Ok((page, (page - 1) * PER_PAGE))
}

/// One option of a select.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The value sent.
    pub value: String,
    /// What the person reads.
    pub label: String,
    /// Whether it is the current one.
    pub selected: bool,
}

impl Choice {
    /// The option `value`, selected when it is `current`.
    pub fn new(value: impl Into<String>, label: impl Into<String>, current: &str) -> Choice {
        let value = value.into();
        Choice {
            selected: value == current,
            label: label.into(),
            value,
        }
    }
}

/// Links to the pages before and after this one.
#[derive(Debug, Clone)]
pub struct Pager {
    /// This page, from 1.
    pub page: i64,
    /// How many pages.
    pub pages: i64,
    /// Rows in the whole list.
    pub total: i64,
    /// The previous page, if any.
    pub prev: Option<String>,
    /// The next page, if any.
    pub next: Option<String>,
}

impl Pager {
    /// The pager of page `page` of `total` rows at `path`, keeping the filters in `params`.
    pub fn new(path: &str, params: &[(&str, String)], page: i64, total: i64) -> Pager {
        let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
        let link = |p: i64| {
            let mut all: Vec<(&str, String)> = params.to_vec();
            all.push(("page", p.to_string()));
            format!("{path}{}", query_string(&all))
        };
        Pager {
            page,
            pages,
            total,
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
}

/// `?a=1&b=2` of the parameters that have a value ("" when none has).
pub fn query_string(params: &[(&str, String)]) -> String {
    let parts: Vec<String> = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// Percent-encodes a query value (UTF-8), keeping only unreserved characters.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A refused form's problems by field, in Chinese (keyed `prefix` + the field).
pub type FieldErrors = BTreeMap<String, String>;

/// The problems of a refused form, by field, when the refusal is about fields (422).
pub fn field_errors(e: &domain::Error, prefix: &str) -> Option<FieldErrors> {
    if e.code != ErrorCode::ValidationFailed || e.details.is_empty() {
        return None;
    }
    let mut errors = FieldErrors::new();
    for d in &e.details {
        let field = d.field.trim_start_matches('.');
        errors
            .entry(format!("{prefix}{field}"))
            .and_modify(|m: &mut String| {
                m.push('；');
                m.push_str(chinese_part(&d.problem));
            })
            .or_insert_with(|| chinese_part(&d.problem).to_string());
    }
    Some(errors)
}

/// Whether a refusal is one the form shows on its page (a problem with what was typed, or a
/// state that changed meanwhile) rather than on an error page.
pub fn shown_on_form(e: &domain::Error) -> bool {
    let status = e.code.status();
    (400..500).contains(&status) && !matches!(e.code, ErrorCode::NotFound | ErrorCode::Forbidden)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded_and_empty_ones_left_out() {
        assert_eq!(
            query_string(&[
                ("a", "1 2".into()),
                ("b", String::new()),
                ("c", "北".into())
            ]),
            "?a=1%202&c=%E5%8C%97"
        );
        assert_eq!(query_string(&[("a", String::new())]), "");
    }

    #[test]
    fn the_pager_links_its_neighbours() {
        let p = Pager::new("/x", &[("level", "2".into())], 2, 120);
        assert_eq!(p.pages, 3);
        assert_eq!(p.prev.as_deref(), Some("/x?level=2&page=1"));
        assert_eq!(p.next.as_deref(), Some("/x?level=2&page=3"));
        assert!(Pager::new("/x", &[], 1, 0).next.is_none());
    }

    #[test]
    fn pages_start_at_one() {
        assert_eq!(page_of(&None).unwrap(), (1, 0));
        assert_eq!(page_of(&Some("3".into())).unwrap(), (3, 100));
        assert!(page_of(&Some("0".into())).is_err());
        assert!(page_of(&Some("x".into())).is_err());
    }
}
