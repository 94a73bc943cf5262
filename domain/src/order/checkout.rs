//! Turning a cart into an order: one transaction that checks the buyer, prices the cart
//! with the one cart pricing (shopping's), takes the stock and empties the cart.
//!
//! `place_order` reads as its steps: the request and the buyer are checked outside the
//! transaction; inside it the cart is locked and priced, the stock reserved (Redis) and
//! taken (Postgres), the order written with all its lines at once, and the cart emptied.

use std::collections::BTreeMap;

use anyhow::Context;
use uuid::Uuid;

use super::buyer::{Buyer, buyer, invoice_company, resolve_address};
use super::gate::{self, Gate};
use super::model::AddressSnapshot;
use super::{Error, OrderStatus};
use crate::Services;
use crate::shared::{Locale, OrderId, ProductId, UserId, VatRate};
use crate::shopping::{CalcLine, CartLine, LockedCart, Totals, calculate, lock_priced_cart};
use crate::user::AddressInput;

/// An address from the address book or typed at checkout.
#[derive(Debug, Clone)]
pub enum AddressChoice {
    /// One of the buyer's saved addresses.
    Saved(Uuid),
    /// A new address; saved to the address book when `save` is set.
    New {
        /// The address.
        address: Box<AddressInput>,
        /// Keep it in the address book.
        save: bool,
    },
}

/// A checkout.
#[derive(Debug, Clone)]
pub struct PlaceOrder {
    /// The buyer.
    pub user: UserId,
    /// Where it goes.
    pub shipping: AddressChoice,
    /// Who is invoiced; `None`: the shipping address.
    pub billing: Option<AddressChoice>,
    /// Company name for a company invoice (individual buyers; corporate ones use theirs).
    pub company_name: Option<String>,
    /// NIP for a company invoice.
    pub nip: Option<String>,
    /// The total the buyer saw and confirmed, in minor units.
    pub expected_total_minor: Option<i64>,
    /// `card` or `blik`.
    pub payment_method: String,
    /// A note for the shop.
    pub notes: Option<String>,
    /// Makes a retried checkout return the first order instead of placing another.
    pub idempotency_key: Option<String>,
    /// Language of the product names copied into the order.
    pub locale: Locale,
    /// The terms and the privacy policy accepted for this order (required).
    pub accept_terms: bool,
}

/// The order a checkout placed (or had placed before, for a repeated idempotency key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    /// The order.
    pub order_id: OrderId,
    /// False when an earlier request with the same idempotency key placed it.
    pub created: bool,
}

/// Longest note.
const MAX_NOTES: usize = 2000;

/// A cart line as it becomes an order line.
struct Line {
    product_id: ProductId,
    sku: String,
    name: String,
    quantity: i32,
    unit_price_minor: i64,
    vat_rate: VatRate,
}

/// Everything an order row is written from, once checked and priced.
struct Draft<'a> {
    id: OrderId,
    cmd: &'a PlaceOrder,
    buyer: Buyer,
    status: OrderStatus,
    shipping: AddressSnapshot,
    billing: Option<AddressSnapshot>,
    buyer_nip: Option<String>,
    buyer_company_name: Option<String>,
    notes: Option<String>,
    key: Option<String>,
    fingerprint: String,
    terms_days: Option<i32>,
    lines: Vec<Line>,
    totals: Totals,
}

