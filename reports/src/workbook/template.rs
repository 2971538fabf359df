//! The report template of a cycle: sheet `年度宣传工作报告` with one row per field (one per
//! member of a set) and the value column `填报值` as the only one a body may edit — the sheet is
//! protected without a password, the value cells unlocked, each with a data validation (a 是/否
//! list, or a whole number or decimal within the field's range) — and sheet `说明` with the
//! instructions and the year and scheme the template belongs to.

use pubeval_scoring::Scheme;
use pubeval_scoring::scheme::text::{describe_field_range, format_articles};
use pubeval_scoring::scheme::{FieldDef, FieldType};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties, Format,
    FormatAlign, FormatBorder, Formula, Workbook, Worksheet, XlsxError,
};
use serde_json::{Map, Value};

use super::layout::{
    HEADERS, HELP_COLUMN, HELP_SHEET, KEY_COLUMN, LABEL_COLUMN, Line, NO, NUMBER_COLUMN,
    REPORT_SHEET, VALUE_COLUMN, YES, lines,
};
use crate::error::ReportError;
use crate::width::display_width;

/// The labels of the `说明` sheet's rows that say which template this is; the reader finds
/// them by these words.
pub const YEAR_LABEL: &str = "年度";
/// See [`YEAR_LABEL`].
pub const SCHEME_CODE_LABEL: &str = "方案代码";
/// See [`YEAR_LABEL`].
pub const SCHEME_VERSION_LABEL: &str = "方案版本";

/// Widest the `填写说明` column gets, in characters of the default font; longer text wraps.
const HELP_WIDTH: usize = 56;

/// What a template is made from.
#[derive(Debug, Clone, Copy)]
pub struct TemplateInput<'a> {
    /// The cycle's scheme.
    pub scheme: &'a Scheme,
    /// The evaluation year.
    pub year: i32,
    /// A report to pre-fill the value column with (a body's current draft), as its payload.
    pub values: Option<&'a Map<String, Value>>,
}

/// The template as XLSX bytes.
pub fn template(input: TemplateInput<'_>) -> Result<Vec<u8>, ReportError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!("{} 年度宣传工作报告", input.year))
            .set_subject(format!(
                "{}（{} 第 {} 版）",
                input.scheme.name, input.scheme.code, input.scheme.version
            ))
            .set_author("认证机构宣传工作评价系统"),
    );
    report_sheet(workbook.add_worksheet(), &input)?;
    help_sheet(workbook.add_worksheet(), &input)?;
    Ok(workbook.save_to_buffer()?)
}

fn report_sheet(sheet: &mut Worksheet, input: &TemplateInput<'_>) -> Result<(), XlsxError> {
    sheet.set_name(REPORT_SHEET)?;
    let border = Format::new()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter);
    let header = border
        .clone()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(0xD9E1F2));
    let text = border.clone();
    let key = border.clone().set_font_color(Color::RGB(0x595959));
    let help = border.clone().set_text_wrap();
    // The value cells: unlocked, so that they alone can be edited on the protected sheet.
    let value = border
        .clone()
        .set_unlocked()
        .set_background_color(Color::RGB(0xFFF2CC));
    let whole = value.clone().set_num_format("0");
    let decimal = value.clone().set_num_format("General");

    let lines = lines(input.scheme);
    let mut widths: Vec<usize> = HEADERS.iter().map(|h| display_width(h)).collect();
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &header)?;
    }
    for line in &lines {
        let r = line.row() - 1;
        let help_text = help_text(input.scheme, line);
        sheet.write_number_with_format(r, NUMBER_COLUMN as u16, line.number as f64, &text)?;
        sheet.write_string_with_format(r, LABEL_COLUMN as u16, line.label(), &text)?;
        sheet.write_string_with_format(r, KEY_COLUMN as u16, line.key(), &key)?;
        sheet.write_string_with_format(r, HELP_COLUMN as u16, &help_text, &help)?;
        let format = match line.field.field_type {
            FieldType::Integer => &whole,
            FieldType::Decimal => &decimal,
            FieldType::Bool | FieldType::Set => &value,
        };
        write_value(sheet, r, line, input.values, format)?;
        sheet.add_data_validation(
            r,
            VALUE_COLUMN as u16,
            r,
            VALUE_COLUMN as u16,
            &validation(input.scheme, &lines, line)?,
        )?;
        for (c, t) in [
            (LABEL_COLUMN, line.label().to_string()),
            (KEY_COLUMN, line.key()),
            (HELP_COLUMN, help_text),
        ] {
            widths[c] = widths[c].max(display_width(&t));
        }
    }
    widths[HELP_COLUMN] = widths[HELP_COLUMN].min(HELP_WIDTH);
    widths[VALUE_COLUMN] = widths[VALUE_COLUMN].max(12);
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, (*w + 2) as f64)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_active(true);
    // No password: the protection keeps the layout from being changed by mistake, not secret.
    sheet.protect();
    Ok(())
}

