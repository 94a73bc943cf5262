//! Turning a cart into an order: one transaction that checks the buyer, prices the cart
//! with the one cart calculation, takes the stock and empties the cart.

use std::collections::BTreeMap;

use anyhow::Context;
use uuid::Uuid;

use super::gate::{self, Gate};
use super::model::AddressSnapshot;
use super::{Error, OrderStatus};
use crate::Services;
use crate::shared::{CustomerType, Locale, VatRate};
use crate::shopping::{CalcLine, calculate};
use crate::user::company::Lookup;
use crate::user::{Address, AddressInput, get_address, parse_nip, validate_address};

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
    pub user: Uuid,
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
}

/// The order a checkout placed (or had placed before, for a repeated idempotency key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    /// The order.
    pub order_id: Uuid,
    /// False when an earlier request with the same idempotency key placed it.
    pub created: bool,
}

/// Longest note.
const MAX_NOTES: usize = 2000;

struct Buyer {
    customer_type: CustomerType,
    contact_name: String,
    email: Option<String>,
    phone: Option<String>,
    company_id: Option<Uuid>,
    company_nip: Option<String>,
    company_name: Option<String>,
}

struct Line {
    product_id: Uuid,
    sku: String,
    name: String,
    quantity: i32,
    unit_price_minor: i64,
    vat_rate: VatRate,
}

