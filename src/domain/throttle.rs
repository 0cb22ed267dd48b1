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
    failures: Mutex<HashMap<String, (u32, Instant)>>,
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
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(email: &str, client: &str) -> [String; 2] {
        [
            format!("email:{}", email.trim().to_lowercase()),
            format!("client:{client}"),
        ]
    }

    /// Refuses the attempt with 429 when either key has used up its failures.
    pub fn check(&self, email: &str, client: &str) -> Result<(), AppError> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        map.retain(|_, (_, since)| now.duration_since(*since) < self.window);
        // A client gets more room than a single email: several people may share an address.
        for (key, limit) in Self::keys(email, client)
            .iter()
            .zip([self.max_failures, self.max_failures * 4])
        {
            if let Some((count, since)) = map.get(key)
                && *count >= limit
            {
                let left = self.window.saturating_sub(now.duration_since(*since));
                return Err(AppError::TooManyRequests {
                    retry_after_secs: left.as_secs().max(1),
                });
            }
        }
        Ok(())
    }

    pub fn failed(&self, email: &str, client: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for key in Self::keys(email, client) {
            map.entry(key).or_insert((0, Instant::now())).0 += 1;
        }
    }

    pub fn succeeded(&self, email: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&format!("email:{}", email.trim().to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_failures_for_one_email_are_refused() {
        let t = LoginThrottle::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            t.check("a@x.org", "c1").unwrap();
            t.failed("a@x.org", "c1");
        }
        assert!(matches!(
            t.check("A@x.org", "c2"),
            Err(AppError::TooManyRequests { .. })
        ));
        // another email from another client is unaffected
        assert!(t.check("b@x.org", "c2").is_ok());
    }

    #[test]
    fn success_clears_the_email_count() {
        let t = LoginThrottle::new(2, Duration::from_secs(60));
        t.failed("a@x.org", "c1");
        t.succeeded("a@x.org");
        t.failed("a@x.org", "c1");
        assert!(t.check("a@x.org", "c3").is_ok());
    }
}
