//! The one error of the domain: a stable [`ErrorCode`], a message in Chinese and English, and
//! the fields that were wrong. It knows nothing of HTTP; `crate::error` turns it into a response.

use pubeval_scoring::Problem;
use serde::Serialize;
use utoipa::ToSchema;

pub use super::error_code::ErrorCode;

/// What a not-found error names, in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noun {
    /// A certification body.
    Body,
    /// A user.
    User,
    /// An API client.
    Client,
    /// An evaluation cycle.
    Cycle,
    /// An evaluation scheme.
    Scheme,
    /// A report (submission).
    Report,
    /// A revision of a report.
    Revision,
    /// An incident.
    Incident,
    /// An evaluation.
    Evaluation,
    /// A body's result.
    Result,
    /// An objection.
    Objection,
    /// A risk warning.
    Warning,
    /// A late-entry exception.
    Exception,
    /// A plausibility flag.
    Flag,
    /// A chart.
    Chart,
    /// A route.
    Route,
    /// A record of any kind.
    Record,
}

impl Noun {
    /// (Chinese, English).
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            Noun::Body => ("机构", "body"),
            Noun::User => ("用户", "user"),
            Noun::Client => ("外部系统", "client"),
            Noun::Cycle => ("评价周期", "cycle"),
            Noun::Scheme => ("评价方案", "scheme"),
            Noun::Report => ("报告", "report"),
            Noun::Revision => ("报告版本", "revision"),
            Noun::Incident => ("事件", "incident"),
            Noun::Evaluation => ("评价", "evaluation"),
            Noun::Result => ("评价结果", "result"),
            Noun::Objection => ("异议", "objection"),
            Noun::Warning => ("风险警示", "warning"),
            Noun::Exception => ("延期报送许可", "exception"),
            Noun::Flag => ("核查标记", "flag"),
            Noun::Chart => ("图表", "chart"),
            Noun::Route => ("地址", "route"),
            Noun::Record => ("记录", "record"),
        }
    }
}

/// One field-level problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = ErrorDetail)]
pub struct Detail {
    /// The field, e.g. `payload.press_releases`.
    pub field: String,
    /// What is wrong with it (Chinese, then English).
    pub problem: String,
    /// The spreadsheet cell it came from, e.g. `年度宣传工作报告!E7`, when it came from a
    /// workbook (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
}

impl Detail {
    /// A problem of a field, from no spreadsheet cell.
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Detail {
        Detail {
            field: field.into(),
            problem: problem.into(),
            cell: None,
        }
    }
}

/// A refused or failed use case.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Error {
    /// The stable code; it decides the HTTP status.
    pub code: ErrorCode,
    /// What happened, in Chinese and English (`中文 / English`).
    pub message: String,
    /// Field-level problems (empty when none apply).
    pub details: Vec<Detail>,
    /// Seconds to wait before retrying (429).
    pub retry_after: Option<u64>,
    /// The request id of an internal error, to find its log line.
    pub request_id: Option<String>,
}

