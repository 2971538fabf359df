//! A problem found in a scheme, a payload or an input record, named by where it is.
//!
//! What is reported is bounded, whatever was sent: at most [`MAX_PROBLEMS`] problems and one
//! that counts the rest ([`Problems`]), a value sent is repeated in at most [`MAX_SHOWN_CHARS`]
//! characters ([`shown`]), and a path or message never grows past a few hundred characters. A
//! request of 1 MB therefore never gets an answer of many megabytes.

use serde::Serialize;

/// At most this many problems are reported; the rest are counted in one more.
pub const MAX_PROBLEMS: usize = 100;
/// At most this many characters of a value that was sent are repeated in a path or message.
pub const MAX_SHOWN_CHARS: usize = 100;
/// The code of the last problem of a truncated list, which counts the problems left out.
pub const MORE_PROBLEMS: &str = "more_problems";
/// A field path is cut to this many characters (it may hold a key that was sent).
const MAX_FIELD_CHARS: usize = 200;
/// A message is cut to this many characters (it may quote the scheme or a value sent).
const MAX_MESSAGE_CHARS: usize = 500;

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
    /// For the [`MORE_PROBLEMS`] entry, how many problems it stands for.
    #[serde(skip)]
    omitted: usize,
}

impl Problem {
    /// A problem at `field`; an overlong path or message is cut short.
    pub fn new(
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Problem {
        Problem {
            field: cut(field.into(), MAX_FIELD_CHARS),
            code,
            message: cut(message.into(), MAX_MESSAGE_CHARS),
            message_en: cut(message_en.into(), MAX_MESSAGE_CHARS),
            omitted: 0,
        }
    }

    /// The last entry of a truncated list: "and `n` more", at `field` (what was checked).
    pub fn more(field: impl Into<String>, n: usize) -> Problem {
        Problem {
            omitted: n,
            ..Problem::new(
                field,
                MORE_PROBLEMS,
                format!("以及另外 {n} 个问题"),
                format!("and {n} more"),
            )
        }
    }

    /// How many problems this entry stands for: 1, or the count of a [`Problem::more`].
    pub fn count(&self) -> usize {
        if self.code == MORE_PROBLEMS {
            self.omitted
        } else {
            1
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} ({})", self.field, self.message, self.message_en)
    }
}

/// Problems as they are found: the first [`MAX_PROBLEMS`] are kept, the rest only counted, so
/// that 300,000 bad items cost a counter rather than 300,000 messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems {
    kept: Vec<Problem>,
    omitted: usize,
}

impl Problems {
    /// No problem yet.
    pub fn new() -> Problems {
        Problems::default()
    }

    /// Adds a problem (only counted once [`MAX_PROBLEMS`] are kept).
    pub fn push(&mut self, problem: Problem) {
        if self.kept.len() < MAX_PROBLEMS {
            self.kept.push(problem);
        } else {
            self.omitted += problem.count();
        }
    }

    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// Whether further problems are only counted: a caller may skip describing them.
    pub fn is_full(&self) -> bool {
        self.kept.len() >= MAX_PROBLEMS
    }

    /// Counts a problem without describing it (see [`Problems::is_full`]).
    pub fn count_one(&mut self) {
        self.omitted += 1;
    }

    /// How many problems were found, kept or not.
    pub fn total(&self) -> usize {
        self.kept.iter().map(Problem::count).sum::<usize>() + self.omitted
    }

    /// The problems kept, then "and N more" at `field` when some were left out.
    pub fn into_vec(self, field: &str) -> Vec<Problem> {
        let mut kept = self.kept;
        if self.omitted > 0 {
            kept.push(Problem::more(field, self.omitted));
        }
        kept
    }
}

impl Extend<Problem> for Problems {
    fn extend<I: IntoIterator<Item = Problem>>(&mut self, iter: I) {
        for p in iter {
            self.push(p);
        }
    }
}

