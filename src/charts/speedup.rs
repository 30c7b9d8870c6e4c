//! The Amdahl sweep's chart: measured speedup per worker count, the ideal line (speedup = workers)
//! and the Amdahl curve for the fitted serial fraction.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::theme::{Theme, TASK_COLORS};
use super::Legibility;

/// The axis labels' size: at least 11 CSS px, legible on a phone.
const LABEL_PX: u32 = 12;
use crate::model::amdahl::amdahl_speedup;

/// Draws `measured` `(workers, speedup)` points up to `max_workers`; `fitted` is the serial fraction.
pub fn draw_speedup<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    measured: &[(f64, f64)],
    fitted: Option<f64>,
    max_workers: u32,
    caption: &str,
    theme: &Theme,
) -> Result<Legibility, DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&theme.background)?;
    let max_workers = f64::from(max_workers.max(2));
    let top = measured
        .iter()
        .map(|&(_, s)| s)
        .fold(max_workers, f64::max)
        .ceil()
        + 0.5;
    let text = |size: u32| theme.text(size);
    let mut chart = ChartBuilder::on(area)
        .caption(caption, text(14))
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(44)
        .build_cartesian_2d(0.8..max_workers + 0.2, 0.0..top)?;
    theme
        .mesh(&mut chart, LABEL_PX)
        .x_desc("workers")
        .y_desc("speedup (×)")
        .x_labels(max_workers as usize)
        .x_label_formatter(&|w| format!("{w:.0}"))
        .y_label_formatter(&|s| format!("{s:.1}"))
        .draw()?;

    let ideal = TASK_COLORS[7];
    chart
        .draw_series(LineSeries::new(
            [(1.0, 1.0), (max_workers, max_workers)],
            ideal.stroke_width(2),
        ))?
        .label("ideal: speedup = workers")
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], ideal.stroke_width(2)));

    if let Some(f) = fitted {
        let curve = TASK_COLORS[1];
        let steps = 60;
        let points = (0..=steps).map(|i| {
            let w = 1.0 + (max_workers - 1.0) * f64::from(i) / f64::from(steps);
            (w, amdahl_speedup(f, w))
        });
        chart
            .draw_series(LineSeries::new(points, curve.stroke_width(2)))?
            .label(format!("Amdahl, serial fraction {:.1} %", f * 100.0))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], curve.stroke_width(2)));
    }

    let dots = TASK_COLORS[0];
    chart
        .draw_series(LineSeries::new(
            measured.iter().copied(),
            dots.stroke_width(2),
        ))?
        .label("measured")
        .legend(move |(x, y)| Circle::new((x + 9, y), 4, dots.filled()));
    chart.draw_series(
        measured
            .iter()
            .map(|&point| Circle::new(point, 5, dots.filled())),
    )?;
    theme.legend(&mut chart)?;
    area.present()?;
    Ok(Legibility {
        label_px: LABEL_PX,
        row_px: None,
    })
}
