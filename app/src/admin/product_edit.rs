//! `/admin/products/edit?sku=…` (empty: a new product): every field of a product, its
//! texts in the three languages, its pictures (upload with type checks), deactivation.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use super::StockInput;
use crate::components::ActionNotice;
use crate::error::AppError;
use crate::i18n::{Key, t};
use crate::use_locale;

/// A product as the form shows it (text fields, as typed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductForm {
    /// SKU (empty for a new product).
    pub sku: String,
    /// Slug.
    pub slug: String,
    /// Category slug.
    pub category: String,
    /// Brand.
    pub brand: String,
    /// Gross list price, e.g. `12,99`.
    pub price: String,
    /// Individual price or empty.
    pub individual_price: String,
    /// Corporate price or empty.
    pub corporate_price: String,
    /// VAT percent: `0`, `5`, `8`, `23`.
    pub vat_rate: String,
    /// Stock now (0 for a new product).
    pub stock: i32,
    /// Minimum for individuals.
    pub min_qty_individual: String,
    /// Minimum for companies.
    pub min_qty_corporate: String,
    /// Units per box or empty.
    pub qty_per_box: String,
    /// Net quantity or empty.
    pub net_quantity: String,
    /// `g`, `ml`, `pcs` or empty.
    pub net_unit: String,
    /// Country of origin.
    pub origin_country: String,
    /// `ambient`, `chilled`, `frozen` or empty.
    pub storage: String,
    /// Comma-separated allergen codes.
    pub allergens: String,
    /// Comma-separated badges.
    pub badges: String,
    /// Shown in the shop.
    pub active: bool,
    /// Names per language (pl, en, tr).
    pub names: [String; 3],
    /// Descriptions per language (pl, en, tr).
    pub descriptions: [String; 3],
    /// Pictures: (id, URL).
    pub images: Vec<(String, String)>,
    /// Category slugs and names to choose from.
    pub categories: Vec<(String, String)>,
}

const LOCALES: [&str; 3] = ["pl", "en", "tr"];

#[cfg(feature = "ssr")]
fn major(minor: i64) -> String {
    format!("{},{:02}", minor / 100, minor % 100)
}

/// The form's data for `sku` (empty: a blank form).
#[server(prefix = "/sf", endpoint = "admin/product_form")]
pub async fn admin_product_form(sku: String) -> Result<ProductForm, AppError> {
    crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    let categories = domain::catalog::list_categories(&svc, svc.default_locale)
        .await?
        .into_iter()
        .flat_map(|node| {
            let children: Vec<_> = node
                .children
                .iter()
                .map(|c| (c.category.slug.clone(), format!("— {}", c.category.name)))
                .collect();
            std::iter::once((node.category.slug.clone(), node.category.name.clone()))
                .chain(children)
        })
        .collect();
    if sku.trim().is_empty() {
        return Ok(ProductForm {
            vat_rate: "23".into(),
            min_qty_individual: "1".into(),
            min_qty_corporate: "1".into(),
            active: true,
            categories,
            ..Default::default()
        });
    }
    let p = domain::catalog::product_input(&svc, sku.trim()).await?;
    let images = domain::catalog::product_images(&svc, sku.trim())
        .await?
        .into_iter()
        .map(|i| (i.id.to_string(), domain::shared::blob::media_url(&i.key)))
        .collect();
    let text = |f: fn(&domain::catalog::TranslationInput) -> Option<String>| {
        LOCALES.map(|code| {
            p.translations
                .iter()
                .find(|t| t.locale == code)
                .and_then(f)
                .unwrap_or_default()
        })
    };
    Ok(ProductForm {
        sku: sku.trim().to_owned(),
        slug: p.slug.clone(),
        category: p.category.clone(),
        brand: p.brand.clone().unwrap_or_default(),
        price: major(p.price_minor),
        individual_price: p.individual_price_minor.map(major).unwrap_or_default(),
        corporate_price: p.corporate_price_minor.map(major).unwrap_or_default(),
        vat_rate: (p.vat_rate_bp / 100).to_string(),
        stock: match p.stock {
            domain::catalog::StockEdit::Replace { to, .. } => to,
            _ => 0,
        },
        min_qty_individual: p.min_qty_individual.unwrap_or(1).to_string(),
        min_qty_corporate: p.min_qty_corporate.unwrap_or(1).to_string(),
        qty_per_box: p.qty_per_box.map(|q| q.to_string()).unwrap_or_default(),
        net_quantity: p.net_quantity.map(|q| q.to_string()).unwrap_or_default(),
        net_unit: p.net_unit.clone().unwrap_or_default(),
        origin_country: p.origin_country.clone().unwrap_or_default(),
        storage: p.storage.clone().unwrap_or_default(),
        allergens: p.allergens.join(", "),
        badges: p.badges.join(", "),
        active: p.active.unwrap_or(true),
        names: text(|t| Some(t.name.clone())),
        descriptions: text(|t| t.description.clone()),
        images,
        categories,
    })
}

