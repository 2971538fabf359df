//! The console's front door: `/` leads to the console, the console to its login page; a wrong
//! password is told in Chinese; the session cookie is HttpOnly, SameSite=Strict and scoped to
//! `/console`; a state-changing request from another site is refused; an unknown page is a
//! Chinese 404 page; logging out ends the session.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use pubeval_tests::*;

const ORIGIN: &str = "http://localhost:8080";

fn text(r: &Reply) -> String {
    String::from_utf8_lossy(&r.bytes).to_string()
}

fn login_form(username: &str, password: &str) -> TestRequest {
    TestRequest::post()
        .uri("/console/login")
        .insert_header(("Host", "localhost:8080"))
        .set_form([("username", username), ("password", password)])
}

/// The session cookie a successful login sets (`name=value`), and its attributes.
fn session_cookie(r: &Reply) -> (String, String) {
    let set = r.header("set-cookie").to_string();
    let pair = set.split(';').next().unwrap().trim().to_string();
    (pair, set)
}

on_both_backends!(
    the_front_door_leads_to_the_login_and_back_out,
    |backend| async move {
        let app = spawn(backend).await;
        let root = app.send(TestRequest::get().uri("/")).await;
        assert_eq!(root.status, StatusCode::SEE_OTHER);
        assert_eq!(root.header("location"), "/console/");
        let home = app.send(TestRequest::get().uri("/console/")).await;
        assert_eq!(home.status, StatusCode::SEE_OTHER);
        assert_eq!(home.header("location"), "/console/login");

        let form = app.send(TestRequest::get().uri("/console/login")).await;
        assert_eq!(form.status, StatusCode::OK);
        let page = text(&form);
        for words in [
            "<label for=\"username\">用户名</label>",
            "<label for=\"password\">密码</label>",
            ">登录</button>",
        ] {
            assert!(page.contains(words), "{words} in {page}");
        }
        assert!(form.header("content-type").starts_with("text/html"));
        assert!(
            form.header("content-security-policy")
                .contains("frame-ancestors 'none'")
        );

        // Without an Origin, or from another site: refused.
        let bare = app.send(login_form(ADMIN.0, ADMIN.1)).await;
        assert_eq!(bare.status, StatusCode::FORBIDDEN);
        let foreign = app
            .send(login_form(ADMIN.0, ADMIN.1).insert_header(("Origin", "http://evil.example")))
            .await;
        assert_eq!(foreign.status, StatusCode::FORBIDDEN);

        let wrong = app
            .send(login_form(ADMIN.0, "not-the-password").insert_header(("Origin", ORIGIN)))
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(
            text(&wrong).contains("用户名或密码错误"),
            "{}",
            text(&wrong)
        );

        let ok = app
            .send(login_form(ADMIN.0, ADMIN.1).insert_header(("Origin", ORIGIN)))
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", text(&ok));
        assert_eq!(ok.header("location"), "/console/");
        let (cookie, attributes) = session_cookie(&ok);
        for part in [
            "HttpOnly",
            "SameSite=Strict",
            "Path=/console",
            "Max-Age=600",
        ] {
            assert!(attributes.contains(part), "{attributes}");
        }
        assert!(
            !attributes.contains("Secure"),
            "not configured: {attributes}"
        );

        let home = app
            .send(
                TestRequest::get()
                    .uri("/console/")
                    .insert_header(("Cookie", cookie.clone())),
            )
            .await;
        assert_eq!(home.status, StatusCode::OK, "{}", text(&home));
        let page = text(&home);
        assert!(page.contains("退出登录"), "{page}");
        let csrf = page
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_string();

        let missing = app
            .send(
                TestRequest::get()
                    .uri("/console/no-such-page")
                    .insert_header(("Cookie", cookie.clone())),
            )
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(missing.header("content-type").starts_with("text/html"));
        assert!(text(&missing).contains("页面不存在"), "{}", text(&missing));
        assert!(
            text(&missing).contains("退出登录"),
            "every page has the way out: {}",
            text(&missing)
        );

        let logout = |origin: Option<&str>, csrf: &str| {
            let mut req = TestRequest::post()
                .uri("/console/logout")
                .insert_header(("Host", "localhost:8080"))
                .insert_header(("Cookie", cookie.clone()))
                .set_form([("csrf", csrf)]);
            if let Some(o) = origin {
                req = req.insert_header(("Origin", o.to_string()));
            }
            req
        };
        assert_eq!(
            app.send(logout(Some("http://evil.example"), &csrf))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.send(logout(Some(ORIGIN), "wrong-token")).await.status,
            StatusCode::FORBIDDEN
        );
        let out = app.send(logout(Some(ORIGIN), &csrf)).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert_eq!(out.header("location"), "/console/login");
        assert!(
            out.header("set-cookie").contains("Max-Age=0"),
            "{}",
            out.header("set-cookie")
        );
        // The old cookie no longer opens the console.
        let after = app
            .send(
                TestRequest::get()
                    .uri("/console/")
                    .insert_header(("Cookie", cookie)),
            )
            .await;
        assert_eq!(after.status, StatusCode::SEE_OTHER);
    }
);

on_both_backends!(
    the_secure_flag_follows_the_configuration,
    |backend| async move {
        let app = spawn_with(backend, |c| c.cookie_secure = true).await;
        let ok = app
            .send(login_form(ADMIN.0, ADMIN.1).insert_header(("Origin", ORIGIN)))
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        assert!(
            ok.header("set-cookie").contains("Secure"),
            "{}",
            ok.header("set-cookie")
        );
    }
);

on_both_backends!(
    the_analysts_home_counts_the_years_reports_by_state,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        app.evaluated_2025(&analyst, &[("service", 150, true), ("product", 0, false)])
            .await;
        // A third body that has not started.
        app.body("CNCA-R-2020-077", "service").await;
        let ok = app
            .send(login_form(ADMIN.0, ADMIN.1).insert_header(("Origin", ORIGIN)))
            .await;
        let (cookie, _) = session_cookie(&ok);
        let home = app
            .send(
                TestRequest::get()
                    .uri("/console/")
                    .insert_header(("Cookie", cookie)),
            )
            .await;
        let page = text(&home);
        for (count, label) in [(3, "应报机构"), (2, "已提交"), (0, "草稿"), (1, "未报送")]
        {
            let tile =
                format!("<span class=\"count\">{count}</span><span class=\"label\">{label}</span>");
            assert!(page.contains(&tile), "{tile} in {page}");
        }
        assert!(page.contains("报送完整率 66.67%（2/3）"), "{page}");
    }
);
