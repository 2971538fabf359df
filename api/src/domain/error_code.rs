//! The one table of error codes: each code's HTTP status and its words in Chinese and
//! English, so a condition has one code everywhere and a code's status never drifts.

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
    /// 409: the body's earlier objection to the evaluation awaits its answer.
    ObjectionAlreadyOpen,
    /// 409: the incident is voided.
    IncidentVoided,
    /// 409: the incident is already voided.
    AlreadyVoided,
    /// 409: an admin cannot disable their own account.
    CannotDisableSelf,
    /// 409: the warning has not been issued.
    NotPublished,
    /// 409: the year has no final evaluation (an impact analysis scores a final year's inputs).
    NoFinalEvaluation,
    /// 409: a final evaluation's inputs can no longer be rebuilt as its digest records them.
    InputsChanged,
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
    /// 429: too many document requests of one caller; see `Retry-After`.
    TooManyRequests,
    /// 500: an internal fault (logged with a request id).
    InternalError,
    /// 503: the database cannot be reached.
    DatabaseUnavailable,
    /// 503: no CJK font for PDFs and PNG charts.
    FontUnavailable,
    /// 503: no evaluation can be queued now (the queue is full, or the server is stopping).
    EvaluationsUnavailable,
}

impl ErrorCode {
    /// Every code, for the OpenAPI document and the tests.
    pub const ALL: [ErrorCode; 40] = [
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
        ErrorCode::ObjectionAlreadyOpen,
        ErrorCode::IncidentVoided,
        ErrorCode::AlreadyVoided,
        ErrorCode::CannotDisableSelf,
        ErrorCode::NotPublished,
        ErrorCode::NoFinalEvaluation,
        ErrorCode::InputsChanged,
        ErrorCode::StaleRevision,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::ValidationFailed,
        ErrorCode::IfMatchRequired,
        ErrorCode::TooManyAttempts,
        ErrorCode::TooManyRequests,
        ErrorCode::InternalError,
        ErrorCode::DatabaseUnavailable,
        ErrorCode::FontUnavailable,
        ErrorCode::EvaluationsUnavailable,
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
    #[rustfmt::skip]
    fn describe(self) -> (&'static str, u16, &'static str, &'static str) {
        use ErrorCode::*;
        match self {
            BadRequest => ("bad_request", 400, "请求有误", "bad request"),
            MalformedJson => ("malformed_json", 400, "请求体不是有效的 JSON", "malformed JSON"),
            Unauthorized => ("unauthorized", 401, "需要登录", "authentication required"),
            Forbidden => ("forbidden", 403, "无权执行此操作", "not allowed for your role"),
            NotFound => ("not_found", 404, "未找到", "not found"),
            MethodNotAllowed => ("method_not_allowed", 405, "该地址不支持此请求方法", "method not allowed"),
            InvalidTransition => ("invalid_transition", 409, "当前状态不允许此操作", "not allowed in the current state"),
            Conflict => ("conflict", 409, "与同时进行的修改冲突，请刷新后重试", "a concurrent change conflicts; reload and retry"),
            UsernameTaken => ("username_taken", 409, "用户名已被使用", "the username is taken"),
            ApprovalNoTaken => ("approval_no_taken", 409, "批准号已存在", "the approval number exists"),
            CycleExists => ("cycle_exists", 409, "该年度已有评价周期", "the year already has a cycle"),
            SchemeExists => ("scheme_exists", 409, "该评价方案版本已存在", "the scheme version exists"),
            NoActiveScheme => ("no_active_scheme", 409, "没有启用的评价方案", "no active scheme"),
            NoCycle => ("no_cycle", 409, "该年度尚未设立评价周期", "no evaluation cycle for the year"),
            WindowClosed => ("window_closed", 409, "不在报送期内", "the submission window is closed"),
            NothingToSubmit => ("nothing_to_submit", 409, "尚未保存报告，无法提交", "save the report before submitting it"),
            AlreadyRunning => ("already_running", 409, "该年度的评价正在进行", "an evaluation of the year is running"),
            FinalExists => ("final_exists", 409, "该年度已有最终评价结果", "the year's evaluation is final"),
            EvaluationRunning => ("evaluation_running", 409, "评价仍在进行", "the evaluation is still running"),
            EvaluationFailed => ("evaluation_failed", 409, "评价失败", "the evaluation failed"),
            ObjectionsOpen => ("objections_open", 409, "尚有异议未答复", "objections still unanswered"),
            ObjectionPeriodClosed => ("objection_period_closed", 409, "不在异议期内", "the objection period is closed"),
            ObjectionAlreadyOpen => ("objection_already_open", 409, "已有一项异议尚待答复，答复后方可再次提出", "an objection already awaits its answer; file another once it is answered"),
            IncidentVoided => ("incident_voided", 409, "该事件已作废", "the incident is voided"),
            AlreadyVoided => ("already_voided", 409, "该事件已作废", "the incident is already voided"),
            CannotDisableSelf => ("cannot_disable_self", 409, "不能停用自己的账号", "you cannot disable your own account"),
            NotPublished => ("not_published", 409, "风险警示尚未签发", "the warning has not been issued"),
            NoFinalEvaluation => ("no_final_evaluation", 409, "该年度没有最终评价结果", "the year has no final evaluation"),
            InputsChanged => ("inputs_changed", 409, "该年度评价所用的数据已无法原样重建", "the evaluation's inputs can no longer be rebuilt"),
            StaleRevision => ("stale_revision", 412, "报告已被修改，请刷新后再保存", "the report changed; reload it"),
            PayloadTooLarge => ("payload_too_large", 413, "请求体过大", "request body too large"),
            UnsupportedMediaType => ("unsupported_media_type", 415, "请求体须为 application/json", "the body must be application/json"),
            ValidationFailed => ("validation_failed", 422, "内容有误", "invalid content"),
            IfMatchRequired => ("if_match_required", 428, "保存时须带 If-Match 指明所修改的版本", "If-Match is required"),
            TooManyAttempts => ("too_many_attempts", 429, "尝试次数过多，请稍后再试", "too many attempts; retry later"),
            TooManyRequests => ("too_many_requests", 429, "请求过于频繁，请稍后再试", "too many requests; retry later"),
            InternalError => ("internal_error", 500, "服务器内部错误", "internal error"),
            DatabaseUnavailable => ("database_unavailable", 503, "数据库暂不可用", "database unavailable"),
            FontUnavailable => ("font_unavailable", 503, "服务器未安装中文字体", "no CJK font installed"),
            EvaluationsUnavailable => ("evaluations_unavailable", 503, "暂时无法开始评价，请稍后再试", "no evaluation can start now; retry later"),
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
