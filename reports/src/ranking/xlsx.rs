//! The ranking as an Excel workbook: 全部排名, one sheet per category and 评价指标体系.

use pubeval_scoring::Category;
use pubeval_scoring::scheme::text::{describe_grade_band, describe_rule, format_number};
use pubeval_scoring::scheme::{Scheme, format_articles};
use rust_xlsxwriter::{
    Color, DocProperties, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::{Cell, GRADE_COLUMN, Ranking, RankingRow, Tone};
use crate::error::ReportError;
use crate::width::display_width;

/// The sheet with every body.
pub(crate) const ALL_SHEET: &str = "全部排名";
/// The sheet describing the scheme.
pub(crate) const SCHEME_SHEET: &str = "评价指标体系";

/// Widest a column gets, in characters of the default font; longer text wraps.
const MAX_WIDTH: usize = 60;

/// The formats of a workbook, made once.
struct Formats {
    header: Format,
    text: Format,
    integer: Format,
    points: Format,
    exact: Format,
    wrap: Format,
    section: Format,
    tones: [(Tone, Format); 4],
}

impl Formats {
    fn new() -> Formats {
        let cell = Format::new().set_border(FormatBorder::Thin);
        let tone = |t: Tone| {
            (
                t,
                cell.clone()
                    .set_align(FormatAlign::Center)
                    .set_background_color(Color::RGB(t.fill()))
                    .set_font_color(Color::RGB(t.ink()))
                    .set_bold(),
            )
        };
        Formats {
            header: cell
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xD9E1F2)),
            text: cell.clone(),
            integer: cell.clone().set_num_format("0"),
            points: cell.clone().set_num_format("0.00"),
            exact: cell.clone().set_num_format("General"),
            wrap: cell.clone().set_text_wrap().set_align(FormatAlign::Top),
            section: Format::new().set_bold().set_font_size(12),
            tones: [
                tone(Tone::Good),
                tone(Tone::Fair),
                tone(Tone::Weak),
                tone(Tone::Poor),
            ],
        }
    }

    fn tone(&self, tone: Tone) -> &Format {
        self.tones
            .iter()
            .find(|(t, _)| *t == tone)
            .map_or(&self.text, |(_, f)| f)
    }
}

/// The workbook as bytes.
pub(super) fn render(ranking: &Ranking<'_>) -> Result<Vec<u8>, ReportError> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    workbook.set_properties(
        &DocProperties::new()
            .set_title(&ranking.title)
            .set_subject(ranking.subtitle.as_deref().unwrap_or_default())
            .set_author("认证机构宣传工作评价系统"),
    );

    let all: Vec<&RankingRow> = ranking.rows.iter().collect();
    ranking_sheet(workbook.add_worksheet(), ALL_SHEET, ranking, &all, &formats)?;
    for category in Category::ALL {
        let rows: Vec<&RankingRow> = ranking.rows_of(category).collect();
        ranking_sheet(
            workbook.add_worksheet(),
            category.label(),
            ranking,
            &rows,
            &formats,
        )?;
    }
    scheme_sheet(workbook.add_worksheet(), ranking.scheme, &formats)?;
    Ok(workbook.save_to_buffer()?)
}

/// Column widths that fit their text: the widest cell's display width plus a margin.
struct Widths(Vec<usize>);

impl Widths {
    fn new(headers: &[&str]) -> Widths {
        Widths(headers.iter().map(|h| display_width(h)).collect())
    }

    fn fit(&mut self, column: usize, text: &str) {
        if let Some(w) = self.0.get_mut(column) {
            *w = (*w).max(display_width(text));
        }
    }

    fn apply(&self, sheet: &mut Worksheet) -> Result<(), XlsxError> {
        for (column, width) in self.0.iter().enumerate() {
            let width = (*width).min(MAX_WIDTH) + 2;
            sheet.set_column_width(column as u16, width as f64)?;
        }
        Ok(())
    }
}

fn ranking_sheet(
    sheet: &mut Worksheet,
    name: &str,
    ranking: &Ranking<'_>,
    rows: &[&RankingRow],
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(name)?;
    let headers = ranking.headers();
    let mut widths = Widths::new(&headers);
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *header, &formats.header)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (column, cell) in ranking.cells(row).iter().enumerate() {
            let c = column as u16;
            widths.fit(column, &cell.text());
            match cell {
                Cell::Text(text) if column == GRADE_COLUMN => {
                    let format =
                        Tone::of(ranking.scheme, text).map_or(&formats.text, |t| formats.tone(t));
                    sheet.write_string_with_format(r, c, text, format)?;
                }
                Cell::Text(text) => {
                    sheet.write_string_with_format(r, c, text, &formats.text)?;
                }
                Cell::Integer(n) => {
                    sheet.write_number_with_format(r, c, f64::from(*n), &formats.integer)?;
                }
                Cell::Points(p) => {
                    sheet.write_number_with_format(r, c, *p, &formats.points)?;
                }
                Cell::Exact(x) => {
                    sheet.write_number_with_format(r, c, *x, &formats.exact)?;
                }
                Cell::Blank => {
                    sheet.write_blank(r, c, &formats.text)?;
                }
            }
        }
    }
    widths.apply(sheet)?;
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, rows.len() as u32, (headers.len() - 1) as u16)?;
    print_setup(sheet, &ranking.title)?;
    Ok(())
}