/// The result of a use case.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with this code and a message in both languages.
    pub fn new(code: ErrorCode, zh: impl AsRef<str>, en: impl AsRef<str>) -> Error {
        Error::with_message(code, format!("{} / {}", zh.as_ref(), en.as_ref()))
    }

    /// An error with this code and its generic message.
    pub fn of(code: ErrorCode) -> Error {
        Error::new(code, code.zh(), code.en())
    }

    /// An error with this code and a message already in both languages.
    pub fn with_message(code: ErrorCode, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
            request_id: None,
        }
    }

    /// Adds field-level details.
    pub fn with_details(mut self, details: Vec<Detail>) -> Error {
        self.details = details;
        self
    }

    /// 404 naming what was not found.
    pub fn not_found(what: Noun) -> Error {
        let (zh, en) = what.words();
        Error::new(
            ErrorCode::NotFound,
            format!("未找到{zh}"),
            format!("{en} not found"),
        )
    }

    /// 403.
    pub fn forbidden() -> Error {
        Error::of(ErrorCode::Forbidden)
    }

    /// 401 with a reason.
    pub fn unauthorized(zh: impl AsRef<str>, en: impl AsRef<str>) -> Error {
        Error::new(ErrorCode::Unauthorized, zh, en)
    }

    /// 400 with a reason.
    pub fn bad_request(zh: impl AsRef<str>, en: impl AsRef<str>) -> Error {
        Error::new(ErrorCode::BadRequest, zh, en)
    }

    /// A refused state transition or rule (409 for most codes).
    pub fn conflict(code: ErrorCode, zh: impl AsRef<str>, en: impl AsRef<str>) -> Error {
        Error::new(code, zh, en)
    }

    /// 422 for a single field.
    pub fn invalid_field(field: &str, zh: &str, en: &str) -> Error {
        Error::new(
            ErrorCode::ValidationFailed,
            format!("字段 {field} 有误：{zh}"),
            format!("invalid field {field}: {en}"),
        )
        .with_details(vec![Detail::new(field, format!("{zh} / {en}"))])
    }

    /// 422 listing every problem: the first hundred, then one "and N more" (validation in the
    /// scoring crate collects no more; a longer list from elsewhere is cut here).
    pub fn validation(problems: &[Problem]) -> Error {
        use pubeval_scoring::problem::{MAX_PROBLEMS, total};
        let n = total(problems);
        let kept = if problems.len() > MAX_PROBLEMS + 1 {
            MAX_PROBLEMS
        } else {
            problems.len()
        };
        let detail =
            |p: &Problem| Detail::new(p.field.clone(), format!("{} / {}", p.message, p.message_en));
        let mut details: Vec<Detail> = problems[..kept].iter().map(detail).collect();
        if kept < problems.len() {
            details.push(detail(&Problem::more(".", n - total(&problems[..kept]))));
        }
        Error::new(
            ErrorCode::ValidationFailed,
            format!("内容有 {n} 处问题"),
            format!("{n} problem(s) found"),
        )
        .with_details(details)
    }

    /// 429 with the seconds to wait.
    pub fn too_many_attempts(retry_after_seconds: u64) -> Error {
        let mut e = Error::new(
            ErrorCode::TooManyAttempts,
            format!("登录失败次数过多，请 {retry_after_seconds} 秒后再试"),
            format!("too many failed attempts, retry after {retry_after_seconds} s"),
        );
        e.retry_after = Some(retry_after_seconds);
        e
    }

    /// 429 for a caller asking for documents faster than its share, with the seconds to wait.
    pub fn too_many_requests(retry_after_seconds: u64) -> Error {
        let mut e = Error::new(
            ErrorCode::TooManyRequests,
            format!("文件请求过于频繁，请 {retry_after_seconds} 秒后再试"),
            format!("too many document requests, retry after {retry_after_seconds} s"),
        );
        e.retry_after = Some(retry_after_seconds);
        e
    }

    /// 500: the cause is logged with a request id; the message says nothing internal.
    pub fn internal(cause: impl std::fmt::Display) -> Error {
        // The request's own id (its `X-Request-Id`), so that the answer, the access log and
        // this line name the same request.
        let request_id = crate::observe::request_id_or_new();
        tracing::error!(request_id = %request_id, error = %cause, "internal error");
        let mut e = Error::new(
            ErrorCode::InternalError,
            format!("服务器内部错误，请联系管理员并提供请求编号 {request_id}"),
            format!("internal error, request id {request_id}"),
        );
        e.request_id = Some(request_id);
        e
    }

    /// 503 `database_unavailable`: the cause (the driver's text, which may name hosts, users
    /// or files) is logged with a request id; the message says only that and the id.
    pub fn database_unavailable(cause: impl std::fmt::Display) -> Error {
        // The request's own id (its `X-Request-Id`), so that the answer, the access log and
        // this line name the same request.
        let request_id = crate::observe::request_id_or_new();
        tracing::warn!(request_id = %request_id, error = %cause, "database unavailable");
        let mut e = Error::new(
            ErrorCode::DatabaseUnavailable,
            format!(
                "数据库暂不可用，请稍后再试；如持续出现，请联系管理员并提供请求编号 {request_id}"
            ),
            format!("database unavailable, retry later; request id {request_id}"),
        );
        e.request_id = Some(request_id);
        e
    }

    /// Replaces a unique-key violation by this error (the loser of a race on a unique key);
    /// any other error is kept.
    pub fn on_unique(self, replacement: impl FnOnce() -> Error) -> Error {
        if self.code == ErrorCode::Conflict {
            replacement()
        } else {
            self
        }
    }
}

