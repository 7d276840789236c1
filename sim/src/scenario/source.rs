//! Source texts and byte-span locations, turned into 1-based line:column on demand.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// One text that values come from: the scenario file or one `--set` argument.
pub(crate) struct Source {
    origin: String,
    text: String,
    line_starts: Vec<usize>,
}

impl Source {
    /// Indexes line starts once so every later lookup is a binary search.
    pub(crate) fn new(origin: impl Into<String>, text: impl Into<String>) -> Arc<Self> {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Arc::new(Source {
            origin: origin.into(),
            text,
            line_starts,
        })
    }

    /// The name used in messages.
    pub(crate) fn origin(&self) -> &str {
        &self.origin
    }

    /// The full text.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// 1-based line and character column of a byte offset (clamped, so never panics).
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        // Spans from toml_edit are byte offsets; step back to a char boundary so slicing is safe.
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let column = self.text[start..offset].chars().count() + 1;
        (line, column)
    }
}

impl fmt::Debug for Source {
    // The full text would drown every Debug print of a Params.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Source({:?})", self.origin)
    }
}

/// A span inside a particular source.
#[derive(Clone, Debug)]
pub(crate) struct Loc {
    src: Arc<Source>,
    span: Range<usize>,
}

impl Loc {
    /// A location at `span` in `src`.
    pub(crate) fn new(src: &Arc<Source>, span: Range<usize>) -> Self {
        Loc {
            src: Arc::clone(src),
            span,
        }
    }

    /// The very start of `src`: where absent tables are reported.
    pub(crate) fn start(src: &Arc<Source>) -> Self {
        Loc::new(src, 0..0)
    }

    /// The name used in messages.
    pub(crate) fn origin(&self) -> &str {
        self.src.origin()
    }

    /// 1-based line and column of the span start.
    pub(crate) fn line_col(&self) -> (usize, usize) {
        self.src.line_col(self.span.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_is_one_based_and_counts_chars() {
        let s = Source::new("f", "ab\ncé=1\n");
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(3), (2, 1));
        // 'é' is two bytes but one column.
        assert_eq!(s.line_col(6), (2, 3));
        // Inside a multi-byte char and past the end must not panic.
        assert_eq!(s.line_col(5), (2, 2));
        assert_eq!(s.line_col(999), (3, 1));
    }
}
