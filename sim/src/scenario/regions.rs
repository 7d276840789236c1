//! `[[transport.region]]`: named regions holding fractions of the nodes, and
//! each region's latency to every region (its own included).

use super::convert::{self, FRange};
use super::distribution;
use super::error::ScenarioError;
use super::params::Params;
use super::suggest::closest;
use crate::dist::Distribution;

/// One region.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionSpec {
    /// Its name, as the latency tables name it.
    pub name: String,
    /// The fraction of the nodes in it.
    pub fraction: f64,
}

/// The regions and the latency between each two.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionsSpec {
    /// The regions, in file order.
    pub regions: Vec<RegionSpec>,
    /// `latency[from * regions + to]`, drawn per message.
    pub latency: Vec<Distribution>,
}

/// Largest number of regions (a region id is 16 bits).
const MAX_REGIONS: usize = 1 << 16;

/// Reads `[[transport.region]]`, if any.
pub(crate) fn read(t: &Params) -> Result<Option<RegionsSpec>, ScenarioError> {
    let entries = t.table_list("region")?;
    if entries.is_empty() {
        return Ok(None);
    }
    if let Some(extra) = entries.get(MAX_REGIONS) {
        return Err(extra.error("name", "too many regions", "use at most 65536"));
    }
    let mut regions: Vec<RegionSpec> = Vec::with_capacity(entries.len());
    for r in &entries {
        r.check_known(&["name", "fraction", "latency"])?;
        let name = r.require("name", "name = \"Europe\"", |n| convert::string(n, true))?;
        if let Some(first) = regions.iter().position(|x| x.name == name) {
            return Err(r.error(
                "name",
                format!("region `{name}` is named twice (first as region {first})"),
                "give each region a name of its own",
            ));
        }
        let fraction = r.require("fraction", "fraction = 0.4", |n| {
            convert::float(n, FRange::closed_above(0.0, 1.0))
        })?;
        regions.push(RegionSpec { name, fraction });
    }
    let sum: f64 = regions.iter().map(|r| r.fraction).sum();
    if (sum - 1.0).abs() > 1e-9 {
        let last = entries.last().expect("at least one region");
        return Err(last.error(
            "fraction",
            format!("the regions' fractions add up to {sum}, not 1"),
            "every node is in one region: make the fractions add up to 1",
        ));
    }
    let latency = read_table(&entries, &regions)?;
    Ok(Some(RegionsSpec { regions, latency }))
}

