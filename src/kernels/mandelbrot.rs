//! The uneven kernel: the Mandelbrot set, one row of pixels at a time.
//!
//! A pixel inside the set runs all `max_iter` iterations; one far outside escapes after a few. Rows
//! through the set's body therefore cost far more than rows above it, which is what makes a static
//! split of the rows lopsided and what work stealing evens out. Each pixel's count depends only on
//! its own coordinates (the same float operations in the same order, whatever thread computes it),
//! so the image is identical under every schedule: [`image_hash`] shows it.

/// The part of the complex plane drawn, and how finely.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    pub width: u32,
    pub height: u32,
    pub max_iter: u32,
    /// The real part at the left edge and the imaginary part at the top edge.
    pub left: f64,
    pub top: f64,
    /// The complex-plane width of one pixel (pixels are square).
    pub step: f64,
}

impl View {
    /// The default view: the whole set shifted down so its body fills the lower half of the image and
    /// the upper half is mostly outside it: rows there cost a few iterations per pixel, rows through
    /// the body `max_iter`. Split into halves, the lower half is several times the work of the upper.
    pub fn uneven(width: u32, height: u32, max_iter: u32) -> Self {
        // x from -2.2 to 0.8; the real axis (the body's middle) 70 % of the way down the image.
        let step = 3.0 / f64::from(width.max(1));
        Self {
            width,
            height,
            max_iter,
            left: -2.2,
            top: 0.7 * step * f64::from(height),
            step,
        }
    }
}

/// Iteration counts of row `row` (0 = top) into `out` (`view.width` long); returns the row's cost:
/// the iterations it took, summed over its pixels.
pub fn escape_row(view: &View, row: u32, out: &mut [u32]) -> u64 {
    debug_assert_eq!(out.len(), view.width as usize);
    let ci = view.top - f64::from(row) * view.step;
    let mut cost = 0u64;
    for (column, count) in out.iter_mut().enumerate() {
        let cr = view.left + column as f64 * view.step;
        let (mut zr, mut zi) = (0.0f64, 0.0f64);
        let mut n = 0;
        while n < view.max_iter {
            let (zr2, zi2) = (zr * zr, zi * zi);
            if zr2 + zi2 > 4.0 {
                break;
            }
            zi = 2.0 * zr * zi + ci;
            zr = zr2 - zi2 + cr;
            n += 1;
        }
        *count = n;
        cost += u64::from(n) + 1;
    }
    cost
}

/// A 64-bit FNV-1a hash of the counts, row by row from the top: equal images, equal hashes.
pub fn image_hash(counts: &[u32]) -> u64 {
    counts.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &count| {
        count.to_le_bytes().iter().fold(hash, |h, &byte| {
            (h ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    })
}

/// The whole image on one thread, row after row: the reference every schedule must reproduce.
pub fn render(view: &View) -> Vec<u32> {
    let mut counts = vec![0; view.width as usize * view.height as usize];
    if view.width > 0 {
        for (row, out) in counts.chunks_exact_mut(view.width as usize).enumerate() {
            escape_row(view, row as u32, out);
        }
    }
    counts
}
