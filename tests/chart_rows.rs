//! Charts with one row per worker or file stay readable at any row count, one row included (a
//! sequential run, or a device whose pool runs one thread at full speed): every row has its label
//! and its bars the row's full height, inside the plotting area. Rendered to SVG, as the page draws
//! them on a canvas.

use plotters::prelude::*;

use playground::charts::downloads::draw_download_timeline;
use playground::charts::theme::Theme;
use playground::charts::timeline::{draw_timeline, TimelineLabels};
use playground::model::downloads::FileSpan;
use playground::model::timeline::{Span, Timeline};

const HEIGHT: u32 = 126;

/// The SVG and what the chart reported about its rows.
fn timeline_svg(rows: u32) -> (String, playground::charts::Legibility) {
    let spans = (0..rows)
        .map(|worker| Span {
            worker,
            task: worker,
            chunk: 0,
            range: 0..10,
            start_ms: 0.0,
            end_ms: 100.0,
        })
        .collect();
    let mut svg = String::new();
    let legibility;
    {
        let root = SVGBackend::with_string(&mut svg, (600, HEIGHT)).into_drawing_area();
        let labels = TimelineLabels {
            row_prefix: "thread",
            caption: "rows",
        };
        legibility =
            draw_timeline(&root, &Timeline::new(spans), rows, labels, &Theme::LIGHT).unwrap();
    }
    (svg, legibility)
}

/// The heights of the filled rectangles in `svg` drawn in `fill` (the bars of one task).
fn bar_heights(svg: &str, fill: RGBColor) -> Vec<f64> {
    let RGBColor(r, g, b) = fill;
    let colour = format!("fill=\"#{r:02X}{g:02X}{b:02X}\"");
    svg.lines()
        .filter(|line| line.contains("<rect") && line.contains(&colour))
        .filter_map(|line| {
            let at = line.find("height=\"")? + 8;
            line[at..].split('"').next()?.parse().ok()
        })
        .collect()
}

#[test]
fn a_timeline_of_one_row_labels_it_and_fills_it() {
    let (svg, legibility) = timeline_svg(1);
    assert!(svg.contains("thread 0"), "the one row has its label");
    let row_px = legibility.row_px.expect("a timeline reports its rows");
    // The rows share what the caption, the axis and the margins leave of the height.
    assert!(
        row_px > 30.0 && row_px < f64::from(HEIGHT),
        "one row of {row_px} px"
    );
    let bars = bar_heights(&svg, Theme::task_color(0));
    assert_eq!(bars.len(), 1, "one bar");
    // The bar fills its row but for the gaps above and below it (4 px each).
    assert!(
        (bars[0] - (row_px - 8.0)).abs() <= 2.0,
        "a bar {} px tall in a row of {row_px} px",
        bars[0]
    );
}

#[test]
fn a_timeline_reports_the_row_height_it_drew() {
    for rows in [2, 3, 5] {
        let (svg, legibility) = timeline_svg(rows);
        let row_px = legibility.row_px.unwrap();
        for (worker, height) in (0..rows).map(|w| (w, bar_heights(&svg, Theme::task_color(w)))) {
            assert_eq!(height.len(), 1, "{rows} rows: worker {worker}'s bar");
            assert!(
                (height[0] - (row_px - 8.0)).abs() <= 2.0,
                "{rows} rows: a bar {} px tall in rows of {row_px} px",
                height[0]
            );
        }
    }
}

#[test]
fn a_download_timeline_of_one_file_labels_and_fills_its_row() {
    let spans = [FileSpan {
        file: 0,
        start_ms: 0.0,
        queued_ms: 0.0,
        first_byte_ms: Some(10.0),
        end_ms: 100.0,
        ok: true,
    }];
    let mut svg = String::new();
    let legibility;
    {
        let root = SVGBackend::with_string(&mut svg, (600, HEIGHT)).into_drawing_area();
        legibility = draw_download_timeline(
            &root,
            &spans,
            &["one.bin".to_owned()],
            "one file",
            &Theme::LIGHT,
        )
        .unwrap();
    }
    assert!(svg.contains("one.bin"));
    let row_px = legibility.row_px.unwrap();
    assert!(row_px > 30.0, "one row of {row_px} px");
    let transfer = bar_heights(&svg, RGBColor(0, 114, 178));
    assert_eq!(transfer.len(), 1);
    assert!(
        (transfer[0] - (row_px - 6.0)).abs() <= 2.0,
        "a bar {} px tall in a row of {row_px} px",
        transfer[0]
    );
}
