//! The languages the shop speaks, and choosing one from what a client asks for.

use std::fmt;

/// A supported content language.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// Polish, the default.
    #[default]
    Pl,
    /// English.
    En,
    /// Turkish.
    Tr,
}

impl Locale {
    /// Every supported locale, the default first.
    pub const ALL: [Locale; 3] = [Locale::Pl, Locale::En, Locale::Tr];

    /// Parses a language code (`pl`, `en-GB`, `TR`); `None` for a language we do not speak.
    pub fn parse(code: &str) -> Option<Locale> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "pl" => Some(Locale::Pl),
            "en" => Some(Locale::En),
            "tr" => Some(Locale::Tr),
            _ => None,
        }
    }

    /// The two-letter code stored in the database, used in `<html lang>`, `?lang=` and the
    /// `lang` cookie.
    pub fn code(self) -> &'static str {
        match self {
            Locale::Pl => "pl",
            Locale::En => "en",
            Locale::Tr => "tr",
        }
    }

    /// The locale for exactly its code (`pl`, `en`, `tr`); `None` for anything else.
    pub fn from_code(code: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::Pl => "Polski",
            Locale::En => "English",
            Locale::Tr => "Türkçe",
        }
    }

    /// Picks the best supported language from an `Accept-Language` header value,
    /// honouring q-values; `None` when nothing matches.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut best: Option<(Locale, u16)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let Some(locale) = pieces.next().and_then(Locale::parse) else {
                continue;
            };
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), parse_quality);
            let Some(quality) = quality.filter(|q| *q > 0) else {
                continue;
            };
            if best.is_none_or(|(_, q)| quality > q) {
                best = Some((locale, quality));
            }
        }
        best.map(|(locale, _)| locale)
    }
}

/// A q-value as thousandths (`0.8` -> 800); `None` when malformed.
fn parse_quality(q: &str) -> Option<u16> {
    let value: f32 = q.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_region_tags_and_rejects_others() {
        assert_eq!(Locale::parse("en-GB"), Some(Locale::En));
        assert_eq!(Locale::parse("TR"), Some(Locale::Tr));
        assert_eq!(Locale::parse("de"), None);
        assert_eq!(Locale::parse(""), None);
    }

    #[test]
    fn accept_language_honours_quality() {
        assert_eq!(
            Locale::from_accept_language("de-DE,de;q=0.9,tr;q=0.8,en;q=0.7"),
            Some(Locale::Tr)
        );
        assert_eq!(
            Locale::from_accept_language("en;q=0.5, pl"),
            Some(Locale::Pl)
        );
        assert_eq!(Locale::from_accept_language("fr, de"), None);
        assert_eq!(Locale::from_accept_language("en;q=0"), None);
        assert_eq!(
            Locale::from_accept_language("en;q=abc, tr"),
            Some(Locale::Tr)
        );
    }
}
