//! The header row of an import: which known column each header names (by its API name or its
//! Chinese label), and the errors of row 1 — an unknown column, a column named twice, a column
//! without a header that holds something, a required column missing.

use std::collections::HashMap;
use std::hash::Hash;

use pubeval_reports::workbook::{Table, column_name};
use pubeval_scoring::problem::shown;

use super::Errors;

/// A column an import knows.
#[derive(Debug, Clone)]
pub(super) struct Known<K> {
    /// What it is to the importer.
    pub key: K,
    /// Its API name, as errors name its field.
    pub name: String,
    /// Its Chinese name.
    pub label: String,
    /// Other headers it may have.
    pub aliases: Vec<String>,
    /// Whether an import without it is refused.
    pub required: bool,
}

impl<K> Known<K> {
    fn is_named(&self, header: &str) -> bool {
        header.eq_ignore_ascii_case(&self.name)
            || header == self.label
            || self.aliases.iter().any(|a| a == header)
    }
}

/// Where each known column stands.
#[derive(Debug, Clone)]
pub(super) struct Columns<K> {
    /// The key of each column of the table, from A (`None`: ignored).
    pub keys: Vec<Option<K>>,
    /// Whether every required column is there.
    pub complete: bool,
}

impl<K: Copy + Eq + Hash> Columns<K> {
    /// The columns with their keys.
    pub fn iter(&self) -> impl Iterator<Item = (usize, K)> + '_ {
        self.keys
            .iter()
            .enumerate()
            .filter_map(|(i, k)| k.map(|k| (i, k)))
    }

    /// The column of `key`.
    pub fn of(&self, key: K) -> Option<usize> {
        self.keys.iter().position(|k| *k == Some(key))
    }
}

/// Reads the header row; its errors are row 1's.
pub(super) fn map<K: Copy + Eq + Hash>(
    table: &Table,
    known: &[Known<K>],
    errors: &mut Errors,
) -> Columns<K> {
    let mut keys = Vec::with_capacity(table.headers.len());
    let mut seen: HashMap<K, usize> = HashMap::new();
    for (i, header) in table.headers.iter().enumerate() {
        let header = header.trim().trim_start_matches('\u{feff}');
        if header.is_empty() {
            if table.rows.iter().any(|r| !r.cell(i).is_blank()) {
                let column = column_name(i);
                errors.add(
                    1,
                    Some(i),
                    None,
                    &format!("第 {column} 列没有表头，却有内容"),
                    &format!("column {column} has no header but holds data"),
                );
            }
            keys.push(None);
            continue;
        }
        let shown_header = shown(header);
        match known.iter().find(|k| k.is_named(header)) {
            None => {
                errors.add(
                    1,
                    Some(i),
                    Some(&shown_header),
                    &format!("未知的列“{shown_header}”"),
                    &format!("unknown column {shown_header}"),
                );
                keys.push(None);
            }
            Some(k) => match seen.get(&k.key) {
                Some(first) => {
                    let first = column_name(*first);
                    errors.add(
                        1,
                        Some(i),
                        Some(&k.name),
                        &format!("列“{shown_header}”与 {first} 列重复"),
                        &format!("column {shown_header} repeats column {first}"),
                    );
                    keys.push(None);
                }
                None => {
                    seen.insert(k.key, i);
                    keys.push(Some(k.key));
                }
            },
        }
    }
    let mut complete = true;
    for k in known
        .iter()
        .filter(|k| k.required && !seen.contains_key(&k.key))
    {
        complete = false;
        errors.add(
            1,
            None,
            Some(&k.name),
            &format!("缺少列“{}”（{}）", k.name, k.label),
            &format!("the column {} is missing", k.name),
        );
    }
    Columns { keys, complete }
}
