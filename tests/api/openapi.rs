//! The OpenAPI document: served, OpenAPI 3, and complete: every path of the HTTP contract with
//! each of its methods, its parameters, and the shared error body.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::app::spawn;

/// Every method and path of API.md, with the document's `{id}` placeholders.
const CONTRACT: &[(&str, &str)] = &[
    ("post", "/api/auth/register"),
    ("post", "/api/auth/login"),
    ("get", "/api/auth/me"),
    ("post", "/api/auth/refresh"),
    ("post", "/api/auth/logout"),
    ("get", "/api/meetings"),
    ("post", "/api/meetings"),
    ("get", "/api/meetings/{id}"),
    ("put", "/api/meetings/{id}"),
    ("post", "/api/meetings/{id}/start"),
    ("post", "/api/meetings/{id}/end"),
    ("post", "/api/meetings/{id}/cancel"),
    ("get", "/api/meetings/{id}/calendar.ics"),
    ("post", "/api/meetings/{id}/invite"),
    ("get", "/api/meetings/{id}/invitations"),
    ("get", "/api/invitations"),
    ("post", "/api/invitations/{id}/accept"),
    ("post", "/api/invitations/{id}/reject"),
    ("post", "/api/invitations/{id}/propose"),
    ("post", "/api/invitations/{id}/proposal/accept"),
    ("post", "/api/invitations/{id}/proposal/decline"),
    ("delete", "/api/invitations/{id}"),
    ("post", "/api/meetings/{id}/presence/join"),
    ("post", "/api/meetings/{id}/presence/leave"),
    ("get", "/api/meetings/{id}/participants"),
    ("get", "/api/meetings/{id}/rtc/config"),
    ("post", "/api/meetings/{id}/rtc/send"),
    ("get", "/api/meetings/{id}/rtc/inbox"),
    ("post", "/api/meetings/{id}/rtc/ack"),
    ("get", "/api/meetings/{id}/recordings"),
    ("post", "/api/meetings/{id}/recordings/start"),
    ("post", "/api/meetings/{id}/recordings/end"),
    ("get", "/api/recordings/{id}"),
    ("get", "/api/recordings/{id}/download"),
    ("post", "/api/meetings/{id}/notes"),
    ("get", "/api/meetings/{id}/notes"),
    ("get", "/api/health"),
    ("get", "/api/openapi.json"),
];

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

/// The paths that anyone may call without a token.
const PUBLIC: &[&str] = &[
    "/api/auth/register",
    "/api/auth/login",
    "/api/health",
    "/api/openapi.json",
];

async fn document() -> Value {
    let app = spawn().await;
    let res = app.get("/api/openapi.json", None).await;
    assert_eq!(res.status(), 200);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let text = res.text().await.unwrap();
    serde_json::from_str(&text).expect("the document is JSON")
}

fn operation<'a>(doc: &'a Value, method: &str, path: &str) -> &'a Value {
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "{method} {path} is documented");
    op
}

/// Follows a local `$ref` to the schema it names.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

fn json_schema<'a>(doc: &'a Value, op: &'a Value, status: &str) -> &'a Value {
    let schema = &op["responses"][status]["content"]["application/json"]["schema"];
    assert!(schema.is_object(), "a JSON {status} body in {op}");
    resolve(doc, schema)
}

#[tokio::test]
async fn document_is_served_as_openapi_3() {
    let doc = document().await;
    let version = doc["openapi"].as_str().expect("an openapi version");
    assert!(version.starts_with("3."), "OpenAPI 3, not {version}");
    assert!(doc["info"]["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(doc["info"]["version"].is_string());
}

#[tokio::test]
async fn document_lists_every_contract_path_with_each_method() {
    let doc = document().await;
    let expected: BTreeSet<(String, String)> = CONTRACT
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(*method).is_some() {
                documented.insert((method.to_string(), path.clone()));
            }
        }
    }
    let missing: Vec<_> = expected.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&expected).collect();
    assert!(missing.is_empty(), "not documented: {missing:?}");
    assert!(
        unknown.is_empty(),
        "documented but not in the contract: {unknown:?}"
    );
}

#[tokio::test]
async fn operation_ids_are_unique() {
    let doc = document().await;
    let mut seen = BTreeSet::new();
    for (method, path) in CONTRACT {
        let id = operation(&doc, method, path)["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path} has an operationId"))
            .to_string();
        assert!(seen.insert(id.clone()), "operationId {id} is used twice");
    }
}

#[tokio::test]
async fn every_id_path_declares_its_integer_id() {
    let doc = document().await;
    for (method, path) in CONTRACT.iter().filter(|(_, p)| p.contains("{id}")) {
        let params = operation(&doc, method, path)["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{method} {path} has parameters"));
        let id = params
            .iter()
            .find(|p| p["name"] == "id" && p["in"] == "path")
            .unwrap_or_else(|| panic!("{method} {path} declares {{id}}"));
        assert_eq!(id["required"], true);
        assert_eq!(id["schema"]["type"], "integer");
        assert_eq!(id["schema"]["format"], "int64");
    }
}

#[tokio::test]
async fn signed_in_paths_require_the_bearer_scheme_and_answer_401() {
    let doc = document().await;
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    assert_eq!(doc["security"][0]["bearer"], Value::Array(vec![]));
    for (method, path) in CONTRACT {
        let op = operation(&doc, method, path);
        if PUBLIC.contains(path) {
            assert_eq!(op["security"], serde_json::json!([{}]), "{path} is public");
            continue;
        }
        assert!(
            op.get("security").is_none(),
            "{method} {path} keeps the bearer requirement"
        );
        let body = json_schema(&doc, op, "401");
        assert!(
            body["properties"]["error"].is_object(),
            "{method} {path}: 401 body"
        );
    }
}

