//! The core's run-wide switches, packed into one byte.
//!
//! Every parking task asks whether it may hand off (see `handoff`), which needs
//! all of these clear: as one byte that is one load and a test per park, where
//! separate flags would be a load and a branch each.

use std::cell::Cell;

/// Hand-offs are off for the whole run (a random tie-break, or the shared stack).
const NO_HAND_OFFS: u8 = 1;
/// A parking task is running ready tasks itself.
const HANDING_OFF: u8 = 2;
/// A failure or `stop` interrupted the run.
const INTERRUPTED: u8 = 4;
/// The runtime is being dropped: every resumed task unwinds.
const TEARING_DOWN: u8 = 8;

/// The core's run-wide switches.
pub(crate) struct RunFlags(Cell<u8>);

impl RunFlags {
    /// All clear, with hand-offs allowed for this run or not.
    pub fn new(hand_offs: bool) -> Self {
        RunFlags(Cell::new(if hand_offs { 0 } else { NO_HAND_OFFS }))
    }

    #[inline(always)]
    fn is(&self, flag: u8) -> bool {
        self.0.get() & flag != 0
    }

    #[inline(always)]
    fn set(&self, flag: u8, on: bool) {
        let bits = self.0.get();
        self.0.set(if on { bits | flag } else { bits & !flag });
    }

    /// Whether a parking task may hand off: allowed for the run, not already
    /// handing off, neither interrupted nor torn down.
    #[inline(always)]
    pub fn hand_off_allowed(&self) -> bool {
        self.0.get() == 0
    }

    /// Whether a failure or `stop` interrupted the run.
    #[inline(always)]
    pub fn interrupted(&self) -> bool {
        self.is(INTERRUPTED)
    }

    /// Marks the run interrupted, or resumable again.
    pub fn set_interrupted(&self, on: bool) {
        self.set(INTERRUPTED, on);
    }

    /// Whether the runtime is being dropped.
    #[inline(always)]
    pub fn tearing_down(&self) -> bool {
        self.is(TEARING_DOWN)
    }

    /// Marks the runtime as being dropped.
    pub fn set_tearing_down(&self) {
        self.set(TEARING_DOWN, true);
    }

    /// Marks a hand-off as begun or ended.
    #[inline(always)]
    pub fn set_handing_off(&self, on: bool) {
        self.set(HANDING_OFF, on);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_offs_need_every_switch_clear() {
        let f = RunFlags::new(true);
        assert!(f.hand_off_allowed());
        f.set_handing_off(true);
        assert!(!f.hand_off_allowed());
        f.set_handing_off(false);
        f.set_interrupted(true);
        assert!(f.interrupted() && !f.hand_off_allowed());
        f.set_interrupted(false);
        assert!(!f.interrupted() && f.hand_off_allowed());
        f.set_tearing_down();
        assert!(f.tearing_down() && !f.hand_off_allowed());
        let off = RunFlags::new(false);
        assert!(!off.hand_off_allowed() && !off.interrupted() && !off.tearing_down());
    }
}
