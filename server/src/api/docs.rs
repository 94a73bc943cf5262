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
        super::shopping::create_quote,
        super::cart::get_cart,
        super::cart::add_item,
        super::cart::set_quantity,
        super::cart::remove_item,
        super::cart::clear_cart,
        super::cart::list_favorites,
        super::cart::add_favorite,
        super::cart::remove_favorite,
        super::auth::login,
        super::auth::refresh,
        super::auth::logout,
        super::auth::otp_request,
        super::auth::otp_verify,
        super::me::get_me,
        super::me::put_me,
        super::me::delete_me,
        super::me::complete_profile,
        super::consents::my_consents,
        super::consents::put_marketing,
        super::consents::user_consents,
        super::addresses::list_addresses,
        super::addresses::create_address,
        super::addresses::get_address,
        super::addresses::put_address,
        super::addresses::delete_address,
        super::addresses::set_default_address,
        super::me::upload_photo,
        super::me::delete_photo,
        super::me::export,
        super::me::request_phone_change,
        super::me::confirm_phone_change,
        super::me::request_deletion,
        super::me::sign_out_everywhere,
        super::notifications::list_notifications,
        super::devices::register_device,
        super::devices::list_devices,
        super::devices::delete_device,
        super::notifications::request_confirmation,
        super::notifications::confirm_email,
        super::notifications::unread_count,
        super::notifications::mark_read,
        super::notifications::mark_all_read,
        super::notifications::get_settings,
        super::notifications::put_setting,
        super::notifications::admin_sent,
        super::notifications::admin_resend,
        super::orders::place_order,
        super::orders::list_orders,
        super::orders::get_order,
        super::orders::cancel_order,
        super::orders::invoice_pdf,
        super::corrections::list_corrections,
        super::corrections::correction_pdf,
        super::corrections::invoice_xml,
        super::corrections::correction_xml,
        super::orders::create_payment,
        super::admin_orders::admin_refund,
        super::admin_orders::admin_list_orders,
        super::admin_orders::admin_move_order,
        super::admin_orders::admin_set_tracking,
        super::admin_orders::admin_dashboard,
        super::admin_orders::admin_get_terms,
        super::admin_orders::admin_set_terms,
        super::admin_orders::admin_set_customer_terms,
        super::admin_users::list_users,
        super::admin_users::change_user,
        super::me::company_members,
        super::me::decide_member,
        super::admin::put_product,
        super::admin::deactivate_product,
        super::admin::edit_stock,
        super::admin::list_images,
        super::admin::upload_image,
        super::admin::delete_image,
        super::admin::put_category,
        super::admin_content::put_page,
        super::admin_content::page_revisions,
        super::admin_content::put_faq,
        super::admin_content::delete_faq
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "catalog", description = "Products and categories"),
        (name = "content", description = "FAQ and pages such as the terms"),
        (name = "shopping", description = "Carts, favorites and pricing baskets"),
        (name = "auth", description = "Sign-in and tokens"),
        (name = "orders", description = "Checkout, the customer's orders and invoices"),
        (name = "me", description = "The signed-in user's profile, addresses, photo and account"),
        (name = "admin", description = "Shop management (role admin)"),
    )
)]
pub struct ApiDoc;

/// The document served at `/api/v1/openapi.json`: the annotated operations, plus the error
/// responses every operation of its kind can give, added here once rather than on each
/// handler (found missing by schemathesis).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let doc = ApiDoc::openapi();
    let Ok(mut value) = serde_json::to_value(&doc) else {
        return doc;
    };
    add_common_errors(&mut value);
    serde_json::from_value(value).unwrap_or(doc)
}

/// Adds the error responses an operation can give by its kind, where not documented:
/// 401 with a bearer requirement (a bad token also fails an optional one), 403 for admin
/// routes, 400/413/415/422 with a body, 404 with path parameters, 400/422 with a query,
/// and 503 for every operation (the database unreachable).
fn add_common_errors(doc: &mut serde_json::Value) {
    use serde_json::{Value, json};
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            if !matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                continue;
            }
            let mut errors = Vec::new();
            if operation.get("security").is_some() {
                errors.push((
                    "401",
                    "Not signed in, or the token is expired, revoked or invalid",
                ));
            }
            if path.starts_with("/api/v1/admin/") {
                errors.push(("403", "Signed in without the admin role"));
            }
            if operation.get("requestBody").is_some() {
                errors.push(("400", "The body is malformed"));
                errors.push(("413", "The body is too large"));
                errors.push(("415", "The body is not of the documented type"));
                errors.push((
                    "422",
                    "The body is invalid; `details.field` names what to fix",
                ));
            }
            if path.contains('{') {
                errors.push(("400", "A path parameter is malformed"));
                errors.push(("404", "No such resource, or not yours"));
            }
            let queried = operation
                .get("parameters")
                .and_then(Value::as_array)
                .is_some_and(|p| p.iter().any(|p| p["in"] == "query"));
            if queried {
                errors.push(("400", "The query string is malformed"));
                errors.push(("422", "A query parameter is invalid"));
            }
            errors.push((
                "503",
                "The database is unreachable; retry after `Retry-After` seconds",
            ));
            let Some(responses) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            for (code, description) in errors {
                responses.entry(code).or_insert_with(|| {
                    json!({
                        "description": description,
                        "content": { "application/json": {
                            "schema": { "$ref": "#/components/schemas/ErrorBody" }
                        } }
                    })
                });
            }
        }
    }
}

/// Declares the `bearer` security scheme the protected paths refer to.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}
