//! Criterion benches of the standard workloads (W1-W5 and W7 of docs/workloads.md)
//! at reduced sizes; `p2psim bench` runs them at full size.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

use p2psim::runtime::StackMode;
use p2psim::workloads::{self, FloodLatency};

fn runtime_workloads(c: &mut Criterion) {
    let mut g = c.benchmark_group("runtime");
    g.sample_size(10);

    g.throughput(Throughput::Elements(100_000));
    g.bench_function("W1 pingpong (100k round trips)", |b| {
        b.iter(|| workloads::w1_pingpong(100_000))
    });
    g.throughput(Throughput::Elements(100_000));
    g.bench_function("W2 timers (1k tasks x 100 sleeps)", |b| {
        b.iter(|| workloads::w2_timers(1_000, 100, StackMode::Dedicated))
    });
    g.throughput(Throughput::Elements(100_000));
    g.bench_function("W3 churn (100k tasks)", |b| {
        b.iter_batched(
            || (),
            |_| workloads::w3_churn(100_000, StackMode::Dedicated),
            BatchSize::PerIteration,
        )
    });
    g.throughput(Throughput::Elements(100_000));
    g.bench_function("W4 alive (100k blocked tasks)", |b| {
        b.iter_batched(
            || (),
            |_| workloads::w4_alive(100_000, StackMode::Dedicated),
            BatchSize::PerIteration,
        )
    });
    g.throughput(Throughput::Elements(1_000_000));
    g.bench_function("W5 mailbox (1M messages)", |b| {
        b.iter(|| workloads::w5_mailbox(1_000_000))
    });
    g.finish();
}

/// W7 at a tenth of its graph and a hundredth of its lookups, beside W6 at the
/// same size: the ratio is the figure.
fn network_workloads(c: &mut Criterion) {
    let mut g = c.benchmark_group("network");
    g.sample_size(10);
    for (name, latency) in [
        ("W6 flood (10k nodes, 10 lookups)", FloodLatency::Constant),
        (
            "W7 flood, uniform latency (10k nodes, 10 lookups)",
            FloodLatency::Uniform,
        ),
    ] {
        let units = workloads::flood(10_000, 10, latency).units;
        g.throughput(Throughput::Elements(units));
        g.bench_function(name, |b| b.iter(|| workloads::flood(10_000, 10, latency)));
    }
    g.finish();
}

criterion_group!(benches, runtime_workloads, network_workloads);
criterion_main!(benches);
