//! The OpenAPI document states what every `/v1` read answers: no JSON response (nor anything it
//! refers to) is a bare `{"type": "object"}` that tells the console's generated types nothing.
//! One exception: a sync pull's change carries a record of any entity as it was stored.

use std::collections::BTreeSet;

use anjian_server::api::ApiDoc;
use serde_json::Value;
use utoipa::OpenApi;

/// Fields that hold a record of any entity (the phone decodes it by the change's `entity`).
const ANY_RECORD: [&str; 1] = ["#/components/schemas/Change.data"];

/// Where `schema` (at `at`) or anything it contains is an object with no shape.
fn untyped(
    doc: &Value,
    schema: &Value,
    at: &str,
    seen: &mut BTreeSet<String>,
    out: &mut Vec<String>,
) {
    let Some(obj) = schema.as_object() else {
        return;
    };
    if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
        if seen.insert(r.to_string()) {
            let name = r.trim_start_matches("#/components/schemas/");
            let target = &doc["components"]["schemas"][name];
            assert!(!target.is_null(), "{at}: {r} is not in components");
            untyped(doc, target, r, seen, out);
        }
        return;
    }
    let shaped = [
        "properties",
        "allOf",
        "oneOf",
        "anyOf",
        "additionalProperties",
    ]
    .iter()
    .any(|k| obj.contains_key(*k));
    let is_object = match obj.get("type") {
        Some(Value::String(t)) => t == "object",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "object"),
        _ => false,
    };
    if is_object && !shaped && !ANY_RECORD.contains(&at) {
        out.push(at.to_string());
    }
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (name, p) in props {
            untyped(doc, p, &format!("{at}.{name}"), seen, out);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(inner) = obj.get(key) {
            untyped(doc, inner, &format!("{at}[]"), seen, out);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for (n, inner) in obj
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            untyped(doc, inner, &format!("{at}/{key}{n}"), seen, out);
        }
    }
}

#[test]
fn every_v1_json_response_has_a_schema() {
    let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
    let mut found = Vec::new();
    let mut checked = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/v1/") {
            continue;
        }
        for (method, op) in ops.as_object().unwrap() {
            let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                continue;
            };
            for (status, resp) in responses {
                let Some(schema) = resp.pointer("/content/application~1json/schema") else {
                    continue;
                };
                checked += 1;
                let at = format!("{method} {path} {status}");
                untyped(&doc, schema, &at, &mut BTreeSet::new(), &mut found);
            }
        }
    }
    assert!(checked > 100, "only {checked} JSON responses found");
    assert!(
        found.is_empty(),
        "untyped objects in /v1 responses:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_console_reads_the_served_document() {
    // console/openapi.json is the document the server serves (the console's types come from it).
    let served = serde_json::to_value(ApiDoc::openapi()).unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../console/openapi.json");
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(
        served == committed,
        "console/openapi.json differs from the server's /openapi.json: save it again, then \
         `npm run gen:api` and `npm run build` in console/"
    );
}
