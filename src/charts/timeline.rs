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
        .build_cartesian_2d(0.0..x_end, row_axis(rows))?;

    let prefix = labels.row_prefix;
    draw_row_mesh(&mut chart, theme, rows, x_end, ROW_LABEL_PX)?;
    draw_row_labels(
        area,
        &chart,
        rows,
        |row| format!("{prefix} {row}"),
        &text(ROW_LABEL_PX),
    )?;

    chart.draw_series(timeline.spans.iter().map(|span| {
        let color = Theme::task_color(span.task);
        let mut bar = Rectangle::new(
            [
                (span.start_ms, SegmentValue::Exact(span.worker)),
                (span.end_ms.max(span.start_ms), row_end(span.worker, rows)),
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
    // Placed in pixels, half way between the row's edges as its bar is drawn (CenterOf would be
    // the centre of one axis segment, and a one-row timeline's axis has two: see row_axis).
    let (base_x, base_y) = area.get_base_pixel();
    for span in &timeline.spans {
        let (left, top) = chart.backend_coord(&(span.start_ms, SegmentValue::Exact(span.worker)));
        let (right, bottom) = chart.backend_coord(&(span.end_ms, row_end(span.worker, rows)));
        if right - left < MIN_LABELLED_BAR_PX {
            continue;
        }
        let label = if span.task == SERIAL_TASK {
            " serial part".to_owned()
        } else {
            format!(" T{} c{}", span.task, span.chunk)
        };
        let at = (left - base_x, (top + bottom) / 2 - base_y);
        area.draw(&Text::new(label, at, label_font.clone()))?;
    }

    let row_px = row_height(&chart, rows);
    area.present()?;
    Ok(Legibility {
        label_px: ROW_LABEL_PX,
        row_px: Some(row_px),
    })
}

/// The height of one row on the backend, measured through the chart's coordinates: the span a bar
/// of row 0 covers, as the bars are drawn.
/// The mesh every row chart shares (timelines of chunks, downloads and requests): a time axis in
/// whole milliseconds (tenths when the run took less than ten), no names or ticks on the row axis
/// itself, since [`draw_row_labels`] writes one name per row.
pub(crate) fn draw_row_mesh<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, SegmentedCoord<RangedCoordu32>>>,
    theme: &Theme,
    rows: u32,
    x_end: f64,
    label_px: u32,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    theme
        .mesh(chart, label_px)
        .disable_y_mesh()
        .x_desc("milliseconds since the run started")
        .x_label_formatter(&|ms| format!("{:.*}", usize::from(x_end < 10.0), ms))
        .y_label_formatter(&|_| String::new())
        .set_tick_mark_size(LabelAreaPosition::Left, 0)
        .y_labels(rows as usize)
        .draw()
}

pub(crate) fn row_height<DB: DrawingBackend>(
    chart: &ChartContext<'_, DB, Cartesian2d<RangedCoordf64, SegmentedCoord<RangedCoordu32>>>,
    rows: u32,
) -> f64 {
    let (_, start) = chart.backend_coord(&(0.0, SegmentValue::Exact(0)));
    let (_, end) = chart.backend_coord(&(0.0, row_end(0, rows)));
    f64::from((end - start).abs())
}

/// Writes each row's name left of the plotting area, centred on its row (`name` takes the chart's row,
/// counted from the bottom). Drawn here, not as plotters' axis labels: an axis of one row (a range of
/// a single value) has no key points, and plotters labelled no row at all.
pub(crate) fn draw_row_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &ChartContext<'_, DB, Cartesian2d<RangedCoordf64, SegmentedCoord<RangedCoordu32>>>,
    rows: u32,
    name: impl Fn(u32) -> String,
    style: &TextStyle<'_>,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let style = style.pos(Pos::new(HPos::Right, VPos::Center));
    let (base_x, base_y) = area.get_base_pixel();
    let x_start = chart.x_range().start;
    for row in 0..rows {
        let (x, start) = chart.backend_coord(&(x_start, SegmentValue::Exact(row)));
        let (_, end) = chart.backend_coord(&(x_start, row_end(row, rows)));
        let at = (x - base_x - 6, (start + end) / 2 - base_y);
        area.draw(&Text::new(name(row), at, style.clone()))?;
    }
    Ok(())
}

/// The vertical axis of `rows` rows. plotters' integer ranges include their end, so 0..rows - 1 is
/// exactly `rows` segments; one row gets an axis of two values (0..1) because a range of one value
/// has no span and maps every row boundary to one pixel (a one-row timeline drew bars of no height).
/// Its single row runs from `Exact(0)` to `Last` (see `row_end`): the whole axis.
pub(crate) fn row_axis(rows: u32) -> SegmentedCoord<RangedCoordu32> {
    (0u32..rows.max(2) - 1).into_segmented()
}

/// Where row `row`'s bars end on the segmented axis. The last row ends at the axis's end (`Last`):
/// `Exact(rows)` lies past the axis's values, and with a single row (a range of one value, no span)
/// it maps onto the row's own start, which drew one-row timelines as bars with no height.
pub(crate) fn row_end(row: u32, rows: u32) -> SegmentValue<u32> {
    if row + 1 >= rows {
        SegmentValue::Last
    } else {
        SegmentValue::Exact(row + 1)
    }
}