/// The `填写说明` of a line: the articles it reports on and what it admits.
fn help_text(scheme: &Scheme, line: &Line<'_>) -> String {
    let field = line.field;
    let basis = if field.articles.is_empty() {
        String::new()
    } else {
        format!("依据《指引》{}。", format_articles(&field.articles))
    };
    let what = match (line.member, field.field_type) {
        (Some(_), _) => format!(
            "“{}”可多选：已开通或参与此项的填“{YES}”，否则填“{NO}”",
            field.label
        ),
        (None, FieldType::Bool) => format!("已落实的填“{YES}”，未落实的填“{NO}”"),
        (None, _) => format!(
            "填写{}",
            describe_field_range(scheme, field).unwrap_or_default()
        ),
    };
    format!("{basis}{what}")
}

/// Pre-fills a line's value cell from a payload (a body's current draft), else leaves it blank
/// (formatted, so that what is typed takes the format).
fn write_value(
    sheet: &mut Worksheet,
    r: u32,
    line: &Line<'_>,
    values: Option<&Map<String, Value>>,
    format: &Format,
) -> Result<(), XlsxError> {
    let c = VALUE_COLUMN as u16;
    let value = values.and_then(|v| v.get(&line.field.name));
    let yes_no = |b: bool| if b { YES } else { NO };
    match (value, line.member) {
        (Some(Value::Array(items)), Some((_, member))) => {
            let present = items
                .iter()
                .any(|i| i.as_str() == Some(member.code.as_str()));
            sheet.write_string_with_format(r, c, yes_no(present), format)?
        }
        (Some(Value::Bool(b)), None) => sheet.write_string_with_format(r, c, yes_no(*b), format)?,
        (Some(Value::Number(n)), None) => match n.as_f64() {
            Some(x) => sheet.write_number_with_format(r, c, x, format)?,
            None => sheet.write_blank(r, c, format)?,
        },
        _ => sheet.write_blank(r, c, format)?,
    };
    Ok(())
}

