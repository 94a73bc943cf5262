//! Notifications: order e-mails through a real SMTP server (scripts/smtp-sink.py, aiosmtpd),
//! SMS through the Twilio protocol to a local fake, the in-app inbox and settings over HTTP,
//! retries while the mail server is down, nothing sent twice.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{Fake, TestApp, json, spawn_app_with};
use crate::orders::{place_cart_order, prices};

/// The SMTP server the shop sends to: aiosmtpd, keeping each message as JSON.
struct SmtpSink {
    port: u16,
    dir: PathBuf,
    child: Child,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

impl SmtpSink {
    async fn start(port: u16) -> SmtpSink {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let python = root.join(".tools/venv/bin/python");
        assert!(
            python.exists(),
            "{} is missing: run scripts/deps.sh --test",
            python.display()
        );
        let dir = std::env::temp_dir().join(format!("metropolitan-mail-{}", Uuid::now_v7()));
        let child = Command::new(python)
            .arg(root.join("scripts/smtp-sink.py"))
            .args(["--port", &port.to_string(), "--dir"])
            .arg(&dir)
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("smtp-sink: {e}"));
        // Owned by the sink from here on: dropping it (a panic too) stops the server.
        let sink = SmtpSink { port, dir, child };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return sink;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("smtp-sink did not start on port {port}");
    }

    fn url(port: u16) -> String {
        format!("smtp://127.0.0.1:{port}")
    }

    /// Every message received, oldest first.
    fn messages(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "json"));
        files.sort();
        files
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{e}"));
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
            })
            .collect()
    }

    fn to(&self, address: &str) -> Vec<Value> {
        self.messages()
            .into_iter()
            .filter(|m| {
                m["rcpt_tos"]
                    .as_array()
                    .is_some_and(|r| r.contains(&json!(address)))
            })
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = self.port;
    }
}

const ANNA: &str = "anna@example.com";

