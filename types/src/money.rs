//! Money in integer minor units, VAT rates in basis points, and the VAT breakdown.
//!
//! Prices are gross (VAT included). The VAT inside a gross amount is
//! `gross * rate / (1 + rate)`, rounded half-up to the minor unit, computed once per rate
//! over the summed gross of that rate, so the breakdown always adds up to the total.

use std::fmt;

use crate::Locale;

/// An ISO 4217 currency code such as `PLN` (a string of three capital letters in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl TryFrom<String> for Currency {
    type Error = MoneyError;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        Currency::parse(&code)
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> Self {
        currency.code().to_owned()
    }
}

impl Currency {
    /// Polish złoty, the first shop's currency.
    pub const PLN: Currency = Currency(*b"PLN");

    /// Parses three upper-case ASCII letters.
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let bytes: [u8; 3] = code
            .as_bytes()
            .try_into()
            .map_err(|_| MoneyError::InvalidCurrency(code.to_owned()))?;
        if bytes.iter().all(u8::is_ascii_uppercase) {
            Ok(Currency(bytes))
        } else {
            Err(MoneyError::InvalidCurrency(code.to_owned()))
        }
    }

    /// The three-letter code.
    pub fn code(&self) -> &str {
        // Only ASCII letters are ever stored, so this never falls back.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An amount of money: integer minor units (grosze for PLN) and a currency;
/// `{"minor": 1234, "currency": "PLN"}` in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Money {
    /// Amount in minor units; may be negative for refunds and discounts.
    pub minor: i64,
    /// Currency of the amount.
    pub currency: Currency,
}

impl Money {
    /// The amount as people read it in `locale` (see [`format_money`]).
    pub fn format(self, locale: Locale) -> String {
        format_money(locale, self.minor, &self.currency.to_string())
    }

    /// Builds an amount from minor units.
    pub fn new(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    /// Parses an amount written in major units (`12`, `12.5`, `12,50`) exactly, without
    /// floating point; negative amounts and more than two decimals are rejected.
    pub fn parse_major(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let invalid = || MoneyError::InvalidAmount(text.to_owned());
        let normalized = text.trim().replace(',', ".");
        let (whole, fraction) = normalized.split_once('.').unwrap_or((&normalized, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || fraction.len() > 2 || !digits(whole) || !digits(fraction) {
            return Err(invalid());
        }
        let whole: i64 = whole.parse().map_err(|_| invalid())?;
        let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| invalid())?;
        whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(cents))
            .map(|minor| Money::new(minor, currency))
            .ok_or_else(invalid)
    }

    /// Adds two amounts of the same currency; `None` on a currency mismatch or overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        (self.currency == other.currency)
            .then(|| self.minor.checked_add(other.minor))
            .flatten()
            .map(|minor| Money::new(minor, self.currency))
    }

    /// Multiplies by a quantity; `None` on overflow.
    pub fn checked_mul(self, quantity: i64) -> Option<Money> {
        self.minor
            .checked_mul(quantity)
            .map(|minor| Money::new(minor, self.currency))
    }
}

/// A VAT rate in basis points: 2300 is 23 % (the number of basis points in JSON).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "i32", into = "i32")]
pub struct VatRate(u16);

impl TryFrom<i32> for VatRate {
    type Error = MoneyError;

    fn try_from(bp: i32) -> Result<Self, Self::Error> {
        VatRate::from_basis_points(bp)
    }
}

impl From<VatRate> for i32 {
    fn from(rate: VatRate) -> Self {
        rate.basis_points()
    }
}

impl VatRate {
    /// Poland's standard rate, 23 %.
    pub const STANDARD: VatRate = VatRate(2300);

    /// Accepts 0 to 100 percent, in basis points.
    pub fn from_basis_points(bp: i32) -> Result<Self, MoneyError> {
        u16::try_from(bp)
            .ok()
            .filter(|bp| *bp <= 10_000)
            .map(VatRate)
            .ok_or(MoneyError::InvalidVatRate(bp))
    }

    /// The rate in basis points.
    pub fn basis_points(self) -> i32 {
        i32::from(self.0)
    }

    /// The VAT contained in a gross amount, rounded half-up (half away from zero).
    pub fn vat_in_gross(self, gross_minor: i64) -> i64 {
        let rate = i128::from(self.0);
        let numerator = i128::from(gross_minor) * rate;
        let denominator = 10_000 + rate;
        let rounded = (2 * numerator.abs() + denominator) / (2 * denominator);
        // |vat| <= |gross|, so the value always fits back into i64.
        let vat = i64::try_from(rounded).unwrap_or(i64::MAX);
        if gross_minor < 0 { -vat } else { vat }
    }
}

impl fmt::Display for VatRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, frac) = (self.0 / 100, self.0 % 100);
        if frac == 0 {
            write!(f, "{whole}%")
        } else {
            write!(f, "{whole}.{frac:02}%")
        }
    }
}

