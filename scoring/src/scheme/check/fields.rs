//! The report's fields: names, types, bounds and set members.

use std::collections::HashSet;

use super::{Checker, MAX_SET_MEMBERS};
use crate::scheme::FieldType;

impl<'a> Checker<'a> {
    pub(super) fn fields(&mut self) {
        let s = self.scheme;
        let mut names = HashSet::new();
        for (i, f) in s.fields.iter().enumerate() {
            let path = format!("fields[{i}]");
            let valid_name = !f.name.is_empty()
                && f.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && !f.name.starts_with(|c: char| c.is_ascii_digit());
            if !valid_name {
                self.problem(
                    format!("{path}.name"),
                    "invalid_name",
                    format!("字段名 “{}” 只能含小写字母、数字和下划线", f.name),
                    format!("field name '{}' must be snake_case ASCII", f.name),
                );
            }
            if !names.insert(f.name.as_str()) {
                self.problem(
                    format!("{path}.name"),
                    "duplicate_field",
                    format!("字段 {} 重复", f.name),
                    format!("field {} is defined more than once", f.name),
                );
            }
            self.articles(&path, &f.articles);
            let numeric = matches!(f.field_type, FieldType::Integer | FieldType::Decimal);
            if !numeric && (f.min.is_some() || f.max.is_some() || f.min_exclusive) {
                self.problem(
                    path.clone(),
                    "bounds_on_non_number",
                    format!("字段 {} 不是数值，不能设 min/max", f.name),
                    format!("field {} is not a number and cannot have min/max", f.name),
                );
            }
            if let (Some(lo), Some(hi)) = (f.min, f.max)
                && lo > hi
            {
                self.problem(
                    format!("{path}.max"),
                    "min_above_max",
                    format!("字段 {} 的 min {lo} 大于 max {hi}", f.name),
                    format!("field {}: min {lo} is above max {hi}", f.name),
                );
            }
            if f.field_type == FieldType::Integer {
                for (key, bound) in [("min", f.min), ("max", f.max)] {
                    if let Some(b) = bound
                        && b.fract() != 0.0
                    {
                        self.problem(
                            format!("{path}.{key}"),
                            "not_integer",
                            format!("整数字段 {} 的 {key} 应为整数", f.name),
                            format!("integer field {}: {key} must be whole", f.name),
                        );
                    }
                }
            }
            if let Some(other) = &f.max_field {
                let target = s.field(other);
                if f.field_type != FieldType::Integer
                    || target.is_none_or(|t| t.field_type != FieldType::Integer)
                {
                    self.problem(
                        format!("{path}.max_field"),
                        "unknown_field",
                        format!("max_field 应指向另一个整数字段，{other} 不是"),
                        format!("max_field must name another integer field; {other} is not one"),
                    );
                }
            }
            if f.field_type == FieldType::Set {
                if f.members.is_empty() || f.members.len() > MAX_SET_MEMBERS {
                    self.problem(
                        format!("{path}.members"),
                        "out_of_range",
                        format!("集合字段 {} 应有 1 至 {MAX_SET_MEMBERS} 个成员", f.name),
                        format!("set field {} needs 1 to {MAX_SET_MEMBERS} members", f.name),
                    );
                }
                let mut seen = HashSet::new();
                for (j, m) in f.members.iter().enumerate() {
                    if !seen.insert(m.code.as_str()) {
                        self.problem(
                            format!("{path}.members[{j}].code"),
                            "duplicate_member",
                            format!("集合成员 {} 重复", m.code),
                            format!("set member {} is listed twice", m.code),
                        );
                    }
                }
            } else if !f.members.is_empty() {
                self.problem(
                    format!("{path}.members"),
                    "members_on_non_set",
                    format!("字段 {} 不是集合，不能有成员", f.name),
                    format!("field {} is not a set and cannot have members", f.name),
                );
            }
        }
    }
}
