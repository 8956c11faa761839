//! Counters for `/metrics` (Prometheus text format). No labels carry
//! transcript text; counter ids are configuration, not personal data.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds (ms) of the latency histogram's buckets.
const BUCKETS_MS: [u64; 10] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

#[derive(Default)]
pub struct Histogram {
    buckets: [AtomicU64; BUCKETS_MS.len()],
    count: AtomicU64,
    sum_us: AtomicU64,
}

impl Histogram {
    pub fn observe(&self, d: Duration) {
        let ms = d.as_secs_f64() * 1000.0;
        for (b, le) in self.buckets.iter().zip(BUCKETS_MS) {
            if ms <= le as f64 {
                b.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_us
            .fetch_add(d.as_micros() as u64, Ordering::Relaxed);
    }

    fn write(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        for (b, le) in self.buckets.iter().zip(BUCKETS_MS) {
            let _ = writeln!(
                out,
                "{name}_bucket{{le=\"{}\"}} {}",
                le as f64 / 1000.0,
                b.load(Ordering::Relaxed)
            );
        }
        let n = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {n}");
        let _ = writeln!(
            out,
            "{name}_sum {}",
            self.sum_us.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(out, "{name}_count {n}");
    }
}

/// Holds a gauge one higher while it lives (an open connection).
pub struct Gauge<'a>(&'a AtomicU64);

impl<'a> Gauge<'a> {
    pub fn up(g: &'a AtomicU64) -> Self {
        g.fetch_add(1, Ordering::Relaxed);
        Gauge(g)
    }
}

impl Drop for Gauge<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[derive(Default)]
pub struct Metrics {
    pub segments_in: AtomicU64,
    pub segments_duplicate: AtomicU64,
    pub partials_in: AtomicU64,
    pub drafts_out: AtomicU64,
    pub llm_failures: AtomicU64,
    pub dropped_audio_frames: AtomicU64,
    pub frames_rejected: AtomicU64,
    pub sessions_stored: AtomicU64,
    pub store_errors: AtomicU64,
    pub counters_connected: AtomicU64,
    pub consoles_connected: AtomicU64,
    /// Segment received → its frames handed to the consoles.
    pub segment_to_console: Histogram,
}

impl Metrics {
    pub fn inc(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let counters: [(&str, &AtomicU64, &str); 9] = [
            (
                "madoguchi_segments_in_total",
                &self.segments_in,
                "Final segments received from counter PCs.",
            ),
            (
                "madoguchi_segments_duplicate_total",
                &self.segments_duplicate,
                "Segments received again after a reconnect (acknowledged, not reprocessed).",
            ),
            (
                "madoguchi_partials_in_total",
                &self.partials_in,
                "Partial texts received.",
            ),
            (
                "madoguchi_drafts_out_total",
                &self.drafts_out,
                "Drafts sent to consoles.",
            ),
            (
                "madoguchi_llm_failures_total",
                &self.llm_failures,
                "LLM drafts that failed; the extractive draft stood.",
            ),
            (
                "madoguchi_dropped_audio_frames_total",
                &self.dropped_audio_frames,
                "Audio frames counter PCs dropped because recognition fell behind.",
            ),
            (
                "madoguchi_frames_rejected_total",
                &self.frames_rejected,
                "Websocket frames rejected as malformed or oversized.",
            ),
            (
                "madoguchi_sessions_stored_total",
                &self.sessions_stored,
                "Session summaries stored.",
            ),
            (
                "madoguchi_store_errors_total",
                &self.store_errors,
                "Session store operations that failed.",
            ),
        ];
        for (name, c, help) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                c.load(Ordering::Relaxed)
            );
        }
        for (name, g, help) in [
            (
                "madoguchi_counters_connected",
                &self.counters_connected,
                "Counter PCs connected now.",
            ),
            (
                "madoguchi_consoles_connected",
                &self.consoles_connected,
                "Console and supervisor websockets open now.",
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {}",
                g.load(Ordering::Relaxed)
            );
        }
        self.segment_to_console.write(
            &mut out,
            "madoguchi_segment_to_console_seconds",
            "Time from a segment's arrival to its events reaching the console hub.",
        );
        out
    }
}