/// One row of a VAT summary: everything sold at one rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VatLine {
    /// The rate of this row.
    pub rate: VatRate,
    /// Net amount (gross minus VAT) in minor units.
    pub net_minor: i64,
    /// VAT in minor units.
    pub vat_minor: i64,
    /// Gross amount in minor units.
    pub gross_minor: i64,
}

/// Sums gross line amounts per VAT rate and splits each sum into net and VAT.
///
/// The rows are ordered by rate, highest first, and their gross amounts add up to the sum
/// of the inputs exactly.
pub fn vat_breakdown(lines: impl IntoIterator<Item = (VatRate, i64)>) -> Vec<VatLine> {
    let mut per_rate: std::collections::BTreeMap<VatRate, i64> = Default::default();
    for (rate, gross) in lines {
        *per_rate.entry(rate).or_default() += gross;
    }
    per_rate
        .into_iter()
        .rev()
        .map(|(rate, gross_minor)| {
            let vat_minor = rate.vat_in_gross(gross_minor);
            VatLine {
                rate,
                net_minor: gross_minor - vat_minor,
                vat_minor,
                gross_minor,
            }
        })
        .collect()
}

/// Splits `amount_minor` in proportion to `weights` (negative weights count as zero): each
/// part is the whole minor units of its share, and the units left over go one each to the
/// largest remainders (the earlier weight first on a tie), so the parts add up to
/// `amount_minor` exactly and each is within one unit of its exact share. With nothing to
/// weigh by (every weight zero) the whole amount goes to the first part.
pub fn split(amount_minor: i64, weights: &[i64]) -> Vec<i64> {
    let weights: Vec<i128> = weights.iter().map(|w| i128::from((*w).max(0))).collect();
    let whole: i128 = weights.iter().sum();
    let mut parts = vec![0i64; weights.len()];
    if amount_minor == 0 || weights.is_empty() {
        return parts;
    }
    if whole == 0 {
        parts[0] = amount_minor;
        return parts;
    }
    let amount = i128::from(amount_minor);
    let exact: Vec<(i128, i128)> = weights
        .iter()
        .map(|w| (amount * w / whole, amount * w % whole))
        .collect();
    let mut left = amount - exact.iter().map(|(part, _)| part).sum::<i128>();
    let mut by_remainder: Vec<usize> = (0..exact.len()).collect();
    // Stable: among equal remainders the earlier weight comes first.
    by_remainder.sort_by(|a, b| exact[*b].1.abs().cmp(&exact[*a].1.abs()));
    let mut extra = vec![0i128; exact.len()];
    for i in by_remainder {
        if left == 0 {
            break;
        }
        extra[i] = left.signum();
        left -= left.signum();
    }
    for (i, (part, _)) in exact.iter().enumerate() {
        // Each part is at most |amount_minor|, so it fits back into i64.
        parts[i] = i64::try_from(part + extra[i]).unwrap_or(0);
    }
    parts
}

/// Splits `amount_minor` over VAT rates in proportion to `bases` (gross amounts per rate),
/// with [`split`]: how shipping is taxed like the goods it delivers. The higher rate comes
/// first on a tie, and with nothing to weigh by the highest rate takes it all. Rows are
/// ordered by rate, highest first; rates with a zero part are left out.
pub fn apportion(
    amount_minor: i64,
    bases: impl IntoIterator<Item = (VatRate, i64)>,
) -> Vec<(VatRate, i64)> {
    let mut per_rate: std::collections::BTreeMap<VatRate, i64> = Default::default();
    for (rate, base) in bases {
        *per_rate.entry(rate).or_default() += base.max(0);
    }
    let (rates, weights): (Vec<VatRate>, Vec<i64>) = per_rate.into_iter().rev().unzip();
    rates
        .into_iter()
        .zip(split(amount_minor, &weights))
        .filter(|(_, part)| *part != 0)
        .collect()
}

/// Invalid money values.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MoneyError {
    /// Not a three-letter upper-case code.
    #[error("`{0}` is not an ISO 4217 currency code")]
    InvalidCurrency(String),
    /// Not a non-negative amount with at most two decimals.
    #[error("`{0}` is not an amount such as 12.99")]
    InvalidAmount(String),
    /// Outside 0..=10000 basis points.
    #[error("{0} basis points is not a VAT rate between 0 and 100 %")]
    InvalidVatRate(i32),
}

