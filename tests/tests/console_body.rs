//! A certification body's console pages: the annual report form generated from the scheme
//! (a partial draft saved, a submission refused with each problem beside its field and what was
//! typed kept, then fixed and submitted; a stale save refused with a way to reload; another
//! year's or body's page a 404), its results with the radar, the letter and an objection during
//! 公示, its warnings (notice, 确认收到, rectification report) and 要情报告 with the 48-hour clock.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use pubeval_tests::console::*;
use pubeval_tests::*;
use serde_json::{Value, json};

fn value_of(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page.find(&marker).expect(name) + marker.len();
    page[at..].split('"').next().unwrap().to_string()
}

/// The report form's fields of a JSON payload (`f.` names; a set as repeated boxes).
fn form_fields(payload: &Value) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (k, v) in payload.as_object().unwrap() {
        let name: &'static str = Box::leak(format!("f.{k}").into_boxed_str());
        match v {
            Value::Bool(true) => out.push((name, "true".to_string())),
            Value::Bool(false) => {}
            Value::Array(items) => out.extend(
                items
                    .iter()
                    .map(|i| (name, i.as_str().unwrap().to_string())),
            ),
            other => out.push((name, other.to_string())),
        }
    }
    out
}

fn open_cycle_json() -> Value {
    let now = chrono::Utc::now();
    json!({"year": 2025, "opens_at": (now - chrono::Duration::days(1)).to_rfc3339(),
           "closes_at": (now + chrono::Duration::days(9)).to_rfc3339()})
}

