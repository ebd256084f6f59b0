//! `format` is only an annotation in JSON Schema: a client (or a fuzzer) may send any string
//! where the document says `date` or `date-time`, an empty one included, and the server then
//! refuses it. The document states the shape as a `pattern` too, once for every date and
//! moment in every schema and parameter.

use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, KnownFormat, SchemaFormat};
use utoipa::openapi::{OpenApi, RefOr, Schema};
use utoipa::Modify;

/// `2026-11-30`.
pub const DATE_PATTERN: &str = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$";
/// RFC 3339: `2026-11-30T08:05:00Z`, `2026-11-30T16:05:00.123+08:00`.
pub const DATE_TIME_PATTERN: &str = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$";

pub struct DatePatterns;

fn walk(schema: &mut RefOr<Schema>) {
    let RefOr::T(schema) = schema else { return };
    match schema {
        Schema::Object(o) => {
            if o.pattern.is_none() {
                o.pattern = match &o.format {
                    Some(SchemaFormat::KnownFormat(KnownFormat::Date)) => Some(DATE_PATTERN.into()),
                    Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)) => {
                        Some(DATE_TIME_PATTERN.into())
                    }
                    _ => None,
                };
            }
            o.properties.values_mut().for_each(walk);
            if let Some(extra) = o.additional_properties.as_deref_mut() {
                if let AdditionalProperties::RefOr(s) = extra {
                    walk(s);
                }
            }
        }
        Schema::Array(a) => {
            if let ArrayItems::RefOrSchema(items) = &mut a.items {
                walk(items);
            }
        }
        Schema::OneOf(x) => x.items.iter_mut().for_each(walk),
        Schema::AllOf(x) => x.items.iter_mut().for_each(walk),
        Schema::AnyOf(x) => x.items.iter_mut().for_each(walk),
        _ => {}
    }
}

impl Modify for DatePatterns {
    fn modify(&self, openapi: &mut OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.schemas.values_mut().for_each(walk);
        }
        for item in openapi.paths.paths.values_mut() {
            for op in super::errors_doc::operations(item) {
                for p in op.parameters.iter_mut().flatten() {
                    if let Some(s) = p.schema.as_mut() {
                        walk(s);
                    }
                }
                if let Some(body) = op.request_body.as_mut() {
                    for c in body.content.values_mut() {
                        if let Some(s) = c.schema.as_mut() {
                            walk(s);
                        }
                    }
                }
                for r in op.responses.responses.values_mut() {
                    if let RefOr::T(r) = r {
                        for c in r.content.values_mut() {
                            if let Some(s) = c.schema.as_mut() {
                                walk(s);
                            }
                        }
                    }
                }
            }
        }
    }
}
