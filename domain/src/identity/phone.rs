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
        let number = phonenumber::parse(Some(phonenumber::country::Id::PL), text)
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
}
