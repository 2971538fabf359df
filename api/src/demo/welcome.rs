//! What `pubeval demo` prints when it is ready: where to open the console and how to log in.

use super::{DemoArgs, LOGINS, current};

/// What the welcome prints: the external client's credentials, the demo body and the open
/// cycle.
pub(super) struct Built {
    /// The external client's id.
    pub client_id: String,
    /// Its secret.
    pub client_secret: String,
    /// The name of the body the `body` login belongs to.
    pub body_name: String,
    /// The open cycle.
    pub current: current::Current,
}

/// Prints the console's address, every role's login, the open cycle and the client.
pub(super) fn print(args: &DemoArgs, built: &Built, final_2024: Option<&str>) {
    let url = format!("http://{}/", args.bind);
    let china = |t: chrono::NaiveDateTime| {
        t.and_utc()
            .with_timezone(&pubeval_scoring::incident::REGULATOR_TIMEZONE)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    let current = &built.current;
    println!("pubeval 演示已就绪 / the demo is ready");
    println!();
    println!("  请用浏览器打开 {url} （认证机构宣传工作评价平台），");
    println!("  在登录页输入下列任一账号的用户名和密码，点击“登录”：");
    // Chinese characters take two columns: pad by width, not by characters.
    let column = |zh: &str| format!("{zh}{}", " ".repeat(10 - 2 * zh.chars().count().min(5)));
    println!("    {}{}密码", column("角色"), column("用户名"));
    for (username, password, role) in LOGINS {
        println!("    {}{username:<10}{password}", column(role.label_zh()));
    }
    println!(
        "  机构用户 body 属于“{}”：其 {} 年度报告是一份尚未填完的草稿，补全后即可提交。",
        built.body_name, current.year
    );
    println!(
        "  {} 年度报送期已开放（为演示提前开放）：{} 至 {}（北京时间）。",
        current.year,
        china(current.opens_at),
        china(current.closes_at)
    );
    println!();
    println!("  接口 / API:          {url}api/v1/（文档 / docs: {url}docs/）");
    println!(
        "  外部系统 / external client: client_id {}  client_secret {}",
        built.client_id, built.client_secret
    );
    println!("    以客户端凭据换取令牌 / token: POST {url}api/v1/auth/token");
    println!(
        "  数据库 / database: {}",
        args.dir.join("pubeval.db").display()
    );
    if let Some(id) = final_2024 {
        println!("  2024 年度评价（最终）/ the final 2024 evaluation: {id}");
        println!("    年度报告 / annual report: {url}api/v1/evaluations/{id}/report.pdf");
        println!("    排名 / ranking:           {url}api/v1/evaluations/{id}/ranking?format=xlsx");
    }
}
