//! Charts drawn with plotters on any backend: a `<canvas>` on the page, SVG in native tests.

pub mod downloads;
pub mod saturation;
pub mod server;
pub mod speedup;
pub mod theme;
pub mod timeline;

/// What a chart tells the page about how it reads on the screen it was drawn for: the size of its
/// axis and row labels, and, for a chart with one row per worker or file, how tall a row came out
/// (CSS pixels). The page writes both on the canvas (`data-label-px`, `data-row-px`); the phone
/// layout test holds them to at least 11 px labels on rows that leave room for them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Legibility {
    pub label_px: u32,
    pub row_px: Option<f64>,
}
