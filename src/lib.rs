//! p2psim: a deterministic virtual-time simulator for peer-to-peer networks.
//!
//! The facade re-exports the layers: [`runtime`] (scheduler, TaskThread pool,
//! primitives), [`sim`] (network layer) and [`mechanisms`](mod@mechanisms); [`workloads`] holds
//! the standard benchmark workloads; [`sweep`] and [`plot`] run parameter sweeps
//! and chart them.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub use p2psim_mechanisms as mechanisms;
pub use p2psim_runtime as runtime;
pub use p2psim_sim as sim;

pub mod cli;

/// The allocator the `p2psim` binary runs on: mimalloc (simulations allocate
/// and free millions of small objects, which it serves fast), wrapped so that
/// memory the system refuses is a report with exit status 1, not an abort. A
/// program built on [`cli::main`] uses it with
/// `#[global_allocator] static ALLOC: p2psim::Allocator = p2psim::Allocator;`.
pub type Allocator = runtime::ReportingAlloc<mimalloc::MiMalloc>;

/// The one value of [`Allocator`], named like it (as a unit struct's is).
#[allow(non_upper_case_globals)]
pub const Allocator: Allocator = runtime::ReportingAlloc::new(mimalloc::MiMalloc);
pub mod plot;
pub mod results;
pub mod rss;
pub mod sweep;
pub mod workloads;

/// The list of mechanisms a user's binary hands to [`cli::main`]:
/// `mechanisms![Gossip, Chord]` is the shipped mechanisms and these,
/// `mechanisms![only: Gossip, Chord]` exactly these (a mechanism of yours
/// may then share a shipped one's name, `transfer` say). Two of one name are
/// refused with what to change ([`sim::Mechanisms::ready`]), never run.
///
/// ```
/// use p2psim::mechanisms::transfer::Transfer;
/// let mine = p2psim::mechanisms![only: Transfer];
/// assert_eq!(mine.kinds(), ["transfer"]);
/// assert!(p2psim::mechanisms![].kinds().len() > 1);
/// assert!(p2psim::mechanisms![Transfer].ready().is_err());
/// ```
#[macro_export]
macro_rules! mechanisms {
    (only: $($m:ty),* $(,)?) => {
        $crate::sim::Mechanisms::new()$(.with::<$m>())*
    };
    ($($m:ty),* $(,)?) => {
        $crate::mechanisms::builtin()$(.with::<$m>())*
    };
}

/// The README's code, compiled with the tests (its tutorial mechanism must build).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
