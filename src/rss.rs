//! Resident memory of this process, for benchmark figures.

/// The process's peak resident set size in bytes (`getrusage` max RSS).
pub fn peak_rss() -> Option<u64> {
    read_status_kib("VmHWM:").map(|k| k * 1024)
}

/// The process's current resident set size in bytes.
pub fn current_rss() -> Option<u64> {
    read_status_kib("VmRSS:").map(|k| k * 1024)
}

fn read_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}
