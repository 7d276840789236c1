//! The event-trace hash: a cheap fingerprint of the order in which tasks ran.

/// Mixes one value into a running hash (FxHash-style: rotate, xor, multiply).
#[inline]
pub(crate) fn mix(hash: u64, value: u64) -> u64 {
    (hash.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

#[cfg(test)]
mod tests {
    use super::mix;

    #[test]
    fn order_matters() {
        let a = mix(mix(0, 1), 2);
        let b = mix(mix(0, 2), 1);
        assert_ne!(a, b);
        assert_eq!(a, mix(mix(0, 1), 2));
    }
}
