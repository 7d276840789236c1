//! Criterion benches of the standard workloads (W1-W5 of WORKLOADS.md) at reduced
//! sizes; `p2psim bench` runs them at full size.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

use p2psim::runtime::StackMode;
use p2psim::workloads;

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

criterion_group!(benches, runtime_workloads);
criterion_main!(benches);
