//! The JSON API for mobile apps, mounted under `/api/v1`.
//!
//! Handlers are thin: extract, convert to a domain command, call the use-case, map the
//! result to a response DTO or an [`ApiError`].

pub mod addresses;
pub mod admin;
pub mod admin_content;
pub mod admin_orders;
pub mod admin_users;
pub mod auth;
pub mod cart;
pub mod catalog;
pub mod consents;
pub mod content;
pub mod corrections;
pub mod devices;
pub mod docs;
pub mod error;
pub mod extract;
pub mod me;
pub mod notifications;
pub mod orders;
pub mod shopping;

use axum::Router;
use axum::routing::{delete, get, patch, post, put};

pub use error::ApiError;

use crate::startup::AppState;

/// Every `/api/v1` route; unknown paths and wrong methods answer in the error shape.
/// `test_routes` adds `GET /test/otp` (only ever true with `APP_ENV=test`).
pub fn router(test_routes: bool) -> Router<AppState> {
    let router = Router::new()
        .route("/products", get(catalog::list_products))
        .route("/products/{id_or_slug}", get(catalog::get_product))
        .route("/search", get(catalog::search))
        .route("/search/suggest", get(catalog::suggest))
        .route("/categories", get(catalog::list_categories))
        .route("/categories/{slug}", get(catalog::get_category))
        .route("/content/faq", get(content::list_faq))
        .route("/content/pages/{slug}", get(content::get_page))
        .route("/quotes", post(shopping::create_quote))
        .route("/cart", get(cart::get_cart).delete(cart::clear_cart))
        .route("/cart/items", post(cart::add_item))
        .route(
            "/cart/items/{product_id}",
            patch(cart::set_quantity).delete(cart::remove_item),
        )
        .route(
            "/me/favorites",
            get(cart::list_favorites).post(cart::add_favorite),
        )
        .route(
            "/me/favorites/{product_id}",
            axum::routing::delete(cart::remove_favorite),
        )
        .route("/auth/login", post(auth::login))
        .route("/auth/refresh", post(auth::refresh))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/otp/request", post(auth::otp_request))
        .route("/auth/otp/verify", post(auth::otp_verify))
        .route("/me", get(me::get_me).put(me::put_me).delete(me::delete_me))
        .route("/me/complete-profile", post(me::complete_profile))
        .route("/me/consents", get(consents::my_consents))
        .route("/me/consents/marketing", put(consents::put_marketing))
        .route("/admin/users/{id}/consents", get(consents::user_consents))
        .route(
            "/me/addresses",
            get(addresses::list_addresses).post(addresses::create_address),
        )
        .route(
            "/me/addresses/{id}",
            get(addresses::get_address)
                .put(addresses::put_address)
                .delete(addresses::delete_address),
        )
        .route(
            "/me/addresses/{id}/default",
            post(addresses::set_default_address),
        )
        .route("/me/photo", post(me::upload_photo).delete(me::delete_photo))
        .route("/me/export", get(me::export))
        .route("/me/notifications", get(notifications::list_notifications))
        .route(
            "/me/devices",
            get(devices::list_devices).post(devices::register_device),
        )
        .route("/me/devices/{id}", delete(devices::delete_device))
        .route(
            "/me/email/confirmation",
            post(notifications::request_confirmation),
        )
        .route("/auth/email/confirm", post(notifications::confirm_email))
        .route(
            "/me/notifications/unread-count",
            get(notifications::unread_count),
        )
        .route(
            "/me/notifications/read-all",
            post(notifications::mark_all_read),
        )
        .route(
            "/me/notifications/{id}/read",
            post(notifications::mark_read),
        )
        .route(
            "/me/notification-settings",
            get(notifications::get_settings).put(notifications::put_setting),
        )
        .route(
            "/admin/orders/{id}/notifications",
            get(notifications::admin_sent),
        )
        .route(
            "/admin/notifications/{id}/resend",
            post(notifications::admin_resend),
        )
        .route("/me/company/members", get(me::company_members))
        .route("/me/company/members/{id}", post(me::decide_member))
        .route("/me/phone/request", post(me::request_phone_change))
        .route("/me/phone/confirm", post(me::confirm_phone_change))
        .route("/me/deletion/request", post(me::request_deletion))
        .route("/me/sign-out-everywhere", post(me::sign_out_everywhere))
        .route(
            "/orders",
            get(orders::list_orders).post(orders::place_order),
        )
        .route("/orders/{id}", get(orders::get_order))
        .route("/orders/{id}/cancel", post(orders::cancel_order))
        .route("/orders/{id}/payment", post(orders::create_payment))
        .route(
            "/admin/orders/{id}/refund",
            post(admin_orders::admin_refund),
        )
        .route("/orders/{id}/invoice.pdf", get(orders::invoice_pdf))
        .route(
            "/orders/{id}/corrections",
            get(corrections::list_corrections),
        )
        .route(
            "/orders/{id}/corrections/{correction}/pdf",
            get(corrections::correction_pdf),
        )
        .route(
            "/orders/{id}/corrections/{correction}/xml",
            get(corrections::correction_xml),
        )
        .route("/orders/{id}/invoice.xml", get(corrections::invoice_xml))
        .route("/admin/orders", get(admin_orders::admin_list_orders))
        .route(
            "/admin/orders/{id}/status",
            post(admin_orders::admin_move_order),
        )
        .route(
            "/admin/orders/{id}/tracking",
            put(admin_orders::admin_set_tracking),
        )
        .route("/admin/dashboard", get(admin_orders::admin_dashboard))
        .route(
            "/admin/payment-terms",
            get(admin_orders::admin_get_terms).put(admin_orders::admin_set_terms),
        )
        .route(
            "/admin/users/{id}/payment-terms",
            put(admin_orders::admin_set_customer_terms),
        )
        .route("/admin/users", get(admin_users::list_users))
        .route("/admin/users/{id}", patch(admin_users::change_user))
        .route(
            "/admin/products/{sku}",
            put(admin::put_product).delete(admin::deactivate_product),
        )
        .route("/admin/products/{sku}/stock", post(admin::edit_stock))
        .route(
            "/admin/products/{sku}/images",
            get(admin::list_images).post(admin::upload_image),
        )
        .route(
            "/admin/products/{sku}/images/{id}",
            axum::routing::delete(admin::delete_image),
        )
        .route("/admin/categories/{slug}", put(admin::put_category))
        .route("/admin/content/pages/{slug}", put(admin_content::put_page))
        .route(
            "/admin/content/pages/{slug}/revisions",
            get(admin_content::page_revisions),
        )
        .route(
            "/admin/content/faq/{id}",
            put(admin_content::put_faq).delete(admin_content::delete_faq),
        )
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed);
    if test_routes {
        router.route("/test/otp", get(auth::test_otp))
    } else {
        router
    }
}

async fn fallback() -> ApiError {
    ApiError::not_found()
}

async fn method_not_allowed() -> ApiError {
    ApiError::from_status(axum::http::StatusCode::METHOD_NOT_ALLOWED)
}
