//! The incident vocabulary, deductions and vetoes.

use std::collections::HashSet;

use super::Checker;
use crate::scheme::IncidentMatch;

impl<'a> Checker<'a> {
    pub(super) fn incident_vocabulary(&mut self) {
        let s = self.scheme;
        for (list, key) in [
            (&s.incident_kinds, "incident_kinds"),
            (&s.severities, "severities"),
        ] {
            if list.is_empty() {
                self.problem(
                    key,
                    "empty",
                    format!("{key} 不能为空"),
                    format!("{key} must not be empty"),
                );
            }
            let mut seen = HashSet::new();
            for (i, k) in list.iter().enumerate() {
                if !seen.insert(k.code.as_str()) {
                    self.problem(
                        format!("{key}[{i}].code"),
                        "duplicate_code",
                        format!("{} 重复", k.code),
                        format!("{} is listed twice", k.code),
                    );
                }
                self.articles(&format!("{key}[{i}]"), &k.articles);
            }
        }
    }

    fn incident_match(&mut self, path: &str, m: &IncidentMatch) {
        let s = self.scheme;
        if !s.incident_kinds.iter().any(|k| k.code == m.kind) {
            self.problem(
                format!("{path}.incidents.kind"),
                "unknown_kind",
                format!("未定义的事件类型 {}", m.kind),
                format!("unknown incident kind {}", m.kind),
            );
        }
        if let Some(sev) = &m.severity
            && !s.severities.iter().any(|k| &k.code == sev)
        {
            self.problem(
                format!("{path}.incidents.severity"),
                "unknown_severity",
                format!("未定义的严重程度 {sev}"),
                format!("unknown severity {sev}"),
            );
        }
    }

    pub(super) fn deductions_and_vetoes(&mut self) {
        let s = self.scheme;
        for (i, d) in s.deductions.iter().enumerate() {
            let path = format!("deductions[{i}]");
            self.code(&path, &d.code);
            self.articles(&path, &d.articles);
            self.incident_match(&path, &d.incidents);
            if !(d.points_each.is_finite() && d.points_each < 0.0) {
                self.problem(
                    format!("{path}.points_each"),
                    "not_negative",
                    format!(
                        "扣分项 {} 的每次扣分应为负数，实为 {}",
                        d.code, d.points_each
                    ),
                    format!(
                        "deduction {}: points_each must be negative, is {}",
                        d.code, d.points_each
                    ),
                );
            }
            if !(d.cap.is_finite() && d.cap < 0.0) {
                self.problem(
                    format!("{path}.cap"),
                    "not_negative",
                    format!("扣分项 {} 的封顶应为负数，实为 {}", d.code, d.cap),
                    format!("deduction {}: cap must be negative, is {}", d.code, d.cap),
                );
            } else if d.cap > d.points_each {
                self.problem(
                    format!("{path}.cap"),
                    "cap_below_one",
                    format!(
                        "扣分项 {} 的封顶 {} 小于一次扣分 {}",
                        d.code, d.cap, d.points_each
                    ),
                    format!(
                        "deduction {}: cap {} takes less than one incident's {}",
                        d.code, d.cap, d.points_each
                    ),
                );
            }
        }
        for (i, v) in s.vetoes.iter().enumerate() {
            let path = format!("vetoes[{i}]");
            self.code(&path, &v.code);
            self.articles(&path, &v.articles);
            self.incident_match(&path, &v.incidents);
        }
    }
}
