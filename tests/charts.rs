//! The timeline chart, rendered to SVG: the same drawing code the page runs on a canvas.

use plotters::prelude::*;

use playground::charts::theme::Theme;
use playground::charts::timeline::{draw_timeline, TimelineLabels};
use playground::model::timeline::{Span, Timeline};

fn render(timeline: &Timeline, rows: u32) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (800, 260)).into_drawing_area();
        let labels = TimelineLabels {
            row_prefix: "thread",
            caption: "Who ran what, when",
        };
        draw_timeline(&root, timeline, rows, labels, &Theme::LIGHT).unwrap();
    }
    svg
}

fn span(worker: u32, task: u32, chunk: u32, start_ms: f64, end_ms: f64) -> Span {
    Span {
        worker,
        task,
        chunk,
        range: 0..10,
        start_ms,
        end_ms,
    }
}

#[test]
fn draws_a_bar_per_span_a_row_per_worker_and_labels() {
    let timeline = Timeline::new(vec![
        span(0, 0, 0, 0.0, 100.0),
        span(1, 1, 0, 0.0, 95.0),
        span(0, 2, 0, 100.0, 200.0),
        span(1, 3, 0, 95.0, 190.0),
    ]);
    let svg = render(&timeline, 2);
    let task_fills = (0..4)
        .filter(|&task| {
            let RGBColor(r, g, b) = Theme::task_color(task);
            svg.contains(&format!("fill=\"#{r:02X}{g:02X}{b:02X}\""))
        })
        .count();
    assert_eq!(task_fills, 4, "every task's colour is drawn");
    assert!(svg.contains("thread 0") && svg.contains("thread 1"));
    assert!(
        !svg.contains("thread 2"),
        "two workers, two rows: no label past the last row"
    );
    assert!(
        svg.contains("T2 c0"),
        "wide bars carry their task and chunk"
    );
    assert!(svg.contains("milliseconds since the run started"));
}

#[test]
fn idle_workers_keep_their_row_and_an_empty_run_still_draws() {
    let svg = render(&Timeline::new(vec![span(0, 0, 0, 0.0, 5.0)]), 4);
    assert!(
        svg.contains("thread 3"),
        "a thread that never got work still has a row"
    );
    let empty = render(&Timeline::default(), 2);
    assert!(empty.contains("thread 1"));
}
