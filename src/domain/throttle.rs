//! Login throttling: after repeated failures for one email, or from one client address,
//! further attempts get 429 with `Retry-After` until the window passes. Successful logins
//! are never slowed, and a success clears the email's count. Kept in memory per instance.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::AppError;

pub struct LoginThrottle {
    max_failures: u32,
    window: Duration,
    counts: Mutex<HashMap<String, Count>>,
}

/// One key's failures within the window, and its attempts still being checked.
struct Count {
    failures: u32,
    in_flight: u32,
    since: Instant,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new(5, Duration::from_secs(300))
    }
}

impl LoginThrottle {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures,
            window,
            counts: Mutex::new(HashMap::new()),
        }
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, HashMap<String, Count>> {
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn keys(email: &str, client: &str) -> [String; 2] {
        [
            format!("email:{}", email.trim().to_lowercase()),
            format!("client:{client}"),
        ]
    }

    /// Admits a login attempt, or refuses it with 429 when either key has used up its
    /// failures. Attempts still being checked count as failures until they turn out not to
    /// be, so a burst of parallel guesses gets no more tries than guesses one at a time.
    pub fn attempt(&self, email: &str, client: &str) -> Result<Attempt<'_>, AppError> {
        let keys = Self::keys(email, client);
        let mut counts = self.counts();
        let now = Instant::now();
        // A window that has passed starts over: the key goes, or starts afresh while attempts
        // are in flight.
        counts.retain(|_, c| {
            if now.duration_since(c.since) < self.window {
                return true;
            }
            c.failures = 0;
            c.since = now;
            c.in_flight > 0
        });
        // A client gets more room than a single email: several people may share an address.
        for (key, limit) in keys.iter().zip([self.max_failures, self.max_failures * 4]) {
            if let Some(c) = counts.get(key)
                && c.failures + c.in_flight >= limit
            {
                let left = self.window.saturating_sub(now.duration_since(c.since));
                return Err(AppError::TooManyRequests {
                    retry_after_secs: left.as_secs().max(1),
                });
            }
        }
        for key in &keys {
            counts
                .entry(key.clone())
                .or_insert(Count {
                    failures: 0,
                    in_flight: 0,
                    since: now,
                })
                .in_flight += 1;
        }
        drop(counts);
        Ok(Attempt {
            throttle: self,
            keys,
        })
    }
}

/// An admitted login attempt; it stops counting as in flight when it ends, however it ends.
pub struct Attempt<'a> {
    throttle: &'a LoginThrottle,
    keys: [String; 2],
}

impl Attempt<'_> {
    /// Wrong credentials: a failure for the email and the client.
    pub fn failed(self) {
        let mut counts = self.throttle.counts();
        for key in &self.keys {
            if let Some(c) = counts.get_mut(key) {
                c.failures += 1;
            }
        }
    }

    /// Signed in: the email's failures are forgiven.
    pub fn succeeded(self) {
        let mut counts = self.throttle.counts();
        if let Some(c) = counts.get_mut(&self.keys[0]) {
            c.failures = 0;
        }
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        let mut counts = self.throttle.counts();
        for key in &self.keys {
            if let Some(c) = counts.get_mut(key) {
                c.in_flight = c.in_flight.saturating_sub(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(t: &LoginThrottle, email: &str, client: &str) -> bool {
        matches!(
            t.attempt(email, client),
            Err(AppError::TooManyRequests { .. })
        )
    }

    #[test]
    fn repeated_failures_for_one_email_are_refused() {
        let t = LoginThrottle::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            t.attempt("a@x.org", "c1").unwrap().failed();
        }
        assert!(refused(&t, "A@x.org", "c2"));
        // another email from another client is unaffected
        assert!(!refused(&t, "b@x.org", "c2"));
    }

    #[test]
    fn success_clears_the_email_count() {
        let t = LoginThrottle::new(2, Duration::from_secs(60));
        t.attempt("a@x.org", "c1").unwrap().failed();
        t.attempt("a@x.org", "c1").unwrap().succeeded();
        t.attempt("a@x.org", "c1").unwrap().failed();
        assert!(!refused(&t, "a@x.org", "c3"));
    }

    #[test]
    fn attempts_in_flight_count_against_the_limit() {
        let t = LoginThrottle::new(3, Duration::from_secs(60));
        let parallel: Vec<_> = (0..3)
            .map(|_| t.attempt("a@x.org", "c1").unwrap())
            .collect();
        assert!(refused(&t, "a@x.org", "c2"));
        // Attempts that end without a verdict (say, the database failed) give their room back.
        drop(parallel);
        assert!(!refused(&t, "a@x.org", "c2"));
    }

    #[test]
    fn failures_expire_with_their_window_even_while_attempts_are_in_flight() {
        let t = LoginThrottle::new(3, Duration::from_millis(50));
        t.attempt("a@x.org", "c1").unwrap().failed();
        t.attempt("a@x.org", "c1").unwrap().failed();
        // Two failures and one attempt in flight: the limit is reached.
        let busy = t.attempt("a@x.org", "c1").unwrap();
        assert!(refused(&t, "a@x.org", "c2"));
        // The window passes while that attempt is still being checked: the failures go.
        std::thread::sleep(Duration::from_millis(80));
        assert!(!refused(&t, "a@x.org", "c2"));
        drop(busy);
    }

    #[test]
    fn a_client_has_four_times_an_emails_room() {
        let t = LoginThrottle::new(2, Duration::from_secs(60));
        for i in 0..8 {
            t.attempt(&format!("u{i}@x.org"), "c1").unwrap().failed();
        }
        assert!(refused(&t, "new@x.org", "c1"));
        assert!(!refused(&t, "new@x.org", "c2"));
    }
}
