//! Sign-in for password accounts and the admin's product list with quick price and stock
//! edits. Every admin server function checks the admin role on the server.

mod catalog_admin;
mod content;
mod product_edit;
mod users;

pub use catalog_admin::{AdminCategoriesPage, AdminFaqPage};
pub use content::AdminContentPage;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
pub use product_edit::AdminProductEditPage;
use serde::{Deserialize, Serialize};
use shop_types::Money;
pub use users::AdminUsersPage;

use crate::error::AppError;
use crate::i18n::{Key, t};
use crate::use_locale;

/// A row of the admin product list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminRow {
    /// SKU.
    pub sku: String,
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Gross list price.
    pub price: Money,
    /// Stock.
    pub stock: i32,
}

/// A page of admin rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminPage {
    /// Rows.
    pub rows: Vec<AdminRow>,
    /// 1-based page.
    pub page: u32,
    /// Number of pages.
    pub total_pages: u64,
}

/// Signs in with e-mail and password into a browser session, then goes to the admin area.
#[server(prefix = "/sf", endpoint = "identity/sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    let svc = crate::ssr::services()?;
    let user =
        domain::identity::verify_login(&svc, &email, &password, crate::ssr::client_ip()).await?;
    crate::ssr::start_session(user).await?;
    leptos_axum::redirect("/admin/products");
    Ok(())
}

/// Ends the browser session.
#[server(prefix = "/sf", endpoint = "identity/sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let session = leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|_| AppError::Unavailable)?;
    session.flush().await.map_err(|_| AppError::Unavailable)?;
    leptos_axum::redirect("/");
    Ok(())
}

/// Products for the admin list, searchable and paged.
#[server(prefix = "/sf", endpoint = "admin/list_products")]
pub async fn admin_list_products(q: Option<String>, page: u32) -> Result<AdminPage, AppError> {
    use domain::catalog;
    use domain::shared::{CustomerType, PageRequest};

    crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    let listing = catalog::list_products(
        &svc,
        catalog::ListProducts {
            locale: svc.default_locale,
            customer_type: CustomerType::Individual,
            page: PageRequest::new(page, 50),
            filter: catalog::ProductFilter {
                query: q,
                ..Default::default()
            },
            sort: catalog::ProductSort::Name,
        },
    )
    .await?;
    let total_pages = listing.total_pages();
    Ok(AdminPage {
        page: listing.page,
        total_pages,
        rows: listing
            .items
            .into_iter()
            .map(|p| AdminRow {
                sku: p.sku,
                slug: p.slug,
                name: p.name,
                price: p.price,
                stock: p.stock,
            })
            .collect(),
    })
}

/// Sets a product's gross list price (typed in złoty) and edits its stock: `stock_mode` is
/// `set` (checked against `stock_seen`, the value the page showed), `change` or `counted`.
#[server(prefix = "/sf", endpoint = "admin/update_product")]
pub async fn update_product(
    sku: String,
    price: String,
    stock: String,
    stock_seen: Option<String>,
    stock_mode: Option<String>,
) -> Result<(), AppError> {
    use domain::shared::{Currency, Money};

    let admin = crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    let price = Money::parse_major(&price, Currency::PLN).map_err(|e| AppError::Invalid {
        field: "price".into(),
        message: e.to_string(),
    })?;
    let edit = domain::catalog::StockEdit::from_form(
        stock_mode.as_deref().unwrap_or("set"),
        &stock,
        stock_seen.and_then(|s| s.trim().parse().ok()),
    )?;
    domain::catalog::update_price_and_stock(&svc, &sku, price.minor, edit).await?;
    tracing::info!(admin = %admin.id, %sku, "price and stock updated");
    Ok(())
}

/// E-mail and password sign-in for accounts that have a password (admins).
#[component]
pub fn PasswordSignIn() -> impl IntoView {
    let locale = use_locale();
    let action = ServerAction::<SignIn>::new();
    let failed = move || matches!(action.value().get(), Some(Err(_)));
    view! {
        <ActionForm action attr:class="stack">
            <label>
                {t(locale, Key::Email)}
                <input type="email" name="email" autocomplete="username" required />
            </label>
            <label>
                {t(locale, Key::Password)}
                <input type="password" name="password" autocomplete="current-password" required />
            </label>
            <button type="submit" class="button">{t(locale, Key::SignIn)}</button>
        </ActionForm>
        <Show when=failed>
            <p class="error" role="alert">{t(locale, Key::SignInFailed)}</p>
        </Show>
    }
}

