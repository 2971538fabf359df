//! The ranking as a table for a person, in Chinese.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table};
use pubeval_scoring::{BodyResult, Scheme};

/// The ranking with a summary line above it.
pub fn ranking(scheme: &Scheme, year: i32, results: &[BodyResult]) -> String {
    let submitted = results.iter().filter(|r| r.submitted).count();
    let warned = results.iter().filter(|r| r.warning.is_some()).count();
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(vec![
            "排名",
            "机构",
            "类别",
            "总分",
            "等级",
            "类别排名",
            "上年总分",
            "风险警示",
            "触发规则",
        ]);
    for r in results {
        let warning = r.warning.as_ref();
        table.add_row(vec![
            r.rank.map_or("—".to_string(), |x| x.to_string()),
            r.name.clone(),
            r.category.label().to_string(),
            r.total.map_or("未报送".to_string(), |t| format!("{t:.2}")),
            r.grade.clone().unwrap_or_else(|| "—".into()),
            r.category_rank.map_or("—".to_string(), |x| x.to_string()),
            r.previous_total
                .map_or("—".to_string(), |t| format!("{t:.2}")),
            warning.map_or("—".to_string(), |w| {
                format!("{}级 {}", w.level, w.level_name)
            }),
            warning.map_or(String::new(), |w| w.reasons.join("、")),
        ]);
    }
    for i in [0, 3, 4, 5, 6] {
        if let Some(column) = table.column_mut(i) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    format!(
        "{year} 年度{}评价结果（方案 {} 第 {} 版）\n机构 {} 家，已报送 {submitted} 家，未报送 {} 家，触发风险警示 {warned} 家\n{table}\n",
        "认证机构宣传工作",
        scheme.code,
        scheme.version,
        results.len(),
        results.len() - submitted,
    )
}
