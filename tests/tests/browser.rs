//! The console in a real browser (Debian's chromium through chromedriver): the stories of the
//! console issue, each page checked by axe-core and photographed under
//! `target/console-screenshots/`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use pubeval_tests::ADMIN;
use pubeval_tests::browser::Browser;

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"]
async fn a_person_logs_in_sees_the_home_page_and_logs_out() {
    let b = Browser::start().await;
    b.goto("/").await;
    assert_eq!(b.path().await, "/console/login");
    b.check_page("login").await;

    b.login(ADMIN.0, "wrong-password").await;
    let wrong = b.text().await;
    assert!(wrong.contains("用户名或密码错误"), "{} {wrong}", b.path().await);
    b.check_page("login-wrong-password").await;

    b.login(ADMIN.0, ADMIN.1).await;
    assert_eq!(b.path().await, "/console/");
    let home = b.text().await;
    assert!(home.contains("退出登录"), "{home}");
    b.check_page("home-admin").await;

    b.goto("/console/no-such-page").await;
    assert!(b.text().await.contains("页面不存在"));
    b.check_page("not-found").await;

    b.goto("/console/").await;
    b.press("退出登录").await;
    assert_eq!(b.path().await, "/console/login");
    b.goto("/console/").await;
    assert_eq!(b.path().await, "/console/login", "the session ended");
    b.stop().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"]
async fn a_cross_site_post_is_refused() {
    let b = Browser::start().await;
    b.login(ADMIN.0, ADMIN.1).await;
    assert_eq!(b.path().await, "/console/");
    // A page of another origin posts the logout form: refused, and the session survives.
    let answer = b.post_from_elsewhere("/console/logout", &[("csrf", "guess")]).await;
    assert!(answer.contains("请求被拒绝"), "{answer}");
    b.goto("/console/").await;
    assert_eq!(b.path().await, "/console/", "still logged in");
    b.stop().await;
}
