//! What every operation can answer besides what its handler documents: the statuses the
//! extractors, the middleware and the error handlers produce for any route of a kind (a bearer
//! route can be refused with 401, a JSON body can be malformed, too large or of the wrong type,
//! a parameter can fail to parse, anything can fail with a request id), added where a handler
//! did not say it, so that the document lists every status every operation returns. Binary
//! answers are declared as `type: string, format: binary`, and every 429 its `Retry-After`.

use serde_json::{Map, Value, json};

/// The methods an OpenAPI path item may hold.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Completes a document as the module says.
pub fn complete(doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let Ok(mut value) = serde_json::to_value(&doc) else {
        return doc;
    };
    if let Some(paths) = value.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for method in METHODS {
                if let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) {
                    complete_operation(op);
                }
            }
        }
    }
    match serde_json::from_value(value) {
        Ok(completed) => completed,
        Err(e) => {
            // Only a change of utoipa's model could cause it; the openapi tests would fail.
            tracing::error!(error = %e, "OpenAPI 文档补全失败 / completing the OpenAPI document failed");
            doc
        }
    }
}

/// The error body every error status carries.
fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    })
}

fn complete_operation(op: &mut Map<String, Value>) {
    let has_body = op.contains_key("requestBody");
    let json_body = op
        .get("requestBody")
        .and_then(|b| b.get("content"))
        .and_then(Value::as_object)
        .is_some_and(|c| c.keys().any(|k| k.starts_with("application/json")));
    let parameters = op
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let has_query = parameters.iter().any(|p| p["in"] == "query");
    let has_path = parameters.iter().any(|p| p["in"] == "path");
    let secured = op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| {
            s.iter()
                .any(|r| r.as_object().is_some_and(|r| !r.is_empty()))
        });

    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    let mut add = |status: &str, description: &str| {
        responses
            .entry(status.to_string())
            .or_insert_with(|| error_response(description));
    };
    if has_query || json_body {
        add(
            "400",
            "请求无法读取：JSON 格式有误，或查询参数无法解析（错误中指明参数） / the request could not be read: malformed JSON, or a query parameter that does not parse (the error names it)",
        );
    }
    if secured {
        add(
            "401",
            "缺少有效令牌 / no valid bearer token (missing, expired, revoked or malformed)",
        );
    }
    if has_path {
        add(
            "404",
            "没有此记录（路径参数无法解析或不存在） / no such record (a path parameter that does not parse or names nothing)",
        );
    }
    if has_body {
        add("413", "请求体过大 / the request body is too large");
        add(
            "415",
            "请求体类型不符 / the request body is not of the content type the operation reads",
        );
    }
    if json_body {
        add(
            "422",
            "字段有误（错误中指明字段） / a field of the body is wrong (the error names it)",
        );
    }
    add(
        "500",
        "服务内部错误：答复只带请求编号，不含内部细节 / internal error: the answer carries a request id and nothing internal",
    );
    for (status, response) in responses.iter_mut() {
        let Some(response) = response.as_object_mut() else {
            continue;
        };
        declare_binary_content(response);
        if status == "429" {
            let headers = response
                .entry("headers")
                .or_insert_with(|| json!({}))
                .as_object_mut();
            if let Some(headers) = headers {
                headers.entry("Retry-After").or_insert_with(|| {
                    json!({
                        "description": "再试之前须等待的秒数 / seconds to wait before trying again",
                        "schema": {"type": "integer", "minimum": 1},
                    })
                });
            }
        }
    }
}

/// A non-JSON answer without a schema is a file: `string`/`binary` (HTML and plain text are
/// `string`), so that generated clients download it instead of dropping it.
fn declare_binary_content(response: &mut Map<String, Value>) {
    let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else {
        return;
    };
    for (media_type, media) in content.iter_mut() {
        let Some(media) = media.as_object_mut() else {
            continue;
        };
        let has_schema = media
            .get("schema")
            .is_some_and(|s| s.as_object().is_some_and(|s| !s.is_empty()));
        if has_schema || media_type.starts_with("application/json") {
            continue;
        }
        let schema = if media_type.starts_with("text/html") || media_type.starts_with("text/plain")
        {
            json!({"type": "string"})
        } else {
            json!({"type": "string", "format": "binary"})
        };
        media.insert("schema".into(), schema);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(value: Value) -> Map<String, Value> {
        value.as_object().cloned().expect("object")
    }

    fn statuses(o: &Map<String, Value>) -> Vec<String> {
        o["responses"]
            .as_object()
            .expect("responses")
            .keys()
            .cloned()
            .collect()
    }

    #[test]
    fn a_bearer_json_route_gets_every_status_its_extractors_produce() {
        let mut o = op(json!({
            "security": [{"bearer": []}],
            "parameters": [{"name": "id", "in": "path"}],
            "requestBody": {"content": {"application/json": {}}},
            "responses": {"200": {"description": "ok"}, "422": {"description": "own words"}},
        }));
        complete_operation(&mut o);
        assert_eq!(
            statuses(&o),
            ["200", "400", "401", "404", "413", "415", "422", "500"]
        );
        assert_eq!(o["responses"]["422"]["description"], "own words");
    }

    #[test]
    fn an_open_route_without_input_gets_only_the_internal_error() {
        let mut o = op(json!({"responses": {"200": {"description": "ok"}}}));
        complete_operation(&mut o);
        assert_eq!(statuses(&o), ["200", "500"]);
    }

    #[test]
    fn files_are_binary_strings_and_pages_strings() {
        let mut o = op(json!({"responses": {
            "200": {"description": "ok", "content": {
                "application/pdf": {}, "text/html": {}, "text/csv": {},
                "application/json": {"schema": {"type": "object"}},
            }},
            "429": {"description": "wait"},
        }}));
        complete_operation(&mut o);
        let content = &o["responses"]["200"]["content"];
        assert_eq!(content["application/pdf"]["schema"]["format"], "binary");
        assert_eq!(content["text/csv"]["schema"]["format"], "binary");
        assert_eq!(content["text/html"]["schema"], json!({"type": "string"}));
        assert_eq!(
            content["application/json"]["schema"],
            json!({"type": "object"})
        );
        assert!(o["responses"]["429"]["headers"]["Retry-After"].is_object());
    }
}
