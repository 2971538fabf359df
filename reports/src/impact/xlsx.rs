//! The impact analysis as an Excel workbook: 概要 (the figures and the changes), 全部机构
//! (every body under both schemes), 等级与警示变化 (the transitions and the bodies that gain
//! or lose a warning) and 指标 (effective weights and drop-one sensitivity). Column widths are
//! set from the text's display width, CJK characters counting double.

use chrono::Datelike;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, Worksheet, XlsxError};

use super::sheet::{Cell, Formats, apply_widths, opt, table, text};
use super::{ImpactData, level_text, rank_change, share};
use crate::charts::impact::grade_matrix;
use crate::error::ReportError;

/// The workbook as bytes; the same analysis gives the same bytes (the file's creation time is
/// the document's date).
pub fn impact_xlsx(data: &ImpactData<'_>) -> Result<Vec<u8>, ReportError> {
    let f = Formats::new();
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::from_ymd(
        data.dated.year() as u16,
        data.dated.month() as u8,
        data.dated.day() as u8,
    )?;
    let title = data.title().join("");
    workbook.set_properties(
        &DocProperties::new()
            .set_title(&title)
            .set_author("认证机构宣传工作评价系统")
            .set_creation_datetime(&created),
    );
    summary_sheet(workbook.add_worksheet(), data, &f, &title)?;
    bodies_sheet(workbook.add_worksheet(), data, &f)?;
    transitions_sheet(workbook.add_worksheet(), data, &f)?;
    indicators_sheet(workbook.add_worksheet(), data, &f)?;
    Ok(workbook.save_to_buffer()?)
}

fn summary_sheet(
    sheet: &mut Worksheet,
    data: &ImpactData<'_>,
    f: &Formats,
    title: &str,
) -> Result<(), XlsxError> {
    sheet.set_name("概要")?;
    sheet.write_string_with_format(0, 0, title, &f.title)?;
    let (old, new) = data.schemes_text();
    let i = data.impact;
    let s = &i.summary;
    let r = &i.rank_shift;
    let figures: Vec<(Vec<Cell>, bool)> = vec![
        (
            vec![text("评价年度"), Cell::Int(i64::from(data.year))],
            false,
        ),
        (vec![text("所用评价"), text(data.evaluation_id)], false),
        (
            vec![text("输入数据摘要（SHA-256）"), text(data.input_digest)],
            false,
        ),
        (vec![text("现行方案"), text(old)], false),
        (vec![text("调整后方案"), text(new)], false),
        (
            vec![text("纳入评价的机构（家）"), Cell::Int(s.bodies as i64)],
            false,
        ),
        (
            vec![text("参与评分的机构（家）"), Cell::Int(s.scored as i64)],
            false,
        ),
        (
            vec![
                text("等级变化的机构（家）"),
                Cell::Int(s.grade_changed as i64),
            ],
            false,
        ),
        (
            vec![
                text("总分变化的机构（家）"),
                Cell::Int(s.total_changed as i64),
            ],
            false,
        ),
        (
            vec![
                text("名次变化的机构（家）"),
                Cell::Int(s.rank_changed as i64),
            ],
            false,
        ),
        (
            vec![
                text("警示级别变化的机构（家）"),
                Cell::Int(s.warning_level_changed as i64),
            ],
            false,
        ),
        (
            vec![
                text("新增风险警示（家）"),
                Cell::Int(s.warnings_gained as i64),
            ],
            false,
        ),
        (
            vec![
                text("不再触发风险警示（家）"),
                Cell::Int(s.warnings_lost as i64),
            ],
            false,
        ),
        (
            vec![text("名次变动中位数"), Cell::Int(i64::from(r.median))],
            false,
        ),
        (
            vec![text("名次变动第 90 百分位数"), Cell::Int(i64::from(r.p90))],
            false,
        ),
        (
            vec![text("名次变动最大值"), Cell::Int(i64::from(r.max))],
            false,
        ),
        (
            vec![text("Spearman 等级相关系数"), Cell::Ratio(r.spearman)],
            false,
        ),
        (
            vec![text("Kendall τ-b 系数"), Cell::Ratio(r.kendall)],
            false,
        ),
    ];
    let mut widths = Vec::new();
    let next = table(sheet, 2, &["项目", "数值"], &figures, f, &mut widths)?;
    let mut grades: Vec<(Vec<Cell>, bool)> = Vec::new();
    for band in &data.scheme.grades {
        grades.push((
            vec![
                text(format!("{} 级", band.grade)),
                Cell::Int(s.grades_old.get(&band.grade).copied().unwrap_or(0) as i64),
                Cell::Int(s.grades_new.get(&band.grade).copied().unwrap_or(0) as i64),
            ],
            false,
        ));
    }
    let next = table(
        sheet,
        next + 1,
        &["等级", "现行方案（家）", "调整后方案（家）"],
        &grades,
        f,
        &mut widths,
    )?;
    let changes: Vec<(Vec<Cell>, bool)> = i
        .changes
        .iter()
        .map(|c| {
            (
                vec![
                    text(c.zh.clone()),
                    text(c.path.clone()),
                    text(c.old.to_string()),
                    text(c.new.to_string()),
                ],
                false,
            )
        })
        .collect();
    table(
        sheet,
        next + 1,
        &["调整内容", "位置", "原值", "新值"],
        &changes,
        f,
        &mut widths,
    )?;
    apply_widths(sheet, &widths)?;
    sheet.set_column_format(0, &f.wrap)?;
    Ok(())
}

