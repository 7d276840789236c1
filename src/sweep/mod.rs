//! Parameter sweeps: the Cartesian product of swept scenario keys, times seeds, each
//! run an independent simulation on one of N OS threads; one row per run
//! (`sweep.csv`) and the mean with a 95% confidence interval per point
//! (`aggregate.csv`).
//!
//! ```no_run
//! use p2psim::sweep::{aggregate, grid, row::Base, runner, table::SweepTable};
//!
//! let params = vec![grid::Param::parse("pool.capacity=8,16,32").unwrap()];
//! let points = grid::points(&params);
//! let seeds: Vec<Option<u64>> = (1..=5).map(Some).collect();
//! let base = Base { path: "scenarios/exhaustion-reject.toml".into(), fixed: vec![], loads: 1 };
//! let mechanisms = p2psim::mechanisms::builtin();
//! let rows = runner::run_all(&mechanisms, &base, &points, &seeds, 2, |_| {});
//! let table = SweepTable::new(vec!["pool.capacity".into()], rows);
//! let stats = aggregate::aggregate(&table);
//! println!("{}", aggregate::to_csv(&table.params, &stats));
//! ```

pub mod aggregate;
pub mod grid;
pub mod journal;
pub mod merge;
pub mod plan;
pub mod row;
pub mod runner;
pub mod seeds;
pub mod spec;
pub mod table;
