//! What a spreadsheet cell says about a report field, as the JSON a client would have sent:
//! `是`/`否` (or `true`/`false`, `1`/`0`) for a bool, a number for a number, a set's members
//! named by code or Chinese label and separated by `;` or `、`. Nothing is judged here: a cell
//! that says something else is passed on as it is (text stays text), so that the scheme's one
//! payload validation — the same as for JSON and the console's form — names what is wrong.
//! Only what has no JSON at all is a problem of the cell itself: an error value (`#DIV/0!`), or
//! a formula whose value was never computed.

use pubeval_reports::workbook::Cell;
use pubeval_scoring::scheme::{FieldDef, FieldType};
use serde_json::Value;

/// Words for true in a cell (compared after trimming, case-insensitively).
const TRUE_WORDS: [&str; 3] = ["是", "true", "1"];
/// Words for false in a cell.
const FALSE_WORDS: [&str; 3] = ["否", "false", "0"];
/// What a set's cell may hold to say "none of the members" (an empty cell says nothing).
const NO_MEMBERS: [&str; 2] = ["无", "-"];

/// A cell that cannot stand for any value: (Chinese, English).
pub fn cell_problem(cell: &Cell) -> Option<(String, String)> {
    match cell {
        Cell::Error(e) => Some((
            format!("单元格为错误值 {e}，请改为有效的填报值"),
            format!("the cell holds the error value {e}"),
        )),
        Cell::Uncomputed(f) => Some((
            format!(
                "公式 ={} 没有计算结果：请在 Excel 或 WPS 中打开并保存后再上传",
                pubeval_scoring::problem::shown(f)
            ),
            format!(
                "the formula ={} has no computed value; open and save the file in Excel first",
                pubeval_scoring::problem::shown(f)
            ),
        )),
        _ => None,
    }
}

/// The cell as 是 or 否, when it says one of them.
pub fn yes_no(cell: &Cell) -> Option<bool> {
    match cell {
        Cell::Bool(b) => Some(*b),
        Cell::Number(n) if *n == 1.0 => Some(true),
        Cell::Number(n) if *n == 0.0 => Some(false),
        Cell::Text(t) => {
            let t = t.trim().to_lowercase();
            if TRUE_WORDS.contains(&t.as_str()) {
                Some(true)
            } else if FALSE_WORDS.contains(&t.as_str()) {
                Some(false)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// A number as JSON: whole numbers as integers (a spreadsheet keeps every number as a double,
/// so 50 and 50.0 are one value there), others as decimals.
fn number(n: f64) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if n.fract() == 0.0 && n.abs() < EXACT {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// The cell's text as a number, when it is one written plainly (`12`, `-3.5`, `1e3`).
fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    let plain = !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    if !plain {
        return None;
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// The cell as it is, as JSON: text as (trimmed) text, a number as a number, TRUE as true.
fn as_is(cell: &Cell) -> Value {
    match cell {
        Cell::Number(n) => number(*n),
        Cell::Bool(b) => Value::Bool(*b),
        other => Value::String(other.text().trim().to_string()),
    }
}

/// The JSON value a cell gives a field; `None` when the cell is blank (the field is left out,
/// as a draft may). A set's cell lists its members ([`set_items`]).
pub fn value(field: &FieldDef, cell: &Cell) -> Option<Value> {
    if cell.is_blank() {
        return None;
    }
    Some(match field.field_type {
        FieldType::Bool => yes_no(cell).map_or_else(|| as_is(cell), Value::Bool),
        FieldType::Integer | FieldType::Decimal => match cell {
            Cell::Text(t) => parse_number(t).map_or_else(|| as_is(cell), number),
            other => as_is(other),
        },
        FieldType::Set => set_items(field, cell),
    })
}

/// A set written in one cell (an import's column): members by code or Chinese label,
/// separated by `;`, `；`, `、` or `,`; `无` for none.
pub fn set_items(field: &FieldDef, cell: &Cell) -> Value {
    let text = cell.text();
    let text = text.trim();
    if NO_MEMBERS.contains(&text) {
        return Value::Array(Vec::new());
    }
    Value::Array(
        text.split([';', '；', '、', ',', '，'])
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                let code = field
                    .members
                    .iter()
                    .find(|m| m.code == item || m.label == item)
                    .map_or(item, |m| m.code.as_str());
                Value::String(code.to_string())
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use pubeval_scoring::Scheme;
    use serde_json::json;

    use super::*;

    fn field(name: &str) -> FieldDef {
        Scheme::default_scheme()
            .field(name)
            .cloned()
            .unwrap_or_else(|| panic!("{name}"))
    }

    #[test]
    fn bools_read_as_a_person_writes_them() {
        let f = field("policy_approved");
        for (cell, v) in [
            (Cell::Text("是".into()), json!(true)),
            (Cell::Text(" 否 ".into()), json!(false)),
            (Cell::Text("TRUE".into()), json!(true)),
            (Cell::Text("0".into()), json!(false)),
            (Cell::Number(1.0), json!(true)),
            (Cell::Bool(false), json!(false)),
            (Cell::Text("也许".into()), json!("也许")),
            (Cell::Number(2.0), json!(2)),
        ] {
            assert_eq!(value(&f, &cell), Some(v), "{cell:?}");
        }
        assert_eq!(value(&f, &Cell::Empty), None);
        assert_eq!(value(&f, &Cell::Text("  ".into())), None);
    }

    #[test]
    fn numbers_are_whole_when_they_are_whole() {
        let f = field("press_releases");
        assert_eq!(value(&f, &Cell::Number(50.0)), Some(json!(50)));
        assert_eq!(value(&f, &Cell::Number(50.5)), Some(json!(50.5)));
        assert_eq!(value(&f, &Cell::Text(" 12 ".into())), Some(json!(12)));
        assert_eq!(value(&f, &Cell::Text("十二".into())), Some(json!("十二")));
        assert_eq!(value(&f, &Cell::Text("inf".into())), Some(json!("inf")));
        let d = field("training_hours");
        assert_eq!(value(&d, &Cell::Text("8.5".into())), Some(json!(8.5)));
    }

    #[test]
    fn a_set_in_one_cell_takes_codes_or_labels() {
        let f = field("media_channels");
        assert_eq!(
            value(&f, &Cell::Text("门户网站、wechat;微博".into())),
            Some(json!(["website", "wechat", "weibo"]))
        );
        assert_eq!(value(&f, &Cell::Text("无".into())), Some(json!([])));
        assert_eq!(
            value(&f, &Cell::Text("website；电视台".into())),
            Some(json!(["website", "电视台"]))
        );
        assert_eq!(value(&f, &Cell::Empty), None);
    }

    #[test]
    fn error_values_and_uncomputed_formulas_are_the_cells_problems() {
        assert!(
            cell_problem(&Cell::Error("#DIV/0!".into()))
                .is_some_and(|(zh, _)| zh.contains("#DIV/0!"))
        );
        assert!(
            cell_problem(&Cell::Uncomputed("A1+1".into()))
                .is_some_and(|(zh, _)| zh.contains("=A1+1"))
        );
        assert_eq!(cell_problem(&Cell::Number(1.0)), None);
    }
}
