//! The words of each notice in Polish, English and Turkish, made from what the notice
//! recorded when it was written (its `data`), so the inbox, the SMS and the e-mail agree.

use serde_json::Value;
use shop_types::format_money;

use super::Kind;
use crate::shared::Locale;

/// A notice in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// The e-mail subject and the inbox title.
    pub title: String,
    /// One or two sentences: the SMS, the inbox line, the e-mail's opening.
    pub body: String,
    /// Where to look: a path on the shop (`/orders/…`).
    pub link: String,
}

/// What a notice recorded, read leniently: a missing field renders as empty, never fails.
struct Facts<'a> {
    data: &'a Value,
    locale: Locale,
}

impl Facts<'_> {
    fn text(&self, key: &str) -> String {
        match self.data.get(key) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    }

    fn money(&self, key: &str) -> String {
        let minor = self.data.get(key).and_then(Value::as_i64).unwrap_or(0);
        let currency = self.text("currency");
        let currency = if currency.is_empty() {
            "PLN".into()
        } else {
            currency
        };
        format_money(self.locale, minor, &currency)
    }
}

/// Renders a notice in `locale`.
pub fn render(kind: Kind, locale: Locale, data: &Value) -> Text {
    let f = Facts { data, locale };
    let n = f.text("number");
    let order = f.text("order_id");
    let total = f.money("total_minor");
    let (title, body) = match (kind, locale) {
        (Kind::OrderPlaced, Locale::Pl) => (
            format!("Zamówienie {n} przyjęte"),
            format!("Dziękujemy! Przyjęliśmy zamówienie {n} na kwotę {total}."),
        ),
        (Kind::OrderPlaced, Locale::En) => (
            format!("Order {n} received"),
            format!("Thank you! We have received order {n} for {total}."),
        ),
        (Kind::OrderPlaced, Locale::Tr) => (
            format!("{n} numaralı sipariş alındı"),
            format!("Teşekkürler! {total} tutarındaki {n} numaralı siparişinizi aldık."),
        ),
        (Kind::PaymentFailed, Locale::Pl) => (
            format!("Płatność za zamówienie {n} nie powiodła się"),
            format!(
                "Płatność {total} za zamówienie {n} nie powiodła się. Możesz zapłacić ponownie na stronie zamówienia."
            ),
        ),
        (Kind::PaymentFailed, Locale::En) => (
            format!("Payment for order {n} failed"),
            format!(
                "The payment of {total} for order {n} failed. You can pay again on the order's page."
            ),
        ),
        (Kind::PaymentFailed, Locale::Tr) => (
            format!("{n} numaralı siparişin ödemesi başarısız"),
            format!(
                "{n} numaralı sipariş için {total} tutarındaki ödeme başarısız oldu. Sipariş sayfasından tekrar ödeyebilirsiniz."
            ),
        ),
        (Kind::PaymentReminder, Locale::Pl) => (
            format!("Zamówienie {n} czeka na płatność"),
            format!("Zapłać {total} za zamówienie {n} w ciągu 10 minut; potem je anulujemy, a produkty wrócą do sprzedaży."),
        ),
        (Kind::PaymentReminder, Locale::En) => (
            format!("Order {n} is waiting for payment"),
            format!("Pay {total} for order {n} within 10 minutes; after that we cancel it and its products go back on sale."),
        ),
        (Kind::PaymentReminder, Locale::Tr) => (
            format!("{n} numaralı sipariş ödeme bekliyor"),
            format!("{n} numaralı sipariş için {total} tutarını 10 dakika içinde ödeyin; sonra sipariş iptal edilir ve ürünler yeniden satışa çıkar."),
        ),
        (Kind::OrderPaid, Locale::Pl) => (
            format!("Zamówienie {n} opłacone"),
            format!("Otrzymaliśmy płatność {total} za zamówienie {n}. Faktura jest w załączniku."),
        ),
        (Kind::OrderPaid, Locale::En) => (
            format!("Order {n} paid"),
            format!("We have received {total} for order {n}. The invoice is attached."),
        ),
        (Kind::OrderPaid, Locale::Tr) => (
            format!("{n} numaralı sipariş ödendi"),
            format!("{n} numaralı sipariş için {total} ödemenizi aldık. Fatura ektedir."),
        ),
        (Kind::OrderShipped, locale) => {
            let (carrier, tracking) = (f.text("carrier"), f.text("tracking_number"));
            // The carrier's own tracking page, where the carrier is one we know.
            let follow = shop_types::tracking_url(&carrier, &tracking)
                .map(|url| format!(" {url}"))
                .unwrap_or_default();
            match locale {
                Locale::Pl => (
                    format!("Zamówienie {n} wysłane"),
                    format!(
                        "Zamówienie {n} jest w drodze: {carrier}, numer przesyłki {tracking}.{follow}"
                    ),
                ),
                Locale::En => (
                    format!("Order {n} shipped"),
                    format!("Order {n} is on its way: {carrier}, tracking number {tracking}.{follow}"),
                ),
                Locale::Tr => (
                    format!("{n} numaralı sipariş kargoya verildi"),
                    format!(
                        "{n} numaralı sipariş yolda: {carrier}, takip numarası {tracking}.{follow}"
                    ),
                ),
            }
        }
        (Kind::OrderDelivered, Locale::Pl) => (
            format!("Zamówienie {n} dostarczone"),
            format!("Zamówienie {n} zostało dostarczone. Smacznego!"),
        ),
        (Kind::OrderDelivered, Locale::En) => (
            format!("Order {n} delivered"),
            format!("Order {n} has been delivered. Enjoy!"),
        ),
        (Kind::OrderDelivered, Locale::Tr) => (
            format!("{n} numaralı sipariş teslim edildi"),
            format!("{n} numaralı sipariş teslim edildi. Afiyet olsun!"),
        ),
        (Kind::OrderCancelled, Locale::Pl) => (
            format!("Zamówienie {n} anulowane"),
            format!("Zamówienie {n} zostało anulowane."),
        ),
        (Kind::OrderCancelled, Locale::En) => (
            format!("Order {n} cancelled"),
            format!("Order {n} has been cancelled."),
        ),
        (Kind::OrderCancelled, Locale::Tr) => (
            format!("{n} numaralı sipariş iptal edildi"),
            format!("{n} numaralı sipariş iptal edildi."),
        ),
        (Kind::OrderRefunded, locale) => {
            let amount = f.money("refunded_minor");
            match locale {
                Locale::Pl => (
                    format!("Zwrot za zamówienie {n}"),
                    format!("Zwróciliśmy {amount} za zamówienie {n}."),
                ),
                Locale::En => (
                    format!("Refund for order {n}"),
                    format!("We have refunded {amount} for order {n}."),
                ),
                Locale::Tr => (
                    format!("{n} numaralı sipariş için iade"),
                    format!("{n} numaralı sipariş için {amount} iade ettik."),
                ),
            }
        }
        (Kind::AdminNewOrder, Locale::Pl) => (
            format!("Nowe zamówienie {n}"),
            format!("Nowe zamówienie {n} na kwotę {total}."),
        ),
        (Kind::AdminNewOrder, Locale::En) => (
            format!("New order {n}"),
            format!("New order {n} for {total}."),
        ),
        (Kind::AdminNewOrder, Locale::Tr) => (
            format!("Yeni sipariş {n}"),
            format!("{total} tutarında yeni sipariş {n}."),
        ),
        (Kind::EmailConfirmation, Locale::Pl) => (
            "Potwierdź adres e-mail".to_owned(),
            "Potwierdź, że ten adres należy do Ciebie: otwórz link poniżej. Link działa przez 24 godziny; do tego czasu nie wysyłamy na ten adres nic innego.".to_owned(),
        ),
        (Kind::EmailConfirmation, Locale::En) => (
            "Confirm your e-mail address".to_owned(),
            "Confirm that this address is yours: open the link below. It works for 24 hours; until then we send nothing else to this address.".to_owned(),
        ),
        (Kind::EmailConfirmation, Locale::Tr) => (
            "E-posta adresinizi onaylayın".to_owned(),
            "Bu adresin size ait olduğunu onaylayın: aşağıdaki bağlantıyı açın. Bağlantı 24 saat geçerlidir; o zamana kadar bu adrese başka bir şey göndermiyoruz.".to_owned(),
        ),
        (Kind::PhoneChanged, locale) => {
            let phone = f.text("phone");
            match locale {
                Locale::Pl => (
                    "Zmieniono numer telefonu".to_owned(),
                    format!("Numer telefonu Twojego konta to teraz {phone}. Jeśli to nie Ty, napisz do nas od razu."),
                ),
                Locale::En => (
                    "Your phone number was changed".to_owned(),
                    format!("Your account's phone number is now {phone}. If this was not you, write to us at once."),
                ),
                Locale::Tr => (
                    "Telefon numaranız değiştirildi".to_owned(),
                    format!("Hesabınızın telefon numarası artık {phone}. Bunu siz yapmadıysanız hemen bize yazın."),
                ),
            }
        }
        (Kind::AccountDeleted, locale) => {
            let day = f.text("erase_on");
            match locale {
                Locale::Pl => (
                    "Konto usunięte".to_owned(),
                    format!("Usunęliśmy Twoje konto. Dane osobowe usuniemy trwale {day}; zamówienia i faktury przechowujemy, jak wymaga prawo."),
                ),
                Locale::En => (
                    "Your account was deleted".to_owned(),
                    format!("We have deleted your account. Your personal data will be erased for good on {day}; orders and invoices are kept as the law requires."),
                ),
                Locale::Tr => (
                    "Hesabınız silindi".to_owned(),
                    format!("Hesabınızı sildik. Kişisel verileriniz {day} tarihinde kalıcı olarak silinecek; siparişler ve faturalar yasanın gerektirdiği şekilde saklanır."),
                ),
            }
        }
        (Kind::AdminDigest, locale) => {
            let list = |key: &str| -> Vec<String> {
                f.data
                    .get(key)
                    .and_then(Value::as_array)
                    .map(|items| {
                        items
                            .iter()
                            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let (low, overdue) = (list("low_stock"), list("overdue"));
            let day = f.text("day");
            let (title, low_label, overdue_label) = match locale {
                Locale::Pl => ("Podsumowanie dnia", "Kończą się", "Przelewy po terminie, zamówienia"),
                Locale::En => ("Daily summary", "Running out", "Transfers past due, orders"),
                Locale::Tr => ("Günlük özet", "Tükenmek üzere", "Süresi geçmiş havaleler, siparişler"),
            };
            let mut body = Vec::new();
            if !low.is_empty() {
                body.push(format!("{low_label} ({}): {}.", low.len(), low.join(", ")));
            }
            if !overdue.is_empty() {
                body.push(format!("{overdue_label} ({}): {}.", overdue.len(), overdue.join(", ")));
            }
            (format!("{title} {day}"), body.join(" "))
        }
        (Kind::AdminFlagged, locale) => {
            let reason = f.text("reason");
            match locale {
                Locale::Pl => (
                    format!("Zamówienie {n} do sprawdzenia"),
                    format!("Płatność za zamówienie {n} wymaga sprawdzenia: {reason}"),
                ),
                Locale::En => (
                    format!("Order {n} needs a review"),
                    format!("The payment for order {n} needs a review: {reason}"),
                ),
                Locale::Tr => (
                    format!("{n} numaralı sipariş kontrol gerektiriyor"),
                    format!("{n} numaralı siparişin ödemesi kontrol gerektiriyor: {reason}"),
                ),
            }
        }
    };
    let link = match kind {
        Kind::EmailConfirmation => f.text("path"),
        Kind::PhoneChanged | Kind::AccountDeleted => "/account".to_owned(),
        Kind::AdminNewOrder | Kind::AdminFlagged => format!("/admin/orders/{order}"),
        Kind::AdminDigest => "/admin".to_owned(),
        _ => format!("/orders/{order}"),
    };
    Text { title, body, link }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::notify::KINDS;

    fn data() -> Value {
        json!({
            "order_id": "0190a0a0-0000-7000-8000-000000000001",
            "number": 100123,
            "total_minor": 123456,
            "currency": "PLN",
            "refunded_minor": 5000,
            "carrier": "InPost",
            "tracking_number": "TRK-42",
            "reason": "amount does not match",
            "path": "/account/confirm-email?token=abc",
            "phone": "+48 *** *** 123",
            "erase_on": "2027-01-01",
            "day": "2026-12-02",
            "low_stock": ["MT-1 Masło (2)"],
            "overdue": [100123],
        })
    }

    #[test]
    fn every_kind_renders_in_every_language_with_its_facts() {
        for kind in KINDS {
            for locale in [Locale::Pl, Locale::En, Locale::Tr] {
                let text = render(kind, locale, &data());
                assert!(
                    !text.title.is_empty() && text.body.len() > 20,
                    "{kind:?} {locale:?}"
                );
                assert!(!text.body.contains("{"), "unfilled placeholder: {text:?}");
                if kind.about_order() {
                    assert!(
                        text.title.contains("100123"),
                        "{kind:?} {locale:?}: {text:?}"
                    );
                    assert!(
                        text.body.contains("100123"),
                        "{kind:?} {locale:?}: {text:?}"
                    );
                    assert!(text.link.ends_with("0190a0a0-0000-7000-8000-000000000001"));
                } else if kind == Kind::AdminDigest {
                    assert!(text.body.contains("MT-1 Masło (2)") && text.body.contains("100123"));
                    assert_eq!(text.link, "/admin");
                } else {
                    assert!(text.link.starts_with("/account"), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn amounts_tracking_and_reasons_are_formatted_for_the_reader() {
        let d = data();
        assert!(
            render(Kind::OrderPlaced, Locale::Pl, &d)
                .body
                .contains("1\u{a0}234,56\u{a0}zł")
        );
        assert!(
            render(Kind::OrderPlaced, Locale::En, &d)
                .body
                .contains("PLN\u{a0}1,234.56")
        );
        assert!(
            render(Kind::OrderRefunded, Locale::Tr, &d)
                .body
                .contains("50,00")
        );
        let shipped = render(Kind::OrderShipped, Locale::En, &d);
        assert!(shipped.body.contains("InPost") && shipped.body.contains("TRK-42"));
        assert!(
            shipped
                .body
                .ends_with("https://inpost.pl/sledzenie-przesylek?number=TRK42"),
            "{shipped:?}"
        );
        let mut unknown = d.clone();
        unknown["carrier"] = json!("Kurier Lokalny");
        let by_van = render(Kind::OrderShipped, Locale::Pl, &unknown);
        assert!(by_van.body.contains("Kurier Lokalny") && !by_van.body.contains("http"));
        assert!(
            render(Kind::AdminFlagged, Locale::Pl, &d)
                .body
                .contains("amount does not match")
        );
        assert!(
            render(Kind::AdminNewOrder, Locale::En, &d)
                .link
                .starts_with("/admin/orders/")
        );
    }

    #[test]
    fn kinds_topics_and_channels_read_back_from_their_names() {
        for kind in KINDS {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        for topic in crate::notify::TOPICS {
            assert_eq!(crate::notify::Topic::parse(topic.as_str()), Some(topic));
        }
        for channel in crate::notify::CHANNELS {
            assert_eq!(
                crate::notify::Channel::parse(channel.as_str()),
                Some(channel)
            );
        }
        assert_eq!(Kind::parse("nope"), None);
    }
}
