//! The one error of the domain: a stable [`ErrorCode`], a message in Chinese and English, and
//! the fields that were wrong. It knows nothing of HTTP; `crate::error` turns it into a response.

use pubeval_scoring::Problem;
use serde::Serialize;
use utoipa::ToSchema;

/// Every error code the platform answers with. The code decides the HTTP status, so one
/// condition has one code everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the request could not be read.
    BadRequest,
    /// 400: malformed JSON.
    MalformedJson,
    /// 401: no valid credentials.
    Unauthorized,
    /// 403: authenticated, but not allowed.
    Forbidden,
    /// 404: nothing there, or nothing the caller may know of.
    NotFound,
    /// 405: the route exists under another method.
    MethodNotAllowed,
    /// 409: the state does not allow this action.
    InvalidTransition,
    /// 409: a concurrent change won a unique key; retry.
    Conflict,
    /// 409: the username is taken.
    UsernameTaken,
    /// 409: the approval number is taken.
    ApprovalNoTaken,
    /// 409: the year already has a cycle.
    CycleExists,
    /// 409: a scheme with this code and version exists.
    SchemeExists,
    /// 409: no active scheme.
    NoActiveScheme,
    /// 409: the year has no cycle.
    NoCycle,
    /// 409: outside the submission window.
    WindowClosed,
    /// 409: nothing saved to submit.
    NothingToSubmit,
    /// 409: an evaluation of the year is already running.
    AlreadyRunning,
    /// 409: a final evaluation stands for the year.
    FinalExists,
    /// 409: the evaluation is still running.
    EvaluationRunning,
    /// 409: the evaluation failed.
    EvaluationFailed,
    /// 409: objections are still unanswered.
    ObjectionsOpen,
    /// 409: outside the objection period.
    ObjectionPeriodClosed,
    /// 409: the incident is voided.
    IncidentVoided,
    /// 409: the incident is already voided.
    AlreadyVoided,
    /// 409: an admin cannot disable their own account.
    CannotDisableSelf,
    /// 409: the warning has not been issued.
    NotPublished,
    /// 412: `If-Match` names a revision that is no longer current.
    StaleRevision,
    /// 413: the request body is too large.
    PayloadTooLarge,
    /// 415: the body must be JSON.
    UnsupportedMediaType,
    /// 422: the content is invalid; every problem is listed.
    ValidationFailed,
    /// 428: `If-Match` is required once a revision exists.
    IfMatchRequired,
    /// 429: too many failed attempts.
    TooManyAttempts,
    /// 500: an internal fault (logged with a request id).
    InternalError,
    /// 503: the database cannot be reached.
    DatabaseUnavailable,
    /// 503: no CJK font for PDFs and PNG charts.
    FontUnavailable,
}

impl ErrorCode {
    /// Every code, for the OpenAPI document and the tests.
    pub const ALL: [ErrorCode; 35] = [
        ErrorCode::BadRequest,
        ErrorCode::MalformedJson,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::InvalidTransition,
        ErrorCode::Conflict,
        ErrorCode::UsernameTaken,
        ErrorCode::ApprovalNoTaken,
        ErrorCode::CycleExists,
        ErrorCode::SchemeExists,
        ErrorCode::NoActiveScheme,
        ErrorCode::NoCycle,
        ErrorCode::WindowClosed,
        ErrorCode::NothingToSubmit,
        ErrorCode::AlreadyRunning,
        ErrorCode::FinalExists,
        ErrorCode::EvaluationRunning,
        ErrorCode::EvaluationFailed,
        ErrorCode::ObjectionsOpen,
        ErrorCode::ObjectionPeriodClosed,
        ErrorCode::IncidentVoided,
        ErrorCode::AlreadyVoided,
        ErrorCode::CannotDisableSelf,
        ErrorCode::NotPublished,
        ErrorCode::StaleRevision,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::ValidationFailed,
        ErrorCode::IfMatchRequired,
        ErrorCode::TooManyAttempts,
        ErrorCode::InternalError,
        ErrorCode::DatabaseUnavailable,
        ErrorCode::FontUnavailable,
    ];

