//! Cost of one MFA-token cache read and write per backend: median and p90 of N operations on a
//! 300-byte token, straight on the store (no in-memory layer). `make bench` runs it, the Secret
//! Service row inside `ci/with-secret-service.sh` (SFMFA_BENCH_SECRET_SERVICE=1).

use std::time::{Duration, Instant};

use sfmfa::Secret;
use sfmfa::cache::{CacheKey, MemoryCache, TokenCache};

const N: usize = 200;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn measure(name: &str, cache: &dyn TokenCache) {
    let token = Secret::new("t".repeat(300));
    let key = |i: usize| CacheKey {
        service: "bench.example.com".into(),
        user: format!("bench-{}-{i}", std::process::id()),
    };
    let mut writes = Vec::with_capacity(N);
    let mut reads = Vec::with_capacity(N);
    for i in 0..N {
        let t = Instant::now();
        cache.write(&key(i), &token).expect("write");
        writes.push(t.elapsed());
    }
    for i in 0..N {
        let t = Instant::now();
        let got = cache.read(&key(i)).expect("read");
        reads.push(t.elapsed());
        assert!(got.is_some());
    }
    for i in 0..N {
        cache.delete(&key(i)).expect("delete");
    }
    writes.sort();
    reads.sort();
    println!(
        "| {name} | {N} | {} | {} | {} | {} |",
        micros(percentile(&reads, 0.5)),
        micros(percentile(&reads, 0.9)),
        micros(percentile(&writes, 0.5)),
        micros(percentile(&writes, 0.9))
    );
}

fn main() {
    println!("| backend | ops | read median | read p90 | write median | write p90 |");
    println!("|---|---|---|---|---|---|");
    measure("memory", &MemoryCache);
    #[cfg(unix)]
    {
        let dir = std::env::temp_dir().join(format!("sfmfa-bench-cache-{}", std::process::id()));
        measure("file", &sfmfa::cache::FileCache::in_dir(&dir));
        let _ = std::fs::remove_dir_all(&dir);
    }
    #[cfg(target_os = "linux")]
    {
        match sfmfa::cache::KeystoreCache::keyutils() {
            Ok(k) => {
                measure("keyutils", &k);
                // What a login pays: each keystore call runs on a worker thread with a time limit.
                let bounded = sfmfa::cache::Bounded::new(
                    std::sync::Arc::new(k),
                    sfmfa::cache::bounded::DEFAULT_LIMIT,
                );
                measure(
                    "keyutils, bounded (the Secret Service's time limit, for comparison)",
                    &bounded,
                );
            }
            Err(e) => println!("| keyutils | unavailable: {} |", e.message()),
        }
        if std::env::var("SFMFA_BENCH_SECRET_SERVICE").as_deref() == Ok("1") {
            match sfmfa::cache::KeystoreCache::secret_service() {
                Ok(k) => measure("secret-service (gnome-keyring)", &k),
                Err(e) => println!("| secret-service | unavailable: {} |", e.message()),
            }
        }
    }
}
