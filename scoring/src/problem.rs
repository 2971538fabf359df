//! A problem found in a scheme, a payload or an input record, named by where it is.

use serde::Serialize;

/// One problem, with the path of what is wrong and a message in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Where the problem is, e.g. `payload.press_releases` or `dimensions[1].indicators[4]`.
    pub field: String,
    /// A stable machine-readable code, e.g. `out_of_range`.
    pub code: &'static str,
    /// The message in Chinese.
    pub message: String,
    /// The message in English.
    pub message_en: String,
}

impl Problem {
    /// A problem at `field`.
    pub fn new(
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Problem {
        Problem {
            field: field.into(),
            code,
            message: message.into(),
            message_en: message_en.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} ({})", self.field, self.message, self.message_en)
    }
}

/// The problems as one line each, for an error message.
pub fn join(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
