//! A file uploaded as the request body — an XLSX workbook or a CSV, sent as itself or as the
//! file part of a multipart form (what a browser's form sends) — read into memory up to
//! [`MAX_UPLOAD_BYTES`]: 413 above it (told by `Content-Length` before anything is read, or
//! when the body runs past it), 415 for any other content type.

use actix_web::http::header::{self, HeaderMap};
use actix_web::{HttpRequest, web};
use futures_util::StreamExt;

use crate::domain::{Error, ErrorCode};

/// The most an upload may hold (20 MB).
pub const MAX_UPLOAD_BYTES: usize = 20_000_000;
/// What a multipart form may add around its file (boundaries, headers, a few text fields).
const FORM_OVERHEAD: usize = 1 << 20;
/// The longest text field of a multipart form.
const MAX_FIELD_BYTES: usize = 4096;

/// The media type of an XLSX workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// The media type of CSV.
pub const CSV: &str = "text/csv";

/// What an uploaded file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    /// An XLSX workbook.
    Xlsx,
    /// A CSV file.
    Csv,
}

/// Which files a route takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accept {
    /// An XLSX workbook only.
    Workbook,
    /// A CSV file or an XLSX workbook.
    Table,
}

impl Accept {
    fn allows(self, t: FileType) -> bool {
        matches!(
            (self, t),
            (Accept::Table, _) | (Accept::Workbook, FileType::Xlsx)
        )
    }

    fn unsupported(self) -> Error {
        match self {
            Accept::Workbook => Error::new(
                ErrorCode::UnsupportedMediaType,
                format!("请求体须为 XLSX 工作簿（{XLSX}），或含此文件的 multipart/form-data 表单"),
                format!(
                    "the body must be an XLSX workbook ({XLSX}) or a multipart/form-data form holding one"
                ),
            ),
            Accept::Table => Error::new(
                ErrorCode::UnsupportedMediaType,
                format!(
                    "请求体须为 CSV（{CSV}）或 XLSX 工作簿（{XLSX}），或含此文件的 multipart/form-data 表单"
                ),
                format!(
                    "the body must be CSV ({CSV}) or an XLSX workbook ({XLSX}), or a multipart/form-data form holding one"
                ),
            ),
        }
    }
}

/// An uploaded file, with the text fields of its form (empty when it came as itself).
#[derive(Debug, Clone)]
pub struct Upload {
    /// The file's content.
    pub bytes: Vec<u8>,
    /// What it is.
    pub file_type: FileType,
    /// The form's other fields, in order (a console form's `csrf`, `revision`).
    pub fields: Vec<(String, String)>,
}

impl Upload {
    /// A text field of the form.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Reads the request's file.
    pub async fn read(
        req: &HttpRequest,
        payload: web::Payload,
        accept: Accept,
    ) -> Result<Upload, Error> {
        let media = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<mime::Mime>().ok());
        let Some(media) = media else {
            return Err(accept.unsupported());
        };
        let multipart = media.type_() == mime::MULTIPART && media.subtype() == mime::FORM_DATA;
        let direct = file_type_of(&media).filter(|t| accept.allows(*t));
        if !multipart && direct.is_none() {
            return Err(accept.unsupported());
        }
        let limit = if multipart {
            MAX_UPLOAD_BYTES + FORM_OVERHEAD
        } else {
            MAX_UPLOAD_BYTES
        };
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let bytes = match payload.to_bytes_limited(limit).await {
            Err(_) => return Err(too_large()),
            Ok(Err(e)) => {
                return Err(Error::bad_request(
                    "请求体读取失败",
                    format!("the body could not be read: {e}"),
                ));
            }
            Ok(Ok(bytes)) => bytes,
        };
        match direct {
            Some(file_type) if !multipart => Ok(Upload {
                bytes: bytes.to_vec(),
                file_type,
                fields: Vec::new(),
            }),
            _ => from_form(req.headers(), bytes, accept).await,
        }
    }
}

fn too_large() -> Error {
    let mb = MAX_UPLOAD_BYTES / 1_000_000;
    Error::new(
        ErrorCode::PayloadTooLarge,
        format!("上传的文件超过 {mb} MB"),
        format!("the upload is larger than {mb} MB"),
    )
}

/// The file type a media type names.
fn file_type_of(media: &mime::Mime) -> Option<FileType> {
    let essence = media.essence_str();
    if essence == XLSX {
        Some(FileType::Xlsx)
    } else if essence == CSV || essence == "application/csv" {
        Some(FileType::Csv)
    } else {
        None
    }
}

/// The file a part of a form is: by its content type, else its name's extension, else its
/// first bytes (a zip is a workbook).
fn file_type_of_part(media: Option<&mime::Mime>, name: &str, bytes: &[u8]) -> FileType {
    if let Some(t) = media.and_then(file_type_of) {
        return t;
    }
    let lower = name.to_lowercase();
    if lower.ends_with(".xlsx") {
        FileType::Xlsx
    } else if lower.ends_with(".csv") {
        FileType::Csv
    } else if bytes.starts_with(b"PK\x03\x04") {
        FileType::Xlsx
    } else {
        FileType::Csv
    }
}

/// The first file part of a multipart form held in memory, and its text fields.
async fn from_form(headers: &HeaderMap, body: web::Bytes, accept: Accept) -> Result<Upload, Error> {
    let malformed = |e: &dyn std::fmt::Display| {
        Error::bad_request("表单格式有误", format!("malformed multipart form: {e}"))
    };
    let stream = futures_util::stream::once(async move {
        Ok::<web::Bytes, actix_web::error::PayloadError>(body)
    });
    let mut form = actix_multipart::Multipart::new(headers, stream);
    let mut fields = Vec::new();
    let mut file: Option<(Vec<u8>, FileType)> = None;
    while let Some(part) = form.next().await {
        let mut part = part.map_err(|e| malformed(&e))?;
        let disposition = part.content_disposition().cloned();
        let name = disposition
            .as_ref()
            .and_then(|d| d.get_name())
            .unwrap_or_default()
            .to_string();
        let file_name = disposition
            .as_ref()
            .and_then(|d| d.get_filename())
            .map(str::to_string);
        let media = part.content_type().cloned();
        match file_name {
            Some(file_name) => {
                let bytes = match part.bytes(MAX_UPLOAD_BYTES).await {
                    Err(_) => return Err(too_large()),
                    Ok(Err(e)) => return Err(malformed(&e)),
                    Ok(Ok(b)) => b,
                };
                if file.is_none() {
                    let t = file_type_of_part(media.as_ref(), &file_name, &bytes);
                    file = Some((bytes.to_vec(), t));
                }
            }
            None => {
                let bytes = match part.bytes(MAX_FIELD_BYTES).await {
                    Err(_) => {
                        return Err(Error::bad_request(
                            format!("表单字段 {name} 过长"),
                            format!("the form field {name} is too long"),
                        ));
                    }
                    Ok(Err(e)) => return Err(malformed(&e)),
                    Ok(Ok(b)) => b,
                };
                fields.push((name, String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
    }
    let Some((bytes, file_type)) = file else {
        return Err(Error::invalid_field(
            "file",
            "表单中没有选择文件",
            "the form holds no file",
        ));
    };
    if !accept.allows(file_type) {
        return Err(accept.unsupported());
    }
    Ok(Upload {
        bytes,
        file_type,
        fields,
    })
}
