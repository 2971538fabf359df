//! The PDF documents and PNG charts over HTTP: content, file names, the access rules of the
//! data each shows, and the clear 503 when the server has no CJK font.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use pubeval_tests::*;
use serde_json::json;

/// The PDF's text without the spaces extraction puts between glyph runs.
fn pdf_text(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.header("content-type"), "application/pdf");
    let text = pdf_extract::extract_text_from_mem(&reply.bytes).expect("a PDF with text");
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

on_both_backends_with_fonts!(
    pdfs_and_pngs_render_for_those_who_may_see_them,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let evaluated = app
            .evaluated_2025(
                &analyst,
                &[
                    ("product", 50, true),
                    ("service", 0, false),
                    ("product", 30, true),
                ],
            )
            .await;
        let id = &evaluated.id;
        let (own_body, own_user) = &evaluated.bodies[0];
        let (other_body, _) = &evaluated.bodies[1];

        // The annual report: staff only until final.
        let report = app
            .get(
                &format!("/api/v1/evaluations/{id}/report.pdf"),
                Some(&analyst),
            )
            .await;
        let text = pdf_text(&report);
        for expected in [
            "2025年度认证机构宣传工作",
            "评价报告",
            "草稿",
            "本年度纳入评价的认证机构共3家",
            "CNCA-R-2018-001认证有限公司",
            "评价指标体系",
        ] {
            assert!(text.contains(expected), "{expected} missing from:\n{text}");
        }
        assert!(
            report
                .header("content-disposition")
                .contains("filename*=UTF-8''2025%E5%B9%B4%E5%BA%A6"),
            "{}",
            report.header("content-disposition")
        );
        let html = app
            .get(
                &format!("/api/v1/evaluations/{id}/report.html"),
                Some(&analyst),
            )
            .await;
        assert_eq!(html.status, StatusCode::OK);
        assert!(html.body.as_str().unwrap().contains("评价指标体系"));
        assert_error(
            &app.get(
                &format!("/api/v1/evaluations/{id}/report.pdf"),
                Some(own_user),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );

        // PNG charts.
        let png = app
            .get(
                &format!("/api/v1/evaluations/{id}/charts/grade_distribution.png"),
                Some(&analyst),
            )
            .await;
        assert_eq!(png.status, StatusCode::OK, "{}", png.body);
        assert_eq!(png.header("content-type"), "image/png");
        assert!(png.bytes.starts_with(b"\x89PNG"));
        let radar = app
            .get(
                &format!("/api/v1/evaluations/{id}/charts/body_radar.png?body={own_body}"),
                Some(&analyst),
            )
            .await;
        assert_eq!(radar.status, StatusCode::OK, "{}", radar.body);

        // Letters: not before public notice for the body; then its own only; never a client.
        let letter = |body: &str| format!("/api/v1/evaluations/{id}/results/{body}/letter.pdf");
        assert_error(
            &app.get(&letter(own_body), Some(own_user)).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let published = app
            .post(
                &format!("/api/v1/evaluations/{id}/publish"),
                Some(&analyst),
                json!({}),
            )
            .await;
        assert_eq!(published.status, StatusCode::OK, "{}", published.body);
        let text = pdf_text(&app.get(&letter(own_body), Some(own_user)).await);
        for expected in [
            "评价结果告知书",
            "CNCA-R-2018-001认证有限公司",
            "各维度得分",
            "异议",
        ] {
            assert!(text.contains(expected), "{expected} missing from:\n{text}");
        }
        assert_error(
            &app.get(&letter(other_body), Some(own_user)).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let client = app.client(&["results:read", "warnings:read"]).await;
        assert_error(
            &app.get(&letter(own_body), Some(&client)).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        assert_error(
            &app.get(
                &format!("/api/v1/evaluations/{id}/report.pdf"),
                Some(&client),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );

        // Final: the client reads the report; an issued warning has its notice.
        let finalized = app
            .post(
                &format!("/api/v1/evaluations/{id}/finalize"),
                Some(&analyst),
                json!({}),
            )
            .await;
        assert_eq!(finalized.status, StatusCode::OK, "{}", finalized.body);
        let text = pdf_text(
            &app.get(
                &format!("/api/v1/evaluations/{id}/report.pdf"),
                Some(&client),
            )
            .await,
        );
        assert!(!text.contains("草稿"), "{text}");
        let warnings = app
            .get(&format!("/api/v1/warnings?evaluation={id}"), Some(&analyst))
            .await;
        let warning = warnings.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["body_id"] == other_body.as_str())
            .expect("the weak body is warned");
        let warning_id = warning["id"].as_str().unwrap();
        let notice = format!("/api/v1/warnings/{warning_id}/notice.pdf");
        assert_error(
            &app.get(&notice, Some(&analyst)).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let issued = app
            .post(
                &format!("/api/v1/warnings/{warning_id}/issue"),
                Some(&analyst),
                json!({}),
            )
            .await;
        assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
        let notice_no = issued.body["notice_no"].as_str().unwrap();
        let reply = app.get(&notice, Some(&client)).await;
        let text = pdf_text(&reply);
        for expected in [
            notice_no,
            "CNCA-R-2018-002认证有限公司",
            "实施宣传工作风险警示的通知",
            "第三十二条",
            "陈述、申辩",
        ] {
            assert!(text.contains(expected), "{expected} missing from:\n{text}");
        }
        assert!(
            reply
                .header("content-disposition")
                .contains("filename*=UTF-8''")
        );
        assert_error(
            &app.get(&notice, Some(own_user)).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let text = pdf_text(
            &app.get(
                &format!("/api/v1/evaluations/{id}/report.pdf"),
                Some(&analyst),
            )
            .await,
        );
        assert!(text.contains(notice_no), "{text}");
    }
);

on_both_backends!(
    without_a_cjk_font_pdfs_and_pngs_answer_503_and_the_rest_works,
    |backend| async move {
        let empty = std::env::temp_dir().join(format!("pubeval-no-fonts-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&empty).unwrap();
        let dir = empty.clone();
        let app = spawn_with(backend, move |config| {
            config.font_path = Some(dir);
            config.system_fonts = false;
        })
        .await;
        let analyst = app.analyst().await;
        let evaluated = app
            .evaluated_2025(&analyst, &[("product", 50, true), ("service", 0, false)])
            .await;
        let id = &evaluated.id;
        let body = &evaluated.bodies[0].0;
        let published = app
            .post(
                &format!("/api/v1/evaluations/{id}/publish"),
                Some(&analyst),
                json!({}),
            )
            .await;
        assert_eq!(published.status, StatusCode::OK, "{}", published.body);
        for path in [
            format!("/api/v1/evaluations/{id}/report.pdf"),
            format!("/api/v1/evaluations/{id}/charts/score_histogram.png"),
            format!("/api/v1/evaluations/{id}/results/{body}/letter.pdf"),
        ] {
            let r = app.get(&path, Some(&analyst)).await;
            assert_error(&r, StatusCode::SERVICE_UNAVAILABLE, "font_unavailable");
            let message = r.body["error"]["message"].as_str().unwrap();
            assert!(
                message.contains("apt-get install fonts-noto-cjk"),
                "{message}"
            );
            assert!(message.contains("PUBEVAL_FONT_PATH"), "{message}");
        }
        for path in [
            format!("/api/v1/evaluations/{id}/report.html"),
            format!("/api/v1/evaluations/{id}/charts/score_histogram.svg"),
            format!("/api/v1/evaluations/{id}/results/{body}/letter.html"),
            format!("/api/v1/evaluations/{id}/ranking?format=xlsx"),
        ] {
            let r = app.get(&path, Some(&analyst)).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        }
        std::fs::remove_dir_all(&empty).unwrap();
    }
);
