//! `Check::shard`: the shards' schedules are disjoint and together the
//! unsharded check's.

use proptest::prelude::*;

use super::{Check, Strategy};
use crate::shard::Shard;

fn seeds(check: &Check) -> Vec<u64> {
    (0..).map_while(|k| check.nth_schedule(k)).collect()
}

proptest! {
    #[test]
    fn shards_run_disjoint_schedules_whose_union_is_the_whole(schedules in 0u64..300, count in 1usize..9) {
        let whole = Check::new(Strategy::Random, schedules);
        let mut union: Vec<u64> = Vec::new();
        for index in 0..count {
            let part = Check { shard: Some(Shard { index, count }), ..whole.clone() };
            let mine = seeds(&part);
            prop_assert_eq!(mine.len() as u64, part.owned());
            prop_assert!(mine.windows(2).all(|w| w[0] < w[1]));
            union.extend(mine);
        }
        union.sort_unstable();
        prop_assert_eq!(union, seeds(&whole));
        prop_assert_eq!(seeds(&whole), (1..=schedules).collect::<Vec<_>>());
    }
}
