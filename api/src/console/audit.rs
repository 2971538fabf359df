//! `/console/audit` (staff): the audit log, newest first, a page at a time, and 校验 — a walk
//! of the whole hash chain that names the first entry that breaks it.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::home::china_time;
use super::page::{ConsoleError, Nav, html};
use super::session::Session;
use super::warnings_staff::kit::{PER_PAGE, Pager, given, page_of, require};
use crate::domain::audit::{self, Verification};
use crate::domain::policy::Staff;
use crate::state::AppState;

/// The page asked for, and whether to verify the chain.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditQuery {
    /// The page, from 1.
    pub page: Option<String>,
    /// Any value: verify the chain and show the result.
    pub verify: Option<String>,
}

/// One entry of the log.
#[derive(Debug, Clone)]
pub struct EntryLine {
    /// Its sequence number.
    pub seq: i64,
    /// When, on the regulator's calendar.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What was done: the Chinese name and the code.
    pub action: String,
    /// To what.
    pub entity: String,
    /// The detail as recorded (JSON).
    pub detail: String,
    /// The start of the entry's hash.
    pub hash: String,
}

#[derive(Template)]
#[template(path = "console/audit_list.html")]
struct AuditPage {
    nav: Option<Nav>,
    entries: Vec<EntryLine>,
    verified: Option<(bool, String)>,
    pager: Pager,
}

/// The Chinese name of a recorded action (the code itself for one not named here).
fn action_zh(code: &str) -> &'static str {
    match code {
        "user.create" => "创建用户",
        "user.disable" => "停用用户",
        "user.password" => "重置密码",
        "client.create" => "创建外部系统",
        "client.disable" => "停用外部系统",
        "client.rotate" => "更换外部系统密钥",
        "incident.record" => "登记事件",
        "incident.report" => "机构报告要情",
        "auth.revoke" => "退出登录",
        "body.create" => "登记机构",
        "body.update" => "修改机构信息",
        "cycle.create" => "设立评价周期",
        "cycle.update" => "修改评价周期",
        "cycle.exception" => "准予逾期报送",
        "scheme.create" => "创建评价方案",
        "scheme.activate" => "启用评价方案",
        "submission.save" => "保存报告",
        "submission.submit" => "提交报告",
        "submission.accept" => "接收报告",
        "submission.return" => "退回报告",
        "objection.file" => "提出异议",
        "objection.answer" => "答复异议",
        "evaluation.start" => "开始评价",
        "evaluation.draft" => "评价完成（草稿）",
        "evaluation.fail" => "评价失败",
        "evaluation.publish" => "评价公示",
        "evaluation.supersede" => "取代评价",
        "incident.correct" => "更正事件",
        "incident.void" => "作废事件",
        "warning.draft" => "生成风险警示草稿",
        "warning.issue" => "签发风险警示",
        "warning.withdraw" => "撤回风险警示",
        "warning.acknowledge" => "确认收到风险警示",
        "warning.rectification" => "提交整改报告",
        "warning.send_back" => "退回整改",
        "warning.close" => "关闭风险警示",
        "warning.escalate" => "升级处理风险警示",
        "evaluation.finalize" => "评价定稿",
        "evaluation.supersede_final" => "取代已定稿的评价",
        _ => "",
    }
}

/// What the verification says, in Chinese: whether the chain is whole, and the sentence.
fn verdict(v: &Verification) -> (bool, String) {
    match v.first_broken {
        None => (
            true,
            format!(
                "校验通过：共 {} 条记录，哈希链完整，未发现篡改。",
                v.entries
            ),
        ),
        Some(seq) => (
            false,
            format!(
                "校验未通过：哈希链在第 {seq} 条记录处断裂（共 {} 条）。{}",
                v.entries,
                v.problem.clone().unwrap_or_default()
            ),
        ),
    }
}

/// `GET /console/audit`.
pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ConsoleError> {
    require::<Staff>(&session)?;
    let q = query.into_inner();
    let (page, offset) = page_of(&q.page)?;
    let verify = given(&q.verify).is_some();
    let (entries, total, verification) = state
        .run(&session.principal, move |conn, _| {
            let (entries, total) = audit::page(conn, offset, PER_PAGE)?;
            let verification = if verify {
                Some(audit::verify(conn)?)
            } else {
                None
            };
            Ok((entries, total, verification))
        })
        .await?;
    let entries = entries
        .into_iter()
        .map(|e| {
            let zh = action_zh(&e.action);
            EntryLine {
                seq: e.seq,
                at: china_time(e.at),
                actor: e.actor,
                action: if zh.is_empty() {
                    e.action
                } else {
                    format!("{zh}（{}）", e.action)
                },
                entity: format!("{} {}", e.entity, e.entity_id),
                detail: e.detail,
                hash: e.hash.chars().take(12).collect(),
            }
        })
        .collect();
    html(&AuditPage {
        nav: Some(Nav::of(&session)),
        entries,
        verified: verification.as_ref().map(verdict),
        pager: Pager::new("/console/audit", &[], page, total),
    })
}
