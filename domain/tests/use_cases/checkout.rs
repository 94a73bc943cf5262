//! `order::place_order`: a cart becomes an order in one transaction, or nothing changes.

use domain::order::{Error, Viewer};
use domain::shared::{CustomerType, Locale, Money, ProductId, UserId};
use domain::shopping::{Owner, Unit};
use sqlx::PgPool;

use crate::support::{TestShop, checkout, ok};

/// Butter (7.99, 5 % VAT, 20 in stock) and bread (12.50, 23 %, 5 in stock), three and two
/// of them in the customer's cart.
async fn filled_cart(shop: &TestShop) -> (UserId, ProductId, ProductId) {
    let butter = shop.product("BUTTER-1", 799, 500, 20).await;
    let bread = shop.product("BREAD-1", 1250, 2300, 5).await;
    let user = shop.customer("+48500100200").await;
    let owner = Owner::User {
        id: user,
        customer_type: CustomerType::Individual,
    };
    for (product, quantity) in [(butter, 3), (bread, 2)] {
        ok(domain::shopping::add_item(
            &shop.svc,
            &owner,
            product,
            quantity,
            Unit::Item,
            Locale::Pl,
        )
        .await);
    }
    (user, butter, bread)
}

#[sqlx::test(migrations = "../migrations")]
async fn a_cart_becomes_an_order_whose_lines_vat_and_total_add_up(pool: PgPool) {
    // Arrange
    let shop = TestShop::new(pool);
    let (user, butter, bread) = filled_cart(&shop).await;

    // Act
    let placed = ok(domain::order::place_order(&shop.svc, checkout(user, None)).await);

    // Assert: the lines as they were priced, totals that add up, stock taken, cart empty.
    assert!(placed.created);
    let order =
        ok(domain::order::get_order(&shop.svc, Viewer::Customer(user), placed.order_id).await);
    let lines: Vec<(&str, i32, i64)> = order
        .lines
        .iter()
        .map(|l| (l.sku.as_str(), l.quantity, l.line_total.minor))
        .collect();
    assert_eq!(lines, [("BUTTER-1", 3, 2397), ("BREAD-1", 2, 2500)]);
    assert_eq!(order.items_total.minor, 4897);
    assert_eq!(
        order.total.checked_add(Money::new(0, order.total.currency)),
        order.items_total.checked_add(order.shipping)
    );
    let gross: i64 = order.vat_breakdown.iter().map(|v| v.gross_minor).sum();
    let vat: i64 = order.vat_breakdown.iter().map(|v| v.vat_minor).sum();
    assert_eq!(gross, order.total.minor);
    assert_eq!(vat, order.vat_total.minor);
    assert_eq!((shop.stock(butter).await, shop.stock(bread).await), (17, 3));
    let owner = Owner::User {
        id: user,
        customer_type: CustomerType::Individual,
    };
    let cart = ok(domain::shopping::get_cart(&shop.svc, &owner, Locale::Pl).await);
    assert!(cart.lines.is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_product_taken_off_the_shop_refuses_the_checkout_and_nothing_changes(pool: PgPool) {
    // Arrange: bread is withdrawn after it was put in the cart.
    let shop = TestShop::new(pool);
    let (user, butter, bread) = filled_cart(&shop).await;
    ok(
        sqlx::query("update products set is_active = false where id = $1")
            .bind(bread)
            .execute(&shop.svc.db)
            .await,
    );

    // Act
    let refused = domain::order::place_order(&shop.svc, checkout(user, None)).await;

    // Assert
    assert!(
        matches!(&refused, Err(Error::Unavailable(skus)) if skus == &["BREAD-1"]),
        "{refused:?}"
    );
    assert_eq!((shop.stock(butter).await, shop.stock(bread).await), (20, 5));
    let orders: i64 = ok(sqlx::query_scalar("select count(*) from orders")
        .fetch_one(&shop.svc.db)
        .await);
    assert_eq!(orders, 0);
    let owner = Owner::User {
        id: user,
        customer_type: CustomerType::Individual,
    };
    let cart = ok(domain::shopping::get_cart(&shop.svc, &owner, Locale::Pl).await);
    assert_eq!(cart.lines.len(), 2, "the cart is kept");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_checkout_sent_twice_with_one_key_places_one_order(pool: PgPool) {
    // Arrange
    let shop = TestShop::new(pool);
    let (user, butter, _) = filled_cart(&shop).await;

    // Act: the same request twice, then the same key with another request.
    let first =
        ok(domain::order::place_order(&shop.svc, checkout(user, Some("retry-key-1"))).await);
    let again =
        ok(domain::order::place_order(&shop.svc, checkout(user, Some("retry-key-1"))).await);
    let mut other = checkout(user, Some("retry-key-1"));
    other.notes = Some("leave it at the door".into());
    let reused = domain::order::place_order(&shop.svc, other).await;

    // Assert
    assert!(first.created);
    assert_eq!(again.order_id, first.order_id);
    assert!(!again.created);
    assert!(
        matches!(reused, Err(Error::IdempotencyKeyReused)),
        "{reused:?}"
    );
    assert_eq!(shop.stock(butter).await, 17, "taken once");
}