#[tokio::test]
async fn error_body_is_the_contract_shape() {
    let doc = document().await;
    let error = &doc["components"]["schemas"]["ErrorBody"];
    let required: BTreeSet<&str> = error["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(required, BTreeSet::from(["error", "message"]));
    assert_eq!(error["properties"]["fields"]["type"], "object");
    assert_eq!(
        error["properties"]["fields"]["additionalProperties"]["items"]["type"],
        "string"
    );
}

#[tokio::test]
async fn json_bodies_document_their_read_errors() {
    let doc = document().await;
    let with_body = [
        ("post", "/api/auth/register"),
        ("post", "/api/meetings"),
        ("put", "/api/meetings/{id}"),
        ("post", "/api/meetings/{id}/invite"),
        ("post", "/api/invitations/{id}/propose"),
        ("post", "/api/meetings/{id}/rtc/send"),
        ("post", "/api/meetings/{id}/rtc/ack"),
    ];
    for (method, path) in with_body {
        let op = operation(&doc, method, path);
        assert_eq!(op["requestBody"]["required"], true, "{method} {path}");
        for status in ["400", "413", "415", "422"] {
            json_schema(&doc, op, status);
        }
    }
}

#[tokio::test]
async fn rule_errors_are_documented_where_the_contract_names_them() {
    let doc = document().await;
    let cases = [
        ("post", "/api/auth/login", "401"),
        ("post", "/api/auth/login", "429"),
        ("put", "/api/meetings/{id}", "403"),
        ("put", "/api/meetings/{id}", "409"),
        ("post", "/api/meetings/{id}/start", "409"),
        ("post", "/api/invitations/{id}/accept", "403"),
        ("post", "/api/meetings/{id}/presence/join", "403"),
        ("post", "/api/meetings/{id}/presence/leave", "409"),
        ("post", "/api/meetings/{id}/rtc/send", "409"),
        ("post", "/api/meetings/{id}/recordings/start", "409"),
        ("get", "/api/recordings/{id}/download", "404"),
        ("get", "/api/meetings/{id}", "404"),
        ("get", "/api/meetings", "422"),
        ("get", "/api/meetings", "503"),
    ];
    for (method, path, status) in cases {
        let body = json_schema(&doc, operation(&doc, method, path), status);
        assert!(
            body["properties"]["message"].is_object(),
            "{method} {path} documents {status} with the error body"
        );
    }
}

#[tokio::test]
async fn success_shapes_match_what_the_handlers_send() {
    let doc = document().await;

    let created = json_schema(&doc, operation(&doc, "post", "/api/meetings"), "201");
    assert!(created["properties"]["meeting"].is_object());
    assert_eq!(created["properties"]["join_link"]["type"], "string");

    let page = json_schema(&doc, operation(&doc, "get", "/api/meetings"), "200");
    for key in ["data", "current_page", "per_page", "total", "last_page"] {
        assert!(page["properties"][key].is_object(), "page has {key}");
    }
    assert_eq!(page["properties"]["data"]["type"], "array");

    let inbox = json_schema(&doc, operation(&doc, "get", "/api/invitations"), "200");
    assert_eq!(inbox["type"], "array", "the inbox is a bare array");

    let signals = json_schema(
        &doc,
        operation(&doc, "get", "/api/meetings/{id}/rtc/inbox"),
        "200",
    );
    assert_eq!(signals["type"], "array", "the signal inbox is a bare array");

    let ics = &operation(&doc, "get", "/api/meetings/{id}/calendar.ics")["responses"]["200"];
    assert!(ics["content"]["text/calendar"].is_object());

    let join = operation(&doc, "post", "/api/meetings/{id}/presence/join");
    json_schema(&doc, join, "201");
    json_schema(&doc, join, "200");
}

#[tokio::test]
async fn meeting_schema_is_typed_as_sent() {
    let doc = document().await;
    let meeting = &doc["components"]["schemas"]["Meeting"];
    let props = &meeting["properties"];
    assert_eq!(props["id"]["type"], "integer");
    assert_eq!(props["id"]["format"], "int64");
    assert_eq!(props["scheduled_at"]["format"], "date-time");
    assert_eq!(
        props["started_at"]["type"],
        serde_json::json!(["string", "null"]),
        "started_at is nullable"
    );
    let status = resolve(&doc, &props["status"]);
    let values: BTreeSet<&str> = status["enum"]
        .as_array()
        .expect("status is an enum")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        values,
        BTreeSet::from(["scheduled", "started", "ended", "cancelled"])
    );
}

fn collect_refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push(r);
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn every_schema_reference_resolves() {
    let doc = document().await;
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(!refs.is_empty());
    let schemas = &doc["components"]["schemas"];
    let dangling: BTreeSet<&str> = refs
        .into_iter()
        .filter(|r| {
            r.strip_prefix("#/components/schemas/")
                .is_none_or(|name| schemas.get(name).is_none())
        })
        .collect();
    assert!(dangling.is_empty(), "unresolved: {dangling:?}");
}

#[tokio::test]
async fn query_enums_list_the_values_the_server_accepts() {
    let doc = document().await;
    let params = operation(&doc, "get", "/api/meetings")["parameters"]
        .as_array()
        .unwrap();
    let sort_by = params.iter().find(|p| p["name"] == "sort_by").unwrap();
    let values: BTreeSet<&str> = resolve(&doc, &sort_by["schema"])["enum"]
        .as_array()
        .expect("sort_by is an enum")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        values,
        BTreeSet::from(["scheduled_at", "created_at", "title", "status", "upcoming"])
    );
}