    /// The code as the API writes it.
    pub fn as_str(self) -> &'static str {
        let (code, _, _, _) = self.describe();
        code
    }

    /// The HTTP status the code answers with.
    pub fn status(self) -> u16 {
        self.describe().1
    }

    /// The generic message, in Chinese.
    pub fn zh(self) -> &'static str {
        self.describe().2
    }

    /// The generic message, in English.
    pub fn en(self) -> &'static str {
        self.describe().3
    }

    /// (code, status, Chinese, English): one table, so a code's status and words never drift.
    fn describe(self) -> (&'static str, u16, &'static str, &'static str) {
        use ErrorCode::*;
        match self {
            BadRequest => ("bad_request", 400, "请求有误", "bad request"),
            MalformedJson => (
                "malformed_json",
                400,
                "请求体不是有效的 JSON",
                "malformed JSON",
            ),
            Unauthorized => ("unauthorized", 401, "需要登录", "authentication required"),
            Forbidden => (
                "forbidden",
                403,
                "无权执行此操作",
                "not allowed for your role",
            ),
            NotFound => ("not_found", 404, "未找到", "not found"),
            MethodNotAllowed => (
                "method_not_allowed",
                405,
                "该地址不支持此请求方法",
                "method not allowed",
            ),
            InvalidTransition => (
                "invalid_transition",
                409,
                "当前状态不允许此操作",
                "not allowed in the current state",
            ),
            Conflict => (
                "conflict",
                409,
                "与同时进行的修改冲突，请刷新后重试",
                "a concurrent change conflicts; reload and retry",
            ),
            UsernameTaken => (
                "username_taken",
                409,
                "用户名已被使用",
                "the username is taken",
            ),
            ApprovalNoTaken => (
                "approval_no_taken",
                409,
                "批准号已存在",
                "the approval number exists",
            ),
            CycleExists => (
                "cycle_exists",
                409,
                "该年度已有评价周期",
                "the year already has a cycle",
            ),
            SchemeExists => (
                "scheme_exists",
                409,
                "该评价方案版本已存在",
                "the scheme version exists",
            ),
            NoActiveScheme => (
                "no_active_scheme",
                409,
                "没有启用的评价方案",
                "no active scheme",
            ),
            NoCycle => (
                "no_cycle",
                409,
                "该年度尚未设立评价周期",
                "no evaluation cycle for the year",
            ),
            WindowClosed => (
                "window_closed",
                409,
                "不在报送期内",
                "the submission window is closed",
            ),
            NothingToSubmit => (
                "nothing_to_submit",
                409,
                "尚未保存报告，无法提交",
                "save the report before submitting it",
            ),
            AlreadyRunning => (
                "already_running",
                409,
                "该年度的评价正在进行",
                "an evaluation of the year is running",
            ),
            FinalExists => (
                "final_exists",
                409,
                "该年度已有最终评价结果",
                "the year's evaluation is final",
            ),
            EvaluationRunning => (
                "evaluation_running",
                409,
                "评价仍在进行",
                "the evaluation is still running",
            ),
            EvaluationFailed => (
                "evaluation_failed",
                409,
                "评价失败",
                "the evaluation failed",
            ),
            ObjectionsOpen => (
                "objections_open",
                409,
                "尚有异议未答复",
                "objections still unanswered",
            ),
            ObjectionPeriodClosed => (
                "objection_period_closed",
                409,
                "不在异议期内",
                "the objection period is closed",
            ),
            IncidentVoided => (
                "incident_voided",
                409,
                "该事件已作废",
                "the incident is voided",
            ),
            AlreadyVoided => (
                "already_voided",
                409,
                "该事件已作废",
                "the incident is already voided",
            ),
            CannotDisableSelf => (
                "cannot_disable_self",
                409,
                "不能停用自己的账号",
                "you cannot disable your own account",
            ),
            NotPublished => (
                "not_published",
                409,
                "风险警示尚未签发",
                "the warning has not been issued",
            ),
            StaleRevision => (
                "stale_revision",
                412,
                "报告已被修改，请刷新后再保存",
                "the report changed; reload it",
            ),
            PayloadTooLarge => (
                "payload_too_large",
                413,
                "请求体过大",
                "request body too large",
            ),
            UnsupportedMediaType => (
                "unsupported_media_type",
                415,
                "请求体须为 application/json",
                "the body must be application/json",
            ),
            ValidationFailed => ("validation_failed", 422, "内容有误", "invalid content"),
            IfMatchRequired => (
                "if_match_required",
                428,
                "保存时须带 If-Match 指明所修改的版本",
                "If-Match is required",
            ),
            TooManyAttempts => (
                "too_many_attempts",
                429,
                "尝试次数过多，请稍后再试",
                "too many attempts; retry later",
            ),
            InternalError => ("internal_error", 500, "服务器内部错误", "internal error"),
            DatabaseUnavailable => (
                "database_unavailable",
                503,
                "数据库暂不可用",
                "database unavailable",
            ),
            FontUnavailable => (
                "font_unavailable",
                503,
                "服务器未安装中文字体",
                "no CJK font installed",
            ),
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

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
    /// A chart.
    Chart,
    /// A route.
    Route,
    /// A record of any kind.
    Record,
}

impl Noun {
    /// Every noun.
    pub const ALL: [Noun; 16] = [
        Noun::Body,
        Noun::User,
        Noun::Client,
        Noun::Cycle,
        Noun::Scheme,
        Noun::Report,
        Noun::Revision,
        Noun::Incident,
        Noun::Evaluation,
        Noun::Result,
        Noun::Objection,
        Noun::Warning,
        Noun::Exception,
        Noun::Chart,
        Noun::Route,
        Noun::Record,
    ];

    /// The noun whose Chinese word this is (`Record` when none is).
    pub fn from_zh(word: &str) -> Noun {
        Noun::ALL
            .into_iter()
            .find(|n| n.words().0 == word)
            .unwrap_or(Noun::Record)
    }

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
            Noun::Chart => ("图表", "chart"),
            Noun::Route => ("地址", "route"),
            Noun::Record => ("记录", "record"),
        }
    }
}

