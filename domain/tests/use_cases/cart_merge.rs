//! `shopping::merge_guest`: what a guest put in the cart joins the account at sign-in.

use domain::shared::{CustomerType, Locale};
use domain::shopping::{Error, Owner, Unit};
use sqlx::PgPool;

use crate::support::{TestShop, ok};

#[sqlx::test(migrations = "../migrations")]
async fn a_guests_cart_joins_the_accounts_cart_and_the_guest_cart_is_gone(pool: PgPool) {
    // Arrange: the account has two butters; the guest then chose five butters and a bread.
    let shop = TestShop::new(pool);
    let butter = shop.product("BUTTER-1", 799, 500, 20).await;
    let bread = shop.product("BREAD-1", 1250, 2300, 5).await;
    let user = shop.customer("+48500100203").await;
    let account = Owner::User {
        id: user,
        customer_type: CustomerType::Individual,
    };
    ok(domain::shopping::add_item(&shop.svc, &account, butter, 2, Unit::Item, Locale::Pl).await);
    let (token, guest) = ok(domain::shopping::create_guest_cart(&shop.svc).await);
    for (product, quantity) in [(butter, 5), (bread, 1)] {
        ok(domain::shopping::add_item(
            &shop.svc,
            &guest,
            product,
            quantity,
            Unit::Item,
            Locale::Pl,
        )
        .await);
    }

    // Act
    let carried =
        ok(domain::shopping::merge_guest(&shop.svc, &token, user, CustomerType::Individual).await);

    // Assert: the guest's quantity wins (what the shopper last saw); the guest cart is gone.
    assert_eq!(carried, 2);
    let cart = ok(domain::shopping::get_cart(&shop.svc, &account, Locale::Pl).await);
    let lines: Vec<(&str, i32)> = cart
        .lines
        .iter()
        .map(|l| (l.sku.as_str(), l.quantity))
        .collect();
    assert_eq!(lines, [("BUTTER-1", 5), ("BREAD-1", 1)]);
    let gone = domain::shopping::get_cart(&shop.svc, &guest, Locale::Pl).await;
    assert!(matches!(gone, Err(Error::UnknownCart)), "{gone:?}");
    let again =
        ok(domain::shopping::merge_guest(&shop.svc, &token, user, CustomerType::Individual).await);
    assert_eq!(again, 0, "a second sign-in carries nothing twice");
}
