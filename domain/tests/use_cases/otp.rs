//! Phone sign-in codes: a code signs in once; a wrong one counts down and changes nothing.

use domain::identity::{Error, PhoneSignIn, Requester, sign_in_with_code};
use domain::shared::Locale;
use sqlx::PgPool;

use crate::support::{TestShop, ok};

fn sign_in(phone: &str, code: &str) -> PhoneSignIn {
    PhoneSignIn {
        phone: phone.into(),
        code: code.into(),
        account_type: None,
        locale: Locale::Pl,
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_code_signs_in_once_and_a_wrong_one_counts_down(pool: PgPool) {
    // Arrange
    let shop = TestShop::new(pool);
    let phone = "+48500100202";
    let code = shop.code_for(phone).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };

    // Act
    let refused = sign_in_with_code(&shop.svc, sign_in(phone, wrong), Requester::default()).await;
    let signed =
        ok(sign_in_with_code(&shop.svc, sign_in(phone, &code), Requester::default()).await);
    let replayed = sign_in_with_code(&shop.svc, sign_in(phone, &code), Requester::default()).await;

    // Assert
    assert!(
        matches!(refused, Err(Error::WrongCode { .. })),
        "{refused:?}"
    );
    assert!(signed.created, "the first sign-in creates the account");
    assert!(!signed.profile_complete);
    assert!(
        matches!(replayed, Err(Error::CodeExpired | Error::WrongCode { .. })),
        "a used code never signs in again: {replayed:?}"
    );
    let accounts: i64 = ok(
        sqlx::query_scalar("select count(*) from users where phone = $1")
            .bind(phone)
            .fetch_one(&shop.svc.db)
            .await,
    );
    assert_eq!(accounts, 1);
}
