//! The one cart calculation, used by the cart page, the API and checkout: line totals,
//! subtotal, shipping, VAT per rate and the total, all in integer minor units.
//!
//! The rounding rule, everywhere (cart, order, invoice, Stripe): gross amounts are exact;
//! VAT is computed once per rate on the sum of that rate's gross amounts, rounded half up.
//! Shipping is taxed like the goods it delivers: its gross fee is split over the goods'
//! rates in proportion to their gross values ([`apportion`]).

use crate::shared::money::{apportion, vat_breakdown};
use crate::shared::{VatLine, VatRate};

/// How shipping is charged: a flat fee, free from a subtotal on. Its VAT follows the goods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShippingRule {
    /// Gross fee in minor units.
    pub fee_minor: i64,
    /// Subtotals at or above this ship free.
    pub free_from_minor: i64,
}

impl Default for ShippingRule {
    /// 14.99 zł, free from 200 zł.
    fn default() -> Self {
        ShippingRule {
            fee_minor: 1499,
            free_from_minor: 20_000,
        }
    }
}

/// A line to calculate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalcLine {
    /// Gross unit price in minor units.
    pub unit_price_minor: i64,
    /// Units.
    pub quantity: i32,
    /// VAT rate.
    pub vat_rate: VatRate,
}

/// The calculated cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    /// Gross total per line, in the order given.
    pub line_totals_minor: Vec<i64>,
    /// Sum of the line totals.
    pub subtotal_minor: i64,
    /// Shipping charged (0 when free or the cart is empty).
    pub shipping_minor: i64,
    /// Subtotal plus shipping.
    pub total_minor: i64,
    /// Net, VAT and gross per rate, shipping included; the gross amounts add up to the total.
    pub vat: Vec<VatLine>,
}

/// The amounts do not fit in 64 bits (never for a real cart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the cart total is too large")]
pub struct Overflow;

/// Calculates a cart. Negative prices or quantities are refused as `Overflow`'s sibling
/// cases cannot arise: callers pass database prices (`>= 0`) and quantities (`>= 1`).
pub fn calculate(lines: &[CalcLine], shipping: &ShippingRule) -> Result<Totals, Overflow> {
    let mut line_totals_minor = Vec::with_capacity(lines.len());
    let mut subtotal_minor: i64 = 0;
    for line in lines {
        let total = line
            .unit_price_minor
            .max(0)
            .checked_mul(i64::from(line.quantity.max(0)))
            .ok_or(Overflow)?;
        subtotal_minor = subtotal_minor.checked_add(total).ok_or(Overflow)?;
        line_totals_minor.push(total);
    }
    let shipping_minor = if lines.is_empty() || subtotal_minor >= shipping.free_from_minor {
        0
    } else {
        shipping.fee_minor.max(0)
    };
    let total_minor = subtotal_minor.checked_add(shipping_minor).ok_or(Overflow)?;
    let goods = lines
        .iter()
        .zip(&line_totals_minor)
        .map(|(line, total)| (line.vat_rate, *total));
    let vat = vat_breakdown(goods.clone().chain(apportion(shipping_minor, goods)));
    Ok(Totals {
        line_totals_minor,
        subtotal_minor,
        shipping_minor,
        total_minor,
        vat,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn rate(bp: i32) -> VatRate {
        VatRate::from_basis_points(bp).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_small_cart_pays_shipping_and_a_large_one_does_not() {
        let rule = ShippingRule::default();
        let butter = CalcLine {
            unit_price_minor: 799,
            quantity: 2,
            vat_rate: rate(500),
        };
        let totals = calculate(&[butter], &rule).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(totals.subtotal_minor, 1598);
        assert_eq!(totals.shipping_minor, 1499);
        assert_eq!(totals.total_minor, 3097);
        // Butter alone: the shipping is taxed at butter's 5 %, once on 30.97.
        assert_eq!(totals.vat.len(), 1);
        assert_eq!(totals.vat[0].rate, rate(500));
        assert_eq!(totals.vat[0].vat_minor, 147);
        // With bread (23 %) worth as much as the butter, each rate carries half the fee.
        let bread = CalcLine {
            unit_price_minor: 1598,
            quantity: 1,
            vat_rate: rate(2300),
        };
        let mixed = calculate(&[butter, bread], &rule).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(mixed.vat[0].rate, rate(2300));
        assert_eq!(mixed.vat[0].gross_minor, 1598 + 750);
        assert_eq!(mixed.vat[1].gross_minor, 1598 + 749);
        let big = CalcLine {
            quantity: 30,
            ..butter
        };
        let totals = calculate(&[big], &rule).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(totals.shipping_minor, 0);
        assert_eq!(totals.total_minor, 23_970);
        assert_eq!(calculate(&[], &rule).map(|t| t.total_minor), Ok(0));
    }

    fn any_rate() -> impl Strategy<Value = VatRate> {
        prop_oneof![Just(0), Just(500), Just(800), Just(2300)].prop_map(rate)
    }

    fn any_line() -> impl Strategy<Value = CalcLine> {
        (0i64..5_000_000, 1i32..10_000, any_rate()).prop_map(|(price, quantity, vat_rate)| {
            CalcLine {
                unit_price_minor: price,
                quantity,
                vat_rate,
            }
        })
    }

    proptest! {
        #[test]
        fn the_parts_add_up_to_the_total(
            lines in prop::collection::vec(any_line(), 0..40),
            fee in 0i64..10_000,
            free_from in 0i64..1_000_000,
        ) {
            let rule = ShippingRule { fee_minor: fee, free_from_minor: free_from };
            let totals = calculate(&lines, &rule).unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(totals.line_totals_minor.iter().sum::<i64>(), totals.subtotal_minor);
            prop_assert_eq!(totals.subtotal_minor + totals.shipping_minor, totals.total_minor);
            prop_assert_eq!(totals.vat.iter().map(|v| v.gross_minor).sum::<i64>(), totals.total_minor);
            for row in &totals.vat {
                prop_assert_eq!(row.net_minor + row.vat_minor, row.gross_minor);
            }
            for (line, total) in lines.iter().zip(&totals.line_totals_minor) {
                prop_assert_eq!(*total, line.unit_price_minor * i64::from(line.quantity));
            }
        }

        #[test]
        fn no_amount_is_ever_negative(
            lines in prop::collection::vec(any_line(), 0..40),
            fee in 0i64..10_000,
            free_from in 0i64..1_000_000,
        ) {
            let rule = ShippingRule { fee_minor: fee, free_from_minor: free_from };
            let totals = calculate(&lines, &rule).unwrap_or_else(|e| panic!("{e}"));
            prop_assert!(totals.subtotal_minor >= 0 && totals.shipping_minor >= 0 && totals.total_minor >= 0);
            prop_assert!(totals.line_totals_minor.iter().all(|t| *t >= 0));
            for row in &totals.vat {
                prop_assert!(row.net_minor >= 0 && row.vat_minor >= 0 && row.vat_minor <= row.gross_minor);
            }
            prop_assert!(totals.shipping_minor == 0 || totals.subtotal_minor < free_from);
        }
    }
}