/// A list collected elsewhere, bounded like [`Problems`]: the first [`MAX_PROBLEMS`], then
/// "and N more" at `field`. A list already bounded is returned as it is.
pub fn limit(problems: Vec<Problem>, field: &str) -> Vec<Problem> {
    if problems.len() <= MAX_PROBLEMS + 1 {
        return problems;
    }
    let mut bounded = Problems::new();
    bounded.extend(problems);
    bounded.into_vec(field)
}

/// How many problems a (possibly truncated) list stands for.
pub fn total(problems: &[Problem]) -> usize {
    problems.iter().map(Problem::count).sum()
}

/// A value that was sent, as a message repeats it: at most [`MAX_SHOWN_CHARS`] characters
/// (then `…`), control characters replaced, so that an answer never echoes a megabyte.
pub fn shown(value: &str) -> String {
    let mut out: String = value
        .chars()
        .take(MAX_SHOWN_CHARS)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if value.chars().nth(MAX_SHOWN_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// A message of another library (serde's "unknown variant `…`, expected one of …") that may
/// quote what was sent: every word is cut to [`MAX_SHOWN_CHARS`] characters and the whole to a
/// few hundred, control characters replaced.
pub fn shown_message(text: &str) -> String {
    let mut out = String::new();
    let mut run = 0;
    for c in text.chars() {
        if c.is_whitespace() {
            run = 0;
        } else {
            run += 1;
        }
        if run == MAX_SHOWN_CHARS + 1 {
            out.push('…');
        }
        if run <= MAX_SHOWN_CHARS {
            out.push(if c.is_control() { '\u{fffd}' } else { c });
        }
    }
    cut(out, MAX_MESSAGE_CHARS)
}

/// `text` cut to `max` characters (then `…`).
fn cut(text: String, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text,
        Some((at, _)) => {
            let mut cut = text;
            cut.truncate(at);
            cut.push('…');
            cut
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_100_are_kept_and_the_rest_counted() {
        let mut p = Problems::new();
        for i in 0..250 {
            p.push(Problem::new(format!("f{i}"), "x", "问题", "problem"));
        }
        assert_eq!(p.total(), 250);
        let list = p.into_vec("payload");
        assert_eq!(list.len(), MAX_PROBLEMS + 1);
        assert_eq!(list[99].field, "f99");
        let more = &list[100];
        assert_eq!(
            (more.field.as_str(), more.code, more.message.as_str()),
            ("payload", MORE_PROBLEMS, "以及另外 150 个问题")
        );
        assert_eq!(more.message_en, "and 150 more");
        assert_eq!(total(&list), 250);
        // Bounding a bounded list again changes nothing.
        assert_eq!(limit(list.clone(), "payload"), list);
    }

    #[test]
    fn a_list_of_100_has_no_more_entry() {
        let list: Vec<Problem> = (0..100)
            .map(|i| Problem::new(format!("f{i}"), "x", "问题", "problem"))
            .collect();
        assert_eq!(limit(list.clone(), "."), list);
        let mut p = Problems::new();
        p.extend(list.clone());
        assert_eq!(p.into_vec("."), list);
    }

    #[test]
    fn a_long_value_is_shown_short() {
        let long = "长".repeat(10_000);
        let s = shown(&long);
        assert_eq!(s.chars().count(), MAX_SHOWN_CHARS + 1);
        assert!(s.ends_with('…'));
        assert_eq!(shown("a\nb"), "a\u{fffd}b");
        assert_eq!(shown("website"), "website");
        let p = Problem::new(long.clone(), "x", long.clone(), long);
        assert_eq!(p.field.chars().count(), MAX_FIELD_CHARS + 1);
        assert_eq!(p.message.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert_eq!(p.message_en.chars().count(), MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn a_long_quoted_value_in_a_message_is_cut_keeping_the_rest() {
        let message = format!(
            "unknown variant `{}`, expected one of `bool`, `set`",
            "t".repeat(300_000)
        );
        let s = shown_message(&message);
        assert!(s.len() < 200, "{s}");
        assert!(s.starts_with("unknown variant `ttt"), "{s}");
        assert!(s.ends_with("… expected one of `bool`, `set`"), "{s}");
        let plain = "expected value at line 1 column 2";
        assert_eq!(shown_message(plain), plain);
    }
}