on_both_backends!(
    a_body_fills_in_saves_a_draft_sees_its_errors_fixes_and_submits,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let r = app
            .post("/api/v1/cycles", Some(&analyst), open_cycle_json())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let body = app.body("CNCA-R-2018-001", "service").await;
        let token = app.user("b0", "body", Some(&body)).await;
        let c = console_login(&app, "b0", "b0-password").await;

        // The form generated from the scheme.
        let form = app.send(c.get("/console/report/2025")).await;
        assert_eq!(form.status, StatusCode::OK, "{}", text(&form));
        let page = text(&form);
        for words in [
            "2025 年度宣传工作报告",
            "<label for=\"f-policy_approved\">宣传工作方针和管理制度经最高决策层批准实施</label>",
            "type=\"checkbox\" id=\"f-policy_approved\" name=\"f.policy_approved\"",
            "《指引》第七条、第八条",
            "<legend>新媒体传播矩阵</legend>",
            "<label for=\"f-media_channels-wechat\">微信公众号</label>",
            "type=\"number\" id=\"f-press_releases\" name=\"f.press_releases\"",
            "min=\"0\" max=\"100000\" step=\"1\"",
            "万元",
            "name=\"revision\" value=\"0\"",
            ">保存草稿</button>",
            ">提交</button>",
            "未开始填报",
        ] {
            assert!(page.contains(words), "{words} in {page}");
        }

        // A partial draft.
        let draft = app
            .send(c.submit(
                "/console/report/2025",
                &[
                    ("action", "save".into()),
                    ("revision", "0".into()),
                    ("f.policy_approved", "true".into()),
                    ("f.press_releases", "12".into()),
                    ("f.media_channels", "website".into()),
                    ("f.media_channels", "weibo".into()),
                ],
            ))
            .await;
        assert_eq!(draft.status, StatusCode::SEE_OTHER, "{}", text(&draft));
        assert_eq!(draft.header("location"), "/console/report/2025?done=saved");
        let saved = text(&app.send(c.get("/console/report/2025?done=saved")).await);
        assert!(saved.contains("草稿已保存"), "{saved}");
        assert!(saved.contains("name=\"revision\" value=\"1\""), "{saved}");
        assert!(saved.contains("value=\"12\""), "{saved}");
        assert!(saved.contains("value=\"weibo\" checked"), "{saved}");
        // The very payload the JSON API holds: unchecked boxes false, sets as codes.
        let api = app
            .get(
                &format!("/api/v1/bodies/{body}/submissions/2025"),
                Some(&token),
            )
            .await;
        let payload = &api.body["payload"];
        assert_eq!(payload["press_releases"], 12, "{}", api.body);
        assert_eq!(payload["annual_plan"], false);
        assert_eq!(payload["media_channels"], json!(["website", "weibo"]));
        assert!(payload.get("original_posts").is_none());

        // 提交 with fields missing and one wrong: every problem beside its field, typed kept.
        let refused = app
            .send(c.submit(
                "/console/report/2025",
                &[
                    ("action", "submit".into()),
                    ("revision", "1".into()),
                    ("f.policy_approved", "true".into()),
                    ("f.press_releases", "12".into()),
                    ("f.original_posts", "5.5".into()),
                    ("f.media_channels", "website".into()),
                ],
            ))
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let page = text(&refused);
        for words in [
            "处问题",
            "id=\"f-revenue_wan-error\"",
            "必填字段“年度认证业务收入”未填写",
            "“新媒体原创发布数”应为整数",
            "href=\"#f-revenue_wan\"",
            "value=\"5.5\"",
            "aria-invalid=\"true\"",
        ] {
            assert!(page.contains(words), "{words} in {page}");
        }
        assert!(!page.contains("{\"error\""), "no raw JSON: {page}");
        let revision = value_of(&page, "revision");

        // Fixed: the whole report submitted.
        let mut fields = vec![("action", "submit".to_string()), ("revision", revision)];
        fields.extend(form_fields(&sample_report(40, true)));
        let ok = app.send(c.submit("/console/report/2025", &fields)).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", text(&ok));
        assert_eq!(ok.header("location"), "/console/report/2025?done=sent");
        let done = text(&app.send(c.get("/console/report/2025?done=sent")).await);
        assert!(done.contains("报告已提交"), "{done}");
        assert!(done.contains("已提交"), "{done}");
        assert!(
            done.contains(" disabled"),
            "read-only once submitted: {done}"
        );
        assert!(!done.contains(">保存草稿</button>"), "{done}");
        let api = app
            .get(
                &format!("/api/v1/bodies/{body}/submissions/2025"),
                Some(&token),
            )
            .await;
        assert_eq!(api.body["status"], "submitted", "{}", api.body);
        assert_eq!(api.body["payload"], sample_report(40, true));

        // A cross-site POST is refused.
        let foreign = app
            .send(
                c.submit("/console/report/2025", &[("action", "save".into())])
                    .insert_header(("Origin", "http://evil.example")),
            )
            .await;
        assert_eq!(foreign.status, StatusCode::FORBIDDEN);
        // A year without a cycle is no page.
        let none = app.send(c.get("/console/report/1999")).await;
        assert_eq!(none.status, StatusCode::NOT_FOUND);
        assert!(text(&none).contains("页面不存在"));
    }
);

on_both_backends!(
    a_stale_save_is_refused_with_a_way_to_reload,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        app.post("/api/v1/cycles", Some(&analyst), open_cycle_json())
            .await;
        let body = app.body("CNCA-R-2018-002", "product").await;
        app.user("b1", "body", Some(&body)).await;
        let c = console_login(&app, "b1", "b1-password").await;
        let save = |revision: &str, press: &str| {
            c.submit(
                "/console/report/2025",
                &[
                    ("action", "save".into()),
                    ("revision", revision.into()),
                    ("f.press_releases", press.into()),
                ],
            )
        };
        assert_eq!(app.send(save("0", "1")).await.status, StatusCode::SEE_OTHER);
        // Someone else saves revision 2 meanwhile; this tab still edits revision 1.
        assert_eq!(app.send(save("1", "2")).await.status, StatusCode::SEE_OTHER);
        let stale = app.send(save("1", "3")).await;
        assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
        let page = text(&stale);
        assert!(page.contains("已被他人修改"), "{page}");
        assert!(page.contains("当前为第 2 版"), "{page}");
        assert!(
            page.contains("<a href=\"/console/report/2025\">重新载入最新版本</a>"),
            "{page}"
        );
        assert!(
            page.contains("value=\"3\""),
            "what was typed is kept: {page}"
        );
        let fresh = text(&app.send(c.get("/console/report/2025")).await);
        assert!(fresh.contains("name=\"revision\" value=\"2\""), "{fresh}");
        assert!(fresh.contains("value=\"2\""), "{fresh}");
    }
);

