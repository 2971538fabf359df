//! The report form's fields (urlencoded) as the JSON payload the API takes, so that the very
//! same scheme validation judges a form and a JSON body: a bool is its checkbox (an unchecked
//! box is `false`: the browser sends nothing for it), a number the number typed (a field left
//! empty is missing), a set the list of the member codes ticked. Text that is no number is
//! passed on as a string, for the scheme to refuse with its own words.

use pubeval_scoring::Scheme;
use pubeval_scoring::scheme::{FieldDef, FieldType};
use serde_json::{Map, Number, Value};

/// Every report field's input is named with this prefix, so no field of a scheme can collide
/// with the form's own inputs (`csrf`, `revision`, `action`).
pub const PREFIX: &str = "f.";

/// The form's name of a report field's input.
pub fn input_name(field: &str) -> String {
    format!("{PREFIX}{field}")
}

/// What the report form sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Submitted {
    /// The session's CSRF token.
    pub csrf: String,
    /// The revision the form edits (0: none yet).
    pub revision: i32,
    /// Which button was pressed.
    pub action: Action,
    /// The report as the API's payload.
    pub payload: Value,
}

/// The buttons of the report form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// 保存草稿.
    SaveDraft,
    /// 提交.
    Submit,
}

/// Reads the form's pairs (in the order sent; a set's boxes repeat its name).
pub fn read(scheme: &Scheme, pairs: &[(String, String)]) -> Submitted {
    let own = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    };
    Submitted {
        csrf: own("csrf").to_string(),
        revision: own("revision").parse().unwrap_or(0),
        action: if own("action") == "submit" {
            Action::Submit
        } else {
            Action::SaveDraft
        },
        payload: payload_of(scheme, pairs),
    }
}

/// The payload the form's report fields make.
pub fn payload_of(scheme: &Scheme, pairs: &[(String, String)]) -> Value {
    let mut object = Map::new();
    for field in &scheme.fields {
        let name = input_name(&field.name);
        let given: Vec<&str> = pairs
            .iter()
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .collect();
        if let Some(value) = value_of(field, &given) {
            object.insert(field.name.clone(), value);
        }
    }
    // An input the scheme does not know is passed on, for validation to name it (as the API
    // refuses an unknown key).
    for (key, value) in pairs {
        if let Some(field) = key.strip_prefix(PREFIX)
            && scheme.field(field).is_none()
            && !object.contains_key(field)
        {
            object.insert(field.to_string(), Value::String(value.clone()));
        }
    }
    Value::Object(object)
}

fn value_of(field: &FieldDef, given: &[&str]) -> Option<Value> {
    match field.field_type {
        FieldType::Bool => Some(Value::Bool(
            given
                .iter()
                .any(|v| !v.trim().eq_ignore_ascii_case("false")),
        )),
        FieldType::Set => Some(Value::Array(
            given
                .iter()
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(|v| Value::String(v.to_string()))
                .collect(),
        )),
        FieldType::Integer | FieldType::Decimal => {
            let text = given.last().map_or("", |v| v.trim());
            (!text.is_empty()).then(|| number(text))
        }
    }
}

/// A number as typed: a whole number stays whole (so that `50.0` for an integer field is
/// refused, as in JSON); anything that is no finite number stays text.
fn number(text: &str) -> Value {
    if let Ok(i) = text.parse::<i64>() {
        return Value::Number(i.into());
    }
    text.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map_or_else(|| Value::String(text.to_string()), Value::Number)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use pubeval_scoring::{Completeness, validate_payload};
    use serde_json::json;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn scheme() -> Scheme {
        Scheme::default_scheme()
    }

    #[test]
    fn checked_boxes_are_true_and_unchecked_ones_false() {
        let p = payload_of(&scheme(), &pairs(&[("f.policy_approved", "true")]));
        assert_eq!(p["policy_approved"], json!(true));
        assert_eq!(p["annual_plan"], json!(false));
    }

    #[test]
    fn numbers_are_parsed_and_empty_ones_missing() {
        let p = payload_of(
            &scheme(),
            &pairs(&[
                ("f.press_releases", " 42 "),
                ("f.training_hours", "12.5"),
                ("f.revenue_wan", ""),
            ]),
        );
        assert_eq!(p["press_releases"], json!(42));
        assert_eq!(p["training_hours"], json!(12.5));
        assert!(p.get("revenue_wan").is_none());
        assert!(p.get("original_posts").is_none());
    }

    #[test]
    fn sets_are_lists_of_the_codes_ticked() {
        let p = payload_of(
            &scheme(),
            &pairs(&[
                ("f.media_channels", "website"),
                ("f.media_channels", "weibo"),
            ]),
        );
        assert_eq!(p["media_channels"], json!(["website", "weibo"]));
        assert_eq!(p["campaigns"], json!([]));
    }

    #[test]
    fn what_is_no_number_is_refused_by_the_scheme_as_in_json() {
        let s = scheme();
        let p = payload_of(
            &s,
            &pairs(&[
                ("f.press_releases", "许多"),
                ("f.original_posts", "5.0"),
                ("f.media_channels", "fax"),
                ("f.media_channels", "fax"),
                ("f.favourite_colour", "blue"),
            ]),
        );
        assert_eq!(p["press_releases"], json!("许多"));
        let problems = validate_payload(&s, &p, Completeness::Draft).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        for f in [
            "payload.press_releases",
            "payload.original_posts",
            "payload.media_channels[0]",
            "payload.media_channels[1]",
            "payload.favourite_colour",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
    }

    #[test]
    fn a_partial_form_is_a_valid_draft_but_not_a_report() {
        let s = scheme();
        let p = payload_of(&s, &pairs(&[("f.press_releases", "3")]));
        assert!(validate_payload(&s, &p, Completeness::Draft).is_ok());
        let problems = validate_payload(&s, &p, Completeness::Submitted).unwrap_err();
        assert!(problems.iter().all(|p| p.code == "required"));
    }

    #[test]
    fn the_form_s_own_inputs_are_read_apart() {
        let s = scheme();
        let got = read(
            &s,
            &pairs(&[("csrf", "t"), ("revision", "3"), ("action", "submit")]),
        );
        assert_eq!(got.csrf, "t");
        assert_eq!(got.revision, 3);
        assert_eq!(got.action, Action::Submit);
        assert!(got.payload.get("csrf").is_none());
        let draft = read(&s, &pairs(&[("action", "save"), ("revision", "x")]));
        assert_eq!((draft.action, draft.revision), (Action::SaveDraft, 0));
    }
}
