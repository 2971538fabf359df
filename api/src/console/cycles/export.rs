//! The cycle's list, as filtered on the page, as an Excel workbook with a Chinese file name.

use actix_web::HttpResponse;
use actix_web::web;

use super::{CycleQuery, Line, year_of};
use crate::console::page::ConsoleError;
use crate::console::session::Session;
use crate::domain::submissions;
use crate::domain::{Error, cycles};
use crate::state::AppState;

/// The media type of an XLSX workbook.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const HEADERS: [&str; 7] = [
    "批准号",
    "机构名称",
    "类别",
    "省份",
    "报送状态",
    "当前版本",
    "最后更新（北京时间）",
];

/// `GET /console/cycles/{year}/export`: every line the filters keep (all pages).
pub async fn export(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    query: web::Query<CycleQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let year = year_of(&path)?;
    let query = query.into_inner();
    let bytes = state
        .run(&session.principal, move |conn, ctx| {
            ctx.viewer().staff_page()?;
            cycles::get(conn, year)?;
            let (filter, bodies) = query.filters()?;
            let (lines, _) = submissions::search(conn, ctx, year, filter, &bodies, 0, i64::MAX)?;
            let rows: Vec<Vec<String>> = lines
                .into_iter()
                .map(|l| Line::of(year, l))
                .map(|l| {
                    vec![
                        l.approval_no,
                        l.name,
                        l.category_zh,
                        l.province,
                        l.status_zh.to_string(),
                        l.revision,
                        l.updated,
                    ]
                })
                .collect();
            pubeval_reports::table::xlsx(
                &format!("{year}年度宣传工作报告报送情况"),
                "报送情况",
                &HEADERS,
                &rows,
            )
            .map_err(Error::internal)
        })
        .await?;
    Ok(download(
        bytes,
        XLSX,
        &format!("submissions-{year}.xlsx"),
        &format!("{year}年度报送情况.xlsx"),
    ))
}

/// A download with a Chinese file name and an ASCII fallback ([`crate::download::disposition`]).
fn download(
    bytes: Vec<u8>,
    media_type: &str,
    ascii_name: &str,
    chinese_name: &str,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(media_type)
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(crate::download::disposition(
            ascii_name,
            chinese_name,
            false,
        ))
        .body(bytes)
}
