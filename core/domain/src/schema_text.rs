//! Shapes of text that the OpenAPI document states but Rust's `String` cannot: an id or a
//! name that must not be blank, listed inside arrays where a field attribute cannot reach.

/// A record or unit id as clients send it: 1 to 100 characters, not all blank.
#[cfg(feature = "openapi")]
pub struct NonBlankId;

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for NonBlankId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .min_length(Some(1))
            .max_length(Some(100))
            .pattern(Some(r"\S"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for NonBlankId {}