/// Places an order for the buyer's cart.
#[tracing::instrument(skip_all, fields(user_id = %cmd.user), err(level = "info"))]
pub async fn place_order(svc: &Services, cmd: PlaceOrder) -> Result<Placed, Error> {
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
    let buyer = buyer(svc, cmd.user).await?;
    let shipping = resolve_address(svc, cmd.user, &cmd.shipping, "shipping_address").await?;
    let billing = match &cmd.billing {
        Some(choice) => Some(resolve_address(svc, cmd.user, choice, "billing_address").await?),
        None => None,
    };
    let (buyer_nip, buyer_company_name) = invoice_company(svc, &buyer, &cmd).await?;

    let mut tx = svc.db.begin().await.context("No database connection")?;
    // Bank transfer is for companies with payment terms: no online payment, a due date.
    let terms_days = if cmd.payment_method == "bank_transfer" {
        match super::terms::terms_for(&mut tx, cmd.user).await? {
            0 => {
                return Err(Error::invalid(
                    "payment_method",
                    "bank transfer on terms is not available for this account; pay online",
                ));
            }
            days => Some(days),
        }
    } else {
        None
    };
    let status = if terms_days.is_some() {
        OrderStatus::AwaitingTransfer
    } else {
        OrderStatus::PendingPayment
    };
    // The cart row lock makes one cart one order at a time (two tabs, two clicks).
    let cart = sqlx::query_scalar!(
        "select id from carts where user_id = $1 for update",
        cmd.user
    )
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to lock the cart")?
    .ok_or(Error::EmptyCart)?;
    if let Some(key) = &key
        && let Some(order_id) = order_for_key(&mut *tx, key, &fingerprint).await?
    {
        return Ok(Placed {
            order_id,
            created: false,
        });
    }
    let lines = cart_lines(svc, &mut tx, cart, buyer.customer_type, cmd.locale).await?;
    let totals = calculate(
        &lines
            .iter()
            .map(|l| CalcLine {
                unit_price_minor: l.unit_price_minor,
                quantity: l.quantity,
                vat_rate: l.vat_rate,
            })
            .collect::<Vec<_>>(),
        &svc.shipping,
    )
    .context("Order total overflows")?;
    if let Some(expected) = cmd.expected_total_minor
        && expected != totals.total_minor
    {
        return Err(Error::PriceChanged {
            total_minor: totals.total_minor,
        });
    }

    // Units per product, summed over lines, in product-id order (the lock order).
    let mut wanted: BTreeMap<Uuid, i32> = BTreeMap::new();
    for line in &lines {
        *wanted.entry(line.product_id).or_default() += line.quantity;
    }
    let wanted: Vec<(Uuid, i32)> = wanted.into_iter().collect();
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

    let order_id = Uuid::now_v7();
    let written = async {
        take_stock(&mut tx, &wanted).await?;
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
            order_id,
            cmd.user,
            buyer.customer_type.as_str(),
            buyer.contact_name,
            buyer.email,
            buyer.phone,
            snapshot(&shipping)?,
            billing.as_ref().map(snapshot).transpose()?,
            buyer.company_id,
            buyer_nip,
            buyer_company_name,
            cmd.locale.code(),
            totals.subtotal_minor,
            totals.shipping_minor,
            totals.total_minor,
            vat_total,
            breakdown,
            cmd.payment_method,
            reserved_secs,
            notes,
            key,
            status.as_str(),
            terms_days,
            fingerprint,
        )
        .execute(&mut *tx)
        .await
        .context("Failed to insert the order")?;
        for (position, (line, total)) in lines.iter().zip(&totals.line_totals_minor).enumerate() {
            sqlx::query!(
                r#"
                insert into order_items (
                    id, order_id, product_id, position, sku, name, quantity, unit_price_minor,
                    vat_rate_bp, line_total_minor, line_vat_minor
                ) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                "#,
                Uuid::now_v7(),
                order_id,
                line.product_id,
                i32::try_from(position).unwrap_or(i32::MAX),
                line.sku,
                line.name,
                line.quantity,
                line.unit_price_minor,
                line.vat_rate.basis_points(),
                total,
                line.vat_rate.vat_in_gross(*total),
            )
            .execute(&mut *tx)
            .await
            .context("Failed to insert an order line")?;
        }
        sqlx::query!(
            r#"
            insert into order_events (id, order_id, from_status, to_status, actor_user_id, actor)
            values ($1, $2, null, $3, $4, 'customer')
            "#,
            Uuid::now_v7(),
            order_id,
            status.as_str(),
            cmd.user
        )
        .execute(&mut *tx)
        .await
        .context("Failed to record the order event")?;
        // An order on terms is invoiced now, with its due date.
        if terms_days.is_some() {
            super::invoice::issue_invoice(svc, &mut tx, order_id).await?;
        }
        sqlx::query!("delete from cart_items where cart_id = $1", cart)
            .execute(&mut *tx)
            .await
            .context("Failed to empty the cart")?;
        for choice in [Some(&cmd.shipping), cmd.billing.as_ref()]
            .into_iter()
            .flatten()
        {
            if let AddressChoice::New {
                address,
                save: true,
            } = choice
            {
                crate::user::insert_address(&mut tx, cmd.user, (**address).clone()).await?;
            }
        }
        Ok::<_, Error>(())
    }
    .await;
    let committed = match written {
        Ok(()) => tx
            .commit()
            .await
            .context("Failed to commit the order")
            .map_err(Error::from),
        Err(e) => Err(e),
    };
    match committed {
        Ok(()) => {
            reservation.keep();
            Ok(Placed {
                order_id,
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

/// The stored form of a client's idempotency key: scoped to the buyer.
fn idempotency_key(user: Uuid, key: Option<&str>) -> Result<Option<String>, Error> {
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
) -> Result<Option<Uuid>, Error> {
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
        _ => Ok(Some(earlier.id)),
    }
}

async fn buyer(svc: &Services, user: Uuid) -> Result<Buyer, Error> {
    let row = sqlx::query!(
        r#"
        select u.customer_type, u.first_name, u.last_name, u.email, u.phone,
               u.profile_completed_at is not null as "complete!",
               u.company_id, c.nip as "company_nip?", c.name as "company_name?",
               u.company_approved_at is not null as "approved!",
               coalesce(c.vat_status = 'active', false) as "verified!"
          from users u left join companies c on c.id = u.company_id
         where u.id = $1 and u.deleted_at is null and u.blocked_at is null
        "#,
        user
    )
    .fetch_optional(&svc.db)
    .await
    .context("Failed to load the buyer")?
    .ok_or(Error::NotFound)?;
    let account = CustomerType::parse(&row.customer_type);
    if !row.complete || (account == CustomerType::Corporate && row.company_id.is_none()) {
        return Err(Error::ProfileIncomplete);
    }
    // Only an approved member buys in the company's name (its invoices, its terms).
    let member = row.company_id.is_some() && row.approved;
    let customer_type = crate::user::price_list_for(account, member, row.verified);
    let person = [row.first_name.as_deref(), row.last_name.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let contact_name = if person.is_empty() {
        row.company_name.clone().unwrap_or_default()
    } else {
        person
    };
    Ok(Buyer {
        customer_type,
        contact_name,
        email: row.email,
        phone: row.phone,
        company_id: row.company_id.filter(|_| member),
        company_nip: row.company_nip.filter(|_| member),
        company_name: row.company_name.filter(|_| member),
    })
}

async fn resolve_address(
    svc: &Services,
    user: Uuid,
    choice: &AddressChoice,
    field: &'static str,
) -> Result<AddressSnapshot, Error> {
    let address = match choice {
        AddressChoice::Saved(id) => match get_address(svc, user, *id).await {
            Ok(address) => to_input(address),
            Err(crate::identity::Error::NotFound) => {
                return Err(Error::invalid(
                    field,
                    "no such address in your address book",
                ));
            }
            Err(e) => return Err(e.into()),
        },
        AddressChoice::New { address, .. } => match validate_address((**address).clone()) {
            Ok(address) => address,
            Err(crate::identity::Error::Invalid {
                field: inner,
                message,
            }) => {
                return Err(Error::Invalid {
                    field,
                    message: format!("{inner}: {message}"),
                });
            }
            Err(e) => return Err(e.into()),
        },
    };
    Ok(AddressSnapshot {
        name: address.recipient_name,
        company_name: address.company_name,
        street: address.street,
        postal_code: address.postal_code,
        city: address.city,
        country_code: address.country_code.unwrap_or_else(|| "PL".into()),
        phone: address.phone,
    })
}

fn to_input(a: Address) -> AddressInput {
    AddressInput {
        kind: a.kind,
        label: a.label,
        recipient_name: a.recipient_name,
        company_name: a.company_name,
        nip: a.nip,
        phone: a.phone,
        street: a.street,
        city: a.city,
        postal_code: a.postal_code,
        country_code: Some(a.country_code),
        is_default: a.is_default,
    }
}

/// The NIP and company name on the invoice: a corporate buyer's own company, or the one an
/// individual typed (checksum, then the VAT register when it answers).
async fn invoice_company(
    svc: &Services,
    buyer: &Buyer,
    cmd: &PlaceOrder,
) -> Result<(Option<String>, Option<String>), Error> {
    if buyer.company_nip.is_some() {
        return Ok((buyer.company_nip.clone(), buyer.company_name.clone()));
    }
    let typed_name = cmd
        .company_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let Some(typed_nip) = cmd.nip.as_deref().map(str::trim).filter(|n| !n.is_empty()) else {
        if typed_name.is_some() {
            return Err(Error::invalid(
                "nip",
                "a company invoice needs the company's NIP",
            ));
        }
        return Ok((None, None));
    };
    let nip = parse_nip(typed_nip)
        .ok_or_else(|| Error::invalid("nip", format!("`{typed_nip}` is not a valid NIP")))?;
    if typed_name.as_ref().is_some_and(|n| n.chars().count() > 300) {
        return Err(Error::invalid(
            "company_name",
            "must be at most 300 characters",
        ));
    }
    match svc.registry.lookup(svc, &nip).await {
        Lookup::Found(record) => Ok((Some(nip), Some(typed_name.unwrap_or(record.name)))),
        Lookup::NotFound => Err(Error::invalid(
            "nip",
            format!("{nip} is not in the VAT register"),
        )),
        Lookup::Unavailable => match typed_name {
            Some(name) => Ok((Some(nip), Some(name))),
            None => Err(Error::invalid(
                "company_name",
                "give the company name (the VAT register cannot be asked now)",
            )),
        },
    }
}

async fn cart_lines(
    svc: &Services,
    tx: &mut sqlx::PgConnection,
    cart: Uuid,
    customer_type: CustomerType,
    locale: Locale,
) -> Result<Vec<Line>, Error> {
    let rows = sqlx::query!(
        r#"
        select p.id, p.sku, p.vat_rate_bp, p.is_active, i.quantity,
               product_name(p.id, $3::text, $4::text) as "name!",
               product_price_minor(p, $2::text) as "price_minor!",
               product_min_qty(p, $2::text) as "min_qty!"
          from cart_items i join products p on p.id = i.product_id
         where i.cart_id = $1
         order by i.added_at, p.id
        "#,
        cart,
        customer_type.as_str(),
        locale.code(),
        svc.default_locale.code(),
    )
    .fetch_all(&mut *tx)
    .await
    .context("Failed to load the cart")?;
    if rows.is_empty() {
        return Err(Error::EmptyCart);
    }
    let inactive: Vec<String> = rows
        .iter()
        .filter(|r| !r.is_active)
        .map(|r| r.sku.clone())
        .collect();
    if !inactive.is_empty() {
        return Err(Error::Unavailable(inactive));
    }
    let mut lines = Vec::with_capacity(rows.len());
    for r in rows {
        if r.quantity < r.min_qty {
            return Err(Error::BelowMinimum {
                sku: r.sku,
                minimum: r.min_qty,
            });
        }
        lines.push(Line {
            product_id: r.id,
            sku: r.sku,
            name: r.name,
            quantity: r.quantity,
            unit_price_minor: r.price_minor,
            vat_rate: VatRate::from_basis_points(r.vat_rate_bp)
                .context("Stored VAT rate is invalid")?,
        });
    }
    Ok(lines)
}

/// The source of truth: one conditional decrement per product, in product-id order.
async fn take_stock(tx: &mut sqlx::PgConnection, wanted: &[(Uuid, i32)]) -> Result<(), Error> {
    for (product, quantity) in wanted {
        let taken = sqlx::query_scalar!(
            "update products set stock = stock - $2 where id = $1 and stock >= $2 returning stock",
            product,
            quantity
        )
        .fetch_optional(&mut *tx)
        .await
        .context("Failed to take stock")?;
        if taken.is_none() {
            let available =
                sqlx::query_scalar!("select stock from products where id = $1", product)
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