/// `/admin/products`: search, page, and edit price and stock in place.
#[component]
pub fn AdminProductsPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let q = move || query.read().get("q").filter(|q| !q.trim().is_empty());
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1u32)
    };
    let update = ServerAction::<UpdateProduct>::new();
    let sign_out = ServerAction::<SignOut>::new();
    let rows = Resource::new(
        move || (q(), page(), update.version().get()),
        |(q, page, _)| admin_list_products(q, page),
    );
    view! {
        <Title text=format!("{} · {}", t(locale, Key::AdminProducts), t(locale, Key::ShopName)) />
        <div class="admin-head">
            <h1>{t(locale, Key::AdminProducts)}</h1>
            <ActionForm action=sign_out>
                <button type="submit">{t(locale, Key::SignOut)}</button>
            </ActionForm>
        </div>
        <p>
            <a class="button" href="/admin/products/edit">"+ New product"</a>
            " "
            <a href="/admin/categories">{t(locale, Key::Categories)}</a>
            " · "
            <a href="/admin/users">{t(locale, Key::AdminUsers)}</a>
            " · "
            <a href="/admin/content">{t(locale, Key::AdminContent)}</a>
        </p>
        <form method="get" action="/admin/products" class="filters">
            <label>
                {t(locale, Key::SearchLabel)}
                <input type="search" name="q" value=q().unwrap_or_default() />
            </label>
            <button type="submit">{t(locale, Key::SearchButton)}</button>
        </form>
        {move || {
            update
                .value()
                .get()
                .map(|result| match result {
                    Ok(()) => view! { <p class="notice" role="status">{t(locale, Key::Saved)}</p> }.into_any(),
                    Err(AppError::Invalid { field, message }) => {
                        view! { <p class="error" role="alert">{format!("{field}: {message}")}</p> }.into_any()
                    }
                    Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
                })
        }}
        <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Err(AppError::Unauthorized | AppError::Forbidden) => {
                        view! {
                            <p class="error" role="alert">
                                {t(locale, Key::AdminOnly)}{" "}
                                <a href="/login">{t(locale, Key::SignIn)}</a>
                            </p>
                        }
                            .into_any()
                    }
                    Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
                    Ok(page) => {
                        view! {
                            <table class="admin-table">
                                <thead>
                                    <tr>
                                        <th scope="col">{t(locale, Key::Sku)}</th>
                                        <th scope="col">{t(locale, Key::SortName)}</th>
                                        <th scope="col">{t(locale, Key::Price)}</th>
                                        <th scope="col">{t(locale, Key::Stock)}</th>
                                        <th scope="col"></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {page.rows.into_iter().map(|row| view! { <AdminProductRow row update /> }).collect_view()}
                                </tbody>
                            </table>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// A stock box that sends an edit, not a bare number: the value shown (so a save after
/// checkouts took units is refused rather than selling them twice) and how to read the
/// number typed.
#[component]
pub(crate) fn StockInput(
    /// The form the fields belong to (`None`: the enclosing form).
    #[prop(optional)]
    form: Option<String>,
    stock: i32,
    label: String,
) -> impl IntoView {
    let locale = use_locale();
    view! {
        <input type="hidden" form=form.clone() name="stock_seen" value=stock />
        <select
            form=form.clone()
            name="stock_mode"
            aria-label=format!("{} – {} ({})", t(locale, Key::Stock), label, t(locale, Key::StockSet))
        >
            <option value="set" selected>{t(locale, Key::StockSet)}</option>
            <option value="change">{t(locale, Key::StockChange)}</option>
            <option value="counted">{t(locale, Key::StockCounted)}</option>
        </select>
        <input
            form=form
            name="stock"
            inputmode="numeric"
            size="6"
            value=stock
            aria-label=format!("{} – {}", t(locale, Key::Stock), label)
        />
    }
}

#[component]
fn AdminProductRow(row: AdminRow, update: ServerAction<UpdateProduct>) -> impl IntoView {
    let locale = use_locale();
    let form_id = format!("edit-{}", row.sku);
    let price_text = format!("{},{:02}", row.price.minor / 100, row.price.minor % 100);
    let label = row.name.clone();
    view! {
        <tr>
            <td>{row.sku.clone()}</td>
            <td>
                <a href=format!("/admin/products/edit?sku={}", row.sku)>{row.name.clone()}</a>
                <br />
                <small class="muted">{row.price.format(locale)}</small>
            </td>
            <td>
                <input
                    form=form_id.clone()
                    name="price"
                    inputmode="decimal"
                    size="8"
                    value=price_text
                    aria-label=format!("{} – {}", t(locale, Key::Price), label)
                />
            </td>
            <td>
                <StockInput form=form_id.clone() stock=row.stock label=label.clone() />
            </td>
            <td>
                <ActionForm action=update attr:id=form_id>
                    <input type="hidden" name="sku" value=row.sku.clone() />
                    <button type="submit" aria-label=format!("{} – {}", t(locale, Key::Save), label)>
                        {t(locale, Key::Save)}
                    </button>
                </ActionForm>
            </td>
        </tr>
    }
}
