//! One definition of a percentile for every tool.

use std::cmp::Ordering;

/// A sample value with a total order (latencies in milliseconds, as `f64` or `u64`).
pub trait Sample: Copy + Default {
    fn order(&self, other: &Self) -> Ordering;
}

impl Sample for f64 {
    fn order(&self, other: &Self) -> Ordering {
        self.total_cmp(other)
    }
}

impl Sample for u64 {
    fn order(&self, other: &Self) -> Ordering {
        self.cmp(other)
    }
}

/// Nearest-rank percentile (`p` in 0..=100): the smallest sample that at least `p` percent of
/// the samples do not exceed. The samples need not be sorted; zero when there are none.
pub fn percentile<T: Sample>(samples: &[T], p: f64) -> T {
    if samples.is_empty() {
        return T::default();
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(T::order);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn median(values: &[f64]) -> f64 {
    percentile(values, 50.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_of_unsorted_samples() {
        let samples: Vec<u64> = (1..=100).rev().collect();
        assert_eq!(percentile(&samples, 50.0), 50);
        assert_eq!(percentile(&samples, 95.0), 95);
        assert_eq!(percentile(&samples, 99.0), 99);
        assert_eq!(percentile(&samples, 100.0), 100);
        assert_eq!(percentile(&samples, 0.0), 1);
        assert_eq!(percentile(&[3.0, 1.0, 2.0], 50.0), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.0);
    }

    #[test]
    fn no_samples_give_zero() {
        assert_eq!(percentile::<u64>(&[], 50.0), 0);
        assert_eq!(median(&[]), 0.0);
    }
}
