//! What the bench ran on, and whether something else was competing for the CPU.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The CPU model, core count and memory, from /proc.
pub fn describe() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .and_then(|rest| rest.split_once(':'))
        .map_or("unknown CPU", |(_, name)| name.trim())
        .to_owned();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_gib = meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / (1024.0 * 1024.0));
    format!("{cores} cores ({model}), {memory_gib:.0} GiB")
}

/// The most compilers (rustc processes) seen running at once at any [`sample`] point.
static MOST_COMPILERS: AtomicUsize = AtomicUsize::new(0);

/// Counts running rustc processes (other people's builds share the machine) and remembers the
/// highest count, for the report.
pub fn sample() {
    let count = std::fs::read_dir("/proc")
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| {
                    std::fs::read_to_string(entry.path().join("comm"))
                        .is_ok_and(|comm| comm.trim() == "rustc")
                })
                .count()
        })
        .unwrap_or(0);
    MOST_COMPILERS.fetch_max(count, Ordering::Relaxed);
}

/// The most compilers seen at once, and the 1-minute load average now.
pub fn contention() -> (usize, String) {
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned());
    (MOST_COMPILERS.load(Ordering::Relaxed), load)
}
