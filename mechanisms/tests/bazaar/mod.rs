//! The bazaar: the assignment's test cases, contention for the last items, and random markets.

mod contention;
mod properties;
mod assignment_cases;
