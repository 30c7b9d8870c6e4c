//! The web server lab's timeline: one row per request, each bar split into queued (for a worker or a
//! thread), waiting on the database, waiting for a core, and computing
//! ([`RequestRecord::phases`](crate::model::server::RequestRecord::phases)).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::theme::Theme;
use super::timeline::{draw_row_labels, draw_row_mesh, row_axis, row_end, row_height};
use super::Legibility;
use crate::model::server::{RequestRecord, ServerPhase};

/// The row labels' size: at least 11 CSS px, legible on a phone.
const ROW_LABEL_PX: u32 = 11;
/// The widest label column, and the share of a narrow chart (a phone) it may take at most.
const LABEL_AREA_PX: u32 = 128;
const LABEL_AREA_SHARE: f64 = 0.36;

/// Each phase's colour (Okabe–Ito, as the other timelines; the page's legend swatches match).
pub fn phase_color(phase: ServerPhase) -> RGBColor {
    match phase {
        ServerPhase::Queued => RGBColor(160, 160, 160),
        ServerPhase::Database => RGBColor(86, 180, 233),
        ServerPhase::CoreWait => RGBColor(230, 159, 0),
        ServerPhase::Computing => RGBColor(0, 114, 178),
    }
}

/// Draws `requests` top to bottom, one row each, labelled by `names`.
pub fn draw_server_timeline<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    requests: &[RequestRecord],
    names: &[String],
    caption: &str,
    theme: &Theme,
) -> Result<Legibility, DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&theme.background)?;
    let rows = requests.len().max(1) as u32;
    let end = requests.iter().map(|r| r.end_ms).fold(0.0, f64::max);
    let x_end = (end * 1.04).max(1.0);
    let text = |size: u32| theme.text(size);
    let width = area.dim_in_pixel().0;
    let label_area = LABEL_AREA_PX.min((f64::from(width) * LABEL_AREA_SHARE) as u32);

    let mut chart = ChartBuilder::on(area)
        .caption(caption, text(14))
        .margin(8)
        .x_label_area_size(34)
        .y_label_area_size(label_area)
        .build_cartesian_2d(0.0..x_end, row_axis(rows))?;
    draw_row_mesh(&mut chart, theme, rows, x_end, ROW_LABEL_PX)?;
    // Plotters counts rows from the bottom: the first request goes on the top row.
    draw_row_labels(
        area,
        &chart,
        rows,
        |row| {
            names
                .get((rows - 1 - row) as usize)
                .cloned()
                .unwrap_or_default()
        },
        &text(ROW_LABEL_PX),
    )?;
    chart.draw_series(requests.iter().enumerate().flat_map(|(index, request)| {
        let row = rows - 1 - (index as u32).min(rows - 1);
        request
            .phases()
            .into_iter()
            .map(move |(phase, start, end)| {
                let mut bar = Rectangle::new(
                    [(start, SegmentValue::Exact(row)), (end, row_end(row, rows))],
                    phase_color(phase).filled(),
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
