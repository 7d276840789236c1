//! `p2psim plot` draws SVG and PNG charts from a sweep.csv and from a time series.

use crate::bin::{command, Run};

#[test]
fn sweep_and_series_charts_are_written() {
    let dir = std::env::temp_dir().join(format!("p2psim-plot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sweep = "point,pool.capacity,load.rate,seed,outcome,detail,requests.lost\n\
                 0,8,10,1,ok,,5\n0,8,10,2,ok,,7\n1,8,20,1,ok,,9\n1,8,20,2,ok,,12\n\
                 2,64,10,1,ok,,0\n2,64,10,2,ok,,1\n3,64,20,1,deadlock,\"deadlock: x, y\",3\n3,64,20,2,ok,,2\n";
    std::fs::write(dir.join("sweep.csv"), sweep).unwrap();
    let series = "time_s,in_use,queued\n0,1,0\n0.5,8,3\n1,4,0\n";
    std::fs::write(dir.join("pool_occupancy.csv"), series).unwrap();
    let ok = |args: &[&str]| {
        let o = command().args(args).run();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let csv = dir.join("sweep.csv");
    ok(&[
        "plot",
        csv.to_str().unwrap(),
        "--x",
        "pool.capacity",
        "--y",
        "requests.lost",
    ]);
    let ts = dir.join("pool_occupancy.csv");
    ok(&["plot", ts.to_str().unwrap()]);
    for f in [
        "requests.lost-vs-pool.capacity.svg",
        "requests.lost-vs-pool.capacity.png",
        "pool_occupancy.svg",
        "pool_occupancy.png",
    ] {
        let bytes = std::fs::read(dir.join(f)).unwrap();
        assert!(bytes.len() > 1000, "{f} is {} bytes", bytes.len());
        if f.ends_with(".png") {
            assert_eq!(&bytes[..4], b"\x89PNG");
        } else {
            let text = String::from_utf8(bytes).unwrap();
            assert!(text.contains("<svg"), "{f}");
            if f.starts_with("requests") {
                assert!(text.contains("load.rate=20"), "{f}: a line per rate");
            }
        }
    }
    // A figure the sweep does not have is bad input.
    let o = command()
        .args(["plot", csv.to_str().unwrap(), "--y", "nope"])
        .run();
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