/// Places an order for the buyer's cart.
#[tracing::instrument(skip_all, fields(user_id = %cmd.user), err(level = "info"))]
pub async fn place_order(svc: &Services, cmd: PlaceOrder) -> Result<Placed, Error> {
    crate::user::consent::require_terms(cmd.accept_terms)?;
    let key = idempotency_key(cmd.user, cmd.idempotency_key.as_deref())?;
    let fingerprint = fingerprint(&cmd);
    if let Some(key) = &key
        && let Some(order_id) = order_for_key(&svc.db, key, &fingerprint).await?
    {
        return Ok(Placed {
            order_id,
            created: false,
        });
    }
    let notes = checked_request(&cmd)?;
    let buyer = buyer(svc, cmd.user).await?;
    let shipping = resolve_address(svc, cmd.user, &cmd.shipping, "shipping_address").await?;
    let billing = match &cmd.billing {
        Some(choice) => Some(resolve_address(svc, cmd.user, choice, "billing_address").await?),
        None => None,
    };
    let (buyer_nip, buyer_company_name) = invoice_company(svc, &buyer, &cmd).await?;

    let mut tx = svc.db.begin().await.context("No database connection")?;
    let terms_days = terms_days(&mut tx, &cmd).await?;
    let cart = lock_priced_cart(svc, &mut tx, cmd.user, buyer.customer_type, cmd.locale)
        .await?
        .ok_or(Error::EmptyCart)?;
    // A retry that waited for the first request's cart lock finds its order now.
    if let Some(key) = &key
        && let Some(order_id) = order_for_key(&mut *tx, key, &fingerprint).await?
    {
        return Ok(Placed {
            order_id,
            created: false,
        });
    }
    let lines = order_lines(&cart.lines)?;
    let totals = priced(svc, &lines, cmd.expected_total_minor)?;
    let wanted = units_per_product(&lines);
    let gate = gate::reserve(svc, &mut tx, &wanted).await;
    if let Gate::Short {
        product_id,
        available,
    } = gate
    {
        return Err(Error::OutOfStock {
            product_id,
            available,
        });
    }
    let reservation = gate::Reservation::of(svc, gate, &wanted);

    let draft = Draft {
        id: OrderId(Uuid::now_v7()),
        cmd: &cmd,
        buyer,
        status: if terms_days.is_some() {
            OrderStatus::AwaitingTransfer
        } else {
            OrderStatus::PendingPayment
        },
        shipping,
        billing,
        buyer_nip,
        buyer_company_name,
        notes,
        key,
        fingerprint,
        terms_days,
        lines,
        totals,
    };
    let written = match write_order(svc, &mut tx, &draft, &wanted, cart).await {
        Ok(()) => tx
            .commit()
            .await
            .context("Failed to commit the order")
            .map_err(Error::from),
        Err(e) => Err(e),
    };
    match written {
        Ok(()) => {
            reservation.keep();
            Ok(Placed {
                order_id: draft.id,
                created: true,
            })
        }
        Err(e) => {
            reservation.release().await;
            if let Error::OutOfStock { product_id, .. } = &e {
                // Redis let it through, so its counter is high: rebuild it from Postgres.
                gate::forget(svc, &[*product_id]).await;
            }
            Err(e)
        }
    }
}

/// Checks what the request itself says (payment method, note); returns the trimmed note.
fn checked_request(cmd: &PlaceOrder) -> Result<Option<String>, Error> {
    if !matches!(
        cmd.payment_method.as_str(),
        "card" | "blik" | "bank_transfer"
    ) {
        return Err(Error::invalid(
            "payment_method",
            "must be card, blik or bank_transfer",
        ));
    }
    let notes = cmd
        .notes
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    if notes
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTES)
    {
        return Err(Error::invalid(
            "notes",
            format!("must be at most {MAX_NOTES} characters"),
        ));
    }
    Ok(notes)
}

/// Bank transfer is for companies with payment terms: no online payment, a due date in
/// this many days. `None` for online payment.
async fn terms_days(tx: &mut sqlx::PgConnection, cmd: &PlaceOrder) -> Result<Option<i32>, Error> {
    if cmd.payment_method != "bank_transfer" {
        return Ok(None);
    }
    match super::terms::terms_for(tx, cmd.user).await? {
        0 => Err(Error::invalid(
            "payment_method",
            "bank transfer on terms is not available for this account; pay online",
        )),
        days => Ok(Some(days)),
    }
}

/// The cart's lines as order lines: none taken off the shop, each at least its minimum.
/// Sold-out lines stay in: the stock gate names them with what is left.
fn order_lines(cart: &[CartLine]) -> Result<Vec<Line>, Error> {
    if cart.is_empty() {
        return Err(Error::EmptyCart);
    }
    let withdrawn: Vec<String> = cart
        .iter()
        .filter(|l| !l.active)
        .map(|l| l.sku.clone())
        .collect();
    if !withdrawn.is_empty() {
        return Err(Error::Unavailable(withdrawn));
    }
    cart.iter()
        .map(|l| {
            if l.quantity < l.min_qty {
                return Err(Error::BelowMinimum {
                    sku: l.sku.clone(),
                    minimum: l.min_qty,
                });
            }
            Ok(Line {
                product_id: l.product_id,
                sku: l.sku.clone(),
                name: l.name.clone(),
                quantity: l.quantity,
                unit_price_minor: l.unit_price.minor,
                vat_rate: l.vat_rate,
            })
        })
        .collect()
}

/// The totals of the lines with shipping; the total the buyer confirmed must be this one.
fn priced(svc: &Services, lines: &[Line], expected: Option<i64>) -> Result<Totals, Error> {
    let calc: Vec<CalcLine> = lines
        .iter()
        .map(|l| CalcLine {
            unit_price_minor: l.unit_price_minor,
            quantity: l.quantity,
            vat_rate: l.vat_rate,
        })
        .collect();
    let totals = calculate(&calc, &svc.shipping).context("Order total overflows")?;
    match expected {
        Some(expected) if expected != totals.total_minor => Err(Error::PriceChanged {
            total_minor: totals.total_minor,
        }),
        _ => Ok(totals),
    }
}

