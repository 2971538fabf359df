//! Browser tests' harness: the real server on a loopback port of its own (bound to port 0, so no
//! free-port race), Debian's chromium driven through chromedriver, axe-core run inside every
//! page, and a screenshot of every page under `target/console-screenshots/`. Everything started
//! here is stopped when the [`Browser`] is dropped, even when an assertion fails.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use fantoccini::{Client, ClientBuilder, Locator};
use pubeval::application::{Application, Options};
use pubeval::auth::token::TokenKeys;
use pubeval::config::Config;
use serde_json::{Value, json};

use crate::{ADMIN, Backend, DbGuard, TEST_SECRET, fresh_database, tempdir};

/// axe-core, vendored (npm `axe-core`, MPL-2.0), injected into every page checked.
const AXE: &str = include_str!("../vendor/axe.min.js");

/// The reason browser tests are ignored unless asked for.
pub const NEEDS: &str =
    "needs chromium and chromium-driver (apt-get install chromium chromium-driver)";

/// A running server, a chromedriver and a browser session.
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The application (its pool, for fixtures).
    pub app: Application,
    server: Option<actix_web::dev::ServerHandle>,
    driver: Child,
    _db: DbGuard,
    _data: tempdir::Guard,
    _profile: tempdir::Guard,
}

impl Browser {
    /// Starts everything on a fresh SQLite database with the test admin.
    pub async fn start() -> Browser {
        let (url, db) = fresh_database(Backend::Sqlite);
        let data = tempdir::Guard::new();
        let config = Config {
            database_url: url,
            data_dir: data.path.clone(),
            pool_size: 4,
            ..Config::default()
        };
        let keys =
            TokenKeys::new(TEST_SECRET, &config.issuer, &config.audience, 3600).expect("keys");
        let app = Application::build_with(
            config,
            Options {
                keys: Some(keys),
                clock: None,
            },
        )
        .expect("application");
        {
            let mut conn = app.pool().get().expect("conn");
            let hash = pubeval::auth::password::hash(ADMIN.1).expect("hash");
            pubeval::domain::users::create_user(
                &mut conn,
                &pubeval::domain::Ctx::system("system:test"),
                ADMIN.0,
                hash,
                pubeval::domain::Role::Admin,
                None,
            )
            .expect("admin");
        }
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (tx, rx) = std::sync::mpsc::channel();
        let served = app.clone();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = served.serve(listener, 2).expect("serve");
                let _ = tx.send(server.handle());
                let _ = server.await;
            });
        });
        let server = rx.recv().expect("the server started");

        let mut driver = Command::new("chromedriver")
            .arg("--port=0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (apt-get install chromium-driver)");
        let stdout = driver.stdout.take().expect("stdout");
        let mut driver_port = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("chromedriver output");
            if let Some(rest) = line.split("started successfully on port ").nth(1) {
                driver_port = rest.trim_end_matches('.').trim().parse::<u16>().ok();
                break;
            }
        }
        let driver_port = driver_port.expect("chromedriver's port");
        let profile = tempdir::Guard::new();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                    format!("--user-data-dir={}", profile.path.display()),
                ]
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{driver_port}"))
            .await
            .expect("a browser session");
        Browser {
            client,
            base: format!("http://127.0.0.1:{port}"),
            app,
            server: Some(server),
            driver,
            _db: db,
            _data: data,
            _profile: profile,
        }
    }

    /// Opens a path of the server.
    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .expect("navigate");
    }

    /// The current path (and query).
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("url");
        url.as_str().trim_start_matches(&self.base).to_string()
    }

    /// The page's visible text.
    pub async fn text(&self) -> String {
        self.client
            .find(Locator::Css("body"))
            .await
            .expect("body")
            .text()
            .await
            .expect("text")
    }

    /// Types into the input whose label is `label` (its `for` names the input).
    pub async fn fill(&self, label: &str, value: &str) {
        let xpath = format!("//label[normalize-space(.)='{label}']");
        let for_id = self
            .client
            .find(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("label {label}: {e}"))
            .attr("for")
            .await
            .expect("for")
            .unwrap_or_else(|| panic!("label {label} names no input"));
        let input = self.client.find(Locator::Id(&for_id)).await.expect("input");
        input.clear().await.expect("clear");
        input.send_keys(value).await.expect("type");
        let typed = input
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default();
        assert_eq!(typed, value, "typed into {label}");
    }

    /// Presses the button with this text and waits for the page it leads to (every button of
    /// the console submits a form, which loads a new document).
    pub async fn press(&self, text: &str) {
        let xpath = format!("//button[normalize-space(.)='{text}']");
        let button = self
            .client
            .find(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("button {text}: {e}"));
        self.client
            .execute("window.__pubevalOldPage = true;", vec![])
            .await
            .expect("mark the page");
        button.click().await.expect("click");
        let started = std::time::Instant::now();
        loop {
            let loaded = self
                .client
                .execute(
                    "return window.__pubevalOldPage !== true && document.readyState === 'complete';",
                    vec![],
                )
                .await
                .unwrap_or(Value::Bool(false));
            if loaded == Value::Bool(true) {
                break;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "pressing {text} loaded no page"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Clicks the element a CSS selector names (a checkbox, a radio button).
    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .expect("click");
    }

    /// Logs in through the login page.
    pub async fn login(&self, username: &str, password: &str) {
        self.goto("/console/login").await;
        self.fill("用户名", username).await;
        self.fill("密码", password).await;
        self.press("登录").await;
    }

    /// Saves a screenshot as `target/console-screenshots/{name}.png` and runs axe-core on the
    /// page: no critical or serious violation may remain.
    pub async fn check_page(&self, name: &str) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/console-screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
        self.client
            .execute(AXE, vec![])
            .await
            .expect("inject axe-core");
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 axe.run(document, {resultTypes: ['violations']})\
                    .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))))\
                    .catch(e => done([{id: 'axe-error', impact: 'critical', nodes: [String(e)]}]));",
                vec![],
            )
            .await
            .expect("axe-core");
        let bad: Vec<&Value> = result
            .as_array()
            .expect("violations")
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("critical" | "serious")))
            .collect();
        assert!(
            bad.is_empty(),
            "axe-core on {name} ({}): {bad:#?}",
            self.path().await
        );
    }

    /// Submits a form from a page of another origin (a `data:` page) to a console address:
    /// the answer's visible text.
    pub async fn post_from_elsewhere(&self, path: &str, fields: &[(&str, &str)]) -> String {
        let inputs: String = fields
            .iter()
            .map(|(k, v)| format!("<input name='{k}' value='{v}'>"))
            .collect();
        let page = format!(
            "data:text/html,<form id='f' method='post' action='{}{path}'>{inputs}</form>\
             <script>document.getElementById('f').submit()</script>",
            self.base
        );
        self.client.goto(&page).await.expect("foreign page");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        self.text().await
    }

    /// Ends the browser session, the driver and the server.
    pub async fn stop(mut self) {
        let client = self.client.clone();
        let _ = client.close().await;
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        if let Some(server) = self.server.take() {
            let _ = std::thread::spawn(move || {
                actix_web::rt::System::new().block_on(server.stop(false));
            })
            .join();
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.shutdown();
    }
}
