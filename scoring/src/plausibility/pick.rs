//! Reading the few numbers the rules need straight from a stored payload's JSON text, without
//! building the whole document: at 60,000 reports and their previous year, most of the time
//! of a recomputation went into allocating maps and set members no rule reads.

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The values of `names` in a JSON object's text (as [`super::json_number`] reads them:
/// numbers as they are, bools 0 or 1, an array its length; anything else, or a missing key,
/// none), in the order of `names`.
pub fn numbers<S: AsRef<str>>(
    text: &str,
    names: &[S],
) -> Result<Vec<Option<f64>>, serde_json::Error> {
    let mut out = vec![None; names.len()];
    let mut de = serde_json::Deserializer::from_str(text);
    Object {
        names,
        out: &mut out,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(out)
}

/// The object: each key looked up among the names, its value read or skipped.
struct Object<'a, S> {
    names: &'a [S],
    out: &'a mut [Option<f64>],
}

impl<'de, S: AsRef<str>> DeserializeSeed<'de> for Object<'_, S> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, S: AsRef<str>> Visitor<'de> for Object<'_, S> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(at) = map.next_key_seed(Key { names: self.names })? {
            match at {
                Some(i) => self.out[i] = map.next_value_seed(NumberSeed)?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
    // Anything but an object holds no field.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// A key: its position among the names, compared without allocating.
struct Key<'a, S> {
    names: &'a [S],
}

impl<'de, S: AsRef<str>> DeserializeSeed<'de> for Key<'_, S> {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, S: AsRef<str>> Visitor<'de> for Key<'_, S> {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(self.names.iter().position(|n| n.as_ref() == key))
    }
}

/// A value as a number.
struct NumberSeed;

impl<'de> DeserializeSeed<'de> for NumberSeed {
    type Value = Option<f64>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<f64>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NumberSeed {
    type Value = Option<f64>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Option<f64>, E> {
        Ok(Some(if v { 1.0 } else { 0.0 }))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Option<f64>, E> {
        Ok(Some(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Option<f64>, E> {
        Ok(Some(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Option<f64>, E> {
        Ok(Some(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<f64>, A::Error> {
        let mut n = 0u32;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            n += 1;
        }
        Ok(Some(f64::from(n)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<f64>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Option<f64>, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Option<f64>, E> {
        Ok(None)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_named_values_are_read_as_the_whole_document_would_give_them() {
        let doc = json!({
            "press_releases": 40, "spokesperson_system": false, "media_channels": ["website", "wechat"],
            "publicity_budget_wan": 12.5, "note": "x", "nested": {"press_releases": 1}, "empty": null,
            "escaped\u{4e00}": 3
        });
        let names = [
            "media_channels",
            "press_releases",
            "spokesperson_system",
            "publicity_budget_wan",
            "missing",
            "note",
            "nested",
            "empty",
            "escaped\u{4e00}",
        ];
        let got = numbers(&doc.to_string(), &names).unwrap();
        let whole: Vec<Option<f64>> = names
            .iter()
            .map(|n| super::super::json_number(doc.get(*n)))
            .collect();
        assert_eq!(got, whole);
        assert_eq!(
            got,
            vec![
                Some(2.0),
                Some(40.0),
                Some(0.0),
                Some(12.5),
                None,
                None,
                None,
                None,
                Some(3.0)
            ]
        );
        assert!(numbers("{\"a\": 1", &names).is_err());
        assert_eq!(numbers("[1, 2]", &names).unwrap(), vec![None; names.len()]);
    }
}