on_both_backends!(
    outside_the_window_the_form_is_read_only_and_says_why,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let now = chrono::Utc::now();
        app.post(
            "/api/v1/cycles",
            Some(&analyst),
            json!({"year": 2025,
            "opens_at": (now - chrono::Duration::days(30)).to_rfc3339(),
            "closes_at": (now - chrono::Duration::days(1)).to_rfc3339()}),
        )
        .await;
        let body = app.body("CNCA-R-2018-003", "service").await;
        app.user("b2", "body", Some(&body)).await;
        let c = console_login(&app, "b2", "b2-password").await;
        let page = text(&app.send(c.get("/console/report/2025")).await);
        assert!(page.contains("报送期已于"), "{page}");
        assert!(page.contains("结束"), "{page}");
        assert!(page.contains(" disabled"), "{page}");
        assert!(!page.contains(">提交</button>"), "{page}");
    }
);

on_both_backends!(
    a_body_reads_its_result_objects_during_public_notice_and_handles_its_warning,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let e = app
            .evaluated_2025(&analyst, &[("service", 150, true), ("service", 0, false)])
            .await;
        let r = app
            .post(
                &format!("/api/v1/evaluations/{}/publish", e.id),
                Some(&analyst),
                json!({"objection_days": 5}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let c = console_login(&app, "b0", "b0-password").await;

        let results = app.send(c.get("/console/results")).await;
        assert_eq!(results.status, StatusCode::OK, "{}", text(&results));
        let page = text(&results);
        for words in [
            "评价结果",
            "2025 年度",
            "公示中",
            "类别平均",
            "<svg",
            "告知书",
            "异议内容",
            "截止时间",
        ] {
            assert!(page.contains(words), "{words} in {page}");
        }
        let total = app
            .get(
                &format!("/api/v1/evaluations/{}/results/{}", e.id, e.bodies[0].0),
                Some(&e.bodies[0].1),
            )
            .await
            .body["total"]
            .as_f64()
            .unwrap();
        assert!(page.contains(&format!("{total:.2}")), "{page}");

        let letter = app
            .send(c.get(&format!("/console/results/{}/letter.html", e.id)))
            .await;
        assert_eq!(letter.status, StatusCode::OK);
        assert!(text(&letter).contains("告知书"));

        // An empty objection is refused beside its field; a real one is filed.
        let path = format!("/console/results/{}/objections", e.id);
        let empty = app.send(c.submit(&path, &[("text", "  ".into())])).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(text(&empty).contains("objection-error"), "{}", text(&empty));
        let filed = app
            .send(c.submit(&path, &[("text", "D2.1 新闻发布数统计有误".into())]))
            .await;
        assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", text(&filed));
        let after = text(&app.send(c.get(filed.header("location"))).await);
        assert!(after.contains("D2.1 新闻发布数统计有误"), "{after}");
        assert!(after.contains("待答复"), "{after}");
        let foreign = app
            .send(
                c.submit(&path, &[("text", "x".into())])
                    .insert_header(("Origin", "http://evil.example")),
            )
            .await;
        assert_eq!(foreign.status, StatusCode::FORBIDDEN);

        // The analyst answers and finalizes; the weak body's warning is issued.
        let objections = app
            .get(
                &format!("/api/v1/evaluations/{}/objections", e.id),
                Some(&analyst),
            )
            .await;
        let objection = objections.body["items"][0]["id"]
            .as_str()
            .map(str::to_string)
            .or_else(|| objections.body[0]["id"].as_str().map(str::to_string))
            .expect("an objection");
        let answered = app
            .post(
                &format!("/api/v1/objections/{objection}/answer"),
                Some(&analyst),
                json!({"decision": "rejected", "answer": "经核对，统计无误。"}),
            )
            .await;
        assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
        let answer_page = text(&app.send(c.get("/console/results?year=2025")).await);
        assert!(answer_page.contains("经核对，统计无误。"), "{answer_page}");
        let fin = app
            .post(
                &format!("/api/v1/evaluations/{}/finalize", e.id),
                Some(&analyst),
                json!({}),
            )
            .await;
        assert_eq!(fin.status, StatusCode::OK, "{}", fin.body);
        let weak = &e.bodies[1].0;
        let drafts = app
            .get(&format!("/api/v1/warnings?body_id={weak}"), Some(&analyst))
            .await;
        let warning = drafts.body["items"][0]["id"]
            .as_str()
            .expect("a draft warning")
            .to_string();
        let issued = app
            .post(
                &format!("/api/v1/warnings/{warning}/issue"),
                Some(&analyst),
                json!({}),
            )
            .await;
        assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);

        // Another body cannot open it.
        let other = app
            .send(c.get(&format!("/console/warnings/{warning}")))
            .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        assert!(text(&other).contains("页面不存在"));

        let w = console_login(&app, "b1", "b1-password").await;
        let list = text(&app.send(w.get("/console/warnings")).await);
        assert!(list.contains("风险警示"), "{list}");
        assert!(list.contains("请确认收到"), "{list}");
        let detail_path = format!("/console/warnings/{warning}");
        let detail = text(&app.send(w.get(&detail_path)).await);
        for words in ["风险警示通知书", "notice.pdf", ">确认收到</button>"] {
            assert!(detail.contains(words), "{words} in {detail}");
        }
        let ack = app
            .send(w.submit(&format!("{detail_path}/acknowledge"), &[]))
            .await;
        assert_eq!(ack.status, StatusCode::SEE_OTHER, "{}", text(&ack));
        let acked = text(&app.send(w.get(ack.header("location"))).await);
        assert!(acked.contains("已确认收到"), "{acked}");
        assert!(acked.contains("提交整改报告"), "{acked}");
        let empty = app
            .send(w.submit(
                &format!("{detail_path}/rectification"),
                &[("report", " ".into())],
            ))
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(text(&empty).contains("report-error"), "{}", text(&empty));
        let rectified = app
            .send(w.submit(
                &format!("{detail_path}/rectification"),
                &[("report", "已建立三审三校制度并完成培训。".into())],
            ))
            .await;
        assert_eq!(
            rectified.status,
            StatusCode::SEE_OTHER,
            "{}",
            text(&rectified)
        );
        let done = text(&app.send(w.get(rectified.header("location"))).await);
        assert!(done.contains("已提交整改报告"), "{done}");
        assert!(done.contains("已建立三审三校制度并完成培训。"), "{done}");
    }
);