/// One field-level problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Detail {
    /// The field, e.g. `payload.press_releases`.
    pub field: String,
    /// What is wrong with it (Chinese, then English).
    pub problem: String,
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
        .with_details(vec![Detail {
            field: field.to_string(),
            problem: format!("{zh} / {en}"),
        }])
    }

    /// 422 listing every problem.
    pub fn validation(problems: &[Problem]) -> Error {
        let n = problems.len();
        Error::new(
            ErrorCode::ValidationFailed,
            format!("内容有 {n} 处问题"),
            format!("{n} problem(s) found"),
        )
        .with_details(
            problems
                .iter()
                .map(|p| Detail {
                    field: p.field.clone(),
                    problem: format!("{} / {}", p.message, p.message_en),
                })
                .collect(),
        )
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

    /// 500: the cause is logged with a request id; the message says nothing internal.
    pub fn internal(cause: impl std::fmt::Display) -> Error {
        let request_id = uuid::Uuid::new_v4().to_string();
        tracing::error!(request_id = %request_id, error = %cause, "internal error");
        let mut e = Error::new(
            ErrorCode::InternalError,
            format!("服务器内部错误，请联系管理员并提供请求编号 {request_id}"),
            format!("internal error, request id {request_id}"),
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
            crate::db::DbError::Pool(p) => {
                tracing::warn!(error = %p, "database unavailable");
                Error::of(ErrorCode::DatabaseUnavailable)
            }
            other => Error::internal(other),
        }
    }
}

impl From<diesel::r2d2::Error> for Error {
    fn from(e: diesel::r2d2::Error) -> Error {
        Error::internal(e)
    }
}

#[cfg(test)]
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
    fn not_found_speaks_each_language_once() {
        let e = Error::not_found(Noun::Report);
        assert_eq!(e.message, "未找到报告 / report not found");
    }
}
