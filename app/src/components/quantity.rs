//! A quantity field with − and + buttons.

use leptos::prelude::*;

use crate::i18n::{Key, t};
use crate::use_locale;

/// A number field that works as plain HTML; once hydrated, the − and + buttons step it
/// between `min` and `max`.
#[component]
pub fn QuantityStepper(
    /// Used to build unique element ids.
    id: String,
    /// Least quantity.
    min: u32,
    /// Greatest quantity.
    max: u32,
) -> impl IntoView {
    let locale = use_locale();
    let quantity = RwSignal::new(min);
    let input_id = format!("qty-{id}");
    view! {
        <div class="quantity">
            <label for=input_id.clone() class="visually-hidden">{t(locale, Key::Quantity)}</label>
            <button
                type="button"
                class="step"
                aria-label=t(locale, Key::Decrease)
                on:click=move |_| quantity.update(|q| *q = q.saturating_sub(1).max(min))
                prop:disabled=move || { quantity.get() <= min }
            >
                "−"
            </button>
            <input
                id=input_id
                name="quantity"
                type="number"
                inputmode="numeric"
                min=min
                max=max
                value=min
                prop:value=move || quantity.get().to_string()
                on:change=move |ev| {
                    if let Ok(q) = event_target_value(&ev).parse::<u32>() {
                        quantity.set(q.clamp(min, max));
                    }
                }
            />
            <button
                type="button"
                class="step"
                aria-label=t(locale, Key::Increase)
                on:click=move |_| quantity.update(|q| *q = (*q + 1).min(max))
                prop:disabled=move || { quantity.get() >= max }
            >
                "+"
            </button>
        </div>
    }
}
