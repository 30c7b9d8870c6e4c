//! The server lab's sweep: throughput against the number of clients, one line per server model, so
//! the learner sees where each model stops growing (saturates).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::theme::{Theme, TASK_COLORS};
use super::Legibility;

/// The axis labels' size: at least 11 CSS px, legible on a phone.
const LABEL_PX: u32 = 12;

/// Draws one line per `(model name, throughput per client count)`; `clients` is the x of every point.
pub fn draw_saturation<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    clients: &[f64],
    series: &[(&str, Vec<f64>)],
    caption: &str,
    theme: &Theme,
) -> Result<Legibility, DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&theme.background)?;
    let x_end = clients.iter().copied().fold(1.0, f64::max);
    let y_end = series
        .iter()
        .flat_map(|(_, ys)| ys.iter().copied())
        .filter(|y| y.is_finite())
        .fold(1.0, f64::max)
        * 1.1;
    let text = |size: u32| theme.text(size);
    let mut chart = ChartBuilder::on(area)
        .caption(caption, text(14))
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(52)
        .build_cartesian_2d(0.0..x_end * 1.05, 0.0..y_end)?;
    theme
        .mesh(&mut chart, LABEL_PX)
        .x_desc("concurrent clients")
        .y_desc("requests per second")
        // Clients are whole: no more ticks than whole numbers on the axis, and none between them
        // named (a sweep of 1 and 2 clients was labelled 0 0 0 1 1 1 1 1 2 2 2).
        .x_labels((x_end as usize + 1).min(12))
        .x_label_formatter(&|c| {
            if (c - c.round()).abs() < 1e-6 {
                format!("{c:.0}")
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|r| format!("{r:.0}"))
        .draw()?;
    for (index, (name, throughputs)) in series.iter().enumerate() {
        let color = TASK_COLORS[index % TASK_COLORS.len()];
        let points: Vec<(f64, f64)> = clients
            .iter()
            .copied()
            .zip(throughputs.iter().copied())
            .collect();
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?
            .label(*name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], color.stroke_width(2)));
        chart.draw_series(
            points
                .into_iter()
                .map(|p| Circle::new(p, 4, color.filled())),
        )?;
    }
    theme.legend(&mut chart)?;
    area.present()?;
    Ok(Legibility {
        label_px: LABEL_PX,
        row_px: None,
    })
}
