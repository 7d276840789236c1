//! The bazaar: the assignment's test cases, contention for the last items, and random markets.

mod assignment_cases;
mod contention;
mod properties;
