//! Regions: each node sits in one (exactly the stated fraction of the nodes,
//! drawn from the seed), and a hop's latency is drawn from its regions' entry
//! of a region-to-region table.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::dist::Distribution;
use crate::graph::NodeId;
use crate::scenario::RegionsSpec;
use crate::seeds::keyed;

/// Nodes in regions, and the latency between each two regions.
#[derive(Clone, Debug, PartialEq)]
pub struct Regions {
    /// `table[from * regions + to]`.
    table: Vec<Distribution>,
    fractions: Vec<f64>,
    /// The region of each node of the network as built.
    of_node: Vec<u16>,
    seed: u64,
}

impl Regions {
    /// The regions of `spec` on a network of `nodes` nodes; `seed` (the
    /// `Stream::Placement` seed) decides which nodes go where.
    pub fn new(spec: &RegionsSpec, nodes: usize, seed: u64) -> Self {
        let fractions: Vec<f64> = spec.regions.iter().map(|r| r.fraction).collect();
        let mut of_node = Vec::with_capacity(nodes);
        for (region, &count) in counts(&fractions, nodes).iter().enumerate() {
            of_node.extend(std::iter::repeat(region as u16).take(count));
        }
        of_node.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        Regions {
            table: spec.latency.clone(),
            fractions,
            of_node,
            seed,
        }
    }

    /// The region of node `v`. A node added after the network was built
    /// draws its region from the seed, with the regions' fractions.
    #[inline]
    pub fn region(&self, v: NodeId) -> usize {
        match self.of_node.get(v as usize) {
            Some(&r) => usize::from(r),
            None => {
                let u = (keyed(self.seed, u64::from(v)) >> 11) as f64 / (1u64 << 53) as f64;
                let mut below = 0.0;
                self.fractions
                    .iter()
                    .position(|f| {
                        below += f;
                        u < below
                    })
                    .unwrap_or(self.fractions.len() - 1)
            }
        }
    }

    /// How many of the network's nodes each region holds.
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![0; self.fractions.len()];
        for &r in &self.of_node {
            sizes[usize::from(r)] += 1;
        }
        sizes
    }

    /// The latency from `a` to `b` in seconds, drawn from their regions' entry.
    #[inline]
    pub fn secs(&self, a: NodeId, b: NodeId, rng: &mut impl Rng) -> f64 {
        let regions = self.fractions.len();
        self.table[self.region(a) * regions + self.region(b)].sample(rng)
    }
}

/// Whole node counts closest to `fractions` of `nodes` that add up to `nodes`
/// (largest remainder; ties to the earlier region).
fn counts(fractions: &[f64], nodes: usize) -> Vec<usize> {
    let exact: Vec<f64> = fractions.iter().map(|f| f * nodes as f64).collect();
    let mut counts: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut order: Vec<usize> = (0..fractions.len()).collect();
    order.sort_by(|&i, &j| {
        let rem = |k: usize| exact[k] - exact[k].floor();
        rem(j).total_cmp(&rem(i)).then(i.cmp(&j))
    });
    let assigned: usize = counts.iter().sum();
    for &i in order.iter().cycle().take(nodes.saturating_sub(assigned)) {
        counts[i] += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::RegionSpec;

    fn spec(fractions: &[f64], latency: Vec<Distribution>) -> RegionsSpec {
        RegionsSpec {
            regions: fractions
                .iter()
                .enumerate()
                .map(|(i, &fraction)| RegionSpec {
                    name: format!("r{i}"),
                    fraction,
                })
                .collect(),
            latency,
        }
    }

    #[test]
    fn counts_are_the_closest_whole_numbers_and_add_up() {
        assert_eq!(counts(&[0.4, 0.6], 10), vec![4, 6]);
        assert_eq!(counts(&[0.4, 0.6], 7), vec![3, 4]);
        assert_eq!(counts(&[1.0 / 3.0; 3], 10), vec![4, 3, 3]);
        assert_eq!(counts(&[0.5, 0.25, 0.25], 1), vec![1, 0, 0]);
        assert_eq!(counts(&[0.2, 0.8], 0), vec![0, 0]);
    }

    #[test]
    fn forty_percent_in_europe_sixty_in_america_ninety_ms_between() {
        use Distribution::Constant;
        let table = vec![
            Constant(0.02),
            Constant(0.09),
            Constant(0.09),
            Constant(0.03),
        ];
        let r = Regions::new(&spec(&[0.4, 0.6], table), 1000, 5);
        assert_eq!(r.sizes(), vec![400, 600]);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for a in 0..50 {
            for b in 0..50 {
                let want = match (r.region(a), r.region(b)) {
                    (0, 0) => 0.02,
                    (1, 1) => 0.03,
                    _ => 0.09,
                };
                assert_eq!(r.secs(a, b, &mut rng), want);
            }
        }
        // Another seed, other nodes in Europe; the same seed, the same ones.
        let again = Regions::new(&spec(&[0.4, 0.6], r.table.clone()), 1000, 5);
        assert_eq!(again.of_node, r.of_node);
        let other = Regions::new(&spec(&[0.4, 0.6], r.table.clone()), 1000, 6);
        assert_ne!(other.of_node, r.of_node);
        // Nodes past the network draw with the fractions.
        let late = (1000..21_000).filter(|&v| r.region(v) == 0).count();
        assert!((7_700..8_300).contains(&late), "{late}");
    }
}