fn bodies_sheet(
    sheet: &mut Worksheet,
    data: &ImpactData<'_>,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name("全部机构")?;
    let headers = [
        "原排名",
        "批准号",
        "机构名称",
        "类别",
        "原总分",
        "新总分",
        "总分变化",
        "原等级",
        "新等级",
        "新排名",
        "名次变化",
        "原类别排名",
        "新类别排名",
        "原警示级别",
        "新警示级别",
        "原触发规则",
        "新触发规则",
    ];
    let rows: Vec<(Vec<Cell>, bool)> = data
        .impact
        .bodies
        .iter()
        .map(|b| {
            let delta = match (b.old.total, b.new.total) {
                (Some(o), Some(n)) => Some(n - o),
                _ => None,
            };
            let changed = b.old.grade != b.new.grade || b.old.warning_level != b.new.warning_level;
            let grade = |g: &Option<String>| g.clone().unwrap_or_else(|| "未报送".into());
            (
                vec![
                    opt(b.old.rank),
                    text(b.approval_no.clone().unwrap_or_default()),
                    text(b.name.clone()),
                    text(b.category.label()),
                    Cell::Exact(b.old.total),
                    Cell::Exact(b.new.total),
                    Cell::Points(delta),
                    text(grade(&b.old.grade)),
                    text(grade(&b.new.grade)),
                    opt(b.new.rank),
                    text(rank_change(b)),
                    opt(b.old.category_rank),
                    opt(b.new.category_rank),
                    text(level_text(data.baseline, b.old.warning_level)),
                    text(level_text(data.scheme, b.new.warning_level)),
                    text(b.old.warning_rules.join("、")),
                    text(b.new.warning_rules.join("、")),
                ],
                changed,
            )
        })
        .collect();
    let mut widths = Vec::new();
    table(sheet, 0, &headers, &rows, f, &mut widths)?;
    apply_widths(sheet, &widths)?;
    sheet.set_freeze_panes(1, 3)?;
    sheet.autofilter(0, 0, rows.len() as u32, (headers.len() - 1) as u16)?;
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    Ok(())
}