/// A customer with a confirmed e-mail address; returns the token.
async fn customer_with_email(app: &TestApp, phone: &str, email: &str) -> String {
    let token = app.customer_token(phone).await;
    // Two statements: changing the address makes it unconfirmed (a trigger).
    for sql in [
        "update users set email = $2 where phone = $1",
        "update users set email_verified_at = now() where phone = $1 and email = $2",
    ] {
        sqlx::query(sql)
            .bind(phone)
            .bind(email)
            .execute(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    token
}

async fn pay(app: &TestApp, order: Uuid) {
    let svc = app.services();
    let user: Uuid = sqlx::query_scalar("select user_id from orders where id = $1")
        .bind(order)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    domain::payment::start_dev_payment(&svc, user.into(), order.into())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let paid = domain::payment::dev_outcome(&svc, user.into(), order.into(), true).await;
    assert!(
        matches!(paid, Ok(domain::payment::Outcome::Applied)),
        "{paid:?}"
    );
}

async fn deliver(app: &TestApp) -> u64 {
    domain::notify::deliver_due(&app.services())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"))
}

async fn mail_app(pool: PgPool, port: u16, extra: &[(&str, &str)]) -> TestApp {
    let url = SmtpSink::url(port);
    let mut settings = vec![
        ("SMTP_URL", url.as_str()),
        ("MAIL_FROM", "Metropolitan <sklep@example.com>"),
    ];
    settings.extend_from_slice(extra);
    let app = spawn_app_with(pool, &settings).await;
    app.seed_catalog().await;
    app
}

#[sqlx::test(migrations = "../migrations")]
async fn a_placed_and_paid_order_is_confirmed_by_email_and_in_the_inbox(pool: PgPool) {
    // Arrange: a mail server, a shop, an admin and a customer with a confirmed address.
    let port = free_port();
    let sink = SmtpSink::start(port).await;
    let app = mail_app(pool, port, &[]).await;
    let (butter, _) = prices(&app).await;
    crate::auth::create_admin(&app).await;
    let admin = crate::auth::admin_token(&app).await;
    let token = customer_with_email(&app, "+48500100200", ANNA).await;

    // Act: place and pay, then run the worker.
    let (order, total) = place_cart_order(&app, &token, butter, 2).await;
    pay(&app, order).await;
    let sent = deliver(&app).await;

    // Assert: the confirmation and the paid notice reach the customer, the new order the admin.
    let to_anna = sink.to(ANNA);
    assert_eq!(to_anna.len(), 2, "{to_anna:#?}");
    let number: i64 = sqlx::query_scalar("select number from orders where id = $1")
        .bind(order)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let subject =
        |m: &Value, words: &str| m["subject"].as_str().unwrap_or_default().contains(words);
    let placed = to_anna
        .iter()
        .find(|m| subject(m, "przyjęte"))
        .unwrap_or_else(|| panic!("no confirmation: {to_anna:#?}"));
    assert!(
        placed["subject"]
            .as_str()
            .unwrap_or_default()
            .contains(&number.to_string())
    );
    assert_eq!(placed["from"], "Metropolitan <sklep@example.com>");
    let text = placed["text"].as_str().unwrap_or_default();
    let total_text = domain::shared::money::format_money(domain::shared::Locale::Pl, total, "PLN");
    assert!(text.contains(&total_text), "total {total_text} in {text}");
    assert!(
        text.contains("Razem") && text.contains("w tym VAT"),
        "{text}"
    );
    assert!(
        text.contains("ul. Krótka 2"),
        "the delivery address: {text}"
    );
    assert!(text.contains("/terms"), "the terms in force: {text}");
    let html = placed["html"].as_str().unwrap_or_default();
    assert!(
        html.contains("<table>") && html.contains(&total_text),
        "{html}"
    );
    let paid = to_anna
        .iter()
        .find(|m| subject(m, "opłacone"))
        .unwrap_or_else(|| panic!("no paid notice: {to_anna:#?}"));
    let invoice = paid["attachments"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["content_type"] == "application/pdf"))
        .unwrap_or_else(|| panic!("no invoice attached: {paid}"));
    assert!(
        invoice["head"]
            .as_str()
            .unwrap_or_default()
            .starts_with("%PDF")
    );
    assert!(invoice["size"].as_u64().unwrap_or_default() > 1000);
    assert!(
        paid["message_id"]
            .as_str()
            .unwrap_or_default()
            .ends_with("@metropolitan>")
    );
    let to_admin = sink.to(crate::auth::ADMIN_EMAIL);
    assert_eq!(to_admin.len(), 1, "{to_admin:#?}");
    assert!(
        to_admin[0]["text"]
            .as_str()
            .unwrap_or_default()
            .contains(&number.to_string())
    );
    assert_eq!(sent, 3);

    // The inbox shows both, unread first, and the count drops when read.
    let inbox = json(
        app.call(Method::GET, "/api/v1/me/notifications", &token, None)
            .await,
    )
    .await;
    assert_eq!(inbox["unread"], 2, "{inbox}");
    let kinds: Vec<&str> = inbox["items"]
        .as_array()
        .map(|i| i.iter().filter_map(|n| n["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(kinds, vec!["order_paid", "order_placed"]);
    assert_eq!(inbox["items"][0]["link"], format!("/orders/{order}"));
    let first = inbox["items"][1]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let read = app
        .call(
            Method::POST,
            &format!("/api/v1/me/notifications/{first}/read"),
            &token,
            None,
        )
        .await;
    assert_eq!(read.status().as_u16(), 204);
    let count = json(
        app.call(
            Method::GET,
            "/api/v1/me/notifications/unread-count",
            &token,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(count["unread"], 1);
    let all = app
        .call(
            Method::POST,
            "/api/v1/me/notifications/read-all",
            &token,
            None,
        )
        .await;
    assert_eq!(all.status().as_u16(), 200);
    let count = json(
        app.call(
            Method::GET,
            "/api/v1/me/notifications/unread-count",
            &token,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(count["unread"], 0);

    // Running the worker again sends nothing twice.
    assert_eq!(deliver(&app).await, 0);
    assert_eq!(sink.messages().len(), 3);

    // The admin sees what was sent about the order, and can send one again.
    let listed = json(
        app.call(
            Method::GET,
            &format!("/api/v1/admin/orders/{order}/notifications"),
            &admin,
            None,
        )
        .await,
    )
    .await;
    let emails: Vec<&Value> = listed
        .as_array()
        .map(|l| l.iter().filter(|n| n["channel"] == "email").collect())
        .unwrap_or_default();
    assert_eq!(emails.len(), 3, "{listed}");
    assert!(
        emails
            .iter()
            .all(|n| n["status"] == "sent" && n["attempts"] == 1)
    );
    let again = emails[0]["id"].as_str().unwrap_or_default();
    let resent = app
        .call(
            Method::POST,
            &format!("/api/v1/admin/notifications/{again}/resend"),
            &admin,
            None,
        )
        .await;
    assert_eq!(resent.status().as_u16(), 202);
    assert_eq!(deliver(&app).await, 1);
    assert_eq!(sink.messages().len(), 4);
    let customer_resend = app
        .call(
            Method::POST,
            &format!("/api/v1/admin/notifications/{again}/resend"),
            &token,
            None,
        )
        .await;
    assert_eq!(customer_resend.status().as_u16(), 403);

    // The customer cancels the paid order: refunded, and the refund notice carries the
    // correcting invoice.
    let cancel = app
        .call(
            Method::POST,
            &format!("/api/v1/orders/{order}/cancel"),
            &token,
            None,
        )
        .await;
    assert_eq!(cancel.status().as_u16(), 202);
    let corrected: i64 =
        sqlx::query_scalar("select count(*) from invoice_corrections where order_id = $1")
            .bind(order)
            .fetch_one(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(corrected, 1, "the refund corrects the invoice");
    deliver(&app).await;
    let refunded = sink
        .messages()
        .into_iter()
        .find(|m| {
            m["attachments"].as_array().is_some_and(|a| {
                a.iter().any(|f| {
                    f["filename"]
                        .as_str()
                        .is_some_and(|n| n.starts_with("KOR-"))
                })
            })
        })
        .unwrap_or_else(|| {
            panic!(
                "no refund e-mail with the correction: {:?}",
                sink.messages()
            )
        });
    let file = refunded["attachments"]
        .as_array()
        .and_then(|a| {
            a.iter().find(|f| {
                f["filename"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("KOR-"))
            })
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(file["content_type"], "application/pdf");
    assert!(
        file["head"].as_str().is_some_and(|h| h.starts_with("%PDF")),
        "{file}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn notices_wait_while_the_mail_server_is_down_and_go_once_when_it_is_back(pool: PgPool) {
    // Arrange: nothing listens on the mail port yet; retries are due at once.
    let port = free_port();
    let app = mail_app(pool, port, &[("NOTIFY_RETRY_SECS", "0")]).await;
    let (butter, _) = prices(&app).await;
    let token = customer_with_email(&app, "+48500100201", ANNA).await;
    let (order, _) = place_cart_order(&app, &token, butter, 1).await;

    // Act: two runs while the server is down.
    assert_eq!(deliver(&app).await, 0);
    assert_eq!(deliver(&app).await, 0);
    let (attempts, status, error): (i32, String, Option<String>) = sqlx::query_as(
        "select attempts, status, last_error from notifications where order_id = $1 and channel = 'email'",
    )
    .bind(order)
    .fetch_one(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((attempts, status.as_str()), (2, "queued"));
    assert!(error.is_some_and(|e| !e.is_empty()));

    // The server comes back: the notice goes, once.
    let sink = SmtpSink::start(port).await;
    assert_eq!(deliver(&app).await, 1);
    assert_eq!(deliver(&app).await, 0);
    assert_eq!(sink.to(ANNA).len(), 1);
    let status: String = sqlx::query_scalar(
        "select status from notifications where order_id = $1 and channel = 'email'",
    )
    .bind(order)
    .fetch_one(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status, "sent");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_notice_is_given_up_after_the_configured_tries(pool: PgPool) {
    let port = free_port();
    let app = mail_app(
        pool,
        port,
        &[("NOTIFY_RETRY_SECS", "0"), ("NOTIFY_MAX_ATTEMPTS", "2")],
    )
    .await;
    let (butter, _) = prices(&app).await;
    let token = customer_with_email(&app, "+48500100202", ANNA).await;
    let (order, _) = place_cart_order(&app, &token, butter, 1).await;

    for _ in 0..3 {
        deliver(&app).await;
    }

    let (attempts, status): (i32, String) = sqlx::query_as(
        "select attempts, status from notifications where order_id = $1 and channel = 'email'",
    )
    .bind(order)
    .fetch_one(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((attempts, status.as_str()), (2, "failed"));
    let metrics = app.get("/metrics").await.text().await.unwrap_or_default();
    assert!(
        metrics.contains(r#"notifications{channel="email",status="failed"} 1"#),
        "{metrics}"
    );
}

fn twilio_ok(_: &crate::helpers::Recorded) -> (u16, String) {
    (201, r#"{"sid":"SM1","status":"queued"}"#.into())
}

#[sqlx::test(migrations = "../migrations")]
async fn a_customer_without_an_email_hears_by_sms(pool: PgPool) {
    // The shop signs the customer in with the log gateway (its codes can be read back);
    // a second process of the same shop, with Twilio configured, delivers the notices.
    let twilio = Fake::start(twilio_ok).await;
    let app = spawn_app_with(pool.clone(), &[]).await;
    let sender = spawn_app_with(
        pool,
        &[
            ("TWILIO_BASE_URL", twilio.url.as_str()),
            ("TWILIO_ACCOUNT_SID", "AC0123"),
            ("TWILIO_AUTH_TOKEN", "twilio-secret"),
            ("TWILIO_FROM", "+48100200300"),
        ],
    )
    .await;
    app.seed_catalog().await;
    let (butter, _) = prices(&app).await;
    let token = app.customer_token("+48500100203").await;
    let (order, _) = place_cart_order(&app, &token, butter, 1).await;
    let number: i64 = sqlx::query_scalar("select number from orders where id = $1")
        .bind(order)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(deliver(&sender).await, 1);

    let notices: Vec<String> = twilio
        .received()
        .into_iter()
        .map(|r| r.body)
        .filter(|b| b.contains(&number.to_string()))
        .collect();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].contains("To=%2B48500100203"), "{}", notices[0]);
    assert_eq!(deliver(&sender).await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn settings_switch_channels_but_keep_one_for_orders(pool: PgPool) {
    let app = spawn_app_with(pool, &[]).await;
    let token = customer_with_email(&app, "+48500100204", ANNA).await;
    let put = |topic: &str, channel: &str, enabled: bool| {
        let body = json!({ "topic": topic, "channel": channel, "enabled": enabled });
        let (app, token) = (&app, &token);
        async move {
            app.call(
                Method::PUT,
                "/api/v1/me/notification-settings",
                token,
                Some(&body),
            )
            .await
        }
    };
    let enabled = |settings: &Value, topic: &str, channel: &str| {
        settings
            .as_array()
            .and_then(|s| {
                s.iter()
                    .find(|s| s["topic"] == topic && s["channel"] == channel)
            })
            .map(|s| s["enabled"].clone())
    };

    let defaults = json(
        app.call(
            Method::GET,
            "/api/v1/me/notification-settings",
            &token,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(enabled(&defaults, "orders", "email"), Some(json!(true)));
    assert_eq!(enabled(&defaults, "orders", "sms"), Some(json!(false)));
    assert_eq!(enabled(&defaults, "marketing", "email"), Some(json!(false)));

    assert_eq!(put("orders", "email", false).await.status().as_u16(), 200);
    assert_eq!(put("orders", "push", false).await.status().as_u16(), 200);
    let last = put("orders", "in_app", false).await;
    assert_eq!(
        last.status().as_u16(),
        422,
        "the last channel of order notices stays"
    );
    let marketing = json(put("marketing", "email", true).await).await;
    assert_eq!(enabled(&marketing, "marketing", "email"), Some(json!(true)));
    let consent = || async {
        sqlx::query_scalar::<_, bool>(
            "select marketing_consent_at is not null from users where phone = '+48500100204'",
        )
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
    };
    assert!(consent().await, "the opt-in is dated");
    assert_eq!(
        put("marketing", "email", false).await.status().as_u16(),
        200
    );
    assert!(!consent().await, "and withdrawn with the last channel");
    assert_eq!(put("weather", "email", true).await.status().as_u16(), 422);
    assert_eq!(put("orders", "pigeon", true).await.status().as_u16(), 422);

    let after = json(
        app.call(
            Method::GET,
            "/api/v1/me/notification-settings",
            &token,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(enabled(&after, "orders", "email"), Some(json!(false)));
    assert_eq!(enabled(&after, "orders", "in_app"), Some(json!(true)));
}

#[sqlx::test(migrations = "../migrations")]
async fn nobody_reads_or_marks_another_users_notices(pool: PgPool) {
    let app = spawn_app_with(pool, &[]).await;
    app.seed_catalog().await;
    let (butter, _) = prices(&app).await;
    let anna = customer_with_email(&app, "+48500100205", ANNA).await;
    let other = app.customer_token("+48500100206").await;
    place_cart_order(&app, &anna, butter, 1).await;
    let inbox = json(
        app.call(Method::GET, "/api/v1/me/notifications", &anna, None)
            .await,
    )
    .await;
    let id = inbox["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!id.is_empty(), "{inbox}");

    let theirs = json(
        app.call(Method::GET, "/api/v1/me/notifications", &other, None)
            .await,
    )
    .await;
    assert_eq!(theirs["total"], 0);
    let mark = app
        .call(
            Method::POST,
            &format!("/api/v1/me/notifications/{id}/read"),
            &other,
            None,
        )
        .await;
    assert_eq!(mark.status().as_u16(), 404);
    let unread = json(
        app.call(
            Method::GET,
            "/api/v1/me/notifications/unread-count",
            &anna,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(unread["unread"], 1);
}

/// The confirmation link in a message's text.
fn confirmation_token(message: &Value) -> String {
    let text = message["text"].as_str().unwrap_or_default();
    let start = text
        .find("confirm-email?token=")
        .unwrap_or_else(|| panic!("no link in {text}"))
        + "confirm-email?token=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_typed_address_gets_a_link_and_nothing_else_until_it_is_confirmed(pool: PgPool) {
    // Arrange: a customer types an e-mail address.
    let port = free_port();
    let sink = SmtpSink::start(port).await;
    let app = mail_app(pool, port, &[]).await;
    let (butter, _) = prices(&app).await;
    let token = app.customer_token("+48500100207").await;
    let saved = app
        .call(
            Method::PUT,
            "/api/v1/me",
            &token,
            Some(&json!({ "email": ANNA })),
        )
        .await;
    assert_eq!(saved.status().as_u16(), 200);
    assert_eq!(json(saved).await["email_confirmed"], false);

    // Act: an order while the address is unconfirmed.
    place_cart_order(&app, &token, butter, 1).await;
    deliver(&app).await;

    // Assert: the address got the link and nothing else.
    let mail = sink.to(ANNA);
    assert_eq!(mail.len(), 1, "{mail:#?}");
    assert!(
        mail[0]["subject"]
            .as_str()
            .unwrap_or_default()
            .contains("Potwierdź")
    );
    let link = confirmation_token(&mail[0]);
    assert!(link.len() >= 40, "{link}");

    // The link confirms the address once.
    let opened = app
        .get(&format!("/account/confirm-email?token={link}"))
        .await;
    assert_eq!(opened.status().as_u16(), 303);
    assert_eq!(
        opened
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/account?email=confirmed")
    );
    let me = json(app.call(Method::GET, "/api/v1/me", &token, None).await).await;
    assert_eq!(me["email_confirmed"], true);
    let again = app
        .get(&format!("/account/confirm-email?token={link}"))
        .await;
    assert_eq!(
        again
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/account?email=link_invalid")
    );
    let bad = app
        .post_as(
            None,
            "/api/v1/auth/email/confirm",
            &json!({ "token": "nope" }),
        )
        .await;
    assert_eq!(bad.status().as_u16(), 422);
    let confirmed = app
        .call(Method::POST, "/api/v1/me/email/confirmation", &token, None)
        .await;
    assert_eq!(json(confirmed).await["status"], "confirmed");

    // From now on order notices go there.
    place_cart_order(&app, &token, butter, 1).await;
    deliver(&app).await;
    assert_eq!(sink.to(ANNA).len(), 2);

    // A new address is unconfirmed again and gets its own link; asking again at once is 429;
    // an app confirms with the token.
    let changed = app
        .call(
            Method::PUT,
            "/api/v1/me",
            &token,
            Some(&json!({ "email": "anna.nowak@example.com" })),
        )
        .await;
    assert_eq!(json(changed).await["email_confirmed"], false);
    let soon = app
        .call(Method::POST, "/api/v1/me/email/confirmation", &token, None)
        .await;
    assert_eq!(soon.status().as_u16(), 429);
    deliver(&app).await;
    let links = sink.to("anna.nowak@example.com");
    assert_eq!(links.len(), 1);
    let by_app = app
        .post_as(
            None,
            "/api/v1/auth/email/confirm",
            &json!({ "token": confirmation_token(&links[0]) }),
        )
        .await;
    assert_eq!(by_app.status().as_u16(), 200);
    let me = json(app.call(Method::GET, "/api/v1/me", &token, None).await).await;
    assert_eq!(
        (me["email"].clone(), me["email_confirmed"].clone()),
        (json!("anna.nowak@example.com"), json!(true))
    );
}

/// Expo's push API as the shop calls it: a JSON array of messages, a ticket for each; the
/// token `ExponentPushToken[gone]` is reported as no longer registered.
fn expo_answer(request: &crate::helpers::Recorded) -> (u16, String) {
    let authorised = request
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        == Some("Bearer expo-secret");
    if !authorised || request.uri != "/--/api/v2/push/send" {
        return (401, r#"{"errors":[{"code":"UNAUTHORIZED"}]}"#.into());
    }
    let messages: Vec<Value> = serde_json::from_str(&request.body).unwrap_or_default();
    let tickets: Vec<Value> = messages
        .iter()
        .map(|m| {
            if m["to"] == "ExponentPushToken[gone]" {
                json!({"status": "error", "message": "not a registered push notification recipient",
                       "details": {"error": "DeviceNotRegistered"}})
            } else {
                json!({"status": "ok", "id": Uuid::now_v7()})
            }
        })
        .collect();
    (200, json!({ "data": tickets }).to_string())
}

#[sqlx::test(migrations = "../migrations")]
async fn pushes_reach_the_apps_and_tokens_the_provider_forgot_are_removed(pool: PgPool) {
    // Arrange: a customer's app registers two devices; a second process sends through Expo.
    let expo = Fake::start(expo_answer).await;
    let app = spawn_app_with(pool.clone(), &[]).await;
    let sender = spawn_app_with(
        pool,
        &[
            ("EXPO_PUSH_URL", expo.url.as_str()),
            ("EXPO_ACCESS_TOKEN", "expo-secret"),
        ],
    )
    .await;
    app.seed_catalog().await;
    let (butter, _) = prices(&app).await;
    let token = app.customer_token("+48500100208").await;
    let register = |body: Value| {
        let (app, token) = (&app, &token);
        async move {
            app.call(Method::POST, "/api/v1/me/devices", token, Some(&body))
                .await
        }
    };
    let live = json!({ "platform": "ios", "token": "ExponentPushToken[live]", "app_version": "1.2.0", "locale": "en" });
    let first = register(live.clone()).await;
    assert_eq!(first.status().as_u16(), 201);
    let live_id = json(first).await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        register(live).await.status().as_u16(),
        200,
        "the same token again"
    );
    let gone = register(json!({ "platform": "android", "token": "ExponentPushToken[gone]" })).await;
    assert_eq!(gone.status().as_u16(), 201);
    for bad in [
        json!({ "platform": "windows", "token": "ExponentPushToken[x]" }),
        json!({ "platform": "ios", "token": "  " }),
        json!({ "platform": "ios", "token": "ExponentPushToken[x]", "locale": "de" }),
    ] {
        assert_eq!(register(bad.clone()).await.status().as_u16(), 422, "{bad}");
    }

    // Act: an order, and the worker in the process that has Expo.
    let (order, _) = place_cart_order(&app, &token, butter, 1).await;
    deliver(&sender).await;

    // Assert: one request with a message per device, authorised, with the order's link.
    let received = expo.received();
    assert_eq!(received.len(), 1, "{received:?}");
    let messages: Vec<Value> = serde_json::from_str(&received[0].body).unwrap_or_default();
    let mut tokens: Vec<&str> = messages.iter().filter_map(|m| m["to"].as_str()).collect();
    tokens.sort_unstable();
    assert_eq!(
        tokens,
        vec!["ExponentPushToken[gone]", "ExponentPushToken[live]"]
    );
    assert_eq!(messages[0]["data"]["link"], format!("/orders/{order}"));
    assert_eq!(messages[0]["data"]["kind"], "order_placed");
    assert!(messages[0]["title"].as_str().is_some_and(|t| !t.is_empty()));
    let devices = json(
        app.call(Method::GET, "/api/v1/me/devices", &token, None)
            .await,
    )
    .await;
    assert_eq!(
        devices.as_array().map(Vec::len),
        Some(1),
        "the forgotten token is removed: {devices}"
    );
    assert_eq!(devices[0]["id"], live_id.as_str());
    let status: String = sqlx::query_scalar(
        "select status from notifications where order_id = $1 and channel = 'push'",
    )
    .bind(order)
    .fetch_one(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status, "sent");

    // Signing out with the device's id ends its pushes.
    let out = app
        .call(
            Method::POST,
            "/api/v1/auth/logout",
            &token,
            Some(&json!({ "device_id": live_id })),
        )
        .await;
    assert_eq!(out.status().as_u16(), 204);
    let other = app.customer_token("+48500100209").await;
    let devices: i64 = sqlx::query_scalar("select count(*) from devices")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(devices, 0);
    let none = app
        .call(Method::GET, "/api/v1/me/devices", &other, None)
        .await;
    assert_eq!(json(none).await, json!([]));

    // A push queued while the devices were still there finds nobody: skipped, not failed.
    sqlx::query(
        "insert into notifications (id, user_id, kind, channel, recipient, locale, order_id, data, dedupe_key)
         select gen_random_uuid(), user_id, 'order_shipped', 'push', user_id::text, 'pl', id,
                '{}'::jsonb, 'test:late-push'
           from orders where id = $1",
    )
    .bind(order)
    .execute(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    deliver(&app).await;
    let (status, why): (String, Option<String>) = sqlx::query_as(
        "select status, last_error from notifications where dedupe_key = 'test:late-push'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status, "skipped", "{why:?}");
    assert!(why.is_some_and(|w| w.contains("no device")));
}

#[sqlx::test(migrations = "../migrations")]
async fn an_unpaid_order_is_reminded_once_ten_minutes_before_it_expires(pool: PgPool) {
    let app = spawn_app_with(pool, &[]).await;
    app.seed_catalog().await;
    let (butter, _) = prices(&app).await;
    let token = app.customer_token("+48500100210").await;
    let (early, _) = place_cart_order(&app, &token, butter, 1).await;
    let (due, _) = place_cart_order(&app, &token, butter, 1).await;
    sqlx::query("update orders set reserved_until = now() + interval '5 minutes' where id = $1")
        .bind(due)
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let svc = app.services();
    let first = domain::order::remind_unpaid(&svc)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let again = domain::order::remind_unpaid(&svc)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));

    assert_eq!((first, again), (1, 0));
    let reminded: Vec<Uuid> = sqlx::query_scalar(
        "select distinct order_id from notifications where kind = 'payment_reminder'",
    )
    .fetch_all(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reminded, vec![due]);
    assert_ne!(reminded, vec![early]);
    let inbox = json(
        app.call(Method::GET, "/api/v1/me/notifications", &token, None)
            .await,
    )
    .await;
    assert_eq!(inbox["items"][0]["kind"], "payment_reminder", "{inbox}");
}

#[sqlx::test(migrations = "../migrations")]
async fn admins_get_one_digest_a_day_of_what_runs_out(pool: PgPool) {
    let app = spawn_app_with(pool, &[]).await;
    app.seed_catalog().await;
    crate::auth::create_admin(&app).await;
    let admin = crate::auth::admin_token(&app).await;
    sqlx::query("update products set stock = 2 where sku = 'MT-0101-1'")
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let svc = app.services();
    let first = domain::order::send_staff_digest(&svc)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let again = domain::order::send_staff_digest(&svc)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));

    assert!(first && again, "there is something to tell both times");
    let inbox = json(
        app.call(Method::GET, "/api/v1/me/notifications", &admin, None)
            .await,
    )
    .await;
    let digests: Vec<&Value> = inbox["items"]
        .as_array()
        .map(|i| i.iter().filter(|n| n["kind"] == "admin_digest").collect())
        .unwrap_or_default();
    assert_eq!(digests.len(), 1, "once a day: {inbox}");
    assert!(
        digests[0]["body"]
            .as_str()
            .unwrap_or_default()
            .contains("MT-0101-1")
    );
    let emails: i64 = sqlx::query_scalar(
        "select count(*) from notifications where kind = 'admin_digest' and channel = 'email'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(emails, 1, "and by e-mail to the confirmed admin address");
}
