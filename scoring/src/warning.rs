//! Risk warnings (风险警示) with their findings and evidence (SCHEME.md §5).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::incident::Incident;
use crate::result::{BodyResult, TableView};
use crate::scheme::{Scheme, Trigger, format_articles};

/// A body's risk warning: the highest level triggered and every rule that fired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// The highest level triggered (1 提示, 2 警示, 3 严重警示).
    pub level: u8,
    /// The level's Chinese name.
    pub level_name: String,
    /// The codes of the rules that fired, in the scheme's order.
    pub reasons: Vec<String>,
    /// One finding per rule that fired, with its articles and evidence.
    pub findings: Vec<Finding>,
    /// Whether issuing it needs an analyst's written confirmation: every rule that fired rests
    /// on the total or grade alone and the body is borderline (SCHEME.md §6).
    pub review_required: bool,
}

/// One rule that fired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule's code.
    pub rule: String,
    /// The rule's level.
    pub level: u8,
    /// The finding in Chinese.
    pub name: String,
    /// The articles it rests on.
    pub articles: Vec<u32>,
    /// The articles as a notice cites them (第二十条).
    pub articles_text: String,
    /// Whether it rests on the total or grade alone.
    pub depends_on_total: bool,
    /// The evidence in one Chinese sentence.
    pub summary: String,
    /// The incidents behind it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<IncidentEvidence>,
}

/// An incident cited as evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentEvidence {
    /// The incident's id, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its kind.
    pub kind: String,
    /// Its severity.
    pub severity: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// When the body reported it (null: never).
    pub reported_at: Option<DateTime<Utc>>,
    /// Hours from occurrence to report (null: never reported).
    pub hours_to_report: Option<f64>,
}

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
