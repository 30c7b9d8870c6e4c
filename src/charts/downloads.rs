//! The downloads' timeline: one row per file, each bar split into queued (waiting for one of the
//! host's connections), waiting (request sent, no byte yet) and transfer (bytes arriving).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::theme::Theme;
use super::timeline::{draw_row_labels, draw_row_mesh, row_axis, row_end, row_height};
use super::Legibility;
use crate::model::downloads::FileSpan;

/// Row labels longer than this are cut with an ellipsis, so the bars keep the width.
const MAX_LABEL_CHARS: usize = 20;

/// The row labels' size: at least 11 CSS px, legible on a phone.
const ROW_LABEL_PX: u32 = 11;

/// The widest label column, and the share of a narrow chart (a phone) it may take at most.
const LABEL_AREA_PX: u32 = 128;
const LABEL_AREA_SHARE: f64 = 0.36;

/// Draws one row per entry of `names` (a file's row is its `FileSpan::file`).
pub fn draw_download_timeline<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spans: &[FileSpan],
    names: &[String],
    caption: &str,
    theme: &Theme,
) -> Result<Legibility, DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&theme.background)?;
    let rows = names
        .len()
        .max(spans.iter().map(|s| s.file as usize + 1).max().unwrap_or(1))
        .max(1) as u32;
    let end = spans.iter().map(|s| s.end_ms).fold(0.0, f64::max);
    let x_end = (end * 1.04).max(1.0);
    let text = |size: u32| theme.text(size);
    // On a phone the names give up width to the bars; fewer characters fit (about 6 px each).
    let width = area.dim_in_pixel().0;
    let label_area = LABEL_AREA_PX.min((f64::from(width) * LABEL_AREA_SHARE) as u32);
    let max_chars = MAX_LABEL_CHARS.min(label_area as usize / 6).max(4);

    let mut chart = ChartBuilder::on(area)
        .caption(caption, text(14))
        .margin(8)
        .x_label_area_size(34)
        .y_label_area_size(label_area)
        // Row 0 at the top, like the file list beside it.
        .build_cartesian_2d(0.0..x_end, row_axis(rows))?;

    let label = |row: u32| {
        let name = names.get(row as usize).map_or("", String::as_str);
        if name.chars().count() > max_chars {
            let cut: String = name.chars().take(max_chars - 1).collect();
            format!("{cut}…")
        } else {
            name.to_owned()
        }
    };
    draw_row_mesh(&mut chart, theme, rows, x_end, ROW_LABEL_PX)?;
    // Plotters counts rows from the bottom: file 0's name goes on the top row.
    draw_row_labels(
        area,
        &chart,
        rows,
        |row| label(rows - 1 - row),
        &text(ROW_LABEL_PX),
    )?;

    // Plotters counts rows from the bottom; flip so file 0 is the top row.
    let row_of = |file: u32| rows - 1 - file.min(rows - 1);
    chart.draw_series(spans.iter().flat_map(|span| {
        let row = row_of(span.file);
        span.phases().into_iter().map(move |(phase, start, end)| {
            let mut bar = Rectangle::new(
                [(start, SegmentValue::Exact(row)), (end, row_end(row, rows))],
                Theme::phase_color(phase).filled(),
            );
            bar.set_margin(3, 3, 0, 0);
            bar
        })
    }))?;
    let row_px = row_height(&chart, rows);
    area.present()?;
    Ok(Legibility {
        label_px: ROW_LABEL_PX,
        row_px: Some(row_px),
    })
}
