//! The mechanisms shipped with p2psim, as a list a program runs scenarios with.

use p2psim_sim::Mechanisms;

use crate::bazaar::Bazaar;
use crate::fada::Fada;
use crate::flood::Flood;
use crate::nested::Nested;
use crate::transfer::Transfer;

/// Every shipped mechanism: `flood`, `fada`, `bazaar`, `nested` and `transfer`. A user's
/// program adds its own with [`Mechanisms::with`].
pub fn builtin() -> Mechanisms {
    Mechanisms::new()
        .with::<Flood>()
        .with::<Fada>()
        .with::<Bazaar>()
        .with::<Nested>()
        .with::<Transfer>()
}