on_both_backends!(
    a_body_reports_a_major_event_and_sees_the_48_hour_clock,
    |backend| async move {
        let app = spawn(backend).await;
        let body = app.body("CNCA-R-2018-004", "product").await;
        app.user("b3", "body", Some(&body)).await;
        let c = console_login(&app, "b3", "b3-password").await;
        let form = app.send(c.get("/console/incidents/new")).await;
        assert_eq!(form.status, StatusCode::OK, "{}", text(&form));
        let page = text(&form);
        for words in [
            "要情报告",
            "<label for=\"kind\">事件类型</label>",
            "要情事件（突发事件或重大舆情）",
            "type=\"datetime-local\"",
            "48 小时",
        ] {
            assert!(page.contains(words), "{words} in {page}");
        }
        let china = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
        let at = (chrono::Utc::now() - chrono::Duration::hours(3) - chrono::Duration::minutes(2))
            .with_timezone(&china)
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let fields = |description: &str| {
            vec![
                ("kind", "major_event".to_string()),
                ("severity", "general".to_string()),
                ("occurred_at", at.clone()),
                ("description", description.to_string()),
                ("evidence", String::new()),
            ]
        };
        let empty = app
            .send(c.submit("/console/incidents/new", &fields("")))
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        let page = text(&empty);
        assert!(page.contains("description-error"), "{page}");
        assert!(page.contains(&at), "typed kept: {page}");
        let ok = app
            .send(c.submit("/console/incidents/new", &fields("官网遭篡改，已恢复")))
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", text(&ok));
        let done = text(&app.send(c.get(ok.header("location"))).await);
        assert!(done.contains("报告已记录"), "{done}");
        assert!(done.contains("距事发已 3 小时"), "{done}");
        assert!(done.contains("在 48 小时报告时限内"), "{done}");
    }
);