/// Landscape A4, one page wide, the header row repeated on every page.
fn print_setup(sheet: &mut Worksheet, title: &str) -> Result<(), XlsxError> {
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    // `&` starts a control code in Excel headers; `&&` prints one.
    sheet.set_header(format!("&C{}", title.replace('&', "&&")));
    sheet.set_footer("&C第 &P 页，共 &N 页");
    Ok(())
}

/// The headers of the scheme sheet.
pub(crate) const SCHEME_HEADERS: [&str; 8] = [
    "维度代码",
    "维度",
    "维度满分",
    "指标代码",
    "指标名称",
    "计分规则",
    "满分",
    "依据条款",
];

fn scheme_sheet(
    sheet: &mut Worksheet,
    scheme: &Scheme,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(SCHEME_SHEET)?;
    let mut widths = Widths::new(&SCHEME_HEADERS);
    for (column, header) in SCHEME_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *header, &formats.header)?;
    }
    let mut r = 1u32;
    // Rows of text and numbers; `None` for a blank cell.
    let mut put =
        |sheet: &mut Worksheet, r: u32, values: [Option<Value>; 8]| -> Result<(), XlsxError> {
            for (column, value) in values.into_iter().enumerate() {
                let c = column as u16;
                match value {
                    Some(Value::Text(text)) => {
                        widths.fit(column, &text);
                        let format = if column == 5 {
                            &formats.wrap
                        } else {
                            &formats.text
                        };
                        sheet.write_string_with_format(r, c, text, format)?;
                    }
                    Some(Value::Number(x)) => {
                        widths.fit(column, &format_number(x));
                        sheet.write_number_with_format(r, c, x, &formats.exact)?;
                    }
                    None => {
                        sheet.write_blank(r, c, &formats.text)?;
                    }
                }
            }
            Ok(())
        };
    let text = |s: &str| Some(Value::Text(s.to_string()));
    let number = |x: f64| Some(Value::Number(x));
    for (dimension, indicator) in scheme.indicators() {
        put(
            sheet,
            r,
            [
                text(&dimension.code),
                text(&dimension.name),
                number(dimension.max),
                text(&indicator.code),
                text(&indicator.name),
                text(&describe_rule(&indicator.rule)),
                number(indicator.max),
                text(&format_articles(&indicator.articles)),
            ],
        )?;
        r += 1;
    }
    put(
        sheet,
        r,
        [
            text("合计"),
            None,
            number(scheme.total_max),
            None,
            None,
            None,
            None,
            None,
        ],
    )?;
    r += 2;

    sheet.write_string_with_format(r, 0, "扣分项", &formats.section)?;
    r += 1;
    for d in &scheme.deductions {
        put(
            sheet,
            r,
            [
                text("扣分项"),
                None,
                None,
                text(&d.code),
                text(&d.name),
                text(&format!(
                    "每起扣 {} 分，最多扣 {} 分",
                    format_number(-d.points_each),
                    format_number(-d.cap)
                )),
                None,
                text(&format_articles(&d.articles)),
            ],
        )?;
        r += 1;
    }
    r += 1;
    sheet.write_string_with_format(r, 0, "否决项", &formats.section)?;
    r += 1;
    for v in &scheme.vetoes {
        put(
            sheet,
            r,
            [
                text("否决项"),
                None,
                None,
                text(&v.code),
                text(&v.name),
                text(&format!("存在即评为 {} 级", scheme.veto_grade)),
                None,
                text(&format_articles(&v.articles)),
            ],
        )?;
        r += 1;
    }
    r += 1;
    sheet.write_string_with_format(r, 0, "等级划分", &formats.section)?;
    r += 1;
    for (i, band) in scheme.grades.iter().enumerate() {
        let rule = describe_grade_band(scheme, i);
        put(
            sheet,
            r,
            [
                text("等级"),
                None,
                None,
                text(&band.grade),
                text(&band.name),
                text(&rule),
                None,
                None,
            ],
        )?;
        r += 1;
    }
    widths.apply(sheet)?;
    sheet.set_freeze_panes(1, 0)?;
    print_setup(sheet, &scheme.name)?;
    Ok(())
}

/// A value of the scheme sheet.
enum Value {
    Text(String),
    Number(f64),
}
