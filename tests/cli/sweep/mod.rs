//! Parameter sweeps: rows equal separate runs, shards partition the grid, the
//! aggregate's intervals, and a monotone figure over a small grid.

mod aggregate_ci;
mod matches_run;
mod reject_monotone;
mod shards;
