//! Points by code (per dimension or per indicator), stored compactly: the codes are shared by
//! every result of an evaluation, so 60,000 results hold only their numbers.

use std::sync::Arc;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Points keyed by code, in scheme order; serialised as a JSON object `{code: points}`.
#[derive(Debug, Clone, PartialEq)]
pub struct PointsMap {
    codes: Arc<[String]>,
    values: Vec<f64>,
}

impl PointsMap {
    /// Points for `codes` (shared) in the same order.
    pub fn new(codes: Arc<[String]>, values: Vec<f64>) -> PointsMap {
        debug_assert_eq!(codes.len(), values.len());
        PointsMap { codes, values }
    }

    /// The points of a code.
    pub fn get(&self, code: &str) -> Option<f64> {
        self.codes
            .iter()
            .position(|c| c == code)
            .map(|i| self.values[i])
    }

    /// Whether the code is present.
    pub fn contains_key(&self, code: &str) -> bool {
        self.codes.iter().any(|c| c == code)
    }

    /// How many codes.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// (code, points) in scheme order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &f64)> {
        self.codes.iter().zip(self.values.iter())
    }

    /// The codes in scheme order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.codes.iter()
    }

    /// The points in scheme order.
    pub fn values(&self) -> impl Iterator<Item = &f64> {
        self.values.iter()
    }
}

impl std::ops::Index<&str> for PointsMap {
    type Output = f64;

    fn index(&self, code: &str) -> &f64 {
        match self.codes.iter().position(|c| c == code) {
            Some(i) => &self.values[i],
            None => panic!("no points for code {code}"),
        }
    }
}

impl Serialize for PointsMap {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.values.len()))?;
        for (code, points) in self.iter() {
            map.serialize_entry(code, points)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for PointsMap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PointsMap, D::Error> {
        struct PointsVisitor;
        impl<'de> Visitor<'de> for PointsVisitor {
            type Value = PointsMap;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of points by code")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<PointsMap, A::Error> {
                let mut codes = Vec::new();
                let mut values = Vec::new();
                while let Some((code, points)) = access.next_entry::<String, f64>()? {
                    codes.push(code);
                    values.push(points);
                }
                Ok(PointsMap::new(codes.into(), values))
            }
        }
        deserializer.deserialize_map(PointsVisitor)
    }
}
