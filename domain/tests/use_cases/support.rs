//! One `TestShop`: the domain's handles for a test database, and the few facts the use
//! cases start from (a product, a signed-in customer, an address).

use std::time::Duration;

use domain::identity::{PhoneSignIn, Purpose, Requester, TokenConfig};
use domain::order::{AddressChoice, PlaceOrder};
use domain::shared::{CustomerType, Locale};
use domain::shared::{ProductId, UserId};
use domain::user::{AddressInput, AddressKind, CompleteProfile};
use domain::{Adapters, Redis, Services};
use sqlx::PgPool;
use uuid::Uuid;

/// The domain's handles for one test, with its own upload folder and Redis prefix.
pub struct TestShop {
    pub svc: Services,
    uploads: std::path::PathBuf,
}

impl Drop for TestShop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.uploads);
    }
}

/// Fails the test with the error's whole chain.
pub fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e:#}"))
}

impl TestShop {
    /// A shop on `db`: SMS codes kept in memory, NIPs checked by checksum, uploads in a
    /// temporary folder, the development payment gateway on.
    pub fn new(db: PgPool) -> TestShop {
        let uploads = std::env::temp_dir().join(format!("metropolitan-domain-{}", Uuid::now_v7()));
        let redis_url =
            std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
        let redis = ok(Redis::new(&redis_url, &format!("test:{}:", Uuid::now_v7())));
        let adapters = Adapters {
            sms: domain::identity::SmsGateway::Log(Default::default()),
            registry: domain::user::CompanyRegistry::ChecksumOnly,
            blobs: ok(domain::shared::blob::BlobStore::local(&uploads)),
            mail: domain::notify::Mailer::Log,
            push: domain::notify::PushGateway::Log,
        };
        let mut svc = Services::new(
            db,
            Some(redis),
            Locale::Pl,
            Duration::ZERO,
            TokenConfig::new(b"a test secret of at least thirty-two bytes"),
            adapters,
        );
        svc.dev_payments = true;
        TestShop { svc, uploads }
    }

    /// A product in a category of its own: `price_minor` gross, `vat_bp` VAT, `stock` units.
    pub async fn product(&self, sku: &str, price_minor: i64, vat_bp: i32, stock: i32) -> ProductId {
        let (category, product) = (Uuid::now_v7(), Uuid::now_v7());
        let slug = sku.to_lowercase();
        ok(
            sqlx::query("insert into categories (id, slug) values ($1, $2)")
                .bind(category)
                .bind(format!("category-{slug}"))
                .execute(&self.svc.db)
                .await,
        );
        ok(sqlx::query(
            r#"
            insert into products (id, slug, sku, category_id, base_price_minor, vat_rate_bp, stock)
            values ($1, $2, $3, $4, $5, $6, $7)
            "#,
        )
        .bind(product)
        .bind(&slug)
        .bind(sku)
        .bind(category)
        .bind(price_minor)
        .bind(vat_bp)
        .bind(stock)
        .execute(&self.svc.db)
        .await);
        ok(sqlx::query(
            "insert into product_translations (product_id, locale, name) values ($1, 'pl', $2)",
        )
        .bind(product)
        .bind(format!("Produkt {sku}"))
        .execute(&self.svc.db)
        .await);
        ProductId(product)
    }

    /// Units of a product on the shelf (Postgres, the source of truth).
    pub async fn stock(&self, product: ProductId) -> i32 {
        ok(
            sqlx::query_scalar("select stock from products where id = $1")
                .bind(product)
                .fetch_one(&self.svc.db)
                .await,
        )
    }

    /// Sends a sign-in code to `phone` and reads it back from the log gateway.
    pub async fn code_for(&self, phone: &str) -> String {
        let parsed = ok(domain::identity::Phone::parse(phone));
        ok(domain::identity::send_code(
            &self.svc,
            &parsed,
            Purpose::SignIn,
            Requester::default(),
            Locale::Pl,
        )
        .await);
        self.svc
            .sms
            .last_logged_code(&parsed)
            .unwrap_or_else(|| panic!("no code was sent to {phone}"))
    }

    /// Signs a new individual customer up by phone and completes their profile.
    pub async fn customer(&self, phone: &str) -> UserId {
        let code = self.code_for(phone).await;
        let signed = ok(domain::identity::sign_in_with_code(
            &self.svc,
            PhoneSignIn {
                phone: phone.into(),
                code,
                account_type: None,
                locale: Locale::Pl,
            },
            Requester::default(),
        )
        .await);
        let profile = CompleteProfile {
            customer_type: CustomerType::Individual,
            first_name: Some("Anna".into()),
            last_name: Some("Nowak".into()),
            email: None,
            nip: None,
            company_name: None,
            accept_terms: true,
            marketing: false,
        };
        ok(domain::user::complete_profile(&self.svc, signed.user.id, profile).await);
        signed.user.id
    }
}

/// A shipping address typed at checkout.
pub fn address() -> AddressInput {
    AddressInput {
        kind: AddressKind::Shipping,
        label: None,
        recipient_name: "Anna Nowak".into(),
        company_name: None,
        nip: None,
        phone: None,
        street: "ul. Prosta 1".into(),
        city: "Warszawa".into(),
        postal_code: "00-001".into(),
        country_code: Some("PL".into()),
        is_default: false,
    }
}

/// A card checkout to the typed address, with an idempotency key when given.
pub fn checkout(user: UserId, key: Option<&str>) -> PlaceOrder {
    PlaceOrder {
        user,
        shipping: AddressChoice::New {
            address: Box::new(address()),
            save: false,
        },
        billing: None,
        company_name: None,
        nip: None,
        expected_total_minor: None,
        payment_method: "card".into(),
        notes: None,
        idempotency_key: key.map(str::to_owned),
        locale: Locale::Pl,
        accept_terms: true,
    }
}