impl From<diesel::result::Error> for Error {
    fn from(e: diesel::result::Error) -> Error {
        use diesel::result::{DatabaseErrorKind, Error as D};
        match e {
            D::NotFound => Error::not_found(Noun::Record),
            // Two writers raced for one key (a first save, a notice number, a username): the
            // loser is told to reload, never a 500.
            D::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                tracing::info!(detail = info.message(), "unique key race");
                Error::of(ErrorCode::Conflict)
            }
            D::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                Error::of(ErrorCode::Conflict)
            }
            other => Error::internal(other),
        }
    }
}

impl From<crate::db::DbError> for Error {
    fn from(e: crate::db::DbError) -> Error {
        match e {
            crate::db::DbError::Query(q) => q.into(),
            crate::db::DbError::Pool(p) => Error::database_unavailable(p),
            other => Error::internal(other),
        }
    }
}

impl From<crate::states::Refused> for Error {
    fn from(r: crate::states::Refused) -> Error {
        Error::conflict(
            ErrorCode::InvalidTransition,
            format!("当前状态为{}，不能{}", r.from_zh, r.wanted_zh),
            format!("the state is {}; cannot {}", r.from, r.action),
        )
    }
}

impl From<crate::states::UnknownState> for Error {
    fn from(e: crate::states::UnknownState) -> Error {
        Error::internal(e)
    }
}

impl From<crate::states::UnknownValue> for Error {
    fn from(e: crate::states::UnknownValue) -> Error {
        // The value was sent: repeated cut short, never a megabyte twice.
        let value = pubeval_scoring::problem::shown(&e.0);
        Error::bad_request(
            format!("未知的取值 {value}"),
            format!("unknown value {value}"),
        )
    }
}

impl From<diesel::r2d2::Error> for Error {
    fn from(e: diesel::r2d2::Error) -> Error {
        Error::database_unavailable(e)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_with_its_own_word() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            seen.insert(code.as_str());
            assert!((400..600).contains(&code.status()), "{code}");
            assert!(!code.zh().is_empty() && code.zh().chars().any(|c| c > '\u{2e80}'));
            assert!(code.en().is_ascii());
        }
        assert_eq!(seen.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn a_refused_transition_is_409_in_both_languages() {
        use crate::states::{StateMachine, TextEnum, WarningAction, WarningStatus};
        let e = Error::from(
            WarningStatus::Closed
                .apply(WarningAction::Issue, "签发")
                .unwrap_err(),
        );
        assert_eq!(e.code, ErrorCode::InvalidTransition);
        assert_eq!(e.code.status(), 409);
        assert!(
            e.message.contains("已结案") && e.message.contains(WarningStatus::Closed.as_str()),
            "{}",
            e.message
        );
    }

    #[test]
    fn an_unreachable_database_is_told_without_its_text() {
        let e = Error::database_unavailable("could not connect to server at 10.0.0.5 as pubeval");
        assert_eq!(e.code, ErrorCode::DatabaseUnavailable);
        let id = e.request_id.clone().unwrap();
        assert!(
            e.message.contains(&id) && e.message.contains("数据库"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("10.0.0.5") && !e.message.contains("pubeval"));
    }

    #[test]
    fn validation_reports_100_problems_and_counts_the_rest() {
        let problems: Vec<Problem> = (0..500)
            .map(|i| Problem::new(format!("f{i}"), "x", "错", "wrong"))
            .collect();
        let e = Error::validation(&problems);
        assert_eq!(e.details.len(), 101);
        assert_eq!(e.details[99].field, "f99");
        assert_eq!(e.details[100].problem, "以及另外 400 个问题 / and 400 more");
        assert_eq!(e.message, "内容有 500 处问题 / 500 problem(s) found");
        // A list the scoring crate already bounded keeps its count.
        let e = Error::validation(&pubeval_scoring::problem::limit(problems, "payload"));
        assert_eq!(e.details.len(), 101);
        assert_eq!(e.details[100].field, "payload");
        assert_eq!(e.message, "内容有 500 处问题 / 500 problem(s) found");
    }

    #[test]
    fn not_found_speaks_each_language_once() {
        let e = Error::not_found(Noun::Report);
        assert_eq!(e.message, "未找到报告 / report not found");
    }
}
