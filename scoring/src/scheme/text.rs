//! How scheme facts read in Chinese text: article lists and points.

/// Articles as a notice cites them: `[4, 7, 8, 9]` → `第四条、第七条至第九条`.
pub fn format_articles(articles: &[u32]) -> String {
    let mut sorted = articles.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        parts.push(match end - start {
            0 => format!("第{}条", chinese_number(start)),
            1 => format!("第{}条、第{}条", chinese_number(start), chinese_number(end)),
            _ => format!("第{}条至第{}条", chinese_number(start), chinese_number(end)),
        });
        i += 1;
    }
    parts.join("、")
}

/// A whole number below 1000 in Chinese numerals, as article numbers are written (三十二).
pub fn chinese_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n >= 1000 {
        return n.to_string();
    }
    let (hundreds, tens, units) = (n / 100, (n / 10) % 10, n % 10);
    let mut out = String::new();
    if hundreds > 0 {
        out.push_str(DIGITS[hundreds as usize]);
        out.push('百');
    }
    match tens {
        0 if hundreds > 0 && units > 0 => out.push('零'),
        0 => {}
        // "十二", not "一十二", when the number starts with its tens.
        1 if hundreds == 0 => out.push('十'),
        t => {
            out.push_str(DIGITS[t as usize]);
            out.push('十');
        }
    }
    if units > 0 || n == 0 {
        out.push_str(DIGITS[units as usize]);
    }
    out
}

/// Points as documents show them: two decimals.
pub fn format_points(points: f64) -> String {
    format!("{points:.2}")
}

/// A number without trailing zeros: 1.5, 6, 0.005.
pub fn format_number(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// The range of totals of the grade band at `index` (best first), e.g. "75 分 ≤ 总分 < 90 分".
pub fn describe_grade_band(scheme: &super::Scheme, index: usize) -> String {
    let Some(band) = scheme.grades.get(index) else {
        return String::new();
    };
    match index.checked_sub(1).and_then(|j| scheme.grades.get(j)) {
        Some(better) => format!(
            "{} 分 ≤ 总分 < {} 分",
            format_number(band.min),
            format_number(better.min)
        ),
        None => format!("总分 ≥ {} 分", format_number(band.min)),
    }
}

/// What a number field admits, in Chinese, e.g. `不小于 0、不大于 100000的整数` or
/// `大于 0的数值，可带小数（单位：万元）`; `None` for bools and sets, which admit no range.
/// The console's form and the report workbook both say it this way.
pub fn describe_field_range(scheme: &super::Scheme, field: &super::FieldDef) -> Option<String> {
    use super::FieldType;
    let what = match field.field_type {
        FieldType::Bool | FieldType::Set => return None,
        FieldType::Integer => "整数",
        FieldType::Decimal => "数值，可带小数",
    };
    let unit = field
        .unit
        .as_deref()
        .map(|u| format!("（单位：{u}）"))
        .unwrap_or_default();
    let lo = field.min.map(|m| {
        if field.min_exclusive {
            format!("大于 {}", format_number(m))
        } else {
            format!("不小于 {}", format_number(m))
        }
    });
    let hi = match (&field.max, &field.max_field) {
        (Some(m), _) => Some(format!("不大于 {}", format_number(*m))),
        (None, Some(other)) => Some(format!(
            "不大于“{}”",
            scheme
                .field(other)
                .map_or(other.as_str(), |f| f.label.as_str())
        )),
        (None, None) => None,
    };
    let bounds = match (lo, hi) {
        (Some(lo), Some(hi)) => format!("{lo}、{hi}的"),
        (Some(x), None) | (None, Some(x)) => format!("{x}的"),
        (None, None) => String::new(),
    };
    Some(format!("{bounds}{what}{unit}"))
}

/// A rule in words, as the explanation of a score shows it.
pub fn describe_rule(rule: &super::Rule) -> String {
    use super::Rule;
    let n = format_number;
    match rule {
        Rule::Bool { points } => format!("是得 {} 分，否得 0 分", n(*points)),
        Rule::PerItem { points, max } => format!("每项 {} 分，最高 {} 分", n(*points), n(*max)),
        Rule::Log { cap, max } => format!(
            "{} × min(1, ln(1+值) / ln(1+{}))，达到 {} 得满分",
            n(*max),
            n(*cap),
            n(*cap)
        ),
        Rule::Tiers { tiers } => tiers
            .iter()
            .map(|t| format!("≥{} 得 {} 分", n(t.at), n(t.points)))
            .chain(std::iter::once("否则 0 分".to_string()))
            .collect::<Vec<_>>()
            .join("；"),
        Rule::Linear { lo, hi, max } => format!(
            "{} 至 {} 之间按线性得 0 至 {} 分（{} 及以下 0 分，{} 及以上满分）",
            n(*lo),
            n(*hi),
            n(*max),
            n(*lo),
            n(*hi)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_numbers_read_as_written_in_the_guideline() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(12), "十二");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(32), "三十二");
        assert_eq!(chinese_number(105), "一百零五");
        assert_eq!(chinese_number(110), "一百一十");
    }

    #[test]
    fn number_ranges_read_as_a_form_says_them() {
        let s = super::super::Scheme::default_scheme();
        let range = |name: &str| s.field(name).and_then(|f| describe_field_range(&s, f));
        assert_eq!(
            range("press_releases").as_deref(),
            Some("不小于 0、不大于 100000的整数")
        );
        assert_eq!(
            range("revenue_wan").as_deref(),
            Some("大于 0的数值，可带小数（单位：万元）")
        );
        assert_eq!(
            range("complaints_resolved_on_time").as_deref(),
            Some("不小于 0、不大于“受理申投诉数”的整数")
        );
        assert_eq!(range("policy_approved"), None);
        assert_eq!(range("media_channels"), None);
    }

    #[test]
    fn article_lists_fold_runs() {
        assert_eq!(format_articles(&[32]), "第三十二条");
        assert_eq!(format_articles(&[14, 20]), "第十四条、第二十条");
        assert_eq!(format_articles(&[7, 8]), "第七条、第八条");
        assert_eq!(
            format_articles(&[4, 7, 8, 9, 10, 11, 12, 13, 14]),
            "第四条、第七条至第十四条"
        );
    }
}
