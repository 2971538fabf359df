//! Where each field of a scheme stands in the report workbook: the header in row 1, then one
//! row per field in the scheme's order (SCHEME.md §1), a set field taking one row per member.
//! The template writes this layout and the reader expects exactly it.

use pubeval_scoring::Scheme;
use pubeval_scoring::scheme::{FieldDef, FieldType, Labelled};

/// The report sheet's name.
pub const REPORT_SHEET: &str = "年度宣传工作报告";
/// The instructions sheet's name.
pub const HELP_SHEET: &str = "说明";
/// The report sheet's header row.
pub const HEADERS: [&str; 5] = ["序号", "指标", "字段", "填写说明", "填报值"];
/// The column of `序号` (A).
pub const NUMBER_COLUMN: usize = 0;
/// The column of `指标` (B).
pub const LABEL_COLUMN: usize = 1;
/// The column of `字段` (C).
pub const KEY_COLUMN: usize = 2;
/// The column of `填写说明` (D).
pub const HELP_COLUMN: usize = 3;
/// The column of `填报值` (E), the only one a body fills in.
pub const VALUE_COLUMN: usize = 4;
/// The word for true in the value column.
pub const YES: &str = "是";
/// The word for false in the value column.
pub const NO: &str = "否";

/// One row of the report sheet: a field, or one member of a set field.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// Its `序号`, from 1.
    pub number: usize,
    /// The field's position in the scheme's field list.
    pub field_index: usize,
    /// The field.
    pub field: &'a FieldDef,
    /// For a set: the member's position among the field's members, and the member.
    pub member: Option<(usize, &'a Labelled)>,
}

impl Line<'_> {
    /// Its `字段`: the field's API name, or `field:member` for a set's member
    /// (`media_channels:website`).
    pub fn key(&self) -> String {
        match self.member {
            Some((_, m)) => format!("{}:{}", self.field.name, m.code),
            None => self.field.name.clone(),
        }
    }

    /// Its `指标`: the field's Chinese label, or the member's for a set's member.
    pub fn label(&self) -> &str {
        match self.member {
            Some((_, m)) => &m.label,
            None => &self.field.label,
        }
    }

    /// Its row as a spreadsheet counts (the header is row 1).
    pub fn row(&self) -> u32 {
        self.number as u32 + 1
    }

    /// Its value cell's name, e.g. `年度宣传工作报告!E7`.
    pub fn cell(&self) -> String {
        super::cell_name(REPORT_SHEET, VALUE_COLUMN, self.row())
    }

    /// Whether its value is 是 or 否 (a bool field, or a set's member).
    pub fn is_yes_no(&self) -> bool {
        self.member.is_some() || self.field.field_type == FieldType::Bool
    }
}

/// Every row of the report sheet for `scheme`, in order.
pub fn lines(scheme: &Scheme) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    for (field_index, field) in scheme.fields.iter().enumerate() {
        if field.field_type == FieldType::Set {
            for (i, member) in field.members.iter().enumerate() {
                lines.push(Line {
                    number: lines.len() + 1,
                    field_index,
                    field,
                    member: Some((i, member)),
                });
            }
        } else {
            lines.push(Line {
                number: lines.len() + 1,
                field_index,
                field,
                member: None,
            });
        }
    }
    lines
}

/// The value cells of a field: one for a plain field, one per member for a set, as
/// `年度宣传工作报告!E9:E14`.
pub fn field_cells(lines: &[Line<'_>], field_index: usize) -> Option<String> {
    let mut of_field = lines.iter().filter(|l| l.field_index == field_index);
    let first = of_field.next()?;
    Some(match of_field.next_back() {
        Some(last) => format!(
            "{}:{}{}",
            first.cell(),
            super::column_name(VALUE_COLUMN),
            last.row()
        ),
        None => first.cell(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_takes_one_row_per_member_in_scheme_order() {
        let s = Scheme::default_scheme();
        let lines = lines(&s);
        let members: usize = s.fields.iter().map(|f| f.members.len()).sum();
        let sets = s.fields.iter().filter(|f| !f.members.is_empty()).count();
        assert_eq!(lines.len(), s.fields.len() - sets + members);
        assert_eq!(lines[0].key(), "policy_approved");
        assert_eq!(lines[0].cell(), "年度宣传工作报告!E2");
        assert_eq!(lines[6].key(), "press_releases");
        assert_eq!(lines[7].key(), "media_channels:website");
        assert_eq!(lines[7].label(), "门户网站");
        assert!(lines[7].is_yes_no() && lines[0].is_yes_no() && !lines[6].is_yes_no());
        let channels = s.field_index("media_channels").unwrap_or_default();
        assert_eq!(
            field_cells(&lines, channels).as_deref(),
            Some("年度宣传工作报告!E9:E14")
        );
        assert_eq!(
            field_cells(&lines, 6).as_deref(),
            Some("年度宣传工作报告!E8")
        );
    }
}
