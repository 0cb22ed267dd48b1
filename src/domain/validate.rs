//! Input checks that collect every problem, so that a 422 names all bad fields at once.

use std::str::FromStr;

use serde::{Deserialize, Deserializer};

use crate::error::{AppError, FieldErrors};
use crate::model::{Choice, Page};

/// What a required field left blank is told.
pub const EMPTY: &str = "must not be empty";

#[derive(Default)]
pub struct Checks(FieldErrors);

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn fail(&mut self, field: &str, problem: impl Into<String>) {
        self.0
            .entry(field.to_string())
            .or_default()
            .push(problem.into());
    }

    /// Trims `value` and requires `min..=max` characters, none of them NUL (which some
    /// databases cannot store in text).
    pub fn text(&mut self, field: &str, value: &str, min: usize, max: usize) -> String {
        let trimmed = value.trim();
        let len = trimmed.chars().count();
        if trimmed.contains('\0') {
            self.fail(field, "must not contain NUL characters");
        } else if len < min {
            self.fail(
                field,
                if min == 1 {
                    EMPTY.to_string()
                } else {
                    format!("must be at least {min} characters")
                },
            );
        } else if len > max {
            self.fail(field, format!("must be at most {max} characters"));
        }
        trimmed.to_string()
    }

    /// Lower-cases and checks the shape of an email address.
    pub fn email(&mut self, field: &str, value: &str) -> String {
        let email = value.trim().to_lowercase();
        if !is_email(&email) {
            self.fail(field, "must be a valid email address");
        }
        email
    }

    pub fn range(&mut self, field: &str, value: i64, min: i64, max: i64) {
        if value < min || value > max {
            self.fail(field, format!("must be between {min} and {max}"));
        }
    }

    /// The value of a closed set that the client chose, `default` when they chose none; a
    /// value outside the set fails the field and reads as `default`.
    pub fn choice<T: Choice>(&mut self, field: &str, given: Option<Given<T>>, default: T) -> T {
        match given {
            None => default,
            Some(Given::Known(value)) => value,
            Some(Given::Unknown(_)) => {
                self.fail(field, T::expected());
                default
            }
        }
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.0))
        }
    }
}

/// A value of a closed set as a client sent it: one of `T`'s values, or text that is not one,
/// which [`Checks::choice`] reports along with every other bad field. (A blank query value
/// never gets here: the query extractor drops it as absent.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Given<T> {
    Known(T),
    Unknown(String),
}

impl<T> From<T> for Given<T> {
    fn from(value: T) -> Self {
        Self::Known(value)
    }
}

impl<'de, T: FromStr> Deserialize<'de> for Given<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(match text.trim().parse() {
            Ok(value) => Self::Known(value),
            Err(_) => Self::Unknown(text),
        })
    }
}

/// A practical address check: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn is_email(email: &str) -> bool {
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
}

/// `page` (from 1) and `per_page` (1..=100, default 10) of a list request.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
}

impl PageRequest {
    pub fn new(page: Option<i64>, per_page: Option<i64>) -> Result<Self, AppError> {
        let mut checks = Checks::new();
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(10);
        checks.range("page", page, 1, i64::from(i32::MAX));
        checks.range("per_page", per_page, 1, 100);
        checks.finish()?;
        Ok(Self { page, per_page })
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    pub fn into_page<T>(self, data: Vec<T>, total: i64) -> Page<T> {
        Page {
            data,
            current_page: self.page,
            per_page: self.per_page,
            total,
            last_page: ((total + self.per_page - 1) / self.per_page).max(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_shapes() {
        assert!(is_email("ann@example.org"));
        assert!(is_email("a.b+c@mail.example.co"));
        assert!(!is_email("ann@example"));
        assert!(!is_email("ann example@x.org"));
        assert!(!is_email("@x.org"));
        assert!(!is_email("ann@@x.org"));
        assert!(!is_email("ann@x..org"));
    }

    #[test]
    fn checks_collect_all_fields() {
        let mut c = Checks::new();
        c.text("name", "  ", 1, 255);
        c.email("email", "nope");
        c.text("password", "short", 8, 1024);
        let Err(AppError::Validation(fields)) = c.finish() else {
            panic!("expected 422")
        };
        assert_eq!(fields.len(), 3);
        assert_eq!(fields["name"], vec!["must not be empty"]);
    }

    #[test]
    fn text_refuses_nul_characters() {
        let mut c = Checks::new();
        c.text("title", "Stand\0up", 1, 255);
        let Err(AppError::Validation(fields)) = c.finish() else {
            panic!("expected 422")
        };
        assert_eq!(fields["title"], vec!["must not contain NUL characters"]);
    }
}
