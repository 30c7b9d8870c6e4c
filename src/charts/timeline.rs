//! The per-worker timeline (a Gantt chart): one row per worker thread, one bar per chunk.

use plotters::coord::ranged1d::SegmentedCoord;
use plotters::coord::types::{RangedCoordf64, RangedCoordu32};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::theme::Theme;
use super::Legibility;
use crate::exec::cpu::SERIAL_TASK;
use crate::model::timeline::Timeline;

/// The row labels' size: at least 11 CSS px, legible on a phone.
const ROW_LABEL_PX: u32 = 12;

/// Bars narrower than this many pixels carry no text label; their task shows through the colour.
const MIN_LABELLED_BAR_PX: i32 = 34;

/// What the rows are called, e.g. "thread" → "thread 0", "thread 1", …
#[derive(Debug, Clone, Copy)]
pub struct TimelineLabels<'a> {
    pub row_prefix: &'a str,
    pub caption: &'a str,
}

/// Draws `timeline` onto `area`. `rows` is the number of worker rows to show (idle workers keep an
/// empty row, which is itself a lesson: a thread that never got work).
pub fn draw_timeline<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    timeline: &Timeline,
    rows: u32,
    labels: TimelineLabels<'_>,
    theme: &Theme,
) -> Result<Legibility, DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&theme.background)?;
    let rows = rows.max(timeline.workers().last().map_or(1, |w| w + 1));
    // plotters integer ranges include their end: 0..rows - 1 is exactly `rows` segments.
    // A little room after the last bar, and a sensible axis for an empty or instant run.
    let x_end = (timeline.end_ms() * 1.04).max(1.0);
    let text = |size: u32| theme.text(size);

    let mut chart = ChartBuilder::on(area)
        .caption(labels.caption, text(14))
        .margin(8)
        .x_label_area_size(34)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..x_end, (0u32..rows - 1).into_segmented())?;

    let prefix = labels.row_prefix;
    theme
        .mesh(&mut chart, ROW_LABEL_PX)
        .disable_y_mesh()
        .x_desc("milliseconds since the run started")
        // Whole milliseconds, unless the whole run took less than ten.
        .x_label_formatter(&|ms| format!("{:.*}", usize::from(x_end < 10.0), ms))
        // Only row centres get a name; the boundaries between rows stay unlabelled.
        .y_label_formatter(&|row| match row {
            SegmentValue::CenterOf(row) => format!("{prefix} {row}"),
            SegmentValue::Exact(_) | SegmentValue::Last => String::new(),
        })
        .y_labels(rows as usize)
        .draw()?;

    chart.draw_series(timeline.spans.iter().map(|span| {
        let color = Theme::task_color(span.task);
        let mut bar = Rectangle::new(
            [
                (span.start_ms, SegmentValue::Exact(span.worker)),
                (
                    span.end_ms.max(span.start_ms),
                    SegmentValue::Exact(span.worker + 1),
                ),
            ],
            color.filled(),
        );
        // Pixels between rows and between bars that touch, so back-to-back chunks stay apart.
        bar.set_margin(4, 4, 0, 1);
        bar
    }))?;

    // Black on every task colour reads well; vertically centred on the bar.
    let label_font = ("sans-serif", 11)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let bar_labels: Vec<_> = timeline
        .spans
        .iter()
        .filter(|span| {
            let (left, _) = chart.backend_coord(&(span.start_ms, SegmentValue::Exact(span.worker)));
            let (right, _) = chart.backend_coord(&(span.end_ms, SegmentValue::Exact(span.worker)));
            right - left >= MIN_LABELLED_BAR_PX
        })
        .map(|span| {
            let label = if span.task == SERIAL_TASK {
                " serial part".to_owned()
            } else {
                format!(" T{} c{}", span.task, span.chunk)
            };
            Text::new(
                label,
                (span.start_ms, SegmentValue::CenterOf(span.worker)),
                label_font.clone(),
            )
        })
        .collect();
    chart.draw_series(bar_labels)?;

    let row_px = row_height(&chart, rows);
    area.present()?;
    Ok(Legibility {
        label_px: ROW_LABEL_PX,
        row_px: Some(row_px),
    })
}

/// The height of one row on the backend: the plotting area shared by `rows` equal rows.
pub(crate) fn row_height<DB: DrawingBackend>(
    chart: &ChartContext<'_, DB, Cartesian2d<RangedCoordf64, SegmentedCoord<RangedCoordu32>>>,
    rows: u32,
) -> f64 {
    f64::from(chart.plotting_area().dim_in_pixel().1) / f64::from(rows.max(1))
}
