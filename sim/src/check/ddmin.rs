//! Delta debugging (Zeller and Hildebrandt, 2002): the smallest subset of a
//! failing input that still fails, by trying halves, then quarters, and so on.

/// A 1-minimal subset of `items` for which `fails` holds (removing any single
/// item makes it pass), given that it holds for `items`; `fails` is called at
/// most `budget` times.
pub(crate) fn ddmin<T: Clone>(
    items: Vec<T>,
    budget: &mut usize,
    fails: &mut dyn FnMut(&[T]) -> bool,
) -> Vec<T> {
    let mut items = items;
    let mut test = |candidate: &[T], budget: &mut usize| -> bool {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        fails(candidate)
    };
    if !items.is_empty() && test(&[], budget) {
        return Vec::new();
    }
    let mut n = 2;
    while items.len() >= 2 && *budget > 0 {
        let chunk = items.len().div_ceil(n);
        let parts: Vec<Vec<T>> = items.chunks(chunk).map(<[T]>::to_vec).collect();
        let mut reduced = false;
        for part in &parts {
            if test(part, budget) {
                items = part.clone();
                n = 2;
                reduced = true;
                break;
            }
        }
        if !reduced && parts.len() > 2 {
            for i in 0..parts.len() {
                let rest: Vec<T> = parts
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .flat_map(|(_, p)| p.iter().cloned())
                    .collect();
                if test(&rest, budget) {
                    items = rest;
                    n = (n - 1).max(2);
                    reduced = true;
                    break;
                }
            }
        }
        if !reduced {
            if n >= items.len() {
                break;
            }
            n = (n * 2).min(items.len());
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn finds_the_two_items_that_fail_together() {
        let items: Vec<u32> = (0..200).collect();
        let mut budget = 10_000;
        let got = ddmin(items, &mut budget, &mut |s| {
            s.contains(&17) && s.contains(&163)
        });
        assert_eq!(got, vec![17, 163]);
    }

    proptest! {
        /// For all failing sets defined by a required subset, the result fails
        /// and is exactly that subset (1-minimal means nothing can go).
        #[test]
        fn the_result_fails_and_is_one_minimal(
            n in 1usize..120,
            needed in prop::collection::btree_set(0usize..120, 0..5),
        ) {
            let needed: Vec<usize> = needed.into_iter().filter(|&x| x < n).collect();
            let fails = |s: &[usize]| needed.iter().all(|x| s.contains(x));
            let mut budget = 100_000;
            let got = ddmin((0..n).collect(), &mut budget, &mut |s| fails(s));
            prop_assert!(fails(&got));
            prop_assert_eq!(got, needed);
        }
    }
}
