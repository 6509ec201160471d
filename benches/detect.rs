//! Detection throughput (MB/s) over generated housing-office text: the
//! detectors alone on one buffer, and the whole text extractor with its
//! streaming, both on the embedded rules.

use std::io::Cursor;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use jiff::civil::Date;

use trawl::detect::{Engine, Rules, Scope};
use trawl::extract::{text, Sink};
use trawl::synth::mixed_text;

fn engine() -> Engine {
    Engine::new(Rules::embedded().unwrap(), Date::new(2026, 1, 1).unwrap()).unwrap()
}

fn detection(c: &mut Criterion) {
    let engine = engine();
    let mut group = c.benchmark_group("detect");
    for (name, one_in) in [("sparse", 50), ("dense", 3)] {
        let corpus = mixed_text(4 << 20, 42, one_in);
        group.throughput(Throughput::Bytes(corpus.len() as u64));
        group.bench_function(format!("scan_unit/{name}"), |b| {
            let mut hits = Vec::new();
            b.iter(|| {
                hits.clear();
                engine.scan_unit(corpus.as_bytes(), None, 0, &mut hits);
                engine.resolve(&mut hits, Scope::Text);
                hits.len()
            })
        });
        group.bench_function(format!("text_extract/{name}"), |b| {
            b.iter(|| {
                let mut sink = Sink::new(&engine, "bench.txt".into(), false);
                text::scan(Box::new(Cursor::new(corpus.as_bytes().to_vec())), &mut sink).unwrap();
                sink.findings.len()
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = detection
}
criterion_main!(benches);
