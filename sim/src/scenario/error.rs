//! The one error type every scenario mistake is reported with.

use std::fmt;

use super::source::Loc;

/// A located scenario mistake: where it is, which key, what is wrong and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// File name, or `--set key=value` for command-line overrides.
    pub origin: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// Dotted key path, e.g. `pool.capacity` or `load[0].rate`.
    pub key: String,
    /// What is wrong, including what was expected.
    pub message: String,
    /// How to fix it, when there is something more useful to say than the message.
    pub help: Option<String>,
}

impl ScenarioError {
    /// Builds an error located at `loc`; an empty help counts as none.
    pub(crate) fn at(
        loc: &Loc,
        key: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        let (line, column) = loc.line_col();
        let help = help.into();
        ScenarioError {
            origin: loc.origin().to_string(),
            line,
            column,
            key: key.to_string(),
            message: message.into(),
            help: if help.is_empty() { None } else { Some(help) },
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "error: {}:{}:{}: `{}`: {}",
            self.origin, self.line, self.column, self.key, self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_has_location_key_and_help() {
        let e = ScenarioError {
            origin: "a.toml".into(),
            line: 3,
            column: 7,
            key: "pool.capacity".into(),
            message: "expected an integer >= 1, found 0".into(),
            help: Some("use 1 or more".into()),
        };
        assert_eq!(
            e.to_string(),
            "error: a.toml:3:7: `pool.capacity`: expected an integer >= 1, found 0\n  help: use 1 or more"
        );
        let no_help = ScenarioError { help: None, ..e };
        assert!(!no_help.to_string().contains("help"));
    }
}
