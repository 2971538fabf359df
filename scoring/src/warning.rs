//! Risk warnings (风险警示) with their findings and evidence (SCHEME.md §5).

use crate::engine::view::TableView;
use crate::incident::Incident;
use crate::result::BodyResult;
use crate::scheme::{Scheme, Trigger, format_articles};

pub use crate::result::{Finding, IncidentEvidence, Warning};

impl IncidentEvidence {
    fn of(incident: &Incident) -> IncidentEvidence {
        IncidentEvidence {
            id: incident.id.clone(),
            kind: incident.kind.clone(),
            severity: incident.severity.clone(),
            occurred_at: incident.occurred_at,
            reported_at: incident.reported_at,
            hours_to_report: incident
                .reported_at
                .map(|r| (r - incident.occurred_at).num_seconds() as f64 / 3600.0),
        }
    }
}

/// The warning of row `i`, or `None` when no rule fires.
pub(crate) fn build(
    scheme: &Scheme,
    view: &TableView,
    i: usize,
    result: &BodyResult,
    incidents: &[&Incident],
) -> Option<Warning> {
    let level = view.level[i];
    if level == 0 {
        return None;
    }
    let limit = scheme.report_limit_hours;
    let mut findings = Vec::new();
    for (rule, fired) in scheme.warnings.iter().zip(&view.warnings) {
        if !fired[i] {
            continue;
        }
        let mut articles = rule.articles.clone();
        let mut cited = Vec::new();
        let summary = match &rule.trigger {
            Trigger::Veto => {
                let mut names = Vec::new();
                for veto in scheme
                    .vetoes
                    .iter()
                    .filter(|v| result.vetoes.contains(&v.code))
                {
                    articles.extend(&veto.articles);
                    names.push(format!("{}（{}）", veto.name, veto.code));
                    cited.extend(
                        incidents
                            .iter()
                            .filter(|x| x.matches(&veto.incidents, limit))
                            .map(|x| IncidentEvidence::of(x)),
                    );
                }
                format!("存在否决项：{}", names.join("；"))
            }
            Trigger::Incidents { deduction, .. } => {
                let d = scheme.deduction(deduction);
                if let Some(d) = d {
                    cited.extend(
                        incidents
                            .iter()
                            .filter(|x| x.matches(&d.incidents, limit))
                            .map(|x| IncidentEvidence::of(x)),
                    );
                }
                format!(
                    "本年度{}事件 {} 起",
                    d.map_or(deduction.as_str(), |d| d.name.as_str()),
                    cited.len()
                )
            }
            Trigger::Grade { grade, .. } => format!(
                "评价总分 {:.2} 分，等级为 {grade}",
                result.total.unwrap_or(0.0)
            ),
            Trigger::NotSubmitted => "未在报送期限内报送年度宣传工作报告".to_string(),
            Trigger::Decline { grade, .. } => {
                let total = result.total.unwrap_or(0.0);
                let previous = result.previous_total.unwrap_or(0.0);
                format!(
                    "评价总分 {total:.2} 分，等级为 {grade}，较上一年度 {previous:.2} 分下降 {:.2} 分",
                    previous - total
                )
            }
        };
        articles.sort_unstable();
        articles.dedup();
        findings.push(Finding {
            rule: rule.code.clone(),
            level: rule.level,
            name: rule.name.clone(),
            articles_text: format_articles(&articles),
            articles,
            depends_on_total: rule.trigger.depends_on_total(),
            summary,
            incidents: cited,
        });
    }
    Some(Warning {
        level,
        level_name: scheme.level_name(level).to_string(),
        reasons: findings.iter().map(|f| f.rule.clone()).collect(),
        findings,
        review_required: false,
    })
}