/// Units per product, summed over lines, in product-id order (the lock order).
fn units_per_product(lines: &[Line]) -> Vec<(ProductId, i32)> {
    let mut wanted: BTreeMap<ProductId, i32> = BTreeMap::new();
    for line in lines {
        *wanted.entry(line.product_id).or_default() += line.quantity;
    }
    wanted.into_iter().collect()
}

/// Everything the order changes, in its transaction: stock, the order with its lines and
/// first event, the invoice of an order on terms, the cart, new addresses to keep.
async fn write_order(
    svc: &Services,
    tx: &mut sqlx::PgConnection,
    draft: &Draft<'_>,
    wanted: &[(ProductId, i32)],
    cart: LockedCart,
) -> Result<(), Error> {
    take_stock(tx, wanted).await?;
    insert_order(svc, tx, draft).await?;
    insert_lines(tx, draft).await?;
    crate::user::consent::accept_terms(
        tx,
        draft.cmd.user,
        crate::user::consent::Source::Order,
        Some(draft.id),
    )
    .await?;
    sqlx::query!(
        r#"
        insert into order_events (id, order_id, from_status, to_status, actor_user_id, actor)
        values ($1, $2, null, $3, $4, 'customer')
        "#,
        Uuid::now_v7(),
        draft.id as _,
        draft.status.as_str(),
        draft.cmd.user as _
    )
    .execute(&mut *tx)
    .await
    .context("Failed to record the order event")?;
    crate::notify::placed(tx, draft.id).await?;
    // An order on terms is invoiced now, with its due date.
    if draft.terms_days.is_some() {
        super::invoice::issue_invoice(svc, tx, draft.id).await?;
    }
    cart.empty(tx).await?;
    for choice in [Some(&draft.cmd.shipping), draft.cmd.billing.as_ref()]
        .into_iter()
        .flatten()
    {
        if let AddressChoice::New {
            address,
            save: true,
        } = choice
        {
            crate::user::insert_address(tx, draft.cmd.user, (**address).clone()).await?;
        }
    }
    Ok(())
}

async fn insert_order(
    svc: &Services,
    tx: &mut sqlx::PgConnection,
    draft: &Draft<'_>,
) -> Result<(), Error> {
    let (cmd, buyer, totals) = (draft.cmd, &draft.buyer, &draft.totals);
    let snapshot = |a: &AddressSnapshot| serde_json::to_value(a).context("address to JSON");
    let vat_total: i64 = totals.vat.iter().map(|v| v.vat_minor).sum();
    let breakdown = serde_json::Value::Array(
        totals
            .vat
            .iter()
            .map(|v| {
                serde_json::json!({
                    "rate_bp": v.rate.basis_points(),
                    "net_minor": v.net_minor,
                    "vat_minor": v.vat_minor,
                    "gross_minor": v.gross_minor,
                })
            })
            .collect(),
    );
    let reserved_secs = i64::try_from(svc.orders.reservation.as_secs()).unwrap_or(1800);
    sqlx::query!(
        r#"
        insert into orders (
            id, user_id, status, customer_type, contact_name, contact_email, contact_phone,
            shipping_address, billing_address, company_id, buyer_nip, buyer_company_name,
            locale, currency, items_total_minor, shipping_minor, total_minor,
            vat_total_minor, vat_breakdown, payment_method, reserved_until, notes,
            idempotency_key, payment_terms_days, payment_due_at, idempotency_fingerprint
        ) values (
            $1, $2, $22, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'PLN',
            $13, $14, $15, $16, $17, $18,
            case when $23::int is null then now() + make_interval(secs => $19::bigint) end,
            $20, $21, coalesce($23::int, 0),
            case when $23::int is not null then now() + make_interval(days => $23::int) end,
            case when $21::text is not null then $24 end
        )
        "#,
        draft.id as _,
        cmd.user as _,
        buyer.customer_type.as_str(),
        buyer.contact_name,
        buyer.email,
        buyer.phone,
        snapshot(&draft.shipping)?,
        draft.billing.as_ref().map(snapshot).transpose()?,
        buyer.company_id,
        draft.buyer_nip,
        draft.buyer_company_name,
        cmd.locale.code(),
        totals.subtotal_minor,
        totals.shipping_minor,
        totals.total_minor,
        vat_total,
        breakdown,
        cmd.payment_method,
        reserved_secs,
        draft.notes,
        draft.key,
        draft.status.as_str(),
        draft.terms_days,
        draft.fingerprint,
    )
    .execute(&mut *tx)
    .await
    .context("Failed to insert the order")?;
    Ok(())
}

