//! Charts drawn with plotters on any backend: a `<canvas>` on the page, SVG in native tests.

pub mod downloads;
pub mod saturation;
pub mod speedup;
pub mod theme;
pub mod timeline;
