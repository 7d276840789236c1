//! The bazaar: the seed's test cases, contention for the last items, and random markets.

mod contention;
mod properties;
mod seed_cases;