/// A line's data validation: 是/否 from a list, or a number within the field's range. Excel
/// warns on anything else; the server's validation decides.
fn validation(
    scheme: &Scheme,
    lines: &[Line<'_>],
    line: &Line<'_>,
) -> Result<DataValidation, XlsxError> {
    let field = line.field;
    let base = DataValidation::new()
        .ignore_blank(true)
        .set_error_style(DataValidationErrorStyle::Stop)
        .set_error_title("填报值有误")?;
    if line.is_yes_no() {
        return base
            .allow_list_strings(&[YES, NO])?
            .set_error_message(format!("请从下拉列表中选择“{YES}”或“{NO}”。"));
    }
    let message = format!(
        "请填写{}。",
        describe_field_range(scheme, field).unwrap_or_default()
    );
    let validation = match field.field_type {
        FieldType::Integer => match whole_rule(lines, field) {
            Rule::Plain(rule) => base.allow_whole_number(rule),
            Rule::Formula(rule) => base.allow_whole_number_formula(rule),
        },
        _ => base.allow_decimal_number(decimal_rule(field)),
    };
    validation.set_error_message(message)
}

enum Rule {
    Plain(DataValidationRule<i32>),
    Formula(DataValidationRule<Formula>),
}

/// Excel's whole-number rule holds 32-bit bounds; a wider bound is left to the server.
fn bound(v: f64) -> i32 {
    v.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32
}

fn whole_rule(lines: &[Line<'_>], field: &FieldDef) -> Rule {
    // A field bounded by another (按时办结 ≤ 受理) points at that field's cell.
    let other = field.max_field.as_ref().and_then(|name| {
        lines
            .iter()
            .find(|l| l.field.name == *name && l.member.is_none())
    });
    if let (Some(other), None) = (other, field.max) {
        let limit = Formula::new(format!(
            "=${}${}",
            super::column_name(VALUE_COLUMN),
            other.row()
        ));
        let min = Formula::new(format!("={}", bound(field.min.unwrap_or(0.0))));
        return Rule::Formula(DataValidationRule::Between(min, limit));
    }
    let min = field
        .min
        .map(|m| if field.min_exclusive { m + 1.0 } else { m });
    Rule::Plain(match (min, field.max) {
        (Some(lo), Some(hi)) => DataValidationRule::Between(bound(lo), bound(hi)),
        (Some(lo), None) => DataValidationRule::GreaterThanOrEqualTo(bound(lo)),
        (None, Some(hi)) => DataValidationRule::LessThanOrEqualTo(bound(hi)),
        (None, None) => DataValidationRule::Between(i32::MIN, i32::MAX),
    })
}

fn decimal_rule(field: &FieldDef) -> DataValidationRule<f64> {
    match (field.min, field.max) {
        (Some(lo), Some(hi)) if !field.min_exclusive => DataValidationRule::Between(lo, hi),
        (Some(lo), _) if field.min_exclusive => DataValidationRule::GreaterThan(lo),
        (Some(lo), _) => DataValidationRule::GreaterThanOrEqualTo(lo),
        (None, Some(hi)) => DataValidationRule::LessThanOrEqualTo(hi),
        (None, None) => DataValidationRule::Between(-1e300, 1e300),
    }
}

fn help_sheet(sheet: &mut Worksheet, input: &TemplateInput<'_>) -> Result<(), XlsxError> {
    sheet.set_name(HELP_SHEET)?;
    let title = Format::new().set_bold().set_font_size(14);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let label = Format::new().set_bold();
    let year = input.year;
    sheet.write_string_with_format(
        0,
        0,
        format!("{year} 年度认证机构宣传工作报告（Excel 模板）填写说明"),
        &title,
    )?;
    let steps = [
        format!(
            "1. 本工作簿由认证机构宣传工作评价系统按 {year} 年度评价方案生成，只能用于报送 {year} 年度报告。"
        ),
        format!(
            "2. 只需在“{REPORT_SHEET}”工作表的“填报值”列（E 列）填写；其余各列已锁定，请勿增删、移动行或列，也不要改名或删除工作表。"
        ),
        format!("3. 是否类项目填写“{YES}”或“{NO}”；数量类项目填写数字，取值范围见“填写说明”列。"),
        format!(
            "4. 多选项目（如新媒体传播矩阵）每个选项占一行：适用的填“{YES}”，不适用的填“{NO}”；某项目各行全部留空视为未填写，部分留空的按“{NO}”计。"
        ),
        "5. 保存草稿时可以部分留空；提交报告时所有项目均须填写。".to_string(),
        "6. 可以使用公式，但须在 Excel 或 WPS 中保存，使计算结果一并保存；没有计算结果的公式视为错误。".to_string(),
        "7. 填好后，在系统的“年度宣传工作报告”页面上传本文件：上传的内容保存为新的草稿，系统逐格校验，每处问题都会指明单元格；核对无误后再提交。".to_string(),
    ];
    for (i, step) in steps.iter().enumerate() {
        sheet.merge_range(i as u32 + 2, 0, i as u32 + 2, 1, step, &wrap)?;
        sheet.set_row_height(i as u32 + 2, 33)?;
    }
    let facts = [
        (YEAR_LABEL, year.to_string()),
        ("评价方案", input.scheme.name.clone()),
        (SCHEME_CODE_LABEL, input.scheme.code.clone()),
        (SCHEME_VERSION_LABEL, input.scheme.version.to_string()),
    ];
    let first = steps.len() as u32 + 3;
    for (i, (name, value)) in facts.iter().enumerate() {
        sheet.write_string_with_format(first + i as u32, 0, *name, &label)?;
        sheet.write_string(first + i as u32, 1, value)?;
    }
    sheet.set_column_width(0, 12)?;
    sheet.set_column_width(1, 100)?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx};
    use serde_json::json;

    use super::*;

    fn open(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
        Xlsx::new(Cursor::new(bytes)).unwrap()
    }

    #[test]
    fn the_template_lists_every_field_with_its_help_and_an_empty_value() {
        let scheme = Scheme::default_scheme();
        let bytes = template(TemplateInput {
            scheme: &scheme,
            year: 2025,
            values: None,
        })
        .unwrap();
        let mut book = open(bytes);
        assert_eq!(book.sheet_names(), vec![REPORT_SHEET, HELP_SHEET]);
        let range = book.worksheet_range(REPORT_SHEET).unwrap();
        let header: Vec<String> = range
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(header, HEADERS);
        let lines = lines(&scheme);
        assert_eq!(range.height(), lines.len() + 1);
        let row = |r: usize| range.rows().nth(r).unwrap().to_vec();
        assert_eq!(row(7)[1], Data::String("新闻发布会及新闻稿件数".into()));
        assert_eq!(row(7)[2], Data::String("press_releases".into()));
        let help = row(7)[3].to_string();
        assert!(
            help.contains("第十五条") && help.contains("不大于 100000的整数"),
            "{help}"
        );
        assert_eq!(row(8)[2], Data::String("media_channels:website".into()));
        assert_eq!(row(8)[1], Data::String("门户网站".into()));
        assert!(
            range
                .rows()
                .skip(1)
                .all(|r| r.get(4).is_none_or(|c| *c == Data::Empty))
        );
        let help = book.worksheet_range(HELP_SHEET).unwrap();
        let facts: Vec<(String, String)> = help
            .rows()
            .map(|r| {
                (
                    r[0].to_string(),
                    r.get(1).map(|c| c.to_string()).unwrap_or_default(),
                )
            })
            .collect();
        assert!(
            facts.contains(&(YEAR_LABEL.into(), "2025".into())),
            "{facts:?}"
        );
        assert!(facts.contains(&(SCHEME_CODE_LABEL.into(), "cnca-publicity".into())));
    }

    #[test]
    fn a_draft_pre_fills_the_value_column() {
        let scheme = Scheme::default_scheme();
        let values = json!({"policy_approved": true, "annual_plan": false, "press_releases": 12,
            "media_channels": ["wechat"], "revenue_wan": 10000.5});
        let bytes = template(TemplateInput {
            scheme: &scheme,
            year: 2025,
            values: values.as_object(),
        })
        .unwrap();
        let range = open(bytes).worksheet_range(REPORT_SHEET).unwrap();
        let value = |key: &str| {
            range
                .rows()
                .find(|r| r[2] == Data::String(key.into()))
                .map(|r| r.get(4).cloned().unwrap_or(Data::Empty))
                .unwrap()
        };
        assert_eq!(value("policy_approved"), Data::String("是".into()));
        assert_eq!(value("annual_plan"), Data::String("否".into()));
        assert_eq!(value("press_releases"), Data::Float(12.0));
        assert_eq!(value("media_channels:website"), Data::String("否".into()));
        assert_eq!(value("media_channels:wechat"), Data::String("是".into()));
        assert_eq!(value("campaigns:lab_open_day"), Data::Empty);
        assert_eq!(value("revenue_wan"), Data::Float(10000.5));
    }

    #[test]
    fn the_sheet_is_protected_and_only_values_are_unlocked_with_validations() {
        let scheme = Scheme::default_scheme();
        let bytes = template(TemplateInput {
            scheme: &scheme,
            year: 2025,
            values: None,
        })
        .unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
            &mut xml,
        )
        .unwrap();
        assert!(xml.contains("<sheetProtection"), "protected");
        assert!(!xml.contains("password"), "without a password");
        let lines = lines(&scheme);
        assert_eq!(xml.matches("<dataValidation ").count(), lines.len());
        assert!(xml.contains("\"是,否\""), "a 是/否 list");
        assert!(xml.contains("type=\"whole\""), "whole numbers");
        assert!(xml.contains("type=\"decimal\""), "decimals");
        let mut styles = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles)
            .unwrap();
        assert!(styles.contains("locked=\"0\""), "value cells unlocked");
    }
}