#[cfg(feature = "ssr")]
fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

#[cfg(feature = "ssr")]
fn optional_number<T: std::str::FromStr>(field: &str, text: &str) -> Result<Option<T>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| invalid(field, format!("`{text}` is not a whole number")))
}

#[cfg(feature = "ssr")]
fn optional_money(field: &str, text: &str) -> Result<Option<i64>, AppError> {
    use domain::shared::{Currency, Money};
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    Money::parse_major(text, Currency::PLN)
        .map(|m| Some(m.minor))
        .map_err(|e| invalid(field, e.to_string()))
}

#[cfg(feature = "ssr")]
fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Creates or updates a product from the form; goes back to the form of the saved SKU.
#[server(prefix = "/sf", endpoint = "admin/save_product")]
#[allow(clippy::too_many_arguments)]
pub async fn admin_save_product(
    sku: String,
    slug: String,
    category: String,
    brand: String,
    price: String,
    individual_price: String,
    corporate_price: String,
    vat_rate: String,
    stock: String,
    stock_seen: Option<String>,
    stock_mode: Option<String>,
    min_qty_individual: String,
    min_qty_corporate: String,
    qty_per_box: String,
    net_quantity: String,
    net_unit: String,
    origin_country: String,
    storage: String,
    allergens: String,
    badges: String,
    active: Option<String>,
    name_pl: String,
    name_en: String,
    name_tr: String,
    description_pl: String,
    description_en: String,
    description_tr: String,
) -> Result<(), AppError> {
    use domain::catalog::{self, ProductInput, TranslationInput};
    let admin = crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    let sku = sku.trim().to_owned();
    if sku.is_empty() || sku.len() > 64 {
        return Err(invalid("sku", "must be 1 to 64 characters"));
    }
    let vat_percent: i32 = vat_rate
        .trim()
        .parse()
        .map_err(|_| invalid("vat_rate", format!("`{vat_rate}` is not a percentage")))?;
    // The form has no nutrition fields: keep what the product has.
    let nutrition = match catalog::product_input(&svc, &sku).await {
        Ok(existing) => existing.nutrition,
        Err(catalog::Error::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let translations = [
        ("pl", name_pl, description_pl),
        ("en", name_en, description_en),
        ("tr", name_tr, description_tr),
    ]
    .into_iter()
    .filter(|(_, name, _)| !name.trim().is_empty())
    .map(|(locale, name, description)| TranslationInput {
        locale: locale.into(),
        name: name.trim().to_owned(),
        full_name: None,
        description: Some(description),
    })
    .collect();
    let input = ProductInput {
        slug: slug.trim().to_owned(),
        category: category.trim().to_owned(),
        brand: Some(brand),
        price_minor: optional_money("price", &price)?
            .ok_or_else(|| invalid("price", "is required"))?,
        individual_price_minor: optional_money("individual_price", &individual_price)?,
        corporate_price_minor: optional_money("corporate_price", &corporate_price)?,
        currency: None,
        vat_rate_bp: vat_percent.saturating_mul(100),
        stock: catalog::StockEdit::from_form(
            stock_mode.as_deref().unwrap_or("set"),
            if stock.trim().is_empty() { "0" } else { &stock },
            stock_seen.and_then(|s| s.trim().parse().ok()),
        )?,
        min_qty_individual: optional_number("min_qty_individual", &min_qty_individual)?,
        min_qty_corporate: optional_number("min_qty_corporate", &min_qty_corporate)?,
        qty_per_box: optional_number("qty_per_box", &qty_per_box)?,
        net_quantity: optional_number("net_quantity", &net_quantity)?,
        net_unit: Some(net_unit),
        origin_country: Some(origin_country),
        storage: Some(storage),
        allergens: list(&allergens),
        badges: list(&badges),
        nutrition,
        translations,
        active: Some(active.is_some()),
    };
    let product = input.into_product(sku.clone())?;
    catalog::upsert_product(&svc, &product).await?;
    tracing::info!(admin = %admin.id, %sku, "product saved from the admin form");
    leptos_axum::redirect(&format!("/admin/products/edit?sku={sku}&saved=1"));
    Ok(())
}

/// Takes a product off the shop.
#[server(prefix = "/sf", endpoint = "admin/deactivate_product")]
pub async fn admin_deactivate_product(sku: String) -> Result<(), AppError> {
    crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    domain::catalog::deactivate_product(&svc, &sku).await?;
    Ok(())
}

/// Deletes a picture.
#[server(prefix = "/sf", endpoint = "admin/delete_image")]
pub async fn admin_delete_image(sku: String, id: String) -> Result<(), AppError> {
    crate::ssr::require_admin().await?;
    let svc = crate::ssr::services()?;
    let id = uuid::Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    domain::catalog::delete_product_image(&svc, &sku, id).await?;
    Ok(())
}

/// The product editor.
#[component]
pub fn AdminProductEditPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let sku = move || query.read().get("sku").unwrap_or_default();
    let save = ServerAction::<AdminSaveProduct>::new();
    let deactivate = ServerAction::<AdminDeactivateProduct>::new();
    let delete_image = ServerAction::<AdminDeleteImage>::new();
    let form = Resource::new(
        move || {
            (
                sku(),
                deactivate.version().get(),
                delete_image.version().get(),
            )
        },
        |(sku, _, _)| admin_product_form(sku),
    );
    let saved = move || query.read().get("saved").is_some();
    let image_saved = move || query.read().get("image").is_some_and(|v| v == "saved");
    let image_error = move || query.read().get("image_error");
    view! {
        <Title text=format!("{} · {}", t(locale, Key::AdminProducts), t(locale, Key::ShopName)) />
        <div class="admin-head">
            <h1>{t(locale, Key::AdminProducts)}</h1>
            <a href="/admin/products">{t(locale, Key::AdminProducts)}</a>
        </div>
        <Show when=saved>
            <p class="notice" role="status">{t(locale, Key::Saved)}</p>
        </Show>
        <Show when=image_saved>
            <p class="notice" role="status">{t(locale, Key::PhotoSaved)}</p>
        </Show>
        {move || image_error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        <ActionNotice locale value=save.value() />
        <ActionNotice locale value=deactivate.value() saved=Key::Saved />
        <Suspense fallback=move || view! { <p class="muted">{t(locale, Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match form.await {
                    Err(AppError::Unauthorized | AppError::Forbidden) => view! {
                        <p class="error" role="alert">
                            {t(locale, Key::AdminOnly)} " " <a href="/login">{t(locale, Key::SignIn)}</a>
                        </p>
                    }.into_any(),
                    Err(AppError::NotFound) => view! { <p class="error" role="alert">{t(locale, Key::NotFoundTitle)}</p> }.into_any(),
                    Err(_) => view! { <p class="error" role="alert">{t(locale, Key::LoadFailed)}</p> }.into_any(),
                    Ok(f) => view! { <ProductEditor form=f save deactivate delete_image /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProductEditor(
    form: ProductForm,
    save: ServerAction<AdminSaveProduct>,
    deactivate: ServerAction<AdminDeactivateProduct>,
    delete_image: ServerAction<AdminDeleteImage>,
) -> impl IntoView {
    let locale = use_locale();
    let is_new = form.sku.is_empty();
    let field = |label: &'static str, name: &'static str, value: String| {
        view! {
            <label>
                {label}
                <input name=name value=value />
            </label>
        }
    };
    let select = |label: &'static str,
                  name: &'static str,
                  value: String,
                  options: &[&'static str]| {
        let options: Vec<&'static str> = options.to_vec();
        view! {
            <label>
                {label}
                <select name=name>
                    {options.into_iter().map(|o| view! { <option value=o selected=o == value>{if o.is_empty() { "–" } else { o }}</option> }).collect_view()}
                </select>
            </label>
        }
    };
    let category = form.category.clone();
    let sku = form.sku.clone();
    let image_items = form
        .images
        .iter()
        .map(|(id, url)| {
            let sku = sku.clone();
            let id = id.clone();
            let url = url.clone();
            view! {
                <li>
                    <img src=url alt="" width="160" />
                    <ActionForm action=delete_image>
                        <input type="hidden" name="sku" value=sku />
                        <input type="hidden" name="id" value=id />
                        <button type="submit">{t(locale, Key::Delete)}</button>
                    </ActionForm>
                </li>
            }
        })
        .collect_view();
    view! {
        <ActionForm action=save attr:class="stack product-form">
            <label>
                "SKU"
                <input name="sku" value=form.sku.clone() readonly=!is_new required />
            </label>
            {field("Slug", "slug", form.slug.clone())}
            <label>
                {t(locale, Key::Categories)}
                <select name="category" required>
                    {form.categories.iter().map(|(slug, name)| view! {
                        <option value=slug.clone() selected=*slug == category>{name.clone()}</option>
                    }).collect_view()}
                </select>
            </label>
            {field("Brand", "brand", form.brand.clone())}
            {field("Price (PLN, gross)", "price", form.price.clone())}
            {field("Individual price (PLN)", "individual_price", form.individual_price.clone())}
            {field("Corporate price (PLN)", "corporate_price", form.corporate_price.clone())}
            {select("VAT %", "vat_rate", form.vat_rate.clone(), &["23", "8", "5", "0"])}
            <fieldset class="stock-edit">
                <legend>{t(locale, Key::Stock)}</legend>
                <StockInput stock=form.stock label=form.sku.clone() />
            </fieldset>
            {field("Min. quantity (individual)", "min_qty_individual", form.min_qty_individual.clone())}
            {field("Min. quantity (corporate)", "min_qty_corporate", form.min_qty_corporate.clone())}
            {field("Units per box", "qty_per_box", form.qty_per_box.clone())}
            {field("Net quantity", "net_quantity", form.net_quantity.clone())}
            {select("Net unit", "net_unit", form.net_unit.clone(), &["", "g", "ml", "pcs"])}
            {field("Origin (ISO country)", "origin_country", form.origin_country.clone())}
            {select("Storage", "storage", form.storage.clone(), &["", "ambient", "chilled", "frozen"])}
            {field("Allergens (comma-separated)", "allergens", form.allergens.clone())}
            {field("Badges (comma-separated)", "badges", form.badges.clone())}
            <label class="check">
                <input type="checkbox" name="active" value="on" checked=form.active />
                {t(locale, Key::Published)}
            </label>
            {LOCALES
                .iter()
                .enumerate()
                .map(|(i, code)| view! {
                    <fieldset>
                        <legend>{code.to_uppercase()}</legend>
                        <label>
                            {format!("Name ({code})")}
                            <input name=format!("name_{code}") value=form.names[i].clone() />
                        </label>
                        <label>
                            {format!("Description ({code}, markdown)")}
                            <textarea name=format!("description_{code}") rows="4">{form.descriptions[i].clone()}</textarea>
                        </label>
                    </fieldset>
                })
                .collect_view()}
            <button type="submit" class="button">{t(locale, Key::Save)}</button>
        </ActionForm>
        {(!is_new).then(|| {
            let upload_action = format!("/admin/products/{sku}/images");

            view! {
                <section aria-labelledby="images-heading">
                    <h2 id="images-heading">"Images"</h2>
                    <ul class="image-list">
                        {image_items}
                    </ul>
                    <form method="post" action=upload_action enctype="multipart/form-data" class="stack">
                        <label>
                            {t(locale, Key::ChooseFile)}
                            <input type="file" name="image" accept="image/jpeg,image/png,image/webp" required />
                            <small class="muted">"JPEG, PNG, WebP ≤ 8 MB"</small>
                        </label>
                        <button type="submit">{t(locale, Key::UploadPhoto)}</button>
                    </form>
                </section>
                <ActionForm action=deactivate>
                    <input type="hidden" name="sku" value=sku.clone() />
                    <button type="submit" class="danger">"Deactivate"</button>
                </ActionForm>
            }
        })}
    }
}
