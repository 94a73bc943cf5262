//! Phone numbers in E.164, parsed with libphonenumber's rules (numbers without a country
//! code are taken as Polish).

use std::fmt;

use super::Error;

/// A valid phone number, formatted as E.164 (`+48500100200`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Parses what a person typed: spaces, dashes, brackets, `00` or `+` prefixes are fine.
    pub fn parse(text: &str) -> Result<Phone, Error> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::invalid("phone", "is required"));
        }
        if text.len() > 32 {
            return Err(Error::invalid("phone", "is too long to be a phone number"));
        }
        // The parser trips over some groupings (`+48500-100-200`, found by the property
        // test); it needs only the digits and a leading `+`.
        let compact: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}'))
            .collect();
        let number = phonenumber::parse(Some(phonenumber::country::Id::PL), &compact)
            .map_err(|_| Error::invalid("phone", format!("`{text}` is not a phone number")))?;
        if !phonenumber::is_valid(&number) {
            return Err(Error::invalid(
                "phone",
                format!("`{text}` is not a valid phone number"),
            ));
        }
        Ok(Phone(
            number.format().mode(phonenumber::Mode::E164).to_string(),
        ))
    }

    /// The E.164 text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The country the number belongs to (`None` for non-geographic numbers).
    pub fn country(&self) -> Option<phonenumber::country::Id> {
        phonenumber::parse(None, &self.0).ok()?.country().id()
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polish_numbers_in_any_usual_notation_become_e164() {
        for text in [
            "500 100 200",
            "+48 500-100-200",
            "0048500100200",
            "(+48) 500100200",
        ] {
            assert_eq!(
                Phone::parse(text).map(|p| p.0).ok().as_deref(),
                Some("+48500100200"),
                "{text}"
            );
        }
        assert_eq!(
            Phone::parse("+90 532 123 45 67")
                .map(|p| p.0)
                .ok()
                .as_deref(),
            Some("+905321234567")
        );
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for text in [
            "",
            "abc",
            "12",
            "+48 123",
            "+999 123456789",
            "5001002001234567",
        ] {
            assert!(
                matches!(
                    Phone::parse(text),
                    Err(Error::Invalid { field: "phone", .. })
                ),
                "{text}"
            );
        }
    }

    proptest::proptest! {
        // Whatever is typed: a number in E.164 that parses to itself, or an error; no panic.
        #[test]
        fn any_text_parses_to_a_stable_e164_number_or_an_error(text in "\\PC{0,40}") {
            if let Ok(phone) = Phone::parse(&text) {
                let again = Phone::parse(phone.as_str()).map(|p| p.as_str().to_owned()).ok();
                proptest::prop_assert_eq!(again.as_deref(), Some(phone.as_str()));
                proptest::prop_assert!(phone.as_str().starts_with('+'));
            }
        }

        // Polish mobile numbers typed with any spacing, dashes or prefix come out the same.
        #[test]
        fn polish_mobiles_in_any_notation_normalise_alike(
            digits in "(50|51|53|57|60|66|69|72|73|78|79|88)[0-9]{7}",
            prefix in proptest::sample::select(vec!["", "+48", "0048", "+48 ", "(+48) "]),
            separator in proptest::sample::select(vec!["", " ", "-"]),
        ) {
            let grouped = [&digits[..3], &digits[3..6], &digits[6..]].join(separator);
            let typed = format!("{prefix}{grouped}");
            let phone = Phone::parse(&typed).map(|p| p.as_str().to_owned());
            proptest::prop_assert_eq!(phone.ok(), Some(format!("+48{digits}")));
        }
    }
}
