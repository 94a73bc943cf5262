//! The OpenAPI document; Swagger UI serves it at `/api/v1/openapi.json` and `/api/docs`.

use utoipa::OpenApi;

/// The API description, built from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Metropolitan API",
        description = "JSON API for Metropolitan's mobile apps. Errors always have the shape \
            `{\"error\": {\"code\", \"message\", \"details\", \"request_id\"}}`. Money is in \
            integer minor units with an ISO 4217 currency; VAT rates are in basis points. \
            Translated fields follow `?lang=` or `Accept-Language` (pl, en, tr).",
        version = "1.0.0"
    ),
    paths(
        super::catalog::list_products,
        super::catalog::search,
        super::catalog::suggest,
        super::catalog::get_product,
        super::catalog::list_categories,
        super::catalog::get_category,
        super::content::list_faq,
        super::content::get_page,
        super::shopping::create_quote
    ),
    tags(
        (name = "catalog", description = "Products and categories"),
        (name = "content", description = "FAQ and pages such as the terms"),
        (name = "shopping", description = "Pricing baskets"),
    )
)]
pub struct ApiDoc;

/// The document as a value, for Swagger UI.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
