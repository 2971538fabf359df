//! A JSON value read with bounds on what it keeps, so that a megabyte of tiny array items
//! cannot become tens of megabytes of parsed values (issue 11, finding 3): an array keeps its
//! first [`MAX_ITEMS`] items (and one more) and reads past the rest without storing them. No
//! report field holds more than a handful of set members, so what is cut was wrong anyway and
//! validation still refuses it: a cut set is still longer than its member list. Objects keep
//! every entry up to [`MAX_ENTRIES`] — more than a megabyte can hold — so that each unknown
//! field is still counted; a megabyte of them costs about 12 MB while it is checked.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Items an array keeps.
pub const MAX_ITEMS: usize = 64;
/// Entries an object keeps.
pub const MAX_ENTRIES: usize = 200_000;

/// A JSON value read within the bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundedValue(pub Value);

impl<'de> Deserialize<'de> for BoundedValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<BoundedValue, D::Error> {
        deserializer
            .deserialize_any(BoundedVisitor)
            .map(BoundedValue)
    }
}

struct BoundedVisitor;

impl<'de> Visitor<'de> for BoundedVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(BoundedVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while items.len() < MAX_ITEMS {
            match seq.next_element::<BoundedValue>()? {
                Some(item) => items.push(item.0),
                None => return Ok(Value::Array(items)),
            }
        }
        // One more kept, so that the array reads as longer than any bound a rule sets.
        if let Some(item) = seq.next_element::<BoundedValue>()? {
            items.push(item.0);
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Map::new();
        while entries.len() < MAX_ENTRIES {
            match map.next_key::<String>()? {
                Some(key) => {
                    let value = map.next_value::<BoundedValue>()?;
                    entries.insert(key, value.0);
                }
                None => return Ok(Value::Object(entries)),
            }
        }
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Value::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Value {
        serde_json::from_str::<BoundedValue>(text).expect("json").0
    }

    #[test]
    fn small_values_read_as_serde_json_reads_them() {
        let text = r#"{"a": [1, 2.5, "x", null, true], "b": {"c": -3}, "d": 18446744073709551615}"#;
        assert_eq!(
            read(text),
            serde_json::from_str::<Value>(text).expect("json")
        );
    }

    #[test]
    fn a_long_array_keeps_its_bound_and_one_more() {
        let text = format!("[{}]", vec!["\"website\""; 340_000].join(","));
        let value = read(&format!(r#"{{"media_channels": {text}}}"#));
        assert_eq!(
            value["media_channels"].as_array().map(Vec::len),
            Some(MAX_ITEMS + 1)
        );
    }

    #[test]
    fn a_wide_object_keeps_its_bound() {
        let entries: Vec<String> = (0..MAX_ENTRIES + 10)
            .map(|i| format!(r#""{i}":0"#))
            .collect();
        let value = read(&format!("{{{}}}", entries.join(",")));
        assert_eq!(value.as_object().map(Map::len), Some(MAX_ENTRIES));
    }

    #[test]
    fn malformed_json_is_still_refused() {
        assert!(serde_json::from_str::<BoundedValue>(r#"{"a": [1, 2,"#).is_err());
    }
}
