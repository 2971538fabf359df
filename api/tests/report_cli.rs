//! `pubeval report notice|letter|annual|charts` over the demo's database: single documents,
//! zips of every notice and every letter, and the clear failure without a CJK font.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// Bodies in the demo built for these tests.
const BODIES: usize = 60;

/// The demo's directory and its final 2024 evaluation, built once for the whole file.
fn demo() -> &'static (PathBuf, String) {
    static DEMO: OnceLock<(PathBuf, String)> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("pubeval-report-cli-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let out = Command::new(env!("CARGO_BIN_EXE_pubeval"))
            .args([
                "demo",
                "--no-serve",
                "--bodies",
                &BODIES.to_string(),
                "--dir",
            ])
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        use diesel::prelude::*;
        use pubeval::db::schema::evaluations;
        let pool = pubeval::db::connect(&url_of(&dir), 1).unwrap();
        let mut conn = pool.get().unwrap();
        let evaluation = evaluations::table
            .filter(evaluations::year.eq(2024))
            .filter(evaluations::status.eq("final"))
            .select(evaluations::id)
            .first(&mut conn)
            .unwrap();
        (dir, evaluation)
    })
}

fn url_of(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("pubeval.db").display())
}

/// Runs `pubeval report …` over the demo's database, with extra environment.
fn report(args: &[&str], out: &Path, env: &[(&str, &str)]) -> Output {
    let (dir, _) = demo();
    Command::new(env!("CARGO_BIN_EXE_pubeval"))
        .arg("report")
        .args(args)
        .args(["--database-url", &url_of(dir), "--out"])
        .arg(out)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn succeeded(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Each entry of a zip: name and bytes.
fn entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut file = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            (file.name().unwrap().to_string(), bytes)
        })
        .collect()
}

fn issued_notices(evaluation: &str) -> usize {
    use diesel::prelude::*;
    use pubeval::db::schema::warnings;
    let pool = pubeval::db::connect(&url_of(&demo().0), 1).unwrap();
    let mut conn = pool.get().unwrap();
    let n: i64 = warnings::table
        .filter(warnings::evaluation_id.eq(evaluation))
        .filter(warnings::notice_no.is_not_null())
        .filter(warnings::status.ne("withdrawn"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    n as usize
}

#[test]
fn every_letter_and_the_annual_report_as_html_need_no_font() {
    let (dir, evaluation) = demo();
    let zip = dir.join("letters-html.zip");
    let out = report(
        &["letter", "--evaluation", evaluation, "--format", "html"],
        &zip,
        &[("PUBEVAL_SYSTEM_FONTS", "false")],
    );
    succeeded(&out);
    let letters = entries(&zip);
    assert_eq!(letters.len(), BODIES);
    assert!(
        letters
            .iter()
            .all(|(name, _)| name.contains("评价结果告知书") && name.ends_with(".html"))
    );
    let (_, first) = &letters[0];
    assert!(String::from_utf8_lossy(first).contains("本评价结果为最终结果"));

    let html = dir.join("annual.html");
    succeeded(&report(
        &["annual", "--evaluation", evaluation, "--format", "html"],
        &html,
        &[],
    ));
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(
        text.contains("2024年度认证机构宣传工作"),
        "annual report title"
    );
    assert!(text.contains(&format!("共 {BODIES} 家")));
}

#[test]
fn without_a_font_a_pdf_fails_saying_how_to_install_one() {
    let (dir, evaluation) = demo();
    let out = report(
        &["annual", "--evaluation", evaluation],
        &dir.join("nofont.pdf"),
        &[
            ("PUBEVAL_SYSTEM_FONTS", "false"),
            ("PUBEVAL_FONT_PATH", "/nonexistent/fonts"),
        ],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("apt-get install fonts-noto-cjk"),
        "{stderr}"
    );
    assert!(!dir.join("nofont.pdf").exists());
}

#[test]
#[ignore = "needs a CJK font (apt-get install fonts-noto-cjk)"]
fn notices_letters_annual_report_and_png_charts_as_pdf_and_png() {
    let (dir, evaluation) = demo();
    let notices = dir.join("notices.zip");
    succeeded(&report(
        &["notice", "--evaluation", evaluation],
        &notices,
        &[],
    ));
    let entries_of_notices = entries(&notices);
    assert_eq!(entries_of_notices.len(), issued_notices(evaluation));
    assert!(
        !entries_of_notices.is_empty(),
        "the demo issues notices for 2024"
    );
    for (name, bytes) in &entries_of_notices {
        assert!(name.starts_with("风险警示通知书（认宣警〔"), "{name}");
        assert!(bytes.starts_with(b"%PDF-"), "{name}");
    }

    let letters = dir.join("letters.zip");
    let out = report(&["letter", "--evaluation", evaluation], &letters, &[]);
    succeeded(&out);
    let all = entries(&letters);
    assert_eq!(all.len(), BODIES);
    assert!(
        all.iter()
            .all(|(n, b)| n.ends_with(".pdf") && b.starts_with(b"%PDF-"))
    );

    let pdf = dir.join("annual.pdf");
    succeeded(&report(&["annual", "--evaluation", evaluation], &pdf, &[]));
    let text: String = pdf_extract::extract_text_from_mem(&std::fs::read(&pdf).unwrap())
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for expected in [
        "2024年度认证机构宣传工作",
        "评价报告",
        "评价指标体系",
        "五、风险警示通知书签发情况",
    ] {
        assert!(text.contains(expected), "{expected}");
    }

    let charts = dir.join("png");
    succeeded(&report(
        &["charts", "--evaluation", evaluation, "--format", "png"],
        &charts,
        &[],
    ));
    let png = std::fs::read(charts.join("dimension_profile.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
}

#[test]
fn an_evaluation_without_issued_notices_is_refused_not_zipped_empty() {
    let (dir, _) = demo();
    let in_public_notice: String = {
        use diesel::prelude::*;
        use pubeval::db::schema::evaluations;
        let pool = pubeval::db::connect(&url_of(dir), 1).unwrap();
        let mut conn = pool.get().unwrap();
        evaluations::table
            .filter(evaluations::year.eq(2025))
            .filter(evaluations::status.eq("public_notice"))
            .select(evaluations::id)
            .first(&mut conn)
            .unwrap()
    };
    let zip = dir.join("none.zip");
    let out = report(
        &[
            "notice",
            "--evaluation",
            &in_public_notice,
            "--format",
            "html",
        ],
        &zip,
        &[],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("没有已签发的风险警示通知书"), "{stderr}");
    assert!(!zip.exists());
}
