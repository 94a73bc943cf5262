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
        super::me::list_addresses,
        super::me::create_address,
        super::me::get_address,
        super::me::put_address,
        super::me::delete_address,
        super::me::set_default_address,
        super::me::upload_photo,
        super::me::delete_photo,
        super::me::export,
        super::me::request_phone_change,
        super::me::confirm_phone_change,
        super::me::request_deletion,
        super::me::sign_out_everywhere,
        super::orders::place_order,
        super::orders::list_orders,
        super::orders::get_order,
        super::orders::cancel_order,
        super::orders::invoice_pdf,
        super::orders::create_payment,
        super::orders::admin_refund,
        super::orders::admin_list_orders,
        super::orders::admin_move_order,
        super::orders::admin_set_tracking,
        super::orders::admin_dashboard,
        super::orders::admin_get_terms,
        super::orders::admin_set_terms,
        super::orders::admin_set_customer_terms,
        super::admin_users::list_users,
        super::admin_users::change_user,
        super::admin::put_product,
        super::admin::deactivate_product,
        super::admin::list_images,
        super::admin::upload_image,
        super::admin::delete_image,
        super::admin::put_category,
        super::admin::put_page,
        super::admin::page_revisions,
        super::admin::put_faq,
        super::admin::delete_faq
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

/// The document as a value, for Swagger UI.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
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