/// Reads every region's `latency = { Name = <latency>, ... }`: a pair given
/// one way only has that latency both ways; a pair given neither way is an error.
fn read_table(
    entries: &[Params],
    regions: &[RegionSpec],
) -> Result<Vec<Distribution>, ScenarioError> {
    let n = regions.len();
    let names: Vec<&str> = regions.iter().map(|r| r.name.as_str()).collect();
    let mut table: Vec<Option<Distribution>> = vec![None; n * n];
    for (from, r) in entries.iter().enumerate() {
        let Some(to_table) = r.sub("latency")? else {
            continue;
        };
        for key in to_table.keys() {
            let Some(to) = names.iter().position(|&x| x == key) else {
                let help = match closest(&key, &names) {
                    Some(c) => format!("did you mean `{c}`? the regions are {}", names.join(", ")),
                    None => format!("the regions are {}", names.join(", ")),
                };
                return Err(to_table.error(&key, format!("there is no region `{key}`"), help));
            };
            let example = "{ kind = \"uniform\", min = 0.08, max = 0.1 }";
            table[from * n + to] = distribution::read(&to_table, &key, example)?;
        }
    }
    for from in 0..n {
        for to in 0..n {
            if table[from * n + to].is_some() {
                continue;
            }
            match table[to * n + from].clone() {
                Some(mirror) => table[from * n + to] = Some(mirror),
                None => {
                    let (a, b) = (names[from], names[to]);
                    let help = if a == b {
                        format!("add `{a} = 0.02` to the latency of region `{a}`")
                    } else {
                        format!(
                            "add `{b} = 0.09` to the latency of region `{a}` (or `{a} = ...` \
                             to that of `{b}`)"
                        )
                    };
                    return Err(entries[from].error(
                        "latency",
                        format!("no latency from region `{a}` to region `{b}`"),
                        help,
                    ));
                }
            }
        }
    }
    Ok(table.into_iter().map(|d| d.expect("filled")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Distribution::Constant;

    fn regions(body: &str) -> Result<Option<RegionsSpec>, ScenarioError> {
        read(&Params::from_toml_str(body, "t.toml", "transport").unwrap())
    }

    const EUROPE_AMERICA: &str = "[[region]]\nname = \"Europe\"\nfraction = 0.4\n\
        latency = { Europe = 0.02, America = 0.09 }\n\
        [[region]]\nname = \"America\"\nfraction = 0.6\nlatency = { America = 0.03 }\n";

    #[test]
    fn forty_sixty_and_ninety_ms_between() {
        let r = regions(EUROPE_AMERICA).unwrap().unwrap();
        assert_eq!(
            r.regions,
            vec![
                RegionSpec {
                    name: "Europe".into(),
                    fraction: 0.4
                },
                RegionSpec {
                    name: "America".into(),
                    fraction: 0.6
                }
            ]
        );
        assert_eq!(
            r.latency,
            vec![
                Constant(0.02),
                Constant(0.09),
                Constant(0.09),
                Constant(0.03)
            ]
        );
        assert_eq!(regions("").unwrap(), None);
        let asymmetric = EUROPE_AMERICA.replace(
            "{ America = 0.03 }",
            "{ America = 0.03, Europe = { kind = \"uniform\", min = 0.08, max = 0.1 } }",
        );
        let r = regions(&asymmetric).unwrap().unwrap();
        assert_eq!(r.latency[1], Constant(0.09));
        assert_eq!(
            r.latency[2],
            Distribution::Uniform {
                min: 0.08,
                max: 0.1
            }
        );
    }

    #[test]
    fn bad_regions_name_the_key_and_the_fix() {
        let cases = [
            (
                EUROPE_AMERICA.replace("fraction = 0.6", "fraction = 0.5"),
                "transport.region[1].fraction",
                "add up to 0.9",
            ),
            (
                EUROPE_AMERICA.replace("{ America = 0.03 }", "{ Amerca = 0.03 }"),
                "transport.region[1].latency.Amerca",
                "no region `Amerca`",
            ),
            (
                EUROPE_AMERICA.replace("{ America = 0.03 }", "{}"),
                "transport.region[1].latency",
                "from region `America` to region `America`",
            ),
            (
                EUROPE_AMERICA.replace("Europe = 0.02, America = 0.09", "Europe = 0.02"),
                "transport.region[0].latency",
                "from region `Europe` to region `America`",
            ),
            (
                EUROPE_AMERICA.replace("name = \"America\"", "name = \"Europe\""),
                "transport.region[1].name",
                "named twice",
            ),
            (
                EUROPE_AMERICA.replace("fraction = 0.4", "fraction = 0"),
                "transport.region[0].fraction",
                "out of range",
            ),
            (
                EUROPE_AMERICA.replace("America = 0.09", "America = -0.09"),
                "transport.region[0].latency.America",
                "out of range",
            ),
            (
                EUROPE_AMERICA.replace("fraction = 0.6", "fraction = 0.6\nlatncy = 1"),
                "transport.region[1].latncy",
                "unknown key",
            ),
        ];
        for (body, key, says) in cases {
            let e = regions(&body).unwrap_err();
            assert_eq!(e.key, key, "{e}");
            assert!(e.message.contains(says), "{e}");
        }
        let e = regions(&EUROPE_AMERICA.replace("{ America = 0.03 }", "{ Amerca = 0.03 }"))
            .unwrap_err();
        assert!(e.help.unwrap().contains("did you mean `America`?"));
    }
}