/// All the order's lines in one statement, in cart order.
async fn insert_lines(tx: &mut sqlx::PgConnection, draft: &Draft<'_>) -> Result<(), Error> {
    let lines = &draft.lines;
    let ids: Vec<Uuid> = lines.iter().map(|_| Uuid::now_v7()).collect();
    let positions: Vec<i32> = (0..).take(lines.len()).collect();
    let line_vat: Vec<i64> = lines
        .iter()
        .zip(&draft.totals.line_totals_minor)
        .map(|(line, total)| line.vat_rate.vat_in_gross(*total))
        .collect();
    sqlx::query!(
        r#"
        insert into order_items (
            id, order_id, product_id, position, sku, name, quantity, unit_price_minor,
            vat_rate_bp, line_total_minor, line_vat_minor
        )
        select l.id, $2, l.product_id, l.position, l.sku, l.name, l.quantity,
               l.unit_price_minor, l.vat_rate_bp, l.line_total_minor, l.line_vat_minor
          from unnest($1::uuid[], $3::uuid[], $4::int[], $5::text[], $6::text[], $7::int[],
                      $8::bigint[], $9::int[], $10::bigint[], $11::bigint[])
            as l(id, product_id, position, sku, name, quantity, unit_price_minor,
                 vat_rate_bp, line_total_minor, line_vat_minor)
        "#,
        &ids,
        draft.id as _,
        &lines.iter().map(|l| l.product_id).collect::<Vec<_>>() as _,
        &positions,
        &lines.iter().map(|l| l.sku.clone()).collect::<Vec<_>>(),
        &lines.iter().map(|l| l.name.clone()).collect::<Vec<_>>(),
        &lines.iter().map(|l| l.quantity).collect::<Vec<_>>(),
        &lines.iter().map(|l| l.unit_price_minor).collect::<Vec<_>>(),
        &lines
            .iter()
            .map(|l| l.vat_rate.basis_points())
            .collect::<Vec<_>>(),
        &draft.totals.line_totals_minor,
        &line_vat,
    )
    .execute(&mut *tx)
    .await
    .context("Failed to insert the order lines")?;
    Ok(())
}

/// The stored form of a client's idempotency key: scoped to the buyer.
fn idempotency_key(user: UserId, key: Option<&str>) -> Result<Option<String>, Error> {
    let Some(key) = key.map(str::trim).filter(|k| !k.is_empty()) else {
        return Ok(None);
    };
    let valid = (8..=100).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic());
    if !valid {
        return Err(Error::invalid(
            "idempotency_key",
            "must be 8 to 100 visible ASCII characters",
        ));
    }
    Ok(Some(format!("{user}:{key}")))
}

/// What a checkout asked for, without its key: a key sent again with another request is
/// refused rather than answered with the first order. (The `Debug` form of the command is
/// stable within a release; a retry across a deploy with a changed form would be refused
/// and can be sent again with a new key.)
fn fingerprint(cmd: &PlaceOrder) -> String {
    use sha2::Digest;
    let asked = format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{}|{:?}",
        cmd.shipping,
        cmd.billing,
        cmd.company_name,
        cmd.nip,
        cmd.expected_total_minor,
        cmd.payment_method,
        cmd.notes
    );
    format!("{:x}", sha2::Sha256::digest(asked.as_bytes()))
}

/// The order an earlier request with this key placed, if any; the same key with another
/// request is an error.
async fn order_for_key<'e>(
    db: impl sqlx::PgExecutor<'e>,
    key: &str,
    fingerprint: &str,
) -> Result<Option<OrderId>, Error> {
    let Some(earlier) = sqlx::query!(
        "select id, idempotency_fingerprint from orders where idempotency_key = $1",
        key
    )
    .fetch_optional(db)
    .await
    .context("Failed to look the idempotency key up")?
    else {
        return Ok(None);
    };
    match earlier.idempotency_fingerprint {
        Some(first) if first != fingerprint => Err(Error::IdempotencyKeyReused),
        _ => Ok(Some(earlier.id.into())),
    }
}

/// The source of truth: one conditional decrement per product, in product-id order.
async fn take_stock(tx: &mut sqlx::PgConnection, wanted: &[(ProductId, i32)]) -> Result<(), Error> {
    for (product, quantity) in wanted {
        let taken = sqlx::query_scalar!(
            "update products set stock = stock - $2 where id = $1 and stock >= $2 returning stock",
            product as _,
            quantity
        )
        .fetch_optional(&mut *tx)
        .await
        .context("Failed to take stock")?;
        if taken.is_none() {
            let available =
                sqlx::query_scalar!("select stock from products where id = $1", product as _)
                    .fetch_optional(&mut *tx)
                    .await
                    .context("Failed to read stock")?
                    .unwrap_or(0);
            return Err(Error::OutOfStock {
                product_id: *product,
                available,
            });
        }
    }
    Ok(())
}
