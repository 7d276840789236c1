//! `[pool]`: the green-thread pool that runs node code.

use super::convert::{Bad, IRange};
use super::error::ScenarioError;
use super::params::Params;
use super::tree::{Node, Value};

/// What happens when all pool slots are busy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolPolicySpec {
    /// Refuse the new task.
    Reject,
    /// Wait for a free slot.
    Queue,
    /// Add a slot beyond the capacity.
    Grow,
}

/// Pool sizing.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolSpec {
    /// Maximum concurrent tasks; `None` is unbounded.
    pub capacity: Option<usize>,
    /// Behaviour when full.
    pub policy: PoolPolicySpec,
    /// Stack bytes per green thread, a multiple of 4096.
    pub stack_size: usize,
    /// Whether the green threads share one stack (their frames copied on switches).
    pub shared_stack: bool,
}

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const MIN_STACK: u64 = 16 * KIB;
const MAX_STACK: u64 = 64 * MIB;
/// Stacks are page-granular, so sizes are rounded up to whole pages.
const PAGE: u64 = 4096;
const STACK_HELP: &str =
    "write bytes as an integer or a string like \"256KiB\" or \"1MiB\", between 16KiB and 64MiB";

/// Reads `[pool]`.
pub(crate) fn read(p: &Params) -> Result<PoolSpec, ScenarioError> {
    p.check_known(&["capacity", "policy", "stack_size", "stacks"])?;
    let capacity = p
        .opt_int("capacity", IRange::new(1, u32::MAX))?
        .map(|v| v as usize);
    let policy = match p
        .choice("policy", "queue", &["reject", "queue", "grow"])?
        .as_str()
    {
        "reject" => PoolPolicySpec::Reject,
        "grow" => PoolPolicySpec::Grow,
        _ => PoolPolicySpec::Queue,
    };
    let bytes = p.convert("stack_size", stack_bytes)?.unwrap_or(256 * KIB);
    let stack_size = bytes.div_ceil(PAGE) * PAGE;
    let shared_stack = p.choice("stacks", "dedicated", &["dedicated", "shared"])? == "shared";
    Ok(PoolSpec {
        capacity,
        policy,
        stack_size: stack_size as usize,
        shared_stack,
    })
}

fn stack_bytes(node: &Node) -> Result<u64, Bad> {
    let bytes = match &node.value {
        Value::Int(i) => u64::try_from(*i).ok(),
        Value::Str(s) => parse_size(s),
        _ => None,
    };
    let Some(bytes) = bytes else {
        return Err((
            format!("expected a size in bytes, found {}", node.found()),
            STACK_HELP.to_string(),
        ));
    };
    if (MIN_STACK..=MAX_STACK).contains(&bytes) {
        Ok(bytes)
    } else {
        Err((format!("stack size {bytes} bytes is out of range: expected 16KiB (16384) to 64MiB (67108864)"), STACK_HELP.to_string()))
    }
}

/// "123", "256KiB", "1MiB"; `None` for anything else or on overflow.
fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (digits, unit) = if let Some(d) = s.strip_suffix("KiB") {
        (d, KIB)
    } else if let Some(d) = s.strip_suffix("MiB") {
        (d, MIB)
    } else {
        (s, 1)
    };
    let digits = digits.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u64>().ok()?.checked_mul(unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(body: &str) -> Result<PoolSpec, ScenarioError> {
        read(&Params::from_toml_str(body, "t.toml", "pool").unwrap())
    }

    #[test]
    fn defaults_and_sizes() {
        assert_eq!(
            pool("").unwrap(),
            PoolSpec {
                capacity: None,
                policy: PoolPolicySpec::Queue,
                stack_size: 256 * 1024,
                shared_stack: false,
            }
        );
        assert!(pool("stacks = \"shared\"").unwrap().shared_stack);
        assert!(!pool("stacks = \"dedicated\"").unwrap().shared_stack);
        assert_eq!(pool("stack_size = \"1MiB\"").unwrap().stack_size, 1 << 20);
        assert_eq!(pool("stack_size = 20000").unwrap().stack_size, 20480);
        assert_eq!(
            pool("policy = \"grow\"\ncapacity = 3").unwrap().capacity,
            Some(3)
        );
        assert_eq!(parse_size("99999999999999999999MiB"), None);
        assert_eq!(parse_size("-3KiB"), None);
    }

    #[test]
    fn bad_pool_values() {
        assert!(pool("capacity = 0")
            .unwrap_err()
            .message
            .contains("expected an integer >= 1"));
        assert!(pool("stack_size = \"1KiB\"")
            .unwrap_err()
            .message
            .contains("out of range"));
        assert!(pool("stacks = \"copied\"").is_err());
        assert!(pool("stack_size = \"lots\"")
            .unwrap_err()
            .help
            .unwrap()
            .contains("KiB"));
        assert!(pool("stack_size = -5").is_err());
        assert_eq!(pool("policy = \"drop\"").unwrap_err().key, "pool.policy");
    }
}
