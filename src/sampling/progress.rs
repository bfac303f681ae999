//! Progress reporting over long passes, batched so that the bar costs nothing per row.

use indicatif::ProgressBar;

/// Rows between two updates of the bar.
const BATCH: u64 = 1 << 20;

/// Counts processed rows and advances an optional progress bar every [`BATCH`] rows.
pub(crate) struct Ticker<'a> {
    bar: Option<&'a ProgressBar>,
    pending: u64,
}

impl<'a> Ticker<'a> {
    pub(crate) fn new(bar: Option<&'a ProgressBar>, message: &'static str) -> Ticker<'a> {
        if let Some(b) = bar {
            b.set_message(message);
        }
        Ticker { bar, pending: 0 }
    }

    #[inline]
    pub(crate) fn tick(&mut self) {
        self.pending += 1;
        if self.pending == BATCH {
            self.flush();
        }
    }

    pub(crate) fn flush(&mut self) {
        if let Some(b) = self.bar {
            b.inc(self.pending);
        }
        self.pending = 0;
    }
}

impl Drop for Ticker<'_> {
    fn drop(&mut self) {
        self.flush();
    }
}
