//! The analysts' and admins' console pages: the warnings list with its filters and one
//! warning's page with the actions its state allows (签发, 撤回, 关闭, 退回整改, 升级处理) and
//! its notice; the incidents list, recording one, correcting and voiding it; the audit log and
//! its verification; users and clients for admins only (a secret shown once). Every POST
//! needs this site's Origin and the session's token; bad input is shown on the page, in
//! Chinese, beside its field.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use pubeval_tests::console::*;
use pubeval_tests::*;
use serde_json::json;

const EVIL: &str = "http://evil.example";

/// Asserts a 200 HTML page holding every one of `words`; its text.
fn page_with(r: &Reply, words: &[&str]) -> String {
    let page = text(r);
    assert_eq!(r.status, StatusCode::OK, "{page}");
    assert!(r.header("content-type").starts_with("text/html"));
    for w in words {
        assert!(page.contains(w), "{w} missing from {page}");
    }
    page
}

/// Asserts a 303 to `location`.
fn redirected(r: &Reply, location: &str) {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(r));
    assert_eq!(r.header("location"), location);
}

on_both_backends!(
    analysts_work_through_warnings_and_bodies_read_only_their_notice,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let evaluated = app
            .evaluated_2025(&analyst, &[("service", 150, true), ("service", 0, false)])
            .await;
        let id = &evaluated.id;
        let r = app
            .post(
                &format!("/api/v1/evaluations/{id}/publish"),
                Some(&analyst),
                json!({"objection_days": 5}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app
            .post(
                &format!("/api/v1/evaluations/{id}/finalize"),
                Some(&analyst),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let (weak_body, _) = &evaluated.bodies[1];
        let drafts = app
            .get(&format!("/api/v1/warnings?evaluation={id}"), Some(&analyst))
            .await;
        let warning = drafts.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["body_id"] == weak_body.as_str())
            .expect("the weak body is warned")
            .clone();
        let wid = warning["id"].as_str().unwrap().to_string();
        let page = format!("/console/warnings/{wid}");

        let staff = console_login(&app, "analyst1", "analyst1-password").await;
        // The list, its filters and the link to the warning.
        let list = app.send(staff.get("/console/warnings")).await;
        page_with(
            &list,
            &["风险警示", "级别", "是否逾期", "待签发的警示", &page],
        );
        let filtered = app
            .send(staff.get("/console/warnings?status=draft&level=&overdue=false&year=2025"))
            .await;
        page_with(&filtered, &[&page]);
        let other_year = app.send(staff.get("/console/warnings?year=2024")).await;
        let none = page_with(&other_year, &["没有符合条件的风险警示"]);
        assert!(!none.contains(&page));
        let bad = app.send(staff.get("/console/warnings?level=7")).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(text(&bad).contains("级别须为 1 至 3"), "{}", text(&bad));

        // A draft: its findings and the actions of a draft, no notice yet.
        let draft = app.send(staff.get(&page)).await;
        let html = page_with(&draft, &["警示事项", "签发", "撤回", "签发后生成通知书"]);
        assert!(!html.contains("升级处理</button>"), "{html}");
        let notice = format!("{page}/notice.html");
        assert_eq!(
            app.send(staff.get(&notice)).await.status,
            StatusCode::NOT_FOUND
        );

        // A forged form from elsewhere, or one without the token: refused.
        let forged = app
            .send(staff.post(&format!("{page}/issue"), EVIL, &[]))
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let no_token = Console {
            cookie: staff.cookie.clone(),
            csrf: "wrong".into(),
        };
        assert_eq!(
            app.send(no_token.post(&format!("{page}/issue"), ORIGIN, &[]))
                .await
                .status,
            StatusCode::FORBIDDEN
        );

        // A deadline that is not after today: shown beside its field, what was typed kept.
        let early = app
            .send(staff.post(
                &format!("{page}/issue"),
                ORIGIN,
                &[("deadline", "2001-01-01"), ("confirmation", "已复核无误")],
            ))
            .await;
        assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = text(&early);
        assert!(html.contains("整改期限须晚于今天"), "{html}");
        assert!(html.contains("已复核无误</textarea>"), "{html}");

        // 签发: issued, with its notice.
        let issued = app
            .send(staff.post(
                &format!("{page}/issue"),
                ORIGIN,
                &[("deadline", ""), ("confirmation", "已复核")],
            ))
            .await;
        redirected(&issued, &page);
        let html = page_with(
            &app.send(staff.get(&page)).await,
            &[
                "已签发",
                "认宣警〔",
                "notice.html",
                "notice.pdf",
                "升级处理",
                "处理记录",
            ],
        );
        assert!(!html.contains("撤回</button>"), "{html}");
        page_with(&app.send(staff.get(&notice)).await, &["通知"]);
        // The PDF is downloaded; without a CJK font the server says so on a Chinese page.
        let pdf = app.send(staff.get(&format!("{page}/notice.pdf"))).await;
        match pdf.status {
            StatusCode::OK => {
                assert_eq!(pdf.header("content-type"), "application/pdf");
                assert!(pdf.header("content-disposition").starts_with("attachment"));
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                assert!(pdf.header("content-type").starts_with("text/html"));
            }
            other => panic!("notice.pdf answered {other}: {}", text(&pdf)),
        }

        // Withdrawing is a draft's: refused on the page, in Chinese.
        let late = app
            .send(staff.post(&format!("{page}/withdraw"), ORIGIN, &[("reason", "重复")]))
            .await;
        assert_eq!(late.status, StatusCode::CONFLICT);
        assert!(text(&late).contains("不能撤回"), "{}", text(&late));

        // The body reads its own notice; the other body is told it does not exist.
        let own = console_login(&app, "b1", "b1-password").await;
        page_with(&app.send(own.get(&notice)).await, &["通知"]);
        let other = console_login(&app, "b0", "b0-password").await;
        let hidden = app.send(other.get(&notice)).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
        assert!(text(&hidden).contains("页面不存在"));
        // Nor may a body use the analysts' actions.
        let refused = app
            .send(own.post(&format!("{page}/escalate"), ORIGIN, &[("reason", "x")]))
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        // The body acknowledges and reports (through the API); the analyst sends it back,
        // then closes it.
        let (_, body_token) = &evaluated.bodies[1];
        let r = app
            .post(
                &format!("/api/v1/warnings/{wid}/acknowledge"),
                Some(body_token),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let report = json!({"report": "已完成整改：补报要情并完善制度"});
        let r = app
            .post(
                &format!("/api/v1/warnings/{wid}/rectification"),
                Some(body_token),
                report.clone(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        page_with(
            &app.send(staff.get(&page)).await,
            &["关闭", "退回整改", "已完成整改"],
        );
        let empty = app
            .send(staff.post(&format!("{page}/send-back"), ORIGIN, &[("comment", " ")]))
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            text(&empty).contains("须为 1 至 2000 个字符"),
            "{}",
            text(&empty)
        );
        let back = app
            .send(staff.post(
                &format!("{page}/send-back"),
                ORIGIN,
                &[("comment", "整改报告缺少制度文件")],
            ))
            .await;
        redirected(&back, &page);
        page_with(
            &app.send(staff.get(&page)).await,
            &["整改报告缺少制度文件", "已确认收悉"],
        );
        let r = app
            .post(
                &format!("/api/v1/warnings/{wid}/rectification"),
                Some(body_token),
                report,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let closed = app
            .send(staff.post(&format!("{page}/close"), ORIGIN, &[("comment", "")]))
            .await;
        redirected(&closed, &page);
        let html = page_with(&app.send(staff.get(&page)).await, &["已结案"]);
        assert!(
            !html.contains("/escalate\""),
            "a closed warning has no actions: {html}"
        );
    }
);

on_both_backends!(
    analysts_escalate_or_withdraw_and_list_overdue_ones,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let evaluated = app
            .evaluated_2025(&analyst, &[("service", 0, false), ("service", 0, false)])
            .await;
        let id = &evaluated.id;
        app.post(
            &format!("/api/v1/evaluations/{id}/publish"),
            Some(&analyst),
            json!({"objection_days": 5}),
        )
        .await;
        let r = app
            .post(
                &format!("/api/v1/evaluations/{id}/finalize"),
                Some(&analyst),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let drafts = app
            .get(&format!("/api/v1/warnings?evaluation={id}"), Some(&analyst))
            .await;
        let ids: Vec<String> = drafts.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids.len(), 2, "{}", drafts.body);
        let staff = console_login(&app, "analyst1", "analyst1-password").await;
        let (first, second) = (
            format!("/console/warnings/{}", ids[0]),
            format!("/console/warnings/{}", ids[1]),
        );

        let empty = app
            .send(staff.post(&format!("{first}/withdraw"), ORIGIN, &[("reason", "")]))
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        let withdrawn = app
            .send(staff.post(
                &format!("{first}/withdraw"),
                ORIGIN,
                &[("reason", "事实有误，不予签发")],
            ))
            .await;
        redirected(&withdrawn, &first);
        page_with(
            &app.send(staff.get(&first)).await,
            &["已撤回", "事实有误，不予签发"],
        );

        let issued = app
            .send(staff.post(
                &format!("{second}/issue"),
                ORIGIN,
                &[("confirmation", "已复核")],
            ))
            .await;
        redirected(&issued, &second);
        let escalated = app
            .send(staff.post(
                &format!("{second}/escalate"),
                ORIGIN,
                &[("reason", "约谈机构负责人")],
            ))
            .await;
        redirected(&escalated, &second);
        page_with(
            &app.send(staff.get(&second)).await,
            &["已升级处理", "约谈机构负责人"],
        );
        let listed = app
            .send(staff.get("/console/warnings?status=escalated"))
            .await;
        let html = page_with(&listed, &[&second]);
        assert!(!html.contains(&first));
        // Nothing here is overdue.
        let overdue = app.send(staff.get("/console/warnings?overdue=true")).await;
        page_with(&overdue, &["没有符合条件的风险警示"]);
    }
);

on_both_backends!(
    analysts_record_correct_and_void_incidents,
    |backend| async move {
        let app = spawn(backend).await;
        let _analyst = app.analyst().await;
        app.body("CNCA-R-2018-001", "service").await;
        let staff = console_login(&app, "analyst1", "analyst1-password").await;
        page_with(
            &app.send(staff.get("/console/incidents")).await,
            &[
                "要情",
                "登记事件",
                "机构批准号",
                "含已作废的事件",
                "没有符合条件的事件",
            ],
        );
        page_with(
            &app.send(staff.get("/console/incidents/record")).await,
            &["登记事件", "事发时间", "负面舆情"],
        );

        // Every problem beside its field, what was typed kept.
        let bad = app
            .send(staff.post(
                "/console/incidents/record",
                ORIGIN,
                &[
                    ("body", "CNCA-R-2099-999"),
                    ("kind", "negative_opinion"),
                    ("severity", "major"),
                    ("occurred_at", "2025-03-01T09:30"),
                    ("reported_at", ""),
                    ("description", ""),
                    ("evidence", ""),
                ],
            ))
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = text(&bad);
        assert!(html.contains("未找到机构"), "{html}");
        assert!(html.contains("须为 1 至 4000 个字符"), "{html}");
        assert!(html.contains("value=\"CNCA-R-2099-999\""), "{html}");
        let no_time = app
            .send(staff.post(
                "/console/incidents/record",
                ORIGIN,
                &[("occurred_at", "昨天")],
            ))
            .await;
        assert_eq!(no_time.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            text(&no_time).contains("时间格式应为"),
            "{}",
            text(&no_time)
        );
        assert_eq!(
            app.send(staff.post("/console/incidents/record", EVIL, &[]))
                .await
                .status,
            StatusCode::FORBIDDEN
        );

        let ok = app
            .send(staff.post(
                "/console/incidents/record",
                ORIGIN,
                &[
                    ("body", "CNCA-R-2018-001"),
                    ("kind", "negative_opinion"),
                    ("severity", "general"),
                    ("occurred_at", "2025-03-01T09:30"),
                    ("reported_at", ""),
                    ("description", "微博出现负面报道"),
                    ("evidence", "链接见附件"),
                ],
            ))
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", text(&ok));
        let detail = ok.header("location").to_string();
        assert!(detail.starts_with("/console/incidents/"), "{detail}");
        page_with(
            &app.send(staff.get(&detail)).await,
            &[
                "负面舆情",
                "一般",
                "2025-03-01 09:30",
                "微博出现负面报道",
                "更正",
                "作废",
                "未报告",
            ],
        );
        let list = app
            .send(
                staff
                    .get("/console/incidents?body=CNCA-R-2018-001&year=2025&kind=negative_opinion"),
            )
            .await;
        page_with(&list, &[&detail, "CNCA-R-2018-001 认证有限公司"]);
        let unknown = app
            .send(staff.get("/console/incidents?body=CNCA-R-2099-999"))
            .await;
        page_with(&unknown, &["未找到批准号为"]);

        // 更正: the severity, with a reason; without one, refused beside the field.
        let no_reason = app
            .send(staff.post(
                &format!("{detail}/correct"),
                ORIGIN,
                &[
                    ("kind", "negative_opinion"),
                    ("severity", "major"),
                    ("reason", ""),
                ],
            ))
            .await;
        assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
        let corrected = app
            .send(staff.post(
                &format!("{detail}/correct"),
                ORIGIN,
                &[
                    ("kind", "negative_opinion"),
                    ("severity", "major"),
                    ("reason", "经核实影响重大"),
                ],
            ))
            .await;
        redirected(&corrected, &detail);
        page_with(
            &app.send(staff.get(&detail)).await,
            &["严重程度 一般 → 重大", "经核实影响重大"],
        );

        // 作废: kept, marked, and listed only when asked for.
        let voided = app
            .send(staff.post(&format!("{detail}/void"), ORIGIN, &[("reason", "重复登记")]))
            .await;
        redirected(&voided, &detail);
        let html = page_with(
            &app.send(staff.get(&detail)).await,
            &["作废，理由：重复登记"],
        );
        assert!(!html.contains("/void\""), "{html}");
        let hidden = app.send(staff.get("/console/incidents")).await;
        assert!(!text(&hidden).contains(&detail));
        let shown = app.send(staff.get("/console/incidents?voided=true")).await;
        page_with(&shown, &[&detail, "已作废"]);

        // Body users are refused the analysts' pages.
        let body_id = app.body("CNCA-R-2018-002", "service").await;
        app.user("b9", "body", Some(&body_id)).await;
        let body = console_login(&app, "b9", "b9-password").await;
        assert_eq!(
            app.send(body.get("/console/incidents")).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.send(body.get(&detail)).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.send(body.get("/console/audit")).await.status,
            StatusCode::FORBIDDEN
        );
    }
);

on_both_backends!(the_audit_log_is_paged_and_verified, |backend| async move {
    let app = spawn(backend).await;
    let _analyst = app.analyst().await;
    let staff = console_login(&app, "analyst1", "analyst1-password").await;
    let html = page_with(
        &app.send(staff.get("/console/audit")).await,
        &[
            "审计日志",
            "校验</button>",
            "创建用户（user.create）",
            "第 1 / 1 页",
        ],
    );
    assert!(!html.contains("校验通过"));
    page_with(
        &app.send(staff.get("/console/audit?verify=1")).await,
        &["校验通过", "哈希链完整"],
    );
    assert_eq!(
        app.send(staff.get("/console/audit?page=0")).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
});

on_both_backends!(
    admins_manage_users_and_clients_and_see_a_secret_once,
    |backend| async move {
        let app = spawn(backend).await;
        let _analyst = app.analyst().await;
        let body_id = app.body("CNCA-R-2018-001", "service").await;
        let analyst = console_login(&app, "analyst1", "analyst1-password").await;
        for path in ["/console/users", "/console/clients"] {
            let r = app.send(analyst.get(path)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
            assert!(text(&r).contains("无权访问"));
        }
        let refused = app
            .send(analyst.post("/console/users", ORIGIN, &[("username", "x")]))
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        let admin = console_login(&app, ADMIN.0, ADMIN.1).await;
        page_with(
            &app.send(admin.get("/console/users")).await,
            &["用户", "创建用户", "analyst1", "分析人员", "重置密码"],
        );

        // Bad input beside its field, what was typed kept.
        let weak = app
            .send(admin.post(
                "/console/users",
                ORIGIN,
                &[
                    ("username", "bodyuser"),
                    ("password", "short"),
                    ("role", "body"),
                    ("body", "CNCA-R-2018-001"),
                ],
            ))
            .await;
        assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = text(&weak);
        assert!(html.contains("value=\"bodyuser\""), "{html}");
        assert!(html.contains("class=\"field-error\""), "{html}");
        let taken = app
            .send(admin.post(
                "/console/users",
                ORIGIN,
                &[
                    ("username", "analyst1"),
                    ("password", "long-enough-1"),
                    ("role", "analyst"),
                    ("body", ""),
                ],
            ))
            .await;
        assert_eq!(taken.status, StatusCode::CONFLICT);
        assert!(text(&taken).contains("已存在"));

        let created = app
            .send(admin.post(
                "/console/users",
                ORIGIN,
                &[
                    ("username", "bodyuser"),
                    ("password", "bodyuser-password"),
                    ("role", "body"),
                    ("body", "CNCA-R-2018-001"),
                ],
            ))
            .await;
        redirected(&created, "/console/users?done=created");
        let html = page_with(
            &app.send(admin.get("/console/users?done=created")).await,
            &["已创建用户", "bodyuser", "CNCA-R-2018-001 认证有限公司"],
        );
        let user_id = html
            .split("/console/users/")
            .filter_map(|rest| rest.split('/').next())
            .find(|id| html.contains(&format!("pw-{id}\">bodyuser 的新密码")))
            .unwrap()
            .to_string();
        app.login("bodyuser", "bodyuser-password").await;
        let users = app.get("/api/v1/users", Some(&app.admin().await)).await;
        assert!(users.body.to_string().contains(&body_id));

        // A new password; the old one stops working.
        let short = app
            .send(admin.post(
                &format!("/console/users/{user_id}/password"),
                ORIGIN,
                &[("password", "x")],
            ))
            .await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        let reset = app
            .send(admin.post(
                &format!("/console/users/{user_id}/password"),
                ORIGIN,
                &[("password", "a-new-password-2")],
            ))
            .await;
        redirected(&reset, "/console/users?done=password");
        app.login("bodyuser", "a-new-password-2").await;
        let disabled = app
            .send(admin.post(&format!("/console/users/{user_id}/disable"), ORIGIN, &[]))
            .await;
        redirected(&disabled, "/console/users?done=disabled");
        page_with(
            &app.send(admin.get("/console/users?done=disabled")).await,
            &["已停用"],
        );
        let gone = app
            .post("/api/v1/auth/token", None, json!({"grant_type": "password", "username": "bodyuser", "password": "a-new-password-2"}))
            .await;
        assert_eq!(gone.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            app.send(admin.post(&format!("/console/users/{user_id}/disable"), EVIL, &[]))
                .await
                .status,
            StatusCode::FORBIDDEN
        );

        // Clients: a scope is needed; the secret is shown once, and a rotated one replaces it.
        page_with(
            &app.send(admin.get("/console/clients")).await,
            &["外部系统", "创建外部系统", "读取评价结果"],
        );
        let none = app
            .send(admin.post("/console/clients", ORIGIN, &[("name", "省局系统")]))
            .await;
        assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            text(&none).contains("至少需要一个权限范围"),
            "{}",
            text(&none)
        );
        let made = app
            .send(admin.post(
                "/console/clients",
                ORIGIN,
                &[
                    ("name", "省局系统"),
                    ("scope_results", "on"),
                    ("scope_warnings", "on"),
                ],
            ))
            .await;
        let html = page_with(
            &made,
            &[
                "外部系统已创建",
                "密钥只显示这一次",
                "读取评价结果、读取风险警示",
            ],
        );
        let secret = |html: &str| {
            html.split("<code class=\"secret\">")
                .nth(1)
                .and_then(|rest| rest.split('<').next())
                .unwrap()
                .to_string()
        };
        let client_id = html
            .split("<code>")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .unwrap()
            .to_string();
        let first = secret(&html);
        let token = |secret: String| json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret});
        assert_eq!(
            app.post("/api/v1/auth/token", None, token(first.clone()))
                .await
                .status,
            StatusCode::OK
        );
        let listed = page_with(
            &app.send(admin.get("/console/clients")).await,
            &["省局系统", &client_id],
        );
        assert!(!listed.contains(&first), "a secret is shown once");
        let row_id = listed
            .split("/console/clients/")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap()
            .to_string();
        let rotated = app
            .send(admin.post(&format!("/console/clients/{row_id}/rotate"), ORIGIN, &[]))
            .await;
        let second = secret(&page_with(&rotated, &["密钥已更换"]));
        assert_ne!(first, second);
        assert_eq!(
            app.post("/api/v1/auth/token", None, token(first))
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.post("/api/v1/auth/token", None, token(second.clone()))
                .await
                .status,
            StatusCode::OK
        );
        let off = app
            .send(admin.post(&format!("/console/clients/{row_id}/disable"), ORIGIN, &[]))
            .await;
        redirected(&off, "/console/clients?done=disabled");
        page_with(
            &app.send(admin.get("/console/clients?done=disabled")).await,
            &["已停用"],
        );
        assert_eq!(
            app.post("/api/v1/auth/token", None, token(second))
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
);