fn transitions_sheet(
    sheet: &mut Worksheet,
    data: &ImpactData<'_>,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name("等级与警示变化")?;
    let i = data.impact;
    let mut widths = Vec::new();
    // The grade matrix, rows the baseline's grades, columns the draft's.
    let matrix = grade_matrix(data.baseline, data.scheme, i);
    let mut headers: Vec<String> = vec!["原等级＼新等级".into()];
    headers.extend(data.scheme.grades.iter().map(|g| format!("{} 级", g.grade)));
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let rows: Vec<(Vec<Cell>, bool)> = data
        .baseline
        .grades
        .iter()
        .zip(&matrix)
        .map(|(band, counts)| {
            let mut cells = vec![text(format!("{} 级", band.grade))];
            cells.extend(counts.iter().map(|n| Cell::Int(*n as i64)));
            (cells, false)
        })
        .collect();
    sheet.write_string_with_format(0, 0, "等级变化（机构数）", &f.title)?;
    let next = table(sheet, 1, &header_refs, &rows, f, &mut widths)?;
    let counts = |map: &std::collections::BTreeMap<String, usize>| -> Vec<(Vec<Cell>, bool)> {
        map.iter()
            .map(|(k, n)| {
                (
                    vec![text(k.replace("->", " → ")), Cell::Int(*n as i64)],
                    false,
                )
            })
            .collect()
    };
    sheet.write_string_with_format(next + 1, 0, "等级变动", &f.title)?;
    let next = table(
        sheet,
        next + 2,
        &["变动", "机构数"],
        &counts(&i.grade_transitions),
        f,
        &mut widths,
    )?;
    sheet.write_string_with_format(next + 1, 0, "警示级别变动（0 为无警示）", &f.title)?;
    let next = table(
        sheet,
        next + 2,
        &["变动", "机构数"],
        &counts(&i.warning_transitions),
        f,
        &mut widths,
    )?;
    let listed = |ids: &[String], what: &str| -> Vec<(Vec<Cell>, bool)> {
        ids.iter()
            .filter_map(|id| data.body(id))
            .map(|b| {
                (
                    vec![
                        text(what),
                        text(b.approval_no.clone().unwrap_or_default()),
                        text(b.name.clone()),
                        text(b.new.warning_rules.join("、")),
                        text(b.old.warning_rules.join("、")),
                    ],
                    false,
                )
            })
            .collect()
    };
    let mut warned = listed(&i.warnings_gained, "新增警示");
    warned.extend(listed(&i.warnings_lost, "不再警示"));
    sheet.write_string_with_format(next + 1, 0, "新增或不再触发风险警示的机构", &f.title)?;
    table(
        sheet,
        next + 2,
        &["变化", "批准号", "机构名称", "新触发规则", "原触发规则"],
        &warned,
        f,
        &mut widths,
    )?;
    apply_widths(sheet, &widths)?;
    Ok(())
}

fn indicators_sheet(
    sheet: &mut Worksheet,
    data: &ImpactData<'_>,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name("指标")?;
    let rows: Vec<(Vec<Cell>, bool)> = data
        .impact
        .indicators
        .iter()
        .map(|(code, x)| {
            (
                vec![
                    text(code.clone()),
                    text(x.name.clone()),
                    Cell::Exact(x.max_old),
                    Cell::Exact(x.max_new),
                    text(share(x.effective_weight_old)),
                    text(share(x.effective_weight_new)),
                    opt(x.drop_one_median_rank_shift),
                    opt(x.drop_one_max_rank_shift),
                ],
                x.max_old != x.max_new,
            )
        })
        .collect();
    let mut widths = Vec::new();
    table(
        sheet,
        0,
        &[
            "指标代码",
            "指标名称",
            "原满分",
            "新满分",
            "原有效权重（方差贡献）",
            "新有效权重（方差贡献）",
            "剔除该指标后名次变动中位数",
            "剔除该指标后名次变动最大值",
        ],
        &rows,
        f,
        &mut widths,
    )?;
    apply_widths(sheet, &widths)?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}
