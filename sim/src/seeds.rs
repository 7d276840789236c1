//! Independent random streams derived from one scenario seed.
//!
//! Each consumer (topology, transport, each load, churn, crash sets, the mechanism) gets its
//! own stream, so adding draws to one never shifts the others. Where a value must be the
//! same whenever it is asked for (a pair's latency, a node's n-th session), it is drawn
//! from a [`SplitMix64`] keyed by the stream and the key: nothing is stored per key.

use rand::RngCore;

/// Named streams of randomness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Graph generation.
    Topology,
    /// Latency and loss.
    Transport,
    /// Request generator number `i`.
    Load(u32),
    /// Churn.
    Churn,
    /// Which nodes crash sets take.
    Failures,
    /// The mechanism's own choices.
    Mechanism,
    /// Each ordered pair's fixed latency (`kind = "pairwise"`).
    Pairs,
    /// Where nodes sit: matrix hosts, regions.
    Placement,
}

/// The seed of `stream` under the scenario seed `seed` (splitmix64 mixing).
pub fn derive(seed: u64, stream: Stream) -> u64 {
    let tag = match stream {
        Stream::Topology => 1,
        Stream::Transport => 2,
        Stream::Churn => 3,
        Stream::Mechanism => 4,
        Stream::Failures => 5,
        Stream::Pairs => 6,
        Stream::Placement => 7,
        Stream::Load(i) => 1000 + u64::from(i),
    };
    splitmix(seed ^ splitmix(tag))
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(GOLDEN);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A hash of `key` under `seed`: a different value for every (seed, key), the
/// same every time.
pub fn keyed(seed: u64, key: u64) -> u64 {
    splitmix(seed ^ splitmix(key))
}

/// SplitMix64 (Steele, Lea and Flood 2014): a generator whose state is one
/// word, so one can be made for a key, drawn from and dropped for the cost of
/// a few multiplications. Its output passes BigCrush.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// The stream of `key` under `seed` (see [`keyed`]).
    pub fn keyed(seed: u64, key: u64) -> Self {
        SplitMix64(keyed(seed, key))
    }
}

impl RngCore for SplitMix64 {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    fn next_u64(&mut self) -> u64 {
        // `splitmix` mixes the state after the step, as the reference does.
        let state = self.0;
        self.0 = state.wrapping_add(GOLDEN);
        splitmix(state)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_differ_and_are_stable() {
        assert_ne!(derive(1, Stream::Topology), derive(1, Stream::Transport));
        assert_ne!(derive(1, Stream::Load(0)), derive(1, Stream::Load(1)));
        assert_ne!(derive(1, Stream::Topology), derive(2, Stream::Topology));
        assert_eq!(derive(7, Stream::Churn), derive(7, Stream::Churn));
        assert_ne!(derive(7, Stream::Churn), derive(7, Stream::Failures));
        assert_ne!(derive(7, Stream::Pairs), derive(7, Stream::Placement));
    }

    #[test]
    fn splitmix_matches_the_reference_sequence() {
        // The first outputs of Vigna's splitmix64.c from state 1234567.
        let mut g = SplitMix64(1_234_567);
        let want = [
            6_457_827_717_110_365_317,
            3_203_168_211_198_807_973,
            9_817_491_932_198_370_423,
        ];
        for w in want {
            assert_eq!(g.next_u64(), w);
        }
    }

    #[test]
    fn keyed_streams_repeat_and_differ() {
        let draw = |seed, key| SplitMix64::keyed(seed, key).next_u64();
        assert_eq!(draw(3, 9), draw(3, 9));
        assert_ne!(draw(3, 9), draw(3, 10));
        assert_ne!(draw(3, 9), draw(4, 9));
        let mut bytes = [0u8; 11];
        SplitMix64::keyed(1, 2).fill_bytes(&mut bytes);
        let mut g = SplitMix64::keyed(1, 2);
        let (a, b) = (g.next_u64().to_le_bytes(), g.next_u64().to_le_bytes());
        assert_eq!(bytes[..8], a);
        assert_eq!(bytes[8..], b[..3]);
    }
}
