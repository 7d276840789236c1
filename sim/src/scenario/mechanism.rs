//! `[mechanism]`: which protocol runs, plus its free-form parameters.

use super::convert;
use super::error::ScenarioError;
use super::params::Params;

/// The mechanism and the parameters it will read itself.
#[derive(Clone, Debug)]
pub struct MechanismSpec {
    /// Registry name, checked later by the mechanism registry.
    pub kind: String,
    /// Every other key in `[mechanism]`; the mechanism must call `finish()` after reading.
    pub params: Params,
}

/// Reads `[mechanism]`; only `kind` is checked here.
pub(crate) fn read(m: Params) -> Result<MechanismSpec, ScenarioError> {
    let kind = m.require("kind", "kind = \"flood\"", |n| convert::string(n, true))?;
    Ok(MechanismSpec { kind, params: m })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_is_required_and_params_kept() {
        let m =
            read(Params::from_toml_str("kind = \"flood\"\nfanout = 3", "t", "mechanism").unwrap())
                .unwrap();
        assert_eq!(m.kind, "flood");
        assert_eq!(m.params.u64("fanout", 1).unwrap(), 3);
        // `kind` counts as read, so only the mechanism's own keys matter to finish().
        assert!(m.params.finish().is_ok());
        let e = read(Params::from_toml_str("fanout = 3", "t", "mechanism").unwrap()).unwrap_err();
        assert_eq!(e.key, "mechanism.kind");
        let e = read(Params::from_toml_str("kind = \"\"", "t", "mechanism").unwrap()).unwrap_err();
        assert!(e.message.contains("non-empty"));
    }
}