/// An amount of minor units as people read it in `locale`: `1 234,50 zł` (Polish),
/// `PLN 1,234.50` (English), `1.234,50 PLN` (Turkish); the separators are non-breaking.
pub fn format_money(locale: Locale, minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let (whole, cents) = (minor.unsigned_abs() / 100, minor.unsigned_abs() % 100);
    let group = |sep: char| {
        let digits = whole.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(sep);
            }
            out.push(c);
        }
        out
    };
    match locale {
        Locale::Pl => {
            let symbol = if currency == "PLN" { "zł" } else { currency };
            format!("{sign}{},{cents:02}\u{a0}{symbol}", group('\u{a0}'))
        }
        Locale::En => format!("{sign}{currency}\u{a0}{}.{cents:02}", group(',')),
        Locale::Tr => format!("{sign}{},{cents:02}\u{a0}{currency}", group('.')),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn shipping_is_split_by_the_goods_values() {
        // 14.99 over 60.00 of goods at 5 % and 20.00 at 23 %: three quarters and a quarter.
        assert_eq!(
            apportion(
                1499,
                [(rate(500), 4000), (rate(2300), 2000), (rate(500), 2000)]
            ),
            vec![(rate(2300), 375), (rate(500), 1124)]
        );
        // One rate takes it all; free goods leave it to the highest rate; nothing to split.
        assert_eq!(apportion(1499, [(rate(800), 100)]), vec![(rate(800), 1499)]);
        assert_eq!(
            apportion(1499, [(rate(500), 0), (rate(2300), 0)]),
            vec![(rate(2300), 1499)]
        );
        assert!(apportion(0, [(rate(500), 100)]).is_empty());
        assert!(apportion(1499, []).is_empty());
        // Equal shares, one grosz over: the higher rate takes it.
        assert_eq!(
            apportion(3, [(rate(500), 1), (rate(2300), 1)]),
            vec![(rate(2300), 2), (rate(500), 1)]
        );
        assert_eq!(
            apportion(-3, [(rate(500), 1), (rate(2300), 1)]),
            vec![(rate(2300), -2), (rate(500), -1)]
        );
    }

    proptest! {
        #[test]
        fn the_parts_add_up_and_stay_within_a_grosz_of_their_share(
            amount in -10_000_000i64..10_000_000,
            bases in prop::collection::vec((prop_oneof![Just(0), Just(500), Just(800), Just(2300)], 0i64..50_000_000), 1..20),
        ) {
            let bases: Vec<(VatRate, i64)> = bases.into_iter().map(|(bp, b)| (rate(bp), b)).collect();
            let parts = apportion(amount, bases.clone());
            prop_assert_eq!(parts.iter().map(|(_, p)| p).sum::<i64>(), amount);
            let whole: i128 = bases.iter().map(|(_, b)| i128::from(*b)).sum();
            if whole > 0 {
                for (r, part) in &parts {
                    let base: i128 = bases.iter().filter(|(x, _)| x == r).map(|(_, b)| i128::from(*b)).sum();
                    let exact = i128::from(amount) * base;
                    // |part * whole - exact| < whole: within one minor unit of the exact share.
                    prop_assert!((i128::from(*part) * whole - exact).abs() < whole);
                }
            }
        }
    }

    #[test]
    fn money_is_written_per_locale() {
        assert_eq!(
            format_money(Locale::Pl, 123_456, "PLN"),
            "1\u{a0}234,56\u{a0}zł"
        );
        assert_eq!(format_money(Locale::En, 1_299, "PLN"), "PLN\u{a0}12.99");
        assert_eq!(
            format_money(Locale::Tr, 100_000_005, "EUR"),
            "1.000.000,05\u{a0}EUR"
        );
        assert_eq!(format_money(Locale::En, -5, "PLN"), "-PLN\u{a0}0.05");
    }

    #[test]
    fn money_currency_and_rates_keep_their_rules_in_json() {
        let money = Money::new(1_234, Currency::PLN);
        let json = serde_json::to_string(&money).unwrap_or_default();
        assert_eq!(json, r#"{"minor":1234,"currency":"PLN"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).ok(), Some(money));
        assert!(serde_json::from_str::<Money>(r#"{"minor":1,"currency":"pln"}"#).is_err());
        assert_eq!(serde_json::to_string(&rate(800)).unwrap_or_default(), "800");
        assert!(serde_json::from_str::<VatRate>("10001").is_err());
    }

    fn rate(bp: i32) -> VatRate {
        VatRate::from_basis_points(bp).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn vat_in_gross_rounds_half_up() {
        // 123.00 gross at 23 % holds exactly 23.00 VAT.
        assert_eq!(rate(2300).vat_in_gross(12_300), 2_300);
        // 1.00 at 23 %: 18.699... grosze rounds to 19.
        assert_eq!(rate(2300).vat_in_gross(100), 19);
        // 0.54 at 8 %: 4.0 grosze exactly.
        assert_eq!(rate(800).vat_in_gross(54), 4);
        // 0.21 at 5 %: exactly 1.0.
        assert_eq!(rate(500).vat_in_gross(21), 1);
        // 0.63 at 5 %: exactly 3.0; 0.105 would be a half, tested with 5 % of 10.5 below.
        assert_eq!(rate(500).vat_in_gross(63), 3);
        assert_eq!(rate(0).vat_in_gross(999), 0);
        assert_eq!(rate(2300).vat_in_gross(-100), -19);
    }

    #[test]
    fn vat_half_is_rounded_up() {
        // 10 % of gross 11 -> exactly 1.0; gross 165 at 10 % -> 15.0; gross 55 at 10% -> 5.0.
        // A real half: gross 21 at 5 % -> 1.0; use 100 % rate: gross 3 -> 1.5 -> 2.
        assert_eq!(rate(10_000).vat_in_gross(3), 2);
        assert_eq!(rate(10_000).vat_in_gross(-3), -2);
    }

    #[test]
    fn breakdown_adds_up_to_the_total() {
        let lines = [
            (rate(2300), 1_999),
            (rate(800), 349),
            (rate(2300), 1),
            (rate(500), 1_250),
            (rate(0), 700),
        ];
        let rows = vat_breakdown(lines);
        let total: i64 = lines.iter().map(|(_, g)| g).sum();
        assert_eq!(rows.iter().map(|r| r.gross_minor).sum::<i64>(), total);
        for row in &rows {
            assert_eq!(row.net_minor + row.vat_minor, row.gross_minor);
        }
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0].rate, rate(2300));
        assert_eq!(rows[0].gross_minor, 2_000);
        assert_eq!(rows[0].vat_minor, 374);
    }

    #[test]
    fn parse_rejects_bad_values() {
        assert!(Currency::parse("pln").is_err());
        assert!(Currency::parse("PLNX").is_err());
        assert_eq!(
            Currency::parse("EUR").map(|c| c.to_string()),
            Ok("EUR".to_owned())
        );
        assert!(VatRate::from_basis_points(-1).is_err());
        assert!(VatRate::from_basis_points(10_001).is_err());
        assert_eq!(rate(2300).to_string(), "23%");
        assert_eq!(rate(550).to_string(), "5.50%");
    }

    #[test]
    fn amounts_in_major_units_parse_exactly() {
        let p = |s: &str| Money::parse_major(s, Currency::PLN).map(|m| m.minor);
        assert_eq!(p("12"), Ok(1200));
        assert_eq!(p("12,5"), Ok(1250));
        assert_eq!(p(" 0.07 "), Ok(7));
        assert_eq!(p("19.99"), Ok(1999));
        for bad in [
            "-1",
            "1.234",
            "abc",
            "",
            ".5",
            "1e3",
            "92233720368547758.08",
        ] {
            assert!(p(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn money_arithmetic_checks_currency_and_overflow() {
        let a = Money::new(100, Currency::PLN);
        let eur = Money::new(100, Currency::parse("EUR").unwrap_or(Currency::PLN));
        assert_eq!(a.checked_add(a), Some(Money::new(200, Currency::PLN)));
        assert_eq!(a.checked_add(eur), None);
        assert_eq!(Money::new(i64::MAX, Currency::PLN).checked_mul(2), None);
    }

    proptest::proptest! {
        // Amounts as typed in forms and CSV files: exact, or refused; never rounded.
        #[test]
        fn written_amounts_parse_exactly(whole in 0i64..100_000_000, cents in 0i64..100, comma in proptest::bool::ANY) {
            let separator = if comma { ',' } else { '.' };
            let text = format!("{whole}{separator}{cents:02}");
            let parsed = Money::parse_major(&text, Currency::PLN).map(|m| m.minor);
            proptest::prop_assert_eq!(parsed, Ok(whole * 100 + cents));
        }

        #[test]
        fn any_text_is_an_amount_or_an_error(text in "\\PC{0,24}") {
            if let Ok(money) = Money::parse_major(&text, Currency::PLN) {
                proptest::prop_assert!(money.minor >= 0);
            }
        }

        // The VAT in a gross amount never exceeds it, and net + VAT is the gross.
        #[test]
        fn vat_never_exceeds_the_gross(gross in 0i64..i64::MAX / 2, bp in 0i32..=10_000) {
            let rate = VatRate::from_basis_points(bp).unwrap_or(VatRate::STANDARD);
            let vat = rate.vat_in_gross(gross);
            proptest::prop_assert!((0..=gross).contains(&vat));
        }

        #[test]
        fn sums_and_products_overflow_to_none_never_wrap(a in proptest::num::i64::ANY, b in proptest::num::i64::ANY, q in proptest::num::i64::ANY) {
            let pln = |m| Money::new(m, Currency::PLN);
            proptest::prop_assert_eq!(pln(a).checked_add(pln(b)).map(|m| m.minor), a.checked_add(b));
            proptest::prop_assert_eq!(pln(a).checked_mul(q).map(|m| m.minor), a.checked_mul(q));
        }
    }
}
