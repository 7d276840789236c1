//! The kinds of request a mechanism serves, and their names in `[[load]] request`.

use crate::mechanism::Mechanism;
use crate::scenario::{LoadSpec, ScenarioError};

/// The request kinds of one mechanism: a small `Copy` enum whose every value has
/// the name a `[[load]]` entry uses. [`request_kinds!`](crate::request_kinds)
/// writes the enum and this impl in one go.
///
/// ```
/// use p2psim_sim::RequestKind;
///
/// #[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// enum DhtRequest { Get, Put }
///
/// impl RequestKind for DhtRequest {
///     const ALL: &'static [(&'static str, Self)] = &[("get", DhtRequest::Get), ("put", DhtRequest::Put)];
/// }
///
/// assert_eq!(DhtRequest::parse("put"), Some(DhtRequest::Put));
/// assert_eq!(DhtRequest::Get.name(), "get");
/// ```
pub trait RequestKind: Copy + PartialEq + std::fmt::Debug + 'static {
    /// Every kind with its name, in the order error messages list them.
    const ALL: &'static [(&'static str, Self)];

    /// The kind called `name`, if there is one.
    fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
    }

    /// This kind's name.
    fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("?", |(n, _)| n)
    }

    /// Every name, in order.
    fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|(n, _)| *n).collect()
    }
}

/// Declares a mechanism's request kinds: an enum and its [`RequestKind`] impl.
///
/// ```
/// p2psim_sim::request_kinds! {
///     /// What a FADA client asks.
///     pub enum FadaRequest { Lookup = "lookup", Register = "register" }
/// }
/// use p2psim_sim::RequestKind;
/// assert_eq!(FadaRequest::names(), ["lookup", "register"]);
/// ```
#[macro_export]
macro_rules! request_kinds {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$vmeta])* #[doc = concat!("`request = \"", $text, "\"`")] $variant),+
        }

        impl $crate::RequestKind for $name {
            const ALL: &'static [(&'static str, Self)] = &[$(($text, $name::$variant)),+];
        }
    };
}

/// The kind a `[[load]]` entry asks of mechanism `M`, checked: an unknown name
/// is an error at the entry's `request` key that lists the valid ones.
pub(crate) fn parse<M: Mechanism>(load: &LoadSpec) -> Result<M::Request, ScenarioError> {
    let Some(kind) = M::Request::parse(&load.request) else {
        return Err(load.params.error(
            "request",
            format!(
                "mechanism `{}` serves no request `{}`",
                M::KIND,
                load.request
            ),
            format!("use one of: {}", M::Request::names().join(", ")),
        ));
    };
    load.params.finish()?;
    Ok(kind)
}
